// SPDX-License-Identifier: GPL-2.0-only
/*
 * Criterion tests of the wire codec (protocol version 3): the op table
 * against the structs of hc_ops.h, a round trip of every op in both
 * directions with every field set (the fields come from hc_op_fields(), so
 * an op added later is covered without a change here), golden bytes of
 * every message (tests/unit/golden/v3.txt, two of them also written out by
 * hand from the documented layout), and rejection of truncated, oversized,
 * overflowing and otherwise malformed messages, directory records and
 * HELLOs of older versions (placed against a guard page, so that any read
 * past the received bytes crashes the test instead of passing).
 *
 *   build/tests/test_codec [criterion options]
 *   build/tests/test_codec --write-golden [FILE]
 *
 * The second form adds the lines FILE (default tests/unit/golden/v3.txt)
 * lacks, for an op added since, and changes no line already there: a
 * released encoding never changes. The test reads the file from
 * $HC_GOLDEN, else tests/unit/golden/v3.txt of the current directory (the
 * top of the repository, as make runs it).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <criterion/alloc.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hostcall_proto.h"

#define GOLDEN_FILE	"tests/unit/golden/v3.txt"
/* Op 39 was SPAWN_KEEP in version 2; retired, its number is never reused. */
#define RETIRED_SPAWN_KEEP	39
/* More fields than any op has, to size the buffers of a filled message. */
#define FIELDS_MAX	16

/* ---- the op list, as hc_ops.h gives it, independently of the codec ---- */

struct want_field {
	hc_u8 type;
	size_t off;
	const char *name;
};

