// SPDX-License-Identifier: GPL-2.0-only
/*
 * faults: a raw protocol client for tests/integration/lifetime.sh and
 * limits.sh. It puts one subject in a given state (idle, blocked in a FIFO
 * open, a WAIT, a lock, a reply it never reads...) and waits to be killed,
 * or it checks one of the relay's answers to clients that misbehave.
 *
 *   faults hold SOCKET STATE [FILE]   STATE: idle forked nohello fifo wait
 *                                     lock flock reply; prints "ready"
 *   faults zero SOCKET                a 0-byte record gets an error reply
 *   faults silent SOCKET N TIMEOUT_S  N connections that never say HELLO
 *                                     (N = --max-subjects) are closed after
 *                                     --hello-timeout, then a HELLO works
 *   faults refused SOCKET N           at --max-subjects 1: N silent extra
 *                                     connections, then one more HELLO still
 *                                     gets EAGAIN
 *   faults hello SOCKET               HELLO, GETCWD; prints the time taken
 *   faults spawn SOCKET WAIT_S ARGV... spawn, wait up to WAIT_S, print status
 *
 * Output: "ok - name" / "not ok - name # detail"; exit 1 if one failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hostcall_proto.h"
#include "hc_sock.h"

static int failures;
static hc_u32 next_tag = 1;
static unsigned char rbuf[HC_MSG_MAX], wbuf[HC_MSG_MAX];

static void check(int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void check(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("ok - %s\n", name);
		return;
	}
	failures++;
	printf("not ok - %s # ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int sock_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "faults: connect %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return s;
}

static int send_msg(int s, struct hc_msg *m, const int *fds, int nfds)
{
	int len;

	m->tag = next_tag++;
	m->hflags = nfds;
	len = hc_encode(m, wbuf, sizeof(wbuf));
	if (len < 0)
		return len;
	return hc_sock_send(s, wbuf, len, fds, nfds);
}

/*
 * One reply within @ms. Returns: its result, -ETIMEDOUT, -ECONNRESET (EOF)
 * or -EBADMSG (not a reply). The reply's fds land in @fds (if not NULL).
 */
static hc_s64 recv_reply(int s, struct hc_msg *rep, int *fds, int *nfds, int ms)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	int got[HC_SOCK_FDS_MAX], n = 0, i;
	ssize_t len;

	if (nfds)
		*nfds = 0;
	if (poll(&p, 1, ms) != 1)
		return -ETIMEDOUT;
	len = hc_sock_recv(s, rbuf, sizeof(rbuf), got, &n);
	if (len <= 0)
		return len ? len : -ECONNRESET;
	if ((hc_decode(rep, rbuf, len) &&
	     (hc_decode_hdr(rep, rbuf, len) || rep->result >= 0 || len != HC_HDR_SIZE)) ||
	    !(rep->hflags & HC_HF_REPLY)) {
		for (i = 0; i < n; i++)
			close(got[i]);
		return -EBADMSG;
	}
	for (i = 0; i < n; i++)
		if (fds && nfds)
			fds[(*nfds)++] = got[i];
		else
			close(got[i]);
	return rep->result;
}

static hc_s64 call(int s, struct hc_msg *m, struct hc_msg *rep, int *fds, int *nfds)
{
	struct hc_msg dummy;
	hc_s64 r;

	if (!rep)
		rep = &dummy;
	if (send_msg(s, m, NULL, 0))
		return -EPIPE;
	r = recv_reply(s, rep, fds, nfds, 10000);
	if (r != -ETIMEDOUT && r != -ECONNRESET && r != -EBADMSG &&
	    (rep->tag != m->tag || rep->op != m->op))
		return -EBADMSG;
	return r;
}

static hc_s64 hello(int s, hc_u32 flags)
{
	struct hc_msg m = { .op = HC_OP_HELLO,
			    .req.hello = { .version = HC_PROTO_VERSION, .flags = flags,
					   .caps = HC_CAPS } };

	return call(s, &m, NULL, NULL, NULL);
}

static hc_s64 getcwd_call(int s)
{
	struct hc_msg m = { .op = HC_OP_GETCWD };

	return call(s, &m, NULL, NULL, NULL);
}

static hc_s64 spawn(int s, const char *argv, size_t len, int argc)
{
	struct hc_msg m = { .op = HC_OP_SPAWN,
			    .req.spawn = { .cwd = "", .argv = { argv, len, argc } } };

	return call(s, &m, NULL, NULL, NULL);
}

/* ---- hold: a subject in one state, until we are killed ---- */

