/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hostcall op list: every op of the protocol, once. Included by
 * hostcall_proto.h; everything else (op numbers, each op's request and
 * reply structs, the codec's field tables, op names, the host's handler
 * table, the flags the kernel module and the relays look at) is generated
 * from it. proto/PROTOCOL.md describes each op's meaning and errors.
 *
 * HC_OP_LIST(X) calls X(NAME, name, number, flags, cap) for each op:
 *   NAME    gives HC_OP_NAME
 *   name    the op's name in logs ("fork_subject" is logged as such), the
 *           union member of its fields (m->req.name, m->rep.name) and the
 *           host handler hostd_op_name()
 *   number  its number on the wire, never reused
 *   flags   HC_OPF_*
 *   cap     the capability bit (HC_CAP_*) that announces the op, 0 for an
 *           op of the base version
 *
 * HC_REQ_name(F, s) and HC_REP_name(F, s) list the fields of its request and
 * reply in wire order, as F(s, TYPE, field); TYPE is one of HC_T_*
 * (hostcall_proto.h), s the struct the field belongs to.
 *
 * Adding an op: a line here with its two field lists, a capability bit if
 * it comes after version 3's first release, a handler on the host, the
 * client functions that use it, and its entry in PROTOCOL.md.
 */
#ifndef HOSTCALL_OPS_H
#define HOSTCALL_OPS_H

/*
 * Op flags.
 * HC_OPF_SUBJECT  makes or ends a subject (HELLO, FORK_SUBJECT, BYE): the
 *                 relays route it themselves, /dev/hostcall refuses it
 * HC_OPF_FDS      the request may carry attached fds (Unix socket only)
 * HC_OPF_RFDS     the reply may carry attached fds
 * HC_OPF_BLOCKS   may wait for an event for as long as it takes (a FIFO
 *                 open, a lock, a read of a pipe, a host process's exit)
 */
#define HC_OPF_SUBJECT	(1u << 0)
#define HC_OPF_FDS	(1u << 1)
#define HC_OPF_RFDS	(1u << 2)
#define HC_OPF_BLOCKS	(1u << 3)

/*	NAME		name		nr  flags */
#define HC_OP_LIST(X)							\
	X(HELLO,	hello,		1,  HC_OPF_SUBJECT, 0)		\
	X(OPENAT,	openat,		2,  HC_OPF_FDS | HC_OPF_RFDS |	\
					    HC_OPF_BLOCKS, 0)		\
	X(CLOSE,	close,		3,  0, 0)			\
	X(READ,		read,		4,  HC_OPF_FDS | HC_OPF_BLOCKS, 0) \
	X(WRITE,	write,		5,  HC_OPF_FDS | HC_OPF_BLOCKS, 0) \
	X(LSEEK,	lseek,		6,  HC_OPF_FDS, 0)		\
	X(FSTATAT,	fstatat,	7,  HC_OPF_FDS, 0)		\
	X(GETDENTS,	getdents,	8,  HC_OPF_FDS, 0)		\
	X(READLINKAT,	readlinkat,	9,  HC_OPF_FDS, 0)		\
	X(MKDIRAT,	mkdirat,	10, HC_OPF_FDS, 0)		\
	X(MKNODAT,	mknodat,	11, HC_OPF_FDS, 0)		\
	X(UNLINKAT,	unlinkat,	12, HC_OPF_FDS, 0)		\
	X(RENAMEAT2,	renameat2,	13, HC_OPF_FDS, 0)		\
	X(SYMLINKAT,	symlinkat,	14, HC_OPF_FDS, 0)		\
	X(LINKAT,	linkat,		15, HC_OPF_FDS, 0)		\
	X(FCHMODAT,	fchmodat,	16, HC_OPF_FDS, 0)		\
	X(FCHOWNAT,	fchownat,	17, HC_OPF_FDS, 0)		\
	X(TRUNCATE,	truncate,	18, HC_OPF_FDS, 0)		\
	X(FSYNC,	fsync,		19, HC_OPF_FDS, 0)		\
	X(UTIMENSAT,	utimensat,	20, HC_OPF_FDS, 0)		\
	X(FACCESSAT,	faccessat,	21, HC_OPF_FDS, 0)		\
	X(STATFS,	statfs,		22, HC_OPF_FDS, 0)		\
	X(FALLOCATE,	fallocate,	23, HC_OPF_FDS, 0)		\
	X(FLOCK,	flock,		24, HC_OPF_FDS | HC_OPF_BLOCKS, 0) \
	X(LOCK,		lock,		25, HC_OPF_FDS | HC_OPF_BLOCKS, 0) \
	X(GETXATTR,	getxattr,	26, HC_OPF_FDS, 0)		\
	X(SETXATTR,	setxattr,	27, HC_OPF_FDS, 0)		\
	X(LISTXATTR,	listxattr,	28, HC_OPF_FDS, 0)		\
	X(REMOVEXATTR,	removexattr,	29, HC_OPF_FDS, 0)		\
	X(CHDIR,	chdir,		30, HC_OPF_FDS, 0)		\
	X(GETCWD,	getcwd,		31, 0, 0)			\
	X(FORK_SUBJECT,	fork_subject,	32, HC_OPF_SUBJECT | HC_OPF_RFDS, 0) \
	X(REALPATH,	realpath,	33, HC_OPF_FDS, 0)		\
	X(SPAWN,	spawn,		34, HC_OPF_FDS | HC_OPF_RFDS, 0) \
	X(WAIT,		wait,		35, HC_OPF_BLOCKS, 0)		\
	X(KILL,		kill,		36, 0, 0)			\
	X(WINSIZE,	winsize,	37, 0, 0)			\
	X(BYE,		bye,		38, HC_OPF_SUBJECT, 0)		\
	X(CANCEL,	cancel,		40, 0, HC_CAP_INFLIGHT)		\
	X(SUBJECT_AS,	subject_as,	41, HC_OPF_SUBJECT, HC_CAP_IDENTITY) \
	X(LOOKUP,	lookup,		42, 0, HC_CAP_LOOKUP)		\
	X(FORGET,	forget,		43, 0, HC_CAP_LOOKUP)		\
	X(READDIRPLUS,	readdirplus,	44, HC_OPF_FDS, HC_CAP_READDIRPLUS) \
	X(COPY_FILE_RANGE, copy_file_range, 45, HC_OPF_FDS, HC_CAP_HOSTCOPY) \
	X(SYNCFS,	syncfs,		46, HC_OPF_FDS, HC_CAP_HOSTCOPY)
