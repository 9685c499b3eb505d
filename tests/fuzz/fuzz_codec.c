// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness of every decoder of proto/: hc_decode_hdr() and
 * hc_decode() of any bytes (requests and replies of every op), the string
 * vectors through hc_strv_next(), and the open-flag translation. A message
 * that decodes must re-encode to the same bytes. Each input is tried as it
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

/* A decoded vector: its walk gives exactly @count strings and ends at @n. */
static void check_strv(const char *what, const char *v, hc_u32 n, hc_u32 count,
		       const unsigned char *buf, size_t len)
{
	hc_u32 pos = 0, k = 0;
	const char *s;

	check_blob(what, v, n, buf, len);
	FZ_CHECK(count <= HC_ARGV_MAX, "%s count %u", what, count);
	while ((s = hc_strv_next(v, n, &pos)) != NULL) {
		FZ_CHECK(s >= v && s + strlen(s) < v + n, "%s string %u outside", what, k);
		k++;
		FZ_CHECK(k <= count, "%s walks past its count %u", what, count);
	}
	FZ_CHECK(k == count && pos == n, "%s: %u strings to %u, count %u, length %u",
		 what, k, pos, count, n);
}

static void check_fields(const struct hc_msg *m, const unsigned char *buf, size_t len)
{
	const hc_u8 *f = hc_op_fields(m->op, !!(m->hflags & HC_HF_REPLY));

	if (!f)	/* an error reply of an op this codec does not know */
		return;
	for (; *f != HC_FLD_END; f++)
		switch (*f) {
		case HC_FLD_PATH:
			check_str("path", m->path, buf, len, HC_PATH_MAX);
			break;
		case HC_FLD_PATH2:
			check_str("path2", m->path2, buf, len, HC_PATH_MAX);
			break;
		case HC_FLD_NAME:
			check_str("name", m->name, buf, len, HC_XATTR_NAME_MAX);
			break;
		case HC_FLD_DATA:
			check_blob("data", m->data, m->datalen, buf, len);
			break;
		case HC_FLD_ARGV:
			check_strv("argv", m->argv, m->argvlen, m->argc, buf, len);
			break;
		case HC_FLD_ENVP:
			check_strv("envp", m->envp, m->envplen, m->envc, buf, len);
			break;
		case HC_FLD_FLAGS:
			/* translated flags are a fixed point after one round */
			if (m->op == HC_OP_OPENAT) {
				int l = hc_oflags_from_wire(m->flags);

				FZ_CHECK(hc_oflags_from_wire(hc_oflags_to_wire(l)) == l,
					 "open flags %#x do not round-trip", m->flags);
			}
			break;
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
	FZ_CHECK(rc == 0 || rc == -EBADMSG || rc == -ENOSYS, "hc_decode: %d", rc);
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
			 !(reply && m.result < 0), "-ENOSYS for op %u", m.op);
		return;
	}
	if (rc)
		return;
	if (reply && m.result < 0)
		FZ_CHECK(len == HC_HDR_SIZE, "an error reply with a body");
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
