/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostcall.ko internals: the transport interface every doorbell plugs into
 * (ivshmem today, the KVM hypercall later) and the calls built on it.
 */
#ifndef HOSTCALL_H
#define HOSTCALL_H

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/rwsem.h>
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
 *	@rep may be @req). May sleep. Returns the reply's length, or -EIO (no
 *	answer in time, or the transport is going away), -EINTR (fatal
 *	signal), -EPROTO (the host's reply does not fit its slot or @rep_cap).
 *	The reply is not decoded: the caller does that.
 * @post: send the encoded request @req for @subject without waiting for
 *	the reply, which nobody reads (BYE when the last user is gone). May
 *	sleep until the transport can take it. Returns 0 once it is sent, or
 *	-EIO, -EINTR as @submit.
 * @cancel: make every caller sleeping in @submit return -EIO soon; called
 *	once, when the transport is being removed, with ->dead already set.
 * @release: free the transport after its last reference is gone.
 */
struct hostcall_transport_ops {
	const char *name;
	int (*submit)(struct hostcall_transport *t, u32 subject, const void *req,
		      size_t req_len, void *rep, size_t rep_cap);
	int (*post)(struct hostcall_transport *t, u32 subject, const void *req,
		    size_t req_len);
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
 */
struct hostcall_transport {
	const struct hostcall_transport_ops *ops;
	struct kref ref;
	struct rw_semaphore users;
	bool dead;
	u32 msg_max;
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
 * hostcall_transport_get() - the registered transport, with a reference taken.
 * Returns: the transport, or NULL if there is none.
 */
struct hostcall_transport *hostcall_transport_get(void);

/** hostcall_transport_put() - drop a reference taken by hostcall_transport_get(). */
void hostcall_transport_put(struct hostcall_transport *t);

/**
 * hostcall_submit() - one round trip of encoded messages through @t.
 *
 * Returns: the reply length or -errno, as &hostcall_transport_ops.submit, and
 * -EIO at once if @t is dead.
 */
int hostcall_submit(struct hostcall_transport *t, u32 subject, const void *req,
		    size_t req_len, void *rep, size_t rep_cap);

/**
 * hostcall_post_bye() - tell the host that @subject ended (HC_OP_BYE), without
 * waiting for the answer: usable where nobody can wait, such as the last
 * close of a file by a process being killed. Errors are ignored: if the BYE
 * cannot be sent the host is gone or going, and the subject with it.
 */
void hostcall_post_bye(struct hostcall_transport *t, u32 subject);

/**
 * hostcall_fork_subject() - FORK_SUBJECT on @parent: a new subject whose shadow
 * starts as a copy of @parent's, with the same handle numbers.
 * Returns: the new subject's id (> 0), or -errno.
 */
int hostcall_fork_subject(struct hostcall_transport *t, u32 parent);

/**
 * hostcall_call() - encode @m, send it for @subject, decode the reply into @r.
 * @buf: scratch of @cap bytes for both messages; strings and blobs of @r
 *	point into it afterwards
 *
 * Checks that the reply echoes the request's op and tag.
 * Returns: 0 (the hostcall's own result is r->result), or -errno if the
 * call could not be made or the reply is malformed (-EPROTO).
 */
int hostcall_call(struct hostcall_transport *t, u32 subject, const struct hc_msg *m,
		  struct hc_msg *r, void *buf, size_t cap);

/**
 * hostcall_check_reply() - decode reply @buf of @len bytes into @r and check that
 * it answers a request with @op and @tag.
 * Returns: 0, or -EPROTO.
 */
int hostcall_check_reply(struct hc_msg *r, const void *buf, size_t len,
			 u16 op, u32 tag);

/* hostcall_dev.c: /dev/hostcall */
int hostcall_dev_register(void);
void hostcall_dev_unregister(void);

/* hostcall_stream.c: stream files */

/**
 * hostcall_stream_new() - a stream file for host handle @handle of @subject,
 * which the file then owns: its last close ends @subject (BYE), as does a
 * failure here.
 * @flags: O_RDONLY, O_WRONLY or O_RDWR
 * Returns: the file, or an ERR_PTR.
 */
struct file *hostcall_stream_new(struct hostcall_transport *tp, u32 subject, u32 handle,
				 int flags);

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
