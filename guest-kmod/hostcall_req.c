// SPDX-License-Identifier: GPL-2.0-only
/*
 * Requests: the objects every hostcall of the module is made with, the one
 * round trip (encode, submit, check the reply), and the calls that make and
 * end subjects (HELLO, FORK_SUBJECT, BYE) for /dev/hostcall and hostfs.
 */
#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/cred.h>
#include <linux/errno.h>
#include <linux/mempool.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "hostcall.h"

/* Requests kept back for when the slab has none to give. */
#define HOSTCALL_REQ_RESERVE	4

static struct kmem_cache *hostcall_req_cache;
static mempool_t *hostcall_req_pool;
static atomic_t hostcall_next_tag = ATOMIC_INIT(0);

int hostcall_req_init(void)
{
	/* a request with a short path and its reply fit inside the object */
	BUILD_BUG_ON(HOSTCALL_MSG_FIXED + 256 > HOSTCALL_REQ_SMALL);

	/* replies are copied to user space from the buffer inside */
	hostcall_req_cache =
		kmem_cache_create_usercopy("hostcall_req", HOSTCALL_REQ_SIZE,
					   0, 0,
					   offsetof(struct hostcall_req, small),
					   HOSTCALL_REQ_SMALL, NULL);
	if (!hostcall_req_cache)
		return -ENOMEM;
	hostcall_req_pool = mempool_create_slab_pool(HOSTCALL_REQ_RESERVE,
						     hostcall_req_cache);
	if (!hostcall_req_pool) {
		kmem_cache_destroy(hostcall_req_cache);
		return -ENOMEM;
	}
	return 0;
}

void hostcall_req_exit(void)
{
	mempool_destroy(hostcall_req_pool);
	kmem_cache_destroy(hostcall_req_cache);
}

void hostcall_req_reset(struct hostcall_req *req, u16 op)
{
	memset(&req->m, 0, sizeof(req->m));
	memset(&req->r, 0, sizeof(req->r));
	req->m.op = op;
	req->rep_room = 0;
}

struct hostcall_req *hostcall_req_alloc(u16 op)
{
	struct hostcall_req *req;

	/* GFP_KERNEL: the pool waits for a free request, never fails */
	req = mempool_alloc(hostcall_req_pool, GFP_KERNEL);
	hostcall_req_reset(req, op);
	req->buf = req->small;
	req->cap = HOSTCALL_REQ_SMALL;
	req->data = NULL;
	req->data_cap = 0;
	return req;
}

void hostcall_req_free(struct hostcall_req *req)
{
	if (req->buf != req->small)
		kvfree(req->buf);
	kvfree(req->data);
	mempool_free(req, hostcall_req_pool);
}

