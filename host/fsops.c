// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shadow's file system ops: each wraps one host call, made as the
 * shadow's user, and returns >= 0 or -errno. Paths go through resolve.c;
 * ops that act on a last name without following it work on its parent
 * directory's fd, ops that follow it work on an O_PATH fd of the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "hostd.h"

#define AT_ALLOWED(f, ok)	(((f) & ~(hc_u32)(ok)) == 0)

static hc_s64 ret_errno(long r)
{
	return r < 0 ? -errno : r;
}

/*
 * Under --root with root shadows, what could turn the export into a way to
 * host privilege -- device nodes, setuid or setgid files, file capabilities
 * -- is refused unless --allow-devices / --allow-setuid say otherwise;
 * setgid directories stay allowed. An ordinary shadow gets the host
 * kernel's answer: it cannot make device nodes, and its setuid bits grant
 * nothing its user does not have.
 */
static int export_privileged(const struct hostd_config *cfg)
{
	return cfg->root && geteuid() == 0;
}

int hostd_check_mode(const struct hostd_config *cfg, mode_t mode)
{
	if (!export_privileged(cfg))
		return 0;
	if ((S_ISCHR(mode) || S_ISBLK(mode)) && !cfg->allow_devices)
		return -EPERM;
	if (!S_ISDIR(mode) && mode & (S_ISUID | S_ISGID) && !cfg->allow_setuid)
		return -EPERM;
	return 0;
}

int hostd_check_xattr(const struct hostd_config *cfg, const char *name)
{
	if (export_privileged(cfg) && !cfg->allow_setuid &&
	    !strcmp(name, "security.capability"))
		return -EPERM;
	return 0;
}

/*
 * In flight: an open of a FIFO (which waits for the other end) from an
 * in-flight subject. The main thread resolves the name (an O_PATH fd); if
 * that is a FIFO, a worker opens it again through /proc/self/fd/N with the
 * request's flags, so that the same file is opened whatever happens to the
 * name meanwhile. O_RDWR never blocks; O_EXCL, O_TMPFILE, O_DIRECTORY and
 * O_PATH never open a FIFO that is there; without an existing FIFO the
 * open is made inline as any other.
 * Returns: 1 if it went in flight, else 0.
 */
static int openat_park(struct hostd_shadow *sh, struct hostd_req *rq, int flags)
{
	const struct hc_req_openat *q = &rq->m->req.openat;
	struct hostd_job j = { .kind = HOSTD_JOB_OPEN };
	struct stat st;
	int pfd, parked = 0, in_used = rq->in_used;

	if (flags & (O_NONBLOCK | O_EXCL | O_DIRECTORY | O_PATH) ||
	    (flags & O_TMPFILE) == O_TMPFILE || (flags & O_ACCMODE) == O_RDWR)
		return 0;
	pfd = hostd_open(sh, rq, q->dirfd, q->path, 0, O_PATH | (flags & O_NOFOLLOW), 0);
	if (pfd >= 0 && fstat(pfd, &st) == 0 && S_ISFIFO(st.st_mode)) {
		j.fd = pfd;
		j.arg = (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW | O_TRUNC)) | O_CLOEXEC;
		parked = hostd_inflight_start(sh, rq, &j);
	}
	if (pfd >= 0)
		close(pfd);
	/* served inline: the open resolves again, from the same passed dirfd */
	if (!parked)
		rq->in_used = in_used;
	return parked;
}

/*
 * The file of O_PATH fd @pfd (a LOOKUP handle, the working directory)
 * opened again with @flags through /proc/self/fd/N, which checks the
 * caller's access as open(2) does: for OPENAT of "" on a handle, and for
 * the calls that refuse O_PATH fds. Only a regular file or a directory:
 * through a magic link a symlink would be followed.
 */
