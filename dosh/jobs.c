// SPDX-License-Identifier: GPL-2.0-only
/*
 * jobs.c - dosh's processes and jobs: fork with process groups and the
 * terminal's foreground group, waiting, jobs/fg/bg/wait/kill.
 *
 * A host command is a local proxy process here like any other (host.c),
 * so everything below handles mixed pipelines unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "dosh.h"

#define J_RUNNING	0
#define J_STOPPED	1
#define J_DONE		2

int dosh_jobctl;
pid_t dosh_lastbg;

static struct dosh_job **jobtab;
static int njobs;
static int curjob, prevjob;	/* ids for %+ and %- */
static int ttyfd = -1;
static pid_t rootpgrp, initialpgrp;

struct dosh_job *dosh_job_new(const char *cmd)
{
	struct dosh_job *jp = dosh_xzalloc(sizeof(*jp));
	int k;

	for (k = 0; k < njobs; k++)
		if (!jobtab[k])
			break;
	if (k == njobs) {
		jobtab = dosh_xrealloc(jobtab, (size_t)(njobs + 1) *
				       sizeof(*jobtab));
		jobtab[njobs++] = NULL;
	}
	jobtab[k] = jp;
	jp->id = k + 1;
	jp->cmd = dosh_xstrdup(cmd ? cmd : "");
	return jp;
}

static void freejob(struct dosh_job *jp)
{
	int k;

	if (jp->id > 0 && jp->id <= njobs && jobtab[jp->id - 1] == jp)
		jobtab[jp->id - 1] = NULL;
	if (curjob == jp->id) {
		curjob = prevjob;
		prevjob = 0;
	} else if (prevjob == jp->id) {
		prevjob = 0;
	}
	for (k = 0; k < jp->nprocs; k++)
		free(jp->procs[k].cmd);
	free(jp->procs);
	free(jp->cmd);
	free(jp);
}

static void setcurjob(struct dosh_job *jp)
{
	if (curjob == jp->id)
		return;
	prevjob = curjob;
	curjob = jp->id;
}

void dosh_jobs_child(void)
{
	/* the parent's jobs are not the child's: forget them */
	free(jobtab);
	jobtab = NULL;
	njobs = 0;
	curjob = prevjob = 0;
}

int dosh_status_of(int ws)
{
	if (WIFEXITED(ws))
		return WEXITSTATUS(ws);
	if (WIFSIGNALED(ws))
		return 128 + WTERMSIG(ws);
	if (WIFSTOPPED(ws))
		return 128 + WSTOPSIG(ws);
	return 0;
}

static void child_signals(int mode)
{
	signal(SIGTSTP, SIG_DFL);
	signal(SIGTTIN, SIG_DFL);
	signal(SIGTTOU, SIG_DFL);
	if (mode == FORK_BG && !dosh_jobctl) {
		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
	} else if (dosh_interactive) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
	}
}

pid_t dosh_fork(struct dosh_job *jp, int mode, const char *cmd)
{
	pid_t pid, pgrp;

	dosh_outflush();
	pid = fork();
	if (pid < 0)
		dosh_error("Cannot fork");
	pgrp = jp && jp->nprocs ? jp->pgrp : pid;
	if (pid == 0) {
		pid_t me = getpid();

		if (!pgrp)
			pgrp = me;
		dosh_subshell++;
		dosh_handler = NULL;
		dosh_trap_child();
		if (dosh_jobctl && mode != FORK_NOJOB) {
			setpgid(0, pgrp);
			if (mode == FORK_FG && ttyfd >= 0)
				tcsetpgrp(ttyfd, pgrp);
		}
		child_signals(mode);
		if (mode == FORK_BG && !dosh_jobctl && (!jp || !jp->nprocs)) {
			int fd = open("/dev/null", O_RDONLY);

			if (fd > 0) {
				dup2(fd, 0);
				close(fd);
			}
		}
		dosh_jobctl = 0;
		dosh_interactive = 0;
		dosh_jobs_child();
		return 0;
	}
	if (dosh_jobctl && mode != FORK_NOJOB)
		setpgid(pid, pgrp);
	if (jp) {
		struct dosh_proc *p;

		if (jp->nprocs == jp->cap) {
			jp->cap = jp->cap ? jp->cap * 2 : 4;
			jp->procs = dosh_xrealloc(jp->procs, (size_t)jp->cap *
						  sizeof(*jp->procs));
		}
		p = &jp->procs[jp->nprocs++];
		memset(p, 0, sizeof(*p));
		p->pid = pid;
		p->cmd = dosh_xstrdup(cmd ? cmd : "");
		if (jp->nprocs == 1)
			jp->pgrp = pid;
		jp->state = J_RUNNING;
		jp->bg = mode == FORK_BG;
		if (mode == FORK_BG)
			setcurjob(jp);
	}
	return pid;
}

