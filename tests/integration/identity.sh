#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Clients are host users: hostcalld --map-user over the Unix socket. Two client users
# (hctest_ga, hctest_gb) are mapped to two host users (hctest_alice, hctest_bob); each
# client's shadow and host programs run as its host user, so the host kernel decides:
# a 0600 file of one is EACCES for the other, files are owned by the right host user,
# a sticky directory protects each one's files, stat shows the client's ids (owners
# without a mapping show as 65534, --user's files as --user-as), chown to an unmapped id
# is EINVAL, a process that changes its uid acts as the new one from its next call (keeping
# what it opened), ACL entries are translated both ways, !id names the mapped user, --audit
# records who did what (to a file, and to syslog in a namespace with a /dev/log of its own),
# --unmapped deny
# refuses an unmapped client, tar x and cp -a as root mapped to alice exit 0, --identity passthrough gives root and two users the host
# kernel's own answers (compared case by case with the same operations natively), and
# a malformed map is refused at start naming what is wrong.
#
# Runs as root (it creates and removes the four users); as an ordinary user it skips.
# Output: "ok N - name" / "not ok N - name" with "# " diagnostics, then
# "P passed, F failed[, S skipped]". Exit status 1 if anything failed.
#
# Environment: HOSTCALLD, DOSH, LIBHOSTCALL, IDCOMPARE, IDUSERS (default build/; make
# test-helpers).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HOSTCALLD=${HOSTCALLD:-$ROOT/build/hostcalld}
DOSH=${DOSH:-$ROOT/build/dosh}
LIBHOSTCALL=${LIBHOSTCALL:-$ROOT/build/libhostcall.so}
IDCOMPARE=${IDCOMPARE:-$ROOT/build/tests/idcompare}
IDUSERS=${IDUSERS:-$ROOT/build/tests/idusers}
. "$ROOT/tests/lib/hostcalld.sh"
. "$ROOT/tests/lib/tap.sh"
export LC_ALL=C PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
unset HOSTCALL_SOCKET HOSTCALL_PREFIX HOSTCALL_CWD HOSTCALL_DEBUG

N=0 PASS=0 FAIL=0 SKIP=0
USERS="hctest_ga hctest_gb hctest_alice hctest_bob"
DAEMON=
if [ "$(id -u)" != 0 ]; then
	echo "ok 1 - # SKIP identity maps need root"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi

exec 9> /tmp/hostcall-identity.lock
flock -w 300 9 || { echo "# another run holds /tmp/hostcall-identity.lock" >&2; exit 1; }
T=$(mktemp -d /tmp/hostcall-id.XXXXXX) || exit 1
chmod 755 "$T"

