#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# run.sh - the dosh test suite: golden transcripts against dash, pipelines
# mixing local and !host commands, a 256 MiB stream, the a2ps | !lpr example
# on a private CUPS daemon, and interactive cases driven through tmux.
#
# Usage: tests/dosh/run.sh [golden|mixed|stream|cups|tty]...   (default: all)
# Runs as root with or without a terminal. Prints "ok N - name" / "not ok N -
# name" lines (diagnostics start with "#") and ends with "N passed, N failed,
# N skipped"; exits 1 if anything failed. DOSH and HOSTCALLD override the
# binaries under test (default build/dosh, build/hostcalld).

ROOT=$(cd "$(dirname "$0")/../.." && pwd) || exit 2
HERE=$ROOT/tests/dosh
DOSH=${DOSH:-$ROOT/build/dosh}
HOSTCALLD=${HOSTCALLD:-$ROOT/build/hostcalld}
SHADOW_USER=nobody
DASH=$(command -v dash) || { echo "run.sh: dash is not installed (make deps)" >&2; exit 2; }
SYS_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
. "$HERE/cups.sh"
. "$ROOT/tests/lib/hostcalld.sh"

SECTIONS=${*:-golden mixed stream cups tty}

# ---- reporting ----

n=0 passed=0 failed=0 skipped=0
pass() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $1"; }
skip() { n=$((n + 1)); skipped=$((skipped + 1)); echo "ok $n - $1 # SKIP $2"; }
# fail NAME [DIAGNOSTIC LINE...]
fail() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift
	for l in "$@"; do printf '#   %s\n' "$l"; done
}
# diag_file LABEL FILE: a file's first lines as diagnostics.
diag_file() {
	[ -s "$2" ] || { printf '#   %s: (empty)\n' "$1"; return; }
	printf '#   %s:\n' "$1"
	head -n 20 "$2" | sed 's/^/#     /'
}
note() { printf '# %s\n' "$*"; }

# finish: the summary line, and the exit status.
finish() {
	[ -n "$started" ] && note "took $(awk -v a="$started" -v z="$(now)" 'BEGIN { printf "%.0f", z - a }') s"
	echo "$passed passed, $failed failed, $skipped skipped"
	[ $failed = 0 ] && exit 0
	exit 1
}

# ---- set-up and clean-up ----

WORK= HC_PID= HC_SOCK= TMUX_L=hctest-$$ started=
UNIQ=$$		# marks this run's long-running test processes (sleep 30.$UNIQ…)

