// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host-only test of `hostcalld --ivshmem`: this program plays QEMU (the
 * ivshmem server protocol) and the guest (the ring of hc_ring.h) at once,
 * so the relay, its subjects and its defences against a hostile guest can
 * be tested without a VM, including what the guest module never does.
 * Run by tests/vm/ivshmem-host.sh, which sets up the --root tree.
 *
 * It is a version 2 guest: a subject whose HELLO announces HC_CAP_INFLIGHT
 * gets a FIFO open (and the like) back ACCEPTED, and its reply later in a
 * slot the guest offers (RECV, then LATE); a subject whose HELLO has caps 0
 * is served as in version 1, its FIFO open holding its slot BUSY. Tests of
 * either kind make their subjects with hello_caps().
 *
 * usage: hc_ivclient SOCKET HOSTCALLD_PID ROOTDIR MAX_SUBJECTS [kill9]
 * With kill9 it only makes an idle subject, one blocked in a FIFO open and
 * one with a FIFO open in flight, kills hostcalld with SIGKILL and measures
 * how long their shadows live on.
 * Output: "ok N - name" / "not ok N - name: why"; exit 1 if one failed.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "hc_ring.h"

struct ring {
	int sock;
	int memfd;
	unsigned char *mem;
	uint64_t size;
	uint32_t nslots, slot_size, host_peer;
	int host_efd, own_efd;
	int64_t own_id;
	uint32_t seq[HC_RING_SLOTS_MAX];
	/* the slot's last request, to find its late reply by (subject, tag) */
	uint32_t subj[HC_RING_SLOTS_MAX], tag[HC_RING_SLOTS_MAX];
	/* offered (RECV) by us and not yet seen LATE: the host's to fill */
	unsigned char recv[HC_RING_SLOTS_MAX];
};

/* A late reply, copied out of its LATE slot. */
struct late {
	uint32_t subject, tag, len;
	unsigned char *buf;
};

/*
 * Late replies that came in a RECV slot while another was waited for: a
 * late reply lands in any slot offered, not the one its request was in.
 */
#define STASH_MAX	HC_RING_ACCEPTED_MAX
static struct late stash[STASH_MAX];
static unsigned int nstash;

static const char *sockpath, *rootdir;
static pid_t hostd_pid;
static unsigned int max_subjects;
static int ntest, nfail;
static unsigned char req[HC_MSG_MAX], rep[HC_MSG_MAX];

static void stash_clear(void)
{
	while (nstash)
		free(stash[--nstash].buf);
}

