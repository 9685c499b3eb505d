// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostfs regular files: host handles per open file, read and write with
 * explicit offsets (writes go through to the host at once), and flock and
 * record locks that are real host locks. The page cache is hcfs_addr.c's.
 */
#include <linux/delay.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "hcfs.h"

/* Polling interval of a blocking lock, doubled from min to max (ms). */
#define HCFS_LOCK_POLL_MIN_MS	2
#define HCFS_LOCK_POLL_MAX_MS	100

/* ---- open files and their handles ---- */

u32 hcfs_open_wflags(unsigned int flags)
{
	u32 w;

	switch (flags & O_ACCMODE) {
	case O_WRONLY:
		w = HC_O_WRONLY;
		break;
	case O_RDWR:
		w = HC_O_RDWR;
		break;
	default:
		w = HC_O_RDONLY;
		break;
	}
	if (flags & O_APPEND)
		w |= HC_O_APPEND;
	if (flags & O_TRUNC)
		w |= HC_O_TRUNC;
	if (flags & O_NOATIME)
		w |= HC_O_NOATIME;
	/* the guest names the file itself, never a symlink to follow */
	return w | HC_O_NOFOLLOW;
}

struct hcfs_file *hcfs_file_new(struct hcfs_sb_info *sbi, struct hcfs_conn *c,
				u32 handle, fmode_t mode, bool append)
{
	struct hcfs_file *hf;

	hf = kzalloc(sizeof(*hf), GFP_KERNEL);
	if (!hf) {
		hcfs_client_close(c, handle);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&hf->ref);
	hf->sbi = sbi;
	hf->conn = c;
	INIT_LIST_HEAD(&hf->node);
	hf->handle = handle;
	hf->mode = mode & (FMODE_READ | FMODE_WRITE);
	hf->append = append;
	mutex_init(&hf->dir_lock);
	return hf;
}

static void hcfs_file_free(struct kref *ref)
{
	struct hcfs_file *hf = container_of(ref, struct hcfs_file, ref);

	hcfs_client_close(hf->conn, hf->handle);
	kvfree(hf->dents);
	kfree(hf);
}

void hcfs_file_put(struct hcfs_file *hf)
{
	kref_put(&hf->ref, hcfs_file_free);
}

void hcfs_file_attach(struct inode *inode, struct file *file,
		      struct hcfs_file *hf)
{
	struct hcfs_inode *hi = HCFS_I(inode);

	file->private_data = hf;
	if (!S_ISREG(inode->i_mode))
		return;
	spin_lock(&hi->lock);
	list_add_tail(&hf->node, &hi->files);
	spin_unlock(&hi->lock);
}

static void hcfs_file_detach(struct inode *inode, struct hcfs_file *hf)
{
	struct hcfs_inode *hi = HCFS_I(inode);

	spin_lock(&hi->lock);
	list_del_init(&hf->node);
	spin_unlock(&hi->lock);
}

struct hcfs_file *hcfs_file_open_dentry(struct dentry *dentry, u32 wflags,
					fmode_t mode)
{
	struct hcfs_sb_info *sbi = HCFS_SB(dentry->d_sb);
	struct hcfs_conn *c = hcfs_conn_sb(sbi);
	u32 handle;
	int err;
	s32 h;

	err = hcfs_dhandle(dentry, c, &h);
	/* "" opens an inode handle's file again; the root is "." */
	if (!err)
		err = hcfs_client_open(c, h, h == HC_AT_FDCWD ? "." : "",
				       wflags, 0, &handle);
	if (err)
		return ERR_PTR(err);
	return hcfs_file_new(sbi, c, handle, mode, wflags & HC_O_APPEND);
}

static bool hcfs_file_fits(struct hcfs_file *hf, fmode_t mode, bool positional)
{
	return (hf->mode & mode) == mode && !(positional && hf->append);
}

struct hcfs_file *hcfs_file_any(struct inode *inode, fmode_t mode,
				bool positional)
{
	struct hcfs_inode *hi = HCFS_I(inode);
	struct hcfs_file *hf, *found = NULL;

	spin_lock(&hi->lock);
	list_for_each_entry(hf, &hi->files, node) {
		if (hcfs_file_fits(hf, mode, positional)) {
			kref_get(&hf->ref);
			found = hf;
			break;
		}
	}
	spin_unlock(&hi->lock);
	return found;
}