static int reopen_path_fd(int pfd, int flags)
{
	char proc[32];
	struct stat st;
	int fd;

	if (flags & (O_CREAT | O_EXCL) || (flags & O_TMPFILE) == O_TMPFILE)
		return -EINVAL;
	if (fstat(pfd, &st) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return -ENXIO;
	if (flags & O_DIRECTORY && !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	hostd_proc_fd_path(pfd, proc);
	fd = open(proc, (flags & ~O_NOFOLLOW) | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

hc_s64 hostd_op_openat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_openat *q = &rq->m->req.openat;
	int flags = hc_oflags_from_wire(q->flags) | O_NOCTTY;
	int fd, err;

	if (!*q->path && hostd_is_inode_handle(sh, q->dirfd)) {
		fd = reopen_path_fd(sh->handles[q->dirfd], flags);
		return fd < 0 ? fd : hostd_openat_finish(sh, rq, fd);
	}

	if (flags & O_CREAT || (flags & O_TMPFILE) == O_TMPFILE) {
		err = hostd_check_mode(sh->cfg, S_IFREG | (q->mode & 07777));
		if (err)
			return err;
	}
	if (rq->may_park && openat_park(sh, rq, flags))
		return HOSTD_PARKED;
	fd = hostd_open(sh, rq, q->dirfd, q->path, 0, flags, q->mode);
	if (fd < 0)
		return fd;
	return hostd_openat_finish(sh, rq, fd);
}

hc_s64 hostd_openat_finish(struct hostd_shadow *sh, struct hostd_req *rq, int fd)
{
	int h = HC_HANDLE_NONE, err;
	struct stat st;

	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto out_close;
	}
	err = hostd_seen_add(sh, fd);
	if (err)
		goto out_close;
	if (S_ISDIR(st.st_mode) || sh->keep_handles) {
		h = hostd_handle_add(sh, fd);
		if (h < 0) {
			err = h;
			goto out_close;
		}
	}
	if (sh->keep_handles) {
		/* no fd travels: the handle (a dup) is the client's file */
		close(fd);
		return h;
	}
	err = hostd_reply_fd(rq, fd);
	if (err) {
		if (h != HC_HANDLE_NONE)
			hostd_handle_close(sh, h);
		return err;
	}
	return h;

out_close:
	close(fd);
	return err;
}

hc_s64 hostd_op_close(struct hostd_shadow *sh, struct hostd_req *rq)
{
	/* a LOOKUP handle goes with its last FORGET, not before */
	if (hostd_is_inode_handle(sh, rq->m->req.close.fd))
		return -EINVAL;
	return hostd_handle_close(sh, rq->m->req.close.fd);
}

/*
 * Whether a READ or WRITE at the file offset of @fd (@ev: POLLIN or
 * POLLOUT) would wait: a blocking stream (pipe, FIFO, socket, terminal)
 * that is not ready, or for a write of more than PIPE_BUF bytes, any.
 */
static int stream_would_block(int fd, short ev, size_t len)
{
	struct pollfd p = { .fd = fd, .events = ev };
	struct stat st;
	int fl;

	if (fstat(fd, &st) < 0)
		return 0;
	if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode) &&
	    !(S_ISCHR(st.st_mode) && isatty(fd)))
		return 0;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fl & O_NONBLOCK)
		return 0;
	if (ev == POLLOUT && len > PIPE_BUF)
		return 1;
	return poll(&p, 1, 0) == 0;
}

hc_s64 hostd_op_read(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_read *q = &rq->m->req.read;
	size_t len = q->count < HC_DATA_MAX ? q->count : HC_DATA_MAX;
	int fd = hostd_fd_file(sh, rq, q->fd);
	ssize_t n;

	if (fd < 0)
		return fd;
	if (q->off < 0 && rq->may_park && len && stream_would_block(fd, POLLIN, len)) {
		struct hostd_job j = { .kind = HOSTD_JOB_READ, .fd = fd, .len = len };

		if (hostd_inflight_start(sh, rq, &j))
			return HOSTD_PARKED;
	}
	n = q->off < 0 ? read(fd, sh->scratch, len) : pread(fd, sh->scratch, len, q->off);
	if (n < 0)
		return -errno;
	rq->rep->rep.read.data = (struct hc_blob){ sh->scratch, n };
	return n;
}

hc_s64 hostd_op_write(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_write *q = &rq->m->req.write;
	int fd = hostd_fd_file(sh, rq, q->fd);

	if (fd < 0)
		return fd;
	if (q->off < 0 && rq->may_park && q->data.len &&
	    stream_would_block(fd, POLLOUT, q->data.len)) {
		struct hostd_job j = { .kind = HOSTD_JOB_WRITE, .fd = fd,
				       .data = q->data.ptr, .len = q->data.len };

		if (hostd_inflight_start(sh, rq, &j))
			return HOSTD_PARKED;
	}
	if (q->off < 0)
		return ret_errno(write(fd, q->data.ptr, q->data.len));
	return ret_errno(pwrite(fd, q->data.ptr, q->data.len, q->off));
}

hc_s64 hostd_op_lseek(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_lseek *q = &rq->m->req.lseek;
	int fd = hostd_fd_file(sh, rq, q->fd);

	if (fd < 0)
		return fd;
	if (q->whence > HC_SEEK_HOLE)
		return -EINVAL;
	/* HC_SEEK_* are the Linux values */
	return ret_errno(lseek(fd, q->off, (int)q->whence));
}

