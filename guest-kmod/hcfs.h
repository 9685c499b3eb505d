/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostfs internals: the mount's connection to its shadow process, the
 * private parts of the VFS objects, and the client calls (one per hostcall)
 * that the VFS code makes instead of touching the wire format.
 */
#ifndef HCFS_H
#define HCFS_H

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uio.h>
#include <linux/workqueue.h>

#include "hostcall.h"

/*
 * The VFS interfaces that differ between the kernels Debian 12 offers (6.1
 * and 6.12); Kbuild finds out which the headers have (HOSTCALL_HAVE_*). Inode
 * operations take a struct mnt_idmap from 6.3 on.
 */
#ifdef HOSTCALL_HAVE_MNT_IDMAP
#define HCFS_IDMAP		struct mnt_idmap
#else
#define HCFS_IDMAP		struct user_namespace
#endif

/* struct file_lock keeps its common part in ->c from 6.9 on */
#ifdef HOSTCALL_HAVE_FILE_LOCK_CORE
#include <linux/filelock.h>
#define hcfs_fl_flags(fl)	((fl)->c.flc_flags)
#define hcfs_fl_type(fl)		((fl)->c.flc_type)
#define hcfs_fl_pid(fl)		((fl)->c.flc_pid)
#else
#define hcfs_fl_flags(fl)	((fl)->fl_flags)
#define hcfs_fl_type(fl)		((fl)->fl_type)
#define hcfs_fl_pid(fl)		((fl)->fl_pid)
#endif

static inline struct timespec64 hcfs_get_ctime(struct inode *inode)
{
#ifdef HOSTCALL_HAVE_CTIME_ACCESSOR
	return inode_get_ctime(inode);
#else
	return inode->i_ctime;
#endif
}

static inline void hcfs_set_times(struct inode *inode, struct timespec64 atime,
				  struct timespec64 mtime,
				 struct timespec64 ctime)
{
#ifdef HOSTCALL_HAVE_TIME_ACCESSORS
	inode_set_atime_to_ts(inode, atime);
	inode_set_mtime_to_ts(inode, mtime);
#else
	inode->i_atime = atime;
	inode->i_mtime = mtime;
#endif
#ifdef HOSTCALL_HAVE_CTIME_ACCESSOR
	inode_set_ctime_to_ts(inode, ctime);
#else
	inode->i_ctime = ctime;
#endif
}

static inline void hcfs_fillattr(HCFS_IDMAP *idmap, u32 request_mask,
				 struct inode *inode, struct kstat *stat)
{
#ifdef HOSTCALL_HAVE_FILLATTR_MASK
	generic_fillattr(idmap, request_mask, inode, stat);
#else
	generic_fillattr(idmap, inode, stat);
#endif
}

/* O_DIRECT is allowed: hcfs_file_read_iter/write_iter serve it. */
static inline void hcfs_allow_odirect(struct file *file)
{
#ifdef FMODE_CAN_ODIRECT
	file->f_mode |= FMODE_CAN_ODIRECT;
#endif
}

/*
 * Caching (mount option cache=, see guest-kmod/README.md):
 *   none   attributes and dentries are checked with the host on every use;
 *          read() and write() go to the host (mmap still uses page cache)
 *   ttl    attributes and dentries are trusted for ttl= ms (default 1000),
 *          file data while the host's mtime and size stay the same
 *   loose  attributes, dentries and data are trusted until evicted
 */
enum hcfs_cache {
	HCFS_CACHE_NONE,
	HCFS_CACHE_TTL,
	HCFS_CACHE_LOOSE,
};

#define HCFS_TTL_DEFAULT_MS	1000

/**
 * struct hcfs_conn - a subject of its own on the host: one per mount.
 * @tp: the transport (a reference)
 * @subject: the host's id of the subject, 0 before HELLO succeeded
 * @version: the protocol version in use
 * @io_max: data bytes one READ or WRITE carries, a multiple of PAGE_SIZE
 * @flags: HCFS_CONN_DEAD: the host stopped answering, the subject is gone
 *	for good (a new hostcalld knows nothing of it): every call fails at
 *	once with EIO
 */
struct hcfs_conn {
	struct hostcall_transport *tp;
	u32 subject;
	u32 version;
	size_t io_max;
	unsigned long flags;
};

#define HCFS_CONN_DEAD		0
#define HCFS_CONN_DENIED	1	/* no subject for these credentials: EACCES */

