/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostcall wire protocol, version 3: the one definition shared by
 * hostcalld, libhostcall and the guest kernel module. Compiles in the kernel
 * (no libc) and in user space. The specification is proto/PROTOCOL.md; the
 * ops and their fields are listed once, in hc_ops.h.
 *
 * Rules
 *   - Every field on the wire is little-endian with an explicit width; no C
 *     struct is ever sent as bytes (struct stat differs between ABIs).
 *   - Op numbers are never reused: a retired op keeps its number, unused.
 *   - The first request on a subject is HELLO; nothing else is accepted
 *     before it. HELLO's layout is the same in every version from 3 on.
 *   - An op's fields never change once released: later additions are new
 *     ops or flags, announced by a capability bit in HELLO's reply.
 *   - A reply carries the request's op and tag, and a result that is >= 0 on
 *     success or -errno (Linux generic errno numbers) on failure. A reply
 *     with result < 0 has no body.
 *   - Open flags and file types travel in the generic Linux encoding
 *     (HC_O_*, the values of asm-generic/fcntl.h); each side translates.
 *
 * Header (24 bytes, little-endian):
 *   u32 len      whole message, header included, <= HC_MSG_MAX
 *   u16 op       enum hc_op
 *   u16 hflags   HC_HF_REPLY, HC_HF_ACCEPTED, number of attached fds
 *                (HC_HF_NFDS_MASK)
 *   u32 tag      chosen by the requester, echoed in the reply
 *   u32 subject  subject id (informational on the Unix transport)
 *   s64 result   replies: >= 0 or -errno; requests: 0
 * Body: the op's fields in the order hc_ops.h lists them, each encoded as
 * its type (HC_T_*) says.
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

#include "hc_ops.h"

/* The version this code speaks, and the oldest it accepts. */
#define HC_PROTO_VERSION	3
#define HC_PROTO_VERSION_MIN	3

/*
 * Capabilities (HELLO's caps): one bit for each op or flag added after
 * version 3's first release (3.0, tests/compat/hc_ops-3.0.h). A host uses
 * one with a subject only if the subject's HELLO announced it, and a client
 * only if the host's reply offers it. HC_CAPS is what this code implements.
 *
 * HC_CAP_INFLIGHT  requests in flight: the host may answer a subject's
 *                  requests out of order, serving an op that may block
 *                  (HC_OPF_BLOCKS) while it serves the others, and CANCEL
 *                  interrupts one by its tag.
 * HC_CAP_IDENTITY  SUBJECT_AS: a new subject acting as the host user a
 *                  guest uid and gid map to. Offered only on the ring, by a
 *                  relay with an identity map; on the socket a client's
 *                  identity is its connection's.
 * HC_CAP_LOOKUP    LOOKUP and FORGET: handles per inode (O_PATH fds the
 *                  shadow keeps, one per host inode and subject, counted),
 *                  so that a client names files by (directory handle,
 *                  name) and never by path; OPENAT of "" reopens a handle.
 * HC_CAP_READDIRPLUS  READDIRPLUS: a directory's entries with their handles
 *                  and attributes, so that listing one needs no LOOKUP each.
 * HC_CAP_HOSTCOPY  COPY_FILE_RANGE and SYNCFS: copies and syncs done by the
 *                  host's file system, no data through the client.
 */
#define HC_CAP_INFLIGHT		(1ull << 0)
#define HC_CAP_IDENTITY		(1ull << 1)
#define HC_CAP_LOOKUP		(1ull << 2)
#define HC_CAP_READDIRPLUS	(1ull << 3)
#define HC_CAP_HOSTCOPY		(1ull << 4)
#define HC_CAPS			(HC_CAP_INFLIGHT | HC_CAP_IDENTITY | HC_CAP_LOOKUP | \
				 HC_CAP_READDIRPLUS | HC_CAP_HOSTCOPY)

/* COPY_FILE_RANGE's most bytes a call, so that one copy never holds a shadow long */
#define HC_COPY_MAX		(64ull << 20)

/* FORGET's records: (handle, count) pairs of u32, little-endian. */
#define HC_FORGET_REC		8

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
/* fds one message may carry (Unix socket), and the length of a HC_T_U32V. */
#define HC_FDS_MAX		16

#define HC_HELLO_KEEP_HANDLES	(1u << 0)
/* tell when a request goes in flight (HC_HF_ACCEPTED); a relay's flag */
#define HC_HELLO_TELL_ACCEPTED	(1u << 1)
#define HC_HELLO_FLAGS		(HC_HELLO_KEEP_HANDLES | HC_HELLO_TELL_ACCEPTED)

/* Header flags. */
#define HC_HF_REPLY		0x8000
/*
 * With HC_HF_REPLY: not the reply but the notice that the request of this
 * op and tag is now in flight; its reply follows later. A bare header with
 * result 0, sent only to a peer whose HELLO set HC_HELLO_TELL_ACCEPTED.
 */
