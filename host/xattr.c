// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shadow's extended-attribute ops. The *xattr calls refuse O_PATH fds,
 * so they act on the resolved file through its /proc/self/fd/N path (as
 * virtiofsd does); following that magic link reaches the very inode the fd
 * holds, a symlink itself when the path was resolved with NOFOLLOW.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "hostd.h"

/*
 * POSIX ACLs as xattrs (system.posix_acl_access, ..._default) carry user
 * and group ids: under an identity map they are the client's on the wire
 * and the host's on disk, translated as stat's owners and chown's are. The
 * value is a little-endian u32 version (2), then 8-byte entries of u16 tag,
 * u16 perm, u32 id (linux/posix_acl_xattr.h).
 */
#define ACL_XATTR_VERSION	2
#define ACL_TAG_USER		0x02
#define ACL_TAG_GROUP		0x08

static int xattr_is_acl(const char *name)
{
	return !strcmp(name, "system.posix_acl_access") ||
	       !strcmp(name, "system.posix_acl_default");
}

/*
 * File capabilities of revision 3 (linux/capability.h: struct
 * vfs_ns_cap_data, 24 bytes) carry the root id of the user namespace they
 * were set in, a user id like the others: translated the same way.
 */
#define VFS_CAP_XATTR		"security.capability"
#define VFS_CAP_REV_MASK	0xff000000u
#define VFS_CAP_REV_3		0x03000000u
#define VFS_CAP_V3_SIZE		24
#define VFS_CAP_ROOTID_OFF	20

/* Translate @v's root id in place, if it is a revision 3 value. Returns: 0, -EINVAL. */
static int cap_map(const struct hostd_config *cfg, unsigned char *v, size_t n, int to_host)
{
	hc_u32 magic, id;
	long long m;

	if (!cfg->idmap || cfg->idmap->mode != HOSTD_ID_MAP || n != VFS_CAP_V3_SIZE)
		return 0;
	memcpy(&magic, v, 4);
	if ((le32toh(magic) & VFS_CAP_REV_MASK) != VFS_CAP_REV_3)
		return 0;
	memcpy(&id, v + VFS_CAP_ROOTID_OFF, 4);
	id = le32toh(id);
	m = to_host ? hostd_idmap_host(cfg->idmap, 0, id) : hostd_idmap_guest(cfg, 0, id);
	if (m < 0)
		return -EINVAL;
	id = htole32((hc_u32)m);
	memcpy(v + VFS_CAP_ROOTID_OFF, &id, 4);
	return 0;
}

/*
 * Translate the ids of the ACL in @v (@n bytes) in place: @to_host for a
 * value the client sets. Returns: 0, -EINVAL for a malformed ACL or an id
 * with no mapping.
 */
static int acl_map(const struct hostd_config *cfg, unsigned char *v, size_t n, int to_host)
{
	size_t off;
	hc_u32 ver;

	if (!cfg->idmap || cfg->idmap->mode != HOSTD_ID_MAP)
		return 0;
	if (n < 4 || (n - 4) % 8)
		return -EINVAL;
	memcpy(&ver, v, 4);
	if (le32toh(ver) != ACL_XATTR_VERSION)
		return -EINVAL;
	for (off = 4; off < n; off += 8) {
		hc_u16 tag;
		hc_u32 id;
		long long m;

		memcpy(&tag, v + off, 2);
		memcpy(&id, v + off + 4, 4);
		tag = le16toh(tag);
		id = le32toh(id);
		if (tag != ACL_TAG_USER && tag != ACL_TAG_GROUP)
			continue;
		if (to_host) {
			m = hostd_idmap_host(cfg->idmap, tag == ACL_TAG_GROUP, id);
			if (m < 0)
				return -EINVAL;
		} else {
			m = hostd_idmap_guest(cfg, tag == ACL_TAG_GROUP, id);
		}
		id = htole32((hc_u32)m);
		memcpy(v + off + 4, &id, 4);
	}
	return 0;
}

/* Whether xattr @name's value carries ids: POSIX ACLs and file capabilities. */
static int xattr_has_ids(const char *name)
{
	return xattr_is_acl(name) || !strcmp(name, VFS_CAP_XATTR);
}

