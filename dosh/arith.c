// SPDX-License-Identifier: GPL-2.0-only
/* arith.c - dosh's $((...)): integer arithmetic with C precedence, variables and assignments, as dash has it. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dosh.h"

struct ar {
	const char *expr, *p;
	int noeval;	/* inside the branch a short-circuit skips */
};

static void ar_error(struct ar *a, const char *what)
{
	dosh_error("arithmetic expression: %s: \"%s\"", what, a->expr);
}

static void skipws(struct ar *a)
{
	while (*a->p == ' ' || *a->p == '\t' || *a->p == '\n')
		a->p++;
}

/* Parse a number the way dash does: decimal, 0octal, 0xhex. */
static int parse_num(const char *s, intmax_t *out, const char **end)
{
	char *e;
	uintmax_t v;

	errno = 0;
	v = strtoumax(s, &e, 0);
	if (e == s)
		return -EINVAL;
	*out = (intmax_t)v;
	*end = e;
	return 0;
}

static intmax_t var_value(struct ar *a, const char *name)
{
	const char *v = dosh_getvar(name), *end;
	intmax_t n;

	(void)a;
	if (!v || !*v) {
		if (!v && dosh_opt.u)
			dosh_error("%s: parameter not set", name);
		return 0;
	}
	while (*v == ' ' || *v == '\t' || *v == '\n')
		v++;
	if (*v == '-' || *v == '+') {
		int neg = *v == '-';

		if (parse_num(v + 1, &n, &end) || *end)
			dosh_error("Illegal number: %s", dosh_getvar(name));
		return neg ? (intmax_t)(0 - (uintmax_t)n) : n;
	}
	if (parse_num(v, &n, &end) || *end)
		dosh_error("Illegal number: %s", dosh_getvar(name));
	return n;
}

static intmax_t assign(struct ar *a);

static intmax_t primary(struct ar *a)
{
	intmax_t v;

	skipws(a);
	if (*a->p == '(') {
		a->p++;
		v = assign(a);
		skipws(a);
		if (*a->p != ')')
			ar_error(a, "expecting ')'");
		a->p++;
		return v;
	}
	if (isdigit((unsigned char)*a->p)) {
		const char *end;

		if (parse_num(a->p, &v, &end))
			ar_error(a, "expecting primary");
		a->p = end;
		return v;
	}
	if (dosh_is_name(a->p, 1)) {
		size_t n = 1;
		char *name;

		while (dosh_is_name(a->p, n + 1))
			n++;
		name = dosh_ststrndup(a->p, n);
		a->p += n;
		return a->noeval ? 0 : var_value(a, name);
	}
	ar_error(a, "expecting primary");
	return 0;
}

static intmax_t unary(struct ar *a)
{
	skipws(a);
	switch (*a->p) {
	case '-':
		a->p++;
		return (intmax_t)(0 - (uintmax_t)unary(a));
	case '+':
		a->p++;
		return unary(a);
	case '!':
		a->p++;
		return !unary(a);
	case '~':
		a->p++;
		return ~unary(a);
	}
	return primary(a);
}

/* Binary operators by precedence level, lowest first. */
static const struct binop {
	const char *op;
	int prec;
} binops[] = {
	{ "||", 1 }, { "&&", 2 }, { "|", 3 }, { "^", 4 }, { "&", 5 },
	{ "==", 6 }, { "!=", 6 }, { "<=", 7 }, { ">=", 7 }, { "<<", 8 },
	{ ">>", 8 }, { "<", 7 }, { ">", 7 }, { "+", 9 }, { "-", 9 },
	{ "*", 10 }, { "/", 10 }, { "%", 10 }, { NULL, 0 },
};

static const struct binop *peek_binop(struct ar *a)
{
	const struct binop *b;

	skipws(a);
	for (b = binops; b->op; b++) {
		size_t n = strlen(b->op);

		if (strncmp(a->p, b->op, n))
			continue;
		/* not an assignment operator such as "+=" or "<<=" */
		if (a->p[n] == '=' && strcmp(b->op, "==") &&
		    strcmp(b->op, "!=") && strcmp(b->op, "<=") &&
		    strcmp(b->op, ">="))
			return NULL;
		return b;
	}
	return NULL;
}

