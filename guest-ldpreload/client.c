// SPDX-License-Identifier: GPL-2.0-only
/*
 * The client core: this process's subject (one link through the transport
 * chosen at the first call), one request at a time, the fork dance that
 * gives a forked child a subject of its own, and the working directory a
 * new subject starts in. What a link is, and how a message crosses it, is
 * the transport's (struct hc_transport). On a link with HC_CAP_INFLIGHT,
 * several requests may be in flight at once (below: requests in flight).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hc_internal.h"

/*
 * hc_lock serializes requests and guards everything below. Lock order:
 * hc_lock, then the fd table's lock, then the shim's cwd lock.
 */
static pthread_mutex_t hc_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hc_link hc_link = { .fd = -1 };	/* .fd read without the lock: atomics */
static const struct hc_transport *hc_tp;	/* chosen once; atomics */
static unsigned int hc_gen;
static struct hc_link hc_fork_link = { .fd = -1 };	/* the child's, during fork */
static int hc_fork_unlocked;		/* fork() from a signal handler mid-call */
static const struct hc_cwd_hooks *hc_cwd_hooks;	/* atomics */
static __thread int hc_in_call;

/* In order of preference: a process uses the first it wants. */
static const struct hc_transport *const hc_transports[] = {
	&hc_transport_dev,
	&hc_transport_unix,
};

int hc_sys_close(int fd)
{
	return syscall(SYS_close, fd);
}

int hc_sys_fcntl(int fd, int cmd, long arg)
{
	return syscall(SYS_fcntl, fd, cmd, arg);
}

void hc_close_fds(const int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		hc_sys_close(fds[i]);
}

unsigned int hc_client_gen(void)
{
	return __atomic_load_n(&hc_gen, __ATOMIC_ACQUIRE);
}

/*
 * The transport of this process, chosen at its first call: /dev/hostcall
 * when that exists and HOSTCALL_SOCKET is not set (a VM), else the Unix
 * socket. Two threads may both choose; they choose the same.
 */
static const struct hc_transport *hc_transport(void)
{
	const struct hc_transport *t = __atomic_load_n(&hc_tp, __ATOMIC_ACQUIRE);
	size_t i;

	if (hc_likely(t != NULL))
		return t;
	for (i = 0; i < sizeof(hc_transports) / sizeof(hc_transports[0]); i++) {
		t = hc_transports[i];
		if (!t->wanted || t->wanted())
			break;
	}
	__atomic_store_n(&hc_tp, t, __ATOMIC_RELEASE);
	return t;
}

static void hc_link_set_fd(int fd)
{
	__atomic_store_n(&hc_link.fd, fd, __ATOMIC_RELEASE);
}

/* ---- requests in flight ---- */

/*
 * On a link in flight (hc_link.inflight) a thread sends its request under
 * hc_lock, then waits for the reply with its tag. One waiting thread at a
 * time is the reader: it receives records and hands each to the waiter of
 * its tag (hc_fl_cond), or stores it for the async wait of its tag
 * (hc_async; hc_async_ev says so); a record nobody waits for is dropped,
 * its fds closed. The request of an op that may block (HC_OPF_BLOCKS)
 * waits without hc_lock, into a buffer of its own; the others keep hc_lock
 * and with it the core's buffers (transport.c). hc_fl_lock guards what
 * follows; lock order: hc_lock, then hc_fl_lock.
 */
struct hc_waiter {
	struct hc_waiter *next;
	hc_u32 tag;
	int fd;			/* the connection its request went on */
	struct hc_wire *w;	/* w->rep, w->cap: where its reply goes */
	int len;		/* the reply's length, or -errno */
	int done;
};

/* An async wait (hc_wait_start()). */
struct hc_async {
	pid_t pid;		/* 0: free entry */
	hc_u32 tag;
	int fd;			/* the connection its WAIT went on */
	int cfd;		/* or its call fd (transport's start), -1 */
	int done;		/* the reply came: result and status */
	int result;		/* pid, or -errno */
	int status;
};

/* Below the host's limit of requests in flight (32), leaving room for threads'. */
#define HC_ASYNC_MAX	24
/* Connections dropped while threads still wait on them, shut down. */
#define HC_RETIRED_MAX	8

static pthread_mutex_t hc_fl_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hc_fl_cond = PTHREAD_COND_INITIALIZER;
static struct hc_waiter *hc_fl_waiters;
static int hc_fl_reading;		/* a thread is the reader */
static struct hc_async hc_async[HC_ASYNC_MAX];
static int hc_async_ev = -1;		/* eventfd: an async wait's reply is stored */
static int hc_async_ep = -1;		/* epoll of it and the link: hc_wait_fd() */
static int hc_async_ep_link = -1;	/* the connection in hc_async_ep */
static int hc_fl_retired[HC_RETIRED_MAX];
static int hc_fl_nretired;
/* The reader's buffer while no call of its own waits (hc_async_result()). */
static unsigned char hc_fl_dbuf[HC_MSG_MAX];

