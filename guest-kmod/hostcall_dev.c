// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/hostcall: each open is a subject (HELLO at open), each process that
 * uses the file later (a forked child) gets a subject forked from its
 * parent's, and HOSTCALL_IOC_CALL carries one checked hostcall for the
 * caller's subject. HOSTCALL_IOC_OPEN opens host files as hostfs files of an
 * internal mount, HOSTCALL_IOC_SPAWN gives a host process's streams as
 * stream files. The last close ends them all (BYE).
 */
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "hostcall.h"
#include "../proto/hostcall_dev.h"

/* Byte offset of the subject in an encoded header (hostcall_proto.h). */
#define HOSTCALL_HDR_SUBJECT_OFF	12

/* Processes that may share one open of /dev/hostcall, each with a subject. */
#define HOSTCALL_DEV_PROCS_MAX	64
/* How far up the process tree a new process looks for its parent's subject. */
#define HOSTCALL_DEV_ANCESTORS_MAX	32

/**
 * struct hostcall_proc_subject - the subject of one process using the file.
 * @pid: the process (its thread group's struct pid, a reference), NULL if
 *	the entry is free; compared as a pointer, so a reused pid number is a
 *	different process
 * @id: the host's subject id
 * @busy: calls in progress; an entry is dropped only when zero
 */
struct hostcall_proc_subject {
	struct pid *pid;
	u32 id;
	unsigned int busy;
};

/**
 * struct hostcall_devfile - one open of /dev/hostcall.
 * @tp: the transport it was opened on (a reference)
 * @version: the protocol version in use
 * @lock: protects @procs
 * @fork_lock: serialises new processes' FORK_SUBJECTs, so that two threads
 *	of a new process make one subject, and the entries that may be taken
 * @procs: [0] is the opener's subject, kept until release; the others are
 *	processes that inherited the file (fork), added at their first call
 * @mnt_lock: serialises making @mnt
 * @mnt: the internal hostfs mount of HOSTCALL_IOC_OPEN, NULL until needed;
 *	the files opened on it hold it beyond the last close of this file
 */
struct hostcall_devfile {
	struct hostcall_transport *tp;
	u32 version;
	spinlock_t lock;
	struct mutex fork_lock;
	struct hostcall_proc_subject procs[HOSTCALL_DEV_PROCS_MAX];
	struct mutex mnt_lock;
	struct vfsmount *mnt;
};

