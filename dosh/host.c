// SPDX-License-Identifier: GPL-2.0-only
/*
 * host.c - dosh's glue to libhostcall: running !host commands, the host
 * builtins !cd and !pwd, globbing against host paths, host queries for
 * completion.
 *
 * How a host command runs: dosh forks as for any command, and the child
 * (whose subject is a fork of dosh's, so it starts in the same host cwd)
 * becomes the local proxy of one host process. It hands its fds 0-2 to
 * hc_spawn() (HC_IO_PASS: pipes, files and terminals flow with no copy),
 * closes its own copies so that pipe ends reach EOF, and waits with
 * hc_wait(); signals it receives (SIGINT, SIGTERM, SIGHUP, ...) go on to
 * the host process group with hc_kill(), a stop stops both, and at the
 * end it exits with the host status or dies of the host's signal. To the
 * rest of dosh a host command is thus an ordinary local process: pipes,
 * $!, wait, jobs, fg and bg need nothing special.
 *
 * A foreground !cmd of an interactive shell whose stdin and stdout are the
 * terminal runs on a host pty instead (HC_IO_PTY, own session): the proxy
 * puts the terminal in raw mode and copies bytes both ways, so Ctrl-C
 * reaches the host program as a byte its own line discipline turns into
 * SIGINT, and window-size changes are forwarded with hc_winsize().
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <hostcall.h>
#include <hostcall_proto.h>	/* HC_PROTO_VERSION, for a message */

#include "dosh.h"

#define PAUSE_MIN_NS	100000L		/* first hc_wait poll interval */
#define PAUSE_MAX_NS	10000000L	/* longest one */
#define HOLD_MS		500		/* typeahead kept after Ctrl-C */
#define DRAIN_MS	500		/* a stream pty's last output */
#define TTY_DRAIN_MS	50		/* a host pty's, after an async wait */

static const int fwd_sigs[] = {
	SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM,
	SIGTSTP, SIGTTIN, SIGTTOU, SIGCONT, SIGWINCH,
};
#define NFWD (int)(sizeof(fwd_sigs) / sizeof(fwd_sigs[0]))

static volatile sig_atomic_t got[NSIG];

static void on_fwd(int sig)
{
	got[sig] = 1;
}

const char *dosh_host_socket(void)
{
	static char path[4096];
	const char *s = getenv("HOSTCALL_SOCKET"), *x;

	if (s && *s)
		return s;
	x = getenv("XDG_RUNTIME_DIR");
	if (x && *x) {
		snprintf(path, sizeof(path), "%s/hostcall.sock", x);
		return path;
	}
	return "/run/hostcall.sock";
}

/* Where libhostcall reaches hostcalld: /dev/hostcall in a VM, else the socket. */
static const char *host_where(void)
{
	const char *s = getenv("HOSTCALL_SOCKET");

	if ((!s || !*s) && access("/dev/hostcall", F_OK) == 0)
		return "/dev/hostcall";
	return dosh_host_socket();
}

static void host_errmsg(const char *what, int err)
{
	if (err == -EHOSTUNREACH)
		dosh_warn("%s: cannot reach hostcalld at %s: start hostcalld, or set HOSTCALL_SOCKET to its socket",
			  what, dosh_host_socket());
	else if (err == -EPROTONOSUPPORT)
		dosh_warn("%s: hostcalld at %s speaks an older protocol than version %d: update hostcalld",
			  what, host_where(), HC_PROTO_VERSION);
	else
		dosh_warn("%s: %s", what, strerror(-err));
}

/*
 * $DOSH_HOSTENV names the dosh variables every host command gets; on a pty
 * the host program also gets TERM, since the terminal it draws on is ours.
 */
