// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostfs inodes and dentries: lookup and revalidation against the host,
 * attributes, the namespace operations, symlinks, extended attributes and
 * the permission model (the host decides, see guest-kmod/README.md).
 */
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/stat.h>
#include <linux/string.h>
#include <linux/xattr.h>

#include "hcfs.h"

static const struct inode_operations hcfs_dir_iops;
static const struct inode_operations hcfs_file_iops;
static const struct inode_operations hcfs_symlink_iops;
static const struct inode_operations hcfs_special_iops;

const char *hcfs_path(struct dentry *dentry, char *buf)
{
	char *p = dentry_path_raw(dentry, buf, PATH_MAX);

	if (IS_ERR(p))
		return p;
	/* "/" is the root: the subject's working directory */
	return p[1] ? p + 1 : ".";
}

const char *hcfs_path_get(struct dentry *dentry, char **buf)
{
	const char *path;

	*buf = __getname();
	if (!*buf)
		return ERR_PTR(-ENOMEM);
	path = hcfs_path(dentry, *buf);
	if (IS_ERR(path)) {
		__putname(*buf);
		*buf = NULL;
	}
	return path;
}

void hcfs_path_put(char *buf)
{
	if (buf)
		__putname(buf);
}

static void hcfs_ts(struct timespec64 *t, const struct hc_timespec *w)
{
	t->tv_sec = w->sec;
	t->tv_nsec = w->nsec < NSEC_PER_SEC ? w->nsec : 0;
}

static bool hcfs_special(umode_t mode)
{
	return !S_ISREG(mode) && !S_ISDIR(mode) && !S_ISLNK(mode);
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

static bool hcfs_same(struct inode *inode, const struct hc_stat *st)
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
	struct timespec64 atime, mtime, ctime;
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
	hcfs_set_times(inode, atime, mtime, ctime);
	inode->i_blocks = st->blocks;
	/* a size beyond loff_t would turn negative */
	i_size_write(inode, min_t(u64, st->size, MAX_LFS_FILESIZE));
	hi->attr_time = jiffies;
	hi->attr_valid = true;
	spin_unlock(&hi->lock);
	return changed;
}

/* Apply fresh attributes; drop the page cache if the host's data changed. */
static void hcfs_update(struct inode *inode, const struct hc_stat *st)
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
	const char *path;
	struct hc_stat st;
	char *pbuf;
	int err;

	hf = hcfs_file_any(inode, 0, false);
	if (hf) {
		err = hcfs_client_stat(c, hf->handle, NULL, &st);
		hcfs_file_put(hf);
	} else if (dentry) {
		path = hcfs_path_get(dentry, &pbuf);
		if (IS_ERR(path))
			return PTR_ERR(path);
		err = hcfs_client_stat(c, 0, path, &st);
		hcfs_path_put(pbuf);
	} else {
		return 0;
	}
	if (err)
		return err;
	/* The path names another file now: revalidation will notice. */
	if (hcfs_same(inode, &st))
		hcfs_update(inode, &st);
	return 0;
}