cleanup() {
	trap - EXIT INT TERM HUP
	tmux -L "$TMUX_L" kill-server 2>/dev/null
	stop_hostcalld
	cups_stop
	# Host or local sleeps a failed Ctrl-C test left behind; they carry this
	# run's unique argument, so nothing else can match.
	for p in $(pgrep -f "^sleep 3[0-9]\.$UNIQ\$" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	[ -n "$WORK" ] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if [ "$(id -u)" != 0 ]; then
	echo "run.sh: run as root (it starts cupsd and hostcalld --user $SHADOW_USER)" >&2
	exit 2
fi
for b in "$DOSH" "$HOSTCALLD"; do
	[ -x "$b" ] || { echo "run.sh: $b is missing: run make all first" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/hc-dosh.XXXXXX) || exit 2
chmod 0755 "$WORK"		# the shadow user reaches the host-side test dirs
LOCAL=$WORK/local		# dosh's working directory (the "guest" side)
HOSTDIR=$WORK/hostside		# a directory used through host commands
mkdir "$LOCAL" "$HOSTDIR" "$WORK/run"

# start_hostcalld [VAR=VALUE...]: hostcalld on a private socket, with a clean
# environment as a service would have plus the given variables, which it
# passes on to host commands (--pass-env). Sets HC_SOCK and HC_PID.
start_hostcalld() {
	HC_SOCK=$WORK/hc.sock
	pass=
	for a in "$@"; do pass="$pass --pass-env ${a%%=*}"; done
	# shellcheck disable=SC2086 # $pass: variable names, no blanks
	env -i PATH="$SYS_PATH" LANG=C.UTF-8 "$@" \
		"$HOSTCALLD" --socket "$HC_SOCK" --user "$SHADOW_USER" $pass \
		> "$WORK/hostcalld.log" 2>&1 &
	HC_PID=$!
	if ! hostcalld_wait "$HC_SOCK" "$HC_PID" 10; then
		fail "hostcalld listens on $HC_SOCK" "it accepted no connection within 10 s"
		diag_file "hostcalld log" "$WORK/hostcalld.log"
		finish
	fi
}

# stop_pid PID: SIGTERM, then SIGKILL after 5 s.
stop_pid() {
	kill -TERM "$1" 2>/dev/null || return 0
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

stop_hostcalld() {
	[ -n "$HC_PID" ] && stop_pid "$HC_PID"
	HC_PID=
}

# The environment of every dosh and dash run: the same for both, so only
# the shells differ.
# Printed as words for env -i (no path here holds a space).
shell_env() {
	echo PATH="$SYS_PATH" HOME="$1" LC_ALL=C TERM=dumb HOSTCALL_SOCKET="$HC_SOCK"
}

# dosh_c SCRIPT [TIMEOUT]: run dosh -c SCRIPT in $LOCAL with stdin from
# /dev/null; stdout in $WORK/o, stderr in $WORK/e; returns dosh's status.
dosh_c() {
	(cd "$LOCAL" && exec env -i $(shell_env "$LOCAL") timeout -k 2 "${2:-60}" "$DOSH" -c "$1") \
		< /dev/null > "$WORK/o" 2> "$WORK/e"
}

# expect_out NAME EXPECTED SCRIPT: dosh -c SCRIPT must print EXPECTED
# (trailing newlines aside) and exit 0.
expect_out() {
	dosh_c "$3"; rc=$?
	got=$(cat "$WORK/o")
	if [ "$got" = "$2" ] && [ $rc = 0 ]; then
		pass "$1"
	else
		fail "$1" "script: $3" "expected stdout: $(printf '%s' "$2" | tr '\n' '|')" \
			"got stdout:      $(printf '%s' "$got" | tr '\n' '|')" "exit status: $rc"
		diag_file stderr "$WORK/e"
	fi
}

# ---- a. golden transcripts against dash ----

# normalize NAME < stderr: the shell's own name at the start of a message is
# the one thing allowed to differ ("dash: 1: x: not found" in -c mode).
normalize() {
	sed -e "s#^$1:#SH:#" -e "s#^${1##*/}:#SH:#"
}

# golden_run SHELL MODE SCRIPT OUT: run SCRIPT (as a file or with -c) in a
# fresh $WORK/run; OUT.out, OUT.err (normalized) and OUT.rc.
golden_run() {
	rm -rf "$WORK/run" && mkdir "$WORK/run" || return
	if [ "$2" = file ]; then
		(cd "$WORK/run" && exec env -i $(shell_env "$WORK/run") timeout -k 2 20 "$1" "$3")
	else
		(cd "$WORK/run" && exec env -i $(shell_env "$WORK/run") timeout -k 2 20 "$1" -c "$(cat "$3")")
	fi < /dev/null > "$4.out" 2> "$4.raw"
	echo $? > "$4.rc"
	normalize "$1" < "$4.raw" > "$4.err"
}

section_golden() {
	note "golden transcripts: $HERE/golden/*.sh, dosh vs $DASH"
	for s in "$HERE"/golden/*.sh; do
		name=${s##*/}; name=${name%.sh}
		for mode in file -c; do
			golden_run "$DASH" $mode "$s" "$WORK/dash"
			golden_run "$DOSH" $mode "$s" "$WORK/dosh"
			bad=
			for k in out err rc; do
				cmp -s "$WORK/dash.$k" "$WORK/dosh.$k" || bad="$bad $k"
			done
			label="golden $name ($( [ $mode = file ] && echo script file || echo -c))"
			if [ -z "$bad" ]; then
				pass "$label"
				continue
			fi
			fail "$label" "differs in:$bad (dash: exit $(cat "$WORK/dash.rc"), dosh: exit $(cat "$WORK/dosh.rc"))"
			for k in out err; do
				case $bad in *$k*) ;; *) continue ;; esac
				printf '#   std%s, diff -u dash dosh:\n' "$k"
				diff -u "$WORK/dash.$k" "$WORK/dosh.$k" | tail -n +3 | head -n 30 | sed 's/^/#     /'
			done
		done
	done
}

# ---- b. pipelines mixing local and host commands ----