/* Whether a request in flight has @tag; under hc_fl_lock. */
static int hc_fl_tag_used(hc_u32 tag)
{
	const struct hc_waiter *x;
	int i;

	for (x = hc_fl_waiters; x; x = x->next)
		if (x->tag == tag)
			return 1;
	for (i = 0; i < HC_ASYNC_MAX; i++)
		if (hc_async[i].pid && !hc_async[i].done && hc_async[i].tag == tag)
			return 1;
	return 0;
}

static hc_u32 hc_fl_next_tag(struct hc_link *l)
{
	do
		++l->tag;
	while (!l->tag || hc_fl_tag_used(l->tag));
	return l->tag;
}

hc_u32 hc_link_next_tag(struct hc_link *l)
{
	hc_u32 tag;

	if (!l->inflight)
		return ++l->tag;
	pthread_mutex_lock(&hc_fl_lock);
	tag = hc_fl_next_tag(l);
	pthread_mutex_unlock(&hc_fl_lock);
	return tag;
}

/* Wake the pollers of hc_wait_fd(); under hc_fl_lock. */
static void hc_async_signal(void)
{
	hc_u64 one = 1;

	if (hc_async_ev >= 0 && syscall(SYS_write, hc_async_ev, &one, sizeof(one)) < 0)
		hc_debug("hostcall: async wait: cannot signal its eventfd");
}

/* Connection @fd failed: every request on it fails; under hc_fl_lock. */
static void hc_fl_fail(int fd)
{
	struct hc_waiter *x;
	int i, any = 0;

	for (x = hc_fl_waiters; x; x = x->next)
		if (x->fd == fd && !x->done) {
			x->len = -EIO;
			x->done = 1;
		}
	for (i = 0; i < HC_ASYNC_MAX; i++)
		if (hc_async[i].pid && hc_async[i].fd == fd && !hc_async[i].done) {
			hc_async[i].done = 1;
			hc_async[i].result = -EIO;
			any = 1;
		}
	if (any)
		hc_async_signal();
	pthread_cond_broadcast(&hc_fl_cond);
}

/* Keep the reply of async wait @a; under hc_fl_lock. */
static void hc_async_store(struct hc_async *a, const void *buf, int len)
{
	struct hc_msg rep;

	a->done = 1;
	if (hc_decode(&rep, buf, len) || rep.op != HC_OP_WAIT ||
	    !(rep.hflags & HC_HF_REPLY) || (rep.hflags & HC_HF_NFDS_MASK))
		a->result = -EIO;
	else if (rep.result < 0)
		a->result = rep.result < -4095 ? -EIO : rep.result;
	else if (rep.result != a->pid)
		a->result = -EIO;	/* a wait that does not wait */
	else {
		a->result = a->pid;
		a->status = rep.rep.wait.status;
	}
	if (a->result == -EIO)
		hc_debug("hostcall: bad reply to an async wait from the shadow");
	hc_async_signal();
}

/*
 * Hand the record @buf (@len bytes: a receive's result; <= 0 or a bad
 * header fails the connection) that came on @fd with @rfds to whoever
 * waits for its tag. Called by the reader without hc_fl_lock; @self is
 * the reader's own waiter (its buffer is @buf), or NULL.
 * Returns: 0, or -EIO when the connection failed.
 */
static int hc_fl_dispatch(struct hc_waiter *self, int fd, const void *buf, ssize_t len,
			  const int *rfds, int nrfds)
{
	struct hc_msg h;
	struct hc_waiter *x;
	int i;

	if (len <= 0 || hc_decode_hdr(&h, buf, len) || !(h.hflags & HC_HF_REPLY)) {
		hc_close_fds(rfds, nrfds);
		if (len > 0)
			hc_debug("hostcall: bad reply from the shadow: reconnecting on the next call");
		pthread_mutex_lock(&hc_fl_lock);
		hc_fl_fail(fd);
		pthread_mutex_unlock(&hc_fl_lock);
		return -EIO;
	}
	pthread_mutex_lock(&hc_fl_lock);
	for (x = hc_fl_waiters; x; x = x->next)
		if (x->tag == h.tag && x->fd == fd && !x->done)
			break;
	if (x) {
		if (!x->w->rep) {
			x->w->rep = malloc(len);	/* it waits without hc_lock */
			x->w->cap = len;
		}
		if (!x->w->rep || (x->w->rep != buf && (size_t)len > x->w->cap)) {
			hc_close_fds(rfds, nrfds);
			x->len = x->w->rep ? -EIO : -ENOMEM;
		} else {
			if (x->w->rep != buf)
				memcpy(x->w->rep, buf, len);
			memcpy(x->w->rfds, rfds, nrfds * sizeof(int));
			x->w->nrfds = x->w->hdr_nfds = nrfds;
			x->len = len;
		}
		x->done = 1;
		if (x != self)
			pthread_cond_broadcast(&hc_fl_cond);
		pthread_mutex_unlock(&hc_fl_lock);
		return 0;
	}
	for (i = 0; i < HC_ASYNC_MAX; i++)
		if (hc_async[i].pid && !hc_async[i].done && hc_async[i].fd == fd &&
		    hc_async[i].tag == h.tag)
			break;
	hc_close_fds(rfds, nrfds);
	if (i < HC_ASYNC_MAX)
		hc_async_store(&hc_async[i], buf, len);
	else
		hc_debug("hostcall: a reply to %s (tag %u) no request waits for: dropped",
			 hc_op_name(h.op) ? hc_op_name(h.op) : "?", h.tag);
	pthread_mutex_unlock(&hc_fl_lock);
	return 0;
}

