#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The live fuzz run: starts the sanitizer build of hostcalld ($B/asan/hostcalld) on a private socket with --root on a scratch export (as root also --user nobody), lets $B/asan/fuzz-live send it mutated requests, stops it, and fails if the relay or any shadow wrote a sanitizer report, died of a signal, or hostcalld did not stop cleanly.
#
# usage: tests/fuzz/live.sh [COUNT [SECONDS]]   (default 20000 requests, 600 s)
# env: B (default build), LIVE_SEED (the driver's random seed, default 1)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
B=${B:-build}
COUNT=${1:-20000}
SECS=${2:-600}
HOSTCALLD=$top/$B/asan/hostcalld
DRIVER=$top/$B/asan/fuzz-live
for f in "$HOSTCALLD" "$DRIVER"; do
	[ -x "$f" ] || { echo "fuzz live: FAIL: no $f (make fuzz-build)"; exit 1; }
done

T=$(mktemp -d /tmp/hostcall-live.XXXXXX) || exit 1
chmod 755 "$T"
pid=
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null	# its shadows follow (the lifeline)
	rm -rf -- "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# the export: a file, a directory, symlinks in and out
R=$T/root
mkdir -p "$R/d"
echo data > "$R/f"
echo x > "$R/d/x"
ln -s f "$R/l"
ln -s / "$R/abs"
ln -s ../../.. "$R/up"
USER_OPT=()
if [ "$(id -u)" = 0 ]; then
	USER_OPT=(--user nobody)
	chown -R nobody "$R"
fi
# every process (the relay, each shadow as its user, the driver) writes its
# report here; seccomp in its logging mode, so that a report can be written
mkdir -m 1777 "$T/san"
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=0:log_path=$T/san/asan
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$T/san/ubsan
SECCOMP_OPT=()
"$HOSTCALLD" --help 2>/dev/null | grep -q -- '--seccomp MODE' && SECCOMP_OPT=(--seccomp log)

"$HOSTCALLD" --socket "$T/s.sock" --root "$R" "${USER_OPT[@]}" "${SECCOMP_OPT[@]}" \
	--verbose --max-subjects 64 2> "$T/hostcalld.log" &
pid=$!
for i in $(seq 100); do
	[ -S "$T/s.sock" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if [ ! -S "$T/s.sock" ]; then
	echo "fuzz live: FAIL: hostcalld did not start:"
	sed 's/^/  /' "$T/hostcalld.log" | head -20
	exit 1
fi

echo "fuzz live: $COUNT requests or $SECS s to $HOSTCALLD (pid $pid) --root ${USER_OPT[*]} ${SECCOMP_OPT[*]}"
start=$SECONDS
(cd "$R" && "$DRIVER" "$T/s.sock" "$COUNT" "$SECS" "$pid" "$T/san" "${LIVE_SEED:-1}") |
	tee "$T/driver.out"
drc=${PIPESTATUS[0]}
sent=$(sed -n 's/^live: \([0-9]*\) requests in .*/\1/p' "$T/driver.out")
alive=0
kill -0 "$pid" 2>/dev/null && alive=1
kill -TERM "$pid" 2>/dev/null
for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
wait "$pid"
hrc=$?
pid=
secs=$(( SECONDS - start ))

fail=0
reports=$(ls "$T/san")
if [ -n "$reports" ]; then
	fail=1
	echo "fuzz live: FAIL: sanitizer reports:"
	for f in "$T/san"/*; do echo "== $f"; head -n 40 "$f"; done | sed 's/^/  /'
fi
if grep -a -q -E 'AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer|runtime error:|Sanitizer' "$T/hostcalld.log"; then
	fail=1
	echo "fuzz live: FAIL: a sanitizer report in hostcalld's log:"
	grep -a -E -A20 'Sanitizer|runtime error:' "$T/hostcalld.log" | head -n 40 | sed 's/^/  /'
fi
# a shadow killed by a signal other than the stop's (TERM, KILL, HUP)
died=$(grep -a -E 'shadow pid [0-9]+ ended \(signal ([0-9]+)\)' "$T/hostcalld.log" |
	grep -a -v -E '\(signal (1|9|15)\)' | head -n 5)
if [ -n "$died" ]; then
	fail=1
	echo "fuzz live: FAIL: shadows died of a signal:"
	echo "$died" | sed 's/^/  /'
fi
[ "$alive" = 1 ] || { fail=1; echo "fuzz live: FAIL: hostcalld died during the run"; }
[ "$hrc" = 0 ] || { fail=1; echo "fuzz live: FAIL: hostcalld exited $hrc after SIGTERM"; }
[ "$drc" = 0 ] || fail=1
if [ "$fail" = 0 ]; then
	echo "fuzz live: ${sent:-?} requests in $secs s: no crash, no sanitizer report (relay and $(grep -a -c -E 'shadow pid [0-9]+(, forked)?$' "$T/hostcalld.log") shadows), hostcalld stopped cleanly"
else
	echo "  hostcalld's log (last lines):"
	tail -n 15 "$T/hostcalld.log" | sed 's/^/  /'
fi
exit "$fail"
