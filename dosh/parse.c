// SPDX-License-Identifier: GPL-2.0-only
/*
 * parse.c - dosh's input sources, lexer and recursive-descent parser: POSIX
 * sh grammar into a syntax tree whose words keep their source text.
 *
 * The `!` rule: a word that starts with an unquoted `!` followed directly
 * by more characters, in the command-name position of a simple command
 * (after any assignments), marks a host command: `!ls -l` runs ls on the
 * host. A `!` standing alone as a word (followed by a blank, a newline or
 * an operator) is POSIX pipeline negation, allowed only where a pipeline
 * starts: `! grep -q x f` negates, `! !grep -q x f` negates a host grep.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dosh.h"

/* ---- input ---- */

struct recorder {
	struct dosh_sb *sb;
	struct recorder *prev;
};

struct dosh_input {
	char *buf;
	size_t len, pos, cap;
	int fd, owned, seekable, eof, interactive;
	int lineno;
	int ps2;
	const char *str;	/* string input: no refill */
	struct recorder *rec;
	size_t vpos;		/* set -v: echoed up to here */
};

static struct dosh_input *input_new(void)
{
	struct dosh_input *in = dosh_xzalloc(sizeof(*in));

	in->fd = -1;
	in->lineno = 1;
	return in;
}

struct dosh_input *dosh_input_string(const char *s, int lineno)
{
	struct dosh_input *in = input_new();

	in->str = s;
	in->buf = (char *)s;
	in->len = strlen(s);
	in->eof = 1;
	in->lineno = lineno;
	return in;
}

struct dosh_input *dosh_input_fd(int fd, int owned)
{
	struct dosh_input *in = input_new();

	in->fd = fd;
	in->owned = owned;
	in->seekable = lseek(fd, 0, SEEK_CUR) >= 0;
	return in;
}

struct dosh_input *dosh_input_interactive(void)
{
	struct dosh_input *in = dosh_input_fd(0, 0);

	in->interactive = 1;
	in->seekable = 0;
	return in;
}

void dosh_input_free(struct dosh_input *in)
{
	if (!in)
		return;
	if (!in->str)
		free(in->buf);
	if (in->owned && in->fd >= 0)
		close(in->fd);
	free(in);
}

void dosh_input_flush(struct dosh_input *in)
{
	in->pos = in->len;
}

void dosh_input_sync(struct dosh_input *in)
{
	if (in->str || !in->seekable || in->owned || in->pos >= in->len)
		return;
	if (lseek(in->fd, -(off_t)(in->len - in->pos), SEEK_CUR) >= 0)
		in->len = in->pos;
}

/* Drop what the parser has consumed; called between commands. */
static void input_compact(struct dosh_input *in)
{
	if (in->str || !in->pos)
		return;
	memmove(in->buf, in->buf + in->pos, in->len - in->pos);
	in->len -= in->pos;
	in->vpos = in->vpos > in->pos ? in->vpos - in->pos : 0;
	in->pos = 0;
}

static void input_append(struct dosh_input *in, const char *s, size_t n)
{
	if (in->len + n > in->cap) {
		while (in->len + n > in->cap)
			in->cap = in->cap ? in->cap * 2 : 4096;
		in->buf = dosh_xrealloc(in->buf, in->cap);
	}
	memcpy(in->buf + in->len, s, n);
	in->len += n;
}

/* Read more input. Returns 0 at the end of input. */
static int input_refill(struct dosh_input *in)
{
	char chunk[4096];
	ssize_t r;

	if (in->eof)
		return 0;
	if (in->interactive) {
		struct dosh_stmark m;
		char *line = NULL;
		size_t n = 0;
		int rc;

		dosh_stmark(&m);
		rc = dosh_el_readline(dosh_prompt(in->ps2), &line, &n);
		dosh_stpop(&m);
		in->ps2 = 1;
		if (rc <= 0) {
			in->eof = 1;
			return 0;
		}
		input_append(in, line, n);
		free(line);
		return 1;
	}
	for (;;) {
		/*
		 * A shared fd that cannot seek back is read a byte at a time,
		 * so that a command reading the same input (read, cat) starts
		 * where the script's current line ends, as POSIX asks.
		 */
		size_t want = in->seekable || in->owned ? sizeof(chunk) : 1;

		r = read(in->fd, chunk, want);
		if (r < 0 && errno == EINTR)
			continue;
		break;
	}
	if (r <= 0) {
		in->eof = 1;
		return 0;
	}
	input_append(in, chunk, (size_t)r);
	if (!in->seekable && !in->owned) {
		while (chunk[0] != '\n') {
			r = read(in->fd, chunk, 1);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			input_append(in, chunk, 1);
		}
	}
	return 1;
}

/* ---- lexer ---- */

