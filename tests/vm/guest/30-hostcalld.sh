#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# /dev/hostcall against the real hostcalld --ivshmem that run.sh starts with
# --root over a tree of its own: handshake, a host file read and one written
# (the host side checks it), fork subjects, BYE at close, many processes at
# once, a subject stalled in a FIFO open (longer than timeout_ms: the
# host's heartbeat keeps it waiting), and a caller killed mid-call.
# expect-hostcalld: hc-hello hc-getcwd hc-read hc-write host-sees-guest-write
# expect-hostcalld: hc-fork hc-bye
# expect-hostcalld: hc-parallel hc-fifo hc-long-call hc-kill-caller hc-intr-fifo
# expect-hostcalld: hc-many-inflight hc-identity host-identity-owners hcfs-identity
# expect-hostcalld: transport-rtt
. /hctest/lib.sh

[ "$HCTEST_MODE" = hostcalld ] || exit 0
t=/hctest/bin/hc_vmtest
$t hc-basic
$t rtt 1000
$t hc-fork
# more than run.sh's --max-subjects: only BYE lets them all through
$t hc-bye 100
$t hc-parallel 16 100
# the FIFO open lasts longer than timeout_ms: the host's beat keeps it waiting
params=/sys/module/hostcall/parameters/timeout_ms
old=$(cat $params)
echo 1000 >$params
$t hc-fifo 2500
echo "$old" >$params
# a signal interrupts a FIFO open in flight; more opens in flight than slots
$t hc-intr
$t hc-many
# guest uid 1000 is a host user of its own (run.sh --map-user)
$t hc-identity
$t hcfs-identity
