/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal interfaces of libhostcall: the client core that owns this
 * process's subject, the transports below it, the host fd table, and what
 * the API files share. The layers: interposers (shim_*.c) -> API (api_*.c)
 * -> client core (client.c) -> transport (transport*.c) -> codec (proto/).
 */
#ifndef HC_INTERNAL_H
#define HC_INTERNAL_H

#include <errno.h>
#include <sys/stat.h>
#include <sys/statfs.h>

/*
 * struct statx: glibc (2.28+) and musl 1.2.5+ declare it in <sys/stat.h>,
 * with STATX_TYPE; for older musl take the kernel's (the musl build puts
 * only the kernel's uapi directories on its include path, see Makefile).
 */
#if !defined(__GLIBC__) && !defined(STATX_TYPE)
#include <linux/stat.h>
#define HC_LIBC_NO_STATX	1
#endif

#include "hostcall.h"
#include "hostcall_proto.h"
#include "hc_sock.h"

/* Marks the symbols the library exports; everything else is hidden. */
#define HC_EXPORT	__attribute__((visibility("default")))

#define hc_likely(x)	__builtin_expect(!!(x), 1)
#define hc_unlikely(x)	__builtin_expect(!!(x), 0)

/* ---- one-time set-up (init.c) ---- */

extern int hc_inited;
void hc_init_slow(void);

/* Reads the environment once; cheap, never connects. */
static inline void hc_ensure_init(void)
{
	if (hc_unlikely(!__atomic_load_n(&hc_inited, __ATOMIC_ACQUIRE)))
		hc_init_slow();
}

/* HOSTCALL_DEBUG=1: one line on stderr for the events a user must see. */
extern int hc_debug_on;
void hc_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- the client core (client.c) ---- */

/* Registers the fork handlers; called once by hc_init_slow(). */
void hc_client_init(void);

/*
 * One hostcall as a caller hands it to the core: the request, where its
 * reply goes, and the fds that go with either.
 */
struct hc_call {
	struct hc_msg *req;	/* op and fields; the header is filled in below */
	struct hc_msg *rep;	/* the decoded reply */
	const int *fds;		/* fds to attach, nfds of them (<= HC_FDS_MAX) */
	int nfds;
	/*
	 * Where the reply's path or blob (the first such field of its op's
	 * reply, hc_op_fields()) is copied, outcap bytes of room; a path is
	 * copied with its NUL. That field of c->rep then points to out, and
	 * outlen is its full length (for a path, without the NUL): the
	 * caller compares outlen with outcap. Without out, the reply's
	 * pointers are cleared (they pointed into the core's buffer).
	 */
	void *out;
	size_t outcap;
	size_t outlen;		/* out */
	int *rfds;		/* room for HC_SOCK_FDS_MAX fds, or NULL: closed */
	int nrfds;		/* out: how many fds came with the reply */
	/*
	 * out: a reply came that does not decode as this protocol version or
	 * does not answer the request (the call then fails with -EIO).
	 */
	int bad_reply;
};

/**
 * hc_call() - send c->req to this process's subject and wait for its reply.
 *
 * Connects on first use. One request at a time per subject, unless the
 * link is in flight (struct hc_link's inflight): then threads send in
 * turn and wait for their replies together, and the request of an op that
 * may block (HC_OPF_BLOCKS) waits without the core's lock.
 * Returns: the reply's result (>= 0) or -errno: -EHOSTUNREACH when
 * hostcalld cannot be reached, -EPROTONOSUPPORT when it speaks an older
 * protocol, -EIO when the connection broke (the next call connects again,
 * as a new subject) or the reply did not answer the request, -EBADF for fds
 * attached where the transport cannot carry them, -EINVAL for more fds than
 * the host takes (HELLO's fds_max), -EDEADLK when called again from a signal
 * handler that interrupted a call in the same thread.
 */
hc_s64 hc_call(struct hc_call *c);

/* A result where an API function returns an int: one that does not fit is an error. */
static inline int hc_ret_int(hc_s64 r)
{
	return r > 0x7fffffff ? -EOVERFLOW : (int)r;
}

/*
 * Whether the host of this process's subject offers capability @cap
 * (HC_CAP_*, the HELLO reply's caps): 1 or 0, connecting if there is no
 * subject yet (0 when none can be made). Ask before using an op or flag
 * added after version 3's first release.
 */
int hc_client_has_cap(hc_u64 cap);

/*
 * Generation of the current subject: it changes whenever a new connection
 * replaces a lost one, which invalidates the handles of the old subject.
 */
unsigned int hc_client_gen(void);

