// SPDX-License-Identifier: GPL-2.0-only
/*
 * TEST-ONLY ivshmem-doorbell server for the VM tests of the transport: it is
 * NOT hostcalld and runs no shadows. It speaks the ivshmem server protocol
 * to one QEMU, creates the shared memory with the ring of proto/hc_ring.h,
 * registers itself as a peer the guest rings, and answers from the ring:
 *   HELLO    version HC_PROTO_VERSION, result = the fixed subject id
 *            (--subject, 4242)
 *   GETCWD   "/hctest-peer"
 *   WAIT     after pid milliseconds (a slow call, for timeouts and kills);
 *            pid -1: the next HELLO gets -EBADMSG, as from a hostcalld of
 *            protocol version 2, which cannot decode version 3's HELLO;
 *            pid -2: the next HELLO succeeds with version 2 in its reply
 *   others   -ENOSYS
 * It follows the host's rules of hc_ring.h (copy first, never trust the
 * guest's lengths), so that the tests exercise the guest module the way
 * hostcalld will.
 *
 * usage: hc_testpeer --socket PATH [--vectors N] [--size BYTES] [--subject ID]
 * Prints "ready" once QEMU may connect; SIGTERM ends it.
 */
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "hc_ring.h"

#define PEER_HOST_ID	0	/* our ivshmem id; the guest gets 1, 2, ... */
#define PEER_VECTORS	1	/* eventfds we register for ourselves */
#define GUEST_VEC_MAX	16

struct pending {
	int active;
	uint64_t due_ms;
	uint32_t seq;
	uint32_t len;		/* encoded reply in buf */
	unsigned char *buf;
};

struct peer {
	unsigned char *mem;
	uint64_t size;
	uint32_t slot_size, nslots;
	uint32_t subject;
	int memfd;
	int host_efd[PEER_VECTORS];
	int guest_efd[GUEST_VEC_MAX];
	int nvec;
	int listen_fd, client_fd;
	uint32_t next_id;
	struct pending *pend;	/* per slot: a reply being held back */
	unsigned char *req;	/* private copy of one request */
	unsigned long served;
	int old_hello;		/* the next HELLO as an old host: WAIT -1, -2 */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One message of the ivshmem server protocol: an int64 and maybe an fd. */
static int send_msg(int sock, int64_t val, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cm;
	int64_t le = (int64_t)htole64((uint64_t)val);
	struct iovec iov = { .iov_base = &le, .iov_len = sizeof(le) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) != (ssize_t)sizeof(le))
		return -errno;
	return 0;
}

static struct hc_ring_slot *desc(struct peer *p, uint32_t i)
{
	return (struct hc_ring_slot *)(p->mem + hc_ring_desc_off(i));
}

static unsigned char *data(struct peer *p, uint32_t i)
{
	return p->mem + hc_ring_data_off(p->slot_size, i);
}

static int ring_init(struct peer *p)
{
	struct hc_ring_hdr *h;

	p->nslots = p->size / p->slot_size - 1;
	if (hc_ring_layout_check(p->size, p->slot_size, p->nslots))
		return -EINVAL;
	p->memfd = memfd_create("hostcall-ring", MFD_CLOEXEC);
	if (p->memfd < 0 || ftruncate(p->memfd, p->size) < 0)
		return -errno;
	p->mem = mmap(NULL, p->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      p->memfd, 0);
	if (p->mem == MAP_FAILED)
		return -errno;
	h = (struct hc_ring_hdr *)p->mem;
	h->magic = htole32(HC_RING_MAGIC);
	h->version = htole32(HC_RING_VERSION);
	h->mem_size = htole64(p->size);
	h->slot_size = htole32(p->slot_size);
	h->nslots = htole32(p->nslots);
	h->desc_off = htole32(HC_RING_DESC_OFF);
	h->host_peer = htole32(PEER_HOST_ID);
	h->host_vector = htole32(0);
	h->guest_vector = htole32(0);
	h->guest_vectors = htole32(p->nvec);
	__atomic_store_n(&h->host_state, htole32(HC_RING_HOST_READY),
			 __ATOMIC_RELEASE);
	p->pend = calloc(p->nslots, sizeof(*p->pend));
	p->req = malloc(p->slot_size);
	return p->pend && p->req ? 0 : -ENOMEM;
}

static void client_drop(struct peer *p)
{
	int v;

	for (v = 0; v < p->nvec; v++) {
		if (p->guest_efd[v] >= 0)
			close(p->guest_efd[v]);
		p->guest_efd[v] = -1;
	}
	if (p->client_fd >= 0)
		close(p->client_fd);
	p->client_fd = -1;
}

