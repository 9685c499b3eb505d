/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * /dev/hostcall user ABI: the ioctls libhostcall and dosh use inside a guest.
 * Compiles in the kernel module and in user space (needs linux/ioctl.h).
 *
 * Each open of /dev/hostcall is a subject: the module sends HC_OP_HELLO when
 * the device is opened and fails the open with the error of the handshake
 * (ENODEV with no transport, EIO when the host does not answer,
 * EPROTONOSUPPORT for a host older than protocol version 2, EAGAIN at the
 * host's subject limit). Subjects follow processes: a process that uses
 * the file without having opened it (a child after fork, or one that got
 * the fd over a socket) gets its own subject at its first call, a fork of
 * the subject of its nearest ancestor that has one (else the opener's), so
 * it starts with that process's host cwd and handles as they are at that
 * moment. Threads share their process's subject. The last close ends every
 * subject of the file (HC_OP_BYE), without waiting for the host.
 */
#ifndef HOSTCALL_DEV_H
#define HOSTCALL_DEV_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* 0xB9: unused in Documentation/userspace-api/ioctl/ioctl-number.rst (6.1) */
#define HOSTCALL_IOC_MAGIC	0xB9

/*
 * HOSTCALL_IOC_CALL: one generic hostcall.
 * @req:     user pointer to an encoded request (hostcall_proto.h)
 * @rep:     user pointer to the reply buffer
 * @req_len: its length, HC_HDR_SIZE..HC_MSG_MAX
 * @rep_cap: room at @rep; HC_MSG_MAX always suffices
 * @rep_len: out: the reply's length
 * @flags:   zero
 *
 * The module checks the request with hc_decode(), overwrites its subject
 * with the calling process's, sends it and checks the reply the same way
 * (op and tag echoed, HC_HF_REPLY set). HELLO, FORK_SUBJECT and BYE (the
 * module makes and ends subjects itself) and requests with attached fds
 * are refused (EINVAL). Errors: EFAULT, EINVAL (bad struct or message), EIO
 * (the host did not answer in time, or went away), EPROTO (a malformed
 * reply), EMSGSIZE (the reply is larger than @rep_cap: the call did
 * happen), EINTR (a fatal signal arrived while waiting); for a process's
 * first call also those of its FORK_SUBJECT (EAGAIN at the host's subject
 * limit) and EMFILE (more than 63 other live processes use the file). The
 * hostcall's own result is in the reply.
 */
struct hostcall_call {
	__u64 req;
	__u64 rep;
	__u32 req_len;
	__u32 rep_cap;
	__u32 rep_len;
	__u32 flags;
};

/* HOSTCALL_IOC_INFO: what the handshake gave this file and process. */
struct hostcall_info {
	__u32 subject;		/* the host's id of the caller's subject */
	__u32 version;		/* protocol version in use */
	__u32 msg_max;		/* largest message either way */
	__u32 flags;		/* zero */
	char transport[16];	/* "ivshmem", NUL-terminated */
};

#define HOSTCALL_IOC_CALL	_IOWR(HOSTCALL_IOC_MAGIC, 1, struct hostcall_call)
#define HOSTCALL_IOC_INFO	_IOR(HOSTCALL_IOC_MAGIC, 2, struct hostcall_info)

#endif /* HOSTCALL_DEV_H */
