// SPDX-License-Identifier: GPL-2.0-only
/*
 * expand.c - dosh's word expansion: tilde, parameters, command
 * substitution, arithmetic, field splitting, pathname expansion (against
 * local paths, or host paths for the words of a !host command) and quote
 * removal.
 *
 * A word is expanded into a buffer of characters, each with attributes that
 * say where it came from (quoted, or the result of an unquoted expansion);
 * field splitting and globbing then look only at the characters those
 * steps apply to.
 */
#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dosh.h"

#define A_Q		0x01	/* quoted: no splitting, no globbing */
#define A_EXP		0x02	/* result of an unquoted expansion: split */
#define A_BREAK		0x04	/* field break between "$@" arguments */
#define A_SBREAK	0x08	/* break between unquoted $@ arguments */
#define A_QMARK		0x10	/* a quoted empty string was here */

enum {
	M_WORD,		/* unquoted */
	M_DQ,		/* inside "...", ends at '"' */
	M_BRACE,	/* the word of an unquoted ${x-word}, ends at '}' */
	M_BRACEDQ,	/* the same inside "...", ends at '}' */
	M_HEREDOC,	/* here-document body */
	M_ARITH,	/* inside $((...)) */
};

struct xbuf {
	char *s;
	unsigned char *a;
	size_t len, cap;
};

struct xctx {
	struct xbuf b;
	int flags;
	int skip;	/* only find the end: no side effects */
};

int dosh_cmdsub_status;

static void xput(struct xctx *x, int c, unsigned char attr)
{
	struct xbuf *b = &x->b;

	if (x->skip)
		return;
	if (b->len + 1 >= b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		char *s = dosh_stalloc(cap);
		unsigned char *a = dosh_stalloc(cap);

		if (b->len) {
			memcpy(s, b->s, b->len);
			memcpy(a, b->a, b->len);
		}
		b->s = s;
		b->a = a;
		b->cap = cap;
	}
	b->s[b->len] = (char)c;
	b->a[b->len++] = attr;
}

static void xputs(struct xctx *x, const char *s, size_t n, unsigned char attr)
{
	while (n--)
		xput(x, (unsigned char)*s++, attr);
}

static int quoted_mode(int mode)
{
	return mode == M_DQ || mode == M_BRACEDQ || mode == M_HEREDOC ||
	       mode == M_ARITH;
}

static unsigned char lit_attr(int mode)
{
	if (quoted_mode(mode))
		return A_Q;
	return mode == M_BRACE ? A_EXP : 0;
}

static size_t xtext(struct xctx *x, const char *s, size_t i, int mode);
static size_t xdollar(struct xctx *x, const char *s, size_t i, int quoted);

/* ---- command substitution ---- */

