// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness of every decoder of proto/: hc_decode_hdr() and
 * hc_decode() of any bytes (requests and replies of every op, HELLOs of
 * older versions; error replies and accepted notices, bare headers of any
 * op), the string vectors through hc_strv_next(), directory
 * records through hc_dirent_next() (every blob is walked as records), and
 * the open-flag translation. A message that decodes must re-encode to the
 * same bytes. Each input is tried as it
 * is and with its header length set to its size, so that most inputs reach
 * the body of their op.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "hostcall_proto.h"

/* @s decoded from @buf: inside it, NUL-terminated, no longer than @max. */
static void check_str(const char *what, const char *s, const unsigned char *buf,
		      size_t len, size_t max)
{
	size_t n;

	FZ_CHECK(s, "%s is NULL", what);
	FZ_CHECK((const unsigned char *)s >= buf + HC_HDR_SIZE &&
		 (const unsigned char *)s < buf + len, "%s outside the message", what);
	n = strnlen(s, buf + len - (const unsigned char *)s);
	FZ_CHECK((const unsigned char *)s + n < buf + len, "%s has no NUL", what);
	FZ_CHECK(n <= max, "%s is %zu bytes, over %zu", what, n, max);
}

static void check_blob(const char *what, const void *p, hc_u32 n,
		       const unsigned char *buf, size_t len)
{
	FZ_CHECK(n <= HC_DATA_MAX, "%s of %u bytes", what, n);
	if (!n)
		return;
	FZ_CHECK(p && (const unsigned char *)p >= buf + HC_HDR_SIZE &&
		 (const unsigned char *)p + n <= buf + len, "%s outside the message", what);
}

/* A decoded vector: its walk gives exactly its count of strings and ends at its length. */
static void check_strv(const char *what, const struct hc_strv *v,
		       const unsigned char *buf, size_t len)
{
	hc_u32 pos = 0, k = 0;
	const char *s;

	check_blob(what, v->ptr, v->len, buf, len);
	FZ_CHECK(v->count <= HC_ARGV_MAX, "%s count %u", what, v->count);
	while ((s = hc_strv_next(v, &pos)) != NULL) {
		FZ_CHECK(s >= v->ptr && s + strlen(s) < v->ptr + v->len, "%s string %u outside",
			 what, k);
		k++;
		FZ_CHECK(k <= v->count, "%s walks past its count %u", what, v->count);
	}
	FZ_CHECK(k == v->count && pos == v->len, "%s: %u strings to %u, count %u, length %u",
		 what, k, pos, v->count, v->len);
}

/*
 * Any blob walked as directory records (a GETDENTS reply's are): each record
 * hc_dirent_next() gives lies in the blob, has a name of 1..HC_NAME_MAX
 * bytes without '/' and ends with a NUL, moves on by a multiple of 8, and
 * is the record hc_dirent_put() makes of it (no longer than it); it stops at
 * the end or at a malformed record.
 */
static void check_dirents(const char *what, const struct hc_blob *b)
{
	unsigned char rec[HC_DIRENT_HDR + HC_NAME_MAX + 8];
	struct hc_dirent d, e;
	size_t pos = 0, prev, rpos, rnext;
	int rc;

	for (;;) {
		prev = pos;
		rc = hc_dirent_next(b->ptr, b->len, &pos, &d);
		if (rc <= 0) {
			FZ_CHECK(rc == 0 || rc == -EBADMSG, "%s: hc_dirent_next: %d", what, rc);
			FZ_CHECK(pos == prev, "%s: the position moved on %d", what, rc);
			FZ_CHECK(rc || pos == b->len, "%s: the end before the end", what);
			return;
		}
		FZ_CHECK(pos > prev && pos <= b->len && (pos - prev) % 8 == 0,
			 "%s: a record from %zu to %zu of %u", what, prev, pos, b->len);
		FZ_CHECK(d.namelen >= 1 && d.namelen <= HC_NAME_MAX &&
			 d.name >= (const char *)b->ptr + prev + HC_DIRENT_HDR &&
			 d.name + d.namelen < (const char *)b->ptr + pos && !d.name[d.namelen] &&
			 strlen(d.name) == d.namelen && !memchr(d.name, '/', d.namelen),
			 "%s: a name of %u bytes", what, d.namelen);
		rpos = 0;
		FZ_CHECK(hc_dirent_put(rec, sizeof(rec), &rpos, &d) == 0,
			 "%s: a record that decodes does not encode", what);
		/* the sender may pad a record more than hc_dirent_put() does */
		FZ_CHECK(rpos <= pos - prev, "%s: re-encoded as %zu bytes, was %zu", what,
			 rpos, pos - prev);
		rnext = 0;
		FZ_CHECK(hc_dirent_next(rec, rpos, &rnext, &e) == 1 && e.ino == d.ino &&
			 e.off == d.off && e.type == d.type && e.namelen == d.namelen &&
			 !memcmp(e.name, d.name, d.namelen), "%s: a record does not round-trip",
			 what);
	}
}

