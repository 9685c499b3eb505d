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
 * for a host file without handle with AT_EMPTY_PATH and "", HC_HANDLE_PASSED
 * with the fd itself to attach (*@pass). Returns 0, -EBADF for an fd that is
 * not a host fd of this subject, -ENOTDIR for a file used as a directory.
 */
static int hc_dirfd_wire(int dirfd, const char *path, int flags, hc_s32 *wfd, int *pass)
{
	int h;

	*pass = -1;
	if (dirfd == AT_FDCWD || path[0] == '/') {
		*wfd = HC_AT_FDCWD;
		return 0;
	}
	if (!hc_fdt_get(dirfd, &h) || h == HC_FDT_STALE)
		return -EBADF;
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
 * One request on (@dirfd, req->path), and (@dirfd2, req->path2) if @two;
 * the reply's path or data goes to @out (see struct hc_call).
 */
static hc_s64 hc_at_call2(struct hc_msg *req, int dirfd, int flags, int two, int dirfd2,
			  struct hc_msg *rep, void *out, size_t outcap)
{
	struct hc_call c = { .req = req, .rep = rep, .out = out, .outcap = outcap };
	int pass, pass2, r;

	if (!req->path || (two && !req->path2))
		return -EFAULT;
	r = hc_dirfd_wire(dirfd, req->path, flags, &req->fd, &pass);
	if (r == 0 && two)
		r = hc_dirfd_wire(dirfd2, req->path2, 0, &req->fd2, &pass2);
	if (r)
		return r;
	c.fds = &pass;
	c.nfds = pass >= 0;
	return hc_call(&c);
}

static hc_s64 hc_at_call(struct hc_msg *req, int dirfd, int flags, struct hc_msg *rep,
			 void *out, size_t outcap)
{
	return hc_at_call2(req, dirfd, flags, 0, 0, rep, out, outcap);
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
	struct hc_msg req = { .op = HC_OP_OPENAT, .path = path };
	int pass, handle, fd, r;

	if (!path)
		return -EFAULT;
	req.flags = hc_oflags_to_wire(flags);
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		req.mode = hc_create_mode(mode);
	r = hc_dirfd_wire(dirfd, path, 0, &req.fd, &pass);
	if (r)
		return r;
	fd = hc_client_open(&req, flags, &handle);
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
	struct hc_msg req = { .op = HC_OP_FSTATAT, .path = path }, rep;
	hc_s64 r;

	req.flags = flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
	r = hc_at_call(&req, dirfd, flags, &rep, NULL, 0);
	if (r >= 0)
		*st = rep.st;
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
	struct hc_msg req = { .op = HC_OP_STATFS, .path = path }, rep;
	hc_s64 r;

	req.flags = flags & AT_EMPTY_PATH;
	r = hc_at_call(&req, dirfd, flags, &rep, NULL, 0);
	if (r < 0)
		return r;
	hc_statfs_to_statfs(&rep.sfs, buf);
	return 0;
}

HC_EXPORT ssize_t hc_readlinkat(int dirfd, const char *path, char *buf, size_t size)
{
	struct hc_msg req = { .op = HC_OP_READLINKAT, .path = path }, rep;
	hc_s64 r;

	if (size == 0)
		return -EINVAL;
	r = hc_at_call(&req, dirfd, 0, &rep, buf, size);
	if (r < 0)
		return r;
	return rep.datalen < size ? rep.datalen : size;
}

HC_EXPORT int hc_faccessat(int dirfd, const char *path, int mode, int flags)
{
	struct hc_msg req = { .op = HC_OP_FACCESSAT, .path = path, .mode = mode }, rep;

	req.flags = flags & (AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
	return hc_ret_int(hc_at_call(&req, dirfd, flags, &rep, NULL, 0));
}

HC_EXPORT int hc_fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	struct hc_msg req = { .op = HC_OP_FCHMODAT, .path = path, .mode = mode & 07777 }, rep;

	req.flags = flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
	return hc_ret_int(hc_at_call(&req, dirfd, flags, &rep, NULL, 0));
}

HC_EXPORT int hc_fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	struct hc_msg req = { .op = HC_OP_FCHOWNAT, .path = path, .uid = uid, .gid = gid }, rep;

	req.flags = flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
	return hc_ret_int(hc_at_call(&req, dirfd, flags, &rep, NULL, 0));
}