/* Credentials a mount keeps a subject for at most (HC_CAP_IDENTITY). */
#define HCFS_IDS_MAX		32

/* A subject of a mount for the callers of one set of credentials. */
struct hcfs_idconn {
	struct hcfs_conn c;
	const struct cred *cred;
};

/**
 * struct hcfs_sb_info - one mount.
 * @conn: its subject (the mounter's)
 * @per_cred: the host maps guest users to host users (HC_CAP_IDENTITY):
 *	callers act as subjects of their own credentials, @ids
 * @root_abs: the host path of the mount's root, where @ids start
 * @ids_lock: serialises making an entry of @ids
 * @ids: HCFS_IDS_MAX entries, @nids of them made (release store); an
 *	entry stays until the unmount, for the handles its subject opened
 * @denied: what callers whose subject could not be made get: EACCES
 * @root: root= as given (host directory, relative to the shadow's start
 *	directory unless absolute), or NULL for "/"
 * @cache: the caching mode
 * @ttl_ms: ttl= in ms
 * @ttl: the same in jiffies
 * @raw_links: symlinks=raw: absolute symlink targets are not rewritten
 * @noacl: noacl: no POSIX ACLs (the umask always applies, as without them)
 * @forget_lock: protects @forgets and @dying
 * @forgets: handles of evicted inodes to give back (hcfs_handle.c)
 * @forget_work: sends them
 * @dying: unmounting: the BYE gives every handle back
 */
struct hcfs_sb_info {
	struct hcfs_conn conn;
	bool per_cred;
	char *root_abs;
	struct mutex ids_lock;
	struct hcfs_idconn *ids;
	unsigned int nids;
	struct hcfs_conn denied;
	char *root;
	enum hcfs_cache cache;
	unsigned int ttl_ms;
	unsigned long ttl;
	bool raw_links;
	bool noacl;
	spinlock_t forget_lock;
	struct hcfs_ih *forgets;
	struct work_struct forget_work;
	bool dying;
};

/**
 * struct hcfs_ih - a subject's handle of an inode (LOOKUP), in
 * hcfs_inode.ih, then in the FORGET queue.
 * @next: the next of the inode's (or of the queue)
 * @conn: the subject
 * @handle: its handle of the inode
 * @nlookup: the LOOKUPs that returned it, to give back with FORGET
 */
struct hcfs_ih {
	struct hcfs_ih *next;
	struct hcfs_conn *conn;
	u32 handle;
	u32 nlookup;
};

/**
 * struct hcfs_inode - a host file as the guest caches it.
 * @vfs_inode: the VFS inode
 * @lock: protects the fields below and @files
 * @files: open struct hcfs_file of a regular file, for page-cache I/O
 *	without a file (writeback) and for attributes of unlinked files
 * @host_ino: the host's inode number (i_ino may be narrower)
 * @host_dev: the host's st_dev (major << 32 | minor)
 * @host_mode: the host's mode; i_mode lacks the set-id and sticky bits
 * @blksize: the host's preferred I/O size
 * @btime: the host's birth time, if @has_btime
 * @has_btime: the host reported a birth time
 * @attr_time: jiffies when the attributes came from the host
 * @attr_valid: the attributes may be used until @attr_time + ttl
 * @data_mtime: host mtime the page cache corresponds to
 * @data_size: host size the page cache corresponds to
 * @own_change: this guest wrote since the last refresh, so a new mtime
 *	there is its own and does not invalidate the page cache
 * @ih: the subjects' handles of the host inode, under @lock
 */
struct hcfs_inode {
	struct inode vfs_inode;
	spinlock_t lock;
	struct list_head files;
	u64 host_ino;
	u64 host_dev;
	u32 host_mode;
	u32 blksize;
	struct timespec64 btime;
	bool has_btime;
	unsigned long attr_time;
	bool attr_valid;
	struct timespec64 data_mtime;
	loff_t data_size;
	bool own_change;
	struct hcfs_ih *ih;
};

