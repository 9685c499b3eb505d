# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the in-guest test scripts: result lines the host side parses.
# Each script lists the names it reports in "# expect: NAME..." comments
# (or "# expect-MODE:", MODE being none, ivshmem (any device) or testpeer).

ok() { echo "HCTEST ok $1"; }
fail() { echo "HCTEST fail $1: $2"; }
skip() { echo "HCTEST skip $1: $2"; }
info() { echo "HCTEST info $*"; }

# check NAME COMMAND...: ok if COMMAND succeeds, else fail with its output.
check() {
	_name=$1
	shift
	if _out=$("$@" 2>&1); then
		ok "$_name"
	else
		fail "$_name" "$* -> $(echo "$_out" | tail -n 3 | tr '\n' ' ')"
	fi
}

has_device() { [ "$HCTEST_MODE" != none ]; }

# The hctest.token= of the kernel command line: run.sh writes it into the
# files of the tree it exports (hello.txt), so that a test knows their bytes.
hctest_token() {
	for _arg in $(cat /proc/cmdline); do
		case $_arg in hctest.token=*) echo "${_arg#hctest.token=}" ;; esac
	done
}
