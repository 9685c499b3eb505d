// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostfs extended attributes: every name goes to the host as it is, on the
 * inode's handle (or an open handle of an unlinked file).
 */
#include <linux/fs.h>
#include <linux/string.h>
#include <linux/xattr.h>

#include "hcfs.h"

/*
 * File capabilities read as absent for the same reason as the set-id bits:
 * exec in the guest must not grant privileges from host metadata.
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
	err = hcfs_client_getxattr(t.conn, t.h, name, buf, size);
	hcfs_target_put(&t);
	return err;
}

static int hcfs_xattr_set(const struct xattr_handler *handler,
			  HCFS_IDMAP *idmap, struct dentry *dentry,
			 struct inode *inode, const char *name,
			 const void *value, size_t size, int flags)
{
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
		err = hcfs_client_removexattr(t.conn, t.h, name);
	else
		err = hcfs_client_setxattr(t.conn, t.h, name, value, size,
					   wflags);
	hcfs_target_put(&t);
	hcfs_attr_stale(inode);
	if (hcfs_acl_type(name) >= 0)	/* before 6.2 ACLs come this way */
		hcfs_acl_forget(inode, hcfs_acl_type(name));
	/* an ACL changes the mode on the host, any xattr the ctime */
	if (!err)
		hcfs_refresh(inode, dentry);
	return err;
}

ssize_t hcfs_listxattr(struct dentry *dentry, char *list, size_t size)
{
	struct hcfs_target t;
	ssize_t ret, i, n;
	int err;

	err = hcfs_target_get(dentry, NULL, 0, &t);
	if (err)
		return err;
	ret = hcfs_client_listxattr(t.conn, t.h, list, size);
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
