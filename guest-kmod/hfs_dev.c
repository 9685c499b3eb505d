// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/hostcall: each open is a subject (HELLO at open), each process that
 * uses the file later (a forked child) gets a subject forked from its
 * parent's, and HOSTCALL_IOC_CALL carries one checked hostcall for the
 * caller's subject. The last close ends them all (BYE).
 */
#include <linux/fs.h>
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

#include "hfs.h"
#include "hostcall_dev.h"

/* Byte offset of the subject in an encoded header (hostcall_proto.h). */
#define HFS_HDR_SUBJECT_OFF	12

/* Processes that may share one open of /dev/hostcall, each with a subject. */
#define HFS_DEV_PROCS_MAX	64
/* How far up the process tree a new process looks for its parent's subject. */
#define HFS_DEV_ANCESTORS_MAX	32

/**
 * struct hfs_proc_subject - the subject of one process using the file.
 * @pid: the process (its thread group's struct pid, a reference), NULL if
 *	the entry is free; compared as a pointer, so a reused pid number is a
 *	different process
 * @id: the host's subject id
 * @busy: calls in progress; an entry is dropped only when zero
 */
struct hfs_proc_subject {
	struct pid *pid;
	u32 id;
	unsigned int busy;
};

/**
 * struct hfs_devfile - one open of /dev/hostcall.
 * @tp: the transport it was opened on (a reference)
 * @version: the protocol version in use
 * @lock: protects @procs
 * @fork_lock: serialises new processes' FORK_SUBJECTs, so that two threads
 *	of a new process make one subject, and the entries that may be taken
 * @procs: [0] is the opener's subject, kept until release; the others are
 *	processes that inherited the file (fork), added at their first call
 */
struct hfs_devfile {
	struct hfs_transport *tp;
	u32 version;
	spinlock_t lock;
	struct mutex fork_lock;
	struct hfs_proc_subject procs[HFS_DEV_PROCS_MAX];
};

static int hfs_hello(struct hfs_devfile *f, u32 *id)
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
	err = hfs_call(f->tp, 0, &m, &r, buf, HC_MSG_MAX);
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
		hfs_post_bye(f->tp, r.result);
		err = -EPROTONOSUPPORT;
		goto out_free;
	}
	*id = r.result;
	f->version = r.arg;
out_free:
	kvfree(buf);
	return err;
}

/* FORK_SUBJECT on @parent. Returns: the new subject's id, or -errno. */
static int hfs_fork_subject(struct hfs_devfile *f, u32 parent)
{
	struct hc_msg m = { .op = HC_OP_FORK_SUBJECT };
	struct hc_msg r;
	u8 buf[HC_HDR_SIZE];
	int err;

	err = hfs_call(f->tp, parent, &m, &r, buf, sizeof(buf));
	if (err)
		return err;
	if (r.result < 0)
		return r.result < -MAX_ERRNO ? -EPROTO : (int)r.result;
	if (!r.result || r.result > U32_MAX)
		return -EPROTO;
	return r.result;
}

/* Called with f->lock held. Returns: the index of @pid's entry, or -1. */
static int hfs_proc_find(struct hfs_devfile *f, struct pid *pid)
{
	int i;

	for (i = 0; i < HFS_DEV_PROCS_MAX; i++)
		if (f->procs[i].pid == pid)
			return i;
	return -1;
}

/*
 * The subject of the nearest ancestor of the current process that has one,
 * else the opener's; marked busy so that it stays while it is forked.
 */
