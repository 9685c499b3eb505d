// SPDX-License-Identifier: GPL-2.0-only
/*
 * One user's view of permissions, for comparing the host kernel's answers
 * natively with the same operations through hostcalld --identity
 * passthrough (tests/integration/identity.sh): run once on a tree as it is,
 * once on the same tree under /host with libhostcall, as the same uid, and
 * the two outputs must be the same line for line.
 *
 * usage: idcompare setup DIR UID1 UID2 GID1    (as root: make the tree)
 *        idcompare run DIR                     (as the user to test)
 * The tree: m/ with a file of each of 17 modes (0000..0777, setuid and
 * setgid ones) owned by UID1:GID1; priv/ (0700, UID1) with a file; sticky/
 * (1777) with a file of UID1 and one of UID2; sgid/ (2777, root:GID1).
 * Each line of run is "case: result", the result an errno name or what
 * stat says.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idpath.h"

static const unsigned int modes[] = {
	00000, 00400, 00200, 00100, 00600, 00640, 00604, 00644, 00660,
	00666, 00700, 00750, 00755, 00770, 00777, 04755, 02775,
};
#define NMODES (sizeof(modes) / sizeof(modes[0]))


static const char *res(int r)
{
	static char b[64];

	if (r >= 0)
		return "ok";
	switch (errno) {
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case EISDIR: return "EISDIR";
	case ENOTDIR: return "ENOTDIR";
	default:
		snprintf(b, sizeof(b), "errno %d", errno);
		return b;
	}
}

static void say_stat(const char *name, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		printf("%s: %s\n", name, res(-1));
	else
		printf("%s: mode %04o uid %u gid %u\n", name, st.st_mode & 07777,
		       (unsigned int)st.st_uid, (unsigned int)st.st_gid);
}

static void say_open(const char *name, const char *path, int flags, mode_t mode)
{
	int fd = open(path, flags | O_CLOEXEC, mode);

	printf("%s: %s\n", name, res(fd));
	if (fd >= 0)
		close(fd);
}

static int setup(unsigned int u1, unsigned int u2, unsigned int g1)
{
	char rel[64];
	size_t i;
	int fd;

	if (mkdir(at("m"), 0755) || mkdir(at("priv"), 0700) || mkdir(at("sticky"), 0777) ||
	    mkdir(at("sgid"), 0777))
		return 1;
	for (i = 0; i < NMODES; i++) {
		snprintf(rel, sizeof(rel), "m/f%04o", modes[i]);
		fd = open(at(rel), O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0 || write(fd, "data\n", 5) != 5 || fchown(fd, u1, g1) ||
		    fchmod(fd, modes[i]))
			return 1;
		close(fd);
	}
	fd = open(at("priv/f"), O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return 1;
	close(fd);
	fd = open(at("sticky/of1"), O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0 || fchown(fd, u1, g1))
		return 1;
	close(fd);
	fd = open(at("sticky/of2"), O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0 || fchown(fd, u2, u2))
		return 1;
	close(fd);
	if (chown(at("priv"), u1, g1) || chown(at("priv/f"), u1, g1) ||
	    chmod(at("sticky"), 01777) || chown(at("sgid"), 0, g1) || chmod(at("sgid"), 02777))
		return 1;
	return 0;
}

static int run(void)
{
	char rel[64], name[64];
	unsigned int me = getuid();
	size_t i;
	int fd;

	umask(022);
	for (i = 0; i < NMODES; i++) {
		snprintf(rel, sizeof(rel), "m/f%04o", modes[i]);
		snprintf(name, sizeof(name), "read f%04o", modes[i]);
		say_open(name, at(rel), O_RDONLY, 0);
		snprintf(name, sizeof(name), "write f%04o", modes[i]);
		say_open(name, at(rel), O_WRONLY, 0);
		snprintf(name, sizeof(name), "access-x f%04o", modes[i]);
		printf("%s: %s\n", name, res(access(at(rel), X_OK)));
		snprintf(name, sizeof(name), "chmod f%04o", modes[i]);
		printf("%s: %s\n", name, res(chmod(at(rel), modes[i])));
	}
	/* writing a setuid/setgid file as another user clears the bits */
	fd = open(at("m/f4755"), O_WRONLY | O_APPEND);
	if (fd >= 0) {
		printf("append f4755: %s\n", res((int)write(fd, "x", 1)));
		close(fd);
	}
	say_stat("after write f4755", at("m/f4755"));
	printf("chown f0644 to me: %s\n", res(chown(at("m/f0644"), me, -1)));
	printf("chown f0666 to root: %s\n", res(chown(at("m/f0666"), 0, -1)));
	say_stat("stat f0666", at("m/f0666"));
	/* a 0700 directory of someone else */
	say_stat("stat priv/f", at("priv/f"));
	say_open("create in priv", at("priv/new"), O_WRONLY | O_CREAT | O_EXCL, 0644);
	/* the sticky directory: only a file's owner (or root) removes it */
	printf("unlink sticky/of1: %s\n", res(unlink(at("sticky/of1"))));
	printf("rename sticky/of2: %s\n", res(rename(at("sticky/of2"), at("sticky/moved"))));
	snprintf(rel, sizeof(rel), "sticky/mine%u", me);
	say_open("create in sticky", at(rel), O_WRONLY | O_CREAT | O_EXCL, 0666);
	say_stat("stat own file in sticky", at(rel));
	/* a setgid directory: new files take its group, new directories its bit */
	snprintf(rel, sizeof(rel), "sgid/f%u", me);
	say_open("create in sgid", at(rel), O_WRONLY | O_CREAT | O_EXCL, 0666);
	say_stat("stat new file in sgid", at(rel));
	snprintf(rel, sizeof(rel), "sgid/d%u", me);
	printf("mkdir in sgid: %s\n", res(mkdir(at(rel), 0777)));
	say_stat("stat new dir in sgid", at(rel));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3)
		snprintf(dir, sizeof(dir), "%s", argv[2]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 6 && !strcmp(argv[1], "setup"))
		return setup(atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	if (argc == 3 && !strcmp(argv[1], "run"))
		return run();
	fprintf(stderr, "usage: idcompare setup DIR UID1 UID2 GID1 | run DIR\n");
	return 2;
}