static void cmdsub_run(struct xctx *x, struct dosh_node *n, int quoted)
{
	struct dosh_sb sb;
	struct dosh_job *jp;
	int pip[2];
	pid_t pid;
	char buf[65536];
	ssize_t r;

	dosh_sb_init(&sb);
	if (!n) {
		dosh_cmdsub_status = 0;
		return;
	}
	if (pipe(pip) < 0)
		dosh_error("Pipe call failed");
	jp = dosh_job_new(NULL);
	pid = dosh_fork(jp, FORK_NOJOB, NULL);
	if (pid == 0) {
		close(pip[0]);
		if (pip[1] != 1) {
			dup2(pip[1], 1);
			close(pip[1]);
		}
		dosh_eval(n, EV_EXIT);
		dosh_exitshell(dosh_exitstatus);
	}
	close(pip[1]);
	for (;;) {
		r = read(pip[0], buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		dosh_sb_putn(&sb, buf, (size_t)r);
	}
	close(pip[0]);
	dosh_cmdsub_status = dosh_waitjob(jp);
	dosh_check_int();
	while (sb.len && sb.s[sb.len - 1] == '\n')
		sb.len--;
	xputs(x, sb.s, sb.len, quoted ? A_Q : A_EXP);
}

/* $( ... ): @i is just after "$(". Returns the index after ')'. */
static size_t xcmdsub(struct xctx *x, const char *s, size_t i, int quoted)
{
	struct dosh_pool *pool = dosh_pool_new();
	struct dosh_node *n;
	size_t end;

	n = dosh_parse_cmdsub(s + i, pool, &end);
	if (!x->skip)
		cmdsub_run(x, n, quoted);
	dosh_pool_unref(pool);
	return i + end;
}

/* `...`: @i is just after the opening backquote. */
static size_t xbackquote(struct xctx *x, const char *s, size_t i, int dq)
{
	struct dosh_sb sb;
	struct dosh_pool *pool;
	struct dosh_node *n;

	dosh_sb_init(&sb);
	for (; s[i] && s[i] != '`'; i++) {
		if (s[i] == '\\' && s[i + 1] &&
		    (strchr("$`\\", s[i + 1]) || (dq && s[i + 1] == '"'))) {
			i++;
		} else if (s[i] == '\\' && s[i + 1] == '\n') {
			i++;
			continue;
		}
		dosh_sb_putc(&sb, s[i]);
	}
	if (s[i])
		i++;
	if (x->skip)
		return i;
	pool = dosh_pool_new();
	n = dosh_parse_string(dosh_sb_str(&sb), pool);
	cmdsub_run(x, n, dq);
	dosh_pool_unref(pool);
	return i;
}

/* ---- arithmetic ---- */

static size_t xarith(struct xctx *x, const char *s, size_t i, int quoted)
{
	size_t start = i, end;
	int depth = 0;
	char num[32];

	/* Find the closing "))", skipping nested constructs. */
	for (;;) {
		struct xctx sk = { .skip = 1 };
		char c = s[i];

		if (!c)
			dosh_synerror("Missing '))'");
		if (c == '(') {
			depth++;
		} else if (c == ')') {
			if (!depth && s[i + 1] == ')')
				break;
			if (depth)
				depth--;	/* else unbalanced: kept, as in dash */
		} else if (c == '\\') {
			i += s[i + 1] ? 2 : 1;
			continue;
		} else if (c == '"') {
			i = xtext(&sk, s, i + 1, M_DQ);
			i += s[i] ? 1 : 0;
			continue;
		} else if (c == '`') {
			i = xbackquote(&sk, s, i + 1, 0);
			continue;
		} else if (c == '$') {
			i = xdollar(&sk, s, i + 1, 1);
			continue;
		}
		i++;
	}
	end = i;
	if (!x->skip) {
		struct xctx sub = { .flags = 0 };
		char *expr = dosh_ststrndup(s + start, end - start);
		intmax_t v;

		xtext(&sub, expr, 0, M_ARITH);
		xput(&sub, 0, A_Q);
		v = dosh_arith(sub.b.s);
		snprintf(num, sizeof(num), "%jd", v);
		xputs(x, num, strlen(num), quoted ? A_Q : A_EXP);
	}
	return end + 2;
}

/* ---- parameters ---- */

static int is_special(int c)
{
	return c && strchr("@*#?-$!0123456789", c);
}

static const char *ifs(void)
{
	const char *v = dosh_getvar("IFS");

	return v ? v : " \t\n";
}

/*
 * The value of parameter @name (length @n); NULL if unset. $@ and $* give
 * their arguments joined by spaces here (for tests and lengths).
 */
static char *param_value(const char *name, size_t n)
{
	char buf[64];

	if (n == 1 || (name[0] >= '0' && name[0] <= '9')) {
		switch (name[0]) {
		case '?':
			snprintf(buf, sizeof(buf), "%d", dosh_exitstatus);
			return dosh_ststrdup(buf);
		case '#':
			snprintf(buf, sizeof(buf), "%d", dosh_pp.n);
			return dosh_ststrdup(buf);
		case '$':
			snprintf(buf, sizeof(buf), "%d", dosh_rootpid);
			return dosh_ststrdup(buf);
		case '!':
			if (!dosh_lastbg)
				return NULL;
			snprintf(buf, sizeof(buf), "%d", (int)dosh_lastbg);
			return dosh_ststrdup(buf);
		case '-':
			return dosh_optstring();
		case '@':
		case '*': {
			struct dosh_sb sb;
			int k;

			if (!dosh_pp.n)
				return NULL;
			dosh_sb_init(&sb);
			for (k = 0; k < dosh_pp.n; k++) {
				if (k)
					dosh_sb_putc(&sb, name[0] == '*' &&
						     ifs()[0] ? ifs()[0] : ' ');
				dosh_sb_puts(&sb, dosh_pp.v[k]);
			}
			return dosh_sb_str(&sb);
		}
		}
		if (name[0] >= '0' && name[0] <= '9') {
			long k = 0;
			size_t j;

			for (j = 0; j < n && k < 100000; j++)
				k = k * 10 + (name[j] - '0');
			if (k == 0)
				return dosh_arg0;
			if (k > dosh_pp.n)
				return NULL;
			return dosh_pp.v[k - 1];
		}
	}
	{
		char *nm = dosh_ststrndup(name, n);
		const char *v = dosh_getvar(nm);

		return (char *)v;
	}
}

/* Append $@ or $*: each argument, with the right breaks between them. */
static void put_args(struct xctx *x, int star, int quoted)
{
	int k;

	for (k = 0; k < dosh_pp.n; k++) {
		if (k) {
			if (!quoted)
				xput(x, ' ', A_SBREAK);
			else if (!star)
				xput(x, ' ', A_BREAK);
			else if (ifs()[0])
				xput(x, ifs()[0], A_Q);
		}
		xputs(x, dosh_pp.v[k], strlen(dosh_pp.v[k]),
		      quoted ? A_Q : A_EXP);
	}
}

static void put_value(struct xctx *x, const char *name, size_t n,
		      const char *val, int quoted)
{
	if (n == 1 && (name[0] == '@' || name[0] == '*')) {
		put_args(x, name[0] == '*', quoted);
		return;
	}
	if (val)
		xputs(x, val, strlen(val), quoted ? A_Q : A_EXP);
}

static void unset_error(const char *name, size_t n)
{
	dosh_error("%.*s: parameter not set", (int)n, name);
}

/* The characters appended since @start, quote-removed, as a string. */
static char *xstring_since(struct xctx *x, size_t start, int pattern)
{
	struct dosh_sb sb;
	size_t k;

	dosh_sb_init(&sb);
	for (k = start; k < x->b.len; k++) {
		unsigned char a = x->b.a[k];
		char c = x->b.s[k];

		if (a & A_QMARK)
			continue;
		if (a & (A_BREAK | A_SBREAK))
			c = ' ';
		if (pattern && (((a & A_Q) && strchr("*?[]\\", c)) ||
				(c == '^' && k > start && x->b.s[k - 1] == '[' &&
				 !(x->b.a[k - 1] & A_Q))))
			dosh_sb_putc(&sb, '\\');
		dosh_sb_putc(&sb, c);
	}
	return dosh_sb_str(&sb);
}

/* Remove the shortest/longest prefix/suffix of @val matching @pat. */
static char *trim(const char *val, const char *pat, int suffix, int longest)
{
	size_t n = strlen(val), j;
	char *tmp = dosh_ststrdup(val);

	for (j = 0; j <= n; j++) {
		/* the candidate split point, in the order that finds the
		 * shortest (or longest) match first */
		size_t k = (suffix == longest) ? j : n - j;

		if (!suffix) {
			char save = tmp[k];
			int m;

			tmp[k] = 0;
			m = !fnmatch(pat, tmp, 0);
			tmp[k] = save;
			if (m)
				return tmp + k;
		} else if (!fnmatch(pat, val + k, 0)) {
			tmp[k] = 0;
			return tmp;
		}
	}
	return tmp;
}

/* ${...}: @i is just after "${". Returns the index after '}'. */
static size_t xbrace(struct xctx *x, const char *s, size_t i, int quoted)
{
	const char *name;
	size_t n = 0, start;
	int length = 0, colon = 0, op = 0, set, isnull;
	char *val;

	if (s[i] == '#' && s[i + 1] != '}' &&
	    (is_special(s[i + 1]) || dosh_is_name(s + i + 1, 1))) {
		length = 1;
		i++;
	}
	name = s + i;
	if (dosh_is_name(name, 1)) {
		while (dosh_is_name(name, n + 1))
			n++;
	} else if (name[0] >= '0' && name[0] <= '9') {
		while (name[n] >= '0' && name[n] <= '9')
			n++;
	} else if (is_special(name[0])) {
		n = 1;
	}
	if (!n)
		dosh_error("Bad substitution");
	i += n;
	if (length) {
		if (s[i] != '}')
			dosh_error("Bad substitution");
		if (!x->skip) {
			char num[32];

			val = param_value(name, n);
			if (!val && dosh_opt.u && !is_special(name[0]))
				unset_error(name, n);
			snprintf(num, sizeof(num), "%zu", val ? strlen(val) : 0);
			xputs(x, num, strlen(num), quoted ? A_Q : A_EXP);
		}
		return i + 1;
	}
	if (s[i] == ':') {
		colon = 1;
		i++;
		if (!s[i] || !strchr("-=?+", s[i]))
			dosh_error("Bad substitution");
	}
	if (s[i] != '}') {
		if (!strchr("-=?+%#", s[i]))
			dosh_error("Bad substitution");
		op = s[i++];
		if ((op == '%' || op == '#') && s[i] == op) {
			op = op == '%' ? 'P' : 'H';	/* %% and ## */
			i++;
		}
	}
	if (x->skip) {
		if (op)
			i = xtext(x, s, i, quoted ? M_BRACEDQ : M_BRACE);
		return i + 1;
	}
	val = param_value(name, n);
	set = val != NULL;
	isnull = !val || !*val;
	if (n == 1 && (name[0] == '@' || name[0] == '*')) {
		set = dosh_pp.n > 0;
		isnull = !set || (dosh_pp.n == 1 && !*dosh_pp.v[0]);
	}
	if (!op) {
		if (!set && dosh_opt.u && !is_special(name[0]))
			unset_error(name, n);
		put_value(x, name, n, val, quoted);
		return i + 1;
	}
	start = x->b.len;
	switch (op) {
	case '-':
	case '+':
		if ((op == '-') == (!set || (colon && isnull))) {
			i = xtext(x, s, i, quoted ? M_BRACEDQ : M_BRACE);
		} else {
			x->skip = 1;
			i = xtext(x, s, i, quoted ? M_BRACEDQ : M_BRACE);
			x->skip = 0;
			put_value(x, name, n, val, quoted);
		}
		return i + 1;
	case '=':
	case '?':
		if (set && !(colon && isnull)) {
			x->skip = 1;
			i = xtext(x, s, i, quoted ? M_BRACEDQ : M_BRACE);
			x->skip = 0;
			put_value(x, name, n, val, quoted);
			return i + 1;
		}
		i = xtext(x, s, i, quoted ? M_BRACEDQ : M_BRACE);
		val = xstring_since(x, start, 0);
		x->b.len = start;
		if (op == '?') {
			if (*val)
				dosh_error("%.*s: %s", (int)n, name, val);
			dosh_error("%.*s: parameter not set%s", (int)n, name,
				   colon ? " or null" : "");
		}
		if (!dosh_is_name(name, n))
			dosh_error("%.*s: bad variable name", (int)n, name);
		dosh_setvar(dosh_ststrndup(name, n), val, 0);
		xputs(x, val, strlen(val), quoted ? A_Q : A_EXP);
		return i + 1;
	default: {
		char *pat;

		i = xtext(x, s, i, M_BRACE);
		pat = xstring_since(x, start, 1);
		x->b.len = start;
		if (!set && dosh_opt.u && !is_special(name[0]))
			unset_error(name, n);
		if (!val)
			val = "";
		val = trim(val, pat, op == '%' || op == 'P',
			   op == 'P' || op == 'H');
		xputs(x, val, strlen(val), quoted ? A_Q : A_EXP);
		return i + 1;
	}
	}
}

/* $...: @i is just after '$'. Returns the index after the construct. */
static size_t xdollar(struct xctx *x, const char *s, size_t i, int quoted)
{
	char c = s[i];

	if (c == '{')
		return xbrace(x, s, i + 1, quoted);
	if (c == '(') {
		if (s[i + 1] == '(')
			return xarith(x, s, i + 2, quoted);
		return xcmdsub(x, s, i + 1, quoted);
	}
	if (dosh_is_name(s + i, 1)) {
		size_t n = 1;
		char *val;

		while (dosh_is_name(s + i, n + 1))
			n++;
		if (!x->skip) {
			val = param_value(s + i, n);
			if (!val && dosh_opt.u)
				unset_error(s + i, n);
			put_value(x, s + i, n, val, quoted);
		}
		return i + n;
	}
	if (is_special(c)) {
		if (!x->skip) {
			char *val = param_value(s + i, 1);

			if (!val && dosh_opt.u && c >= '1' && c <= '9')
				unset_error(s + i, 1);
			put_value(x, s + i, 1, val, quoted);
		}
		return i + 1;
	}
	xput(x, '$', quoted ? A_Q : lit_attr(M_WORD));
	return i;
}

/* ~ or ~user at @i; returns the index after the name. */
static size_t xtilde(struct xctx *x, const char *s, size_t i)
{
	size_t n = 0;
	const char *home = NULL;
	char *name;

	while (s[i + 1 + n] && s[i + 1 + n] != '/' &&
	       !((x->flags & EXP_ASSIGN) && s[i + 1 + n] == ':')) {
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", s[i + 1 + n]))
			return i;	/* quoted or expanded: no tilde */
		n++;
	}
	name = dosh_ststrndup(s + i + 1, n);
	if (!n) {
		home = dosh_getvar("HOME");
		if (!home) {
			struct passwd *pw = getpwuid(getuid());

			home = pw ? pw->pw_dir : NULL;
		}
	} else {
		struct passwd *pw = getpwnam(name);

		home = pw ? pw->pw_dir : NULL;
	}
	if (!home)
		return i;
	xputs(x, home, strlen(home), A_Q);
	return i + 1 + n;
}

/*
 * Expand @s from @i in @mode until its end or the mode's terminator ('"'
 * for M_DQ, '}' for the brace modes). Returns the terminator's index.
 */
static size_t xtext(struct xctx *x, const char *s, size_t i, int mode)
{
	unsigned char la = lit_attr(mode);
	int q = quoted_mode(mode);
	size_t wstart = i;

	for (;;) {
		char c = s[i];

		if (!c)
			return i;
		if (c == '"' && mode == M_DQ)
			return i;
		if (c == '}' && (mode == M_BRACE || mode == M_BRACEDQ))
			return i;
		switch (c) {
		case '\\':
			if (!s[i + 1]) {
				xput(x, '\\', la);
				return i + 1;
			}
			if (s[i + 1] == '\n' && mode != M_WORD &&
			    mode != M_BRACE) {
				i += 2;
				continue;
			}
			if (q) {
				const char *esc = mode == M_HEREDOC ? "$`\\\n" :
					mode == M_BRACEDQ ? "$`\"\\\n}" :
					"$`\"\\\n";

				if (!strchr(esc, s[i + 1])) {
					xput(x, '\\', A_Q);
					i++;
					continue;
				}
			}
			xput(x, s[i + 1], A_Q);
			i += 2;
			continue;
		case '\'':
			if (q) {
				xput(x, c, A_Q);
				i++;
				continue;
			}
			xput(x, 0, A_QMARK);
			for (i++; s[i] && s[i] != '\''; i++)
				xput(x, s[i], A_Q);
			if (s[i])
				i++;
			continue;
		case '"':
			if (mode == M_HEREDOC) {
				xput(x, c, A_Q);
				i++;
				continue;
			}
			/* "$@" with no arguments gives no field at all */
			if (!(dosh_pp.n == 0 &&
			      (!strncmp(s + i, "\"$@\"", 4) ||
			       !strncmp(s + i, "\"${@}\"", 6))))
				xput(x, 0, A_QMARK);
			i = xtext(x, s, i + 1, M_DQ);
			if (s[i])
				i++;
			continue;
		case '$':
			i = xdollar(x, s, i + 1, q);
			continue;
		case '`':
			i = xbackquote(x, s, i + 1, q);
			continue;
		case '~':
			if ((x->flags & EXP_TILDE) && mode == M_WORD &&
			    (i == wstart ||
			     ((x->flags & EXP_ASSIGN) && s[i - 1] == ':'))) {
				size_t j = xtilde(x, s, i);

				if (j != i) {
					i = j;
					continue;
				}
			}
			break;
		}
		xput(x, c, la);
		i++;
	}
}

/* ---- field splitting and globbing ---- */

struct field {
	char *s;
	unsigned char *a;
	size_t len;
};

static int has_glob(const struct field *f)
{
	size_t k;

	for (k = 0; k < f->len; k++) {
		size_t j;

		if ((f->a[k] & A_Q) || !f->s[k] || !strchr("*?[", f->s[k]))
			continue;
		if (f->s[k] != '[')
			return 1;
		/* "[" is a pattern only with a "]" after it: "[ $x ]" is not */
		for (j = k + 2; j < f->len; j++)
			if (f->s[j] == ']' && !(f->a[j] & A_Q))
				return 1;
	}
	return 0;
}

static void emit_field(struct xctx *x, const struct field *f,
		       struct dosh_strv *out)
{
	struct dosh_sb sb;
	size_t k;

	dosh_sb_init(&sb);
	if ((x->flags & EXP_GLOB) && !dosh_opt.f && has_glob(f)) {
		glob_t g;
		int rc;

		for (k = 0; k < f->len; k++) {
			if (f->a[k] & A_QMARK)
				continue;
			if (((f->a[k] & A_Q) && strchr("*?[]\\", f->s[k])) ||
			    (f->s[k] == '^' && k && f->s[k - 1] == '[' &&
			     !(f->a[k - 1] & A_Q)))
				dosh_sb_putc(&sb, '\\');
			dosh_sb_putc(&sb, f->s[k]);
		}
		memset(&g, 0, sizeof(g));
		if (x->flags & EXP_HOST)
			rc = dosh_host_glob(dosh_sb_str(&sb), 0, &g);
		else
			rc = glob(dosh_sb_str(&sb), 0, NULL, &g);
		if (rc == 0) {
			for (k = 0; k < g.gl_pathc; k++)
				dosh_strv_push(out, dosh_ststrdup(g.gl_pathv[k]));
			globfree(&g);
			return;
		}
		globfree(&g);
		dosh_sb_init(&sb);
	}
	for (k = 0; k < f->len; k++)
		if (!(f->a[k] & A_QMARK))
			dosh_sb_putc(&sb, f->s[k]);
	dosh_strv_push(out, dosh_sb_str(&sb));
}

static void split(struct xctx *x, struct dosh_strv *out)
{
	const char *sep = ifs();
	struct xbuf *b = &x->b;
	struct field f = { b->s, b->a, 0 };
	int valid = 0, wsdelim = 0;
	size_t k;

	for (k = 0; k < b->len; k++) {
		unsigned char a = b->a[k];
		char c = b->s[k];

		if (a & A_BREAK) {
			emit_field(x, &f, out);
			f.s = b->s + k + 1;
			f.a = b->a + k + 1;
			f.len = 0;
			valid = 1;
			wsdelim = 0;
			continue;
		}
		if ((a & A_SBREAK) ||
		    ((a & A_EXP) && (x->flags & EXP_SPLIT) && c &&
		     strchr(sep, c))) {
			int ws = (a & A_SBREAK) || c == ' ' || c == '\t' ||
				 c == '\n';

			if (ws) {
				if (valid || f.len) {
					emit_field(x, &f, out);
					wsdelim = 1;
				}
			} else if (wsdelim) {
				wsdelim = 0;
			} else {
				emit_field(x, &f, out);
			}
			f.s = b->s + k + 1;
			f.a = b->a + k + 1;
			f.len = 0;
			valid = 0;
			continue;
		}
		if (a & A_QMARK)
			valid = 1;
		else
			wsdelim = 0;
		f.len++;
	}
	if (valid || f.len)
		emit_field(x, &f, out);
}

void dosh_expand_words(struct dosh_word *w, int flags, struct dosh_strv *out)
{
	for (; w; w = w->next) {
		struct xctx x = { .flags = flags };

		xtext(&x, w->text, 0, M_WORD);
		if (flags & EXP_SPLIT) {
			split(&x, out);
		} else {
			struct field f = { x.b.s, x.b.a, x.b.len };

			emit_field(&x, &f, out);
		}
	}
}

char *dosh_expand_str(const char *text, int flags)
{
	struct xctx x = { .flags = flags };

	xtext(&x, text, 0, (flags & EXP_HEREDOC) ? M_HEREDOC : M_WORD);
	return xstring_since(&x, 0, flags & EXP_PATTERN);
}

int dosh_pmatch(const char *pattern, const char *s)
{
	return fnmatch(pattern, s, 0) == 0;
}
