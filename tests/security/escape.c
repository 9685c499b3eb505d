// SPDX-License-Identifier: GPL-2.0-only
/*
 * escape: the escape suite's driver. Started as root by tests/security/run.sh,
 * it forks an unprivileged client that chroots into a directory holding only
 * hostcalld's socket and this program, and attacks a hostcalld serving
 * --root EXPORT; the root parent stays outside as the host side: it moves
 * directories out, races renames, makes inode numbers come back, and after
 * each attack checks every canary outside the export.
 *
 *   escape --top T --mnt M --chroot C --mode user|root --client UID:GID
 *          --shadow UID:GID --loop MAJ:MIN [--proto 2|3]
 *
 * The export is M/export; canaries live in M (the loop image's root), in
 * M/outside and in T. An escape is a canary read (its bytes start with
 * HCCANARY), written, created, chmodded or linked, a directory outside the
 * export reached, or a setuid/setcap exec gaining an identity or capability.
 * The client counts what it sees; the host side counts what changed on disk.
 * --proto 2 speaks protocol version 2, to the old hostcalld that run.sh
 * attacks to show that the suite finds escapes (see encode_v2()).
 *
 * Output: "ok - attack: A attempts, 0 escapes" / "not ok - attack: ... # why",
 * then "escape suite: N attempts, N escapes" and "# test errors: N".
 * Exit status: 0 with no escape and no test error, 1 otherwise, 2 on set-up.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "hostcall_proto.h"
#include "hc_sock.h"

#define TOKEN		"HCCANARY"
#define MARKER		"HCCANARY-outside"	/* in every outside directory */
#define SOCK_PATH	"/hc.sock"		/* inside the chroot */
#define SELF_PATH	"/escape"		/* this program, inside the chroot */
#define MAX_DETAIL	700

/* ---- configuration: set by the root parent, inherited by the client ---- */

static struct {
	const char *top, *mnt, *chroot;
	char export[PATH_MAX / 2];
	int root_mode;			/* hostcalld --allow-root: shadows are root */
	int proto;			/* the protocol version hostcalld speaks: 2 or 3 */
	uid_t cuid, suid;		/* the client's uid, the shadow user's */
	gid_t cgid, sgid;
	unsigned int loop_major, loop_minor;
} cfg;

/* Directories outside the export: reaching one through hostcalld is an escape. */
struct devino {
	dev_t dev;
	ino_t ino;
	char path[PATH_MAX];
};
static struct devino outside[32];
static int noutside;
static struct devino export_root;

/* Filled in the parent only after the fork: the client's copy stays zero. */
static char helper_secret[64];

/* ---- the control channel between the client and the host side ---- */

enum ctl_op {
	CTL_DONE = 1,		/* an attack ended: check the canaries */
	CTL_MOVE_OUT,		/* move export/a/b to M/outside/moved/b */
	CTL_RACE_START,		/* arg 1: swap a symlink in; 2: move a dir out */
	CTL_RACE_STOP,
	CTL_REUSE,		/* val: an inode number to bring back outside */
	CTL_GIVE,		/* arg: which outside file to hand over as an fd */
};

struct ctl_msg {
	int op, arg;
	long long val;
	int attempts, escapes, errors;
	char name[96];
	char detail[MAX_DETAIL];
};

struct ctl_rep {
	int ok;
	long long val;
};

static int ctl = -1;

/* ==================================================================== */
/* The client                                                           */
/* ==================================================================== */

/* The attack being run. */
static struct {
	const char *name;
	int attempts, escapes, errors;
	int lost;			/* a shadow ended its connection */
	char detail[MAX_DETAIL];
} cur;

static void add_detail(const char *kind, const char *fmt, va_list ap)
{
	size_t n = strlen(cur.detail);
	char line[400];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (n + strlen(line) + 16 >= sizeof(cur.detail)) {
		if (!strstr(cur.detail, "; ..."))
			snprintf(cur.detail + n, sizeof(cur.detail) - n, "; ...");
		return;
	}
	snprintf(cur.detail + n, sizeof(cur.detail) - n, "%s%s%s", n ? "; " : "", kind, line);
}

static void attempt(void)
{
	cur.attempts++;
}

static void escaped(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void escaped(const char *fmt, ...)
{
	va_list ap;

	cur.escapes++;
	va_start(ap, fmt);
	add_detail("", fmt, ap);
	va_end(ap);
}

static void test_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void test_error(const char *fmt, ...)
{
	va_list ap;

	cur.errors++;
	va_start(ap, fmt);
	add_detail("test error: ", fmt, ap);
	va_end(ap);
}

static void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void info(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printf("# %s: %s\n", cur.name, line);
	fflush(stdout);
}

/* ---- control requests ---- */

static struct ctl_rep ctl_call(int op, int arg, long long val, int *fdp)
{
	struct ctl_msg m = { .op = op, .arg = arg, .val = val };
	struct ctl_rep r = { .ok = 0 };
	int fds[HC_SOCK_FDS_MAX], nfds = 0, i;
	ssize_t n;

	if (fdp)
		*fdp = -1;
	if (op == CTL_DONE) {
		m.attempts = cur.attempts;
		m.escapes = cur.escapes;
		m.errors = cur.errors;
		snprintf(m.name, sizeof(m.name), "%s", cur.name);
		memcpy(m.detail, cur.detail, sizeof(m.detail));
	}
	if (hc_sock_send(ctl, &m, sizeof(m), NULL, 0) < 0)
		_exit(3);
	n = hc_sock_recv(ctl, &r, sizeof(r), fds, &nfds);
	if (n != (ssize_t)sizeof(r))
		_exit(3);
	for (i = 0; i < nfds; i++) {
		if (fdp && *fdp < 0)
			*fdp = fds[i];
		else
			close(fds[i]);
	}
	return r;
}

static void begin(const char *name)
{
	memset(&cur, 0, sizeof(cur));
	cur.name = name;
}

static void done(void)
{
	ctl_call(CTL_DONE, 0, 0, NULL);
}

/* ---- what counts as outside ---- */

static int is_outside(const struct stat *st)
{
	int i;

	for (i = 0; i < noutside; i++)
		if (outside[i].dev == st->st_dev && outside[i].ino == st->st_ino)
			return i + 1;
	return 0;
}

static int has_token(const void *buf, size_t n)
{
	return memmem(buf, n, TOKEN, strlen(TOKEN)) != NULL;
}

/*
 * Inspect an fd hostcalld handed out, or one derived from it natively, and
 * close it: an outside directory, a canary's bytes, or a device's bytes are
 * escapes. Returns 1 if it was one.
 */
static int inspect(int fd, const char *how)
{
	static char buf[1 << 20];
	struct stat st;
	size_t total = 0;
	ssize_t n;
	int mfd, esc = 0, o;

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0)
		goto out;
	if (S_ISDIR(st.st_mode)) {
		o = is_outside(&st);
		if (o) {
			escaped("%s: reached %s", how, outside[o - 1].path);
			esc = 1;
			goto out;
		}
		mfd = openat(fd, MARKER, O_RDONLY | O_CLOEXEC);
		if (mfd >= 0) {
			close(mfd);
			escaped("%s: reached a directory holding " MARKER, how);
			esc = 1;
		}
		goto out;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode) && !S_ISCHR(st.st_mode))
		goto out;
	/* a block device is the whole loop image: read all of it */
	while (total < (64u << 20)) {
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		if (S_ISCHR(st.st_mode)) {
			escaped("%s: read %zd bytes from a character device", how, n);
			esc = 1;
			break;
		}
		if (has_token(buf, n)) {
			escaped("%s: read a canary", how);
			esc = 1;
			break;
		}
		total += n;
	}
out:
	close(fd);
	return esc;
}

/* ---- the wire protocol ---- */

static unsigned char rbuf[HC_MSG_MAX], wbuf[HC_MSG_MAX];
static hc_u32 next_tag = 1;

static hc_s64 call1(int s, struct hc_msg *m, const int *in, int nin,
		    struct hc_msg *rep, int *fdp);

/* The first path of a request, for messages ("" if it has none). */
static const char *msg_path(const struct hc_msg *m)
{
	const struct hc_field *f = hc_op_fields(m->op, 0);

	for (; f && f->type != HC_T_END; f++)
		if (f->type == HC_T_PATH) {
			const char *p = *(const char *const *)((const char *)m + f->off);

			return p ? p : "";
		}
	return "";
}

/*
 * Protocol version 2, for the old hostcalld of the suite's self-test
 * (--proto 2). Each field type is encoded as in version 3, and the ops the
 * attacks send have version 3's layouts, but for three: HELLO (u32 version,
 * u32 flags), MKNODAT (the device as one u64, major << 32 | minor) and SPAWN
 * (flags, the stdio modes and the pty size packed in two u32, cwd, argv,
 * envp, no fdmap; with HC_SPAWN_KEEP it was op 39, SPAWN_KEEP). Replies are
 * decoded as version 3 but HELLO's and SPAWN's, of which only the header
 * (the result) is read.
 */
#define V2_OP_SPAWN_KEEP	39

static void v2_u32(unsigned char *b, int *len, hc_u32 v)
{
	int i;

	for (i = 0; i < 4; i++)
		b[(*len)++] = v >> (8 * i);
}

static void v2_bytes(unsigned char *b, int *len, const void *p, hc_u32 n)
{
	v2_u32(b, len, n);
	if (n)
		memcpy(b + *len, p, n);
	*len += n;
}

static int encode_v2(const struct hc_msg *m, unsigned char *buf, size_t cap)
{
	const struct hc_req_spawn *sp = &m->req.spawn;
	struct hc_msg t = *m;
	int len;

	if (m->op == HC_OP_MKNODAT) {
		/* little-endian u64 major << 32 | minor: minor's u32, then major's */
		t.req.mknodat.rdev_major = m->req.mknodat.rdev_minor;
		t.req.mknodat.rdev_minor = m->req.mknodat.rdev_major;
	}
	if (m->op != HC_OP_HELLO && m->op != HC_OP_SPAWN)
		return hc_encode(&t, buf, cap);
	/* the header, from a request without a body; then the fields */
	t.op = HC_OP_GETCWD;
	len = hc_encode(&t, buf, cap);
	if (len != HC_HDR_SIZE)
		return len < 0 ? len : -EINVAL;
	if (m->op == HC_OP_HELLO) {
		v2_u32(buf, &len, 2);
		v2_u32(buf, &len, m->req.hello.flags);
	} else {
		if (!sp->cwd || sp->fdmap.n)
			return -EINVAL;
		if ((size_t)len + 32 + strlen(sp->cwd) + 1 + sp->argv.len + sp->envp.len > cap)
			return -EMSGSIZE;
		v2_u32(buf, &len, sp->flags & ~HC_SPAWN_KEEP);
		v2_u32(buf, &len, sp->stdin_mode | sp->stdout_mode << 8 | sp->stderr_mode << 16);
		v2_u32(buf, &len, sp->rows << 16 | sp->cols);
		v2_bytes(buf, &len, sp->cwd, strlen(sp->cwd) + 1);
		v2_u32(buf, &len, sp->argv.count);
		v2_bytes(buf, &len, sp->argv.ptr, sp->argv.len);
		v2_u32(buf, &len, sp->envp.count);
		v2_bytes(buf, &len, sp->envp.ptr, sp->envp.len);
	}
	buf[4] = m->op == HC_OP_SPAWN && (sp->flags & HC_SPAWN_KEEP) ? V2_OP_SPAWN_KEEP : m->op;
	buf[5] = 0;
	buf[0] = len & 0xff;
	buf[1] = len >> 8 & 0xff;
	buf[2] = len >> 16 & 0xff;
	buf[3] = len >> 24 & 0xff;
	return len;
}

/*
 * One request/reply; at most one reply fd is kept in *fdp (may be NULL).
 * A shadow that stops answering leaves the rest of the attack unexercised:
 * a test error, never a pass.
 */
static hc_s64 call(int s, struct hc_msg *m, const int *in, int nin,
		   struct hc_msg *rep, int *fdp)
{
	hc_s64 r = call1(s, m, in, nin, rep, fdp);

	if ((r == -ECONNRESET || r == -EPIPE || r == -ETIMEDOUT || r == -EBADMSG) &&
	    !cur.lost) {
		cur.lost = 1;
		test_error("the shadow ended the connection or did not answer at %s %s (%s): "
			   "the rest of this attack was not exercised",
			   hc_op_name(m->op) ? hc_op_name(m->op) : "?", msg_path(m),
			   strerror((int)-r));
	}
	return r;
}

