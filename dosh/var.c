// SPDX-License-Identifier: GPL-2.0-only
/* var.c - dosh's shell variables, the environment they export, function-local frames and $1... */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dosh.h"

struct var {
	char *name;
	char *val;		/* NULL: unset */
	int flags;
	struct var *next;
};

#define NBUCKETS 257

static struct var *table[NBUCKETS];

struct saved {
	char *name, *val;
	int flags, existed;
	struct saved *next;
};

struct frame {
	struct saved *saved;
	struct frame *prev;
};

static struct frame *curframe;

struct dosh_params dosh_pp;

static unsigned hash(const char *s, size_t n)
{
	unsigned h = 5381;

	while (n--)
		h = h * 33 + (unsigned char)*s++;
	return h % NBUCKETS;
}

static struct var **lookup(const char *name, size_t n)
{
	struct var **vp = &table[hash(name, n)];

	for (; *vp; vp = &(*vp)->next)
		if (!strncmp((*vp)->name, name, n) && !(*vp)->name[n])
			break;
	return vp;
}

static struct var *getv(const char *name)
{
	return *lookup(name, strlen(name));
}

const char *dosh_getvar(const char *name)
{
	struct var *v = getv(name);

	return v ? v->val : NULL;
}

static int setvar_n(const char *name, size_t n, const char *val, int flags)
{
	struct var **vp = lookup(name, n), *v = *vp;

	if (v && (v->flags & V_READONLY) && val)
		dosh_error("%s: is read only", v->name);
	if (!v) {
		v = dosh_xzalloc(sizeof(*v));
		v->name = dosh_xmalloc(n + 1);
		memcpy(v->name, name, n);
		v->name[n] = 0;
		*vp = v;
	}
	if (val) {
		char *nv = dosh_xstrdup(val);

		free(v->val);
		v->val = nv;
	}
	v->flags |= flags & (V_EXPORT | V_READONLY);
	if (dosh_opt.a && val)
		v->flags |= V_EXPORT;
	return 0;
}

int dosh_setvar(const char *name, const char *value, int flags)
{
	return setvar_n(name, strlen(name), value, flags);
}

int dosh_setvar_eq(const char *assign, int flags)
{
	const char *eq = strchr(assign, '=');

	if (!eq)
		return setvar_n(assign, strlen(assign), NULL, flags);
	return setvar_n(assign, (size_t)(eq - assign), eq + 1, flags);
}

int dosh_unsetvar(const char *name)
{
	struct var **vp = lookup(name, strlen(name)), *v = *vp;

	if (!v)
		return 0;
	if (v->flags & V_READONLY) {
		dosh_warn("%s: is read only", name);
		return -EPERM;
	}
	*vp = v->next;
	free(v->name);
	free(v->val);
	free(v);
	return 0;
}

