// SPDX-License-Identifier: GPL-2.0-only
/*
 * Criterion tests of the wire codec: a round trip of every op in both
 * directions, and rejection of truncated, oversized, overflowing and
 * otherwise malformed messages (placed against a guard page, so that any
 * read past the received bytes crashes the test instead of passing).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <criterion/alloc.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hostcall_proto.h"

#define NOPS	(HC_OP_MAX - 1)

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

static size_t nfields(const hc_u8 *f)
{
	size_t n = 0;

	while (f[n] != HC_FLD_END)
		n++;
	return n;
}

static int has_field(const hc_u8 *f, int fld)
{
	for (; *f != HC_FLD_END; f++)
		if (*f == fld)
			return 1;
	return 0;
}

/* Storage for the strings and blobs of one filled message. */
struct fill_store {
	char path[256], path2[256], name[64];
	unsigned char data[1024];
	char argv[128], envp[128];
};

static void fill_stat(struct hc_stat *s, unsigned int seed)
{
	unsigned int i = 100;

	s->mask = val32(seed, i++);
	s->mode = val32(seed, i++);
	s->nlink = val32(seed, i++);
	s->uid = val32(seed, i++);
	s->gid = val32(seed, i++);
	s->blksize = val32(seed, i++);
	s->ino = val64(seed, i++);
	s->size = val64(seed, i++);
	s->blocks = val64(seed, i++);
	s->dev_major = val32(seed, i++);
	s->dev_minor = val32(seed, i++);
	s->rdev_major = val32(seed, i++);
	s->rdev_minor = val32(seed, i++);
	s->atime.sec = -(hc_s64)(val64(seed, i++) >> 2);
	s->atime.nsec = 999999999;
	s->mtime.sec = (hc_s64)(val64(seed, i++) >> 1);
	s->mtime.nsec = val32(seed, i++);
	s->ctime.sec = (hc_s64)val64(seed, i++);
	s->ctime.nsec = 1;
	s->btime.sec = 1700000000 + seed;
	s->btime.nsec = val32(seed, i++);
}

static void fill_statfs(struct hc_statfs *s, unsigned int seed)
{
	unsigned int i = 200;

	s->type = val64(seed, i++);
	s->bsize = val64(seed, i++);
	s->blocks = val64(seed, i++);
	s->bfree = val64(seed, i++);
	s->bavail = val64(seed, i++);
	s->files = val64(seed, i++);
	s->ffree = val64(seed, i++);
	s->fsid = val64(seed, i++);
	s->namelen = val64(seed, i++);
	s->frsize = val64(seed, i++);
	s->flags = val64(seed, i++);
}

