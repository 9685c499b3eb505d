// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stream files: a host pipe end or pty master, kept by a shadow as a handle
 * (HC_OP_SPAWN_KEEP), as a guest fd. Each stream has a subject of its own,
 * so that a read blocking on the host holds up nothing else.
 */
#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "hfs.h"
#include "hfs_fs.h"

/* Bytes one READ or WRITE moves: a pipe's default capacity. */
#define HFS_STREAM_IO		(64 * 1024)
/* Room for the message around them. */
#define HFS_STREAM_MSG		(HFS_STREAM_IO + 512)

/**
 * struct hfs_stream - one stream file.
 * @tp: the transport (a reference)
 * @subject: the stream's own subject, ended (BYE) at the last close, which
 *	closes the host end
 * @handle: the host end, a handle of @subject
 */
struct hfs_stream {
	struct hfs_transport *tp;
	u32 subject;
	u32 handle;
};

static int hfs_stream_result(const struct hc_msg *r)
{
	if (r->result < -MAX_ERRNO)
		return -EPROTO;
	return r->result < 0 ? (int)r->result : 0;
}

static ssize_t hfs_stream_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct hfs_stream *st = iocb->ki_filp->private_data;
	size_t len = min_t(size_t, iov_iter_count(to), HFS_STREAM_IO);
	struct hc_msg m = {
		.op = HC_OP_READ, .fd = st->handle, .off = -1, .len = len,
	};
	struct hc_msg r;
	ssize_t ret;
	void *buf;

	if (!len)
		return 0;
	buf = kvmalloc(HFS_STREAM_MSG, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = hfs_call(st->tp, st->subject, &m, &r, buf, HFS_STREAM_MSG);
	if (!ret)
		ret = hfs_stream_result(&r);
	if (ret)
		goto out_free;
	if (r.datalen > len) {
		ret = -EPROTO;
		goto out_free;
	}
	ret = copy_to_iter(r.data, r.datalen, to);
	if (!ret && r.datalen)
		ret = -EFAULT;
out_free:
	kvfree(buf);
	return ret;
}

/* Everything is written, as to a pipe, unless an error comes first. */
static ssize_t hfs_stream_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct hfs_stream *st = iocb->ki_filp->private_data;
	struct hc_msg m = { .op = HC_OP_WRITE, .fd = st->handle, .off = -1 };
	struct hc_msg r;
	ssize_t done = 0, err = 0;
	void *buf, *data;

	buf = kvmalloc(2 * HFS_STREAM_MSG, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	data = buf + HFS_STREAM_MSG;
	while (iov_iter_count(from)) {
		size_t len = min_t(size_t, iov_iter_count(from), HFS_STREAM_IO);

		if (done && fatal_signal_pending(current))
			break;
		if (copy_from_iter(data, len, from) != len) {
			err = -EFAULT;
			break;
		}
		m.data = data;
		m.datalen = len;
		err = hfs_call(st->tp, st->subject, &m, &r, buf, HFS_STREAM_MSG);
		if (!err)
			err = hfs_stream_result(&r);
		if (!err && (r.result == 0 || r.result > len))
			err = -EPROTO;
		if (err) {
			iov_iter_revert(from, len);
			break;
		}
		iov_iter_revert(from, len - r.result);
		done += r.result;
	}
	kvfree(buf);
	return done ? done : err;
}

static int hfs_stream_release(struct inode *inode, struct file *file)
{
	struct hfs_stream *st = file->private_data;

	hfs_post_bye(st->tp, st->subject);
	hfs_transport_put(st->tp);
	kfree(st);
	return 0;
}

static const struct file_operations hfs_stream_fops = {
	.owner		= THIS_MODULE,
	.read_iter	= hfs_stream_read_iter,
	.write_iter	= hfs_stream_write_iter,
	.splice_read	= hfs_splice_read,
	.splice_write	= iter_file_splice_write,
	.release	= hfs_stream_release,
};

struct file *hfs_stream_new(struct hfs_transport *tp, u32 subject, u32 handle,
			    int flags)
{
	struct hfs_stream *st;
	struct file *file;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st) {
		hfs_post_bye(tp, subject);
		return ERR_PTR(-ENOMEM);
	}
	kref_get(&tp->ref);
	st->tp = tp;
	st->subject = subject;
	st->handle = handle;
	file = anon_inode_getfile("[hostcall-stream]", &hfs_stream_fops, st,
				  flags);
	if (IS_ERR(file)) {
		hfs_post_bye(tp, subject);
		hfs_transport_put(tp);
		kfree(st);
		return file;
	}
	stream_open(file_inode(file), file);
	return file;
}
