// SPDX-License-Identifier: GPL-2.0-only
/* The host-process half of the public API (hostcall.h): spawn, wait, kill, winsize. */
#include <errno.h>
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

HC_EXPORT int hc_spawn(const struct hc_spawn *sp, struct hc_proc *p)
{
	struct hc_msg req = { .op = HC_OP_SPAWN };
	unsigned int rows, cols;
	size_t alen, elen;
	char *buf;
	int r, i;

	if (!sp || !p || !sp->argv || !sp->argv[0])
		return -EINVAL;
	for (i = 0; i < 3; i++)
		if ((unsigned int)sp->stdio[i] > HC_IO_SAME)
			return -EINVAL;
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
	struct hc_msg req = { .op = HC_OP_WAIT, .arg = pid, .flags = HC_WAIT_NOHANG }, rep;
	struct hc_call c = { .req = &req, .rep = &rep };
	int r = hc_ret_int(hc_call(&c));

	if (r > 0 && status)
		*status = rep.arg;
	if (r > 0)
		hc_client_reaped(pid);
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
	struct hc_call c = { .req = &req, .rep = &rep };

	if (pid <= 0 || sig < 0)
		return -EINVAL;
	return hc_ret_int(hc_call(&c));
}

HC_EXPORT int hc_winsize(pid_t pid, unsigned short rows, unsigned short cols)
{
	struct hc_msg req = { .op = HC_OP_WINSIZE, .arg = pid }, rep;
	struct hc_call c = { .req = &req, .rep = &rep };

	if (pid <= 0)
		return -EINVAL;
	req.arg2 = (hc_u32)rows << 16 | cols;
	return hc_ret_int(hc_call(&c));
}
