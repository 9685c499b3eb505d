/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostcalld internals: the configuration, the relay's subject table, the
 * shadow process state and the per-op functions the shadow's op table uses.
 * Every function returns >= 0 or -errno unless it says otherwise.
 */
#ifndef HOSTD_H
#define HOSTD_H

#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "hostcall_proto.h"
#include "hc_sock.h"

#define HOSTD_NAME		"hostcalld"
#define HOSTD_VERSION		"0.1"

/*
 * Files a shadow remembers as "opened by me" (handles.c), least recently
 * used evicted: by file handle, and, on file systems without handles, by
 * an O_PATH fd it holds (so these are fewer: they count against its fds).
 */
#define HOSTD_SEEN_MAX		65536
#define HOSTD_SEEN_FDS		256
/* Host processes one subject may have spawned and not yet waited for. */
#define HOSTD_PROCS_MAX		256
/* SPAWN's fdmap: the fd numbers a host program may get are below this. */
#define HOSTD_FDMAP_LIMIT	1024
/*
 * Requests of one in-flight subject (HC_CAP_INFLIGHT) parked or in a worker
 * thread at once (inflight.c); past that a blocking request is served inline.
 */
#define HOSTD_INFLIGHT_MAX	32

/* ---- identities (idmap.c) ---- */

/* What an unmapped owner shows as; never mapped itself. */
#define HOSTD_OVERFLOW_ID	65534u
/* Entries of each kind a map may have. */
#define HOSTD_IDMAP_MAX		1024

enum { HOSTD_ID_NONE, HOSTD_ID_MAP, HOSTD_ID_PASSTHROUGH };

/* Guest ids @guest..+@count are host ids @host..+@count. */
struct hostd_idrange {
	hc_u32 guest, host, count;
};

/**
 * struct hostd_idmap - the identity map of --map-user, --map-group,
 * --map-file and --identity passthrough.
 * @mode: HOSTD_ID_*
 * @deny_unmapped: --unmapped deny: an unmapped client is refused (EACCES)
 *	instead of acting as --user
 * @user_as: --user-as: the guest uid the --user identity shows as
 * @user_uid: the --user identity's host uid
 */
struct hostd_idmap {
	int mode;
	int deny_unmapped;
	hc_u32 user_as;
	uid_t user_uid;
	struct hostd_idrange *users, *groups;
	unsigned int nusers, ngroups;
};

/**
 * struct hostd_ident - the host user a subject acts as: its ids, groups and
 * passwd entry, and the guest uid it was chosen for.
 */
struct hostd_ident {
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	int ngroups;
	char *name, *dir, *shell;
	hc_u32 guest_uid;
};

struct hostd_config;

/**
 * hostd_idmap_add() - add the entry @spec ("GUEST=HOST": an id or a range
 * N-M, mapped to a host name, an id or a range of the same length) to the
 * users (@group 0) or groups of @m.
 * Returns: 0, or -errno with @why saying what is wrong with @spec.
 */
int hostd_idmap_add(struct hostd_idmap *m, int group, const char *spec,
		    int allow_root, char *why, size_t whylen);

/**
 * hostd_idmap_file() - add the entries of @path, one per line ("user
 * GUEST=HOST", "group GUEST=HOST", "#" comments). Returns: 0, or -errno
 * after a message on stderr naming the line.
 */
int hostd_idmap_file(struct hostd_idmap *m, const char *path, int allow_root);

/** hostd_idmap_host() - the host id guest id @guest maps to, or -1. */
long long hostd_idmap_host(const struct hostd_idmap *m, int group, hc_u32 guest);

/**
 * hostd_idmap_guest() - what host id @host shows as: the guest id it maps
 * back to, --user-as for the --user identity, else HOSTD_OVERFLOW_ID; @host
 * itself without a map.
 */
hc_u32 hostd_idmap_guest(const struct hostd_config *cfg, int group, hc_u32 host);

/**
 * hostd_ident_for() - the identity a client of uid @uid, gid @gid (and, in
 * passthrough mode, supplementary @groups) acts as under cfg->idmap.
 * Returns: 0 with @id filled in (free it with hostd_ident_free()),
 * -ENOENT for an unmapped client that acts as --user, -EACCES for one that
 * is refused (--unmapped deny, or its host user does not exist), -ENOMEM.
 */
