// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness of the ivshmem ring as the host sees it: the input is a
 * sequence of guest actions on a ring in memory (write bytes into a slot,
 * set any descriptor word, submit, build a valid request) interleaved with
 * host scans, which take each REQ slot with hostd_ivring_take() (the code
 * the relay runs), decode the private copy as the shadow would, and answer.
 * A scribbler thread can rewrite the slot being taken (lengths, subject,
 * state, data) while the host copies it, as a hostile guest on another CPU.
 *
 * While the host takes slot i, every other byte of the ring is poisoned
 * (ASan): a read outside descriptor i and data area i is a report. Checks:
 * the result is 0, -EBADMSG or -ENOMEM; a taken request lies in private
 * memory, has a length in [HC_HDR_SIZE, slot_size] and a header that is a
 * bare request for the subject the descriptor named, and decodes (or is a
 * HELLO too old to, -EPROTONOSUPPORT) and re-encodes to the same bytes as
 * an untouched copy would.
 *
 * Input: commands of msgs.h (enum fz_ring_cmd), each a byte (mod
 * FZ_RING_NCMD) and its operands, little-endian; missing bytes read as 0.
 */
#include <errno.h>
#include <pthread.h>
#include <sanitizer/asan_interface.h>
#include <sched.h>
#include <string.h>

#include "fuzz.h"
#include "hc_ring.h"
#include "ivring.h"
#include "msgs.h"

/* The smallest layout hc_ring_layout_check() allows with 3 slots. */
#define RING_SLOT	HC_RING_SLOT_SIZE
#define RING_SIZE	(4u * RING_SLOT)
#define RING_NSLOTS	(RING_SIZE / RING_SLOT - 1)

static unsigned char *ring;

static struct hc_ring_slot *desc(hc_u32 i)
{
	return (struct hc_ring_slot *)(ring + hc_ring_desc_off(i));
}

static unsigned char *slot_data(hc_u32 i)
{
	return ring + hc_ring_data_off(RING_SLOT, i);
}

/* ---- the scribbler: a guest CPU rewriting the slot the host takes ---- */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int what;		/* FZ_SCRIB_* for the next takes; 0: off */
	hc_u32 a, b;
	int slot;		/* being taken, or -1 */
	int gen;		/* a take started: scribble */
	int busy;		/* the scribbler is in the slot */
} sc = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, -1, 0, 0 };

static void *scribbler(void *arg)
{
	unsigned int k = 0;
	int seen = 0;

	(void)arg;
	for (;;) {
		struct hc_ring_slot *d;
		unsigned char *p;
		hc_u32 a, b;
		int what, i;

		pthread_mutex_lock(&sc.lock);
		while (sc.gen == seen)
			pthread_cond_wait(&sc.cond, &sc.lock);
		seen = sc.gen;
		what = sc.what;
		a = sc.a;
		b = sc.b;
		i = sc.slot;
		sc.busy = 1;
		pthread_cond_broadcast(&sc.cond);
		pthread_mutex_unlock(&sc.lock);

		d = desc(i);
		p = slot_data(i);
		/* rewrite until the host's take is over */
		while (__atomic_load_n(&sc.slot, __ATOMIC_ACQUIRE) == i) {
			hc_u32 v = k++ & 1 ? a : b;

			if (what & FZ_SCRIB_LEN)
				__atomic_store_n(&d->req_len, v, __ATOMIC_RELAXED);
			if (what & FZ_SCRIB_SUBJECT)
				__atomic_store_n(&d->subject, v, __ATOMIC_RELAXED);
			if (what & FZ_SCRIB_STATE)
				__atomic_store_n(&d->state, v & 3, __ATOMIC_RELAXED);
			if (what & FZ_SCRIB_DATA) {
				/* the header, and a byte further on */
				__atomic_store_n(&p[k % HC_HDR_SIZE],
						 (unsigned char)(v >> (k % 4 * 8)),
						 __ATOMIC_RELAXED);
				__atomic_store_n(&p[v % RING_SLOT], (unsigned char)k,
						 __ATOMIC_RELAXED);
			}
		}
		pthread_mutex_lock(&sc.lock);
		sc.busy = 0;
		pthread_cond_broadcast(&sc.cond);
		pthread_mutex_unlock(&sc.lock);
	}
	return NULL;
}

