// SPDX-License-Identifier: GPL-2.0-only
/* builtin.c - dosh's builtin commands (cd, set, read, exec, ...) and the table that names them. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/times.h>
#include <unistd.h>

#include "dosh.h"

int dosh_getnum(const char *cmd, const char *s, int *out)
{
	char *end;
	long v;

	(void)cmd;
	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < 0 || v > INT_MAX)
		dosh_error("Illegal number: %s", s);
	*out = (int)v;
	return 0;
}

static int b_true(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int b_false(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 1;
}

/* ---- cd, pwd ---- */

/* Lexically resolve "." and ".." in the absolute path @p. */
static char *canon(const char *p)
{
	struct dosh_sb sb;
	const char *s = p;

	dosh_sb_init(&sb);
	while (*s) {
		const char *e;
		size_t n;

		while (*s == '/')
			s++;
		e = strchr(s, '/');
		n = e ? (size_t)(e - s) : strlen(s);
		if (!n)
			break;
		if (n == 1 && s[0] == '.') {
			/* nothing */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (sb.len && sb.s[sb.len - 1] != '/')
				sb.len--;
			if (sb.len)
				sb.len--;
		} else {
			dosh_sb_putc(&sb, '/');
			dosh_sb_putn(&sb, s, n);
		}
		s += n;
	}
	if (!sb.len)
		dosh_sb_putc(&sb, '/');
	return dosh_sb_str(&sb);
}

static char *getcwd_st(void)
{
	char buf[PATH_MAX];

	if (!getcwd(buf, sizeof(buf)))
		return NULL;
	return dosh_ststrdup(buf);
}

