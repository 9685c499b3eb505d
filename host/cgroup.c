// SPDX-License-Identifier: GPL-2.0-only
/*
 * Resource limits: the cgroup that every shadow of this hostcalld, and so
 * every spawner and host program they start, runs in, with --max-procs as
 * its pids.max and --max-memory as its memory limit. The relay itself stays
 * outside, so that it still forks a shadow for a new subject, and answers
 * it, while the subjects' processes are at their limits (migration into a
 * cgroup is not bound by pids.max).
 *
 * Where the cgroup is made, per controller:
 *   - cgroup v1 (a hierarchy with the controller mounted): a child of the
 *     relay's own cgroup there, hostcalld-PID;
 *   - cgroup v2, the relay in the root cgroup: /hostcalld-PID;
 *   - cgroup v2, the relay alone in a cgroup delegated to it (systemd's
 *     Delegate=, marked by the trusted.delegate or user.delegate xattr):
 *     the relay moves into a leaf hostcalld-PID.relay of it, and the
 *     subjects get hostcalld-PID beside it (a v2 cgroup with processes
 *     cannot have controllers enabled for its children);
 *   - cgroup v2 otherwise, as root: /hostcalld-PID at the top.
 * Where none of these works (not root, nothing delegated) the relay says so
 * in one log line and runs without limits. At exit the cgroup is removed;
 * host programs that ignored the hangup keep it (and its limits) until they
 * end, and the next hostcalld removes what a killed one left empty.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "hostd.h"

#define CG_NAME		"hostcalld-"

/* One cgroup the subjects run in: one per v1 hierarchy, or the v2 one. */
struct cg {
	char dir[PATH_MAX];	/* the subjects' cgroup */
	char ctl[32];		/* its controllers, for the log */
	int v2;
};

static struct cg cg_dirs[2];
static int cg_n;

/* Write @s to the cgroup file @dir/@file. Returns: 0, or -errno. */
static int cg_write(const char *dir, const char *file, const char *s)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, err = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Read the cgroup file @dir/@file into @buf. Returns: its length, or -errno. */
static ssize_t cg_read(const char *dir, const char *file, char *buf, size_t cap)
{
	char path[PATH_MAX];
	ssize_t n, got = 0;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < (ssize_t)cap - 1 && (n = read(fd, buf + got, cap - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = 0;
	return got;
}

/* Is @word in the list @list of words separated by any of @seps? */
static int cg_has_word(const char *list, const char *word, const char *seps)
{
	size_t n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		if ((p == list || strchr(seps, p[-1])) && (!p[n] || strchr(seps, p[n])))
			return 1;
		p += n;
	}
	return 0;
}

/*
 * Where this process's cgroup of @ctl ("pids", "memory"; NULL for v2) is
 * in the file system: the mount point of its hierarchy plus its path
 * relative to that mount's root.
 * Returns: 0 with @dir and @mnt set, or -ENOENT.
 */
static int cg_locate(const char *ctl, char *dir, char *mnt, size_t cap)
{
	char line[4096], path[PATH_MAX] = "", root[PATH_MAX], point[PATH_MAX];
	char fstype[64], opts[1024];
	int found = 0;
	FILE *f;

	f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c2)
			continue;
		*c2 = 0;
		if (ctl ? !cg_has_word(c1 + 1, ctl, ",") : strcmp(line, "0:") != 0)
			continue;
		snprintf(path, sizeof(path), "%s", c2 + 1);
		path[strcspn(path, "\n")] = 0;
		found = 1;
		break;
	}
	fclose(f);
	if (!found)
		return -ENOENT;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -ENOENT;
	found = 0;
	while (!found && fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");
		size_t rl;

		if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s", root, point) != 2 ||
		    sscanf(sep + 3, "%63s %*s %1023s", fstype, opts) != 2)
			continue;
		if (ctl ? strcmp(fstype, "cgroup") || !cg_has_word(opts, ctl, ",")
			: strcmp(fstype, "cgroup2"))
			continue;
		/* our cgroup must lie below the mount's root */
		rl = strcmp(root, "/") ? strlen(root) : 0;
		if (strncmp(path, root, rl) || (path[rl] && path[rl] != '/'))
			continue;
		snprintf(mnt, cap, "%s", point);
		if (snprintf(dir, cap, "%s%s", point, path + rl) >= (int)cap)
			break;
		found = 1;
	}
	fclose(f);
	/* "/a/b/" for the root "/" of a mount: no trailing slash */
	if (found && strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
		dir[strlen(dir) - 1] = 0;
	return found ? 0 : -ENOENT;
}

