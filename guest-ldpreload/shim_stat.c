// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interposers that ask about a file: the stat family under all its names
 * (stat, lstat, fstatat, their *64 twins, the old __xstat ABI), statx, and
 * statfs/statvfs. All host answers come from one conversion of struct
 * hc_stat (api_file.c).
 */
#include "shim.h"

#ifdef __GLIBC__
/* The *64 structures are the plain ones on LP64, which is all we build for. */
_Static_assert(sizeof(struct stat) == sizeof(struct stat64), "struct stat64 differs");
_Static_assert(sizeof(struct statfs) == sizeof(struct statfs64), "struct statfs64 differs");
_Static_assert(sizeof(struct statvfs) == sizeof(struct statvfs64), "struct statvfs64 differs");
#endif

/* statfs f_flags bit that says the other bits are valid (linux/statfs.h). */
#define SHIM_ST_VALID	0x0020

/*
 * Route a stat-like call. fstatat(fd, "", AT_EMPTY_PATH) on a host fd is a
 * plain fstat of a real fd and needs no shadow; on AT_FDCWD it means the
 * working directory, which may be on the host.
 */
static int shim_route_stat(int dirfd, const char *path, int flags, struct shim_at *at)
{
	if (path && !*path && (flags & AT_EMPTY_PATH) && dirfd != AT_FDCWD)
		return 0;
	return shim_route(dirfd, path, at);
}

static int shim_stat_host(const struct shim_at *at, void *st, int flags)
{
	return shim_ret(hc_fstatat(at->dirfd, at->path, st, flags));
}

int shim_stat_at(int dirfd, const char *path, struct stat *st, int flags)
{
	struct shim_at at;

	if (!shim_route_stat(dirfd, path, flags, &at))
		return SHIM_REAL(fstatat)(dirfd, path, st, flags);
	return shim_stat_host(&at, st, flags);
}

#define SHIM_DEF_STAT(name, type, flags)				\
	HC_EXPORT int name(const char *path, type *st)			\
	{								\
		struct shim_at at;					\
									\
		if (!shim_route_stat(AT_FDCWD, path, flags, &at))	\
			return SHIM_REAL(name)(path, st);		\
		return shim_stat_host(&at, st, flags);			\
	}

#define SHIM_DEF_FSTATAT(name, type)					\
	HC_EXPORT int name(int dirfd, const char *path, type *st, int flags) \
	{								\
		struct shim_at at;					\
									\
		if (!shim_route_stat(dirfd, path, flags, &at))		\
			return SHIM_REAL(name)(dirfd, path, st, flags);	\
		return shim_stat_host(&at, st, flags);			\
	}

SHIM_DEF_STAT(stat, struct stat, 0)
SHIM_DEF_STAT(lstat, struct stat, AT_SYMLINK_NOFOLLOW)
SHIM_DEF_FSTATAT(fstatat, struct stat)
#ifdef __GLIBC__
SHIM_DEF_STAT(stat64, struct stat64, 0)
SHIM_DEF_STAT(lstat64, struct stat64, AT_SYMLINK_NOFOLLOW)
SHIM_DEF_FSTATAT(fstatat64, struct stat64)
#endif

#if defined(__GLIBC__) && defined(__x86_64__)
/*
 * The stat ABI of binaries built before glibc 2.33. On x86_64 versions 0
 * (kernel) and 1 (_STAT_VER_LINUX) both mean today's struct stat, as in
 * glibc; other versions are EINVAL. Native paths go to fstatat, as in
 * glibc.
 */
int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags);

static int shim_xstatat(int ver, int dirfd, const char *path, void *st, int flags)
{
	if (ver != 0 && ver != 1)
		return shim_ret(-EINVAL);
	return shim_stat_at(dirfd, path, st, flags);
}

HC_EXPORT int __xstat(int ver, const char *path, struct stat *st)
{
	return shim_xstatat(ver, AT_FDCWD, path, st, 0);
}

HC_EXPORT int __xstat64(int ver, const char *path, struct stat64 *st)
{
	return shim_xstatat(ver, AT_FDCWD, path, st, 0);
}

HC_EXPORT int __lxstat(int ver, const char *path, struct stat *st)
{
	return shim_xstatat(ver, AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

HC_EXPORT int __lxstat64(int ver, const char *path, struct stat64 *st)
{
	return shim_xstatat(ver, AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

HC_EXPORT int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags)
{
	return shim_xstatat(ver, dirfd, path, st, flags);
}

HC_EXPORT int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags)
{
	return shim_xstatat(ver, dirfd, path, st, flags);
}
#endif

/* musl before 1.2.5 has no statx(): its programs make the system call. */
#ifndef HC_LIBC_NO_STATX
HC_EXPORT int statx(int dirfd, const char *path, int flags, unsigned int mask,
		    struct statx *stx)
{
	struct shim_at at;

	if (!shim_route_stat(dirfd, path, flags, &at))
		return SHIM_REAL(statx)(dirfd, path, flags, mask, stx);
	return shim_ret(hc_statx(at.dirfd, at.path, flags, mask, stx));
}
#endif

/* ---- file systems ---- */

static void shim_statfs_to_statvfs(const struct statfs *f, struct statvfs *v)
{
	memset(v, 0, sizeof(*v));
	v->f_bsize = f->f_bsize;
	v->f_frsize = f->f_frsize ? f->f_frsize : f->f_bsize;
	v->f_blocks = f->f_blocks;
	v->f_bfree = f->f_bfree;
	v->f_bavail = f->f_bavail;
	v->f_files = f->f_files;
	v->f_ffree = f->f_ffree;
	v->f_favail = f->f_ffree;
	v->f_fsid = (unsigned int)f->f_fsid.__val[0] |
		    (unsigned long)(unsigned int)f->f_fsid.__val[1] << 32;
	v->f_flag = f->f_flags & ~SHIM_ST_VALID;
	v->f_namemax = f->f_namelen;
}

/* statfs() or, with @vfs, statvfs() of a host path; errno set. */
static int shim_statfs_host(const struct shim_at *at, void *buf, int vfs)
{
	struct statfs sf;
	int r = hc_statfs(at->dirfd, at->path, vfs ? &sf : buf, 0);

	if (r == 0 && vfs)
		shim_statfs_to_statvfs(&sf, buf);
	return shim_ret(r);
}

#define SHIM_DEF_STATFS(name, type, vfs)				\
	HC_EXPORT int name(const char *path, type *buf)		\
	{								\
		struct shim_at at;					\
									\
		if (!shim_route(AT_FDCWD, path, &at))			\
			return SHIM_REAL(name)(path, buf);		\
		return shim_statfs_host(&at, buf, vfs);			\
	}

SHIM_DEF_STATFS(statfs, struct statfs, 0)
SHIM_DEF_STATFS(statvfs, struct statvfs, 1)
#ifdef __GLIBC__
SHIM_DEF_STATFS(statfs64, struct statfs64, 0)
SHIM_DEF_STATFS(statvfs64, struct statvfs64, 1)
#endif
