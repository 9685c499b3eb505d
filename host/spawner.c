// SPDX-License-Identifier: GPL-2.0-only
/*
 * The spawner: the process that starts a subject's host programs. The
 * shadow forks it before applying its own sandbox, so a host program starts
 * as if its user had started it: setuid programs work (no no_new_privs, the
 * full bounding set) and the environment is a login's. It runs as the
 * shadow's user, in a session of its own (hostcalld's terminal is not its
 * programs' controlling terminal), is the parent of the subject's host
 * programs, and serves only its shadow, over a socketpair, in the wire
 * codec: SPAWN (cwd: the working directory as a host path), WAIT, KILL,
 * WINSIZE, FORK_SUBJECT (a spawner for the forked subject the header
 * names: its socket comes back) and BYE (hang up). It hangs up its
 * programs and ends when its shadow's end of the socket closes or the
 * relay goes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "hostd.h"

/* login(1)'s PATH when /etc/login.defs has no ENV_PATH / ENV_SUPATH. */
#define SPAWN_PATH	"/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games"
#define SPAWN_SUPATH	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* An environment being built: "NAME=value" strings, NULL-terminated. */
struct envv {
	char **v;
	int n, cap;
};

struct spawner_proc {
	pid_t pid;			/* 0: free */
	int pty;			/* it was given a pty */
	int slave;			/* that pty's slave while it runs, or -1 */
	int pidfd;			/* watched to close the slave at its exit */
};

struct spawner {
	const struct hostd_config *cfg;
	unsigned int slot;		/* the subject's, for the log */
	int sock;			/* to the shadow */
	int lifeline;
	int hung_up;
	struct envv env;		/* the base environment */
	struct spawner_proc procs[HOSTD_PROCS_MAX];
	void *inbuf, *outbuf;		/* HC_MSG_MAX each */
};

/* One SPAWN being served. */
struct spawn {
	char **argv;
	struct envv env;
	const char *dir;		/* "": stay in "/" */
	int io[3];			/* the child's stdin, stdout, stderr */
	int own[3];			/* io[i] is ours to close */
	int master, slave;		/* the pty, or -1 */
	int give[HC_FDS_MAX];		/* the caller's ends, in reply order */
	int ngive;
	int extra[HC_FDS_MAX];		/* fdmap's fds (the request's) */
	int extra_to[HC_FDS_MAX];	/* and their numbers in the program */
	int nextra;
	int errpipe[2];			/* exec failure: errno from the child */
	hc_u32 flags;
};

static volatile sig_atomic_t spawner_stop;

static void spawner_on_stop(int sig)
{
	(void)sig;
	spawner_stop = 1;
}

/* ---- environments ---- */

static int envv_set(struct envv *e, const char *entry)
{
	size_t klen = strcspn(entry, "=");
	char *dup, **v;
	int i;

	if (!entry[klen])
		return 0;	/* not NAME=value: ignored, as before */
	dup = strdup(entry);
	if (!dup)
		return -ENOMEM;
	for (i = 0; i < e->n; i++)
		if (!strncmp(e->v[i], entry, klen) && e->v[i][klen] == '=') {
			free(e->v[i]);
			e->v[i] = dup;
			return 0;
		}
	if (e->n + 2 > e->cap) {
		v = realloc(e->v, sizeof(char *) * (e->cap * 2 + 16));
		if (!v) {
			free(dup);
			return -ENOMEM;
		}
		e->v = v;
		e->cap = e->cap * 2 + 16;
	}
	e->v[e->n++] = dup;
	e->v[e->n] = NULL;
	return 0;
}

static int envv_setf(struct envv *e, const char *name, const char *value)
{
	char *entry;
	int err;

	if (asprintf(&entry, "%s=%s", name, value) < 0)
		return -ENOMEM;
	err = envv_set(e, entry);
	free(entry);
	return err;
}

static const char *envv_get(const struct envv *e, const char *name)
{
	size_t n = strlen(name);
	int i;

	for (i = 0; i < e->n; i++)
		if (!strncmp(e->v[i], name, n) && e->v[i][n] == '=')
			return e->v[i] + n + 1;
	return NULL;
}

static void envv_free(struct envv *e)
{
	int i;

	for (i = 0; i < e->n; i++)
		free(e->v[i]);
	free(e->v);
	memset(e, 0, sizeof(*e));
}

