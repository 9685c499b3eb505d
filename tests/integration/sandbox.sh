#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The shadows' sandbox and the spawner: the seccomp filter's three answers (allow, error, kill) and its log mode, shadows with no_new_privs, an empty bounding set and not dumpable, host programs that still run setuid (passwd -S) with a login's environment and none of hostcalld's, and WINSIZE on the pty it was given.
#
# Runs as root: creates the user hctest_sbx (and removes it), starts
# hostcalld as root with --user hctest_sbx, with --allow-root, and as
# hctest_sbx itself. As an ordinary user only the filter cases run.
# Output: "ok N - name" / "not ok N - name" with "# " diagnostics, then
# "P passed, F failed[, S skipped]". Exit status 1 if anything failed.
#
# Environment: HOSTCALLD, DOSH (default build/), SANDBOX_PROBE (the test program,
# build/tests/sandbox_probe; make test-helpers).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HOSTCALLD=${HOSTCALLD:-$ROOT/build/hostcalld}
DOSH=${DOSH:-$ROOT/build/dosh}
SANDBOX_PROBE=${SANDBOX_PROBE:-$ROOT/build/tests/sandbox_probe}
. "$ROOT/tests/lib/hostcalld.sh"
. "$ROOT/tests/lib/tap.sh"
export LC_ALL=C PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
unset HOSTCALL_SOCKET HOSTCALL_PREFIX HOSTCALL_CWD HOSTCALL_DEBUG

N=0 PASS=0 FAIL=0 SKIP=0
DAEMONS=()
U=hctest_sbx
IS_ROOT=0
[ "$(id -u)" = 0 ] && IS_ROOT=1

if [ "$IS_ROOT" = 1 ]; then
	exec 9> /tmp/hostcall-sandbox.lock
	flock -w 300 9 || { echo "# another run holds /tmp/hostcall-sandbox.lock" >&2; exit 1; }
fi
T=$(mktemp -d /tmp/hostcall-sbx.XXXXXX) || exit 1
chmod 755 "$T"

cleanup() {
	local p
	for p in "${DAEMONS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for _ in $(seq 20); do
		[ -z "$(pgrep -f -- "--socket $T/")" ] && break
		sleep 0.1
	done
	for p in $(pgrep -f -- "--socket $T/"); do kill -KILL "$p" 2>/dev/null; done
	if [ "$IS_ROOT" = 1 ] && id -u "$U" >/dev/null 2>&1; then
		# only this script runs as this user: what is left is ours
		for p in $(pgrep -u "$U"); do kill -KILL "$p" 2>/dev/null; done
		userdel "$U" 2>/dev/null || { sleep 0.5; userdel "$U"; }
	fi
	rm -rf -- "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# check NAME [DIAGNOSTIC...] -- CMD...: ok if CMD succeeds
check() {
	local name=$1 diag=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do diag+=("$1"); shift; done
	shift
	if "$@"; then ok "$name"; else not_ok "$name" "${diag[@]}"; fi
}
finish() {
	echo "$PASS passed, $FAIL failed$([ "$SKIP" -gt 0 ] && echo ", $SKIP skipped")"
	[ "$FAIL" = 0 ]
	exit
}

# Re-number the probe's "ok - x" / "not ok - x # why" lines into ours.
probe() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) not_ok "${line#not ok - }" ;;
		*) echo "# $line" ;;
		esac
	done < <(timeout -k 2 60 "$SANDBOX_PROBE" "$@" 2>&1; echo "probe $1 exited $?")
}

# ---- the filter itself, installed by host/sandbox.c in a test program ----

if ! why=$(helper_check "$SANDBOX_PROBE" "$ROOT/tests/integration/sandbox_probe.c" \
	    "$ROOT/host/sandbox.c"); then
	not_ok "sandbox_probe is built" "$why"
	finish
fi
probe filter kill
probe filter log

if [ "$IS_ROOT" = 0 ]; then
	skip "shadows, spawners and host programs" "needs root (creates the user $U)"
	finish
fi

# ---- set-up: a user, and hostcalld with a canary in its environment ----