#define W_FIELD(u, s, type, field) \
	{ HC_T_##type, offsetof(struct hc_msg, u) + offsetof(struct s, field), #field },
#define W_REQ(s, type, field) W_FIELD(req, s, type, field)
#define W_REP(s, type, field) W_FIELD(rep, s, type, field)
#define X_WANT(NAME, name, nr, fl, cap)					\
	static const struct want_field want_req_##name[] = {		\
		HC_REQ_##name(W_REQ, hc_req_##name) { HC_T_END, 0, NULL } }; \
	static const struct want_field want_rep_##name[] = {		\
		HC_REP_##name(W_REP, hc_rep_##name) { HC_T_END, 0, NULL } };
HC_OP_LIST(X_WANT)
#undef X_WANT
#undef W_REQ
#undef W_REP
#undef W_FIELD

static const struct want_op {
	unsigned int nr;
	const char *name;
	unsigned int flags;
	hc_u64 cap;
	const struct want_field *req, *rep;
} want_ops[] = {
#define X_ROW(NAME, name, nr, fl, c) { nr, #name, fl, c, want_req_##name, want_rep_##name },
	HC_OP_LIST(X_ROW)
#undef X_ROW
};

#define NOPS	(sizeof(want_ops) / sizeof(want_ops[0]))

static const char *dir_name(int reply)
{
	return reply ? "reply" : "request";
}

/* ---- helpers ---- */

/*
 * A region whose end touches a PROT_NONE page: guarded_copy() places a
 * message so that its last byte is the last readable one.
 */
#define GUARD_ROOM	(2 * HC_MSG_MAX + 4096)

static unsigned char *guard_end;

static unsigned char *guarded_copy(const void *msg, size_t len)
{
	if (!guard_end) {
		long pg = sysconf(_SC_PAGESIZE);
		size_t room = (GUARD_ROOM + pg - 1) / pg * pg;
		unsigned char *base = mmap(NULL, room + pg, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		cr_assert(base != MAP_FAILED, "mmap of the guarded buffer failed");
		cr_assert_eq(mprotect(base + room, pg, PROT_NONE), 0);
		guard_end = base + room;
	}
	cr_assert(len <= GUARD_ROOM);
	if (len)
		memcpy(guard_end - len, msg, len);
	return guard_end - len;
}

static int decode_guarded(struct hc_msg *m, const void *msg, size_t len)
{
	return hc_decode(m, guarded_copy(msg, len), len);
}

static void set_len(unsigned char *b, hc_u32 len)
{
	b[0] = len & 0xff;
	b[1] = (len >> 8) & 0xff;
	b[2] = (len >> 16) & 0xff;
	b[3] = (len >> 24) & 0xff;
}

static hc_u64 le(const unsigned char *p, int bytes)
{
	hc_u64 v = 0;
	int i;

	for (i = 0; i < bytes; i++)
		v |= (hc_u64)p[i] << (8 * i);
	return v;
}

static hc_u64 mix64(hc_u64 x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Distinct, non-trivial values: never 0, never equal for two fields. */
static hc_u64 val64(unsigned int seed, unsigned int i)
{
	hc_u64 v = mix64((hc_u64)seed << 16 | i);

	return v ? v : 1;
}

static hc_u32 val32(unsigned int seed, unsigned int i)
{
	hc_u32 v = (hc_u32)(val64(seed, i) >> 17);

	return v ? v : 1;
}

static size_t nfields(const struct hc_field *f)
{
	size_t n = 0;

	while (f[n].type != HC_T_END)
		n++;
	return n;
}

static int has_type(const struct hc_field *f, int type)
{
	for (; f && f->type != HC_T_END; f++)
		if (f->type == type)
			return 1;
	return 0;
}

/* The C size of a field of @type in struct hc_msg; 0 for no type. */
static size_t type_size(unsigned int type)
{
	switch (type) {
	case HC_T_U32:		return sizeof(hc_u32);
	case HC_T_S32:		return sizeof(hc_s32);
	case HC_T_U64:		return sizeof(hc_u64);
	case HC_T_S64:		return sizeof(hc_s64);
	case HC_T_PATH:
	case HC_T_NAME:		return sizeof(const char *);
	case HC_T_BLOB:		return sizeof(struct hc_blob);
	case HC_T_STRV:		return sizeof(struct hc_strv);
	case HC_T_U32V:		return sizeof(struct hc_u32v);
	case HC_T_STAT:		return sizeof(struct hc_stat);
	case HC_T_STATFS:	return sizeof(struct hc_statfs);
	case HC_T_LOCK:		return sizeof(struct hc_lock);
	case HC_T_TIME:		return sizeof(struct hc_timespec);
	}
	return 0;
}

typedef const char *cstr;	/* a string field, for FLD() and CFLD() */

#define FLD(m, f, T)	((T *)((char *)(m) + (f)->off))
#define CFLD(m, f, T)	((const T *)((const char *)(m) + (f)->off))

/* Storage for the strings and blobs of one filled message, by field index. */
struct fill_store {
	char str[FIELDS_MAX][288];
	unsigned char blob[FIELDS_MAX][1024];
	char strv[FIELDS_MAX][160];
};

/* ---- filling a message: every field of its op, by type ---- */

/* Integers for one message: @seed picks the message, *k counts the values. */
struct vals {
	unsigned int seed, k;
	int golden;	/* the fixed, readable values of the golden file */
	hc_u8 base;	/* golden: op | 0x80 for a reply */
	hc_u8 hh;	/* golden: the field's name_sum() */
};

/*
 * The sum of a field name's bytes, mod 256: golden values carry it, so that
 * two fields of one type that trade places change the bytes.
 */
static hc_u8 name_sum(const char *name)
{
	unsigned int s = 0;

	while (*name)
		s += (unsigned char)*name++;
	return (hc_u8)s;
}

static hc_u32 v_u32(struct vals *v)
{
	if (v->golden)
		return 0x10000000u | (hc_u32)v->base << 16 | (hc_u32)v->hh << 8 | v->k++;
	return val32(v->seed, v->k++);
}

static hc_s32 v_s32(struct vals *v)
{
	/* negative: sign extension and HC_AT_FDCWD-like handles */
	if (v->golden)
		return -(hc_s32)((hc_u32)v->base << 16 | (hc_u32)v->hh << 8 | v->k++) - 1;
	return (hc_s32)(val32(v->seed, v->k++) | 0x80000000u);
}

static hc_u64 v_u64(struct vals *v)
{
	/* the top bit set: a field cut to 32 bits shows */
	if (v->golden)
		return 0x2000000000000000ull | (hc_u64)v->base << 40 | (hc_u64)v->hh << 32 |
		       v->k++;
	return val64(v->seed, v->k++) | 1ull << 63;
}

static hc_s64 v_s64(struct vals *v)
{
	if (v->golden)
		return -(hc_s64)(0x30000000000ll | (hc_s64)v->base << 16 | v->hh << 8 | v->k++);
	return -(hc_s64)(val64(v->seed, v->k++) >> 3);
}

static hc_u32 v_nsec(struct vals *v)
{
	if (v->golden)
		return 100000000u + v->k++;
	return val32(v->seed, v->k++);
}

static void fill_ts(struct hc_timespec *t, struct vals *v)
{
	t->sec = v_s64(v);
	t->nsec = v_nsec(v);
}

static void fill_stat(struct hc_stat *s, struct vals *v)
{
	s->mask = v_u32(v);
	s->mode = v_u32(v);
	s->nlink = v_u32(v);
	s->uid = v_u32(v);
	s->gid = v_u32(v);
	s->blksize = v_u32(v);
	s->ino = v_u64(v);
	s->size = v_u64(v);
	s->blocks = v_u64(v);
	s->dev_major = v_u32(v);
	s->dev_minor = v_u32(v);
	s->rdev_major = v_u32(v);
	s->rdev_minor = v_u32(v);
	fill_ts(&s->atime, v);
	fill_ts(&s->mtime, v);
	fill_ts(&s->ctime, v);
	fill_ts(&s->btime, v);
}

static void fill_statfs(struct hc_statfs *s, struct vals *v)
{
	s->type = v_u64(v);
	s->bsize = v_u64(v);
	s->blocks = v_u64(v);
	s->bfree = v_u64(v);
	s->bavail = v_u64(v);
	s->files = v_u64(v);
	s->ffree = v_u64(v);
	s->fsid = v_u64(v);
	s->namelen = v_u64(v);
	s->frsize = v_u64(v);
	s->flags = v_u64(v);
}

static void fill_lock(struct hc_lock *l, struct vals *v)
{
	l->type = v_u32(v);
	l->whence = v_u32(v);
	l->start = v_s64(v);
	l->len = v_s64(v);
	l->pid = v_s32(v);
}

/* '|' separated strings to a vector; returns the count. */
static hc_u32 bars_to_nuls(char *s, hc_u32 len)
{
	hc_u32 i, count = 0;

	for (i = 0; i < len; i++)
		if (s[i] == '|') {
			s[i] = 0;
			count++;
		}
	return count;
}

/*
 * Fill every field @op lists (request or reply) from @v, the strings and
 * blobs in @st. Returns 0, or -ENOSYS for an op without fields. Used by the
 * golden writer too: no criterion assertion here.
 */
static int fill_fields(struct hc_msg *m, struct fill_store *st, unsigned int op,
		       int reply, struct vals *v)
{
	const struct hc_field *f = hc_op_fields(op, reply);
	const char *opname = hc_op_name(op);
	unsigned int i, j;

	if (!f)
		return -ENOSYS;
	for (i = 0; f->type != HC_T_END; f++, i++) {
		void *p = (char *)m + f->off;

		if (i >= FIELDS_MAX)
			return -E2BIG;
		v->hh = name_sum(f->name);
		switch (f->type) {
		case HC_T_U32:
			*(hc_u32 *)p = v_u32(v);
			break;
		case HC_T_S32:
			*(hc_s32 *)p = v_s32(v);
			break;
		case HC_T_U64:
			*(hc_u64 *)p = v_u64(v);
			break;
		case HC_T_S64:
			*(hc_s64 *)p = v_s64(v);
			break;
		case HC_T_PATH:
			if (v->golden)
				snprintf(st->str[i], sizeof(st->str[i]), "%s/%s", opname,
					 f->name);
			else	/* UTF-8, control bytes, 0xff: bytes, not text */
				snprintf(st->str[i], sizeof(st->str[i]),
					 "/host/op %u/%s/%s/caf\xc3\xa9/\x01\x7f\xff-%08x",
					 op, dir_name(reply), f->name, v_u32(v));
			*(const char **)p = st->str[i];
			break;
		case HC_T_NAME:
			if (v->golden)
				snprintf(st->str[i], sizeof(st->str[i]), "user.%s.%s", opname,
					 f->name);
			else
				snprintf(st->str[i], sizeof(st->str[i]), "user.hostcall.%s.%s.%u",
					 opname, f->name, v->seed);
			*(const char **)p = st->str[i];
			break;
		case HC_T_BLOB: {
			struct hc_blob *b = p;

			/* bytes of every value, NULs too */
			b->len = v->golden ? 4 + v->k % 4 : 300 + 7 * v->seed + i;
			for (j = 0; j < b->len; j++)
				st->blob[i][j] = v->golden ? (unsigned char)(v->base ^ v->hh ^ j * 0x11)
							   : (unsigned char)(j * 7 + v->seed + i);
			b->ptr = st->blob[i];
			v->k++;
			break;
		}
		case HC_T_STRV: {
			struct hc_strv *s = p;
			int n;

			/* an empty string among them; more strings in later fields */
			if (v->golden) {
				n = snprintf(st->strv[i], sizeof(st->strv[i]), "%s|-%u||",
					     f->name, v->k++);
			} else {
				n = snprintf(st->strv[i], sizeof(st->strv[i]),
					     "%s%u|-x||arg with space|", f->name, v->seed);
				for (j = 0; j < i; j++)
					n += snprintf(st->strv[i] + n, sizeof(st->strv[i]) - n,
						      "x%u|", j);
			}
			s->len = (hc_u32)n;
			s->count = bars_to_nuls(st->strv[i], s->len);
			s->ptr = st->strv[i];
			break;
		}
		case HC_T_U32V: {
			struct hc_u32v *u = p;

			u->n = v->golden ? 2 : HC_FDS_MAX - (v->seed + i) % 4;
			for (j = 0; j < u->n; j++)
				u->v[j] = v->golden ? 0x40000000u | (hc_u32)v->base << 16 |
						      (hc_u32)v->hh << 8 | v->k++
						    : val32(v->seed, v->k++);
			break;
		}
		case HC_T_STAT:
			fill_stat(p, v);
			break;
		case HC_T_STATFS:
			fill_statfs(p, v);
			break;
		case HC_T_LOCK:
			fill_lock(p, v);
			break;
		case HC_T_TIME:
			fill_ts(p, v);
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

/* Fill every field @op lists (request or reply) with distinct values. */
static void fill_msg(struct hc_msg *m, struct fill_store *st, unsigned int op,
		     int reply)
{
	struct vals v = { .seed = op * 2 + !!reply, .k = 10 };
	int rc;

	memset(m, 0, sizeof(*m));
	memset(st, 0, sizeof(*st));
	m->op = op;
	m->hflags = reply ? HC_HF_REPLY | 1 : 2;
	m->tag = val32(v.seed, 1);
	m->subject = val32(v.seed, 2);
	m->result = reply ? (hc_s64)(val64(v.seed, 3) >> 1) : 0;
	rc = fill_fields(m, st, op, reply, &v);
	cr_assert_eq(rc, 0, "op %u (%s): filling its fields: %d", op,
		     hc_op_name(op) ? hc_op_name(op) : "?", rc);
	/* a HELLO older than HC_PROTO_VERSION_MIN is refused, not decoded */
	if (op == HC_OP_HELLO && !reply && m->req.hello.version < HC_PROTO_VERSION_MIN)
		m->req.hello.version += HC_PROTO_VERSION_MIN;
}

/*
 * The golden message of (@op, @reply): fixed values, readable in hex: a u32
 * field is 0x10XXHHKK with XX the op (| 0x80 in a reply), HH the sum of the
 * field name's bytes (mod 256) and KK the value's index in the message, an
 * s32 -(0xXXHHKK) - 1, a u64 0x2000XXHH000000KK, an s64 -(0x30000XXHHKK),
 * a nanosecond 100000000 + KK, a path "op/field", a name "user.op.field",
 * a blob 4 to 7 bytes of XX ^ HH ^ (i * 0x11), a vector "field", "-KK", "",
 * a u32 vector 2 values 0x40XXHHKK. Requests of ops that take fds carry one
 * (hflags 1), replies of ops that return fds one; the result of a reply is
 * op * 0x101.
 */
static int golden_fill(struct hc_msg *m, struct fill_store *st, unsigned int op, int reply)
{
	struct vals v = { .golden = 1, .base = (hc_u8)(op | (reply ? 0x80 : 0)) };
	int fl = hc_op_flags(op);

	memset(m, 0, sizeof(*m));
	memset(st, 0, sizeof(*st));
	if (fl < 0)
		return fl;
	m->op = op;
	m->hflags = reply ? HC_HF_REPLY : 0;
	if (fl & (reply ? HC_OPF_RFDS : HC_OPF_FDS))
		m->hflags |= 1;
	m->tag = 0x7a6b0000u | v.base;
	m->subject = 0x5000u + op;
	m->result = reply ? (hc_s64)op * 0x101 : 0;
	return fill_fields(m, st, op, reply, &v);
}

/* ---- comparing decoded messages ---- */

#define EXPECT_TS(a, b, what) do {						\
	cr_expect_eq((a).sec, (b).sec, "%s: %s.sec", ctx, what);		\
	cr_expect_eq((a).nsec, (b).nsec, "%s: %s.nsec", ctx, what);		\
} while (0)

static void expect_blob(const char *ctx, const char *what, const void *got,
			hc_u32 gotlen, const void *want, hc_u32 wantlen)
{
	cr_expect_eq(gotlen, wantlen, "%s: %s length %u, want %u", ctx, what,
		     gotlen, wantlen);
	if (gotlen == wantlen && wantlen) {
		cr_assert_not_null(got, "%s: %s is NULL", ctx, what);
		cr_expect(memcmp(got, want, wantlen) == 0, "%s: %s bytes differ",
			  ctx, what);
	}
}

/* @p (@n bytes) lies inside the received message @buf of @len, if given. */
static void expect_inside(const char *ctx, const char *what, const void *p, size_t n,
			  const unsigned char *buf, size_t len)
{
	if (!buf || !n)
		return;
	cr_expect((const unsigned char *)p >= buf + HC_HDR_SIZE &&
		  (const unsigned char *)p + n <= buf + len,
		  "%s: %s does not point into the message", ctx, what);
}

static void expect_stat(const char *ctx, const struct hc_stat *a, const struct hc_stat *b)
{
	cr_expect_eq(a->mask, b->mask, "%s: st.mask", ctx);
	cr_expect_eq(a->mode, b->mode, "%s: st.mode", ctx);
	cr_expect_eq(a->nlink, b->nlink, "%s: st.nlink", ctx);
	cr_expect_eq(a->uid, b->uid, "%s: st.uid", ctx);
	cr_expect_eq(a->gid, b->gid, "%s: st.gid", ctx);
	cr_expect_eq(a->blksize, b->blksize, "%s: st.blksize", ctx);
	cr_expect_eq(a->ino, b->ino, "%s: st.ino", ctx);
	cr_expect_eq(a->size, b->size, "%s: st.size", ctx);
	cr_expect_eq(a->blocks, b->blocks, "%s: st.blocks", ctx);
	cr_expect_eq(a->dev_major, b->dev_major, "%s: st.dev_major", ctx);
	cr_expect_eq(a->dev_minor, b->dev_minor, "%s: st.dev_minor", ctx);
	cr_expect_eq(a->rdev_major, b->rdev_major, "%s: st.rdev_major", ctx);
	cr_expect_eq(a->rdev_minor, b->rdev_minor, "%s: st.rdev_minor", ctx);
	EXPECT_TS(a->atime, b->atime, "st.atime");
	EXPECT_TS(a->mtime, b->mtime, "st.mtime");
	EXPECT_TS(a->ctime, b->ctime, "st.ctime");
	EXPECT_TS(a->btime, b->btime, "st.btime");
}

static void expect_statfs(const char *ctx, const struct hc_statfs *a,
			  const struct hc_statfs *b)
{
	cr_expect_eq(a->type, b->type, "%s: sfs.type", ctx);
	cr_expect_eq(a->bsize, b->bsize, "%s: sfs.bsize", ctx);
	cr_expect_eq(a->blocks, b->blocks, "%s: sfs.blocks", ctx);
	cr_expect_eq(a->bfree, b->bfree, "%s: sfs.bfree", ctx);
	cr_expect_eq(a->bavail, b->bavail, "%s: sfs.bavail", ctx);
	cr_expect_eq(a->files, b->files, "%s: sfs.files", ctx);
	cr_expect_eq(a->ffree, b->ffree, "%s: sfs.ffree", ctx);
	cr_expect_eq(a->fsid, b->fsid, "%s: sfs.fsid", ctx);
	cr_expect_eq(a->namelen, b->namelen, "%s: sfs.namelen", ctx);
	cr_expect_eq(a->frsize, b->frsize, "%s: sfs.frsize", ctx);
	cr_expect_eq(a->flags, b->flags, "%s: sfs.flags", ctx);
}

/* One field of @got against @want, by its type. */
static void expect_field(const char *ctx, const struct hc_field *f,
			 const struct hc_msg *got, const struct hc_msg *want,
			 const unsigned char *buf, size_t len)
{
	const char *n = f->name;

	switch (f->type) {
	case HC_T_U32:
		cr_expect_eq(*CFLD(got, f, hc_u32), *CFLD(want, f, hc_u32),
			     "%s: %s %#x, want %#x", ctx, n, *CFLD(got, f, hc_u32),
			     *CFLD(want, f, hc_u32));
		break;
	case HC_T_S32:
		cr_expect_eq(*CFLD(got, f, hc_s32), *CFLD(want, f, hc_s32),
			     "%s: %s %d, want %d", ctx, n, *CFLD(got, f, hc_s32),
			     *CFLD(want, f, hc_s32));
		break;
	case HC_T_U64:
		cr_expect_eq(*CFLD(got, f, hc_u64), *CFLD(want, f, hc_u64), "%s: %s", ctx, n);
		break;
	case HC_T_S64:
		cr_expect_eq(*CFLD(got, f, hc_s64), *CFLD(want, f, hc_s64), "%s: %s", ctx, n);
		break;
	case HC_T_PATH:
	case HC_T_NAME: {
		const char *g = *CFLD(got, f, cstr), *w = *CFLD(want, f, cstr);

		cr_assert_not_null(g, "%s: %s is NULL", ctx, n);
		cr_expect_str_eq(g, w, "%s: %s is \"%s\", want \"%s\"", ctx, n, g, w);
		expect_inside(ctx, n, g, strlen(g) + 1, buf, len);
		break;
	}
	case HC_T_BLOB: {
		const struct hc_blob *g = CFLD(got, f, struct hc_blob);
		const struct hc_blob *w = CFLD(want, f, struct hc_blob);

		expect_blob(ctx, n, g->ptr, g->len, w->ptr, w->len);
		expect_inside(ctx, n, g->ptr, g->len, buf, len);
		break;
	}
	case HC_T_STRV: {
		const struct hc_strv *g = CFLD(got, f, struct hc_strv);
		const struct hc_strv *w = CFLD(want, f, struct hc_strv);

		expect_blob(ctx, n, g->ptr, g->len, w->ptr, w->len);
		cr_expect_eq(g->count, w->count, "%s: %s count %u, want %u", ctx, n,
			     g->count, w->count);
		expect_inside(ctx, n, g->ptr, g->len, buf, len);
		break;
	}
	case HC_T_U32V: {
		const struct hc_u32v *g = CFLD(got, f, struct hc_u32v);
		const struct hc_u32v *w = CFLD(want, f, struct hc_u32v);
		hc_u32 i;

		cr_expect_eq(g->n, w->n, "%s: %s has %u values, want %u", ctx, n, g->n, w->n);
		for (i = 0; i < g->n && i < w->n && i < HC_FDS_MAX; i++)
			cr_expect_eq(g->v[i], w->v[i], "%s: %s[%u] %#x, want %#x", ctx, n,
				     i, g->v[i], w->v[i]);
		break;
	}
	case HC_T_STAT:
		expect_stat(ctx, CFLD(got, f, struct hc_stat), CFLD(want, f, struct hc_stat));
		break;
	case HC_T_STATFS:
		expect_statfs(ctx, CFLD(got, f, struct hc_statfs),
			      CFLD(want, f, struct hc_statfs));
		break;
	case HC_T_LOCK: {
		const struct hc_lock *a = CFLD(got, f, struct hc_lock);
		const struct hc_lock *b = CFLD(want, f, struct hc_lock);

		cr_expect_eq(a->type, b->type, "%s: %s.type", ctx, n);
		cr_expect_eq(a->whence, b->whence, "%s: %s.whence", ctx, n);
		cr_expect_eq(a->start, b->start, "%s: %s.start", ctx, n);
		cr_expect_eq(a->len, b->len, "%s: %s.len", ctx, n);
		cr_expect_eq(a->pid, b->pid, "%s: %s.pid", ctx, n);
		break;
	}
	case HC_T_TIME:
		EXPECT_TS(*CFLD(got, f, struct hc_timespec), *CFLD(want, f, struct hc_timespec),
			  n);
		break;
	default:
		cr_assert_fail("%s: field %s has type %u, which has no comparison", ctx, n,
			       f->type);
	}
}

/*
 * Compare the header and the fields @f lists; every other byte of @got must
 * still be zero (hc_decode_hdr zeroes the struct and the decoder must not
 * write outside the op's fields, nor past a u32 vector's count). @buf, @len:
 * the message @got was decoded from, which its strings must point into.
 */
static void expect_fields(const char *ctx, const struct hc_field *f,
			  const struct hc_msg *got, const struct hc_msg *want,
			  const unsigned char *buf, size_t len)
{
	static const struct hc_msg zero;
	struct hc_msg rest;
	const struct hc_field *g;

	cr_expect_eq(got->op, want->op, "%s: op", ctx);
	cr_expect_eq(got->hflags, want->hflags, "%s: hflags", ctx);
	cr_expect_eq(got->tag, want->tag, "%s: tag", ctx);
	cr_expect_eq(got->subject, want->subject, "%s: subject", ctx);
	cr_expect_eq(got->result, want->result, "%s: result", ctx);
	for (g = f; g->type != HC_T_END; g++)
		expect_field(ctx, g, got, want, buf, len);

	memcpy(&rest, got, sizeof(rest));
	rest.op = rest.hflags = 0;
	rest.tag = rest.subject = 0;
	rest.result = 0;
	for (g = f; g->type != HC_T_END; g++) {
		if (g->type == HC_T_U32V) {
			struct hc_u32v *u = FLD(&rest, g, struct hc_u32v);
			hc_u32 i;

			for (i = 0; i < u->n && i < HC_FDS_MAX; i++)
				u->v[i] = 0;
			u->n = 0;
			continue;
		}
		memset((char *)&rest + g->off, 0, type_size(g->type));
	}
	cr_expect(memcmp(&rest, &zero, sizeof(rest)) == 0,
		  "%s: the decoder wrote outside the op's fields", ctx);
}

/* Encode the filled message for (op, reply); returns its length. */
static size_t encode_valid(unsigned char *buf, size_t cap, struct hc_msg *m,
			   struct fill_store *st, unsigned int op, int reply)
{
	int n;

	fill_msg(m, st, op, reply);
	n = hc_encode(m, buf, cap);
	cr_assert_gt(n, 0, "encode %s %s: %d", hc_op_name(op), dir_name(reply), n);
	return (size_t)n;
}

/* ---- a little independent writer, to build malformed messages ---- */

struct raw {
	unsigned char b[HC_MSG_MAX + 64];
	size_t n;
};

static void raw_u16(struct raw *r, hc_u16 v)
{
	r->b[r->n++] = v & 0xff;
	r->b[r->n++] = v >> 8;
}

static void raw_u32(struct raw *r, hc_u32 v)
{
	int i;

	for (i = 0; i < 4; i++)
		r->b[r->n++] = (v >> (8 * i)) & 0xff;
}

static void raw_u64(struct raw *r, hc_u64 v)
{
	int i;

	for (i = 0; i < 8; i++)
		r->b[r->n++] = (v >> (8 * i)) & 0xff;
}

static void raw_bytes(struct raw *r, const void *p, size_t n)
{
	memcpy(r->b + r->n, p, n);
	r->n += n;
}

static void raw_fill(struct raw *r, int c, size_t n)
{
	memset(r->b + r->n, c, n);
	r->n += n;
}

static void raw_hdr(struct raw *r, hc_u16 op, hc_u16 hflags, hc_s64 result)
{
	r->n = 0;
	raw_u32(r, 0);
	raw_u16(r, op);
	raw_u16(r, hflags);
	raw_u32(r, 0x11223344);
	raw_u32(r, 7);
	raw_u64(r, (hc_u64)result);
}

/* Patch the header length to the bytes written so far. */
static size_t raw_done(struct raw *r)
{
	set_len(r->b, (hc_u32)r->n);
	return r->n;
}

static int raw_decode(struct raw *r)
{
	struct hc_msg m;

	return decode_guarded(&m, r->b, raw_done(r));
}

/* An openat request whose path has length field @len and bytes @p, @n. */
static int openat_path(hc_u32 len, const void *p, size_t n)
{
	static struct raw r;

	raw_hdr(&r, HC_OP_OPENAT, 0, 0);
	raw_u32(&r, (hc_u32)HC_AT_FDCWD);	/* dirfd */
	raw_u32(&r, HC_O_RDONLY);		/* flags */
	raw_u32(&r, 0644);			/* mode */
	raw_u32(&r, len);			/* path */
	raw_bytes(&r, p, n);
	return raw_decode(&r);
}

/* A write request whose blob has length field @len followed by @n bytes. */
static int write_blob(hc_u32 len, size_t n)
{
	static struct raw r;

	raw_hdr(&r, HC_OP_WRITE, 0, 0);
	raw_u32(&r, 3);			/* fd */
	raw_u64(&r, (hc_u64)-1);	/* off */
	raw_u32(&r, len);		/* data */
	raw_fill(&r, 'w', n);
	return raw_decode(&r);
}

/* A spawn request up to its cwd ("", the subject's). */
static void spawn_head(struct raw *r)
{
	raw_hdr(r, HC_OP_SPAWN, 0, 0);
	raw_u32(r, HC_SPAWN_NEWPGRP);	/* flags */
	raw_u32(r, HC_STDIO_NULL);	/* stdin_mode */
	raw_u32(r, HC_STDIO_NULL);	/* stdout_mode */
	raw_u32(r, HC_STDIO_NULL);	/* stderr_mode */
	raw_u32(r, 0);			/* rows */
	raw_u32(r, 0);			/* cols */
	raw_u32(r, 1);			/* cwd */
	raw_bytes(r, "", 1);
}

/* A spawn request with argv given raw (count, length, bytes), empty envp and fdmap. */
static int spawn_argv(hc_u32 count, hc_u32 len, const void *p, size_t n)
{
	static struct raw r;

	spawn_head(&r);
	raw_u32(&r, count);
	raw_u32(&r, len);
	raw_bytes(&r, p, n);
	raw_u32(&r, 0);		/* envp count */
	raw_u32(&r, 0);		/* envp length */
	raw_u32(&r, 0);		/* fdmap count */
	return raw_decode(&r);
}

/* A spawn request whose fdmap says @count and has @nvals values 3, 4, 5… */
static int spawn_fdmap(hc_u32 count, hc_u32 nvals, struct hc_msg *d)
{
	static struct raw r;
	hc_u32 i;

	spawn_head(&r);
	raw_u32(&r, 1);		/* argv: "x" */
	raw_u32(&r, 2);
	raw_bytes(&r, "x", 2);
	raw_u32(&r, 0);		/* envp */
	raw_u32(&r, 0);
	raw_u32(&r, count);
	for (i = 0; i < nvals; i++)
		raw_u32(&r, 3 + i);
	return decode_guarded(d, r.b, raw_done(&r));
}

/* A spawn reply whose handles say @count and have @nvals values 100, 101… */
static int spawn_handles(hc_u32 count, hc_u32 nvals, struct hc_msg *d)
{
	static struct raw r;
	hc_u32 i;

	raw_hdr(&r, HC_OP_SPAWN, HC_HF_REPLY, 4242);
	raw_u32(&r, count);
	for (i = 0; i < nvals; i++)
		raw_u32(&r, 100 + i);
	return decode_guarded(d, r.b, raw_done(&r));
}

/* ---- parameters: every op, as a request and as a reply ---- */

struct opcase {
	unsigned int op;
	int reply;
};

static void free_params(struct criterion_test_params *p)
{
	cr_free(p->params);
}

static struct criterion_test_params every_op_both_ways(void)
{
	struct opcase *c = cr_calloc(2 * NOPS, sizeof(*c));
	size_t i;

	for (i = 0; i < 2 * NOPS; i++) {
		c[i].op = want_ops[i / 2].nr;
		c[i].reply = i % 2;
	}
	return cr_make_param_array(struct opcase, c, 2 * NOPS, free_params);
}

static struct criterion_test_params every_op(void)
{
	struct opcase *c = cr_calloc(NOPS, sizeof(*c));
	size_t i;

	for (i = 0; i < NOPS; i++)
		c[i].op = want_ops[i].nr;
	return cr_make_param_array(struct opcase, c, NOPS, free_params);
}

/* ---- the op table ---- */

Test(table, every_op_has_a_name_and_sane_field_lists)
{
	const size_t union_end[2] = {
		offsetof(struct hc_msg, req) + sizeof(union hc_req_args),
		offsetof(struct hc_msg, rep) + sizeof(union hc_rep_args),
	};
	const size_t union_off[2] = { offsetof(struct hc_msg, req), offsetof(struct hc_msg, rep) };
	size_t k;
	unsigned int i, j;
	int reply;

	for (k = 0; k < NOPS; k++) {
		unsigned int op = want_ops[k].nr;
		const char *name = hc_op_name(op);

		cr_assert_not_null(name, "op %u has no name", op);
		for (i = 0; i < k; i++)
			cr_expect_str_neq(name, hc_op_name(want_ops[i].nr),
					  "ops %u and %u share the name %s", want_ops[i].nr, op,
					  name);
		for (reply = 0; reply < 2; reply++) {
			const struct hc_field *f = hc_op_fields(op, reply);
			size_t n;

			cr_assert_not_null(f, "%s: no fields (reply=%d)", name, reply);
			n = nfields(f);
			cr_expect_lt(n, FIELDS_MAX, "%s: %zu fields, or a list not terminated",
				     name, n);
			for (i = 0; i < n; i++) {
				cr_expect(f[i].type > HC_T_END && f[i].type <= HC_T_TIME,
					  "%s: field %u has type %u", name, i, f[i].type);
				cr_assert_not_null(f[i].name, "%s: field %u has no name", name, i);
				cr_expect(f[i].off >= union_off[reply] &&
					  f[i].off + type_size(f[i].type) <= union_end[reply],
					  "%s %s: field %s lies outside the %s union", name,
					  dir_name(reply), f[i].name, reply ? "rep" : "req");
				for (j = 0; j < i; j++) {
					cr_expect_str_neq(f[i].name, f[j].name,
							  "%s: field %s listed twice", name,
							  f[i].name);
					cr_expect(f[i].off >= f[j].off + type_size(f[j].type) ||
						  f[j].off >= f[i].off + type_size(f[i].type),
						  "%s: fields %s and %s overlap", name, f[j].name,
						  f[i].name);
				}
			}
		}
	}
}

/* The codec's tables are the structs of hc_ops.h, op by op, field by field. */
Test(table, fields_match_the_structs)
{
	size_t k;
	int reply;

	for (k = 0; k < NOPS; k++) {
		const struct want_op *w = &want_ops[k];

		cr_expect_str_eq(hc_op_name(w->nr), w->name, "op %u is named %s, want %s",
				 w->nr, hc_op_name(w->nr), w->name);
		cr_expect_eq(hc_op_flags(w->nr), (int)w->flags, "%s: flags %#x, want %#x",
			     w->name, hc_op_flags(w->nr), w->flags);
		cr_expect_eq(hc_op_cap(w->nr), w->cap, "%s: cap", w->name);
		for (reply = 0; reply < 2; reply++) {
			const struct want_field *wf = reply ? w->rep : w->req;
			const struct hc_field *f = hc_op_fields(w->nr, reply);
			unsigned int i;

			cr_assert_not_null(f);
			for (i = 0; wf[i].type != HC_T_END; i++) {
				cr_assert_neq(f[i].type, HC_T_END, "%s %s: field %s missing",
					      w->name, dir_name(reply), wf[i].name);
				cr_expect_str_eq(f[i].name, wf[i].name, "%s %s: field %u is %s, "
						 "want %s", w->name, dir_name(reply), i,
						 f[i].name, wf[i].name);
				cr_expect_eq(f[i].type, wf[i].type, "%s %s: %s has type %u, want %u",
					     w->name, dir_name(reply), wf[i].name, f[i].type,
					     wf[i].type);
				cr_expect_eq(f[i].off, wf[i].off, "%s %s: %s at offset %u, want %zu",
					     w->name, dir_name(reply), wf[i].name, f[i].off,
					     wf[i].off);
			}
			cr_expect_eq(f[i].type, HC_T_END, "%s %s: fields past %u", w->name,
				     dir_name(reply), i);
		}
	}
}

/*
 * Numbers: ascending in the list, HC_OP_MAX one past the last, and every
 * op of version 2 still at its number (op numbers are never reused); the
 * flags hold only known bits, and the subject ops are the three that make
 * or end a subject.
 */
Test(table, op_numbers_flags_and_caps)
{
	static const char *const v2[] = {
		NULL, "hello", "openat", "close", "read", "write", "lseek", "fstatat",
		"getdents", "readlinkat", "mkdirat", "mknodat", "unlinkat", "renameat2",
		"symlinkat", "linkat", "fchmodat", "fchownat", "truncate", "fsync",
		"utimensat", "faccessat", "statfs", "fallocate", "flock", "lock",
		"getxattr", "setxattr", "listxattr", "removexattr", "chdir", "getcwd",
		"fork_subject", "realpath", "spawn", "wait", "kill", "winsize", "bye",
	};
	const unsigned int known = HC_OPF_SUBJECT | HC_OPF_FDS | HC_OPF_RFDS | HC_OPF_BLOCKS;
	unsigned int op;
	size_t k;

	cr_assert_eq(want_ops[NOPS - 1].nr + 1, HC_OP_MAX);
	for (k = 1; k < NOPS; k++)
		cr_expect_gt(want_ops[k].nr, want_ops[k - 1].nr, "the op list is not in order");
	for (op = 1; op < sizeof(v2) / sizeof(v2[0]); op++)
		cr_expect(hc_op_name(op) && !strcmp(hc_op_name(op), v2[op]),
			  "op %u is %s, in version 2 it was %s", op,
			  hc_op_name(op) ? hc_op_name(op) : "unknown", v2[op]);
	for (k = 0; k < NOPS; k++) {
		unsigned int nr = want_ops[k].nr;
		int fl = hc_op_flags(nr);
		int subject = nr == HC_OP_HELLO || nr == HC_OP_FORK_SUBJECT || nr == HC_OP_BYE ||
			      nr == HC_OP_SUBJECT_AS;

		cr_assert_geq(fl, 0, "%s: flags %d", hc_op_name(nr), fl);
		cr_expect_eq((unsigned int)fl & ~known, 0, "%s: unknown flags %#x",
			     hc_op_name(nr), fl);
		cr_expect_eq(!!(fl & HC_OPF_SUBJECT), subject, "%s: HC_OPF_SUBJECT",
			     hc_op_name(nr));
		cr_expect_eq(hc_op_cap(nr) & ~HC_CAPS, 0,
			     "%s: announced by a capability this code does not implement",
			     hc_op_name(nr));
	}
	/* HC_HF_NFDS_MASK holds HC_FDS_MAX */
	cr_expect_geq(HC_HF_NFDS_MASK, HC_FDS_MAX);
	cr_expect_eq(HC_HF_NFDS_MASK & HC_HF_REPLY, 0);
}

Test(table, unknown_ops_have_no_name_or_fields)
{
	unsigned int bad[] = { 0, RETIRED_SPAWN_KEEP, HC_OP_MAX, HC_OP_MAX + 1, 0xffff,
			       0x10001, 0xffffffffu };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_null(hc_op_name(bad[i]), "op %u has a name", bad[i]);
		cr_expect_null(hc_op_fields(bad[i], 0), "op %u has request fields", bad[i]);
		cr_expect_null(hc_op_fields(bad[i], 1), "op %u has reply fields", bad[i]);
		cr_expect_eq(hc_op_flags(bad[i]), -ENOSYS, "op %u has flags", bad[i]);
		cr_expect_eq(hc_op_cap(bad[i]), 0, "op %u has a capability", bad[i]);
	}
}

/* ---- round trips of every op ---- */

ParameterizedTestParameters(roundtrip, every_op)
{
	return every_op_both_ways();
}

ParameterizedTest(struct opcase *c, roundtrip, every_op)
{
	static unsigned char buf[HC_MSG_MAX];
	struct hc_msg m, d;
	struct fill_store st;
	unsigned char *p;
	char ctx[64];
	size_t n;
	int rc;

	snprintf(ctx, sizeof(ctx), "%s %s", hc_op_name(c->op), dir_name(c->reply));
	n = encode_valid(buf, sizeof(buf), &m, &st, c->op, c->reply);
	cr_assert_eq(le(buf, 4), n, "%s: header length is not the encoded length", ctx);
	p = guarded_copy(buf, n);
	rc = hc_decode(&d, p, n);
	cr_assert_eq(rc, 0, "%s: decode failed: %d", ctx, rc);
	expect_fields(ctx, hc_op_fields(c->op, c->reply), &d, &m, p, n);
}

/*
 * The values fill_msg() gives are distinct within each message, so that a
 * field decoded into another's place cannot pass the round trip.
 */
Test(roundtrip, every_field_gets_a_distinct_value)
{
	size_t k;
	int reply;

	for (k = 0; k < NOPS; k++)
		for (reply = 0; reply < 2; reply++) {
			unsigned int op = want_ops[k].nr;
			const struct hc_field *f = hc_op_fields(op, reply), *g;
			struct fill_store st;
			struct hc_msg m;

			fill_msg(&m, &st, op, reply);
			for (; f->type != HC_T_END; f++)
				for (g = hc_op_fields(op, reply); g != f; g++) {
					size_t sz = type_size(f->type);

					if (f->type != g->type)
						continue;
					if (f->type == HC_T_PATH || f->type == HC_T_NAME)
						cr_expect_str_neq(*CFLD(&m, f, cstr),
								  *CFLD(&m, g, cstr),
								  "%s: %s and %s are equal",
								  hc_op_name(op), g->name, f->name);
					else if (f->type != HC_T_BLOB && f->type != HC_T_STRV)
						cr_expect(memcmp(CFLD(&m, f, char), CFLD(&m, g, char),
								 sz) != 0,
							  "%s: %s and %s are equal",
							  hc_op_name(op), g->name, f->name);
				}
		}
}

ParameterizedTestParameters(roundtrip, error_reply_has_no_body)
{
	return every_op();
}

ParameterizedTest(struct opcase *c, roundtrip, error_reply_has_no_body)
{
	static const hc_s64 errs[] = { -ENOENT, -EACCES, -EXDEV, -1, -4095, INT64_MIN };
	static const struct hc_field nofields[] = { { HC_T_END, 0, NULL } };
	unsigned char buf[HC_HDR_SIZE + 64];
	struct hc_msg m, d;
	struct fill_store st;
	size_t i;
	int n, rc;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		fill_msg(&m, &st, c->op, 1);
		m.result = errs[i];
		n = hc_encode(&m, buf, sizeof(buf));
		cr_assert_eq(n, HC_HDR_SIZE, "%s: error reply encoded with %d bytes",
			     hc_op_name(c->op), n);
		rc = decode_guarded(&d, buf, n);
		cr_assert_eq(rc, 0, "%s: error reply rejected: %d", hc_op_name(c->op), rc);
		expect_fields(hc_op_name(c->op), nofields, &d, &m, NULL, 0);

		/* a body after an error result is not allowed */
		buf[n] = 0;
		set_len(buf, n + 1);
		rc = decode_guarded(&d, buf, n + 1);
		cr_expect_eq(rc, -EBADMSG, "%s: error reply with a body: %d",
			     hc_op_name(c->op), rc);
	}
}

/* An error reply is a bare header and decodes for any op number at all. */
Test(roundtrip, error_reply_of_any_op_number)
{
	unsigned char buf[HC_HDR_SIZE];
	struct hc_msg m = { .hflags = HC_HF_REPLY, .tag = 9, .result = -ENOSYS }, d = { 0 };
	unsigned int op;
	int n, rc, bad = 0;

	for (op = 0; op <= 0xffff; op++) {
		m.op = (hc_u16)op;
		m.result = op & 1 ? -ENOSYS : -EBADMSG;
		n = hc_encode(&m, buf, sizeof(buf));
		rc = n == HC_HDR_SIZE ? hc_decode(&d, buf, n) : n;
		if ((rc || d.op != op || d.result != m.result || d.tag != 9) && bad++ < 5)
			cr_expect_fail("the error reply of op %u: encode %d, decode %d", op, n,
				       rc);
	}
	cr_expect_eq(bad, 0, "%d op numbers", bad);
}

/*
 * An accepted notice is a bare reply header with result 0, for any op; it
 * is refused on a request, with a result, or with a body.
 */
Test(roundtrip, accepted_notice)
{
	unsigned char buf[HC_HDR_SIZE + 8];
	struct hc_msg m = { .op = HC_OP_WAIT, .hflags = HC_HF_REPLY | HC_HF_ACCEPTED,
			    .tag = 77, .subject = 3 }, d = { 0 };
	int n;

	n = hc_encode(&m, buf, sizeof(buf));
	cr_assert_eq(n, HC_HDR_SIZE, "notice encoded with %d bytes", n);
	cr_expect_eq(hc_decode(&d, buf, n), 0);
	cr_expect(d.op == HC_OP_WAIT && d.tag == 77 && d.subject == 3 && !d.result &&
		  d.hflags == (HC_HF_REPLY | HC_HF_ACCEPTED));
	m.op = 0xfff0;		/* any op number */
	n = hc_encode(&m, buf, sizeof(buf));
	cr_expect(n == HC_HDR_SIZE && !hc_decode(&d, buf, n), "notice of an unknown op");

	m.op = HC_OP_WAIT;
	m.result = 5;
	cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EINVAL, "notice with a result");
	m.result = 0;
	m.hflags = HC_HF_ACCEPTED;
	cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EINVAL, "notice on a request");

	/* decoding: the same refusals, and no body */
	m.hflags = HC_HF_REPLY | HC_HF_ACCEPTED;
	n = hc_encode(&m, buf, sizeof(buf));
	buf[20] = 1;		/* result 1 */
	cr_expect_eq(hc_decode(&d, buf, n), -EBADMSG, "decoded with a result");
	buf[20] = 0xff;		/* result < 0: an error reply cannot be a notice */
	memset(buf + 21, 0xff, 3);
	buf[23] = 0xff;
	cr_expect_eq(hc_decode(&d, buf, n), -EBADMSG, "decoded as an error reply");
	n = hc_encode(&m, buf, sizeof(buf));
	buf[7] &= ~(HC_HF_REPLY >> 8);
	cr_expect_eq(hc_decode(&d, buf, n), -EBADMSG, "decoded on a request");
	n = hc_encode(&m, buf, sizeof(buf));
	memset(buf + n, 0, 8);
	set_len(buf, n + 8);
	cr_expect_eq(hc_decode(&d, buf, n + 8), -EBADMSG, "decoded with a body");
}

/* hc_hdr_set_tag() and hc_hdr_set_subject() rewrite only their fields. */
Test(roundtrip, header_rewrites)
{
	struct hc_msg m = { .op = HC_OP_GETCWD, .tag = 1, .subject = 2 }, d = { 0 };
	unsigned char buf[256];
	int n = hc_encode(&m, buf, sizeof(buf));

	cr_assert_gt(n, 0);
	hc_hdr_set_tag(buf, 0xa1b2c3d4);
	hc_hdr_set_subject(buf, 0x01020304);
	cr_assert_eq(hc_decode(&d, buf, n), 0);
	cr_expect(d.op == HC_OP_GETCWD && d.tag == 0xa1b2c3d4 && d.subject == 0x01020304 &&
		  !d.hflags && !d.result);
}

Test(roundtrip, largest_strings_and_blobs)
{
	static unsigned char buf[HC_MSG_MAX];
	static char path[HC_PATH_MAX + 1], path2[HC_PATH_MAX + 1];
	static char name[HC_NAME_MAX + 1];
	static unsigned char data[HC_DATA_MAX];
	struct hc_msg m = { 0 }, d;
	int n, rc;

	memset(path, 'p', HC_PATH_MAX);
	memset(path2, 'q', HC_PATH_MAX);
	memset(name, 'n', HC_NAME_MAX);
	for (n = 0; n < HC_DATA_MAX; n++)
		data[n] = (unsigned char)(n ^ (n >> 8));

	m.op = HC_OP_RENAMEAT2;
	m.req.renameat2.olddirfd = 5;
	m.req.renameat2.oldpath = path;
	m.req.renameat2.newdirfd = HC_AT_FDCWD;
	m.req.renameat2.newpath = path2;
	n = hc_encode(&m, buf, sizeof(buf));
	cr_assert_gt(n, 2 * HC_PATH_MAX, "renameat2 with two %d-byte paths: %d",
		     HC_PATH_MAX, n);
	rc = decode_guarded(&d, buf, n);
	cr_assert_eq(rc, 0);
	cr_expect_eq(strlen(d.req.renameat2.oldpath), HC_PATH_MAX);
	cr_expect_eq(strlen(d.req.renameat2.newpath), HC_PATH_MAX);
	cr_expect_str_eq(d.req.renameat2.newpath, path2);
	cr_expect_eq(d.req.renameat2.newdirfd, HC_AT_FDCWD);

	memset(&m, 0, sizeof(m));
	m.op = HC_OP_SETXATTR;
	m.req.setxattr.path = "";
	m.req.setxattr.name = name;
	m.req.setxattr.value = (struct hc_blob){ data, HC_DATA_MAX - 512 };
	n = hc_encode(&m, buf, sizeof(buf));
	cr_assert_gt(n, 0, "setxattr with a %d-byte name: %d", HC_NAME_MAX, n);
	rc = decode_guarded(&d, buf, n);
	cr_assert_eq(rc, 0);
	cr_expect_str_eq(d.req.setxattr.name, name);

	memset(&m, 0, sizeof(m));
	m.op = HC_OP_READ;
	m.hflags = HC_HF_REPLY;
	m.result = HC_DATA_MAX;
	m.rep.read.data = (struct hc_blob){ data, HC_DATA_MAX };
	n = hc_encode(&m, buf, sizeof(buf));
	cr_assert_eq(n, HC_HDR_SIZE + 4 + HC_DATA_MAX);
	rc = decode_guarded(&d, buf, n);
	cr_assert_eq(rc, 0);
	cr_assert_eq(d.rep.read.data.len, HC_DATA_MAX);
	cr_expect(memcmp(d.rep.read.data.ptr, data, HC_DATA_MAX) == 0);

	/* empty string vectors and u32 vectors */
	memset(&m, 0, sizeof(m));
	m.op = HC_OP_SPAWN;
	m.req.spawn.cwd = "";
	n = hc_encode(&m, buf, sizeof(buf));
	cr_assert_gt(n, 0);
	rc = decode_guarded(&d, buf, n);
	cr_assert_eq(rc, 0);
	cr_expect_eq(d.req.spawn.argv.count, 0);
	cr_expect_eq(d.req.spawn.argv.len, 0);
	cr_expect_eq(d.req.spawn.envp.count, 0);
	cr_expect_eq(d.req.spawn.fdmap.n, 0);
	cr_expect_str_eq(d.req.spawn.cwd, "");
}

/* The bytes on the wire, written out by hand from the header's description. */
Test(roundtrip, wire_layout_is_little_endian_as_documented)
{
	struct hc_msg m = { 0 };
	unsigned char buf[128];
	struct raw *want = malloc(sizeof(*want));
	int n;

	m.op = HC_OP_OPENAT;
	m.hflags = 1;
	m.tag = 0x0a0b0c0d;
	m.subject = 0x01020304;
	m.req.openat.dirfd = HC_AT_FDCWD;
	m.req.openat.flags = HC_O_CREAT | HC_O_WRONLY;
	m.req.openat.mode = 0640;
	m.req.openat.path = "a/b";
	n = hc_encode(&m, buf, sizeof(buf));

	want->n = 0;
	raw_u32(want, HC_HDR_SIZE + 12 + 4 + 4);
	raw_u16(want, HC_OP_OPENAT);
	raw_u16(want, 1);
	raw_u32(want, 0x0a0b0c0d);
	raw_u32(want, 0x01020304);
	raw_u64(want, 0);
	raw_u32(want, (hc_u32)-100);
	raw_u32(want, 0101);
	raw_u32(want, 0640);
	raw_u32(want, 4);
	raw_bytes(want, "a/b", 4);
	cr_assert_eq((size_t)n, want->n, "encoded %d bytes, want %zu", n, want->n);
	cr_expect_arr_eq(buf, want->b, want->n, "openat bytes differ from the documented layout");
	free(want);
}

/* ---- golden bytes: tests/unit/golden/v3.txt ---- */

struct golden {
	char name[40];
	int reply;
	unsigned char *bytes;
	size_t len;
	int line;
};

struct golden_file {
	struct golden *g;
	size_t n;
	char err[200];
};

static const char *golden_path(void)
{
	const char *p = getenv("HC_GOLDEN");

	return p && *p ? p : GOLDEN_FILE;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void golden_free(struct golden_file *gf)
{
	size_t i;

	for (i = 0; i < gf->n; i++)
		free(gf->g[i].bytes);
	free(gf->g);
	gf->g = NULL;
	gf->n = 0;
}

/*
 * Read @path: lines "NAME req|rep HEX", '#' comments and empty lines.
 * Returns 0, -ENOENT if there is no such file, -EINVAL for a malformed line
 * (gf->err says which).
 */
static int golden_load(const char *path, struct golden_file *gf)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	int lineno = 0;

	memset(gf, 0, sizeof(*gf));
	if (!f) {
		snprintf(gf->err, sizeof(gf->err), "%s: %s", path, strerror(errno));
		return -ENOENT;
	}
	while ((got = getline(&line, &cap, f)) >= 0) {
		char name[40], dir[8];
		struct golden *g;
		const char *h;
		int off = 0;
		size_t i, hl;

		lineno++;
		while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
			line[--got] = 0;
		if (!got || line[0] == '#')
			continue;
		if (sscanf(line, "%39s %7s %n", name, dir, &off) != 2 || !off ||
		    (strcmp(dir, "req") && strcmp(dir, "rep"))) {
			snprintf(gf->err, sizeof(gf->err), "%s:%d: not NAME req|rep HEX", path,
				 lineno);
			goto bad;
		}
		h = line + off;
		hl = strlen(h);
		if (!hl || hl % 2) {
			snprintf(gf->err, sizeof(gf->err), "%s:%d: %zu hex digits", path,
				 lineno, hl);
			goto bad;
		}
		g = realloc(gf->g, (gf->n + 1) * sizeof(*g));
		if (!g)
			abort();
		gf->g = g;
		g = &gf->g[gf->n++];
		memset(g, 0, sizeof(*g));
		snprintf(g->name, sizeof(g->name), "%s", name);
		g->reply = !strcmp(dir, "rep");
		g->line = lineno;
		g->len = hl / 2;
		g->bytes = malloc(g->len);
		if (!g->bytes)
			abort();
		for (i = 0; i < g->len; i++) {
			int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);

			if (hi < 0 || lo < 0) {
				snprintf(gf->err, sizeof(gf->err), "%s:%d: not hex at %zu", path,
					 lineno, off + 2 * i);
				goto bad;
			}
			g->bytes[i] = (unsigned char)(hi << 4 | lo);
		}
	}
	free(line);
	fclose(f);
	return 0;
bad:
	free(line);
	fclose(f);
	golden_free(gf);
	return -EINVAL;
}

