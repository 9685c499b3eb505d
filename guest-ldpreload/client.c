// SPDX-License-Identifier: GPL-2.0-only
/*
 * The client core: this process's subject, that is one SOCK_SEQPACKET
 * connection to its shadow process, one request at a time, and the
 * fork-subject dance that gives a forked child a subject of its own.
 * Inside a VM the subject is an open of /dev/hostcall instead (the
 * transport is chosen at the first call, see hc_client_dev()): requests go
 * through its call ioctl, and the module forks the subject for a forked
 * child by itself, so the fork handlers have nothing to do for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "hc_internal.h"
#include "hc_sock.h"
#include "shim.h"

/* The connection lives at or above this fd number, out of the programs' way. */
#define HC_CONN_FD_MIN		200
/* How long hostcalld may take to answer HELLO before we call it unreachable. */
#define HC_HELLO_TIMEOUT_S	10

/*
 * hc_lock serializes requests and guards everything below. Lock order:
 * hc_lock, then the fd table's lock, then the shim's cwd lock.
 */
static pthread_mutex_t hc_lock = PTHREAD_MUTEX_INITIALIZER;
static int hc_conn = -1;		/* read without the lock: atomics */
static int hc_mode = -1;		/* -1 not chosen yet, 0 socket, 1 device */
static int hc_dev = -1;			/* /dev/hostcall; atomics as hc_conn */
static unsigned int hc_gen;
static hc_u32 hc_subject;
static hc_u32 hc_tag;
static int hc_fork_fd = -1;		/* the child's connection, during fork */
static hc_u32 hc_fork_subject;
static int hc_fork_unlocked;		/* fork() from a signal handler mid-call */
static int hc_warned;
static __thread int hc_in_call;

/* Message buffers, used only under hc_lock: threads may have tiny stacks. */
static unsigned char hc_sbuf[HC_MSG_MAX];
static unsigned char hc_rbuf[HC_MSG_MAX];

int hc_sys_close(int fd)
{
	return syscall(SYS_close, fd);
}

int hc_sys_fcntl(int fd, int cmd, long arg)
{
	return syscall(SYS_fcntl, fd, cmd, arg);
}

static void hc_close_fds(const int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		hc_sys_close(fds[i]);
}

unsigned int hc_client_gen(void)
{
	return __atomic_load_n(&hc_gen, __ATOMIC_ACQUIRE);
}

/* Move @fd out of the low numbers programs use; returns the fd to use. */
static int hc_conn_place(int fd)
{
	int n = hc_sys_fcntl(fd, F_DUPFD_CLOEXEC, HC_CONN_FD_MIN);

	if (n < 0)
		return fd;
	hc_sys_close(fd);
	return n;
}

static void hc_conn_set(int fd)
{
	__atomic_store_n(&hc_conn, fd, __ATOMIC_RELEASE);
}

static void hc_conn_drop(void)
{
	if (hc_conn >= 0)
		hc_sys_close(hc_conn);
	hc_conn_set(-1);
}

/*
 * Copy the reply's path or data to @out (see hc_call()) and clear the
 * pointers into the receive buffer.
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

/*
 * One request and its reply through /dev/hostcall: the module checks both
 * and fills in the subject. Called with hc_lock held.
 */
static int hc_dev_exchange(struct hc_msg *req, struct hc_msg *rep, void *out,
			   size_t outcap)
{
	int len, rlen;

	req->hflags = 0;
	req->tag = ++hc_tag;
	req->subject = 0;
	req->result = 0;
	len = hc_encode(req, hc_sbuf, sizeof(hc_sbuf));
	if (len < 0)
		return len;
	rlen = hc_dev_call(hc_dev, hc_sbuf, len, hc_rbuf, sizeof(hc_rbuf));
	if (rlen < 0)
		return rlen;
	if (hc_decode(rep, hc_rbuf, rlen) || rep->op != req->op ||
	    rep->tag != req->tag || !(rep->hflags & HC_HF_REPLY) ||
	    (rep->hflags & HC_HF_NFDS_MASK))
		return -EIO;
	if (rep->result < 0)
		return rep->result < -4095 ? -EIO : (int)rep->result;
	hc_reply_out(rep, out, outcap);
	return rep->result > INT_MAX ? INT_MAX : (int)rep->result;
}

/*
 * One request and its reply on connection @s. Sets *@broken when the
 * connection can no longer be trusted (send or receive failed, a reply
 * that does not decode or does not answer this request).
 */
