// SPDX-License-Identifier: GPL-2.0-only
/*
 * The transport registry: one registered transport backs /dev/hostcall and
 * hostfs; encoded messages go through it here, so that its removal can wait
 * for the callers inside.
 */
#include <linux/errno.h>
#include <linux/mutex.h>

#include "hostcall.h"

static DEFINE_MUTEX(hostcall_transport_lock);
static struct hostcall_transport *hostcall_current;

static void hostcall_transport_release(struct kref *ref)
{
	struct hostcall_transport *t;

	t = container_of(ref, struct hostcall_transport, ref);
	t->ops->release(t);
}

int hostcall_transport_register(struct hostcall_transport *t)
{
	int err;

	kref_init(&t->ref);
	init_rwsem(&t->users);
	t->dead = false;

	mutex_lock(&hostcall_transport_lock);
	if (hostcall_current) {
		err = -EBUSY;
		goto out_unlock;
	}
	hostcall_current = t;
	err = hostcall_dev_register();
	if (err)
		hostcall_current = NULL;
out_unlock:
	mutex_unlock(&hostcall_transport_lock);
	return err;
}

void hostcall_transport_unregister(struct hostcall_transport *t)
{
	mutex_lock(&hostcall_transport_lock);
	if (hostcall_current == t) {
		hostcall_dev_unregister();
		hostcall_current = NULL;
	}
	mutex_unlock(&hostcall_transport_lock);

	WRITE_ONCE(t->dead, true);
	t->ops->cancel(t);
	/* Wait for the callers inside ->submit to leave. */
	down_write(&t->users);
	up_write(&t->users);
	hostcall_transport_put(t);
}

struct hostcall_transport *hostcall_transport_get(void)
{
	struct hostcall_transport *t;

	mutex_lock(&hostcall_transport_lock);
	t = hostcall_current;
	if (t)
		kref_get(&t->ref);
	mutex_unlock(&hostcall_transport_lock);
	return t;
}

void hostcall_transport_put(struct hostcall_transport *t)
{
	kref_put(&t->ref, hostcall_transport_release);
}

int hostcall_submit(struct hostcall_transport *t, u32 subject,
		    const void *req, size_t req_len, void *rep, size_t rep_cap,
		    unsigned int flags)
{
	int ret;

	down_read(&t->users);
	if (READ_ONCE(t->dead))
		ret = -EIO;
	else
		ret = t->ops->submit(t, subject, req, req_len, rep, rep_cap,
				     flags);
	up_read(&t->users);
	return ret;
}

void hostcall_post(struct hostcall_transport *t, u32 subject,
		   const void *req, size_t req_len)
{
	down_read(&t->users);
	if (!READ_ONCE(t->dead))
		t->ops->post(t, subject, req, req_len);
	up_read(&t->users);
}

int hostcall_start(struct hostcall_transport *t, u32 subject,
		   const void *req, size_t req_len, struct hostcall_async *a)
{
	int ret;

	down_read(&t->users);
	if (READ_ONCE(t->dead))
		ret = -EIO;
	else
		ret = t->ops->start(t, subject, req, req_len, a);
	up_read(&t->users);
	return ret;
}

bool hostcall_abandon(struct hostcall_transport *t, struct hostcall_async *a)
{
	return t->ops->abandon(t, a);
}
