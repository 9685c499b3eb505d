// SPDX-License-Identifier: GPL-2.0-only
/*
 * The relay: the subject table, signals, the lifeline and the shutdown that
 * every transport shares (struct hostd_relay), and the Unix-socket
 * transport on top: it listens and forks one shadow process per connection.
 * It reads nothing a subject sends, so no subject can stall it; it only
 * accepts, accounts for subjects, reaps, and shuts everything down. Of a
 * connection it refuses (over --max-subjects) it reads the one HELLO,
 * without blocking, to answer it.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hostd.h"

/*
 * Connections refused for the subject limit that wait for their HELLO, to be
 * answered EAGAIN: at most this many, for at most RELAY_REFUSED_MS each.
 */
#define RELAY_REFUSED_MAX	64
#define RELAY_REFUSED_MS	1000
/* How long shadows get to stop on SIGTERM before SIGKILL (the grace period). */
#define RELAY_STOP_MS		2000

/*
 * The subject table, shared by the relay and every shadow (MAP_SHARED before
 * any fork): a slot is 0 (free), a shadow's pid, or -pid of the process that
 * reserved it and is creating the shadow. Slots are taken by CAS; only the
 * relay frees them, when it reaps the pid (or the reserver) they hold.
 */
static pid_t *relay_slots;
static unsigned int relay_nslots;
static pid_t relay_pid;

/* A connection refused for the subject limit, until its HELLO is answered. */
struct relay_refused {
	int fd;
	int err;			/* what its HELLO is answered */
	struct timespec t0;		/* accepted */
};

/* Supplementary groups of a peer passthrough takes (SO_PEERGROUPS). */
#define HOSTD_PEER_GROUPS_MAX	256

/* The Unix-socket transport. */
struct relay {
	struct hostd_relay core;
	int lsock;
	struct relay_refused refused[RELAY_REFUSED_MAX];	/* oldest first */
	unsigned int nrefused;
};

