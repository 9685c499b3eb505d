// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostfs names: dentries and their revalidation against the host, lookup,
 * the namespace operations (create and open in one, mknod, mkdir, links,
 * unlink, rename) and symlinks, whose absolute targets read relative to the
 * mount (see guest-kmod/README.md).
 */
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/stat.h>
#include <linux/string.h>

#include "hcfs.h"

static void hcfs_dentry_fresh(struct dentry *dentry)
{
	dentry->d_time = jiffies;
}

/*
 * The caller's subject and its handle of the directory @dentry is in; the
 * caller holds the directory's lock, so d_parent and d_name stay.
 */
static int hcfs_parent(struct dentry *dentry, struct hcfs_conn **c, s32 *dirh)
{
	*c = hcfs_conn_sb(HCFS_SB(dentry->d_sb));
	return hcfs_dhandle(dentry->d_parent, *c, dirh);
}

/*
 * A dentry, positive or negative, is trusted for ttl after the host last
 * confirmed it (always with cache=loose, never with cache=none); then the
 * host is asked again with LOOKUP of (parent's handle, name), and a name
 * that now refers to another file (other device, inode number or type)
 * gets a new lookup.
 */
static int hcfs_d_revalidate(struct dentry *dentry, unsigned int flags)
{
	struct hcfs_sb_info *sbi = HCFS_SB(dentry->d_sb);
	struct hcfs_conn *c;
	struct name_snapshot name;
	struct dentry *parent;
	struct inode *inode;
	struct hc_stat st;
	u32 handle;
	int err;
	s32 dirh;

	if (sbi->cache == HCFS_CACHE_LOOSE ||
	    (sbi->cache == HCFS_CACHE_TTL &&
	     time_before(jiffies, dentry->d_time + sbi->ttl)))
		return 1;
	if (flags & LOOKUP_RCU)
		return -ECHILD;
	if (IS_ROOT(dentry))
		return 1;

	c = hcfs_conn_sb(sbi);
	parent = dget_parent(dentry);
	err = hcfs_dhandle(parent, c, &dirh);
	dput(parent);
	if (err == -ESTALE)
		return 0;
	if (err)
		return err;
	take_dentry_name_snapshot(&name, dentry);
	err = hcfs_lookup_at(dentry->d_sb, c, dirh, name.name.name, &st,
			     &handle);
	release_dentry_name_snapshot(&name);

	inode = d_inode(dentry);
	if (err == -ENOENT || err == -ENOTDIR) {
		if (inode)
			return 0;
		hcfs_dentry_fresh(dentry);
		return 1;
	}
	if (err)
		return err;
	if (!hcfs_confirm(dentry->d_sb, inode, c, &st, handle))
		return 0;
	hcfs_dentry_fresh(dentry);
	return 1;
}

const struct dentry_operations hcfs_dentry_ops = {
	.d_revalidate	= hcfs_d_revalidate,
};

/* The inode of a LOOKUP's result, holding the lookup of @handle. */
static struct inode *hcfs_iget_handle(struct super_block *sb,
				      struct hcfs_conn *c,
				      const struct hc_stat *st, u32 handle)
{
	struct inode *inode = hcfs_iget(sb, st);

	if (IS_ERR(inode))
		hcfs_forget_one(HCFS_SB(sb), c, handle);
	else
		hcfs_ih_add(inode, c, handle);
	return inode;
}

void hcfs_dirplus_link(struct dentry *parent, struct hcfs_conn *c,
		       const char *name, unsigned int len,
		       const struct hc_stat *st, u32 handle)
{
	struct hcfs_sb_info *sbi = HCFS_SB(parent->d_sb);
	DECLARE_WAIT_QUEUE_HEAD_ONSTACK(wq);
	struct qstr q = QSTR_INIT(name, len);
	struct dentry *dentry, *alias;
	struct inode *inode;

	q.hash = full_name_hash(parent, name, len);
	dentry = d_lookup(parent, &q);
	if (!dentry) {
		dentry = d_alloc_parallel(parent, &q, &wq);
		if (IS_ERR(dentry)) {
			hcfs_forget_one(sbi, c, handle);
			return;
		}
	}
	if (!d_in_lookup(dentry)) {
		/* known already: confirmed if it is the same file, else
		 * revalidation will look it up again
		 */
		if (hcfs_confirm(parent->d_sb, d_inode(dentry), c, st, handle))
			hcfs_dentry_fresh(dentry);
		dput(dentry);
		return;
	}
	inode = hcfs_iget_handle(parent->d_sb, c, st, handle);
	if (IS_ERR(inode)) {
		d_lookup_done(dentry);
		dput(dentry);
		return;
	}
	hcfs_dentry_fresh(dentry);
	alias = d_splice_alias(inode, dentry);
	d_lookup_done(dentry);
	if (!IS_ERR_OR_NULL(alias))
		dput(alias);
	dput(dentry);
}

