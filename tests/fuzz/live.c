// SPDX-License-Identifier: GPL-2.0-only
/*
 * The live fuzz driver: a client that speaks the protocol to a running
 * hostcalld (a sanitizer build, started by tests/fuzz/live.sh) and sends it
 * mutated requests. Each one starts as a valid request of a random op
 * (msgs.c, the real encoder); its fields are then changed (handles the
 * shadow gave out and bogus ones, tricky paths, odd lengths, offsets and
 * flags; each field its op lists in hc_op_fields(), by type and name) and
 * sometimes its bytes (bit flips, cuts, a wrong length or fd count), and up
 * to HC_SOCK_FDS_MAX fds of several kinds may ride along. Forked subjects,
 * the handles and pids of host programs it started, and connections that
 * say HELLO in version 2 are used too.
 *
 *   live SOCKET COUNT SECONDS PID LOGDIR [SEED]
 *
 * Sends COUNT requests or for SECONDS, whichever ends first. Fails (exit 1)
 * when hostcalld (PID) dies, when LOGDIR (the sanitizers' log_path
 * directory) gets a file, when a well-formed request is answered with a
 * reply that does not match it, when a version-2 HELLO is not answered
 * -EPROTONOSUPPORT, or when hostcalld stops accepting subjects.
 * A subject whose shadow does not answer within 3 s (a blocked call) is
 * dropped and counted.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "hc_sock.h"
#include "msgs.h"

#define SUBJECTS_MAX	4
#define HANDLES_MAX	32
#define REPLY_MS	3000

#define GOT_FDS_MAX	8
#define PIDS_MAX	8

struct subject {
	int sock;
	hc_s32 handles[HANDLES_MAX];	/* handles this shadow gave out */
	int nhandles;
	int got[GOT_FDS_MAX];		/* fds it opened for us (OPENAT) */
	int ngot;
	hc_s32 pids[PIDS_MAX];		/* host programs it started (SPAWN) */
	int npids;
};

static struct subject subs[SUBJECTS_MAX];
static int nsubs;
static const char *sock_path;
static hc_u32 next_tag = 1;
static hc_u64 rng = 0x9e3779b97f4a7c15ull;
static unsigned char wbuf[HC_MSG_MAX + 64], rbuf[HC_MSG_MAX];

static struct {
	long sent, replies, wellformed, closes, timeouts, forks, unexpected, v2, spawned;
} cnt;

static hc_u32 rnd(hc_u32 n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (hc_u32)(rng % n) : (hc_u32)rng;
}

static int chance(int one_in)
{
	return rnd(one_in) == 0;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "live: FAIL: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (after %ld requests)\n", cnt.sent);
	exit(1);
}

/* Wait for one message; returns its length, 0 at EOF, -ETIMEDOUT. */
static ssize_t recv_one(int s, int *fds, int *nfds)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	int r = poll(&p, 1, REPLY_MS);

	*nfds = 0;
	if (r == 0)
		return -ETIMEDOUT;
	if (r < 0)
		return -errno;
	return hc_sock_recv(s, rbuf, sizeof(rbuf), fds, nfds);
}

static void close_fds(int *fds, int n)
{
	while (n-- > 0)
		close(fds[n]);
}

static hc_u32 rnd(hc_u32 n);
static int chance(int one_in);

static int sock_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("connect %s: %s", sock_path, strerror(errno));
	return s;
}

/*
 * A client of version 2 says HELLO as version 2 did (the header, u32
 * version 2, u32 flags): hostcalld must answer -EPROTONOSUPPORT in a bare
 * error reply, which every version decodes. EAGAIN (the subject limit, full
 * of dropped subjects still going) is retried.
 */