static hc_s64 call1(int s, struct hc_msg *m, const int *in, int nin,
		    struct hc_msg *rep, int *fdp)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	int fds[HC_SOCK_FDS_MAX], nfds = 0, i, len;
	struct hc_msg dummy;
	ssize_t n;

	if (fdp)
		*fdp = -1;
	if (!rep)
		rep = &dummy;
	m->tag = next_tag++;
	m->hflags = nin;
	len = cfg.proto == 2 ? encode_v2(m, wbuf, sizeof(wbuf)) : hc_encode(m, wbuf, sizeof(wbuf));
	if (len < 0)
		return len;
	if (hc_sock_send(s, wbuf, len, in, nin))
		return -EPIPE;
	if (poll(&p, 1, 10000) != 1)
		return -ETIMEDOUT;
	n = hc_sock_recv(s, rbuf, sizeof(rbuf), fds, &nfds);
	if (n <= 0)
		return n ? n : -ECONNRESET;
	for (i = 0; i < nfds; i++) {
		if (fdp && *fdp < 0)
			*fdp = fds[i];
		else
			close(fds[i]);
	}
	if (cfg.proto == 2 && (m->op == HC_OP_HELLO || m->op == HC_OP_SPAWN) ?
	    hc_decode_hdr(rep, rbuf, n) :
	    hc_decode(rep, rbuf, n) && !(rep->result < 0 && n == HC_HDR_SIZE)) {
		if (fdp && *fdp >= 0)
			close(*fdp);
		if (fdp)
			*fdp = -1;
		return -EBADMSG;
	}
	if (rep->result < 0 && fdp && *fdp >= 0) {
		close(*fdp);
		*fdp = -1;
	}
	return rep->result;
}

/* Connect and say HELLO; a client that cannot is a test error. */
static int conn(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct hc_msg m = { .op = HC_OP_HELLO,
			    .req.hello = { .version = HC_PROTO_VERSION, .caps = HC_CAPS } };
	hc_s64 r;
	int s;

	strcpy(sa.sun_path, SOCK_PATH);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		test_error("connect " SOCK_PATH ": %s", strerror(errno));
		if (s >= 0)
			close(s);
		return -1;
	}
	r = call(s, &m, NULL, 0, NULL, NULL);
	if (r < 0) {
		test_error("HELLO: %s", strerror((int)-r));
		close(s);
		return -1;
	}
	return s;
}

static hc_s64 p_openat(int s, hc_s32 dir, const char *path, int flags, int mode, int *fdp)
{
	struct hc_msg m = { .op = HC_OP_OPENAT,
			    .req.openat = { .dirfd = dir, .path = path, .mode = mode,
					    .flags = hc_oflags_to_wire(flags) } };

	return call(s, &m, NULL, 0, NULL, fdp);
}

/* An attempt to open @path through the shadow; whatever comes back is inspected. */
static hc_s64 p_try(int s, hc_s32 dir, const char *path, int flags, const char *how)
{
	char what[300];
	hc_s64 r;
	int fd;

	attempt();
	r = p_openat(s, dir, path, flags, 0, &fd);
	snprintf(what, sizeof(what), "%s %s", how, path);
	inspect(fd, what);
	return r;
}

/* OPENAT of a directory: its handle, with its fd in *fdp (or -1). */
static hc_s32 p_dir(int s, hc_s32 dir, const char *path, int oflags, int *fdp)
{
	hc_s64 r = p_openat(s, dir, path, oflags | O_DIRECTORY, 0, fdp);

	if (r < 0 || *fdp < 0) {
		test_error("OPENAT %s as a directory: %s", path,
			   r < 0 ? strerror((int)-r) : "no fd attached");
		if (*fdp >= 0)
			close(*fdp);
		*fdp = -1;
		return -1;
	}
	return (hc_s32)r;
}

/* A request whose reply is only its result; a path or name left NULL is "". */
static hc_s64 p_simple(int s, struct hc_msg *m, const int *in, int nin)
{
	const struct hc_field *f = hc_op_fields(m->op, 0);

	for (; f && f->type != HC_T_END; f++) {
		const char **p = (const char **)((char *)m + f->off);

		if ((f->type == HC_T_PATH || f->type == HC_T_NAME) && !*p)
			*p = "";
	}
	return call(s, m, in, nin, NULL, NULL);
}

static hc_s64 p_chmod(int s, hc_s32 dir, const char *path, hc_u32 flags, mode_t mode,
		      const int *in, int nin)
{
	struct hc_msg m = { .op = HC_OP_FCHMODAT,
			    .req.fchmodat = { .dirfd = dir, .path = path, .mode = mode,
					      .flags = flags } };

	return p_simple(s, &m, in, nin);
}

static hc_s64 p_stat(int s, hc_s32 dir, const char *path, struct hc_stat *st)
{
	struct hc_msg m = { .op = HC_OP_FSTATAT,
			    .req.fstatat = { .dirfd = dir, .path = path,
					     .flags = HC_AT_SYMLINK_NOFOLLOW } }, rep;
	hc_s64 r = call(s, &m, NULL, 0, &rep, NULL);

	if (r >= 0)
		*st = rep.rep.fstatat.st;
	return r;
}

static hc_s64 p_setxattr(int s, hc_s32 dir, const char *path, hc_u32 flags,
			 const char *name, const void *val, size_t len,
			 const int *in, int nin)
{
	struct hc_msg m = { .op = HC_OP_SETXATTR,
			    .req.setxattr = { .dirfd = dir, .path = path, .flags = flags,
					      .name = name, .value = { val, len } } };

	return p_simple(s, &m, in, nin);
}

/* GETDENTS on a handle: an entry named HCCANARY* is an outside directory. */
static void p_list(int s, hc_s32 h, const char *how)
{
	struct hc_msg m = { .op = HC_OP_GETDENTS,
			    .req.getdents = { .fd = h, .count = 32768 } }, rep;
	struct hc_dirent d;
	size_t pos = 0;
	hc_s64 r;

	attempt();
	r = call(s, &m, NULL, 0, &rep, NULL);
	if (r <= 0)
		return;
	while (hc_dirent_next(rep.rep.getdents.dirents.ptr, rep.rep.getdents.dirents.len,
			      &pos, &d) > 0) {
		if (!strncmp(d.name, TOKEN, strlen(TOKEN))) {
			escaped("%s: listed %s", how, d.name);
			return;
		}
	}
}

/* "../" repeated @n times, then @tail. */
static const char *ups(int n, const char *tail)
{
	static char bufs[8][PATH_MAX];
	static int k;
	char *b = bufs[k++ & 7];
	size_t o = 0;

	while (n-- > 0 && o + 4 < PATH_MAX) {
		memcpy(b + o, "../", 3);
		o += 3;
	}
	snprintf(b + o, PATH_MAX - o, "%s", tail);
	return b;
}

static const char *fmt_path(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *fmt_path(const char *fmt, ...)
{
	static char bufs[16][PATH_MAX];
	static int k;
	char *b = bufs[k++ & 15];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, PATH_MAX, fmt, ap);
	va_end(ap);
	return b;
}

/* A host path without its leading "/" (to append to a climb to "/"). */
static const char *hostrel(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *hostrel(const char *fmt, ...)
{
	static char bufs[8][PATH_MAX];
	static int k;
	char *b = bufs[k++ & 7];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, PATH_MAX, fmt, ap);
	va_end(ap);
	while (*b == '/')
		b++;
	return b;
}

/* A native attempt: an fd the client made from one it was given. */
static void n_try(int dirfd, const char *path, int flags, const char *how)
{
	char what[300];

	attempt();
	snprintf(what, sizeof(what), "%s %s", how, path);
	inspect(openat(dirfd, path, flags | O_CLOEXEC), what);
}

/* The pid of hostcalld's relay, from the socket's peer credentials. */
static pid_t relay_pid(int s)
{
	struct ucred uc;
	socklen_t l = sizeof(uc);

	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &uc, &l) < 0)
		return 1;
	return uc.pid;
}

/* The export's root (or @path) as a directory fd, opened by the shadow. */
static int got_dirfd(int s, const char *path, int oflags)
{
	int fd;

	p_dir(s, HC_AT_FDCWD, path, oflags, &fd);
	return fd;
}

/* ==================================================================== */
/* The attacks: each opens its own subject                              */
/* ==================================================================== */

/* Paths that name a canary if ".." could leave the export. */
static const char *const dotdot_reads[] = {
	"..", "../..", "../../..", "../outside/secret", "../" MARKER,
	"../../" MARKER, "../../secret-top", "../outside/" MARKER,
	"/../outside/secret", "/../../secret-top", "/..", "sub/../../outside/secret",
	"./../outside/secret", "a/../../outside/secret", "//..//outside//secret",
	"sub/../../../../../../../../..", "sub/./.././../outside/secret", NULL,
};

/* Every op that writes, with an outside target (the host side checks). */
static void write_ops(int s, hc_s32 dir, const char *t, int k)
{
	struct hc_msg m;
	int fd;

	attempt();
	p_openat(s, dir, t, O_WRONLY | O_APPEND, 0, &fd);
	if (fd >= 0) {
		if (write(fd, "x", 1) == 1 && strstr(t, "secret"))
			info("wrote one byte through OPENAT %s", t);
		close(fd);
	}
	attempt();
	p_chmod(s, dir, t, 0, 0777, NULL, 0);
	m = (struct hc_msg){ .op = HC_OP_FCHOWNAT,
			     .req.fchownat = { .dirfd = dir, .path = t, .uid = cfg.suid,
					       .gid = (hc_u32)-1 } };
	attempt();
	p_simple(s, &m, NULL, 0);
	m = (struct hc_msg){ .op = HC_OP_UTIMENSAT, .req.utimensat = { .dirfd = dir, .path = t } };
	attempt();
	p_simple(s, &m, NULL, 0);
	m = (struct hc_msg){ .op = HC_OP_TRUNCATE, .req.truncate = { .dirfd = dir, .path = t } };
	attempt();
	p_simple(s, &m, NULL, 0);
	attempt();
	p_setxattr(s, dir, t, 0, "user.hcescape", "x", 1, NULL, 0);
	m = (struct hc_msg){ .op = HC_OP_REMOVEXATTR,
			     .req.removexattr = { .dirfd = dir, .path = t,
						  .name = "user.canary" } };
	attempt();
	p_simple(s, &m, NULL, 0);
	m = (struct hc_msg){ .op = HC_OP_LINKAT,
			     .req.linkat = { .olddirfd = dir, .oldpath = t, .newdirfd = HC_AT_FDCWD,
					     .newpath = fmt_path("stolen-%d", k) } };
	attempt();
	p_simple(s, &m, NULL, 0);
	m.req.linkat.flags = HC_AT_SYMLINK_FOLLOW;
	m.req.linkat.newpath = fmt_path("stolen-f%d", k);
	attempt();
	p_simple(s, &m, NULL, 0);
	m = (struct hc_msg){ .op = HC_OP_RENAMEAT2,
			     .req.renameat2 = { .olddirfd = dir, .oldpath = t,
						.newdirfd = HC_AT_FDCWD,
						.newpath = fmt_path("stolen-r%d", k) } };
	attempt();
	p_simple(s, &m, NULL, 0);
	m = (struct hc_msg){ .op = HC_OP_UNLINKAT, .req.unlinkat = { .dirfd = dir, .path = t } };
	attempt();
	p_simple(s, &m, NULL, 0);
}

