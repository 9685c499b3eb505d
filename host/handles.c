// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a shadow serves fds for: its directory handles, and the set of files
 * (st_dev, st_ino) it opened itself, against which an fd a client attaches
 * (HC_HANDLE_PASSED) is checked. A shadow serves only what it created.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostd.h"

/*
 * A bounded set: a ring of entries in insertion order (the oldest is
 * evicted when full) chained into hash buckets. Links are index + 1, so 0
 * ends a chain and calloc() gives an empty set.
 */
struct hostd_seen_ent {
	hc_u64 dev;
	hc_u64 ino;
	hc_u32 next;
};

struct hostd_seen {
	struct hostd_seen_ent ent[HOSTD_SEEN_MAX];
	hc_u32 bucket[HOSTD_SEEN_MAX];
	hc_u32 head;		/* next entry to write: the oldest once full */
	hc_u32 count;
};

static hc_u32 seen_hash(hc_u64 dev, hc_u64 ino)
{
	hc_u64 h = (dev * 0x9e3779b97f4a7c15ull) ^ ino;

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return h & (HOSTD_SEEN_MAX - 1);
}

static int seen_has(const struct hostd_seen *s, hc_u64 dev, hc_u64 ino)
{
	hc_u32 i;

	for (i = s->bucket[seen_hash(dev, ino)]; i; i = s->ent[i - 1].next)
		if (s->ent[i - 1].dev == dev && s->ent[i - 1].ino == ino)
			return 1;
	return 0;
}

static void seen_evict(struct hostd_seen *s, hc_u32 idx)
{
	struct hostd_seen_ent *e = &s->ent[idx];
	hc_u32 *link = &s->bucket[seen_hash(e->dev, e->ino)];

	while (*link && *link != idx + 1)
		link = &s->ent[*link - 1].next;
	if (*link)
		*link = e->next;
}

int hostd_seen_add(struct hostd_shadow *sh, const struct stat *st)
{
	struct hostd_seen *s = sh->seen;
	hc_u32 idx, b;

	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return -ENOMEM;
		sh->seen = s;
	}
	if (seen_has(s, st->st_dev, st->st_ino))
		return 0;
	idx = s->head;
	if (s->count == HOSTD_SEEN_MAX)
		seen_evict(s, idx);
	else
		s->count++;
	b = seen_hash(st->st_dev, st->st_ino);
	s->ent[idx].dev = st->st_dev;
	s->ent[idx].ino = st->st_ino;
	s->ent[idx].next = s->bucket[b];
	s->bucket[b] = idx + 1;
	s->head = (idx + 1) & (HOSTD_SEEN_MAX - 1);
	return 0;
}

/* An fd the client attached: served only if this shadow opened that file. */
static int passed_fd(struct hostd_shadow *sh, struct hostd_req *rq)
{
	struct stat st;
	int fd;

	if (rq->in_used >= rq->nin)
		return -EBADF;
	fd = rq->in_fds[rq->in_used++];
	if (fstat(fd, &st) < 0 || !sh->seen ||
	    !seen_has(sh->seen, st.st_dev, st.st_ino))
		return -EBADF;
	return fd;
}

int hostd_fd(struct hostd_shadow *sh, struct hostd_req *rq, hc_s32 wfd, int *fdp)
{
	int fd;

	if (wfd == HC_AT_FDCWD) {
		*fdp = AT_FDCWD;
		return 0;
	}
	if (wfd == HC_HANDLE_PASSED) {
		fd = passed_fd(sh, rq);
		if (fd < 0)
			return fd;
		*fdp = fd;
		return 0;
	}
	if (wfd < 0 || (hc_u32)wfd >= sh->cfg->max_handles || sh->handles[wfd] < 0)
		return -EBADF;
	*fdp = sh->handles[wfd];
	return 0;
}

int hostd_fd_file(struct hostd_shadow *sh, struct hostd_req *rq, hc_s32 wfd)
{
	int fd, err;

	if (wfd == HC_AT_FDCWD)
		return -EBADF;
	err = hostd_fd(sh, rq, wfd, &fd);
	return err ? err : fd;
}

int hostd_handle_add(struct hostd_shadow *sh, int fd)
{
	unsigned int h;
	int dup;

	for (h = 0; h < sh->cfg->max_handles; h++)
		if (sh->handles[h] < 0)
			break;
	if (h == sh->cfg->max_handles)
		return -EMFILE;
	dup = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (dup < 0)
		return -errno;
	sh->handles[h] = dup;
	return h;
}

int hostd_handle_close(struct hostd_shadow *sh, hc_s32 h)
{
	if (h < 0 || (hc_u32)h >= sh->cfg->max_handles || sh->handles[h] < 0)
		return -EBADF;
	close(sh->handles[h]);
	sh->handles[h] = -1;
	return 0;
}
