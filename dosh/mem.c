// SPDX-License-Identifier: GPL-2.0-only
/* mem.c - dosh's allocators: checked malloc, the per-command stack, pools for syntax trees. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dosh.h"

static void nomem(void)
{
	static const char msg[] = "dosh: out of memory\n";

	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to do */
	}
	_exit(2);
}

void *dosh_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		nomem();
	return p;
}

void *dosh_xzalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p)
		nomem();
	return p;
}

void *dosh_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		nomem();
	return p;
}

char *dosh_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(dosh_xmalloc(n), s, n);
}

/* ---- the stack ---- */

#define STBLOCK_MIN	(16 * 1024 - 64)

struct stblock {
	struct stblock *prev;
	size_t size, used;
	max_align_t data[];
};

static struct stblock *sttop;

void *dosh_stalloc(size_t n)
{
	struct stblock *b = sttop;
	void *p;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!b || b->size - b->used < n) {
		size_t size = n > STBLOCK_MIN ? n : STBLOCK_MIN;

		if (size > SIZE_MAX - sizeof(*b))
			nomem();
		b = dosh_xmalloc(sizeof(*b) + size);
		b->size = size;
		b->used = 0;
		b->prev = sttop;
		sttop = b;
	}
	p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

char *dosh_ststrndup(const char *s, size_t n)
{
	char *p = dosh_stalloc(n + 1);

	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *dosh_ststrdup(const char *s)
{
	return dosh_ststrndup(s, strlen(s));
}

void dosh_stmark(struct dosh_stmark *m)
{
	m->blk = sttop;
	m->used = sttop ? sttop->used : 0;
}

void dosh_stpop(const struct dosh_stmark *m)
{
	while (sttop && sttop != m->blk) {
		struct stblock *b = sttop;

		sttop = b->prev;
		free(b);
	}
	if (sttop)
		sttop->used = m->used;
}

void dosh_sb_init(struct dosh_sb *sb)
{
	sb->len = 0;
	sb->cap = 64;
	sb->s = dosh_stalloc(sb->cap);
}

static void sb_grow(struct dosh_sb *sb, size_t more)
{
	size_t cap = sb->cap;
	char *s;

	if (sb->len + more + 1 <= cap)
		return;
	while (sb->len + more + 1 > cap)
		cap *= 2;
	s = dosh_stalloc(cap);
	memcpy(s, sb->s, sb->len);
	sb->s = s;
	sb->cap = cap;
}

void dosh_sb_putc(struct dosh_sb *sb, int c)
{
	sb_grow(sb, 1);
	sb->s[sb->len++] = (char)c;
}

void dosh_sb_putn(struct dosh_sb *sb, const char *s, size_t n)
{
	sb_grow(sb, n);
	memcpy(sb->s + sb->len, s, n);
	sb->len += n;
}

void dosh_sb_puts(struct dosh_sb *sb, const char *s)
{
	dosh_sb_putn(sb, s, strlen(s));
}

void dosh_sb_printf(struct dosh_sb *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb_grow(sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

char *dosh_sb_str(struct dosh_sb *sb)
{
	sb_grow(sb, 0);
	sb->s[sb->len] = 0;
	return sb->s;
}

void dosh_strv_init(struct dosh_strv *sv)
{
	sv->n = 0;
	sv->cap = 8;
	sv->v = dosh_stalloc(sv->cap * sizeof(char *));
	sv->v[0] = NULL;
}

void dosh_strv_push(struct dosh_strv *sv, char *s)
{
	if (sv->n + 2 > sv->cap) {
		char **v = dosh_stalloc(sv->cap * 2 * sizeof(char *));

		memcpy(v, sv->v, sv->n * sizeof(char *));
		sv->v = v;
		sv->cap *= 2;
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

/* ---- pools ---- */

struct pblock {
	struct pblock *next;
	size_t size, used;
	max_align_t data[];
};

struct dosh_pool {
	int refs;
	struct pblock *blocks;
};

struct dosh_pool *dosh_pool_new(void)
{
	struct dosh_pool *p = dosh_xzalloc(sizeof(*p));

	p->refs = 1;
	return p;
}

void *dosh_palloc(struct dosh_pool *p, size_t n)
{
	struct pblock *b = p->blocks;
	void *r;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!b || b->size - b->used < n) {
		size_t size = n > 4000 ? n : 4000;

		b = dosh_xmalloc(sizeof(*b) + size);
		b->size = size;
		b->used = 0;
		b->next = p->blocks;
		p->blocks = b;
	}
	r = (char *)b->data + b->used;
	b->used += n;
	memset(r, 0, n);
	return r;
}

char *dosh_pstrndup(struct dosh_pool *p, const char *s, size_t n)
{
	char *r = dosh_palloc(p, n + 1);

	memcpy(r, s, n);
	r[n] = 0;
	return r;
}

void dosh_pool_ref(struct dosh_pool *p)
{
	p->refs++;
}

void dosh_pool_unref(struct dosh_pool *p)
{
	if (!p || --p->refs > 0)
		return;
	while (p->blocks) {
		struct pblock *b = p->blocks;

		p->blocks = b->next;
		free(b);
	}
	free(p);
}
