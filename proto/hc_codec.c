// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hostcall codec: the only code that turns struct hc_msg into wire bytes
 * and back. Table-driven: the field tables are generated from the op list
 * (hc_ops.h), and one encoder and one decoder walk them. Also the
 * protocol's sub-formats: string vectors and directory records. Builds in
 * the kernel and in user space.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/stddef.h>
#else
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* O_PATH, O_TMPFILE… for the flag translation */
#endif
#include <stddef.h>
#include <string.h>
#endif

#include "hostcall_proto.h"

#define HC_X_FIELD_REQ(s, type, field) \
	{ HC_T_##type, offsetof(struct hc_msg, req) + offsetof(struct s, field), #field },
#define HC_X_FIELD_REP(s, type, field) \
	{ HC_T_##type, offsetof(struct hc_msg, rep) + offsetof(struct s, field), #field },
#define HC_X_FIELDS(NAME, name, nr, flags, cap)				\
	static const struct hc_field hc_req_fields_##name[] = {		\
		HC_REQ_##name(HC_X_FIELD_REQ, hc_req_##name)		\
		{ HC_T_END, 0, NULL }					\
	};								\
	static const struct hc_field hc_rep_fields_##name[] = {		\
		HC_REP_##name(HC_X_FIELD_REP, hc_rep_##name)		\
		{ HC_T_END, 0, NULL }					\
	};
HC_OP_LIST(HC_X_FIELDS)
#undef HC_X_FIELDS
#undef HC_X_FIELD_REQ
#undef HC_X_FIELD_REP

struct hc_opdesc {
	const char *name;
	unsigned int flags;
	hc_u64 cap;
	const struct hc_field *req;
	const struct hc_field *rep;
};

