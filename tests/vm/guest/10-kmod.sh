#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# hostcall.ko loads; with no ivshmem device it stays idle (no /dev/hostcall),
# with one it binds it and creates /dev/hostcall.
# expect: kmod-load
# expect-none: kmod-idle
# expect-ivshmem: kmod-probe
. /hctest/lib.sh

if [ ! -f /hostcall/hostcall.ko ]; then
	fail kmod-load "hostcall.ko is not in the initramfs (make kmod)"
	exit 0
fi
check kmod-load insmod /hostcall/hostcall.ko

if has_device; then
	if [ -c /dev/hostcall ]; then
		ok kmod-probe
	else
		fail kmod-probe "no /dev/hostcall: $(dmesg | grep hostcall | tail -n 2 | tr '\n' ' ')"
	fi
else
	if [ -e /dev/hostcall ]; then
		fail kmod-idle "/dev/hostcall exists without an ivshmem device"
	elif ! grep -q '^hostcall ' /proc/modules; then
		fail kmod-idle "hostcall is not in /proc/modules"
	else
		ok kmod-idle
	fi
fi
