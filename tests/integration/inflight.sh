#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Requests in flight (HC_CAP_INFLIGHT) as a client meets them: `dosh -c '!sleep N'` makes no hostcall while the host command runs but its spawn and the one WAIT (and, with HOSTCALL_NO_INFLIGHT=1, the old polling makes many, so the count can fail); a thread's hc_wait or FIFO open does not hold up another thread's 100 hostcalls (inflight.c); the async waits of hostcall.h; 50 concurrent host commands with pipes from dosh.
#
# Needs root (the shadows run as nobody); as an ordinary user it prints why and skips.
# Output: "ok N - name" / "not ok N - name", then "P passed, F failed".
#
# Environment: HOSTCALLD (default build/hostcalld), DOSH (build/dosh), INFLIGHT_DRV (the
# driver, build/tests/inflight; make test-helpers), SLEEP (seconds of the host command whose
# hostcalls are counted, default 3; the issue's case is SLEEP=10).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HOSTCALLD=${HOSTCALLD:-$ROOT/build/hostcalld}
DOSH=${DOSH:-$ROOT/build/dosh}
DRV=${INFLIGHT_DRV:-$ROOT/build/tests/inflight}
SLEEP=${SLEEP:-3}
. "$ROOT/tests/lib/hostcalld.sh"
. "$ROOT/tests/lib/tap.sh"
export LC_ALL=C PATH=/usr/local/bin:/usr/bin:/bin
unset HOSTCALL_SOCKET HOSTCALL_PREFIX HOSTCALL_CWD HOSTCALL_NO_INFLIGHT HOSTCALL_DEBUG

N=0 FAIL=0
DAEMON=

if [ "$(id -u)" != 0 ]; then
	echo "ok 1 - in-flight cases # SKIP not root: shadows cannot change user"
	echo "1 passed, 0 failed, 1 skipped"
	exit 0
fi

T=$(mktemp -d /tmp/hostcall-inflight.XXXXXX) || exit 1
chmod 1777 "$T"
cleanup() {
	if [ -n "$DAEMON" ]; then
		kill -TERM "$DAEMON" 2>/dev/null
		wait "$DAEMON" 2>/dev/null
	fi
	rm -rf -- "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if ! why=$(helper_check "$DRV" "$ROOT/tests/integration/inflight.c"); then
	not_ok "the in-flight driver is built" "$why"
	summary
	exit 1
fi

S=$T/hc.sock
LOG=$T/hostcalld.log
"$HOSTCALLD" --socket "$S" --user nobody --verbose 2> "$LOG" &
DAEMON=$!
if ! hostcalld_wait "$S" "$DAEMON"; then
	not_ok "hostcalld starts" "$(cat "$LOG")"
	summary
	exit 1
fi
export HOSTCALL_SOCKET=$S

# the op lines the shadows logged (hostcalld: subject N: OP ... = R)
ops() { grep -E '^hostcalld: subject [0-9]+: [a-z_]+( |$)' "$LOG" | grep -v ': shadow pid '; }

# count_run NAME ENV...: run dosh -c '!sleep $SLEEP' and set SPAWNS, WAITS and BETWEEN (the
# op lines after the spawn, up to the last wait, that are neither)
count_run() {
	local name=$1 before out rc
	shift
	before=$(ops | wc -l)
	out=$(env "$@" timeout -k 2 $((SLEEP + 30)) "$DOSH" -c "!sleep $SLEEP; echo rc=\$?" 2>&1)
	rc=$?
	sleep 0.2	# the shadow's last lines
	ops | tail -n +"$((before + 1))" > "$T/$name.ops"
	SPAWNS=$(grep -c ': spawn "sleep"' "$T/$name.ops")
	WAITS=$(grep -c ': wait = [1-9]' "$T/$name.ops")
	BETWEEN=$(awk '/: spawn "sleep"/ { on = 1; next } on' "$T/$name.ops" | grep -vc ': wait = [1-9]')
	[ "$rc" = 0 ] && [ "$out" = rc=0 ] || not_ok "$name: dosh -c '!sleep $SLEEP' runs" "rc $rc: $out"
}

t0=$(date +%s)
count_run inflight
t1=$(date +%s)
if [ "$SPAWNS" = 1 ] && [ "$WAITS" = 1 ] && [ "$BETWEEN" = 0 ]; then
	ok "!sleep $SLEEP: one spawn, one wait, no other hostcall between them"
else
	not_ok "!sleep $SLEEP: one spawn, one wait, no other hostcall between them" \
		"spawns $SPAWNS, waits $WAITS, others between $BETWEEN" "$(head -n 20 "$T/inflight.ops")"
fi
[ $((t1 - t0)) -ge "$SLEEP" ] && [ $((t1 - t0)) -le $((SLEEP + 2)) ] &&
	ok "!sleep $SLEEP: ends when the sleep does" ||
	not_ok "!sleep $SLEEP: ends when the sleep does" "took $((t1 - t0)) s"

# the same without requests in flight: the old polling, which this test must see
count_run polling HOSTCALL_NO_INFLIGHT=1
if [ "$SPAWNS" = 1 ] && [ "$WAITS" = 1 ] && [ "$BETWEEN" -gt 0 ]; then
	ok "HOSTCALL_NO_INFLIGHT=1: the polling's $BETWEEN hostcalls are counted"
else
	not_ok "HOSTCALL_NO_INFLIGHT=1: the polling is counted" \
		"spawns $SPAWNS, waits $WAITS, others between $BETWEEN" "$(head -n 20 "$T/polling.ops")"
fi

# drive CASE [ENV...]: the driver's "ok - x" / "not ok - x" lines, numbered into ours
drive() {
	local c=$1 line
	shift
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "$c: ${line#ok - }" ;;
		"not ok - "*) not_ok "$c: ${line#not ok - }" ;;
		*) echo "$line" ;;
		esac
	done < <(env "$@" timeout -k 2 60 "$DRV" "$c" "$T" 2>&1; echo "# inflight $c exited $?")
}
drive wait
drive fifo
drive async

# a FIFO open waits in thread A: without requests in flight thread B waits behind it
out=$(HOSTCALL_NO_INFLIGHT=1 timeout -k 2 60 "$DRV" fifo "$T" 2>&1)
case $out in
*"not ok - thread B's hostcalls go on"*) ok "HOSTCALL_NO_INFLIGHT=1: the FIFO case sees B held up" ;;
*) not_ok "HOSTCALL_NO_INFLIGHT=1: the FIFO case sees B held up" "$out" ;;
esac

# 50 host commands at once, each with a pipe to a local cat
# shellcheck disable=SC2016 # dosh expands $i
out=$(timeout -k 2 120 "$DOSH" -c 'for i in $(seq 50); do !sh -c "echo $i" | cat & done; wait' 2>&1)
rc=$?
got=$(printf '%s\n' "$out" | sort -n | tr '\n' ' ')
want=$(seq 50 | tr '\n' ' ')
[ "$rc" = 0 ] && [ "$got" = "$want" ] && ok "50 concurrent !sh -c 'echo \$i' | cat" ||
	not_ok "50 concurrent !sh -c 'echo \$i' | cat" "rc $rc" "$out"

summary
[ "$FAIL" = 0 ]
