/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * hostcall.ko's user ABI: the ioctls of /dev/hostcall that libhostcall and
 * dosh use inside a guest, and the statfs(2) type of a hostfs mount.
 * Compiles in the kernel module and in user space (needs linux/ioctl.h).
 *
 * Each open of /dev/hostcall is a subject: the module sends HC_OP_HELLO when
 * the device is opened and fails the open with the error of the handshake
 * (ENODEV with no transport, EIO when the host does not answer,
 * EPROTONOSUPPORT for a hostcalld that speaks a protocol older than version
 * 3, which the kernel log says needs an update, EAGAIN at the host's
 * subject limit). Subjects follow processes: a process that uses
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

/*
 * statfs(2) f_type of a hostfs mount: "HCFS". Not UML hostfs's 0x00c0ffee
 * (HOSTFS_SUPER_MAGIC), which tools take for a local file system of their
 * own: GNU tail -f waits for inotify events there, and none comes for a
 * change made on the host. A type they do not know makes them poll.
 */
#define HOSTCALL_FS_MAGIC	0x48434653

/* 0xB9: unused in Documentation/userspace-api/ioctl/ioctl-number.rst (6.1) */
#define HOSTCALL_IOC_MAGIC	0xB9

/*
 * HOSTCALL_IOC_CALL: one generic hostcall.
 * @req:     user pointer to an encoded request (hostcall_proto.h)
 * @rep:     user pointer to the reply buffer
 * @req_len: its length, HC_HDR_SIZE..HC_MSG_MAX
 * @rep_cap: room at @rep; HC_MSG_MAX always suffices
 * @rep_len: out: the reply's length
 * @flags:   0, or HOSTCALL_CALL_ASYNC
 *
 * The module checks the request with hc_decode(), overwrites its subject
 * with the calling process's, sends it and checks the reply the same way
 * (op and tag echoed, HC_HF_REPLY set). The ops that make or end subjects
 * (HC_OPF_SUBJECT: HELLO, FORK_SUBJECT, BYE; the module does that itself)
 * and requests with attached fds are refused (EINVAL). Errors: EFAULT, EINVAL (bad struct or message), EIO
 * (the host did not answer in time, or went away), EPROTO (a malformed
 * reply), EMSGSIZE (the reply is larger than @rep_cap: the call did
 * happen), EINTR (a fatal signal arrived while waiting); for a process's
 * first call also those of its FORK_SUBJECT (EAGAIN at the host's subject
 * limit) and EMFILE (more than 63 other live processes use the file). The
 * hostcall's own result is in the reply. The reply carries the request's
 * tag; on the ring the module tags requests itself. CANCEL is refused
 * (EINVAL): a caller killed while its request is in flight on the host has
 * it cancelled by the module.
 *
 * With HOSTCALL_CALL_ASYNC the ioctl does not wait: it returns a new fd,
 * a "call file" (close-on-exec; @rep, @rep_cap and @rep_len are unused),
 * on which the reply is read. poll() says POLLIN once the reply is in;
 * read() of HOSTCALL_ASYNC_REP_MAX bytes gives it (waiting for it unless
 * the file is O_NONBLOCK: then EAGAIN; a signal: EINTR), as often as it is
 * read; its errors are those of the call, and EMSGSIZE for a reply longer
 * than the buffer (or than HOSTCALL_ASYNC_REP_MAX: the reply is lost). A
 * call file closed before its reply came cancels the request on the host
 * (a WAIT for a host program stops waiting; the program runs on).
 */
#define HOSTCALL_CALL_ASYNC	(1u << 0)
#define HOSTCALL_ASYNC_REP_MAX	4096

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
	__u32 version;		/* protocol version in use (3 or later) */
	__u32 msg_max;		/* largest message either way */
	__u32 flags;		/* zero */
	char transport[16];	/* "ivshmem", NUL-terminated */
	__u64 caps;		/* HC_CAP_* offered that the module knows */
};

