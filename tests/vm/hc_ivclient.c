// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host-only test of `hostcalld --ivshmem`: this program plays QEMU (the
 * ivshmem server protocol) and the guest (the ring of hc_ring.h) at once,
 * so the relay, its subjects and its defences against a hostile guest can
 * be tested without a VM, including what the guest module never does.
 * Run by tests/vm/ivshmem-host.sh, which sets up the --root tree.
 *
 * usage: hc_ivclient SOCKET HOSTCALLD_PID ROOTDIR MAX_SUBJECTS [kill9]
 * With kill9 it only makes an idle subject and one blocked in a FIFO open,
 * kills hostcalld with SIGKILL and measures how long their shadows live on.
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
};

static const char *sockpath, *rootdir;
static pid_t hostd_pid;
static unsigned int max_subjects;
static int ntest, nfail;
static unsigned char req[HC_MSG_MAX], rep[HC_MSG_MAX];

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
	__atomic_store_n(&d->state, htole32(HC_SLOT_REQ), __ATOMIC_RELEASE);
	ring_doorbell(r);
}

static void submit_raw(struct ring *r, uint32_t i, uint32_t subject,
		       const void *msg, uint32_t len)
{
	submit_claim(r, i, subject, msg, len, len);
}

static int submit(struct ring *r, uint32_t i, uint32_t subject, struct hc_msg *m)
{
	static uint32_t tag;
	int len;

	m->tag = ++tag;
	m->subject = subject;
	len = hc_encode(m, req, sizeof(req));
	if (len < 0)
		return len;
	submit_raw(r, i, subject, req, len);
	return 0;
}

/*
 * Wait up to @ms for slot @i to be DONE and decode its reply into @rm.
 * Returns: 0, -ETIMEDOUT, or -EPROTO for a reply that is not a reply to
 * the slot's request.
 */
static int wait_done(struct ring *r, uint32_t i, struct hc_msg *rm, int ms)
{
	double end = now_ms() + ms;
	uint32_t len;
	uint64_t cnt;

	while (state(r, i) != HC_SLOT_DONE) {
		struct pollfd p = { .fd = r->own_efd, .events = POLLIN };
		int left = end - now_ms();

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, left > 50 ? 50 : left) == 1 &&
		    read(r->own_efd, &cnt, sizeof(cnt)) < 0)
			return -errno;
	}
	len = le32toh(desc(r, i)->rep_len);
	if (le32toh(desc(r, i)->rep_seq) != r->seq[i] || len > r->slot_size)
		return -EPROTO;
	memcpy(rep, data(r, i), len);
	desc(r, i)->state = htole32(HC_SLOT_FREE);
	/* an error reply to an op the codec does not know is a bare header */
	if (hc_decode(rm, rep, len) &&
	    (hc_decode_hdr(rm, rep, len) || rm->result >= 0 || len != HC_HDR_SIZE))
		return -EPROTO;
	if (!(rm->hflags & HC_HF_REPLY))
		return -EPROTO;
	return 0;
}

/* One call on slot 0. Returns: the hostcall's result, or a transport -errno - 1000. */
static long call(struct ring *r, uint32_t subject, struct hc_msg *m, struct hc_msg *rm)
{
	uint16_t op = m->op;
	int err = submit(r, 0, subject, m);

	if (!err)
		err = wait_done(r, 0, rm, 5000);
	if (err)
		return err - 1000;
	if (rm->op != op || rm->tag != m->tag)
		return -1999;
	return rm->result;
}

