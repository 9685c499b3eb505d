// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host processes of a subject: spawn (argv, environment, cwd, and a pipe,
 * the pty or a passed fd for each stdio stream), wait, kill and the pty
 * window size. A subject may only wait for, signal or resize processes it
 * spawned itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "hostd.h"

#define SPAWN_DEFAULT_PATH	"/usr/local/bin:/usr/bin:/bin"

extern char **environ;

struct spawn {
	char **argv;
	char **envp;
	int nenv;
	int cwdfd;			/* -1: the subject's cwd */
	int io[3];			/* the child's stdin, stdout, stderr */
	int own[3];			/* io[i] is ours to close */
	int master, slave;		/* the pty, or -1 */
	int master_sent;		/* the reply owns the master now */
	char pts[32];
	int errpipe[2];			/* exec failure: errno from the child */
	int keep;			/* SPAWN_KEEP: streams become handles */
	int nkept;
	hc_u32 kept[HC_FDS_MAX + 1];	/* their handles, in reply order */
	hc_u32 flags;
	mode_t umask;
};

static struct hostd_proc *proc_find(struct hostd_shadow *sh, hc_u32 pid)
{
	int i;

	for (i = 0; pid && i < HOSTD_PROCS_MAX; i++)
		if (sh->procs[i].pid > 0 && (hc_u32)sh->procs[i].pid == pid)
			return &sh->procs[i];
	return NULL;
}

/*
 * The spawn environment: hostcalld's own (with HOME, USER, LOGNAME and SHELL
 * of the shadow's user and a default PATH if it has none), which envp
 * extends with HC_SPAWN_KEEPENV or else replaces when it is not empty.
 */
static int env_set(struct spawn *sp, const char *entry)
{
	size_t klen = strcspn(entry, "=");
	char *dup = strdup(entry);
	int i;

	if (!dup)
		return -ENOMEM;
	for (i = 0; i < sp->nenv; i++)
		if (!strncmp(sp->envp[i], entry, klen) && sp->envp[i][klen] == '=') {
			free(sp->envp[i]);
			sp->envp[i] = dup;
			return 0;
		}
	sp->envp[sp->nenv++] = dup;
	return 0;
}

static int env_set_var(struct spawn *sp, const char *name, const char *value)
{
	char buf[HC_PATH_MAX + 64];

	if ((size_t)snprintf(buf, sizeof(buf), "%s=%s", name, value) >= sizeof(buf))
		return -ENAMETOOLONG;
	return env_set(sp, buf);
}

static const char *env_get(const struct spawn *sp, const char *name)
{
	size_t n = strlen(name);
	int i;

	for (i = 0; i < sp->nenv; i++)
		if (!strncmp(sp->envp[i], name, n) && sp->envp[i][n] == '=')
			return sp->envp[i] + n + 1;
	return NULL;
}

static int spawn_env(struct spawn *sp, const struct hostd_config *cfg,
		     const struct hc_msg *m)
{
	int replace = m->envc > 0 && !(m->flags & HC_SPAWN_KEEPENV);
	const char *s;
	hc_u32 pos = 0;
	size_t n = 0;
	int err = 0;

	while (environ && environ[n])
		n++;
	sp->envp = calloc(n + m->envc + 8, sizeof(char *));
	if (!sp->envp)
		return -ENOMEM;
	if (!replace) {
		for (n = 0; environ && environ[n] && !err; n++)
			if (strchr(environ[n], '='))
				err = env_set(sp, environ[n]);
		if (!err)
			err = env_set_var(sp, "HOME", cfg->pw_dir);
		if (!err)
			err = env_set_var(sp, "USER", cfg->pw_name);
		if (!err)
			err = env_set_var(sp, "LOGNAME", cfg->pw_name);
		if (!err)
			err = env_set_var(sp, "SHELL", cfg->pw_shell);
		if (!err && !env_get(sp, "PATH"))
			err = env_set_var(sp, "PATH", SPAWN_DEFAULT_PATH);
	}
	while (!err && (s = hc_strv_next(m->envp, m->envplen, &pos)))
		if (strchr(s, '='))
			err = env_set(sp, s);
	return err;
}

