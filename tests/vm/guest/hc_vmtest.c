// SPDX-License-Identifier: GPL-2.0-only
/*
 * In-guest checks of /dev/hostcall and the ivshmem transport, printing
 * "HCTEST ok|fail NAME" lines. Built static by build-initramfs.sh. The
 * expected answers are those of tests/vm/hc_testpeer.c (GETCWD gives
 * "/hctest-peer", WAIT answers after arg ms).
 *
 * usage: hc_vmtest hello | call | rtt N | parallel PROCS CALLS |
 *                  timeout MS | kill
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hostcall_proto.h"
#include "hostcall_dev.h"

static unsigned char reqbuf[HC_MSG_MAX], repbuf[HC_MSG_MAX];

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int fail(const char *name, const char *fmt, int err)
{
	printf("HCTEST fail %s: %s (%s)\n", name, fmt, strerror(err));
	return 1;
}

static int ok(const char *name)
{
	printf("HCTEST ok %s\n", name);
	return 0;
}

/* One hostcall through the ioctl; returns 0 or -errno, reply in @r. */
static int call(int fd, struct hc_msg *m, struct hc_msg *r)
{
	static unsigned int tag;
	struct hostcall_call c = { 0 };
	int len;

	m->tag = ++tag;
	len = hc_encode(m, reqbuf, sizeof(reqbuf));
	if (len < 0)
		return len;
	c.req = (unsigned long)reqbuf;
	c.req_len = len;
	c.rep = (unsigned long)repbuf;
	c.rep_cap = sizeof(repbuf);
	if (ioctl(fd, HOSTCALL_IOC_CALL, &c) < 0)
		return -errno;
	if (hc_decode(r, repbuf, c.rep_len))
		return -EBADMSG;
	if (r->op != m->op || r->tag != m->tag || !(r->hflags & HC_HF_REPLY))
		return -EPROTO;
	return 0;
}

static int getcwd_call(int fd, const char **path)
{
	struct hc_msg m = { .op = HC_OP_GETCWD }, r;
	int err = call(fd, &m, &r);

	if (err)
		return err;
	if (r.result < 0)
		return (int)r.result;
	*path = r.path;
	return 0;
}

static int open_dev(void)
{
	return open("/dev/hostcall", O_RDWR | O_CLOEXEC);
}

static int t_hello(void)
{
	struct hostcall_info info;
	double t0 = now_us(), t1;
	int fd = open_dev();

	t1 = now_us();
	if (fd < 0)
		return fail("transport-hello", "open /dev/hostcall (HELLO)", errno);
	if (ioctl(fd, HOSTCALL_IOC_INFO, &info) < 0)
		return fail("transport-hello", "HOSTCALL_IOC_INFO", errno);
	printf("HCTEST info transport-hello: subject %u, version %u, msg_max %u, %s, open %.0f us\n",
	       info.subject, info.version, info.msg_max, info.transport, t1 - t0);
	if (info.subject != 4242 || info.version != HC_PROTO_VERSION ||
	    info.msg_max != HC_MSG_MAX || strcmp(info.transport, "ivshmem"))
		return fail("transport-hello", "unexpected handshake values", EPROTO);
	close(fd);
	return ok("transport-hello");
}

static int t_call(void)
{
	struct hostcall_call c = { 0 };
	struct hc_msg m = { .op = HC_OP_HELLO, .arg = 1 }, r;
	const char *path = NULL;
	int fd = open_dev(), err, bad = 0;

	if (fd < 0)
		return fail("transport-call", "open /dev/hostcall", errno);
	err = getcwd_call(fd, &path);
	if (err)
		bad |= fail("transport-call", "GETCWD", -err);
	else if (strcmp(path, "/hctest-peer"))
		bad |= fail("transport-call", "GETCWD gave another path", EPROTO);
	else
		ok("transport-call");

	/* The module refuses what it must not forward. */
	err = call(fd, &m, &r);
	if (err != -EINVAL)
		bad |= fail("transport-refuse", "HELLO through the ioctl not refused", -err);
	memset(reqbuf, 0xa5, 64);
	c.req = (unsigned long)reqbuf;
	c.req_len = 64;
	c.rep = (unsigned long)repbuf;
	c.rep_cap = sizeof(repbuf);
	if (ioctl(fd, HOSTCALL_IOC_CALL, &c) == 0 || errno != EINVAL)
		bad |= fail("transport-refuse", "garbage request not refused", errno);
	c.req_len = HC_MSG_MAX + 1;
	if (ioctl(fd, HOSTCALL_IOC_CALL, &c) == 0 || errno != EINVAL)
		bad |= fail("transport-refuse", "oversized request not refused", errno);
	c.req = 16;
	c.req_len = 64;
	if (ioctl(fd, HOSTCALL_IOC_CALL, &c) == 0 || errno != EFAULT)
		bad |= fail("transport-refuse", "bad pointer not refused", errno);
	if (!bad)
		ok("transport-refuse");
	close(fd);
	return bad;
}