/**
 * struct hcfs_file - an open host file: a handle of the mount's subject.
 * @ref: the open file holds one; page-cache I/O holds one while it uses
 *	@handle, so the handle is closed on the host only after its last use
 * @sbi: the mount
 * @conn: the subject that opened @handle: every use of the handle, from
 *	whatever task (writeback, readahead, faults), goes to it
 * @node: in hcfs_inode.files (regular files)
 * @handle: the host's handle
 * @mode: FMODE_READ and FMODE_WRITE of the open
 * @append: the host file was opened with O_APPEND
 * @dir_lock: serialises the directory fields below
 * @dents: directory records from the last GETDENTS, NULL until needed
 * @dents_len: bytes in @dents
 * @dents_pos: offset in @dents of the next record to emit
 * @next_pos: the directory position (ctx->pos) of that record
 * @host_pos: the host handle's directory offset
 */
struct hcfs_file {
	struct kref ref;
	struct hcfs_sb_info *sbi;
	struct hcfs_conn *conn;
	struct list_head node;
	u32 handle;
	fmode_t mode;
	bool append;
	struct mutex dir_lock;
	void *dents;
	size_t dents_len;
	size_t dents_pos;
	loff_t next_pos;
	loff_t host_pos;
};

static inline struct hcfs_sb_info *HCFS_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

static inline struct hcfs_inode *HCFS_I(struct inode *inode)
{
	return container_of(inode, struct hcfs_inode, vfs_inode);
}

/**
 * hcfs_conn_sb() - the subject the calling task's hostcalls on @sbi act as:
 * the mount's own, or where the host maps identities one per credentials
 * (fsuid, fsgid, groups), made at its first use (SUBJECT_AS, HELLO, and the
 * mount's root as its working directory). May sleep.
 */
struct hcfs_conn *hcfs_conn_sb(struct hcfs_sb_info *sbi);

static inline struct hcfs_conn *hcfs_conn(struct inode *inode)
{
	return hcfs_conn_sb(HCFS_SB(inode->i_sb));
}

/* ---- hcfs_client.c: one call per hostcall; all return >= 0 or -errno ---- */

/**
 * hcfs_client_hello() - make @c a subject: HELLO with HC_HELLO_KEEP_HANDLES.
 * Needs c->tp. Sets c->subject, c->version and c->io_max.
 * Returns: 0; -EPROTONOSUPPORT if the host speaks a protocol older than
 * HC_PROTO_VERSION_MIN; the errors of hostcall_hello().
 */
int hcfs_client_hello(struct hcfs_conn *c);

/** hcfs_client_hello_cred() - the same for the calling task's credentials. */
int hcfs_client_hello_cred(struct hcfs_conn *c);

/** hcfs_client_getcwd() - the subject's working directory, kstrdup()ed. */
int hcfs_client_getcwd(struct hcfs_conn *c, char **path);

/** hcfs_client_bye() - end the subject: BYE, not waiting for the answer. */
void hcfs_client_bye(struct hcfs_conn *c);

/** hcfs_client_chdir() - CHDIR: the subject's working directory. */
int hcfs_client_chdir(struct hcfs_conn *c, const char *path);

/*
 * Files are named by handles (s32): a subject's inode handle (LOOKUP), the
 * handle of an open file, or HC_AT_FDCWD for the mount's root, which is
 * every subject's working directory. Namespace calls take a directory's
 * handle and one name in it; attribute calls act on the file of a handle
 * itself. Past the CHDIR to root= when a subject is made, no path crosses
 * the wire.
 */

/**
 * hcfs_client_open() - OPENAT of @name in directory @dirh, or with @name ""
 * the file of inode handle @dirh itself (opened again on the host).
 * @wflags: HC_O_* flags; @mode: creation mode
 * @handle: set to the host's handle of the open file
 */
int hcfs_client_open(struct hcfs_conn *c, s32 dirh, const char *name,
		     u32 wflags, u32 mode, u32 *handle);

/** hcfs_client_close() - CLOSE a handle. */
int hcfs_client_close(struct hcfs_conn *c, u32 handle);

/**
 * hcfs_client_lookup() - LOOKUP of @name in directory @dirh (not following
 * a symlink): @st and the subject's @handle of the file, counted; each
 * LOOKUP that succeeds is given back once with hcfs_client_forget().
 */
int hcfs_client_lookup(struct hcfs_conn *c, s32 dirh, const char *name,
		       struct hc_stat *st, u32 *handle);

/**
 * hcfs_client_forget() - FORGET: @len bytes of (handle, count) records,
 * HC_FORGET_REC each.
 */
int hcfs_client_forget(struct hcfs_conn *c, const void *records, size_t len);

