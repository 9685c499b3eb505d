// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interposers that keep the host fd table (fdtable.c) true: every way a
 * program closes or duplicates an fd. They also keep the program from
 * closing or overwriting the library's connection unawares.
 */
#include "shim.h"

#include <stdarg.h>

void shim_close_fd(int fd)
{
	hc_fdt_forget(fd, fd);
	hc_sys_close(fd);
}

void shim_closing(int fd)
{
	if (fd < 0)
		return;
	hc_client_fds_closing(fd, fd);
	hc_fdt_forget(fd, fd);
}

HC_EXPORT int close(int fd)
{
	shim_closing(fd);
	return SHIM_REAL(close)(fd);
}

HC_EXPORT int fclose(FILE *fp)
{
	SHIM_OPAQUE(fp);
	if (fp)
		shim_closing(fileno(fp));
	return SHIM_REAL(fclose)(fp);
}

#ifdef __GLIBC__
HC_EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	if (!(flags & CLOSE_RANGE_CLOEXEC) && first <= last) {
		hc_client_fds_closing(first, last);
		hc_fdt_forget(first, last);
	}
	return SHIM_REAL(close_range)(first, last, flags);
}

HC_EXPORT void closefrom(int lowfd)
{
	if (lowfd >= 0) {
		hc_client_fds_closing(lowfd, ~0u);
		hc_fdt_forget(lowfd, ~0u);
	}
	SHIM_REAL(closefrom)(lowfd);
}
#endif

HC_EXPORT int dup(int fd)
{
	int r = SHIM_REAL(dup)(fd);

	if (r >= 0)
		hc_fdt_dup(fd, r);
	return r;
}

HC_EXPORT int dup2(int oldfd, int newfd)
{
	int r;

	if (oldfd != newfd)
		hc_client_fd_wanted(newfd);
	r = SHIM_REAL(dup2)(oldfd, newfd);
	if (r >= 0)
		hc_fdt_dup(oldfd, r);
	return r;
}

HC_EXPORT int dup3(int oldfd, int newfd, int flags)
{
	int r;

	if (oldfd != newfd)
		hc_client_fd_wanted(newfd);
	r = SHIM_REAL(dup3)(oldfd, newfd, flags);
	if (r >= 0)
		hc_fdt_dup(oldfd, r);
	return r;
}

/*
 * fcntl is variadic; like glibc, take the argument as a pointer-sized value
 * and pass it on unchanged, whatever the command's argument type is.
 */
static int shim_fcntl_done(int fd, int cmd, int r)
{
	if (r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		hc_fdt_dup(fd, r);
	return r;
}

#define SHIM_DEF_FCNTL(name)						\
	HC_EXPORT int name(int fd, int cmd, ...)			\
	{								\
		va_list ap;						\
		void *arg;						\
									\
		va_start(ap, cmd);					\
		arg = va_arg(ap, void *);				\
		va_end(ap);						\
		return shim_fcntl_done(fd, cmd, SHIM_REAL(name)(fd, cmd, arg)); \
	}

SHIM_DEF_FCNTL(fcntl)
#ifdef __GLIBC__
SHIM_DEF_FCNTL(fcntl64)
#endif
