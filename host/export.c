// SPDX-License-Identifier: GPL-2.0-only
/*
 * The export: the tree clients reach, as one detached mount. Every fd a
 * shadow hands out is opened below it, so a client walking a directory fd
 * natively ("..", fchdir) stops at the export's root (a detached mount has
 * no parent), a directory moved out of it gives ENOENT on "..", and a
 * received file cannot be executed setuid (nosuid) nor open a device
 * (nodev, unless --allow-devices).
 *
 * As root the clone is made in hostcalld's own mount namespace. Otherwise a
 * short-lived child makes it in a user and mount namespace of its own,
 * which needs no privilege, and passes the fd back; the mount outlives the
 * child. Only the mount topology is borrowed: permission checks stay the
 * host user's, since the child's credentials do not change.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/mount.h>

#include "hostd.h"

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE		1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC	O_CLOEXEC
#endif

/* A detached, recursive clone of @path with the mount attributes @attrs. */
static int export_clone(const char *path, hc_u64 attrs)
{
	struct mount_attr ma = { .attr_set = attrs };
	int fd, err;

	fd = syscall(SYS_open_tree, AT_FDCWD, path,
		     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE,
		    &ma, sizeof(ma)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Not root: make the clone in a child's own user and mount namespace. */
static int export_clone_unprivileged(const char *path, hc_u64 attrs)
{
	int sock, fds[1], nfds = 0, status, err;
	char res[4];
	ssize_t n;
	pid_t pid;

	pid = hostd_fork_pair(&sock);
	if (pid < 0)
		return pid;
	if (pid == 0) {
		int fd = -ENOSYS;

		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
			fd = -errno;
		else
			fd = export_clone(path, attrs);
		if (fd < 0) {
			memcpy(res, &fd, sizeof(fd));
			_exit(hc_sock_send(sock, res, sizeof(res), NULL, 0) ? 1 : 0);
		}
		_exit(hc_sock_send(sock, "ok", 3, &fd, 1) ? 1 : 0);
	}
	n = hc_sock_recv(sock, res, sizeof(res), fds, &nfds);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n == 3 && nfds == 1) {
		err = fds[0];
	} else {
		err = -EIO;
		if (n == sizeof(int) && !nfds)
			memcpy(&err, res, sizeof(err));
		while (nfds > 0)
			close(fds[--nfds]);
	}
	close(sock);
	return err;
}

/* The id of the mount @fd is on, or 0 where statx() does not say. */
static hc_u64 export_mnt_id(int fd)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_MNT_ID, &stx) < 0 ||
	    !(stx.stx_mask & STATX_MNT_ID))
		return 0;
	return stx.stx_mnt_id;
}

int hostd_export_open(struct hostd_config *cfg)
{
	hc_u64 attrs = MOUNT_ATTR_NOSUID | (cfg->allow_devices ? 0 : MOUNT_ATTR_NODEV);
	const char *path = cfg->root_real;
	struct stat st;
	int fd;

	fd = geteuid() == 0 ? export_clone(path, attrs)
			    : export_clone_unprivileged(path, attrs);
	if (fd >= 0) {
		cfg->export_detached = 1;
	} else {
		/* the ivshmem transport hands out no fds: nothing to warn about */
		if (!cfg->ivshmem_path[0])
			hostd_log(HOSTD_NAME ": warning: cannot make the export %s a "
				  "detached mount (%s): directory fds handed to clients "
				  "are not confined to it and received files keep their "
				  "setuid bits; run hostcalld as root, or allow "
				  "unprivileged user namespaces (user.max_user_namespaces)",
				  path, strerror(-fd));
		fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			fd = -errno;
			fprintf(stderr, HOSTD_NAME ": %s %s: %s (it must be a directory)\n",
				cfg->root ? "--root" : "export", path, strerror(-fd));
			return fd;
		}
	}
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -errno;
	}
	cfg->exportfd = fd;
	cfg->export_dev = st.st_dev;
	cfg->export_ino = st.st_ino;
	cfg->export_mnt_id = cfg->export_detached ? export_mnt_id(fd) : 0;
	return 0;
}

int hostd_on_export_mount(const struct hostd_config *cfg, int fd)
{
	return cfg->export_mnt_id && export_mnt_id(fd) == cfg->export_mnt_id;
}

int hostd_is_export_root(const struct hostd_config *cfg, int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && st.st_dev == cfg->export_dev &&
	       st.st_ino == cfg->export_ino;
}