cleanup() {
	local u p
	[ -n "$DAEMON" ] && kill -TERM "$DAEMON" 2>/dev/null && wait "$DAEMON" 2>/dev/null
	for u in $USERS; do
		id -u "$u" >/dev/null 2>&1 || continue
		for p in $(pgrep -u "$u"); do kill -KILL "$p" 2>/dev/null; done
		userdel "$u" 2>/dev/null || { sleep 0.5; userdel "$u"; }
	done
	rm -rf -- "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# daemon ARGS...: hostcalld on $S (mode 0666) with ARGS, its log in $LOG; 0 once it serves
daemon() {
	"$HOSTCALLD" --socket "$S" --socket-mode 0666 "$@" 2> "$LOG" &
	DAEMON=$!
	hostcalld_wait "$S" "$DAEMON"
}
# stop the daemon, as SIGTERM stops it
undaemon() {
	kill -TERM "$DAEMON"
	wait "$DAEMON" 2>/dev/null
	DAEMON=
}

for u in $USERS; do
	id -u "$u" >/dev/null 2>&1 || useradd -M -d / -s /bin/sh "$u" || {
		not_ok "create user $u"; summary; exit 1; }
done
GA=$(id -u hctest_ga) GB=$(id -u hctest_gb) ALICE=$(id -u hctest_alice) BOB=$(id -u hctest_bob)

# the shared area: alice's private file, a sticky directory
D=$T/area
mkdir -p "$D/sticky"
chmod 1777 "$D/sticky"
chmod 755 "$D"
echo "alice's secret" > "$D/secret"
chown hctest_alice: "$D/secret"
chmod 600 "$D/secret"
echo root > "$D/rootfile"

S=$T/sock
LOG=$T/hostcalld.log
AUDIT=$T/audit.log
if ! daemon --user nobody --user-as 4242 --audit "$AUDIT" \
	--map-user "$GA=hctest_alice" --map-user "$GB=hctest_bob" --verbose; then
	not_ok "hostcalld --map-user starts" "$(cat "$LOG")"
	summary
	exit 1
fi

# as CLIENT (a user name): COMMAND... under libhostcall on the socket
as() {
	local u=$1
	shift
	setpriv --reuid "$u" --regid "$u" --init-groups -- \
		env HOSTCALL_SOCKET="$S" LD_PRELOAD="$LIBHOSTCALL" "$@"
}

out=$(as hctest_ga cat "/host$D/secret" 2>&1)
[ "$out" = "alice's secret" ] && ok "client ga, mapped to alice, reads alice's 0600 file" ||
	not_ok "client ga, mapped to alice, reads alice's 0600 file" "$out"
out=$(as hctest_gb cat "/host$D/secret" 2>&1)
case $out in
*"Permission denied"*) ok "client gb, mapped to bob, gets EACCES for it" ;;
*) not_ok "client gb, mapped to bob, gets EACCES for it" "$out" ;;
esac

# POSIX ACLs carry ids: the client's on the wire, the host's on disk
out=$(as hctest_ga setfacl -m "u:$GB:r" "/host$D/secret" 2>&1)
if getfacl -n "$D/secret" 2>/dev/null | grep -q "^user:$BOB:r--"; then
	ok "setfacl u:$GB (client gb) by alice: the host's ACL names bob (uid $BOB)"
else
	not_ok "setfacl u:$GB (client gb) by alice: the host's ACL names bob (uid $BOB)" "$out" \
		"$(getfacl -n "$D/secret" 2>&1)"
fi
out=$(as hctest_gb cat "/host$D/secret" 2>&1)
[ "$out" = "alice's secret" ] && ok "... and client gb may read the file now" ||
	not_ok "... and client gb may read the file now" "$out"
out=$(as hctest_ga getfacl -n "/host$D/secret" 2>&1)
case $out in
*"user:$GB:r--"*) ok "getfacl through /host shows the client's id $GB again" ;;
*) not_ok "getfacl through /host shows the client's id $GB again" "$out" ;;
esac
out=$(as hctest_ga setfacl -m "u:31337:r" "/host$D/secret" 2>&1)
case $out in
*"Invalid argument"*) ok "an ACL entry for an unmapped id is EINVAL" ;;
*) not_ok "an ACL entry for an unmapped id is EINVAL" "$out" "$(getfacl -n "$D/secret" 2>&1)" ;;
esac
setfacl -b "$D/secret"

