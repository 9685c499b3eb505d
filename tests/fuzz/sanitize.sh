#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make sanitize-check: the unit tests and the protocol-level integration suite (tests/integration/hostd.sh) against the ASan+UBSan builds in $B/asan, and a few programs under the ASan libhostcall.so; any sanitizer report, in a test, the relay or any shadow, fails the run even where the test itself passed.
#
# usage: tests/fuzz/sanitize.sh        env: B (default build), SAN_CC (clang)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
B=${B:-build}
AB=$top/$B/asan
SAN_CC=${SAN_CC:-clang}

T=$(mktemp -d /tmp/hostcall-asan.XXXXXX) || exit 1
chmod 755 "$T"
hpid=
cleanup() {
	[ -n "$hpid" ] && kill -KILL "$hpid" 2>/dev/null	# its shadows follow (the lifeline)
	rm -rf -- "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

fail=0
step() { echo "== sanitize: $*"; }
# Each process writes its report to $T/san/NAME.PID (world-writable: shadows
# run as nobody); stderr is kept too, for a report that could not be filed.
mkdir -m 1777 "$T/san"
san_env() {	# san_env LEAKS
	export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=$1:log_path=$T/san/asan"
	export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$T/san/ubsan"
}
# reports NAME: fail if $T/san holds reports or $T/NAME.out mentions one
reports() {
	local f found=0
	for f in "$T/san"/*; do
		[ -e "$f" ] || continue
		found=1
		echo "sanitize: FAIL: $1: a sanitizer report, $(basename "$f"):"
		head -n 40 "$f" | sed 's/^/  /'
		mv "$f" "$T/seen.$(basename "$f")"
	done
	if grep -a -q -E 'AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer|runtime error:' \
		"$T/$1.out" 2>/dev/null; then
		found=1
		echo "sanitize: FAIL: $1: a sanitizer report in its output:"
		grep -a -E -A10 'Sanitizer|runtime error:' "$T/$1.out" | head -n 30 | sed 's/^/  /'
	fi
	[ "$found" = 0 ]
}

# ---- unit tests (leaks checked too) ----
san_env 1
for t in "$AB"/tests/*; do
	[ -x "$t" ] || continue
	name=unit-$(basename "$t")
	step "$t"
	"$t" > "$T/$name.out" 2>&1
	rc=$?
	tail -n 1 "$T/$name.out"
	if [ "$rc" != 0 ]; then
		fail=1
		echo "sanitize: FAIL: $t exited $rc:"
		grep -a -E 'FAIL|CRASH|runtime error|ERROR' "$T/$name.out" | head -n 20 | sed 's/^/  /'
	fi
	reports "$name" || fail=1
done

# ---- hostd.sh against the sanitizer hostcalld ----
# Shadows run the seccomp filter in its logging mode (when hostcalld has
# one): a sanitizer writing its report makes calls the filter would refuse.
san_env 0
HC=$AB/hostcalld
if "$HC" --help 2>/dev/null | grep -q -- '--seccomp MODE'; then
	printf '#!/bin/sh\nexec %s --seccomp log "$@"\n' "$AB/hostcalld" > "$T/hostcalld"
	chmod 755 "$T/hostcalld"
	HC=$T/hostcalld
fi
step "tests/integration/hostd.sh with HOSTCALLD=$AB/hostcalld"
HOSTCALLD=$HC tests/integration/hostd.sh > "$T/hostd.out" 2>&1
rc=$?
grep -a -E '^not ok|passed, .* failed' "$T/hostd.out"
if [ "$rc" != 0 ]; then
	fail=1
	echo "sanitize: FAIL: hostd.sh exited $rc"
	grep -a -A3 '^not ok' "$T/hostd.out" | head -n 30 | sed 's/^/  /'
fi
reports hostd || fail=1

# ---- the ASan libhostcall.so, preloaded after the ASan runtime ----
# An uninstrumented program gets the runtime by LD_PRELOAD (it must come
# first); the programs' own code stays unchecked, libhostcall's is checked.
# Reports go to stderr ($T/shim.out): with log_path the runtime creates the
# log while it starts, through the interposed mkdir, before its own shadow
# memory exists, and the instrumented interposer crashes.
rt=$($SAN_CC -print-file-name=libclang_rt.asan-x86_64.so)
if [ -f "$rt" ] && [ -f "$AB/libhostcall.so" ]; then
	step "$AB/libhostcall.so preloaded into cat, ls, stat, head, wc, cp, find"
	R=$T/root
	mkdir -p "$R/d"
	echo "hello from the host" > "$R/f"
	echo x > "$R/d/x"
	user=()
	[ "$(id -u)" = 0 ] && { user=(--user nobody); chown -R nobody "$R"; chmod 777 "$T"; }
	"$HC" --socket "$T/s.sock" --root "$R" "${user[@]}" 2> "$T/shim-hostcalld.out" &
	hpid=$!
	for i in $(seq 100); do [ -S "$T/s.sock" ] && break; sleep 0.1; done
	pre="$rt $AB/libhostcall.so"
	shim_ok=0 shim_n=0
	shim() {	# shim EXPECTED CMD...: its output (sorted) must be EXPECTED
		local want=$1 out
		shift
		shim_n=$((shim_n + 1))
		out=$(cd "$T" && HOSTCALL_SOCKET=$T/s.sock LD_PRELOAD="$pre" \
		      ASAN_OPTIONS=halt_on_error=1:detect_leaks=0:verify_asan_link_order=0 \
		      UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		      "$@" 2>> "$T/shim.out" | sort)
		if [ "$out" = "$want" ]; then
			shim_ok=$((shim_ok + 1))
		else
			fail=1
			echo "sanitize: FAIL: $* under the ASan libhostcall: got '$out', want '$want'"
		fi
	}
	shim "hello from the host" cat /host/f
	shim "$(printf 'd\nf')" ls /host
	shim "regular file" stat -c %F /host/f
	shim "hello" head -c 5 /host/f
	shim "20 /host/f" wc -c /host/f
	shim "$(printf '/host/d\n/host/d/x')" find /host/d
	shim "" cp /host/f /host/d/copy
	shim "hello from the host" cat /host/d/copy
	shim "" rm /host/d/copy
	shim "$(printf 'd\nf')" ls /host
	echo "sanitize: libhostcall under ASan: $shim_ok of $shim_n commands gave the native output"
	kill -TERM "$hpid"
	wait "$hpid"
	hpid=
	cat "$T/shim-hostcalld.out" >> "$T/shim.out"
	reports shim || fail=1
else
	echo "sanitize: no $rt: the ASan libhostcall.so is built but not run"
fi

[ "$fail" = 0 ] && echo "sanitize: unit tests, hostd.sh and libhostcall under ASan+UBSan: no sanitizer report" ||
	echo "sanitize: FAILED"
exit "$fail"
