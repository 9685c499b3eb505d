#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The acceptance commands of issue 4, run literally against hostcalld
# --ivshmem serving the whole host (run.sh --mode accept). They run under
# dash, as a user's /bin/sh would run them: Debian's static busybox sh runs
# its own applets before PATH, and LD_PRELOAD cannot reach those. Each
# output goes to the console between "HCTEST-OUT NAME begin" and
# "HCTEST-OUT NAME end", with its size and sha256 on an info line; the host
# side compares it with its own files and reports ok (tests/vm/accept.sh).
# expect-accept: accept-shim-printcap accept-hostfs-printcap accept-hostfs-ls
# expect-accept: accept-dosh-lpr accept-musl-printcap
. /hctest/lib.sh

[ "$HCTEST_MODE" = accept ] || exit 0

# show NAME FILE: FILE, delimited, for the host side; a missing last
# newline is added on the console and said on the info line.
show() {
	eol=yes
	[ -s "$2" ] && [ "$(tail -c 1 "$2" | od -An -tx1 | tr -d ' ')" != 0a ] && eol=no
	info "$1: $(wc -c <"$2") bytes, sha256 $(sha256sum <"$2" | cut -d' ' -f1), newline at end: $eol"
	echo "HCTEST-OUT $1 begin"
	cat "$2"
	[ $eol = yes ] || echo
	echo "HCTEST-OUT $1 end"
}

# run NAME COMMAND [RESULT...]: COMMAND under dash, its stdout shown for
# the host side; when it exits non-zero, fail each RESULT (default NAME).
run() {
	name=$1 cmd=$2
	shift 2
	[ $# -gt 0 ] || set -- "$name"
	info "$name: \$ $cmd"
	timeout 120 dash -c "$cmd" >/tmp/$name.out 2>/tmp/$name.err
	rc=$?
	[ -s /tmp/$name.err ] && sed "s/^/HCTEST info $name: stderr: /" /tmp/$name.err
	show "$name" /tmp/$name.out
	if [ $rc != 0 ]; then
		for n in "$@"; do
			fail "$n" "exit $rc: $(tail -n 2 /tmp/$name.err | tr '\n' ' ')"
		done
	fi
}

# 1. the shim, no mount: /host is only a prefix
run accept-shim-printcap 'LD_PRELOAD=/lib/libhostcall.so cat /host/etc/printcap'
# the same with a musl-linked program (hc-cat) and libhostcall.so built against musl
run accept-musl-printcap 'LD_PRELOAD=/lib/musl/libhostcall.so hc-cat /host/etc/printcap'

# 2. hostfs (the mount point has to exist)
mkdir -p /host
run accept-hostfs 'mount -t hostfs none /host && cat /host/etc/printcap && ls -l /host/etc | head' \
	accept-hostfs-printcap accept-hostfs-ls

# 3. a2ps in the guest, lpr and CUPS on the host
cd /root && run accept-dosh-lpr "dosh -c 'a2ps -o - test.c | !lpr -P testq'"
cd /

grep -q ' /host hostfs ' /proc/mounts && umount /host
