// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host processes of a subject, as the shadow serves them: spawn (argv,
 * environment, cwd, and a pipe, the pty or a passed fd for each stdio
 * stream), wait, kill and the pty window size. The shadow itself runs
 * sandboxed and starts nothing: it checks each request and hands it to the
 * subject's spawner (spawner.c), the unsandboxed parent of the subject's
 * host programs. A subject may only wait for, signal or resize processes it
 * spawned itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hostd.h"

static struct hostd_proc *proc_find(struct hostd_shadow *sh, hc_u32 pid)
{
	int i;

	for (i = 0; pid && i < HOSTD_PROCS_MAX; i++)
		if (sh->procs[i].pid > 0 && (hc_u32)sh->procs[i].pid == pid)
			return &sh->procs[i];
	return NULL;
}

static void proc_forget(struct hostd_proc *pr)
{
	if (pr->pidfd >= 0)
		close(pr->pidfd);
	pr->pid = 0;
	pr->pidfd = -1;
}

/* The spawner is gone (it died, or a call was cut short): no more calls. */
static int spawner_lost(struct hostd_shadow *sh, const char *why)
{
	hostd_log(HOSTD_NAME ": subject %u: its spawner is gone (%s): host programs "
		  "can no longer be started or waited for", sh->slot + 1, why);
	close(sh->spawner);
	sh->spawner = -1;
	return -EIO;
}

/*
 * One call to the spawner: @req with @fds attached out, its reply into
 * @rep and @rfds (room for HC_SOCK_FDS_MAX). The encoded messages use
 * sh->outbuf, which is free until the shadow encodes its own reply; @rep
 * points into it. A relay that dies meanwhile ends the wait (-EINTR).
 * Returns: the spawner's result, or -errno.
 */
static hc_s64 spawner_call(struct hostd_shadow *sh, struct hc_msg *req,
			   const int *fds, int nfds, struct hc_msg *rep,
			   int *rfds, int *nrfds)
{
	static hc_u32 tag;
	struct pollfd p[2] = {
		{ .fd = sh->spawner, .events = POLLIN },
		{ .fd = sh->lifeline, .events = POLLIN },
	};
	int len, err, i;
	ssize_t n;

	*nrfds = 0;
	if (sh->spawner < 0)
		return -EIO;
	req->hflags = 0;
	req->tag = ++tag;
	req->subject = sh->slot + 1;
	len = hc_encode(req, sh->outbuf, HC_MSG_MAX);
	if (len < 0)
		return len;
	err = hc_sock_send(sh->spawner, sh->outbuf, len, fds, nfds);
	if (err)
		return spawner_lost(sh, strerror(-err));
	do
		err = poll(p, 2, -1);
	while (err < 0 && errno == EINTR);
	if (err > 0 && !p[0].revents) {
		/* the subject ends with the relay; a late reply would confuse us */
		close(sh->spawner);
		sh->spawner = -1;
		return -EINTR;
	}
	n = hc_sock_recv(sh->spawner, sh->outbuf, HC_MSG_MAX, rfds, nrfds);
	if (n <= 0)
		return spawner_lost(sh, n ? strerror((int)-n) : "it closed");
	if (hc_decode(rep, sh->outbuf, n) || !(rep->hflags & HC_HF_REPLY) ||
	    rep->op != req->op || rep->tag != req->tag) {
		for (i = 0; i < *nrfds; i++)
			close(rfds[i]);
		*nrfds = 0;
		return spawner_lost(sh, "a reply that does not fit its request");
	}
	return rep->result;
}

/* A call with no fds either way. */
static hc_s64 spawner_call0(struct hostd_shadow *sh, hc_u16 op, hc_u32 arg,
			    hc_u32 arg2, hc_u32 flags, struct hc_msg *rep)
{
	struct hc_msg req = { .op = op, .arg = arg, .arg2 = arg2, .flags = flags };
	int rfds[HC_SOCK_FDS_MAX], nr, i;
	hc_s64 r;

	r = spawner_call(sh, &req, NULL, 0, rep, rfds, &nr);
	for (i = 0; i < nr; i++)
		close(rfds[i]);
	return r;
}

/*
 * The caller's end of a stream: attached to the reply (SPAWN), or kept as a
 * handle that the reply's data lists (SPAWN_KEEP). @fd is ours either way.
 */
