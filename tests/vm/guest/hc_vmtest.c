// SPDX-License-Identifier: GPL-2.0-only
/*
 * In-guest checks of /dev/hostcall and the ivshmem transport, printing
 * "HCTEST ok|fail NAME" lines. Built static by build-initramfs.sh.
 * Against tests/vm/hc_testpeer.c (GETCWD gives "/hctest-peer", WAIT answers
 * after pid ms, WAIT of pid -1 or -2 makes it answer the next HELLO as a
 * host of protocol version 2): hello, call, rtt, parallel, timeout, kill.
 * Against the real `hostcalld --ivshmem --root DIR` that tests/vm/run.sh
 * starts (DIR holds hello.txt = "hello from the host TOKEN\n", sub/ and
 * fifo; TOKEN comes on the kernel command line as hctest.token=): the hc-*
 * commands.
 *
 * usage: hc_vmtest hello | call | rtt N | parallel PROCS CALLS |
 *                  timeout MS | kill |
 *                  hc-basic | hc-fork | hc-bye N | hc-parallel PROCS CALLS |
 *                  hc-fifo HOLD_MS | hc-intr | hc-many | hc-identity | hcfs-identity |
 *                  hc-dead MS
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "devcall.h"


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

static int getcwd_call(int fd, const char **path)
{
	struct hc_msg m = { .op = HC_OP_GETCWD }, r;
	int err = devcall(fd, &m, &r);

	if (err)
		return err;
	if (r.result < 0)
		return (int)r.result;
	*path = r.rep.getcwd.path;
	return 0;
}

static int open_dev(void)
{
	return open("/dev/hostcall", O_RDWR | O_CLOEXEC);
}

/* The lines of the kernel log with @what. */
static int kmsg_count(const char *what)
{
	char rec[2048];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC), found = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	/* one record per read; EPIPE: records were overwritten, go on */
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		rec[n] = 0;
		found += strstr(rec, what) != NULL;
	}
	close(fd);
	return found;
}

/*
 * The test peer answers the next HELLO as a host of protocol version 2
 * (@how -1: it refuses it with EBADMSG; -2: its reply says version 2):
 * the open of /dev/hostcall (@mnt NULL) or a hostfs mount on @mnt fails
 * with EPROTONOSUPPORT and the kernel log says to update hostcalld.
 * Returns: 0, or the errno to fail with.
 */
static int old_host_open(int fd, int how, const char *mnt)
{
	static const char line[] =
		"speaks an older protocol than version 3: update hostcalld";
	struct hc_msg m = { .op = HC_OP_WAIT, .req.wait.pid = how }, r;
	int before = kmsg_count(line), err = devcall(fd, &m, &r), fd2;

	if (err)
		return -err;
	if (mnt) {
		if (mount("none", mnt, "hostfs", 0, NULL) == 0) {
			umount(mnt);
			return EEXIST;
		}
	} else {
		fd2 = open_dev();
		if (fd2 >= 0) {
			close(fd2);
			return EEXIST;
		}
	}
	if (errno != EPROTONOSUPPORT)
		return errno;
	return kmsg_count(line) > before ? 0 : ENOMSG;
}

static int t_hello(void)
{
	struct hostcall_info info;
	double t0 = now_us(), t1;
	int fd = open_dev(), err, how;

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
	for (how = -1; how >= -2; how--) {
		err = old_host_open(fd, how, NULL);
		if (err)
			return fail("transport-hello", how == -1 ?
				    "a host refusing HELLO (EBADMSG): not EPROTONOSUPPORT and the log line" :
				    "a host replying version 2: not EPROTONOSUPPORT and the log line",
				    err);
	}
	if (mkdir("/tmp/hc-old-host", 0755) && errno != EEXIST)
		return fail("transport-hello", "mkdir /tmp/hc-old-host", errno);
	err = old_host_open(fd, -1, "/tmp/hc-old-host");
	rmdir("/tmp/hc-old-host");
	if (err)
		return fail("transport-hello",
			    "hostfs mount with a host refusing HELLO: not EPROTONOSUPPORT and the log line",
			    err);
	close(fd);
	fd = open_dev();
	if (fd < 0)
		return fail("transport-hello", "open after the old host's", errno);
	close(fd);
	return ok("transport-hello");
}