int hostd_slot_reserve(pid_t owner)
{
	unsigned int i;

	for (i = 0; i < relay_nslots; i++) {
		pid_t expect = 0;

		if (__atomic_compare_exchange_n(&relay_slots[i], &expect, -owner, 0,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			return i;
	}
	return -EAGAIN;
}

int hostd_slot_fill(unsigned int slot, pid_t owner, pid_t pid)
{
	pid_t expect = -owner;

	if (slot >= relay_nslots ||
	    !__atomic_compare_exchange_n(&relay_slots[slot], &expect, pid, 0,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return -ESTALE;
	return 0;
}

void hostd_slot_release(unsigned int slot, pid_t owner)
{
	pid_t expect = -owner;

	if (slot < relay_nslots)
		__atomic_compare_exchange_n(&relay_slots[slot], &expect, 0, 0,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/* A reaped pid frees the slot it held and any slot it had reserved. */
static int relay_slot_reaped(pid_t pid)
{
	unsigned int i;
	int found = -1;

	for (i = 0; i < relay_nslots; i++) {
		pid_t v = __atomic_load_n(&relay_slots[i], __ATOMIC_SEQ_CST);

		if (v != pid && v != -pid)
			continue;
		if (__atomic_compare_exchange_n(&relay_slots[i], &v, 0, 0,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) &&
		    v == pid)
			found = i;
	}
	return found;
}

pid_t hostd_slot_pid(unsigned int slot)
{
	pid_t v;

	if (slot >= relay_nslots)
		return 0;
	v = __atomic_load_n(&relay_slots[slot], __ATOMIC_SEQ_CST);
	return v > 0 ? v : 0;
}

static unsigned int relay_slots_busy(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < relay_nslots; i++)
		n += __atomic_load_n(&relay_slots[i], __ATOMIC_SEQ_CST) != 0;
	return n;
}

static void relay_slots_signal(int sig)
{
	unsigned int i;

	for (i = 0; i < relay_nslots; i++) {
		pid_t v = __atomic_load_n(&relay_slots[i], __ATOMIC_SEQ_CST);

		if (v > 0)
			kill(v, sig);
	}
}

void hostd_relay_watch(pid_t via)
{
	struct timespec ms = { 0, 1000000 };

	/* the intermediate of a fork-subject exits right after filling the slot */
	while (via && getppid() == via)
		nanosleep(&ms, NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != relay_pid)
		_exit(0);
}

/* ---- the socket ---- */

/* Is there a socket at @path that nobody listens on? */
static int relay_socket_stale(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, r, err;

	if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return 0;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	strcpy(sa.sun_path, path);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	err = errno;
	close(fd);
	return r < 0 && err == ECONNREFUSED;
}

static void relay_bind_error(const char *op, const char *path, int err)
{
	struct stat st;

	if (err == EEXIST && lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
		fprintf(stderr, HOSTD_NAME ": %s %s: %s (it exists and is not a socket: "
			"remove it or choose another --socket)\n", op, path, strerror(err));
	else if (err == EADDRINUSE || err == EEXIST)
		fprintf(stderr, HOSTD_NAME ": %s %s: %s (is another hostcalld running? "
			"remove the socket if not)\n", op, path, strerror(EADDRINUSE));
	else
		fprintf(stderr, HOSTD_NAME ": %s %s: %s (check that the directory exists "
			"and is writable, or choose another --socket)\n", op, path,
			strerror(err));
}

/*
 * Put the listening socket @tmp in place at @path, atomically: link()
 * fails rather than replace a file, so a live socket is never stolen; a
 * stale one (nobody listens) is removed first.
 */
static int relay_socket_publish(const char *tmp, const char *path)
{
	struct stat st;
	int tries;

	for (tries = 0; tries < 3; tries++) {
		if (link(tmp, path) == 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
		if (lstat(path, &st) == 0 && (!S_ISSOCK(st.st_mode) || !relay_socket_stale(path)))
			return -EEXIST;
		unlink(path);
	}
	return -EEXIST;
}

/*
 * The socket appears at its path only once it listens, with its final
 * mode: whoever waits for the file can connect at once. It is bound under
 * a temporary name beside it first (or, if that name does not fit in
 * sun_path, bound in place).
 */
int hostd_listen(const char *path, mode_t mode, int type)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r, err, direct;
	mode_t old;

	fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		err = errno;
		fprintf(stderr, HOSTD_NAME ": socket: %s\n", strerror(err));
		return -err;
	}
	r = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s.%d", path, (int)getpid());
	direct = r < 0 || (size_t)r >= sizeof(sa.sun_path);
	if (direct)
		strcpy(sa.sun_path, path);
	else
		unlink(sa.sun_path);
	/* never let the socket exist with a wider mode than asked, even briefly */
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (r < 0 && direct && errno == EADDRINUSE && relay_socket_stale(path)) {
		unlink(path);
		r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	}
	err = errno;
	umask(old);
	if (r < 0) {
		relay_bind_error("bind", path, err);
		goto out_close;
	}
	if (listen(fd, 128) < 0 || chmod(sa.sun_path, mode) < 0) {
		err = errno;
		fprintf(stderr, HOSTD_NAME ": listen/chmod %s %04o: %s\n", sa.sun_path,
			(unsigned int)mode, strerror(err));
		goto out_unlink;
	}
	if (!direct) {
		err = -relay_socket_publish(sa.sun_path, path);
		unlink(sa.sun_path);
		if (err) {
			relay_bind_error("bind", path, err);
			goto out_close;
		}
	}
	return fd;

out_unlink:
	unlink(sa.sun_path);
out_close:
	close(fd);
	return -err;
}

static int relay_daemonize(void)
{
	pid_t pid;
	int fd;

	pid = fork();
	if (pid < 0) {
		fprintf(stderr, HOSTD_NAME ": --daemon: fork: %s\n", strerror(errno));
		return -errno;
	}
	if (pid > 0)
		_exit(0);
	setsid();
	if (chdir("/") < 0)
		return -errno;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	close(fd);
	return 0;
}

/* ---- the core every transport shares ---- */

pid_t hostd_fork_pair(int *end)
{
	int sv[2], err;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(sv[0]);
		close(sv[1]);
		return err;
	}
	close(sv[pid ? 1 : 0]);
	*end = sv[pid ? 0 : 1];
	return pid;
}

/* In a new child of the relay: drop what only the relay may hold. */
static void relay_child_setup(struct hostd_relay *r)
{
	sigset_t none;

	close(r->sfd);
	close(r->life_w);
	if (r->starter >= 0)
		close(r->starter);
	if (r->child_close)
		r->child_close(r);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
}

/*
 * The configuration of a shadow that acts as @id: hostcalld's, with the
 * identity replaced. The shadow, its spawner and its host programs then
 * are that user's ordinary processes.
 */
static const struct hostd_config *relay_cfg_as(const struct hostd_config *cfg,
					       const struct hostd_ident *id)
{
	static struct hostd_config c;	/* in the child, its own copy */

	c = *cfg;
	/* --user's own identity (or hostcalld's) is switched to as before */
	c.user = id->uid == cfg->uid ? cfg->user : id->name;
	c.uid = id->uid;
	c.gid = id->gid;
	c.groups = id->groups;
	c.ngroups = id->ngroups;
	c.pw_name = id->name;
	c.pw_dir = id->dir;
	c.pw_shell = id->shell;
	c.guest_uid = id->guest_uid;
	return &c;
}

/*
 * The identity @claim maps to under cfg's map, for a subject on @conn.
 * Returns: 1 with @id filled in, 0 for --user as hostcalld's configuration
 * has it (guest unknown), or -errno (-EACCES: refused, logged).
 */
static int relay_claim_ident(const struct hostd_config *cfg, int conn,
			     const struct hostd_claim *claim, struct hostd_ident *id)
{
	gid_t groups[HOSTD_PEER_GROUPS_MAX];
	hc_u32 uid, gid, k;
	int n = 0, err;

	memset(id, 0, sizeof(*id));
	if (!claim || claim->kind == HOSTD_CLAIM_USER || (!cfg->idmap && cfg->audit_fd < 0))
		return 0;
	if (claim->kind == HOSTD_CLAIM_PEER) {
		struct ucred uc;
		socklen_t len = sizeof(uc);

		/* the kernel's word, fixed for the connection as for an fd */
		if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0)
			return -errno;
		uid = uc.uid;
		gid = uc.gid;
		len = sizeof(groups);
		if (getsockopt(conn, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0)
			n = len / sizeof(gid_t);	/* too many: none of them */
	} else {
		uid = claim->uid;
		gid = claim->gid;
		for (k = 0; k < claim->ngroups && k < HC_FDS_MAX; k++)
			groups[n++] = claim->groups[k];
	}
	err = hostd_ident_for(cfg, uid, gid, groups, n, id);
	if (err == -ENOENT) {
		/* no map entry (or no map): --user, for this client's uid */
		if (cfg->idmap && cfg->verbose)
			hostd_log(HOSTD_NAME ": uid %u: no map entry, acts as %s", uid,
				  cfg->pw_name);
		hostd_ident_free(id);
		err = hostd_ident_user(cfg, uid, id);
	}
	if (err == -EACCES)
		hostd_log(HOSTD_NAME ": %s uid %u refused: %s",
			  claim->kind == HOSTD_CLAIM_PEER ? "a connection of" : "guest", uid,
			  hostd_idmap_host(cfg->idmap, 0, uid) < 0 ?
			  "no map entry for it (--unmapped deny)" :
			  "the host user its map entry names does not exist");
	if (err) {
		hostd_ident_free(id);
		return err;
	}
	return 1;
}

/* The shadow of a new subject on @conn, forked here. See hostd_relay_new_shadow(). */
static int relay_fork_shadow(struct hostd_relay *r, int conn,
			     const struct hostd_claim *claim)
{
	struct hostd_ident ident;
	int slot, have;
	pid_t pid;

	have = relay_claim_ident(r->cfg, conn, claim, &ident);
	if (have < 0)
		return have;
	slot = hostd_slot_reserve(relay_pid);
	if (slot < 0)
		goto out;
	pid = fork();
	if (pid < 0) {
		hostd_log(HOSTD_NAME ": fork of a shadow process: %s (subject refused)",
			  strerror(errno));
		hostd_slot_release(slot, relay_pid);
		slot = -ENOMEM;
		goto out;
	}
	if (pid == 0) {
		relay_child_setup(r);
		/* first, while still root: what it forks is bound by the limits */
		if (hostd_cgroup_enter())
			_exit(1);
		hostd_shadow_run(have ? relay_cfg_as(r->cfg, &ident) : r->cfg, conn,
				 r->life_r, slot);
	}
	hostd_slot_fill(slot, relay_pid, pid);
	if (r->cfg->verbose && have)
		hostd_log(HOSTD_NAME ": subject %d: shadow pid %d, guest uid %u acts as %s "
			  "(uid %u gid %u)", slot + 1, (int)pid, ident.guest_uid, ident.name,
			  (unsigned int)ident.uid, (unsigned int)ident.gid);
	else if (r->cfg->verbose)
		hostd_log(HOSTD_NAME ": subject %d: shadow pid %d", slot + 1, (int)pid);
out:
	if (have)
		hostd_ident_free(&ident);
	return slot;
}

/* ---- privilege separation ---- */

/*
 * As root, hostcalld is two processes once its sockets and memory exist.
 * The starter, the process hostcalld started as, keeps root and does only
 * what needs it: it forks the shadows (with the identity it decides itself
 * from the map: the connection's SO_PEERCRED, which it reads from the fd it
 * is given, or the ids a guest claims), signals and reaps them, and runs
 * the cgroup. The relay, its child, does everything that parses what
 * clients and guests send (the ring, refused HELLOs) as an ordinary user
 * (--user, or nobody for root shadows) with no capabilities, no way back to
 * root (no_new_privs) and not dumpable. They speak struct starter_msg over
 * a socketpair; a relay that dies takes everything with it, and so does a
 * starter (the relay's parent-death signal, the shadows' lifeline).
 */
enum { STARTER_NEW = 1, STARTER_KILL, STARTER_REAPED, STARTER_STOP };

struct starter_msg {
	hc_u32 op;
	hc_s32 slot;		/* KILL, REAPED; NEW's reply: slot or -errno */
	hc_s32 pid;		/* KILL, REAPED, NEW's reply */
	hc_s32 sig;		/* KILL */
	struct hostd_claim claim;	/* NEW, with the connection attached */
};

/* Where the relay's own id is looked for, downwards, when nobody will not do. */
#define HOSTD_RELAY_UID		65533

static pid_t relay_child;		/* in the starter: the relay */
static uid_t relay_uid;			/* the relay's identity */
static gid_t relay_gid;
static dev_t relay_sock_dev;		/* the socket the transport made */
static ino_t relay_sock_ino;

static int starter_send(int fd, const struct starter_msg *m, int conn)
{
	int fds[1] = { conn };

	return hc_sock_send(fd, m, sizeof(*m), fds, conn >= 0);
}

/* Receive one message. Returns: 1, 0 at EOF, or -errno (-EAGAIN: none). */
static int starter_recv(int fd, struct starter_msg *m, int *conn)
{
	int fds[HC_SOCK_FDS_MAX], nfds = 0, i;
	ssize_t n = hc_sock_recv(fd, m, sizeof(*m), fds, &nfds);

	*conn = -1;
	if (n <= 0 || n != (ssize_t)sizeof(*m)) {
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		return n < 0 ? (int)n : n == 0 ? 0 : -EBADMSG;
	}
	for (i = 0; i < nfds; i++) {
		if (!i)
			*conn = fds[0];
		else
			close(fds[i]);
	}
	return 1;
}

/* In the relay: shadows reaped, told while it waited for an answer. */
static struct { pid_t pid; int slot; } relay_deferred[64];
static unsigned int relay_ndeferred;

static void hostd_relay_defer_reaped(pid_t pid, int slot)
{
	if (relay_ndeferred < sizeof(relay_deferred) / sizeof(relay_deferred[0])) {
		relay_deferred[relay_ndeferred].pid = pid;
		relay_deferred[relay_ndeferred++].slot = slot;
	} else {
		hostd_log(HOSTD_NAME ": subject %d: its end came while too many others did: "
			  "its connection closes on EOF", slot + 1);
	}
}

int hostd_relay_new_shadow(struct hostd_relay *r, int conn,
			   const struct hostd_claim *claim)
{
	struct starter_msg m = { .op = STARTER_NEW }, rep;
	struct pollfd p = { .fd = r->starter, .events = POLLIN };
	int fd, err;

	if (r->starter < 0)
		return relay_fork_shadow(r, conn, claim);
	if (claim)
		m.claim = *claim;
	else
		m.claim.kind = HOSTD_CLAIM_USER;
	err = starter_send(r->starter, &m, conn);
	if (err)
		return err == -EAGAIN ? -EAGAIN : -ENOMEM;
	/* its answer comes at once; what it said before, it says again later */
	for (;;) {
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return -errno;
		err = starter_recv(r->starter, &rep, &fd);
		if (fd >= 0)
			close(fd);
		if (err == -EAGAIN)
			continue;
		if (err <= 0)
			return -ENOMEM;
		if (rep.op == STARTER_NEW)
			return rep.slot;
		if (rep.op == STARTER_REAPED && r->reaped)
			hostd_relay_defer_reaped(rep.pid, rep.slot);
	}
}
static int relay_is_starter;		/* this is the starter */
static int relay_child_status = -1;	/* in the starter: the relay's, once reaped */

static void relay_reap(struct hostd_relay *r)
{
	int status, slot;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (relay_is_starter && pid == relay_child) {
			relay_child_status = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
			continue;
		}
		slot = relay_slot_reaped(pid);
		if (slot >= 0 && r->cfg->verbose)
			hostd_log(HOSTD_NAME ": subject %d: shadow pid %d ended (%s %d)",
				  slot + 1, (int)pid,
				  WIFSIGNALED(status) ? "signal" : "status",
				  WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		if (relay_is_starter) {
			struct starter_msg m = { .op = STARTER_REAPED, .slot = slot, .pid = pid };

			/* the relay's business: it may be gone already */
			if (r->starter >= 0)
				starter_send(r->starter, &m, -1);
		} else if (r->reaped) {
			r->reaped(r, pid, slot);
		}
	}
}

int hostd_relay_signals(struct hostd_relay *r)
{
	struct signalfd_siginfo si;
	int stop = 0;

	while (read(r->sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			relay_reap(r);
		else
			stop = 1;
	}
	relay_reap(r);
	return stop;
}

static long relay_ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * Stop: every shadow goes. Closing the lifeline makes idle shadows exit at
 * once; SIGTERM interrupts busy ones (both hang up their host processes),
 * and a shadow gives up a reply its client does not read; SIGKILL whatever
 * is left after RELAY_STOP_MS, the grace period (a shadow's own watchdog
 * normally ends it before). Host processes that outlive their shadow were
 * reparented to us (child subreaper): the dead ones are reaped; one that
 * ignores SIGHUP, like a nohup'ed job on a real terminal, keeps running,
 * leaves the subjects' cgroup and passes to init.
 */
void hostd_relay_stop(struct hostd_relay *r)
{
	struct pollfd p = { .fd = r->sfd, .events = POLLIN };
	struct timespec t0, tick = { 0, 10 * 1000000 };
	struct starter_msg m = { .op = STARTER_STOP };
	long left;

	if (r->starter >= 0 && !relay_is_starter) {
		/* the relay: the starter ends the shadows once it is gone */
		starter_send(r->starter, &m, -1);
		close(r->starter);
		close(r->life_r);
		close(r->sfd);
		return;
	}
	close(r->life_w);
	relay_slots_signal(SIGTERM);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (relay_slots_busy() && (left = RELAY_STOP_MS - relay_ms_since(&t0)) > 0) {
		poll(&p, 1, left);
		hostd_relay_signals(r);
	}
	if (relay_slots_busy())
		hostd_log(HOSTD_NAME ": %u shadow(s) did not stop within %d ms: killing",
			  relay_slots_busy(), RELAY_STOP_MS);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (relay_slots_busy() && relay_ms_since(&t0) < RELAY_STOP_MS) {
		relay_slots_signal(SIGKILL);
		nanosleep(&tick, NULL);
		relay_reap(r);
	}
	relay_reap(r);
	hostd_cgroup_cleanup();
	if (r->cfg->verbose)
		hostd_log(HOSTD_NAME ": stopped");
	close(r->life_r);
	close(r->sfd);
	munmap(relay_slots, sizeof(pid_t) * relay_nslots);
}

int hostd_relay_starter_input(struct hostd_relay *r)
{
	struct pollfd p = { .fd = r->starter, .events = POLLIN };
	struct starter_msg m;
	unsigned int i;
	int fd, err;

	for (i = 0; i < relay_ndeferred; i++)
		if (r->reaped)
			r->reaped(r, relay_deferred[i].pid, relay_deferred[i].slot);
	relay_ndeferred = 0;
	while (r->starter >= 0 && poll(&p, 1, 0) > 0) {
		err = starter_recv(r->starter, &m, &fd);
		if (fd >= 0)
			close(fd);
		if (err == -EAGAIN || err == -EINTR)
			continue;
		if (err <= 0) {
			hostd_log(HOSTD_NAME ": the starter is gone: stopping");
			return 1;
		}
		if (m.op == STARTER_REAPED && r->reaped)
			r->reaped(r, m.pid, m.slot);
	}
	return 0;
}

void hostd_relay_kill(struct hostd_relay *r, unsigned int slot, pid_t pid, int sig)
{
	struct starter_msg m = { .op = STARTER_KILL, .slot = slot, .pid = pid, .sig = sig };

	if (r->starter >= 0 && !relay_is_starter)
		starter_send(r->starter, &m, -1);
	else if (pid > 0 && hostd_slot_pid(slot) == pid)
		kill(pid, sig);
}

/* In the starter: one message of the relay. Returns: 1 when it stops. */
static int starter_message(struct hostd_relay *r)
{
	struct starter_msg m, rep = { .op = STARTER_NEW };
	int conn, err;

	err = starter_recv(r->starter, &m, &conn);
	if (err == -EAGAIN || err == -EINTR)
		return 0;
	if (err <= 0) {
		if (conn >= 0)
			close(conn);
		return 1;
	}
	switch (m.op) {
	case STARTER_NEW:
		/*
		 * The identity is decided here, from the map, not by the relay:
		 * a socket client is who its connection says (a relay that
		 * claims ids for one gets EPERM); a guest's claim is a guest's.
		 */
		if (conn < 0)
			rep.slot = -EBADF;
		else if (m.claim.kind != HOSTD_CLAIM_USER &&
			 m.claim.kind != (r->cfg->ivshmem_path[0] ? HOSTD_CLAIM_GUEST :
					  HOSTD_CLAIM_PEER))
			rep.slot = -EPERM;
		else
			rep.slot = relay_fork_shadow(r, conn, &m.claim);
		if (rep.slot >= 0)
			rep.pid = hostd_slot_pid(rep.slot);
		starter_send(r->starter, &rep, -1);
		break;
	case STARTER_KILL:
		if (m.slot >= 0 && m.pid > 0 && hostd_slot_pid(m.slot) == m.pid &&
		    (m.sig == SIGTERM || m.sig == SIGKILL || m.sig == SIGHUP))
			kill(m.pid, m.sig);
		break;
	case STARTER_STOP:
		err = 1;
		break;
	default:
		break;
	}
	if (conn >= 0)
		close(conn);
	return m.op == STARTER_STOP;
}

/*
 * The starter's loop: the relay's requests, the shadows' ends, and stop
 * signals for the relay, until the relay stops or goes; then every shadow
 * goes (hostd_relay_stop()) and the starter exits as the relay did.
 */
static void __attribute__((noreturn)) starter_serve(struct hostd_relay *r)
{
	const char *path = r->cfg->ivshmem_path[0] ? r->cfg->ivshmem_path :
			   r->cfg->socket_path;
	struct signalfd_siginfo si;
	struct stat st;
	int stop = 0;

	while (!stop && relay_child_status < 0) {
		struct pollfd p[2] = {
			{ .fd = r->sfd, .events = POLLIN },
			{ .fd = r->starter, .events = POLLIN },
		};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents) {
			while (read(r->sfd, &si, sizeof(si)) == sizeof(si))
				if (si.ssi_signo != SIGCHLD)
					kill(relay_child, si.ssi_signo);	/* its to handle */
			relay_reap(r);
		}
		if (p[1].revents)
			stop = starter_message(r);
	}
	close(r->starter);
	r->starter = -1;
	hostd_relay_stop(r);
	/* the relay, unprivileged, may not remove the socket it listened on */
	if (relay_sock_ino && !lstat(path, &st) && S_ISSOCK(st.st_mode) &&
	    st.st_dev == relay_sock_dev && st.st_ino == relay_sock_ino)
		unlink(path);
	while (relay_child_status < 0) {
		int st;

		if (waitpid(relay_child, &st, 0) == relay_child)
			relay_child_status = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
		else if (errno != EINTR)
			break;
	}
	_exit(relay_child_status < 0 ? 1 : relay_child_status);
}

/*
 * The starter keeps of root only what it and its children need before they
 * become their users: to change uid and gid, to empty the shadows' bounding
 * set, to signal shadows of any user, to remove its cgroup. The bounding set
 * stays whole, for the setuid programs users run on the host. Where a
 * subject may act as host root (--allow-root without --user, passthrough, a
 * map to root) its spawner's programs are root's: then the starter keeps
 * root's set. And with SECBIT_NOROOT, uid 0 is no privilege of its own: a
 * program the starter ran would get no capabilities for being root. Its
 * children clear the bit (CAP_SETPCAP) as they become their users
 * (hostd_sandbox_become_user()), so that a setuid-root program a host user
 * runs works as it does outside hostcalld.
 * Returns: 0, or -errno.
 */
static int starter_caps(const struct hostd_config *cfg)
{
	static const int keep[] = {
		CAP_SETUID, CAP_SETGID, CAP_SETPCAP, CAP_KILL,
		CAP_DAC_OVERRIDE,	/* the cgroup's removal (the v1 roots are 0555) */
	};

	if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT) < 0)
		return -errno;
	if (!cfg->uid || hostd_idmap_maps_root(cfg->idmap))
		return 0;
	return hostd_caps_keep(keep, sizeof(keep) / sizeof(keep[0]));
}

/* In the relay: become an ordinary user with no way back. */
static int relay_drop(void)
{
	if (setgroups(0, NULL) < 0 || setresgid(relay_gid, relay_gid, relay_gid) < 0 ||
	    setresuid(relay_uid, relay_uid, relay_uid) < 0)
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -errno;
	if (setuid(0) == 0 || geteuid() == 0)
		return -EPERM;
	return 0;
}

/*
 * As root: fork the relay, which returns here and goes on as the
 * transport, unprivileged; the starter never returns (starter_serve()).
 * Returns: 0 in the relay, or -errno.
 */
static int relay_split(struct hostd_relay *r)
{
	const struct hostd_config *cfg = r->cfg;
	const char *path = cfg->ivshmem_path[0] ? cfg->ivshmem_path : cfg->socket_path;
	struct passwd *pw;
	struct stat st;
	int fd, err;
	pid_t pid;

	/*
	 * Not the shadows' user: their host programs could signal it. nobody,
	 * unless the shadows are nobody: then an id no host user has.
	 */
	pw = getpwnam("nobody");
	if (pw && pw->pw_uid != cfg->uid) {
		relay_uid = pw->pw_uid;
		relay_gid = pw->pw_gid;
	} else {
		for (relay_uid = HOSTD_RELAY_UID; relay_uid > 1000 && getpwuid(relay_uid);
		     relay_uid--)
			;
		relay_gid = relay_uid;
	}
	if (!lstat(path, &st)) {
		relay_sock_dev = st.st_dev;
		relay_sock_ino = st.st_ino;
	}
	pid = hostd_fork_pair(&fd);
	if (pid < 0)
		return pid;
	r->starter = fd;
	if (pid == 0) {
		/* the starter's end is the relay's: and the other way round */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != relay_pid)
			_exit(1);
		close(r->life_w);
		r->life_w = -1;
		if (r->split)
			r->split(r, 1);
		prctl(PR_SET_NAME, "hostcalld-relay", 0, 0, 0);
		err = relay_drop();
		if (err) {
			hostd_log(HOSTD_NAME ": the relay cannot drop its privileges: %s",
				  strerror(-err));
			_exit(1);
		}
		return 0;
	}
	relay_child = pid;
	relay_is_starter = 1;
	/* the transport's fds are the relay's: the starter's shadows find none */
	if (r->child_close)
		r->child_close(r);
	r->child_close = NULL;
	if (r->split)
		r->split(r, 0);
	err = starter_caps(cfg);
	if (err)
		hostd_log(HOSTD_NAME ": the starter keeps root's capabilities: %s",
			  strerror(-err));
	if (cfg->verbose)
		hostd_log(HOSTD_NAME ": relay pid %d runs as uid %u, without privileges",
			  (int)pid, (unsigned int)relay_uid);
	starter_serve(r);
}

int hostd_relay_start(struct hostd_relay *r)
{
	const struct hostd_config *cfg = r->cfg;
	size_t size = sizeof(pid_t) * cfg->max_subjects;
	int err, life[2];
	sigset_t set;

	r->sfd = -1;
	relay_nslots = cfg->max_subjects;
	relay_slots = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (relay_slots == MAP_FAILED) {
		fprintf(stderr, HOSTD_NAME ": subject table (%u slots): %s\n",
			cfg->max_subjects, strerror(errno));
		return -ENOMEM;
	}
	if (cfg->daemon && (err = relay_daemonize()) < 0)
		goto out_unmap;
	relay_pid = getpid();
	hostd_cgroup_setup(cfg);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		err = -errno;
		hostd_log(HOSTD_NAME ": PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
		goto out_unmap;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	r->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (r->sfd < 0) {
		err = -errno;
		hostd_log(HOSTD_NAME ": signalfd: %s", strerror(errno));
		goto out_unmap;
	}
	if (pipe2(life, O_CLOEXEC) < 0) {
		err = -errno;
		hostd_log(HOSTD_NAME ": lifeline pipe: %s", strerror(errno));
		goto out_sfd;
	}
	r->life_r = life[0];
	r->life_w = life[1];
	r->starter = -1;
	/* as root, what parses clients' and guests' bytes runs without it */
	if (geteuid() == 0)
		return relay_split(r);
	return 0;

out_sfd:
	close(r->sfd);
out_unmap:
	hostd_cgroup_cleanup();
	munmap(relay_slots, size);
	return err;
}

/* ---- the Unix-socket transport ---- */

static void relay_unix_child_close(struct hostd_relay *core)
{
	struct relay *r = (struct relay *)core;
	unsigned int i;

	close(r->lsock);
	for (i = 0; i < r->nrefused; i++)
		close(r->refused[i].fd);
}

static void relay_refused_drop(struct relay *r, unsigned int i)
{
	close(r->refused[i].fd);
	memmove(&r->refused[i], &r->refused[i + 1],
		(r->nrefused - i - 1) * sizeof(r->refused[0]));
	r->nrefused--;
}

/*
 * Over the subject limit the client still gets a clear answer: the
 * connection waits (no shadow, no slot) for its HELLO, which is answered
 * -EAGAIN with its op and tag; one that says nothing within
 * RELAY_REFUSED_MS is closed. Past RELAY_REFUSED_MAX such connections the
 * one that has waited longest is closed to make room, so that a client
 * that sends its HELLO at once is answered even while others stay silent.
 */
static void relay_refuse(struct relay *r, int conn, int err)
{
	if (err == -EAGAIN)
		hostd_log(HOSTD_NAME ": too many subjects (%u, see --max-subjects)",
			  r->core.cfg->max_subjects);
	if (fcntl(conn, F_SETFL, O_NONBLOCK) < 0) {
		close(conn);
		return;
	}
	if (r->nrefused == RELAY_REFUSED_MAX)
		relay_refused_drop(r, 0);
	r->refused[r->nrefused].fd = conn;
	r->refused[r->nrefused].err = err;
	clock_gettime(CLOCK_MONOTONIC, &r->refused[r->nrefused].t0);
	r->nrefused++;
}

/* The refused connection @i spoke or hung up: answer its HELLO, or drop it. */
static void relay_refused_input(struct relay *r, unsigned int i)
{
	static char buf[HC_MSG_MAX];
	int fds[HC_SOCK_FDS_MAX], nfds, k, conn = r->refused[i].fd;
	struct hc_msg m;
	ssize_t n;

	n = hc_sock_recv(conn, buf, sizeof(buf), fds, &nfds);
	if (n == -EAGAIN)
		return;
	for (k = 0; n > 0 && k < nfds; k++)
		close(fds[k]);
	if (n > 0 && !hc_decode_hdr(&m, buf, n) && !(m.hflags & HC_HF_REPLY)) {
		m.hflags = HC_HF_REPLY;
		m.result = r->refused[i].err;
		n = hc_encode(&m, buf, sizeof(buf));
		/* a bare header into an empty socket: never blocks */
		if (n > 0)
			hc_sock_send(conn, buf, n, NULL, 0);
	}
	relay_refused_drop(r, i);
}

/* Drop refused connections past their time. Returns: ms until the next is due, or -1. */
static int relay_refused_expire(struct relay *r)
{
	long ms;

	while (r->nrefused) {
		ms = RELAY_REFUSED_MS - relay_ms_since(&r->refused[0].t0);
		if (ms > 0)
			return (int)ms;
		relay_refused_drop(r, 0);
	}
	return -1;
}

static void relay_log_peer(int conn)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);

	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &uc, &len) == 0)
		hostd_log(HOSTD_NAME ": connection from pid %d uid %u gid %u",
			  (int)uc.pid, (unsigned int)uc.uid, (unsigned int)uc.gid);
	else
		hostd_log(HOSTD_NAME ": connection from unknown peer: %s", strerror(errno));
}