/* Every op that creates, with a name outside (the host side checks). */
static void create_ops(int s, hc_s32 dir, const char *base)
{
	struct hc_msg m;
	int k, fd;

	for (k = 0; k < 6; k++) {
		const char *n = fmt_path("%s-%d", base, k);

		switch (k) {
		case 0:
			attempt();
			p_openat(s, dir, n, O_WRONLY | O_CREAT | O_EXCL, 0644, &fd);
			if (fd >= 0)
				close(fd);
			continue;
		case 1:
			m = (struct hc_msg){ .op = HC_OP_MKDIRAT,
					     .req.mkdirat = { .dirfd = dir, .path = n,
							      .mode = 0755 } };
			break;
		case 2:
			m = (struct hc_msg){ .op = HC_OP_SYMLINKAT,
					     .req.symlinkat = { .dirfd = dir, .path = n,
								.target = "x" } };
			break;
		case 3:
			m = (struct hc_msg){ .op = HC_OP_MKNODAT,
					     .req.mknodat = { .dirfd = dir, .path = n,
							      .mode = S_IFIFO | 0644 } };
			break;
		case 4:
			m = (struct hc_msg){ .op = HC_OP_LINKAT,
					     .req.linkat = { .olddirfd = HC_AT_FDCWD,
							     .oldpath = "/inside.txt",
							     .newdirfd = dir, .newpath = n } };
			break;
		default:
			m = (struct hc_msg){ .op = HC_OP_RENAMEAT2,
					     .req.renameat2 = { .olddirfd = HC_AT_FDCWD,
								.oldpath = "/mvsrc",
								.newdirfd = dir, .newpath = n } };
			break;
		}
		attempt();
		p_simple(s, &m, NULL, 0);
	}
}

static void a_proto_dotdot(void)
{
	int s = conn(), i, fd;
	hc_s32 h, hs, hup;
	struct hc_msg m;

	if (s < 0)
		return;
	for (i = 0; dotdot_reads[i]; i++) {
		p_try(s, HC_AT_FDCWD, dotdot_reads[i], O_RDONLY, "OPENAT");
		p_try(s, HC_AT_FDCWD, dotdot_reads[i], O_PATH, "OPENAT O_PATH");
	}
	for (i = 1; i <= 8; i++) {
		p_try(s, HC_AT_FDCWD, ups(i, hostrel("%s/outside/secret", cfg.mnt)), O_RDONLY,
		      "OPENAT");
		p_try(s, HC_AT_FDCWD, ups(i, hostrel("%s/secret-top", cfg.top)), O_RDONLY,
		      "OPENAT");
	}
	p_try(s, HC_AT_FDCWD, fmt_path("%s/outside/secret", cfg.mnt), O_RDONLY, "OPENAT");
	p_try(s, HC_AT_FDCWD, fmt_path("%s/secret-top", cfg.top), O_RDONLY, "OPENAT");

	/* the same from handles, and from the handle of ".." */
	h = p_dir(s, HC_AT_FDCWD, "/", O_RDONLY, &fd);
	if (fd >= 0)
		close(fd);
	hs = p_dir(s, HC_AT_FDCWD, "sub", O_RDONLY, &fd);
	if (fd >= 0)
		close(fd);
	for (i = 0; h >= 0 && dotdot_reads[i]; i++)
		p_try(s, h, dotdot_reads[i], O_RDONLY, "OPENAT(handle of /)");
	for (i = 0; hs >= 0 && dotdot_reads[i]; i++)
		p_try(s, hs, dotdot_reads[i], O_RDONLY, "OPENAT(handle of sub)");
	if (h >= 0) {
		attempt();
		hup = (hc_s32)p_openat(s, h, "../..", O_RDONLY | O_DIRECTORY, 0, &fd);
		inspect(fd, "OPENAT(handle, \"../..\")");
		if (hup >= 0 && hup != HC_HANDLE_NONE)
			p_list(s, hup, "GETDENTS on the handle of ../..");
	}

	/* the working directory */
	m = (struct hc_msg){ .op = HC_OP_CHDIR,
			     .req.chdir = { .dirfd = HC_AT_FDCWD, .path = "../../.." } };
	attempt();
	p_simple(s, &m, NULL, 0);
	p_try(s, HC_AT_FDCWD, "outside/secret", O_RDONLY, "after CHDIR ../../.., OPENAT");
	p_try(s, HC_AT_FDCWD, MARKER, O_RDONLY, "after CHDIR ../../.., OPENAT");
	p_try(s, HC_AT_FDCWD, "secret-top", O_RDONLY, "after CHDIR ../../.., OPENAT");
	m.req.chdir.path = "/";
	p_simple(s, &m, NULL, 0);

	write_ops(s, HC_AT_FDCWD, "../outside/secret", 0);
	write_ops(s, HC_AT_FDCWD, "../../secret-top", 1);
	write_ops(s, HC_AT_FDCWD, "/../outside/private", 2);
	write_ops(s, HC_AT_FDCWD, ups(8, hostrel("%s/outside/secret", cfg.mnt)), 3);
	if (hs >= 0)
		write_ops(s, hs, "../../outside/secret", 4);
	create_ops(s, HC_AT_FDCWD, "../outside/new");
	create_ops(s, HC_AT_FDCWD, "../../new");
	create_ops(s, HC_AT_FDCWD, ups(8, hostrel("%s/outside/new", cfg.mnt)));
	if (hs >= 0)
		create_ops(s, hs, "../../outside/newh");
	close(s);
}

static void a_proto_symlinks(void)
{
	const char *reads[] = {
		fmt_path("abs%s/outside/secret", cfg.mnt), "absout/secret", "abssecret",
		"abstop/secret-top", "absout/" MARKER, "rel/secret", "rel/" MARKER,
		"sub/rel2", fmt_path("sub/deep/%s", hostrel("%s/outside/secret", cfg.mnt)),
		fmt_path("chain/%s", hostrel("%s/outside/secret", cfg.mnt)),
		"abs", "absout", "abstop", "rel", "sub/deep", "chain", NULL,
	};
	const char *made[][2] = {
		{ "mysym1", "../../../../../../../.." },
		{ "mysym2", fmt_path("%s/outside/secret", cfg.mnt) },
		{ "mysym3", "../outside" },
		{ "mysym4", fmt_path("/proc/self/root%s/outside", cfg.mnt) },
		{ NULL, NULL },
	};
	static const char *const wtargets[] = {
		"abssecret", "sub/rel2", "rel/secret", "mysym2", "mysym3/private", NULL,
	};
	struct hc_msg m;
	int s = conn(), i, fd;
	hc_s32 hs;

	if (s < 0)
		return;
	for (i = 0; reads[i]; i++) {
		p_try(s, HC_AT_FDCWD, reads[i], O_RDONLY, "OPENAT");
		p_try(s, HC_AT_FDCWD, reads[i], O_PATH, "OPENAT O_PATH");
	}
	hs = p_dir(s, HC_AT_FDCWD, "sub", O_RDONLY, &fd);
	if (fd >= 0)
		close(fd);
	if (hs >= 0) {
		p_try(s, hs, "rel2", O_RDONLY, "OPENAT(handle of sub)");
		p_try(s, hs, fmt_path("deep/%s", hostrel("%s/outside/secret", cfg.mnt)),
		      O_RDONLY, "OPENAT(handle of sub)");
		p_try(s, hs, "deep", O_RDONLY, "OPENAT(handle of sub)");
	}
	for (i = 0; made[i][0]; i++) {
		m = (struct hc_msg){ .op = HC_OP_SYMLINKAT,
				     .req.symlinkat = { .dirfd = HC_AT_FDCWD, .path = made[i][0],
							.target = made[i][1] } };
		p_simple(s, &m, NULL, 0);
	}
	p_try(s, HC_AT_FDCWD, fmt_path("mysym1/%s", hostrel("%s/outside/secret", cfg.mnt)),
	      O_RDONLY, "OPENAT");
	p_try(s, HC_AT_FDCWD, "mysym2", O_RDONLY, "OPENAT");
	p_try(s, HC_AT_FDCWD, "mysym3/secret", O_RDONLY, "OPENAT");
	p_try(s, HC_AT_FDCWD, "mysym4/secret", O_RDONLY, "OPENAT");
	p_try(s, HC_AT_FDCWD, "mysym1", O_RDONLY, "OPENAT");
	for (i = 0; wtargets[i]; i++)
		write_ops(s, HC_AT_FDCWD, wtargets[i], 10 + i);
	create_ops(s, HC_AT_FDCWD, "rel/new-sym");
	create_ops(s, HC_AT_FDCWD, "absout/new-sym");
	create_ops(s, HC_AT_FDCWD, "mysym3/new-sym");
	close(s);
}

static void a_proto_magic(void)
{
	int s = conn(), i, fd;
	pid_t rp;
	struct hc_stat st;
	struct hc_msg m;

	if (s < 0)
		return;
	rp = relay_pid(s);
	if (p_stat(s, HC_AT_FDCWD, "/proc/self/status", &st) < 0)
		info("no /proc/self in the export as the shadow sees it");
	{
		const char *paths[] = {
			fmt_path("/proc/self/root%s/outside/secret", cfg.mnt),
			"/proc/self/root", "/proc/self/root/..", "/proc/self/cwd/../outside/secret",
			"/proc/self/cwd/..", "/proc/self/cwd", "/proc/self/exe",
			fmt_path("/proc/thread-self/root%s/outside/secret", cfg.mnt),
			fmt_path("/proc/%d/root%s/outside/secret", (int)rp, cfg.mnt),
			fmt_path("/proc/%d/cwd", (int)rp), fmt_path("/proc/%d/exe", (int)rp),
			fmt_path("/proc/1/root%s/outside/secret", cfg.mnt), "/proc/1/cwd",
			fmt_path("/proc/%d/cwd", (int)getppid()), NULL,
		};

		for (i = 0; paths[i]; i++) {
			if (p_try(s, HC_AT_FDCWD, paths[i], O_RDONLY, "OPENAT") >= 0 &&
			    strstr(paths[i], "exe"))
				escaped("OPENAT %s: opened a program outside the export", paths[i]);
			p_try(s, HC_AT_FDCWD, paths[i], O_PATH, "OPENAT O_PATH");
		}
	}
	for (i = 0; i < 24; i++) {
		const char *p = fmt_path("/proc/self/fd/%d", i);

		p_try(s, HC_AT_FDCWD, fmt_path("%s/..", p), O_RDONLY, "OPENAT");
		p_try(s, HC_AT_FDCWD, fmt_path("%s/../outside/secret", p), O_RDONLY, "OPENAT");
		attempt();
		p_openat(s, HC_AT_FDCWD, p, O_WRONLY | O_APPEND, 0, &fd);
		if (fd >= 0) {
			escaped("OPENAT %s for writing: followed the shadow's own fd", p);
			close(fd);
		}
		m = (struct hc_msg){ .op = HC_OP_LINKAT,
				     .req.linkat = { .olddirfd = HC_AT_FDCWD, .oldpath = p,
						     .newdirfd = HC_AT_FDCWD,
						     .newpath = fmt_path("stolen-fd%d", i),
						     .flags = HC_AT_SYMLINK_FOLLOW } };
		attempt();
		if (p_simple(s, &m, NULL, 0) >= 0)
			escaped("LINKAT %s: linked the shadow's own fd into the export", p);
		attempt();
		if (p_chmod(s, HC_AT_FDCWD, p, 0, 0777, NULL, 0) >= 0)
			escaped("FCHMODAT %s: chmodded through the shadow's own fd", p);
	}
	m = (struct hc_msg){ .op = HC_OP_CHDIR,
			     .req.chdir = { .dirfd = HC_AT_FDCWD, .path = "/proc/self/root" } };
	attempt();
	if (p_simple(s, &m, NULL, 0) >= 0) {
		p_try(s, HC_AT_FDCWD, hostrel("%s/outside/secret", cfg.mnt), O_RDONLY,
		      "after CHDIR /proc/self/root, OPENAT");
		m.req.chdir.path = "/";
		p_simple(s, &m, NULL, 0);
	}
	m.req.chdir.path = fmt_path("/proc/%d/cwd", (int)rp);
	attempt();
	if (p_simple(s, &m, NULL, 0) >= 0) {
		p_try(s, HC_AT_FDCWD, MARKER, O_RDONLY, "after CHDIR /proc/RELAY/cwd, OPENAT");
		m.req.chdir.path = "/";
		p_simple(s, &m, NULL, 0);
	}
	close(s);
}

static void native_walks(int fd, const char *how)
{
	int i;

	for (i = 1; i <= 8; i++) {
		n_try(fd, ups(i, MARKER), O_RDONLY, how);
		n_try(fd, ups(i, ""), O_RDONLY | O_DIRECTORY, how);
		n_try(fd, ups(i, "outside/secret"), O_RDONLY, how);
		n_try(fd, ups(i, hostrel("%s/secret-top", cfg.top)), O_RDONLY, how);
		n_try(fd, ups(i, hostrel("%s/outside/secret", cfg.mnt)), O_RDONLY, how);
	}
}

