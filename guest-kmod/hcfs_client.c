// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostfs client: one function per hostcall the VFS code makes. Each fills a
 * struct hc_msg, sends it with hostcall_call() and turns the reply into plain
 * values after checking it; no other hostfs file sees the wire format.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uio.h>

#include "hcfs.h"

/* Room for a request or reply with two paths and the small fields. */
#define HCFS_MSG_SMALL		(2 * (HC_PATH_MAX + 1) + 1024)
/* Room for the header and the fields around one blob. */
#define HCFS_MSG_OVERHEAD	512
/* The fixed part of a GETDENTS record: ino, off, reclen, type. */
#define HCFS_DIRENT_HDR		19

/*
 * One round trip. Returns the hostcall's result (>= 0) or -errno. A host
 * may only answer with the generic errno values: anything beyond them (the
 * kernel-internal ERESTARTSYS and friends) becomes -EIO. The transport's
 * -EIO means that the host stopped answering or the device went away.
 */
static s64 hcfs_rpc(struct hcfs_conn *c, const struct hc_msg *m,
		    struct hc_msg *r, void *buf, size_t cap)
{
	int err;

	if (test_bit(HCFS_CONN_DEAD, &c->flags))
		return -EIO;
	err = hostcall_call(c->tp, c->subject, m, r, buf, cap);
	if (err == -EIO && !test_and_set_bit(HCFS_CONN_DEAD, &c->flags))
		pr_warn("hostfs: subject %u: the host does not answer; every call fails with EIO from now on (unmount)\n",
			c->subject);
	if (err)
		return err;
	if (r->result < 0)
		return r->result < -EHWPOISON ? -EIO : r->result;
	return r->result;
}

/*
 * A request whose reply has no strings or blobs: the fixed fields are
 * left in @r (if not NULL).
 */
static s64 hcfs_rpc_fixed(struct hcfs_conn *c, const struct hc_msg *m,
			  struct hc_msg *r)
{
	struct hc_msg dummy;
	void *buf;
	s64 ret;