/* PATH as login(1) sets it: ENV_SUPATH for root, else ENV_PATH. */
static void login_path(int root, char *buf, size_t cap)
{
	const char *key = root ? "ENV_SUPATH" : "ENV_PATH";
	size_t klen = strlen(key);
	char line[1024], *p, *v;
	FILE *f;

	snprintf(buf, cap, "%s", root ? SPAWN_SUPATH : SPAWN_PATH);
	f = fopen("/etc/login.defs", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		p = line + strspn(line, " \t");
		if (strncmp(p, key, klen) || (p[klen] != ' ' && p[klen] != '\t'))
			continue;
		v = p + klen + strspn(p + klen, " \t");
		v[strcspn(v, " \t\r\n")] = 0;
		if (!strncmp(v, "PATH=", 5))
			v += 5;
		if (*v)
			snprintf(buf, cap, "%s", v);
	}
	fclose(f);
}

static int locale_name(const char *p, size_t n)
{
	return (n == 4 && !strncmp(p, "LANG", 4)) ||
	       (n == 8 && !strncmp(p, "LANGUAGE", 8)) ||
	       (n > 3 && !strncmp(p, "LC_", 3));
}

/* LANG, LANGUAGE and LC_* from /etc/default/locale, as pam_env sets them. */
static int locale_env(struct envv *e)
{
	char line[1024], *p, *v, *end;
	int err = 0;
	size_t n;
	FILE *f;

	f = fopen("/etc/default/locale", "re");
	if (!f)
		return 0;
	while (!err && fgets(line, sizeof(line), f)) {
		p = line + strspn(line, " \t");
		if (!strncmp(p, "export", 6) && (p[6] == ' ' || p[6] == '\t'))
			p += 6 + strspn(p + 6, " \t");
		n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
		if (p[n] != '=' || !locale_name(p, n))
			continue;
		p[n] = 0;
		v = p + n + 1;
		v[strcspn(v, "\r\n")] = 0;
		if ((*v == '"' || *v == '\'') && (end = strchr(v + 1, *v))) {
			*end = 0;
			v++;
		} else {
			v[strcspn(v, " \t#")] = 0;
		}
		err = envv_setf(e, p, v);
	}
	fclose(f);
	return err;
}

/*
 * What a login of the shadow's user gets (HOME, USER, LOGNAME, SHELL from
 * passwd, login's PATH, the system locale), and the variables of
 * hostcalld's own environment that --pass-env names. Nothing else of
 * hostcalld's environment reaches a host program.
 */
static int spawner_base_env(struct spawner *sp)
{
	const struct hostd_config *cfg = sp->cfg;
	struct envv *e = &sp->env;
	char path[HC_PATH_MAX];
	const char *v;
	unsigned int i;
	int err;

	login_path(cfg->uid == 0, path, sizeof(path));
	err = envv_setf(e, "HOME", cfg->pw_dir);
	if (!err)
		err = envv_setf(e, "USER", cfg->pw_name);
	if (!err)
		err = envv_setf(e, "LOGNAME", cfg->pw_name);
	if (!err)
		err = envv_setf(e, "SHELL", cfg->pw_shell);
	if (!err)
		err = envv_setf(e, "PATH", path);
	if (!err)
		err = locale_env(e);
	for (i = 0; !err && i < cfg->npass_env; i++)
		if ((v = getenv(cfg->pass_env[i])))
			err = envv_setf(e, cfg->pass_env[i], v);
	return err;
}

/* The request's envp extends the base with HC_SPAWN_KEEPENV or when it is
 * empty; otherwise it is the whole environment. */
static int spawn_env(struct spawner *sp, struct spawn *s, const struct hc_req_spawn *q)
{
	int replace = q->envp.count > 0 && !(q->flags & HC_SPAWN_KEEPENV);
	const char *str;
	hc_u32 pos = 0;
	int i, err = 0;

	for (i = 0; !replace && !err && i < sp->env.n; i++)
		err = envv_set(&s->env, sp->env.v[i]);
	while (!err && (str = hc_strv_next(&q->envp, &pos)))
		err = envv_set(&s->env, str);
	if (!err && !s->env.v) {
		/* an envp of nothing but non-entries: an empty environment */
		s->env.v = calloc(1, sizeof(char *));
		if (!s->env.v)
			err = -ENOMEM;
	}
	return err;
}

/* ---- SPAWN ---- */

static struct spawner_proc *proc_find(struct spawner *sp, hc_u32 pid)
{
	int i;

