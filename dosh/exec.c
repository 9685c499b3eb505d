// SPDX-License-Identifier: GPL-2.0-only
/*
 * exec.c - dosh's evaluator: walks the syntax tree, runs simple commands
 * (builtins, functions, local programs, !host commands), pipelines,
 * subshells and compound commands, and applies redirections.
 *
 * Every element of a pipeline is a local process, host commands included:
 * the forked child is the "proxy" of its host process (see host.c), so
 * pipes, process groups, wait and job control work as in any sh.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dosh.h"
#include "hostcall.h"

int dosh_evalskip, dosh_skipcount, dosh_loopnest, dosh_funcnest;

/* ---- redirections ---- */

struct savedfd {
	int fd, saved;	/* saved -1: the fd was closed */
};

struct redirframe {
	struct savedfd *v;
	int n, cap;
	struct redirframe *prev;
};

static struct redirframe *redirstack;
static int redirdepth;

int dosh_movefd_high(int fd)
{
	int nfd;

	if (fd < 0)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	if (nfd < 0)
		return -errno;
	close(fd);
	return nfd;
}

static void save_fd(struct redirframe *f, int fd)
{
	int k, s;

	for (k = 0; k < f->n; k++)
		if (f->v[k].fd == fd)
			return;
	s = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	if (s < 0 && errno != EBADF)
		dosh_error("%d: %s", fd, strerror(errno));
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 4;
		f->v = dosh_xrealloc(f->v, (size_t)f->cap * sizeof(*f->v));
	}
	f->v[f->n].fd = fd;
	f->v[f->n].saved = s;
	f->n++;
}

