#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# libhostcall steps aside on a hostfs mount: with hostfs mounted on /host
# (the prefix), the shim passes /host paths to libc and the kernel serves
# them. Which way a call went shows in the process's fds: a routed call
# opens /dev/hostcall (a subject of the process's own), a call through the
# mount does not; and a stat through the shim gives the mount's st_dev.
# First the same command without the mount, which must route.
# expect-hostcalld: shim-hostfs-control shim-hostfs-aside shim-hostfs-cat
# expect-hostcalld: shim-hostfs-stdev
. /hctest/lib.sh

[ "$HCTEST_MODE" = hostcalld ] || exit 0
shim=/lib/libhostcall.so
names="shim-hostfs-control shim-hostfs-aside shim-hostfs-cat shim-hostfs-stdev"
if [ ! -f $shim ] || [ ! -x /usr/bin/ls ]; then
	for n in $names; do skip "$n" "no $shim or /usr/bin/ls in the initramfs"; done
	exit 0
fi
token=$(hctest_token)
umount /host 2>/dev/null
mkdir -p /host

# ls stats its arguments first, then lists /proc/self/fd: its own fds
fds() { LD_PRELOAD=$shim HOSTCALL_DEBUG=1 /usr/bin/ls -l /host/hello.txt /proc/self/fd/ 2>&1; }

out=$(fds)
if echo "$out" | grep -q ' /host/hello.txt$' && echo "$out" | grep -q -- '-> /dev/hostcall$'; then
	ok shim-hostfs-control
else
	fail shim-hostfs-control "no mount, but no /dev/hostcall fd: $(echo "$out" | tr '\n' '|')"
fi

if ! mount -t hostfs none /host; then
	for n in shim-hostfs-aside shim-hostfs-cat shim-hostfs-stdev; do
		fail "$n" "cannot mount hostfs on /host"
	done
	exit 0
fi
out=$(fds)
if echo "$out" | grep -q ' /host/hello.txt$' && ! echo "$out" | grep -q /dev/hostcall &&
   echo "$out" | grep -q 'hostcall: /host is a hostfs mount'; then
	ok shim-hostfs-aside
else
	fail shim-hostfs-aside "$(echo "$out" | tr '\n' '|')"
fi

got=$(LD_PRELOAD=$shim /usr/bin/cat /host/hello.txt 2>&1)
if [ "$got" = "hello from the host $token" ]; then
	ok shim-hostfs-cat
else
	fail shim-hostfs-cat "got '$got'"
fi

mnt=$(/usr/bin/stat -c %d /host)
got=$(LD_PRELOAD=$shim /usr/bin/stat -c %d /host/hello.txt 2>&1)
if [ "$got" = "$mnt" ]; then
	ok shim-hostfs-stdev
else
	fail shim-hostfs-stdev "st_dev $got through the shim, the mount's is $mnt"
fi
umount /host
exit 0
