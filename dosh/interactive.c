// SPDX-License-Identifier: GPL-2.0-only
/*
 * interactive.c - dosh at a terminal: the prompt with both working
 * directories, libedit line editing and history (~/.dosh_history), and
 * completion of local paths and commands, or of host paths and host
 * commands after a `!`.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#ifndef DOSH_NO_LIBEDIT
#include <histedit.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hostcall.h>

#include "dosh.h"

/*
 * DOSH_NO_LIBEDIT (the static musl build: musl has no libedit): no line
 * editing, history or completion; an interactive shell reads plain lines
 * after the same prompt, as it does without a terminal.
 */
#ifndef DOSH_NO_LIBEDIT
static EditLine *el;
static History *hist;
static char *histfile;
static char *cur_prompt;
static volatile sig_atomic_t winched;

static void on_winch(int sig)
{
	(void)sig;
	winched = 1;
}
#endif

/* ---- prompt ---- */

/* The default prompt: dosh [local:~/src | host:/home/x]$ */
char *dosh_prompt(int ps2)
{
	struct dosh_sb sb;
	const char *ps, *pwd = dosh_getvar("PWD"), *home = dosh_getvar("HOME");
	char hcwd[4096];

	if (ps2) {
		ps = dosh_getvar("PS2");
		return dosh_expand_str(ps ? ps : "", 0);
	}
	if (hc_getcwd(hcwd, sizeof(hcwd)) >= 0)
		dosh_setvar("DOSH_HOSTPWD", hcwd, 0);
	else
		strcpy(hcwd, "?");
	ps = dosh_getvar("PS1");
	if (ps)
		return dosh_expand_str(ps, 0);
	dosh_sb_init(&sb);
	dosh_sb_puts(&sb, "dosh [local:");
	if (pwd && home && *home && strcmp(home, "/") &&
	    !strncmp(pwd, home, strlen(home)) &&
	    (pwd[strlen(home)] == '/' || !pwd[strlen(home)])) {
		dosh_sb_putc(&sb, '~');
		dosh_sb_puts(&sb, pwd + strlen(home));
	} else {
		dosh_sb_puts(&sb, pwd ? pwd : "?");
	}
	dosh_sb_puts(&sb, " | host:");
	dosh_sb_puts(&sb, hcwd);
	dosh_sb_puts(&sb, geteuid() ? "]$ " : "]# ");
	return dosh_sb_str(&sb);
}

#ifndef DOSH_NO_LIBEDIT
static char *prompt_fn(EditLine *e)
{
	(void)e;
	return cur_prompt ? cur_prompt : "";
}

/* ---- completion ---- */

struct matches {
	char **v;
	size_t n, cap;
};

static void add_match(struct matches *m, const char *s, int dir)
{
	size_t k, len = strlen(s);

	for (k = 0; k < m->n; k++)
		if (!strncmp(m->v[k], s, len) &&
		    (!m->v[k][len] || (m->v[k][len] == '/' && !m->v[k][len + 1])))
			return;
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 32;
		m->v = dosh_xrealloc(m->v, m->cap * sizeof(char *));
	}
	m->v[m->n] = dosh_xmalloc(len + 2);
	memcpy(m->v[m->n], s, len);
	m->v[m->n][len] = dir ? '/' : 0;
	m->v[m->n][len + 1] = 0;
	m->n++;
}

