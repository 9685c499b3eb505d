// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostfs super block: mount options, the mount's subject (HELLO at mount,
 * BYE at unmount), the root inode, statfs, and the file system type.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/jiffies.h>
#include <linux/magic.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/statfs.h>

#include "hcfs.h"

static struct kmem_cache *hfs_inode_cachep;

enum { Opt_root, Opt_cache, Opt_ttl, Opt_symlinks };

static const struct constant_table hfs_param_cache[] = {
	{ "none",	HFS_CACHE_NONE },
	{ "ttl",	HFS_CACHE_TTL },
	{ "loose",	HFS_CACHE_LOOSE },
	{}
};

static const struct constant_table hfs_param_symlinks[] = {
	{ "mount",	0 },
	{ "raw",	1 },
	{}
};

static const struct fs_parameter_spec hfs_fs_parameters[] = {
	fsparam_string("root", Opt_root),
	fsparam_enum("cache", Opt_cache, hfs_param_cache),
	fsparam_u32("ttl", Opt_ttl),
	fsparam_enum("symlinks", Opt_symlinks, hfs_param_symlinks),
	{}
};

/* An hour: longer would be cache=loose by another name. */
#define HFS_TTL_MAX_MS		3600000

static int hfs_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct hfs_sb_info *sbi = fc->s_fs_info;
	struct fs_parse_result result;
	int opt;

	opt = fs_parse(fc, hfs_fs_parameters, param, &result);
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
		if (result.uint_32 > HFS_TTL_MAX_MS)
			return invalfc(fc, "ttl= is at most %u ms", HFS_TTL_MAX_MS);
		sbi->ttl_ms = result.uint_32;
		break;
	case Opt_symlinks:
		sbi->raw_links = result.uint_32;
		break;
	}
	return 0;
}

static struct inode *hfs_alloc_inode(struct super_block *sb)
{
	struct hfs_inode *hi;

	hi = alloc_inode_sb(sb, hfs_inode_cachep, GFP_KERNEL);
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
	return &hi->vfs_inode;
}

static void hfs_free_inode(struct inode *inode)
{
	kmem_cache_free(hfs_inode_cachep, HFS_I(inode));
}

static void hfs_evict_inode(struct inode *inode)
{
	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
}

static int hfs_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	struct hc_statfs sfs;
	const char *path;
	char *pbuf;
	int err;

	path = hfs_path_get(dentry, &pbuf);
	if (IS_ERR(path))
		return PTR_ERR(path);
	err = hfs_client_statfs(hfs_conn(d_inode(dentry)), path, &sfs);
	hfs_path_put(pbuf);
	if (err)
		return err;
	buf->f_type = HOSTFS_SUPER_MAGIC;
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

static int hfs_show_options(struct seq_file *m, struct dentry *root)
{
	struct hfs_sb_info *sbi = HFS_SB(root->d_sb);

	if (sbi->root)
		seq_show_option(m, "root", sbi->root);
	if (sbi->cache != HFS_CACHE_TTL)
		seq_printf(m, ",cache=%s", sbi->cache == HFS_CACHE_NONE ?
			   "none" : "loose");
	else if (sbi->ttl_ms != HFS_TTL_DEFAULT_MS)
		seq_printf(m, ",ttl=%u", sbi->ttl_ms);
	if (sbi->raw_links)
		seq_puts(m, ",symlinks=raw");
	return 0;
}

static const struct super_operations hfs_sops = {
	.alloc_inode	= hfs_alloc_inode,
	.free_inode	= hfs_free_inode,
	.evict_inode	= hfs_evict_inode,
	.statfs		= hfs_statfs,
	.show_options	= hfs_show_options,
};

