/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dosh.h - the declarations the parts of dosh, the dual-OS shell, share:
 * memory, the syntax tree, variables, expansion, evaluation, jobs and the
 * host glue.
 */
#ifndef DOSH_H
#define DOSH_H

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- memory (mem.c) ---- */

void *dosh_xmalloc(size_t n);
void *dosh_xzalloc(size_t n);
void *dosh_xrealloc(void *p, size_t n);
char *dosh_xstrdup(const char *s);

/*
 * The stack allocator holds everything that lives only while one command
 * runs: expansion results, argument vectors, redirection targets. A mark
 * taken before the command is popped after it (and by the error handler),
 * so nothing needs freeing one by one.
 */
struct dosh_stmark {
	void *blk;
	size_t used;
};
void *dosh_stalloc(size_t n);
char *dosh_ststrdup(const char *s);
char *dosh_ststrndup(const char *s, size_t n);
void dosh_stmark(struct dosh_stmark *m);
void dosh_stpop(const struct dosh_stmark *m);

/* A growing string on the stack allocator. */
struct dosh_sb {
	char *s;
	size_t len, cap;
};
void dosh_sb_init(struct dosh_sb *sb);
void dosh_sb_putc(struct dosh_sb *sb, int c);
void dosh_sb_putn(struct dosh_sb *sb, const char *s, size_t n);
void dosh_sb_puts(struct dosh_sb *sb, const char *s);
void dosh_sb_printf(struct dosh_sb *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *dosh_sb_str(struct dosh_sb *sb);

/*
 * A pool holds one parsed command's syntax tree. It is reference counted:
 * a function definition keeps the pool of its body alive.
 */
struct dosh_pool;
struct dosh_pool *dosh_pool_new(void);
void *dosh_palloc(struct dosh_pool *p, size_t n);
char *dosh_pstrndup(struct dosh_pool *p, const char *s, size_t n);
void dosh_pool_ref(struct dosh_pool *p);
void dosh_pool_unref(struct dosh_pool *p);

/* A vector of strings on the stack allocator, NULL-terminated. */
struct dosh_strv {
	char **v;
	size_t n, cap;
};
void dosh_strv_init(struct dosh_strv *sv);
void dosh_strv_push(struct dosh_strv *sv, char *s);

/* ---- output and errors (error.c) ---- */

/* Buffered output to fd 1 for builtins; flushed after each builtin. */
void dosh_out(const char *s, size_t n);
void dosh_outs(const char *s);
void dosh_outf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* @s in single quotes, to be read back by a shell. */
void dosh_outquoted(const char *s);
int dosh_outflush(void);	/* 0, or -errno of the failed write */
void dosh_outdiscard(void);

/* "dosh: LINE: msg" on stderr, as dash words it. */
void dosh_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dosh_vwarn(const char *fmt, va_list ap);
/* dosh_warn, then abort the command: exit 2 unless interactive. */
void dosh_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
/* Syntax error, worded as dash does ("Syntax error: ..."). */
void dosh_synerror(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
/* dash's wording of an errno for an open (E_OPEN), create or exec. */
#define E_OPEN		1
#define E_CREAT		2
#define E_EXEC		4
const char *dosh_errmsg(int err, int action);
extern const char *dosh_cmdname;	/* builtin running, for messages */

/* The exception raised by dosh_error in an interactive shell. */
struct dosh_jmp {
	jmp_buf jb;
	struct dosh_jmp *prev;
};
extern struct dosh_jmp *dosh_handler;
void dosh_raise(void) __attribute__((noreturn));

/* ---- global shell state (main.c) ---- */

struct dosh_opts {
	int e, f, I, i, m, n, s, x, v, V, E, C, a, b, u, p, nolog, debug;
};
extern struct dosh_opts dosh_opt;
extern const char *dosh_name;	/* error prefix: "dosh" or the script name */
extern char *dosh_arg0;		/* $0 */
extern int dosh_interactive;
extern int dosh_exitstatus;	/* $? */
extern int dosh_lineno;		/* line of the command running */
extern int dosh_rootpid;	/* $$ */
extern int dosh_subshell;	/* nonzero in a forked child */

void dosh_exitshell(int status) __attribute__((noreturn));
char *dosh_optstring(void);	/* $- */
int dosh_setopt_letter(int c, int on);	/* -EINVAL if unknown */
int dosh_setopt_name(const char *name, int on);
void dosh_listopts(int reusable);

/* ---- syntax tree (parse.c) ---- */

enum dosh_ntype {
	N_CMD, N_PIPE, N_AND, N_OR, N_SEQ, N_BG, N_NOT, N_SUBSHELL, N_BRACE,
	N_IF, N_WHILE, N_UNTIL, N_FOR, N_CASE, N_FUNC,
};

/* A word keeps its source text; expansion parses it when it runs. */
struct dosh_word {
	char *text;
	struct dosh_word *next;
};

enum dosh_rtype {
	R_IN, R_OUT, R_CLOBBER, R_APPEND, R_INOUT, R_DUPIN, R_DUPOUT,
	R_HEREDOC,
};

struct dosh_redir {
	enum dosh_rtype type;
	int fd;
	struct dosh_word *target;	/* file, fd number, or heredoc body */
	int hd_quoted;			/* heredoc: delimiter was quoted */
	struct dosh_redir *next;
};

struct dosh_caseitem {
	struct dosh_word *pats;
	struct dosh_node *body;
	struct dosh_caseitem *next;
};

struct dosh_node {
	enum dosh_ntype type;
	int lineno;
	struct dosh_redir *redirs;	/* N_CMD and compound commands */
	union {
		struct {
			struct dosh_word *assigns, *args;
			int host;	/* first arg is a !host command */
		} cmd;
		struct {
			struct dosh_node **cmds;
			int n;
		} pipe;
		struct {
			struct dosh_node *l, *r;
		} bin;			/* N_AND, N_OR, N_SEQ, N_WHILE, N_UNTIL */
		struct {
			struct dosh_node *body;
		} one;			/* N_BG, N_NOT, N_SUBSHELL, N_BRACE */
		struct {
			struct dosh_node *cond, *then, *els;
		} ifn;
		struct {
			char *var;
			struct dosh_word *words;	/* NULL with noin: "$@" */
			int noin;
			struct dosh_node *body;
		} forn;
		struct {
			struct dosh_word *word;
			struct dosh_caseitem *items;
		} casen;
		struct {
			char *name;
			struct dosh_node *body;
			struct dosh_pool *pool;
		} func;
	} u;
};

/* An input source the parser reads: a string, an fd, or the line editor. */
struct dosh_input;
struct dosh_input *dosh_input_string(const char *s, int lineno);
struct dosh_input *dosh_input_fd(int fd, int owned);
/* The line editor or plain prompts on an interactive shell. */
struct dosh_input *dosh_input_interactive(void);
void dosh_input_free(struct dosh_input *in);
/* Before a command runs: give back unread bytes of a seekable fd. */
void dosh_input_sync(struct dosh_input *in);
/* After a syntax error: drop the rest of what was read. */
void dosh_input_flush(struct dosh_input *in);

/*
 * dosh_parse_command() - parse the next complete command from @in into
 * @pool. Returns: the tree, NULL for an empty line, or sets *eof at the end
 * of input. Syntax errors raise through dosh_synerror().
 */
struct dosh_node *dosh_parse_command(struct dosh_input *in,
				     struct dosh_pool *pool, int *eof);
/* Parse a whole string (eval, traps, command substitution). */
struct dosh_node *dosh_parse_string(const char *s, struct dosh_pool *pool);
/*
 * dosh_parse_cmdsub() - parse the command substitution whose text starts
 * at @s (just after "$("). Returns: the tree (may be NULL) and sets *end to
 * the offset just past the closing ')'.
 */
struct dosh_node *dosh_parse_cmdsub(const char *s, struct dosh_pool *pool,
				    size_t *end);
int dosh_is_name(const char *s, size_t n);
/* Aliases: expanded by the parser in the command-name position. */
const char *dosh_alias_get(const char *name);
void dosh_alias_set(const char *name, size_t n, const char *value);
int dosh_alias_unset(const char *name);	/* -ENOENT if none */
void dosh_alias_unset_all(void);
void dosh_alias_list(void);
/* Length of the assignment name if @s is NAME=..., else 0. */
size_t dosh_assign_len(const char *s);

/* ---- variables (var.c) ---- */

#define V_EXPORT	1
#define V_READONLY	2

void dosh_var_init(char **envp);
const char *dosh_getvar(const char *name);
/*
 * Set @name (a NULL @value only adds @flags). Assigning a read-only
 * variable is an error that aborts the command. Returns 0.
 */
int dosh_setvar(const char *name, const char *value, int flags);
int dosh_setvar_eq(const char *assign, int flags);	/* "NAME=value" */
int dosh_unsetvar(const char *name);
char **dosh_environ(void);	/* on the stack allocator */
void dosh_var_list(int flag, const char *prefix);	/* export -p, set */
/* local: saved until the function returns. */
int dosh_var_local(const char *arg);
void *dosh_var_pushframe(void);
void dosh_var_popframe(void *frame);
int dosh_var_infunc(void);

struct dosh_params {
	int n;
	char **v;
};
extern struct dosh_params dosh_pp;	/* $1 ... */
void dosh_pp_set(char **argv, int n);	/* copies */
void dosh_pp_free(struct dosh_params *pp);

/* ---- expansion (expand.c, arith.c) ---- */

#define EXP_SPLIT	0x01	/* field splitting */
#define EXP_GLOB	0x02	/* pathname expansion */
#define EXP_TILDE	0x04	/* ~ at the start */
#define EXP_ASSIGN	0x08	/* ~ after = and : too */
#define EXP_PATTERN	0x10	/* the result is a pattern: quote the quoted */
#define EXP_HOST	0x20	/* pathname expansion against host paths */
#define EXP_HEREDOC	0x40	/* here-document body: quotes are literal */
#define EXP_FULL	(EXP_SPLIT | EXP_GLOB | EXP_TILDE)

/* Expand @w (and the words after it) into fields appended to @out. */
void dosh_expand_words(struct dosh_word *w, int flags, struct dosh_strv *out);
/* Expand one word to one string (no field splitting). */
char *dosh_expand_str(const char *text, int flags);
intmax_t dosh_arith(const char *expr);
int dosh_pmatch(const char *pattern, const char *s);	/* fnmatch() */
/* The exit status of the last command substitution in this command. */
extern int dosh_cmdsub_status;

/* ---- evaluation (exec.c) ---- */

#define EV_EXIT		1	/* exit after this: no fork needed */
#define EV_TESTED	2	/* the status is tested: no set -e */
#define EV_BG		4	/* part of an asynchronous list */

int dosh_eval(struct dosh_node *n, int flags);
int dosh_eval_string(const char *s, int flags);
/* Read and run commands from @in until its end. */
int dosh_cmdloop(struct dosh_input *in, int top);

enum { SKIP_NONE, SKIP_BREAK, SKIP_CONT, SKIP_FUNC };
extern int dosh_evalskip, dosh_skipcount, dosh_loopnest, dosh_funcnest;

/* Redirections: saved when the command runs in the shell itself. */
#define REDIR_SAVE	1
int dosh_redirect(struct dosh_redir *r, int flags);	/* 0 or status */
void dosh_popredir(void);
void dosh_popredir_all(void);
int dosh_redir_depth(void);
int dosh_movefd_high(int fd);	/* dup to >= 10, close-on-exec */

/* Functions. */
struct dosh_node *dosh_func_lookup(const char *name);
void dosh_func_define(struct dosh_node *def);
int dosh_func_unset(const char *name);

/* Command search for external commands; -errno if not found. */
int dosh_find_command(const char *name, const char *path, char **out);
void dosh_shellexec(char **argv, char **envp) __attribute__((noreturn));
void dosh_xtrace(char **assigns, int na, char **argv, int host);
void dosh_reset(void);

/* ---- builtins (builtin.c, bltin_*.c) ---- */

#define B_SPECIAL	1

struct dosh_builtin {
	const char *name;
	int (*fn)(int argc, char **argv);
	int flags;
};
const struct dosh_builtin *dosh_builtin_lookup(const char *name);
const char *dosh_builtin_name(int k);	/* the k-th builtin, or NULL */
int dosh_b_test(int argc, char **argv);
int dosh_b_printf(int argc, char **argv);
int dosh_b_echo(int argc, char **argv);
/* Interpret one backslash escape of echo/printf %b; returns bytes used. */
size_t dosh_escape(const char *s, struct dosh_sb *out, int *stop, int bmode);
int dosh_getnum(const char *cmd, const char *s, int *out);
/* getopts-like helper for builtins: parse -x flags out of @argv. */
int dosh_nextopt(char **argv, int *ind, const char *opts, const char *cmd);

/* ---- jobs and signals (jobs.c, trap.c) ---- */

#define FORK_FG		0
#define FORK_BG		1
#define FORK_NOJOB	2

struct dosh_proc {
	pid_t pid;
	int status;
	int state;	/* 0 running, 1 stopped, 2 done */
	char *cmd;
};

struct dosh_job {
	struct dosh_proc *procs;
	int nprocs, cap;
	pid_t pgrp;
	int state;	/* 0 running, 1 stopped, 2 done */
	int used, changed, notified;
	int bg;
	int id;
	char *cmd;
};

extern int dosh_jobctl;
extern pid_t dosh_lastbg;	/* $! */
void dosh_jobs_init(void);
struct dosh_job *dosh_job_new(const char *cmd);
pid_t dosh_fork(struct dosh_job *jp, int mode, const char *cmd);
int dosh_waitjob(struct dosh_job *jp);	/* status of a foreground job */
int dosh_status_of(int wstatus);	/* 128+n for signals */
void dosh_job_notify(void);		/* "Done" lines before a prompt */
int dosh_b_jobs(int argc, char **argv);
int dosh_b_fg(int argc, char **argv);
int dosh_b_wait(int argc, char **argv);
int dosh_b_kill(int argc, char **argv);
void dosh_jobs_child(void);	/* forget parent's jobs in a child */
int dosh_jobs_stopped(void);
void dosh_setjobctl(int on);
int dosh_signum(const char *name);	/* -EINVAL if unknown */
const char *dosh_signame(int sig);

void dosh_trap_init(void);
extern volatile sig_atomic_t dosh_pending_any;
void dosh_dotrap(void);
int dosh_trap_exit(void);	/* run the EXIT trap once */
void dosh_trap_child(void);	/* reset traps in a subshell */
int dosh_b_trap(int argc, char **argv);
int dosh_trap_is_set(int sig);
extern volatile sig_atomic_t dosh_gotsigint;
/* Ctrl-C reached an interactive shell itself: abort the command line. */
void dosh_check_int(void);
extern int dosh_interrupted;	/* the exception raised is a Ctrl-C */

/* ---- the host (host.c) ---- */

/* Run the host command @argv here (a proxy child or EV_EXIT). */
int dosh_host_run(char **argv, char **assigns, int na, int pty_ok);
/* !cd and !pwd; returns -ENOENT if @argv[0] is not a host builtin. */
int dosh_host_builtin(int argc, char **argv);
int dosh_host_glob(const char *pattern, int flags, void *globbuf);
const char *dosh_host_socket(void);
/* Names of host programs (completion): NULL-terminated, malloc'd. */
char **dosh_host_path_dirs(void);

/* ---- interactive use (interactive.c) ---- */

int dosh_el_init(void);
int dosh_el_readline(const char *prompt, char **line, size_t *len);
void dosh_el_history(const char *line);
void dosh_el_end(void);
char *dosh_prompt(int ps2);	/* on the stack allocator */

#endif /* DOSH_H */