static char **host_env(char **assigns, int na, int pty, int *add)
{
	const char *list = dosh_getvar("DOSH_HOSTENV");
	struct dosh_strv sv;
	int k;

	dosh_strv_init(&sv);
	while (list && *list) {
		size_t n = strcspn(list, " \t\n,:");

		if (n) {
			char *name = dosh_ststrndup(list, n);
			const char *v = dosh_getvar(name);

			if (v) {
				struct dosh_sb sb;

				dosh_sb_init(&sb);
				dosh_sb_printf(&sb, "%s=%s", name, v);
				dosh_strv_push(&sv, dosh_sb_str(&sb));
			}
		}
		list += n;
		while (*list && strchr(" \t\n,:", *list))
			list++;
	}
	if (pty && dosh_getvar("TERM")) {
		struct dosh_sb sb;

		dosh_sb_init(&sb);
		dosh_sb_printf(&sb, "TERM=%s", dosh_getvar("TERM"));
		dosh_strv_push(&sv, dosh_sb_str(&sb));
	}
	for (k = 0; k < na; k++)
		dosh_strv_push(&sv, assigns[k]);
	*add = sv.n > 0;
	return sv.n ? sv.v : NULL;
}

/* Forward what arrived; a stop stops the host process and this proxy. */
static void forward(pid_t pid, const sigset_t *orig, struct termios *saved)
{
	int k;

	for (k = 0; k < NFWD; k++) {
		int sig = fwd_sigs[k];

		if (!got[sig])
			continue;
		got[sig] = 0;
		if (sig == SIGWINCH) {
			struct winsize ws;

			if (saved && ioctl(0, TIOCGWINSZ, &ws) == 0)
				hc_winsize(pid, ws.ws_row, ws.ws_col);
			continue;
		}
		if (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
			sigset_t one;

			hc_kill(pid, SIGSTOP);
			if (saved)
				tcsetattr(0, TCSADRAIN, saved);
			signal(sig, SIG_DFL);
			sigemptyset(&one);
			sigaddset(&one, sig);
			sigprocmask(SIG_UNBLOCK, &one, NULL);
			raise(sig);
			/* continued */
			sigprocmask(SIG_BLOCK, &one, NULL);
			signal(sig, on_fwd);
			if (saved) {
				struct termios raw = *saved;

				cfmakeraw(&raw);
				tcsetattr(0, TCSADRAIN, &raw);
			}
			got[SIGCONT] = 0;
			hc_kill(pid, SIGCONT);
			continue;
		}
		hc_kill(pid, sig);
	}
	(void)orig;
}

