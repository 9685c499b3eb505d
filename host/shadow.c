// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shadow process: one per subject, running as the host user. It owns
 * the subject's connection, decodes each request into private memory,
 * dispatches it through the one op table, and replies. A malformed request
 * gets an error reply; a message that cannot be framed ends the subject.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hostd.h"

struct hostd_opdesc {
	hostd_op_fn *fn;
};

/* The op table: one handler for each op of the list (hc_ops.h). */
#define HOSTD_X_OPDESC(NAME, name, nr, fl, cap) [nr] = { hostd_op_##name },
static const struct hostd_opdesc hostd_ops[HC_OP_MAX] = {
	HC_OP_LIST(HOSTD_X_OPDESC)
};
#undef HOSTD_X_OPDESC

/*
 * How long a shadow has, once told to stop, before its watchdog kills it:
 * under the 1 s in which shadows follow a dead relay, and well within the
 * relay's own grace period (RELAY_STOP_MS).
 */
#define SHADOW_STOP_MS		500

/*
 * SIGTERM, SIGINT or SIGHUP (from the relay, or SIGTERM as parent-death
 * signal): finish and go. The call in progress returns EINTR (no
 * SA_RESTART) and is answered if the connection has room; whatever still
 * holds the shadow after SHADOW_STOP_MS (a retry loop, a stop signal that
 * came just before a poll) is ended by the watchdog: SIGALRM, which the
 * shadow neither catches nor blocks (see hostd_shadow_serve()), so that it
 * terminates the process.
 */
static volatile sig_atomic_t shadow_stop;

static void shadow_on_stop(int sig)
{
	struct itimerval it = {
		.it_value = { SHADOW_STOP_MS / 1000, (SHADOW_STOP_MS % 1000) * 1000 },
	};

	(void)sig;
	if (!shadow_stop)
		setitimer(ITIMER_REAL, &it, NULL);
	shadow_stop = 1;
}

int hostd_reply_fd(struct hostd_req *rq, int fd)
{
	if (rq->nout >= HC_FDS_MAX) {
		close(fd);
		return -EMSGSIZE;
	}
	rq->out_fds[rq->nout++] = fd;
	return 0;
}

/* ---- ops that are about the subject itself ---- */

/*
 * Subject id: the subject's slot in the relay's table + 1 (small, never 0,
 * reused once the subject has ended). A client older than
 * HC_PROTO_VERSION_MIN never gets here: hc_decode() refuses its HELLO
 * (shadow_serve_one()).
 */
hc_s64 hostd_op_hello(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_req_hello *q = &rq->m->req.hello;
	struct hc_rep_hello *r = &rq->rep->rep.hello;

	if (sh->setup_err)
		return sh->setup_err;
	if (q->flags & ~(hc_u32)HC_HELLO_FLAGS)
		return -EINVAL;
	r->version = q->version < HC_PROTO_VERSION ? q->version : HC_PROTO_VERSION;
	r->msg_max = HC_MSG_MAX;
	r->fds_max = HC_FDS_MAX;
	/* identities are the ring relay's to offer (SUBJECT_AS) */
	r->caps = HC_CAPS & ~HC_CAP_IDENTITY;
	sh->keep_handles = !!(q->flags & HC_HELLO_KEEP_HANDLES);
	sh->tell_accepted = !!(q->flags & HC_HELLO_TELL_ACCEPTED);
	/* a subject that cannot have requests in flight is served as before */
	if (q->caps & HC_CAP_INFLIGHT && !sh->inflight && hostd_inflight_hello(sh))
		r->caps &= ~(hc_u64)HC_CAP_INFLIGHT;
	sh->helloed = 1;
	return sh->slot + 1;
}

/*
 * SUBJECT_AS reaches a shadow only on the socket, where a client's identity
 * is its connection's (SO_PEERCRED), never one it claims; the ring's relay
 * serves it itself.
 */
hc_s64 hostd_op_subject_as(struct hostd_shadow *sh, struct hostd_req *rq)
{
	(void)sh, (void)rq;
	return -EPERM;
}

/* The subject ends: the serve loop exits once this reply is sent. */
hc_s64 hostd_op_bye(struct hostd_shadow *sh, struct hostd_req *rq)
{
	(void)rq;
	sh->bye = 1;
	return 0;
}

