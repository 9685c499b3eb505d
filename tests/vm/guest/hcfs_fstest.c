// SPDX-License-Identifier: GPL-2.0-only
/*
 * In-guest checks of hostfs: each operation done through a hostfs mount is
 * compared with the same operation done on the host by a subject of its own
 * (/dev/hostcall, plain hostcalls to hostcalld), printing "HCTEST ok|fail
 * NAME" lines. Built static by build-initramfs.sh.
 *
 * usage: hcfs_fstest MOUNT SCRATCH [TEST]
 *   MOUNT    where hostfs is mounted (with the host's root as its root)
 *   SCRATCH  a host directory the host user may write, absolute ("/sub");
 *            the tests work in SCRATCH/hcfs-test, which they remove
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "devcall.h"

static const char *mnt;		/* "/host" */
static char gdir[1024];		/* the scratch directory in the guest */
static char hdir[1024];		/* the same on the host */
static int devfd = -1;
static int failures;

static int ok(const char *name)
{
	printf("HCTEST ok %s\n", name);
	return 0;
}

static int fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("HCTEST fail %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failures++;
	return 1;
}

#define CHECK(name, cond, ...) \
	do { if (!(cond)) return fail(name, __VA_ARGS__); } while (0)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *gpath(const char *rel)
{
	static char b[4][4096];
	static int i;

	i = (i + 1) % 4;
	snprintf(b[i], sizeof(b[i]), "%s/%s", gdir, rel);
	return b[i];
}

static char *hpath(const char *rel)
{
	static char b[4][4096];
	static int i;

	i = (i + 1) % 4;
	snprintf(b[i], sizeof(b[i]), "%s/%s", hdir, rel);
	return b[i];
}

/* ---- the host side: hostcalls of a subject of our own ---- */

static int hcall(struct hc_msg *m, struct hc_msg *r)
{
	int err = devcall(devfd, m, r);

	if (err)
		return err;
	return r->result < 0 ? (int)r->result : 0;
}

static int host_stat(const char *path, struct hc_stat *st)
{
	struct hc_msg m = { .op = HC_OP_FSTATAT,
			    .req.fstatat = { .dirfd = HC_AT_FDCWD, .path = path,
					     .flags = HC_AT_SYMLINK_NOFOLLOW } }, r;
	int err = hcall(&m, &r);

	if (!err)
		*st = r.rep.fstatat.st;
	return err;
}

static int host_open(const char *path, unsigned int wflags, unsigned int mode)
{
	struct hc_msg m = { .op = HC_OP_OPENAT,
			    .req.openat = { .dirfd = HC_AT_FDCWD, .flags = wflags,
					    .mode = mode, .path = path } }, r;
	int err = hcall(&m, &r);

	return err ? err : (int)r.result;
}

static void host_close(int h)
{
	struct hc_msg m = { .op = HC_OP_CLOSE, .req.close.fd = h }, r;

	hcall(&m, &r);
}

static ssize_t host_pread(int h, void *buf, size_t len, long long off)
{
	struct hc_msg m = { .op = HC_OP_READ,
			    .req.read = { .fd = h, .off = off, .count = len } }, r;
	int err = hcall(&m, &r);

	if (err)
		return err;
	if (r.rep.read.data.len > len)
		return -EPROTO;
	memcpy(buf, r.rep.read.data.ptr, r.rep.read.data.len);
	return r.rep.read.data.len;
}

static ssize_t host_pwrite(int h, const void *buf, size_t len, long long off)
{
	struct hc_msg m = { .op = HC_OP_WRITE,
			    .req.write = { .fd = h, .off = off,
					   .data = { buf, len } } }, r;
	int err = hcall(&m, &r);

	return err ? err : (ssize_t)r.result;
}

/* The whole file, up to @cap bytes. */
static ssize_t host_read_file(const char *path, void *buf, size_t cap)
{
	ssize_t n, got = 0;
	int h = host_open(path, HC_O_RDONLY, 0);

	if (h < 0)
		return h;
	while ((size_t)got < cap) {
		n = host_pread(h, (char *)buf + got,
			       cap - got < HC_DATA_MAX ? cap - got : HC_DATA_MAX, got);
		if (n <= 0) {
			if (n < 0)
				got = n;
			break;
		}
		got += n;
	}
	host_close(h);
	return got;
}

static int host_write_file(const char *path, const void *buf, size_t len)
{
	int h = host_open(path, HC_O_WRONLY | HC_O_CREAT | HC_O_TRUNC, 0644);
	ssize_t n;

	if (h < 0)
		return h;
	n = host_pwrite(h, buf, len, 0);
	host_close(h);
	return n < 0 ? (int)n : n == (ssize_t)len ? 0 : -EIO;
}

static int host_simple(struct hc_msg *m)
{
	struct hc_msg r;

	return hcall(m, &r);
}

static int host_readlink(const char *path, char *buf, size_t cap)
{
	struct hc_msg m = { .op = HC_OP_READLINKAT,
			    .req.readlinkat = { .dirfd = HC_AT_FDCWD, .path = path } }, r;
	int err = hcall(&m, &r);

	if (!err)
		snprintf(buf, cap, "%s", r.rep.readlinkat.target);
	return err;
}

static int host_getxattr(const char *path, const char *name, char *buf, size_t cap)
{
	struct hc_msg m = { .op = HC_OP_GETXATTR,
			    .req.getxattr = { .dirfd = HC_AT_FDCWD, .path = path,
					      .flags = HC_AT_SYMLINK_NOFOLLOW,
					      .name = name, .size = cap } }, r;
	int err = hcall(&m, &r);

	if (err)
		return err;
	if (r.rep.getxattr.value.len > cap)
		return -EPROTO;
	memcpy(buf, r.rep.getxattr.value.ptr, r.rep.getxattr.value.len);
	return r.rep.getxattr.value.len;
}

/* Names of a host directory, NUL-separated into @buf; returns the count. */
static int host_listdir(const char *path, char *buf, size_t cap)
{
	int h = host_open(path, HC_O_RDONLY | HC_O_DIRECTORY, 0), n = 0;
	size_t used = 0;

	if (h < 0)
		return h;
	for (;;) {
		struct hc_msg m = { .op = HC_OP_GETDENTS,
				    .req.getdents = { .fd = h, .count = 32768 } }, r;
		const struct hc_blob *b = &r.rep.getdents.dirents;
		struct hc_dirent d;
		size_t pos = 0;
		int err = hcall(&m, &r);

		if (err) {
			n = err;
			break;
		}
		if (!b->len)
			break;
		while ((err = hc_dirent_next(b->ptr, b->len, &pos, &d)) > 0) {
			if (used + d.namelen + 1 <= cap) {
				memcpy(buf + used, d.name, d.namelen + 1);
				used += d.namelen + 1;
			}
			n++;
		}
		if (err < 0) {
			n = err;
			break;
		}
	}
	host_close(h);
	return n;
}

/* ---- guest helpers ---- */

static ssize_t read_file(const char *path, void *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, got = 0;

	if (fd < 0)
		return -errno;
	while ((size_t)got < cap && (n = read(fd, (char *)buf + got, cap - got)) > 0)
		got += n;
	if (n < 0)
		got = -errno;
	close(fd);
	return got;
}

static int write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, newline-joined names of a NUL-separated list. */
static char *sorted_names(char *list, int n)
{
	char **v = calloc(n + 1, sizeof(*v)), *out, *p = list;
	size_t total = 0;
	int i;

	for (i = 0; i < n; i++) {
		v[i] = p;
		total += strlen(p) + 1;
		p += strlen(p) + 1;
	}
	qsort(v, n, sizeof(*v), cmpstr);
	out = calloc(1, total + 1);
	for (i = 0; i < n; i++) {
		strcat(out, v[i]);
		strcat(out, "\n");
	}
	free(v);
	return out;
}

static void fill(unsigned char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 131 + seed + (i >> 12));
}

/* ---- the tests ---- */

