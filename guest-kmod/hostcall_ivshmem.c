// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ivshmem-doorbell transport: a PCI driver for QEMU's ivshmem device
 * (1af4:1110) whose BAR2 holds the request ring of proto/hc_ring.h. A call
 * takes a free slot, writes the request, rings the host's doorbell and
 * sleeps until the host's MSI-X interrupt reports the slot DONE, or
 * ACCEPTED: then the request is in flight on the host, the slot is free
 * again, and the reply comes later in a slot this driver offers for late
 * replies (RECV), found by subject and tag when the host marks it LATE.
 */
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/pci.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "hostcall.h"
#include "../proto/hc_ring.h"

#define HOSTCALL_IV_NAME	"hostcall"

/* Slots offered for late replies at most, however many calls are accepted. */
#define HOSTCALL_IV_RECV_MAX	4

/* Bytes of a late reply that nobody waits for the module looks at. */
#define HOSTCALL_IV_ORPHAN_REP	128

struct hostcall_ivshmem;

/*
 * One call on the ring, from its request to its reply; all fields but the
 * identity under hostcall_ivshmem.lock. A caller of ->submit has it on its
 * stack; a caller of ->start in its struct hostcall_async (->priv); a call
 * whose caller went away is an orphan on the heap, whose work item cancels
 * the request on the host and drops the reply.
 */
struct hostcall_ivcall {
	u32 subject, tag;
	u16 op;
	int slot;		/* the reply's slot once @completed */
	bool late;		/* it is a LATE slot, not the request's */
	bool accepted;		/* on hostcall_ivshmem.accepted */
	bool completed;
	bool orphan;
	bool cancel;		/* orphan: CANCEL still to send */
	struct list_head node;	/* hostcall_ivshmem.accepted */
	struct completion done;	/* ->submit's caller sleeps on it */
	struct hostcall_async *async;
	struct hostcall_ivshmem *iv;
	struct work_struct work;	/* orphan */
	struct list_head orphans;	/* hostcall_ivshmem.orphans */
};

/* Guest-private state of one slot; under hostcall_ivshmem.lock. */
struct hostcall_ivslot {
	u32 seq;
	struct hostcall_ivcall *call;	/* while REQ: who gets DONE/ACCEPTED */
};

struct hostcall_ivshmem {
	struct hostcall_transport tp;
	struct pci_dev *pdev;
	void __iomem *regs;		/* BAR0 */
	void *mem;			/* BAR2, mapped write-back */
	u64 mem_size;
	u32 slot_size;
	u32 nslots;
	u32 doorbell;			/* value that rings the host */
	int irq;
	spinlock_t lock;		/* everything below */
	unsigned long *free;		/* slots nobody uses */
	unsigned long *inflight;	/* REQ slots waiting for DONE/ACCEPTED */
	unsigned long *recv;		/* RECV slots offered to the host */
	unsigned int nrecv;
	unsigned int naccepted;
	struct list_head accepted;	/* calls the host accepted */
	struct list_head orphans;	/* calls nobody waits for */
	wait_queue_head_t slot_wq;	/* callers waiting for a free slot */
	struct hostcall_ivslot *slots;
	struct workqueue_struct *wq;	/* the orphans' work */
};

static struct hostcall_ivshmem *to_iv(struct hostcall_transport *t)
{
	return container_of(t, struct hostcall_ivshmem, tp);
}

static struct hc_ring_slot *hostcall_iv_desc(struct hostcall_ivshmem *iv, u32 i)
{
	return iv->mem + hc_ring_desc_off(i);
}

static void *hostcall_iv_data(struct hostcall_ivshmem *iv, u32 i)
{
	return iv->mem + hc_ring_data_off(iv->slot_size, i);
}

static u32 hostcall_iv_state(struct hc_ring_slot *d)
{
	/* Pairs with the host's release store of DONE: reply data is visible. */
	return le32_to_cpu(smp_load_acquire(&d->state));
}

/*
 * How long a caller waits (hc_ring.h, "Liveness"): while the host's beat
 * moves, however long the call takes; until the beat has stood still for
 * timeout_ms (0: forever); not at all once the host is GONE.
 */
struct hostcall_iv_wait {
	u32 beat;
	unsigned long since;	/* jiffies when @beat was first seen */
};

static bool hostcall_iv_host_gone(struct hostcall_ivshmem *iv);

static u32 hostcall_iv_beat(struct hostcall_ivshmem *iv)
{
	struct hc_ring_hdr *h = iv->mem;

	return le32_to_cpu(READ_ONCE(h->host_beat));
}

