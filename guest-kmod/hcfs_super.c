// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostfs super block: mount options, the mount's subject (HELLO at mount,
 * BYE at unmount), the root inode, statfs, and the file system type.
 */
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/statfs.h>

#include "hcfs.h"
#include "../proto/hostcall_dev.h"

static struct kmem_cache *hcfs_inode_cachep;

enum { Opt_root, Opt_cache, Opt_ttl, Opt_symlinks, Opt_acl };

static const struct constant_table hcfs_param_cache[] = {
	{ "none",	HCFS_CACHE_NONE },
	{ "ttl",	HCFS_CACHE_TTL },
	{ "loose",	HCFS_CACHE_LOOSE },
	{}
};

static const struct constant_table hcfs_param_symlinks[] = {
	{ "mount",	0 },
	{ "raw",	1 },
	{}
};

static const struct fs_parameter_spec hcfs_fs_parameters[] = {
	fsparam_string("root", Opt_root),
	fsparam_enum("cache", Opt_cache, hcfs_param_cache),
	fsparam_u32("ttl", Opt_ttl),
	fsparam_enum("symlinks", Opt_symlinks, hcfs_param_symlinks),
	fsparam_flag_no("acl", Opt_acl),
	{}
};

/* An hour: longer would be cache=loose by another name. */
#define HCFS_TTL_MAX_MS		3600000

static int hcfs_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct hcfs_sb_info *sbi = fc->s_fs_info;
	struct fs_parse_result result;
	int opt;

	opt = fs_parse(fc, hcfs_fs_parameters, param, &result);
	if (opt < 0)
		return opt;
	switch (opt) {
	case Opt_root:
		if (!*param->string || strlen(param->string) > HC_PATH_MAX)
			return invalfc(fc, "root= must name a host directory");
		kfree(sbi->root);
		sbi->root = param->string;
		param->string = NULL;
		break;
	case Opt_cache:
		sbi->cache = result.uint_32;
		break;
	case Opt_ttl:
		if (result.uint_32 > HCFS_TTL_MAX_MS)
			return invalfc(fc, "ttl= is at most %u ms",
				       HCFS_TTL_MAX_MS);
		sbi->ttl_ms = result.uint_32;
		break;
	case Opt_symlinks:
		sbi->raw_links = result.uint_32;
		break;
	case Opt_acl:
		sbi->noacl = result.negated;
		break;
	}
	return 0;
}

static struct inode *hcfs_alloc_inode(struct super_block *sb)
{
	struct hcfs_inode *hi;

	hi = alloc_inode_sb(sb, hcfs_inode_cachep, GFP_KERNEL);
	if (!hi)
		return NULL;
	hi->host_ino = 0;
	hi->host_dev = 0;
	hi->host_mode = 0;
	hi->blksize = 0;
	hi->has_btime = false;
	hi->attr_time = 0;
	hi->attr_valid = false;
	hi->data_mtime.tv_sec = 0;
	hi->data_mtime.tv_nsec = 0;
	hi->data_size = 0;
	hi->own_change = false;
	hi->ih = NULL;
	return &hi->vfs_inode;
}

static void hcfs_free_inode(struct inode *inode)
{
	kmem_cache_free(hcfs_inode_cachep, HCFS_I(inode));
}

static void hcfs_evict_inode(struct inode *inode)
{
	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	hcfs_ih_evict(inode);
}

static int hcfs_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	struct hcfs_conn *c = hcfs_conn(d_inode(dentry));
	struct hc_statfs sfs;
	int err;
	s32 h;

	err = hcfs_dhandle(dentry, c, &h);
	if (!err)
		err = hcfs_client_statfs(c, h, &sfs);
	if (err)
		return err;
	buf->f_type = HOSTCALL_FS_MAGIC;
	buf->f_bsize = sfs.bsize;
	buf->f_frsize = sfs.frsize;
	buf->f_blocks = sfs.blocks;
	buf->f_bfree = sfs.bfree;
	buf->f_bavail = sfs.bavail;
	buf->f_files = sfs.files;
	buf->f_ffree = sfs.ffree;
	buf->f_fsid.val[0] = lower_32_bits(sfs.fsid);
	buf->f_fsid.val[1] = upper_32_bits(sfs.fsid);
	buf->f_namelen = min_t(u64, sfs.namelen, HC_NAME_MAX);
	return 0;
}

