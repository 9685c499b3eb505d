// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interposers for the mkstemp family and mkdtemp: glibc creates the file
 * with an internal open that no interposer sees, so a template on the host
 * (sed -i and perl -i make their temporary files beside the file they edit)
 * is filled in and created here, through the shadow.
 */
#include "shim.h"

#include <sys/random.h>
#include <time.h>

/* Names tried before giving up with EEXIST; 62^6 names make clashes rare. */
#define SHIM_TMP_TRIES	100

/* Six random characters of [A-Za-z0-9] at @x. */
static void shim_tmp_fill(char *x)
{
	static const char set[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	static unsigned long counter;
	unsigned char rnd[6];
	struct timespec ts;
	unsigned long v;
	int i;

	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd)) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		v = (ts.tv_nsec ^ ((unsigned long)ts.tv_sec << 20) ^ getpid()) +
		    __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED) * 0x9e3779b97f4a7c15ul;
		for (i = 0; i < 6; i++)
			rnd[i] = v >> (8 * i);
	}
	for (i = 0; i < 6; i++)
		x[i] = set[rnd[i] % (sizeof(set) - 1)];
}

/*
 * Create a file (or, with @dir, a directory) on the host from @tmpl, whose
 * host path at->path points into @tmpl itself. Returns the fd (0 for a
 * directory) or -errno.
 */
static int shim_tmp_host(char *tmpl, const struct shim_at *at, int suffixlen,
			 int flags, int dir)
{
	size_t len = strlen(tmpl);
	char *x;
	int i, r = -EEXIST;

	if (suffixlen < 0 || len < 6 + (size_t)suffixlen)
		return -EINVAL;
	x = tmpl + len - 6 - suffixlen;
	if (memcmp(x, "XXXXXX", 6) != 0)
		return -EINVAL;
	for (i = 0; i < SHIM_TMP_TRIES && r == -EEXIST; i++) {
		shim_tmp_fill(x);
		r = dir ? hc_mkdirat(at->dirfd, at->path, 0700)
			: hc_openat(at->dirfd, at->path,
				    O_RDWR | O_CREAT | O_EXCL | (flags & ~O_ACCMODE), 0600);
	}
	if (r < 0)
		memcpy(x, "XXXXXX", 6);
	return r;
}

typedef int (*shim_mkstemp_fn)(char *, int, int);

/* Every mkstemp variant as mkostemps(@tmpl, @suffixlen, @flags). */
static int shim_mkostemps(char *tmpl, int suffixlen, int flags, int real, int kind)
{
	struct shim_at at;

	if (shim_route(AT_FDCWD, tmpl, &at))
		return shim_ret(shim_tmp_host(tmpl, &at, suffixlen, flags, 0));
	switch (kind) {
	case 0:
		return ((int (*)(char *))shim_real_get(real))(tmpl);
	case 1:
		return ((int (*)(char *, int))shim_real_get(real))(tmpl, flags);
	case 2:
		return ((int (*)(char *, int))shim_real_get(real))(tmpl, suffixlen);
	default:
		return ((shim_mkstemp_fn)shim_real_get(real))(tmpl, suffixlen, flags);
	}
}

HC_EXPORT int mkstemp(char *tmpl)
{
	return shim_mkostemps(tmpl, 0, 0, SHIM_R_mkstemp, 0);
}

#ifdef __GLIBC__
HC_EXPORT int mkstemp64(char *tmpl)
{
	return shim_mkostemps(tmpl, 0, 0, SHIM_R_mkstemp64, 0);
}
#endif

HC_EXPORT int mkostemp(char *tmpl, int flags)
{
	return shim_mkostemps(tmpl, 0, flags, SHIM_R_mkostemp, 1);
}

#ifdef __GLIBC__
HC_EXPORT int mkostemp64(char *tmpl, int flags)
{
	return shim_mkostemps(tmpl, 0, flags, SHIM_R_mkostemp64, 1);
}
#endif

HC_EXPORT int mkstemps(char *tmpl, int suffixlen)
{
	return shim_mkostemps(tmpl, suffixlen, 0, SHIM_R_mkstemps, 2);
}

#ifdef __GLIBC__
HC_EXPORT int mkstemps64(char *tmpl, int suffixlen)
{
	return shim_mkostemps(tmpl, suffixlen, 0, SHIM_R_mkstemps64, 2);
}
#endif

HC_EXPORT int mkostemps(char *tmpl, int suffixlen, int flags)
{
	return shim_mkostemps(tmpl, suffixlen, flags, SHIM_R_mkostemps, 3);
}

#ifdef __GLIBC__
HC_EXPORT int mkostemps64(char *tmpl, int suffixlen, int flags)
{
	return shim_mkostemps(tmpl, suffixlen, flags, SHIM_R_mkostemps64, 3);
}
#endif

HC_EXPORT char *mkdtemp(char *tmpl)
{
	struct shim_at at;

	if (!shim_route(AT_FDCWD, tmpl, &at))
		return SHIM_REAL(mkdtemp)(tmpl);
	return shim_ret(shim_tmp_host(tmpl, &at, 0, 0, 1)) < 0 ? NULL : tmpl;
}