/**
 * hcfs_client_read() - one READ of at most @len (and c->io_max) bytes at @off
 * into @to. Returns: bytes read (0 at end of file), or -errno; @to has
 * advanced by the result.
 */
ssize_t hcfs_client_read(struct hcfs_conn *c, u32 handle, loff_t off,
			 size_t len, struct iov_iter *to);

/**
 * hcfs_client_write() - one WRITE of at most @len (and c->io_max) bytes from
 * @from at @off (-1: at the handle's offset, for O_APPEND handles).
 * Returns: bytes written, or -errno; @from has advanced by the result.
 */
ssize_t hcfs_client_write(struct hcfs_conn *c, u32 handle, loff_t off,
			  size_t len, struct iov_iter *from);

/** hcfs_client_lseek() - LSEEK on a handle; @whence is HC_SEEK_*. */
loff_t hcfs_client_lseek(struct hcfs_conn *c, u32 handle, loff_t off,
			 unsigned int whence);

/** hcfs_client_stat() - FSTATAT of the file of @h. */
int hcfs_client_stat(struct hcfs_conn *c, s32 h, struct hc_stat *st);

/**
 * hcfs_client_getdents() - GETDENTS into @buf (@cap bytes), after checking
 * every record with hc_dirent_next(), which then walks them. @last_off is
 * set to the position after the last one.
 * Returns: bytes in @buf (0 at the end), or -errno (-EIO: a bad record).
 */
/**
 * hcfs_confirm() - what a LOOKUP (or READDIRPLUS) said of the name of
 * @inode (NULL: a negative dentry): if @st is still @inode's host file, its
 * fresh attributes are taken and @handle is held in it; else @handle is
 * given back. Returns: whether it is the same file.
 */
bool hcfs_confirm(struct super_block *sb, struct inode *inode,
		  struct hcfs_conn *c, const struct hc_stat *st, u32 handle);

/**
 * hcfs_dirplus_link() - what READDIRPLUS said of @name in @parent: a new
 * dentry and inode holding @handle of subject @c, or an existing one
 * confirmed; @handle is given back if neither.
 */
void hcfs_dirplus_link(struct dentry *parent, struct hcfs_conn *c,
		       const char *name, unsigned int len,
		       const struct hc_stat *st, u32 handle);

/**
 * hcfs_client_readdirplus() - READDIRPLUS into @buf (@cap bytes for both
 * parts): the dirents first, then *@alen bytes of attrs records, all
 * checked (one record per dirent); @last_off as hcfs_client_getdents().
 * Returns: bytes of dirents (0 at the end), or -errno (-EIO: a bad record).
 */
ssize_t hcfs_client_readdirplus(struct hcfs_conn *c, u32 handle, void *buf,
				size_t cap, size_t *alen, loff_t *last_off);

ssize_t hcfs_client_getdents(struct hcfs_conn *c, u32 handle, void *buf,
			     size_t cap, loff_t *last_off);

/**
 * hcfs_client_readlink() - READLINKAT of the symlink of @h into @buf (@cap
 * bytes, NUL-terminated). Returns: the target's length.
 */
int hcfs_client_readlink(struct hcfs_conn *c, s32 h, char *buf, size_t cap);

/** hcfs_client_mkdir() - MKDIRAT. */
int hcfs_client_mkdir(struct hcfs_conn *c, s32 dirh, const char *name,
		      u32 mode);

/** hcfs_client_mknod() - MKNODAT; @mode includes the file type. */
int hcfs_client_mknod(struct hcfs_conn *c, s32 dirh, const char *name,
		      u32 mode, u32 major, u32 minor);

/** hcfs_client_unlink() - UNLINKAT; @dir: rmdir. */
int hcfs_client_unlink(struct hcfs_conn *c, s32 dirh, const char *name,
		       bool dir);

/** hcfs_client_rename() - RENAMEAT2; @flags: HC_RENAME_*. */
int hcfs_client_rename(struct hcfs_conn *c, s32 odirh, const char *oname,
		       s32 ndirh, const char *nname, u32 flags);

/** hcfs_client_symlink() - SYMLINKAT: a link @name in @dirh to @target. */
int hcfs_client_symlink(struct hcfs_conn *c, s32 dirh, const char *name,
			const char *target);

/** hcfs_client_link() - LINKAT: a hard link @nname in @ndirh of @h's file. */
int hcfs_client_link(struct hcfs_conn *c, s32 h, s32 ndirh, const char *nname);