/* A new QEMU: protocol version, its id, the memory, our fds, its fds. */
static int client_accept(struct peer *p)
{
	struct hc_ring_hdr *h = (struct hc_ring_hdr *)p->mem;
	uint32_t id;
	int fd, v, err;

	fd = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (p->client_fd >= 0) {
		fprintf(stderr, "hc_testpeer: refusing a second client\n");
		close(fd);
		return 0;
	}
	p->client_fd = fd;
	id = p->next_id++;
	__atomic_store_n(&h->guest_peer, htole32(id), __ATOMIC_RELEASE);
	err = send_msg(fd, 0, -1);
	if (!err)
		err = send_msg(fd, id, -1);
	if (!err)
		err = send_msg(fd, -1, p->memfd);
	for (v = 0; !err && v < PEER_VECTORS; v++)
		err = send_msg(fd, PEER_HOST_ID, p->host_efd[v]);
	for (v = 0; !err && v < p->nvec; v++) {
		p->guest_efd[v] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		err = p->guest_efd[v] < 0 ? -errno :
		      send_msg(fd, id, p->guest_efd[v]);
	}
	if (err) {
		fprintf(stderr, "hc_testpeer: client %u: %s\n", id, strerror(-err));
		client_drop(p);
		return 0;
	}
	printf("client %u connected\n", id);
	fflush(stdout);
	return 0;
}

static void slot_finish(struct peer *p, uint32_t i, const void *rep,
			uint32_t len, uint32_t seq)
{
	struct hc_ring_slot *d = desc(p, i);
	uint64_t one = 1;

	memcpy(data(p, i), rep, len);
	__atomic_store_n(&d->rep_len, htole32(len), __ATOMIC_RELAXED);
	__atomic_store_n(&d->rep_seq, htole32(seq), __ATOMIC_RELAXED);
	__atomic_store_n(&d->state, htole32(HC_SLOT_DONE), __ATOMIC_RELEASE);
	p->served++;
	if (p->guest_efd[0] >= 0 && write(p->guest_efd[0], &one, sizeof(one)) < 0)
		perror("hc_testpeer: signalling the guest");
}

/* Answer one request copied into p->req; returns the reply length. */
static int answer(struct peer *p, uint32_t subject, uint32_t len,
		  unsigned char *out, uint64_t *delay_ms)
{
	struct hc_msg m, r;
	int err;

	err = hc_decode(&m, p->req, len);
	if (err == -EBADMSG && hc_decode_hdr(&m, p->req, len))
		return 0;	/* not even a header: an empty reply */
	memset(&r, 0, sizeof(r));
	r.op = m.op;
	r.hflags = HC_HF_REPLY;
	r.tag = m.tag;
	r.subject = p->subject;
	if (err) {
		r.result = err;
	} else if (m.hflags & HC_HF_REPLY) {
		r.result = -EINVAL;
	} else if (m.op == HC_OP_HELLO && p->old_hello == 1) {
		r.result = -EBADMSG;
		p->old_hello = 0;
	} else if (m.op == HC_OP_HELLO) {
		r.rep.hello.version = p->old_hello ? 2 : HC_PROTO_VERSION;
		r.rep.hello.msg_max = HC_MSG_MAX;
		r.rep.hello.caps = 0;
		r.result = p->subject;
		p->old_hello = 0;
	} else if (subject != p->subject) {
		r.result = -ESRCH;
	} else if (m.op == HC_OP_GETCWD) {
		r.rep.getcwd.path = "/hctest-peer";
	} else if (m.op == HC_OP_WAIT && m.req.wait.pid < 0) {
		p->old_hello = m.req.wait.pid == -1 ? 1 : 2;
	} else if (m.op == HC_OP_WAIT) {
		*delay_ms = m.req.wait.pid;
		r.result = m.req.wait.pid;
	} else {
		r.result = -ENOSYS;
	}
	err = hc_encode(&r, out, p->slot_size);
	if (err < 0) {
		r.result = err;
		err = hc_encode(&r, out, p->slot_size);
	}
	return err < 0 ? 0 : err;
}