static int t_stat(const char *rel)
{
	const char *name = "hostfs-stat";
	char g[4096], h[4096];
	struct hc_stat hs;
	struct stat st;
	int err;

	snprintf(g, sizeof(g), "%s%s", mnt, rel);
	snprintf(h, sizeof(h), "%s", rel);
	CHECK(name, lstat(g, &st) == 0, "lstat %s: %s", g, strerror(errno));
	err = host_stat(h, &hs);
	CHECK(name, !err, "host fstatat %s: %s", h, strerror(-err));
	CHECK(name, st.st_mode == hs.mode && st.st_uid == hs.uid &&
	      st.st_gid == hs.gid && (unsigned long long)st.st_size == hs.size &&
	      st.st_nlink == hs.nlink && st.st_ino == hs.ino &&
	      st.st_mtim.tv_sec == hs.mtime.sec &&
	      (unsigned long)st.st_mtim.tv_nsec == hs.mtime.nsec,
	      "%s: guest mode %o uid %u gid %u size %lld nlink %lu ino %llu mtime %lld.%09ld, host %o %u %u %llu %u %llu %lld.%09u",
	      rel, st.st_mode, st.st_uid, st.st_gid, (long long)st.st_size,
	      (unsigned long)st.st_nlink, (unsigned long long)st.st_ino,
	      (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, hs.mode, hs.uid,
	      hs.gid, (unsigned long long)hs.size, hs.nlink,
	      (unsigned long long)hs.ino, (long long)hs.mtime.sec, hs.mtime.nsec);
	return ok(name);
}

static int t_read(const char *rel)
{
	const char *name = "hostfs-read";
	static char g[1 << 20], h[1 << 20];
	char p[4096];
	ssize_t gn, hn;

	snprintf(p, sizeof(p), "%s%s", mnt, rel);
	gn = read_file(p, g, sizeof(g));
	hn = host_read_file(rel, h, sizeof(h));
	CHECK(name, gn >= 0 && hn >= 0, "read %s: guest %zd, host %zd", rel, gn, hn);
	CHECK(name, gn == hn && !memcmp(g, h, gn), "%s: guest %zd bytes, host %zd, differ",
	      rel, gn, hn);
	return ok(name);
}

static int t_readdir(const char *rel)
{
	const char *name = "hostfs-readdir";
	static char hlist[1 << 16], glist[1 << 16];
	char p[4096], *gs, *hs;
	struct dirent *de;
	size_t used = 0;
	int hn, gn = 0;
	DIR *d;

	snprintf(p, sizeof(p), "%s%s", mnt, rel);
	d = opendir(p);
	CHECK(name, d, "opendir %s: %s", p, strerror(errno));
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name) + 1;

		if (used + l > sizeof(glist))
			break;
		memcpy(glist + used, de->d_name, l);
		used += l;
		gn++;
	}
	closedir(d);
	hn = host_listdir(rel, hlist, sizeof(hlist));
	CHECK(name, hn >= 0, "host getdents %s: %s", rel, strerror(-hn));
	gs = sorted_names(glist, gn);
	hs = sorted_names(hlist, hn);
	CHECK(name, gn == hn && !strcmp(gs, hs), "%s: guest %d names, host %d", rel, gn, hn);
	free(gs);
	free(hs);
	return ok(name);
}

static int t_write(void)
{
	const char *name = "hostfs-write";
	static unsigned char buf[300000], back[300000];
	struct hc_stat hs;
	struct stat st;
	ssize_t n;
	int fd;

	fill(buf, sizeof(buf), 1);
	fd = open(gpath("w"), O_CREAT | O_EXCL | O_WRONLY, 0644);
	CHECK(name, fd >= 0, "create: %s", strerror(errno));
	CHECK(name, write(fd, buf, 100000) == 100000 &&
	      write(fd, buf + 100000, 200000) == 200000, "write: %s", strerror(errno));
	CHECK(name, close(fd) == 0, "close: %s", strerror(errno));
	n = host_read_file(hpath("w"), back, sizeof(back));
	CHECK(name, n == sizeof(buf) && !memcmp(buf, back, n),
	      "host reads %zd bytes, not what the guest wrote", n);
	CHECK(name, read_file(gpath("w"), back, sizeof(back)) == sizeof(buf) &&
	      !memcmp(buf, back, sizeof(buf)), "guest reads back other data");
	CHECK(name, stat(gpath("w"), &st) == 0 && !host_stat(hpath("w"), &hs) &&
	      st.st_size == (off_t)hs.size && st.st_mode == hs.mode,
	      "guest and host stat differ");
	/* O_EXCL on an existing file */
	CHECK(name, open(gpath("w"), O_CREAT | O_EXCL | O_WRONLY, 0644) < 0 &&
	      errno == EEXIST, "O_EXCL on an existing file: %s", strerror(errno));
	return ok(name);
}

static int t_pwrite(void)
{
	const char *name = "hostfs-pwrite";
	char g[16], h[16];
	struct hc_stat hs;
	int fd, hh;

	fd = open(gpath("p"), O_CREAT | O_RDWR, 0600);
	CHECK(name, fd >= 0, "create: %s", strerror(errno));
	CHECK(name, pwrite(fd, "far", 3, 1 << 20) == 3, "pwrite: %s", strerror(errno));
	CHECK(name, pwrite(fd, "near", 4, 10) == 4, "pwrite: %s", strerror(errno));
	CHECK(name, pread(fd, g, 4, 10) == 4 && !memcmp(g, "near", 4), "pread");
	hh = host_open(hpath("p"), HC_O_RDONLY, 0);
	CHECK(name, hh >= 0, "host open: %s", strerror(-hh));
	CHECK(name, host_pread(hh, h, 3, 1 << 20) == 3 && !memcmp(h, "far", 3),
	      "host pread at 1 MiB");
	host_close(hh);
	CHECK(name, !host_stat(hpath("p"), &hs) && hs.size == (1 << 20) + 3,
	      "host size %llu", (unsigned long long)hs.size);
	close(fd);
	return ok(name);
}

static int t_append(void)
{
	const char *name = "hostfs-append";
	char buf[16];
	int fd, hh;

	fd = open(gpath("a"), O_CREAT | O_WRONLY | O_APPEND | O_TRUNC, 0644);
	CHECK(name, fd >= 0, "open: %s", strerror(errno));
	CHECK(name, write(fd, "g1", 2) == 2, "write");
	hh = host_open(hpath("a"), HC_O_WRONLY | HC_O_APPEND, 0);
	CHECK(name, hh >= 0 && host_pwrite(hh, "H", 1, -1) == 1, "host append");
	host_close(hh);
	CHECK(name, write(fd, "g2", 2) == 2, "write");
	CHECK(name, lseek(fd, 0, SEEK_CUR) == 5, "offset %lld after appends, want 5",
	      (long long)lseek(fd, 0, SEEK_CUR));
	close(fd);
	memset(buf, 0, sizeof(buf));
	CHECK(name, host_read_file(hpath("a"), buf, sizeof(buf)) == 5 &&
	      !strcmp(buf, "g1Hg2"), "host has '%s', want g1Hg2", buf);
	return ok(name);
}

static int t_truncate(void)
{
	const char *name = "hostfs-truncate";
	struct hc_stat hs;
	struct stat st;
	int fd;

	fd = open(gpath("p"), O_RDWR);
	CHECK(name, fd >= 0, "open: %s", strerror(errno));
	CHECK(name, ftruncate(fd, 100) == 0, "ftruncate: %s", strerror(errno));
	CHECK(name, !host_stat(hpath("p"), &hs) && hs.size == 100, "host size after ftruncate");
	CHECK(name, fstat(fd, &st) == 0 && st.st_size == 100, "guest size after ftruncate");
	close(fd);
	CHECK(name, truncate(gpath("p"), 50) == 0, "truncate: %s", strerror(errno));
	CHECK(name, !host_stat(hpath("p"), &hs) && hs.size == 50, "host size after truncate");
	CHECK(name, stat(gpath("p"), &st) == 0 && st.st_size == 50, "guest size after truncate");
	fd = open(gpath("p"), O_WRONLY | O_TRUNC);
	CHECK(name, fd >= 0, "open O_TRUNC: %s", strerror(errno));
	close(fd);
	CHECK(name, !host_stat(hpath("p"), &hs) && hs.size == 0, "host size after O_TRUNC");
	return ok(name);
}

/* Shared writable mmap, coherent with read and write in the guest. */
static int t_mmap(void)
{
	const char *name = "hostfs-mmap";
	long pg = sysconf(_SC_PAGESIZE);
	char buf[64], *map;
	int fd, fd2, i;

	fd = open(gpath("m"), O_CREAT | O_RDWR | O_TRUNC, 0644);
	CHECK(name, fd >= 0, "open: %s", strerror(errno));
	CHECK(name, ftruncate(fd, 2 * pg) == 0, "ftruncate");
	map = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(name, map != MAP_FAILED, "mmap: %s", strerror(errno));
	memset(map, 'M', pg);
	CHECK(name, pread(fd, buf, 8, 100) == 8 && !memcmp(buf, "MMMMMMMM", 8),
	      "read() does not see the mapping's store");
	fd2 = open(gpath("m"), O_RDONLY);
	CHECK(name, fd2 >= 0 && pread(fd2, buf, 4, pg - 4) == 4 &&
	      !memcmp(buf, "MMMM", 4), "another open does not see the store");
	close(fd2);
	CHECK(name, msync(map, 2 * pg, MS_SYNC) == 0, "msync: %s", strerror(errno));
	i = host_open(hpath("m"), HC_O_RDONLY, 0);
	CHECK(name, i >= 0 && host_pread(i, buf, 4, 0) == 4 && !memcmp(buf, "MMMM", 4),
	      "host does not see the msync'ed page");
	host_close(i);
	CHECK(name, pwrite(fd, "write()", 7, pg + 16) == 7, "pwrite");
	CHECK(name, !memcmp(map + pg + 16, "write()", 7), "the mapping does not see write()");
	map[pg + 100] = 'Z';
	munmap(map, 2 * pg);
	CHECK(name, close(fd) == 0, "close: %s", strerror(errno));
	i = host_open(hpath("m"), HC_O_RDONLY, 0);
	CHECK(name, i >= 0 && host_pread(i, buf, 1, pg + 100) == 1 && buf[0] == 'Z',
	      "host does not see the store written back at close");
	host_close(i);
	return ok(name);
}