static int t_call(void)
{
	struct hostcall_call c = { 0 };
	struct hc_msg m = { .op = HC_OP_HELLO,
			    .req.hello = { .version = HC_PROTO_VERSION } }, r;
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
	err = devcall(fd, &m, &r);
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
	struct hc_msg m = { .op = HC_OP_WAIT, .req.wait.pid = ms }, r;
	const char *path;
	double t0;
	int fd = open_dev(), err;

	if (fd < 0)
		return fail("transport-timeout", "open /dev/hostcall", errno);
	t0 = now_us();
	err = devcall(fd, &m, &r);
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
		struct hc_msg m = { .op = HC_OP_WAIT, .req.wait.pid = 3000 }, r;

		fd = open_dev();
		devcall(fd, &m, &r);
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

/* ---- against hostcalld ---- */

/* Make a request of @m's op; the other fields as given. */
static long hcall(int fd, struct hc_msg *m, struct hc_msg *r)
{
	int err = devcall(fd, m, r);

	return err ? err - 1000 : r->result;
}

static long h_open(int fd, const char *path, unsigned int wflags, unsigned int mode)
{
	struct hc_msg m = { .op = HC_OP_OPENAT,
			    .req.openat = { .dirfd = HC_AT_FDCWD, .path = path,
					    .flags = wflags, .mode = mode } }, r;

	return hcall(fd, &m, &r);
}

/* CHDIR to @path, CLOSE of @handle, or an op without fields (GETCWD). */
static long h_simple(int fd, unsigned int op, int handle, const char *path)
{
	struct hc_msg m = { .op = op }, r;

	if (op == HC_OP_CHDIR)
		m.req.chdir = (struct hc_req_chdir){ .dirfd = HC_AT_FDCWD,
						     .path = path };
	else if (op == HC_OP_CLOSE)
		m.req.close.fd = handle;
	return hcall(fd, &m, &r);
}

/* READ of up to @cap - 1 bytes at @off into @buf, NUL-terminated. */
static long h_read(int fd, long handle, long off, char *buf, size_t cap)
{
	struct hc_msg m = { .op = HC_OP_READ,
			    .req.read = { .fd = handle, .off = off,
					  .count = cap - 1 } }, r;
	long n = hcall(fd, &m, &r);
	const struct hc_blob *got = &r.rep.read.data;

	buf[0] = 0;
	if (n >= 0) {
		memcpy(buf, got->ptr, got->len < cap - 1 ? got->len : cap - 1);
		buf[got->len < cap - 1 ? got->len : cap - 1] = 0;
	}
	return n;
}

static const char *h_cwd(int fd)
{
	static char buf[256];
	const char *path = "";
	int err = getcwd_call(fd, &path);

	snprintf(buf, sizeof(buf), "%s", err ? strerror(-err) : path);
	return buf;
}

static unsigned int subject_of(int fd)
{
	struct hostcall_info info;

	return ioctl(fd, HOSTCALL_IOC_INFO, &info) ? 0 : info.subject;
}

static const char *token(void)
{
	static char tok[64];
	char line[1024], *p;
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f || !fgets(line, sizeof(line), f))
		return "";
	fclose(f);
	p = strstr(line, "hctest.token=");
	if (p && sscanf(p + 13, "%63[^ \n]", tok) == 1)
		return tok;
	return "";
}