static const struct golden *golden_find(const struct golden_file *gf, const char *name,
					int reply)
{
	size_t i;

	for (i = 0; i < gf->n; i++)
		if (gf->g[i].reply == reply && !strcmp(gf->g[i].name, name))
			return &gf->g[i];
	return NULL;
}

/* The golden message of (@op, @reply), encoded into @buf. */
static int golden_encode(unsigned int op, int reply, unsigned char *buf, size_t cap,
			 struct hc_msg *m, struct fill_store *st)
{
	int rc = golden_fill(m, st, op, reply);

	return rc ? rc : hc_encode(m, buf, cap);
}

static void hex_line(FILE *f, const char *name, int reply, const unsigned char *b, size_t n)
{
	size_t i;

	fprintf(f, "%s %s ", name, reply ? "rep" : "req");
	for (i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
	fputc('\n', f);
}

static void load_golden_or_fail(struct golden_file *gf)
{
	int rc = golden_load(golden_path(), gf);

	cr_assert_eq(rc, 0, "%s (run from the top of the repository, or set HC_GOLDEN; "
		     "a missing file is made by build/tests/test_codec --write-golden)",
		     gf->err);
}

static void expect_same_bytes(const char *ctx, const unsigned char *got, size_t gotlen,
			      const unsigned char *want, size_t wantlen)
{
	size_t i;

	for (i = 0; i < gotlen && i < wantlen && got[i] == want[i]; i++)
		;
	cr_expect(gotlen == wantlen && i == gotlen,
		  "%s: %zu bytes, want %zu; the first difference at byte %zu "
		  "(%02x, want %02x)", ctx, gotlen, wantlen, i,
		  i < gotlen ? got[i] : 0, i < wantlen ? want[i] : 0);
}

ParameterizedTestParameters(golden, every_message_matches_the_file)
{
	return every_op_both_ways();
}

/*
 * (a) Today's encoding of the golden message is the file's line, byte for
 * byte; (b) the line decodes to the golden values and re-encodes to itself.
 */
ParameterizedTest(struct opcase *c, golden, every_message_matches_the_file)
{
	static unsigned char buf[HC_MSG_MAX], re[HC_MSG_MAX];
	const char *name = hc_op_name(c->op);
	struct golden_file gf;
	const struct golden *g;
	struct fill_store st;
	struct hc_msg m, d;
	unsigned char *p;
	char ctx[80];
	int n, rc;

	snprintf(ctx, sizeof(ctx), "%s %s", name, dir_name(c->reply));
	load_golden_or_fail(&gf);
	g = golden_find(&gf, name, c->reply);
	cr_assert_not_null(g, "%s: %s has no line for it (an op added since: "
			   "build/tests/test_codec --write-golden adds the lines)",
			   ctx, golden_path());
	n = golden_encode(c->op, c->reply, buf, sizeof(buf), &m, &st);
	cr_assert_gt(n, 0, "%s: the golden message does not encode: %d", ctx, n);
	expect_same_bytes(ctx, buf, (size_t)n, g->bytes, g->len);

	p = guarded_copy(g->bytes, g->len);
	rc = hc_decode(&d, p, g->len);
	cr_assert_eq(rc, 0, "%s: line %d does not decode: %d", ctx, g->line, rc);
	expect_fields(ctx, hc_op_fields(c->op, c->reply), &d, &m, p, g->len);
	n = hc_encode(&d, re, sizeof(re));
	cr_assert_gt(n, 0, "%s: line %d decoded, re-encodes as %d", ctx, g->line, n);
	expect_same_bytes(ctx, re, (size_t)n, g->bytes, g->len);
	golden_free(&gf);
}

/* A request and a reply line for every op of HC_OP_LIST, and nothing else. */
Test(golden, the_file_has_every_op_once)
{
	struct golden_file gf;
	size_t i, j, k;
	int reply;

	load_golden_or_fail(&gf);
	for (k = 0; k < NOPS; k++)
		for (reply = 0; reply < 2; reply++)
			cr_expect_not_null(golden_find(&gf, want_ops[k].name, reply),
					   "%s has no %s line for %s (op %u)", golden_path(),
					   reply ? "rep" : "req", want_ops[k].name,
					   want_ops[k].nr);
	for (i = 0; i < gf.n; i++) {
		for (k = 0; k < NOPS && strcmp(want_ops[k].name, gf.g[i].name); k++)
			;
		cr_expect_lt(k, NOPS, "%s:%d: no op is named %s", golden_path(),
			     gf.g[i].line, gf.g[i].name);
		for (j = 0; j < i; j++)
			cr_expect(strcmp(gf.g[i].name, gf.g[j].name) ||
				  gf.g[i].reply != gf.g[j].reply,
				  "%s:%d: %s %s again", golden_path(), gf.g[i].line,
				  gf.g[i].name, gf.g[i].reply ? "rep" : "req");
	}
	cr_expect_eq(gf.n, 2 * NOPS, "%zu lines for %zu ops", gf.n, NOPS);
	golden_free(&gf);
}

/*
 * HELLO and OPENAT written out by hand from the layout of hostcall_proto.h's
 * header comment (24-byte header: u32 len, u16 op, u16 hflags, u32 tag,
 * u32 subject, s64 result; then the fields in hc_ops.h's order, each
 * little-endian) with golden_fill()'s values, so that the golden generator
 * is not only checked against itself.
 */
static const unsigned char hello_req_bytes[] = {
	0x28, 0x00, 0x00, 0x00,		/* len 40 = 24 + 4 + 4 + 8 */
	0x01, 0x00,			/* op 1, HELLO */
	0x00, 0x00,			/* hflags: a request, no fds */
	0x01, 0x00, 0x6b, 0x7a,		/* tag 0x7a6b0001 */
	0x01, 0x50, 0x00, 0x00,		/* subject 0x5001 */
	0, 0, 0, 0, 0, 0, 0, 0,		/* result 0 */
	0x00, 0x06, 0x01, 0x10,		/* version 0x10010600: "version" sums to 0x306 */
	0x01, 0x0d, 0x01, 0x10,		/* flags 0x10010d01: "flags" 0x20d */
	0x02, 0x00, 0x00, 0x00, 0xa7, 0x01, 0x00, 0x20, /* caps 0x200001a700000002: 0x1a7 */
};

static const unsigned char hello_rep_bytes[] = {
	0x2c, 0x00, 0x00, 0x00,		/* len 44 = 24 + 4 + 4 + 4 + 8 */
	0x01, 0x00,			/* op 1 */
	0x00, 0x80,			/* hflags HC_HF_REPLY */
	0x81, 0x00, 0x6b, 0x7a,		/* tag 0x7a6b0081 */
	0x01, 0x50, 0x00, 0x00,		/* subject 0x5001 */
	0x01, 0x01, 0, 0, 0, 0, 0, 0,	/* result 0x101 */
	0x00, 0x06, 0x81, 0x10,		/* version 0x10810600 */
	0x01, 0xec, 0x81, 0x10,		/* msg_max 0x1081ec01: "msg_max" 0x2ec */
	0x02, 0xe2, 0x81, 0x10,		/* fds_max 0x1081e202: "fds_max" 0x2e2 */
	0x03, 0x00, 0x00, 0x00, 0xa7, 0x81, 0x00, 0x20, /* caps 0x200081a700000003 */
};

static const unsigned char openat_req_bytes[] = {
	0x34, 0x00, 0x00, 0x00,		/* len 52 = 24 + 4 + 4 + 4 + 4 + 12 */
	0x02, 0x00,			/* op 2, OPENAT */
	0x01, 0x00,			/* hflags: one fd attached */
	0x02, 0x00, 0x6b, 0x7a,		/* tag 0x7a6b0002 */
	0x02, 0x50, 0x00, 0x00,		/* subject 0x5002 */
	0, 0, 0, 0, 0, 0, 0, 0,		/* result 0 */
	0xff, 0xf6, 0xfd, 0xff,		/* dirfd -(0x020900) - 1: "dirfd" 0x209 */
	0x01, 0x0d, 0x02, 0x10,		/* flags 0x10020d01 */
	0x02, 0xa5, 0x02, 0x10,		/* mode 0x1002a502: "mode" 0x1a5 */
	0x0c, 0x00, 0x00, 0x00,		/* path: 12 bytes with the NUL */
	'o', 'p', 'e', 'n', 'a', 't', '/', 'p', 'a', 't', 'h', 0,
};

static const unsigned char openat_rep_bytes[] = {
	0x18, 0x00, 0x00, 0x00,		/* len 24: no fields */
	0x02, 0x00,			/* op 2 */
	0x01, 0x80,			/* hflags HC_HF_REPLY, one fd */
	0x82, 0x00, 0x6b, 0x7a,		/* tag 0x7a6b0082 */
	0x02, 0x50, 0x00, 0x00,		/* subject 0x5002 */
	0x02, 0x02, 0, 0, 0, 0, 0, 0,	/* result 0x202 */
};

static void expect_by_hand(unsigned int op, int reply, const unsigned char *want, size_t n)
{
	static unsigned char buf[256];
	struct golden_file gf;
	const struct golden *g;
	struct fill_store st;
	struct hc_msg m;
	char ctx[64];
	int len;

	snprintf(ctx, sizeof(ctx), "%s %s by hand", hc_op_name(op), dir_name(reply));
	len = golden_encode(op, reply, buf, sizeof(buf), &m, &st);
	cr_assert_gt(len, 0);
	expect_same_bytes(ctx, buf, (size_t)len, want, n);
	load_golden_or_fail(&gf);
	g = golden_find(&gf, hc_op_name(op), reply);
	cr_assert_not_null(g, "%s: no line in %s", ctx, golden_path());
	expect_same_bytes(ctx, g->bytes, g->len, want, n);
	golden_free(&gf);
}

Test(golden, hello_written_by_hand)
{
	struct hc_msg d;

	expect_by_hand(HC_OP_HELLO, 0, hello_req_bytes, sizeof(hello_req_bytes));
	expect_by_hand(HC_OP_HELLO, 1, hello_rep_bytes, sizeof(hello_rep_bytes));
	cr_assert_eq(decode_guarded(&d, hello_req_bytes, sizeof(hello_req_bytes)), 0);
	cr_expect_eq(d.req.hello.version, 0x10010600u);
	cr_expect_eq(d.req.hello.flags, 0x10010d01u);
	cr_expect_eq(d.req.hello.caps, 0x200001a700000002ull);
	cr_assert_eq(decode_guarded(&d, hello_rep_bytes, sizeof(hello_rep_bytes)), 0);
	cr_expect_eq(d.result, 0x101);
	cr_expect_eq(d.rep.hello.version, 0x10810600u);
	cr_expect_eq(d.rep.hello.msg_max, 0x1081ec01u);
	cr_expect_eq(d.rep.hello.fds_max, 0x1081e202u);
	cr_expect_eq(d.rep.hello.caps, 0x200081a700000003ull);
}

Test(golden, openat_written_by_hand)
{
	struct hc_msg d;

	expect_by_hand(HC_OP_OPENAT, 0, openat_req_bytes, sizeof(openat_req_bytes));
	expect_by_hand(HC_OP_OPENAT, 1, openat_rep_bytes, sizeof(openat_rep_bytes));
	cr_assert_eq(decode_guarded(&d, openat_req_bytes, sizeof(openat_req_bytes)), 0);
	cr_expect_eq(d.hflags & HC_HF_NFDS_MASK, 1);
	cr_expect_eq(d.req.openat.dirfd, -0x020901);
	cr_expect_eq(d.req.openat.flags, 0x10020d01u);
	cr_expect_eq(d.req.openat.mode, 0x1002a502u);
	cr_expect_str_eq(d.req.openat.path, "openat/path");
	cr_assert_eq(decode_guarded(&d, openat_rep_bytes, sizeof(openat_rep_bytes)), 0);
	cr_expect_eq(d.hflags, HC_HF_REPLY | 1);
	cr_expect_eq(d.result, 0x202);
}

/*
 * --write-golden: add the lines @path lacks; a line already there that
 * today's encoding contradicts is reported and left as it is.
 */
static int write_golden(const char *path)
{
	static unsigned char buf[HC_MSG_MAX];
	struct golden_file gf;
	struct fill_store *st = malloc(sizeof(*st));
	struct hc_msg m;
	int rc = golden_load(path, &gf), added = 0, kept = 0, differ = 0, reply;
	size_t k;
	FILE *f;

	if (!st)
		return 1;
	if (rc == -EINVAL) {
		fprintf(stderr, "test_codec: %s\n", gf.err);
		return 1;
	}
	f = fopen(path, "a");
	if (!f) {
		fprintf(stderr, "test_codec: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (rc == -ENOENT)
		fprintf(f, "# hostcall protocol version 3: one golden message per line: the op's "
			"name, req or rep,\n# the message's bytes in hex. Made by "
			"build/tests/test_codec --write-golden from the\n# fixed values of "
			"golden_fill() in tests/unit/test_codec.c, which checks every line\n"
			"# against the codec. A released line never changes; --write-golden "
			"only adds\n# the lines of ops added since.\n");
	for (k = 0; k < NOPS; k++)
		for (reply = 0; reply < 2; reply++) {
			const struct golden *g = golden_find(&gf, want_ops[k].name, reply);
			int n = golden_encode(want_ops[k].nr, reply, buf, sizeof(buf), &m, st);

			if (n < 0) {
				fprintf(stderr, "test_codec: %s %s: encoding: %s\n",
					want_ops[k].name, dir_name(reply), strerror(-n));
				fclose(f);
				return 1;
			}
			if (!g) {
				hex_line(f, want_ops[k].name, reply, buf, (size_t)n);
				added++;
			} else if (g->len != (size_t)n || memcmp(g->bytes, buf, n)) {
				fprintf(stderr, "test_codec: %s:%d: %s %s is not today's encoding: "
					"left as it is\n", path, g->line, g->name,
					reply ? "rep" : "req");
				differ++;
			} else {
				kept++;
			}
		}
	if (fclose(f)) {
		fprintf(stderr, "test_codec: %s: %s\n", path, strerror(errno));
		return 1;
	}
	golden_free(&gf);
	free(st);
	printf("%s: %d lines added, %d kept, %d differ\n", path, added, kept, differ);
	return differ ? 1 : 0;
}

/* ---- truncation of every valid message ---- */

ParameterizedTestParameters(reject, every_truncation)
{
	return every_op_both_ways();
}

ParameterizedTest(struct opcase *c, reject, every_truncation)
{
	static unsigned char buf[HC_MSG_MAX];
	struct hc_msg m, d;
	struct fill_store st;
	size_t n, l;
	int rc, fix;

	n = encode_valid(buf, sizeof(buf), &m, &st, c->op, c->reply);
	for (fix = 0; fix < 2; fix++) {
		for (l = 0; l < n; l++) {
			unsigned char *p = guarded_copy(buf, l);

			if (fix && l >= 4)
				set_len(p, (hc_u32)l);
			rc = hc_decode(&d, p, l);
			cr_assert_lt(rc, 0, "%s %s cut to %zu of %zu bytes (length %s) "
				     "was accepted", hc_op_name(c->op), dir_name(c->reply), l,
				     n, fix ? "fixed up" : "left");
			cr_assert(rc == -EBADMSG, "%s cut to %zu: %d, want -EBADMSG",
				  hc_op_name(c->op), l, rc);
		}
	}
}

Test(reject, header_length_differs_from_received)
{
	static unsigned char buf[HC_MSG_MAX + 16];
	struct hc_msg m, d;
	struct fill_store st;
	size_t n = encode_valid(buf, sizeof(buf), &m, &st, HC_OP_OPENAT, 0);
	hc_u32 lie[] = { 0, 1, HC_HDR_SIZE, (hc_u32)n - 1, (hc_u32)n + 1,
			 HC_MSG_MAX, 0xffffffffu };
	size_t i;

	for (i = 0; i < sizeof(lie) / sizeof(lie[0]); i++) {
		set_len(buf, lie[i]);
		cr_expect_eq(decode_guarded(&d, buf, n), -EBADMSG,
			     "header says %u, received %zu", lie[i], n);
		cr_expect_eq(hc_decode_hdr(&d, guarded_copy(buf, n), n), -EBADMSG,
			     "hc_decode_hdr: header says %u, received %zu", lie[i], n);
	}
	/* received one byte more than the header says */
	set_len(buf, (hc_u32)n);
	buf[n] = 0;
	cr_expect_eq(decode_guarded(&d, buf, n + 1), -EBADMSG);
}

Test(reject, shorter_than_a_header)
{
	unsigned char buf[HC_HDR_SIZE] = { 0 };
	struct hc_msg d;
	size_t l;

	for (l = 0; l < HC_HDR_SIZE; l++) {
		if (l >= 4)
			set_len(buf, (hc_u32)l);
		cr_expect_eq(hc_decode_hdr(&d, guarded_copy(buf, l), l), -EBADMSG,
			     "%zu-byte header accepted", l);
		cr_expect_eq(hc_decode(&d, guarded_copy(buf, l), l), -EBADMSG,
			     "%zu-byte message accepted", l);
	}
}

Test(reject, longer_than_msg_max)
{
	static unsigned char buf[HC_MSG_MAX + 8];
	struct hc_msg d;
	size_t sizes[] = { HC_MSG_MAX + 1, HC_MSG_MAX + 4 };
	size_t i;

	for (i = 0; i < 2; i++) {
		memset(buf, 0, sizeof(buf));
		set_len(buf, (hc_u32)sizes[i]);
		buf[4] = HC_OP_WRITE;
		cr_expect_eq(decode_guarded(&d, buf, sizes[i]), -EBADMSG,
			     "%zu-byte message accepted", sizes[i]);
	}
	/* and a write whose blob would make it just over the limit */
	cr_expect_eq(write_blob(HC_MSG_MAX - 40 + 1, HC_MSG_MAX - 40 + 1), -EBADMSG);
}

Test(reject, strings)
{
	static char big[HC_PATH_MAX + 2];
	struct raw *r = malloc(sizeof(*r));
	struct hc_msg d;

	cr_expect_eq(openat_path(4, "abc", 4), 0, "a good path is rejected");
	cr_expect_eq(openat_path(4, "abcd", 4), -EBADMSG, "string without NUL");
	cr_expect_eq(openat_path(4, "a\0c", 4), -EBADMSG, "string with an inner NUL");
	cr_expect_eq(openat_path(4, "\0bc", 4), -EBADMSG, "string with a leading NUL");
	cr_expect_eq(openat_path(0, "", 0), -EBADMSG, "string with length 0");
	cr_expect_eq(openat_path(8, "abc", 4), -EBADMSG, "string past the end");
	cr_expect_eq(openat_path(1, "", 1), 0, "the empty string is rejected");

	/* HC_PATH_MAX characters and the NUL are fine; one more is not */
	memset(big, 'x', sizeof(big));
	big[HC_PATH_MAX] = 0;
	cr_expect_eq(openat_path(HC_PATH_MAX + 1, big, HC_PATH_MAX + 1), 0,
		     "a path of HC_PATH_MAX characters is rejected");
	big[HC_PATH_MAX] = 'x';
	big[HC_PATH_MAX + 1] = 0;
	cr_expect_eq(openat_path(HC_PATH_MAX + 2, big, HC_PATH_MAX + 2), -EBADMSG,
		     "a path of HC_PATH_MAX+1 characters is accepted");

	/* a name (the xattr's) has its own, smaller limit */
	memset(big, 'n', sizeof(big));
	big[HC_NAME_MAX + 1] = 0;
	raw_hdr(r, HC_OP_REMOVEXATTR, 0, 0);
	raw_u32(r, 3);		/* dirfd */
	raw_u32(r, 2);		/* path */
	raw_bytes(r, "p", 2);
	raw_u32(r, 0);		/* flags */
	raw_u32(r, HC_NAME_MAX + 2);	/* name */
	raw_bytes(r, big, HC_NAME_MAX + 2);
	cr_expect_eq(raw_decode(r), -EBADMSG, "a %d-character xattr name is accepted",
		     HC_NAME_MAX + 1);
	r->n -= HC_NAME_MAX + 2 + 4;
	big[HC_NAME_MAX] = 0;
	raw_u32(r, HC_NAME_MAX + 1);
	raw_bytes(r, big, HC_NAME_MAX + 1);
	cr_expect_eq(decode_guarded(&d, r->b, raw_done(r)), 0);
	cr_expect_eq(strlen(d.req.removexattr.name), HC_NAME_MAX);

	/* a reply string (readlinkat's target) is checked the same way */
	raw_hdr(r, HC_OP_READLINKAT, HC_HF_REPLY, 3);
	raw_u32(r, 3);
	raw_bytes(r, "ab\n", 3);
	cr_expect_eq(raw_decode(r), -EBADMSG, "reply string without NUL");
	raw_hdr(r, HC_OP_READLINKAT, HC_HF_REPLY, 2);
	raw_u32(r, 3);
	raw_bytes(r, "ab", 3);
	cr_expect_eq(decode_guarded(&d, r->b, raw_done(r)), 0);
	cr_expect_str_eq(d.rep.readlinkat.target, "ab");
	free(r);
}

Test(reject, blobs)
{
	cr_expect_eq(write_blob(10, 10), 0, "a good write is rejected");
	cr_expect_eq(write_blob(0, 0), 0, "an empty write is rejected");
	cr_expect_eq(write_blob(HC_DATA_MAX, HC_DATA_MAX), 0,
		     "a blob of HC_DATA_MAX is rejected");
	cr_expect_eq(write_blob(HC_DATA_MAX + 1, HC_DATA_MAX + 1), -EBADMSG,
		     "a blob over HC_DATA_MAX is accepted");
	cr_expect_eq(write_blob(100, 50), -EBADMSG, "blob past the end");
	cr_expect_eq(write_blob(11, 10), -EBADMSG, "blob one byte past the end");
	cr_expect_eq(write_blob(9, 10), -EBADMSG, "trailing byte after a blob");
}

/* Lengths that wrap pointer or size arithmetic if added unchecked. */
Test(reject, huge_lengths)
{
	static const hc_u32 huge[] = { 0xffffffffu, 0xfffffffcu, 0xfffffff0u,
				       0x80000000u, 0x7fffffffu, HC_MSG_MAX };
	struct hc_msg d;
	size_t i;

	for (i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		cr_expect_eq(openat_path(huge[i], "abc", 4), -EBADMSG,
			     "string length %#x", huge[i]);
		cr_expect_eq(write_blob(huge[i], 16), -EBADMSG, "blob length %#x", huge[i]);
		cr_expect_eq(spawn_argv(1, huge[i], "a", 2), -EBADMSG,
			     "argv length %#x", huge[i]);
		cr_expect_eq(spawn_argv(huge[i], 2, "a", 2), -EBADMSG,
			     "argv count %#x", huge[i]);
		cr_expect_eq(spawn_fdmap(huge[i], 2, &d), -EBADMSG, "fdmap count %#x",
			     huge[i]);
		cr_expect_eq(spawn_handles(huge[i], 2, &d), -EBADMSG, "handles count %#x",
			     huge[i]);
	}
}

Test(reject, string_vectors)
{
	static char nuls[HC_ARGV_MAX + 1];

	cr_expect_eq(spawn_argv(2, 5, "ab\0c", 5), 0, "a good argv is rejected");
	cr_expect_eq(spawn_argv(0, 0, "", 0), 0, "an empty argv is rejected");
	cr_expect_eq(spawn_argv(1, 5, "ab\0c", 5), -EBADMSG, "count 1 for 2 strings");
	cr_expect_eq(spawn_argv(3, 5, "ab\0c", 5), -EBADMSG, "count 3 for 2 strings");
	cr_expect_eq(spawn_argv(1, 0, "", 0), -EBADMSG, "count 1 for no strings");
	cr_expect_eq(spawn_argv(2, 4, "ab\0c", 4), -EBADMSG, "last string without NUL");
	cr_expect_eq(spawn_argv(1, 4, "ab\0c", 4), -EBADMSG,
		     "last string without NUL, count matching the NULs");
	cr_expect_eq(spawn_argv(HC_ARGV_MAX, HC_ARGV_MAX, nuls, HC_ARGV_MAX), 0,
		     "HC_ARGV_MAX empty strings are rejected");
	cr_expect_eq(spawn_argv(HC_ARGV_MAX + 1, HC_ARGV_MAX + 1, nuls, HC_ARGV_MAX + 1),
		     -EBADMSG, "more than HC_ARGV_MAX strings are accepted");
}

/* A u32 vector holds 0 to HC_FDS_MAX values; a count past it is malformed. */
Test(reject, u32_vector_over_fds_max)
{
	struct hc_msg d;
	hc_u32 i;

	cr_expect_eq(spawn_fdmap(0, 0, &d), 0, "an empty fdmap is rejected");
	cr_expect_eq(spawn_fdmap(HC_FDS_MAX, HC_FDS_MAX, &d), 0,
		     "an fdmap of HC_FDS_MAX is rejected");
	cr_assert_eq(d.req.spawn.fdmap.n, HC_FDS_MAX);
	for (i = 0; i < HC_FDS_MAX; i++)
		cr_expect_eq(d.req.spawn.fdmap.v[i], 3 + i);
	cr_expect_eq(spawn_fdmap(HC_FDS_MAX + 1, HC_FDS_MAX + 1, &d), -EBADMSG,
		     "an fdmap of HC_FDS_MAX + 1 is accepted");
	cr_expect_eq(spawn_fdmap(3, 2, &d), -EBADMSG, "an fdmap past the end");
	cr_expect_eq(spawn_fdmap(2, 3, &d), -EBADMSG, "a value after the fdmap");

	cr_expect_eq(spawn_handles(0, 0, &d), 0, "no handles rejected");
	cr_expect_eq(spawn_handles(HC_FDS_MAX, HC_FDS_MAX, &d), 0,
		     "HC_FDS_MAX handles rejected");
	cr_expect_eq(d.rep.spawn.handles.n, HC_FDS_MAX);
	cr_expect_eq(d.rep.spawn.handles.v[HC_FDS_MAX - 1], 100 + HC_FDS_MAX - 1);
	cr_expect_eq(spawn_handles(HC_FDS_MAX + 1, HC_FDS_MAX + 1, &d), -EBADMSG,
		     "HC_FDS_MAX + 1 handles accepted");
	cr_expect_eq(spawn_handles(1, 0, &d), -EBADMSG, "handles past the end");
}

ParameterizedTestParameters(reject, trailing_bytes)
{
	return every_op_both_ways();
}

ParameterizedTest(struct opcase *c, reject, trailing_bytes)
{
	static unsigned char buf[HC_MSG_MAX];
	struct hc_msg m, d;
	struct fill_store st;
	size_t n = encode_valid(buf, sizeof(buf), &m, &st, c->op, c->reply);
	size_t extra;

	for (extra = 1; extra <= 9; extra += 4) {
		memset(buf + n, 0, extra);
		set_len(buf, (hc_u32)(n + extra));
		cr_expect_eq(decode_guarded(&d, buf, n + extra), -EBADMSG,
			     "%s %s with %zu trailing bytes", hc_op_name(c->op),
			     dir_name(c->reply), extra);
	}
}

Test(reject, unknown_op_is_enosys_with_a_valid_header)
{
	static const unsigned int bad[] = { 0, RETIRED_SPAWN_KEEP, HC_OP_MAX, HC_OP_MAX + 1,
					    0x7fff, 0xffff };
	struct raw *r = malloc(sizeof(*r));
	struct hc_msg d, m = { 0 };
	unsigned char buf[64];
	size_t i;
	int reply;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (reply = 0; reply < 2; reply++) {
			raw_hdr(r, (hc_u16)bad[i], reply ? HC_HF_REPLY : 0, 0);
			raw_u32(r, 1);
			cr_expect_eq(raw_decode(r), -ENOSYS, "op %u", bad[i]);
			decode_guarded(&d, r->b, r->n);
			cr_expect_eq(d.op, (hc_u16)bad[i], "op %u: header not kept", bad[i]);
			cr_expect_eq(d.tag, 0x11223344, "op %u: tag not kept", bad[i]);

			/* a bare header of an unknown op is no better */
			raw_hdr(r, (hc_u16)bad[i], reply ? HC_HF_REPLY : 0, 0);
			cr_expect_eq(raw_decode(r), -ENOSYS, "op %u, no body", bad[i]);

			m.op = (hc_u16)bad[i];
			m.hflags = reply ? HC_HF_REPLY : 0;
			cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -ENOSYS,
				     "encoding op %u", bad[i]);
		}
	}
	free(r);
}

/*
 * Op 39, SPAWN_KEEP of version 2, is retired: unknown both ways (a v2
 * client's SPAWN_KEEP gets -ENOSYS, with its header intact for the reply),
 * and the error reply that says so encodes and decodes.
 */
Test(reject, op_39_spawn_keep_is_retired)
{
	struct raw *r = malloc(sizeof(*r));
	unsigned char buf[HC_HDR_SIZE];
	struct hc_msg d, m = { .op = RETIRED_SPAWN_KEEP, .tag = 5 };

	cr_expect_null(hc_op_name(RETIRED_SPAWN_KEEP));
	cr_expect_eq(hc_op_flags(RETIRED_SPAWN_KEEP), -ENOSYS);
	cr_expect_null(hc_op_fields(RETIRED_SPAWN_KEEP, 0));
	cr_expect_null(hc_op_fields(RETIRED_SPAWN_KEEP, 1));
	cr_expect(HC_OP_SPAWN != RETIRED_SPAWN_KEEP && HC_OP_BYE != RETIRED_SPAWN_KEEP);

	/* a version-2 SPAWN_KEEP: flags, stdio packed in arg, size in arg2, cwd… */
	raw_hdr(r, RETIRED_SPAWN_KEEP, 0, 0);
	raw_u32(r, HC_SPAWN_NEWPGRP);
	raw_u32(r, HC_STDIO_PIPE | HC_STDIO_PIPE << 8);
	raw_u32(r, 24 << 16 | 80);
	raw_u32(r, 1);
	raw_bytes(r, "", 1);
	raw_u32(r, 1);
	raw_u32(r, 10);
	raw_bytes(r, "/bin/true", 10);
	raw_u32(r, 0);
	raw_u32(r, 0);
	cr_expect_eq(raw_decode(r), -ENOSYS, "a version-2 SPAWN_KEEP decodes");
	decode_guarded(&d, r->b, r->n);
	cr_expect_eq(d.op, RETIRED_SPAWN_KEEP);
	cr_expect_eq(d.tag, 0x11223344);

	cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -ENOSYS, "a request of op 39 encodes");
	m.hflags = HC_HF_REPLY;
	cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -ENOSYS, "a reply of op 39 encodes");
	m.result = -ENOSYS;
	cr_assert_eq(hc_encode(&m, buf, sizeof(buf)), HC_HDR_SIZE);
	cr_expect_eq(decode_guarded(&d, buf, HC_HDR_SIZE), 0);
	cr_expect_eq(d.result, -ENOSYS);
	cr_expect_eq(d.op, RETIRED_SPAWN_KEEP);
	free(r);
}