HC_EXPORT int hc_truncateat(int dirfd, const char *path, off_t length, int flags)
{
	struct hc_msg req = { .op = HC_OP_TRUNCATE, .path = path, .len = length }, rep;

	if (length < 0)
		return -EINVAL;
	req.flags = flags & AT_EMPTY_PATH;
	return hc_ret_int(hc_at_call(&req, dirfd, flags, &rep, NULL, 0));
}

HC_EXPORT int hc_utimensat(int dirfd, const char *path, const struct timespec times[2],
			   int flags)
{
	struct hc_msg req = { .op = HC_OP_UTIMENSAT, .path = path }, rep;
	int i;

	for (i = 0; i < 2; i++) {
		/* UTIME_NOW and UTIME_OMIT have the same values on the wire. */
		req.times[i].sec = times ? times[i].tv_sec : 0;
		req.times[i].nsec = times ? times[i].tv_nsec : HC_UTIME_NOW;
	}
	req.flags = flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
	return hc_ret_int(hc_at_call(&req, dirfd, flags, &rep, NULL, 0));
}

/* ---- names ---- */

HC_EXPORT int hc_mkdirat(int dirfd, const char *path, mode_t mode)
{
	struct hc_msg req = { .op = HC_OP_MKDIRAT, .path = path }, rep;

	req.mode = hc_create_mode(mode);
	return hc_ret_int(hc_at_call(&req, dirfd, 0, &rep, NULL, 0));
}

HC_EXPORT int hc_mknodat(int dirfd, const char *path, mode_t mode, dev_t dev)
{
	struct hc_msg req = { .op = HC_OP_MKNODAT, .path = path }, rep;

	req.mode = (mode & S_IFMT) | hc_create_mode(mode);
	req.dev = (hc_u64)major(dev) << 32 | minor(dev);
	return hc_ret_int(hc_at_call(&req, dirfd, 0, &rep, NULL, 0));
}

HC_EXPORT int hc_unlinkat(int dirfd, const char *path, int flags)
{
	struct hc_msg req = { .op = HC_OP_UNLINKAT, .path = path }, rep;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	req.flags = flags;
	return hc_ret_int(hc_at_call(&req, dirfd, 0, &rep, NULL, 0));
}

HC_EXPORT int hc_renameat2(int olddirfd, const char *oldpath, int newdirfd,
			   const char *newpath, unsigned int flags)
{
	struct hc_msg req = { .op = HC_OP_RENAMEAT2, .path = oldpath, .path2 = newpath }, rep;

	if (flags & ~(HC_RENAME_NOREPLACE | HC_RENAME_EXCHANGE))
		return -EINVAL;
	req.flags = flags;
	return hc_ret_int(hc_at_call2(&req, olddirfd, 0, 1, newdirfd, &rep, NULL, 0));
}

/*
 * SYMLINKAT on the wire: fd and path name the link to create (fd pairs with
 * path in every op), path2 is the target, a string stored as it is.
 */
HC_EXPORT int hc_symlinkat(const char *target, int newdirfd, const char *linkpath)
{
	struct hc_msg req = { .op = HC_OP_SYMLINKAT, .path = linkpath, .path2 = target }, rep;

	if (!target)
		return -EFAULT;
	return hc_ret_int(hc_at_call(&req, newdirfd, 0, &rep, NULL, 0));
}

