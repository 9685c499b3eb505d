/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the interposers (shim_*.c) share: the real libc functions, the path
 * routing rule, the working-directory state and the errno boundary.
 * Include it first: it must come before any system header.
 */
#ifndef SHIM_H
#define SHIM_H

/* Fortify's inline wrappers would clash with our definitions. */
#undef _FORTIFY_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include "hc_internal.h"

/*
 * glibc's extra names -- the *64 twins, the fortify checks (__*_chk,
 * __open_2), the old __xstat ABI -- are interposed under #ifdef __GLIBC__:
 * musl has none that a program calls (its headers make the *64 names macros
 * for the plain ones). musl lacks glibc's test for open's mode argument.
 */
#ifndef __OPEN_NEEDS_MODE
#define __OPEN_NEEDS_MODE(flags) \
	(((flags) & O_CREAT) != 0 || ((flags) & O_TMPFILE) == O_TMPFILE)
#endif

/*
 * The real functions, each resolved once with dlsym(RTLD_NEXT) when first
 * needed (a program pays only for those it uses). The shim never calls a
 * function it interposes: it calls SHIM_REAL(name) or a raw syscall.
 */
#define SHIM_REAL_LIST(X)						\
	X(open) X(open64) X(openat) X(openat64) X(creat) X(creat64)	\
	X(fopen) X(fopen64) X(freopen) X(freopen64)			\
	X(opendir) X(closedir) X(glob) X(glob64)			\
	X(scandir) X(scandir64) X(scandirat) X(scandirat64)		\
	X(mkstemp) X(mkstemp64) X(mkostemp) X(mkostemp64)		\
	X(mkstemps) X(mkstemps64) X(mkostemps) X(mkostemps64) X(mkdtemp) \
	X(stat) X(stat64) X(lstat) X(lstat64) X(fstatat) X(fstatat64)	\
	X(statx) X(statfs) X(statfs64) X(statvfs) X(statvfs64)		\
	X(access) X(faccessat) X(euidaccess) X(eaccess)			\
	X(readlink) X(readlinkat)					\
	X(mkdir) X(mkdirat) X(rmdir) X(unlink) X(unlinkat)		\
	X(rename) X(renameat) X(renameat2) X(link) X(linkat)		\
	X(symlink) X(symlinkat)						\
	X(chmod) X(fchmodat) X(lchmod) X(fchmod)			\
	X(chown) X(lchown) X(fchownat) X(fchown)			\
	X(truncate) X(truncate64)					\
	X(utime) X(utimes) X(lutimes) X(futimesat) X(utimensat)	\
	X(futimens) X(futimes)						\
	X(mkfifo) X(mkfifoat) X(mknod) X(mknodat) X(umask)		\
	X(getxattr) X(lgetxattr) X(fgetxattr)				\
	X(setxattr) X(lsetxattr) X(fsetxattr)				\
	X(listxattr) X(llistxattr) X(flistxattr)			\
	X(removexattr) X(lremovexattr) X(fremovexattr)			\
	X(chdir) X(fchdir) X(getcwd) X(get_current_dir_name)		\
	X(realpath) X(canonicalize_file_name)				\
	X(close) X(fclose) X(dup) X(dup2) X(dup3)		\
	X(fcntl) X(fcntl64) X(close_range) X(closefrom)		\
	X(execve) X(execvpe) X(fexecve) X(execveat)			\
	X(posix_spawn) X(posix_spawnp)

enum shim_real_id {
#define SHIM_REAL_ENUM(f) SHIM_R_##f,
	SHIM_REAL_LIST(SHIM_REAL_ENUM)
#undef SHIM_REAL_ENUM
	SHIM_R_COUNT
};

extern void *shim_real_tab[SHIM_R_COUNT];
void *shim_real_resolve(int id);

static inline void *shim_real_get(int id)
{
	void *p = __atomic_load_n(&shim_real_tab[id], __ATOMIC_ACQUIRE);

	return hc_likely(p != NULL) ? p : shim_real_resolve(id);
}

#define SHIM_REAL(f)	((__typeof__(&f))shim_real_get(SHIM_R_##f))

/*
 * Hide from the compiler that glibc declares @x nonnull: a NULL must still
 * reach libc (which answers EFAULT or EINVAL), not crash the shim.
 */
#define SHIM_OPAQUE(x)	__asm__("" : "+r"(x))

/* ---- the errno boundary ---- */

