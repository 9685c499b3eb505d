// SPDX-License-Identifier: GPL-2.0-only
/*
 * In-guest checks of stream files (HOSTCALL_IOC_SPAWN) as a poll loop sees
 * them, printing "HCTEST ok|fail NAME" lines: poll() times out while the
 * host program is silent and says POLLIN once it writes, an O_NONBLOCK read
 * with nothing there gives EAGAIN, end of file after the program exits, a
 * pty master takes keys while a read of it is pending, and a close while a
 * read is pending on the host returns at once. Needs a host that spawns
 * (run.sh --mode accept). Built static by build-initramfs.sh.
 *
 * usage: hc_streampoll
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "devcall.h"


static int fail(const char *name, const char *what, int err)
{
	printf("HCTEST fail %s: %s (%s)\n", name, what, strerror(err));
	return 1;
}

static int ok(const char *name)
{
	printf("HCTEST ok %s\n", name);
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/*
 * `sh -c SCRIPT` on the host with stdio modes @in, @out, @err (HC_STDIO_*),
 * the streams kept as handles (HC_SPAWN_KEEP); the stream fds go to @fds.
 * Returns: the host pid, or -errno.
 */
static int spawn(int dev, const char *script, unsigned int in,
		 unsigned int out, unsigned int err, int *fds)
{
	struct hostcall_spawn s = { 0 };
	struct hc_msg m = { .op = HC_OP_SPAWN }, r;
	struct hc_req_spawn *a = &m.req.spawn;
	char argv[512];
	int n, len;
	unsigned int i;

	n = snprintf(argv, sizeof(argv), "/bin/sh%c-c%c%s", 0, 0, script);
	a->argv = (struct hc_strv){ .ptr = argv, .len = n + 1, .count = 3 };
	a->flags = HC_SPAWN_NEWPGRP | HC_SPAWN_KEEPENV | HC_SPAWN_KEEP;
	a->stdin_mode = in;
	a->stdout_mode = out;
	a->stderr_mode = err;
	a->rows = 24;
	a->cols = 80;
	a->cwd = "";
	m.tag = ++devcall_tag;
	len = hc_encode(&m, reqbuf, sizeof(reqbuf));
	if (len < 0)
		return len;
	s.call.req = (unsigned long)reqbuf;
	s.call.req_len = len;
	s.call.rep = (unsigned long)repbuf;
	s.call.rep_cap = sizeof(repbuf);
	if (ioctl(dev, HOSTCALL_IOC_SPAWN, &s) < 0)
		return -errno;
	if (hc_decode(&r, repbuf, s.call.rep_len))
		return -EBADMSG;
	if (r.result < 0)
		return (int)r.result;
	for (i = 0; i < s.nfds; i++)
		fds[i] = s.fds[i];
	return (int)r.result;
}

/* Reap host process @pid (killed first with @sig if not 0); its status. */
static int reap(int dev, int pid, int sig)
{
	struct hc_msg m = { .op = HC_OP_KILL,
			    .req.kill = { .pid = pid, .sig = sig } }, r;
	long end = now_ms() + 10000;

	if (sig)
		devcall(dev, &m, &r);
	while (now_ms() < end) {
		m = (struct hc_msg){ .op = HC_OP_WAIT,
				     .req.wait = { .pid = pid,
						   .flags = HC_WAIT_NOHANG } };
		if (devcall(dev, &m, &r) || r.result < 0)
			return -1;
		if (r.result == pid)
			return (int)r.rep.wait.status;
		usleep(10000);
	}
	return -1;
}

/* Read from @fd until @want shows up or @ms pass, polling. */
static int read_until(int fd, const char *want, int ms, char *buf, size_t cap)
{
	size_t got = 0;
	long end = now_ms() + ms;

	buf[0] = 0;
	while (!strstr(buf, want) && now_ms() < end && got + 1 < cap) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pf, 1, (int)(end - now_ms())) <= 0)
			break;
		n = read(fd, buf + got, cap - 1 - got);
		if (n <= 0)
			break;
		got += n;
		buf[got] = 0;
	}
	return strstr(buf, want) ? 0 : -1;
}