/* A change made on the host shows in the guest after the cache's ttl. */
static int t_host_change(void)
{
	const char *name = "hostfs-host-change";
	char buf[32] = "";
	struct stat st;

	CHECK(name, write_file(gpath("hc"), "guest version", 13) == 0, "write");
	CHECK(name, read_file(gpath("hc"), buf, sizeof(buf)) == 13, "read");
	CHECK(name, host_write_file(hpath("hc"), "host version!!", 14) == 0, "host write");
	CHECK(name, stat(gpath("late"), &st) < 0 && errno == ENOENT, "late exists early");
	CHECK(name, host_write_file(hpath("late"), "x", 1) == 0, "host create");
	usleep(1200 * 1000);	/* ttl=1000 ms */
	memset(buf, 0, sizeof(buf));
	CHECK(name, read_file(gpath("hc"), buf, sizeof(buf)) == 14 &&
	      !strcmp(buf, "host version!!"), "guest still reads '%s'", buf);
	CHECK(name, stat(gpath("late"), &st) == 0, "a file the host made is not seen: %s",
	      strerror(errno));
	return ok(name);
}

static int t_odirect(void)
{
	const char *name = "hostfs-odirect";
	unsigned char *buf, *back;
	ssize_t n;
	int fd;

	buf = aligned_alloc(4096, 65536);
	back = aligned_alloc(4096, 65536);
	fill(buf, 65536, 7);
	fd = open(gpath("d"), O_CREAT | O_RDWR | O_DIRECT, 0644);
	CHECK(name, fd >= 0, "open O_DIRECT: %s", strerror(errno));
	CHECK(name, write(fd, buf, 65536) == 65536, "write: %s", strerror(errno));
	CHECK(name, pread(fd, back, 65536, 0) == 65536 && !memcmp(buf, back, 65536),
	      "read back");
	close(fd);
	n = host_read_file(hpath("d"), back, 65536);
	CHECK(name, n == 65536 && !memcmp(buf, back, n), "host reads other data");
	free(buf);
	free(back);
	return ok(name);
}

static int t_rename(void)
{
	const char *name = "hostfs-rename";
	char buf[16] = "";
	struct hc_stat hs;

	CHECK(name, write_file(gpath("r1"), "one", 3) == 0 &&
	      write_file(gpath("r2"), "two", 3) == 0, "write");
	CHECK(name, rename(gpath("r1"), gpath("r3")) == 0, "rename: %s", strerror(errno));
	CHECK(name, host_stat(hpath("r1"), &hs) == -ENOENT && !host_stat(hpath("r3"), &hs),
	      "host does not see the rename");
	CHECK(name, syscall(SYS_renameat2, AT_FDCWD, gpath("r3"), AT_FDCWD, gpath("r2"),
			    RENAME_NOREPLACE) < 0 && errno == EEXIST,
	      "RENAME_NOREPLACE over a file: %s", strerror(errno));
	CHECK(name, syscall(SYS_renameat2, AT_FDCWD, gpath("r3"), AT_FDCWD, gpath("r2"),
			    RENAME_EXCHANGE) == 0, "RENAME_EXCHANGE: %s", strerror(errno));
	CHECK(name, host_read_file(hpath("r2"), buf, sizeof(buf)) == 3 && !strcmp(buf, "one"),
	      "host r2 holds '%s' after the exchange", buf);
	memset(buf, 0, sizeof(buf));
	CHECK(name, read_file(gpath("r3"), buf, sizeof(buf)) == 3 && !strcmp(buf, "two"),
	      "guest r3 holds '%s' after the exchange", buf);
	return ok(name);
}

static int t_link(void)
{
	const char *name = "hostfs-link";
	struct stat a, b;
	struct hc_stat hs;

	CHECK(name, link(gpath("r2"), gpath("l2")) == 0, "link: %s", strerror(errno));
	CHECK(name, stat(gpath("r2"), &a) == 0 && stat(gpath("l2"), &b) == 0 &&
	      a.st_ino == b.st_ino && a.st_nlink == 2, "guest: ino %llu/%llu nlink %lu",
	      (unsigned long long)a.st_ino, (unsigned long long)b.st_ino,
	      (unsigned long)a.st_nlink);
	CHECK(name, !host_stat(hpath("l2"), &hs) && hs.nlink == 2 && hs.ino == a.st_ino,
	      "host nlink %u", hs.nlink);
	CHECK(name, unlink(gpath("l2")) == 0, "unlink: %s", strerror(errno));
	CHECK(name, stat(gpath("r2"), &a) == 0 && a.st_nlink == 1, "nlink %lu after unlink",
	      (unsigned long)a.st_nlink);
	CHECK(name, host_stat(hpath("l2"), &hs) == -ENOENT, "host still has l2");
	return ok(name);
}

static int t_symlink(void)
{
	const char *name = "hostfs-symlink";
	char buf[4096] = "", want[4096], *hello;
	struct hc_msg m = { .op = HC_OP_SYMLINKAT,
			    .req.symlinkat.dirfd = HC_AT_FDCWD };
	static char g[65536], h[65536];
	ssize_t n, hn;
	int err;

	CHECK(name, symlink("r2", gpath("s1")) == 0, "symlink: %s", strerror(errno));
	CHECK(name, !host_readlink(hpath("s1"), buf, sizeof(buf)) && !strcmp(buf, "r2"),
	      "host readlink '%s'", buf);
	n = readlink(gpath("s1"), buf, sizeof(buf) - 1);
	CHECK(name, n == 2 && !memcmp(buf, "r2", 2), "guest readlink");
	CHECK(name, read_file(gpath("s1"), g, sizeof(g)) == 3, "read through the link");

	/* An absolute target on the host reads as one under the mount. */
	hello = getenv("HFS_ABS_TARGET");
	if (!hello)
		hello = "/hello.txt";
	m.req.symlinkat.path = hpath("abs");
	m.req.symlinkat.target = hello;
	err = host_simple(&m);
	CHECK(name, !err, "host symlinkat: %s", strerror(-err));
	n = readlink(gpath("abs"), buf, sizeof(buf) - 1);
	CHECK(name, n > 0, "readlink abs: %s", strerror(errno));
	buf[n] = 0;
	/* gdir is MOUNT + hdir; one ../ per directory of hdir */
	{
		const char *p;
		int depth = 0;

		want[0] = 0;
		for (p = hdir; *p; p++)
			depth += *p == '/';
		while (depth--)
			strcat(want, "../");
		strcat(want, hello + 1);
	}
	CHECK(name, !strcmp(buf, want), "abs reads as '%s', want '%s'", buf, want);
	n = read_file(gpath("abs"), g, sizeof(g));
	hn = host_read_file(hello, h, sizeof(h));
	CHECK(name, n >= 0 && n == hn && !memcmp(g, h, n),
	      "through abs: guest %zd bytes, host %zd", n, hn);
	return ok(name);
}

static int t_mkdir(void)
{
	const char *name = "hostfs-mkdir";
	struct hc_stat hs;

	CHECK(name, mkdir(gpath("dir"), 0755) == 0, "mkdir: %s", strerror(errno));
	CHECK(name, !host_stat(hpath("dir"), &hs) && S_ISDIR(hs.mode), "host: no directory");
	CHECK(name, write_file(gpath("dir/f"), "x", 1) == 0, "write in it");
	CHECK(name, rmdir(gpath("dir")) < 0 && errno == ENOTEMPTY,
	      "rmdir of a full directory: %s", strerror(errno));
	CHECK(name, unlink(gpath("dir/f")) == 0 && rmdir(gpath("dir")) == 0,
	      "rmdir: %s", strerror(errno));
	CHECK(name, host_stat(hpath("dir"), &hs) == -ENOENT, "host still has it");
	return ok(name);
}