/* Writes with the client's own rights from a dirfd (the host side checks). */
static void native_writes(int fd, const char *up)
{
	int nfd;

	attempt();
	nfd = openat(fd, fmt_path("%soutside/secret", up), O_WRONLY | O_APPEND | O_CLOEXEC);
	if (nfd >= 0) {
		if (write(nfd, "x", 1) < 0)
			info("write to a canary failed: %s", strerror(errno));
		close(nfd);
	}
	attempt();
	nfd = openat(fd, fmt_path("%soutside/new-native", up),
		     O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (nfd >= 0)
		close(nfd);
	attempt();
	mkdirat(fd, fmt_path("%soutside/newdir-native", up), 0755);
	attempt();
	symlinkat("x", fd, fmt_path("%soutside/sym-native", up));
	attempt();
	linkat(fd, fmt_path("%soutside/secret", up), fd, fmt_path("%soutside/link-native", up), 0);
	attempt();
	utimensat(fd, fmt_path("%soutside/secret", up), NULL, 0);
}

static void a_native_dotdot(void)
{
	int s = conn(), fd, fs;

	if (s < 0)
		return;
	fd = got_dirfd(s, "/", O_RDONLY);
	fs = got_dirfd(s, "sub", O_RDONLY);
	if (fd >= 0) {
		native_walks(fd, "openat(received dirfd)");
		native_writes(fd, "../");
		close(fd);
	}
	if (fs >= 0) {
		native_walks(fs, "openat(received dirfd of sub)");
		native_writes(fs, "../../");
		close(fs);
	}
	close(s);
}

static void a_native_fchdir(void)
{
	int s = conn(), fd, croot, i, nfd;

	if (s < 0)
		return;
	croot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	fd = got_dirfd(s, "sub", O_RDONLY);
	if (fd >= 0 && croot >= 0) {
		if (fchdir(fd) < 0) {
			test_error("fchdir(received dirfd): %s", strerror(errno));
		} else {
			for (i = 1; i <= 6; i++) {
				attempt();
				if (chdir("..") < 0)
					continue;
				inspect(open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC),
					fmt_path("fchdir(fd) + chdir(\"..\") x%d", i));
				n_try(AT_FDCWD, MARKER, O_RDONLY, "after chdir(\"..\"), open");
				n_try(AT_FDCWD, "outside/secret", O_RDONLY, "after chdir(\"..\"), open");
				attempt();
				nfd = open(fmt_path("outside/new-fchdir-%d", i),
					   O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
				if (nfd >= 0)
					close(nfd);
			}
		}
		if (fchdir(fd) == 0) {
			attempt();
			if (chdir("../../../../../../../..") == 0)
				n_try(AT_FDCWD, hostrel("%s/secret-top", cfg.top), O_RDONLY,
				      "after chdir(\"../../../../../../../..\"), open");
		}
		if (fchdir(croot) < 0)
			_exit(3);
	}
	if (fd >= 0)
		close(fd);
	if (croot >= 0)
		close(croot);
	close(s);
}

static void dotdot_loop(int fd, int n, int oflags, const char *how)
{
	struct stat st;
	int i, nfd;

	for (i = 0; fd >= 0 && i < n; i++) {
		attempt();
		nfd = openat(fd, "..", oflags | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		fd = nfd;
		if (fd >= 0 && fstat(fd, &st) == 0 && is_outside(&st))
			escaped("%s x%d: reached %s", how, i + 1, outside[is_outside(&st) - 1].path);
	}
	if (fd >= 0) {
		if (fstat(fd, &st) == 0 && st.st_dev == export_root.dev &&
		    st.st_ino == export_root.ino)
			info("%s: ends at the export's root", how);
		close(fd);
	}
}

static void a_native_loop(void)
{
	int s = conn();

	if (s < 0)
		return;
	dotdot_loop(got_dirfd(s, "sub", O_RDONLY), 64, O_RDONLY, "openat(fd, \"..\")");
	dotdot_loop(got_dirfd(s, "/", O_RDONLY), 64, O_RDONLY, "openat(fd of /, \"..\")");
	close(s);
}

static void a_native_opath(void)
{
	int s = conn(), fd, croot;

	if (s < 0)
		return;
	fd = got_dirfd(s, "/", O_PATH);
	if (fd >= 0) {
		native_walks(fd, "openat(received O_PATH dirfd)");
		croot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fchdir(fd) == 0) {
			attempt();
			if (chdir("..") == 0)
				inspect(open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC),
					"fchdir(O_PATH fd) + chdir(\"..\")");
			if (fchdir(croot) < 0)
				_exit(3);
		}
		close(croot);
		dotdot_loop(fd, 16, O_PATH, "openat(O_PATH fd, \"..\")");
	}
	fd = got_dirfd(s, "sub", O_PATH);
	if (fd >= 0) {
		native_walks(fd, "openat(received O_PATH dirfd of sub)");
		close(fd);
	}
	close(s);
}

static void a_native_links(void)
{
	int s = conn(), fd, croot;
	pid_t rp;
	const char *how = "openat(received dirfd)";

	if (s < 0)
		return;
	rp = relay_pid(s);
	fd = got_dirfd(s, "/", O_RDONLY);
	if (fd >= 0) {
		n_try(fd, "rel/secret", O_RDONLY, how);
		n_try(fd, "rel/" MARKER, O_RDONLY, how);
		n_try(fd, "sub/rel2", O_RDONLY, how);
		n_try(fd, fmt_path("sub/deep/%s", hostrel("%s/outside/secret", cfg.mnt)), O_RDONLY, how);
		n_try(fd, "sub/deep", O_RDONLY | O_DIRECTORY, how);
		n_try(fd, "absout/secret", O_RDONLY, how);
		n_try(fd, "abssecret", O_RDONLY, how);
		n_try(fd, fmt_path("proc/self/fd/%d/..", fd), O_RDONLY | O_DIRECTORY, how);
		n_try(fd, fmt_path("proc/self/fd/%d/../outside/secret", fd), O_RDONLY, how);
		n_try(fd, fmt_path("proc/self/fd/%d/../" MARKER, fd), O_RDONLY, how);
		n_try(fd, fmt_path("proc/thread-self/fd/%d/..", fd), O_RDONLY | O_DIRECTORY, how);
		n_try(fd, fmt_path("proc/%d/cwd", (int)rp), O_RDONLY | O_DIRECTORY, how);
		n_try(fd, fmt_path("proc/%d/root%s/outside/secret", (int)rp, cfg.mnt), O_RDONLY, how);
		n_try(fd, fmt_path("proc/1/root%s/outside/secret", cfg.mnt), O_RDONLY, how);
		n_try(fd, "proc/self/root/..", O_RDONLY | O_DIRECTORY, how);
		croot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fchdir(fd) == 0) {
			n_try(fd, "proc/self/cwd/..", O_RDONLY | O_DIRECTORY,
			      "after fchdir(fd), openat(fd)");
			n_try(fd, "proc/self/cwd/../outside/secret", O_RDONLY,
			      "after fchdir(fd), openat(fd)");
			if (fchdir(croot) < 0)
				_exit(3);
		}
		close(croot);
		close(fd);
	}
	close(s);
}

/* ---- fds handed to the shadow (HC_HANDLE_PASSED) ---- */

/* Ops a passed fd must not make the shadow do to a file it did not open. */
static void passed_ops(int s, int pfd, const char *what, int isdir, int k)
{
	const hc_u32 E = HC_AT_EMPTY_PATH;
	struct hc_msg m, o;
	int fd;

	attempt();
	p_chmod(s, HC_HANDLE_PASSED, "", E, 0777, &pfd, 1);
	m = (struct hc_msg){ .op = HC_OP_FCHOWNAT,
			     .req.fchownat = { .dirfd = HC_HANDLE_PASSED, .flags = E,
					       .uid = cfg.suid, .gid = (hc_u32)-1 } };
	attempt();
	p_simple(s, &m, &pfd, 1);
	m = (struct hc_msg){ .op = HC_OP_UTIMENSAT,
			     .req.utimensat = { .dirfd = HC_HANDLE_PASSED, .flags = E } };
	attempt();
	p_simple(s, &m, &pfd, 1);
	attempt();
	p_setxattr(s, HC_HANDLE_PASSED, "", E, "user.hcescape", "x", 1, &pfd, 1);
	m = (struct hc_msg){ .op = HC_OP_LINKAT,
			     .req.linkat = { .olddirfd = HC_HANDLE_PASSED, .flags = E,
					     .newdirfd = HC_AT_FDCWD,
					     .newpath = fmt_path("stolen-p%d", k) } };
	attempt();
	p_simple(s, &m, &pfd, 1);
	if (!isdir)
		return;
	o = (struct hc_msg){ .op = HC_OP_OPENAT,
			     .req.openat = { .dirfd = HC_HANDLE_PASSED, .path = MARKER,
					     .flags = hc_oflags_to_wire(O_RDONLY) } };
	attempt();
	call(s, &o, &pfd, 1, NULL, &fd);
	inspect(fd, fmt_path("OPENAT(passed %s, " MARKER ")", what));
	o.req.openat.path = "secret";
	attempt();
	call(s, &o, &pfd, 1, NULL, &fd);
	inspect(fd, fmt_path("OPENAT(passed %s, secret)", what));
	o.req.openat.path = fmt_path("new-passed-%d", k);
	o.req.openat.flags = hc_oflags_to_wire(O_WRONLY | O_CREAT | O_EXCL);
	o.req.openat.mode = 0644;
	attempt();
	call(s, &o, &pfd, 1, NULL, &fd);
	if (fd >= 0)
		close(fd);
	m = (struct hc_msg){ .op = HC_OP_MKDIRAT,
			     .req.mkdirat = { .dirfd = HC_HANDLE_PASSED,
					      .path = fmt_path("newdir-passed-%d", k),
					      .mode = 0755 } };
	attempt();
	p_simple(s, &m, &pfd, 1);
	m = (struct hc_msg){ .op = HC_OP_CHDIR,
			     .req.chdir = { .dirfd = HC_HANDLE_PASSED, .flags = E } };
	attempt();
	if (p_simple(s, &m, &pfd, 1) >= 0) {
		p_try(s, HC_AT_FDCWD, "secret", O_RDONLY, "after CHDIR(passed fd), OPENAT");
		p_try(s, HC_AT_FDCWD, MARKER, O_RDONLY, "after CHDIR(passed fd), OPENAT");
		m = (struct hc_msg){ .op = HC_OP_CHDIR,
				     .req.chdir = { .dirfd = HC_AT_FDCWD, .path = "/" } };
		p_simple(s, &m, NULL, 0);
	}
}

static void a_passed(void)
{
	static const char *const gives[] = {
		"outside/private (O_PATH)", "the outside directory (O_PATH)",
		"secret-top (O_PATH)", "outside/secret (O_RDWR)",
	};
	static const char *const paths[] = {
		"..", "../outside/secret", "../" MARKER, "../../secret-top", NULL,
	};
	int s = conn(), i, fd, e0, e1;
	struct hc_msg m, o;

	if (s < 0)
		return;
	for (i = 0; i < 4; i++) {
		ctl_call(CTL_GIVE, i, 0, &fd);
		if (fd < 0) {
			test_error("the host side gave no fd of %s", gives[i]);
			continue;
		}
		passed_ops(s, fd, gives[i], i == 1, i);
		close(fd);
	}
	/* fds the client opens itself: its own root and this program */
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		passed_ops(s, fd, "the client's root", 1, 10);
		close(fd);
	}
	fd = open(SELF_PATH, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		passed_ops(s, fd, SELF_PATH, 0, 11);
		close(fd);
	}
	/* fds from earlier requests, as bases for a way out */
	p_dir(s, HC_AT_FDCWD, "/", O_RDONLY, &e0);
	if (e0 >= 0) {
		o = (struct hc_msg){ .op = HC_OP_OPENAT,
				     .req.openat = { .dirfd = HC_HANDLE_PASSED,
						     .flags = hc_oflags_to_wire(O_RDONLY) } };
		for (i = 0; paths[i]; i++) {
			o.req.openat.path = paths[i];
			attempt();
			call(s, &o, &e0, 1, NULL, &fd);
			inspect(fd, fmt_path("OPENAT(passed dirfd of /, %s)", paths[i]));
		}
		m = (struct hc_msg){ .op = HC_OP_MKDIRAT,
				     .req.mkdirat = { .dirfd = HC_HANDLE_PASSED,
						      .path = "../outside/newdir-e0",
						      .mode = 0755 } };
		attempt();
		p_simple(s, &m, &e0, 1);
		close(e0);
	}
	p_openat(s, HC_AT_FDCWD, "inside.txt", O_RDONLY, 0, &e1);
	if (e1 >= 0) {
		m = (struct hc_msg){ .op = HC_OP_LINKAT,
				     .req.linkat = { .olddirfd = HC_HANDLE_PASSED,
						     .flags = HC_AT_EMPTY_PATH,
						     .newdirfd = HC_AT_FDCWD,
						     .newpath = "../outside/linked-e1" } };
		attempt();
		p_simple(s, &m, &e1, 1);
		close(e1);
	} else {
		test_error("OPENAT inside.txt gave no fd");
	}
	close(s);
}

