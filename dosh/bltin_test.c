// SPDX-License-Identifier: GPL-2.0-only
/* bltin_test.c - dosh's test and [ builtins, with POSIX's rules for few arguments and dash's parse of the rest. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dosh.h"

enum tok {
	EOI, OPERAND, UNOT, BAND, BOR, LPAREN, RPAREN,
	/* unary */
	FILRD, FILWR, FILEX, FILEXIST, FILREG, FILDIR, FILCDEV, FILBDEV,
	FILFIFO, FILSOCK, FILSYM, FILGZ, FILTT, FILSUID, FILSGID, FILSTCK,
	FILUID, FILGID, STREZ, STRNZ,
	/* binary */
	STREQ, STRNE, STRLT, STRGT, INTEQ, INTNE, INTGE, INTGT, INTLE, INTLT,
	FILNT, FILOT, FILEQ,
};

enum { UNOP, BINOP, BUNOP, BBINOP, PAREN };

struct t_op {
	const char *text;
	enum tok num;
	int type;
};

static const struct t_op ops[] = {
	{ "-r", FILRD, UNOP }, { "-w", FILWR, UNOP }, { "-x", FILEX, UNOP },
	{ "-e", FILEXIST, UNOP }, { "-f", FILREG, UNOP },
	{ "-d", FILDIR, UNOP }, { "-c", FILCDEV, UNOP },
	{ "-b", FILBDEV, UNOP }, { "-p", FILFIFO, UNOP },
	{ "-u", FILSUID, UNOP }, { "-g", FILSGID, UNOP },
	{ "-k", FILSTCK, UNOP }, { "-s", FILGZ, UNOP }, { "-t", FILTT, UNOP },
	{ "-z", STREZ, UNOP }, { "-n", STRNZ, UNOP }, { "-h", FILSYM, UNOP },
	{ "-O", FILUID, UNOP }, { "-G", FILGID, UNOP }, { "-L", FILSYM, UNOP },
	{ "-S", FILSOCK, UNOP }, { "=", STREQ, BINOP }, { "!=", STRNE, BINOP },
	{ "<", STRLT, BINOP }, { ">", STRGT, BINOP }, { "-eq", INTEQ, BINOP },
	{ "-ne", INTNE, BINOP }, { "-ge", INTGE, BINOP },
	{ "-gt", INTGT, BINOP }, { "-le", INTLE, BINOP },
	{ "-lt", INTLT, BINOP }, { "-nt", FILNT, BINOP },
	{ "-ot", FILOT, BINOP }, { "-ef", FILEQ, BINOP }, { "!", UNOT, BUNOP },
	{ "-a", BAND, BBINOP }, { "-o", BOR, BBINOP }, { "(", LPAREN, PAREN },
	{ ")", RPAREN, PAREN }, { NULL, 0, 0 },
};

struct tst {
	char **wp;
	const struct t_op *wp_op;
};

static void syntax(const char *op, const char *msg)
{
	if (op && *op)
		dosh_error("%s: %s", op, msg);
	dosh_error("%s", msg);
}

static const struct t_op *getop(const char *s)
{
	const struct t_op *op;

	for (op = ops; op->text; op++)
		if (!strcmp(s, op->text))
			return op;
	return NULL;
}

static int isoperand(char **tp)
{
	const struct t_op *op;

	if (!tp[1])
		return 1;
	if (!tp[2])
		return 0;
	op = getop(tp[1]);
	return op && op->type == BINOP;
}

static enum tok t_lex(struct tst *t, char **tp)
{
	const struct t_op *op;

	if (!*tp) {
		t->wp_op = NULL;
		return EOI;
	}
	op = getop(*tp);
	if (op && !(op->type == UNOP && isoperand(tp)) &&
	    !(op->num == LPAREN && !tp[1])) {
		t->wp_op = op;
		return op->num;
	}
	t->wp_op = NULL;
	return OPERAND;
}