static void hostcall_iv_wait_start(struct hostcall_ivshmem *iv,
				   struct hostcall_iv_wait *w)
{
	w->beat = hostcall_iv_beat(iv);
	w->since = jiffies;
}

/* The next time slice to sleep, in jiffies; 0 when the host counts as gone. */
static long hostcall_iv_wait_slice(struct hostcall_ivshmem *iv,
				   struct hostcall_iv_wait *w)
{
	long slice = msecs_to_jiffies(HC_RING_BEAT_MS);
	unsigned long limit;
	u32 beat;

	if (hostcall_iv_host_gone(iv))
		return 0;
	if (!hostcall_timeout_ms)
		return slice;
	beat = hostcall_iv_beat(iv);
	if (beat != w->beat) {
		w->beat = beat;
		w->since = jiffies;
	}
	limit = w->since + msecs_to_jiffies(hostcall_timeout_ms);
	if (time_after_eq(jiffies, limit))
		return 0;
	return min_t(long, slice, limit - jiffies);
}

static bool hostcall_iv_take_slot(struct hostcall_ivshmem *iv, u32 *slot)
{
	unsigned long i;
	bool ok = false;

	spin_lock_irq(&iv->lock);
	i = find_first_bit(iv->free, iv->nslots);
	if (i < iv->nslots) {
		clear_bit(i, iv->free);
		*slot = i;
		ok = true;
	}
	spin_unlock_irq(&iv->lock);
	return ok;
}

/* Called with iv->lock held: the slot is the guest's again. */
static void hostcall_iv_free_slot_locked(struct hostcall_ivshmem *iv, u32 i)
{
	WRITE_ONCE(hostcall_iv_desc(iv, i)->state, cpu_to_le32(HC_SLOT_FREE));
	set_bit(i, iv->free);
	wake_up(&iv->slot_wq);
}

/*
 * Called with iv->lock held, for a slot the guest owns and does not need
 * any more: offered for late replies while fewer are offered than calls
 * are accepted (up to HOSTCALL_IV_RECV_MAX), else free. Returns: true if
 * it was offered, and the host must be rung.
 */
static bool hostcall_iv_recycle_locked(struct hostcall_ivshmem *iv, u32 i)
{
	if (iv->nrecv >= min_t(unsigned int, iv->naccepted, HOSTCALL_IV_RECV_MAX)) {
		hostcall_iv_free_slot_locked(iv, i);
		return false;
	}
	set_bit(i, iv->recv);
	iv->nrecv++;
	/* the host takes it when it scans, after the doorbell */
	smp_store_release(&hostcall_iv_desc(iv, i)->state,
			  cpu_to_le32(HC_SLOT_RECV));
	return true;
}

static void hostcall_iv_ring(struct hostcall_ivshmem *iv)
{
	writel(iv->doorbell, iv->regs + HC_IVSHMEM_DOORBELL);
}

/* Release a completed call's reply slot. Returns: true to ring the host. */
static bool hostcall_iv_put_reply_locked(struct hostcall_ivshmem *iv,
					 struct hostcall_ivcall *c)
{
	if (c->late)
		return hostcall_iv_recycle_locked(iv, c->slot);
	hostcall_iv_free_slot_locked(iv, c->slot);
	return false;
}

/*
 * Check what the host wrote into the reply slot of completed call @c and
 * copy at most @cap bytes of the reply to @rep: the length must fit both.
 * Returns: the reply's length, or -EPROTO, or -EMSGSIZE (@cap too small).
 */
static int hostcall_iv_copy_reply(struct hostcall_ivshmem *iv,
				  struct hostcall_ivcall *c, void *rep,
				  size_t cap, bool trunc)
{
	struct hc_ring_slot *d = hostcall_iv_desc(iv, c->slot);
	u32 len = le32_to_cpu(READ_ONCE(d->rep_len));
	u32 seq = le32_to_cpu(READ_ONCE(d->rep_seq));

	if (!c->late && seq != iv->slots[c->slot].seq) {
		dev_warn_ratelimited(&iv->pdev->dev,
				     "slot %d: reply to request %u, expected %u\n",
				     c->slot, seq, iv->slots[c->slot].seq);
		return -EPROTO;
	}
	if (len < HC_HDR_SIZE || len > iv->slot_size) {
		dev_warn_ratelimited(&iv->pdev->dev,
				     "slot %d: bad reply length %u\n", c->slot, len);
		return -EPROTO;
	}
	if (len > cap && !trunc)
		return -EMSGSIZE;
	memcpy(rep, hostcall_iv_data(iv, c->slot), min_t(size_t, len, cap));
	return len;
}