#define HC_HF_ACCEPTED		0x4000
#define HC_HF_NFDS_MASK		0x001f	/* fds attached to this message */

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
#define HC_RENAME_WHITEOUT	(1 << 2)

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
#define HC_SPAWN_KEEP		(1 << 3) /* streams stay in the shadow as handles */
#define HC_SPAWN_FLAGS		(HC_SPAWN_NEWPGRP | HC_SPAWN_SETSID | \
				 HC_SPAWN_KEEPENV | HC_SPAWN_KEEP)
/* HC_OP_WAIT flags. */
#define HC_WAIT_NOHANG		1

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

/* A byte string on the wire: u32 length, then the bytes. */
struct hc_blob {
	const void *ptr;	/* into the decoded buffer; NULL when empty */
	hc_u32 len;		/* <= HC_DATA_MAX */
};

/* NUL-terminated strings, back to back (argv, envp): u32 count, a blob. */
struct hc_strv {
	const char *ptr;
	hc_u32 len;
	hc_u32 count;		/* <= HC_ARGV_MAX, the number of NULs */
};

/* Up to HC_FDS_MAX integers (handles, fd numbers): u32 count, u32 each. */
struct hc_u32v {
	hc_u32 n;
	hc_u32 v[HC_FDS_MAX];
};

/* Field types of hc_ops.h, and the C type each is decoded into. */
enum hc_type {
	HC_T_END = 0,
	HC_T_U32,		/* u32 */
	HC_T_S32,		/* s32, as u32 */
	HC_T_U64,		/* u64 */
	HC_T_S64,		/* s64, as u64 */
	HC_T_PATH,		/* u32 length with the NUL, string, NUL */
	HC_T_NAME,		/* the same, at most HC_NAME_MAX bytes */
	HC_T_BLOB,		/* u32 length, bytes */
	HC_T_STRV,		/* u32 count, then a blob of count strings */
	HC_T_U32V,		/* u32 count, count u32 */
	HC_T_STAT,		/* struct hc_stat's integers in order */
	HC_T_STATFS,		/* struct hc_statfs's */
	HC_T_LOCK,		/* struct hc_lock's */
	HC_T_TIME,		/* s64 sec, u32 nsec */
};

#define HC_CTYPE_U32		hc_u32
#define HC_CTYPE_S32		hc_s32
#define HC_CTYPE_U64		hc_u64
#define HC_CTYPE_S64		hc_s64
#define HC_CTYPE_PATH		const char *
#define HC_CTYPE_NAME		const char *
#define HC_CTYPE_BLOB		struct hc_blob
#define HC_CTYPE_STRV		struct hc_strv
#define HC_CTYPE_U32V		struct hc_u32v
#define HC_CTYPE_STAT		struct hc_stat
#define HC_CTYPE_STATFS		struct hc_statfs
#define HC_CTYPE_LOCK		struct hc_lock
#define HC_CTYPE_TIME		struct hc_timespec

enum hc_op {
#define HC_X_ENUM(NAME, name, nr, flags, cap) HC_OP_##NAME = nr,
	HC_OP_LIST(HC_X_ENUM)
#undef HC_X_ENUM
	HC_OP_MAX		/* one past the highest: the list is in order */
};

/* struct hc_req_NAME and struct hc_rep_NAME: each op's fields, by name. */
#define HC_X_FIELD(s, type, field) HC_CTYPE_##type field;
#define HC_X_STRUCTS(NAME, name, nr, flags, cap)			\
	struct hc_req_##name { HC_REQ_##name(HC_X_FIELD, hc_req_##name) }; \
	struct hc_rep_##name { HC_REP_##name(HC_X_FIELD, hc_rep_##name) };
HC_OP_LIST(HC_X_STRUCTS)
#undef HC_X_STRUCTS

#define HC_X_REQ(NAME, name, nr, flags, cap) struct hc_req_##name name;
#define HC_X_REP(NAME, name, nr, flags, cap) struct hc_rep_##name name;
union hc_req_args {
	HC_OP_LIST(HC_X_REQ)
};

union hc_rep_args {
	HC_OP_LIST(HC_X_REP)
};
#undef HC_X_REQ
#undef HC_X_REP
#undef HC_X_FIELD

/*
 * One decoded message: the header, and the fields of its op in req.<op>
 * (a request) or rep.<op> (a reply). Strings and blobs point into the
 * buffer the message was decoded from, which must outlive this struct, and
 * strings are NUL-terminated there.
 */
struct hc_msg {
	hc_u16 op;
	hc_u16 hflags;
	hc_u32 tag;
	hc_u32 subject;
	hc_s64 result;
	union hc_req_args req;
	union hc_rep_args rep;
};

/* One field of an op, as the codec walks it. */
struct hc_field {
	hc_u8 type;		/* enum hc_type; HC_T_END ends a list */
	hc_u16 off;		/* offset in struct hc_msg */
	const char *name;
};

/**
 * hc_op_name() - printable name of an op ("openat"), or NULL if unknown.
 */
const char *hc_op_name(unsigned int op);

/**
 * hc_op_flags() - an op's HC_OPF_* flags, or -ENOSYS if @op is unknown.
 */
