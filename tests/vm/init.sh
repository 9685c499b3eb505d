#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
# /init of the test guest: mount the basics, run /hctest/[0-9]*.sh, print
# "HCTEST ok|fail|skip NAME[: reason]" lines on the console, power off.
/bin/busybox --install -s /bin
export PATH=/usr/bin:/usr/sbin:/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run

# Kernel messages go to dmesg, not into the result lines; the last test
# checks dmesg for oopses and warnings.
dmesg -n 1

HCTEST_MODE=none
for arg in $(cat /proc/cmdline); do
	case $arg in
	hctest.mode=*) HCTEST_MODE=${arg#hctest.mode=} ;;
	hctest.only=*) HCTEST_ONLY=${arg#hctest.only=} ;;
	esac
done
export HCTEST_MODE HCTEST_ONLY

# make run (tests/vm/boot.sh): an interactive dosh instead of the tests
[ "$HCTEST_MODE" = shell ] && exec /bin/busybox sh /hctest/shell.sh

echo "HCTEST ok boot"
echo "HCTEST info kernel $(uname -r), user space at $(cut -d' ' -f1 /proc/uptime) s"

while read -r ko; do
	[ -n "$ko" ] || continue
	insmod "$ko" || echo "HCTEST fail boot-modules: insmod $ko failed"
done </etc/hctest-modules

for t in /hctest/[0-9]*.sh; do
	name=${t##*/}
	case ${HCTEST_ONLY:-} in
	"" | *"$name"*) ;;
	*) continue ;;
	esac
	echo "HCTEST info running $name"
	timeout 300 sh "$t" 2>&1 || echo "HCTEST info $name exited with $?"
done

if dmesg | grep -E 'BUG:|Oops|WARNING:|general protection|Call Trace' >/tmp/badlog; then
	echo "HCTEST fail kernel-log-clean: $(head -n 1 /tmp/badlog)"
else
	echo "HCTEST ok kernel-log-clean"
fi
echo "HCTEST info done at $(cut -d' ' -f1 /proc/uptime) s"
echo "HCTEST done"
echo "=== guest dmesg ==="
dmesg
echo "=== end of guest dmesg ==="
sync
poweroff -f
