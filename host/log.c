// SPDX-License-Identifier: GPL-2.0-only
/* hostcalld's log: one write(2) per line, so relay and shadows don't interleave. */
#include <stdarg.h>

#include "hc_sock.h"
#include "hostd.h"

void hostd_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hc_vlog(fmt, ap);
	va_end(ap);
}
