// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interposers for exec and posix_spawn, for two reasons.
 *
 * A host cwd must survive exec: HOSTCALL_CWD is kept in environ while the
 * cwd is on the host (shim_cwd.c), but shells such as bash and dash build
 * the envp they pass themselves, so every envp passed on is checked and,
 * where needed, a copy made that carries the right HOSTCALL_CWD (or none).
 *
 * Host programs are not run here: executing a path under the prefix, or a
 * relative path (with a '/' for the PATH-searching calls) while in a host
 * cwd, fails with EACCES, and under HOSTCALL_DEBUG=1 says that host
 * programs run on the host (dosh's !cmd, or hc_spawn()). Running a host
 * binary on the guest's kernel and libraries would be neither the host's
 * program nor a guest one.
 */
#include "shim.h"

#include <stdarg.h>

extern char **environ;

/* envp arrays up to this many entries are copied on the stack (vfork). */
#define SHIM_ENV_STACK	256

struct shim_env {
	char *const *envp;	/* what to pass on */
	char **heap;		/* a copy on the heap, or NULL */
	char *stack[SHIM_ENV_STACK];
	char var[sizeof(SHIM_CWD_ENV) + 2 * HC_PATH_MAX + 2];
};

/* Whether @s is a HOSTCALL_CWD=... entry. */
static int shim_env_is_cwd(const char *s)
{
	return !strncmp(s, SHIM_CWD_ENV "=", sizeof(SHIM_CWD_ENV));
}

/* Make e->envp @envp with the right HOSTCALL_CWD; no copy if it has it. */
static void shim_env_fix(struct shim_env *e, char *const envp[])
{
	size_t n = 0, ncwd = 0, same = 0, i, j;
	char **v;

	e->envp = envp;
	e->heap = NULL;
	shim_cwd_env(e->var, sizeof(e->var));
	for (; envp && envp[n]; n++) {
		if (shim_env_is_cwd(envp[n])) {
			ncwd++;
			same += !strcmp(envp[n], e->var);
		}
	}
	if (e->var[0] ? ncwd == 1 && same == 1 : ncwd == 0)
		return;
	v = e->stack;
	if (n + 2 > SHIM_ENV_STACK) {
		e->heap = v = malloc((n + 2) * sizeof(*v));
		if (!v)
			return;		/* pass it on as it is */
	}
	for (i = 0, j = 0; i < n; i++)
		if (!shim_env_is_cwd(envp[i]))
			v[j++] = envp[i];
	if (e->var[0])
		v[j++] = e->var;
	v[j] = NULL;
	e->envp = v;
}

/*
 * Why a host program cannot run here: ENOENT (or the like) if there is no
 * such file on the host, else EACCES; with HOSTCALL_DEBUG=1 a line says
 * where host programs run.
 */
static int shim_exec_refuse(int dirfd, const char *path, const char *what)
{
	struct stat st;
	int r = hc_fstatat(dirfd, path, &st, path[0] ? 0 : AT_EMPTY_PATH);

	if (r < 0)
		return r;
	hc_debug("hostcall: %s: host programs run on the host, not here (use dosh's !cmd)", what);
	return -EACCES;
}

/*
 * Whether @path is a host program: under the prefix, or relative in a
 * host cwd (for a PATH search, @search, only if it has a '/'). Returns 0,
 * or -errno for the exec to fail with.
 */
static int shim_exec_check(const char *path, int search)
{
	struct shim_at at;

	if (!path || (search && !strchr(path, '/')))
		return 0;
	if (!shim_route(AT_FDCWD, path, &at))
		return 0;
	return shim_exec_refuse(at.dirfd, at.path, path);
}

/* Drop a heap copy, keeping errno from the exec. */
static void shim_env_free(struct shim_env *e)
{
	int err = errno;

	free(e->heap);
	errno = err;
}

typedef int (*shim_exec_fn)(const char *, char *const[], char *const[]);

static int shim_exec(const char *path, int search, char *const argv[],
		     char *const envp[], int real)
{
	struct shim_env e;
	int r;

	SHIM_OPAQUE(path);
	r = shim_exec_check(path, search);
	if (r < 0)
		return shim_ret(r);
	shim_env_fix(&e, envp);
	r = ((shim_exec_fn)shim_real_get(real))(path, argv, e.envp);
	shim_env_free(&e);
	return r;
}

HC_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	return shim_exec(path, 0, argv, envp, SHIM_R_execve);
}

