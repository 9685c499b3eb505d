// SPDX-License-Identifier: GPL-2.0-only
/*
 * hcraw: a bare protocol client for the integration tests. It talks to
 * hostcalld with hand-made messages, without the shim, to check what the
 * shim cannot show: that a shadow answers malformed requests with an error
 * and goes on serving, and how --root resolves paths the shim might rewrite.
 *
 *   hcraw SOCKET open PATH     print the host file PATH, or "error: ..."
 *   hcraw SOCKET malformed     one line per malformed request: its result
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hostcall_proto.h"
#include "hc_sock.h"

static unsigned char buf[HC_MSG_MAX + 4096];

static int hc_connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (s < 0 || strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(s);
		return -1;
	}
	return s;
}

/*
 * Wait up to 3 s for one reply. Returns 1 with @res set, 0 if the shadow
 * closed the connection, -1 on a timeout, -2 on a receive error, -3 for a
 * reply that does not decode.
 */
static int get_reply(int s, hc_s64 *res, int *fd)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	struct hc_msg m;
	int fds[HC_SOCK_FDS_MAX], nfds = 0, i;
	ssize_t n;

	*fd = -1;
	if (poll(&p, 1, 3000) != 1)
		return -1;
	n = hc_sock_recv(s, buf, sizeof(buf), fds, &nfds);
	if (n <= 0)
		return n == 0 || n == -ECONNRESET ? 0 : -2;
	/* a reply to an op the codec does not know has only its header */
	i = hc_decode(&m, buf, n);
	if ((i && i != -ENOSYS) || !(m.hflags & HC_HF_REPLY))
		return -3;
	*res = m.result;
	for (i = 0; i < nfds; i++) {
		if (i == 0)
			*fd = fds[i];
		else
			close(fds[i]);
	}
	return 1;
}

static int send_msg(int s, const struct hc_msg *m)
{
	int n = hc_encode(m, buf, sizeof(buf));

	if (n < 0)
		return n;
	return hc_sock_send(s, buf, n, NULL, 0);
}

/* Connect and say HELLO. Returns the socket, or -1. */
static int start(const char *path)
{
	struct hc_msg m = { .op = HC_OP_HELLO, .tag = 1,
			    .req.hello = { .version = HC_PROTO_VERSION, .caps = HC_CAPS } };
	hc_s64 res;
	int s = hc_connect_to(path), fd;

	if (s < 0 || send_msg(s, &m) < 0 || get_reply(s, &res, &fd) != 1 || res < 0) {
		fprintf(stderr, "hcraw: no HELLO with %s\n", path);
		return -1;
	}
	return s;
}