static int hcfs_show_options(struct seq_file *m, struct dentry *root)
{
	struct hcfs_sb_info *sbi = HCFS_SB(root->d_sb);

	if (sbi->root)
		seq_show_option(m, "root", sbi->root);
	if (sbi->cache != HCFS_CACHE_TTL)
		seq_printf(m, ",cache=%s", sbi->cache == HCFS_CACHE_NONE ?
			   "none" : "loose");
	else if (sbi->ttl_ms != HCFS_TTL_DEFAULT_MS)
		seq_printf(m, ",ttl=%u", sbi->ttl_ms);
	if (sbi->raw_links)
		seq_puts(m, ",symlinks=raw");
	if (sbi->noacl)
		seq_puts(m, ",noacl");
	return 0;
}

/*
 * sync(2) and syncfs(2): the guest has written everything through already
 * (dirty mmap pages were written back before this, with wait=1), so what is
 * left is the host's own page cache: syncfs() of the host file system.
 */
static int hcfs_sync_fs(struct super_block *sb, int wait)
{
	struct hcfs_sb_info *sbi = HCFS_SB(sb);
	int err;

	if (!wait || !(READ_ONCE(sbi->conn.tp->caps) & HC_CAP_HOSTCOPY))
		return 0;
	err = hcfs_client_syncfs(&sbi->conn, HC_AT_FDCWD);
	return err == -EOPNOTSUPP ? 0 : err;
}

static const struct super_operations hcfs_sops = {
	.alloc_inode	= hcfs_alloc_inode,
	.free_inode	= hcfs_free_inode,
	/*
	 * An inode no dentry or file uses goes at once, as in FUSE: its handles
	 * go back to the host with it, so the host's fds follow the dcache.
	 */
	.drop_inode	= generic_delete_inode,
	.evict_inode	= hcfs_evict_inode,
	.statfs		= hcfs_statfs,
	.sync_fs	= hcfs_sync_fs,
	.show_options	= hcfs_show_options,
};

/* The subject, its working directory, and the root inode. */
/* The caller's first hostcall on @sbi with credentials of its own. */
static struct hcfs_conn *hcfs_conn_new(struct hcfs_sb_info *sbi,
				       const struct cred *cred)
{
	struct hcfs_idconn *e;
	unsigned int i;
	int err;

	mutex_lock(&sbi->ids_lock);
	for (i = 0; i < sbi->nids; i++)
		if (hostcall_cred_same(sbi->ids[i].cred, cred))
			goto out;	/* another task was first */
	if (sbi->nids == HCFS_IDS_MAX) {
		pr_warn_ratelimited("hostfs: subject %u: more than %u sets of credentials use the mount: uid %u gets EACCES\n",
				    sbi->conn.subject, HCFS_IDS_MAX,
				    from_kuid_munged(&init_user_ns, cred->fsuid));
		mutex_unlock(&sbi->ids_lock);
		return &sbi->denied;
	}
	e = &sbi->ids[i];
	e->c.tp = sbi->conn.tp;
	e->c.flags = 0;
	err = hcfs_client_hello_cred(&e->c);
	if (!err)
		err = hcfs_client_chdir(&e->c, sbi->root_abs);
	if (err) {
		pr_warn_ratelimited("hostfs: subject %u: no subject for uid %u (%pe): its calls get EACCES\n",
				    sbi->conn.subject,
				    from_kuid_munged(&init_user_ns, cred->fsuid),
				    ERR_PTR(err));
		hcfs_client_bye(&e->c);
		mutex_unlock(&sbi->ids_lock);
		return &sbi->denied;
	}
	e->cred = get_cred(cred);
	/* Pairs with hcfs_conn_sb()'s acquire: the entry is whole first. */
	smp_store_release(&sbi->nids, sbi->nids + 1);
out:
	mutex_unlock(&sbi->ids_lock);
	return &sbi->ids[i].c;
}