static void result(int good, const char *name, const char *fmt, ...)
{
	va_list ap;

	ntest++;
	if (good) {
		printf("ok %d - %s\n", ntest, name);
		return;
	}
	nfail++;
	printf("not ok %d - %s: ", ntest, name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- QEMU's side of the ivshmem server protocol ---- */

static int64_t recv_msg(int sock, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cm;
	int64_t v;
	struct iovec iov = { .iov_base = &v, .iov_len = sizeof(v) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cm.buf, .msg_controllen = sizeof(cm.buf),
	};
	struct cmsghdr *c;
	struct pollfd p = { .fd = sock, .events = POLLIN };

	*fd = -1;
	if (poll(&p, 1, 2000) != 1 || recvmsg(sock, &mh, 0) != sizeof(v))
		return INT64_MIN;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	return (int64_t)le64toh((uint64_t)v);
}

static int ring_connect(struct ring *r)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct hc_ring_hdr *h;
	struct stat st;
	int fd;

	memset(r, 0, sizeof(*r));
	strcpy(sa.sun_path, sockpath);
	r->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (r->sock < 0 || connect(r->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	if (recv_msg(r->sock, &fd) != 0)
		return -EPROTO;
	r->own_id = recv_msg(r->sock, &fd);
	if (r->own_id < 0 || fd >= 0)
		return -EPROTO;
	if (recv_msg(r->sock, &r->memfd) != -1 || r->memfd < 0)
		return -EPROTO;
	if (fstat(r->memfd, &st) < 0)
		return -errno;
	r->size = st.st_size;
	r->mem = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, r->memfd, 0);
	if (r->mem == MAP_FAILED)
		return -errno;
	h = (struct hc_ring_hdr *)r->mem;
	r->host_peer = le32toh(h->host_peer);
	if (recv_msg(r->sock, &r->host_efd) != r->host_peer || r->host_efd < 0)
		return -EPROTO;
	if (recv_msg(r->sock, &r->own_efd) != r->own_id || r->own_efd < 0)
		return -EPROTO;
	r->nslots = le32toh(h->nslots);
	r->slot_size = le32toh(h->slot_size);
	if (le32toh(h->magic) != HC_RING_MAGIC ||
	    hc_ring_layout_check(r->size, r->slot_size, r->nslots))
		return -EPROTO;
	return 0;
}

static void ring_close(struct ring *r)
{
	stash_clear();
	munmap(r->mem, r->size);
	close(r->memfd);
	close(r->host_efd);
	close(r->own_efd);
	close(r->sock);
}

/* ---- the guest's side of the ring ---- */

static struct hc_ring_slot *desc(struct ring *r, uint32_t i)
{
	return (struct hc_ring_slot *)(r->mem + hc_ring_desc_off(i));
}

static unsigned char *data(struct ring *r, uint32_t i)
{
	return r->mem + hc_ring_data_off(r->slot_size, i);
}

static uint32_t state(struct ring *r, uint32_t i)
{
	return le32toh(__atomic_load_n(&desc(r, i)->state, __ATOMIC_ACQUIRE));
}

static void ring_doorbell(struct ring *r)
{
	uint64_t one = 1;

	if (write(r->host_efd, &one, sizeof(one)) != sizeof(one))
		perror("doorbell");
}

/* Put @n raw bytes into slot @i, claim @len of them for @subject, ring. */
static void submit_claim(struct ring *r, uint32_t i, uint32_t subject,
			 const void *msg, uint32_t n, uint32_t len)
{
	struct hc_ring_slot *d = desc(r, i);

	memcpy(data(r, i), msg, n < r->slot_size ? n : r->slot_size);
	d->subject = htole32(subject);
	d->req_len = htole32(len);
	d->rep_len = 0;
	d->seq = htole32(++r->seq[i]);
	r->subj[i] = subject;
	r->tag[i] = 0;
	/* a RECV slot of ours rewritten with REQ is a request (hc_ring.h) */
	r->recv[i] = 0;
	__atomic_store_n(&d->state, htole32(HC_SLOT_REQ), __ATOMIC_RELEASE);
	ring_doorbell(r);
}

static void submit_raw(struct ring *r, uint32_t i, uint32_t subject,
		       const void *msg, uint32_t len)
{
	submit_claim(r, i, subject, msg, len, len);
}

static uint32_t next_tag(void)
{
	static uint32_t tag;

	return ++tag;
}

/* Submit @m as request @tag of @subject in slot @i (a test may reuse a tag). */
static int submit_tag(struct ring *r, uint32_t i, uint32_t subject,
		      struct hc_msg *m, uint32_t tag)
{
	int len;

	m->tag = tag;
	m->subject = subject;
	len = hc_encode(m, req, sizeof(req));
	if (len < 0)
		return len;
	submit_raw(r, i, subject, req, len);
	r->tag[i] = tag;
	return 0;
}

static int submit(struct ring *r, uint32_t i, uint32_t subject, struct hc_msg *m)
{
	return submit_tag(r, i, subject, m, next_tag());
}

/* Decode the reply copied into rep[] (@len bytes). Returns: 0 or -EPROTO. */
static int decode_rep(struct hc_msg *rm, uint32_t len)
{
	/* an error reply to an op the codec does not know is a bare header */
	if (hc_decode(rm, rep, len) &&
	    (hc_decode_hdr(rm, rep, len) || rm->result >= 0 || len != HC_HDR_SIZE))
		return -EPROTO;
	if (!(rm->hflags & HC_HF_REPLY))
		return -EPROTO;
	return 0;
}

/* Sleep until the host signals us, at most @left ms and 50 (rings merge). */
static int wait_kick(struct ring *r, int left)
{
	struct pollfd p = { .fd = r->own_efd, .events = POLLIN };
	uint64_t cnt;

	if (poll(&p, 1, left > 50 ? 50 : left) == 1 &&
	    read(r->own_efd, &cnt, sizeof(cnt)) < 0)
		return -errno;
	return 0;
}

/* Acquire: what the host stored before GONE (a DONE, a LATE) is seen after. */
static int host_gone(struct ring *r)
{
	struct hc_ring_hdr *h = (struct hc_ring_hdr *)r->mem;

	return le32toh(__atomic_load_n(&h->host_state, __ATOMIC_ACQUIRE)) ==
	       HC_RING_HOST_GONE;
}

/* Whether slot @i says ACCEPTED for the request we put in it last. */
static int accepted(struct ring *r, uint32_t i)
{
	return state(r, i) == HC_SLOT_ACCEPTED &&
	       le32toh(desc(r, i)->rep_seq) == r->seq[i];
}

/* Copy DONE slot @i's reply out, free the slot, decode the copy. */
static int take_done(struct ring *r, uint32_t i, struct hc_msg *rm)
{
	uint32_t len = le32toh(desc(r, i)->rep_len);

	if (le32toh(desc(r, i)->rep_seq) != r->seq[i] || len > r->slot_size)
		return -EPROTO;
	memcpy(rep, data(r, i), len);
	desc(r, i)->state = htole32(HC_SLOT_FREE);
	return decode_rep(rm, len);
}

/*
 * Wait up to @ms for slot @i to be DONE and decode its reply into @rm: the
 * version 1 path, for a test that needs the reply in the request's slot.
 * Returns: 0, -ETIMEDOUT, -EINPROGRESS if the request went ACCEPTED
 * instead (its reply comes late), or -EPROTO for a reply that is not a
 * reply to the slot's request.
 */
static int wait_done(struct ring *r, uint32_t i, struct hc_msg *rm, int ms)
{
	double end = now_ms() + ms;
	int err;

	while (state(r, i) != HC_SLOT_DONE) {
		int left = end - now_ms();

		if (accepted(r, i))
			return -EINPROGRESS;
		if (left <= 0)
			return -ETIMEDOUT;
		err = wait_kick(r, left);
		if (err)
			return err;
	}
	return take_done(r, i, rm);
}

/*
 * Wait up to @ms for slot @i's request to go ACCEPTED; the slot is ours
 * again then, and left FREE. A request answered DONE instead has its
 * result in *@res (if not NULL).
 * Returns: 0, -EALREADY (answered DONE), -ETIMEDOUT or -EPROTO.
 */
static int wait_accepted(struct ring *r, uint32_t i, int ms, long *res)
{
	double end = now_ms() + ms;
	struct hc_msg rm;
	int err;

	while (!accepted(r, i)) {
		int left = end - now_ms();

		if (state(r, i) == HC_SLOT_DONE) {
			err = take_done(r, i, &rm);
			if (res)
				*res = err ? err - 1000 : rm.result;
			return err ? err : -EALREADY;
		}
		if (left <= 0)
			return -ETIMEDOUT;
		err = wait_kick(r, left);
		if (err)
			return err;
	}
	__atomic_store_n(&desc(r, i)->state, htole32(HC_SLOT_FREE), __ATOMIC_RELEASE);
	return 0;
}

/* Offer slot @i, empty, for a late reply: it is the host's until LATE. */
static void offer_recv(struct ring *r, uint32_t i)
{
	r->recv[i] = 1;
	__atomic_store_n(&desc(r, i)->state, htole32(HC_SLOT_RECV), __ATOMIC_RELEASE);
	ring_doorbell(r);
}

/*
 * Copy the late reply out of LATE slot @i into @l (a buffer of its own)
 * and free the slot. Each shared field is read once; rep_len is checked
 * against the slot before anything is copied.
 * Returns: 0, -EPROTO (rep_len over the slot: the reply is lost), -ENOMEM.
 */
static int take_late(struct ring *r, uint32_t i, struct late *l)
{
	struct hc_ring_slot *d = desc(r, i);
	int err = 0;

	l->subject = le32toh(__atomic_load_n(&d->subject, __ATOMIC_RELAXED));
	l->tag = le32toh(__atomic_load_n(&d->rep_tag, __ATOMIC_RELAXED));
	l->len = le32toh(__atomic_load_n(&d->rep_len, __ATOMIC_RELAXED));
	l->buf = NULL;
	if (l->len > r->slot_size)
		err = -EPROTO;
	else if (!(l->buf = malloc(l->len ? l->len : 1)))
		err = -ENOMEM;
	else
		memcpy(l->buf, data(r, i), l->len);
	r->recv[i] = 0;
	__atomic_store_n(&d->state, htole32(HC_SLOT_FREE), __ATOMIC_RELEASE);
	return err;
}

/* Decode late reply @l (and free its copy): a reply of its subject and tag. */
static int late_decode(struct late *l, struct hc_msg *rm)
{
	int err;

	memcpy(rep, l->buf, l->len);
	free(l->buf);
	l->buf = NULL;
	err = decode_rep(rm, l->len);
	if (!err && (rm->tag != l->tag || rm->subject != l->subject))
		err = -EPROTO;
	return err;
}

static void stash_put(struct late *l)
{
	if (nstash == STASH_MAX) {
		printf("# stash full: a late reply of subject %u tag %u dropped\n",
		       l->subject, l->tag);
		free(l->buf);
		return;
	}
	stash[nstash++] = *l;
}

/* Take the late reply of (@subject, @tag) out of the stash. Returns: 1 if there. */
static int stash_take(uint32_t subject, uint32_t tag, struct late *l)
{
	unsigned int k;

	for (k = 0; k < nstash; k++) {
		if (stash[k].subject != subject || stash[k].tag != tag)
			continue;
		*l = stash[k];
		stash[k] = stash[--nstash];
		return 1;
	}
	return 0;
}

/* Move what came LATE in the slots we offered into the stash. */
static void late_collect(struct ring *r)
{
	struct late l;
	uint32_t i;

	for (i = 0; i < r->nslots; i++)
		if (r->recv[i] && state(r, i) == HC_SLOT_LATE && !take_late(r, i, &l))
			stash_put(&l);
}

/*
 * Wait up to @ms for the late reply of (@subject, @tag) and decode it into
 * @rm. Slot @i is offered for it, and every slot we offered is watched: a
 * late reply lands in any of them. Other requests' late replies that come
 * meanwhile are stashed for their own waits. GONE ends the wait at once:
 * no late reply comes after it.
 * Returns: 0, -ETIMEDOUT (slot @i stays offered: it is the host's now),
 * -EIO (the host is GONE), or -EPROTO.
 */
static int wait_late(struct ring *r, uint32_t i, uint32_t subject, uint32_t tag,
		     struct hc_msg *rm, int ms)
{
	double end = now_ms() + ms;
	struct late l;
	int err, gone;

	for (;;) {
		int left = end - now_ms();

		gone = host_gone(r);
		late_collect(r);
		if (stash_take(subject, tag, &l))
			return late_decode(&l, rm);
		if (gone)
			return -EIO;
		if (!r->recv[i])
			offer_recv(r, i);
		if (left <= 0)
			return -ETIMEDOUT;
		err = wait_kick(r, left);
		if (err)
			return err;
	}
}

/*
 * Follow slot @i's request to its reply as a version 2 guest does: DONE in
 * its slot, or ACCEPTED (the slot is ours again) and then late, with slot
 * @i offered for it.
 * Returns: 0 answered DONE, 1 answered late, or -errno as wait_done() and
 * wait_late(); -EIO once the host is GONE.
 */
static int wait_reply(struct ring *r, uint32_t i, struct hc_msg *rm, int ms)
{
	double end = now_ms() + ms;
	int err, gone, left;

	for (;;) {
		left = end - now_ms();
		gone = host_gone(r);
		if (state(r, i) == HC_SLOT_DONE)
			return take_done(r, i, rm);
		if (accepted(r, i))
			break;
		if (gone)
			return -EIO;
		if (left <= 0)
			return -ETIMEDOUT;
		err = wait_kick(r, left);
		if (err)
			return err;
	}
	__atomic_store_n(&desc(r, i)->state, htole32(HC_SLOT_FREE), __ATOMIC_RELEASE);
	left = end - now_ms();
	err = wait_late(r, i, r->subj[i], r->tag[i], rm, left > 0 ? left : 0);
	return err ? err : 1;
}

/* One call on slot 0. Returns: the hostcall's result, or a transport -errno - 1000. */
static long call(struct ring *r, uint32_t subject, struct hc_msg *m, struct hc_msg *rm)
{
	uint16_t op = m->op;
	int err = submit(r, 0, subject, m);

	if (!err)
		err = wait_reply(r, 0, rm, 5000);
	if (err < 0)
		return err - 1000;
	if (rm->op != op || rm->tag != m->tag)
		return -1999;
	return rm->result;
}

/* HELLO announcing @caps: HC_CAPS for an in-flight subject, 0 for one without. */
static long hello_caps(struct ring *r, uint32_t subject, uint64_t caps)
{
	struct hc_msg m = { .op = HC_OP_HELLO,
			    .req.hello = { .version = HC_PROTO_VERSION,
					   .caps = caps } }, rm;

	return call(r, subject, &m, &rm);
}

static long hello(struct ring *r, uint32_t subject)
{
	return hello_caps(r, subject, HC_CAPS);
}

static long getcwd_of(struct ring *r, uint32_t subject, char *out, size_t cap)
{
	struct hc_msg m = { .op = HC_OP_GETCWD }, rm;
	long res = call(r, subject, &m, &rm);

	if (res >= 0)
		snprintf(out, cap, "%s", rm.rep.getcwd.path);
	return res;
}

/* An op whose fields are dirfd, path, flags and mode, as far as it has them. */
static long simple(struct ring *r, uint32_t subject, uint16_t op, int32_t fd,
		   const char *path, uint32_t flags, uint32_t mode)
{
	struct hc_msg m = { .op = op }, rm;

	switch (op) {
	case HC_OP_OPENAT:
		m.req.openat = (struct hc_req_openat){ .dirfd = fd, .path = path,
						       .flags = flags, .mode = mode };
		break;
	case HC_OP_CHDIR:
		m.req.chdir = (struct hc_req_chdir){ .dirfd = fd, .path = path,
						     .flags = flags };
		break;
	case HC_OP_CLOSE:
		m.req.close.fd = fd;
		break;
	default:
		return -1998;
	}
	return call(r, subject, &m, &rm);
}

static long bye(struct ring *r, uint32_t subject)
{
	struct hc_msg m = { .op = HC_OP_BYE }, rm;

	return call(r, subject, &m, &rm);
}

static long cancel(struct ring *r, uint32_t subject, uint32_t tag)
{
	struct hc_msg m = { .op = HC_OP_CANCEL, .req.cancel.tag = tag }, rm;

	return call(r, subject, &m, &rm);
}

/*
 * A FIFO of the test's own in the exported tree, so that no open left
 * over from another test meets it. Mode 0666: the shadows may run as
 * nobody.
 */
static int make_fifo(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", rootdir, name);
	unlink(path);
	if (mkfifo(path, 0666) < 0 || chmod(path, 0666) < 0)
		return -errno;
	return 0;
}

/* Submit an open of FIFO @name (@flags) for @subject in slot @i. Returns: its tag. */
static uint32_t submit_open(struct ring *r, uint32_t i, uint32_t subject,
			    const char *name, uint32_t flags)
{
	struct hc_msg m = { .op = HC_OP_OPENAT,
			    .req.openat = { .dirfd = HC_AT_FDCWD, .path = name,
					    .flags = flags } };

	submit(r, i, subject, &m);
	return m.tag;
}

/* Wait up to @ms for slot @i to be LATE. Returns: 1 if it is. */
static int wait_state_late(struct ring *r, uint32_t i, int ms)
{
	double end = now_ms() + ms;

	while (state(r, i) != HC_SLOT_LATE) {
		int left = end - now_ms();

		if (left <= 0 || wait_kick(r, left))
			return 0;
	}
	return 1;
}

/*
 * Take back every slot we still offer: a RECV slot rewritten with REQ is
 * a request again (hc_ring.h), here a GETCWD of @subject, answered DONE;
 * what came LATE meanwhile is stashed. Tests that leave RECV slots offered
 * call it, so that the next test's late replies land where it looks.
 * Returns: how many slots did not come back.
 */
static int recv_reclaim(struct ring *r, uint32_t subject)
{
	struct hc_msg m, rm;
	int bad = 0;
	uint32_t i;

	late_collect(r);
	for (i = 0; i < r->nslots; i++) {
		if (!r->recv[i])
			continue;
		m = (struct hc_msg){ .op = HC_OP_GETCWD };
		submit(r, i, subject, &m);
		bad += wait_done(r, i, &rm, 2000) != 0 || rm.tag != m.tag;
	}
	return bad;
}

/* Shadows still alive: the relay's children (forked subjects are reparented). */
static int shadows(void)
{
	char path[64], buf[4096], *p, *save;
	int fd, n, count = 0;
	ssize_t got;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)hostd_pid,
		 (int)hostd_pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got < 0)
		return -1;
	buf[got] = 0;
	/* every child but the relay, a process of its own when hostcalld is root */
	for (p = strtok_r(buf, " \n", &save); p; p = strtok_r(NULL, " \n", &save)) {
		char comm[32] = "";

		snprintf(path, sizeof(path), "/proc/%s/comm", p);
		fd = open(path, O_RDONLY);
		n = fd >= 0 ? read(fd, comm, sizeof(comm) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n > 0)
			comm[n] = 0;
		count += strcmp(comm, "hostcalld-relay\n") != 0;
	}
	return count;
}

