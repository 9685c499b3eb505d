// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/hostcall: each open is a subject (HELLO at open), and
 * HOSTCALL_IOC_CALL carries one checked hostcall for it.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "hfs.h"
#include "hostcall_dev.h"

/* Byte offset of the subject in an encoded header (hostcall_proto.h). */
#define HFS_HDR_SUBJECT_OFF	12

/**
 * struct hfs_subject - one open of /dev/hostcall.
 * @tp: the transport it was opened on (a reference)
 * @id: the host's subject id, from HELLO
 * @version: the protocol version in use
 * @tgid: the process that opened it (for fork detection, guest-kmod/README.md)
 */
struct hfs_subject {
	struct hfs_transport *tp;
	u32 id;
	u32 version;
	pid_t tgid;
};

static int hfs_hello(struct hfs_subject *s)
{
	struct hc_msg m = { .op = HC_OP_HELLO, .arg = HC_PROTO_VERSION };
	struct hc_msg r;
	void *buf;
	int err;

	buf = kvmalloc(HC_MSG_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	err = hfs_call(s->tp, 0, &m, &r, buf, HC_MSG_MAX);
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
	s->id = r.result;
	s->version = r.arg;
out_free:
	kvfree(buf);
	return err;
}

static int hfs_dev_open(struct inode *inode, struct file *file)
{
	struct hfs_subject *s;
	int err;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	s->tgid = current->tgid;
	s->tp = hfs_transport_get();
	if (!s->tp) {
		err = -ENODEV;
		goto err_free;
	}
	err = hfs_hello(s);
	if (err)
		goto err_put;
	file->private_data = s;
	return 0;

err_put:
	hfs_transport_put(s->tp);
err_free:
	kfree(s);
	return err;
}

static int hfs_dev_release(struct inode *inode, struct file *file)
{
	struct hfs_subject *s = file->private_data;

	/* TODO(issue 4): tell the host the subject is gone (no op yet). */
	hfs_transport_put(s->tp);
	kfree(s);
	return 0;
}

/* Check a request from user space before it goes to the host. */
static int hfs_check_request(struct hc_msg *m, const void *buf, size_t len)
{
	if (hc_decode(m, buf, len))
		return -EINVAL;
	if (m->hflags & (HC_HF_REPLY | HC_HF_NFDS_MASK) || m->result)
		return -EINVAL;
	if (m->op == HC_OP_HELLO)
		return -EINVAL;		/* the module did it at open */
	return 0;
}

static long hfs_ioc_call(struct hfs_subject *s, struct hostcall_call __user *uc)
{
	struct hostcall_call c;
	struct hc_msg m, r;
	u16 op;
	u32 tag;
	void *buf;
	int len, err;

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
	/* @buf is kvmalloc()ed, so the header's u32 fields are aligned. */
	*(__le32 *)(buf + HFS_HDR_SUBJECT_OFF) = cpu_to_le32(s->id);

	len = hfs_submit(s->tp, s->id, buf, c.req_len, buf, HC_MSG_MAX);
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

static long hfs_ioc_info(struct hfs_subject *s, struct hostcall_info __user *ui)
{
	struct hostcall_info info = {
		.subject = s->id,
		.version = s->version,
		.msg_max = s->tp->msg_max,
	};

	strscpy(info.transport, s->tp->ops->name, sizeof(info.transport));
	return copy_to_user(ui, &info, sizeof(info)) ? -EFAULT : 0;
}

static long hfs_dev_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct hfs_subject *s = file->private_data;

	switch (cmd) {
	case HOSTCALL_IOC_CALL:
		return hfs_ioc_call(s, (struct hostcall_call __user *)arg);
	case HOSTCALL_IOC_INFO:
		return hfs_ioc_info(s, (struct hostcall_info __user *)arg);
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