/* Empty cgroups hostcalld-PID under @parent whose hostcalld is gone (kill -9). */
static void cg_sweep(const char *parent)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(parent);

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *end;
		long pid;

		if (strncmp(e->d_name, CG_NAME, strlen(CG_NAME)))
			continue;
		pid = strtol(e->d_name + strlen(CG_NAME), &end, 10);
		if (pid <= 0 || (*end && strcmp(end, ".relay")) ||
		    kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		/* rmdir fails on a cgroup that still has processes: only empty ones go */
		if (snprintf(path, sizeof(path), "%s/%s", parent, e->d_name) < (int)sizeof(path))
			rmdir(path);
	}
	closedir(d);
}

static int cg_limits(struct cg *c, const struct hostd_config *cfg, int pids, int mem)
{
	char v[32];
	int err = 0;

	if (pids) {
		snprintf(v, sizeof(v), "%u", cfg->max_procs);
		err = cg_write(c->dir, "pids.max", v);
	}
	if (!err && mem) {
		snprintf(v, sizeof(v), "%llu", cfg->max_memory);
		err = cg_write(c->dir, c->v2 ? "memory.max" : "memory.limit_in_bytes", v);
	}
	return err;
}

/* A new cgroup @c->dir for the controllers @pids, @mem. Returns: 0, or -errno. */
static int cg_make(struct cg *c, const struct hostd_config *cfg, int pids, int mem)
{
	int err;

	snprintf(c->ctl, sizeof(c->ctl), "%s%s%s", pids ? "pids" : "",
		 pids && mem ? "+" : "", mem ? "memory" : "");
	if (mkdir(c->dir, 0755) < 0)
		return -errno;
	err = cg_limits(c, cfg, pids, mem);
	if (err) {
		rmdir(c->dir);
		return err;
	}
	cg_n++;
	return 0;
}

/* A v1 hierarchy of @ctl: hostcalld-PID below the relay's cgroup there. */
static int cg_setup_v1(const struct hostd_config *cfg, const char *ctl, int pids, int mem)
{
	struct cg *c = &cg_dirs[cg_n];
	char mnt[PATH_MAX], mine[PATH_MAX];

	if (cg_locate(ctl, mine, mnt, sizeof(mine)))
		return -ENOENT;
	cg_sweep(mine);
	if (snprintf(c->dir, sizeof(c->dir), "%s/" CG_NAME "%d", mine,
		     (int)getpid()) >= (int)sizeof(c->dir))
		return -ENAMETOOLONG;
	return cg_make(c, cfg, pids, mem);
}

/* Is this process the only one in the v2 cgroup @dir? */
static int cg_alone(const char *dir)
{
	char buf[64], *nl;
	ssize_t n = cg_read(dir, "cgroup.procs", buf, sizeof(buf));


	if (n <= 0 || atoi(buf) != getpid())
		return 0;
	nl = strchr(buf, '\n');
	return !nl || !nl[1];
}

static int cg_delegated(const char *dir)
{
	char v[8];
	ssize_t n;

	n = getxattr(dir, "trusted.delegate", v, sizeof(v) - 1);
	if (n <= 0)
		n = getxattr(dir, "user.delegate", v, sizeof(v) - 1);
	return n > 0 && v[0] == '1';
}

/*
 * cgroup v2: the controllers @want ("+pids +memory") enabled in @parent for
 * its children, then hostcalld-PID below it.
 */
static int cg_setup_v2_in(const struct hostd_config *cfg, const char *parent,
			  const char *want, int pids, int mem)
{
	struct cg *c = &cg_dirs[cg_n];
	int err;

	c->v2 = 1;
	err = cg_write(parent, "cgroup.subtree_control", want);
	if (err)
		return err;
	cg_sweep(parent);
	if (snprintf(c->dir, sizeof(c->dir), "%s/" CG_NAME "%d", parent,
		     (int)getpid()) >= (int)sizeof(c->dir))
		return -ENAMETOOLONG;
	return cg_make(c, cfg, pids, mem);
}

