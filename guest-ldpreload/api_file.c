// SPDX-License-Identifier: GPL-2.0-only
/*
 * The file half of the public API (hostcall.h): each function builds one
 * request, names its directory the way the wire does, and converts the reply.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "hc_internal.h"

/*
 * The wire's name for directory @dirfd of a call on @path: HC_AT_FDCWD for
 * AT_FDCWD or an absolute path; the shadow's handle for a host directory;
 * HC_HANDLE_PASSED with the fd itself to attach (*@pass) for a host file
 * without handle with AT_EMPTY_PATH and "", and for a host fd an earlier
 * subject opened (the process's credentials changed since: its new subject
 * takes the fd over, and acts on it as the new credentials). Returns 0,
 * -EBADF for an fd that is not a host fd, -ENOTDIR for a file used as a
 * directory.
 */
static int hc_dirfd_wire(int dirfd, const char *path, int flags, hc_s32 *wfd, int *pass)
{
	int h;

	*pass = -1;
	if (dirfd == AT_FDCWD || path[0] == '/') {
		*wfd = HC_AT_FDCWD;
		return 0;
	}
	if (!hc_fdt_get(dirfd, &h))
		return -EBADF;
	if (h == HC_FDT_STALE) {
		*wfd = HC_HANDLE_PASSED;
		*pass = dirfd;
		return 0;
	}
	if (h != HC_HANDLE_NONE) {
		*wfd = h;
		return 0;
	}
	if (path[0] == '\0' && (flags & AT_EMPTY_PATH)) {
		*wfd = HC_HANDLE_PASSED;
		*pass = dirfd;
		return 0;
	}
	return -ENOTDIR;
}

/*
 * Call @c on (@dirfd, @path), and (@dirfd2, @path2) if @wfd2: the paths are
 * already in the request, and the wire's names of the directories go to
 * *@wfd and *@wfd2, its dirfd fields.
 */
static hc_s64 hc_at_call2(struct hc_call *c, hc_s32 *wfd, int dirfd, const char *path,
			  int flags, hc_s32 *wfd2, int dirfd2, const char *path2)
{
	int pass[2], n = 0, r;

	if (!path || (wfd2 && !path2))
		return -EFAULT;
	/* the shadow takes attached fds in the order of the request's fields */
	r = hc_dirfd_wire(dirfd, path, flags, wfd, &pass[n]);
	n += r == 0 && pass[n] >= 0;
	if (r == 0 && wfd2) {
		r = hc_dirfd_wire(dirfd2, path2, 0, wfd2, &pass[n]);
		n += r == 0 && pass[n] >= 0;
	}
	if (r)
		return r;
	c->fds = pass;
	c->nfds = n;
	return hc_call(c);
}

static hc_s64 hc_at_call(struct hc_call *c, hc_s32 *wfd, int dirfd, const char *path,
			 int flags)
{
	return hc_at_call2(c, wfd, dirfd, path, flags, NULL, 0, NULL);
}

/* A call on (@dirfd, @path) whose reply has nothing to keep: its result. */
static int hc_at_simple(struct hc_msg *req, hc_s32 *wfd, int dirfd, const char *path,
			int flags)
{
	struct hc_msg rep;
	struct hc_call c = { .req = req, .rep = &rep };

	return hc_ret_int(hc_at_call(&c, wfd, dirfd, path, flags));
}

/* A creation mode as the process's umask leaves it. */
static hc_u32 hc_create_mode(mode_t mode)
{
	return mode & 07777 & ~__atomic_load_n(&hc_umask, __ATOMIC_RELAXED);
}

/*
 * The transport makes the fd: the shadow's, passed back, on the socket; a
 * file of the guest kernel in a VM. The fd table takes what it says.
 */
HC_EXPORT int hc_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	struct hc_msg req = { .op = HC_OP_OPENAT };
	struct hc_req_openat *a = &req.req.openat;
	int pass, handle, fd, r;

	if (!path)
		return -EFAULT;
	a->path = path;
	a->flags = hc_oflags_to_wire(flags);
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		a->mode = hc_create_mode(mode);
	r = hc_dirfd_wire(dirfd, path, 0, &a->dirfd, &pass);
	if (r)
		return r;
	fd = hc_client_open(&req, pass, flags, &handle);
	if (fd >= 0 && handle != HC_FDT_SKIP)
		hc_fdt_add(fd, handle);
	return fd;
}