section_mixed() {
	note "mixed pipelines (hostcalld --user $SHADOW_USER on $HC_SOCK)"
	expect_out "local | !host | local: seq | !sort -rn | head -1" 100000 \
		'seq 100000 | !sort -rn | head -1'
	expect_out "!host | local: !cat /etc/hostname | wc -c" "$(wc -c < /etc/hostname)" \
		'!cat /etc/hostname | wc -c'
	expect_out "all host: !seq 5 | !tac" "$(seq 5 | tac)" '!seq 5 | !tac'
	expect_out "all host, three stages: !seq 20 | !grep 1 | !wc -l" 11 '!seq 20 | !grep 1 | !wc -l'
	expect_out "all local: seq 5 | tac" "$(seq 5 | tac)" 'seq 5 | tac'
	expect_out "local | !host: echo hello | !tr a-z A-Z" HELLO 'echo hello | !tr a-z A-Z'
	expect_out "alternating: !seq 3 | sed s/^/x/ | !tr x y | cat" "$(printf 'y1\ny2\ny3')" \
		'!seq 3 | sed s/^/x/ | !tr x y | cat'
	expect_out "issue acceptance on the suite's hostcalld" "$(printf 'HELLO\n7')" \
		'echo hello | !tr a-z A-Z; !sh -c "exit 7"; echo $?'

	# The acceptance as the issue gives it, on a socket of its own; its
	# "sleep 1" is a wait until hostcalld accepts connections.
	acc=$WORK/acc.sock
	(cd "$ROOT" && exec build/hostcalld --socket "$acc" --user nobody) > "$WORK/acc.log" 2>&1 &
	acc_pid=$!
	hostcalld_wait "$acc" "$acc_pid" 10 || note "hostcalld on $acc accepted no connection within 10 s"
	got=$(cd "$ROOT" && HOSTCALL_SOCKET=$acc timeout -k 2 30 build/dosh -c \
		'echo hello | !tr a-z A-Z; !sh -c "exit 7"; echo $?' 2> "$WORK/e" < /dev/null)
	if [ "$got" = "$(printf 'HELLO\n7')" ]; then
		pass "issue acceptance, verbatim (build/hostcalld --user nobody &, once it accepts connections)"
	else
		fail "issue acceptance, verbatim (build/hostcalld --user nobody &, once it accepts connections)" \
			"expected HELLO|7, got: $(printf '%s' "$got" | tr '\n' '|')"
		diag_file "dosh stderr" "$WORK/e"; diag_file "hostcalld log" "$WORK/acc.log"
	fi
	stop_pid $acc_pid

	# Exit statuses of host commands, as sh reports them.
	expect_out "!true; echo \$? = 0" 0 '!true; echo $?'
	expect_out "!false; echo \$? = 1" 1 '!false; echo $?'
	expect_out "!sh -c 'exit 7'; echo \$? = 7" 7 "!sh -c 'exit 7'; echo \$?"
	expect_out "host command killed by SIGTERM: status 143" 143 "!sh -c 'kill -TERM \$\$'; echo \$?"
	expect_out "host command killed by SIGKILL: status 137" 137 "!sh -c 'kill -KILL \$\$'; echo \$?"
	expect_out "command not found on the host: status 127" 127 '!no_such_command_hctest; echo $?'
	grep -q 'no_such_command_hctest.*not found' "$WORK/e" && pass "command not found on the host: a message says so" ||
		{ fail "command not found on the host: a message says so"; diag_file stderr "$WORK/e"; }
	printf 'echo hi\n' > "$HOSTDIR/noexec"; chmod 644 "$HOSTDIR/noexec"
	expect_out "host file not executable: status 126" 126 "!$HOSTDIR/noexec 2>/dev/null; echo \$?"
	expect_out "status of a pipeline ending in a host command" "1 0" \
		'true | !false; a=$?; !false | true; echo $a $?'
	expect_out "! negation of a host command: ! !false" 0 '! !false; echo $?'
	expect_out "&& and || with host commands" "yes no" \
		'!true && printf "yes "; !false || echo no'
	expect_out "if with a host condition" found \
		'if !grep -q root /etc/passwd; then echo found; else echo missing; fi'

	# Host-side cwd, globbing and builtins.
	touch "$HOSTDIR/a.conf" "$HOSTDIR/b.conf" "$LOCAL/x.conf"
	expect_out "!ls of an absolute host glob" "$(printf '%s\n' "$HOSTDIR/a.conf" "$HOSTDIR/b.conf")" \
		"!ls $HOSTDIR/*.conf"
	expect_out "!cd DIR; !pwd" "$HOSTDIR" "!cd $HOSTDIR; !pwd"
	expect_out "host glob uses the host cwd: !cd DIR; !ls *.conf" "$(printf 'a.conf\nb.conf')" \
		"!cd $HOSTDIR; !ls *.conf"
	expect_out "!echo *.conf globs on the host, echo *.conf locally" "$(printf 'a.conf b.conf\nx.conf')" \
		"!cd $HOSTDIR; !echo *.conf; echo *.conf"
	expect_out "local glob with no match stays literal" '*.none' 'echo *.none'
	expect_out "!cd changes only the host cwd, not dosh's" "$LOCAL" "!cd $HOSTDIR; pwd"
	expect_out "cd /host/DIR: pwd, and local commands run there" \
		"$(printf '/host%s\na.conf\nb.conf\n/host%s' "$HOSTDIR" "$HOSTDIR")" \
		"cd /host$HOSTDIR && pwd && ls *.conf && /bin/pwd"
	expect_out "host commands start in / (the shadow user has no home)" / '!pwd'
	expect_out "cd changes only dosh's cwd, not the host's" / "cd $HOSTDIR; !pwd"
	expect_out "host command runs in the host cwd" "$HOSTDIR" "!cd $HOSTDIR; !sh -c pwd"

	# Environment: host commands get a login's environment of the shadow
	# user and what --pass-env names, not dosh's variables.
	expect_out "host command runs as the shadow user" "$SHADOW_USER" '!id -un'
	expect_out "host command gets USER/HOME of the shadow user" \
		"$SHADOW_USER $(getent passwd $SHADOW_USER | cut -d: -f6)" '!sh -c "echo \$USER \$HOME"'
	expect_out "host command gets hostcalld's --pass-env variable (CUPS_SERVER)" "$CUPS_SOCK" \
		'!sh -c "echo \$CUPS_SERVER"'
	expect_out "exported dosh variable does not reach a host command" "[]" \
		'export HCTEST_SECRET=leak; !sh -c "echo [\$HCTEST_SECRET]"'
	section_mixed_env_passing
	section_mixed_scripts
	section_mixed_c_args

	# Command substitution and redirections with host commands.
	expect_out "x=\$(!echo hi); echo \$x" hi 'x=$(!echo hi); echo $x'
	expect_out "host command substitution in a word" "n=3" 'echo n=$(!seq 3 | !wc -l)'
	expect_out "host stderr to a local 2>&1 pipe" "err|out" \
		"!sh -c 'echo out; echo err >&2' 2>&1 | sort | tr '\n' '|' | sed 's/|\$//'"
	expect_out "host stderr discarded with 2>/dev/null" out \
		"!sh -c 'echo out; echo err >&2' 2>/dev/null"
	printf 'l1\nl2\nl3\n' > "$LOCAL/in.txt"
	expect_out "local file redirected into a host command: !wc -l < in.txt" 3 '!wc -l < in.txt'
	dosh_c '!seq 4 > out.txt; cat out.txt | wc -l'
	if [ "$(cat "$WORK/o")" = 4 ] && [ -f "$LOCAL/out.txt" ]; then
		pass "host command output redirected to a local file: !seq 4 > out.txt"
	else
		fail "host command output redirected to a local file: !seq 4 > out.txt" \
			"stdout: $(cat "$WORK/o")" "local out.txt exists: $([ -f "$LOCAL/out.txt" ] && echo yes || echo no)"
		diag_file stderr "$WORK/e"
	fi
	expect_out "here-document into a host command" "A B" \
		'!tr a-z A-Z <<EOF
a b
EOF'
	expect_out "host commands in a loop" "1 2 3" \
		'for i in 1 2 3; do !echo $i; done | tr "\n" " " | sed "s/ \$//"'
	expect_out "SIGPIPE ends a host producer: !yes | head -1" y '!yes | head -1'
	expect_out "SIGPIPE ends a local producer: yes | !head -1" y 'yes | !head -1'
	expect_out "large host output in \$(...)" 588895 'x=$(!seq 100000); echo "$x" | wc -c'
	expect_out "host commands do not eat a loop's stdin" "$(printf 'got 1\ngot 2')" \
		'printf "1\n2\n" | while read l; do !echo "got $l"; done'
	expect_out "host command with stdin at EOF (/dev/null)" 0 '!cat; echo $?'
	expect_out "200 host commands in a row (no leak)" "200 ok" \
		'i=0; while [ $i -lt 200 ]; do !true || break; i=$((i + 1)); done; echo $i ok'
	dosh_c 'set -e; !false; echo no'; rc=$?
	[ $rc = 1 ] && [ ! -s "$WORK/o" ] && pass "set -e: dosh exits 1 at !false" ||
		fail "set -e: dosh exits 1 at !false" "exit $rc, stdout: $(cat "$WORK/o")"
	expect_out "!cd to a missing directory fails, host cwd kept" "1 /" \
		'!cd /nonexistent-hctest 2>/dev/null; s=$?; echo $s $(!pwd)'
	dosh_c "!sleep 36.$UNIQ & p=\$!; sleep 0.5; kill \$p; wait \$p; echo \$?"
	if [ "$(cat "$WORK/o")" = 143 ] && wait_gone "^sleep 36\.$UNIQ\$" 3; then
		pass "kill \$! of a background host command: status 143, host process gone"
	else
		fail "kill \$! of a background host command: status 143, host process gone" \
			"stdout: $(cat "$WORK/o")" "left: $(pgrep -af "^sleep 36\.$UNIQ\$")"
	fi
	expect_out "host command in the background and wait" "$(printf 'bg\n5')" \
		'!sh -c "echo bg; exit 5" & wait $!; echo $?' 
}