	for (i = 0; pid && i < HOSTD_PROCS_MAX; i++)
		if (sp->procs[i].pid > 0 && (hc_u32)sp->procs[i].pid == pid)
			return &sp->procs[i];
	return NULL;
}

/* It exited: the pty is no longer held open for it (the caller sees EIO). */
static void proc_ended(struct spawner_proc *pr)
{
	if (pr->slave >= 0)
		close(pr->slave);
	if (pr->pidfd >= 0)
		close(pr->pidfd);
	pr->slave = pr->pidfd = -1;
}

static void proc_free(struct spawner_proc *pr)
{
	proc_ended(pr);
	pr->pid = 0;
	pr->pty = 0;
}

static int spawn_argv(struct spawn *s, const struct hc_req_spawn *q)
{
	const char *str;
	hc_u32 pos = 0;
	int i = 0;

	s->argv = calloc(q->argv.count + 1, sizeof(char *));
	if (!s->argv)
		return -ENOMEM;
	while ((str = hc_strv_next(&q->argv, &pos)))
		s->argv[i++] = (char *)str;
	return 0;
}

static int spawn_pty(struct spawn *s, hc_u32 rows, hc_u32 cols)
{
	struct winsize ws = { .ws_row = rows, .ws_col = cols };

	if (!ws.ws_row)
		ws.ws_row = 24;
	if (!ws.ws_col)
		ws.ws_col = 80;
	s->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s->master < 0)
		return -errno;
	if (grantpt(s->master) < 0 || unlockpt(s->master) < 0)
		return -errno;
	s->slave = ioctl(s->master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s->slave < 0)
		return -errno;
	if (ioctl(s->master, TIOCSWINSZ, &ws) < 0)
		return -errno;
	return 0;
}

/*
 * The child's streams. The caller's pipe ends are given in stdio order as
 * they are made, the pty master once after them; HC_STDIO_PASS streams take
 * the request's fds in order, and fdmap the rest.
 */
static int spawn_stdio(struct spawn *s, const struct hc_req_spawn *q,
		       const int *fds, int nfds)
{
	const hc_u32 modes[3] = { q->stdin_mode, q->stdout_mode, q->stderr_mode };
	int i, p[2], err, used = 0;
	hc_u32 j;

	for (i = 0; i < 3; i++) {
		switch (modes[i]) {
		case HC_STDIO_NULL:
			s->io[i] = open("/dev/null", O_RDWR | O_CLOEXEC);
			if (s->io[i] < 0)
				return -errno;
			s->own[i] = 1;
			break;
		case HC_STDIO_PIPE:
			if (pipe2(p, O_CLOEXEC) < 0)
				return -errno;
			s->io[i] = i ? p[1] : p[0];
			s->own[i] = 1;
			s->give[s->ngive++] = i ? p[0] : p[1];
			break;
		case HC_STDIO_PTY:
			if (q->rows > 0xffff || q->cols > 0xffff)
				return -EINVAL;
			if (s->master < 0 && (err = spawn_pty(s, q->rows, q->cols)))
				return err;
			s->io[i] = s->slave;
			break;
		case HC_STDIO_PASS:
			if (used >= nfds)
				return -EBADF;
			s->io[i] = fds[used++];
			break;
		case HC_STDIO_SAME:
			if (!i)
				return -EINVAL;
			s->io[i] = s->io[i - 1];
			break;
		default:
			return -EINVAL;
		}
	}
	if (s->master >= 0) {
		s->give[s->ngive++] = s->master;
		s->master = -1;
	}
	/* the shadow checked these; the spawner trusts no request either */
	if (nfds - used != (int)q->fdmap.n)
		return -EBADF;
	err = hostd_spawn_check_fdmap(q);
	if (err)
		return err;
	for (j = 0; j < q->fdmap.n; j++) {
		s->extra[j] = fds[used + j];
		s->extra_to[j] = q->fdmap.v[j];
	}
	s->nextra = q->fdmap.n;
	return 0;
}

/* execve(), and for a file without a #! line, sh FILE as execvp() does. */
static void exec_file(const char *file, char **argv, char **envp)
{
	char **shargv;
	int argc;

	execve(file, argv, envp);
	if (errno != ENOEXEC)
		return;
	for (argc = 0; argv[argc]; argc++)
		;
	shargv = calloc(argc + 2, sizeof(char *));
	if (!shargv)
		return;
	shargv[0] = "sh";
	shargv[1] = (char *)file;
	memcpy(shargv + 2, argv + 1, argc * sizeof(char *));
	execve("/bin/sh", shargv, envp);
}

