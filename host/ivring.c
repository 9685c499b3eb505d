// SPDX-License-Identifier: GPL-2.0-only
/*
 * Taking a request out of an ivshmem ring slot: the one place where the
 * host reads what a guest wrote into shared memory (see ivring.h).
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ivring.h"

/* A shared word, read once as a whole word. */
static hc_u32 ivring_load(hc_le32 *p)
{
	return le32toh(__atomic_load_n(p, __ATOMIC_RELAXED));
}

int hostd_ivring_take(unsigned char *mem, hc_u32 slot_size, hc_u32 i,
		      struct hostd_ivreq *rq, struct hc_msg *m)
{
	struct hc_ring_slot *d = (struct hc_ring_slot *)(mem + hc_ring_desc_off(i));
	hc_u32 len;
	int err;

	memset(rq, 0, sizeof(*rq));
	memset(m, 0, sizeof(*m));
	len = ivring_load(&d->req_len);
	rq->subject = ivring_load(&d->subject);
	rq->seq = ivring_load(&d->seq);
	if (len < HC_HDR_SIZE || len > slot_size)
		return -EBADMSG;
	rq->buf = malloc(len);
	if (!rq->buf)
		return -ENOMEM;
	memcpy(rq->buf, mem + hc_ring_data_off(slot_size, i), len);
	rq->len = len;

	/* from here on only the private copy is looked at */
	err = hc_decode_hdr(m, rq->buf, len);
	rq->op = m->op;
	rq->tag = m->tag;
	if (!err && ((m->hflags & (HC_HF_REPLY | HC_HF_NFDS_MASK)) || m->result ||
		     m->subject != rq->subject))
		err = -EBADMSG;
	if (err) {
		free(rq->buf);
		rq->buf = NULL;
		rq->len = 0;
	}
	return err;
}
