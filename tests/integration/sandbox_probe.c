// SPDX-License-Identifier: GPL-2.0-only
/*
 * sandbox_probe: the shadow's sandbox seen from inside and from a client.
 *
 *   sandbox_probe filter kill   install the shadow's seccomp filter with the
 *                               function hostcalld uses (host/sandbox.c, built
 *                               in) in one child per case and show what each
 *                               kind of call gets: allowed, EPERM, ENOSYS, or
 *                               the process killed by SIGSYS
 *   sandbox_probe filter log    the same filter in --seccomp log mode: what
 *                               kill mode refuses or kills is let through
 *   sandbox_probe winsize SOCK  WINSIZE resizes the pty its program was given,
 *                               never a pty that later got the same number
 *
 * Output: "ok - name" / "not ok - name # detail"; exit status 1 on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "hostd.h"

static int failures;

static void check(int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void check(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("ok - %s\n", name);
		fflush(stdout);
		return;
	}
	failures++;
	printf("not ok - %s # ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* ---- the filter ---- */

/* A case: runs under the filter; returns 0 if the call did what it should. */
typedef int probe_fn(void);

static int expect_errno(long r, int err)
{
	return r == -1 && errno == err ? 0 : 1;
}

static int probe_allowed(void)
{
	char buf[4];
	int p[2], status;
	pid_t pid;

	/* what fork-subject does: a fork, a pipe, a wait */
	if (pipe2(p, O_CLOEXEC) < 0)
		return 1;
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0)
		_exit(write(p[1], "hi", 2) == 2 ? 0 : 1);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return 3;
	return read(p[0], buf, sizeof(buf)) == 2 ? 0 : 4;
}

static int probe_clone3(void)
{
	return expect_errno(syscall(SYS_clone3, NULL, 0), ENOSYS);
}

static int probe_socket(void)
{
	return expect_errno(socket(AF_INET, SOCK_STREAM, 0), EPERM);
}

static int probe_setuid(void)
{
	return expect_errno(syscall(SYS_setuid, 0), EPERM);
}

static int probe_dumpable(void)
{
	return expect_errno(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), EPERM);
}

static int probe_ptrace(void)
{
	syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
	return 0;
}

static int probe_unshare(void)
{
	syscall(SYS_unshare, CLONE_NEWUSER);
	return 0;
}

static int probe_clone_ns(void)
{
	pid_t pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);

	if (pid == 0)
		_exit(0);
	return 0;
}

static int probe_mount(void)
{
	syscall(SYS_mount, "none", "/", "tmpfs", 0, NULL);
	return 0;
}

static int probe_execve(void)
{
	char *argv[] = { "true", NULL };

	syscall(SYS_execve, "/bin/true", argv, NULL);
	return 0;
}

static int probe_tiocsti(void)
{
	char c = 'x';

	syscall(SYS_ioctl, 2, TIOCSTI, &c);
	return 0;
}

static int probe_io_uring(void)
{
	char params[120] = { 0 };

	syscall(SYS_io_uring_setup, 1, params);
	return 0;
}

/* A fork of a shadow (fork-subject) is under the filter too. */
static int probe_forked_ptrace(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 1;
	if (pid == 0) {
		syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return 2;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS ? 0 : 3;
}

static int probe_log_socket(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);

	return s >= 0 ? 0 : 1;
}

/* Run @fn in a child under the filter in @mode; its wait status. */
static int run(int mode, probe_fn *fn)
{
	int status, err;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(100);
		err = hostd_sandbox_seccomp(mode);
		if (err) {
			fprintf(stderr, "sandbox_probe: hostd_sandbox_seccomp: %s\n",
				strerror(-err));
			_exit(101);
		}
		_exit(fn());
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static const char *status_str(int status)
{
	static char buf[64];

	if (status == -1)
		return "fork/wait failed";
	if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(status));
	return buf;
}

static void expect_ok(int mode, const char *name, probe_fn *fn)
{
	int st = run(mode, fn);

	check(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, name, "%s", status_str(st));
}

static void expect_killed(int mode, const char *name, probe_fn *fn)
{
	int st = run(mode, fn);

	check(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, name,
	      "%s, want killed by SIGSYS (%d)", status_str(st), SIGSYS);
}