/* The -ENOSYS answer to an op the peer does not know is a bare header. */
Test(encode, error_reply_to_an_unknown_op)
{
	static const unsigned int bad[] = { 0, RETIRED_SPAWN_KEEP, HC_OP_MAX, 0x7fff, 0xffff };
	unsigned char buf[64];
	struct hc_msg m = { 0 }, d;
	size_t i;
	int n, rc;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m.op = (hc_u16)bad[i];
		m.hflags = HC_HF_REPLY;
		m.tag = 0xabcdef01;
		m.result = -ENOSYS;
		n = hc_encode(&m, buf, sizeof(buf));
		cr_assert_eq(n, HC_HDR_SIZE, "error reply to op %u: %d", bad[i], n);
		rc = decode_guarded(&d, buf, n);
		/* an error reply is a bare header, and decodes for any op */
		cr_expect_eq(rc, 0, "error reply to op %u decodes as %d", bad[i], rc);
		cr_expect_eq(d.op, (hc_u16)bad[i]);
		cr_expect_eq(d.tag, 0xabcdef01);
		cr_expect_eq(d.result, -ENOSYS);
		cr_expect_eq(d.hflags, HC_HF_REPLY);

		/* only an error reply: a success reply or a request stays -ENOSYS */
		m.result = 0;
		cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -ENOSYS,
			     "success reply to op %u encodes", bad[i]);
		m.hflags = 0;
		m.result = -ENOSYS;
		cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -ENOSYS,
			     "request of op %u with a negative result encodes", bad[i]);
	}
}

