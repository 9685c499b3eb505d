// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/hostcall: each open is a subject (HELLO at open) with a table of
 * the subjects of the processes that use the file (hostcall_subject.c);
 * the ioctls are in hostcall_ioctl.c. The last close ends them all (BYE).
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "hostcall.h"

static int hostcall_dev_open(struct inode *inode, struct file *file)
{
	struct hostcall_devfile *f;
	int err;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->mnt_lock);
	f->tp = hostcall_transport_get();
	if (!f->tp) {
		err = -ENODEV;
		goto err_free;
	}
	err = hostcall_hello_cred(f->tp, &f->session);
	if (err)
		goto err_put;
	hostcall_subjects_init(&f->subjects, f->tp, f->session.subject);
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

	hostcall_subjects_end(&f->subjects);
	if (f->mnt)
		mntput(f->mnt);
	hostcall_transport_put(f->tp);
	kfree(f);
	return 0;
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
