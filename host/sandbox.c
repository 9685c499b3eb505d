// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shadow's sandbox, after virtiofsd's: an empty capability bounding set
 * (dropped while the shadow may still do so), the host user's credentials,
 * no_new_privs, not dumpable, and a seccomp allowlist of the system calls a
 * shadow makes. What the list does not name fails with EPERM; a few probes
 * get ENOSYS so that libc falls back; what a shadow must never do kills it.
 *
 * The lists are the policy: a new syscall in shadow code (fsops.c, xattr.c,
 * resolve.c, handles.c, shadow.c, proc.c, the codec, libc underneath) must
 * be added to sandbox_allow, or the shadow gets EPERM for it. Run
 * hostcalld --seccomp log to find what is missing: every call the filter
 * would refuse is then allowed and logged by the kernel (audit type 1326,
 * in dmesg or the audit log).
 */
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/securebits.h>
#include <linux/seccomp.h>

#include <seccomp.h>

#include "hostd.h"

/* Everything a shadow does, by what needs it. */
static const char *const sandbox_allow[] = {
	/* memory (libc, the sanitizers) */
	"brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "msync",
	/* fds and their bytes */
	"read", "write", "pread64", "pwrite64", "readv", "writev", "preadv",
	"pwritev", "preadv2", "pwritev2", "lseek", "close", "close_range",
	"dup", "dup2", "dup3", "fcntl", "pipe", "pipe2", "sendfile",
	"copy_file_range", "splice",
	/* waiting: the serve loop, WAIT, timeouts */
	"poll", "ppoll", "select", "pselect6", "epoll_create1", "epoll_ctl",
	"epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd2",
	"timerfd_create", "timerfd_settime", "timerfd_gettime", "signalfd4",
	/* the subject's connection, the spawner's, fork-subject's socketpair */
	"sendmsg", "recvmsg", "sendto", "recvfrom", "socketpair", "shutdown",
	"getsockopt", "setsockopt", "getsockname", "getpeername",
	/* the file system ops (fsops.c, xattr.c, resolve.c, handles.c) */
	"openat", "openat2", "open", "newfstatat", "fstat", "stat", "lstat",
	"statx", "statfs", "fstatfs", "getdents64", "getdents", "readlinkat",
	"readlink", "mkdirat", "mkdir", "mknodat", "mknod", "unlinkat",
	"unlink", "rmdir", "renameat2", "renameat", "rename", "symlinkat",
	"symlink", "linkat", "link", "fchmodat", "fchmod", "chmod", "fchownat",
	"fchown", "chown", "lchown", "truncate", "ftruncate", "fsync",
	"fdatasync", "utimensat", "utimes", "utime", "futimesat", "faccessat",
	"faccessat2", "access", "fallocate", "flock", "chdir", "fchdir",
	"syncfs",
	"getcwd", "umask", "name_to_handle_at",
	"getxattr", "lgetxattr", "fgetxattr", "setxattr", "lsetxattr",
	"fsetxattr", "listxattr", "llistxattr", "flistxattr", "removexattr",
	"lremovexattr", "fremovexattr",
	/* processes: fork-subject, the relay's watch, host processes' pidfds */
	"wait4", "waitid", "kill", "tgkill", "tkill", "exit", "exit_group",
	"getpid", "getppid", "gettid", "getpgid", "getpgrp", "getsid",
	"set_robust_list", "get_robust_list", "set_tid_address", "rseq",
	"pidfd_open", "pidfd_send_signal", "sched_yield", "sched_getaffinity",
	/* identity, read only */
	"getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid",
	"getgroups", "capget",
	/* signals */
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending",
	"rt_sigtimedwait", "rt_sigsuspend", "sigaltstack", "restart_syscall",
	"pause",
	/* time */
	"clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep",
	"clock_nanosleep", "alarm", "setitimer", "getitimer",
	"timer_create", "timer_settime", "timer_gettime", "timer_getoverrun",
	"timer_delete",		/* the stop watchdog (shadow.c) */
	/* libc underneath */
	"futex", "getrandom", "uname", "sysinfo", "getrlimit", "getrusage",
	"times", "arch_prctl", "getcpu",
};

/* Probes answered "not implemented", so that libc uses the older call. */
static const char *const sandbox_enosys[] = {
	"clone3",	/* glibc's posix_spawn and threads fall back to clone */
};

