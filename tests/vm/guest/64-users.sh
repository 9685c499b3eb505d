#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest users are host users (run.sh --mode users: hostcalld --ivshmem with
# --map-user 1000=hctest_vmalice --map-user 1001=hctest_vmbob). The guest's
# alice and bob (/etc/passwd of the initramfs) run dosh through su: their
# host commands run as their host users; on a hostfs mount each one's files
# are its host user's (the host side checks the owners: users-host-owners),
# a 0600 file of one is EACCES for the other, and guest root, unmapped, acts
# as --user. The two-user cases of tests/integration/idusers.c run as alice
# (owner) then bob (other) on the mount: a 0600 file, a 0700 directory
# walked by alice first (its cached lookups must not let bob in), a sticky
# directory, a setuid file bob writes to, bob's own files.
# expect-users: users-dosh-alice users-dosh-bob users-dosh-root users-hostfs-own
# expect-users: users-hostfs-eacces users-idusers-alice users-idusers-bob
. /hctest/lib.sh

[ "$HCTEST_MODE" = users ] || exit 0
names="users-dosh-alice users-dosh-bob users-dosh-root users-hostfs-own users-hostfs-eacces
users-idusers-alice users-idusers-bob"
if [ ! -x /bin/dosh ] || ! grep -q '^alice:' /etc/passwd; then
	for n in $names; do skip "$n" "no /bin/dosh or no alice in the initramfs"; done
	exit 0
fi
area=/tmp/hctest-users-$(hctest_token)

check_out() {	# NAME WANT GOT
	if [ "$3" = "$2" ]; then ok "$1"; else fail "$1" "want '$2', got '$(echo "$3" | tr '\n' '|')'"; fi
}
check_out users-dosh-alice hctest_vmalice "$(su -s /bin/dosh alice -c '!id -un' 2>&1)"
check_out users-dosh-bob hctest_vmbob "$(su -s /bin/dosh bob -c '!id -un' 2>&1)"
check_out users-dosh-root nobody "$(/bin/dosh -c '!id -un' 2>&1)"

mkdir -p /host
if mount -t hostfs none /host; then
	su -s /bin/sh alice -c "umask 077; echo alice-secret > /host$area/by-alice" 2>/tmp/u.err
	su -s /bin/sh bob -c "echo bob > /host$area/by-bob" 2>>/tmp/u.err
	own=$(su -s /bin/sh alice -c "stat -c %u /host$area/by-alice" 2>&1)
	check_out users-hostfs-own 1000 "$own$(cat /tmp/u.err)"
	out=$(su -s /bin/sh bob -c "cat /host$area/by-alice" 2>&1)
	case $out in
	*"Permission denied"*) ok users-hostfs-eacces ;;
	*) fail users-hostfs-eacces "bob read alice's 0600 file: '$out'" ;;
	esac
	for who in alice:owner bob:other; do
		if out=$(su -s /bin/sh "${who%:*}" -c "/hctest/bin/idusers ${who#*:} /host$area/two" 2>&1)
		then
			ok "users-idusers-${who%:*}"
		else
			fail "users-idusers-${who%:*}" "$(echo "$out" | grep -v '^ok' | tr '\n' ' ')"
		fi
	done
	umount /host
else
	for n in users-hostfs-own users-hostfs-eacces users-idusers-alice users-idusers-bob; do
		fail "$n" "cannot mount hostfs"
	done
fi
exit 0
