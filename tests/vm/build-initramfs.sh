#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the guest initramfs for the VM tests and `make run`: busybox-static,
# the kernel modules the guest needs, hostcall.ko, the in-guest tests, and a
# dynamic user space for the acceptance commands: glibc, GNU programs ahead
# of busybox in PATH, libhostcall.so, dosh and a2ps with what they read;
# musl's loader with the musl builds of libhostcall.so, hc-cat and dosh.
# The image is rewritten only when the staged tree's contents changed.
#
# usage: tests/vm/build-initramfs.sh [-o OUT.cpio.gz]
# env:   KVER        guest kernel (default: tests/vm/kver.sh)
#        B           build directory (default: build)
#        VM_MODULES  extra kernel modules by name, e.g. "9p 9pnet_virtio"
#        VM_PROGS    extra dynamically linked host programs, e.g. "cmp sed"
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
B=${B:-build}
KVER=${KVER:-$(tests/vm/kver.sh)}
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
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,etc,proc,sys,dev,tmp,run,root,hostcall,hctest/bin}

cp /bin/busybox "$root/bin/busybox"
install -m 0755 tests/vm/init.sh "$root/init"
install -m 0644 tests/vm/guest/lib.sh "$root/hctest/lib.sh"
install -m 0755 tests/vm/guest/aclcase.sh "$root/hctest/aclcase.sh"
install -m 0755 tests/vm/guest/shell.sh "$root/hctest/shell.sh"
for t in tests/vm/guest/[0-9]*.sh; do
	install -m 0755 "$t" "$root/hctest/"
done

# In-guest test programs, static (they need nothing from the guest), built
# by make (the Makefile's test helpers: $B/vm/guest/NAME).
. tests/lib/hostcalld.sh
for src in tests/vm/guest/*.c; do
	[ -e "$src" ] || continue
	bin=$B/vm/guest/$(basename "$src" .c)
	why=$(helper_check "$bin" "$src" proto/hc_codec.c proto/hostcall_dev.h tests/vm/guest/devcall.h) ||
		die "$why"
	install -m 0755 "$bin" "$root/hctest/bin/"
done

# make kmod: $B/kmod/KVER/hostcall.ko, and $B/hostcall.ko for the default KVER
ko=$B/kmod/$KVER/hostcall.ko
[ -f "$ko" ] || ko=$B/hostcall.ko
if [ -f "$ko" ]; then
	# the debug info stays in $ko (for decoding oopses on the host)
	strip --strip-debug -o "$root/hostcall/hostcall.ko" "$ko"
	modinfo -F vermagic "$ko" | grep -q "^$KVER " ||
		echo "build-initramfs: warning: $ko was not built for $KVER (make kmod KVER=$KVER)" >&2
else
	echo "build-initramfs: warning: no $ko (make kmod KVER=$KVER); the kmod tests will fail" >&2
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

# Two guest users (run.sh --mode users maps them to host users); no root
# entry, so that ls -l shows host files of root as 0, as ls -ln does.
printf 'alice:x:1000:1000:alice:/:/bin/sh\nbob:x:1001:1001:bob:/:/bin/sh\n' >"$root/etc/passwd"
printf 'alice:x:1000:\nbob:x:1001:\n' >"$root/etc/group"

# A dynamically linked ELF file and every shared library it needs;
# dosh finds libhostcall.so through its $ORIGIN rpath on the host (build/);
# in the guest it is /lib/libhostcall.so, on the loader's default path.
copy_elf() {	# source destination-in-root
	local src=$1 dst=$2 lib
	mkdir -p "$root/$(dirname "$dst")"
	cp -L "$src" "$root/$dst"
	for lib in $(ldd "$src" 2>/dev/null | grep -o '/[^ ]*' || true); do
		[ "${lib##*/}" = libhostcall.so ] && continue
		[ -e "$root/$lib" ] && continue
		mkdir -p "$root/$(dirname "$lib")"
		cp -L "$lib" "$root/$lib"
	done
}
# Files and trees as they are on the host (symlinks kept), e.g. data.
copy_data() {
	local p
	for p in "$@"; do
		[ -e "$p" ] || die "$p not found on the host (make deps installs a2ps)"
		mkdir -p "$root/$(dirname "$p")"
		cp -a "$p" "$root/$p"
	done
}
if [ -f "$B/libhostcall.so" ] && [ -f "$B/dosh" ]; then
	copy_elf "$B/libhostcall.so" /lib/libhostcall.so
	copy_elf "$B/dosh" /bin/dosh