# Ways to give dosh a script: a #! file, a script file argument, stdin.
section_mixed_scripts() {
	printf '#!%s\necho "local $1"\n!echo host\n' "$DOSH" > "$LOCAL/hs"
	chmod 755 "$LOCAL/hs"
	got=$(cd "$LOCAL" && env -i $(shell_env "$LOCAL") timeout -k 2 30 ./hs arg < /dev/null 2> "$WORK/e")
	[ "$got" = "$(printf 'local arg\nhost')" ] && pass "#!$DOSH script with a host command" ||
		{ fail "#!$DOSH script with a host command" "got: $(printf '%s' "$got" | tr '\n' '|')"; diag_file stderr "$WORK/e"; }
	got=$(cd "$LOCAL" && printf 'echo one\n!echo two\n' |
		env -i $(shell_env "$LOCAL") timeout -k 2 30 "$DOSH" 2> "$WORK/e")
	[ "$got" = "$(printf 'one\ntwo')" ] && pass "script on stdin (no terminal)" ||
		{ fail "script on stdin (no terminal)" "got: $(printf '%s' "$got" | tr '\n' '|')"; diag_file stderr "$WORK/e"; }
}

# dosh -c STRING NAME ARGS sets $0 and the positional parameters as sh does.
section_mixed_c_args() {
	want=$(cd "$LOCAL" && "$DASH" -c 'echo "$0|$#|$1|$2"' nm 'a b' c)
	got=$(cd "$LOCAL" && timeout -k 2 30 "$DOSH" -c 'echo "$0|$#|$1|$2"' nm 'a b' c 2>&1 < /dev/null)
	[ "$got" = "$want" ] && pass "dosh -c STRING NAME ARGS sets \$0 and \$@ as dash does" ||
		fail "dosh -c STRING NAME ARGS sets \$0 and \$@ as dash does" "dash: $want" "dosh: $got"
}

