// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stream files: a host pipe end or pty master, kept by a shadow as a handle
 * (HC_OP_SPAWN with HC_SPAWN_KEEP), as a guest fd. Each stream has a
 * subject of its own, so that a read blocking on the host holds up nothing
 * else. A readable stream has a kernel thread that keeps one READ in flight
 * and holds what it got, so that poll() and O_NONBLOCK work as on a pipe.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uio.h>
#include <linux/wait.h>

#include "hostcall.h"

/* Bytes one READ or WRITE moves: a pipe's default capacity. */
#define HOSTCALL_STREAM_IO	(64 * 1024)

/**
 * struct hostcall_stream - one stream file.
 * @ref: held by the file and by the reader thread
 * @tp: the transport (a reference)
 * @subject: the stream's own subject, ended (BYE) at the last close, which
 *	closes the host end; writes use it
 * @rsubject: the reader thread's subject: @subject for a read-only stream;
 *	for a pty master (read and write) a fork of it, so that a write never
 *	queues behind the READ in flight (a shadow serves one request at a
 *	time); 0 if the stream is not readable
 * @handle: the host end, a handle of @subject (and of @rsubject)
 * @wait: readers, pollers and the reader thread wait here
 * @lock: protects @data, @avail, @done, @err and @stop
 * @read_lock: serialises readers, who copy from @data without @lock
 * @req: the reader thread's READ; the bytes read lie in its reply
 * @data: the first byte not yet read, in @req's buffer
 * @avail: bytes at @data; the thread reads again once it is 0
 * @done: the host said end of file (or @err): no more READs
 * @err: the error the host's read gave, returned by every read after the
 *	data (a pty master gives -EIO once its program has gone)
 * @stop: the file is closed: the thread leaves
 */
struct hostcall_stream {
	struct kref ref;
	struct hostcall_transport *tp;
	u32 subject;
	u32 rsubject;
	u32 handle;
	wait_queue_head_t wait;
	spinlock_t lock;
	struct mutex read_lock;
	struct hostcall_req *req;
	const u8 *data;
	size_t avail;
	bool done;
	int err;
	bool stop;
};

static void hostcall_stream_free(struct kref *ref)
{
	struct hostcall_stream *st;

	st = container_of(ref, struct hostcall_stream, ref);
	hostcall_transport_put(st->tp);
	if (st->req)
		hostcall_req_free(st->req);
	kfree(st);
}

static bool hostcall_stream_drained(struct hostcall_stream *st)
{
	bool ret;

	spin_lock(&st->lock);
	ret = !st->avail || st->stop;
	spin_unlock(&st->lock);
	return ret;
}

/* One READ on the host; the result goes to @st for the readers. */
static bool hostcall_stream_fill(struct hostcall_stream *st)
{
	struct hostcall_req *req = st->req;
	const struct hc_blob *got = &req->r.rep.read.data;
	s64 ret;

	/* the readers are done with the last reply's bytes */
	hostcall_req_reset(req, HC_OP_READ);
	req->m.req.read.fd = st->handle;
	req->m.req.read.off = -1;
	req->m.req.read.count = HOSTCALL_STREAM_IO;
	req->rep_room = HOSTCALL_STREAM_IO;
	ret = hostcall_req_call(st->tp, st->rsubject, req);
	if (!ret)
		ret = hostcall_result(&req->r);
	if (ret > 0)
		ret = 0;
	if (!ret && got->len > HOSTCALL_STREAM_IO)
		ret = -EPROTO;
	spin_lock(&st->lock);
	if (ret || !got->len) {
		st->done = true;
		st->err = ret;
	} else {
		st->data = got->ptr;
		st->avail = got->len;
	}
	spin_unlock(&st->lock);
	wake_up_interruptible_poll(&st->wait, EPOLLIN | EPOLLRDNORM);
	return !ret && got->len;
}

/*
 * The reader thread: a READ whenever the last one's bytes are all read,
 * until end of file, an error or the last close. The BYE of that close
 * ends a READ in flight (the host stops the busy shadow, which answers);
 * the thread holds its own references, so the close need not wait.
 */
static int hostcall_stream_reader(void *arg)
{
	struct hostcall_stream *st = arg;

	while (!READ_ONCE(st->stop) && hostcall_stream_fill(st))
		wait_event_interruptible(st->wait, hostcall_stream_drained(st));
	kref_put(&st->ref, hostcall_stream_free);
	module_put_and_kthread_exit(0);
}

static ssize_t hostcall_stream_read_iter(struct kiocb *iocb,
					 struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	struct hostcall_stream *st = file->private_data;
	bool nonblock = (file->f_flags & O_NONBLOCK) ||
			(iocb->ki_flags & IOCB_NOWAIT);
	size_t n;
	ssize_t ret;

	if (!iov_iter_count(to))
		return 0;
	if (nonblock) {
		if (!mutex_trylock(&st->read_lock))
			return -EAGAIN;
	} else if (mutex_lock_interruptible(&st->read_lock)) {
		return -ERESTARTSYS;
	}
	for (;;) {
		spin_lock(&st->lock);
		n = st->avail;
		ret = st->err;
		if (n || st->done)
			break;
		spin_unlock(&st->lock);
		if (nonblock) {
			ret = -EAGAIN;
			goto out_unlock;
		}
		if (wait_event_interruptible(st->wait,
					     READ_ONCE(st->avail) ||
					     READ_ONCE(st->done))) {
			ret = -ERESTARTSYS;
			goto out_unlock;
		}
	}
	spin_unlock(&st->lock);
	if (!n)
		goto out_unlock;	/* end of file (0) or the host's error */
	/* the thread leaves @data alone while @avail is not 0 */
	n = copy_to_iter(st->data, min(n, iov_iter_count(to)), to);
	if (!n) {
		ret = -EFAULT;
		goto out_unlock;
	}
	spin_lock(&st->lock);
	st->data += n;
	st->avail -= n;
	ret = st->avail;
	spin_unlock(&st->lock);
	if (!ret)
		wake_up(&st->wait);
	ret = n;
out_unlock:
	mutex_unlock(&st->read_lock);
	return ret;
}