userdel "$U" >/dev/null 2>&1
mkdir -p "$T/home" "$T/u"
if ! useradd -M -d "$T/home" -s /bin/sh "$U" 2> "$T/useradd.log"; then
	not_ok "useradd $U" "$(cat "$T/useradd.log")"
	finish
fi
chown "$U:" "$T/home" "$T/u"
CANARY=canary-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
PASSED=passed-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')

# start NAME [as USER] ARGS...: hostcalld on $T/NAME.sock (or $T/u/NAME.sock
# when run as $U), with an environment a root shell might have; sets LAST.
start() {
	local name=$1 sock=$T/$1.sock pre=()
	shift
	if [ "${1:-}" = as ]; then
		pre=(setpriv --reuid="$2" --regid="$2" --init-groups --)
		sock=$T/u/$name.sock
		shift 2
	fi
	"${pre[@]}" env -i PATH="$PATH" PWD=/root OLDPWD=/srv HOME=/root LANG=hc_NOT.UTF-8 \
		HC_CANARY="$CANARY" HC_SECRET_TOKEN="$CANARY" HC_PASSED="$PASSED" \
		"$HOSTCALLD" --socket "$sock" --verbose "$@" 2> "$T/$name.log" &
	LAST=$!
	DAEMONS+=("$LAST")
	hostcalld_wait "$sock" "$LAST" && return 0
	not_ok "hostcalld $name starts" "$(cat "$T/$name.log")"
	return 1
}

# on NAME SCRIPT: dosh -c SCRIPT against instance NAME (as root)
on() { HOSTCALL_SOCKET=$T/$1.sock timeout -k 2 20 "$DOSH" -c "$2" 2>&1; }

# field PID NAME: a line of /proc/PID/status, value only
field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" 2>/dev/null | tr -s ' \t' ' '; }

start main --user "$U" --pass-env HC_PASSED || finish
MAINPID=$LAST

# ---- setuid host programs work, as the user ----

out=$(on main '!passwd -S')
want=$(passwd -S "$U")
check "!passwd -S prints $U's status line (setuid root through the spawner)" \
	"got: $out" "want: $want" -- [ "$out" = "$want" ]
# a setuid-root program gets root's capabilities: the starter's SECBIT_NOROOT
# (uid 0 alone gives it none) is not passed on to the users' programs
install -m 4755 -o root "$(command -v grep)" "$T/suid-grep"
out=$(on main "!$T/suid-grep -E '^(Uid|CapEff):' /proc/self/status" | tr -s '\t ' ' ' | tr '\n' ';')
uid=$(id -u "$U")
want="Uid: $uid 0 0 0;CapEff: $(field $$ CapBnd);"
check "a setuid-root host program run by $U has root's capabilities (SECBIT_NOROOT stays the starter's)" \
	"got: $out" "want: $want" -- [ "$out" = "$want" ]
out=$(on main '!id')
want=$(setpriv --reuid="$U" --regid="$U" --init-groups -- id)
check "!id shows $U" "got: $out" "want: $want" -- [ "$out" = "$want" ]
out=$(on main 'cd /host/tmp; (!passwd -S)')
forked=$(grep -c 'shadow pid [0-9]*, forked' "$T/main.log")
check "!passwd -S in a forked subject (its spawner forked by the parent's)" \
	"got: $out" "want: $(passwd -S "$U") from a forked subject; forked: $forked" \
	-- [ "$out" = "$(passwd -S "$U")" -a "$forked" -gt 0 ]

# ---- the environment: a login's, and nothing of hostcalld's ----

