// SPDX-License-Identifier: GPL-2.0-only
/* Unix-socket framing for the hostcall protocol: see hc_sock.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hc_sock.h"

int hc_sock_send(int sock, const void *buf, size_t len, const int *fds, int nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * HC_SOCK_FDS_MAX)];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (nfds < 0 || nfds > HC_SOCK_FDS_MAX)
		return -EINVAL;
	if (nfds) {
		struct cmsghdr *c;

		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

ssize_t hc_sock_recv(int sock, void *buf, size_t cap, int *fds, int *nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * HC_SOCK_FDS_MAX)];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cm.buf, .msg_controllen = sizeof(cm.buf),
	};
	struct cmsghdr *c;
	ssize_t n;
	int i, got = 0, bad = 0;

	*nfds = 0;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;

	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		int cnt, *p;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		p = (int *)CMSG_DATA(c);
		for (i = 0; i < cnt; i++) {
			int fd;

			memcpy(&fd, p + i, sizeof(fd));
			if (got < HC_SOCK_FDS_MAX)
				fds[got++] = fd;
			else
				close(fd), bad = 1;
		}
	}
	if (bad || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		for (i = 0; i < got; i++)
			close(fds[i]);
		return -EBADMSG;
	}
	*nfds = got;
	return n;
}

int hc_sock_default_path(char *buf, size_t cap)
{
	const char *s = getenv("HOSTCALL_SOCKET");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (s && *s)
		n = snprintf(buf, cap, "%s", s);
	else if (xdg && *xdg)
		n = snprintf(buf, cap, "%s/hostcall.sock", xdg);
	else
		n = snprintf(buf, cap, "/run/hostcall.sock");
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

void hc_vlog(const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}
