/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host's reading of one ivshmem ring slot (hc_ring.h): a request copied
 * out of guest-writable memory and checked before anything parses it. Used
 * by the relay (ivshmem.c) and by the ring's fuzz harness.
 */
#ifndef HOSTD_IVRING_H
#define HOSTD_IVRING_H

#include "hc_ring.h"

/**
 * struct hostd_ivreq - a request taken from a slot.
 * @seq: the descriptor's seq, as read once (echoed in rep_seq)
 * @subject: the descriptor's subject, as read once
 * @op: the op of the private copy's header, 0 if it was not reached
 * @tag: its tag, 0 if it was not reached
 * @buf: the private copy (malloc'd, the caller frees it), or NULL
 * @len: its length
 */
struct hostd_ivreq {
	hc_u32 seq;
	hc_u32 subject;
	hc_u16 op;
	hc_u32 tag;
	void *buf;
	hc_u32 len;
};

/**
 * hostd_ivring_take() - copy the request of slot @i into private memory and
 * check its header.
 * @mem: the shared memory
 * @slot_size: the host's own copy of the block size (never read back)
 * @i: the slot, below the host's own slot count (the caller's to check)
 * @rq: filled in, also on failure (for the error reply)
 * @m: the header of the copy, decoded
 *
 * Each shared field is read exactly once; after the copy only the copy is
 * looked at, so a guest rewriting the slot meanwhile changes nothing.
 * Returns: 0 with rq->buf set; -EBADMSG for a length out of
 * [HC_HDR_SIZE, slot_size] or a header that is not a bare request (reply
 * bit, fds, a result) of the descriptor's subject; -ENOMEM. On failure
 * rq->buf is NULL.
 */
int hostd_ivring_take(unsigned char *mem, hc_u32 slot_size, hc_u32 i,
		      struct hostd_ivreq *rq, struct hc_msg *m);

#endif /* HOSTD_IVRING_H */
