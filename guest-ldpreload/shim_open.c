// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interposers that open: the open family with its *64 and fortify names,
 * and the stdio opens. glibc's fopen and freopen reach open internally,
 * where no interposer sees it, so they are wrapped whole: a host path is
 * opened through the shadow and the fd is wrapped with fdopen.
 */
#include "shim.h"

#include <stdarg.h>
#include <sys/syscall.h>

typedef int (*shim_open_fn)(const char *, int, ...);
typedef int (*shim_openat_fn)(int, const char *, int, ...);

/* The mode argument, present only when the flags ask for one. */
#define SHIM_VA_MODE(flags, mode)				\
	do {							\
		va_list ap_;					\
								\
		mode = 0;					\
		if (__OPEN_NEEDS_MODE(flags)) {			\
			va_start(ap_, flags);			\
			mode = va_arg(ap_, int);		\
			va_end(ap_);				\
		}						\
	} while (0)

static int shim_openat(int dirfd, const char *path, int flags, mode_t mode, int real)
{
	struct shim_at at;

	if (!shim_route(dirfd, path, &at))
		return ((shim_openat_fn)shim_real_get(real))(dirfd, path, flags, mode);
	return shim_ret(hc_openat(at.dirfd, at.path, flags, mode));
}

static int shim_open(const char *path, int flags, mode_t mode, int real)
{
	struct shim_at at;

	if (!shim_route(AT_FDCWD, path, &at))
		return ((shim_open_fn)shim_real_get(real))(path, flags, mode);
	return shim_ret(hc_openat(at.dirfd, at.path, flags, mode));
}

#define SHIM_DEF_OPEN(name, real)					\
	HC_EXPORT int name(const char *path, int flags, ...)		\
	{								\
		mode_t mode;						\
									\
		SHIM_VA_MODE(flags, mode);				\
		return shim_open(path, flags, mode, SHIM_R_##real);	\
	}

#define SHIM_DEF_OPENAT(name, real)					\
	HC_EXPORT int name(int dirfd, const char *path, int flags, ...) \
	{								\
		mode_t mode;						\
									\
		SHIM_VA_MODE(flags, mode);				\
		return shim_openat(dirfd, path, flags, mode, SHIM_R_##real); \
	}

SHIM_DEF_OPEN(open, open)
SHIM_DEF_OPENAT(openat, openat)
#ifdef __GLIBC__
SHIM_DEF_OPEN(open64, open64)
SHIM_DEF_OPEN(__open, open)
SHIM_DEF_OPEN(__open64, open64)
SHIM_DEF_OPENAT(openat64, openat64)

/* The fortify names: the mode-less checked forms of open and openat. */
HC_EXPORT int __open_2(const char *path, int flags)
{
	return shim_open(path, flags, 0, SHIM_R_open);
}

HC_EXPORT int __open64_2(const char *path, int flags)
{
	return shim_open(path, flags, 0, SHIM_R_open64);
}

HC_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	return shim_openat(dirfd, path, flags, 0, SHIM_R_openat);
}

HC_EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	return shim_openat(dirfd, path, flags, 0, SHIM_R_openat64);
}
#endif

HC_EXPORT int creat(const char *path, mode_t mode)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(creat)(path, mode),
		       hc_openat(at.dirfd, at.path, O_CREAT | O_WRONLY | O_TRUNC, mode));
}

#ifdef __GLIBC__
HC_EXPORT int creat64(const char *path, mode_t mode)
{
	SHIM_PATH_CALL(AT_FDCWD, path, SHIM_REAL(creat64)(path, mode),
		       hc_openat(at.dirfd, at.path, O_CREAT | O_WRONLY | O_TRUNC, mode));
}
#endif