# file capabilities of revision 3 carry a root id (set in alice's user namespace: alice's
# uid), which shows as client ga's through /host
le32hex() { printf '%08x' "$1" | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/'; }
caphex() { getfattr -e hex -n security.capability "$@" 2>/dev/null | sed -n 's/^security.capability=0x//p'; }
cp /bin/true "$D/capf"
chown hctest_alice:hctest_alice "$D/capf"
if setpriv --reuid hctest_alice --regid hctest_alice --clear-groups -- \
	unshare -U -r setcap cap_net_raw+ep "$D/capf" 2>/dev/null &&
	[ "$(caphex "$D/capf" | cut -c41-48)" = "$(le32hex "$ALICE")" ]; then
	got=$(as hctest_ga getfattr -e hex -n security.capability "/host$D/capf" 2>&1 |
		sed -n 's/^security.capability=0x//p')
	[ "$(echo "$got" | cut -c41-48)" = "$(le32hex "$GA")" ] &&
		ok "a revision 3 file capability's root id (alice's) shows as client ga's" ||
		not_ok "a revision 3 file capability's root id (alice's) shows as client ga's" \
			"host $(caphex "$D/capf"), through /host $got"
else
	skip "a revision 3 file capability's root id (alice's) shows as client ga's" \
		"no user namespace for alice to set one in"
fi

as hctest_ga sh -c "echo from-a > /host$D/sticky/a" 2>"$T/err" &&
	owner=$(stat -c %U "$D/sticky/a") && [ "$owner" = hctest_alice ] &&
	ok "a file client ga creates is alice's on the host" ||
	not_ok "a file client ga creates is alice's on the host" "owner ${owner:-?}" "$(cat "$T/err")"
as hctest_gb sh -c "echo from-b > /host$D/sticky/b" 2>/dev/null
[ "$(stat -c %U "$D/sticky/b" 2>/dev/null)" = hctest_bob ] &&
	ok "a file client gb creates is bob's on the host" ||
	not_ok "a file client gb creates is bob's on the host" "$(ls -ln "$D/sticky")"

out=$(as hctest_gb rm -f "/host$D/sticky/a" 2>&1)
[ -e "$D/sticky/a" ] && ok "in a sticky directory bob cannot remove alice's file" ||
	not_ok "in a sticky directory bob cannot remove alice's file" "$out"
out=$(as hctest_gb mv "/host$D/sticky/a" "/host$D/sticky/c" 2>&1)
[ -e "$D/sticky/a" ] && ok "nor rename it" || not_ok "nor rename it" "$out"

# the two-user cases, one compiled driver run per user (tests/integration/idusers.c): a 0600
# file, a 0700 directory walked by its owner first, a sticky directory, a setuid file written
# by the other, the other's own files
if [ -x "$IDUSERS" ]; then
	mkdir -m 777 "$D/two"
	chmod 777 "$D/two"
	tap_lines "alice (client ga):" "$IDUSERS" < <(as hctest_ga "$IDUSERS" owner "/host$D/two" 2>&1)
	tap_lines "bob (client gb):" "$IDUSERS" < <(as hctest_gb "$IDUSERS" other "/host$D/two" 2>&1)
	owners=$(stat -c '%n %U' "$D/two/priv" "$D/two/by-other" 2>&1 | sed "s|$D/two/||" | tr '\n' ' ')
	[ "$owners" = "priv hctest_alice by-other hctest_bob " ] &&
		ok "... on the host the owner's files are alice's, the other's bob's" ||
		not_ok "... on the host the owner's files are alice's, the other's bob's" "$owners"
else
	not_ok "the two-user driver is built" "no $IDUSERS: make test-helpers"
fi

# stat: the client's own ids for mapped owners, 65534 for unmapped, --user-as for --user
got=$(as hctest_ga stat -c '%u %g' "/host$D/sticky/a" 2>&1)
[ "$got" = "$GA 65534" ] &&
	ok "stat shows alice's file as owned by client uid $GA (its unmapped group as 65534)" ||
	not_ok "stat shows alice's file as owned by client uid $GA (its unmapped group as 65534)" "got '$got'"
got=$(as hctest_ga stat -c '%u' "/host$D/rootfile" 2>&1)
[ "$got" = 65534 ] && ok "an owner with no mapping (root) shows as 65534" ||
	not_ok "an owner with no mapping (root) shows as 65534" "got '$got'"
chown nobody "$D/rootfile"
got=$(as hctest_ga stat -c '%u' "/host$D/rootfile" 2>&1)
chown root "$D/rootfile"
[ "$got" = 4242 ] && ok "a file of --user (nobody) shows as --user-as 4242" ||
	not_ok "a file of --user (nobody) shows as --user-as 4242" "got '$got'"

# chown: an unmapped id is EINVAL; a mapped one reaches the host kernel, which decides
out=$(as hctest_ga chown 31337 "/host$D/sticky/a" 2>&1)
case $out in
*"Invalid argument"*) ok "chown to an unmapped id is EINVAL" ;;
*) not_ok "chown to an unmapped id is EINVAL" "$out" ;;
esac
out=$(as hctest_ga chown "$GB" "/host$D/sticky/a" 2>&1)
case $out in
*"Operation not permitted"*) ok "chown to bob's client id: the host kernel says EPERM to alice" ;;
*) not_ok "chown to bob's client id: the host kernel says EPERM to alice" "$out" ;;
esac

