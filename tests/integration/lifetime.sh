#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# No shadow outlives hostcalld: for each way a shadow can block (idle, a forked subject, a connection that never said HELLO, a FIFO open, a WAIT for a host program, a record lock, a flock, a reply its client does not read), kill -9 of hostcalld must leave no shadow after 1 s (measured), and SIGTERM with all of them at once must end every shadow within the 2 s grace period, cleanly.
#
# Each kill -9 case runs its own hostcalld on the Unix socket; tests/integration/faults.c (compiled here) holds the subject in its state.
# Output: "ok N - name" / "not ok N - name", then "N passed, N failed"; exit 1 if one failed. About 3 s (6.5 s against a hostcalld whose shadows hang).
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
T=$(mktemp -d /tmp/hostcall-lifetime.XXXXXX) || exit 1
chmod 755 "$T"

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in $(pgrep -f -- "--socket $T/"); do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf -- "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP


now_ms() { echo $(($(date +%s%N) / 1000000)); }

# alive PID: it exists and is not a zombie
alive() {
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

# gone_within MS PIDS...: wait until none of PIDS is alive; prints the ms taken
gone_within() {
	local limit=$1 t0 p left
	shift
	t0=$(now_ms)
	while :; do
		left=
		for p in "$@"; do alive "$p" && left="$left $p"; done
		if [ -z "$left" ] || [ $(($(now_ms) - t0)) -gt "$limit" ]; then
			echo "$(($(now_ms) - t0))${left:+ left:$left}"
			return 0
		fi
		sleep 0.01
	done
}

USER_OPT=()
[ "$(id -u)" = 0 ] && USER_OPT=(--user nobody)

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

# processes of hostcalld NAME besides the relay RELAY: shadows (and helpers)
shadows_of() { pgrep -f -- "--socket $T/$1.sock" | grep -vx "$2" | tr '\n' ' '; }

# settle PIDS...: wait (up to 2 s) until each sits in the same syscall twice in a row
settle() {
	local i p a b same
	for i in $(seq 40); do
		same=1
		for p in "$@"; do
			a=$(cut -d' ' -f1 "/proc/$p/syscall" 2>/dev/null)
			sleep 0.02
			b=$(cut -d' ' -f1 "/proc/$p/syscall" 2>/dev/null)
			{ [ "$a" = running ] || [ "$a" != "$b" ]; } && same=0
		done
		[ "$same" = 1 ] && return 0
	done
	return 1
}

# wait_ready FILE: the holder printed "ready" (up to 5 s)
wait_ready() {
	local i
	for i in $(seq 100); do
		grep -q '^ready' "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

if ! why=$(helper_check "$FAULTS" "$ROOT/tests/integration/faults.c"); then
	not_ok "faults is built" "$why"
	echo "$((N - FAIL)) passed, $FAIL failed"
	exit 1
fi

mkfifo -m 666 "$T/fifo"
echo lock me > "$T/lockfile"
chmod 666 "$T/lockfile"
head -c 300000 /dev/zero > "$T/big"
chmod 644 "$T/big"

# file STATE: the path the holder uses in that state
file_for() {
	case $1 in
	fifo) echo "$T/fifo" ;;
	lock|flock) echo "$T/lockfile" ;;
	reply) echo "$T/big" ;;
	*) echo "" ;;
	esac
}

STATES="idle forked nohello fifo wait lock flock reply"

# ---- kill -9 of hostcalld: every shadow ends within 1 s ----

for state in $STATES; do
	start "k-$state" || continue
	relay=$LAST
	"$FAULTS" hold "$T/k-$state.sock" "$state" "$(file_for "$state")" > "$T/k-$state.out" 2>&1 &
	holder=$!
	PIDS+=("$holder")
	if ! wait_ready "$T/k-$state.out"; then
		not_ok "kill -9 ($state): the subject gets ready" "$(cat "$T/k-$state.out")"
		continue
	fi
	# shellcheck disable=SC2046
	before=$(shadows_of "k-$state" "$relay")
	# shellcheck disable=SC2086
	settle $before
	calls=
	for p in $before; do calls="$calls $(cut -d' ' -f1 "/proc/$p/syscall" 2>/dev/null)"; done
	hostpids=$(sed -n 's/^# host pid //p' "$T/k-$state.out")
	kill -KILL "$relay"
	wait "$relay" 2>/dev/null
	# shellcheck disable=SC2086
	res=$(gone_within 3000 $before)
	ms=${res%% *}
	if [ -n "$before" ] && [[ $res != *left* ]] && [ "$ms" -le 1000 ]; then
		ok "kill -9 ($state): no shadow after 1 s (gone after $ms ms)"
	else
		not_ok "kill -9 ($state): no shadow after 1 s" "shadows: ${before:-none} (in syscalls$calls)" \
			"after $res ms" "$(tail -n 5 "$T/k-$state.log")"
	fi
	echo "# $state: shadow(s) $before in syscall(s)$calls, gone after $ms ms"
	if [ -n "$hostpids" ]; then
		# shellcheck disable=SC2086
		res=$(gone_within 1000 $hostpids)
		[[ $res != *left* ]] && ok "kill -9 ($state): the host program got SIGHUP" ||
			not_ok "kill -9 ($state): the host program got SIGHUP" "$res"
	fi
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
done

# ---- SIGTERM with every state at once: all go within the grace period ----

if start all --verbose; then
	relay=$LAST
	holders=()
	for state in $STATES; do
		"$FAULTS" hold "$T/all.sock" "$state" "$(file_for "$state")" > "$T/all-$state.out" 2>&1 &
		holders+=($!)
		PIDS+=($!)
	done
	for state in $STATES; do wait_ready "$T/all-$state.out"; done
	before=$(shadows_of all "$relay")
	# shellcheck disable=SC2086
	settle $before
	hostpids=$(cat "$T"/all-*.out | sed -n 's/^# host pid //p')
	t0=$(now_ms)
	kill -TERM "$relay"
	wait "$relay"
	rc=$?
	ms=$(($(now_ms) - t0))
	# shellcheck disable=SC2086
	res=$(gone_within 100 $before)
	if [ "$rc" = 0 ] && [[ $res != *left* ]] && [ "$ms" -le 2200 ]; then
		ok "SIGTERM: hostcalld exits 0 and no shadow is left ($ms ms)"
	else
		not_ok "SIGTERM: hostcalld exits 0 and no shadow is left" "status $rc after $ms ms" \
			"shadows before: $before" "$res"
	fi
	# the relay kills at 2 s, a shadow's watchdog at 0.5 s: a clean stop is faster
	if ! grep -q "did not stop within" "$T/all.log" && [ "$ms" -lt 450 ]; then
		ok "SIGTERM: every shadow stops cleanly, before any watchdog or SIGKILL ($ms ms)"
	else
		not_ok "SIGTERM: every shadow stops cleanly, before any watchdog or SIGKILL" \
			"$(grep "did not stop" "$T/all.log")" "$ms ms"
	fi
	# shellcheck disable=SC2086
	res=$(gone_within 1000 $hostpids)
	[ -n "$hostpids" ] && [[ $res != *left* ]] && ok "SIGTERM: the host programs got SIGHUP" ||
		not_ok "SIGTERM: the host programs got SIGHUP" "pids: $hostpids $res"
	echo "# SIGTERM with ${#holders[@]} subjects: hostcalld gone after $ms ms"
	for p in "${holders[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
fi

echo "$((N - FAIL)) passed, $FAIL failed"
[ "$FAIL" = 0 ]
