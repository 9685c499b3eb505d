// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shadow's extended-attribute ops. The *xattr calls refuse O_PATH fds,
 * so they act on the resolved file through its /proc/self/fd/N path (as
 * virtiofsd does); following that magic link reaches the very inode the fd
 * holds, a symlink itself when the path was resolved with NOFOLLOW.
 */
#include <errno.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "hostd.h"

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

	(void)fd;
	return xattr_data(sh, q->size,
			  getxattr(proc, q->name, len ? sh->scratch : NULL, len),
			  &rq->rep->rep.getxattr.value);
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

	(void)sh, (void)fd;
	/* HC_XATTR_CREATE/REPLACE are the Linux XATTR_CREATE/REPLACE */
	return setxattr(proc, q->name, q->value.ptr, q->value.len, (int)q->xflags) < 0 ?
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
