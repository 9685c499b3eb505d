#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# hostcalld on its own, over the wire protocol (hostd_proto.c, built by make test-helpers): every op, --root escapes, malformed input, a stalled subject, the subject limit, the options, that SIGTERM (or the relay's death) leaves no shadow behind, and that clients built from older releases' op lists (tests/compat/) are still served.
#
# As root the shadows run as nobody and the root test gets a proc mount
# (for the magic-link cases); as an ordinary user hostcalld runs as that
# user and the root-only cases are skipped with the reason printed.
# Output: "ok N - name" / "not ok N - name"; exit status 1 if anything failed.
#
# Environment: HOSTCALLD (default build/hostcalld), HOSTD_PROTO (build/tests/hostd_proto);
# the compatibility clients are build/tests/compat-V, one for each tests/compat/hc_ops-V.h.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HOSTCALLD=${HOSTCALLD:-$ROOT/build/hostcalld}
PROTO=${HOSTD_PROTO:-$ROOT/build/tests/hostd_proto}
. "$ROOT/tests/lib/hostcalld.sh"
. "$ROOT/tests/lib/tap.sh"
export LC_ALL=C PATH=/usr/local/bin:/usr/bin:/bin
unset HOSTCALL_SOCKET

N=0 FAIL=0
DAEMONS=()
MOUNTS=()
IS_ROOT=0
[ "$(id -u)" = 0 ] && IS_ROOT=1
T=$(mktemp -d /tmp/hostcall-hostd.XXXXXX) || exit 1
chmod 755 "$T"

cleanup() {
	local p m
	for p in "${DAEMONS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.3
	for p in $(pgrep -f -- "--socket $T/"); do kill -KILL "$p" 2>/dev/null; done
	for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
	rm -rf -- "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP


# run_helper BIN ARGS...: re-number the helper's own "ok - x" / "not ok - x" lines into ours.
run_helper() {
	local line bin=$1
	shift
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) not_ok "${line#not ok - }" ;;
		*) echo "$line" ;;
		esac
	done < <(timeout -k 2 120 "$bin" "$@"; echo "# ${bin##*/} $1 exited $?")
}
proto() { run_helper "$PROTO" "$@"; }

USER_OPT=()
[ "$IS_ROOT" = 1 ] && USER_OPT=(--user nobody)

# start NAME ARGS...: start hostcalld on $T/NAME.sock, log in $T/NAME.log
start() {
	local name=$1
	shift
	"$HOSTCALLD" --socket "$T/$name.sock" "${USER_OPT[@]}" "$@" 2> "$T/$name.log" &
	DAEMONS+=($!)
	LAST=$!
	hostcalld_wait "$T/$name.sock" "$LAST" && return 0
	not_ok "hostcalld $name starts" "$(cat "$T/$name.log")"
	return 1
}

# stop PID: SIGTERM, and it must exit 0 within 5 s
stop() {
	local i
	kill -TERM "$1"
	for i in $(seq 50); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	wait "$1"
}

# shadows_of NAME: processes still running with NAME's socket on their command line
shadows_of() { pgrep -f -- "--socket $T/$1.sock" || true; }

# gone PIDS...: true once none of PIDS exists (waits up to 3 s)
gone() {
	local i p left
	for i in $(seq 30); do
		left=
		for p in "$@"; do kill -0 "$p" 2>/dev/null && left=1; done
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	return 1
}

if ! why=$(helper_check "$PROTO" "$ROOT/tests/integration/hostd_proto.c"); then
	not_ok "hostd_proto is built" "$why"
	exit 1