static int cg_setup_v2(const struct hostd_config *cfg, int pids, int mem)
{
	char mnt[PATH_MAX], own[PATH_MAX], leaf[PATH_MAX], pid[32], want[32], avail[256];

	if (cg_locate(NULL, own, mnt, sizeof(own)))
		return -ENOENT;
	snprintf(want, sizeof(want), "%s%s%s", pids ? "+pids" : "", pids && mem ? " " : "",
		 mem ? "+memory" : "");
	if (cg_read(mnt, "cgroup.controllers", avail, sizeof(avail)) < 0 ||
	    (pids && !cg_has_word(avail, "pids", " \n")) ||
	    (mem && !cg_has_word(avail, "memory", " \n")))
		return -ENOENT;	/* bound to a v1 hierarchy, or not built */
	if (!strcmp(own, mnt))
		return cg_setup_v2_in(cfg, mnt, want, pids, mem);
	if (cg_delegated(own) && cg_alone(own)) {
		/*
		 * Ours to divide: move into a leaf of it, so that its children
		 * may have controllers. The relay stays there until it exits;
		 * whoever delegated the cgroup removes it.
		 */
		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		if (snprintf(leaf, sizeof(leaf), "%s/" CG_NAME "%s.relay", own, pid) <
		    (int)sizeof(leaf) && mkdir(leaf, 0755) == 0) {
			if (cg_write(leaf, "cgroup.procs", pid) == 0) {
				if (!cg_setup_v2_in(cfg, own, want, pids, mem))
					return 0;
				cg_write(own, "cgroup.procs", pid);
			}
			rmdir(leaf);
		}
	}
	if (geteuid() != 0)
		return -EACCES;
	/* root, in a cgroup that is not ours to divide: a top-level one */
	return cg_setup_v2_in(cfg, mnt, want, pids, mem);
}

void hostd_cgroup_setup(const struct hostd_config *cfg)
{
	int pids = cfg->max_procs > 0, mem = cfg->max_memory > 0;
	int v1p = 0, v1m = 0, err = 0, i;
	char mnt[PATH_MAX], dir[PATH_MAX];

	if (!pids && !mem)
		return;
	/* a controller mounted as v1 is not available to v2 */
	if (pids && !cg_locate("pids", dir, mnt, sizeof(dir))) {
		v1p = 1;
		err = cg_setup_v1(cfg, "pids", 1, 0);
	}
	if (!err && mem && !cg_locate("memory", dir, mnt, sizeof(dir))) {
		v1m = 1;
		err = cg_setup_v1(cfg, "memory", 0, 1);
	}
	if (!err && ((pids && !v1p) || (mem && !v1m)))
		err = cg_setup_v2(cfg, pids && !v1p, mem && !v1m);
	if (err) {
		hostd_log(HOSTD_NAME ": no cgroup for --max-procs/--max-memory (%s%s): "
			  "running without those limits", strerror(-err),
			  err == -EACCES || err == -EPERM ? "; run as root, or under "
			  "systemd with Delegate=pids memory" : err == -ENOENT ?
			  "; no pids or memory controller available" : "");
		hostd_cgroup_cleanup();
		return;
	}
	if (cfg->verbose)
		for (i = 0; i < cg_n; i++)
			hostd_log(HOSTD_NAME ": subjects run in cgroup %s (%s)",
				  cg_dirs[i].dir, cg_dirs[i].ctl);
}

int hostd_cgroup_enter(void)
{
	int i, err;

	for (i = 0; i < cg_n; i++) {
		err = cg_write(cg_dirs[i].dir, "cgroup.procs", "0");
		if (err) {
			hostd_log(HOSTD_NAME ": joining cgroup %s: %s (subject not served)",
				  cg_dirs[i].dir, strerror(-err));
			return err;
		}
	}
	return 0;
}

/* How many processes are in the cgroup @dir. */
static int cg_count(const char *dir)
{
	char buf[4096], *p;
	int n = 0;

	if (cg_read(dir, "cgroup.procs", buf, sizeof(buf)) < 0)
		return 0;
	for (p = buf; *p; p++)
		n += *p == '\n';
	return n;
}

void hostd_cgroup_cleanup(void)
{
	struct timespec tick = { 0, 10 * 1000000 };
	int i, tries;

	for (i = cg_n - 1; i >= 0; i--) {
		struct cg *c = &cg_dirs[i];

		/* shadows just reaped may still be leaving the cgroup */
		for (tries = 0; rmdir(c->dir) < 0 && errno == EBUSY && tries < 50; tries++)
			nanosleep(&tick, NULL);
		/*
		 * Host programs that ignored the hangup keep running, as after
		 * a terminal hangup, but inside the limits: moved out, a fork
		 * bomb would be unbounded. The next hostcalld removes the
		 * cgroup once it is empty.
		 */
		if (access(c->dir, F_OK) == 0)
			hostd_log(HOSTD_NAME ": %d process(es) still run in cgroup %s: it "
				  "stays, with its limits, until they end", cg_count(c->dir),
				  c->dir);
	}
	cg_n = 0;
}
