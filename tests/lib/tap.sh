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
