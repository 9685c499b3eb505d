// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hostcall codec: the only code that turns struct hc_msg into wire bytes
 * and back. Table-driven: each op lists its fields, and one encoder and one
 * decoder walk the list. Builds in the kernel and in user space.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#else
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* O_PATH, O_TMPFILE… for the flag translation */
#endif
#include <string.h>
#endif

#include "hostcall_proto.h"

struct hc_opdesc {
	const char *name;
	hc_u8 req[HC_FIELDS_MAX];
	hc_u8 rep[HC_FIELDS_MAX];
};

#define F(x)	HC_FLD_##x

static const struct hc_opdesc hc_ops[HC_OP_MAX] = {
	[HC_OP_HELLO]	    = { "hello", { F(ARG), F(FLAGS) }, { F(ARG), F(LEN) } },
	[HC_OP_OPENAT]	    = { "openat", { F(FD), F(FLAGS), F(MODE), F(PATH) }, { 0 } },
	[HC_OP_CLOSE]	    = { "close", { F(FD) }, { 0 } },
	[HC_OP_READ]	    = { "read", { F(FD), F(OFF), F(LEN) }, { F(DATA) } },
	[HC_OP_WRITE]	    = { "write", { F(FD), F(OFF), F(DATA) }, { 0 } },
	[HC_OP_LSEEK]	    = { "lseek", { F(FD), F(OFF), F(ARG) }, { 0 } },
	[HC_OP_FSTATAT]	    = { "fstatat", { F(FD), F(FLAGS), F(PATH) }, { F(STAT) } },
	[HC_OP_GETDENTS]    = { "getdents", { F(FD), F(LEN) }, { F(DATA) } },
	[HC_OP_READLINKAT]  = { "readlinkat", { F(FD), F(PATH) }, { F(PATH) } },
	[HC_OP_MKDIRAT]	    = { "mkdirat", { F(FD), F(MODE), F(PATH) }, { 0 } },
	[HC_OP_MKNODAT]	    = { "mknodat", { F(FD), F(MODE), F(DEV), F(PATH) }, { 0 } },
	[HC_OP_UNLINKAT]    = { "unlinkat", { F(FD), F(FLAGS), F(PATH) }, { 0 } },
	[HC_OP_RENAMEAT2]   = { "renameat2",
				{ F(FD), F(PATH), F(FD2), F(PATH2), F(FLAGS) }, { 0 } },
	[HC_OP_SYMLINKAT]   = { "symlinkat", { F(FD), F(PATH), F(PATH2) }, { 0 } },
	[HC_OP_LINKAT]	    = { "linkat",
				{ F(FD), F(PATH), F(FD2), F(PATH2), F(FLAGS) }, { 0 } },
	[HC_OP_FCHMODAT]    = { "fchmodat", { F(FD), F(PATH), F(MODE), F(FLAGS) }, { 0 } },
	[HC_OP_FCHOWNAT]    = { "fchownat",
				{ F(FD), F(PATH), F(UID), F(GID), F(FLAGS) }, { 0 } },
	[HC_OP_TRUNCATE]    = { "truncate", { F(FD), F(PATH), F(FLAGS), F(LEN) }, { 0 } },
	[HC_OP_FSYNC]	    = { "fsync", { F(FD), F(FLAGS) }, { 0 } },
	[HC_OP_UTIMENSAT]   = { "utimensat", { F(FD), F(PATH), F(FLAGS), F(TIMES) }, { 0 } },
	[HC_OP_FACCESSAT]   = { "faccessat", { F(FD), F(PATH), F(MODE), F(FLAGS) }, { 0 } },
	[HC_OP_STATFS]	    = { "statfs", { F(FD), F(PATH), F(FLAGS) }, { F(STATFS) } },
	[HC_OP_FALLOCATE]   = { "fallocate", { F(FD), F(MODE), F(OFF), F(LEN) }, { 0 } },
	[HC_OP_FLOCK]	    = { "flock", { F(FD), F(ARG) }, { 0 } },
	[HC_OP_LOCK]	    = { "lock", { F(FD), F(ARG), F(LOCK) }, { F(LOCK) } },
	[HC_OP_GETXATTR]    = { "getxattr",
				{ F(FD), F(PATH), F(FLAGS), F(NAME), F(LEN) }, { F(DATA) } },
	[HC_OP_SETXATTR]    = { "setxattr",
				{ F(FD), F(PATH), F(FLAGS), F(NAME), F(DATA), F(ARG) },
				{ 0 } },
	[HC_OP_LISTXATTR]   = { "listxattr", { F(FD), F(PATH), F(FLAGS), F(LEN) }, { F(DATA) } },
	[HC_OP_REMOVEXATTR] = { "removexattr", { F(FD), F(PATH), F(FLAGS), F(NAME) }, { 0 } },
	[HC_OP_CHDIR]	    = { "chdir", { F(FD), F(PATH), F(FLAGS) }, { 0 } },
	[HC_OP_GETCWD]	    = { "getcwd", { 0 }, { F(PATH) } },
	[HC_OP_FORK_SUBJECT] = { "fork-subject", { 0 }, { 0 } },
	[HC_OP_REALPATH]    = { "realpath", { F(FD), F(PATH) }, { F(PATH) } },
	[HC_OP_SPAWN]	    = { "spawn",
				{ F(FLAGS), F(ARG), F(ARG2), F(PATH), F(ARGV), F(ENVP) },
				{ 0 } },
	[HC_OP_WAIT]	    = { "wait", { F(ARG), F(FLAGS) }, { F(ARG) } },
	[HC_OP_KILL]	    = { "kill", { F(ARG), F(ARG2) }, { 0 } },
	[HC_OP_WINSIZE]	    = { "winsize", { F(ARG), F(ARG2) }, { 0 } },
	[HC_OP_BYE]	    = { "bye", { 0 }, { 0 } },
	[HC_OP_SPAWN_KEEP]  = { "spawn-keep",
				{ F(FLAGS), F(ARG), F(ARG2), F(PATH), F(ARGV), F(ENVP) },
				{ F(DATA) } },
};

