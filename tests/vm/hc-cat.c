// SPDX-License-Identifier: GPL-2.0-only
/*
 * hc-cat: cat(1) in a few lines, linked dynamically against musl (make
 * musl), so that the VM tests can preload build/musl/libhostcall.so into a
 * musl-linked program. Only open, read, write and close: what it prints
 * came through the open the library routed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int copy(int fd, const char *name)
{
	char buf[65536];
	ssize_t n, w, off;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "hc-cat: %s: %s\n", name, strerror(errno));
			return 1;
		}
		for (off = 0; off < n; off += w) {
			w = write(STDOUT_FILENO, buf + off, n - off);
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w < 0) {
				fprintf(stderr, "hc-cat: write: %s\n", strerror(errno));
				return 1;
			}
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	int i, fd, rc = 0;

	if (argc < 2)
		return copy(STDIN_FILENO, "-");
	for (i = 1; i < argc; i++) {
		fd = open(argv[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "hc-cat: %s: %s\n", argv[i], strerror(errno));
			rc = 1;
			continue;
		}
		rc |= copy(fd, argv[i]);
		close(fd);
	}
	return rc;
}