/* Attribute changes act on the file of @h (a symlink is not followed). */

/** hcfs_client_chmod() - FCHMODAT. */
int hcfs_client_chmod(struct hcfs_conn *c, s32 h, u32 mode);

/** hcfs_client_chown() - FCHOWNAT; (u32)-1 leaves an id unchanged. */
int hcfs_client_chown(struct hcfs_conn *c, s32 h, u32 uid, u32 gid);

/**
 * hcfs_client_truncate() - TRUNCATE: an open file's handle must be open for
 * writing; an inode handle is truncated as truncate(2) would.
 */
int hcfs_client_truncate(struct hcfs_conn *c, s32 h, u64 size);

/** hcfs_client_utimens() - UTIMENSAT; nsec may be HC_UTIME_NOW/OMIT. */
int hcfs_client_utimens(struct hcfs_conn *c, s32 h,
			const struct hc_timespec times[2]);

/** hcfs_client_access() - FACCESSAT; @mask: R_OK|W_OK|X_OK bits. */
int hcfs_client_access(struct hcfs_conn *c, s32 h, u32 mask);

/** hcfs_client_statfs() - STATFS of the file system holding @h's file. */
int hcfs_client_statfs(struct hcfs_conn *c, s32 h, struct hc_statfs *sfs);

/** hcfs_client_fsync() - FSYNC a handle. */
int hcfs_client_fsync(struct hcfs_conn *c, u32 handle, bool datasync);

/** hcfs_client_fallocate() - FALLOCATE; @mode: the Linux FALLOC_FL_* bits. */
int hcfs_client_fallocate(struct hcfs_conn *c, u32 handle, u32 mode,
			  loff_t off, loff_t len);

/** hcfs_client_flock() - FLOCK; @op: HC_LOCK_* bits. */
/**
 * hcfs_client_copy_range() - COPY_FILE_RANGE between open handles @in and
 * @out: the host's file system copies. Returns: bytes copied, or -errno.
 */
ssize_t hcfs_client_copy_range(struct hcfs_conn *c, u32 in, loff_t off_in,
			       u32 out, loff_t off_out, size_t len);

/** hcfs_client_syncfs() - SYNCFS of the host file system holding @h's file. */
int hcfs_client_syncfs(struct hcfs_conn *c, s32 h);

int hcfs_client_flock(struct hcfs_conn *c, u32 handle, u32 op);

/**
 * hcfs_client_lock() - LOCK (record locks, open-file-description locks on
 * the host); @cmd: HC_F_GETLK or HC_F_SETLK. @lk is updated from the reply.
 */
int hcfs_client_lock(struct hcfs_conn *c, u32 handle, u32 cmd,
		     struct hc_lock *lk);

/* Extended attributes of @h's file. A @size of 0 asks for the size only. */

/** hcfs_client_getxattr() - GETXATTR. Returns: the value's size. */
ssize_t hcfs_client_getxattr(struct hcfs_conn *c, s32 h, const char *name,
			     void *buf, size_t size);

/** hcfs_client_listxattr() - LISTXATTR. Returns: the list's size. */
ssize_t hcfs_client_listxattr(struct hcfs_conn *c, s32 h, char *buf,
			      size_t size);

/** hcfs_client_setxattr() - SETXATTR; @flags: HC_XATTR_CREATE/REPLACE. */
int hcfs_client_setxattr(struct hcfs_conn *c, s32 h, const char *name,
			 const void *value, size_t size, u32 flags);

/** hcfs_client_removexattr() - REMOVEXATTR. */
int hcfs_client_removexattr(struct hcfs_conn *c, s32 h, const char *name);

/* ---- hcfs_handle.c ---- */

/**
 * hcfs_ih_find() - @c's handle of @inode (HC_AT_FDCWD for the root), if it
 * has one. Returns: whether it has.
 */
bool hcfs_ih_find(struct inode *inode, struct hcfs_conn *c, s32 *h);

/** hcfs_ih_any() - any subject's handle of @inode, and that subject. */
bool hcfs_ih_any(struct inode *inode, struct hcfs_conn **c, s32 *h);

/**
 * hcfs_ih_add() - @inode holds one more lookup of @c's @handle (the result
 * of a LOOKUP that named it); given back when the inode is evicted.
 */
void hcfs_ih_add(struct inode *inode, struct hcfs_conn *c, u32 handle);

