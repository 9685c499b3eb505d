#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Boot the test guest under QEMU, let it run the in-guest tests, and report
# each "HCTEST" result line from its console log. Fails on a failed or
# missing result, a kernel panic or oops, or a timeout.
#
# usage: tests/vm/run.sh [--mode none|testpeer|hostcalld|accept|users|passthrough] [--kvm]
#                        [--timeout S]
#                        [--only 'NN-a.sh NN-b.sh'] [--smp N] [--mem M]
#                        [--no-build] [--verbose]
#   none       no ivshmem device: hostcall.ko must load and stay idle
#   testpeer   ivshmem-doorbell device served by tests/vm/hc_testpeer.c, a
#              test peer for the transport (not hostcalld)
#   hostcalld  served by build/hostcalld --ivshmem --root over a tree made
#              here (as root, shadows run as nobody), where the host refuses
#              to spawn; the guest's last test asks for hostcalld to be
#              killed (SIGKILL), and the host side checks the file the guest
#              wrote and that no shadow is left
#   accept     the acceptance commands (guest/60-accept.sh) against
#              build/hostcalld --ivshmem serving the whole host, with a
#              private cupsd (tests/vm/accept.sh); the host side compares
#              the guest's outputs with /etc/printcap, ls -ln /etc, the job;
#              the tests of host programs run here (no --root)
#   users      guest users are host users: build/hostcalld --ivshmem serving
#              the whole host (as root) with --map-user for the guest's alice
#              (1000) and bob (1001), host users made here; guest/64-users.sh
#              runs su -s /bin/dosh alice -c '!id -un' and the like, and the
#              host side checks the owners of what they made
#   passthrough  build/hostcalld --ivshmem --identity passthrough (as root):
#              guest/66-passthrough.sh runs tests/integration/idcompare.c as
#              root, 1000 and 1001 on hostfs; the host side compares each
#              output with the same operations run natively
# env: KVER (default: tests/vm/kver.sh), B (default: build)
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
B=${B:-build}
mode=none accel=tcg timeout=180 only= smp=1 mem=256M build=1 verbose=0 token=
while [ $# -gt 0 ]; do
	case $1 in
	--mode) mode=$2; shift 2 ;;
	--mode=*) mode=${1#--mode=}; shift ;;
	--kvm) accel=kvm; shift ;;
	--timeout) timeout=$2; shift 2 ;;
	--only) only=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--no-build) build=0; shift ;;
	--verbose | -v) verbose=1; shift ;;
	*) sed -n '/^# usage/,/^# env/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
case $mode in none | testpeer | hostcalld | accept | users | passthrough) ;; *) echo "run: unknown mode $mode" >&2; exit 2 ;; esac