#undef F

const char *hc_op_name(unsigned int op)
{
	if (op >= HC_OP_MAX)
		return NULL;
	return hc_ops[op].name;
}

const hc_u8 *hc_op_fields(unsigned int op, int reply)
{
	if (op >= HC_OP_MAX || !hc_ops[op].name)
		return NULL;
	return reply ? hc_ops[op].rep : hc_ops[op].req;
}

/* ---- encoder ---- */

struct hc_wbuf {
	hc_u8 *p;
	size_t len;
	size_t cap;
	int err;
};

static void put_bytes(struct hc_wbuf *w, const void *src, size_t n)
{
	if (w->err || !n)
		return;		/* an empty blob may be NULL: no memcpy of it */
	if (n > w->cap - w->len) {
		w->err = -EMSGSIZE;
		return;
	}
	memcpy(w->p + w->len, src, n);
	w->len += n;
}

static void put_u16(struct hc_wbuf *w, hc_u16 v)
{
	hc_u8 b[2] = { v & 0xff, v >> 8 };

	put_bytes(w, b, sizeof(b));
}

static void put_u32(struct hc_wbuf *w, hc_u32 v)
{
	hc_u8 b[4];
	int i;

	for (i = 0; i < 4; i++)
		b[i] = (v >> (8 * i)) & 0xff;
	put_bytes(w, b, sizeof(b));
}

static void put_u64(struct hc_wbuf *w, hc_u64 v)
{
	hc_u8 b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (v >> (8 * i)) & 0xff;
	put_bytes(w, b, sizeof(b));
}

static void put_blob(struct hc_wbuf *w, const void *data, hc_u32 len)
{
	if (len && !data) {
		w->err = -EINVAL;
		return;
	}
	if (len > HC_DATA_MAX) {
		w->err = -EMSGSIZE;
		return;
	}
	put_u32(w, len);
	put_bytes(w, data, len);
}