static void v2_hello(void)
{
	unsigned char b[HC_HDR_SIZE + 8] = { HC_HDR_SIZE + 8, 0, 0, 0, HC_OP_HELLO };
	int s, fds[HC_SOCK_FDS_MAX], nfds, tries;
	struct hc_msg r;
	hc_u32 tag;
	ssize_t n;

	for (tries = 0; tries < 50; tries++) {
		s = sock_connect();
		tag = next_tag++;
		for (int i = 0; i < 4; i++)
			b[8 + i] = (tag >> (8 * i)) & 0xff;
		b[HC_HDR_SIZE] = 2;			/* version 2 */
		b[HC_HDR_SIZE + 4] = rnd(2);		/* HC_HELLO_KEEP_HANDLES or not */
		if (hc_sock_send(s, b, sizeof(b), NULL, 0))
			die("sending a version-2 HELLO: %s", strerror(errno));
		n = recv_one(s, fds, &nfds);
		close(s);
		if (n <= 0)
			die("a version-2 HELLO was not answered: %s",
			    n ? strerror((int)-n) : "EOF");
		close_fds(fds, nfds);
		if (n != HC_HDR_SIZE || hc_decode(&r, rbuf, n) || !(r.hflags & HC_HF_REPLY) ||
		    r.op != HC_OP_HELLO || r.tag != tag || nfds)
			die("a version-2 HELLO answered with %zd bytes that are not a bare "
			    "error reply to it", n);
		if (r.result == -EAGAIN) {
			usleep(100000);
			continue;
		}
		if (r.result != -EPROTONOSUPPORT)
			die("a version-2 HELLO answered %lld, not -EPROTONOSUPPORT",
			    (long long)r.result);
		cnt.v2++;
		return;
	}
	die("a version-2 HELLO got only EAGAIN");
}

/*
 * A new subject: connect and HELLO; hostcalld must accept it. Half of them
 * ask for HC_HELLO_KEEP_HANDLES, as a VM's do: then every opened file is a
 * handle that READ, WRITE and the others take. Now and then a client of
 * version 2 tries first.
 */
static void subject_new(void)
{
	struct hc_msg m = { .op = HC_OP_HELLO }, r;
	int s, fds[HC_SOCK_FDS_MAX], nfds, len, tries;
	ssize_t n = 0;

	if (chance(20))
		v2_hello();
	m.req.hello = (struct hc_req_hello){
		HC_PROTO_VERSION, rnd(2) ? HC_HELLO_KEEP_HANDLES : 0, HC_CAPS };
	for (tries = 0; tries < 50; tries++) {
		s = sock_connect();
		m.tag = next_tag++;
		len = hc_encode(&m, wbuf, sizeof(wbuf));
		if (hc_sock_send(s, wbuf, len, NULL, 0) == 0 &&
		    (n = recv_one(s, fds, &nfds)) > 0)
			break;
		close(s);
		usleep(100000);	/* the subject limit: dropped subjects still go */
	}
	if (n <= 0)
		die("hostcalld accepts no subject: %s", n ? strerror((int)-n) : "EOF");
	close_fds(fds, nfds);
	if (hc_decode(&r, rbuf, n) || !(r.hflags & HC_HF_REPLY) || r.op != HC_OP_HELLO ||
	    r.tag != m.tag || r.result < 1)
		die("HELLO answered with %lld", (long long)r.result);
	if (r.rep.hello.version != HC_PROTO_VERSION || r.rep.hello.msg_max < HC_DATA_MAX ||
	    r.rep.hello.fds_max > HC_FDS_MAX || (r.rep.hello.caps & ~HC_CAPS))
		die("HELLO answered version %u, msg_max %u, fds_max %u, caps %#llx",
		    r.rep.hello.version, r.rep.hello.msg_max, r.rep.hello.fds_max,
		    (unsigned long long)r.rep.hello.caps);
	subs[nsubs] = (struct subject){ .sock = s };
	nsubs++;
}

static void subject_drop(int k)
{
	close(subs[k].sock);
	close_fds(subs[k].got, subs[k].ngot);
	subs[k] = subs[--nsubs];
	if (!nsubs)
		subject_new();
}

/* ---- mutations ---- */

static const char *const paths[] = {
	"", ".", "..", "../..", "/", "//", "f", "f/", "d", "d/", "d/x", "d/../f", "l",
	"l/", "new", "d/new", "/etc/passwd", "../../../etc/shadow", "/proc/self/root",
	"/proc/self/fd/0", "/proc/self/cwd/..", "/dev/null", "/dev/kmsg", "abs",
	"up/x", "d/./././x", "\xff\xfe", "f\nname",
};