static struct dentry *hcfs_lookup(struct inode *dir, struct dentry *dentry,
				  unsigned int flags)
{
	struct inode *inode = NULL;
	struct hcfs_conn *c;
	struct hc_stat st;
	u32 handle;
	int err;
	s32 dirh;

	if (dentry->d_name.len > HC_NAME_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	err = hcfs_parent(dentry, &c, &dirh);
	if (!err)
		err = hcfs_lookup_at(dir->i_sb, c, dirh, dentry->d_name.name,
				     &st, &handle);
	if (!err)
		inode = hcfs_iget_handle(dir->i_sb, c, &st, handle);
	else if (err != -ENOENT)
		return ERR_PTR(err);
	hcfs_dentry_fresh(dentry);
	return d_splice_alias(inode, dentry);
}

/*
 * After the host made the file @dentry names in @dirh: attach its inode
 * (the same inode as another name's for a hard link). A directory inode has
 * one alias only, hence d_splice_alias().
 */
static int hcfs_instantiate(struct inode *dir, struct dentry *dentry,
			    struct hcfs_conn *c, s32 dirh)
{
	struct dentry *alias;
	struct inode *inode;
	struct hc_stat st;
	u32 handle;
	int err;

	hcfs_attr_stale(dir);
	err = hcfs_lookup_at(dir->i_sb, c, dirh, dentry->d_name.name, &st,
			     &handle);
	if (err)
		return err;
	inode = hcfs_iget_handle(dir->i_sb, c, &st, handle);
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
 * The guest's side of a regular file the host just made and opened as
 * @handle for @file: its struct hcfs_file (@hfp) and its inode. On failure
 * the handle is closed.
 */
static struct inode *hcfs_open_inode(struct inode *dir, struct hcfs_conn *c,
				     u32 handle, struct file *file, bool append,
				     struct hcfs_file **hfp)
{
	struct hcfs_file *hf;
	struct inode *inode;
	struct hc_stat st;
	int err;

	hf = hcfs_file_new(HCFS_SB(dir->i_sb), c, handle, file->f_mode, append);
	if (IS_ERR(hf))
		return ERR_CAST(hf);
	err = hcfs_client_stat(c, handle, &st);
	if (!err && !S_ISREG(st.mode))
		err = -EISDIR;
	inode = err ? ERR_PTR(err) : hcfs_iget(dir->i_sb, &st);
	if (IS_ERR(inode))
		hcfs_file_put(hf);
	else
		*hfp = hf;
	return inode;
}

/* @file open on @dentry with @hf, the host file open already. */
static int hcfs_open_finish(struct file *file, struct dentry *dentry,
			    struct inode *inode, struct hcfs_file *hf)
{
	int err;

	hcfs_allow_odirect(file);
	/* generic_file_open(), not hcfs_file_open(): no second host open */
	err = finish_open(file, dentry, generic_file_open);
	if (err) {
		hcfs_file_put(hf);
		return err;
	}
	hcfs_file_attach(inode, file, hf);
	return 0;
}

/*
 * Create and open in one: OPENAT with O_CREAT|O_EXCL, so that the guest
 * knows whether it created the file; if another made it in between and the
 * caller did not ask for O_EXCL, open the existing file instead. The inode
 * handle is looked up when first needed.
 */
static int hcfs_create_open(struct inode *dir, struct dentry *dentry,
			    struct file *file, unsigned int flags, umode_t mode)
{
	u32 wflags = hcfs_open_wflags(flags);
	const char *name = dentry->d_name.name;
	bool created = true;
	struct hcfs_file *hf;
	struct hcfs_conn *c;
	struct inode *inode;
	u32 handle;
	int err;
	s32 dirh;

	err = hcfs_parent(dentry, &c, &dirh);
	if (err)
		return err;
	hcfs_attr_stale(dir);
	err = hcfs_client_open(c, dirh, name, wflags | HC_O_CREAT | HC_O_EXCL,
			       hcfs_create_mode(dir, mode) & S_IALLUGO,
			       &handle);
	if (err == -EEXIST && !(flags & O_EXCL)) {
		created = false;
		err = hcfs_client_open(c, dirh, name, wflags, 0, &handle);
	}
	if (err)
		return err;
	inode = hcfs_open_inode(dir, c, handle, file, flags & O_APPEND, &hf);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	if (created)
		file->f_mode |= FMODE_CREATED;
	d_instantiate(dentry, inode);
	hcfs_dentry_fresh(dentry);
	return hcfs_open_finish(file, dentry, inode, hf);
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

/*
 * O_TMPFILE: the host makes the unnamed file in the directory (OPENAT of
 * "." there with O_TMPFILE), so its data is on the host from the start;
 * linkat() gives it a name through its open handle (hcfs_link()).
 */
static int hcfs_tmpfile(HCFS_IDMAP *idmap, struct inode *dir,
			struct file *file, umode_t mode)
{
	struct hcfs_file *hf;
	struct hcfs_conn *c;
	struct inode *inode;
	u32 handle;
	int err;
	s32 dirh;

	err = hcfs_parent(file->f_path.dentry, &c, &dirh);
	if (!err)
		err = hcfs_client_open(c, dirh, ".",
				       hcfs_open_wflags(file->f_flags) |
				       HC_O_TMPFILE,
				       hcfs_create_mode(dir, mode) & S_IALLUGO,
				       &handle);
	if (err)
		return err;
	inode = hcfs_open_inode(dir, c, handle, file, false, &hf);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	/* d_tmpfile() takes the one link a new inode has */
	set_nlink(inode, 1);
	d_tmpfile(file, inode);
	return hcfs_open_finish(file, file->f_path.dentry, inode, hf);
}

static int hcfs_mknod(HCFS_IDMAP *idmap, struct inode *dir,
		      struct dentry *dentry, umode_t mode, dev_t rdev)
{
	struct hcfs_conn *c;
	int err;
	s32 dirh;

	err = hcfs_parent(dentry, &c, &dirh);
	if (!err)
		err = hcfs_client_mknod(c, dirh, dentry->d_name.name,
					hcfs_create_mode(dir, mode),
					MAJOR(rdev), MINOR(rdev));
	if (!err)
		err = hcfs_instantiate(dir, dentry, c, dirh);
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
	struct hcfs_conn *c;
	int err;
	s32 dirh;

	err = hcfs_parent(dentry, &c, &dirh);
	if (!err)
		err = hcfs_client_mkdir(c, dirh, dentry->d_name.name,
					hcfs_create_mode(dir, mode) &
					S_IALLUGO);
	if (!err)
		err = hcfs_instantiate(dir, dentry, c, dirh);
	return err;
}

static int hcfs_symlink(HCFS_IDMAP *idmap, struct inode *dir,
			struct dentry *dentry, const char *target)
{
	struct hcfs_conn *c;
	int err;
	s32 dirh;

	err = hcfs_parent(dentry, &c, &dirh);
	if (!err)
		err = hcfs_client_symlink(c, dirh, dentry->d_name.name, target);
	if (!err)
		err = hcfs_instantiate(dir, dentry, c, dirh);
	return err;
}

/*
 * The source is named by its handle: whatever it is called meanwhile. A
 * file without a name (O_TMPFILE, or unlinked) is linked through an open
 * handle of it, by the subject that opened it.
 */
static int hcfs_link(struct dentry *old, struct inode *dir, struct dentry *new)
{
	struct hcfs_file *hf = NULL;
	struct hcfs_conn *c;
	int err;
	s32 dirh, h;

	err = hcfs_parent(new, &c, &dirh);
	if (!err)
		err = hcfs_dhandle(old, c, &h);
	if (err && d_unlinked(old)) {
		hf = hcfs_file_any(d_inode(old), 0, false);
		if (!hf)
			return -ENOENT;
		c = hf->conn;
		h = hf->handle;
		err = hcfs_dhandle(new->d_parent, c, &dirh);
	}
	if (!err)
		err = hcfs_client_link(c, h, dirh, new->d_name.name);
	if (hf)
		hcfs_file_put(hf);
	if (!err) {
		hcfs_attr_stale(d_inode(old));
		err = hcfs_instantiate(dir, new, c, dirh);
	}
	return err;
}

static int hcfs_remove(struct inode *dir, struct dentry *dentry, bool isdir)
{
	struct inode *inode = d_inode(dentry);
	struct hcfs_conn *c;
	int err;
	s32 dirh;

	err = hcfs_parent(dentry, &c, &dirh);
	if (!err)
		err = hcfs_client_unlink(c, dirh, dentry->d_name.name, isdir);
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
	struct hcfs_conn *c;
	u32 wflags = 0;
	s32 odirh, ndirh;
	int err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if (flags & RENAME_NOREPLACE)
		wflags |= HC_RENAME_NOREPLACE;
	if (flags & RENAME_EXCHANGE)
		wflags |= HC_RENAME_EXCHANGE;
	if (flags & RENAME_WHITEOUT)
		wflags |= HC_RENAME_WHITEOUT;
	err = hcfs_parent(old, &c, &odirh);
	if (!err)
		err = hcfs_dhandle(new->d_parent, c, &ndirh);
	if (!err)
		err = hcfs_client_rename(c, odirh, old->d_name.name, ndirh,
					 new->d_name.name, wflags);
	if (err)
		return err;
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
	return 0;
}

/*
 * An absolute target names a file of the host's tree (of root=, when
 * given): unless the mount has symlinks=raw, it is presented relative to the
 * link, climbing to the mount's root, so that it resolves under the mount
 * point wherever the file system is mounted: /host/etc/printcap with target
 * /run/cups/printcap reads as ../run/cups/printcap, which is
 * /host/run/cups/printcap.
 */
static char *hcfs_link_under_mount(unsigned int depth, const char *target)
{
	size_t len;
	char *out, *p;

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

/* How many directories @dentry is below the mount's root. */
static unsigned int hcfs_depth(struct dentry *dentry)
{
	unsigned int depth = 0;
	struct dentry *d;

	rcu_read_lock();
	for (d = READ_ONCE(dentry->d_parent); !IS_ROOT(d);
	     d = READ_ONCE(d->d_parent))
		depth++;
	rcu_read_unlock();
	return depth;
}

static const char *hcfs_get_link(struct dentry *dentry, struct inode *inode,
				 struct delayed_call *done)
{
	struct hcfs_sb_info *sbi = HCFS_SB(inode->i_sb);
	struct hcfs_conn *c;
	char *target, *out;
	int err;
	s32 h;

	if (!dentry)
		return ERR_PTR(-ECHILD);
	c = hcfs_conn_sb(sbi);
	err = hcfs_dhandle(dentry, c, &h);
	if (err)
		return ERR_PTR(err);
	target = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!target)
		return ERR_PTR(-ENOMEM);
	err = hcfs_client_readlink(c, h, target, PATH_MAX);
	if (err < 0) {
		out = ERR_PTR(err);
		goto out_target;
	}
	if (sbi->raw_links || target[0] != '/') {
		out = target;
		goto out;
	}
	out = hcfs_link_under_mount(hcfs_depth(dentry), target);
out_target:
	kfree(target);
out:
	if (!IS_ERR(out))
		set_delayed_call(done, kfree_link, out);
	return out;
}

const struct inode_operations hcfs_dir_iops = {
	.lookup		= hcfs_lookup,
	.atomic_open	= hcfs_atomic_open,
	.tmpfile	= hcfs_tmpfile,
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
	HCFS_ACL_IOPS
};

const struct inode_operations hcfs_symlink_iops = {
	.get_link	= hcfs_get_link,
	.permission	= hcfs_permission,
	.getattr	= hcfs_getattr,
	.setattr	= hcfs_setattr,
	.listxattr	= hcfs_listxattr,
};
