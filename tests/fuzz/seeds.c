// SPDX-License-Identifier: GPL-2.0-only
/*
 * Seed corpora for the fuzz harnesses, made with the real encoder: a valid
 * request and success reply of every op hc_op_fields() knows (a few
 * variants each, filled by msgs.c from the op's field list), error replies,
 * and hand-built messages of version 2 (a HELLO each way, a SPAWN_KEEP),
 * written as each harness reads its input.
 *
 *   seeds codec DIR     wire messages (fuzz_codec)
 *   seeds encode DIR    message descriptions (fuzz_encode.c's format)
 *   seeds ring DIR      guest command sequences (fuzz_ring.c's format)
 *   seeds sock DIR      records with fds to attach (fuzz_sock.c's format)
 *
 * Prints the number of files written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hc_sock.h"
#include "msgs.h"

#define VARIANTS	4

static unsigned char out[2 * HC_MSG_MAX];
static size_t outlen;
static int nfiles;

static void put(const void *p, size_t n)
{
	if (n > sizeof(out) - outlen) {
		fprintf(stderr, "seeds: a seed over %zu bytes\n", sizeof(out));
		exit(1);
	}
	memcpy(out + outlen, p, n);
	outlen += n;
}

static void put_u(hc_u64 v, int bytes)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < bytes; i++)
		b[i] = (v >> (8 * i)) & 0xff;
	put(b, bytes);
}

/* Write what put() gathered as DIR/NAME and start over. */
static void flush(const char *dir, const char *name)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, out, outlen) != (ssize_t)outlen || close(fd) < 0) {
		fprintf(stderr, "seeds: writing %s: %s\n", path, strerror(errno));
		exit(1);
	}
	outlen = 0;
	nfiles++;
}

static int encode(const struct hc_msg *m, unsigned char *buf, size_t cap)
{
	int n = hc_encode(m, buf, cap);

	if (n < 0) {
		fprintf(stderr, "seeds: encoding %s: %s\n", hc_op_name(m->op), strerror(-n));
		exit(1);
	}
	return n;
}

/* fuzz_encode.c's input: the header, each field of the op by its type, cap. */
static void put_desc(const struct hc_msg *m, int cap)
{
	const struct hc_field *f = hc_op_fields(m->op, !!(m->hflags & HC_HF_REPLY));

	put_u(m->op, 1);
	put_u(m->hflags, 2);
	put_u(m->tag, 4);
	put_u(m->subject, 4);
	put_u(m->result, 8);
	for (; f && f->type != HC_T_END; f++) {
		const void *p = (const char *)m + f->off;

		switch (f->type) {
		case HC_T_U32:
		case HC_T_S32:
			put_u(*(const hc_u32 *)p, 4);
			break;
		case HC_T_U64:
		case HC_T_S64:
			put_u(*(const hc_u64 *)p, 8);
			break;
		case HC_T_PATH:
		case HC_T_NAME: {
			const char *str = *(const char *const *)p;

			put_u(strlen(str), 2);
			put(str, strlen(str));
			break;
		}
		case HC_T_BLOB: {
			const struct hc_blob *b = p;

			put_u(b->len, 4);
			put(b->ptr, b->len);
			break;
		}
		case HC_T_STRV: {
			const struct hc_strv *v = p;

			put_u(v->count, 2);
			put_u(v->len, 4);
			put(v->ptr, v->len);
			break;
		}
		case HC_T_U32V: {
			const struct hc_u32v *v = p;
			hc_u32 i;

			put_u(v->n, 1);
			for (i = 0; i < v->n; i++)
				put_u(v->v[i], 4);
			break;
		}
		case HC_T_STAT:
			put(p, sizeof(struct hc_stat));
			break;
		case HC_T_STATFS:
			put(p, sizeof(struct hc_statfs));
			break;
		case HC_T_LOCK:
			put(p, sizeof(struct hc_lock));
			break;
		case HC_T_TIME:
			put(p, sizeof(struct hc_timespec));
			break;
		default:
			fprintf(stderr, "seeds: %s: field %s of type %u\n", hc_op_name(m->op),
				f->name, f->type);
			exit(1);
		}
	}
	put_u(cap, 4);
}

/* fuzz_ring.c's input: the request @buf written raw into a slot, submitted, served. */
static void put_ring_bytes(const unsigned char *buf, int n, unsigned int slot,
			   hc_u32 subject, int scribble)
{
	if (scribble) {
		put_u(FZ_RING_SCRIBBLE, 1);
		put_u(scribble, 1);
		put_u(n, 4);
		put_u(HC_MSG_MAX + 1, 4);
	}
	put_u(FZ_RING_WRITE, 1);
	put_u(slot, 1);
	put_u(0, 4);
	put_u(n, 2);
	put(buf, n);
	put_u(FZ_RING_SUBMIT, 1);
	put_u(slot, 1);
	put_u(subject, 4);
	put_u(n, 4);
	put_u(FZ_RING_SCAN, 1);
}

/* The same, and then the request of the same op through the harness's own encoder. */
static void put_ring(const struct hc_msg *m, unsigned int slot, int scribble)
{
	static unsigned char buf[HC_MSG_MAX];
	int n = encode(m, buf, sizeof(buf));

	put_ring_bytes(buf, n, slot, m->subject, scribble);
	put_u(FZ_RING_MSG, 1);
	put_u(slot + 1, 1);
	put_u(m->op, 1);
	put_u(0, 1);
	put_u(m->subject, 4);
	put_u(FZ_RING_SCAN, 1);
}