/* In the short-lived middle process of a fork-subject: see below. */
static void __attribute__((noreturn))
fork_middle(struct hostd_shadow *sh, struct hostd_req *rq, int sv[2],
	    unsigned int slot, pid_t owner, int spawner)
{
	pid_t mid = getpid(), pid;
	int i;

	pid = fork();
	if (pid < 0)
		_exit(1);
	if (pid == 0) {
		close(sv[1]);
		close(sh->conn);
		for (i = 0; i < rq->nin; i++)
			close(rq->in_fds[i]);
		sh->conn = sv[0];
		sh->slot = slot;
		/* the new subject inherits the handshake its parent made */
		sh->helloed = 1;
		/* the parent subject's host processes are not this one's,
		 * and its own spawner starts this one's */
		hostd_procs_inherit(sh, spawner);
		hostd_inflight_forget(sh);
		hostd_relay_watch(mid);
		if (sh->cfg->verbose)
			hostd_log(HOSTD_NAME ": subject %u: shadow pid %d, forked",
				  slot + 1, (int)getpid());
		hostd_shadow_serve(sh);
	}
	if (hostd_slot_fill(slot, owner, pid)) {
		kill(pid, SIGKILL);
		_exit(1);
	}
	_exit(0);
}

/*
 * The new shadow is a fork of this one, so it inherits the cwd, the handles
 * and the set of opened files (and the sandbox). It is double-forked (this
 * shadow -> a middle process -> the new shadow; the middle one fills the
 * slot we reserved and exits) so that the new shadow is reparented to the
 * relay, the child subreaper, which reaps every shadow and can stop them
 * all. A sandboxed shadow cannot make a spawner that is not: the new
 * subject's spawner is forked by this subject's.
 */
hc_s64 hostd_op_fork_subject(struct hostd_shadow *sh, struct hostd_req *rq)
{
	pid_t me = getpid(), mid;
	int sv[2], slot, status, err, spawner;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	slot = hostd_slot_reserve(me);
	if (slot < 0) {
		err = slot;
		hostd_log(HOSTD_NAME ": subject %u: fork-subject: too many subjects "
			  "(%u, see --max-subjects)", sh->slot + 1, sh->cfg->max_subjects);
		goto out_close;
	}
	spawner = hostd_spawner_new(sh, slot);
	if (spawner < 0 && spawner != -ENOENT)
		hostd_log(HOSTD_NAME ": subject %u: fork-subject: no spawner for subject "
			  "%d: %s (it cannot start host programs)", sh->slot + 1, slot + 1,
			  strerror(-spawner));
	mid = fork();
	if (mid < 0) {
		err = -errno;
		goto out_spawner;
	}
	if (mid == 0)
		fork_middle(sh, rq, sv, slot, me, spawner);
	while (waitpid(mid, &status, 0) < 0)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		err = -EAGAIN;
		goto out_spawner;
	}
	if (spawner >= 0)
		close(spawner);
	close(sv[0]);
	err = hostd_reply_fd(rq, sv[1]);
	return err ? err : slot + 1;

out_spawner:
	if (spawner >= 0)
		close(spawner);
	hostd_slot_release(slot, me);
out_close:
	close(sv[0]);
	close(sv[1]);
	return err;
}

/* ---- set-up ---- */

/*
 * In this order: the bounding set can only be emptied while the shadow
 * still has CAP_SETPCAP (as root, before the uid changes; not root,
 * no_new_privs alone keeps setuid programs from raising it); a change of
 * uid makes a process non-dumpable only when it leaves root, so that is
 * set explicitly. The seccomp filter comes last, once set-up is done.
 */
static int shadow_drop_privileges(const struct hostd_config *cfg)
{
	int err = 0;

	if (geteuid() == 0)
		err = hostd_sandbox_drop_bounding();
	if (!err)
		err = hostd_sandbox_become_user(cfg);
	if (!err)
		err = hostd_sandbox_root_caps();
	if (!err)
		err = hostd_sandbox_lock();
	return err;
}

/* hostcalld's stdin and stdout (a terminal, maybe) are none of a shadow's
 * business; stderr stays, for the log. */