/* Translate the ids in the value of xattr @name (see xattr_has_ids()). */
static int xattr_map(const struct hostd_config *cfg, const char *name, unsigned char *v,
		     size_t n, int to_host)
{
	if (xattr_is_acl(name))
		return acl_map(cfg, v, n, to_host);
	if (!strcmp(name, VFS_CAP_XATTR))
		return cap_map(cfg, v, n, to_host);
	return 0;
}

/* Size queries (size 0) reply with the size and no data. */
static size_t xattr_len(hc_u64 size)
{
	return size < HC_DATA_MAX ? size : HC_DATA_MAX;
}

/* The call's result, and with @size the bytes it left in the scratch. */
static hc_s64 xattr_data(struct hostd_shadow *sh, hc_u64 size, ssize_t n,
			 struct hc_blob *out)
{
	if (n < 0)
		return -errno;
	if (size)
		*out = (struct hc_blob){ sh->scratch, n };
	return n;
}

static hc_s64 do_get(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
		     const char *proc)
{
	const struct hc_req_getxattr *q = &rq->m->req.getxattr;
	size_t len = xattr_len(q->size);

	ssize_t n;

	(void)fd;
	n = getxattr(proc, q->name, len ? sh->scratch : NULL, len);
	/* the ids in the value as the client knows them */
	if (n > 0 && len && xattr_map(sh->cfg, q->name, (unsigned char *)sh->scratch, n, 0))
		return -EIO;
	return xattr_data(sh, q->size, n, &rq->rep->rep.getxattr.value);
}

static hc_s64 do_list(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
		      const char *proc)
{
	const struct hc_req_listxattr *q = &rq->m->req.listxattr;
	size_t len = xattr_len(q->size);

	(void)fd;
	return xattr_data(sh, q->size, listxattr(proc, len ? sh->scratch : NULL, len),
			  &rq->rep->rep.listxattr.list);
}

static hc_s64 do_set(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
		     const char *proc)
{
	const struct hc_req_setxattr *q = &rq->m->req.setxattr;
	const void *value = q->value.ptr;
	int err;

	(void)fd;
	if (sh->cfg->idmap && xattr_has_ids(q->name)) {
		/* the client's ids become the host's: a copy of its bytes */
		if (q->value.len > HC_MSG_MAX)
			return -E2BIG;
		memcpy(sh->scratch, q->value.ptr, q->value.len);
		err = xattr_map(sh->cfg, q->name, (unsigned char *)sh->scratch,
				q->value.len, 1);
		if (err)
			return err;
		value = sh->scratch;
	}
	/* HC_XATTR_CREATE/REPLACE are the Linux XATTR_CREATE/REPLACE */
	return setxattr(proc, q->name, value, q->value.len, (int)q->xflags) < 0 ?
	       -errno : 0;
}

static hc_s64 do_remove(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
			const char *proc)
{
	(void)sh, (void)fd;
	return removexattr(proc, rq->m->req.removexattr.name) < 0 ? -errno : 0;
}

/* Each xattr op names its file by (dirfd, path) with these at-flags. */
static hc_s64 xattr_op(struct hostd_shadow *sh, struct hostd_req *rq, hc_s32 dirfd,
		       const char *path, hc_u32 flags, hostd_file_fn *fn)
{
	if (flags & ~(hc_u32)(HC_AT_SYMLINK_NOFOLLOW | HC_AT_EMPTY_PATH))
		return -EINVAL;
	return hostd_on_file(sh, rq, dirfd, path, flags, fn);
}

hc_s64 hostd_op_getxattr(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_getxattr *q = &rq->m->req.getxattr;

	return xattr_op(sh, rq, q->dirfd, q->path, q->flags, do_get);
}

hc_s64 hostd_op_listxattr(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_listxattr *q = &rq->m->req.listxattr;

	return xattr_op(sh, rq, q->dirfd, q->path, q->flags, do_list);
}

hc_s64 hostd_op_setxattr(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_setxattr *q = &rq->m->req.setxattr;
	int err;

	if (q->xflags & ~(hc_u32)(HC_XATTR_CREATE | HC_XATTR_REPLACE))
		return -EINVAL;
	err = hostd_check_xattr(sh->cfg, q->name);
	if (err)
		return err;
	return xattr_op(sh, rq, q->dirfd, q->path, q->flags, do_set);
}

hc_s64 hostd_op_removexattr(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_removexattr *q = &rq->m->req.removexattr;

	return xattr_op(sh, rq, q->dirfd, q->path, q->flags, do_remove);
}
