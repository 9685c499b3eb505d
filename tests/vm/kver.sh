#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The guest kernel version, one rule for make kmod, make vm-check, make run
# and tests/vm: KVER= in the environment chooses; otherwise the default is
# the newest 6.1 kernel (Debian 12's own) that has both its image
# (/boot/vmlinuz-V and /lib/modules/V/kernel) and its headers
# (/usr/src/linux-headers-V with Makefile and Module.symvers), else the
# newest kernel that has both. A version with only one of them is never
# picked.
#
# usage: tests/vm/kver.sh [default]  KVER if set, else the default above
#        tests/vm/kver.sh all        every version with image and headers,
#                                    oldest first
#        tests/vm/kver.sh pkgs       the Debian packages make vm-deps wants
#                                    for a 6.12 kernel: none when a 6.12
#                                    image and its headers are installed,
#                                    else linux-image-V and linux-headers-V
#                                    of the newest 6.12 apt has both of
# ("image" and "headers" are accepted as old names of "default".)
set -eu
what=${1:-default}

# installed versions with both image and headers, oldest first
pairs() {
	for k in /boot/vmlinuz-*; do
		[ -e "$k" ] || continue
		v=${k#/boot/vmlinuz-}
		h=/usr/src/linux-headers-$v
		[ -d "/lib/modules/$v/kernel" ] && [ -f "$h/Makefile" ] &&
			[ -f "$h/Module.symvers" ] && echo "$v"
	done | sort -V
}

# the newest Debian 12 6.12 kernel apt offers with both packages
apt612() {
	apt-cache search --names-only '^linux-(image|headers)-6\.12\.[0-9]+\+deb12-amd64$' |
		awk '{ print $1 }' | sort >"$tmp"
	sed -n 's/^linux-image-//p' "$tmp" | while read -r v; do
		grep -qx "linux-headers-$v" "$tmp" && echo "$v"
	done | sort -V | tail -n 1
}

case $what in
default | image | headers)
	if [ -n "${KVER:-}" ]; then
		echo "$KVER"
		exit 0
	fi
	all=$(pairs)
	v=$(printf '%s\n' "$all" | grep '^6\.1\.' | tail -n 1)
	[ -n "$v" ] || v=$(printf '%s\n' "$all" | tail -n 1)
	if [ -z "$v" ]; then
		echo "kver: no kernel with both linux-image and linux-headers installed (make vm-deps)" >&2
		exit 1
	fi
	echo "$v" ;;
all)
	pairs ;;
pkgs)
	if pairs | grep -q '^6\.12\.'; then
		exit 0
	fi
	tmp=$(mktemp)
	trap 'rm -f "$tmp"' EXIT
	v=$(apt612)
	if [ -z "$v" ] && [ "$(id -u)" = 0 ]; then
		apt-get update -qq >&2 || true
		v=$(apt612)
	fi
	if [ -z "$v" ]; then
		echo "kver: apt offers no linux-image-6.12.*+deb12-amd64 with its headers; only 6.1 will be tested" >&2
		exit 0
	fi
	echo "linux-image-$v linux-headers-$v" ;;
*)
	sed -n '/^# usage/,/^# ("image"/s/^# \{0,1\}//p' "$0" >&2
	exit 2 ;;
esac
