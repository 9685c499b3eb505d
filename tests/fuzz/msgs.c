// SPDX-License-Identifier: GPL-2.0-only
/*
 * Valid messages of every op for the fuzz harnesses (see msgs.h): one
 * filler, driven by the codec's own field lists (hc_op_fields()), so that an
 * op added later gets seeds and live requests without a change here.
 */
#include <stdio.h>
#include <string.h>

#include "msgs.h"

static const char *const fz_paths[] = { "f", "d", "d/x", "l", "." };

const struct hc_field *fz_field(unsigned int op, int reply, const char *name)
{
	const struct hc_field *f = hc_op_fields(op, reply);

	for (; f && f->type != HC_T_END; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

/* Set the u32 or s32 field @name of @m, if its op has one. */
static void set32(struct hc_msg *m, int reply, const char *name, hc_u32 v)
{
	const struct hc_field *f = fz_field(m->op, reply, name);

	if (f && (f->type == HC_T_U32 || f->type == HC_T_S32))
		*FZ_AT(m, f, hc_u32) = v;
}

static void set_str(struct hc_msg *m, struct fz_store *st, int reply, const char *name,
		    const char *s)
{
	const struct hc_field *f = fz_field(m->op, reply, name);
	const struct hc_field *first = hc_op_fields(m->op, reply);

	if (!f || (f->type != HC_T_PATH && f->type != HC_T_NAME))
		return;
	snprintf(st->str[f - first], sizeof(st->str[0]), "%s", s);
}

static void set_blob(struct hc_msg *m, struct fz_store *st, int reply, const char *name,
		     const void *p, hc_u32 n)
{
	const struct hc_field *f = fz_field(m->op, reply, name);
	const struct hc_field *first = hc_op_fields(m->op, reply);

	if (!f || f->type != HC_T_BLOB || n > sizeof(st->data[0]))
		return;
	memcpy(st->data[f - first], p, n);
	*FZ_AT(m, f, struct hc_blob) = (struct hc_blob){ st->data[f - first], n };
}

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

/* A field by its type, and for integers by its name. */
static void fill_one(struct hc_msg *m, struct fz_store *st, const struct hc_field *f,
		     unsigned int i, unsigned int npath, unsigned int variant)
{
	static const char argv[] = "/bin/true\0-x";
	static const char envp[] = "HOME=/\0LANG=C";
	void *p = (char *)m + f->off;
	const char *n = f->name;

	switch (f->type) {
	case HC_T_S32:
		/* handles: the subject's cwd; pids: one the host does not have */
		*(hc_s32 *)p = strstr(n, "fd") ? HC_AT_FDCWD : !strcmp(n, "pid") ? 4242 : 0;
		break;
	case HC_T_U32:
		*(hc_u32 *)p = !strcmp(n, "mode") ? 0644 :
			       !strcmp(n, "uid") || !strcmp(n, "gid") ? 65534 :
			       !strcmp(n, "rows") ? 24 : !strcmp(n, "cols") ? 80 : 0;
		break;
	case HC_T_U64:
		*(hc_u64 *)p = 64u << (variant % 4);	/* counts, sizes, lengths */
		break;
	case HC_T_S64:
		*(hc_s64 *)p = variant & 1 ? -1 : 0;	/* offsets: the file's, or 0 */
		break;
	case HC_T_PATH:
		/* the first path of a request names an object of the export */
		if (npath == 0)
			snprintf(st->str[i], sizeof(st->str[i]), "%s",
				 fz_paths[variant % (sizeof(fz_paths) / sizeof(fz_paths[0]))]);
		else
			snprintf(st->str[i], sizeof(st->str[i]), "g%u", variant + npath - 1);
		*(const char **)p = st->str[i];
		break;
	case HC_T_NAME:
		snprintf(st->str[i], sizeof(st->str[i]), "user.fuzz%u", variant);
		*(const char **)p = st->str[i];
		break;
	case HC_T_BLOB:
		memcpy(st->data[i], "hello\0world\n", 12);
		*(struct hc_blob *)p = (struct hc_blob){ st->data[i], 12 };
		break;
	case HC_T_STRV: {
		struct hc_strv *v = p;

		if (!strcmp(n, "envp")) {
			memcpy(st->strv[i], envp, sizeof(envp));
			*v = (struct hc_strv){ st->strv[i], variant & 2 ? sizeof(envp) : 0,
					       variant & 2 ? 2 : 0 };
		} else {	/* argv and any other: the harmless program */
			memcpy(st->strv[i], argv, sizeof(argv));
			*v = (struct hc_strv){ st->strv[i],
					       variant & 1 ? sizeof(argv) : sizeof("/bin/true"),
					       variant & 1 ? 2 : 1 };
		}
		break;
	}
	case HC_T_U32V:
		((struct hc_u32v *)p)->n = 0;
		break;
	case HC_T_STAT:
		fz_fill_stat(p, variant);
		break;
	case HC_T_STATFS:
		*(struct hc_statfs *)p = (struct hc_statfs){
			.type = 0xef53, .bsize = 4096, .blocks = 1000, .bfree = 500,
			.bavail = 400, .files = 100, .ffree = 50, .fsid = 42,
			.namelen = 255, .frsize = 4096,
		};
		break;
	case HC_T_LOCK:
		*(struct hc_lock *)p = (struct hc_lock){ .type = HC_F_RDLCK,
							 .whence = HC_SEEK_SET, .len = 10 };
		break;
	case HC_T_TIME:
		/* atime: now; mtime and any other: a fixed second */
		*(struct hc_timespec *)p = strcmp(n, "atime") ?
			(struct hc_timespec){ 1700000000, 0 } :
			(struct hc_timespec){ 0, HC_UTIME_NOW };
		break;
	}
}

int fz_fill(struct hc_msg *m, struct fz_store *st, unsigned int op, int reply,
	    unsigned int variant)
{
	const struct hc_field *f = hc_op_fields(op, reply);
	unsigned int i, npath = 0;
	int dirfl = variant & 1 ? HC_AT_SYMLINK_NOFOLLOW : 0;

	if (!f)
		return -ENOSYS;
	memset(m, 0, sizeof(*m));
	memset(st, 0, sizeof(*st));
	m->op = op;
	m->hflags = reply ? HC_HF_REPLY : 0;
	m->tag = 0x100 + op * 2 + !!reply;
	m->subject = 1;
	m->result = reply ? (hc_s64)variant : 0;
	for (i = 0; f[i].type != HC_T_END && i < FZ_FIELDS_MAX; i++) {
		fill_one(m, st, &f[i], i, npath, variant);
		npath += f[i].type == HC_T_PATH;
	}

	switch (op) {
	case HC_OP_HELLO:
		/* this version, or a newer client's (the host answers with 3) */
		if (reply)
			m->rep.hello = (struct hc_rep_hello){ HC_PROTO_VERSION, HC_MSG_MAX,
							      HC_FDS_MAX, HC_CAPS };
		else
			m->req.hello = (struct hc_req_hello){
				HC_PROTO_VERSION + (variant % 4 == 3),
				variant & 2 ? HC_HELLO_KEEP_HANDLES : 0, HC_CAPS };
		m->result = reply ? 1 : 0;
		break;
	case HC_OP_OPENAT:
		m->req.openat.flags = variant & 1 ? HC_O_RDONLY | HC_O_DIRECTORY
						  : HC_O_RDWR | HC_O_CREAT;
		if (variant & 1)
			set_str(m, st, reply, "path", "d");
		break;
	case HC_OP_READLINKAT:
		if (reply) {
			char t[32];

			snprintf(t, sizeof(t), "target%u", variant);
			set_str(m, st, reply, "target", t);
		} else {
			set_str(m, st, reply, "path", "l");
		}
		break;
	case HC_OP_LSEEK:
		m->req.lseek.whence = variant % 5;	/* HC_SEEK_* */
		break;
	case HC_OP_MKNODAT:
		m->req.mknodat.mode = 0100644;
		break;
	case HC_OP_FACCESSAT:
		m->req.faccessat.mode = variant % 8;	/* F_OK, X_OK, W_OK, R_OK */
		/* fall through */
	case HC_OP_UNLINKAT:
	case HC_OP_FSTATAT:
	case HC_OP_FCHMODAT:
	case HC_OP_FCHOWNAT:
	case HC_OP_TRUNCATE:
	case HC_OP_UTIMENSAT:
	case HC_OP_STATFS:
	case HC_OP_CHDIR:
		set32(m, reply, "flags", dirfl);
		break;
	case HC_OP_RENAMEAT2:
		m->req.renameat2.flags = variant % 3 == 2 ? HC_RENAME_NOREPLACE : 0;
		break;
	case HC_OP_LINKAT:
		m->req.linkat.flags = variant & 1 ? HC_AT_SYMLINK_FOLLOW : 0;
		break;
	case HC_OP_FSYNC:
		m->req.fsync.flags = variant & 1 ? HC_FSYNC_DATA : 0;
		break;
	case HC_OP_FALLOCATE:
		m->req.fallocate.mode = variant & 1;	/* FALLOC_FL_KEEP_SIZE */
		break;
	case HC_OP_FLOCK:
		m->req.flock.operation = variant & 1 ? HC_LOCK_EX | HC_LOCK_NB : HC_LOCK_UN;
		break;
	case HC_OP_LOCK:
		m->req.lock.cmd = variant & 1 ? HC_F_SETLK : HC_F_GETLK;
		break;
	case HC_OP_SETXATTR:
		m->req.setxattr.xflags = variant & 1 ? HC_XATTR_CREATE : 0;
		break;
	case HC_OP_GETCWD:
	case HC_OP_REALPATH:
		if (reply)
			set_str(m, st, reply, "path", "/d");
		break;
	case HC_OP_SPAWN:
		/*
		 * 0: all /dev/null; 1: pipes, 2>&1, kept as handles; 2: the
		 * same attached, envp added to the base; 3: stdin passed, the
		 * pty for the others, kept, two more fds mapped to 5 and 7
		 */
		if (reply) {
			m->result = 4242;
			if (variant % 4 == 1 || variant % 4 == 3) {
				m->rep.spawn.handles.n = 2;
				m->rep.spawn.handles.v[0] = 3;
				m->rep.spawn.handles.v[1] = 4;
			} else if (variant % 4 == 2) {
				m->hflags |= 2;	/* the pipe ends */
			}
			break;
		}
		set_str(m, st, reply, "cwd", "");	/* the subject's */
		m->req.spawn.flags = HC_SPAWN_NEWPGRP;
		switch (variant % 4) {
		case 1:
			m->req.spawn.flags |= HC_SPAWN_KEEP;
			/* fall through */
		case 2:
			m->req.spawn.stdin_mode = HC_STDIO_PIPE;
			m->req.spawn.stdout_mode = HC_STDIO_PIPE;
			m->req.spawn.stderr_mode = HC_STDIO_SAME;
			if (variant % 4 == 2)
				m->req.spawn.flags |= HC_SPAWN_KEEPENV;
			break;
		case 3:
			m->req.spawn.flags |= HC_SPAWN_KEEP | HC_SPAWN_SETSID;
			m->req.spawn.stdin_mode = HC_STDIO_PASS;
			m->req.spawn.stdout_mode = HC_STDIO_PTY;
			m->req.spawn.stderr_mode = HC_STDIO_SAME;
			m->req.spawn.fdmap.n = 2;
			m->req.spawn.fdmap.v[0] = 5;
			m->req.spawn.fdmap.v[1] = 7;
			m->hflags |= 3;	/* stdin and the two mapped fds */
			break;
		}
		break;
	case HC_OP_WAIT:
		if (reply)
			m->result = 4242;
		else
			m->req.wait.flags = variant & 1 ? HC_WAIT_NOHANG : 0;
		break;
	case HC_OP_KILL:
		m->req.kill.sig = 15;
		break;
	case HC_OP_GETDENTS:
		/* records as host/fsops.c lays them out, through hc_dirent_put() */
		if (reply) {
			struct hc_dirent e = { .ino = 12, .off = 1, .type = 8,
					       .name = "f", .namelen = 1 };
			unsigned char recs[128];
			size_t pos = 0;

			hc_dirent_put(recs, sizeof(recs), &pos, &e);
			if (variant & 1) {
				e = (struct hc_dirent){ .ino = 13, .off = 2, .type = 4,
							.name = "d", .namelen = 1 };
				hc_dirent_put(recs, sizeof(recs), &pos, &e);
			}
			set_blob(m, st, reply, "dirents", recs, (hc_u32)pos);
		}
		break;
	case HC_OP_LISTXATTR:
		if (reply)
			set_blob(m, st, reply, "list", "user.a\0user.b", 14);
		break;
	}
	/* ops whose reply data is the result's bytes */
	if (reply && op == HC_OP_READ)
		m->result = m->rep.read.data.len;
	if (reply && op == HC_OP_GETDENTS)
		m->result = m->rep.getdents.dirents.len;
	if (reply && op == HC_OP_GETXATTR)
		m->result = m->rep.getxattr.value.len;
	if (reply && op == HC_OP_LISTXATTR)
		m->result = m->rep.listxattr.list.len;
	return 0;
}