/* Close retired connections nobody waits on any more; under hc_fl_lock. */
static void hc_fl_reap_retired(void)
{
	const struct hc_waiter *x;
	int i = 0;

	while (i < hc_fl_nretired) {
		for (x = hc_fl_waiters; x && x->fd != hc_fl_retired[i]; x = x->next)
			;
		if (x) {
			i++;
			continue;
		}
		hc_sys_close(hc_fl_retired[i]);
		hc_fl_retired[i] = hc_fl_retired[--hc_fl_nretired];
	}
}

/* Wait for @me's reply, as the reader while no other thread is. */
static void hc_fl_wait(struct hc_waiter *me)
{
	const struct hc_transport *tp = hc_link.tp;
	struct hc_waiter **pp;
	int rfds[HC_SOCK_FDS_MAX], nrfds, reader = 0;
	void *buf;
	size_t cap;
	ssize_t n;

	pthread_mutex_lock(&hc_fl_lock);
	while (!me->done) {
		if (!reader && hc_fl_reading) {
			pthread_cond_wait(&hc_fl_cond, &hc_fl_lock);
			continue;
		}
		hc_fl_reading = reader = 1;
		pthread_mutex_unlock(&hc_fl_lock);
		/* into the caller's buffer, or the reader's while it has none */
		buf = me->w->rep ? me->w->rep : hc_fl_dbuf;
		cap = me->w->rep ? me->w->cap : sizeof(hc_fl_dbuf);
		nrfds = 0;
		n = tp->recv(me->fd, buf, cap, rfds, &nrfds);
		hc_fl_dispatch(me, me->fd, buf, n, rfds, nrfds);
		pthread_mutex_lock(&hc_fl_lock);
	}
	if (reader) {
		hc_fl_reading = 0;
		pthread_cond_broadcast(&hc_fl_cond);	/* another may read now */
	}
	for (pp = &hc_fl_waiters; *pp != me; pp = &(*pp)->next)
		;
	*pp = me->next;
	hc_fl_reap_retired();
	pthread_mutex_unlock(&hc_fl_lock);
}

int hc_flight_request(struct hc_link *l, struct hc_wire *w)
{
	struct hc_waiter me = { .tag = w->msg->tag, .fd = l->fd, .w = w };
	struct hc_waiter **pp;
	unsigned int gen = hc_gen;
	int err, unlock = 0;

	/*
	 * Only hc_call()'s requests block, on the subject, under hc_lock.
	 * Their replies go to a buffer of their own, made when one comes
	 * (hc_fl_dispatch()), which hc_exchange() frees.
	 */
	if (l == &hc_link && (hc_op_flags(w->msg->op) & HC_OPF_BLOCKS)) {
		w->rep = NULL;
		w->cap = 0;
		unlock = 1;
	}
	pthread_mutex_lock(&hc_fl_lock);
	me.next = hc_fl_waiters;
	hc_fl_waiters = &me;
	pthread_mutex_unlock(&hc_fl_lock);
	err = l->tp->send(l, w);
	if (err) {
		pthread_mutex_lock(&hc_fl_lock);
		for (pp = &hc_fl_waiters; *pp != &me; pp = &(*pp)->next)
			;
		*pp = me.next;
		pthread_mutex_unlock(&hc_fl_lock);
		return err;
	}
	if (unlock)
		pthread_mutex_unlock(&hc_lock);
	hc_fl_wait(&me);
	if (unlock)
		pthread_mutex_lock(&hc_lock);
	if (me.len == -ENOMEM)
		return me.len;
	if (me.len <= 0) {
		if (l->fd == me.fd && hc_gen == gen)
			l->broken = 1;	/* not a link made since */
		return -EIO;
	}
	return me.len;
}

/*
 * Connection @fd of a link in flight goes: what waits on it fails, and a
 * thread still reading it gets end of file (the fd is closed once nobody
 * waits on it, so that its number is not reused under a reader).
 */
static void hc_fl_retire(int fd)
{
	const struct hc_waiter *x;

	pthread_mutex_lock(&hc_fl_lock);
	if (fd == hc_async_ep_link) {
		epoll_ctl(hc_async_ep, EPOLL_CTL_DEL, fd, NULL);
		hc_async_ep_link = -1;
	}
	hc_fl_fail(fd);
	for (x = hc_fl_waiters; x && x->fd != fd; x = x->next)
		;
	shutdown(fd, SHUT_RDWR);
	if (x && hc_fl_nretired < HC_RETIRED_MAX)
		hc_fl_retired[hc_fl_nretired++] = fd;
	else
		hc_sys_close(fd);
	pthread_mutex_unlock(&hc_fl_lock);
}

