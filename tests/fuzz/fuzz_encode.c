// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness of the encoder: the input describes a struct hc_msg
 * (any op, header and integer fields, strings of any length or NULL, blobs
 * and string vectors with any length and count, NULL or not) and an output
 * capacity. hc_encode() must return a documented error or a message within
 * the capacity that decodes to the same fields, and must not touch bytes
 * past the capacity (the buffer is exactly that large).
 *
 * Input (little-endian; seeds.c writes it): op u8, hflags u16, tag u32,
 * subject u32, result u64; fd, fd2, flags, mode, uid, gid, arg, arg2 u32;
 * off, len, dev u64; times, st, sfs, lk as the struct's bytes; then path,
 * path2, name each as u16 length (0xffff: NULL) + bytes; data as u32 length
 * (bit 31: NULL pointer with the low bits as length) + bytes; argv and envp
 * as u16 count + u32 length (bit 31 as for data) + bytes; cap u32. Missing
 * bytes read as 0, missing string or blob bytes as 'a'.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "hostcall_proto.h"

#define FZ_NULL_BIT	0x80000000u

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

static int has(const hc_u8 *f, int fld)
{
	for (; f && *f != HC_FLD_END; f++)
		if (*f == fld)
			return 1;
	return 0;
}

#define SAME(a, b, what) FZ_CHECK((a) == (b), "%s differs after decoding", what)

static void check_blob_same(const char *what, const void *a, hc_u32 alen,
			    const void *b, hc_u32 blen)
{
	FZ_CHECK(alen == blen, "%s: %u bytes, decoded %u", what, alen, blen);
	FZ_CHECK(!alen || memcmp(a, b, alen) == 0, "%s bytes differ", what);
}