/* ---- attributes ---- */

void hc_stat_to_stat(const struct hc_stat *h, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = makedev(h->dev_major, h->dev_minor);
	st->st_ino = h->ino;
	st->st_mode = h->mode;
	st->st_nlink = h->nlink;
	st->st_uid = h->uid;
	st->st_gid = h->gid;
	st->st_rdev = makedev(h->rdev_major, h->rdev_minor);
	st->st_size = h->size;
	st->st_blksize = h->blksize;
	st->st_blocks = h->blocks;
	st->st_atim.tv_sec = h->atime.sec;
	st->st_atim.tv_nsec = h->atime.nsec;
	st->st_mtim.tv_sec = h->mtime.sec;
	st->st_mtim.tv_nsec = h->mtime.nsec;
	st->st_ctim.tv_sec = h->ctime.sec;
	st->st_ctim.tv_nsec = h->ctime.nsec;
}

static void hc_ts_to_statx(const struct hc_timespec *t, struct statx_timestamp *x)
{
	x->tv_sec = t->sec;
	x->tv_nsec = t->nsec;
}

void hc_stat_to_statx(const struct hc_stat *h, struct statx *x)
{
	memset(x, 0, sizeof(*x));
	x->stx_mask = h->mask;
	x->stx_blksize = h->blksize;
	x->stx_nlink = h->nlink;
	x->stx_uid = h->uid;
	x->stx_gid = h->gid;
	x->stx_mode = h->mode;
	x->stx_ino = h->ino;
	x->stx_size = h->size;
	x->stx_blocks = h->blocks;
	hc_ts_to_statx(&h->atime, &x->stx_atime);
	hc_ts_to_statx(&h->btime, &x->stx_btime);
	hc_ts_to_statx(&h->ctime, &x->stx_ctime);
	hc_ts_to_statx(&h->mtime, &x->stx_mtime);
	x->stx_rdev_major = h->rdev_major;
	x->stx_rdev_minor = h->rdev_minor;
	x->stx_dev_major = h->dev_major;
	x->stx_dev_minor = h->dev_minor;
}

static int hc_stat_call(int dirfd, const char *path, int flags, struct hc_stat *st)
{
	struct hc_msg req = { .op = HC_OP_FSTATAT }, rep;
	struct hc_call c = { .req = &req, .rep = &rep };
	struct hc_req_fstatat *a = &req.req.fstatat;
	hc_s64 r;

	a->path = path;
	a->flags = flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
	r = hc_at_call(&c, &a->dirfd, dirfd, path, flags);
	if (r >= 0)
		*st = rep.rep.fstatat.st;
	return r < 0 ? r : 0;
}

HC_EXPORT int hc_fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	struct hc_stat h;
	int r = hc_stat_call(dirfd, path, flags, &h);

	if (r == 0)
		hc_stat_to_stat(&h, st);
	return r;
}

HC_EXPORT int hc_statx(int dirfd, const char *path, int flags, unsigned int mask,
		       struct statx *stx)
{
	struct hc_stat h;
	int r = hc_stat_call(dirfd, path, flags, &h);

	(void)mask;	/* the host fills in what it has; stx_mask says what */
	if (r == 0)
		hc_stat_to_statx(&h, stx);
	return r;
}

void hc_statfs_to_statfs(const struct hc_statfs *h, struct statfs *sf)
{
	memset(sf, 0, sizeof(*sf));
	sf->f_type = h->type;
	sf->f_bsize = h->bsize;
	sf->f_blocks = h->blocks;
	sf->f_bfree = h->bfree;
	sf->f_bavail = h->bavail;
	sf->f_files = h->files;
	sf->f_ffree = h->ffree;
	sf->f_fsid.__val[0] = (int)(h->fsid & 0xffffffff);
	sf->f_fsid.__val[1] = (int)(h->fsid >> 32);
	sf->f_namelen = h->namelen;
	sf->f_frsize = h->frsize;
	sf->f_flags = h->flags;
}