/*
 * In a forked child: close the parent's connection, which stays the
 * parent's (no shutdown, which would end it for the parent too).
 */
static void hc_link_forget(void)
{
	if (hc_link.fd >= 0)
		hc_sys_close(hc_link.fd);
	hc_link_set_fd(-1);
	hc_link.broken = 0;
}

static void hc_link_drop(void)
{
	if (hc_link.fd >= 0) {
		if (hc_link.inflight)
			hc_fl_retire(hc_link.fd);
		else
			hc_sys_close(hc_link.fd);
	}
	hc_link_set_fd(-1);
	hc_link.broken = 0;
}

/* One exchange on the subject; called with hc_lock held. */
static hc_s64 hc_link_call(struct hc_call *c)
{
	hc_s64 r = hc_exchange(&hc_link, c);

	if (hc_link.broken)
		hc_link_drop();
	return r;
}

void hc_client_set_cwd_hooks(const struct hc_cwd_hooks *h)
{
	__atomic_store_n(&hc_cwd_hooks, h, __ATOMIC_RELEASE);
}

void hc_client_cwd_moved(void)
{
	const struct hc_cwd_hooks *h = __atomic_load_n(&hc_cwd_hooks, __ATOMIC_ACQUIRE);

	if (h)
		h->moved();
}

/*
 * The working directory of the subject on the link, as an fd to hand to the
 * subject that follows it (hc_link_restore_cwd()), if it is on the host;
 * else -1. Called with hc_lock held.
 */
static int hc_link_cwd_fd(void)
{
	static char cwd[HC_PATH_MAX + 1];
	const struct hc_cwd_hooks *h = __atomic_load_n(&hc_cwd_hooks, __ATOMIC_ACQUIRE);
	struct hc_msg req = { .op = HC_OP_OPENAT }, rep;
	int fds[HC_SOCK_FDS_MAX];
	struct hc_call c = { .req = &req, .rep = &rep, .rfds = fds };
	hc_s64 r;

	if (!h || !h->for_subject(cwd, sizeof(cwd)))
		return -1;
	req.req.openat.dirfd = HC_AT_FDCWD;
	req.req.openat.path = ".";
	req.req.openat.flags = hc_oflags_to_wire(O_RDONLY | O_DIRECTORY);
	r = hc_link_call(&c);
	if (r < 0)
		return -1;
	if (c.nrfds != 1) {
		hc_close_fds(fds, c.nrfds);
		return -1;
	}
	return fds[0];
}

/*
 * Give a new subject the host working directory the process had: by
 * reference, the directory itself (@cwdfd, from the subject before it), so
 * that it is the same directory whatever was renamed meanwhile; else, or
 * if the new subject cannot enter it that way, by path.
 */
static void hc_link_restore_cwd(int cwdfd)
{
	static char cwd[HC_PATH_MAX + 1];
	const struct hc_cwd_hooks *h = __atomic_load_n(&hc_cwd_hooks, __ATOMIC_ACQUIRE);
	struct hc_msg req = { .op = HC_OP_CHDIR }, rep;
	struct hc_call c = { .req = &req, .rep = &rep };
	hc_s64 r;

	if (cwdfd >= 0) {
		req.req.chdir.dirfd = HC_HANDLE_PASSED;
		req.req.chdir.path = "";
		req.req.chdir.flags = HC_AT_EMPTY_PATH;
		c.fds = &cwdfd;
		c.nfds = 1;
		r = hc_link_call(&c);
		hc_sys_close(cwdfd);
		if (r == 0 || hc_link.fd < 0)
			return;
		hc_debug("hostcall: the new subject cannot take over the working directory "
			 "(%s): it finds it by path", strerror((int)-r));
		req = (struct hc_msg){ .op = HC_OP_CHDIR };
		c = (struct hc_call){ .req = &req, .rep = &rep };
	}
	if (!h || !h->for_subject(cwd, sizeof(cwd)))
		return;
	req.req.chdir.dirfd = HC_AT_FDCWD;
	req.req.chdir.path = cwd;
	r = hc_link_call(&c);
	if (r < 0 && hc_link.fd >= 0)
		h->restore_failed(cwd, r);
}

/*
 * The process's credentials as a number that changes when they do: the
 * effective uid and gid (what SO_PEERCRED records at connect) and the
 * supplementary groups.
 */
static hc_u64 hc_idkey(void)
{
	gid_t g[64];
	hc_u64 h = 1469598103934665603ull;	/* FNV-1a */
	int n = getgroups(64, g), i;

	h = (h ^ geteuid()) * 1099511628211ull;
	h = (h ^ getegid()) * 1099511628211ull;
	if (n < 0)
		n = getgroups(0, NULL);	/* more than 64: their count */
	else
		for (i = 0; i < n; i++)
			h = (h ^ g[i]) * 1099511628211ull;
	return (h ^ (hc_u64)n) * 1099511628211ull;
}

