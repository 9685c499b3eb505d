/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared-memory layout of the ivshmem-doorbell transport: a ring of request
 * slots in the device's BAR2, shared by hostcalld and the guest module.
 * Compiles in the kernel (no libc) and in user space.
 *
 * Versions
 *   1  first version: one control block, N slots of one message each.
 *      Later, still version 1 (the word was reserved and zero): host_beat.
 *      A guest facing a host that leaves it zero times out as before.
 *   2  requests in flight: ACCEPTED, RECV and LATE slots, rep_tag. A host
 *      and a guest of different versions do not bind.
 *
 * Layout (all integers little-endian; offsets from the start of the memory)
 *   The memory is a power of two in size (QEMU requires it) and is cut into
 *   blocks of slot_size bytes. Block 0 is the control block; blocks 1..N are
 *   the data areas of slots 0..N-1, so N = size / slot_size - 1 (8 MiB of
 *   128 KiB blocks: 63 slots).
 *     0                  struct hc_ring_hdr, written by the host
 *     HC_RING_DESC_OFF   struct hc_ring_slot[N], one 64-byte line each
 *     slot_size*(i+1)    data of slot i: the request, later the reply
 *   A slot holds one message of the protocol in hostcall_proto.h (header
 *   included), at most HC_MSG_MAX bytes in either direction.
 *
 * Doorbells (ivshmem-doorbell, BAR0 register 0x0C, 32-bit writes)
 *   The host is an ivshmem peer with its own eventfds. The guest rings it
 *   with HC_RING_DOORBELL(host_peer, host_vector) after it sets a slot to
 *   REQ; the host signals the guest's vector guest_vector (an MSI-X interrupt)
 *   after it sets a slot to DONE. A doorbell carries no payload and several
 *   rings may merge into one wake-up: each side scans the slots it waits on.
 *
 * Slot states (the state word of struct hc_ring_slot)
 *   FREE      the guest owns the slot and may fill it.
 *   REQ       the guest wrote subject, req_len, seq and the request, then
 *             stored REQ.
 *   BUSY      the host took the request (informational: the guest never
 *             waits for BUSY and never reuses a slot before DONE or
 *             ACCEPTED).
 *   DONE      the host wrote rep_len, rep_seq and the reply, then stored
 *             DONE. The guest copies the reply out and stores FREE.
 *   ACCEPTED  the host wrote rep_seq and stored ACCEPTED: the request is in
 *             flight (it waits for an event: a host program's exit, a lock,
 *             a FIFO's other end, data on a pipe) and its reply will come
 *             later in a RECV slot. The slot is the guest's again at once.
 *   RECV      the guest offers the slot, empty, for a late reply: it stores
 *             RECV and rings. The host keeps the slots offered to it.
 *   LATE      the host wrote subject, rep_tag, rep_len and the late reply
 *             into a RECV slot, then stored LATE. The guest finds the
 *             request by (subject, rep_tag), copies the reply out and
 *             stores FREE, or RECV to offer the slot again.
 *   A guest that gave up waiting (timeout, fatal signal) leaves a slot out
 *   of use until it sees DONE or ACCEPTED, so a reply never lands in a
 *   newer request; a request of its that was accepted it cancels (CANCEL
 *   by tag) and its late reply it drops (closing a handle that a late
 *   OPENAT returned). A slot of the host's (BUSY or RECV) that the guest
 *   overwrites with REQ is taken as a request.
 *
 * Requests in flight
 *   The host accepts a request only when the subject is an in-flight one
 *   (HC_CAP_INFLIGHT in the HELLO exchange) and its shadow has actually put
 *   it in flight; everything else is answered DONE in its own slot, as in
 *   version 1. Tags of a subject's requests must be distinct among those
 *   not yet answered: a request that reuses one is answered -EINVAL. The
 *   guest keeps as many RECV slots offered as it has requests accepted, up
 *   to a few; the host queues a late reply while no RECV slot is offered.
 *   The host accepts at most HC_RING_ACCEPTED_MAX requests of a VM at once,
 *   counting the late replies it queues; past that a request holds its
 *   slot until DONE, as in version 1. The host claims an offered slot
 *   (RECV to BUSY, compare-and-swap) before it writes a late reply there.
 *
 * Liveness
 *   While it serves, the host increments host_beat at least every
 *   HC_RING_BEAT_MS ms. A guest waiting for a reply (or a free slot) keeps
 *   waiting while the beat moves, however long the call takes on the host (a
 *   WAIT for a host command, a FIFO open); it gives up with EIO once the beat
 *   has not moved for its timeout, or at once when host_state is GONE.
 *
 * Memory ordering
 *   The state word is the only synchronisation. A writer fills the data and
 *   the length fields first and stores the new state with release semantics
 *   (kernel: smp_store_release; user: __atomic_store_n(.., __ATOMIC_RELEASE));
 *   a reader loads the state with acquire semantics (smp_load_acquire /
 *   __ATOMIC_ACQUIRE) before it reads the lengths or the data. The doorbell
 *   write (writel, which orders earlier memory writes before the MMIO write)
 *   and the eventfd write (a system call) come after the release store.
 *
 * The host against a hostile guest (the guest may write any byte at any time)
 *   - The host keeps its own copy of the layout (size, slot count, slot
 *     size) and never reads the control block back.
 *   - It reads each shared field exactly once into a local (volatile or
 *     atomic access), then checks the local: a state other than REQ is
 *     ignored; req_len must be >= HC_HDR_SIZE and <= slot_size.
 *   - It copies req_len bytes into private memory before parsing, and parses
 *     only the copy (hc_decode() checks that the header's length equals
 *     req_len). A request that fails to decode gets an error reply.
 *   - It tracks in private memory which slots it is serving and never takes
 *     a slot again before it has answered it, whatever the state word says.
 *   - The subject field selects one of this VM's own subjects; an unknown id
 *     gets -ESRCH. One hostcalld serves one VM, so no id reaches another VM.
 *   - The work per doorbell is bounded by the slot count: a guest that rings
 *     without end costs its own relay CPU time, nothing else.
 * The guest checks the host's values too (rep_len <= slot_size, the layout
 *   against the BAR size), so that a broken host cannot make it read or write
 *   outside the mapping.
 */