static void update_state(struct dosh_job *jp)
{
	int k, running = 0, stopped = 0;

	for (k = 0; k < jp->nprocs; k++) {
		if (jp->procs[k].state == J_RUNNING)
			running++;
		else if (jp->procs[k].state == J_STOPPED)
			stopped++;
	}
	if (running)
		jp->state = J_RUNNING;
	else if (stopped)
		jp->state = J_STOPPED;
	else
		jp->state = J_DONE;
}

/* Reap one child. Returns its pid, 0 if none (WNOHANG), or -errno. */
static int dowait(int block)
{
	int ws, k, j;
	pid_t pid;

	pid = waitpid(-1, &ws, (block ? 0 : WNOHANG) |
		      (dosh_jobctl ? WUNTRACED : 0));
	if (pid < 0)
		return -errno;
	if (pid == 0)
		return 0;
	for (j = 0; j < njobs; j++) {
		struct dosh_job *jp = jobtab[j];
		int old;

		if (!jp)
			continue;
		for (k = 0; k < jp->nprocs; k++) {
			if (jp->procs[k].pid != pid)
				continue;
			jp->procs[k].status = ws;
			jp->procs[k].state = WIFSTOPPED(ws) ? J_STOPPED :
					     J_DONE;
			old = jp->state;
			update_state(jp);
			if (jp->state != old)
				jp->changed = 1;
			if (jp->state == J_STOPPED)
				setcurjob(jp);
			return pid;
		}
	}
	return pid;
}

/* dash prints how a process died, except for SIGINT and SIGPIPE. */
static void print_signal(int ws, int interactive_int)
{
	char buf[128];
	int sig;

	if (!WIFSIGNALED(ws))
		return;
	sig = WTERMSIG(ws);
	if (sig == SIGPIPE)
		return;
	if (sig == SIGINT) {
		if (interactive_int && write(2, "\n", 1) < 0) {
			/* nothing to do */
		}
		return;
	}
	snprintf(buf, sizeof(buf), "%s%s\n", strsignal(sig),
		 WCOREDUMP(ws) ? " (core dumped)" : "");
	dosh_outflush();
	if (write(2, buf, strlen(buf)) < 0) {
		/* nothing to do */
	}
}

static int job_status(struct dosh_job *jp)
{
	int ws;

	if (!jp->nprocs)
		return 0;
	ws = jp->procs[jp->nprocs - 1].status;
	if (jp->state == J_STOPPED) {
		int k;

		for (k = 0; k < jp->nprocs; k++)
			if (jp->procs[k].state == J_STOPPED)
				return 128 + WSTOPSIG(jp->procs[k].status);
	}
	return dosh_status_of(ws);
}

static const char *state_text(struct dosh_job *jp, char *buf, size_t n)
{
	int ws = jp->nprocs ? jp->procs[jp->nprocs - 1].status : 0;

	if (jp->state == J_RUNNING)
		return "Running";
	if (jp->state == J_STOPPED)
		return "Stopped";
	if (WIFSIGNALED(ws)) {
		snprintf(buf, n, "%s%s", strsignal(WTERMSIG(ws)),
			 WCOREDUMP(ws) ? " (core dumped)" : "");
		return buf;
	}
	if (WEXITSTATUS(ws)) {
		snprintf(buf, n, "Done(%d)", WEXITSTATUS(ws));
		return buf;
	}
	return "Done";
}

static void showjob(struct dosh_job *jp, int pids, FILE *f)
{
	char buf[128];
	char mark = jp->id == curjob ? '+' : jp->id == prevjob ? '-' : ' ';

	if (pids == 2) {
		fprintf(f, "%d\n", (int)jp->pgrp);
		return;
	}
	fprintf(f, "[%d] %c ", jp->id, mark);
	if (pids)
		fprintf(f, "%d ", (int)jp->pgrp);
	/* as dash: the command text only where there is job control */
	fprintf(f, "%-27s%s\n", state_text(jp, buf, sizeof(buf)),
		dosh_jobctl ? jp->cmd : "");
	fflush(f);
	jp->changed = 0;
}