/*
 * This process's subject, made if there is none, or anew when its
 * credentials changed on a transport whose link acts as them (the socket):
 * from its next call a process acts as its new credentials, in the same
 * working directory (taken over by reference). What it opened before keeps
 * its access: its host fds are real fds on the export's mount, which the
 * new subject takes over when a call names one (api_file.c), acting on it
 * as the new credentials, as the host kernel would. Called with hc_lock held.
 */
static int hc_ready(void)
{
	struct hc_link l = { .tp = hc_transport(), .fd = -1 };
	hc_u64 key = 0;
	int r, cwdfd = -1;

	if (hc_link.fd >= 0) {
		if (!hc_link.tp->per_identity || hc_link.idkey == (key = hc_idkey()))
			return 0;
		hc_debug("hostcall: the process's credentials changed: a new subject acts as them");
		cwdfd = hc_link_cwd_fd();
		hc_link_drop();
	}
	if (l.tp->per_identity && !key)
		key = hc_idkey();
	r = l.tp->connect(&l);
	if (r) {
		if (cwdfd >= 0)
			hc_sys_close(cwdfd);
		return r;
	}
	hc_link.tp = l.tp;
	hc_link.subject = l.subject;
	hc_link.broken = 0;
	hc_link.version = l.version;
	hc_link.msg_max = l.msg_max;
	hc_link.fds_max = l.fds_max;
	hc_link.caps = l.caps;
	hc_link.idkey = key;
	hc_link.inflight = hc_link_has_cap(&l, HC_CAP_INFLIGHT) && l.tp->send && l.tp->recv;
	__atomic_add_fetch(&hc_gen, 1, __ATOMIC_RELEASE);
	hc_link_set_fd(l.fd);
	hc_link_restore_cwd(cwdfd);
	return hc_link.fd >= 0 ? 0 : -EIO;
}

/* Enter and leave the one request in flight; 0, or -EDEADLK on re-entry. */
static int hc_enter(int *cancel)
{
	if (hc_in_call)
		return -EDEADLK;
	hc_ensure_init();
	/* A cancelled thread must not leave hc_lock locked. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, cancel);
	hc_in_call = 1;
	pthread_mutex_lock(&hc_lock);
	return 0;
}

static void hc_leave(int cancel)
{
	pthread_mutex_unlock(&hc_lock);
	hc_in_call = 0;
	pthread_setcancelstate(cancel, NULL);
}

hc_s64 hc_call(struct hc_call *c)
{
	hc_s64 r;
	int cancel;

	c->nrfds = 0;
	r = hc_enter(&cancel);
	if (r)
		return r;
	r = hc_ready();
	if (r == 0)
		r = hc_link_call(c);
	hc_leave(cancel);
	return r;
}

int hc_client_fd(void)
{
	int r, cancel;

	r = hc_enter(&cancel);
	if (r)
		return r;
	r = hc_ready();
	if (r == 0)
		r = hc_link.fd;
	hc_leave(cancel);
	return r;
}

int hc_client_has_cap(hc_u64 cap)
{
	int r, cancel;

	if (hc_enter(&cancel))
		return 0;
	r = hc_ready() == 0 && hc_link_has_cap(&hc_link, cap);
	hc_leave(cancel);
	return r;
}

/* ---- async waits (hostcall.h's hc_wait_start() and the rest) ---- */

/* The async wait of @pid; under hc_fl_lock. */
static struct hc_async *hc_async_find(pid_t pid)
{
	int i;

	for (i = 0; i < HC_ASYNC_MAX; i++)
		if (hc_async[i].pid == pid)
			return &hc_async[i];
	return NULL;
}

/* The eventfd and the epoll of hc_wait_fd(), on the link now; under hc_lock. */
static int hc_async_setup(void)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd, r = 0;

	pthread_mutex_lock(&hc_fl_lock);
	if (hc_async_ev < 0) {
		fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (fd < 0) {
			r = -errno;
			goto out;
		}
		hc_async_ev = hc_link_place(fd);
	}
	if (hc_async_ep < 0) {
		fd = epoll_create1(EPOLL_CLOEXEC);
		if (fd < 0) {
			r = -errno;
			goto out;
		}
		fd = hc_link_place(fd);
		ev.data.fd = hc_async_ev;
		if (epoll_ctl(fd, EPOLL_CTL_ADD, hc_async_ev, &ev) < 0) {
			r = -errno;
			hc_sys_close(fd);
			goto out;
		}
		hc_async_ep = fd;
		hc_async_ep_link = -1;
	}
	if (hc_async_ep_link != hc_link.fd && hc_link.inflight) {
		if (hc_async_ep_link >= 0)
			epoll_ctl(hc_async_ep, EPOLL_CTL_DEL, hc_async_ep_link, NULL);
		hc_async_ep_link = -1;
		ev.data.fd = hc_link.fd;
		if (epoll_ctl(hc_async_ep, EPOLL_CTL_ADD, hc_link.fd, &ev) < 0 && errno != EEXIST) {
			r = -errno;
			goto out;
		}
		hc_async_ep_link = hc_link.fd;
	}
out:
	pthread_mutex_unlock(&hc_fl_lock);
	return r;
}

