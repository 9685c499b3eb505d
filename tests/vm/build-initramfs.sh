#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the guest initramfs for the VM tests: busybox-static, the kernel
# modules the guest needs, hostcall.ko, the in-guest tests and (once they
# exist) libhostcall.so and dosh with their shared libraries.
#
# usage: tests/vm/build-initramfs.sh [-o OUT.cpio.gz]
# env:   KVER        guest kernel (default: newest installed linux-image)
#        B           build directory (default: build)
#        VM_MODULES  extra kernel modules by name, e.g. "9p 9pnet_virtio"
#        VM_PROGS    extra dynamically linked host programs, e.g. "cat ls"
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
B=${B:-build}
KVER=${KVER:-$(tests/vm/kver.sh image)}
out=$B/vm/initramfs-$KVER.cpio.gz
VM_MODULES=${VM_MODULES:-}
VM_PROGS=${VM_PROGS:-}

while [ $# -gt 0 ]; do
	case $1 in
	-o) out=$2; shift 2 ;;
	*) echo "usage: $0 [-o OUT.cpio.gz]" >&2; exit 2 ;;
	esac
done

die() { echo "build-initramfs: $*" >&2; exit 1; }

moddir=/lib/modules/$KVER
[ -d "$moddir/kernel" ] || die "no $moddir: install linux-image-$KVER (make vm-deps)"
[ -x /bin/busybox ] || die "no /bin/busybox: install busybox-static (make vm-deps)"
if ldd /bin/busybox >/dev/null 2>&1; then
	die "/bin/busybox is dynamically linked: install busybox-static"
fi

root=$B/vm/root-$KVER
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,etc,proc,sys,dev,tmp,run,hostcall,hctest/bin}

cp /bin/busybox "$root/bin/busybox"
install -m 0755 tests/vm/init.sh "$root/init"
install -m 0644 tests/vm/guest/lib.sh "$root/hctest/lib.sh"
for t in tests/vm/guest/[0-9]*.sh; do
	install -m 0755 "$t" "$root/hctest/"
done

# In-guest test programs: static, so they need nothing from the guest.
CC=${CC:-cc}
for src in tests/vm/guest/*.c; do
	[ -e "$src" ] || continue
	bin=$B/vm/guest/$(basename "$src" .c)
	mkdir -p "$B/vm/guest"
	if [ ! -e "$bin" ] || [ "$src" -nt "$bin" ] ||
	   [ proto/hc_codec.c -nt "$bin" ] || [ guest-kmod/hostcall_dev.h -nt "$bin" ]; then
		echo "  CC      $bin"
		$CC -O2 -g -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -Iproto -Iguest-kmod \
			-static -o "$bin" "$src" proto/hc_codec.c
	fi
	install -m 0755 "$bin" "$root/hctest/bin/"
done

if [ -f "$B/hostcall.ko" ]; then
	cp "$B/hostcall.ko" "$root/hostcall/"
	modinfo -F vermagic "$B/hostcall.ko" | grep -q "^$KVER " ||
		echo "build-initramfs: warning: $B/hostcall.ko was not built for $KVER (make kmod KVER=$KVER)" >&2
else
	echo "build-initramfs: warning: no $B/hostcall.ko (make kmod); the kmod tests will fail" >&2
fi

# Kernel modules, dependencies first, as modules.dep lists them.
declare -A seen=()
modlist=()
add_module() {	# path relative to $moddir
	local rel=$1 dep deps
	[ -n "${seen[$rel]:-}" ] && return 0
	seen[$rel]=1
	deps=$(awk -v m="$rel:" '$1 == m { $1 = ""; print }' "$moddir/modules.dep")
	for dep in $deps; do
		add_module "$dep"
	done
	mkdir -p "$root/$moddir/$(dirname "$rel")"
	cp "$moddir/$rel" "$root/$moddir/$rel"
	modlist+=("$moddir/$rel")
}
for m in $VM_MODULES; do
	pat=$(echo "$m" | sed 's/[-_]/[-_]/g')
	rel=$(awk -F: '{ print $1 }' "$moddir/modules.dep" |
		grep -E "/$pat\\.ko(\\.[a-z]+)?\$" | head -n 1) ||
		true
	[ -n "$rel" ] || die "module $m not found in $moddir (built in? see modules.builtin)"
	add_module "$rel"
done
printf '%s\n' "${modlist[@]+"${modlist[@]}"}" >"$root/etc/hctest-modules"

# A dynamically linked ELF file and every shared library it needs.
copy_elf() {	# source destination-in-root
	local src=$1 dst=$2 lib
	mkdir -p "$root/$(dirname "$dst")"
	cp -L "$src" "$root/$dst"
	for lib in $(ldd "$src" 2>/dev/null | grep -o '/[^ ]*' || true); do
		[ -e "$root/$lib" ] && continue
		mkdir -p "$root/$(dirname "$lib")"
		cp -L "$lib" "$root/$lib"
	done
}
[ -f "$B/libhostcall.so" ] && copy_elf "$B/libhostcall.so" /lib/libhostcall.so
[ -f "$B/dosh" ] && copy_elf "$B/dosh" /usr/bin/dosh
for p in $VM_PROGS; do
	path=$(command -v "$p") || die "program $p not found on the host"
	copy_elf "$path" "/usr/bin/$p"
done

mkdir -p "$(dirname "$out")"
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0) | gzip -6 >"$out.tmp"
mv "$out.tmp" "$out"
echo "  INITRD  $out ($(du -k "$out" | cut -f1) KiB, kernel $KVER)"