/* HELLO, GETCWD, a host file read and a file written for the host to check. */
static int t_hc_basic(void)
{
	struct hostcall_info info;
	char want[128], got[256];
	long h, n;
	int fd = open_dev();

	if (fd < 0)
		return fail("hc-hello", "open /dev/hostcall (HELLO)", errno);
	if (ioctl(fd, HOSTCALL_IOC_INFO, &info) < 0)
		return fail("hc-hello", "HOSTCALL_IOC_INFO", errno);
	printf("HCTEST info hc-hello: subject %u, version %u, %s\n", info.subject,
	       info.version, info.transport);
	if (!info.subject || info.version != HC_PROTO_VERSION ||
	    strcmp(info.transport, "ivshmem"))
		fail("hc-hello", "unexpected handshake values", EPROTO);
	else
		ok("hc-hello");

	if (strcmp(h_cwd(fd), "/"))
		fail("hc-getcwd", h_cwd(fd), EPROTO);
	else
		ok("hc-getcwd");

	snprintf(want, sizeof(want), "hello from the host %s\n", token());
	h = h_open(fd, "hello.txt", HC_O_RDONLY, 0);
	n = h >= 0 ? h_read(fd, h, -1, got, sizeof(got)) : h;
	if (h < 0 || n < 0)
		fail("hc-read", "OPENAT+READ hello.txt", (int)-(h < 0 ? h : n));
	else if (strcmp(got, want))
		printf("HCTEST fail hc-read: read \"%s\", the host wrote \"%s\"\n", got, want);
	else
		ok("hc-read");
	h_simple(fd, HC_OP_CLOSE, h, NULL);

	snprintf(want, sizeof(want), "written by the guest %s\n", token());
	h = h_open(fd, "sub/from-guest.txt", HC_O_WRONLY | HC_O_CREAT | HC_O_TRUNC, 0644);
	if (h >= 0) {
		struct hc_msg m = { .op = HC_OP_WRITE,
				    .req.write = { .fd = h, .off = -1,
						   .data = { want, strlen(want) } } }, r;

		n = hcall(fd, &m, &r);
		h_simple(fd, HC_OP_CLOSE, h, NULL);
	}
	if (h < 0 || n != (long)strlen(want))
		fail("hc-write", "OPENAT+WRITE sub/from-guest.txt", (int)-(h < 0 ? h : n));
	else
		ok("hc-write");	/* the host side checks the file's content */
	close(fd);
	return 0;
}

/*
 * A forked child's first call makes its subject, a fork of the parent's:
 * it has the parent's host cwd and handles, and its own afterwards.
 */
