#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Integration tests: real programs under libhostcall.so, through hostcalld instances of our own, compared with the same programs run natively on the same tree.
#
# Runs as root (creates the users hctest_a and hctest_b and removes them
# again) or as an ordinary user (then the cross-user and --user cases are
# skipped, with the reason printed). Everything lives in one mktemp -d
# directory; the EXIT trap stops every hostcalld and client it started,
# unmounts, removes the users and the files it made outside that directory.
#
# Output: "ok N - name" / "not ok N - name" with "# " diagnostics, then
# "P passed, F failed[, S skipped]". Exit status 1 if anything failed.
#
# Environment: HOSTCALLD, SHIM (paths of the binaries under test, default
# build/), PROBE, HCRAW (the test helpers, default build/tests/; make
# test-helpers), HC_TEST_TIMEOUT (seconds one command may take, default 20).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HOSTCALLD=${HOSTCALLD:-$ROOT/build/hostcalld}
SHIM=${SHIM:-$ROOT/build/libhostcall.so}
PROBE=${PROBE:-$ROOT/build/tests/probe}
HCRAW=${HCRAW:-$ROOT/build/tests/hcraw}
. "$ROOT/tests/lib/hostcalld.sh"
TAP_DIAG_LINES=80
. "$ROOT/tests/lib/tap.sh"
TIMEOUT=${HC_TEST_TIMEOUT:-20}
unset HOSTCALL_PREFIX HOSTCALL_DEBUG HOSTCALL_SOCKET HOSTCALL_CWD
export LC_ALL=C TZ=UTC

N=0 PASS=0 FAIL=0 SKIP=0
DAEMONS=()		# pids of the hostcalld instances started here
CLIENTS=()		# pids of background clients started here
MOUNTS=()		# mount points to unmount
OUTSIDE=()		# files and directories made outside $T, removed at exit
TESTUSERS=(hctest_a hctest_b)
IS_ROOT=0
[ "$(id -u)" = 0 ] && IS_ROOT=1

# Runs as root share the users hctest_a and hctest_b: one at a time. (The
# long-lived children, hostcalld and held clients, do not inherit the lock.)
if [ "$IS_ROOT" = 1 ]; then
	exec 9> /tmp/hostcall-integration.lock
	if ! flock -n 9; then
		echo "# another run of this suite holds /tmp/hostcall-integration.lock: waiting"
		flock -w 900 9 || { echo "# gave up waiting for the lock" >&2; exit 1; }
	fi
fi

T=$(mktemp -d /tmp/hostcall-it.XXXXXX) || { echo "mktemp failed" >&2; exit 1; }

# ---- cleanup ----

# Pids of processes whose command line names $T (hostcalld instances and
# their shadows: each was started with a socket path under $T).
procs_naming_T() {
	pgrep -f -- "--socket $T/" || true
}

