/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostcall.h - the public C API of libhostcall: use the host's files and run
 * host programs from a guest (or a sandbox), through hostcalld.
 *
 * Every function acts for the calling process's subject: the process's own
 * shadow process on the host, which does the work as an ordinary host user,
 * so the host kernel's access control decides. The subject is created on the
 * first call (connecting to $HOSTCALL_SOCKET or, in a VM, /dev/hostcall);
 * after fork() the child has a subject of its own whose shadow is a fork of
 * the parent's.
 *
 * Paths are host paths: "/etc/printcap" is the host's /etc/printcap (or
 * DIR/etc/printcap when hostcalld runs with --root DIR). Relative paths are
 * resolved against the subject's host working directory (hc_chdir()).
 * A dirfd is AT_FDCWD or a "host fd": an fd returned by hc_openat() or a dup
 * of one. Files opened on the host are real fds of the calling process:
 * read, write, lseek, mmap, fstat, dup and exec inheritance just work.
 *
 * Unless said otherwise, functions return >= 0 on success and -errno on
 * failure; they do not touch errno. When hostcalld cannot be reached they
 * return -EHOSTUNREACH (with HOSTCALL_DEBUG=1, one line on stderr names the
 * socket path), and the next call tries again; -EPROTONOSUPPORT means
 * hostcalld (or hostcall.ko) speaks an older protocol version than the
 * library (HOSTCALL_DEBUG=1 says which); -EIO means the connection broke,
 * and the next call connects as a new subject. Threads share the subject:
 * with a host that offers requests in flight (a hostcalld of this release,
 * on the socket) a call that waits for an event (hc_wait(), a FIFO's open,
 * a lock) does not hold up the other threads' calls; elsewhere threads
 * take turns, one request at a time. A call made from a signal handler
 * that interrupted another call in the same thread returns -EDEADLK
 * instead of waiting forever. HOSTCALL_NO_INFLIGHT=1 (for debugging) makes
 * a process ask for no requests in flight, as with an older host.
 *
 * Creation modes (hc_openat, hc_mkdirat, hc_mknodat) are reduced by the
 * calling process's umask, as the kernel would; the shadow's own umask
 * applies on top of that.
 */
#ifndef HOSTCALL_H
#define HOSTCALL_H

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <time.h>

struct statx;	/* <sys/stat.h> of glibc, <linux/stat.h> for musl < 1.2.5 */

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the subject ---- */

/**
 * hc_connect() - make sure this process has a subject.
 * Not needed before other calls, which connect on first use; useful to fail
 * early with a clear error.
 * Returns: 0, or -errno (-EHOSTUNREACH: no hostcalld at the socket path).
 */
int hc_connect(void);

/**
 * hc_is_host_fd() - tell whether @fd refers to a file opened on the host
 * through this subject (by hc_openat() or a dup of such an fd).
 * The library tracks such fds across dup, dup2, dup3, fcntl(F_DUPFD*),
 * close, fclose, closedir, close_range and closefrom, and checks each one's
 * (st_dev, st_ino) before use; it does not survive exec.
 * Returns: 1 or 0.
 */
int hc_is_host_fd(int fd);

/* ---- files ---- */

/**
 * hc_openat() - open a host file, as open(2); O_CREAT and O_TMPFILE take
 * @mode.
 * Returns: a new fd of the calling process (close-on-exec only if
 * O_CLOEXEC was given), or -errno.
 */
int hc_openat(int dirfd, const char *path, int flags, mode_t mode);

/**
 * hc_fstatat() - stat a host file, as fstatat(2) (AT_SYMLINK_NOFOLLOW,
 * AT_EMPTY_PATH). With AT_EMPTY_PATH and "" it stats the host fd @dirfd.
 */
int hc_fstatat(int dirfd, const char *path, struct stat *st, int flags);

/**
 * hc_statx() - as statx(2); fills what the host reports, with stx_mask
 * saying which fields are valid (@mask is a hint the host may ignore).
 */
int hc_statx(int dirfd, const char *path, int flags, unsigned int mask,
	     struct statx *stx);

/**
 * hc_readlinkat() - as readlinkat(2), without a terminating NUL.
 * Returns: the number of bytes placed in @buf, or -errno.
 */
ssize_t hc_readlinkat(int dirfd, const char *path, char *buf, size_t size);

int hc_mkdirat(int dirfd, const char *path, mode_t mode);
/** hc_mknodat() - regular files, FIFOs and sockets; devices as the host allows. */
int hc_mknodat(int dirfd, const char *path, mode_t mode, dev_t dev);
/** hc_unlinkat() - as unlinkat(2); AT_REMOVEDIR removes a directory. */
int hc_unlinkat(int dirfd, const char *path, int flags);
/** hc_renameat2() - as renameat2(2): RENAME_NOREPLACE, RENAME_EXCHANGE. */
int hc_renameat2(int olddirfd, const char *oldpath, int newdirfd,
		 const char *newpath, unsigned int flags);