/* What a shadow never does: doing it means it is no longer ours. */
static const char *const sandbox_kill[] = {
	/* other processes' memory and fds */
	"ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd",
	/* the kernel itself */
	"kexec_load", "kexec_file_load", "init_module", "finit_module",
	"delete_module", "reboot", "swapon", "swapoff", "iopl", "ioperm",
	"syslog", "acct", "bpf", "perf_event_open", "userfaultfd",
	"lookup_dcookie", "uselib",
	/* the mount table and namespaces: the export stays as it was set up */
	"mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree",
	"fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "unshare",
	"setns",
	/* the kernel keyrings */
	"keyctl", "add_key", "request_key",
	/* io_uring does file system work that no seccomp filter sees */
	"io_uring_setup", "io_uring_enter", "io_uring_register",
	/* a shadow never runs a program: its spawner does */
	"execve", "execveat",
};

/* prctl options a shadow uses (the relay's watch) or libc may ask. */
static const int sandbox_prctl[] = {
	PR_SET_PDEATHSIG, PR_GET_PDEATHSIG, PR_SET_NAME, PR_GET_NAME,
	PR_GET_DUMPABLE, PR_GET_NO_NEW_PRIVS, PR_GET_SECCOMP, PR_CAPBSET_READ,
	PR_GET_KEEPCAPS, PR_GET_CHILD_SUBREAPER,
#ifdef PR_SET_VMA
	PR_SET_VMA,			/* newer glibc names its mappings */
#endif
};

/* ioctls: isatty(), non-blocking and close-on-exec flags, FIONREAD. */
static const unsigned long sandbox_ioctl[] = {
	TCGETS, TIOCGWINSZ, FIONREAD, FIONBIO, FIOCLEX, FIONCLEX,
};

/* Namespace flags: clone() with one of them is unshare(), which kills. */
static const unsigned long sandbox_clone_ns[] = {
	CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
	CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
};

int hostd_seccomp_mode(const char *name)
{
	if (!strcmp(name, "kill"))
		return HOSTD_SECCOMP_KILL;
	if (!strcmp(name, "log"))
		return HOSTD_SECCOMP_LOG;
	if (!strcmp(name, "off"))
		return HOSTD_SECCOMP_OFF;
	return -EINVAL;
}

int hostd_sandbox_drop_bounding(void)
{
	int cap;

	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return -errno;
	return 0;
}

int hostd_sandbox_become_user(const struct hostd_config *cfg)
{
	/* the starter's SECBIT_NOROOT is not the user's (relay.c) */
	if (prctl(PR_GET_SECUREBITS) > 0 && prctl(PR_SET_SECUREBITS, 0) < 0)
		return -errno;
	if (!cfg->user)
		return 0;
	if (geteuid() == 0) {
		if (setgroups(cfg->ngroups, cfg->groups) < 0)
			return -errno;
		if (setgid(cfg->gid) < 0)
			return -errno;
		if (setuid(cfg->uid) < 0)
			return -errno;
	}
	if (getuid() != cfg->uid || geteuid() != cfg->uid ||
	    getgid() != cfg->gid || getegid() != cfg->gid)
		return -EPERM;
	if (cfg->uid != 0 && setuid(0) == 0)
		return -EPERM;
	return 0;
}

/*
 * A root shadow (--allow-root) keeps only the capabilities a file server
 * needs, as virtiofsd does: to pass permission checks, chown, keep
 * setuid/setgid bits and make device nodes. Without CAP_SYS_PTRACE and the
 * rest, another process's memory and environment in an export's /proc stay
 * closed to it (its permitted set is not a superset of theirs), and so do
 * raw I/O, the kernel's log and sysadmin knobs.
 */
int hostd_caps_keep(const int *keep, size_t n)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { { 0 } };
	size_t i;

	for (i = 0; i < n; i++) {
		data[keep[i] / 32].effective |= 1u << (keep[i] % 32);
		data[keep[i] / 32].permitted |= 1u << (keep[i] % 32);
	}
	return syscall(SYS_capset, &hdr, data) < 0 ? -errno : 0;
}

int hostd_sandbox_root_caps(void)
{
	static const int keep[] = {
		CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_MKNOD,
		CAP_SETFCAP,
	};

	if (geteuid() != 0)
		return 0;
	return hostd_caps_keep(keep, sizeof(keep) / sizeof(keep[0]));
}