/*
 * The process that serves the ring: hostcalld's relay child (hostcalld-relay)
 * when hostcalld runs as root, else hostcalld itself.
 */
static pid_t relay_pid(void)
{
	char path[64], buf[4096], comm[32], *p, *save;
	int fd, n;
	ssize_t got;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)hostd_pid,
		 (int)hostd_pid);
	fd = open(path, O_RDONLY);
	got = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (got <= 0)
		return hostd_pid;
	buf[got] = 0;
	for (p = strtok_r(buf, " \n", &save); p; p = strtok_r(NULL, " \n", &save)) {
		snprintf(path, sizeof(path), "/proc/%s/comm", p);
		fd = open(path, O_RDONLY);
		n = fd >= 0 ? read(fd, comm, sizeof(comm) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n > 0 && (comm[n] = 0, !strcmp(comm, "hostcalld-relay\n")))
			return atoi(p);
	}
	return hostd_pid;
}

/* Wait up to @ms for the shadow count to become @want. */
static int shadows_become(int want, int ms)
{
	double end = now_ms() + ms;
	int n;

	while ((n = shadows()) != want && now_ms() < end)
		sleep_ms(10);
	return n;
}

/* ---- the cases ---- */

static void t_layout(struct ring *r)
{
	struct hc_ring_hdr *h = (struct hc_ring_hdr *)r->mem;

	result(le32toh(h->version) == HC_RING_VERSION && r->nslots == 63 &&
	       le32toh(h->host_state) == HC_RING_HOST_READY &&
	       le32toh(h->guest_peer) == r->own_id,
	       "the ring header: version, 63 slots, host ready, our peer id",
	       "version %u nslots %u state %u peer %u/%lld", le32toh(h->version),
	       r->nslots, le32toh(h->host_state), le32toh(h->guest_peer),
	       (long long)r->own_id);
}

/* The host's heartbeat moves while it serves (hc_ring.h, "Liveness"). */
static void t_beat(struct ring *r)
{
	struct hc_ring_hdr *h = (struct hc_ring_hdr *)r->mem;
	uint32_t b0 = le32toh(__atomic_load_n(&h->host_beat, __ATOMIC_RELAXED)), b1;

	sleep_ms(HC_RING_BEAT_MS * 2 + 100);
	b1 = le32toh(__atomic_load_n(&h->host_beat, __ATOMIC_RELAXED));
	result(b1 - b0 >= 2 && b1 - b0 <= 3, "host_beat moves every HC_RING_BEAT_MS",
	       "%u -> %u in %u ms", b0, b1, HC_RING_BEAT_MS * 2 + 100);
}

static uint32_t t_hello(struct ring *r)
{
	struct hc_msg m = { .op = HC_OP_HELLO,
			    .req.hello = { .version = HC_PROTO_VERSION,
					   .caps = HC_CAPS } }, rm;
	long id = call(r, 0, &m, &rm);
	const struct hc_rep_hello *h = &rm.rep.hello;

	result(id > 0 && id <= max_subjects && h->version == HC_PROTO_VERSION &&
	       h->msg_max == HC_MSG_MAX && !(h->caps & ~HC_CAPS),
	       "HELLO for subject 0 creates a subject",
	       "result %ld version %u msg_max %u fds_max %u caps %#llx", id,
	       h->version, h->msg_max, h->fds_max, (unsigned long long)h->caps);
	return id > 0 ? id : 0;
}

static void t_files(struct ring *r, uint32_t id)
{
	struct hc_msg m, rm;
	char buf[256], want[256];
	long h, n;
	int fd;

	snprintf(buf, sizeof(buf), "%s/hello.txt", rootdir);
	fd = open(buf, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, want, sizeof(want) - 1);
	if (fd >= 0)
		close(fd);
	want[n > 0 ? n : 0] = 0;

	n = getcwd_of(r, id, buf, sizeof(buf));
	result(n == 1 && !strcmp(buf, "/"), "GETCWD under --root is \"/\"",
	       "%ld \"%s\"", n, buf);

	/* no KEEP_HANDLES flag was asked for: the relay sets it */
	h = simple(r, id, HC_OP_OPENAT, HC_AT_FDCWD, "hello.txt", HC_O_RDONLY, 0);
	m = (struct hc_msg){ .op = HC_OP_READ,
			     .req.read = { .fd = h, .off = -1, .count = 200 } };
	n = h >= 0 && h != HC_HANDLE_NONE ? call(r, id, &m, &rm) : -1;
	result(n > 0 && rm.rep.read.data.len == n && (size_t)n == strlen(want) &&
	       !memcmp(rm.rep.read.data.ptr, want, n),
	       "OPENAT gives a handle for a plain file and READ reads the host file",
	       "openat %ld read %ld", h, n);

	m = (struct hc_msg){ .op = HC_OP_FSTATAT,
			     .req.fstatat = { .dirfd = h, .path = "",
					      .flags = HC_AT_EMPTY_PATH } };
	n = call(r, id, &m, &rm);
	result(n == 0 && rm.rep.fstatat.st.size == strlen(want),
	       "FSTATAT on the handle", "%ld size %llu", n,
	       (unsigned long long)rm.rep.fstatat.st.size);

	m = (struct hc_msg){ .op = HC_OP_CLOSE, .req.close.fd = h };
	n = call(r, id, &m, &rm);
	m = (struct hc_msg){ .op = HC_OP_READ,
			     .req.read = { .fd = h, .off = 0, .count = 10 } };
	result(n == 0 && call(r, id, &m, &rm) == -EBADF,
	       "CLOSE releases the handle; READ on it is EBADF", "close %ld", n);

	h = simple(r, id, HC_OP_OPENAT, HC_AT_FDCWD, "sub/from-client.txt",
		   HC_O_WRONLY | HC_O_CREAT | HC_O_TRUNC, 0644);
	m = (struct hc_msg){ .op = HC_OP_WRITE,
			     .req.write = { .fd = h, .off = -1,
					    .data = { "written over the ring\n", 22 } } };
	n = h >= 0 ? call(r, id, &m, &rm) : -1;
	simple(r, id, HC_OP_CLOSE, h, NULL, 0, 0);
	snprintf(buf, sizeof(buf), "%s/sub/from-client.txt", rootdir);
	fd = open(buf, O_RDONLY);
	buf[0] = 0;
	if (fd >= 0) {
		ssize_t got = read(fd, buf, sizeof(buf) - 1);

		buf[got > 0 ? got : 0] = 0;
		close(fd);
	}
	result(n == 22 && !strcmp(buf, "written over the ring\n"),
	       "WRITE to a new file lands on the host", "write %ld, file \"%s\"", n, buf);

	n = simple(r, id, HC_OP_OPENAT, HC_AT_FDCWD, "../../../etc/passwd", 0, 0);
	if (n >= 0) {
		m = (struct hc_msg){ .op = HC_OP_FSTATAT,
				     .req.fstatat = { .dirfd = n, .path = "",
						      .flags = HC_AT_EMPTY_PATH } };
		call(r, id, &m, &rm);
	}
	result(n == -ENOENT, "\"..\" stays inside --root", "openat %ld", n);
}