#ifndef HC_RING_H
#define HC_RING_H

#include "hostcall_proto.h"

/*
 * Fields of the shared structures are stored little-endian: convert with
 * le32_to_cpu()/cpu_to_le32() in the kernel, le32toh()/htole32() in user
 * space (both are no-ops on x86).
 */
#ifdef __KERNEL__
typedef __le32 hc_le32;
typedef __le64 hc_le64;
#else
typedef uint32_t hc_le32;
typedef uint64_t hc_le64;
#endif

#define HC_RING_MAGIC		0x47524348u	/* "HCRG" in memory */
#define HC_RING_VERSION		2

/* Default geometry: 8 MiB of 128 KiB blocks, 63 slots. */
#define HC_RING_SLOT_SIZE	HC_MSG_MAX
#define HC_RING_MEM_SIZE	(8u << 20)
#define HC_RING_DESC_OFF	4096u
#define HC_RING_SLOT_DESC_SIZE	64u

/* Limits either side enforces on the layout it is given. */
#define HC_RING_SLOTS_MAX	1024u
#define HC_RING_MEM_MAX		(1u << 30)

/* Slot states. */
#define HC_SLOT_FREE		0u
#define HC_SLOT_REQ		1u
#define HC_SLOT_BUSY		2u
#define HC_SLOT_DONE		3u
#define HC_SLOT_ACCEPTED	4u
#define HC_SLOT_RECV		5u
#define HC_SLOT_LATE		6u

/* Requests of one VM the host holds accepted at once (version 2). */
#define HC_RING_ACCEPTED_MAX	256u

/* hdr.host_state */
#define HC_RING_HOST_INIT	0u	/* not yet ready */
#define HC_RING_HOST_READY	1u	/* serving requests */
#define HC_RING_HOST_GONE	2u	/* stopped on purpose; fail new calls */

/* The host bumps hdr.host_beat at least this often while it serves. */
#define HC_RING_BEAT_MS		500u

/* The value written to the ivshmem Doorbell register to ring @peer. */
#define HC_RING_DOORBELL(peer, vector) \
	((hc_u32)(((hc_u32)(peer) << 16) | ((hc_u32)(vector) & 0xffff)))

