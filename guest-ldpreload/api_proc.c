// SPDX-License-Identifier: GPL-2.0-only
/* The host-process half of the public API (hostcall.h): spawn, wait, kill, winsize. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "hc_internal.h"

/* Polling hc_wait(): first pause and longest pause, in nanoseconds. */
#define HC_WAIT_PAUSE_MIN	100000L
#define HC_WAIT_PAUSE_MAX	10000000L

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

_Static_assert(HC_IO_NULL == HC_STDIO_NULL && HC_IO_PIPE == HC_STDIO_PIPE &&
	       HC_IO_PTY == HC_STDIO_PTY && HC_IO_PASS == HC_STDIO_PASS &&
	       HC_IO_SAME == HC_STDIO_SAME, "enum hc_stdio is the wire's HC_STDIO_*");
_Static_assert(HC_SPAWN_FDS_MAX == HC_FDS_MAX, "hostcall.h's fd limit is the wire's");

/* The stdio modes and fdmap of @sp, checked into @s; @s->fdmap gets the targets. */
static int hc_spawn_fds(const struct hc_spawn *sp, struct hc_req_spawn *s)
{
	int i, j, n = 0;

	for (i = 0; i < 3; i++) {
		if ((unsigned int)sp->stdio[i] > HC_IO_SAME)
			return -EINVAL;
		n += sp->stdio[i] == HC_IO_PASS;
	}
	s->stdin_mode = sp->stdio[0];
	s->stdout_mode = sp->stdio[1];
	s->stderr_mode = sp->stdio[2];
	if (sp->nfdmap < 0 || sp->nfdmap > HC_FDS_MAX - n)
		return -EINVAL;
	if (sp->nfdmap && !sp->fdmap)
		return -EFAULT;
	for (i = 0; i < sp->nfdmap; i++) {
		if (sp->fdmap[i].fd < 0)
			return -EBADF;
		if (sp->fdmap[i].target < 3 || sp->fdmap[i].target >= 1024)
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (sp->fdmap[j].target == sp->fdmap[i].target)
				return -EINVAL;
		s->fdmap.v[i] = sp->fdmap[i].target;
	}
	s->fdmap.n = sp->nfdmap;
	return 0;
}

HC_EXPORT int hc_spawn(const struct hc_spawn *sp, struct hc_proc *p)
{
	struct hc_msg req = { .op = HC_OP_SPAWN };
	struct hc_req_spawn *s = &req.req.spawn;
	size_t alen, elen;
	char *buf;
	int r, i;

	if (!sp || !p || !sp->argv || !sp->argv[0])
		return -EINVAL;
	r = hc_spawn_fds(sp, s);
	if (r == 0)
		r = hc_strv_size(sp->argv, &alen, &s->argv.count);
	if (r == 0)
		r = hc_strv_size(sp->envp, &elen, &s->envp.count);
	if (r)
		return r;
	if (alen + elen > HC_DATA_MAX)
		return -E2BIG;
	buf = malloc(alen + elen + 1);
	if (!buf)
		return -ENOMEM;
	hc_strv_pack(sp->envp, hc_strv_pack(sp->argv, buf));

	s->argv.ptr = buf;
	s->argv.len = alen;
	s->envp.ptr = buf + alen;
	s->envp.len = elen;
	/* No envp at all means the default environment: add nothing to it. */
	s->flags = HC_SPAWN_NEWPGRP;
	if (sp->setsid)
		s->flags |= HC_SPAWN_SETSID;
	if (sp->env_add || !sp->envp)
		s->flags |= HC_SPAWN_KEEPENV;
	s->rows = sp->rows ? sp->rows : 24;
	s->cols = sp->cols ? sp->cols : 80;
	s->cwd = sp->cwd ? sp->cwd : "";

	p->pid = 0;
	r = hc_client_spawn(sp, &req, p);
	free(buf);
	if (r < 0 && p->pid > 0) {
		/* started, but its streams could not be handed out */
		hc_kill(p->pid, SIGKILL);
		hc_wait(p->pid, &i, 0);
	}
	return r;
}