static int hostcall_hello(struct hostcall_devfile *f, u32 *id)
{
	struct hc_msg m = {
		.op = HC_OP_HELLO,
		.arg = HC_PROTO_VERSION,
		.flags = HC_HELLO_KEEP_HANDLES,
	};
	struct hc_msg r;
	void *buf;
	int err;

	buf = kvmalloc(HC_MSG_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	err = hostcall_call(f->tp, 0, &m, &r, buf, HC_MSG_MAX);
	if (err)
		goto out_free;
	if (r.result < 0) {
		err = r.result < -MAX_ERRNO ? -EPROTO : (int)r.result;
		goto out_free;
	}
	if (!r.result || r.result > U32_MAX || !r.arg ||
	    r.arg > HC_PROTO_VERSION) {
		err = -EPROTO;
		goto out_free;
	}
	/* Handles for every open file came with version 2 (the protocol). */
	if (r.arg < 2) {
		hostcall_post_bye(f->tp, r.result);
		err = -EPROTONOSUPPORT;
		goto out_free;
	}
	*id = r.result;
	f->version = r.arg;
out_free:
	kvfree(buf);
	return err;
}

/* Called with f->lock held. Returns: the index of @pid's entry, or -1. */
static int hostcall_proc_find(struct hostcall_devfile *f, struct pid *pid)
{
	int i;

	for (i = 0; i < HOSTCALL_DEV_PROCS_MAX; i++)
		if (f->procs[i].pid == pid)
			return i;
	return -1;
}

/*
 * The subject of the nearest ancestor of the current process that has one,
 * else the opener's; marked busy so that it stays while it is forked.
 */
static int hostcall_proc_parent(struct hostcall_devfile *f)
{
	struct task_struct *t = current;
	int depth, i = -1;

	rcu_read_lock();
	spin_lock(&f->lock);
	for (depth = 0; depth < HOSTCALL_DEV_ANCESTORS_MAX && i < 0; depth++) {
		struct task_struct *p = rcu_dereference(t->real_parent);

		if (!p || p == t || is_global_init(p))
			break;
		t = p;
		i = hostcall_proc_find(f, task_tgid(t));
	}
	if (i < 0)
		i = 0;
	f->procs[i].busy++;
	spin_unlock(&f->lock);
	rcu_read_unlock();
	return i;
}

/*
 * Drop the entries of processes that are gone (reaped) and not in a call;
 * their subjects' ids go to @ids for BYE. Called with f->fork_lock held.
 * Returns: how many.
 */
static int hostcall_proc_reap(struct hostcall_devfile *f, u32 *ids)
{
	struct pid *gone[HOSTCALL_DEV_PROCS_MAX];
	int i, n = 0;

	spin_lock(&f->lock);
	for (i = 1; i < HOSTCALL_DEV_PROCS_MAX; i++) {
		struct hostcall_proc_subject *e = &f->procs[i];

		if (!e->pid || e->busy || pid_has_task(e->pid, PIDTYPE_TGID))
			continue;
		gone[n] = e->pid;
		ids[n++] = e->id;
		e->pid = NULL;
	}
	spin_unlock(&f->lock);
	for (i = 0; i < n; i++)
		put_pid(gone[i]);
	return n;
}

/*
 * A process without a subject makes its first call: it inherited the file
 * (fork) or received it. Its subject is a fork of its parent's, made now.
 * Returns: the new entry's index (busy), or -errno.
 */
static int hostcall_proc_new(struct hostcall_devfile *f, struct pid *me)
{
	u32 gone[HOSTCALL_DEV_PROCS_MAX];
	int i, n, parent, id, free = -1;

	if (mutex_lock_killable(&f->fork_lock))
		return -EINTR;
	spin_lock(&f->lock);
	i = hostcall_proc_find(f, me);	/* another thread of ours was first */
	if (i >= 0)
		f->procs[i].busy++;
	spin_unlock(&f->lock);
	if (i >= 0)
		goto out_unlock;

	n = hostcall_proc_reap(f, gone);
	spin_lock(&f->lock);
	for (i = 1; i < HOSTCALL_DEV_PROCS_MAX && free < 0; i++)
		if (!f->procs[i].pid)
			free = i;
	spin_unlock(&f->lock);
	if (free < 0) {
		i = -EMFILE;	/* too many live processes share the file */
		goto out_bye;
	}

	parent = hostcall_proc_parent(f);
	id = hostcall_fork_subject(f->tp, f->procs[parent].id);
	spin_lock(&f->lock);
	f->procs[parent].busy--;
	if (id > 0) {
		/* entries are taken only under fork_lock: @free is still free */
		f->procs[free].pid = get_pid(me);
		f->procs[free].id = id;
		f->procs[free].busy = 1;
	}
	spin_unlock(&f->lock);
	i = id > 0 ? free : id;
out_bye:
	while (n-- > 0)
		hostcall_post_bye(f->tp, gone[n]);
out_unlock:
	mutex_unlock(&f->fork_lock);
	return i;
}

/*
 * The calling process's subject for a call: *@id, and the entry index to
 * give back with hostcall_proc_put(). Returns: the index, or -errno.
 */
static int hostcall_proc_get(struct hostcall_devfile *f, u32 *id)
{
	struct pid *me = task_tgid(current);
	int i;

	spin_lock(&f->lock);
	i = hostcall_proc_find(f, me);
	if (i >= 0)
		f->procs[i].busy++;
	spin_unlock(&f->lock);
	if (i < 0)
		i = hostcall_proc_new(f, me);
	if (i >= 0)
		*id = f->procs[i].id;	/* fixed while busy */
	return i;
}

static void hostcall_proc_put(struct hostcall_devfile *f, int i)
{
	spin_lock(&f->lock);
	f->procs[i].busy--;
	spin_unlock(&f->lock);
}

static int hostcall_dev_open(struct inode *inode, struct file *file)
{
	struct hostcall_devfile *f;
	int err;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	spin_lock_init(&f->lock);
	mutex_init(&f->fork_lock);
	mutex_init(&f->mnt_lock);
	f->tp = hostcall_transport_get();
	if (!f->tp) {
		err = -ENODEV;
		goto err_free;
	}
	err = hostcall_hello(f, &f->procs[0].id);
	if (err)
		goto err_put;
	f->procs[0].pid = get_pid(task_tgid(current));
	file->private_data = f;
	return 0;

err_put:
	hostcall_transport_put(f->tp);
err_free:
	kfree(f);
	return err;
}

/*
 * The last close: every subject of the file ends. Nobody can be in a call
 * (each holds the file), and nobody needs to wait for the BYEs.
 */
static int hostcall_dev_release(struct inode *inode, struct file *file)
{
	struct hostcall_devfile *f = file->private_data;
	int i;

	for (i = 0; i < HOSTCALL_DEV_PROCS_MAX; i++) {
		if (!f->procs[i].pid)
			continue;
		hostcall_post_bye(f->tp, f->procs[i].id);
		put_pid(f->procs[i].pid);
	}
	if (f->mnt)
		mntput(f->mnt);
	hostcall_transport_put(f->tp);
	kfree(f);
	return 0;
}

/* Check a request from user space before it goes to the host. */
static int hostcall_check_request(struct hc_msg *m, const void *buf, size_t len)
{
	if (hc_decode(m, buf, len))
		return -EINVAL;
	if (m->hflags & (HC_HF_REPLY | HC_HF_NFDS_MASK) || m->result)
		return -EINVAL;
	/* the module makes and ends subjects itself (open, fork, close) */
	if (m->op == HC_OP_HELLO || m->op == HC_OP_FORK_SUBJECT ||
	    m->op == HC_OP_BYE)
		return -EINVAL;
	return 0;
}

static long hostcall_ioc_call(struct hostcall_devfile *f, struct hostcall_call __user *uc)
{
	struct hostcall_call c;
	struct hc_msg m, r;
	u16 op;
	u32 tag, id;
	void *buf;
	int len, err, pi;

	if (copy_from_user(&c, uc, sizeof(c)))
		return -EFAULT;
	if (c.flags || c.req_len < HC_HDR_SIZE || c.req_len > HC_MSG_MAX)
		return -EINVAL;
	buf = kvmalloc(HC_MSG_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (copy_from_user(buf, u64_to_user_ptr(c.req), c.req_len)) {
		err = -EFAULT;
		goto out_free;
	}
	err = hostcall_check_request(&m, buf, c.req_len);
	if (err)
		goto out_free;
	op = m.op;
	tag = m.tag;
	pi = hostcall_proc_get(f, &id);
	if (pi < 0) {
		err = pi;
		goto out_free;
	}
	/* @buf is kvmalloc()ed, so the header's u32 fields are aligned. */
	*(__le32 *)(buf + HOSTCALL_HDR_SUBJECT_OFF) = cpu_to_le32(id);

	len = hostcall_submit(f->tp, id, buf, c.req_len, buf, HC_MSG_MAX);
	hostcall_proc_put(f, pi);
	if (len < 0) {
		err = len;
		goto out_free;
	}
	err = hostcall_check_reply(&r, buf, len, op, tag);
	if (err)
		goto out_free;
	if (len > c.rep_cap) {
		err = -EMSGSIZE;
		goto out_free;
	}
	if (copy_to_user(u64_to_user_ptr(c.rep), buf, len) ||
	    put_user(len, &uc->rep_len))
		err = -EFAULT;
out_free:
	kvfree(buf);
	return err;
}

/* A hostcall's result as 0 or -errno. */
static int hostcall_dev_result(const struct hc_msg *r)
{
	if (r->result < -MAX_ERRNO)
		return -EPROTO;
	return r->result < 0 ? (int)r->result : 0;
}

/* A call the module makes itself on the caller's subject. */
static int hostcall_dev_call(struct hostcall_devfile *f, const struct hc_msg *m,
			     struct hc_msg *r, void *buf, size_t cap)
{
	u32 id;
	int pi, err;

	pi = hostcall_proc_get(f, &id);
	if (pi < 0)
		return pi;
	err = hostcall_call(f->tp, id, m, r, buf, cap);
	hostcall_proc_put(f, pi);
	return err ? err : hostcall_dev_result(r);
}

/* Message room for a call carrying and returning one path. */
#define HOSTCALL_DEV_PATH_MSG	(2 * (HC_PATH_MAX + 1) + 1024)

/*
 * The absolute host path of @rel for the caller: relative to its host
 * working directory (@dirfd HC_AT_FDCWD) or to its directory handle @dirfd.
 * Returns: a kmalloc()ed path, or an ERR_PTR.
 */
static char *hostcall_dev_abspath(struct hostcall_devfile *f, s32 dirfd, const char *rel)
{
	struct hc_msg m = { .op = HC_OP_GETCWD }, r;
	char *full;
	void *buf;
	int err;

	if (dirfd != HC_AT_FDCWD) {
		m.op = HC_OP_REALPATH;
		m.fd = dirfd;
		m.path = ".";
	}
	buf = kvmalloc(HOSTCALL_DEV_PATH_MSG, GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	err = hostcall_dev_call(f, &m, &r, buf, HOSTCALL_DEV_PATH_MSG);
	if (!err && (!r.path || r.path[0] != '/'))
		err = -EPROTO;
	full = err ? ERR_PTR(err) : kasprintf(GFP_KERNEL, "%s/%s", r.path, rel);
	kvfree(buf);
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
static long hostcall_ioc_open(struct hostcall_devfile *f, struct hostcall_open __user *uo)
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
	struct hc_msg m = { .op = HC_OP_CLOSE }, r;
	u8 buf[128];
	int i;

	for (i = 0; i < n; i++) {
		if (i == keep)
			continue;
		m.fd = h[i];
		hostcall_call(tp, id, &m, &r, buf, sizeof(buf));
	}
}

/* A host process whose streams could not be given: kill and reap it. */
static void hostcall_dev_spawn_undo(struct hostcall_transport *tp, u32 id, u32 pid)
{
	struct hc_msg m = { .op = HC_OP_KILL, .arg = pid, .arg2 = SIGKILL }, r;
	u8 buf[128];

	hostcall_call(tp, id, &m, &r, buf, sizeof(buf));
	m.op = HC_OP_WAIT;
	m.arg2 = 0;
	m.flags = 0;
	hostcall_call(tp, id, &m, &r, buf, sizeof(buf));
}

/*
 * Stream files for the @n handles of subject @id: each gets a subject
 * forked from @id that keeps only its own handle; @id keeps none.
 */
static int hostcall_dev_streams(struct hostcall_devfile *f, u32 id, const u32 *h,
				const int *mode, int n, struct file **files)
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
static int hostcall_dev_stream_modes(u32 stdio, int *mode)
{
	int i, n = 0, pty = 0;

	for (i = 0; i < 3; i++) {
		u32 io = (stdio >> (8 * i)) & 0xff;

		if (io == HC_STDIO_PIPE)
			mode[n++] = i ? O_RDONLY : O_WRONLY;
		pty |= io == HC_STDIO_PTY;
	}
	if (pty)
		mode[n++] = O_RDWR;
	return n;
}

static long hostcall_ioc_spawn(struct hostcall_devfile *f, struct hostcall_spawn __user *us)
{
	struct file *files[HOSTCALL_SPAWN_FDS] = {};
	int fds[HOSTCALL_SPAWN_FDS], mode[HOSTCALL_SPAWN_FDS];
	u32 h[HOSTCALL_SPAWN_FDS];
	struct hostcall_spawn s;
	struct hc_msg m, r;
	int len, err, pi, i, n = 0, want;
	u32 tag, id, pid = 0;
	void *buf;

	if (copy_from_user(&s, us, sizeof(s)))
		return -EFAULT;
	if (s.flags || s.call.flags || s.call.req_len < HC_HDR_SIZE ||
	    s.call.req_len > HC_MSG_MAX || s.call.rep_cap < 128)
		return -EINVAL;
	buf = kvmalloc(HC_MSG_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (copy_from_user(buf, u64_to_user_ptr(s.call.req), s.call.req_len)) {
		err = -EFAULT;
		goto out_free;
	}
	err = hostcall_check_request(&m, buf, s.call.req_len);
	if (!err && m.op != HC_OP_SPAWN_KEEP)
		err = -EINVAL;
	if (err)
		goto out_free;
	tag = m.tag;
	want = hostcall_dev_stream_modes(m.arg, mode);
	/* the subject stays ours (busy) until its handles are given away */
	pi = hostcall_proc_get(f, &id);
	if (pi < 0) {
		err = pi;
		goto out_free;
	}
	*(__le32 *)(buf + HOSTCALL_HDR_SUBJECT_OFF) = cpu_to_le32(id);
	len = hostcall_submit(f->tp, id, buf, s.call.req_len, buf, HC_MSG_MAX);
	err = len < 0 ? len : hostcall_check_reply(&r, buf, len, HC_OP_SPAWN_KEEP, tag);
	if (err || r.result < 0)
		goto out_put;
	pid = r.result;
	n = r.datalen / 4;
	if (r.datalen != 4 * want || len > s.call.rep_cap) {
		/* not what was asked: leave the handles to the subject's end */
		err = -EPROTO;
		n = 0;
		goto out_undo;
	}
	for (i = 0; i < n; i++) {
		const u8 *p = (const u8 *)r.data + 4 * i;

		h[i] = p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
	}
	err = hostcall_dev_streams(f, id, h, mode, n, files);
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
	if (copy_to_user(u64_to_user_ptr(s.call.rep), buf, len) ||
	    put_user(len, &us->call.rep_len) ||
	    copy_to_user(us->fds, fds, sizeof(fds)) ||
	    put_user(n, &us->nfds)) {
		err = -EFAULT;
		goto out_fds;
	}
	for (i = 0; i < n; i++)
		fd_install(fds[i], files[i]);
	hostcall_proc_put(f, pi);
	kvfree(buf);
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
	hostcall_proc_put(f, pi);
	goto out_free;
out_put:
	hostcall_proc_put(f, pi);
	if (err)
		goto out_free;
	/* the host's error: in the reply, as for HOSTCALL_IOC_CALL */
	if (len > s.call.rep_cap)
		err = -EMSGSIZE;
	else if (copy_to_user(u64_to_user_ptr(s.call.rep), buf, len) ||
		 put_user(len, &us->call.rep_len) || put_user(0, &us->nfds))
		err = -EFAULT;
out_free:
	kvfree(buf);
	return err;
}

static long hostcall_ioc_info(struct hostcall_devfile *f, struct hostcall_info __user *ui)
{
	struct hostcall_info info = {
		.version = f->version,
		.msg_max = f->tp->msg_max,
	};
	int pi;

	pi = hostcall_proc_get(f, &info.subject);
	if (pi < 0)
		return pi;
	hostcall_proc_put(f, pi);
	strscpy(info.transport, f->tp->ops->name, sizeof(info.transport));
	return copy_to_user(ui, &info, sizeof(info)) ? -EFAULT : 0;
}

static long hostcall_dev_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	struct hostcall_devfile *f = file->private_data;

	switch (cmd) {
	case HOSTCALL_IOC_CALL:
		return hostcall_ioc_call(f, (struct hostcall_call __user *)arg);
	case HOSTCALL_IOC_INFO:
		return hostcall_ioc_info(f, (struct hostcall_info __user *)arg);
	case HOSTCALL_IOC_OPEN:
		return hostcall_ioc_open(f, (struct hostcall_open __user *)arg);
	case HOSTCALL_IOC_SPAWN:
		return hostcall_ioc_spawn(f, (struct hostcall_spawn __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations hostcall_dev_fops = {
	.owner = THIS_MODULE,
	.open = hostcall_dev_open,
	.release = hostcall_dev_release,
	.unlocked_ioctl = hostcall_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice hostcall_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "hostcall",
	.fops = &hostcall_dev_fops,
	.mode = 0666,
};

int hostcall_dev_register(void)
{
	return misc_register(&hostcall_miscdev);
}

void hostcall_dev_unregister(void)
{
	misc_deregister(&hostcall_miscdev);
}
