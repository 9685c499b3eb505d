/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Valid messages of every op, request and reply, built for the fuzz
 * harnesses: the seed generator encodes them with the real encoder, and the
 * live driver starts each mutation from one.
 */
#ifndef FUZZ_MSGS_H
#define FUZZ_MSGS_H

#include "hostcall_proto.h"

/* More fields than any op has. */
#define FZ_FIELDS_MAX	16

/* The strings and blobs a filled message points to, by field index. */
struct fz_store {
	char str[FZ_FIELDS_MAX][64];
	unsigned char data[FZ_FIELDS_MAX][256];
	char strv[FZ_FIELDS_MAX][64];
};

/**
 * fz_fill() - a valid request (@reply 0) or success reply of @op, with
 * values a host would see: every field hc_op_fields() lists, filled by its
 * type and name (paths relative to the subject's cwd, HC_AT_FDCWD handles,
 * a version-3 HELLO, /bin/true as the program), then a few per op.
 * @variant: picks between a few plausible values of some fields
 *
 * Returns: 0, or -ENOSYS if @op has no field list.
 */
int fz_fill(struct hc_msg *m, struct fz_store *st, unsigned int op, int reply,
	    unsigned int variant);

/* The field @name of @op's request (@reply 0) or reply, or NULL. */
const struct hc_field *fz_field(unsigned int op, int reply, const char *name);

/* Where field @f of @m is. */
#define FZ_AT(m, f, T)	((T *)((char *)(m) + (f)->off))

/* The ring harness's commands (fuzz_ring.c reads them, seeds.c writes them). */
enum fz_ring_cmd {
	FZ_RING_WRITE,		/* slot u8, off u32, n u16, n bytes: data */
	FZ_RING_DESC,		/* slot u8, word u8, value u32: a descriptor word */
	FZ_RING_SUBMIT,		/* slot u8, subject u32, len u32: seq++, REQ */
	FZ_RING_SCAN,		/* the host scans, takes and answers */
	FZ_RING_SCRIBBLE,	/* what u8, a u32, b u32: during takes */
	FZ_RING_MSG,		/* slot u8, op u8, variant u8, subject u32 */
	FZ_RING_STATE,		/* slot u8, state u32 */
	FZ_RING_NCMD
};

/* Scribbler targets (FZ_RING_SCRIBBLE's what). */
#define FZ_SCRIB_LEN		0x01	/* req_len alternates a, b */
#define FZ_SCRIB_SUBJECT	0x02	/* subject alternates a, b */
#define FZ_SCRIB_DATA		0x04	/* header and body bytes */
#define FZ_SCRIB_STATE		0x08	/* state word */

#endif /* FUZZ_MSGS_H */