static void t_fork(struct ring *r, uint32_t id)
{
	struct hc_msg m = { .op = HC_OP_FORK_SUBJECT }, rm;
	char cwd[256], cwd2[256];
	long child, n;

	n = simple(r, id, HC_OP_CHDIR, HC_AT_FDCWD, "sub", 0, 0);
	child = call(r, id, &m, &rm);
	result(n == 0 && child > 0 && child != id && !(rm.hflags & HC_HF_NFDS_MASK),
	       "FORK_SUBJECT gives a new subject id and no fd",
	       "chdir %ld fork %ld hflags %#x", n, child, rm.hflags);
	if (child <= 0)
		return;
	n = getcwd_of(r, child, cwd, sizeof(cwd));
	result(n > 0 && !strcmp(cwd, "/sub"), "the forked subject inherits the cwd",
	       "%ld \"%s\"", n, cwd);
	simple(r, child, HC_OP_CHDIR, HC_AT_FDCWD, "/", 0, 0);
	getcwd_of(r, child, cwd2, sizeof(cwd2));
	n = getcwd_of(r, id, cwd, sizeof(cwd));
	result(!strcmp(cwd2, "/") && !strcmp(cwd, "/sub"),
	       "the subjects are separate afterwards", "child \"%s\" parent \"%s\"",
	       cwd2, cwd);
	simple(r, id, HC_OP_CHDIR, HC_AT_FDCWD, "/", 0, 0);
	m = (struct hc_msg){ .op = HC_OP_BYE };
	n = call(r, child, &m, &rm);
	result(n == 0, "BYE ends the forked subject", "%ld", n);
}

static void t_subjects(struct ring *r, uint32_t id)
{
	struct hc_msg m = { .op = HC_OP_GETCWD }, rm;
	long a, b, c, d, n, base;
	double t0;

	a = call(r, 4242, &m, &rm);
	b = call(r, 0, &m, &rm);
	c = call(r, max_subjects + 1, &m, &rm);
	d = call(r, id % max_subjects + 1, &m, &rm);	/* never given out */
	result(a == -ESRCH && b == -ESRCH && c == -ESRCH && d == -ESRCH,
	       "a subject id the guest was not given gets ESRCH",
	       "%ld %ld %ld %ld", a, b, c, d);

	/* BYE: the shadow goes, its id is refused afterwards */
	base = shadows_become(1, 2000);	/* only @id's */
	n = hello(r, 0);
	a = shadows_become(base + 1, 2000);
	m = (struct hc_msg){ .op = HC_OP_BYE };
	b = n > 0 ? call(r, n, &m, &rm) : -1;
	c = shadows_become(base, 2000);
	m = (struct hc_msg){ .op = HC_OP_GETCWD };
	d = n > 0 ? call(r, n, &m, &rm) : -1;
	result(n > 0 && a == base + 1 && b == 0 && c == base && d == -ESRCH,
	       "BYE: reply 0, the shadow exits, the id is refused",
	       "hello %ld shadows %ld->%ld->%ld bye %ld then %ld", n, base, a, c, b, d);

	/* the subject limit, and ids freed by BYE are given out again */
	t0 = now_ms();
	for (a = 0; a < 200; a++) {
		n = hello(r, 0);
		if (n < 0)
			break;
		m = (struct hc_msg){ .op = HC_OP_BYE };
		if (call(r, n, &m, &rm))
			break;
		/* the id is free once the relay reaped the shadow */
		shadows_become(base, 2000);
	}
	result(a == 200, "200 subjects one after another (BYE frees each)",
	       "stopped after %ld: %ld", a, n);
	printf("# 200 HELLO+BYE in %.0f ms\n", now_ms() - t0);

	for (a = 0; a < max_subjects + 1; a++) {
		n = hello(r, 0);
		if (n < 0)
			break;
	}
	result(n == -EAGAIN && a == max_subjects - base,
	       "HELLO over --max-subjects gets EAGAIN", "%ld after %ld", n, a);
}

/* Requests in flight in many slots for many subjects at once. */
static void t_parallel(struct ring *r, uint32_t id)
{
	struct hc_msg m, rm;
	uint32_t sub[8], tags[32], i;
	int bad = 0, err;
	char want[16];

	for (i = 0; i < 8; i++) {
		long n = hello(r, 0);

		sub[i] = n > 0 ? n : 0;
		if (n > 0)
			simple(r, n, HC_OP_CHDIR, HC_AT_FDCWD, i % 2 ? "sub" : "/", 0, 0);
	}
	(void)id;
	for (i = 0; i < 32; i++) {
		m = (struct hc_msg){ .op = HC_OP_GETCWD };
		submit(r, 1 + i, sub[i % 8], &m);
		tags[i] = m.tag;
	}
	for (i = 0; i < 32; i++) {
		err = wait_done(r, 1 + i, &rm, 5000);
		snprintf(want, sizeof(want), "%s", i % 2 ? "/sub" : "/");
		if (err || rm.tag != tags[i] || rm.result < 0 ||
		    strcmp(rm.rep.getcwd.path, want))
			bad++;
	}
	result(!bad, "32 requests of 8 subjects in flight in 32 slots",
	       "%d wrong", bad);
	for (i = 0; i < 8; i++)
		if (sub[i]) {
			m = (struct hc_msg){ .op = HC_OP_BYE };
			call(r, sub[i], &m, &rm);
		}
}

/*
 * A subject whose HELLO had caps 0 is served as in version 1: a shadow
 * blocked in a FIFO open holds its slot BUSY and stalls that subject only,
 * and the slot stays the relay's until answered, whatever the guest
 * writes into it.
 */
static void t_fifo(struct ring *r, uint32_t id)
{
	struct hc_msg m, rm;
	char cwd[64];
	long a = hello_caps(r, 0, 0), n, w, bye_res;
	uint32_t t, st;
	double t0;
	int err;

	t = submit_open(r, 5, a, "fifo", HC_O_RDONLY);
	sleep_ms(100);
	t0 = now_ms();
	n = getcwd_of(r, id, cwd, sizeof(cwd));
	st = state(r, 5);
	result(a > 0 && n > 0 && now_ms() - t0 < 1000 && st == HC_SLOT_BUSY,
	       "caps 0: a subject blocked in a FIFO open (its slot BUSY) does not "
	       "stall the others", "hello %ld getcwd %ld after %.0f ms, fifo slot "
	       "state %u", a, n, now_ms() - t0, st);

	/* the guest rewrites the slot the relay holds: ignored */
	m = (struct hc_msg){ .op = HC_OP_GETCWD };
	submit(r, 5, id, &m);
	r->seq[5]--;	/* the answer will be to the first request */
	sleep_ms(50);

	/* the writer is an in-flight subject: its open may come late */
	w = simple(r, id, HC_OP_OPENAT, HC_AT_FDCWD, "fifo", HC_O_WRONLY, 0);
	err = wait_done(r, 5, &rm, 3000);
	result(w >= 0 && !err && rm.op == HC_OP_OPENAT && rm.tag == t &&
	       rm.subject == a && rm.result >= 0,
	       "caps 0: the FIFO open completes once a writer comes; a REQ "
	       "rewritten meanwhile is ignored", "writer %ld wait %d op %u tag "
	       "%u/%u result %lld", w, err, rm.op, rm.tag, t, (long long)rm.result);
	simple(r, id, HC_OP_CLOSE, w, NULL, 0, 0);
	bye(r, a);

	/*
	 * BYE while the shadow blocks: the relay stops it. A FIFO of its own:
	 * a writer left over by a failed case above would let the open succeed.
	 */
	make_fifo("fifo-bye");
	a = hello_caps(r, 0, 0);
	submit_open(r, 5, a, "fifo-bye", HC_O_RDONLY);
	sleep_ms(100);
	m = (struct hc_msg){ .op = HC_OP_BYE };
	submit(r, 6, a, &m);
	err = wait_done(r, 6, &rm, 3000);
	bye_res = err ? err - 1000 : rm.result;
	n = wait_done(r, 5, &rm, 3000);
	/*
	 * BYE is 0 even when the relay sends it queued after the stopped
	 * shadow has exited: the subject has ended either way.
	 */
	result(a > 0 && !err && !bye_res && !n && rm.op == HC_OP_OPENAT && rm.result < 0,
	       "caps 0: BYE while the shadow blocks in a FIFO open ends it (BYE 0); the "
	       "open's slot gets DONE with an error", "hello %ld bye %ld, open wait "
	       "%ld result %lld", a, bye_res, n, (long long)rm.result);

	/*
	 * In flight the shadow does not block: BYE is served at once, and the
	 * relay answers the accepted open, late, as the subject closes.
	 */
	a = hello(r, 0);
	t = submit_open(r, 5, a, "fifo-bye", HC_O_RDONLY);
	n = wait_accepted(r, 5, 1000, NULL);
	m = (struct hc_msg){ .op = HC_OP_BYE };
	submit(r, 6, a, &m);
	err = wait_done(r, 6, &rm, 3000);
	bye_res = err ? err - 1000 : rm.result;
	err = wait_late(r, 5, a, t, &rm, 3000);
	result(a > 0 && !n && bye_res == 0 && !err && rm.op == HC_OP_OPENAT &&
	       rm.result == -EIO,
	       "in flight: BYE while a FIFO open is accepted ends the subject; the "
	       "open gets a late EIO", "hello %ld accepted %ld bye %ld, late wait %d "
	       "op %u result %lld", a, n, bye_res, err, rm.op, (long long)rm.result);
	recv_reclaim(r, id);	/* a wait that timed out left its slot offered */
}