/* Fill every field @op lists (request or reply) with distinct values. */
static void fill_msg(struct hc_msg *m, struct fill_store *st, unsigned int op,
		     int reply)
{
	unsigned int seed = op * 2 + !!reply;
	const hc_u8 *f = hc_op_fields(op, reply);
	size_t i;

	cr_assert_not_null(f, "op %u has no field list", op);
	memset(m, 0, sizeof(*m));
	memset(st, 0, sizeof(*st));
	m->op = op;
	m->hflags = reply ? HC_HF_REPLY | 1 : 2;
	m->tag = val32(seed, 1);
	m->subject = val32(seed, 2);
	m->result = reply ? (hc_s64)(val64(seed, 3) >> 1) : 0;

	m->fd = (hc_s32)val32(seed, 10) | (hc_s32)0x80000000;	/* negative */
	m->fd2 = HC_AT_FDCWD - (int)seed;
	m->flags = val32(seed, 12);
	m->mode = val32(seed, 13);
	m->uid = val32(seed, 14);
	m->gid = val32(seed, 15);
	m->arg = val32(seed, 16);
	m->arg2 = val32(seed, 17);
	m->off = -(hc_s64)(val64(seed, 18) >> 3);
	m->len = val64(seed, 19) | (1ull << 63);
	m->dev = val64(seed, 20);
	m->times[0].sec = -1 - (hc_s64)seed;
	m->times[0].nsec = HC_UTIME_OMIT;
	m->times[1].sec = (hc_s64)(val64(seed, 21) >> 1);
	m->times[1].nsec = val32(seed, 22);
	fill_stat(&m->st, seed);
	fill_statfs(&m->sfs, seed);
	m->lk.type = HC_F_WRLCK;
	m->lk.whence = val32(seed, 30);
	m->lk.start = -(hc_s64)val32(seed, 31);
	m->lk.len = (hc_s64)val64(seed, 32);
	m->lk.pid = -(hc_s32)(val32(seed, 33) >> 1);

	snprintf(st->path, sizeof(st->path),
		 "/host/op %u/%s/caf\xc3\xa9/\x01\x7f\xff-%08x", op,
		 reply ? "reply" : "request", val32(seed, 40));
	snprintf(st->path2, sizeof(st->path2), "../second path %u/%x", op,
		 val32(seed, 41));
	snprintf(st->name, sizeof(st->name), "user.hostcall.%s.%u",
		 hc_op_name(op), seed);
	m->path = st->path;
	m->path2 = st->path2;
	m->name = st->name;

	m->datalen = 300 + 7 * seed;
	for (i = 0; i < m->datalen; i++)
		st->data[i] = (unsigned char)(i * 7 + seed);	/* includes NULs */
	m->data = st->data;

	/* argv: 4 strings, one of them empty; envp: 2 strings */
	m->argvlen = (hc_u32)snprintf(st->argv, sizeof(st->argv),
				      "prog%u|-x||arg with space|", op);
	for (i = 0; i < m->argvlen; i++)
		if (st->argv[i] == '|')
			st->argv[i] = 0;
	m->argv = st->argv;
	m->argc = 4;
	m->envplen = (hc_u32)snprintf(st->envp, sizeof(st->envp),
				      "HOME=/x|OP=%s|", hc_op_name(op));
	for (i = 0; i < m->envplen; i++)
		if (st->envp[i] == '|')
			st->envp[i] = 0;
	m->envp = st->envp;
	m->envc = 2;
	(void)f;
}

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

static void expect_str(const char *ctx, const char *what, const char *got,
		       const char *want)
{
	cr_assert_not_null(got, "%s: %s is NULL", ctx, what);
	cr_expect_str_eq(got, want, "%s: %s is \"%s\", want \"%s\"", ctx, what,
			 got, want);
}

/*
 * Compare the fields @f lists; every other field of @got must still be zero
 * (hc_decode_hdr zeroes them and the decoder must not touch them).
 */
