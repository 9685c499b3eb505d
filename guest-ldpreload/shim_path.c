// SPDX-License-Identifier: GPL-2.0-only
/* The routing prefix: which guest paths are host paths (see shim_route()). */
#include "shim.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>

#include "hostcall_dev.h"

#define SHIM_PREFIX_DEFAULT	"/host"

char shim_prefix[HC_PATH_MAX] = SHIM_PREFIX_DEFAULT;
size_t shim_prefix_len = sizeof(SHIM_PREFIX_DEFAULT) - 1;

/*
 * The last answer of shim_prefix_hostfs(): 0 before the first, else
 * (second of the monotonic clock + 1) << 1 | answer.
 */
static unsigned long shim_hostfs_word;

/*
 * A hostfs mount on the prefix serves its paths in the kernel, as real
 * hostfs files: routing them through a subject of our own would only add
 * a second path to the same host files. The answer is statfs(2) of the
 * prefix (the system call, not an interposer), taken at the first path
 * under the prefix and taken again at the first such path in a later
 * second of the monotonic clock, so that a mount or unmount is noticed
 * within a second; in between, a path costs a vDSO clock read.
 */
int shim_prefix_hostfs(void)
{
	unsigned long w = __atomic_load_n(&shim_hostfs_word, __ATOMIC_RELAXED);
	unsigned long now = 1;
	struct timespec ts;
	struct statfs sf;
	int aside;

	if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) == 0)
		now = (unsigned long)ts.tv_sec + 1;
	if (hc_likely(w >> 1 == now))
		return w & 1;
	aside = syscall(SYS_statfs, shim_prefix, &sf) == 0 &&
		(unsigned long)sf.f_type == HOSTCALL_FS_MAGIC;
	__atomic_store_n(&shim_hostfs_word, now << 1 | aside, __ATOMIC_RELAXED);
	if (aside != (int)(w & 1))
		hc_debug(aside ? "hostcall: %s is a hostfs mount: its paths go to the kernel, not through libhostcall"
			       : "hostcall: %s is no longer a hostfs mount: libhostcall routes its paths again",
			 shim_prefix);
	return aside;
}

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

int shim_inited;
static pthread_once_t shim_once = PTHREAD_ONCE_INIT;

static void shim_init_once(void)
{
	hc_ensure_init();
	shim_prefix_init();
	shim_cwd_init();
	__atomic_store_n(&shim_inited, 1, __ATOMIC_RELEASE);
}

void shim_init_slow(void)
{
	pthread_once(&shim_once, shim_init_once);
}

__attribute__((constructor)) static void shim_load(void)
{
	shim_ensure_init();
}
