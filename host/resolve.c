// SPDX-License-Identifier: GPL-2.0-only
/*
 * Path resolution for the shadow: the one place a client's path meets the
 * host's tree. Every walk is an openat2(); under --root it starts at the
 * root's O_PATH fd with RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS, which is the
 * security boundary (no string prefix check ever decides access).
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
 * @abs as the client sees it: below the root under --root. Presentation
 * only: a path outside the root cannot be named from inside it, so -ENOENT.
 */
static int root_relative(const struct hostd_config *cfg, const char *abs,
			 char *buf, size_t cap)
{
	const char *rest = abs;
	size_t rl, n;

	if (cfg->root_real && strcmp(cfg->root_real, "/")) {
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

int hostd_fd_hostpath(struct hostd_shadow *sh, int fd, char *buf, size_t cap)
{
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
	return root_relative(sh->cfg, abs, buf, cap);
}

/*
 * Under --root a relative path must be able to climb with ".." up to the
 * root but not past it: walk "<base below the root>/<path>" from the root.
 */
static int open_in_root(struct hostd_shadow *sh, int base, const char *path,
			int oflags, mode_t mode)
{
	const hc_u64 res = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	char full[2 * (PATH_MAX + 1)];
	size_t bl, pl = strlen(path);
	int n;

	if (path[0] == '/')
		return hostd_openat2(sh->cfg->rootfd, path, oflags, mode, res);
	if (base == AT_FDCWD) {
		bl = strlen(sh->cwd);
		memcpy(full, sh->cwd, bl + 1);
	} else {
		n = hostd_fd_hostpath(sh, base, full, PATH_MAX + 1);
		if (n < 0)
			return n;
		bl = n;
	}
	if (pl > PATH_MAX)
		return -ENAMETOOLONG;
	full[bl] = '/';
	memcpy(full + bl + 1, path, pl + 1);
	return hostd_openat2(sh->cfg->rootfd, full, oflags, mode, res);
}

int hostd_open(struct hostd_shadow *sh, struct hostd_req *rq, hc_s32 wfd,
	       const char *path, hc_u32 atflags, int oflags, mode_t mode)
{
	int base, err, fd;

	err = hostd_fd(sh, rq, wfd, &base);
	if (err)
		return err;
	if (!*path) {
		if (!(atflags & HC_AT_EMPTY_PATH))
			return -ENOENT;
		if (base != AT_FDCWD) {
			fd = fcntl(base, F_DUPFD_CLOEXEC, 3);
			return fd < 0 ? -errno : fd;
		}
		path = ".";
	}
	if (sh->cfg->rootfd < 0)
		return hostd_openat2(base, path, oflags, mode, 0);
	return open_in_root(sh, base, path, oflags, mode);
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
		       hostd_name_fn *fn)
{
	const char *name;
	hc_s64 r;
	int pfd;

	pfd = hostd_open_parent(sh, rq, rq->m->fd, rq->m->path, &name);
	if (pfd < 0)
		return pfd;
	r = fn(pfd, name, rq->m) < 0 ? -errno : 0;
	close(pfd);
	return r;
}

hc_s64 hostd_on_file(struct hostd_shadow *sh, struct hostd_req *rq,
		     hc_u32 atflags, hostd_file_fn *fn)
{
	char proc[32];
	hc_s64 r;
	int fd;

	fd = hostd_open_path(sh, rq, rq->m->fd, rq->m->path, atflags);
	if (fd < 0)
		return fd;
	hostd_proc_fd_path(fd, proc);
	r = fn(sh, rq, fd, proc);
	close(fd);
	return r;
}
