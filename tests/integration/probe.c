// SPDX-License-Identifier: GPL-2.0-only
/*
 * probe: makes one system call the integration tests need to see directly
 * (coreutils hide some errnos: mv falls back to copying on EXDEV) and prints
 * its result as "ok" or the errno's strerror. Run under the shim.
 *
 *   probe rename OLD NEW
 *   probe link OLD NEW
 *   probe openat DIR REL      open DIR, then openat(dirfd, REL); print the file
 *   probe forkat DIR REL      open DIR, fork; the child does the openat
 *   probe fdops FILE          open FILE read-only, then fchmod 0600, futimens
 *                             to 1234567890.5, fsetxattr user.fd=v on the fd
 *   probe fifowrite FIFO TEXT  open FIFO O_WRONLY|O_NONBLOCK, which fails
 *                             (ENXIO) unless a reader has it open or is
 *                             blocked opening it; then write TEXT and a newline
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

static int report(int rc)
{
	if (rc < 0) {
		printf("%s\n", strerror(errno));
		return 1;
	}
	printf("ok\n");
	return 0;
}

static int cat_fd(int fd)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return 1;
	if (n < 0) {
		printf("read: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int dfd, fd;

	if (argc == 4 && !strcmp(argv[1], "rename"))
		return report(rename(argv[2], argv[3]));
	if (argc == 4 && !strcmp(argv[1], "link"))
		return report(link(argv[2], argv[3]));
	if (argc == 4 && (!strcmp(argv[1], "openat") || !strcmp(argv[1], "forkat"))) {
		dfd = open(argv[2], O_RDONLY | O_DIRECTORY);
		if (dfd < 0) {
			printf("open %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		if (argv[1][0] == 'f') {
			int st;
			pid_t pid;

			fflush(stdout);
			pid = fork();
			if (pid < 0) {
				printf("fork: %s\n", strerror(errno));
				return 1;
			}
			if (pid > 0) {
				if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
					return 1;
				return WEXITSTATUS(st);
			}
		}
		fd = openat(dfd, argv[3], O_RDONLY);
		if (fd < 0) {
			printf("%s\n", strerror(errno));
			return 1;
		}
		return cat_fd(fd);
	}
	if (argc == 3 && !strcmp(argv[1], "fdops")) {
		const struct timespec ts[2] = { { 1234567890, 500000000 },
						{ 1234567890, 500000000 } };

		fd = open(argv[2], O_RDONLY);
		if (fd < 0) {
			printf("open: %s\n", strerror(errno));
			return 1;
		}
		printf("fchmod: ");
		report(fchmod(fd, 0600));
		printf("futimens: ");
		report(futimens(fd, ts));
		printf("fsetxattr: ");
		return report(fsetxattr(fd, "user.fd", "v", 1, 0));
	}
	if (argc == 4 && !strcmp(argv[1], "fifowrite")) {
		fd = open(argv[2], O_WRONLY | O_NONBLOCK);
		if (fd < 0) {
			printf("open: %s\n", strerror(errno));
			return 1;
		}
		if (dprintf(fd, "%s\n", argv[3]) != (int)strlen(argv[3]) + 1) {
			printf("write: %s\n", strerror(errno));
			return 1;
		}
		printf("ok\n");
		return close(fd) ? 1 : 0;
	}
	fprintf(stderr, "usage: probe rename|link OLD NEW | probe openat|forkat DIR REL | "
		"probe fdops FILE | probe fifowrite FIFO TEXT\n");
	return 2;
}
