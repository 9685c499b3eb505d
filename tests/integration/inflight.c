// SPDX-License-Identifier: GPL-2.0-only
/*
 * Requests in flight through the public API (libhostcall): a thread's
 * blocking hostcall does not hold up the others, and the async waits of
 * hostcall.h. Driven by inflight.sh.
 *
 * Usage: inflight CASE DIR  (DIR: a directory the shadow's user may write,
 * the same path on the host and here)
 *   wait   thread A waits (hc_wait) for a host `sleep 2` while thread B makes
 *          100 hostcalls (hc_fstatat, hc_getcwd): B is done well before A
 *   fifo   thread A opens a host FIFO for reading (it waits for a writer)
 *          while thread B makes 100 hostcalls and then opens it for writing
 *   async  hc_wait_start/_fd/_result/_cancel, and hc_wait() interrupted by a
 *          signal handler that calls hc_kill()
 * Output: "ok - name" / "not ok - name" with a "# " reason; exit status 1
 * if anything failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hostcall.h"

static int failures;

static void check(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s - %s\n", ok ? "ok" : "not ok", name);
	if (!ok) {
		failures++;
		printf("# ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	fflush(stdout);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static pid_t spawn(const char *const *argv)
{
	struct hc_spawn sp = { .argv = argv };
	struct hc_proc p;
	int r;

	sp.stdio[0] = sp.stdio[1] = sp.stdio[2] = HC_IO_NULL;
	r = hc_spawn(&sp, &p);
	if (r < 0) {
		check(0, "spawn", "hc_spawn %s: %s", argv[0], strerror(-r));
		return -1;
	}
	return p.pid;
}

/* thread B: 100 quick hostcalls */
struct quick {
	double done;
	int bad;
};

static void *quick_calls(void *arg)
{
	struct quick *q = arg;
	char cwd[4096];
	struct stat st;
	int i;

	for (i = 0; i < 100; i++)
		if ((i % 2 ? hc_getcwd(cwd, sizeof(cwd)) : hc_fstatat(AT_FDCWD, "/", &st, 0)) < 0)
			q->bad++;
	q->done = now();
	return NULL;
}

struct waiter {
	pid_t pid;
	int r, status;
	double done;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;

	w->r = hc_wait(w->pid, &w->status, 0);
	w->done = now();
	return NULL;
}

static void case_wait(void)
{
	const char *argv[] = { "sleep", "2", NULL };
	struct waiter w = { 0 };
	struct quick q = { 0 };
	pthread_t a, b;
	double t0;

	w.pid = spawn(argv);
	if (w.pid < 0)
		return;
	t0 = now();
	pthread_create(&a, NULL, wait_thread, &w);
	usleep(100000);		/* A's WAIT is on its way */
	pthread_create(&b, NULL, quick_calls, &q);
	pthread_join(b, NULL);
	pthread_join(a, NULL);
	check(q.bad == 0, "100 hostcalls of thread B succeed", "%d failed", q.bad);
	check(q.done - t0 < 1.0, "thread B is done well before A's wait returns",
	      "B took %.2f s", q.done - t0);
	check(w.r == w.pid && WIFEXITED(w.status) && WEXITSTATUS(w.status) == 0 &&
	      w.done - t0 > 1.5, "thread A's hc_wait returns when the sleep ends",
	      "hc_wait = %d, status %#x, after %.2f s", w.r, w.status, w.done - t0);
}

struct opener {
	const char *path;
	int fd;
	double done;
};

static void *fifo_reader(void *arg)
{
	struct opener *o = arg;

	o->fd = hc_openat(AT_FDCWD, o->path, O_RDONLY | O_CLOEXEC, 0);
	o->done = now();
	return NULL;
}