static void sleep_sig(long ns, const sigset_t *orig)
{
	struct timespec ts = { 0, ns };

	ppoll(NULL, 0, &ts, orig);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Keys typed go to the host pty as bytes, Ctrl-C included: the host line
 * discipline makes them signals for the host's foreground group. The
 * suspend key is the exception while the host program itself is in the
 * foreground of its pty: a host session leader cannot stop itself (its
 * process group is orphaned), so dosh stops it and its proxy, as the local
 * terminal would a local job, and fg continues both.
 * Returns 1 when an interrupt or quit key went to a host pty that makes
 * signals of them: the program may be about to end.
 */
/* Keys read after an interrupt key, kept while the host program may end. */
static char held[4096];
static size_t nheld;

static void hold_keys(const char *buf, size_t n)
{
	if (n > sizeof(held) - nheld)
		n = sizeof(held) - nheld;
	memcpy(held + nheld, buf, n);
	nheld += n;
}

/*
 * In a VM the pty master is a stream file of hostcall.ko (bytes, poll and
 * O_NONBLOCK, no ioctls): the host pty's foreground group and modes are
 * unknown there. Keys then go as they are, Ctrl-C as a byte (no keys are
 * held after it), and the suspend key stops the host program, as when it
 * is in the foreground of its pty.
 */
static int pty_is_tty;

static int pty_input(pid_t pid, int pty, const char *buf, size_t n,
		     const sigset_t *orig, struct termios *saved)
{
	cc_t susp = saved->c_cc[VSUSP];
	pid_t fg = pty_is_tty ? tcgetpgrp(pty) : -1;
	struct termios host;
	const char *z;
	size_t k;
	int sig = 0;

	if (pty_is_tty && tcgetattr(pty, &host) == 0 &&
	    (host.c_lflag & ISIG)) {
		for (k = 0; k < n; k++) {
			cc_t c = (cc_t)buf[k];

			if ((c == host.c_cc[VINTR] || c == host.c_cc[VQUIT]) &&
			    c != _POSIX_VDISABLE)
				break;
		}
		if (k < n) {
			/* what follows the key waits: see pty_loop() */
			hold_keys(buf + k + 1, n - k - 1);
			n = k + 1;
			sig = 1;
		}
	}
	if (!(saved->c_lflag & ISIG) || susp == _POSIX_VDISABLE ||
	    (fg > 0 && fg != pid)) {
		write_all(pty, buf, n);
		return sig;
	}
	while (n && (z = memchr(buf, susp, n))) {
		write_all(pty, buf, (size_t)(z - buf));
		got[SIGTSTP] = 1;
		forward(pid, orig, saved);
		n -= (size_t)(z - buf) + 1;
		buf = z + 1;
	}
	write_all(pty, buf, n);
	return sig;
}

/*
 * The host program ended after an interrupt key: the keys typed after it
 * belong to dosh's next command line, as they would after a local program.
 * Put them back into our terminal's input, in order with any typed since.
 */
static void give_back_keys(void)
{
	int fl = fcntl(0, F_GETFL);
	size_t k;

	if (!nheld)
		return;
	if (fl >= 0 && fcntl(0, F_SETFL, fl | O_NONBLOCK) == 0) {
		char more[1024];
		ssize_t n;

		while ((n = read(0, more, sizeof(more))) > 0)
			hold_keys(more, (size_t)n);
		fcntl(0, F_SETFL, fl);
	}
	for (k = 0; k < nheld; k++)
		if (ioctl(0, TIOCSTI, held + k) < 0)
			break;	/* not allowed here: they are lost */
	nheld = 0;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * An async wait for the host process (hc_wait_start()): the fd that wakes
 * the loop when it may have ended, or -1 where the host has none (polled
 * with hc_wait(WNOHANG) then).
 */
static int async_wait(pid_t pid)
{
	int fd;

	if (hc_wait_start(pid) < 0)
		return -1;
	/* without its fd, hc_wait(WNOHANG) still tells its end, asking nobody */
	fd = hc_wait_fd();
	return fd;
}

/* The copy loop between our terminal and the host pty. */
static int pty_loop(pid_t pid, int pty, const sigset_t *orig,
		    struct termios *saved, int *ws)
{
	long pause = PAUSE_MIN_NS;
	int in_open = 1, pty_open = 1, wfd = async_wait(pid);
	long long hold = 0;
	char buf[16384];

	pty_is_tty = isatty(pty);
	for (;;) {
		/*
		 * After Ctrl-C, keys typed next wait in our terminal for a
		 * moment: if the host program dies of it, they are dosh's
		 * next command line, as with a local program.
		 */
		int reading = in_open && pty_open &&
			      (!hold || now_ms() >= hold);
		struct pollfd pf[3] = {
			{ .fd = reading ? 0 : -1, .events = POLLIN },
			{ .fd = pty_open ? pty : -1, .events = POLLIN },
			{ .fd = wfd, .events = POLLIN },
		};
		struct timespec ts = { 0, pause }, *tsp = &ts;
		int r, check;

		if (!reading && hold && pause > 2000000L)
			pause = 2000000L;	/* see the end soon */
		if (wfd >= 0) {
			/* no polling: only held keys have a deadline */
			long long left = hold ? hold - now_ms() : 0;

			if (left < 0)
				left = 0;
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (left % 1000) * 1000000L;
			if (!hold)
				tsp = NULL;
		}

		forward(pid, orig, saved);
		r = ppoll(pf, 3, tsp, orig);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r > 0 && (pf[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t n = read(pty, buf, sizeof(buf));

			if (n > 0) {
				write_all(1, buf, (size_t)n);
				pause = PAUSE_MIN_NS;
				continue;
			}
			if (n == 0 || (errno != EINTR && errno != EAGAIN))
				pty_open = 0;	/* EIO: the host side closed */
		}
		/* once the host side has closed, typeahead stays for dosh */
		if (r > 0 && pty_open && reading &&
		    (pf[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t n = read(0, buf, sizeof(buf));

			if (n > 0 && pty_input(pid, pty, buf, (size_t)n, orig,
					       saved))
				hold = now_ms() + HOLD_MS;
			else if (n <= 0 && (n == 0 || errno != EINTR))
				in_open = 0;
		}
		if (hold && now_ms() >= hold) {
			/* the program lives on: the keys are its */
			size_t n = nheld;

			hold = 0;
			nheld = 0;
			if (n && pty_input(pid, pty, held, n, orig, saved))
				hold = now_ms() + HOLD_MS;
		}
		if (wfd >= 0)
			check = r > 0 && pf[2].revents;
		else
			check = r == 0 || !pty_open;
		if (check) {
			r = wfd >= 0 ? hc_wait_result(pid, ws) : hc_wait(pid, ws, WNOHANG);
			if (r == pid || r < 0) {
				/*
				 * What it wrote last is still in the pty. On
				 * a stream file it may still be on its way
				 * from the host: wait for it, up to the end
				 * (EIO) or a pause (a host process left
				 * behind may hold the pty open). Told at
				 * once of the end (an async wait), give a
				 * host pty's last output a moment too.
				 */
				if (pty_is_tty)
					fcntl(pty, F_SETFL, O_NONBLOCK);
				while (pty_open) {
					struct pollfd pd = {
						.fd = pty, .events = POLLIN,
					};
					ssize_t n;

					if ((!pty_is_tty || wfd >= 0) &&
					    poll(&pd, 1, pty_is_tty ? TTY_DRAIN_MS
							 : DRAIN_MS) <= 0)
						break;
					n = read(pty, buf, sizeof(buf));

					if (n <= 0)
						break;
					write_all(1, buf, (size_t)n);
				}
				give_back_keys();
				return r < 0 ? r : 0;
			}
			if (wfd < 0 && r == 0 && pause < PAUSE_MAX_NS)
				pause *= 2;
			if (wfd < 0 && !pty_open)
				sleep_sig(pause, orig);
		}
	}
}

static int wait_loop(pid_t pid, const sigset_t *orig, int *ws)
{
	long pause = PAUSE_MIN_NS;
	int wfd = async_wait(pid);

	for (;;) {
		int r;

		forward(pid, orig, NULL);
		if (wfd >= 0) {
			struct pollfd pf = { .fd = wfd, .events = POLLIN };

			r = hc_wait_result(pid, ws);
			if (r == pid)
				return 0;
			if (r < 0)
				return r;
			/* signals wake it too: forwarded above */
			ppoll(&pf, 1, NULL, orig);
			continue;
		}
		r = hc_wait(pid, ws, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0)
			return r;
		sleep_sig(pause, orig);
		if (pause < PAUSE_MAX_NS)
			pause *= 2;
	}
}

/* Leave the way the host process did: its code, or its signal. */
static int host_status(int ws)
{
	if (WIFSIGNALED(ws)) {
		int sig = WTERMSIG(ws);
		struct rlimit rl = { 0, 0 };
		sigset_t all;

		/* no local core file for a host crash */
		setrlimit(RLIMIT_CORE, &rl);
		dosh_outflush();
		signal(sig, SIG_DFL);
		sigemptyset(&all);
		sigaddset(&all, sig);
		sigprocmask(SIG_UNBLOCK, &all, NULL);
		if (sig != SIGKILL && sig != SIGSTOP)
			raise(sig);
		else
			kill(getpid(), sig);
		return 128 + sig;
	}
	return WEXITSTATUS(ws);
}

static char *host_query(const char *script);

/*
 * A PATH search on the host fails with EACCES when any directory on the
 * way is closed to the shadow's user (hostcalld's PATH may name another
 * user's directories), although the program exists nowhere: look first.
 */
static int host_command_exists(const char *name)
{
	char **dirs = dosh_host_path_dirs();
	int k, found = 0;

	if (!dirs)
		return 1;
	for (k = 0; dirs[k]; k++) {
		struct dosh_sb sb;
		struct stat st;

		dosh_sb_init(&sb);
		dosh_sb_printf(&sb, "%s/%s", dirs[k], name);
		if (!found && hc_fstatat(AT_FDCWD, dosh_sb_str(&sb), &st, 0) == 0)
			found = 1;
		free(dirs[k]);
	}
	free(dirs);
	return found;
}

int dosh_host_run(char **argv, char **assigns, int na, int pty_ok)
{
	struct hc_spawn sp = { 0 };
	struct hc_proc p;
	struct termios saved, raw;
	sigset_t block, orig;
	int k, r, ws = 0, add = 0, pty = 0;
	struct winsize win;

	sp.argv = (const char *const *)argv;
	if (pty_ok && isatty(0) && isatty(1) && tcgetattr(0, &saved) == 0) {
		pty = 1;
		sp.setsid = 1;
		sp.stdio[0] = sp.stdio[1] = HC_IO_PTY;
		if (isatty(2)) {
			sp.stdio[2] = HC_IO_PTY;
		} else {
			sp.stdio[2] = HC_IO_PASS;
			sp.fds[2] = 2;
		}
		if (ioctl(0, TIOCGWINSZ, &win) == 0) {
			sp.rows = win.ws_row;
			sp.cols = win.ws_col;
		}
	} else {
		for (k = 0; k < 3; k++) {
			if (fcntl(k, F_GETFD) < 0) {
				sp.stdio[k] = HC_IO_NULL;
			} else {
				sp.stdio[k] = HC_IO_PASS;
				sp.fds[k] = k;
			}
		}
	}
	sp.envp = (const char *const *)host_env(assigns, na, pty, &add);
	sp.env_add = add;

	/* Signals wait (blocked) until the proxy is ready to forward them. */
	sigemptyset(&block);
	for (k = 0; k < NFWD; k++) {
		struct sigaction sa, old;

		if (sigaction(fwd_sigs[k], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN && fwd_sigs[k] != SIGTSTP &&
		    fwd_sigs[k] != SIGTTIN && fwd_sigs[k] != SIGTTOU)
			continue;	/* ignored: e.g. SIGINT in a bg job */
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_fwd;
		sigemptyset(&sa.sa_mask);
		sigaction(fwd_sigs[k], &sa, NULL);
		sigaddset(&block, fwd_sigs[k]);
	}
	sigprocmask(SIG_BLOCK, &block, &orig);

	r = hc_spawn(&sp, &p);
	if (r < 0) {
		char what[256];

		sigprocmask(SIG_SETMASK, &orig, NULL);
		snprintf(what, sizeof(what), "!%s", argv[0]);
		if (r == -EACCES && !strchr(argv[0], '/') &&
		    !host_command_exists(argv[0]))
			r = -ENOENT;
		if (r == -ENOENT) {
			dosh_warn("%s: command not found on the host", what);
			return 127;
		}
		host_errmsg(what, r == -ENOEXEC ? -EACCES : r);
		return r == -EHOSTUNREACH || r == -EPROTONOSUPPORT ? 127 : 126;
	}
	if (pty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSADRAIN, &raw);
		r = pty_loop(p.pid, p.pty, &orig, &saved, &ws);
		tcsetattr(0, TCSADRAIN, &saved);
		close(p.pty);
	} else {
		/* The host holds the stream now; our copies would keep pipes open. */
		int null = open("/dev/null", O_RDWR);

		for (k = 0; k < 3; k++)
			if (null >= 0 && null != k)
				dup2(null, k);
		if (null > 2)
			close(null);
		r = wait_loop(p.pid, &orig, &ws);
	}
	if (r < 0) {
		char what[256];

		snprintf(what, sizeof(what), "!%s: wait", argv[0]);
		host_errmsg(what, r);
		return 126;
	}
	return host_status(ws);
}

/* ---- asking the host ---- */

/* Run `sh -c SCRIPT` on the host and return its output (malloc'd). */
static char *host_query(const char *script)
{
	const char *argv[] = { "sh", "-c", script, NULL };
	struct hc_spawn sp = { .argv = argv };
	struct hc_proc p;
	size_t len = 0, cap = 256;
	char *out;
	int ws;

	sp.stdio[0] = HC_IO_NULL;
	sp.stdio[1] = HC_IO_PIPE;
	sp.stdio[2] = HC_IO_NULL;
	if (hc_spawn(&sp, &p) < 0)
		return NULL;
	out = dosh_xmalloc(cap);
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap)
			out = dosh_xrealloc(out, cap *= 2);
		n = read(p.fds[1], out + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	out[len] = 0;
	close(p.fds[1]);
	while (hc_wait(p.pid, &ws, 0) == -EINTR)
		;
	return out;
}

char **dosh_host_path_dirs(void)
{
	static char *path;
	char **v;
	size_t n = 1, k = 0;
	char *s, *tok, *save = NULL;

	if (!path)
		path = host_query("printf %s \"$PATH\"");
	if (!path)
		return NULL;
	for (s = path; *s; s++)
		n += *s == ':';
	v = dosh_xmalloc((n + 1) * sizeof(char *));
	s = dosh_xstrdup(path);
	for (tok = strtok_r(s, ":", &save); tok; tok = strtok_r(NULL, ":", &save))
		v[k++] = dosh_xstrdup(tok);
	v[k] = NULL;
	free(s);
	return v;
}

/* ---- !cd, !pwd ---- */

static char *hostoldpwd;

static void set_hostpwd(void)
{
	char buf[4096];

	if (hc_getcwd(buf, sizeof(buf)) >= 0)
		dosh_setvar("DOSH_HOSTPWD", buf, 0);
}

int dosh_host_builtin(int argc, char **argv)
{
	char cwd[4096];
	int r;

	if (!strcmp(argv[0], "pwd")) {
		r = hc_getcwd(cwd, sizeof(cwd));
		if (r < 0) {
			host_errmsg("!pwd", r);
			return 1;
		}
		dosh_outf("%s\n", cwd);
		return 0;
	}
	if (!strcmp(argv[0], "cd")) {
		const char *dir = argc > 1 ? argv[1] : NULL;
		char *home = NULL;
		int print = 0;

		if (argc > 1 && !strcmp(argv[1], "--"))
			dir = argc > 2 ? argv[2] : NULL;
		if (dir && !strcmp(dir, "-")) {
			if (!hostoldpwd) {
				dosh_warn("!cd: OLDPWD not set");
				return 1;
			}
			dir = dosh_ststrdup(hostoldpwd);
			print = 1;
		}
		if (!dir) {
			home = host_query("printf %s \"$HOME\"");
			if (!home || !*home) {
				free(home);
				r = hc_connect();
				host_errmsg("!cd: HOME", r < 0 ? r : -ENOENT);
				return 1;
			}
			dir = home;
		}
		r = hc_getcwd(cwd, sizeof(cwd));
		if (r >= 0)
			r = hc_chdir(dir);
		if (r < 0) {
			if (r == -EHOSTUNREACH || r == -EPROTONOSUPPORT)
				host_errmsg("!cd", r);
			else
				dosh_warn("!cd: can't cd to %s: %s", dir,
					  strerror(-r));
			free(home);
			return 1;
		}
		free(hostoldpwd);
		hostoldpwd = dosh_xstrdup(cwd);
		free(home);
		set_hostpwd();
		if (print)
			dosh_outf("%s\n", dosh_getvar("DOSH_HOSTPWD"));
		return 0;
	}
	return -ENOENT;
}

/* ---- globbing against host paths ---- */

#ifndef GLOB_ALTDIRFUNC
/*
 * musl's glob cannot read directories through callbacks: a host pattern
 * matches nothing there and the word stays as it is (the static dosh).
 */
int dosh_host_glob(const char *pattern, int flags, void *globbuf)
{
	(void)pattern;
	(void)flags;
	(void)globbuf;
	return GLOB_NOMATCH;
}
#else

static void *hg_opendir(const char *path)
{
	int fd = hc_openat(AT_FDCWD, *path ? path : ".",
			   O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	DIR *d;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	d = fdopendir(fd);
	if (!d) {
		int err = errno;

		close(fd);
		errno = err;
	}
	return d;
}

static struct dirent *hg_readdir(void *d)
{
	return readdir(d);
}

static void hg_closedir(void *d)
{
	closedir(d);
}

static int hg_stat(const char *restrict path, struct stat *restrict st)
{
	int r = hc_fstatat(AT_FDCWD, path, st, 0);

	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

static int hg_lstat(const char *restrict path, struct stat *restrict st)
{
	int r = hc_fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);

	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

int dosh_host_glob(const char *pattern, int flags, void *globbuf)
{
	glob_t *g = globbuf;

	g->gl_opendir = hg_opendir;
	g->gl_readdir = (void *)hg_readdir;
	g->gl_closedir = hg_closedir;
	g->gl_stat = hg_stat;
	g->gl_lstat = hg_lstat;
	return glob(pattern, flags | GLOB_ALTDIRFUNC, NULL, g);
}
#endif