HC_EXPORT int hc_statfs(int dirfd, const char *path, struct statfs *buf, int flags)
{
	struct hc_msg req = { .op = HC_OP_STATFS }, rep;
	struct hc_call c = { .req = &req, .rep = &rep };
	struct hc_req_statfs *a = &req.req.statfs;
	hc_s64 r;

	a->path = path;
	a->flags = flags & AT_EMPTY_PATH;
	r = hc_at_call(&c, &a->dirfd, dirfd, path, flags);
	if (r < 0)
		return r;
	hc_statfs_to_statfs(&rep.rep.statfs.sfs, buf);
	return 0;
}

HC_EXPORT ssize_t hc_readlinkat(int dirfd, const char *path, char *buf, size_t size)
{
	struct hc_msg req = { .op = HC_OP_READLINKAT }, rep;
	struct hc_call c = { .req = &req, .rep = &rep, .out = buf, .outcap = size };
	hc_s64 r;

	if (size == 0)
		return -EINVAL;
	req.req.readlinkat.path = path;
	r = hc_at_call(&c, &req.req.readlinkat.dirfd, dirfd, path, 0);
	if (r < 0)
		return r;
	return c.outlen < size ? c.outlen : size;
}

HC_EXPORT int hc_faccessat(int dirfd, const char *path, int mode, int flags)
{
	struct hc_msg req = { .op = HC_OP_FACCESSAT };
	struct hc_req_faccessat *a = &req.req.faccessat;

	a->path = path;
	a->mode = mode;
	a->flags = flags & (AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
	return hc_at_simple(&req, &a->dirfd, dirfd, a->path, flags);
}

HC_EXPORT int hc_fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	struct hc_msg req = { .op = HC_OP_FCHMODAT };
	struct hc_req_fchmodat *a = &req.req.fchmodat;

	a->path = path;
	a->mode = mode & 07777;
	a->flags = flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
	return hc_at_simple(&req, &a->dirfd, dirfd, a->path, flags);
}

HC_EXPORT int hc_fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	struct hc_msg req = { .op = HC_OP_FCHOWNAT };
	struct hc_req_fchownat *a = &req.req.fchownat;

	a->path = path;
	a->uid = uid;
	a->gid = gid;
	a->flags = flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
	return hc_at_simple(&req, &a->dirfd, dirfd, a->path, flags);
}

HC_EXPORT int hc_truncateat(int dirfd, const char *path, off_t length, int flags)
{
	struct hc_msg req = { .op = HC_OP_TRUNCATE };
	struct hc_req_truncate *a = &req.req.truncate;

	if (length < 0)
		return -EINVAL;
	a->path = path;
	a->length = length;
	a->flags = flags & AT_EMPTY_PATH;
	return hc_at_simple(&req, &a->dirfd, dirfd, a->path, flags);
}

HC_EXPORT int hc_utimensat(int dirfd, const char *path, const struct timespec times[2],
			   int flags)
{
	struct hc_msg req = { .op = HC_OP_UTIMENSAT };
	struct hc_req_utimensat *a = &req.req.utimensat;
	struct hc_timespec *t[2] = { &a->atime, &a->mtime };
	int i;

	for (i = 0; i < 2; i++) {
		/* UTIME_NOW and UTIME_OMIT have the same values on the wire. */
		t[i]->sec = times ? times[i].tv_sec : 0;
		t[i]->nsec = times ? times[i].tv_nsec : HC_UTIME_NOW;
	}
	a->path = path;
	a->flags = flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
	return hc_at_simple(&req, &a->dirfd, dirfd, a->path, flags);
}

/* ---- names ---- */

HC_EXPORT int hc_mkdirat(int dirfd, const char *path, mode_t mode)
{
	struct hc_msg req = { .op = HC_OP_MKDIRAT };
	struct hc_req_mkdirat *a = &req.req.mkdirat;

	a->path = path;
	a->mode = hc_create_mode(mode);
	return hc_at_simple(&req, &a->dirfd, dirfd, a->path, 0);
}