static void put_str(struct hc_wbuf *w, const char *s, size_t max)
{
	size_t n;

	if (!s) {
		w->err = -EINVAL;
		return;
	}
	n = strnlen(s, max + 1);
	if (n > max) {
		w->err = -ENAMETOOLONG;
		return;
	}
	put_u32(w, n + 1);
	put_bytes(w, s, n + 1);
}

static void put_ts(struct hc_wbuf *w, const struct hc_timespec *t)
{
	put_u64(w, t->sec);
	put_u32(w, t->nsec);
}

static void put_stat(struct hc_wbuf *w, const struct hc_stat *s)
{
	put_u32(w, s->mask);
	put_u32(w, s->mode);
	put_u32(w, s->nlink);
	put_u32(w, s->uid);
	put_u32(w, s->gid);
	put_u32(w, s->blksize);
	put_u64(w, s->ino);
	put_u64(w, s->size);
	put_u64(w, s->blocks);
	put_u32(w, s->dev_major);
	put_u32(w, s->dev_minor);
	put_u32(w, s->rdev_major);
	put_u32(w, s->rdev_minor);
	put_ts(w, &s->atime);
	put_ts(w, &s->mtime);
	put_ts(w, &s->ctime);
	put_ts(w, &s->btime);
}

static void put_statfs(struct hc_wbuf *w, const struct hc_statfs *s)
{
	put_u64(w, s->type);
	put_u64(w, s->bsize);
	put_u64(w, s->blocks);
	put_u64(w, s->bfree);
	put_u64(w, s->bavail);
	put_u64(w, s->files);
	put_u64(w, s->ffree);
	put_u64(w, s->fsid);
	put_u64(w, s->namelen);
	put_u64(w, s->frsize);
	put_u64(w, s->flags);
}

static void put_lock(struct hc_wbuf *w, const struct hc_lock *l)
{
	put_u32(w, l->type);
	put_u32(w, l->whence);
	put_u64(w, l->start);
	put_u64(w, l->len);
	put_u32(w, l->pid);
}

/* A string vector is a blob whose bytes are @count NUL-terminated strings. */
static void put_strv(struct hc_wbuf *w, const char *v, hc_u32 len, hc_u32 count)
{
	hc_u32 i, nuls = 0;

	if (len && !v) {
		w->err = -EINVAL;
		return;
	}
	for (i = 0; i < len; i++)
		nuls += v[i] == 0;
	if (nuls != count || count > HC_ARGV_MAX || (len && v[len - 1] != 0)) {
		w->err = -EINVAL;
		return;
	}
	put_u32(w, count);
	put_blob(w, v, len);
}

static void put_field(struct hc_wbuf *w, const struct hc_msg *m, int f)
{
	switch (f) {
	case HC_FLD_FD:
		put_u32(w, m->fd);
		break;
	case HC_FLD_FD2:
		put_u32(w, m->fd2);
		break;
	case HC_FLD_FLAGS:
		put_u32(w, m->flags);
		break;
	case HC_FLD_MODE:
		put_u32(w, m->mode);
		break;
	case HC_FLD_UID:
		put_u32(w, m->uid);
		break;
	case HC_FLD_GID:
		put_u32(w, m->gid);
		break;
	case HC_FLD_ARG:
		put_u32(w, m->arg);
		break;
	case HC_FLD_ARG2:
		put_u32(w, m->arg2);
		break;
	case HC_FLD_OFF:
		put_u64(w, m->off);
		break;
	case HC_FLD_LEN:
		put_u64(w, m->len);
		break;
	case HC_FLD_DEV:
		put_u64(w, m->dev);
		break;
	case HC_FLD_TIMES:
		put_ts(w, &m->times[0]);
		put_ts(w, &m->times[1]);
		break;
	case HC_FLD_STAT:
		put_stat(w, &m->st);
		break;
	case HC_FLD_STATFS:
		put_statfs(w, &m->sfs);
		break;
	case HC_FLD_LOCK:
		put_lock(w, &m->lk);
		break;
	case HC_FLD_PATH:
		put_str(w, m->path, HC_PATH_MAX);
		break;
	case HC_FLD_PATH2:
		put_str(w, m->path2, HC_PATH_MAX);
		break;
	case HC_FLD_NAME:
		put_str(w, m->name, HC_XATTR_NAME_MAX);
		break;
	case HC_FLD_DATA:
		put_blob(w, m->data, m->datalen);
		break;
	case HC_FLD_ARGV:
		put_strv(w, m->argv, m->argvlen, m->argc);
		break;
	case HC_FLD_ENVP:
		put_strv(w, m->envp, m->envplen, m->envc);
		break;
	default:
		w->err = -EINVAL;
		break;
	}
}

