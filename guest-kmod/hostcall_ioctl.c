// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ioctls of /dev/hostcall (proto/hostcall_dev.h): HOSTCALL_IOC_CALL
 * carries one checked hostcall for the caller's subject, HOSTCALL_IOC_INFO
 * tells what the handshake gave, HOSTCALL_IOC_OPEN opens host files as
 * hostfs files of an internal mount, HOSTCALL_IOC_SPAWN gives a host
 * process's streams as stream files.
 */
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "hostcall.h"
#include "../proto/hostcall_dev.h"

/* The least room a SPAWN reply may be given: a header and four handles. */
#define HOSTCALL_SPAWN_REP_MIN		128

/*
 * The request @c names: copied into req->buf, decoded into req->m and
 * checked before it goes to the host.
 */
static int hostcall_user_request(struct hostcall_req *req,
				 const struct hostcall_call *c)
{
	struct hc_msg *m = &req->m;
	int err, opf;

	if (c->flags & ~HOSTCALL_CALL_ASYNC || c->req_len < HC_HDR_SIZE ||
	    c->req_len > HC_MSG_MAX)
		return -EINVAL;
	/* room for any reply, so that one too large for the caller is
	 * EMSGSIZE, after the call, not EPROTO
	 */
	err = hostcall_req_room(req, HC_MSG_MAX);
	if (err)
		return err;
	if (copy_from_user(req->buf, u64_to_user_ptr(c->req), c->req_len))
		return -EFAULT;
	if (hc_decode(m, req->buf, c->req_len))
		return -EINVAL;
	if (m->hflags & (HC_HF_REPLY | HC_HF_NFDS_MASK) || m->result)
		return -EINVAL;
	/*
	 * the module makes and ends subjects itself (open, fork, close), and
	 * cancels the requests of callers that go away
	 */
	opf = hc_op_flags(m->op);
	if (opf < 0 || opf & HC_OPF_SUBJECT || m->op == HC_OP_CANCEL)
		return -EINVAL;
	return 0;
}

void hostcall_user_retag(struct hostcall_req *req, u32 id)
{
	req->user_tag = req->m.tag;
	req->m.tag = hostcall_new_tag();
	req->m.subject = id;
	hc_hdr_set_subject(req->buf, id);
	hc_hdr_set_tag(req->buf, req->m.tag);
}

/*
 * Send the request of hostcall_user_request() (@len bytes) for subject @id.
 * The reply replaces it in req->buf and is checked into req->r.
 * Returns: the reply's length, or -errno.
 */
static int hostcall_user_submit(struct hostcall_devfile *f, u32 id,
				struct hostcall_req *req, size_t len)
{
	int ret;

	/* tags are the module's: unique among all it has in flight */
	hostcall_user_retag(req, id);
	/* a signal interrupts a request in flight, as it would a syscall */
	ret = hostcall_submit(f->tp, id, req->buf, len, req->buf, req->cap,
			      HOSTCALL_SUBMIT_INTR);
	if (ret < 0)
		return ret;
	len = ret;
	ret = hostcall_check_reply(&req->r, req->buf, len, req->m.op,
				   req->m.tag);
	hc_hdr_set_tag(req->buf, req->user_tag);
	return ret ? ret : len;
}

static long hostcall_ioc_call(struct file *file, struct hostcall_devfile *f,
			      struct hostcall_call __user *uc)
{
	struct hostcall_req *req;
	struct hostcall_call c;
	int len, err, i;
	u32 id;

	if (copy_from_user(&c, uc, sizeof(c)))
		return -EFAULT;
	req = hostcall_req_alloc(0);
	err = hostcall_user_request(req, &c);
	if (err)
		goto out_free;
	if (c.flags & HOSTCALL_CALL_ASYNC)
		return hostcall_acall_new(file, f, req, c.req_len);
	i = hostcall_subject_get(&f->subjects, &id);
	if (i < 0) {
		err = i;
		goto out_free;
	}
	len = hostcall_user_submit(f, id, req, c.req_len);
	hostcall_subject_put(&f->subjects, i);
	if (len < 0) {
		err = len;
		goto out_free;
	}
	if (len > c.rep_cap) {
		err = -EMSGSIZE;
		goto out_free;
	}
	if (copy_to_user(u64_to_user_ptr(c.rep), req->buf, len) ||
	    put_user(len, &uc->rep_len))
		err = -EFAULT;
out_free:
	hostcall_req_free(req);
	return err;
}