/* 39: SPAWN_KEEP of version 2, now SPAWN with HC_SPAWN_KEEP; retired. */

/*
 * The fields. dirfd/fd name a handle of the subject (or HC_AT_FDCWD, or
 * HC_HANDLE_PASSED for the fd attached to the request); flags are the
 * at-flags of the *at() call unless said otherwise.
 */

/* HELLO's request and reply layouts are frozen: every version has them. */
#define HC_REQ_hello(F, s)						\
	F(s, U32, version)	/* highest version the client speaks */	\
	F(s, U32, flags)	/* HC_HELLO_* */			\
	F(s, U64, caps)		/* HC_CAP_* the client knows */
#define HC_REP_hello(F, s)						\
	F(s, U32, version)	/* version in use */			\
	F(s, U32, msg_max)	/* largest message either way */	\
	F(s, U32, fds_max)	/* fds one message may carry */		\
	F(s, U64, caps)		/* HC_CAP_* the host offers */

#define HC_REQ_openat(F, s)						\
	F(s, S32, dirfd) F(s, U32, flags) /* HC_O_* */			\
	F(s, U32, mode) F(s, PATH, path)
#define HC_REP_openat(F, s)

#define HC_REQ_close(F, s)	F(s, S32, fd)
#define HC_REP_close(F, s)

#define HC_REQ_read(F, s)						\
	F(s, S32, fd) F(s, S64, off) /* < 0: at the file offset */	\
	F(s, U64, count)
#define HC_REP_read(F, s)	F(s, BLOB, data)

#define HC_REQ_write(F, s)						\
	F(s, S32, fd) F(s, S64, off) /* < 0: at the file offset */	\
	F(s, BLOB, data)
#define HC_REP_write(F, s)

#define HC_REQ_lseek(F, s)						\
	F(s, S32, fd) F(s, S64, off) F(s, U32, whence) /* HC_SEEK_* */
#define HC_REP_lseek(F, s)

#define HC_REQ_fstatat(F, s)						\
	F(s, S32, dirfd) F(s, U32, flags) F(s, PATH, path)
#define HC_REP_fstatat(F, s)	F(s, STAT, st)

/* reply: directory records, see hc_dirent_next() */
#define HC_REQ_getdents(F, s)	F(s, S32, fd) F(s, U64, count)
#define HC_REP_getdents(F, s)	F(s, BLOB, dirents)

#define HC_REQ_readlinkat(F, s)	F(s, S32, dirfd) F(s, PATH, path)
#define HC_REP_readlinkat(F, s)	F(s, PATH, target)