/*
 * Called with iv->lock held: @c's reply is in slot @i. A caller of
 * ->submit is woken and copies it; a call of ->start gets it copied here
 * (replies of async calls are small); an orphan's work item deals with it.
 * Returns: true to ring the host.
 */
static bool hostcall_iv_complete_locked(struct hostcall_ivshmem *iv,
					struct hostcall_ivcall *c, u32 i,
					bool late)
{
	struct hostcall_async *a = c->async;
	bool ring;

	c->slot = i;
	c->late = late;
	c->completed = true;
	if (c->orphan) {
		queue_work(iv->wq, &c->work);
		return false;
	}
	if (!a) {
		complete(&c->done);
		return false;
	}
	a->len = hostcall_iv_copy_reply(iv, c, a->rep, a->rep_cap, false);
	ring = hostcall_iv_put_reply_locked(iv, c);
	a->done(a);
	return ring;
}

/* Called with iv->lock held: the host took @c's request into flight. */
static void hostcall_iv_accept_locked(struct hostcall_ivshmem *iv,
				      struct hostcall_ivcall *c)
{
	c->accepted = true;
	list_add_tail(&c->node, &iv->accepted);
	iv->naccepted++;
	if (c->orphan) {
		c->cancel = true;
		queue_work(iv->wq, &c->work);
	}
}

static struct hostcall_ivcall *
hostcall_iv_find_accepted(struct hostcall_ivshmem *iv, u32 subject, u32 tag)
{
	struct hostcall_ivcall *c;

	list_for_each_entry(c, &iv->accepted, node)
		if (c->subject == subject && c->tag == tag)
			return c;
	return NULL;
}

/* A request slot @i went DONE or ACCEPTED. Returns: true to ring the host. */
static bool hostcall_iv_irq_req(struct hostcall_ivshmem *iv, u32 i, u32 state)
{
	struct hc_ring_slot *d = hostcall_iv_desc(iv, i);
	struct hostcall_ivcall *c = iv->slots[i].call;

	if (state == HC_SLOT_ACCEPTED &&
	    le32_to_cpu(READ_ONCE(d->rep_seq)) != iv->slots[i].seq) {
		dev_warn_ratelimited(&iv->pdev->dev,
				     "slot %u: accepted request %u, expected %u\n",
				     i, le32_to_cpu(READ_ONCE(d->rep_seq)),
				     iv->slots[i].seq);
		return false;	/* wait for the host to say what it means */
	}
	clear_bit(i, iv->inflight);
	iv->slots[i].call = NULL;
	if (state == HC_SLOT_DONE) {
		if (c)
			return hostcall_iv_complete_locked(iv, c, i, false);
		hostcall_iv_free_slot_locked(iv, i);	/* posted: nobody reads */
		return false;
	}
	if (c)
		hostcall_iv_accept_locked(iv, c);
	return hostcall_iv_recycle_locked(iv, i);
}

/*
 * The request slot of the call for (@subject, @tag), if its ACCEPTED came
 * after this interrupt's scan of the request slots had passed it: the host
 * stored ACCEPTED before the LATE seen now, so it is visible now.
 * Returns: true to ring the host.
 */
static bool hostcall_iv_irq_catch_up(struct hostcall_ivshmem *iv, u32 subject,
				     u32 tag)
{
	unsigned long i;

	for_each_set_bit(i, iv->inflight, iv->nslots) {
		struct hostcall_ivcall *c = iv->slots[i].call;
		u32 state = hostcall_iv_state(hostcall_iv_desc(iv, i));

		if (c && c->subject == subject && c->tag == tag &&
		    state == HC_SLOT_ACCEPTED)
			return hostcall_iv_irq_req(iv, i, state);
	}
	return false;
}

/* RECV slot @i went LATE. Returns: true to ring the host. */
static bool hostcall_iv_irq_late(struct hostcall_ivshmem *iv, u32 i)
{
	struct hc_ring_slot *d = hostcall_iv_desc(iv, i);
	u32 subject = le32_to_cpu(READ_ONCE(d->subject));
	u32 tag = le32_to_cpu(READ_ONCE(d->rep_tag));
	struct hostcall_ivcall *c;
	bool ring = false;

	clear_bit(i, iv->recv);
	iv->nrecv--;
	c = hostcall_iv_find_accepted(iv, subject, tag);
	if (!c) {
		ring = hostcall_iv_irq_catch_up(iv, subject, tag);
		c = hostcall_iv_find_accepted(iv, subject, tag);
	}
	if (!c) {
		dev_warn_ratelimited(&iv->pdev->dev,
				     "slot %u: late reply to subject %u tag %u, which nobody waits for\n",
				     i, subject, tag);
		return hostcall_iv_recycle_locked(iv, i) || ring;
	}
	list_del(&c->node);
	c->accepted = false;
	iv->naccepted--;
	return hostcall_iv_complete_locked(iv, c, i, true) || ring;
}

