# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# The output the test suites share (bash; sourced by tests/integration/*.sh and
# tests/security/run.sh): "ok N - name", "not ok N - name" followed by its diagnostics as
# "# " lines (at most TAP_DIAG_LINES, default 40), "ok N - name # SKIP why", and the summary
# "P passed, F failed[, S skipped]". N, PASS, FAIL and SKIP count them.

N=0 PASS=0 FAIL=0 SKIP=0
TAP_DIAG_LINES=${TAP_DIAG_LINES:-40}

ok() { N=$((N + 1)); PASS=$((PASS + 1)); echo "ok $N - $1"; }

# not_ok NAME [DIAGNOSTIC...]
not_ok() {
	local name=$1
	shift
	N=$((N + 1)); FAIL=$((FAIL + 1))
	echo "not ok $N - $name"
	[ $# -gt 0 ] && printf '%s\n' "$@" | head -n "$TAP_DIAG_LINES" | sed 's/^/# /'
	return 0
}

# skip NAME WHY
skip() { N=$((N + 1)); SKIP=$((SKIP + 1)); echo "ok $N - $1 # SKIP $2"; }

summary() {
	if [ "$SKIP" -gt 0 ]; then
		echo "$PASS passed, $FAIL failed, $SKIP skipped"
	else
		echo "$PASS passed, $FAIL failed"
	fi
}

# tap_lines PREFIX [DIAGNOSTIC]: count the "ok - CASE" / "not ok - CASE" lines of a
# compiled driver on stdin as cases named "PREFIX CASE"; the "# " lines after a case are its
# diagnostics. A driver that printed no case at all fails, with DIAGNOSTIC.
tap_lines() {
	local line name= diag=() seen=0
	while IFS= read -r line; do
		case $line in
		"ok - "*|"not ok - "*)
			[ -n "$name" ] && not_ok "$name" "${diag[@]}"
			name= diag=() seen=1
			case $line in
			"ok - "*) ok "$1 ${line#ok - }" ;;
			*) name="$1 ${line#not ok - }" ;;
			esac
			;;
		*) [ -n "$name" ] && diag+=("${line#\# }") ;;
		esac
	done
	[ -n "$name" ] && not_ok "$name" "${diag[@]}"
	[ "$seen" = 1 ] || not_ok "$1: the driver ran" "${2:-no output}"
	return 0
}