struct hcfs_conn *hcfs_conn_sb(struct hcfs_sb_info *sbi)
{
	const struct cred *cred = current_cred();
	unsigned int i, n;

	if (!sbi->per_cred)
		return &sbi->conn;
	/* Pairs with hcfs_conn_new()'s release: entries below @n are whole. */
	n = smp_load_acquire(&sbi->nids);
	for (i = 0; i < n; i++)
		if (hostcall_cred_same(sbi->ids[i].cred, cred))
			return &sbi->ids[i].c;
	return hcfs_conn_new(sbi, cred);
}

static int hcfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	/* sget_fc() moved the options from fc->s_fs_info */
	struct hcfs_sb_info *sbi = HCFS_SB(sb);
	const char *root = sbi->root ? sbi->root : "/";
	struct hc_stat st;
	struct inode *inode;
	int err;

	sbi->ttl = msecs_to_jiffies(sbi->ttl_ms);

	sbi->conn.tp = hostcall_transport_get();
	if (!sbi->conn.tp) {
		errorfc(fc, "no hostcall transport: the VM needs an ivshmem-doorbell device served by hostcalld --ivshmem");
		return -ENODEV;
	}
	err = hcfs_client_hello(&sbi->conn);
	if (err == -EPROTONOSUPPORT) {
		errorfc(fc, "hostcalld speaks an older protocol than version %u: update hostcalld",
			HC_PROTO_VERSION_MIN);
		return err;
	}
	if (err) {
		errorfc(fc, "the host refused a new subject (HELLO: %pe)",
			ERR_PTR(err));
		return err;
	}
	if (!(READ_ONCE(sbi->conn.tp->caps) & HC_CAP_LOOKUP)) {
		errorfc(fc, "hostcalld has no inode handles (HC_CAP_LOOKUP): update hostcalld");
		return -EPROTONOSUPPORT;
	}
	err = hcfs_client_chdir(&sbi->conn, root);
	if (!err)
		err = hcfs_client_stat(&sbi->conn, HC_AT_FDCWD, &st);
	/* guest users are host users: callers act as their credentials */
	if (!err && READ_ONCE(sbi->conn.tp->caps) & HC_CAP_IDENTITY) {
		sbi->ids = kcalloc(HCFS_IDS_MAX, sizeof(*sbi->ids), GFP_KERNEL);
		sbi->denied.tp = sbi->conn.tp;
		sbi->denied.io_max = sbi->conn.io_max;
		set_bit(HCFS_CONN_DENIED, &sbi->denied.flags);
		err = sbi->ids ? hcfs_client_getcwd(&sbi->conn, &sbi->root_abs) : -ENOMEM;
		sbi->per_cred = !err;
	}
	if (!err && !S_ISDIR(st.mode))
		err = -ENOTDIR;
	if (err) {
		errorfc(fc, "root=%s: %pe on the host", root, ERR_PTR(err));
		return err;
	}

	sb->s_magic = HOSTCALL_FS_MAGIC;
	sb->s_op = &hcfs_sops;
	sb->s_d_op = &hcfs_dentry_ops;
	sb->s_xattr = hcfs_xattr_handlers;
	/* the host applies default ACLs, and the umask where there is none */
	if (!sbi->noacl)
		sb->s_flags |= SB_POSIXACL;
	sb->s_maxbytes = MAX_LFS_FILESIZE;
	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_time_gran = 1;
	/* Host device nodes are not the guest's devices: never open them. */
	sb->s_iflags |= SB_I_NODEV;
	err = super_setup_bdi(sb);
	if (err)
		return err;

	inode = hcfs_iget(sb, &st);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	sb->s_root = d_make_root(inode);
	if (!sb->s_root)
		return -ENOMEM;
	return 0;
}