/* The decoded @d carries what @m said, field by field. */
static void check_same(const struct hc_msg *m, const struct hc_msg *d)
{
	int reply = !!(m->hflags & HC_HF_REPLY);
	const hc_u8 *f = hc_op_fields(m->op, reply);

	SAME(d->op, m->op, "op");
	SAME(d->hflags, m->hflags, "hflags");
	SAME(d->tag, m->tag, "tag");
	SAME(d->subject, m->subject, "subject");
	SAME(d->result, m->result, "result");
	if (reply && m->result < 0)
		return;
	if (has(f, HC_FLD_FD))
		SAME(d->fd, m->fd, "fd");
	if (has(f, HC_FLD_FD2))
		SAME(d->fd2, m->fd2, "fd2");
	if (has(f, HC_FLD_FLAGS))
		SAME(d->flags, m->flags, "flags");
	if (has(f, HC_FLD_MODE))
		SAME(d->mode, m->mode, "mode");
	if (has(f, HC_FLD_UID))
		SAME(d->uid, m->uid, "uid");
	if (has(f, HC_FLD_GID))
		SAME(d->gid, m->gid, "gid");
	if (has(f, HC_FLD_ARG))
		SAME(d->arg, m->arg, "arg");
	if (has(f, HC_FLD_ARG2))
		SAME(d->arg2, m->arg2, "arg2");
	if (has(f, HC_FLD_OFF))
		SAME(d->off, m->off, "off");
	if (has(f, HC_FLD_LEN))
		SAME(d->len, m->len, "len");
	if (has(f, HC_FLD_DEV))
		SAME(d->dev, m->dev, "dev");
	if (has(f, HC_FLD_TIMES))
		FZ_CHECK(d->times[0].sec == m->times[0].sec &&
			 d->times[0].nsec == m->times[0].nsec &&
			 d->times[1].sec == m->times[1].sec &&
			 d->times[1].nsec == m->times[1].nsec, "times differ");
	if (has(f, HC_FLD_STAT))
		FZ_CHECK(d->st.ino == m->st.ino && d->st.mode == m->st.mode &&
			 d->st.size == m->st.size && d->st.btime.nsec == m->st.btime.nsec &&
			 d->st.rdev_minor == m->st.rdev_minor, "stat differs");
	if (has(f, HC_FLD_STATFS))
		FZ_CHECK(d->sfs.type == m->sfs.type && d->sfs.flags == m->sfs.flags &&
			 d->sfs.fsid == m->sfs.fsid, "statfs differs");
	if (has(f, HC_FLD_LOCK))
		FZ_CHECK(d->lk.type == m->lk.type && d->lk.whence == m->lk.whence &&
			 d->lk.start == m->lk.start && d->lk.len == m->lk.len &&
			 d->lk.pid == m->lk.pid, "lock differs");
	if (has(f, HC_FLD_PATH))
		FZ_CHECK(!strcmp(d->path, m->path), "path differs");
	if (has(f, HC_FLD_PATH2))
		FZ_CHECK(!strcmp(d->path2, m->path2), "path2 differs");
	if (has(f, HC_FLD_NAME))
		FZ_CHECK(!strcmp(d->name, m->name), "name differs");
	if (has(f, HC_FLD_DATA))
		check_blob_same("data", m->data, m->datalen, d->data, d->datalen);
	if (has(f, HC_FLD_ARGV)) {
		check_blob_same("argv", m->argv, m->argvlen, d->argv, d->argvlen);
		SAME(d->argc, m->argc, "argc");
	}
	if (has(f, HC_FLD_ENVP)) {
		check_blob_same("envp", m->envp, m->envplen, d->envp, d->envplen);
		SAME(d->envc, m->envc, "envc");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char full[HC_MSG_MAX];
	struct fz_in in = { .p = data, .len = size };
	char *path, *path2, *name, *blob, *argv, *envp;
	unsigned char *out;
	struct hc_msg m = { 0 }, d;
	hc_u32 cap;
	int n, rc;

	if (size > 3 * HC_MSG_MAX)
		return -1;
	m.op = fz_u(&in, 1);
	m.hflags = fz_u(&in, 2);
	m.tag = fz_u(&in, 4);
	m.subject = fz_u(&in, 4);
	m.result = (hc_s64)fz_u64(&in);
	m.fd = (hc_s32)fz_u(&in, 4);
	m.fd2 = (hc_s32)fz_u(&in, 4);
	m.flags = fz_u(&in, 4);
	m.mode = fz_u(&in, 4);
	m.uid = fz_u(&in, 4);
	m.gid = fz_u(&in, 4);
	m.arg = fz_u(&in, 4);
	m.arg2 = fz_u(&in, 4);
	m.off = (hc_s64)fz_u64(&in);
	m.len = fz_u64(&in);
	m.dev = fz_u64(&in);
	take_raw(&in, &m.times, sizeof(m.times));
	take_raw(&in, &m.st, sizeof(m.st));
	take_raw(&in, &m.sfs, sizeof(m.sfs));
	take_raw(&in, &m.lk, sizeof(m.lk));
	m.path = path = take_str(&in);
	m.path2 = path2 = take_str(&in);
	m.name = name = take_str(&in);
	m.data = blob = take_blob(&in, &m.datalen);
	m.argc = fz_u(&in, 2);
	m.argv = argv = take_blob(&in, &m.argvlen);
	m.envc = fz_u(&in, 2);
	m.envp = envp = take_blob(&in, &m.envplen);
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
		FZ_CHECK(rc == 0, "%s: encoded %d bytes that do not decode: %d",
			 hc_op_name(m.op) ? hc_op_name(m.op) : "?", n, rc);
		check_same(&m, &d);
	} else {
		/* too big stays too big in less room; other errors stay */
		FZ_CHECK(rc == n || (rc == -EMSGSIZE && n != -ENOSYS),
			 "%d with room, %d into %u", n, rc, cap);
	}
	free(out);
	free(path);
	free(path2);
	free(name);
	free(blob);
	free(argv);
	free(envp);
	return 0;
}
