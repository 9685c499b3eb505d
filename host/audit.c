// SPDX-License-Identifier: GPL-2.0-only
/*
 * The audit trail (--audit FILE or --audit syslog): one line for each
 * subject made (its guest uid and the host user it acts as) and for each op
 * that changes the host or runs something there (opens, creations,
 * removals, renames, modes, owners, extended attributes, host programs and
 * signals), with its paths and result, so that a host administrator can see
 * who in which VM did what. Shadows write their own lines, one write(2)
 * each, so lines of many shadows do not mix: a file is opened O_APPEND by
 * hostcalld before any shadow exists and inherited by every shadow (never
 * by host programs: O_CLOEXEC); syslog is a datagram socket connected to
 * /dev/log, likewise inherited.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hostd.h"

#define AUDIT_LOG_PATH	"/dev/log"
/* LOG_AUTHPRIV | LOG_INFO: who did what is for the administrator only */
#define AUDIT_PRI	"86"

int hostd_audit_open(struct hostd_config *cfg, const char *target)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = AUDIT_LOG_PATH };
	int fd;

	if (strcmp(target, "syslog")) {
		fd = open(target, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0) {
			fprintf(stderr, HOSTD_NAME ": --audit %s: %s\n", target, strerror(errno));
			return -errno;
		}
		cfg->audit_fd = fd;
		return 0;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, HOSTD_NAME ": --audit syslog: %s: %s (is a syslog daemon "
			"running? or give --audit FILE)\n", AUDIT_LOG_PATH, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	cfg->audit_fd = fd;
	cfg->audit_syslog = 1;
	return 0;
}

void hostd_audit(const struct hostd_config *cfg, unsigned int subject,
		 const char *fmt, ...)
{
	char line[1024], guest[16];
	va_list ap;
	int n, m;

	if (cfg->audit_fd < 0)
		return;
	if (cfg->guest_uid == (hc_u32)-1)
		snprintf(guest, sizeof(guest), "?");
	else
		snprintf(guest, sizeof(guest), "%u", cfg->guest_uid);
	n = snprintf(line, sizeof(line), "%.*s" HOSTD_NAME "[%d]: audit: subject %u guest uid "
		     "%s as %s (uid %u): ", cfg->audit_syslog ? 4 : 0, "<" AUDIT_PRI ">",
		     (int)getpid(), subject, guest, cfg->pw_name, (unsigned int)cfg->uid);
	if (n < 0 || n >= (int)sizeof(line) - 2)
		return;
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m < (int)sizeof(line) - n - 1 ? m : (int)sizeof(line) - n - 2;
	if (!cfg->audit_syslog)
		line[n++] = '\n';
	/* one write: lines of several shadows do not mix */
	if (write(cfg->audit_fd, line, n) < 0) {
		/* nothing to do about it here: the op itself went on */
	}
}