void dosh_var_init(char **envp)
{
	char buf[32];

	for (; envp && *envp; envp++)
		if (dosh_assign_len(*envp))
			dosh_setvar_eq(*envp, V_EXPORT);
	dosh_setvar("IFS", " \t\n", 0);
	dosh_setvar("PS2", "> ", 0);
	dosh_setvar("PS4", "+ ", 0);
	dosh_setvar("OPTIND", "1", 0);
	if (!dosh_getvar("PATH"))
		dosh_setvar("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 0);
	snprintf(buf, sizeof(buf), "%d", (int)getppid());
	dosh_setvar("PPID", buf, 0);
}

char **dosh_environ(void)
{
	struct dosh_strv sv;
	struct var *v;
	int i;

	dosh_strv_init(&sv);
	for (i = 0; i < NBUCKETS; i++)
		for (v = table[i]; v; v = v->next) {
			struct dosh_sb sb;

			if (!(v->flags & V_EXPORT) || !v->val)
				continue;
			dosh_sb_init(&sb);
			dosh_sb_puts(&sb, v->name);
			dosh_sb_putc(&sb, '=');
			dosh_sb_puts(&sb, v->val);
			dosh_strv_push(&sv, dosh_sb_str(&sb));
		}
	return sv.v;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void dosh_var_list(int flag, const char *prefix)
{
	struct dosh_stmark m;
	struct dosh_strv sv;
	struct var *v;
	size_t j;
	int i;

	dosh_stmark(&m);
	dosh_strv_init(&sv);
	for (i = 0; i < NBUCKETS; i++)
		for (v = table[i]; v; v = v->next)
			if (!flag || (v->flags & flag))
				dosh_strv_push(&sv, v->name);
	qsort(sv.v, sv.n, sizeof(char *), cmpstr);
	for (j = 0; j < sv.n; j++) {
		v = getv(sv.v[j]);
		if (prefix)
			dosh_outf("%s ", prefix);
		dosh_outs(v->name);
		if (v->val) {
			dosh_out("=", 1);
			dosh_outquoted(v->val);
		}
		dosh_out("\n", 1);
	}
	dosh_stpop(&m);
}

void *dosh_var_pushframe(void)
{
	struct frame *f = dosh_xzalloc(sizeof(*f));

	f->prev = curframe;
	curframe = f;
	return f;
}

void dosh_var_popframe(void *frame)
{
	struct frame *f = frame;

	while (curframe) {
		struct frame *c = curframe;

		while (c->saved) {
			struct saved *s = c->saved;
			struct var **vp = lookup(s->name, strlen(s->name)), *v;

			c->saved = s->next;
			if (!s->existed) {
				v = *vp;
				if (v) {
					*vp = v->next;
					free(v->name);
					free(v->val);
					free(v);
				}
			} else {
				v = *vp;
				if (!v) {
					v = dosh_xzalloc(sizeof(*v));
					v->name = dosh_xstrdup(s->name);
					*vp = v;
				}
				free(v->val);
				v->val = s->val;
				v->flags = s->flags;
				s->val = NULL;
			}
			free(s->name);
			free(s->val);
			free(s);
		}
		curframe = c->prev;
		free(c);
		if (c == f)
			break;
	}
}

int dosh_var_infunc(void)
{
	return curframe != NULL;
}

int dosh_var_local(const char *arg)
{
	size_t n = dosh_assign_len(arg);
	struct saved *s;
	struct var *v;

	if (!curframe)
		return -EINVAL;
	if (!n) {
		n = strlen(arg);
		if (!dosh_is_name(arg, n) && strcmp(arg, "-"))
			dosh_error("%s: bad variable name", arg);
	}
	for (s = curframe->saved; s; s = s->next)
		if (!strncmp(s->name, arg, n) && !s->name[n])
			break;
	if (!s) {
		s = dosh_xzalloc(sizeof(*s));
		s->name = dosh_xmalloc(n + 1);
		memcpy(s->name, arg, n);
		s->name[n] = 0;
		v = getv(s->name);
		if (v) {
			s->existed = 1;
			s->val = v->val ? dosh_xstrdup(v->val) : NULL;
			s->flags = v->flags;
		}
		s->next = curframe->saved;
		curframe->saved = s;
	}
	if (arg[n] == '=')
		dosh_setvar_eq(arg, 0);
	return 0;
}

void dosh_pp_free(struct dosh_params *pp)
{
	int i;

	for (i = 0; i < pp->n; i++)
		free(pp->v[i]);
	free(pp->v);
	pp->v = NULL;
	pp->n = 0;
}

void dosh_pp_set(char **argv, int n)
{
	struct dosh_params np;
	int i;

	np.n = n;
	np.v = dosh_xmalloc((size_t)(n + 1) * sizeof(char *));
	for (i = 0; i < n; i++)
		np.v[i] = dosh_xstrdup(argv[i]);
	np.v[n] = NULL;
	dosh_pp_free(&dosh_pp);
	dosh_pp = np;
}