static int hfs_proc_parent(struct hfs_devfile *f)
{
	struct task_struct *t = current;
	int depth, i = -1;

	rcu_read_lock();
	spin_lock(&f->lock);
	for (depth = 0; depth < HFS_DEV_ANCESTORS_MAX && i < 0; depth++) {
		struct task_struct *p = rcu_dereference(t->real_parent);

		if (!p || p == t || is_global_init(p))
			break;
		t = p;
		i = hfs_proc_find(f, task_tgid(t));
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
static int hfs_proc_reap(struct hfs_devfile *f, u32 *ids)
{
	struct pid *gone[HFS_DEV_PROCS_MAX];
	int i, n = 0;

	spin_lock(&f->lock);
	for (i = 1; i < HFS_DEV_PROCS_MAX; i++) {
		struct hfs_proc_subject *e = &f->procs[i];

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
static int hfs_proc_new(struct hfs_devfile *f, struct pid *me)
{
	u32 gone[HFS_DEV_PROCS_MAX];
	int i, n, parent, id, free = -1;

	if (mutex_lock_killable(&f->fork_lock))
		return -EINTR;
	spin_lock(&f->lock);
	i = hfs_proc_find(f, me);	/* another thread of ours was first */
	if (i >= 0)
		f->procs[i].busy++;
	spin_unlock(&f->lock);
	if (i >= 0)
		goto out_unlock;

	n = hfs_proc_reap(f, gone);
	spin_lock(&f->lock);
	for (i = 1; i < HFS_DEV_PROCS_MAX && free < 0; i++)
		if (!f->procs[i].pid)
			free = i;
	spin_unlock(&f->lock);
	if (free < 0) {
		i = -EMFILE;	/* too many live processes share the file */
		goto out_bye;
	}

	parent = hfs_proc_parent(f);
	id = hfs_fork_subject(f, f->procs[parent].id);
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
		hfs_post_bye(f->tp, gone[n]);
out_unlock:
	mutex_unlock(&f->fork_lock);
	return i;
}

/*
 * The calling process's subject for a call: *@id, and the entry index to
 * give back with hfs_proc_put(). Returns: the index, or -errno.
 */
static int hfs_proc_get(struct hfs_devfile *f, u32 *id)
{
	struct pid *me = task_tgid(current);
	int i;

	spin_lock(&f->lock);
	i = hfs_proc_find(f, me);
	if (i >= 0)
		f->procs[i].busy++;
	spin_unlock(&f->lock);
	if (i < 0)
		i = hfs_proc_new(f, me);
	if (i >= 0)
		*id = f->procs[i].id;	/* fixed while busy */
	return i;
}

static void hfs_proc_put(struct hfs_devfile *f, int i)
{
	spin_lock(&f->lock);
	f->procs[i].busy--;
	spin_unlock(&f->lock);
}

static int hfs_dev_open(struct inode *inode, struct file *file)
{
	struct hfs_devfile *f;
	int err;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	spin_lock_init(&f->lock);
	mutex_init(&f->fork_lock);
	f->tp = hfs_transport_get();
	if (!f->tp) {
		err = -ENODEV;
		goto err_free;
	}
	err = hfs_hello(f, &f->procs[0].id);
	if (err)
		goto err_put;
	f->procs[0].pid = get_pid(task_tgid(current));
	file->private_data = f;
	return 0;

err_put:
	hfs_transport_put(f->tp);
err_free:
	kfree(f);
	return err;
}

/*
 * The last close: every subject of the file ends. Nobody can be in a call
 * (each holds the file), and nobody needs to wait for the BYEs.
 */
static int hfs_dev_release(struct inode *inode, struct file *file)
{
	struct hfs_devfile *f = file->private_data;
	int i;

	for (i = 0; i < HFS_DEV_PROCS_MAX; i++) {
		if (!f->procs[i].pid)
			continue;
		hfs_post_bye(f->tp, f->procs[i].id);
		put_pid(f->procs[i].pid);
	}
	hfs_transport_put(f->tp);
	kfree(f);
	return 0;
}

/* Check a request from user space before it goes to the host. */
static int hfs_check_request(struct hc_msg *m, const void *buf, size_t len)
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

static long hfs_ioc_call(struct hfs_devfile *f, struct hostcall_call __user *uc)
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
	err = hfs_check_request(&m, buf, c.req_len);
	if (err)
		goto out_free;
	op = m.op;
	tag = m.tag;
	pi = hfs_proc_get(f, &id);
	if (pi < 0) {
		err = pi;
		goto out_free;
	}
	/* @buf is kvmalloc()ed, so the header's u32 fields are aligned. */
	*(__le32 *)(buf + HFS_HDR_SUBJECT_OFF) = cpu_to_le32(id);

	len = hfs_submit(f->tp, id, buf, c.req_len, buf, HC_MSG_MAX);
	hfs_proc_put(f, pi);
	if (len < 0) {
		err = len;
		goto out_free;
	}
	err = hfs_check_reply(&r, buf, len, op, tag);
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

static long hfs_ioc_info(struct hfs_devfile *f, struct hostcall_info __user *ui)
{
	struct hostcall_info info = {
		.version = f->version,
		.msg_max = f->tp->msg_max,
	};
	int pi;

	pi = hfs_proc_get(f, &info.subject);
	if (pi < 0)
		return pi;
	hfs_proc_put(f, pi);
	strscpy(info.transport, f->tp->ops->name, sizeof(info.transport));
	return copy_to_user(ui, &info, sizeof(info)) ? -EFAULT : 0;
}

static long hfs_dev_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct hfs_devfile *f = file->private_data;

	switch (cmd) {
	case HOSTCALL_IOC_CALL:
		return hfs_ioc_call(f, (struct hostcall_call __user *)arg);
	case HOSTCALL_IOC_INFO:
		return hfs_ioc_info(f, (struct hostcall_info __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations hfs_dev_fops = {
	.owner = THIS_MODULE,
	.open = hfs_dev_open,
	.release = hfs_dev_release,
	.unlocked_ioctl = hfs_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice hfs_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "hostcall",
	.fops = &hfs_dev_fops,
	.mode = 0666,
};

int hfs_dev_register(void)
{
	return misc_register(&hfs_miscdev);
}

void hfs_dev_unregister(void)
{
	misc_deregister(&hfs_miscdev);
}