static const char *cur_pwd(void)
{
	const char *pwd = dosh_getvar("PWD");
	struct stat a, b;

	if (pwd && pwd[0] == '/' && stat(pwd, &a) == 0 && stat(".", &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return pwd;
	return getcwd_st();
}

static int try_cd(const char *dir, int physical)
{
	const char *old = cur_pwd();
	char *target, *newpwd;

	if (dir[0] == '/') {
		target = (char *)dir;
	} else {
		struct dosh_sb sb;

		dosh_sb_init(&sb);
		dosh_sb_puts(&sb, old ? old : ".");
		dosh_sb_putc(&sb, '/');
		dosh_sb_puts(&sb, dir);
		target = dosh_sb_str(&sb);
	}
	if (!physical && target[0] == '/') {
		newpwd = canon(target);
		if (chdir(newpwd) == 0)
			goto ok;
	}
	if (chdir(dir) < 0)
		return -errno;
	newpwd = getcwd_st();
	if (!newpwd)
		newpwd = (char *)dir;
	if (physical)
		goto ok;
ok:
	if (old)
		dosh_setvar("OLDPWD", old, 0);
	dosh_setvar("PWD", newpwd, 0);
	return 0;
}

static int b_cd(int argc, char **argv)
{
	int ind = 1, physical = 0, print = 0, c;
	const char *dir, *cdpath;

	(void)argc;
	while ((c = dosh_nextopt(argv, &ind, "LP", "cd")) > 0)
		physical = c == 'P';
	if (c < 0)
		return 2;
	dir = argv[ind];
	if (!dir) {
		dir = dosh_getvar("HOME");
		if (!dir)
			dosh_error("HOME not set");
	} else if (!strcmp(dir, "-")) {
		dir = dosh_getvar("OLDPWD");
		if (!dir)
			dosh_error("OLDPWD not set");
		print = 1;
	}
	if (!*dir)
		dir = ".";
	cdpath = dosh_getvar("CDPATH");
	if (cdpath && dir[0] != '/' && strncmp(dir, "./", 2) &&
	    strncmp(dir, "../", 3) && strcmp(dir, ".") && strcmp(dir, "..")) {
		const char *p = cdpath;

		for (;;) {
			const char *colon = strchr(p, ':');
			size_t n = colon ? (size_t)(colon - p) : strlen(p);
			struct dosh_sb sb;
			struct stat st;

			dosh_sb_init(&sb);
			if (n) {
				dosh_sb_putn(&sb, p, n);
				dosh_sb_putc(&sb, '/');
			}
			dosh_sb_puts(&sb, dir);
			if (stat(dosh_sb_str(&sb), &st) == 0 &&
			    S_ISDIR(st.st_mode) &&
			    try_cd(sb.s, physical) == 0) {
				if (n)
					print = 1;
				goto done;
			}
			if (!colon)
				break;
			p = colon + 1;
		}
	}
	if (try_cd(dir, physical) < 0)
		dosh_error("can't cd to %s", dir);
done:
	if (print)
		dosh_outf("%s\n", dosh_getvar("PWD"));
	return 0;
}

static int b_pwd(int argc, char **argv)
{
	int ind = 1, physical = 0, c;
	const char *p;

	(void)argc;
	while ((c = dosh_nextopt(argv, &ind, "LP", "pwd")) > 0)
		physical = c == 'P';
	if (c < 0)
		return 2;
	p = physical ? getcwd_st() : cur_pwd();
	if (!p)
		dosh_error("getcwd: %s", strerror(errno));
	dosh_outf("%s\n", p);
	return 0;
}

/* ---- echo ---- */

size_t dosh_escape(const char *s, struct dosh_sb *out, int *stop, int bmode)
{
	static const char from[] = "abefnrtv\\", to[] = "\a\b\033\f\n\r\t\v\\";
	const char *p;
	size_t k = 1;

	(void)bmode;
	if (s[0] != '\\' || !s[1]) {
		dosh_sb_putc(out, s[0]);
		return 1;
	}
	if (s[1] == 'c') {
		*stop = 1;
		return 2;
	}
	if (s[1] == '0') {
		int v = 0, i;

		for (i = 0; i < 3 && s[2 + i] >= '0' && s[2 + i] <= '7'; i++)
			v = v * 8 + (s[2 + i] - '0');
		dosh_sb_putc(out, v);
		return 2 + (size_t)i;
	}
	p = strchr(from, s[1]);
	if (p) {
		dosh_sb_putc(out, to[p - from]);
		return 2;
	}
	dosh_sb_putc(out, '\\');
	return k;
}

int dosh_b_echo(int argc, char **argv)
{
	struct dosh_sb sb;
	int k = 1, nl = 1, stop = 0;

	(void)argc;
	if (argv[1] && !strcmp(argv[1], "-n")) {
		nl = 0;
		k++;
	}
	dosh_sb_init(&sb);
	for (; argv[k] && !stop; k++) {
		const char *s = argv[k];

		while (*s && !stop)
			s += dosh_escape(s, &sb, &stop, 0);
		if (argv[k + 1] && !stop)
			dosh_sb_putc(&sb, ' ');
	}
	if (nl && !stop)
		dosh_sb_putc(&sb, '\n');
	dosh_out(sb.s, sb.len);
	return 0;
}

/* ---- variables ---- */

static int b_export(int argc, char **argv)
{
	int flag = !strcmp(argv[0], "readonly") ? V_READONLY : V_EXPORT;
	int ind = 1, c, print = 0;

	(void)argc;
	while ((c = dosh_nextopt(argv, &ind, "p", argv[0])) > 0)
		print = 1;
	if (c < 0)
		return 2;
	if (!argv[ind] || print) {
		dosh_var_list(flag, argv[0]);
		return 0;
	}
	for (; argv[ind]; ind++) {
		size_t n = dosh_assign_len(argv[ind]);

		if (!n && !dosh_is_name(argv[ind], strlen(argv[ind])))
			dosh_error("%s: bad variable name", argv[ind]);
		dosh_setvar_eq(argv[ind], flag);
	}
	return 0;
}

static int b_unset(int argc, char **argv)
{
	int ind = 1, c, func = 0, status = 0;

	(void)argc;
	while ((c = dosh_nextopt(argv, &ind, "fv", "unset")) > 0)
		func = c == 'f';
	if (c < 0)
		return 2;
	for (; argv[ind]; ind++) {
		if (func)
			dosh_func_unset(argv[ind]);
		else if (dosh_unsetvar(argv[ind]) < 0)
			status = 2;
	}
	return status;
}

static int b_local(int argc, char **argv)
{
	int k;

	(void)argc;
	if (!dosh_var_infunc() || !dosh_funcnest)
		dosh_error("not in a function");
	for (k = 1; argv[k]; k++)
		if (strcmp(argv[k], "-"))
			dosh_var_local(argv[k]);
	return 0;
}

static int b_shift(int argc, char **argv)
{
	int n = 1, k;

	(void)argc;
	if (argv[1])
		dosh_getnum("shift", argv[1], &n);
	if (n > dosh_pp.n)
		dosh_error("can't shift that many");
	for (k = 0; k < n; k++)
		free(dosh_pp.v[k]);
	memmove(dosh_pp.v, dosh_pp.v + n,
		(size_t)(dosh_pp.n - n + 1) * sizeof(char *));
	dosh_pp.n -= n;
	return 0;
}

static int b_set(int argc, char **argv)
{
	int k = 1;

	if (argc == 1) {
		dosh_var_list(0, NULL);
		return 0;
	}
	for (; argv[k]; k++) {
		const char *a = argv[k];
		int on;

		if ((a[0] != '-' && a[0] != '+') || !a[1]) {
			if (!strcmp(a, "-"))
				k++;
			break;
		}
		if (!strcmp(a, "--")) {
			k++;
			goto setargs;
		}
		on = a[0] == '-';
		for (a++; *a; a++) {
			if (*a == 'o') {
				if (!argv[k + 1]) {
					dosh_listopts(!on);
					return 0;
				}
				if (dosh_setopt_name(argv[++k], on) < 0)
					dosh_error("Illegal option %co %s",
						   on ? '-' : '+', argv[k]);
				continue;
			}
			if (dosh_setopt_letter(*a, on) < 0)
				dosh_error("Illegal option %c%c",
					   on ? '-' : '+', *a);
		}
	}
	if (!argv[k])
		return 0;
setargs:
	dosh_pp_set(argv + k, argc - k);
	return 0;
}

/* ---- control ---- */

static int b_exit(int argc, char **argv)
{
	static int warned;
	int n = dosh_exitstatus;

	(void)argc;
	if (dosh_interactive && dosh_jobs_stopped() && !warned++) {
		dosh_outflush();
		fprintf(stderr, "You have stopped jobs.\n");
		return 1;
	}
	if (argv[1])
		dosh_getnum("exit", argv[1], &n);
	dosh_exitshell(n & 255);
}

static int b_return(int argc, char **argv)
{
	int n = dosh_exitstatus;

	(void)argc;
	if (argv[1])
		dosh_getnum("return", argv[1], &n);
	dosh_evalskip = SKIP_FUNC;
	dosh_skipcount = 1;
	return n;
}

static int b_break(int argc, char **argv)
{
	int n = 1;

	(void)argc;
	if (argv[1]) {
		dosh_getnum(argv[0], argv[1], &n);
		if (n <= 0)
			dosh_error("Illegal number: %s", argv[1]);
	}
	if (n > dosh_loopnest)
		n = dosh_loopnest;
	if (n > 0) {
		dosh_evalskip = argv[0][0] == 'b' ? SKIP_BREAK : SKIP_CONT;
		dosh_skipcount = n;
	}
	return 0;
}

static int b_eval(int argc, char **argv)
{
	struct dosh_sb sb;
	int k;

	if (argc < 2)
		return 0;
	dosh_sb_init(&sb);
	for (k = 1; k < argc; k++) {
		if (k > 1)
			dosh_sb_putc(&sb, ' ');
		dosh_sb_puts(&sb, argv[k]);
	}
	return dosh_eval_string(dosh_sb_str(&sb), 0);
}

static int b_exec(int argc, char **argv)
{
	int k = 1;

	(void)argc;
	if (argv[k] && !strcmp(argv[k], "--"))
		k++;
	if (!argv[k])
		return 0;
	dosh_outflush();
	if (argv[k][0] == '!' && argv[k][1]) {
		argv[k]++;
		dosh_exitshell(dosh_host_run(argv + k, NULL, 0,
					     dosh_interactive && dosh_jobctl));
	}
	for (k = 1; k < NSIG; k++) {
		if (k == SIGKILL || k == SIGSTOP)
			continue;
		if (dosh_trap_is_set(k) || k == SIGINT || k == SIGQUIT ||
		    k == SIGTERM || k == SIGTSTP || k == SIGTTIN ||
		    k == SIGTTOU) {
			struct sigaction sa;

			if (sigaction(k, NULL, &sa) == 0 &&
			    sa.sa_handler != SIG_IGN)
				signal(k, SIG_DFL);
		}
	}
	if (dosh_interactive && dosh_jobctl)
		dosh_setjobctl(0);
	k = argv[1] && !strcmp(argv[1], "--") ? 2 : 1;
	dosh_shellexec(argv + k, dosh_environ());
}

static int b_dot(int argc, char **argv)
{
	struct dosh_input *in;
	char *path;
	int fd, status;

	(void)argc;
	if (!argv[1])
		return 0;
	if (dosh_find_command(argv[1], dosh_getvar("PATH"), &path) < 0)
		dosh_error("%s: not found", argv[1]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		dosh_error("cannot open %s: %s", path,
			   dosh_errmsg(errno, E_OPEN));
	fd = dosh_movefd_high(fd);
	in = dosh_input_fd(fd, 1);
	status = dosh_cmdloop(in, 0);
	dosh_input_free(in);
	if (dosh_evalskip == SKIP_FUNC) {
		dosh_evalskip = 0;
		dosh_skipcount = 0;
	}
	return status;
}

/* ---- read ---- */

static int b_read(int argc, char **argv)
{
	int ind = 1, c, raw = 0, eof = 0, k;
	const char *prompt = NULL, *sep = dosh_getvar("IFS");
	struct dosh_sb line, esc;
	char ch;
	size_t pos = 0;

	(void)argc;
	while ((c = dosh_nextopt(argv, &ind, "rp:", "read")) > 0) {
		if (c == 'r')
			raw = 1;
		else
			prompt = argv[ind - 1];
	}
	if (c < 0)
		return 2;
	if (!argv[ind])
		dosh_error("arg count");
	if (!sep)
		sep = " \t\n";
	dosh_outflush();
	if (prompt && isatty(0) && write(2, prompt, strlen(prompt)) < 0) {
		/* no prompt then */
	}
	dosh_sb_init(&line);
	dosh_sb_init(&esc);	/* 1 for each escaped character */
	for (;;) {
		ssize_t r = read(0, &ch, 1);

		if (r < 0 && errno == EINTR) {
			dosh_check_int();
			if (dosh_pending_any || dosh_gotsigint)
				return 128 + SIGINT;
			continue;
		}
		if (r <= 0) {
			eof = 1;
			break;
		}
		if (ch == '\n')
			break;
		if (ch == '\\' && !raw) {
			r = read(0, &ch, 1);
			if (r <= 0) {
				eof = 1;
				break;
			}
			if (ch == '\n')
				continue;
			dosh_sb_putc(&line, ch);
			dosh_sb_putc(&esc, 1);
			continue;
		}
		dosh_sb_putc(&line, ch);
		dosh_sb_putc(&esc, 0);
	}
	dosh_sb_str(&line);
#define ISIFS(i) (!esc.s[i] && line.s[i] && strchr(sep, line.s[i]))
#define ISWS(i) (ISIFS(i) && strchr(" \t\n", line.s[i]))
	while (pos < line.len && ISWS(pos))
		pos++;
	for (k = ind; argv[k]; k++) {
		struct dosh_sb val;

		dosh_sb_init(&val);
		if (!argv[k + 1]) {
			size_t end = line.len;

			while (end > pos && ISWS(end - 1))
				end--;
			dosh_sb_putn(&val, line.s + pos, end - pos);
			pos = end;
		} else {
			while (pos < line.len && !ISIFS(pos))
				dosh_sb_putc(&val, line.s[pos++]);
			while (pos < line.len && ISWS(pos))
				pos++;
			if (pos < line.len && ISIFS(pos)) {
				pos++;
				while (pos < line.len && ISWS(pos))
					pos++;
			}
		}
		dosh_setvar(argv[k], dosh_sb_str(&val), 0);
	}
#undef ISIFS
#undef ISWS
	return eof;
}

/* ---- umask ---- */

static int b_umask(int argc, char **argv)
{
	int ind = 1, c, sym = 0;
	mode_t m = umask(0);

	(void)argc;
	umask(m);
	while ((c = dosh_nextopt(argv, &ind, "S", "umask")) > 0)
		sym = 1;
	if (c < 0)
		return 2;
	if (!argv[ind]) {
		if (sym) {
			static const char who[] = "ugo";
			int w;

			for (w = 0; w < 3; w++) {
				mode_t bits = (~m >> (6 - 3 * w)) & 7;

				dosh_outf("%s%c=%s%s%s", w ? "," : "", who[w],
					  bits & 4 ? "r" : "", bits & 2 ? "w" : "",
					  bits & 1 ? "x" : "");
			}
			dosh_outs("\n");
		} else {
			dosh_outf("%04o\n", (unsigned)m);
		}
		return 0;
	}
	if (argv[ind][0] >= '0' && argv[ind][0] <= '7') {
		char *end;
		long v = strtol(argv[ind], &end, 8);

		if (*end || v < 0 || v > 0777)
			dosh_error("Illegal number: %s", argv[ind]);
		umask((mode_t)v);
		return 0;
	} else {
		/* symbolic: who(+-=)perms, comma-separated, on ~mask */
		mode_t allow = ~m & 0777;
		const char *s = argv[ind];

		while (*s) {
			mode_t whom = 0, perm = 0;
			char op;

			for (; *s && strchr("ugoa", *s); s++)
				whom |= *s == 'u' ? 0700 : *s == 'g' ? 070 :
					*s == 'o' ? 07 : 0777;
			if (!whom)
				whom = 0777;
			op = *s;
			if (op != '+' && op != '-' && op != '=')
				dosh_error("Illegal mode: %s", argv[ind]);
			for (s++; *s && strchr("rwx", *s); s++)
				perm |= *s == 'r' ? 0444 : *s == 'w' ? 0222 :
					0111;
			perm &= whom;
			if (op == '+')
				allow |= perm;
			else if (op == '-')
				allow &= ~perm;
			else
				allow = (allow & ~whom) | perm;
			if (*s == ',')
				s++;
			else if (*s)
				dosh_error("Illegal mode: %s", argv[ind]);
		}
		umask(~allow & 0777);
	}
	return 0;
}

/* ---- command, type ---- */

static const char *const keywords[] = {
	"!", "case", "do", "done", "elif", "else", "esac", "fi", "for", "if",
	"in", "then", "until", "while", "{", "}", NULL,
};

static int describe(const char *name, int verbose)
{
	const struct dosh_builtin *b;
	char *path;
	int k;

	for (k = 0; keywords[k]; k++)
		if (!strcmp(name, keywords[k])) {
			if (verbose)
				dosh_outf("%s is a shell keyword\n", name);
			else
				dosh_outf("%s\n", name);
			return 0;
		}
	if (dosh_func_lookup(name)) {
		if (verbose)
			dosh_outf("%s is a shell function\n", name);
		else
			dosh_outf("%s\n", name);
		return 0;
	}
	b = dosh_builtin_lookup(name);
	if (b) {
		if (verbose)
			dosh_outf("%s is a %sshell builtin\n", name,
				  b->flags & B_SPECIAL ? "special " : "");
		else
			dosh_outf("%s\n", name);
		return 0;
	}
	if (dosh_find_command(name, dosh_getvar("PATH"), &path) == 0 &&
	    (strchr(name, '/') == NULL || access(path, X_OK) == 0)) {
		if (verbose)
			dosh_outf("%s is %s\n", name, path);
		else
			dosh_outf("%s\n", path);
		return 0;
	}
	if (verbose)
		dosh_outf("%s: not found\n", name);
	return 127;
}

static int b_type(int argc, char **argv)
{
	int k, status = 0;

	(void)argc;
	for (k = 1; argv[k]; k++)
		if (describe(argv[k], 1))
			status = 127;
	return status;
}

static int b_command(int argc, char **argv)
{
	int ind = 1, c, v = 0, status = 0;

	(void)argc;
	while ((c = dosh_nextopt(argv, &ind, "pvV", "command")) > 0)
		if (c == 'v' || c == 'V')
			v = c;
	if (c < 0)
		return 2;
	if (!v)
		return 0;	/* "command" alone */
	for (; argv[ind]; ind++)
		if (describe(argv[ind], v == 'V'))
			status = v == 'V' ? 127 : 1;
	return status;
}

/* ---- times, ulimit, hash ---- */

static int b_times(int argc, char **argv)
{
	struct tms t;
	long hz = sysconf(_SC_CLK_TCK);
	clock_t v[4];
	int k;

	(void)argc;
	(void)argv;
	times(&t);
	v[0] = t.tms_utime;
	v[1] = t.tms_stime;
	v[2] = t.tms_cutime;
	v[3] = t.tms_cstime;
	for (k = 0; k < 4; k++) {
		double sec = (double)v[k] / (double)hz;
		long min = (long)(sec / 60);

		dosh_outf("%ldm%fs%c", min, sec - (double)min * 60,
			  k % 2 ? '\n' : ' ');
	}
	return 0;
}

static const struct limit {
	const char *name;
	int res;
	char opt;
	rlim_t unit;
} limits[] = {
	{ "time(seconds)", RLIMIT_CPU, 't', 1 },
	{ "file(blocks)", RLIMIT_FSIZE, 'f', 512 },
	{ "data(kbytes)", RLIMIT_DATA, 'd', 1024 },
	{ "stack(kbytes)", RLIMIT_STACK, 's', 1024 },
	{ "coredump(blocks)", RLIMIT_CORE, 'c', 512 },
	{ "memory(kbytes)", RLIMIT_RSS, 'm', 1024 },
	{ "locked memory(kbytes)", RLIMIT_MEMLOCK, 'l', 1024 },
	{ "process", RLIMIT_NPROC, 'p', 1 },
	{ "nofiles", RLIMIT_NOFILE, 'n', 1 },
	{ "vmemory(kbytes)", RLIMIT_AS, 'v', 1024 },
	{ "locks", RLIMIT_LOCKS, 'w', 1 },
	{ "rtprio", RLIMIT_RTPRIO, 'r', 1 },
	{ NULL, 0, 0, 0 },
};

static void show_limit(const struct limit *l, int hard, int name)
{
	struct rlimit rl;
	rlim_t v;

	getrlimit(l->res, &rl);
	v = hard ? rl.rlim_max : rl.rlim_cur;
	if (name)
		dosh_outf("%-20s ", l->name);
	if (v == RLIM_INFINITY)
		dosh_outs("unlimited\n");
	else
		dosh_outf("%llu\n", (unsigned long long)(v / l->unit));
}

static int b_ulimit(int argc, char **argv)
{
	const struct limit *l = NULL;
	int k, hard = 0, soft = 0, all = 0;

	(void)argc;
	for (k = 1; argv[k] && argv[k][0] == '-' && argv[k][1]; k++) {
		const char *o;

		for (o = argv[k] + 1; *o; o++) {
			if (*o == 'H')
				hard = 1;
			else if (*o == 'S')
				soft = 1;
			else if (*o == 'a')
				all = 1;
			else {
				for (l = limits; l->name && l->opt != *o; l++)
					;
				if (!l->name)
					dosh_error("Illegal option -%c", *o);
			}
		}
	}
	if (all) {
		for (l = limits; l->name; l++)
			show_limit(l, hard && !soft, 1);
		return 0;
	}
	if (!l)
		l = &limits[1];
	if (!argv[k]) {
		show_limit(l, hard && !soft, 0);
		return 0;
	} else {
		struct rlimit rl;
		rlim_t v;

		if (!strcmp(argv[k], "unlimited")) {
			v = RLIM_INFINITY;
		} else {
			char *end;
			unsigned long long n = strtoull(argv[k], &end, 10);

			if (!*argv[k] || *end)
				dosh_error("bad number");
			v = (rlim_t)n * l->unit;
		}
		getrlimit(l->res, &rl);
		if (hard || !soft)
			rl.rlim_max = hard ? v : rl.rlim_max;
		if (soft || !hard)
			rl.rlim_cur = v;
		if (setrlimit(l->res, &rl) < 0)
			dosh_error("error setting limit (%s)", strerror(errno));
	}
	return 0;
}

/* dosh keeps no command hash: hash checks that names can be found. */
static int b_hash(int argc, char **argv)
{
	int k, status = 0;
	char *path;

	(void)argc;
	for (k = 1; argv[k]; k++) {
		if (!strcmp(argv[k], "-r"))
			continue;
		if (dosh_builtin_lookup(argv[k]) || dosh_func_lookup(argv[k]))
			continue;
		if (dosh_find_command(argv[k], dosh_getvar("PATH"), &path) < 0) {
			dosh_warn("%s: not found", argv[k]);
			status = 1;
		}
	}
	return status;
}

/* ---- alias ---- */

static int b_alias(int argc, char **argv)
{
	int k, status = 0;

	if (argc == 1) {
		dosh_alias_list();
		return 0;
	}
	for (k = 1; argv[k]; k++) {
		const char *eq = strchr(argv[k], '=');

		if (eq) {
			dosh_alias_set(argv[k], (size_t)(eq - argv[k]), eq + 1);
		} else if (dosh_alias_get(argv[k])) {
			dosh_outf("%s=", argv[k]);
			dosh_outquoted(dosh_alias_get(argv[k]));
			dosh_out("\n", 1);
		} else {
			dosh_outflush();
			fprintf(stderr, "alias: %s not found\n", argv[k]);
			status = 1;
		}
	}
	return status;
}

static int b_unalias(int argc, char **argv)
{
	int k, status = 0;

	(void)argc;
	if (argv[1] && !strcmp(argv[1], "-a")) {
		dosh_alias_unset_all();
		return 0;
	}
	for (k = 1; argv[k]; k++)
		if (dosh_alias_unset(argv[k]) < 0) {
			dosh_outflush();
			fprintf(stderr, "unalias: %s not found\n", argv[k]);
			status = 1;
		}
	return status;
}

/* ---- getopts ---- */

static int b_getopts(int argc, char **argv)
{
	static int charpos = 1;
	static int lastind;
	char **args, opt[3] = "?";
	const char *optstr, *p, *oi;
	int optind, n, quiet;
	char buf[16];

	if (argc < 3)
		dosh_error("usage: getopts optstring var [arg]");
	optstr = argv[1];
	quiet = optstr[0] == ':';
	args = argc > 3 ? argv + 3 : dosh_pp.v;
	n = argc > 3 ? argc - 3 : dosh_pp.n;
	oi = dosh_getvar("OPTIND");
	optind = oi ? atoi(oi) : 1;
	if (optind < 1)
		optind = 1;
	if (optind != lastind)
		charpos = 1;
	dosh_unsetvar("OPTARG");
	if (optind > n || !args[optind - 1] || args[optind - 1][0] != '-' ||
	    !args[optind - 1][1] || !strcmp(args[optind - 1], "--")) {
		if (optind <= n && args[optind - 1] &&
		    !strcmp(args[optind - 1], "--"))
			optind++;
		dosh_setvar(argv[2], "?", 0);
		snprintf(buf, sizeof(buf), "%d", optind);
		dosh_setvar("OPTIND", buf, 0);
		lastind = optind;
		charpos = 1;
		return 1;
	}
	opt[0] = args[optind - 1][charpos];
	opt[1] = 0;
	p = opt[0] != ':' ? strchr(optstr, opt[0]) : NULL;
	charpos++;
	if (!p) {
		if (quiet) {
			dosh_setvar("OPTARG", opt, 0);
		} else {
			dosh_outflush();
			fprintf(stderr, "Illegal option -%s\n", opt);
		}
		dosh_setvar(argv[2], "?", 0);
	} else if (p[1] == ':') {
		const char *arg = args[optind - 1] + charpos;

		if (!*arg) {
			arg = optind < n ? args[optind] : NULL;
			optind++;
		}
		if (!arg) {
			if (quiet) {
				dosh_setvar("OPTARG", opt, 0);
				dosh_setvar(argv[2], ":", 0);
			} else {
				fprintf(stderr, "No arg for -%s option\n", opt);
				dosh_setvar(argv[2], "?", 0);
			}
		} else {
			dosh_setvar("OPTARG", arg, 0);
			dosh_setvar(argv[2], opt, 0);
		}
		optind++;
		charpos = 1;
		goto out;
	} else {
		dosh_setvar(argv[2], opt, 0);
	}
	if (!args[optind - 1][charpos]) {
		optind++;
		charpos = 1;
	}
out:
	snprintf(buf, sizeof(buf), "%d", optind);
	dosh_setvar("OPTIND", buf, 0);
	lastind = optind;
	return 0;
}

int dosh_nextopt(char **argv, int *ind, const char *opts, const char *cmd)
{
	static int pos;
	const char *a = argv[*ind], *p;

	(void)cmd;
	if (!pos) {
		if (!a || a[0] != '-' || !a[1])
			return 0;
		if (!strcmp(a, "--")) {
			(*ind)++;
			return 0;
		}
		pos = 1;
	}
	p = strchr(opts, a[pos]);
	if (!p || a[pos] == ':') {
		char c = a[pos];

		pos = 0;
		dosh_error("Illegal option -%c", c);
	}
	if (!a[++pos]) {
		pos = 0;
		(*ind)++;
	}
	if (p[1] == ':') {
		if (pos) {
			/* -pPROMPT: the rest of this word */
			argv[*ind] += pos;
			pos = 0;
		}
		if (!argv[*ind]) {
			dosh_error("No arg for -%c option", *p);
		}
		(*ind)++;
	}
	return *p;
}

static const struct dosh_builtin builtins[] = {
	{ ".", b_dot, B_SPECIAL },
	{ ":", b_true, B_SPECIAL },
	{ "[", dosh_b_test, 0 },
	{ "alias", b_alias, 0 },
	{ "bg", dosh_b_fg, 0 },
	{ "break", b_break, B_SPECIAL },
	{ "cd", b_cd, 0 },
	{ "command", b_command, 0 },
	{ "continue", b_break, B_SPECIAL },
	{ "echo", dosh_b_echo, 0 },
	{ "eval", b_eval, B_SPECIAL },
	{ "exec", b_exec, B_SPECIAL },
	{ "exit", b_exit, B_SPECIAL },
	{ "export", b_export, B_SPECIAL },
	{ "false", b_false, 0 },
	{ "fg", dosh_b_fg, 0 },
	{ "getopts", b_getopts, 0 },
	{ "hash", b_hash, 0 },
	{ "jobs", dosh_b_jobs, 0 },
	{ "kill", dosh_b_kill, 0 },
	{ "local", b_local, 0 },
	{ "printf", dosh_b_printf, 0 },
	{ "pwd", b_pwd, 0 },
	{ "read", b_read, 0 },
	{ "readonly", b_export, B_SPECIAL },
	{ "return", b_return, B_SPECIAL },
	{ "set", b_set, B_SPECIAL },
	{ "shift", b_shift, B_SPECIAL },
	{ "test", dosh_b_test, 0 },
	{ "times", b_times, B_SPECIAL },
	{ "trap", dosh_b_trap, B_SPECIAL },
	{ "true", b_true, 0 },
	{ "type", b_type, 0 },
	{ "ulimit", b_ulimit, 0 },
	{ "umask", b_umask, 0 },
	{ "unalias", b_unalias, 0 },
	{ "unset", b_unset, B_SPECIAL },
	{ "wait", dosh_b_wait, 0 },
};

const char *dosh_builtin_name(int k)
{
	if (k < 0 || (size_t)k >= sizeof(builtins) / sizeof(builtins[0]))
		return NULL;
	return builtins[k].name;
}

const struct dosh_builtin *dosh_builtin_lookup(const char *name)
{
	size_t lo = 0, hi = sizeof(builtins) / sizeof(builtins[0]);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(name, builtins[mid].name);

		if (!c)
			return &builtins[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}