static __poll_t hostcall_stream_poll(struct file *file, poll_table *pt)
{
	struct hostcall_stream *st = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &st->wait, pt);
	if (file->f_mode & FMODE_READ) {
		spin_lock(&st->lock);
		if (st->avail || st->done)
			mask |= EPOLLIN | EPOLLRDNORM;
		if (st->done && !st->avail)
			mask |= EPOLLHUP;
		spin_unlock(&st->lock);
	}
	/* writes go to the host and wait there: never -EAGAIN */
	if (file->f_mode & FMODE_WRITE)
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

/* Everything is written, as to a pipe, unless an error comes first. */
static ssize_t hostcall_stream_write_iter(struct kiocb *iocb,
					  struct iov_iter *from)
{
	struct hostcall_stream *st = iocb->ki_filp->private_data;
	struct hostcall_req *req;
	ssize_t done = 0, ret = 0;
	void *data;

	req = hostcall_req_alloc(HC_OP_WRITE);
	data = hostcall_req_data(req, HOSTCALL_STREAM_IO);
	if (!data) {
		hostcall_req_free(req);
		return -ENOMEM;
	}
	while (iov_iter_count(from)) {
		size_t len = min_t(size_t, iov_iter_count(from),
				   HOSTCALL_STREAM_IO);

		if (done && fatal_signal_pending(current))
			break;
		if (copy_from_iter(data, len, from) != len) {
			ret = -EFAULT;
			break;
		}
		hostcall_req_reset(req, HC_OP_WRITE);
		req->m.req.write.fd = st->handle;
		req->m.req.write.off = -1;
		req->m.req.write.data.ptr = data;
		req->m.req.write.data.len = len;
		ret = hostcall_req_call(st->tp, st->subject, req);
		if (!ret)
			ret = hostcall_result(&req->r);
		if (ret == 0 || ret > len)
			ret = -EPROTO;
		if (ret < 0) {
			iov_iter_revert(from, len);
			break;
		}
		iov_iter_revert(from, len - ret);
		done += ret;
	}
	hostcall_req_free(req);
	return done ? done : ret;
}

static int hostcall_stream_release(struct inode *inode, struct file *file)
{
	struct hostcall_stream *st = file->private_data;

	spin_lock(&st->lock);
	st->stop = true;
	spin_unlock(&st->lock);
	wake_up(&st->wait);
	if (st->rsubject && st->rsubject != st->subject)
		hostcall_post_bye(st->tp, st->rsubject);
	hostcall_post_bye(st->tp, st->subject);
	kref_put(&st->ref, hostcall_stream_free);
	return 0;
}

static const struct file_operations hostcall_stream_fops = {
	.owner		= THIS_MODULE,
	.read_iter	= hostcall_stream_read_iter,
	.write_iter	= hostcall_stream_write_iter,
	.poll		= hostcall_stream_poll,
	.splice_read	= hostcall_splice_read,
	.splice_write	= iter_file_splice_write,
	.release	= hostcall_stream_release,
};

/* The reader thread, with references of its own to @st and the module. */
static int hostcall_stream_start(struct hostcall_stream *st)
{
	struct task_struct *t;
	int err;

	/* the READ's buffer now, so that a stream that cannot read fails */
	st->req = hostcall_req_alloc(HC_OP_READ);
	err = hostcall_req_room(st->req,
				HOSTCALL_MSG_FIXED + HOSTCALL_STREAM_IO);
	if (err)
		return err;
	if (!try_module_get(THIS_MODULE))
		return -ENODEV;
	kref_get(&st->ref);
	t = kthread_run(hostcall_stream_reader, st, "hc-stream/%u",
			st->rsubject);
	if (IS_ERR(t)) {
		kref_put(&st->ref, hostcall_stream_free);
		module_put(THIS_MODULE);
		return PTR_ERR(t);
	}
	return 0;
}

struct file *hostcall_stream_new(struct hostcall_transport *tp, u32 subject,
				 u32 handle, int flags)
{
	struct hostcall_stream *st;
	struct file *file;
	int err, rsid;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st) {
		hostcall_post_bye(tp, subject);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&st->ref);
	kref_get(&tp->ref);
	st->tp = tp;
	st->subject = subject;
	st->handle = handle;
	init_waitqueue_head(&st->wait);
	spin_lock_init(&st->lock);
	mutex_init(&st->read_lock);
	if ((flags & O_ACCMODE) == O_RDWR) {
		rsid = hostcall_fork_subject(tp, subject);
		if (rsid < 0) {
			err = rsid;
			goto out_bye;
		}
		st->rsubject = rsid;
	} else if ((flags & O_ACCMODE) == O_RDONLY) {
		st->rsubject = subject;
	}
	file = anon_inode_getfile("[hostcall-stream]", &hostcall_stream_fops,
				  st, flags);
	if (IS_ERR(file)) {
		err = PTR_ERR(file);
		goto out_bye;
	}
	stream_open(file_inode(file), file);
	if (st->rsubject) {
		err = hostcall_stream_start(st);
		if (err) {
			fput(file);	/* the release ends the subjects */
			return ERR_PTR(err);
		}
	}
	return file;

out_bye:
	if (st->rsubject && st->rsubject != subject)
		hostcall_post_bye(tp, st->rsubject);
	hostcall_post_bye(tp, subject);
	kref_put(&st->ref, hostcall_stream_free);
	return ERR_PTR(err);
}
