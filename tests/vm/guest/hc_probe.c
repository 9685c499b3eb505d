// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tells the in-guest tests whether /dev/hostcall offers the ioctls a test
 * needs, so that a test is skipped (with the reason printed) only when one
 * is really absent, never because something else went wrong.
 *
 * usage: hc_probe FEATURE...
 *   open   HOSTCALL_IOC_OPEN: a host path opened as a real guest fd, which
 *          libhostcall needs inside a VM
 *   spawn  HOSTCALL_IOC_SPAWN: a host program with its pipes or pty as
 *          guest fds, which dosh's host commands need inside a VM
 * An ioctl is present if proto/hostcall_dev.h (as this program was
 * built with) defines it and the module does not answer it with ENOTTY.
 * Prints one line per FEATURE. Exit status: 0 all present, 1 one or more
 * absent, 2 the probe failed (no /dev/hostcall, an unknown FEATURE).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hostcall_dev.h"

struct probe {
	const char *feature;
	const char *name;
	unsigned long cmd;	/* 0: the header does not define it */
};

static const struct probe probes[] = {
#ifdef HOSTCALL_IOC_OPEN
	{ "open", "HOSTCALL_IOC_OPEN", HOSTCALL_IOC_OPEN },
#else
	{ "open", "HOSTCALL_IOC_OPEN", 0 },
#endif
#ifdef HOSTCALL_IOC_SPAWN
	{ "spawn", "HOSTCALL_IOC_SPAWN", HOSTCALL_IOC_SPAWN },
#else
	{ "spawn", "HOSTCALL_IOC_SPAWN", 0 },
#endif
};

/* Returns 0 present, 1 absent, 2 failed; says which on stdout. */
static int probe_one(int fd, const struct probe *p)
{
	int err;

	if (!p->cmd) {
		printf("%s: proto/hostcall_dev.h defines no %s yet\n", p->feature, p->name);
		return 1;
	}
	/* A module that has the ioctl refuses a NULL argument (EFAULT). */
	err = ioctl(fd, p->cmd, NULL) < 0 ? errno : 0;
	if (err == ENOTTY) {
		printf("%s: hostcall.ko has no %s yet (ENOTTY)\n", p->feature, p->name);
		return 1;
	}
	printf("%s: hostcall.ko has %s (a NULL argument gives %s)\n", p->feature, p->name,
	       err ? strerror(err) : "success");
	return 0;
}

int main(int argc, char **argv)
{
	int fd, i, rc = 0, r;
	size_t k;

	if (argc < 2) {
		fprintf(stderr, "usage: hc_probe open|spawn...\n");
		return 2;
	}
	fd = open("/dev/hostcall", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("cannot open /dev/hostcall: %s\n", strerror(errno));
		return 2;
	}
	for (i = 1; i < argc; i++) {
		for (k = 0; k < sizeof(probes) / sizeof(probes[0]); k++)
			if (!strcmp(argv[i], probes[k].feature))
				break;
		if (k == sizeof(probes) / sizeof(probes[0])) {
			printf("%s: unknown feature (open, spawn)\n", argv[i]);
			r = 2;
		} else {
			r = probe_one(fd, &probes[k]);
		}
		if (r > rc)
			rc = r;
	}
	close(fd);
	return rc;
}
