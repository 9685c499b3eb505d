/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One hostcall through /dev/hostcall's HOSTCALL_IOC_CALL, shared by the
 * static in-guest test programs (each includes it once).
 */
#ifndef HCTEST_DEVCALL_H
#define HCTEST_DEVCALL_H

#include <errno.h>
#include <sys/ioctl.h>

#include "hostcall_proto.h"
#include "hostcall_dev.h"

/* per thread: a test may call from several (r's strings point into repbuf) */
static __thread unsigned char reqbuf[HC_MSG_MAX], repbuf[HC_MSG_MAX];
static unsigned int devcall_tag;

/*
 * Send @m on @dev and decode the reply into @r, checking that it answers
 * @m. Returns 0 (the host's result is r->result), or -errno.
 */
static int devcall(int dev, struct hc_msg *m, struct hc_msg *r)
{
	struct hostcall_call c = { 0 };
	int len;

	m->tag = __atomic_add_fetch(&devcall_tag, 1, __ATOMIC_RELAXED);
	len = hc_encode(m, reqbuf, sizeof(reqbuf));
	if (len < 0)
		return len;
	c.req = (unsigned long)reqbuf;
	c.req_len = len;
	c.rep = (unsigned long)repbuf;
	c.rep_cap = sizeof(repbuf);
	if (ioctl(dev, HOSTCALL_IOC_CALL, &c) < 0)
		return -errno;
	if (hc_decode(r, repbuf, c.rep_len))
		return -EBADMSG;
	if (r->op != m->op || r->tag != m->tag || !(r->hflags & HC_HF_REPLY))
		return -EPROTO;
	return 0;
}

#endif /* HCTEST_DEVCALL_H */