static void scribble_start(hc_u32 i)
{
	pthread_mutex_lock(&sc.lock);
	__atomic_store_n(&sc.slot, (int)i, __ATOMIC_RELEASE);
	sc.gen++;
	pthread_cond_broadcast(&sc.cond);
	/* let it begin, so that it races the copy rather than follows it */
	while (!sc.busy)
		pthread_cond_wait(&sc.cond, &sc.lock);
	pthread_mutex_unlock(&sc.lock);
}

static void scribble_stop(void)
{
	pthread_mutex_lock(&sc.lock);
	__atomic_store_n(&sc.slot, -1, __ATOMIC_RELEASE);
	while (sc.busy)
		pthread_cond_wait(&sc.cond, &sc.lock);
	pthread_mutex_unlock(&sc.lock);
}

static int ring_init(void)
{
	pthread_t t;

	if (hc_ring_layout_check(RING_SIZE, RING_SLOT, RING_NSLOTS))
		abort();
	/* heap memory of exactly the ring's size: past its end is a report */
	ring = malloc(RING_SIZE);
	if (!ring || pthread_create(&t, NULL, scribbler, NULL))
		abort();
	return 0;
}

/* ---- the host ---- */

/* The host's answer, as iv_finish() publishes it. */
static void host_answer(hc_u32 i, const struct hostd_ivreq *rq, hc_s64 result)
{
	struct hc_msg r = {
		.op = rq->op, .hflags = HC_HF_REPLY, .tag = rq->tag,
		.subject = rq->subject, .result = result < 0 ? result : -ENOSYS,
	};
	int n = hc_encode(&r, slot_data(i), RING_SLOT);

	__atomic_store_n(&desc(i)->rep_len, n > 0 ? n : 0, __ATOMIC_RELAXED);
	__atomic_store_n(&desc(i)->rep_seq, rq->seq, __ATOMIC_RELAXED);
	__atomic_store_n(&desc(i)->state, HC_SLOT_DONE, __ATOMIC_RELEASE);
}

static void host_take(hc_u32 i, int what)
{
	static unsigned char before[HC_MSG_MAX], re[HC_MSG_MAX];
	struct hostd_ivreq rq;
	struct hc_msg m, d;
	int err, rc, n;

	/* only descriptor i and data area i may be read */
	ASAN_POISON_MEMORY_REGION(ring, RING_SIZE);
	ASAN_UNPOISON_MEMORY_REGION(desc(i), sizeof(struct hc_ring_slot));
	ASAN_UNPOISON_MEMORY_REGION(slot_data(i), RING_SLOT);
	if (what)
		scribble_start(i);
	err = hostd_ivring_take(ring, RING_SLOT, i, &rq, &m);
	if (what)
		scribble_stop();
	ASAN_UNPOISON_MEMORY_REGION(ring, RING_SIZE);

	FZ_CHECK(err == 0 || err == -EBADMSG || err == -ENOMEM, "take: %d", err);
	if (err) {
		FZ_CHECK(!rq.buf, "a failed take left a copy");
		host_answer(i, &rq, err);
		return;
	}
	FZ_CHECK(rq.buf && rq.len >= HC_HDR_SIZE && rq.len <= RING_SLOT,
		 "a request of %u bytes", rq.len);
	FZ_CHECK((unsigned char *)rq.buf + rq.len <= ring ||
		 (unsigned char *)rq.buf >= ring + RING_SIZE,
		 "the request was not copied out of the ring");
	FZ_CHECK(!(m.hflags & (HC_HF_REPLY | HC_HF_NFDS_MASK)) && !m.result &&
		 m.subject == rq.subject && m.op == rq.op && m.tag == rq.tag,
		 "a header the take should have refused");

	/* the guest goes on writing: the copy must not care */
	memcpy(before, rq.buf, rq.len);
	memset(slot_data(i), 0xa5, RING_SLOT);
	desc(i)->req_len = 0xffffffffu;
	rc = hc_decode(&d, rq.buf, rq.len);
	FZ_CHECK(!memcmp(before, rq.buf, rq.len), "the private copy changed");
	FZ_CHECK(rc == 0 || rc == -EBADMSG || rc == -ENOSYS ||
		 (rc == -EPROTONOSUPPORT && d.op == HC_OP_HELLO &&
		  d.req.hello.version < HC_PROTO_VERSION_MIN), "decode: %d", rc);
	if (rc == 0) {
		n = hc_encode(&d, re, sizeof(re));
		FZ_CHECK(n == (int)rq.len && !memcmp(re, before, rq.len),
			 "%s: the copy re-encodes as %d of %u bytes",
			 hc_op_name(d.op) ? hc_op_name(d.op) : "?", n, rq.len);
	}
	host_answer(i, &rq, rc);
	free(rq.buf);
}