/* ivshmem BAR0 register offsets (32-bit accesses only). */
#define HC_IVSHMEM_INTRMASK	0x00
#define HC_IVSHMEM_INTRSTATUS	0x04
#define HC_IVSHMEM_IVPOSITION	0x08
#define HC_IVSHMEM_DOORBELL	0x0c

/*
 * The control block's header, written by the host before the guest can see
 * the memory (before QEMU connects), except host_state and guest_peer, which
 * it updates later with a release store, and host_beat.
 */
struct hc_ring_hdr {
	hc_le32 magic;		/* HC_RING_MAGIC */
	hc_le32 version;	/* HC_RING_VERSION */
	hc_le64 mem_size;	/* bytes, a power of two */
	hc_le32 slot_size;	/* bytes per block, a power of two */
	hc_le32 nslots;		/* mem_size / slot_size - 1 */
	hc_le32 desc_off;	/* HC_RING_DESC_OFF */
	hc_le32 host_state;	/* HC_RING_HOST_* */
	hc_le32 host_peer;	/* ivshmem id of the host */
	hc_le32 host_vector;	/* host vector the guest rings on submit */
	hc_le32 guest_peer;	/* ivshmem id given to the guest (diagnostic) */
	hc_le32 guest_vector;	/* guest vector the host signals on DONE */
	hc_le32 guest_vectors;	/* vectors the host set up for the guest */
	hc_le32 host_beat;	/* host: incremented while it serves */
	hc_le32 reserved[2];	/* zero */
};

/* One slot's descriptor: a 64-byte line of its own. */
struct hc_ring_slot {
	hc_le32 state;		/* HC_SLOT_*: release store, acquire load */
	hc_le32 subject;	/* guest: the request's; host: a LATE reply's */
	hc_le32 req_len;	/* guest: request bytes in the data area */
	hc_le32 rep_len;	/* host: reply bytes in the data area */
	hc_le32 seq;		/* guest: bumped per request; host echoes */
	hc_le32 rep_seq;	/* host: seq of the request answered/accepted */
	hc_le32 rep_tag;	/* host, in a LATE slot: the request's tag */
	hc_le32 reserved[9];	/* zero */
};

#if defined(__KERNEL__) || (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L)
_Static_assert(sizeof(struct hc_ring_hdr) == 64, "hc_ring_hdr layout");
_Static_assert(sizeof(struct hc_ring_slot) == HC_RING_SLOT_DESC_SIZE,
	       "hc_ring_slot layout");
#endif

/**
 * hc_ring_layout_check() - check a ring geometry.
 * @mem_size: size of the shared memory (the BAR on the guest side)
 * @slot_size: block size
 * @nslots: slot count
 *
 * Returns: 0 if both are powers of two in range, @nslots is exactly
 * mem_size / slot_size - 1, each slot holds a whole message and the
 * descriptors fit in the control block; -EINVAL otherwise.
 */
static inline int hc_ring_layout_check(hc_u64 mem_size, hc_u32 slot_size,
				       hc_u32 nslots)
{
	if (!mem_size || (mem_size & (mem_size - 1)) || mem_size > HC_RING_MEM_MAX)
		return -EINVAL;
	if (!slot_size || (slot_size & (slot_size - 1)) || slot_size < HC_MSG_MAX)
		return -EINVAL;
	/* no 64-bit division: the kernel may be 32-bit */
	if (mem_size < 2ull * slot_size ||
	    ((hc_u64)nslots + 1) * slot_size != mem_size)
		return -EINVAL;
	if (nslots > HC_RING_SLOTS_MAX ||
	    HC_RING_DESC_OFF + (hc_u64)nslots * HC_RING_SLOT_DESC_SIZE > slot_size)
		return -EINVAL;
	return 0;
}

/* Offset of slot @i's descriptor; @i < nslots is the caller's to check. */
static inline hc_u64 hc_ring_desc_off(hc_u32 i)
{
	return HC_RING_DESC_OFF + (hc_u64)i * HC_RING_SLOT_DESC_SIZE;
}

/* Offset of slot @i's data area. */
static inline hc_u64 hc_ring_data_off(hc_u32 slot_size, hc_u32 i)
{
	return (hc_u64)slot_size * ((hc_u64)i + 1);
}

#endif /* HC_RING_H */