/* execvpe() with the PATH of @envp (glibc's uses the caller's environ). */
static void spawn_exec(char **argv, char **envp, const char *path)
{
	const char *file = argv[0], *p, *end;
	char buf[HC_PATH_MAX + 1];
	int eacces = 0, err;

	if (strchr(file, '/')) {
		exec_file(file, argv, envp);
		return;
	}
	if (!*file || strlen(file) > HC_NAME_MAX) {
		errno = *file ? ENAMETOOLONG : ENOENT;
		return;
	}
	for (p = path ? path : SPAWN_PATH; ; p = end + 1) {
		end = strchrnul(p, ':');
		if (snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(end - p), p,
			     end == p ? "" : "/", file) < (int)sizeof(buf)) {
			exec_file(buf, argv, envp);
			err = errno;
			/*
			 * EACCES counts only for a file that is there: a PATH
			 * directory this user may not search is skipped like
			 * a missing one.
			 */
			if (err == EACCES) {
				if (faccessat(AT_FDCWD, buf, F_OK, AT_EACCESS) == 0)
					eacces = 1;
			} else if (err != ENOENT && err != ENOTDIR && err != ELOOP &&
				   err != ENAMETOOLONG) {
				errno = err;
				return;
			}
		}
		if (!*end)
			break;
	}
	errno = eacces ? EACCES : ENOENT;
}

static int spawn_is_target(const struct spawn *s, int fd)
{
	int i;

	for (i = 0; i < s->nextra; i++)
		if (s->extra_to[i] == fd)
			return 1;
	return 0;
}

/*
 * A copy of @fd at a number that is none of the targets: a copy that lands
 * on a free target number is left there (the target's dup2() replaces it
 * later) and the next one is tried, so at most one per target.
 */
static int spawn_move_fd(const struct spawn *s, int fd)
{
	int i, nfd = -1;

	for (i = 0; i <= s->nextra; i++) {
		nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (nfd < 0 || !spawn_is_target(s, nfd))
			return nfd;
	}
	errno = EMFILE;		/* never: there are only nextra targets */
	return -1;
}

/*
 * In the child, after stdio: fdmap's fds to their numbers. A source, or the
 * error pipe, whose number is one of the targets would be overwritten before
 * its turn (or before an exec failure is told), so those move to a number
 * that is no target first, as posix_spawn's file actions would have to.
 * Every source is close-on-exec, so only the targets remain in the program.
 * Returns: 0, or -1 with errno set.
 */
static int spawn_place_fds(struct spawn *s)
{
	int *move[HC_FDS_MAX + 1], nmove = 0, i, fd;

	if (spawn_is_target(s, s->errpipe[1]))
		move[nmove++] = &s->errpipe[1];
	for (i = 0; i < s->nextra; i++)
		if (spawn_is_target(s, s->extra[i]))
			move[nmove++] = &s->extra[i];
	for (i = 0; i < nmove; i++) {
		fd = spawn_move_fd(s, *move[i]);
		if (fd < 0)
			return -1;
		*move[i] = fd;
	}
	for (i = 0; i < s->nextra; i++)
		if (dup2(s->extra[i], s->extra_to[i]) < 0)
			return -1;
	return 0;
}

static void __attribute__((noreturn)) spawn_child(struct spawn *s)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	int i, err;

	for (i = 1; i < NSIG; i++)
		sigaction(i, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (s->flags & HC_SPAWN_SETSID) {
		if (setsid() < 0)
			goto fail;
		if (s->slave >= 0 && ioctl(s->slave, TIOCSCTTY, 0) < 0)
			goto fail;
	} else if (setpgid(0, 0) < 0) {
		goto fail;
	}
	if (*s->dir && chdir(s->dir) < 0)
		goto fail;
	/* every source fd is > 2 (0-2 are the spawner's own) */
	for (i = 0; i < 3; i++)
		if (dup2(s->io[i], i) < 0)
			goto fail;
	if (s->nextra && spawn_place_fds(s) < 0)
		goto fail;
	spawn_exec(s->argv, s->env.v, envv_get(&s->env, "PATH"));
fail:
	err = errno;
	if (write(s->errpipe[1], &err, sizeof(err)) < 0)
		_exit(126);
	_exit(127);
}