/* ---- the encoder's limits ---- */

ParameterizedTestParameters(encode, too_small_buffer)
{
	return every_op_both_ways();
}

ParameterizedTest(struct opcase *c, encode, too_small_buffer)
{
	static unsigned char buf[HC_MSG_MAX];
	struct hc_msg m;
	struct fill_store st;
	size_t n = encode_valid(buf, sizeof(buf), &m, &st, c->op, c->reply);
	size_t cap;

	guarded_copy("", 0);
	for (cap = 0; cap < n; cap++) {
		/* the buffer ends at the guard page: a write past cap crashes */
		int rc = hc_encode(&m, guard_end - cap, cap);

		cr_assert_eq(rc, -EMSGSIZE, "%s %s into %zu of %zu bytes: %d",
			     hc_op_name(c->op), dir_name(c->reply), cap, n, rc);
	}
	cr_expect_eq(hc_encode(&m, guard_end - n, n), (int)n);
}

Test(encode, over_the_limits)
{
	static char path[HC_PATH_MAX + 2];
	static unsigned char data[HC_DATA_MAX + 1];
	static unsigned char buf[2 * HC_MSG_MAX];
	struct hc_msg m = { 0 };
	int rc;

	memset(path, 'x', HC_PATH_MAX + 1);
	m.op = HC_OP_OPENAT;
	m.req.openat.path = path;
	rc = hc_encode(&m, buf, sizeof(buf));
	cr_expect_eq(rc, -ENAMETOOLONG, "a %d-byte path encodes: %d", HC_PATH_MAX + 1, rc);

	m.req.openat.path = NULL;
	cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EINVAL, "a NULL path encodes");

	memset(&m, 0, sizeof(m));
	m.op = HC_OP_GETXATTR;
	m.req.getxattr.path = "f";
	memset(path, 'n', HC_NAME_MAX + 1);
	path[HC_NAME_MAX + 1] = 0;
	m.req.getxattr.name = path;
	rc = hc_encode(&m, buf, sizeof(buf));
	cr_expect(rc == -EINVAL || rc == -ENAMETOOLONG,
		  "a %d-byte xattr name encodes: %d", HC_NAME_MAX + 1, rc);

	memset(&m, 0, sizeof(m));
	m.op = HC_OP_WRITE;
	m.req.write.data = (struct hc_blob){ data, HC_DATA_MAX + 1 };
	rc = hc_encode(&m, buf, sizeof(buf));
	cr_expect(rc == -EMSGSIZE || rc == -EINVAL, "a blob over HC_DATA_MAX encodes: %d", rc);
	m.req.write.data.len = 0xffffffffu;
	rc = hc_encode(&m, buf, sizeof(buf));
	cr_expect(rc == -EMSGSIZE || rc == -EINVAL, "a 4 GiB blob encodes: %d", rc);
	m.req.write.data = (struct hc_blob){ NULL, 5 };
	cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EINVAL, "a NULL blob encodes");

	/* each field within its limit, the whole over HC_MSG_MAX: a big cap does not help */
	memset(&m, 0, sizeof(m));
	memset(path, 'p', HC_PATH_MAX);
	path[HC_PATH_MAX] = 0;
	m.op = HC_OP_SETXATTR;
	m.req.setxattr.path = path;
	m.req.setxattr.name = "user.x";
	m.req.setxattr.value = (struct hc_blob){ data, HC_DATA_MAX };
	cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EMSGSIZE,
		     "a message over HC_MSG_MAX encodes");
}