static void hcfs_init_inode(struct inode *inode, const struct hc_stat *st)
{
	umode_t type = st->mode & S_IFMT;
	dev_t rdev = 0;

	inode->i_flags |= S_NOATIME | S_NOCMTIME;
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

/* ---- dentries ---- */

static void hcfs_dentry_fresh(struct dentry *dentry)
{
	dentry->d_time = jiffies;
}

/*
 * A dentry, positive or negative, is trusted for ttl after the host last
 * confirmed it (always with cache=loose, never with cache=none); then the
 * host is asked again, and a name that now refers to another file (other
 * device, inode number or type) gets a new lookup.
 */
static int hcfs_d_revalidate(struct dentry *dentry, unsigned int flags)
{
	struct hcfs_sb_info *sbi = HCFS_SB(dentry->d_sb);
	struct inode *inode;
	const char *path;
	struct hc_stat st;
	char *pbuf;
	int err;

	if (sbi->cache == HCFS_CACHE_LOOSE ||
	    (sbi->cache == HCFS_CACHE_TTL &&
	     time_before(jiffies, dentry->d_time + sbi->ttl)))
		return 1;
	if (flags & LOOKUP_RCU)
		return -ECHILD;

	path = hcfs_path_get(dentry, &pbuf);
	if (IS_ERR(path))
		return PTR_ERR(path);
	err = hcfs_client_stat(&sbi->conn, 0, path, &st);
	hcfs_path_put(pbuf);

	inode = d_inode(dentry);
	if (err == -ENOENT || err == -ENOTDIR) {
		if (inode)
			return 0;
		hcfs_dentry_fresh(dentry);
		return 1;
	}
	if (err)
		return err;
	if (!inode || !hcfs_same(inode, &st))
		return 0;
	hcfs_update(inode, &st);
	hcfs_dentry_fresh(dentry);
	return 1;
}

const struct dentry_operations hcfs_dentry_ops = {
	.d_revalidate	= hcfs_d_revalidate,
};

static struct dentry *hcfs_lookup(struct inode *dir, struct dentry *dentry,
				  unsigned int flags)
{
	struct inode *inode = NULL;
	const char *path;
	struct hc_stat st;
	char *pbuf;
	int err;

	if (dentry->d_name.len > HC_NAME_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	path = hcfs_path_get(dentry, &pbuf);
	if (IS_ERR(path))
		return ERR_CAST(path);
	err = hcfs_client_stat(hcfs_conn(dir), 0, path, &st);
	hcfs_path_put(pbuf);
	if (!err)
		inode = hcfs_iget(dir->i_sb, &st);
	else if (err != -ENOENT)
		return ERR_PTR(err);
	hcfs_dentry_fresh(dentry);
	return d_splice_alias(inode, dentry);
}

/*
 * After the host made a file at @path: attach its inode to @dentry (the
 * same inode as another name's for a hard link). A directory inode has one
 * alias only, hence d_splice_alias().
 */
static int hcfs_instantiate(struct inode *dir, struct dentry *dentry,
			    const char *path)
{
	struct dentry *alias;
	struct inode *inode;
	struct hc_stat st;
	int err;

	hcfs_attr_stale(dir);
	err = hcfs_client_stat(hcfs_conn(dir), 0, path, &st);
	if (err)
		return err;
	inode = hcfs_iget(dir->i_sb, &st);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	d_drop(dentry);
	alias = d_splice_alias(inode, dentry);
	if (IS_ERR(alias))
		return PTR_ERR(alias);
	hcfs_dentry_fresh(alias ? alias : dentry);
	dput(alias);
	return 0;
}

/*
 * Create and open in one: OPENAT with O_CREAT|O_EXCL, so that the guest
 * knows whether it created the file; if another made it in between and the
 * caller did not ask for O_EXCL, open the existing file instead.
 */
static int hcfs_create_open(struct inode *dir, struct dentry *dentry,
			    struct file *file, unsigned int flags, umode_t mode)
{
	struct hcfs_sb_info *sbi = HCFS_SB(dir->i_sb);
	u32 wflags = hcfs_open_wflags(flags);
	bool created = true;
	struct hcfs_file *hf;
	struct inode *inode;
	const char *path;
	struct hc_stat st;
	char *pbuf;
	u32 handle;
	int err;

	path = hcfs_path_get(dentry, &pbuf);
	if (IS_ERR(path))
		return PTR_ERR(path);
	hcfs_attr_stale(dir);
	err = hcfs_client_open(&sbi->conn, path, wflags | HC_O_CREAT | HC_O_EXCL,
			       mode & S_IALLUGO, &handle);
	if (err == -EEXIST && !(flags & O_EXCL)) {
		created = false;
		err = hcfs_client_open(&sbi->conn, path, wflags, 0, &handle);
	}
	if (err)
		goto out_name;
	hf = hcfs_file_new(sbi, handle, file->f_mode, flags & O_APPEND);
	if (IS_ERR(hf)) {
		err = PTR_ERR(hf);
		goto out_name;
	}
	err = hcfs_client_stat(&sbi->conn, handle, NULL, &st);
	if (!err && !S_ISREG(st.mode))
		err = -EISDIR;
	if (err)
		goto out_put;
	inode = hcfs_iget(dir->i_sb, &st);
	if (IS_ERR(inode)) {
		err = PTR_ERR(inode);
		goto out_put;
	}
	if (created)
		file->f_mode |= FMODE_CREATED;
	hcfs_allow_odirect(file);
	d_instantiate(dentry, inode);
	hcfs_dentry_fresh(dentry);
	err = finish_open(file, dentry, generic_file_open);
	if (err)
		goto out_put;
	hcfs_file_attach(inode, file, hf);
	hcfs_path_put(pbuf);
	return 0;

out_put:
	hcfs_file_put(hf);
out_name:
	hcfs_path_put(pbuf);
	return err;
}

static int hcfs_atomic_open(struct inode *dir, struct dentry *dentry,
			    struct file *file, unsigned int flags,
			   umode_t mode)
{
	struct dentry *res = NULL;
	int err;

	if (d_in_lookup(dentry)) {
		res = hcfs_lookup(dir, dentry, 0);
		if (IS_ERR(res))
			return PTR_ERR(res);
		if (res)
			dentry = res;
	}
	if (!(flags & O_CREAT) || d_really_is_positive(dentry))
		return finish_no_open(file, res);
	err = hcfs_create_open(dir, dentry, file, flags, mode);
	dput(res);
	return err;
}

static int hcfs_mknod(HCFS_IDMAP *idmap, struct inode *dir,
		      struct dentry *dentry, umode_t mode, dev_t rdev)
{
	struct hcfs_conn *c = hcfs_conn(dir);
	const char *path;
	char *pbuf;
	int err;

	path = hcfs_path_get(dentry, &pbuf);
	if (IS_ERR(path))
		return PTR_ERR(path);
	err = hcfs_client_mknod(c, path, mode, MAJOR(rdev), MINOR(rdev));
	if (!err)
		err = hcfs_instantiate(dir, dentry, path);
	hcfs_path_put(pbuf);
	return err;
}

static int hcfs_create(HCFS_IDMAP *idmap, struct inode *dir,
		       struct dentry *dentry, umode_t mode, bool excl)
{
	return hcfs_mknod(idmap, dir, dentry, (mode & S_IALLUGO) | S_IFREG, 0);
}

static int hcfs_mkdir(HCFS_IDMAP *idmap, struct inode *dir,
		      struct dentry *dentry, umode_t mode)
{
	const char *path;
	char *pbuf;
	int err;

	path = hcfs_path_get(dentry, &pbuf);
	if (IS_ERR(path))
		return PTR_ERR(path);
	err = hcfs_client_mkdir(hcfs_conn(dir), path, mode & S_IALLUGO);
	if (!err)
		err = hcfs_instantiate(dir, dentry, path);
	hcfs_path_put(pbuf);
	return err;
}

static int hcfs_symlink(HCFS_IDMAP *idmap, struct inode *dir,
			struct dentry *dentry, const char *target)
{
	const char *path;
	char *pbuf;
	int err;

	path = hcfs_path_get(dentry, &pbuf);
	if (IS_ERR(path))
		return PTR_ERR(path);
	err = hcfs_client_symlink(hcfs_conn(dir), path, target);
	if (!err)
		err = hcfs_instantiate(dir, dentry, path);
	hcfs_path_put(pbuf);
	return err;
}

static int hcfs_link(struct dentry *old, struct inode *dir, struct dentry *new)
{
	const char *from, *to;
	char *pbuf, *pbuf2;
	int err;

	from = hcfs_path_get(old, &pbuf);
	if (IS_ERR(from))
		return PTR_ERR(from);
	to = hcfs_path_get(new, &pbuf2);
	if (IS_ERR(to)) {
		err = PTR_ERR(to);
		goto out_from;
	}
	err = hcfs_client_link(hcfs_conn(dir), from, to);
	if (!err)
		err = hcfs_instantiate(dir, new, to);
	hcfs_path_put(pbuf2);
out_from:
	hcfs_path_put(pbuf);
	return err;
}

static int hcfs_remove(struct inode *dir, struct dentry *dentry, bool isdir)
{
	struct inode *inode = d_inode(dentry);
	const char *path;
	char *pbuf;
	int err;

	path = hcfs_path_get(dentry, &pbuf);
	if (IS_ERR(path))
		return PTR_ERR(path);
	err = hcfs_client_unlink(hcfs_conn(dir), path, isdir);
	hcfs_path_put(pbuf);
	if (err)
		return err;
	hcfs_attr_stale(dir);
	hcfs_attr_stale(inode);
	if (isdir)
		clear_nlink(inode);
	else if (inode->i_nlink)
		drop_nlink(inode);
	return 0;
}

static int hcfs_unlink(struct inode *dir, struct dentry *dentry)
{
	return hcfs_remove(dir, dentry, false);
}

static int hcfs_rmdir(struct inode *dir, struct dentry *dentry)
{
	return hcfs_remove(dir, dentry, true);
}

static int hcfs_rename(HCFS_IDMAP *idmap, struct inode *old_dir,
		       struct dentry *old, struct inode *new_dir,
		      struct dentry *new, unsigned int flags)
{
	struct inode *target = d_inode(new);
	const char *from, *to;
	char *pbuf, *pbuf2;
	u32 wflags = 0;
	int err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if (flags & RENAME_NOREPLACE)
		wflags |= HC_RENAME_NOREPLACE;
	if (flags & RENAME_EXCHANGE)
		wflags |= HC_RENAME_EXCHANGE;
	from = hcfs_path_get(old, &pbuf);
	if (IS_ERR(from))
		return PTR_ERR(from);
	to = hcfs_path_get(new, &pbuf2);
	if (IS_ERR(to)) {
		err = PTR_ERR(to);
		goto out_from;
	}
	err = hcfs_client_rename(hcfs_conn(old_dir), from, to, wflags);
	hcfs_path_put(pbuf2);
	if (err)
		goto out_from;
	hcfs_attr_stale(old_dir);
	hcfs_attr_stale(new_dir);
	hcfs_attr_stale(d_inode(old));
	if (target) {
		hcfs_attr_stale(target);
		if (!(flags & RENAME_EXCHANGE)) {
			if (S_ISDIR(target->i_mode))
				clear_nlink(target);
			else if (target->i_nlink)
				drop_nlink(target);
		}
	}
out_from:
	hcfs_path_put(pbuf);
	return err;
}

/* ---- attributes ---- */

/**
 * struct hcfs_target - the object of an attribute or xattr op.
 * @hf: an open handle of it, or NULL
 * @path: its path when @hf is NULL
 * @pbuf: the buffer of @path
 */
struct hcfs_target {
	struct hcfs_file *hf;
	const char *path;
	char *pbuf;
};

/*
 * @file's handle if given, else an open handle of @dentry's inode once it
 * is unlinked (its path names nothing then; @mode: what the op needs of the
 * handle), else the path.
 */
static int hcfs_target_get(struct dentry *dentry, struct file *file,
			   fmode_t mode, struct hcfs_target *t)
{
	t->hf = NULL;
	t->path = NULL;
	t->pbuf = NULL;
	if (file) {
		t->hf = file->private_data;
		kref_get(&t->hf->ref);
		return 0;
	}
	if (d_unlinked(dentry)) {
		t->hf = hcfs_file_any(d_inode(dentry), mode, false);
		if (t->hf)
			return 0;
	}
	t->path = hcfs_path_get(dentry, &t->pbuf);
	return PTR_ERR_OR_ZERO(t->path);
}

static void hcfs_target_put(struct hcfs_target *t)
{
	if (t->hf)
		hcfs_file_put(t->hf);
	hcfs_path_put(t->pbuf);
}

static u32 hcfs_target_handle(const struct hcfs_target *t)
{
	return t->hf ? t->hf->handle : 0;
}

/*
 * The host decides access (DESIGN.md §3.2): the guest checks nothing the
 * host checks again, so that guest root gets EACCES wherever the host user
 * would, and a guest user is not refused what the host allows. Opening,
 * creating and walking are tried on the host and fail there. Only the
 * checks that end no host call are asked of the host: access(2), chdir(2)
 * and exec. FIFOs, sockets and device nodes are guest objects: the guest's
 * own rules apply to them.
 */
static int hcfs_permission(HCFS_IDMAP *idmap, struct inode *inode,
			   int mask)
{
	struct dentry *alias;
	const char *path;
	char *pbuf;
	int ask, err;

	if (hcfs_special(inode->i_mode))
		return generic_permission(idmap, inode, mask);
	if (S_ISDIR(inode->i_mode))
		ask = mask & (MAY_ACCESS | MAY_CHDIR);
	else if (S_ISREG(inode->i_mode))
		ask = mask & (MAY_ACCESS | MAY_EXEC);
	else
		ask = mask & MAY_ACCESS;
	if (!ask)
		return 0;
	if (mask & MAY_NOT_BLOCK)
		return -ECHILD;

	alias = d_find_alias(inode);
	if (!alias)
		return 0;
	path = hcfs_path_get(alias, &pbuf);
	dput(alias);
	if (IS_ERR(path))
		return PTR_ERR(path);
	/* MAY_READ, MAY_WRITE, MAY_EXEC are R_OK, W_OK, X_OK */
	err = hcfs_client_access(hcfs_conn(inode), path,
				 mask & (MAY_READ | MAY_WRITE | MAY_EXEC));
	hcfs_path_put(pbuf);
	return err;
}

static int hcfs_getattr(HCFS_IDMAP *idmap, const struct path *path,
			struct kstat *stat, u32 request_mask,
		       unsigned int flags)
{
	struct inode *inode = d_inode(path->dentry);
	unsigned int sync = flags & AT_STATX_SYNC_TYPE;
	struct hcfs_inode *hi = HCFS_I(inode);
	int err;

	if (sync == AT_STATX_FORCE_SYNC ||
	    (sync != AT_STATX_DONT_SYNC && !hcfs_attr_fresh(inode))) {
		err = hcfs_refresh(inode, path->dentry);
		if (err)
			return err;
	}
	hcfs_fillattr(idmap, request_mask, inode, stat);
	spin_lock(&hi->lock);
	stat->mode = (inode->i_mode & S_IFMT) | (hi->host_mode & S_IALLUGO);
	stat->ino = hi->host_ino;
	if (hi->blksize)
		stat->blksize = hi->blksize;
	if (hi->has_btime) {
		stat->btime = hi->btime;
		stat->result_mask |= STATX_BTIME;
	}
	spin_unlock(&hi->lock);
	return 0;
}

static void hcfs_wire_time(struct hc_timespec *w, unsigned int valid,
			   unsigned int attr, unsigned int set,
			  const struct timespec64 *t)
{
	w->sec = 0;
	if (!(valid & attr)) {
		w->nsec = HC_UTIME_OMIT;
	} else if (valid & set) {
		w->sec = t->tv_sec;
		w->nsec = t->tv_nsec;
	} else {
		w->nsec = HC_UTIME_NOW;
	}
}

/*
 * Each attribute goes to the host as its own call (there is no combined
 * one); the first failure ends the change. The host checks ownership and
 * privileges, so setattr_prepare() is not called. O_TRUNC was done by the
 * host's open already (ATTR_OPEN).
 */
static int hcfs_setattr(HCFS_IDMAP *idmap, struct dentry *dentry,
			struct iattr *attr)
{
	struct inode *inode = d_inode(dentry);
	struct hcfs_conn *c = hcfs_conn(inode);
	unsigned int valid = attr->ia_valid;
	struct hcfs_target t;
	u32 h;
	int err;

	err = hcfs_target_get(dentry, valid & ATTR_FILE && S_ISREG(inode->i_mode) ?
			     attr->ia_file : NULL,
			     valid & ATTR_SIZE ? FMODE_WRITE : 0, &t);
	if (err)
		return err;
	h = hcfs_target_handle(&t);

	if (valid & ATTR_SIZE) {
		if (!(valid & ATTR_OPEN)) {
			/* no writeback of old pages after the host's change */
			err = filemap_write_and_wait(inode->i_mapping);
			if (!err)
				err = hcfs_client_truncate(c, h, t.path,
							   attr->ia_size);
			if (err)
				goto out;
		}
		spin_lock(&HCFS_I(inode)->lock);
		HCFS_I(inode)->own_change = true;
		spin_unlock(&HCFS_I(inode)->lock);
		truncate_setsize(inode, attr->ia_size);
	}
	if (valid & ATTR_MODE) {
		err = hcfs_client_chmod(c, h, t.path, attr->ia_mode & S_IALLUGO);
		if (err)
			goto out;
	}
	if (valid & (ATTR_UID | ATTR_GID)) {
		u32 uid = valid & ATTR_UID ?
			  from_kuid(&init_user_ns, attr->ia_uid) : (u32)-1;
		u32 gid = valid & ATTR_GID ?
			  from_kgid(&init_user_ns, attr->ia_gid) : (u32)-1;

		err = hcfs_client_chown(c, h, t.path, uid, gid);
		if (err)
			goto out;
	}
	if (valid & (ATTR_ATIME | ATTR_MTIME)) {
		struct hc_timespec times[2];

		hcfs_wire_time(&times[0], valid, ATTR_ATIME, ATTR_ATIME_SET,
			       &attr->ia_atime);
		hcfs_wire_time(&times[1], valid, ATTR_MTIME, ATTR_MTIME_SET,
			       &attr->ia_mtime);
		err = hcfs_client_utimens(c, h, t.path, times);
	}
out:
	hcfs_attr_stale(inode);
	hcfs_target_put(&t);
	return err;
}

/* ---- symlinks ---- */

/*
 * An absolute target names a file of the host's tree (of root=, when
 * given): unless the mount has symlinks=raw, it is presented relative to the
 * link, climbing to the mount's root, so that it resolves under the mount
 * point wherever the file system is mounted: /host/etc/printcap with target
 * /run/cups/printcap reads as ../run/cups/printcap, which is
 * /host/run/cups/printcap.
 */
static char *hcfs_link_under_mount(const char *path, const char *target)
{
	unsigned int depth = 0;
	size_t len;
	char *out, *p;

	for (p = (char *)path; *p; p++)
		depth += *p == '/';
	if (!strcmp(path, "."))
		depth = 0;
	while (*target == '/')
		target++;
	len = 3 * depth + strlen(target);
	if (len >= PATH_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	out = kmalloc(len + 2, GFP_KERNEL);
	if (!out)
		return ERR_PTR(-ENOMEM);
	for (p = out; depth; depth--, p += 3)
		memcpy(p, "../", 3);
	strcpy(p, target);
	if (!*out)
		strcpy(out, ".");
	else if (!*target)
		p[-1] = '\0';	/* "../../" -> "../.." */
	return out;
}

static const char *hcfs_get_link(struct dentry *dentry, struct inode *inode,
				 struct delayed_call *done)
{
	struct hcfs_sb_info *sbi = HCFS_SB(inode->i_sb);
	char *pbuf, *target, *out;
	const char *path;
	int err;

	if (!dentry)
		return ERR_PTR(-ECHILD);
	path = hcfs_path_get(dentry, &pbuf);
	if (IS_ERR(path))
		return path;
	target = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!target) {
		out = ERR_PTR(-ENOMEM);
		goto out_name;
	}
	err = hcfs_client_readlink(&sbi->conn, path, target, PATH_MAX);
	if (err < 0) {
		out = ERR_PTR(err);
		goto out_target;
	}
	if (sbi->raw_links || target[0] != '/') {
		out = target;
		goto out_name;
	}
	out = hcfs_link_under_mount(path, target);
out_target:
	kfree(target);
out_name:
	hcfs_path_put(pbuf);
	if (!IS_ERR(out))
		set_delayed_call(done, kfree_link, out);
	return out;
}

/* ---- extended attributes ---- */

/*
 * Every name goes to the host as it is. File capabilities read as absent
 * for the same reason as the set-id bits: exec in the guest must not grant
 * privileges from host metadata.
 */
static bool hcfs_xattr_hidden(const char *name)
{
	return !strcmp(name, XATTR_NAME_CAPS);
}

static int hcfs_xattr_get(const struct xattr_handler *handler,
			  struct dentry *dentry, struct inode *inode,
			 const char *name, void *buf, size_t size)
{
	struct hcfs_target t;
	int err;

	if (!dentry)
		return -EOPNOTSUPP;
	if (hcfs_xattr_hidden(name))
		return -ENODATA;
	err = hcfs_target_get(dentry, NULL, 0, &t);
	if (err)
		return err;
	err = hcfs_client_getxattr(hcfs_conn(inode), hcfs_target_handle(&t),
				   t.path, name, buf, size);
	hcfs_target_put(&t);
	return err;
}

static int hcfs_xattr_set(const struct xattr_handler *handler,
			  HCFS_IDMAP *idmap, struct dentry *dentry,
			 struct inode *inode, const char *name,
			 const void *value, size_t size, int flags)
{
	struct hcfs_conn *c = hcfs_conn(inode);
	u32 wflags = 0;
	struct hcfs_target t;
	int err;

	err = hcfs_target_get(dentry, NULL, 0, &t);
	if (err)
		return err;
	if (flags & XATTR_CREATE)
		wflags |= HC_XATTR_CREATE;
	if (flags & XATTR_REPLACE)
		wflags |= HC_XATTR_REPLACE;
	if (!value)
		err = hcfs_client_removexattr(c, hcfs_target_handle(&t), t.path,
					      name);
	else
		err = hcfs_client_setxattr(c, hcfs_target_handle(&t), t.path,
					   name, value, size, wflags);
	hcfs_target_put(&t);
	hcfs_attr_stale(inode);
	return err;
}

static ssize_t hcfs_listxattr(struct dentry *dentry, char *list, size_t size)
{
	struct hcfs_target t;
	ssize_t ret, i, n;
	int err;

	err = hcfs_target_get(dentry, NULL, 0, &t);
	if (err)
		return err;
	ret = hcfs_client_listxattr(hcfs_conn(d_inode(dentry)),
				    hcfs_target_handle(&t), t.path, list, size);
	hcfs_target_put(&t);
	if (ret <= 0 || !size)
		return ret;
	/* drop the hidden names from the list */
	for (i = 0; i < ret; i += n) {
		n = strlen(list + i) + 1;
		if (hcfs_xattr_hidden(list + i)) {
			memmove(list + i, list + i + n, ret - i - n);
			ret -= n;
			n = 0;
		}
	}
	return ret;
}

static const struct xattr_handler hcfs_xattr_handler = {
	.prefix	= "",	/* every name */
	.get	= hcfs_xattr_get,
	.set	= hcfs_xattr_set,
};

const struct xattr_handler *hcfs_xattr_handlers[] = {
	&hcfs_xattr_handler,
	NULL
};

/* ---- operation tables ---- */

static const struct inode_operations hcfs_dir_iops = {
	.lookup		= hcfs_lookup,
	.atomic_open	= hcfs_atomic_open,
	.create		= hcfs_create,
	.link		= hcfs_link,
	.unlink		= hcfs_unlink,
	.symlink	= hcfs_symlink,
	.mkdir		= hcfs_mkdir,
	.rmdir		= hcfs_rmdir,
	.mknod		= hcfs_mknod,
	.rename		= hcfs_rename,
	.permission	= hcfs_permission,
	.getattr	= hcfs_getattr,
	.setattr	= hcfs_setattr,
	.listxattr	= hcfs_listxattr,
};

static const struct inode_operations hcfs_file_iops = {
	.permission	= hcfs_permission,
	.getattr	= hcfs_getattr,
	.setattr	= hcfs_setattr,
	.listxattr	= hcfs_listxattr,
};

static const struct inode_operations hcfs_symlink_iops = {
	.get_link	= hcfs_get_link,
	.permission	= hcfs_permission,
	.getattr	= hcfs_getattr,
	.setattr	= hcfs_setattr,
	.listxattr	= hcfs_listxattr,
};

static const struct inode_operations hcfs_special_iops = {
	.permission	= hcfs_permission,
	.getattr	= hcfs_getattr,
	.setattr	= hcfs_setattr,
	.listxattr	= hcfs_listxattr,
};
