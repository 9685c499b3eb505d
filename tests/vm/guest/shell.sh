#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The guest side of make run (tests/vm/boot.sh), started by /init for
# hctest.mode=shell: load hostcall.ko, mount the host's tree on /host, run
# dosh on the serial console as a session leader whose controlling terminal
# it is, and power off when dosh exits.
tty=/dev/ttyS0
say() { echo "guest: $*" >$tty; }

while read -r ko; do
	[ -n "$ko" ] && { insmod "$ko" || say "insmod $ko failed"; }
done </etc/hctest-modules
insmod /hostcall/hostcall.ko || say "insmod hostcall.ko failed"
mkdir -p /host
mount -t hostfs none /host ||
	say "mount -t hostfs none /host failed: $(dmesg | grep -E 'hostcall|hostfs' | tail -n 1)"

# The serial line does not know the host terminal's size: boot.sh tells.
rows= cols=
for arg in $(cat /proc/cmdline); do
	case $arg in
	hcshell.rows=*) rows=${arg#*=} ;;
	hcshell.cols=*) cols=${arg#*=} ;;
	esac
done
[ -n "$rows" ] && [ -n "$cols" ] && stty -F $tty rows "$rows" cols "$cols"
# TERM comes from the kernel command line; the image has a few terminfo entries.
t=$(echo "$TERM" | cut -c1)/$TERM
if [ ! -e "/lib/terminfo/$t" ] && [ ! -e "/usr/share/terminfo/$t" ]; then
	say "no terminfo for TERM=$TERM here; using vt100"
	TERM=vt100
fi
export TERM HOME=/root SHELL=/bin/dosh

say "dosh on $tty: local commands run here, !cmd on the host, /host is the host's /; exit powers off"
cd /root
setsid -c dosh <$tty >$tty 2>&1
say "dosh exited with $?; powering off"
cd /
umount /host 2>/dev/null
sync
poweroff -f