/* ---- inode-number reuse ---- */

static void a_reuse(void)
{
	const int rounds = 8;
	int s = conn(), r, fd, pfd, seen = 0;
	struct hc_msg m;
	struct stat st;
	struct ctl_rep rep;

	if (s < 0)
		return;
	for (r = 0; r < rounds && seen < 2; r++) {
		const char *name = fmt_path("reuse/f%d", r);
		const char *stolen = fmt_path("reuse/stolen%d", r);

		if (p_openat(s, HC_AT_FDCWD, name, O_WRONLY | O_CREAT | O_EXCL, 0600, &fd) < 0 ||
		    fd < 0 || fstat(fd, &st) < 0) {
			test_error("OPENAT %s O_CREAT gave no fd", name);
			if (fd >= 0)
				close(fd);
			break;
		}
		close(fd);
		m = (struct hc_msg){ .op = HC_OP_UNLINKAT,
				     .req.unlinkat = { .dirfd = HC_AT_FDCWD, .path = name } };
		if (p_simple(s, &m, NULL, 0) < 0) {
			test_error("UNLINKAT %s failed", name);
			break;
		}
		rep = ctl_call(CTL_REUSE, r, (long long)st.st_ino, &pfd);
		if (!rep.ok || pfd < 0) {
			if (pfd >= 0)
				close(pfd);
			continue;
		}
		seen++;
		info("round %d: inode %llu came back as an outside 0600 file", r,
		     (unsigned long long)st.st_ino);
		attempt();
		p_chmod(s, HC_HANDLE_PASSED, "", HC_AT_EMPTY_PATH, 0666, &pfd, 1);
		m = (struct hc_msg){ .op = HC_OP_LINKAT,
				     .req.linkat = { .olddirfd = HC_HANDLE_PASSED,
						     .flags = HC_AT_EMPTY_PATH,
						     .newdirfd = HC_AT_FDCWD, .newpath = stolen } };
		attempt();
		p_simple(s, &m, &pfd, 1);
		p_try(s, HC_AT_FDCWD, stolen, O_RDONLY, "after LINKAT(passed fd), OPENAT");
		attempt();
		p_setxattr(s, HC_HANDLE_PASSED, "", HC_AT_EMPTY_PATH, "user.hcescape", "x", 1,
			   &pfd, 1);
		close(pfd);
	}
	if (!seen)
		test_error("no inode-number reuse observed in %d rounds: the opened-file "
			   "check was never exercised", r);
	close(s);
}

/* ---- rename races ---- */

struct race_tally {
	int inside, failed;
};

/* One open of a race path; @fd < 0 means the open failed. */
static void race_read(int fd, const char *how, const char *path, struct race_tally *t)
{
	char buf[256];
	ssize_t n;

	if (fd < 0) {
		t->failed++;
		return;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n > 0 && has_token(buf, n))
		escaped("%s %s: read a canary", how, path);
	else
		t->inside++;
}

/*
 * Open through the race's paths for 1 s (at most 50000 rounds): long enough
 * that the racer gets the CPU many times even on a loaded machine.
 */
static void race_loop(int s, const char *const *proto, hc_s32 h, const char *const *hpaths,
		      int nfd, const char *const *npaths, struct race_tally *t)
{
	struct timespec t0, now;
	int i, j, fd;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 50000 && cur.escapes < 20; i++) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000 > 1000)
			break;
		for (j = 0; proto && proto[j]; j++) {
			attempt();
			p_openat(s, HC_AT_FDCWD, proto[j], O_RDONLY, 0, &fd);
			race_read(fd, "OPENAT", proto[j], t);
		}
		for (j = 0; h >= 0 && hpaths[j]; j++) {
			attempt();
			p_openat(s, h, hpaths[j], O_RDONLY, 0, &fd);
			race_read(fd, "OPENAT(handle)", hpaths[j], t);
		}
		for (j = 0; nfd >= 0 && npaths[j]; j++) {
			attempt();
			race_read(openat(nfd, npaths[j], O_RDONLY | O_CLOEXEC),
				  "openat(received dirfd)", npaths[j], t);
		}
	}
}

static void a_race_symlink(void)
{
	static const char *const proto[] = { "race/x/secret", "race/y/secret", NULL };
	static const char *const rel[] = { "x/secret", "y/secret", NULL };
	struct race_tally t = { 0, 0 };
	int s = conn(), fd = -1;
	hc_s32 h;

	if (s < 0)
		return;
	h = p_dir(s, HC_AT_FDCWD, "race", O_RDONLY, &fd);
	if (!ctl_call(CTL_RACE_START, 1, 0, NULL).ok)
		test_error("the racer did not start");
	race_loop(s, proto, h, rel, fd, rel, &t);
	ctl_call(CTL_RACE_STOP, 0, 0, NULL);
	info("%d opens found the directory, %d found the symlink (and failed)", t.inside, t.failed);
	if (!t.inside || !t.failed)
		info("only one side of the race was seen: the race may not have been exercised");
	if (fd >= 0)
		close(fd);
	close(s);
}

static void a_race_dotdot(void)
{
	static const char *const proto[] = { "mv/a/b/c/../../../../secret",
					     "mv/a/b/c/../../../../" MARKER, NULL };
	static const char *const rel[] = { "a/b/c/../../../../secret", NULL };
	static const char *const fromc[] = { "../../../../secret", NULL };
	struct race_tally t = { 0, 0 };
	int s = conn(), fd = -1, fc;
	hc_s32 h;

	if (s < 0)
		return;
	h = p_dir(s, HC_AT_FDCWD, "mv", O_RDONLY, &fd);
	p_dir(s, HC_AT_FDCWD, "mv/a/b/c", O_RDONLY, &fc);
	if (!ctl_call(CTL_RACE_START, 2, 0, NULL).ok)
		test_error("the racer did not start");
	race_loop(s, proto, h, rel, fd, rel, &t);
	race_loop(s, NULL, -1, NULL, fc, fromc, &t);
	ctl_call(CTL_RACE_STOP, 0, 0, NULL);
	info("%d opens found nothing or the inside, %d failed", t.inside, t.failed);
	if (fd >= 0)
		close(fd);
	if (fc >= 0)
		close(fc);
	close(s);
}

/* ---- directories moved out from under handles ---- */

static void moved_proto(int s, hc_s32 hb, hc_s32 hc, int fb)
{
	static const char *const paths[] = {
		"..", "../beside-secret", "../" MARKER, "../../secret", "../../" MARKER,
		"../../../secret-top", NULL,
	};
	struct hc_msg m, rep;
	int i, nfd;
	hc_s64 r;

	for (i = 0; paths[i]; i++)
		p_try(s, hb, paths[i], O_RDONLY, "OPENAT(handle of a moved-out dir)");
	attempt();
	r = p_openat(s, hb, "..", O_RDONLY | O_DIRECTORY, 0, &nfd);
	inspect(nfd, "OPENAT(handle of a moved-out dir, \"..\")");
	if (r >= 0 && r != HC_HANDLE_NONE)
		p_list(s, (hc_s32)r, "GETDENTS(handle of .. of a moved-out dir)");
	m = (struct hc_msg){ .op = HC_OP_MKDIRAT,
			     .req.mkdirat = { .dirfd = hb, .path = "../created-beside",
					      .mode = 0755 } };
	attempt();
	p_simple(s, &m, NULL, 0);
	attempt();
	p_openat(s, hb, "../created-beside2", O_WRONLY | O_CREAT | O_EXCL, 0644, &nfd);
	if (nfd >= 0)
		close(nfd);
	m = (struct hc_msg){ .op = HC_OP_SYMLINKAT,
			     .req.symlinkat = { .dirfd = hb, .path = "../sym-beside",
						.target = "x" } };
	attempt();
	p_simple(s, &m, NULL, 0);
	m = (struct hc_msg){ .op = HC_OP_LINKAT,
			     .req.linkat = { .olddirfd = hb, .oldpath = "own.txt",
					     .newdirfd = hb, .newpath = "../linked-beside" } };
	attempt();
	p_simple(s, &m, NULL, 0);
	m = (struct hc_msg){ .op = HC_OP_RENAMEAT2,
			     .req.renameat2 = { .olddirfd = hb, .oldpath = "own.txt",
						.newdirfd = hb, .newpath = "../renamed-beside" } };
	attempt();
	p_simple(s, &m, NULL, 0);
	attempt();
	p_chmod(s, hb, "../beside-secret", 0, 0777, NULL, 0);
	/* its own entries may still be listed: informational only */
	r = p_openat(s, hb, "own.txt", O_RDONLY, 0, &nfd);
	if (nfd >= 0)
		close(nfd);
	info("a lookup of its own entry through the handle: %s",
	     r >= 0 ? "allowed" : strerror((int)-r));
	if (hc >= 0) {
		p_try(s, hc, "../../beside-secret", O_RDONLY, "OPENAT(handle below a moved-out dir)");
		p_try(s, hc, "../..", O_RDONLY, "OPENAT(handle below a moved-out dir)");
	}
	p_try(s, HC_AT_FDCWD, "..", O_RDONLY, "after CHDIR into a moved-out dir, OPENAT");
	p_try(s, HC_AT_FDCWD, "../beside-secret", O_RDONLY,
	      "after CHDIR into a moved-out dir, OPENAT");
	m = (struct hc_msg){ .op = HC_OP_CHDIR,
			     .req.chdir = { .dirfd = HC_AT_FDCWD, .path = ".." } };
	attempt();
	if (p_simple(s, &m, NULL, 0) >= 0) {
		p_try(s, HC_AT_FDCWD, "beside-secret", O_RDONLY,
		      "after CHDIR .. from a moved-out dir, OPENAT");
		p_try(s, HC_AT_FDCWD, MARKER, O_RDONLY,
		      "after CHDIR .. from a moved-out dir, OPENAT");
	}
	m = (struct hc_msg){ .op = HC_OP_GETCWD };
	if (call(s, &m, NULL, 0, &rep, NULL) >= 0)
		info("GETCWD after that: %s", rep.rep.getcwd.path ? rep.rep.getcwd.path : "");
	m = (struct hc_msg){ .op = HC_OP_CHDIR,
			     .req.chdir = { .dirfd = HC_AT_FDCWD, .path = "/" } };
	p_simple(s, &m, NULL, 0);
	if (fb >= 0) {
		m = (struct hc_msg){ .op = HC_OP_OPENAT,
				     .req.openat = { .dirfd = HC_HANDLE_PASSED,
						     .path = "../beside-secret",
						     .flags = hc_oflags_to_wire(O_RDONLY) } };
		attempt();
		call(s, &m, &fb, 1, NULL, &nfd);
		inspect(nfd, "OPENAT(passed fd of a moved-out dir, ../beside-secret)");
	}
}

static void moved_native(int fb, int fbp, int fc)
{
	const char *how = "openat(fd of a moved-out dir)";
	int croot, nfd;

	if (fb >= 0) {
		n_try(fb, "..", O_RDONLY | O_DIRECTORY, how);
		n_try(fb, "../beside-secret", O_RDONLY, how);
		n_try(fb, "../" MARKER, O_RDONLY, how);
		n_try(fb, "../../secret", O_RDONLY, how);
		attempt();
		nfd = openat(fb, "../new-beside-native", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			     0644);
		if (nfd >= 0)
			close(nfd);
		croot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fchdir(fb) == 0) {
			attempt();
			if (chdir("..") == 0)
				inspect(open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC),
					"fchdir(fd of a moved-out dir) + chdir(\"..\")");
			if (fchdir(croot) < 0)
				_exit(3);
		}
		close(croot);
		dotdot_loop(dup(fb), 8, O_RDONLY, "openat(fd of a moved-out dir, \"..\")");
	}
	if (fbp >= 0) {
		n_try(fbp, "..", O_RDONLY | O_DIRECTORY, "openat(O_PATH fd of a moved-out dir)");
		n_try(fbp, "../beside-secret", O_RDONLY, "openat(O_PATH fd of a moved-out dir)");
	}
	if (fc >= 0)
		n_try(fc, "../../beside-secret", O_RDONLY, "openat(fd below a moved-out dir)");
}