int hostd_ident_for(const struct hostd_config *cfg, hc_u32 uid, hc_u32 gid,
		    const gid_t *groups, int ngroups, struct hostd_ident *id);

void hostd_ident_free(struct hostd_ident *id);

/** hostd_idmap_maps_root() - whether a subject of @m may act as host root. */
int hostd_idmap_maps_root(const struct hostd_idmap *m);

/**
 * hostd_ident_user() - the --user identity as @id, for a client of guest
 * uid @guest_uid that has no map entry (or when there is no map).
 * Returns: 0, or -ENOMEM.
 */
int hostd_ident_user(const struct hostd_config *cfg, hc_u32 guest_uid,
		     struct hostd_ident *id);

/* ---- the audit trail (audit.c) ---- */

/**
 * hostd_audit_open() - open --audit's target: "syslog" (the system log,
 * /dev/log, facility authpriv) or a file, appended to.
 * Returns: 0 with cfg->audit_fd set, or -errno after a message.
 */
int hostd_audit_open(struct hostd_config *cfg, const char *target);

/**
 * hostd_audit() - one line of the audit trail, if there is one: who (the
 * shadow's subject, guest uid and host user) did what.
 */
void hostd_audit(const struct hostd_config *cfg, unsigned int subject,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

struct hostd_config {
	char socket_path[108];		/* sizeof(sun_path) */
	char ivshmem_path[108];		/* --ivshmem: "" for the Unix transport */
	mode_t socket_mode;
	const char *root;		/* --root as given, or NULL */
	char *root_real;		/* realpath of --root, or "/" */
	/*
	 * The export's root as clients see it (export.c): an O_PATH fd of a
	 * detached, nosuid (and, without --allow-devices, nodev) clone of
	 * --root or of "/", so that no fd handed to a client walks beyond
	 * it; a plain O_PATH fd where no clone could be made.
	 */
	int exportfd;
	int export_detached;		/* exportfd is such a clone */
	dev_t export_dev;		/* identity of the export's root */
	ino_t export_ino;
	hc_u64 export_mnt_id;		/* the clone's top mount (statx), or 0 */
	int allow_devices;		/* --allow-devices */
	int allow_setuid;		/* --allow-setuid */
	const char *user;		/* --user, or NULL: run as ourselves */
	uid_t uid;			/* the shadows' user */
	gid_t gid;
	gid_t *groups;			/* its supplementary groups */
	int ngroups;
	char *pw_name, *pw_dir, *pw_shell;
	const struct hostd_idmap *idmap;	/* NULL: every subject is --user */
	hc_u32 guest_uid;		/* a shadow's: the client's uid, or (u32)-1 */
	int audit_fd;			/* --audit: a file (O_APPEND) or /dev/log, or -1 */
	int audit_syslog;		/* audit_fd is /dev/log: syslog lines */
	int verbose;
	int daemon;
	unsigned int max_subjects;
	unsigned int max_handles;
	int seccomp;			/* --seccomp: enum hostd_seccomp_mode */
	const char **pass_env;		/* --pass-env names */
	unsigned int npass_env;
	unsigned int hello_timeout;	/* --hello-timeout: s to say HELLO, 0: none */
	unsigned int max_procs;		/* --max-procs: the subjects' pids.max, 0: none */
	unsigned long long max_memory;	/* --max-memory: bytes, 0: none */
};

/* ---- logging (one write per line, so lines of many processes don't mix) ---- */

void hostd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- the relay (relay.c) ---- */

/**
 * struct hostd_relay - what the relay keeps whatever the transport.
 * @cfg: the configuration
 * @sfd: signalfd of SIGCHLD, SIGTERM, SIGINT and SIGHUP
 * @life_r: the lifeline's read end: shadows poll it and go when it hangs up
 * @life_w: its write end, which only the relay holds
 * @child_close: the transport's part of a new shadow's set-up: close what
 *	only the relay may hold (listening sockets, other subjects'
 *	connections, the guest's memory); may be NULL
 * @reaped: called for each reaped child with the subject slot it held, or
 *	-1 (helpers, host processes passed to us); may be NULL
 * @starter: as root, the socket to the privileged starter (relay.c,
 *	"Privilege separation"), whose children the shadows are; else -1
 * @split: the transport's part of the split, in the relay (@relay 1: map
 *	again what fork did not pass on) and in the starter (0: let go of what
 *	only the relay may hold); may be NULL
 * A transport embeds this first in its own state.
 */
struct hostd_relay {
	const struct hostd_config *cfg;
	int sfd;
	int life_r, life_w;
	int starter;
	void (*child_close)(struct hostd_relay *r);
	void (*reaped)(struct hostd_relay *r, pid_t pid, int slot);
	void (*split)(struct hostd_relay *r, int relay);
};

/* Who a new subject is for (hostd_relay_new_shadow()). */
enum {
	HOSTD_CLAIM_USER,	/* --user, for a client not known */
	HOSTD_CLAIM_PEER,	/* the connection's SO_PEERCRED and SO_PEERGROUPS */
	HOSTD_CLAIM_GUEST,	/* the guest's ids below (SUBJECT_AS) */
};

struct hostd_claim {
	int kind;
	hc_u32 uid, gid, ngroups;
	hc_u32 groups[HC_FDS_MAX];
};

/**
 * hostd_relay_run() - the Unix-socket transport: listen on
 * cfg->socket_path and serve until SIGTERM, SIGINT or SIGHUP.
 * Returns: 0 after a clean shutdown, or -errno if set-up failed (already
 * reported on stderr).
 */
int hostd_relay_run(const struct hostd_config *cfg);

/**
 * hostd_ivshmem_run() - the ivshmem-doorbell transport (ivshmem.c): serve
 * one VM's QEMU on cfg->ivshmem_path until SIGTERM, SIGINT or SIGHUP.
 * Returns: 0 after a clean shutdown, or -errno if set-up failed (already
 * reported on stderr).
 */
int hostd_ivshmem_run(const struct hostd_config *cfg);

/**
 * hostd_listen() - a listening Unix socket of @type at @path with @mode,
 * non-blocking and close-on-exec. The socket appears at @path only once it
 * listens; a stale one (nobody listening) is replaced, a live one never.
 * Returns: the fd, or -errno (reported on stderr).
 */
int hostd_listen(const char *path, mode_t mode, int type);

/**
 * hostd_relay_start() - set up the relay's core after the transport
 * listens: --daemon, the subject table, child subreaper, the signalfd and
 * the lifeline; as root, the split (relay.c, "Privilege separation"): it
 * returns in the relay, unprivileged, while the starter stays behind and
 * exits when the relay is done. r->cfg and the hooks must be set.
 * Returns: 0, or -errno (reported).
 */
int hostd_relay_start(struct hostd_relay *r);

/**
 * hostd_relay_new_shadow() - fork the shadow of a new subject that talks
 * over @conn (a connected SOCK_SEQPACKET socket; the caller closes its copy),
 * acting as the host user @claim maps to (NULL: --user). The same path for
 * every transport: identity, slot, fork, child set-up, shadow; as root it
 * runs in the starter, which decides the identity itself.
 * Returns: the subject's slot (its id is slot + 1), -EAGAIN at the subject
 * limit, -EACCES if the map refuses the identity (logged), or -ENOMEM.
 */
int hostd_relay_new_shadow(struct hostd_relay *r, int conn,
			   const struct hostd_claim *claim);

/**
 * hostd_relay_kill() - send @sig to subject @slot's shadow if it is still
 * @pid (through the starter, as root).
 */
void hostd_relay_kill(struct hostd_relay *r, unsigned int slot, pid_t pid, int sig);

/**
 * hostd_relay_starter_input() - what the starter said (reaped shadows,
 * for r->reaped). Returns: 1 if the starter is gone (stop), else 0.
 */
int hostd_relay_starter_input(struct hostd_relay *r);

/**
 * hostd_relay_signals() - drain the signalfd and reap children.
 * Returns: 1 if a stop signal came, else 0.
 */
int hostd_relay_signals(struct hostd_relay *r);

/**
 * hostd_relay_stop() - end every shadow (lifeline, SIGTERM, then SIGKILL)
 * and free the core. The transport stops taking new subjects first.
 */
void hostd_relay_stop(struct hostd_relay *r);

/**
 * hostd_fork_pair() - fork(), with a SOCK_SEQPACKET socketpair (close-on-exec)
 * between parent and child.
 * Returns: as fork(), with *@end the caller's end (the other one closed in
 * each), or -errno.
 */
pid_t hostd_fork_pair(int *end);

/** hostd_slot_pid() - the shadow in subject slot @slot, or 0 if none. */
pid_t hostd_slot_pid(unsigned int slot);

/**
 * hostd_slot_reserve() - reserve a free slot of the subject table for a
 * subject that is about to be created by the process @owner.
 * Returns: the slot index, or -EAGAIN when every slot is taken.
 */
int hostd_slot_reserve(pid_t owner);

/**
 * hostd_slot_fill() - put the shadow @pid into the slot that @owner reserved.
 * Returns: 0, or -ESTALE if the reservation is gone (its owner was reaped).
 */
int hostd_slot_fill(unsigned int slot, pid_t owner, pid_t pid);

/** hostd_slot_release() - give back a reservation @owner did not use. */
void hostd_slot_release(unsigned int slot, pid_t owner);

/**
 * hostd_relay_watch() - in a new shadow: die with the relay (SIGTERM when it
 * dies, besides the lifeline). @via is the short-lived parent a forked
 * subject's shadow waits to lose first, or 0 for a child of the relay.
 * Exits if the relay is already gone.
 */
void hostd_relay_watch(pid_t via);

/* ---- resource limits (cgroup.c) ---- */

/**
 * hostd_cgroup_setup() - in the relay, before the first shadow: make the
 * cgroup every shadow joins (and with it every spawner and host program),
 * with cfg->max_procs and cfg->max_memory as its limits; the relay stays
 * outside. Where none can be made it logs one line and goes on without
 * limits. Nothing to do when neither limit is set.
 */
void hostd_cgroup_setup(const struct hostd_config *cfg);

/**
 * hostd_cgroup_enter() - in a new shadow, before it does anything else (and
 * before it drops privileges): join that cgroup.
 * Returns: 0 (also when there is none), or -errno (logged): the shadow must
 * not serve then.
 */
int hostd_cgroup_enter(void);

/**
 * hostd_cgroup_cleanup() - in the relay, once every shadow is reaped: remove
 * the subjects' cgroup, or, while host programs that ignored the hangup
 * still run in it, leave it (with its limits) and say so.
 */
void hostd_cgroup_cleanup(void);

/* ---- the shadow (shadow.c) ---- */

struct hostd_seen;
struct hostd_flight;

/* A host process of this subject; the subject's spawner is its parent. */
struct hostd_proc {
	pid_t pid;			/* 0: free entry */
	int pidfd;			/* from the spawner: readable once it exited */
};

struct hostd_shadow {
	const struct hostd_config *cfg;
	int conn;			/* the subject's connection */
	int lifeline;			/* read end; POLLHUP when the relay is gone */
	unsigned int slot;		/* subject id = slot + 1 */
	int helloed;
	int keep_handles;		/* HC_HELLO_KEEP_HANDLES: no fds in replies */
	int tell_accepted;		/* HELLO: HC_HELLO_TELL_ACCEPTED */
	int bye;			/* HC_OP_BYE served: exit after the reply */
	int told_old;			/* logged a too old client's HELLO */
	int *handles;			/* handles: fd, or -1 (handles.c) */
	hc_u32 *hfree;			/* free handles, a stack */
	hc_u32 nfree;
	struct hostd_inodes *inodes;	/* LOOKUP's handles by inode, or NULL */
	struct hostd_seen *seen;	/* files this shadow opened */
	int cwdfd;			/* O_PATH fd of the working directory */
	int setup_err;			/* set-up failed: HELLO answers this */
	mode_t umask;			/* hostcalld's, for spawned programs */
	int spawner;			/* socket to the subject's spawner, or -1 */
	struct hostd_proc procs[HOSTD_PROCS_MAX];
	void *inbuf, *outbuf;		/* HC_MSG_MAX each */
	char *scratch;			/* HC_MSG_MAX: reply data and paths */
	int inflight;			/* HELLO announced HC_CAP_INFLIGHT */
	struct hostd_flight *flights;	/* HOSTD_INFLIGHT_MAX, or NULL */
	int nflights;			/* of them in use */
	int flight_efd;			/* eventfd: a worker finished, or -1 */
};

/* One request being served. */
struct hostd_req {
	const struct hc_msg *m;
	struct hc_msg *rep;		/* reply fields an op fills in (rep.<op>) */
	int in_fds[HC_SOCK_FDS_MAX];	/* attached to the request */
	int nin;
	int in_used;			/* taken by HC_HANDLE_PASSED fields */
	int out_fds[HC_SOCK_FDS_MAX];	/* to attach to the reply, then close */
	int nout;
	int may_park;			/* an op that would block may go in flight */
};

/*
 * What an op returns when it has gone in flight (parked or handed to a
 * worker, inflight.c): no reply now; one comes when it completes.
 */
#define HOSTD_PARKED		INT64_MIN

/**
 * hostd_shadow_run() - serve the subject on @conn until it goes away.
 * Never returns: the process exits.
 */
void hostd_shadow_run(const struct hostd_config *cfg, int conn, int lifeline,
		      unsigned int slot) __attribute__((noreturn));

/**
 * hostd_shadow_serve() - the serve loop of an already set-up shadow (used
 * by the child shadow of a fork-subject). Never returns.
 */
void hostd_shadow_serve(struct hostd_shadow *sh) __attribute__((noreturn));

/** hostd_reply_fd() - attach @fd to the reply; it is closed after sending. */
int hostd_reply_fd(struct hostd_req *rq, int fd);

/**
 * hostd_reply_late() - send the reply of a request that was in flight
 * (@rq->m holds only its op and tag), logged with --verbose as served ops
 * are. Returns: 0, or -errno when the subject must end.
 */
int hostd_reply_late(struct hostd_shadow *sh, struct hostd_req *rq, hc_s64 res);

/* ---- requests in flight (inflight.c) ---- */

/*
 * The blocking system call a worker thread makes for a request in flight,
 * on its own dup of the fd: all the rest (resolving, the handle table, the
 * reply) is the main thread's.
 */
enum hostd_job_kind {
	HOSTD_JOB_WAIT,		/* no worker: parked on the pidfd (fd) */
	HOSTD_JOB_OPEN,		/* open(/proc/self/fd/<fd>, arg): a FIFO */
	HOSTD_JOB_FLOCK,	/* flock(fd, arg) */
	HOSTD_JOB_LOCK,		/* fcntl(fd, arg, &fl) */
	HOSTD_JOB_READ,		/* read(fd, buf, len) */
	HOSTD_JOB_WRITE,	/* write(fd, buf, len) */
};

struct hostd_job {
	int kind;
	int fd;			/* the caller's: hostd_inflight_start() dups it */
	int arg;
	pid_t pid;		/* WAIT */
	struct flock fl;	/* LOCK */
	const void *data;	/* WRITE: the bytes (copied) */
	size_t len;		/* READ, WRITE */
};

/**
 * hostd_inflight_start() - put request @rq in flight with @job (only when
 * rq->may_park): a parked WAIT, or a worker thread for the others.
 * Returns: 1 if it is in flight (the op returns HOSTD_PARKED), 0 if it
 * could not be (the op serves it inline).
 */
int hostd_inflight_start(struct hostd_shadow *sh, struct hostd_req *rq,
			 const struct hostd_job *job);

/** hostd_inflight_busy() - whether a request tagged @tag is in flight. */
int hostd_inflight_busy(struct hostd_shadow *sh, hc_u32 tag);

/** hostd_inflight_hello() - the subject is an in-flight one (HELLO).
 * Returns: 0, or -errno (then it is not). */
int hostd_inflight_hello(struct hostd_shadow *sh);

/**
 * hostd_inflight_poll() - the serve loop's fds for requests in flight
 * (the workers' eventfd, parked WAITs' pidfds) into @p (room for
 * HOSTD_INFLIGHT_MAX + 1), and *@ms lowered to when a cancelled worker
 * must be signalled again. Returns: how many.
 */
int hostd_inflight_poll(struct hostd_shadow *sh, struct pollfd *p, int *ms);

/**
 * hostd_inflight_events() - answer the requests that completed (@p, @n as
 * hostd_inflight_poll() made them, with revents), signal cancelled workers
 * again. Returns: 0, or -errno when the subject must end.
 */
int hostd_inflight_events(struct hostd_shadow *sh, struct pollfd *p, int n);

/** hostd_inflight_forget() - in a forked subject's shadow: its parent's
 * requests in flight are not its own (and its workers do not exist). */
void hostd_inflight_forget(struct hostd_shadow *sh);

/**
 * hostd_openat_finish() - the rest of OPENAT once @fd (ours) is open: the
 * opened-file set, a handle, the reply's fd. Returns: OPENAT's result.
 */
hc_s64 hostd_openat_finish(struct hostd_shadow *sh, struct hostd_req *rq, int fd);

/** hostd_wait_finish() - the rest of WAIT once process @pid has exited. */
hc_s64 hostd_wait_finish(struct hostd_shadow *sh, struct hostd_req *rq, pid_t pid);

/** hostd_lock_put() - LOCK's reply fields from @fl. */
void hostd_lock_put(struct hostd_req *rq, const struct flock *fl);

/* ---- handles and fds (handles.c) ---- */

/**
 * hostd_fd() - the host fd a request's fd field names.
 * @wfd: a handle, HC_AT_FDCWD (gives AT_FDCWD) or HC_HANDLE_PASSED (the next
 *       fd attached to the request, served only if this shadow opened it)
 * @fdp: set to the fd (owned by the shadow or the request: do not close it)
 * Returns: 0, or -EBADF.
 */
int hostd_fd(struct hostd_shadow *sh, struct hostd_req *rq, hc_s32 wfd, int *fdp);

/** hostd_fd_file() - the fd of an op on an open file: HC_AT_FDCWD is -EBADF.
 * Returns: the fd (do not close it), or -EBADF. */
int hostd_fd_file(struct hostd_shadow *sh, struct hostd_req *rq, hc_s32 wfd);

/** hostd_handle_add() - keep a dup of @fd as a handle. Returns it, or -EMFILE. */
int hostd_handle_add(struct hostd_shadow *sh, int fd);

/** hostd_handle_close() - release handle @h. */
int hostd_handle_close(struct hostd_shadow *sh, hc_s32 h);

/** hostd_handles_init() - an empty handle table of cfg->max_handles. */
int hostd_handles_init(struct hostd_shadow *sh);

/**
 * hostd_lookup() - LOOKUP: the subject's handle of @name in directory
 * @dirfd (one component, not followed if a symlink), counted; @st set to
 * what fstat says of it.
 * Returns: the handle, or -errno (-EINVAL for a name that is not one
 * component, -EMFILE when the table is full, logged once).
 */
int hostd_lookup(struct hostd_shadow *sh, struct hostd_req *rq, hc_s32 dirfd,
		 const char *name, struct stat *st);

/** hostd_forget() - drop @n lookups of handle @h; at 0 it closes. */
int hostd_forget(struct hostd_shadow *sh, hc_s32 h, hc_u32 n);

/** hostd_is_inode_handle() - whether @h came from LOOKUP. */
int hostd_is_inode_handle(const struct hostd_shadow *sh, hc_s32 h);

/** hostd_seen_add() - remember that this shadow opened the file @fd. */
int hostd_seen_add(struct hostd_shadow *sh, int fd);

/* ---- the export (export.c) ---- */

/**
 * hostd_export_open() - set cfg->exportfd to the export's root: a detached,
 * nosuid (nodev unless --allow-devices) clone of cfg->root_real, made in
 * hostcalld's mount namespace as root and in a user namespace of a child
 * otherwise; a plain O_PATH fd if neither works (logged).
 * Returns: 0, or -errno (reported on stderr).
 */
int hostd_export_open(struct hostd_config *cfg);

/** hostd_is_export_root() - whether @fd is the export's root directory. */
int hostd_is_export_root(const struct hostd_config *cfg, int fd);

/**
 * hostd_on_export_mount() - whether @fd is on the export's detached clone
 * (its top mount, by mount id). Such an fd came from a shadow of this
 * hostcalld, or was opened relative to one: nothing else reaches a detached
 * mount. It lies inside the export, whichever subject opened it.
 */
int hostd_on_export_mount(const struct hostd_config *cfg, int fd);

/* ---- path resolution (resolve.c) ---- */

/** hostd_open_beneath() - openat2 of @name below @base only, no magic links. */
int hostd_open_beneath(int base, const char *name, int oflags);

/**
 * hostd_open() - resolve @path relative to the request's directory @wfd and
 * open it with openat2(@oflags, @mode), the final symlink followed unless
 * O_NOFOLLOW is in @oflags. Under --root the walk stays inside the root
 * (RESOLVE_IN_ROOT, magic links refused). With HC_AT_EMPTY_PATH in
 * @atflags and an empty @path, the result is a new fd of @wfd itself.
 * Returns: a new close-on-exec fd, or -errno.
 */
int hostd_open(struct hostd_shadow *sh, struct hostd_req *rq, hc_s32 wfd,
	       const char *path, hc_u32 atflags, int oflags, mode_t mode);

/** hostd_open_path() - hostd_open() for an O_PATH fd; @atflags may hold
 * HC_AT_SYMLINK_NOFOLLOW and HC_AT_EMPTY_PATH. */
int hostd_open_path(struct hostd_shadow *sh, struct hostd_req *rq, hc_s32 wfd,
		    const char *path, hc_u32 atflags);

/**
 * hostd_open_parent() - resolve the directory holding the last component of
 * @path, for ops that act on that name without following it.
 * @name: set to the last component inside @path (trailing slashes kept:
 *        the kernel gives them their meaning)
 * Returns: an O_PATH directory fd, or -errno.
 */
int hostd_open_parent(struct hostd_shadow *sh, struct hostd_req *rq,
		      hc_s32 wfd, const char *path, const char **name);

/**
 * hostd_fd_hostpath() - the path of @fd as the client sees host paths:
 * absolute, below the root under --root ("/" is the root).
 */
int hostd_fd_hostpath(struct hostd_shadow *sh, int fd, char *buf, size_t cap);

/**
 * hostd_cwd_hostpath() - the subject's working directory as the client sees
 * host paths (hostd_fd_hostpath() of its directory reference).
 * Returns: the length, or -errno (-ENOENT once it was moved out of the export).
 */
int hostd_cwd_hostpath(struct hostd_shadow *sh, char *buf, size_t cap);

/**
 * hostd_cwd_init() - a new shadow's working directory: the user's home when
 * it lies in the export (not under --root), else the export's root.
 * Returns: 0, or -errno (logged) when the user cannot enter the export.
 */
int hostd_cwd_init(struct hostd_shadow *sh);

/** hostd_proc_fd_path() - "/proc/self/fd/N", for calls that refuse O_PATH. */
void hostd_proc_fd_path(int fd, char buf[32]);

/*
 * An op's action on a name in a directory (a syscall's result, -1 + errno):
 * it reads the fields of its own op in @m.
 */
typedef int hostd_name_fn(int dirfd, const char *name, const struct hc_msg *m);
/* An op's action on a resolved file: its O_PATH fd and /proc path. */
typedef hc_s64 hostd_file_fn(struct hostd_shadow *sh, struct hostd_req *rq,
			     int fd, const char *proc);

/**
 * hostd_on_parent() - resolve the parent of (@wfd, @path) and run @fn on its
 * fd and the last name. Returns: 0, or -errno.
 */
hc_s64 hostd_on_parent(struct hostd_shadow *sh, struct hostd_req *rq,
		       hc_s32 wfd, const char *path, hostd_name_fn *fn);

/**
 * hostd_on_file() - resolve (@wfd, @path) to an O_PATH fd, with @atflags
 * (HC_AT_SYMLINK_NOFOLLOW, HC_AT_EMPTY_PATH), and run @fn on it.
 * Returns: what @fn returns, or -errno.
 */
hc_s64 hostd_on_file(struct hostd_shadow *sh, struct hostd_req *rq,
		     hc_s32 wfd, const char *path, hc_u32 atflags,
		     hostd_file_fn *fn);

/**
 * hostd_check_mode() - whether a client may give a file the type and mode
 * @mode: with root shadows under --root, device nodes need --allow-devices
 * and setuid/setgid non-directories --allow-setuid.
 * Returns: 0, or -EPERM.
 */
int hostd_check_mode(const struct hostd_config *cfg, mode_t mode);

/** hostd_check_xattr() - the same for setting the xattr @name
 * (security.capability needs --allow-setuid there). Returns: 0, or -EPERM. */
int hostd_check_xattr(const struct hostd_config *cfg, const char *name);

/* ---- ops: one function per op, the request in, -errno or a result out ---- */

/*
 * hostd_op_<name>() serves op <name> of hc_ops.h: it reads the request's
 * fields in rq->m->req.<name> and fills the reply's in rq->rep->rep.<name>.
 * One for each op of HC_OP_LIST, in fsops.c, xattr.c, shadow.c and proc.c;
 * the shadow's op table (shadow.c) is made from the same list.
 */
typedef hc_s64 hostd_op_fn(struct hostd_shadow *sh, struct hostd_req *rq);

#define HOSTD_X_OP_DECL(NAME, name, nr, fl, cap) hostd_op_fn hostd_op_##name;
HC_OP_LIST(HOSTD_X_OP_DECL)
#undef HOSTD_X_OP_DECL

/** hostd_op_has() - whether op @op is known and has all of the HC_OPF_* @flag. */
static inline int hostd_op_has(unsigned int op, unsigned int flag)
{
	int f = hc_op_flags(op);

	return f >= 0 && ((unsigned int)f & flag) == flag;
}

/** hostd_procs_hangup() - SIGHUP the process groups of every host process
 * this subject still has, as a terminal hangup would. */
void hostd_procs_hangup(struct hostd_shadow *sh);

/**
 * hostd_spawner_new() - ask this subject's spawner for a spawner of the
 * forked subject in slot @slot (only an unsandboxed spawner can make one).
 * Returns: the new spawner's socket, or -errno (-ENOENT: no spawner here).
 */
int hostd_spawner_new(struct hostd_shadow *sh, unsigned int slot);

/**
 * hostd_spawn_check_fdmap() - whether a SPAWN's fdmap names fd numbers a
 * host program may get: each >= 3 (0-2 are the streams), below
 * HOSTD_FDMAP_LIMIT, and unlike the others. The shadow checks a request
 * with it, and the spawner, which trusts no request, again.
 * Returns: 0, or -EINVAL.
 */
int hostd_spawn_check_fdmap(const struct hc_req_spawn *q);

/**
 * hostd_procs_inherit() - in the shadow of a forked subject: forget the
 * parent subject's host processes and use @spawner (or none if -1).
 */
void hostd_procs_inherit(struct hostd_shadow *sh, int spawner);

/* ---- the spawner (spawner.c) ---- */

/**
 * hostd_spawner_start() - in a new shadow, before its sandbox and before it
 * drops privileges: fork the subject's spawner, which becomes the shadow's
 * user but keeps the bounding set, and starts the subject's host programs
 * as that user would start them (setuid works), with a login-like
 * environment. It ends when the returned socket closes or the relay goes.
 * Returns: the shadow's end of the socket, or -errno.
 */
int hostd_spawner_start(struct hostd_shadow *sh);

/* ---- the sandbox (sandbox.c) ---- */

/* --seccomp MODE: what the shadow's filter does with what it does not allow */
enum hostd_seccomp_mode {
	HOSTD_SECCOMP_KILL,		/* EPERM, ENOSYS, or kill (the default) */
	HOSTD_SECCOMP_LOG,		/* allow and log (sanitizer, fuzz builds) */
	HOSTD_SECCOMP_OFF,		/* no filter */
};

/** hostd_seccomp_mode() - "kill", "log" or "off" as a mode, or -EINVAL. */
int hostd_seccomp_mode(const char *name);

/**
 * hostd_sandbox_drop_bounding() - empty the capability bounding set (needs
 * CAP_SETPCAP: a root process, before it changes uid).
 * Returns: 0, or -errno.
 */
int hostd_sandbox_drop_bounding(void);

/**
 * hostd_sandbox_become_user() - become cfg's user (with --user, from root:
 * its groups, gid, uid) and check that root cannot be regained.
 * Returns: 0, or -errno.
 */
int hostd_sandbox_become_user(const struct hostd_config *cfg);

/**
 * hostd_sandbox_root_caps() - in a shadow that stays root (--allow-root),
 * keep only CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_MKNOD
 * and CAP_SETFCAP; nothing to do for other shadows. Returns: 0, or -errno.
 */
int hostd_sandbox_root_caps(void);

/**
 * hostd_caps_keep() - make @keep (@n CAP_* values) the effective and
 * permitted capabilities, and nothing else; the bounding set stays.
 * Returns: 0, or -errno.
 */
int hostd_caps_keep(const int *keep, size_t n);

/** hostd_sandbox_lock() - no_new_privs and not dumpable. Returns: 0, or -errno. */
int hostd_sandbox_lock(void);

/**
 * hostd_sandbox_prepare() - build the shadows' seccomp filter for @mode
 * once, in the relay (libseccomp takes most of a millisecond to build it,
 * which every short-lived subject would pay). The lists and their reasons
 * are in sandbox.c.
 * Returns: 0, or -errno.
 */
int hostd_sandbox_prepare(int mode);

/**
 * hostd_sandbox_seccomp() - install the shadow's seccomp filter in the
 * calling process (no_new_privs must be set) in @mode, built first if
 * hostd_sandbox_prepare() did not; inherited by its forks.
 * Returns: 0, or -errno.
 */
int hostd_sandbox_seccomp(int mode);

#endif /* HOSTD_H */
