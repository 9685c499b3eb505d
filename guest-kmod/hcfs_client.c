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
	if (test_bit(HCFS_CONN_DENIED, &c->flags))
		return -EACCES;
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
 * hcfs_rpc() of a request whose reply carries the blob @got (a field of
 * req->r) of at most @cap bytes, copied to @dst; with @cap 0 the result is
 * a size and the blob is empty. Frees @req.
 */
static s64 hcfs_rpc_data(struct hcfs_conn *c, struct hostcall_req *req,
			 const struct hc_blob *got, void *dst, size_t cap)
{
	s64 ret;

	req->rep_room = cap;
	ret = hcfs_rpc(c, req);
	if (ret < 0 || !cap)
		goto out;
	if (ret > cap || got->len != ret) {
		ret = -EPROTO;
		goto out;
	}
	memcpy(dst, got->ptr, ret);
out:
	hostcall_req_free(req);
	return ret;
}

/*
 * The object of an attribute op, in its dirfd, path and flags fields: the
 * file of handle @h itself (an inode handle, an open file's, or
 * HC_AT_FDCWD for the mount's root), never a path.
 */
#define hcfs_msg_target(a, h) do {					\
	(a)->dirfd = (h);						\
	(a)->path = "";							\
	(a)->flags = HC_AT_EMPTY_PATH;					\
} while (0)

static int hcfs_client_session(struct hcfs_conn *c, bool cred)
{
	struct hostcall_session s;
	int err;

	c->subject = 0;
	err = cred ? hostcall_hello_cred(c->tp, &s) : hostcall_hello(c->tp, &s);
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

int hcfs_client_hello(struct hcfs_conn *c)
{
	return hcfs_client_session(c, false);
}

int hcfs_client_hello_cred(struct hcfs_conn *c)
{
	return hcfs_client_session(c, true);
}

/* Posted: an unmount by a process being killed still ends the subject. */
void hcfs_client_bye(struct hcfs_conn *c)
{
	if (c->subject && !test_bit(HCFS_CONN_DEAD, &c->flags))
		hostcall_post_bye(c->tp, c->subject);
	c->subject = 0;
}

int hcfs_client_getcwd(struct hcfs_conn *c, char **path)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_GETCWD);
	s64 ret;

	req->rep_room = HC_PATH_MAX + 1;
	ret = hcfs_rpc(c, req);
	if (ret >= 0) {
		*path = kstrdup(req->r.rep.getcwd.path, GFP_KERNEL);
		if (!*path)
			ret = -ENOMEM;
	}
	hostcall_req_free(req);
	return ret < 0 ? ret : 0;
}

int hcfs_client_chdir(struct hcfs_conn *c, const char *path)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_CHDIR);

	req->m.req.chdir.dirfd = HC_AT_FDCWD;
	req->m.req.chdir.path = path;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_open(struct hcfs_conn *c, s32 dirh, const char *name,
		     u32 wflags, u32 mode, u32 *handle)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_OPENAT);
	struct hc_req_openat *a = &req->m.req.openat;
	s64 ret;

	a->dirfd = dirh;
	a->path = name;
	a->flags = wflags;
	a->mode = mode;
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

	req->m.req.close.fd = handle;
	return hcfs_rpc_free(c, req);
}

ssize_t hcfs_client_read(struct hcfs_conn *c, u32 handle, loff_t off,
			 size_t len, struct iov_iter *to)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_READ);
	const struct hc_blob *got = &req->r.rep.read.data;
	size_t n;
	s64 ret;

	len = min(len, c->io_max);
	req->m.req.read.fd = handle;
	req->m.req.read.off = off;
	req->m.req.read.count = len;
	req->rep_room = len;
	ret = hcfs_rpc(c, req);
	if (ret < 0)
		goto out;
	if (ret > len || got->len != ret) {
		ret = -EPROTO;
		goto out;
	}
	n = copy_to_iter(got->ptr, ret, to);
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
	struct hc_req_write *a = &req->m.req.write;
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
	a->fd = handle;
	a->off = off;
	a->data.ptr = data;
	a->data.len = n;
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

	req->m.req.lseek.fd = handle;
	req->m.req.lseek.off = off;
	req->m.req.lseek.whence = whence;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_stat(struct hcfs_conn *c, s32 h, struct hc_stat *st)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_FSTATAT);
	s64 ret;

	hcfs_msg_target(&req->m.req.fstatat, h);
	ret = hcfs_rpc(c, req);
	if (ret >= 0) {
		*st = req->r.rep.fstatat.st;
		ret = 0;
	}
	hostcall_req_free(req);
	return ret;
}

