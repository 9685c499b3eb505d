// SPDX-License-Identifier: GPL-2.0-only
/*
 * The identity map: which host user a client acts as. Without one, every
 * subject acts as --user (or as hostcalld's own user). With --map-user and
 * --map-group (or --map-file) a client's uid and gid choose the host user
 * its shadow runs as; with --identity passthrough they are host ids as
 * they are. The other way round, the owners stat shows are the guest ids
 * the host ids map back to (hc_idmap_guest()), and a chown names guest ids
 * that are mapped to host ids first (hostd_idmap_host()).
 *
 * The map is a list of ranges per kind (users, groups): guest first..+count
 * is host first..+count. Ranges may not overlap on either side, so both
 * directions are functions; the overflow id 65534 is never mapped (it is
 * what an unmapped host id shows as), and host root only with --allow-root.
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostd.h"

static int idmap_push(struct hostd_idmap *m, int group, const struct hostd_idrange *r)
{
	struct hostd_idrange **v = group ? &m->groups : &m->users;
	unsigned int *n = group ? &m->ngroups : &m->nusers;
	struct hostd_idrange *nv;

	if (*n >= HOSTD_IDMAP_MAX)
		return -E2BIG;
	nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = *r;
	*v = nv;
	return 0;
}

/* "N" or "N-M" (inclusive). Returns: 0 with *@first and *@count, or -EINVAL. */
static int parse_range(const char *s, size_t len, hc_u32 *first, hc_u32 *count)
{
	char buf[32], *end;
	unsigned long a, b;
	const char *dash;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = 0;
	if (!isdigit((unsigned char)buf[0]))
		return -EINVAL;
	errno = 0;
	a = strtoul(buf, &end, 10);
	dash = end;
	if (*dash == '-' && isdigit((unsigned char)dash[1]))
		b = strtoul(dash + 1, &end, 10);
	else
		b = a;
	if (errno || *end || a > UINT32_MAX - 1 || b > UINT32_MAX - 1 || b < a)
		return -EINVAL;
	*first = a;
	*count = b - a + 1;
	return 0;
}

/* A host user or group by name. Returns: 0 with *@id, or -ENOENT. */
static int host_by_name(int group, const char *name, hc_u32 *id)
{
	if (group) {
		struct group *gr = getgrnam(name);

		if (!gr)
			return -ENOENT;
		*id = gr->gr_gid;
	} else {
		struct passwd *pw = getpwnam(name);

		if (!pw)
			return -ENOENT;
		*id = pw->pw_uid;
	}
	return 0;
}

static int overlap(const struct hostd_idrange *a, hc_u32 first, hc_u32 count, int host)
{
	hc_u32 f = host ? a->host : a->guest;

	return first < f + a->count && f < first + count;
}

int hostd_idmap_add(struct hostd_idmap *m, int group, const char *spec,
		    int allow_root, char *why, size_t whylen)
{
	const char *kind = group ? "group" : "user";
	const struct hostd_idrange *v = group ? m->groups : m->users;
	unsigned int n = group ? m->ngroups : m->nusers, i;
	struct hostd_idrange r;
	const char *eq = strchr(spec, '=');
	hc_u32 hcount;
	int err;

	if (!eq || eq == spec || !eq[1]) {
		snprintf(why, whylen, "'%s' is not GUEST=HOST", spec);
		return -EINVAL;
	}
	if (parse_range(spec, eq - spec, &r.guest, &r.count)) {
		snprintf(why, whylen, "'%.*s' is not a %s id or a range N-M",
			 (int)(eq - spec), spec, kind);
		return -EINVAL;
	}
	if (!parse_range(eq + 1, strlen(eq + 1), &r.host, &hcount)) {
		if (hcount != r.count) {
			snprintf(why, whylen, "'%s': the host range has %u ids, the guest's %u",
				 spec, hcount, r.count);
			return -EINVAL;
		}
	} else if (r.count != 1) {
		snprintf(why, whylen, "'%s': a range maps to a range of host ids, not a name",
			 spec);
		return -EINVAL;
	} else if (host_by_name(group, eq + 1, &r.host)) {
		snprintf(why, whylen, "'%s': no such host %s '%s'", spec, kind, eq + 1);
		return -ENOENT;
	}
	if ((r.guest <= HOSTD_OVERFLOW_ID && HOSTD_OVERFLOW_ID < r.guest + r.count) ||
	    (r.host <= HOSTD_OVERFLOW_ID && HOSTD_OVERFLOW_ID < r.host + r.count)) {
		snprintf(why, whylen, "'%s': %u is the overflow id (what unmapped owners "
			 "show as) and cannot be mapped", spec, HOSTD_OVERFLOW_ID);
		return -EINVAL;
	}
	if (r.host == 0 && !allow_root) {
		snprintf(why, whylen, "'%s' maps to host root: add --allow-root if that "
			 "is meant", spec);
		return -EPERM;
	}
	for (i = 0; i < n; i++) {
		if (overlap(&v[i], r.guest, r.count, 0) || overlap(&v[i], r.host, r.count, 1)) {
			snprintf(why, whylen, "'%s' overlaps the %s entry %u-%u=%u-%u", spec,
				 kind, v[i].guest, v[i].guest + v[i].count - 1, v[i].host,
				 v[i].host + v[i].count - 1);
			return -EINVAL;
		}
	}
	err = idmap_push(m, group, &r);
	if (err)
		snprintf(why, whylen, "'%s': %s", spec, strerror(-err));
	else
		m->mode = HOSTD_ID_MAP;
	return err;
}

