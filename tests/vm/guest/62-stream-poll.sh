#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Stream files (HOSTCALL_IOC_SPAWN) under poll() and O_NONBLOCK, as dosh's
# pty loop uses them: hc_streampoll against hostcalld --ivshmem without
# --root (run.sh --mode accept), where the host spawns. Then no reader
# thread of a closed stream is left.
# expect-accept: stream-poll-timeout stream-poll-out stream-nonblock
# expect-accept: stream-poll-in stream-eof stream-pty stream-close-busy
# expect-accept: stream-threads-gone
. /hctest/lib.sh

[ "$HCTEST_MODE" = accept ] || exit 0
timeout 60 /hctest/bin/hc_streampoll
left=
for _ in $(seq 30); do
	left=$(cat /proc/[0-9]*/comm 2>/dev/null | grep '^hc-stream/' | tr '\n' ' ')
	[ -z "$left" ] && break
	sleep 0.1
done
if [ -z "$left" ]; then
	ok stream-threads-gone
else
	fail stream-threads-gone "reader threads still there 3 s after the last close: $left"
fi
exit 0