static void put_ts(struct hc_timespec *t, const struct statx_timestamp *s)
{
	t->sec = s->tv_sec;
	t->nsec = s->tv_nsec;
}

/* The attributes of @fd's file into @s, owners as the client knows them. */
static hc_s64 stat_fill(struct hostd_shadow *sh, int fd, hc_u32 sync, struct hc_stat *s)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | sync, STATX_BASIC_STATS | STATX_BTIME, &stx) < 0)
		return -errno;
	s->mask = stx.stx_mask & (STATX_BASIC_STATS | STATX_BTIME);
	s->mode = stx.stx_mode;
	s->nlink = stx.stx_nlink;
	/* owners as the client knows them (idmap.c) */
	s->uid = hostd_idmap_guest(sh->cfg, 0, stx.stx_uid);
	s->gid = hostd_idmap_guest(sh->cfg, 1, stx.stx_gid);
	s->blksize = stx.stx_blksize;
	s->ino = stx.stx_ino;
	s->size = stx.stx_size;
	s->blocks = stx.stx_blocks;
	s->dev_major = stx.stx_dev_major;
	s->dev_minor = stx.stx_dev_minor;
	s->rdev_major = stx.stx_rdev_major;
	s->rdev_minor = stx.stx_rdev_minor;
	put_ts(&s->atime, &stx.stx_atime);
	put_ts(&s->mtime, &stx.stx_mtime);
	put_ts(&s->ctime, &stx.stx_ctime);
	put_ts(&s->btime, &stx.stx_btime);
	return 0;
}

static hc_s64 do_statx(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
		       const char *proc)
{
	const hc_u32 sync = AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC;

	(void)proc;
	return stat_fill(sh, fd, rq->m->req.fstatat.flags & sync, &rq->rep->rep.fstatat.st);
}

hc_s64 hostd_op_lookup(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_lookup *q = &rq->m->req.lookup;
	struct stat st;
	hc_s64 r;
	int h;

	h = hostd_lookup(sh, rq, q->dirfd, q->name, &st);
	if (h < 0)
		return h;
	r = stat_fill(sh, sh->handles[h], 0, &rq->rep->rep.lookup.st);
	if (r < 0) {
		hostd_forget(sh, h, 1);
		return r;
	}
	return h;
}

/*
 * Every record is applied; a bad one (not a LOOKUP handle) is skipped and
 * makes the result EBADF, since a client that forgets what it never
 * looked up has lost count.
 */
hc_s64 hostd_op_forget(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_blob *b = &rq->m->req.forget.records;
	const unsigned char *p = b->ptr;
	hc_s64 r = 0;
	size_t i;

	if (b->len % HC_FORGET_REC)
		return -EINVAL;
	for (i = 0; i < b->len; i += HC_FORGET_REC) {
		hc_u32 h = p[i] | p[i + 1] << 8 | p[i + 2] << 16 | (hc_u32)p[i + 3] << 24;
		hc_u32 n = p[i + 4] | p[i + 5] << 8 | p[i + 6] << 16 | (hc_u32)p[i + 7] << 24;

		if (h > INT32_MAX || !n || hostd_forget(sh, (hc_s32)h, n) < 0)
			r = -EBADF;
	}
	return r;
}

hc_s64 hostd_op_fstatat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_fstatat *q = &rq->m->req.fstatat;

	if (!AT_ALLOWED(q->flags, HC_AT_SYMLINK_NOFOLLOW | HC_AT_EMPTY_PATH |
			AT_NO_AUTOMOUNT | AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC))
		return -EINVAL;
	return hostd_on_file(sh, rq, q->dirfd, q->path, q->flags, do_statx);
}

