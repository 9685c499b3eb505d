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

/**
 * hcfs_client_open() - OPENAT relative to the working directory.
 * @wflags: HC_O_* flags; @mode: creation mode
 * @handle: set to the host's handle of the open file
 */
int hcfs_client_open(struct hcfs_conn *c, const char *path, u32 wflags,
		     u32 mode, u32 *handle);

/** hcfs_client_close() - CLOSE a handle. */
int hcfs_client_close(struct hcfs_conn *c, u32 handle);

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

/**
 * hcfs_client_stat() - FSTATAT of @path without following a last symlink,
 * or of @handle (then @path is NULL).
 */
int hcfs_client_stat(struct hcfs_conn *c, u32 handle, const char *path,
		     struct hc_stat *st);

/**
 * hcfs_client_getdents() - GETDENTS into @buf (@cap bytes), after checking
 * every record with hc_dirent_next(), which then walks them. @last_off is
 * set to the position after the last one.
 * Returns: bytes in @buf (0 at the end), or -errno (-EIO: a bad record).
 */
ssize_t hcfs_client_getdents(struct hcfs_conn *c, u32 handle, void *buf,
			     size_t cap, loff_t *last_off);

/**
 * hcfs_client_readlink() - READLINKAT into @buf (@cap bytes, NUL-terminated).
 * Returns: the target's length.
 */
int hcfs_client_readlink(struct hcfs_conn *c, const char *path, char *buf,
			 size_t cap);

/** hcfs_client_mkdir() - MKDIRAT. */
int hcfs_client_mkdir(struct hcfs_conn *c, const char *path, u32 mode);

/** hcfs_client_mknod() - MKNODAT; @mode includes the file type. */
int hcfs_client_mknod(struct hcfs_conn *c, const char *path, u32 mode,
		      u32 major, u32 minor);

/** hcfs_client_unlink() - UNLINKAT; @dir: rmdir. */
int hcfs_client_unlink(struct hcfs_conn *c, const char *path, bool dir);

/** hcfs_client_rename() - RENAMEAT2; @flags: HC_RENAME_*. */
int hcfs_client_rename(struct hcfs_conn *c, const char *from, const char *to,
		       u32 flags);

/** hcfs_client_symlink() - SYMLINKAT: a link at @path to @target. */
int hcfs_client_symlink(struct hcfs_conn *c, const char *path,
			const char *target);

/** hcfs_client_link() - LINKAT: a hard link @to of @from (not followed). */
int hcfs_client_link(struct hcfs_conn *c, const char *from, const char *to);

/*
 * Attribute changes act on @path (not following a last symlink), or on
 * @handle when @path is NULL.
 */

/** hcfs_client_chmod() - FCHMODAT. */
int hcfs_client_chmod(struct hcfs_conn *c, u32 handle, const char *path,
		      u32 mode);

/** hcfs_client_chown() - FCHOWNAT; (u32)-1 leaves an id unchanged. */
int hcfs_client_chown(struct hcfs_conn *c, u32 handle, const char *path,
		      u32 uid, u32 gid);

/** hcfs_client_truncate() - TRUNCATE (a handle must be open for writing). */
int hcfs_client_truncate(struct hcfs_conn *c, u32 handle, const char *path,
			 u64 size);

/** hcfs_client_utimens() - UTIMENSAT; nsec may be HC_UTIME_NOW/OMIT. */
int hcfs_client_utimens(struct hcfs_conn *c, u32 handle, const char *path,
			const struct hc_timespec times[2]);

/** hcfs_client_access() - FACCESSAT of @path; @mask: R_OK|W_OK|X_OK bits. */
int hcfs_client_access(struct hcfs_conn *c, const char *path, u32 mask);

/** hcfs_client_statfs() - STATFS of the file system holding @path. */
int hcfs_client_statfs(struct hcfs_conn *c, const char *path,
		       struct hc_statfs *sfs);

/** hcfs_client_fsync() - FSYNC a handle. */
int hcfs_client_fsync(struct hcfs_conn *c, u32 handle, bool datasync);

/** hcfs_client_fallocate() - FALLOCATE; @mode: the Linux FALLOC_FL_* bits. */
int hcfs_client_fallocate(struct hcfs_conn *c, u32 handle, u32 mode,
			  loff_t off, loff_t len);

/** hcfs_client_flock() - FLOCK; @op: HC_LOCK_* bits. */
int hcfs_client_flock(struct hcfs_conn *c, u32 handle, u32 op);