fi
# the compatibility clients: release V's op list, tests/compat/hc_ops-V.h (make test-helpers)
COMPAT=()
for ops in "$ROOT"/tests/compat/hc_ops-*.h; do
	[ -e "$ops" ] || continue
	v=${ops##*/hc_ops-}
	v=${v%.h}
	if why=$(helper_check "$ROOT/build/tests/compat-$v" "$ROOT/tests/compat/client.c" "$ops"); then
		COMPAT+=("$ROOT/build/tests/compat-$v")
	else
		not_ok "the compatibility client of release $v is built" "$why"
	fi
done

# ---- ops, malformed input, a stalled subject, shutdown ----

mkdir "$T/ops"
[ "$IS_ROOT" = 1 ] && chown nobody "$T/ops"
mkfifo -m 666 "$T/fifo"
if start a --verbose; then
	A=$LAST
	# what the clients below make it log, after start's own probe connection
	logged=$(wc -l < "$T/a.log")
	if [ "$IS_ROOT" = 1 ]; then export HC_TEST_USER=nobody; else export HC_TEST_USER=$(id -un); fi
	proto ops "$T/a.sock" "$T/ops"
	# hostd_proto sent one version-2 HELLO: the shadow says once what to update
	n=$(tail -n +$((logged + 1)) "$T/a.log" |
		grep -c "hello: client speaks protocol version 2, this hostcalld speaks 3: update")
	[ "$n" = 1 ] && ok "a version-2 client is logged once, with both versions and what to update" ||
		not_ok "a version-2 client is logged once, with both versions and what to update" \
			"$n lines" "$(grep -i 'protocol version' "$T/a.log")"
	# clients built from older releases' op lists
	for c in "${COMPAT[@]}"; do
		mkdir "$T/${c##*/}"
		[ "$IS_ROOT" = 1 ] && chown nobody "$T/${c##*/}"
		run_helper "$c" "$T/a.sock" "$T/${c##*/}"
	done
	mkdir -p "$T/fuzz/d"
	echo data > "$T/fuzz/f"
	ln -s f "$T/fuzz/l"
	[ "$IS_ROOT" = 1 ] && chown -R nobody "$T/fuzz"
	proto fuzz "$T/a.sock" "$T/fuzz"
	proto stall "$T/a.sock" "$T/fifo"
	# requests in flight (HC_CAP_INFLIGHT): parked WAITs, FIFO opens, locks, reads, CANCEL
	mkdir "$T/inflight"
	[ "$IS_ROOT" = 1 ] && chown nobody "$T/inflight"
	proto inflight "$T/a.sock" "$T/inflight" "$T/a.log"
	mode=$(stat -c %a "$T/a.sock")
	[ "$mode" = 600 ] && ok "the socket is mode 0600" || not_ok "the socket is mode 0600" "mode $mode"
	tail -n +$((logged + 1)) "$T/a.log" |
		grep -q "connection from pid [0-9]* uid $(id -u) gid $(id -g)" &&
		ok "--verbose logs the peer's credentials" ||
		not_ok "--verbose logs the peer's credentials" "$(head -5 "$T/a.log")"
	grep -q 'subject [0-9]*: openat ".*/ops/f" = ' "$T/a.log" &&
		ok "--verbose logs each op with its path and result" ||
		not_ok "--verbose logs each op" "$(head -5 "$T/a.log")"

	"$PROTO" hold "$T/a.sock" "$T/fifo" > "$T/hold.out" 2>&1 &
	HOLD=$!
	for i in $(seq 50); do grep -q '^ready' "$T/hold.out" && break; sleep 0.1; done
	hostpids=$(sed -n 's/^# host pid //p' "$T/hold.out")
	nshadows=$(shadows_of a | wc -l)
	stop "$A"
	rc=$?
	[ "$rc" = 0 ] && ok "SIGTERM: hostcalld exits 0" || not_ok "SIGTERM: hostcalld exits 0" "status $rc"
	left=$(shadows_of a)
	[ -z "$left" ] && [ "$nshadows" -ge 6 ] &&
		ok "SIGTERM: no shadow left (idle, forked, blocked in open and in wait)" ||
		not_ok "SIGTERM: no shadow left" "before: $nshadows processes" "left: $left" \
			"$(cat "$T/hold.out")"
	# shellcheck disable=SC2086
	[ -n "$hostpids" ] && gone $hostpids && ok "SIGTERM: host processes got SIGHUP" ||
		not_ok "SIGTERM: host processes got SIGHUP" "pids: $hostpids"
	[ ! -e "$T/a.sock" ] && ok "SIGTERM: the socket is removed" ||
		not_ok "SIGTERM: the socket is removed"
	kill "$HOLD" 2>/dev/null
fi

# ---- the relay dies: shadows follow (lifeline) ----

if start b --socket-mode 0660; then
	B=$LAST
	mode=$(stat -c %a "$T/b.sock")
	[ "$mode" = 660 ] && ok "--socket-mode 0660" || not_ok "--socket-mode 0660" "mode $mode"
	out=$("$HOSTCALLD" --socket "$T/b.sock" "${USER_OPT[@]}" 2>&1)
	rc=$?
	[ "$rc" != 0 ] && [[ $out == *"Address already in use (is another hostcalld running?"* ]] &&
		ok "a live socket is not stolen" || not_ok "a live socket is not stolen" "status $rc: $out"
	"$PROTO" hold "$T/b.sock" "$T/fifo" > "$T/hold.out" 2>&1 &
	HOLD=$!
	for i in $(seq 50); do grep -q '^ready' "$T/hold.out" && break; sleep 0.1; done
	before=$(shadows_of b)
	kill -KILL "$B"
	wait "$B" 2>/dev/null
	# shellcheck disable=SC2086
	gone $before
	left=$(shadows_of b)
	[ -z "$left" ] && ok "relay SIGKILLed: the shadows exit by themselves" ||
		not_ok "relay SIGKILLed: the shadows exit by themselves" "left: $left"
	kill "$HOLD" 2>/dev/null
	wait "$HOLD" 2>/dev/null
	if start b; then
		ok "a stale socket is replaced"
		stop "$LAST"
	fi
fi

# ---- --root ----

R=$T/root
mkdir -p "$R/sub" "$R/proc"
echo inside > "$R/inside.txt"
ln -s / "$R/abs"
ln -s ../../.. "$R/up"
if [ "$IS_ROOT" = 1 ]; then
	chown nobody "$R"
	mount -t proc proc "$R/proc" && MOUNTS+=("$R/proc")
else
	echo "# not root: no proc mount in the root, magic-link cases skipped"
fi
if start r --root "$R"; then
	proto root "$T/r.sock" "$R"
	stop "$LAST"
fi

# ---- the subject limit ----

if start l --max-subjects 3; then
	proto limit "$T/l.sock" 3
	grep -q "too many subjects (3, see --max-subjects)" "$T/l.log" &&
		ok "the limit is logged" || not_ok "the limit is logged" "$(cat "$T/l.log")"
	stop "$LAST"
fi

# ---- options ----

if [ "$IS_ROOT" = 1 ]; then
	out=$("$HOSTCALLD" --socket "$T/x.sock" 2>&1)
	rc=$?
	[ "$rc" != 0 ] && [[ $out == *"--user NAME"* ]] && [ ! -e "$T/x.sock" ] &&
		ok "root without --user is refused, saying why" ||
		not_ok "root without --user is refused" "status $rc: $out"
else
	skip "root without --user is refused" "not root"
fi
out=$("$HOSTCALLD" --socket "$T/nodir/x.sock" "${USER_OPT[@]}" 2>&1)
[[ $out == *"bind $T/nodir/x.sock: No such file or directory"* ]] &&
	ok "a bind error names the path" || not_ok "a bind error names the path" "$out"
"$HOSTCALLD" --max-subjects 0 > /dev/null 2>&1
[ $? = 2 ] && ok "a bad option value is a usage error" || not_ok "a bad option value is a usage error"
"$HOSTCALLD" --help | grep -q -- "--max-handles" && ok "--help" || not_ok "--help"

echo "$((N - FAIL)) passed, $FAIL failed"
[ "$FAIL" = 0 ]