KVER=${KVER:-$(tests/vm/kver.sh)}
export KVER B
kernel=/boot/vmlinuz-$KVER
initrd=$B/vm/initramfs-$KVER.cpio.gz
work=$B/vm/run-$mode
log=$work/console.log
tag="vm[$mode]"
mkdir -p "$work"
rm -f "$log" "$work"/*.log "$work/killed" "$work/host-results"

die() { echo "$tag: $*" >&2; exit 1; }
. tests/vm/lock.sh
vm_lock "$tag" || exit 1
[ -r "$kernel" ] || die "cannot read $kernel (install linux-image-$KVER; Debian makes it root-only)"
command -v qemu-system-x86_64 >/dev/null || die "no qemu-system-x86_64 (make vm-deps)"
[ $build = 0 ] || tests/vm/build-initramfs.sh -o "$initrd"
[ -f "$initrd" ] || die "no $initrd (run without --no-build)"

peer_pid= watch_pid= fds_pid= made_user= vm_alice=hctest_vmalice vm_bob=hctest_vmbob users_area= pt_area=
cleanup() {
	[ -z "$fds_pid" ] || kill "$fds_pid" 2>/dev/null || true
	if [ -n "$watch_pid" ]; then
		kill "$watch_pid" 2>/dev/null || true
		wait "$watch_pid" 2>/dev/null || true
	fi
	if [ -n "$peer_pid" ]; then
		kill "$peer_pid" 2>/dev/null || true
		wait "$peer_pid" 2>/dev/null || true
	fi
	[ $mode != accept ] || accept_cleanup
	for u in $made_user; do
		pkill -KILL -u "$u" 2>/dev/null || true
		userdel "$u" 2>/dev/null || true
	done
	[ -z "$users_area" ] || rm -rf -- "$users_area"
	[ -z "$pt_area" ] || rm -rf -- "$pt_area"
}
trap cleanup EXIT

# Socket paths are limited to 108 bytes: keep it short and private.
sock=$work/ivshmem.sock
ivshmem_args=()
user_args=() accept_user=
if [ "$(id -u)" = 0 ]; then
	user_args=(--user nobody)
	accept_user=nobody
fi
# need_root WHY: a mode that must be root: without it, skipped (not failed)
need_root() {
	[ -x "$B/hostcalld" ] || die "no $B/hostcalld (make all)"
	if [ "$(id -u)" != 0 ]; then
		echo "$tag: skipped: it needs root ($1)"
		exit 0
	fi
}
case $mode in
testpeer)
	peer=$B/vm/hc_testpeer	# make test-helpers
	. tests/lib/hostcalld.sh
	why=$(helper_check "$peer" tests/vm/hc_testpeer.c proto/hc_ring.h proto/hc_codec.c) ||
		die "$why"
	rm -f "$sock"
	"$peer" --socket "$sock" --vectors 1 >"$work/peer.log" 2>&1 9>&- &
	peer_pid=$!
	;;
hostcalld)
	[ -x "$B/hostcalld" ] || die "no $B/hostcalld (make all)"
	# The exported tree: hc_vmtest reads hello.txt, writes sub/, opens fifo.
	hostroot=$work/hostroot
	rm -rf "$hostroot" "$work/shadow-fds"
	mkdir -p "$hostroot/sub"
	token=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
	echo "hello from the host $token" >"$hostroot/hello.txt"
	mkfifo "$hostroot/fifo"
	chmod 755 "$hostroot"
	chmod 777 "$hostroot/sub"
	chmod 666 "$hostroot/fifo"
	# 50-hostfs.sh looks up every file of many/ (inode handles are bounded)
	mkdir "$hostroot/many"
	(cd "$hostroot/many" && seq -f 'f%06.0f' 100000 | xargs touch)
	# ... and lists twok/ (readdirplus)
	mkdir "$hostroot/twok"
	(cd "$hostroot/twok" && seq -f 'g%04.0f' 2000 | xargs touch)
	rm -f "$sock"
	# as root, guest uid 1000 is a host user of its own (hc-identity)
	map_args=()
	if [ "$(id -u)" = 0 ]; then
		id -u "$vm_alice" >/dev/null 2>&1 || useradd -M -d / -s /bin/sh "$vm_alice" ||
			die "cannot create the host user $vm_alice"
		made_user=$vm_alice
		map_args=(--map-user "1000=$vm_alice")
	fi
	# fewer subjects than hc-bye opens: only BYE lets them all through
	"$B/hostcalld" --ivshmem "$sock" --root "$hostroot" --max-subjects 48 \
		"${user_args[@]}" "${map_args[@]+"${map_args[@]}"}" --verbose \
		>"$work/peer.log" 2>&1 9>&- &
	peer_pid=$!
	disown "$peer_pid"	# its SIGKILL is part of the test, not news
	;;
accept)
	[ -x "$B/hostcalld" ] || die "no $B/hostcalld (make all)"
	. tests/vm/accept.sh
	token=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
	accept_setup "$token" || die "cannot write /etc/printcap for the run"
	rm -f "$sock"
	pass_args=()	# host programs get accept_env's variables only if passed
	for v in "${accept_env[@]+"${accept_env[@]}"}"; do pass_args+=(--pass-env "${v%%=*}"); done
	# the log also with the time each line came (accept_inflight_check)
	env "${accept_env[@]+"${accept_env[@]}"}" "$B/hostcalld" --ivshmem "$sock" \
		"${user_args[@]}" "${pass_args[@]+"${pass_args[@]}"}" --verbose \
		> >(tee "$work/peer.log" | accept_stamp >"$work/peer.ts.log") 2>&1 9>&- &
	peer_pid=$!
	;;
users)
	need_root "it makes host users"
	for u in "$vm_alice" "$vm_bob"; do
		id -u "$u" >/dev/null 2>&1 || useradd -M -d / -s /bin/sh "$u" ||
			die "cannot create the host user $u"
		made_user="$made_user $u"
	done
	token=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
	users_area=/tmp/hctest-users-$token
	mkdir -m 1777 "$users_area"
	chmod 1777 "$users_area"
	mkdir -m 777 "$users_area/two"	# guest/idusers.c's (not sticky)
	chmod 777 "$users_area/two"
	rm -f "$sock"
	"$B/hostcalld" --ivshmem "$sock" --user nobody --map-user "1000=$vm_alice" \
		--map-user "1001=$vm_bob" --verbose >"$work/peer.log" 2>&1 9>&- &
	peer_pid=$!
	;;
passthrough)
	need_root "passthrough shadows are any user"
	idc=$B/tests/idcompare	# make test-helpers
	[ -x "$idc" ] || die "no $idc (make test-helpers)"
	token=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
	pt_area=/tmp/hctest-pt-$token
	mkdir -m 755 "$pt_area"
	for u in 0 1000 1001; do
		mkdir -m 755 "$pt_area/native-$u" "$pt_area/via-$u"
		"$idc" setup "$pt_area/native-$u" 1000 1001 1000 &&
			"$idc" setup "$pt_area/via-$u" 1000 1001 1000 || die "cannot make the trees"
		if [ $u = 0 ]; then
			"$idc" run "$pt_area/native-$u" >"$work/native-$u.out" 2>&1
		else
			setpriv --reuid=$u --regid=$u --clear-groups -- \
				"$idc" run "$pt_area/native-$u" >"$work/native-$u.out" 2>&1
		fi
	done
	# POSIX ACLs natively (guest/aclcase.sh), then in the guest on hostfs
	# (acl-via with cache=none, acl-ttl with the default cache)
	mkdir -m 755 "$pt_area/acl-native" "$pt_area/acl-via" "$pt_area/acl-ttl"
	sh tests/vm/guest/aclcase.sh "$pt_area/acl-native" \
		"setpriv --reuid=1000 --regid=1000 --clear-groups -- sh -c" \
		>"$work/native-acl.out" 2>&1
	cp "$work/native-acl.out" "$work/native-aclttl.out"
	rm -f "$sock"
	"$B/hostcalld" --ivshmem "$sock" --identity passthrough --allow-root --verbose \
		>"$work/peer.log" 2>&1 9>&- &
	peer_pid=$!
	;;
esac
if [ -n "$peer_pid" ]; then
	# QEMU reads the first messages at start-up: the server must listen.
	# hostcalld's socket appears only once it listens; the test peer says so.
	for _ in $(seq 50); do
		if [ $mode != testpeer ]; then
			[ -S "$sock" ] && break
		else
			grep -q '^ready' "$work/peer.log" 2>/dev/null && break
		fi
		kill -0 "$peer_pid" 2>/dev/null || die "ivshmem server exited: $(tail -n 3 "$work/peer.log")"
		sleep 0.1
	done
	[ -S "$sock" ] || die "ivshmem server not ready after 5 s"
	ivshmem_args=(-chardev "socket,path=$sock,id=hc"
		      -device "ivshmem-doorbell,chardev=hc,vectors=1")
fi
if [ $mode = hostcalld ]; then
	# The guest asks for hostcalld to be killed; watch its console for it.
	(
		while ! grep -q '^HCTEST info kill-hostcalld' "$log" 2>/dev/null; do
			sleep 0.1
		done
		kill -KILL "$peer_pid"
		date +%s.%N >"$work/killed"
	) 2>/dev/null &
	watch_pid=$!
	# ... and for the shadows' open fds at two points: after it looked up
	# 100,000 files, and after it dropped its caches
	(
		for at in looked-up dropped; do
			while ! grep -q "^HCTEST info shadow-fds $at" "$log" 2>/dev/null; do
				sleep 0.1
			done
			most=0
			for p in $(pgrep -f -- "--ivshmem $sock"); do
				n=$(ls "/proc/$p/fd" 2>/dev/null | wc -l)
				[ "$n" -gt "$most" ] && most=$n
			done
			echo "$at $most" >>"$work/shadow-fds"
		done
	) 2>/dev/null &
	fds_pid=$!
fi

accel_args=(-accel tcg)
[ $accel = kvm ] && accel_args=(-accel kvm -cpu host)

echo "$tag: kernel $KVER, $accel, timeout ${timeout}s"
start=$(date +%s.%N)
rc=0
timeout -k 5 "$timeout" qemu-system-x86_64 "${accel_args[@]}" \
	-M pc -m "$mem" -smp "$smp" -nodefaults -no-user-config -display none \
	-no-reboot -monitor none \
	-chardev "file,id=con,path=$log" -serial chardev:con \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 quiet hctest.mode=$mode${only:+ hctest.only=${only// /,}}${token:+ hctest.token=$token}" \
	"${ivshmem_args[@]}" >"$work/qemu.log" 2>&1 || rc=$?
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')

# Host-side checks, reported like the guest's results.
host_results=$work/host-results
: >"$host_results"
# host_owners NAME FILE USER...: a result line, ok if each FILE belongs to its USER
host_owners() {
	local name=$1 bad= o
	shift
	while [ $# -ge 2 ]; do
		o=$(stat -c %U "$1" 2>/dev/null || echo missing)
		[ "$o" = "$2" ] || bad="$bad ${1##*/} is $o's, not $2's;"
		shift 2
	done
	if [ -z "$bad" ]; then
		echo "HCTEST ok $name" >>"$host_results"
	else
		echo "HCTEST fail $name:$bad" >>"$host_results"
	fi
}
if [ $mode = hostcalld ]; then
	# the scripts that make these happen list them in their expect lines
	# hc-identity: the owners on the host of what the guest's users made
	if grep -q '^HCTEST ok hc-identity' "$log"; then
		host_owners host-identity-owners "$hostroot/sub/id-alice" "$vm_alice" \
			"$hostroot/sub/id-switch" "$vm_alice" \
			"$hostroot/sub/id-root" "${user_args[1]:-$(id -un)}" \
			"$hostroot/sub/hfs-alice" "$vm_alice"
	fi
	want="written by the guest $token"
	got=$(cat "$hostroot/sub/from-guest.txt" 2>/dev/null || true)
	if [ "$got" = "$want" ]; then
		echo "HCTEST ok host-sees-guest-write" >>"$host_results"
	elif grep -q '^HCTEST ok hc-write' "$log"; then
		echo "HCTEST fail host-sees-guest-write: sub/from-guest.txt holds '$got', want '$want'" >>"$host_results"
	fi
	# fds held by a shadow: at most --max-handles (16384) and some, and
	# far fewer once the guest dropped its caches (FORGET)
	if grep -q '^HCTEST info shadow-fds dropped' "$log"; then
		up=$(awk '$1 == "looked-up" { print $2 }' "$work/shadow-fds" 2>/dev/null)
		down=$(awk '$1 == "dropped" { print $2 }' "$work/shadow-fds" 2>/dev/null)
		if [ -n "$down" ] && [ "${up:-0}" -le 16500 ] && [ "$down" -le 1000 ]; then
			echo "HCTEST ok hostfs-forget-bounded" >>"$host_results"
		else
			echo "HCTEST fail hostfs-forget-bounded: a shadow held ${up:-?} fds after 100,000 lookups and ${down:-?} once the guest dropped its caches" >>"$host_results"
		fi
		echo "HCTEST info shadow fds: ${up:-?} after 100,000 lookups, ${down:-?} after drop_caches" >>"$host_results"
	fi
	# copy_file_range in the mount: the host copied (no READ, WRITE of it)
	if grep -q '^HCTEST ok hostfs-copy-range' "$log"; then
		if grep -q ': copy_file_range = [1-9]' "$work/peer.log"; then
			echo "HCTEST ok hostfs-copy-on-host" >>"$host_results"
		else
			echo "HCTEST fail hostfs-copy-on-host: no COPY_FILE_RANGE reached hostcalld" >>"$host_results"
		fi
	fi
	# readdirplus: the round trips of the subjects of the root=/twok mount,
	# from their CHDIR there to their BYE (ids are reused), while `ls -l`
	# and `find` listed 2,000 files: a few per listing, no LOOKUP each
	if grep -q '^HCTEST ok hostfs-readdirplus' "$log"; then
		trips=$(awk '/: chdir "\/twok" = 0$/ { s[$3] = 1; next }
			($3 in s) && $4 == "bye" { delete s[$3]; next }
			($3 in s) && $4 != "shadow" { n++; if ($4 == "lookup") l++ }
			END { printf "%d %d", n, l }' "$work/peer.log")
		if [ "${trips% *}" -le 40 ] && [ "${trips#* }" -le 10 ]; then
			echo "HCTEST ok hostfs-readdirplus-trips" >>"$host_results"
		else
			echo "HCTEST fail hostfs-readdirplus-trips: ${trips% *} round trips (${trips#* } LOOKUPs) to list 2,000 files twice" >>"$host_results"
		fi
		echo "HCTEST info readdirplus: ls -l and find of 2,000 files in ${trips% *} round trips" >>"$host_results"
	fi
	if [ -e "$work/killed" ]; then
		# shadows die with the relay (lifeline, parent-death signal)
		for _ in $(seq 30); do
			left=$(pgrep -f -- "--ivshmem $sock" | tr '\n' ' ' || true)
			[ -z "$left" ] && break
			sleep 0.1
		done
		if [ -z "$left" ]; then
			echo "HCTEST ok host-no-shadow-left" >>"$host_results"
		else
			echo "HCTEST fail host-no-shadow-left: still running: $left" >>"$host_results"
		fi
	fi
fi
if [ $mode = users ]; then
	# what the guest's alice and bob made is theirs on the host
	host_owners users-host-owners "$users_area/by-alice" "$vm_alice" \
		"$users_area/by-bob" "$vm_bob" "$users_area/two/priv" "$vm_alice" \
		"$users_area/two/setuid" "$vm_alice" "$users_area/two/by-other" "$vm_bob"
fi
if [ $mode = passthrough ]; then
	# the guest's answers through hostfs against the host kernel's own
	for u in 0 1000 1001 acl aclttl; do
		# (awk reads the whole log: an early exit would be a SIGPIPE for a writer)
		awk -v b="HCTEST-OUT pt-$u begin" -v e="HCTEST-OUT pt-$u end" \
			'{ sub(/\r$/, "") } $0 == e { on = 0 } on { print } $0 == b { on = 1 }' \
			"$log" >"$work/via-$u.out"
		n=$(wc -l <"$work/native-$u.out")
		if [ "$n" -gt 60 ] && cmp -s "$work/native-$u.out" "$work/via-$u.out"; then
			echo "HCTEST ok passthrough-hostfs-$u" >>"$host_results"
		else
			echo "HCTEST fail passthrough-hostfs-$u: $(diff "$work/native-$u.out" "$work/via-$u.out" | head -n 8 | tr '\n' '|')" >>"$host_results"
		fi
	done
fi
if [ $mode = accept ]; then
	accept_check "$log" "$host_results" || true	# it reports its own failures
	accept_inflight_check "$work/peer.ts.log" >>"$host_results"
fi

# Expected results: "# expect:" lines of the scripts that ran, plus the
# mode's own ("# expect-none:", "# expect-ivshmem:" for any device mode).
expected=$( {
	echo boot kernel-log-clean
	for t in tests/vm/guest/[0-9]*.sh; do
		n=${t##*/}
		[ -z "$only" ] || [[ " $only " == *" $n "* ]] || continue
		sed -n -e 's/^# expect: //p' -e "s/^# expect-$mode: //p" "$t"
		[ $mode = none ] || sed -n 's/^# expect-ivshmem: //p' "$t"
	done } | tr ' ' '\n' | sed '/^$/d' | sort -u)

cat "$host_results" - <"$log" | tr -d '\r' | awk -v tag="$tag" -v secs="$secs" -v rc="$rc" \
	-v timeout="$timeout" -v expected="$expected" -v verbose="$verbose" '
BEGIN {
	n = split(expected, e, "\n")
	for (i = 1; i <= n; i++) want[e[i]] = 1
}
!done && /^HCTEST (ok|fail|skip) / {
	name = $3; sub(/:$/, "", name)
	st = $2
	if (st == "fail" || !(name in res)) res[name] = st
	if (!(name in first)) { order[++norder] = name; first[name] = 1 }
	line = $0; sub(/^HCTEST (ok|fail|skip) [^ :]*:? ?/, "", line)
	if (st != "ok" && line != "") why[name] = line
	next
}
!done && /^HCTEST info / { sub(/^HCTEST info /, ""); if (verbose) print "  info  " $0; info[++ninfo] = $0; next }
/^HCTEST done$/ { done = 1; next }
/Kernel panic/ { panic = $0 }
/(BUG:|Oops:|general protection fault)/ && !done { oops = $0 }
END {
	nok = nfail = nskip = nmiss = 0
	for (i = 1; i <= norder; i++) {
		nm = order[i]
		if (res[nm] == "ok") { nok++; printf "  ok    %s\n", nm }
		else if (res[nm] == "skip") { nskip++; printf "  skip  %s: %s\n", nm, why[nm] }
		else { nfail++; printf "  FAIL  %s: %s\n", nm, why[nm] }
	}
	for (nm in want) if (!(nm in res)) { nmiss++; printf "  FAIL  %s: no result (missing)\n", nm }
	bad = nfail + nmiss
	if (panic != "") { print "  FAIL  guest kernel panic: " panic; bad++ }
	if (oops != "") { print "  FAIL  guest kernel oops: " oops; bad++ }
	if (rc == 124 || rc == 137) { printf "  FAIL  timeout: the guest ran past %s s\n", timeout; bad++ }
	else if (!done) { printf "  FAIL  the guest stopped before \"HCTEST done\" (qemu exit %s)\n", rc; bad++ }
	else if (rc != 0) { printf "  FAIL  qemu exited with %s\n", rc; bad++ }
	for (i = 1; i <= ninfo; i++) if (info[i] ~ /^(kernel|done at)/) printf "  info  %s\n", info[i]
	printf "%s: %d ok, %d failed, %d skipped, %d missing, %s s wall: %s\n",
		tag, nok, nfail, nskip, nmiss, secs, bad ? "FAIL" : "PASS"
	printf "%d passed, %d failed, %d skipped\n", nok, bad, nskip
	exit bad ? 1 : 0
}' && status=0 || status=1

if [ $status != 0 ]; then
	echo "$tag: console log $log; last lines:"
	tr -d '\r' <"$log" | grep -v '^HCTEST' | tail -n 25 | sed 's/^/    /'
	[ -s "$work/qemu.log" ] && sed 's/^/    qemu: /' "$work/qemu.log" | tail -n 5
	[ -s "$work/peer.log" ] && sed 's/^/    peer: /' "$work/peer.log" | tail -n 10
fi
exit $status
