// SPDX-License-Identifier: GPL-2.0-only
/* bltin_printf.c - dosh's printf builtin: POSIX conversions, escapes and %b, with the format reused for extra arguments. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dosh.h"

struct pf {
	char **args;
	int status;
	int stop;	/* \c in %b */
};

static const char *nextarg(struct pf *p)
{
	return *p->args ? *p->args++ : NULL;
}

static void numerr(struct pf *p, const char *s, const char *end)
{
	if (end == s)
		dosh_warn("%s: expected numeric value", s);
	else
		dosh_warn("%s: not completely converted", s);
	p->status = 1;
}

static intmax_t getint(struct pf *p, int is_unsigned)
{
	const char *s = nextarg(p);
	char *end;
	intmax_t v;

	if (!s)
		return 0;
	if (*s == '\'' || *s == '"')
		return (unsigned char)s[1];
	errno = 0;
	if (is_unsigned && *s != '-')
		v = (intmax_t)strtoumax(s, &end, 0);
	else
		v = strtoimax(s, &end, 0);
	if (end == s || *end)
		numerr(p, s, end);
	else if (errno == ERANGE) {
		dosh_warn("%s: %s", s, strerror(ERANGE));
		p->status = 1;
	}
	return v;
}

static double getdbl(struct pf *p)
{
	const char *s = nextarg(p);
	char *end;
	double v;

	if (!s)
		return 0;
	if (*s == '\'' || *s == '"')
		return (unsigned char)s[1];
	v = strtod(s, &end);
	if (end == s || *end)
		numerr(p, s, end);
	return v;
}

/* Escapes of the format string itself: \NNN octal, no \c. */
static size_t fmt_escape(const char *s, struct dosh_sb *out)
{
	int v = 0, i;
	int stop = 0;

	if (s[1] >= '0' && s[1] <= '7') {
		for (i = 0; i < 3 && s[1 + i] >= '0' && s[1 + i] <= '7'; i++)
			v = v * 8 + (s[1 + i] - '0');
		dosh_sb_putc(out, v);
		return 1 + (size_t)i;
	}
	if (s[1] == 'c' || s[1] == '"' || s[1] == '\'') {
		dosh_sb_putc(out, '\\');
		return 1;
	}
	return dosh_escape(s, out, &stop, 0);
}

static void conv_b(struct pf *p, const char *s, struct dosh_sb *out)
{
	int stop = 0;

	while (*s && !stop)
		s += dosh_escape(s, out, &stop, 1);
	if (stop)
		p->stop = 1;
}

/* One pass over the format; returns the number of arguments used. */
static int run_format(struct pf *p, const char *fmt, struct dosh_sb *out)
{
	char **start = p->args;

	while (*fmt && !p->stop) {
		char spec[64], buf[64];
		size_t sn = 0;
		const char *f;
		char conv;

		if (*fmt == '\\') {
			fmt += fmt_escape(fmt, out);
			continue;
		}
		if (*fmt != '%') {
			dosh_sb_putc(out, *fmt++);
			continue;
		}
		if (fmt[1] == '%') {
			dosh_sb_putc(out, '%');
			fmt += 2;
			continue;
		}
		f = fmt++;
		spec[sn++] = '%';
		while (*fmt && strchr("-+ #0", *fmt) && sn < 20)
			spec[sn++] = *fmt++;
		if (*fmt == '*') {
			sn += (size_t)snprintf(spec + sn, sizeof(spec) - sn,
					       "%d", (int)getint(p, 0));
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9' && sn < 40)
				spec[sn++] = *fmt++;
		}
		if (*fmt == '.') {
			spec[sn++] = *fmt++;
			if (*fmt == '*') {
				sn += (size_t)snprintf(spec + sn,
						       sizeof(spec) - sn, "%d",
						       (int)getint(p, 0));
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9' && sn < 50)
					spec[sn++] = *fmt++;
			}
		}
		conv = *fmt;
		if (!conv || !strchr("diouxXcsbfFeEgGaA", conv)) {
			dosh_error("%%%.*s: invalid directive",
				   conv ? (int)(fmt - f) : (int)(fmt - f - 1),
				   f + 1);
		}
		fmt++;
		switch (conv) {
		case 'd':
		case 'i':
			memcpy(spec + sn, "jd", 3);
			spec[sn + 1] = conv;
			dosh_sb_printf(out, spec, getint(p, 0));
			break;
		case 'o':
		case 'u':
		case 'x':
		case 'X':
			memcpy(spec + sn, "jd", 3);
			spec[sn + 1] = conv;
			dosh_sb_printf(out, spec, (uintmax_t)getint(p, 1));
			break;
		case 'c': {
			const char *s = nextarg(p);

			spec[sn] = 'c';
			spec[sn + 1] = 0;
			dosh_sb_printf(out, spec, s ? s[0] : 0);
			break;
		}
		case 's': {
			const char *s = nextarg(p);

			spec[sn] = 's';
			spec[sn + 1] = 0;
			dosh_sb_printf(out, spec, s ? s : "");
			break;
		}
		case 'b': {
			const char *s = nextarg(p);
			struct dosh_sb tmp;

			dosh_sb_init(&tmp);
			conv_b(p, s ? s : "", &tmp);
			spec[sn] = 's';
			spec[sn + 1] = 0;
			dosh_sb_printf(out, spec, dosh_sb_str(&tmp));
			break;
		}
		default:
			spec[sn] = conv;
			spec[sn + 1] = 0;
			snprintf(buf, sizeof(buf), "%s", spec);
			dosh_sb_printf(out, buf, getdbl(p));
			break;
		}
	}
	return (int)(p->args - start);
}

int dosh_b_printf(int argc, char **argv)
{
	struct pf p = { 0 };
	struct dosh_sb out;
	const char *fmt;
	int k = 1;

	(void)argc;
	if (argv[k] && !strcmp(argv[k], "--"))
		k++;
	fmt = argv[k];
	if (!fmt)
		dosh_error("usage: printf format [arg ...]");
	p.args = argv + k + 1;
	dosh_sb_init(&out);
	do {
		int used = run_format(&p, fmt, &out);

		if (!used)
			break;
	} while (*p.args && !p.stop);
	dosh_out(out.s, out.len);
	return p.status;
}
