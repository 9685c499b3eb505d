// SPDX-License-Identifier: GPL-2.0-only
/*
 * The transport registry and the call path above it: one registered
 * transport backs /dev/hostcall; calls encode, submit and check replies here.
 */
#include <linux/errno.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "hostcall.h"

static DEFINE_MUTEX(hostcall_transport_lock);
static struct hostcall_transport *hostcall_current;
static atomic_t hostcall_next_tag = ATOMIC_INIT(0);

static void hostcall_transport_release(struct kref *ref)
{
	struct hostcall_transport *t = container_of(ref, struct hostcall_transport, ref);

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

int hostcall_submit(struct hostcall_transport *t, u32 subject, const void *req,
		    size_t req_len, void *rep, size_t rep_cap)
{
	int ret;

	down_read(&t->users);
	if (READ_ONCE(t->dead))
		ret = -EIO;
	else
		ret = t->ops->submit(t, subject, req, req_len, rep, rep_cap);
	up_read(&t->users);
	return ret;
}

void hostcall_post_bye(struct hostcall_transport *t, u32 subject)
{
	struct hc_msg m = {
		.op = HC_OP_BYE,
		.tag = atomic_inc_return(&hostcall_next_tag),
		.subject = subject,
	};
	u8 buf[HC_HDR_SIZE];
	int len;

	len = hc_encode(&m, buf, sizeof(buf));
	if (len < 0)
		return;
	down_read(&t->users);
	if (!READ_ONCE(t->dead))
		t->ops->post(t, subject, buf, len);
	up_read(&t->users);
}

int hostcall_fork_subject(struct hostcall_transport *t, u32 parent)
{
	struct hc_msg m = { .op = HC_OP_FORK_SUBJECT };
	struct hc_msg r;
	u8 buf[HC_HDR_SIZE];
	int err;

	err = hostcall_call(t, parent, &m, &r, buf, sizeof(buf));
	if (err)
		return err;
	if (r.result < 0)
		return r.result < -MAX_ERRNO ? -EPROTO : (int)r.result;
	if (!r.result || r.result > U32_MAX)
		return -EPROTO;
	return r.result;
}

int hostcall_check_reply(struct hc_msg *r, const void *buf, size_t len,
			 u16 op, u32 tag)
{
	if (hc_decode(r, buf, len))
		return -EPROTO;
	if (!(r->hflags & HC_HF_REPLY) || r->op != op || r->tag != tag)
		return -EPROTO;
	return 0;
}

int hostcall_call(struct hostcall_transport *t, u32 subject, const struct hc_msg *m,
		  struct hc_msg *r, void *buf, size_t cap)
{
	struct hc_msg req = *m;
	int len;

	req.tag = atomic_inc_return(&hostcall_next_tag);
	req.subject = subject;
	req.hflags &= ~HC_HF_REPLY;
	len = hc_encode(&req, buf, cap);
	if (len < 0)
		return len;
	len = hostcall_submit(t, subject, buf, len, buf, cap);
	if (len < 0)
		return len;
	return hostcall_check_reply(r, buf, len, req.op, req.tag);
}
