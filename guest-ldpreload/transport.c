// SPDX-License-Identifier: GPL-2.0-only
/*
 * What every transport shares: the one exchange (stamp and encode a
 * request, move it, decode the reply), the one check that a reply answers
 * its request, and the hand-out of a reply's path, data, fds and of a
 * started host process's streams.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "hc_internal.h"

/* Message buffers, used only under the core's lock: threads may have tiny stacks. */
static unsigned char hc_sbuf[HC_MSG_MAX];
static unsigned char hc_rbuf[HC_MSG_MAX];

int hc_link_place(int fd)
{
	int n = hc_sys_fcntl(fd, F_DUPFD_CLOEXEC, HC_LINK_FD_MIN);

	if (n < 0)
		return fd;
	hc_sys_close(fd);
	return n;
}

/*
 * Copy the reply's path or data to c->out (see struct hc_call) and clear
 * the pointers into the receive buffer.
 */
static void hc_reply_out(struct hc_msg *rep, void *out, size_t outcap)
{
	const void *src = NULL;
	size_t n = 0, full = 0;

	if (rep->path) {
		src = rep->path;
		full = strlen(rep->path);
		n = full + 1;
	} else if (rep->data) {
		src = rep->data;
		full = n = rep->datalen;
	}
	rep->path = rep->path2 = rep->name = NULL;
	rep->data = NULL;
	rep->argv = rep->envp = NULL;
	if (src && out) {
		memcpy(out, src, n < outcap ? n : outcap);
		rep->datalen = full;
		rep->path = out;
		rep->data = out;
	}
}

/* The one check of a reply: that it answers c->req, then its result. */
static hc_s64 hc_reply_check(struct hc_link *l, struct hc_call *c,
			     struct hc_wire *w, int rlen)
{
	struct hc_msg *rep = c->rep;

	if (hc_decode(rep, w->rep, rlen) || rep->op != c->req->op ||
	    rep->tag != c->req->tag || !(rep->hflags & HC_HF_REPLY) ||
	    (rep->hflags & HC_HF_NFDS_MASK) != w->hdr_nfds) {
		hc_close_fds(w->rfds, w->nrfds);
		hc_debug("hostcall: bad reply to %s from the shadow: reconnecting on the next call",
			 hc_op_name(c->req->op));
		l->broken = 1;
		return -EIO;
	}
	if (rep->result < 0) {
		hc_close_fds(w->rfds, w->nrfds);
		return rep->result < -4095 ? -EIO : rep->result;
	}
	hc_reply_out(rep, c->out, c->outcap);
	if (c->rfds) {
		memcpy(c->rfds, w->rfds, w->nrfds * sizeof(int));
		c->nrfds = w->nrfds;
	} else {
		hc_close_fds(w->rfds, w->nrfds);
	}
	return rep->result;
}

hc_s64 hc_exchange(struct hc_link *l, struct hc_call *c)
{
	struct hc_msg *req = c->req;
	struct hc_wire w = {
		.op = req->op, .req = hc_sbuf, .fds = c->fds, .nfds = c->nfds,
		.rep = hc_rbuf, .cap = sizeof(hc_rbuf),
	};
	int len, rlen;

	c->nrfds = 0;
	if (c->nfds < 0 || c->nfds > HC_HF_NFDS_MASK)
		return -EINVAL;
	req->hflags = c->nfds;
	req->tag = ++l->tag;
	req->subject = l->subject;
	req->result = 0;
	len = hc_encode(req, hc_sbuf, sizeof(hc_sbuf));
	if (len < 0)
		return len;
	w.len = len;
	rlen = l->tp->request(l, &w);
	if (rlen < 0)
		return rlen;
	return hc_reply_check(l, c, &w, rlen);
}

int hc_spawn_call(struct hc_call *c, struct hc_proc *p)
{
	const struct hc_msg *req = c->req;
	int i, n = 0, pty = 0;
	hc_u32 mode;
	hc_s64 pid;

	pid = hc_call(c);
	if (pid < 0)
		return pid;
	for (i = 0; i < 3; i++) {
		mode = req->arg >> (8 * i) & 0xff;
		p->fds[i] = -1;
		n += mode == HC_STDIO_PIPE;
		pty |= mode == HC_STDIO_PTY;
	}
	if (pid == 0 || pid > 0x7fffffff) {
		hc_close_fds(c->rfds, c->nrfds);
		return -EIO;
	}
	p->pid = pid;
	if (c->nrfds != n + pty) {
		hc_close_fds(c->rfds, c->nrfds);
		return -EIO;
	}
	for (i = 0, n = 0; i < 3; i++)
		if ((req->arg >> (8 * i) & 0xff) == HC_STDIO_PIPE)
			p->fds[i] = c->rfds[n++];
	p->pty = pty ? c->rfds[n] : -1;
	return 0;
}