/*
 * Messages of version 2 that a version-3 peer must answer or refuse (hand
 * built: this encoder cannot make them): a client's HELLO (u32 version 2,
 * u32 flags), a hostcalld's HELLO reply (u32 version 2, u64 msg_max), and a
 * SPAWN_KEEP request (op 39, retired).
 */
static const struct {
	const char *name;
	hc_u16 op, hflags;
	unsigned char body[48];
	int len;
} v2_msgs[] = {
	{ "v2-hello-request", 1, 0, { 2, 0, 0, 0, 1, 0, 0, 0 }, 8 },
	{ "v2-hello-reply", 1, HC_HF_REPLY, { 2, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0 }, 12 },
	{ "v2-spawn_keep-request", 39, 0,
	  { 1, 0, 0, 0, 1, 1, 0, 0, 80, 0, 24, 0, 1, 0, 0, 0, 0,	/* flags, stdio, size, cwd "" */
	    1, 0, 0, 0, 10, 0, 0, 0, '/', 'b', 'i', 'n', '/', 't', 'r', 'u', 'e', 0,
	    0, 0, 0, 0, 0, 0, 0, 0 }, 43 },
};

static int v2_msg(size_t i, unsigned char *buf)
{
	int n = HC_HDR_SIZE + v2_msgs[i].len;

	memset(buf, 0, HC_HDR_SIZE);
	buf[0] = n;
	buf[4] = v2_msgs[i].op;
	buf[6] = v2_msgs[i].hflags & 0xff;
	buf[7] = v2_msgs[i].hflags >> 8;
	buf[8] = 0x42;		/* tag */
	buf[12] = 1;		/* subject */
	if (v2_msgs[i].hflags & HC_HF_REPLY)
		buf[16] = 1;	/* result: the subject */
	memcpy(buf + HC_HDR_SIZE, v2_msgs[i].body, v2_msgs[i].len);
	return n;
}

int main(int argc, char **argv)
{
	static unsigned char buf[HC_MSG_MAX];
	const char *kind, *dir;
	struct fz_store st;
	struct hc_msg m;
	unsigned int op, v;
	char name[64];
	int reply, n, nfds;
	size_t i;

	if (argc != 3) {
		fprintf(stderr, "usage: seeds codec|encode|ring|sock DIR\n");
		return 2;
	}
	kind = argv[1];
	dir = argv[2];
	if (strcmp(kind, "codec") && strcmp(kind, "encode") && strcmp(kind, "ring") &&
	    strcmp(kind, "sock")) {
		fprintf(stderr, "seeds: unknown kind %s\n", kind);
		return 2;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "seeds: mkdir %s: %s\n", dir, strerror(errno));
		return 1;
	}
	/* every op the codec has fields for: hc_op_fields() decides */
	for (op = 1; op < HC_OP_MAX; op++)
		for (reply = 0; reply < 2; reply++)
			for (v = 0; v < VARIANTS; v++) {
				if (fz_fill(&m, &st, op, reply, v))
					continue;
				snprintf(name, sizeof(name), "%s-%s-%u", hc_op_name(op),
					 reply ? "reply" : "request", v);
				if (!strcmp(kind, "codec")) {
					n = encode(&m, buf, sizeof(buf));
					put(buf, n);
				} else if (!strcmp(kind, "encode")) {
					put_desc(&m, v & 1 ? HC_MSG_MAX : 200 + 50 * v);
				} else if (!strcmp(kind, "ring")) {
					if (reply)
						continue;	/* the guest writes requests */
					m.hflags = 0;		/* no fds on the ring */
					put_ring(&m, v, v & 2 ? FZ_SCRIB_LEN | FZ_SCRIB_DATA : 0);
				} else {
					/* nfds u8, cap u32, then the record */
					nfds = m.hflags & HC_HF_NFDS_MASK;
					put_u(nfds ? nfds : v, 1);
					put_u(v & 1 ? HC_MSG_MAX : 64, 4);
					n = encode(&m, buf, sizeof(buf));
					put(buf, n);
				}
				flush(dir, name);
				if (reply && v == 0 && !strcmp(kind, "codec")) {
					/* an error reply: a bare header */
					m.result = -ENOENT;
					put(buf, encode(&m, buf, sizeof(buf)));
					snprintf(name, sizeof(name), "%s-error", hc_op_name(op));
					flush(dir, name);
				}
			}
	if (!strcmp(kind, "encode")) {
		printf("%d\n", nfiles);
		return 0;
	}
	for (i = 0; i < sizeof(v2_msgs) / sizeof(v2_msgs[0]); i++) {
		n = v2_msg(i, buf);
		if (!strcmp(kind, "ring")) {
			if (v2_msgs[i].hflags & HC_HF_REPLY)
				continue;
			put_ring_bytes(buf, n, i, 1, 0);
		} else {
			if (!strcmp(kind, "sock")) {
				put_u(0, 1);
				put_u(HC_MSG_MAX, 4);
			}
			put(buf, n);
		}
		flush(dir, v2_msgs[i].name);
	}
	if (!strcmp(kind, "sock")) {
		/* the most fds a record may carry, and one more */
		fz_fill(&m, &st, HC_OP_SPAWN, 0, 3);
		n = encode(&m, buf, sizeof(buf));
		for (i = 0; i < 2; i++) {
			put_u(HC_SOCK_FDS_MAX + i, 1);
			put_u(HC_MSG_MAX, 4);
			put(buf, n);
			flush(dir, i ? "fds-over-max" : "fds-max");
		}
	}
	printf("%d\n", nfiles);
	return 0;
}