/* The host's getdents64 records: struct linux_dirent64's layout. */
struct host_dirent64 {
	hc_u64 d_ino;
	hc_s64 d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

#define HOST_DIRENT_NAME	offsetof(struct host_dirent64, d_name)

/*
 * The host's record at @p (@left bytes to the end of what getdents64 read)
 * as @d, its name in place. Returns: the record's length, or -EIO.
 */
static long host_dirent_at(const unsigned char *p, long left, struct hc_dirent *d)
{
	struct host_dirent64 h;

	if (left < (long)HOST_DIRENT_NAME + 1)
		return -EIO;
	memcpy(&h, p, HOST_DIRENT_NAME);
	if (h.d_reclen < HOST_DIRENT_NAME + 1 || h.d_reclen > left)
		return -EIO;
	d->ino = h.d_ino;
	d->off = h.d_off;
	d->type = h.d_type;
	d->name = (const char *)p + HOST_DIRENT_NAME;
	d->namelen = strnlen(d->name, h.d_reclen - HOST_DIRENT_NAME);
	if (d->namelen == h.d_reclen - HOST_DIRENT_NAME)
		return -EIO;	/* no NUL in the record */
	return h.d_reclen;
}

/*
 * The host's records are read into sh->outbuf (free until the reply is
 * encoded) and each is written again as the wire's (hc_dirent_put()) into
 * sh->scratch, within @count. The two layouts have the same sizes; should a
 * record still not fit, the directory is set back to the position after
 * the last one that did, so that the next call returns it.
 */
hc_s64 hostd_op_getdents(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_getdents *q = &rq->m->req.getdents;
	size_t len = q->count < HC_DATA_MAX ? q->count : HC_DATA_MAX, out = 0;
	const unsigned char *p = sh->outbuf;
	int fd = hostd_fd_file(sh, rq, q->fd);
	hc_s64 last = 0;
	long n, pos;

	if (fd < 0)
		return fd;
	n = syscall(SYS_getdents64, fd, sh->outbuf, len);
	if (n < 0)
		return -errno;
	for (pos = 0; pos < n; ) {
		struct hc_dirent d;
		long reclen = host_dirent_at(p + pos, n - pos, &d);
		int err;

		if (reclen < 0)
			return reclen;
		err = hc_dirent_put(sh->scratch, len, &out, &d);
		if (err == -ENOSPC) {
			if (!out)
				return -EINVAL;	/* as getdents64 for a buffer too small */
			if (lseek(fd, last, SEEK_SET) < 0)
				return -errno;
			break;
		}
		if (err)
			return -EIO;	/* a name the wire cannot carry */
		last = d.off;
		pos += reclen;
	}
	rq->rep->rep.getdents.dirents = (struct hc_blob){ sh->scratch, out };
	return out;
}

/* READDIRPLUS's record of @name in @dirh: its handle and attributes, or -1 */
static hc_s32 plus_lookup(struct hostd_shadow *sh, struct hostd_req *rq, hc_s32 dirh,
			  const char *name, struct hc_stat *hs)
{
	struct stat st;
	int h;

	memset(hs, 0, sizeof(*hs));
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -1;
	h = hostd_lookup(sh, rq, dirh, name, &st);
	if (h < 0)
		return -1;	/* gone meanwhile, or the table is full */
	if (stat_fill(sh, sh->handles[h], 0, hs) < 0) {
		hostd_forget(sh, h, 1);
		memset(hs, 0, sizeof(*hs));
		return -1;
	}
	return h;
}

/*
 * GETDENTS and a LOOKUP of each entry in the directory of the open handle:
 * sh->scratch holds the dirents in its first quarter and the attrs records
 * after them (a record is 116 bytes, a dirent of a short name 32). Entries
 * are read a few at a time so that none is read and left out; should one
 * still not fit, the directory is set back to the position after the last
 * that did, and its handle given back.
 */
hc_s64 hostd_op_readdirplus(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_readdirplus *q = &rq->m->req.readdirplus;
	size_t cap = q->count < HC_DATA_MAX ? q->count : HC_DATA_MAX;
	size_t dcap = cap / 4, out = 0, aout = 0;
	unsigned char *attrs = (unsigned char *)sh->scratch + dcap;
	const unsigned char *p = sh->outbuf;
	int fd = hostd_fd_file(sh, rq, q->fd);
	hc_s64 last = -1;
	int full = 0;

	if (fd < 0)
		return fd;
	while (!full) {
		long n, pos;

		/* what is left of the dirents' room bounds what is read */
		n = syscall(SYS_getdents64, fd, sh->outbuf,
			    dcap - out < HC_DATA_MAX ? dcap - out : HC_DATA_MAX);
		if (n < 0 && errno == EINVAL && out)
			break;		/* room for no more */
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		for (pos = 0; pos < n; ) {
			struct hc_dirent d;
			long reclen = host_dirent_at(p + pos, n - pos, &d);
			struct hc_stat hs;
			size_t dpos = out;
			hc_s32 eh;
			int err;

			if (reclen < 0)
				return reclen;
			err = hc_dirent_put(sh->scratch, dcap, &dpos, &d);
			if (!err && aout + HC_DIRENTPLUS_REC > cap - dcap)
				err = -ENOSPC;
			if (err == -ENOSPC) {
				if (!out)
					return -EINVAL;
				if (lseek(fd, last, SEEK_SET) < 0)
					return -errno;
				full = 1;
				break;
			}
			if (err)
				return -EIO;
			eh = plus_lookup(sh, rq, q->fd, d.name, &hs);
			if (hc_direntplus_put(attrs, cap - dcap, &aout, eh, &hs) < 0)
				return -EIO;	/* room was checked */
			out = dpos;
			last = d.off;
			pos += reclen;
		}
	}
	rq->rep->rep.readdirplus.dirents = (struct hc_blob){ sh->scratch, out };
	rq->rep->rep.readdirplus.attrs = (struct hc_blob){ attrs, aout };
	return out;
}

static hc_s64 do_readlink(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
			  const char *proc)
{
	ssize_t n = readlinkat(fd, "", sh->scratch, HC_PATH_MAX);

	(void)proc;
	if (n < 0)
		/* "" names fd itself: not a link is ENOENT there, EINVAL by name */
		return errno == ENOENT && *rq->m->req.readlinkat.path ? -EINVAL : -errno;
	sh->scratch[n] = 0;
	rq->rep->rep.readlinkat.target = sh->scratch;
	return n;
}

/* readlinkat(dirfd, "") reads the link dirfd itself is (O_PATH|O_NOFOLLOW) */
hc_s64 hostd_op_readlinkat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_readlinkat *q = &rq->m->req.readlinkat;

