// SPDX-License-Identifier: GPL-2.0-only
/*
 * Requests in flight (HC_CAP_INFLIGHT): an in-flight subject's request that
 * would wait for an event is not served inline, so that the shadow goes on
 * serving the subject's other requests meanwhile, and is answered when the
 * event comes, out of order, by its tag.
 *
 *   - A WAIT is parked: its pidfd (a dup) joins the serve loop's poll; once
 *     readable, the main thread reaps the process and answers.
 *   - A FIFO open, a lock, a flock, a read or write of a stream get a worker
 *     thread that makes only the one blocking system call, on its own dup of
 *     the fd and into its own buffer, then says so on an eventfd; the main
 *     thread then does the rest (the opened-file set, handles, the reply).
 *     Shadow state is the main thread's alone.
 *
 * At most HOSTD_INFLIGHT_MAX of a subject's requests are in flight at once
 * (so at most that many threads); past that, or when a thread cannot be
 * made, a request is served inline as before. CANCEL(tag) drops a parked
 * WAIT and interrupts a worker's call with HOSTD_CANCEL_SIG, whose handler
 * is installed without SA_RESTART: the call returns EINTR, and the request
 * is answered with what the call returned. The signal is sent again every
 * HOSTD_CANCEL_MS until the worker is done, in case it came just before
 * the call began. When the subject ends the process exits, which ends its
 * workers wherever they wait.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <unistd.h>

#include "hostd.h"

#define HOSTD_CANCEL_SIG	SIGUSR1
#define HOSTD_CANCEL_MS		10
/* a worker's stack: it makes one system call (its buffer is on the heap) */
#define HOSTD_WORKER_STACK	(64 * 1024)

struct hostd_flight {
	int used;
	hc_u16 op;
	hc_u32 tag;
	struct hostd_job job;		/* job.fd: our dup; job.data: our copy */
	void *buf;			/* READ's and WRITE's bytes */
	int thread;			/* a worker runs (or ran) for it */
	pthread_t thr;
	atomic_int done;		/* the worker's call returned */
	long res;			/* what it returned: >= 0 or -errno */
	int efd;			/* the shadow's eventfd */
	int cancel;			/* CANCEL came: signal until done */
};

static void cancel_handler(int sig)
{
	(void)sig;
}

