// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostd_proto: speaks the wire protocol to a running hostcalld, with no
 * shim in between, and checks what each op does on the host, what --root
 * lets through, that malformed input gets error replies and never takes
 * the daemon down, and that one stalled subject stalls nobody else.
 *
 *   hostd_proto ops SOCKET DIR        file, handle, process ops in DIR
 *   hostd_proto root SOCKET DIR       hostcalld runs with --root DIR
 *   hostd_proto fuzz SOCKET DIR       malformed and odd messages, cwd DIR
 *   hostd_proto stall SOCKET FIFO     a blocked subject vs a fresh one
 *   hostd_proto limit SOCKET N        hostcalld runs with --max-subjects N
 *   hostd_proto hold SOCKET FIFO      subjects busy in every way, then wait
 *
 * Output: "ok - name" / "not ok - name # detail"; exit status 1 on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hostcall_proto.h"
#include "hc_sock.h"

static int failures;
static hc_u32 next_tag = 1;
static unsigned char rbuf[HC_MSG_MAX];

#define CHECK(cond, name, ...) check(!!(cond), name, #cond, __VA_ARGS__)

static void check(int ok, const char *name, const char *cond, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void check(int ok, const char *name, const char *cond, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("ok - %s\n", name);
		return;
	}
	failures++;
	printf("not ok - %s # %s: ", name, cond);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static int sock_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "hostd_proto: connect %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return s;
}

/* Wait for one reply (up to @ms); rep's strings point into rbuf. */
static hc_s64 recv_reply(int s, struct hc_msg *rep, int *fds, int *nfds, int ms)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	int dummy[HC_SOCK_FDS_MAX], dn;
	ssize_t n;
	int r;

	if (!fds) {
		fds = dummy;
		nfds = &dn;
	}
	*nfds = 0;
	if (poll(&p, 1, ms) != 1)
		return -ETIMEDOUT;
	n = hc_sock_recv(s, rbuf, sizeof(rbuf), fds, nfds);
	if (n <= 0)
		return n ? n : -ECONNRESET;
	r = hc_decode(rep, rbuf, n);
	/* an op this codec does not know: the header is still valid */
	if (r == -ENOSYS && rep->result < 0 && n == HC_HDR_SIZE)
		r = 0;
	if (r || !(rep->hflags & HC_HF_REPLY))
		return -EBADMSG;
	if ((rep->hflags & HC_HF_NFDS_MASK) != *nfds)
		return -EBADMSG;
	if (fds == dummy)
		while (dn > 0)
			close(dummy[--dn]);
	return rep->result;
}

/* One request/reply. The reply's fds land in @fds (may be NULL: closed). */
static hc_s64 call(int s, struct hc_msg *m, const int *in, int nin,
		   struct hc_msg *rep, int *fds, int *nfds)
{
	static unsigned char wbuf[HC_MSG_MAX];
	struct hc_msg dummy;
	hc_s64 r;
	int len;

	if (!rep)
		rep = &dummy;
	m->tag = next_tag++;
	m->hflags = nin;
	len = hc_encode(m, wbuf, sizeof(wbuf));
	if (len < 0)
		return len;
	if (hc_sock_send(s, wbuf, len, in, nin))
		return -EPIPE;
	r = recv_reply(s, rep, fds, nfds, 10000);
	if (r != -ETIMEDOUT && r != -ECONNRESET && r != -EBADMSG &&
	    (rep->tag != m->tag || rep->op != m->op))
		return -EBADMSG;
	return r;
}

static hc_s64 hello(int s)
{
	struct hc_msg m = { .op = HC_OP_HELLO, .arg = HC_PROTO_VERSION };

	return call(s, &m, NULL, 0, NULL, NULL, NULL);
}

/* OPENAT; returns the result and puts the attached fd in *fdp (or -1). */
static hc_s64 op_open(int s, hc_s32 dir, const char *path, int flags, int mode, int *fdp)
{
	struct hc_msg m = { .op = HC_OP_OPENAT, .fd = dir, .path = path,
			    .flags = hc_oflags_to_wire(flags), .mode = mode };
	int fds[HC_SOCK_FDS_MAX], n, i;
	hc_s64 r;

	r = call(s, &m, NULL, 0, NULL, fds, &n);
	*fdp = n > 0 ? fds[0] : -1;
	for (i = 1; i < n; i++)
		close(fds[i]);
	return r;
}

static hc_s64 op_path(int s, int op, hc_s32 dir, const char *path, hc_u32 flags)
{
	struct hc_msg m = { .op = op, .fd = dir, .path = path, .flags = flags };

	return call(s, &m, NULL, 0, NULL, NULL, NULL);
}

static hc_s64 op_stat(int s, hc_s32 dir, const char *path, hc_u32 flags,
		      const int *in, int nin, struct hc_stat *st)
{
	struct hc_msg m = { .op = HC_OP_FSTATAT, .fd = dir, .path = path, .flags = flags };
	struct hc_msg rep;
	hc_s64 r;

	r = call(s, &m, in, nin, &rep, NULL, NULL);
	if (r >= 0)
		*st = rep.st;
	return r;
}

static char *fd_read_all(int fd, char *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;

	while (got < cap - 1 && (n = read(fd, buf + got, cap - 1 - got)) > 0)
		got += n;
	buf[got] = 0;
	return buf;
}

static int file_has(const char *path, const char *text)
{
	char buf[256];
	int fd = open(path, O_RDONLY), ok;

	if (fd < 0)
		return 0;
	ok = !strcmp(fd_read_all(fd, buf, sizeof(buf)), text);
	close(fd);
	return ok;
}

/* The uid the shadows run as: HC_TEST_USER's (hostd.sh sets it), else ours. */
static uid_t shadow_uid(void)
{
	const char *name = getenv("HC_TEST_USER");
	const struct passwd *pw = name ? getpwnam(name) : NULL;

	return pw ? pw->pw_uid : geteuid();
}

static const char *p_join(const char *dir, const char *name)
{
	static char bufs[4][4096];
	static int i;
	char *b = bufs[i++ & 3];

	snprintf(b, 4096, "%s/%s", dir, name);
	return b;
}

/* ---- ops ---- */