static void expect_fields(const char *ctx, const hc_u8 *f,
			  const struct hc_msg *got, const struct hc_msg *want)
{
	static const struct hc_msg zero;
	int fld;

	cr_expect_eq(got->op, want->op, "%s: op", ctx);
	cr_expect_eq(got->hflags, want->hflags, "%s: hflags", ctx);
	cr_expect_eq(got->tag, want->tag, "%s: tag", ctx);
	cr_expect_eq(got->subject, want->subject, "%s: subject", ctx);
	cr_expect_eq(got->result, want->result, "%s: result", ctx);

	for (fld = HC_FLD_END + 1; fld < HC_FLD_COUNT; fld++) {
		int on = has_field(f, fld);
		const struct hc_msg *w = on ? want : &zero;

		switch (fld) {
		case HC_FLD_FD:
			cr_expect_eq(got->fd, w->fd, "%s: fd %d", ctx, got->fd);
			break;
		case HC_FLD_FD2:
			cr_expect_eq(got->fd2, w->fd2, "%s: fd2 %d", ctx, got->fd2);
			break;
		case HC_FLD_FLAGS:
			cr_expect_eq(got->flags, w->flags, "%s: flags", ctx);
			break;
		case HC_FLD_MODE:
			cr_expect_eq(got->mode, w->mode, "%s: mode", ctx);
			break;
		case HC_FLD_UID:
			cr_expect_eq(got->uid, w->uid, "%s: uid", ctx);
			break;
		case HC_FLD_GID:
			cr_expect_eq(got->gid, w->gid, "%s: gid", ctx);
			break;
		case HC_FLD_ARG:
			cr_expect_eq(got->arg, w->arg, "%s: arg", ctx);
			break;
		case HC_FLD_ARG2:
			cr_expect_eq(got->arg2, w->arg2, "%s: arg2", ctx);
			break;
		case HC_FLD_OFF:
			cr_expect_eq(got->off, w->off, "%s: off", ctx);
			break;
		case HC_FLD_LEN:
			cr_expect_eq(got->len, w->len, "%s: len", ctx);
			break;
		case HC_FLD_DEV:
			cr_expect_eq(got->dev, w->dev, "%s: dev", ctx);
			break;
		case HC_FLD_TIMES:
			EXPECT_TS(got->times[0], w->times[0], "times[0]");
			EXPECT_TS(got->times[1], w->times[1], "times[1]");
			break;
		case HC_FLD_STAT: {
			const struct hc_stat *a = &got->st, *b = &w->st;

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
			break;
		}
		case HC_FLD_STATFS: {
			const struct hc_statfs *a = &got->sfs, *b = &w->sfs;

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
			break;
		}
		case HC_FLD_LOCK:
			cr_expect_eq(got->lk.type, w->lk.type, "%s: lk.type", ctx);
			cr_expect_eq(got->lk.whence, w->lk.whence, "%s: lk.whence", ctx);
			cr_expect_eq(got->lk.start, w->lk.start, "%s: lk.start", ctx);
			cr_expect_eq(got->lk.len, w->lk.len, "%s: lk.len", ctx);
			cr_expect_eq(got->lk.pid, w->lk.pid, "%s: lk.pid", ctx);
			break;
		case HC_FLD_PATH:
			if (on)
				expect_str(ctx, "path", got->path, want->path);
			else
				cr_expect_null(got->path, "%s: path set", ctx);
			break;
		case HC_FLD_PATH2:
			if (on)
				expect_str(ctx, "path2", got->path2, want->path2);
			else
				cr_expect_null(got->path2, "%s: path2 set", ctx);
			break;
		case HC_FLD_NAME:
			if (on)
				expect_str(ctx, "name", got->name, want->name);
			else
				cr_expect_null(got->name, "%s: name set", ctx);
			break;
		case HC_FLD_DATA:
			expect_blob(ctx, "data", got->data, got->datalen,
				    w->data, w->datalen);
			if (!on)
				cr_expect_null(got->data, "%s: data set", ctx);
			break;
		case HC_FLD_ARGV:
			expect_blob(ctx, "argv", got->argv, got->argvlen,
				    w->argv, w->argvlen);
			cr_expect_eq(got->argc, w->argc, "%s: argc", ctx);
			break;
		case HC_FLD_ENVP:
			expect_blob(ctx, "envp", got->envp, got->envplen,
				    w->envp, w->envplen);
			cr_expect_eq(got->envc, w->envc, "%s: envc", ctx);
			break;
		default:
			cr_assert_fail("%s: field %d has no comparison", ctx, fld);
		}
	}
}

/* Encode the filled message for (op, reply); returns its length. */
static size_t encode_valid(unsigned char *buf, size_t cap, struct hc_msg *m,
			   struct fill_store *st, unsigned int op, int reply)
{
	int n;

	fill_msg(m, st, op, reply);
	n = hc_encode(m, buf, cap);
	cr_assert_gt(n, 0, "encode %s %s: %d", hc_op_name(op),
		     reply ? "reply" : "request", n);
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
	raw_u32(&r, (hc_u32)HC_AT_FDCWD);
	raw_u32(&r, HC_O_RDONLY);
	raw_u32(&r, 0644);
	raw_u32(&r, len);
	raw_bytes(&r, p, n);
	return raw_decode(&r);
}

/* A write request whose blob has length field @len followed by @n bytes. */
static int write_blob(hc_u32 len, size_t n)
{
	static struct raw r;

	raw_hdr(&r, HC_OP_WRITE, 0, 0);
	raw_u32(&r, 3);
	raw_u64(&r, (hc_u64)-1);
	raw_u32(&r, len);
	raw_fill(&r, 'w', n);
	return raw_decode(&r);
}

/* A spawn request with argv given raw (count, length, bytes) and empty envp. */
static int spawn_argv(hc_u32 count, hc_u32 len, const void *p, size_t n)
{
	static struct raw r;

	raw_hdr(&r, HC_OP_SPAWN, 0, 0);
	raw_u32(&r, HC_SPAWN_NEWPGRP);
	raw_u32(&r, 0);
	raw_u32(&r, 0);
	raw_u32(&r, 1);
	raw_bytes(&r, "", 1);
	raw_u32(&r, count);
	raw_u32(&r, len);
	raw_bytes(&r, p, n);
	raw_u32(&r, 0);		/* envc */
	raw_u32(&r, 0);		/* envp length */
	return raw_decode(&r);
}