/* open(2) flags for an fopen mode string, or -EINVAL. */
static int shim_fopen_flags(const char *mode)
{
	const char *p;
	int flags;

	switch (mode[0]) {
	case 'r':
		flags = O_RDONLY;
		break;
	case 'w':
		flags = O_WRONLY | O_CREAT | O_TRUNC;
		break;
	case 'a':
		flags = O_WRONLY | O_CREAT | O_APPEND;
		break;
	default:
		return -EINVAL;
	}
	for (p = mode + 1; *p && *p != ','; p++) {
		if (*p == '+')
			flags = (flags & ~O_ACCMODE) | O_RDWR;
		else if (*p == 'x')
			flags |= O_EXCL;
		else if (*p == 'e')
			flags |= O_CLOEXEC;
	}
	return flags;
}

/* Open a host file for stdio: an fd of ours; errno set on failure. */
static int shim_fopen_fd(const struct shim_at *at, const char *mode, int extra)
{
	int flags = shim_fopen_flags(mode);

	if (flags < 0)
		return shim_ret(flags);
	return shim_ret(hc_openat(at->dirfd, at->path, flags | extra, 0666));
}

static FILE *shim_fopen(const char *path, const char *mode, int real)
{
	struct shim_at at;
	FILE *f;
	int fd, err;

	if (!shim_route(AT_FDCWD, path, &at))
		return ((FILE *(*)(const char *, const char *))shim_real_get(real))(path, mode);
	fd = shim_fopen_fd(&at, mode, 0);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, mode);
	if (!f) {
		err = errno;
		shim_close_fd(fd);
		errno = err;
	}
	return f;
}

HC_EXPORT FILE *fopen(const char *path, const char *mode)
{
	return shim_fopen(path, mode, SHIM_R_fopen);
}

#ifdef __GLIBC__
HC_EXPORT FILE *fopen64(const char *path, const char *mode)
{
	return shim_fopen(path, mode, SHIM_R_fopen64);
}
#endif

/*
 * freopen of a host path: glibc's freopen gives the stream the right mode
 * and keeps its fd number (stdin stays 0) when it reopens /dev/null; the
 * host file is then put in place of /dev/null with dup3. The stream's
 * notion of its offset starts from the host file's, which is 0 except in
 * append mode, where writes go to the end all the same.
 */
static FILE *shim_freopen(const char *path, const char *mode, FILE *stream, int real)
{
	FILE *(*real_freopen)(const char *, const char *, FILE *) =
		(FILE *(*)(const char *, const char *, FILE *))shim_real_get(real);
	char nullmode[16];
	struct shim_at at;
	size_t i, n = 0;
	int fd, sfd, err;
	FILE *f;

	/* freopen closes the stream's fd where no interposer sees it */
	if (path && stream)
		hc_fdt_forget(fileno(stream), fileno(stream));
	if (!shim_route(AT_FDCWD, path, &at))
		return real_freopen(path, mode, stream);
	fd = shim_fopen_fd(&at, mode, O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		SHIM_REAL(fclose)(stream);	/* freopen closes it even on failure */
		errno = err;
		return NULL;
	}
	/* /dev/null exists: its mode must not say 'x'. */
	for (i = 0; mode[i] && mode[i] != ',' && n < sizeof(nullmode) - 1; i++)
		if (mode[i] != 'x')
			nullmode[n++] = mode[i];
	nullmode[n] = '\0';
	f = real_freopen("/dev/null", nullmode, stream);
	sfd = f ? fileno(f) : -1;
	if (sfd < 0 || syscall(SYS_dup3, fd, sfd, strchr(nullmode, 'e') ? O_CLOEXEC : 0) < 0) {
		err = f ? errno : EBADF;
		shim_close_fd(fd);
		if (f)
			SHIM_REAL(fclose)(f);
		errno = err;
		return NULL;
	}
	hc_fdt_dup(fd, sfd);
	shim_close_fd(fd);
	return f;
}

HC_EXPORT FILE *freopen(const char *path, const char *mode, FILE *stream)
{
	return shim_freopen(path, mode, stream, SHIM_R_freopen);
}

#ifdef __GLIBC__
HC_EXPORT FILE *freopen64(const char *path, const char *mode, FILE *stream)
{
	return shim_freopen(path, mode, stream, SHIM_R_freopen64);
}
#endif