#define HC_REQ_mkdirat(F, s)						\
	F(s, S32, dirfd) F(s, U32, mode) F(s, PATH, path)
#define HC_REP_mkdirat(F, s)

#define HC_REQ_mknodat(F, s)						\
	F(s, S32, dirfd) F(s, U32, mode)				\
	F(s, U32, rdev_major) F(s, U32, rdev_minor) F(s, PATH, path)
#define HC_REP_mknodat(F, s)

#define HC_REQ_unlinkat(F, s)						\
	F(s, S32, dirfd) F(s, U32, flags) F(s, PATH, path)
#define HC_REP_unlinkat(F, s)

#define HC_REQ_renameat2(F, s)						\
	F(s, S32, olddirfd) F(s, PATH, oldpath)				\
	F(s, S32, newdirfd) F(s, PATH, newpath)				\
	F(s, U32, flags) /* HC_RENAME_* */
#define HC_REP_renameat2(F, s)

#define HC_REQ_symlinkat(F, s)						\
	F(s, S32, dirfd) F(s, PATH, path) /* the new link */		\
	F(s, PATH, target)
#define HC_REP_symlinkat(F, s)

#define HC_REQ_linkat(F, s)						\
	F(s, S32, olddirfd) F(s, PATH, oldpath)				\
	F(s, S32, newdirfd) F(s, PATH, newpath) F(s, U32, flags)
#define HC_REP_linkat(F, s)

#define HC_REQ_fchmodat(F, s)						\
	F(s, S32, dirfd) F(s, PATH, path) F(s, U32, mode) F(s, U32, flags)
#define HC_REP_fchmodat(F, s)

#define HC_REQ_fchownat(F, s)						\
	F(s, S32, dirfd) F(s, PATH, path)				\
	F(s, U32, uid) F(s, U32, gid) F(s, U32, flags)
#define HC_REP_fchownat(F, s)

#define HC_REQ_truncate(F, s)						\
	F(s, S32, dirfd) F(s, PATH, path) F(s, U32, flags)		\
	F(s, U64, length)
#define HC_REP_truncate(F, s)

#define HC_REQ_fsync(F, s)	F(s, S32, fd) F(s, U32, flags) /* HC_FSYNC_* */
#define HC_REP_fsync(F, s)

#define HC_REQ_utimensat(F, s)						\
	F(s, S32, dirfd) F(s, PATH, path) F(s, U32, flags)		\
	F(s, TIME, atime) F(s, TIME, mtime)
#define HC_REP_utimensat(F, s)

#define HC_REQ_faccessat(F, s)						\
	F(s, S32, dirfd) F(s, PATH, path) F(s, U32, mode) F(s, U32, flags)
#define HC_REP_faccessat(F, s)

#define HC_REQ_statfs(F, s)						\
	F(s, S32, dirfd) F(s, PATH, path) F(s, U32, flags)
#define HC_REP_statfs(F, s)	F(s, STATFS, sfs)

#define HC_REQ_fallocate(F, s)						\
	F(s, S32, fd) F(s, U32, mode) F(s, S64, off) F(s, U64, len)
#define HC_REP_fallocate(F, s)

#define HC_REQ_flock(F, s)	F(s, S32, fd) F(s, U32, operation) /* HC_LOCK_* */
#define HC_REP_flock(F, s)

#define HC_REQ_lock(F, s)						\
	F(s, S32, fd) F(s, U32, cmd) /* HC_F_GETLK… */ F(s, LOCK, lock)
#define HC_REP_lock(F, s)	F(s, LOCK, lock)

#define HC_REQ_getxattr(F, s)						\
	F(s, S32, dirfd) F(s, PATH, path) F(s, U32, flags)		\
	F(s, NAME, name) F(s, U64, size)
#define HC_REP_getxattr(F, s)	F(s, BLOB, value)

#define HC_REQ_setxattr(F, s)						\
	F(s, S32, dirfd) F(s, PATH, path) F(s, U32, flags)		\
	F(s, NAME, name) F(s, BLOB, value)				\
	F(s, U32, xflags) /* HC_XATTR_CREATE, HC_XATTR_REPLACE */
#define HC_REP_setxattr(F, s)

#define HC_REQ_listxattr(F, s)						\
	F(s, S32, dirfd) F(s, PATH, path) F(s, U32, flags) F(s, U64, size)
#define HC_REP_listxattr(F, s)	F(s, BLOB, list)

#define HC_REQ_removexattr(F, s)					\
	F(s, S32, dirfd) F(s, PATH, path) F(s, U32, flags) F(s, NAME, name)
