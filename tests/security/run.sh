#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The escape suite: an unprivileged client in a chroot that holds only hostcalld's socket and the static driver (escape.c) attacks hostcalld --root on a small ext4 loop image, against the old hostcalld (it must find escapes) and against build/hostcalld (it must find none).
#
# Each binary runs twice: with --user (shadows are an ordinary test user,
# not the client's) and with --allow-root (root shadows). The old hostcalld
# is the last commit before the escape fixes, built into build/old/ from git;
# without git history that half is skipped, saying why. It speaks protocol
# version 2: the same driver attacks it with --proto 2 (escape.c encodes the
# few ops whose layout version 3 changed as version 2 had them).
# Needs root (users, a loop image, mounts, a setuid canary); as anyone else
# it says so and exits 0. Every loop is bounded; the whole run takes under
# ten seconds (about 7 s here), most of it the two 1 s rename races of each run.
# Output: the driver's "ok"/"not ok" lines for build/hostcalld, the old
# binary's as comments, then "N passed, N failed"; exit status 1 on failure.
#
# Environment: HOSTCALLD (default build/hostcalld), ESCAPE and CANARY (the static driver and
# the setuid canary, default build/tests/; make test-helpers), OLD_COMMIT.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HOSTCALLD=${HOSTCALLD:-$ROOT/build/hostcalld}
# the last commit before the fixes of the escapes (the export mount, the
# opened-file set by file handle): its hostcalld must still escape
OLD_COMMIT=${OLD_COMMIT:-54174e6c9278e344dae191dda950028ccc050b8b}
OLD_DIR=$ROOT/build/old
ESCAPE=${ESCAPE:-$ROOT/build/tests/escape}
CANARY=${CANARY:-$ROOT/build/tests/canary}
. "$ROOT/tests/lib/hostcalld.sh"
. "$ROOT/tests/lib/tap.sh"
CLIENT_USER=hcesc_client
SHADOW_USER=hcesc_shadow
export LC_ALL=C PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
unset HOSTCALL_SOCKET

N=0 FAIL=0
START=$(date +%s)


if [ "$(id -u)" != 0 ]; then
	echo "escape suite: skipped: it needs root (test users, a loop image, mounts, a setuid canary)"
	exit 0
fi

# one run at a time: the test users are shared
exec 9> /run/lock/hostcall-escape.lock
flock -w 300 9 || { echo "escape suite: another run holds /run/lock/hostcall-escape.lock"; exit 1; }

# the driver runs from here: a noexec /tmp would stop it
TBASE=/tmp
findmnt -no OPTIONS --target /tmp 2> /dev/null | grep -qw noexec && TBASE=$ROOT/build
T=$(mktemp -d "$TBASE/hostcall-escape.XXXXXX") || exit 1
chmod 755 "$T"
W=$T/work
M=$T/mnt
C=$T/chroot
mkdir -p "$W" "$M" "$C"
DAEMON='' LOOP=''

teardown_run() {
	if [ -n "$DAEMON" ]; then
		kill -TERM "$DAEMON" 2>/dev/null
		for _ in $(seq 30); do kill -0 "$DAEMON" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$DAEMON" 2>/dev/null
		wait "$DAEMON" 2>/dev/null
		DAEMON=
	fi
	mountpoint -q "$M/export/proc" 2>/dev/null && umount "$M/export/proc"
	if mountpoint -q "$M"; then
		umount "$M" 2>/dev/null || umount -l "$M"
	fi
	[ -n "$LOOP" ] && losetup -d "$LOOP" 2>/dev/null
	LOOP=
	rm -f "$T/fs.img" "$C/hc.sock" "$C/setuid-marker"
}