/*
 * In flight: a FIFO open goes ACCEPTED and its slot serves the next
 * request at once; once a writer comes, the late reply waits in the relay
 * until the guest offers a RECV slot, then comes LATE with its subject and
 * tag in the descriptor.
 */
static void t_accepted(struct ring *r, uint32_t id)
{
	struct hc_msg m, rm;
	struct hc_ring_slot *d = desc(r, 8);
	long a = hello(r, 0), w = hello_caps(r, 0, 0), n = 0, wh, h = -1;
	uint32_t t, i, nlate = 0, dsub = 0, dtag = 0;
	struct late l;
	double t0, ms;
	int err, got;

	make_fifo("fifo-a");
	t0 = now_ms();
	t = submit_open(r, 7, a, "fifo-a", HC_O_RDONLY);
	err = wait_accepted(r, 7, 1000, &n);
	ms = now_ms() - t0;
	result(a > 0 && !err, "in flight: a FIFO open goes ACCEPTED within 1 s",
	       "hello %ld, wait %d (done: %ld) after %.0f ms", a, err, n, ms);

	m = (struct hc_msg){ .op = HC_OP_GETCWD };
	submit(r, 7, a, &m);
	err = wait_done(r, 7, &rm, 2000);
	result(!err && rm.tag == m.tag && rm.result > 0 &&
	       !strcmp(rm.rep.getcwd.path, "/"),
	       "the accepted slot is reused at once: a GETCWD of the subject is "
	       "answered DONE while its open is pending", "wait %d tag %u/%u result %lld",
	       err, rm.tag, m.tag, (long long)rm.result);

	wh = simple(r, w, HC_OP_OPENAT, HC_AT_FDCWD, "fifo-a", HC_O_WRONLY, 0);
	sleep_ms(200);
	for (i = 0; i < r->nslots; i++)
		nlate += state(r, i) == HC_SLOT_LATE;
	result(w > 0 && wh >= 0 && !nlate,
	       "a writer came: no late reply appears while no RECV slot is offered "
	       "(200 ms)", "hello %ld writer %ld, %u LATE slots", w, wh, nlate);

	t0 = now_ms();
	offer_recv(r, 8);
	got = wait_state_late(r, 8, 1000);
	ms = now_ms() - t0;
	if (got) {
		dsub = le32toh(d->subject);
		dtag = le32toh(d->rep_tag);
	}
	err = !got ? -ETIMEDOUT : take_late(r, 8, &l);
	if (!err)
		err = late_decode(&l, &rm);
	if (!err && rm.op == HC_OP_OPENAT)
		h = rm.result;
	result(got && dsub == a && dtag == t && !err && rm.op == HC_OP_OPENAT &&
	       rm.result >= 0,
	       "one RECV slot offered: the open comes LATE in it, with its subject, "
	       "rep_tag and an OPENAT reply >= 0", "LATE %d after %.0f ms, subject %u/%ld "
	       "rep_tag %u/%u, decode %d op %u result %lld", got, ms, dsub, a, dtag, t,
	       err, rm.op, (long long)rm.result);
	if (h >= 0)
		simple(r, a, HC_OP_CLOSE, h, NULL, 0, 0);
	if (wh >= 0)
		simple(r, w, HC_OP_CLOSE, wh, NULL, 0, 0);
	bye(r, a);
	bye(r, w);
	recv_reclaim(r, id);
}

#define MANY_SUBJ	3
#define MANY_OPENS	30	/* per subject: under HOSTD_INFLIGHT_MAX (32) */
#define MANY_RECV	4

/*
 * More requests accepted than the ring has slots: 3 subjects x 30 FIFO
 * opens, each submitted into a slot that just went ACCEPTED; one writer
 * completes them all, and the 90 late replies come through 4 RECV slots
 * offered again and again (the relay queues the rest).
 */
static void t_many_accepted(struct ring *r, uint32_t id)
{
	static uint32_t tags[MANY_SUBJ][MANY_OPENS];
	static long res[MANY_SUBJ][MANY_OPENS];
	static int got[MANY_SUBJ][MANY_OPENS];
	long s[MANY_SUBJ], w, wh = -1, n;
	int bad_acc = 0, bad = 0, dup = 0, unknown = 0, neg = 0, answered = 0;
	int closed = 0, want = MANY_SUBJ * MANY_OPENS, err, j, k;
	struct hc_msg rm;
	uint32_t i;
	double end, t0;

	make_fifo("fifo-b");
	for (j = 0; j < MANY_SUBJ; j++)
		s[j] = hello(r, 0);
	w = hello_caps(r, 0, 0);
	memset(got, 0, sizeof(got));
	for (k = 0; k < MANY_OPENS; k++) {
		for (j = 0; j < MANY_SUBJ; j++)
			tags[j][k] = submit_open(r, 10 + j, s[j], "fifo-b", HC_O_RDONLY);
		for (j = 0; j < MANY_SUBJ; j++) {
			err = wait_accepted(r, 10 + j, 2000, &n);
			if (err && !bad_acc++)
				printf("# subject %ld open %d: wait %d (done: %ld)\n",
				       s[j], k, err, n);
		}
	}
	result(s[0] > 0 && s[1] > 0 && s[2] > 0 && !bad_acc,
	       "in flight: 3 subjects x 30 FIFO opens (90 > 63 slots), each ACCEPTED "
	       "in a slot reused at once", "%d not accepted", bad_acc);

	wh = simple(r, w, HC_OP_OPENAT, HC_AT_FDCWD, "fifo-b", HC_O_WRONLY, 0);
	t0 = now_ms();
	for (i = 0; i < MANY_RECV; i++)
		offer_recv(r, 20 + i);
	end = now_ms() + 10000;
	while (answered + bad + dup + unknown < want && now_ms() < end) {
		for (i = 20; i < 20 + MANY_RECV; i++) {
			struct late l;

			if (state(r, i) != HC_SLOT_LATE)
				continue;
			err = take_late(r, i, &l);
			if (!err)
				err = late_decode(&l, &rm);
			for (j = 0; !err && j < MANY_SUBJ && s[j] != l.subject; j++)
				;
			for (k = 0; !err && j < MANY_SUBJ && k < MANY_OPENS &&
			     tags[j][k] != l.tag; k++)
				;
			if (err || rm.op != HC_OP_OPENAT)
				bad++;
			else if (j == MANY_SUBJ || k == MANY_OPENS)
				unknown++;
			else if (got[j][k]++)
				dup++;
			else {
				res[j][k] = rm.result;
				neg += rm.result < 0;
				answered++;
			}
			if (answered + bad + dup + unknown < want)
				offer_recv(r, i);
		}
		wait_kick(r, 50);
	}
	result(wh >= 0 && answered == want && !bad && !dup && !unknown && !neg,
	       "one writer: all 90 late replies come through 4 RECV slots, every tag "
	       "once, all >= 0", "writer %ld: %d answered, %d bad, %d twice, %d unknown, "
	       "%d < 0 in %.0f ms", wh, answered, bad, dup, unknown, neg, now_ms() - t0);

	for (j = 0; j < MANY_SUBJ; j++)
		for (k = 0; k < MANY_OPENS; k++)
			if (got[j][k] && res[j][k] >= 0)
				closed += simple(r, s[j], HC_OP_CLOSE, res[j][k], NULL, 0, 0) == 0;
	n = recv_reclaim(r, id);
	result(closed == answered - neg && !n, "the 90 handles close; the RECV slots "
	       "still offered come back as requests", "%d of %d closed, %ld slots not back",
	       closed, answered - neg, n);
	if (wh >= 0)
		simple(r, w, HC_OP_CLOSE, wh, NULL, 0, 0);
	for (j = 0; j < MANY_SUBJ; j++)
		bye(r, s[j]);
	bye(r, w);
}

