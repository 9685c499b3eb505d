// SPDX-License-Identifier: GPL-2.0-only
/*
 * Two users on one host directory: what the first (the owner) makes, the
 * second (the other) must be refused or must change as the host kernel
 * says. One run per user, each a sequence of cases, so that the same
 * driver checks a directory under /host through libhostcall
 * (tests/integration/identity.sh) and a hostfs mount in a VM
 * (tests/vm/guest/64-users.sh), where each user maps to a host user.
 *
 * usage: idusers owner DIR    (as the first user; DIR writable by both, not sticky)
 *        idusers other DIR    (then as the second)
 * Output: "ok - CASE", or "not ok - CASE" and "# what happened", for each;
 * exit status 1 if a case failed.
 *
 * The owner makes priv (0600), private/ (0700) with sub/f, walks private/
 * as ls -lR does (so any cache of the lookups is warm), makes sticky/
 * (1777) with a file in it, and setuid (04777, its own). The other may
 * not read priv, reach anything below private/ (stat, open, opendir),
 * remove or rename the owner's file in sticky/; its write to setuid
 * clears the setuid bit; what it creates is its own (its uid in stat).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idpath.h"

static int failed;

static void result(const char *name, int good, const char *fmt, int err)
{
	if (good) {
		printf("ok - %s\n", name);
		return;
	}
	printf("not ok - %s\n# got: ", name);
	printf(fmt, err ? strerror(err) : "success");
	printf("\n");
	failed = 1;
}

/* Case @name: the call's result @r (0 or -1 with errno) must be errno @want. */
static void expect_errno(const char *name, int r, int want)
{
	int e = r < 0 ? errno : 0;

	result(name, r < 0 && e == want, "%s", e);
}

static int make_file(const char *rel, mode_t mode, const char *text)
{
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_TRUNC, mode);
	ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));

	if (fd >= 0)
		close(fd);
	return fd < 0 || n < 0 ? -1 : chmod(at(rel), mode);
}

/* ls -lR: lstat every entry below @path. Returns the entries seen, or -1. */
static int walk(const char *path)
{
	char sub[8192];
	struct dirent *e;
	struct stat st;
	DIR *d = opendir(path);
	int n = 0, m;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (lstat(sub, &st) < 0) {
			n = -1;
			break;
		}
		n++;
		if (S_ISDIR(st.st_mode)) {
			m = walk(sub);
			if (m < 0) {
				n = -1;
				break;
			}
			n += m;
		}
	}
	closedir(d);
	return n;
}

static void owner(void)
{
	int r;

	result("owner: makes a 0600 file", make_file("priv", 0600, "secret\n") == 0, "%s", errno);
	r = mkdir(at("private"), 0700) || mkdir(at("private/sub"), 0755) ||
	    make_file("private/sub/f", 0644, "below\n");
	result("owner: makes a 0700 directory with sub/f", r == 0, "%s", errno);
	result("owner: walks it as ls -lR does (2 entries)", walk(at("private")) == 2,
	       "%s", errno);
	r = mkdir(at("sticky"), 0777) || chmod(at("sticky"), 01777) ||
	    make_file("sticky/mine", 0666, "mine\n");
	result("owner: makes a sticky directory with a 0666 file", r == 0, "%s", errno);
	result("owner: makes a 04777 file of its own", make_file("setuid", 04777, "x\n") == 0,
	       "%s", errno);
}

static void other(void)
{
	struct stat st;
	int fd;
	DIR *d;

	expect_errno("other: open of the owner's 0600 file is EACCES",
		     open(at("priv"), O_RDONLY), EACCES);
	expect_errno("other: stat below the owner's 0700 directory is EACCES, after its walk",
		     stat(at("private/sub/f"), &st), EACCES);
	expect_errno("other: open below it is EACCES",
		     open(at("private/sub/f"), O_RDONLY), EACCES);
	d = opendir(at("private/sub"));
	expect_errno("other: opendir below it is EACCES", d ? 0 : -1, EACCES);
	if (d)
		closedir(d);
	expect_errno("other: unlink of the owner's file in the sticky directory is EPERM",
		     unlink(at("sticky/mine")), EPERM);
	expect_errno("other: rename of it is EPERM",
		     rename(at("sticky/mine"), at("sticky/taken")), EPERM);
	result("other: ... and the file is still there", stat(at("sticky/mine"), &st) == 0,
	       "%s", errno);
	fd = open(at("setuid"), O_WRONLY | O_APPEND);
	result("other: writes to the owner's 04777 file",
	       fd >= 0 && write(fd, "y\n", 2) == 2, "%s", errno);
	if (fd >= 0)
		close(fd);
	result("other: ... which clears its setuid bit",
	       stat(at("setuid"), &st) == 0 && (st.st_mode & 07777) == 0777,
	       "mode after the write: %s", stat(at("setuid"), &st) ? errno : 0);
	if ((st.st_mode & 07777) != 0777)
		printf("# mode %04o\n", (unsigned int)(st.st_mode & 07777));
	result("other: makes a file of its own",
	       make_file("by-other", 0644, "other\n") == 0 && stat(at("by-other"), &st) == 0 &&
	       st.st_uid == getuid(), "%s", errno);
	if (st.st_uid != getuid())
		printf("# by-other: uid %u, not %u\n", (unsigned int)st.st_uid,
		       (unsigned int)getuid());
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "owner") && strcmp(argv[1], "other"))) {
		fprintf(stderr, "usage: idusers owner|other DIR\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s", argv[2]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "owner"))
		owner();
	else
		other();
	return failed;
}