static int hc_exchange(int s, struct hc_msg *req, const int *fds, int nfds,
		       struct hc_msg *rep, void *out, size_t outcap,
		       int *rfds, int *nrfds, int *broken)
{
	int got[HC_SOCK_FDS_MAX], ngot = 0, len, err;
	ssize_t rlen;

	if (nrfds)
		*nrfds = 0;
	if (nfds < 0 || nfds > HC_HF_NFDS_MASK)
		return -EINVAL;
	req->hflags = nfds;
	req->tag = ++hc_tag;
	req->subject = hc_subject;
	req->result = 0;
	len = hc_encode(req, hc_sbuf, sizeof(hc_sbuf));
	if (len < 0)
		return len;
	err = hc_sock_send(s, hc_sbuf, len, fds, nfds);
	if (err == -EBADF && nfds)
		return err;	/* an attached fd was bad: nothing was sent */
	if (err)
		goto broken;
	rlen = hc_sock_recv(s, hc_rbuf, sizeof(hc_rbuf), got, &ngot);
	if (rlen <= 0)
		goto broken;
	if (hc_decode(rep, hc_rbuf, rlen) || rep->op != req->op ||
	    rep->tag != req->tag || !(rep->hflags & HC_HF_REPLY) ||
	    (rep->hflags & HC_HF_NFDS_MASK) != ngot)
		goto bad_reply;
	if (rep->result < 0) {
		hc_close_fds(got, ngot);
		return rep->result < -4095 ? -EIO : (int)rep->result;
	}
	hc_reply_out(rep, out, outcap);

	if (rfds) {
		memcpy(rfds, got, ngot * sizeof(int));
		*nrfds = ngot;
	} else {
		hc_close_fds(got, ngot);
	}
	return rep->result > INT_MAX ? INT_MAX : (int)rep->result;

bad_reply:
	hc_close_fds(got, ngot);
	hc_debug("hostcall: bad reply to %s from the shadow: reconnecting on the next call",
		 hc_op_name(req->op));
broken:
	*broken = 1;
	return -EIO;
}

static int hc_unreachable(const char *path, const char *why)
{
	if (!hc_warned) {
		hc_warned = 1;
		hc_debug("hostcall: cannot reach hostcalld at %s (%s): start `hostcalld --socket %s`, or set HOSTCALL_SOCKET to its socket",
			 path, why, path);
	}
	return -EHOSTUNREACH;
}

/*
 * Give a new subject the host working directory the process had: on
 * connection @s, or through /dev/hostcall if @s < 0.
 */
static void hc_conn_restore_cwd(int s)
{
	static char cwd[HC_PATH_MAX + 1];
	struct hc_msg req = { .op = HC_OP_CHDIR, .fd = HC_AT_FDCWD }, rep;
	int broken = 0, r;

	if (!shim_cwd_for_subject(cwd, sizeof(cwd)))
		return;
	req.path = cwd;
	if (s < 0)
		r = hc_dev_exchange(&req, &rep, NULL, 0);
	else
		r = hc_exchange(s, &req, NULL, 0, &rep, NULL, 0, NULL, NULL, &broken);
	if (r < 0 && !broken)
		shim_cwd_restore_failed(cwd, r);
}

/* Open /dev/hostcall: a new subject (HELLO); called with hc_lock held. */
static int hc_dev_connect(void)
{
	int fd = hc_dev_open(HC_CONN_FD_MIN);

	if (fd < 0) {
		if (!hc_warned) {
			hc_warned = 1;
			hc_debug("hostcall: cannot open %s: %s (is hostcalld --ivshmem serving this VM?)",
				 HC_DEV_PATH, strerror(-fd));
		}
		return fd == -ENOENT || fd == -ENODEV || fd == -ENXIO ?
		       -EHOSTUNREACH : fd;
	}
	__atomic_store_n(&hc_dev, fd, __ATOMIC_RELEASE);
	__atomic_add_fetch(&hc_gen, 1, __ATOMIC_RELEASE);
	hc_warned = 0;
	hc_conn_restore_cwd(-1);
	return 0;
}

int hc_client_dev(void)
{
	int m = __atomic_load_n(&hc_mode, __ATOMIC_ACQUIRE);

	if (m < 0) {
		m = hc_dev_wanted();
		__atomic_store_n(&hc_mode, m, __ATOMIC_RELEASE);
	}
	return m;
}

static int hc_conn_open(void);

/* This process's subject, made if there is none; called with hc_lock held. */
static int hc_ready(void)
{
	if (hc_client_dev())
		return hc_dev < 0 ? hc_dev_connect() : 0;
	return hc_conn < 0 ? hc_conn_open() : 0;
}