/*
 * The subject, on a link in flight or one whose transport starts calls
 * (call fds), with hc_wait_fd()'s fds; under hc_lock.
 */
static int hc_async_ready(void)
{
	int r = hc_ready();

	if (r)
		return r;
	if (!hc_link.inflight && !hc_link.tp->start)
		return -EOPNOTSUPP;
	return hc_async_setup();
}

/* Async wait @a's call fd is done with; under hc_fl_lock. */
static void hc_async_close_cfd(struct hc_async *a)
{
	if (a->cfd < 0)
		return;
	if (hc_async_ep >= 0)
		epoll_ctl(hc_async_ep, EPOLL_CTL_DEL, a->cfd, NULL);
	hc_sys_close(a->cfd);
	a->cfd = -1;
}

/* Take async wait @a's reply from its call fd if it is in; under hc_fl_lock. */
static void hc_async_collect(struct hc_async *a)
{
	int len;

	if (a->cfd < 0 || a->done)
		return;
	len = hc_link.tp->collect(a->cfd, hc_fl_dbuf, sizeof(hc_fl_dbuf));
	if (len == -EAGAIN)
		return;
	if (len < 0) {
		a->done = 1;
		a->result = len == -EINTR ? -EIO : len;
		hc_async_signal();
	} else {
		hc_async_store(a, hc_fl_dbuf, len);
	}
	hc_async_close_cfd(a);
}

int hc_async_start(pid_t pid)
{
	struct hc_msg req = { .op = HC_OP_WAIT };
	struct hc_async *a;
	int r, cancel;

	r = hc_enter(&cancel);
	if (r)
		return r;
	r = hc_async_ready();
	if (r)
		goto out;
	pthread_mutex_lock(&hc_fl_lock);
	a = hc_async_find(pid);
	if (a) {
		r = -EBUSY;
	} else if (!(a = hc_async_find(0))) {
		r = -EAGAIN;
	} else {
		a->pid = pid;
		a->fd = hc_link.fd;
		a->cfd = -1;
		a->done = 0;
		a->result = a->status = 0;
		a->tag = req.tag = hc_fl_next_tag(&hc_link);
	}
	pthread_mutex_unlock(&hc_fl_lock);
	if (r)
		goto out;
	req.req.wait.pid = pid;
	req.req.wait.flags = 0;
	if (!hc_link.inflight) {
		/* a call fd, in hc_wait_fd()'s epoll */
		struct epoll_event ev = { .events = EPOLLIN };

		r = hc_link_start(&hc_link, &req);
		pthread_mutex_lock(&hc_fl_lock);
		if (r >= 0) {
			a->cfd = r;
			ev.data.fd = r;
			r = epoll_ctl(hc_async_ep, EPOLL_CTL_ADD, r, &ev) < 0 ? -errno : 0;
			if (r)
				hc_async_close_cfd(a);
		}
		if (r)
			a->pid = 0;
		pthread_mutex_unlock(&hc_fl_lock);
		goto out;
	}
	r = hc_link_send(&hc_link, &req);
	if (r) {
		pthread_mutex_lock(&hc_fl_lock);
		a->pid = 0;
		pthread_mutex_unlock(&hc_fl_lock);
		if (hc_link.broken)
			hc_link_drop();
	}
out:
	hc_leave(cancel);
	return r;
}

int hc_async_fd(void)
{
	int r, cancel;

	r = hc_enter(&cancel);
	if (r)
		return r;
	r = hc_async_ready();
	if (r == 0)
		r = hc_async_ep;
	hc_leave(cancel);
	return r;
}

/*
 * Read what has come on the link without waiting, unless another thread
 * reads; under hc_lock.
 */
static void hc_async_drain(void)
{
	int fd = hc_link.fd, rfds[HC_SOCK_FDS_MAX], nrfds, failed = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	pthread_mutex_lock(&hc_fl_lock);
	if (hc_fl_reading || fd < 0) {
		pthread_mutex_unlock(&hc_fl_lock);
		return;
	}
	hc_fl_reading = 1;
	pthread_mutex_unlock(&hc_fl_lock);
	while (!failed && poll(&p, 1, 0) > 0) {
		nrfds = 0;
		n = hc_link.tp->recv(fd, hc_fl_dbuf, sizeof(hc_fl_dbuf), rfds, &nrfds);
		failed = hc_fl_dispatch(NULL, fd, hc_fl_dbuf, n, rfds, nrfds) < 0;
	}
	pthread_mutex_lock(&hc_fl_lock);
	hc_fl_reading = 0;
	pthread_cond_broadcast(&hc_fl_cond);
	pthread_mutex_unlock(&hc_fl_lock);
	if (failed)
		hc_link_drop();
}