static void a_moved(void)
{
	int s = conn(), fb, fbp, fc;
	hc_s32 hb, hc;
	struct hc_msg m;

	if (s < 0)
		return;
	hb = p_dir(s, HC_AT_FDCWD, "a/b", O_RDONLY, &fb);
	hc = p_dir(s, HC_AT_FDCWD, "a/b/c2", O_RDONLY, &fc);
	p_dir(s, HC_AT_FDCWD, "a/b", O_PATH, &fbp);
	m = (struct hc_msg){ .op = HC_OP_CHDIR,
			     .req.chdir = { .dirfd = HC_AT_FDCWD, .path = "a/b" } };
	if (p_simple(s, &m, NULL, 0) < 0)
		test_error("CHDIR a/b failed");
	if (hb < 0 || fb < 0 || !ctl_call(CTL_MOVE_OUT, 0, 0, NULL).ok) {
		test_error("could not move a/b out of the export");
	} else {
		moved_proto(s, hb, hc, fb);
		moved_native(fb, fbp, fc);
	}
	if (fb >= 0)
		close(fb);
	if (fbp >= 0)
		close(fbp);
	if (fc >= 0)
		close(fc);
	close(s);
}

/* ---- exec of received fds ---- */

/*
 * Run the canary from @fd (execveat) and see what it ran as: an identity or
 * a capability the client has not got is an escape. Returns 1 if it ran.
 */
static int run_canary(int fd, const char *path, int flags, const char *how)
{
	char out[256] = "";
	unsigned int uid = 0, euid = 0, gid = 0, egid = 0;
	unsigned long long caps = 0;
	char *const argv[] = { "canary", NULL };
	char *const envp[] = { NULL };
	int p[2], status, got = 0;
	struct pollfd pf;
	ssize_t n;
	pid_t pid;

	attempt();
	if (pipe2(p, O_CLOEXEC) < 0)
		return 0;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		syscall(SYS_execveat, fd, path, argv, envp, flags);
		dprintf(1, "exec failed: %s\n", strerror(errno));
		_exit(127);
	}
	close(p[1]);
	pf = (struct pollfd){ .fd = p[0], .events = POLLIN };
	if (pid > 0 && poll(&pf, 1, 5000) == 1) {
		n = read(p[0], out, sizeof(out) - 1);
		if (n > 0)
			out[n] = 0;
	}
	close(p[0]);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	if (sscanf(out, "uid=%u euid=%u gid=%u egid=%u caps=%llx", &uid, &euid, &gid,
		   &egid, &caps) == 5) {
		got = 1;
		if (euid == 0)
			escaped("%s: the canary ran with euid 0", how);
		else if (euid != cfg.cuid)
			escaped("%s: the canary ran as uid %u, not the client's %u", how,
				euid, (unsigned int)cfg.cuid);
		else if (egid != cfg.cgid)
			escaped("%s: the canary ran with gid %u, not the client's %u", how,
				egid, (unsigned int)cfg.cgid);
		else if (caps)
			escaped("%s: the canary ran with capabilities %llx", how, caps);
	} else {
		out[strcspn(out, "\n")] = 0;
		info("%s: %s", how, *out ? out : "no output");
	}
	return got;
}

static void a_suid_exec(void)
{
	int s = conn(), fd, dfd, ran = 0;

	if (s < 0)
		return;
	p_openat(s, HC_AT_FDCWD, "suid-canary", O_RDONLY, 0, &fd);
	if (fd >= 0) {
		ran += run_canary(fd, "", AT_EMPTY_PATH, "execveat(received fd)");
		close(fd);
	}
	p_openat(s, HC_AT_FDCWD, "suid-canary", O_PATH, 0, &fd);
	if (fd >= 0) {
		ran += run_canary(fd, "", AT_EMPTY_PATH, "execveat(received O_PATH fd)");
		close(fd);
	}
	dfd = got_dirfd(s, "/", O_RDONLY);
	if (dfd >= 0) {
		ran += run_canary(dfd, "suid-canary", 0, "execveat(received dirfd, suid-canary)");
		fd = openat(dfd, "suid-canary", O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ran += run_canary(fd, "", AT_EMPTY_PATH,
					  "execveat(openat(received dirfd, suid-canary))");
			close(fd);
		}
		close(dfd);
	}
	if (!ran)
		info("the canary never ran: exec of received fds is refused altogether");
	close(s);
}

/* Copy the canary into the export as @name (mode @mode) through the shadow. */
static int copy_canary(int s, const char *name, mode_t mode)
{
	static char buf[1 << 16];
	int in, out, ok = 1;
	ssize_t n;

	p_openat(s, HC_AT_FDCWD, "suid-canary", O_RDONLY, 0, &in);
	p_openat(s, HC_AT_FDCWD, name, O_WRONLY | O_CREAT | O_TRUNC, mode, &out);
	if (in < 0 || out < 0) {
		ok = 0;
	} else {
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, n) != n) {
				ok = 0;
				break;
			}
	}
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (!ok)
		test_error("could not copy the canary to %s", name);
	return ok;
}

static void exec_export_file(int s, const char *name, const char *how)
{
	int fd;

	p_openat(s, HC_AT_FDCWD, name, O_RDONLY, 0, &fd);
	if (fd < 0)
		return;
	run_canary(fd, "", AT_EMPTY_PATH, how);
	close(fd);
}

/* The mode of @name as the shadow sees it, or 0. */
static unsigned int mode_of(int s, const char *name)
{
	struct hc_stat st;

	return p_stat(s, HC_AT_FDCWD, name, &st) < 0 ? 0 : st.mode;
}

static void a_suid_set(void)
{
	int s = conn(), fd;
	struct hc_msg m;

	if (s < 0)
		return;
	/* chmod u+s / g+s of a file: with root shadows it must be refused */
	if (copy_canary(s, "mysuid", 0755)) {
		attempt();
		p_chmod(s, HC_AT_FDCWD, "mysuid", 0, 04755, NULL, 0);
		if (cfg.root_mode && (mode_of(s, "mysuid") & S_ISUID))
			escaped("chmod u+s of a file was accepted with root shadows");
		exec_export_file(s, "mysuid", "execveat(a setuid file made through the shadow)");
	}
	if (copy_canary(s, "mysgid", 0755)) {
		attempt();
		p_chmod(s, HC_AT_FDCWD, "mysgid", 0, 02755, NULL, 0);
		if (cfg.root_mode && (mode_of(s, "mysgid") & S_ISGID))
			escaped("chmod g+s of a file was accepted with root shadows");
		exec_export_file(s, "mysgid", "execveat(a setgid file made through the shadow)");
	}
	/* created with the bits set */
	attempt();
	p_openat(s, HC_AT_FDCWD, "mysuid2", O_WRONLY | O_CREAT | O_EXCL, 04755, &fd);
	if (fd >= 0)
		close(fd);
	if (cfg.root_mode && (mode_of(s, "mysuid2") & (S_ISUID | S_ISGID)))
		escaped("OPENAT O_CREAT mode 04755 made a setuid file with root shadows");
	m = (struct hc_msg){ .op = HC_OP_MKNODAT,
			     .req.mknodat = { .dirfd = HC_AT_FDCWD, .path = "mysuid3",
					      .mode = S_IFREG | 06755 } };
	attempt();
	p_simple(s, &m, NULL, 0);
	if (cfg.root_mode && (mode_of(s, "mysuid3") & (S_ISUID | S_ISGID)))
		escaped("MKNODAT S_IFREG|06755 made a setuid file with root shadows");
	/* O_TMPFILE with the bits, then linked in; chmod u+s through a passed fd */
	attempt();
	p_openat(s, HC_AT_FDCWD, ".", O_WRONLY | O_TMPFILE, 04755, &fd);
	if (fd >= 0) {
		m = (struct hc_msg){ .op = HC_OP_LINKAT,
				     .req.linkat = { .olddirfd = HC_HANDLE_PASSED,
						     .flags = HC_AT_EMPTY_PATH,
						     .newdirfd = HC_AT_FDCWD,
						     .newpath = "mysuid4" } };
		p_simple(s, &m, &fd, 1);
		close(fd);
		if (cfg.root_mode && (mode_of(s, "mysuid4") & (S_ISUID | S_ISGID)))
			escaped("OPENAT O_TMPFILE mode 04755 made a setuid file with root shadows");
	}
	if (copy_canary(s, "mysuid5", 0755)) {
		p_openat(s, HC_AT_FDCWD, "mysuid5", O_RDONLY, 0, &fd);
		if (fd >= 0) {
			attempt();
			p_chmod(s, HC_HANDLE_PASSED, "", HC_AT_EMPTY_PATH, 06755, &fd, 1);
			close(fd);
		}
		if (cfg.root_mode && (mode_of(s, "mysuid5") & (S_ISUID | S_ISGID)))
			escaped("FCHMODAT(passed fd) 06755 was accepted with root shadows");
		exec_export_file(s, "mysuid5", "execveat(a file chmodded u+s through a passed fd)");
	}
	m = (struct hc_msg){ .op = HC_OP_MKDIRAT,
			     .req.mkdirat = { .dirfd = HC_AT_FDCWD, .path = "sgiddir",
					      .mode = 0755 } };
	p_simple(s, &m, NULL, 0);
	if (p_chmod(s, HC_AT_FDCWD, "sgiddir", 0, 02775, NULL, 0) < 0)
		info("chmod g+s of a directory was refused (setgid directories should stay allowed)");
	close(s);
}

static void a_fcaps(void)
{
	/* VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE; CAP_DAC_OVERRIDE, CAP_SETUID */
	static const unsigned char cap[20] = { 0x01, 0x00, 0x00, 0x02, 0x82, 0x00, 0x00, 0x00 };
	int s = conn();

	if (s < 0)
		return;
	if (copy_canary(s, "mycap", 0755)) {
		attempt();
		if (p_setxattr(s, HC_AT_FDCWD, "mycap", 0, "security.capability", cap,
			       sizeof(cap), NULL, 0) >= 0)
			escaped("SETXATTR security.capability was accepted (%s shadows)",
				cfg.root_mode ? "root" : "non-root");
		exec_export_file(s, "mycap", "execveat(a file given capabilities through the shadow)");
	}
	if (copy_canary(s, "mycap2", 0755)) {
		int fd;

		p_openat(s, HC_AT_FDCWD, "mycap2", O_RDONLY, 0, &fd);
		if (fd >= 0) {
			attempt();
			if (p_setxattr(s, HC_HANDLE_PASSED, "", HC_AT_EMPTY_PATH,
				       "security.capability", cap, sizeof(cap), &fd, 1) >= 0)
				escaped("SETXATTR(passed fd) security.capability was accepted");
			close(fd);
		}
		exec_export_file(s, "mycap2", "execveat(a file given capabilities through a passed fd)");
	}
	close(s);
}

/* ---- device nodes ---- */

static void a_devices(void)
{
	const struct {
		const char *name;
		mode_t type;
		unsigned int maj, min;
	} mk[] = {
		{ "newkmsg", S_IFCHR, 1, 11 },
		{ "newblk", S_IFBLK, cfg.loop_major, cfg.loop_minor },
	};
	struct hc_msg m;
	int s = conn(), dfd, i;

	if (s < 0)
		return;
	p_try(s, HC_AT_FDCWD, "blkdev", O_RDONLY, "OPENAT of the export's device node");
	p_try(s, HC_AT_FDCWD, "kmsgdev", O_RDONLY | O_NONBLOCK,
	      "OPENAT of the export's device node");
	dfd = got_dirfd(s, "/", O_RDONLY);
	if (dfd >= 0) {
		n_try(dfd, "blkdev", O_RDONLY, "openat(received dirfd) of a device node");
		n_try(dfd, "kmsgdev", O_RDONLY | O_NONBLOCK,
		      "openat(received dirfd) of a device node");
		close(dfd);
	}
	for (i = 0; i < 2; i++) {
		m = (struct hc_msg){ .op = HC_OP_MKNODAT,
				     .req.mknodat = { .dirfd = HC_AT_FDCWD, .path = mk[i].name,
						      .mode = mk[i].type | 0666,
						      .rdev_major = mk[i].maj,
						      .rdev_minor = mk[i].min } };
		attempt();
		if (p_simple(s, &m, NULL, 0) >= 0)
			escaped("MKNODAT %s (%s %u:%u) was accepted", mk[i].name,
				mk[i].type == S_IFCHR ? "char" : "block", mk[i].maj, mk[i].min);
		p_try(s, HC_AT_FDCWD, mk[i].name, O_RDONLY | O_NONBLOCK,
		      "OPENAT of a device node made through the shadow");
	}
	close(s);
}