static int spawn_argv(struct spawn *sp, const struct hc_msg *m)
{
	const char *s;
	hc_u32 pos = 0;
	int i = 0;

	sp->argv = calloc(m->argc + 1, sizeof(char *));
	if (!sp->argv)
		return -ENOMEM;
	while ((s = hc_strv_next(m->argv, m->argvlen, &pos)))
		sp->argv[i++] = (char *)s;
	return 0;
}

static int spawn_pty(struct spawn *sp, hc_u32 size)
{
	struct winsize ws = { .ws_row = size >> 16, .ws_col = size & 0xffff };

	if (!ws.ws_row)
		ws.ws_row = 24;
	if (!ws.ws_col)
		ws.ws_col = 80;
	sp->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (sp->master < 0)
		return -errno;
	if (grantpt(sp->master) < 0 || unlockpt(sp->master) < 0 ||
	    ptsname_r(sp->master, sp->pts, sizeof(sp->pts)))
		return -errno;
	sp->slave = ioctl(sp->master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (sp->slave < 0)
		return -errno;
	if (ioctl(sp->master, TIOCSWINSZ, &ws) < 0)
		return -errno;
	return 0;
}

/*
 * The caller's end of a stream: attached to the reply (SPAWN), or kept as a
 * handle that the reply's data lists (SPAWN_KEEP). @fd is ours either way.
 */
static int spawn_give(struct spawn *sp, struct hostd_shadow *sh,
		      struct hostd_req *rq, int fd)
{
	int h;

	if (!sp->keep)
		return hostd_reply_fd(rq, fd);
	h = hostd_handle_add(sh, fd);
	close(fd);
	if (h < 0)
		return h;
	sp->kept[sp->nkept++] = h;
	return 0;
}

/*
 * The child's streams. The caller's pipe ends are given in stdio order as
 * they are made, the pty master once after them.
 */
static int spawn_stdio(struct spawn *sp, struct hostd_shadow *sh,
		       struct hostd_req *rq)
{
	const struct hc_msg *m = rq->m;
	int i, p[2], err;

	for (i = 0; i < 3; i++) {
		switch ((m->arg >> (8 * i)) & 0xff) {
		case HC_STDIO_NULL:
			sp->io[i] = open("/dev/null", O_RDWR | O_CLOEXEC);
			if (sp->io[i] < 0)
				return -errno;
			sp->own[i] = 1;
			break;
		case HC_STDIO_PIPE:
			if (pipe2(p, O_CLOEXEC) < 0)
				return -errno;
			sp->io[i] = i ? p[1] : p[0];
			sp->own[i] = 1;
			err = spawn_give(sp, sh, rq, i ? p[0] : p[1]);
			if (err)
				return err;
			break;
		case HC_STDIO_PTY:
			if (sp->master < 0 && (err = spawn_pty(sp, m->arg2)))
				return err;
			sp->io[i] = sp->slave;
			break;
		case HC_STDIO_PASS:
			/* the caller's own fd (a guest pipe…): no "opened by me" check */
			if (rq->in_used >= rq->nin)
				return -EBADF;
			sp->io[i] = rq->in_fds[rq->in_used++];
			break;
		case HC_STDIO_SAME:
			if (!i)
				return -EINVAL;
			sp->io[i] = sp->io[i - 1];
			break;
		default:
			return -EINVAL;
		}
	}
	if (sp->master >= 0) {
		sp->master_sent = 1;	/* closed by spawn_give on failure */
		err = spawn_give(sp, sh, rq, sp->master);
		if (err)
			return err;
	}
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
	for (p = path ? path : SPAWN_DEFAULT_PATH; ; p = end + 1) {
		end = strchrnul(p, ':');
		if (snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(end - p), p,
			     end == p ? "" : "/", file) < (int)sizeof(buf)) {
			exec_file(buf, argv, envp);
			err = errno;
			/*
			 * EACCES counts only for a file that is there: a PATH
			 * directory this user may not search (root's, in
			 * hostcalld's environment) is skipped like a missing one.
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

static void __attribute__((noreturn)) spawn_child(struct spawn *sp)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	int i, err;

	for (i = 1; i < NSIG; i++)
		sigaction(i, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (sp->flags & HC_SPAWN_SETSID) {
		if (setsid() < 0)
			goto fail;
		if (sp->slave >= 0 && ioctl(sp->slave, TIOCSCTTY, 0) < 0)
			goto fail;
	} else if (setpgid(0, 0) < 0) {
		goto fail;
	}
	umask(sp->umask);
	if (sp->cwdfd >= 0 && fchdir(sp->cwdfd) < 0)
		goto fail;
	/* every source fd is > 2 (fds 0-2 are always open in hostcalld) */
	for (i = 0; i < 3; i++)
		if (dup2(sp->io[i], i) < 0)
			goto fail;
	spawn_exec(sp->argv, sp->envp, env_get(sp, "PATH"));
fail:
	err = errno;
	if (write(sp->errpipe[1], &err, sizeof(err)) < 0)
		_exit(126);
	_exit(127);
}

static void spawn_free(struct spawn *sp, struct hostd_shadow *sh, int failed)
{
	int i;

	for (i = 0; failed && i < sp->nkept; i++)
		hostd_handle_close(sh, sp->kept[i]);

	for (i = 0; i < 3; i++)
		if (sp->own[i])
			close(sp->io[i]);
	if (sp->slave >= 0)
		close(sp->slave);
	if (sp->master >= 0 && !sp->master_sent)
		close(sp->master);
	if (sp->cwdfd >= 0)
		close(sp->cwdfd);
	for (i = 0; i < 2; i++)
		if (sp->errpipe[i] >= 0)
			close(sp->errpipe[i]);
	for (i = 0; sp->envp && i < sp->nenv; i++)
		free(sp->envp[i]);
	free(sp->envp);
	free(sp->argv);
}

/*
 * Without fds in replies (HC_HELLO_KEEP_HANDLES) SPAWN can only have streams
 * that return nothing: /dev/null and "same as the previous one"; SPAWN_KEEP
 * gives the others as handles.
 */
static int spawn_stdio_fdless(hc_u32 modes)
{
	int i;

	for (i = 0; i < 3; i++) {
		hc_u32 mode = (modes >> (8 * i)) & 0xff;

		if (mode != HC_STDIO_NULL && mode != HC_STDIO_SAME)
			return 0;
	}
	return 1;
}

/*
 * Host programs run outside any --root (we cannot chroot them as an
 * ordinary user), so under --root spawning is refused: nothing outside the
 * root may be reached.
 */
hc_s64 hostd_spawn(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_msg *m = rq->m;
	struct spawn sp = {
		.cwdfd = -1, .master = -1, .slave = -1, .errpipe = { -1, -1 },
		.flags = m->flags, .umask = sh->umask,
		.keep = m->op == HC_OP_SPAWN_KEEP,
	};
	struct hostd_proc *slot;
	int err, code, i, b;
	ssize_t n;
	pid_t pid;

	if (sh->cfg->root)
		return -EPERM;
	if (m->argc < 1 || (m->flags & ~(hc_u32)(HC_SPAWN_NEWPGRP | HC_SPAWN_SETSID |
						  HC_SPAWN_KEEPENV)))
		return -EINVAL;
	if (sh->keep_handles && !sp.keep && !spawn_stdio_fdless(m->arg))
		return -EOPNOTSUPP;
	for (slot = sh->procs; slot < sh->procs + HOSTD_PROCS_MAX; slot++)
		if (!slot->pid)
			break;
	if (slot == sh->procs + HOSTD_PROCS_MAX)
		return -EAGAIN;	/* HOSTD_PROCS_MAX not yet waited for */
	if (*m->path) {
		sp.cwdfd = hostd_open(sh, rq, HC_AT_FDCWD, m->path, 0, O_PATH | O_DIRECTORY, 0);
		if (sp.cwdfd < 0)
			return sp.cwdfd;
	}
	err = spawn_argv(&sp, m);
	if (!err)
		err = spawn_env(&sp, sh->cfg, m);
	if (!err)
		err = spawn_stdio(&sp, sh, rq);
	if (!err && pipe2(sp.errpipe, O_CLOEXEC) < 0)
		err = -errno;
	if (err)
		goto out;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		goto out;
	}
	if (pid == 0)
		spawn_child(&sp);
	if (!(sp.flags & HC_SPAWN_SETSID))
		setpgid(pid, pid);	/* also here: no race with an early kill */
	close(sp.errpipe[1]);
	sp.errpipe[1] = -1;
	do
		n = read(sp.errpipe[0], &code, sizeof(code));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(code)) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		err = -code;
		goto out;
	}
	slot->pid = pid;
	strcpy(slot->pts, sp.master >= 0 ? sp.pts : "");
	err = pid;
	if (sp.keep) {
		/* the reply is encoded after we return: not on our stack */
		unsigned char *w = (unsigned char *)sh->scratch;

		for (i = 0; i < sp.nkept; i++)
			for (b = 0; b < 4; b++)
				w[4 * i + b] = sp.kept[i] >> (8 * b);
		rq->rep->data = w;
		rq->rep->datalen = 4 * sp.nkept;
	}
