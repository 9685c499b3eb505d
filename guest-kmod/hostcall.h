/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostcall.ko internals: the transport interface every doorbell plugs into
 * (ivshmem today, the KVM hypercall later), the request objects and calls
 * built on it, and /dev/hostcall's subjects.
 */
#ifndef HOSTCALL_H
#define HOSTCALL_H

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "../proto/hostcall_proto.h"

/*
 * splice(2) from a file through its ->read_iter (hostfs revalidates and reads
 * pseudo files there; a stream file reads the host's pipe): the helper got a
 * new name in 6.5, which Kbuild looks for (HOSTCALL_HAVE_COPY_SPLICE_READ).
 */
#ifdef HOSTCALL_HAVE_COPY_SPLICE_READ
#define hostcall_splice_read	copy_splice_read
#else
#define hostcall_splice_read	generic_file_splice_read
#endif

struct hostcall_transport;

/**
 * struct hostcall_transport_ops - what a transport provides.
 * @name: short name, shown by HOSTCALL_IOC_INFO
 * @submit: send the encoded request @req (@req_len bytes) for @subject and
 *	wait for the reply, which is copied to @rep (room for @rep_cap bytes;
 *	@rep may be @req). May sleep. With HOSTCALL_SUBMIT_INTR in @flags, a
 *	signal that comes while the request is in flight on the host cancels
 *	it there (CANCEL): the reply, which then follows soon, says -EINTR or
 *	what the request did meanwhile. Returns the reply's length, or -EIO (no
 *	answer in time, or the transport is going away), -EINTR (fatal
 *	signal), -EPROTO (the host's reply does not fit its slot or @rep_cap).
 *	The reply is not decoded: the caller does that.
 * @post: send the encoded request @req for @subject without waiting for
 *	the reply, which nobody reads (BYE when the last user is gone). May
 *	sleep until the transport can take it. Returns 0 once it is sent, or
 *	-EIO, -EINTR as @submit.
 * @start: send the encoded request @req for @subject and return without
 *	waiting; when the reply comes, it is copied to @a->rep (or @a->len is
 *	set to -errno) and @a->done is called. May sleep until the transport
 *	can take the request. Returns 0 once it is sent (@a->done will be
 *	called, unless @abandon comes first), or -errno as @submit.
 * @abandon: the caller of @start goes away before @a->done was called:
 *	the request is cancelled on the host, its reply dropped, and @a is
 *	never touched again. Returns: true if @a->done was called already (or
 *	is being called: then @a is still touched until it returns).
 * @cancel: make every caller sleeping in @submit return -EIO soon, and end
 *	the calls of @start with -EIO; called once, when the transport is
 *	being removed, with ->dead already set.
 * @release: free the transport after its last reference is gone.
 *
 * A caller of @submit killed while its request is in flight on the host
 * (a FIFO open, a wait for a host program) does not wait for it: the
 * transport cancels the request (CANCEL by tag) and drops its reply, and
 * closes the host's handle if the reply was a successful OPENAT.
 */
struct hostcall_async;

/* &hostcall_transport_ops.submit's @flags */
#define HOSTCALL_SUBMIT_INTR	(1u << 0)

struct hostcall_transport_ops {
	const char *name;
	int (*submit)(struct hostcall_transport *t, u32 subject,
		      const void *req, size_t req_len, void *rep,
		      size_t rep_cap, unsigned int flags);
	int (*post)(struct hostcall_transport *t, u32 subject,
		    const void *req, size_t req_len);
	int (*start)(struct hostcall_transport *t, u32 subject,
		     const void *req, size_t req_len, struct hostcall_async *a);
	bool (*abandon)(struct hostcall_transport *t, struct hostcall_async *a);
	void (*cancel)(struct hostcall_transport *t);
	void (*release)(struct hostcall_transport *t);
};

/**
 * struct hostcall_transport - the part of a transport the core manages.
 * @ops: the transport's operations
 * @ref: held by the registry and by every open subject
 * @users: held for reading around each @ops->submit, so that removal can
 *	wait until no caller is inside the transport any more
 * @dead: set when the device goes away; new calls fail with -EIO
 * @msg_max: largest message the transport carries either way
 * @caps: the HC_CAP_* of the host's last HELLO reply
 */