static void a_spawn(void)
{
	static const char argv0[] = "/suid-canary";
	static const hc_u32 flags[] = { 0, HC_SPAWN_KEEP };
	int s = conn(), i;

	if (s < 0)
		return;
	for (i = 0; i < 2; i++) {
		struct hc_msg m = { .op = HC_OP_SPAWN,
				    .req.spawn = { .flags = flags[i], .cwd = "",
						   .argv = { argv0, sizeof(argv0), 1 },
						   .stdin_mode = HC_STDIO_NULL,
						   .stdout_mode = HC_STDIO_NULL,
						   .stderr_mode = HC_STDIO_NULL } };

		attempt();
		if (call(s, &m, NULL, 0, NULL, NULL) >= 0)
			escaped("SPAWN%s of a host program was accepted under --root",
				flags[i] ? " with HC_SPAWN_KEEP" : "");
	}
	close(s);
}

static void a_procmem(void)
{
	char buf[sizeof(helper_secret)];
	pid_t hp = getppid();
	int s = conn(), fd;
	ssize_t n;

	if (s < 0)
		return;
	p_try(s, HC_AT_FDCWD, fmt_path("/proc/%d/environ", (int)hp), O_RDONLY,
	      "OPENAT of the host side's environment");
	/* hostcalld runs with a canary in its environment, which its shadows inherit */
	p_try(s, HC_AT_FDCWD, "/proc/self/environ", O_RDONLY, "OPENAT of the shadow's environment");
	p_try(s, HC_AT_FDCWD, fmt_path("/proc/%d/environ", (int)relay_pid(s)), O_RDONLY,
	      "OPENAT of hostcalld's environment");
	attempt();
	p_openat(s, HC_AT_FDCWD, fmt_path("/proc/%d/mem", (int)hp), O_RDONLY, 0, &fd);
	if (fd >= 0) {
		n = pread(fd, buf, sizeof(buf), (off_t)(uintptr_t)helper_secret);
		if (n > 0 && has_token(buf, n))
			escaped("OPENAT /proc/%d/mem: read the host side's memory", (int)hp);
		close(fd);
	}
	close(s);
}

/* A positive control: the client can use the export at all. */
static void a_control(void)
{
	char buf[64] = "";
	int s = conn(), fd, nfd, ok = 0;
	ssize_t n;

	if (s < 0)
		return;
	p_openat(s, HC_AT_FDCWD, "inside.txt", O_RDONLY, 0, &fd);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		ok = n > 0 && !strncmp(buf, "inside", 6);
		close(fd);
	}
	if (!ok)
		test_error("OPENAT inside.txt did not give the file: every attack "
			   "would pass for nothing");
	fd = got_dirfd(s, "/", O_RDONLY);
	if (fd >= 0) {
		nfd = openat(fd, "inside.txt", O_RDONLY | O_CLOEXEC);
		if (nfd < 0)
			test_error("openat(received dirfd, inside.txt): %s", strerror(errno));
		else
			close(nfd);
		close(fd);
	}
	close(s);
}

static const struct {
	const char *name;
	void (*fn)(void);
} attacks[] = {
	{ "control: the client can use the export", a_control },
	{ "'..' chains through the shadow (OPENAT, handles, cwd, every op)", a_proto_dotdot },
	{ "absolute and relative symlinks through the shadow", a_proto_symlinks },
	{ "magic links through the shadow (/proc/self/root, /proc/self/fd/N, /proc/PID/cwd)",
	  a_proto_magic },
	{ "directory fds walked natively: openat(fd, \"../...\")", a_native_dotdot },
	{ "directory fds walked natively: fchdir(fd) + chdir(\"..\")", a_native_fchdir },
	{ "directory fds walked natively: openat(fd, \"..\") in a loop", a_native_loop },
	{ "O_PATH directory fds walked natively", a_native_opath },
	{ "symlinks and magic links followed natively from a directory fd", a_native_links },
	{ "passed fds of outside files and of earlier requests (HC_HANDLE_PASSED)", a_passed },
	{ "inode-number reuse: an outside file passes the opened-file check", a_reuse },
	{ "rename race: a symlink swapped in while the client opens through it", a_race_symlink },
	{ "rename race: a directory moved out during a '..' walk", a_race_dotdot },
	{ "directories moved out from under handles, fds and the cwd", a_moved },
	{ "exec of the setuid-root canary from a received fd", a_suid_exec },
	{ "setuid/setgid bits set through the shadow, then exec", a_suid_set },
	{ "file capabilities (security.capability) set through the shadow", a_fcaps },
	{ "device nodes: the export's, and new ones made through the shadow", a_devices },
	{ "host programs under --root (SPAWN, SPAWN with HC_SPAWN_KEEP)", a_spawn },
	{ "host processes' environment and memory through the export's proc", a_procmem },
};

static void __attribute__((noreturn)) client(void)
{
	unsigned int i;

	if (chroot(cfg.chroot) < 0 || chdir("/") < 0) {
		fprintf(stderr, "escape: chroot %s: %s\n", cfg.chroot, strerror(errno));
		_exit(2);
	}
	if (setgroups(0, NULL) < 0 || setresgid(cfg.cgid, cfg.cgid, cfg.cgid) < 0 ||
	    setresuid(cfg.cuid, cfg.cuid, cfg.cuid) < 0 || setuid(0) == 0) {
		fprintf(stderr, "escape: cannot become uid %u: %s\n", (unsigned int)cfg.cuid,
			strerror(errno));
		_exit(2);
	}
	alarm(100);
	for (i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
		begin(attacks[i].name);
		attacks[i].fn();
		done();
	}
	_exit(0);
}

/* ==================================================================== */
/* The host side                                                        */
/* ==================================================================== */

/* ---- the state of everything outside the export ---- */

struct snap_ent {
	char *path;
	struct stat st;
	hc_u64 content, xattrs;
};

struct snap {
	struct snap_ent *e;
	int n, cap;
};

static struct snap base;
static const char *ignore_times;	/* a directory whose times may change */

static hc_u64 fnv(hc_u64 h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ull;
	}
	return h;
}

static hc_u64 hash_file(const char *path)
{
	static char buf[65536];
	hc_u64 h = 0xcbf29ce484222325ull;
	size_t total = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOATIME);

	if (fd < 0)
		return 0;
	while (total < (1u << 20) && (n = read(fd, buf, sizeof(buf))) > 0) {
		h = fnv(h, buf, n);
		total += n;
	}
	close(fd);
	return h;
}

static hc_u64 hash_xattrs(const char *path)
{
	char names[4096], val[4096];
	hc_u64 h = 0xcbf29ce484222325ull;
	ssize_t n = llistxattr(path, names, sizeof(names)), v;
	char *p;

	for (p = names; n > 0 && p < names + n; p += strlen(p) + 1) {
		h = fnv(h, p, strlen(p));
		v = lgetxattr(path, p, val, sizeof(val));
		if (v > 0)
			h = fnv(h, val, v);
	}
	return h;
}

/* What the walk leaves out: the export, the logs, the image, the marker. */
static int snap_skip(const char *dir, const char *name)
{
	static const char *const top_skip[] = { "mnt", "chroot", "work", "fs.img", NULL };
	int i;

	if (!strcmp(dir, cfg.top))
		for (i = 0; top_skip[i]; i++)
			if (!strcmp(name, top_skip[i]))
				return 1;
	if (!strcmp(dir, cfg.mnt) && !strcmp(name, "export"))
		return 1;
	return !strcmp(dir, cfg.chroot) && !strcmp(name, "setuid-marker");
}

static void snap_add(struct snap *s, const char *path, int depth)
{
	struct snap_ent *e;
	struct dirent *d;
	DIR *dir;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->e = realloc(s->e, s->cap * sizeof(*s->e));
		if (!s->e)
			exit(2);
	}
	e = &s->e[s->n];
	if (lstat(path, &e->st) < 0)
		return;
	e->path = strdup(path);
	e->content = S_ISREG(e->st.st_mode) ? hash_file(path) : 0;
	e->xattrs = hash_xattrs(path);
	s->n++;
	if (!S_ISDIR(e->st.st_mode) || depth > 6 || s->n > 4000)
		return;
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		char sub[PATH_MAX];

		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..") ||
		    snap_skip(path, d->d_name))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, d->d_name);
		snap_add(s, sub, depth + 1);
	}
	closedir(dir);
}

static void snap_free(struct snap *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		free(s->e[i].path);
	free(s->e);
	memset(s, 0, sizeof(*s));
}

static void snap_take(struct snap *s)
{
	snap_free(s);
	snap_add(s, cfg.top, 0);
	snap_add(s, cfg.mnt, 0);
	snap_add(s, cfg.chroot, 0);
}

static struct snap_ent *snap_find(struct snap *s, const char *path)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->e[i].path, path))
			return &s->e[i];
	return NULL;
}

