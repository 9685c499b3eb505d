// SPDX-License-Identifier: GPL-2.0-only
/*
 * The compatibility client: from version 3 on, a client of an older release
 * keeps working against a newer hostcalld. This program is built (Makefile,
 * $(TB)/compat-VERSION) with the codec and header of the tree but with the
 * op list of release VERSION, tests/compat/hc_ops-VERSION.h, forced in
 * before everything else (-include): its include guard is proto/hc_ops.h's,
 * so proto/hostcall_proto.h's own #include "hc_ops.h" then adds nothing. It
 * uses only what release 3.0 had, and announces no capability: every later
 * op list must still encode these requests the same way, and every later
 * hostcalld must still serve them. tests/integration/hostd.sh runs it
 * against the hostcalld of the tree. Each release that changes the op list
 * adds its own hc_ops-VERSION.h here, a copy of proto/hc_ops.h as released;
 * the copies are never edited (one that no longer builds or passes is a
 * release that broke its older clients).
 *
 *   compat-VERSION SOCKET DIR    hello, openat, read, fstatat, getdents,
 *                                spawn (fds attached, and HC_SPAWN_KEEP),
 *                                wait, in DIR (writable by the shadows)
 *
 * Output: "ok - compat VERSION: name" / "not ok - ... # detail"; exit 1 on a
 * failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostcall_proto.h"
#include "hc_sock.h"

#ifndef HC_COMPAT_VERSION
#define HC_COMPAT_VERSION "?"
#endif

/* What a client of release 3.0 says in HELLO: version 3, no capability. */
#define COMPAT_PROTO_VERSION	3
#define COMPAT_CAPS		0ull

static int failures;
static hc_u32 next_tag = 1;
static unsigned char rbuf[HC_MSG_MAX], wbuf[HC_MSG_MAX];

static void check(int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void check(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("ok - compat " HC_COMPAT_VERSION ": %s\n", name);
		return;
	}
	failures++;
	printf("not ok - compat " HC_COMPAT_VERSION ": %s # ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static int sock_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "compat: connect %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return s;
}

/*
 * One request/reply within 10 s; the reply's fds land in @fds (room for 4:
 * nothing here gets more), any more are closed. Returns the result, or
 * -ETIMEDOUT, -ECONNRESET, -EBADMSG (no reply to this request that decodes).
 */
static hc_s64 call(int s, struct hc_msg *m, const int *in, int nin,
		   struct hc_msg *rep, int *fds, int *nfds)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	int got[HC_SOCK_FDS_MAX], n = 0, i, len;
	ssize_t k;

	*nfds = 0;
	m->tag = next_tag++;
	m->hflags = nin;
	len = hc_encode(m, wbuf, sizeof(wbuf));
	if (len < 0)
		return len;
	if (hc_sock_send(s, wbuf, len, in, nin))
		return -EPIPE;
	if (poll(&p, 1, 10000) != 1)
		return -ETIMEDOUT;
	k = hc_sock_recv(s, rbuf, sizeof(rbuf), got, &n);
	if (k <= 0)
		return k ? k : -ECONNRESET;
	for (i = 0; i < n; i++)
		if (*nfds < 4)
			fds[(*nfds)++] = got[i];
		else
			close(got[i]);
	if (hc_decode(rep, rbuf, k) || !(rep->hflags & HC_HF_REPLY) ||
	    rep->op != m->op || rep->tag != m->tag ||
	    (rep->hflags & HC_HF_NFDS_MASK) != n)
		return -EBADMSG;
	return rep->result;
}

static void close_all(int *fds, int n)
{
	while (n > 0)
		close(fds[--n]);
}

static char *fd_read_all(int fd, char *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;

	while (got < cap - 1 && (n = read(fd, buf + got, cap - 1 - got)) > 0)
		got += n;
	buf[got] = 0;
	return buf;
}