struct hostcall_transport {
	const struct hostcall_transport_ops *ops;
	struct kref ref;
	struct rw_semaphore users;
	bool dead;
	u32 msg_max;
	u64 caps;
};

/**
 * struct hostcall_async - a call made with &hostcall_transport_ops.start.
 * @rep: where the reply is copied, @rep_cap bytes
 * @rep_cap: its size; a longer reply ends the call with -EMSGSIZE
 * @len: once @done is called: the reply's length, or -errno
 * @done: called once, in atomic context, when the call is over
 * @priv: the transport's
 */
struct hostcall_async {
	void *rep;
	size_t rep_cap;
	int len;
	void (*done)(struct hostcall_async *a);
	void *priv;
};

/* Module parameter: how long a call waits for the host, 0 = forever. */
extern unsigned int hostcall_timeout_ms;

/* hostcall_transport.c */

/**
 * hostcall_transport_register() - make @t the transport /dev/hostcall uses.
 *
 * Initialises the core fields, creates /dev/hostcall and takes a reference.
 * Returns: 0, -EBUSY if a transport is registered already, or the error of
 * misc_register().
 */
int hostcall_transport_register(struct hostcall_transport *t);

/**
 * hostcall_transport_unregister() - remove /dev/hostcall and stop @t.
 *
 * Marks @t dead, cancels the callers inside it and waits until they have
 * left, then drops the registry's reference. Open subjects keep @t (dead)
 * until they are closed. After this returns nobody touches the device.
 */
void hostcall_transport_unregister(struct hostcall_transport *t);

/**
 * hostcall_transport_get() - the registered transport, with a reference.
 * Returns: the transport, or NULL if there is none.
 */
struct hostcall_transport *hostcall_transport_get(void);

/** hostcall_transport_put() - drop a reference of hostcall_transport_get(). */
void hostcall_transport_put(struct hostcall_transport *t);

/**
 * hostcall_submit() - one round trip of encoded messages through @t.
 *
 * Returns: the reply length or -errno, as &hostcall_transport_ops.submit,
 * and -EIO at once if @t is dead.
 */
int hostcall_submit(struct hostcall_transport *t, u32 subject,
		    const void *req, size_t req_len, void *rep, size_t rep_cap,
		    unsigned int flags);

/**
 * hostcall_post() - send an encoded request through @t without waiting for
 * its reply, as &hostcall_transport_ops.post. Nothing is sent if @t is dead.
 */
void hostcall_post(struct hostcall_transport *t, u32 subject,
		   const void *req, size_t req_len);

/**
 * hostcall_start() - start an encoded request through @t, as
 * &hostcall_transport_ops.start; -EIO at once if @t is dead.
 */
int hostcall_start(struct hostcall_transport *t, u32 subject,
		   const void *req, size_t req_len, struct hostcall_async *a);

/** hostcall_abandon() - as &hostcall_transport_ops.abandon. */
bool hostcall_abandon(struct hostcall_transport *t, struct hostcall_async *a);

/* hostcall_req.c: requests, and the calls every part of the module makes */

/*
 * Bytes of a message beyond its strings and blobs: the header, the fixed
 * fields of any op and the length words. The protocol leaves a blob
 * HC_DATA_MAX bytes, so every message's fixed part fits in the difference.
 */
#define HOSTCALL_MSG_FIXED	(HC_MSG_MAX - HC_DATA_MAX)

/**
 * struct hostcall_req - one hostcall: the request, its reply and the buffer
 * both are encoded in. Requests come from a slab cache (behind a mempool,
 * so that one is there even for a process that the OOM killer chose, which
 * still has to end its subjects); nothing message-sized lives on the stack.
 * A small message uses the buffer inside the object, a larger one (a long
 * path, READ or WRITE data) a buffer of its own, kept across
 * hostcall_req_reset().
 * @m: the request: hostcall_req_alloc() sets the op, the caller the fields
 *	(strings and blobs it points to must stay until the call returns)
 * @r: the reply, as hostcall_req_call() decoded and checked it; its strings
 *	and blobs point into @buf
 * @user_tag: a request from user space: its own tag, given back in the
 *	reply (hostcall_user_retag())
 * @rep_room: bytes of strings and blobs the reply may carry (READ: the
 *	length asked for; a path: HC_PATH_MAX + 1); 0 for fixed fields only
 * @buf: the message buffer: @small, or a kvmalloc()ed one
 * @cap: its size
 * @data: the buffer of hostcall_req_data(), or NULL
 * @data_cap: its size
 * @small: the buffer inside the object, HOSTCALL_REQ_SMALL bytes
 */
