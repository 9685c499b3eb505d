// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - dosh, the dual-OS shell: command-line options, shell options
 * (set -e, -x, ...), start-up and exit.
 *
 *   dosh [-aCefimnuvx] [-o option] [-c string [name [arg...]]]
 *   dosh [options] script [arg...]
 *   dosh [options] [-s] [arg...]          (commands from stdin)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dosh.h"

struct dosh_opts dosh_opt;
const char *dosh_name = "dosh";
char *dosh_arg0 = "dosh";
int dosh_interactive;
int dosh_exitstatus;
int dosh_lineno;
int dosh_rootpid;
int dosh_subshell;

extern char **environ;

static const struct optdef {
	const char *name;
	char letter;
	int *p;
} optlist[] = {
	{ "errexit", 'e', &dosh_opt.e },
	{ "noglob", 'f', &dosh_opt.f },
	{ "ignoreeof", 'I', &dosh_opt.I },
	{ "interactive", 'i', &dosh_opt.i },
	{ "monitor", 'm', &dosh_opt.m },
	{ "noexec", 'n', &dosh_opt.n },
	{ "stdin", 's', &dosh_opt.s },
	{ "xtrace", 'x', &dosh_opt.x },
	{ "verbose", 'v', &dosh_opt.v },
	{ "vi", 'V', &dosh_opt.V },
	{ "emacs", 'E', &dosh_opt.E },
	{ "noclobber", 'C', &dosh_opt.C },
	{ "allexport", 'a', &dosh_opt.a },
	{ "notify", 'b', &dosh_opt.b },
	{ "nounset", 'u', &dosh_opt.u },
	{ "privileged", 'p', &dosh_opt.p },
	{ "nolog", 0, &dosh_opt.nolog },
	{ "debug", 0, &dosh_opt.debug },
};
#define NOPTS (int)(sizeof(optlist) / sizeof(optlist[0]))

static void opt_changed(const struct optdef *o, int on)
{
	if (o->p == &dosh_opt.m && dosh_rootpid)
		dosh_setjobctl(on);
	if (o->p == &dosh_opt.V && on)
		dosh_opt.E = 0;
	if (o->p == &dosh_opt.E && on)
		dosh_opt.V = 0;
}

int dosh_setopt_letter(int c, int on)
{
	int k;

	for (k = 0; k < NOPTS; k++)
		if (optlist[k].letter == c) {
			*optlist[k].p = on;
			opt_changed(&optlist[k], on);
			return 0;
		}
	return -EINVAL;
}

int dosh_setopt_name(const char *name, int on)
{
	int k;

	for (k = 0; k < NOPTS; k++)
		if (!strcmp(optlist[k].name, name)) {
			*optlist[k].p = on;
			opt_changed(&optlist[k], on);
			return 0;
		}
	return -EINVAL;
}

void dosh_listopts(int reusable)
{
	int k;

	if (!reusable)
		dosh_outs("Current option settings\n");
	for (k = 0; k < NOPTS; k++) {
		if (reusable)
			dosh_outf("set %co %s\n", *optlist[k].p ? '-' : '+',
				  optlist[k].name);
		else
			dosh_outf("%-16s%s\n", optlist[k].name,
				  *optlist[k].p ? "on" : "off");
	}
}

char *dosh_optstring(void)
{
	char buf[NOPTS + 1];
	int k, n = 0;

	for (k = 0; k < NOPTS; k++)
		if (optlist[k].letter && *optlist[k].p)
			buf[n++] = optlist[k].letter;
	buf[n] = 0;
	return dosh_ststrdup(buf);
}

void dosh_exitshell(int status)
{
	static int exiting;

	dosh_exitstatus = status;
	if (!exiting++) {
		dosh_evalskip = 0;
		dosh_trap_exit();
	}
	dosh_outflush();
	if (!dosh_subshell) {
		if (dosh_interactive)
			dosh_el_end();
		if (dosh_jobctl)
			dosh_setjobctl(0);
		exit(dosh_exitstatus);
	}
	_exit(dosh_exitstatus);
}

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: 0: ", dosh_name);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