/*
 * Release @handle of subject generation @gen (HC_OP_CLOSE), if that subject
 * is still connected; never connects.
 */
void hc_client_release(int handle, unsigned int gen);

/*
 * The program is about to close fds @lo..@hi (close, close_range,
 * closefrom): if that includes the subject's connection (or /dev/hostcall),
 * forget it (the program closes it) so that the next call connects afresh.
 */
void hc_client_fds_closing(unsigned int lo, unsigned int hi);

/*
 * The program is about to make @fd a copy of another fd (dup2, dup3): if
 * @fd is the subject's connection, move the connection to another number first.
 */
void hc_client_fd_wanted(int fd);

/*
 * The fd of this process's subject (the connection or /dev/hostcall),
 * connecting if there is none, for a transport op that must not hold the
 * core's lock while it waits. Returns: the fd, or -errno.
 */
int hc_client_fd(void);

/*
 * hc_openat() and hc_spawn() past their requests, and the end of a host
 * process: what the transport of this process makes of them (see struct
 * hc_transport's open_file, spawn and reaped).
 */
int hc_client_open(struct hc_msg *req, int pass, int flags, int *handle);
int hc_client_spawn(const struct hc_spawn *sp, struct hc_msg *req, struct hc_proc *p);
void hc_client_reaped(pid_t pid);

/*
 * What the interposers follow of the process's working directory
 * (shim_cwd.c), registered once; the API-only build registers none.
 */
struct hc_cwd_hooks {
	/* The host cwd a new subject must start in, into @buf: 1, or 0 for none. */
	int (*for_subject)(char *buf, size_t cap);
	/* A new subject could not enter @path (-errno @err). Called with the core's lock held. */
	void (*restore_failed)(const char *path, int err);
	/* hc_chdir() or hc_fchdir() moved the subject. */
	void (*moved)(void);
};

void hc_client_set_cwd_hooks(const struct hc_cwd_hooks *h);

/*
 * The async waits of hostcall.h (hc_wait_start() and the rest), kept by
 * the core: a WAIT sent without waiting for its reply, which the core's
 * reader stores when it comes. Only on a link in flight; see hostcall.h
 * for what they return. hc_async_result() gives -ECHILD when no async wait
 * of @pid was started.
 */
int hc_async_start(pid_t pid);
int hc_async_fd(void);
int hc_async_result(pid_t pid, int *status);
int hc_async_cancel(pid_t pid);
/* hc_chdir() and hc_fchdir() moved the subject: tell the hooks. */
void hc_client_cwd_moved(void);

/* ---- transports (transport.c, transport_unix.c, transport_dev.c) ---- */

/* A subject's fd lives at or above this number, out of the programs' way. */
#define HC_LINK_FD_MIN		200

/*
 * This process's subject as its transport reaches it, and what its HELLO
 * said (set by connect; a forked child's subject inherits them).
 */
struct hc_link {
	const struct hc_transport *tp;
	int fd;			/* the connection or /dev/hostcall; -1: none */
	hc_u32 subject;		/* the host's id, where requests carry it */
	hc_u32 tag;		/* the last request's tag */
	int broken;		/* set by the transport: the core drops the link */
	hc_u32 version;		/* the protocol version in use */
	hc_u32 msg_max;		/* largest message either way, <= HC_MSG_MAX */
	hc_u32 fds_max;		/* fds a request may carry, <= HC_FDS_MAX */
	hc_u64 caps;		/* HC_CAP_* the host offers */
	hc_u64 idkey;		/* the credentials it was made with (per_identity) */
	/*
	 * Requests in flight (HC_CAP_INFLIGHT, on a transport with send and
	 * recv): several requests may wait for their replies at once; the
	 * core matches replies to requests by tag (client.c).
	 */
	int inflight;
};

/* Whether the host of @l offers capability @cap. */
static inline int hc_link_has_cap(const struct hc_link *l, hc_u64 cap)
{
	return (l->caps & cap) == cap;
}

/*
 * Check HELLO's reply @rep (result @r) for @l and keep what it says: the
 * version, msg_max, fds_max and caps. @where names the host for messages
 * (the socket path, or /dev/hostcall). Called by a transport's connect.
 * Returns: 0, or -EPROTONOSUPPORT (said on the debug path) for a host that
 * speaks no version this library does.
 */
int hc_link_hello(struct hc_link *l, const struct hc_msg *rep, const char *where);

/*
 * Say (once, on the debug path) that the host at @where speaks an older
 * protocol than this library's; @more is added to the line.
 */
void hc_say_old_host(const char *where, const char *more);