# a process that changes its credentials acts as the new ones from its next call, in the
# same working directory; a file it opened before keeps its access
BECOME_GA="os.setgroups([]); os.setgid($(id -g hctest_ga)); os.setuid($GA)"
cat > "$T/switch.py" <<PYEOF
import os, sys
os.chdir("/host$D")
try:
    open("secret").read()
    print("before: read")
except PermissionError:
    print("before: EACCES")
keep = open("rootfile")
$BECOME_GA
try:
    print("after: " + open("secret").read().strip())
except OSError as e:
    print("after: " + e.strerror)
print("kept: " + keep.read().strip())
PYEOF
chown nobody "$D/rootfile"
chmod 600 "$D/rootfile"
out=$(env HOSTCALL_SOCKET="$S" LD_PRELOAD="$LIBHOSTCALL" python3 "$T/switch.py" 2>&1 | tr '\n' '|')
[ "$out" = "before: EACCES|after: alice's secret|kept: root|" ] &&
	ok "a process that switches from root (--user) to client ga acts as alice from its next call" ||
	not_ok "a process that switches from root (--user) to client ga acts as alice from its next call" "$out"
chmod 644 "$D/rootfile"
chown root "$D/rootfile"

# ... and it takes its working directory and its directory fds over by reference: the
# directory it is in, renamed on the host before the switch, stays its cwd; a file made
# relative to a directory fd opened before is made as the new user
mkdir -p "$D/cwd-old" "$D/dirs"
echo here > "$D/cwd-old/here"
chmod 755 "$D/cwd-old"
chown hctest_alice: "$D/dirs"
cat > "$T/switch2.py" <<PYEOF
import os
os.chdir("/host$D/cwd-old")
dfd = os.open("/host$D/dirs", os.O_RDONLY | os.O_DIRECTORY)
os.rename("$D/cwd-old", "$D/cwd-new")
$BECOME_GA
try:
    print("cwd: " + open("here").read().strip())
except OSError as e:
    print("cwd: " + e.strerror)
try:
    os.close(os.open("made", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=dfd))
    print("made")
except OSError as e:
    print("made: " + e.strerror)
PYEOF
out=$(env HOSTCALL_SOCKET="$S" LD_PRELOAD="$LIBHOSTCALL" python3 "$T/switch2.py" 2>&1 | tr '\n' '|')
owner=$(stat -c %U "$D/dirs/made" 2>&1)
[ "$out" = "cwd: here|made|" ] && [ "$owner" = hctest_alice ] &&
	ok "... its cwd (renamed on the host meanwhile) and an open directory fd carry over by reference" ||
	not_ok "... its cwd (renamed on the host meanwhile) and an open directory fd carry over by reference" \
		"$out" "owner of dirs/made: $owner"

# host programs run as the mapped user
out=$(setpriv --reuid hctest_ga --regid hctest_ga --init-groups -- \
	env HOSTCALL_SOCKET="$S" "$DOSH" -c '!id -un' 2>&1)
[ "$out" = hctest_alice ] && ok "dosh -c '!id -un' as client ga: hctest_alice" ||
	not_ok "dosh -c '!id -un' as client ga: hctest_alice" "$out"
out=$(setpriv --reuid hctest_gb --regid hctest_gb --init-groups -- \
	env HOSTCALL_SOCKET="$S" "$DOSH" -c '!id -un' 2>&1)
[ "$out" = hctest_bob ] && ok "... and as client gb: hctest_bob" ||
	not_ok "... and as client gb: hctest_bob" "$out"

