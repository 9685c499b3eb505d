// SPDX-License-Identifier: GPL-2.0-only
/*
 * Seed corpora for the fuzz harnesses, made with the real encoder: a valid
 * request and success reply of every op (a few variants each) and error
 * replies, written as each harness reads its input.
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

/* fuzz_encode.c's input: header, integer fields, then strings, blobs, cap. */
static void put_desc(const struct hc_msg *m, int cap)
{
	put_u(m->op, 1);
	put_u(m->hflags, 2);
	put_u(m->tag, 4);
	put_u(m->subject, 4);
	put_u(m->result, 8);
	put_u(m->fd, 4);
	put_u(m->fd2, 4);
	put_u(m->flags, 4);
	put_u(m->mode, 4);
	put_u(m->uid, 4);
	put_u(m->gid, 4);
	put_u(m->arg, 4);
	put_u(m->arg2, 4);
	put_u(m->off, 8);
	put_u(m->len, 8);
	put_u(m->dev, 8);
	put(&m->times, sizeof(m->times));
	put(&m->st, sizeof(m->st));
	put(&m->sfs, sizeof(m->sfs));
	put(&m->lk, sizeof(m->lk));
	put_u(strlen(m->path), 2);
	put(m->path, strlen(m->path));
	put_u(strlen(m->path2), 2);
	put(m->path2, strlen(m->path2));
	put_u(strlen(m->name), 2);
	put(m->name, strlen(m->name));
	put_u(m->datalen, 4);
	put(m->data, m->datalen);
	put_u(m->argc, 2);
	put_u(m->argvlen, 4);
	put(m->argv, m->argvlen);
	put_u(m->envc, 2);
	put_u(m->envplen, 4);
	put(m->envp, m->envplen);
	put_u(cap, 4);
}

/* fuzz_ring.c's input: the request written raw into a slot, submitted, served. */
static void put_ring(const struct hc_msg *m, unsigned int slot, int scribble)
{
	static unsigned char buf[HC_MSG_MAX];
	int n = encode(m, buf, sizeof(buf));

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
	put_u(m->subject, 4);
	put_u(n, 4);
	put_u(FZ_RING_SCAN, 1);
	/* and the same through the harness's own encoder */
	put_u(FZ_RING_MSG, 1);
	put_u(slot + 1, 1);
	put_u(m->op, 1);
	put_u(0, 1);
	put_u(m->subject, 4);
	put_u(FZ_RING_SCAN, 1);
}

int main(int argc, char **argv)
{
	static unsigned char buf[HC_MSG_MAX];
	const char *kind, *dir;
	struct fz_store st;
	struct hc_msg m;
	unsigned int op, v;
	char name[64];
	int reply, n;

	if (argc != 3) {
		fprintf(stderr, "usage: seeds codec|encode|ring|sock DIR\n");
		return 2;
	}
	kind = argv[1];
	dir = argv[2];
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "seeds: mkdir %s: %s\n", dir, strerror(errno));
		return 1;
	}
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
					put_ring(&m, v, v & 2 ? FZ_SCRIB_LEN | FZ_SCRIB_DATA : 0);
				} else if (!strcmp(kind, "sock")) {
					/* nfds u8, cap u32, then the record */
					put_u(v, 1);
					put_u(v & 1 ? HC_MSG_MAX : 64, 4);
					n = encode(&m, buf, sizeof(buf));
					put(buf, n);
				} else {
					fprintf(stderr, "seeds: unknown kind %s\n", kind);
					return 2;
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
	printf("%d\n", nfiles);
	return 0;
}
