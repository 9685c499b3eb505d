// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostfs handles per inode: no path crosses the wire. Each subject of a
 * mount (the mounter's, and one per credential set when guest users are
 * host users) names a host file by a handle of its own, which LOOKUP of
 * (directory handle, name) gives and the host keeps as an O_PATH fd, one
 * per host inode, counted: every LOOKUP that returns it counts once, and
 * when the guest evicts the inode it gives the count back with FORGET
 * (queued, and sent in batches by a work item), so the host's fds follow
 * what the guest caches. The root of the mount is every subject's working
 * directory, HC_AT_FDCWD.
 *
 * A subject that needs the handle of an inode it has not looked up yet (a
 * directory another user walked into, say) looks it up itself, from the
 * nearest ancestor it has a handle of: so the host checks its search
 * permission on every step, as for a walk of its own.
 */
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "hcfs.h"

/* Records one FORGET carries at most: a page of them. */
#define HCFS_FORGET_BATCH	(PAGE_SIZE / HC_FORGET_REC)

/* The mount's root is every subject's working directory: HC_AT_FDCWD. */
static bool hcfs_is_root(struct inode *inode)
{
	struct dentry *root = inode->i_sb->s_root;

	return root && inode == d_inode(root);
}

bool hcfs_ih_find(struct inode *inode, struct hcfs_conn *c, s32 *h)
{
	struct hcfs_inode *hi = HCFS_I(inode);
	struct hcfs_ih *ih;
	bool found = false;

	if (hcfs_is_root(inode)) {
		*h = HC_AT_FDCWD;
		return true;
	}
	spin_lock(&hi->lock);
	for (ih = hi->ih; ih; ih = ih->next) {
		if (ih->conn == c) {
			*h = ih->handle;
			found = true;
			break;
		}
	}
	spin_unlock(&hi->lock);
	return found;
}

bool hcfs_ih_any(struct inode *inode, struct hcfs_conn **c, s32 *h)
{
	struct hcfs_inode *hi = HCFS_I(inode);
	bool found = false;

	spin_lock(&hi->lock);
	if (hi->ih) {
		*c = hi->ih->conn;
		*h = hi->ih->handle;
		found = true;
	}
	spin_unlock(&hi->lock);
	return found;
}

/* Queue a FORGET of @count lookups of @c's @handle; takes @ih (or makes one). */
static void hcfs_forget_queue(struct hcfs_sb_info *sbi, struct hcfs_ih *ih)
{
	spin_lock(&sbi->forget_lock);
	if (sbi->dying) {
		/* the unmount's BYE releases every handle at once */
		spin_unlock(&sbi->forget_lock);
		kfree(ih);
		return;
	}
	ih->next = sbi->forgets;
	sbi->forgets = ih;
	spin_unlock(&sbi->forget_lock);
	schedule_work(&sbi->forget_work);
}

void hcfs_forget_one(struct hcfs_sb_info *sbi, struct hcfs_conn *c, u32 handle)
{
	struct hcfs_ih *ih = kmalloc(sizeof(*ih), GFP_KERNEL | __GFP_NOFAIL);

	ih->conn = c;
	ih->handle = handle;
	ih->nlookup = 1;
	hcfs_forget_queue(sbi, ih);
}

void hcfs_ih_add(struct inode *inode, struct hcfs_conn *c, u32 handle)
{
	struct hcfs_sb_info *sbi = HCFS_SB(inode->i_sb);
	struct hcfs_inode *hi = HCFS_I(inode);
	struct hcfs_ih *ih, *new;

	if (hcfs_is_root(inode)) {
		/* the root is HC_AT_FDCWD: a handle of it is not needed */
		hcfs_forget_one(sbi, c, handle);
		return;
	}
	new = kmalloc(sizeof(*new), GFP_KERNEL);
	spin_lock(&hi->lock);
	for (ih = hi->ih; ih; ih = ih->next)
		if (ih->conn == c)
			break;
	if (ih && ih->handle == handle) {
		ih->nlookup++;
		handle = HC_HANDLE_NONE;
	} else if (!ih && new) {
		new->conn = c;
		new->handle = handle;
		new->nlookup = 1;
		new->next = hi->ih;
		hi->ih = new;
		new = NULL;
		handle = HC_HANDLE_NONE;
	}
	spin_unlock(&hi->lock);
	kfree(new);
	/* another handle of an inode the subject has one of, or no memory */
	if (handle != HC_HANDLE_NONE)
		hcfs_forget_one(sbi, c, handle);
}

void hcfs_ih_evict(struct inode *inode)
{
	struct hcfs_sb_info *sbi = HCFS_SB(inode->i_sb);
	struct hcfs_inode *hi = HCFS_I(inode);
	struct hcfs_ih *ih, *next;

	spin_lock(&hi->lock);
	ih = hi->ih;
	hi->ih = NULL;
	spin_unlock(&hi->lock);
	for (; ih; ih = next) {
		next = ih->next;
		hcfs_forget_queue(sbi, ih);
	}
}