static hc_s64 open_at(int s, hc_s32 dir, const char *path, hc_u32 wflags, hc_u32 mode,
		      int *fdp)
{
	struct hc_msg m = { .op = HC_OP_OPENAT,
			    .req.openat = { .dirfd = dir, .flags = wflags, .mode = mode,
					    .path = path } }, rep;
	int fds[4], n;
	hc_s64 r = call(s, &m, NULL, 0, &rep, fds, &n);

	*fdp = n > 0 ? fds[0] : -1;
	if (n > 1)
		close_all(fds + 1, n - 1);
	return r;
}

static hc_s64 wait_for(int s, hc_s64 pid, hc_u32 *status)
{
	struct hc_msg m = { .op = HC_OP_WAIT, .req.wait = { .pid = pid } }, rep;
	int fds[4], n;
	hc_s64 r = call(s, &m, NULL, 0, &rep, fds, &n);

	close_all(fds, n);
	*status = r > 0 ? rep.rep.wait.status : 0;
	return r;
}

int main(int argc, char **argv)
{
	static const char sh_argv[] = "sh\0-c\0echo spawned in $(pwd); exit 7";
	const char *dir = argc == 3 ? argv[2] : NULL;
	struct hc_msg m, rep;
	int s, fd, fds[4], n, found = 0, k;
	char buf[512];
	hc_u32 status = 0;
	hc_s64 r, h, pid;

	if (!dir) {
		fprintf(stderr, "usage: compat-" HC_COMPAT_VERSION " SOCKET DIR\n");
		return 2;
	}
	s = sock_connect(argv[1]);

	m = (struct hc_msg){ .op = HC_OP_HELLO,
			     .req.hello = { .version = COMPAT_PROTO_VERSION,
					    .caps = COMPAT_CAPS } };
	r = call(s, &m, NULL, 0, &rep, fds, &n);
	check(r > 0 && rep.rep.hello.version == COMPAT_PROTO_VERSION &&
	      rep.rep.hello.fds_max >= 16 && rep.rep.hello.msg_max >= 128 * 1024,
	      "hello: version 3 is served", "r=%lld version=%u fds_max=%u msg_max=%u",
	      (long long)r, rep.rep.hello.version, rep.rep.hello.fds_max,
	      rep.rep.hello.msg_max);
	if (r <= 0)
		return 1;

	/* openat: a file made in DIR, written through the fd it gives */
	snprintf(buf, sizeof(buf), "%s/compat.txt", dir);
	r = open_at(s, HC_AT_FDCWD, buf, HC_O_CREAT | HC_O_WRONLY | HC_O_TRUNC, 0644, &fd);
	k = fd >= 0 ? (int)write(fd, "compat\n", 7) : -1;
	if (fd >= 0)
		close(fd);
	check(r == HC_HANDLE_NONE && k == 7, "openat O_CREAT gives an fd", "r=%lld write %d",
	      (long long)r, k);
	h = open_at(s, HC_AT_FDCWD, dir, HC_O_RDONLY | HC_O_DIRECTORY, 0, &fd);
	if (fd >= 0)
		close(fd);
	check(h >= 0 && h != HC_HANDLE_NONE, "openat of a directory gives a handle", "r=%lld",
	      (long long)h);

	/* read: on the fd passed back to the shadow */
	r = open_at(s, h, "compat.txt", HC_O_RDONLY, 0, &fd);
	if (fd >= 0) {
		m = (struct hc_msg){ .op = HC_OP_READ,
				     .req.read = { .fd = HC_HANDLE_PASSED, .off = 0,
						   .count = 100 } };
		r = call(s, &m, &fd, 1, &rep, fds, &n);
		close_all(fds, n);
		close(fd);
	}
	check(r == 7 && rep.rep.read.data.len == 7 && !memcmp(rep.rep.read.data.ptr, "compat\n", 7),
	      "read of a passed fd", "r=%lld", (long long)r);

	/* fstatat */
	m = (struct hc_msg){ .op = HC_OP_FSTATAT,
			     .req.fstatat = { .dirfd = h, .path = "compat.txt" } };
	r = call(s, &m, NULL, 0, &rep, fds, &n);
	close_all(fds, n);
	check(r == 0 && rep.rep.fstatat.st.size == 7 &&
	      (rep.rep.fstatat.st.mode & 0170000) == 0100000, "fstatat",
	      "r=%lld size=%llu mode=%o", (long long)r,
	      (unsigned long long)rep.rep.fstatat.st.size, rep.rep.fstatat.st.mode);

	/* getdents: the records decode, and list the file */
	m = (struct hc_msg){ .op = HC_OP_GETDENTS, .req.getdents = { .fd = h, .count = 4096 } };
	r = call(s, &m, NULL, 0, &rep, fds, &n);
	close_all(fds, n);
	if (r > 0) {
		struct hc_dirent d;
		size_t pos = 0;

		while ((k = hc_dirent_next(rep.rep.getdents.dirents.ptr,
					   rep.rep.getdents.dirents.len, &pos, &d)) > 0)
			found |= !strcmp(d.name, "compat.txt") && d.type == 8;	/* DT_REG */
		found = found && !k;
	}
	check(r > 0 && found, "getdents lists the file", "r=%lld", (long long)r);

	/* spawn with a pipe (fds attached), in DIR; wait */
	m = (struct hc_msg){ .op = HC_OP_SPAWN,
			     .req.spawn = { .cwd = dir,
					    .argv = { sh_argv, sizeof(sh_argv), 3 },
					    .stdin_mode = HC_STDIO_NULL,
					    .stdout_mode = HC_STDIO_PIPE,
					    .stderr_mode = HC_STDIO_SAME } };
	pid = call(s, &m, NULL, 0, &rep, fds, &n);
	*buf = 0;
	if (pid > 0 && n == 1)
		fd_read_all(fds[0], buf, sizeof(buf));
	close_all(fds, n);
	{
		char want[600];

		snprintf(want, sizeof(want), "spawned in %s\n", dir);
		check(pid > 0 && n == 1 && !strcmp(buf, want), "spawn: output through the pipe",
		      "r=%lld fds=%d '%s'", (long long)pid, n, buf);
	}
	r = pid > 0 ? wait_for(s, pid, &status) : pid;
	check(r == pid && WIFEXITED(status) && WEXITSTATUS(status) == 7, "wait: exit status",
	      "r=%lld status=%#x", (long long)r, status);

	/* spawn HC_SPAWN_KEEP: the pipe end stays a handle, READ through it */
	m.req.spawn.flags = HC_SPAWN_KEEP;
	pid = call(s, &m, NULL, 0, &rep, fds, &n);
	close_all(fds, n);
	*buf = 0;
	if (pid > 0 && n == 0 && rep.rep.spawn.handles.n == 1) {
		hc_s32 ho = rep.rep.spawn.handles.v[0];
		size_t got = 0;

		m = (struct hc_msg){ .op = HC_OP_READ,
				     .req.read = { .fd = ho, .off = -1, .count = 256 } };
		while ((r = call(s, &m, NULL, 0, &rep, fds, &n)) > 0 && got + r < sizeof(buf)) {
			memcpy(buf + got, rep.rep.read.data.ptr, r);
			got += r;
		}
		buf[got] = 0;
		m = (struct hc_msg){ .op = HC_OP_CLOSE, .req.close.fd = ho };
		call(s, &m, NULL, 0, &rep, fds, &n);
		r = wait_for(s, pid, &status);
	}
	check(pid > 0 && strstr(buf, "spawned in ") && r == pid && WEXITSTATUS(status) == 7,
	      "spawn HC_SPAWN_KEEP: read through the handle, wait", "r=%lld '%s'",
	      (long long)pid, buf);

	m = (struct hc_msg){ .op = HC_OP_CLOSE, .req.close.fd = h };
	r = call(s, &m, NULL, 0, &rep, fds, &n);
	check(r == 0, "close of the handle", "r=%lld", (long long)r);
	close(s);
	return failures ? 1 : 0;
}