/* ---- the op table ---- */

Test(table, every_op_has_a_name_and_sane_field_lists)
{
	unsigned int op, i, j;
	int reply;

	for (op = 1; op < HC_OP_MAX; op++) {
		const char *name = hc_op_name(op);

		cr_assert_not_null(name, "op %u has no name", op);
		for (i = 1; i < op; i++)
			cr_expect_str_neq(name, hc_op_name(i),
					  "ops %u and %u share the name %s", i, op, name);
		for (reply = 0; reply < 2; reply++) {
			const hc_u8 *f = hc_op_fields(op, reply);

			cr_assert_not_null(f, "%s: no fields (reply=%d)", name, reply);
			cr_expect_lt(nfields(f), HC_FIELDS_MAX, "%s: field list not terminated", name);
			for (i = 0; f[i] != HC_FLD_END; i++) {
				cr_expect_lt(f[i], HC_FLD_COUNT, "%s: bad field id %u", name, f[i]);
				for (j = 0; j < i; j++)
					cr_expect_neq(f[i], f[j], "%s: field %u listed twice",
						      name, f[i]);
			}
		}
	}
}

Test(table, unknown_ops_have_no_name_or_fields)
{
	unsigned int bad[] = { 0, HC_OP_MAX, HC_OP_MAX + 1, 0xffff, 0xffffffffu };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_null(hc_op_name(bad[i]), "op %u has a name", bad[i]);
		cr_expect_null(hc_op_fields(bad[i], 0), "op %u has request fields", bad[i]);
		cr_expect_null(hc_op_fields(bad[i], 1), "op %u has reply fields", bad[i]);
	}
}

/* ---- round trips of every op ---- */

struct opcase {
	unsigned int op;
	int reply;
};

static void free_params(struct criterion_test_params *p)
{
	cr_free(p->params);
}

/* Parameters: every op, as a request and as a reply. */
static struct criterion_test_params every_op_both_ways(void)
{
	struct opcase *c = cr_calloc(2 * NOPS, sizeof(*c));
	size_t i;

	for (i = 0; i < 2 * NOPS; i++) {
		c[i].op = 1 + i / 2;
		c[i].reply = i % 2;
	}
	return cr_make_param_array(struct opcase, c, 2 * NOPS, free_params);
}

ParameterizedTestParameters(roundtrip, every_op)
{
	return every_op_both_ways();
}

ParameterizedTest(struct opcase *c, roundtrip, every_op)
{
	static unsigned char buf[HC_MSG_MAX];
	struct hc_msg m, d;
	struct fill_store st;
	char ctx[64];
	size_t n;
	int rc;

	snprintf(ctx, sizeof(ctx), "%s %s", hc_op_name(c->op),
		 c->reply ? "reply" : "request");
	n = encode_valid(buf, sizeof(buf), &m, &st, c->op, c->reply);
	cr_assert_eq(buf[0] | buf[1] << 8 | buf[2] << 16 | (hc_u32)buf[3] << 24,
		     n, "%s: header length is not the encoded length", ctx);
	rc = decode_guarded(&d, buf, n);
	cr_assert_eq(rc, 0, "%s: decode failed: %d", ctx, rc);
	expect_fields(ctx, hc_op_fields(c->op, c->reply), &d, &m);
}

ParameterizedTestParameters(roundtrip, error_reply_has_no_body)
{
	struct opcase *c = cr_calloc(NOPS, sizeof(*c));
	size_t i;

	for (i = 0; i < NOPS; i++)
		c[i].op = 1 + i;
	return cr_make_param_array(struct opcase, c, NOPS, free_params);
}

ParameterizedTest(struct opcase *c, roundtrip, error_reply_has_no_body)
{
	static const hc_s64 errs[] = { -ENOENT, -EACCES, -EXDEV, -1, -4095, INT64_MIN };
	unsigned char buf[HC_HDR_SIZE + 64];
	struct hc_msg m, d;
	struct fill_store st;
	const hc_u8 nofields[] = { HC_FLD_END };
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
		expect_fields(hc_op_name(c->op), nofields, &d, &m);

		/* a body after an error result is not allowed */
		buf[n] = 0;
		set_len(buf, n + 1);
		rc = decode_guarded(&d, buf, n + 1);
		cr_expect_eq(rc, -EBADMSG, "%s: error reply with a body: %d",
			     hc_op_name(c->op), rc);
	}
}

