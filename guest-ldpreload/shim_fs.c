// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interposers for the calls that name files and change them: access,
 * readlink, mkdir/rmdir/unlink, rename/link/symlink, chmod/chown, truncate,
 * the utime family, mkfifo/mknod; and the fd calls among them that check
 * the caller's identity (fchmod, fchown, futimens, futimes), which go
 * through the shadow for host fds.
 */
#include "shim.h"

/* ---- access, readlink ---- */

HC_EXPORT int access(const char *path, int mode)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(access)(path, mode),
		       hc_faccessat(at.dirfd, at.path, mode, 0));
}

HC_EXPORT int euidaccess(const char *path, int mode)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(euidaccess)(path, mode),
		       hc_faccessat(at.dirfd, at.path, mode, AT_EACCESS));
}

HC_EXPORT int eaccess(const char *path, int mode)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(eaccess)(path, mode),
		       hc_faccessat(at.dirfd, at.path, mode, AT_EACCESS));
}

HC_EXPORT int faccessat(int dirfd, const char *path, int mode, int flags)
{
	SHIM_PATH_CALL(dirfd, path, SHIM_REAL(faccessat)(dirfd, path, mode, flags),
		       hc_faccessat(at.dirfd, at.path, mode, flags));
}

static ssize_t shim_readlinkat(int dirfd, const char *path, char *buf, size_t size)
{
	SHIM_PATH_CALL(dirfd, path, SHIM_REAL(readlinkat)(dirfd, path, buf, size),
		       hc_readlinkat(at.dirfd, at.path, buf, size));
}

HC_EXPORT ssize_t readlink(const char *path, char *buf, size_t size)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(readlink)(path, buf, size),
		       hc_readlinkat(at.dirfd, at.path, buf, size));
}

HC_EXPORT ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t size)
{
	return shim_readlinkat(dirfd, path, buf, size);
}

#ifdef __GLIBC__
HC_EXPORT ssize_t __readlink_chk(const char *path, char *buf, size_t size, size_t buflen)
{
	if (size > buflen)
		__chk_fail();
	return shim_readlinkat(AT_FDCWD, path, buf, size);
}

HC_EXPORT ssize_t __readlinkat_chk(int dirfd, const char *path, char *buf, size_t size,
				   size_t buflen)
{
	if (size > buflen)
		__chk_fail();
	return shim_readlinkat(dirfd, path, buf, size);
}
#endif

/* ---- names ---- */

HC_EXPORT int mkdir(const char *path, mode_t mode)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(mkdir)(path, mode),
		       hc_mkdirat(at.dirfd, at.path, mode));
}

HC_EXPORT int mkdirat(int dirfd, const char *path, mode_t mode)
{
	SHIM_PATH_CALL(dirfd, path, SHIM_REAL(mkdirat)(dirfd, path, mode),
		       hc_mkdirat(at.dirfd, at.path, mode));
}

HC_EXPORT int rmdir(const char *path)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(rmdir)(path),
		       hc_unlinkat(at.dirfd, at.path, AT_REMOVEDIR));
}

HC_EXPORT int unlink(const char *path)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(unlink)(path),
		       hc_unlinkat(at.dirfd, at.path, 0));
}

HC_EXPORT int unlinkat(int dirfd, const char *path, int flags)
{
	SHIM_PATH_CALL(dirfd, path, SHIM_REAL(unlinkat)(dirfd, path, flags),
		       hc_unlinkat(at.dirfd, at.path, flags));
}

/*
 * The calls that take two paths: both on the host, or both native; one of
 * each is EXDEV, as between two file systems (mv then copies).
 */
static int shim_route2(int d1, const char *p1, struct shim_at *a1,
		       int d2, const char *p2, struct shim_at *a2)
{
	int h1 = shim_route(d1, p1, a1), h2 = shim_route(d2, p2, a2);

	return h1 == h2 ? h1 : -EXDEV;
}

#define SHIM_PATH2_CALL(d1, p1, d2, p2, native, host)			\
	do {								\
		struct shim_at at = { AT_FDCWD, NULL }, at2 = at;	\
		int r_ = shim_route2(d1, p1, &at, d2, p2, &at2);	\
									\
		if (r_ == 0)						\
			return native;					\
		return shim_ret(r_ < 0 ? r_ : (host));			\
	} while (0)

HC_EXPORT int rename(const char *oldpath, const char *newpath)
{
	SHIM_PATH2_CALL(AT_FDCWD, oldpath, AT_FDCWD, newpath,
			SHIM_REAL(rename)(oldpath, newpath),
			hc_renameat2(at.dirfd, at.path, at2.dirfd, at2.path, 0));
}

HC_EXPORT int renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	SHIM_PATH2_CALL(olddirfd, oldpath, newdirfd, newpath,
			SHIM_REAL(renameat)(olddirfd, oldpath, newdirfd, newpath),
			hc_renameat2(at.dirfd, at.path, at2.dirfd, at2.path, 0));
}

