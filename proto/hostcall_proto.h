/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostcall wire protocol: the one definition shared by hostcalld, libhostcall
 * and the guest kernel module. Compiles in the kernel (no libc) and in user
 * space.
 *
 * Versions
 *   1  first version: file system ops, subjects, fork-subject, host processes.
 *   2  HC_OP_BYE (a subject ends) and HELLO flags (HC_HELLO_KEEP_HANDLES:
 *      the transport carries no fds, so the shadow keeps a handle for every
 *      file it opens). Both are additive: a version-1 host answers BYE with
 *      -ENOSYS, as any op it does not know, and ignores HELLO flags.
 *      Added later within version 2 (a host without it answers -ENOSYS):
 *      HC_OP_SPAWN_KEEP, SPAWN whose pipe ends and pty master stay in the
 *      shadow as handles.
 *
 * Negotiation
 *   The client sends the highest version it speaks in HELLO's arg; the host
 *   answers min(that, its own). A client may send any op of the version in
 *   use; an op the host does not know gets -ENOSYS and the subject goes on.
 *   HELLO flags are honoured only by hosts of version >= 2: a client that
 *   needs one (the guest module needs HC_HELLO_KEEP_HANDLES) must see
 *   version >= 2 in the reply and give up otherwise. A host refuses flag bits
 *   it does not know with -EINVAL, so a future flag is never silently
 *   ignored by a host that speaks version 2 or later.
 *
 * Rules
 *   - Every field on the wire is little-endian with an explicit width; no C
 *     struct is ever sent as bytes (struct stat differs between ABIs).
 *   - Op numbers are never reused: a retired op keeps its number, unused.
 *   - The first request on a subject is HC_OP_HELLO carrying the highest
 *     version the client speaks; the reply carries the version both use, or
 *     -EPROTONOSUPPORT. Nothing else is accepted before HELLO.
 *   - A reply carries the request's op and tag, and a result that is >= 0 on
 *     success or -errno (Linux generic errno numbers) on failure.
 *   - Open flags and file types travel in the generic Linux encoding
 *     (HC_O_*, the values of asm-generic/fcntl.h); each side translates.
 *
 * Message layout (all little-endian):
 *   header  u32 len      whole message, header included, <= HC_MSG_MAX
 *           u16 op       enum hc_op
 *           u16 hflags   HC_HF_REPLY, number of attached fds (HC_HF_NFDS)
 *           u32 tag      chosen by the requester, echoed in the reply
 *           u32 subject  subject id (informational on the Unix transport)
 *           s64 result   replies: >= 0 or -errno; requests: 0
 *   body    the op's fields in the order hc_op_fields() gives, each encoded
 *           as its type says: u32, u64, s64, a string (u32 length counting a
 *           terminating NUL that must be present, no NUL before it), a blob
 *           (u32 length + bytes), or a fixed group (stat, statfs, lock,
 *           times) of the integers listed with its struct.
 * A reply with result < 0 has no body.
 *
 * Unix-socket transport (no VM), see hc_sock.h for the framing:
 *   - The client connects a SOCK_SEQPACKET socket to hostcalld. The relay
 *     only accepts and forks a shadow process that owns the connection from
 *     then on: every request reaches the shadow in one hop.
 *   - HC_OP_HELLO: request arg = highest version the client speaks; reply
 *     arg = version in use, len = HC_MSG_MAX, result = subject id.
 *   - HC_OP_OPENAT: the opened file travels back as an attached fd, which
 *     the client owns. The shadow keeps a handle (a dup) only for
 *     directories, so that *at() calls relative to them run in the shadow;
 *     result is that handle, or HC_HANDLE_NONE. Ops on a file the client
 *     holds with no handle (fchmod, fchown, futimens, f*xattr) attach the
 *     client's fd and set fd = HC_HANDLE_PASSED; the shadow serves such an
 *     fd only if it refers to a file it opened itself.
 *   - HC_OP_CLOSE releases a handle.
 *   - HC_OP_FORK_SUBJECT: the shadow forks; the child shadow serves a new
 *     connection whose client end comes back attached; result = its subject
 *     id. The client's child process uses it from then on.
 *   - HC_OP_SPAWN: fds for HC_STDIO_PASS streams are attached in stdio
 *     order; the reply attaches the caller's pipe ends in stdio order, then
 *     the pty master if any stream is HC_STDIO_PTY. arg packs the three
 *     stdio modes (stdin | stdout << 8 | stderr << 16), arg2 the pty size
 *     (rows << 16 | cols), path the working directory ("" for the
 *     subject's).
 *   - HC_OP_WAIT: arg = pid; reply arg = wait status; result = pid, or 0
 *     with HC_WAIT_NOHANG while it runs.
 *   - HC_OP_KILL: arg = pid, arg2 = signal, sent to the process group.
 *   - HC_OP_WINSIZE: arg = pid, arg2 = rows << 16 | cols.
 *   - HC_OP_SPAWN_KEEP: the request of HC_OP_SPAWN; the caller's pipe ends
 *     and the pty master are not attached but kept by the shadow as handles
 *     (on either transport), and the reply's data lists them as u32
 *     little-endian handle numbers in the order SPAWN attaches fds: pipe
 *     ends in stdio order, then the pty master. READ and WRITE with off = -1
 *     move the bytes, CLOSE (or the subject's end) closes them, WINSIZE
 *     still resizes the pty. HC_STDIO_PASS needs an attached fd, so on a
 *     transport without fds it gets -EBADF.
 *   - HC_OP_BYE (v2): the shadow replies 0 and exits, as when the connection
 *     closes; its host processes get SIGHUP. Closing the connection says the
 *     same, so a client of this transport need not send it.
 *
 * HC_HELLO_KEEP_HANDLES (v2), for transports that carry no fds (the
 * ivshmem ring of a VM, hc_ring.h):
 *   - HC_OP_OPENAT: the shadow keeps a handle for every file it opens, not
 *     only for directories, and attaches no fd; result is the handle. READ,
 *     WRITE, LSEEK, FSTATAT, GETDENTS, FSYNC, TRUNCATE, FALLOCATE, FLOCK,
 *     LOCK, the xattr ops and CLOSE then name the file by that handle.
 *   - HC_OP_SPAWN: only HC_STDIO_NULL and HC_STDIO_SAME streams; the others
 *     would return fds and get -EOPNOTSUPP: use HC_OP_SPAWN_KEEP.
 *   - HC_OP_FORK_SUBJECT: the shadow still attaches the new connection; the
 *     transport's relay takes it and gives the client only the subject id.
 *   A forked subject keeps its parent's mode.
 *
 * In a VM (hostcalld --ivshmem) the relay between the ring and the shadows
 * routes each request by its subject id: a HELLO for subject 0 creates a
 * subject (the relay sets HC_HELLO_KEEP_HANDLES), FORK_SUBJECT's result is
 * the new subject's id, BYE ends one, and an id the guest did not get from
 * the relay gets -ESRCH. The guest kernel module sends BYE for each of its
 * subjects when /dev/hostcall is closed for the last time.
 */
#ifndef HOSTCALL_PROTO_H
#define HOSTCALL_PROTO_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
typedef u8 hc_u8;
typedef u16 hc_u16;
typedef u32 hc_u32;
typedef s32 hc_s32;
typedef u64 hc_u64;
typedef s64 hc_s64;
#else
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
typedef uint8_t hc_u8;
typedef uint16_t hc_u16;
typedef uint32_t hc_u32;
typedef int32_t hc_s32;
typedef uint64_t hc_u64;
typedef int64_t hc_s64;
#endif

#define HC_PROTO_VERSION	2

/* Largest message in either direction, header included. */
#define HC_MSG_MAX		(128 * 1024)
#define HC_HDR_SIZE		24
/* Room left for a blob after the header and a few small fields. */
#define HC_DATA_MAX		(HC_MSG_MAX - 512)
#define HC_PATH_MAX		4096
#define HC_NAME_MAX		255
#define HC_XATTR_NAME_MAX	255
/* Host processes: argv/envp limits. */
#define HC_ARGV_MAX		4096
#define HC_FDS_MAX		3

/* HELLO flags (request field flags; version >= 2, see Negotiation). */
#define HC_HELLO_KEEP_HANDLES	(1u << 0)
#define HC_HELLO_FLAGS		HC_HELLO_KEEP_HANDLES	/* all known flags */

/* Header flags. */
#define HC_HF_REPLY		0x8000
#define HC_HF_NFDS_MASK		0x0003	/* fds attached to this message */

/* Directory handle meaning "the subject's working directory". */
#define HC_AT_FDCWD		(-100)

/* OPENAT result when the shadow keeps no handle: the passed fd is all. */
#define HC_HANDLE_NONE		0x7fffffff
/* fd field of a request whose object is the fd attached to it. */
#define HC_HANDLE_PASSED	(-2)

/* at-flags on the wire (the Linux values, which every architecture shares). */
#define HC_AT_SYMLINK_NOFOLLOW	0x100
#define HC_AT_REMOVEDIR		0x200
#define HC_AT_EACCESS		0x200
#define HC_AT_SYMLINK_FOLLOW	0x400
#define HC_AT_EMPTY_PATH	0x1000

/* Open flags on the wire: the asm-generic values. */
#define HC_O_ACCMODE		00000003
#define HC_O_RDONLY		00000000
#define HC_O_WRONLY		00000001
#define HC_O_RDWR		00000002
#define HC_O_CREAT		00000100
#define HC_O_EXCL		00000200
#define HC_O_NOCTTY		00000400
#define HC_O_TRUNC		00001000
#define HC_O_APPEND		00002000
#define HC_O_NONBLOCK		00004000
#define HC_O_DSYNC		00010000
#define HC_O_DIRECT		00040000
#define HC_O_LARGEFILE		00100000
#define HC_O_DIRECTORY		00200000
#define HC_O_NOFOLLOW		00400000
#define HC_O_NOATIME		01000000
#define HC_O_CLOEXEC		02000000
#define HC_O_SYNC		04010000
#define HC_O_PATH		010000000
#define HC_O_TMPFILE		020200000

/* renameat2 flags. */
#define HC_RENAME_NOREPLACE	(1 << 0)
#define HC_RENAME_EXCHANGE	(1 << 1)

/* lseek whence. */
#define HC_SEEK_SET		0
#define HC_SEEK_CUR		1
#define HC_SEEK_END		2
#define HC_SEEK_DATA		3
#define HC_SEEK_HOLE		4

/* Special length for HC_OP_UTIMENSAT times: the Linux UTIME_NOW/UTIME_OMIT. */
#define HC_UTIME_NOW		((1l << 30) - 1l)
#define HC_UTIME_OMIT		((1l << 30) - 2l)

/* flock operations (arg of HC_OP_FLOCK). */
#define HC_LOCK_SH		1
#define HC_LOCK_EX		2
#define HC_LOCK_NB		4
#define HC_LOCK_UN		8

/* Record locks (HC_OP_LOCK): arg is the command, lock.type the lock type. */
#define HC_F_GETLK		5
#define HC_F_SETLK		6
#define HC_F_SETLKW		7
#define HC_F_RDLCK		0
#define HC_F_WRLCK		1
#define HC_F_UNLCK		2

/* fsync (flags of HC_OP_FSYNC). */
#define HC_FSYNC_DATA		1

/* setxattr flags. */
#define HC_XATTR_CREATE		1
#define HC_XATTR_REPLACE	2

/* Host processes: how each of stdin, stdout, stderr is provided. */
#define HC_STDIO_NULL		0	/* /dev/null on the host */
#define HC_STDIO_PIPE		1	/* a pipe; the caller's end is returned */
#define HC_STDIO_PTY		2	/* the pty; master returned once */
#define HC_STDIO_PASS		3	/* an fd the caller attached */
#define HC_STDIO_SAME		4	/* same as the previous stream (2>&1) */
/* HC_OP_SPAWN flags. */
#define HC_SPAWN_NEWPGRP	(1 << 0) /* own process group (default) */
#define HC_SPAWN_SETSID		(1 << 1) /* new session; pty is controlling */
#define HC_SPAWN_KEEPENV	(1 << 2) /* envp adds to, not replaces, base */
/* HC_OP_WAIT flags. */
#define HC_WAIT_NOHANG		1

enum hc_op {
	HC_OP_HELLO		= 1,
	HC_OP_OPENAT		= 2,
	HC_OP_CLOSE		= 3,
	HC_OP_READ		= 4,	/* off < 0: read at the file offset */
	HC_OP_WRITE		= 5,	/* off < 0: write at the file offset */
	HC_OP_LSEEK		= 6,
	HC_OP_FSTATAT		= 7,	/* fstat: empty path, AT_EMPTY_PATH */
	HC_OP_GETDENTS		= 8,
	HC_OP_READLINKAT	= 9,
	HC_OP_MKDIRAT		= 10,
	HC_OP_MKNODAT		= 11,
	HC_OP_UNLINKAT		= 12,
	HC_OP_RENAMEAT2		= 13,	/* fd+path: old name, fd2+path2: new */
	HC_OP_SYMLINKAT		= 14,	/* fd+path: the new link, path2: target */
	HC_OP_LINKAT		= 15,	/* fd+path: existing, fd2+path2: new */
	HC_OP_FCHMODAT		= 16,	/* fchmod: empty path, AT_EMPTY_PATH */
	HC_OP_FCHOWNAT		= 17,
	HC_OP_TRUNCATE		= 18,	/* ftruncate: empty path, AT_EMPTY_PATH */
	HC_OP_FSYNC		= 19,
	HC_OP_UTIMENSAT		= 20,
	HC_OP_FACCESSAT		= 21,
	HC_OP_STATFS		= 22,	/* fstatfs: empty path, AT_EMPTY_PATH */
	HC_OP_FALLOCATE		= 23,
	HC_OP_FLOCK		= 24,
	HC_OP_LOCK		= 25,	/* fcntl record locks */
	HC_OP_GETXATTR		= 26,	/* f/l variants: fd, at-flags */
	HC_OP_SETXATTR		= 27,
	HC_OP_LISTXATTR		= 28,
	HC_OP_REMOVEXATTR	= 29,
	HC_OP_CHDIR		= 30,	/* fchdir: empty path, AT_EMPTY_PATH */
	HC_OP_GETCWD		= 31,
	HC_OP_FORK_SUBJECT	= 32,
	HC_OP_REALPATH		= 33,
	HC_OP_SPAWN		= 34,
	HC_OP_WAIT		= 35,
	HC_OP_KILL		= 36,
	HC_OP_WINSIZE		= 37,
	HC_OP_BYE		= 38,	/* v2: the subject ends */
	HC_OP_SPAWN_KEEP	= 39,	/* v2 addition: SPAWN, streams as handles */
	HC_OP_MAX
};

/* Times as on the wire: seconds and nanoseconds. */
struct hc_timespec {
	hc_s64 sec;
	hc_u32 nsec;
};

/* File attributes: statx-level, independent of any ABI's struct stat. */
struct hc_stat {
	hc_u32 mask;		/* STATX_* bits the host filled in */
	hc_u32 mode;		/* S_IF* | permission bits */
	hc_u32 nlink;
	hc_u32 uid;
	hc_u32 gid;
	hc_u32 blksize;
	hc_u64 ino;
	hc_u64 size;
	hc_u64 blocks;		/* 512-byte units */
	hc_u32 dev_major, dev_minor;
	hc_u32 rdev_major, rdev_minor;
	struct hc_timespec atime, mtime, ctime, btime;
};

struct hc_statfs {
	hc_u64 type;
	hc_u64 bsize;
	hc_u64 blocks, bfree, bavail;
	hc_u64 files, ffree;
	hc_u64 fsid;
	hc_u64 namelen;
	hc_u64 frsize;
	hc_u64 flags;
};

struct hc_lock {
	hc_u32 type;		/* HC_F_RDLCK, HC_F_WRLCK, HC_F_UNLCK */
	hc_u32 whence;		/* HC_SEEK_* */
	hc_s64 start;
	hc_s64 len;
	hc_s32 pid;		/* F_GETLK: holder, as the host sees it */
};

/*
 * One decoded message. Each op uses the fields that hc_op_fields() lists
 * for it; the others are left as they were. Strings and blobs point into
 * the buffer the message was decoded from, which must outlive this struct,
 * and strings are NUL-terminated there.
 */
struct hc_msg {
	/* header */
	hc_u16 op;
	hc_u16 hflags;
	hc_u32 tag;
	hc_u32 subject;
	hc_s64 result;

	/* fields */
	hc_s32 fd;		/* handle, or HC_AT_FDCWD */
	hc_s32 fd2;		/* second directory handle */
	hc_u32 flags;		/* open/at/rename/xattr/spawn flags */
	hc_u32 mode;
	hc_u32 uid;
	hc_u32 gid;
	hc_u32 arg;		/* whence, lock cmd, signal, version, rows… */
	hc_u32 arg2;		/* cols, stdio modes packed 8 bits each… */
	hc_s64 off;
	hc_u64 len;
	hc_u64 dev;		/* mknod: major << 32 | minor */
	struct hc_timespec times[2];
	struct hc_stat st;
	struct hc_statfs sfs;
	struct hc_lock lk;
	const char *path;
	const char *path2;
	const char *name;	/* xattr name */
	const void *data;
	hc_u32 datalen;
	const char *argv;	/* NUL-separated strings, argc of them */
	hc_u32 argvlen;
	hc_u32 argc;
	const char *envp;	/* NUL-separated strings, envc of them */
	hc_u32 envplen;
	hc_u32 envc;
};

/* Field identifiers, used in the op table. */
enum hc_field {
	HC_FLD_END = 0,
	HC_FLD_FD,
	HC_FLD_FD2,
	HC_FLD_FLAGS,
	HC_FLD_MODE,
	HC_FLD_UID,
	HC_FLD_GID,
	HC_FLD_ARG,
	HC_FLD_ARG2,
	HC_FLD_OFF,
	HC_FLD_LEN,
	HC_FLD_DEV,
	HC_FLD_TIMES,
	HC_FLD_STAT,
	HC_FLD_STATFS,
	HC_FLD_LOCK,
	HC_FLD_PATH,
	HC_FLD_PATH2,
	HC_FLD_NAME,
	HC_FLD_DATA,
	HC_FLD_ARGV,
	HC_FLD_ENVP,
	HC_FLD_COUNT
};

#define HC_FIELDS_MAX	8

/**
 * hc_op_name() - printable name of an op ("openat"), or NULL if unknown.
 */
const char *hc_op_name(unsigned int op);

/**
 * hc_op_fields() - the fields an op carries, HC_FLD_END-terminated.
 * @op: op number
 * @reply: non-zero for the reply's fields
 *
 * Returns: a static array, or NULL if @op is unknown.
 */
const hc_u8 *hc_op_fields(unsigned int op, int reply);

/**
 * hc_encode() - marshal @m into @buf.
 * @m: the message; m->hflags & HC_HF_REPLY selects the reply layout
 * @buf: output buffer
 * @cap: its size
 *
 * A reply with m->result < 0 is encoded with no body.
 * Returns: the encoded length; -ENOSYS for an unknown op (except in an error
 * reply, which is a bare header for any op); -EMSGSIZE if the message would
 * exceed @cap or HC_MSG_MAX; -ENAMETOOLONG for a string longer than its
 * limit; -EINVAL for a NULL string or blob, or a string vector whose count
 * does not match its NULs.
 */
int hc_encode(const struct hc_msg *m, void *buf, size_t cap);

/**
 * hc_decode_hdr() - check and decode just the header of a message.
 * @m: filled with the header fields; the other fields are zeroed
 * @buf: the message, in private memory
 * @len: the number of bytes received
 *
 * Returns: 0, or -EBADMSG if @len is shorter than a header, differs from the
 * header's length, or exceeds HC_MSG_MAX.
 */
int hc_decode_hdr(struct hc_msg *m, const void *buf, size_t len);

/**
 * hc_decode() - check and decode a whole message.
 * @m: filled with the header and the op's fields
 * @buf: the message, in private memory (never shared memory: copy first)
 * @len: the number of bytes received
 *
 * Returns: 0; -EBADMSG for a bad header, a truncated or oversized field, a
 * string without its NUL or with one inside, or trailing bytes; -ENOSYS for
 * an op this codec does not know (the header in @m is still valid). An error
 * reply (a bare header with result < 0) decodes for any op.
 */
int hc_decode(struct hc_msg *m, const void *buf, size_t len);

/**
 * hc_strv_next() - walk a NUL-separated string vector (argv, envp).
 * @v: the vector, as decoded
 * @len: its length
 * @pos: in/out cursor, start at 0
 *
 * Returns: the next string, or NULL at the end.
 */
const char *hc_strv_next(const char *v, hc_u32 len, hc_u32 *pos);

/**
 * hc_oflags_to_wire() / hc_oflags_from_wire() - translate open flags
 * between this ABI's O_* values and the wire's HC_O_* values. Unknown bits
 * are dropped. (Defined only where O_* exist: user space.)
 */
hc_u32 hc_oflags_to_wire(int flags);
int hc_oflags_from_wire(hc_u32 wflags);

#endif /* HOSTCALL_PROTO_H */
