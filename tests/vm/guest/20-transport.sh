#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The ivshmem transport end to end against the test peer (tests/vm/hc_testpeer.c):
# handshake, calls, refusals, round-trip time, many subjects in flight, a
# call that times out and a caller killed while it waits.
# expect-testpeer: transport-hello transport-call transport-refuse transport-rtt
# expect-testpeer: transport-parallel transport-timeout transport-kill
. /hctest/lib.sh

[ "$HCTEST_MODE" = testpeer ] || exit 0
t=/hctest/bin/hc_vmtest
$t hello
$t call
$t rtt 2000
$t parallel 8 200
params=/sys/module/hostcall/parameters/timeout_ms
old=$(cat $params)
echo 1000 >$params
$t timeout 3000
echo "$old" >$params
$t kill
