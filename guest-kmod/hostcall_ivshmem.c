// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ivshmem-doorbell transport: a PCI driver for QEMU's ivshmem device
 * (1af4:1110) whose BAR2 holds the request ring of proto/hc_ring.h. A call
 * takes a free slot, writes the request, rings the host's doorbell and
 * sleeps until the host's MSI-X interrupt reports the slot DONE.
 */
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "hostcall.h"
#include "../proto/hc_ring.h"

#define HOSTCALL_IV_NAME	"hostcall"

/* Guest-private state of one slot; all flags under hostcall_ivshmem.lock. */
struct hostcall_ivslot {
	struct completion done;
	u32 seq;
	bool waiting;		/* a caller sleeps on @done */
	bool completed;		/* the interrupt saw DONE for that caller */
	bool abandoned;		/* the caller gave up: free the slot on DONE */
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
	spinlock_t lock;		/* @free, @inflight, slot flags */
	unsigned long *free;		/* slots nobody uses */
	unsigned long *inflight;	/* slots waiting for DONE */
	wait_queue_head_t slot_wq;	/* callers waiting for a free slot */
	struct hostcall_ivslot *slots;
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
	iv->slots[i].abandoned = false;
	clear_bit(i, iv->inflight);
	set_bit(i, iv->free);
}

static irqreturn_t hostcall_iv_irq(int irq, void *arg)
{
	struct hostcall_ivshmem *iv = arg;
	bool freed = false;
	unsigned long i;

	spin_lock(&iv->lock);
	for_each_set_bit(i, iv->inflight, iv->nslots) {
		struct hostcall_ivslot *s = &iv->slots[i];

		if (hostcall_iv_state(hostcall_iv_desc(iv, i)) != HC_SLOT_DONE)
			continue;
		if (s->abandoned) {
			hostcall_iv_free_slot_locked(iv, i);
			freed = true;
		} else if (s->waiting && !s->completed) {
			s->completed = true;
			complete(&s->done);
		}
	}
	spin_unlock(&iv->lock);
	if (freed)
		wake_up(&iv->slot_wq);
	return IRQ_HANDLED;
}

/* Copy the reply of DONE slot @i out, after checking what the host wrote. */
static int hostcall_iv_take_reply(struct hostcall_ivshmem *iv, u32 i, void *rep,
				  size_t rep_cap)
{
	struct hc_ring_slot *d = hostcall_iv_desc(iv, i);
	u32 len = le32_to_cpu(READ_ONCE(d->rep_len));
	u32 seq = le32_to_cpu(READ_ONCE(d->rep_seq));

	if (seq != iv->slots[i].seq) {
		dev_warn_ratelimited(&iv->pdev->dev,
				     "slot %u: reply to request %u, expected %u\n",
				     i, seq, iv->slots[i].seq);
		return -EPROTO;
	}
	if (len < HC_HDR_SIZE || len > iv->slot_size || len > rep_cap) {
		dev_warn_ratelimited(&iv->pdev->dev,
				     "slot %u: bad reply length %u\n", i, len);
		return -EPROTO;
	}
	memcpy(rep, hostcall_iv_data(iv, i), len);
	return len;
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
 * Put a request into a free slot and ring the host. With @abandon nobody
 * waits: the interrupt frees the slot when the host answers. Returns: 0
 * with *@slot the slot taken, or -errno.
 */
static int hostcall_iv_start(struct hostcall_ivshmem *iv, u32 subject,
			     const void *req, size_t req_len, bool abandon,
			     u32 *slot)
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
	reinit_completion(&s->done);
	s->waiting = !abandon;
	s->abandoned = abandon;
	s->completed = false;
	set_bit(i, iv->inflight);
	spin_unlock_irq(&iv->lock);

	/* Pairs with the host's acquire load: the request is visible first. */
	smp_store_release(&d->state, cpu_to_le32(HC_SLOT_REQ));
	writel(iv->doorbell, iv->regs + HC_IVSHMEM_DOORBELL);
	*slot = i;
	return 0;
}

static int hostcall_iv_submit(struct hostcall_transport *t, u32 subject,
			      const void *req, size_t req_len, void *rep,
			 size_t rep_cap)
{
	struct hostcall_ivshmem *iv = to_iv(t);
	struct hostcall_iv_wait w;
	struct hc_ring_slot *d;
	struct hostcall_ivslot *s;
	long left, slice;
	u32 i;
	int ret;

	ret = hostcall_iv_start(iv, subject, req, req_len, false, &i);
	if (ret)
		return ret;
	d = hostcall_iv_desc(iv, i);
	s = &iv->slots[i];

	hostcall_iv_wait_start(iv, &w);
	do {
		slice = hostcall_iv_wait_slice(iv, &w);
		left = slice ? wait_for_completion_killable_timeout(&s->done, slice) : 0;
	} while (slice && !left);

	spin_lock_irq(&iv->lock);
	s->waiting = false;
	if (!s->completed && !READ_ONCE(t->dead) &&
	    hostcall_iv_state(d) == HC_SLOT_DONE) {
		/* timed out though answered; not news if the host said GONE */
		if (!left && !hostcall_iv_host_gone(iv))
			dev_warn_once(&iv->pdev->dev, "lost a completion interrupt\n");
		s->completed = true;
	}
	if (!s->completed) {
		/* The host may still answer: keep the slot until it does. */
		s->abandoned = true;
		spin_unlock_irq(&iv->lock);
		return left < 0 ? -EINTR : -EIO;
	}
	spin_unlock_irq(&iv->lock);

	ret = hostcall_iv_take_reply(iv, i, rep, rep_cap);

	spin_lock_irq(&iv->lock);
	hostcall_iv_free_slot_locked(iv, i);
	spin_unlock_irq(&iv->lock);
	wake_up(&iv->slot_wq);
	return ret;
}

static int hostcall_iv_post(struct hostcall_transport *t, u32 subject,
			    const void *req, size_t req_len)
{
	u32 i;

	return hostcall_iv_start(to_iv(t), subject, req, req_len, true, &i);
}

static void hostcall_iv_cancel(struct hostcall_transport *t)
{
	struct hostcall_ivshmem *iv = to_iv(t);
	u32 i;

	spin_lock_irq(&iv->lock);
	for (i = 0; i < iv->nslots; i++)
		if (iv->slots[i].waiting)
			complete(&iv->slots[i].done);
	spin_unlock_irq(&iv->lock);
	wake_up_all(&iv->slot_wq);
}

static void hostcall_iv_release(struct hostcall_transport *t)
{
	struct hostcall_ivshmem *iv = to_iv(t);

	kfree(iv->slots);
	bitmap_free(iv->inflight);
	bitmap_free(iv->free);
	kfree(iv);
}

static const struct hostcall_transport_ops hostcall_iv_ops = {
	.name = "ivshmem",
	.submit = hostcall_iv_submit,
	.post = hostcall_iv_post,
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
	iv->slots = kcalloc(iv->nslots, sizeof(*iv->slots), GFP_KERNEL);
	if (!iv->free || !iv->inflight || !iv->slots)
		return -ENOMEM;
	bitmap_fill(iv->free, iv->nslots);
	for (i = 0; i < iv->nslots; i++)
		init_completion(&iv->slots[i].done);
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