static int t_hc_fork(void)
{
	char want[128], got[256], buf[512];
	int fd = open_dev(), pfd[2], status;
	unsigned int parent;
	long h;
	pid_t pid;
	ssize_t n;

	if (fd < 0 || pipe(pfd) < 0)
		return fail("hc-fork", "open /dev/hostcall", errno);
	parent = subject_of(fd);
	snprintf(want, sizeof(want), "hello from the host %s\n", token());
	h = h_open(fd, "hello.txt", HC_O_RDONLY, 0);
	h_simple(fd, HC_OP_CHDIR, 0, "sub");
	pid = fork();
	if (pid == 0) {
		unsigned int me = subject_of(fd);
		const char *cwd = h_cwd(fd);
		long r = h_read(fd, h, 0, got, sizeof(got));
		long cd = h_simple(fd, HC_OP_CHDIR, 0, "/");

		n = snprintf(buf, sizeof(buf), "%u %s %ld %ld %s", me, cwd, r, cd,
			     strcmp(got, want) ? "other-content" : "same-content");
		if (write(pfd[1], buf, n) != n)
			_exit(2);
		_exit(0);
	}
	close(pfd[1]);
	n = read(pfd[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	waitpid(pid, &status, 0);
	printf("HCTEST info hc-fork: parent subject %u, child: %s; parent cwd after: %s\n",
	       parent, buf, h_cwd(fd));
	{
		unsigned int child = 0;
		char cwd[64] = "";
		long r = -1, cd = -1;

		sscanf(buf, "%u %63s %ld %ld", &child, cwd, &r, &cd);
		if (!child || child == parent)
			fail("hc-fork", "the child has no subject of its own", EPROTO);
		else if (strcmp(cwd, "/sub") || r < 0 || !strstr(buf, "same-content"))
			fail("hc-fork", "the child's subject lacks the parent's cwd or handle", EPROTO);
		else if (cd || strcmp(h_cwd(fd), "/sub"))
			fail("hc-fork", "the child's chdir moved the parent", EPROTO);
		else
			ok("hc-fork");
	}
	close(fd);
	return 0;
}

/*
 * BYE at the last close frees the host's subjects: @n opens and closes,
 * and @n forked children each making a call, both more than the subject
 * limit run.sh gives hostcalld.
 */
static int t_hc_bye(int n)
{
	int i, fd, bad = 0, status, retries = 0;
	double t0 = now_us();

	for (i = 0; i < n && !bad; i++) {
		fd = open_dev();
		while (fd < 0 && errno == EAGAIN && retries < 100) {
			retries++;	/* the host may not have reaped the last one */
			usleep(10000);
			fd = open_dev();
		}
		if (fd < 0 || strcmp(h_cwd(fd), "/"))
			bad = fail("hc-bye", "open+GETCWD after many closes", errno);
		if (fd >= 0)
			close(fd);
	}
	printf("HCTEST info hc-bye: %d opens and closes in %.0f ms, %d EAGAIN retries\n",
	       i, (now_us() - t0) / 1e3, retries);
	if (bad)
		return 1;
	fd = open_dev();
	t0 = now_us();
	for (i = 0; i < n && !bad; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(strcmp(h_cwd(fd), "/") ? 1 : 0);
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			bad = fail("hc-bye", "a forked child's call failed", EIO);
	}
	printf("HCTEST info hc-bye: %d forked children with one call each in %.0f ms\n",
	       i, (now_us() - t0) / 1e3);
	close(fd);
	return bad ? 1 : ok("hc-bye");
}

/*
 * @procs processes at once: half open their own subject, half share the
 * parent's open file (a subject each by fork); @n calls each, answers
 * checked against each one's own host cwd.
 */
static int t_hc_parallel(int procs, int n)
{
	int shared = open_dev(), i, status, bad = 0;
	double t0 = now_us();

	if (shared < 0)
		return fail("hc-parallel", "open /dev/hostcall", errno);
	for (i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			int fd = i % 2 ? shared : open_dev(), k;
			const char *dir = i % 4 < 2 ? "/" : "/sub";

			if (fd < 0 || h_simple(fd, HC_OP_CHDIR, 0, dir))
				_exit(2);
			for (k = 0; k < n; k++)
				if (strcmp(h_cwd(fd), dir))
					_exit(3);
			_exit(0);
		}
		if (pid < 0)
			return fail("hc-parallel", "fork", errno);
	}
	for (i = 0; i < procs; i++)
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			bad = 1;
	printf("HCTEST info hc-parallel: %d processes x %d calls in %.0f ms\n",
	       procs, n, (now_us() - t0) / 1e3);
	close(shared);
	return bad ? fail("hc-parallel", "a process got a wrong answer", EIO) :
		     ok("hc-parallel");
}

static int timeout_ms(void)
{
	FILE *f = fopen("/sys/module/hostcall/parameters/timeout_ms", "r");
	int ms = -1;

	if (f) {
		if (fscanf(f, "%d", &ms) != 1)
			ms = -1;
		fclose(f);
	}
	return ms;
}

/*
 * A process blocked in a FIFO open on the host stalls its own subject only;
 * a writer from another subject releases it after @hold_ms, which may be
 * longer than timeout_ms: the host is alive, so the call waits. Then a
 * caller killed while it waits dies at once.
 */
static int t_hc_fifo(int hold_ms)
{
	int fd = open_dev(), status, bad = 0, tmo = timeout_ms();
	double t0, t1;
	long w;
	pid_t pid;

	if (fd < 0)
		return fail("hc-fifo", "open /dev/hostcall", errno);
	pid = fork();
	if (pid == 0) {
		int own = open_dev();

		_exit(own >= 0 && h_open(own, "fifo", HC_O_RDONLY, 0) >= 0 ? 0 : 1);
	}
	usleep(300000);
	t0 = now_us();
	if (strcmp(h_cwd(fd), "/") || now_us() - t0 > 1e6)
		bad = fail("hc-fifo", "another subject's call while one blocks", EIO);
	t1 = now_us();
	if (hold_ms > 300)
		usleep((hold_ms - 300) * 1000);
	w = h_open(fd, "fifo", HC_O_WRONLY, 0);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) ||
	    w < 0)
		bad = fail("hc-fifo", "the reader's open did not complete", (int)-w);
	printf("HCTEST info hc-fifo: a call of another subject took %.0f us while one blocked; "
	       "the reader's open completed after %d ms (timeout_ms %d)\n", t1 - t0,
	       hold_ms, tmo);
	h_simple(fd, HC_OP_CLOSE, w, NULL);
	close(fd);
	if (!bad)
		ok("hc-fifo");
	if (tmo > 0 && hold_ms > tmo) {
		if (bad)
			fail("hc-long-call", "a call longer than timeout_ms on a live host failed",
			     EIO);
		else
			ok("hc-long-call");
	}

	pid = fork();
	if (pid == 0) {
		int own = open_dev();

		h_open(own, "fifo", HC_O_RDONLY, 0);
		_exit(0);
	}
	usleep(300000);
	t0 = now_us();
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	printf("HCTEST info hc-kill-caller: reaped %.0f ms after SIGKILL\n",
	       (now_us() - t0) / 1e3);
	if (!WIFSIGNALED(status) || now_us() - t0 > 1e6)
		bad = fail("hc-kill-caller", "the killed caller did not die at once", EIO);
	else
		ok("hc-kill-caller");
	return bad;
}