int hc_encode(const struct hc_msg *m, void *buf, size_t cap)
{
	struct hc_wbuf w = { .p = buf, .len = 0, .cap = cap };
	int reply = !!(m->hflags & HC_HF_REPLY);
	const hc_u8 *f = hc_op_fields(m->op, reply);

	/*
	 * an error reply has no body, so any op can get one (-ENOSYS for
	 * an op this side does not know)
	 */
	if (!f && !(reply && m->result < 0))
		return -ENOSYS;
	if (w.cap > HC_MSG_MAX)
		w.cap = HC_MSG_MAX;

	put_u32(&w, 0);		/* length, patched below */
	put_u16(&w, m->op);
	put_u16(&w, m->hflags);
	put_u32(&w, m->tag);
	put_u32(&w, m->subject);
	put_u64(&w, m->result);
	if (!(reply && m->result < 0))
		for (; *f != HC_FLD_END; f++)
			put_field(&w, m, *f);
	if (w.err)
		return w.err;

	w.p[0] = w.len & 0xff;
	w.p[1] = (w.len >> 8) & 0xff;
	w.p[2] = (w.len >> 16) & 0xff;
	w.p[3] = (w.len >> 24) & 0xff;
	return (int)w.len;
}

/* ---- decoder ---- */

struct hc_rbuf {
	const hc_u8 *p;
	size_t pos;
	size_t len;
	int err;
};

static const hc_u8 *get_bytes(struct hc_rbuf *r, size_t n)
{
	const hc_u8 *p;

	if (r->err)
		return NULL;
	if (n > r->len - r->pos) {
		r->err = -EBADMSG;
		return NULL;
	}
	p = r->p + r->pos;
	r->pos += n;
	return p;
}

static hc_u16 get_u16(struct hc_rbuf *r)
{
	const hc_u8 *b = get_bytes(r, 2);

	return b ? (hc_u16)(b[0] | b[1] << 8) : 0;
}

static hc_u32 get_u32(struct hc_rbuf *r)
{
	const hc_u8 *b = get_bytes(r, 4);
	hc_u32 v = 0;
	int i;

	if (!b)
		return 0;
	for (i = 0; i < 4; i++)
		v |= (hc_u32)b[i] << (8 * i);
	return v;
}

static hc_u64 get_u64(struct hc_rbuf *r)
{
	const hc_u8 *b = get_bytes(r, 8);
	hc_u64 v = 0;
	int i;

	if (!b)
		return 0;
	for (i = 0; i < 8; i++)
		v |= (hc_u64)b[i] << (8 * i);
	return v;
}

static const void *get_blob(struct hc_rbuf *r, hc_u32 *lenp)
{
	hc_u32 n = get_u32(r);
	const hc_u8 *p;

	if (n > HC_DATA_MAX) {
		r->err = -EBADMSG;
		return NULL;
	}
	p = get_bytes(r, n);
	*lenp = p ? n : 0;
	return p;
}

/* A string: length counts the NUL, which must be last and the only one. */
static const char *get_str(struct hc_rbuf *r, size_t max)
{
	hc_u32 n = get_u32(r);
	const hc_u8 *p;

	if (r->err)
		return NULL;
	if (n == 0 || n > max + 1) {
		r->err = -EBADMSG;
		return NULL;
	}
	p = get_bytes(r, n);
	if (!p)
		return NULL;
	if (p[n - 1] != 0 || memchr(p, 0, n - 1)) {
		r->err = -EBADMSG;
		return NULL;
	}
	return (const char *)p;
}