static void test_files(int s, const char *dir)
{
	struct hc_msg m, rep;
	struct hc_stat st = { 0 };
	struct stat nst = { 0 };
	char buf[256];
	int fd, fd2, nat, h;
	hc_s64 r;

	r = op_open(s, HC_AT_FDCWD, p_join(dir, "f"), O_CREAT | O_WRONLY | O_TRUNC, 0644, &fd);
	CHECK(r == HC_HANDLE_NONE && fd >= 0, "openat O_CREAT gives an fd, no handle",
	      "r=%lld fd=%d", (long long)r, fd);
	CHECK(write(fd, "hello", 5) == 5, "write to the passed fd", "%s", strerror(errno));
	close(fd);
	r = op_stat(s, HC_AT_FDCWD, p_join(dir, "f"), 0, NULL, 0, &st);
	if (stat(p_join(dir, "f"), &nst) < 0)
		nst.st_ino = 0;
	/* the shadow created the file: it is the shadow user's, as stat(2) says too */
	CHECK(r == 0 && st.size == 5 && (st.mode & 0170777) == 0100644 &&
	      st.nlink == 1 && st.uid == shadow_uid() && st.uid == nst.st_uid &&
	      st.gid == nst.st_gid && st.ino == nst.st_ino && (st.mask & 0x7ff) == 0x7ff,
	      "fstatat fills hc_stat", "r=%lld size=%llu mode=%o uid=%u (want %u, stat(2) %u) "
	      "gid=%u (stat(2) %u) ino=%llu (stat(2) %llu) mask=%x", (long long)r,
	      (unsigned long long)st.size, st.mode, st.uid, (unsigned int)shadow_uid(),
	      (unsigned int)nst.st_uid, st.gid, (unsigned int)nst.st_gid,
	      (unsigned long long)st.ino, (unsigned long long)nst.st_ino, st.mask);

	h = op_open(s, HC_AT_FDCWD, dir, O_RDONLY | O_DIRECTORY, 0, &fd);
	CHECK(h >= 0 && h != HC_HANDLE_NONE && fd >= 0, "openat of a directory gives a handle",
	      "h=%d", h);
	close(fd);
	r = op_open(s, h, "f", O_RDONLY, 0, &fd);
	CHECK(r == HC_HANDLE_NONE && fd >= 0 && !strcmp(fd_read_all(fd, buf, sizeof(buf)), "hello"),
	      "openat relative to a handle", "r=%lld buf=%s", (long long)r, buf);

	m = (struct hc_msg){ .op = HC_OP_READ, .fd = HC_HANDLE_PASSED, .off = 1, .len = 100 };
	r = call(s, &m, &fd, 1, &rep, NULL, NULL);
	CHECK(r == 4 && rep.datalen == 4 && !memcmp(rep.data, "ello", 4),
	      "pread on a passed fd the shadow opened", "r=%lld", (long long)r);
	m = (struct hc_msg){ .op = HC_OP_LSEEK, .fd = HC_HANDLE_PASSED, .off = -2, .arg = HC_SEEK_END };
	r = call(s, &m, &fd, 1, NULL, NULL, NULL);
	CHECK(r == 3 && lseek(fd, 0, SEEK_CUR) == 3, "lseek SEEK_END moves the shared offset",
	      "r=%lld", (long long)r);
	m = (struct hc_msg){ .op = HC_OP_READ, .fd = HC_HANDLE_PASSED, .off = -1, .len = 100 };
	r = call(s, &m, &fd, 1, &rep, NULL, NULL);
	CHECK(r == 2 && !memcmp(rep.data, "lo", 2), "read at the file offset", "r=%lld", (long long)r);
	close(fd);

	nat = open("/proc/self/status", O_RDONLY);
	m = (struct hc_msg){ .op = HC_OP_READ, .fd = HC_HANDLE_PASSED, .off = 0, .len = 10 };
	r = call(s, &m, &nat, 1, NULL, NULL, NULL);
	CHECK(r == -EBADF, "a passed fd the shadow did not open is refused", "r=%lld", (long long)r);
	r = op_stat(s, HC_HANDLE_PASSED, "", HC_AT_EMPTY_PATH, &nat, 1, &st);
	CHECK(r == -EBADF, "fstat of a foreign passed fd is refused", "r=%lld", (long long)r);
	close(nat);
	m = (struct hc_msg){ .op = HC_OP_READ, .fd = 4242, .len = 10 };
	CHECK(call(s, &m, NULL, 0, NULL, NULL, NULL) == -EBADF, "unknown handle is EBADF", "%s", "");
	m = (struct hc_msg){ .op = HC_OP_READ, .fd = HC_HANDLE_PASSED, .len = 10 };
	CHECK(call(s, &m, NULL, 0, NULL, NULL, NULL) == -EBADF,
	      "HC_HANDLE_PASSED without an fd is EBADF", "%s", "");

	/* write, truncate, fsync, fallocate, flock, record lock on a passed fd */
	op_open(s, h, "f", O_RDWR, 0, &fd);
	m = (struct hc_msg){ .op = HC_OP_WRITE, .fd = HC_HANDLE_PASSED, .off = 5,
			     .data = " world", .datalen = 6 };
	r = call(s, &m, &fd, 1, NULL, NULL, NULL);
	CHECK(r == 6 && file_has(p_join(dir, "f"), "hello world"), "pwrite on a passed fd",
	      "r=%lld", (long long)r);
	m = (struct hc_msg){ .op = HC_OP_TRUNCATE, .fd = HC_HANDLE_PASSED, .path = "",
			     .flags = HC_AT_EMPTY_PATH, .len = 5 };
	r = call(s, &m, &fd, 1, NULL, NULL, NULL);
	CHECK(r == 0 && file_has(p_join(dir, "f"), "hello"), "ftruncate (AT_EMPTY_PATH)",
	      "r=%lld", (long long)r);
	m = (struct hc_msg){ .op = HC_OP_FSYNC, .fd = HC_HANDLE_PASSED, .flags = HC_FSYNC_DATA };
	CHECK(call(s, &m, &fd, 1, NULL, NULL, NULL) == 0, "fdatasync", "%s", "");
	m = (struct hc_msg){ .op = HC_OP_FALLOCATE, .fd = HC_HANDLE_PASSED, .off = 0, .len = 8192 };
	r = call(s, &m, &fd, 1, NULL, NULL, NULL);
	CHECK(r == 0 || r == -EOPNOTSUPP, "fallocate", "r=%lld", (long long)r);
	m = (struct hc_msg){ .op = HC_OP_TRUNCATE, .fd = h, .path = "f", .len = 5 };
	CHECK(call(s, &m, NULL, 0, NULL, NULL, NULL) == 0 && file_has(p_join(dir, "f"), "hello"),
	      "truncate by path", "%s", "");

	m = (struct hc_msg){ .op = HC_OP_FLOCK, .fd = HC_HANDLE_PASSED, .arg = HC_LOCK_EX | HC_LOCK_NB };
	r = call(s, &m, &fd, 1, NULL, NULL, NULL);
	fd2 = open(p_join(dir, "f"), O_RDONLY);
	CHECK(r == 0 && flock(fd2, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK,
	      "flock through the shadow excludes a native flock", "r=%lld", (long long)r);
	m = (struct hc_msg){ .op = HC_OP_LOCK, .fd = HC_HANDLE_PASSED, .arg = HC_F_SETLK,
			     .lk = { .type = HC_F_WRLCK, .whence = HC_SEEK_SET, .start = 0, .len = 2 } };
	r = call(s, &m, &fd, 1, NULL, NULL, NULL);
	{
		struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
		int rc = fcntl(fd2, F_GETLK, &fl);

		CHECK(r == 0 && rc == 0 && fl.l_type == F_WRLCK,
		      "record lock through the shadow is a real host lock", "r=%lld type=%d",
		      (long long)r, fl.l_type);
	}
	m = (struct hc_msg){ .op = HC_OP_LOCK, .fd = HC_HANDLE_PASSED, .arg = HC_F_GETLK,
			     .lk = { .type = HC_F_WRLCK, .whence = HC_SEEK_SET, .start = 0, .len = 2 } };
	r = call(s, &m, &fd, 1, &rep, NULL, NULL);
	CHECK(r == 0 && rep.lk.type == HC_F_UNLCK, "F_GETLK sees no conflict with its own lock",
	      "r=%lld type=%u", (long long)r, rep.lk.type);
	close(fd2);
	close(fd);

	/* handle release */
	m = (struct hc_msg){ .op = HC_OP_CLOSE, .fd = h };
	CHECK(call(s, &m, NULL, 0, NULL, NULL, NULL) == 0, "close of a handle", "%s", "");
	CHECK(call(s, &m, NULL, 0, NULL, NULL, NULL) == -EBADF, "second close is EBADF", "%s", "");
	r = op_open(s, h, "f", O_RDONLY, 0, &fd);
	CHECK(r == -EBADF && fd < 0, "a closed handle is EBADF", "r=%lld", (long long)r);
}

static void test_names(int s, const char *dir)
{
	struct hc_msg m, rep;
	struct hc_stat st = { 0 };
	char buf[4200];
	int h, fd;
	hc_s64 r;

	h = op_open(s, HC_AT_FDCWD, dir, O_RDONLY | O_DIRECTORY, 0, &fd);
	close(fd);
	m = (struct hc_msg){ .op = HC_OP_MKDIRAT, .fd = h, .path = "d/", .mode = 0750 };
	r = call(s, &m, NULL, 0, NULL, NULL, NULL);
	r = r ? r : op_stat(s, h, "d", 0, NULL, 0, &st);
	CHECK(r == 0 && st.mode == 040750, "mkdirat", "r=%lld mode=%o", (long long)r, st.mode);
	CHECK(call(s, &m, NULL, 0, NULL, NULL, NULL) == -EEXIST, "mkdirat of an existing name",
	      "%s", "");
	m = (struct hc_msg){ .op = HC_OP_SYMLINKAT, .fd = h, .path = "l", .path2 = "f" };
	CHECK(call(s, &m, NULL, 0, NULL, NULL, NULL) == 0, "symlinkat", "%s", "");
	m = (struct hc_msg){ .op = HC_OP_READLINKAT, .fd = h, .path = "l" };
	r = call(s, &m, NULL, 0, &rep, NULL, NULL);
	CHECK(r == 1 && !strcmp(rep.path, "f"), "readlinkat", "r=%lld", (long long)r);
	m = (struct hc_msg){ .op = HC_OP_READLINKAT, .fd = h, .path = "f" };
	r = call(s, &m, NULL, 0, &rep, NULL, NULL);
	CHECK(r == -EINVAL, "readlinkat of a regular file is EINVAL", "r=%lld", (long long)r);
	r = op_stat(s, h, "l", HC_AT_SYMLINK_NOFOLLOW, NULL, 0, &st);
	CHECK(r == 0 && (st.mode & 0170000) == 0120000, "fstatat NOFOLLOW sees the link",
	      "mode=%o", st.mode);
	r = op_stat(s, h, "l", 0, NULL, 0, &st);
	CHECK(r == 0 && (st.mode & 0170000) == 0100000 && st.size == 5,
	      "fstatat follows the link", "mode=%o", st.mode);

	m = (struct hc_msg){ .op = HC_OP_MKNODAT, .fd = h, .path = "p", .mode = 0010600 };
	r = call(s, &m, NULL, 0, NULL, NULL, NULL);
	r = r ? r : op_stat(s, h, "p", 0, NULL, 0, &st);
	CHECK(r == 0 && (st.mode & 0170000) == 0010000, "mknodat of a FIFO", "r=%lld", (long long)r);

	m = (struct hc_msg){ .op = HC_OP_RENAMEAT2, .fd = h, .path = "f", .fd2 = HC_AT_FDCWD,
			     .path2 = p_join(dir, "g") };
	CHECK(call(s, &m, NULL, 0, NULL, NULL, NULL) == 0 && file_has(p_join(dir, "g"), "hello"),
	      "renameat2", "%s", "");
	m = (struct hc_msg){ .op = HC_OP_RENAMEAT2, .fd = h, .path = "g", .fd2 = h,
			     .path2 = "p", .flags = HC_RENAME_NOREPLACE };
	CHECK(call(s, &m, NULL, 0, NULL, NULL, NULL) == -EEXIST, "renameat2 NOREPLACE", "%s", "");
	m.flags = HC_RENAME_EXCHANGE;
	r = call(s, &m, NULL, 0, NULL, NULL, NULL);
	r = r ? r : op_stat(s, h, "p", 0, NULL, 0, &st);
	CHECK(r == 0 && (st.mode & 0170000) == 0100000, "renameat2 EXCHANGE", "r=%lld", (long long)r);
	/* now p is the file and g the FIFO: put them back as f and p */
	m = (struct hc_msg){ .op = HC_OP_RENAMEAT2, .fd = h, .path = "p", .fd2 = h, .path2 = "f" };
	r = call(s, &m, NULL, 0, NULL, NULL, NULL);
	m = (struct hc_msg){ .op = HC_OP_RENAMEAT2, .fd = h, .path = "g", .fd2 = h, .path2 = "p" };
	r = r ? r : call(s, &m, NULL, 0, NULL, NULL, NULL);
	CHECK(r == 0 && file_has(p_join(dir, "f"), "hello"), "renameat2 back", "r=%lld",
	      (long long)r);

	m = (struct hc_msg){ .op = HC_OP_LINKAT, .fd = h, .path = "l", .fd2 = h, .path2 = "hl" };
	r = call(s, &m, NULL, 0, NULL, NULL, NULL);
	r = r ? r : op_stat(s, h, "hl", HC_AT_SYMLINK_NOFOLLOW, NULL, 0, &st);
	CHECK(r == 0 && (st.mode & 0170000) == 0120000, "linkat links the symlink itself",
	      "r=%lld", (long long)r);
	m = (struct hc_msg){ .op = HC_OP_LINKAT, .fd = h, .path = "l", .fd2 = h, .path2 = "hf",
			     .flags = HC_AT_SYMLINK_FOLLOW };
	r = call(s, &m, NULL, 0, NULL, NULL, NULL);
	r = r ? r : op_stat(s, h, "hf", HC_AT_SYMLINK_NOFOLLOW, NULL, 0, &st);
	CHECK(r == 0 && (st.mode & 0170000) == 0100000 && st.nlink == 2,
	      "linkat AT_SYMLINK_FOLLOW links the target", "r=%lld nlink=%u", (long long)r,
	      st.nlink);

	m = (struct hc_msg){ .op = HC_OP_FCHMODAT, .fd = h, .path = "f", .mode = 0604 };
	r = call(s, &m, NULL, 0, NULL, NULL, NULL);
	r = r ? r : op_stat(s, h, "f", 0, NULL, 0, &st);
	CHECK(r == 0 && (st.mode & 07777) == 0604, "fchmodat", "r=%lld mode=%o", (long long)r, st.mode);
	m = (struct hc_msg){ .op = HC_OP_FCHMODAT, .fd = h, .path = "l", .mode = 0600,
			     .flags = HC_AT_SYMLINK_NOFOLLOW };
	CHECK(call(s, &m, NULL, 0, NULL, NULL, NULL) == -EOPNOTSUPP,
	      "fchmodat NOFOLLOW on a symlink is EOPNOTSUPP", "%s", "");
	m = (struct hc_msg){ .op = HC_OP_FCHOWNAT, .fd = h, .path = "f", .uid = (hc_u32)-1,
			     .gid = (hc_u32)-1 };
	CHECK(call(s, &m, NULL, 0, NULL, NULL, NULL) == 0, "fchownat -1 -1 changes nothing",
	      "%s", "");
	m = (struct hc_msg){ .op = HC_OP_UTIMENSAT, .fd = h, .path = "f",
			     .times = { { 1000, 5 }, { 2000, 7 } } };
	r = call(s, &m, NULL, 0, NULL, NULL, NULL);
	r = r ? r : op_stat(s, h, "f", 0, NULL, 0, &st);
	CHECK(r == 0 && st.atime.sec == 1000 && st.atime.nsec == 5 && st.mtime.sec == 2000 &&
	      st.mtime.nsec == 7, "utimensat sets ns times", "r=%lld", (long long)r);
	m = (struct hc_msg){ .op = HC_OP_UTIMENSAT, .fd = h, .path = "l",
			     .flags = HC_AT_SYMLINK_NOFOLLOW,
			     .times = { { 0, HC_UTIME_OMIT }, { 3000, 0 } } };
	r = call(s, &m, NULL, 0, NULL, NULL, NULL);
	r = r ? r : op_stat(s, h, "l", HC_AT_SYMLINK_NOFOLLOW, NULL, 0, &st);
	CHECK(r == 0 && st.mtime.sec == 3000, "utimensat NOFOLLOW on a symlink", "r=%lld",
	      (long long)r);
	m = (struct hc_msg){ .op = HC_OP_FACCESSAT, .fd = h, .path = "f", .mode = 4 };
	CHECK(call(s, &m, NULL, 0, NULL, NULL, NULL) == 0, "faccessat R_OK", "%s", "");
	m = (struct hc_msg){ .op = HC_OP_FACCESSAT, .fd = h, .path = "f", .mode = 1 };
	CHECK(call(s, &m, NULL, 0, NULL, NULL, NULL) == -EACCES, "faccessat X_OK of 0604",
	      "%s", "");
	m = (struct hc_msg){ .op = HC_OP_STATFS, .fd = h, .path = "." };
	r = call(s, &m, NULL, 0, &rep, NULL, NULL);
	CHECK(r == 0 && rep.sfs.bsize > 0 && rep.sfs.namelen > 0, "statfs", "r=%lld", (long long)r);

	/* xattrs (skipped where the file system has no user xattrs) */
	m = (struct hc_msg){ .op = HC_OP_SETXATTR, .fd = h, .path = "f", .name = "user.hc",
			     .data = "abc", .datalen = 3 };
	r = call(s, &m, NULL, 0, NULL, NULL, NULL);
	if (r == -EOPNOTSUPP) {
		printf("ok - xattrs # SKIP no user xattrs on %s\n", dir);
	} else {
		CHECK(r == 0, "setxattr", "r=%lld", (long long)r);
		m = (struct hc_msg){ .op = HC_OP_GETXATTR, .fd = h, .path = "f", .name = "user.hc" };
		r = call(s, &m, NULL, 0, &rep, NULL, NULL);
		CHECK(r == 3 && rep.datalen == 0, "getxattr size query", "r=%lld", (long long)r);
		m.len = 64;
		r = call(s, &m, NULL, 0, &rep, NULL, NULL);
		CHECK(r == 3 && rep.datalen == 3 && !memcmp(rep.data, "abc", 3), "getxattr",
		      "r=%lld", (long long)r);
		m = (struct hc_msg){ .op = HC_OP_LISTXATTR, .fd = h, .path = "f", .len = 256 };
		r = call(s, &m, NULL, 0, &rep, NULL, NULL);
		CHECK(r > 0 && memmem(rep.data, rep.datalen, "user.hc", 8), "listxattr",
		      "r=%lld", (long long)r);
		m = (struct hc_msg){ .op = HC_OP_REMOVEXATTR, .fd = h, .path = "f", .name = "user.hc" };
		CHECK(call(s, &m, NULL, 0, NULL, NULL, NULL) == 0, "removexattr", "%s", "");
		m = (struct hc_msg){ .op = HC_OP_GETXATTR, .fd = h, .path = "f", .name = "user.hc" };
		r = call(s, &m, NULL, 0, NULL, NULL, NULL);
		CHECK(r == -ENODATA, "getxattr after removexattr", "r=%lld", (long long)r);
	}

	/* getdents on the handle */
	m = (struct hc_msg){ .op = HC_OP_GETDENTS, .fd = h, .len = 4096 };
	r = call(s, &m, NULL, 0, &rep, NULL, NULL);
	{
		const unsigned char *p = rep.data;
		int names = 0, found_f = 0, found_d = 0;
		hc_u32 pos = 0;

		while (r > 0 && pos + 19 < rep.datalen) {
			unsigned int reclen = p[pos + 16] | p[pos + 17] << 8;
			const char *name = (const char *)p + pos + 19;

			if (reclen < 20 || reclen % 8)
				break;
			names++;
			found_f |= !strcmp(name, "f") && p[pos + 18] == 8;
			found_d |= !strcmp(name, "d") && p[pos + 18] == 4;
			pos += reclen;
		}
		CHECK(r > 0 && pos == rep.datalen && found_f && found_d && names >= 7,
		      "getdents records", "r=%lld names=%d", (long long)r, names);
	}

	/* cwd */
	CHECK(op_path(s, HC_OP_CHDIR, h, "d", 0) == 0, "chdir", "%s", "");
	m = (struct hc_msg){ .op = HC_OP_GETCWD };
	r = call(s, &m, NULL, 0, &rep, NULL, NULL);
	snprintf(buf, sizeof(buf), "%s/d", dir);
	CHECK(r == (hc_s64)strlen(buf) && !strcmp(rep.path, buf), "getcwd", "r=%lld path=%s",
	      (long long)r, r >= 0 ? rep.path : "");
	m = (struct hc_msg){ .op = HC_OP_REALPATH, .fd = HC_AT_FDCWD, .path = "../l" };
	r = call(s, &m, NULL, 0, &rep, NULL, NULL);
	snprintf(buf, sizeof(buf), "%s/f", dir);
	CHECK(r > 0 && !strcmp(rep.path, buf), "realpath relative to the cwd", "path=%s",
	      r >= 0 ? rep.path : "");
	CHECK(op_path(s, HC_OP_CHDIR, h, "", HC_AT_EMPTY_PATH) == 0, "fchdir of a handle", "%s", "");
	CHECK(op_path(s, HC_OP_CHDIR, h, "f", 0) == -ENOTDIR, "chdir to a file", "%s", "");

	CHECK(op_path(s, HC_OP_UNLINKAT, HC_AT_FDCWD, "d", HC_AT_REMOVEDIR) == 0,
	      "unlinkat AT_REMOVEDIR", "%s", "");
	CHECK(op_path(s, HC_OP_UNLINKAT, HC_AT_FDCWD, "f/", 0) == -ENOTDIR,
	      "unlinkat with a trailing slash on a file", "%s", "");
	CHECK(op_path(s, HC_OP_UNLINKAT, HC_AT_FDCWD, "hl", 0) == 0, "unlinkat", "%s", "");
	r = op_open(s, HC_AT_FDCWD, "nonexistent", O_RDONLY, 0, &fd);
	CHECK(r == -ENOENT && fd < 0, "openat of a missing file", "r=%lld", (long long)r);
	r = op_open(s, HC_AT_FDCWD, ".", O_TMPFILE | O_RDWR, 0600, &fd);
	CHECK((r == HC_HANDLE_NONE && fd >= 0) || r == -EOPNOTSUPP, "O_TMPFILE", "r=%lld",
	      (long long)r);
	if (fd >= 0) {
		m = (struct hc_msg){ .op = HC_OP_LINKAT, .fd = HC_HANDLE_PASSED, .path = "",
				     .fd2 = h, .path2 = "tmp-linked", .flags = HC_AT_EMPTY_PATH };
		r = call(s, &m, &fd, 1, NULL, NULL, NULL);
		CHECK(r == 0, "linkat AT_EMPTY_PATH of an O_TMPFILE", "r=%lld", (long long)r);
		close(fd);
	}
}

static void test_procs(int s, const char *dir)
{
	static const char sh_argv[] = "sh\0-c\0echo out; echo err >&2; echo $FOO:$USER; exit 3";
	static const char env_add[] = "FOO=bar";
	struct hc_msg m, rep;
	int fds[HC_SOCK_FDS_MAX], n, p[2];
	char buf[256], want[256];
	hc_s64 r, pid;

	m = (struct hc_msg){ .op = HC_OP_SPAWN, .flags = HC_SPAWN_KEEPENV, .path = "",
			     .arg = HC_STDIO_NULL | HC_STDIO_PIPE << 8 | HC_STDIO_SAME << 16,
			     .argv = sh_argv, .argvlen = sizeof(sh_argv), .argc = 3,
			     .envp = env_add, .envplen = sizeof(env_add), .envc = 1 };
	pid = call(s, &m, NULL, 0, NULL, fds, &n);
	CHECK(pid > 0 && n == 1, "spawn with a pipe", "r=%lld n=%d", (long long)pid, n);
	if (pid > 0 && n == 1) {
		fd_read_all(fds[0], buf, sizeof(buf));
		close(fds[0]);
		m = (struct hc_msg){ .op = HC_OP_WAIT, .arg = pid };
		r = call(s, &m, NULL, 0, &rep, NULL, NULL);
		snprintf(want, sizeof(want), "out\nerr\nbar:%s\n", getenv("HC_TEST_USER") ?
			 getenv("HC_TEST_USER") : "");
		CHECK(!strncmp(buf, "out\nerr\nbar:", 12) &&
		      (!getenv("HC_TEST_USER") || !strcmp(buf, want)),
		      "spawn: stdout, 2>&1, environment", "got '%s'", buf);
		CHECK(r == pid && WIFEXITED(rep.arg) && WEXITSTATUS(rep.arg) == 3,
		      "wait gives the exit status", "r=%lld status=%#x", (long long)r, rep.arg);
		r = call(s, &m, NULL, 0, &rep, NULL, NULL);
		CHECK(r == -ECHILD, "wait twice is ECHILD", "r=%lld", (long long)r);
	}

	m = (struct hc_msg){ .op = HC_OP_SPAWN, .path = "", .argv = "no-such-program-hc",
			     .argvlen = 19, .argc = 1 };
	r = call(s, &m, NULL, 0, NULL, NULL, NULL);
	CHECK(r == -ENOENT, "spawn of a missing program is ENOENT", "r=%lld", (long long)r);
	m = (struct hc_msg){ .op = HC_OP_WAIT, .arg = 1 };
	CHECK(call(s, &m, NULL, 0, NULL, NULL, NULL) == -ECHILD, "wait for pid 1 is ECHILD", "%s", "");
	m = (struct hc_msg){ .op = HC_OP_KILL, .arg = 1, .arg2 = 0 };
	CHECK(call(s, &m, NULL, 0, NULL, NULL, NULL) == -ESRCH, "kill of pid 1 is ESRCH", "%s", "");

	/* a passed pipe as stdout, kill and a signal status */
	if (pipe(p) == 0) {
		static const char argv2[] = "sh\0-c\0echo passed; exec sleep 30";

		m = (struct hc_msg){ .op = HC_OP_SPAWN, .path = "/", .argv = argv2,
				     .argvlen = sizeof(argv2), .argc = 3,
				     .arg = HC_STDIO_NULL | HC_STDIO_PASS << 8 | HC_STDIO_NULL << 16 };
		pid = call(s, &m, &p[1], 1, NULL, NULL, NULL);
		close(p[1]);
		n = read(p[0], buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = 0;
		CHECK(pid > 0 && !strcmp(buf, "passed\n"), "spawn with a passed fd", "r=%lld '%s'",
		      (long long)pid, buf);
		m = (struct hc_msg){ .op = HC_OP_WAIT, .arg = pid, .flags = HC_WAIT_NOHANG };
		r = call(s, &m, NULL, 0, NULL, NULL, NULL);
		CHECK(r == 0, "wait NOHANG while it runs", "r=%lld", (long long)r);
		m = (struct hc_msg){ .op = HC_OP_KILL, .arg = pid, .arg2 = SIGTERM };
		CHECK(call(s, &m, NULL, 0, NULL, NULL, NULL) == 0, "kill", "%s", "");
		m = (struct hc_msg){ .op = HC_OP_WAIT, .arg = pid };
		r = call(s, &m, NULL, 0, &rep, NULL, NULL);
		CHECK(r == pid && WIFSIGNALED(rep.arg) && WTERMSIG(rep.arg) == SIGTERM,
		      "wait after kill: signal status", "r=%lld status=%#x", (long long)r, rep.arg);
		close(p[0]);
	}

	/* a script without #!: run by sh, as execvp() does; cwd given by path */
	{
		static const char script[] = "echo script ran in $(pwd)\n";
		static const char argv4[] = "./script";
		int fd;

		op_open(s, HC_AT_FDCWD, p_join(dir, "script"), O_CREAT | O_WRONLY | O_TRUNC,
			0755, &fd);
		if (fd >= 0 && write(fd, script, sizeof(script) - 1) > 0)
			close(fd);
		m = (struct hc_msg){ .op = HC_OP_SPAWN, .path = dir, .argv = argv4,
				     .argvlen = sizeof(argv4), .argc = 1,
				     .arg = HC_STDIO_NULL | HC_STDIO_PIPE << 8 | HC_STDIO_NULL << 16 };
		pid = call(s, &m, NULL, 0, NULL, fds, &n);
		snprintf(want, sizeof(want), "script ran in %s\n", dir);
		CHECK(pid > 0 && n == 1 && !strcmp(fd_read_all(fds[0], buf, sizeof(buf)), want),
		      "spawn of a script without #! in a given cwd", "r=%lld '%s'", (long long)pid,
		      n == 1 ? buf : "");
		if (n == 1)
			close(fds[0]);
		m = (struct hc_msg){ .op = HC_OP_WAIT, .arg = pid };
		call(s, &m, NULL, 0, NULL, NULL, NULL);
	}

	/* pty with a size, resized while it runs, new session */
	{
		static const char argv3[] =
			"sh\0-c\0stty size; read x; stty size; tty >/dev/null && echo tty";

		m = (struct hc_msg){ .op = HC_OP_SPAWN, .flags = HC_SPAWN_SETSID, .path = "",
				     .argv = argv3, .argvlen = sizeof(argv3), .argc = 3,
				     .arg = HC_STDIO_PTY | HC_STDIO_PTY << 8 | HC_STDIO_PTY << 16,
				     .arg2 = 33 << 16 | 101 };
		pid = call(s, &m, NULL, 0, NULL, fds, &n);
		CHECK(pid > 0 && n == 1, "spawn on a pty gives the master", "r=%lld n=%d",
		      (long long)pid, n);
		if (pid > 0 && n == 1) {
			size_t got = 0;
			ssize_t k;

			usleep(200000);
			m = (struct hc_msg){ .op = HC_OP_WINSIZE, .arg = pid, .arg2 = 44 << 16 | 132 };
			r = call(s, &m, NULL, 0, NULL, NULL, NULL);
			CHECK(r == 0, "winsize", "r=%lld", (long long)r);
			if (write(fds[0], "\n", 1) != 1)
				perror("write to the pty");
			while (got < sizeof(buf) - 1 &&
			       (k = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
				got += k;
			buf[got] = 0;
			close(fds[0]);
			CHECK(strstr(buf, "33 101") && strstr(buf, "44 132") && strstr(buf, "tty"),
			      "pty: size, new size, controlling tty", "got '%s'", buf);
			m = (struct hc_msg){ .op = HC_OP_WAIT, .arg = pid };
			call(s, &m, NULL, 0, NULL, NULL, NULL);
		}
	}
}

static void test_protocol(int s, const char *sock)
{
	unsigned char raw[64];
	struct hc_msg m, rep;
	int s2, len;
	hc_s64 r;

	s2 = sock_connect(sock);
	m = (struct hc_msg){ .op = HC_OP_GETCWD };
	CHECK(call(s2, &m, NULL, 0, NULL, NULL, NULL) == -EPROTO, "nothing before HELLO", "%s", "");
	m = (struct hc_msg){ .op = HC_OP_HELLO, .arg = 0 };
	CHECK(call(s2, &m, NULL, 0, NULL, NULL, NULL) == -EPROTONOSUPPORT, "HELLO version 0",
	      "%s", "");
	m = (struct hc_msg){ .op = HC_OP_HELLO, .arg = 7 };
	r = call(s2, &m, NULL, 0, &rep, NULL, NULL);
	CHECK(r > 0 && rep.arg == HC_PROTO_VERSION && rep.len == HC_MSG_MAX,
	      "HELLO from a newer client", "r=%lld arg=%u", (long long)r, rep.arg);
	close(s2);

	/* unknown op: a bare header */
	m = (struct hc_msg){ .op = HC_OP_CLOSE, .fd = 1 };
	len = hc_encode(&m, raw, sizeof(raw));
	raw[4] = 200;
	raw[8] = 0x77;
	hc_sock_send(s, raw, len, NULL, 0);
	r = recv_reply(s, &rep, NULL, NULL, 5000);
	CHECK(r == -ENOSYS && rep.op == 200 && rep.tag == 0x77, "unknown op gets ENOSYS",
	      "r=%lld op=%u", (long long)r, rep.op);
	/* truncated body */
	m = (struct hc_msg){ .op = HC_OP_OPENAT, .tag = 0x78, .path = "/etc/passwd" };
	len = hc_encode(&m, raw, sizeof(raw));
	len -= 3;
	raw[0] = len;
	hc_sock_send(s, raw, len, NULL, 0);
	r = recv_reply(s, &rep, NULL, NULL, 5000);
	CHECK(r == -EBADMSG && rep.op == HC_OP_OPENAT && rep.tag == 0x78,
	      "truncated body gets EBADMSG", "r=%lld", (long long)r);
	/* a reply sent as a request */
	m = (struct hc_msg){ .op = HC_OP_GETCWD, .hflags = HC_HF_REPLY, .path = "/", .tag = 0x79 };
	len = hc_encode(&m, raw, sizeof(raw));
	hc_sock_send(s, raw, len, NULL, 0);
	r = recv_reply(s, &rep, NULL, NULL, 5000);
	CHECK(r == -EBADMSG && rep.tag == 0x79, "a reply as request gets EBADMSG", "r=%lld",
	      (long long)r);
	/* fd count that disagrees with hflags */
	m = (struct hc_msg){ .op = HC_OP_GETCWD, .tag = 0x7a };
	len = hc_encode(&m, raw, sizeof(raw));
	{
		int one = 0;

		hc_sock_send(s, raw, len, &one, 1);
	}
	r = recv_reply(s, &rep, NULL, NULL, 5000);
	CHECK(r == -EBADMSG && rep.tag == 0x7a, "fd count must match HC_HF_NFDS", "r=%lld",
	      (long long)r);
}

static void test_fork_subject(int s, const char *dir)
{
	struct hc_msg m, rep;
	int fds[HC_SOCK_FDS_MAX], n, c, fd, h;
	char buf[64];
	hc_s64 r;

	h = op_open(s, HC_AT_FDCWD, dir, O_RDONLY | O_DIRECTORY, 0, &fd);
	close(fd);
	op_path(s, HC_OP_CHDIR, HC_AT_FDCWD, dir, 0);
	m = (struct hc_msg){ .op = HC_OP_FORK_SUBJECT };
	r = call(s, &m, NULL, 0, NULL, fds, &n);
	CHECK(r > 0 && n == 1, "fork-subject gives a connection", "r=%lld n=%d", (long long)r, n);
	if (r <= 0 || n != 1)
		return;
	c = fds[0];
	m = (struct hc_msg){ .op = HC_OP_GETCWD };
	r = call(c, &m, NULL, 0, &rep, NULL, NULL);
	CHECK(r > 0 && !strcmp(rep.path, dir), "the child subject inherits the cwd", "r=%lld",
	      (long long)r);
	r = op_open(c, h, "f", O_RDONLY, 0, &fd);
	CHECK(r == HC_HANDLE_NONE && !strcmp(fd_read_all(fd, buf, sizeof(buf)), "hello"),
	      "the child subject inherits the handles", "r=%lld", (long long)r);
	close(fd);
	CHECK(hello(c) > 0, "HELLO on the child subject", "%s", "");
	op_path(c, HC_OP_CHDIR, HC_AT_FDCWD, "/", 0);
	m = (struct hc_msg){ .op = HC_OP_GETCWD };
	r = call(s, &m, NULL, 0, &rep, NULL, NULL);
	CHECK(r > 0 && !strcmp(rep.path, dir), "the parent's cwd is its own", "r=%lld",
	      (long long)r);
	close(c);
}

static int cmd_ops(const char *sock, const char *dir)
{
	int s = sock_connect(sock);

	CHECK(hello(s) > 0, "HELLO", "%s", "");
	test_files(s, dir);
	test_names(s, dir);
	test_procs(s, dir);
	test_protocol(s, sock);
	test_fork_subject(s, dir);
	close(s);
	return failures ? 1 : 0;
}

/* ---- --root ---- */

static int cmd_root(const char *sock, const char *dir)
{
	static const char argv[] = "true";
	int s = sock_connect(sock), fd, h;
	struct hc_msg m, rep;
	char buf[256];
	hc_s64 r;

	CHECK(hello(s) > 0, "HELLO", "%s", "");
	/* the test script made DIR/inside.txt, DIR/sub/, DIR/abs -> /, DIR/up -> ../../..,
	 * DIR/proc (a proc mount, when root) */
	r = op_open(s, HC_AT_FDCWD, "/../../../../inside.txt", O_RDONLY, 0, &fd);
	CHECK(r == HC_HANDLE_NONE && !strcmp(fd_read_all(fd, buf, sizeof(buf)), "inside\n"),
	      "'..' past the root stays at the root", "r=%lld", (long long)r);
	close(fd);
	r = op_open(s, HC_AT_FDCWD, "/abs/inside.txt", O_RDONLY, 0, &fd);
	CHECK(r == HC_HANDLE_NONE && fd >= 0, "an absolute symlink resolves inside the root",
	      "r=%lld", (long long)r);
	close(fd);
	r = op_open(s, HC_AT_FDCWD, "/abs/etc/passwd", O_RDONLY, 0, &fd);
	CHECK(r == -ENOENT, "a symlink to / does not reach the host's /etc", "r=%lld", (long long)r);
	r = op_open(s, HC_AT_FDCWD, "up/etc/passwd", O_RDONLY, 0, &fd);
	CHECK(r == -ENOENT, "a relative symlink climbing out stays inside", "r=%lld", (long long)r);
	if (access(p_join(dir, "proc/self"), F_OK) == 0) {
		r = op_open(s, HC_AT_FDCWD, "/proc/self/root/etc/passwd", O_RDONLY, 0, &fd);
		CHECK(r == -ELOOP, "the /proc/self/root magic link is ELOOP", "r=%lld", (long long)r);
		r = op_open(s, HC_AT_FDCWD, "/proc/self/cwd", O_RDONLY | O_DIRECTORY, 0, &fd);
		CHECK(r == -ELOOP, "the /proc/self/cwd magic link is ELOOP", "r=%lld", (long long)r);
	} else {
		printf("ok - magic links # SKIP no proc mounted in the root\n");
	}
	m = (struct hc_msg){ .op = HC_OP_GETCWD };
	r = call(s, &m, NULL, 0, &rep, NULL, NULL);
	CHECK(r == 1 && !strcmp(rep.path, "/"), "the cwd starts at the root", "r=%lld", (long long)r);
	CHECK(op_path(s, HC_OP_CHDIR, HC_AT_FDCWD, "sub", 0) == 0, "chdir below the root", "%s", "");
	r = call(s, &m, NULL, 0, &rep, NULL, NULL);
	CHECK(r == 4 && !strcmp(rep.path, "/sub"), "getcwd is relative to the root", "path=%s",
	      r > 0 ? rep.path : "");
	r = op_open(s, HC_AT_FDCWD, "../../../inside.txt", O_RDONLY, 0, &fd);
	CHECK(r == HC_HANDLE_NONE && fd >= 0, "relative '..' climbs to the root, not past it",
	      "r=%lld", (long long)r);
	close(fd);
	CHECK(op_path(s, HC_OP_CHDIR, HC_AT_FDCWD, "../../..", 0) == 0, "chdir .. past the root",
	      "%s", "");
	r = call(s, &m, NULL, 0, &rep, NULL, NULL);
	CHECK(r == 1 && !strcmp(rep.path, "/"), "and lands on the root", "r=%lld", (long long)r);
	h = op_open(s, HC_AT_FDCWD, "/sub", O_RDONLY | O_DIRECTORY, 0, &fd);
	close(fd);
	r = op_open(s, h, "../../inside.txt", O_RDONLY, 0, &fd);
	CHECK(r == HC_HANDLE_NONE && fd >= 0, "'..' from a handle stops at the root", "r=%lld",
	      (long long)r);
	close(fd);
	m = (struct hc_msg){ .op = HC_OP_REALPATH, .fd = h, .path = "../abs" };
	r = call(s, &m, NULL, 0, &rep, NULL, NULL);
	CHECK(r == 1 && !strcmp(rep.path, "/"), "realpath of a symlink to / is the root",
	      "r=%lld path=%s", (long long)r, r > 0 ? rep.path : "");
	m = (struct hc_msg){ .op = HC_OP_MKDIRAT, .fd = HC_AT_FDCWD, .path = "/abs/made", .mode = 0755 };
	r = call(s, &m, NULL, 0, NULL, NULL, NULL);
	CHECK(r == 0 && access(p_join(dir, "made"), F_OK) == 0,
	      "mkdir through a symlink to / lands inside", "r=%lld", (long long)r);
	m = (struct hc_msg){ .op = HC_OP_SPAWN, .path = "", .argv = argv, .argvlen = 5, .argc = 1 };
	r = call(s, &m, NULL, 0, NULL, NULL, NULL);
	CHECK(r == -EPERM, "spawn is refused under --root", "r=%lld", (long long)r);
	close(s);
	return failures ? 1 : 0;
}

/* ---- robustness ---- */

/* A message of a random op whose fields are random but well-formed. */
static int fuzz_fields(unsigned char *buf, size_t cap, hc_u32 tag)
{
	static const char *const paths[] = {
		"", ".", "..", "f", "d/", "l", "new", "p", "/", "/nonexistent/x",
		"f/", "../..", "d/../f", "//", "./l",
	};
	static const hc_s32 fds[] = { HC_AT_FDCWD, HC_HANDLE_PASSED, 0, 1, 2, 3, -1,
				      0x7fffffff, (hc_s32)0x80000000 };
	static const hc_u32 flags[] = { 0, 0, HC_AT_SYMLINK_NOFOLLOW, HC_AT_EMPTY_PATH,
					HC_AT_REMOVEDIR, HC_AT_SYMLINK_FOLLOW, 1, 0xffffffff };
	static const char argv[] = "true";
	static const char env[] = "A=b\0C";
	struct hc_msg m = {
		.op = 1 + rand() % (HC_OP_MAX - 1), .tag = tag,
		.fd = rand() % 2 ? HC_AT_FDCWD : fds[rand() % 9],
		.fd2 = rand() % 2 ? HC_AT_FDCWD : fds[rand() % 9],
		.flags = flags[rand() % 8],
		.mode = rand() % 2 ? 0600 : (hc_u32)rand(),
		.uid = (hc_u32)-1, .gid = (hc_u32)-1,
		.arg = rand() % 2 ? (hc_u32)rand() % 8 : (hc_u32)rand(),
		.arg2 = rand() % 2 ? 0 : (hc_u32)rand(),
		.off = rand() % 2 ? rand() % 100 : (hc_s64)((hc_u64)rand() << 40) - (rand() % 2 ? 0 : INT64_MAX),
		.len = rand() % 2 ? (hc_u64)rand() % 200000 : ~(hc_u64)0 - rand() % 3,
		.dev = (hc_u64)rand() << 32,
		.times = { { rand(), rand() }, { rand() % 5, HC_UTIME_OMIT - rand() % 2 } },
		.lk = { .type = rand() % 4, .whence = rand() % 6, .start = rand() % 10,
			.len = rand() % 3 - 1 },
		.path = paths[rand() % 15], .path2 = paths[rand() % 15], .name = "user.fz",
		.data = "data", .datalen = rand() % 5,
		.argv = argv, .argvlen = sizeof(argv), .argc = 1,
		.envp = env, .envplen = rand() % 2 ? sizeof(env) : 0, .envc = 0,
	};

	m.envc = m.envplen ? 2 : 0;
	/* a blocking lock or wait could hold this subject; keep them short */
	if (m.op == HC_OP_LOCK && m.arg == HC_F_SETLKW)
		m.arg = HC_F_SETLK;
	if (m.op == HC_OP_FLOCK)
		m.arg |= HC_LOCK_NB;
	if (m.op == HC_OP_SPAWN)
		m.arg &= 0x030303;	/* no PASS streams: no fds attached */
	return hc_encode(&m, buf, cap);
}

static int cmd_fuzz(const char *sock, const char *dir)
{
	const int rounds = 4000;
	unsigned char buf[512];
	struct hc_msg m, rep;
	int s = sock_connect(sock), i, len, closed = 0, answered = 0;
	hc_s64 r;

	srand(12345);
	hello(s);
	op_path(s, HC_OP_CHDIR, HC_AT_FDCWD, dir, 0);
	for (i = 0; i < rounds; i++) {
		int kind = rand() % 5, nfd = 0, fds[2] = { 0, 1 };

		if (kind == 4) {		/* well-formed, random values */
			len = fuzz_fields(buf, sizeof(buf), i);
			if (len < 0)
				continue;
		} else if (kind == 0) {		/* random bytes, random length */
			len = rand() % sizeof(buf);
			for (int j = 0; j < len; j++)
				buf[j] = rand();
		} else {			/* a valid header, garbage after it */
			m = (struct hc_msg){ .op = rand() % (HC_OP_MAX + 3), .tag = i,
					     .path = "/", .path2 = "/", .name = "user.x" };
			len = hc_encode(&m, buf, sizeof(buf));
			if (len < 0) {
				m.op = HC_OP_GETCWD;
				len = hc_encode(&m, buf, sizeof(buf));
			}
			for (int j = HC_HDR_SIZE; j < len; j++)
				if (rand() % 3 == 0)
					buf[j] = rand();
			if (kind == 2 && len > HC_HDR_SIZE) {	/* truncate */
				len = HC_HDR_SIZE + rand() % (len - HC_HDR_SIZE);
				buf[0] = len;
			}
			if (kind == 3) {
				nfd = 1 + rand() % 2;
				buf[6] = nfd;
			}
		}
		if (hc_sock_send(s, buf, len, fds, nfd)) {
			closed++;
			close(s);
			s = sock_connect(sock);
			hello(s);
			op_path(s, HC_OP_CHDIR, HC_AT_FDCWD, dir, 0);
			continue;
		}
		r = recv_reply(s, &rep, NULL, NULL, 5000);
		if (r == -ECONNRESET) {
			closed++;
			close(s);
			s = sock_connect(sock);
			hello(s);
			op_path(s, HC_OP_CHDIR, HC_AT_FDCWD, dir, 0);
		} else if (r == -ETIMEDOUT) {
			break;
		} else {
			answered++;
		}
	}
	CHECK(i == rounds, "fuzz: every message gets a reply or a close", "no answer in round %d", i);
	m = (struct hc_msg){ .op = HC_OP_GETCWD };
	r = call(s, &m, NULL, 0, &rep, NULL, NULL);
	CHECK(r > 0, "fuzz: the subject still serves afterwards", "r=%lld (%d answered, %d closed)",
	      (long long)r, answered, closed);
	close(s);
	s = sock_connect(sock);
	CHECK(hello(s) > 0, "fuzz: hostcalld still accepts subjects", "%s", "");
	printf("# fuzz: %d rounds, %d replies, %d subjects closed\n", rounds, answered, closed);
	close(s);
	return failures ? 1 : 0;
}

static long ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

/*
 * Subject a opens a FIFO nobody writes; subject b must be served meanwhile.
 * The stall itself is shown without /proc: a's open stays unanswered, a
 * non-blocking writer finds a reader in the FIFO (the shadow in its open),
 * and that writer is what completes it.
 */
static int cmd_stall(const char *sock, const char *fifo)
{
	unsigned char buf[HC_MSG_MAX];
	struct hc_msg m = { .op = HC_OP_OPENAT, .fd = HC_AT_FDCWD, .path = fifo,
			    .flags = HC_O_RDONLY, .tag = 99 };
	struct timespec t0, t1;
	int a = sock_connect(sock), b, len, wfd;
	hc_s64 r;

	hello(a);
	len = hc_encode(&m, buf, sizeof(buf));
	hc_sock_send(a, buf, len, NULL, 0);	/* blocks in the shadow: no writer */
	usleep(200000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	b = sock_connect(sock);
	r = hello(b);
	m = (struct hc_msg){ .op = HC_OP_GETCWD };
	r = r > 0 ? call(b, &m, NULL, 0, NULL, NULL, NULL) : r;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(r > 0 && ms_between(&t0, &t1) < 1000,
	      "a subject blocked opening a FIFO does not stall others", "r=%lld after %ld ms",
	      (long long)r, ms_between(&t0, &t1));
	r = recv_reply(a, &m, NULL, NULL, 300);
	CHECK(r == -ETIMEDOUT, "the FIFO open stays unanswered while no writer comes",
	      "r=%lld tag=%u", (long long)r, m.tag);
	/* a writer comes: O_NONBLOCK fails (ENXIO) unless a reader is in the FIFO */
	wfd = open(fifo, O_WRONLY | O_NONBLOCK);
	CHECK(wfd >= 0, "the shadow waits inside the FIFO open (a writer finds it as reader)",
	      "open O_WRONLY|O_NONBLOCK: %s", strerror(errno));
	r = recv_reply(a, &m, NULL, NULL, 5000);
	CHECK(r == HC_HANDLE_NONE && m.tag == 99, "the blocked open completes once a writer comes",
	      "r=%lld", (long long)r);
	if (wfd >= 0)
		close(wfd);
	close(a);
	close(b);
	return failures ? 1 : 0;
}

static int cmd_limit(const char *sock, int n)
{
	int s[64], i, extra;
	struct hc_msg m = { .op = HC_OP_HELLO, .arg = 1 }, rep;
	hc_s64 r;

	for (i = 0; i < n && i < 64; i++)
		CHECK(hello(s[i] = sock_connect(sock)) > 0, "subjects up to the limit", "%d", i);
	extra = sock_connect(sock);
	r = call(extra, &m, NULL, 0, &rep, NULL, NULL);
	CHECK(r == -EAGAIN, "one more subject gets EAGAIN", "r=%lld", (long long)r);
	close(extra);
	m = (struct hc_msg){ .op = HC_OP_FORK_SUBJECT };
	r = call(s[0], &m, NULL, 0, NULL, NULL, NULL);
	CHECK(r == -EAGAIN, "fork-subject at the limit gets EAGAIN", "r=%lld", (long long)r);
	close(s[0]);
	usleep(300000);		/* the relay reaps that shadow */
	extra = sock_connect(sock);
	CHECK(hello(extra) > 0, "a slot is free again once a subject ends", "%s", "");
	close(extra);
	for (i = 1; i < n && i < 64; i++)
		close(s[i]);
	return failures ? 1 : 0;
}

/*
 * Subjects in every state hostcalld must be able to stop: idle, forked,
 * blocked opening a FIFO, waiting for a host process, with a host process
 * running. Prints "ready" and the host pids, then waits to be killed.
 */
static int cmd_hold(const char *sock, const char *fifo)
{
	static const char sleep_argv[] = "sleep\0" "1000";
	unsigned char buf[HC_MSG_MAX];
	struct hc_msg m;
	int s[4], fds[HC_SOCK_FDS_MAX], n, i, len;
	hc_s64 pid;

	for (i = 0; i < 4; i++) {
		s[i] = sock_connect(sock);
		CHECK(hello(s[i]) > 0, "hold: HELLO", "%d", i);
	}
	m = (struct hc_msg){ .op = HC_OP_FORK_SUBJECT };
	CHECK(call(s[0], &m, NULL, 0, NULL, fds, &n) > 0 && n == 1, "hold: fork-subject", "%s", "");
	m = (struct hc_msg){ .op = HC_OP_SPAWN, .path = "", .argv = sleep_argv,
			     .argvlen = sizeof(sleep_argv), .argc = 2 };
	pid = call(s[1], &m, NULL, 0, NULL, NULL, NULL);
	CHECK(pid > 0, "hold: spawn sleep", "r=%lld", (long long)pid);
	printf("# host pid %lld\n", (long long)pid);
	pid = call(s[3], &m, NULL, 0, NULL, NULL, NULL);
	CHECK(pid > 0, "hold: spawn sleep to wait for", "r=%lld", (long long)pid);
	printf("# host pid %lld\n", (long long)pid);
	m = (struct hc_msg){ .op = HC_OP_WAIT, .arg = pid, .tag = 1 };
	len = hc_encode(&m, buf, sizeof(buf));
	hc_sock_send(s[3], buf, len, NULL, 0);
	m = (struct hc_msg){ .op = HC_OP_OPENAT, .fd = HC_AT_FDCWD, .path = fifo,
			     .flags = HC_O_RDONLY, .tag = 2 };
	len = hc_encode(&m, buf, sizeof(buf));
	hc_sock_send(s[2], buf, len, NULL, 0);
	printf("ready\n");
	fflush(stdout);
	pause();
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 4 && !strcmp(argv[1], "ops"))
		return cmd_ops(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "root"))
		return cmd_root(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "fuzz"))
		return cmd_fuzz(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "stall"))
		return cmd_stall(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "hold"))
		return cmd_hold(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "limit"))
		return cmd_limit(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: hostd_proto ops|root|fuzz|stall|limit SOCKET ARG\n");
	return 2;
}