static const hc_u64 odd64[] = {
	0, 1, 4095, 4096, HC_DATA_MAX, HC_DATA_MAX + 1, HC_MSG_MAX, HC_MSG_MAX + 1,
	0x7fffffff, 0x80000000u, 0xffffffffu, 1ull << 32, 0x7fffffffffffffffull,
	0x8000000000000000ull, ~0ull, ~0ull - 1,
};

static const hc_u32 odd32[] = {
	0, 1, 2, 3, 7, 8, 255, 256, 0x100, 0x200, 0x400, 0x1000, 0xffff, 0x10000,
	0x7fffffff, 0x80000000u, 0xfffffffeu, 0xffffffffu, HC_O_RDWR | HC_O_CREAT,
	HC_O_PATH, HC_O_TMPFILE | HC_O_RDWR, HC_O_DIRECTORY, 0100000 | 0644, 0010000 | 0644,
	0020000 | 0644, 0060000 | 0644, 04755, 06777,
};

static hc_s32 pick_handle(struct subject *sb)
{
	static const hc_s32 odd[] = { HC_AT_FDCWD, HC_HANDLE_PASSED, HC_HANDLE_NONE, -1,
				      0, 1, 2, 3, 1023, 1024, 0x7ffffffe,
				      (hc_s32)0x80000000 };

	if (sb->nhandles && chance(2))
		return sb->handles[rnd(sb->nhandles)];
	return odd[rnd(sizeof(odd) / sizeof(odd[0]))];
}

static hc_u64 pick64(void)
{
	return chance(3) ? ((hc_u64)rnd(0) << 32 | rnd(0)) : odd64[rnd(sizeof(odd64) / 8)];
}

static hc_u32 pick32(void)
{
	return chance(3) ? rnd(0) : odd32[rnd(sizeof(odd32) / sizeof(odd32[0]))];
}

static const char *pick_path(char *own, size_t cap)
{
	switch (rnd(8)) {
	case 0: {	/* long, or many components */
		size_t n = chance(2) ? HC_PATH_MAX - rnd(3) : 1 + rnd(cap - 1);
		size_t i;

		if (n >= cap)
			n = cap - 1;
		for (i = 0; i < n; i++)
			own[i] = chance(2) && i % 2 ? '/' : "a.b"[rnd(3)];
		own[n] = 0;
		return own;
	}
	case 1: {	/* a name of NAME_MAX, +1 */
		size_t n = HC_NAME_MAX + rnd(2);

		memset(own, 'n', n);
		own[n] = 0;
		return own;
	}
	default:
		return paths[rnd(sizeof(paths) / sizeof(paths[0]))];
	}
}

static hc_s32 pick_pid(struct subject *sb)
{
	static const hc_s32 odd[] = { 4242, 1, 0, -1, 0x7fffffff, (hc_s32)0x80000000 };

	if (sb->npids && !chance(3))
		return sb->pids[rnd(sb->npids)];
	return chance(2) ? (hc_s32)pick32() : odd[rnd(sizeof(odd) / sizeof(odd[0]))];
}

#define PATHS_MAX	4	/* path fields one request may have mutated */

/*
 * Change the fields of a valid request @m, each its op lists, by type and
 * name; @own: room for made-up paths, @data for a blob.
 */
