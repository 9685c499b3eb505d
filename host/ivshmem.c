// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ivshmem-doorbell transport of hostcalld: one VM's QEMU connects to the
 * --ivshmem socket and gets the shared memory holding the request ring of
 * hc_ring.h; the relay copies each request out of the ring, checks it, and
 * routes it by subject id to that subject's shadow over a socketpair, then
 * copies the reply back and signals the guest.
 *
 * The guest may write any byte of the ring at any time (hc_ring.h, "The host
 * against a hostile guest"): every shared field is read once, a request is
 * copied before it is parsed, the relay tracks in private memory which slots
 * it holds, and the only subjects a guest can name are those this relay
 * gave it. One hostcalld serves one VM, so no guest can reach another VM's
 * subjects: by construction, not by a check.
 *
 * Subjects are served in parallel, each by its shadow, and the relay never
 * blocks on a shadow. A subject with requests in flight (HC_CAP_INFLIGHT)
 * gets each request as it comes, and its shadow says when one goes in
 * flight (HC_HF_ACCEPTED, asked for with HC_HELLO_TELL_ACCEPTED): the slot
 * is given back to the guest as ACCEPTED, and the reply comes later in a
 * slot the guest offers (RECV, then LATE), or waits in a queue here until
 * one is offered. Any other subject's requests are sent one at a time, each
 * after the previous one's reply; a shadow stalled on a FIFO then stalls
 * only its own subject.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hostd.h"
#include "hc_ring.h"
#include "ivring.h"

#define IV_HOST_PEER	0	/* our ivshmem id; guests get 1, 2, ... */
#define IV_HOST_VECTOR	0	/* the one vector the guest rings us on */
#define IV_GUEST_VECTOR	0	/* the guest's vector we signal on DONE */
#define IV_ID_MAX	0xfffe	/* ivshmem peer ids are 16 bits */

/* The relay's private record of one ring slot. */
struct iv_slot {
	int busy;		/* taken from the ring, not yet answered */
	int recv;		/* offered by the guest (RECV) for a late reply */
	hc_u32 seq;		/* the guest's seq, echoed in rep_seq */
	hc_u32 subject;		/* as the slot said when taken */
	hc_u16 op;		/* of the request, for error replies */
	hc_u32 tag;
	void *req;		/* private copy until it is sent */
	hc_u32 len;
	int next;		/* next slot in the subject's list, or -1 */
	int created;		/* a HELLO that made its subject (see iv_sub_read) */
};

/* A request the guest was told is in flight (ACCEPTED): no slot holds it. */
struct iv_acc {
	hc_u32 tag;
	hc_u16 op;
	struct iv_acc *next;
};

/* A late reply waiting for a RECV slot. */
struct iv_late {
	hc_u32 subject, tag, len;
	struct iv_late *next;
	unsigned char buf[];
};

/* A list of slots, linked through iv_slot.next, oldest first. */
struct iv_list {
	int head, tail;
};

/* A subject of this VM, by id - 1. */
struct iv_subject {
	int sock;		/* socketpair end to its shadow; -1: none */
	pid_t pid;		/* the shadow, as the subject table had it */
	struct iv_list queue;	/* taken, not yet sent */
	struct iv_list sent;	/* at the shadow, not yet answered */
	unsigned int nsent;
	struct iv_acc *acc;	/* accepted, not yet answered */
	int inflight;		/* HC_CAP_INFLIGHT: requests sent as they come */
	int wantout;		/* the socket was full: wait for POLLOUT */
};

struct iv {
	struct hostd_relay core;	/* first: the hooks cast back */
	const struct hostd_config *cfg;
	int lsock;			/* where QEMU connects */
	int newsock;			/* relay end of a shadow being forked */
	int qemu;			/* QEMU's connection, or -1 */
	int memfd;
	unsigned char *mem;
	hc_u64 size;			/* our own copy of the layout */
	hc_u32 slot_size, nslots;
	int host_efd;			/* the guest rings this */
	int guest_efd;			/* we signal this; -1 without QEMU */
	hc_u32 guest_id;		/* ivshmem id given to the last QEMU */
	struct iv_slot *slots;
	struct iv_subject *subs;
	hc_u32 *active;			/* ids with a shadow connection */
	unsigned int nactive;
	struct pollfd *pfd;
	hc_u32 *pfd_id;
	unsigned char *rbuf;		/* a shadow's reply */
	int kick;			/* a slot went DONE: signal the guest */
	unsigned int naccepted;		/* iv_acc records of all subjects */
	unsigned int nlate;		/* replies in the late queue */
	struct iv_late *late, **late_tail;	/* late replies without a slot */
	hc_u32 beat;			/* the last host_beat written */
	struct timespec beat_at;	/* when */
	int told_old;			/* logged a too old guest's HELLO */
};

static struct hc_ring_slot *iv_desc(struct iv *iv, hc_u32 i)
{
	return (struct hc_ring_slot *)(iv->mem + hc_ring_desc_off(i));
}

static unsigned char *iv_data(struct iv *iv, hc_u32 i)
{
	return iv->mem + hc_ring_data_off(iv->slot_size, i);
}

/* Shared words are written exactly once each, as whole words (ivring.c
 * reads them). */
static void iv_store(hc_le32 *p, hc_u32 v)
{
	__atomic_store_n(p, htole32(v), __ATOMIC_RELAXED);
}

static void iv_set_host_state(struct iv *iv, hc_u32 state)
{
	struct hc_ring_hdr *h = (struct hc_ring_hdr *)iv->mem;

	__atomic_store_n(&h->host_state, htole32(state), __ATOMIC_RELEASE);
}

/* ---- the ring ---- */

/*
 * The memory is sealed against shrinking: QEMU holds the memfd too, and a
 * truncated file would turn our next access into SIGBUS. MADV_DONTFORK
 * keeps it out of every shadow.
 */
static int iv_ring_create(struct iv *iv)
{
	struct hc_ring_hdr *h;

	iv->size = HC_RING_MEM_SIZE;
	iv->slot_size = HC_RING_SLOT_SIZE;
	iv->nslots = iv->size / iv->slot_size - 1;
	if (hc_ring_layout_check(iv->size, iv->slot_size, iv->nslots))
		return -EINVAL;
	iv->memfd = memfd_create("hostcall-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (iv->memfd < 0)
		return -errno;
	if (ftruncate(iv->memfd, iv->size) < 0 ||
	    fcntl(iv->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
		return -errno;
	iv->mem = mmap(NULL, iv->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       iv->memfd, 0);
	if (iv->mem == MAP_FAILED) {
		iv->mem = NULL;
		return -errno;
	}
	if (madvise(iv->mem, iv->size, MADV_DONTFORK) < 0)
		return -errno;
	h = (struct hc_ring_hdr *)iv->mem;
	h->magic = htole32(HC_RING_MAGIC);
	h->version = htole32(HC_RING_VERSION);
	h->mem_size = htole64(iv->size);
	h->slot_size = htole32(iv->slot_size);
	h->nslots = htole32(iv->nslots);
	h->desc_off = htole32(HC_RING_DESC_OFF);
	h->host_peer = htole32(IV_HOST_PEER);
	h->host_vector = htole32(IV_HOST_VECTOR);
	h->guest_vector = htole32(IV_GUEST_VECTOR);
	h->guest_vectors = htole32(1);
	iv_set_host_state(iv, HC_RING_HOST_READY);
	return 0;
}

/* Publish a reply the relay built in private memory: slot @i is DONE. */
static void iv_finish(struct iv *iv, hc_u32 i, const void *rep, hc_u32 len)
{
	struct hc_ring_slot *d = iv_desc(iv, i);
	struct iv_slot *s = &iv->slots[i];

	if (len > iv->slot_size)
		len = 0;	/* never: replies are checked before */
	memcpy(iv_data(iv, i), rep, len);
	iv_store(&d->rep_len, len);
	iv_store(&d->rep_seq, s->seq);
	/* Pairs with the guest's acquire load: the reply is visible first. */
	__atomic_store_n(&d->state, htole32(HC_SLOT_DONE), __ATOMIC_RELEASE);
	free(s->req);
	s->req = NULL;
	s->busy = 0;
	iv->kick = 1;
}

/* Answer slot @i with a bare error header (an error reply has no body). */
static void iv_fail(struct iv *iv, hc_u32 i, hc_s64 err)
{
	struct iv_slot *s = &iv->slots[i];
	struct hc_msg m = {
		.op = s->op, .hflags = HC_HF_REPLY, .tag = s->tag,
		.subject = s->subject, .result = err,
	};
	unsigned char buf[HC_HDR_SIZE];
	int n = hc_encode(&m, buf, sizeof(buf));

	iv_finish(iv, i, buf, n > 0 ? (hc_u32)n : 0);
}

static void iv_list_add(struct iv *iv, struct iv_list *l, int i)
{
	iv->slots[i].next = -1;
	if (l->tail >= 0)
		iv->slots[l->tail].next = i;
	else
		l->head = i;
	l->tail = i;
}

static int iv_list_pop(struct iv *iv, struct iv_list *l)
{
	int i = l->head;

	if (i >= 0) {
		l->head = iv->slots[i].next;
		if (l->head < 0)
			l->tail = -1;
	}
	return i;
}

/* Unlink the slot whose request has @tag. Returns: the slot, or -1. */
static int iv_list_take(struct iv *iv, struct iv_list *l, hc_u32 tag)
{
	int i, prev = -1;

	for (i = l->head; i >= 0; prev = i, i = iv->slots[i].next) {
		if (iv->slots[i].tag != tag)
			continue;
		if (prev >= 0)
			iv->slots[prev].next = iv->slots[i].next;
		else
			l->head = iv->slots[i].next;
		if (l->tail == i)
			l->tail = prev;
		return i;
	}
	return -1;
}

static int iv_list_has(struct iv *iv, const struct iv_list *l, hc_u32 tag)
{
	int i;

	for (i = l->head; i >= 0; i = iv->slots[i].next)
		if (iv->slots[i].tag == tag)
			return 1;
	return 0;
}

/*
 * Publish a late reply of @subject (an encoded reply, @len bytes) in a RECV
 * slot the guest offered, or queue it until one is offered.
 */
static void iv_late_put(struct iv *iv, hc_u32 subject, const void *rep, hc_u32 len)
{
	struct hc_msg h;
	struct iv_late *l;
	hc_u32 i;

	if (len > iv->slot_size || hc_decode_hdr(&h, rep, len))
		return;		/* never: replies are checked before */
	for (i = 0; i < iv->nslots; i++) {
		struct hc_ring_slot *d = iv_desc(iv, i);
		hc_le32 want = htole32(HC_SLOT_RECV);

		if (!iv->slots[i].recv)
			continue;
		/*
		 * Still offered? The guest may have taken the slot back for a
		 * request since the last scan (which then serves it): claim it.
		 */
		iv->slots[i].recv = 0;
		if (!__atomic_compare_exchange_n(&d->state, &want, htole32(HC_SLOT_BUSY), 0,
						 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			continue;
		memcpy(iv_data(iv, i), rep, len);
		iv_store(&d->subject, subject);
		iv_store(&d->rep_tag, h.tag);
		iv_store(&d->rep_len, len);
		/* Pairs with the guest's acquire load: the reply is visible first. */
		__atomic_store_n(&d->state, htole32(HC_SLOT_LATE), __ATOMIC_RELEASE);
		iv->kick = 1;
		return;
	}
	l = malloc(sizeof(*l) + len);
	if (!l) {
		hostd_log(HOSTD_NAME ": subject %u: a late reply dropped: out of memory",
			  subject);
		return;
	}
	l->subject = subject;
	l->tag = h.tag;
	l->len = len;
	l->next = NULL;
	memcpy(l->buf, rep, len);
	*iv->late_tail = l;
	iv->late_tail = &l->next;
	iv->nlate++;
}

/* The guest offered RECV slots: give them the late replies that wait. */
static void iv_late_flush(struct iv *iv)
{
	struct iv_late *l;

	while ((l = iv->late)) {
		hc_u32 i;

		for (i = 0; i < iv->nslots && !iv->slots[i].recv; i++)
			;
		if (i == iv->nslots)
			return;
		iv->late = l->next;
		if (!iv->late)
			iv->late_tail = &iv->late;
		iv->nlate--;
		iv_late_put(iv, l->subject, l->buf, l->len);
		free(l);
	}
}

static void iv_late_drop(struct iv *iv)
{
	while (iv->late) {
		struct iv_late *l = iv->late;

		iv->late = l->next;
		free(l);
	}
	iv->late_tail = &iv->late;
	iv->nlate = 0;
}

/* Unlink subject @sub's accepted request @tag. Returns: it, or NULL. */
static struct iv_acc *iv_acc_take(struct iv *iv, struct iv_subject *sub, hc_u32 tag)
{
	struct iv_acc **pp, *a;

	for (pp = &sub->acc; (a = *pp); pp = &a->next)
		if (a->tag == tag) {
			*pp = a->next;
			iv->naccepted--;
			return a;
		}
	return NULL;
}

/* A bare error reply to accepted request @a of @subject, late. */
static void iv_acc_fail(struct iv *iv, hc_u32 subject, struct iv_acc *a, hc_s64 err)
{
	struct hc_msg m = {
		.op = a->op, .hflags = HC_HF_REPLY, .tag = a->tag,
		.subject = subject, .result = err,
	};
	unsigned char buf[HC_HDR_SIZE];

	if (hc_encode(&m, buf, sizeof(buf)) == HC_HDR_SIZE)
		iv_late_put(iv, subject, buf, HC_HDR_SIZE);
}

/*
 * The guest waits for a reply as long as the beat moves (hc_ring.h,
 * "Liveness"): bump it every HC_RING_BEAT_MS while the loop runs.
 * Returns: ms until the next beat is due, the loop's poll timeout.
 */
static int iv_beat(struct iv *iv)
{
	struct hc_ring_hdr *h = (struct hc_ring_hdr *)iv->mem;
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - iv->beat_at.tv_sec) * 1000 +
	     (now.tv_nsec - iv->beat_at.tv_nsec) / 1000000;
	if (ms >= 0 && ms < (long)HC_RING_BEAT_MS)
		return HC_RING_BEAT_MS - ms;
	iv_store(&h->host_beat, ++iv->beat);
	iv->beat_at = now;
	return HC_RING_BEAT_MS;
}

static void iv_kick(struct iv *iv)
{
	hc_u64 one = 1;

	if (!iv->kick || iv->guest_efd < 0)
		return;
	iv->kick = 0;
	if (write(iv->guest_efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		hostd_log(HOSTD_NAME ": ivshmem: signalling the guest: %s", strerror(errno));
}

/* ---- subjects ---- */

static struct iv_subject *iv_sub(struct iv *iv, hc_u32 id)
{
	if (id < 1 || id > iv->cfg->max_subjects || iv->subs[id - 1].sock < 0)
		return NULL;
	return &iv->subs[id - 1];
}

/* Take @sock as subject @id's connection. Returns: 0, or -EEXIST. */
static int iv_sub_attach(struct iv *iv, hc_u32 id, int sock)
{
	struct iv_subject *sub;

	if (id < 1 || id > iv->cfg->max_subjects)
		return -EINVAL;
	sub = &iv->subs[id - 1];
	if (sub->sock >= 0)
		return -EEXIST;
	if (fcntl(sock, F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(sock, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	sub->sock = sock;
	sub->pid = hostd_slot_pid(id - 1);
	sub->queue = sub->sent = (struct iv_list){ -1, -1 };
	sub->nsent = 0;
	sub->acc = NULL;
	sub->inflight = 0;
	sub->wantout = 0;
	iv->active[iv->nactive++] = id;
	return 0;
}

/*
 * Send what the subject's queue holds: all of it to an in-flight subject
 * (until its socket is full: then on POLLOUT), else the next request once
 * the shadow answered the previous one.
 */
static void iv_sub_send(struct iv *iv, struct iv_subject *sub)
{
	sub->wantout = 0;
	while (sub->queue.head >= 0 && (sub->inflight || !sub->nsent)) {
		struct iv_slot *s = &iv->slots[sub->queue.head];
		int err;

		err = hc_sock_send(sub->sock, s->req, s->len, NULL, 0);
		if (err == -EAGAIN && sub->nsent) {
			sub->wantout = 1;
			return;
		}
		iv_list_pop(iv, &sub->queue);
		if (err) {
			/* a gone shadow shows as EOF soon; a BYE has happened */
			iv_fail(iv, s - iv->slots, s->op == HC_OP_BYE ? 0 :
				err == -EAGAIN ? -EAGAIN : -EIO);
			continue;
		}
		free(s->req);
		s->req = NULL;
		iv_list_add(iv, &sub->sent, s - iv->slots);
		sub->nsent++;
	}
}

/* Whether a request of @sub that is not yet answered has @tag. */
static int iv_sub_has_tag(struct iv *iv, struct iv_subject *sub, hc_u32 tag)
{
	struct iv_acc *a;

	for (a = sub->acc; a; a = a->next)
		if (a->tag == tag)
			return 1;
	return iv_list_has(iv, &sub->queue, tag) || iv_list_has(iv, &sub->sent, tag);
}

static void iv_sub_enqueue(struct iv *iv, struct iv_subject *sub, hc_u32 i)
{
	/* replies are told apart by their tags */
	if (iv_sub_has_tag(iv, sub, iv->slots[i].tag)) {
		iv_fail(iv, i, -EINVAL);
		return;
	}
	iv_list_add(iv, &sub->queue, i);
	iv_sub_send(iv, sub);
}

static void iv_sub_close(struct iv *iv, hc_u32 id);

/*
 * A new subject: a socketpair and a shadow forked the way the Unix
 * transport forks one for a new connection.
 * Returns: the new id, or -errno.
 */
static int iv_sub_new(struct iv *iv, const struct hostd_claim *claim)
{
	int sv[2], slot, err;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	iv->newsock = sv[0];	/* the new shadow must not hold it */
	slot = hostd_relay_new_shadow(&iv->core, sv[1], claim);
	iv->newsock = -1;
	close(sv[1]);
	if (slot < 0) {
		close(sv[0]);
		if (slot == -EAGAIN)
			hostd_log(HOSTD_NAME ": too many subjects (%u, see --max-subjects)",
				  iv->cfg->max_subjects);
		return slot;
	}
	/*
	 * The slot was free, so whatever still holds the id is a connection
	 * whose shadow is gone (a forked one that died before its
	 * FORK_SUBJECT reply was read): close it.
	 */
	iv_sub_close(iv, slot + 1);
	err = iv_sub_attach(iv, slot + 1, sv[0]);
	if (err) {
		close(sv[0]);	/* the shadow sees EOF and goes */
		return err;
	}
	return slot + 1;
}

static int iv_sub_read(struct iv *iv, hc_u32 id);

/*
 * SIGTERM the subject's shadow: it answers what it does (EINTR) and goes.
 * Only while it still holds its slot: once reaped, its pid is not ours.
 */
static void iv_sub_stop(struct iv *iv, hc_u32 id)
{
	pid_t pid = iv->subs[id - 1].pid;

	if (pid > 0)
		hostd_relay_kill(&iv->core, id - 1, pid, SIGTERM);
}

/*
 * The subject is gone (EOF, BYE served, its HELLO refused, its shadow
 * reaped, the VM gone, or a broken shadow): read what its shadow still
 * sent, then answer what is left with -EIO; a BYE still queued has
 * happened, so it gets 0. A shadow still busy is stopped: closing its
 * connection alone would not reach it while it blocks in a call.
 */
static void iv_sub_close(struct iv *iv, hc_u32 id)
{
	struct iv_subject *sub = iv_sub(iv, id);
	struct iv_list *lists[2];
	unsigned int k;
	int i;

	if (!sub)
		return;
	while (iv_sub_read(iv, id) > 0)
		;
	if (sub->nsent)
		iv_sub_stop(iv, id);
	lists[0] = &sub->sent;
	lists[1] = &sub->queue;
	for (k = 0; k < 2; k++)
		while ((i = iv_list_pop(iv, lists[k])) >= 0)
			iv_fail(iv, i, iv->slots[i].op == HC_OP_BYE ? 0 : -EIO);
	while (sub->acc) {
		struct iv_acc *a = iv_acc_take(iv, sub, sub->acc->tag);

		iv_acc_fail(iv, id, a, -EIO);
		free(a);
	}
	close(sub->sock);
	sub->sock = -1;
	sub->nsent = 0;
	for (k = 0; k < iv->nactive; k++)
		if (iv->active[k] == id) {
			iv->active[k] = iv->active[--iv->nactive];
			break;
		}
}

static void iv_close_fds(int *fds, int n)
{
	while (n-- > 0)
		close(fds[n]);
}

/*
 * The shadow answered FORK_SUBJECT with the new subject's id and its
 * connection: the relay keeps the connection, and the guest gets only the
 * id. Returns: the result for the guest.
 */
static hc_s64 iv_fork_reply(struct iv *iv, struct iv_subject *parent, hc_s64 id,
			    int *fds, int nfds)
{
	int err;

	if (nfds != 1 || id < 1 || id > iv->cfg->max_subjects) {
		iv_close_fds(fds, nfds);
		return -EPROTO;
	}
	err = iv_sub_attach(iv, id, fds[0]);
	if (err) {
		close(fds[0]);	/* the new shadow sees EOF and goes */
		return err == -EEXIST ? -EAGAIN : err;
	}
	/* the new shadow is a copy of its parent's */
	iv->subs[id - 1].inflight = parent->inflight;
	if (iv->cfg->verbose)
		hostd_log(HOSTD_NAME ": subject %lld: forked for the guest", (long long)id);
	return id;
}

/*
 * A HELLO reply as the guest gets it: the ring carries no fds, so fds_max
 * is 0. An error reply stays as it is. The subject has requests in flight
 * if the reply offers them.
 * Returns: 0, or -EBADMSG if it does not decode as a HELLO reply.
 */
static int iv_hello_reply(struct iv_subject *sub, int idmap, unsigned char *buf,
			  ssize_t n)
{
	struct hc_msg r;

	if (hc_decode(&r, buf, n))
		return -EBADMSG;
	if (r.result < 0)
		return 0;
	r.rep.hello.fds_max = 0;
	sub->inflight = !!(r.rep.hello.caps & HC_CAP_INFLIGHT);
	/* with a map, a guest's users are host users: SUBJECT_AS */
	if (idmap)
		r.rep.hello.caps |= HC_CAP_IDENTITY;
	return hc_encode(&r, buf, n) == n ? 0 : -EBADMSG;
}

/*
 * The shadow put request @tag in flight: give its slot back to the guest
 * as ACCEPTED; the reply comes late. Past HC_RING_ACCEPTED_MAX, or out of
 * memory, the request keeps its slot until answered, as before.
 * Returns: 0, or -EPROTO for a notice that makes no sense.
 */
static int iv_accepted(struct iv *iv, struct iv_subject *sub, hc_u16 op, hc_u32 tag)
{
	struct iv_acc *a;
	struct iv_slot *s;
	int i;

	if (!sub->inflight || !hostd_op_has(op, HC_OPF_BLOCKS))
		return -EPROTO;
	i = iv_list_take(iv, &sub->sent, tag);
	if (i < 0)
		return -EPROTO;
	s = &iv->slots[i];
	/* the late queue counts: a guest that offers no slot gets no more */
	a = iv->naccepted + iv->nlate < HC_RING_ACCEPTED_MAX && s->op == op ?
	    malloc(sizeof(*a)) : NULL;
	if (!a) {
		iv_list_add(iv, &sub->sent, i);		/* order no longer matters */
		return s->op == op ? 0 : -EPROTO;
	}
	a->tag = tag;
	a->op = op;
	a->next = sub->acc;
	sub->acc = a;
	iv->naccepted++;
	sub->nsent--;
	iv_store(&iv_desc(iv, i)->rep_len, 0);
	iv_store(&iv_desc(iv, i)->rep_seq, s->seq);
	__atomic_store_n(&iv_desc(iv, i)->state, htole32(HC_SLOT_ACCEPTED),
			 __ATOMIC_RELEASE);
	free(s->req);
	s->req = NULL;
	s->busy = 0;
	iv->kick = 1;
	return 0;
}

/* Publish reply @buf (@n bytes) in slot @i, or late for @a (slot -1). */
static void iv_answer(struct iv *iv, hc_u32 id, int i, struct iv_acc *a,
		      const void *buf, hc_u32 n)
{
	if (i >= 0)
		iv_finish(iv, i, buf, n);
	else
		iv_late_put(iv, id, buf, n);
	free(a);
}

/*
 * Read one reply from subject @id's shadow and publish it.
 * Returns: 1 if one was handled, 0 if there is none yet, -1 if the subject
 * must be closed (EOF, a refused HELLO that made it, or a shadow that broke
 * the protocol).
 */
static int iv_sub_read(struct iv *iv, hc_u32 id)
{
	struct iv_subject *sub = &iv->subs[id - 1];
	int fds[HC_SOCK_FDS_MAX], nfds, i, created = 0;
	struct iv_acc *a = NULL;
	struct hc_msg r;
	hc_u16 op;
	ssize_t n;

	n = hc_sock_recv(sub->sock, iv->rbuf, HC_MSG_MAX, fds, &nfds);
	if (n == -EAGAIN)
		return 0;
	if (n <= 0) {
		if (n < 0)
			hostd_log(HOSTD_NAME ": subject %u: from its shadow: %s",
				  id, strerror((int)-n));
		return -1;
	}
	if (hc_decode_hdr(&r, iv->rbuf, n) || !(r.hflags & HC_HF_REPLY) ||
	    (hc_u64)n > iv->slot_size || (r.hflags & HC_HF_NFDS_MASK) != nfds)
		goto malformed;
	if (r.hflags & HC_HF_ACCEPTED) {
		if (nfds || iv_accepted(iv, sub, r.op, r.tag))
			goto malformed;
		return 1;
	}
	/* the oldest request is the one answered, unless in flight */
	i = -1;
	if (sub->inflight)
		i = iv_list_take(iv, &sub->sent, r.tag);
	else if (sub->sent.head >= 0 && iv->slots[sub->sent.head].tag == r.tag)
		i = iv_list_pop(iv, &sub->sent);
	if (i >= 0) {
		sub->nsent--;
		op = iv->slots[i].op;
		created = iv->slots[i].created;
	} else if ((a = iv_acc_take(iv, sub, r.tag))) {
		op = a->op;
	} else {
		hostd_log(HOSTD_NAME ": subject %u: a message from its shadow that "
			  "answers nothing: closing the subject", id);
		iv_close_fds(fds, nfds);
		return -1;
	}
	if (r.op != op) {
		if (i >= 0)
			iv_fail(iv, i, -EIO);
		else
			iv_acc_fail(iv, id, a, -EIO);
		free(a);
		goto malformed;
	}
	if (created && r.result < 0) {
		/*
		 * The shadow refused the HELLO that made its subject: the guest
		 * never learns the id, so nothing could end the subject later.
		 */
		iv_close_fds(fds, nfds);
		r.hflags = HC_HF_REPLY;
		n = hc_encode(&r, iv->rbuf, HC_MSG_MAX);
		iv_finish(iv, i, iv->rbuf, n > 0 ? n : 0);
		if (iv->cfg->verbose)
			hostd_log(HOSTD_NAME ": subject %u: HELLO refused (%s): the subject "
				  "ends", id, strerror((int)-r.result));
		return -1;
	}
	if (r.op == HC_OP_HELLO && !nfds &&
	    iv_hello_reply(sub, !!iv->cfg->idmap, iv->rbuf, n)) {
		hostd_log(HOSTD_NAME ": subject %u: a malformed HELLO reply from "
			  "its shadow: closing the subject", id);
		if (i >= 0)
			iv_fail(iv, i, -EIO);
		free(a);
		return -1;
	}
	if (r.op == HC_OP_FORK_SUBJECT && r.result > 0) {
		r.result = iv_fork_reply(iv, sub, r.result, fds, nfds);
	} else if (nfds) {
		iv_close_fds(fds, nfds);
		r.result = -EPROTO;	/* fds cannot cross the ring: a shadow bug */
	} else {
		iv_answer(iv, id, i, a, iv->rbuf, n);
		iv_sub_send(iv, sub);
		return 1;
	}
	/* the reply as the guest sees it: no fds, maybe another result */
	r.hflags = HC_HF_REPLY;
	n = hc_encode(&r, iv->rbuf, HC_MSG_MAX);
	iv_answer(iv, id, i, a, iv->rbuf, n > 0 ? n : 0);
	iv_sub_send(iv, sub);
	return 1;

malformed:
	hostd_log(HOSTD_NAME ": subject %u: a malformed reply from its shadow: "
		  "closing the subject", id);
	iv_close_fds(fds, nfds);
	return -1;
}

/* ---- requests ---- */

/*
 * HELLO: the relay sets HC_HELLO_KEEP_HANDLES (no fds can come back through
 * the ring) and, for subject 0, creates the subject. A guest too old for
 * this hostcalld is answered -EPROTONOSUPPORT (a bare error reply, which
 * every version decodes), and the log says once per VM what to update.
 * Returns: 0 with *id the subject to route to, or -errno.
 */
static int iv_hello(struct iv *iv, struct iv_slot *s, hc_u32 *id)
{
	struct hc_msg m;
	int err, n;

	err = hc_decode(&m, s->req, s->len);
	if (err == -EPROTONOSUPPORT && !iv->told_old) {
		iv->told_old = 1;
		hostd_log(HOSTD_NAME ": ivshmem: hello: client speaks protocol version %u, "
			  "this hostcalld speaks %u: update libhostcall and hostcall.ko "
			  "to this hostcalld's release",
			  (unsigned int)m.req.hello.version, HC_PROTO_VERSION);
	}
	if (err)
		return err;
	m.req.hello.flags |= HC_HELLO_KEEP_HANDLES | HC_HELLO_TELL_ACCEPTED;
	n = hc_encode(&m, s->req, s->len);
	if (n != (int)s->len)
		return n < 0 ? n : -EBADMSG;
	if (*id)
		return 0;
	n = iv_sub_new(iv, NULL);
	if (n < 0)
		return n;
	*id = n;
	s->created = 1;
	return 0;
}

/*
 * SUBJECT_AS for subject 0: a new subject whose shadow acts as the host
 * user the guest's uid and gid map to (hostd_ident_for()), answered here
 * with its id, which then says HELLO. The guest kernel decides which of its
 * processes claims which uid: a VM acts as the host users its map names,
 * and an unmapped uid as --user (or not at all, --unmapped deny).
 * Returns: the id (> 0), which the caller sends as the result, or -errno.
 */
static int iv_subject_as(struct iv *iv, struct iv_slot *s, hc_u32 subject)
{
	struct hostd_claim claim = { .kind = HOSTD_CLAIM_GUEST };
	const struct hc_req_subject_as *q;
	struct hc_msg m;
	hc_u32 k;
	int err;

	if (!iv->cfg->idmap)
		return -EOPNOTSUPP;
	if (subject)
		return -EINVAL;
	err = hc_decode(&m, s->req, s->len);
	if (err)
		return err;
	q = &m.req.subject_as;
	claim.uid = q->uid;
	claim.gid = q->gid;
	claim.ngroups = q->groups.n;
	for (k = 0; k < q->groups.n && k < HC_FDS_MAX; k++)
		claim.groups[k] = q->groups.v[k];
	/* the map decides (in the starter, as root): unmapped acts as --user */
	return iv_sub_new(iv, &claim);
}

/*
 * The ops that make or end a subject (HC_OPF_SUBJECT) are the relay's
 * business before they are their shadow's: HELLO (above); BYE, whose
 * subject's last file is closed, so that nobody waits for a request its
 * shadow may still be busy with (a FIFO open, say): the shadow is stopped;
 * FORK_SUBJECT, whose reply brings the new subject (iv_fork_reply());
 * SUBJECT_AS (above).
 * Returns: 0 with *id the subject to route to, a SUBJECT_AS's new id (the
 * slot is answered with it at once), or -errno.
 */
static int iv_subject_op(struct iv *iv, struct iv_slot *s, hc_u16 op, hc_u32 *id)
{
	struct iv_subject *sub;

	switch (op) {
	case HC_OP_HELLO:
		return iv_hello(iv, s, id);
	case HC_OP_SUBJECT_AS:
		return iv_subject_as(iv, s, *id);
	case HC_OP_BYE:
		sub = iv_sub(iv, *id);
		if (sub && sub->nsent)
			iv_sub_stop(iv, *id);
		return 0;
	default:
		return 0;
	}
}

/*
 * Take slot @i, whose state said REQ: copy the request into private memory
 * and route it by subject. Every failure is an error reply in the slot.
 */
static void iv_take(struct iv *iv, hc_u32 i)
{
	struct iv_slot *s = &iv->slots[i];
	struct iv_subject *sub;
	struct hostd_ivreq rq;
	struct hc_msg m;
	hc_u32 subject;
	int err;

	s->busy = 1;
	s->created = 0;
	iv_store(&iv_desc(iv, i)->state, HC_SLOT_BUSY);	/* informational */
	/* copied out and checked; from here on only the copy is looked at */
	err = hostd_ivring_take(iv->mem, iv->slot_size, i, &rq, &m);
	s->seq = rq.seq;
	s->subject = subject = rq.subject;
	s->op = rq.op;
	s->tag = rq.tag;
	s->req = rq.buf;
	s->len = rq.len;
	if (!err && hostd_op_has(m.op, HC_OPF_SUBJECT))
		err = iv_subject_op(iv, s, m.op, &subject);
	if (err) {
		/* SUBJECT_AS is answered here, with the new id */
		iv_fail(iv, i, err);
		return;
	}
	sub = iv_sub(iv, subject);
	if (!sub) {
		iv_fail(iv, i, -ESRCH);
		return;
	}
	iv_sub_enqueue(iv, sub, i);
}

/* The guest rang: take every REQ slot we do not hold yet. Bounded by nslots. */
static void iv_scan(struct iv *iv)
{
	hc_u32 i;

	for (i = 0; i < iv->nslots; i++) {
		hc_u32 state;

		if (iv->slots[i].busy)
			continue;	/* ours until answered, whatever it says */
		state = le32toh(__atomic_load_n(&iv_desc(iv, i)->state, __ATOMIC_ACQUIRE));
		/* a slot no longer offered (a request in it, say) is the guest's */
		iv->slots[i].recv = state == HC_SLOT_RECV;
		if (state == HC_SLOT_REQ)
			iv_take(iv, i);
	}
	iv_late_flush(iv);
}

/* ---- QEMU ---- */

/* One message of the ivshmem server protocol: an int64, maybe an fd. */
static int iv_send_msg(int sock, int64_t val, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cm;
	int64_t le = (int64_t)htole64((uint64_t)val);
	struct iovec iov = { .iov_base = &le, .iov_len = sizeof(le) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (fd >= 0) {
		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	if (sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)sizeof(le))
		return errno ? -errno : -EIO;
	return 0;
}

/* The VM is gone: end its subjects and forget its requests. */
static void iv_qemu_drop(struct iv *iv)
{
	hc_u32 i;

	while (iv->nactive)
		iv_sub_close(iv, iv->active[0]);
	iv_late_drop(iv);
	for (i = 0; i < iv->nslots; i++) {
		free(iv->slots[i].req);
		memset(&iv->slots[i], 0, sizeof(iv->slots[i]));
		memset(iv_desc(iv, i), 0, HC_RING_SLOT_DESC_SIZE);
	}
	if (iv->guest_efd >= 0)
		close(iv->guest_efd);
	iv->guest_efd = -1;
	if (iv->qemu >= 0)
		close(iv->qemu);
	iv->qemu = -1;
	iv->kick = 0;
}

/*
 * A QEMU connects: protocol version 0, its id, the memory, our id with our
 * eventfd (the vector it rings), its own id with its eventfd (the vector we
 * signal). QEMU reads the first three at start-up. One QEMU at a time.
 */
static void iv_accept(struct iv *iv)
{
	struct hc_ring_hdr *h = (struct hc_ring_hdr *)iv->mem;
	int fd, err;

	fd = accept4(iv->lsock, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	if (iv->qemu >= 0) {
		hostd_log(HOSTD_NAME ": ivshmem: refusing a second QEMU on %s (one "
			  "hostcalld per VM)", iv->cfg->ivshmem_path);
		close(fd);
		return;
	}
	iv->guest_id = iv->guest_id % IV_ID_MAX + 1;
	iv->qemu = fd;
	iv->told_old = 0;	/* a new VM: maybe another guest */
	iv->guest_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	__atomic_store_n(&h->guest_peer, htole32(iv->guest_id), __ATOMIC_RELEASE);
	err = iv->guest_efd < 0 ? -errno : iv_send_msg(fd, 0, -1);
	if (!err)
		err = iv_send_msg(fd, iv->guest_id, -1);
	if (!err)
		err = iv_send_msg(fd, -1, iv->memfd);
	if (!err)
		err = iv_send_msg(fd, IV_HOST_PEER, iv->host_efd);
	if (!err)
		err = iv_send_msg(fd, iv->guest_id, iv->guest_efd);
	if (err) {
		hostd_log(HOSTD_NAME ": ivshmem: set-up of QEMU (peer %u): %s",
			  iv->guest_id, strerror(-err));
		iv_qemu_drop(iv);
		return;
	}
	if (iv->cfg->verbose)
		hostd_log(HOSTD_NAME ": ivshmem: QEMU connected (guest peer %u)",
			  iv->guest_id);
}

/* QEMU sends nothing after connecting: input or a hang-up means it left. */
static void iv_qemu_input(struct iv *iv)
{
	char junk[64];
	ssize_t n = read(iv->qemu, junk, sizeof(junk));

	if (n > 0 || (n < 0 && errno == EAGAIN))
		return;
	if (iv->cfg->verbose)
		hostd_log(HOSTD_NAME ": ivshmem: QEMU disconnected: its subjects end");
	iv_qemu_drop(iv);
}

/* ---- the loop ---- */

/*
 * The split of hostcalld as root (relay.c): the relay maps the ring again
 * (MADV_DONTFORK kept it from the fork), the starter lets go of it.
 */
static void iv_split(struct hostd_relay *core, int relay)
{
	struct iv *iv = (struct iv *)core;

	if (!relay) {
		munmap(iv->mem, iv->size);
		iv->mem = NULL;
		return;
	}
	iv->mem = mmap(NULL, iv->size, PROT_READ | PROT_WRITE, MAP_SHARED, iv->memfd, 0);
	if (iv->mem == MAP_FAILED || madvise(iv->mem, iv->size, MADV_DONTFORK) < 0) {
		hostd_log(HOSTD_NAME ": ivshmem: mapping the ring again in the relay: %s",
			  strerror(errno));
		_exit(1);
	}
}

/* In a new shadow: nothing of the VM's or of other subjects stays open. */
static void iv_child_close(struct hostd_relay *core)
{
	struct iv *iv = (struct iv *)core;
	unsigned int k;

	close(iv->lsock);
	close(iv->memfd);
	close(iv->host_efd);
	if (iv->newsock >= 0)
		close(iv->newsock);
	if (iv->qemu >= 0)
		close(iv->qemu);
	if (iv->guest_efd >= 0)
		close(iv->guest_efd);
	for (k = 0; k < iv->nactive; k++)
		close(iv->subs[iv->active[k] - 1].sock);
}

/*
 * A shadow was reaped. Only its own subject closes: as root the starter
 * reaps and tells later, when the slot may already hold a new subject.
 */
static void iv_reaped(struct hostd_relay *core, pid_t pid, int slot)
{
	struct iv *iv = (struct iv *)core;
	struct iv_subject *sub = slot >= 0 ? iv_sub(iv, slot + 1) : NULL;

	if (sub && (sub->pid == pid || sub->pid <= 0))
		iv_sub_close(iv, slot + 1);
}

static int iv_alloc(struct iv *iv)
{
	unsigned int n = iv->cfg->max_subjects, i;

	iv->slots = calloc(iv->nslots, sizeof(*iv->slots));
	iv->subs = calloc(n, sizeof(*iv->subs));
	iv->active = calloc(n, sizeof(*iv->active));
	iv->pfd = calloc(n + 5, sizeof(*iv->pfd));
	iv->pfd_id = calloc(n, sizeof(*iv->pfd_id));
	iv->rbuf = malloc(HC_MSG_MAX);
	if (!iv->slots || !iv->subs || !iv->active || !iv->pfd || !iv->pfd_id ||
	    !iv->rbuf)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		iv->subs[i].sock = -1;
	return 0;
}

static void iv_free(struct iv *iv)
{
	if (iv->mem)
		munmap(iv->mem, iv->size);
	if (iv->memfd >= 0)
		close(iv->memfd);
	if (iv->host_efd >= 0)
		close(iv->host_efd);
	free(iv->slots);
	free(iv->subs);
	free(iv->active);
	free(iv->pfd);
	free(iv->pfd_id);
	free(iv->rbuf);
}

/*
 * Stop: the guest learns at once (every held slot answered -EIO, the ring
 * marked GONE), then the shadows go as on the Unix transport.
 */
static void iv_shutdown(struct iv *iv)
{
	hc_u32 i;

	close(iv->lsock);
	unlink(iv->cfg->ivshmem_path);
	for (i = 0; i < iv->nslots; i++)
		if (iv->slots[i].busy)
			iv_fail(iv, i, -EIO);
	iv_set_host_state(iv, HC_RING_HOST_GONE);
	iv_kick(iv);
	while (iv->nactive) {
		hc_u32 id = iv->active[0];

		close(iv->subs[id - 1].sock);
		iv->subs[id - 1].sock = -1;
		iv->active[0] = iv->active[--iv->nactive];
	}
	hostd_relay_stop(&iv->core);
	if (iv->qemu >= 0)
		close(iv->qemu);
	if (iv->guest_efd >= 0)
		close(iv->guest_efd);
}

/* One round of the loop. Returns: 1 when a stop signal came. */
static int iv_poll_once(struct iv *iv)
{
	struct pollfd *p = iv->pfd;
	unsigned int n = 5, k;
	hc_u64 cnt;

	p[0] = (struct pollfd){ .fd = iv->core.sfd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = iv->lsock, .events = POLLIN };
	p[2] = (struct pollfd){ .fd = iv->qemu, .events = POLLIN };
	p[3] = (struct pollfd){ .fd = iv->host_efd, .events = POLLIN };
	p[4] = (struct pollfd){ .fd = iv->core.starter, .events = POLLIN };
	for (k = 0; k < iv->nactive; k++) {
		iv->pfd_id[k] = iv->active[k];
		struct iv_subject *sub = &iv->subs[iv->active[k] - 1];

		p[n++] = (struct pollfd){
			.fd = sub->sock,
			.events = POLLIN | (sub->wantout ? POLLOUT : 0),
		};
	}
	if (poll(p, n, iv_beat(iv)) < 0) {
		if (errno == EINTR)
			return 0;
		hostd_log(HOSTD_NAME ": poll: %s", strerror(errno));
		return 1;
	}
	if (p[0].revents && hostd_relay_signals(&iv->core))
		return 1;
	if (p[1].revents)
		iv_accept(iv);
	/* shadows first: their replies free slots the scan may reuse */
	if (p[4].revents && hostd_relay_starter_input(&iv->core))
		return 1;
	for (k = 5; k < n; k++) {
		hc_u32 id = iv->pfd_id[k - 5];
		struct iv_subject *sub = iv_sub(iv, id);

		if (!p[k].revents || !sub || sub->sock != p[k].fd)
			continue;	/* closed meanwhile */
		if (p[k].revents & POLLOUT)
			iv_sub_send(iv, sub);
		if (p[k].revents & ~POLLOUT && iv_sub_read(iv, id) < 0)
			iv_sub_close(iv, id);
	}
	if (p[2].revents && iv->qemu >= 0)
		iv_qemu_input(iv);
	if (p[3].revents && read(iv->host_efd, &cnt, sizeof(cnt)) > 0 && iv->qemu >= 0)
		iv_scan(iv);
	iv_kick(iv);
	return 0;
}

int hostd_ivshmem_run(const struct hostd_config *cfg)
{
	struct iv iv = {
		.core = { .cfg = cfg, .child_close = iv_child_close,
			  .reaped = iv_reaped, .split = iv_split, .starter = -1 },
		.cfg = cfg, .lsock = -1, .newsock = -1, .qemu = -1, .memfd = -1,
		.host_efd = -1, .guest_efd = -1,
	};

	iv.late_tail = &iv.late;
	int err;

	err = iv_ring_create(&iv);
	if (!err)
		err = iv_alloc(&iv);
	if (!err) {
		iv.host_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (iv.host_efd < 0)
			err = -errno;
	}
	if (err) {
		fprintf(stderr, HOSTD_NAME ": --ivshmem: shared memory of %llu bytes: %s\n",
			(unsigned long long)HC_RING_MEM_SIZE, strerror(-err));
		goto out_free;
	}
	iv.lsock = hostd_listen(cfg->ivshmem_path, cfg->socket_mode, SOCK_STREAM);
	if (iv.lsock < 0) {
		err = iv.lsock;
		goto out_free;
	}
	err = hostd_relay_start(&iv.core);
	if (err) {
		close(iv.lsock);
		unlink(cfg->ivshmem_path);
		goto out_free;
	}
	if (cfg->verbose)
		hostd_log(HOSTD_NAME ": ivshmem: listening on %s (mode %04o), %u slots of "
			  "%u KiB, shadows run as %s (uid %u)%s%s", cfg->ivshmem_path,
			  (unsigned int)cfg->socket_mode, iv.nslots, iv.slot_size >> 10,
			  cfg->pw_name, (unsigned int)cfg->uid,
			  cfg->root ? ", root " : "", cfg->root ? cfg->root_real : "");
	while (!iv_poll_once(&iv))
		;
	iv_shutdown(&iv);
out_free:
	iv_free(&iv);
	return err;
}