static void filter_kill(void)
{
	const int m = HOSTD_SECCOMP_KILL;

	expect_ok(m, "filter: fork, pipe, write, read and wait are allowed", probe_allowed);
	expect_ok(m, "filter: clone3 gives ENOSYS (glibc falls back to clone)", probe_clone3);
	expect_ok(m, "filter: socket(AF_INET) gives EPERM (not in the allowlist)", probe_socket);
	expect_ok(m, "filter: setuid gives EPERM", probe_setuid);
	expect_ok(m, "filter: prctl(PR_SET_DUMPABLE, 1) gives EPERM", probe_dumpable);
	expect_killed(m, "filter: ptrace kills the process (SIGSYS)", probe_ptrace);
	expect_killed(m, "filter: unshare(CLONE_NEWUSER) kills", probe_unshare);
	expect_killed(m, "filter: clone with CLONE_NEWUSER kills", probe_clone_ns);
	expect_killed(m, "filter: mount kills", probe_mount);
	expect_killed(m, "filter: execve kills (the spawner runs programs)", probe_execve);
	expect_killed(m, "filter: ioctl TIOCSTI kills", probe_tiocsti);
	expect_killed(m, "filter: io_uring_setup kills", probe_io_uring);
	expect_ok(m, "filter: a fork of a filtered process is filtered (ptrace kills it)",
		  probe_forked_ptrace);
}

static void filter_log(void)
{
	const int m = HOSTD_SECCOMP_LOG;
	int st;

	expect_ok(m, "log mode: fork, pipe, write, read and wait are allowed", probe_allowed);
	expect_ok(m, "log mode: clone3 still gives ENOSYS", probe_clone3);
	expect_ok(m, "log mode: socket(AF_INET) is let through", probe_log_socket);
	st = run(m, probe_ptrace);
	check(st != -1 && WIFEXITED(st), "log mode: ptrace does not kill", "%s",
	      status_str(st));
	st = run(m, probe_tiocsti);
	check(st != -1 && WIFEXITED(st), "log mode: ioctl TIOCSTI does not kill", "%s",
	      status_str(st));
}

/* ---- WINSIZE ---- */

static hc_u32 next_tag = 1;

static int sock_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "sandbox_probe: connect %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return s;
}

/* One request/reply; the reply's fds land in @fds (room for HC_SOCK_FDS_MAX). */
static hc_s64 call(int s, struct hc_msg *m, struct hc_msg *rep, int *fds, int *nfds)
{
	static unsigned char buf[HC_MSG_MAX];
	struct pollfd p = { .fd = s, .events = POLLIN };
	int len;
	ssize_t n;

	*nfds = 0;
	m->tag = next_tag++;
	len = hc_encode(m, buf, sizeof(buf));
	if (len < 0)
		return len;
	if (hc_sock_send(s, buf, len, NULL, 0))
		return -EIO;
	if (poll(&p, 1, 10000) != 1)
		return -ETIMEDOUT;
	n = hc_sock_recv(s, buf, sizeof(buf), fds, nfds);
	if (n <= 0 || hc_decode(rep, buf, n))
		return -EBADMSG;
	return rep->result;
}

static int subject(const char *path)
{
	struct hc_msg m = { .op = HC_OP_HELLO,
			    .req.hello = { .version = HC_PROTO_VERSION, .caps = HC_CAPS } }, rep;
	int s = sock_connect(path), fds[HC_SOCK_FDS_MAX], n;

	if (call(s, &m, &rep, fds, &n) < 0) {
		fprintf(stderr, "sandbox_probe: HELLO failed\n");
		exit(2);
	}
	return s;
}

/* Spawn @argv (NUL-separated, @argc strings) on a 24x80 pty; its master. */
static hc_s64 spawn_pty(int s, const char *argv, hc_u32 argvlen, hc_u32 argc,
			int *master)
{
	struct hc_msg m = {
		.op = HC_OP_SPAWN,
		.req.spawn = { .flags = HC_SPAWN_SETSID, .cwd = "",
			       .argv = { argv, argvlen, argc },
			       .stdin_mode = HC_STDIO_PTY, .stdout_mode = HC_STDIO_PTY,
			       .stderr_mode = HC_STDIO_PTY, .rows = 24, .cols = 80 },
	}, rep;
	int fds[HC_SOCK_FDS_MAX], n, i;
	hc_s64 r = call(s, &m, &rep, fds, &n);

	if (r < 0 || n != 1) {
		for (i = 0; i < n; i++)
			close(fds[i]);
		return r < 0 ? r : -EBADMSG;
	}
	*master = fds[0];
	return r;
}

