// SPDX-License-Identifier: GPL-2.0-only
/*
 * The working directory: chdir into the prefix puts the process "in a host
 * cwd", where the shadow's working directory is the authority, relative
 * paths in every interposed call go to the shadow, and getcwd() reports the
 * prefix plus the host cwd. Also realpath and its kin.
 *
 * The state survives exec through HOSTCALL_CWD=<guest path>, kept in the
 * environment while in a host cwd (shim_exec.c puts it into explicit envp
 * arrays too); at start-up it is read here, and the client core sends CHDIR
 * for it when a subject starts (the cwd hooks). If that fails (the
 * directory is gone, or not searchable), the process's cwd becomes the
 * native one again, with a line under HOSTCALL_DEBUG=1. Calls that are not interposed (bind, inotify,
 * glibc-internal opens) resolve relative paths against the native cwd,
 * which a host cwd leaves as it was.
 */
#include "shim.h"

#include <pthread.h>

int shim_cwd_host;
static pthread_mutex_t shim_cwd_lock = PTHREAD_MUTEX_INITIALIZER;
/* The guest path of the host cwd: the prefix, then the host path. */
static char shim_cwd_guest[2 * HC_PATH_MAX + 2];

/* Guest path of host path @host into @buf; its length, or -ENAMETOOLONG. */
static int shim_guest_path(const char *host, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "%s%s", shim_prefix, strcmp(host, "/") ? host : "");

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : n;
}

static void shim_cwd_set(const char *guest)
{
	pthread_mutex_lock(&shim_cwd_lock);
	if (guest)
		snprintf(shim_cwd_guest, sizeof(shim_cwd_guest), "%s", guest);
	__atomic_store_n(&shim_cwd_host, guest != NULL, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&shim_cwd_lock);
	if (guest)
		setenv(SHIM_CWD_ENV, guest, 1);
	else
		unsetenv(SHIM_CWD_ENV);
}

/* The host cwd a new subject must start in (a cwd hook). */
static int shim_cwd_for_subject(char *buf, size_t cap)
{
	int host;

	pthread_mutex_lock(&shim_cwd_lock);
	host = shim_cwd_host;
	if (host)
		snprintf(buf, cap, "%s", shim_host_path(shim_cwd_guest));
	pthread_mutex_unlock(&shim_cwd_lock);
	return host;
}

/* A new subject could not enter it (a cwd hook). */
static void shim_cwd_restore_failed(const char *path, int err)
{
	hc_debug("hostcall: cannot return to the host directory %s (%s): the working directory is the native one again",
		 path, strerror(-err));
	shim_cwd_set(NULL);
}

void shim_cwd_env(char *buf, size_t cap)
{
	pthread_mutex_lock(&shim_cwd_lock);
	if (shim_cwd_host)
		snprintf(buf, cap, "%s=%s", SHIM_CWD_ENV, shim_cwd_guest);
	else if (cap)
		buf[0] = '\0';
	pthread_mutex_unlock(&shim_cwd_lock);
}

/* Take the guest cwd from the shadow's; errno set on failure. */
static int shim_cwd_follow(void)
{
	char host[HC_PATH_MAX + 1], guest[sizeof(shim_cwd_guest)];
	int r;

	r = hc_getcwd(host, sizeof(host));
	if (r >= 0)
		r = shim_guest_path(host, guest, sizeof(guest));
	if (r < 0)
		return shim_ret(r);
	shim_cwd_set(guest);
	return 0;
}

/* The shadow changed directory (@r from hc_chdir_at()): follow it. */
static int shim_cwd_enter(int r)
{
	return r < 0 ? shim_ret(r) : shim_cwd_follow();
}

/* The API moved the subject (hc_chdir, as dosh's !cd does; a cwd hook). */
static void shim_cwd_moved(void)
{
	if (__atomic_load_n(&shim_cwd_host, __ATOMIC_ACQUIRE))
		shim_cwd_follow();
}

static const struct hc_cwd_hooks shim_cwd_hooks = {
	.for_subject	= shim_cwd_for_subject,
	.restore_failed	= shim_cwd_restore_failed,
	.moved		= shim_cwd_moved,
};