out:
	spawn_free(&sp, sh, err < 0);
	return err;
}

/* Blocking wait that still notices the subject or the relay going away. */
static int wait_exit(struct hostd_shadow *sh, pid_t pid)
{
	struct pollfd p[3] = {
		{ .fd = -1, .events = POLLIN },
		{ .fd = sh->conn, .events = 0 },
		{ .fd = sh->lifeline, .events = POLLIN },
	};
	int r;

	p[0].fd = syscall(SYS_pidfd_open, pid, 0);
	if (p[0].fd < 0)
		return errno == ENOSYS ? 0 : -errno;
	do
		r = poll(p, 3, -1);
	while (r == 0);
	if (r > 0 && !p[0].revents)
		r = -EINTR;
	else if (r < 0)
		r = -errno;
	close(p[0].fd);
	return r < 0 ? r : 0;
}

hc_s64 hostd_wait(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_msg *m = rq->m;
	struct hostd_proc *pr = proc_find(sh, m->arg);
	int status = 0, err;
	pid_t r;

	if (!pr)
		return -ECHILD;
	if (m->flags & ~(hc_u32)HC_WAIT_NOHANG)
		return -EINVAL;
	if (!(m->flags & HC_WAIT_NOHANG)) {
		err = wait_exit(sh, pr->pid);
		if (err)
			return err;
	}
	do
		r = waitpid(pr->pid, &status, m->flags & HC_WAIT_NOHANG ? WNOHANG : 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return 0;
	memset(pr, 0, sizeof(*pr));
	rq->rep->arg = status;
	return r;
}

hc_s64 hostd_kill(struct hostd_shadow *sh, struct hostd_req *rq)
{
	struct hostd_proc *pr = proc_find(sh, rq->m->arg);
	int sig = (int)rq->m->arg2;

	if (!pr)
		return -ESRCH;
	if (rq->m->arg2 >= NSIG)
		return -EINVAL;
	if (kill(-pr->pid, sig) == 0)
		return 0;
	/* it may have moved to another group (a shell doing job control) */
	return kill(pr->pid, sig) < 0 ? -errno : 0;
}

hc_s64 hostd_winsize(struct hostd_shadow *sh, struct hostd_req *rq)
{
	struct hostd_proc *pr = proc_find(sh, rq->m->arg);
	struct winsize ws = { .ws_row = rq->m->arg2 >> 16, .ws_col = rq->m->arg2 & 0xffff };
	int fd, r;

	if (!pr)
		return -ESRCH;
	if (!pr->pts[0])
		return -ENOTTY;
	/* the shadow keeps no end of the pty open, so the pty hangs up
	 * normally when the caller closes its master */
	fd = open(pr->pts, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = ioctl(fd, TIOCSWINSZ, &ws) < 0 ? -errno : 0;
	close(fd);
	return r;
}

void hostd_procs_hangup(struct hostd_shadow *sh)
{
	int i;

	for (i = 0; i < HOSTD_PROCS_MAX; i++) {
		if (sh->procs[i].pid <= 0)
			continue;
		kill(-sh->procs[i].pid, SIGHUP);
		kill(-sh->procs[i].pid, SIGCONT);
	}
}