static void spawn_free(struct spawn *s, int failed)
{
	int i;

	for (i = 0; failed && i < s->ngive; i++)
		close(s->give[i]);
	for (i = 0; i < 3; i++)
		if (s->own[i])
			close(s->io[i]);
	if (s->master >= 0)
		close(s->master);
	if (s->slave >= 0)
		close(s->slave);
	for (i = 0; i < 2; i++)
		if (s->errpipe[i] >= 0)
			close(s->errpipe[i]);
	envv_free(&s->env);
	free(s->argv);
}

/* The exec's outcome: 0 once it ran, else the child's -errno (reaped). */
static int spawn_outcome(struct spawner *sp, struct spawn *s, pid_t pid)
{
	struct pollfd p[2] = {
		{ .fd = s->errpipe[0], .events = POLLIN },
		{ .fd = sp->lifeline, .events = POLLIN },
	};
	int code = 0, r;
	ssize_t n;

	do
		r = poll(p, 2, -1);
	while (r < 0 && errno == EINTR);
	if (r > 0 && !p[0].revents) {
		/* the relay is gone: so is the subject */
		kill(pid, SIGKILL);
		code = EINTR;
	} else {
		do
			n = read(s->errpipe[0], &code, sizeof(code));
		while (n < 0 && errno == EINTR);
		if (n != sizeof(code))
			return 0;
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return -code;
}

/* Reply: the pid; fds: its pidfd, then the caller's ends. */
static hc_s64 spawner_spawn(struct spawner *sp, const struct hc_msg *m,
			    const int *fds, int nfds, int *out, int *nout)
{
	const struct hc_req_spawn *q = &m->req.spawn;
	struct spawn s = {
		.dir = q->cwd, .master = -1, .slave = -1,
		.errpipe = { -1, -1 }, .flags = q->flags,
	};
	struct spawner_proc *slot;
	int err, pidfd, i;
	pid_t pid;

	if (q->argv.count < 1)
		return -EINVAL;
	for (slot = sp->procs; slot < sp->procs + HOSTD_PROCS_MAX; slot++)
		if (!slot->pid)
			break;
	if (slot == sp->procs + HOSTD_PROCS_MAX)
		return -EAGAIN;
	err = spawn_argv(&s, q);
	if (!err)
		err = spawn_env(sp, &s, q);
	if (!err)
		err = spawn_stdio(&s, q, fds, nfds);
	if (!err && pipe2(s.errpipe, O_CLOEXEC) < 0)
		err = -errno;
	if (err)
		goto out;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		goto out;
	}
	if (pid == 0)
		spawn_child(&s);
	if (!(s.flags & HC_SPAWN_SETSID))
		setpgid(pid, pid);	/* also here: no race with an early kill */
	close(s.errpipe[1]);
	s.errpipe[1] = -1;
	err = spawn_outcome(sp, &s, pid);
	if (err)
		goto out;
	/* a zombie keeps its pid until we reap it, so the pidfd is its */
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		err = -errno;
		kill(-pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		goto out;
	}
	slot->pid = pid;
	slot->pty = s.slave >= 0;
	slot->slave = s.slave;
	slot->pidfd = -1;
	s.slave = -1;
	if (slot->slave >= 0) {
		slot->pidfd = fcntl(pidfd, F_DUPFD_CLOEXEC, 3);
		if (slot->pidfd < 0)
			proc_ended(slot);	/* no watch: let go of the pty now */
	}
	out[(*nout)++] = pidfd;
	for (i = 0; i < s.ngive; i++)
		out[(*nout)++] = s.give[i];
	err = pid;
out:
	spawn_free(&s, err < 0);
	return err;
}

/* ---- WAIT, KILL, WINSIZE, BYE ---- */

static hc_s64 spawner_wait(struct spawner *sp, const struct hc_msg *m,
			   struct hc_msg *rep)
{
	const struct hc_req_wait *q = &m->req.wait;
	struct spawner_proc *pr = proc_find(sp, q->pid);
	int status = 0, err;
	pid_t r;

	if (!pr)
		return -ECHILD;
	do
		r = waitpid(pr->pid, &status, q->flags & HC_WAIT_NOHANG ? WNOHANG : 0);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		err = -errno;
		if (err == -ECHILD)
			proc_free(pr);
		return err;
	}
	if (r == 0)
		return 0;
	proc_free(pr);
	rep->rep.wait.status = status;
	return r;
}