#define HC_REP_removexattr(F, s)

#define HC_REQ_chdir(F, s)						\
	F(s, S32, dirfd) F(s, PATH, path) F(s, U32, flags)
#define HC_REP_chdir(F, s)

#define HC_REQ_getcwd(F, s)
#define HC_REP_getcwd(F, s)	F(s, PATH, path)

#define HC_REQ_fork_subject(F, s)
#define HC_REP_fork_subject(F, s)

#define HC_REQ_realpath(F, s)	F(s, S32, dirfd) F(s, PATH, path)
#define HC_REP_realpath(F, s)	F(s, PATH, path)

/*
 * stdio[3]: HC_STDIO_* of stdin, stdout, stderr; cwd "" for the subject's;
 * fdmap: for each attached fd after those of HC_STDIO_PASS streams, the fd
 * number (>= 3) it has in the host program. Reply: with HC_SPAWN_KEEP the
 * streams' handles (pipe ends in stdio order, then the pty master), else
 * none and the streams come attached in that order.
 */
#define HC_REQ_spawn(F, s)						\
	F(s, U32, flags) /* HC_SPAWN_* */				\
	F(s, U32, stdin_mode) F(s, U32, stdout_mode)			\
	F(s, U32, stderr_mode)						\
	F(s, U32, rows) F(s, U32, cols) /* pty size, 0: the default */	\
	F(s, PATH, cwd) F(s, STRV, argv) F(s, STRV, envp)		\
	F(s, U32V, fdmap)
#define HC_REP_spawn(F, s)	F(s, U32V, handles)

#define HC_REQ_wait(F, s)	F(s, S32, pid) F(s, U32, flags) /* HC_WAIT_* */
#define HC_REP_wait(F, s)	F(s, U32, status) /* wait(2) status */

#define HC_REQ_kill(F, s)	F(s, S32, pid) F(s, U32, sig)
#define HC_REP_kill(F, s)

#define HC_REQ_winsize(F, s)						\
	F(s, S32, pid) F(s, U32, rows) F(s, U32, cols)
#define HC_REP_winsize(F, s)

#define HC_REQ_bye(F, s)
#define HC_REP_bye(F, s)

/* the tag of a request of this subject still in flight */
#define HC_REQ_cancel(F, s)	F(s, U32, tag)
#define HC_REP_cancel(F, s)

/*
 * A new subject (the result: its id, which then says HELLO) acting as the
 * host user guest uid and gid map to; the first 16 supplementary groups
 * (used only in passthrough mode). Sent for subject 0.
 */
#define HC_REQ_subject_as(F, s)						\
	F(s, U32, uid) F(s, U32, gid) F(s, U32V, groups)
#define HC_REP_subject_as(F, s)

/*
 * One name in a directory (no "/", not "." or ".."), not following a last
 * symlink. The result: the subject's handle of the file, the same handle
 * for the same host inode each time, counted; st: its attributes.
 */
#define HC_REQ_lookup(F, s)	F(s, S32, dirfd) F(s, PATH, name)
#define HC_REP_lookup(F, s)	F(s, STAT, st)

/* records: HC_FORGET_REC bytes each, a handle and how many lookups it drops */
#define HC_REQ_forget(F, s)	F(s, BLOB, records)
#define HC_REP_forget(F, s)

/*
 * GETDENTS with a LOOKUP of each entry: dirents as GETDENTS's, and in
 * attrs one HC_DIRENTPLUS_REC record per dirent, in the same order: the
 * handle of the entry (counted as by LOOKUP) and its attributes, or handle
 * -1 where there is none ("." and "..", a name gone meanwhile, a full
 * handle table). count bounds the two blobs together.
 */
#define HC_REQ_readdirplus(F, s)	F(s, S32, fd) F(s, U64, count)
#define HC_REP_readdirplus(F, s)	F(s, BLOB, dirents) F(s, BLOB, attrs)

/*
 * copy_file_range(2) between two open files of the subject, on the host:
 * no data crosses the wire. Offsets are explicit (never the files'
 * positions); the result is the bytes copied, at most HC_COPY_MAX a call.
 */
#define HC_REQ_copy_file_range(F, s)					\
	F(s, S32, fd_in) F(s, S64, off_in) F(s, S32, fd_out) F(s, S64, off_out) \
	F(s, U64, len)
#define HC_REP_copy_file_range(F, s)

/* syncfs(2) of the host file system that holds the file of fd */
#define HC_REQ_syncfs(F, s)	F(s, S32, fd)
#define HC_REP_syncfs(F, s)

#endif /* HOSTCALL_OPS_H */
