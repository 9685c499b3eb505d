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
 * points into it. The header's subject is this subject's unless @req
 * names one (FORK_SUBJECT: the new subject). A relay that dies meanwhile
 * ends the wait (-EINTR).
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
	if (!req->subject)
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
static hc_s64 spawner_call0(struct hostd_shadow *sh, struct hc_msg *req,
			    struct hc_msg *rep)
{
	int rfds[HC_SOCK_FDS_MAX], nr, i;
	hc_s64 r;

	r = spawner_call(sh, req, NULL, 0, rep, rfds, &nr);
	for (i = 0; i < nr; i++)
		close(rfds[i]);
	return r;
}

static hc_s64 spawner_wait(struct hostd_shadow *sh, pid_t pid, hc_u32 flags,
			   hc_u32 *status)
{
	struct hc_msg req = { .op = HC_OP_WAIT,
			      .req.wait = { .pid = pid, .flags = flags } }, rep;
	hc_s64 r = spawner_call0(sh, &req, &rep);

	if (r > 0)
		*status = rep.rep.wait.status;
	return r;
}

static hc_s64 spawner_kill(struct hostd_shadow *sh, pid_t pid, hc_u32 sig)
{
	struct hc_msg req = { .op = HC_OP_KILL,
			      .req.kill = { .pid = pid, .sig = sig } }, rep;

	return spawner_call0(sh, &req, &rep);
}

/*
 * The caller's end of a stream: attached to the reply, or with
 * HC_SPAWN_KEEP kept as a handle that the reply's handles list. @fd is ours
 * either way.
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
 * that return nothing: /dev/null and "same as the previous one";
 * HC_SPAWN_KEEP gives the others as handles.
 */
static int spawn_stdio_fdless(const hc_u32 modes[3])
{
	int i;

	for (i = 0; i < 3; i++)
		if (modes[i] != HC_STDIO_NULL && modes[i] != HC_STDIO_SAME)
			return 0;
	return 1;
}

/*
 * The fds attached to a SPAWN: one for each HC_STDIO_PASS stream, then one
 * for each fdmap entry, whose number in the program must be >= 3 (0-2 are
 * the streams), below HOSTD_FDMAP_LIMIT and unlike the others.
 * Returns: 0; -EINVAL for a bad fdmap; -EBADF when the fds attached are not
 * as many as that.
 */
int hostd_spawn_check_fdmap(const struct hc_req_spawn *q)
{
	hc_u32 i, j;

	for (i = 0; i < q->fdmap.n; i++) {
		if (q->fdmap.v[i] < 3 || q->fdmap.v[i] >= HOSTD_FDMAP_LIMIT)
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (q->fdmap.v[j] == q->fdmap.v[i])
				return -EINVAL;
	}
	return 0;
}

static int spawn_check_fds(const struct hc_req_spawn *q, const hc_u32 modes[3],
			   int nin)
{
	int i, npass = 0, err = hostd_spawn_check_fdmap(q);

	if (err)
		return err;
	for (i = 0; i < 3; i++)
		npass += modes[i] == HC_STDIO_PASS;
	return nin == npass + (int)q->fdmap.n ? 0 : -EBADF;
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
	const char *cwd = rq->m->req.spawn.cwd;
	int fd, n;

	if (!*cwd)
		return hostd_cwd_hostpath(sh, buf, cap);
	fd = hostd_open(sh, rq, HC_AT_FDCWD, cwd, 0, O_PATH | O_DIRECTORY, 0);
	if (fd < 0)
		return fd;
	n = hostd_fd_hostpath(sh, fd, buf, cap);
	close(fd);
	return n;
}

/* A process we started but cannot report: kill it and reap it. */
static void proc_abandon(struct hostd_shadow *sh, struct hostd_proc *pr)
{
	hc_u32 status;

	spawner_kill(sh, pr->pid, SIGKILL);
	spawner_wait(sh, pr->pid, 0, &status);
	proc_forget(pr);
}

/*
 * Host programs run outside any --root (we cannot chroot them as an
 * ordinary user), so under --root spawning is refused: nothing outside the
 * root may be reached (and such a subject has no spawner). The attached
 * fds (the caller's own: a guest pipe…, no "opened by me" check) go to the
 * spawner as they came: the HC_STDIO_PASS streams', then fdmap's.
 */
