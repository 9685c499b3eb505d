# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=sh
# Shell helpers the suites share (POSIX sh; sourced by tests/integration/*.sh,
# tests/dosh/run.sh, tests/security/run.sh, tests/vm/ and scripts/demo.sh): waiting until a
# hostcalld on a Unix socket accepts connections, and checking that a test helper the
# Makefile builds is there and up to date.

# hostcalld_wait SOCKET PID [SECONDS]: wait (default 5 s) until hostcalld PID accepts a
# connection on SOCKET. hostcalld prints nothing when it is ready, and a socket file alone
# does not prove that anything listens on it: the probe connects, waits (up to 2 s) for the
# shadow hostcalld forks for that connection, hangs up and waits for the shadow to be reaped,
# so that it holds no subject slot (--max-subjects) once this returns. Returns 1 if PID exits
# or the time runs out; then the caller prints hostcalld's log.
hostcalld_wait() {
	_hw_n=$(( ${3:-5} * 10 ))
	while [ "$_hw_n" -gt 0 ]; do
		kill -0 "$2" 2>/dev/null || return 1
		# shellcheck disable=SC2016 # perl's own variables
		[ -S "$1" ] && timeout 6 perl -MSocket -e '
			my ($path, $pid) = @ARGV;
			sub kids {
				open(my $f, "<", "/proc/$pid/task/$pid/children") or return ();
				return split(" ", <$f> // "");
			}
			sub nap { select(undef, undef, undef, 0.01) }
			my %before = map { $_ => 1 } kids();
			socket(my $s, AF_UNIX, SOCK_SEQPACKET, 0) or exit 2;
			connect($s, pack_sockaddr_un($path)) or exit 1;
			my @new;
			for (1 .. 200) { @new = grep { !$before{$_} } kids(); last if @new; nap() }
			close($s);
			for (1 .. 200) { last unless grep { -e "/proc/$_" } @new; nap() }
			exit 0' "$1" "$2" && return 0
		sleep 0.1
		_hw_n=$((_hw_n - 1))
	done
	return 1
}

# helper_check BIN SOURCE...: 0 if the test helper BIN (built by make, see the Makefile's
# test helpers) exists and is not older than any SOURCE; else say what to do and return 1.
helper_check() {
	_hc_bin=$1
	shift
	if [ ! -x "$_hc_bin" ]; then
		echo "no test helper $_hc_bin: run make test-helpers"
		return 1
	fi
	for _hc_src in "$@"; do
		# shellcheck disable=SC3013 # dash's and bash's test have -nt
		if [ "$_hc_src" -nt "$_hc_bin" ]; then
			echo "$_hc_bin is older than $_hc_src: run make test-helpers"
			return 1
		fi
	done
	return 0
}

# hostcalld_shadows PID: the pids of hostcalld PID's shadows, one per line: its children but
# the relay, which runs as a process of its own (hostcalld-relay) when hostcalld is root.
hostcalld_shadows() {
	for _hs in $(pgrep -P "$1"); do
		[ "$(cat "/proc/$_hs/comm" 2>/dev/null)" = hostcalld-relay ] || echo "$_hs"
	done
}