static intmax_t apply(struct ar *a, const char *op, intmax_t l, intmax_t r)
{
	uintmax_t ul = (uintmax_t)l, ur = (uintmax_t)r;

	switch (op[0]) {
	case '|':
		return op[1] ? (l || r) : (intmax_t)(ul | ur);
	case '&':
		return op[1] ? (l && r) : (intmax_t)(ul & ur);
	case '^':
		return (intmax_t)(ul ^ ur);
	case '=':
		return l == r;
	case '!':
		return l != r;
	case '<':
		if (op[1] == '<')
			return (intmax_t)(ul << (ur & 63));
		return op[1] ? l <= r : l < r;
	case '>':
		if (op[1] == '>')
			return l >> (ur & 63);
		return op[1] ? l >= r : l > r;
	case '+':
		return (intmax_t)(ul + ur);
	case '-':
		return (intmax_t)(ul - ur);
	case '*':
		return (intmax_t)(ul * ur);
	case '/':
	case '%':
		if (a->noeval)
			return 0;
		if (r == 0)
			ar_error(a, "division by zero");
		if (l == INTMAX_MIN && r == -1)
			return op[0] == '/' ? l : 0;
		return op[0] == '/' ? l / r : l % r;
	}
	return 0;
}

static intmax_t binary(struct ar *a, int minprec)
{
	intmax_t l = unary(a);
	const struct binop *b;

	while ((b = peek_binop(a)) && b->prec >= minprec) {
		intmax_t r;

		a->p += strlen(b->op);
		if (b->prec <= 2) {
			/* && and ||: short-circuit */
			int skip = b->prec == 1 ? l != 0 : l == 0;

			a->noeval += skip;
			r = binary(a, b->prec + 1);
			a->noeval -= skip;
			l = b->prec == 1 ? (l || r) : (l && r);
			continue;
		}
		r = binary(a, b->prec + 1);
		l = apply(a, b->op, l, r);
	}
	return l;
}

static intmax_t ternary(struct ar *a)
{
	intmax_t c = binary(a, 1), t, f;

	skipws(a);
	if (*a->p != '?')
		return c;
	a->p++;
	a->noeval += !c;
	t = assign(a);
	a->noeval -= !c;
	skipws(a);
	if (*a->p != ':')
		ar_error(a, "expecting ':'");
	a->p++;
	a->noeval += !!c;
	f = ternary(a);
	a->noeval -= !!c;
	return c ? t : f;
}

static intmax_t assign(struct ar *a)
{
	static const char *const aops[] = {
		"<<=", ">>=", "+=", "-=", "*=", "/=", "%=", "&=", "^=", "|=",
		"=", NULL,
	};
	const char *save;
	size_t n = 0;
	int k;

	skipws(a);
	save = a->p;
	if (dosh_is_name(a->p, 1)) {
		while (dosh_is_name(a->p, n + 1))
			n++;
		a->p += n;
		skipws(a);
		for (k = 0; aops[k]; k++) {
			size_t on = strlen(aops[k]);
			char *name;
			intmax_t v;
			char buf[32];

			if (strncmp(a->p, aops[k], on) || a->p[on] == '=' ||
			    (on == 1 && a->p[1] == '='))
				continue;
			name = dosh_ststrndup(save, n);
			a->p += on;
			v = assign(a);
			if (on > 1) {
				char op[3] = { aops[k][0], 0, 0 };

				if (aops[k][1] != '=')
					op[1] = aops[k][1];
				v = apply(a, op, a->noeval ? 0 :
					  var_value(a, name), v);
			}
			if (!a->noeval) {
				snprintf(buf, sizeof(buf), "%jd", v);
				dosh_setvar(name, buf, 0);
			}
			return v;
		}
		a->p = save;
	}
	return ternary(a);
}

intmax_t dosh_arith(const char *expr)
{
	struct ar a = { .expr = expr, .p = expr };
	intmax_t v;

	skipws(&a);
	if (!*a.p)
		return 0;
	v = assign(&a);
	skipws(&a);
	if (*a.p)
		ar_error(&a, "expecting EOF");
	return v;
}
