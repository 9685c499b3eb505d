#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# hostfs after hostcalld was killed (80-hostcalld-kill.sh): the mount that
# 50-hostfs.sh left in use fails every call with EIO, the first within
# timeout_ms and the others at once, and unmounts.
# expect-hostcalld: hostfs-dead-eio hostfs-dead-umount
. /hctest/lib.sh

[ "$HCTEST_MODE" = hostcalld ] || exit 0
if ! grep -q ' /host-dead hostfs ' /proc/mounts; then
	fail hostfs-dead-eio "50-hostfs.sh left no mount at /host-dead"
	exit 0
fi
up() { cut -d' ' -f1 /proc/uptime; }
limit_ms=$(( $(cat /sys/module/hostcall/parameters/timeout_ms) + 2000 ))

t0=$(up)
out1=$(cat /host-dead/hello.txt 2>&1)
rc1=$?
t1=$(up)
out2=$(ls /host-dead/sub 2>&1)
rc2=$?
t2=$(up)
ms1=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }')
ms2=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%d", (b - a) * 1000 }')
info "hostfs-dead-eio: cat: '$out1' after $ms1 ms, ls: '$out2' after $ms2 ms"
case "$rc1 $rc2 $out1 $out2" in
0\ *|*\ 0\ *) fail hostfs-dead-eio "a call on the dead host's mount succeeded" ;;
*"Input/output error"*"Input/output error"*)
	if [ "$ms1" -gt "$limit_ms" ] || [ "$ms2" -gt 1000 ]; then
		fail hostfs-dead-eio "took $ms1 ms and $ms2 ms"
	else
		ok hostfs-dead-eio
	fi ;;
*) fail hostfs-dead-eio "not EIO: '$out1' / '$out2'" ;;
esac

[ -f /tmp/hfs-dead.pid ] && kill "$(cat /tmp/hfs-dead.pid)" 2>/dev/null
sleep 0.2
t0=$(up)
if out=$(umount /host-dead 2>&1); then
	ms=$(awk -v a="$t0" -v b="$(up)" 'BEGIN { printf "%d", (b - a) * 1000 }')
	if [ "$ms" -gt 1000 ]; then
		fail hostfs-dead-umount "umount took $ms ms"
	else
		ok hostfs-dead-umount
	fi
else
	fail hostfs-dead-umount "umount: $out"
fi
