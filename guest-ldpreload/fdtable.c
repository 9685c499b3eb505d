// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host fd table: which of this process's fds were opened on the host,
 * and the shadow's handle for each, so that *at() calls relative to them and
 * the identity-checking fd calls can be routed through the shadow.
 *
 * The rule. An fd is a host fd when hc_openat() returned it, or it is a dup
 * of one made by dup, dup2, dup3 or fcntl(F_DUPFD*), and it has not been
 * closed through close, fclose, closedir, close_range or closefrom since.
 * Each entry keeps the (st_dev, st_ino) the fd had when recorded, and every
 * use checks them with fstat(): an fd number that was closed and reused
 * behind the table's back (glibc-internal closes are not interposable)
 * shows a different file, and the entry is dropped. The shadow keeps a
 * handle only for directories; when the last fd that refers to a handle is
 * closed, the handle is released with HC_OP_CLOSE.
 *
 * Limits. The table lives in the process's memory, so it does not survive
 * exec: host fds inherited across exec work as plain fds (read, write,
 * getdents, fstat), but *at() calls relative to them and fchmod/fchown/...
 * on them run natively, with the client's identity. Handles of an fd closed
 * behind the table's back are released only when the fd number is seen
 * again (or when the subject ends). An fd closed behind our back whose
 * number is then reused for the same file, opened natively, still counts as
 * a host fd. Descriptors received from another process over a socket are not
 * host fds.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hc_internal.h"

struct hc_fdent {
	int used;
	int handle;		/* the shadow's handle, or HC_HANDLE_NONE */
	unsigned int gen;	/* subject generation that made the handle */
	dev_t dev;
	ino_t ino;
};

/* Handles released per pass of hc_fdt_forget(). */
#define HC_FDT_BATCH	32

static pthread_mutex_t hc_fdt_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hc_fdent *hc_fdt;
static unsigned int hc_fdt_cap;
int hc_fdt_used;
static __thread int hc_fdt_busy;

/*
 * Take the lock, unless this thread holds it already: close() is
 * async-signal-safe, and a handler that closes an fd must not deadlock on
 * the table code it interrupted. It skips the table instead; the entry it
 * leaves behind fails its next (dev, ino) check.
 */
static int hc_fdt_enter(void)
{
	if (hc_fdt_busy)
		return -1;
	hc_fdt_busy = 1;
	pthread_mutex_lock(&hc_fdt_lock);
	return 0;
}

static void hc_fdt_leave(void)
{
	pthread_mutex_unlock(&hc_fdt_lock);
	hc_fdt_busy = 0;
}

static void hc_fdt_used_add(int n)
{
	__atomic_add_fetch(&hc_fdt_used, n, __ATOMIC_RELAXED);
}

/* Make room for @fd; called with the lock held. Returns 0 or -ENOMEM. */
static int hc_fdt_grow(unsigned int fd)
{
	unsigned int cap = hc_fdt_cap ? hc_fdt_cap : 64;
	struct hc_fdent *t;

	if (fd < hc_fdt_cap)
		return 0;
	while (cap <= fd)
		cap *= 2;
	t = realloc(hc_fdt, cap * sizeof(*t));
	if (!t)
		return -ENOMEM;
	memset(t + hc_fdt_cap, 0, (cap - hc_fdt_cap) * sizeof(*t));
	hc_fdt = t;
	hc_fdt_cap = cap;
	return 0;
}

/* Whether an entry still in the table refers to @h; lock held. */
static int hc_fdt_handle_held(int h, unsigned int gen)
{
	unsigned int i;

	for (i = 0; i < hc_fdt_cap; i++)
		if (hc_fdt[i].used && hc_fdt[i].handle == h && hc_fdt[i].gen == gen)
			return 1;
	return 0;
}

/*
 * Drop the entries of fds @lo..@hi, or just @lo when @only is set and still
 * matches it, and release the handles nobody refers to any more.
 */