static irqreturn_t hostcall_iv_irq(int irq, void *arg)
{
	struct hostcall_ivshmem *iv = arg;
	bool ring = false;
	unsigned long i;

	spin_lock(&iv->lock);
	for_each_set_bit(i, iv->inflight, iv->nslots) {
		u32 state = hostcall_iv_state(hostcall_iv_desc(iv, i));

		if (state == HC_SLOT_DONE || state == HC_SLOT_ACCEPTED)
			ring |= hostcall_iv_irq_req(iv, i, state);
	}
	for_each_set_bit(i, iv->recv, iv->nslots)
		if (hostcall_iv_state(hostcall_iv_desc(iv, i)) == HC_SLOT_LATE)
			ring |= hostcall_iv_irq_late(iv, i);
	spin_unlock(&iv->lock);
	if (ring)
		hostcall_iv_ring(iv);
	return IRQ_HANDLED;
}

/* The host stopped on purpose (hostcalld's SIGTERM): fail at once. */
static bool hostcall_iv_host_gone(struct hostcall_ivshmem *iv)
{
	struct hc_ring_hdr *h = iv->mem;

	/* Pairs with the host's release store. GONE is final; a call that
	 * races with the host stopping waits for its timeout instead.
	 */
	return le32_to_cpu(smp_load_acquire(&h->host_state)) ==
	       HC_RING_HOST_GONE;
}

/*
 * The work of an orphan: send the CANCEL its request is owed, and once its
 * reply is in, drop it (closing the handle a successful OPENAT left on the
 * host), give the slot back and free the orphan.
 */
static void hostcall_iv_orphan_work(struct work_struct *work)
{
	struct hostcall_ivcall *c = container_of(work, struct hostcall_ivcall, work);
	struct hostcall_ivshmem *iv = c->iv;
	u8 *rep = NULL;
	bool cancel, done, ring = false;
	struct hc_msg *r = NULL;
	int len = -ENOMEM;

	spin_lock_irq(&iv->lock);
	/*
	 * Queued again since this run began (the reply came meanwhile): that
	 * run deals with it and frees @c, not this one. Work is queued only
	 * under the lock, so the test holds.
	 */
	if (c->completed && work_pending(&c->work)) {
		spin_unlock_irq(&iv->lock);
		return;
	}
	cancel = c->cancel && !c->completed;
	c->cancel = false;
	done = c->completed;
	spin_unlock_irq(&iv->lock);
	if (cancel)
		hostcall_post_cancel(&iv->tp, c->subject, c->tag);
	if (!done)
		return;

	if (c->op == HC_OP_OPENAT) {
		rep = kmalloc(HOSTCALL_IV_ORPHAN_REP, GFP_KERNEL);
		r = kmalloc(sizeof(*r), GFP_KERNEL);
	}
	spin_lock_irq(&iv->lock);
	if (rep && r)
		len = hostcall_iv_copy_reply(iv, c, rep, HOSTCALL_IV_ORPHAN_REP, true);
	ring = hostcall_iv_put_reply_locked(iv, c);
	list_del(&c->orphans);
	spin_unlock_irq(&iv->lock);
	if (ring)
		hostcall_iv_ring(iv);
	if (len > 0 && len <= HOSTCALL_IV_ORPHAN_REP &&
	    !hostcall_check_reply(r, rep, len, c->op, c->tag) &&
	    r->result >= 0 && r->result < HC_HANDLE_NONE)
		hostcall_post_close(&iv->tp, c->subject, r->result);
	kfree(r);
	kfree(rep);
	kfree(c);
}

/*
 * The caller of call @c goes away before its reply: unless the reply is
 * in already, @c becomes an orphan. @o is a fresh allocation for it.
 * Called with iv->lock held. Returns: true if @c completed meanwhile (@o
 * is not used).
 */
static bool hostcall_iv_orphan_locked(struct hostcall_ivshmem *iv,
				      struct hostcall_ivcall *c,
				      struct hostcall_ivcall *o, u32 req_slot)
{
	if (c->completed)
		return true;
	*o = *c;
	o->orphan = true;
	o->async = NULL;
	INIT_WORK(&o->work, hostcall_iv_orphan_work);
	list_add(&o->orphans, &iv->orphans);
	if (c->accepted) {
		list_replace(&c->node, &o->node);
		o->cancel = true;
		queue_work(iv->wq, &o->work);
	} else {
		iv->slots[req_slot].call = o;
	}
	return false;
}