struct hostcall_req {
	struct hc_msg m;
	struct hc_msg r;
	u32 user_tag;
	size_t rep_room;
	void *buf;
	size_t cap;
	void *data;
	size_t data_cap;
	u8 small[];
};

/* The slab object's size; what is left after the fields is @small. */
#define HOSTCALL_REQ_SIZE	2048
#define HOSTCALL_REQ_SMALL \
	(HOSTCALL_REQ_SIZE - sizeof(struct hostcall_req))

/** hostcall_req_init() - create the request cache (module init). */
int hostcall_req_init(void);

/** hostcall_req_exit() - destroy it (module exit). */
void hostcall_req_exit(void);

/**
 * hostcall_req_alloc() - a request for @op with every other field zero.
 * May sleep; never fails (a mempool with GFP_KERNEL). Free it with
 * hostcall_req_free().
 */
struct hostcall_req *hostcall_req_alloc(u16 op);

/** hostcall_req_free() - free @req and its buffers. */
void hostcall_req_free(struct hostcall_req *req);

/**
 * hostcall_req_reset() - make @req a fresh request for @op, keeping its
 * buffers (the data of the last reply is gone).
 */
void hostcall_req_reset(struct hostcall_req *req, u16 op);

/**
 * hostcall_req_room() - make req->buf hold at least @cap bytes.
 * Returns: 0, -EMSGSIZE beyond HC_MSG_MAX, or -ENOMEM.
 */
int hostcall_req_room(struct hostcall_req *req, size_t cap);

/**
 * hostcall_req_data() - a buffer of @len bytes for the data a request
 * carries (WRITE), which lives as long as @req; the same one again after
 * hostcall_req_reset() if it is large enough.
 * Returns: the buffer, or NULL (-ENOMEM).
 */
void *hostcall_req_data(struct hostcall_req *req, size_t len);

/**
 * hostcall_req_call() - send req->m for @subject through @t and decode the
 * reply into req->r.
 *
 * Sizes the buffer for the request and for a reply of req->rep_room bytes
 * of strings and blobs, gives the request a new tag and @subject, and
 * checks the reply with hostcall_check_reply().
 * Returns: 0 (the hostcall's own result is hostcall_result(&req->r)), or
 * -errno if the call could not be made: -ENOMEM, -EMSGSIZE and the errors
 * of hc_encode() for the request, those of &hostcall_transport_ops.submit,
 * -EPROTO for a malformed reply.
 */
int hostcall_req_call(struct hostcall_transport *t, u32 subject,
		      struct hostcall_req *req);

/**
 * hostcall_check_reply() - the one check of a reply: decode @buf of @len
 * bytes into @r and check that it is a reply to a request with @op and
 * @tag.
 * Returns: 0, or -EPROTO.
 */
int hostcall_check_reply(struct hc_msg *r, const void *buf, size_t len,
			 u16 op, u32 tag);

/**
 * hostcall_result() - a checked reply's result: >= 0, or -errno. A host may
 * only answer with the generic errno values; anything beyond them (the
 * kernel-internal ERESTARTSYS and friends, which must never reach user
 * space) becomes -EIO.
 */
s64 hostcall_result(const struct hc_msg *r);

/**
 * struct hostcall_session - what HELLO gave a new subject.
 * @subject: the host's id of the subject
 * @version: the protocol version in use (HC_PROTO_VERSION_MIN or later)
 * @msg_max: the largest message either way, the host's and @t's limit
 * @caps: the HC_CAP_* the host offers that this module knows
 */
struct hostcall_session {
	u32 subject;
	u32 version;
	u32 msg_max;
	u64 caps;
};