enum {
	T_EOF, T_NL, T_WORD, T_IONUM, T_SEMI, T_DSEMI, T_AMP, T_AND, T_PIPE,
	T_OR, T_LPAREN, T_RPAREN, T_LESS, T_GREAT, T_DGREAT, T_CLOBBER,
	T_LESSAND, T_GREATAND, T_LESSGREAT, T_DLESS, T_DLESSDASH,
};

static const char *const tokstr[] = {
	[T_SEMI] = ";", [T_DSEMI] = ";;", [T_AMP] = "&", [T_AND] = "&&",
	[T_PIPE] = "|", [T_OR] = "||", [T_LPAREN] = "(", [T_RPAREN] = ")",
	[T_LESS] = "<", [T_GREAT] = ">", [T_DGREAT] = ">>", [T_CLOBBER] = ">|",
	[T_LESSAND] = "<&", [T_GREATAND] = ">&", [T_LESSGREAT] = "<>",
	[T_DLESS] = "<<", [T_DLESSDASH] = "<<-",
};

struct heredoc {
	struct dosh_redir *r;
	char *delim;
	int strip;
	struct heredoc *next;
};

struct parser {
	struct dosh_input *in;
	struct dosh_pool *pool;
	int tok, pushed;
	char *text;		/* T_WORD text, T_IONUM digits */
	int quoted;		/* the word had quotes or backslashes */
	int toklineno;
	struct heredoc *hd;
	struct {
		const char *name;
		size_t end;	/* active until the input passes here */
	} alias[16];
	int nalias;
	int alias_next;	/* an alias ending in a blank: check the next word */
};

/* set -v: write the input lines read so far to stderr. */
static void verbose_echo(struct dosh_input *in)
{
	if (!dosh_opt.v || in->str || in->pos <= in->vpos)
		return;
	if (write(2, in->buf + in->vpos, in->pos - in->vpos) < 0) {
		/* best effort */
	}
	in->vpos = in->pos;
}

static int pgetc(struct parser *p)
{
	struct dosh_input *in = p->in;
	struct recorder *r;
	int c;

	if (in->pos >= in->len && !input_refill(in)) {
		verbose_echo(in);
		return -1;
	}
	c = (unsigned char)in->buf[in->pos++];
	if (c == '\n') {
		in->lineno++;
		verbose_echo(in);
	}
	for (r = in->rec; r; r = r->prev)
		dosh_sb_putc(r->sb, c);
	return c;
}

static void pungetc(struct parser *p, int c)
{
	struct dosh_input *in = p->in;
	struct recorder *r;

	if (c < 0)
		return;
	in->pos--;
	if (c == '\n')
		in->lineno--;
	for (r = in->rec; r; r = r->prev)
		r->sb->len--;
}

/* Forget the last @n characters from every recorder (line continuation). */
static void unrecord(struct parser *p, size_t n)
{
	struct recorder *r;

	for (r = p->in->rec; r; r = r->prev)
		r->sb->len -= n;
}

static void rec_push(struct parser *p, struct recorder *r, struct dosh_sb *sb)
{
	dosh_sb_init(sb);
	r->sb = sb;
	r->prev = p->in->rec;
	p->in->rec = r;
}

static void rec_pop(struct parser *p, struct recorder *r)
{
	p->in->rec = r->prev;
}

static void read_dollar(struct parser *p, int dq);
static void read_dquote(struct parser *p);
static void read_backquote(struct parser *p);
static struct dosh_node *list(struct parser *p, int nlflag);
static int next(struct parser *p);
static void synexpect(struct parser *p, const char *what)
	__attribute__((noreturn));

/* An error met while reading: reported at the line reached, as dash does. */
static void __attribute__((noreturn)) lexerror(struct parser *p, const char *msg)
{
	dosh_lineno = p->in->lineno;
	dosh_synerror("%s", msg);
}

static void read_squote(struct parser *p)
{
	int c;

	while ((c = pgetc(p)) != '\'')
		if (c < 0)
			lexerror(p, "Unterminated quoted string");
}

/* After a backslash: a backslash-newline pair vanishes. */
static void read_escaped(struct parser *p)
{
	int c = pgetc(p);

	if (c == '\n')
		unrecord(p, 2);
}

static void read_dquote(struct parser *p)
{
	int c;

	for (;;) {
		c = pgetc(p);
		switch (c) {
		case -1:
			lexerror(p, "Unterminated quoted string");
		case '"':
			return;
		case '\\':
			read_escaped(p);
			break;
		case '$':
			read_dollar(p, 1);
			break;
		case '`':
			read_backquote(p);
			break;
		}
	}
}