/** hcfs_ih_evict() - give back every handle of @inode (evict_inode). */
void hcfs_ih_evict(struct inode *inode);

/** hcfs_forget_one() - give back one lookup of @c's @handle. */
void hcfs_forget_one(struct hcfs_sb_info *sbi, struct hcfs_conn *c,
		     u32 handle);

/** hcfs_forget_init() - the forget queue of a new mount. */
void hcfs_forget_init(struct hcfs_sb_info *sbi);

/**
 * hcfs_forget_stop() - the unmount: nothing is queued any more (the BYE
 * gives every handle back), and the work has ended.
 */
void hcfs_forget_stop(struct hcfs_sb_info *sbi);

/**
 * hcfs_lookup_at() - hcfs_client_lookup(); when the host's table of @c's
 * handles is full, the dentries nobody uses are dropped (and their handles
 * given back) and the LOOKUP is tried once more.
 */
int hcfs_lookup_at(struct super_block *sb, struct hcfs_conn *c, s32 dirh,
		   const char *name, struct hc_stat *st, u32 *handle);

/**
 * hcfs_dhandle() - @c's handle of @dentry's inode: the one it has, or
 * looked up from the nearest ancestor it has one of, by the dentries'
 * names, each of which must still name the inode the guest knows
 * (else -ESTALE).
 */
int hcfs_dhandle(struct dentry *dentry, struct hcfs_conn *c, s32 *h);

/* ---- hcfs_inode.c ---- */

/* FIFOs, sockets and device nodes: the guest's own objects. */
static inline bool hcfs_special(umode_t mode)
{
	return !S_ISREG(mode) && !S_ISDIR(mode) && !S_ISLNK(mode);
}

/**
 * hcfs_iget() - the inode of the host file @st describes, found by host
 * device, inode number and type, or made; its attributes are set from @st.
 */
struct inode *hcfs_iget(struct super_block *sb, const struct hc_stat *st);

/**
 * hcfs_same() - whether @st describes the host file of @inode (same host
 * device, inode number and type).
 */
bool hcfs_same(struct inode *inode, const struct hc_stat *st);

/**
 * hcfs_update() - apply fresh attributes @st of @inode's host file; the
 * page cache is dropped if the host's data changed.
 */
void hcfs_update(struct inode *inode, const struct hc_stat *st);

/**
 * hcfs_refresh() - fetch @inode's attributes from the host (through an open
 * handle if there is one, else the caller's subject's handle of the inode,
 * looked up by @dentry's name if need be) and apply them with hcfs_update().
 */
int hcfs_refresh(struct inode *inode, struct dentry *dentry);

/** hcfs_attr_fresh() - whether @inode's attributes may be used as they are. */
bool hcfs_attr_fresh(struct inode *inode);

/** hcfs_attr_stale() - the next use of @inode's attributes asks the host. */
void hcfs_attr_stale(struct inode *inode);

/* ---- hcfs_namei.c ---- */

extern const struct dentry_operations hcfs_dentry_ops;
extern const struct inode_operations hcfs_dir_iops;
extern const struct inode_operations hcfs_symlink_iops;

/* ---- hcfs_attr.c ---- */

extern const struct inode_operations hcfs_file_iops;
extern const struct inode_operations hcfs_special_iops;

/**
 * struct hcfs_target - the object of an attribute or xattr op.
 * @hf: the open file whose handle it is, or NULL
 * @conn: the subject the op goes to
 * @h: its handle of the file
 */
struct hcfs_target {
	struct hcfs_file *hf;
	struct hcfs_conn *conn;
	s32 h;
};

/**
 * hcfs_target_get() - the object of an op on @dentry: @file's handle if
 * given, else the caller's subject's inode handle, else (an unlinked file
 * the caller never looked up) an open handle of the inode fit for @mode.
 * Release it with hcfs_target_put().
 * Returns: 0, or -errno.
 */
int hcfs_target_get(struct dentry *dentry, struct file *file, fmode_t mode,
		    struct hcfs_target *t);

/** hcfs_target_put() - release what hcfs_target_get() took. */
void hcfs_target_put(struct hcfs_target *t);

/* The inode operations every type of hostfs inode has. */
int hcfs_permission(HCFS_IDMAP *idmap, struct inode *inode, int mask);
int hcfs_getattr(HCFS_IDMAP *idmap, const struct path *path,
		 struct kstat *stat, u32 request_mask, unsigned int flags);
