// SPDX-License-Identifier: GPL-2.0-only
/*
 * The subjects of one open of /dev/hostcall: the opener's from HELLO, and
 * for each process that uses the file later (a forked child, or one that
 * received the fd) a subject forked from its nearest ancestor's at its
 * first call. Entries of processes that are gone are dropped (BYE) when a
 * new process needs one.
 */
#include <linux/cred.h>
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
	if (READ_ONCE(tp->caps) & HC_CAP_IDENTITY)
		s->procs[0].cred = get_current_cred();
}

bool hostcall_cred_same(const struct cred *a, const struct cred *b)
{
	const struct group_info *ga = a->group_info, *gb = b->group_info;
	int i;

	if (!uid_eq(a->fsuid, b->fsuid) || !gid_eq(a->fsgid, b->fsgid))
		return false;
	if (ga == gb)
		return true;
	if (ga->ngroups != gb->ngroups)
		return false;
	/* set_groups() sorts them */
	for (i = 0; i < ga->ngroups; i++)
		if (!gid_eq(ga->gid[i], gb->gid[i]))
			return false;
	return true;
}

/* Whether entry @e acts as the calling task's identity (always, without). */
static bool hostcall_subject_same_cred(const struct hostcall_proc *e)
{
	return !e->cred || hostcall_cred_same(e->cred, current_cred());
}

static void hostcall_subject_drop(struct hostcall_proc *e)
{
	put_pid(e->pid);
	e->pid = NULL;
	if (e->cred)
		put_cred(e->cred);
	e->cred = NULL;
}

void hostcall_subjects_end(struct hostcall_subjects *s)
{
	int i;

	for (i = 0; i < HOSTCALL_PROCS_MAX; i++) {
		if (!s->procs[i].pid)
			continue;
		hostcall_post_bye(s->tp, s->procs[i].id);
		hostcall_subject_drop(&s->procs[i]);
	}
}

/*
 * Called with s->lock held. Returns: the index of @pid's entry that acts as
 * the calling task's credentials, or -1.
 */
static int hostcall_subject_find(struct hostcall_subjects *s, struct pid *pid)
{
	int i;

	for (i = 0; i < HOSTCALL_PROCS_MAX; i++)
		if (s->procs[i].pid == pid && hostcall_subject_same_cred(&s->procs[i]))
			return i;
	return -1;
}

/* Called with s->lock held: @pid's entry of any credentials, or -1. */
static int hostcall_subject_find_any(struct hostcall_subjects *s, struct pid *pid)
{
	int i, any = -1;

	for (i = 0; i < HOSTCALL_PROCS_MAX; i++)
		if (s->procs[i].pid == pid)
			any = i;	/* the last made: the newest credentials */
	return any;
}

/*
 * The entry a new subject of the current process starts from: its own of
 * other credentials (they changed), else the nearest ancestor's, else the
 * opener's; marked busy so that it stays while it is forked.
 */
static int hostcall_subject_parent(struct hostcall_subjects *s)
{
	struct task_struct *t = current;
	int depth, i;

	rcu_read_lock();
	spin_lock(&s->lock);
	i = hostcall_subject_find_any(s, task_tgid(t));
	for (depth = 0; depth < HOSTCALL_ANCESTORS_MAX && i < 0; depth++) {
		struct task_struct *p = rcu_dereference(t->real_parent);

		if (!p || p == t || is_global_init(p))
			break;
		t = p;
		i = hostcall_subject_find_any(s, task_tgid(t));
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
	struct hostcall_proc gone = { };
	int i;

	spin_lock(&s->lock);
	for (i = 1; i < HOSTCALL_PROCS_MAX && !gone.pid; i++) {
		struct hostcall_proc *e = &s->procs[i];

		if (!e->pid || e->busy || pid_has_task(e->pid, PIDTYPE_TGID))
			continue;
		gone = *e;
		e->pid = NULL;
		e->cred = NULL;
	}
	spin_unlock(&s->lock);
	if (!gone.pid)
		return false;
	hostcall_subject_drop(&gone);
	hostcall_post_bye(s->tp, gone.id);
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
	if (hostcall_subject_same_cred(&s->procs[parent]))
		id = hostcall_fork_subject(s->tp, s->procs[parent].id);
	else
		id = hostcall_subject_as_of(s->tp, s->procs[parent].id);
	spin_lock(&s->lock);
	s->procs[parent].busy--;
	if (id > 0) {
		/* entries are taken only under fork_lock: @free is still free */
		s->procs[free].pid = get_pid(me);
		s->procs[free].id = id;
		s->procs[free].busy = 1;
		s->procs[free].cred = s->procs[0].cred ? get_current_cred() : NULL;
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
