// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostfs POSIX ACLs: the host's system.posix_acl_access and _default
 * xattrs, whose ids the host translates as it does stat's owners. The host
 * file system keeps them and applies them (the mode's group bits as the
 * mask, a directory's default ACL at create); the guest reads them for its
 * own permission checks of cached directories, and to know whether a new
 * file's mode is masked by the umask (SB_POSIXACL: the VFS leaves that to
 * the file system) or by the parent's default ACL on the host.
 *
 * From 6.2 on the VFS reaches ACLs only through ->get_acl and ->set_acl;
 * before, system.posix_acl_* names went to the xattr handlers, which pass
 * them to the host as they are (hcfs_xattr.c).
 */
#include <linux/fs.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <linux/slab.h>
#include <linux/xattr.h>

#include "hcfs.h"

static const char *hcfs_acl_name(int type)
{
	return type == ACL_TYPE_ACCESS ? XATTR_NAME_POSIX_ACL_ACCESS :
					 XATTR_NAME_POSIX_ACL_DEFAULT;
}

/* The ACL of @type of the host inode (@c, @h); NULL if it has none. */
static struct posix_acl *hcfs_acl_fetch(struct hcfs_conn *c, s32 h, int type)
{
	size_t cap = PAGE_SIZE;
	struct posix_acl *acl;
	ssize_t n;
	void *buf;

	for (;;) {
		buf = kvmalloc(cap, GFP_KERNEL);
		if (!buf)
			return ERR_PTR(-ENOMEM);
		n = hcfs_client_getxattr(c, h, hcfs_acl_name(type), buf, cap);
		if (n != -ERANGE || cap == XATTR_SIZE_MAX)
			break;
		kvfree(buf);
		cap = XATTR_SIZE_MAX;
	}
	if (n == -ENODATA || n == -EOPNOTSUPP)
		acl = NULL;	/* none, or a host file system without them */
	else if (n < 0)
		acl = ERR_PTR(n);
	else
		acl = posix_acl_from_xattr(&init_user_ns, buf, n);
	kvfree(buf);
	return acl;
}

static struct posix_acl *hcfs_acl_of(struct dentry *dentry, int type)
{
	struct posix_acl *acl;
	struct hcfs_target t;
	int err;

	if (type == ACL_TYPE_DEFAULT && !d_is_dir(dentry))
		return NULL;
	err = hcfs_target_get(dentry, NULL, 0, &t);
	if (err)
		return ERR_PTR(err);
	acl = hcfs_acl_fetch(t.conn, t.h, type);
	hcfs_target_put(&t);
	return acl;
}

void hcfs_acl_forget(struct inode *inode, int type)
{
	/* cache=none: never cached (ACL_DONT_CACHE must stay) */
	if (HCFS_SB(inode->i_sb)->cache == HCFS_CACHE_NONE)
		return;
	if (type == ACL_TYPE_ACCESS || type == ACL_TYPE_DEFAULT)
		forget_cached_acl(inode, type);
	else
		forget_all_cached_acls(inode);
}

int hcfs_acl_type(const char *xattr_name)
{
	if (!strcmp(xattr_name, XATTR_NAME_POSIX_ACL_ACCESS))
		return ACL_TYPE_ACCESS;
	if (!strcmp(xattr_name, XATTR_NAME_POSIX_ACL_DEFAULT))
		return ACL_TYPE_DEFAULT;
	return -1;
}

/* ->get_inode_acl (->get_acl before 6.2): for generic_permission() */
struct posix_acl *hcfs_get_inode_acl(struct inode *inode, int type, bool rcu)
{
	struct posix_acl *acl;
	struct dentry *alias;

	if (rcu)
		return ERR_PTR(-ECHILD);
	alias = d_find_alias(inode);
	if (!alias)
		return NULL;
	acl = hcfs_acl_of(alias, type);
	dput(alias);
	return acl;
}

#ifdef HOSTCALL_HAVE_GET_INODE_ACL
struct posix_acl *hcfs_get_acl(HCFS_IDMAP *idmap, struct dentry *dentry,
			       int type)
{
	return hcfs_acl_of(dentry, type);
}

/*
 * The host checks ownership and updates the mode from an access ACL (or
 * drops one the mode says all of), so the attributes are asked again.
 */
int hcfs_set_acl(HCFS_IDMAP *idmap, struct dentry *dentry,
		 struct posix_acl *acl, int type)
{
	struct inode *inode = d_inode(dentry);
	const char *name = hcfs_acl_name(type);
	struct hcfs_target t;
	void *buf = NULL;
	size_t size;
	int err;

	if (type == ACL_TYPE_DEFAULT && !S_ISDIR(inode->i_mode))
		return acl ? -EACCES : 0;
	if (acl) {
		size = posix_acl_xattr_size(acl->a_count);
		if (size > XATTR_SIZE_MAX)
			return -E2BIG;
		buf = kvmalloc(size, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		err = posix_acl_to_xattr(&init_user_ns, acl, buf, size);
		if (err < 0)
			goto out_free;
	}
	err = hcfs_target_get(dentry, NULL, 0, &t);
	if (err)
		goto out_free;
	if (acl) {
		err = hcfs_client_setxattr(t.conn, t.h, name, buf, size, 0);
	} else {
		err = hcfs_client_removexattr(t.conn, t.h, name);
		if (err == -ENODATA)
			err = 0;
	}
	hcfs_target_put(&t);
	hcfs_acl_forget(inode, type);
	hcfs_attr_stale(inode);
	if (!err)
		hcfs_refresh(inode, dentry);
out_free:
	kvfree(buf);
	return err;
}
#endif

umode_t hcfs_create_mode(struct inode *dir, umode_t mode)
{
	struct posix_acl *acl;

	if (!IS_POSIXACL(dir))
		return mode;	/* the VFS applied the umask */
#ifdef HOSTCALL_HAVE_GET_INODE_ACL
	acl = get_inode_acl(dir, ACL_TYPE_DEFAULT);
#else
	acl = get_acl(dir, ACL_TYPE_DEFAULT);
#endif
	if (IS_ERR_OR_NULL(acl))
		return mode & ~current_umask();
	posix_acl_release(acl);
	return mode;	/* the host applies the default ACL */
}
