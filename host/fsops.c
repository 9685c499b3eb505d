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

hc_s64 hostd_openat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_msg *m = rq->m;
	int flags = hc_oflags_from_wire(m->flags) | O_NOCTTY;
	int fd, h = HC_HANDLE_NONE, err;
	struct stat st;

	if (flags & O_CREAT || (flags & O_TMPFILE) == O_TMPFILE) {
		err = hostd_check_mode(sh->cfg, S_IFREG | (m->mode & 07777));
		if (err)
			return err;
	}
	fd = hostd_open(sh, rq, m->fd, m->path, 0, flags, m->mode);
	if (fd < 0)
		return fd;
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

hc_s64 hostd_close(struct hostd_shadow *sh, struct hostd_req *rq)
{
	return hostd_handle_close(sh, rq->m->fd);
}

hc_s64 hostd_read(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_msg *m = rq->m;
	size_t len = m->len < HC_DATA_MAX ? m->len : HC_DATA_MAX;
	int fd = hostd_fd_file(sh, rq, m->fd);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = m->off < 0 ? read(fd, sh->scratch, len) : pread(fd, sh->scratch, len, m->off);
	if (n < 0)
		return -errno;
	rq->rep->data = sh->scratch;
	rq->rep->datalen = n;
	return n;
}

hc_s64 hostd_write(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_msg *m = rq->m;
	int fd = hostd_fd_file(sh, rq, m->fd);

	if (fd < 0)
		return fd;
	if (m->off < 0)
		return ret_errno(write(fd, m->data, m->datalen));
	return ret_errno(pwrite(fd, m->data, m->datalen, m->off));
}

hc_s64 hostd_lseek(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_msg *m = rq->m;
	int fd = hostd_fd_file(sh, rq, m->fd);

	if (fd < 0)
		return fd;
	if (m->arg > HC_SEEK_HOLE)
		return -EINVAL;
	/* HC_SEEK_* are the Linux values */
	return ret_errno(lseek(fd, m->off, (int)m->arg));
}

static void put_ts(struct hc_timespec *t, const struct statx_timestamp *s)
{
	t->sec = s->tv_sec;
	t->nsec = s->tv_nsec;
}

static hc_s64 do_statx(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
		       const char *proc)
{
	const hc_u32 sync = AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC;
	struct hc_stat *s = &rq->rep->st;
	struct statx stx;

	(void)sh, (void)proc;
	if (statx(fd, "", AT_EMPTY_PATH | (rq->m->flags & sync),
		  STATX_BASIC_STATS | STATX_BTIME, &stx) < 0)
		return -errno;
	s->mask = stx.stx_mask & (STATX_BASIC_STATS | STATX_BTIME);
	s->mode = stx.stx_mode;
	s->nlink = stx.stx_nlink;
	s->uid = stx.stx_uid;
	s->gid = stx.stx_gid;
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

hc_s64 hostd_fstatat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	hc_u32 f = rq->m->flags;

	if (!AT_ALLOWED(f, HC_AT_SYMLINK_NOFOLLOW | HC_AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
			AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC))
		return -EINVAL;
	return hostd_on_file(sh, rq, f, do_statx);
}

static void le_put(unsigned char *p, hc_u64 v, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		p[i] = (v >> (8 * i)) & 0xff;
}

/*
 * GETDENTS reply data: packed records, each laid out as linux_dirent64 in
 * little-endian:
 *   u64 ino | s64 off | u16 reclen | u8 type (DT_*) | name, NUL-terminated,
 *   zero-padded so that reclen (the whole record) is a multiple of 8.
 * off is the position after this entry, for LSEEK on the handle.
 */
hc_s64 hostd_getdents(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_msg *m = rq->m;
	size_t len = m->len < HC_DATA_MAX ? m->len : HC_DATA_MAX;
	unsigned char *p = (unsigned char *)sh->scratch;
	int fd = hostd_fd_file(sh, rq, m->fd);
	long n, pos;

	if (fd < 0)
		return fd;
	n = syscall(SYS_getdents64, fd, p, len);
	if (n < 0)
		return -errno;
	/* same sizes as the host's records: rewrite the integers in place */
	for (pos = 0; pos + 19 <= n; ) {
		hc_u64 ino, off;
		unsigned short reclen;

		memcpy(&ino, p + pos, 8);
		memcpy(&off, p + pos + 8, 8);
		memcpy(&reclen, p + pos + 16, 2);
		if (reclen < 20 || reclen > n - pos)
			return -EIO;
		le_put(p + pos, ino, 8);
		le_put(p + pos + 8, off, 8);
		le_put(p + pos + 16, reclen, 2);
		pos += reclen;
	}
	rq->rep->data = p;
	rq->rep->datalen = n;
	return n;
}

