// SPDX-License-Identifier: GPL-2.0-only
/* The host-process half of the public API (hostcall.h): spawn, wait, kill, winsize. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hc_internal.h"

/* Polling hc_wait(): first pause and longest pause, in nanoseconds. */
#define HC_WAIT_PAUSE_MIN	100000L
#define HC_WAIT_PAUSE_MAX	10000000L
/* Stream fds one spawn gives: three pipe ends and the pty master. */
#define HOSTCALL_STREAMS_MAX	4

/* Bytes and count of the NULL-terminated vector @v as the wire packs it. */
static int hc_strv_size(const char *const *v, size_t *len, hc_u32 *count)
{
	*len = 0;
	*count = 0;
	for (; v && *v; v++) {
		if (++*count > HC_ARGV_MAX)
			return -E2BIG;
		*len += strlen(*v) + 1;
		if (*len > HC_DATA_MAX)
			return -E2BIG;
	}
	return 0;
}

static char *hc_strv_pack(const char *const *v, char *p)
{
	size_t n;

	for (; v && *v; v++) {
		n = strlen(*v) + 1;
		memcpy(p, *v, n);
		p += n;
	}
	return p;
}

/* Hand out the reply's fds: pipe ends in stdio order, then the pty master. */
static int hc_spawn_fds(const struct hc_spawn *sp, struct hc_proc *p, const int *fds, int nfds)
{
	int i, n = 0, pty = 0;

	for (i = 0; i < 3; i++) {
		p->fds[i] = -1;
		if (sp->stdio[i] == HC_IO_PIPE)
			n++;
		pty |= sp->stdio[i] == HC_IO_PTY;
	}
	if (nfds != n + pty)
		return -EIO;
	for (i = 0, n = 0; i < 3; i++)
		if (sp->stdio[i] == HC_IO_PIPE)
			p->fds[i] = fds[n++];
	p->pty = pty ? fds[n] : -1;
	return 0;
}

/*
 * In a VM the host cannot take a guest fd, so an HC_IO_PASS stream is an
 * HC_IO_PIPE whose stream fd (a file of the module) a pump process joins to
 * the caller's fd: a child of the caller that copies one way until end of
 * file and exits. hc_wait() of the host process then waits for its output
 * pumps (so that all output is there when it returns) and stops its input
 * pump, which may be waiting on a terminal nobody else reads from then.
 */
#define HC_PUMP_PROCS	16
#define HC_PUMP_BUF	16384

struct hc_pumps {
	pid_t host;		/* 0: free entry */
	pid_t pump[3];		/* per stdio stream, 0: none */
};

static struct hc_pumps hc_pumps[HC_PUMP_PROCS];
static pthread_mutex_t hc_pumps_lock = PTHREAD_MUTEX_INITIALIZER;

/* The pump: raw system calls only, since it was made by a raw clone. */
static void __attribute__((noreturn)) hc_pump_run(int from, int to)
{
	char buf[HC_PUMP_BUF];
	int lo = from < to ? from : to, hi = from < to ? to : from;
	ssize_t n, w, off;

	if (lo > 0)
		syscall(SYS_close_range, 0, lo - 1, 0);
	if (hi > lo + 1)
		syscall(SYS_close_range, lo + 1, hi - 1, 0);
	syscall(SYS_close_range, hi + 1, ~0u, 0);
	for (;;) {
		n = syscall(SYS_read, from, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (off = 0; off < n; off += w) {
			w = syscall(SYS_write, to, buf + off, n - off);
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w <= 0)
				syscall(SYS_exit_group, 0);
		}
	}
	syscall(SYS_exit_group, 0);
	__builtin_unreachable();
}

/*
 * A pump from @from to @to. A raw clone: the program's fork handlers (and
 * ours) are not for this process, which runs no library code.
 */
static pid_t hc_pump_start(int from, int to)
{
	long pid = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);

	if (pid == 0)
		hc_pump_run(from, to);
	return pid < 0 ? -errno : pid;
}