#define HC_X_DESC(NAME, name, nr, fl, c) \
	[nr] = { #name, fl, c, hc_req_fields_##name, hc_rep_fields_##name },
static const struct hc_opdesc hc_ops[HC_OP_MAX] = {
	HC_OP_LIST(HC_X_DESC)
};
#undef HC_X_DESC

static const struct hc_opdesc *hc_op(unsigned int op)
{
	if (op >= HC_OP_MAX || !hc_ops[op].name)
		return NULL;
	return &hc_ops[op];
}

const char *hc_op_name(unsigned int op)
{
	const struct hc_opdesc *d = hc_op(op);

	return d ? d->name : NULL;
}

int hc_op_flags(unsigned int op)
{
	const struct hc_opdesc *d = hc_op(op);

	return d ? (int)d->flags : -ENOSYS;
}

hc_u64 hc_op_cap(unsigned int op)
{
	const struct hc_opdesc *d = hc_op(op);

	return d ? d->cap : 0;
}

const struct hc_field *hc_op_fields(unsigned int op, int reply)
{
	const struct hc_opdesc *d = hc_op(op);

	if (!d)
		return NULL;
	return reply ? d->rep : d->req;
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

/* A string vector: u32 count, then a blob of count NUL-terminated strings. */
static void put_strv(struct hc_wbuf *w, const struct hc_strv *v)
{
	hc_u32 i, nuls = 0;

	if (v->len && !v->ptr) {
		w->err = -EINVAL;
		return;
	}
	for (i = 0; i < v->len; i++)
		nuls += v->ptr[i] == 0;
	if (nuls != v->count || v->count > HC_ARGV_MAX ||
	    (v->len && v->ptr[v->len - 1] != 0)) {
		w->err = -EINVAL;
		return;
	}
	put_u32(w, v->count);
	put_blob(w, v->ptr, v->len);
}

static void put_u32v(struct hc_wbuf *w, const struct hc_u32v *v)
{
	hc_u32 i;

	if (v->n > HC_FDS_MAX) {
		w->err = -EINVAL;
		return;
	}
	put_u32(w, v->n);
	for (i = 0; i < v->n; i++)
		put_u32(w, v->v[i]);
}

static void put_field(struct hc_wbuf *w, const struct hc_msg *m,
		      const struct hc_field *f)
{
	const void *p = (const char *)m + f->off;

	switch (f->type) {
	case HC_T_U32:
		put_u32(w, *(const hc_u32 *)p);
		break;
	case HC_T_S32:
		put_u32(w, (hc_u32)*(const hc_s32 *)p);
		break;
	case HC_T_U64:
		put_u64(w, *(const hc_u64 *)p);
		break;
	case HC_T_S64:
		put_u64(w, (hc_u64)*(const hc_s64 *)p);
		break;
	case HC_T_PATH:
		put_str(w, *(const char *const *)p, HC_PATH_MAX);
		break;
	case HC_T_NAME:
		put_str(w, *(const char *const *)p, HC_NAME_MAX);
		break;
	case HC_T_BLOB:
		put_blob(w, ((const struct hc_blob *)p)->ptr,
			 ((const struct hc_blob *)p)->len);
		break;
	case HC_T_STRV:
		put_strv(w, p);
		break;
	case HC_T_U32V:
		put_u32v(w, p);
		break;
	case HC_T_STAT:
		put_stat(w, p);
		break;
	case HC_T_STATFS:
		put_statfs(w, p);
		break;
	case HC_T_LOCK:
		put_lock(w, p);
		break;
	case HC_T_TIME:
		put_ts(w, p);
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
	const struct hc_field *f = hc_op_fields(m->op, reply);
	int bare = reply && (m->result < 0 || m->hflags & HC_HF_ACCEPTED);

	/*
	 * an error reply and an accepted notice have no body, so any op can
	 * get one (-ENOSYS for an op this side does not know)
	 */
	if (!f && !bare)
		return -ENOSYS;
	if (m->hflags & HC_HF_ACCEPTED && (!reply || m->result))
		return -EINVAL;
	if (w.cap > HC_MSG_MAX)
		w.cap = HC_MSG_MAX;

	put_u32(&w, 0);		/* length, patched below */
	put_u16(&w, m->op);
	put_u16(&w, m->hflags);
	put_u32(&w, m->tag);
	put_u32(&w, m->subject);
	put_u64(&w, m->result);
	if (!bare)
		for (; f->type != HC_T_END; f++)
			put_field(&w, m, f);
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

static void get_strv(struct hc_rbuf *r, struct hc_strv *v)
{
	hc_u32 count = get_u32(r);
	hc_u32 i, nuls = 0;

	v->ptr = get_blob(r, &v->len);
	if (r->err)
		return;
	if (count > HC_ARGV_MAX || (v->len && v->ptr[v->len - 1] != 0)) {
		r->err = -EBADMSG;
		return;
	}
	for (i = 0; i < v->len; i++)
		nuls += v->ptr[i] == 0;
	if (nuls != count) {
		r->err = -EBADMSG;
		return;
	}
	v->count = count;
}

static void get_u32v(struct hc_rbuf *r, struct hc_u32v *v)
{
	hc_u32 i, n = get_u32(r);

	if (n > HC_FDS_MAX) {
		r->err = -EBADMSG;
		return;
	}
	v->n = n;
	for (i = 0; i < n; i++)
		v->v[i] = get_u32(r);
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

static void get_field(struct hc_rbuf *r, struct hc_msg *m,
		      const struct hc_field *f)
{
	void *p = (char *)m + f->off;

	switch (f->type) {
	case HC_T_U32:
		*(hc_u32 *)p = get_u32(r);
		break;
	case HC_T_S32:
		*(hc_s32 *)p = (hc_s32)get_u32(r);
		break;
	case HC_T_U64:
		*(hc_u64 *)p = get_u64(r);
		break;
	case HC_T_S64:
		*(hc_s64 *)p = (hc_s64)get_u64(r);
		break;
	case HC_T_PATH:
		*(const char **)p = get_str(r, HC_PATH_MAX);
		break;
	case HC_T_NAME:
		*(const char **)p = get_str(r, HC_NAME_MAX);
		break;
	case HC_T_BLOB:
		((struct hc_blob *)p)->ptr =
			get_blob(r, &((struct hc_blob *)p)->len);
		break;
	case HC_T_STRV:
		get_strv(r, p);
		break;
	case HC_T_U32V:
		get_u32v(r, p);
		break;
	case HC_T_STAT:
		get_stat(r, p);
		break;
	case HC_T_STATFS:
		get_statfs(r, p);
		break;
	case HC_T_LOCK:
		get_lock(r, p);
		break;
	case HC_T_TIME:
		get_ts(r, p);
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
	const struct hc_field *f;
	int reply, err;

	err = hc_decode_hdr(m, buf, len);
	if (err)
		return err;
	reply = !!(m->hflags & HC_HF_REPLY);
	f = hc_op_fields(m->op, reply);
	/* an error reply is a bare header, whatever the op */
	if (reply && m->result < 0)
		return len == HC_HDR_SIZE && !(m->hflags & HC_HF_ACCEPTED) ?
		       0 : -EBADMSG;
	/* and so is an accepted notice, which has no result */
	if (m->hflags & HC_HF_ACCEPTED)
		return reply && !m->result && len == HC_HDR_SIZE ? 0 : -EBADMSG;
	if (!f)
		return -ENOSYS;
	/*
	 * HELLO's first field is the client's version in every version: an
	 * older client is told so, not that its message is malformed
	 */
	if (m->op == HC_OP_HELLO && !reply && len >= HC_HDR_SIZE + 4) {
		m->req.hello.version = get_u32(&r);
		if (m->req.hello.version < HC_PROTO_VERSION_MIN)
			return -EPROTONOSUPPORT;
		r.pos = HC_HDR_SIZE;
	}
	for (; f->type != HC_T_END && !r.err; f++)
		get_field(&r, m, f);
	if (r.err)
		return r.err;
	if (r.pos != r.len)
		return -EBADMSG;
	return 0;
}

void hc_hdr_set_subject(void *buf, hc_u32 subject)
{
	hc_u8 *p = (hc_u8 *)buf + 12;	/* after len, op, hflags, tag */
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (subject >> (8 * i)) & 0xff;
}

void hc_hdr_set_tag(void *buf, hc_u32 tag)
{
	hc_u8 *p = (hc_u8 *)buf + 8;	/* after len, op, hflags */
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (tag >> (8 * i)) & 0xff;
}

const char *hc_strv_next(const struct hc_strv *v, hc_u32 *pos)
{
	const char *s;

	if (!v->ptr || *pos >= v->len)
		return NULL;
	s = v->ptr + *pos;
	/* hc_decode() checked that the vector ends with a NUL */
	*pos += strnlen(s, v->len - *pos) + 1;
	return s;
}

/* ---- directory records ---- */

static void le_put(hc_u8 *p, hc_u64 v, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		p[i] = (v >> (8 * i)) & 0xff;
}

static hc_u64 le_get(const hc_u8 *p, int bytes)
{
	hc_u64 v = 0;
	int i;

	for (i = 0; i < bytes; i++)
		v |= (hc_u64)p[i] << (8 * i);
	return v;
}

int hc_dirent_put(void *buf, size_t cap, size_t *pos, const struct hc_dirent *d)
{
	hc_u8 *p = (hc_u8 *)buf + *pos;
	size_t reclen = (HC_DIRENT_HDR + d->namelen + 1 + 7) & ~(size_t)7;

	if (!d->namelen || d->namelen > HC_NAME_MAX ||
	    memchr(d->name, 0, d->namelen) || memchr(d->name, '/', d->namelen))
		return -EINVAL;
	if (*pos > cap || reclen > cap - *pos)
		return -ENOSPC;
	le_put(p, d->ino, 8);
	le_put(p + 8, (hc_u64)d->off, 8);
	le_put(p + 16, reclen, 2);
	p[18] = d->type;
	memcpy(p + HC_DIRENT_HDR, d->name, d->namelen);
	memset(p + HC_DIRENT_HDR + d->namelen, 0,
	       reclen - HC_DIRENT_HDR - d->namelen);
	*pos += reclen;
	return 0;
}

int hc_dirent_next(const void *buf, size_t len, size_t *pos, struct hc_dirent *d)
{
	const hc_u8 *p = (const hc_u8 *)buf + *pos;
	size_t left, reclen, n;

	if (*pos >= len)
		return 0;
	left = len - *pos;
	if (left < HC_DIRENT_HDR + 2)
		return -EBADMSG;
	reclen = le_get(p + 16, 2);
	if (reclen < HC_DIRENT_HDR + 2 || reclen > left || reclen % 8)
		return -EBADMSG;
	n = strnlen((const char *)p + HC_DIRENT_HDR, reclen - HC_DIRENT_HDR);
	if (!n || n > HC_NAME_MAX || n == reclen - HC_DIRENT_HDR ||
	    memchr(p + HC_DIRENT_HDR, '/', n))
		return -EBADMSG;
	d->ino = le_get(p, 8);
	d->off = (hc_s64)le_get(p + 8, 8);
	d->type = p[18];
	d->name = (const char *)p + HC_DIRENT_HDR;
	d->namelen = n;
	*pos += reclen;
	return 1;
}

int hc_direntplus_put(void *buf, size_t cap, size_t *pos, hc_s32 handle,
		      const struct hc_stat *st)
{
	struct hc_wbuf w = { (hc_u8 *)buf + *pos, 0, HC_DIRENTPLUS_REC, 0 };

	if (*pos > cap || HC_DIRENTPLUS_REC > cap - *pos)
		return -ENOSPC;
	put_u32(&w, (hc_u32)handle);
	put_stat(&w, st);
	if (w.err || w.len != HC_DIRENTPLUS_REC)
		return -EINVAL;
	*pos += HC_DIRENTPLUS_REC;
	return 0;
}

int hc_direntplus_next(const void *buf, size_t len, size_t *pos, hc_s32 *handle,
		       struct hc_stat *st)
{
	struct hc_rbuf r = { (const hc_u8 *)buf + *pos, 0, HC_DIRENTPLUS_REC, 0 };

	if (*pos >= len)
		return 0;
	if (len - *pos < HC_DIRENTPLUS_REC)
		return -EBADMSG;
	*handle = (hc_s32)get_u32(&r);
	get_stat(&r, st);
	if (r.err || *handle < -1)
		return -EBADMSG;
	*pos += HC_DIRENTPLUS_REC;
	return 1;
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