static int spawn_give(struct hostd_shadow *sh, struct hostd_req *rq, int keep,
		      hc_u32 *kept, int *nkept, int fd)
{
	int h;

	if (!keep)
		return hostd_reply_fd(rq, fd);
	h = hostd_handle_add(sh, fd);
	close(fd);
	if (h < 0)
		return h;
	kept[(*nkept)++] = h;
	return 0;
}

/*
 * Without fds in replies (HC_HELLO_KEEP_HANDLES) SPAWN can only have streams
 * that return nothing: /dev/null and "same as the previous one"; SPAWN_KEEP
 * gives the others as handles.
 */
static int spawn_stdio_fdless(hc_u32 modes)
{
	int i;

	for (i = 0; i < 3; i++) {
		hc_u32 mode = (modes >> (8 * i)) & 0xff;

		if (mode != HC_STDIO_NULL && mode != HC_STDIO_SAME)
			return 0;
	}
	return 1;
}

/*
 * Where the program starts, as a host path for the spawner to chdir() to as
 * the user: the request's directory, else the subject's working directory.
 * The shadow resolves it inside the export; the spawner's chdir() runs in
 * the host's own tree (the export, without --root, is a clone of "/").
 */
static int spawn_dir(struct hostd_shadow *sh, struct hostd_req *rq, char *buf,
		     size_t cap)
{
	int fd, n;

	if (!*rq->m->path)
		return hostd_cwd_hostpath(sh, buf, cap);
	fd = hostd_open(sh, rq, HC_AT_FDCWD, rq->m->path, 0, O_PATH | O_DIRECTORY, 0);
	if (fd < 0)
		return fd;
	n = hostd_fd_hostpath(sh, fd, buf, cap);
	close(fd);
	return n;
}

/* A process we started but cannot report: kill it and reap it. */
static void proc_abandon(struct hostd_shadow *sh, struct hostd_proc *pr)
{
	struct hc_msg rep;

	spawner_call0(sh, HC_OP_KILL, pr->pid, SIGKILL, 0, &rep);
	spawner_call0(sh, HC_OP_WAIT, pr->pid, 0, 0, &rep);
	proc_forget(pr);
}

/*
 * Host programs run outside any --root (we cannot chroot them as an
 * ordinary user), so under --root spawning is refused: nothing outside the
 * root may be reached (and such a subject has no spawner).
 */
hc_s64 hostd_spawn(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_msg *m = rq->m;
	int keep = m->op == HC_OP_SPAWN_KEEP;
	int pass[HC_FDS_MAX], npass = 0, rfds[HC_SOCK_FDS_MAX], nr = 0;
	int i, b, err = 0, nkept = 0;
	hc_u32 kept[HC_FDS_MAX];
	char dir[HC_PATH_MAX + 1];
	struct hostd_proc *slot;
	struct hc_msg req, rep;
	hc_s64 r;

	if (sh->cfg->root)
		return -EPERM;
	if (m->argc < 1 || (m->flags & ~(hc_u32)(HC_SPAWN_NEWPGRP | HC_SPAWN_SETSID |
						  HC_SPAWN_KEEPENV)))
		return -EINVAL;
	if (sh->keep_handles && !keep && !spawn_stdio_fdless(m->arg))
		return -EOPNOTSUPP;
	for (slot = sh->procs; slot < sh->procs + HOSTD_PROCS_MAX; slot++)
		if (!slot->pid)
			break;
	if (slot == sh->procs + HOSTD_PROCS_MAX)
		return -EAGAIN;	/* HOSTD_PROCS_MAX not yet waited for */
	r = spawn_dir(sh, rq, dir, sizeof(dir));
	if (r < 0)
		return r;
	/* the caller's own fds (a guest pipe…): no "opened by me" check */
	for (i = 0; i < 3; i++)
		if (((m->arg >> (8 * i)) & 0xff) == HC_STDIO_PASS) {
			if (rq->in_used >= rq->nin)
				return -EBADF;
			pass[npass++] = rq->in_fds[rq->in_used++];
		}
	req = (struct hc_msg){
		.op = HC_OP_SPAWN, .flags = m->flags, .arg = m->arg, .arg2 = m->arg2,
		.path = dir, .argv = m->argv, .argvlen = m->argvlen, .argc = m->argc,
		.envp = m->envp, .envplen = m->envplen, .envc = m->envc,
	};
	r = spawner_call(sh, &req, pass, npass, &rep, rfds, &nr);
	if (r < 0)
		return r;
	if (nr < 1) {
		for (i = 0; i < nr; i++)
			close(rfds[i]);
		return spawner_lost(sh, "a spawn reply without its pidfd");
	}
	slot->pid = r;
	slot->pidfd = rfds[0];
	for (i = 1; i < nr; i++) {
		if (!err)
			err = spawn_give(sh, rq, keep, kept, &nkept, rfds[i]);
		else
			close(rfds[i]);
	}
	if (err) {
		for (i = 0; i < nkept; i++)
			hostd_handle_close(sh, kept[i]);
		proc_abandon(sh, slot);
		return err;
	}
	if (keep) {
		/* the reply is encoded after we return: not on our stack */
		unsigned char *w = (unsigned char *)sh->scratch;

		for (i = 0; i < nkept; i++)
			for (b = 0; b < 4; b++)
				w[4 * i + b] = kept[i] >> (8 * b);
		rq->rep->data = w;
		rq->rep->datalen = 4 * nkept;
	}
	return r;
}