/* One encoded request on its way, and its reply. */
struct hc_wire {
	const struct hc_msg *msg;	/* the request, decoded */
	const void *req;
	size_t len;
	const int *fds;		/* fds attached to the request */
	int nfds;
	void *rep;		/* room for the encoded reply, cap bytes */
	size_t cap;
	int rfds[HC_SOCK_FDS_MAX]; /* out: fds that came with the reply */
	int nrfds;
	int hdr_nfds;		/* out: how many of them the reply's header must count */
};

/*
 * A transport: how this process's subject reaches its shadow, and what the
 * ops that cannot be plain messages there mean on it. Modelled on the
 * kernel's struct p9_trans_module.
 */
struct hc_transport {
	const char *name;
	/* Whether this process should use it (NULL: always); asked once. */
	int (*wanted)(void);
	/*
	 * A link acts as the credentials it was made with (the socket's
	 * SO_PEERCRED): a process whose credentials change needs a new one.
	 * (0: the transport follows credentials itself, as hostcall.ko does.)
	 */
	int per_identity;
	/*
	 * Make a new subject: set l->fd (at or above HC_LINK_FD_MIN,
	 * close-on-exec) and l->subject. Called with the core's lock held.
	 * Returns: 0, or -errno (-EHOSTUNREACH: no host there).
	 */
	int (*connect)(struct hc_link *l);
	/*
	 * Move @w's request to the shadow and its reply back, with their fds;
	 * set l->broken if @l can no longer be trusted. Called by
	 * hc_exchange() with the core's lock held.
	 * Returns: the reply's length, or -errno.
	 */
	int (*request)(struct hc_link *l, struct hc_wire *w);
	/*
	 * A link in flight (NULL: the transport has none): send @w's request
	 * alone, with its fds; set l->broken if @l can no longer be trusted.
	 * Called with the core's lock held. Returns: 0, or -errno.
	 */
	int (*send)(struct hc_link *l, struct hc_wire *w);
	/*
	 * A link in flight: receive one record on @fd into @buf (@cap bytes)
	 * and the fds that came with it into @fds (room for HC_SOCK_FDS_MAX).
	 * Called by the core's one reader, without the core's lock.
	 * Returns: the record's length, 0 at end of file, or -errno.
	 */
	ssize_t (*recv)(int fd, void *buf, size_t cap, int *fds, int *nfds);
	/*
	 * A link not in flight (NULL: none): start @w's request without
	 * waiting. Called with the core's lock held.
	 * Returns: a "call fd" (at or above HC_LINK_FD_MIN, close-on-exec)
	 * that poll() says is readable once the reply is in, or -errno.
	 * Closing it before then cancels the request.
	 */
	int (*start)(struct hc_link *l, struct hc_wire *w);
	/*
	 * The reply of a started request into @buf (@cap bytes), without
	 * waiting. Returns: its length, -EAGAIN while it is not in, or -errno.
	 */
	int (*collect)(int cfd, void *buf, size_t cap);
	/*
	 * fork(): the child's own subject into @child (fd and subject), which
	 * the core puts in the place of @l in the child. NULL when the
	 * transport forks subjects itself. Returns: 0, or -errno.
	 */
	int (*fork_subject)(struct hc_link *l, struct hc_link *child);
	/*
	 * hc_openat(): open @req (HC_OP_OPENAT, @flags as open(2) got them) as
	 * a real fd of this process and set *@handle to what the fd table
	 * records for it: the shadow's handle, HC_HANDLE_NONE, or HC_FDT_SKIP
	 * for a file the guest kernel serves by itself. @pass (or -1) is the
	 * fd the request's dirfd HC_HANDLE_PASSED names. Called without the
	 * core's lock. Returns: the fd, or -errno.
	 */
	int (*open_file)(struct hc_msg *req, int pass, int flags, int *handle);
	/*
	 * hc_spawn(): start @req (HC_OP_SPAWN built from @sp) and hand out
	 * its streams into @p. Called without the core's lock. Returns: 0,
	 * or -errno; p->pid > 0 after an error means the program started but
	 * its streams could not be handed out: the caller kills and reaps it.
	 */
	int (*spawn)(const struct hc_spawn *sp, struct hc_msg *req, struct hc_proc *p);
	/* Host process @pid has been reaped (may be NULL). */
	void (*reaped)(pid_t pid);
};

extern const struct hc_transport hc_transport_unix;
extern const struct hc_transport hc_transport_dev;

/**
 * hc_exchange() - the one exchange: stamp and encode c->req for @l, move it
 * with l->tp->request, and check that the reply answers it. Called with the
 * core's lock held (the message buffers are the core's).
 * Requests are encoded within l->msg_max and, for an op with HC_OPF_FDS,
 * may carry up to l->fds_max fds (-EBADF when the link takes none).
 * Returns: the reply's result (>= 0) or -errno, as hc_call(); a reply that
 * does not decode or does not answer the request sets l->broken and
 * c->bad_reply.
 */