int hc_op_flags(unsigned int op);

/**
 * hc_op_cap() - the capability bit that announces an op (0: base version).
 */
hc_u64 hc_op_cap(unsigned int op);

/**
 * hc_op_fields() - the fields an op carries, HC_T_END-terminated.
 * @op: op number
 * @reply: non-zero for the reply's fields
 *
 * Returns: a static array, or NULL if @op is unknown.
 */
const struct hc_field *hc_op_fields(unsigned int op, int reply);

/**
 * hc_encode() - marshal @m into @buf.
 * @m: the message; m->hflags & HC_HF_REPLY selects the reply layout
 * @buf: output buffer
 * @cap: its size
 *
 * A reply with m->result < 0, and an HC_HF_ACCEPTED notice, is encoded
 * with no body.
 * Returns: the encoded length; -ENOSYS for an unknown op (except in an error
 * reply, which is a bare header for any op); -EMSGSIZE if the message would
 * exceed @cap or HC_MSG_MAX; -ENAMETOOLONG for a string longer than its
 * limit; -EINVAL for a NULL string or blob, a string vector whose count
 * does not match its NULs, or a u32 vector longer than HC_FDS_MAX.
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
 * an op this codec does not know (the header in @m is still valid);
 * -EPROTONOSUPPORT for a HELLO request of a version older than
 * HC_PROTO_VERSION_MIN (its version is in m->req.hello.version). An error
 * reply (a bare header with result < 0) and an HC_HF_ACCEPTED notice (a
 * bare reply header with result 0) decode for any op.
 */
int hc_decode(struct hc_msg *m, const void *buf, size_t len);

/**
 * hc_hdr_set_subject() - rewrite the subject id of an encoded message in
 * place (a transport that decides the subject itself, after hc_decode()
 * checked the message).
 */
void hc_hdr_set_subject(void *buf, hc_u32 subject);

/**
 * hc_hdr_set_tag() - rewrite the tag of an encoded message in place (a
 * transport that tags requests itself, so that tags are unique among all
 * it has in flight, and gives each reply back its caller's tag).
 */
void hc_hdr_set_tag(void *buf, hc_u32 tag);

/**
 * hc_strv_next() - walk a string vector (argv, envp) as decoded.
 * @pos: in/out cursor, start at 0
 *
 * Returns: the next string, or NULL at the end.
 */
const char *hc_strv_next(const struct hc_strv *v, hc_u32 *pos);

/*
 * GETDENTS records, packed in the reply's dirents blob, each laid out as
 * linux_dirent64 in little-endian: u64 ino | s64 off | u16 reclen | u8 type
 * (DT_*) | name, NUL-terminated and zero-padded so that reclen (the whole
 * record) is a multiple of 8. off is the position after the entry, for
 * LSEEK on the handle.
 */
#define HC_DIRENT_HDR		19

struct hc_dirent {
	hc_u64 ino;
	hc_s64 off;
	hc_u8 type;
	const char *name;	/* NUL-terminated, in the blob */
	hc_u32 namelen;
};

/**
 * hc_dirent_put() - append one record at *@pos of @buf.
 * Returns: 0, -ENOSPC if it does not fit in @cap, -EINVAL for a bad name.
 */
int hc_dirent_put(void *buf, size_t cap, size_t *pos, const struct hc_dirent *d);

/**
 * hc_dirent_next() - check and decode the record at *@pos, and advance.
 * A name must be 1..HC_NAME_MAX bytes with no '/' and no NUL inside.
 * Returns: 1 for a record, 0 at the end, -EBADMSG for a malformed record.
 */
int hc_dirent_next(const void *buf, size_t len, size_t *pos, struct hc_dirent *d);

/*
 * READDIRPLUS's attrs records, HC_DIRENTPLUS_REC bytes each, little-endian:
 * s32 handle (-1: none, the attributes are zero) | the attributes as a
 * STAT field is encoded.
 */
#define HC_DIRENTPLUS_REC	116

/**
 * hc_direntplus_put() - append one attrs record at *@pos of @buf.
 * Returns: 0, or -ENOSPC if it does not fit in @cap.
 */
int hc_direntplus_put(void *buf, size_t cap, size_t *pos, hc_s32 handle,
		      const struct hc_stat *st);

/**
 * hc_direntplus_next() - decode the attrs record at *@pos, and advance.
 * Returns: 1 for a record, 0 at the end, -EBADMSG for a short record or a
 * handle below -1.
 */
int hc_direntplus_next(const void *buf, size_t len, size_t *pos, hc_s32 *handle,
		       struct hc_stat *st);

/**
 * hc_oflags_to_wire() / hc_oflags_from_wire() - translate open flags
 * between this ABI's O_* values and the wire's HC_O_* values. Unknown bits
 * are dropped. (Defined only where O_* exist: user space.)
 */
hc_u32 hc_oflags_to_wire(int flags);
int hc_oflags_from_wire(hc_u32 wflags);

#endif /* HOSTCALL_PROTO_H */