/* chmod, chown, utimes: the guest's result is the host's. */
static int t_attrs(void)
{
	const char *name = "hostfs-attrs";
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1100000000, 987654321 } };
	struct hc_msg m = { .op = HC_OP_FCHOWNAT,
			    .req.fchownat = { .dirfd = HC_AT_FDCWD, .uid = 0,
					      .gid = (hc_u32)-1,
					      .flags = HC_AT_SYMLINK_NOFOLLOW } };
	struct hc_stat hs;
	struct stat st;
	int gerr, herr;

	CHECK(name, chmod(gpath("r2"), 0604) == 0, "chmod: %s", strerror(errno));
	CHECK(name, !host_stat(hpath("r2"), &hs) && (hs.mode & 07777) == 0604,
	      "host mode %o", hs.mode);
	CHECK(name, stat(gpath("r2"), &st) == 0 && (st.st_mode & 07777) == 0604,
	      "guest mode %o", st.st_mode);
	CHECK(name, utimensat(AT_FDCWD, gpath("r2"), ts, 0) == 0, "utimensat: %s",
	      strerror(errno));
	CHECK(name, !host_stat(hpath("r2"), &hs) && hs.mtime.sec == 1100000000 &&
	      hs.mtime.nsec == 987654321 && hs.atime.sec == 1000000000,
	      "host times %lld.%u", (long long)hs.mtime.sec, hs.mtime.nsec);
	/* chown to root: allowed or refused exactly as on the host */
	gerr = chown(gpath("r2"), 0, -1) < 0 ? -errno : 0;
	m.req.fchownat.path = hpath("r2");
	herr = host_simple(&m);
	CHECK(name, gerr == herr, "chown to root: guest %s, host %s", strerror(-gerr),
	      strerror(-herr));
	return ok(name);
}

/* The host decides: an open the host user may not do fails in the guest. */
static int t_access(const char *rofile)
{
	const char *name = "hostfs-host-decides";
	char g[4096];
	int gerr, herr, fd;

	snprintf(g, sizeof(g), "%s%s", mnt, rofile);
	fd = open(g, O_WRONLY | O_APPEND);
	gerr = fd < 0 ? -errno : 0;
	if (fd >= 0)
		close(fd);
	herr = host_open(rofile, HC_O_WRONLY | HC_O_APPEND, 0);
	if (herr >= 0) {
		host_close(herr);
		herr = 0;
	}
	CHECK(name, gerr == herr, "open %s for writing: guest %s, host %s", rofile,
	      strerror(-gerr), strerror(-herr));
	if (gerr)
		printf("HCTEST info hostfs-host-decides: guest uid %d opening %s: %s, as on the host\n",
		       (int)getuid(), rofile, strerror(-gerr));
	/* access(2) asks the host too: a file without x bits */
	CHECK(name, access(gpath("r2"), X_OK) < 0 && errno == EACCES,
	      "access(X_OK) of a 0604 file: %s", strerror(errno));
	return ok(name);
}

static int t_fifo(void)
{
	const char *name = "hostfs-fifo";
	char buf[32] = "";
	struct hc_stat hs;
	pid_t pid;
	int fd, status;

	CHECK(name, mkfifo(gpath("fifo"), 0644) == 0, "mkfifo: %s", strerror(errno));
	CHECK(name, !host_stat(hpath("fifo"), &hs) && S_ISFIFO(hs.mode), "host: no FIFO");
	pid = fork();
	if (pid == 0) {
		fd = open(gpath("fifo"), O_WRONLY);
		_exit(fd < 0 || write(fd, "through the fifo", 16) != 16);
	}
	fd = open(gpath("fifo"), O_RDONLY);
	CHECK(name, fd >= 0, "open: %s", strerror(errno));
	CHECK(name, read(fd, buf, sizeof(buf)) == 16 && !strcmp(buf, "through the fifo"),
	      "read '%s'", buf);
	close(fd);
	CHECK(name, waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      !WEXITSTATUS(status), "writer failed");
	return ok(name);
}

static int t_statfs(void)
{
	const char *name = "hostfs-statfs";
	struct hc_msg m = { .op = HC_OP_STATFS,
			    .req.statfs = { .dirfd = HC_AT_FDCWD, .path = hdir } }, r;
	const struct hc_statfs *hs = &r.rep.statfs.sfs;
	struct statfs sf;
	int err;

	CHECK(name, statfs(gdir, &sf) == 0, "statfs: %s", strerror(errno));
	err = hcall(&m, &r);
	CHECK(name, !err, "host statfs: %s", strerror(-err));
	CHECK(name, (unsigned long)sf.f_type == HOSTCALL_FS_MAGIC &&
	      (unsigned long long)sf.f_blocks == hs->blocks &&
	      (unsigned long long)sf.f_bsize == hs->bsize &&
	      (unsigned long long)sf.f_files == hs->files,
	      "guest type %lx blocks %llu bsize %llu, host blocks %llu bsize %llu",
	      (unsigned long)sf.f_type, (unsigned long long)sf.f_blocks,
	      (unsigned long long)sf.f_bsize, (unsigned long long)hs->blocks,
	      (unsigned long long)hs->bsize);
	return ok(name);
}

static int t_xattr(void)
{
	const char *name = "hostfs-xattr";
	struct hc_msg m = { .op = HC_OP_SETXATTR,
			    .req.setxattr = { .dirfd = HC_AT_FDCWD,
					      .flags = HC_AT_SYMLINK_NOFOLLOW,
					      .name = "user.host",
					      .value = { "hv", 2 } } };
	char buf[256] = "", list[1024];
	ssize_t n;
	int gerr, herr;

	gerr = setxattr(gpath("r2"), "user.guest", "gv", 2, 0) < 0 ? -errno : 0;
	m.req.setxattr.path = hpath("r2");
	herr = host_simple(&m);
	CHECK(name, gerr == herr, "setxattr: guest %s, host %s", strerror(-gerr),
	      strerror(-herr));
	if (herr) {
		printf("HCTEST info hostfs-xattr: the host's file system refuses user xattrs (%s), as the guest\n",
		       strerror(-herr));
		return ok(name);
	}
	n = host_getxattr(hpath("r2"), "user.guest", buf, sizeof(buf));
	CHECK(name, n == 2 && !memcmp(buf, "gv", 2), "host getxattr: %zd", n);
	n = getxattr(gpath("r2"), "user.host", buf, sizeof(buf));
	CHECK(name, n == 2 && !memcmp(buf, "hv", 2), "guest getxattr: %s", strerror(errno));
	CHECK(name, getxattr(gpath("r2"), "user.host", NULL, 0) == 2, "size query");
	n = listxattr(gpath("r2"), list, sizeof(list));
	CHECK(name, n > 0 && memmem(list, n, "user.guest", 11) && memmem(list, n, "user.host", 10),
	      "listxattr: %zd", n);
	CHECK(name, setxattr(gpath("r2"), "user.guest", "x", 1, XATTR_CREATE) < 0 &&
	      errno == EEXIST, "XATTR_CREATE on an existing name: %s", strerror(errno));
	CHECK(name, removexattr(gpath("r2"), "user.guest") == 0, "removexattr: %s",
	      strerror(errno));
	CHECK(name, host_getxattr(hpath("r2"), "user.guest", buf, sizeof(buf)) == -ENODATA,
	      "host still has it");
	return ok(name);
}

static int host_flock(int h, unsigned int op)
{
	struct hc_msg m = { .op = HC_OP_FLOCK,
			    .req.flock = { .fd = h, .operation = op } };

	return host_simple(&m);
}

static int host_lock(int h, unsigned int cmd, unsigned int type, long long start,
		     long long len, struct hc_lock *out)
{
	struct hc_msg m = { .op = HC_OP_LOCK,
			    .req.lock = { .fd = h, .cmd = cmd,
					  .lock = { .type = type,
						    .whence = HC_SEEK_SET,
						    .start = start, .len = len } } }, r;
	int err;

	err = hcall(&m, &r);
	if (!err && out)
		*out = r.rep.lock.lock;
	return err;
}

/* A child takes the lock blocking; the host lets go after 300 ms. */
static int blocked_until_host_unlocks(int (*take)(int fd), int fd, int (*release)(int h),
				      int h, double *waited)
{
	double t0 = now_s();
	pid_t pid = fork();
	int status;

	if (pid == 0)
		_exit(take(fd) ? 1 : 0);
	usleep(300 * 1000);
	if (waitpid(pid, &status, WNOHANG) != 0)
		return -1;	/* it did not wait */
	release(h);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -2;
	*waited = now_s() - t0;
	return 0;
}

static int take_flock(int fd)
{
	return flock(fd, LOCK_EX);
}

static int host_unflock(int h)
{
	return host_flock(h, HC_LOCK_UN);
}

