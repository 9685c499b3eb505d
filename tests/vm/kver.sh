#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Print the newest installed kernel version: "image" (default) wants
# /boot/vmlinuz-KVER and /lib/modules/KVER, "headers" wants a Kbuild tree in
# /usr/src/linux-headers-KVER. Exits 1 with a hint if there is none.
set -eu
what=${1:-image}
best=
case $what in
image)
	for k in /boot/vmlinuz-*; do
		[ -e "$k" ] || continue
		v=${k#/boot/vmlinuz-}
		[ -d "/lib/modules/$v/kernel" ] && best="$best$v
"
	done ;;
headers)
	for d in /usr/src/linux-headers-*; do
		[ -f "$d/Makefile" ] && [ -f "$d/Module.symvers" ] || continue
		best="$best${d#/usr/src/linux-headers-}
"
	done ;;
*)
	echo "usage: $0 [image|headers]" >&2; exit 2 ;;
esac
v=$(printf '%s' "$best" | sort -V | tail -n 1)
if [ -z "$v" ]; then
	echo "kver: no installed linux-$what found (make vm-deps installs one)" >&2
	exit 1
fi
echo "$v"