/*
 * A request that reuses the tag of an accepted one is refused, and only
 * it: the first stays accepted, as CANCEL shows.
 */
static void t_dup_tag(struct ring *r, uint32_t id)
{
	struct hc_msg m, rm;
	long a = hello(r, 0), dup, c;
	uint32_t t = next_tag(), dtag;
	int acc, still, err;

	make_fifo("fifo-c");
	m = (struct hc_msg){ .op = HC_OP_OPENAT,
			     .req.openat = { .dirfd = HC_AT_FDCWD, .path = "fifo-c",
					     .flags = HC_O_RDONLY } };
	submit_tag(r, 30, a, &m, t);
	acc = wait_accepted(r, 30, 1000, NULL);
	m = (struct hc_msg){ .op = HC_OP_OPENAT,
			     .req.openat = { .dirfd = HC_AT_FDCWD, .path = "fifo-c",
					     .flags = HC_O_RDONLY } };
	submit_tag(r, 31, a, &m, t);
	err = wait_done(r, 31, &rm, 2000);
	dup = err ? err - 1000 : rm.result;
	dtag = rm.tag;
	/* the first is unaffected: no reply of its tag yet, then cancelled */
	still = wait_late(r, 30, a, t, &rm, 300);
	c = cancel(r, a, t);
	err = wait_late(r, 30, a, t, &rm, 2000);
	result(a > 0 && !acc && dup == -EINVAL && dtag == t && still == -ETIMEDOUT &&
	       c == 0 && !err && rm.op == HC_OP_OPENAT && rm.result == -EINTR,
	       "in flight: a request reusing an accepted one's tag gets DONE EINVAL; "
	       "the first stays accepted (then cancelled: late EINTR)",
	       "accepted %d, dup %ld tag %u/%u, first before cancel %d, cancel %ld, "
	       "late %d result %lld", acc, dup, dtag, t, still, c, err,
	       (long long)rm.result);
	bye(r, a);
	recv_reclaim(r, id);
}

/* CANCEL of an accepted FIFO open: CANCEL answered 0 DONE, the open late EINTR. */
static void t_cancel(struct ring *r, uint32_t id)
{
	struct hc_msg m, rm;
	long a = hello(r, 0), c, again;
	uint32_t t;
	int acc, err;

	make_fifo("fifo-d");
	t = submit_open(r, 32, a, "fifo-d", HC_O_RDONLY);
	acc = wait_accepted(r, 32, 1000, NULL);
	m = (struct hc_msg){ .op = HC_OP_CANCEL, .req.cancel.tag = t };
	submit(r, 33, a, &m);
	err = wait_done(r, 33, &rm, 2000);	/* in its own slot, not late */
	c = err ? err - 1000 : rm.result;
	err = wait_late(r, 32, a, t, &rm, 2000);
	again = cancel(r, a, t);	/* answered: nothing of that tag in flight */
	result(a > 0 && !acc && c == 0 && !err && rm.op == HC_OP_OPENAT &&
	       rm.tag == t && rm.result == -EINTR && again == -ENOENT,
	       "in flight: CANCEL of an accepted FIFO open is answered 0 DONE, the "
	       "open late EINTR; a second CANCEL ENOENT", "accepted %d cancel %ld, late "
	       "%d op %u result %lld, again %ld", acc, c, err, rm.op,
	       (long long)rm.result, again);
	bye(r, a);
	recv_reclaim(r, id);
}

/*
 * A RECV slot the guest fills with a request is a request again
 * (hc_ring.h): served DONE, and no longer offered, so that the next late
 * reply goes to a slot that still is (the relay fills the lowest first).
 */
static void t_recv_req(struct ring *r, uint32_t id)
{
	struct hc_msg m, rm;
	long a = hello(r, 0), w = hello_caps(r, 0, 0), wh, h = -1;
	uint32_t t, st40;
	struct late l;
	int err, acc, got;

	offer_recv(r, 40);
	sleep_ms(50);		/* the relay has seen the offer */
	m = (struct hc_msg){ .op = HC_OP_GETCWD };
	submit(r, 40, id, &m);
	err = wait_done(r, 40, &rm, 2000);
	result(!err && rm.tag == m.tag && rm.result > 0,
	       "a RECV slot rewritten with REQ is served as a request (DONE)",
	       "wait %d tag %u/%u result %lld", err, rm.tag, m.tag, (long long)rm.result);

	make_fifo("fifo-e");
	t = submit_open(r, 42, a, "fifo-e", HC_O_RDONLY);
	acc = wait_accepted(r, 42, 1000, NULL);
	offer_recv(r, 41);
	wh = simple(r, w, HC_OP_OPENAT, HC_AT_FDCWD, "fifo-e", HC_O_WRONLY, 0);
	got = wait_state_late(r, 41, 2000);
	st40 = state(r, 40);
	err = !got ? -ETIMEDOUT : take_late(r, 41, &l);
	if (!err)
		err = l.subject == a && l.tag == t ? late_decode(&l, &rm) : -EPROTO;
	if (!err && rm.op == HC_OP_OPENAT)
		h = rm.result;
	result(a > 0 && !acc && wh >= 0 && got && st40 == HC_SLOT_FREE && !err &&
	       h >= 0, "... and is no longer offered: the next late reply lands in "
	       "a slot still offered", "accepted %d writer %ld, LATE in 41 %d, slot 40 "
	       "state %u, late %d result %ld", acc, wh, got, st40, err, h);
	if (h >= 0)
		simple(r, a, HC_OP_CLOSE, h, NULL, 0, 0);
	if (wh >= 0)
		simple(r, w, HC_OP_CLOSE, wh, NULL, 0, 0);
	bye(r, a);
	bye(r, w);
	recv_reclaim(r, id);
}

#define HOSTILE_OPENS	10
#define HOSTILE_RECV	2

/*
 * Hostile: a guest that scribbles over the LATE slot it was given, or
 * never reads its LATE slots, costs the relay nothing: it serves on, other
 * subjects and the same one; the queued late replies still come once read.
 */
static void t_hostile_late(struct ring *r, uint32_t id)
{
	static const uint32_t states[] = {
		HC_SLOT_FREE, HC_SLOT_REQ, HC_SLOT_BUSY, HC_SLOT_DONE,
		HC_SLOT_ACCEPTED, HC_SLOT_RECV, HC_SLOT_LATE, 0xdeadbeef,
	};
	struct hc_ring_slot *d = desc(r, 50);
	long a = hello(r, 0), b = hello(r, 0), w = hello_caps(r, 0, 0), wh, wh2, n, nb;
	unsigned int seed = 4242, k, x;
	uint32_t i, tags[HOSTILE_OPENS];
	int acc, got, bad_acc = 0, answered = 0, bad = 0, back;
	char cwd[64];
	struct hc_msg rm;
	double end;

	make_fifo("fifo-f");
	submit_open(r, 50, a, "fifo-f", HC_O_RDONLY);
	acc = wait_accepted(r, 50, 1000, NULL);
	offer_recv(r, 50);
	wh = simple(r, w, HC_OP_OPENAT, HC_AT_FDCWD, "fifo-f", HC_O_WRONLY, 0);
	got = wait_state_late(r, 50, 2000);
	/* the reply is never read: its descriptor and data get random bytes */
	r->recv[50] = 0;
	for (k = 0; k < 200; k++) {
		unsigned char *p = (unsigned char *)d;

		for (x = 0; x < HC_RING_SLOT_DESC_SIZE; x++)
			p[x] = rand_r(&seed);
		for (x = 0; x < 256; x++)
			data(r, 50)[x] = rand_r(&seed);
		__atomic_store_n(&d->state, htole32(states[rand_r(&seed) % 8]),
				 __ATOMIC_RELEASE);
		ring_doorbell(r);
	}
	sleep_ms(100);
	{
		/* the host may hold it offered (a RECV it saw): take it back */
		struct hc_msg m = { .op = HC_OP_GETCWD };

		submit(r, 50, id, &m);
		back = wait_done(r, 50, &rm, 2000) != 0 || rm.tag != m.tag;
	}
	n = getcwd_of(r, id, cwd, sizeof(cwd));
	result(a > 0 && !acc && wh >= 0 && got && kill(hostd_pid, 0) == 0 && n > 0 &&
	       !back, "hostile: the guest scribbles over its LATE slot (200 rounds): "
	       "hostcalld serves on", "accepted %d writer %ld LATE %d, alive %d, getcwd "
	       "%ld, slot back %d", acc, wh, got, kill(hostd_pid, 0) == 0, n, !back);

	/* never read: 2 slots filled LATE, the other 8 replies queued */
	make_fifo("fifo-f2");
	for (k = 0; k < HOSTILE_OPENS; k++) {
		tags[k] = submit_open(r, 51, b, "fifo-f2", HC_O_RDONLY);
		bad_acc += wait_accepted(r, 51, 1000, NULL) != 0;
	}
	for (i = 0; i < HOSTILE_RECV; i++)
		offer_recv(r, 52 + i);
	wh2 = simple(r, w, HC_OP_OPENAT, HC_AT_FDCWD, "fifo-f2", HC_O_WRONLY, 0);
	sleep_ms(200);
	n = getcwd_of(r, id, cwd, sizeof(cwd));
	nb = getcwd_of(r, b, cwd, sizeof(cwd));
	result(!bad_acc && wh2 >= 0 && n > 0 && nb > 0 &&
	       state(r, 52) == HC_SLOT_LATE && state(r, 53) == HC_SLOT_LATE,
	       "hostile: a guest that never reads its LATE slots (10 late replies, "
	       "2 slots): hostcalld serves on, that subject too",
	       "%d not accepted, writer %ld, getcwd %ld and %ld, slots %u %u", bad_acc,
	       wh2, n, nb, state(r, 52), state(r, 53));

	/* read at last: all ten come, the queued ones too */
	end = now_ms() + 5000;
	while (answered + bad < HOSTILE_OPENS && now_ms() < end) {
		for (i = 52; i < 52 + HOSTILE_RECV; i++) {
			struct late l;

			if (state(r, i) != HC_SLOT_LATE)
				continue;
			if (take_late(r, i, &l) || late_decode(&l, &rm) ||
			    l.subject != b || rm.op != HC_OP_OPENAT || rm.result < 0)
				bad++;
			else
				for (k = 0; k < HOSTILE_OPENS; k++)
					if (tags[k] == l.tag) {
						tags[k] = 0;
						answered++;
					}
			if (answered + bad < HOSTILE_OPENS)
				offer_recv(r, i);
		}
		wait_kick(r, 50);
	}
	back = recv_reclaim(r, id);
	result(answered == HOSTILE_OPENS && !bad && !back,
	       "... and once it reads them, all 10 come (8 were queued)",
	       "%d answered, %d bad, %d slots not back", answered, bad, back);
	bye(r, a);
	bye(r, b);
	bye(r, w);
}