int hcfs_setattr(HCFS_IDMAP *idmap, struct dentry *dentry,
		 struct iattr *attr);

/* ---- hcfs_xattr.c ---- */

extern const struct xattr_handler *hcfs_xattr_handlers[];

/* hcfs_acl.c: POSIX ACLs, kept and applied by the host */
struct posix_acl *hcfs_get_inode_acl(struct inode *inode, int type, bool rcu);
#ifdef HOSTCALL_HAVE_GET_INODE_ACL
struct posix_acl *hcfs_get_acl(HCFS_IDMAP *idmap, struct dentry *dentry,
			       int type);
int hcfs_set_acl(HCFS_IDMAP *idmap, struct dentry *dentry,
		 struct posix_acl *acl, int type);
#define HCFS_ACL_IOPS					\
	.get_inode_acl	= hcfs_get_inode_acl,		\
	.get_acl	= hcfs_get_acl,			\
	.set_acl	= hcfs_set_acl,
#else
/* before 6.2, system.posix_acl_* go through the xattr handlers */
#define HCFS_ACL_IOPS					\
	.get_acl	= hcfs_get_inode_acl,
#endif

/**
 * hcfs_acl_forget() - drop the ACL of @type (-1: both) the VFS cached of
 * @inode: it changed, or may have (the host changed the inode's ctime).
 */
void hcfs_acl_forget(struct inode *inode, int type);

/** hcfs_acl_type() - ACL_TYPE_* of an xattr name, or -1 if not an ACL's. */
int hcfs_acl_type(const char *xattr_name);

/**
 * hcfs_create_mode() - the mode to create a file of in @dir with: @mode
 * less the umask, unless the host applies @dir's default ACL instead.
 */
umode_t hcfs_create_mode(struct inode *dir, umode_t mode);

/** hcfs_listxattr() - the inode operation: the host's names, some hidden. */
ssize_t hcfs_listxattr(struct dentry *dentry, char *list, size_t size);

/* ---- hcfs_file.c ---- */

extern const struct file_operations hcfs_file_fops;

/**
 * hcfs_file_new() - a struct hcfs_file for a handle just opened, holding one
 * reference; on failure the handle is closed.
 * Returns: the file, or an ERR_PTR.
 */
struct hcfs_file *hcfs_file_new(struct hcfs_sb_info *sbi, struct hcfs_conn *c,
				u32 handle, fmode_t mode, bool append);

/** hcfs_file_put() - drop a reference; the last one closes the handle. */
void hcfs_file_put(struct hcfs_file *hf);

/**
 * hcfs_file_open_dentry() - open @dentry's host file with @wflags (HC_O_*)
 * as a struct hcfs_file for an open of @mode (FMODE_*), by the caller's
 * subject's handle of the inode.
 * Returns: the file, or an ERR_PTR.
 */
struct hcfs_file *hcfs_file_open_dentry(struct dentry *dentry, u32 wflags,
					fmode_t mode);

/**
 * hcfs_file_attach() - make @hf the private data of @file and list it with
 * its inode (regular files).
 */
void hcfs_file_attach(struct inode *inode, struct file *file,
		      struct hcfs_file *hf);

/**
 * hcfs_file_any() - an open file of @inode with all of @mode (and not an
 * O_APPEND one if @positional), with a reference; NULL if there is none.
 */
struct hcfs_file *hcfs_file_any(struct inode *inode, fmode_t mode,
				bool positional);

/**
 * hcfs_open_wflags() - the HC_O_* flags of a host open for the guest file
 * flags @flags (access mode, O_APPEND, O_TRUNC, O_NOATIME, …).
 */
u32 hcfs_open_wflags(unsigned int flags);

/**
 * hcfs_io_file() - a handle for page-cache I/O at explicit offsets, with a
 * reference: @file's own if it fits @mode, else any open one of the inode,
 * else a new one opened from an inode handle (an O_APPEND file mapped
 * shared and written back, for instance).
 * Returns: the file, or an ERR_PTR.
 */
struct hcfs_file *hcfs_io_file(struct inode *inode, struct file *file,
			       fmode_t mode);

/* ---- hcfs_addr.c ---- */

extern const struct address_space_operations hcfs_aops;

/* ---- hcfs_dir.c ---- */

extern const struct file_operations hcfs_dir_fops;

#endif /* HCFS_H */