static hc_s64 do_readlink(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
			  const char *proc)
{
	ssize_t n = readlinkat(fd, "", sh->scratch, HC_PATH_MAX);

	(void)proc;
	if (n < 0)
		/* "" names fd itself: not a link is ENOENT there, EINVAL by name */
		return errno == ENOENT && *rq->m->path ? -EINVAL : -errno;
	sh->scratch[n] = 0;
	rq->rep->path = sh->scratch;
	return n;
}

/* readlinkat(dirfd, "") reads the link dirfd itself is (O_PATH|O_NOFOLLOW) */
hc_s64 hostd_readlinkat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	return hostd_on_file(sh, rq, HC_AT_SYMLINK_NOFOLLOW | HC_AT_EMPTY_PATH, do_readlink);
}

static int do_mkdir(int pfd, const char *name, const struct hc_msg *m)
{
	return mkdirat(pfd, name, m->mode & 07777);
}

hc_s64 hostd_mkdirat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	return hostd_on_parent(sh, rq, do_mkdir);
}

static int do_mknod(int pfd, const char *name, const struct hc_msg *m)
{
	return mknodat(pfd, name, m->mode, makedev(m->dev >> 32, m->dev & 0xffffffffu));
}

hc_s64 hostd_mknodat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	int err = hostd_check_mode(sh->cfg, rq->m->mode);

	if (err)
		return err;
	return hostd_on_parent(sh, rq, do_mknod);
}

static int do_unlink(int pfd, const char *name, const struct hc_msg *m)
{
	return unlinkat(pfd, name, m->flags ? AT_REMOVEDIR : 0);
}

hc_s64 hostd_unlinkat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	if (!AT_ALLOWED(rq->m->flags, HC_AT_REMOVEDIR))
		return -EINVAL;
	return hostd_on_parent(sh, rq, do_unlink);
}

hc_s64 hostd_renameat2(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_msg *m = rq->m;
	const char *oldname, *newname;
	int opfd, npfd, r;

	if (!AT_ALLOWED(m->flags, HC_RENAME_NOREPLACE | HC_RENAME_EXCHANGE))
		return -EINVAL;
	opfd = hostd_open_parent(sh, rq, m->fd, m->path, &oldname);
	if (opfd < 0)
		return opfd;
	npfd = hostd_open_parent(sh, rq, m->fd2, m->path2, &newname);
	if (npfd < 0) {
		r = npfd;
		goto out_old;
	}
	/* HC_RENAME_* are the Linux RENAME_* values */
	r = ret_errno(renameat2(opfd, oldname, npfd, newname, m->flags));
	close(npfd);
out_old:
	close(opfd);
	return r;
}

/* path = the new link, path2 = its target (stored as given) */
static int do_symlink(int pfd, const char *name, const struct hc_msg *m)
{
	return symlinkat(m->path2, pfd, name);
}

hc_s64 hostd_symlinkat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	return hostd_on_parent(sh, rq, do_symlink);
}

/*
 * A followed (or AT_EMPTY_PATH) source is linked through its
 * /proc/self/fd/N path, which needs no CAP_DAC_READ_SEARCH and cannot
 * escape --root since the file was resolved already.
 */
