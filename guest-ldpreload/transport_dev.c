// SPDX-License-Identifier: GPL-2.0-only
/*
 * The /dev/hostcall transport (inside a VM), through the ioctls of
 * proto/hostcall_dev.h. The module gives each process its own subject and
 * forks it for a forked child by itself. No fd crosses into the VM's host:
 * an opened host file is a hostfs file of the guest kernel, a host
 * program's streams are stream files of the module, and a stream the
 * caller passes an fd of its own for is a pipe that a pump process joins
 * to that fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hc_internal.h"
#include "hostcall_dev.h"

#define HC_DEV_PATH	"/dev/hostcall"

_Static_assert(HOSTCALL_SPAWN_FDS <= HC_SOCK_FDS_MAX, "struct hc_wire holds a spawn's stream fds");

static int hc_dev_warned;	/* under the core's lock */

/* Asked for a socket by name (HOSTCALL_SOCKET), a process uses that one. */
static int hc_dev_wanted(void)
{
	const char *s = getenv("HOSTCALL_SOCKET");

	if (s && *s)
		return 0;
	return syscall(SYS_faccessat, AT_FDCWD, HC_DEV_PATH, F_OK, 0) == 0;
}

/*
 * Open the device: the module says HELLO for the new subject, and tells
 * what it got (HOSTCALL_IOC_INFO): the version, the message size and the
 * capabilities offered. No fd crosses the ring.
 */
static int hc_dev_connect(struct hc_link *l)
{
	struct hostcall_info info;
	int fd = syscall(SYS_openat, AT_FDCWD, HC_DEV_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fd = -errno;
		if (fd == -EPROTONOSUPPORT) {
			/* the module's HELLO was refused */
			hc_say_old_host(HC_DEV_PATH,
					" (or, if it is of this release, hostcall.ko, which said HELLO)");
		} else if (!hc_dev_warned) {
			hc_dev_warned = 1;
			hc_debug("hostcall: cannot open %s: %s (is hostcalld --ivshmem serving this VM?)",
				 HC_DEV_PATH, strerror(-fd));
		}
		return fd == -ENOENT || fd == -ENODEV || fd == -ENXIO ?
		       -EHOSTUNREACH : fd;
	}
	l->version = HC_PROTO_VERSION;
	l->msg_max = HC_MSG_MAX;
	if (ioctl(fd, HOSTCALL_IOC_INFO, &info) == 0) {
		if (info.version < HC_PROTO_VERSION_MIN ||
		    info.version > HC_PROTO_VERSION) {
			/* a hostcall.ko of another release than this library */
			hc_debug("hostcall: %s speaks protocol version %u, this libhostcall %d: use hostcall.ko and libhostcall of one release",
				 HC_DEV_PATH, info.version, HC_PROTO_VERSION);
			hc_sys_close(fd);
			return -EPROTONOSUPPORT;
		}
		l->version = info.version;
		if (info.msg_max < HC_MSG_MAX)
			l->msg_max = info.msg_max;
		l->caps = info.caps & HC_CAPS;
	} else {
		l->caps = 0;
	}
	l->fds_max = 0;
	l->fd = hc_link_place(fd);
	l->subject = 0;		/* the module fills it in */
	hc_dev_warned = 0;
	return 0;
}

/*
 * HOSTCALL_IOC_CALL, or HOSTCALL_IOC_SPAWN for HC_OP_SPAWN with
 * HC_SPAWN_KEEP, whose stream fds (one for each handle of the reply) come
 * back as the reply's fds. The module checks both messages.
 */
static int hc_dev_request(struct hc_link *l, struct hc_wire *w)
{
	struct hostcall_spawn s = {
		.call = {
			.req = (uintptr_t)w->req, .rep = (uintptr_t)w->rep,
			.req_len = w->len, .rep_cap = w->cap,
		},
	};
	unsigned int i;

	if (w->nfds)
		return -EBADF;
	if (w->msg->op != HC_OP_SPAWN || !(w->msg->req.spawn.flags & HC_SPAWN_KEEP)) {
		if (ioctl(l->fd, HOSTCALL_IOC_CALL, &s.call) < 0)
			return -errno;
		return s.call.rep_len;
	}
	if (ioctl(l->fd, HOSTCALL_IOC_SPAWN, &s) < 0)
		return -errno;
	if (s.nfds > HOSTCALL_SPAWN_FDS)
		return -EIO;
	for (i = 0; i < s.nfds; i++)
		w->rfds[i] = s.fds[i];
	w->nrfds = s.nfds;
	return s.call.rep_len;
}

