// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interposers for directory streams: opendir and closedir, and the glibc
 * functions that open directories internally, where no interposer sees it:
 * glob (made to use our opendir and stat through GLOB_ALTDIRFUNC) and the
 * scandir family (read through our opendir here). ftw and nftw are not
 * covered: on host paths they fail as on a missing directory.
 */
#include "shim.h"

#include <glob.h>
#include <stddef.h>

/* A stream over host directory (at.dirfd, at.path); errno set on failure. */
static DIR *shim_opendir_host(const struct shim_at *at)
{
	DIR *d;
	int fd, err;

	fd = shim_ret(hc_openat(at->dirfd, at->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0));
	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		err = errno;
		shim_close_fd(fd);
		errno = err;
	}
	return d;
}

static DIR *shim_opendir(const char *path)
{
	struct shim_at at;

	if (!shim_route(AT_FDCWD, path, &at))
		return SHIM_REAL(opendir)(path);
	return shim_opendir_host(&at);
}

HC_EXPORT DIR *opendir(const char *path)
{
	return shim_opendir(path);
}

static int shim_closedir(DIR *dir)
{
	SHIM_OPAQUE(dir);
	if (dir)
		shim_closing(dirfd(dir));
	return SHIM_REAL(closedir)(dir);
}

HC_EXPORT int closedir(DIR *dir)
{
	return shim_closedir(dir);
}

/* ---- glob ---- */

/* musl's glob has no GLOB_ALTDIRFUNC: there host patterns match nothing. */
#ifdef GLOB_ALTDIRFUNC

static void *shim_glob_opendir(const char *path)
{
	return shim_opendir(path);
}

static void *shim_glob_readdir(void *dir)
{
	return readdir(dir);
}

static void shim_glob_closedir(void *dir)
{
	shim_closedir(dir);
}

static int shim_glob_stat(const char *path, void *st)
{
	return shim_stat_at(AT_FDCWD, path, st, 0);
}

static int shim_glob_lstat(const char *path, void *st)
{
	return shim_stat_at(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

/*
 * A pattern that may reach the host (under the prefix, or relative in a
 * host cwd) is matched with the directory functions above; glob64_t is the
 * same structure on LP64.
 */
static int shim_glob(const char *pattern, int flags, int (*errfunc)(const char *, int),
		     glob_t *g, int real)
{
	struct shim_at at;

	if (!(flags & GLOB_ALTDIRFUNC) && shim_route(AT_FDCWD, pattern, &at)) {
		g->gl_opendir = shim_glob_opendir;
		g->gl_readdir = (struct dirent *(*)(void *))shim_glob_readdir;
		g->gl_closedir = shim_glob_closedir;
		g->gl_stat = (int (*)(const char *, struct stat *))shim_glob_stat;
		g->gl_lstat = (int (*)(const char *, struct stat *))shim_glob_lstat;
		flags |= GLOB_ALTDIRFUNC;
	}
	return ((int (*)(const char *, int, int (*)(const char *, int), glob_t *))
		shim_real_get(real))(pattern, flags, errfunc, g);
}

#ifdef __GLIBC__
_Static_assert(sizeof(glob_t) == sizeof(glob64_t), "glob64_t differs");
#endif

HC_EXPORT int glob(const char *pattern, int flags, int (*errfunc)(const char *, int),
		   glob_t *g)
{
	return shim_glob(pattern, flags, errfunc, g, SHIM_R_glob);
}

#ifdef __GLIBC__
HC_EXPORT int glob64(const char *pattern, int flags, int (*errfunc)(const char *, int),
		     glob64_t *g)
{
	return shim_glob(pattern, flags, errfunc, (glob_t *)g, SHIM_R_glob64);
}
#endif
#endif

/* ---- scandir ---- */

typedef int (*shim_filter_fn)(const struct dirent *);
typedef int (*shim_compar_fn)(const struct dirent **, const struct dirent **);

/* scandir over an open stream, which it closes: as glibc's. */
static int shim_scan(DIR *d, struct dirent ***list, shim_filter_fn filter,
		     shim_compar_fn compar)
{
	struct dirent **v = NULL, **nv, *e;
	size_t n = 0, cap = 0, sz, i;
	int err = 0;

	for (;;) {
		errno = 0;
		e = readdir(d);
		if (!e) {
			err = errno;
			break;
		}
		if (filter && !filter(e))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				err = ENOMEM;
				break;
			}
			v = nv;
		}
		sz = offsetof(struct dirent, d_name) + strlen(e->d_name) + 1;
		v[n] = malloc(sz);
		if (!v[n]) {
			err = ENOMEM;
			break;
		}
		memcpy(v[n++], e, sz);
	}
	shim_closedir(d);
	if (err || n > (size_t)__INT_MAX__) {
		for (i = 0; i < n; i++)
			free(v[i]);
		free(v);
		errno = err ? err : EOVERFLOW;
		return -1;
	}
	if (compar)
		qsort(v, n, sizeof(*v), (int (*)(const void *, const void *))compar);
	*list = v;
	return n;
}

typedef int (*shim_scandirat_fn)(int, const char *, struct dirent ***,
				 shim_filter_fn, shim_compar_fn);
typedef int (*shim_scandir_fn)(const char *, struct dirent ***,
			       shim_filter_fn, shim_compar_fn);

static int shim_scandir(int dirfd, const char *path, struct dirent ***list,
			shim_filter_fn filter, shim_compar_fn compar, int real, int at)
{
	struct shim_at h;
	DIR *d;

	if (!shim_route(dirfd, path, &h))
		return at ? ((shim_scandirat_fn)shim_real_get(real))(dirfd, path, list, filter, compar)
			  : ((shim_scandir_fn)shim_real_get(real))(path, list, filter, compar);
	d = shim_opendir_host(&h);
	return d ? shim_scan(d, list, filter, compar) : -1;
}

#ifdef __GLIBC__
_Static_assert(sizeof(struct dirent) == sizeof(struct dirent64), "struct dirent64 differs");
#endif

HC_EXPORT int scandir(const char *path, struct dirent ***list, shim_filter_fn filter,
		      shim_compar_fn compar)
{
	return shim_scandir(AT_FDCWD, path, list, filter, compar, SHIM_R_scandir, 0);
}

#ifdef __GLIBC__
HC_EXPORT int scandir64(const char *path, struct dirent64 ***list,
			int (*filter)(const struct dirent64 *),
			int (*compar)(const struct dirent64 **, const struct dirent64 **))
{
	return shim_scandir(AT_FDCWD, path, (struct dirent ***)list, (shim_filter_fn)filter,
			    (shim_compar_fn)compar, SHIM_R_scandir64, 0);
}
#endif

HC_EXPORT int scandirat(int dirfd, const char *path, struct dirent ***list,
			shim_filter_fn filter, shim_compar_fn compar)
{
	return shim_scandir(dirfd, path, list, filter, compar, SHIM_R_scandirat, 1);
}

#ifdef __GLIBC__
HC_EXPORT int scandirat64(int dirfd, const char *path, struct dirent64 ***list,
			  int (*filter)(const struct dirent64 *),
			  int (*compar)(const struct dirent64 **, const struct dirent64 **))
{
	return shim_scandir(dirfd, path, (struct dirent ***)list, (shim_filter_fn)filter,
			    (shim_compar_fn)compar, SHIM_R_scandirat64, 1);
}
#endif
