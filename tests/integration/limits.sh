#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# hostcalld's limits and its answers to clients that misbehave: a 0-byte record gets an error reply, connections that never say HELLO are closed after --hello-timeout, a client past --max-subjects gets EAGAIN even while many others stay silent, and the cgroup of --max-procs/--max-memory: the subjects' processes are in it and the relay is not, a fork bomb stops at the limit while hostcalld still serves a new client, a program over the memory limit is killed, the cgroup goes at exit (or, after a kill -9, at the next start), and without the rights for a cgroup hostcalld says so and serves without limits.
#
# Output: "ok N - name" / "not ok N - name", then "N passed, N failed"; exit 1 if one failed.
# The cgroup cases need root (else they are skipped with the reason). About 4 s.
#
# Environment: HOSTCALLD (default build/hostcalld), FAULTS (the driver, build/tests/faults;
# make test-helpers).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HOSTCALLD=${HOSTCALLD:-$ROOT/build/hostcalld}
FAULTS=${FAULTS:-$ROOT/build/tests/faults}
. "$ROOT/tests/lib/hostcalld.sh"
. "$ROOT/tests/lib/tap.sh"
export LC_ALL=C PATH=/usr/local/bin:/usr/bin:/bin
unset HOSTCALL_SOCKET

N=0 FAIL=0
PIDS=()
CGROUPS=()
T=$(mktemp -d /tmp/hostcall-limits.XXXXXX) || exit 1
chmod 755 "$T"
IS_ROOT=0
[ "$(id -u)" = 0 ] && IS_ROOT=1

# kill_cgroup DIR: SIGKILL everything in it until it is empty (a fork bomb
# inside cannot grow past its pids.max), then remove it
kill_cgroup() {
	local i p
	[ -d "$1" ] || return 0
	for i in $(seq 100); do
		[ -s "$1/cgroup.procs" ] || break
		for p in $(cat "$1/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		sleep 0.02
	done
	rmdir "$1" 2>/dev/null
}

cleanup() {
	local p c
	for c in "${CGROUPS[@]}"; do kill_cgroup "$c"; done
	# each reaped here, so bash does not report it "Killed"
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	for p in $(pgrep -f -- "--socket $T/"); do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	for c in "${CGROUPS[@]}"; do kill_cgroup "$c"; done
	rm -rf -- "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP


# Re-number faults' own "ok - x" / "not ok - x" lines into ours.
faults() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) not_ok "${line#not ok - }" ;;
		*) echo "$line" ;;
		esac
	done < <(timeout -k 2 60 "$FAULTS" "$@"; echo "# faults $1 exited $?")
}

USER_OPT=()
[ "$IS_ROOT" = 1 ] && USER_OPT=(--user nobody)

# start NAME ARGS...: hostcalld on $T/NAME.sock (log $T/NAME.log), pid in LAST, once it
# accepts connections
start() {
	local name=$1
	shift
	"$HOSTCALLD" --socket "$T/$name.sock" "${USER_OPT[@]}" "$@" 2> "$T/$name.log" &
	LAST=$!
	PIDS+=("$LAST")
	hostcalld_wait "$T/$name.sock" "$LAST" && return 0
	not_ok "hostcalld $name starts" "$(cat "$T/$name.log")"
	return 1
}

# stop PID: SIGTERM and wait (up to 5 s)
stop() {
	local i
	kill -TERM "$1" 2>/dev/null
	for i in $(seq 50); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	wait "$1"
}

if ! why=$(helper_check "$FAULTS" "$ROOT/tests/integration/faults.c"); then
	not_ok "faults is built" "$why"
	echo "$((N - FAIL)) passed, $FAIL failed"
	exit 1
fi

# ---- clients that misbehave ----

if start z; then
	faults zero "$T/z.sock"
	stop "$LAST"
fi

if start s --max-subjects 3 --hello-timeout 1 --verbose; then
	faults silent "$T/s.sock" 3 1
	grep -q "no HELLO within 1 s (--hello-timeout): closing" "$T/s.log" &&
		ok "--hello-timeout: the closing is logged (--verbose)" ||
		not_ok "--hello-timeout: the closing is logged" "$(tail -n 5 "$T/s.log")"
	stop "$LAST"