/* Pipes: stdin and stdout of a host shell that echoes one line. */
static int t_pipes(int dev)
{
	struct pollfd pf;
	char buf[256];
	int fds[HOSTCALL_SPAWN_FDS], pid, bad = 0, r, st;
	long t0;
	ssize_t n;

	pid = spawn(dev, "read x; echo \"got $x\"; cat >/dev/null",
		    HC_STDIO_PIPE, HC_STDIO_PIPE, HC_STDIO_NULL, fds);
	if (pid < 0)
		return fail("stream-poll-timeout", "spawn with pipes", -pid);
	/* fds[0]: the program's stdin, fds[1]: its stdout */
	pf = (struct pollfd){ .fd = fds[1], .events = POLLIN };
	t0 = now_ms();
	r = poll(&pf, 1, 300);
	if (r != 0 || now_ms() - t0 < 250)
		bad |= fail("stream-poll-timeout", "poll of a silent program's stdout did not time out",
			    r < 0 ? errno : EINVAL);
	else
		ok("stream-poll-timeout");
	pf = (struct pollfd){ .fd = fds[0], .events = POLLOUT };
	if (poll(&pf, 1, 0) != 1 || !(pf.revents & POLLOUT))
		bad |= fail("stream-poll-out", "stdin pipe not writable", EINVAL);
	else
		ok("stream-poll-out");

	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	n = read(fds[1], buf, sizeof(buf));
	if (n >= 0 || errno != EAGAIN)
		bad |= fail("stream-nonblock", "O_NONBLOCK read with nothing there",
			    n < 0 ? errno : EINVAL);
	else
		ok("stream-nonblock");

	if (write(fds[0], "hi\n", 3) != 3)
		bad |= fail("stream-poll-in", "write to stdin", errno);
	pf = (struct pollfd){ .fd = fds[1], .events = POLLIN };
	r = poll(&pf, 1, 10000);
	n = r == 1 && (pf.revents & POLLIN) ? read(fds[1], buf, sizeof(buf) - 1) : -1;
	if (n < 0 || (buf[n] = 0, strcmp(buf, "got hi\n")))
		bad |= fail("stream-poll-in", "no 'got hi' after POLLIN", n < 0 ? errno : EINVAL);
	else
		ok("stream-poll-in");

	/* EOF on stdin ends the program: POLLIN and end of file on stdout */
	close(fds[0]);
	r = poll(&pf, 1, 10000);
	n = r == 1 ? read(fds[1], buf, sizeof(buf)) : -1;
	st = reap(dev, pid, 0);
	if (n != 0 || !(pf.revents & (POLLIN | POLLHUP)) || st != 0)
		bad |= fail("stream-eof", "no end of file after the program's exit",
			    n < 0 ? errno : EINVAL);
	else
		ok("stream-eof");
	close(fds[1]);
	return bad;
}

/* A pty: keys written while a read of the master is pending on the host. */
static int t_pty(int dev)
{
	char buf[4096];
	int fds[HOSTCALL_SPAWN_FDS], pid, bad = 0, st;
	ssize_t n;

	pid = spawn(dev, "read x; echo \"got-$x\"",
		    HC_STDIO_PTY, HC_STDIO_PTY, HC_STDIO_PTY, fds);
	if (pid < 0)
		return fail("stream-pty", "spawn with a pty", -pid);
	usleep(200000);		/* the reader thread's READ is at the host */
	if (write(fds[0], "abc\r", 4) != 4)
		bad |= fail("stream-pty", "write to the pty master", errno);
	else if (read_until(fds[0], "got-abc", 10000, buf, sizeof(buf)))
		bad |= fail("stream-pty", "no 'got-abc' from the pty", ETIMEDOUT);
	st = reap(dev, pid, 0);
	/* the program is gone: the master reads to EIO (or end of file) */
	do {
		struct pollfd pf = { .fd = fds[0], .events = POLLIN };

		n = -1;
		errno = ETIMEDOUT;
		if (poll(&pf, 1, 10000) != 1)
			break;
		n = read(fds[0], buf, sizeof(buf));
	} while (n > 0);
	if (!bad && (st != 0 || (n != 0 && errno != EIO)))
		bad |= fail("stream-pty", "pty master after the program's exit",
			    n < 0 ? errno : EINVAL);
	else if (!bad)
		ok("stream-pty");
	close(fds[0]);
	return bad;
}

/* Close a stream whose READ waits on the host: close must not wait. */
static int t_close_busy(int dev)
{
	int fds[HOSTCALL_SPAWN_FDS], pid;
	long t0, dt;

	pid = spawn(dev, "exec sleep 30",
		    HC_STDIO_NULL, HC_STDIO_PIPE, HC_STDIO_NULL, fds);
	if (pid < 0)
		return fail("stream-close-busy", "spawn", -pid);
	usleep(200000);
	t0 = now_ms();
	close(fds[0]);
	dt = now_ms() - t0;
	reap(dev, pid, SIGKILL);
	if (dt > 1000)
		return fail("stream-close-busy", "close took over a second", ETIMEDOUT);
	return ok("stream-close-busy");
}

int main(void)
{
	int dev = open("/dev/hostcall", O_RDWR | O_CLOEXEC), bad = 0;

	if (dev < 0)
		return fail("stream-poll-timeout", "open /dev/hostcall", errno);
	setvbuf(stdout, NULL, _IOLBF, 0);
	bad |= t_pipes(dev);
	bad |= t_pty(dev);
	bad |= t_close_busy(dev);
	close(dev);
	return bad;
}