/*
 * HOSTCALL_IOC_OPEN: open a host file as a real guest fd (the result).
 * @path:  user pointer to the host path, NUL-terminated, < HC_PATH_MAX
 * @dirfd: what a relative @path is relative to: HC_AT_FDCWD (-100, the
 *         caller's host working directory) or a directory handle of the
 *         caller's subject (an OPENAT result)
 * @flags: open(2) flags of the guest; O_CLOEXEC applies to the new fd
 * @mode:  creation mode (O_CREAT, O_TMPFILE)
 * @pad:   zero
 *
 * The file is a hostfs file of an internal mount (no mount point, not in
 * any namespace) that the open of /dev/hostcall makes at its first
 * HOSTCALL_IOC_OPEN: a subject of its own (HELLO) with the same host user
 * and --root, working directory "/", symlinks=raw, cache=none. A relative
 * @path is made absolute first by a GETCWD (or a REALPATH of @dirfd) on the
 * caller's subject, so it means what it means for the caller; the walk then
 * runs in the guest VFS over hostfs, absolute symlinks staying in the host's
 * tree. read, write, lseek, fstat, mmap, getdents64, fchmod, flock… are then
 * hostfs's. Errors: those of open(2) as the host decides them, ENAMETOOLONG,
 * EINVAL (bad struct), and those of HOSTCALL_IOC_CALL.
 */
struct hostcall_open {
	__u64 path;
	__s32 dirfd;
	__u32 flags;
	__u32 mode;
	__u32 pad;
};

/* Stream fds one spawn can return: three pipe ends and the pty master. */
#define HOSTCALL_SPAWN_FDS	4

/*
 * HOSTCALL_IOC_SPAWN: HC_OP_SPAWN with HC_SPAWN_KEEP, with the streams as
 * guest fds.
 * @call:  as HOSTCALL_IOC_CALL; the request must be HC_OP_SPAWN with
 *         HC_SPAWN_KEEP in its flags (else EINVAL)
 * @fds:   out: a "stream file" for each handle the reply lists in its
 *         handles (pipe ends in stdio order, then the pty master),
 *         close-on-exec; -1 after @nfds
 * @nfds:  out: how many
 * @flags: zero
 *
 * A stream file reads and writes its host pipe end or pty master with
 * READ/WRITE at off = -1 through a subject of its own (a FORK_SUBJECT of
 * the caller's that keeps only that handle), so a read that blocks on the
 * host blocks only that file, never the caller's other calls; the caller's
 * subject keeps none of the handles. Reads return what the host's read(2)
 * returned (0: end of file); writes write everything. A readable stream
 * keeps one READ in flight (a kernel thread) and holds its bytes: poll()
 * says POLLIN when they are there or at the end, POLLOUT always for a
 * writable stream; O_NONBLOCK reads with nothing held give EAGAIN. A pty
 * master reads through a second subject forked from its own, so that
 * writes never wait behind the pending READ. The last close ends the
 * stream's subjects (BYE), which closes the host end: the host program sees
 * EOF or SIGPIPE.
 * If the reply is an error, @nfds is 0 and the error is in the reply, as
 * for HOSTCALL_IOC_CALL; if making the stream files fails, the host
 * process is killed (SIGKILL) and reaped, and the ioctl fails.
 */
struct hostcall_spawn {
	struct hostcall_call call;
	__s32 fds[HOSTCALL_SPAWN_FDS];
	__u32 nfds;
	__u32 flags;
};

#define HOSTCALL_IOC_CALL	_IOWR(HOSTCALL_IOC_MAGIC, 1, struct hostcall_call)
#define HOSTCALL_IOC_INFO	_IOR(HOSTCALL_IOC_MAGIC, 2, struct hostcall_info)
#define HOSTCALL_IOC_OPEN	_IOW(HOSTCALL_IOC_MAGIC, 3, struct hostcall_open)
#define HOSTCALL_IOC_SPAWN	_IOWR(HOSTCALL_IOC_MAGIC, 4, struct hostcall_spawn)

#endif /* HOSTCALL_DEV_H */