/*
 * The module opens the file as a hostfs file, a real guest fd: read,
 * write, fstat, mmap, fchmod… are the guest kernel's. Only a directory
 * goes into the fd table, with a handle of this subject from a second
 * OPENAT (O_PATH), so that *at() calls and fchdir() relative to it run in
 * the shadow as on the socket transport.
 */
static int hc_dev_open_file(struct hc_msg *req, int pass, int flags, int *handle)
{
	struct hc_req_openat *op = &req->req.openat;
	struct hostcall_open o = {
		.path = (uintptr_t)op->path, .dirfd = op->dirfd,
		.flags = flags, .mode = op->mode,
	};
	struct hc_msg rep;
	struct hc_call c = { .req = req, .rep = &rep };
	struct stat st;
	int dev, fd;
	hc_s64 h;

	*handle = HC_FDT_SKIP;
	if (pass >= 0)
		return -EBADF;	/* a subject's handles are the only dirfds here */
	dev = hc_client_fd();
	if (dev < 0)
		return dev;
	/* not under the core's lock: a FIFO's open may wait for a writer */
	fd = ioctl(dev, HOSTCALL_IOC_OPEN, &o);
	if (fd < 0)
		return -errno;
	if (flags & O_PATH)
		return fd;
	if (!(flags & O_DIRECTORY) &&
	    (syscall(SYS_fstat, fd, &st) < 0 || !S_ISDIR(st.st_mode)))
		return fd;
	op->flags = HC_O_PATH | HC_O_DIRECTORY | HC_O_CLOEXEC;
	op->mode = 0;
	h = hc_call(&c);
	if (h >= 0 && h <= 0x7fffffff)
		*handle = h;
	return fd;
}

/*
 * An HC_IO_PASS stream is an HC_IO_PIPE whose stream fd a pump process
 * joins to the caller's fd: a child of the caller that copies one way
 * until end of file and exits. When the host process has been reaped,
 * hc_dev_reaped() waits for its output pumps (so that all output is there
 * when hc_wait() returns) and stops its input pump, which may be waiting
 * on a terminal nobody else reads from then.
 */
#define HC_PUMP_PROCS	16
#define HC_PUMP_BUF	16384

struct hc_pumps {
	pid_t host;		/* 0: free entry */
	pid_t pump[3];		/* per stdio stream, 0: none */
};

static struct hc_pumps hc_pumps[HC_PUMP_PROCS];
static pthread_mutex_t hc_pumps_lock = PTHREAD_MUTEX_INITIALIZER;

/* The pump: raw system calls only, since it was made by a raw clone. */
static void __attribute__((noreturn)) hc_pump_run(int from, int to)
{
	char buf[HC_PUMP_BUF];
	int lo = from < to ? from : to, hi = from < to ? to : from;
	ssize_t n, w, off;

	if (lo > 0)
		syscall(SYS_close_range, 0, lo - 1, 0);
	if (hi > lo + 1)
		syscall(SYS_close_range, lo + 1, hi - 1, 0);
	syscall(SYS_close_range, hi + 1, ~0u, 0);
	for (;;) {
		n = syscall(SYS_read, from, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (off = 0; off < n; off += w) {
			w = syscall(SYS_write, to, buf + off, n - off);
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w <= 0)
				syscall(SYS_exit_group, 0);
		}
	}
	syscall(SYS_exit_group, 0);
	__builtin_unreachable();
}

/*
 * A pump from @from to @to. A raw clone: the program's fork handlers (and
 * ours) are not for this process, which runs no library code.
 */
static pid_t hc_pump_start(int from, int to)
{
	long pid = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);

	if (pid == 0)
		hc_pump_run(from, to);
	return pid < 0 ? -errno : pid;
}

static void hc_pumps_note(pid_t host, const pid_t *pump)
{
	int i;

	pthread_mutex_lock(&hc_pumps_lock);
	for (i = 0; i < HC_PUMP_PROCS && hc_pumps[i].host; i++)
		;
	if (i < HC_PUMP_PROCS) {
		hc_pumps[i].host = host;
		memcpy(hc_pumps[i].pump, pump, sizeof(hc_pumps[i].pump));
	}
	pthread_mutex_unlock(&hc_pumps_lock);
}