static int hc_wait_once(pid_t pid, int *status)
{
	struct hc_msg req = { .op = HC_OP_WAIT }, rep;
	struct hc_call c = { .req = &req, .rep = &rep };
	int r;

	req.req.wait.pid = pid;
	req.req.wait.flags = HC_WAIT_NOHANG;
	r = hc_ret_int(hc_call(&c));
	if (r > 0 && status)
		*status = rep.rep.wait.status;
	if (r > 0)
		hc_client_reaped(pid);
	return r;
}

HC_EXPORT int hc_wait_start(pid_t pid)
{
	if (pid <= 0)
		return -EINVAL;
	return hc_async_start(pid);
}

HC_EXPORT int hc_wait_fd(void)
{
	return hc_async_fd();
}

HC_EXPORT int hc_wait_result(pid_t pid, int *status)
{
	if (pid <= 0)
		return -EINVAL;
	return hc_async_result(pid, status);
}

HC_EXPORT int hc_wait_cancel(pid_t pid)
{
	if (pid <= 0)
		return -EINVAL;
	return hc_async_cancel(pid);
}

/*
 * The end of async wait @pid: its result, waiting on hc_wait_fd(). A
 * signal handler that runs meanwhile cancels it (once): then -EINTR,
 * unless the process had ended first.
 */
static int hc_wait_collect(pid_t pid, int *status)
{
	int fd = hc_async_fd(), r, cancelled = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		r = hc_async_result(pid, status);
		if (r != 0)
			return r;
		/* no fd (the program closed it): look again in a while */
		if (poll(&p, fd >= 0, fd >= 0 ? -1 : 10) < 0 && errno == EINTR && !cancelled) {
			cancelled = 1;
			r = hc_async_cancel(pid);
			if (r < 0 && r != -ECHILD)
				return r;
		}
	}
}

/*
 * Without WNOHANG, one WAIT that the host answers when the process ends
 * (an async wait), where the host has requests in flight: meanwhile other
 * threads, and signal handlers (say, one that calls hc_kill() on Ctrl-C),
 * can make hostcalls. Elsewhere it polls with WNOHANG, pausing longer each
 * time up to 10 ms, since a waiting request would keep the subject busy.
 */
HC_EXPORT int hc_wait(pid_t pid, int *status, int flags)
{
	struct timespec pause = { 0, HC_WAIT_PAUSE_MIN };
	int r;

	if (pid <= 0 || (flags & ~WNOHANG))
		return -EINVAL;
	/* an async wait of the caller's for it answers this one */
	r = hc_async_result(pid, status);
	if (r != -ECHILD)
		return r != 0 || (flags & WNOHANG) ? r : hc_wait_collect(pid, status);
	if (!(flags & WNOHANG)) {
		r = hc_async_start(pid);
		if (r == 0)
			return hc_wait_collect(pid, status);
		if (r == -EDEADLK || r == -EHOSTUNREACH || r == -EPROTONOSUPPORT || r == -EIO)
			return r;
		/* -EOPNOTSUPP, -EAGAIN (too many), -ENOMEM, -EMFILE…: poll */
	}
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
	struct hc_msg req = { .op = HC_OP_KILL }, rep;
	struct hc_call c = { .req = &req, .rep = &rep };

	if (pid <= 0 || sig < 0)
		return -EINVAL;
	req.req.kill.pid = pid;
	req.req.kill.sig = sig;
	return hc_ret_int(hc_call(&c));
}

HC_EXPORT int hc_winsize(pid_t pid, unsigned short rows, unsigned short cols)
{
	struct hc_msg req = { .op = HC_OP_WINSIZE }, rep;
	struct hc_call c = { .req = &req, .rep = &rep };

	if (pid <= 0)
		return -EINVAL;
	req.req.winsize.pid = pid;
	req.req.winsize.rows = rows;
	req.req.winsize.cols = cols;
	return hc_ret_int(hc_call(&c));
}