fi

if start r --max-subjects 1; then
	faults refused "$T/r.sock" 100
	stop "$LAST"
fi

"$HOSTCALLD" --hello-timeout soon > /dev/null 2>&1
[ $? = 2 ] && ok "--hello-timeout soon is a usage error" || not_ok "--hello-timeout soon is a usage error"
out=$("$HOSTCALLD" --max-memory 1K 2>&1)
[ $? = 2 ] && [[ $out == *"at least 16M"* ]] && ok "--max-memory 1K is a usage error, saying why" ||
	not_ok "--max-memory 1K is a usage error" "$out"
"$HOSTCALLD" --max-procs many > /dev/null 2>&1
[ $? = 2 ] && ok "--max-procs many is a usage error" || not_ok "--max-procs many is a usage error"
help=$("$HOSTCALLD" --help)
[[ $help == *--hello-timeout* && $help == *--max-procs* && $help == *--max-memory* ]] &&
	ok "--help lists --hello-timeout, --max-procs, --max-memory" ||
	not_ok "--help lists the new options"

# ---- the cgroup ----

# cgdir LOG CONTROLLER: the subjects' cgroup the log names for it
cgdir() { sed -n "s/^hostcalld: subjects run in cgroup \(.*\) (.*$2.*)$/\1/p" "$1" | head -n 1; }

if [ "$IS_ROOT" != 1 ]; then
	for t in "the subjects' cgroup" "a fork bomb stops at --max-procs" \
		 "a program over --max-memory is killed" "the cgroup goes at exit"; do
		skip "$t" "not root: hostcalld cannot make a cgroup here"
	done