static int hold(const char *sock, const char *state, const char *file)
{
	static const char sleep_argv[] = "sleep\0" "1000";
	struct hc_msg m;
	int s = sock_connect(sock), fds[HC_SOCK_FDS_MAX], n, i, fd;
	hc_s64 r, h;

	if (!strcmp(state, "nohello"))
		goto ready;
	r = hello(s, !strcmp(state, "reply") ? HC_HELLO_KEEP_HANDLES : 0);
	check(r > 0, "hold: HELLO", "r=%lld", (long long)r);
	if (!strcmp(state, "idle")) {
		goto ready;
	} else if (!strcmp(state, "forked")) {
		m = (struct hc_msg){ .op = HC_OP_FORK_SUBJECT };
		r = call(s, &m, NULL, fds, &n);
		check(r > 0 && n == 1, "hold: fork-subject", "r=%lld n=%d", (long long)r, n);
	} else if (!strcmp(state, "fifo")) {
		m = (struct hc_msg){ .op = HC_OP_OPENAT,
				     .req.openat = { .dirfd = HC_AT_FDCWD, .path = file,
						     .flags = HC_O_RDONLY } };
		send_msg(s, &m, NULL, 0);
	} else if (!strcmp(state, "wait")) {
		r = spawn(s, sleep_argv, sizeof(sleep_argv), 2);
		check(r > 0, "hold: spawn sleep", "r=%lld", (long long)r);
		printf("# host pid %lld\n", (long long)r);
		m = (struct hc_msg){ .op = HC_OP_WAIT, .req.wait.pid = r };
		send_msg(s, &m, NULL, 0);
	} else if (!strcmp(state, "lock") || !strcmp(state, "flock")) {
		/* we hold the lock on our own open file; the shadow waits for it */
		int mine = open(file, O_RDWR | O_CLOEXEC);
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		int lock = !strcmp(state, "lock");

		if (mine < 0 || (lock ? fcntl(mine, F_OFD_SETLK, &fl) : flock(mine, LOCK_EX)) < 0) {
			check(0, "hold: take the lock", "%s: %s", file, strerror(errno));
			return 1;
		}
		m = (struct hc_msg){ .op = HC_OP_OPENAT,
				     .req.openat = { .dirfd = HC_AT_FDCWD, .path = file,
						     .flags = HC_O_RDWR } };
		r = call(s, &m, NULL, fds, &n);
		check(r >= 0 && n == 1, "hold: open the locked file", "r=%lld n=%d",
		      (long long)r, n);
		if (n != 1)
			return 1;
		fd = fds[0];
		if (lock)
			m = (struct hc_msg){ .op = HC_OP_LOCK,
					     .req.lock = { .fd = HC_HANDLE_PASSED,
							   .cmd = HC_F_SETLKW,
							   .lock = { .type = HC_F_WRLCK,
								     .whence = HC_SEEK_SET } } };
		else
			m = (struct hc_msg){ .op = HC_OP_FLOCK,
					     .req.flock = { .fd = HC_HANDLE_PASSED,
							    .operation = HC_LOCK_EX } };
		send_msg(s, &m, &fd, 1);
	} else if (!strcmp(state, "reply")) {
		/* READs of 100 KiB that we never read: the shadow blocks sending */
		m = (struct hc_msg){ .op = HC_OP_OPENAT,
				     .req.openat = { .dirfd = HC_AT_FDCWD, .path = file,
						     .flags = HC_O_RDONLY } };
		h = call(s, &m, NULL, NULL, NULL);
		check(h >= 0 && h != HC_HANDLE_NONE, "hold: open a big file", "r=%lld",
		      (long long)h);
		for (i = 0; i < 16; i++) {
			m = (struct hc_msg){ .op = HC_OP_READ,
					     .req.read = { .fd = h, .off = 0,
							   .count = 100 * 1024 } };
			send_msg(s, &m, NULL, 0);
		}
	} else {
		fprintf(stderr, "faults: unknown state %s\n", state);
		return 2;
	}
ready:
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

/* ---- the relay's answers to clients that misbehave ---- */

static int zero(const char *sock)
{
	struct hc_msg rep;
	int s = sock_connect(sock);
	hc_s64 r;

	check(hello(s, 0) > 0, "zero: HELLO", "%s", "");
	if (send(s, "", 0, 0) < 0) {
		check(0, "zero: send an empty record", "%s", strerror(errno));
		return 1;
	}
	r = recv_reply(s, &rep, NULL, NULL, 3000);
	check(r == -EBADMSG && rep.tag == 0 && rep.op == 0,
	      "a 0-byte record gets an EBADMSG reply (op 0, tag 0)", "r=%lld", (long long)r);
	r = getcwd_call(s);
	check(r > 0, "the subject goes on after a 0-byte record", "getcwd r=%lld", (long long)r);
	close(s);
	return failures ? 1 : 0;
}

/* Wait up to @ms for EOF on @s. Returns: ms waited, or -1. */
static double wait_eof(int s, int ms)
{
	double t0 = now_ms();
	struct pollfd p = { .fd = s, .events = POLLIN };
	char b[64];

	while (now_ms() - t0 < ms) {
		if (poll(&p, 1, ms - (now_ms() - t0)) == 1 &&
		    (recv(s, b, sizeof(b), MSG_DONTWAIT) == 0 || (p.revents & POLLHUP)))
			return now_ms() - t0;
	}
	return -1;
}

static int silent(const char *sock, int n, int timeout_s)
{
	int s[64], extra, i, closed = 0;
	double t0 = now_ms(), t, worst = 0;
	hc_s64 r;

	if (n > 64)
		n = 64;
	for (i = 0; i < n; i++)
		s[i] = sock_connect(sock);
	extra = sock_connect(sock);
	r = hello(extra, 0);
	check(r == -EAGAIN, "silent: with every slot held, a HELLO gets EAGAIN", "r=%lld",
	      (long long)r);
	close(extra);
	for (i = 0; i < n; i++) {
		t = wait_eof(s[i], timeout_s * 1000 + 2000 - (now_ms() - t0));
		if (t >= 0) {
			closed++;
			t = now_ms() - t0;
			worst = t > worst ? t : worst;
		}
	}
	check(closed == n && worst >= timeout_s * 1000 - 100 && worst < timeout_s * 1000 + 1500,
	      "connections without HELLO are closed after --hello-timeout",
	      "%d of %d closed, the last after %.0f ms", closed, n, worst);
	printf("# %d silent connections closed, the last after %.0f ms\n", closed, worst);
	/* the relay reaps the shadows: a slot is free within a moment */
	for (i = 0; i < 50; i++) {
		extra = sock_connect(sock);
		r = hello(extra, 0);
		close(extra);
		if (r > 0)
			break;
		usleep(20000);
	}
	check(r > 0, "silent: a HELLO works once they are gone", "r=%lld", (long long)r);
	for (i = 0; i < n; i++)
		close(s[i]);
	return failures ? 1 : 0;
}

static int refused(const char *sock, int n)
{
	int first = sock_connect(sock), *s, extra, i;
	double t0;
	hc_s64 r;

	check(hello(first, 0) > 0, "refused: the one subject", "%s", "");
	s = calloc(n, sizeof(int));
	for (i = 0; i < n; i++)
		s[i] = sock_connect(sock);
	t0 = now_ms();
	extra = sock_connect(sock);
	r = hello(extra, 0);
	check(r == -EAGAIN, "refused: past the limit a HELLO still gets EAGAIN, not silence",
	      "after %d silent connections: r=%lld (%s) in %.0f ms", n, (long long)r,
	      strerror((int)-r), now_ms() - t0);
	close(extra);
	check(getcwd_call(first) > 0, "refused: the subject is still served", "%s", "");
	for (i = 0; i < n; i++)
		close(s[i]);
	close(first);
	free(s);
	return failures ? 1 : 0;
}

static int hello_time(const char *sock)
{
	double t0 = now_ms();
	int s = sock_connect(sock);
	hc_s64 r = hello(s, 0);

	if (r > 0)
		r = getcwd_call(s);
	printf("# %s %.0f ms\n", r > 0 ? "served" : strerror((int)-r), now_ms() - t0);
	close(s);
	return r > 0 ? 0 : 1;
}

/* Spawn ARGV with stdio on /dev/null, wait up to @wait_s, print the status. */
static int spawn_wait(const char *sock, int wait_s, int argc, char **argv)
{
	static char vec[HC_ARGV_MAX];
	struct hc_msg m, rep;
	size_t len = 0, l;
	int s = sock_connect(sock), i;
	hc_s64 pid, r;

	for (i = 0; i < argc; i++) {
		l = strlen(argv[i]) + 1;
		if (len + l > sizeof(vec))
			return 2;
		memcpy(vec + len, argv[i], l);
		len += l;
	}
	if (hello(s, 0) <= 0)
		return 1;
	pid = spawn(s, vec, len, argc);
	if (pid <= 0) {
		printf("spawn %s\n", strerror((int)-pid));
		return 1;
	}
	printf("pid %lld\n", (long long)pid);
	fflush(stdout);
	m = (struct hc_msg){ .op = HC_OP_WAIT, .req.wait.pid = pid };
	send_msg(s, &m, NULL, 0);
	r = recv_reply(s, &rep, NULL, NULL, wait_s * 1000);
	if (r == pid && WIFSIGNALED(rep.rep.wait.status))
		printf("signal %d\n", WTERMSIG(rep.rep.wait.status));
	else if (r == pid)
		printf("status %d\n", WEXITSTATUS(rep.rep.wait.status));
	else
		printf("wait %s\n", strerror((int)-r));
	close(s);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 4 && !strcmp(argv[1], "hold"))
		return hold(argv[2], argv[3], argc > 4 ? argv[4] : "");
	if (argc == 3 && !strcmp(argv[1], "zero"))
		return zero(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "silent"))
		return silent(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "refused"))
		return refused(argv[2], atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "hello"))
		return hello_time(argv[2]);
	if (argc >= 5 && !strcmp(argv[1], "spawn"))
		return spawn_wait(argv[2], atoi(argv[3]), argc - 4, argv + 4);
	fprintf(stderr, "usage: faults hold|zero|silent|refused|hello|spawn SOCKET ...\n");
	return 2;
}
