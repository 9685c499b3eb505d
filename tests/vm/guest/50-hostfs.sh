#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# hostfs: the file system type is registered; without a host a mount fails
# at once with a clear error; against hostcalld (run.sh exports a tree with
# hello.txt and a writable sub/) the mount works, and every operation done
# through it is compared with the same operation done by the host
# (hcfs_fstest); then the mount options (ro, root=, symlinks=raw, cache=)
# and the unmount.
# expect: hostfs-registered
# expect-none: hostfs-nodevice
# expect-testpeer: hostfs-refused
# expect-hostcalld: hostfs-mount hostfs-cat hostfs-ls hostfs-stat hostfs-read
# expect-hostcalld: hostfs-readdir hostfs-write hostfs-pwrite hostfs-append
# expect-hostcalld: hostfs-readdirplus
# expect-hostcalld: hostfs-truncate hostfs-mmap hostfs-odirect hostfs-rename
# expect-hostcalld: hostfs-link hostfs-symlink hostfs-mkdir hostfs-attrs
# expect-hostcalld: hostfs-host-decides hostfs-fifo hostfs-statfs hostfs-xattr
# expect-hostcalld: hostfs-flock hostfs-posix-lock hostfs-unlinked-open
# expect-hostcalld: hostfs-bigdir hostfs-host-change hostfs-big hostfs-ro
# expect-hostcalld: hostfs-mmap-big hostfs-kill-reader hostfs-parallel
# expect-hostcalld: hostfs-exec hostfs-bye hostfs-root
# expect-hostcalld: hostfs-symlinks-raw hostfs-cache-none hostfs-cache-loose
# expect-hostcalld: hostfs-deep hostfs-rename-ancestor-host
# expect-hostcalld: hostfs-rename-ancestor-guest hostfs-recreate hostfs-tmpfile
# expect-hostcalld: hostfs-copy-range hostfs-copy-on-host
# expect-hostcalld: hostfs-many-lookups hostfs-forget-bounded
# expect-hostcalld: hostfs-umount
. /hctest/lib.sh

if grep -qw hostfs /proc/filesystems; then
	ok hostfs-registered
else
	fail hostfs-registered "no hostfs in /proc/filesystems"
	exit 0
fi
mkdir -p /host

# mount_fails NAME: the mount must fail quickly, saying why in the log.
mount_fails() {
	start=$(cut -d' ' -f1 /proc/uptime)
	if out=$(mount -t hostfs none /host 2>&1); then
		umount /host
		fail "$1" "mount succeeded"
		return
	fi
	secs=$(awk -v s="$start" -v e="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { print e - s }')
	why=$(dmesg | grep 'hostfs:' | tail -n 1)
	info "$1: mount: $out; log: $why; after $secs s"
	if [ -z "$why" ]; then
		fail "$1" "no hostfs message in the kernel log"
	elif awk -v s="$secs" 'BEGIN { exit !(s > 5) }'; then
		fail "$1" "took $secs s"
	else
		ok "$1"
	fi
}

case $HCTEST_MODE in
none) mount_fails hostfs-nodevice; exit 0 ;;
testpeer) mount_fails hostfs-refused; exit 0 ;;
hostcalld) ;;
*) exit 0 ;;
esac