# How variables reach host commands, as dosh/README.md documents it:
# VAR=value !cmd and DOSH_HOSTENV.
section_mixed_env_passing() {
	expect_out "prefix assignment reaches a host command: HCV=x !sh -c 'echo \$HCV'" "[x]" \
		"HCV=x !sh -c 'echo [\$HCV]'"
	expect_out "prefix assignment does not stay in dosh" "[]" \
		"HCV=x !true; echo [\$HCV]"
	expect_out "DOSH_HOSTENV names variables passed to every host command" "[a] [b] []" \
		"DOSH_HOSTENV='HCA HCB'; HCA=a; HCB=b; HCC=c; export HCC; !sh -c 'echo [\$HCA] [\$HCB] [\$HCC]'"
}

# ---- c. a 256 MiB stream through local | !host | local ----

# now: seconds since the epoch with nanoseconds.
now() { date +%s.%N; }
# rate BYTES T0 T1: "S s, R MB/s" (MB = 10^6 bytes).
rate() { awk -v b="$1" -v a="$2" -v z="$3" 'BEGIN { t = z - a; if (t <= 0) t = 1e-9; printf "%.2f s, %.0f MB/s", t, b / t / 1e6 }'; }

section_stream() {
	size=268435456
	f=$LOCAL/stream.bin
	note "generating 256 MiB of random data"
	head -c $size /dev/urandom > "$f" || { fail "256 MiB stream: cannot write $f"; return; }
	want=$(sha256sum < "$f" | cut -d' ' -f1)

	t0=$(now); cat "$f" | cat | sha256sum > /dev/null; t1=$(now)
	native=$(rate $size "$t0" "$t1")

	t0=$(now); dosh_c 'cat stream.bin | !cat | sha256sum' 300; rc=$?; t1=$(now)
	got=$(cut -d' ' -f1 "$WORK/o")
	if [ "$got" = "$want" ] && [ $rc = 0 ]; then
		pass "256 MiB through cat | !cat | sha256sum: checksums equal"
	else
		fail "256 MiB through cat | !cat | sha256sum: checksums equal" \
			"want $want" "got  $got (exit $rc)"
		diag_file stderr "$WORK/e"
	fi
	note "256 MiB cat | !cat | sha256sum: $(rate $size "$t0" "$t1") (native cat | cat | sha256sum: $native)"

	t0=$(now); dosh_c "!cat $f | sha256sum" 300; rc=$?; t1=$(now)
	got=$(cut -d' ' -f1 "$WORK/o")
	if [ "$got" = "$want" ] && [ $rc = 0 ]; then
		pass "256 MiB host file through !cat FILE | sha256sum: checksums equal"
	else
		fail "256 MiB host file through !cat FILE | sha256sum: checksums equal" "got $got (exit $rc)"
		diag_file stderr "$WORK/e"
	fi
	note "256 MiB !cat FILE | sha256sum: $(rate $size "$t0" "$t1")"

	# The transport alone, without the checksum's cost.
	t0=$(now); cat "$f" | cat | cat > /dev/null; t1=$(now)
	native=$(rate $size "$t0" "$t1")
	t0=$(now); dosh_c 'cat stream.bin | !cat | wc -c' 300; rc=$?; t1=$(now)
	if [ "$(cat "$WORK/o")" = $size ] && [ $rc = 0 ]; then
		pass "256 MiB through cat | !cat | wc -c: byte count equal"
	else
		fail "256 MiB through cat | !cat | wc -c: byte count equal" "got $(cat "$WORK/o") (exit $rc)"
	fi
	note "256 MiB cat | !cat | wc -c: $(rate $size "$t0" "$t1") (native cat | cat | cat: $native)"
	rm -f "$f"
}

# ---- d. the example: a2ps on the dosh side, lpr on the host side ----