/**
 * hostcall_hello() - make a new subject on the host: HELLO of
 * HC_PROTO_VERSION with HC_HELLO_KEEP_HANDLES (the transport carries no
 * fds) and HC_CAPS, for /dev/hostcall and hostfs alike.
 * Returns: 0 with @s filled in; -EPROTONOSUPPORT if the host speaks a
 * protocol older than HC_PROTO_VERSION_MIN (it refused the HELLO, or its
 * reply's version is older: then the subject it made is ended), with a
 * warning in the kernel log that hostcalld needs an update; -EPROTO for a
 * reply that makes no sense; the host's error (-EAGAIN at its subject
 * limit); the errors of hostcall_req_call().
 */
int hostcall_hello(struct hostcall_transport *t, struct hostcall_session *s);

/**
 * hostcall_hello_cred() - make a new subject that acts as the calling
 * task's credentials (fsuid, fsgid, groups in the initial user namespace),
 * where the host maps guest users to host users (HC_CAP_IDENTITY:
 * SUBJECT_AS, then HELLO on it); elsewhere as hostcall_hello().
 * Returns: as hostcall_hello(); -EACCES if the host refuses the identity.
 */
int hostcall_hello_cred(struct hostcall_transport *t, struct hostcall_session *s);

/**
 * hostcall_fork_subject() - FORK_SUBJECT on @parent: a new subject whose
 * shadow starts as a copy of @parent's, with the same handle numbers.
 * Returns: the new subject's id (> 0), or -errno.
 */
int hostcall_fork_subject(struct hostcall_transport *t, u32 parent);

/**
 * hostcall_subject_as_of() - a new subject for the calling task's
 * credentials (hostcall_hello_cred()) in @parent's working directory (its
 * host path): for a process whose credentials differ from @parent's.
 * Returns: the new subject's id (> 0), or -errno.
 */
int hostcall_subject_as_of(struct hostcall_transport *t, u32 parent);

/**
 * hostcall_post_bye() - tell the host that @subject ended (HC_OP_BYE),
 * without waiting for the answer: usable where nobody can wait, such as the
 * last close of a file by a process being killed. Errors are ignored: if
 * the BYE cannot be sent the host is gone or going, and the subject with it.
 */
void hostcall_post_bye(struct hostcall_transport *t, u32 subject);

/**
 * hostcall_post_cancel() - CANCEL the request tagged @tag of @subject,
 * without waiting; and hostcall_post_close(), CLOSE of host handle
 * @handle. For a caller that went away while its request was in flight.
 */
void hostcall_post_cancel(struct hostcall_transport *t, u32 subject, u32 tag);
void hostcall_post_close(struct hostcall_transport *t, u32 subject, u32 handle);

/**
 * hostcall_new_tag() - a tag no other request of the module in flight has
 * (transport-wide: one counter for every subject).
 */
u32 hostcall_new_tag(void);

/* hostcall_subject.c: the subjects of one open of /dev/hostcall */

struct cred;

/**
 * hostcall_cred_same() - whether @a and @b act as the same host identity:
 * fsuid, fsgid and the supplementary groups, compared by value (each
 * setgroups() makes a group_info of its own).
 */
bool hostcall_cred_same(const struct cred *a, const struct cred *b);

/* Processes that may share one open of /dev/hostcall, each with a subject. */
#define HOSTCALL_PROCS_MAX	64

/**
 * struct hostcall_proc - the subject of one process using the file.
 * @pid: the process (its thread group's struct pid, a reference), NULL if
 *	the entry is free; compared as a pointer, so a reused pid number is a
 *	different process
 * @id: the host's subject id
 * @busy: calls in progress; an entry is dropped only when zero
 * @cred: the credentials the subject acts as (a reference), where the
 *	host maps identities (HC_CAP_IDENTITY); NULL elsewhere. A process
 *	whose fsuid, fsgid or groups change gets an entry of its own for the
 *	new ones at its next call; the old one stays for what it opened.
 */
struct hostcall_proc {
	struct pid *pid;
	u32 id;
	unsigned int busy;
	const struct cred *cred;
};

/**
 * struct hostcall_subjects - the subject table of one open of /dev/hostcall.
 * @tp: the transport (the file's reference)
 * @lock: protects @procs
 * @fork_lock: serialises new processes' FORK_SUBJECTs, so that two threads
 *	of a new process make one subject, and the entries that may be taken
 * @procs: [0] is the opener's subject, kept until the end; the others are
 *	processes that inherited the file (fork), added at their first call
 */