static hc_s64 simple(int s, struct hc_msg m)
{
	struct hc_msg rep;
	int fds[HC_SOCK_FDS_MAX], n;

	return call(s, &m, &rep, fds, &n);
}

static hc_s64 op_winsize(int s, hc_s32 pid, hc_u32 rows, hc_u32 cols)
{
	return simple(s, (struct hc_msg){ .op = HC_OP_WINSIZE,
			 .req.winsize = { .pid = pid, .rows = rows, .cols = cols } });
}

static hc_s64 op_kill(int s, hc_s32 pid, hc_u32 sig)
{
	return simple(s, (struct hc_msg){ .op = HC_OP_KILL,
			 .req.kill = { .pid = pid, .sig = sig } });
}

static hc_s64 op_wait(int s, hc_s32 pid)
{
	return simple(s, (struct hc_msg){ .op = HC_OP_WAIT, .req.wait.pid = pid });
}

static int pty_number(int master)
{
	unsigned int n;

	return ioctl(master, TIOCGPTN, &n) < 0 ? -1 : (int)n;
}

static void winsize(const char *path)
{
	static const char true_argv[] = "true";
	static const char sleep_argv[] = "sleep\0" "5";
	struct timespec pause = { 0, 300 * 1000000L };
	int a = subject(path), b = subject(path), ma, mb, na, nb = -1, tries;
	struct winsize ws;
	hc_s64 pa = -1, pb = -1, r = 0;

	/* its own pty: resized, and the program's size follows */
	pb = spawn_pty(b, sleep_argv, sizeof(sleep_argv), 2, &mb);
	if (pb < 0) {
		check(0, "winsize: spawn on a pty", "%s", strerror((int)-pb));
		return;
	}
	r = op_winsize(b, pb, 30, 100);
	ws = (struct winsize){ 0 };
	ioctl(mb, TIOCGWINSZ, &ws);
	check(r == 0 && ws.ws_row == 30 && ws.ws_col == 100,
	      "winsize: resizes the pty of a running program", "result %lld, size %ux%u",
	      (long long)r, ws.ws_row, ws.ws_col);
	op_kill(b, pb, SIGKILL);
	op_wait(b, pb);
	close(mb);

	/*
	 * Subject A's program ends and A closes its pty; subject B gets a pty,
	 * with luck the same number (the lowest free one is taken, so it is
	 * retried a few times); then A resizes its ended program's pty.
	 */
	for (tries = 0; tries < 20; tries++) {
		pa = spawn_pty(a, true_argv, sizeof(true_argv), 1, &ma);
		if (pa < 0)
			break;
		na = pty_number(ma);
		nanosleep(&pause, NULL);	/* true has exited; not waited for */
		close(ma);
		pb = spawn_pty(b, sleep_argv, sizeof(sleep_argv), 2, &mb);
		if (pb < 0)
			break;
		nb = pty_number(mb);
		if (na == nb)
			break;
		op_kill(b, pb, SIGKILL);
		op_wait(b, pb);
		op_wait(a, pa);
		close(mb);
		pb = -1;
	}
	if (pa < 0 || pb < 0 || nb < 0) {
		check(0, "winsize: a pty number reused by another subject", "%d tries: spawn %lld, %lld",
		      tries, (long long)pa, (long long)pb);
		return;
	}
	r = op_winsize(a, pa, 11, 33);
	ws = (struct winsize){ 0 };
	ioctl(mb, TIOCGWINSZ, &ws);
	check(ws.ws_row == 24 && ws.ws_col == 80 && r < 0,
	      "winsize: an ended program's resize leaves the pty that got its number alone",
	      "/dev/pts/%d reused after %d tries; WINSIZE gave %lld; the other subject's pty is %ux%u",
	      nb, tries, (long long)r, ws.ws_row, ws.ws_col);
	op_kill(b, pb, SIGKILL);
	op_wait(b, pb);
	op_wait(a, pa);
	close(mb);
	close(a);
	close(b);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "filter") && !strcmp(argv[2], "kill"))
		filter_kill();
	else if (argc == 3 && !strcmp(argv[1], "filter") && !strcmp(argv[2], "log"))
		filter_log();
	else if (argc == 3 && !strcmp(argv[1], "winsize"))
		winsize(argv[2]);
	else {
		fprintf(stderr, "usage: sandbox_probe filter kill|log | winsize SOCKET\n");
		return 2;
	}
	return failures ? 1 : 0;
}
