// SPDX-License-Identifier: GPL-2.0-only
/*
 * One-time set-up of libhostcall: read the environment and register the fork
 * handlers, at load time or on the first call that needs it, whichever comes
 * first. Nothing here connects: a process that never uses the host pays
 * only this.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hc_internal.h"

int hc_inited;
int hc_debug_on;
unsigned int hc_umask = 022;

static pthread_once_t hc_once = PTHREAD_ONCE_INIT;

void hc_debug(const char *fmt, ...)
{
	va_list ap;

	if (!hc_debug_on)
		return;
	va_start(ap, fmt);
	hc_vlog(fmt, ap);
	va_end(ap);
}

static void hc_init_once(void)
{
	const char *d = getenv("HOSTCALL_DEBUG");
	unsigned int m;

	hc_debug_on = d && *d && strcmp(d, "0") != 0;
	/* Load time is single-threaded: the umask() pair is safe here. */
	m = syscall(SYS_umask, 0);
	syscall(SYS_umask, m);
	__atomic_store_n(&hc_umask, m & 0777, __ATOMIC_RELAXED);
	hc_client_init();
	__atomic_store_n(&hc_inited, 1, __ATOMIC_RELEASE);
}

void hc_init_slow(void)
{
	pthread_once(&hc_once, hc_init_once);
}

__attribute__((constructor)) static void hc_load(void)
{
	hc_ensure_init();
}