	return hostd_on_file(sh, rq, q->dirfd, q->path,
			     HC_AT_SYMLINK_NOFOLLOW | HC_AT_EMPTY_PATH, do_readlink);
}

static int do_mkdir(int pfd, const char *name, const struct hc_msg *m)
{
	return mkdirat(pfd, name, m->req.mkdirat.mode & 07777);
}

hc_s64 hostd_op_mkdirat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_mkdirat *q = &rq->m->req.mkdirat;

	return hostd_on_parent(sh, rq, q->dirfd, q->path, do_mkdir);
}

static int do_mknod(int pfd, const char *name, const struct hc_msg *m)
{
	const struct hc_req_mknodat *q = &m->req.mknodat;

	return mknodat(pfd, name, q->mode, makedev(q->rdev_major, q->rdev_minor));
}

hc_s64 hostd_op_mknodat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_mknodat *q = &rq->m->req.mknodat;
	int err = hostd_check_mode(sh->cfg, q->mode);

	if (err)
		return err;
	return hostd_on_parent(sh, rq, q->dirfd, q->path, do_mknod);
}

static int do_unlink(int pfd, const char *name, const struct hc_msg *m)
{
	return unlinkat(pfd, name, m->req.unlinkat.flags ? AT_REMOVEDIR : 0);
}

hc_s64 hostd_op_unlinkat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_unlinkat *q = &rq->m->req.unlinkat;

	if (!AT_ALLOWED(q->flags, HC_AT_REMOVEDIR))
		return -EINVAL;
	return hostd_on_parent(sh, rq, q->dirfd, q->path, do_unlink);
}

hc_s64 hostd_op_renameat2(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_renameat2 *q = &rq->m->req.renameat2;
	const char *oldname, *newname;
	int opfd, npfd, r;

	if (!AT_ALLOWED(q->flags, HC_RENAME_NOREPLACE | HC_RENAME_EXCHANGE | HC_RENAME_WHITEOUT))
		return -EINVAL;
	opfd = hostd_open_parent(sh, rq, q->olddirfd, q->oldpath, &oldname);
	if (opfd < 0)
		return opfd;
	npfd = hostd_open_parent(sh, rq, q->newdirfd, q->newpath, &newname);
	if (npfd < 0) {
		r = npfd;
		goto out_old;
	}
	/* HC_RENAME_* are the Linux RENAME_* values */
	r = ret_errno(renameat2(opfd, oldname, npfd, newname, q->flags));
	close(npfd);
out_old:
	close(opfd);
	return r;
}

/* path = the new link, target = what it points to (stored as given) */
static int do_symlink(int pfd, const char *name, const struct hc_msg *m)
{
	return symlinkat(m->req.symlinkat.target, pfd, name);
}

hc_s64 hostd_op_symlinkat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_symlinkat *q = &rq->m->req.symlinkat;

	return hostd_on_parent(sh, rq, q->dirfd, q->path, do_symlink);
}

/*
 * A followed (or AT_EMPTY_PATH) source is linked through its
 * /proc/self/fd/N path, which needs no CAP_DAC_READ_SEARCH and cannot
 * escape --root since the file was resolved already.
 */