static void mutate_fields(struct hc_msg *m, struct subject *sb,
			  char (*own)[HC_PATH_MAX + 8], unsigned char *data)
{
	static const char *const names[] = {
		"user.x", "user.fuzz0", "trusted.x", "security.capability",
		"system.posix_acl_access", "system.posix_acl_default", "x", "user.",
	};
	static const hc_u32 fdnums[] = { 0, 1, 2, 3, 4, 5, 7, 9, 255, 1023, 1024, 0xffffffffu };
	static const char env[] = "PATH=/nonexistent\0LD_PRELOAD=/nonexistent.so";
	const struct hc_field *f = hc_op_fields(m->op, 0);
	int spawn = m->op == HC_OP_SPAWN, nhandle = 0, npath = 0;
	hc_u32 i, n;

	for (; f && f->type != HC_T_END; f++) {
		void *p = (char *)m + f->off;

		switch (f->type) {
		case HC_T_S32:
			if (strstr(f->name, "fd")) {
				if (chance(nhandle++ ? 3 : 2))
					*(hc_s32 *)p = pick_handle(sb);
			} else if (!strcmp(f->name, "pid")) {
				if (chance(2))
					*(hc_s32 *)p = pick_pid(sb);
			} else if (chance(3)) {
				*(hc_s32 *)p = (hc_s32)pick32();
			}
			break;
		case HC_T_U32:
			if (!chance(!strcmp(f->name, "uid") || !strcmp(f->name, "gid") ? 5 : 3))
				break;
			if (spawn && strstr(f->name, "_mode"))
				*(hc_u32 *)p = rnd(6);	/* HC_STDIO_* and one past */
			else if (spawn && !strcmp(f->name, "flags") && !chance(4))
				*(hc_u32 *)p = rnd(2 * HC_SPAWN_FLAGS + 2);
			else
				*(hc_u32 *)p = pick32();
			break;
		case HC_T_U64:
		case HC_T_S64:
			if (chance(3))
				*(hc_u64 *)p = pick64();
			break;
		case HC_T_TIME:
			if (chance(4)) {
				struct hc_timespec *t = p;

				t->sec = (hc_s64)pick64();
				t->nsec = chance(2) ? pick32() : chance(2) ? HC_UTIME_OMIT
									   : HC_UTIME_NOW;
			}
			break;
		case HC_T_LOCK:
			if (chance(4)) {
				struct hc_lock *l = p;

				l->type = rnd(4);
				l->whence = rnd(6);
				l->start = (hc_s64)pick64();
				l->len = (hc_s64)pick64();
			}
			break;
		case HC_T_PATH:
			if (npath < PATHS_MAX && chance(npath ? 3 : 2))
				*(const char **)p = pick_path(own[npath], HC_PATH_MAX + 8);
			npath++;
			break;
		case HC_T_NAME:
			if (chance(3))
				*(const char **)p = names[rnd(sizeof(names) / sizeof(names[0]))];
			break;
		case HC_T_BLOB:
			if (chance(3)) {
				n = chance(8) ? HC_DATA_MAX - rnd(2) : rnd(4096);
				for (i = 0; i < n; i++)
					data[i] = (unsigned char)rnd(256);
				*(struct hc_blob *)p = (struct hc_blob){ data, n };
			}
			break;
		case HC_T_STRV:
			/* the program stays /bin/true; only its environment varies */
			if (!strcmp(f->name, "envp") && chance(3))
				*(struct hc_strv *)p = (struct hc_strv){ env, sizeof(env), 2 };
			break;
		case HC_T_U32V:
			if (chance(4)) {
				struct hc_u32v *v = p;

				v->n = rnd(HC_FDS_MAX + 2);	/* one past: no encoding */
				for (i = 0; i < v->n && i < HC_FDS_MAX; i++)
					v->v[i] = chance(2) ? 3 + i * 2 + rnd(2) :
						  fdnums[rnd(sizeof(fdnums) / sizeof(fdnums[0]))];
			}
			break;
		}
	}
	/* keep blocking calls short: a lock another subject holds, a wait */
	if (m->op == HC_OP_LOCK && m->req.lock.cmd == HC_F_SETLKW && !chance(8))
		m->req.lock.cmd = HC_F_SETLK;
	if (m->op == HC_OP_FLOCK && !chance(8))
		m->req.flock.operation |= HC_LOCK_NB;
	if (m->op == HC_OP_WAIT && !chance(4))
		m->req.wait.flags |= HC_WAIT_NOHANG;
	/* a FIFO would block the next open of it */
	if (m->op == HC_OP_MKNODAT && (m->req.mknodat.mode & 0170000) == 0010000 && !chance(8))
		m->req.mknodat.mode &= ~0170000u;
}