int hc_async_result(pid_t pid, int *status)
{
	struct hc_async *a;
	hc_u64 v;
	int r, i, cancel;

	r = hc_enter(&cancel);
	if (r)
		return r;
	pthread_mutex_lock(&hc_fl_lock);
	a = hc_async_find(pid);
	if (a && !a->done && a->cfd >= 0) {
		hc_async_collect(a);
	} else if (a && !a->done) {
		pthread_mutex_unlock(&hc_fl_lock);
		hc_async_drain();
		pthread_mutex_lock(&hc_fl_lock);
	}
	if (!a) {
		r = -ECHILD;
	} else if (!a->done) {
		r = 0;
	} else {
		r = a->result;
		if (r > 0 && status)
			*status = a->status;
		a->pid = 0;
		/* the eventfd says whether any other's reply is waiting */
		for (i = 0; i < HC_ASYNC_MAX && !(hc_async[i].pid && hc_async[i].done); i++)
			;
		if (i == HC_ASYNC_MAX && hc_async_ev >= 0 &&
		    syscall(SYS_read, hc_async_ev, &v, sizeof(v)) < 0 && errno != EAGAIN)
			hc_debug("hostcall: async wait: cannot read its eventfd");
	}
	pthread_mutex_unlock(&hc_fl_lock);
	hc_leave(cancel);
	if (r > 0)
		hc_client_reaped(pid);
	return r;
}

int hc_async_cancel(pid_t pid)
{
	struct hc_msg req = { .op = HC_OP_CANCEL }, rep;
	struct hc_call c = { .req = &req, .rep = &rep };
	struct hc_async *a;
	int r, cancel, send = 0;

	r = hc_enter(&cancel);
	if (r)
		return r;
	pthread_mutex_lock(&hc_fl_lock);
	a = hc_async_find(pid);
	if (!a) {
		r = -ECHILD;
	} else if (!a->done && a->cfd >= 0) {
		/* closing the call fd cancels the request, unless it is in */
		hc_async_collect(a);
		if (!a->done) {
			hc_async_close_cfd(a);
			a->done = 1;
			a->result = -EINTR;
			hc_async_signal();
		}
	} else if (!a->done && a->fd == hc_link.fd) {
		req.req.cancel.tag = a->tag;
		send = 1;
	}
	pthread_mutex_unlock(&hc_fl_lock);
	if (send) {
		r = hc_ret_int(hc_link_call(&c));
		if (r == -ENOENT)
			r = 0;	/* it was answered already */
	}
	hc_leave(cancel);
	return r;
}

HC_EXPORT int hc_connect(void)
{
	int r = hc_client_fd();

	return r < 0 ? r : 0;
}

int hc_client_open(struct hc_msg *req, int pass, int flags, int *handle)
{
	return hc_transport()->open_file(req, pass, flags, handle);
}

int hc_client_spawn(const struct hc_spawn *sp, struct hc_msg *req, struct hc_proc *p)
{
	return hc_transport()->spawn(sp, req, p);
}

void hc_client_reaped(pid_t pid)
{
	const struct hc_transport *t = hc_transport();

	if (t->reaped)
		t->reaped(pid);
}

void hc_client_release(int handle, unsigned int gen)
{
	struct hc_msg req = { .op = HC_OP_CLOSE }, rep;
	struct hc_call c = { .req = &req, .rep = &rep };
	int cancel;

	req.req.close.fd = handle;
	if (hc_enter(&cancel))
		return;		/* inside the library's own closes: it stays */
	if (hc_link.fd >= 0 && gen == hc_gen)
		hc_link_call(&c);
	hc_leave(cancel);
}

/* Whether the subject's fd is one of @lo..@hi; @fd is it, read without the lock. */
static int hc_link_in(int fd, unsigned int lo, unsigned int hi)
{
	return fd >= 0 && (unsigned int)fd >= lo && (unsigned int)fd <= hi;
}

void hc_client_fds_closing(unsigned int lo, unsigned int hi)
{
	/* The library's own closes (hc_in_call) never aim at the subject's fd. */
	if ((!hc_link_in(__atomic_load_n(&hc_link.fd, __ATOMIC_ACQUIRE), lo, hi) &&
	     !hc_link_in(__atomic_load_n(&hc_async_ep, __ATOMIC_ACQUIRE), lo, hi) &&
	     !hc_link_in(__atomic_load_n(&hc_async_ev, __ATOMIC_ACQUIRE), lo, hi)) || hc_in_call)
		return;
	pthread_mutex_lock(&hc_lock);
	if (hc_link_in(hc_link.fd, lo, hi))
		hc_link_set_fd(-1);	/* the program closes it */
	pthread_mutex_lock(&hc_fl_lock);
	/* hc_wait_fd()'s: made again when next needed */
	if (hc_link_in(hc_async_ep, lo, hi)) {
		__atomic_store_n(&hc_async_ep, -1, __ATOMIC_RELEASE);
		hc_async_ep_link = -1;
	}
	if (hc_link_in(hc_async_ev, lo, hi)) {
		__atomic_store_n(&hc_async_ev, -1, __ATOMIC_RELEASE);
		if (hc_async_ep >= 0)	/* it holds the old eventfd */
			hc_sys_close(hc_async_ep);
		__atomic_store_n(&hc_async_ep, -1, __ATOMIC_RELEASE);
		hc_async_ep_link = -1;
	}
	pthread_mutex_unlock(&hc_fl_lock);
	pthread_mutex_unlock(&hc_lock);
}