struct hcfs_file *hcfs_io_file(struct inode *inode, struct file *file,
			       fmode_t mode)
{
	struct hcfs_file *hf = file ? file->private_data : NULL;
	struct dentry *alias;
	struct hcfs_conn *c;
	u32 wflags, handle;
	int err;
	s32 h;

	if (hf && hcfs_file_fits(hf, mode, true)) {
		kref_get(&hf->ref);
		return hf;
	}
	hf = hcfs_file_any(inode, mode, true);
	if (hf)
		return hf;
	wflags = (mode & FMODE_WRITE ? HC_O_WRONLY : HC_O_RDONLY) |
		 HC_O_NOFOLLOW;
	/* any subject's inode handle: writeback has no caller to speak of */
	if (hcfs_ih_any(inode, &c, &h)) {
		err = hcfs_client_open(c, h, "", wflags, 0, &handle);
		if (err)
			return ERR_PTR(err);
		return hcfs_file_new(HCFS_SB(inode->i_sb), c, handle, mode,
				     false);
	}
	alias = d_find_alias(inode);
	if (!alias)
		return ERR_PTR(-ESTALE);
	hf = hcfs_file_open_dentry(alias, wflags, mode);
	dput(alias);
	return hf;
}

static int hcfs_file_open(struct inode *inode, struct file *file)
{
	struct hcfs_file *hf;
	int err;

	err = generic_file_open(inode, file);
	if (err)
		return err;
	hf = hcfs_file_open_dentry(file->f_path.dentry,
				   hcfs_open_wflags(file->f_flags), file->f_mode);
	if (IS_ERR(hf))
		return PTR_ERR(hf);
	hcfs_file_attach(inode, file, hf);
	hcfs_allow_odirect(file);
	/* Close-to-open: see what the host has now (errors show up later). */
	if (!hcfs_attr_fresh(inode))
		hcfs_refresh(inode, NULL);
	return 0;
}

static int hcfs_file_release(struct inode *inode, struct file *file)
{
	struct hcfs_file *hf = file->private_data;

	/* no dirty page may outlive the last handle that can write it */
	if (hf->mode & FMODE_WRITE)
		filemap_write_and_wait(inode->i_mapping);
	hcfs_file_detach(inode, hf);
	hcfs_file_put(hf);
	return 0;
}

/* close(2): pages dirtied through mmap reach the host, errors are told. */
static int hcfs_file_flush(struct file *file, fl_owner_t id)
{
	if (!(file->f_mode & FMODE_WRITE))
		return 0;
	return filemap_write_and_wait(file->f_mapping);
}

/* ---- read and write ---- */

/* READ straight into @to: O_DIRECT, cache=none, and files of no blocks. */
static ssize_t hcfs_direct_read(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	struct hcfs_file *hf = file->private_data;
	struct hcfs_conn *c = hf->conn;
	loff_t pos = iocb->ki_pos;
	ssize_t done = 0, n;
	size_t want;
	int err;

	if (file->f_mapping->nrpages) {
		/* what was written through mmap is on the host first */
		err = filemap_write_and_wait_range(file->f_mapping, pos, pos +
						   iov_iter_count(to) - 1);
		if (err)
			return err;
	}
	while (iov_iter_count(to)) {
		want = min(iov_iter_count(to), c->io_max);
		n = hcfs_client_read(c, hf->handle, pos, want, to);
		if (n <= 0) {
			if (!done)
				done = n;
			break;
		}
		pos += n;
		done += n;
		if (n < want)
			break;
	}
	if (done > 0)
		iocb->ki_pos = pos;
	return done;
}

/*
 * Pseudo files of the host (procfs, sysfs) report a size of 0 or of a
 * page, and no blocks, whatever they hold: those are read directly, as are
 * sparse files without data, which costs them only the page cache.
 */
static ssize_t hcfs_file_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	int err;

	if (!iov_iter_count(to))
		return 0;
	if ((iocb->ki_flags & IOCB_DIRECT) ||
	    HCFS_SB(inode->i_sb)->cache == HCFS_CACHE_NONE)
		return hcfs_direct_read(iocb, to);
	if (!hcfs_attr_fresh(inode)) {
		err = hcfs_refresh(inode, NULL);
		if (err)
			return err;
	}
	if (!inode->i_blocks)
		return hcfs_direct_read(iocb, to);
	return generic_file_read_iter(iocb, to);
}