hc_s64 hc_exchange(struct hc_link *l, struct hc_call *c);

/*
 * Send @req alone on @l (a link in flight), with the tag it has: encoded
 * as hc_exchange() does, no fds. Called with the core's lock held.
 * Returns: 0, or -errno (l->broken set when the link failed).
 */
int hc_link_send(struct hc_link *l, struct hc_msg *req);

/**
 * hc_link_start() - stamp and encode @req for @l and start it with
 * l->tp->start; under the core's lock.
 * Returns: the call fd, or -errno.
 */
int hc_link_start(struct hc_link *l, struct hc_msg *req);

/*
 * HOSTCALL_NO_INFLIGHT=1, a debugging knob: no requests in flight (the
 * socket's HC_CAP_INFLIGHT, /dev/hostcall's call fds), so that the process
 * makes one request at a time and polls, as with an older host.
 */
int hc_no_inflight(void);

/*
 * For hc_exchange(), in the core: the tag of @l's next request (on a link
 * in flight, one no request in flight has), and the exchange of @w on a
 * link in flight: send it, then wait for the reply with its tag, into
 * w->rep, or into a buffer of its own (malloc'd, for an op that waits
 * without the core's lock), which w->rep then points to and the caller
 * frees. Returns: the reply's length, or -errno.
 */
hc_u32 hc_link_next_tag(struct hc_link *l);
int hc_flight_request(struct hc_link *l, struct hc_wire *w);

/* Move new subject fd @fd to HC_LINK_FD_MIN or above; returns the fd to use. */
int hc_link_place(int fd);

/*
 * Make spawn call @c (c->rfds with room for HC_SOCK_FDS_MAX fds) and hand
 * out the started process's streams into @p as the stdio modes of
 * c->req->req.spawn ask: the pipe ends in stdio order, then the pty master,
 * which come as the reply's fds (with HC_SPAWN_KEEP, the transport's stream
 * fds for the handles of rep.spawn.handles).
 * Returns: 0, or -errno, as struct hc_transport's spawn.
 */
int hc_spawn_call(struct hc_call *c, struct hc_proc *p);

/* ---- the host fd table (fdtable.c) ---- */

/* hc_fdt_get() result for an entry made by an earlier, lost subject. */
#define HC_FDT_STALE	(-1)
/* open_file's handle for an fd the table does not take (struct hc_transport). */
#define HC_FDT_SKIP	(-3)

extern int hc_fdt_used;

/* Whether the table is empty: the cost of every fd call in most processes. */
static inline int hc_fdt_empty(void)
{
	return !__atomic_load_n(&hc_fdt_used, __ATOMIC_RELAXED);
}

/** hc_fdt_add() - record @fd, just received from the shadow with @handle. */
void hc_fdt_add(int fd, int handle);

/**
 * hc_fdt_get() - whether @fd is a host fd, checked against its (dev, ino).
 * @handle: set to the shadow's handle, HC_HANDLE_NONE, or HC_FDT_STALE
 * Returns: 1 for a host fd, 0 otherwise (a stale entry is dropped).
 */
int hc_fdt_get(int fd, int *handle);

/** hc_fdt_dup() - @newfd now refers to what @oldfd does. */
void hc_fdt_dup(int oldfd, int newfd);

/**
 * hc_fdt_forget() - fds @lo..@hi are about to be closed: drop their entries
 * and release the handles no other fd refers to.
 */
void hc_fdt_forget(unsigned int lo, unsigned int hi);

/* ---- shared by the library's files ---- */

/* The close(2) and fcntl(2) system calls, bypassing the interposers. */
int hc_sys_close(int fd);
int hc_sys_fcntl(int fd, int cmd, long arg);
/* Close @n fds of @fds, as hc_sys_close(). */
void hc_close_fds(const int *fds, int n);

/* The process's umask, tracked by the umask() interposer. */
extern unsigned int hc_umask;

/*
 * hc_chdir()'s request alone. hc_chdir() and hc_fchdir() also tell the
 * cwd hooks (hc_client_cwd_moved()), which the shim's own chdir must not.
 */
int hc_chdir_at(int dirfd, const char *path, int flags);

void hc_stat_to_stat(const struct hc_stat *h, struct stat *st);
void hc_stat_to_statx(const struct hc_stat *h, struct statx *stx);
void hc_statfs_to_statfs(const struct hc_statfs *h, struct statfs *sf);

#endif /* HC_INTERNAL_H */