/*
 * A call the module makes itself on the caller's subject.
 * Returns: 0 (the reply in req->r), or -errno, the host's error included.
 */
static int hostcall_dev_call(struct hostcall_devfile *f,
			     struct hostcall_req *req)
{
	s64 ret;
	u32 id;
	int i;

	i = hostcall_subject_get(&f->subjects, &id);
	if (i < 0)
		return i;
	ret = hostcall_req_call(f->tp, id, req);
	hostcall_subject_put(&f->subjects, i);
	if (!ret)
		ret = hostcall_result(&req->r);
	return ret < 0 ? ret : 0;
}

/*
 * The absolute host path of @rel for the caller: relative to its host
 * working directory (@dirfd HC_AT_FDCWD) or to its directory handle @dirfd.
 * Returns: a kmalloc()ed path, or an ERR_PTR.
 */
static char *hostcall_dev_abspath(struct hostcall_devfile *f, s32 dirfd,
				  const char *rel)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_GETCWD);
	const char *cwd;
	char *full;
	int err;

	if (dirfd != HC_AT_FDCWD) {
		hostcall_req_reset(req, HC_OP_REALPATH);
		req->m.req.realpath.dirfd = dirfd;
		req->m.req.realpath.path = ".";
	}
	req->rep_room = HC_PATH_MAX + 1;
	err = hostcall_dev_call(f, req);
	/* GETCWD's and REALPATH's replies are the same: a path */
	cwd = req->m.op == HC_OP_GETCWD ? req->r.rep.getcwd.path :
		req->r.rep.realpath.path;
	if (!err && (!cwd || cwd[0] != '/'))
		err = -EPROTO;
	if (err)
		full = ERR_PTR(err);
	else
		full = kasprintf(GFP_KERNEL, "%s/%s", cwd, rel);
	hostcall_req_free(req);
	if (!full)
		return ERR_PTR(-ENOMEM);
	if (!IS_ERR(full) && strlen(full) > HC_PATH_MAX) {
		kfree(full);
		return ERR_PTR(-ENAMETOOLONG);
	}
	return full;
}

/* The internal hostfs mount, made at the first use. */
static struct vfsmount *hostcall_dev_mnt(struct hostcall_devfile *f)
{
	struct vfsmount *mnt;

	if (mutex_lock_killable(&f->mnt_lock))
		return ERR_PTR(-EINTR);
	mnt = f->mnt;
	if (!mnt) {
		mnt = hcfs_kern_mount();
		if (!IS_ERR(mnt))
			f->mnt = mnt;
	}
	mutex_unlock(&f->mnt_lock);
	return mnt;
}

/*
 * The walk runs in the guest VFS from the internal mount's root, which is
 * the lookup root too: ".." and absolute symlink targets (symlinks=raw)
 * stay in the host's tree (its --root), as on the host.
 */
static long hostcall_ioc_open(struct hostcall_devfile *f,
			      struct hostcall_open __user *uo)
{
	struct hostcall_open o;
	struct vfsmount *mnt;
	struct file *file;
	struct path root;
	char *path, *full = NULL;
	int fd, flags;