static void shadow_close_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	close(fd);
}

static int shadow_setup(struct hostd_shadow *sh)
{
	const struct hostd_config *cfg = sh->cfg;
	struct sigaction sa = { .sa_handler = shadow_on_stop };
	int err;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/*
	 * The spawner first, while this process is as hostcalld made it: it
	 * becomes the user itself but keeps what a user's programs need (the
	 * bounding set, no no_new_privs). Under --root there is none: host
	 * programs would run outside the root.
	 */
	sh->spawner = -1;
	if (!cfg->root) {
		sh->spawner = hostd_spawner_start(sh);
		if (sh->spawner < 0) {
			hostd_log(HOSTD_NAME ": subject %u: cannot start its spawner: %s "
				  "(it cannot start host programs)", sh->slot + 1,
				  strerror(-sh->spawner));
			sh->spawner = -1;
		}
	}
	shadow_close_stdio();
	err = shadow_drop_privileges(cfg);
	if (err) {
		hostd_log(HOSTD_NAME ": subject %u: cannot become user %s (uid %u) "
			  "in its sandbox: %s", sh->slot + 1, cfg->pw_name,
			  (unsigned int)cfg->uid, strerror(-err));
		return err;
	}
	/* after the drop: a change of credentials clears the parent-death signal */
	hostd_relay_watch(0);
	sh->inbuf = malloc(HC_MSG_MAX);
	sh->outbuf = malloc(HC_MSG_MAX);
	sh->scratch = malloc(HC_MSG_MAX);
	if (!sh->inbuf || !sh->outbuf || !sh->scratch || hostd_handles_init(sh)) {
		hostd_log(HOSTD_NAME ": subject %u: out of memory", sh->slot + 1);
		return -ENOMEM;
	}
	/*
	 * Clients apply their own umask to the modes they send (the guest
	 * kernel's VFS does, and so does libhostcall), so the shadow creates
	 * files with exactly the mode asked for; spawned host programs get
	 * hostcalld's umask back.
	 */
	sh->umask = umask(0);
	/* a shadow that cannot enter the export still answers HELLO, with why */
	sh->setup_err = hostd_cwd_init(sh);
	return 0;
}

/* Last in set-up: from here on the shadow runs under its seccomp filter. */
static int shadow_sandbox(struct hostd_shadow *sh)
{
	int err = hostd_sandbox_seccomp(sh->cfg->seccomp);

	if (err)
		hostd_log(HOSTD_NAME ": subject %u: cannot install the seccomp filter: %s "
			  "(--seccomp off runs without it)", sh->slot + 1, strerror(-err));
	return err;
}

void hostd_shadow_run(const struct hostd_config *cfg, int conn, int lifeline,
		      unsigned int slot)
{
	static struct hostd_shadow sh;

	sh.cfg = cfg;
	sh.conn = conn;
	sh.lifeline = lifeline;
	sh.slot = slot;
	sh.flight_efd = -1;
	if (shadow_setup(&sh) || shadow_sandbox(&sh))
		_exit(1);
	hostd_shadow_serve(&sh);
}

/* ---- serving ---- */

/*
 * The header's fd count must be what came, within the protocol's limit, and
 * only an op that takes fds (HC_OPF_FDS) may have any.
 */
static hc_s64 shadow_dispatch(struct hostd_shadow *sh, struct hostd_req *rq)
{
	const struct hc_msg *m = rq->m;

	if (m->hflags & HC_HF_REPLY)
		return -EBADMSG;
	if ((m->hflags & HC_HF_NFDS_MASK) != rq->nin || rq->nin > HC_FDS_MAX)
		return -EBADMSG;
	if (m->op >= HC_OP_MAX || !hostd_ops[m->op].fn)
		return -ENOSYS;
	if (rq->nin && !hostd_op_has(m->op, HC_OPF_FDS))
		return -EBADMSG;
	if (!sh->helloed && m->op != HC_OP_HELLO)
		return -EPROTO;
	if (sh->inflight) {
		/* replies are told apart by their tags */
		if (hostd_inflight_busy(sh, m->tag))
			return -EINVAL;
		rq->may_park = hostd_op_has(m->op, HC_OPF_BLOCKS) &&
			       sh->nflights < HOSTD_INFLIGHT_MAX;
	}
	return hostd_ops[m->op].fn(sh, rq);
}

