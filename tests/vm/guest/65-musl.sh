#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The musl builds in the guest, as in a guest that is not Debian (make
# musl): build/musl/libhostcall.so preloaded into hc-cat, a musl-linked
# cat, over /dev/hostcall, with and without a hostfs mount on /host; and
# build/musl/dosh, static and without libedit, using the host through the
# API it links in. Against the exported tree of run.sh (hostcalld mode,
# where the host refuses to spawn) and against the whole host (accept
# mode, where it spawns: a guest pipeline into a host command). The
# printcap example with hc-cat is in 60-accept.sh.
# expect-hostcalld: musl-shim-cat musl-shim-enoent musl-shim-aside
# expect-hostcalld: musl-dosh-static-run musl-dosh-static-hostcwd
# expect-accept: musl-dosh-static-pipe musl-dosh-static-wc
. /hctest/lib.sh

case $HCTEST_MODE in hostcalld | accept) ;; *) exit 0 ;; esac
shim=/lib/musl/libhostcall.so
dosh=/bin/dosh-static
if [ $HCTEST_MODE = hostcalld ]; then
	names="musl-shim-cat musl-shim-enoent musl-shim-aside musl-dosh-static-run musl-dosh-static-hostcwd"
else
	names="musl-dosh-static-pipe musl-dosh-static-wc"
fi
if [ ! -f $shim ] || [ ! -x /usr/bin/hc-cat ] || [ ! -x $dosh ] ||
   [ ! -e /lib/ld-musl-x86_64.so.1 ]; then
	for n in $names; do skip "$n" "no musl builds in the initramfs (make musl)"; done
	exit 0
fi

if [ $HCTEST_MODE = accept ]; then
	# a guest pipeline into host commands: the pumps of HOSTCALL_IOC_SPAWN
	out=$(echo hello | $dosh -c '!tr a-z A-Z' 2>&1)
	if [ "$out" = HELLO ]; then
		ok musl-dosh-static-pipe
	else
		fail musl-dosh-static-pipe "got '$(echo "$out" | tr '\n' '|')'"
	fi
	want=$(wc -c </root/test.c)
	out=$(cd /root && $dosh -c 'hc-cat test.c | !wc -c' 2>&1)
	if [ "$out" = "$want" ]; then
		ok musl-dosh-static-wc
	else
		fail musl-dosh-static-wc "the host counted '$(echo "$out" | tr '\n' '|')', want $want"
	fi
	exit 0
fi

token=$(hctest_token)
umount /host 2>/dev/null
mkdir -p /host

# no mount: /host/hello.txt exists only through the shim
got=$(LD_PRELOAD=$shim hc-cat /host/hello.txt 2>&1)
if [ "$got" = "hello from the host $token" ]; then
	ok musl-shim-cat
else
	fail musl-shim-cat "got '$got'"
fi
got=$(LD_PRELOAD=$shim hc-cat /host/no-such-file 2>&1)
rc=$?
case "$rc $got" in
"1 hc-cat: /host/no-such-file: No such file or directory") ok musl-shim-enoent ;;
*) fail musl-shim-enoent "exit $rc: $got" ;;
esac

if mount -t hostfs none /host; then
	got=$(LD_PRELOAD=$shim HOSTCALL_DEBUG=1 hc-cat /host/hello.txt 2>&1)
	case $got in
	*"is a hostfs mount"*"hello from the host $token") ok musl-shim-aside ;;
	*) fail musl-shim-aside "got '$(echo "$got" | tr '\n' '|')'" ;;
	esac
	umount /host
else
	fail musl-shim-aside "cannot mount hostfs on /host"
fi

out=$($dosh -c 'x=6; echo "$((x * 7)) $(echo sub)"' 2>&1)
if [ "$out" = "42 sub" ]; then
	ok musl-dosh-static-run
else
	fail musl-dosh-static-run "got '$out'"
fi
# the host's working directory through the API (no spawn needed)
out=$($dosh -c '!cd /sub && !pwd' 2>&1)
if [ "$out" = /sub ]; then
	ok musl-dosh-static-hostcwd
else
	fail musl-dosh-static-hostcwd "got '$(echo "$out" | tr '\n' '|')'"
fi
exit 0
