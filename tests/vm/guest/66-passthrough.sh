#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# --identity passthrough (run.sh --mode passthrough): guest ids are host ids.
# The same operations as tests/integration/idcompare.c does natively on the
# host (17 modes, a 0700 directory, sticky and setgid directories, chmod,
# chown, a setuid file written), run here as root, alice (1000) and bob
# (1001) on a hostfs mount, must give the host kernel's own answers: the
# outputs go to the console and the host side compares them with its own
# native runs, case by case (passthrough-hostfs-UID).
# expect-passthrough: passthrough-hostfs-0 passthrough-hostfs-1000
# expect-passthrough: passthrough-hostfs-1001 passthrough-hostfs-acl
# expect-passthrough: passthrough-hostfs-aclttl
# POSIX ACLs too: aclcase.sh as root (and as alice) here, with cache=none
# and with the default cache, and on the host.
. /hctest/lib.sh

[ "$HCTEST_MODE" = passthrough ] || exit 0
area=/tmp/hctest-pt-$(hctest_token)
mkdir -p /host
if ! mount -t hostfs -o cache=none none /host; then
	info "passthrough: cannot mount hostfs"
	exit 0
fi
for u in 0 1000 1001; do
	case $u in
	0) /hctest/bin/idcompare run "/host$area/via-$u" >/tmp/pt-$u.out 2>&1 ;;
	1000) su -s /bin/sh alice -c "/hctest/bin/idcompare run /host$area/via-$u" >/tmp/pt-$u.out 2>&1 ;;
	1001) su -s /bin/sh bob -c "/hctest/bin/idcompare run /host$area/via-$u" >/tmp/pt-$u.out 2>&1 ;;
	esac
	echo "HCTEST-OUT pt-$u begin"
	cat /tmp/pt-$u.out
	echo "HCTEST-OUT pt-$u end"
done
echo "HCTEST-OUT pt-acl begin"
sh /hctest/aclcase.sh "/host$area/acl-via" "su -s /bin/sh alice -c" 2>&1
echo "HCTEST-OUT pt-acl end"
umount /host
mount -t hostfs none /host || info "passthrough: cannot mount hostfs again"
echo "HCTEST-OUT pt-aclttl begin"
sh /hctest/aclcase.sh "/host$area/acl-ttl" "su -s /bin/sh alice -c" 2>&1
echo "HCTEST-OUT pt-aclttl end"
umount /host
exit 0