/*
 * A HELLO that hc_decode() refused as too old: the client is answered
 * -EPROTONOSUPPORT, a bare error reply that every version decodes, and the
 * log says once per subject what to update.
 */
static void shadow_log_old_client(struct hostd_shadow *sh, const struct hc_msg *m)
{
	if (sh->told_old)
		return;
	sh->told_old = 1;
	hostd_log(HOSTD_NAME ": subject %u: hello: client speaks protocol version %u, "
		  "this hostcalld speaks %u: update libhostcall and hostcall.ko to "
		  "this hostcalld's release", sh->slot + 1,
		  (unsigned int)m->req.hello.version, HC_PROTO_VERSION);
}

/* A client's string, quoted for the log: no control bytes, bounded. */
static const char *log_str(const char *s, char *buf, size_t cap)
{
	size_t o = 0;

	if (!s)
		return "";
	buf[o++] = ' ';
	buf[o++] = '"';
	for (; *s && o + 8 < cap; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '"' || *s == '\\')
			o += snprintf(buf + o, cap - o, "\\x%02x", (unsigned char)*s);
		else
			buf[o++] = *s;
	if (*s)
		o += snprintf(buf + o, cap - o, "...");
	buf[o++] = '"';
	buf[o] = 0;
	return buf;
}

/*
 * The request's strings as the log shows them: its first two PATH and NAME
 * fields, or for an op with a string vector (SPAWN) just its first string,
 * the program. Only for a request that decoded: a field of one that did not
 * may not end where it says.
 */
/* The ops the audit trail records: they change the host or run something there. */
static int shadow_audited(unsigned int op)
{
	switch (op) {
	case HC_OP_OPENAT: case HC_OP_MKDIRAT: case HC_OP_MKNODAT:
	case HC_OP_UNLINKAT: case HC_OP_RENAMEAT2: case HC_OP_SYMLINKAT:
	case HC_OP_LINKAT: case HC_OP_FCHMODAT: case HC_OP_FCHOWNAT:
	case HC_OP_TRUNCATE: case HC_OP_SETXATTR: case HC_OP_REMOVEXATTR:
	case HC_OP_SPAWN: case HC_OP_KILL: case HC_OP_HELLO:
		return 1;
	default:
		return 0;
	}
}

static void shadow_log_op(struct hostd_shadow *sh, const struct hc_msg *m,
			  int decoded, hc_s64 res)
{
	const struct hc_field *f = decoded ? hc_op_fields(m->op, 0) : NULL;
	const char *name = hc_op_name(m->op), *str[2] = { NULL, NULL };
	char b1[300], b2[300];
	int n = 0;

	for (; f && f->type != HC_T_END && n < 2; f++) {
		const void *p = (const char *)m + f->off;
		hc_u32 pos = 0;

		if (f->type == HC_T_PATH || f->type == HC_T_NAME) {
			str[n++] = *(const char *const *)p;
		} else if (f->type == HC_T_STRV) {
			str[0] = hc_strv_next(p, &pos);
			str[1] = NULL;
			break;
		}
	}
	if (sh->cfg->verbose)
		hostd_log(HOSTD_NAME ": subject %u: %s%s%s = %lld%s%s",
			  sh->slot + 1, name ? name : "?",
			  log_str(str[0], b1, sizeof(b1)), log_str(str[1], b2, sizeof(b2)),
			  (long long)res, res < 0 ? " " : "",
			  res < 0 ? strerror((int)-res) : "");
	if (sh->cfg->audit_fd >= 0 && decoded && shadow_audited(m->op))
		hostd_audit(sh->cfg, sh->slot + 1, "%s%s%s = %lld%s%s", name,
			    log_str(str[0], b1, sizeof(b1)), log_str(str[1], b2, sizeof(b2)),
			    (long long)res, res < 0 ? " " : "",
			    res < 0 ? strerror((int)-res) : "");
}

static void close_fds(int *fds, int *n)
{
	int i;

	for (i = 0; i < *n; i++)
		close(fds[i]);
	*n = 0;
}

