// SPDX-License-Identifier: GPL-2.0-only
/*
 * The subjects of one open of /dev/hostcall: the opener's from HELLO, and
 * for each process that uses the file later (a forked child, or one that
 * received the fd) a subject forked from its nearest ancestor's at its
 * first call. Entries of processes that are gone are dropped (BYE) when a
 * new process needs one.
 */
#include <linux/errno.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/spinlock.h>

#include "hostcall.h"

/* How far up the process tree a new process looks for its parent's subject. */
#define HOSTCALL_ANCESTORS_MAX	32

void hostcall_subjects_init(struct hostcall_subjects *s,
			    struct hostcall_transport *tp, u32 opener)
{
	s->tp = tp;
	spin_lock_init(&s->lock);
	mutex_init(&s->fork_lock);
	s->procs[0].pid = get_pid(task_tgid(current));
	s->procs[0].id = opener;
}

void hostcall_subjects_end(struct hostcall_subjects *s)
{
	int i;

	for (i = 0; i < HOSTCALL_PROCS_MAX; i++) {
		if (!s->procs[i].pid)
			continue;
		hostcall_post_bye(s->tp, s->procs[i].id);
		put_pid(s->procs[i].pid);
		s->procs[i].pid = NULL;
	}
}

/* Called with s->lock held. Returns: the index of @pid's entry, or -1. */
static int hostcall_subject_find(struct hostcall_subjects *s, struct pid *pid)
{
	int i;

	for (i = 0; i < HOSTCALL_PROCS_MAX; i++)
		if (s->procs[i].pid == pid)
			return i;
	return -1;
}

/*
 * The entry of the nearest ancestor of the current process that has one,
 * else the opener's; marked busy so that it stays while it is forked.
 */
static int hostcall_subject_parent(struct hostcall_subjects *s)
{
	struct task_struct *t = current;
	int depth, i = -1;

	rcu_read_lock();
	spin_lock(&s->lock);
	for (depth = 0; depth < HOSTCALL_ANCESTORS_MAX && i < 0; depth++) {
		struct task_struct *p = rcu_dereference(t->real_parent);

		if (!p || p == t || is_global_init(p))
			break;
		t = p;
		i = hostcall_subject_find(s, task_tgid(t));
	}
	if (i < 0)
		i = 0;
	s->procs[i].busy++;
	spin_unlock(&s->lock);
	rcu_read_unlock();
	return i;
}

/*
 * Drop one entry of a process that is gone (reaped) and not in a call, and
 * end its subject. Called with s->fork_lock held.
 * Returns: whether there was one.
 */
static bool hostcall_subject_reap_one(struct hostcall_subjects *s)
{
	struct pid *gone = NULL;
	u32 id = 0;
	int i;

	spin_lock(&s->lock);
	for (i = 1; i < HOSTCALL_PROCS_MAX && !gone; i++) {
		struct hostcall_proc *e = &s->procs[i];

		if (!e->pid || e->busy || pid_has_task(e->pid, PIDTYPE_TGID))
			continue;
		gone = e->pid;
		id = e->id;
		e->pid = NULL;
	}
	spin_unlock(&s->lock);
	if (!gone)
		return false;
	put_pid(gone);
	hostcall_post_bye(s->tp, id);
	return true;
}

/*
 * A process without a subject makes its first call: it inherited the file
 * (fork) or received it. Its subject is a fork of its parent's, made now.
 * Returns: the new entry's index (busy), or -errno.
 */
static int hostcall_subject_new(struct hostcall_subjects *s, struct pid *me)
{
	int i, parent, id, free = -1;

	if (mutex_lock_killable(&s->fork_lock))
		return -EINTR;
	spin_lock(&s->lock);
	i = hostcall_subject_find(s, me);	/* another thread of ours was first */
	if (i >= 0)
		s->procs[i].busy++;
	spin_unlock(&s->lock);
	if (i >= 0)
		goto out_unlock;

	while (hostcall_subject_reap_one(s))
		;
	spin_lock(&s->lock);
	for (i = 1; i < HOSTCALL_PROCS_MAX && free < 0; i++)
		if (!s->procs[i].pid)
			free = i;
	spin_unlock(&s->lock);
	if (free < 0) {
		i = -EMFILE;	/* too many live processes share the file */
		goto out_unlock;
	}

	parent = hostcall_subject_parent(s);
	id = hostcall_fork_subject(s->tp, s->procs[parent].id);
	spin_lock(&s->lock);
	s->procs[parent].busy--;
	if (id > 0) {
		/* entries are taken only under fork_lock: @free is still free */
		s->procs[free].pid = get_pid(me);
		s->procs[free].id = id;
		s->procs[free].busy = 1;
	}
	spin_unlock(&s->lock);
	i = id > 0 ? free : id;
out_unlock:
	mutex_unlock(&s->fork_lock);
	return i;
}

int hostcall_subject_get(struct hostcall_subjects *s, u32 *id)
{
	struct pid *me = task_tgid(current);
	int i;

	spin_lock(&s->lock);
	i = hostcall_subject_find(s, me);
	if (i >= 0)
		s->procs[i].busy++;
	spin_unlock(&s->lock);
	if (i < 0)
		i = hostcall_subject_new(s, me);
	if (i >= 0)
		*id = s->procs[i].id;	/* fixed while busy */
	return i;
}

void hostcall_subject_put(struct hostcall_subjects *s, int i)
{
	spin_lock(&s->lock);
	s->procs[i].busy--;
	spin_unlock(&s->lock);
}
