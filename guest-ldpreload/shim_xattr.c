// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interposers for extended attributes: the path calls, their l* forms (no
 * symlink following), and the f* forms, which check the caller's identity
 * and so go through the shadow for a host fd.
 */
#include "shim.h"

HC_EXPORT ssize_t getxattr(const char *path, const char *name, void *value, size_t size)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(getxattr)(path, name, value, size),
		       hc_getxattrat(at.dirfd, at.path, name, value, size, 0));
}

HC_EXPORT ssize_t lgetxattr(const char *path, const char *name, void *value, size_t size)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(lgetxattr)(path, name, value, size),
		       hc_getxattrat(at.dirfd, at.path, name, value, size,
				     AT_SYMLINK_NOFOLLOW));
}

HC_EXPORT ssize_t fgetxattr(int fd, const char *name, void *value, size_t size)
{
	SHIM_FD_CALL(fd, SHIM_REAL(fgetxattr)(fd, name, value, size),
		     hc_getxattrat(fd, "", name, value, size, AT_EMPTY_PATH));
}

HC_EXPORT int setxattr(const char *path, const char *name, const void *value,
		       size_t size, int xflags)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(setxattr)(path, name, value, size, xflags),
		       hc_setxattrat(at.dirfd, at.path, name, value, size, xflags, 0));
}

HC_EXPORT int lsetxattr(const char *path, const char *name, const void *value,
			size_t size, int xflags)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(lsetxattr)(path, name, value, size, xflags),
		       hc_setxattrat(at.dirfd, at.path, name, value, size, xflags,
				     AT_SYMLINK_NOFOLLOW));
}

HC_EXPORT int fsetxattr(int fd, const char *name, const void *value, size_t size, int xflags)
{
	SHIM_FD_CALL(fd, SHIM_REAL(fsetxattr)(fd, name, value, size, xflags),
		     hc_setxattrat(fd, "", name, value, size, xflags, AT_EMPTY_PATH));
}

HC_EXPORT ssize_t listxattr(const char *path, char *list, size_t size)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(listxattr)(path, list, size),
		       hc_listxattrat(at.dirfd, at.path, list, size, 0));
}

HC_EXPORT ssize_t llistxattr(const char *path, char *list, size_t size)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(llistxattr)(path, list, size),
		       hc_listxattrat(at.dirfd, at.path, list, size, AT_SYMLINK_NOFOLLOW));
}

HC_EXPORT ssize_t flistxattr(int fd, char *list, size_t size)
{
	SHIM_FD_CALL(fd, SHIM_REAL(flistxattr)(fd, list, size),
		     hc_listxattrat(fd, "", list, size, AT_EMPTY_PATH));
}

HC_EXPORT int removexattr(const char *path, const char *name)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(removexattr)(path, name),
		       hc_removexattrat(at.dirfd, at.path, name, 0));
}

HC_EXPORT int lremovexattr(const char *path, const char *name)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(lremovexattr)(path, name),
		       hc_removexattrat(at.dirfd, at.path, name, AT_SYMLINK_NOFOLLOW));
}

HC_EXPORT int fremovexattr(int fd, const char *name)
{
	SHIM_FD_CALL(fd, SHIM_REAL(fremovexattr)(fd, name),
		     hc_removexattrat(fd, "", name, AT_EMPTY_PATH));
}
