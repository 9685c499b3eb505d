// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostfs client: one function per hostcall the VFS code makes. Each fills a
 * request (struct hostcall_req), sends it with hostcall_req_call() and
 * turns the reply into plain values after checking it; no other hostfs
 * file sees the wire format.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/uio.h>

#include "hcfs.h"

/* The fixed part of a GETDENTS record: ino, off, reclen, type. */
#define HCFS_DIRENT_HDR		19

/*
 * One round trip on the mount's subject. Returns the hostcall's result
 * (>= 0) or -errno. The transport's -EIO means that the host stopped
 * answering or the device went away: every later call fails at once.
 */
static s64 hcfs_rpc(struct hcfs_conn *c, struct hostcall_req *req)
{
	int err;

	if (test_bit(HCFS_CONN_DEAD, &c->flags))
		return -EIO;
	err = hostcall_req_call(c->tp, c->subject, req);
	if (err == -EIO && !test_and_set_bit(HCFS_CONN_DEAD, &c->flags))
		pr_warn("hostfs: subject %u: the host does not answer; every call fails with EIO from now on (unmount)\n",
			c->subject);
	if (err)
		return err;
	return hostcall_result(&req->r);
}

/* hcfs_rpc() of a request whose reply is the result alone; frees @req. */
static s64 hcfs_rpc_free(struct hcfs_conn *c, struct hostcall_req *req)
{
	s64 ret = hcfs_rpc(c, req);

	hostcall_req_free(req);
	return ret;
}

/*
 * hcfs_rpc() of a request whose reply carries a blob of at most @cap
 * bytes, copied to @dst; with @cap 0 the result is a size and there is no
 * blob. Frees @req.
 */
static s64 hcfs_rpc_data(struct hcfs_conn *c, struct hostcall_req *req,
			 void *dst, size_t cap)
{
	s64 ret;

	req->rep_room = cap;
	ret = hcfs_rpc(c, req);
	if (ret < 0 || !cap)
		goto out;
	if (ret > cap || req->r.datalen != ret) {
		ret = -EPROTO;
		goto out;
	}
	memcpy(dst, req->r.data, ret);
out:
	hostcall_req_free(req);
	return ret;
}

/* The object of an attribute op: a path, or a handle with an empty one. */
static void hcfs_msg_target(struct hc_msg *m, u32 handle, const char *path)
{
	if (path) {
		m->fd = HC_AT_FDCWD;
		m->path = path;
		m->flags = HC_AT_SYMLINK_NOFOLLOW;
	} else {
		m->fd = handle;
		m->path = "";
		m->flags = HC_AT_EMPTY_PATH;
	}
}

/* A request for @op on the path @path, relative to the working directory. */
static struct hostcall_req *hcfs_req_path(u16 op, const char *path)
{
	struct hostcall_req *req = hostcall_req_alloc(op);

	req->m.fd = HC_AT_FDCWD;
	req->m.path = path;
	return req;
}

int hcfs_client_hello(struct hcfs_conn *c)
{
	struct hostcall_session s;
	int err;

	c->subject = 0;
	err = hostcall_hello(c->tp, &s);
	if (err)
		return err;
	/* from here on the unmount ends the subject */
	c->subject = s.subject;
	c->version = s.version;
	if (s.msg_max < HOSTCALL_MSG_FIXED + PAGE_SIZE)
		return -EPROTO;
	c->io_max = round_down(min_t(size_t, s.msg_max - HOSTCALL_MSG_FIXED,
				     HC_DATA_MAX), PAGE_SIZE);
	return 0;
}

/* Posted: an unmount by a process being killed still ends the subject. */
void hcfs_client_bye(struct hcfs_conn *c)
{
	if (c->subject && !test_bit(HCFS_CONN_DEAD, &c->flags))
		hostcall_post_bye(c->tp, c->subject);
	c->subject = 0;
}

int hcfs_client_chdir(struct hcfs_conn *c, const char *path)
{
	return hcfs_rpc_free(c, hcfs_req_path(HC_OP_CHDIR, path));
}