/*
 * Write-through: each chunk goes to the host at once, then the pages it
 * covered are dropped from the page cache. The chunk is copied from user
 * memory before the invalidate lock is taken (the copy may fault on a
 * mapping of this very file), and the lock keeps readers from caching the
 * old data between the host's write and the invalidation.
 */
static ssize_t hcfs_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct file *file = iocb->ki_filp;
	struct inode *inode = file_inode(file);
	struct address_space *mapping = inode->i_mapping;
	struct hcfs_file *hf = file->private_data;
	struct hcfs_conn *c = hf->conn;
	struct hcfs_inode *hi = HCFS_I(inode);
	bool append = hf->append || (iocb->ki_flags & IOCB_APPEND);
	ssize_t ret, done = 0, n;
	struct iov_iter kiter;
	size_t chunk, copied;
	struct kvec kv;
	loff_t pos, start;
	void *buf = NULL;

	inode_lock(inode);
	if (append) {
		/* the host appends at its end of file: learn where that is */
		ret = hcfs_refresh(inode, NULL);
		if (ret)
			goto out;
		iocb->ki_pos = i_size_read(inode);
	}
	ret = generic_write_checks(iocb, from);
	if (ret <= 0)
		goto out;
	start = pos = iocb->ki_pos;
	if (mapping->nrpages) {
		ret = filemap_write_and_wait_range(mapping, pos, pos + ret - 1);
		if (ret)
			goto out;
	}
	buf = kvmalloc(min(iov_iter_count(from), c->io_max), GFP_KERNEL);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	while (iov_iter_count(from)) {
		chunk = min(iov_iter_count(from), c->io_max);
		copied = copy_from_iter(buf, chunk, from);
		if (!copied) {
			ret = -EFAULT;
			break;
		}
		kv.iov_base = buf;
		kv.iov_len = copied;
		iov_iter_kvec(&kiter, ITER_SOURCE, &kv, 1, copied);

		filemap_invalidate_lock(mapping);
		n = hcfs_client_write(c, hf->handle, hf->append ? -1 : pos,
				      copied, &kiter);
		if (n > 0) {
			spin_lock(&hi->lock);
			if (pos + n > i_size_read(inode))
				i_size_write(inode, pos + n);
			spin_unlock(&hi->lock);
			invalidate_inode_pages2_range(mapping,
						      pos >> PAGE_SHIFT,
						      append ? -1 : (pos + n - 1) >>
						      PAGE_SHIFT);
		}
		filemap_invalidate_unlock(mapping);

		if (n < (ssize_t)copied)
			iov_iter_revert(from, copied - max_t(ssize_t, n, 0));
		if (n <= 0) {
			ret = n ? n : -EIO;
			break;
		}
		pos += n;
		done += n;
		if (n < copied)
			break;
	}
	if (done) {
		iocb->ki_pos = pos;
		ret = done;
	}
	if (pos != start)
		hcfs_attr_stale(inode);
out:
	inode_unlock(inode);
	kvfree(buf);
	if (ret > 0)
		ret = generic_write_sync(iocb, ret);
	return ret;
}

static loff_t hcfs_file_llseek(struct file *file, loff_t off, int whence)
{
	struct inode *inode = file_inode(file);
	struct hcfs_file *hf = file->private_data;
	loff_t pos;
	int err;

	switch (whence) {
	case SEEK_END:
		if (!hcfs_attr_fresh(inode)) {
			err = hcfs_refresh(inode, NULL);
			if (err)
				return err;
		}
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		/* the host knows where its holes are */
		err = filemap_write_and_wait(inode->i_mapping);
		if (err)
			return err;
		pos = hcfs_client_lseek(hf->conn, hf->handle, off,
					whence == SEEK_DATA ? HC_SEEK_DATA :
				       HC_SEEK_HOLE);
		if (pos < 0)
			return pos;
		return vfs_setpos(file, pos, inode->i_sb->s_maxbytes);
	}
	return generic_file_llseek(file, off, whence);
}

static int hcfs_file_fsync(struct file *file, loff_t start, loff_t end,
			   int datasync)
{
	struct hcfs_file *hf = file->private_data;
	int err;

	err = file_write_and_wait_range(file, start, end);
	if (err)
		return err;
	return hcfs_client_fsync(hf->conn, hf->handle,
				datasync);
}