HC_EXPORT int renameat2(int olddirfd, const char *oldpath, int newdirfd,
			const char *newpath, unsigned int flags)
{
	SHIM_PATH2_CALL(olddirfd, oldpath, newdirfd, newpath,
			SHIM_REAL(renameat2)(olddirfd, oldpath, newdirfd, newpath, flags),
			hc_renameat2(at.dirfd, at.path, at2.dirfd, at2.path, flags));
}

HC_EXPORT int link(const char *oldpath, const char *newpath)
{
	SHIM_PATH2_CALL(AT_FDCWD, oldpath, AT_FDCWD, newpath,
			SHIM_REAL(link)(oldpath, newpath),
			hc_linkat(at.dirfd, at.path, at2.dirfd, at2.path, 0));
}

HC_EXPORT int linkat(int olddirfd, const char *oldpath, int newdirfd,
		     const char *newpath, int flags)
{
	SHIM_PATH2_CALL(olddirfd, oldpath, newdirfd, newpath,
			SHIM_REAL(linkat)(olddirfd, oldpath, newdirfd, newpath, flags),
			hc_linkat(at.dirfd, at.path, at2.dirfd, at2.path, flags));
}

/* A symlink's target is only a string: only where the link goes counts. */
HC_EXPORT int symlink(const char *target, const char *linkpath)
{
	SHIM_PATH_CALL(AT_FDCWD, linkpath, SHIM_REAL(symlink)(target, linkpath),
		       hc_symlinkat(target, at.dirfd, at.path));
}

HC_EXPORT int symlinkat(const char *target, int newdirfd, const char *linkpath)
{
	SHIM_PATH_CALL(newdirfd, linkpath, SHIM_REAL(symlinkat)(target, newdirfd, linkpath),
		       hc_symlinkat(target, at.dirfd, at.path));
}

HC_EXPORT int mkfifo(const char *path, mode_t mode)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(mkfifo)(path, mode),
		       hc_mknodat(at.dirfd, at.path, (mode & ~S_IFMT) | S_IFIFO, 0));
}

HC_EXPORT int mkfifoat(int dirfd, const char *path, mode_t mode)
{
	SHIM_PATH_CALL(dirfd, path, SHIM_REAL(mkfifoat)(dirfd, path, mode),
		       hc_mknodat(at.dirfd, at.path, (mode & ~S_IFMT) | S_IFIFO, 0));
}

HC_EXPORT int mknod(const char *path, mode_t mode, dev_t dev)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(mknod)(path, mode, dev),
		       hc_mknodat(at.dirfd, at.path, mode, dev));
}

HC_EXPORT int mknodat(int dirfd, const char *path, mode_t mode, dev_t dev)
{
	SHIM_PATH_CALL(dirfd, path, SHIM_REAL(mknodat)(dirfd, path, mode, dev),
		       hc_mknodat(at.dirfd, at.path, mode, dev));
}

#if defined(__GLIBC__) && defined(__x86_64__)
/* The mknod ABI before glibc 2.33: version 0 (_MKNOD_VER_LINUX) only. */
int __xmknod(int ver, const char *path, mode_t mode, dev_t *dev);
int __xmknodat(int ver, int dirfd, const char *path, mode_t mode, dev_t *dev);

static int shim_xmknodat(int ver, int dirfd, const char *path, mode_t mode, dev_t *dev)
{
	if (ver != 0)
		return shim_ret(-EINVAL);
	SHIM_PATH_CALL(dirfd, path, SHIM_REAL(mknodat)(dirfd, path, mode, *dev),
		       hc_mknodat(at.dirfd, at.path, mode, *dev));
}

HC_EXPORT int __xmknodat(int ver, int dirfd, const char *path, mode_t mode, dev_t *dev)
{
	return shim_xmknodat(ver, dirfd, path, mode, dev);
}

HC_EXPORT int __xmknod(int ver, const char *path, mode_t mode, dev_t *dev)
{
	return shim_xmknodat(ver, AT_FDCWD, path, mode, dev);
}
#endif

/* ---- owner, mode, size ---- */

HC_EXPORT int chmod(const char *path, mode_t mode)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(chmod)(path, mode),
		       hc_fchmodat(at.dirfd, at.path, mode, 0));
}

HC_EXPORT int lchmod(const char *path, mode_t mode)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(lchmod)(path, mode),
		       hc_fchmodat(at.dirfd, at.path, mode, AT_SYMLINK_NOFOLLOW));
}

HC_EXPORT int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	SHIM_PATH_CALL(dirfd, path, SHIM_REAL(fchmodat)(dirfd, path, mode, flags),
		       hc_fchmodat(at.dirfd, at.path, mode, flags));
}