int hcfs_client_open(struct hcfs_conn *c, const char *path, u32 wflags,
		     u32 mode, u32 *handle)
{
	struct hostcall_req *req = hcfs_req_path(HC_OP_OPENAT, path);
	s64 ret;

	req->m.flags = wflags;
	req->m.mode = mode;
	ret = hcfs_rpc_free(c, req);
	if (ret < 0)
		return ret;
	/* HC_HANDLE_NONE: the host kept no handle (it ignored the flag) */
	if (ret >= HC_HANDLE_NONE)
		return -EPROTO;
	*handle = ret;
	return 0;
}

int hcfs_client_close(struct hcfs_conn *c, u32 handle)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_CLOSE);

	req->m.fd = handle;
	return hcfs_rpc_free(c, req);
}

ssize_t hcfs_client_read(struct hcfs_conn *c, u32 handle, loff_t off,
			 size_t len, struct iov_iter *to)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_READ);
	size_t n;
	s64 ret;

	len = min(len, c->io_max);
	req->m.fd = handle;
	req->m.off = off;
	req->m.len = len;
	req->rep_room = len;
	ret = hcfs_rpc(c, req);
	if (ret < 0)
		goto out;
	if (ret > len || req->r.datalen != ret) {
		ret = -EPROTO;
		goto out;
	}
	n = copy_to_iter(req->r.data, ret, to);
	if (n < ret)
		ret = n ? n : -EFAULT;
out:
	hostcall_req_free(req);
	return ret;
}

ssize_t hcfs_client_write(struct hcfs_conn *c, u32 handle, loff_t off,
			  size_t len, struct iov_iter *from)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_WRITE);
	size_t n = 0;
	void *data;
	s64 ret;

	len = min(len, c->io_max);
	data = hostcall_req_data(req, len);
	if (!data) {
		ret = -ENOMEM;
		goto out;
	}
	n = copy_from_iter(data, len, from);
	if (!n && len) {
		ret = -EFAULT;
		goto out;
	}
	req->m.fd = handle;
	req->m.off = off;
	req->m.data = data;
	req->m.datalen = n;
	ret = hcfs_rpc(c, req);
	if (ret > (s64)n)
		ret = -EPROTO;
	iov_iter_revert(from, ret < 0 ? n : n - ret);
out:
	hostcall_req_free(req);
	return ret;
}

loff_t hcfs_client_lseek(struct hcfs_conn *c, u32 handle, loff_t off,
			 unsigned int whence)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_LSEEK);

	req->m.fd = handle;
	req->m.off = off;
	req->m.arg = whence;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_stat(struct hcfs_conn *c, u32 handle, const char *path,
		     struct hc_stat *st)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_FSTATAT);
	s64 ret;

	hcfs_msg_target(&req->m, handle, path);
	ret = hcfs_rpc(c, req);
	if (ret >= 0) {
		*st = req->r.st;
		ret = 0;
	}
	hostcall_req_free(req);
	return ret;
}

/*
 * GETDENTS records (host/fsops.c): little-endian u64 ino | s64 off |
 * u16 reclen | u8 type | name, NUL-terminated and zero-padded so that
 * reclen is a multiple of 8.
 */
static int hcfs_dirent_check(const u8 *p, size_t left, size_t *reclen)
{
	__le16 rl;
	size_t n;

	if (left < HCFS_DIRENT_HDR + 1)
		return -EIO;
	memcpy(&rl, p + 16, sizeof(rl));
	*reclen = le16_to_cpu(rl);
	if (*reclen < HCFS_DIRENT_HDR + 2 || *reclen > left || *reclen % 8)
		return -EIO;
	n = strnlen(p + HCFS_DIRENT_HDR, *reclen - HCFS_DIRENT_HDR);
	if (!n || n > HC_NAME_MAX || n == *reclen - HCFS_DIRENT_HDR ||
	    memchr(p + HCFS_DIRENT_HDR, '/', n))
		return -EIO;
	return 0;
}

