/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal interfaces of libhostcall: the client core that owns this
 * process's subject, the host fd table, and what the API files share.
 */
#ifndef HC_INTERNAL_H
#define HC_INTERNAL_H

#include <sys/stat.h>
#include <sys/statfs.h>

/*
 * struct statx: glibc (2.28+) and musl 1.2.5+ declare it in <sys/stat.h>,
 * with STATX_TYPE; for older musl take the kernel's (the musl build puts
 * only the kernel's uapi directories on its include path, see Makefile).
 */
#if !defined(__GLIBC__) && !defined(STATX_TYPE)
#include <linux/stat.h>
#define HC_LIBC_NO_STATX	1
#endif

#include "hostcall.h"
#include "hostcall_proto.h"
#include "hc_sock.h"

/* Marks the symbols the library exports; everything else is hidden. */
#define HC_EXPORT	__attribute__((visibility("default")))

#define hc_likely(x)	__builtin_expect(!!(x), 1)
#define hc_unlikely(x)	__builtin_expect(!!(x), 0)

/* ---- one-time set-up (init.c) ---- */

extern int hc_inited;
void hc_init_slow(void);

/* Reads the environment once; cheap, never connects. */
static inline void hc_ensure_init(void)
{
	if (hc_unlikely(!__atomic_load_n(&hc_inited, __ATOMIC_ACQUIRE)))
		hc_init_slow();
}

/* HOSTCALL_DEBUG=1: one line on stderr for the events a user must see. */
extern int hc_debug_on;
void hc_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- the client core (client.c) ---- */

/* Registers the fork handlers; called once by hc_init_slow(). */
void hc_client_init(void);

/**
 * hc_call() - send @req to this process's subject and wait for its reply.
 * @req: op and fields set by the caller; the header is filled in here
 * @fds: fds to attach (the count goes into hflags), @nfds of them
 * @rep: the decoded reply
 * @out: where the reply's path or data is copied, @outcap bytes of room; a
 *       path is copied with its NUL. rep->datalen is then the full length
 *       (for a path, without the NUL) and rep->data / rep->path point to @out.
 *       The caller compares rep->datalen with @outcap.
 * @rfds: room for HC_SOCK_FDS_MAX fds attached to the reply, or NULL to
 *       close them; @nrfds gets their number (may be NULL with @rfds NULL)
 *
 * Connects on first use. One request at a time per connection.
 * Returns: the reply's result (>= 0) or -errno: -EHOSTUNREACH when
 * hostcalld cannot be reached, -EIO when the connection broke (the next call
 * connects again, as a new subject), -EDEADLK when called again from a signal
 * handler that interrupted a call in the same thread.
 */
int hc_call(struct hc_msg *req, const int *fds, int nfds, struct hc_msg *rep,
	    void *out, size_t outcap, int *rfds, int *nrfds);

/*
 * Generation of the current subject: it changes whenever a new connection
 * replaces a lost one, which invalidates the handles of the old subject.
 */
unsigned int hc_client_gen(void);

/*
 * Release @handle of subject generation @gen (HC_OP_CLOSE), if that subject
 * is still connected; never connects.
 */
void hc_client_release(int handle, unsigned int gen);

/*
 * The program is about to close fds @lo..@hi (close, close_range,
 * closefrom): if that includes the connection, forget it (the program closes
 * it) so that the next call connects afresh.
 */
void hc_client_fds_closing(unsigned int lo, unsigned int hi);

/*
 * The program is about to make @fd a copy of another fd (dup2, dup3): if
 * @fd is the connection, move the connection to another number first.
 */
void hc_client_fd_wanted(int fd);

/*
 * The transport of this process, chosen at its first call: /dev/hostcall
 * when that exists and HOSTCALL_SOCKET is not set (a VM), else the Unix
 * socket. Returns 1 for /dev/hostcall.
 */
int hc_client_dev(void);

/*
 * /dev/hostcall only: open host @path relative to directory handle @wfd
 * (or HC_AT_FDCWD) as a real guest fd (a hostfs file), open(2) @flags.
 * Returns: the fd, or -errno.
 */
int hc_client_dev_open(hc_s32 wfd, const char *path, int flags, mode_t mode);

/*
 * /dev/hostcall only: HC_OP_SPAWN_KEEP @req, the host's streams as stream
 * fds in @fds (room for 4; pipe ends in stdio order, then the pty master).
 * Returns: the pid, or -errno.
 */
int hc_client_dev_spawn(struct hc_msg *req, int *fds, int *nfds);

/* ---- the /dev/hostcall transport (client_dev.c) ---- */

#define HC_DEV_PATH	"/dev/hostcall"

/* Whether this process should use the device (see hc_client_dev()). */
int hc_dev_wanted(void);
/* Open the device at or above fd @fd_min, close-on-exec: fd or -errno. */
int hc_dev_open(int fd_min);
/* HOSTCALL_IOC_CALL: the reply's length, or -errno. */
int hc_dev_call(int dev, const void *req, size_t len, void *rep, size_t cap);
/* HOSTCALL_IOC_OPEN: the new fd, or -errno. */
int hc_dev_openat(int dev, hc_s32 wfd, const char *path, int flags, mode_t mode);
/* HOSTCALL_IOC_SPAWN: the reply's length, or -errno; the stream fds. */
int hc_dev_spawn(int dev, const void *req, size_t len, void *rep, size_t cap,
		 int *fds, int *nfds);

/* ---- the host fd table (fdtable.c) ---- */

/* hc_fdt_get() result for an entry made by an earlier, lost subject. */
#define HC_FDT_STALE	(-1)

extern int hc_fdt_used;

/* Whether the table is empty: the cost of every fd call in most processes. */
static inline int hc_fdt_empty(void)
{
	return !__atomic_load_n(&hc_fdt_used, __ATOMIC_RELAXED);
}

/** hc_fdt_add() - record @fd, just received from the shadow with @handle. */
void hc_fdt_add(int fd, int handle);

/**
 * hc_fdt_get() - whether @fd is a host fd, checked against its (dev, ino).
 * @handle: set to the shadow's handle, HC_HANDLE_NONE, or HC_FDT_STALE
 * Returns: 1 for a host fd, 0 otherwise (a stale entry is dropped).
 */
int hc_fdt_get(int fd, int *handle);

/** hc_fdt_dup() - @newfd now refers to what @oldfd does. */
void hc_fdt_dup(int oldfd, int newfd);

/**
 * hc_fdt_forget() - fds @lo..@hi are about to be closed: drop their entries
 * and release the handles no other fd refers to.
 */
void hc_fdt_forget(unsigned int lo, unsigned int hi);

/* ---- shared by the API files (api_*.c) ---- */

/* The close(2) and fcntl(2) system calls, bypassing the interposers. */
int hc_sys_close(int fd);
int hc_sys_fcntl(int fd, int cmd, long arg);

/* The process's umask, tracked by the umask() interposer. */
extern unsigned int hc_umask;

/*
 * hc_chdir()'s request alone. hc_chdir() and hc_fchdir() also tell the
 * shim (shim_cwd_moved()), which the shim's own chdir must not.
 */
int hc_chdir_at(int dirfd, const char *path, int flags);
void shim_cwd_moved(void);

void hc_stat_to_stat(const struct hc_stat *h, struct stat *st);
void hc_stat_to_statx(const struct hc_stat *h, struct statx *stx);
void hc_statfs_to_statfs(const struct hc_statfs *h, struct statfs *sf);

#endif /* HC_INTERNAL_H */