/*
 * A RECV slot the guest takes back for a request while a late reply is on
 * its way (the relay stopped meanwhile, so the reply waits in its socket
 * when the REQ is written): the request is served, and the reply waits for
 * another offered slot, never written over the request.
 */
static void t_recv_race(struct ring *r, uint32_t id)
{
	struct hc_msg m, rm;
	char path[512];
	long a = hello(r, 0);
	uint32_t tag;
	int err, fd, acc, late;

	make_fifo("fifo-race");
	tag = submit_open(r, 7, a, "fifo-race", HC_O_RDONLY);
	acc = wait_accepted(r, 7, 1000, NULL);
	offer_recv(r, 8);
	sleep_ms(100);			/* the relay has seen the offer */
	kill(relay_pid(), SIGSTOP);
	snprintf(path, sizeof(path), "%s/fifo-race", rootdir);
	fd = open(path, O_WRONLY | O_NONBLOCK);	/* the shadow's worker completes */
	sleep_ms(200);			/* its reply waits in the relay's socket */
	m = (struct hc_msg){ .op = HC_OP_GETCWD };
	r->recv[8] = 0;
	submit(r, 8, id, &m);		/* the guest takes its RECV slot back */
	kill(relay_pid(), SIGCONT);
	err = wait_done(r, 8, &rm, 2000);
	offer_recv(r, 9);
	late = wait_late(r, 9, a, tag, &rm, 2000);
	result(!acc && fd >= 0 && !err && !late && rm.result >= 0,
	       "a RECV slot taken back for a request while a late reply comes: the request "
	       "is served, the reply lands in the next slot offered",
	       "accepted %d writer %d, request wait %d, late %d result %lld", acc, fd, err,
	       late, (long long)rm.result);
	if (fd >= 0)
		close(fd);
	bye(r, a);
}

/*
 * A guest that never offers a RECV slot: the late replies it is owed, and
 * so the relay's memory, stay bounded (HC_RING_ACCEPTED_MAX counts the
 * queue): past it requests keep their slots. Each round a READ of an
 * empty FIFO goes in flight, 64 KiB written from the host complete it.
 */
#define LATE_ROUNDS	((int)HC_RING_ACCEPTED_MAX + 8)

static long rss_kb(void)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)hostd_pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static void t_late_bound(struct ring *r, uint32_t id)
{
	static char big[65536];
	struct hc_msg m, rm;
	char path[512], cwd[64];
	long a = hello(r, 0), h, before = rss_kb(), after, n;
	int k, t, fd, acc, held = 0, err = 0;

	make_fifo("fifo-bound");
	snprintf(path, sizeof(path), "%s/fifo-bound", rootdir);
	h = simple(r, a, HC_OP_OPENAT, HC_AT_FDCWD, "fifo-bound", HC_O_RDWR, 0);
	fd = open(path, O_WRONLY | O_NONBLOCK);
	memset(big, 'x', sizeof(big));
	for (k = 0; k < LATE_ROUNDS && fd >= 0 && h >= 0 && !err; k++) {
		m = (struct hc_msg){ .op = HC_OP_READ,
				     .req.read = { .fd = h, .off = -1, .count = sizeof(big) } };
		submit(r, 9, a, &m);
		/* the notice comes within a millisecond or two when it comes */
		acc = wait_accepted(r, 9, 200, NULL);
		if (write(fd, big, sizeof(big)) < 0)
			err = errno;
		if (acc) {
			/* not accepted: answered in its slot once the data came */
			acc = wait_done(r, 9, &rm, 2000);
			if (acc != -EINPROGRESS) {
				held++;
				err = acc || rm.result != sizeof(big);
				continue;
			}
			/* accepted after all, only late: go on as for the others */
		}
		for (t = 0; t < 1000; t++) {	/* the read drained the pipe */
			int left = 0;

			if (ioctl(fd, FIONREAD, &left) == 0 && !left)
				break;
			sleep_ms(1);
		}
	}
	sleep_ms(300);
	after = rss_kb();
	n = getcwd_of(r, id, cwd, sizeof(cwd));
	result(!err && held >= LATE_ROUNDS - (int)HC_RING_ACCEPTED_MAX && n > 0 &&
	       after - before < 40 * 1024,
	       "a guest that offers no RECV slot: at most HC_RING_ACCEPTED_MAX late replies "
	       "are queued (relay memory bounded), later requests keep their slots",
	       "handle %ld, %d of %d rounds held, err %d, relay VmRSS %ld -> %ld kB, getcwd %ld",
	       h, held, LATE_ROUNDS, err, before, after, n);
	if (fd >= 0)
		close(fd);
	bye(r, a);
}

/* A refused HELLO for subject 0 leaves no subject (and no shadow) behind. */
static void t_hello_refused(struct ring *r)
{
	struct hc_msg m, rm;
	long base = shadows_become(1, 2000), n = 0, after, ok_id;
	int i;

	for (i = 0; i < 3 * (int)max_subjects; i++) {
		/* version 0 or 2 (older than 3), or a HELLO flag nobody knows */
		m = (struct hc_msg){ .op = HC_OP_HELLO,
				     .req.hello = { .version = i % 3 == 1 ?
							HC_PROTO_VERSION : i % 3,
						    .flags = i % 3 == 1 ? 0x80000000u : 0 } };
		n = call(r, 0, &m, &rm);
		if (n != (i % 3 == 1 ? -EINVAL : -EPROTONOSUPPORT))
			break;
	}
	after = shadows_become(base, 2000);
	ok_id = hello(r, 0);
	result(i == 3 * (int)max_subjects && after == base && ok_id > 0,
	       "refused HELLOs (3 x --max-subjects of them) leave no subject behind",
	       "%d refused, then %ld; shadows %ld -> %ld; a good HELLO %ld", i, n, base,
	       after, ok_id);
	if (ok_id > 0) {
		m = (struct hc_msg){ .op = HC_OP_BYE };
		call(r, ok_id, &m, &rm);
		shadows_become(base, 2000);
	}
}

static int alive(pid_t pid)
{
	char path[64], buf[256], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z';
}

/*
 * kill -9 of hostcalld: its shadows end within 1 s: one idle, one blocked
 * in a FIFO open (caps 0), one whose FIFO open is in flight (a worker
 * thread blocks in it).
 */