ssize_t hcfs_client_getdents(struct hcfs_conn *c, u32 handle, void *dst,
			     size_t cap, loff_t *last_off)
{
	struct hostcall_req *req;
	struct hcfs_dirent d;
	size_t pos, reclen;
	s64 ret;

	if (!cap)
		return -EINVAL;
	req = hostcall_req_alloc(HC_OP_GETDENTS);
	req->m.fd = handle;
	req->m.len = cap;
	ret = hcfs_rpc_data(c, req, dst, cap);
	if (ret <= 0)
		return ret;
	for (pos = 0; pos < ret; pos += reclen)
		if (hcfs_dirent_check((const u8 *)dst + pos, ret - pos,
				      &reclen))
			return -EIO;
	pos = 0;
	while (hcfs_client_dirent_next(dst, ret, &pos, &d))
		*last_off = d.off;
	return ret;
}

bool hcfs_client_dirent_next(const void *buf, size_t len, size_t *pos,
			     struct hcfs_dirent *d)
{
	const u8 *p = (const u8 *)buf + *pos;
	__le64 ino, off;
	__le16 reclen;

	if (*pos >= len)
		return false;
	/* hcfs_client_getdents() checked every record */
	memcpy(&ino, p, sizeof(ino));
	memcpy(&off, p + 8, sizeof(off));
	memcpy(&reclen, p + 16, sizeof(reclen));
	d->ino = le64_to_cpu(ino);
	d->off = le64_to_cpu(off);
	d->type = p[18] & 15;
	d->name = (const char *)p + HCFS_DIRENT_HDR;
	d->namelen = strlen(d->name);
	*pos += le16_to_cpu(reclen);
	return true;
}

int hcfs_client_readlink(struct hcfs_conn *c, const char *path, char *dst,
			 size_t cap)
{
	struct hostcall_req *req = hcfs_req_path(HC_OP_READLINKAT, path);
	const char *target;
	s64 ret;
	size_t n;

	req->rep_room = HC_PATH_MAX + 1;
	ret = hcfs_rpc(c, req);
	if (ret < 0)
		goto out;
	target = req->r.path;
	n = strlen(target);
	if (!n || n != ret) {
		ret = -EPROTO;
		goto out;
	}
	if (n >= cap) {
		ret = -ENAMETOOLONG;
		goto out;
	}
	memcpy(dst, target, n + 1);
out:
	hostcall_req_free(req);
	return ret;
}

