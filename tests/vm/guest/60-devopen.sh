#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# libhostcall over /dev/hostcall (no mount): GNU programs under LD_PRELOAD
# get real guest fds from HOSTCALL_IOC_OPEN (hostfs files of the module's
# internal mount) and host processes' streams from HOSTCALL_IOC_SPAWN; run.sh
# exports a tree with hello.txt, a writable sub/ and a fifo. A check of what
# the host sees reads through a hostfs mount, a subject of its own. Under
# --root (run.sh --mode hostcalld) the host must refuse to spawn; against
# the whole host (--mode accept, no --root) dosh's host commands must run.
# expect-hostcalld: devopen-cat devopen-ls devopen-write devopen-dirfd
# expect-hostcalld: devopen-spawn-refused-pipe devopen-spawn-refused-exit
# expect-accept: devopen-spawn-pipe devopen-spawn-exit
. /hctest/lib.sh

case $HCTEST_MODE in
hostcalld) names="devopen-cat devopen-ls devopen-write devopen-dirfd devopen-spawn-refused-pipe devopen-spawn-refused-exit" ;;
accept) names="devopen-spawn-pipe devopen-spawn-exit" ;;
*) exit 0 ;;
esac
shim=/lib/libhostcall.so
if [ ! -f $shim ] || [ ! -x /usr/bin/cat ] || [ ! -x /bin/dosh ]; then
	for n in $names; do skip "$n" "no $shim, /usr/bin/cat or /bin/dosh in the initramfs"; done
	exit 0
fi

if [ "$HCTEST_MODE" = accept ]; then
	# dosh: a guest pipe into a host command and its output back (pumps)
	out=$(echo hello | /bin/dosh -c '!tr a-z A-Z' 2>&1)
	if [ "$out" = HELLO ]; then
		ok devopen-spawn-pipe
	else
		fail devopen-spawn-pipe "got '$(echo "$out" | tr '\n' '|')'"
	fi
	out=$(/bin/dosh -c '!sh -c "exit 7"; echo "status $?"' 2>&1)
	if [ "$out" = "status 7" ]; then
		ok devopen-spawn-exit
	else
		fail devopen-spawn-exit "got '$(echo "$out" | tr '\n' '|')'"
	fi
	exit 0
fi
token=
for arg in $(cat /proc/cmdline); do
	case $arg in hctest.token=*) token=${arg#hctest.token=} ;; esac
done
umount /host 2>/dev/null
pre() { LD_PRELOAD=$shim "$@"; }

# cat: copy_file_range, then read/write on the fd HOSTCALL_IOC_OPEN gave
got=$(pre /usr/bin/cat /host/hello.txt 2>&1)
if [ "$got" = "hello from the host $token" ]; then
	ok devopen-cat
else
	fail devopen-cat "got '$got'"
fi

# ls -la: statx through the shim, getdents64 on a hostfs directory fd
out=$(pre /usr/bin/ls -la /host/ 2>&1)
if echo "$out" | grep -q ' hello.txt$' && echo "$out" | grep -q '^d.* sub$' &&
   echo "$out" | grep -q '^p.* fifo$'; then
	ok devopen-ls
else
	fail devopen-ls "$(echo "$out" | tr '\n' '|')"
fi

# a2ps writes its output file through the shim; another subject reads it
rm -f /tmp/devopen.err
pre /usr/bin/a2ps -q -o /host/sub/devopen.ps /root/test.c 2>/tmp/devopen.err
mkdir -p /mnt/devopen
if mount -t hostfs -o cache=none none /mnt/devopen; then
	head=$(head -c 4 /mnt/devopen/sub/devopen.ps 2>&1)
	if [ "$head" = "%!PS" ] && grep -q 'return' /mnt/devopen/sub/devopen.ps; then
		ok devopen-write
	else
		fail devopen-write "host file starts with '$head': $(head -c 200 /tmp/devopen.err)"
	fi
	umount /mnt/devopen
else
	fail devopen-write "cannot mount hostfs to check"
fi

# dosh (libhostcall linked) cd into a host directory, then a relative path:
# CHDIR in the subject, then an open relative to the host cwd
out=$(printf 'cd /host/sub\n/usr/bin/cat ../hello.txt\n' | /bin/dosh 2>&1)
if [ "$out" = "hello from the host $token" ]; then
	ok devopen-dirfd
else
	fail devopen-dirfd "got '$(echo "$out" | tr '\n' '|')'"
fi

# under --root the host runs no program (EPERM): dosh says so, status 126
out=$(echo hello | /bin/dosh -c '!tr a-z A-Z' 2>&1)
case $out in
*"!tr: Operation not permitted") ok devopen-spawn-refused-pipe ;;
*) fail devopen-spawn-refused-pipe "got '$(echo "$out" | tr '\n' '|')', want !tr: Operation not permitted" ;;
esac
out=$(/bin/dosh -c '!sh -c "exit 7"; echo "status $?"' 2>/dev/null)
if [ "$out" = "status 126" ]; then
	ok devopen-spawn-refused-exit
else
	fail devopen-spawn-refused-exit "got '$(echo "$out" | tr '\n' '|')', want status 126"
fi
exit 0