HC_EXPORT int hc_mknodat(int dirfd, const char *path, mode_t mode, dev_t dev)
{
	struct hc_msg req = { .op = HC_OP_MKNODAT };
	struct hc_req_mknodat *a = &req.req.mknodat;

	a->path = path;
	a->mode = (mode & S_IFMT) | hc_create_mode(mode);
	a->rdev_major = major(dev);
	a->rdev_minor = minor(dev);
	return hc_at_simple(&req, &a->dirfd, dirfd, a->path, 0);
}

HC_EXPORT int hc_unlinkat(int dirfd, const char *path, int flags)
{
	struct hc_msg req = { .op = HC_OP_UNLINKAT };
	struct hc_req_unlinkat *a = &req.req.unlinkat;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	a->path = path;
	a->flags = flags;
	return hc_at_simple(&req, &a->dirfd, dirfd, a->path, 0);
}

HC_EXPORT int hc_renameat2(int olddirfd, const char *oldpath, int newdirfd,
			   const char *newpath, unsigned int flags)
{
	struct hc_msg req = { .op = HC_OP_RENAMEAT2 }, rep;
	struct hc_call c = { .req = &req, .rep = &rep };
	struct hc_req_renameat2 *a = &req.req.renameat2;

	if (flags & ~(HC_RENAME_NOREPLACE | HC_RENAME_EXCHANGE))
		return -EINVAL;
	a->oldpath = oldpath;
	a->newpath = newpath;
	a->flags = flags;
	return hc_ret_int(hc_at_call2(&c, &a->olddirfd, olddirfd, oldpath, 0,
				      &a->newdirfd, newdirfd, newpath));
}

/*
 * SYMLINKAT on the wire: dirfd and path name the link to create, target is
 * the target, a string stored as it is.
 */
HC_EXPORT int hc_symlinkat(const char *target, int newdirfd, const char *linkpath)
{
	struct hc_msg req = { .op = HC_OP_SYMLINKAT };
	struct hc_req_symlinkat *a = &req.req.symlinkat;

	if (!target)
		return -EFAULT;
	a->path = linkpath;
	a->target = target;
	return hc_at_simple(&req, &a->dirfd, newdirfd, a->path, 0);
}

HC_EXPORT int hc_linkat(int olddirfd, const char *oldpath, int newdirfd,
			const char *newpath, int flags)
{
	struct hc_msg req = { .op = HC_OP_LINKAT }, rep;
	struct hc_call c = { .req = &req, .rep = &rep };
	struct hc_req_linkat *a = &req.req.linkat;

	a->oldpath = oldpath;
	a->newpath = newpath;
	a->flags = flags & (AT_SYMLINK_FOLLOW | AT_EMPTY_PATH);
	return hc_ret_int(hc_at_call2(&c, &a->olddirfd, olddirfd, oldpath, flags,
				      &a->newdirfd, newdirfd, newpath));
}

/* ---- working directory ---- */

int hc_chdir_at(int dirfd, const char *path, int flags)
{
	struct hc_msg req = { .op = HC_OP_CHDIR };
	struct hc_req_chdir *a = &req.req.chdir;

	a->path = path;
	a->flags = flags & AT_EMPTY_PATH;
	return hc_at_simple(&req, &a->dirfd, dirfd, a->path, flags);
}

/* A process in a host cwd follows the subject's cwd (the cwd hooks). */
HC_EXPORT int hc_chdir(const char *path)
{
	int r = hc_chdir_at(AT_FDCWD, path, 0);

	if (r == 0)
		hc_client_cwd_moved();
	return r;
}

HC_EXPORT int hc_fchdir(int fd)
{
	int r = hc_chdir_at(fd, "", AT_EMPTY_PATH);

	if (r == 0)
		hc_client_cwd_moved();
	return r;
}

/* The result of call @c whose reply is path *@got, copied into a buffer of @size. */
static int hc_path_result(const struct hc_call *c, hc_s64 r, const char *got, size_t size)
{
	if (r < 0)
		return r;
	if (!got)
		return -EIO;
	if (c->outlen >= size)
		return -ERANGE;
	return c->outlen;
}