/* PWD from the environment if it names the cwd, else the real path. */
static void init_pwd(void)
{
	const char *pwd = dosh_getvar("PWD");
	struct stat a, b;
	char buf[PATH_MAX];

	if (pwd && pwd[0] == '/' && stat(pwd, &a) == 0 && stat(".", &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		dosh_setvar("PWD", pwd, V_EXPORT);
		return;
	}
	if (getcwd(buf, sizeof(buf)))
		dosh_setvar("PWD", buf, V_EXPORT);
}

static void run_env_file(void)
{
	const char *env = dosh_getvar("ENV");
	char *path;
	int fd;

	if (!env || !*env)
		return;
	path = dosh_expand_str(env, EXP_TILDE);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		struct dosh_input *in = dosh_input_fd(dosh_movefd_high(fd), 1);

		dosh_cmdloop(in, 0);
		dosh_input_free(in);
	}
}

int main(int argc, char **argv)
{
	const char *cstring = NULL;
	int k = 1, cflag = 0, sflag = 0, fd;
	struct dosh_input *in;

	dosh_name = argv[0] ? argv[0] : "dosh";
	dosh_arg0 = (char *)dosh_name;
	dosh_rootpid = getpid();

	for (; k < argc; k++) {
		const char *a = argv[k];
		int on;

		if ((a[0] != '-' && a[0] != '+') || !a[1])
			break;
		if (!strcmp(a, "--")) {
			k++;
			break;
		}
		on = a[0] == '-';
		for (a++; *a; a++) {
			if (*a == 'c' && on) {
				cflag = 1;
			} else if (*a == 's' && on) {
				sflag = 1;
			} else if (*a == 'o') {
				if (++k >= argc) {
					dosh_listopts(!on);
					dosh_outflush();
					exit(0);
				}
				if (dosh_setopt_name(argv[k], on) < 0)
					usage_error("Illegal option -o %s", argv[k]);
			} else if (dosh_setopt_letter(*a, on) < 0) {
				char bad[2] = { *a, 0 };

				usage_error("Illegal option -%s", bad);
			}
		}
	}
	if (cflag) {
		if (k >= argc)
			usage_error("-c requires an argument%s", "");
		cstring = argv[k++];
		if (k < argc)
			dosh_arg0 = argv[k++];
	} else if (!sflag && k < argc) {
		dosh_arg0 = argv[k++];
	} else {
		sflag = 1;
	}
	dosh_name = dosh_arg0;
	dosh_opt.s = sflag;

	dosh_var_init(environ);
	init_pwd();
	dosh_pp_set(argv + k, argc - k);

	if (!cflag && sflag && isatty(0) && isatty(2))
		dosh_opt.i = 1;
	dosh_interactive = dosh_opt.i;
	if (dosh_interactive) {
		dosh_opt.m = 1;
		setlocale(LC_CTYPE, "");
	}
	dosh_trap_init();
	dosh_jobs_init();

	if (cflag) {
		in = dosh_input_string(cstring, 1);
	} else if (!sflag) {
		fd = open(dosh_arg0, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "%s: 0: cannot open %s: %s\n", argv[0],
				dosh_arg0, dosh_errmsg(errno, E_OPEN));
			exit(2);
		}
		in = dosh_input_fd(dosh_movefd_high(fd), 1);
	} else if (dosh_interactive) {
		if (isatty(0))
			dosh_el_init();
		run_env_file();
		in = dosh_input_interactive();
	} else {
		in = dosh_input_fd(0, 0);
	}
	dosh_cmdloop(in, 1);
	dosh_input_free(in);
	if (dosh_interactive)
		fputc('\n', stderr);
	dosh_exitshell(dosh_exitstatus);
}