int hostd_idmap_file(struct hostd_idmap *m, const char *path, int allow_root)
{
	char line[512], why[300], *p, *e;
	unsigned int lineno = 0;
	int err = 0, group;
	FILE *f = fopen(path, "re");

	if (!f) {
		err = -errno;
		fprintf(stderr, HOSTD_NAME ": --map-file %s: %s\n", path, strerror(errno));
		return err;
	}
	while (!err && fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			fprintf(stderr, HOSTD_NAME ": --map-file %s:%u: line too long\n",
				path, lineno);
			err = -EINVAL;
			break;
		}
		for (p = line; isspace((unsigned char)*p); p++)
			;
		for (e = p + strlen(p); e > p && isspace((unsigned char)e[-1]); e--)
			;
		*e = 0;
		if (!*p || *p == '#')
			continue;
		if (!strncmp(p, "user", 4) && isspace((unsigned char)p[4]))
			group = 0;
		else if (!strncmp(p, "group", 5) && isspace((unsigned char)p[5]))
			group = 1;
		else {
			fprintf(stderr, HOSTD_NAME ": --map-file %s:%u: '%s': a line is "
				"'user GUEST=HOST' or 'group GUEST=HOST'\n", path, lineno, p);
			err = -EINVAL;
			break;
		}
		for (p += group ? 5 : 4; isspace((unsigned char)*p); p++)
			;
		err = hostd_idmap_add(m, group, p, allow_root, why, sizeof(why));
		if (err)
			fprintf(stderr, HOSTD_NAME ": --map-file %s:%u: %s\n", path, lineno, why);
	}
	fclose(f);
	return err;
}

static const struct hostd_idrange *find(const struct hostd_idrange *v, unsigned int n,
					hc_u32 id, int host)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		hc_u32 f = host ? v[i].host : v[i].guest;

		if (id >= f && id - f < v[i].count)
			return &v[i];
	}
	return NULL;
}

long long hostd_idmap_host(const struct hostd_idmap *m, int group, hc_u32 guest)
{
	const struct hostd_idrange *r;

	if (!m || m->mode == HOSTD_ID_NONE || m->mode == HOSTD_ID_PASSTHROUGH)
		return guest;
	r = find(group ? m->groups : m->users, group ? m->ngroups : m->nusers, guest, 0);
	return r ? (long long)(r->host + (guest - r->guest)) : -1;
}

hc_u32 hostd_idmap_guest(const struct hostd_config *cfg, int group, hc_u32 host)
{
	const struct hostd_idmap *m = cfg->idmap;
	const struct hostd_idrange *r;

	if (!m || m->mode == HOSTD_ID_NONE || m->mode == HOSTD_ID_PASSTHROUGH)
		return host;
	r = find(group ? m->groups : m->users, group ? m->ngroups : m->nusers, host, 1);
	if (r)
		return r->guest + (host - r->host);
	/* the fallback identity shows as --user-as */
	if (!group && host == m->user_uid)
		return m->user_as;
	return HOSTD_OVERFLOW_ID;
}