cleanup() {
	local u
	teardown_run
	# the users are this suite's own (also when a killed run left them behind)
	for u in "$CLIENT_USER" "$SHADOW_USER"; do
		id -u "$u" > /dev/null 2>&1 && userdel "$u" 2> /dev/null
	done
	rm -rf -- "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---- users, the driver and the canary ----

for u in "$CLIENT_USER" "$SHADOW_USER"; do
	if ! id -u "$u" > /dev/null 2>&1; then
		if ! useradd --system --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin --user-group "$u" 2> "$W/useradd.log"; then
			not_ok "create the test user $u" "$(cat "$W/useradd.log")"
			echo "$((N - FAIL)) passed, $FAIL failed"
			exit 1
		fi
	fi
done
CLIENT_IDS=$(id -u "$CLIENT_USER"):$(id -g "$CLIENT_USER")
SHADOW_IDS=$(id -u "$SHADOW_USER"):$(id -g "$SHADOW_USER")

# static (make builds them so): the chroot holds nothing else
static_helper() {
	helper_check "$1" "$2" || return 1
	if readelf -l "$1" | grep -q INTERP; then
		echo "$1 is dynamically linked: the chroot has no libc"
		return 1
	fi
}
if why=$(static_helper "$ESCAPE" "$ROOT/tests/security/escape.c" &&
	 static_helper "$CANARY" "$ROOT/tests/security/canary.c"); then
	ok "the static driver and the setuid canary are built"
else
	not_ok "the static driver and the setuid canary are built" "$why"
	echo "$((N - FAIL)) passed, $FAIL failed"
	exit 1
fi
install -m 0755 "$ESCAPE" "$C/escape"

# ---- the old hostcalld, from git ----

OLD_BIN='' OLD_SKIP=''
build_old() {
	if [ -x "$OLD_DIR/hostcalld" ] && [ "$(cat "$OLD_DIR/commit" 2> /dev/null)" = "$OLD_COMMIT" ]; then
		OLD_BIN=$OLD_DIR/hostcalld
		return 0
	fi
	if ! git -C "$ROOT" rev-parse -q --verify "$OLD_COMMIT^{commit}" > /dev/null 2>&1; then
		OLD_SKIP="the tree has no git history with commit $OLD_COMMIT (no .git, or a shallow clone)"
		return 1
	fi
	rm -rf "$OLD_DIR/src"
	mkdir -p "$OLD_DIR/src"
	if git -C "$ROOT" archive "$OLD_COMMIT" | tar -x -C "$OLD_DIR/src" &&
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u CFLAGS make -C "$OLD_DIR/src" \
			build/hostcalld > "$W/old-build.log" 2>&1 &&
		cp "$OLD_DIR/src/build/hostcalld" "$OLD_DIR/hostcalld"; then
		echo "$OLD_COMMIT" > "$OLD_DIR/commit"
		OLD_BIN=$OLD_DIR/hostcalld
		return 0
	fi
	not_ok "build the old hostcalld ($OLD_COMMIT) into build/old" "$(tail -20 "$W/old-build.log")"
	return 1
}
build_old

# ---- one run: a fresh image, hostcalld, the driver ----

# populate: the export, the canaries outside it, the chroot
populate() {
	local E=$M/export O=$M/outside d
	mkdir -p "$E"/sub "$E"/a/b/c2 "$E"/mv/a/b/c "$E"/race/x "$E"/race/y "$E"/reuse "$E"/proc \
		"$O"/moved "$O"/mvslot "$O"/reuse
	echo inside > "$E/inside.txt"
	echo mvsrc > "$E/mvsrc"
	echo inside-own > "$E/a/b/own.txt"
	echo inside-race > "$E/race/x/secret"
	echo inside-race > "$E/race/y/secret"
	echo inside-secret > "$E/secret"
	ln -s / "$E/abs"
	ln -s "$O" "$E/absout"
	ln -s "$O/secret" "$E/abssecret"
	ln -s "$T" "$E/abstop"
	ln -s ../outside "$E/rel"
	ln -s ../../outside/secret "$E/sub/rel2"
	ln -s ../../../../../../../../.. "$E/sub/deep"
	ln -s sub/deep "$E/chain"
	ln -s ../../outside "$E/race/sym"
	ln -s "$O" "$E/race/symabs"
	chown -R "$SHADOW_USER:$SHADOW_USER" "$E"
	chmod 755 "$E"
	# after the chown, which would clear the setuid bit
	install -m 4755 -o root -g root "$CANARY" "$E/suid-canary"
	mknod -m 0666 "$E/blkdev" b "$LOOP_MAJ" "$LOOP_MIN"
	mknod -m 0666 "$E/kmsgdev" c 1 11
	for d in "$M" "$O" "$O/moved" "$T"; do echo "HCCANARY-outside $d" > "$d/HCCANARY-outside"; done
	echo HCCANARY-secret > "$O/secret"
	echo HCCANARY-private > "$O/private"
	echo HCCANARY-beside > "$O/moved/beside-secret"
	echo HCCANARY-top > "$T/secret-top"
	setfattr -n user.canary -v 1 "$O/secret" 2> /dev/null
	chown "$SHADOW_USER:$SHADOW_USER" "$O" "$O/moved" "$O/mvslot" "$O/secret" "$O/private" \
		"$O/moved/beside-secret" "$T/secret-top"
	chmod 0777 "$O" "$O/moved" "$O/mvslot"
	chmod 0666 "$O/secret" "$O/moved/beside-secret" "$T/secret-top"
	chmod 0600 "$O/private"
	mount -t proc proc "$E/proc"
	sync
}

# run_suite LABEL BINARY MODE: LABEL is old (protocol version 2) or new, MODE user or root
run_suite() {
	local label=$1 bin=$2 mode=$3 opts out=$W/$1-$3.out log=$W/$1-$3.log proto=3
	[ "$label" = old ] && proto=2
	RUN_ESC='' RUN_ERR='' RUN_ATT='' OUT=$out
	: > "$out"
	truncate -s 32M "$T/fs.img"
	# one block group (4 KiB blocks): inode numbers come back in order
	mkfs.ext4 -q -F -b 4096 -N 256 "$T/fs.img" > "$W/mkfs.log" 2>&1 &&
		LOOP=$(losetup -f --show "$T/fs.img") && mount "$LOOP" "$M" || {
		not_ok "$label $mode: set up the loop image" "$(cat "$W/mkfs.log")"
		teardown_run
		return 1
	}
	LOOP_MAJ=$((0x$(stat -c %t "$LOOP"))) LOOP_MIN=$((0x$(stat -c %T "$LOOP")))
	populate
	if [ "$mode" = user ]; then opts=(--user "$SHADOW_USER"); else opts=(--allow-root); fi
	HCCANARY_HOSTCALLD=HCCANARY-hostcalld-environment \
		"$bin" --socket "$C/hc.sock" --socket-mode 0666 --root "$M/export" "${opts[@]}" \
		> "$log" 2>&1 &
	DAEMON=$!
	if ! hostcalld_wait "$C/hc.sock" "$DAEMON"; then
		not_ok "$label $mode: hostcalld starts" "$(cat "$log")"
		teardown_run
		return 1
	fi
	HCCANARY_ENV=HCCANARY-environment timeout -k 5 150 "$C/escape" --top "$T" --mnt "$M" \
		--chroot "$C" --mode "$mode" --client "$CLIENT_IDS" --shadow "$SHADOW_IDS" \
		--loop "$LOOP_MAJ:$LOOP_MIN" --proto "$proto" > "$out" 2>&1
	echo "# driver exit status $?" >> "$out"
	teardown_run
	RUN_ATT=$(sed -n 's/^escape suite: \([0-9]*\) attempts, [0-9]* escapes$/\1/p' "$out")
	RUN_ESC=$(sed -n 's/^escape suite: [0-9]* attempts, \([0-9]*\) escapes$/\1/p' "$out")
	RUN_ERR=$(sed -n 's/^# test errors: \([0-9]*\);.*/\1/p' "$out")
	[ -n "$RUN_ESC" ] && [ -n "$RUN_ERR" ]
}

# ---- the old hostcalld must escape: a test of the suite itself ----

if [ -n "$OLD_BIN" ]; then
	for mode in user root; do
		if run_suite old "$OLD_BIN" "$mode"; then
			sed 's/^/# old --'"$mode"': /' "$OUT"
			if [ "$RUN_ESC" -gt 0 ]; then
				ok "the suite finds escapes in the old hostcalld ($mode shadows): $RUN_ATT attempts, $RUN_ESC escapes"
			else
				not_ok "the suite finds escapes in the old hostcalld ($mode shadows)" \
					"$(cat "$OUT")"
			fi
			if [ "$mode" = user ]; then
				line=$(grep -- '- inode-number reuse' "$OUT")
				case $line in
				"not ok - "*", 0 escapes"*|"ok - "*|"")
					not_ok "the inode-reuse attack escapes in the old hostcalld" "$line" ;;
				*) ok "the inode-reuse attack escapes in the old hostcalld" ;;
				esac
			fi
		else
			not_ok "the suite runs against the old hostcalld ($mode shadows)" \
				"$(cat "${OUT:-/dev/null}" 2> /dev/null)"
		fi
	done
