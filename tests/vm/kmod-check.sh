#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Static checks of hostcall.ko, so that they stay true:
#   build   the module builds for each kernel with W=1 and without a single
#           warning (Kbuild's -Wframe-larger-than=512 included);
#   symbols no symbol of hostcall.ko is also a symbol of fs/hfs (Apple HFS,
#           whose hfs_ prefix the module once used), compared with the
#           kernel's own fs/hfs/hfs.ko;
#   style   checkpatch.pl --no-tree (from Debian's linux-source-6.1) finds
#           nothing in guest-kmod/ and in the proto/ files the module
#           compiles; proto/ may answer an unknown op with ENOSYS, which is
#           the protocol's (hostcall_proto.h) and not a system call's, and
#           the op list's X-macros may be what checkpatch.pl takes for
#           complex macros (see below).
# Builds in a temporary directory, never in the tree.
#
# usage: tests/vm/kmod-check.sh [KVER...]   (default: tests/vm/kver.sh all)
# Prints one "ok" or "FAIL" line per check and ends with 'N passed, N failed'.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
src=/usr/src/linux-source-6.1.tar.xz
[ $# -gt 0 ] || set -- $(KVER= tests/vm/kver.sh all)
[ $# -gt 0 ] || { echo "kmod-check: no kernel with image and headers (make vm-deps)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kmod-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 failed=0
ok() { echo "ok    $1"; pass=$((pass + 1)); }
fail() { echo "FAIL  $1: $2"; failed=$((failed + 1)); }

# Names every module has (kbuild's and the compiler's), not the module's own.
own_symbols() {
	nm --defined-only "$1" | awk '{ print $NF }' |
		grep -Ev '^(\.|_)|^(init_module|cleanup_module|orc_header)$' | sort -u
}

grep -q -- '-Wframe-larger-than=512' guest-kmod/Kbuild ||
	fail kmod-frame-limit "guest-kmod/Kbuild does not build with -Wframe-larger-than=512"

for k in "$@"; do
	kdir=/usr/src/linux-headers-$k
	if [ ! -f "$kdir/Makefile" ]; then
		fail "kmod-build-$k" "no $kdir (install linux-headers-$k)"
		continue
	fi
	rm -rf "$tmp/m"
	mkdir -p "$tmp/m"
	cp -p -r guest-kmod proto "$tmp/m/"
	if ! make -s -C "$kdir" M="$tmp/m/guest-kmod" W=1 modules >"$tmp/build.log" 2>&1; then
		fail "kmod-build-$k" "the build failed: $(grep -m 3 -E 'error|Error' "$tmp/build.log" | tr '\n' ' ')"
		continue
	fi
	if grep -E 'warning:|error:' "$tmp/build.log" >"$tmp/warn"; then
		fail "kmod-build-$k" "$(wc -l <"$tmp/warn") warnings with W=1, the first: $(head -n 1 "$tmp/warn")"
	else
		ok "kmod-build-$k"
	fi

	hfs=/lib/modules/$k/kernel/fs/hfs/hfs.ko
	if [ -f "$hfs" ]; then
		cp "$hfs" "$tmp/hfs.ko"
	elif [ -f "$hfs.xz" ]; then
		xz -dc "$hfs.xz" >"$tmp/hfs.ko"
	else
		fail "kmod-symbols-$k" "no $hfs to compare with (install linux-image-$k)"
		continue
	fi
	own_symbols "$tmp/m/guest-kmod/hostcall.ko" >"$tmp/ours"
	own_symbols "$tmp/hfs.ko" >"$tmp/hfs"
	if [ "$(wc -l <"$tmp/ours")" -lt 100 ] || [ "$(wc -l <"$tmp/hfs")" -lt 50 ]; then
		fail "kmod-symbols-$k" "too few symbols to compare ($(wc -l <"$tmp/ours") and $(wc -l <"$tmp/hfs")): stripped modules?"
	elif comm -12 "$tmp/ours" "$tmp/hfs" >"$tmp/both" && [ -s "$tmp/both" ]; then
		fail "kmod-symbols-$k" "$(wc -l <"$tmp/both") names also in fs/hfs: $(head -n 8 "$tmp/both" | tr '\n' ' ')"
	else
		ok "kmod-symbols-$k"
	fi
done

# checkpatch.pl and the files it reads beside it, from the kernel source
if [ ! -f "$src" ]; then
	fail kmod-checkpatch "no $src (apt-get install linux-source-6.1, or make vm-deps)"
else
	tar -xJf "$src" -C "$tmp" --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
	cp="perl $tmp/scripts/checkpatch.pl --no-tree -q --terse --show-types -f"
	{
		$cp guest-kmod/*.[ch] proto/hostcall_dev.h || true
		$cp --ignore ENOSYS proto/hc_ring.h || true
		# The op list (hc_ops.h) and the X-macros that generate the
		# enum, structs and field tables from it (hostcall_proto.h,
		# hc_codec.c) expand to lists of declarations or initialisers,
		# which can be neither parenthesised nor wrapped in do-while,
		# and end in ';' or ','; every other check still applies.
		$cp --ignore ENOSYS,COMPLEX_MACRO,MULTISTATEMENT_MACRO_USE_DO_WHILE,TRAILING_SEMICOLON \
			proto/hc_ops.h proto/hostcall_proto.h proto/hc_codec.c || true
	} 2>&1 | grep -v '^total: 0 errors, 0 warnings' >"$tmp/style" || true
	if [ -s "$tmp/style" ]; then
		fail kmod-checkpatch "$(grep -c '' "$tmp/style") lines of checkpatch.pl, the first: $(head -n 3 "$tmp/style" | tr '\n' ' ')"
	else
		ok kmod-checkpatch
	fi
fi

echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
