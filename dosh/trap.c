// SPDX-License-Identifier: GPL-2.0-only
/* trap.c - dosh's signal dispositions and the trap builtin: traps run between commands, EXIT when the shell ends. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dosh.h"

static char *traps[NSIG];		/* NULL: default; "": ignored */
static volatile sig_atomic_t pending[NSIG];
static char ignored_at_entry[NSIG];
volatile sig_atomic_t dosh_pending_any;
volatile sig_atomic_t dosh_gotsigint;
int dosh_interrupted;

static void on_signal(int sig)
{
	if (sig == SIGINT)
		dosh_gotsigint = 1;
	if (traps[sig] || sig != SIGINT) {
		pending[sig] = 1;
		dosh_pending_any = 1;
	}
}

/* Install what @sig should do now, given its trap and the shell's mode. */
static void setsignal(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	if (traps[sig] && *traps[sig]) {
		sa.sa_handler = on_signal;
	} else if (traps[sig] || ignored_at_entry[sig]) {
		sa.sa_handler = SIG_IGN;
	} else if (dosh_interactive && !dosh_subshell &&
		   (sig == SIGQUIT || sig == SIGTERM)) {
		sa.sa_handler = SIG_IGN;
	} else if (dosh_interactive && !dosh_subshell && sig == SIGINT) {
		sa.sa_handler = on_signal;
	} else if (dosh_jobctl && (sig == SIGTSTP || sig == SIGTTIN ||
				   sig == SIGTTOU)) {
		sa.sa_handler = SIG_IGN;
	} else {
		sa.sa_handler = SIG_DFL;
	}
	sigaction(sig, &sa, NULL);
}

void dosh_trap_init(void)
{
	int sig;

	for (sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;

		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN &&
		    !dosh_interactive)
			ignored_at_entry[sig] = 1;
	}
	if (dosh_interactive) {
		setsignal(SIGINT);
		setsignal(SIGQUIT);
		setsignal(SIGTERM);
	}
}

void dosh_check_int(void)
{
	if (!dosh_gotsigint || !dosh_interactive || dosh_subshell)
		return;
	if (dosh_trap_is_set(SIGINT)) {
		dosh_gotsigint = 0;	/* the trap handles it */
		return;
	}
	dosh_gotsigint = 0;
	dosh_outflush();
	if (write(2, "\n", 1) < 0) {
		/* nothing to do */
	}
	dosh_exitstatus = 128 + SIGINT;
	dosh_interrupted = 1;
	dosh_raise();
}

int dosh_trap_is_set(int sig)
{
	int k;

	if (sig >= 0)
		return traps[sig] && *traps[sig];
	for (k = 0; k < NSIG; k++)
		if (traps[k] && *traps[k])
			return 1;
	return 0;
}

void dosh_trap_child(void)
{
	int sig;

	for (sig = 0; sig < NSIG; sig++) {
		if (!traps[sig] || !*traps[sig])
			continue;
		free(traps[sig]);
		traps[sig] = NULL;
		if (sig)
			signal(sig, SIG_DFL);
	}
	memset((void *)pending, 0, sizeof(pending));
	dosh_pending_any = 0;
}

static void runtrap(const char *cmd)
{
	int save = dosh_exitstatus, saveskip = dosh_evalskip;
	char *copy = dosh_xstrdup(cmd);

	dosh_evalskip = 0;
	dosh_eval_string(copy, 0);
	free(copy);
	if (!dosh_evalskip)
		dosh_evalskip = saveskip;
	dosh_exitstatus = save;
}

void dosh_dotrap(void)
{
	int sig;

	while (dosh_pending_any) {
		dosh_pending_any = 0;
		for (sig = 1; sig < NSIG; sig++) {
			if (!pending[sig])
				continue;
			pending[sig] = 0;
			if (traps[sig] && *traps[sig])
				runtrap(traps[sig]);
		}
	}
}

int dosh_trap_exit(void)
{
	char *cmd = traps[0];

	if (!cmd || !*cmd)
		return 0;
	traps[0] = NULL;
	runtrap(cmd);
	free(cmd);
	return 1;
}

int dosh_b_trap(int argc, char **argv)
{
	const char *action;
	int k = 1, status = 0, sig;

	if (argc == 1) {
		for (sig = 0; sig < NSIG; sig++) {
			if (!traps[sig])
				continue;
			dosh_outs("trap -- ");
			dosh_outquoted(traps[sig]);
			dosh_outf(" %s\n", dosh_signame(sig));
		}
		return 0;
	}
	if (!strcmp(argv[k], "--"))
		k++;
	action = argv[k];
	if (!action)
		return 0;
	if (dosh_signum(action) >= 0 && action[0] >= '0' && action[0] <= '9')
		action = NULL;	/* "trap N ...": reset */
	else
		k++;
	if (action && !strcmp(action, "-"))
		action = NULL;
	for (; argv[k]; k++) {
		sig = dosh_signum(argv[k]);
		if (sig < 0 || sig == SIGKILL || sig == SIGSTOP) {
			dosh_warn("%s: bad trap", argv[k]);
			status = 1;
			continue;
		}
		free(traps[sig]);
		traps[sig] = action ? dosh_xstrdup(action) : NULL;
		if (sig)
			setsignal(sig);
	}
	return status;
}
