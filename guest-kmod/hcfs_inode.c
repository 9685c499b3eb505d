// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostfs inodes: the inode of each host file (found by host device, inode
 * number and type), and the attributes the host reports, with the caching
 * rule that says when to ask again.
 */
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/pagemap.h>
#include <linux/stat.h>

#include "hcfs.h"

static void hcfs_ts(struct timespec64 *t, const struct hc_timespec *w)
{
	t->tv_sec = w->sec;
	t->tv_nsec = w->nsec < NSEC_PER_SEC ? w->nsec : 0;
}

/* The identity of a host file: device, inode number and type. */
struct hcfs_key {
	u64 ino;
	u64 dev;
	umode_t type;
};

static void hcfs_key_of(struct hcfs_key *k, const struct hc_stat *st)
{
	k->ino = st->ino;
	k->dev = (u64)st->dev_major << 32 | st->dev_minor;
	k->type = st->mode & S_IFMT;
}

bool hcfs_same(struct inode *inode, const struct hc_stat *st)
{
	struct hcfs_key k;

	hcfs_key_of(&k, st);
	return HCFS_I(inode)->host_ino == k.ino &&
	       HCFS_I(inode)->host_dev == k.dev &&
	       (inode->i_mode & S_IFMT) == k.type;
}

/*
 * Copy @st into @inode. The set-id and sticky bits of files the guest does
 * not own stay out of i_mode: the guest must not gain privileges from host
 * metadata (exec of a host set-uid file), nor refuse what the host allows
 * (the sticky-directory check); getattr shows the host's mode unchanged.
 * Returns: true if the host's data changed under the page cache.
 */
static bool hcfs_apply(struct inode *inode, const struct hc_stat *st)
{
	struct hcfs_inode *hi = HCFS_I(inode);
	umode_t mode = st->mode & S_IALLUGO;
	struct timespec64 atime, mtime, ctime, old_ctime;
	bool changed = false;

	hcfs_ts(&mtime, &st->mtime);
	if (!hcfs_special(inode->i_mode))
		mode &= ~(S_ISUID | S_ISGID | S_ISVTX);

	spin_lock(&hi->lock);
	if (S_ISREG(inode->i_mode)) {
		changed = !hi->own_change &&
			  (!timespec64_equal(&mtime, &hi->data_mtime) ||
			   st->size != hi->data_size);
		hi->own_change = false;
		hi->data_mtime = mtime;
		hi->data_size = st->size;
	}
	hi->host_mode = st->mode;
	hi->blksize = st->blksize;
	hi->has_btime = st->mask & STATX_BTIME;
	hcfs_ts(&hi->btime, &st->btime);
	inode->i_mode = (inode->i_mode & S_IFMT) | mode;
	set_nlink(inode, st->nlink);
	i_uid_write(inode, st->uid);
	i_gid_write(inode, st->gid);
	hcfs_ts(&atime, &st->atime);
	hcfs_ts(&ctime, &st->ctime);
	old_ctime = hcfs_get_ctime(inode);
	hcfs_set_times(inode, atime, mtime, ctime);
	inode->i_blocks = st->blocks;
	/* a size beyond loff_t would turn negative */
	i_size_write(inode, min_t(u64, st->size, MAX_LFS_FILESIZE));
	hi->attr_time = jiffies;
	hi->attr_valid = true;
	spin_unlock(&hi->lock);
	/* a change of ACL changes the ctime */
	if (!timespec64_equal(&ctime, &old_ctime))
		hcfs_acl_forget(inode, -1);
	return changed;
}

void hcfs_update(struct inode *inode, const struct hc_stat *st)
{
	if (hcfs_apply(inode, st) && inode->i_mapping->nrpages)
		invalidate_inode_pages2(inode->i_mapping);
}

bool hcfs_attr_fresh(struct inode *inode)
{
	struct hcfs_sb_info *sbi = HCFS_SB(inode->i_sb);
	struct hcfs_inode *hi = HCFS_I(inode);
	bool fresh;

	spin_lock(&hi->lock);
	fresh = hi->attr_valid &&
		(sbi->cache == HCFS_CACHE_LOOSE ||
		 (sbi->cache == HCFS_CACHE_TTL &&
		  time_before(jiffies, hi->attr_time + sbi->ttl)));
	spin_unlock(&hi->lock);
	return fresh;
}