static void check_fields(const struct hc_msg *m, const unsigned char *buf, size_t len)
{
	const struct hc_field *f = hc_op_fields(m->op, !!(m->hflags & HC_HF_REPLY));

	if (!f)	/* an error reply of an op this codec does not know */
		return;
	for (; f->type != HC_T_END; f++) {
		const void *p = (const char *)m + f->off;

		switch (f->type) {
		case HC_T_PATH:
			check_str(f->name, *(const char *const *)p, buf, len, HC_PATH_MAX);
			break;
		case HC_T_NAME:
			check_str(f->name, *(const char *const *)p, buf, len, HC_NAME_MAX);
			break;
		case HC_T_BLOB:
			check_blob(f->name, ((const struct hc_blob *)p)->ptr,
				   ((const struct hc_blob *)p)->len, buf, len);
			check_dirents(f->name, p);
			break;
		case HC_T_STRV:
			check_strv(f->name, p, buf, len);
			break;
		case HC_T_U32V:
			FZ_CHECK(((const struct hc_u32v *)p)->n <= HC_FDS_MAX, "%s of %u",
				 f->name, ((const struct hc_u32v *)p)->n);
			break;
		}
	}
	/* translated flags are a fixed point after one round */
	if (m->op == HC_OP_OPENAT && !(m->hflags & HC_HF_REPLY)) {
		int l = hc_oflags_from_wire(m->req.openat.flags);

		FZ_CHECK(hc_oflags_from_wire(hc_oflags_to_wire(l)) == l,
			 "open flags %#x do not round-trip", m->req.openat.flags);
	}
}

static void check_one(const unsigned char *buf, size_t len)
{
	static unsigned char re[HC_MSG_MAX];
	struct hc_msg h, m;
	int rh, rc, n, reply;

	rh = hc_decode_hdr(&h, buf, len);
	FZ_CHECK(rh == 0 || rh == -EBADMSG, "hc_decode_hdr: %d", rh);
	rc = hc_decode(&m, buf, len);
	FZ_CHECK(rc == 0 || rc == -EBADMSG || rc == -ENOSYS || rc == -EPROTONOSUPPORT,
		 "hc_decode: %d", rc);
	if (rh) {
		FZ_CHECK(rc == rh, "the header is bad (%d) but hc_decode says %d", rh, rc);
		return;
	}
	FZ_CHECK(h.op == m.op && h.hflags == m.hflags && h.tag == m.tag &&
		 h.subject == m.subject && h.result == m.result,
		 "hc_decode and hc_decode_hdr disagree on the header");
	reply = !!(m.hflags & HC_HF_REPLY);
	if (rc == -ENOSYS) {
		FZ_CHECK(!hc_op_fields(m.op, reply) && !hc_op_name(m.op) &&
			 !(reply && m.result < 0) && !(m.hflags & HC_HF_ACCEPTED),
			 "-ENOSYS for op %u", m.op);
		return;
	}
	if (rc == -EPROTONOSUPPORT) {
		/* only a HELLO request older than this codec, its version decoded */
		FZ_CHECK(m.op == HC_OP_HELLO && !reply && len >= HC_HDR_SIZE + 4 &&
			 m.req.hello.version < HC_PROTO_VERSION_MIN &&
			 m.req.hello.version == (hc_u32)(buf[24] | buf[25] << 8 |
							 buf[26] << 16 | (hc_u32)buf[27] << 24),
			 "-EPROTONOSUPPORT for op %u", m.op);
		return;
	}
	if (rc)
		return;
	if (reply && m.result < 0)
		FZ_CHECK(len == HC_HDR_SIZE && !(m.hflags & HC_HF_ACCEPTED),
			 "an error reply with a body");
	else if (m.hflags & HC_HF_ACCEPTED)
		FZ_CHECK(reply && !m.result && len == HC_HDR_SIZE,
			 "an accepted notice that is not a bare reply header");
	else
		check_fields(&m, buf, len);

	/* what decoded encodes again, to the same bytes, and needs all of them */
	n = hc_encode(&m, re, len);
	FZ_CHECK(n == (int)len, "%s %s of %zu bytes re-encodes as %d",
		 hc_op_name(m.op) ? hc_op_name(m.op) : "?", reply ? "reply" : "request",
		 len, n);
	FZ_CHECK(memcmp(re, buf, len) == 0, "%s re-encodes to other bytes",
		 hc_op_name(m.op) ? hc_op_name(m.op) : "?");
	n = hc_encode(&m, re, len - 1);
	FZ_CHECK(n == -EMSGSIZE, "%zu bytes encode into %zu: %d", len, len - 1, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *buf;

	if (size > HC_MSG_MAX + 16)
		return -1;	/* not worth keeping: past the limit, only the header matters */
	/* an exact-size private copy: any read past it is an ASan report */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	check_one(buf, size);
	if (size >= 4) {
		buf[0] = size & 0xff;
		buf[1] = (size >> 8) & 0xff;
		buf[2] = (size >> 16) & 0xff;
		buf[3] = (size >> 24) & 0xff;
		check_one(buf, size);
	}
	free(buf);
	return 0;
}