static hc_s64 spawner_kill(struct spawner *sp, const struct hc_msg *m)
{
	const struct hc_req_kill *q = &m->req.kill;
	struct spawner_proc *pr = proc_find(sp, q->pid);
	int sig = (int)q->sig;

	if (!pr)
		return -ESRCH;
	if (q->sig >= NSIG)
		return -EINVAL;
	if (kill(-pr->pid, sig) == 0)
		return 0;
	/* it may have moved to another group (a shell doing job control) */
	return kill(pr->pid, sig) < 0 ? -errno : 0;
}

/*
 * The spawner holds the pty's slave while the program runs: the pty cannot
 * be freed and its number reused under us, and the caller's end still
 * hangs up the program when it closes (it is the master's last close that
 * does). After the program ended there is nothing left to resize.
 */
static hc_s64 spawner_winsize(struct spawner *sp, const struct hc_msg *m)
{
	const struct hc_req_winsize *q = &m->req.winsize;
	struct spawner_proc *pr = proc_find(sp, q->pid);
	struct winsize ws = { .ws_row = q->rows, .ws_col = q->cols };

	if (!pr)
		return -ESRCH;
	if (q->rows > 0xffff || q->cols > 0xffff)
		return -EINVAL;
	if (!pr->pty)
		return -ENOTTY;
	if (pr->slave < 0)
		return -ESRCH;
	return ioctl(pr->slave, TIOCSWINSZ, &ws) < 0 ? -errno : 0;
}

/* As a terminal hangup would: SIGHUP (and SIGCONT) to each process group. */
static void spawner_hangup(struct spawner *sp)
{
	int i;

	if (sp->hung_up)
		return;
	sp->hung_up = 1;
	for (i = 0; i < HOSTD_PROCS_MAX; i++) {
		if (sp->procs[i].pid <= 0)
			continue;
		kill(-sp->procs[i].pid, SIGHUP);
		kill(-sp->procs[i].pid, SIGCONT);
	}
}

/* ---- the process ---- */

/* Close every fd but 0-2, @a and @b (both > 2). */
static void close_others(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;

	if (lo > 3)
		close_range(3, lo - 1, 0);
	if (hi > lo + 1)
		close_range(lo + 1, hi - 1, 0);
	close_range(hi + 1, ~0u, 0);
}

static void spawner_serve(struct spawner *sp) __attribute__((noreturn));

/*
 * A spawner for a forked subject (the request's header names it),
 * double-forked so that the relay (the child subreaper) reaps it, as it
 * reaps the forked subject's shadow.
 */
static hc_s64 spawner_fork(struct spawner *sp, const struct hc_msg *m,
			   int *out, int *nout)
{
	int sv[2], status, i;
	pid_t mid, pid;

	if (m->subject < 1 || m->subject > sp->cfg->max_subjects)
		return -EINVAL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	mid = fork();
	if (mid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -errno;
	}
	if (mid == 0) {
		pid = fork();
		if (pid < 0)
			_exit(1);
		if (pid > 0)
			_exit(0);
		close_others(sv[1], sp->lifeline);
		sp->sock = sv[1];
		sp->slot = m->subject - 1;
		sp->hung_up = 0;
		/* the parent subject's processes are not this one's */
		for (i = 0; i < HOSTD_PROCS_MAX; i++)
			sp->procs[i] = (struct spawner_proc){ .slave = -1, .pidfd = -1 };
		spawner_serve(sp);
	}
	close(sv[1]);
	while (waitpid(mid, &status, 0) < 0)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		close(sv[0]);
		return -EAGAIN;
	}
	out[(*nout)++] = sv[0];
	return 0;
}

static hc_s64 spawner_dispatch(struct spawner *sp, const struct hc_msg *m,
			       const int *fds, int nfds, struct hc_msg *rep,
			       int *out, int *nout)
{
	switch (m->op) {
	case HC_OP_SPAWN:
		return spawner_spawn(sp, m, fds, nfds, out, nout);
	case HC_OP_WAIT:
		return spawner_wait(sp, m, rep);
	case HC_OP_KILL:
		return spawner_kill(sp, m);
	case HC_OP_WINSIZE:
		return spawner_winsize(sp, m);
	case HC_OP_FORK_SUBJECT:
		return spawner_fork(sp, m, out, nout);
	case HC_OP_BYE:
		spawner_hangup(sp);
		return 0;
	default:
		return -ENOSYS;
	}
}