static void hc_pumps_note(pid_t host, const pid_t *pump)
{
	int i;

	pthread_mutex_lock(&hc_pumps_lock);
	for (i = 0; i < HC_PUMP_PROCS && hc_pumps[i].host; i++)
		;
	if (i < HC_PUMP_PROCS) {
		hc_pumps[i].host = host;
		memcpy(hc_pumps[i].pump, pump, sizeof(hc_pumps[i].pump));
	}
	pthread_mutex_unlock(&hc_pumps_lock);
}

/* Host process @host is gone: wait for its output pumps, stop its input's. */
static void hc_pumps_finish(pid_t host)
{
	pid_t pump[3] = { 0, 0, 0 };
	int i;

	pthread_mutex_lock(&hc_pumps_lock);
	for (i = 0; i < HC_PUMP_PROCS; i++)
		if (hc_pumps[i].host == host) {
			memcpy(pump, hc_pumps[i].pump, sizeof(pump));
			hc_pumps[i].host = 0;
			break;
		}
	pthread_mutex_unlock(&hc_pumps_lock);
	if (pump[0] > 0)
		kill(pump[0], SIGKILL);
	for (i = 0; i < 3; i++)
		if (pump[i] > 0)
			while (waitpid(pump[i], NULL, 0) < 0 && errno == EINTR)
				;
}

/* hc_spawn() through /dev/hostcall: HC_OP_SPAWN_KEEP, stream fds, pumps. */
static int hc_spawn_dev(const struct hc_spawn *sp, struct hc_msg *req,
			struct hc_proc *p)
{
	int fds[HOSTCALL_STREAMS_MAX], nfds = 0, pid, i, n = 0, want = 0, pty = 0;
	pid_t pump[3] = { 0, 0, 0 };
	hc_u32 mode[3];

	for (i = 0; i < 3; i++) {
		mode[i] = sp->stdio[i] == HC_IO_PASS ? HC_STDIO_PIPE : sp->stdio[i];
		want += mode[i] == HC_STDIO_PIPE;
		pty |= mode[i] == HC_STDIO_PTY;
	}
	req->op = HC_OP_SPAWN_KEEP;
	req->arg = mode[0] | mode[1] << 8 | mode[2] << 16;
	pid = hc_client_dev_spawn(req, fds, &nfds);
	if (pid < 0)
		return pid;
	if (nfds != want + pty)
		goto err_kill;
	for (i = 0; i < 3; i++) {
		p->fds[i] = -1;
		if (mode[i] != HC_STDIO_PIPE)
			continue;
		if (sp->stdio[i] != HC_IO_PASS) {
			p->fds[i] = fds[n++];
			continue;
		}
		pump[i] = i ? hc_pump_start(fds[n], sp->fds[i])
			    : hc_pump_start(sp->fds[i], fds[n]);
		hc_sys_close(fds[n]);
		fds[n++] = -1;
		if (pump[i] < 0)
			goto err_kill;
	}
	p->pty = pty ? fds[n] : -1;
	p->pid = pid;
	if (pump[0] || pump[1] || pump[2])
		hc_pumps_note(pid, pump);
	return 0;

err_kill:
	for (i = 0; i < nfds; i++)
		if (fds[i] >= 0)
			hc_sys_close(fds[i]);
	for (i = 0; i < 3; i++)
		if (pump[i] > 0) {
			kill(pump[i], SIGKILL);
			waitpid(pump[i], NULL, 0);
		}
	hc_kill(pid, SIGKILL);
	hc_wait(pid, &i, 0);
	return -EIO;
}

