// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness of the Unix-socket framing (hc_sock.c): a peer sends one
 * record with any number of fds attached (also more than a message may
 * carry), and hc_sock_recv() receives it into a buffer of any capacity. It
 * must return the record within the capacity with at most HC_SOCK_FDS_MAX
 * fds, all close-on-exec, or -EBADMSG with none of them left open.
 *
 * Input: nfds u8 (mod SEND_FDS_MAX + 1: up to 3 past HC_SOCK_FDS_MAX), cap
 * u32 (mod HC_MSG_MAX + 64), then the record.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "hc_sock.h"
#include "hostcall_proto.h"

#define SEND_FDS_MAX	(HC_SOCK_FDS_MAX + 3)

static int sv[2] = { -1, -1 };

/* Send @nfds copies of fd 0 (more than hc_sock_send() allows) with @buf. */
static void send_raw(const void *buf, size_t len, int nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * SEND_FDS_MAX)];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fds[SEND_FDS_MAX], i;

	for (i = 0; i < nfds; i++)
		fds[i] = 0;
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
	FZ_CHECK(sendmsg(sv[0], &mh, MSG_NOSIGNAL) == (ssize_t)len, "sendmsg of %zu bytes", len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char buf[HC_MSG_MAX + 64];
	struct fz_in in = { .p = data, .len = size };
	int fds[HC_SOCK_FDS_MAX], nfds, nsend, lowest, i;
	size_t cap;
	ssize_t n;

	if (sv[0] < 0) {
		int sz = 4 * HC_MSG_MAX;

		FZ_CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0,
			 "socketpair");
		setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	if (size > HC_MSG_MAX + 64 + 5)
		return -1;
	nsend = fz_u(&in, 1) % (SEND_FDS_MAX + 1);
	cap = fz_u(&in, 4) % (HC_MSG_MAX + 64);
	lowest = dup(0);	/* the fd the next open gets, if none leaks */
	close(lowest);

	send_raw(in.p + in.pos, in.len - in.pos, nsend);
	n = hc_sock_recv(sv[1], buf, cap, fds, &nfds);
	if (n >= 0) {
		FZ_CHECK((size_t)n == in.len - in.pos && (size_t)n <= cap,
			 "%zd bytes of a %zu-byte record into %zu", n, in.len - in.pos, cap);
		FZ_CHECK(nfds == nsend && nfds <= HC_SOCK_FDS_MAX, "%d fds of %d", nfds, nsend);
		for (i = 0; i < nfds; i++) {
			FZ_CHECK(fcntl(fds[i], F_GETFD) == FD_CLOEXEC, "fd %d not close-on-exec",
				 fds[i]);
			close(fds[i]);
		}
	} else {
		FZ_CHECK(n == -EBADMSG, "hc_sock_recv: %zd", n);
		FZ_CHECK(nfds == 0, "%d fds with an error", nfds);
		FZ_CHECK(in.len - in.pos > cap || nsend > HC_SOCK_FDS_MAX,
			 "a %zu-byte record with %d fds refused for room %zu",
			 in.len - in.pos, nsend, cap);
	}
	i = dup(0);
	close(i);
	FZ_CHECK(i == lowest, "an fd leaked (next fd %d, was %d)", i, lowest);
	return 0;
}