/* Send the queued FORGETs, a batch per subject at a time. */
static void hcfs_forget_work(struct work_struct *work)
{
	struct hcfs_sb_info *sbi = container_of(work, struct hcfs_sb_info,
						forget_work);
	struct hcfs_ih *list, *ih, **pp;
	struct hcfs_conn *c;
	unsigned int n;
	__le32 *rec;

	rec = kmalloc(HCFS_FORGET_BATCH * HC_FORGET_REC, GFP_KERNEL | __GFP_NOFAIL);
	spin_lock(&sbi->forget_lock);
	list = sbi->forgets;
	sbi->forgets = NULL;
	spin_unlock(&sbi->forget_lock);
	while (list) {
		c = list->conn;
		n = 0;
		for (pp = &list; *pp && n < HCFS_FORGET_BATCH;) {
			ih = *pp;
			if (ih->conn != c) {
				pp = &ih->next;
				continue;
			}
			rec[2 * n] = cpu_to_le32(ih->handle);
			rec[2 * n + 1] = cpu_to_le32(ih->nlookup);
			n++;
			*pp = ih->next;
			kfree(ih);
		}
		hcfs_client_forget(c, rec, n * HC_FORGET_REC);
	}
	kfree(rec);
}

void hcfs_forget_init(struct hcfs_sb_info *sbi)
{
	spin_lock_init(&sbi->forget_lock);
	INIT_WORK(&sbi->forget_work, hcfs_forget_work);
}

void hcfs_forget_stop(struct hcfs_sb_info *sbi)
{
	struct hcfs_ih *ih, *next;

	spin_lock(&sbi->forget_lock);
	sbi->dying = true;
	ih = sbi->forgets;
	sbi->forgets = NULL;
	spin_unlock(&sbi->forget_lock);
	cancel_work_sync(&sbi->forget_work);
	for (; ih; ih = next) {
		next = ih->next;
		kfree(ih);
	}
}

static void hcfs_forget_flush(struct hcfs_sb_info *sbi)
{
	flush_work(&sbi->forget_work);
}

int hcfs_lookup_at(struct super_block *sb, struct hcfs_conn *c, s32 dirh,
		   const char *name, struct hc_stat *st, u32 *handle)
{
	int err = hcfs_client_lookup(c, dirh, name, st, handle);

	if (err != -EMFILE)
		return err;
	/*
	 * The host's table of this subject's handles is full: let go of the
	 * dentries (and so inodes) nobody uses, give their handles back, and
	 * try once more.
	 */
	shrink_dcache_sb(sb);
	hcfs_forget_flush(HCFS_SB(sb));
	return hcfs_client_lookup(c, dirh, name, st, handle);
}

bool hcfs_confirm(struct super_block *sb, struct inode *inode,
		  struct hcfs_conn *c, const struct hc_stat *st, u32 handle)
{
	if (!inode || !hcfs_same(inode, st)) {
		hcfs_forget_one(HCFS_SB(sb), c, handle);
		return false;
	}
	hcfs_update(inode, st);
	hcfs_ih_add(inode, c, handle);
	return true;
}

/*
 * @c's handle of @d's inode, looked up in the directory of handle @dirh by
 * @d's name, which must still name that inode (else -ESTALE).
 */
static int hcfs_relookup(struct dentry *d, struct hcfs_conn *c, s32 dirh, s32 *h)
{
	struct inode *inode = d_inode(d);
	struct name_snapshot name;
	struct hc_stat st;
	u32 handle;
	int err;

	take_dentry_name_snapshot(&name, d);
	err = hcfs_lookup_at(d->d_sb, c, dirh, name.name.name, &st, &handle);
	release_dentry_name_snapshot(&name);
	if (err)
		return err == -ENOENT ? -ESTALE : err;
	if (!hcfs_confirm(d->d_sb, inode, c, &st, handle))
		return -ESTALE;
	*h = handle;
	return 0;
}

int hcfs_dhandle(struct dentry *dentry, struct hcfs_conn *c, s32 *hp)
{
	struct dentry **chain = NULL, **more, *d;
	unsigned int n = 0, cap = 0;
	int err = 0;
	s32 h;

	d = dget(dentry);
	while (!hcfs_ih_find(d_inode(d), c, &h)) {
		if (IS_ROOT(d) || d_really_is_negative(d)) {
			dput(d);
			err = -ESTALE;
			goto out;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			more = krealloc(chain, cap * sizeof(*chain), GFP_KERNEL);
			if (!more) {
				dput(d);
				err = -ENOMEM;
				goto out;
			}
			chain = more;
		}
		chain[n++] = d;
		d = dget_parent(d);
	}
	dput(d);
	/* down again, from the nearest ancestor this subject has a handle of */
	while (n && !err) {
		d = chain[--n];
		err = hcfs_relookup(d, c, h, &h);
		dput(d);
	}
out:
	while (n)
		dput(chain[--n]);
	kfree(chain);
	if (!err)
		*hp = h;
	return err;
}