struct hostcall_subjects {
	struct hostcall_transport *tp;
	spinlock_t lock;
	struct mutex fork_lock;
	struct hostcall_proc procs[HOSTCALL_PROCS_MAX];
};

/**
 * hostcall_subjects_init() - a table whose first entry is the calling
 * process with subject @opener (from HELLO).
 */
void hostcall_subjects_init(struct hostcall_subjects *s,
			    struct hostcall_transport *tp, u32 opener);

/**
 * hostcall_subjects_end() - end every subject of the table (BYE, not
 * waiting). Nobody may be in a call.
 */
void hostcall_subjects_end(struct hostcall_subjects *s);

/**
 * hostcall_subject_get() - the calling process's subject for a call: *@id,
 * made by a FORK_SUBJECT of its nearest ancestor's (else the opener's) at
 * a process's first call. Give it back with hostcall_subject_put().
 * Returns: the entry's index, or -errno: -EINTR, -EMFILE (more than
 * HOSTCALL_PROCS_MAX - 1 other live processes use the file), the errors of
 * hostcall_fork_subject().
 */
int hostcall_subject_get(struct hostcall_subjects *s, u32 *id);

/** hostcall_subject_put() - the call on entry @i is over. */
void hostcall_subject_put(struct hostcall_subjects *s, int i);

/* hostcall_dev.c, hostcall_ioctl.c: /dev/hostcall */

/**
 * struct hostcall_devfile - one open of /dev/hostcall.
 * @tp: the transport it was opened on (a reference)
 * @session: what the opener's HELLO gave
 * @subjects: the subjects of the processes that use the file
 * @mnt_lock: serialises making @mnt
 * @mnt: the internal hostfs mount of HOSTCALL_IOC_OPEN, NULL until needed;
 *	the files opened on it hold it beyond the last close of this file
 */
struct hostcall_devfile {
	struct hostcall_transport *tp;
	struct hostcall_session session;
	struct hostcall_subjects subjects;
	struct mutex mnt_lock;
	struct vfsmount *mnt;
};

int hostcall_dev_register(void);
void hostcall_dev_unregister(void);

/** hostcall_dev_ioctl() - the ioctls of proto/hostcall_dev.h. */
long hostcall_dev_ioctl(struct file *file, unsigned int cmd,
			unsigned long arg);

/**
 * hostcall_user_retag() - give the checked user request in @req (encoded
 * in req->buf) subject @id and a tag of the module's, keeping its own in
 * req->user_tag for the reply.
 */
void hostcall_user_retag(struct hostcall_req *req, u32 id);

/* hostcall_acall.c: call files (HOSTCALL_CALL_ASYNC) */

/**
 * hostcall_acall_new() - start the checked user request in @req (@len
 * bytes) on the caller's subject of @f (opened as @dev) without waiting,
 * and make the call file it is answered on. Frees @req.
 * Returns: the new fd, or -errno.
 */
int hostcall_acall_new(struct file *dev, struct hostcall_devfile *f,
		       struct hostcall_req *req, size_t len);

/* hostcall_stream.c: stream files */

/**
 * hostcall_stream_new() - a stream file for host handle @handle of @subject,
 * which the file then owns: its last close ends @subject (BYE), as does a
 * failure here.
 * @flags: O_RDONLY, O_WRONLY or O_RDWR
 * Returns: the file, or an ERR_PTR.
 */
struct file *hostcall_stream_new(struct hostcall_transport *tp, u32 subject,
				 u32 handle, int flags);

/* hcfs_super.c: the file system type hostfs */

/** hcfs_fs_init() - register the file system type "hostfs". */
int hcfs_fs_init(void);

/** hcfs_fs_exit() - unregister it (no mount can exist: they pin the module). */
void hcfs_fs_exit(void);

/**
 * hcfs_kern_mount() - an internal hostfs mount (in no namespace) of the
 * host's "/" with a subject of its own, symlinks=raw and cache=none, for
 * /dev/hostcall's HOSTCALL_IOC_OPEN. Release with mntput().
 * Returns: the mount, or an ERR_PTR.
 */
struct vfsmount *hcfs_kern_mount(void);

/* hostcall_ivshmem.c: the ivshmem-doorbell PCI driver */
int hostcall_ivshmem_init(void);
void hostcall_ivshmem_exit(void);

#endif /* HOSTCALL_H */