# cups_print_check NAME SCRIPT: run SCRIPT, which prints test.c through
# !lpr, and check the job that arrives at the private CUPS daemon.
cups_print_check() {
	before=$(cups_last_job)
	dosh_c "$2" 60; rc=$?
	job=$((before + 1))
	out=$CUPS_DIR/out/job-$job.ps
	if ! cups_wait_output $job 30; then
		fail "$1: job $job printed" "dosh exit $rc; no completed job $job with output within 30 s" \
			"lpstat -W all: $(CUPS_SERVER=$CUPS_SOCK lpstat -W all -o testq 2>&1 | tr '\n' '|')"
		diag_file "dosh stderr" "$WORK/e"
		tail -n 15 "$CUPS_DIR/log/error_log" 2>/dev/null | sed 's/^/#     /'
		return
	fi
	[ $rc = 0 ] && pass "$1: job $job printed, dosh exit 0" ||
		{ fail "$1: job $job printed, dosh exit 0" "dosh exit $rc"; diag_file "dosh stderr" "$WORK/e"; }
	[ "$(head -c 4 "$out")" = '%!PS' ] && pass "$1: output is PostScript" ||
		fail "$1: output is PostScript" "starts with: $(head -c 40 "$out" | od -c | head -2 | tr '\n' ' ')"
	grep -q 'hostcall_marker_42 = 42;' "$out" && pass "$1: output holds the line of test.c" ||
		fail "$1: output holds the line of test.c" "no 'hostcall_marker_42 = 42;' in $(wc -c < "$out") bytes"
	# a2ps ran on the dosh side (root), lpr on the host side (the shadow user).
	grep -q '^%%For: root' "$out" && pass "$1: a2ps ran on the dosh side (%%For: root)" ||
		fail "$1: a2ps ran on the dosh side (%%For: root)" "$(grep '^%%For' "$out")"
	line=$(CUPS_SERVER=$CUPS_SOCK lpstat -W completed -o testq | grep "^testq-$job ")
	case $line in
	*" $SHADOW_USER "*) pass "$1: lpstat -W completed lists job $job, owned by $SHADOW_USER (lpr ran on the host)" ;;
	*) fail "$1: lpstat -W completed lists job $job, owned by $SHADOW_USER (lpr ran on the host)" "lpstat: $line" ;;
	esac
}

section_cups() {
	if [ -z "$CUPS_DIR" ]; then
		fail "private CUPS daemon started" "see the cups_start message above"
		return
	fi
	note "private cupsd on $CUPS_SOCK, queue testq (default), backend output in $CUPS_DIR/out"
	cat > "$LOCAL/test.c" <<'EOF'
/* test.c - printed by the dosh test suite through a2ps | !lpr. */
#include <stdio.h>

int hostcall_marker_42 = 42;

int main(void)
{
	printf("%d\n", hostcall_marker_42);
	return 0;
}
EOF
	cups_print_check "a2ps -o - test.c | !lpr -P testq" 'a2ps -q -o - test.c | !lpr -P testq'
	cups_print_check "a2ps -o - test.c | !lpr (default destination)" 'a2ps -q -o - test.c | !lpr'
}

# ---- e. interactive dosh in tmux ----

T() { tmux -L "$TMUX_L" "$@"; }
pane() { T capture-pane -p -t hc; }

