// SPDX-License-Identifier: GPL-2.0-only
/*
 * Path resolution for the shadow: the one place a client's path meets the
 * host's tree. Every walk is an openat2() inside the export (export.c):
 * RESOLVE_IN_ROOT from its root or RESOLVE_BENEATH from a directory of it,
 * with RESOLVE_NO_MAGICLINKS; that is the security boundary (no string
 * prefix check ever decides access).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hostd.h"

/* Only these flags may go with O_PATH in openat2 (open(2) ignores the rest). */
#define HOSTD_O_PATH_FLAGS	(O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

void hostd_proc_fd_path(int fd, char buf[32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
}

static int hostd_openat2(int dirfd, const char *path, int flags, mode_t mode,
			 hc_u64 resolve)
{
	struct open_how how = { .resolve = resolve };
	int i, fd;

	if (flags & O_PATH)
		flags &= HOSTD_O_PATH_FLAGS;
	how.flags = (unsigned int)(flags | O_CLOEXEC);
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		how.mode = mode & 07777;
	/* RESOLVE_IN_ROOT gives EAGAIN when a rename raced with the walk */
	for (i = 0; i < 16; i++) {
		fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0)
			return fd;
		if (errno != EAGAIN || !resolve)
			break;
	}
	return -errno;
}

/*
 * @abs, a path of the host's tree, as the client sees it: below the root.
 * Presentation only: a path outside the root cannot be named from inside
 * it, so -ENOENT.
 */
static int root_relative(const struct hostd_config *cfg, const char *abs,
			 char *buf, size_t cap)
{
	const char *rest = abs;
	size_t rl, n;

	if (strcmp(cfg->root_real, "/")) {
		rl = strlen(cfg->root_real);
		if (strncmp(abs, cfg->root_real, rl) || (abs[rl] && abs[rl] != '/'))
			return -ENOENT;
		rest = abs[rl] ? abs + rl : "/";
	}
	n = strlen(rest);
	if (n >= cap)
		return -ENAMETOOLONG;
	memcpy(buf, rest, n + 1);
	return n;
}

/*
 * On the detached export mount the kernel already gives paths from the
 * export's root. A directory moved out of the export is no longer below
 * that root: the kernel shows it (and all below it) as "/", which then is
 * not the root's identity, and it has no path the client could name.
 */
int hostd_fd_hostpath(struct hostd_shadow *sh, int fd, char *buf, size_t cap)
{
	const struct hostd_config *cfg = sh->cfg;
	char link[32], abs[PATH_MAX + 1];
	ssize_t n;

	hostd_proc_fd_path(fd, link);
	n = readlink(link, abs, sizeof(abs));
	if (n < 0)
		return -errno;
	if ((size_t)n >= sizeof(abs))
		return -ENAMETOOLONG;
	abs[n] = 0;
	if (abs[0] != '/')	/* pipe:[N], anon_inode:… */
		return -ENOENT;
	if (!cfg->export_detached)
		return root_relative(cfg, abs, buf, cap);
	if (!strcmp(abs, "/") && !hostd_is_export_root(cfg, fd))
		return -ENOENT;
	if ((size_t)n >= cap)
		return -ENAMETOOLONG;
	memcpy(buf, abs, n + 1);
	return n;
}

int hostd_cwd_hostpath(struct hostd_shadow *sh, char *buf, size_t cap)
{
	return hostd_fd_hostpath(sh, sh->cwdfd, buf, cap);
}

/*
 * Every walk stays inside the export: absolute paths and absolute symlinks
 * start at its root (RESOLVE_IN_ROOT), magic links are refused. A relative
 * path must be able to climb with ".." up to the root but not past it: it
 * is tried beneath its base first (the common case, and the only one that
 * still works below a directory moved out of the export); a walk that
 * leaves the base (EXDEV) is redone as "<base's path>/<path>" from the root.
 */