/*
 * Every string field of every op: NULL is -EINVAL, one byte over its limit
 * -ENAMETOOLONG, exactly its limit travels.
 */
Test(encode, every_string_field_is_bounded)
{
	static char big[HC_PATH_MAX + 2];
	static unsigned char buf[HC_MSG_MAX];
	size_t k;
	int reply, tried = 0;

	for (k = 0; k < NOPS; k++)
		for (reply = 0; reply < 2; reply++) {
			unsigned int op = want_ops[k].nr;
			const struct hc_field *f;

			for (f = hc_op_fields(op, reply); f->type != HC_T_END; f++) {
				size_t max = f->type == HC_T_PATH ? HC_PATH_MAX : HC_NAME_MAX;
				struct fill_store st;
				struct hc_msg m, d;
				int n;

				if (f->type != HC_T_PATH && f->type != HC_T_NAME)
					continue;
				tried++;
				fill_msg(&m, &st, op, reply);
				*FLD(&m, f, cstr) = NULL;
				cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EINVAL,
					     "%s %s: a NULL %s encodes", hc_op_name(op),
					     dir_name(reply), f->name);
				memset(big, 'z', max + 1);
				big[max + 1] = 0;
				*FLD(&m, f, cstr) = big;
				cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -ENAMETOOLONG,
					     "%s %s: a %s of %zu bytes encodes", hc_op_name(op),
					     dir_name(reply), f->name, max + 1);
				big[max] = 0;
				n = hc_encode(&m, buf, sizeof(buf));
				cr_assert_gt(n, 0, "%s %s: a %s of %zu bytes: %d", hc_op_name(op),
					     dir_name(reply), f->name, max, n);
				cr_assert_eq(decode_guarded(&d, buf, n), 0);
				cr_expect_eq(strlen(*CFLD(&d, f, cstr)), max);
			}
		}
	cr_expect_geq(tried, 30, "only %d string fields", tried);
}

/* ---- flags and string vectors ---- */

Test(encode, string_vector_count_must_match)
{
	static const char v[] = "a\0b";	/* two strings, with the final NUL */
	unsigned char buf[256];
	struct hc_msg m = { 0 };
	struct hc_strv *sv[2] = { &m.req.spawn.argv, &m.req.spawn.envp };
	int i;

	m.op = HC_OP_SPAWN;
	m.req.spawn.cwd = "";
	for (i = 0; i < 2; i++) {
		*sv[i] = (struct hc_strv){ v, sizeof(v), 3 };
		cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EINVAL,
			     "count 3 for 2 strings encodes");
		sv[i]->count = 2;
		cr_expect_gt(hc_encode(&m, buf, sizeof(buf)), 0,
			     "a matching vector does not encode");
		sv[i]->len = sizeof(v) - 1;	/* no final NUL */
		sv[i]->count = 1;
		cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EINVAL,
			     "an unterminated vector encodes");
		*sv[i] = (struct hc_strv){ v, sizeof(v), 2 };
	}
	m.req.spawn.argv.count = HC_ARGV_MAX + 1;
	cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EINVAL, "count over HC_ARGV_MAX");
}

/*
 * Every op that carries a blob or a vector, encoded with each of them empty
 * and NULL: valid, and decoded back as empty. (memcpy() of zero bytes from
 * NULL is undefined; the sanitizer build of this suite, make
 * sanitize-check, reports it as a failure.)
 */
Test(encode, empty_blobs_and_vectors_may_be_null)
{
	static unsigned char buf[HC_MSG_MAX];
	unsigned int tried = 0;
	size_t k;
	int reply;

	for (k = 0; k < NOPS; k++)
		for (reply = 0; reply < 2; reply++) {
			unsigned int op = want_ops[k].nr;
			const struct hc_field *f = hc_op_fields(op, reply), *g;
			struct fill_store st;
			struct hc_msg m, d;
			int n, rc;

			if (!has_type(f, HC_T_BLOB) && !has_type(f, HC_T_STRV) &&
			    !has_type(f, HC_T_U32V))
				continue;
			fill_msg(&m, &st, op, reply);
			for (g = f; g->type != HC_T_END; g++)
				if (g->type == HC_T_BLOB)
					*FLD(&m, g, struct hc_blob) = (struct hc_blob){ NULL, 0 };
				else if (g->type == HC_T_STRV)
					*FLD(&m, g, struct hc_strv) = (struct hc_strv){ NULL, 0, 0 };
				else if (g->type == HC_T_U32V)
					FLD(&m, g, struct hc_u32v)->n = 0;
			n = hc_encode(&m, buf, sizeof(buf));
			cr_assert_gt(n, 0, "%s %s with empty NULL blobs: %d", hc_op_name(op),
				     dir_name(reply), n);
			rc = decode_guarded(&d, buf, n);
			cr_assert_eq(rc, 0, "%s: decode: %d", hc_op_name(op), rc);
			for (g = f; g->type != HC_T_END; g++)
				if (g->type == HC_T_BLOB)
					cr_expect_eq(CFLD(&d, g, struct hc_blob)->len, 0,
						     "%s: %s decoded as non-empty",
						     hc_op_name(op), g->name);
				else if (g->type == HC_T_STRV)
					cr_expect_eq(CFLD(&d, g, struct hc_strv)->len +
						     CFLD(&d, g, struct hc_strv)->count, 0,
						     "%s: %s decoded as non-empty",
						     hc_op_name(op), g->name);
				else if (g->type == HC_T_U32V)
					cr_expect_eq(CFLD(&d, g, struct hc_u32v)->n, 0,
						     "%s: %s decoded as non-empty",
						     hc_op_name(op), g->name);
			tried++;
		}
	cr_expect_geq(tried, 6, "only %u op layouts carry a blob or a vector", tried);
}

/* A NULL vector or blob with a length is refused, never dereferenced. */
Test(encode, null_vector_with_a_length_is_einval)
{
	static unsigned char buf[HC_MSG_MAX];
	unsigned int tried = 0;
	size_t k;
	int reply;

	for (k = 0; k < NOPS; k++)
		for (reply = 0; reply < 2; reply++) {
			unsigned int op = want_ops[k].nr;
			const struct hc_field *f;

			for (f = hc_op_fields(op, reply); f->type != HC_T_END; f++) {
				struct fill_store st;
				struct hc_msg m;

				if (f->type != HC_T_BLOB && f->type != HC_T_STRV)
					continue;
				tried++;
				fill_msg(&m, &st, op, reply);
				if (f->type == HC_T_BLOB) {
					*FLD(&m, f, struct hc_blob) = (struct hc_blob){ NULL, 4 };
					cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EINVAL,
						     "%s: a NULL %s of 4 bytes", hc_op_name(op),
						     f->name);
					continue;
				}
				*FLD(&m, f, struct hc_strv) = (struct hc_strv){ NULL, 5, 1 };
				cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EINVAL,
					     "%s: a NULL %s of 5 bytes", hc_op_name(op), f->name);
				*FLD(&m, f, struct hc_strv) = (struct hc_strv){ NULL, 0, 1 };
				cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EINVAL,
					     "%s: a NULL %s of 1 string", hc_op_name(op), f->name);
				*FLD(&m, f, struct hc_strv) = (struct hc_strv){ NULL, 0, 0 };
				cr_expect_gt(hc_encode(&m, buf, sizeof(buf)), 0,
					     "%s: an empty NULL %s", hc_op_name(op), f->name);
			}
		}
	cr_expect_geq(tried, 8, "only %u blobs and vectors", tried);
}

/* A u32 vector over HC_FDS_MAX does not encode, whatever its op. */
Test(encode, u32_vector_over_fds_max)
{
	static unsigned char buf[HC_MSG_MAX];
	static const hc_u32 over[] = { HC_FDS_MAX + 1, 0x100, 0x80000000u, 0xffffffffu };
	unsigned int tried = 0;
	size_t k, i;
	int reply;

	for (k = 0; k < NOPS; k++)
		for (reply = 0; reply < 2; reply++) {
			unsigned int op = want_ops[k].nr;
			const struct hc_field *f;

			for (f = hc_op_fields(op, reply); f->type != HC_T_END; f++) {
				struct fill_store st;
				struct hc_msg m, d;
				int n;

				if (f->type != HC_T_U32V)
					continue;
				tried++;
				fill_msg(&m, &st, op, reply);
				for (i = 0; i < sizeof(over) / sizeof(over[0]); i++) {
					FLD(&m, f, struct hc_u32v)->n = over[i];
					cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EINVAL,
						     "%s %s: %s of %u values encodes",
						     hc_op_name(op), dir_name(reply), f->name,
						     over[i]);
				}
				FLD(&m, f, struct hc_u32v)->n = HC_FDS_MAX;
				n = hc_encode(&m, buf, sizeof(buf));
				cr_assert_gt(n, 0, "%s: %s of HC_FDS_MAX values: %d",
					     hc_op_name(op), f->name, n);
				cr_assert_eq(decode_guarded(&d, buf, n), 0);
				cr_expect_eq(CFLD(&d, f, struct hc_u32v)->n, HC_FDS_MAX);
				cr_expect_eq(CFLD(&d, f, struct hc_u32v)->v[HC_FDS_MAX - 1],
					     CFLD(&m, f, struct hc_u32v)->v[HC_FDS_MAX - 1]);
			}
		}
	cr_expect_geq(tried, 2, "only %u u32 vectors (spawn's fdmap and handles)", tried);
}