Test(roundtrip, largest_strings_and_blobs)
{
	static unsigned char buf[HC_MSG_MAX];
	static char path[HC_PATH_MAX + 1], path2[HC_PATH_MAX + 1];
	static char name[HC_XATTR_NAME_MAX + 1];
	static unsigned char data[HC_DATA_MAX];
	struct hc_msg m = { 0 }, d;
	int n, rc;

	memset(path, 'p', HC_PATH_MAX);
	memset(path2, 'q', HC_PATH_MAX);
	memset(name, 'n', HC_XATTR_NAME_MAX);
	for (n = 0; n < HC_DATA_MAX; n++)
		data[n] = (unsigned char)(n ^ (n >> 8));

	m.op = HC_OP_RENAMEAT2;
	m.path = path;
	m.path2 = path2;
	m.fd = 5;
	m.fd2 = HC_AT_FDCWD;
	n = hc_encode(&m, buf, sizeof(buf));
	cr_assert_gt(n, 2 * HC_PATH_MAX, "renameat2 with two %d-byte paths: %d",
		     HC_PATH_MAX, n);
	rc = decode_guarded(&d, buf, n);
	cr_assert_eq(rc, 0);
	cr_expect_eq(strlen(d.path), HC_PATH_MAX);
	cr_expect_eq(strlen(d.path2), HC_PATH_MAX);
	cr_expect_str_eq(d.path2, path2);

	memset(&m, 0, sizeof(m));
	m.op = HC_OP_SETXATTR;
	m.path = "";
	m.name = name;
	m.data = data;
	m.datalen = HC_DATA_MAX - 512;
	n = hc_encode(&m, buf, sizeof(buf));
	cr_assert_gt(n, 0, "setxattr with a %d-byte name: %d", HC_XATTR_NAME_MAX, n);
	rc = decode_guarded(&d, buf, n);
	cr_assert_eq(rc, 0);
	cr_expect_str_eq(d.name, name);

	memset(&m, 0, sizeof(m));
	m.op = HC_OP_READ;
	m.hflags = HC_HF_REPLY;
	m.result = HC_DATA_MAX;
	m.data = data;
	m.datalen = HC_DATA_MAX;
	n = hc_encode(&m, buf, sizeof(buf));
	cr_assert_eq(n, HC_HDR_SIZE + 4 + HC_DATA_MAX);
	rc = decode_guarded(&d, buf, n);
	cr_assert_eq(rc, 0);
	cr_assert_eq(d.datalen, HC_DATA_MAX);
	cr_expect(memcmp(d.data, data, HC_DATA_MAX) == 0);

	/* empty blob and empty string vectors */
	memset(&m, 0, sizeof(m));
	m.op = HC_OP_SPAWN;
	m.path = "";
	n = hc_encode(&m, buf, sizeof(buf));
	cr_assert_gt(n, 0);
	rc = decode_guarded(&d, buf, n);
	cr_assert_eq(rc, 0);
	cr_expect_eq(d.argc, 0);
	cr_expect_eq(d.argvlen, 0);
	cr_expect_eq(d.envc, 0);
	cr_expect_str_eq(d.path, "");
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
	m.fd = HC_AT_FDCWD;
	m.flags = HC_O_CREAT | HC_O_WRONLY;
	m.mode = 0640;
	m.path = "a/b";
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
				     "was accepted", hc_op_name(c->op),
				     c->reply ? "reply" : "request", l, n,
				     fix ? "fixed up" : "left");
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

	/* the xattr name has its own, smaller limit */
	memset(big, 'n', sizeof(big));
	big[HC_XATTR_NAME_MAX + 1] = 0;
	raw_hdr(r, HC_OP_REMOVEXATTR, 0, 0);
	raw_u32(r, 3);
	raw_u32(r, 2);
	raw_bytes(r, "p", 2);
	raw_u32(r, 0);
	raw_u32(r, HC_XATTR_NAME_MAX + 2);
	raw_bytes(r, big, HC_XATTR_NAME_MAX + 2);
	cr_expect_eq(raw_decode(r), -EBADMSG, "a %d-character xattr name is accepted",
		     HC_XATTR_NAME_MAX + 1);
	r->n -= HC_XATTR_NAME_MAX + 2 + 4;
	big[HC_XATTR_NAME_MAX] = 0;
	raw_u32(r, HC_XATTR_NAME_MAX + 1);
	raw_bytes(r, big, HC_XATTR_NAME_MAX + 1);
	cr_expect_eq(decode_guarded(&d, r->b, raw_done(r)), 0);
	cr_expect_eq(strlen(d.name), HC_XATTR_NAME_MAX);

	/* a reply string (readlinkat) is checked the same way */
	raw_hdr(r, HC_OP_READLINKAT, HC_HF_REPLY, 3);
	raw_u32(r, 3);
	raw_bytes(r, "ab\n", 3);
	cr_expect_eq(raw_decode(r), -EBADMSG, "reply string without NUL");
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
	size_t i;

	for (i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		cr_expect_eq(openat_path(huge[i], "abc", 4), -EBADMSG,
			     "string length %#x", huge[i]);
		cr_expect_eq(write_blob(huge[i], 16), -EBADMSG, "blob length %#x", huge[i]);
		cr_expect_eq(spawn_argv(1, huge[i], "a", 2), -EBADMSG,
			     "argv length %#x", huge[i]);
		cr_expect_eq(spawn_argv(huge[i], 2, "a", 2), -EBADMSG,
			     "argv count %#x", huge[i]);
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
			     c->reply ? "reply" : "request", extra);
	}
}