else
	echo "# old hostcalld: skipped: ${OLD_SKIP:-it did not build}"
fi

# ---- build/hostcalld must not ----

if [ ! -x "$HOSTCALLD" ]; then
	not_ok "$HOSTCALLD exists (run make first)"
else
	for mode in user root; do
		if run_suite new "$HOSTCALLD" "$mode"; then
			while IFS= read -r line; do
				case $line in
				"ok - "*) ok "[$mode shadows] ${line#ok - }" ;;
				"not ok - "*) not_ok "[$mode shadows] ${line#not ok - }" ;;
				*) echo "$line" ;;
				esac
			done < "$OUT"
			if [ "$RUN_ESC" = 0 ] && [ "$RUN_ERR" = 0 ]; then
				ok "build/hostcalld ($mode shadows): $RUN_ATT attempts, 0 escapes"
			else
				not_ok "build/hostcalld ($mode shadows): $RUN_ATT attempts, $RUN_ESC escapes, $RUN_ERR test errors"
			fi
		else
			not_ok "the suite runs against build/hostcalld ($mode shadows)" \
				"$(cat "${OUT:-/dev/null}" 2> /dev/null)"
		fi
	done
fi

echo "# escape suite: $(($(date +%s) - START)) s"
echo "$((N - FAIL)) passed, $FAIL failed"
[ "$FAIL" = 0 ]