void hcfs_attr_stale(struct inode *inode)
{
	struct hcfs_inode *hi = HCFS_I(inode);

	spin_lock(&hi->lock);
	hi->attr_valid = false;
	spin_unlock(&hi->lock);
}

int hcfs_refresh(struct inode *inode, struct dentry *dentry)
{
	struct hcfs_conn *c = hcfs_conn(inode);
	struct hcfs_file *hf;
	struct hc_stat st;
	int err;
	s32 h;

	hf = hcfs_file_any(inode, 0, false);
	if (hf) {
		err = hcfs_client_stat(hf->conn, hf->handle, &st);
		hcfs_file_put(hf);
	} else if (hcfs_ih_find(inode, c, &h)) {
		err = hcfs_client_stat(c, h, &st);
	} else if (dentry) {
		err = hcfs_dhandle(dentry, c, &h);
		if (!err)
			err = hcfs_client_stat(c, h, &st);
	} else {
		return 0;
	}
	if (err)
		return err;
	/* a handle names one host inode: this is @inode's file */
	hcfs_update(inode, &st);
	return 0;
}

static void hcfs_init_inode(struct inode *inode, const struct hc_stat *st)
{
	umode_t type = st->mode & S_IFMT;
	dev_t rdev = 0;

	inode->i_flags |= S_NOATIME | S_NOCMTIME;
	if (HCFS_SB(inode->i_sb)->cache == HCFS_CACHE_NONE) {
		inode->i_acl = ACL_DONT_CACHE;
		inode->i_default_acl = ACL_DONT_CACHE;
	}
	switch (type) {
	case S_IFREG:
		inode->i_op = &hcfs_file_iops;
		inode->i_fop = &hcfs_file_fops;
		inode->i_mapping->a_ops = &hcfs_aops;
		break;
	case S_IFDIR:
		inode->i_op = &hcfs_dir_iops;
		inode->i_fop = &hcfs_dir_fops;
		break;
	case S_IFLNK:
		inode->i_op = &hcfs_symlink_iops;
		break;
	default:
		/* FIFOs and sockets are the guest's own, as on 9p */
		if (st->rdev_major < (1U << (32 - MINORBITS)) &&
		    st->rdev_minor <= MINORMASK)
			rdev = MKDEV(st->rdev_major, st->rdev_minor);
		inode->i_op = &hcfs_special_iops;
		init_special_inode(inode, type, rdev);
		break;
	}
}

static int hcfs_iget_test(struct inode *inode, void *data)
{
	const struct hcfs_key *k = data;

	return HCFS_I(inode)->host_ino == k->ino &&
	       HCFS_I(inode)->host_dev == k->dev &&
	       (inode->i_mode & S_IFMT) == k->type;
}

static int hcfs_iget_set(struct inode *inode, void *data)
{
	const struct hcfs_key *k = data;

	HCFS_I(inode)->host_ino = k->ino;
	HCFS_I(inode)->host_dev = k->dev;
	inode->i_ino = k->ino;
	inode->i_mode = k->type;
	return 0;
}

struct inode *hcfs_iget(struct super_block *sb, const struct hc_stat *st)
{
	struct inode *inode;
	struct hcfs_key k;

	switch (st->mode & S_IFMT) {
	case S_IFREG: case S_IFDIR: case S_IFLNK: case S_IFCHR:
	case S_IFBLK: case S_IFIFO: case S_IFSOCK:
		break;
	default:
		return ERR_PTR(-EIO);
	}
	hcfs_key_of(&k, st);
	inode = iget5_locked(sb, (unsigned long)(k.ino ^ (k.dev * 0x9e3779b9)),
			     hcfs_iget_test, hcfs_iget_set, &k);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	if (inode->i_state & I_NEW) {
		hcfs_init_inode(inode, st);
		hcfs_apply(inode, st);
		unlock_new_inode(inode);
	} else {
		hcfs_update(inode, st);
	}
	return inode;
}