static void on_usr1(int sig)
{
	(void)sig;
}

/*
 * A signal with a handler interrupts a FIFO open in flight on the host,
 * as it would a local one: the module cancels it there (CANCEL), the call
 * says EINTR, and the host holds the FIFO open no more: a non-blocking
 * writer then finds no reader (ENXIO). Without the cancel, the shadow's
 * worker would still sit in open(2) as a reader.
 */
static int t_hc_intr(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */
	int status, pfd[2];
	long res[2] = { 1, 1 };
	double t0, dt;
	pid_t pid;

	if (pipe(pfd) < 0)
		return fail("hc-intr-fifo", "pipe", errno);
	pid = fork();
	if (pid == 0) {
		int own = open_dev();

		close(pfd[0]);
		sigemptyset(&sa.sa_mask);
		sigaction(SIGUSR1, &sa, NULL);
		res[0] = own < 0 ? -errno : h_open(own, "fifo", HC_O_RDONLY, 0);
		res[1] = h_open(own, "fifo", HC_O_WRONLY | HC_O_NONBLOCK, 0);
		_exit(write(pfd[1], res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(pfd[1]);
	usleep(500000);
	t0 = now_us();
	kill(pid, SIGUSR1);
	if (read(pfd[0], res, sizeof(res)) != sizeof(res))
		res[0] = res[1] = 1;
	dt = (now_us() - t0) / 1e3;
	close(pfd[0]);
	waitpid(pid, &status, 0);
	printf("HCTEST info hc-intr-fifo: open %ld %.0f ms after SIGUSR1, then a non-blocking "
	       "writer %ld\n", res[0], dt, res[1]);
	if (res[0] != -EINTR || dt > 2000)
		return fail("hc-intr-fifo", "the FIFO open was not interrupted at once",
			    res[0] < 0 ? (int)-res[0] : EIO);
	if (res[1] != -ENXIO)
		return fail("hc-intr-fifo", "the host still holds the FIFO open for reading",
			    res[1] < 0 ? (int)-res[1] : EEXIST);
	return ok("hc-intr-fifo");
}

/*
 * More requests in flight than the ring has slots (63): 3 processes of 27
 * threads each (a subject has at most 32 requests in flight on the host)
 * block in the FIFO's open on the host; a call of another subject is still
 * answered at once, and one writer lets every open complete.
 */
#define HC_MANY_PROCS	3
#define HC_MANY_THREADS	27

static int many_fd;

static void *many_open(void *arg)
{
	(void)arg;
	return (void *)h_open(many_fd, "fifo", HC_O_RDONLY, 0);
}

static int many_proc(void)
{
	pthread_t thr[HC_MANY_THREADS];
	int i, n = 0;
	void *res;

	many_fd = open_dev();
	if (many_fd < 0)
		return 1;
	for (i = 0; i < HC_MANY_THREADS; i++)
		if (pthread_create(&thr[i], NULL, many_open, NULL))
			return 1;
	for (i = 0; i < HC_MANY_THREADS; i++) {
		if (pthread_join(thr[i], &res))
			continue;
		if ((long)res >= 0)
			n++;
		else
			printf("HCTEST info hc-many-inflight: pid %d: an open failed: %s\n",
			       (int)getpid(), strerror((int)-(long)res));
	}
	return n == HC_MANY_THREADS ? 0 : 1;
}

static int t_hc_many(void)
{
	int fd = open_dev(), i, status, bad = 0, done = 0;
	pid_t pids[HC_MANY_PROCS];
	double t0, dt;
	long w;

	if (fd < 0)
		return fail("hc-many-inflight", "open /dev/hostcall", errno);
	for (i = 0; i < HC_MANY_PROCS; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(many_proc());
	}
	sleep(3);
	t0 = now_us();
	if (strcmp(h_cwd(fd), "/"))
		bad = fail("hc-many-inflight", "a call while the opens wait", EIO);
	dt = (now_us() - t0) / 1e3;
	w = h_open(fd, "fifo", HC_O_WRONLY, 0);
	for (i = 0; i < HC_MANY_PROCS; i++)
		if (pids[i] > 0 && waitpid(pids[i], &status, 0) > 0 && WIFEXITED(status) &&
		    !WEXITSTATUS(status))
			done++;
	if (w >= 0)
		h_simple(fd, HC_OP_CLOSE, w, NULL);
	close(fd);
	printf("HCTEST info hc-many-inflight: %d FIFO opens in flight at once; another call "
	       "took %.0f ms; %d of %d processes saw all their opens complete once a writer "
	       "came\n", HC_MANY_PROCS * HC_MANY_THREADS, dt, done, HC_MANY_PROCS);
	if (bad)
		return 1;
	if (dt > 2000 || done != HC_MANY_PROCS || w < 0)
		return fail("hc-many-inflight", "not every open completed, or the call waited",
			    w < 0 ? (int)-w : EIO);
	return ok("hc-many-inflight");
}

/* The owner of @path as the host shows it to this subject, or -errno. */
static long h_owner(int fd, const char *path)
{
	struct hc_msg m = { .op = HC_OP_FSTATAT,
			    .req.fstatat = { .dirfd = HC_AT_FDCWD, .path = path } }, r;
	long res = hcall(fd, &m, &r);

	return res < 0 ? res : (long)r.rep.fstatat.st.uid;
}

/* Become guest uid and gid @id (fsuid and fsgid follow). */
static int become(unsigned int id)
{
	gid_t none[1] = { id };

	return setgroups(1, none) || setresgid(id, id, id) || setresuid(id, id, id) ?
	       -errno : 0;
}

/*
 * Guest users are host users (run.sh maps guest uid 1000 to a host user of
 * its own): a subject of guest uid 1000 creates files as that host user,
 * which its stat shows as uid 1000 again; guest root, unmapped, acts as
 * --user, whose files show as 65534; alice's 0600 file is EACCES for root;
 * a process that changes its uid acts as the new one from its next call and
 * keeps its working directory. The host side checks the owners (run.sh).
 */
static int t_hc_identity(void)
{
	int fd, status, pfd[2], bad = 0;
	long res[6] = { 1, 1, 1, 1, 1, 1 }, h;
	pid_t pid;

	if (pipe(pfd) < 0)
		return fail("hc-identity", "pipe", errno);
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		if (become(1000))
			_exit(2);
		fd = open_dev();
		h = fd < 0 ? -errno : h_open(fd, "sub/id-alice",
					     HC_O_WRONLY | HC_O_CREAT | HC_O_TRUNC, 0600);
		res[0] = h;
		if (h >= 0)
			h_simple(fd, HC_OP_CLOSE, h, NULL);
		res[1] = h_owner(fd, "sub/id-alice");
		_exit(write(pfd[1], res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(pfd[1]);
	if (read(pfd[0], res, sizeof(res)) != sizeof(res))
		res[0] = -EPIPE;
	close(pfd[0]);
	waitpid(pid, &status, 0);

	/* guest root: unmapped, acts as --user */
	fd = open_dev();
	h = h_open(fd, "sub/id-root", HC_O_WRONLY | HC_O_CREAT | HC_O_TRUNC, 0644);
	if (h >= 0)
		h_simple(fd, HC_OP_CLOSE, h, NULL);
	res[2] = h_owner(fd, "sub/id-root");
	res[3] = h_open(fd, "sub/id-alice", HC_O_RDONLY, 0);
	if (res[3] >= 0)
		h_simple(fd, HC_OP_CLOSE, res[3], NULL);

	/* the same process changes its uid: its next call acts as 1000 */
	pid = fork();
	if (pid == 0) {
		h_simple(fd, HC_OP_CHDIR, 0, "sub");
		if (become(1000))
			_exit(2);
		h = h_open(fd, "id-switch", HC_O_WRONLY | HC_O_CREAT | HC_O_TRUNC, 0644);
		if (h >= 0)
			h_simple(fd, HC_OP_CLOSE, h, NULL);
		/* relative to the working directory it had as root */
		_exit(h < 0 ? 3 : h_owner(fd, "id-switch") == 1000 ? 0 : 4);
	}
	waitpid(pid, &status, 0);
	res[4] = WIFEXITED(status) ? WEXITSTATUS(status) : 99;
	close(fd);
	printf("HCTEST info hc-identity: as guest uid 1000: create %ld, owner %ld; as root: "
	       "owner %ld, open of 1000's 0600 file %ld; uid changed: %ld\n", res[0], res[1],
	       res[2], res[3], res[4]);
	if (res[0] < 0 || res[1] != 1000)
		bad = fail("hc-identity", "guest uid 1000's file is not shown as its own",
			   res[1] < 0 ? (int)-res[1] : EPERM);
	else if (res[2] != 65534)
		bad = fail("hc-identity", "guest root's file (as --user) does not show as 65534",
			   EPERM);
	else if (res[3] != -EACCES)
		bad = fail("hc-identity", "guest root could open guest uid 1000's 0600 file",
			   EPERM);
	else if (res[4] != 0)
		bad = fail("hc-identity", "a process that changed its uid did not act as the new one",
			   EPERM);
	return bad ? 1 : ok("hc-identity");
}

/* In a child as guest uid and gid @id: @fn(), whose result is the exit status. */
static int as_user(unsigned int id, int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(become(id) ? 90 : fn());
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return 99;
	return WEXITSTATUS(status);
}

#define HID "/mnt/hid/sub"

/* guest uid 1000: a 0600 file and a 0700 directory with a file, looked up */
static int hid_alice(void)
{
	struct dirent *e;
	struct stat st;
	int fd = open(HID "/hfs-alice", O_WRONLY | O_CREAT | O_TRUNC, 0600), n = 0;
	DIR *d;

	if (fd < 0 || write(fd, "alice\n", 6) != 6)
		return 1;
	close(fd);
	if (stat(HID "/hfs-alice", &st) || st.st_uid != 1000)
		return 2;
	if (mkdir(HID "/hfs-priv", 0700) && errno != EEXIST)
		return 3;
	fd = open(HID "/hfs-priv/f", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 4;
	close(fd);
	/* the dentries and attributes are cached now, as after an ls -lR */
	if (stat(HID "/hfs-priv/f", &st))
		return 5;
	d = opendir(HID "/hfs-priv");
	if (!d)
		return 6;
	while ((e = readdir(d)))
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			n++;
	closedir(d);
	return n ? 7 : 0;
}

/* guest uid 1001 (unmapped: --user): none of it */
static int hid_other(void)
{
	struct stat st;
	int fd;

	fd = open(HID "/hfs-alice", O_RDONLY);
	if (fd >= 0 || errno != EACCES)
		return 1;
	if (!stat(HID "/hfs-priv/f", &st) || errno != EACCES)
		return 2;
	return 0;
}

/*
 * hostfs with guest users as host users (run.sh maps guest uid 1000): each
 * caller's operations act as its own host user, so a 0600 file of uid 1000
 * is EACCES for uid 1001, whose calls act as --user; and a file below uid
 * 1000's 0700 directory stays EACCES for uid 1001 after uid 1000 looked it
 * up (the cached step of the walk is checked). The host side checks that
 * hfs-alice is the mapped user's.
 */
static int t_hcfs_identity(void)
{
	int a, b;

	mkdir("/mnt", 0755);
	mkdir("/mnt/hid", 0755);
	if (mount("none", "/mnt/hid", "hostfs", 0, NULL))
		return fail("hcfs-identity", "mount hostfs", errno);
	a = as_user(1000, hid_alice);
	b = a ? -1 : as_user(1001, hid_other);
	umount("/mnt/hid");
	printf("HCTEST info hcfs-identity: as uid 1000: %d; as uid 1001: %d\n", a, b);
	if (a)
		return fail("hcfs-identity", "uid 1000 could not make its files as itself", EPERM);
	if (b)
		return fail("hcfs-identity", b == 1 ? "uid 1001 read uid 1000's 0600 file" :
			    "uid 1001 reached a file below uid 1000's 0700 directory", EPERM);
	return ok("hcfs-identity");
}

/*
 * hostcalld gets killed (run.sh does it when it sees "kill-hostcalld" on
 * the console): callers busy in a loop, a call on an open file and a new
 * open all fail with EIO within the module's timeout_ms (@ms, set by the
 * script), and nothing hangs.
 */
static int t_hc_dead(int ms)
{
	int fd = open_dev(), i, status, bad = 0, nproc = 4, pfd[2];
	double t0, t_fail[4], worst = 0;
	pid_t pids[4];
	long err;

	if (fd < 0 || pipe(pfd) < 0)
		return fail("hc-dead", "open /dev/hostcall", errno);
	for (i = 0; i < nproc; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			int own = i % 2 ? fd : open_dev();
			const char *path;
			double t;

			close(pfd[0]);
			while (!(err = getcwd_call(own, &path)))
				usleep(20000);
			t = now_us();
			if (write(pfd[1], &t, sizeof(t)) != sizeof(t))
				_exit(3);
			_exit(err == -EIO ? 0 : 1);
		}
	}
	close(pfd[1]);
	usleep(200000);
	t0 = now_us();
	printf("HCTEST info kill-hostcalld now\n");
	for (i = 0; i < nproc; i++) {
		if (read(pfd[0], &t_fail[i], sizeof(double)) != sizeof(double))
			t_fail[i] = now_us();
		if (t_fail[i] - t0 > worst)
			worst = t_fail[i] - t0;
	}
	for (i = 0; i < nproc; i++)
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			bad = 1;
	printf("HCTEST info hc-dead: %d busy callers all failed within %.0f ms of the kill "
	       "request (timeout_ms %d)\n", nproc, worst / 1e3, ms);
	/* the host side needs up to ~0.5 s to notice the request */
	if (bad)
		fail("hc-dead-eio", "a busy caller ended without EIO", EIO);
	else if (worst > (ms + 2000) * 1e3)
		fail("hc-dead-eio", "callers failed only after timeout_ms + 2 s", ETIMEDOUT);
	else
		ok("hc-dead-eio");

	t0 = now_us();
	err = h_simple(fd, HC_OP_GETCWD, 0, NULL);
	t_fail[0] = now_us() - t0;
	i = open_dev();
	t_fail[1] = now_us() - t0 - t_fail[0];
	printf("HCTEST info hc-dead: a call gave %ld after %.0f ms, an open gave %s after %.0f ms\n",
	       err, t_fail[0] / 1e3, i < 0 ? strerror(errno) : "success", t_fail[1] / 1e3);
	if (err != -EIO - 1000 || i >= 0 || errno != EIO)
		fail("hc-dead-nohang", "calls after the kill did not fail with EIO", EIO);
	else if (t_fail[0] > (ms + 1000) * 1e3 || t_fail[1] > (ms + 1000) * 1e3)
		fail("hc-dead-nohang", "a call took longer than timeout_ms + 1 s", ETIMEDOUT);
	else
		ok("hc-dead-nohang");
	close(fd);
	return 0;
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
	if (argc >= 2 && !strcmp(argv[1], "hc-basic"))
		return t_hc_basic();
	if (argc >= 2 && !strcmp(argv[1], "hc-fork"))
		return t_hc_fork();
	if (argc >= 3 && !strcmp(argv[1], "hc-bye"))
		return t_hc_bye(atoi(argv[2]));
	if (argc >= 4 && !strcmp(argv[1], "hc-parallel"))
		return t_hc_parallel(atoi(argv[2]), atoi(argv[3]));
	if (argc >= 3 && !strcmp(argv[1], "hc-fifo"))
		return t_hc_fifo(atoi(argv[2]));
	if (argc >= 2 && !strcmp(argv[1], "hc-intr"))
		return t_hc_intr();
	if (argc >= 2 && !strcmp(argv[1], "hc-many"))
		return t_hc_many();
	if (argc >= 2 && !strcmp(argv[1], "hc-identity"))
		return t_hc_identity();
	if (argc >= 2 && !strcmp(argv[1], "hcfs-identity"))
		return t_hcfs_identity();
	if (argc >= 3 && !strcmp(argv[1], "hc-dead"))
		return t_hc_dead(atoi(argv[2]));
	fprintf(stderr, "usage: %s hello | call | rtt N | parallel PROCS CALLS | timeout MS | kill |\n"
		"  hc-basic | hc-fork | hc-bye N | hc-parallel PROCS CALLS | hc-fifo HOLD_MS |\n"
		"  hc-intr | hc-many | hc-identity | hcfs-identity | hc-dead MS\n",
		argv[0]);
	return 2;
}