int hostd_idmap_maps_root(const struct hostd_idmap *m)
{
	unsigned int i;

	if (!m || m->mode == HOSTD_ID_NONE)
		return 0;
	if (m->mode == HOSTD_ID_PASSTHROUGH)
		return 1;
	for (i = 0; i < m->nusers; i++)
		if (m->users[i].host == 0)
			return 1;
	return 0;
}

void hostd_ident_free(struct hostd_ident *id)
{
	free(id->groups);
	free(id->name);
	free(id->dir);
	free(id->shell);
	memset(id, 0, sizeof(*id));
}

/* @id's name, home, shell and groups from host user @uid's passwd entry. */
static int ident_from_passwd(struct hostd_ident *id, uid_t uid, int want_groups)
{
	struct passwd *pw = getpwuid(uid);
	int n = 64, got;

	if (!pw)
		return -ENOENT;
	id->uid = uid;
	id->gid = pw->pw_gid;
	id->name = strdup(pw->pw_name);
	id->dir = strdup(pw->pw_dir && *pw->pw_dir ? pw->pw_dir : "/");
	id->shell = strdup(pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh");
	if (!id->name || !id->dir || !id->shell)
		return -ENOMEM;
	while (want_groups) {
		got = n;
		free(id->groups);
		id->groups = calloc(n, sizeof(gid_t));
		if (!id->groups)
			return -ENOMEM;
		if (getgrouplist(id->name, id->gid, id->groups, &got) >= 0) {
			id->ngroups = got;
			break;
		}
		if (got <= n || got > 65536)
			return -E2BIG;
		n = got;
	}
	return 0;
}

int hostd_ident_user(const struct hostd_config *cfg, hc_u32 guest_uid,
		     struct hostd_ident *id)
{
	memset(id, 0, sizeof(*id));
	id->uid = cfg->uid;
	id->gid = cfg->gid;
	id->ngroups = cfg->ngroups;
	id->groups = calloc(cfg->ngroups > 0 ? cfg->ngroups : 1, sizeof(gid_t));
	id->name = strdup(cfg->pw_name);
	id->dir = strdup(cfg->pw_dir);
	id->shell = strdup(cfg->pw_shell);
	id->guest_uid = guest_uid;
	if (!id->groups || !id->name || !id->dir || !id->shell)
		return -ENOMEM;
	memcpy(id->groups, cfg->groups, cfg->ngroups * sizeof(gid_t));
	return 0;
}

int hostd_ident_for(const struct hostd_config *cfg, hc_u32 uid, hc_u32 gid,
		    const gid_t *groups, int ngroups, struct hostd_ident *id)
{
	const struct hostd_idmap *m = cfg->idmap;
	long long hu, hg;
	int err, i;

	memset(id, 0, sizeof(*id));
	if (!m)
		return -ENOENT;
	if (m->mode == HOSTD_ID_PASSTHROUGH) {
		/* guest ids are host ids, groups included */
		err = ident_from_passwd(id, uid, 0);
		if (err == -ENOENT) {
			char name[24];

			snprintf(name, sizeof(name), "uid %u", uid);
			id->uid = uid;
			id->name = strdup(name);
			id->dir = strdup("/");
			id->shell = strdup("/bin/sh");
			err = id->name && id->dir && id->shell ? 0 : -ENOMEM;
		}
		if (err)
			return err;
		id->gid = gid;
		id->groups = calloc(ngroups > 0 ? ngroups : 1, sizeof(gid_t));
		if (!id->groups)
			return -ENOMEM;
		for (i = 0; i < ngroups; i++)
			id->groups[i] = groups[i];
		id->ngroups = ngroups;
		id->guest_uid = uid;
		return 0;
	}
	hu = hostd_idmap_host(m, 0, uid);
	if (hu < 0)
		return m->deny_unmapped ? -EACCES : -ENOENT;	/* -ENOENT: the fallback */
	err = ident_from_passwd(id, (uid_t)hu, 1);
	if (err)
		return err == -ENOENT ? -EACCES : err;
	/* the mapped group only if the host user is a member of it */
	hg = hostd_idmap_host(m, 1, gid);
	for (i = 0; hg >= 0 && i < id->ngroups; i++)
		if ((gid_t)hg == id->groups[i]) {
			id->gid = (gid_t)hg;
			break;
		}
	id->guest_uid = uid;
	return 0;
}