static int hcfs_get_tree(struct fs_context *fc)
{
	return get_tree_nodev(fc, hcfs_fill_super);
}

static void hcfs_free_sbi(struct hcfs_sb_info *sbi)
{
	if (!sbi)
		return;
	if (sbi->conn.tp) {
		unsigned int i;

		for (i = 0; i < sbi->nids; i++) {
			hcfs_client_bye(&sbi->ids[i].c);
			put_cred(sbi->ids[i].cred);
		}
		kfree(sbi->ids);
		kfree(sbi->root_abs);
		hcfs_client_bye(&sbi->conn);
		hostcall_transport_put(sbi->conn.tp);
	}
	kfree(sbi->root);
	kfree(sbi);
}

static void hcfs_free_fc(struct fs_context *fc)
{
	hcfs_free_sbi(fc->s_fs_info);
}

static const struct fs_context_operations hcfs_context_ops = {
	.parse_param	= hcfs_parse_param,
	.get_tree	= hcfs_get_tree,
	.free		= hcfs_free_fc,
};

static int hcfs_init_fs_context(struct fs_context *fc)
{
	struct hcfs_sb_info *sbi;

	sbi = kzalloc(sizeof(*sbi), GFP_KERNEL);
	if (!sbi)
		return -ENOMEM;
	mutex_init(&sbi->ids_lock);
	hcfs_forget_init(sbi);
	sbi->cache = HCFS_CACHE_TTL;
	sbi->ttl_ms = HCFS_TTL_DEFAULT_MS;
	fc->s_fs_info = sbi;
	fc->ops = &hcfs_context_ops;
	return 0;
}

static void hcfs_kill_sb(struct super_block *sb)
{
	struct hcfs_sb_info *sbi = HCFS_SB(sb);

	/* the BYEs give back the handles of the inodes evicted now */
	if (sbi)
		hcfs_forget_stop(sbi);
	kill_anon_super(sb);
	hcfs_free_sbi(sbi);
}

static struct file_system_type hcfs_fs_type = {
	.owner			= THIS_MODULE,
	.name			= "hostfs",
	.init_fs_context	= hcfs_init_fs_context,
	.parameters		= hcfs_fs_parameters,
	.kill_sb		= hcfs_kill_sb,
};
MODULE_ALIAS_FS("hostfs");

struct vfsmount *hcfs_kern_mount(void)
{
	/* parsed in place (strsep), so not a string literal */
	char opts[] = "symlinks=raw,cache=none";

	return vfs_kern_mount(&hcfs_fs_type, SB_KERNMOUNT, "hostcall", opts);
}

static void hcfs_inode_init_once(void *p)
{
	struct hcfs_inode *hi = p;

	spin_lock_init(&hi->lock);
	INIT_LIST_HEAD(&hi->files);
	inode_init_once(&hi->vfs_inode);
}

int hcfs_fs_init(void)
{
	int err;

	hcfs_inode_cachep = kmem_cache_create("hostfs_inode",
					      sizeof(struct hcfs_inode), 0,
					      SLAB_RECLAIM_ACCOUNT |
					      SLAB_ACCOUNT,
					      hcfs_inode_init_once);
	if (!hcfs_inode_cachep)
		return -ENOMEM;
	err = register_filesystem(&hcfs_fs_type);
	if (err)
		goto err_cache;
	return 0;

err_cache:
	kmem_cache_destroy(hcfs_inode_cachep);
	return err;
}

void hcfs_fs_exit(void)
{
	unregister_filesystem(&hcfs_fs_type);
	/* inodes are freed after an RCU grace period */
	rcu_barrier();
	kmem_cache_destroy(hcfs_inode_cachep);
}