/*
 * Put a request into a free slot and ring the host. With no @c nobody
 * waits: the interrupt frees the slot when the host answers. Returns: 0
 * with *@slot the slot taken, or -errno.
 */
static int hostcall_iv_start(struct hostcall_ivshmem *iv, u32 subject,
			     const void *req, size_t req_len,
			     struct hostcall_ivcall *c, u32 *slot)
{
	struct hostcall_transport *t = &iv->tp;
	struct hostcall_iv_wait w;
	struct hc_ring_slot *d;
	struct hostcall_ivslot *s;
	long left, slice;
	u32 i;

	if (req_len < HC_HDR_SIZE || req_len > iv->slot_size)
		return -EMSGSIZE;

	hostcall_iv_wait_start(iv, &w);
	do {
		slice = hostcall_iv_wait_slice(iv, &w);
		if (!slice)
			return -EIO;
		left = wait_event_killable_timeout(iv->slot_wq,
						   READ_ONCE(t->dead) ||
						   hostcall_iv_take_slot(iv, &i),
						   slice);
	} while (!left);
	if (left < 0)
		return -EINTR;
	if (READ_ONCE(t->dead))
		return -EIO;	/* a slot taken as @t died stays unused */

	d = hostcall_iv_desc(iv, i);
	s = &iv->slots[i];
	memcpy(hostcall_iv_data(iv, i), req, req_len);
	WRITE_ONCE(d->subject, cpu_to_le32(subject));
	WRITE_ONCE(d->req_len, cpu_to_le32(req_len));
	WRITE_ONCE(d->rep_len, 0);
	WRITE_ONCE(d->seq, cpu_to_le32(++s->seq));

	spin_lock_irq(&iv->lock);
	/* ->dead is set before hostcall_iv_cancel() takes the lock: see one */
	if (READ_ONCE(t->dead)) {
		spin_unlock_irq(&iv->lock);
		return -EIO;
	}
	s->call = c;
	set_bit(i, iv->inflight);
	spin_unlock_irq(&iv->lock);

	/* Pairs with the host's acquire load: the request is visible first. */
	smp_store_release(&d->state, cpu_to_le32(HC_SLOT_REQ));
	hostcall_iv_ring(iv);
	*slot = i;
	return 0;
}

/* A call of @subject for the encoded request @req (its header tells). */
static void hostcall_iv_call_init(struct hostcall_ivshmem *iv,
				  struct hostcall_ivcall *c, u32 subject,
				  const void *req, size_t req_len)
{
	struct hc_msg h;

	memset(c, 0, sizeof(*c));
	c->iv = iv;
	c->subject = subject;
	c->slot = -1;
	init_completion(&c->done);
	INIT_LIST_HEAD(&c->node);
	if (!hc_decode_hdr(&h, req, req_len)) {
		c->tag = h.tag;
		c->op = h.op;
	}
}

/*
 * Sleep for @slice on call @c: killable, or interruptible once the host
 * accepted it and @intr allows. Returns: as the wait_for_completion_*()
 * functions, but -EINTR for a fatal signal and -ERESTARTSYS only for one
 * that is not.
 */
static long hostcall_iv_sleep(struct hostcall_ivshmem *iv,
			      struct hostcall_ivcall *c, bool intr, long slice)
{
	bool accepted;
	long left;

	spin_lock_irq(&iv->lock);
	accepted = c->accepted;
	spin_unlock_irq(&iv->lock);
	if (!intr || !accepted)
		left = wait_for_completion_killable_timeout(&c->done, slice);
	else
		left = wait_for_completion_interruptible_timeout(&c->done, slice);
	if (left < 0 && (fatal_signal_pending(current) || !intr || !accepted))
		return -EINTR;
	return left;
}