int hostcall_req_room(struct hostcall_req *req, size_t cap)
{
	void *buf;

	if (cap <= req->cap)
		return 0;
	if (cap > HC_MSG_MAX)
		return -EMSGSIZE;
	buf = kvmalloc(cap, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (req->buf != req->small)
		kvfree(req->buf);
	req->buf = buf;
	req->cap = cap;
	return 0;
}

void *hostcall_req_data(struct hostcall_req *req, size_t len)
{
	len = max_t(size_t, len, 1);
	if (len <= req->data_cap)
		return req->data;
	kvfree(req->data);
	req->data = kvmalloc(len, GFP_KERNEL);
	req->data_cap = req->data ? len : 0;
	return req->data;
}

/*
 * The most req->m can take encoded: the fixed part, and the strings, blobs
 * and string vectors of its op's fields. A string beyond its limit is
 * refused by hc_encode(), so counting one up to HC_PATH_MAX + 1 suffices.
 */
static size_t hostcall_req_len_max(const struct hc_msg *m)
{
	const struct hc_field *f = hc_op_fields(m->op, 0);
	size_t len = HOSTCALL_MSG_FIXED;
	const void *p;

	for (; f && f->type != HC_T_END; f++) {
		p = (const char *)m + f->off;
		switch (f->type) {
		case HC_T_PATH:
		case HC_T_NAME:
			if (*(const char * const *)p)
				len += strnlen(*(const char * const *)p,
					       HC_PATH_MAX + 1) + 1;
			break;
		case HC_T_BLOB:
			len += ((const struct hc_blob *)p)->len;
			break;
		case HC_T_STRV:
			len += ((const struct hc_strv *)p)->len;
			break;
		default:
			break;
		}
	}
	return len;
}

u32 hostcall_new_tag(void)
{
	return atomic_inc_return(&hostcall_next_tag);
}

/* Encode req->m for @subject with a new tag. Returns: its length, -errno. */
static int hostcall_req_encode(struct hostcall_req *req, u32 subject)
{
	struct hc_msg *m = &req->m;
	size_t cap;
	int err;

	cap = max(hostcall_req_len_max(m), HOSTCALL_MSG_FIXED + req->rep_room);
	err = hostcall_req_room(req, min_t(size_t, cap, HC_MSG_MAX));
	if (err)
		return err;
	m->tag = hostcall_new_tag();
	m->subject = subject;
	m->hflags &= ~HC_HF_REPLY;
	return hc_encode(m, req->buf, req->cap);
}

int hostcall_req_call(struct hostcall_transport *t, u32 subject,
		      struct hostcall_req *req)
{
	int len;

	len = hostcall_req_encode(req, subject);
	if (len < 0)
		return len;
	len = hostcall_submit(t, subject, req->buf, len, req->buf, req->cap, 0);
	if (len < 0)
		return len;
	return hostcall_check_reply(&req->r, req->buf, len, req->m.op,
				    req->m.tag);
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

s64 hostcall_result(const struct hc_msg *r)
{
	return r->result < -EHWPOISON ? -EIO : r->result;
}

/* HELLO on @subject (0: make one). */
static int hostcall_hello_on(struct hostcall_transport *t, u32 subject,
			     struct hostcall_session *s)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_HELLO);
	const struct hc_rep_hello *rep = &req->r.rep.hello;
	u32 version, msg_max;
	u64 caps;
	s64 id;
	int err;

	req->m.req.hello.version = HC_PROTO_VERSION;
	req->m.req.hello.flags = HC_HELLO_KEEP_HANDLES;
	req->m.req.hello.caps = HC_CAPS;
	err = hostcall_req_call(t, subject, req);
	id = err ? err : hostcall_result(&req->r);
	version = rep->version;
	msg_max = rep->msg_max;
	caps = rep->caps;
	hostcall_req_free(req);
	/* a host of an older protocol cannot decode this HELLO */
	if (id == -EPROTONOSUPPORT || id == -EBADMSG)
		goto old_host;
	if (id < 0)
		return id;
	if (!id || id > U32_MAX || (subject && id != subject))
		return -EPROTO;
	if (version < HC_PROTO_VERSION_MIN || version > HC_PROTO_VERSION) {
		hostcall_post_bye(t, id);
		if (version > HC_PROTO_VERSION)
			return -EPROTO;
		goto old_host;
	}
	s->subject = id;
	s->version = version;
	s->msg_max = min_t(u32, msg_max, t->msg_max);
	s->caps = caps & HC_CAPS;
	/* what later subjects can be made with (SUBJECT_AS) */
	WRITE_ONCE(t->caps, s->caps);
	return 0;

old_host:
	pr_warn_ratelimited("hostcall: hostcalld at the %s device speaks an older protocol than version %u: update hostcalld\n",
			    t->ops->name, HC_PROTO_VERSION_MIN);
	return -EPROTONOSUPPORT;
}

int hostcall_hello(struct hostcall_transport *t, struct hostcall_session *s)
{
	return hostcall_hello_on(t, 0, s);
}

