#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The export as a client meets it (export.c through libhostcall): the cwd as a directory reference, the export's root protected, nodev, and device nodes and setuid files under --root as --allow-devices / --allow-setuid say.
#
# Needs root (hostcalld's shadows run as nobody, or as root with
# --allow-root); as an ordinary user it prints why and skips.
# Output: "ok N - name" / "not ok N - name", then "P passed, F failed".
#
# Environment: HOSTCALLD (default build/hostcalld), SHIM (build/libhostcall.so), EXPORT_DRV
# (the driver, build/tests/export; make test-helpers).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HOSTCALLD=${HOSTCALLD:-$ROOT/build/hostcalld}
SHIM=${SHIM:-$ROOT/build/libhostcall.so}
DRV=${EXPORT_DRV:-$ROOT/build/tests/export}
. "$ROOT/tests/lib/hostcalld.sh"
. "$ROOT/tests/lib/tap.sh"
export LC_ALL=C
unset HOSTCALL_SOCKET HOSTCALL_PREFIX HOSTCALL_CWD

N=0 FAIL=0 SKIP=0
DAEMONS=()

if [ "$(id -u)" != 0 ]; then
	echo "ok 1 - export cases # SKIP not root: shadows cannot change user"
	echo "1 passed, 0 failed, 1 skipped"
	exit 0
fi

T=$(mktemp -d /tmp/hostcall-export.XXXXXX) || exit 1
chmod 755 "$T"
cleanup() {
	local p
	for p in "${DAEMONS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${DAEMONS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf -- "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if ! why=$(helper_check "$DRV" "$ROOT/tests/integration/export.c"); then
	not_ok "the export driver is built" "$why"
	echo "0 passed, 1 failed"
	exit 1
fi

# start NAME ARGS...: hostcalld on $T/NAME.sock, ready once it accepts connections
start() {
	local name=$1
	shift
	"$HOSTCALLD" --socket "$T/$name.sock" "$@" 2> "$T/$name.log" &
	DAEMONS+=($!)
	hostcalld_wait "$T/$name.sock" "$!" && return 0
	not_ok "hostcalld $name starts" "$(cat "$T/$name.log")"
	return 1
}

# tree DIR: fresh contents of an export (DIR itself stays: hostcalld holds it)
tree() {
	mkdir -p "$1"
	find "$1" -mindepth 1 -delete
	mkdir -p "$1/a/deep"
	echo "in a" > "$1/a/f"
	echo own > "$1/a/deep/own"
	mknod "$1/null" c 1 3
	chmod 666 "$1/null"
	chown -R nobody "$1"
	chmod 755 "$1"
}

# run NAME CASE DIR: the driver's lines, renumbered; "do CMD" runs CMD in DIR
run() {
	local name=$1 case=$2 dir=$3 line cmd pid in out
	coproc DRIVER { HOSTCALL_SOCKET=$T/$name.sock LD_LIBRARY_PATH=$(dirname "$SHIM") timeout -k 2 60 "$DRV" "$case" "$dir"; }
	pid=$DRIVER_PID
	# bash unsets DRIVER when the driver ends: keep fds of our own
	exec {in}<&"${DRIVER[0]}" {out}>&"${DRIVER[1]}"
	while IFS= read -r line <&"$in"; do
		case $line in
		"ok - "*) ok "$name: ${line#ok - }" ;;
		"not ok - "*) not_ok "$name: ${line#not ok - }" ;;
		"do "*)
			cmd=${line#do }
			cmd=${cmd//OUTSIDE/$T/outside}
			(cd "$dir" && eval "$cmd") >&2
			echo done >&"$out" 2>/dev/null ;;
		*) echo "$line" ;;
		esac
	done
	exec {in}<&- {out}>&-
	wait "$pid" 2>/dev/null
}

mkdir -p "$T/outside"
R=$T/r
tree "$R"
if start user --user nobody --root "$R"; then
	run user cwd "$R"
	[ -e "$T/outside/deep/own" ] && [ ! -e "$R/b/deep" ] &&
		ok "user: the host saw the moves" || not_ok "user: the host saw the moves"
	tree "$R"
	run user rootattr "$R"
	m=$(stat -c %a "$R")
	[ "$m" = 755 ] && ok "user: the root's mode is unchanged" || not_ok "user: root mode" "$m"
	run user nodev "$R"
fi