# an unmapped client acts as --user
out=$(setpriv --reuid nobody --regid nogroup --clear-groups -- \
	env HOSTCALL_SOCKET="$S" "$DOSH" -c '!id -un' 2>&1)
[ "$out" = nobody ] && ok "an unmapped client acts as --user (nobody)" ||
	not_ok "an unmapped client acts as --user (nobody)" "$out"
grep -q "guest uid $GA acts as hctest_alice (uid $ALICE" "$LOG" &&
	grep -q "guest uid $GB acts as hctest_bob (uid $BOB" "$LOG" &&
	ok "the log says which client acts as which host user" ||
	not_ok "the log says which client acts as which host user" "$(grep 'acts as' "$LOG" | head)"
undaemon

# the audit trail: who (guest uid, host user) did what, with paths and results
want_a="guest uid $GA as hctest_alice (uid $ALICE): openat \"$D/sticky/a\""
want_b="guest uid $GB as hctest_bob (uid $BOB): unlinkat \"$D/sticky/a\" = -1 Operation not permitted"
want_s="guest uid $GA as hctest_alice (uid $ALICE): spawn \"id\""
if grep -qF "$want_a" "$AUDIT" && grep -qF "$want_b" "$AUDIT" && grep -qF "$want_s" "$AUDIT" &&
	grep -q ": hello = [0-9]" "$AUDIT" && ! grep -q ": getcwd\|: fstatat" "$AUDIT"; then
	ok "--audit FILE: alice's create, bob's refused unlink and alice's spawn, with ids and results"
else
	not_ok "--audit FILE: alice's create, bob's refused unlink and alice's spawn, with ids and results" \
		"want: $want_a" "want: $want_b" "want: $want_s" "$(head -n 20 "$AUDIT")"
fi
[ "$(stat -c %a "$AUDIT")" = 600 ] && ok "the audit file is 0600" ||
	not_ok "the audit file is 0600" "$(stat -c %a "$AUDIT")"

# --audit syslog: the same lines, as datagrams to /dev/log (priority authpriv.info). The
# daemon runs in a mount namespace of its own whose /dev is a copy of this one's nodes plus a
# /dev/log of the test's, so no syslog daemon of the host is needed and none sees the lines.
cat > "$T/syslogd.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
with open(sys.argv[1], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(4096) + b"\n")
PY
: > "$T/syslog.txt"
unshare -m --propagation private sh -c '
	T=$1; shift
	mkdir "$T/olddev" && mount --rbind /dev "$T/olddev" &&
	mount -t tmpfs -o mode=755 hcdev /dev || exit 1
	for n in null zero full random urandom tty ptmx; do
		: > "/dev/$n" && mount --bind "$T/olddev/$n" "/dev/$n" || exit 1
	done
	mkdir /dev/pts /dev/shm && mount --rbind "$T/olddev/pts" /dev/pts &&
		mount --rbind "$T/olddev/shm" /dev/shm || exit 1
	ln -s /proc/self/fd /dev/fd
	python3 "$T/syslogd.py" "$T/syslog.txt" & echo $! > "$T/syslogd.pid"
	for _ in $(seq 100); do [ -S /dev/log ] && break; sleep 0.05; done
	exec "$@"' sh "$T" "$HOSTCALLD" --socket "$S" --socket-mode 0666 --user nobody \
	--audit syslog --map-user "$GA=hctest_alice" 2> "$LOG" &
DAEMON=$!
if hostcalld_wait "$S" "$DAEMON"; then
	as hctest_ga sh -c ": > /host$D/sticky/syslog-a" > /dev/null 2>&1
	undaemon
	want_a="<86>hostcalld["
	want_b=" guest uid $GA as hctest_alice (uid $ALICE): openat \"$D/sticky/syslog-a\""
	if grep -F "$want_a" "$T/syslog.txt" | grep -qF "$want_b"; then
		ok "--audit syslog: alice's create reaches /dev/log as authpriv.info, with ids"
	else
		not_ok "--audit syslog: alice's create reaches /dev/log as authpriv.info, with ids" \
			"want: $want_a...$want_b" "got: $(head -n 5 "$T/syslog.txt")" "$(cat "$LOG")"
	fi
