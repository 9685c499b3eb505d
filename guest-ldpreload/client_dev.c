// SPDX-License-Identifier: GPL-2.0-only
/*
 * The /dev/hostcall transport (inside a VM): the ioctls of
 * proto/hostcall_dev.h. The module gives each process its own subject
 * and forks it for a forked child by itself, so this file only opens the
 * device and passes encoded messages; client.c chooses the transport.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hc_internal.h"
#include "hostcall_dev.h"

int hc_dev_wanted(void)
{
	const char *s = getenv("HOSTCALL_SOCKET");

	if (s && *s)
		return 0;	/* asked for a socket by name: that one */
	return access(HC_DEV_PATH, F_OK) == 0;
}

int hc_dev_open(int fd_min)
{
	int fd, n;

	fd = open(HC_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = hc_sys_fcntl(fd, F_DUPFD_CLOEXEC, fd_min);
	if (n < 0)
		return fd;
	hc_sys_close(fd);
	return n;
}

int hc_dev_call(int dev, const void *req, size_t len, void *rep, size_t cap)
{
	struct hostcall_call c = {
		.req = (uintptr_t)req, .rep = (uintptr_t)rep,
		.req_len = len, .rep_cap = cap,
	};

	if (ioctl(dev, HOSTCALL_IOC_CALL, &c) < 0)
		return -errno;
	return c.rep_len;
}

int hc_dev_openat(int dev, hc_s32 wfd, const char *path, int flags, mode_t mode)
{
	struct hostcall_open o = {
		.path = (uintptr_t)path, .dirfd = wfd, .flags = flags, .mode = mode,
	};
	int fd = ioctl(dev, HOSTCALL_IOC_OPEN, &o);

	return fd < 0 ? -errno : fd;
}

int hc_dev_spawn(int dev, const void *req, size_t len, void *rep, size_t cap,
		 int *fds, int *nfds)
{
	struct hostcall_spawn s = {
		.call = {
			.req = (uintptr_t)req, .rep = (uintptr_t)rep,
			.req_len = len, .rep_cap = cap,
		},
	};
	unsigned int i;

	*nfds = 0;
	if (ioctl(dev, HOSTCALL_IOC_SPAWN, &s) < 0)
		return -errno;
	if (s.nfds > HOSTCALL_SPAWN_FDS)
		return -EIO;
	for (i = 0; i < s.nfds; i++)
		fds[i] = s.fds[i];
	*nfds = s.nfds;
	return s.call.rep_len;
}