P=$T/p
tree "$P"
if start priv --allow-root --root "$P"; then
	run priv privileged "$P"
	[ ! -e "$P/kmsg" ] && [ ! -u "$P/a/f" ] && [ ! -e "$P/a/suid" ] &&
		ok "priv: no device node and no setuid file on the host" ||
		not_ok "priv: nothing privileged on the host" "$(ls -l "$P" "$P/a")"
	run priv nodev "$P"
fi

A=$T/allow
tree "$A"
if start allow --allow-root --root "$A" --allow-devices --allow-setuid; then
	run allow allowed "$A"
	[ -c "$A/kmsg" ] && [ -u "$A/a/suid" ] &&
		ok "allow: the device node and the setuid file are there" ||
		not_ok "allow: device node and setuid file" "$(ls -l "$A" "$A/a")"
	run allow devices "$A"
fi

if start whole --user nobody; then
	EXPORT_PREFIX=$R run whole nodev "$R"
fi
if start wholedev --user nobody --allow-devices; then
	EXPORT_PREFIX=$R run wholedev devices "$R"
fi

# Programs that walk directory fds (the readdir family, fchdir, *at() with a
# host dirfd, fstat/fsync/flock on a directory) under --root, through the
# shim, compared with the same programs run natively on the same tree.
W=$T/w
mkdir -p "$W/t/a/b" "$W/t/c"
for i in 1 2 3; do echo "file $i" > "$W/t/a/f$i"; echo "deep $i" > "$W/t/a/b/g$i"; done
ln -s a/f1 "$W/t/link"
ln -s /t/c "$W/t/abs"
chown -R nobody "$W"
# shim CMD...: CMD under libhostcall with its cwd in /host (the export's root)
shim() { (cd / && HOSTCALL_SOCKET=$T/walk.sock LD_PRELOAD=$SHIM timeout -k 2 30 sh -c 'cd /host && "$@"' sh "$@" 2>&1); }
native() { (cd "$W" && "$@" 2>&1); }
same() {
	local name=$1 a b
	shift
	a=$(native "$@"); b=$(shim "$@")
	[ "$a" = "$b" ] && [ -n "$a" ] && ok "walk: $name" ||
		not_ok "walk: $name" "native: $(printf '%s' "$a" | head -c 600)" \
			"shim:   $(printf '%s' "$b" | head -c 600)"
}
if start walk --user nobody --root "$W" --socket-mode 0666; then
	same "find" sh -c 'find t | sort'
	same "find -type f -exec cat" sh -c 'find t -type f -exec cat {} + | sort'
	same "ls -R" ls -R t
	same "ls -la (fstatat on a dirfd)" sh -c 'ls -la t/a | sed "s/ [A-Z][a-z][a-z] .* / /"'
	same "du -a --apparent-size" sh -c 'du -a --apparent-size t | sort -k2'
	same "tar c | tar t" sh -c 'tar -cf - t | tar -tf - | sort'
	out=$(shim readlink -f t/link)
	[ "$out" = /host/t/a/f1 ] && ok "walk: readlink -f" || not_ok "walk: readlink -f" "$out"
	# as the shadow's user, so that cp -a may keep the owner
	setpriv --reuid=nobody --regid=nogroup --clear-groups bash -c "$(declare -f shim); T=$T SHIM=$SHIM shim cp -a t t2" > "$T/cp.out" 2>&1
	diff -r --no-dereference "$W/t" "$W/t2" > "$T/cp.diff" 2>&1 &&
		[ "$(stat -c %U "$W/t2/a/f1")" = nobody ] && [ "$(readlink "$W/t2/abs")" = /t/c ] &&
		ok "walk: cp -a makes the same tree on the host" ||
		not_ok "walk: cp -a" "$(cat "$T/cp.out" "$T/cp.diff")"
	out=$(shim rm -r t2)
	[ ! -e "$W/t2" ] && ok "walk: rm -r removes it on the host" || not_ok "walk: rm -r" "$out"
	out=$(shim flock t true && echo locked)
	[ "$out" = locked ] && ok "walk: flock on a directory" || not_ok "walk: flock on a directory" "$out"
fi

X=$T/closed
mkdir -m 700 "$X"
if start closed --user nobody --root "$X"; then
	run closed noenter "$X"
	grep -q "cannot enter the export $X: Permission denied" "$T/closed.log" &&
		ok "closed: the log names the export and the reason" ||
		not_ok "closed: the log says why" "$(cat "$T/closed.log")"
fi

echo "$((N - FAIL)) passed, $FAIL failed"
[ "$FAIL" = 0 ]