int hc_symlinkat(const char *target, int newdirfd, const char *linkpath);
/** hc_linkat() - as linkat(2); AT_SYMLINK_FOLLOW, AT_EMPTY_PATH. */
int hc_linkat(int olddirfd, const char *oldpath, int newdirfd,
	      const char *newpath, int flags);
/** hc_fchmodat() - as fchmodat(2); with AT_EMPTY_PATH and "", fchmod(@dirfd). */
int hc_fchmodat(int dirfd, const char *path, mode_t mode, int flags);
/** hc_fchownat() - as fchownat(2); -1 leaves an id unchanged. */
int hc_fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags);
/** hc_truncateat() - truncate(2) of a path, or ftruncate with AT_EMPTY_PATH. */
int hc_truncateat(int dirfd, const char *path, off_t length, int flags);
/** hc_utimensat() - as utimensat(2); @times NULL means now, UTIME_OMIT works. */
int hc_utimensat(int dirfd, const char *path, const struct timespec times[2],
		 int flags);
/** hc_faccessat() - as faccessat2(2), checked as the shadow's user. */
int hc_faccessat(int dirfd, const char *path, int mode, int flags);
/** hc_statfs() - as statfs(2); with AT_EMPTY_PATH and "", fstatfs(@dirfd). */
int hc_statfs(int dirfd, const char *path, struct statfs *buf, int flags);

/*
 * Extended attributes. @flags takes AT_SYMLINK_NOFOLLOW (the l* calls) and
 * AT_EMPTY_PATH with "" (the f* calls on a host fd). Sizes as in getxattr(2):
 * @size 0 asks for the size needed.
 */
ssize_t hc_getxattrat(int dirfd, const char *path, const char *name,
		      void *value, size_t size, int flags);
int hc_setxattrat(int dirfd, const char *path, const char *name,
		  const void *value, size_t size, int xflags, int flags);
ssize_t hc_listxattrat(int dirfd, const char *path, char *list, size_t size,
		       int flags);
int hc_removexattrat(int dirfd, const char *path, const char *name, int flags);

/**
 * hc_chdir() - change the subject's host working directory: the directory
 * relative host paths and host programs start from. Checked as the shadow's
 * user, so it works where only that user may search.
 * hc_fchdir() does the same for a host fd of a directory.
 * A process whose own working directory is on the host (it called
 * chdir("/host/...") under the LD_PRELOAD shim) follows: its getcwd()
 * reports the new directory.
 */
int hc_chdir(const char *path);
int hc_fchdir(int fd);

/**
 * hc_getcwd() - the subject's host working directory, as a host path.
 * Returns: its length (without the NUL), -ERANGE if @size is too small.
 */
int hc_getcwd(char *buf, size_t size);

/**
 * hc_realpath() - the canonical host path of @path (every symlink, "." and
 * ".." resolved on the host). Returns: its length, -ERANGE if @size is too
 * small, or -errno.
 */
int hc_realpath(const char *path, char *buf, size_t size);

/* ---- host processes ---- */

enum hc_stdio {
	HC_IO_NULL = 0,		/* /dev/null on the host */
	HC_IO_PIPE = 1,		/* a pipe; the caller gets its end */
	HC_IO_PTY = 2,		/* a host pseudo-terminal */
	HC_IO_PASS = 3,		/* an fd of the caller's, given in fds[] */
	HC_IO_SAME = 4,		/* same as the previous stream (2>&1) */
};

/* An fd of the caller's that a host program gets (struct hc_spawn's fdmap). */
struct hc_spawn_fd {
	int fd;		/* the caller's fd */
	int target;	/* its number in the program: 3..1023 */
};

/* The most fds one hc_spawn() hands over: HC_IO_PASS streams and fdmap together. */
#define HC_SPAWN_FDS_MAX	16

struct hc_spawn {
	const char *const *argv;	/* argv[0] is searched in the host PATH */
	/*
	 * NULL: the shadow's default environment (hostcalld's, with HOME,
	 * USER, LOGNAME and SHELL of the shadow's user and a default PATH).
	 * env_add: envp is added to that default instead of replacing it.
	 */
	const char *const *envp;
	int env_add;
	const char *cwd;		/* NULL: the subject's host cwd */
	enum hc_stdio stdio[3];		/* stdin, stdout, stderr */
	int fds[3];			/* for HC_IO_PASS */
	int setsid;			/* new session, pty as controlling tty */
	unsigned short rows, cols;	/* pty window size, 0: 24x80 */
	/*
	 * More fds for the program than its stdio: nfdmap entries, each an
	 * fd of the caller's and the number it gets in the program (distinct
	 * targets, 3..1023). At most HC_SPAWN_FDS_MAX minus the HC_IO_PASS
	 * streams. Only where fds cross to the host (the socket): in a VM a
	 * non-empty fdmap gets -EOPNOTSUPP. Zero (an initializer that leaves
	 * them out) for none.
	 */
	const struct hc_spawn_fd *fdmap;
	int nfdmap;
};