static void t_kill9(struct ring *r)
{
	char path[64], buf[4096], *p;
	pid_t pids[16];
	long a = hello(r, 0), b = hello_caps(r, 0, 0), c = hello(r, 0);
	int fd, n = 0, left = 0, i, acc;
	double t0, ms = -1;
	ssize_t got;

	submit_open(r, 3, b, "fifo", HC_O_RDONLY);
	submit_open(r, 4, c, "fifo", HC_O_RDONLY);
	acc = wait_accepted(r, 4, 1000, NULL);
	sleep_ms(200);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)hostd_pid,
		 (int)hostd_pid);
	fd = open(path, O_RDONLY);
	got = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	buf[got > 0 ? got : 0] = 0;
	for (p = buf; *p && n < 16; ) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		pids[n++] = v;
		p = end;
	}
	kill(hostd_pid, SIGKILL);
	t0 = now_ms();
	while (now_ms() - t0 < 3000) {
		for (left = 0, i = 0; i < n; i++)
			left += alive(pids[i]);
		if (!left) {
			ms = now_ms() - t0;
			break;
		}
		sleep_ms(5);
	}
	result(a > 0 && b > 0 && c > 0 && !acc && n >= 3 && !left && ms <= 1000,
	       "kill -9 of hostcalld: the shadows (idle, blocked in a FIFO open, one "
	       "in flight) end within 1 s", "hello %ld %ld %ld accepted %d, %d shadows, "
	       "%d left after %.0f ms", a, b, c, acc, n, left, now_ms() - t0);
	printf("# kill -9: %d shadows gone after %.0f ms\n", n, ms);
}

static void put_u32le(unsigned char *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void t_malformed(struct ring *r, uint32_t id)
{
	struct hc_msg m = { .op = HC_OP_GETCWD }, rm;
	unsigned char raw[64];
	long res[8];
	int n, err, i;

	memset(raw, 0xa5, sizeof(raw));
	submit_raw(r, 0, id, raw, 0);			/* no request */
	err = wait_done(r, 0, &rm, 2000);
	res[0] = err ? err - 1000 : rm.result;
	submit_claim(r, 0, id, raw, sizeof(raw), r->slot_size + 1); /* over the slot */
	err = wait_done(r, 0, &rm, 2000);
	res[1] = err ? err - 1000 : rm.result;
	m.tag = 9;
	m.subject = id;
	n = hc_encode(&m, raw, sizeof(raw));
	put_u32le(raw, n + 4);				/* header says more */
	submit_raw(r, 0, id, raw, n);
	err = wait_done(r, 0, &rm, 2000);
	res[2] = err ? err - 1000 : rm.result;
	put_u32le(raw, n);
	raw[7] |= 0x80;					/* a "reply" */
	submit_raw(r, 0, id, raw, n);
	err = wait_done(r, 0, &rm, 2000);
	res[3] = err ? err - 1000 : rm.result;
	raw[7] &= 0x7f;
	submit_raw(r, 0, id + 1, raw, n);		/* header and slot differ */
	err = wait_done(r, 0, &rm, 2000);
	res[4] = err ? err - 1000 : rm.result;
	for (i = 0; i < 5; i++)
		if (res[i] != -EBADMSG)
			break;
	result(i == 5, "malformed requests get EBADMSG from the relay",
	       "case %d: %ld", i, i < 5 ? res[i] : 0);

	m = (struct hc_msg){ .op = HC_OP_OPENAT,
			     .req.openat = { .dirfd = HC_AT_FDCWD, .path = "x" } };
	m.subject = id;
	m.tag = 10;
	n = hc_encode(&m, raw, sizeof(raw));
	raw[n - 1] = 'y';				/* string without its NUL */
	submit_raw(r, 0, id, raw, n);
	err = wait_done(r, 0, &rm, 2000);
	res[0] = err ? err - 1000 : rm.result;
	m = (struct hc_msg){ .op = HC_OP_GETCWD, .tag = 11, .subject = id };
	n = hc_encode(&m, raw, sizeof(raw));
	raw[4] = 200;					/* an op nobody knows */
	submit_raw(r, 0, id, raw, n);
	err = wait_done(r, 0, &rm, 2000);
	res[1] = err ? err - 1000 : rm.result;
	res[2] = getcwd_of(r, id, (char *)raw, sizeof(raw));
	result(res[0] == -EBADMSG && res[1] == -ENOSYS && res[2] > 0,
	       "a bad body gets EBADMSG, an unknown op ENOSYS, and the subject goes on",
	       "%ld %ld %ld", res[0], res[1], res[2]);
}

/* Random bytes over the whole ring, doorbells without end: hostcalld lives. */
static void t_scribble(struct ring *r, uint32_t id)
{
	unsigned int seed = 12345, i, k;
	unsigned char *p = r->mem + HC_RING_DESC_OFF;
	size_t span = (size_t)r->nslots * HC_RING_SLOT_DESC_SIZE;
	char cwd[64];
	long n;

	for (k = 0; k < 200; k++) {
		for (i = 0; i < span; i++)
			p[i] = rand_r(&seed);
		for (i = 0; i < r->nslots; i++) {
			struct hc_ring_slot *d = desc(r, i);

			if (rand_r(&seed) % 2)
				d->state = htole32(HC_SLOT_REQ);
			if (rand_r(&seed) % 4 == 0)
				d->subject = htole32(id);
			if (rand_r(&seed) % 4 == 0)
				d->req_len = htole32(rand_r(&seed) % 64);
			if (rand_r(&seed) % 8 == 0)
				memset(data(r, i), rand_r(&seed), 64);
		}
		ring_doorbell(r);
	}
	sleep_ms(300);
	for (i = 0; i < r->nslots; i++)
		desc(r, i)->state = htole32(HC_SLOT_FREE);
	n = getcwd_of(r, id, cwd, sizeof(cwd));
	result(kill(hostd_pid, 0) == 0 && n > 0,
	       "200 rounds of random bytes in every slot: hostcalld still serves",
	       "alive %d getcwd %ld", kill(hostd_pid, 0) == 0, n);
}

/* QEMU goes away: the subjects end; a new QEMU gets a clean ring. */
static void t_reconnect(struct ring *r)
{
	long base = shadows(), a, n;
	int err;

	ring_close(r);
	a = shadows_become(0, 3000);
	err = ring_connect(r);
	n = err ? err - 1000 : hello(r, 0);
	result(base > 0 && a == 0 && n > 0,
	       "QEMU disconnects: every shadow goes; a new QEMU is served",
	       "shadows %ld -> %ld, hello %ld", base, a, n);
}

/*
 * SIGTERM: the ring says GONE at once. A call held in its slot (caps 0) is
 * answered EIO there; the guest of an accepted call (in flight), waiting
 * with a RECV slot offered, learns from GONE: no late reply comes.
 */
static void t_sigterm(struct ring *r)
{
	struct hc_ring_hdr *h = (struct hc_ring_hdr *)r->mem;
	long a = hello_caps(r, 0, 0), b = hello(r, 0);
	struct hc_msg rm;
	uint32_t tb;
	int err, acc;
	double t0;

	submit_open(r, 3, a, "fifo", HC_O_RDONLY);
	tb = submit_open(r, 4, b, "fifo", HC_O_RDONLY);
	acc = wait_accepted(r, 4, 1000, NULL);
	offer_recv(r, 4);
	sleep_ms(100);
	kill(hostd_pid, SIGTERM);
	t0 = now_ms();
	err = wait_done(r, 3, &rm, 3000);
	result(a > 0 && !err && rm.result == -EIO &&
	       le32toh(h->host_state) == HC_RING_HOST_GONE,
	       "SIGTERM, caps 0: the call held in its slot gets EIO and the ring says GONE",
	       "hello %ld wait %d result %lld state %u", a, err, (long long)rm.result,
	       le32toh(h->host_state));
	err = wait_late(r, 4, b, tb, &rm, 3000);
	result(b > 0 && !acc && err == -EIO && now_ms() - t0 < 1500,
	       "SIGTERM, in flight: the accepted call's guest learns from GONE",
	       "hello %ld accepted %d, late wait %d after %.0f ms", b, acc, err,
	       now_ms() - t0);
}

int main(int argc, char **argv)
{
	struct ring r;
	uint32_t id;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 5 && (argc != 6 || strcmp(argv[5], "kill9"))) {
		fprintf(stderr, "usage: %s SOCKET HOSTCALLD_PID ROOTDIR MAX_SUBJECTS [kill9]\n",
			argv[0]);
		return 2;
	}
	sockpath = argv[1];
	hostd_pid = atoi(argv[2]);
	rootdir = argv[3];
	max_subjects = atoi(argv[4]);
	err = ring_connect(&r);
	result(!err, "connect as QEMU: version, id, memory, both eventfds",
	       "%s", strerror(-err));
	if (err)
		return 1;
	if (argc == 6) {
		t_kill9(&r);
		return nfail ? 1 : 0;
	}
	t_layout(&r);
	t_beat(&r);
	id = t_hello(&r);
	if (!id)
		return 1;
	t_files(&r, id);
	t_fork(&r, id);
	t_malformed(&r, id);
	t_parallel(&r, id);
	t_fifo(&r, id);
	t_accepted(&r, id);
	t_many_accepted(&r, id);
	t_dup_tag(&r, id);
	t_cancel(&r, id);
	t_recv_req(&r, id);
	t_hostile_late(&r, id);
	t_recv_race(&r, id);
	t_late_bound(&r, id);
	t_hello_refused(&r);
	t_subjects(&r, id);
	t_scribble(&r, id);
	t_reconnect(&r);
	t_sigterm(&r);
	printf("# %d tests, %d failed\n", ntest, nfail);
	return nfail ? 1 : 0;
}