int hcfs_client_lookup(struct hcfs_conn *c, s32 dirh, const char *name,
		       struct hc_stat *st, u32 *handle)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_LOOKUP);
	s64 ret;

	req->m.req.lookup.dirfd = dirh;
	req->m.req.lookup.name = name;
	ret = hcfs_rpc(c, req);
	if (ret >= 0) {
		*st = req->r.rep.lookup.st;
		*handle = ret;
		ret = ret >= HC_HANDLE_NONE ? -EPROTO : 0;
	}
	hostcall_req_free(req);
	return ret;
}

int hcfs_client_forget(struct hcfs_conn *c, const void *records, size_t len)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_FORGET);

	req->m.req.forget.records.ptr = records;
	req->m.req.forget.records.len = len;
	return hcfs_rpc_free(c, req);
}

ssize_t hcfs_client_getdents(struct hcfs_conn *c, u32 handle, void *dst,
			     size_t cap, loff_t *last_off)
{
	struct hostcall_req *req;
	struct hc_dirent d;
	size_t pos = 0;
	s64 ret;
	int err;

	if (!cap)
		return -EINVAL;
	req = hostcall_req_alloc(HC_OP_GETDENTS);
	req->m.req.getdents.fd = handle;
	req->m.req.getdents.count = cap;
	ret = hcfs_rpc_data(c, req, &req->r.rep.getdents.dirents, dst, cap);
	if (ret <= 0)
		return ret;
	/* every record is checked here, before hcfs_dir.c emits any */
	while ((err = hc_dirent_next(dst, ret, &pos, &d)) > 0)
		*last_off = d.off;
	return err ? -EIO : ret;
}

ssize_t hcfs_client_readdirplus(struct hcfs_conn *c, u32 handle, void *dst,
				size_t cap, size_t *alen, loff_t *last_off)
{
	struct hostcall_req *req;
	const struct hc_blob *d, *a;
	size_t dpos = 0, apos;
	struct hc_dirent de;
	struct hc_stat st;
	int err, aerr;
	s32 h;
	s64 ret;

	if (!cap)
		return -EINVAL;
	req = hostcall_req_alloc(HC_OP_READDIRPLUS);
	req->m.req.readdirplus.fd = handle;
	req->m.req.readdirplus.count = cap;
	req->rep_room = cap;
	ret = hcfs_rpc(c, req);
	if (ret <= 0)
		goto out;
	d = &req->r.rep.readdirplus.dirents;
	a = &req->r.rep.readdirplus.attrs;
	if (d->len != ret || a->len > cap - d->len) {
		ret = -EPROTO;
		goto out;
	}
	memcpy(dst, d->ptr, d->len);
	memcpy((u8 *)dst + d->len, a->ptr, a->len);
	*alen = a->len;
	/* every record is checked here: one attrs record per dirent */
	apos = d->len;
	while ((err = hc_dirent_next(dst, d->len, &dpos, &de)) > 0) {
		aerr = hc_direntplus_next(dst, d->len + a->len, &apos, &h, &st);
		if (aerr <= 0) {
			err = -EBADMSG;
			break;
		}
		*last_off = de.off;
	}
	if (err || apos != d->len + a->len)
		ret = -EIO;
out:
	hostcall_req_free(req);
	return ret;
}