static int t_flock(void)
{
	const char *name = "hostfs-flock";
	double waited;
	int fd, h, err;

	fd = open(gpath("r2"), O_RDWR);
	CHECK(name, fd >= 0, "open: %s", strerror(errno));
	h = host_open(hpath("r2"), HC_O_RDONLY, 0);
	CHECK(name, h >= 0, "host open: %s", strerror(-h));
	CHECK(name, flock(fd, LOCK_EX) == 0, "flock: %s", strerror(errno));
	err = host_flock(h, HC_LOCK_EX | HC_LOCK_NB);
	CHECK(name, err == -EWOULDBLOCK, "host flock while the guest holds it: %s",
	      strerror(-err));
	CHECK(name, flock(fd, LOCK_UN) == 0, "unlock: %s", strerror(errno));
	err = host_flock(h, HC_LOCK_EX | HC_LOCK_NB);
	CHECK(name, !err, "host flock after the guest let go: %s", strerror(-err));
	CHECK(name, flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK,
	      "guest flock while the host holds it: %s", strerror(errno));
	err = blocked_until_host_unlocks(take_flock, fd, host_unflock, h, &waited);
	CHECK(name, !err, "blocking flock: %s", err == -1 ? "did not wait" : "failed");
	close(fd);
	host_close(h);
	printf("HCTEST info hostfs-flock: a blocked flock got the lock %.0f ms after the host's unlock request\n",
	       (waited - 0.3) * 1000);
	return ok(name);
}

static int take_setlkw(int fd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 200, .l_len = 10 };

	return fcntl(fd, F_SETLKW, &fl);
}

static int host_unlock_200(int h)
{
	return host_lock(h, HC_F_SETLK, HC_F_UNLCK, 200, 10, NULL);
}

static int t_posix_lock(void)
{
	const char *name = "hostfs-posix-lock";
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100 };
	double waited;
	int fd, h, err;

	fd = open(gpath("r2"), O_RDWR);
	CHECK(name, fd >= 0, "open: %s", strerror(errno));
	h = host_open(hpath("r2"), HC_O_RDWR, 0);
	CHECK(name, h >= 0, "host open: %s", strerror(-h));
	CHECK(name, fcntl(fd, F_SETLK, &fl) == 0, "F_SETLK: %s", strerror(errno));
	err = host_lock(h, HC_F_SETLK, HC_F_WRLCK, 50, 10, NULL);
	CHECK(name, err == -EAGAIN, "host lock inside the guest's range: %s", strerror(-err));
	err = host_lock(h, HC_F_SETLK, HC_F_WRLCK, 200, 10, NULL);
	CHECK(name, !err, "host lock beside it: %s", strerror(-err));
	fl.l_start = 195;
	fl.l_len = 100;
	CHECK(name, fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type == F_WRLCK &&
	      fl.l_start == 200 && fl.l_len == 10, "F_GETLK: type %d start %lld len %lld",
	      fl.l_type, (long long)fl.l_start, (long long)fl.l_len);
	err = blocked_until_host_unlocks(take_setlkw, fd, host_unlock_200, h, &waited);
	CHECK(name, !err, "F_SETLKW: %s", err == -1 ? "did not wait" : "failed");
	fl.l_type = F_UNLCK;
	fl.l_start = 0;
	fl.l_len = 0;
	CHECK(name, fcntl(fd, F_SETLK, &fl) == 0, "unlock: %s", strerror(errno));
	err = host_lock(h, HC_F_SETLK, HC_F_WRLCK, 50, 10, NULL);
	CHECK(name, !err, "host lock after the guest's unlock: %s", strerror(-err));
	close(fd);
	host_close(h);
	return ok(name);
}

static int t_unlinked_open(void)
{
	const char *name = "hostfs-unlinked-open";
	char buf[16] = "";
	struct stat st;
	int fd;

	fd = open(gpath("u"), O_CREAT | O_RDWR, 0644);
	CHECK(name, fd >= 0 && write(fd, "still here", 10) == 10, "write");
	CHECK(name, unlink(gpath("u")) == 0, "unlink: %s", strerror(errno));
	CHECK(name, fstat(fd, &st) == 0 && st.st_nlink == 0 && st.st_size == 10,
	      "fstat after unlink: nlink %lu size %lld", (unsigned long)st.st_nlink,
	      (long long)st.st_size);
	CHECK(name, pread(fd, buf, 10, 0) == 10 && !strcmp(buf, "still here"), "read");
	CHECK(name, fsync(fd) == 0 && fdatasync(fd) == 0, "fsync: %s", strerror(errno));
	close(fd);
	return ok(name);
}

/* Many entries, read with a small buffer; telldir/seekdir. */
static int t_bigdir(void)
{
	const char *name = "hostfs-bigdir";
	static char hlist[1 << 16], glist[1 << 16];
	char buf[512], *gs, *hs, *p;
	size_t used = 0;
	int i, fd, gn = 0, hn;
	long n, pos;

	CHECK(name, mkdir(gpath("big"), 0755) == 0, "mkdir: %s", strerror(errno));
	for (i = 0; i < 300; i++) {
		char f[64];

		snprintf(f, sizeof(f), "big/entry-with-a-longish-name-%03d", i);
		fd = open(gpath(f), O_CREAT | O_WRONLY, 0644);
		CHECK(name, fd >= 0, "create %s: %s", f, strerror(errno));
		close(fd);
	}
	fd = open(gpath("big"), O_RDONLY | O_DIRECTORY);
	CHECK(name, fd >= 0, "open: %s", strerror(errno));
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (pos = 0; pos < n; ) {
			unsigned short reclen;

			memcpy(&reclen, buf + pos + 16, 2);
			p = buf + pos + 19;
			memcpy(glist + used, p, strlen(p) + 1);
			used += strlen(p) + 1;
			gn++;
			pos += reclen;
		}
	}
	CHECK(name, n == 0, "getdents64: %s", strerror(errno));
	close(fd);
	hn = host_listdir(hpath("big"), hlist, sizeof(hlist));
	gs = sorted_names(glist, gn);
	hs = sorted_names(hlist, hn);
	CHECK(name, gn == 302 && gn == hn && !strcmp(gs, hs), "guest %d names, host %d", gn, hn);
	free(gs);
	free(hs);

	{
		DIR *d = opendir(gpath("big"));
		struct dirent *de;
		char want[256];
		long at;

		CHECK(name, d, "opendir");
		for (i = 0; i < 100; i++)
			readdir(d);
		at = telldir(d);
		de = readdir(d);
		CHECK(name, de, "readdir");
		snprintf(want, sizeof(want), "%s", de->d_name);
		for (i = 0; i < 50; i++)
			readdir(d);
		seekdir(d, at);
		de = readdir(d);
		CHECK(name, de && !strcmp(de->d_name, want), "seekdir back gives '%s', want '%s'",
		      de ? de->d_name : "(end)", want);
		rewinddir(d);
		for (i = 0; readdir(d); i++)
			;
		CHECK(name, i == 302, "after rewinddir %d entries", i);
		closedir(d);
	}
	return ok(name);
}

/* 16 MiB written and read back, in 1 MiB write() and read() calls. */
static int t_big(void)
{
	const char *name = "hostfs-big";
	static unsigned char buf[1 << 20], back[1 << 20];
	double t0, tw, tr;
	int fd, i;

	fd = open(gpath("big16"), O_CREAT | O_RDWR | O_TRUNC, 0644);
	CHECK(name, fd >= 0, "open: %s", strerror(errno));
	t0 = now_s();
	for (i = 0; i < 16; i++) {
		fill(buf, sizeof(buf), i);
		CHECK(name, write(fd, buf, sizeof(buf)) == sizeof(buf), "write: %s",
		      strerror(errno));
	}
	CHECK(name, fsync(fd) == 0, "fsync");
	tw = now_s() - t0;
	close(fd);
	fd = open(gpath("big16"), O_RDONLY);
	t0 = now_s();
	for (i = 0; i < 16; i++) {
		fill(buf, sizeof(buf), i);
		CHECK(name, read(fd, back, sizeof(back)) == sizeof(back) &&
		      !memcmp(buf, back, sizeof(buf)), "read back MiB %d", i);
	}
	tr = now_s() - t0;
	close(fd);
	printf("HCTEST info hostfs-big: 16 MiB written in %.2f s (%.1f MiB/s), read in %.2f s (%.1f MiB/s), TCG\n",
	       tw, 16 / tw, tr, 16 / tr);
	return ok(name);
}