int hostd_sandbox_lock(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

/*
 * Add @action for each name of @names this architecture has. A rule with
 * the default action is left out (libseccomp refuses it): in log mode the
 * kill list is the default.
 */
static int sandbox_add(scmp_filter_ctx ctx, uint32_t action, uint32_t dflt,
		       const char *const *names, size_t n)
{
	size_t i;
	int nr, r;

	for (i = 0; action != dflt && i < n; i++) {
		nr = seccomp_syscall_resolve_name(names[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;	/* not on this architecture */
		r = seccomp_rule_add(ctx, action, nr, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The calls allowed for some arguments only. */
static int sandbox_add_args(scmp_filter_ctx ctx, uint32_t kill, uint32_t dflt)
{
	const uint64_t low32 = 0xffffffffu;
	uint64_t ns = 0;
	size_t i;
	int r = 0;

	for (i = 0; !r && i < sizeof(sandbox_prctl) / sizeof(sandbox_prctl[0]); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
				     SCMP_A0(SCMP_CMP_EQ, (uint64_t)sandbox_prctl[i], 0));
	for (i = 0; !r && i < sizeof(sandbox_ioctl) / sizeof(sandbox_ioctl[0]); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_MASKED_EQ, low32, sandbox_ioctl[i]));
	/* typing into a terminal's input (hostcalld's own, on stderr) */
	if (!r && kill != dflt)
		r = seccomp_rule_add(ctx, kill, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_MASKED_EQ, low32, TIOCSTI));
	if (!r && kill != dflt)
		r = seccomp_rule_add(ctx, kill, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_MASKED_EQ, low32, TIOCLINUX));
	/* fork (clone without namespace flags) for fork-subject; flags are
	 * clone's first argument on x86-64 and arm64 */
	for (i = 0; i < sizeof(sandbox_clone_ns) / sizeof(sandbox_clone_ns[0]); i++)
		ns |= sandbox_clone_ns[i];
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ, ns, 0));
	for (i = 0; !r && kill != dflt &&
		    i < sizeof(sandbox_clone_ns) / sizeof(sandbox_clone_ns[0]); i++)
		r = seccomp_rule_add(ctx, kill, SCMP_SYS(clone), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ, sandbox_clone_ns[i],
					     sandbox_clone_ns[i]));
	/* resource limits: our own only */
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1,
				     SCMP_A0(SCMP_CMP_EQ, 0, 0));
	return r;
}

/* The filter as built by hostd_sandbox_prepare(), for the mode it was built for. */
static struct sock_fprog sandbox_prog;
static int sandbox_prog_mode = -1;

/* libseccomp's program for @ctx, copied out through a memfd. */
static int sandbox_export(scmp_filter_ctx ctx, struct sock_fprog *prog)
{
	struct sock_filter *insns;
	struct stat st;
	int fd, r;

	fd = memfd_create("hostcalld-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		goto out_close;
	if (fstat(fd, &st) < 0 || st.st_size <= 0 ||
	    st.st_size % sizeof(*insns) || st.st_size / sizeof(*insns) > 0xffff) {
		r = -EINVAL;
		goto out_close;
	}
	insns = malloc(st.st_size);
	if (!insns) {
		r = -ENOMEM;
		goto out_close;
	}
	if (pread(fd, insns, st.st_size, 0) != st.st_size) {
		r = -EIO;
		free(insns);
		goto out_close;
	}
	free(prog->filter);
	prog->filter = insns;
	prog->len = st.st_size / sizeof(*insns);
	r = 0;
out_close:
	close(fd);
	return r;
}

int hostd_sandbox_prepare(int mode)
{
	uint32_t deny, kill;
	scmp_filter_ctx ctx;
	int r;

	if (mode == HOSTD_SECCOMP_OFF)
		return 0;
	deny = mode == HOSTD_SECCOMP_LOG ? SCMP_ACT_LOG : SCMP_ACT_ERRNO(EPERM);
	kill = mode == HOSTD_SECCOMP_LOG ? SCMP_ACT_LOG : SCMP_ACT_KILL_PROCESS;
	ctx = seccomp_init(deny);
	if (!ctx)
		return -ENOMEM;
	/* a call of another ABI (int 0x80, x32) has no business here either */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, kill);
	/* a binary tree: a third of the install time, fewer compares per call
	 * (libseccomp 2.5; without it, the plain list) */
	if (!r)
		seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (!r)
		r = sandbox_add(ctx, SCMP_ACT_ALLOW, deny, sandbox_allow,
				sizeof(sandbox_allow) / sizeof(sandbox_allow[0]));
	if (!r)
		r = sandbox_add(ctx, SCMP_ACT_ERRNO(ENOSYS), deny, sandbox_enosys,
				sizeof(sandbox_enosys) / sizeof(sandbox_enosys[0]));
	if (!r)
		r = sandbox_add(ctx, kill, deny, sandbox_kill,
				sizeof(sandbox_kill) / sizeof(sandbox_kill[0]));
	if (!r)
		r = sandbox_add_args(ctx, kill, deny);
	if (!r)
		r = sandbox_export(ctx, &sandbox_prog);
	if (!r)
		sandbox_prog_mode = mode;
	seccomp_release(ctx);
	return r < 0 ? r : 0;
}

int hostd_sandbox_seccomp(int mode)
{
	int r;

	if (mode == HOSTD_SECCOMP_OFF)
		return 0;
	if (sandbox_prog_mode != mode && (r = hostd_sandbox_prepare(mode)))
		return r;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &sandbox_prog, 0, 0) < 0)
		return -errno;
	return 0;
}
