// SPDX-License-Identifier: GPL-2.0-only
/*
 * Valid messages of every op for the fuzz harnesses (see msgs.h): one
 * filler, driven by the codec's own field lists.
 */
#include <stdio.h>
#include <string.h>

#include "msgs.h"

static const char *const fz_paths[] = { "f", "d", "d/x", "l", "." };

static void fz_fill_stat(struct hc_stat *s, unsigned int v)
{
	memset(s, 0, sizeof(*s));
	s->mask = 0x7ff;
	s->mode = (v & 1 ? 0040000 : 0100000) | 0644;
	s->nlink = 1;
	s->uid = 65534;
	s->gid = 65534;
	s->blksize = 4096;
	s->ino = 1000 + v;
	s->size = 5;
	s->blocks = 8;
	s->dev_major = 8;
	s->dev_minor = 1;
	s->atime.sec = 1700000000;
	s->mtime.sec = 1700000001;
	s->mtime.nsec = 999999999;
	s->ctime.sec = 1700000002;
	s->btime.sec = 1700000003;
}

int fz_fill(struct hc_msg *m, struct fz_store *st, unsigned int op, int reply,
	    unsigned int variant)
{
	static const char argv[] = "/bin/true\0-x";
	static const char envp[] = "HOME=/\0LANG=C";
	const char *path = fz_paths[variant % (sizeof(fz_paths) / sizeof(fz_paths[0]))];
	hc_u32 i;

	if (!hc_op_fields(op, reply))
		return -ENOSYS;
	memset(m, 0, sizeof(*m));
	memset(st, 0, sizeof(*st));
	m->op = op;
	m->hflags = reply ? HC_HF_REPLY : 0;
	m->tag = 0x100 + op * 2 + !!reply;
	m->subject = 1;
	m->result = reply ? (hc_s64)variant : 0;

	m->fd = m->fd2 = HC_AT_FDCWD;
	m->mode = 0644;
	m->off = variant & 1 ? -1 : 0;
	m->len = 64 << (variant % 4);
	snprintf(st->path, sizeof(st->path), "%s", path);
	snprintf(st->path2, sizeof(st->path2), "g%u", variant);
	snprintf(st->name, sizeof(st->name), "user.fuzz%u", variant);
	m->path = st->path;
	m->path2 = st->path2;
	m->name = st->name;
	memcpy(st->data, "hello\0world\n", 12);
	m->data = st->data;
	m->datalen = 12;
	memcpy(st->argv, argv, sizeof(argv));
	m->argv = st->argv;
	m->argvlen = variant & 1 ? sizeof(argv) : sizeof("/bin/true");
	m->argc = variant & 1 ? 2 : 1;
	memcpy(st->envp, envp, sizeof(envp));
	m->envp = st->envp;
	m->envplen = variant & 2 ? sizeof(envp) : 0;
	m->envc = variant & 2 ? 2 : 0;
	fz_fill_stat(&m->st, variant);
	m->sfs = (struct hc_statfs){
		.type = 0xef53, .bsize = 4096, .blocks = 1000, .bfree = 500,
		.bavail = 400, .files = 100, .ffree = 50, .fsid = 42,
		.namelen = 255, .frsize = 4096,
	};
	m->lk = (struct hc_lock){ .type = HC_F_RDLCK, .whence = HC_SEEK_SET, .len = 10 };

	switch (op) {
	case HC_OP_HELLO:
		m->arg = reply ? HC_PROTO_VERSION : HC_PROTO_VERSION - (variant & 1);
		m->flags = !reply && variant & 2 ? HC_HELLO_KEEP_HANDLES : 0;
		m->len = HC_MSG_MAX;
		m->result = reply ? 1 : 0;
		break;
	case HC_OP_OPENAT:
		m->flags = variant & 1 ? HC_O_RDONLY | HC_O_DIRECTORY
				       : HC_O_RDWR | HC_O_CREAT;
		if (variant & 1)
			snprintf(st->path, sizeof(st->path), "d");
		break;
	case HC_OP_READLINKAT:
		if (reply)
			snprintf(st->path, sizeof(st->path), "target%u", variant);
		else
			snprintf(st->path, sizeof(st->path), "l");
		break;
	case HC_OP_LSEEK:
		m->arg = variant % 5;	/* HC_SEEK_* */
		break;
	case HC_OP_MKNODAT:
		m->mode = 0100644;
		break;
	case HC_OP_UNLINKAT:
	case HC_OP_FSTATAT:
	case HC_OP_FCHMODAT:
	case HC_OP_FCHOWNAT:
	case HC_OP_TRUNCATE:
	case HC_OP_UTIMENSAT:
	case HC_OP_FACCESSAT:
	case HC_OP_STATFS:
	case HC_OP_CHDIR:
		m->flags = variant & 1 ? HC_AT_SYMLINK_NOFOLLOW : 0;
		m->uid = m->gid = 65534;
		m->times[0].nsec = HC_UTIME_NOW;
		m->times[1].sec = 1700000000;
		break;
	case HC_OP_RENAMEAT2:
		m->flags = variant % 3 == 2 ? HC_RENAME_NOREPLACE : 0;
		break;
	case HC_OP_LINKAT:
		m->flags = variant & 1 ? HC_AT_SYMLINK_FOLLOW : 0;
		break;
	case HC_OP_FSYNC:
		m->flags = variant & 1 ? HC_FSYNC_DATA : 0;
		break;
	case HC_OP_FLOCK:
		m->arg = variant & 1 ? HC_LOCK_EX | HC_LOCK_NB : HC_LOCK_UN;
		break;
	case HC_OP_LOCK:
		m->arg = variant & 1 ? HC_F_SETLK : HC_F_GETLK;
		break;
	case HC_OP_SETXATTR:
		m->arg = variant & 1 ? HC_XATTR_CREATE : 0;
		break;
	case HC_OP_GETCWD:
	case HC_OP_REALPATH:
		if (reply)
			snprintf(st->path, sizeof(st->path), "/d");
		break;
	case HC_OP_SPAWN:
	case HC_OP_SPAWN_KEEP:
		m->flags = HC_SPAWN_NEWPGRP | (variant & 2 ? HC_SPAWN_KEEPENV : 0);
		m->arg = variant & 1 ? HC_STDIO_PIPE | HC_STDIO_PIPE << 8 |
				       HC_STDIO_SAME << 16 : 0;
		m->arg2 = 24 << 16 | 80;
		st->path[0] = 0;	/* the subject's cwd */
		if (reply) {	/* SPAWN_KEEP: two handles, little-endian */
			for (i = 0; i < 8; i++)
				st->data[i] = i % 4 ? 0 : (unsigned char)(3 + i / 4);
			m->datalen = variant & 1 ? 8 : 0;
			m->result = 4242;
		}
		break;
	case HC_OP_WAIT:
		m->arg = reply ? 0 : 4242;
		m->flags = variant & 1 ? HC_WAIT_NOHANG : 0;
		break;
	case HC_OP_KILL:
	case HC_OP_WINSIZE:
		m->arg = 4242;
		m->arg2 = op == HC_OP_KILL ? 15 : 24 << 16 | 80;
		break;
	case HC_OP_GETDENTS:
		/* one record as host/fsops.c lays it out: ino, off, reclen 24,
		 * DT_REG, "f" */
		if (reply) {
			memset(st->data, 0, 24);
			st->data[0] = 12;
			st->data[8] = 1;
			st->data[16] = 24;
			st->data[18] = 8;
			st->data[19] = 'f';
			m->datalen = 24;
		}
		break;
	case HC_OP_LISTXATTR:
		if (reply) {
			memcpy(st->data, "user.a\0user.b", 14);
			m->datalen = 14;
		}
		break;
	}
	/* ops whose reply data is the result's bytes */
	if (reply && (op == HC_OP_READ || op == HC_OP_GETDENTS ||
		      op == HC_OP_GETXATTR || op == HC_OP_LISTXATTR))
		m->result = m->datalen;
	return 0;
}