hc_s64 hostd_op_linkat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_linkat *q = &rq->m->req.linkat;
	const char *oldname, *newname;
	char proc[32];
	int ofd, npfd, r, byfd;

	if (!AT_ALLOWED(q->flags, HC_AT_SYMLINK_FOLLOW | HC_AT_EMPTY_PATH))
		return -EINVAL;
	byfd = (q->flags & HC_AT_EMPTY_PATH && !*q->oldpath) ||
	       q->flags & HC_AT_SYMLINK_FOLLOW;
	if (byfd)
		ofd = hostd_open(sh, rq, q->olddirfd, q->oldpath, q->flags, O_PATH, 0);
	else
		ofd = hostd_open_parent(sh, rq, q->olddirfd, q->oldpath, &oldname);
	if (ofd < 0)
		return ofd;
	npfd = hostd_open_parent(sh, rq, q->newdirfd, q->newpath, &newname);
	if (npfd < 0) {
		r = npfd;
		goto out_old;
	}
	if (byfd) {
		hostd_proc_fd_path(ofd, proc);
		r = ret_errno(linkat(AT_FDCWD, proc, npfd, newname, AT_SYMLINK_FOLLOW));
	} else {
		r = ret_errno(linkat(ofd, oldname, npfd, newname, 0));
	}
	close(npfd);
out_old:
	close(ofd);
	return r;
}

/* chmod(2) refuses O_PATH fds: go through /proc/self/fd/N, as virtiofsd does. */
static hc_s64 do_chmod(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
		       const char *proc)
{
	const struct hc_req_fchmodat *q = &rq->m->req.fchmodat;
	struct stat st;
	int err;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (q->flags & HC_AT_SYMLINK_NOFOLLOW && S_ISLNK(st.st_mode))
		return -EOPNOTSUPP;	/* Linux has no lchmod */
	if (sh->cfg->root && hostd_is_export_root(sh->cfg, fd))
		return -EPERM;
	err = hostd_check_mode(sh->cfg, (st.st_mode & S_IFMT) | (q->mode & 07777));
	if (err)
		return err;
	return ret_errno(chmod(proc, q->mode & 07777));
}

hc_s64 hostd_op_fchmodat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_fchmodat *q = &rq->m->req.fchmodat;

	if (!AT_ALLOWED(q->flags, HC_AT_SYMLINK_NOFOLLOW | HC_AT_EMPTY_PATH))
		return -EINVAL;
	return hostd_on_file(sh, rq, q->dirfd, q->path, q->flags, do_chmod);
}

static hc_s64 do_chown(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
		       const char *proc)
{
	const struct hc_req_fchownat *q = &rq->m->req.fchownat;
	long long uid = -1, gid = -1;

	(void)proc;
	if (sh->cfg->root && hostd_is_export_root(sh->cfg, fd))
		return -EPERM;
	/*
	 * (u32)-1 is (uid_t)-1: leave unchanged; other ids are the client's,
	 * mapped to host ids (one with no mapping is EINVAL, as in a user
	 * namespace), and the host kernel decides
	 */
	if (q->uid != (hc_u32)-1 && (uid = hostd_idmap_host(sh->cfg->idmap, 0, q->uid)) < 0)
		return -EINVAL;
	if (q->gid != (hc_u32)-1 && (gid = hostd_idmap_host(sh->cfg->idmap, 1, q->gid)) < 0)
		return -EINVAL;
	return ret_errno(fchownat(fd, "", (uid_t)uid, (gid_t)gid, AT_EMPTY_PATH));
}

hc_s64 hostd_op_fchownat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_fchownat *q = &rq->m->req.fchownat;

	if (!AT_ALLOWED(q->flags, HC_AT_SYMLINK_NOFOLLOW | HC_AT_EMPTY_PATH))
		return -EINVAL;
	return hostd_on_file(sh, rq, q->dirfd, q->path, q->flags, do_chown);
}

static hc_s64 do_truncate(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
			  const char *proc)
{
	(void)sh, (void)fd;
	return ret_errno(truncate(proc, rq->m->req.truncate.length));
}

hc_s64 hostd_op_truncate(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_truncate *q = &rq->m->req.truncate;
	int fd;

	if (!AT_ALLOWED(q->flags, HC_AT_EMPTY_PATH) || q->length > INT64_MAX)
		return -EINVAL;
	/* a LOOKUP handle is an O_PATH fd: truncate(2) through /proc/self/fd */
	if (q->flags & HC_AT_EMPTY_PATH && !*q->path && !hostd_is_inode_handle(sh, q->dirfd)) {
		fd = hostd_fd_file(sh, rq, q->dirfd);
		return fd < 0 ? fd : ret_errno(ftruncate(fd, q->length));
	}
	return hostd_on_file(sh, rq, q->dirfd, q->path, q->flags, do_truncate);
}

hc_s64 hostd_op_fsync(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_fsync *q = &rq->m->req.fsync;
	int fd = hostd_fd_file(sh, rq, q->fd);

	if (fd < 0)
		return fd;
	return ret_errno(q->flags & HC_FSYNC_DATA ? fdatasync(fd) : fsync(fd));
}