static void read_backquote(struct parser *p)
{
	int c;

	for (;;) {
		c = pgetc(p);
		if (c < 0)
			lexerror(p, "EOF in backquote substitution");
		if (c == '`')
			return;
		if (c == '\\') {
			c = pgetc(p);
			if (c < 0)
				lexerror(p, "EOF in backquote substitution");
		}
	}
}

static void read_cmdsub(struct parser *p)
{
	struct parser sub = { .in = p->in, .pool = p->pool };

	/* The tree is not used: the text is parsed again when it runs. */
	list(&sub, 1);
	if (next(&sub) != T_RPAREN)
		synexpect(&sub, "\")\"");
}

static void read_arith(struct parser *p)
{
	int depth = 0, c;

	for (;;) {
		c = pgetc(p);
		switch (c) {
		case -1:
			lexerror(p, "Missing '))'");
		case '(':
			depth++;
			break;
		case ')':
			if (depth) {
				depth--;
				break;
			}
			c = pgetc(p);
			if (c == ')')
				return;
			/* an unbalanced ')' is part of the expression, as in dash */
			pungetc(p, c);
			break;
		case '\\':
			read_escaped(p);
			break;
		case '"':
			read_dquote(p);
			break;
		case '$':
			read_dollar(p, 1);
			break;
		case '`':
			read_backquote(p);
			break;
		}
	}
}

static void read_brace(struct parser *p, int dq)
{
	int c;

	for (;;) {
		c = pgetc(p);
		switch (c) {
		case -1:
			lexerror(p, "Missing '}'");
		case '}':
			return;
		case '\\':
			read_escaped(p);
			break;
		case '\'':
			if (!dq)
				read_squote(p);
			break;
		case '"':
			read_dquote(p);
			break;
		case '$':
			read_dollar(p, dq);
			break;
		case '`':
			read_backquote(p);
			break;
		}
	}
}