/**
 * hcfs_client_lock() - LOCK (record locks, open-file-description locks on
 * the host); @cmd: HC_F_GETLK or HC_F_SETLK. @lk is updated from the reply.
 */
int hcfs_client_lock(struct hcfs_conn *c, u32 handle, u32 cmd,
		     struct hc_lock *lk);

/*
 * Extended attributes of @path (not following a last symlink), or of
 * @handle when @path is NULL. A @size of 0 asks for the size only.
 */

/** hcfs_client_getxattr() - GETXATTR. Returns: the value's size. */
ssize_t hcfs_client_getxattr(struct hcfs_conn *c, u32 handle, const char *path,
			     const char *name, void *buf, size_t size);

/** hcfs_client_listxattr() - LISTXATTR. Returns: the list's size. */
ssize_t hcfs_client_listxattr(struct hcfs_conn *c, u32 handle,
			      const char *path, char *buf, size_t size);

/** hcfs_client_setxattr() - SETXATTR; @flags: HC_XATTR_CREATE/REPLACE. */
int hcfs_client_setxattr(struct hcfs_conn *c, u32 handle, const char *path,
			 const char *name, const void *value, size_t size,
			u32 flags);

/** hcfs_client_removexattr() - REMOVEXATTR. */
int hcfs_client_removexattr(struct hcfs_conn *c, u32 handle, const char *path,
			    const char *name);

/* ---- hcfs_inode.c ---- */

/**
 * hcfs_path() - the host path of @dentry, relative to the subject's working
 * directory (the mount's root= directory): "." for the root.
 * @buf: PATH_MAX bytes (__getname())
 * Returns: a pointer into @buf, or an ERR_PTR (-ENAMETOOLONG).
 */
const char *hcfs_path(struct dentry *dentry, char *buf);

/**
 * hcfs_path_get() - hcfs_path() in a buffer of its own.
 * @buf: set to the buffer, to free with hcfs_path_put() after use
 * Returns: the path, or an ERR_PTR (then nothing is left to free).
 */
const char *hcfs_path_get(struct dentry *dentry, char **buf);

/** hcfs_path_put() - free a buffer of hcfs_path_get(). */
void hcfs_path_put(char *buf);

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
 * handle if there is one, else by @dentry's path) and apply them with
 * hcfs_update().
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
 * @hf: an open handle of it, or NULL
 * @path: its path when @hf is NULL
 * @pbuf: the buffer of @path
 */
struct hcfs_target {
	struct hcfs_file *hf;
	const char *path;
	char *pbuf;
};

/**
 * hcfs_target_get() - the object of an op on @dentry: @file's handle if
 * given, else an open handle of @dentry's inode once it is unlinked (its
 * path names nothing then; @mode: what the op needs of the handle), else
 * the path. Release it with hcfs_target_put().
 * Returns: 0, or -errno.
 */
int hcfs_target_get(struct dentry *dentry, struct file *file, fmode_t mode,
		    struct hcfs_target *t);

/** hcfs_target_put() - release what hcfs_target_get() took. */
void hcfs_target_put(struct hcfs_target *t);

/** hcfs_target_handle() - the handle of @t, 0 when it is a path. */
u32 hcfs_target_handle(const struct hcfs_target *t);

/* The inode operations every type of hostfs inode has. */
int hcfs_permission(HCFS_IDMAP *idmap, struct inode *inode, int mask);
int hcfs_getattr(HCFS_IDMAP *idmap, const struct path *path,
		 struct kstat *stat, u32 request_mask, unsigned int flags);
int hcfs_setattr(HCFS_IDMAP *idmap, struct dentry *dentry,
		 struct iattr *attr);

/* ---- hcfs_xattr.c ---- */

extern const struct xattr_handler *hcfs_xattr_handlers[];

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
 * hcfs_file_open_path() - open @dentry's host file with @wflags (HC_O_*) as
 * a struct hcfs_file for an open of @mode (FMODE_*).
 * Returns: the file, or an ERR_PTR.
 */
struct hcfs_file *hcfs_file_open_path(struct dentry *dentry, u32 wflags,
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
 * else a new one opened by path (an O_APPEND file mapped shared and written
 * back, for instance).
 * Returns: the file, or an ERR_PTR.
 */
struct hcfs_file *hcfs_io_file(struct inode *inode, struct file *file,
			       fmode_t mode);

/* ---- hcfs_addr.c ---- */

extern const struct address_space_operations hcfs_aops;

/* ---- hcfs_dir.c ---- */

extern const struct file_operations hcfs_dir_fops;

#endif /* HCFS_H */