/* 16 MiB stored through a shared mapping and written back by msync. */
static int t_mmap_big(void)
{
	const char *name = "hostfs-mmap-big";
	static unsigned char back[1 << 20];
	size_t len = 16 << 20, i;
	unsigned char *map;
	double t0, t1;
	int fd, h;

	fd = open(gpath("mbig"), O_CREAT | O_RDWR | O_TRUNC, 0644);
	CHECK(name, fd >= 0 && ftruncate(fd, len) == 0, "create: %s", strerror(errno));
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(name, map != MAP_FAILED, "mmap: %s", strerror(errno));
	t0 = now_s();
	for (i = 0; i < len; i += 1 << 20)
		fill(map + i, 1 << 20, i >> 20);
	t1 = now_s();
	CHECK(name, msync(map, len, MS_SYNC) == 0, "msync: %s", strerror(errno));
	printf("HCTEST info hostfs-mmap-big: 16 MiB stored in %.2f s, written back by msync in %.2f s\n",
	       t1 - t0, now_s() - t1);
	munmap(map, len);
	close(fd);
	h = host_open(hpath("mbig"), HC_O_RDONLY, 0);
	CHECK(name, h >= 0, "host open: %s", strerror(-h));
	for (i = 0; i < 16; i += 5) {
		unsigned char want[4096];

		fill(want, sizeof(want), i);
		CHECK(name, host_pread(h, back, 4096, (long long)i << 20) == 4096 &&
		      !memcmp(back, want, 4096), "host has other data at MiB %zu", i);
	}
	host_close(h);
	return ok(name);
}

/* @procs processes, each writing, reading and checking its own file. */
static int t_parallel(int procs, int mib)
{
	const char *name = "hostfs-parallel";
	double t0 = now_s();
	int i, status, bad = 0;

	for (i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			static unsigned char buf[1 << 20], back[1 << 20];
			char f[64];
			int fd, k;

			snprintf(f, sizeof(f), "par%d", i);
			fd = open(gpath(f), O_CREAT | O_RDWR | O_TRUNC, 0644);
			if (fd < 0)
				_exit(2);
			for (k = 0; k < mib; k++) {
				fill(buf, sizeof(buf), i * 1000 + k);
				if (write(fd, buf, sizeof(buf)) != sizeof(buf))
					_exit(3);
			}
			for (k = 0; k < mib; k++) {
				fill(buf, sizeof(buf), i * 1000 + k);
				if (pread(fd, back, sizeof(back), (off_t)k << 20) != sizeof(back) ||
				    memcmp(buf, back, sizeof(buf)))
					_exit(4);
			}
			close(fd);
			_exit(unlink(gpath(f)) ? 5 : 0);
		}
		if (pid < 0)
			return fail(name, "fork: %s", strerror(errno));
	}
	for (i = 0; i < procs; i++) {
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			bad++;
			printf("HCTEST info hostfs-parallel: a process ended with status %#x\n",
			       status);
		}
	}
	CHECK(name, !bad, "%d of %d processes failed", bad, procs);
	printf("HCTEST info hostfs-parallel: %d processes x %d MiB written, read and checked in %.1f s\n",
	       procs, mib, now_s() - t0);
	return ok(name);
}

/* A process killed in the middle of reading: reaped at once, mount fine. */
static int t_kill_reader(void)
{
	const char *name = "hostfs-kill-reader";
	static unsigned char buf[1 << 20];
	double t0;
	pid_t pid;
	int status, fd;

	pid = fork();
	if (pid == 0) {
		for (;;) {
			fd = open(gpath("big16"), O_RDONLY | O_DIRECT);
			if (fd < 0)
				_exit(2);
			while (read(fd, buf, sizeof(buf)) > 0)
				;
			close(fd);
		}
	}
	CHECK(name, pid > 0, "fork: %s", strerror(errno));
	usleep(200 * 1000);
	t0 = now_s();
	kill(pid, SIGKILL);
	CHECK(name, waitpid(pid, &status, 0) == pid && WIFSIGNALED(status), "not killed");
	printf("HCTEST info hostfs-kill-reader: reaped %.0f ms after SIGKILL\n",
	       (now_s() - t0) * 1000);
	CHECK(name, now_s() - t0 < 2, "reaped only after %.1f s", now_s() - t0);
	fd = open(gpath("big16"), O_RDONLY);
	CHECK(name, fd >= 0 && read(fd, buf, sizeof(buf)) == sizeof(buf),
	      "the mount does not work after the kill: %s", strerror(errno));
	close(fd);
	return ok(name);
}

/*
 * Read from @fd into @buf (NUL-terminated, @cap bytes) until it holds
 * @want or @secs have passed. Returns: whether it holds @want.
 */
static int read_until(int fd, char *buf, size_t cap, size_t *got,
		      const char *want, double secs)
{
	double end = now_s() + secs;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	while (!strstr(buf, want) && *got + 1 < cap && now_s() < end) {
		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(fd, buf + *got, cap - 1 - *got);
		if (n <= 0)
			break;
		*got += n;
		buf[*got] = 0;
	}
	return strstr(buf, want) != NULL;
}

/*
 * GNU tail -f sees lines the host appends: it polls a file system whose
 * type it does not know, and hostfs's f_type is none it knows. (Under UML
 * hostfs's 0x00c0ffee it would take the mount for a local file system and
 * wait for inotify events, which no change made on the host causes.)
 */