static void read_dollar(struct parser *p, int dq)
{
	int c = pgetc(p);

	if (c == '{') {
		read_brace(p, dq);
	} else if (c == '(') {
		c = pgetc(p);
		if (c == '(') {
			read_arith(p);
		} else {
			pungetc(p, c);
			read_cmdsub(p);
		}
	} else {
		pungetc(p, c);
	}
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static int ends_word(int c)
{
	return c < 0 || is_blank(c) || strchr("\n;&|()<>", c);
}

static void read_heredocs(struct parser *p);

static int read_word(struct parser *p)
{
	struct recorder r;
	struct dosh_sb sb;
	int c, quoted = 0, digits = 1;

	rec_push(p, &r, &sb);
	for (;;) {
		c = pgetc(p);
		if (ends_word(c)) {
			pungetc(p, c);
			break;
		}
		if (c < '0' || c > '9')
			digits = 0;
		switch (c) {
		case '\\':
			c = pgetc(p);
			if (c == '\n') {
				unrecord(p, 2);
				continue;
			}
			quoted = 1;
			break;
		case '\'':
			quoted = 1;
			read_squote(p);
			break;
		case '"':
			quoted = 1;
			read_dquote(p);
			break;
		case '$':
			read_dollar(p, 0);
			break;
		case '`':
			read_backquote(p);
			break;
		}
	}
	rec_pop(p, &r);
	p->text = dosh_pstrndup(p->pool, sb.s, sb.len);
	p->quoted = quoted;
	if (digits && sb.len && (c == '<' || c == '>'))
		return T_IONUM;
	return T_WORD;
}

static int read_token(struct parser *p)
{
	int c, c2;

	for (;;) {
		c = pgetc(p);
		if (is_blank(c))
			continue;
		if (c == '\\') {
			c2 = pgetc(p);
			if (c2 == '\n')
				continue;
			pungetc(p, c2);
		}
		if (c == '#') {
			while ((c = pgetc(p)) >= 0 && c != '\n')
				;
		}
		break;
	}
	p->toklineno = p->in->lineno;
	dosh_lineno = p->toklineno;
	switch (c) {
	case -1:
		return T_EOF;
	case '\n':
		p->toklineno--;
		read_heredocs(p);
		return T_NL;
	case ';':
		if ((c2 = pgetc(p)) == ';')
			return T_DSEMI;
		pungetc(p, c2);
		return T_SEMI;
	case '&':
		if ((c2 = pgetc(p)) == '&')
			return T_AND;
		pungetc(p, c2);
		return T_AMP;
	case '|':
		if ((c2 = pgetc(p)) == '|')
			return T_OR;
		pungetc(p, c2);
		return T_PIPE;
	case '(':
		return T_LPAREN;
	case ')':
		return T_RPAREN;
	case '<':
		c2 = pgetc(p);
		if (c2 == '<') {
			c2 = pgetc(p);
			if (c2 == '-')
				return T_DLESSDASH;
			pungetc(p, c2);
			return T_DLESS;
		}
		if (c2 == '&')
			return T_LESSAND;
		if (c2 == '>')
			return T_LESSGREAT;
		pungetc(p, c2);
		return T_LESS;
	case '>':
		c2 = pgetc(p);
		if (c2 == '>')
			return T_DGREAT;
		if (c2 == '&')
			return T_GREATAND;
		if (c2 == '|')
			return T_CLOBBER;
		pungetc(p, c2);
		return T_GREAT;
	}
	pungetc(p, c);
	return read_word(p);
}

static int next(struct parser *p)
{
	if (p->pushed) {
		p->pushed = 0;
		return p->tok;
	}
	p->tok = read_token(p);
	return p->tok;
}

static int peek(struct parser *p)
{
	int t = next(p);

	p->pushed = 1;
	return t;
}

static void pushback(struct parser *p)
{
	p->pushed = 1;
}

/* Quote removal for a here-document delimiter. */
static char *unquote_delim(struct parser *p, const char *s)
{
	size_t n = strlen(s), i, j = 0;
	char *d = dosh_palloc(p->pool, n + 1);
	char q = 0;

	for (i = 0; i < n; i++) {
		if (q) {
			if (s[i] == q)
				q = 0;
			else if (q == '"' && s[i] == '\\' && i + 1 < n &&
				 strchr("$`\"\\", s[i + 1]))
				d[j++] = s[++i];
			else
				d[j++] = s[i];
		} else if (s[i] == '\'' || s[i] == '"') {
			q = s[i];
		} else if (s[i] == '\\' && i + 1 < n) {
			d[j++] = s[++i];
		} else {
			d[j++] = s[i];
		}
	}
	d[j] = 0;
	return d;
}

static void read_heredocs(struct parser *p)
{
	struct heredoc *h = p->hd;

	p->hd = NULL;
	for (; h; h = h->next) {
		struct dosh_sb body, line;
		int c;

		dosh_sb_init(&body);
		for (;;) {
			dosh_sb_init(&line);
			c = pgetc(p);
			if (c < 0)
				break;
			if (h->strip)
				while (c == '\t')
					c = pgetc(p);
			while (c >= 0 && c != '\n') {
				dosh_sb_putc(&line, c);
				c = pgetc(p);
			}
			if (!strcmp(dosh_sb_str(&line), h->delim))
				break;
			dosh_sb_putn(&body, line.s, line.len);
			if (c < 0)
				break;
			dosh_sb_putc(&body, '\n');
		}
		h->r->target->text = dosh_pstrndup(p->pool, body.s, body.len);
	}
}

/* ---- parser ---- */

static const char *const reserved[] = {
	"!", "case", "do", "done", "elif", "else", "esac", "fi", "for", "if",
	"in", "then", "until", "while", "{", "}", NULL,
};

static const char *tokname(struct parser *p, int t, char *buf, size_t n)
{
	int k;

	if (t == T_EOF)
		return "end of file";
	if (t == T_NL)
		return "newline";
	if (t == T_WORD) {
		/* dash names reserved words, and says "word" for others */
		for (k = 0; reserved[k] && (p->quoted ||
					    strcmp(reserved[k], p->text)); k++)
			;
		if (!reserved[k])
			return "word";
	}
	snprintf(buf, n, "\"%s\"", t == T_WORD || t == T_IONUM ? p->text :
		 tokstr[t]);
	return buf;
}

static void synexpect(struct parser *p, const char *what)
{
	char buf[256];
	const char *t = tokname(p, p->tok, buf, sizeof(buf));

	if (what)
		dosh_synerror("%s unexpected (expecting %s)", t, what);
	dosh_synerror("%s unexpected", t);
}

static int is_kw(struct parser *p, int t, const char *kw)
{
	return t == T_WORD && !p->quoted && !strcmp(p->text, kw);
}

static void expect_kw(struct parser *p, const char *kw)
{
	char what[32];

	if (is_kw(p, next(p), kw))
		return;
	snprintf(what, sizeof(what), "\"%s\"", kw);
	synexpect(p, what);
}

static void linebreak(struct parser *p)
{
	while (next(p) == T_NL)
		;
	pushback(p);
}

static int is_redir_tok(int t)
{
	return t == T_IONUM || (t >= T_LESS && t <= T_DLESSDASH);
}

/* Can token @t start a command in a list? */
static int starts_command(struct parser *p, int t)
{
	static const char *const stop[] = {
		"then", "else", "elif", "fi", "do", "done", "esac", "}", NULL,
	};
	int i;

	if (t == T_LPAREN || is_redir_tok(t))
		return 1;
	if (t != T_WORD)
		return 0;
	if (p->quoted)
		return 1;
	for (i = 0; stop[i]; i++)
		if (!strcmp(p->text, stop[i]))
			return 0;
	return 1;
}

/* Tokens that end a compound list. */
static int ends_list(struct parser *p, int t)
{
	return t == T_EOF || t == T_RPAREN || t == T_DSEMI ||
	       (t == T_WORD && !starts_command(p, t));
}

static struct dosh_node *mknode(struct parser *p, enum dosh_ntype type)
{
	struct dosh_node *n = dosh_palloc(p->pool, sizeof(*n));

	n->type = type;
	n->lineno = p->toklineno;
	return n;
}

static struct dosh_node *mkbin(struct parser *p, enum dosh_ntype type,
			       struct dosh_node *l, struct dosh_node *r)
{
	struct dosh_node *n = mknode(p, type);

	n->lineno = l ? l->lineno : n->lineno;
	n->u.bin.l = l;
	n->u.bin.r = r;
	return n;
}

static struct dosh_word *mkword(struct parser *p, const char *text)
{
	struct dosh_word *w = dosh_palloc(p->pool, sizeof(*w));

	w->text = (char *)text;
	return w;
}

static struct dosh_node *andor(struct parser *p);
static struct dosh_node *command(struct parser *p);
static int alias_expand(struct parser *p);

static struct dosh_node *list(struct parser *p, int nlflag)
{
	struct dosh_node *n = NULL, *n1;
	int t;

	for (;;) {
		if (nlflag)
			linebreak(p);
		t = peek(p);
		if (!starts_command(p, t)) {
			/*
			 * Only a token that can end a list ends it; anything
			 * else ("; ;", "| x") is unexpected right here.
			 */
			if (nlflag && !ends_list(p, t)) {
				next(p);
				synexpect(p, NULL);
			}
			break;
		}
		n1 = andor(p);
		t = next(p);
		if (t == T_AMP) {
			struct dosh_node *bg = mknode(p, N_BG);

			bg->lineno = n1->lineno;
			bg->u.one.body = n1;
			n1 = bg;
		}
		n = n ? mkbin(p, N_SEQ, n, n1) : n1;
		if (t == T_AMP || t == T_SEMI) {
			if (!nlflag) {
				t = peek(p);
				if (t == T_NL) {
					next(p);
					break;
				}
				if (t == T_EOF)
					break;
			}
			continue;
		}
		if (t == T_NL) {
			if (!nlflag)
				break;
			continue;
		}
		pushback(p);
		break;
	}
	return n;
}

static struct dosh_node *pipeline(struct parser *p)
{
	struct dosh_node *cmds[64], **v = cmds, *n;
	int neg = 0, cnt = 0, cap = 64, lineno;

	if (is_kw(p, next(p), "!")) {
		neg = 1;
		if (is_kw(p, peek(p), "!"))
			synexpect(p, NULL);
	} else {
		pushback(p);
	}
	lineno = p->toklineno;
	for (;;) {
		n = command(p);
		if (cnt == cap) {
			struct dosh_node **nv =
				dosh_palloc(p->pool, 2 * cap * sizeof(*nv));

			memcpy(nv, v, cnt * sizeof(*nv));
			v = nv;
			cap *= 2;
		}
		v[cnt++] = n;
		if (next(p) != T_PIPE) {
			pushback(p);
			break;
		}
		linebreak(p);
	}
	if (cnt > 1) {
		n = mknode(p, N_PIPE);
		n->lineno = lineno;
		n->u.pipe.n = cnt;
		n->u.pipe.cmds = dosh_palloc(p->pool, cnt * sizeof(*v));
		memcpy(n->u.pipe.cmds, v, cnt * sizeof(*v));
	}
	if (neg) {
		struct dosh_node *nn = mknode(p, N_NOT);

		nn->lineno = n->lineno;
		nn->u.one.body = n;
		n = nn;
	}
	return n;
}

static struct dosh_node *andor(struct parser *p)
{
	struct dosh_node *n = pipeline(p);
	int t;

	for (;;) {
		t = next(p);
		if (t != T_AND && t != T_OR) {
			pushback(p);
			return n;
		}
		linebreak(p);
		n = mkbin(p, t == T_AND ? N_AND : N_OR, n, pipeline(p));
	}
}

/*
 * A compound list that must not be empty. At the end of input dash names
 * the word that would close the construct: @closer.
 */
static struct dosh_node *clist(struct parser *p, const char *closer)
{
	struct dosh_node *n = list(p, 1);

	if (!n)
		synexpect(p, next(p) == T_EOF ? closer : NULL);
	return n;
}

static struct dosh_redir *redirection(struct parser *p, int t)
{
	struct dosh_redir *r = dosh_palloc(p->pool, sizeof(*r));
	static const signed char deffd[] = {
		[T_LESS] = 0, [T_GREAT] = 1, [T_DGREAT] = 1, [T_CLOBBER] = 1,
		[T_LESSAND] = 0, [T_GREATAND] = 1, [T_LESSGREAT] = 0,
		[T_DLESS] = 0, [T_DLESSDASH] = 0,
	};
	static const signed char rtype[] = {
		[T_LESS] = R_IN, [T_GREAT] = R_OUT, [T_DGREAT] = R_APPEND,
		[T_CLOBBER] = R_CLOBBER, [T_LESSAND] = R_DUPIN,
		[T_GREATAND] = R_DUPOUT, [T_LESSGREAT] = R_INOUT,
		[T_DLESS] = R_HEREDOC, [T_DLESSDASH] = R_HEREDOC,
	};
	int fd = -1;

	if (t == T_IONUM) {
		long v = strtol(p->text, NULL, 10);

		fd = v > 255 ? 255 : (int)v;
		t = next(p);
	}
	r->fd = fd >= 0 ? fd : deffd[t];
	r->type = rtype[t];
	if (next(p) != T_WORD)
		synexpect(p, NULL);
	r->target = mkword(p, p->text);
	if (r->type == R_DUPIN || r->type == R_DUPOUT) {
		const char *s = p->text;

		if (!strpbrk(s, "$`") && strcmp(s, "-") &&
		    (!*s || strspn(s, "0123456789") != strlen(s)))
			dosh_synerror("Bad fd number");
	}
	if (r->type == R_HEREDOC) {
		struct heredoc *h = dosh_palloc(p->pool, sizeof(*h)), **pp;

		h->r = r;
		h->strip = t == T_DLESSDASH;
		h->delim = unquote_delim(p, p->text);
		r->hd_quoted = p->quoted;
		r->target = mkword(p, "");
		for (pp = &p->hd; *pp; pp = &(*pp)->next)
			;
		*pp = h;
	}
	return r;
}

static void redir_list(struct parser *p, struct dosh_node *n)
{
	struct dosh_redir **rp = &n->redirs;
	int t;

	while (*rp)
		rp = &(*rp)->next;
	while (is_redir_tok(t = next(p))) {
		*rp = redirection(p, t);
		rp = &(*rp)->next;
	}
	pushback(p);
}

static struct dosh_node *if_clause(struct parser *p)
{
	struct dosh_node *n = mknode(p, N_IF);

	n->u.ifn.cond = clist(p, "\"then\"");
	expect_kw(p, "then");
	n->u.ifn.then = clist(p, "\"fi\"");
	next(p);
	if (is_kw(p, p->tok, "elif")) {
		n->u.ifn.els = if_clause(p);
		return n;
	}
	if (is_kw(p, p->tok, "else")) {
		n->u.ifn.els = clist(p, "\"fi\"");
		next(p);
	}
	if (!is_kw(p, p->tok, "fi"))
		synexpect(p, "\"fi\"");
	return n;
}

static struct dosh_node *for_clause(struct parser *p)
{
	struct dosh_node *n = mknode(p, N_FOR);
	struct dosh_word **wp = &n->u.forn.words;
	int t;

	if (next(p) != T_WORD || p->quoted ||
	    !dosh_is_name(p->text, strlen(p->text)))
		dosh_synerror("Bad for loop variable");
	n->u.forn.var = p->text;
	linebreak(p);
	t = next(p);
	if (is_kw(p, t, "in")) {
		while ((t = next(p)) == T_WORD) {
			*wp = mkword(p, p->text);
			wp = &(*wp)->next;
		}
		if (t != T_NL && t != T_SEMI)
			synexpect(p, NULL);
	} else {
		n->u.forn.noin = 1;
		if (t != T_SEMI)
			pushback(p);
	}
	linebreak(p);
	expect_kw(p, "do");
	n->u.forn.body = clist(p, "\"done\"");
	expect_kw(p, "done");
	return n;
}

static struct dosh_node *case_clause(struct parser *p)
{
	struct dosh_node *n = mknode(p, N_CASE);
	struct dosh_caseitem **ip = &n->u.casen.items;
	int t;

	if (next(p) != T_WORD)
		synexpect(p, "word");
	n->u.casen.word = mkword(p, p->text);
	linebreak(p);
	expect_kw(p, "in");
	for (;;) {
		struct dosh_caseitem *it;
		struct dosh_word **wp;

		linebreak(p);
		t = next(p);
		if (is_kw(p, t, "esac"))
			break;
		it = dosh_palloc(p->pool, sizeof(*it));
		wp = &it->pats;
		if (t == T_LPAREN)
			t = next(p);
		for (;;) {
			if (t != T_WORD)
				synexpect(p, "word");
			*wp = mkword(p, p->text);
			wp = &(*wp)->next;
			t = next(p);
			if (t == T_RPAREN)
				break;
			if (t != T_PIPE)
				synexpect(p, "\")\"");
			t = next(p);
		}
		it->body = list(p, 1);
		*ip = it;
		ip = &it->next;
		t = next(p);
		if (t == T_DSEMI)
			continue;
		if (is_kw(p, t, "esac"))
			break;
		synexpect(p, "\";;\"");
	}
	return n;
}

static struct dosh_node *compound(struct parser *p, int t)
{
	struct dosh_node *n;

	if (t == T_LPAREN) {
		n = mknode(p, N_SUBSHELL);
		n->u.one.body = clist(p, "\")\"");
		if (next(p) != T_RPAREN)
			synexpect(p, "\")\"");
	} else if (is_kw(p, t, "{")) {
		n = mknode(p, N_BRACE);
		n->u.one.body = clist(p, "\"}\"");
		expect_kw(p, "}");
	} else if (is_kw(p, t, "if")) {
		n = if_clause(p);
	} else if (is_kw(p, t, "while") || is_kw(p, t, "until")) {
		n = mknode(p, p->text[0] == 'w' ? N_WHILE : N_UNTIL);
		n->u.bin.l = clist(p, "\"do\"");
		expect_kw(p, "do");
		n->u.bin.r = clist(p, "\"done\"");
		expect_kw(p, "done");
	} else if (is_kw(p, t, "for")) {
		n = for_clause(p);
	} else if (is_kw(p, t, "case")) {
		n = case_clause(p);
	} else {
		return NULL;
	}
	redir_list(p, n);
	return n;
}

static struct dosh_node *simple_command(struct parser *p)
{
	struct dosh_node *n = mknode(p, N_CMD);
	struct dosh_word **ap = &n->u.cmd.assigns, **wp = &n->u.cmd.args;
	struct dosh_redir **rp = &n->redirs;
	int t, nwords = 0;

	for (;;) {
		t = next(p);
		if (t == T_WORD && p->alias_next) {
			p->alias_next = 0;
			if (!p->quoted && alias_expand(p))
				continue;
		}
		p->alias_next = 0;
		if (t == T_WORD) {
			if (!nwords && dosh_assign_len(p->text)) {
				*ap = mkword(p, p->text);
				ap = &(*ap)->next;
				continue;
			}
			if (!nwords && p->text[0] == '!' && p->text[1]) {
				n->u.cmd.host = 1;
				*wp = mkword(p, p->text + 1);
			} else {
				*wp = mkword(p, p->text);
			}
			wp = &(*wp)->next;
			if (nwords++ == 0 && !n->u.cmd.assigns && !n->redirs &&
			    peek(p) == T_LPAREN) {
				/* NAME ( ) function definition */
				const char *name = n->u.cmd.args->text -
					n->u.cmd.host;
				struct dosh_node *f = mknode(p, N_FUNC);

				next(p);
				if (next(p) != T_RPAREN)
					synexpect(p, "\")\"");
				if (n->u.cmd.host ||
				    !dosh_is_name(name, strlen(name)))
					dosh_synerror("Bad function name");
				f->lineno = n->lineno;
				f->u.func.name = (char *)name;
				linebreak(p);
				f->u.func.body = command(p);
				f->u.func.pool = p->pool;
				return f;
			}
		} else if (is_redir_tok(t)) {
			*rp = redirection(p, t);
			rp = &(*rp)->next;
		} else {
			pushback(p);
			break;
		}
	}
	if (!nwords && !n->u.cmd.assigns && !n->redirs)
		synexpect(p, NULL);
	return n;
}

/* ---- aliases ---- */

struct alias {
	char *name, *value;
	struct alias *next;
};

static struct alias *aliases;

static struct alias **alias_find(const char *name)
{
	struct alias **ap;

	for (ap = &aliases; *ap; ap = &(*ap)->next)
		if (!strcmp((*ap)->name, name))
			break;
	return ap;
}

const char *dosh_alias_get(const char *name)
{
	struct alias *a = *alias_find(name);

	return a ? a->value : NULL;
}

void dosh_alias_set(const char *name, size_t n, const char *value)
{
	char *nm = dosh_xmalloc(n + 1);
	struct alias **ap, *a;

	memcpy(nm, name, n);
	nm[n] = 0;
	ap = alias_find(nm);
	if (*ap) {
		free(nm);
		free((*ap)->value);
		(*ap)->value = dosh_xstrdup(value);
		return;
	}
	a = dosh_xzalloc(sizeof(*a));
	a->name = nm;
	a->value = dosh_xstrdup(value);
	*ap = a;
}

int dosh_alias_unset(const char *name)
{
	struct alias **ap = alias_find(name), *a = *ap;

	if (!a)
		return -ENOENT;
	*ap = a->next;
	free(a->name);
	free(a->value);
	free(a);
	return 0;
}

void dosh_alias_unset_all(void)
{
	while (aliases)
		dosh_alias_unset(aliases->name);
}

void dosh_alias_list(void)
{
	struct alias *a;

	for (a = aliases; a; a = a->next) {
		dosh_outf("%s=", a->name);
		dosh_outquoted(a->value);
		dosh_out("\n", 1);
	}
}

/*
 * Replace the command word just read by its alias: the value goes into
 * the input in its place. An alias is not expanded again inside its own
 * value. Not while recording a command substitution's text: that text is
 * parsed again (and its aliases expanded) when it runs.
 */
static int alias_expand(struct parser *p)
{
	struct dosh_input *in = p->in;
	const char *val = dosh_alias_get(p->text);
	size_t n;
	int k;

	if (!val || in->rec || p->nalias == 16)
		return 0;
	for (k = 0; k < p->nalias; k++)
		if (in->pos < p->alias[k].end && !strcmp(p->alias[k].name, p->text))
			return 0;
	n = strlen(val);
	if (in->str) {
		char *copy = dosh_xmalloc(in->len + 1);

		memcpy(copy, in->str, in->len + 1);
		in->buf = copy;
		in->cap = in->len + 1;
		in->str = NULL;
	}
	if (in->len + n > in->cap) {
		in->cap = in->len + n + 64;
		in->buf = dosh_xrealloc(in->buf, in->cap);
	}
	memmove(in->buf + in->pos + n, in->buf + in->pos, in->len - in->pos);
	memcpy(in->buf + in->pos, val, n);
	in->len += n;
	for (k = 0; k < p->nalias; k++)
		if (p->alias[k].end >= in->pos)
			p->alias[k].end += n;
	p->alias[p->nalias].name = dosh_pstrndup(p->pool, p->text,
						  strlen(p->text));
	p->alias[p->nalias++].end = in->pos + n;
	p->alias_next = n && (val[n - 1] == ' ' || val[n - 1] == '\t');
	return 1;
}

static struct dosh_node *command(struct parser *p)
{
	struct dosh_node *n;
	int t = next(p);

	while (t == T_WORD && !p->quoted && aliases && alias_expand(p))
		t = next(p);

	if (t == T_WORD && !p->quoted) {
		n = compound(p, t);
		if (n)
			return n;
		if (!starts_command(p, t) || !strcmp(p->text, "!"))
			synexpect(p, NULL);
	} else if (t == T_LPAREN) {
		return compound(p, t);
	} else if (t != T_WORD && !is_redir_tok(t)) {
		synexpect(p, NULL);
	}
	pushback(p);
	return simple_command(p);
}

struct dosh_node *dosh_parse_command(struct dosh_input *in,
				     struct dosh_pool *pool, int *eof)
{
	struct parser p = { .in = in, .pool = pool };
	struct dosh_node *n;
	int t;

	*eof = 0;
	input_compact(in);
	in->ps2 = 0;
	in->rec = NULL;
	t = peek(&p);
	if (t == T_EOF) {
		*eof = 1;
		return NULL;
	}
	if (t == T_NL) {
		next(&p);
		return NULL;
	}
	n = list(&p, 0);
	if (!n || p.pushed) {
		t = next(&p);
		if (t != T_NL && t != T_EOF)
			synexpect(&p, NULL);
	}
	return n;
}

struct dosh_node *dosh_parse_string(const char *s, struct dosh_pool *pool)
{
	struct dosh_input *in = dosh_input_string(s, 1);
	struct parser p = { .in = in, .pool = pool };
	struct dosh_node *n;

	n = list(&p, 1);
	if (next(&p) != T_EOF) {
		dosh_input_free(in);
		synexpect(&p, NULL);
	}
	dosh_input_free(in);
	return n;
}

struct dosh_node *dosh_parse_cmdsub(const char *s, struct dosh_pool *pool,
				    size_t *end)
{
	struct dosh_input *in = dosh_input_string(s, dosh_lineno);
	struct parser p = { .in = in, .pool = pool };
	struct dosh_node *n;

	n = list(&p, 1);
	if (next(&p) != T_RPAREN) {
		dosh_input_free(in);
		synexpect(&p, "\")\"");
	}
	*end = in->pos;
	dosh_input_free(in);
	return n;
}

int dosh_is_name(const char *s, size_t n)
{
	size_t i;

	if (!n || !(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z') ||
		    (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (i = 1; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

size_t dosh_assign_len(const char *s)
{
	const char *eq = strchr(s, '=');

	if (!eq || !dosh_is_name(s, (size_t)(eq - s)))
		return 0;
	return (size_t)(eq - s);
}