HC_EXPORT int hc_getcwd(char *buf, size_t size)
{
	struct hc_msg req = { .op = HC_OP_GETCWD }, rep;
	struct hc_call c = { .req = &req, .rep = &rep, .out = buf, .outcap = size };
	hc_s64 r = hc_call(&c);

	return hc_path_result(&c, r, r < 0 ? NULL : rep.rep.getcwd.path, size);
}

HC_EXPORT int hc_realpath(const char *path, char *buf, size_t size)
{
	struct hc_msg req = { .op = HC_OP_REALPATH }, rep;
	struct hc_call c = { .req = &req, .rep = &rep, .out = buf, .outcap = size };
	hc_s64 r;

	if (!path)
		return -EFAULT;
	req.req.realpath.path = path;
	r = hc_at_call(&c, &req.req.realpath.dirfd, AT_FDCWD, path, 0);
	return hc_path_result(&c, r, r < 0 ? NULL : rep.rep.realpath.path, size);
}

/* ---- extended attributes ---- */

/* The result of call @c whose reply is a blob, copied into a buffer of @size. */
static ssize_t hc_blob_result(const struct hc_call *c, hc_s64 r, size_t size)
{
	if (r < 0)
		return r;
	if (size && c->outlen > size)
		return -ERANGE;
	return size ? (ssize_t)c->outlen : r;
}

/* The at-flags of an xattr call, and the size asked of the host. */
#define HC_XATTR_AT(flags)	((flags) & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
#define HC_XATTR_SIZE(size)	((size) < HC_DATA_MAX ? (size) : HC_DATA_MAX)

HC_EXPORT ssize_t hc_getxattrat(int dirfd, const char *path, const char *name,
				void *value, size_t size, int flags)
{
	struct hc_msg req = { .op = HC_OP_GETXATTR }, rep;
	struct hc_call c = { .req = &req, .rep = &rep, .out = value, .outcap = size };
	struct hc_req_getxattr *a = &req.req.getxattr;

	if (!name)
		return -EFAULT;
	a->path = path;
	a->name = name;
	a->flags = HC_XATTR_AT(flags);
	a->size = HC_XATTR_SIZE(size);
	return hc_blob_result(&c, hc_at_call(&c, &a->dirfd, dirfd, path, flags), size);
}

HC_EXPORT ssize_t hc_listxattrat(int dirfd, const char *path, char *list, size_t size,
				 int flags)
{
	struct hc_msg req = { .op = HC_OP_LISTXATTR }, rep;
	struct hc_call c = { .req = &req, .rep = &rep, .out = list, .outcap = size };
	struct hc_req_listxattr *a = &req.req.listxattr;

	a->path = path;
	a->flags = HC_XATTR_AT(flags);
	a->size = HC_XATTR_SIZE(size);
	return hc_blob_result(&c, hc_at_call(&c, &a->dirfd, dirfd, path, flags), size);
}

HC_EXPORT int hc_setxattrat(int dirfd, const char *path, const char *name,
			    const void *value, size_t size, int xflags, int flags)
{
	struct hc_msg req = { .op = HC_OP_SETXATTR };
	struct hc_req_setxattr *a = &req.req.setxattr;

	if (!name)
		return -EFAULT;
	if (size > HC_DATA_MAX)
		return -E2BIG;
	a->path = path;
	a->name = name;
	a->value.ptr = value;
	a->value.len = size;
	a->xflags = xflags;
	a->flags = HC_XATTR_AT(flags);
	return hc_at_simple(&req, &a->dirfd, dirfd, a->path, flags);
}

HC_EXPORT int hc_removexattrat(int dirfd, const char *path, const char *name, int flags)
{
	struct hc_msg req = { .op = HC_OP_REMOVEXATTR };
	struct hc_req_removexattr *a = &req.req.removexattr;

	if (!name)
		return -EFAULT;
	a->path = path;
	a->name = name;
	a->flags = HC_XATTR_AT(flags);
	return hc_at_simple(&req, &a->dirfd, dirfd, a->path, flags);
}
