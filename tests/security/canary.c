// SPDX-License-Identifier: GPL-2.0-only
/*
 * The setuid canary of the escape suite: a static program that reports the
 * identity and capabilities it runs with, and leaves /setuid-marker in its
 * root when it got root or any capability (it is installed setuid root).
 */
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	unsigned long long caps = 0;
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	int fd;

	memset(d, 0, sizeof(d));
	getresuid(&ruid, &euid, &suid);
	getresgid(&rgid, &egid, &sgid);
	if (syscall(SYS_capget, &h, d) == 0)
		caps = (unsigned long long)d[1].effective << 32 | d[0].effective;
	printf("uid=%u euid=%u gid=%u egid=%u caps=%llx\n", (unsigned int)ruid,
	       (unsigned int)euid, (unsigned int)rgid, (unsigned int)egid, caps);
	fflush(stdout);
	if (euid == 0 || caps) {
		fd = open("/setuid-marker", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dprintf(fd, "euid=%u caps=%llx\n", (unsigned int)euid, caps);
			close(fd);
		}
	}
	return 0;
}