else
	echo "build-initramfs: warning: no $B/libhostcall.so or $B/dosh (make all); the acceptance tests will fail" >&2
fi

# musl (make musl), as a guest that is not Debian has it: its dynamic
# loader, which is also its libc.so; libhostcall.so built against it, hc-cat
# (a musl-linked cat) and dosh built static, without libedit.
if [ -f "$B/musl/libhostcall.so" ] && [ -f "$B/musl/hc-cat" ] && [ -f "$B/musl/dosh" ]; then
	[ -e /lib/ld-musl-x86_64.so.1 ] || die "no /lib/ld-musl-x86_64.so.1: install musl (make vm-deps)"
	cp -L /lib/ld-musl-x86_64.so.1 "$root/lib/ld-musl-x86_64.so.1"
	mkdir -p "$root/lib/musl"
	cp "$B/musl/libhostcall.so" "$root/lib/musl/libhostcall.so"
	cp "$B/musl/hc-cat" "$root/usr/bin/hc-cat"
	cp "$B/musl/dosh" "$root/bin/dosh-static"
else
	echo "build-initramfs: warning: no $B/musl/libhostcall.so, hc-cat or dosh (make musl); the musl tests will fail" >&2
fi

# GNU programs the tests run under LD_PRELOAD (busybox applets are static)
# or compare with the host's; /usr/bin comes first in the guest's PATH.
# Debian's static busybox sh prefers its own applets to PATH
# (FEATURE_PREFER_APPLETS), so commands meant for these run under dash.
for p in dash cat ls head tail stat sha256sum wc id env a2ps file setfacl getfacl \
	 $VM_PROGS; do
	path=$(command -v "$p") || die "program $p not found on the host (make deps)"
	copy_elf "$path" "/usr/bin/$p"
done
# What a2ps reads at run time (strace -f -e trace=file a2ps -o - test.c):
# its configuration, sheets, fonts metrics, encodings and prologues,
# libpaper's /etc/papersize, and file(1), which it runs, with its magic.
copy_data /etc/a2ps.cfg /etc/a2ps-site.cfg /etc/papersize /usr/share/a2ps \
	/usr/share/ogonkify /etc/magic /usr/lib/file/magic.mgc \
	/usr/share/misc/magic.mgc
install -m 0644 tests/vm/test.c "$root/root/test.c"
# terminfo for dosh's line editing on the console (TERM comes from make run)
for t in linux vt100 vt220 xterm xterm-256color screen screen-256color \
	 tmux tmux-256color dumb; do
	for d in /lib/terminfo /usr/share/terminfo; do
		[ -e "$d/${t:0:1}/$t" ] && copy_data "$d/${t:0:1}/$t" && break
	done
done

# Rewrite the image only when the staged tree differs from the last one:
# names, types, modes, symlink targets and file contents.
key=$( (cd "$root" && find . -mindepth 1 -printf '%p %y %m %l\n' | LC_ALL=C sort &&
	find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-64)
if [ -f "$out" ] && [ "$(cat "$out.key" 2>/dev/null)" = "$key" ]; then
	echo "  INITRD  $out is up to date ($(du -k "$out" | cut -f1) KiB, kernel $KVER)"
	exit 0
fi
mkdir -p "$(dirname "$out")"
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0) | gzip -6 >"$out.tmp"
mv "$out.tmp" "$out"
echo "$key" >"$out.key"
echo "  INITRD  $out ($(du -k "$out" | cut -f1) KiB, $(du -sk "$root" | cut -f1) KiB unpacked, kernel $KVER)"
