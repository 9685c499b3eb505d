// SPDX-License-Identifier: GPL-2.0-only
/* The real libc functions behind the interposers, found once each with dlsym(RTLD_NEXT). */
#include "shim.h"

#include <dlfcn.h>

void *shim_real_tab[SHIM_R_COUNT];

static const char *const shim_real_names[SHIM_R_COUNT] = {
#define SHIM_REAL_NAME(f) [SHIM_R_##f] = #f,
	SHIM_REAL_LIST(SHIM_REAL_NAME)
#undef SHIM_REAL_NAME
};

void *shim_real_resolve(int id)
{
	void *p = dlsym(RTLD_NEXT, shim_real_names[id]);
	char msg[128];
	int n;

	if (!p) {
		/* Every name in the list exists in glibc >= 2.34; musl has fewer. */
#ifdef __GLIBC__
		n = snprintf(msg, sizeof(msg), "libhostcall: libc has no %s: glibc 2.34 or later is needed\n",
			     shim_real_names[id]);
#else
		n = snprintf(msg, sizeof(msg), "libhostcall: libc has no %s\n", shim_real_names[id]);
#endif
		if (n > 0 && write(STDERR_FILENO, msg, n) < 0)
			abort();
		abort();
	}
	__atomic_store_n(&shim_real_tab[id], p, __ATOMIC_RELEASE);
	return p;
}