int dosh_waitjob(struct dosh_job *jp)
{
	int status;

	while (jp->state == J_RUNNING) {
		int r = dowait(1);

		if (r == -EINTR)
			continue;
		if (r < 0) {
			/* ECHILD: nothing left to wait for */
			int k;

			for (k = 0; k < jp->nprocs; k++)
				jp->procs[k].state = J_DONE;
			jp->state = J_DONE;
		}
	}
	if (dosh_jobctl && ttyfd >= 0)
		tcsetpgrp(ttyfd, rootpgrp);
	status = job_status(jp);
	if (jp->state == J_STOPPED) {
		jp->bg = 1;
		setcurjob(jp);
		if (dosh_interactive) {
			fputc('\n', stderr);
			showjob(jp, 0, stderr);
		}
		return status;
	}
	if (jp->nprocs)
		print_signal(jp->procs[jp->nprocs - 1].status,
			     dosh_interactive);
	if (dosh_jobctl && dosh_interactive && !dosh_subshell) {
		/*
		 * The terminal's SIGINT went to the job, not to us: act on it
		 * as if we had got it, so Ctrl-C ends the whole command line.
		 */
		int k, sigint = 0;

		for (k = 0; k < jp->nprocs; k++)
			if (WIFSIGNALED(jp->procs[k].status) &&
			    WTERMSIG(jp->procs[k].status) == SIGINT)
				sigint = 1;
		if (sigint) {
			freejob(jp);
			dosh_exitstatus = status;
			dosh_raise();
		}
	}
	freejob(jp);
	return status;
}

void dosh_job_notify(void)
{
	int k;

	while (dowait(0) > 0)
		;
	for (k = 0; k < njobs; k++) {
		struct dosh_job *jp = jobtab[k];

		if (!jp || !jp->bg || !jp->changed)
			continue;
		showjob(jp, 0, stderr);
		if (jp->state == J_DONE)
			freejob(jp);
	}
}

int dosh_jobs_stopped(void)
{
	int k;

	for (k = 0; k < njobs; k++)
		if (jobtab[k] && jobtab[k]->state == J_STOPPED)
			return 1;
	return 0;
}

/* %n, %+, %%, %-, %string, %?string, or a pid. */
static struct dosh_job *getjob(const char *s, int must)
{
	int k;

	if (!s || !strcmp(s, "%") || !strcmp(s, "%+") || !strcmp(s, "%%")) {
		if (curjob && jobtab[curjob - 1])
			return jobtab[curjob - 1];
		for (k = njobs - 1; k >= 0; k--)
			if (jobtab[k] && jobtab[k]->bg)
				return jobtab[k];
		if (must)
			dosh_error("No current job");
		return NULL;
	}
	if (!strcmp(s, "%-")) {
		if (prevjob && jobtab[prevjob - 1])
			return jobtab[prevjob - 1];
		goto nojob;
	}
	if (s[0] == '%') {
		char *end;
		long id = strtol(s + 1, &end, 10);

		if (s[1] >= '0' && s[1] <= '9' && !*end) {
			if (id >= 1 && id <= njobs && jobtab[id - 1] &&
			    jobtab[id - 1]->bg)
				return jobtab[id - 1];
			goto nojob;
		}
		for (k = 0; k < njobs; k++) {
			struct dosh_job *jp = jobtab[k];

			if (!jp || !jp->bg)
				continue;
			if (s[1] == '?' ? strstr(jp->cmd, s + 2) != NULL :
			    !strncmp(jp->cmd, s + 1, strlen(s + 1)))
				return jp;
		}
		goto nojob;
	} else {
		long pid = strtol(s, NULL, 10);

		for (k = 0; k < njobs; k++) {
			struct dosh_job *jp = jobtab[k];
			int j;

			if (!jp)
				continue;
			for (j = 0; j < jp->nprocs; j++)
				if (jp->procs[j].pid == pid)
					return jp;
		}
		return NULL;
	}
nojob:
	if (must)
		dosh_error("No such job: %s", s);
	return NULL;
}

int dosh_b_jobs(int argc, char **argv)
{
	int ind = 1, c, pids = 0, k;

	(void)argc;
	while ((c = dosh_nextopt(argv, &ind, "lp", "jobs")) > 0)
		pids = c == 'l' ? 1 : 2;
	while (dowait(0) > 0)
		;
	dosh_outflush();
	if (argv[ind]) {
		for (; argv[ind]; ind++)
			showjob(getjob(argv[ind], 1), pids, stdout);
		return 0;
	}
	for (k = 0; k < njobs; k++) {
		struct dosh_job *jp = jobtab[k];

		if (!jp || !jp->bg)
			continue;
		showjob(jp, pids, stdout);
		if (jp->state == J_DONE)
			freejob(jp);
	}
	return 0;
}

