// SPDX-License-Identifier: GPL-2.0-only
/*
 * The client core: this process's subject (one link through the transport
 * chosen at the first call), one request at a time, the fork dance that
 * gives a forked child a subject of its own, and the working directory a
 * new subject starts in. What a link is, and how a message crosses it, is
 * the transport's (struct hc_transport).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
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

static void hc_link_drop(void)
{
	if (hc_link.fd >= 0)
		hc_sys_close(hc_link.fd);
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

/* Give a new subject the host working directory the process had. */
static void hc_link_restore_cwd(void)
{
	static char cwd[HC_PATH_MAX + 1];
	const struct hc_cwd_hooks *h = __atomic_load_n(&hc_cwd_hooks, __ATOMIC_ACQUIRE);
	struct hc_msg req = { .op = HC_OP_CHDIR }, rep;
	struct hc_call c = { .req = &req, .rep = &rep };
	hc_s64 r;

	if (!h || !h->for_subject(cwd, sizeof(cwd)))
		return;
	req.req.chdir.dirfd = HC_AT_FDCWD;
	req.req.chdir.path = cwd;
	r = hc_link_call(&c);
	if (r < 0 && hc_link.fd >= 0)
		h->restore_failed(cwd, r);
}

/* This process's subject, made if there is none; called with hc_lock held. */
static int hc_ready(void)
{
	struct hc_link l = { .tp = hc_transport(), .fd = -1 };
	int r;

	if (hc_link.fd >= 0)
		return 0;
	r = l.tp->connect(&l);
	if (r)
		return r;
	hc_link.tp = l.tp;
	hc_link.subject = l.subject;
	hc_link.broken = 0;
	hc_link.version = l.version;
	hc_link.msg_max = l.msg_max;
	hc_link.fds_max = l.fds_max;
	hc_link.caps = l.caps;
	__atomic_add_fetch(&hc_gen, 1, __ATOMIC_RELEASE);
	hc_link_set_fd(l.fd);
	hc_link_restore_cwd();
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

HC_EXPORT int hc_connect(void)
{
	int r = hc_client_fd();

	return r < 0 ? r : 0;
}

int hc_client_open(struct hc_msg *req, int flags, int *handle)
{
	return hc_transport()->open_file(req, flags, handle);
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
	if (!hc_link_in(__atomic_load_n(&hc_link.fd, __ATOMIC_ACQUIRE), lo, hi) || hc_in_call)
		return;
	pthread_mutex_lock(&hc_lock);
	if (hc_link_in(hc_link.fd, lo, hi))
		hc_link_set_fd(-1);	/* the program closes it */
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
			hc_link_drop();	/* the parent's subject, mid-request */
		return;		/* hc_in_call stays as the interrupted call left it */
	}
	if (forks) {
		if (hc_fork_link.fd >= 0 &&
		    syscall(SYS_dup3, hc_fork_link.fd, hc_link.fd, O_CLOEXEC) >= 0)
			hc_link.subject = hc_fork_link.subject;
		else
			hc_link_drop();
	}
	if (hc_fork_link.fd >= 0)
		hc_sys_close(hc_fork_link.fd);
	hc_fork_link.fd = -1;
	pthread_mutex_unlock(&hc_lock);
	hc_in_call = 0;
}

void hc_client_init(void)
{
	pthread_atfork(hc_atfork_prepare, hc_atfork_parent, hc_atfork_child);
}