HC_EXPORT int execv(const char *path, char *const argv[])
{
	return shim_exec(path, 0, argv, environ, SHIM_R_execve);
}

HC_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	return shim_exec(file, 1, argv, envp, SHIM_R_execvpe);
}

HC_EXPORT int execvp(const char *file, char *const argv[])
{
	return shim_exec(file, 1, argv, environ, SHIM_R_execvpe);
}

/* The execl family: gather the arguments (and envp for execle). */
static int shim_execl(const char *path, int search, const char *arg, va_list ap,
		      int with_env, int real)
{
	char *const *envp = environ;
	size_t n = 0, i;
	va_list cp;

	if (arg) {
		va_copy(cp, ap);
		for (n = 1; va_arg(cp, char *); n++)
			;
		va_end(cp);
	}
	{
		char *argv[n + 1];

		argv[0] = (char *)arg;
		for (i = 1; i <= n; i++)	/* argv[n] is the NULL */
			argv[i] = va_arg(ap, char *);
		argv[n] = NULL;
		if (with_env)
			envp = va_arg(ap, char *const *);
		return shim_exec(path, search, argv, envp, real);
	}
}

#define SHIM_DEF_EXECL(name, search, with_env, real)			\
	HC_EXPORT int name(const char *path, const char *arg, ...)	\
	{								\
		va_list ap;						\
		int r;							\
									\
		va_start(ap, arg);					\
		r = shim_execl(path, search, arg, ap, with_env, SHIM_R_##real); \
		va_end(ap);						\
		return r;						\
	}

SHIM_DEF_EXECL(execl, 0, 0, execve)
SHIM_DEF_EXECL(execle, 0, 1, execve)
SHIM_DEF_EXECL(execlp, 1, 0, execvpe)

HC_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	struct shim_env e;
	int r;

	if (shim_host_fd(fd))
		return shim_ret(shim_exec_refuse(fd, "", "fexecve of a host file"));
	shim_env_fix(&e, envp);
	r = SHIM_REAL(fexecve)(fd, argv, e.envp);
	shim_env_free(&e);
	return r;
}

HC_EXPORT int execveat(int dirfd, const char *path, char *const argv[],
		       char *const envp[], int flags)
{
	struct shim_at at;
	struct shim_env e;
	int r;

	if (shim_route(dirfd, path, &at))
		return shim_ret(shim_exec_refuse(at.dirfd, at.path, path));
	shim_env_fix(&e, envp);
	r = SHIM_REAL(execveat)(dirfd, path, argv, e.envp, flags);
	shim_env_free(&e);
	return r;
}

typedef int (*shim_spawn_fn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
			     const posix_spawnattr_t *, char *const[], char *const[]);

static int shim_spawn(pid_t *pid, const char *path, int search,
		      const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
		      char *const argv[], char *const envp[], int real)
{
	struct shim_env e;
	int r;

	SHIM_OPAQUE(path);
	r = shim_exec_check(path, search);
	if (r < 0)
		return -r;
	shim_env_fix(&e, envp);
	r = ((shim_spawn_fn)shim_real_get(real))(pid, path, fa, attr, argv, e.envp);
	shim_env_free(&e);
	return r;
}

HC_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
			  const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return shim_spawn(pid, path, 0, fa, attr, argv, envp, SHIM_R_posix_spawn);
}

HC_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
			   const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return shim_spawn(pid, file, 1, fa, attr, argv, envp, SHIM_R_posix_spawnp);
}