/*
 * Send on the shadow's connection, which is non-blocking: wait for room
 * while the relay lives and no stop came. A client that stops reading
 * therefore holds its shadow only until hostcalld stops or dies; then the
 * reply is dropped (the subject is ending anyway).
 */
static int shadow_send(struct hostd_shadow *sh, const void *buf, size_t len,
		       const int *fds, int nfds)
{
	int err;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = sh->conn, .events = POLLOUT },
			{ .fd = sh->lifeline, .events = POLLIN },
		};

		err = hc_sock_send(sh->conn, buf, len, fds, nfds);
		if (err != -EAGAIN)
			return err;
		if (shadow_stop)
			return -ESHUTDOWN;
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return -errno;
		if (p[1].revents)	/* the relay is gone */
			return -ESHUTDOWN;
	}
}

/* Send the reply; a reply that cannot be encoded becomes its error. */
static int shadow_reply(struct hostd_shadow *sh, struct hostd_req *rq, hc_s64 res)
{
	struct hc_msg *rep = rq->rep;
	int len, err;

	if (res < 0)
		close_fds(rq->out_fds, &rq->nout);
	rep->op = rq->m->op;
	rep->tag = rq->m->tag;
	rep->subject = sh->slot + 1;
	rep->result = res;
	rep->hflags = HC_HF_REPLY | rq->nout;
	len = hc_encode(rep, sh->outbuf, HC_MSG_MAX);
	if (len < 0) {
		hostd_log(HOSTD_NAME ": subject %u: %s: cannot encode the reply: %s",
			  sh->slot + 1, hc_op_name(rep->op), strerror(-len));
		close_fds(rq->out_fds, &rq->nout);
		rep->result = len;
		rep->hflags = HC_HF_REPLY;
		len = hc_encode(rep, sh->outbuf, HC_MSG_MAX);
		if (len < 0)
			return len;
	}
	err = shadow_send(sh, sh->outbuf, len, rq->out_fds, rq->nout);
	close_fds(rq->out_fds, &rq->nout);
	return err;
}

/*
 * Tell the peer (the ring's relay) that request @m is in flight, so that it
 * can give the request's slot back to the guest: HC_HF_ACCEPTED.
 */
static int shadow_accepted(struct hostd_shadow *sh, const struct hc_msg *m)
{
	struct hc_msg n = {
		.op = m->op, .hflags = HC_HF_REPLY | HC_HF_ACCEPTED,
		.tag = m->tag, .subject = sh->slot + 1,
	};
	int len = hc_encode(&n, sh->outbuf, HC_MSG_MAX);

	return len < 0 ? len : shadow_send(sh, sh->outbuf, len, NULL, 0);
}

int hostd_reply_late(struct hostd_shadow *sh, struct hostd_req *rq, hc_s64 res)
{
	if (sh->cfg->verbose || sh->cfg->audit_fd >= 0)
		shadow_log_op(sh, rq->m, 1, res);
	return shadow_reply(sh, rq, res);
}

/*
 * recvmsg() gives 0 both for an empty SOCK_SEQPACKET record and at EOF: it
 * was EOF if the peer has shut down its side.
 */