/* Change the bytes of an encoded message; returns the new length. */
static size_t mutate_bytes(unsigned char *b, size_t n, size_t cap)
{
	int k, times = 1 + rnd(4);

	for (k = 0; k < times; k++) {
		size_t at = n > 4 ? 4 + rnd(n - 4) : 0;

		switch (rnd(6)) {
		case 0:
			if (at < n)
				b[at] ^= 1u << rnd(8);
			break;
		case 1:
			if (at < n)
				b[at] = (unsigned char)(chance(2) ? 0xff : rnd(256));
			break;
		case 2:	/* cut */
			n = rnd(n + 1);
			break;
		case 3:	/* grow */
			while (n < cap && !chance(16))
				b[n++] = (unsigned char)rnd(256);
			break;
		case 4:	/* a u32 that might be a length */
			if (at + 4 <= n) {
				hc_u32 v = (hc_u32)pick64();

				memcpy(b + at, &v, 4);
			}
			break;
		default: /* the fd count, the reply bit */
			if (n >= 8)
				b[6 + rnd(2)] ^= chance(2) ? 0x80 : (unsigned char)(1 + rnd(3));
			break;
		}
	}
	/* mostly keep the header's length right, so the body gets parsed */
	if (n >= 4 && !chance(8)) {
		b[0] = n & 0xff;
		b[1] = (n >> 8) & 0xff;
		b[2] = (n >> 16) & 0xff;
		b[3] = (n >> 24) & 0xff;
	}
	return n;
}

/* ---- fds to attach ---- */

static int pool[6];

