// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostfs attributes: the permission model (the host decides, see
 * guest-kmod/README.md), getattr from the cached host attributes, and
 * setattr as one host call per attribute, on an inode or open file handle.
 */
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/pagemap.h>
#include <linux/stat.h>

#include "hcfs.h"

int hcfs_target_get(struct dentry *dentry, struct file *file,
		    fmode_t mode, struct hcfs_target *t)
{
	struct inode *inode = d_inode(dentry);
	int err;

	t->hf = NULL;
	if (file) {
		t->hf = file->private_data;
		kref_get(&t->hf->ref);
		t->conn = t->hf->conn;
		t->h = t->hf->handle;
		return 0;
	}
	t->conn = hcfs_conn(inode);
	err = hcfs_dhandle(dentry, t->conn, &t->h);
	if (err && d_unlinked(dentry)) {
		/* its name is gone: an open file of it may still do */
		t->hf = hcfs_file_any(inode, mode, false);
		if (t->hf) {
			t->conn = t->hf->conn;
			t->h = t->hf->handle;
			return 0;
		}
	}
	return err;
}

void hcfs_target_put(struct hcfs_target *t)
{
	if (t->hf)
		hcfs_file_put(t->hf);
}

/*
 * The host decides access: the guest checks nothing the host checks again,
 * so that guest root gets EACCES wherever the host user would, and a guest
 * user is not refused what the host allows (but for the search of a cached
 * directory on a mount whose callers are host users, below). Opening, creating and walking
 * are tried on the host and fail there. Only the checks that end no host
 * call are asked of the host: access(2), chdir(2) and exec. FIFOs, sockets
 * and device nodes are guest objects: the guest's own rules apply to them.
 */
int hcfs_permission(HCFS_IDMAP *idmap, struct inode *inode,
		    int mask)
{
	struct dentry *alias;
	struct hcfs_conn *c;
	int ask, err;
	s32 h;

	if (hcfs_special(inode->i_mode))
		return generic_permission(idmap, inode, mask);
	/*
	 * With guest users as host users, a step of a walk over cached
	 * dentries is checked here on the cached attributes too, as virtiofs
	 * does with default_permissions: another user's lookups must not open
	 * a way below a directory the caller may not search. The host still
	 * judges every operation itself.
	 */
	if (HCFS_SB(inode->i_sb)->per_cred && S_ISDIR(inode->i_mode) &&
	    (mask & MAY_EXEC)) {
		err = generic_permission(idmap, inode,
					 MAY_EXEC | (mask & MAY_NOT_BLOCK));
		if (err)
			return err;
	}
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

	c = hcfs_conn(inode);
	if (!hcfs_ih_find(inode, c, &h)) {
		alias = d_find_alias(inode);
		if (!alias)
			return 0;
		err = hcfs_dhandle(alias, c, &h);
		dput(alias);
		if (err)
			return err;
	}
	/* MAY_READ, MAY_WRITE, MAY_EXEC are R_OK, W_OK, X_OK */
	return hcfs_client_access(c, h, mask & (MAY_READ | MAY_WRITE | MAY_EXEC));
}

int hcfs_getattr(HCFS_IDMAP *idmap, const struct path *path,
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
int hcfs_setattr(HCFS_IDMAP *idmap, struct dentry *dentry,
		 struct iattr *attr)
{
	struct inode *inode = d_inode(dentry);
	unsigned int valid = attr->ia_valid;
	struct file *file = NULL;
	struct hcfs_target t;
	struct hcfs_conn *c;
	struct hc_stat st;
	int err;
	s32 h;

	if (valid & ATTR_FILE && S_ISREG(inode->i_mode))
		file = attr->ia_file;
	err = hcfs_target_get(dentry, file, valid & ATTR_SIZE ? FMODE_WRITE : 0,
			      &t);
	if (err)
		return err;
	c = t.conn;
	h = t.h;

	if (valid & ATTR_SIZE) {
		if (!(valid & ATTR_OPEN)) {
			/* no writeback of old pages after the host's change */
			err = filemap_write_and_wait(inode->i_mapping);
			if (!err)
				err = hcfs_client_truncate(c, h, attr->ia_size);
			if (err)
				goto out;
		}
		spin_lock(&HCFS_I(inode)->lock);
		HCFS_I(inode)->own_change = true;
		spin_unlock(&HCFS_I(inode)->lock);
		truncate_setsize(inode, attr->ia_size);
	}
	if (valid & ATTR_MODE) {
		err = hcfs_client_chmod(c, h, attr->ia_mode & S_IALLUGO);
		if (err)
			goto out;
	}
	if (valid & (ATTR_UID | ATTR_GID)) {
		u32 uid = valid & ATTR_UID ?
			  from_kuid(&init_user_ns, attr->ia_uid) : (u32)-1;
		u32 gid = valid & ATTR_GID ?
			  from_kgid(&init_user_ns, attr->ia_gid) : (u32)-1;

		err = hcfs_client_chown(c, h, uid, gid);
		if (err)
			goto out;
	}
	if (valid & (ATTR_ATIME | ATTR_MTIME)) {
		struct hc_timespec times[2];

		hcfs_wire_time(&times[0], valid, ATTR_ATIME, ATTR_ATIME_SET,
			       &attr->ia_atime);
		hcfs_wire_time(&times[1], valid, ATTR_MTIME, ATTR_MTIME_SET,
			       &attr->ia_mtime);
		err = hcfs_client_utimens(c, h, times);
	}
out:
	/* the host may have changed more (set-id bits, ctime): ask it */
	if (err || hcfs_client_stat(c, h, &st))
		hcfs_attr_stale(inode);
	else
		hcfs_update(inode, &st);
	hcfs_target_put(&t);
	return err;
}

const struct inode_operations hcfs_file_iops = {
	.permission	= hcfs_permission,
	.getattr	= hcfs_getattr,
	.setattr	= hcfs_setattr,
	.listxattr	= hcfs_listxattr,
	HCFS_ACL_IOPS
};

/* FIFOs, sockets and device nodes: guest objects with host attributes */
const struct inode_operations hcfs_special_iops = {
	.permission	= hcfs_permission,
	.getattr	= hcfs_getattr,
	.setattr	= hcfs_setattr,
	.listxattr	= hcfs_listxattr,
	HCFS_ACL_IOPS
};