int hcfs_client_readlink(struct hcfs_conn *c, s32 h, char *dst, size_t cap)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_READLINKAT);
	const char *target;
	s64 ret;
	size_t n;

	req->m.req.readlinkat.dirfd = h;
	req->m.req.readlinkat.path = "";
	req->rep_room = HC_PATH_MAX + 1;
	ret = hcfs_rpc(c, req);
	if (ret < 0)
		goto out;
	target = req->r.rep.readlinkat.target;
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

int hcfs_client_mkdir(struct hcfs_conn *c, s32 dirh, const char *name,
		      u32 mode)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_MKDIRAT);

	req->m.req.mkdirat.dirfd = dirh;
	req->m.req.mkdirat.path = name;
	req->m.req.mkdirat.mode = mode;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_mknod(struct hcfs_conn *c, s32 dirh, const char *name,
		      u32 mode, u32 major, u32 minor)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_MKNODAT);
	struct hc_req_mknodat *a = &req->m.req.mknodat;

	a->dirfd = dirh;
	a->path = name;
	a->mode = mode;
	a->rdev_major = major;
	a->rdev_minor = minor;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_unlink(struct hcfs_conn *c, s32 dirh, const char *name,
		       bool dir)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_UNLINKAT);

	req->m.req.unlinkat.dirfd = dirh;
	req->m.req.unlinkat.path = name;
	req->m.req.unlinkat.flags = dir ? HC_AT_REMOVEDIR : 0;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_rename(struct hcfs_conn *c, s32 odirh, const char *oname,
		       s32 ndirh, const char *nname, u32 flags)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_RENAMEAT2);
	struct hc_req_renameat2 *a = &req->m.req.renameat2;

	a->olddirfd = odirh;
	a->oldpath = oname;
	a->newdirfd = ndirh;
	a->newpath = nname;
	a->flags = flags;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_symlink(struct hcfs_conn *c, s32 dirh, const char *name,
			const char *target)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_SYMLINKAT);

	req->m.req.symlinkat.dirfd = dirh;
	req->m.req.symlinkat.path = name;
	req->m.req.symlinkat.target = target;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_link(struct hcfs_conn *c, s32 h, s32 ndirh, const char *nname)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_LINKAT);
	struct hc_req_linkat *a = &req->m.req.linkat;

	a->olddirfd = h;
	a->oldpath = "";
	a->flags = HC_AT_EMPTY_PATH;
	a->newdirfd = ndirh;
	a->newpath = nname;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_chmod(struct hcfs_conn *c, s32 h, u32 mode)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_FCHMODAT);

	hcfs_msg_target(&req->m.req.fchmodat, h);
	req->m.req.fchmodat.mode = mode;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_chown(struct hcfs_conn *c, s32 h, u32 uid, u32 gid)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_FCHOWNAT);

	hcfs_msg_target(&req->m.req.fchownat, h);
	req->m.req.fchownat.uid = uid;
	req->m.req.fchownat.gid = gid;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_truncate(struct hcfs_conn *c, s32 h, u64 size)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_TRUNCATE);
	struct hc_req_truncate *a = &req->m.req.truncate;

	hcfs_msg_target(a, h);
	a->length = size;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_utimens(struct hcfs_conn *c, s32 h, const struct hc_timespec times[2])
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_UTIMENSAT);

	hcfs_msg_target(&req->m.req.utimensat, h);
	req->m.req.utimensat.atime = times[0];
	req->m.req.utimensat.mtime = times[1];
	return hcfs_rpc_free(c, req);
}

int hcfs_client_access(struct hcfs_conn *c, s32 h, u32 mask)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_FACCESSAT);

	hcfs_msg_target(&req->m.req.faccessat, h);
	req->m.req.faccessat.mode = mask;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_statfs(struct hcfs_conn *c, s32 h, struct hc_statfs *sfs)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_STATFS);
	s64 ret;

	hcfs_msg_target(&req->m.req.statfs, h);
	ret = hcfs_rpc(c, req);
	if (ret >= 0) {
		*sfs = req->r.rep.statfs.sfs;
		ret = 0;
	}
	hostcall_req_free(req);
	return ret;
}