static int open_in_export(struct hostd_shadow *sh, int base, const char *path,
			  int oflags, mode_t mode)
{
	const hc_u64 res = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	char full[2 * (PATH_MAX + 1)];
	size_t pl = strlen(path);
	int n, fd;

	if (path[0] == '/')
		return hostd_openat2(sh->cfg->exportfd, path, oflags, mode, res);
	fd = hostd_openat2(base, path, oflags, mode,
			   RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
	if (fd != -EXDEV)
		return fd;
	n = hostd_fd_hostpath(sh, base, full, PATH_MAX + 1);
	if (n < 0)
		return n;
	if (pl > PATH_MAX)
		return -ENAMETOOLONG;
	full[n] = '/';
	memcpy(full + n + 1, path, pl + 1);
	return hostd_openat2(sh->cfg->exportfd, full, oflags, mode, res);
}

int hostd_open_beneath(int base, const char *name, int oflags)
{
	return hostd_openat2(base, name, oflags, 0, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
}

int hostd_open(struct hostd_shadow *sh, struct hostd_req *rq, hc_s32 wfd,
	       const char *path, hc_u32 atflags, int oflags, mode_t mode)
{
	int base, err, fd;

	err = hostd_fd(sh, rq, wfd, &base);
	if (err)
		return err;
	if (base == AT_FDCWD)
		base = sh->cwdfd;
	if (!*path) {
		if (!(atflags & HC_AT_EMPTY_PATH))
			return -ENOENT;
		fd = fcntl(base, F_DUPFD_CLOEXEC, 3);
		return fd < 0 ? -errno : fd;
	}
	return open_in_export(sh, base, path, oflags, mode);
}

int hostd_open_path(struct hostd_shadow *sh, struct hostd_req *rq, hc_s32 wfd,
		    const char *path, hc_u32 atflags)
{
	int oflags = O_PATH;

	if (atflags & HC_AT_SYMLINK_NOFOLLOW)
		oflags |= O_NOFOLLOW;
	return hostd_open(sh, rq, wfd, path, atflags, oflags, 0);
}

int hostd_open_parent(struct hostd_shadow *sh, struct hostd_req *rq,
		      hc_s32 wfd, const char *path, const char **name)
{
	char dir[HC_PATH_MAX + 2];
	size_t end = strlen(path), start;

	if (!end)
		return -ENOENT;
	if (end > HC_PATH_MAX)
		return -ENAMETOOLONG;
	while (end > 0 && path[end - 1] == '/')
		end--;
	if (!end) {			/* "/" itself */
		*name = ".";
		strcpy(dir, "/");
	} else {
		start = end;
		while (start > 0 && path[start - 1] != '/')
			start--;
		*name = path + start;
		if (!start) {
			strcpy(dir, ".");
		} else {
			memcpy(dir, path, start);
			dir[start] = 0;
		}
	}
	return hostd_open(sh, rq, wfd, dir, 0, O_PATH | O_DIRECTORY, 0);
}

hc_s64 hostd_on_parent(struct hostd_shadow *sh, struct hostd_req *rq,
		       hc_s32 wfd, const char *path, hostd_name_fn *fn)
{
	const char *name;
	hc_s64 r;
	int pfd;

	pfd = hostd_open_parent(sh, rq, wfd, path, &name);
	if (pfd < 0)
		return pfd;
	r = fn(pfd, name, rq->m) < 0 ? -errno : 0;
	close(pfd);
	return r;
}

hc_s64 hostd_on_file(struct hostd_shadow *sh, struct hostd_req *rq,
		     hc_s32 wfd, const char *path, hc_u32 atflags,
		     hostd_file_fn *fn)
{
	char proc[32];
	hc_s64 r;
	int fd;

	fd = hostd_open_path(sh, rq, wfd, path, atflags);
	if (fd < 0)
		return fd;
	hostd_proc_fd_path(fd, proc);
	r = fn(sh, rq, fd, proc);
	close(fd);
	return r;
}

/* Start where a login would: at home if it is in the export, else at its root. */
int hostd_cwd_init(struct hostd_shadow *sh)
{
	const struct hostd_config *cfg = sh->cfg;
	int fd = -1, err;

	if (syscall(SYS_faccessat2, cfg->exportfd, "", X_OK,
		    AT_EMPTY_PATH | AT_EACCESS) < 0) {
		err = -errno;
		hostd_log(HOSTD_NAME ": subject %u: user %s (uid %u) cannot enter "
			  "the export %s: %s; give that user search permission "
			  "on it", sh->slot + 1, cfg->pw_name, (unsigned int)geteuid(),
			  cfg->root_real, strerror(-err));
		return err;
	}
	if (!cfg->root)
		fd = hostd_openat2(cfg->exportfd, cfg->pw_dir, O_PATH | O_DIRECTORY, 0,
				   RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (fd >= 0 && fchdir(fd) < 0) {
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		fd = fcntl(cfg->exportfd, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			return -errno;
		if (fchdir(fd) < 0) {
			err = -errno;
			close(fd);
			return err;
		}
	}
	sh->cwdfd = fd;
	return 0;
}
