#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The main job, end to end: start a hostcalld, read the host's /etc/printcap
# through libhostcall.so's /host prefix, compare it with the file itself, and
# stop hostcalld again, checking that no shadow process is left.
set -eu
cd "$(dirname "$0")/.."
. tests/lib/hostcalld.sh

dir=$(mktemp -d /tmp/hostcall-demo.XXXXXX)
sock=$dir/hc.sock
made_printcap=
pid=

cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -n "$made_printcap" ] && rm -f /etc/printcap
	rm -rf "$dir"
}
trap cleanup EXIT

if [ ! -e /etc/printcap ] && [ ! -L /etc/printcap ]; then
	printf '# /etc/printcap written by the hostcall demo, removed afterwards\nlp|demo|Demo printer:\\\n\t:lp=/dev/null:\n' >/etc/printcap
	made_printcap=1
	echo "demo: this machine has no /etc/printcap; wrote a demo one"
fi

user=nobody
[ "$(id -u)" = 0 ] || user=
echo "demo: starting build/hostcalld --socket $sock${user:+ --user $user}"
build/hostcalld --socket "$sock" ${user:+--user "$user"} &
pid=$!
if ! hostcalld_wait "$sock" "$pid"; then
	echo "demo: hostcalld did not accept connections on $sock within 5 s" >&2
	exit 1
fi

echo "demo: LD_PRELOAD=build/libhostcall.so cat /host/etc/printcap"
echo "-----"
LD_PRELOAD=$PWD/build/libhostcall.so HOSTCALL_SOCKET=$sock cat /host/etc/printcap >"$dir/through-host"
cat "$dir/through-host"
echo "-----"
if cmp -s "$dir/through-host" /etc/printcap; then
	echo "demo: identical to the host's /etc/printcap ($(wc -c <"$dir/through-host") bytes), read by the shadow process as '${user:-$(id -un)}'"
else
	echo "demo: MISMATCH with /etc/printcap" >&2
	exit 1
fi

kill -TERM "$pid"
wait "$pid" || true
pid=
left=$(pgrep -f -- "--socket $sock" || true)
if [ -n "$left" ]; then
	echo "demo: shadow processes left after SIGTERM: $left" >&2
	exit 1
fi
echo "demo: hostcalld stopped with SIGTERM; no shadow process left"