void hc_client_fd_wanted(int fd)
{
	int n;

	if (fd < 0 || fd != __atomic_load_n(&hc_link.fd, __ATOMIC_ACQUIRE) || hc_in_call)
		return;
	pthread_mutex_lock(&hc_lock);
	if (fd == hc_link.fd) {
		n = hc_sys_fcntl(hc_link.fd, F_DUPFD_CLOEXEC, fd + 1);
		hc_sys_close(hc_link.fd);
		hc_link_set_fd(n);	/* -1 if it could not move: reconnect */
	}
	pthread_mutex_unlock(&hc_lock);
}

/*
 * fork: where the transport says how (on the socket: the shadow forks too,
 * FORK_SUBJECT), the child process talks to a subject of its own, so that
 * inherited host state (cwd, directory handles) stays consistent. hc_lock
 * is held across fork() so that no request is in flight on the shared
 * link. A process that never connected pays one uncontended lock.
 */
static void hc_atfork_prepare(void)
{
	hc_fork_link.fd = -1;
	if (hc_in_call) {
		/* fork() from a signal handler that interrupted a request */
		hc_fork_unlocked = 1;
		return;
	}
	hc_fork_unlocked = 0;
	hc_in_call = 1;
	pthread_mutex_lock(&hc_lock);
	if (hc_link.fd < 0 || !hc_link.tp->fork_subject)
		return;
	hc_link.tp->fork_subject(&hc_link, &hc_fork_link);
	if (hc_link.broken)
		hc_link_drop();
}

/*
 * Requests in flight during fork() stay the parent's: hc_fl_lock is held
 * across it (after FORK_SUBJECT, which waits like any request), and the
 * child starts with none, no reader and no async waits.
 */
static void hc_fl_prepare(void)
{
	if (!hc_fork_unlocked)
		pthread_mutex_lock(&hc_fl_lock);
}

static void hc_fl_parent(void)
{
	if (!hc_fork_unlocked)
		pthread_mutex_unlock(&hc_fl_lock);
}

static void hc_fl_child(void)
{
	pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t fresh_cond = PTHREAD_COND_INITIALIZER;
	int i;

	hc_fl_lock = fresh;
	hc_fl_cond = fresh_cond;
	hc_fl_waiters = NULL;
	hc_fl_reading = 0;
	/* the parent's waits are not the child's: its copies of their call fds go */
	for (i = 0; i < HC_ASYNC_MAX; i++)
		if (hc_async[i].pid && hc_async[i].cfd >= 0)
			hc_sys_close(hc_async[i].cfd);
	memset(hc_async, 0, sizeof(hc_async));
	if (hc_async_ep >= 0)
		hc_sys_close(hc_async_ep);
	if (hc_async_ev >= 0)
		hc_sys_close(hc_async_ev);
	hc_async_ep = hc_async_ev = hc_async_ep_link = -1;
	for (i = 0; i < hc_fl_nretired; i++)
		hc_sys_close(hc_fl_retired[i]);
	hc_fl_nretired = 0;
}

static void hc_atfork_parent(void)
{
	if (hc_fork_unlocked)
		return;
	if (hc_fork_link.fd >= 0)
		hc_sys_close(hc_fork_link.fd);
	hc_fork_link.fd = -1;
	pthread_mutex_unlock(&hc_lock);
	hc_in_call = 0;
}

static void hc_atfork_child(void)
{
	int forks = hc_link.fd >= 0 && hc_link.tp->fork_subject;

	if (hc_fork_unlocked) {
		pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;

		hc_lock = fresh;
		if (forks)
			hc_link_forget();	/* the parent's subject, mid-request */
		return;		/* hc_in_call stays as the interrupted call left it */
	}
	if (forks) {
		if (hc_fork_link.fd >= 0 &&
		    syscall(SYS_dup3, hc_fork_link.fd, hc_link.fd, O_CLOEXEC) >= 0)
			hc_link.subject = hc_fork_link.subject;
		else
			hc_link_forget();
	}
	if (hc_fork_link.fd >= 0)
		hc_sys_close(hc_fork_link.fd);
	hc_fork_link.fd = -1;
	pthread_mutex_unlock(&hc_lock);
	hc_in_call = 0;
}

void hc_client_init(void)
{
	/* prepare handlers run last registered first: hc_atfork_prepare, then hc_fl_prepare */
	pthread_atfork(hc_fl_prepare, hc_fl_parent, hc_fl_child);
	pthread_atfork(hc_atfork_prepare, hc_atfork_parent, hc_atfork_child);
}