int hcfs_client_fsync(struct hcfs_conn *c, u32 handle, bool datasync)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_FSYNC);

	req->m.req.fsync.fd = handle;
	req->m.req.fsync.flags = datasync ? HC_FSYNC_DATA : 0;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_fallocate(struct hcfs_conn *c, u32 handle, u32 mode,
			  loff_t off, loff_t len)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_FALLOCATE);
	struct hc_req_fallocate *a = &req->m.req.fallocate;

	a->fd = handle;
	a->mode = mode;
	a->off = off;
	a->len = len;
	return hcfs_rpc_free(c, req);
}

ssize_t hcfs_client_copy_range(struct hcfs_conn *c, u32 in, loff_t off_in,
			       u32 out, loff_t off_out, size_t len)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_COPY_FILE_RANGE);
	struct hc_req_copy_file_range *a = &req->m.req.copy_file_range;
	s64 ret;

	a->fd_in = in;
	a->off_in = off_in;
	a->fd_out = out;
	a->off_out = off_out;
	a->len = len;
	ret = hcfs_rpc_free(c, req);
	return ret > (s64)len ? -EPROTO : ret;
}

int hcfs_client_syncfs(struct hcfs_conn *c, s32 h)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_SYNCFS);

	req->m.req.syncfs.fd = h;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_flock(struct hcfs_conn *c, u32 handle, u32 op)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_FLOCK);

	req->m.req.flock.fd = handle;
	req->m.req.flock.operation = op;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_lock(struct hcfs_conn *c, u32 handle, u32 cmd,
		     struct hc_lock *lk)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_LOCK);
	const struct hc_lock *got = &req->r.rep.lock.lock;
	s64 ret;

	req->m.req.lock.fd = handle;
	req->m.req.lock.cmd = cmd;
	req->m.req.lock.lock = *lk;
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

ssize_t hcfs_client_getxattr(struct hcfs_conn *c, s32 h, const char *name, void *dst,
			     size_t size)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_GETXATTR);
	struct hc_req_getxattr *a = &req->m.req.getxattr;
	size_t want = min_t(size_t, size, HC_DATA_MAX);

	hcfs_msg_target(a, h);
	a->name = name;
	a->size = want;
	return hcfs_rpc_data(c, req, &req->r.rep.getxattr.value, dst, want);
}

ssize_t hcfs_client_listxattr(struct hcfs_conn *c, s32 h, char *dst, size_t size)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_LISTXATTR);
	size_t want = min_t(size_t, size, HC_DATA_MAX);
	s64 ret;

	hcfs_msg_target(&req->m.req.listxattr, h);
	req->m.req.listxattr.size = want;
	ret = hcfs_rpc_data(c, req, &req->r.rep.listxattr.list, dst, want);
	/* a list of NUL-terminated names */
	if (ret > 0 && want && dst[ret - 1])
		return -EPROTO;
	return ret;
}

int hcfs_client_setxattr(struct hcfs_conn *c, s32 h, const char *name, const void *value, size_t size,
			 u32 flags)
{
	struct hostcall_req *req;
	struct hc_req_setxattr *a;

	if (size > HC_DATA_MAX)
		return -E2BIG;
	req = hostcall_req_alloc(HC_OP_SETXATTR);
	a = &req->m.req.setxattr;
	hcfs_msg_target(a, h);
	a->name = name;
	a->value.ptr = value;
	a->value.len = size;
	a->xflags = flags;
	return hcfs_rpc_free(c, req);
}

int hcfs_client_removexattr(struct hcfs_conn *c, s32 h, const char *name)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_REMOVEXATTR);

	hcfs_msg_target(&req->m.req.removexattr, h);
	req->m.req.removexattr.name = name;
	return hcfs_rpc_free(c, req);
}