	if (copy_from_user(&o, uo, sizeof(o)))
		return -EFAULT;
	if (o.pad)
		return -EINVAL;
	path = strndup_user(u64_to_user_ptr(o.path), HC_PATH_MAX + 1);
	if (IS_ERR(path))
		return PTR_ERR(path) == -EINVAL ? -ENAMETOOLONG : PTR_ERR(path);
	if (!*path) {
		fd = -ENOENT;
		goto out_free;
	}
	if (path[0] != '/') {
		full = hostcall_dev_abspath(f, o.dirfd, path);
		if (IS_ERR(full)) {
			fd = PTR_ERR(full);
			full = NULL;
			goto out_free;
		}
	}
	mnt = hostcall_dev_mnt(f);
	if (IS_ERR(mnt)) {
		fd = PTR_ERR(mnt);
		goto out_free;
	}
	flags = o.flags;
	if (force_o_largefile())
		flags |= O_LARGEFILE;
	fd = get_unused_fd_flags(flags);
	if (fd < 0)
		goto out_free;
	root.mnt = mnt;
	root.dentry = mnt->mnt_root;
	file = file_open_root(&root, full ? full : path, flags, o.mode);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		fd = PTR_ERR(file);
		goto out_free;
	}
	fd_install(fd, file);
out_free:
	kfree(full);
	kfree(path);
	return fd;
}

/* Close @n handles of subject @id but @keep (-1: all). */
static void hostcall_dev_close_handles(struct hostcall_transport *tp, u32 id,
				       const u32 *h, int n, int keep)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_CLOSE);
	int i;

	for (i = 0; i < n; i++) {
		if (i == keep)
			continue;
		hostcall_req_reset(req, HC_OP_CLOSE);
		req->m.req.close.fd = h[i];
		hostcall_req_call(tp, id, req);
	}
	hostcall_req_free(req);
}

/* A host process whose streams could not be given: kill and reap it. */
static void hostcall_dev_spawn_undo(struct hostcall_transport *tp, u32 id,
				    u32 pid)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_KILL);

	req->m.req.kill.pid = pid;
	req->m.req.kill.sig = SIGKILL;
	hostcall_req_call(tp, id, req);
	hostcall_req_reset(req, HC_OP_WAIT);
	req->m.req.wait.pid = pid;
	hostcall_req_call(tp, id, req);
	hostcall_req_free(req);
}

/*
 * Stream files for the @n handles of subject @id: each gets a subject
 * forked from @id that keeps only its own handle; @id keeps none.
 */
static int hostcall_dev_streams(struct hostcall_devfile *f, u32 id,
				const u32 *h, const int *mode, int n,
				struct file **files)
{
	int i, sid, err = 0;

	for (i = 0; i < n && !err; i++) {
		sid = hostcall_fork_subject(f->tp, id);
		if (sid < 0) {
			err = sid;
			break;
		}
		hostcall_dev_close_handles(f->tp, sid, h, n, i);
		files[i] = hostcall_stream_new(f->tp, sid, h[i], mode[i]);
		if (IS_ERR(files[i])) {
			err = PTR_ERR(files[i]);
			files[i] = NULL;
		}
	}
	hostcall_dev_close_handles(f->tp, id, h, n, -1);
	return err;
}

/* The open mode of each stream the reply lists, from the stdio modes. */
static int hostcall_dev_stream_modes(const struct hc_req_spawn *sp, int *mode)
{
	const u32 io[3] = { sp->stdin_mode, sp->stdout_mode, sp->stderr_mode };
	int i, n = 0, pty = 0;

	for (i = 0; i < 3; i++) {
		if (io[i] == HC_STDIO_PIPE)
			mode[n++] = i ? O_RDONLY : O_WRONLY;
		pty |= io[i] == HC_STDIO_PTY;
	}
	if (pty)
		mode[n++] = O_RDWR;
	return n;
}

static long hostcall_ioc_spawn(struct hostcall_devfile *f,
			       struct hostcall_spawn __user *us)
{
	struct file *files[HOSTCALL_SPAWN_FDS] = {};
	int fds[HOSTCALL_SPAWN_FDS], mode[HOSTCALL_SPAWN_FDS];
	struct hostcall_spawn s;
	struct hostcall_req *req;
	int len, err, si, i, n = 0, want;
	u32 id, pid = 0;