static hc_s64 do_utimens(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
			 const char *proc)
{
	const struct hc_req_utimensat *q = &rq->m->req.utimensat;
	/* HC_UTIME_NOW/OMIT are the Linux UTIME_NOW/OMIT */
	struct timespec ts[2] = {
		{ .tv_sec = q->atime.sec, .tv_nsec = q->atime.nsec },
		{ .tv_sec = q->mtime.sec, .tv_nsec = q->mtime.nsec },
	};

	(void)sh, (void)proc;
	/* on the O_PATH fd itself: works for a symlink too (NOFOLLOW) */
	return ret_errno(utimensat(fd, "", ts, AT_EMPTY_PATH));
}

hc_s64 hostd_op_utimensat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_utimensat *q = &rq->m->req.utimensat;

	if (!AT_ALLOWED(q->flags, HC_AT_SYMLINK_NOFOLLOW | HC_AT_EMPTY_PATH))
		return -EINVAL;
	return hostd_on_file(sh, rq, q->dirfd, q->path, q->flags, do_utimens);
}

static hc_s64 do_access(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
			const char *proc)
{
	const struct hc_req_faccessat *q = &rq->m->req.faccessat;

	(void)sh, (void)proc;
	return ret_errno(syscall(SYS_faccessat2, fd, "", (int)q->mode,
				 AT_EMPTY_PATH | (q->flags & HC_AT_EACCESS)));
}

hc_s64 hostd_op_faccessat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_faccessat *q = &rq->m->req.faccessat;

	if (!AT_ALLOWED(q->flags, HC_AT_EACCESS | HC_AT_SYMLINK_NOFOLLOW | HC_AT_EMPTY_PATH))
		return -EINVAL;
	return hostd_on_file(sh, rq, q->dirfd, q->path,
			     q->flags & ~(hc_u32)HC_AT_EACCESS, do_access);
}

static hc_s64 do_statfs(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
			const char *proc)
{
	struct hc_statfs *o = &rq->rep->rep.statfs.sfs;
	struct statfs s;

	(void)sh, (void)proc;
	if (fstatfs(fd, &s) < 0)
		return -errno;
	o->type = (hc_u64)s.f_type;
	o->bsize = s.f_bsize;
	o->blocks = s.f_blocks;
	o->bfree = s.f_bfree;
	o->bavail = s.f_bavail;
	o->files = s.f_files;
	o->ffree = s.f_ffree;
	o->fsid = (hc_u64)(unsigned int)s.f_fsid.__val[0] |
		  (hc_u64)(unsigned int)s.f_fsid.__val[1] << 32;
	o->namelen = s.f_namelen;
	o->frsize = s.f_frsize;
	o->flags = s.f_flags;
	return 0;
}

hc_s64 hostd_op_statfs(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_statfs *q = &rq->m->req.statfs;

	if (!AT_ALLOWED(q->flags, HC_AT_EMPTY_PATH))
		return -EINVAL;
	return hostd_on_file(sh, rq, q->dirfd, q->path, q->flags, do_statfs);
}

hc_s64 hostd_op_fallocate(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_fallocate *q = &rq->m->req.fallocate;
	int fd = hostd_fd_file(sh, rq, q->fd);

	if (fd < 0)
		return fd;
	if (q->len > INT64_MAX)
		return -EINVAL;
	return ret_errno(fallocate(fd, (int)q->mode, q->off, q->len));
}

hc_s64 hostd_op_copy_file_range(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_copy_file_range *q = &rq->m->req.copy_file_range;
	int in = hostd_fd_file(sh, rq, q->fd_in), out;
	loff_t off_in = q->off_in, off_out = q->off_out;

	if (in < 0)
		return in;
	out = hostd_fd_file(sh, rq, q->fd_out);
	if (out < 0)
		return out;
	if (q->off_in < 0 || q->off_out < 0)
		return -EINVAL;
	return ret_errno(copy_file_range(in, &off_in, out, &off_out,
					 q->len < HC_COPY_MAX ? q->len : HC_COPY_MAX, 0));
}

/*
 * syncfs() refuses O_PATH fds (the working directory, inode handles): such
 * a handle of a directory or regular file is reopened read-only first (an
 * open checked as the shadow's user, never of a device or FIFO).
 */