	buf = kvmalloc(HCFS_MSG_SMALL, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = hcfs_rpc(c, m, r ? r : &dummy, buf, HCFS_MSG_SMALL);
	kvfree(buf);
	return ret;
}

static s64 hcfs_rpc_simple(struct hcfs_conn *c, const struct hc_msg *m)
{
	return hcfs_rpc_fixed(c, m, NULL);
}

/*
 * A request whose reply carries a blob of at most @cap bytes: it is
 * copied to @dst. With @cap 0 the result is a size and there is no blob.
 */
static s64 hcfs_rpc_data(struct hcfs_conn *c, const struct hc_msg *m,
			 size_t extra, void *dst, size_t cap)
{
	size_t bufcap = HCFS_MSG_OVERHEAD + extra + cap;
	struct hc_msg r;
	void *buf;
	s64 ret;

	buf = kvmalloc(bufcap, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = hcfs_rpc(c, m, &r, buf, bufcap);
	if (ret < 0 || !cap)
		goto out;
	if (ret > cap || r.datalen != ret) {
		ret = -EPROTO;
		goto out;
	}
	memcpy(dst, r.data, ret);
out:
	kvfree(buf);
	return ret;
}

/* The object of an attribute op: a path, or a handle with an empty one. */
static void hcfs_target(struct hc_msg *m, u32 handle, const char *path)
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

int hcfs_client_hello(struct hcfs_conn *c)
{
	struct hc_msg m = {
		.op = HC_OP_HELLO,
		.arg = HC_PROTO_VERSION,
		.flags = HC_HELLO_KEEP_HANDLES,
	};
	struct hc_msg r;
	size_t max;
	void *buf;
	s64 ret;

	buf = kvmalloc(HCFS_MSG_SMALL, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	c->subject = 0;
	ret = hcfs_rpc(c, &m, &r, buf, HCFS_MSG_SMALL);
	if (ret < 0)
		goto out;
	if (!ret || ret > U32_MAX || !r.arg || r.arg > HC_PROTO_VERSION) {
		ret = -EPROTO;
		goto out;
	}
	c->subject = ret;
	c->version = r.arg;
	/* Handles for every file came with version 2. */
	if (c->version < 2) {
		ret = -EPROTONOSUPPORT;
		goto out;
	}
	max = min_t(u64, r.len, c->tp->msg_max);
	if (max < HCFS_MSG_OVERHEAD + PAGE_SIZE) {
		ret = -EPROTO;
		goto out;
	}
	c->io_max = round_down(min_t(size_t, max - HCFS_MSG_OVERHEAD,
				     HC_DATA_MAX), PAGE_SIZE);
	ret = 0;
out:
	kvfree(buf);
	return ret;
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
	struct hc_msg m = { .op = HC_OP_CHDIR, .fd = HC_AT_FDCWD, .path = path };

	return hcfs_rpc_simple(c, &m);
}

int hcfs_client_open(struct hcfs_conn *c, const char *path, u32 wflags,
		     u32 mode, u32 *handle)
{
	struct hc_msg m = {
		.op = HC_OP_OPENAT,
		.fd = HC_AT_FDCWD,
		.flags = wflags,
		.mode = mode,
		.path = path,
	};
	s64 ret;

	ret = hcfs_rpc_simple(c, &m);
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
	struct hc_msg m = { .op = HC_OP_CLOSE, .fd = handle };

	return hcfs_rpc_simple(c, &m);
}

ssize_t hcfs_client_read(struct hcfs_conn *c, u32 handle, loff_t off,
			 size_t len, struct iov_iter *to)
{
	struct hc_msg m = { .op = HC_OP_READ, .fd = handle, .off = off };
	struct hc_msg r;
	size_t cap, n;
	void *buf;
	s64 ret;

	len = min(len, c->io_max);
	m.len = len;
	cap = len + HCFS_MSG_OVERHEAD;
	buf = kvmalloc(cap, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = hcfs_rpc(c, &m, &r, buf, cap);
	if (ret < 0)
		goto out;
	if (ret > len || r.datalen != ret) {
		ret = -EPROTO;
		goto out;
	}
	n = copy_to_iter(r.data, ret, to);
	if (n < ret)
		ret = n ? n : -EFAULT;
out:
	kvfree(buf);
	return ret;
}

ssize_t hcfs_client_write(struct hcfs_conn *c, u32 handle, loff_t off,
			  size_t len, struct iov_iter *from)
{
	struct hc_msg m = { .op = HC_OP_WRITE, .fd = handle, .off = off };
	struct hc_msg r;
	size_t cap, n;
	void *buf;
	s64 ret;

	len = min(len, c->io_max);
	cap = len + HCFS_MSG_OVERHEAD;
	/* The message area, then the data that hc_encode() copies into it. */
	buf = kvmalloc(cap + len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	n = copy_from_iter(buf + cap, len, from);
	if (!n && len) {
		ret = -EFAULT;
		goto out;
	}
	m.data = buf + cap;
	m.datalen = n;
	ret = hcfs_rpc(c, &m, &r, buf, cap);
	if (ret > (s64)n)
		ret = -EPROTO;
	iov_iter_revert(from, ret < 0 ? n : n - ret);
out:
	kvfree(buf);
	return ret;
}

loff_t hcfs_client_lseek(struct hcfs_conn *c, u32 handle, loff_t off,
			 unsigned int whence)
{
	struct hc_msg m = {
		.op = HC_OP_LSEEK,
		.fd = handle,
		.off = off,
		.arg = whence,
	};

	return hcfs_rpc_simple(c, &m);
}

int hcfs_client_stat(struct hcfs_conn *c, u32 handle, const char *path,
		     struct hc_stat *st)
{
	struct hc_msg m = { .op = HC_OP_FSTATAT }, r;
	s64 ret;

	hcfs_target(&m, handle, path);
	ret = hcfs_rpc_fixed(c, &m, &r);
	if (ret < 0)
		return ret;
	*st = r.st;
	return 0;
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
	struct hc_msg m = { .op = HC_OP_GETDENTS, .fd = handle, .len = cap };
	struct hcfs_dirent d;
	size_t pos, reclen;
	s64 ret;

	if (!cap)
		return -EINVAL;
	ret = hcfs_rpc_data(c, &m, 0, dst, cap);
	if (ret <= 0)
		return ret;
	for (pos = 0; pos < ret; pos += reclen)
		if (hcfs_dirent_check((const u8 *)dst + pos, ret - pos, &reclen))
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
	struct hc_msg m = {
		.op = HC_OP_READLINKAT,
		.fd = HC_AT_FDCWD,
		.path = path,
	};
	struct hc_msg r;
	void *buf;
	s64 ret;
	size_t n;

	buf = kvmalloc(HCFS_MSG_SMALL, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = hcfs_rpc(c, &m, &r, buf, HCFS_MSG_SMALL);
	if (ret < 0)
		goto out;
	n = strlen(r.path);
	if (!n || n != ret) {
		ret = -EPROTO;
		goto out;
	}
	if (n >= cap) {
		ret = -ENAMETOOLONG;
		goto out;
	}
	memcpy(dst, r.path, n + 1);
out:
	kvfree(buf);
	return ret;
}

int hcfs_client_mkdir(struct hcfs_conn *c, const char *path, u32 mode)
{
	struct hc_msg m = {
		.op = HC_OP_MKDIRAT,
		.fd = HC_AT_FDCWD,
		.mode = mode,
		.path = path,
	};

	return hcfs_rpc_simple(c, &m);
}

int hcfs_client_mknod(struct hcfs_conn *c, const char *path, u32 mode,
		      u32 major, u32 minor)
{
	struct hc_msg m = {
		.op = HC_OP_MKNODAT,
		.fd = HC_AT_FDCWD,
		.mode = mode,
		.dev = (u64)major << 32 | minor,
		.path = path,
	};

	return hcfs_rpc_simple(c, &m);
}

int hcfs_client_unlink(struct hcfs_conn *c, const char *path, bool dir)
{
	struct hc_msg m = {
		.op = HC_OP_UNLINKAT,
		.fd = HC_AT_FDCWD,
		.flags = dir ? HC_AT_REMOVEDIR : 0,
		.path = path,
	};

	return hcfs_rpc_simple(c, &m);
}

int hcfs_client_rename(struct hcfs_conn *c, const char *from, const char *to,
		       u32 flags)
{
	struct hc_msg m = {
		.op = HC_OP_RENAMEAT2,
		.fd = HC_AT_FDCWD,
		.path = from,
		.fd2 = HC_AT_FDCWD,
		.path2 = to,
		.flags = flags,
	};

	return hcfs_rpc_simple(c, &m);
}

int hcfs_client_symlink(struct hcfs_conn *c, const char *path,
			const char *target)
{
	struct hc_msg m = {
		.op = HC_OP_SYMLINKAT,
		.fd = HC_AT_FDCWD,
		.path = path,
		.path2 = target,
	};

	return hcfs_rpc_simple(c, &m);
}

int hcfs_client_link(struct hcfs_conn *c, const char *from, const char *to)
{
	struct hc_msg m = {
		.op = HC_OP_LINKAT,
		.fd = HC_AT_FDCWD,
		.path = from,
		.fd2 = HC_AT_FDCWD,
		.path2 = to,
	};

	return hcfs_rpc_simple(c, &m);
}

int hcfs_client_chmod(struct hcfs_conn *c, u32 handle, const char *path,
		      u32 mode)
{
	struct hc_msg m = { .op = HC_OP_FCHMODAT, .mode = mode };

	hcfs_target(&m, handle, path);
	return hcfs_rpc_simple(c, &m);
}

int hcfs_client_chown(struct hcfs_conn *c, u32 handle, const char *path,
		      u32 uid, u32 gid)
{
	struct hc_msg m = { .op = HC_OP_FCHOWNAT, .uid = uid, .gid = gid };

	hcfs_target(&m, handle, path);
	return hcfs_rpc_simple(c, &m);
}

int hcfs_client_truncate(struct hcfs_conn *c, u32 handle, const char *path,
			 u64 size)
{
	struct hc_msg m = { .op = HC_OP_TRUNCATE, .len = size };

	hcfs_target(&m, handle, path);
	/* TRUNCATE follows a path (truncate(2)); only EMPTY_PATH is allowed */
	m.flags &= HC_AT_EMPTY_PATH;
	return hcfs_rpc_simple(c, &m);
}

int hcfs_client_utimens(struct hcfs_conn *c, u32 handle, const char *path,
			const struct hc_timespec times[2])
{
	struct hc_msg m = { .op = HC_OP_UTIMENSAT };

	hcfs_target(&m, handle, path);
	m.times[0] = times[0];
	m.times[1] = times[1];
	return hcfs_rpc_simple(c, &m);
}

int hcfs_client_access(struct hcfs_conn *c, const char *path, u32 mask)
{
	struct hc_msg m = {
		.op = HC_OP_FACCESSAT,
		.fd = HC_AT_FDCWD,
		.path = path,
		.mode = mask,
	};

	return hcfs_rpc_simple(c, &m);
}

int hcfs_client_statfs(struct hcfs_conn *c, const char *path,
		       struct hc_statfs *sfs)
{
	struct hc_msg m = { .op = HC_OP_STATFS, .fd = HC_AT_FDCWD, .path = path };
	struct hc_msg r;
	s64 ret;

	ret = hcfs_rpc_fixed(c, &m, &r);
	if (ret < 0)
		return ret;
	*sfs = r.sfs;
	return 0;
}

int hcfs_client_fsync(struct hcfs_conn *c, u32 handle, bool datasync)
{
	struct hc_msg m = {
		.op = HC_OP_FSYNC,
		.fd = handle,
		.flags = datasync ? HC_FSYNC_DATA : 0,
	};

	return hcfs_rpc_simple(c, &m);
}

int hcfs_client_fallocate(struct hcfs_conn *c, u32 handle, u32 mode,
			  loff_t off, loff_t len)
{
	struct hc_msg m = {
		.op = HC_OP_FALLOCATE,
		.fd = handle,
		.mode = mode,
		.off = off,
		.len = len,
	};

	return hcfs_rpc_simple(c, &m);
}

int hcfs_client_flock(struct hcfs_conn *c, u32 handle, u32 op)
{
	struct hc_msg m = { .op = HC_OP_FLOCK, .fd = handle, .arg = op };

	return hcfs_rpc_simple(c, &m);
}

int hcfs_client_lock(struct hcfs_conn *c, u32 handle, u32 cmd,
		     struct hc_lock *lk)
{
	struct hc_msg m = { .op = HC_OP_LOCK, .fd = handle, .arg = cmd };
	struct hc_msg r;
	s64 ret;

	m.lk = *lk;
	ret = hcfs_rpc_fixed(c, &m, &r);
	if (ret < 0)
		return ret;
	if (r.lk.type > HC_F_UNLCK || r.lk.start < 0 || r.lk.len < 0)
		return -EPROTO;
	*lk = r.lk;
	return 0;
}

ssize_t hcfs_client_getxattr(struct hcfs_conn *c, u32 handle, const char *path,
			     const char *name, void *dst, size_t size)
{
	struct hc_msg m = { .op = HC_OP_GETXATTR, .name = name };

	hcfs_target(&m, handle, path);
	m.len = min_t(size_t, size, HC_DATA_MAX);
	return hcfs_rpc_data(c, &m, HCFS_MSG_SMALL, dst, m.len);
}

ssize_t hcfs_client_listxattr(struct hcfs_conn *c, u32 handle,
			      const char *path, char *dst, size_t size)
{
	struct hc_msg m = { .op = HC_OP_LISTXATTR };
	s64 ret;

	hcfs_target(&m, handle, path);
	m.len = min_t(size_t, size, HC_DATA_MAX);
	ret = hcfs_rpc_data(c, &m, HCFS_MSG_SMALL, dst, m.len);
	/* a list of NUL-terminated names */
	if (ret > 0 && m.len && dst[ret - 1])
		return -EPROTO;
	return ret;
}

int hcfs_client_setxattr(struct hcfs_conn *c, u32 handle, const char *path,
			 const char *name, const void *value, size_t size,
			u32 flags)
{
	struct hc_msg m = {
		.op = HC_OP_SETXATTR,
		.name = name,
		.data = value,
		.datalen = size,
		.arg = flags,
	};
	struct hc_msg r;
	size_t cap;
	void *buf;
	s64 ret;

	if (size > HC_DATA_MAX)
		return -E2BIG;
	hcfs_target(&m, handle, path);
	cap = HCFS_MSG_SMALL + size;
	buf = kvmalloc(cap, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = hcfs_rpc(c, &m, &r, buf, cap);
	kvfree(buf);
	return ret;
}

int hcfs_client_removexattr(struct hcfs_conn *c, u32 handle, const char *path,
			    const char *name)
{
	struct hc_msg m = { .op = HC_OP_REMOVEXATTR, .name = name };

	hcfs_target(&m, handle, path);
	return hcfs_rpc_simple(c, &m);
}