static long hcfs_file_fallocate(struct file *file, int mode, loff_t off,
				loff_t len)
{
	struct inode *inode = file_inode(file);
	struct hcfs_file *hf = file->private_data;
	int err;

	inode_lock(inode);
	err = filemap_write_and_wait_range(inode->i_mapping, off,
					   off + len - 1);
	if (!err)
		err = hcfs_client_fallocate(hf->conn, hf->handle, mode,
					    off, len);
	if (!err) {
		/* holes, zeroes or shifted data: the host has the truth */
		invalidate_inode_pages2_range(inode->i_mapping,
					      off >> PAGE_SHIFT, -1);
		if (!(mode & FALLOC_FL_KEEP_SIZE) &&
		    off + len > i_size_read(inode))
			i_size_write(inode, off + len);
		hcfs_attr_stale(inode);
	}
	inode_unlock(inode);
	return err;
}

/*
 * copy_file_range() between two open files of one subject is done by the
 * host's file system (reflinks, server-side copies): no data through the
 * guest. Another pair, or a host without COPY_FILE_RANGE, or host files on
 * two file systems (EXDEV there): -EXDEV, and the VFS copies by splice.
 */
static ssize_t hcfs_file_copy_range(struct file *in, loff_t pos_in,
				    struct file *out, loff_t pos_out,
				    size_t len, unsigned int flags)
{
	struct hcfs_file *hin = in->private_data, *hout = out->private_data;
	struct inode *iin = file_inode(in), *iout = file_inode(out);
	ssize_t n;

	if (flags || in->f_op != &hcfs_file_fops || hin->conn != hout->conn ||
	    !(READ_ONCE(hin->conn->tp->caps) & HC_CAP_HOSTCOPY))
		return -EXDEV;
	if (!len)
		return 0;
	inode_lock(iout);
	/* what mmap stores left in the page caches goes to the host first */
	n = filemap_write_and_wait_range(iin->i_mapping, pos_in,
					 pos_in + len - 1);
	if (!n)
		n = filemap_write_and_wait_range(iout->i_mapping, pos_out,
						 pos_out + len - 1);
	if (!n)
		n = hcfs_client_copy_range(hin->conn, hin->handle, pos_in,
					   hout->handle, pos_out, len);
	if (n > 0) {
		invalidate_inode_pages2_range(iout->i_mapping,
					      pos_out >> PAGE_SHIFT,
					      (pos_out + n - 1) >> PAGE_SHIFT);
		spin_lock(&HCFS_I(iout)->lock);
		HCFS_I(iout)->own_change = true;
		spin_unlock(&HCFS_I(iout)->lock);
		if (pos_out + n > i_size_read(iout))
			i_size_write(iout, pos_out + n);
		hcfs_attr_stale(iout);
	}
	inode_unlock(iout);
	if (n == -EOPNOTSUPP || n == -EINVAL)
		return -EXDEV;	/* let the VFS try by splice */
	return n;
}

/* ---- locks ---- */

/*
 * A lock that the caller would wait for is polled with non-blocking host
 * calls: the mount's shadow serves one request at a time, so a host call
 * that blocked would stall every other user of the mount. Each lock is also
 * recorded in the guest (locks_lock_file_wait()), which orders guest
 * processes that share one open file and makes the VFS release the host
 * lock at close and exit.
 */
static int hcfs_lock_poll(bool wait, int (*try)(struct file *, void *),
			  struct file *file, void *arg)
{
	unsigned int ms = HCFS_LOCK_POLL_MIN_MS;
	int err;

	for (;;) {
		err = try(file, arg);
		if (err != -EAGAIN || !wait)
			return err;
		msleep_interruptible(ms);
		if (signal_pending(current))
			return -ERESTARTSYS;
		ms = min(ms * 2, HCFS_LOCK_POLL_MAX_MS);
	}
}

static int hcfs_try_setlk(struct file *file, void *arg)
{
	struct hcfs_file *hf = file->private_data;

	return hcfs_client_lock(hf->conn, hf->handle,
			       HC_F_SETLK, arg);
}

static int hcfs_try_flock(struct file *file, void *arg)
{
	struct hcfs_file *hf = file->private_data;

	return hcfs_client_flock(hf->conn, hf->handle,
				*(u32 *)arg | HC_LOCK_NB);
}