/* Connect and say HELLO; called with hc_lock held. */
static int hc_conn_open(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = HC_HELLO_TIMEOUT_S };
	struct timeval notv = { 0 };
	struct hc_msg req = { .op = HC_OP_HELLO, .arg = HC_PROTO_VERSION }, rep;
	int s, r, broken = 0;

	if (hc_sock_default_path(sa.sun_path, sizeof(sa.sun_path)))
		return hc_unreachable(sa.sun_path, "socket path too long");
	/* Non-blocking connect: a relay with a full backlog must not hang us. */
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = errno;
		hc_sys_close(s);
		return hc_unreachable(sa.sun_path, strerror(r));
	}
	s = hc_conn_place(s);
	hc_sys_fcntl(s, F_SETFL, 0);
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	hc_subject = 0;
	r = hc_exchange(s, &req, NULL, 0, &rep, NULL, 0, NULL, NULL, &broken);
	if (broken) {
		hc_sys_close(s);
		return hc_unreachable(sa.sun_path, "no answer to HELLO");
	}
	if (r >= 0 && (rep.arg < 1 || rep.arg > HC_PROTO_VERSION))
		r = -EPROTONOSUPPORT;
	if (r < 0) {
		hc_sys_close(s);
		if (r == -EPROTONOSUPPORT)
			hc_debug("hostcall: hostcalld at %s speaks no protocol version this library knows (%d): use matching builds",
				 sa.sun_path, HC_PROTO_VERSION);
		else
			hc_debug("hostcall: hostcalld at %s refused a new subject: %s",
				 sa.sun_path, strerror(-r));
		return r;
	}
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &notv, sizeof(notv));
	hc_subject = r;
	__atomic_add_fetch(&hc_gen, 1, __ATOMIC_RELEASE);
	hc_warned = 0;
	hc_conn_set(s);
	hc_conn_restore_cwd(s);
	return 0;
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

int hc_call(struct hc_msg *req, const int *fds, int nfds, struct hc_msg *rep,
	    void *out, size_t outcap, int *rfds, int *nrfds)
{
	int r, broken = 0, cancel;

	if (nrfds)
		*nrfds = 0;
	r = hc_enter(&cancel);
	if (r)
		return r;
	r = hc_ready();
	if (r == 0 && hc_mode) {
		/* no fd crosses into the VM's host (rule: real guest fds) */
		r = nfds ? -EBADF : hc_dev_exchange(req, rep, out, outcap);
	} else if (r == 0) {
		r = hc_exchange(hc_conn, req, fds, nfds, rep, out, outcap,
				rfds, nrfds, &broken);
		if (broken)
			hc_conn_drop();
	}
	hc_leave(cancel);
	return r;
}

int hc_client_dev_open(hc_s32 wfd, const char *path, int flags, mode_t mode)
{
	int r, cancel, dev;

	r = hc_enter(&cancel);
	if (r)
		return r;
	r = hc_ready();
	dev = hc_dev;
	hc_leave(cancel);
	/* not under hc_lock: a FIFO's open may wait for a writer */
	return r ? r : hc_dev_openat(dev, wfd, path, flags, mode);
}

int hc_client_dev_spawn(struct hc_msg *req, int *fds, int *nfds)
{
	struct hc_msg rep;
	int r, len, rlen, cancel, i;

	*nfds = 0;
	r = hc_enter(&cancel);
	if (r)
		return r;
	r = hc_ready();
	if (r)
		goto out;
	req->hflags = 0;
	req->tag = ++hc_tag;
	req->subject = 0;
	req->result = 0;
	len = r = hc_encode(req, hc_sbuf, sizeof(hc_sbuf));
	if (r < 0)
		goto out;
	rlen = r = hc_dev_spawn(hc_dev, hc_sbuf, len, hc_rbuf, sizeof(hc_rbuf),
				fds, nfds);
	if (r < 0)
		goto out;
	if (hc_decode(&rep, hc_rbuf, rlen) || rep.op != req->op ||
	    rep.tag != req->tag || !(rep.hflags & HC_HF_REPLY))
		r = -EIO;
	else if (rep.result < 0)
		r = rep.result < -4095 ? -EIO : (int)rep.result;
	else
		r = rep.result > INT_MAX ? -EIO : (int)rep.result;
	if (r < 0) {
		for (i = 0; i < *nfds; i++)
			hc_sys_close(fds[i]);
		*nfds = 0;
	}
out:
	hc_leave(cancel);
	return r;
}

HC_EXPORT int hc_connect(void)
{
	int r, cancel;

	r = hc_enter(&cancel);
	if (r)
		return r;
	r = hc_ready();
	hc_leave(cancel);
	return r;
}

void hc_client_release(int handle, unsigned int gen)
{
	struct hc_msg req = { .op = HC_OP_CLOSE, .fd = handle }, rep;
	int broken = 0, cancel;

	if (hc_enter(&cancel))
		return;		/* inside the library's own closes: it stays */
	if (hc_mode > 0 && hc_dev >= 0 && gen == hc_gen) {
		hc_dev_exchange(&req, &rep, NULL, 0);
	} else if (hc_conn >= 0 && gen == hc_gen) {
		hc_exchange(hc_conn, &req, NULL, 0, &rep, NULL, 0, NULL, NULL, &broken);
		if (broken)
			hc_conn_drop();
	}
	hc_leave(cancel);
}