static void hc_fdt_drop(unsigned int lo, unsigned int hi,
			const struct hc_fdent *only)
{
	int rel[HC_FDT_BATCH];
	unsigned int gen = hc_client_gen();
	int nrel, i, j;

	while (lo <= hi) {
		nrel = 0;
		if (hc_fdt_enter())
			return;
		if (hi >= hc_fdt_cap)
			hi = hc_fdt_cap ? hc_fdt_cap - 1 : 0;
		for (; lo <= hi && lo < hc_fdt_cap && nrel < HC_FDT_BATCH; lo++) {
			struct hc_fdent *e = &hc_fdt[lo];

			if (!e->used)
				continue;
			if (only && (e->dev != only->dev || e->ino != only->ino ||
				     e->handle != only->handle))
				continue;
			e->used = 0;
			hc_fdt_used_add(-1);
			if (e->handle != HC_HANDLE_NONE && e->gen == gen)
				rel[nrel++] = e->handle;
		}
		for (i = 0; i < nrel; i++) {
			for (j = 0; j < i && rel[j] != rel[i]; j++)
				;
			if (j < i || hc_fdt_handle_held(rel[i], gen))
				rel[i] = HC_HANDLE_NONE;
		}
		hc_fdt_leave();
		for (i = 0; i < nrel; i++)
			if (rel[i] != HC_HANDLE_NONE)
				hc_client_release(rel[i], gen);
		if (lo >= hc_fdt_cap)
			break;
	}
}

void hc_fdt_forget(unsigned int lo, unsigned int hi)
{
	if (hc_fdt_empty() || lo > hi)
		return;
	hc_fdt_drop(lo, hi, NULL);
}

/* Store @e at @fd, replacing what was there; the caller released that. */
static void hc_fdt_put(int fd, const struct hc_fdent *e)
{
	if (hc_fdt_enter())
		return;
	if (hc_fdt_grow(fd) == 0) {
		if (!hc_fdt[fd].used)
			hc_fdt_used_add(1);
		hc_fdt[fd] = *e;
		hc_fdt[fd].used = 1;
	} else {
		hc_debug("hostcall: out of memory: fd %d is not known as a host fd", fd);
	}
	hc_fdt_leave();
}

void hc_fdt_add(int fd, int handle)
{
	struct hc_fdent e = { .handle = handle, .gen = hc_client_gen() };
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return;
	e.dev = st.st_dev;
	e.ino = st.st_ino;
	hc_fdt_forget(fd, fd);
	hc_fdt_put(fd, &e);
}

/* Copy out the entry of @fd; 1 if there is one. */
static int hc_fdt_peek(int fd, struct hc_fdent *e)
{
	int found = 0;

	if (fd < 0 || hc_fdt_empty() || hc_fdt_enter())
		return 0;
	if ((unsigned int)fd < hc_fdt_cap && hc_fdt[fd].used) {
		*e = hc_fdt[fd];
		found = 1;
	}
	hc_fdt_leave();
	return found;
}

int hc_fdt_get(int fd, int *handle)
{
	struct hc_fdent e;
	struct stat st;

	if (!hc_fdt_peek(fd, &e))
		return 0;
	if (fstat(fd, &st) < 0 || st.st_dev != e.dev || st.st_ino != e.ino) {
		hc_fdt_drop(fd, fd, &e);
		return 0;
	}
	*handle = e.gen == hc_client_gen() ? e.handle : HC_FDT_STALE;
	return 1;
}

void hc_fdt_dup(int oldfd, int newfd)
{
	struct hc_fdent e;
	int found;

	if (hc_fdt_empty() || oldfd == newfd || newfd < 0)
		return;
	found = hc_fdt_peek(oldfd, &e);
	hc_fdt_forget(newfd, newfd);
	if (found)
		hc_fdt_put(newfd, &e);
}

HC_EXPORT int hc_is_host_fd(int fd)
{
	int h;

	return hc_fdt_get(fd, &h) && h != HC_FDT_STALE;
}