int dosh_b_fg(int argc, char **argv)
{
	struct dosh_job *jp;
	int fg = argv[0][0] == 'f', k, status = 0, i = 1;

	(void)argc;
	if (!dosh_jobctl)
		dosh_error("job control not enabled");
	do {
		jp = getjob(argv[i], 1);
		for (k = 0; k < jp->nprocs; k++)
			if (jp->procs[k].state == J_STOPPED)
				jp->procs[k].state = J_RUNNING;
		jp->state = J_RUNNING;
		if (fg) {
			printf("%s\n", jp->cmd);
			fflush(stdout);
			tcsetpgrp(ttyfd, jp->pgrp);
		} else {
			printf("[%d] %s\n", jp->id, jp->cmd);
			fflush(stdout);
		}
		killpg(jp->pgrp, SIGCONT);
		if (fg) {
			jp->bg = 0;
			return dosh_waitjob(jp);
		}
		setcurjob(jp);
	} while (argv[i] && argv[++i]);
	return status;
}

int dosh_b_wait(int argc, char **argv)
{
	int k, status = 0;

	(void)argc;
	if (!argv[1]) {
		/* every background job */
		for (;;) {
			int running = 0, r;

			for (k = 0; k < njobs; k++) {
				struct dosh_job *jp = jobtab[k];

				if (jp && jp->state == J_RUNNING)
					running = 1;
			}
			if (!running)
				break;
			r = dowait(1);
			if (r == -EINTR)
				dosh_check_int();
			if (r == -EINTR && dosh_pending_any)
				return 128 + SIGINT;
			if (r < 0 && r != -EINTR)
				break;
		}
		/* finished jobs stay for `jobs` to report, as in dash */
		return 0;
	}
	for (k = 1; argv[k]; k++) {
		struct dosh_job *jp;

		if (argv[k][0] != '%' && strspn(argv[k], "0123456789") !=
		    strlen(argv[k]))
			dosh_error("Illegal number: %s", argv[k]);
		jp = getjob(argv[k], argv[k][0] == '%');
		if (!jp) {
			status = 127;
			continue;
		}
		while (jp->state == J_RUNNING) {
			int r = dowait(1);

			if (r == -EINTR)
				dosh_check_int();
			if (r == -EINTR && dosh_pending_any)
				return 128 + SIGINT;
			if (r < 0 && r != -EINTR) {
				jp->state = J_DONE;
				break;
			}
		}
		status = job_status(jp);
		if (jp->state == J_DONE) {
			print_signal(jp->procs[jp->nprocs - 1].status, 0);
			freejob(jp);
		}
	}
	return status;
}

/* ---- signals by name ---- */