HC_EXPORT int hc_linkat(int olddirfd, const char *oldpath, int newdirfd,
			const char *newpath, int flags)
{
	struct hc_msg req = { .op = HC_OP_LINKAT, .path = oldpath, .path2 = newpath }, rep;

	req.flags = flags & (AT_SYMLINK_FOLLOW | AT_EMPTY_PATH);
	return hc_ret_int(hc_at_call2(&req, olddirfd, flags, 1, newdirfd, &rep, NULL, 0));
}

/* ---- working directory ---- */

int hc_chdir_at(int dirfd, const char *path, int flags)
{
	struct hc_msg req = { .op = HC_OP_CHDIR, .path = path }, rep;

	req.flags = flags & AT_EMPTY_PATH;
	return hc_ret_int(hc_at_call(&req, dirfd, flags, &rep, NULL, 0));
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

/* A request whose reply is a path, copied into @buf of @size bytes. */
static int hc_path_reply(struct hc_msg *req, char *buf, size_t size)
{
	struct hc_msg rep;
	struct hc_call c = { .req = req, .rep = &rep, .out = buf, .outcap = size };
	hc_s64 r;

	r = req->path ? hc_at_call(req, AT_FDCWD, 0, &rep, buf, size) : hc_call(&c);
	if (r < 0)
		return r;
	if (!rep.path)
		return -EIO;
	if (rep.datalen >= size)
		return -ERANGE;
	return rep.datalen;
}

HC_EXPORT int hc_getcwd(char *buf, size_t size)
{
	struct hc_msg req = { .op = HC_OP_GETCWD };

	return hc_path_reply(&req, buf, size);
}

HC_EXPORT int hc_realpath(const char *path, char *buf, size_t size)
{
	struct hc_msg req = { .op = HC_OP_REALPATH, .path = path };

	if (!path)
		return -EFAULT;
	return hc_path_reply(&req, buf, size);
}

/* ---- extended attributes ---- */

/* A request whose reply is a blob, copied into @buf of @size bytes. */
static ssize_t hc_blob_reply(struct hc_msg *req, int dirfd, int flags, void *buf, size_t size)
{
	struct hc_msg rep;
	hc_s64 r;

	req->flags = flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
	req->len = size < HC_DATA_MAX ? size : HC_DATA_MAX;
	r = hc_at_call(req, dirfd, flags, &rep, buf, size);
	if (r < 0)
		return r;
	if (size && rep.datalen > size)
		return -ERANGE;
	return size ? (ssize_t)rep.datalen : r;
}

HC_EXPORT ssize_t hc_getxattrat(int dirfd, const char *path, const char *name,
				void *value, size_t size, int flags)
{
	struct hc_msg req = { .op = HC_OP_GETXATTR, .path = path, .name = name };

	if (!name)
		return -EFAULT;
	return hc_blob_reply(&req, dirfd, flags, value, size);
}

HC_EXPORT ssize_t hc_listxattrat(int dirfd, const char *path, char *list, size_t size,
				 int flags)
{
	struct hc_msg req = { .op = HC_OP_LISTXATTR, .path = path };

	return hc_blob_reply(&req, dirfd, flags, list, size);
}

HC_EXPORT int hc_setxattrat(int dirfd, const char *path, const char *name,
			    const void *value, size_t size, int xflags, int flags)
{
	struct hc_msg req = { .op = HC_OP_SETXATTR, .path = path, .name = name }, rep;

	if (!name)
		return -EFAULT;
	if (size > HC_DATA_MAX)
		return -E2BIG;
	req.data = value;
	req.datalen = size;
	req.arg = xflags;
	req.flags = flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
	return hc_ret_int(hc_at_call(&req, dirfd, flags, &rep, NULL, 0));
}

HC_EXPORT int hc_removexattrat(int dirfd, const char *path, const char *name, int flags)
{
	struct hc_msg req = { .op = HC_OP_REMOVEXATTR, .path = path, .name = name }, rep;

	if (!name)
		return -EFAULT;
	req.flags = flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
	return hc_ret_int(hc_at_call(&req, dirfd, flags, &rep, NULL, 0));
}