static void case_fifo(const char *dir)
{
	char path[4096];
	struct opener o = { .path = path, .fd = -1 };
	struct quick q = { 0 };
	pthread_t a, b;
	double t0, limit;
	int r, wfd;

	snprintf(path, sizeof(path), "%s/fifo", dir);
	hc_unlinkat(AT_FDCWD, path, 0);
	r = hc_mknodat(AT_FDCWD, path, S_IFIFO | 0666, 0);
	if (r < 0) {
		check(0, "mkfifo on the host", "%s", strerror(-r));
		return;
	}
	t0 = now();
	pthread_create(&a, NULL, fifo_reader, &o);
	usleep(100000);		/* A's open waits for a writer */
	pthread_create(&b, NULL, quick_calls, &q);
	/* without requests in flight B waits behind A for ever: give up then */
	for (limit = t0 + 3; !q.done && now() < limit;)
		usleep(10000);
	if (!q.done) {
		check(0, "thread B's hostcalls go on while A's FIFO open waits",
		      "B not done after 3 s");
		/* let the shadow's open end, and leave without the threads */
		wfd = open(path, O_WRONLY | O_NONBLOCK);
		(void)wfd;
		printf("# fifo: giving up\n");
		fflush(stdout);
		_exit(1);
	}
	pthread_join(b, NULL);
	check(q.bad == 0 && q.done - t0 < 1.5,
	      "thread B's hostcalls go on while A's FIFO open waits",
	      "%d failed, %.2f s", q.bad, q.done - t0);
	wfd = hc_openat(AT_FDCWD, path, O_WRONLY | O_CLOEXEC, 0);
	pthread_join(a, NULL);
	check(wfd >= 0 && o.fd >= 0, "B's open for writing lets A's open end",
	      "writer %d, reader %d", wfd, o.fd);
	if (wfd >= 0 && o.fd >= 0) {
		char c = 0;

		r = write(wfd, "x", 1) == 1 && read(o.fd, &c, 1) == 1 && c == 'x';
		check(r, "the two ends are one FIFO", "read %d", c);
	}
	if (wfd >= 0)
		close(wfd);
	if (o.fd >= 0)
		close(o.fd);
	hc_unlinkat(AT_FDCWD, path, 0);
}

static volatile pid_t kill_pid;
static volatile int kill_r = 1;

static void on_alarm(int sig)
{
	(void)sig;
	kill_r = hc_kill(kill_pid, SIGTERM);
}

static int wait_fd_for(pid_t pid, int *st, double secs)
{
	double end = now() + secs;
	int fd = hc_wait_fd(), r;

	while ((r = hc_wait_result(pid, st)) == 0 && now() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		poll(&p, 1, 100);
	}
	return r;
}

static void case_async(void)
{
	const char *sleep30[] = { "sleep", "30", NULL };
	const char *exit7[] = { "sh", "-c", "sleep 0.3; exit 7", NULL };
	struct sigaction sa;
	pid_t pid;
	int r, st = 0;

	r = hc_wait_fd();
	if (r < 0) {
		check(0, "the host offers requests in flight", "hc_wait_fd: %s", strerror(-r));
		return;
	}
	pid = spawn(sleep30);
	if (pid < 0)
		return;
	r = hc_wait_start(pid);
	check(r == 0, "hc_wait_start", "%s", strerror(-r));
	check(hc_wait_fd() >= 0, "hc_wait_fd", "%d", hc_wait_fd());
	r = hc_wait_result(pid, &st);
	check(r == 0, "hc_wait_result before the end is 0", "%d", r);
	r = hc_wait_start(pid);
	check(r == -EBUSY, "a second hc_wait_start of one pid is -EBUSY", "%d", r);
	r = hc_wait_cancel(pid);
	check(r == 0, "hc_wait_cancel", "%s", strerror(-r));
	r = wait_fd_for(pid, &st, 5);
	check(r == -EINTR, "a cancelled async wait ends -EINTR", "%d", r);
	r = hc_wait_result(pid, &st);
	check(r == -ECHILD, "and is over", "%d", r);

	/* hc_wait() interrupted by a handler that makes a hostcall */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	kill_pid = pid;
	alarm(1);
	r = hc_wait(pid, &st, 0);
	check(kill_r == 0, "hc_kill from a signal handler during hc_wait", "%d", kill_r);
	if (r == -EINTR)
		r = hc_wait(pid, &st, 0);
	check(r == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
	      "hc_wait then gives the signal's end", "%d, status %#x", r, st);

	pid = spawn(exit7);
	if (pid < 0)
		return;
	r = hc_wait_start(pid);
	if (r == 0)
		r = wait_fd_for(pid, &st, 5);
	check(r == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7,
	      "an async wait gives the exit status", "%d, status %#x", r, st);
}

int main(int argc, char **argv)
{
	int r;

	if (argc != 3) {
		fprintf(stderr, "usage: inflight wait|fifo|async DIR\n");
		return 2;
	}
	r = hc_connect();
	if (r < 0) {
		check(0, "connect", "%s", strerror(-r));
		return 1;
	}
	if (!strcmp(argv[1], "wait"))
		case_wait();
	else if (!strcmp(argv[1], "fifo"))
		case_fifo(argv[2]);
	else if (!strcmp(argv[1], "async"))
		case_async();
	else
		return 2;
	return failures ? 1 : 0;
}
