// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a shadow serves fds for: its directory handles, and the set of files
 * it opened itself, against which an fd a client attaches (HC_HANDLE_PASSED)
 * is checked. A shadow serves only what it created, or what is on the
 * export's detached mount (which only fds of this hostcalld's shadows reach).
 *
 * The set must not be fooled by a key the host reuses: an inode number is
 * reused as soon as the file is gone, and the shadow never sees a client
 * close, dup or pass on an fd. So a file is remembered by its file handle
 * and mount id (name_to_handle_at: the handle carries a generation, and the
 * mount is the export's), or, on a file system without handles, by
 * (st_dev, st_ino) *and* an O_PATH fd the shadow holds, since an inode with
 * an open reference cannot be freed and its number not reused. Both kinds
 * are bounded sets evicted least recently used first; an fd whose entry was
 * evicted is refused (EBADF), never trusted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostd.h"

/* The largest handle kept as a key; a larger one makes an fd entry. */
#define SEEN_HANDLE_MAX		64
#define SEEN_KEY_MAX		(8 + SEEN_HANDLE_MAX)

/* Links are index + 1, so 0 ends a list and calloc() gives an empty set. */
struct seen_ent {
	hc_u32 hnext;			/* hash chain */
	hc_u32 prev, next;		/* LRU list: head is the newest */
	int fd;				/* held O_PATH fd, or -1 */
	unsigned char klen;
	unsigned char key[SEEN_KEY_MAX];
};

struct seen_set {
	struct seen_ent *ent;
	hc_u32 *bucket;
	hc_u32 cap;			/* a power of two */
	hc_u32 used;			/* entries ever filled, <= cap */
	hc_u32 head, tail;
};

struct hostd_seen {
	struct seen_set by_handle;	/* HOSTD_SEEN_MAX entries */
	struct seen_set by_fd;		/* HOSTD_SEEN_FDS entries */
};

static hc_u32 seen_hash(const unsigned char *k, unsigned int n, hc_u32 cap)
{
	hc_u64 h = 0xcbf29ce484222325ull;	/* FNV-1a */
	unsigned int i;

	for (i = 0; i < n; i++)
		h = (h ^ k[i]) * 0x100000001b3ull;
	h ^= h >> 29;
	return h & (cap - 1);
}

static int seen_set_init(struct seen_set *s, hc_u32 cap)
{
	s->ent = calloc(cap, sizeof(*s->ent));
	s->bucket = calloc(cap, sizeof(*s->bucket));
	s->cap = cap;
	return s->ent && s->bucket ? 0 : -ENOMEM;
}

static void lru_unlink(struct seen_set *s, hc_u32 i)
{
	struct seen_ent *e = &s->ent[i - 1];

	if (e->prev)
		s->ent[e->prev - 1].next = e->next;
	else
		s->head = e->next;
	if (e->next)
		s->ent[e->next - 1].prev = e->prev;
	else
		s->tail = e->prev;
	e->prev = e->next = 0;
}

static void lru_push(struct seen_set *s, hc_u32 i)
{
	struct seen_ent *e = &s->ent[i - 1];

	e->prev = 0;
	e->next = s->head;
	if (s->head)
		s->ent[s->head - 1].prev = i;
	s->head = i;
	if (!s->tail)
		s->tail = i;
}

/* The entry for the key, made the most recently used; 0 if none. */
static hc_u32 seen_find(struct seen_set *s, const unsigned char *k, unsigned int n)
{
	hc_u32 i;

	if (!s->cap)
		return 0;
	for (i = s->bucket[seen_hash(k, n, s->cap)]; i; i = s->ent[i - 1].hnext) {
		struct seen_ent *e = &s->ent[i - 1];

		if (e->klen == n && !memcmp(e->key, k, n)) {
			lru_unlink(s, i);
			lru_push(s, i);
			return i;
		}
	}
	return 0;
}

static void seen_unhash(struct seen_set *s, hc_u32 i)
{
	struct seen_ent *e = &s->ent[i - 1];
	hc_u32 *link = &s->bucket[seen_hash(e->key, e->klen, s->cap)];

	while (*link && *link != i)
		link = &s->ent[*link - 1].hnext;
	if (*link)
		*link = e->hnext;
}

/* Add a key not in @s (taking @fd, or -1), evicting the oldest when full. */
static void seen_insert(struct seen_set *s, const unsigned char *k,
			unsigned int n, int fd)
{
	struct seen_ent *e;
	hc_u32 i, b;

	if (s->used < s->cap) {
		i = ++s->used;
	} else {
		i = s->tail;
		lru_unlink(s, i);
		seen_unhash(s, i);
		if (s->ent[i - 1].fd >= 0)
			close(s->ent[i - 1].fd);
	}
	e = &s->ent[i - 1];
	memcpy(e->key, k, n);
	e->klen = n;
	e->fd = fd;
	b = seen_hash(k, n, s->cap);
	e->hnext = s->bucket[b];
	s->bucket[b] = i;
	lru_push(s, i);
}

/*
 * The key of the file @fd is: mount id and handle (returns 1), or, where the
 * file system has no handles for it, (st_dev, st_ino) (returns 0).
 */
static int seen_key(int fd, unsigned char *k, unsigned int *n)
{
	union {
		struct file_handle fh;
		unsigned char buf[sizeof(struct file_handle) + SEEN_HANDLE_MAX];
	} u;
	struct stat st;
	int mnt;

	u.fh.handle_bytes = SEEN_HANDLE_MAX;
	if (name_to_handle_at(fd, "", &u.fh, &mnt, AT_EMPTY_PATH) == 0) {
		memcpy(k, &mnt, 4);
		memcpy(k + 4, &u.fh.handle_type, 4);
		memcpy(k + 8, u.fh.f_handle, u.fh.handle_bytes);
		*n = 8 + u.fh.handle_bytes;
		return 1;
	}
	if (fstat(fd, &st) < 0)
		return -errno;
	memcpy(k, &st.st_dev, 8);
	memcpy(k + 8, &st.st_ino, 8);
	*n = 16;
	return 0;
}

int hostd_seen_add(struct hostd_shadow *sh, int fd)
{
	struct hostd_seen *s = sh->seen;
	unsigned char k[SEEN_KEY_MAX];
	char proc[32];
	unsigned int n;
	int r, held;

	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return -ENOMEM;
		if (seen_set_init(&s->by_handle, HOSTD_SEEN_MAX) ||
		    seen_set_init(&s->by_fd, HOSTD_SEEN_FDS)) {
			free(s->by_handle.ent);
			free(s->by_handle.bucket);
			free(s->by_fd.ent);
			free(s->by_fd.bucket);
			free(s);
			return -ENOMEM;
		}
		sh->seen = s;
	}
	r = seen_key(fd, k, &n);
	if (r < 0)
		return r;
	if (r) {
		if (!seen_find(&s->by_handle, k, n))
			seen_insert(&s->by_handle, k, n, -1);
		return 0;
	}
	if (seen_find(&s->by_fd, k, n))
		return 0;
	/* a new open file of its own: holding the client's would keep its locks */
	hostd_proc_fd_path(fd, proc);
	held = open(proc, O_PATH | O_CLOEXEC);
	if (held < 0)
		return -errno;
	seen_insert(&s->by_fd, k, n, held);
	return 0;
}