/* Entries of directory @dir (a host one if @host) starting with @pre. */
static void scan_dir(struct matches *m, const char *dir, const char *pre,
		     const char *prefix_out, int host, int exec_only)
{
	size_t plen = strlen(pre);
	struct dirent *de;
	DIR *d;
	int fd;

	if (host) {
		fd = hc_openat(AT_FDCWD, *dir ? dir : ".",
			       O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		if (fd < 0)
			return;
	} else {
		fd = open(*dir ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return;
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;
		int isdir, r;
		char *full;

		if (strncmp(de->d_name, pre, plen))
			continue;
		if (de->d_name[0] == '.' && (!plen || !strcmp(de->d_name, ".") ||
					     !strcmp(de->d_name, "..")))
			continue;
		r = host ? hc_fstatat(dirfd(d), de->d_name, &st, 0) :
			   fstatat(dirfd(d), de->d_name, &st, 0);
		isdir = r == 0 && S_ISDIR(st.st_mode);
		if (exec_only && (isdir || r < 0 || !(st.st_mode & 0111)))
			continue;
		full = dosh_xmalloc(strlen(prefix_out) + strlen(de->d_name) + 1);
		strcpy(full, prefix_out);
		strcat(full, de->d_name);
		add_match(m, full, isdir && !exec_only);
		free(full);
	}
	closedir(d);
}

static void path_matches(struct matches *m, const char *word, int host)
{
	const char *slash = strrchr(word, '/');
	char *dir;

	if (!slash) {
		scan_dir(m, "", word, "", host, 0);
		return;
	}
	dir = dosh_xmalloc((size_t)(slash - word) + 2);
	memcpy(dir, word, (size_t)(slash - word) + 1);
	dir[slash - word + 1] = 0;
	scan_dir(m, dir, slash + 1, dir, host, 0);
	free(dir);
}

static void command_matches(struct matches *m, const char *word, int host)
{
	static char **hostdirs;
	const char *path;
	int k;

	if (strchr(word, '/')) {
		path_matches(m, word, host);
		return;
	}
	if (host) {
		if (!strncmp("cd", word, strlen(word)))
			add_match(m, "cd", 0);
		if (!strncmp("pwd", word, strlen(word)))
			add_match(m, "pwd", 0);
		if (!hostdirs)
			hostdirs = dosh_host_path_dirs();
		for (k = 0; hostdirs && hostdirs[k]; k++)
			scan_dir(m, hostdirs[k], word, "", 1, 1);
		return;
	}
	for (k = 0; dosh_builtin_name(k); k++)
		if (!strncmp(dosh_builtin_name(k), word, strlen(word)))
			add_match(m, dosh_builtin_name(k), 0);
	path = dosh_getvar("PATH");
	while (path && *path) {
		size_t n = strcspn(path, ":");
		char *dir = dosh_xmalloc(n + 1);

		memcpy(dir, path, n);
		dir[n] = 0;
		scan_dir(m, dir, word, "", 0, 1);
		free(dir);
		path += n;
		if (*path)
			path++;
	}
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void show_matches(struct matches *m)
{
	size_t k, w = 0, cols;

	qsort(m->v, m->n, sizeof(char *), cmpstr);
	for (k = 0; k < m->n; k++)
		if (strlen(m->v[k]) > w)
			w = strlen(m->v[k]);
	w += 2;
	cols = 80 / w ? 80 / w : 1;
	fputc('\n', stdout);
	for (k = 0; k < m->n; k++) {
		const char *s = strrchr(m->v[k], '/');

		s = s && s[1] ? s + 1 : m->v[k];
		fprintf(stdout, "%-*s", (int)w, s);
		if ((k + 1) % cols == 0 || k + 1 == m->n)
			fputc('\n', stdout);
	}
	fflush(stdout);
}

/* Insert @s escaping the characters the shell would take apart. */
static void insert_escaped(EditLine *e, const char *s, size_t n)
{
	char buf[4096];
	size_t k, j = 0;

	for (k = 0; k < n && j + 2 < sizeof(buf); k++) {
		if (strchr(" \t\n'\"\\$`&|;<>()*?[#~", s[k]))
			buf[j++] = '\\';
		buf[j++] = s[k];
	}
	buf[j] = 0;
	el_insertstr(e, buf);
}

static unsigned char complete_fn(EditLine *e, int ch)
{
	const LineInfo *li = el_line(e);
	const char *start = li->cursor, *p, *cmd;
	int cmdpos, host = 0;
	struct matches m = { 0 };
	char *word;
	size_t k, common;
	unsigned char ret = CC_REFRESH;

	(void)ch;
	while (start > li->buffer && !strchr(" \t;|&()<>", start[-1]))
		start--;
	/* Is this word the command name? Look at what comes before it. */
	p = start;
	while (p > li->buffer && (p[-1] == ' ' || p[-1] == '\t'))
		p--;
	cmdpos = p == li->buffer || strchr(";|&(", p[-1]);
	/* The command of this simple command starts after the last operator. */
	cmd = start;
	while (cmd > li->buffer && !strchr(";|&(", cmd[-1]))
		cmd--;
	while (*cmd == ' ' || *cmd == '\t')
		cmd++;
	if (cmd[0] == '!' && cmd[1] != ' ' && cmd[1] != '\t' && cmd < li->cursor)
		host = 1;
	word = dosh_xmalloc((size_t)(li->cursor - start) + 1);
	memcpy(word, start, (size_t)(li->cursor - start));
	word[li->cursor - start] = 0;
	if (cmdpos && word[0] == '!')
		command_matches(&m, word + 1, 1);
	else if (cmdpos)
		command_matches(&m, word, 0);
	else
		path_matches(&m, word, host);
	if (m.n) {
		const char *w = cmdpos && word[0] == '!' ? word + 1 : word;
		size_t wl = strlen(w);

		common = strlen(m.v[0]);
		for (k = 1; k < m.n; k++) {
			size_t j = 0;

			while (j < common && m.v[k][j] == m.v[0][j])
				j++;
			common = j;
		}
		if (common > wl) {
			insert_escaped(e, m.v[0] + wl, common - wl);
			if (m.n == 1 && m.v[0][common - 1] != '/')
				el_insertstr(e, " ");
		} else if (m.n == 1) {
			if (m.v[0][common - 1] != '/')
				el_insertstr(e, " ");
		} else {
			show_matches(&m);
			ret = CC_REDISPLAY;
		}
	} else {
		ret = CC_ERROR;
	}
	for (k = 0; k < m.n; k++)
		free(m.v[k]);
	free(m.v);
	free(word);
	return ret;
}

/* ---- line editing ---- */

int dosh_el_init(void)
{
	HistEvent ev;
	const char *home = getenv("HOME");
	struct sigaction sa;

	el = el_init("dosh", stdin, stdout, stderr);
	if (!el)
		return -ENOMEM;
	el_set(el, EL_EDITOR, dosh_opt.V ? "vi" : "emacs");
	el_set(el, EL_PROMPT, prompt_fn);
	hist = history_init();
	if (hist) {
		history(hist, &ev, H_SETSIZE, 2000);
		history(hist, &ev, H_SETUNIQUE, 1);
		el_set(el, EL_HIST, history, hist);
		if (home && *home) {
			histfile = dosh_xmalloc(strlen(home) + 16);
			sprintf(histfile, "%s/.dosh_history", home);
			history(hist, &ev, H_LOAD, histfile);
		}
	}
	el_set(el, EL_ADDFN, "dosh-complete", "complete a word", complete_fn);
	el_set(el, EL_BIND, "^I", "dosh-complete", NULL);
	el_source(el, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_winch;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, NULL);
	return 0;
}

void dosh_el_history(const char *line)
{
	HistEvent ev;
	size_t n = strlen(line);
	char *copy;

	if (!hist || !n || line[0] == '\n' || line[0] == ' ')
		return;
	copy = dosh_xstrdup(line);
	if (copy[n - 1] == '\n')
		copy[n - 1] = 0;
	history(hist, &ev, H_ENTER, copy);
	free(copy);
	if (histfile)
		history(hist, &ev, H_SAVE, histfile);
}

#endif /* !DOSH_NO_LIBEDIT */

/* Without a terminal (-i on a pipe): prompt on stderr, read a line. */
static int plain_readline(const char *prompt, char **line, size_t *len)
{
	struct dosh_sb sb;
	char c;

	fputs(prompt, stderr);
	fflush(stderr);
	dosh_sb_init(&sb);
	for (;;) {
		ssize_t r = read(0, &c, 1);

		if (r < 0 && errno == EINTR) {
			if (dosh_gotsigint) {
				dosh_gotsigint = 0;
				fputc('\n', stderr);
				dosh_exitstatus = 130;
				dosh_raise();
			}
			continue;
		}
		if (r <= 0)
			break;
		dosh_sb_putc(&sb, c);
		if (c == '\n')
			break;
	}
	if (!sb.len)
		return 0;
	*line = dosh_xmalloc(sb.len);
	memcpy(*line, sb.s, sb.len);
	*len = sb.len;
	return 1;
}

#ifdef DOSH_NO_LIBEDIT
int dosh_el_init(void)
{
	return 0;
}

void dosh_el_history(const char *line)
{
	(void)line;
}

int dosh_el_readline(const char *prompt, char **line, size_t *len)
{
	return plain_readline(prompt, line, len);
}

void dosh_el_end(void)
{
}
#else
int dosh_el_readline(const char *prompt, char **line, size_t *len)
{
	const char *s;
	int count = 0;

	if (!el)
		return plain_readline(prompt, line, len);
	free(cur_prompt);
	cur_prompt = dosh_xstrdup(prompt);
	for (;;) {
		if (winched) {
			winched = 0;
			el_resize(el);
		}
		dosh_gotsigint = 0;
		s = el_gets(el, &count);
		if (dosh_gotsigint) {
			/* Ctrl-C: drop the line (and any unfinished command) */
			dosh_gotsigint = 0;
			el_reset(el);
			fputc('\n', stdout);
			fflush(stdout);
			dosh_exitstatus = 130;
			dosh_raise();
		}
		if (!s && count < 0 && errno == EINTR)
			continue;
		break;
	}
	if (!s || count <= 0)
		return 0;
	dosh_el_history(s);
	*len = (size_t)count;
	*line = dosh_xmalloc(*len);
	memcpy(*line, s, *len);
	return 1;
}

void dosh_el_end(void)
{
	HistEvent ev;

	if (hist && histfile)
		history(hist, &ev, H_SAVE, histfile);
	if (el)
		el_end(el);
	el = NULL;
	if (hist)
		history_end(hist);
	hist = NULL;
}
#endif /* DOSH_NO_LIBEDIT */