struct hc_proc {
	pid_t pid;	/* host pid; the process leads its own process group */
	int fds[3];	/* for HC_IO_PIPE: the caller's end; else -1 */
	int pty;	/* the pty master if any stream is HC_IO_PTY, else -1 */
};

/**
 * hc_spawn() - start a program on the host, as the shadow's user.
 * Returns: 0 with @p filled, or -errno (-ENOENT: no such program on the
 * host's PATH, reported when the program cannot be executed; -EINVAL for a
 * bad stdio mode or fdmap, including more fds than HC_SPAWN_FDS_MAX or the
 * host takes; -EBADF for a negative fd in fdmap).
 */
int hc_spawn(const struct hc_spawn *sp, struct hc_proc *p);

/**
 * hc_wait() - wait for a host process this subject spawned.
 * @status: set to a wait status (WIFEXITED, WTERMSIG… apply)
 * @flags: WNOHANG or 0
 * Without WNOHANG it sends one request, which the host answers when the
 * process ends (an async wait, below); a host without requests in flight
 * (an older hostcalld, or /dev/hostcall in a VM) is polled instead, with
 * pauses of up to 10 ms. Either way other threads, and signal handlers
 * (say, one that calls hc_kill() on Ctrl-C), can make hostcalls meanwhile.
 * If an async wait of @pid was started, hc_wait() ends it, with its result.
 * Returns: @pid, 0 with WNOHANG if it is still running, -EINTR if a signal
 * handler ran while it waited (as waitpid(2) without SA_RESTART), or
 * -errno (-ECHILD: not a process of this subject).
 */
int hc_wait(pid_t pid, int *status, int flags);

/*
 * Async waits: wait for a host process's end alongside other fds, as a
 * program's poll loop would for a child's pidfd. hc_wait_start() sends a
 * WAIT the host answers when the process ends; hc_wait_fd() becomes
 * readable when an answer may have come, whichever call of the process
 * received it; hc_wait_result() tells, without waiting. Only where the
 * host offers requests in flight (the socket to a hostcalld of this
 * release); elsewhere hc_wait_start() gets -EOPNOTSUPP: poll with
 * hc_wait(WNOHANG). A loop:
 *
 *	if (hc_wait_start(pid) == 0) {
 *		struct pollfd p[2] = { { hc_wait_fd(), POLLIN }, { in, POLLIN } };
 *
 *		while ((r = hc_wait_result(pid, &status)) == 0)
 *			poll(p, 2, -1), ...;
 *	}
 *
 * At most 24 async waits at once. A forked child has none of its parent's
 * (nor its processes: its subject is its own), and a hc_wait_fd() of its
 * own.
 */

/**
 * hc_wait_start() - start an async wait for host process @pid.
 * Returns: 0; -EOPNOTSUPP where the host has no requests in flight;
 * -EBUSY if one for @pid is under way; -EAGAIN if 24 are; or -errno.
 */
int hc_wait_start(pid_t pid);

/**
 * hc_wait_fd() - an fd (close-on-exec; the library's, never to be closed
 * or read) that polls readable (POLLIN) when the reply to an async wait
 * may have come: then call hc_wait_result(). It may also wake when none
 * did; the same fd serves every async wait of the process.
 * Returns: the fd, or -errno (-EOPNOTSUPP as for hc_wait_start()).
 */
int hc_wait_fd(void);

/**
 * hc_wait_result() - whether async wait @pid has ended, without waiting;
 * once it gives @pid or an error, the async wait is over.
 * @status: set, when it returns @pid, to the process's wait status
 * Returns: @pid (the process ended and is reaped); 0 (not yet); -EINTR
 * (cancelled by hc_wait_cancel()); -ECHILD (no async wait of @pid, or the
 * host says @pid is not this subject's); -EIO (the connection broke); or
 * -errno.
 */
int hc_wait_result(pid_t pid, int *status);

/**
 * hc_wait_cancel() - stop async wait @pid. Its end still comes through
 * hc_wait_result(): -EINTR, or @pid if the process ended first (its status
 * is not lost).
 * Returns: 0, -ECHILD (no async wait of @pid), or -errno.
 */
int hc_wait_cancel(pid_t pid);

/**
 * hc_kill() - send @sig to the host process group of @pid, a process this
 * subject spawned.
 */
int hc_kill(pid_t pid, int sig);

/** hc_winsize() - set the window size of @pid's pty (TIOCSWINSZ). */
int hc_winsize(pid_t pid, unsigned short rows, unsigned short cols);

#ifdef __cplusplus
}
#endif

#endif /* HOSTCALL_H */