static void pool_open(void)
{
	int p[2], sv[2];

	pool[0] = open("/dev/null", O_RDWR | O_CLOEXEC);
	pool[1] = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	pool[2] = open("f", O_RDWR | O_CLOEXEC);
	pool[3] = open("d", O_PATH | O_CLOEXEC);
	if (pipe2(p, O_CLOEXEC) < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		die("pipe: %s", strerror(errno));
	pool[4] = p[0];
	pool[5] = sv[0];
	for (int i = 0; i < 6; i++)
		if (pool[i] < 0)
			die("opening the fds to attach (cwd: the export): %s", strerror(errno));
}

/* ---- the loop ---- */

static void check_logs(pid_t pid, const char *logdir)
{
	DIR *d;
	struct dirent *e;

	if (kill(pid, 0) < 0)
		die("hostcalld (pid %d) is gone", (int)pid);
	d = opendir(logdir);
	if (!d)
		die("%s: %s", logdir, strerror(errno));
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			die("a sanitizer report: %s/%s", logdir, e->d_name);
	closedir(d);
}

/* The request's first handle field (fd, dirfd, olddirfd), or NULL. */
static const struct hc_field *handle_field(unsigned int op)
{
	const struct hc_field *f = hc_op_fields(op, 0);

	for (; f && f->type != HC_T_END; f++)
		if (f->type == HC_T_S32 && strstr(f->name, "fd"))
			return f;
	return NULL;
}

/* An op number: mostly one the codec knows, now and then one it does not. */
static unsigned int pick_op(void)
{
	unsigned int op;

	if (chance(40)) {
		switch (rnd(3)) {
		case 0:
			return rnd(0) & 0xffff;
		case 1:
			return 39;	/* SPAWN_KEEP of version 2, retired */
		default:
			return HC_OP_MAX + rnd(3);
		}
	}
	do
		op = 1 + rnd(HC_OP_MAX - 1);
	while (!hc_op_name(op));
	return op;
}

/* A SPAWN that passes fds: the ones after its HC_STDIO_PASS streams get numbers. */
static void spawn_fdmap(struct hc_msg *m, int nin)
{
	struct hc_req_spawn *sp = &m->req.spawn;
	int pass = (sp->stdin_mode == HC_STDIO_PASS) + (sp->stdout_mode == HC_STDIO_PASS) +
		   (sp->stderr_mode == HC_STDIO_PASS), i;

	if (chance(4))
		return;		/* as it is: maybe too few or too many */
	sp->fdmap.n = nin > pass ? (hc_u32)(nin - pass) : 0;
	for (i = 0; i < (int)sp->fdmap.n && i < HC_FDS_MAX; i++)	/* past it: no encoding */
		sp->fdmap.v[i] = chance(16) ? rnd(1100) : 3 + (hc_u32)i * 2;
}

/* One request on subject @k. */
static void one(int k)
{
	static char own[PATHS_MAX][HC_PATH_MAX + 8];
	static unsigned char data[HC_DATA_MAX];
	struct subject *sb = &subs[k];
	int fds[HC_SOCK_FDS_MAX], nfds, nin = 0, in[HC_SOCK_FDS_MAX], good, i;
	const struct hc_field *hf;
	unsigned int op;
	struct fz_store st;
	struct hc_msg m, d, r;
	hc_s32 *handle = NULL;
	ssize_t n;
	int len;

	op = pick_op();
	if (fz_fill(&m, &st, op, 0, rnd(0)))
		fz_fill(&m, &st, HC_OP_GETCWD, 0, 0);	/* its op is patched in below */
	if (op != HC_OP_HELLO && !chance(4))
		mutate_fields(&m, sb, own, data);
	hf = handle_field(op);
	if (hf)
		handle = FZ_AT(&m, hf, hc_s32);
	/* ops on open files need files the shadow opened: a handle, or an fd
	 * it sent us, passed back */
	if (handle && (sb->nhandles || sb->ngot) && chance(2)) {
		if (sb->ngot && (!sb->nhandles || chance(2))) {
			*handle = HC_HANDLE_PASSED;
			in[nin++] = sb->got[rnd(sb->ngot)];
		} else {
			*handle = sb->handles[rnd(sb->nhandles)];
		}
	} else if (chance(3) && (hc_op_flags(op) & HC_OPF_FDS || chance(8))) {
		/*
		 * mostly fds the shadow opened (it serves only those), else
		 * others; mostly to an op that takes fds
		 */
		nin = chance(8) ? rnd(HC_SOCK_FDS_MAX + 1) : rnd(5);
		for (i = 0; i < nin; i++)
			in[i] = sb->ngot && !chance(3) ? sb->got[rnd(sb->ngot)] : pool[rnd(6)];
		if (nin && handle && *handle != HC_HANDLE_PASSED && chance(2))
			*handle = HC_HANDLE_PASSED;
		if (op == HC_OP_SPAWN)
			spawn_fdmap(&m, nin);
	}
	m.hflags = nin & HC_HF_NFDS_MASK;
	m.tag = next_tag++;
	len = hc_encode(&m, wbuf, sizeof(wbuf));
	if (len < 0) {		/* a mutation past the encoder's limits */
		fz_fill(&m, &st, HC_OP_GETCWD, 0, 0);
		m.tag = next_tag++;
		len = hc_encode(&m, wbuf, sizeof(wbuf));
		nin = 0;
	}
	if (!hc_op_name(op)) {	/* an op nobody knows: a bare header */
		wbuf[4] = op & 0xff;
		wbuf[5] = (op >> 8) & 0xff;
	}
	if (chance(4))
		len = (int)mutate_bytes(wbuf, len, sizeof(wbuf));
	good = hc_decode(&d, wbuf, len) == 0 && (d.hflags & HC_HF_NFDS_MASK) == nin &&
	       hc_op_name(d.op) && !(d.hflags & HC_HF_REPLY);
	cnt.sent++;
	cnt.wellformed += good;

	if (hc_sock_send(sb->sock, wbuf, len, in, nin)) {
		cnt.closes++;
		subject_drop(k);
		return;
	}
	n = recv_one(sb->sock, fds, &nfds);
	if (n == -ETIMEDOUT) {
		cnt.timeouts++;
		subject_drop(k);
		return;
	}
	if (n <= 0) {
		cnt.closes++;
		if (good && d.op != HC_OP_BYE && cnt.unexpected++ < 5)
			fprintf(stderr, "live: note: a well-formed %s (tag %u) ended its "
				"subject: %s\n", hc_op_name(d.op), d.tag,
				n ? strerror((int)-n) : "EOF");
		subject_drop(k);
		return;
	}
	cnt.replies++;
	if (hc_decode(&r, rbuf, n) && !(hc_decode_hdr(&r, rbuf, n) == 0 && r.result < 0 &&
					 n == HC_HDR_SIZE)) {
		die("a reply that does not decode (%zd bytes) to a %s request",
		    n, good ? "well-formed" : "malformed");
	}
	if (!(r.hflags & HC_HF_REPLY) || (r.hflags & HC_HF_NFDS_MASK) != nfds)
		die("a %s reply without the reply bit or with %d fds for %u",
		    hc_op_name(r.op) ? hc_op_name(r.op) : "?", nfds,
		    r.hflags & HC_HF_NFDS_MASK);
	if (good && (r.op != d.op || r.tag != d.tag))
		die("%s (tag %u) answered as op %u tag %u", hc_op_name(d.op), d.tag, r.op, r.tag);
	if (good && d.op == HC_OP_OPENAT && r.result >= 0 && r.result != HC_HANDLE_NONE &&
	    sb->nhandles < HANDLES_MAX)
		sb->handles[sb->nhandles++] = (hc_s32)r.result;
	if (good && d.op == HC_OP_OPENAT && r.result >= 0 && nfds == 1) {
		if (sb->ngot == GOT_FDS_MAX) {
			close(sb->got[0]);
			memmove(sb->got, sb->got + 1, sizeof(int) * --sb->ngot);
		}
		sb->got[sb->ngot++] = fds[0];
		nfds = 0;
	}
	if (good && d.op == HC_OP_SPAWN && r.result > 0) {
		hc_u32 h;

		cnt.spawned++;
		if (sb->npids == PIDS_MAX)
			memmove(sb->pids, sb->pids + 1, sizeof(hc_s32) * --sb->npids);
		sb->pids[sb->npids++] = (hc_s32)r.result;
		/* HC_SPAWN_KEEP: the streams stayed in the shadow as handles */
		for (h = 0; h < r.rep.spawn.handles.n && sb->nhandles < HANDLES_MAX; h++)
			sb->handles[sb->nhandles++] = (hc_s32)r.rep.spawn.handles.v[h];
	}
	if (good && d.op == HC_OP_FORK_SUBJECT && r.result > 0 && nfds == 1 &&
	    nsubs < SUBJECTS_MAX) {
		subs[nsubs++] = (struct subject){ .sock = fds[0] };
		cnt.forks++;
		nfds = 0;
	}
	close_fds(fds, nfds);
	if (good && d.op == HC_OP_BYE && r.result == 0)
		subject_drop(k);
}

int main(int argc, char **argv)
{
	struct timespec t0, now;
	long count, secs, last = 0;
	const char *logdir;
	double el = 0;
	pid_t pid;

	if (argc < 6 || argc > 7) {
		fprintf(stderr, "usage: live SOCKET COUNT SECONDS PID LOGDIR [SEED] "
			"(run from the export's directory)\n");
		return 2;
	}
	sock_path = argv[1];
	count = atol(argv[2]);
	secs = atol(argv[3]);
	pid = (pid_t)atol(argv[4]);
	logdir = argv[5];
	if (argc == 7)
		rng ^= strtoull(argv[6], NULL, 0) * 0xbf58476d1ce4e5b9ull;
	signal(SIGPIPE, SIG_IGN);
	pool_open();
	v2_hello();
	subject_new();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (cnt.sent < count) {
		one(rnd(nsubs));
		if (cnt.sent % 200 == 0) {
			check_logs(pid, logdir);
			clock_gettime(CLOCK_MONOTONIC, &now);
			el = now.tv_sec - t0.tv_sec + (now.tv_nsec - t0.tv_nsec) / 1e9;
			if (el >= secs)
				break;
			if (el - last >= 5) {
				last = (long)el;
				printf("live: %ld/%ld requests, %.0f s\n", cnt.sent, count, el);
				fflush(stdout);
			}
		}
	}
	check_logs(pid, logdir);
	while (nsubs > 1)
		subject_drop(0);
	subject_drop(0);	/* and a fresh subject: hostcalld still serves */
	clock_gettime(CLOCK_MONOTONIC, &now);
	el = now.tv_sec - t0.tv_sec + (now.tv_nsec - t0.tv_nsec) / 1e9;
	printf("live: %ld requests in %.1f s (%ld well-formed, %ld replies, %ld subjects "
	       "closed, %ld dropped after %d ms without a reply, %ld forked, %ld host "
	       "programs, %ld version-2 HELLOs refused)\n",
	       cnt.sent, el, cnt.wellformed, cnt.replies, cnt.closes, cnt.timeouts,
	       REPLY_MS, cnt.forks, cnt.spawned, cnt.v2);
	return 0;
}