/* Blocking wait that still notices the subject or the relay going away. */
static int wait_exit(struct hostd_shadow *sh, struct hostd_proc *pr)
{
	struct pollfd p[3] = {
		{ .fd = pr->pidfd, .events = POLLIN },
		{ .fd = sh->conn, .events = 0 },
		{ .fd = sh->lifeline, .events = POLLIN },
	};
	int r;

	do
		r = poll(p, 3, -1);
	while (r == 0);
	if (r < 0)
		return -errno;
	return p[0].revents ? 0 : -EINTR;
}

hc_s64 hostd_wait(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_msg *m = rq->m;
	struct hostd_proc *pr = proc_find(sh, m->arg);
	struct hc_msg rep;
	hc_s64 r;
	int err;

	if (!pr)
		return -ECHILD;
	if (m->flags & ~(hc_u32)HC_WAIT_NOHANG)
		return -EINVAL;
	if (!(m->flags & HC_WAIT_NOHANG)) {
		err = wait_exit(sh, pr);
		if (err)
			return err;
	}
	/* it has exited (or NOHANG): the spawner, its parent, reaps it */
	r = spawner_call0(sh, HC_OP_WAIT, pr->pid, 0, HC_WAIT_NOHANG, &rep);
	if (r == -ECHILD || r > 0)
		proc_forget(pr);
	if (r > 0)
		rq->rep->arg = rep.arg;
	return r;
}

hc_s64 hostd_kill(struct hostd_shadow *sh, struct hostd_req *rq)
{
	struct hostd_proc *pr = proc_find(sh, rq->m->arg);
	struct hc_msg rep;

	if (!pr)
		return -ESRCH;
	if (rq->m->arg2 >= NSIG)
		return -EINVAL;
	return spawner_call0(sh, HC_OP_KILL, pr->pid, rq->m->arg2, 0, &rep);
}

/* The spawner keeps the pty's fd (never its number) to resize it. */
hc_s64 hostd_winsize(struct hostd_shadow *sh, struct hostd_req *rq)
{
	struct hostd_proc *pr = proc_find(sh, rq->m->arg);
	struct hc_msg rep;

	if (!pr)
		return -ESRCH;
	return spawner_call0(sh, HC_OP_WINSIZE, pr->pid, rq->m->arg2, 0, &rep);
}

void hostd_procs_hangup(struct hostd_shadow *sh)
{
	struct hc_msg rep;

	if (sh->spawner >= 0)
		spawner_call0(sh, HC_OP_BYE, 0, 0, 0, &rep);
}

int hostd_spawner_new(struct hostd_shadow *sh, unsigned int slot)
{
	struct hc_msg req = { .op = HC_OP_FORK_SUBJECT, .arg = slot }, rep;
	int rfds[HC_SOCK_FDS_MAX], nr, i;
	hc_s64 r;

	if (sh->spawner < 0)
		return -ENOENT;
	r = spawner_call(sh, &req, NULL, 0, &rep, rfds, &nr);
	for (i = r < 0 ? 0 : 1; i < nr; i++)
		close(rfds[i]);
	if (r < 0)
		return r;
	return nr < 1 ? -EIO : rfds[0];
}

void hostd_procs_inherit(struct hostd_shadow *sh, int spawner)
{
	int i;

	for (i = 0; i < HOSTD_PROCS_MAX; i++)
		if (sh->procs[i].pid)
			proc_forget(&sh->procs[i]);
	if (sh->spawner >= 0)
		close(sh->spawner);
	sh->spawner = spawner;
}