static int hostcall_iv_submit(struct hostcall_transport *t, u32 subject,
			      const void *req, size_t req_len, void *rep,
			      size_t rep_cap, unsigned int flags)
{
	struct hostcall_ivshmem *iv = to_iv(t);
	bool intr = flags & HOSTCALL_SUBMIT_INTR, ring;
	struct hostcall_ivcall c, *o;
	struct hostcall_iv_wait w;
	long left, slice;
	u32 i;
	int ret;

	hostcall_iv_call_init(iv, &c, subject, req, req_len);
	ret = hostcall_iv_start(iv, subject, req, req_len, &c, &i);
	if (ret)
		return ret;

	hostcall_iv_wait_start(iv, &w);
	do {
		slice = hostcall_iv_wait_slice(iv, &w);
		left = slice ? hostcall_iv_sleep(iv, &c, intr, slice) : 0;
		if (left == -ERESTARTSYS) {
			/* cancelled on the host: its reply comes soon */
			hostcall_post_cancel(t, subject, c.tag);
			intr = false;
			left = 0;
		}
	} while (slice && !left && !READ_ONCE(c.completed));

	spin_lock_irq(&iv->lock);
	if (!c.completed) {
		/* The host may still answer: the call outlives its caller. */
		spin_unlock_irq(&iv->lock);
		o = kmalloc(sizeof(*o), GFP_KERNEL | __GFP_NOFAIL);
		spin_lock_irq(&iv->lock);
		if (!hostcall_iv_orphan_locked(iv, &c, o, i)) {
			spin_unlock_irq(&iv->lock);
			return left < 0 ? -EINTR : -EIO;
		}
		kfree(o);
	}
	spin_unlock_irq(&iv->lock);
	if (c.slot < 0)
		return -EIO;	/* ended by hostcall_iv_cancel() */

	ret = hostcall_iv_copy_reply(iv, &c, rep, rep_cap, false);
	if (ret == -EMSGSIZE)
		ret = -EPROTO;	/* the caller sized @rep for any reply */
	spin_lock_irq(&iv->lock);
	ring = hostcall_iv_put_reply_locked(iv, &c);
	spin_unlock_irq(&iv->lock);
	if (ring)
		hostcall_iv_ring(iv);
	return ret;
}

static int hostcall_iv_post(struct hostcall_transport *t, u32 subject,
			    const void *req, size_t req_len)
{
	u32 i;

	return hostcall_iv_start(to_iv(t), subject, req, req_len, NULL, &i);
}

static int hostcall_iv_astart(struct hostcall_transport *t, u32 subject,
			      const void *req, size_t req_len,
			      struct hostcall_async *a)
{
	struct hostcall_ivshmem *iv = to_iv(t);
	struct hostcall_ivcall *c;
	u32 i;
	int ret;

	c = kmalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	hostcall_iv_call_init(iv, c, subject, req, req_len);
	c->async = a;
	a->priv = c;
	ret = hostcall_iv_start(iv, subject, req, req_len, c, &i);
	if (ret) {
		kfree(c);
		a->priv = NULL;
	}
	return ret;
}

static bool hostcall_iv_abandon(struct hostcall_transport *t,
				struct hostcall_async *a)
{
	struct hostcall_ivshmem *iv = to_iv(t);
	struct hostcall_ivcall *c = a->priv, *o;
	bool done;
	u32 i;

	if (!c)
		return true;
	o = kmalloc(sizeof(*o), GFP_KERNEL | __GFP_NOFAIL);
	spin_lock_irq(&iv->lock);
	done = c->completed;
	if (!done) {
		/* the request's slot, if it is still in one */
		for (i = 0; i < iv->nslots && iv->slots[i].call != c; i++)
			;
		hostcall_iv_orphan_locked(iv, c, o, i);
		o = NULL;
	}
	spin_unlock_irq(&iv->lock);
	kfree(o);
	kfree(c);
	a->priv = NULL;
	return done;
}

/* Called with iv->lock held: call @c gets no reply (the transport goes). */
static void hostcall_iv_fail_locked(struct hostcall_ivcall *c)
{
	c->completed = true;
	c->slot = -1;
	if (c->async) {
		c->async->len = -EIO;
		c->async->done(c->async);
	} else {
		complete(&c->done);
	}
}

static void hostcall_iv_cancel(struct hostcall_transport *t)
{
	struct hostcall_ivshmem *iv = to_iv(t);
	struct hostcall_ivcall *c, *n;
	u32 i;

	spin_lock_irq(&iv->lock);
	for (i = 0; i < iv->nslots; i++) {
		c = iv->slots[i].call;
		if (!c || c->orphan)
			continue;
		iv->slots[i].call = NULL;	/* its DONE frees the slot */
		hostcall_iv_fail_locked(c);
	}
	list_for_each_entry_safe(c, n, &iv->accepted, node) {
		if (c->orphan)
			continue;
		list_del_init(&c->node);
		c->accepted = false;
		iv->naccepted--;
		hostcall_iv_fail_locked(c);
	}
	spin_unlock_irq(&iv->lock);
	wake_up_all(&iv->slot_wq);
}