static int shadow_peer_gone(struct hostd_shadow *sh)
{
	struct pollfd p = { .fd = sh->conn, .events = POLLIN | POLLRDHUP };

	return poll(&p, 1, 0) != 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* Serve one message. Returns: 0, or -errno when the subject must end. */
static int shadow_serve_one(struct hostd_shadow *sh)
{
	struct hc_msg m = { 0 }, rep = { 0 };
	struct hostd_req rq = { .m = &m, .rep = &rep };
	ssize_t n;
	hc_s64 res;
	int err, decoded;

	n = hc_sock_recv(sh->conn, sh->inbuf, HC_MSG_MAX, rq.in_fds, &rq.nin);
	if (n == -EAGAIN)
		return 0;
	if (n == 0 && !shadow_peer_gone(sh)) {
		/* an empty record: nothing to frame or decode, no tag to echo */
		if (sh->cfg->verbose)
			hostd_log(HOSTD_NAME ": subject %u: an empty record: answered "
				  "EBADMSG (op 0, tag 0)", sh->slot + 1);
		return shadow_reply(sh, &rq, -EBADMSG);
	}
	if (n <= 0) {
		if (n < 0 && n != -ECONNRESET)
			hostd_log(HOSTD_NAME ": subject %u: receive: %s%s", sh->slot + 1,
				  strerror((int)-n), n == -EBADMSG ?
				  " (message over 128 KiB or too many fds): closing" : "");
		return n ? (int)n : -ECONNRESET;
	}
	if (hc_decode_hdr(&m, sh->inbuf, n)) {
		if (sh->cfg->verbose)
			hostd_log(HOSTD_NAME ": subject %u: message of %zd bytes without "
				  "a valid header: closing", sh->slot + 1, n);
		close_fds(rq.in_fds, &rq.nin);
		return -EBADMSG;
	}
	res = hc_decode(&m, sh->inbuf, n);
	decoded = res == 0;
	if (decoded)
		res = shadow_dispatch(sh, &rq);
	else if (res == -EPROTONOSUPPORT && m.op == HC_OP_HELLO)
		shadow_log_old_client(sh, &m);
	if (res == HOSTD_PARKED) {
		/* answered when it completes (inflight.c), logged then */
		close_fds(rq.in_fds, &rq.nin);
		return sh->tell_accepted ? shadow_accepted(sh, &m) : 0;
	}
	if (sh->cfg->verbose || sh->cfg->audit_fd >= 0)
		shadow_log_op(sh, &m, decoded, res);
	err = shadow_reply(sh, &rq, res);
	close_fds(rq.in_fds, &rq.nin);
	return err;
}

/* The stop watchdog's signal must end the process (shadow_on_stop()). */
static void shadow_watchdog_init(void)
{
	sigset_t alrm;

	signal(SIGALRM, SIG_DFL);
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigprocmask(SIG_UNBLOCK, &alrm, NULL);
}

/* ms until the HELLO deadline: -1 for none (or once HELLO is done), 0 past it. */
static int shadow_hello_left(struct hostd_shadow *sh, const struct timespec *t0)
{
	struct timespec now;
	long ms;

	if (sh->helloed || !sh->cfg->hello_timeout)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = sh->cfg->hello_timeout * 1000L - ((now.tv_sec - t0->tv_sec) * 1000 +
					       (now.tv_nsec - t0->tv_nsec) / 1000000);
	return ms > 0 ? (int)ms : 0;
}

/*
 * When the subject goes (EOF, BYE, no HELLO within --hello-timeout, a stop,
 * the relay's death), its host processes get SIGHUP in their process
 * groups, as a terminal hangup would give them; handles close with the
 * process.
 */
void hostd_shadow_serve(struct hostd_shadow *sh)
{
	struct timespec t0;
	int left;

	shadow_watchdog_init();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* never block in a send or receive: see shadow_send() */
	fcntl(sh->conn, F_SETFL, fcntl(sh->conn, F_GETFL) | O_NONBLOCK);
	for (;;) {
		struct pollfd p[2 + HOSTD_INFLIGHT_MAX + 1] = {
			{ .fd = sh->conn, .events = POLLIN },
			{ .fd = sh->lifeline, .events = POLLIN },
		};
		int r, nf;

		if (shadow_stop)
			break;
		left = shadow_hello_left(sh, &t0);
		if (left == 0) {
			if (sh->cfg->verbose)
				hostd_log(HOSTD_NAME ": subject %u: no HELLO within %u s "
					  "(--hello-timeout): closing", sh->slot + 1,
					  sh->cfg->hello_timeout);
			break;
		}
		/* requests in flight: their completions, parked WAITs */
		nf = hostd_inflight_poll(sh, p + 2, &left);
		r = poll(p, 2 + nf, left);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)	/* the relay is gone */
			break;
		if (nf && hostd_inflight_events(sh, p + 2, nf) < 0)
			break;
		if (p[0].revents & POLLIN) {
			if (shadow_serve_one(sh) < 0 || sh->bye)
				break;
		} else if (p[0].revents) {
			break;
		}
	}
	hostd_procs_hangup(sh);
	_exit(0);
}