HC_EXPORT int hc_spawn(const struct hc_spawn *sp, struct hc_proc *p)
{
	struct hc_msg req = { .op = HC_OP_SPAWN }, rep;
	int pass[3], npass = 0, fds[HC_SOCK_FDS_MAX], nfds = 0, r, i;
	unsigned int rows, cols;
	size_t alen, elen;
	char *buf;

	if (!sp || !p || !sp->argv || !sp->argv[0])
		return -EINVAL;
	for (i = 0; i < 3; i++) {
		if ((unsigned int)sp->stdio[i] > HC_IO_SAME)
			return -EINVAL;
		if (sp->stdio[i] == HC_IO_PASS)
			pass[npass++] = sp->fds[i];
	}
	r = hc_strv_size(sp->argv, &alen, &req.argc);
	if (r == 0)
		r = hc_strv_size(sp->envp, &elen, &req.envc);
	if (r)
		return r;
	if (alen + elen > HC_DATA_MAX)
		return -E2BIG;
	buf = malloc(alen + elen + 1);
	if (!buf)
		return -ENOMEM;
	hc_strv_pack(sp->envp, hc_strv_pack(sp->argv, buf));

	req.argv = buf;
	req.argvlen = alen;
	req.envp = buf + alen;
	req.envplen = elen;
	/* No envp at all means the default environment: add nothing to it. */
	req.flags = HC_SPAWN_NEWPGRP;
	if (sp->setsid)
		req.flags |= HC_SPAWN_SETSID;
	if (sp->env_add || !sp->envp)
		req.flags |= HC_SPAWN_KEEPENV;
	req.arg = sp->stdio[0] | sp->stdio[1] << 8 | sp->stdio[2] << 16;
	rows = sp->rows ? sp->rows : 24;
	cols = sp->cols ? sp->cols : 80;
	req.arg2 = rows << 16 | cols;
	req.path = sp->cwd ? sp->cwd : "";

	if (hc_client_dev()) {
		r = hc_spawn_dev(sp, &req, p);
		free(buf);
		return r;
	}
	r = hc_call(&req, pass, npass, &rep, NULL, 0, fds, &nfds);
	free(buf);
	if (r < 0)
		return r;
	p->pid = r;
	if (hc_spawn_fds(sp, p, fds, nfds) < 0) {
		for (i = 0; i < nfds; i++)
			hc_sys_close(fds[i]);
		hc_kill(r, SIGKILL);
		hc_wait(r, &i, 0);
		return -EIO;
	}
	return 0;
}

static int hc_wait_once(pid_t pid, int *status)
{
	struct hc_msg req = { .op = HC_OP_WAIT, .arg = pid, .flags = HC_WAIT_NOHANG }, rep;
	int r = hc_call(&req, NULL, 0, &rep, NULL, 0, NULL, NULL);

	if (r > 0 && status)
		*status = rep.arg;
	if (r > 0)
		hc_pumps_finish(pid);
	return r;
}

/*
 * A blocking wait polls with WNOHANG, pausing longer each time up to 10 ms:
 * a waiting request would keep the subject busy, so that nothing else (not
 * even hc_kill() from a signal handler) could reach the host meanwhile.
 */
HC_EXPORT int hc_wait(pid_t pid, int *status, int flags)
{
	struct timespec pause = { 0, HC_WAIT_PAUSE_MIN };
	int r;

	if (pid <= 0 || (flags & ~WNOHANG))
		return -EINVAL;
	for (;;) {
		r = hc_wait_once(pid, status);
		if (r != 0 || (flags & WNOHANG))
			return r;
		if (nanosleep(&pause, NULL) < 0 && errno == EINTR)
			return -EINTR;
		pause.tv_nsec *= 2;
		if (pause.tv_nsec > HC_WAIT_PAUSE_MAX)
			pause.tv_nsec = HC_WAIT_PAUSE_MAX;
	}
}

HC_EXPORT int hc_kill(pid_t pid, int sig)
{
	struct hc_msg req = { .op = HC_OP_KILL, .arg = pid, .arg2 = sig }, rep;

	if (pid <= 0 || sig < 0)
		return -EINVAL;
	return hc_call(&req, NULL, 0, &rep, NULL, 0, NULL, NULL);
}

HC_EXPORT int hc_winsize(pid_t pid, unsigned short rows, unsigned short cols)
{
	struct hc_msg req = { .op = HC_OP_WINSIZE, .arg = pid }, rep;

	if (pid <= 0)
		return -EINVAL;
	req.arg2 = (hc_u32)rows << 16 | cols;
	return hc_call(&req, NULL, 0, &rep, NULL, 0, NULL, NULL);
}