Test(reject, unknown_op_is_enosys_with_a_valid_header)
{
	static const unsigned int bad[] = { 0, HC_OP_MAX, HC_OP_MAX + 1, 0x7fff, 0xffff };
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

			m.op = (hc_u16)bad[i];
			m.hflags = reply ? HC_HF_REPLY : 0;
			m.path = "x";
			cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -ENOSYS,
				     "encoding op %u", bad[i]);
		}
	}
	free(r);
}

/* The -ENOSYS answer to an op the peer does not know is a bare header. */
Test(encode, error_reply_to_an_unknown_op)
{
	static const unsigned int bad[] = { 0, HC_OP_MAX, 0x7fff, 0xffff };
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
			     hc_op_name(c->op), c->reply ? "reply" : "request",
			     cap, n, rc);
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
	m.path = path;
	rc = hc_encode(&m, buf, sizeof(buf));
	cr_expect_eq(rc, -ENAMETOOLONG, "a %d-byte path encodes: %d", HC_PATH_MAX + 1, rc);

	m.path = NULL;
	cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EINVAL, "a NULL path encodes");

	memset(&m, 0, sizeof(m));
	m.op = HC_OP_GETXATTR;
	m.path = "f";
	memset(path, 'n', HC_XATTR_NAME_MAX + 1);
	path[HC_XATTR_NAME_MAX + 1] = 0;
	m.name = path;
	rc = hc_encode(&m, buf, sizeof(buf));
	cr_expect(rc == -EINVAL || rc == -ENAMETOOLONG,
		  "a %d-byte xattr name encodes: %d", HC_XATTR_NAME_MAX + 1, rc);

	memset(&m, 0, sizeof(m));
	m.op = HC_OP_WRITE;
	m.data = data;
	m.datalen = HC_DATA_MAX + 1;
	rc = hc_encode(&m, buf, sizeof(buf));
	cr_expect(rc == -EMSGSIZE || rc == -EINVAL, "a blob over HC_DATA_MAX encodes: %d", rc);
	m.datalen = 0xffffffffu;
	rc = hc_encode(&m, buf, sizeof(buf));
	cr_expect(rc == -EMSGSIZE || rc == -EINVAL, "a 4 GiB blob encodes: %d", rc);
	m.data = NULL;
	m.datalen = 5;
	cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EINVAL, "a NULL blob encodes");

	/* each field within its limit, the whole over HC_MSG_MAX: a big cap does not help */
	memset(&m, 0, sizeof(m));
	memset(path, 'p', HC_PATH_MAX);
	path[HC_PATH_MAX] = 0;
	m.op = HC_OP_SETXATTR;
	m.path = path;
	m.name = "user.x";
	m.data = data;
	m.datalen = HC_DATA_MAX;
	cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EMSGSIZE,
		     "a message over HC_MSG_MAX encodes");
}