/* Host process @host is gone: wait for its output pumps, stop its input's. */
static void hc_dev_reaped(pid_t host)
{
	pid_t pump[3] = { 0, 0, 0 };
	int i;

	pthread_mutex_lock(&hc_pumps_lock);
	for (i = 0; i < HC_PUMP_PROCS; i++)
		if (hc_pumps[i].host == host) {
			memcpy(pump, hc_pumps[i].pump, sizeof(pump));
			hc_pumps[i].host = 0;
			break;
		}
	pthread_mutex_unlock(&hc_pumps_lock);
	if (pump[0] > 0)
		kill(pump[0], SIGKILL);
	for (i = 0; i < 3; i++)
		if (pump[i] > 0)
			while (waitpid(pump[i], NULL, 0) < 0 && errno == EINTR)
				;
}

/*
 * HC_OP_SPAWN with HC_SPAWN_KEEP through HOSTCALL_IOC_SPAWN: stream fds,
 * and pumps for HC_IO_PASS. No fd of ours can reach a host program here,
 * so an fdmap cannot be served.
 */
static int hc_dev_spawn(const struct hc_spawn *sp, struct hc_msg *req, struct hc_proc *p)
{
	struct hc_req_spawn *s = &req->req.spawn;
	struct hc_msg rep;
	int fds[HC_SOCK_FDS_MAX], i, r;
	struct hc_call c = { .req = req, .rep = &rep, .rfds = fds };
	pid_t pump[3] = { 0, 0, 0 };
	hc_u32 *mode[3] = { &s->stdin_mode, &s->stdout_mode, &s->stderr_mode };

	if (sp->nfdmap)
		return -EOPNOTSUPP;
	s->flags |= HC_SPAWN_KEEP;
	for (i = 0; i < 3; i++)
		*mode[i] = sp->stdio[i] == HC_IO_PASS ? HC_STDIO_PIPE : sp->stdio[i];
	r = hc_spawn_call(&c, p);
	if (r)
		return r;
	for (i = 0; i < 3; i++) {
		if (sp->stdio[i] != HC_IO_PASS)
			continue;
		pump[i] = i ? hc_pump_start(p->fds[i], sp->fds[i])
			    : hc_pump_start(sp->fds[i], p->fds[i]);
		hc_sys_close(p->fds[i]);
		p->fds[i] = -1;
		if (pump[i] < 0)
			goto err_pumps;
	}
	if (pump[0] || pump[1] || pump[2])
		hc_pumps_note(p->pid, pump);
	return 0;

err_pumps:
	for (i = 0; i < 3; i++) {
		if (p->fds[i] >= 0)
			hc_sys_close(p->fds[i]);
		p->fds[i] = -1;
		if (pump[i] > 0) {
			kill(pump[i], SIGKILL);
			waitpid(pump[i], NULL, 0);
		}
	}
	if (p->pty >= 0)
		hc_sys_close(p->pty);
	p->pty = -1;
	return -EIO;
}

/*
 * HOSTCALL_CALL_ASYNC: the module sends the request and gives a call file
 * the reply is read from, readable once it is in; closing it early cancels
 * the request on the host.
 */
static int hc_dev_start(struct hc_link *l, struct hc_wire *w)
{
	struct hostcall_call c = {
		.req = (uintptr_t)w->req, .req_len = w->len,
		.flags = HOSTCALL_CALL_ASYNC,
	};
	int fd;

	if (w->nfds)
		return -EBADF;
	if (hc_no_inflight())
		return -EOPNOTSUPP;
	fd = ioctl(l->fd, HOSTCALL_IOC_CALL, &c);
	if (fd < 0)
		return errno == EINVAL ? -EOPNOTSUPP : -errno;	/* an older module */
	return hc_link_place(fd);
}

static int hc_dev_collect(int cfd, void *buf, size_t cap)
{
	struct pollfd p = { .fd = cfd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, 0) <= 0)
		return -EAGAIN;
	n = syscall(SYS_read, cfd, buf, cap);
	return n < 0 ? -errno : (int)n;
}

const struct hc_transport hc_transport_dev = {
	.name		= "dev",
	.wanted		= hc_dev_wanted,
	.connect	= hc_dev_connect,
	.request	= hc_dev_request,
	.start		= hc_dev_start,
	.collect	= hc_dev_collect,
	.open_file	= hc_dev_open_file,
	.spawn		= hc_dev_spawn,
	.reaped		= hc_dev_reaped,
};