static int heredoc_fd(struct dosh_redir *r)
{
	const char *body = r->target->text;
	size_t n, off = 0;
	int fd;

	if (!r->hd_quoted)
		body = dosh_expand_str(body, EXP_HEREDOC);
	n = strlen(body);
	fd = memfd_create("dosh-heredoc", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (off < n) {
		ssize_t w = write(fd, body + off, n - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			w = -errno;
			close(fd);
			return (int)w;
		}
		off += (size_t)w;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static int open_redir(struct dosh_redir *r, int *fdp)
{
	static const int oflags[] = {
		[R_IN] = O_RDONLY,
		[R_OUT] = O_WRONLY | O_CREAT | O_TRUNC,
		[R_CLOBBER] = O_WRONLY | O_CREAT | O_TRUNC,
		[R_APPEND] = O_WRONLY | O_CREAT | O_APPEND,
		[R_INOUT] = O_RDWR | O_CREAT,
	};
	char *name;
	int fd, fl;

	if (r->type == R_HEREDOC) {
		fd = heredoc_fd(r);
		if (fd < 0) {
			dosh_warn("cannot create here-document: %s",
				  strerror(-fd));
			return 2;
		}
		*fdp = fd;
		return 0;
	}
	name = dosh_expand_str(r->target->text, EXP_TILDE);
	if (r->type == R_DUPIN || r->type == R_DUPOUT) {
		char *end;
		long v;

		if (!strcmp(name, "-")) {
			*fdp = -1;	/* close */
			return 0;
		}
		v = strtol(name, &end, 10);
		if (!*name || *end || v < 0 || v > 1023) {
			dosh_warn("Syntax error: Bad fd number");
			return 2;
		}
		if (v != r->fd && fcntl((int)v, F_GETFD) < 0) {
			dosh_warn("%ld: Bad file descriptor", v);
			return 2;
		}
		*fdp = -2 - (int)v;	/* dup of an fd */
		return 0;
	}
	fl = oflags[r->type];
	if (r->type == R_OUT && dosh_opt.C) {
		struct stat st;

		if (stat(name, &st) == 0 && S_ISREG(st.st_mode)) {
			dosh_warn("cannot create %s: File exists", name);
			return 2;
		}
	}
	fd = open(name, fl, 0666);
	if (fd < 0) {
		int err = errno;

		if (r->type == R_IN)
			dosh_warn("cannot open %s: %s", name,
				  dosh_errmsg(err, E_OPEN));
		else
			dosh_warn("cannot create %s: %s", name,
				  dosh_errmsg(err, E_CREAT));
		return 2;
	}
	*fdp = fd;
	return 0;
}

int dosh_redirect(struct dosh_redir *r, int flags)
{
	struct redirframe *f = NULL;

	if (flags & REDIR_SAVE) {
		f = dosh_xzalloc(sizeof(*f));
		f->prev = redirstack;
		redirstack = f;
		redirdepth++;
	}
	for (; r; r = r->next) {
		int fd, rc;

		rc = open_redir(r, &fd);
		if (rc)
			return rc;
		if (f)
			save_fd(f, r->fd);
		if (fd == -1) {
			close(r->fd);
		} else if (fd <= -2) {
			int src = -2 - fd;

			if (src != r->fd && dup2(src, r->fd) < 0) {
				dosh_warn("%d: %s", r->fd, strerror(errno));
				return 2;
			}
		} else if (fd != r->fd) {
			if (dup2(fd, r->fd) < 0) {
				int err = errno;

				close(fd);
				dosh_warn("%d: %s", r->fd, strerror(err));
				return 2;
			}
			close(fd);
		} else {
			fcntl(fd, F_SETFD, 0);
		}
	}
	return 0;
}

void dosh_popredir(void)
{
	struct redirframe *f = redirstack;
	int k;

	if (!f)
		return;
	dosh_outflush();
	for (k = f->n - 1; k >= 0; k--) {
		if (f->v[k].saved >= 0) {
			dup2(f->v[k].saved, f->v[k].fd);
			close(f->v[k].saved);
		} else {
			close(f->v[k].fd);
		}
	}
	redirstack = f->prev;
	redirdepth--;
	free(f->v);
	free(f);
}

void dosh_popredir_all(void)
{
	while (redirstack)
		dosh_popredir();
}

int dosh_redir_depth(void)
{
	return redirdepth;
}

/* ---- functions ---- */

struct func {
	char *name;
	struct dosh_node *def;
	struct func *next;
};

static struct func *funcs;

struct dosh_node *dosh_func_lookup(const char *name)
{
	struct func *f;

	for (f = funcs; f; f = f->next)
		if (!strcmp(f->name, name))
			return f->def;
	return NULL;
}

void dosh_func_define(struct dosh_node *def)
{
	struct func *f;

	dosh_pool_ref(def->u.func.pool);
	for (f = funcs; f; f = f->next)
		if (!strcmp(f->name, def->u.func.name))
			break;
	if (!f) {
		f = dosh_xzalloc(sizeof(*f));
		f->name = dosh_xstrdup(def->u.func.name);
		f->next = funcs;
		funcs = f;
	} else {
		dosh_pool_unref(f->def->u.func.pool);
	}
	f->def = def;
}

int dosh_func_unset(const char *name)
{
	struct func **fp, *f;

	for (fp = &funcs; (f = *fp); fp = &f->next)
		if (!strcmp(f->name, name)) {
			*fp = f->next;
			dosh_pool_unref(f->def->u.func.pool);
			free(f->name);
			free(f);
			return 0;
		}
	return -ENOENT;
}

struct callframe {
	struct dosh_params pp;
	void *varframe;
	struct dosh_pool *pool;
	int loopnest;
	struct callframe *prev;
};

static struct callframe *callstack;

static void call_return(void)
{
	struct callframe *c = callstack;

	dosh_pp_free(&dosh_pp);
	dosh_pp = c->pp;
	dosh_var_popframe(c->varframe);
	dosh_pool_unref(c->pool);
	dosh_loopnest = c->loopnest;
	dosh_funcnest--;
	callstack = c->prev;
	free(c);
}

static int callfunc(struct dosh_node *def, int argc, char **argv,
		    char **assigns, int na, int flags)
{
	struct callframe *c;
	int k;

	if (dosh_funcnest >= 1000)
		dosh_error("Maximum function recursion depth (1000) reached");
	c = dosh_xzalloc(sizeof(*c));

	c->pp = dosh_pp;
	c->loopnest = dosh_loopnest;
	c->pool = def->u.func.pool;
	dosh_pool_ref(c->pool);
	dosh_pp.n = 0;
	dosh_pp.v = NULL;
	dosh_pp_set(argv + 1, argc - 1);
	c->varframe = dosh_var_pushframe();
	c->prev = callstack;
	callstack = c;
	for (k = 0; k < na; k++)
		dosh_setvar_eq(assigns[k], V_EXPORT);
	dosh_funcnest++;
	dosh_loopnest = 0;
	dosh_eval(def->u.func.body, flags & EV_TESTED);
	if (dosh_evalskip == SKIP_FUNC) {
		dosh_evalskip = 0;
		dosh_skipcount = 0;
	}
	call_return();
	return dosh_exitstatus;
}

/* ---- command search and exec ---- */

static int is_cmdfile(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

int dosh_find_command(const char *name, const char *path, char **out)
{
	const char *p = path ? path : "";

	if (strchr(name, '/')) {
		*out = (char *)name;
		return 0;
	}
	for (;;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		struct dosh_sb sb;

		dosh_sb_init(&sb);
		if (n) {
			dosh_sb_putn(&sb, p, n);
			dosh_sb_putc(&sb, '/');
		}
		dosh_sb_puts(&sb, name);
		if (is_cmdfile(dosh_sb_str(&sb))) {
			*out = sb.s;
			return 0;
		}
		if (!colon)
			return -ENOENT;
		p = colon + 1;
	}
}

/*
 * A local command started while dosh's working directory is on the host
 * (`cd /host/src`) gets libhostcall preloaded, so that it sees the same
 * working directory and the same /host tree as the shell; libhostcall
 * itself passes the directory on in HOSTCALL_CWD. Static programs cannot
 * be preloaded and see only the local tree.
 */
static char **preload_for_host_cwd(char **envp)
{
	static const char var[] = "LD_PRELOAD=";
	struct dosh_strv sv;
	struct dosh_sb sb;
	const char *old = NULL;
	Dl_info info;
	int i;

	if (!getenv("HOSTCALL_CWD") || !dladdr((void *)hc_connect, &info) ||
	    !info.dli_fname || info.dli_fname[0] != '/')
		return envp;
	dosh_strv_init(&sv);
	for (i = 0; envp[i]; i++) {
		if (!strncmp(envp[i], var, sizeof(var) - 1))
			old = envp[i] + sizeof(var) - 1;
		else
			dosh_strv_push(&sv, envp[i]);
	}
	dosh_sb_init(&sb);
	dosh_sb_puts(&sb, var);
	if (!old || !strstr(old, info.dli_fname))
		dosh_sb_printf(&sb, "%s%s", info.dli_fname, old && *old ? ":" : "");
	dosh_sb_puts(&sb, old ? old : "");
	dosh_strv_push(&sv, dosh_sb_str(&sb));
	return sv.v;
}

void dosh_shellexec(char **argv, char **envp)
{
	char *path;
	int err;

	if (dosh_find_command(argv[0], dosh_getvar("PATH"), &path) < 0) {
		dosh_warn("%s: not found", argv[0]);
		_exit(127);
	}
	envp = preload_for_host_cwd(envp);
	execve(path, argv, envp);
	err = errno;
	if (err == ENOEXEC) {
		/* no #! line: a script for this shell */
		struct dosh_strv sv;
		int k;

		dosh_strv_init(&sv);
		dosh_strv_push(&sv, argv[0]);
		dosh_strv_push(&sv, path);
		for (k = 1; argv[k]; k++)
			dosh_strv_push(&sv, argv[k]);
		execve("/proc/self/exe", sv.v, envp);
		err = errno;
	}
	dosh_warn("%s: %s", argv[0], dosh_errmsg(err, E_EXEC));
	_exit(err == ENOENT ? 127 : 126);
}

void dosh_xtrace(char **assigns, int na, char **argv, int host)
{
	struct dosh_sb sb;
	const char *ps4 = dosh_getvar("PS4");
	int k, first = 1;

	dosh_sb_init(&sb);
	if (ps4)
		dosh_sb_puts(&sb, dosh_expand_str(ps4, 0));
	for (k = 0; k < na; k++) {
		if (!first)
			dosh_sb_putc(&sb, ' ');
		first = 0;
		dosh_sb_puts(&sb, assigns[k]);
	}
	for (k = 0; argv && argv[k]; k++) {
		if (!first)
			dosh_sb_putc(&sb, ' ');
		if (!k && host)
			dosh_sb_putc(&sb, '!');
		first = 0;
		dosh_sb_puts(&sb, argv[k]);
	}
	dosh_sb_putc(&sb, '\n');
	dosh_outflush();
	if (write(2, sb.s, sb.len) < 0) {
		/* tracing is best effort */
	}
}

/* ---- evaluation ---- */

static int have_traps(void)
{
	return dosh_trap_is_set(-1);
}

/* Command text for job listings: the words as written. */
static char *cmdtext(struct dosh_node *n)
{
	struct dosh_sb sb;

	dosh_sb_init(&sb);
	if (!n)
		return dosh_sb_str(&sb);
	switch (n->type) {
	case N_CMD: {
		struct dosh_word *w;

		for (w = n->u.cmd.assigns; w; w = w->next) {
			dosh_sb_puts(&sb, w->text);
			dosh_sb_putc(&sb, ' ');
		}
		for (w = n->u.cmd.args; w; w = w->next) {
			if (w == n->u.cmd.args && n->u.cmd.host)
				dosh_sb_putc(&sb, '!');
			dosh_sb_puts(&sb, w->text);
			if (w->next)
				dosh_sb_putc(&sb, ' ');
		}
		break;
	}
	case N_PIPE: {
		int k;

		for (k = 0; k < n->u.pipe.n; k++) {
			if (k)
				dosh_sb_puts(&sb, " | ");
			dosh_sb_puts(&sb, cmdtext(n->u.pipe.cmds[k]));
		}
		break;
	}
	case N_AND:
	case N_OR:
	case N_SEQ:
		dosh_sb_puts(&sb, cmdtext(n->u.bin.l));
		dosh_sb_puts(&sb, n->type == N_AND ? " && " :
			     n->type == N_OR ? " || " : "; ");
		dosh_sb_puts(&sb, cmdtext(n->u.bin.r));
		break;
	case N_NOT:
		dosh_sb_puts(&sb, "! ");
		dosh_sb_puts(&sb, cmdtext(n->u.one.body));
		break;
	case N_BG:
		dosh_sb_puts(&sb, cmdtext(n->u.one.body));
		break;
	case N_SUBSHELL:
		dosh_sb_puts(&sb, "(");
		dosh_sb_puts(&sb, cmdtext(n->u.one.body));
		dosh_sb_puts(&sb, ")");
		break;
	case N_BRACE:
		dosh_sb_puts(&sb, "{ ");
		dosh_sb_puts(&sb, cmdtext(n->u.one.body));
		dosh_sb_puts(&sb, "; }");
		break;
	default:
		dosh_sb_puts(&sb, n->type == N_IF ? "if ..." :
			     n->type == N_FOR ? "for ..." :
			     n->type == N_CASE ? "case ..." : "while ...");
		break;
	}
	return dosh_sb_str(&sb);
}

/* In a child (or an exiting shell): run a host command and exit. */
static void host_child(struct dosh_node *n, char **argv, char **assigns,
		       int na, int pty_ok)
{
	int status;

	if (dosh_redirect(n->redirs, 0))
		dosh_exitshell(2);
	status = dosh_host_run(argv, assigns, na, pty_ok);
	dosh_exitshell(status);
}

static void exec_child(struct dosh_node *n, char **argv, char **assigns,
		       int na)
{
	int k;

	if (dosh_redirect(n->redirs, 0))
		_exit(2);
	for (k = 0; k < na; k++)
		dosh_setvar_eq(assigns[k], V_EXPORT);
	dosh_outflush();
	dosh_shellexec(argv, dosh_environ());
}

/* `command [-p] name args`: run name bypassing functions. */
static int strip_command(char ***argvp, int *argcp)
{
	char **argv = *argvp;
	int k = 1;

	while (argv[k] && argv[k][0] == '-') {
		if (!strcmp(argv[k], "--")) {
			k++;
			break;
		}
		if (strcmp(argv[k], "-p"))
			return 0;	/* -v/-V: the builtin answers */
		k++;
	}
	if (!argv[k])
		return 0;
	*argvp = argv + k;
	*argcp -= k;
	return 1;
}

/*
 * Run builtin @b in the shell. An error in a special builtin aborts the
 * command (and a non-interactive shell); in a regular one it only makes
 * the builtin's status 2, as in dash.
 */
static int run_builtin(const struct dosh_builtin *b, struct dosh_node *n,
		       int argc, char **argv, int special)
{
	const char *savecmd = dosh_cmdname;
	int noredirsave = !strcmp(argv[0], "exec") && argc == 1;
	int depth = dosh_redir_depth();
	struct dosh_jmp jmp;
	volatile int status;
	int err;

	status = dosh_redirect(n->redirs, noredirsave ? 0 : REDIR_SAVE);
	if (status) {
		if (!noredirsave)
			dosh_popredir();
		if (special)
			dosh_raise();
		return status;
	}
	dosh_cmdname = argv[0];
	if (special) {
		status = b->fn(argc, argv);
	} else {
		jmp.prev = dosh_handler;
		dosh_handler = &jmp;
		if (setjmp(jmp.jb))
			status = 2;
		else
			status = b->fn(argc, argv);
		dosh_handler = jmp.prev;
		if (dosh_interrupted) {
			/* Ctrl-C ends more than the builtin */
			dosh_cmdname = savecmd;
			while (dosh_redir_depth() > depth)
				dosh_popredir();
			dosh_raise();
		}
	}
	err = dosh_outflush();
	if (err) {
		dosh_warn("%s: I/O error", argv[0]);
		if (!status)
			status = 1;
	}
	dosh_cmdname = savecmd;
	while (dosh_redir_depth() > depth)
		dosh_popredir();
	return status;
}

/*
 * Expand the assignments of @n one after the other, each seeing the ones
 * before it. With @temp they last for this command only (a frame popped
 * by the caller); the NAME=value strings go to @out for child processes.
 */
static void do_assigns(struct dosh_node *n, int temp, struct dosh_strv *out)
{
	struct dosh_word *w;

	for (w = n->u.cmd.assigns; w; w = w->next) {
		size_t nl = dosh_assign_len(w->text);
		struct dosh_sb sb;

		dosh_sb_init(&sb);
		dosh_sb_putn(&sb, w->text, nl + 1);
		dosh_sb_puts(&sb, dosh_expand_str(w->text + nl + 1,
						  EXP_TILDE | EXP_ASSIGN));
		dosh_sb_str(&sb);
		if (temp)
			dosh_var_local(sb.s);
		dosh_setvar_eq(sb.s, 0);
		dosh_strv_push(out, sb.s);
	}
}

static int evalcommand(struct dosh_node *n, int flags)
{
	struct dosh_strv args, av;
	const struct dosh_builtin *b = NULL;
	struct dosh_node *fn = NULL;
	char **argv;
	int argc, host = n->u.cmd.host, status, bypass = 0, special;
	struct dosh_job *jp;
	void *frame = NULL;
	char *path;

	dosh_lineno = n->lineno;
	dosh_cmdsub_status = 0;
	dosh_strv_init(&args);
	dosh_expand_words(n->u.cmd.args, EXP_FULL | (host ? EXP_HOST : 0),
			  &args);
	argv = args.v;
	argc = (int)args.n;
	dosh_strv_init(&av);
	dosh_lineno = n->lineno;

	if (!argc) {
		if (host) {
			dosh_warn("!: command not found on the host");
			return 127;
		}
		/* as in dash, the assignments see the redirections */
		status = dosh_redirect(n->redirs, REDIR_SAVE);
		if (!status)
			do_assigns(n, 0, &av);
		if (dosh_opt.x)
			dosh_xtrace(av.v, (int)av.n, NULL, 0);
		dosh_popredir();
		return status ? status : dosh_cmdsub_status;
	}
	if (!host && !strcmp(argv[0], "command"))
		bypass = strip_command(&argv, &argc);
	if (!host)
		b = dosh_builtin_lookup(argv[0]);
	special = b && (b->flags & B_SPECIAL) && !bypass;
	if (n->u.cmd.assigns) {
		/* host commands get them in their environment only */
		if (!special)
			frame = dosh_var_pushframe();
		do_assigns(n, !special, &av);
	}
	if (dosh_opt.x)
		dosh_xtrace(av.v, (int)av.n, argv, host);
	if (!special && !bypass && !host)
		fn = dosh_func_lookup(argv[0]);

	if (host) {
		int pty_ok = dosh_interactive && dosh_jobctl && !dosh_subshell;

		if (frame) {
			/* the assignments are for the host, not for dosh */
			dosh_var_popframe(frame);
			frame = NULL;
		}
		if (!strcmp(argv[0], "cd") || !strcmp(argv[0], "pwd")) {
			status = dosh_redirect(n->redirs, REDIR_SAVE);
			if (!status)
				status = dosh_host_builtin(argc, argv);
			dosh_outflush();
			dosh_popredir();
		} else if ((flags & EV_EXIT) && !have_traps()) {
			host_child(n, argv, av.v, (int)av.n, pty_ok);
		} else {
			jp = dosh_job_new(cmdtext(n));
			if (dosh_fork(jp, FORK_FG, NULL) == 0)
				host_child(n, argv, av.v, (int)av.n, pty_ok);
			status = dosh_waitjob(jp);
		}
	} else if (special || (b && !fn)) {
		status = run_builtin(b, n, argc, argv, special);
	} else if (fn) {
		status = dosh_redirect(n->redirs, REDIR_SAVE);
		if (!status)
			status = callfunc(fn, argc, argv, av.v, (int)av.n, flags);
		dosh_popredir();
	} else if (dosh_find_command(argv[0], dosh_getvar("PATH"), &path) < 0) {
		/* redirections still happen, as in dash */
		status = dosh_redirect(n->redirs, REDIR_SAVE);
		if (!status) {
			dosh_warn("%s: not found", argv[0]);
			status = 127;
		}
		dosh_popredir();
	} else if ((flags & EV_EXIT) && !have_traps()) {
		exec_child(n, argv, av.v, (int)av.n);
	} else {
		jp = dosh_job_new(cmdtext(n));
		if (dosh_fork(jp, FORK_FG, NULL) == 0)
			exec_child(n, argv, av.v, (int)av.n);
		status = dosh_waitjob(jp);
	}
	if (frame)
		dosh_var_popframe(frame);
	return status;
}

static int evalpipe(struct dosh_node *n)
{
	struct dosh_job *jp = dosh_job_new(cmdtext(n));
	int prevfd = -1, k;

	for (k = 0; k < n->u.pipe.n; k++) {
		int pip[2] = { -1, -1 };

		if (k < n->u.pipe.n - 1 && pipe(pip) < 0) {
			if (prevfd >= 0)
				close(prevfd);
			dosh_error("Pipe call failed");
		}
		if (dosh_fork(jp, FORK_FG, NULL) == 0) {
			if (pip[0] >= 0)
				close(pip[0]);
			if (prevfd > 0) {
				dup2(prevfd, 0);
				close(prevfd);
			}
			if (pip[1] >= 0 && pip[1] != 1) {
				dup2(pip[1], 1);
				close(pip[1]);
			}
			dosh_eval(n->u.pipe.cmds[k], EV_EXIT);
		}
		if (prevfd >= 0)
			close(prevfd);
		prevfd = pip[0];
		if (pip[1] >= 0)
			close(pip[1]);
	}
	return dosh_waitjob(jp);
}

static int evalsubshell(struct dosh_node *n, int flags)
{
	struct dosh_job *jp;

	if (!(flags & EV_EXIT) || have_traps()) {
		jp = dosh_job_new(cmdtext(n));
		if (dosh_fork(jp, FORK_FG, NULL) != 0)
			return dosh_waitjob(jp);
	}
	if (dosh_redirect(n->redirs, 0))
		dosh_exitshell(2);
	dosh_eval(n->u.one.body, EV_EXIT | (flags & EV_TESTED));
	dosh_exitshell(dosh_exitstatus);
}

static int evalbg(struct dosh_node *n)
{
	struct dosh_job *jp = dosh_job_new(cmdtext(n->u.one.body));
	pid_t pid;

	pid = dosh_fork(jp, FORK_BG, NULL);
	if (pid == 0)
		dosh_eval(n->u.one.body, EV_EXIT);
	dosh_lastbg = pid;
	if (dosh_interactive && !dosh_subshell)
		fprintf(stderr, "[%d] %d\n", jp->id, (int)pid);
	return 0;
}

/* After a loop body: 1 to leave the loop, 0 to go on. */
static int loop_skip(void)
{
	int skip = dosh_evalskip;

	if (!skip)
		return 0;
	if (skip == SKIP_BREAK || skip == SKIP_CONT) {
		if (--dosh_skipcount <= 0) {
			dosh_evalskip = SKIP_NONE;
			return skip == SKIP_BREAK;
		}
	}
	return 1;
}

static int evalloop(struct dosh_node *n, int flags)
{
	int status = 0;

	dosh_loopnest++;
	for (;;) {
		int c = dosh_eval(n->u.bin.l, EV_TESTED);

		if (dosh_evalskip) {
			if (loop_skip())
				break;
			continue;
		}
		if ((n->type == N_WHILE) != (c == 0))
			break;
		status = dosh_eval(n->u.bin.r, flags);
		if (loop_skip())
			break;
	}
	dosh_loopnest--;
	return status;
}

static int evalfor(struct dosh_node *n, int flags)
{
	struct dosh_strv words;
	int status = 0;
	size_t k;

	dosh_strv_init(&words);
	dosh_lineno = n->lineno;
	if (n->u.forn.noin) {
		int j;

		for (j = 0; j < dosh_pp.n; j++)
			dosh_strv_push(&words, dosh_ststrdup(dosh_pp.v[j]));
	} else {
		dosh_expand_words(n->u.forn.words, EXP_FULL, &words);
	}
	dosh_loopnest++;
	for (k = 0; k < words.n; k++) {
		dosh_setvar(n->u.forn.var, words.v[k], 0);
		status = dosh_eval(n->u.forn.body, flags);
		if (loop_skip())
			break;
	}
	dosh_loopnest--;
	return status;
}

static int evalcase(struct dosh_node *n, int flags)
{
	struct dosh_caseitem *it;
	char *word;

	dosh_lineno = n->lineno;
	word = dosh_expand_str(n->u.casen.word->text, EXP_TILDE);
	for (it = n->u.casen.items; it; it = it->next) {
		struct dosh_word *p;

		for (p = it->pats; p; p = p->next) {
			char *pat = dosh_expand_str(p->text,
						    EXP_TILDE | EXP_PATTERN);

			if (dosh_pmatch(pat, word))
				return it->body ? dosh_eval(it->body, flags) : 0;
		}
	}
	return 0;
}

int dosh_eval(struct dosh_node *n, int flags)
{
	struct dosh_stmark m;
	int status = 0, checkexit = 0, redirs = 0;
	int sub = flags & ~EV_EXIT, exitflags = flags;

	if (dosh_evalskip)
		goto out;
	if (!n) {
		dosh_exitstatus = 0;
		goto out;
	}
	dosh_stmark(&m);
	dosh_lineno = n->lineno;
	if (n->redirs && n->type != N_CMD && n->type != N_SUBSHELL) {
		redirs = 1;
		status = dosh_redirect(n->redirs, REDIR_SAVE);
		if (status) {
			dosh_popredir();
			dosh_exitstatus = status;
			goto done;
		}
		flags = sub;
	}
	switch (n->type) {
	case N_SEQ:
		dosh_eval(n->u.bin.l, sub);
		if (dosh_evalskip)
			break;
		status = dosh_eval(n->u.bin.r, flags);
		break;
	case N_AND:
	case N_OR:
		status = dosh_eval(n->u.bin.l, sub | EV_TESTED);
		if (dosh_evalskip || (status == 0) != (n->type == N_AND))
			break;
		status = dosh_eval(n->u.bin.r, flags);
		break;
	case N_NOT:
		status = !dosh_eval(n->u.one.body, sub | EV_TESTED);
		break;
	case N_CMD:
		status = evalcommand(n, flags);
		checkexit = 1;
		break;
	case N_PIPE:
		status = evalpipe(n);
		checkexit = 1;
		break;
	case N_SUBSHELL:
		status = evalsubshell(n, flags);
		checkexit = 1;
		break;
	case N_BG:
		status = evalbg(n);
		break;
	case N_BRACE:
		status = dosh_eval(n->u.one.body, flags);
		break;
	case N_IF:
		status = dosh_eval(n->u.ifn.cond, EV_TESTED);
		if (dosh_evalskip)
			break;
		if (status == 0)
			status = dosh_eval(n->u.ifn.then, flags);
		else if (n->u.ifn.els)
			status = dosh_eval(n->u.ifn.els, flags);
		else
			status = 0;
		break;
	case N_WHILE:
	case N_UNTIL:
		status = evalloop(n, sub);
		break;
	case N_FOR:
		status = evalfor(n, sub);
		break;
	case N_CASE:
		status = evalcase(n, flags);
		break;
	case N_FUNC:
		dosh_func_define(n);
		status = 0;
		break;
	}
	dosh_exitstatus = status;
	if (redirs)
		dosh_popredir();
done:
	dosh_stpop(&m);
out:
	if (dosh_gotsigint)
		dosh_check_int();
	if (dosh_pending_any)
		dosh_dotrap();
	if (checkexit && dosh_exitstatus && dosh_opt.e && !(flags & EV_TESTED))
		dosh_exitshell(dosh_exitstatus);
	if (exitflags & EV_EXIT)
		dosh_exitshell(dosh_exitstatus);
	return dosh_exitstatus;
}

/* ---- command loops ---- */

static struct dosh_pool *volatile toppool;

void dosh_reset(void)
{
	while (callstack)
		call_return();
	dosh_var_popframe(NULL);
	dosh_popredir_all();
	dosh_evalskip = 0;
	dosh_skipcount = 0;
	dosh_loopnest = 0;
	dosh_funcnest = 0;
	dosh_cmdname = NULL;
	dosh_outdiscard();
}

int dosh_cmdloop(struct dosh_input *in, int top)
{
	struct dosh_jmp jmp;
	volatile int status = 0;
	int eof = 0;

	if (top && dosh_interactive) {
		jmp.prev = dosh_handler;
		dosh_handler = &jmp;
		if (setjmp(jmp.jb)) {
			/* an error in an interactive shell: next command */
			dosh_reset();
			dosh_input_flush(in);
			if (toppool)
				dosh_pool_unref(toppool);
			toppool = NULL;
			dosh_interrupted = 0;
		}
	}
	while (!eof) {
		struct dosh_stmark m;
		struct dosh_pool *pool = dosh_pool_new();
		struct dosh_node *n;

		if (top)
			toppool = pool;
		dosh_stmark(&m);
		if (top && dosh_interactive)
			dosh_job_notify();
		n = dosh_parse_command(in, pool, &eof);
		if (n && !dosh_opt.n) {
			dosh_input_sync(in);
			status = dosh_eval(n, 0);
		}
		dosh_stpop(&m);
		if (top)
			toppool = NULL;
		dosh_pool_unref(pool);
		if (dosh_evalskip && top && dosh_interactive)
			dosh_evalskip = dosh_skipcount = 0;
		if (dosh_evalskip)
			break;
	}
	if (top && dosh_interactive)
		dosh_handler = jmp.prev;
	return top ? dosh_exitstatus : status;
}

int dosh_eval_string(const char *s, int flags)
{
	struct dosh_input *in = dosh_input_string(s, 1);
	int status;

	(void)flags;
	status = dosh_cmdloop(in, 0);
	dosh_input_free(in);
	return status;
}