env_out=$(on main '!env')
pw_home=$(getent passwd "$U" | cut -d: -f6)
pw_shell=$(getent passwd "$U" | cut -d: -f7)
login_path() {	# login(1)'s PATH for user ($1 = ENV_PATH) or root (ENV_SUPATH)
	local p
	p=$(sed -n "s/^[[:space:]]*$1[[:space:]]\+\(PATH=\)\?\([^[:space:]]*\).*/\2/p" /etc/login.defs 2>/dev/null | tail -n 1)
	[ -n "$p" ] || p=$2
	echo "$p"
}
want_path=$(login_path ENV_PATH /usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games)
# the locale's variables as pam_env reads /etc/default/locale
want_locale=$(sed -n 's/^[[:space:]]*\(export[[:space:]]\+\)\?\(LANG\|LANGUAGE\|LC_[A-Z_]*\)=["'\'']\?\([^"'\'' #]*\).*/\2=\3/p' \
	/etc/default/locale 2>/dev/null | sort -u)
check "a host program's environment has no canary of hostcalld's" \
	"$(echo "$env_out" | grep -- "$CANARY")" \
	-- sh -c '! printf "%s\n" "$1" | grep -q -- "$2"' sh "$env_out" "$CANARY"
check "no PWD, OLDPWD or LANG of hostcalld's reaches a host program" \
	"$(echo "$env_out" | grep -E '^(PWD|OLDPWD)=|hc_NOT')" \
	-- sh -c '! printf "%s\n" "$1" | grep -qE "^(PWD|OLDPWD)=|hc_NOT"' sh "$env_out"
want="HOME=$pw_home USER=$U LOGNAME=$U SHELL=$pw_shell PATH=$want_path"
got=$(for v in HOME USER LOGNAME SHELL PATH; do echo "$env_out" | grep "^$v="; done | tr '\n' ' ')
check "HOME, USER, LOGNAME, SHELL from passwd and login's PATH" \
	"got: $got" "want: $want" -- [ "$got" = "$want " ]
got=$(echo "$env_out" | grep -E '^(LANG|LANGUAGE|LC_[A-Z_]*)=' | sort -u)
check "LANG and LC_* as /etc/default/locale sets them (${want_locale:-none here})" \
	"got: $got" "want: $want_locale" -- [ "$got" = "$want_locale" ]
check "--pass-env HC_PASSED passes that variable of hostcalld's" \
	"$env_out" -- sh -c 'printf "%s\n" "$1" | grep -qx "HC_PASSED=$2"' sh "$env_out" "$PASSED"
extra=$(echo "$env_out" | cut -d= -f1 | grep -vxE 'HOME|USER|LOGNAME|SHELL|PATH|HC_PASSED|LANG|LANGUAGE|LC_[A-Z_]*')
check "nothing else is in it" "extra: $extra" -- [ -z "$extra" ]
out=$(on main 'HCV=x !env; DOSH_HOSTENV=HCW; HCW=y; !env' | grep -E '^HC[VW]=' | tr '\n' ' ')
check "what the caller passes is added (VAR=x !cmd, DOSH_HOSTENV)" \
	"got: $out" -- [ "$out" = "HCV=x HCW=y " ]

# ---- the sandbox, seen in /proc while a host program runs ----

STAMP=7.$$
HOSTCALL_SOCKET=$T/main.sock setsid "$DOSH" -c "!sleep $STAMP" > /dev/null 2>&1 &
client=$!
for _ in $(seq 50); do
	hp=$(pgrep -f "^sleep $STAMP\$")
	[ -n "$hp" ] && break
	sleep 0.1
done
relay_bnd=$(field "$MAINPID" CapBnd)
if [ -z "$hp" ]; then
	not_ok "a host program runs" "$(tail -n 5 "$T/main.log")"
else
	sp=$(ps -o ppid= -p "$hp" | tr -d ' ')
	got="comm=$(cat "/proc/$sp/comm") Uid=$(field "$sp" Uid) NoNewPrivs=$(field "$sp" NoNewPrivs) Seccomp=$(field "$sp" Seccomp) CapBnd=$(field "$sp" CapBnd)"
	uid=$(id -u "$U")
	want="comm=hostcalld-spawn Uid=$uid $uid $uid $uid NoNewPrivs=0 Seccomp=0 CapBnd=$relay_bnd"
	check "the host program's parent is its spawner: $U, no no_new_privs, no filter, the full bounding set" \
		"got:  $got" "want: $want" -- [ "$got" = "$want" ]
	got="Uid=$(field "$hp" Uid) NoNewPrivs=$(field "$hp" NoNewPrivs) Seccomp=$(field "$hp" Seccomp) CapBnd=$(field "$hp" CapBnd)"
	want="Uid=$uid $uid $uid $uid NoNewPrivs=0 Seccomp=0 CapBnd=$relay_bnd"
	check "the host program runs as a login's program would" "got:  $got" "want: $want" \
		-- [ "$got" = "$want" ]
	shadows=$(for p in $(hostcalld_shadows "$MAINPID"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = hostcalld ] && echo "$p"; done)
	bad=
	for p in $shadows; do
		got="Uid=$(field "$p" Uid) NoNewPrivs=$(field "$p" NoNewPrivs) Seccomp=$(field "$p" Seccomp) CapBnd=$(field "$p" CapBnd) CapEff=$(field "$p" CapEff)"
		want="Uid=$uid $uid $uid $uid NoNewPrivs=1 Seccomp=2 CapBnd=0000000000000000 CapEff=0000000000000000"
		[ "$got" = "$want" ] || bad+="shadow $p: $got; "
		setpriv --reuid="$U" --regid="$U" --init-groups -- cat "/proc/$p/environ" > /dev/null 2>&1 &&
			bad+="shadow $p: $U can read its /proc environ (dumpable); "
	done
	check "each shadow: $U, no_new_privs, seccomp filter, empty bounding set, not dumpable" \
		"shadows: ${shadows:-none}" "$bad" -- [ -n "$shadows" -a -z "$bad" ]
	# as root, what parses client bytes is a process of its own without privileges
	rl=$(for p in $(pgrep -P "$MAINPID"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = hostcalld-relay ] && echo "$p"; done)
	ru=$(field "$rl" Uid)
	got="Uid=${ru%% *} root=$([ "${ru%% *}" = 0 ] && echo yes || echo no) NoNewPrivs=$(field "$rl" NoNewPrivs) CapEff=$(field "$rl" CapEff) CapPrm=$(field "$rl" CapPrm) shadow-uid=$([ "${ru%% *}" = "$uid" ] && echo same || echo other) starter=$(field "$MAINPID" Uid) starter-caps=$(field "$MAINPID" CapEff)"
	# the starter: root, with CAP_DAC_OVERRIDE, CAP_KILL, CAP_SETGID, CAP_SETUID, CAP_SETPCAP only
	want="Uid=${ru%% *} root=no NoNewPrivs=1 CapEff=0000000000000000 CapPrm=0000000000000000 shadow-uid=other starter=0 0 0 0 starter-caps=00000000000001e2"
	check "the relay (hostcalld-relay) runs without privileges, as no shadow's user; the starter is root with 5 capabilities" \
		"relay ${rl:-none}: $got" "want: $want" -- [ -n "$rl" -a "$got" = "$want" ]
	kill -KILL -- "-$client"
	wait "$client" 2>/dev/null
	for _ in $(seq 30); do
		[ -d "/proc/$hp" ] || [ -d "/proc/$sp" ] || break
		sleep 0.1
	done
	check "when the subject ends, its spawner hangs up its host program and ends" \
		"still running: $(ps -o pid,stat,comm -p "$hp,$sp" | tail -n +2)" \
		-- [ ! -d "/proc/$hp" -a ! -d "/proc/$sp" ]
fi

# ---- WINSIZE on the pty it was given ----

probe winsize "$T/main.sock"

# ---- a root shadow (--allow-root): root's PATH, still sandboxed ----

if start root --allow-root; then
	env_out=$(on root '!env')
	got=$(echo "$env_out" | grep '^PATH=')
	want=PATH=$(login_path ENV_SUPATH /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
	check "root's host programs get login's root PATH (with the sbin directories)" \
		"got: $got" "want: $want" -- [ "$got" = "$want" ]
	check "a root shadow's host program has no canary either" "$env_out" \
		-- sh -c '! printf "%s\n" "$1" | grep -q -- "$2"' sh "$env_out" "$CANARY"
	HOSTCALL_SOCKET=$T/root.sock setsid "$DOSH" -c "!sleep 8.$$" > /dev/null 2>&1 &
	client=$!
	for _ in $(seq 50); do
		hp=$(pgrep -f "^sleep 8.$$\$")
		[ -n "$hp" ] && break
		sleep 0.1
	done
	bad='' shadows=''
	for p in $(hostcalld_shadows "$LAST"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = hostcalld ] || continue
		shadows+="$p "
		got="NoNewPrivs=$(field "$p" NoNewPrivs) Seccomp=$(field "$p" Seccomp) CapBnd=$(field "$p" CapBnd)"
		[ "$got" = "NoNewPrivs=1 Seccomp=2 CapBnd=0000000000000000" ] || bad+="shadow $p: $got; "
	done
	check "a root shadow: no_new_privs, seccomp filter, empty bounding set" \
		"shadows: ${shadows:-none}" "$bad" -- [ -n "$shadows" -a -z "$bad" ]
	kill -KILL -- "-$client"
	wait "$client" 2>/dev/null
fi

# ---- hostcalld as an ordinary user: no_new_privs alone, setuid still works ----

if start user as "$U"; then
	run_u() { setpriv --reuid="$U" --regid="$U" --init-groups -- \
		env HOSTCALL_SOCKET="$T/u/user.sock" timeout -k 2 20 "$DOSH" -c "$1" 2>&1; }
	out=$(run_u '!passwd -S')
	check "hostcalld run by $U: !passwd -S works" "got: $out" "want: $(passwd -S "$U")" \
		-- [ "$out" = "$(passwd -S "$U")" ]
	setpriv --reuid="$U" --regid="$U" --init-groups -- env HOSTCALL_SOCKET="$T/u/user.sock" \
		setsid "$DOSH" -c "!sleep 9.$$" > /dev/null 2>&1 &
	client=$!
	for _ in $(seq 50); do
		[ -n "$(pgrep -f "^sleep 9.$$\$")" ] && break
		sleep 0.1
	done
	bad='' shadows=''
	for p in $(hostcalld_shadows "$LAST"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = hostcalld ] || continue
		shadows+="$p "
		got="NoNewPrivs=$(field "$p" NoNewPrivs) Seccomp=$(field "$p" Seccomp)"
		[ "$got" = "NoNewPrivs=1 Seccomp=2" ] || bad+="shadow $p: $got; "
		setpriv --reuid="$U" --regid="$U" --init-groups -- cat "/proc/$p/environ" > /dev/null 2>&1 &&
			bad+="shadow $p: $U can read its /proc environ (dumpable); "
	done
	check "its shadows: no_new_privs, seccomp filter, not dumpable" \
		"shadows: ${shadows:-none}" "$bad" -- [ -n "$shadows" -a -z "$bad" ]
	kill -KILL -- "-$client"
	wait "$client" 2>/dev/null
fi

# ---- --seccomp ----

if start log --user "$U" --seccomp log; then
	out=$(on log '!id -un; read x < /host/etc/hostname; echo "$x"')
	check "--seccomp log: shadows serve" "got: $out" -- [ "$out" = "$U
$(cat /etc/hostname)" ]
fi
if start off --user "$U" --seccomp off; then
	HOSTCALL_SOCKET=$T/off.sock setsid "$DOSH" -c "!sleep 10.$$" > /dev/null 2>&1 &
	client=$!
	for _ in $(seq 50); do
		[ -n "$(pgrep -f "^sleep 10.$$\$")" ] && break
		sleep 0.1
	done
	got=
	for p in $(hostcalld_shadows "$LAST"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = hostcalld ] &&
			got+="$(field "$p" Seccomp)/$(field "$p" NoNewPrivs) "
	done
	check "--seccomp off: no filter (no_new_privs stays)" "Seccomp/NoNewPrivs: $got" \
		-- [ "$got" = "0/1 " ]
	kill -KILL -- "-$client"
	wait "$client" 2>/dev/null
fi
"$HOSTCALLD" --socket "$T/bad.sock" --seccomp maybe > "$T/bad.out" 2>&1
rc=$?
grep -q 'kill, log or off' "$T/bad.out" && said=1 || said=0
check "--seccomp maybe is a usage error that names the modes" "exit $rc: $(cat "$T/bad.out")" \
	-- [ $rc = 2 -a $said = 1 ]

finish