elif start c --max-procs 40 --max-memory 64M --verbose && {
	PCG=$(cgdir "$T/c.log" pids); MCG=$(cgdir "$T/c.log" memory)
	[ -n "$PCG" ] && [ -n "$MCG" ]; }; then
	relay=$LAST
	CGROUPS+=("$PCG" "$MCG")
	"$FAULTS" hold "$T/c.sock" idle > "$T/c-idle.out" 2>&1 &
	PIDS+=($!)
	for i in $(seq 100); do grep -q '^ready' "$T/c-idle.out" && break; sleep 0.05; done
	shadow=$(hostcalld_shadows "$relay" | head -n 1)
	pmax=$(cat "$PCG/pids.max" 2>/dev/null)
	mmax=$(cat "$MCG/memory.max" "$MCG/memory.limit_in_bytes" 2>/dev/null | head -n 1)
	if [ -n "$shadow" ] && grep -qx "$shadow" "$PCG/cgroup.procs" &&
	   grep -qx "$shadow" "$MCG/cgroup.procs" && ! grep -qx "$relay" "$PCG/cgroup.procs" &&
	   [ "$pmax" = 40 ] && [ "$mmax" = $((64 << 20)) ]; then
		ok "the subjects' cgroup: pids.max 40, memory 64M, the shadow in it, the relay not"
	else
		not_ok "the subjects' cgroup" "pids $PCG memory $MCG" "pids.max $pmax memory $mmax" \
			"shadow $shadow relay $relay" "$(cat "$PCG/cgroup.procs" 2>/dev/null)"
	fi

	# bash retries a failed fork (dash gives up at once): the bomb stays at
	# the limit until its process group is killed
	"$FAULTS" spawn "$T/c.sock" 10 bash -c 'f(){ f|f& }; f' > "$T/bomb.out" 2>&1 &
	PIDS+=($!)
	for i in $(seq 100); do grep -q '^pid' "$T/bomb.out" && break; sleep 0.02; done
	bomb=$(sed -n 's/^pid //p' "$T/bomb.out")
	peak=0 served=0 times=
	for i in $(seq 8); do
		sleep 0.2
		cur=$(cat "$PCG/pids.current")
		[ "$cur" -gt "$peak" ] && peak=$cur
		if out=$("$FAULTS" hello "$T/c.sock"); then
			served=$((served + 1))
			times="$times ${out#\# served }"
		fi
	done
	fails=$(sed -n 's/^max //p' "$PCG/pids.events")
	if [ -n "$bomb" ] && [ "$peak" -le 40 ] && [ "${fails:-0}" -gt 0 ] && [ "$served" = 8 ]; then
		ok "a fork bomb stops at --max-procs (peak $peak of 40, $fails forks refused) and hostcalld serves new clients meanwhile"
	else
		not_ok "a fork bomb stops at --max-procs and hostcalld serves meanwhile" \
			"peak $peak, refused forks ${fails:-none}, $served of 8 new clients served" \
			"$(cat "$T/bomb.out")"
	fi
	echo "# fork bomb: peak $peak processes in the cgroup, new clients served in:$times"
	for i in $(seq 100); do
		[ -n "$bomb" ] && kill -KILL -- "-$bomb" 2>/dev/null || break
		sleep 0.02
	done
	echo "# fork bomb: its process group killed, $(cat "$PCG/pids.current") process(es) left in the cgroup"

	out=$("$FAULTS" spawn "$T/c.sock" 20 sh -c 'x=$(head -c 200000000 /dev/zero | tr "\0" a); echo ${#x}')
	after=$("$FAULTS" hello "$T/c.sock")
	[[ $out == *"signal 9"* ]] && [[ $after == *served* ]] &&
		ok "a program over --max-memory is killed, and hostcalld still serves" ||
		not_ok "a program over --max-memory is killed" "$out" "$after"

	stop "$relay"
	[ ! -e "$PCG" ] && [ ! -e "$MCG" ] && ok "the cgroup goes at exit" ||
		not_ok "the cgroup goes at exit" "$(ls -d "$PCG" "$MCG" 2>&1)" "$(tail -n 3 "$T/c.log")"

	# kill -9: the empty cgroup stays until the next hostcalld starts
	if start k --max-procs 10 --verbose; then
		KCG=$(cgdir "$T/k.log" pids)
		CGROUPS+=("$KCG")
		kill -KILL "$LAST"
		wait "$LAST" 2>/dev/null
		if start k2 --max-procs 10; then
			[ -n "$KCG" ] && [ ! -e "$KCG" ] &&
				ok "after a kill -9, the next hostcalld removes the empty cgroup" ||
				not_ok "after a kill -9, the next hostcalld removes the empty cgroup" "$KCG"
			stop "$LAST"
		fi
	fi
else
	reason=$(grep -m1 "no cgroup" "$T/c.log")
	for t in "the subjects' cgroup" "a fork bomb stops at --max-procs" \
		 "a program over --max-memory is killed" "the cgroup goes at exit"; do
		skip "$t" "${reason:-hostcalld made no cgroup}"
	done
fi

# ---- no rights for a cgroup: one log line, served without limits ----

if [ "$IS_ROOT" = 1 ] && command -v setpriv > /dev/null; then
	mkdir "$T/nr"
	chown nobody "$T/nr"
	setpriv --reuid nobody --regid nogroup --clear-groups \
		"$HOSTCALLD" --socket "$T/nr/x.sock" --max-procs 10 2> "$T/nr.log" &
	nr=$!
	PIDS+=("$nr")
	hostcalld_wait "$T/nr/x.sock" "$nr"
	out=$("$FAULTS" hello "$T/nr/x.sock" 2>&1)
	lines=$(grep -c "no cgroup for --max-procs/--max-memory" "$T/nr.log")
	[[ $out == *served* ]] && [ "$lines" = 1 ] &&
		ok "without the rights for a cgroup: one log line, and it serves" ||
		not_ok "without the rights for a cgroup: one log line, and it serves" "$out" \
			"$(cat "$T/nr.log")"
	grep -m1 "no cgroup" "$T/nr.log" | sed 's/^/# /'
	stop "$nr"
else
	skip "without the rights for a cgroup: one log line, and it serves" "needs root and setpriv"
fi

echo "$((N - FAIL)) passed, $FAIL failed"
[ "$FAIL" = 0 ]
