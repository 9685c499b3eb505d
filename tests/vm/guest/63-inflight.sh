#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Requests in flight on the ring, against hostcalld --ivshmem serving the
# whole host (run.sh --mode accept): `dosh -c '!sleep 10'` waits for the
# host's sleep with one WAIT on a call file (HOSTCALL_CALL_ASYNC), which the
# host accepts and answers late; the host side counts in hostcalld's log the
# hostcalls made between the spawn and the wait's reply (inflight-sleep-count,
# tests/vm/accept.sh). 50 host commands with pipes at once need more
# requests in flight than the ring has slots (63); a signal interrupting a request in flight
# is 30-hostcalld.sh's (hc-intr-fifo).
# expect-accept: inflight-sleep inflight-50
# expect-accept: inflight-sleep-count inflight-polling-count
. /hctest/lib.sh

[ "$HCTEST_MODE" = accept ] || exit 0
shim=/lib/libhostcall.so
names="inflight-sleep inflight-50"
if [ ! -f $shim ] || [ ! -x /bin/dosh ]; then
	for n in $names; do skip "$n" "no $shim or /bin/dosh in the initramfs"; done
	exit 0
fi

# The host side finds the spawns of sleep in hostcalld's log: the first is
# this one, the second the same with the old polling, which its count must
# see (inflight-sleep-count, inflight-polling-count: tests/vm/accept.sh).
SLEEP=10
t0=$(date +%s)
out=$(/bin/dosh -c "!sleep $SLEEP; echo rc=\$?" 2>&1)
t1=$(date +%s)
HOSTCALL_NO_INFLIGHT=1 /bin/dosh -c '!sleep 4'
if [ "$out" = rc=0 ] && [ $((t1 - t0)) -ge "$SLEEP" ] && [ $((t1 - t0)) -le $((SLEEP + 5)) ]; then
	ok inflight-sleep
	info "inflight-sleep: !sleep $SLEEP took $((t1 - t0)) s"
else
	fail inflight-sleep "rc/out '$out' after $((t1 - t0)) s"
fi

# 50 host commands at once, each with a pipe to a local cat
# shellcheck disable=SC2016 # dosh expands $i
out=$(timeout 300 /bin/dosh -c 'for i in $(seq 50); do !sh -c "sleep 2; echo $i" | cat & done; wait' 2>&1)
rc=$?
got=$(printf '%s\n' "$out" | sort -n | tr '\n' ' ')
want=$(seq 50 | tr '\n' ' ')
if [ $rc = 0 ] && [ "$got" = "$want" ]; then
	ok inflight-50
else
	fail inflight-50 "rc $rc: $(printf '%s' "$out" | tr '\n' ' ' | cut -c 1-300)"
fi

exit 0