/* Serve one request of the shadow. Returns: 0, or -errno to end. */
static int spawner_serve_one(struct spawner *sp)
{
	int fds[HC_SOCK_FDS_MAX], nfds = 0, out[HC_SOCK_FDS_MAX], nout = 0, i, len, err;
	struct hc_msg m, rep;
	hc_s64 res;
	ssize_t n;

	n = hc_sock_recv(sp->sock, sp->inbuf, HC_MSG_MAX, fds, &nfds);
	if (n <= 0)
		return n ? (int)n : -ECONNRESET;
	memset(&rep, 0, sizeof(rep));
	res = hc_decode(&m, sp->inbuf, n);
	if (res == 0 && ((m.hflags & HC_HF_REPLY) ||
			 (nfds && !hostd_op_has(m.op, HC_OPF_FDS))))
		res = -EBADMSG;
	if (res == 0)
		res = spawner_dispatch(sp, &m, fds, nfds, &rep, out, &nout);
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	if (res < 0) {
		for (i = 0; i < nout; i++)
			close(out[i]);
		nout = 0;
	}
	rep.op = m.op;
	rep.tag = m.tag;
	rep.subject = sp->slot + 1;
	rep.hflags = HC_HF_REPLY;
	rep.result = res;
	len = hc_encode(&rep, sp->outbuf, HC_MSG_MAX);
	if (len < 0)
		err = len;
	else
		err = hc_sock_send(sp->sock, sp->outbuf, len, out, nout);
	for (i = 0; i < nout; i++)
		close(out[i]);
	return err;
}

static void spawner_serve(struct spawner *sp)
{
	struct pollfd p[2 + HOSTD_PROCS_MAX];
	int map[HOSTD_PROCS_MAX];
	int i, n;

	while (!spawner_stop) {
		p[0] = (struct pollfd){ .fd = sp->sock, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = sp->lifeline, .events = POLLIN };
		for (n = 2, i = 0; i < HOSTD_PROCS_MAX; i++)
			if (sp->procs[i].pidfd >= 0) {
				map[n - 2] = i;
				p[n++] = (struct pollfd){ .fd = sp->procs[i].pidfd,
							  .events = POLLIN };
			}
		if (poll(p, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)	/* the relay is gone */
			break;
		for (i = 2; i < n; i++)
			if (p[i].revents)
				proc_ended(&sp->procs[map[i - 2]]);
		if (p[0].revents & POLLIN) {
			if (spawner_serve_one(sp) < 0)
				break;
		} else if (p[0].revents) {
			break;
		}
	}
	spawner_hangup(sp);
	_exit(0);
}

static void __attribute__((noreturn))
spawner_main(const struct hostd_config *cfg, unsigned int slot, int sock,
	     int lifeline)
{
	static struct spawner sp;
	struct sigaction sa = { .sa_handler = spawner_on_stop };
	int i, fd, err;

	sp.cfg = cfg;
	sp.slot = slot;
	sp.sock = sock;
	sp.lifeline = lifeline;
	for (i = 0; i < HOSTD_PROCS_MAX; i++)
		sp.procs[i] = (struct spawner_proc){ .slave = -1, .pidfd = -1 };
	close_others(sock, lifeline);
	/* hostcalld's terminal, if any, is no host program's */
	setsid();
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		close(fd);
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_NAME, "hostcalld-spawn", 0, 0, 0);
	err = hostd_sandbox_become_user(cfg);
	if (!err && chdir("/") < 0)
		err = -errno;
	sp.inbuf = malloc(HC_MSG_MAX);
	sp.outbuf = malloc(HC_MSG_MAX);
	if (!err && (!sp.inbuf || !sp.outbuf))
		err = -ENOMEM;
	if (!err)
		err = spawner_base_env(&sp);
	if (err) {
		hostd_log(HOSTD_NAME ": subject %u: spawner: cannot start as user %s: %s "
			  "(host programs cannot be started)", slot + 1, cfg->pw_name,
			  strerror(-err));
		_exit(1);
	}
	spawner_serve(&sp);
}

int hostd_spawner_start(struct hostd_shadow *sh)
{
	int fd;
	pid_t pid = hostd_fork_pair(&fd);

	if (pid < 0)
		return pid;
	if (pid == 0)
		spawner_main(sh->cfg, sh->slot, fd, sh->lifeline);
	return fd;
}