HC_EXPORT int fchmod(int fd, mode_t mode)
{
	SHIM_FD_CALL(fd, SHIM_REAL(fchmod)(fd, mode),
		     hc_fchmodat(fd, "", mode, AT_EMPTY_PATH));
}

HC_EXPORT int chown(const char *path, uid_t uid, gid_t gid)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(chown)(path, uid, gid),
		       hc_fchownat(at.dirfd, at.path, uid, gid, 0));
}

HC_EXPORT int lchown(const char *path, uid_t uid, gid_t gid)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(lchown)(path, uid, gid),
		       hc_fchownat(at.dirfd, at.path, uid, gid, AT_SYMLINK_NOFOLLOW));
}

HC_EXPORT int fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	SHIM_PATH_CALL(dirfd, path, SHIM_REAL(fchownat)(dirfd, path, uid, gid, flags),
		       hc_fchownat(at.dirfd, at.path, uid, gid, flags));
}

HC_EXPORT int fchown(int fd, uid_t uid, gid_t gid)
{
	SHIM_FD_CALL(fd, SHIM_REAL(fchown)(fd, uid, gid),
		     hc_fchownat(fd, "", uid, gid, AT_EMPTY_PATH));
}

HC_EXPORT int truncate(const char *path, off_t length)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(truncate)(path, length),
		       hc_truncateat(at.dirfd, at.path, length, 0));
}

#ifdef __GLIBC__
HC_EXPORT int truncate64(const char *path, off64_t length)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(truncate64)(path, length),
		       hc_truncateat(at.dirfd, at.path, length, 0));
}
#endif

HC_EXPORT mode_t umask(mode_t mask)
{
	mode_t old = SHIM_REAL(umask)(mask);

	__atomic_store_n(&hc_umask, mask & 0777, __ATOMIC_RELAXED);
	return old;
}

/* ---- times ---- */

/* struct timeval[2] as utimensat's times, NULL staying NULL (now). */
static const struct timespec *shim_tv_to_ts(const struct timeval *tv, struct timespec ts[2])
{
	int i;

	if (!tv)
		return NULL;
	for (i = 0; i < 2; i++) {
		ts[i].tv_sec = tv[i].tv_sec;
		ts[i].tv_nsec = tv[i].tv_usec * 1000;
	}
	return ts;
}

HC_EXPORT int utime(const char *path, const struct utimbuf *times)
{
	struct timespec ts[2] = { { 0, 0 }, { 0, 0 } };

	if (times) {
		ts[0].tv_sec = times->actime;
		ts[1].tv_sec = times->modtime;
	}
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(utime)(path, times),
		       hc_utimensat(at.dirfd, at.path, times ? ts : NULL, 0));
}

HC_EXPORT int utimes(const char *path, const struct timeval tv[2])
{
	struct timespec ts[2];

	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(utimes)(path, tv),
		       hc_utimensat(at.dirfd, at.path, shim_tv_to_ts(tv, ts), 0));
}

HC_EXPORT int lutimes(const char *path, const struct timeval tv[2])
{
	struct timespec ts[2];

	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(lutimes)(path, tv),
		       hc_utimensat(at.dirfd, at.path, shim_tv_to_ts(tv, ts),
				    AT_SYMLINK_NOFOLLOW));
}

HC_EXPORT int futimes(int fd, const struct timeval tv[2])
{
	struct timespec ts[2];

	SHIM_FD_CALL(fd, SHIM_REAL(futimes)(fd, tv),
		     hc_utimensat(fd, "", shim_tv_to_ts(tv, ts), AT_EMPTY_PATH));
}

HC_EXPORT int futimens(int fd, const struct timespec ts[2])
{
	SHIM_FD_CALL(fd, SHIM_REAL(futimens)(fd, ts),
		     hc_utimensat(fd, "", ts, AT_EMPTY_PATH));
}

/* A NULL path (a Linux extension) means the fd itself, as futimens. */
HC_EXPORT int futimesat(int dirfd, const char *path, const struct timeval tv[2])
{
	struct timespec ts[2];

	SHIM_OPAQUE(path);
	if (!path && shim_host_fd(dirfd))
		return shim_ret(hc_utimensat(dirfd, "", shim_tv_to_ts(tv, ts), AT_EMPTY_PATH));
	SHIM_PATH_CALL(dirfd, path, SHIM_REAL(futimesat)(dirfd, path, tv),
		       hc_utimensat(at.dirfd, at.path, shim_tv_to_ts(tv, ts), 0));
}

HC_EXPORT int utimensat(int dirfd, const char *path, const struct timespec ts[2], int flags)
{
	SHIM_OPAQUE(path);
	if (!path && shim_host_fd(dirfd))
		return shim_ret(hc_utimensat(dirfd, "", ts, flags | AT_EMPTY_PATH));
	SHIM_PATH_CALL(dirfd, path, SHIM_REAL(utimensat)(dirfd, path, ts, flags),
		       hc_utimensat(at.dirfd, at.path, ts, flags));
}