/* A scan as iv_scan() does it: every slot whose state says REQ. */
static void host_scan(int what)
{
	hc_u32 i;

	for (i = 0; i < RING_NSLOTS; i++)
		if (__atomic_load_n(&desc(i)->state, __ATOMIC_ACQUIRE) == HC_SLOT_REQ)
			host_take(i, what);
}

/* ---- the guest ---- */

static void guest_submit(hc_u32 i, hc_u32 subject, hc_u32 len)
{
	struct hc_ring_slot *d = desc(i);

	d->subject = subject;
	d->req_len = len;
	d->seq++;
	__atomic_store_n(&d->state, HC_SLOT_REQ, __ATOMIC_RELEASE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	struct fz_in in = { .p = data, .len = size };
	struct fz_store st;
	struct hc_msg m;
	int what = 0;

	if (!inited)
		inited = !ring_init();
	memset(ring, 0, RING_SIZE);
	pthread_mutex_lock(&sc.lock);
	sc.what = 0;
	pthread_mutex_unlock(&sc.lock);

	while (in.pos < in.len) {
		hc_u32 cmd = fz_u(&in, 1) % FZ_RING_NCMD, i, off, n, v;

		switch (cmd) {
		case FZ_RING_WRITE:
			i = fz_u(&in, 1) % RING_NSLOTS;
			off = fz_u(&in, 4) % RING_SLOT;
			n = fz_u(&in, 2);
			if (n > in.len - in.pos)
				n = in.len - in.pos;
			if (n > RING_SLOT - off)
				n = RING_SLOT - off;
			memcpy(slot_data(i) + off, in.p + in.pos, n);
			in.pos += n;
			break;
		case FZ_RING_DESC:
			i = fz_u(&in, 1) % RING_NSLOTS;
			off = fz_u(&in, 1) % (HC_RING_SLOT_DESC_SIZE / 4);
			((hc_le32 *)desc(i))[off] = fz_u(&in, 4);
			break;
		case FZ_RING_SUBMIT:
			i = fz_u(&in, 1) % RING_NSLOTS;
			v = fz_u(&in, 4);
			guest_submit(i, v, fz_u(&in, 4));
			break;
		case FZ_RING_SCAN:
			host_scan(what);
			break;
		case FZ_RING_SCRIBBLE:
			what = fz_u(&in, 1) & 0x0f;
			pthread_mutex_lock(&sc.lock);
			sc.what = what;
			sc.a = fz_u(&in, 4);
			sc.b = fz_u(&in, 4);
			pthread_mutex_unlock(&sc.lock);
			break;
		case FZ_RING_MSG: {
			int len;

			i = fz_u(&in, 1) % RING_NSLOTS;
			off = fz_u(&in, 1) % HC_OP_MAX;	/* the op */
			v = fz_u(&in, 1);		/* the variant */
			if (fz_fill(&m, &st, off, 0, v))
				break;
			m.subject = fz_u(&in, 4);
			len = hc_encode(&m, slot_data(i), RING_SLOT);
			if (len > 0)
				guest_submit(i, m.subject, len);
			break;
		}
		case FZ_RING_STATE:
			i = fz_u(&in, 1) % RING_NSLOTS;
			__atomic_store_n(&desc(i)->state, fz_u(&in, 4), __ATOMIC_RELEASE);
			break;
		}
	}
	host_scan(what);
	return 0;
}
