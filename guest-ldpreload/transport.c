// SPDX-License-Identifier: GPL-2.0-only
/*
 * What every transport shares: the one exchange (stamp and encode a
 * request, move it, decode the reply), the one check that a reply answers
 * its request, what HELLO's reply says, and the hand-out of a reply's
 * path, blob, fds and of a started host process's streams.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
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
 * Copy the reply's path or blob to c->out (see struct hc_call), and clear
 * every pointer into the receive buffer that is not repointed there.
 */
static void hc_reply_out(struct hc_call *c)
{
	struct hc_msg *rep = c->rep;
	const struct hc_field *f = hc_op_fields(rep->op, 1);
	int copied = 0;

	for (; f && f->type != HC_T_END; f++) {
		void *p = (char *)rep + f->off;
		const char **s = p;
		struct hc_blob *b = p;
		struct hc_strv *v = p;
		size_t full;

		switch (f->type) {
		case HC_T_PATH:
		case HC_T_NAME:
			full = *s ? strlen(*s) : 0;
			if (*s && !copied && c->out) {
				memcpy(c->out, *s, full + 1 < c->outcap ? full + 1 : c->outcap);
				*s = c->out;
			} else {
				*s = NULL;
			}
			break;
		case HC_T_BLOB:
			full = b->len;
			if (b->ptr && !copied && c->out) {
				b->len = full < c->outcap ? full : c->outcap;
				memcpy(c->out, b->ptr, b->len);
				b->ptr = c->out;
			} else {
				b->ptr = NULL;
				b->len = 0;
			}
			break;
		case HC_T_STRV:
			v->ptr = NULL;
			v->len = v->count = 0;
			continue;
		default:
			continue;
		}
		if (!copied)
			c->outlen = full;
		copied = 1;
	}
}

/* The one check of a reply: that it answers c->req, then its result. */
static hc_s64 hc_reply_check(struct hc_link *l, struct hc_call *c,
			     struct hc_wire *w, int rlen)
{
	struct hc_msg *rep = c->rep;

	if (hc_decode(rep, w->rep, rlen) || rep->op != c->req->op ||
	    rep->tag != c->req->tag || !(rep->hflags & HC_HF_REPLY) ||
	    (rep->hflags & HC_HF_NFDS_MASK) != w->hdr_nfds ||
	    (w->hdr_nfds && !(hc_op_flags(rep->op) & HC_OPF_RFDS))) {
		hc_close_fds(w->rfds, w->nrfds);
		if (c->req->op != HC_OP_HELLO)
			hc_debug("hostcall: bad reply to %s from the shadow: reconnecting on the next call",
				 hc_op_name(c->req->op));
		l->broken = 1;
		c->bad_reply = 1;
		return -EIO;
	}
	if (rep->result < 0) {
		hc_close_fds(w->rfds, w->nrfds);
		return rep->result < -4095 ? -EIO : rep->result;
	}
	hc_reply_out(c);
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
		.msg = req, .req = hc_sbuf, .fds = c->fds, .nfds = c->nfds,
		.rep = hc_rbuf, .cap = sizeof(hc_rbuf),
	};
	size_t cap = sizeof(hc_sbuf);
	int len, rlen, flags = hc_op_flags(req->op);
	hc_s64 r;

	c->nrfds = 0;
	c->outlen = 0;
	c->bad_reply = 0;
	if (flags < 0)
		return flags;
	if (c->nfds < 0 || c->nfds > HC_FDS_MAX ||
	    (c->nfds && !(flags & HC_OPF_FDS)))
		return -EINVAL;
	if ((hc_u32)c->nfds > l->fds_max)
		return l->fds_max ? -EINVAL : -EBADF;
	if (l->msg_max && l->msg_max < cap)
		cap = l->msg_max;
	req->hflags = c->nfds;
	req->tag = hc_link_next_tag(l);
	req->subject = l->subject;
	req->result = 0;
	len = hc_encode(req, hc_sbuf, cap);
	if (len < 0)
		return len;
	w.len = len;
	rlen = l->inflight ? hc_flight_request(l, &w) : l->tp->request(l, &w);
	r = rlen < 0 ? rlen : hc_reply_check(l, c, &w, rlen);
	if (w.rep != hc_rbuf)
		free(w.rep);	/* hc_flight_request()'s own buffer */
	return r;
}