static long hello(struct ring *r, uint32_t subject)
{
	struct hc_msg m = { .op = HC_OP_HELLO,
			    .req.hello = { .version = HC_PROTO_VERSION,
					   .caps = HC_CAPS } }, rm;

	return call(r, subject, &m, &rm);
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

/* Shadows still alive: the relay's children (forked subjects are reparented). */
static int shadows(void)
{
	char path[64], buf[4096];
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
	for (n = 0; buf[n]; n++)
		count += buf[n] == ' ';
	return count;
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

/* A shadow blocked in a FIFO open stalls its subject only. */
static void t_fifo(struct ring *r, uint32_t id)
{
	struct hc_msg m, rm;
	char cwd[64];
	long a = hello(r, 0), n, w;
	double t0;
	int err;

	m = (struct hc_msg){ .op = HC_OP_OPENAT,
			     .req.openat = { .dirfd = HC_AT_FDCWD, .path = "fifo",
					     .flags = HC_O_RDONLY } };
	submit(r, 5, a, &m);
	sleep_ms(100);
	t0 = now_ms();
	n = getcwd_of(r, id, cwd, sizeof(cwd));
	result(n > 0 && now_ms() - t0 < 1000 && state(r, 5) != HC_SLOT_DONE,
	       "a subject blocked in a FIFO open does not stall the others",
	       "getcwd %ld after %.0f ms, fifo slot state %u", n, now_ms() - t0,
	       state(r, 5));

	/* the guest rewrites the slot the relay holds: ignored */
	m = (struct hc_msg){ .op = HC_OP_GETCWD };
	submit(r, 5, id, &m);
	r->seq[5]--;	/* the answer will be to the first request */
	sleep_ms(50);

	w = simple(r, id, HC_OP_OPENAT, HC_AT_FDCWD, "fifo", HC_O_WRONLY, 0);
	err = wait_done(r, 5, &rm, 3000);
	result(w >= 0 && !err && rm.op == HC_OP_OPENAT && rm.result >= 0,
	       "the FIFO open completes once a writer comes; a REQ rewritten "
	       "meanwhile is ignored", "writer %ld wait %d op %u result %lld",
	       w, err, rm.op, (long long)rm.result);
	simple(r, id, HC_OP_CLOSE, w, NULL, 0, 0);
	m = (struct hc_msg){ .op = HC_OP_BYE };
	call(r, a, &m, &rm);

	/* BYE while the shadow blocks: the relay stops it */
	a = hello(r, 0);
	m = (struct hc_msg){ .op = HC_OP_OPENAT,
			     .req.openat = { .dirfd = HC_AT_FDCWD, .path = "fifo",
					     .flags = HC_O_RDONLY } };
	submit(r, 5, a, &m);
	sleep_ms(100);
	m = (struct hc_msg){ .op = HC_OP_BYE };
	submit(r, 6, a, &m);
	err = wait_done(r, 6, &rm, 3000);
	n = wait_done(r, 5, &rm, 3000);
	result(!err && !n && rm.result < 0,
	       "BYE while the shadow blocks in a FIFO open ends it",
	       "bye wait %d, open wait %ld result %lld", err, n, (long long)rm.result);
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

/* kill -9 of hostcalld: its shadows (one idle, one in a FIFO open) end within 1 s. */
static void t_kill9(struct ring *r)
{
	struct hc_msg m = { .op = HC_OP_OPENAT,
			    .req.openat = { .dirfd = HC_AT_FDCWD, .path = "fifo",
					    .flags = HC_O_RDONLY } };
	char path[64], buf[4096], *p;
	pid_t pids[16];
	long a = hello(r, 0), b = hello(r, 0);
	int fd, n = 0, left = 0, i;
	double t0, ms = -1;
	ssize_t got;

	submit(r, 3, b, &m);
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
	result(a > 0 && b > 0 && n >= 2 && !left && ms <= 1000,
	       "kill -9 of hostcalld: the shadows (idle, in a FIFO open) end within 1 s",
	       "hello %ld %ld, %d shadows, %d left after %.0f ms", a, b, n, left,
	       now_ms() - t0);
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

/* SIGTERM: a call in flight is answered EIO, the ring says GONE, no shadow stays. */
static void t_sigterm(struct ring *r)
{
	struct hc_ring_hdr *h = (struct hc_ring_hdr *)r->mem;
	struct hc_msg m = { .op = HC_OP_OPENAT,
			    .req.openat = { .dirfd = HC_AT_FDCWD, .path = "fifo",
					    .flags = HC_O_RDONLY } }, rm;
	long a = hello(r, 0);
	int err;

	submit(r, 3, a, &m);
	sleep_ms(100);
	kill(hostd_pid, SIGTERM);
	err = wait_done(r, 3, &rm, 3000);
	result(!err && rm.result == -EIO &&
	       le32toh(h->host_state) == HC_RING_HOST_GONE,
	       "SIGTERM: the call in flight gets EIO and the ring says GONE",
	       "wait %d result %lld state %u", err, (long long)rm.result,
	       le32toh(h->host_state));
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
	t_hello_refused(&r);
	t_subjects(&r, id);
	t_scribble(&r, id);
	t_reconnect(&r);
	t_sigterm(&r);
	printf("# %d tests, %d failed\n", ntest, nfail);
	return nfail ? 1 : 0;
}
