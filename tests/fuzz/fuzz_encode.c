// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness of the encoder: the input describes a struct hc_msg
 * (any op, the header, and each field its op lists in hc_op_fields(): any
 * integers, strings of any length or NULL, blobs and string vectors with any
 * length and count, NULL or not, u32 vectors of any count) and an output
 * capacity. hc_encode() must return a documented error or a message within
 * the capacity that decodes to the same fields, and must not touch bytes
 * past the capacity (the buffer is exactly that large).
 *
 * Input (little-endian; seeds.c writes it): op u8, hflags u16, tag u32,
 * subject u32, result u64; then the fields of the op's request or reply
 * (hflags' reply bit), none for an unknown op, each by its type: U32 and S32
 * as u32, U64 and S64 as u64; PATH and NAME as u16 length (0xffff: NULL) +
 * bytes; BLOB as u32 length (bit 31: NULL pointer with the low bits as
 * length) + bytes; STRV as u16 count + a BLOB; U32V as u8 count + that many
 * u32 (at most HC_FDS_MAX read); STAT, STATFS, LOCK, TIME as the struct's
 * bytes. Then cap u32. Missing bytes read as 0, missing string or blob
 * bytes as 'a'.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "hostcall_proto.h"

#define FZ_NULL_BIT	0x80000000u
#define FZ_FIELDS_MAX	16

static char *take_bytes(struct fz_in *in, size_t n, int nul)
{
	char *p = malloc(n + !!nul + !(n + nul));
	size_t have = in->len - in->pos < n ? in->len - in->pos : n;

	if (!p)
		abort();
	memcpy(p, in->p + in->pos, have);
	in->pos += have;
	memset(p + have, 'a', n - have);
	if (nul)
		p[n] = 0;
	return p;
}

static char *take_str(struct fz_in *in)
{
	hc_u32 n = fz_u(in, 2);

	if (n == 0xffff)
		return NULL;
	return take_bytes(in, n, 1);
}

/* A blob: the pointer may be NULL whatever the length says. */
static char *take_blob(struct fz_in *in, hc_u32 *lenp)
{
	hc_u32 n = fz_u(in, 4);

	*lenp = n & ~FZ_NULL_BIT;
	if (n & FZ_NULL_BIT)
		return NULL;
	if (*lenp > HC_DATA_MAX + 64)
		*lenp = HC_DATA_MAX + 64;	/* past every limit, still allocatable */
	return take_bytes(in, *lenp, 0);
}

static void take_raw(struct fz_in *in, void *dst, size_t n)
{
	unsigned char *d = dst;
	size_t i;

	for (i = 0; i < n; i++)
		d[i] = in->pos < in->len ? in->p[in->pos++] : 0;
}

#define SAME(a, b, what) FZ_CHECK((a) == (b), "%s differs after decoding", what)

static void check_blob_same(const char *what, const void *a, hc_u32 alen,
			    const void *b, hc_u32 blen)
{
	FZ_CHECK(alen == blen, "%s: %u bytes, decoded %u", what, alen, blen);
	FZ_CHECK(!alen || memcmp(a, b, alen) == 0, "%s bytes differ", what);
}

static int ts_same(const struct hc_timespec *a, const struct hc_timespec *b)
{
	return a->sec == b->sec && a->nsec == b->nsec;
}

/* The decoded @d carries what @m said, field by field. */
static void check_same(const struct hc_msg *m, const struct hc_msg *d)
{
	int reply = !!(m->hflags & HC_HF_REPLY);
	const struct hc_field *f = hc_op_fields(m->op, reply);

	SAME(d->op, m->op, "op");
	SAME(d->hflags, m->hflags, "hflags");
	SAME(d->tag, m->tag, "tag");
	SAME(d->subject, m->subject, "subject");
	SAME(d->result, m->result, "result");
	/* an error reply and an accepted notice are bare headers */
	if (reply && (m->result < 0 || m->hflags & HC_HF_ACCEPTED))
		return;
	for (; f && f->type != HC_T_END; f++) {
		const void *a = (const char *)m + f->off, *b = (const char *)d + f->off;

		switch (f->type) {
		case HC_T_U32:
		case HC_T_S32:
			SAME(*(const hc_u32 *)b, *(const hc_u32 *)a, f->name);
			break;
		case HC_T_U64:
		case HC_T_S64:
			SAME(*(const hc_u64 *)b, *(const hc_u64 *)a, f->name);
			break;
		case HC_T_PATH:
		case HC_T_NAME:
			FZ_CHECK(!strcmp(*(const char *const *)a, *(const char *const *)b),
				 "%s differs", f->name);
			break;
		case HC_T_BLOB: {
			const struct hc_blob *x = a, *y = b;

			check_blob_same(f->name, x->ptr, x->len, y->ptr, y->len);
			break;
		}
		case HC_T_STRV: {
			const struct hc_strv *x = a, *y = b;

			check_blob_same(f->name, x->ptr, x->len, y->ptr, y->len);
			SAME(y->count, x->count, f->name);
			break;
		}
		case HC_T_U32V: {
			const struct hc_u32v *x = a, *y = b;

			SAME(y->n, x->n, f->name);
			FZ_CHECK(!memcmp(x->v, y->v, x->n * sizeof(x->v[0])), "%s differs",
				 f->name);
			break;
		}
		case HC_T_STAT: {
			const struct hc_stat *x = a, *y = b;

			FZ_CHECK(x->mask == y->mask && x->mode == y->mode &&
				 x->nlink == y->nlink && x->uid == y->uid && x->gid == y->gid &&
				 x->blksize == y->blksize && x->ino == y->ino &&
				 x->size == y->size && x->blocks == y->blocks &&
				 x->dev_major == y->dev_major && x->dev_minor == y->dev_minor &&
				 x->rdev_major == y->rdev_major &&
				 x->rdev_minor == y->rdev_minor && ts_same(&x->atime, &y->atime) &&
				 ts_same(&x->mtime, &y->mtime) && ts_same(&x->ctime, &y->ctime) &&
				 ts_same(&x->btime, &y->btime), "%s differs", f->name);
			break;
		}
		case HC_T_STATFS: {
			const struct hc_statfs *x = a, *y = b;

			FZ_CHECK(x->type == y->type && x->bsize == y->bsize &&
				 x->blocks == y->blocks && x->bfree == y->bfree &&
				 x->bavail == y->bavail && x->files == y->files &&
				 x->ffree == y->ffree && x->fsid == y->fsid &&
				 x->namelen == y->namelen && x->frsize == y->frsize &&
				 x->flags == y->flags, "%s differs", f->name);
			break;
		}
		case HC_T_LOCK: {
			const struct hc_lock *x = a, *y = b;

			FZ_CHECK(x->type == y->type && x->whence == y->whence &&
				 x->start == y->start && x->len == y->len && x->pid == y->pid,
				 "%s differs", f->name);
			break;
		}
		case HC_T_TIME:
			FZ_CHECK(ts_same(a, b), "%s differs", f->name);
			break;
		default:
			FZ_CHECK(0, "%s: type %u has no comparison", f->name, f->type);
		}
	}
}

/* Read the fields of @m's op from @in; what was allocated goes in @mem. */
static void take_fields(struct fz_in *in, struct hc_msg *m, char **mem, int *nmem)
{
	const struct hc_field *f = hc_op_fields(m->op, !!(m->hflags & HC_HF_REPLY));

	for (; f && f->type != HC_T_END && *nmem < FZ_FIELDS_MAX; f++) {
		void *p = (char *)m + f->off;

		switch (f->type) {
		case HC_T_U32:
		case HC_T_S32:
			*(hc_u32 *)p = fz_u(in, 4);
			break;
		case HC_T_U64:
		case HC_T_S64:
			*(hc_u64 *)p = fz_u64(in);
			break;
		case HC_T_PATH:
		case HC_T_NAME:
			*(const char **)p = mem[(*nmem)++] = take_str(in);
			break;
		case HC_T_BLOB: {
			struct hc_blob *b = p;

			b->ptr = mem[(*nmem)++] = take_blob(in, &b->len);
			break;
		}
		case HC_T_STRV: {
			struct hc_strv *v = p;

			v->count = fz_u(in, 2);
			v->ptr = mem[(*nmem)++] = take_blob(in, &v->len);
			break;
		}
		case HC_T_U32V: {
			struct hc_u32v *v = p;
			hc_u32 i;

			v->n = fz_u(in, 1);	/* past HC_FDS_MAX too */
			for (i = 0; i < v->n && i < HC_FDS_MAX; i++)
				v->v[i] = fz_u(in, 4);
			break;
		}
		case HC_T_STAT:
			take_raw(in, p, sizeof(struct hc_stat));
			break;
		case HC_T_STATFS:
			take_raw(in, p, sizeof(struct hc_statfs));
			break;
		case HC_T_LOCK:
			take_raw(in, p, sizeof(struct hc_lock));
			break;
		case HC_T_TIME:
			take_raw(in, p, sizeof(struct hc_timespec));
			break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char full[HC_MSG_MAX];
	struct fz_in in = { .p = data, .len = size };
	char *mem[FZ_FIELDS_MAX];
	unsigned char *out;
	struct hc_msg m = { 0 }, d;
	int n, rc, nmem = 0;
	hc_u32 cap;

	if (size > 3 * HC_MSG_MAX)
		return -1;
	m.op = fz_u(&in, 1);
	m.hflags = fz_u(&in, 2);
	m.tag = fz_u(&in, 4);
	m.subject = fz_u(&in, 4);
	m.result = (hc_s64)fz_u64(&in);
	take_fields(&in, &m, mem, &nmem);
	cap = fz_u(&in, 4) % (HC_MSG_MAX + 64);

	/* the whole room first, then exactly @cap bytes */
	n = hc_encode(&m, full, sizeof(full));
	FZ_CHECK(n > 0 || n == -ENOSYS || n == -EMSGSIZE || n == -ENAMETOOLONG ||
		 n == -EINVAL, "hc_encode: %d", n);
	out = malloc(cap ? cap : 1);
	if (!out)
		abort();
	rc = hc_encode(&m, out, cap);
	if (n > 0) {
		FZ_CHECK(n >= HC_HDR_SIZE && n <= HC_MSG_MAX, "%d bytes", n);
		FZ_CHECK((hc_u32)(full[0] | full[1] << 8 | full[2] << 16 |
				  (hc_u32)full[3] << 24) == (hc_u32)n, "header length");
		FZ_CHECK(rc == ((hc_u32)n <= cap ? n : -EMSGSIZE),
			 "%d bytes with room, %d into %u", n, rc, cap);
		if (rc > 0)
			FZ_CHECK(!memcmp(out, full, n), "the bytes depend on the room");
		rc = hc_decode(&d, full, n);
		/* the encoder does not judge versions: an old HELLO is the decoder's */
		if (rc == -EPROTONOSUPPORT)
			FZ_CHECK(m.op == HC_OP_HELLO && !(m.hflags & HC_HF_REPLY) &&
				 m.req.hello.version < HC_PROTO_VERSION_MIN &&
				 d.req.hello.version == m.req.hello.version,
				 "-EPROTONOSUPPORT for op %u", m.op);
		else
			FZ_CHECK(rc == 0, "%s: encoded %d bytes that do not decode: %d",
				 hc_op_name(m.op) ? hc_op_name(m.op) : "?", n, rc);
		if (rc == 0)
			check_same(&m, &d);
	} else {
		/* too big stays too big in less room; other errors stay */
		FZ_CHECK(rc == n || (rc == -EMSGSIZE && n != -ENOSYS),
			 "%d with room, %d into %u", n, rc, cap);
	}
	free(out);
	while (nmem > 0)
		free(mem[--nmem]);
	return 0;
}
