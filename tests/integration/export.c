// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the export lets a client do, through the public API (libhostcall):
 * the working directory follows renames and is gone once moved out, the
 * export's root cannot be chmodded, chowned or renamed, device nodes and
 * setuid files as --allow-devices / --allow-setuid say. Driven by export.sh,
 * which makes the trees, moves things on the host between steps (the "mv"
 * lines below wait for it) and checks the host side.
 *
 * Usage: export CASE DIR  (DIR: the export's directory on the host)
 * Output: "ok - name" / "not ok - name" with a "# " reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "hostcall.h"

static int failures;

static void check(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s - %s\n", ok ? "ok" : "not ok", name);
	if (!ok) {
		failures++;
		printf("# ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	fflush(stdout);
}

/* Ask export.sh to run a host command, and wait until it has. */
static void host_do(const char *what)
{
	char line[64];

	printf("do %s\n", what);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin) || strncmp(line, "done", 4)) {
		printf("not ok - host step '%s' answered\n", what);
		exit(1);
	}
}

static const char *read_fd(int fd)
{
	static char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = 0;
	return buf;
}

/* The cwd is a directory reference: it follows renames, and is gone when
 * moved out of the export. Files: DIR/a/f ("in a"), DIR/a/deep/own. */
static void case_cwd(void)
{
	char cwd[256];
	int r, fd, dfd;

	check(hc_chdir("/a") == 0, "chdir into the export", "");
	host_do("mv a b");
	r = hc_getcwd(cwd, sizeof(cwd));
	check(r > 0 && !strcmp(cwd, "/b"), "getcwd follows a rename on the host",
	      "r=%d cwd=%s", r, r > 0 ? cwd : "");
	fd = hc_openat(AT_FDCWD, "f", O_RDONLY, 0);
	check(fd >= 0 && !strcmp(read_fd(fd), "in a\n"),
	      "a relative open after the rename finds the same directory", "fd=%d", fd);
	if (fd >= 0)
		close(fd);
	check(hc_chdir("deep") == 0, "chdir deeper", "");
	dfd = hc_openat(AT_FDCWD, ".", O_RDONLY | O_DIRECTORY, 0);
	host_do("mv b/deep OUTSIDE");
	r = hc_getcwd(cwd, sizeof(cwd));
	check(r == -ENOENT, "getcwd of a directory moved out of the export is ENOENT",
	      "r=%d cwd=%s", r, r > 0 ? cwd : "");
	fd = hc_openat(AT_FDCWD, "../f", O_RDONLY, 0);
	check(fd == -ENOENT, "'..' from a cwd moved out is ENOENT", "fd=%d", fd);
	fd = hc_openat(AT_FDCWD, "own", O_RDONLY, 0);
	check(fd >= 0 && !strcmp(read_fd(fd), "own\n"),
	      "a cwd moved out still reaches its own entries", "fd=%d", fd);
	if (fd >= 0)
		close(fd);
	r = hc_realpath(".", cwd, sizeof(cwd));
	check(r == -ENOENT, "realpath below it is ENOENT", "r=%d", r);
	if (dfd >= 0) {
		fd = openat(dfd, "..", O_RDONLY | O_DIRECTORY);
		check(fd < 0 && errno == ENOENT,
		      "a directory fd moved out: native '..' is ENOENT", "fd=%d", fd);
		fd = openat(dfd, "../../../etc/passwd", O_RDONLY);
		check(fd < 0, "and nothing above it opens natively", "fd=%d", fd);
		fd = openat(dfd, "own", O_RDONLY);
		check(fd >= 0, "its own entries still open natively", "fd=%d", fd);
	} else {
		check(0, "a directory fd of the cwd", "dfd=%d", dfd);
	}
}

/* The export's root: no chmod, chown or rename of it. */
static void case_rootattr(void)
{
	int r;

	r = hc_fchmodat(AT_FDCWD, "/", 0777, 0);
	check(r == -EPERM, "chmod of the export's root is refused", "r=%d", r);
	r = hc_fchmodat(AT_FDCWD, "/a/..", 0777, 0);
	check(r == -EPERM, "also by another name", "r=%d", r);
	r = hc_fchownat(AT_FDCWD, "/", 0, 0, 0);
	check(r == -EPERM, "chown of the export's root is refused", "r=%d", r);
	r = hc_renameat2(AT_FDCWD, "/", AT_FDCWD, "/a/x", 0);
	check(r < 0, "rename of the export's root fails", "r=%d", r);
	r = hc_renameat2(AT_FDCWD, "/.", AT_FDCWD, "/y", 0);
	check(r < 0, "rename of '/.' fails", "r=%d", r);
	r = hc_fchmodat(AT_FDCWD, "/a", 0750, 0);
	check(r == 0, "chmod below the root works", "r=%d", r);
}

/* nodev: device nodes in the export do not open, unless --allow-devices. */
static void case_devopen(int allowed)
{
	const char *prefix = getenv("EXPORT_PREFIX");	/* the export's path to DIR */
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/null", prefix ? prefix : "");
	fd = hc_openat(AT_FDCWD, path, O_WRONLY, 0);

	if (allowed)
		check(fd >= 0 && write(fd, "x", 1) == 1,
		      "with --allow-devices a device node opens", "fd=%d", fd);
	else
		check(fd == -EACCES, "a device node in the export does not open (nodev)",
		      "fd=%d", fd);
	if (fd >= 0)
		close(fd);
}

/* Root shadows under --root: devices and setuid as the options allow. */
static void case_privileged(int allowed)
{
	const char cap[20] = { 0x01, 0x00, 0x00, 0x02 };
	int r, fd, want = allowed ? 0 : -EPERM;

	r = hc_mknodat(AT_FDCWD, "/kmsg", S_IFCHR | 0600, makedev(1, 11));
	check(r == want, allowed ? "mknod of a device with --allow-devices" :
	      "mknod of a device node is refused", "r=%d", r);
	r = hc_fchmodat(AT_FDCWD, "/a/f", 04755, 0);
	check(r == want, allowed ? "chmod u+s with --allow-setuid" :
	      "chmod u+s is refused", "r=%d", r);
	r = hc_fchmodat(AT_FDCWD, "/a/f", 02755, 0);
	check(r == want, allowed ? "chmod g+s of a file with --allow-setuid" :
	      "chmod g+s of a file is refused", "r=%d", r);
	fd = hc_openat(AT_FDCWD, "/a/suid", O_CREAT | O_WRONLY, 04755);
	check(allowed ? fd >= 0 : fd == -EPERM, allowed ? "create setuid with --allow-setuid" :
	      "creating a setuid file is refused", "fd=%d", fd);
	if (fd >= 0)
		close(fd);
	r = hc_setxattrat(AT_FDCWD, "/a/f", "security.capability", cap, sizeof(cap), 0, 0);
	check(allowed ? r != -EPERM : r == -EPERM, allowed ?
	      "file capabilities with --allow-setuid are the host's to judge" :
	      "setting file capabilities is refused", "r=%d", r);
	r = hc_mkdirat(AT_FDCWD, "/sgid", 02775);
	check(r == 0, "a setgid directory is allowed", "r=%d", r);
	r = hc_fchmodat(AT_FDCWD, "/sgid", 02770, 0);
	check(r == 0, "chmod g+s of a directory is allowed", "r=%d", r);
	r = hc_fchmodat(AT_FDCWD, "/a/f", 0644, 0);
	check(r == 0, "an ordinary chmod works", "r=%d", r);
}

/* A shadow that cannot enter the export answers with the error. */
static void case_noenter(void)
{
	int r = hc_connect();

	check(r == -EACCES, "a shadow that cannot enter the export answers EACCES",
	      "r=%d", r);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: export CASE DIR\n");
		return 2;
	}
	if (!strcmp(argv[1], "cwd"))
		case_cwd();
	else if (!strcmp(argv[1], "rootattr"))
		case_rootattr();
	else if (!strcmp(argv[1], "nodev"))
		case_devopen(0);
	else if (!strcmp(argv[1], "devices"))
		case_devopen(1);
	else if (!strcmp(argv[1], "privileged"))
		case_privileged(0);
	else if (!strcmp(argv[1], "allowed"))
		case_privileged(1);
	else if (!strcmp(argv[1], "noenter"))
		case_noenter();
	else
		return 2;
	return failures ? 1 : 0;
}
