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
	err = hcfs_client_stat(hcfs_conn_sb(sbi), 0, path, &st);
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
	struct hcfs_conn *c = hcfs_conn_sb(sbi);
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
	err = hcfs_client_open(c, path, wflags | HC_O_CREAT | HC_O_EXCL,
			       mode & S_IALLUGO, &handle);
	if (err == -EEXIST && !(flags & O_EXCL)) {
		created = false;
		err = hcfs_client_open(c, path, wflags, 0, &handle);
	}
	if (err)
		goto out_name;
	hf = hcfs_file_new(sbi, c, handle, file->f_mode, flags & O_APPEND);
	if (IS_ERR(hf)) {
		err = PTR_ERR(hf);
		goto out_name;
	}
	err = hcfs_client_stat(c, handle, NULL, &st);
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
	err = hcfs_client_readlink(hcfs_conn_sb(sbi), path, target, PATH_MAX);
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

const struct inode_operations hcfs_dir_iops = {
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

const struct inode_operations hcfs_symlink_iops = {
	.get_link	= hcfs_get_link,
	.permission	= hcfs_permission,
	.getattr	= hcfs_getattr,
	.setattr	= hcfs_setattr,
	.listxattr	= hcfs_listxattr,
};