/* An hc_*() result as libc returns it: -1 with errno, or the value. */
static inline long shim_ret(long r)
{
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

/* fortify's verdict on a buffer overflow; never returns */
extern void __chk_fail(void) __attribute__((noreturn));

/* ---- path routing (shim_path.c) ---- */

/* HOSTCALL_PREFIX, default "/host", without a trailing slash. */
extern char shim_prefix[];
extern size_t shim_prefix_len;
/* Set while the process's working directory is on the host. */
extern int shim_cwd_host;

/*
 * The interposers' own set-up (shim_path.c): the prefix, the working
 * directory from HOSTCALL_CWD, the cwd hooks registered with the client
 * core; after the core's (hc_ensure_init()). At load time, or at the
 * first routed call, whichever comes first.
 */
extern int shim_inited;
void shim_init_slow(void);

static inline void shim_ensure_init(void)
{
	if (hc_unlikely(!__atomic_load_n(&shim_inited, __ATOMIC_ACQUIRE)))
		shim_init_slow();
}

/*
 * Whether the prefix is itself a hostfs mount (guest-kmod): then the kernel
 * serves the paths under it and the shim steps aside (shim_path.c).
 */
int shim_prefix_hostfs(void);

/* Where a call goes when the host serves it: the arguments for hc_*at(). */
struct shim_at {
	int dirfd;		/* AT_FDCWD or a host fd */
	const char *path;	/* a host path */
};

/*
 * The host path of an absolute guest path under the prefix: "/host" and
 * "/host/..." match ("/host/etc/x" gives "/etc/x", "/host" gives "/"),
 * "/hostile" does not. Returns NULL for any other path.
 */
static inline const char *shim_host_path(const char *p)
{
	while (p[1] == '/')
		p++;
	if (strncmp(p, shim_prefix, shim_prefix_len) != 0)
		return NULL;
	p += shim_prefix_len;
	if (*p == '\0')
		return "/";
	return *p == '/' ? p : NULL;
}

/* Whether @fd is a host fd: free while the process has none. */
static inline int shim_host_fd(int fd)
{
	int h;

	return !hc_fdt_empty() && hc_fdt_get(fd, &h);
}

/*
 * shim_route() - decide where (@dirfd, @path) goes, as for any *at() call:
 * an absolute path under the prefix, a relative path while the working
 * directory is on the host (dirfd AT_FDCWD), or a relative path against a
 * host dirfd go to the host, unless the prefix is a hostfs mount. Returns 1
 * with @at filled, or 0 for libc. For a native path this costs a prefix
 * comparison.
 */
static inline int shim_route(int dirfd, const char *path, struct shim_at *at)
{
	SHIM_OPAQUE(path);
	if (!path)
		return 0;
	shim_ensure_init();
	if (path[0] == '/') {
		at->path = shim_host_path(path);
		at->dirfd = AT_FDCWD;
		return at->path != NULL && !shim_prefix_hostfs();
	}
	if (dirfd == AT_FDCWD ? !__atomic_load_n(&shim_cwd_host, __ATOMIC_RELAXED)
			      : !shim_host_fd(dirfd))
		return 0;
	at->dirfd = dirfd;
	at->path = path;
	return 1;
}

/*
 * The body of a one-path interposer: libc's @native call for a native path,
 * else @host, an hc_*() call on at.dirfd and at.path, with errno from it.
 */
#define SHIM_PATH_CALL(dirfd, path, native, host)			\
	do {								\
		struct shim_at at;					\
									\
		if (!shim_route(dirfd, path, &at))			\
			return native;					\
		return shim_ret(host);					\
	} while (0)

/* The body of an interposer on an fd: @host for a host fd, else @native. */
#define SHIM_FD_CALL(fd, native, host)					\
	do {								\
		if (!shim_host_fd(fd))					\
			return native;					\
		return shim_ret(host);					\
	} while (0)

/* ---- working directory (shim_cwd.c) ---- */

/* The environment variable that carries a host cwd across exec. */
#define SHIM_CWD_ENV	"HOSTCALL_CWD"

/*
 * Takes the working directory from HOSTCALL_CWD at start-up and registers
 * the hooks by which the client core asks for it and tells of moves.
 */
void shim_cwd_init(void);

/*
 * The HOSTCALL_CWD=... entry that a program exec'd now must get, copied
 * into @buf; "" when the working directory is native.
 */
void shim_cwd_env(char *buf, size_t cap);

/* ---- fds (shim_fd.c) ---- */

/* Close an fd the shim opened itself, keeping the fd table right. */
void shim_close_fd(int fd);

/* @fd is about to be closed by a real call: forget it first. */
void shim_closing(int fd);

/* ---- shared by the interposers ---- */

/* fstatat() as the interposer does it (shim_stat.c). */
int shim_stat_at(int dirfd, const char *path, struct stat *st, int flags);

#endif /* SHIM_H */
