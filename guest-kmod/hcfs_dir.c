// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostfs directories: a host handle per open directory, read with GETDENTS.
 * Directory positions are the host's own offsets, so telldir/seekdir work
 * through LSEEK on the handle.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "hcfs.h"

/* GETDENTS buffer per open directory: some hundreds of entries per call. */
#define HCFS_DENTS_SIZE		(32 * 1024)
/* READDIRPLUS: as large as a reply, some 800 entries of short names */
#define HCFS_PLUS_SIZE		HC_DATA_MAX

/*
 * Whether listing @file's directory brings the entries' handles and
 * attributes too: not with cache=none, which would not keep them.
 */
static bool hcfs_dir_plus(struct file *file, struct hcfs_conn *c)
{
	struct hcfs_sb_info *sbi = HCFS_SB(file_inode(file)->i_sb);

	return sbi->cache != HCFS_CACHE_NONE &&
	       READ_ONCE(c->tp->caps) & HC_CAP_READDIRPLUS;
}

/*
 * One READDIRPLUS into hf->dents: each entry with a handle becomes (or
 * confirms) a dentry at once, so that no handle waits for the entry to be
 * emitted. Returns: as hcfs_client_getdents().
 */
static ssize_t hcfs_dir_fill_plus(struct file *file, struct hcfs_file *hf,
				  loff_t *last)
{
	size_t dpos = 0, apos, alen;
	struct hc_dirent d;
	struct hc_stat st;
	ssize_t n;
	s32 h;

	n = hcfs_client_readdirplus(hf->conn, hf->handle, hf->dents,
				    HCFS_PLUS_SIZE, &alen, last);
	if (n <= 0)
		return n;
	apos = n;
	/* hcfs_client_readdirplus() checked every record */
	while (hc_dirent_next(hf->dents, n, &dpos, &d) > 0 &&
	       hc_direntplus_next(hf->dents, n + alen, &apos, &h, &st) > 0)
		if (h >= 0)
			hcfs_dirplus_link(file->f_path.dentry, hf->conn,
					  d.name, d.namelen, &st, h);
	return n;
}

static int hcfs_dir_open(struct inode *inode, struct file *file)
{
	struct hcfs_file *hf;

	hf = hcfs_file_open_dentry(file->f_path.dentry,
				   HC_O_RDONLY | HC_O_DIRECTORY | HC_O_NOFOLLOW,
				   FMODE_READ);
	if (IS_ERR(hf))
		return PTR_ERR(hf);
	hcfs_file_attach(inode, file, hf);
	return 0;
}

static int hcfs_dir_release(struct inode *inode, struct file *file)
{
	hcfs_file_put(file->private_data);
	return 0;
}

/*
 * The records of the last GETDENTS are kept, so that a caller whose buffer
 * filled up goes on where it stopped; any other position is a seek on the
 * host handle first.
 */
static int hcfs_dir_iterate(struct file *file, struct dir_context *ctx)
{
	struct hcfs_file *hf = file->private_data;
	struct hcfs_conn *c = hf->conn;
	struct hc_dirent d;
	size_t next;
	loff_t last;
	ssize_t n;
	bool plus;
	int err = 0;

	plus = hcfs_dir_plus(file, c);
	mutex_lock(&hf->dir_lock);
	if (!hf->dents) {
		hf->dents = kvmalloc(plus ? HCFS_PLUS_SIZE : HCFS_DENTS_SIZE,
				     GFP_KERNEL);
		if (!hf->dents) {
			err = -ENOMEM;
			goto out;
		}
	}
	if (hf->dents_pos >= hf->dents_len || ctx->pos != hf->next_pos) {
		hf->dents_len = 0;
		hf->dents_pos = 0;
		if (ctx->pos != hf->host_pos) {
			n = hcfs_client_lseek(c, hf->handle, ctx->pos,
					      HC_SEEK_SET);
			if (n < 0) {
				err = n;
				goto out;
			}
			hf->host_pos = ctx->pos;
		}
	}
	for (;;) {
		if (hf->dents_pos >= hf->dents_len) {
			if (plus)
				n = hcfs_dir_fill_plus(file, hf, &last);
			else
				n = hcfs_client_getdents(c, hf->handle,
							 hf->dents,
							 HCFS_DENTS_SIZE,
							 &last);
			if (n <= 0) {
				err = n;
				hf->dents_len = 0;
				hf->dents_pos = 0;
				break;
			}
			hf->dents_len = n;
			hf->dents_pos = 0;
			hf->next_pos = ctx->pos;
			hf->host_pos = last;
		}
		next = hf->dents_pos;
		/* hcfs_client_getdents() checked every record */
		while (hc_dirent_next(hf->dents, hf->dents_len, &next, &d) > 0) {
			if (!dir_emit(ctx, d.name, d.namelen, d.ino,
				      d.type & 15))
				goto out;
			ctx->pos = d.off;
			hf->dents_pos = next;
			hf->next_pos = d.off;
		}
	}
out:
	mutex_unlock(&hf->dir_lock);
	return err;
}

static int hcfs_dir_fsync(struct file *file, loff_t start, loff_t end,
			  int datasync)
{
	struct hcfs_file *hf = file->private_data;

	return hcfs_client_fsync(hf->conn, hf->handle,
				datasync);
}

const struct file_operations hcfs_dir_fops = {
	.owner		= THIS_MODULE,
	.open		= hcfs_dir_open,
	.release	= hcfs_dir_release,
	.iterate_shared	= hcfs_dir_iterate,
	.read		= generic_read_dir,
	.llseek		= generic_file_llseek,
	.fsync		= hcfs_dir_fsync,
};