else
	not_ok "hostcalld --audit syslog starts (in a namespace with a /dev/log of the test's)" \
		"$(cat "$LOG")"
	DAEMON=
fi
[ -s "$T/syslogd.pid" ] && kill "$(cat "$T/syslogd.pid")" 2>/dev/null

# --unmapped deny: the unmapped client is refused with EACCES, a mapped one served
if daemon --user nobody --unmapped deny --map-user "$GA=hctest_alice"; then
	out=$(setpriv --reuid nobody --regid nogroup --clear-groups -- \
		env HOSTCALL_SOCKET="$S" HOSTCALL_DEBUG=1 LD_PRELOAD="$LIBHOSTCALL" \
		cat "/host$D/rootfile" 2>&1)
	case $out in
	*"Permission denied"*) ok "--unmapped deny: an unmapped client is refused (EACCES)" ;;
	*) not_ok "--unmapped deny: an unmapped client is refused (EACCES)" "$out" ;;
	esac
	grep -q "refused: no map entry" "$LOG" && ok "... and the log says why" ||
		not_ok "... and the log says why" "$(cat "$LOG")"
	out=$(as hctest_ga cat "/host$D/secret" 2>&1)
	[ "$out" = "alice's secret" ] && ok "--unmapped deny: a mapped client is served" ||
		not_ok "--unmapped deny: a mapped client is served" "$out"
else
	not_ok "hostcalld --unmapped deny starts" "$(cat "$LOG")"
fi
undaemon

# tar x and cp -a as client root mapped to alice, of files whose owners are mapped ids
# (root's, shown and set as guest 0): into alice's area they exit 0, the files alice's
mkdir -p "$D/alice-area" "$T/src/sub"
chown hctest_alice: "$D/alice-area"
echo one > "$T/src/one"
echo two > "$T/src/sub/two"
tar -C "$T/src" -cf "$T/src.tar" .
if daemon --user nobody --map-user "0=hctest_alice" --map-group "0=hctest_alice"; then
	mkdir -p "$D/alice-area/tar"
	chown hctest_alice: "$D/alice-area/tar"
	out=$(env HOSTCALL_SOCKET="$S" LD_PRELOAD="$LIBHOSTCALL" \
		tar -C "/host$D/alice-area/tar" -xf "$T/src.tar" 2>&1)
	rc=$?
	owners=$(find "$D/alice-area/tar" -mindepth 1 -printf '%u:%g\n' | sort -u | tr '\n' ' ')
	[ "$rc" = 0 ] && [ "$owners" = "hctest_alice:hctest_alice " ] &&
		ok "tar x as root mapped to alice: exit 0, the files are alice's" ||
		not_ok "tar x as root mapped to alice: exit 0, the files are alice's" "rc $rc: $out" \
			"owners: $owners"
	out=$(env HOSTCALL_SOCKET="$S" LD_PRELOAD="$LIBHOSTCALL" \
		cp -a "$T/src" "/host$D/alice-area/cp" 2>&1)
	rc=$?
	owners=$(find "$D/alice-area/cp" -printf '%u:%g\n' | sort -u | tr '\n' ' ')
	[ "$rc" = 0 ] && [ "$owners" = "hctest_alice:hctest_alice " ] &&
		[ "$(cat "$D/alice-area/cp/sub/two")" = two ] &&
		ok "cp -a as root mapped to alice: exit 0, the copies are alice's" ||
		not_ok "cp -a as root mapped to alice: exit 0, the copies are alice's" "rc $rc: $out" \
			"owners: $owners"
	got=$(env HOSTCALL_SOCKET="$S" LD_PRELOAD="$LIBHOSTCALL" stat -c '%u:%g' \
		"/host$D/alice-area/cp/one" 2>&1)
	[ "$got" = 0:0 ] && ok "... and show as root's (guest 0) through /host" ||
		not_ok "... and show as root's (guest 0) through /host" "$got"
