#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs the fuzz harnesses (make fuzz, make fuzz-check): each libFuzzer harness on seeds that build/fuzz/seeds generates into build/fuzz/gen/ plus the corpus it kept from earlier runs, then the live driver against a sanitizer build of hostcalld (live.sh), and closes each with a line that says how many executions ran and that nothing crashed.
#
# usage: tests/fuzz/run.sh [--check] [HARNESS...]
#   HARNESS: codec encode sock ring live (default: all)
#   --check  a short bounded run of each, for make check
# env: B (default build), FUZZ_RUNS (executions per harness; for live, the
#   number of requests), FUZZ_TIME (seconds per harness). Without either, the
#   codec harness runs 10,000,000 times and the others the counts below.
# Inputs that found new coverage are kept in $B/fuzz/corpus/ for the next run
# (--check keeps them apart, in $B/fuzz/check/, emptied each time). A crash,
# a failed check or a sanitizer report stops that harness: the input is saved
# in $B/fuzz/crashes/ and the run fails (exit 1).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
B=${B:-build}
FB=$B/fuzz
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
harnesses=("$@")
[ ${#harnesses[@]} = 0 ] && harnesses=(codec encode sock ring live)

# Default executions: make fuzz / make fuzz-check.
declare -A RUNS=([codec]=10000000 [encode]=1000000 [sock]=1000000 [ring]=300000 [live]=50000)
declare -A CHECK_RUNS=([codec]=200000 [encode]=20000 [sock]=50000 [ring]=20000 [live]=4000)
# Inputs larger than this are not generated (the seeds are well below).
declare -A MAXLEN=([codec]=16384 [encode]=8192 [sock]=16384 [ring]=8192)

export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

failed=0
mkdir -p "$FB/crashes" "$FB/corpus" "$FB/gen"

fuzz_one() {
	local h=$1 runs time log args corpus seeds rc execs secs start
	runs=${FUZZ_RUNS:-}
	time=${FUZZ_TIME:-}
	if [ "$check" = 1 ]; then runs=${CHECK_RUNS[$h]}; time=; fi
	[ -z "$runs" ] && [ -z "$time" ] && runs=${RUNS[$h]}
	corpus=$FB/corpus/$h
	# make check starts from the generated seeds alone: bounded, repeatable
	[ "$check" = 1 ] && { corpus=$FB/check/$h; rm -rf "$corpus"; }
	seeds=$FB/gen/$h
	log=$FB/$h.log
	rm -rf "$seeds"
	mkdir -p "$corpus"
	if ! n=$("$FB/seeds" "$h" "$seeds"); then
		echo "fuzz $h: FAIL: the seed generator failed"
		return 1
	fi
	args=(-print_final_stats=1 -timeout=10 -max_len="${MAXLEN[$h]}"
	      -artifact_prefix="$FB/crashes/$h-" -print_pcs=0)
	[ -n "$runs" ] && args+=(-runs="$runs")
	[ -n "$time" ] && args+=(-max_total_time="$time")
	echo "fuzz $h: ${runs:+$runs executions}${runs:+${time:+ or }}${time:+$time s}, $n generated seeds + $(ls "$corpus" | wc -l) kept inputs"
	start=$SECONDS
	# progress: libFuzzer's pulse lines (every power of two) and coverage
	"$FB/$h" "${args[@]}" "$corpus" "$seeds" 2> "$log" &
	local pid=$! last=0
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		[ $(( SECONDS - start - last )) -lt 10 ] && continue
		last=$(( SECONDS - start ))
		line=$(grep -a -E '^#[0-9]+' "$log" | tail -n 1)
		[ -n "$line" ] && echo "fuzz $h: $last s: ${line%%L:*}"
	done
	wait "$pid"
	rc=$?
	secs=$(( SECONDS - start ))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ "$rc" != 0 ] || [ -z "$execs" ]; then
		echo "fuzz $h: FAIL after $(grep -a -o -E '^#[0-9]+' "$log" | tail -n 1 | tr -d '#') executions (exit $rc), in $secs s:"
		grep -a -E -A8 'ERROR|check failed|runtime error' "$log" | head -n 24 | sed 's/^/  /'
		grep -a -E 'SUMMARY|Test unit written' "$log" | sed 's/^/  /'
		echo "  full log: $log; reproduce: $FB/$h FILE (the input written above)"
		return 1
	fi
	echo "fuzz $h: $execs executions in $secs s ($(sed -n 's/^stat::new_units_added: *//p' "$log") new inputs kept): no crash, no sanitizer report"
}

for h in "${harnesses[@]}"; do
	case $h in
	codec|encode|sock|ring)
		[ -x "$FB/$h" ] || { echo "fuzz $h: no $FB/$h (make fuzz-build)"; failed=1; continue; }
		fuzz_one "$h" || failed=1
		;;
	live)
		runs=${FUZZ_RUNS:-${RUNS[live]}}
		time=${FUZZ_TIME:-600}
		if [ "$check" = 1 ]; then runs=${CHECK_RUNS[live]}; time=60; fi
		B=$B tests/fuzz/live.sh "$runs" "$time" || failed=1
		;;
	*)
		echo "fuzz: unknown harness $h (codec encode sock ring live)"
		failed=1
		;;
	esac
done
[ "$failed" = 0 ] && echo "fuzz: every harness ran without a crash" || echo "fuzz: FAILED"
exit "$failed"