hc_s64 hostd_linkat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_msg *m = rq->m;
	const char *oldname, *newname;
	char proc[32];
	int ofd, npfd, r;

	if (!AT_ALLOWED(m->flags, HC_AT_SYMLINK_FOLLOW | HC_AT_EMPTY_PATH))
		return -EINVAL;
	if ((m->flags & HC_AT_EMPTY_PATH && !*m->path) || m->flags & HC_AT_SYMLINK_FOLLOW)
		ofd = hostd_open(sh, rq, m->fd, m->path, m->flags, O_PATH, 0);
	else
		ofd = hostd_open_parent(sh, rq, m->fd, m->path, &oldname);
	if (ofd < 0)
		return ofd;
	npfd = hostd_open_parent(sh, rq, m->fd2, m->path2, &newname);
	if (npfd < 0) {
		r = npfd;
		goto out_old;
	}
	if ((m->flags & HC_AT_EMPTY_PATH && !*m->path) || m->flags & HC_AT_SYMLINK_FOLLOW) {
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
	struct stat st;
	int err;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (rq->m->flags & HC_AT_SYMLINK_NOFOLLOW && S_ISLNK(st.st_mode))
		return -EOPNOTSUPP;	/* Linux has no lchmod */
	if (sh->cfg->root && hostd_is_export_root(sh->cfg, fd))
		return -EPERM;
	err = hostd_check_mode(sh->cfg, (st.st_mode & S_IFMT) | (rq->m->mode & 07777));
	if (err)
		return err;
	return ret_errno(chmod(proc, rq->m->mode & 07777));
}

hc_s64 hostd_fchmodat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	if (!AT_ALLOWED(rq->m->flags, HC_AT_SYMLINK_NOFOLLOW | HC_AT_EMPTY_PATH))
		return -EINVAL;
	return hostd_on_file(sh, rq, rq->m->flags, do_chmod);
}

static hc_s64 do_chown(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
		       const char *proc)
{
	(void)proc;
	if (sh->cfg->root && hostd_is_export_root(sh->cfg, fd))
		return -EPERM;
	/* (u32)-1 is (uid_t)-1: leave unchanged */
	return ret_errno(fchownat(fd, "", rq->m->uid, rq->m->gid, AT_EMPTY_PATH));
}

hc_s64 hostd_fchownat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	if (!AT_ALLOWED(rq->m->flags, HC_AT_SYMLINK_NOFOLLOW | HC_AT_EMPTY_PATH))
		return -EINVAL;
	return hostd_on_file(sh, rq, rq->m->flags, do_chown);
}

static hc_s64 do_truncate(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
			  const char *proc)
{
	(void)sh, (void)fd;
	return ret_errno(truncate(proc, rq->m->len));
}

hc_s64 hostd_truncate(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_msg *m = rq->m;
	int fd;

	if (!AT_ALLOWED(m->flags, HC_AT_EMPTY_PATH) || m->len > INT64_MAX)
		return -EINVAL;
	if (m->flags & HC_AT_EMPTY_PATH && !*m->path) {
		fd = hostd_fd_file(sh, rq, m->fd);
		return fd < 0 ? fd : ret_errno(ftruncate(fd, m->len));
	}
	return hostd_on_file(sh, rq, 0, do_truncate);
}

hc_s64 hostd_fsync(struct hostd_shadow *sh, struct hostd_req *rq)
{
	int fd = hostd_fd_file(sh, rq, rq->m->fd);

	if (fd < 0)
		return fd;
	return ret_errno(rq->m->flags & HC_FSYNC_DATA ? fdatasync(fd) : fsync(fd));
}

static hc_s64 do_utimens(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
			 const char *proc)
{
	const struct hc_msg *m = rq->m;
	/* HC_UTIME_NOW/OMIT are the Linux UTIME_NOW/OMIT */
	struct timespec ts[2] = {
		{ .tv_sec = m->times[0].sec, .tv_nsec = m->times[0].nsec },
		{ .tv_sec = m->times[1].sec, .tv_nsec = m->times[1].nsec },
	};

	(void)sh, (void)proc;
	/* on the O_PATH fd itself: works for a symlink too (NOFOLLOW) */
	return ret_errno(utimensat(fd, "", ts, AT_EMPTY_PATH));
}

hc_s64 hostd_utimensat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	if (!AT_ALLOWED(rq->m->flags, HC_AT_SYMLINK_NOFOLLOW | HC_AT_EMPTY_PATH))
		return -EINVAL;
	return hostd_on_file(sh, rq, rq->m->flags, do_utimens);
}

static hc_s64 do_access(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
			const char *proc)
{
	(void)sh, (void)proc;
	return ret_errno(syscall(SYS_faccessat2, fd, "", (int)rq->m->mode,
				 AT_EMPTY_PATH | (rq->m->flags & HC_AT_EACCESS)));
}

