#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# hostcalld --ivshmem without a VM: tests/vm/hc_ivclient.c plays QEMU and the
# guest on the ring (subjects, files under --root, fork-subject, BYE, FIFO
# stalls, requests in flight: ACCEPTED, RECV and LATE slots, 90 opens on 63
# slots, CANCEL, reused tags, a hostile guest's late slots and a bounded late
# queue; malformed and random requests, refused HELLOs, QEMU leaving,
# SIGTERM), then this script checks that hostcalld exited cleanly and left no
# shadow behind; a second hostcalld is killed with SIGKILL while it has an
# idle subject and one blocked in a FIFO open: their shadows must end within 1 s.
#
# usage: tests/vm/ivshmem-host.sh      env: B (default build; $B/vm/hc_ivclient: make test-helpers)
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
B=${B:-build}
tag="ivshmem-host"
T=$(mktemp -d /tmp/hc-ivshmem.XXXXXX) || exit 1
pid=
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	rm -rf -- "$T"
}
trap cleanup EXIT

die() { echo "$tag: $*" >&2; exit 1; }
[ -x "$B/hostcalld" ] || die "no $B/hostcalld (make all)"
client=$B/vm/hc_ivclient
. tests/lib/hostcalld.sh
why=$(helper_check "$client" tests/vm/hc_ivclient.c proto/hc_ring.h proto/hc_codec.c \
	proto/hostcall_proto.h) || die "$why"

# The exported tree; as root the shadows run as nobody, who must reach it.
root=$T/root
mkdir -p "$root/sub"
echo "hello from the host $$" >"$root/hello.txt"
mkfifo "$root/fifo"
chmod 755 "$T" "$root"
chmod 777 "$root/sub"
chmod 666 "$root/fifo"
user_args=()
[ "$(id -u)" = 0 ] && user_args=(--user nobody)
max=16
sock=$T/ivshmem.sock
fail=0

"$B/hostcalld" --ivshmem "$sock" --socket "$T/x" >/dev/null 2>"$T/both.err"
rc=$?
if [ $rc = 2 ] && grep -q 'exclude each other' "$T/both.err"; then
	echo "ok - --ivshmem with --socket is a usage error"
else
	echo "not ok - --ivshmem with --socket: exit $rc, $(cat "$T/both.err")"
	fail=1
fi

start=$(date +%s.%N)
"$B/hostcalld" --ivshmem "$sock" --root "$root" --max-subjects $max \
	"${user_args[@]}" --verbose 2>"$T/hostcalld.log" &
pid=$!
for _ in $(seq 50); do
	[ -S "$sock" ] && break
	sleep 0.1
done
[ -S "$sock" ] || die "hostcalld did not create $sock: $(tail -n 3 "$T/hostcalld.log")"

# as root the ring is parsed by a process of its own without privileges
if [ "$(id -u)" = 0 ]; then
	rl=$(for p in $(pgrep -P "$pid"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = hostcalld-relay ] && echo "$p"; done)
	st=$(grep -E '^(Uid|CapEff|NoNewPrivs):' "/proc/${rl:-0}/status" 2>/dev/null | tr -s '\t ' ' ' | tr '\n' ';')
	case $st in
	"Uid: 0 "* | "") echo "not ok - the ring's relay runs without privileges: relay '${rl:-none}': $st"; fail=1 ;;
	*"CapEff: 0000000000000000;NoNewPrivs: 1;"*) echo "ok - the ring's relay (pid $rl) runs without privileges: $st" ;;
	*) echo "not ok - the ring's relay runs without privileges: $st"; fail=1 ;;
	esac
fi

"$client" "$sock" "$pid" "$root" $max || fail=1

# The client ended with SIGTERM: hostcalld must be gone, with every shadow.
for _ in $(seq 50); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
	echo "not ok - hostcalld still runs 5 s after SIGTERM"
	fail=1
else
	wait "$pid"
	rc=$?
	pid=
	left=$(pgrep -f -- "--ivshmem $sock" | tr '\n' ' ')
	if [ $rc = 0 ] && [ -z "$left" ] && [ ! -e "$sock" ]; then
		echo "ok - after SIGTERM hostcalld exited 0, no shadow left, socket removed"
	else
		echo "not ok - after SIGTERM: exit $rc, left: '$left', socket $(ls "$sock" 2>&1)"
		fail=1
	fi
fi

# kill -9: no shadow outlives hostcalld by more than 1 s
sock2=$T/ivshmem2.sock
"$B/hostcalld" --ivshmem "$sock2" --root "$root" "${user_args[@]}" 2>"$T/hostcalld2.log" &
pid=$!
disown "$pid"	# the client kills it: no "Killed" line from bash
for _ in $(seq 50); do
	[ -S "$sock2" ] && break
	sleep 0.1
done
if [ -S "$sock2" ]; then
	"$client" "$sock2" "$pid" "$root" $max kill9 || fail=1
	pid=
else
	echo "not ok - hostcalld (kill -9 case) did not create $sock2: $(tail -n 3 "$T/hostcalld2.log")"
	fail=1
fi
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
if grep -Eq 'AddressSanitizer|segfault|core dumped' "$T/hostcalld.log"; then
	echo "not ok - hostcalld log shows a crash"
	fail=1
fi
if [ $fail != 0 ]; then
	echo "$tag: hostcalld log (last lines):"
	tail -n 20 "$T/hostcalld.log" | sed 's/^/    /'
fi
echo "$tag: ${secs} s: $([ $fail = 0 ] && echo PASS || echo FAIL)"
exit $fail