static void hcfs_lock_to_wire(const struct file_lock *fl, struct hc_lock *lk)
{
	lk->type = hcfs_fl_type(fl) == F_RDLCK ? HC_F_RDLCK :
		   hcfs_fl_type(fl) == F_WRLCK ? HC_F_WRLCK : HC_F_UNLCK;
	lk->whence = HC_SEEK_SET;
	lk->start = fl->fl_start;
	lk->len = fl->fl_end == OFFSET_MAX ? 0 : fl->fl_end - fl->fl_start + 1;
	lk->pid = 0;
}

/* Undo the guest's record of a lock the host refused. */
static void hcfs_lock_undo(struct file *file, struct file_lock *fl)
{
	unsigned char type = hcfs_fl_type(fl);

	hcfs_fl_type(fl) = F_UNLCK;
	locks_lock_file_wait(file, fl);
	hcfs_fl_type(fl) = type;
}

static int hcfs_getlk(struct file *file, struct file_lock *fl)
{
	struct hcfs_file *hf = file->private_data;
	unsigned char type = hcfs_fl_type(fl);
	struct hc_lock lk;
	int err;

	/* a guest process that shares this open file first */
	posix_test_lock(file, fl);
	if (hcfs_fl_type(fl) != F_UNLCK)
		return 0;
	hcfs_fl_type(fl) = type;
	hcfs_lock_to_wire(fl, &lk);
	err = hcfs_client_lock(hf->conn, hf->handle,
			       HC_F_GETLK, &lk);
	if (err)
		return err;
	if (lk.type == HC_F_UNLCK) {
		hcfs_fl_type(fl) = F_UNLCK;
		return 0;
	}
	/* held on the host: no guest pid to show */
	hcfs_fl_type(fl) = lk.type == HC_F_RDLCK ? F_RDLCK : F_WRLCK;
	fl->fl_start = lk.start;
	fl->fl_end = lk.len ? lk.start + lk.len - 1 : OFFSET_MAX;
	hcfs_fl_pid(fl) = 0;
	return 0;
}

static int hcfs_file_lock(struct file *file, int cmd, struct file_lock *fl)
{
	struct hc_lock lk;
	int err;

	if (!(hcfs_fl_flags(fl) & FL_POSIX))
		return -ENOLCK;
	if (IS_GETLK(cmd))
		return hcfs_getlk(file, fl);
	hcfs_lock_to_wire(fl, &lk);
	if (hcfs_fl_type(fl) == F_UNLCK) {
		err = hcfs_try_setlk(file, &lk);
		locks_lock_file_wait(file, fl);
		return err;
	}
	err = locks_lock_file_wait(file, fl);
	if (err)
		return err;
	err = hcfs_lock_poll(IS_SETLKW(cmd), hcfs_try_setlk, file, &lk);
	if (err)
		hcfs_lock_undo(file, fl);
	return err;
}

static int hcfs_file_flock(struct file *file, int cmd, struct file_lock *fl)
{
	u32 op;
	int err;

	if (!(hcfs_fl_flags(fl) & FL_FLOCK))
		return -ENOLCK;
	if (hcfs_fl_type(fl) == F_UNLCK) {
		op = HC_LOCK_UN;
		err = hcfs_try_flock(file, &op);
		locks_lock_file_wait(file, fl);
		return err;
	}
	op = hcfs_fl_type(fl) == F_RDLCK ? HC_LOCK_SH : HC_LOCK_EX;
	err = locks_lock_file_wait(file, fl);
	if (err)
		return err;
	err = hcfs_lock_poll(hcfs_fl_flags(fl) & FL_SLEEP, hcfs_try_flock, file,
			     &op);
	if (err)
		hcfs_lock_undo(file, fl);
	return err;
}

const struct file_operations hcfs_file_fops = {
	.owner		= THIS_MODULE,
	.open		= hcfs_file_open,
	.release	= hcfs_file_release,
	.flush		= hcfs_file_flush,
	.llseek		= hcfs_file_llseek,
	.read_iter	= hcfs_file_read_iter,
	.write_iter	= hcfs_file_write_iter,
	.mmap		= generic_file_mmap,
	.splice_read	= hostcall_splice_read,
	.splice_write	= iter_file_splice_write,
	.fsync		= hcfs_file_fsync,
	.fallocate	= hcfs_file_fallocate,
	.copy_file_range = hcfs_file_copy_range,
	.lock		= hcfs_file_lock,
	.flock		= hcfs_file_flock,
};