	if (copy_from_user(&s, us, sizeof(s)))
		return -EFAULT;
	if (s.flags || s.call.rep_cap < HOSTCALL_SPAWN_REP_MIN)
		return -EINVAL;
	req = hostcall_req_alloc(0);
	err = hostcall_user_request(req, &s.call);
	/* the streams must stay on the host as handles, for stream files */
	if (!err && (req->m.op != HC_OP_SPAWN ||
		     !(req->m.req.spawn.flags & HC_SPAWN_KEEP)))
		err = -EINVAL;
	if (err)
		goto out_free;
	want = hostcall_dev_stream_modes(&req->m.req.spawn, mode);
	/* the subject stays ours (busy) until its handles are given away */
	si = hostcall_subject_get(&f->subjects, &id);
	if (si < 0) {
		err = si;
		goto out_free;
	}
	len = hostcall_user_submit(f, id, req, s.call.req_len);
	err = len < 0 ? len : 0;
	if (err || req->r.result < 0)
		goto out_put;
	pid = req->r.result;
	n = req->r.rep.spawn.handles.n;
	if (n != want || len > s.call.rep_cap) {
		/* not what was asked: leave the handles to the subject's end */
		err = -EPROTO;
		n = 0;
		goto out_undo;
	}
	err = hostcall_dev_streams(f, id, req->r.rep.spawn.handles.v, mode,
				   n, files);
	if (err)
		goto out_undo;
	for (i = 0; i < HOSTCALL_SPAWN_FDS; i++)
		fds[i] = -1;
	for (i = 0; i < n; i++) {
		fds[i] = get_unused_fd_flags(O_CLOEXEC);
		if (fds[i] < 0) {
			err = fds[i];
			goto out_fds;
		}
	}
	if (copy_to_user(u64_to_user_ptr(s.call.rep), req->buf, len) ||
	    put_user(len, &us->call.rep_len) ||
	    copy_to_user(us->fds, fds, sizeof(fds)) ||
	    put_user(n, &us->nfds)) {
		err = -EFAULT;
		goto out_fds;
	}
	for (i = 0; i < n; i++)
		fd_install(fds[i], files[i]);
	hostcall_subject_put(&f->subjects, si);
	hostcall_req_free(req);
	return 0;

out_fds:
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			put_unused_fd(fds[i]);
out_undo:
	for (i = 0; i < n; i++)
		if (files[i])
			fput(files[i]);
	hostcall_dev_spawn_undo(f->tp, id, pid);
	hostcall_subject_put(&f->subjects, si);
	goto out_free;
out_put:
	hostcall_subject_put(&f->subjects, si);
	if (err)
		goto out_free;
	/* the host's error: in the reply, as for HOSTCALL_IOC_CALL */
	if (len > s.call.rep_cap)
		err = -EMSGSIZE;
	else if (copy_to_user(u64_to_user_ptr(s.call.rep), req->buf, len) ||
		 put_user(len, &us->call.rep_len) || put_user(0, &us->nfds))
		err = -EFAULT;
out_free:
	hostcall_req_free(req);
	return err;
}

static long hostcall_ioc_info(struct hostcall_devfile *f,
			      struct hostcall_info __user *ui)
{
	struct hostcall_info info = {
		.version = f->session.version,
		.msg_max = f->session.msg_max,
		.caps = f->session.caps,
	};
	int i;

	i = hostcall_subject_get(&f->subjects, &info.subject);
	if (i < 0)
		return i;
	hostcall_subject_put(&f->subjects, i);
	strscpy(info.transport, f->tp->ops->name, sizeof(info.transport));
	return copy_to_user(ui, &info, sizeof(info)) ? -EFAULT : 0;
}

long hostcall_dev_ioctl(struct file *file, unsigned int cmd,
			unsigned long arg)
{
	struct hostcall_devfile *f = file->private_data;
	void __user *p = (void __user *)arg;

	switch (cmd) {
	case HOSTCALL_IOC_CALL:
		return hostcall_ioc_call(file, f, p);
	case HOSTCALL_IOC_INFO:
		return hostcall_ioc_info(f, p);
	case HOSTCALL_IOC_OPEN:
		return hostcall_ioc_open(f, p);
	case HOSTCALL_IOC_SPAWN:
		return hostcall_ioc_spawn(f, p);
	default:
		return -ENOTTY;
	}
}