hc_s64 hostd_faccessat(struct hostd_shadow *sh, struct hostd_req *rq)
{
	hc_u32 f = rq->m->flags;

	if (!AT_ALLOWED(f, HC_AT_EACCESS | HC_AT_SYMLINK_NOFOLLOW | HC_AT_EMPTY_PATH))
		return -EINVAL;
	return hostd_on_file(sh, rq, f & ~(hc_u32)HC_AT_EACCESS, do_access);
}

static hc_s64 do_statfs(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
			const char *proc)
{
	struct hc_statfs *o = &rq->rep->sfs;
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

hc_s64 hostd_statfs(struct hostd_shadow *sh, struct hostd_req *rq)
{
	if (!AT_ALLOWED(rq->m->flags, HC_AT_EMPTY_PATH))
		return -EINVAL;
	return hostd_on_file(sh, rq, rq->m->flags, do_statfs);
}

hc_s64 hostd_fallocate(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_msg *m = rq->m;
	int fd = hostd_fd_file(sh, rq, m->fd);

	if (fd < 0)
		return fd;
	if (m->len > INT64_MAX)
		return -EINVAL;
	return ret_errno(fallocate(fd, (int)m->mode, m->off, m->len));
}

hc_s64 hostd_flock(struct hostd_shadow *sh, struct hostd_req *rq)
{
	int fd = hostd_fd_file(sh, rq, rq->m->fd);

	if (fd < 0)
		return fd;
	/* HC_LOCK_* are the Linux LOCK_* values */
	return ret_errno(flock(fd, (int)rq->m->arg));
}

/*
 * Record locks are taken as open file description (OFD) locks: a POSIX lock
 * would belong to the shadow process and vanish as soon as it closes any fd
 * of the file (it closes a passed fd right after the op), while an OFD lock
 * belongs to the client's open file and lives exactly as long as it. They
 * are real host locks and conflict with POSIX locks of other processes.
 */
hc_s64 hostd_lock(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_msg *m = rq->m;
	struct hc_lock *o = &rq->rep->lk;
	struct flock fl = {
		.l_type = (short)m->lk.type, .l_whence = (short)m->lk.whence,
		.l_start = m->lk.start, .l_len = m->lk.len,
	};
	int fd, cmd;

	switch (m->arg) {
	case HC_F_GETLK:	cmd = F_OFD_GETLK; break;
	case HC_F_SETLK:	cmd = F_OFD_SETLK; break;
	case HC_F_SETLKW:	cmd = F_OFD_SETLKW; break;
	default:		return -EINVAL;
	}
	if (m->lk.type > HC_F_UNLCK || m->lk.whence > HC_SEEK_END)
		return -EINVAL;
	fd = hostd_fd_file(sh, rq, m->fd);
	if (fd < 0)
		return fd;
	if (fcntl(fd, cmd, &fl) < 0)
		return -errno;
	o->type = fl.l_type;
	o->whence = fl.l_whence;
	o->start = fl.l_start;
	o->len = fl.l_len;
	o->pid = fl.l_pid;
	return 0;
}

/*
 * The working directory is a directory reference (an O_PATH fd), so it
 * follows renames; a real fchdir checks search permission as the shadow.
 */
hc_s64 hostd_chdir(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_msg *m = rq->m;
	int fd;

	if (!AT_ALLOWED(m->flags, HC_AT_EMPTY_PATH))
		return -EINVAL;
	fd = hostd_open(sh, rq, m->fd, m->path, m->flags, O_PATH | O_DIRECTORY, 0);
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

hc_s64 hostd_getcwd(struct hostd_shadow *sh, struct hostd_req *rq)
{
	int r = hostd_cwd_hostpath(sh, sh->scratch, HC_PATH_MAX + 1);

	if (r < 0)
		return r;
	rq->rep->path = sh->scratch;
	return r;
}

static hc_s64 do_realpath(struct hostd_shadow *sh, struct hostd_req *rq, int fd,
			  const char *proc)
{
	int r = hostd_fd_hostpath(sh, fd, sh->scratch, HC_PATH_MAX + 1);

	(void)proc;
	if (r >= 0)
		rq->rep->path = sh->scratch;
	return r;
}

hc_s64 hostd_realpath(struct hostd_shadow *sh, struct hostd_req *rq)
{
	return hostd_on_file(sh, rq, 0, do_realpath);
}