static void serve_slots(struct peer *p)
{
	uint32_t i;

	for (i = 0; i < p->nslots; i++) {
		struct hc_ring_slot *d = desc(p, i);
		struct pending *pd = &p->pend[i];
		uint32_t state, len, subject, seq;
		uint64_t delay = 0;
		int rlen;

		if (pd->active)
			continue;	/* ours until answered, whatever it says */
		state = le32toh(__atomic_load_n(&d->state, __ATOMIC_ACQUIRE));
		if (state != HC_SLOT_REQ)
			continue;
		__atomic_store_n(&d->state, htole32(HC_SLOT_BUSY), __ATOMIC_RELAXED);
		/* Each shared field is read once; only the copies are used. */
		len = le32toh(__atomic_load_n(&d->req_len, __ATOMIC_RELAXED));
		subject = le32toh(__atomic_load_n(&d->subject, __ATOMIC_RELAXED));
		seq = le32toh(__atomic_load_n(&d->seq, __ATOMIC_RELAXED));
		if (len < HC_HDR_SIZE || len > p->slot_size)
			len = 0;
		memcpy(p->req, data(p, i), len);
		if (!pd->buf)
			pd->buf = malloc(p->slot_size);
		if (!pd->buf) {
			slot_finish(p, i, "", 0, seq);
			continue;
		}
		rlen = len ? answer(p, subject, len, pd->buf, &delay) : 0;
		if (delay) {
			pd->active = 1;
			pd->due_ms = now_ms() + delay;
			pd->seq = seq;
			pd->len = rlen;
		} else {
			slot_finish(p, i, pd->buf, rlen, seq);
		}
	}
}

/* Send the held-back replies that are due; returns ms to the next one. */
static int serve_pending(struct peer *p)
{
	uint64_t now = now_ms();
	int next = -1;
	uint32_t i;

	for (i = 0; i < p->nslots; i++) {
		struct pending *pd = &p->pend[i];

		if (!pd->active)
			continue;
		if (pd->due_ms <= now) {
			pd->active = 0;
			slot_finish(p, i, pd->buf, pd->len, pd->seq);
		} else if (next < 0 || pd->due_ms - now < (uint64_t)next) {
			next = pd->due_ms - now;
		}
	}
	return next;
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int run(struct peer *p)
{
	while (!stop) {
		struct pollfd pf[3] = {
			{ .fd = p->listen_fd, .events = POLLIN },
			{ .fd = p->host_efd[0], .events = POLLIN },
			{ .fd = p->client_fd, .events = POLLIN },
		};
		int timeout = serve_pending(p);
		uint64_t cnt;
		char junk[64];

		if (poll(pf, p->client_fd >= 0 ? 3 : 2, timeout) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pf[0].revents & POLLIN)
			client_accept(p);
		if (pf[1].revents & POLLIN) {
			if (read(p->host_efd[0], &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
				return -errno;
			serve_slots(p);
		}
		/* QEMU sends nothing after connecting: input means it left. */
		if (p->client_fd >= 0 && pf[2].revents &&
		    read(p->client_fd, junk, sizeof(junk)) <= 0) {
			printf("client disconnected\n");
			fflush(stdout);
			client_drop(p);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "vectors", required_argument, NULL, 'v' },
		{ "size", required_argument, NULL, 'm' },
		{ "subject", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	struct peer p = {
		.size = HC_RING_MEM_SIZE, .slot_size = HC_RING_SLOT_SIZE,
		.subject = 4242, .nvec = 1, .client_fd = -1, .next_id = 1,
	};
	const char *path = NULL;
	int c, v, err;

	while ((c = getopt_long(argc, argv, "s:v:m:u:", opts, NULL)) != -1) {
		switch (c) {
		case 's': path = optarg; break;
		case 'v': p.nvec = atoi(optarg); break;
		case 'm': p.size = strtoull(optarg, NULL, 0); break;
		case 'u': p.subject = strtoul(optarg, NULL, 0); break;
		default: goto usage;
		}
	}
	if (!path || p.nvec < 1 || p.nvec > GUEST_VEC_MAX)
		goto usage;
	for (v = 0; v < GUEST_VEC_MAX; v++)
		p.guest_efd[v] = -1;

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	err = ring_init(&p);
	if (err) {
		fprintf(stderr, "hc_testpeer: shared memory of %llu bytes: %s\n",
			(unsigned long long)p.size, strerror(-err));
		return 1;
	}
	for (v = 0; v < PEER_VECTORS; v++) {
		p.host_efd[v] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (p.host_efd[v] < 0) {
			perror("hc_testpeer: eventfd");
			return 1;
		}
	}
	p.listen_fd = listen_on(path);
	if (p.listen_fd < 0) {
		fprintf(stderr, "hc_testpeer: %s: %s\n", path, strerror(-p.listen_fd));
		return 1;
	}
	printf("ready: %s, %u slots of %u KiB, subject %u\n", path, p.nslots,
	       p.slot_size >> 10, p.subject);
	fflush(stdout);
	err = run(&p);
	unlink(path);
	printf("served %lu requests\n", p.served);
	if (err)
		fprintf(stderr, "hc_testpeer: %s\n", strerror(-err));
	return err ? 1 : 0;

usage:
	fprintf(stderr, "usage: %s --socket PATH [--vectors N] [--size BYTES] [--subject ID]\n",
		argv[0]);
	return 2;
}