/* ---- HELLO across versions ---- */

/*
 * A version-2 client's HELLO, byte for byte as version 2 sent it (the
 * header, u32 version 2, u32 flags): not malformed but too old,
 * -EPROTONOSUPPORT, with the version it speaks decoded for the host's log.
 */
Test(hello, version_2_is_eprotonosupport)
{
	static const unsigned char v2_hello[] = {
		0x20, 0x00, 0x00, 0x00,		/* len 32 */
		0x01, 0x00,			/* op 1, HELLO */
		0x00, 0x00,			/* hflags */
		0x2a, 0x00, 0x00, 0x00,		/* tag 42 */
		0x00, 0x00, 0x00, 0x00,		/* subject 0 */
		0, 0, 0, 0, 0, 0, 0, 0,		/* result */
		0x02, 0x00, 0x00, 0x00,		/* version 2 */
		0x01, 0x00, 0x00, 0x00,		/* flags HC_HELLO_KEEP_HANDLES */
	};
	unsigned char b[sizeof(v2_hello)];
	struct hc_msg d;
	hc_u32 v;

	cr_assert_eq(decode_guarded(&d, v2_hello, sizeof(v2_hello)), -EPROTONOSUPPORT);
	cr_expect_eq(d.req.hello.version, 2, "version %u", d.req.hello.version);
	cr_expect_eq(d.op, HC_OP_HELLO);
	cr_expect_eq(d.tag, 42, "the tag, for the error reply");

	/* so are versions 0 and 1, and a HELLO with only its version */
	memcpy(b, v2_hello, sizeof(b));
	for (v = 0; v < HC_PROTO_VERSION_MIN; v++) {
		b[HC_HDR_SIZE] = (unsigned char)v;
		cr_expect_eq(decode_guarded(&d, b, sizeof(b)), -EPROTONOSUPPORT, "version %u", v);
		cr_expect_eq(d.req.hello.version, v);
	}
	set_len(b, HC_HDR_SIZE + 4);
	cr_expect_eq(decode_guarded(&d, b, HC_HDR_SIZE + 4), -EPROTONOSUPPORT);

	/* version 3 in version 2's layout is short: malformed */
	set_len(b, sizeof(b));
	b[HC_HDR_SIZE] = HC_PROTO_VERSION;
	cr_expect_eq(decode_guarded(&d, b, sizeof(b)), -EBADMSG);
	/* a HELLO with no version at all */
	set_len(b, HC_HDR_SIZE);
	cr_expect_eq(decode_guarded(&d, b, HC_HDR_SIZE), -EBADMSG);
	/* only a request: a reply's version is the client's to judge */
	set_len(b, sizeof(b));
	b[7] = HC_HF_REPLY >> 8;
	b[HC_HDR_SIZE] = 2;
	cr_expect_eq(decode_guarded(&d, b, sizeof(b)), -EBADMSG);
}

/*
 * What each side of a version mismatch gets: the host's -EPROTONOSUPPORT
 * answer is a bare error reply (which a version-2 client decodes); a
 * version-2 hostcalld's HELLO reply (u32 version 2, u64 msg_max) does not
 * decode as version 3's, so a new client tells "update hostcalld".
 */
Test(hello, mismatch_replies)
{
	struct raw *r = malloc(sizeof(*r));
	unsigned char buf[64];
	struct hc_msg m = { .op = HC_OP_HELLO, .hflags = HC_HF_REPLY, .tag = 42,
			    .result = -EPROTONOSUPPORT }, d;
	int n = hc_encode(&m, buf, sizeof(buf));

	cr_assert_eq(n, HC_HDR_SIZE);
	cr_expect_eq(decode_guarded(&d, buf, n), 0);
	cr_expect_eq(d.result, -EPROTONOSUPPORT);

	raw_hdr(r, HC_OP_HELLO, HC_HF_REPLY, 1);
	raw_u32(r, 2);
	raw_u64(r, HC_MSG_MAX);
	cr_expect_eq(raw_decode(r), -EBADMSG, "a version-2 HELLO reply decodes");
	free(r);
}

/* Newer clients are not the codec's to refuse: the host answers its version. */
Test(hello, newer_versions_decode)
{
	static const hc_u32 vers[] = { HC_PROTO_VERSION, HC_PROTO_VERSION + 1, 0x7fffffff,
				       0xffffffffu };
	unsigned char buf[64];
	struct hc_msg m = { .op = HC_OP_HELLO, .tag = 3 }, d;
	size_t i;
	int n;

	cr_assert_eq(HC_PROTO_VERSION, 3);
	cr_assert_leq(HC_PROTO_VERSION_MIN, HC_PROTO_VERSION);
	for (i = 0; i < sizeof(vers) / sizeof(vers[0]); i++) {
		m.req.hello.version = vers[i];
		m.req.hello.caps = ~0ull;
		n = hc_encode(&m, buf, sizeof(buf));
		cr_assert_eq(n, HC_HDR_SIZE + 16);
		cr_expect_eq(decode_guarded(&d, buf, n), 0, "version %u", vers[i]);
		cr_expect_eq(d.req.hello.version, vers[i]);
		cr_expect_eq(d.req.hello.caps, ~0ull);
	}
}

Test(hello, flags_and_caps_travel_as_sent)
{
	unsigned char buf[64];
	struct hc_msg m = { .op = HC_OP_HELLO, .tag = 1 }, d;
	int n, rc;

	m.req.hello.version = HC_PROTO_VERSION;
	m.req.hello.flags = HC_HELLO_KEEP_HANDLES;
	m.req.hello.caps = HC_CAPS | 1ull << 40;
	cr_assert_eq(HC_HELLO_FLAGS & HC_HELLO_KEEP_HANDLES, HC_HELLO_KEEP_HANDLES,
		     "HC_HELLO_FLAGS must list every known flag");
	n = hc_encode(&m, buf, sizeof(buf));
	cr_assert_eq(n, HC_HDR_SIZE + 16, "hello request: %d bytes", n);
	rc = decode_guarded(&d, buf, n);
	cr_assert_eq(rc, 0);
	cr_expect_eq(d.req.hello.flags, HC_HELLO_KEEP_HANDLES);
	cr_expect_eq(d.req.hello.version, HC_PROTO_VERSION);
	cr_expect_eq(d.req.hello.caps, HC_CAPS | 1ull << 40);
	/* version, then the flags word, then caps: little-endian, as in version 2 */
	cr_expect_eq(le(buf + HC_HDR_SIZE, 4), HC_PROTO_VERSION);
	cr_expect_eq(buf[HC_HDR_SIZE + 4], HC_HELLO_KEEP_HANDLES);
	cr_expect_eq(le(buf + HC_HDR_SIZE + 8, 8), HC_CAPS | 1ull << 40);

	memset(&m, 0, sizeof(m));
	m.op = HC_OP_HELLO;
	m.hflags = HC_HF_REPLY;
	m.result = 7;
	m.rep.hello = (struct hc_rep_hello){ HC_PROTO_VERSION, HC_MSG_MAX, HC_FDS_MAX, HC_CAPS };
	n = hc_encode(&m, buf, sizeof(buf));
	cr_assert_eq(n, HC_HDR_SIZE + 20, "hello reply: %d bytes", n);
	cr_assert_eq(decode_guarded(&d, buf, n), 0);
	cr_expect_eq(d.rep.hello.version, HC_PROTO_VERSION);
	cr_expect_eq(d.rep.hello.msg_max, HC_MSG_MAX);
	cr_expect_eq(d.rep.hello.fds_max, HC_FDS_MAX);
	cr_expect_eq(d.rep.hello.caps, HC_CAPS);
	cr_expect_eq(d.result, 7);
}

Test(hello, bye_is_a_bare_header_both_ways_and_keeps_its_number)
{
	unsigned char buf[HC_HDR_SIZE + 8];
	struct hc_msg m = { .op = HC_OP_BYE, .tag = 77, .subject = 5 }, d;
	int n, rc, reply;

	/* op numbers are never reused: clients of every version rely on 38 */
	cr_assert_eq(HC_OP_BYE, 38);
	cr_assert_str_eq(hc_op_name(HC_OP_BYE), "bye");
	for (reply = 0; reply < 2; reply++) {
		m.hflags = reply ? HC_HF_REPLY : 0;
		n = hc_encode(&m, buf, sizeof(buf));
		cr_assert_eq(n, HC_HDR_SIZE, "bye %s: %d bytes", dir_name(reply), n);
		cr_assert_eq(buf[4] | buf[5] << 8, HC_OP_BYE);
		rc = decode_guarded(&d, buf, n);
		cr_assert_eq(rc, 0, "bye %s rejected: %d", dir_name(reply), rc);
		cr_expect_eq(d.op, HC_OP_BYE);
		cr_expect_eq(d.tag, 77);
		cr_expect_eq(d.subject, 5);

		/* a body is not allowed */
		buf[n] = 0;
		set_len(buf, n + 1);
		rc = decode_guarded(&d, buf, n + 1);
		cr_expect_eq(rc, -EBADMSG, "bye %s with a body: %d", dir_name(reply), rc);
	}
}

/* ---- directory records: hc_dirent_put() and hc_dirent_next() ---- */

static size_t reclen_of(size_t namelen)
{
	return (HC_DIRENT_HDR + namelen + 1 + 7) & ~(size_t)7;
}

Test(dirent, put_and_next_round_trip)
{
	static char longest[HC_NAME_MAX + 1];
	const char *names[] = { "a", ".", "..", "abcd", "abcde", "caf\xc3\xa9",
				"\x01\x7f\xff", "name with space", "twelve chars", longest };
	const size_t nn = sizeof(names) / sizeof(names[0]);
	static unsigned char buf[4096];
	struct hc_dirent d;
	size_t pos = 0, at[16], i, p;
	unsigned char *g;
	int rc;

	memset(longest, 'L', HC_NAME_MAX);
	memset(buf, 0xee, sizeof(buf));	/* padding must come out zero */
	for (i = 0; i < nn; i++) {
		size_t rl = reclen_of(strlen(names[i]));

		d = (struct hc_dirent){
			.ino = val64(1, (unsigned int)i), .off = -(hc_s64)i * 1000 - 1,
			.type = (hc_u8)i, .name = names[i], .namelen = strlen(names[i]),
		};
		at[i] = pos;
		cr_assert_eq(hc_dirent_put(buf, sizeof(buf), &pos, &d), 0, "put %s", names[i]);
		cr_expect_eq(pos - at[i], rl, "%s: reclen %zu, want %zu", names[i],
			     pos - at[i], rl);
		/* linux_dirent64, little-endian */
		cr_expect_eq(le(buf + at[i], 8), d.ino);
		cr_expect_eq(le(buf + at[i] + 8, 8), (hc_u64)d.off);
		cr_expect_eq(le(buf + at[i] + 16, 2), rl);
		cr_expect_eq(buf[at[i] + 18], d.type);
		cr_expect(memcmp(buf + at[i] + HC_DIRENT_HDR, names[i], d.namelen) == 0);
		for (p = at[i] + HC_DIRENT_HDR + d.namelen; p < pos; p++)
			cr_expect_eq(buf[p], 0, "%s: byte %zu of the record is %#x", names[i],
				     p - at[i], buf[p]);
	}
	cr_expect_eq(reclen_of(4), 24, "19 + 4 + 1 is 24 already");

	g = guarded_copy(buf, pos);
	for (i = 0, p = 0; (rc = hc_dirent_next(g, pos, &p, &d)) == 1; i++) {
		cr_assert_lt(i, nn);
		cr_expect_eq(d.ino, val64(1, (unsigned int)i));
		cr_expect_eq(d.off, -(hc_s64)i * 1000 - 1);
		cr_expect_eq(d.type, i);
		cr_expect_eq(d.namelen, strlen(names[i]));
		cr_expect_str_eq(d.name, names[i]);
		cr_expect_eq((const unsigned char *)d.name, g + at[i] + HC_DIRENT_HDR);
	}
	cr_expect_eq(rc, 0, "the walk ends with %d", rc);
	cr_expect_eq(i, nn, "%zu records of %zu", i, nn);
	cr_expect_eq(p, pos);
	cr_expect_eq(hc_dirent_next(g, pos, &p, &d), 0, "past the end");
	p = 0;
	cr_expect_eq(hc_dirent_next(g, 0, &p, &d), 0, "an empty blob has a record");
}

Test(dirent, put_rejects)
{
	static char big[HC_NAME_MAX + 2];
	struct hc_dirent d = { .ino = 1, .off = 2, .type = 8, .name = "abcde", .namelen = 5 };
	unsigned char *g;
	size_t pos, rl = reclen_of(5);

	memset(big, 'n', sizeof(big));
	guarded_copy("", 0);
	g = guard_end - 64;
	pos = 0;
	d.namelen = 0;
	cr_expect_eq(hc_dirent_put(g, 64, &pos, &d), -EINVAL, "an empty name");
	d = (struct hc_dirent){ .name = "a/b", .namelen = 3 };
	cr_expect_eq(hc_dirent_put(g, 64, &pos, &d), -EINVAL, "a name with '/'");
	d = (struct hc_dirent){ .name = "/", .namelen = 1 };
	cr_expect_eq(hc_dirent_put(g, 64, &pos, &d), -EINVAL, "the name \"/\"");
	d = (struct hc_dirent){ .name = "a\0b", .namelen = 3 };
	cr_expect_eq(hc_dirent_put(g, 64, &pos, &d), -EINVAL, "a name with a NUL");
	d = (struct hc_dirent){ .name = big, .namelen = HC_NAME_MAX + 1 };
	cr_expect_eq(hc_dirent_put(guard_end - 512, 512, &pos, &d), -EINVAL,
		     "a name over HC_NAME_MAX");
	d.namelen = HC_NAME_MAX;
	cr_expect_eq(hc_dirent_put(guard_end - 512, 512, &pos, &d), 0,
		     "a name of HC_NAME_MAX");
	cr_expect_eq(pos, reclen_of(HC_NAME_MAX));

	/* no room: the buffer ends at the guard page, nothing is written */
	d = (struct hc_dirent){ .ino = 1, .name = "abcde", .namelen = 5 };
	for (pos = 0; pos < rl; pos++) {
		size_t p = 0;

		cr_expect_eq(hc_dirent_put(guard_end - pos, pos, &p, &d), -ENOSPC,
			     "a %zu-byte record into %zu", rl, pos);
		cr_expect_eq(p, 0, "the position moved on a failure");
	}
	pos = 8;
	cr_expect_eq(hc_dirent_put(guard_end - rl - 4, rl + 4, &pos, &d), -ENOSPC,
		     "a record past the room from position 8");
	cr_expect_eq(pos, 8);
	pos = 100;
	cr_expect_eq(hc_dirent_put(guard_end - 64, 64, &pos, &d), -ENOSPC,
		     "a position past the room");
	pos = 0;
	cr_expect_eq(hc_dirent_put(guard_end - rl, rl, &pos, &d), 0, "an exact fit");
	cr_expect_eq(pos, rl);
}

/* A record at the start of @b: header with @reclen, then @name's @n bytes. */
static void mkrec(unsigned char *b, hc_u16 reclen, const void *name, size_t n)
{
	memset(b, 0, HC_DIRENT_HDR);
	b[0] = 7;		/* ino 7 */
	b[8] = 1;		/* off 1 */
	b[16] = reclen & 0xff;
	b[17] = reclen >> 8;
	b[18] = 8;		/* DT_REG */
	memcpy(b + HC_DIRENT_HDR, name, n);
}

/* hc_dirent_next() of the @len bytes of @b, placed against the guard page. */
static int next_of(const unsigned char *b, size_t len, size_t *pos)
{
	struct hc_dirent d;
	size_t p = 0;
	int rc;

	if (!pos)
		pos = &p;
	rc = hc_dirent_next(guarded_copy(b, len), len, pos, &d);
	return rc;
}