/* ---- flags and string vectors ---- */

Test(encode, string_vector_count_must_match)
{
	static const char v[] = "a\0b";	/* two strings, with the final NUL */
	unsigned char buf[256];
	struct hc_msg m = { 0 };

	m.op = HC_OP_SPAWN;
	m.path = "";
	m.argv = v;
	m.argvlen = sizeof(v);
	m.argc = 3;
	cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EINVAL, "argc 3 for 2 strings encodes");
	m.argc = 2;
	cr_expect_gt(hc_encode(&m, buf, sizeof(buf)), 0, "a matching argv does not encode");
	m.argvlen = sizeof(v) - 1;	/* no final NUL */
	m.argc = 1;
	cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EINVAL, "an unterminated argv encodes");
}

/*
 * Every op that carries a blob or a string vector, encoded with each of them
 * empty and NULL: valid, and decoded back as empty. (memcpy() of zero bytes
 * from NULL is undefined; the sanitizer build of this suite, make
 * sanitize-check, reports it as a failure.)
 */
Test(encode, empty_blobs_and_vectors_may_be_null)
{
	static unsigned char buf[HC_MSG_MAX];
	unsigned int op, tried = 0;
	int reply;

	for (op = 1; op < HC_OP_MAX; op++)
		for (reply = 0; reply < 2; reply++) {
			const hc_u8 *f = hc_op_fields(op, reply);
			struct fill_store st;
			struct hc_msg m, d;
			int n, rc;

			if (!has_field(f, HC_FLD_DATA) && !has_field(f, HC_FLD_ARGV) &&
			    !has_field(f, HC_FLD_ENVP))
				continue;
			fill_msg(&m, &st, op, reply);
			m.data = NULL;
			m.datalen = 0;
			m.argv = m.envp = NULL;
			m.argvlen = m.envplen = m.argc = m.envc = 0;
			n = hc_encode(&m, buf, sizeof(buf));
			cr_assert_gt(n, 0, "%s %s with empty NULL blobs: %d", hc_op_name(op),
				     reply ? "reply" : "request", n);
			rc = decode_guarded(&d, buf, n);
			cr_assert_eq(rc, 0, "%s: decode: %d", hc_op_name(op), rc);
			cr_expect_eq(d.datalen + d.argvlen + d.envplen + d.argc + d.envc, 0,
				     "%s: an empty blob decoded as non-empty", hc_op_name(op));
			tried++;
		}
	cr_expect_geq(tried, 5, "only %u op layouts carry a blob", tried);
}

/* A NULL vector or blob with a length is refused, never dereferenced. */
Test(encode, null_vector_with_a_length_is_einval)
{
	unsigned char buf[256];
	struct hc_msg m = { .op = HC_OP_SPAWN, .path = "" };

	m.argvlen = 5;
	cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EINVAL, "a NULL argv of 5 bytes");
	m.argc = 1;
	cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EINVAL, "a NULL argv of 1 string");
	m.argvlen = m.argc = 0;
	m.envplen = 3;
	cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EINVAL, "a NULL envp of 3 bytes");
	m.envplen = 0;
	m.envc = 2;
	cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EINVAL, "a NULL envp of 2 strings");
	m.envc = 0;
	cr_expect_gt(hc_encode(&m, buf, sizeof(buf)), 0, "empty NULL vectors");

	memset(&m, 0, sizeof(m));
	m.op = HC_OP_SPAWN_KEEP;
	m.hflags = HC_HF_REPLY;
	m.datalen = 4;
	cr_expect_eq(hc_encode(&m, buf, sizeof(buf)), -EINVAL, "a NULL handle list of 4 bytes");
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
	hc_u32 pos = 0;
	const char *s;
	size_t i = 0;

	while ((s = hc_strv_next(v, sizeof(v), &pos)) != NULL) {
		cr_assert_lt(i, 4, "more than 4 strings");
		cr_expect_str_eq(s, want[i], "string %zu: \"%s\"", i, s);
		i++;
	}
	cr_expect_eq(i, 4, "%zu strings, want 4", i);
	cr_expect_eq(pos, sizeof(v));
	pos = 0;
	cr_expect_null(hc_strv_next(v, 0, &pos), "an empty vector has a string");
	cr_expect_null(hc_strv_next(NULL, 5, &pos), "a NULL vector has a string");
}