/* Whether this shadow opened the file @fd (and still remembers it). */
static int seen_has(struct hostd_shadow *sh, int fd)
{
	unsigned char k[SEEN_KEY_MAX];
	unsigned int n;
	int r;

	if (!sh->seen)
		return 0;
	r = seen_key(fd, k, &n);
	if (r < 0)
		return 0;
	return r ? !!seen_find(&sh->seen->by_handle, k, n)
		 : !!seen_find(&sh->seen->by_fd, k, n);
}

/*
 * An fd the client attached: served if this shadow opened that file, or if
 * it lies on the export's own mount (another subject of this hostcalld
 * opened it: the process's subject before its credentials changed, whose
 * fds and working directory its new subject takes over).
 */
static int passed_fd(struct hostd_shadow *sh, struct hostd_req *rq)
{
	int fd;

	if (rq->in_used >= rq->nin)
		return -EBADF;
	fd = rq->in_fds[rq->in_used++];
	return seen_has(sh, fd) || hostd_on_export_mount(sh->cfg, fd) ? fd : -EBADF;
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

/*
 * ---- handles per inode (LOOKUP, FORGET) ----
 *
 * A LOOKUP handle is an O_PATH fd of one host inode, found again by its
 * (st_dev, st_ino) in a hash table, so that a subject has one handle per
 * inode however often it is looked up, and a count of the lookups the
 * client has not yet forgotten. The fd keeps the inode alive, so its number
 * cannot be reused while the entry exists. The client's FORGETs bring the
 * count to 0, which closes the handle: the host's fds are bounded by what
 * the client caches, and by --max-handles.
 */
struct hostd_inode_ent {
	hc_u64 dev, ino;
	hc_u64 count;			/* 0: not an inode handle */
	hc_u32 next;			/* hash chain: handle + 1, 0 ends it */
};

struct hostd_inodes {
	struct hostd_inode_ent *ent;	/* max_handles of them, by handle */
	hc_u32 *bucket;			/* handle + 1, 0: empty */
	hc_u32 mask;
	hc_u32 used;
	int full_logged;
};

int hostd_handles_init(struct hostd_shadow *sh)
{
	hc_u32 i, n = sh->cfg->max_handles;

	sh->handles = malloc(sizeof(int) * n);
	sh->hfree = malloc(sizeof(hc_u32) * n);
	if (!sh->handles || !sh->hfree)
		return -ENOMEM;
	/* the lowest handles first */
	for (i = 0; i < n; i++) {
		sh->handles[i] = -1;
		sh->hfree[i] = n - 1 - i;
	}
	sh->nfree = n;
	return 0;
}

/* Take @fd itself as a new handle. Returns it, or -EMFILE. */
static int handle_take(struct hostd_shadow *sh, int fd)
{
	hc_u32 h;

	if (!sh->nfree)
		return -EMFILE;
	h = sh->hfree[--sh->nfree];
	sh->handles[h] = fd;
	return h;
}

int hostd_handle_add(struct hostd_shadow *sh, int fd)
{
	int dup, h;

	if (!sh->nfree)
		return -EMFILE;
	dup = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (dup < 0)
		return -errno;
	h = handle_take(sh, dup);
	return h;
}

static void inode_unhash(struct hostd_shadow *sh, hc_u32 h);

int hostd_handle_close(struct hostd_shadow *sh, hc_s32 h)
{
	if (h < 0 || (hc_u32)h >= sh->cfg->max_handles || sh->handles[h] < 0)
		return -EBADF;
	if (sh->inodes && sh->inodes->ent[h].count)
		inode_unhash(sh, h);
	close(sh->handles[h]);
	sh->handles[h] = -1;
	sh->hfree[sh->nfree++] = h;
	return 0;
}

static hc_u32 inode_hash(const struct hostd_inodes *t, hc_u64 dev, hc_u64 ino)
{
	hc_u64 h = (ino ^ (dev << 32 | dev >> 32)) * 0x9e3779b97f4a7c15ull;

	return (hc_u32)(h >> 32) & t->mask;
}

static int inodes_get(struct hostd_shadow *sh, struct hostd_inodes **tp)
{
	struct hostd_inodes *t = sh->inodes;
	hc_u32 n = sh->cfg->max_handles, nb = 1;

	if (!t) {
		while (nb < n)
			nb <<= 1;
		t = calloc(1, sizeof(*t));
		if (!t)
			return -ENOMEM;
		t->ent = calloc(n, sizeof(*t->ent));
		t->bucket = calloc(nb, sizeof(*t->bucket));
		if (!t->ent || !t->bucket) {
			free(t->ent);
			free(t->bucket);
			free(t);
			return -ENOMEM;
		}
		t->mask = nb - 1;
		sh->inodes = t;
	}
	*tp = t;
	return 0;
}

static void inode_unhash(struct hostd_shadow *sh, hc_u32 h)
{
	struct hostd_inodes *t = sh->inodes;
	struct hostd_inode_ent *e = &t->ent[h];
	hc_u32 *pp = &t->bucket[inode_hash(t, e->dev, e->ino)];

	while (*pp && *pp != h + 1)
		pp = &t->ent[*pp - 1].next;
	if (*pp)
		*pp = e->next;
	e->count = 0;
	e->next = 0;
	t->used--;
}

/*
 * The handle of @fd's inode (an O_PATH fd, which this takes), one lookup
 * more on it; a handle the inode already has is reused and @fd closed.
 * Returns: the handle, or -errno (@fd closed).
 */
static int inode_handle(struct hostd_shadow *sh, int fd, hc_u64 dev, hc_u64 ino)
{
	struct hostd_inodes *t;
	struct hostd_inode_ent *e;
	hc_u32 i;
	int h, err;

	err = inodes_get(sh, &t);
	if (err) {
		close(fd);
		return err;
	}
	for (i = t->bucket[inode_hash(t, dev, ino)]; i; i = t->ent[i - 1].next) {
		e = &t->ent[i - 1];
		if (e->dev == dev && e->ino == ino) {
			close(fd);
			e->count++;
			return i - 1;
		}
	}
	h = handle_take(sh, fd);
	if (h < 0) {
		close(fd);
		if (!t->full_logged)
			hostd_log(HOSTD_NAME ": subject %u: all %u handles in use (%u of them "
				  "inodes the client keeps): LOOKUP fails with EMFILE until "
				  "it forgets some; raise --max-handles", sh->slot + 1,
				  sh->cfg->max_handles, t->used);
		t->full_logged = 1;
		return h;
	}
	t->full_logged = 0;
	e = &t->ent[h];
	e->dev = dev;
	e->ino = ino;
	e->count = 1;
	i = inode_hash(t, dev, ino);
	e->next = t->bucket[i];
	t->bucket[i] = h + 1;
	t->used++;
	return h;
}

int hostd_is_inode_handle(const struct hostd_shadow *sh, hc_s32 h)
{
	return sh->inodes && h >= 0 && (hc_u32)h < sh->cfg->max_handles &&
	       sh->inodes->ent[h].count;
}

int hostd_lookup(struct hostd_shadow *sh, struct hostd_req *rq, hc_s32 dirfd,
		 const char *name, struct stat *st)
{
	int base, fd, err;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	err = hostd_fd(sh, rq, dirfd, &base);
	if (err)
		return err;
	if (base == AT_FDCWD)
		base = sh->cwdfd;
	/* one component, beneath its directory: the walk cannot leave it */
	fd = hostd_open_beneath(base, name, O_PATH | O_NOFOLLOW);
	if (fd < 0)
		return fd;
	if (fstat(fd, st) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return inode_handle(sh, fd, st->st_dev, st->st_ino);
}

int hostd_forget(struct hostd_shadow *sh, hc_s32 h, hc_u32 n)
{
	struct hostd_inode_ent *e;

	if (!hostd_is_inode_handle(sh, h))
		return -EBADF;
	e = &sh->inodes->ent[h];
	if (n >= e->count)
		return hostd_handle_close(sh, h);
	e->count -= n;
	return 0;
}