Test(dirent, next_rejects)
{
	static unsigned char b[1024];
	size_t pos;

	memset(b, 0, sizeof(b));
	mkrec(b, 24, "abcd", 5);
	cr_expect_eq(next_of(b, 24, NULL), 1, "a good record is rejected");

	/* short: less than a header and a one-byte name with its NUL */
	cr_expect_eq(next_of(b, 20, NULL), -EBADMSG, "a 20-byte record");
	cr_expect_eq(next_of(b, 1, NULL), -EBADMSG, "a 1-byte record");
	cr_expect_eq(next_of(b, HC_DIRENT_HDR, NULL), -EBADMSG, "a bare header");
	mkrec(b, 16, "abcd", 5);
	cr_expect_eq(next_of(b, 24, NULL), -EBADMSG, "reclen 16");
	mkrec(b, 0, "abcd", 5);
	cr_expect_eq(next_of(b, 24, NULL), -EBADMSG, "reclen 0 (a walk that never ends)");

	/* reclen not a multiple of 8 */
	mkrec(b, 25, "abcd", 5);
	cr_expect_eq(next_of(b, 32, NULL), -EBADMSG, "reclen 25");
	mkrec(b, 31, "abcd", 5);
	cr_expect_eq(next_of(b, 32, NULL), -EBADMSG, "reclen 31");

	/* reclen beyond the blob */
	mkrec(b, 32, "abcd", 5);
	cr_expect_eq(next_of(b, 24, NULL), -EBADMSG, "reclen 32 in 24 bytes");
	mkrec(b, 0xfff8, "abcd", 5);
	cr_expect_eq(next_of(b, 24, NULL), -EBADMSG, "reclen 0xfff8 in 24 bytes");

	/* the name: empty, with '/', without its NUL, over HC_NAME_MAX */
	mkrec(b, 24, "", 1);
	cr_expect_eq(next_of(b, 24, NULL), -EBADMSG, "an empty name");
	mkrec(b, 24, "a/b", 4);
	cr_expect_eq(next_of(b, 24, NULL), -EBADMSG, "a name with '/'");
	mkrec(b, 24, "/", 2);
	cr_expect_eq(next_of(b, 24, NULL), -EBADMSG, "the name \"/\"");
	mkrec(b, 24, "abcde", 5);
	cr_expect_eq(next_of(b, 24, NULL), -EBADMSG, "a name without its NUL");
	b[24] = 0;	/* a NUL right after the record does not count */
	cr_expect_eq(next_of(b, 32, NULL), -EBADMSG, "a name whose NUL is past reclen");
	memset(b + HC_DIRENT_HDR, 'n', HC_NAME_MAX + 1);
	b[HC_DIRENT_HDR + HC_NAME_MAX + 1] = 0;
	mkrec(b, (hc_u16)reclen_of(HC_NAME_MAX + 1), "n", 1);
	cr_expect_eq(next_of(b, reclen_of(HC_NAME_MAX + 1), NULL), -EBADMSG,
		     "a name of HC_NAME_MAX + 1");
	b[HC_DIRENT_HDR + HC_NAME_MAX] = 0;
	cr_expect_eq(next_of(b, reclen_of(HC_NAME_MAX + 1), NULL), 1,
		     "a name of HC_NAME_MAX");

	/* a bad record after a good one: the first is given, then the error */
	memset(b, 0, sizeof(b));
	mkrec(b, 24, "abcd", 5);
	mkrec(b + 24, 25, "x", 2);
	pos = 0;
	{
		unsigned char *g = guarded_copy(b, 48);
		struct hc_dirent d;

		cr_expect_eq(hc_dirent_next(g, 48, &pos, &d), 1);
		cr_expect_eq(pos, 24);
		cr_expect_eq(hc_dirent_next(g, 48, &pos, &d), -EBADMSG);
		/* and a good record followed by 7 stray bytes */
		pos = 0;
		g = guarded_copy(b, 31);
		cr_expect_eq(hc_dirent_next(g, 31, &pos, &d), 1);
		cr_expect_eq(hc_dirent_next(g, 31, &pos, &d), -EBADMSG);
	}
}

/* A GETDENTS reply carries the records in its dirents blob. */
Test(dirent, a_decoded_getdents_reply_walks)
{
	static const char *const names[] = { ".", "..", "file" };
	unsigned char recs[256], buf[512];
	struct hc_msg m = { .op = HC_OP_GETDENTS, .hflags = HC_HF_REPLY }, d;
	struct hc_dirent e;
	size_t pos = 0, i;
	unsigned char *g;
	int n;

	for (i = 0; i < 3; i++) {
		e = (struct hc_dirent){ .ino = 100 + i, .off = (hc_s64)i + 1, .type = 4,
					.name = names[i], .namelen = strlen(names[i]) };
		cr_assert_eq(hc_dirent_put(recs, sizeof(recs), &pos, &e), 0);
	}
	m.rep.getdents.dirents = (struct hc_blob){ recs, (hc_u32)pos };
	m.result = (hc_s64)pos;
	n = hc_encode(&m, buf, sizeof(buf));
	cr_assert_gt(n, 0);
	g = guarded_copy(buf, n);
	cr_assert_eq(hc_decode(&d, g, n), 0);
	cr_assert_eq(d.rep.getdents.dirents.len, pos);
	pos = 0;
	for (i = 0; hc_dirent_next(d.rep.getdents.dirents.ptr, d.rep.getdents.dirents.len,
				   &pos, &e) == 1; i++) {
		cr_assert_lt(i, 3);
		cr_expect_str_eq(e.name, names[i]);
		cr_expect_eq(e.ino, 100 + i);
		cr_expect_eq(e.off, (hc_s64)i + 1);
	}
	cr_expect_eq(i, 3);
}

Test(oflags, every_flag_round_trips)
{
	static const struct { int local; hc_u32 wire; const char *name; } map[] = {
		{ O_WRONLY, HC_O_WRONLY, "O_WRONLY" }, { O_RDWR, HC_O_RDWR, "O_RDWR" },
		{ O_CREAT, HC_O_CREAT, "O_CREAT" }, { O_EXCL, HC_O_EXCL, "O_EXCL" },
		{ O_NOCTTY, HC_O_NOCTTY, "O_NOCTTY" }, { O_TRUNC, HC_O_TRUNC, "O_TRUNC" },
		{ O_APPEND, HC_O_APPEND, "O_APPEND" },
		{ O_NONBLOCK, HC_O_NONBLOCK, "O_NONBLOCK" },
		{ O_DSYNC, HC_O_DSYNC, "O_DSYNC" }, { O_DIRECT, HC_O_DIRECT, "O_DIRECT" },
		{ O_DIRECTORY, HC_O_DIRECTORY, "O_DIRECTORY" },
		{ O_NOFOLLOW, HC_O_NOFOLLOW, "O_NOFOLLOW" },
		{ O_NOATIME, HC_O_NOATIME, "O_NOATIME" },
		{ O_CLOEXEC, HC_O_CLOEXEC, "O_CLOEXEC" }, { O_SYNC, HC_O_SYNC, "O_SYNC" },
		{ O_PATH, HC_O_PATH, "O_PATH" }, { O_TMPFILE, HC_O_TMPFILE, "O_TMPFILE" },
	};
	int all = 0;
	hc_u32 wall = 0;
	size_t i, j;

	cr_expect_eq(hc_oflags_to_wire(O_RDONLY), HC_O_RDONLY);
	cr_expect_eq(hc_oflags_from_wire(HC_O_RDONLY), O_RDONLY);
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		cr_expect_eq(hc_oflags_to_wire(map[i].local), map[i].wire,
			     "%s to the wire: %#x", map[i].name,
			     hc_oflags_to_wire(map[i].local));
		cr_expect_eq(hc_oflags_from_wire(map[i].wire), map[i].local,
			     "%s from the wire: %#x", map[i].name,
			     hc_oflags_from_wire(map[i].wire));
		/* every pair, so that one flag never leaks into another */
		for (j = 0; j < sizeof(map) / sizeof(map[0]); j++) {
			int l = map[i].local | map[j].local;

			if ((map[i].local | map[j].local) & O_RDWR &&
			    (map[i].local | map[j].local) & O_WRONLY)
				continue;
			cr_expect_eq(hc_oflags_from_wire(hc_oflags_to_wire(l)), l,
				     "%s|%s does not round-trip", map[i].name, map[j].name);
		}
		if (map[i].local != O_WRONLY) {
			all |= map[i].local;
			wall |= map[i].wire;
		}
	}
	cr_expect_eq(hc_oflags_to_wire(all), wall, "all flags: %#x, want %#x",
		     hc_oflags_to_wire(all), wall);
	cr_expect_eq(hc_oflags_from_wire(wall), all);
	/* O_SYNC contains O_DSYNC, O_TMPFILE contains O_DIRECTORY: the parts alone stay parts */
	cr_expect_eq(hc_oflags_from_wire(HC_O_DSYNC) & O_SYNC, O_DSYNC);
	cr_expect_eq(hc_oflags_from_wire(HC_O_DIRECTORY) & O_TMPFILE, O_DIRECTORY);
	/* unknown bits are dropped */
	cr_expect_eq(hc_oflags_to_wire(O_ASYNC), 0, "O_ASYNC reaches the wire");
	cr_expect_eq(hc_oflags_from_wire(0x40000000u), 0, "an unknown wire bit survives");
}

Test(strv, next_walks_every_string)
{
	static const char v[] = "a\0bb\0\0ccc";	/* 10 bytes with the final NUL */
	const char *want[] = { "a", "bb", "", "ccc" };
	struct hc_strv sv = { v, sizeof(v), 4 };
	hc_u32 pos = 0;
	const char *s;
	size_t i = 0;

	while ((s = hc_strv_next(&sv, &pos)) != NULL) {
		cr_assert_lt(i, 4, "more than 4 strings");
		cr_expect_str_eq(s, want[i], "string %zu: \"%s\"", i, s);
		i++;
	}
	cr_expect_eq(i, 4, "%zu strings, want 4", i);
	cr_expect_eq(pos, sizeof(v));
	pos = 0;
	sv.len = 0;
	cr_expect_null(hc_strv_next(&sv, &pos), "an empty vector has a string");
	sv = (struct hc_strv){ NULL, 5, 1 };
	cr_expect_null(hc_strv_next(&sv, &pos), "a NULL vector has a string");
}

Test(strv, next_walks_a_decoded_argv)
{
	static unsigned char buf[HC_MSG_MAX];
	struct hc_msg m, d;
	struct fill_store st;
	size_t n = encode_valid(buf, sizeof(buf), &m, &st, HC_OP_SPAWN, 0);
	const struct hc_strv *got = &d.req.spawn.argv, *want = &m.req.spawn.argv;
	hc_u32 pos = 0, wpos = 0;
	const char *s, *w;
	size_t i = 0;

	cr_assert_eq(decode_guarded(&d, buf, n), 0);
	cr_assert_geq(want->count, 4);
	while ((s = hc_strv_next(got, &pos)) != NULL) {
		w = hc_strv_next(want, &wpos);
		cr_assert_lt(i, got->count);
		cr_assert_not_null(w);
		cr_expect_str_eq(s, w);
		if (i == 1)
			cr_expect_str_eq(s, "-x");
		if (i == 2)
			cr_expect_str_eq(s, "");
		i++;
	}
	cr_expect_eq(i, want->count);
	pos = 0;
	cr_expect_eq(strncmp(hc_strv_next(&d.req.spawn.envp, &pos), "envp", 4), 0);
}

/* ---- random mutation ---- */

static hc_u64 rng_state = 0x5eed0f7e57c0dec5ull;	/* fixed: runs repeat */

static hc_u32 rnd(hc_u32 n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? (hc_u32)(rng_state % n) : 0;
}

Test(fuzz, mutated_messages_fail_or_reencode_identically, .timeout = 60)
{
	static unsigned char buf[HC_MSG_MAX + 64], re[HC_MSG_MAX];
	static const hc_u32 magic[] = { 0, 1, 2, 0xffffffffu, 0xfffffffcu, 0x80000000u,
					HC_DATA_MAX, HC_DATA_MAX + 1, HC_PATH_MAX + 1,
					HC_PATH_MAX + 2, HC_ARGV_MAX + 1, HC_MSG_MAX,
					HC_FDS_MAX, HC_FDS_MAX + 1, HC_NAME_MAX + 1 };
	struct hc_msg m, d;
	struct fill_store st;
	int iter, accepted = 0;

	for (iter = 0; iter < 20000; iter++) {
		unsigned int op = want_ops[rnd(NOPS)].nr;
		int reply = rnd(2);
		size_t n = encode_valid(buf, sizeof(buf), &m, &st, op, reply);
		int k, nmut = 1 + rnd(4), rc, rn;
		unsigned char *p;

		for (k = 0; k < nmut; k++) {
			size_t at = HC_HDR_SIZE + rnd(n > HC_HDR_SIZE ? n - HC_HDR_SIZE : 1);
			hc_u32 v;

			switch (rnd(7)) {
			case 0:	/* flip a bit */
				if (at < n)
					buf[at] ^= 1u << rnd(8);
				break;
			case 1:	/* a random byte, anywhere but the length */
				if (n > 4)
					buf[4 + rnd(n - 4)] = (unsigned char)rnd(256);
				break;
			case 2:	/* an interesting u32 where a length might be */
				v = magic[rnd(sizeof(magic) / sizeof(magic[0]))];
				if (at + 4 <= n)
					set_len(buf + at, v);
				break;
			case 3:	/* cut */
				n = rnd(n + 1);
				break;
			case 4:	/* grow */
				v = rnd(64);
				memset(buf + n, (int)rnd(2) * 0xff, v);
				n += v;
				break;
			case 5:	/* flip the reply bit or make the result negative */
				if (n >= HC_HDR_SIZE) {
					buf[7] ^= 0x80;
					if (rnd(2))
						buf[23] |= 0x80;
				}
				break;
			default: /* NUL into a string or a string vector */
				if (at < n)
					buf[at] = 0;
				break;
			}
		}
		if (n >= 4 && rnd(8))
			set_len(buf, (hc_u32)n);	/* mostly, so the body is parsed */

		p = guarded_copy(buf, n);
		rc = hc_decode(&d, p, n);
		if (rc == -EPROTONOSUPPORT) {
			cr_assert(d.op == HC_OP_HELLO && !(d.hflags & HC_HF_REPLY) &&
				  d.req.hello.version < HC_PROTO_VERSION_MIN,
				  "iteration %d: -EPROTONOSUPPORT for op %u version %u", iter,
				  d.op, d.req.hello.version);
			continue;
		}
		if (rc != 0) {
			cr_assert(rc == -EBADMSG || rc == -ENOSYS,
				  "iteration %d: decode returned %d", iter, rc);
			continue;
		}
		accepted++;
		rn = hc_encode(&d, re, sizeof(re));
		cr_assert_eq(rn, (int)n, "iteration %d: %s accepted as %zu bytes, "
			     "re-encoded as %d", iter, hc_op_name(d.op), n, rn);
		cr_assert(memcmp(re, p, n) == 0,
			  "iteration %d: %s re-encodes to other bytes", iter,
			  hc_op_name(d.op));
	}
	cr_log_info("fuzz: %d of 20000 mutated messages accepted", accepted);
	cr_expect_gt(accepted, 100, "the mutations never leave a valid message: "
		     "the loop tests only the rejection paths");
}

/* ---- main: criterion's, and the golden writer ---- */

int main(int argc, char *argv[])
{
	struct criterion_test_set *tests;
	int ok = 1;

	if (argc >= 2 && !strcmp(argv[1], "--write-golden")) {
		if (argc > 3) {
			fprintf(stderr, "usage: %s --write-golden [FILE]\n", argv[0]);
			return 2;
		}
		return write_golden(argc == 3 ? argv[2] : GOLDEN_FILE);
	}
	tests = criterion_initialize();
	if (criterion_handle_args(argc, argv, true))
		ok = criterion_run_all_tests(tests);
	criterion_finalize(tests);
	return ok ? 0 : 1;
}

/* ---- READDIRPLUS attrs records: hc_direntplus_put() and _next() ---- */

Test(direntplus, round_trip_bounds_and_bad_handles)
{
	unsigned char buf[3 * HC_DIRENTPLUS_REC];
	struct hc_stat st = { .mask = 0x7ff, .mode = 040755, .nlink = 3, .uid = 1000,
			      .ino = 0x1122334455667788ull, .size = 4096,
			      .mtime = { .sec = -5, .nsec = 999999999 } }, got;
	size_t pos = 0, p = 0;
	hc_s32 h;

	cr_assert_eq(hc_direntplus_put(buf, sizeof(buf), &pos, 7, &st), 0);
	memset(&got, 0, sizeof(got));
	cr_assert_eq(hc_direntplus_put(buf, sizeof(buf), &pos, -1, &got), 0);
	cr_expect_eq(pos, 2 * HC_DIRENTPLUS_REC);
	/* a record that does not fit is refused whole */
	cr_expect_eq(hc_direntplus_put(buf, 2 * HC_DIRENTPLUS_REC + 115, &pos, 1, &st), -ENOSPC);
	cr_expect_eq(pos, 2 * HC_DIRENTPLUS_REC);

	cr_assert_eq(hc_direntplus_next(buf, pos, &p, &h, &got), 1);
	cr_expect_eq(h, 7);
	cr_expect_eq(memcmp(&got, &st, sizeof(st)), 0, "the attributes come back as sent");
	cr_assert_eq(hc_direntplus_next(buf, pos, &p, &h, &got), 1);
	cr_expect_eq(h, -1);
	cr_expect_eq(hc_direntplus_next(buf, pos, &p, &h, &got), 0, "past the end");
	/* a short record, and a handle below -1 */
	p = 0;
	cr_expect_eq(hc_direntplus_next(buf, HC_DIRENTPLUS_REC - 1, &p, &h, &got), -EBADMSG);
	buf[3] = 0xff;
	buf[0] = 0xfe;
	p = 0;
	cr_expect_eq(hc_direntplus_next(buf, pos, &p, &h, &got), -EBADMSG);
	cr_expect_eq(p, 0, "a bad record does not advance");
}