token=
for arg in $(cat /proc/cmdline); do
	case $arg in hctest.token=*) token=${arg#hctest.token=} ;; esac
done

check hostfs-mount mount -t hostfs none /host
if ! grep -q ' /host hostfs ' /proc/mounts; then
	exit 0
fi
got=$(cat /host/hello.txt)
if [ "$got" = "hello from the host $token" ]; then
	ok hostfs-cat
else
	fail hostfs-cat "/host/hello.txt holds '$got'"
fi
if out=$(ls -l /host | head) && echo "$out" | grep -q 'hello.txt$'; then
	ok hostfs-ls
	echo "$out" | sed 's/^/HCTEST info ls -l \/host: /'
else
	fail hostfs-ls "ls -l /host: $out"
fi

/hctest/bin/hcfs_fstest /host /sub

# 100,000 files looked up (find stats each): the shadow holds one fd per
# inode the guest caches, at most --max-handles; when the table is full the
# guest lets go of what it does not use and goes on. Once it dropped its
# caches, FORGET gave the handles back (run.sh counts the shadow's fds).
start=$(cut -d' ' -f1 /proc/uptime)
if n=$(find /host/many -type f -links 1 2>/tmp/find.err | wc -l) &&
   [ "$n" = 100000 ] && [ ! -s /tmp/find.err ]; then
	ok hostfs-many-lookups
else
	fail hostfs-many-lookups "find saw $n files: $(head -n 3 /tmp/find.err)"
fi
info "100,000 lookups in $(awk -v s="$start" -v e="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { print e - s }') s"
info "shadow-fds looked-up"
sleep 1
sync
echo 2 >/proc/sys/vm/drop_caches
sleep 1
info "shadow-fds dropped"
sleep 1

# exec of a host file: its pages come through the page cache; the host's
# X_OK decides whether it may run
mkdir -p /host/sub/hfs-exec
bb=/host/sub/hfs-exec/busybox	# busybox picks its applet by argv[0]
if cp /bin/busybox $bb && chmod 755 $bb && out=$($bb echo exec works) &&
   [ "$out" = "exec works" ]; then
	chmod 644 $bb
	if err=$($bb true 2>&1); then
		fail hostfs-exec "a file without x bits ran"
	elif echo "$err" | grep -q 'Permission denied'; then
		ok hostfs-exec
	else
		fail hostfs-exec "exec without x bits: $err"
	fi
else
	fail hostfs-exec "cp, chmod or exec of $bb: $out"
fi
rm -rf /host/sub/hfs-exec

# unmount ends the mount's subject (BYE): more mounts, one after the other,
# than run.sh lets hostcalld have subjects (--max-subjects 48)
mkdir -p /tmp/hfs-bye
n=0 retries=0
while [ $n -lt 60 ]; do
	if mount -t hostfs none /tmp/hfs-bye 2>/dev/null; then
		umount /tmp/hfs-bye
		n=$((n + 1))
	elif [ $retries -lt 10 ]; then
		retries=$((retries + 1))	# a BYE still on its way
		sleep 0.1
	else
		break
	fi
done 2>/dev/null
if [ $n = 60 ]; then
	ok hostfs-bye
	info "hostfs-bye: 60 mounts and unmounts, $retries retries"
else
	fail hostfs-bye "mount $((n + 1)) of 60 failed: $(dmesg | grep hostfs: | tail -n 1)"
fi

# ro: the guest refuses writes itself
umount /host
mount -t hostfs -o ro none /host
if echo x 2>/dev/null >/host/sub/ro-test; then
	fail hostfs-ro "a write on a read-only mount worked"
elif ! cat /host/hello.txt >/dev/null; then
	fail hostfs-ro "cannot read on a read-only mount"
else
	ok hostfs-ro
fi
umount /host

# root=: the mount's root is a host subdirectory; absolute links stay in it
mkdir -p /tmp/hfs-root
mount -t hostfs none /tmp/hfs-root
echo "under root=" >/tmp/hfs-root/sub/hfs-root-test
ln -sf /hfs-root-test /tmp/hfs-root/sub/hfs-root-link
mount -t hostfs -o root=/sub none /host
if [ "$(cat /host/hfs-root-test 2>&1)" = "under root=" ] &&
   [ "$(cat /host/hfs-root-link 2>&1)" = "under root=" ] &&
   grep -q ' /host hostfs .*root=/sub' /proc/mounts; then
	ok hostfs-root
else
	fail hostfs-root "$(ls -l /host 2>&1 | head -n 3 | tr '\n' ' ')"
fi
umount /host

# readdirplus: `ls -l` and `find` of 2,000 host files (run.sh's twok/)
# list them with their attributes; the host side counts the round trips
# of this mount's subject (hostfs-readdirplus-trips). A ttl that does not
# run out within the test keeps the count independent of the guest's speed.
mkdir -p /tmp/hfs-twok
mount -t hostfs -o root=/twok,ttl=600000 none /tmp/hfs-twok
n=$(busybox ls -l /tmp/hfs-twok | grep -c '^-rw')
f=$(find /tmp/hfs-twok -type f -size 0 | wc -l)
umount /tmp/hfs-twok
if [ "$n" = 2000 ] && [ "$f" = 2000 ]; then
	ok hostfs-readdirplus
else
	fail hostfs-readdirplus "ls -l listed $n files, find $f, of 2000"
fi

# symlinks=raw: absolute targets as the host has them
mount -t hostfs -o symlinks=raw none /host
if [ "$(readlink /host/sub/hfs-root-link)" = /hfs-root-test ] &&
   [ "$(readlink /tmp/hfs-root/sub/hfs-root-link)" = ../hfs-root-test ]; then
	ok hostfs-symlinks-raw
else
	fail hostfs-symlinks-raw "raw '$(readlink /host/sub/hfs-root-link)', default '$(readlink /tmp/hfs-root/sub/hfs-root-link)'"
fi
umount /host

# cache=none: a host change shows at once (the other mount makes it)
mount -t hostfs -o cache=none none /host
cat /host/sub/hfs-root-test >/dev/null
echo "changed" >/tmp/hfs-root/sub/hfs-root-test
if [ "$(cat /host/sub/hfs-root-test)" = changed ] &&
   grep -q ' /host hostfs .*cache=none' /proc/mounts; then
	ok hostfs-cache-none
else
	fail hostfs-cache-none "reads '$(cat /host/sub/hfs-root-test)'"
fi
umount /host

# cache=loose: the guest keeps what it read until the cache is dropped
mount -t hostfs -o cache=loose none /host
a=$(cat /host/sub/hfs-root-test)
echo "changed again" >/tmp/hfs-root/sub/hfs-root-test
sleep 1.1
b=$(cat /host/sub/hfs-root-test)
echo 3 >/proc/sys/vm/drop_caches
c=$(cat /host/sub/hfs-root-test)
if [ "$a" = changed ] && [ "$b" = changed ] && [ "$c" = "changed again" ]; then
	ok hostfs-cache-loose
else
	fail hostfs-cache-loose "read '$a', then '$b', after drop_caches '$c'"
fi
rm -f /tmp/hfs-root/sub/hfs-root-test /tmp/hfs-root/sub/hfs-root-link

if umount /host && umount /tmp/hfs-root && ! grep -q ' hostfs ' /proc/mounts; then
	ok hostfs-umount
else
	fail hostfs-umount "$(grep hostfs /proc/mounts | tr '\n' ' ')"
fi

# For 85-hostfs-dead.sh, after hostcalld is killed: a mount in use.
mkdir -p /host-dead
if mount -t hostfs none /host-dead; then
	sleep 3600 </host-dead/hello.txt &
	echo $! >/tmp/hfs-dead.pid
fi