static void hostcall_iv_release(struct hostcall_transport *t)
{
	struct hostcall_ivshmem *iv = to_iv(t);
	struct hostcall_ivcall *c, *n;

	/*
	 * No interrupt comes any more, and hostcall_iv_remove() drained the
	 * orphans' work: those left never get a reply.
	 */
	if (iv->wq)
		destroy_workqueue(iv->wq);
	list_for_each_entry_safe(c, n, &iv->orphans, orphans)
		kfree(c);
	kfree(iv->slots);
	bitmap_free(iv->recv);
	bitmap_free(iv->inflight);
	bitmap_free(iv->free);
	kfree(iv);
}

static const struct hostcall_transport_ops hostcall_iv_ops = {
	.name = "ivshmem",
	.submit = hostcall_iv_submit,
	.post = hostcall_iv_post,
	.start = hostcall_iv_astart,
	.abandon = hostcall_iv_abandon,
	.cancel = hostcall_iv_cancel,
	.release = hostcall_iv_release,
};

/*
 * Check the ring header the host wrote against the BAR, so that nothing the
 * host put there makes the driver reach outside the mapping. A BAR without
 * the magic is some other user's ivshmem (ivshmem-plain has the same id).
 */
static int hostcall_iv_read_ring(struct hostcall_ivshmem *iv, u32 *host_peer,
				 u32 *host_vec, u32 *guest_vec)
{
	struct hc_ring_hdr *h = iv->mem;
	struct device *dev = &iv->pdev->dev;
	u64 mem_size = le64_to_cpu(READ_ONCE(h->mem_size));

	if (le32_to_cpu(READ_ONCE(h->magic)) != HC_RING_MAGIC) {
		dev_info(dev, "no hostcall ring in BAR2, not binding\n");
		return -ENODEV;
	}
	if (le32_to_cpu(READ_ONCE(h->version)) != HC_RING_VERSION) {
		dev_err(dev, "ring version %u, this module speaks %u\n",
			le32_to_cpu(READ_ONCE(h->version)), HC_RING_VERSION);
		return -ENODEV;
	}
	iv->slot_size = le32_to_cpu(READ_ONCE(h->slot_size));
	iv->nslots = le32_to_cpu(READ_ONCE(h->nslots));
	if (mem_size != iv->mem_size ||
	    le32_to_cpu(READ_ONCE(h->desc_off)) != HC_RING_DESC_OFF ||
	    hc_ring_layout_check(mem_size, iv->slot_size, iv->nslots)) {
		dev_err(dev, "bad ring layout: %llu bytes (BAR %llu), %u slots of %u\n",
			mem_size, iv->mem_size, iv->nslots, iv->slot_size);
		return -ENODEV;
	}
	*host_peer = le32_to_cpu(READ_ONCE(h->host_peer));
	*host_vec = le32_to_cpu(READ_ONCE(h->host_vector));
	*guest_vec = le32_to_cpu(READ_ONCE(h->guest_vector));
	if (*host_peer > 0xffff || *host_vec > 0xffff) {
		dev_err(dev, "bad host peer %u vector %u\n", *host_peer, *host_vec);
		return -ENODEV;
	}
	return 0;
}

static int hostcall_iv_map(struct hostcall_ivshmem *iv)
{
	struct pci_dev *pdev = iv->pdev;
	struct device *dev = &pdev->dev;
	resource_size_t len0 = pci_resource_len(pdev, 0);
	resource_size_t len2 = pci_resource_len(pdev, 2);

	if (!(pci_resource_flags(pdev, 0) & IORESOURCE_MEM) || len0 < 16 ||
	    !(pci_resource_flags(pdev, 2) & IORESOURCE_MEM) || !len2)
		return -ENODEV;
	if (!devm_request_mem_region(dev, pci_resource_start(pdev, 0), len0,
				     HOSTCALL_IV_NAME) ||
	    !devm_request_mem_region(dev, pci_resource_start(pdev, 2), len2,
				     HOSTCALL_IV_NAME))
		return -EBUSY;
	iv->regs = devm_ioremap(dev, pci_resource_start(pdev, 0), len0);
	if (!iv->regs)
		return -ENOMEM;
	iv->mem = devm_memremap(dev, pci_resource_start(pdev, 2), len2,
				MEMREMAP_WB);
	if (IS_ERR(iv->mem))
		return PTR_ERR(iv->mem);
	iv->mem_size = len2;
	return 0;
}

