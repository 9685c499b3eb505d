// SPDX-License-Identifier: GPL-2.0-only
/* The routing prefix: which guest paths are host paths (see shim_route()). */
#include "shim.h"

#define SHIM_PREFIX_DEFAULT	"/host"

char shim_prefix[HC_PATH_MAX] = SHIM_PREFIX_DEFAULT;
size_t shim_prefix_len = sizeof(SHIM_PREFIX_DEFAULT) - 1;


/* HOSTCALL_PREFIX: an absolute path other than "/"; trailing slashes go. */
static void shim_prefix_init(void)
{
	const char *p = getenv("HOSTCALL_PREFIX");
	size_t n;

	if (!p || !*p)
		return;
	n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		n--;
	if (p[0] != '/' || n < 2 || n >= sizeof(shim_prefix)) {
		hc_debug("hostcall: HOSTCALL_PREFIX=%s is not an absolute path below /: using %s",
			 p, SHIM_PREFIX_DEFAULT);
		return;
	}
	memcpy(shim_prefix, p, n);
	shim_prefix[n] = '\0';
	shim_prefix_len = n;
}

void shim_init(void)
{
	shim_prefix_init();
	shim_cwd_init();
}