/* The subject, its working directory, and the root inode. */
static int hfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	/* sget_fc() moved the options from fc->s_fs_info */
	struct hfs_sb_info *sbi = HFS_SB(sb);
	const char *root = sbi->root ? sbi->root : "/";
	struct hc_stat st;
	struct inode *inode;
	int err;

	sbi->ttl = msecs_to_jiffies(sbi->ttl_ms);

	sbi->conn.tp = hfs_transport_get();
	if (!sbi->conn.tp) {
		errorfc(fc, "no hostcall transport: the VM needs an ivshmem-doorbell device served by hostcalld --ivshmem");
		return -ENODEV;
	}
	err = hfs_client_hello(&sbi->conn);
	if (err) {
		errorfc(fc, "the host refused a new subject (HELLO: %pe)",
			ERR_PTR(err));
		return err;
	}
	err = hfs_client_chdir(&sbi->conn, root);
	if (!err)
		err = hfs_client_stat(&sbi->conn, 0, ".", &st);
	if (!err && !S_ISDIR(st.mode))
		err = -ENOTDIR;
	if (err) {
		errorfc(fc, "root=%s: %pe on the host", root, ERR_PTR(err));
		return err;
	}

	sb->s_magic = HOSTFS_SUPER_MAGIC;
	sb->s_op = &hfs_sops;
	sb->s_d_op = &hfs_dentry_ops;
	sb->s_xattr = hfs_xattr_handlers;
	sb->s_maxbytes = MAX_LFS_FILESIZE;
	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_time_gran = 1;
	/* Host device nodes are not the guest's devices: never open them. */
	sb->s_iflags |= SB_I_NODEV;
	err = super_setup_bdi(sb);
	if (err)
		return err;

	inode = hfs_iget(sb, &st);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	sb->s_root = d_make_root(inode);
	if (!sb->s_root)
		return -ENOMEM;
	return 0;
}

static int hfs_get_tree(struct fs_context *fc)
{
	return get_tree_nodev(fc, hfs_fill_super);
}

static void hfs_free_sbi(struct hfs_sb_info *sbi)
{
	if (!sbi)
		return;
	if (sbi->conn.tp) {
		hfs_client_bye(&sbi->conn);
		hfs_transport_put(sbi->conn.tp);
	}
	kfree(sbi->root);
	kfree(sbi);
}

static void hfs_free_fc(struct fs_context *fc)
{
	hfs_free_sbi(fc->s_fs_info);
}

static const struct fs_context_operations hfs_context_ops = {
	.parse_param	= hfs_parse_param,
	.get_tree	= hfs_get_tree,
	.free		= hfs_free_fc,
};

static int hfs_init_fs_context(struct fs_context *fc)
{
	struct hfs_sb_info *sbi;

	sbi = kzalloc(sizeof(*sbi), GFP_KERNEL);
	if (!sbi)
		return -ENOMEM;
	sbi->cache = HFS_CACHE_TTL;
	sbi->ttl_ms = HFS_TTL_DEFAULT_MS;
	fc->s_fs_info = sbi;
	fc->ops = &hfs_context_ops;
	return 0;
}

static void hfs_kill_sb(struct super_block *sb)
{
	struct hfs_sb_info *sbi = HFS_SB(sb);

	kill_anon_super(sb);
	hfs_free_sbi(sbi);
}

static struct file_system_type hfs_fs_type = {
	.owner			= THIS_MODULE,
	.name			= "hostfs",
	.init_fs_context	= hfs_init_fs_context,
	.parameters		= hfs_fs_parameters,
	.kill_sb		= hfs_kill_sb,
};
MODULE_ALIAS_FS("hostfs");

struct vfsmount *hfs_kern_mount(void)
{
	/* parsed in place (strsep), so not a string literal */
	char opts[] = "symlinks=raw,cache=none";

	return vfs_kern_mount(&hfs_fs_type, SB_KERNMOUNT, "hostcall", opts);
}

static void hfs_inode_init_once(void *p)
{
	struct hfs_inode *hi = p;

	spin_lock_init(&hi->lock);
	INIT_LIST_HEAD(&hi->files);
	inode_init_once(&hi->vfs_inode);
}

int hfs_fs_init(void)
{
	int err;

	hfs_inode_cachep = kmem_cache_create("hostfs_inode",
					     sizeof(struct hfs_inode), 0,
					     SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT,
					     hfs_inode_init_once);
	if (!hfs_inode_cachep)
		return -ENOMEM;
	err = register_filesystem(&hfs_fs_type);
	if (err)
		goto err_cache;
	return 0;

err_cache:
	kmem_cache_destroy(hfs_inode_cachep);
	return err;
}

void hfs_fs_exit(void)
{
	unregister_filesystem(&hfs_fs_type);
	/* inodes are freed after an RCU grace period */
	rcu_barrier();
	kmem_cache_destroy(hfs_inode_cachep);
}