static int hostcall_iv_alloc(struct hostcall_ivshmem *iv)
{
	u32 i;

	iv->free = bitmap_zalloc(iv->nslots, GFP_KERNEL);
	iv->inflight = bitmap_zalloc(iv->nslots, GFP_KERNEL);
	iv->recv = bitmap_zalloc(iv->nslots, GFP_KERNEL);
	iv->slots = kcalloc(iv->nslots, sizeof(*iv->slots), GFP_KERNEL);
	iv->wq = alloc_workqueue("hostcall_orphans", WQ_UNBOUND, 0);
	if (!iv->free || !iv->inflight || !iv->recv || !iv->slots || !iv->wq)
		return -ENOMEM;
	bitmap_fill(iv->free, iv->nslots);
	/* a module loaded again finds the host's view of the slots as it was */
	for (i = 0; i < iv->nslots; i++)
		WRITE_ONCE(hostcall_iv_desc(iv, i)->state, cpu_to_le32(HC_SLOT_FREE));
	return 0;
}

static int hostcall_iv_probe(struct pci_dev *pdev,
			     const struct pci_device_id *id)
{
	u32 host_peer, host_vec, guest_vec, own;
	struct hostcall_ivshmem *iv;
	int err;

	iv = kzalloc(sizeof(*iv), GFP_KERNEL);
	if (!iv)
		return -ENOMEM;
	iv->pdev = pdev;
	INIT_LIST_HEAD(&iv->accepted);
	INIT_LIST_HEAD(&iv->orphans);
	iv->tp.ops = &hostcall_iv_ops;
	iv->tp.msg_max = HC_MSG_MAX;
	spin_lock_init(&iv->lock);
	init_waitqueue_head(&iv->slot_wq);

	err = pci_enable_device(pdev);
	if (err)
		goto err_free;
	err = hostcall_iv_map(iv);
	if (err)
		goto err_disable;
	err = hostcall_iv_read_ring(iv, &host_peer, &host_vec, &guest_vec);
	if (err)
		goto err_disable;
	iv->doorbell = HC_RING_DOORBELL(host_peer, host_vec);
	err = hostcall_iv_alloc(iv);
	if (err)
		goto err_disable;

	/* MSI-X messages are memory writes by the device: it must master. */
	pci_set_master(pdev);
	err = pci_alloc_irq_vectors(pdev, guest_vec + 1, guest_vec + 1,
				    PCI_IRQ_MSIX);
	if (err < 0) {
		dev_err(&pdev->dev, "need MSI-X vector %u (vectors=%u or more): %d\n",
			guest_vec, guest_vec + 1, err);
		goto err_clear_master;
	}
	iv->irq = pci_irq_vector(pdev, guest_vec);
	err = request_irq(iv->irq, hostcall_iv_irq, 0, HOSTCALL_IV_NAME, iv);
	if (err)
		goto err_free_vectors;

	pci_set_drvdata(pdev, iv);
	err = hostcall_transport_register(&iv->tp);
	if (err) {
		dev_err(&pdev->dev, "cannot register the transport: %d\n", err);
		goto err_free_irq;
	}
	own = readl(iv->regs + HC_IVSHMEM_IVPOSITION);
	dev_info(&pdev->dev, "ivshmem ring: %u slots of %u KiB, peer %u, host peer %u\n",
		 iv->nslots, iv->slot_size >> 10, own, host_peer);
	return 0;

err_free_irq:
	free_irq(iv->irq, iv);
err_free_vectors:
	pci_free_irq_vectors(pdev);
err_clear_master:
	pci_clear_master(pdev);
err_disable:
	pci_disable_device(pdev);
err_free:
	hostcall_iv_release(&iv->tp);
	return err;
}

static void hostcall_iv_remove(struct pci_dev *pdev)
{
	struct hostcall_ivshmem *iv = pci_get_drvdata(pdev);

	/* Hold the memory until the transport is gone, and no longer. */
	kref_get(&iv->tp.ref);
	hostcall_transport_unregister(&iv->tp);
	free_irq(iv->irq, iv);
	/* the orphans' work touches the ring: done before it goes */
	drain_workqueue(iv->wq);
	pci_free_irq_vectors(pdev);
	pci_clear_master(pdev);
	pci_disable_device(pdev);
	hostcall_transport_put(&iv->tp);
}

static const struct pci_device_id hostcall_iv_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT_QUMRANET, 0x1110) },
	{ }
};
MODULE_DEVICE_TABLE(pci, hostcall_iv_ids);

static struct pci_driver hostcall_iv_driver = {
	.name = HOSTCALL_IV_NAME,
	.id_table = hostcall_iv_ids,
	.probe = hostcall_iv_probe,
	.remove = hostcall_iv_remove,
};

int hostcall_ivshmem_init(void)
{
	return pci_register_driver(&hostcall_iv_driver);
}

void hostcall_ivshmem_exit(void)
{
	pci_unregister_driver(&hostcall_iv_driver);
}