static int do_open(const char *sock, const char *path)
{
	struct hc_msg m = { .op = HC_OP_OPENAT, .tag = 2,
			    .req.openat = { .dirfd = HC_AT_FDCWD, .flags = HC_O_RDONLY,
					    .path = path } };
	hc_s64 res;
	ssize_t n;
	int s = start(sock), fd;

	if (s < 0)
		return 2;
	if (send_msg(s, &m) < 0 || get_reply(s, &res, &fd) != 1) {
		printf("error: no reply\n");
		return 1;
	}
	if (res < 0 || fd < 0) {
		printf("error: %s\n", res < 0 ? strerror((int)-res) : "no fd attached");
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	return 0;
}

/* Raw message builders: header + body bytes, header length patched. */
static size_t raw_n;

static void raw_bytes(const void *p, size_t n)
{
	memcpy(buf + raw_n, p, n);
	raw_n += n;
}

static void raw_u32(hc_u32 v)
{
	unsigned char b[4] = { v, v >> 8, v >> 16, v >> 24 };

	raw_bytes(b, 4);
}

static void raw_hdr(hc_u16 op, hc_u16 hflags)
{
	unsigned char h[HC_HDR_SIZE] = { 0 };

	h[4] = op & 0xff;
	h[5] = op >> 8;
	h[6] = hflags & 0xff;
	h[7] = hflags >> 8;
	h[8] = 0x77;	/* tag */
	raw_n = 0;
	raw_bytes(h, sizeof(h));
}

static size_t raw_len(void)
{
	buf[0] = raw_n & 0xff;
	buf[1] = (raw_n >> 8) & 0xff;
	buf[2] = (raw_n >> 16) & 0xff;
	buf[3] = (raw_n >> 24) & 0xff;
	return raw_n;
}

static void build(int which)
{
	switch (which) {
	case 0:	/* openat, path without its NUL */
		raw_hdr(HC_OP_OPENAT, 0);
		raw_u32((hc_u32)HC_AT_FDCWD); raw_u32(0); raw_u32(0);
		raw_u32(4); raw_bytes("/etc", 4);
		break;
	case 1:	/* openat cut after the flags */
		raw_hdr(HC_OP_OPENAT, 0);
		raw_u32((hc_u32)HC_AT_FDCWD); raw_u32(0);
		break;
	case 2:	/* write with a 4 GiB blob: fd, off (u64), data */
		raw_hdr(HC_OP_WRITE, 0);
		raw_u32(0); raw_u32(0); raw_u32(0); raw_u32(0xffffffffu);
		raw_bytes("abcd", 4);
		break;
	case 3:	/* openat, string length that wraps */
		raw_hdr(HC_OP_OPENAT, 0);
		raw_u32((hc_u32)HC_AT_FDCWD); raw_u32(0); raw_u32(0);
		raw_u32(0xfffffffcu); raw_bytes("/etc", 5);
		break;
	case 4:	/* unknown op */
		raw_hdr(999, 0);
		raw_u32(1);
		break;
	case 5:	/* op 0 */
		raw_hdr(0, 0);
		break;
	case 6:	/* a "reply" sent as a request */
		raw_hdr(HC_OP_CLOSE, HC_HF_REPLY);
		raw_u32(3);
		break;
	case 7:	/* claims two attached fds, has none */
		raw_hdr(HC_OP_CLOSE, 2);
		raw_u32(3);
		break;
	case 8:	/* spawn whose argv count does not match its strings */
		raw_hdr(HC_OP_SPAWN, 0);
		/* flags, stdin, stdout, stderr modes, rows, cols */
		raw_u32(0); raw_u32(0); raw_u32(0); raw_u32(0); raw_u32(0); raw_u32(0);
		raw_u32(1); raw_bytes("", 1);			/* cwd */
		raw_u32(3); raw_u32(5); raw_bytes("ab\0c", 5);	/* argv */
		raw_u32(0); raw_u32(0);				/* envp */
		raw_u32(0);					/* fdmap */
		break;
	case 9:	/* trailing bytes after a valid close */
		raw_hdr(HC_OP_CLOSE, 0);
		raw_u32(3); raw_u32(0);
		break;
	}
}

static const char *const names[] = {
	"path without NUL", "truncated body", "4 GiB blob", "wrapping string length",
	"unknown op 999", "op 0", "reply flag on a request", "fd count without fds",
	"argv count mismatch", "trailing bytes",
};

static int do_malformed(const char *sock)
{
	struct hc_msg ok = { .op = HC_OP_FSTATAT, .tag = 9,
			     .req.fstatat = { .dirfd = HC_AT_FDCWD, .path = "/" } };
	int s = start(sock), i, r, fd;
	hc_s64 res;

	for (i = 0; s >= 0 && i < (int)(sizeof(names) / sizeof(names[0])); i++) {
		build(i);
		if (hc_sock_send(s, buf, raw_len(), NULL, 0) < 0) {
			printf("%s: send failed\n", names[i]);
			continue;
		}
		r = get_reply(s, &res, &fd);
		if (r == 1)
			printf("%s: %s\n", names[i], res < 0 ? strerror((int)-res) : "accepted");
		else
			printf("%s: %s\n", names[i], r == 0 ? "connection closed" :
			       r == -1 ? "no reply in 3 s" : r == -2 ? "receive error" :
			       "a reply that does not decode");
		if (fd >= 0)
			close(fd);
		if (r != 1) {
			close(s);
			s = start(sock);
		}
	}
	if (s < 0 || send_msg(s, &ok) < 0 || get_reply(s, &res, &fd) != 1 || res < 0)
		printf("after them: the shadow no longer serves\n");
	else
		printf("after them: the shadow still serves\n");

	/* header-level garbage may close the connection, but hostcalld lives on */
	s = hc_connect_to(sock);
	if (s >= 0) {
		memset(buf, 0xff, 10);
		hc_sock_send(s, buf, 10, NULL, 0);
		get_reply(s, &res, &fd);
		close(s);
	}
	s = hc_connect_to(sock);
	if (s >= 0) {
		memset(buf, 'x', HC_MSG_MAX + 100);
		hc_sock_send(s, buf, HC_MSG_MAX + 100, NULL, 0);
		get_reply(s, &res, &fd);
		close(s);
	}
	s = start(sock);
	if (s < 0 || send_msg(s, &ok) < 0 || get_reply(s, &res, &fd) != 1 || res < 0)
		printf("after header garbage: hostcalld no longer serves\n");
	else
		printf("after header garbage: hostcalld still serves\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[2], "open"))
		return do_open(argv[1], argv[3]);
	if (argc == 3 && !strcmp(argv[2], "malformed"))
		return do_malformed(argv[1]);
	fprintf(stderr, "usage: hcraw SOCKET open PATH | hcraw SOCKET malformed\n");
	return 2;
}