# wait_line REGEX SECONDS: wait until a whole line of the pane matches REGEX.
wait_line() {
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		pane | grep -Eq "^$1\$" && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# wait_gone PATTERN SECONDS: wait until no process matches pgrep -f PATTERN.
wait_gone() {
	i=0
	while pgrep -f "$1" > /dev/null; do
		[ $i -ge $(($2 * 10)) ] && return 1
		sleep 0.1; i=$((i + 1))
	done
}

# wait_running PATTERN SECONDS: wait until a process matches pgrep -f PATTERN.
wait_running() {
	i=0
	until pgrep -f "$1" > /dev/null; do
		[ $i -ge $(($2 * 10)) ] && return 1
		sleep 0.1; i=$((i + 1))
	done
}

tty_mark=0
# responsive SECONDS: dosh runs a new command within SECONDS (typed with an
# arithmetic expansion so the output line cannot be the echoed input).
responsive() {
	tty_mark=$((tty_mark + 1))
	T send-keys -t hc "echo mark\$((1000 + $tty_mark))" Enter
	wait_line "mark$((1000 + tty_mark))" "$1"
}

# status_now SECONDS: print $? of dosh's last command (typed as a command,
# so it also shows that dosh takes commands again); fails on timeout.
status_now() {
	tty_mark=$((tty_mark + 1))
	T send-keys -t hc "echo st$((2000 + tty_mark))=\$?" Enter
	wait_line "st$((2000 + tty_mark))=[0-9]+" "$1" || return 1
	pane | sed -n "s/^st$((2000 + tty_mark))=\([0-9]*\)\$/\1/p" | tail -n 1
}

tty_fail() { fail "$1" "$2"; pane | sed -e '/^$/d' -e 's/^/#     | /' | tail -n 15; }

tty_start() {
	T -f /dev/null new-session -d -s hc -x 100 -y 30 \
		"cd $LOCAL && exec env -i PATH=$SYS_PATH HOME=$LOCAL TERM=screen LC_ALL=C.UTF-8 HOSTCALL_SOCKET=$HC_SOCK $DOSH -i" || return 1
	T set -g status off
	T set -g window-size manual
	T set -g remain-on-exit on
}

section_tty() {
	if ! tty_start; then fail "tmux session with dosh -i started"; return; fi
	i=0
	while [ -z "$(pane | tr -d ' \n')" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	if [ -n "$(pane | tr -d ' \n')" ] && responsive 5; then
		pass "interactive: a prompt appears and a command runs"
	else
		tty_fail "interactive: a prompt appears and a command runs" "no output within 10 s"
		skip "interactive cases" "dosh -i does not run commands in a tmux pane"
		return
	fi
	note "prompt: $(pane | sed '/^$/d' | tail -n 1)"

	# Ctrl-C of a foreground host command.
	T send-keys -t hc "!sleep 31.$UNIQ" Enter
	if ! wait_running "^sleep 31\.$UNIQ\$" 5; then
		tty_fail "interactive: !sleep starts a host sleep" "no process 'sleep 31.$UNIQ' after 5 s"
	else
		pgrep -u "$SHADOW_USER" -f "^sleep 31\.$UNIQ\$" > /dev/null &&
			pass "interactive: !sleep runs on the host as $SHADOW_USER" ||
			fail "interactive: !sleep runs on the host as $SHADOW_USER" \
				"owner: $(ps -o user= -p "$(pgrep -f "^sleep 31\.$UNIQ\$" | head -1)")"
		T send-keys -t hc C-c
		st=$(status_now 5)
		case $st in
		130) pass "interactive: C-c stops !sleep 30, prompt back, \$? = 130" ;;
		'') tty_fail "interactive: C-c stops !sleep 30, prompt back, \$? = 130" "no new command ran within 5 s" ;;
		*) tty_fail "interactive: C-c stops !sleep 30, prompt back, \$? = 130" "\$? is $st" ;;
		esac
		wait_gone "^sleep 31\.$UNIQ\$" 3 && pass "interactive: the host sleep is gone after C-c" ||
			fail "interactive: the host sleep is gone after C-c" "still running: $(pgrep -af "^sleep 31\.$UNIQ\$")"
	fi

	# Ctrl-C of a foreground local command.
	T send-keys -t hc "sleep 32.$UNIQ" Enter
	if ! wait_running "^sleep 32\.$UNIQ\$" 5; then
		tty_fail "interactive: C-c stops a local sleep 30, prompt back" "sleep 32.$UNIQ did not start"
		responsive 3 || true
	else
		T send-keys -t hc C-c
		st=$(status_now 5)
		if [ "$st" = 130 ] && wait_gone "^sleep 32\.$UNIQ\$" 3; then
			pass "interactive: C-c stops a local sleep 30, prompt back, \$? = 130"
		else
			tty_fail "interactive: C-c stops a local sleep 30, prompt back, \$? = 130" \
				"\$? [$st], left: $(pgrep -af "^sleep 32\.$UNIQ\$")"
		fi
	fi

	# Ctrl-C of a mixed pipeline stops both sides.
	T send-keys -t hc "!sleep 33.$UNIQ | sleep 34.$UNIQ" Enter
	if ! wait_running "^sleep 33\.$UNIQ\$" 5 || ! wait_running "^sleep 34\.$UNIQ\$" 5; then
		tty_fail "interactive: C-c stops both sides of !sleep | sleep" \
			"not both started: $(pgrep -af "^sleep 3[34]\.$UNIQ\$" | tr '\n' ' ')"
		T send-keys -t hc C-c
		responsive 3 || true
	else
		T send-keys -t hc C-c
		if responsive 5 && wait_gone "^sleep 3[34]\.$UNIQ\$" 3; then
			pass "interactive: C-c stops both sides of !sleep | sleep"
		else
			tty_fail "interactive: C-c stops both sides of !sleep | sleep" \
				"left: $(pgrep -af "^sleep 3[34]\.$UNIQ\$" | tr '\n' ' ')"
		fi
	fi

	# Job control: a background job, jobs, fg, then C-c.
	T send-keys -t hc clear Enter
	T send-keys -t hc "sleep 35.$UNIQ &" Enter
	T send-keys -t hc jobs Enter
	if wait_line ".*Running.*sleep 35\.$UNIQ.*" 5; then
		pass "interactive: jobs lists a background job"
	else
		tty_fail "interactive: jobs lists a background job" "no 'Running ... sleep 35.$UNIQ' line"
	fi
	bg_ran=no
	wait_running "^sleep 35\.$UNIQ\$" 3 && bg_ran=yes
	T send-keys -t hc fg Enter
	sleep 0.5
	T send-keys -t hc C-c
	if [ $bg_ran = no ]; then
		tty_fail "interactive: fg brings the job back, C-c stops it" "the background sleep never ran"
	elif responsive 5 && wait_gone "^sleep 35\.$UNIQ\$" 3; then
		pass "interactive: fg brings the job back, C-c stops it"
	else
		tty_fail "interactive: fg brings the job back, C-c stops it" "left: $(pgrep -af "^sleep 35\.$UNIQ\$")"
	fi

	# A foreground host command gets a host pty, not dosh's terminal.
	ptty=$(T display -p -t hc '#{pane_tty}')
	T send-keys -t hc clear Enter
	T send-keys -t hc '!tty' Enter
	if wait_line '/dev/pts/[0-9]+' 5; then
		htty=$(pane | grep -E '^/dev/pts/[0-9]+$' | tail -n 1)
		[ "$htty" != "$ptty" ] && pass "interactive: !tty prints a host pty ($htty, pane $ptty)" ||
			fail "interactive: !tty prints a host pty ($htty, pane $ptty)" "the host command got dosh's own terminal"
	else
		tty_fail "interactive: !tty prints a host pty" "no /dev/pts/N line within 5 s"
	fi

	# Window size at start and forwarded while the command runs.
	T send-keys -t hc clear Enter
	T send-keys -t hc '!stty size' Enter
	sz=$(T display -p -t hc '#{pane_height} #{pane_width}')
	wait_line "$sz" 5 && pass "interactive: !stty size shows the pane size ($sz)" ||
		tty_fail "interactive: !stty size shows the pane size ($sz)" "no line '$sz' within 5 s"
	T send-keys -t hc clear Enter
	T send-keys -t hc "!sh -c 'read x; stty size'" Enter
	sleep 1
	T resize-window -t hc -x 90 -y 25
	sleep 0.5
	T send-keys -t hc Enter
	sz=$(T display -p -t hc '#{pane_height} #{pane_width}')
	wait_line "$sz" 5 && pass "interactive: a window resize reaches a running host command ($sz)" ||
		tty_fail "interactive: a window resize reaches a running host command ($sz)" "no line '$sz' within 5 s"
	responsive 5 || true
	T send-keys -t hc clear Enter
	T send-keys -t hc '!stty size' Enter
	wait_line "$sz" 5 && pass "interactive: a new host command gets the new size ($sz)" ||
		tty_fail "interactive: a new host command gets the new size ($sz)" "no line '$sz' within 5 s"

	# Full-screen !less, then q.
	seq -f 'less-line-%g' 200 > "$HOSTDIR/lessfile"
	T send-keys -t hc clear Enter
	responsive 3 || true
	T send-keys -t hc "!less $HOSTDIR/lessfile" Enter
	rows=$(T display -p -t hc '#{pane_height}')
	last=$((rows - 1))
	if wait_line "less-line-$last" 5 && pane | head -n 1 | grep -qx 'less-line-1'; then
		pass "interactive: !less shows the file full-screen (lines 1..$last)"
	else
		tty_fail "interactive: !less shows the file full-screen (lines 1..$last)" "pane does not start at line 1 and reach $last"
	fi
	T send-keys -t hc ' '
	wait_line "less-line-$((last * 2))" 5 && pass "interactive: space pages on in !less" ||
		tty_fail "interactive: space pages on in !less" "no less-line-$((last * 2)) within 5 s"
	T send-keys -t hc q
	responsive 5 && pass "interactive: q leaves !less, prompt back" ||
		tty_fail "interactive: q leaves !less, prompt back" "no new command ran within 5 s"

	# Line editing and history (libedit).
	T send-keys -t hc clear Enter
	T send-keys -t hc 'cho edit$((6 * 7))' C-a 'e' Enter
	wait_line 'edit42' 5 && pass "interactive: line editing (C-a, insert at start)" ||
		tty_fail "interactive: line editing (C-a, insert at start)" "no line edit42 within 5 s"
	T send-keys -t hc clear Enter
	responsive 3 || true
	T send-keys -t hc Up Up Up Enter
	wait_line 'edit42' 5 && pass "interactive: history (Up recalls an earlier line)" ||
		tty_fail "interactive: history (Up recalls an earlier line)" "no line edit42 within 5 s"

	# Completion of host paths after ! (relative to the host cwd, which the
	# local cwd does not share).
	echo completed-on-host > "$HOSTDIR/hctest-uniq-file"
	T send-keys -t hc "!cd $HOSTDIR" Enter
	T send-keys -t hc clear Enter
	T send-keys -t hc '!cat hctest-un' Tab
	sleep 0.5
	T send-keys -t hc Enter
	wait_line 'completed-on-host' 5 && pass "interactive: Tab completes a host path after !" ||
		tty_fail "interactive: Tab completes a host path after !" "no line completed-on-host within 5 s"

	T send-keys -t hc 'exit' Enter
	i=0
	while [ "$(T display -p -t hc '#{pane_dead}' 2>/dev/null)" != 1 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(T display -p -t hc '#{pane_dead}' 2>/dev/null)" = 1 ] && pass "interactive: exit ends dosh" ||
		tty_fail "interactive: exit ends dosh" "pane still alive after 5 s"
}

# ---- main ----

started=$(now)
case " $SECTIONS " in
*" cups "*|*" mixed "*) cups_start || echo "run.sh: the private CUPS daemon did not start" >&2 ;;
esac
start_hostcalld ${CUPS_SOCK:+CUPS_SERVER=$CUPS_SOCK}

for s in $SECTIONS; do
	case $s in
	golden|mixed|stream|cups|tty) "section_$s" ;;
	*) echo "run.sh: unknown section $s (golden mixed stream cups tty)" >&2; exit 2 ;;
	esac
done

finish