void shim_cwd_init(void)
{
	const char *g = getenv(SHIM_CWD_ENV);

	hc_client_set_cwd_hooks(&shim_cwd_hooks);
	if (!g || !*g)
		return;
	if (g[0] != '/' || !shim_host_path(g) || strlen(g) >= sizeof(shim_cwd_guest)) {
		hc_debug("hostcall: ignoring %s=%s: not a path under %s",
			 SHIM_CWD_ENV, g, shim_prefix);
		return;
	}
	snprintf(shim_cwd_guest, sizeof(shim_cwd_guest), "%s", g);
	__atomic_store_n(&shim_cwd_host, 1, __ATOMIC_RELEASE);
}

HC_EXPORT int chdir(const char *path)
{
	struct shim_at at;
	int r;

	if (shim_route(AT_FDCWD, path, &at))
		return shim_cwd_enter(hc_chdir_at(AT_FDCWD, at.path, 0));
	r = SHIM_REAL(chdir)(path);
	if (r == 0 && __atomic_load_n(&shim_cwd_host, __ATOMIC_ACQUIRE))
		shim_cwd_set(NULL);
	return r;
}

HC_EXPORT int fchdir(int fd)
{
	int r;

	if (shim_host_fd(fd))
		return shim_cwd_enter(hc_chdir_at(fd, "", AT_EMPTY_PATH));
	r = SHIM_REAL(fchdir)(fd);
	if (r == 0 && __atomic_load_n(&shim_cwd_host, __ATOMIC_ACQUIRE))
		shim_cwd_set(NULL);
	return r;
}

/* getcwd() in a host cwd: as glibc's, including getcwd(NULL, 0). */
static char *shim_cwd_copy(char *buf, size_t size)
{
	char *r = NULL;
	size_t n;

	pthread_mutex_lock(&shim_cwd_lock);
	n = strlen(shim_cwd_guest) + 1;
	if (buf && size == 0)
		errno = EINVAL;
	else if (size && size < n)
		errno = ERANGE;
	else if (!buf && !(buf = malloc(size ? size : n)))
		errno = ENOMEM;
	else
		r = memcpy(buf, shim_cwd_guest, n);
	pthread_mutex_unlock(&shim_cwd_lock);
	return r;
}

static char *shim_getcwd(char *buf, size_t size)
{
	if (!__atomic_load_n(&shim_cwd_host, __ATOMIC_ACQUIRE))
		return SHIM_REAL(getcwd)(buf, size);
	return shim_cwd_copy(buf, size);
}

HC_EXPORT char *getcwd(char *buf, size_t size)
{
	return shim_getcwd(buf, size);
}

#ifdef __GLIBC__
HC_EXPORT char *__getcwd_chk(char *buf, size_t size, size_t buflen)
{
	if (size > buflen)
		__chk_fail();
	return shim_getcwd(buf, size);
}
#endif

HC_EXPORT char *get_current_dir_name(void)
{
	if (!__atomic_load_n(&shim_cwd_host, __ATOMIC_ACQUIRE))
		return SHIM_REAL(get_current_dir_name)();
	return shim_cwd_copy(NULL, 0);
}

/* realpath() of a host path: the prefix plus the host's canonical path. */
static char *shim_realpath_host(const struct shim_at *at, char *resolved)
{
	char host[HC_PATH_MAX + 1], guest[PATH_MAX];
	int r, n;

	r = hc_realpath(at->path, host, sizeof(host));
	n = r < 0 ? r : shim_guest_path(host, guest, sizeof(guest));
	if (n < 0) {
		errno = n == -ERANGE ? ENAMETOOLONG : -n;
		return NULL;
	}
	if (!resolved)
		return strdup(guest);
	return memcpy(resolved, guest, n + 1);
}

static char *shim_realpath(const char *path, char *resolved)
{
	struct shim_at at;

	if (!shim_route(AT_FDCWD, path, &at))
		return SHIM_REAL(realpath)(path, resolved);
	return shim_realpath_host(&at, resolved);
}

HC_EXPORT char *realpath(const char *path, char *resolved)
{
	return shim_realpath(path, resolved);
}

#ifdef __GLIBC__
HC_EXPORT char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen)
{
	if (resolvedlen < PATH_MAX)
		__chk_fail();
	return shim_realpath(path, resolved);
}
#endif

HC_EXPORT char *canonicalize_file_name(const char *path)
{
	struct shim_at at;

	if (!shim_route(AT_FDCWD, path, &at))
		return SHIM_REAL(canonicalize_file_name)(path);
	return shim_realpath_host(&at, NULL);
}