static const char *get_strv(struct hc_rbuf *r, hc_u32 *lenp, hc_u32 *countp)
{
	hc_u32 count = get_u32(r);
	const char *v = get_blob(r, lenp);
	hc_u32 i, nuls = 0;

	if (r->err)
		return NULL;
	if (count > HC_ARGV_MAX || (*lenp && v[*lenp - 1] != 0)) {
		r->err = -EBADMSG;
		return NULL;
	}
	for (i = 0; i < *lenp; i++)
		nuls += v[i] == 0;
	if (nuls != count) {
		r->err = -EBADMSG;
		return NULL;
	}
	*countp = count;
	return v;
}

static void get_ts(struct hc_rbuf *r, struct hc_timespec *t)
{
	t->sec = get_u64(r);
	t->nsec = get_u32(r);
}

static void get_stat(struct hc_rbuf *r, struct hc_stat *s)
{
	s->mask = get_u32(r);
	s->mode = get_u32(r);
	s->nlink = get_u32(r);
	s->uid = get_u32(r);
	s->gid = get_u32(r);
	s->blksize = get_u32(r);
	s->ino = get_u64(r);
	s->size = get_u64(r);
	s->blocks = get_u64(r);
	s->dev_major = get_u32(r);
	s->dev_minor = get_u32(r);
	s->rdev_major = get_u32(r);
	s->rdev_minor = get_u32(r);
	get_ts(r, &s->atime);
	get_ts(r, &s->mtime);
	get_ts(r, &s->ctime);
	get_ts(r, &s->btime);
}

static void get_statfs(struct hc_rbuf *r, struct hc_statfs *s)
{
	s->type = get_u64(r);
	s->bsize = get_u64(r);
	s->blocks = get_u64(r);
	s->bfree = get_u64(r);
	s->bavail = get_u64(r);
	s->files = get_u64(r);
	s->ffree = get_u64(r);
	s->fsid = get_u64(r);
	s->namelen = get_u64(r);
	s->frsize = get_u64(r);
	s->flags = get_u64(r);
}

static void get_lock(struct hc_rbuf *r, struct hc_lock *l)
{
	l->type = get_u32(r);
	l->whence = get_u32(r);
	l->start = get_u64(r);
	l->len = get_u64(r);
	l->pid = get_u32(r);
}

static void get_field(struct hc_rbuf *r, struct hc_msg *m, int f)
{
	switch (f) {
	case HC_FLD_FD:
		m->fd = get_u32(r);
		break;
	case HC_FLD_FD2:
		m->fd2 = get_u32(r);
		break;
	case HC_FLD_FLAGS:
		m->flags = get_u32(r);
		break;
	case HC_FLD_MODE:
		m->mode = get_u32(r);
		break;
	case HC_FLD_UID:
		m->uid = get_u32(r);
		break;
	case HC_FLD_GID:
		m->gid = get_u32(r);
		break;
	case HC_FLD_ARG:
		m->arg = get_u32(r);
		break;
	case HC_FLD_ARG2:
		m->arg2 = get_u32(r);
		break;
	case HC_FLD_OFF:
		m->off = get_u64(r);
		break;
	case HC_FLD_LEN:
		m->len = get_u64(r);
		break;
	case HC_FLD_DEV:
		m->dev = get_u64(r);
		break;
	case HC_FLD_TIMES:
		get_ts(r, &m->times[0]);
		get_ts(r, &m->times[1]);
		break;
	case HC_FLD_STAT:
		get_stat(r, &m->st);
		break;
	case HC_FLD_STATFS:
		get_statfs(r, &m->sfs);
		break;
	case HC_FLD_LOCK:
		get_lock(r, &m->lk);
		break;
	case HC_FLD_PATH:
		m->path = get_str(r, HC_PATH_MAX);
		break;
	case HC_FLD_PATH2:
		m->path2 = get_str(r, HC_PATH_MAX);
		break;
	case HC_FLD_NAME:
		m->name = get_str(r, HC_XATTR_NAME_MAX);
		break;
	case HC_FLD_DATA:
		m->data = get_blob(r, &m->datalen);
		break;
	case HC_FLD_ARGV:
		m->argv = get_strv(r, &m->argvlen, &m->argc);
		break;
	case HC_FLD_ENVP:
		m->envp = get_strv(r, &m->envplen, &m->envc);
		break;
	default:
		r->err = -EBADMSG;
		break;
	}
}