hc_s64 hostd_op_spawn(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_spawn *q = &rq->m->req.spawn;
	const hc_u32 modes[3] = { q->stdin_mode, q->stdout_mode, q->stderr_mode };
	int keep = !!(q->flags & HC_SPAWN_KEEP);
	int rfds[HC_SOCK_FDS_MAX], nr = 0, i, err = 0, nkept = 0;
	struct hc_u32v *handles = &rq->rep->rep.spawn.handles;
	hc_u32 kept[HC_SOCK_FDS_MAX - 1];	/* rfds but the pidfd */
	char dir[HC_PATH_MAX + 1];
	struct hostd_proc *slot;
	struct hc_msg req, rep;
	hc_s64 r;

	if (sh->cfg->root)
		return -EPERM;
	if (q->argv.count < 1 || (q->flags & ~(hc_u32)HC_SPAWN_FLAGS) ||
	    q->rows > 0xffff || q->cols > 0xffff)
		return -EINVAL;
	if (sh->keep_handles && !keep && !spawn_stdio_fdless(modes))
		return -EOPNOTSUPP;
	err = spawn_check_fds(q, modes, rq->nin - rq->in_used);
	if (err)
		return err;
	for (slot = sh->procs; slot < sh->procs + HOSTD_PROCS_MAX; slot++)
		if (!slot->pid)
			break;
	if (slot == sh->procs + HOSTD_PROCS_MAX)
		return -EAGAIN;	/* HOSTD_PROCS_MAX not yet waited for */
	r = spawn_dir(sh, rq, dir, sizeof(dir));
	if (r < 0)
		return r;
	req = (struct hc_msg){ .op = HC_OP_SPAWN, .req.spawn = *q };
	req.req.spawn.cwd = dir;
	r = spawner_call(sh, &req, rq->in_fds + rq->in_used, rq->nin - rq->in_used,
			 &rep, rfds, &nr);
	rq->in_used = rq->nin;
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
	handles->n = nkept;
	for (i = 0; i < nkept; i++)
		handles->v[i] = kept[i];
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

/*
 * Without HC_WAIT_NOHANG, an in-flight subject's WAIT for a process that
 * still runs is parked on its pidfd in the serve loop (inflight.c), and
 * finished by hostd_wait_finish() once that is readable.
 */
hc_s64 hostd_op_wait(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_wait *q = &rq->m->req.wait;
	struct hostd_proc *pr = proc_find(sh, q->pid);
	int err;

	if (!pr)
		return -ECHILD;
	if (q->flags & ~(hc_u32)HC_WAIT_NOHANG)
		return -EINVAL;
	if (!(q->flags & HC_WAIT_NOHANG)) {
		struct pollfd p = { .fd = pr->pidfd, .events = POLLIN };
		struct hostd_job j = { .kind = HOSTD_JOB_WAIT, .fd = pr->pidfd,
				       .pid = pr->pid };

		if (rq->may_park && poll(&p, 1, 0) == 0 && hostd_inflight_start(sh, rq, &j))
			return HOSTD_PARKED;
		err = wait_exit(sh, pr);
		if (err)
			return err;
	}
	return hostd_wait_finish(sh, rq, pr->pid);
}

/* It has exited (or NOHANG): the spawner, its parent, reaps it. */
hc_s64 hostd_wait_finish(struct hostd_shadow *sh, struct hostd_req *rq, pid_t pid)
{
	struct hostd_proc *pr = proc_find(sh, pid);
	hc_s64 r;

	if (!pr)
		return -ECHILD;	/* a WAIT served meanwhile reaped it */
	r = spawner_wait(sh, pr->pid, HC_WAIT_NOHANG, &rq->rep->rep.wait.status);
	if (r == -ECHILD || r > 0)
		proc_forget(pr);
	return r;
}

hc_s64 hostd_op_kill(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_kill *q = &rq->m->req.kill;
	struct hostd_proc *pr = proc_find(sh, q->pid);

	if (!pr)
		return -ESRCH;
	if (q->sig >= NSIG)
		return -EINVAL;
	return spawner_kill(sh, pr->pid, q->sig);
}

/* The spawner keeps the pty's fd (never its number) to resize it. */
hc_s64 hostd_op_winsize(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_winsize *q = &rq->m->req.winsize;
	struct hostd_proc *pr = proc_find(sh, q->pid);
	struct hc_msg req = { .op = HC_OP_WINSIZE }, rep;

	if (!pr)
		return -ESRCH;
	if (q->rows > 0xffff || q->cols > 0xffff)
		return -EINVAL;
	req.req.winsize = (struct hc_req_winsize){
		.pid = pr->pid, .rows = q->rows, .cols = q->cols,
	};
	return spawner_call0(sh, &req, &rep);
}

void hostd_procs_hangup(struct hostd_shadow *sh)
{
	struct hc_msg req = { .op = HC_OP_BYE }, rep;

	if (sh->spawner >= 0)
		spawner_call0(sh, &req, &rep);
}

/* FORK_SUBJECT has no fields: the header names the new subject. */
int hostd_spawner_new(struct hostd_shadow *sh, unsigned int slot)
{
	struct hc_msg req = { .op = HC_OP_FORK_SUBJECT, .subject = slot + 1 }, rep;
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