/* SUBJECT_AS for the calling task's fsuid, fsgid and first groups. */
static int hostcall_subject_as(struct hostcall_transport *t)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_SUBJECT_AS);
	struct hc_req_subject_as *q = &req->m.req.subject_as;
	const struct cred *cred = current_cred();
	struct group_info *gi = cred->group_info;
	s64 id;
	int err, k;

	q->uid = from_kuid_munged(&init_user_ns, cred->fsuid);
	q->gid = from_kgid_munged(&init_user_ns, cred->fsgid);
	for (k = 0; k < gi->ngroups && k < HC_FDS_MAX; k++)
		q->groups.v[k] = from_kgid_munged(&init_user_ns, gi->gid[k]);
	q->groups.n = k;
	err = hostcall_req_call(t, 0, req);
	id = err ? err : hostcall_result(&req->r);
	hostcall_req_free(req);
	if (!id || id > U32_MAX)
		return -EPROTO;
	return id;
}

int hostcall_hello_cred(struct hostcall_transport *t, struct hostcall_session *s)
{
	struct hostcall_session plain;
	int id, err;

	if (!(READ_ONCE(t->caps) & HC_CAP_IDENTITY)) {
		/* the first subject tells whether the host maps identities */
		err = hostcall_hello(t, &plain);
		if (err || !(plain.caps & HC_CAP_IDENTITY)) {
			*s = plain;
			return err;
		}
		hostcall_post_bye(t, plain.subject);
	}
	id = hostcall_subject_as(t);
	if (id < 0)
		return id;
	err = hostcall_hello_on(t, id, s);
	if (err)
		hostcall_post_bye(t, id);
	return err;
}

int hostcall_subject_as_of(struct hostcall_transport *t, u32 parent)
{
	struct hostcall_session s;
	struct hostcall_req *req;
	const char *cwd;
	int err;

	err = hostcall_hello_cred(t, &s);
	if (err)
		return err;
	/* the working directory carries over, by its host path */
	req = hostcall_req_alloc(HC_OP_GETCWD);
	req->rep_room = HC_PATH_MAX + 1;
	err = hostcall_req_call(t, parent, req);
	if (!err && hostcall_result(&req->r) >= 0) {
		cwd = req->r.rep.getcwd.path;
		hostcall_req_reset(req, HC_OP_CHDIR);
		/* req->buf holds @cwd: CHDIR is encoded from a copy */
		req->m.req.chdir.dirfd = HC_AT_FDCWD;
		req->m.req.chdir.path = kstrdup(cwd, GFP_KERNEL);
		if (req->m.req.chdir.path)
			hostcall_req_call(t, s.subject, req);
		kfree(req->m.req.chdir.path);
	}
	hostcall_req_free(req);
	return s.subject;
}

int hostcall_fork_subject(struct hostcall_transport *t, u32 parent)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_FORK_SUBJECT);
	s64 id;
	int err;

	err = hostcall_req_call(t, parent, req);
	id = err ? err : hostcall_result(&req->r);
	hostcall_req_free(req);
	if (!id || id > U32_MAX)
		return -EPROTO;
	return id;
}

/* Post @req for @subject, not waiting, and free it. */
static void hostcall_req_post(struct hostcall_transport *t, u32 subject,
			      struct hostcall_req *req)
{
	int len;

	len = hostcall_req_encode(req, subject);
	if (len >= 0)
		hostcall_post(t, subject, req->buf, len);
	hostcall_req_free(req);
}

void hostcall_post_bye(struct hostcall_transport *t, u32 subject)
{
	hostcall_req_post(t, subject, hostcall_req_alloc(HC_OP_BYE));
}

void hostcall_post_cancel(struct hostcall_transport *t, u32 subject, u32 tag)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_CANCEL);

	req->m.req.cancel.tag = tag;
	hostcall_req_post(t, subject, req);
}

void hostcall_post_close(struct hostcall_transport *t, u32 subject, u32 handle)
{
	struct hostcall_req *req = hostcall_req_alloc(HC_OP_CLOSE);

	req->m.req.close.fd = handle;
	hostcall_req_post(t, subject, req);
}