/* A new connection: its shadow, or a refusal. Takes @conn. */
static void relay_new_subject(struct relay *r, int conn)
{
	static const struct hostd_claim peer = { .kind = HOSTD_CLAIM_PEER };
	int err;

	if (r->core.cfg->verbose)
		relay_log_peer(conn);
	/* who the client is: its connection says (the starter reads it) */
	err = hostd_relay_new_shadow(&r->core, conn, &peer);
	if (err == -EAGAIN || err == -EACCES) {
		relay_refuse(r, conn, err);
		return;
	}
	close(conn);
}

static void relay_accept(struct relay *r)
{
	struct timespec pause = { 0, 100 * 1000000 };
	int i, conn;

	for (i = 0; i < 64; i++) {
		conn = accept4(r->lsock, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN)
				return;
			hostd_log(HOSTD_NAME ": accept on %s: %s", r->core.cfg->socket_path,
				  strerror(errno));
			/* out of fds or memory: let some subjects end first */
			nanosleep(&pause, NULL);
			return;
		}
		relay_new_subject(r, conn);
	}
}

int hostd_relay_run(const struct hostd_config *cfg)
{
	struct relay r = {
		.core = { .cfg = cfg, .child_close = relay_unix_child_close, .starter = -1 },
	};
	struct pollfd p[3 + RELAY_REFUSED_MAX];
	int err, stop = 0;
	unsigned int i, n;

	r.lsock = hostd_listen(cfg->socket_path, cfg->socket_mode, SOCK_SEQPACKET);
	if (r.lsock < 0)
		return r.lsock;
	err = hostd_relay_start(&r.core);
	if (err)
		goto out_sock;
	if (cfg->verbose)
		hostd_log(HOSTD_NAME ": listening on %s (mode %04o), shadows run as %s "
			  "(uid %u)%s%s", cfg->socket_path, (unsigned int)cfg->socket_mode,
			  cfg->pw_name, (unsigned int)cfg->uid,
			  cfg->root ? ", root " : "", cfg->root ? cfg->root_real : "");

	while (!stop) {
		int timeout = relay_refused_expire(&r);

		p[0] = (struct pollfd){ .fd = r.core.sfd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = r.lsock, .events = POLLIN };
		p[2] = (struct pollfd){ .fd = r.core.starter, .events = POLLIN };
		n = r.nrefused;
		for (i = 0; i < n; i++)
			p[3 + i] = (struct pollfd){ .fd = r.refused[i].fd, .events = POLLIN };
		if (poll(p, 3 + n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			hostd_log(HOSTD_NAME ": poll: %s", strerror(errno));
			break;
		}
		if (p[0].revents)
			stop = hostd_relay_signals(&r.core);
		if (p[2].revents)
			stop |= hostd_relay_starter_input(&r.core);
		if (stop)
			break;
		/* newest first: dropping one moves only those after it */
		for (i = n; i-- > 0; )
			if (p[3 + i].revents)
				relay_refused_input(&r, i);
		if (p[1].revents)
			relay_accept(&r);
	}
	/* no new subjects, then every shadow goes */
	close(r.lsock);
	unlink(cfg->socket_path);
	while (r.nrefused)
		relay_refused_drop(&r, 0);
	hostd_relay_stop(&r.core);
	return 0;

out_sock:
	close(r.lsock);
	unlink(cfg->socket_path);
	return err;
}