#ifdef __GLIBC__
#define dosh_sigabbrev	sigabbrev_np
#else
/* glibc's dosh_sigabbrev(), which musl lacks: NULL for a number without a name. */
static const char *dosh_sigabbrev(int sig)
{
	static const char *const names[] = {
		[SIGHUP] = "HUP", [SIGINT] = "INT", [SIGQUIT] = "QUIT",
		[SIGILL] = "ILL", [SIGTRAP] = "TRAP", [SIGABRT] = "ABRT",
		[SIGBUS] = "BUS", [SIGFPE] = "FPE", [SIGKILL] = "KILL",
		[SIGUSR1] = "USR1", [SIGSEGV] = "SEGV", [SIGUSR2] = "USR2",
		[SIGPIPE] = "PIPE", [SIGALRM] = "ALRM", [SIGTERM] = "TERM",
		[SIGSTKFLT] = "STKFLT", [SIGCHLD] = "CHLD", [SIGCONT] = "CONT",
		[SIGSTOP] = "STOP", [SIGTSTP] = "TSTP", [SIGTTIN] = "TTIN",
		[SIGTTOU] = "TTOU", [SIGURG] = "URG", [SIGXCPU] = "XCPU",
		[SIGXFSZ] = "XFSZ", [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF",
		[SIGWINCH] = "WINCH", [SIGIO] = "IO", [SIGPWR] = "PWR",
		[SIGSYS] = "SYS",
	};

	return sig > 0 && (size_t)sig < sizeof(names) / sizeof(names[0]) ? names[sig] : NULL;
}
#endif

const char *dosh_signame(int sig)
{
	const char *s = sig > 0 && sig < NSIG ? dosh_sigabbrev(sig) : NULL;

	if (sig == 0)
		return "EXIT";
	return s;
}

int dosh_signum(const char *name)
{
	int k;

	if (name[0] >= '0' && name[0] <= '9') {
		char *end;
		long v = strtol(name, &end, 10);

		if (*end || v < 0 || v >= NSIG)
			return -EINVAL;
		return (int)v;
	}
	if (!strncasecmp(name, "SIG", 3))
		name += 3;
	if (!strcasecmp(name, "EXIT"))
		return 0;
	for (k = 1; k < NSIG; k++) {
		const char *s = dosh_sigabbrev(k);

		if (s && !strcasecmp(s, name))
			return k;
	}
	return -EINVAL;
}

int dosh_b_kill(int argc, char **argv)
{
	int sig = SIGTERM, k = 1, status = 0;

	(void)argc;
	if (!argv[1])
		dosh_error("usage: kill [-s sigspec | -signum | -sigspec] [pid | job]... or\nkill -l [exitstatus]");
	if (!strcmp(argv[1], "-l")) {
		if (argv[2]) {
			int n = atoi(argv[2]);

			if (n > 128)
				n -= 128;
			if (dosh_signame(n))
				dosh_outf("%s\n", dosh_signame(n));
			return 0;
		}
		dosh_outs("0\n");
		for (k = 1; k < NSIG; k++)
			if (dosh_sigabbrev(k))
				dosh_outf("%s\n", dosh_sigabbrev(k));
		return 0;
	}
	if (!strcmp(argv[1], "-s") || !strcmp(argv[1], "-n")) {
		if (!argv[2])
			dosh_error("option requires an argument -- %c",
				   argv[1][1]);
		sig = dosh_signum(argv[2]);
		if (sig < 0)
			dosh_error("invalid signal number or name: %s", argv[2]);
		k = 3;
	} else if (argv[1][0] == '-' && argv[1][1] && strcmp(argv[1], "--")) {
		sig = dosh_signum(argv[1] + 1);
		if (sig < 0)
			dosh_error("invalid signal number or name: %s",
				   argv[1] + 1);
		k = 2;
	} else if (!strcmp(argv[1], "--")) {
		k = 2;
	}
	for (; argv[k]; k++) {
		if (argv[k][0] == '%') {
			struct dosh_job *jp = getjob(argv[k], 1);

			if (dosh_jobctl ? killpg(jp->pgrp, sig) :
			    kill(jp->procs[0].pid, sig)) {
				dosh_warn("%s", strerror(errno));
				status = 1;
			}
			if (sig == SIGCONT && jp->state == J_STOPPED) {
				int j;

				for (j = 0; j < jp->nprocs; j++)
					jp->procs[j].state = J_RUNNING;
				jp->state = J_RUNNING;
			}
			continue;
		}
		{
			char *end;
			long pid = strtol(argv[k], &end, 10);

			if (!*argv[k] || *end)
				dosh_error("invalid process id: %s", argv[k]);
			if (kill((pid_t)pid, sig) < 0) {
				dosh_warn("kill: %s", strerror(errno));
				status = 1;
			}
		}
	}
	return status;
}

/* ---- job control on the terminal ---- */

void dosh_setjobctl(int on)
{
	if (on == dosh_jobctl)
		return;
	if (on) {
		pid_t pgrp;
		int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);

		if (fd < 0) {
			if (!isatty(2))
				goto fail;
			fd = dup(2);
		}
		ttyfd = dosh_movefd_high(fd);
		if (ttyfd < 0)
			goto fail;
		for (;;) {
			pgrp = tcgetpgrp(ttyfd);
			if (pgrp < 0)
				goto close;
			if (pgrp == getpgrp())
				break;
			kill(0, SIGTTIN);
		}
		initialpgrp = pgrp;
		signal(SIGTSTP, SIG_IGN);
		signal(SIGTTOU, SIG_IGN);
		signal(SIGTTIN, SIG_IGN);
		rootpgrp = getpid();
		setpgid(0, rootpgrp);
		tcsetpgrp(ttyfd, rootpgrp);
		dosh_jobctl = 1;
		return;
close:
		close(ttyfd);
		ttyfd = -1;
fail:
		fprintf(stderr, "%s: can't access tty; job control turned off\n",
			dosh_name);
		return;
	}
	if (ttyfd >= 0 && initialpgrp > 0) {
		setpgid(0, initialpgrp);
		tcsetpgrp(ttyfd, initialpgrp);
	}
	signal(SIGTSTP, SIG_DFL);
	signal(SIGTTOU, SIG_DFL);
	signal(SIGTTIN, SIG_DFL);
	if (ttyfd >= 0)
		close(ttyfd);
	ttyfd = -1;
	dosh_jobctl = 0;
}

void dosh_jobs_init(void)
{
	if (dosh_opt.m)
		dosh_setjobctl(1);
}