static int t_tail_follow(void)
{
	const char *name = "hostfs-tail-follow";
	char buf[256] = "";
	size_t got = 0;
	int p[2], h, seen;
	pid_t pid;

	if (access("/usr/bin/tail", X_OK)) {
		printf("HCTEST skip %s: no GNU tail in the guest\n", name);
		return 0;
	}
	CHECK(name, write_file(gpath("follow"), "one\n", 4) == 0, "write");
	CHECK(name, pipe(p) == 0, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execl("/usr/bin/tail", "tail", "-s", "0.1", "-n", "+1", "-f",
		      gpath("follow"), (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	CHECK(name, pid > 0, "fork: %s", strerror(errno));
	seen = read_until(p[0], buf, sizeof(buf), &got, "one\n", 5);
	if (seen) {
		h = host_open(hpath("follow"), HC_O_WRONLY | HC_O_APPEND, 0);
		seen = h >= 0 && host_pwrite(h, "two\n", 4, -1) == 4;
		if (h >= 0)
			host_close(h);
		seen = seen && read_until(p[0], buf, sizeof(buf), &got,
					  "one\ntwo\n", 5);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	close(p[0]);
	CHECK(name, seen, "tail -f shows '%s' 5 s after the host appended 'two'",
	      buf);
	return ok(name);
}

static void cleanup(const char *dir)
{
	char cmd[8300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "hcfs_fstest: cannot remove %s\n", dir);
}

/* ---- inode handles: any depth, any path length, renames (hostfs by handle) ---- */

static int host_rename(const char *from, const char *to)
{
	struct hc_msg m = { .op = HC_OP_RENAMEAT2,
			    .req.renameat2 = { .olddirfd = HC_AT_FDCWD, .oldpath = from,
					       .newdirfd = HC_AT_FDCWD, .newpath = to } };

	return host_simple(&m);
}

static int host_unlink(const char *path, int dir)
{
	struct hc_msg m = { .op = HC_OP_UNLINKAT,
			    .req.unlinkat = { .dirfd = HC_AT_FDCWD, .path = path,
					      .flags = dir ? HC_AT_REMOVEDIR : 0 } };

	return host_simple(&m);
}

static int host_mkdir(const char *path)
{
	struct hc_msg m = { .op = HC_OP_MKDIRAT,
			    .req.mkdirat = { .dirfd = HC_AT_FDCWD, .path = path, .mode = 0755 } };

	return host_simple(&m);
}

/* What each call of a sequence returned, as "op=0" or "op=ERRNO;" lines. */
struct log {
	char buf[16384];
	size_t len;
};

static void note(struct log *lg, const char *op, int ret)
{
	int n = snprintf(lg->buf + lg->len, sizeof(lg->buf) - lg->len, "%s=%s\n", op,
			 ret < 0 ? strerror(errno) : "0");

	if (n > 0 && lg->len + n < sizeof(lg->buf))
		lg->len += n;
}

#define NOTE(lg, op, call) note(lg, op, (call) < 0 ? -1 : 0)

/* Every namespace and attribute op on @f (relative to the working directory). */
static void ops_on(struct log *lg, const char *tag, const char *f, const char *f2)
{
	char op[64], buf[64];
	struct timespec ts[2] = { { 1000000, 0 }, { 2000000, 0 } };
	struct stat st;
	int fd;

#define OP(what) (snprintf(op, sizeof(op), "%s %s", tag, what), op)
	fd = open(f, O_CREAT | O_EXCL | O_RDWR, 0644);
	note(lg, OP("creat"), fd);
	NOTE(lg, OP("write"), fd < 0 ? -1 : write(fd, "abcdef", 6) == 6 ? 0 : -1);
	if (fd >= 0)
		close(fd);
	NOTE(lg, OP("stat"), stat(f, &st));
	note(lg, OP("size"), st.st_size == 6 ? 0 : (errno = EBADMSG, -1));
	NOTE(lg, OP("chmod"), chmod(f, 0600));
	NOTE(lg, OP("lchown"), lchown(f, -1, -1));
	NOTE(lg, OP("truncate"), truncate(f, 3));
	NOTE(lg, OP("utimensat"), utimensat(AT_FDCWD, f, ts, AT_SYMLINK_NOFOLLOW));
	NOTE(lg, OP("access"), access(f, R_OK | W_OK));
	NOTE(lg, OP("open"), fd = open(f, O_RDONLY));
	NOTE(lg, OP("read"), fd < 0 ? -1 : read(fd, buf, sizeof(buf)) == 3 ? 0 : -1);
	if (fd >= 0)
		close(fd);
	NOTE(lg, OP("link"), link(f, f2));
	NOTE(lg, OP("unlink"), unlink(f2));
	NOTE(lg, OP("rename"), rename(f, f2));
	NOTE(lg, OP("rename-back"), rename(f2, f));
	NOTE(lg, OP("unlink-file"), unlink(f));
	NOTE(lg, OP("mkdir"), mkdir(f, 0755));
	NOTE(lg, OP("rmdir"), rmdir(f));
	NOTE(lg, OP("mkfifo"), mkfifo(f, 0644));
	NOTE(lg, OP("stat-fifo"), stat(f, &st) || !S_ISFIFO(st.st_mode) ? -1 : 0);
	NOTE(lg, OP("unlink-fifo"), unlink(f));
	NOTE(lg, OP("symlink"), symlink("target", f));
	NOTE(lg, OP("readlink"), readlink(f, buf, sizeof(buf)) == 6 ? 0 : -1);
	NOTE(lg, OP("unlink-symlink"), unlink(f));
	NOTE(lg, OP("stat-gone"), stat(f, &st));
#undef OP
}

/*
 * The sequence of the deep tests, from the working directory @base: 200
 * directories down, every op there; names of 255 bytes and 256; a path of
 * 4,095 bytes relative to that directory (and of 4,096).
 */
static void deep_sequence(struct log *lg, const char *base)
{
	char n255[256], n255b[256], n256[257], rel[4200], rel2[4200], d[8];
	size_t len;
	int i;

	if (chdir(base) < 0) {
		note(lg, "chdir base", -1);
		return;
	}
	for (i = 0; i < 200; i++) {
		snprintf(d, sizeof(d), "d%03d", i);
		if (mkdir(d, 0755) < 0 || chdir(d) < 0)
			break;
	}
	note(lg, "depth 200", i == 200 ? 0 : -1);
	ops_on(lg, "depth200", "f", "g");

	memset(n255, 'n', 255);
	n255[255] = 0;
	memcpy(n255b, n255, 256);
	n255b[0] = 'm';
	memset(n256, 'n', 256);
	n256[256] = 0;
	ops_on(lg, "name255", n255, n255b);
	ops_on(lg, "name256", n256, n255b);

	/* 16 directories of 254 bytes: 4,080 bytes with their slashes */
	len = 0;
	for (i = 0; i < 16; i++) {
		memset(rel + len, 'a' + i, 254);
		rel[len + 254] = 0;
		if (mkdir(rel, 0755) < 0)
			note(lg, "mkdir long", -1);
		rel[len + 254] = '/';
		len += 255;
	}
	memcpy(rel2, rel, len);
	memset(rel + len, 'f', 15);		/* 4,095 bytes */
	rel[len + 15] = 0;
	memset(rel2 + len, 'g', 15);
	rel2[len + 15] = 0;
	note(lg, "path4095 length", strlen(rel) == 4095 ? 0 : -1);
	ops_on(lg, "path4095", rel, rel2);
	memset(rel + len, 'f', 16);		/* 4,096: too long */
	rel[len + 16] = 0;
	ops_on(lg, "path4096", rel, rel2);
}

/* The same sequence on hostfs and on the guest's tmpfs: the same results. */
static int t_deep(void)
{
	const char *name = "hostfs-deep";
	static struct log g, t;
	char *a, *b, *ea, *eb;
	int cwd = open(".", O_PATH | O_DIRECTORY);

	mkdir("/tmp/hcfs-cmp", 0755);
	CHECK(name, mount("tmpfs", "/tmp/hcfs-cmp", "tmpfs", 0, "size=64m") == 0,
	      "mount tmpfs: %s", strerror(errno));
	deep_sequence(&t, "/tmp/hcfs-cmp");
	CHECK(name, mkdir(gpath("deep"), 0755) == 0, "mkdir: %s", strerror(errno));
	deep_sequence(&g, gpath("deep"));
	if (fchdir(cwd) < 0)
		return fail(name, "fchdir back");
	close(cwd);
	umount("/tmp/hcfs-cmp");
	/* the first line that differs */
	for (a = g.buf, b = t.buf; *a || *b; a = ea + 1, b = eb + 1) {
		ea = strchr(a, '\n');
		eb = strchr(b, '\n');
		if (!ea || !eb)
			return fail(name, "hostfs made %s results than tmpfs",
				    ea ? "more" : "fewer");
		if (ea - a != eb - b || memcmp(a, b, ea - a))
			return fail(name, "hostfs: %.*s; tmpfs: %.*s", (int)(ea - a), a,
				    (int)(eb - b), b);
	}
	return ok(name);
}

/*
 * A file opened, a working directory and a shared mapping below a
 * directory that is renamed (by the host or by the guest) keep working:
 * they name inodes, not paths.
 */
static int t_rename_ancestor(int by_host)
{
	const char *name = by_host ? "hostfs-rename-ancestor-host" : "hostfs-rename-ancestor-guest";
	char buf[128] = "";
	int cwd, fd, fd2;
	struct stat st;
	char *map;

	cwd = open(".", O_PATH | O_DIRECTORY);
	CHECK(name, mkdir(gpath("ra"), 0755) == 0 && mkdir(gpath("ra/b"), 0755) == 0,
	      "mkdir: %s", strerror(errno));
	CHECK(name, write_file(gpath("ra/b/f"), "0123456789", 10) == 0, "write");
	fd = open(gpath("ra/b/f"), O_RDWR);
	CHECK(name, fd >= 0 && ftruncate(fd, 4096) == 0, "open: %s", strerror(errno));
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(name, map != MAP_FAILED, "mmap: %s", strerror(errno));
	CHECK(name, chdir(gpath("ra/b")) == 0, "chdir: %s", strerror(errno));

	if (by_host)
		CHECK(name, host_rename(hpath("ra"), hpath("ra2")) == 0, "host rename");
	else
		CHECK(name, rename(gpath("ra"), gpath("ra2")) == 0, "rename: %s",
		      strerror(errno));

	CHECK(name, pwrite(fd, "written", 7, 0) == 7, "pwrite after the rename: %s",
	      strerror(errno));
	memcpy(map + 100, "mapped", 6);
	CHECK(name, msync(map, 4096, MS_SYNC) == 0, "msync: %s", strerror(errno));
	CHECK(name, host_read_file(hpath("ra2/b/f"), buf, 106) == 106 &&
	      !memcmp(buf, "written789", 10) && !memcmp(buf + 100, "mapped", 6),
	      "the host's ra2/b/f holds '%.10s'", buf);
	/* the working directory is the same directory under its new name */
	fd2 = open("f", O_RDONLY);
	CHECK(name, fd2 >= 0, "open f in the cwd after the rename: %s", strerror(errno));
	close(fd2);
	CHECK(name, write_file("new", "n", 1) == 0, "create in the cwd: %s", strerror(errno));
	CHECK(name, host_stat(hpath("ra2/b/new"), &(struct hc_stat){ 0 }) == 0,
	      "the host has no ra2/b/new");
	if (by_host)
		usleep(1200 * 1000);	/* ttl=1000 ms */
	CHECK(name, stat(gpath("ra/b/f"), &st) < 0 && errno == ENOENT,
	      "the old name is still there (%s)", strerror(errno));
	CHECK(name, stat(gpath("ra2/b/f"), &st) == 0 && st.st_size == 4096,
	      "the new name: %s", strerror(errno));
	munmap(map, 4096);
	close(fd);
	if (fchdir(cwd) < 0)
		return fail(name, "fchdir back");
	close(cwd);
	cleanup(gpath("ra2"));
	return ok(name);
}

/*
 * A name the host gives to another file: the guest serves the new file
 * after the timeout, never the old one, while an open fd keeps the old.
 */
static int t_recreate(void)
{
	const char *name = "hostfs-recreate";
	char buf[32] = "";
	struct stat a, b;
	int fd;

	CHECK(name, write_file(gpath("rc"), "old", 3) == 0 &&
	      write_file(gpath("rd"), "file", 4) == 0, "write");
	CHECK(name, stat(gpath("rc"), &a) == 0 && stat(gpath("rd"), &b) == 0, "stat");
	fd = open(gpath("rc"), O_RDONLY);
	CHECK(name, fd >= 0, "open");
	CHECK(name, host_unlink(hpath("rc"), 0) == 0 &&
	      host_write_file(hpath("rc"), "new file", 8) == 0, "host re-creates rc");
	CHECK(name, host_unlink(hpath("rd"), 0) == 0 && host_mkdir(hpath("rd")) == 0,
	      "host makes rd a directory");
	usleep(1200 * 1000);
	CHECK(name, read_file(gpath("rc"), buf, sizeof(buf)) == 8 && !strcmp(buf, "new file"),
	      "rc reads '%s'", buf);
	CHECK(name, stat(gpath("rc"), &b) == 0 && b.st_ino != a.st_ino,
	      "rc keeps inode %llu", (unsigned long long)a.st_ino);
	memset(buf, 0, sizeof(buf));
	CHECK(name, pread(fd, buf, sizeof(buf), 0) == 3 && !strcmp(buf, "old"),
	      "the open fd reads '%s'", buf);
	close(fd);
	CHECK(name, stat(gpath("rd"), &b) == 0 && S_ISDIR(b.st_mode), "rd is not a directory");
	CHECK(name, mkdir(gpath("rd/in"), 0755) == 0, "mkdir in rd: %s", strerror(errno));
	return ok(name);
}

/* O_TMPFILE: an unnamed host file, given a name with linkat() later. */
static int t_tmpfile(void)
{
	const char *name = "hostfs-tmpfile";
	char buf[16] = "", proc[64], list[4096];
	struct stat st;
	int fd, n, i;
	char *p;

	fd = open(gdir, O_TMPFILE | O_RDWR, 0640);
	CHECK(name, fd >= 0, "open O_TMPFILE: %s", strerror(errno));
	CHECK(name, write(fd, "unnamed", 7) == 7, "write: %s", strerror(errno));
	CHECK(name, fstat(fd, &st) == 0 && st.st_nlink == 0 && st.st_size == 7 &&
	      (st.st_mode & 07777) == 0640, "fstat: nlink %lu size %lld mode %o",
	      (unsigned long)st.st_nlink, (long long)st.st_size, st.st_mode & 07777);
	n = host_listdir(hdir, list, sizeof(list));
	for (i = 0, p = list; i < n; i++, p += strlen(p) + 1)
		CHECK(name, strncmp(p, "tmpnamed", 8), "the host lists %s early", p);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	CHECK(name, linkat(AT_FDCWD, proc, AT_FDCWD, gpath("tmpnamed"), AT_SYMLINK_FOLLOW) == 0,
	      "linkat: %s", strerror(errno));
	CHECK(name, host_read_file(hpath("tmpnamed"), buf, sizeof(buf)) == 7 &&
	      !strcmp(buf, "unnamed"), "the host's tmpnamed holds '%s'", buf);
	CHECK(name, stat(gpath("tmpnamed"), &st) == 0 && st.st_nlink == 1,
	      "stat after linkat: %s, nlink %lu", strerror(errno), (unsigned long)st.st_nlink);
	close(fd);
	fd = open(gdir, O_TMPFILE | O_WRONLY | O_EXCL, 0600);
	CHECK(name, fd >= 0, "open O_TMPFILE|O_EXCL: %s", strerror(errno));
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	CHECK(name, linkat(AT_FDCWD, proc, AT_FDCWD, gpath("tmpexcl"), AT_SYMLINK_FOLLOW) < 0 &&
	      errno == ENOENT, "linkat of an O_EXCL tmpfile: %s", strerror(errno));
	close(fd);
	return ok(name);
}

/*
 * copy_file_range() inside the mount: done by the host (run.sh finds the
 * COPY_FILE_RANGE in hostcalld's log), into a file whose pages the guest
 * has cached, which must then read the copy; syncfs() of the mount.
 */
static int t_copy_range(void)
{
	const char *name = "hostfs-copy-range";
	static char src[300 * 1024], want[300 * 1024], got[300 * 1024];
	loff_t off_in = 1000, off_out = 4096;
	size_t i, left = 200000;
	ssize_t n;
	int in, out;

	for (i = 0; i < sizeof(src); i++)
		src[i] = 'a' + i % 23;
	memset(want, 'z', 8192);
	memcpy(want + off_out, src + off_in, left);
	in = open(gpath("cpsrc"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	out = open(gpath("cpdst"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(name, in >= 0 && out >= 0, "open: %s", strerror(errno));
	CHECK(name, write(in, src, sizeof(src)) == (ssize_t)sizeof(src) &&
	      write(out, want, 8192) == 8192, "write: %s", strerror(errno));
	/* the destination's old bytes in the page cache */
	CHECK(name, pread(out, got, 8192, 0) == 8192, "pread: %s", strerror(errno));
	while (left) {
		n = copy_file_range(in, &off_in, out, &off_out, left, 0);
		CHECK(name, n > 0, "copy_file_range: %s", n < 0 ? strerror(errno) : "0 bytes");
		left -= n;
	}
	CHECK(name, off_out == 4096 + 200000, "the output offset ends at %lld", (long long)off_out);
	n = pread(out, got, sizeof(got), 0);
	CHECK(name, n == 4096 + 200000 && !memcmp(got, want, n),
	      "the guest reads %zd bytes, %s", n, n > 0 && memcmp(got, want, n) ? "not the copy" : "");
	n = host_read_file(hpath("cpdst"), got, sizeof(got));
	CHECK(name, n == 4096 + 200000 && !memcmp(got, want, n), "the host has %zd bytes", n);
	CHECK(name, syncfs(out) == 0, "syncfs: %s", strerror(errno));
	close(in);
	close(out);
	return ok(name);
}

int main(int argc, char **argv)
{
	const char *only = argc > 3 ? argv[3] : NULL;

	if (argc < 3) {
		fprintf(stderr, "usage: hcfs_fstest MOUNT SCRATCH [TEST]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	mnt = argv[1];
	if (strlen(mnt) + strlen(argv[2]) > 900) {
		fprintf(stderr, "hcfs_fstest: paths too long\n");
		return 2;
	}
	snprintf(hdir, sizeof(hdir), "%s/hcfs-test", argv[2]);
	snprintf(gdir, sizeof(gdir), "%s%s", mnt, hdir);
	devfd = open("/dev/hostcall", O_RDWR | O_CLOEXEC);
	if (devfd < 0) {
		printf("HCTEST fail hostfs-ops: open /dev/hostcall: %s\n", strerror(errno));
		return 1;
	}
	cleanup(gdir);
	if (mkdir(gdir, 0755) < 0) {
		printf("HCTEST fail hostfs-ops: mkdir %s: %s\n", gdir, strerror(errno));
		return 1;
	}
#define RUN(t, call) do { if (!only || !strcmp(only, t)) call; } while (0)
	RUN("stat", t_stat("/hello.txt"));
	RUN("read", t_read("/hello.txt"));
	RUN("readdir", t_readdir("/"));
	RUN("write", t_write());
	RUN("pwrite", t_pwrite());
	RUN("append", t_append());
	RUN("truncate", t_truncate());
	RUN("mmap", t_mmap());
	RUN("odirect", t_odirect());
	RUN("rename", t_rename());
	RUN("link", t_link());
	RUN("symlink", t_symlink());
	RUN("mkdir", t_mkdir());
	RUN("attrs", t_attrs());
	RUN("access", t_access("/hello.txt"));
	RUN("fifo", t_fifo());
	RUN("statfs", t_statfs());
	RUN("xattr", t_xattr());
	RUN("flock", t_flock());
	RUN("posix-lock", t_posix_lock());
	RUN("unlinked-open", t_unlinked_open());
	RUN("bigdir", t_bigdir());
	RUN("host-change", t_host_change());
	RUN("tail-follow", t_tail_follow());
	RUN("big", t_big());
	RUN("mmap-big", t_mmap_big());
	RUN("kill-reader", t_kill_reader());
	RUN("parallel", t_parallel(16, 16));
	RUN("deep", t_deep());
	RUN("rename-ancestor-host", t_rename_ancestor(1));
	RUN("rename-ancestor-guest", t_rename_ancestor(0));
	RUN("recreate", t_recreate());
	RUN("tmpfile", t_tmpfile());
	RUN("copy-range", t_copy_range());
	cleanup(gdir);
	return failures ? 1 : 0;
}
