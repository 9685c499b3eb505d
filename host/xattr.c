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

/* Size queries (len 0) reply with the size and no data. */
static size_t xattr_len(const struct hc_msg *m)
{
	return m->len < HC_DATA_MAX ? m->len : HC_DATA_MAX;
}

static hc_s64 xattr_data(struct hostd_shadow *sh, struct hostd_req *rq, ssize_t n)
{
	if (n < 0)
		return -errno;
	if (rq->m->len) {
		rq->rep->data = sh->scratch;
		rq->rep->datalen = n;
	}
	return n;
}

static hc_s64 do_get(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
		     const char *proc)
{
	size_t len = xattr_len(rq->m);

	(void)fd;
	return xattr_data(sh, rq, getxattr(proc, rq->m->name, len ? sh->scratch : NULL, len));
}

static hc_s64 do_list(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
		      const char *proc)
{
	size_t len = xattr_len(rq->m);

	(void)fd;
	return xattr_data(sh, rq, listxattr(proc, len ? sh->scratch : NULL, len));
}

static hc_s64 do_set(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
		     const char *proc)
{
	const struct hc_msg *m = rq->m;

	(void)sh, (void)fd;
	/* HC_XATTR_CREATE/REPLACE are the Linux XATTR_CREATE/REPLACE */
	return setxattr(proc, m->name, m->data, m->datalen, (int)m->arg) < 0 ? -errno : 0;
}

static hc_s64 do_remove(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
			const char *proc)
{
	(void)sh, (void)fd;
	return removexattr(proc, rq->m->name) < 0 ? -errno : 0;
}

static hc_s64 xattr_op(struct hostd_shadow *sh, struct hostd_req *rq, hostd_file_fn *fn)
{
	if (rq->m->flags & ~(hc_u32)(HC_AT_SYMLINK_NOFOLLOW | HC_AT_EMPTY_PATH))
		return -EINVAL;
	return hostd_on_file(sh, rq, rq->m->flags, fn);
}

hc_s64 hostd_getxattr(struct hostd_shadow *sh, struct hostd_req *rq)
{
	return xattr_op(sh, rq, do_get);
}

hc_s64 hostd_listxattr(struct hostd_shadow *sh, struct hostd_req *rq)
{
	return xattr_op(sh, rq, do_list);
}

hc_s64 hostd_setxattr(struct hostd_shadow *sh, struct hostd_req *rq)
{
	int err;

	if (rq->m->arg & ~(hc_u32)(HC_XATTR_CREATE | HC_XATTR_REPLACE))
		return -EINVAL;
	err = hostd_check_xattr(sh->cfg, rq->m->name);
	if (err)
		return err;
	return xattr_op(sh, rq, do_set);
}

hc_s64 hostd_removexattr(struct hostd_shadow *sh, struct hostd_req *rq)
{
	return xattr_op(sh, rq, do_remove);
}