static int t_rtt(int n)
{
	const char *path;
	double t0;
	int fd = open_dev(), i, err;

	if (fd < 0)
		return fail("transport-rtt", "open /dev/hostcall", errno);
	t0 = now_us();
	for (i = 0; i < n; i++) {
		err = getcwd_call(fd, &path);
		if (err)
			return fail("transport-rtt", "GETCWD", -err);
	}
	printf("HCTEST info transport-rtt: %d calls, %.1f us per round trip (TCG)\n",
	       n, (now_us() - t0) / n);
	close(fd);
	return ok("transport-rtt");
}

/* @procs processes, each its own subject, @n calls each, all at once. */
static int t_parallel(int procs, int n)
{
	int i, status, bad = 0;
	double t0 = now_us();

	for (i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			const char *path;
			int fd = open_dev(), k;

			if (fd < 0)
				_exit(2);
			for (k = 0; k < n; k++)
				if (getcwd_call(fd, &path) || strcmp(path, "/hctest-peer"))
					_exit(3);
			_exit(0);
		}
		if (pid < 0)
			return fail("transport-parallel", "fork", errno);
	}
	for (i = 0; i < procs; i++)
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			bad = 1;
	printf("HCTEST info transport-parallel: %d processes x %d calls in %.0f ms\n",
	       procs, n, (now_us() - t0) / 1e3);
	return bad ? fail("transport-parallel", "a child failed", EIO) :
		     ok("transport-parallel");
}

/* A call the host answers after @ms ms fails with EIO at the module's timeout. */
static int t_timeout(int ms)
{
	struct hc_msg m = { .op = HC_OP_WAIT, .arg = ms }, r;
	const char *path;
	double t0;
	int fd = open_dev(), err;

	if (fd < 0)
		return fail("transport-timeout", "open /dev/hostcall", errno);
	t0 = now_us();
	err = call(fd, &m, &r);
	printf("HCTEST info transport-timeout: WAIT %d ms gave %d after %.0f ms\n",
	       ms, err, (now_us() - t0) / 1e3);
	if (err != -EIO)
		return fail("transport-timeout", "slow call did not fail with EIO", -err);
	/* The abandoned slot is the host's until it answers; others work. */
	err = getcwd_call(fd, &path);
	if (err)
		return fail("transport-timeout", "call after the timeout", -err);
	close(fd);
	return ok("transport-timeout");
}

/* A process killed while it waits for the host exits at once. */
static int t_kill(void)
{
	int status, fd;
	double t0;
	pid_t pid = fork();

	if (pid == 0) {
		struct hc_msg m = { .op = HC_OP_WAIT, .arg = 3000 }, r;

		fd = open_dev();
		call(fd, &m, &r);
		_exit(0);
	}
	if (pid < 0)
		return fail("transport-kill", "fork", errno);
	usleep(300000);
	t0 = now_us();
	kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) < 0)
		return fail("transport-kill", "waitpid", errno);
	printf("HCTEST info transport-kill: reaped %.0f ms after SIGKILL\n",
	       (now_us() - t0) / 1e3);
	if (!WIFSIGNALED(status) || now_us() - t0 > 1e6)
		return fail("transport-kill", "the killed caller did not die at once", EIO);
	return ok("transport-kill");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "hello"))
		return t_hello();
	if (argc >= 2 && !strcmp(argv[1], "call"))
		return t_call();
	if (argc >= 3 && !strcmp(argv[1], "rtt"))
		return t_rtt(atoi(argv[2]));
	if (argc >= 4 && !strcmp(argv[1], "parallel"))
		return t_parallel(atoi(argv[2]), atoi(argv[3]));
	if (argc >= 3 && !strcmp(argv[1], "timeout"))
		return t_timeout(atoi(argv[2]));
	if (argc >= 2 && !strcmp(argv[1], "kill"))
		return t_kill();
	fprintf(stderr, "usage: %s hello | call | rtt N | parallel PROCS CALLS | timeout MS | kill\n",
		argv[0]);
	return 2;
}