static long long getn(const char *s)
{
	char *end;
	long long v;
	const char *p = s;

	while (*p == ' ' || *p == '\t')
		p++;
	errno = 0;
	v = strtoll(p, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	if (!*p || *end || errno)
		dosh_error("Illegal number: %s", s);
	return v;
}

static int filstat(const char *f, enum tok n)
{
	struct stat st;
	int r = n == FILSYM ? lstat(f, &st) : stat(f, &st);

	if (r < 0)
		return 0;
	switch (n) {
	case FILRD:
		return access(f, R_OK) == 0;
	case FILWR:
		return access(f, W_OK) == 0;
	case FILEX:
		return access(f, X_OK) == 0;
	case FILEXIST:
		return 1;
	case FILREG:
		return S_ISREG(st.st_mode);
	case FILDIR:
		return S_ISDIR(st.st_mode);
	case FILCDEV:
		return S_ISCHR(st.st_mode);
	case FILBDEV:
		return S_ISBLK(st.st_mode);
	case FILFIFO:
		return S_ISFIFO(st.st_mode);
	case FILSOCK:
		return S_ISSOCK(st.st_mode);
	case FILSYM:
		return S_ISLNK(st.st_mode);
	case FILSUID:
		return (st.st_mode & S_ISUID) != 0;
	case FILSGID:
		return (st.st_mode & S_ISGID) != 0;
	case FILSTCK:
		return (st.st_mode & S_ISVTX) != 0;
	case FILGZ:
		return st.st_size > 0;
	case FILUID:
		return st.st_uid == geteuid();
	case FILGID:
		return st.st_gid == getegid();
	default:
		return 0;
	}
}

static int newer(const char *a, const char *b, int older)
{
	struct stat sa, sb;

	if (stat(a, &sa) < 0 || stat(b, &sb) < 0)
		return 0;
	if (sa.st_mtim.tv_sec != sb.st_mtim.tv_sec)
		return older ? sa.st_mtim.tv_sec < sb.st_mtim.tv_sec :
			       sa.st_mtim.tv_sec > sb.st_mtim.tv_sec;
	return older ? sa.st_mtim.tv_nsec < sb.st_mtim.tv_nsec :
		       sa.st_mtim.tv_nsec > sb.st_mtim.tv_nsec;
}

static int binop(struct tst *t)
{
	const char *a = *t->wp, *b;
	const struct t_op *op;
	struct stat sa, sb;

	t_lex(t, ++t->wp);
	op = t->wp_op;
	b = *++t->wp;
	if (!b)
		syntax(op->text, "argument expected");
	switch (op->num) {
	case STREQ:
		return !strcmp(a, b);
	case STRNE:
		return strcmp(a, b) != 0;
	case STRLT:
		return strcmp(a, b) < 0;
	case STRGT:
		return strcmp(a, b) > 0;
	case INTEQ:
		return getn(a) == getn(b);
	case INTNE:
		return getn(a) != getn(b);
	case INTGE:
		return getn(a) >= getn(b);
	case INTGT:
		return getn(a) > getn(b);
	case INTLE:
		return getn(a) <= getn(b);
	case INTLT:
		return getn(a) < getn(b);
	case FILNT:
		return newer(a, b, 0);
	case FILOT:
		return newer(a, b, 1);
	case FILEQ:
		return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
		       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	default:
		return 0;
	}
}

static int oexpr(struct tst *t, enum tok n);

static int primary(struct tst *t, enum tok n)
{
	enum tok nn;
	int res;

	if (n == EOI)
		return 0;
	if (n == LPAREN) {
		nn = t_lex(t, ++t->wp);
		if (nn == RPAREN)
			return 0;
		res = oexpr(t, nn);
		if (t_lex(t, ++t->wp) != RPAREN)
			syntax(NULL, "closing paren expected");
		return res;
	}
	if (t->wp_op && t->wp_op->type == UNOP) {
		const struct t_op *op = t->wp_op;

		if (!*++t->wp)
			syntax(op->text, "argument expected");
		switch (n) {
		case STREZ:
			return !**t->wp;
		case STRNZ:
			return **t->wp != 0;
		case FILTT:
			return isatty((int)getn(*t->wp));
		default:
			return filstat(*t->wp, n);
		}
	}
	t_lex(t, t->wp + 1);
	if (t->wp_op && t->wp_op->type == BINOP)
		return binop(t);
	return **t->wp != 0;
}

static int nexpr(struct tst *t, enum tok n)
{
	if (n == UNOT)
		return !nexpr(t, t_lex(t, ++t->wp));
	return primary(t, n);
}

static int aexpr(struct tst *t, enum tok n)
{
	int res = 1;

	for (;;) {
		if (!nexpr(t, n))
			res = 0;
		n = t_lex(t, t->wp + 1);
		if (n != BAND)
			break;
		n = t_lex(t, t->wp += 2);
	}
	return res;
}

static int oexpr(struct tst *t, enum tok n)
{
	int res = 0;

	for (;;) {
		res |= aexpr(t, n);
		n = t_lex(t, t->wp + 1);
		if (n != BOR)
			break;
		n = t_lex(t, t->wp += 2);
	}
	return res;
}

int dosh_b_test(int argc, char **argv)
{
	struct tst t = { 0 };
	const struct t_op *op;
	enum tok n;
	int res = 1;

	if (argv[0][0] == '[') {
		if (strcmp(argv[--argc], "]"))
			dosh_error("missing ]");
		argv[argc] = NULL;
	}
recheck:
	argv++;
	argc--;
	if (argc < 1)
		return res;
	switch (argc) {
	case 3:
		op = getop(argv[1]);
		if (op && op->type == BINOP) {
			n = OPERAND;
			goto eval;
		}
		/* fall through */
	case 4:
		if (!strcmp(argv[0], "(") && !strcmp(argv[argc - 1], ")")) {
			argv[--argc] = NULL;
			argv++;
			argc--;
		} else if (!strcmp(argv[0], "!")) {
			res = 0;
			goto recheck;
		}
	}
	n = t_lex(&t, argv);
eval:
	t.wp = argv;
	res ^= oexpr(&t, n);
	argv = t.wp;
	if (argv[0] && argv[1])
		syntax(argv[0], "unexpected operator");
	return res;
}