hc_s64 hostd_op_syncfs(struct hostd_shadow *sh, struct hostd_req *rq)
{
	int fd, rfd, err;

	err = hostd_fd(sh, rq, rq->m->req.syncfs.fd, &fd);
	if (err)
		return err;
	if (fd == AT_FDCWD)
		fd = sh->cwdfd;
	if (!(fcntl(fd, F_GETFL) & O_PATH))
		return ret_errno(syncfs(fd));
	rfd = reopen_path_fd(fd, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	if (rfd < 0)
		return rfd;
	err = ret_errno(syncfs(rfd));
	close(rfd);
	return err;
}

hc_s64 hostd_op_flock(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_flock *q = &rq->m->req.flock;
	int fd = hostd_fd_file(sh, rq, q->fd);

	if (fd < 0)
		return fd;
	/* HC_LOCK_* are the Linux LOCK_* values; in flight if it would wait */
	if (rq->may_park && !(q->operation & (HC_LOCK_NB | HC_LOCK_UN))) {
		struct hostd_job j = { .kind = HOSTD_JOB_FLOCK, .fd = fd,
				       .arg = (int)q->operation };

		if (flock(fd, (int)q->operation | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK)
			return -errno;
		if (hostd_inflight_start(sh, rq, &j))
			return HOSTD_PARKED;
	}
	return ret_errno(flock(fd, (int)q->operation));
}

/*
 * Record locks are taken as open file description (OFD) locks: a POSIX lock
 * would belong to the shadow process and vanish as soon as it closes any fd
 * of the file (it closes a passed fd right after the op), while an OFD lock
 * belongs to the client's open file and lives exactly as long as it. They
 * are real host locks and conflict with POSIX locks of other processes.
 */
hc_s64 hostd_op_lock(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_lock *q = &rq->m->req.lock;
	struct flock fl = {
		.l_type = (short)q->lock.type, .l_whence = (short)q->lock.whence,
		.l_start = q->lock.start, .l_len = q->lock.len,
	};
	int fd, cmd;

	switch (q->cmd) {
	case HC_F_GETLK:	cmd = F_OFD_GETLK; break;
	case HC_F_SETLK:	cmd = F_OFD_SETLK; break;
	case HC_F_SETLKW:	cmd = F_OFD_SETLKW; break;
	default:		return -EINVAL;
	}
	if (q->lock.type > HC_F_UNLCK || q->lock.whence > HC_SEEK_END)
		return -EINVAL;
	fd = hostd_fd_file(sh, rq, q->fd);
	if (fd < 0)
		return fd;
	/* in flight if it would wait: tried without waiting first */
	if (cmd == F_OFD_SETLKW && rq->may_park) {
		struct hostd_job j = { .kind = HOSTD_JOB_LOCK, .fd = fd, .arg = cmd,
				       .fl = fl };

		if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
			goto out;
		if (errno != EAGAIN && errno != EACCES)
			return -errno;
		if (hostd_inflight_start(sh, rq, &j))
			return HOSTD_PARKED;
	}
	if (fcntl(fd, cmd, &fl) < 0)
		return -errno;
out:
	hostd_lock_put(rq, &fl);
	return 0;
}

void hostd_lock_put(struct hostd_req *rq, const struct flock *fl)
{
	struct hc_lock *o = &rq->rep->rep.lock.lock;

	o->type = fl->l_type;
	o->whence = fl->l_whence;
	o->start = fl->l_start;
	o->len = fl->l_len;
	o->pid = fl->l_pid;
}

/*
 * The working directory is a directory reference (an O_PATH fd), so it
 * follows renames; a real fchdir checks search permission as the shadow.
 */
hc_s64 hostd_op_chdir(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_chdir *q = &rq->m->req.chdir;
	int fd;

	if (!AT_ALLOWED(q->flags, HC_AT_EMPTY_PATH))
		return -EINVAL;
	fd = hostd_open(sh, rq, q->dirfd, q->path, q->flags, O_PATH | O_DIRECTORY, 0);
	if (fd < 0)
		return fd;
	if (fchdir(fd) < 0) {
		close(fd);
		return -errno;
	}
	close(sh->cwdfd);
	sh->cwdfd = fd;
	return 0;
}

hc_s64 hostd_op_getcwd(struct hostd_shadow *sh, struct hostd_req *rq)
{
	int r = hostd_cwd_hostpath(sh, sh->scratch, HC_PATH_MAX + 1);

	if (r < 0)
		return r;
	rq->rep->rep.getcwd.path = sh->scratch;
	return r;
}

static hc_s64 do_realpath(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
			  const char *proc)
{
	int r = hostd_fd_hostpath(sh, fd, sh->scratch, HC_PATH_MAX + 1);

	(void)proc;
	if (r >= 0)
		rq->rep->rep.realpath.path = sh->scratch;
	return r;
}

hc_s64 hostd_op_realpath(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_realpath *q = &rq->m->req.realpath;

	return hostd_on_file(sh, rq, q->dirfd, q->path, 0, do_realpath);
}
