// SPDX-License-Identifier: GPL-2.0-only
/*
 * Call files: a hostcall of HOSTCALL_IOC_CALL with HOSTCALL_CALL_ASYNC is
 * started, and answered on a file of its own that poll() says is readable
 * once the reply is in, so that a process waits for a host program's exit
 * (or any request in flight) in its poll loop, beside its other fds, and
 * makes no call meanwhile. Closing the file early cancels the request.
 */
#include <linux/anon_inodes.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "hostcall.h"
#include "../proto/hostcall_dev.h"

/**
 * struct hostcall_acall - one call file.
 * @a: the call, as the transport sees it
 * @dev: the /dev/hostcall file the call was made on (a reference)
 * @f: its devfile
 * @si: the caller's subject entry, busy until the file is closed
 * @op: the request's op
 * @tag: the module's tag of the request
 * @user_tag: the caller's, given back in the reply
 * @done: the reply is in @rep (@a.len bytes) or @a.len is -errno
 * @wq: readers and pollers
 * @rep: the reply
 */
struct hostcall_acall {
	struct hostcall_async a;
	struct file *dev;
	struct hostcall_devfile *f;
	int si;
	u16 op;
	u32 tag, user_tag;
	bool done;
	wait_queue_head_t wq;
	u8 rep[HOSTCALL_ASYNC_REP_MAX];
};

/* Called by the transport in atomic context, once. */
static void hostcall_acall_done(struct hostcall_async *a)
{
	struct hostcall_acall *ac = container_of(a, struct hostcall_acall, a);

	/* Pairs with the acquire loads: the reply is visible first. */
	smp_store_release(&ac->done, true);
	wake_up_interruptible_poll(&ac->wq, EPOLLIN | EPOLLRDNORM);
}

static bool hostcall_acall_is_done(struct hostcall_acall *ac)
{
	/* Pairs with hostcall_acall_done()'s release: the reply is visible. */
	return smp_load_acquire(&ac->done);
}

static __poll_t hostcall_acall_poll(struct file *file, poll_table *pt)
{
	struct hostcall_acall *ac = file->private_data;

	poll_wait(file, &ac->wq, pt);
	return hostcall_acall_is_done(ac) ? EPOLLIN | EPOLLRDNORM : 0;
}

static ssize_t hostcall_acall_read(struct file *file, char __user *buf,
				   size_t count, loff_t *ppos)
{
	struct hostcall_acall *ac = file->private_data;
	struct hc_msg *r;
	int len, err;

	if (!hostcall_acall_is_done(ac)) {
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(ac->wq, hostcall_acall_is_done(ac)))
			return -EINTR;
	}
	len = ac->a.len;
	if (len < 0)
		return len;
	r = kmalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	err = hostcall_check_reply(r, ac->rep, len, ac->op, ac->tag);
	kfree(r);
	if (err)
		return err;
	if (count < len)
		return -EMSGSIZE;
	/* the caller's tag, in a copy: the file may be read again */
	if (copy_to_user(buf, ac->rep, 8) ||
	    put_user((u8)ac->user_tag, buf + 8) ||
	    put_user((u8)(ac->user_tag >> 8), buf + 9) ||
	    put_user((u8)(ac->user_tag >> 16), buf + 10) ||
	    put_user((u8)(ac->user_tag >> 24), buf + 11) ||
	    copy_to_user(buf + 12, ac->rep + 12, len - 12))
		return -EFAULT;
	return len;
}

static void hostcall_acall_free(struct hostcall_acall *ac)
{
	hostcall_subject_put(&ac->f->subjects, ac->si);
	fput(ac->dev);
	kfree(ac);
}

static int hostcall_acall_release(struct inode *inode, struct file *file)
{
	struct hostcall_acall *ac = file->private_data;

	/* a call still in flight is cancelled on the host */
	hostcall_abandon(ac->f->tp, &ac->a);
	hostcall_acall_free(ac);
	return 0;
}

static const struct file_operations hostcall_acall_fops = {
	.owner = THIS_MODULE,
	.read = hostcall_acall_read,
	.poll = hostcall_acall_poll,
	.release = hostcall_acall_release,
	.llseek = noop_llseek,
};

int hostcall_acall_new(struct file *dev, struct hostcall_devfile *f,
		       struct hostcall_req *req, size_t len)
{
	struct hostcall_acall *ac;
	u32 id;
	int fd, err;

	ac = kzalloc(sizeof(*ac), GFP_KERNEL);
	if (!ac) {
		err = -ENOMEM;
		goto out_req;
	}
	init_waitqueue_head(&ac->wq);
	ac->a.rep = ac->rep;
	ac->a.rep_cap = sizeof(ac->rep);
	ac->a.done = hostcall_acall_done;
	ac->f = f;
	ac->dev = get_file(dev);
	ac->si = hostcall_subject_get(&f->subjects, &id);
	if (ac->si < 0) {
		err = ac->si;
		fput(ac->dev);
		kfree(ac);
		goto out_req;
	}
	hostcall_user_retag(req, id);
	ac->op = req->m.op;
	ac->tag = req->m.tag;
	ac->user_tag = req->user_tag;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		err = fd;
		goto out_free;
	}
	err = hostcall_start(f->tp, id, req->buf, len, &ac->a);
	if (err) {
		put_unused_fd(fd);
		goto out_free;
	}
	hostcall_req_free(req);
	dev = anon_inode_getfile("[hostcall-call]", &hostcall_acall_fops, ac,
				 O_RDONLY);
	if (IS_ERR(dev)) {
		put_unused_fd(fd);
		hostcall_abandon(f->tp, &ac->a);
		hostcall_acall_free(ac);
		return PTR_ERR(dev);
	}
	fd_install(fd, dev);
	return fd;

out_free:
	hostcall_acall_free(ac);
out_req:
	hostcall_req_free(req);
	return err;
}