int hc_decode_hdr(struct hc_msg *m, const void *buf, size_t len)
{
	struct hc_rbuf r = { .p = buf, .pos = 0, .len = len };
	hc_u32 wlen;

	memset(m, 0, sizeof(*m));
	if (len < HC_HDR_SIZE || len > HC_MSG_MAX)
		return -EBADMSG;
	wlen = get_u32(&r);
	m->op = get_u16(&r);
	m->hflags = get_u16(&r);
	m->tag = get_u32(&r);
	m->subject = get_u32(&r);
	m->result = (hc_s64)get_u64(&r);
	if (wlen != len)
		return -EBADMSG;
	return 0;
}

int hc_decode(struct hc_msg *m, const void *buf, size_t len)
{
	struct hc_rbuf r = { .p = buf, .pos = HC_HDR_SIZE, .len = len };
	const hc_u8 *f;
	int reply, err;

	err = hc_decode_hdr(m, buf, len);
	if (err)
		return err;
	reply = !!(m->hflags & HC_HF_REPLY);
	f = hc_op_fields(m->op, reply);
	/* an error reply is a bare header, whatever the op */
	if (reply && m->result < 0)
		return len == HC_HDR_SIZE ? 0 : -EBADMSG;
	if (!f)
		return -ENOSYS;
	for (; *f != HC_FLD_END && !r.err; f++)
		get_field(&r, m, *f);
	if (r.err)
		return r.err;
	if (r.pos != r.len)
		return -EBADMSG;
	return 0;
}

const char *hc_strv_next(const char *v, hc_u32 len, hc_u32 *pos)
{
	const char *s;

	if (!v || *pos >= len)
		return NULL;
	s = v + *pos;
	/* hc_decode() checked that the vector ends with a NUL */
	*pos += strnlen(s, len - *pos) + 1;
	return s;
}

#ifndef __KERNEL__
#include <fcntl.h>

static const struct {
	int local;
	hc_u32 wire;
} hc_oflag_map[] = {
	{ O_WRONLY, HC_O_WRONLY },	{ O_RDWR, HC_O_RDWR },
	{ O_CREAT, HC_O_CREAT },	{ O_EXCL, HC_O_EXCL },
	{ O_NOCTTY, HC_O_NOCTTY },	{ O_TRUNC, HC_O_TRUNC },
	{ O_APPEND, HC_O_APPEND },	{ O_NONBLOCK, HC_O_NONBLOCK },
	{ O_DSYNC, HC_O_DSYNC },	{ O_DIRECT, HC_O_DIRECT },
	{ O_DIRECTORY, HC_O_DIRECTORY }, { O_NOFOLLOW, HC_O_NOFOLLOW },
	{ O_NOATIME, HC_O_NOATIME },	{ O_CLOEXEC, HC_O_CLOEXEC },
	{ O_SYNC, HC_O_SYNC },		{ O_PATH, HC_O_PATH },
	{ O_TMPFILE, HC_O_TMPFILE },
};

hc_u32 hc_oflags_to_wire(int flags)
{
	hc_u32 w = 0;
	size_t i;

	for (i = 0; i < sizeof(hc_oflag_map) / sizeof(*hc_oflag_map); i++)
		if ((flags & hc_oflag_map[i].local) == hc_oflag_map[i].local)
			w |= hc_oflag_map[i].wire;
	return w;
}

int hc_oflags_from_wire(hc_u32 w)
{
	int flags = 0;
	size_t i;

	for (i = 0; i < sizeof(hc_oflag_map) / sizeof(*hc_oflag_map); i++)
		if ((w & hc_oflag_map[i].wire) == hc_oflag_map[i].wire)
			flags |= hc_oflag_map[i].local;
	return flags;
}
#endif