static int ts_eq(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* Is there a path directly below @dir in @a that is not in @b? */
static int child_only_in(struct snap *a, struct snap *b, const char *dir)
{
	size_t l = strlen(dir);
	int i;

	for (i = 0; i < a->n; i++)
		if (!strncmp(a->e[i].path, dir, l) && a->e[i].path[l] == '/' &&
		    !strchr(a->e[i].path + l + 1, '/') && !snap_find(b, a->e[i].path))
			return 1;
	return 0;
}

static void add_host(char *buf, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add_host(char *buf, size_t cap, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 100 >= cap) {
		if (!strstr(buf, "; ..."))
			snprintf(buf + n, cap - n, "; ...");
		return;
	}
	if (n)
		n += snprintf(buf + n, cap - n, "; ");
	va_start(ap, fmt);
	vsnprintf(buf + n, cap - n, fmt, ap);
	va_end(ap);
}

/* What changed in one entry, or NULL. */
static const char *ent_change(struct snap *now, const struct snap_ent *b,
			      const struct snap_ent *e)
{
	if (b->st.st_ino != e->st.st_ino || (b->st.st_mode ^ e->st.st_mode) & S_IFMT)
		return "replaced";
	if (b->st.st_mode != e->st.st_mode)
		return "chmodded";
	if (b->st.st_nlink != e->st.st_nlink && !S_ISDIR(e->st.st_mode))
		return "linked";
	if (b->st.st_uid != e->st.st_uid || b->st.st_gid != e->st.st_gid)
		return "chowned";
	if (b->content != e->content || b->st.st_size != e->st.st_size)
		return "written";
	if (b->xattrs != e->xattrs)
		return "given xattrs";
	if (ts_eq(&b->st.st_mtim, &e->st.st_mtim) && ts_eq(&b->st.st_ctim, &e->st.st_ctim))
		return NULL;
	/* the canary's marker comes and goes in the chroot; the racer moves through mvslot */
	if (!strcmp(e->path, cfg.chroot) || (ignore_times && !strcmp(e->path, ignore_times)))
		return NULL;
	/* a directory whose entries changed is reported by those entries */
	if (S_ISDIR(e->st.st_mode) &&
	    (child_only_in(now, &base, e->path) || child_only_in(&base, now, e->path)))
		return NULL;
	return "modified (its times changed)";
}

/* Compare the canaries with the baseline: each changed path is an escape. */
static int snap_compare(char *detail, size_t cap)
{
	struct snap now = { 0 };
	char marker[PATH_MAX];
	const char *what;
	int i, esc = 0;

	snap_take(&now);
	for (i = 0; i < now.n; i++) {
		struct snap_ent *b = snap_find(&base, now.e[i].path);

		what = b ? ent_change(&now, b, &now.e[i]) : "created";
		if (what) {
			add_host(detail, cap, "host: %s was %s", now.e[i].path, what);
			esc++;
		}
	}
	for (i = 0; i < base.n; i++)
		if (!snap_find(&now, base.e[i].path)) {
			add_host(detail, cap, "host: %s was removed", base.e[i].path);
			esc++;
		}
	snprintf(marker, sizeof(marker), "%s/setuid-marker", cfg.chroot);
	if (access(marker, F_OK) == 0) {
		add_host(detail, cap, "host: the setuid canary left its marker (it ran privileged)");
		esc++;
		unlink(marker);
	}
	snap_free(&base);
	base = now;
	return esc;
}

/* ---- the host side's actions ---- */

static pid_t racer = -1;

static const char *xp(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *xp(const char *fmt, ...)
{
	static char bufs[8][PATH_MAX];
	static int k;
	char *b = bufs[k++ & 7];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, PATH_MAX, fmt, ap);
	va_end(ap);
	return b;
}

/* Put the races' directories back where they started. */
static void race_restore(void)
{
	struct stat st;

	if (lstat(xp("%s/race/x", cfg.export), &st) == 0 && S_ISLNK(st.st_mode))
		renameat2(AT_FDCWD, xp("%s/race/x", cfg.export), AT_FDCWD,
			  xp("%s/race/sym", cfg.export), RENAME_EXCHANGE);
	if (lstat(xp("%s/race/y", cfg.export), &st) == 0 && S_ISLNK(st.st_mode))
		renameat2(AT_FDCWD, xp("%s/race/y", cfg.export), AT_FDCWD,
			  xp("%s/race/symabs", cfg.export), RENAME_EXCHANGE);
	if (lstat(xp("%s/mv/a", cfg.export), &st) < 0)
		rename(xp("%s/outside/mvslot/a", cfg.mnt), xp("%s/mv/a", cfg.export));
}

/* The racer: swap until killed, and for 5 s at most. */
static void __attribute__((noreturn)) race_run(int kind)
{
	char x[PATH_MAX], sym[PATH_MAX], y[PATH_MAX], symabs[PATH_MAX];
	char in[PATH_MAX], out[PATH_MAX];
	time_t end = time(NULL) + 5;
	int i;

	snprintf(x, sizeof(x), "%s/race/x", cfg.export);
	snprintf(sym, sizeof(sym), "%s/race/sym", cfg.export);
	snprintf(y, sizeof(y), "%s/race/y", cfg.export);
	snprintf(symabs, sizeof(symabs), "%s/race/symabs", cfg.export);
	snprintf(in, sizeof(in), "%s/mv/a", cfg.export);
	snprintf(out, sizeof(out), "%s/outside/mvslot/a", cfg.mnt);
	while (time(NULL) < end) {
		for (i = 0; i < 200; i++) {
			if (kind == 1) {
				renameat2(AT_FDCWD, x, AT_FDCWD, sym, RENAME_EXCHANGE);
				renameat2(AT_FDCWD, y, AT_FDCWD, symabs, RENAME_EXCHANGE);
			} else {
				rename(in, out);
				rename(out, in);
			}
		}
	}
	_exit(0);
}

static int race_start(int kind)
{
	racer = fork();
	if (racer == 0) {
		close(ctl);
		race_run(kind);
	}
	return racer > 0;
}

static void race_stop(void)
{
	int st;

	if (racer > 0) {
		kill(racer, SIGKILL);
		waitpid(racer, &st, 0);
	}
	racer = -1;
	race_restore();
}

/*
 * Bring inode @ino back as a 0600 file of the shadow user outside the export:
 * create files until one gets that number (ext4 hands out the lowest free
 * one of the group). Returns an O_PATH fd of it, or -1.
 */
static int reuse_make(int round, ino_t ino)
{
	char path[PATH_MAX], hit[PATH_MAX] = "";
	struct stat st;
	int k, fd, n = 0;

	for (k = 0; k < 48 && !*hit; k++) {
		snprintf(path, sizeof(path), "%s/outside/reuse/r%d-%d", cfg.mnt, round, k);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			break;
		n++;
		if (write(fd, TOKEN "-reused\n", sizeof(TOKEN "-reused\n") - 1) < 0 ||
		    fchown(fd, cfg.suid, cfg.sgid) < 0 || fstat(fd, &st) < 0) {
			close(fd);
			break;
		}
		close(fd);
		if (st.st_ino == ino)
			snprintf(hit, sizeof(hit), "%s", path);
	}
	/* the others go again (the hit stays, as a canary) */
	for (k = 0; k < n; k++) {
		snprintf(path, sizeof(path), "%s/outside/reuse/r%d-%d", cfg.mnt, round, k);
		if (strcmp(path, hit))
			unlink(path);
	}
	if (!*hit) {
		printf("# inode reuse round %d: inode %llu did not come back in %d files\n",
		       round, (unsigned long long)ino, n);
		return -1;
	}
	return open(hit, O_PATH | O_CLOEXEC);
}

/* Outside files as the client could hold them (fds it opened before its chroot). */
static int give_fd(int which)
{
	switch (which) {
	case 0: return open(xp("%s/outside/private", cfg.mnt), O_PATH | O_CLOEXEC);
	case 1: return open(xp("%s/outside", cfg.mnt), O_PATH | O_DIRECTORY | O_CLOEXEC);
	case 2: return open(xp("%s/secret-top", cfg.top), O_PATH | O_CLOEXEC);
	case 3: return open(xp("%s/outside/secret", cfg.mnt), O_RDWR | O_CLOEXEC);
	}
	return -1;
}

static int total_attempts, total_escapes, total_errors, nattacks, nfailed;

/* What changed outside since the last look, for the attack being run. */
static int host_esc;
static char host_detail[MAX_DETAIL];

static void host_check(void)
{
	host_esc += snap_compare(host_detail, sizeof(host_detail));
}

static void report(const struct ctl_msg *m)
{
	const char *host = host_detail;
	int esc, bad;

	host_check();
	esc = m->escapes + host_esc;
	bad = esc || m->errors;

	nattacks++;
	nfailed += bad;
	total_attempts += m->attempts;
	total_escapes += esc;
	total_errors += m->errors;
	printf("%s - %s: %d attempts, %d escapes", bad ? "not ok" : "ok", m->name,
	       m->attempts, esc);
	if (bad)
		printf(" # %s%s%s", m->detail, *m->detail && *host ? "; " : "", host);
	printf("\n");
	host_esc = 0;
	*host_detail = 0;
}

static int host_side(pid_t child)
{
	struct ctl_msg m;
	struct ctl_rep r;
	int fds[HC_SOCK_FDS_MAX], nfds, st = 0, fd, i;
	ssize_t n;

	for (;;) {
		n = hc_sock_recv(ctl, &m, sizeof(m), fds, &nfds);
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		if (n <= 0)
			break;
		if (n != (ssize_t)sizeof(m))
			continue;
		m.name[sizeof(m.name) - 1] = 0;
		m.detail[sizeof(m.detail) - 1] = 0;
		r = (struct ctl_rep){ .ok = 1 };
		fd = -1;
		switch (m.op) {
		case CTL_DONE:
			report(&m);
			break;
		case CTL_MOVE_OUT:
			host_check();
			r.ok = rename(xp("%s/a/b", cfg.export),
				      xp("%s/outside/moved/b", cfg.mnt)) == 0;
			if (!r.ok)
				printf("# move a/b out: %s\n", strerror(errno));
			snap_take(&base);
			break;
		case CTL_RACE_START:
			host_check();
			r.ok = race_start(m.arg);
			break;
		case CTL_RACE_STOP:
			race_stop();
			ignore_times = xp("%s/outside/mvslot", cfg.mnt);
			host_check();
			ignore_times = NULL;
			break;
		case CTL_REUSE:
			host_check();
			fd = reuse_make(m.arg, (ino_t)m.val);
			r.ok = fd >= 0;
			snap_take(&base);
			break;
		case CTL_GIVE:
			fd = give_fd(m.arg);
			r.ok = fd >= 0;
			break;
		default:
			r.ok = 0;
		}
		if (hc_sock_send(ctl, &r, sizeof(r), &fd, fd >= 0) < 0)
			break;
		if (fd >= 0)
			close(fd);
	}
	race_stop();
	if (waitpid(child, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		printf("not ok - the client ran to its end # %s %d\n",
		       WIFSIGNALED(st) ? "killed by signal" : "exit status",
		       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		total_errors++;
		nfailed++;
	}
	printf("escape suite: %d attempts, %d escapes\n", total_attempts, total_escapes);
	printf("# test errors: %d; attacks: %d, %d not ok\n", total_errors, nattacks, nfailed);
	return total_escapes || total_errors ? 1 : 0;
}

static int add_outside(const char *path)
{
	struct stat st;

	if (noutside == (int)(sizeof(outside) / sizeof(outside[0])))
		return -1;
	if (stat(path, &st) < 0) {
		fprintf(stderr, "escape: %s: %s\n", path, strerror(errno));
		return -1;
	}
	outside[noutside].dev = st.st_dev;
	outside[noutside].ino = st.st_ino;
	snprintf(outside[noutside].path, PATH_MAX, "%s", path);
	noutside++;
	return 0;
}

static int parse_ids(const char *s, unsigned int *a, unsigned int *b)
{
	return sscanf(s, "%u:%u", a, b) == 2 ? 0 : -1;
}

static void make_secret(void)
{
	unsigned char r[8];
	size_t i, l;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	snprintf(helper_secret, sizeof(helper_secret), TOKEN "-memory-");
	l = strlen(helper_secret);
	if (fd < 0)
		return;
	if (read(fd, r, sizeof(r)) == (ssize_t)sizeof(r))
		for (i = 0; i < sizeof(r); i++)
			snprintf(helper_secret + l + 2 * i, 3, "%02x", r[i]);
	close(fd);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "top", required_argument, NULL, 't' },
		{ "mnt", required_argument, NULL, 'm' },
		{ "chroot", required_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, 'M' },
		{ "client", required_argument, NULL, 'u' },
		{ "shadow", required_argument, NULL, 's' },
		{ "loop", required_argument, NULL, 'l' },
		{ "proto", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const more[] = {
		"outside", "outside/moved", "outside/mvslot", "outside/reuse", "lost+found", NULL,
	};
	unsigned int a, b;
	char anc[PATH_MAX], *slash;
	struct stat st;
	int c, sv[2], bad = 0, i;
	pid_t pid;

	cfg.proto = HC_PROTO_VERSION;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': cfg.top = optarg; break;
		case 'm': cfg.mnt = optarg; break;
		case 'c': cfg.chroot = optarg; break;
		case 'M': cfg.root_mode = !strcmp(optarg, "root"); break;
		case 'u':
			bad |= parse_ids(optarg, &a, &b);
			cfg.cuid = a;
			cfg.cgid = b;
			break;
		case 's':
			bad |= parse_ids(optarg, &a, &b);
			cfg.suid = a;
			cfg.sgid = b;
			break;
		case 'l':
			bad |= parse_ids(optarg, &cfg.loop_major, &cfg.loop_minor);
			break;
		case 'p':
			cfg.proto = atoi(optarg);
			bad |= cfg.proto != 2 && cfg.proto != HC_PROTO_VERSION;
			break;
		default:
			bad = 1;
		}
	}
	if (bad || !cfg.top || !cfg.mnt || !cfg.chroot || !cfg.cuid || geteuid()) {
		fprintf(stderr, "usage (as root): escape --top T --mnt M --chroot C "
			"--mode user|root --client UID:GID --shadow UID:GID --loop MAJ:MIN "
			"[--proto 2|3]\n");
		return 2;
	}
	snprintf(cfg.export, sizeof(cfg.export), "%s/export", cfg.mnt);
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* outside: "/" and every ancestor of the export, and the canaries' directories */
	snprintf(anc, sizeof(anc), "%s", cfg.export);
	while ((slash = strrchr(anc, '/'))) {
		*slash = 0;
		if (add_outside(*anc ? anc : "/"))
			return 2;
		if (!*anc)
			break;
	}
	for (i = 0; more[i]; i++)
		if (add_outside(xp("%s/%s", cfg.mnt, more[i])))
			return 2;
	if (stat(cfg.export, &st) < 0) {
		fprintf(stderr, "escape: %s: %s\n", cfg.export, strerror(errno));
		return 2;
	}
	export_root.dev = st.st_dev;
	export_root.ino = st.st_ino;
	snap_take(&base);

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return 2;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		close(sv[0]);
		ctl = sv[1];
		client();
	}
	close(sv[1]);
	ctl = sv[0];
	make_secret();
	return host_side(pid);
}
