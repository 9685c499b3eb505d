// SPDX-License-Identifier: GPL-2.0-only
/* hostcalld's log: one write(2) per line, so relay and shadows don't interleave. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hostd.h"

void hostd_log(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}