cleanup() {
	local p m i u
	stop_clients
	for p in "${DAEMONS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for i in 1 2 3 4 5 6 7 8 9 10; do
		[ -z "$(procs_naming_T)" ] && break
		sleep 0.2
	done
	for p in $(procs_naming_T); do
		echo "# cleanup: killing leftover process $p: $(tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null)" >&2
		kill -KILL "$p" 2>/dev/null
	done
	for m in "${MOUNTS[@]}"; do
		umount -l "$m" 2>/dev/null
	done
	for ((i = ${#OUTSIDE[@]} - 1; i >= 0; i--)); do
		rm -rf -- "${OUTSIDE[$i]}"
	done
	rm -rf -- "$T"
	if [ "$IS_ROOT" = 1 ]; then
		for u in "${TESTUSERS[@]}"; do
			id -u "$u" >/dev/null 2>&1 || continue
			# only this script runs as these users: what is left is ours
			for p in $(pgrep -u "$u"); do
				echo "# cleanup: killing leftover process $p of $u: $(tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null)" >&2
				kill -KILL "$p" 2>/dev/null
			done
			userdel "$u" 2>/dev/null || sleep 0.5
			id -u "$u" >/dev/null 2>&1 && { userdel "$u" || echo "# cleanup: userdel $u failed" >&2; }
		done
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---- reporting ----




# check NAME DIAG CMD...: ok if CMD succeeds, else not ok with DIAG
check() {
	local name=$1 diag=$2
	shift 2
	if "$@"; then ok "$name"; else not_ok "$name" "$diag"; fi
}

# expect STATUS NAME DIAG: ok if STATUS is 0 (use: COND; expect $? NAME DIAG)
expect() {
	local rc=$1
	shift
	if [ "$rc" = 0 ]; then ok "$1"; else not_ok "$@"; fi
}

# compare NAME NATIVE SHIM: the two files must be identical and not empty
compare() {
	if [ ! -s "$2" ]; then
		not_ok "$1" "native output is empty, so nothing was compared" \
			"shim output:" "$(head -n 20 "$3")"
	elif diff -u --label native --label shim "$2" "$3" > "$T/diff" 2>&1; then
		ok "$1"
	else
		not_ok "$1" "$(cat "$T/diff")"
	fi
}

# ---- running programs ----

# run_as USER SOCKET CMD...: run CMD as USER ("" = as we are), under the shim
# talking to SOCKET ("" = natively), with a time limit.
run_as() {
	local user=$1 sock=$2 pre=()
	shift 2
	[ -n "$user" ] && pre=(setpriv --reuid="$user" --regid="$user" --init-groups --)
	[ -n "$sock" ] && pre+=(env LD_PRELOAD="$SHIM" HOSTCALL_SOCKET="$sock")
	timeout -k 2 "$TIMEOUT" "${pre[@]}" "$@"
}

# The same-user comparisons run both sides as $U against the main instance.
run_native() { run_as "$U" "" "$@"; }
run_shim() { run_as "$U" "$SOCK" "$@"; }

# A shim's view of $T is /host$T: map it back so outputs compare.
norm() { sed -e "s|/host$T|$T|g"; }

# snap DIR [notimes]: every entry below DIR (type, mode, size, links, owner,
# group, mtime, symlink target) and every file's checksum, read as root.
snap() {
	local fmt='%P|%y|%#m|%s|%n|%u|%g|%T@|%l\n'
	[ "${2:-}" = notimes ] && fmt='%P|%y|%#m|%s|%n|%u|%g|%l\n'
	(cd "$1" && find . -mindepth 1 -printf "$fmt" | sort &&
		find . -type f -print0 | sort -z | xargs -0r sha256sum &&
		if [ "$XATTR_OK" = 1 ]; then
			find . -mindepth 1 -print0 | sort -z |
				xargs -0r getfattr -h -d -m - --absolute-names 2>/dev/null
		fi) 2>&1
}

# start_hostcalld SOCKET ARGS...: start an instance, wait until it accepts
# connections; sets HPID. Its log is SOCKET.log.
start_hostcalld() {
	local sock=$1
	shift
	"$HOSTCALLD" --socket "$sock" "$@" > "$sock.log" 2>&1 9>&- &
	HPID=$!
	DAEMONS+=("$HPID")
	hostcalld_wait "$sock" "$HPID"
}

# stop_hostcalld PID SOCKET: SIGTERM; then no process may name SOCKET.
# Prints what went wrong; returns non-zero then.
stop_hostcalld() {
	local pid=$1 sock=$2 i left rc=0
	kill -TERM "$pid" 2>/dev/null || { echo "hostcalld $pid was already gone"; rc=1; }
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "hostcalld $pid still runs 5 s after SIGTERM"
		rc=1
	fi
	wait "$pid" 2>/dev/null
	left=$(pgrep -f -- "--socket $sock( |\$)")
	if [ -n "$left" ]; then
		echo "processes left after SIGTERM:"
		ps -o pid,ppid,user,args -p "$(echo $left | tr ' ' ',')"
		rc=1
	fi
	return $rc
}

# hold_subject SOCKET USER FILE READY: a background client that opens FILE
# through the shim (so it has a subject and a shadow) and waits.
hold_subject() {
	local pre=()
	[ -n "$2" ] && pre=(setpriv --reuid="$2" --regid="$2" --init-groups --)
	# its own process group (setsid), so that stop_clients ends all of it
	setsid "${pre[@]}" env LD_PRELOAD="$SHIM" HOSTCALL_SOCKET="$1" \
		sh -c 'exec 3< "$1" && echo held > "$2"; sleep 30; :' sh "$3" "$4" \
		> /dev/null 2>&1 9>&- &
	CLIENTS+=("$!")
	wait_for_file "$4"
}

wait_for_file() {
	local i
	for i in $(seq 100); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# term_with_subject NAME PID SOCKET USER FILE: with a client (as USER) holding
# FILE open through the shim, SIGTERM hostcalld: its shadows must be gone.
term_with_subject() {
	local name=$1 pid=$2 sock=$3 shadows diag rc p
	hold_subject "$sock" "$4" "$5" "$O/held.$pid"
	shadows=$(hostcalld_shadows "$pid" | tr '\n' ' ')
	diag=$(stop_hostcalld "$pid" "$sock"); rc=$?
	for p in $shadows; do
		[ -d "/proc/$p" ] && { diag+=" shadow $p still runs"; rc=1; }
	done
	if [ -z "$shadows" ]; then
		diag+=" (no shadow existed before SIGTERM, though a client held a file)"
		rc=1
	fi
	stop_clients
	expect $rc "$name (shadows were: ${shadows:-none})" "$diag"
}

stop_clients() {
	local p
	for p in "${CLIENTS[@]}"; do
		kill -KILL -- "-$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	CLIENTS=()
}

# ---- set-up ----

echo "# hostcall integration tests in $T"
if [ ! -x "$HOSTCALLD" ] || [ ! -f "$SHIM" ]; then
	not_ok "build present" "missing $HOSTCALLD or $SHIM: run make all"
	echo "$PASS passed, $FAIL failed"
	exit 1
fi
if ! why=$(helper_check "$PROBE" "$ROOT/tests/integration/probe.c" &&
	    helper_check "$HCRAW" "$ROOT/tests/integration/hcraw.c"); then
	not_ok "test helpers present" "$why"
	echo "$PASS passed, $FAIL failed"
	exit 1
fi
chmod 0755 "$T"
cd "$T" || exit 1
mkdir -p "$T/run"

if [ "$IS_ROOT" = 1 ]; then
	for u in "${TESTUSERS[@]}"; do
		id -u "$u" >/dev/null 2>&1 ||
			useradd --system --no-create-home --home-dir /nonexistent \
				--shell /usr/sbin/nologin "$u" ||
			{ echo "useradd $u failed" >&2; exit 1; }
	done
	# The same-user comparisons run as this unprivileged user, on a tree it
	# owns, natively and through a hostcalld --user hctest_b: root would pass
	# every permission check and hide what the host kernel decides.
	U=hctest_b
	USER_ARGS=(--user hctest_b)
else
	U=""
	USER_ARGS=()
	echo "# not root: the cross-user and --user cases are skipped"
fi

# The tree both sides look at. Fixed times, so that times compare exactly.
TREE=$T/tree
W=$T/work
BIG=$T/big
mkdir -p "$TREE/sub/deeper" "$TREE/emptydir" "$W" "$BIG"
printf 'hello, host\n' > "$TREE/hello.txt"
: > "$TREE/empty"
head -c 100000 /dev/urandom > "$TREE/bin.dat"
printf 'spaces\n' > "$TREE/name with spaces.txt"
printf 'read-only\n' > "$TREE/ro.txt"
printf '#!/bin/sh\necho run\n' > "$TREE/exec.sh"
printf 'private\n' > "$TREE/private.txt"
printf 'in sub\n' > "$TREE/sub/f.txt"
printf 'hidden\n' > "$TREE/sub/.hidden"
printf 'deep\n' > "$TREE/sub/deeper/g.txt"
ln -s sub/f.txt "$TREE/link-rel"
ln -s "$TREE/hello.txt" "$TREE/link-abs"
ln -s nowhere "$TREE/link-dangling"
ln -s sub "$TREE/dirlink"
ln "$TREE/hello.txt" "$TREE/hard.txt"
mkfifo "$TREE/fifo"
printf 'sparse' | dd of="$TREE/sparse" bs=1 seek=1048576 conv=notrunc status=none
chmod 0444 "$TREE/ro.txt"
chmod 0755 "$TREE/exec.sh"
chmod 0600 "$TREE/private.txt"
chmod 0750 "$TREE/sub/deeper"
# extended attributes and an ACL, where the file system has them
XATTR_OK=0
if setfattr -n user.hostcall -v "tree value" "$TREE/hello.txt" 2>/dev/null &&
   setfacl -m u:nobody:r "$TREE/sub/f.txt" 2>/dev/null; then
	XATTR_OK=1
else
	echo "# no user xattrs or ACLs here: those parts are left out"
fi
find "$TREE" -depth -exec touch -h -d '2021-03-04 05:06:07.123456789' {} +
touch -h -d '2019-12-31 23:59:59.5' "$TREE/link-abs" "$TREE/sub"
head -c 64M /dev/urandom > "$BIG/big.bin"
if [ -n "$U" ]; then
	chown -R -h "$U:$U" "$TREE" "$W" "$BIG"
fi

SOCK=$T/run/main.sock
if start_hostcalld "$SOCK" "${USER_ARGS[@]}" --socket-mode 0666; then
	MAINPID=$HPID
	ok "hostcalld starts on $SOCK"
else
	MAINPID=$HPID
	not_ok "hostcalld starts on $SOCK" "$(cat "$SOCK.log")"
fi

# ---- same user: each program natively and under the shim ----

O=$T/out
mkdir -p "$O"
chmod 0777 "$O"

# cat
files=(hello.txt bin.dat "name with spaces.txt" sub/deeper/g.txt link-rel empty sparse)
: > "$O/cat.n"; : > "$O/cat.s"
for f in "${files[@]}"; do
	run_native cat "$TREE/$f" >> "$O/cat.n" 2>&1
	run_shim cat "/host$TREE/$f" >> "$O/cat.s" 2>&1
done
if cmp "$O/cat.n" "$O/cat.s" > "$O/cat.cmp" 2>&1 && [ -s "$O/cat.n" ]; then
	ok "cat: ${#files[@]} files byte for byte"
else
	not_ok "cat: ${#files[@]} files byte for byte" "$(cat "$O/cat.cmp")" \
		"shim output starts:" "$(head -c 300 "$O/cat.s" | cat -v)"
fi

# ls -la, with inodes and full times
run_native ls -laiR --time-style=full-iso "$TREE" > "$O/ls.n" 2>&1
run_shim ls -laiR --time-style=full-iso "/host$TREE" 2>&1 | norm > "$O/ls.s"
compare "ls -laiR --time-style=full-iso" "$O/ls.n" "$O/ls.s"

# stat: every field but the mount point, with and without -L
SFMT='%n|%N|%a|%A|%b|%B|%d|%D|%f|%F|%g|%G|%h|%i|%s|%t|%T|%u|%U|%w|%W|%x|%X|%y|%Y|%z|%Z|%o\n'
mapfile -t entries < <(cd "$TREE" && find . -mindepth 1 | sort)
: > "$O/stat.n"; : > "$O/stat.s"
for e in "${entries[@]}"; do
	run_native stat --printf="$SFMT" "$TREE/$e" >> "$O/stat.n" 2>&1
	run_native stat -L --printf="$SFMT" "$TREE/$e" >> "$O/stat.n" 2>&1
	run_shim stat --printf="$SFMT" "/host$TREE/$e" 2>&1 | norm >> "$O/stat.s"
	run_shim stat -L --printf="$SFMT" "/host$TREE/$e" 2>&1 | norm >> "$O/stat.s"
done
compare "stat and stat -L of ${#entries[@]} entries, every field" "$O/stat.n" "$O/stat.s"

# statfs: the fields that do not move while the tests write
FFMT='%b|%c|%i|%l|%s|%S|%t|%T\n'
run_native stat -f --printf="$FFMT" "$TREE" "$TREE/hello.txt" > "$O/statfs.n" 2>&1
run_shim stat -f --printf="$FFMT" "/host$TREE" "/host$TREE/hello.txt" > "$O/statfs.s" 2>&1
compare "stat -f (statfs)" "$O/statfs.n" "$O/statfs.s"

# find, in directory order (the same getdents stream on both sides)
FIND='%p|%y|%s|%m|%n|%u|%l\n'
{ run_native find "$TREE" -printf "$FIND"
  run_native find "$TREE" -depth -name '*.txt' -type f -printf '%p %s\n'
  run_native find -L "$TREE" -xtype l -printf '%p\n'; } > "$O/find.n" 2>&1
{ run_shim find "/host$TREE" -printf "$FIND"
  run_shim find "/host$TREE" -depth -name '*.txt' -type f -printf '%p %s\n'
  run_shim find -L "/host$TREE" -xtype l -printf '%p\n'; } 2>&1 | norm > "$O/find.s"
compare "find -printf (name, type, size, mode), -depth -name, -L" "$O/find.n" "$O/find.s"

# du
DU=("-s" "-a --apparent-size" "-a -B1" "-ak" "-s -b" "-a --inodes")
: > "$O/du.n"; : > "$O/du.s"
for opts in "${DU[@]}"; do
	# shellcheck disable=SC2086
	run_native du $opts "$TREE" >> "$O/du.n" 2>&1
	# shellcheck disable=SC2086
	run_shim du $opts "/host$TREE" 2>&1 | norm >> "$O/du.s"
done
compare "du -s, -a --apparent-size, -B1, -k, -b, --inodes" "$O/du.n" "$O/du.s"

# cp -a: within /host, and from /host to a native directory
run_native cp -a "$TREE" "$W/cp-native" > "$O/cp.n" 2>&1
run_shim cp -a "/host$TREE" "/host$W/cp-shim" > "$O/cp.s" 2>&1
run_shim cp -a "/host$TREE" "$W/cp-mixed" > "$O/cpm.s" 2>&1
{ cat "$O/cp.n"; snap "$W/cp-native"; } > "$O/cpsnap.n"
{ cat "$O/cp.s"; snap "$W/cp-shim"; } > "$O/cpsnap.s"
{ cat "$O/cpm.s"; snap "$W/cp-mixed"; } > "$O/cpmixed.s"
compare "cp -a inside /host: modes, owners, times, symlinks, hard links, contents" \
	"$O/cpsnap.n" "$O/cpsnap.s"
compare "cp -a from /host to a native directory" "$O/cpsnap.n" "$O/cpmixed.s"

# tar cf of a /host tree; tar xf into a /host directory
run_native tar cf "$W/native.tar" -C "$TREE" . > "$O/tar.n" 2>&1
run_shim tar cf "$W/shim.tar" -C "/host$TREE" . > "$O/tar.s" 2>&1
{ cat "$O/tar.n"; tar tvf "$W/native.tar" --full-time --numeric-owner; } > "$O/tartv.n" 2>&1
{ cat "$O/tar.s"; tar tvf "$W/shim.tar" --full-time --numeric-owner; } > "$O/tartv.s" 2>&1
compare "tar cf of a /host tree: tar tvf listing" "$O/tartv.n" "$O/tartv.s"
check "tar cf of a /host tree: archive identical byte for byte" \
	"$(cmp "$W/native.tar" "$W/shim.tar" 2>&1)" cmp -s "$W/native.tar" "$W/shim.tar"
mkdir -p "$W/x-native" "$W/x-shim"
[ -n "$U" ] && chown "$U:$U" "$W/x-native" "$W/x-shim"
{ run_native tar xf "$W/native.tar" -C "$W/x-native" 2>&1; snap "$W/x-native"; } > "$O/tarx.n"
{ run_shim tar xf "$W/native.tar" -C "/host$W/x-shim" 2>&1; snap "$W/x-shim"; } > "$O/tarx.s"
compare "tar xf into a /host directory" "$O/tarx.n" "$O/tarx.s"

# sha256sum of 64 MiB
run_native sha256sum "$BIG/big.bin" | cut -d' ' -f1 > "$O/sha.n"
run_shim sha256sum "/host$BIG/big.bin" 2>&1 | cut -d' ' -f1 > "$O/sha.s"
if grep -qE '^[0-9a-f]{64}$' "$O/sha.n"; then
	compare "sha256sum of a 64 MiB file" "$O/sha.n" "$O/sha.s"
else
	not_ok "sha256sum of a 64 MiB file" "native sha256sum failed: $(cat "$O/sha.n")"
fi

# programs that fork and exec under the shim: find -exec, xargs, a subshell,
# an fd opened by the shell and read by its children
PROCS='find "$1" -name "*.txt" -type f -exec cat {} + &&
	find "$1" -maxdepth 1 -type f -print0 | sort -z | xargs -0 -n 2 wc -c &&
	exec 3< "$1/hello.txt" && (cat <&3) && (cd "$1/sub" && cat f.txt) && ls "$1" | wc -l'
run_native bash -c "$PROCS" bash "$TREE" > "$O/procs.n" 2>&1
run_shim bash -c "$PROCS" bash "/host$TREE" 2>&1 | norm > "$O/procs.s"
compare "fork and exec under the shim: find -exec, xargs, subshells, inherited fds" \
	"$O/procs.n" "$O/procs.s"

# many clients at once, and a directory of 3000 entries
mkdir -p "$W/many"
for i in $(seq 3000); do : > "$W/many/entry-$i"; done
[ -n "$U" ] && chown -R "$U:$U" "$W/many"
pids=()
for i in $(seq 8); do
	run_shim sh -c 'sha256sum < "$1"; ls "$2" | wc -l' sh "/host$TREE/bin.dat" "/host$W/many" \
		> "$O/par.$i" 2>&1 &
	pids+=("$!")
done
wait "${pids[@]}"
{ sha256sum < "$TREE/bin.dat"; ls "$W/many" | wc -l; } > "$O/par.n"
: > "$O/par.s"
for i in $(seq 8); do
	cmp -s "$O/par.n" "$O/par.$i" || { echo "client $i:"; cat "$O/par.$i"; } >> "$O/par.s"
done
[ ! -s "$O/par.s" ]
expect $? "8 clients at once, each reading a file and a 3000-entry directory" "$(cat "$O/par.s")"

# twin directories for the programs that change a tree
twins() {
	local name=$1
	mkdir -p "$W/$name-n" "$W/$name-s"
	cp -a "$TREE/." "$W/$name-n/"
	cp -a "$TREE/." "$W/$name-s/"
	[ -n "$U" ] && chown -R -h "$U:$U" "$W/$name-n" "$W/$name-s"
}

# mv: a file and a directory, both renamed in place (the inode stays)
twins mv
ino_before=$(stat -c %i "$W/mv-s/sub/f.txt")
{ run_native mv "$W/mv-n/sub/f.txt" "$W/mv-n/renamed.txt"
  run_native mv "$W/mv-n/sub/deeper" "$W/mv-n/moved-dir"
  run_native mv "$W/mv-n/link-rel" "$W/mv-n/emptydir/"; } > "$O/mv.n" 2>&1
{ run_shim mv "/host$W/mv-s/sub/f.txt" "/host$W/mv-s/renamed.txt"
  run_shim mv "/host$W/mv-s/sub/deeper" "/host$W/mv-s/moved-dir"
  run_shim mv "/host$W/mv-s/link-rel" "/host$W/mv-s/emptydir/"; } 2>&1 | norm > "$O/mv.s"
snap "$W/mv-n" notimes >> "$O/mv.n"
snap "$W/mv-s" notimes | sed 's|mv-s|mv-n|g' >> "$O/mv.s"
ino_after=$(stat -c %i "$W/mv-s/renamed.txt" 2>/dev/null)
if [ "$ino_before" != "$ino_after" ]; then
	echo "inode of the moved file changed: $ino_before -> $ino_after (copied, not renamed)" >> "$O/mv.s"
fi
compare "mv of a file, a directory and a symlink" "$O/mv.n" "$O/mv.s"

# rm -r: a nested tree with a read-only file and a symlink out of it
twins rm
mkdir -p "$W/keep"
echo kept > "$W/keep/file"
for s in n s; do
	ln -s "$W/keep" "$W/rm-$s/sub/deeper/out"
	[ -n "$U" ] && chown -h "$U:$U" "$W/rm-$s/sub/deeper/out"
done
{ run_native rm -r "$W/rm-n/sub" "$W/rm-n/link-dangling" "$W/rm-n/ro.txt" 2>&1
  snap "$W/rm-n" notimes; cat "$W/keep/file"; } > "$O/rm.n"
{ run_shim rm -r "/host$W/rm-s/sub" "/host$W/rm-s/link-dangling" "/host$W/rm-s/ro.txt" 2>&1 | norm
  snap "$W/rm-s" notimes; cat "$W/keep/file"; } > "$O/rm.s" 2>&1
compare "rm -r of a tree, a symlink and a read-only file" "$O/rm.n" "$O/rm.s"

# mkdir -p
mkdir -p "$W/mk-n" "$W/mk-s"
[ -n "$U" ] && chown "$U:$U" "$W/mk-n" "$W/mk-s"
{ run_native mkdir -p -m 0750 "$W/mk-n/a/b/c"
  run_native mkdir -p "$W/mk-n/a/b/c" "$W/mk-n/a/x"
  run_native mkdir "$W/mk-n/a"; } > "$O/mk.n" 2>&1
{ run_shim mkdir -p -m 0750 "/host$W/mk-s/a/b/c"
  run_shim mkdir -p "/host$W/mk-s/a/b/c" "/host$W/mk-s/a/x"
  run_shim mkdir "/host$W/mk-s/a"; } 2>&1 | norm | sed 's|mk-s|mk-n|g' > "$O/mk.s"
snap "$W/mk-n" notimes >> "$O/mk.n"
snap "$W/mk-s" notimes >> "$O/mk.s"
compare "mkdir -p -m, and mkdir of an existing directory" "$O/mk.n" "$O/mk.s"

# ln -s, ln, readlink, readlink -f
mkdir -p "$W/ln-n" "$W/ln-s"
echo target > "$W/ln-n/file"; echo target > "$W/ln-s/file"
[ -n "$U" ] && chown -R "$U:$U" "$W/ln-n" "$W/ln-s"
for s in n s; do
	if [ $s = n ]; then p=""; r=run_native; else p=/host; r=run_shim; fi
	{ $r ln -s ../../tree/hello.txt "$p$W/ln-$s/rel"
	  $r ln -s /no/such/target "$p$W/ln-$s/dangling"
	  $r ln -s file "$p$W/ln-$s/local"
	  $r ln "$p$W/ln-$s/file" "$p$W/ln-$s/hard"
	  $r ln -s x "$p$W/ln-$s/rel"
	  $r readlink "$p$W/ln-$s/rel" "$p$W/ln-$s/dangling" "$p$W/ln-$s/local"
	  $r readlink -f "$p$W/ln-$s/rel" "$p$W/ln-$s/local"
	  $r realpath "$p$W/ln-$s/rel" "$p$W/ln-$s/../ln-$s/./local"
	  $r realpath -e "$p$W/ln-$s/dangling"
	  $r cat "$p$W/ln-$s/rel"; } 2>&1 | norm | sed "s|ln-$s|ln-X|g" > "$O/ln.$s"
	snap "$W/ln-$s" notimes >> "$O/ln.$s"
done
compare "ln -s, ln, readlink, readlink -f, realpath" "$O/ln.n" "$O/ln.s"

# touch -d: existing file, new file, symlink itself (-h), -a and -m
twins touch
D='2001-02-03 04:05:06.123456789'
for s in n s; do
	if [ $s = n ]; then p=""; r=run_native; else p=/host; r=run_shim; fi
	{ $r touch -d "$D" "$p$W/touch-$s/hello.txt" "$p$W/touch-$s/new-file"
	  $r touch -h -d '1999-09-09 09:09:09' "$p$W/touch-$s/link-abs"
	  $r touch -a -d '2002-02-02 02:02:02.5' "$p$W/touch-$s/ro.txt"
	  $r touch -m -d '2003-03-03 03:03:03.25' "$p$W/touch-$s/sub"
	  stat --printf='%n|%U|%G|%a|%s|%x|%X|%y|%Y\n' "$W/touch-$s"/{hello.txt,new-file,link-abs,ro.txt}
	  # (a directory's atime moves whenever it is read: only its mtime here)
	  stat --printf='%n|%U|%G|%a|%y|%Y\n' "$W/touch-$s/sub"; } 2>&1 |
		sed "s|touch-$s|touch-X|" > "$O/touch.$s"
done
compare "touch -d, -h, -a, -m (then stat)" "$O/touch.n" "$O/touch.s"
got=$(stat -c '%Y %y' "$W/touch-s/new-file" 2>&1)
check "touch -d through /host sets exactly the given time" \
	"stat says $got, want 981173106 2001-02-03 04:05:06.123456789 +0000" \
	[ "$got" = "981173106 2001-02-03 04:05:06.123456789 +0000" ]

# xattrs and ACLs: set and removed through /host, read back both ways
if [ "$XATTR_OK" = 1 ]; then
	twins xattr
	for s in n s; do
		if [ $s = n ]; then p=""; r=run_native; else p=/host; r=run_shim; fi
		d=$p$W/xattr-$s
		{ $r setfattr -n user.new -v "new value" "$d/ro.txt" "$d/emptydir"
		  $r setfattr -n user.hostcall -v "changed" "$d/hello.txt"
		  $r setfattr -x user.hostcall "$d/hard.txt"
		  $r setfattr -x user.none "$d/empty"
		  $r setfacl -m u:nobody:rw,g::r "$d/exec.sh"
		  $r setfacl -x u:nobody "$d/sub/f.txt"
		  $r getfattr -d -m - --absolute-names "$d/hello.txt" "$d/ro.txt" "$d/emptydir"
		  $r getfacl -p "$d/exec.sh" "$d/sub/f.txt"
		  $r ls -l "$d/exec.sh" "$d/sub/f.txt"; } 2>&1 | norm | sed "s|xattr-$s|xattr-X|g" > "$O/xattr.$s"
		snap "$W/xattr-$s" notimes >> "$O/xattr.$s"
	done
	compare "setfattr, getfattr, setfacl, getfacl, ls -l (+)" "$O/xattr.n" "$O/xattr.s"
else
	skip "setfattr, getfattr, setfacl, getfacl, ls -l (+)" "no user xattrs or ACLs on $T"
fi

# editing in place: sed -i and perl -i make a temporary file beside the
# original (mkstemp) and rename it over the original
mkdir -p "$W/ed-n" "$W/ed-s"
printf 'alpha\nbeta\ngamma\n' | tee "$W/ed-n/f" > "$W/ed-s/f"
[ -n "$U" ] && chown -R "$U:$U" "$W/ed-n" "$W/ed-s"
for s in n s; do
	if [ $s = n ]; then p=""; r=run_native; else p=/host; r=run_shim; fi
	{ $r sed -i 's/beta/BETA/' "$p$W/ed-$s/f"; echo "sed exit $?"
	  $r perl -pi -e 's/gamma/GAMMA/' "$p$W/ed-$s/f"; echo "perl exit $?"
	  $r mktemp -p "$p$W/ed-$s" > /dev/null; echo "mktemp exit $?"; } 2>&1 |
		norm | sed "s|ed-$s|ed-X|g" > "$O/ed.$s"
	snap "$W/ed-$s" notimes | sed -E 's/tmp\.[A-Za-z0-9]{10}/tmp.RANDOM/' >> "$O/ed.$s"
done
compare "sed -i, perl -i, mktemp in a /host directory" "$O/ed.n" "$O/ed.s"

# chmod
twins chmod
for s in n s; do
	if [ $s = n ]; then p=""; r=run_native; else p=/host; r=run_shim; fi
	{ $r chmod 0640 "$p$W/chmod-$s/hello.txt"
	  $r chmod -R g+w,o-rx "$p$W/chmod-$s/sub"
	  $r chmod u+s,g+s "$p$W/chmod-$s/exec.sh"
	  $r chmod 1777 "$p$W/chmod-$s/emptydir"
	  $r chmod 0600 "$p$W/chmod-$s/link-abs"
	  $r chmod 0755 "$p$W/chmod-$s/no-such-file"; } 2>&1 | norm | sed "s|chmod-$s|chmod-X|g" > "$O/chmod.$s"
	snap "$W/chmod-$s" notimes >> "$O/chmod.$s"
done
compare "chmod: octal, symbolic -R, setuid/setgid, sticky, through a symlink" "$O/chmod.n" "$O/chmod.s"

# flock(1): a lock through /host excludes a native one, and the other way
: > "$W/lockfile"
[ -n "$U" ] && chown "$U:$U" "$W/lockfile"
rm -f "$W/lock.ready"
run_shim flock "/host$W/lockfile" sh -c "echo > $W/lock.ready; sleep 2" > "$O/flock1" 2>&1 &
holder=$!
if wait_for_file "$W/lock.ready"; then
	run_native flock -n "$W/lockfile" true; held=$?
	wait "$holder"
	run_native flock -n "$W/lockfile" true; after=$?
	[ "$held" = 1 ] && [ "$after" = 0 ]
	expect $? "flock: a lock taken through /host makes a native flock -n fail, until released" \
		"native flock -n exited $held while held (want 1), $after after release (want 0)"
else
	kill "$holder" 2>/dev/null; wait "$holder"
	not_ok "flock: a lock taken through /host makes a native flock -n fail, until released" \
		"flock through /host never ran its command" "$(cat "$O/flock1")"
fi
rm -f "$W/lock.ready"
run_native flock "$W/lockfile" sh -c "echo > $W/lock.ready; sleep 2" &
holder=$!
wait_for_file "$W/lock.ready"
run_shim flock -n "/host$W/lockfile" true > "$O/flock2" 2>&1; held=$?
wait "$holder"
run_shim flock -n "/host$W/lockfile" true >> "$O/flock2" 2>&1; after=$?
run_shim flock -n -s "/host$W/lockfile" flock -n -s "/host$W/lockfile" true >> "$O/flock2" 2>&1; shared=$?
[ "$held" = 1 ] && [ "$after" = 0 ] && [ "$shared" = 0 ]
expect $? "flock: a native lock makes flock -n through /host fail, until released" \
	"flock -n through /host exited $held while held (want 1), $after after release (want 0), $shared for two shared locks (want 0)" \
	"$(cat "$O/flock2")"

# a subject stalled on a FIFO nobody writes stalls nobody else. The stall is
# shown without /proc/PID/wchan (which may be hidden): half a second after its
# shadow appeared the blocked cat has neither ended nor printed, while another
# client is served; then a writer opening with O_NONBLOCK finds a reader in the
# FIFO (else ENXIO: the shadow never got into the open), and only that
# writer's line ends the cat.
mkfifo "$W/stall"
[ -n "$U" ] && chown "$U:$U" "$W/stall"
shadows_before=$(hostcalld_shadows "$MAINPID" | sort)
run_shim cat "/host$W/stall" > "$O/stall" 2>&1 &
staller=$!
for i in $(seq 40); do
	[ -n "$(comm -13 <(echo "$shadows_before") <(hostcalld_shadows "$MAINPID" | sort))" ] && break
	sleep 0.05
done
sleep 0.5
out=$(TIMEOUT=5 run_shim cat "/host$TREE/hello.txt" 2>&1)
pending=no
kill -0 "$staller" 2>/dev/null && [ ! -s "$O/stall" ] && pending=yes
writer=$(timeout 5 "$PROBE" fifowrite "$W/stall" unblocked 2>&1)
[ "$writer" = ok ] || kill "$staller" 2>/dev/null
wait "$staller"
[ "$out" = "hello, host" ] && [ "$pending" = yes ]
expect $? "a client blocked opening a /host FIFO does not stall another client" \
	"other client: $out; blocked client still blocked meanwhile: $pending"
[ "$pending" = yes ] && [ "$writer" = ok ] && [ "$(cat "$O/stall")" = unblocked ]
expect $? "the blocked /host FIFO open waits for a writer, then reads what it wrote" \
	"blocked until the writer came: $pending; writer (O_NONBLOCK): $writer" \
	"blocked client, after the write: $(cat "$O/stall")"

# malformed requests, sent without the shim: an error reply each, no crash
run_as "$U" "" "$HCRAW" "$SOCK" malformed > "$O/malformed.s" 2>&1
cat > "$O/malformed.n" <<EOF
path without NUL: Bad message
truncated body: Bad message
4 GiB blob: Bad message
wrapping string length: Bad message
unknown op 999: Function not implemented
op 0: Function not implemented
reply flag on a request: Bad message
fd count without fds: Bad message
argv count mismatch: Bad message
trailing bytes: Bad message
after them: the shadow still serves
after header garbage: hostcalld still serves
EOF
compare "malformed requests get EBADMSG/ENOSYS replies; shadow and hostcalld go on serving" \
	"$O/malformed.n" "$O/malformed.s"

# getcwd: cd into /host, then the shell's and /bin/pwd's idea, and relative
# paths, in dash and in bash (each builds the environment of what it runs)
: > "$O/cwd.n"; : > "$O/cwd.s"
for sh in sh bash; do
	run_shim $sh -c "cd /host$TREE/sub && pwd && /bin/pwd && cat f.txt && ls -a && cd deeper && cat g.txt ../f.txt && /bin/pwd" \
		>> "$O/cwd.s" 2>&1
	printf '/host%s\n' "$TREE/sub" "$TREE/sub" >> "$O/cwd.n"
	(cd "$TREE/sub" && cat f.txt && ls -a && cat deeper/g.txt f.txt) >> "$O/cwd.n"
	printf '/host%s\n' "$TREE/sub/deeper" >> "$O/cwd.n"
done
compare "cd /host/...: pwd, /bin/pwd, relative cat and ls (dash, bash)" "$O/cwd.n" "$O/cwd.s"

# fork: a child has its own subject, so its cd leaves its parent's host cwd
: > "$O/fork.n"; : > "$O/fork.s"
for sh in sh bash; do
	run_shim $sh -c "cd /host$TREE && (cd sub && cat f.txt && /bin/pwd) && cat hello.txt && /bin/pwd &&
		{ cd sub/deeper & wait; } && cat hello.txt" >> "$O/fork.s" 2>&1
	printf '%s\n' "in sub" "/host$TREE/sub" "hello, host" "/host$TREE" "hello, host" >> "$O/fork.n"
done
compare "fork: a subshell's cd does not move the parent's host cwd (dash, bash)" "$O/fork.n" "$O/fork.s"
out=$(run_shim "$PROBE" forkat "/host$TREE/sub" deeper/g.txt 2>&1)
check "fork: the child uses a /host directory fd its parent opened (openat)" \
	"child printed: $out" [ "$out" = deep ]

# executing a /host program: refused (EACCES), as libhostcall documents;
# host programs run on the host through dosh or hc_spawn()
{ run_shim env "/host$TREE/exec.sh"; echo "exit $?"
  run_shim sh -c "/host$TREE/exec.sh"; echo "exit $?"
  run_shim sh -c "cd /host$TREE && ./exec.sh"; echo "exit $?"; } 2>&1 | norm > "$O/exec.s"
cat > "$O/exec.n" <<EOF
env: '$TREE/exec.sh': Permission denied
exit 126
sh: 1: $TREE/exec.sh: Permission denied
exit 126
sh: 1: ./exec.sh: Permission denied
exit 126
EOF
compare "executing /host/prog fails with EACCES and runs nothing" "$O/exec.n" "$O/exec.s"

# errno: the same failures, natively and through /host
chmod 000 "$W/touch-n/private.txt" "$W/touch-s/private.txt"
errcase() {
	local p=$1 r=$2 d=$3
	$r cat "$p$TREE/no-such-file"; echo "exit $?"
	$r cat "$p$TREE/sub"; echo "exit $?"
	$r cat "$p$TREE/hello.txt/x"; echo "exit $?"
	$r cat "$p$W/$d/private.txt"; echo "exit $?"
	$r mkdir "$p$TREE/sub"; echo "exit $?"
	$r rmdir "$p$TREE/sub"; echo "exit $?"
	$r ls "$p$TREE/no-such-dir"; echo "exit $?"
	$r ln -s x "$p$TREE/hello.txt"; echo "exit $?"
	$r stat -c %n "$p$TREE/link-dangling/x"; echo "exit $?"
	$r cat "$p$W/$d/loop"; echo "exit $?"
	$r cat "$p$TREE/$(printf 'n%.0s' $(seq 300))"; echo "exit $?"
	$r touch "$p$TREE/no-such-dir/new"; echo "exit $?"
	$r rmdir "$p$TREE/hello.txt"; echo "exit $?"
}
for d in touch-n touch-s; do
	ln -s loop "$W/$d/loop"
	[ -n "$U" ] && chown -h "$U:$U" "$W/$d/loop"
done
errcase "" run_native touch-n > "$O/err.n" 2>&1
errcase /host run_shim touch-s 2>&1 | norm | sed 's|touch-s|touch-n|' > "$O/err.s"
compare "errors: ENOENT, EISDIR, ENOTDIR, EACCES, EEXIST, ENOTEMPTY, ELOOP, ENAMETOOLONG as native" \
	"$O/err.n" "$O/err.s"

# EXDEV: a rename or link between /host and a native path
echo x > "$W/exdev"
[ -n "$U" ] && chown "$U:$U" "$W/exdev"
{ run_shim "$PROBE" rename "/host$W/exdev" "$W/exdev-native"
  run_shim "$PROBE" rename "$W/exdev" "/host$W/exdev-2"
  run_shim "$PROBE" link "/host$W/exdev" "$W/exdev-3"
  run_shim "$PROBE" rename "/host$W/exdev" "/host$W/exdev-renamed"
  (cd "$W" && ls -d exdev*); } > "$O/exdev.s" 2>&1
printf '%s\n' "Invalid cross-device link" "Invalid cross-device link" \
	"Invalid cross-device link" ok exdev-renamed > "$O/exdev.n"
compare "EXDEV for rename/link between /host and native paths; rename inside /host works" \
	"$O/exdev.n" "$O/exdev.s"

# /host itself is the host's /; other paths, and /hostile, are not routed
{ run_native stat -c '%i %d %F' /; run_native ls -a / | sort; } > "$O/slash.n" 2>&1
{ run_shim stat -c '%i %d %F' /host; run_shim ls -a /host | sort; } > "$O/slash.s" 2>&1
compare "/host is the host's /" "$O/slash.n" "$O/slash.s"

mkdir -p "$T/hp" "$T/hpile"
echo "native, not routed" > "$T/hpile/f"
chmod -R a+rX "$T/hp" "$T/hpile"
{ echo "native, not routed"; cat "$TREE/hello.txt"; cat "$TREE/hello.txt"; } > "$O/prefix.n"
{ run_as "$U" "$SOCK" env HOSTCALL_PREFIX="$T/hp" cat "$T/hpile/f"
  run_as "$U" "$SOCK" env HOSTCALL_PREFIX="$T/hp" cat "$T/hp$TREE/hello.txt"
  run_shim cat "$TREE/hello.txt"; } > "$O/prefix.s" 2>&1
compare "HOSTCALL_PREFIX: PREFIX/x routed, PREFIXile/x not; native paths untouched" \
	"$O/prefix.n" "$O/prefix.s"
if [ "$IS_ROOT" = 1 ]; then
	HOSTILE=/hostile-hctest.$$
	mkdir "$HOSTILE" && OUTSIDE+=("$HOSTILE")
	echo "a native file under /hostile*" > "$HOSTILE/f"
	chmod -R a+rX "$HOSTILE"
	out=$(run_shim cat "$HOSTILE/f" 2>&1)
	check "$HOSTILE is not routed to the host" "cat gave: $out" \
		[ "$out" = "a native file under /hostile*" ]
else
	skip "/hostile-... is not routed to the host" "not root: cannot make a directory in /"
fi

# hostcalld unreachable: a quick EHOSTUNREACH; HOSTCALL_DEBUG=1 adds one line
NOSOCK=$T/run/none.sock
t0=$(date +%s%N)
run_as "$U" "$NOSOCK" cat /host/etc/hostname > "$O/unreach.out" 2> "$O/unreach.err"
rc=$?
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
other=$(grep -vc '^cat: ' "$O/unreach.err")
[ "$rc" = 1 ] && [ "$ms" -lt 2000 ] && [ "$other" = 0 ] &&
	grep -qx 'cat: /host/etc/hostname: No route to host' "$O/unreach.err"
expect $? "no hostcalld: cat /host/x fails quickly with No route to host" \
	"exit $rc, ${ms} ms, stderr: $(cat "$O/unreach.err")"
run_as "$U" "$NOSOCK" env HOSTCALL_DEBUG=1 cat /host/etc/hostname > /dev/null 2> "$O/unreach.dbg"
other=$(grep -vc '^cat: ' "$O/unreach.dbg")
check "no hostcalld: HOSTCALL_DEBUG=1 prints one line on stderr" \
	"lines besides cat's own: $other; stderr: $(cat "$O/unreach.dbg")" [ "$other" = 1 ]
out=$(run_as "$U" "$NOSOCK" cat "$TREE/hello.txt" 2>&1)
check "no hostcalld: native paths still work under the shim" "cat gave: $out" \
	[ "$out" = "hello, host" ]

# ---- the acceptance of issue 2, as written but on a private socket ----

if [ "$IS_ROOT" = 1 ]; then
	# /etc/printcap: a file, a symlink (CUPS: to /run/cups/printcap), or absent
	PC_CONTENT=$(printf '# hostcall test printcap %s\nhctest|hostcall test:rm=localhost:rp=hctest:\n' "$$")
	if [ -e /etc/printcap ]; then
		:
	elif [ -L /etc/printcap ]; then
		tgt=$(readlink /etc/printcap)
		case $tgt in /*) ;; *) tgt=/etc/$tgt ;; esac
		if [ ! -d "$(dirname "$tgt")" ]; then
			mkdir -p "$(dirname "$tgt")" && OUTSIDE+=("$(dirname "$tgt")")
		fi
		printf '%s\n' "$PC_CONTENT" > "$tgt" && OUTSIDE+=("$tgt")
		chmod 0644 "$tgt"
	else
		printf '%s\n' "$PC_CONTENT" > /etc/printcap && OUTSIDE+=(/etc/printcap)
		chmod 0644 /etc/printcap
	fi
	out=$("$HOSTCALLD" --socket "$T/run/refuse.sock" 2>&1); rc=$?
	[ "$rc" != 0 ] && [ ! -e "$T/run/refuse.sock" ] && [[ $out == *root* ]]
	expect $? "hostcalld as root without --user refuses, saying why" "exit $rc: $out"
	ACC=$T/run/acc.sock
	(cd "$ROOT" && exec "$HOSTCALLD" --socket "$ACC" --user nobody) > "$T/acc.log" 2>&1 9>&- &
	ACCPID=$!
	DAEMONS+=("$ACCPID")
	hostcalld_wait "$ACC" "$ACCPID" ||
		not_ok "acceptance: hostcalld --user nobody accepts connections" "$(cat "$T/acc.log")"
	mode=$(stat -c %a "$ACC" 2>&1)
	check "the socket is created with mode 0600 by default" "mode: $mode" [ "$mode" = 600 ]
	(cd "$ROOT" && LD_PRELOAD=$PWD/build/libhostcall.so HOSTCALL_SOCKET=$ACC \
		timeout "$TIMEOUT" cat /host/etc/printcap) > "$O/printcap" 2> "$O/printcap.err"
	if [ -s /etc/printcap ] && cmp /etc/printcap "$O/printcap" > /dev/null 2>&1; then
		ok "acceptance: hostcalld --user nobody; cat /host/etc/printcap is /etc/printcap byte for byte"
	else
		not_ok "acceptance: hostcalld --user nobody; cat /host/etc/printcap is /etc/printcap byte for byte" \
			"stderr: $(cat "$O/printcap.err")" "hostcalld log: $(tail -n 5 "$T/acc.log")" \
			"$(diff <(cat /etc/printcap) "$O/printcap" | head -n 20)"
	fi
	term_with_subject "acceptance: after kill -TERM no shadow remains" \
		"$ACCPID" "$ACC" "" /host/etc/printcap
else
	skip "acceptance: hostcalld --user nobody; cat /host/etc/printcap" "not root: --user needs root"
	skip "acceptance: after kill -TERM no shadow remains" "not root"
fi

# ---- cross-user: the client is hctest_a, the shadow hctest_b ----

if [ "$IS_ROOT" = 1 ]; then
	A=hctest_a B=hctest_b
	X=$T/x
	mkdir -p "$X/bdir/sub" "$X/bw"
	echo "only B can search here" > "$X/bdir/f.txt"
	echo "deeper" > "$X/bdir/sub/g.txt"
	echo "hidden" > "$X/bdir/sub/.h"
	ln -s f.txt "$X/bdir/link"
	echo "B's secret" > "$X/bonly.txt"
	echo "root's secret" > "$X/rootonly.txt"
	find "$X/bdir" -depth -exec touch -h -d '2020-01-02 03:04:05.6' {} +
	chown -R -h "$B:$B" "$X/bdir" "$X/bw" "$X/bonly.txt"
	chmod 0700 "$X/bdir"
	chmod 0600 "$X/bonly.txt" "$X/rootonly.txt"
	chmod 0755 "$X" "$X/bw"

	out=$(run_as $A "$SOCK" cat "/host$X/bonly.txt" 2>&1)
	nat=$(run_as $A "" cat "$X/bonly.txt" 2>&1)
	[ "$out" = "B's secret" ] && [ "$nat" = "cat: $X/bonly.txt: Permission denied" ]
	expect $? "cross-user: a file only B can read is readable through /host, not directly" \
		"through /host: $out | directly: $nat"

	run_as $B "" find "$X/bdir" -printf "$FIND" > "$O/xfind.n" 2>&1
	run_as $A "$SOCK" find "/host$X/bdir" -printf "$FIND" 2>&1 | norm > "$O/xfind.s"
	compare "cross-user: find /host/bdir (0700, B's) as A shows what B sees" "$O/xfind.n" "$O/xfind.s"

	run_as $B "" ls -lR --time-style=full-iso "$X/bdir" > "$O/xls.n" 2>&1
	run_as $A "$SOCK" ls -lR --time-style=full-iso "/host$X/bdir" 2>&1 | norm > "$O/xls.s"
	compare "cross-user: ls -lR /host/bdir as A shows what B sees" "$O/xls.n" "$O/xls.s"

	run_as $B "" sh -c "cd $X/bdir && cat f.txt sub/g.txt link" > "$O/xcd.n" 2>&1
	run_as $A "$SOCK" sh -c "cd /host$X/bdir && cat f.txt sub/g.txt link" > "$O/xcd.s" 2>&1
	compare "cross-user: cd /host/bdir && cat f.txt as A" "$O/xcd.n" "$O/xcd.s"

	{ run_as $B "" cp -a "$X/bdir" "$X/bw/cp-native" 2>&1; snap "$X/bw/cp-native"; } > "$O/xcp.n"
	{ run_as $A "$SOCK" cp -a "/host$X/bdir" "/host$X/bw/cp-shim" 2>&1 | norm
	  snap "$X/bw/cp-shim"; } > "$O/xcp.s"
	compare "cross-user: cp -a inside /host as A gives B's result" "$O/xcp.n" "$O/xcp.s"

	for s in n s; do
		if [ $s = n ]; then r=(run_as "$B" ""); p=""; else r=(run_as "$A" "$SOCK"); p=/host; fi
		"${r[@]}" touch -d '2011-11-11 11:11:11.111' "$p$X/bw/t-$s" "$p$X/bw/cp-native/f.txt" 2>&1
		stat --printf='%U|%G|%a|%s|%x|%y\n' "$X/bw/t-$s" "$X/bw/cp-native/f.txt"
	done > "$O/xtouch.all" 2>&1
	head -n 2 "$O/xtouch.all" > "$O/xtouch.n"
	tail -n +3 "$O/xtouch.all" > "$O/xtouch.s"
	compare "cross-user: touch -d inside /host as A gives B's result (owner B)" "$O/xtouch.n" "$O/xtouch.s"

	# fd calls that check identity act as B, on an fd A holds
	echo data > "$X/bw/fdfile"
	chown "$B:$B" "$X/bw/fdfile"
	chmod 0644 "$X/bw/fdfile"
	nat=$(run_as $A "" "$PROBE" fdops "$X/bw/fdfile" 2>&1 | tr '\n' ' ')
	{ run_as $A "$SOCK" "$PROBE" fdops "/host$X/bw/fdfile" 2>&1
	  stat -c '%U %a %.9Y' "$X/bw/fdfile"
	  [ "$XATTR_OK" = 1 ] && getfattr --only-values -n user.fd "$X/bw/fdfile"; echo; } > "$O/xfd.s"
	printf '%s\n' "fchmod: ok" "futimens: ok" "fsetxattr: ok" "$B 600 1234567890.500000000" > "$O/xfd.n"
	[ "$XATTR_OK" = 1 ] && echo v >> "$O/xfd.n"
	if [[ $nat != *"fchmod: Operation not permitted"* ]]; then
		not_ok "cross-user: fchmod, futimens, fsetxattr on a host fd act as B" \
			"natively, A's fchmod of B's file did not fail, so this case shows nothing: $nat"
	else
		compare "cross-user: fchmod, futimens, fsetxattr on a host fd act as B" "$O/xfd.n" "$O/xfd.s"
	fi

	out=$(run_as $A "$SOCK" cat "/host$X/rootonly.txt" 2>&1); rc=$?
	[ "$rc" = 1 ] && [ "$out" = "cat: /host$X/rootonly.txt: Permission denied" ]
	expect $? "cross-user: a file neither can read gives EACCES through /host" "exit $rc: $out"

	{ run_as "" "$SOCK" sh -c "echo made by root > /host$X/bw/rootmade"; echo "exit $?"
	  stat -c '%U %G' "$X/bw/rootmade"
	  run_as "" "$SOCK" cat "/host$X/rootonly.txt"; echo "exit $?"
	  run_as "" "$SOCK" chown root:root "/host$X/bw/rootmade"; echo "exit $?"
	  stat -c '%U %G' "$X/bw/rootmade"; } 2>&1 | norm > "$O/xroot.s"
	printf '%s\n' "exit 0" "$B $B" "cat: $X/rootonly.txt: Permission denied" "exit 1" \
		"chown: changing ownership of '$X/bw/rootmade': Operation not permitted" "exit 1" \
		"$B $B" > "$O/xroot.n"
	compare "cross-user: a root client is not root on the host (files B's, root-only unreadable, no chown)" \
		"$O/xroot.n" "$O/xroot.s"

	# --allow-root, as root without --user: the shadow is root, as asked
	RSOCK=$T/run/allowroot.sock
	if start_hostcalld "$RSOCK" --allow-root; then
		out=$(run_as "" "$RSOCK" cat "/host$X/rootonly.txt" 2>&1)
		owner=$(run_as "" "$RSOCK" sh -c "echo > /host$X/bw/by-root && stat -c %U /host$X/bw/by-root" 2>&1)
		[ "$out" = "root's secret" ] && [ "$owner" = root ]
		expect $? "--allow-root: shadows run as root when asked" \
			"root-only file: $out; owner of a new file: $owner"
		diag=$(stop_hostcalld "$HPID" "$RSOCK")
	else
		not_ok "--allow-root: shadows run as root when asked" "$(cat "$RSOCK.log")"
	fi
else
	for t in "a file only B can read" "find /host/bdir" "ls -lR /host/bdir" \
		"cd /host/bdir && cat" "cp -a inside /host" "touch -d inside /host" \
		"a file neither can read" "a root client is not root" "--allow-root" \
		"fchmod, futimens, fsetxattr on a host fd"; do
		skip "cross-user: $t" "not root: cannot create the users hctest_a and hctest_b"
	done
fi

# ---- --root DIR: nothing outside DIR is ever reached ----

J=$T/jail
mkdir -p "$J/etc" "$J/sub/deeper" "$J/proc"
echo "JAIL-PASSWD-MARKER" > "$J/etc/passwd"
echo "INSIDE-MARKER" > "$J/outside-secret"
echo "OUTSIDE-SECRET" > "$T/outside-secret"
ln -s / "$J/toroot"
ln -s /etc/passwd "$J/abs"
ln -s ../../.. "$J/sub/deeper/up"
ln -s /proc/self/root "$J/magic"
chmod -R a+rX "$J"
chmod a+r "$T/outside-secret"
PROC_OK=0
if [ "$IS_ROOT" = 1 ] && mount -t proc proc "$J/proc" 2>/dev/null; then
	MOUNTS+=("$J/proc")
	PROC_OK=1
fi
JSOCK=$T/run/jail.sock
if ! start_hostcalld "$JSOCK" "${USER_ARGS[@]}" --socket-mode 0666 --root "$J"; then
	not_ok "hostcalld --root starts" "$(cat "$JSOCK.log")"
fi
JPID=$HPID

# jail_case NAME WANT CMD...: WANT is "marker" (exactly the file inside DIR),
# "inside" (the file inside DIR or an error) or "eloop"; never host files.
jail_case() {
	local name=$1 want=$2 out rc diag
	shift 2
	out=$(run_as "$U" "$JSOCK" "$@" 2>&1); rc=$?
	diag="exit $rc, output: $(printf '%s' "$out" | head -c 400)"
	if printf '%s' "$out" | grep -q -e 'root:x:0:0' -e OUTSIDE-SECRET; then
		not_ok "--root: $name" "ESCAPED: $diag"
		return
	fi
	case $want in
	marker) [ "$rc" = 0 ] && [[ $out == JAIL-PASSWD-MARKER || $out == INSIDE-MARKER ]] ;;
	inside) [ "$rc" != 0 ] || [[ $out == JAIL-PASSWD-MARKER || $out == INSIDE-MARKER ]] ;;
	eloop) [ "$rc" != 0 ] && [[ $out == *"Too many levels of symbolic links"* ]] ;;
	esac
	expect $? "--root: $name" "$diag (want: $want)"
}

jail_case "/host/etc/passwd is DIR/etc/passwd" marker cat /host/etc/passwd
jail_case "an absolute symlink to /etc/passwd stays inside" marker cat /host/abs
jail_case "a symlink to / stays inside: /host/toroot/etc/passwd" marker cat /host/toroot/etc/passwd
jail_case "a relative symlink up past DIR stays inside" marker cat /host/sub/deeper/up/outside-secret
jail_case "cd /host/sub, then ../../../outside-secret" marker \
	sh -c 'cd /host/sub && cat ../../../outside-secret'
jail_case "openat(/host/sub, ../../outside-secret)" marker \
	"$PROBE" openat /host/sub ../../outside-secret
# Lexically, /host/.. is the guest's / (as on a mount), so a shim may resolve
# these on the guest side: then they name /outside-secret, which does not
# exist. Only the host side, clamped to DIR, or the escape, can find a file.
jail_case "/host/../outside-secret" inside cat /host/../outside-secret
jail_case "/host/sub/../../../outside-secret" inside cat /host/sub/../../../outside-secret
jail_case "a symlink to /proc/self/root" inside cat /host/magic/etc/passwd
# the same at the protocol level, where no shim can rewrite the path first
jail_case "protocol: openat /../outside-secret clamps to DIR" marker \
	"$HCRAW" "$JSOCK" open /../outside-secret
jail_case "protocol: openat /sub/../../../etc/passwd clamps to DIR" marker \
	"$HCRAW" "$JSOCK" open /sub/../../../etc/passwd
jail_case "protocol: openat through a symlink to /" marker \
	"$HCRAW" "$JSOCK" open /toroot/etc/passwd
jail_case "protocol: openat of an absolute symlink" marker "$HCRAW" "$JSOCK" open /abs
jail_case "protocol: openat of a relative path from the shadow's cwd" marker \
	"$HCRAW" "$JSOCK" open ../../etc/passwd
if [ "$PROC_OK" = 1 ]; then
	jail_case "magic link /host/proc/self/root fails with ELOOP" eloop \
		cat /host/proc/self/root/etc/passwd
	# another user's process: the kernel may refuse (EACCES) before ELOOP
	jail_case "magic link /host/proc/1/root fails" inside \
		cat /host/proc/1/root/etc/passwd
	jail_case "magic link /host/proc/self/cwd fails with ELOOP" eloop \
		cat "/host/proc/self/cwd$T/outside-secret"
	jail_case "a symlink to /proc/self/root with proc mounted" eloop \
		cat /host/magic/etc/passwd
	jail_case "protocol: openat /proc/self/root/etc/passwd fails with ELOOP" eloop \
		"$HCRAW" "$JSOCK" open /proc/self/root/etc/passwd
	jail_case "protocol: openat /proc/self/fd/N fails with ELOOP" eloop \
		"$HCRAW" "$JSOCK" open /proc/self/fd/0
else
	for t in "/host/proc/self/root" "/host/proc/1/root" "/host/proc/self/cwd" \
		"a symlink to /proc/self/root with proc mounted" "protocol: /proc/self/root" \
		"protocol: /proc/self/fd/N"; do
		skip "--root: magic link $t" "cannot mount proc inside DIR (not root or not permitted)"
	done
fi
diag=$(stop_hostcalld "$JPID" "$JSOCK"); rc=$?
check "--root instance stops on SIGTERM with no shadow left" "$diag" [ "$rc" = 0 ]

# ---- limits: --max-handles and --max-subjects, with clear errors ----

LSOCK=$T/run/limits.sock
if start_hostcalld "$LSOCK" "${USER_ARGS[@]}" --socket-mode 0666 --max-handles 3 --max-subjects 2; then
	LPID=$HPID
	mkdir -p "$W/lim/a" "$W/lim/b" "$W/lim/c" "$W/lim/d"
	[ -n "$U" ] && chown -R "$U:$U" "$W/lim"
	out=$(run_as "$U" "$LSOCK" bash -c 'exec 3<"$1/a" 4<"$1/b" 5<"$1/c" && echo three open
		exec 6<"$1/d" && echo four open' bash "/host$W/lim" 2>&1 | norm)
	want=$(printf '%s\n' "three open" "bash: line 2: $W/lim/d: Too many open files")
	check "--max-handles 3: the fourth directory open fails with EMFILE" \
		"got: $out" [ "$out" = "$want" ]

	hold_subject "$LSOCK" "$U" "/host$TREE/hello.txt" "$O/lim.held1"
	hold_subject "$LSOCK" "$U" "/host$TREE/hello.txt" "$O/lim.held2"
	third=$(run_as "$U" "$LSOCK" cat "/host$TREE/hello.txt" 2>&1 | norm)
	stop_clients
	for i in $(seq 30); do
		[ -z "$(hostcalld_shadows "$LPID")" ] && break
		sleep 0.1
	done
	again=$(run_as "$U" "$LSOCK" cat "/host$TREE/hello.txt" 2>&1)
	[ "$third" = "cat: $TREE/hello.txt: Resource temporarily unavailable" ] &&
		grep -q 'too many subjects' "$LSOCK.log" && [ "$again" = "hello, host" ]
	expect $? "--max-subjects 2: a third subject gets EAGAIN and a log line; the slots come back" \
		"third client: $third; after the others ended: $again; log: $(tail -n 3 "$LSOCK.log")"
	stop_hostcalld "$LPID" "$LSOCK" > /dev/null
else
	not_ok "limits instance starts" "$(cat "$LSOCK.log")"
fi

# ---- every shadow ends with its client ----

for i in $(seq 30); do
	left=$(hostcalld_shadows "$MAINPID" | tr '\n' ' ')
	[ -z "$left" ] && break
	sleep 0.1
done
if [ -z "$left" ]; then
	ok "every shadow of the main instance ended with its client"
else
	not_ok "every shadow of the main instance ended with its client" \
		"$(ps -o pid,ppid,user,stat,wchan:20,args -p "$(echo $left | tr ' ' ',')")"
fi

# ---- the main instance stops cleanly, with a live subject ----

term_with_subject "SIGTERM stops hostcalld and every shadow" \
	"$MAINPID" "$SOCK" "$U" "/host$TREE/hello.txt"

# ---- nothing of ours may still run ----

leftovers() {
	{ procs_naming_T
	  if [ "$IS_ROOT" = 1 ]; then
		for u in "${TESTUSERS[@]}"; do pgrep -u "$u"; done
	  fi; } | sort -u | tr '\n' ' '
}
stop_clients
for i in $(seq 20); do
	left=$(leftovers)
	[ -z "$left" ] && break
	sleep 0.1
done
if [ -z "$left" ]; then
	ok "no hostcalld, shadow or client is left running"
else
	not_ok "no hostcalld, shadow or client is left running" \
		"$(ps -o pid,ppid,user,stat,wchan:20,args -p "$(echo $left | tr ' ' ',')")"
fi

# the summary is the last line: clean up (quietly) before printing it
cleanup 2>&1 | sed 's/^/# /'
trap - EXIT
if [ "$SKIP" -gt 0 ]; then
	echo "$PASS passed, $FAIL failed, $SKIP skipped"
else
	echo "$PASS passed, $FAIL failed"
fi
[ "$FAIL" = 0 ]