else
	not_ok "hostcalld --map-user 0=hctest_alice starts" "$(cat "$LOG")"
fi
undaemon

# --identity passthrough: client ids are host ids. The same operations (idcompare.c: 17
# modes, a 0700 directory, sticky and setgid directories, chmod, chown, a setuid file
# written) as root and as two users, natively and through /host, give the same answers.
if daemon --identity passthrough --allow-root; then
	PA=$(id -u hctest_alice) PB=$(id -u hctest_bob) PG=$(id -g hctest_alice)
	for u in root hctest_alice hctest_bob; do
		rm -rf "$T/native" "$T/via"
		mkdir -p "$T/native" "$T/via"
		chmod 755 "$T/native" "$T/via"
		"$IDCOMPARE" setup "$T/native" "$PA" "$PB" "$PG" &&
			"$IDCOMPARE" setup "$T/via" "$PA" "$PB" "$PG" || {
			not_ok "passthrough as $u: the tree is made"; continue; }
		setpriv --reuid "$u" --regid "$(id -g "$u")" --init-groups -- \
			"$IDCOMPARE" run "$T/native" > "$T/native.out" 2>&1
		setpriv --reuid "$u" --regid "$(id -g "$u")" --init-groups -- \
			env HOSTCALL_SOCKET="$S" LD_PRELOAD="$LIBHOSTCALL" \
			"$IDCOMPARE" run "/host$T/via" > "$T/via.out" 2>&1
		lines=$(wc -l < "$T/native.out")
		if [ "$lines" -gt 60 ] && cmp -s "$T/native.out" "$T/via.out"; then
			ok "passthrough as $u: $lines answers through /host are the host kernel's own"
		else
			not_ok "passthrough as $u: $lines answers through /host are the host kernel's own" \
				"$(diff "$T/native.out" "$T/via.out" | head -n 20)"
		fi
	done
else
	not_ok "hostcalld --identity passthrough starts" "$(cat "$LOG")"
fi
undaemon

# a malformed map is refused at start, saying what is wrong
refused() {
	local name=$1 want=$2 out rc
	shift 2
	out=$(timeout 10 "$HOSTCALLD" --socket "$T/bad.sock" --user nobody "$@" 2>&1)
	rc=$?
	case "$rc:$out" in
	0:* | 124:*) not_ok "$name" "exit $rc: $out" ;;
	*"$want"*) ok "$name" ;;
	*) not_ok "$name" "exit $rc: $out" ;;
	esac
}
refused "overlapping ranges are refused" "overlaps" --map-user 1000-1010=2000-2010 \
	--map-user 1005=hctest_bob
refused "a range to a name is refused" "range of host ids" --map-user 1000-1001=hctest_bob
refused "ranges of different lengths are refused" "the host range has" \
	--map-user 1000-1001=2000-2005
refused "the overflow id cannot be mapped" "overflow id" --map-user 65534=hctest_bob
refused "a map to host root needs --allow-root" "--allow-root" --map-user 1000=root
refused "an unknown host user is named" "no such host user 'nosuchuser_hc'" \
	--map-user 1000=nosuchuser_hc
printf '# a map\nuser %s=hctest_alice\ngroup 12x=users\n' "$GA" > "$T/map"
refused "--map-file names the bad line" "map:3" --map-file "$T/map"
refused "passthrough needs --allow-root" "--allow-root" --identity passthrough
out=$(setpriv --reuid nobody --regid nogroup --clear-groups -- \
	"$HOSTCALLD" --socket "$T/nr.sock" --map-user 1000=nobody 2>&1)
case $out in
*"needs root"*) ok "an identity map needs hostcalld to run as root" ;;
*) not_ok "an identity map needs hostcalld to run as root" "$out" ;;
esac

summary
[ "$FAIL" = 0 ]
