// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Unix-socket transport (no VM): a subject is one SOCK_SEQPACKET
 * connection to hostcalld, which hands it to the subject's shadow; fds
 * cross both ways by SCM_RIGHTS, so an opened host file or a host program's
 * pipe end arrives as a real fd, and a forked child gets a fork of the
 * shadow over a connection of its own (FORK_SUBJECT).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "hc_internal.h"

_Static_assert(HC_SOCK_FDS_MAX >= HC_FDS_MAX, "a request's fds fit in one record");

/* How long hostcalld may take to answer HELLO before we call it unreachable. */
#define HC_HELLO_TIMEOUT_S	10

static int hc_unix_warned;	/* under the core's lock */

static int hc_unix_send(struct hc_link *l, struct hc_wire *w)
{
	int err = hc_sock_send(l->fd, w->req, w->len, w->fds, w->nfds);

	if (err == -EBADF && w->nfds)
		return err;	/* an attached fd was bad: nothing was sent */
	if (err) {
		l->broken = 1;
		return -EIO;
	}
	return 0;
}

static int hc_unix_request(struct hc_link *l, struct hc_wire *w)
{
	ssize_t rlen;
	int err = hc_unix_send(l, w);

	if (err)
		return err;
	rlen = hc_sock_recv(l->fd, w->rep, w->cap, w->rfds, &w->nrfds);
	if (rlen <= 0) {
		l->broken = 1;
		return -EIO;
	}
	w->hdr_nfds = w->nrfds;
	return rlen;
}

/* The capabilities this process announces: all it knows (hc_no_inflight()). */
static hc_u64 hc_unix_caps(void)
{
	if (hc_no_inflight())
		return HC_CAPS & ~HC_CAP_INFLIGHT;
	return HC_CAPS;
}

static int hc_unreachable(const char *path, const char *why)
{
	if (!hc_unix_warned) {
		hc_unix_warned = 1;
		hc_debug("hostcall: cannot reach hostcalld at %s (%s): start `hostcalld --socket %s`, or set HOSTCALL_SOCKET to its socket",
			 path, why, path);
	}
	return -EHOSTUNREACH;
}

/* Connect and say HELLO. */
static int hc_unix_connect(struct hc_link *l)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = HC_HELLO_TIMEOUT_S };
	struct timeval notv = { 0 };
	struct hc_msg req = { .op = HC_OP_HELLO }, rep;
	struct hc_call c = { .req = &req, .rep = &rep };
	hc_s64 r;
	hc_u32 subject = 0;
	int s, err;

	req.req.hello.version = HC_PROTO_VERSION;
	req.req.hello.flags = 0;
	req.req.hello.caps = hc_unix_caps();
	if (hc_sock_default_path(sa.sun_path, sizeof(sa.sun_path)))
		return hc_unreachable(sa.sun_path, "socket path too long");
	/* Non-blocking connect: a relay with a full backlog must not hang us. */
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = errno;
		hc_sys_close(s);
		return hc_unreachable(sa.sun_path, strerror(err));
	}
	s = hc_link_place(s);
	hc_sys_fcntl(s, F_SETFL, 0);
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	l->fd = s;
	l->subject = 0;
	l->msg_max = HC_MSG_MAX;
	l->fds_max = 0;
	l->caps = 0;
	r = hc_exchange(l, &c);
	if (l->broken && !c.bad_reply) {
		hc_sys_close(s);
		return hc_unreachable(sa.sun_path, "no answer to HELLO");
	}
	/* an older host refuses HELLO, or answers in a layout of its own */
	if (c.bad_reply || r == -EBADMSG || r == -EPROTONOSUPPORT) {
		hc_sys_close(s);
		hc_say_old_host(sa.sun_path, "");
		return -EPROTONOSUPPORT;
	}
	if (r > 0xffffffffLL)
		r = -EPROTO;
	if (r >= 0) {
		subject = r;
		r = hc_link_hello(l, &rep, sa.sun_path);
		l->caps &= req.req.hello.caps;	/* what we announced */
	}
	if (r < 0) {
		hc_sys_close(s);
		if (r != -EPROTONOSUPPORT)
			hc_debug("hostcall: hostcalld at %s refused a new subject: %s",
				 sa.sun_path, strerror(-r));
		return r;
	}
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &notv, sizeof(notv));
	l->subject = subject;
	hc_unix_warned = 0;
	return 0;
}

/* The shadow forks too; the child's connection comes back with the reply. */
static int hc_unix_fork_subject(struct hc_link *l, struct hc_link *child)
{
	struct hc_msg req = { .op = HC_OP_FORK_SUBJECT }, rep;
	int fds[HC_SOCK_FDS_MAX];
	struct hc_call c = { .req = &req, .rep = &rep, .rfds = fds };
	hc_s64 r = hc_exchange(l, &c);

	if (l->broken)
		return -EIO;
	if (r >= 0 && r <= 0xffffffffLL && c.nrfds == 1) {
		child->fd = fds[0];
		child->subject = r;
		return 0;
	}
	hc_close_fds(fds, c.nrfds);
	hc_debug("hostcall: fork-subject failed (%s): the child gets a new subject",
		 strerror(r < 0 ? -r : EPROTO));
	return r < 0 ? r : -EPROTO;
}

/* The shadow opens the file and passes it back, with its handle for it. */
static int hc_unix_open_file(struct hc_msg *req, int pass, int flags, int *handle)
{
	struct hc_msg rep;
	int fds[HC_SOCK_FDS_MAX];
	struct hc_call c = { .req = req, .rep = &rep, .rfds = fds,
			     .fds = &pass, .nfds = pass >= 0 };
	hc_s64 r = hc_call(&c);

	if (r < 0)
		return r;
	if (c.nrfds != 1 || r > 0x7fffffff) {
		hc_close_fds(fds, c.nrfds);
		return -EIO;
	}
	/* Received fds are close-on-exec; open(2)'s are only if asked. */
	if (!(flags & O_CLOEXEC))
		hc_sys_fcntl(fds[0], F_SETFD, 0);
	*handle = r;
	return fds[0];
}

/*
 * HC_IO_PASS fds, then those of the fdmap, go with the request; pipe ends
 * and the pty come back.
 */
static int hc_unix_spawn(const struct hc_spawn *sp, struct hc_msg *req, struct hc_proc *p)
{
	struct hc_msg rep;
	int pass[HC_FDS_MAX], npass = 0, fds[HC_SOCK_FDS_MAX], i;
	struct hc_call c = { .req = req, .rep = &rep, .fds = pass, .rfds = fds };

	for (i = 0; i < 3; i++)
		if (sp->stdio[i] == HC_IO_PASS)
			pass[npass++] = sp->fds[i];
	/* hc_spawn() checked that they fit */
	for (i = 0; i < sp->nfdmap && npass < HC_FDS_MAX; i++)
		pass[npass++] = sp->fdmap[i].fd;
	c.nfds = npass;
	return hc_spawn_call(&c, p);
}

const struct hc_transport hc_transport_unix = {
	.name		= "unix",
	.per_identity	= 1,
	.connect	= hc_unix_connect,
	.request	= hc_unix_request,
	.send		= hc_unix_send,
	.recv		= hc_sock_recv,
	.fork_subject	= hc_unix_fork_subject,
	.open_file	= hc_unix_open_file,
	.spawn		= hc_unix_spawn,
};
