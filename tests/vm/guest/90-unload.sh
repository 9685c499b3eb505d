#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# rmmod hostcall after the other tests: unbinds the device, frees everything.
# expect: kmod-unload
. /hctest/lib.sh

if ! grep -q '^hostcall ' /proc/modules; then
	fail kmod-unload "hostcall is not loaded"
elif ! out=$(rmmod hostcall 2>&1); then
	fail kmod-unload "rmmod hostcall: $out"
elif [ -e /dev/hostcall ]; then
	fail kmod-unload "/dev/hostcall still exists after rmmod"
else
	ok kmod-unload
fi