Test(strv, next_walks_a_decoded_argv)
{
	static unsigned char buf[HC_MSG_MAX];
	struct hc_msg m, d;
	struct fill_store st;
	const char *want[] = { NULL, "-x", "", "arg with space" };
	size_t n = encode_valid(buf, sizeof(buf), &m, &st, HC_OP_SPAWN, 0);
	hc_u32 pos = 0;
	const char *s;
	size_t i = 0;

	cr_assert_eq(decode_guarded(&d, buf, n), 0);
	while ((s = hc_strv_next(d.argv, d.argvlen, &pos)) != NULL) {
		cr_assert_lt(i, d.argc);
		if (want[i])
			cr_expect_str_eq(s, want[i]);
		i++;
	}
	cr_expect_eq(i, 4);
	pos = 0;
	cr_expect_str_eq(hc_strv_next(d.envp, d.envplen, &pos), "HOME=/x");
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
	static const hc_u32 magic[] = { 0, 1, 0xffffffffu, 0xfffffffcu, 0x80000000u,
					HC_DATA_MAX, HC_DATA_MAX + 1, HC_PATH_MAX + 1,
					HC_PATH_MAX + 2, HC_ARGV_MAX + 1, HC_MSG_MAX };
	struct hc_msg m, d;
	struct fill_store st;
	int iter, accepted = 0;

	for (iter = 0; iter < 20000; iter++) {
		unsigned int op = 1 + rnd(NOPS);
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

/* ---- protocol version 2: BYE and HELLO flags ---- */

Test(v2, bye_is_a_bare_header_both_ways_and_keeps_its_number)
{
	unsigned char buf[HC_HDR_SIZE + 8];
	struct hc_msg m = { .op = HC_OP_BYE, .tag = 77, .subject = 5 }, d;
	int n, rc, reply;

	/* op numbers are never reused: a client of version 2 relies on 38 */
	cr_assert_eq(HC_OP_BYE, 38);
	cr_assert_geq(HC_PROTO_VERSION, 2);
	cr_assert_str_eq(hc_op_name(HC_OP_BYE), "bye");
	for (reply = 0; reply < 2; reply++) {
		m.hflags = reply ? HC_HF_REPLY : 0;
		n = hc_encode(&m, buf, sizeof(buf));
		cr_assert_eq(n, HC_HDR_SIZE, "bye %s: %d bytes", reply ? "reply" : "request", n);
		cr_assert_eq(buf[4] | buf[5] << 8, HC_OP_BYE);
		rc = decode_guarded(&d, buf, n);
		cr_assert_eq(rc, 0, "bye %s rejected: %d", reply ? "reply" : "request", rc);
		cr_expect_eq(d.op, HC_OP_BYE);
		cr_expect_eq(d.tag, 77);
		cr_expect_eq(d.subject, 5);

		/* a body is not allowed */
		buf[n] = 0;
		set_len(buf, n + 1);
		rc = decode_guarded(&d, buf, n + 1);
		cr_expect_eq(rc, -EBADMSG, "bye %s with a body: %d",
			     reply ? "reply" : "request", rc);
	}
}

Test(v2, hello_flags_travel_as_sent)
{
	unsigned char buf[64];
	struct hc_msg m = {
		.op = HC_OP_HELLO, .tag = 1, .arg = HC_PROTO_VERSION,
		.flags = HC_HELLO_KEEP_HANDLES,
	}, d;
	int n, rc;

	cr_assert_eq(HC_HELLO_FLAGS & HC_HELLO_KEEP_HANDLES, HC_HELLO_KEEP_HANDLES,
		     "HC_HELLO_FLAGS must list every known flag");
	n = hc_encode(&m, buf, sizeof(buf));
	cr_assert_eq(n, HC_HDR_SIZE + 8, "hello request: %d bytes", n);
	rc = decode_guarded(&d, buf, n);
	cr_assert_eq(rc, 0);
	cr_expect_eq(d.flags, HC_HELLO_KEEP_HANDLES);
	cr_expect_eq(d.arg, HC_PROTO_VERSION);
	/* the flags word sits right after the version, little-endian */
	cr_expect_eq(buf[HC_HDR_SIZE + 4], HC_HELLO_KEEP_HANDLES);
}