int hostd_inflight_hello(struct hostd_shadow *sh)
{
	struct sigaction sa = { .sa_handler = cancel_handler };	/* no SA_RESTART */
	sigset_t set;

	sh->flights = calloc(HOSTD_INFLIGHT_MAX, sizeof(*sh->flights));
	if (!sh->flights)
		return -ENOMEM;
	sh->flight_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (sh->flight_efd < 0) {
		free(sh->flights);
		sh->flights = NULL;
		return -errno;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(HOSTD_CANCEL_SIG, &sa, NULL);
	/* only workers take it */
	sigemptyset(&set);
	sigaddset(&set, HOSTD_CANCEL_SIG);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sh->nflights = 0;
	sh->inflight = 1;
	return 0;
}

static struct hostd_flight *flight_find(struct hostd_shadow *sh, hc_u32 tag)
{
	int i;

	for (i = 0; sh->flights && i < HOSTD_INFLIGHT_MAX; i++)
		if (sh->flights[i].used && sh->flights[i].tag == tag)
			return &sh->flights[i];
	return NULL;
}

int hostd_inflight_busy(struct hostd_shadow *sh, hc_u32 tag)
{
	return flight_find(sh, tag) != NULL;
}

static void flight_free(struct hostd_shadow *sh, struct hostd_flight *f)
{
	if (f->thread)
		pthread_join(f->thr, NULL);
	if (f->job.fd >= 0)
		close(f->job.fd);
	free(f->buf);
	memset(f, 0, sizeof(*f));
	sh->nflights--;
}

static void *flight_worker(void *arg)
{
	struct hostd_flight *f = arg;
	struct hostd_job *j = &f->job;
	const uint64_t one = 1;
	char proc[32];
	long r = -1;

	switch (j->kind) {
	case HOSTD_JOB_OPEN:
		hostd_proc_fd_path(j->fd, proc);
		r = open(proc, j->arg, 0);
		break;
	case HOSTD_JOB_FLOCK:
		r = flock(j->fd, j->arg);
		break;
	case HOSTD_JOB_LOCK:
		r = fcntl(j->fd, j->arg, &j->fl);
		break;
	case HOSTD_JOB_READ:
		r = read(j->fd, f->buf, j->len);
		break;
	case HOSTD_JOB_WRITE:
		r = write(j->fd, f->buf, j->len);
		break;
	default:
		errno = EINVAL;
	}
	f->res = r < 0 ? -errno : r;
	atomic_store(&f->done, 1);
	while (write(f->efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
	return NULL;
}

/* A worker for @f: all signals blocked in it but the cancel signal. */
static int flight_thread(struct hostd_flight *f)
{
	pthread_attr_t attr;
	sigset_t all, old;
	size_t stack = HOSTD_WORKER_STACK;
	int err;

#ifdef PTHREAD_STACK_MIN
	if (stack < (size_t)PTHREAD_STACK_MIN)
		stack = PTHREAD_STACK_MIN;
#endif
	if (pthread_attr_init(&attr))
		return -ENOMEM;
	pthread_attr_setstacksize(&attr, stack);
	sigfillset(&all);
	sigdelset(&all, HOSTD_CANCEL_SIG);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&f->thr, &attr, flight_worker, f);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	return -err;
}

int hostd_inflight_start(struct hostd_shadow *sh, struct hostd_req *rq,
			 const struct hostd_job *job)
{
	struct hostd_flight *f = NULL;
	int i;

	if (!rq->may_park || !sh->flights || sh->nflights >= HOSTD_INFLIGHT_MAX)
		return 0;
	for (i = 0; i < HOSTD_INFLIGHT_MAX && !f; i++)
		if (!sh->flights[i].used)
			f = &sh->flights[i];
	if (!f)
		return 0;
	memset(f, 0, sizeof(*f));
	f->job = *job;
	f->job.data = NULL;
	f->efd = sh->flight_efd;
	f->job.fd = fcntl(job->fd, F_DUPFD_CLOEXEC, 3);
	if (f->job.fd < 0)
		return 0;
	if (job->kind == HOSTD_JOB_READ || job->kind == HOSTD_JOB_WRITE) {
		f->buf = malloc(job->len ? job->len : 1);
		if (!f->buf)
			goto fail;
		if (job->kind == HOSTD_JOB_WRITE)
			memcpy(f->buf, job->data, job->len);
	}
	if (job->kind != HOSTD_JOB_WAIT) {
		if (flight_thread(f))
			goto fail;
		f->thread = 1;
	}
	f->used = 1;
	f->op = rq->m->op;
	f->tag = rq->m->tag;
	sh->nflights++;
	return 1;

fail:
	close(f->job.fd);
	free(f->buf);
	memset(f, 0, sizeof(*f));
	return 0;
}

int hostd_inflight_poll(struct hostd_shadow *sh, struct pollfd *p, int *ms)
{
	int i, n = 0, resend = 0;

	if (!sh->flights || !sh->nflights)
		return 0;
	p[n++] = (struct pollfd){ .fd = sh->flight_efd, .events = POLLIN };
	for (i = 0; i < HOSTD_INFLIGHT_MAX; i++) {
		struct hostd_flight *f = &sh->flights[i];

		if (!f->used)
			continue;
		if (f->job.kind == HOSTD_JOB_WAIT)
			p[n++] = (struct pollfd){ .fd = f->job.fd, .events = POLLIN };
		else if (f->cancel && !atomic_load(&f->done))
			resend = 1;
	}
	if (resend && (*ms < 0 || *ms > HOSTD_CANCEL_MS))
		*ms = HOSTD_CANCEL_MS;
	return n;
}

/* Answer the completed @f and free it. Returns: 0, or -errno (the subject ends). */
static int flight_answer(struct hostd_shadow *sh, struct hostd_flight *f)
{
	struct hc_msg m = { .op = f->op, .tag = f->tag }, rep = { 0 };
	struct hostd_req rq = { .m = &m, .rep = &rep };
	hc_s64 res;
	int err;

	res = f->res;
	switch (f->job.kind) {
	case HOSTD_JOB_WAIT:
		/* cancelled: simply dropped */
		res = f->cancel ? -EINTR : hostd_wait_finish(sh, &rq, f->job.pid);
		break;
	case HOSTD_JOB_OPEN:
		if (res >= 0)
			res = hostd_openat_finish(sh, &rq, (int)res);
		break;
	case HOSTD_JOB_LOCK:
		if (res >= 0) {
			hostd_lock_put(&rq, &f->job.fl);
			res = 0;
		}
		break;
	case HOSTD_JOB_READ:
		if (res >= 0)
			rep.rep.read.data = (struct hc_blob){ f->buf, (hc_u32)res };
		break;
	default:
		break;
	}
	err = hostd_reply_late(sh, &rq, res);
	flight_free(sh, f);
	return err;
}

int hostd_inflight_events(struct hostd_shadow *sh, struct pollfd *p, int n)
{
	uint64_t cnt;
	int i, k, err = 0;

	if (p[0].revents & POLLIN)
		while (read(sh->flight_efd, &cnt, sizeof(cnt)) < 0 && errno == EINTR)
			;
	/* parked WAITs: p[1..] in the order hostd_inflight_poll() put them */
	for (i = 0, k = 1; i < HOSTD_INFLIGHT_MAX && k < n && !err; i++) {
		struct hostd_flight *f = &sh->flights[i];

		if (!f->used || f->job.kind != HOSTD_JOB_WAIT)
			continue;
		if (p[k].fd == f->job.fd && p[k].revents)
			err = flight_answer(sh, f);
		k++;
	}
	for (i = 0; i < HOSTD_INFLIGHT_MAX && !err; i++) {
		struct hostd_flight *f = &sh->flights[i];

		if (!f->used || !f->thread)
			continue;
		if (atomic_load(&f->done))
			err = flight_answer(sh, f);
		else if (f->cancel)
			pthread_kill(f->thr, HOSTD_CANCEL_SIG);
	}
	return err;
}

/* CANCEL: the request tagged @tag, if it is in flight, ends with EINTR. */
hc_s64 hostd_op_cancel(struct hostd_shadow *sh, struct hostd_req *rq)
{
	struct hostd_flight *f;

	if (!sh->inflight)
		return -EOPNOTSUPP;
	f = flight_find(sh, rq->m->req.cancel.tag);
	if (!f)
		return -ENOENT;
	if (f->cancel)
		return 0;
	f->cancel = 1;
	if (f->job.kind == HOSTD_JOB_WAIT) {
		int err = flight_answer(sh, f);

		return err ? err : 0;
	}
	if (!atomic_load(&f->done))
		pthread_kill(f->thr, HOSTD_CANCEL_SIG);
	return 0;
}

void hostd_inflight_forget(struct hostd_shadow *sh)
{
	int i;

	for (i = 0; sh->flights && i < HOSTD_INFLIGHT_MAX; i++) {
		struct hostd_flight *f = &sh->flights[i];

		if (!f->used)
			continue;
		/* a FIFO that the parent's worker opened before the fork is the
		 * parent's to answer with: our copy of it goes */
		if (f->thread && f->job.kind == HOSTD_JOB_OPEN &&
		    atomic_load(&f->done) && f->res >= 0)
			close((int)f->res);
		/* its worker, if any, is the parent's: not joined here */
		f->thread = 0;
		flight_free(sh, f);
	}
	/* the eventfd is shared with the parent shadow: one of our own */
	if (sh->flight_efd >= 0) {
		close(sh->flight_efd);
		sh->flight_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (sh->flight_efd < 0) {
			/* served as a subject without the cap from here on */
			free(sh->flights);
			sh->flights = NULL;
			sh->inflight = 0;
		}
	}
}