int hc_no_inflight(void)
{
	const char *s = getenv("HOSTCALL_NO_INFLIGHT");

	return s && *s && strcmp(s, "0");
}

/* Encode @req alone for @l into @w (the core's send buffer). */
static int hc_link_wire(struct hc_link *l, struct hc_msg *req, struct hc_wire *w)
{
	size_t cap = sizeof(hc_sbuf);
	int len;

	if (l->msg_max && l->msg_max < cap)
		cap = l->msg_max;
	req->hflags = 0;
	req->subject = l->subject;
	req->result = 0;
	len = hc_encode(req, hc_sbuf, cap);
	if (len < 0)
		return len;
	*w = (struct hc_wire){ .msg = req, .req = hc_sbuf, .len = len };
	return 0;
}

int hc_link_send(struct hc_link *l, struct hc_msg *req)
{
	struct hc_wire w;
	int err = hc_link_wire(l, req, &w);

	return err ? err : l->tp->send(l, &w);
}

int hc_link_start(struct hc_link *l, struct hc_msg *req)
{
	struct hc_wire w;
	int err;

	if (!l->tp->start)
		return -EOPNOTSUPP;
	err = hc_link_wire(l, req, &w);
	return err ? err : l->tp->start(l, &w);
}

void hc_say_old_host(const char *where, const char *more)
{
	static int said;	/* under the core's lock */

	if (said)
		return;
	said = 1;
	hc_debug("hostcall: hostcalld at %s speaks an older protocol than version %d: update hostcalld%s",
		 where, HC_PROTO_VERSION, more);
}

int hc_link_hello(struct hc_link *l, const struct hc_msg *rep, const char *where)
{
	const struct hc_rep_hello *h = &rep->rep.hello;

	if (h->version < HC_PROTO_VERSION_MIN) {
		hc_say_old_host(where, "");
		return -EPROTONOSUPPORT;
	}
	if (h->version > HC_PROTO_VERSION) {
		/* the host must answer min(ours, its own) */
		hc_debug("hostcall: hostcalld at %s answered HELLO with protocol version %u, above this library's %d",
			 where, h->version, HC_PROTO_VERSION);
		return -EPROTONOSUPPORT;
	}
	l->version = h->version;
	l->msg_max = h->msg_max < HC_MSG_MAX ? h->msg_max : HC_MSG_MAX;
	l->fds_max = h->fds_max < HC_FDS_MAX ? h->fds_max : HC_FDS_MAX;
	l->caps = h->caps & HC_CAPS;	/* what both sides know */
	return 0;
}

int hc_spawn_call(struct hc_call *c, struct hc_proc *p)
{
	const struct hc_req_spawn *sp = &c->req->req.spawn;
	const hc_u32 mode[3] = { sp->stdin_mode, sp->stdout_mode, sp->stderr_mode };
	const struct hc_u32v *h = &c->rep->rep.spawn.handles;
	int i, n = 0, pty = 0, keep = !!(sp->flags & HC_SPAWN_KEEP);
	hc_s64 pid;

	for (i = 0; i < 3; i++) {
		p->fds[i] = -1;
		n += mode[i] == HC_STDIO_PIPE;
		pty |= mode[i] == HC_STDIO_PTY;
	}
	p->pty = -1;
	pid = hc_call(c);
	if (pid < 0)
		return pid;
	if (pid == 0 || pid > 0x7fffffff) {
		hc_close_fds(c->rfds, c->nrfds);
		return -EIO;
	}
	p->pid = pid;
	/* with HC_SPAWN_KEEP, the transport made an fd of each handle */
	if (c->nrfds != n + pty || h->n != (hc_u32)(keep ? n + pty : 0)) {
		hc_close_fds(c->rfds, c->nrfds);
		return -EIO;
	}
	for (i = 0, n = 0; i < 3; i++)
		if (mode[i] == HC_STDIO_PIPE)
			p->fds[i] = c->rfds[n++];
	p->pty = pty ? c->rfds[n] : -1;
	return 0;
}
