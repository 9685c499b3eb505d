// SPDX-License-Identifier: GPL-2.0-only
/* hostcalld's entry point: parses the options, then runs the relay. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hostd.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: " HOSTD_NAME " [options]\n"
"Serve hostcalls on a Unix socket, or to one VM over ivshmem: one shadow\n"
"process per subject does each operation as an ordinary host user.\n"
"\n"
"  --socket PATH       listen here (default: $HOSTCALL_SOCKET, else\n"
"                      $XDG_RUNTIME_DIR/hostcall.sock, else /run/hostcall.sock)\n"
"  --ivshmem PATH      serve one VM instead: create the socket QEMU's\n"
"                        -chardev socket,path=PATH,id=hc\n"
"                        -device ivshmem-doorbell,chardev=hc,vectors=1\n"
"                      connects to (start hostcalld first), with the shared\n"
"                      memory of the request ring; the guest's hostcall.ko\n"
"                      makes a subject per process. One hostcalld per VM.\n"
"                      QEMU 7.2 cannot take new shared memory later: if\n"
"                      hostcalld stops, the guest's calls fail with EIO until\n"
"                      the VM restarts (or the device is re-plugged)\n"
"  --socket-mode MODE  octal mode of the socket (default 0600): whoever can\n"
"                      connect acts as the shadows' user\n"
"  --root DIR          export only DIR, like a chroot (no host programs\n"
"                      can be spawned then: they would run outside DIR)\n"
"  --user NAME         shadows run as NAME (needs root)\n"
"  --map-user G=H      (as root) a client of uid G acts as host user H: G a\n"
"                      uid or a range N-M, H a name, a uid or a range of the\n"
"                      same length (repeatable); others act as --user\n"
"  --map-group G=H     the same for gids: the group a client's gid maps to\n"
"                      is its shadow's gid if the host user is a member\n"
"  --map-file FILE     entries 'user G=H' and 'group G=H', one per line\n"
"  --identity MODE     map (the default with map entries) or passthrough:\n"
"                      client ids are host ids, groups too (--allow-root)\n"
"  --unmapped MODE     user (default: an unmapped client acts as --user) or\n"
"                      deny (it is refused, EACCES)\n"
"  --user-as G         the guest uid files of --user show as (default 65534,\n"
"                      the overflow id every unmapped owner shows as)\n"
"  --audit FILE|syslog record each subject's guest uid and host user, and each\n"
"                      op that changes the host or runs something there (with\n"
"                      its paths and result), in FILE or the system log\n"
"  --allow-root        allow shadows to run as root (without --user, as root)\n"
"  --allow-devices     let clients open device nodes of the export and, with\n"
"                      root shadows under --root, create them\n"
"  --allow-setuid      with root shadows under --root, let clients set the\n"
"                      setuid/setgid bits and file capabilities of files\n"
"  --pass-env NAME     give host programs hostcalld's variable NAME too\n"
"                      (repeatable); otherwise they get a login's environment\n"
"                      (HOME, USER, LOGNAME, SHELL, PATH, the system locale)\n"
"                      and what the caller passes\n"
"  --seccomp MODE      the shadows' seccomp filter: kill (default: EPERM for\n"
"                      what a shadow does not do, death for what it must never\n"
"                      do), log (allow those and log them in the kernel log,\n"
"                      for sanitizer and fuzz builds) or off\n"
"  --daemon            detach from the terminal (default: foreground)\n"
"  --verbose           log each connecting peer and each op\n"
"  --max-subjects N    live subjects at most (default 256)\n"
"  --max-handles N     handles per subject at most (default 16384)\n"
"  --hello-timeout S   close a connection that has not said HELLO within S\n"
"                      seconds (default 5; 0: never)\n"
"  --max-procs N       processes of all subjects together at most: shadows,\n"
"                      host programs and their children (default 4096; 0:\n"
"                      no limit); hostcalld itself is not counted\n"
"  --max-memory SIZE   memory of all subjects' processes together at most,\n"
"                      e.g. 512M or 4G (default: no limit); the limits are a\n"
"                      cgroup of hostcalld's own (needs root or a delegated\n"
"                      cgroup, else one log line and no limits)\n"
"  --help, --version\n"
"\n"
"SIGTERM, SIGINT or SIGHUP: stop accepting, end every shadow (their host\n"
"processes get SIGHUP; a shadow still busy after 2 s is killed), remove the\n"
"socket, exit 0. With --ivshmem the guest's calls in flight get EIO and its\n"
"later calls fail with EIO at once. If hostcalld dies, every shadow ends\n"
"within 1 s.\n");
}

static int parse_uint(const char *opt, const char *s, int base, unsigned int min,
		      unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, HOSTD_NAME ": %s %s: expected a number from %u to %u%s\n",
			opt, s, min, max, base == 8 ? " (octal)" : "");
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* SIZE with an optional K, M, G or T (powers of 1024); "0" or "max": none. */
static int parse_size(const char *opt, const char *s, unsigned long long min,
		      unsigned long long *out)
{
	unsigned long long v, mul = 1;
	char *end;

	if (!strcmp(s, "max")) {
		*out = 0;
		return 0;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	switch (*end) {
	case 'k': case 'K': mul = 1ull << 10; end++; break;
	case 'm': case 'M': mul = 1ull << 20; end++; break;
	case 'g': case 'G': mul = 1ull << 30; end++; break;
	case 't': case 'T': mul = 1ull << 40; end++; break;
	}
	if (errno || end == s || *end || *s == '-' || v > ~0ull / mul ||
	    (v && v * mul < min)) {
		fprintf(stderr, HOSTD_NAME ": %s %s: expected a size of at least %lluM "
			"(bytes, or with K, M, G or T), or 0 or max for none\n", opt, s,
			min >> 20);
		return -EINVAL;
	}
	*out = v * mul;
	return 0;
}

/* The passwd entry and groups of the shadows' user, looked up once here. */
static int lookup_user(struct hostd_config *cfg)
{
	struct passwd *pw;
	int n = 64;

	errno = 0;
	pw = cfg->user ? getpwnam(cfg->user) : getpwuid(geteuid());
	if (!pw) {
		if (cfg->user)
			fprintf(stderr, HOSTD_NAME ": --user %s: no such user%s%s\n",
				cfg->user, errno ? ": " : "",
				errno ? strerror(errno) : "");
		else
			fprintf(stderr, HOSTD_NAME ": uid %u has no passwd entry\n",
				(unsigned int)geteuid());
		return -ENOENT;
	}
	cfg->uid = pw->pw_uid;
	cfg->gid = pw->pw_gid;
	cfg->pw_name = strdup(pw->pw_name);
	cfg->pw_dir = strdup(pw->pw_dir ? pw->pw_dir : "/");
	cfg->pw_shell = strdup(pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh");
	if (!cfg->pw_name || !cfg->pw_dir || !cfg->pw_shell)
		goto out_nomem;
	for (;;) {
		int got = n;

		free(cfg->groups);
		cfg->groups = calloc(n, sizeof(gid_t));
		if (!cfg->groups)
			goto out_nomem;
		if (getgrouplist(cfg->pw_name, cfg->gid, cfg->groups, &got) >= 0) {
			cfg->ngroups = got;
			return 0;
		}
		if (got <= n || got > 65536) {
			fprintf(stderr, HOSTD_NAME ": groups of user %s: cannot list them\n",
				cfg->pw_name);
			return -E2BIG;
		}
		n = got;
	}
out_nomem:
	fprintf(stderr, HOSTD_NAME ": out of memory\n");
	return -ENOMEM;
}

static int check_identity(struct hostd_config *cfg, int allow_root)
{
	if (geteuid() == 0 && !cfg->user && !allow_root) {
		fprintf(stderr, HOSTD_NAME ": refusing to run as root without --user: "
			"every shadow would be host root, so guest root would become "
			"host root by accident; use --user NAME (or --allow-root if "
			"that is really meant)\n");
		return -EPERM;
	}
	if (cfg->user && cfg->uid == 0 && !allow_root) {
		fprintf(stderr, HOSTD_NAME ": --user %s is uid 0: shadows would be "
			"host root; pick an ordinary user (or add --allow-root)\n",
			cfg->user);
		return -EPERM;
	}
	if (cfg->user && geteuid() != 0 && cfg->uid != geteuid()) {
		fprintf(stderr, HOSTD_NAME ": --user %s needs root (running as uid %u); "
			"start hostcalld as root or drop --user\n",
			cfg->user, (unsigned int)geteuid());
		return -EPERM;
	}
	return 0;
}

static int resolve_root(struct hostd_config *cfg)
{
	cfg->root_real = realpath(cfg->root ? cfg->root : "/", NULL);
	if (!cfg->root_real) {
		fprintf(stderr, HOSTD_NAME ": --root %s: %s\n", cfg->root, strerror(errno));
		return -errno;
	}
	return 0;
}

/*
 * Each shadow may keep --max-handles handles (directories, and for hostfs
 * every inode the guest caches) besides a few fds of its own: raise the
 * soft fd limit to the hard one (as service managers do), as root the hard
 * one too where it is below what the handles need, and say so if the limit
 * is still too small.
 */
static void raise_fd_limit(const struct hostd_config *cfg)
{
	rlim_t need = cfg->max_handles + 64ull;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (geteuid() == 0 && rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
		struct rlimit up = { need, need };

		if (setrlimit(RLIMIT_NOFILE, &up) == 0)
			rl = up;
	}
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < cfg->max_handles + 64ull)
		fprintf(stderr, HOSTD_NAME ": warning: the fd limit (%llu) is below "
			"--max-handles %u + 64: a subject may get EMFILE before its "
			"handle limit; raise ulimit -Hn or lower --max-handles\n",
			(unsigned long long)rl.rlim_cur, cfg->max_handles);
}

/*
 * hostcalld's own environment is nobody's business: host programs get a
 * login's (spawner.c), and a shadow must not find it in /proc/self/environ
 * or in its memory. Keep the --pass-env variables only, as copies, and
 * wipe the strings the kernel's environ area holds.
 */
static int scrub_environment(const struct hostd_config *cfg)
{
	extern char **environ;
	char **old = environ, **keep, *v;
	size_t i, n = 0;
	unsigned int k;

	keep = calloc(cfg->npass_env + 1, sizeof(char *));
	if (!keep)
		return -ENOMEM;
	for (k = 0; k < cfg->npass_env; k++) {
		v = getenv(cfg->pass_env[k]);
		if (!v)
			continue;
		if (asprintf(&keep[n], "%s=%s", cfg->pass_env[k], v) < 0)
			return -ENOMEM;
		n++;
	}
	environ = keep;
	for (i = 0; old && old[i]; i++)
		explicit_bzero(old[i], strlen(old[i]));
	return 0;
}

/*
 * Spawned programs and log lines expect fds 0-2 to exist; any other fd
 * inherited from whoever started us would leak into every shadow and host
 * process, so it is closed.
 */
static void fill_stdio(void)
{
	int fd;

	close_range(3, ~0u, 0);

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

enum { MAP_USER, MAP_GROUP, MAP_FILE };

struct map_arg {
	int kind;		/* MAP_USER, MAP_GROUP or MAP_FILE */
	const char *arg;
};

/*
 * The identity map of the options, once --allow-root is known. Shadows of
 * other users can only be started by root; passthrough makes guest root
 * host root, so it needs --allow-root.
 * Returns: 0 (cfg->idmap set when there is a map), or -errno after a
 * message.
 */
static int setup_idmap(struct hostd_config *cfg, struct hostd_idmap *map,
		       const struct map_arg *maps, unsigned int nmaps,
		       const char *identity, int allow_root)
{
	int passthrough = identity && !strcmp(identity, "passthrough");
	char why[300];
	unsigned int i;
	int err;

	if (!nmaps && !passthrough) {
		if (map->deny_unmapped || map->user_as != HOSTD_OVERFLOW_ID || identity) {
			fprintf(stderr, HOSTD_NAME ": --unmapped, --user-as and --identity map "
				"need map entries (--map-user, --map-group, --map-file)\n");
			return -EINVAL;
		}
		return 0;
	}
	if (geteuid() != 0) {
		fprintf(stderr, HOSTD_NAME ": an identity map needs root: only root can "
			"start shadows as other users (running as uid %u)\n",
			(unsigned int)geteuid());
		return -EPERM;
	}
	if (passthrough && nmaps) {
		fprintf(stderr, HOSTD_NAME ": --identity passthrough takes no map entries\n");
		return -EINVAL;
	}
	if (passthrough && !allow_root) {
		fprintf(stderr, HOSTD_NAME ": --identity passthrough makes client root host "
			"root: add --allow-root if that is meant\n");
		return -EPERM;
	}
	for (i = 0; i < nmaps; i++) {
		if (maps[i].kind == MAP_FILE) {
			err = hostd_idmap_file(map, maps[i].arg, allow_root);
			if (err)
				return err;
			continue;
		}
		err = hostd_idmap_add(map, maps[i].kind == MAP_GROUP, maps[i].arg,
				      allow_root, why, sizeof(why));
		if (err) {
			fprintf(stderr, HOSTD_NAME ": --map-%s %s\n",
				maps[i].kind == MAP_GROUP ? "group" : "user", why);
			return err;
		}
	}
	map->mode = passthrough ? HOSTD_ID_PASSTHROUGH : HOSTD_ID_MAP;
	map->user_uid = cfg->uid;
	cfg->idmap = map;
	return 0;
}

int main(int argc, char **argv)
{
	enum { O_SOCKET = 256, O_IVSHMEM, O_MODE, O_ROOT, O_USER, O_ALLOWROOT,
	       O_ALLOWDEV, O_ALLOWSUID, O_DAEMON,
	       O_PASSENV, O_SECCOMP,
	       O_VERBOSE, O_MAXSUB, O_MAXH, O_HELLOTO, O_MAXPROCS, O_MAXMEM,
	       O_MAPUSER, O_MAPGROUP, O_MAPFILE, O_IDENTITY, O_UNMAPPED, O_USERAS, O_AUDIT,
	       O_HELP, O_VERSION };
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, O_SOCKET },
		{ "ivshmem", required_argument, NULL, O_IVSHMEM },
		{ "socket-mode", required_argument, NULL, O_MODE },
		{ "root", required_argument, NULL, O_ROOT },
		{ "user", required_argument, NULL, O_USER },
		{ "allow-root", no_argument, NULL, O_ALLOWROOT },
		{ "allow-devices", no_argument, NULL, O_ALLOWDEV },
		{ "allow-setuid", no_argument, NULL, O_ALLOWSUID },
		{ "pass-env", required_argument, NULL, O_PASSENV },
		{ "seccomp", required_argument, NULL, O_SECCOMP },
		{ "daemon", no_argument, NULL, O_DAEMON },
		{ "verbose", no_argument, NULL, O_VERBOSE },
		{ "max-subjects", required_argument, NULL, O_MAXSUB },
		{ "max-handles", required_argument, NULL, O_MAXH },
		{ "hello-timeout", required_argument, NULL, O_HELLOTO },
		{ "max-procs", required_argument, NULL, O_MAXPROCS },
		{ "max-memory", required_argument, NULL, O_MAXMEM },
		{ "map-user", required_argument, NULL, O_MAPUSER },
		{ "map-group", required_argument, NULL, O_MAPGROUP },
		{ "map-file", required_argument, NULL, O_MAPFILE },
		{ "identity", required_argument, NULL, O_IDENTITY },
		{ "unmapped", required_argument, NULL, O_UNMAPPED },
		{ "user-as", required_argument, NULL, O_USERAS },
		{ "audit", required_argument, NULL, O_AUDIT },
		{ "help", no_argument, NULL, O_HELP },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct hostd_config cfg = {
		.socket_mode = 0600, .exportfd = -1,
		.max_subjects = 256, .max_handles = 16384,
		.hello_timeout = 5, .max_procs = 4096,
		.guest_uid = (hc_u32)-1, .audit_fd = -1,
	};
	static struct hostd_idmap map = { .user_as = HOSTD_OVERFLOW_ID };
	const char *sock = NULL, *ivshmem = NULL, *identity = NULL, *audit = NULL;
	struct map_arg *maps;
	unsigned int v, nmaps = 0;
	int c, allow_root = 0;

	cfg.pass_env = calloc(argc, sizeof(char *));
	maps = calloc(argc, sizeof(*maps));
	if (!cfg.pass_env || !maps) {
		fprintf(stderr, HOSTD_NAME ": out of memory\n");
		return 1;
	}
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_SOCKET:
			sock = optarg;
			break;
		case O_IVSHMEM:
			ivshmem = optarg;
			break;
		case O_MODE:
			if (parse_uint("--socket-mode", optarg, 8, 0, 07777, &v))
				return 2;
			cfg.socket_mode = v;
			break;
		case O_ROOT:
			cfg.root = optarg;
			break;
		case O_MAPUSER:
		case O_MAPGROUP:
		case O_MAPFILE:
			maps[nmaps++] = (struct map_arg){
				c == O_MAPFILE ? MAP_FILE : c == O_MAPGROUP ? MAP_GROUP : MAP_USER,
				optarg,
			};
			break;
		case O_IDENTITY:
			if (strcmp(optarg, "map") && strcmp(optarg, "passthrough")) {
				fprintf(stderr, HOSTD_NAME ": --identity %s: map or passthrough\n",
					optarg);
				return 2;
			}
			identity = optarg;
			break;
		case O_UNMAPPED:
			if (strcmp(optarg, "user") && strcmp(optarg, "deny")) {
				fprintf(stderr, HOSTD_NAME ": --unmapped %s: user or deny\n",
					optarg);
				return 2;
			}
			map.deny_unmapped = !strcmp(optarg, "deny");
			break;
		case O_AUDIT:
			audit = optarg;
			break;
		case O_USERAS:
			if (parse_uint("--user-as", optarg, 10, 0, UINT32_MAX - 1, &v))
				return 2;
			map.user_as = v;
			break;
		case O_USER:
			cfg.user = optarg;
			break;
		case O_ALLOWROOT:
			allow_root = 1;
			break;
		case O_ALLOWDEV:
			cfg.allow_devices = 1;
			break;
		case O_ALLOWSUID:
			cfg.allow_setuid = 1;
			break;
		case O_PASSENV:
			if (!*optarg || strchr(optarg, '=')) {
				fprintf(stderr, HOSTD_NAME ": --pass-env %s: expected a "
					"variable's name (no '=')\n", optarg);
				return 2;
			}
			cfg.pass_env[cfg.npass_env++] = optarg;
			break;
		case O_SECCOMP:
			cfg.seccomp = hostd_seccomp_mode(optarg);
			if (cfg.seccomp < 0) {
				fprintf(stderr, HOSTD_NAME ": --seccomp %s: expected kill, "
					"log or off\n", optarg);
				return 2;
			}
			break;
		case O_DAEMON:
			cfg.daemon = 1;
			break;
		case O_VERBOSE:
			cfg.verbose = 1;
			break;
		case O_MAXSUB:
			if (parse_uint("--max-subjects", optarg, 10, 1, 1 << 20, &cfg.max_subjects))
				return 2;
			break;
		case O_MAXH:
			if (parse_uint("--max-handles", optarg, 10, 1, 1 << 20, &cfg.max_handles))
				return 2;
			break;
		case O_HELLOTO:
			if (parse_uint("--hello-timeout", optarg, 10, 0, 3600, &cfg.hello_timeout))
				return 2;
			break;
		case O_MAXPROCS:
			if (parse_uint("--max-procs", optarg, 10, 0, 1 << 22, &cfg.max_procs))
				return 2;
			break;
		case O_MAXMEM:
			if (parse_size("--max-memory", optarg, 16ull << 20, &cfg.max_memory))
				return 2;
			break;
		case O_HELP:
			usage(stdout);
			return 0;
		case O_VERSION:
			printf(HOSTD_NAME " " HOSTD_VERSION " (protocol %d)\n", HC_PROTO_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, HOSTD_NAME ": unexpected argument '%s' (see --help)\n",
			argv[optind]);
		return 2;
	}
	if (sock && ivshmem) {
		fprintf(stderr, HOSTD_NAME ": --socket and --ivshmem exclude each other: "
			"run one hostcalld per transport\n");
		return 2;
	}
	if (ivshmem) {
		if (strlen(ivshmem) >= sizeof(cfg.ivshmem_path) || !*ivshmem) {
			fprintf(stderr, HOSTD_NAME ": --ivshmem %s: path empty or too long "
				"for a Unix socket (at most %zu bytes)\n", ivshmem,
				sizeof(cfg.ivshmem_path) - 1);
			return 2;
		}
		strcpy(cfg.ivshmem_path, ivshmem);
	} else if (sock) {
		if (strlen(sock) >= sizeof(cfg.socket_path)) {
			fprintf(stderr, HOSTD_NAME ": --socket %s: path too long for a "
				"Unix socket (at most %zu bytes)\n", sock,
				sizeof(cfg.socket_path) - 1);
			return 2;
		}
		strcpy(cfg.socket_path, sock);
	} else if (hc_sock_default_path(cfg.socket_path, sizeof(cfg.socket_path))) {
		fprintf(stderr, HOSTD_NAME ": default socket path too long for a Unix "
			"socket; give --socket PATH\n");
		return 2;
	}

	if (scrub_environment(&cfg)) {
		fprintf(stderr, HOSTD_NAME ": out of memory\n");
		return 1;
	}
	fill_stdio();
	if (lookup_user(&cfg) || check_identity(&cfg, allow_root))
		return 1;
	if (setup_idmap(&cfg, &map, maps, nmaps, identity, allow_root))
		return 2;
	if (audit && hostd_audit_open(&cfg, audit))
		return 1;
	if ((c = hostd_sandbox_prepare(cfg.seccomp))) {
		fprintf(stderr, HOSTD_NAME ": --seccomp: cannot build the shadows' seccomp "
			"filter: %s (is libseccomp too old? --seccomp off runs without)\n",
			strerror(-c));
		return 1;
	}
	raise_fd_limit(&cfg);
	if (resolve_root(&cfg) || hostd_export_open(&cfg))
		return 1;
	if (ivshmem)
		return hostd_ivshmem_run(&cfg) ? 1 : 0;
	return hostd_relay_run(&cfg) ? 1 : 0;
}