void hc_client_fds_closing(unsigned int lo, unsigned int hi)
{
	int s = __atomic_load_n(&hc_conn, __ATOMIC_ACQUIRE);
	int d = __atomic_load_n(&hc_dev, __ATOMIC_ACQUIRE);

	if (d >= 0 && (unsigned int)d >= lo && (unsigned int)d <= hi && !hc_in_call) {
		pthread_mutex_lock(&hc_lock);
		d = hc_dev;
		if (d >= 0 && (unsigned int)d >= lo && (unsigned int)d <= hi)
			__atomic_store_n(&hc_dev, -1, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&hc_lock);
	}

	/* The library's own closes (hc_in_call) never aim at the connection. */
	if (s < 0 || (unsigned int)s < lo || (unsigned int)s > hi || hc_in_call)
		return;
	pthread_mutex_lock(&hc_lock);
	if (hc_conn >= 0 && (unsigned int)hc_conn >= lo && (unsigned int)hc_conn <= hi)
		hc_conn_set(-1);	/* the program closes it */
	pthread_mutex_unlock(&hc_lock);
}

void hc_client_fd_wanted(int fd)
{
	int n;

	if (fd >= 0 && fd == __atomic_load_n(&hc_dev, __ATOMIC_ACQUIRE) && !hc_in_call) {
		pthread_mutex_lock(&hc_lock);
		if (fd == hc_dev) {
			n = hc_sys_fcntl(hc_dev, F_DUPFD_CLOEXEC, fd + 1);
			hc_sys_close(hc_dev);
			__atomic_store_n(&hc_dev, n, __ATOMIC_RELEASE);
		}
		pthread_mutex_unlock(&hc_lock);
		return;
	}

	if (fd < 0 || fd != __atomic_load_n(&hc_conn, __ATOMIC_ACQUIRE) || hc_in_call)
		return;
	pthread_mutex_lock(&hc_lock);
	if (fd == hc_conn) {
		n = hc_sys_fcntl(hc_conn, F_DUPFD_CLOEXEC, fd + 1);
		hc_sys_close(hc_conn);
		hc_conn_set(n);		/* -1 if it could not move: reconnect */
	}
	pthread_mutex_unlock(&hc_lock);
}

/*
 * fork: the shadow forks too (FORK_SUBJECT), and the child process talks to
 * the child shadow over the connection that comes back, so inherited host
 * state (cwd, directory handles) stays consistent. hc_lock is held across
 * fork() so that no request is in flight on the shared connection. A
 * process that never connected pays one uncontended lock.
 */
static void hc_atfork_prepare(void)
{
	struct hc_msg req = { .op = HC_OP_FORK_SUBJECT }, rep;
	int fds[HC_SOCK_FDS_MAX], n = 0, broken = 0, r;

	hc_fork_fd = -1;
	if (hc_in_call) {
		/* fork() from a signal handler that interrupted a request */
		hc_fork_unlocked = 1;
		return;
	}
	hc_fork_unlocked = 0;
	hc_in_call = 1;
	pthread_mutex_lock(&hc_lock);
	if (hc_conn < 0)
		return;
	r = hc_exchange(hc_conn, &req, NULL, 0, &rep, NULL, 0, fds, &n, &broken);
	if (broken) {
		hc_conn_drop();
		return;
	}
	if (r >= 0 && n == 1) {
		hc_fork_fd = fds[0];
		hc_fork_subject = r;
		return;
	}
	hc_close_fds(fds, n);
	hc_debug("hostcall: fork-subject failed (%s): the child gets a new subject",
		 strerror(r < 0 ? -r : EPROTO));
}

static void hc_atfork_parent(void)
{
	if (hc_fork_unlocked)
		return;
	if (hc_fork_fd >= 0)
		hc_sys_close(hc_fork_fd);
	hc_fork_fd = -1;
	pthread_mutex_unlock(&hc_lock);
	hc_in_call = 0;
}

static void hc_atfork_child(void)
{
	if (hc_fork_unlocked) {
		pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;

		hc_lock = fresh;
		hc_conn_drop();
		return;		/* hc_in_call stays as the interrupted call left it */
	}
	if (hc_conn >= 0) {
		if (hc_fork_fd >= 0 &&
		    syscall(SYS_dup3, hc_fork_fd, hc_conn, O_CLOEXEC) >= 0) {
			hc_subject = hc_fork_subject;
		} else {
			hc_conn_drop();
		}
	}
	if (hc_fork_fd >= 0)
		hc_sys_close(hc_fork_fd);
	hc_fork_fd = -1;
	pthread_mutex_unlock(&hc_lock);
	hc_in_call = 0;
}

void hc_client_init(void)
{
	pthread_atfork(hc_atfork_prepare, hc_atfork_parent, hc_atfork_child);
}