int hcfs_client_mkdir(struct hcfs_conn *c, const char *path, u32 mode)
{
	struct hostcall_req *req = hcfs_req_path(HC_OP_MKDIRAT, path);

	req->m.mode = mode;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_mknod(struct hcfs_conn *c, const char *path, u32 mode,
		      u32 major, u32 minor)
{
	struct hostcall_req *req = hcfs_req_path(HC_OP_MKNODAT, path);

	req->m.mode = mode;
	req->m.dev = (u64)major << 32 | minor;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_unlink(struct hcfs_conn *c, const char *path, bool dir)
{
	struct hostcall_req *req = hcfs_req_path(HC_OP_UNLINKAT, path);

	req->m.flags = dir ? HC_AT_REMOVEDIR : 0;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_rename(struct hcfs_conn *c, const char *from, const char *to,
		       u32 flags)
{
	struct hostcall_req *req = hcfs_req_path(HC_OP_RENAMEAT2, from);

	req->m.fd2 = HC_AT_FDCWD;
	req->m.path2 = to;
	req->m.flags = flags;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_symlink(struct hcfs_conn *c, const char *path,
			const char *target)
{
	struct hostcall_req *req = hcfs_req_path(HC_OP_SYMLINKAT, path);

	req->m.path2 = target;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_link(struct hcfs_conn *c, const char *from, const char *to)
{
	struct hostcall_req *req = hcfs_req_path(HC_OP_LINKAT, from);

	req->m.fd2 = HC_AT_FDCWD;
	req->m.path2 = to;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_chmod(struct hcfs_conn *c, u32 handle, const char *path,
		      u32 mode)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_FCHMODAT);

	hcfs_msg_target(&req->m, handle, path);
	req->m.mode = mode;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_chown(struct hcfs_conn *c, u32 handle, const char *path,
		      u32 uid, u32 gid)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_FCHOWNAT);

	hcfs_msg_target(&req->m, handle, path);
	req->m.uid = uid;
	req->m.gid = gid;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_truncate(struct hcfs_conn *c, u32 handle, const char *path,
			 u64 size)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_TRUNCATE);

	hcfs_msg_target(&req->m, handle, path);
	/* TRUNCATE follows a path (truncate(2)); only EMPTY_PATH is allowed */
	req->m.flags &= HC_AT_EMPTY_PATH;
	req->m.len = size;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_utimens(struct hcfs_conn *c, u32 handle, const char *path,
			const struct hc_timespec times[2])
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_UTIMENSAT);

	hcfs_msg_target(&req->m, handle, path);
	req->m.times[0] = times[0];
	req->m.times[1] = times[1];
	return hcfs_rpc_free(c, req);
}

int hcfs_client_access(struct hcfs_conn *c, const char *path, u32 mask)
{
	struct hostcall_req *req = hcfs_req_path(HC_OP_FACCESSAT, path);

	req->m.mode = mask;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_statfs(struct hcfs_conn *c, const char *path,
		       struct hc_statfs *sfs)
{
	struct hostcall_req *req = hcfs_req_path(HC_OP_STATFS, path);
	s64 ret;

	ret = hcfs_rpc(c, req);
	if (ret >= 0) {
		*sfs = req->r.sfs;
		ret = 0;
	}
	hostcall_req_free(req);
	return ret;
}

int hcfs_client_fsync(struct hcfs_conn *c, u32 handle, bool datasync)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_FSYNC);

	req->m.fd = handle;
	req->m.flags = datasync ? HC_FSYNC_DATA : 0;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_fallocate(struct hcfs_conn *c, u32 handle, u32 mode,
			  loff_t off, loff_t len)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_FALLOCATE);

	req->m.fd = handle;
	req->m.mode = mode;
	req->m.off = off;
	req->m.len = len;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_flock(struct hcfs_conn *c, u32 handle, u32 op)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_FLOCK);

	req->m.fd = handle;
	req->m.arg = op;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_lock(struct hcfs_conn *c, u32 handle, u32 cmd,
		     struct hc_lock *lk)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_LOCK);
	const struct hc_lock *got = &req->r.lk;
	s64 ret;

	req->m.fd = handle;
	req->m.arg = cmd;
	req->m.lk = *lk;
	ret = hcfs_rpc(c, req);
	if (ret < 0)
		goto out;
	if (got->type > HC_F_UNLCK || got->start < 0 || got->len < 0) {
		ret = -EPROTO;
		goto out;
	}
	*lk = *got;
	ret = 0;
out:
	hostcall_req_free(req);
	return ret;
}

ssize_t hcfs_client_getxattr(struct hcfs_conn *c, u32 handle,
			     const char *path, const char *name, void *dst,
			     size_t size)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_GETXATTR);
	size_t want = min_t(size_t, size, HC_DATA_MAX);

	hcfs_msg_target(&req->m, handle, path);
	req->m.name = name;
	req->m.len = want;
	return hcfs_rpc_data(c, req, dst, want);
}

ssize_t hcfs_client_listxattr(struct hcfs_conn *c, u32 handle,
			      const char *path, char *dst, size_t size)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_LISTXATTR);
	size_t want = min_t(size_t, size, HC_DATA_MAX);
	s64 ret;

	hcfs_msg_target(&req->m, handle, path);
	req->m.len = want;
	ret = hcfs_rpc_data(c, req, dst, want);
	/* a list of NUL-terminated names */
	if (ret > 0 && want && dst[ret - 1])
		return -EPROTO;
	return ret;
}

int hcfs_client_setxattr(struct hcfs_conn *c, u32 handle, const char *path,
			 const char *name, const void *value, size_t size,
			 u32 flags)
{
	struct hostcall_req *req;

	if (size > HC_DATA_MAX)
		return -E2BIG;
	req = hostcall_req_alloc(HC_OP_SETXATTR);
	hcfs_msg_target(&req->m, handle, path);
	req->m.name = name;
	req->m.data = value;
	req->m.datalen = size;
	req->m.arg = flags;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_removexattr(struct hcfs_conn *c, u32 handle,
			    const char *path, const char *name)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_REMOVEXATTR);

	hcfs_msg_target(&req->m, handle, path);
	req->m.name = name;
	return hcfs_rpc_free(c, req);
}
