#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make run driven through tmux (a private server: send-keys, capture-pane):
# the dosh prompt comes up on the guest's console, `cat /host/etc/hostname`
# shows the host's file, `!hostname` runs on the host, `!stty size` there
# gives the pane's size and keys typed reach a host program through its pty,
# Ctrl-C ends a local program (the console is dosh's controlling terminal), `exit` powers the guest off,
# QEMU ends and no hostcalld is left. Reports like tests/vm/run.sh.
#
# usage: tests/vm/boot-tty.sh [--verbose]    env: KVER, B (as for make run)
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
B=${B:-build}
KVER=${KVER:-$(tests/vm/kver.sh)}
verbose=0
[ "${1:-}" = --verbose ] || [ "${1:-}" = -v ] && verbose=1
tag="vm[run]"
L=hcvm-tty-$$
sock=$B/vm/shell/hostcall.sock		# as tests/vm/boot.sh names it
nok=0 nfail=0 nskip=0
start=$(date +%s.%N)

ok() { nok=$((nok + 1)); echo "  ok    $1"; }
skip() { nskip=$((nskip + 1)); echo "  skip  $1: $2"; }
fail() {
	nfail=$((nfail + 1)); echo "  FAIL  $1: $2"
	pane | grep -v '^$' | tail -n 15 | sed 's/^/    pane: /'
}

T() { tmux -L "$L" "$@"; }
pane() { T capture-pane -p -J -t run -S -500 2>/dev/null | tr -d '\r'; }
# wait_count REGEX N SECONDS: until more than N whole lines match REGEX;
# fails at once when make run has ended (nothing more will come).
wait_count() {
	local i=0
	while [ "$(pane | grep -cE "^$1\$")" -le "$2" ]; do
		[ $i -ge $(($3 * 10)) ] && return 1
		case $1 in make\ run\ exited*) ;; *)
			pane | grep -qE '^make run exited with [0-9]+$' && return 1 ;;
		esac
		sleep 0.1; i=$((i + 1))
	done
}
wait_line() { wait_count "$1" 0 "$2"; }
# expect_count NAME REGEX N SECONDS WHY: ok NAME once more than N lines match, else fail
expect_count() {
	if wait_count "$2" "$3" "$4"; then ok "$1"; else fail "$1" "$5"; fi
}
# our QEMU and hostcalld, by what only this harness passes them
ours() { pgrep -f -- "hctest.mode=shell|--ivshmem $sock" | tr '\n' ' '; }

cleanup() {
	T kill-server 2>/dev/null
	for _ in $(seq 50); do
		[ -z "$(ours)" ] && return
		sleep 0.1
	done
	for p in $(ours); do kill -KILL "$p" 2>/dev/null; done
}
trap cleanup EXIT

command -v tmux >/dev/null || { echo "$tag: no tmux (make vm-deps)" >&2; exit 1; }
[ -z "$(ours)" ] || { echo "$tag: a make run is already going: $(ours)" >&2; exit 1; }
run_user=
[ "$(id -u)" = 0 ] && run_user=nobody
hostname_file=$(head -n 1 /etc/hostname 2>/dev/null)
hostname_now=$(hostname)

# A clean make: not the jobserver of a make that runs this script.
unset MAKEFLAGS MAKELEVEL MFLAGS
rows=40 cols=132
T new-session -d -s run -x $cols -y $rows \
	"make --no-print-directory run KVER=$KVER B=$B RUN_USER=$run_user; echo \"make run exited with \$?\"; sleep 3600"

# boot.sh may wait for another VM run first (tests/vm/lock.sh)
if ! wait_line 'run: guest kernel .*' 900; then
	fail make-run-starts "make run did not start QEMU"
	exit 1
fi
# the prompt shows both sides: "dosh [local:~ | host:/]# "
if wait_line 'dosh .*[$#] ?' 60; then
	ok run-dosh-prompt
else
	fail run-dosh-prompt "no dosh prompt within 60 s of QEMU's start"
	exit 1
fi

T send-keys -t run 'cat /host/etc/hostname' Enter
if [ -z "$hostname_file" ]; then
	skip run-cat-host-hostname "this host has no /etc/hostname"
elif wait_line "$hostname_file" 20; then
	ok run-cat-host-hostname
else
	fail run-cat-host-hostname "no line '$hostname_file' (the host's /etc/hostname)"
fi

# !hostname runs on the host (HOSTCALL_IOC_SPAWN in the VM)
before=$(pane | grep -cxF "$hostname_now")
T send-keys -t run '!hostname' Enter
expect_count run-host-hostname "$hostname_now" "$before" 20 \
	"no new line '$hostname_now' (the host's hostname)"
# a foreground !cmd runs on a host pty (a stream file in the guest):
# it has the pane's size, and keys typed reach the host program
T send-keys -t run '!stty size' Enter
expect_count run-host-pty-size "$rows $cols" 0 20 \
	"no line '$rows $cols' (the pane's size) from !stty size"
T send-keys -t run "!sh -c 'read x; echo got-\$x'" Enter
sleep 1
T send-keys -t run 'abc' Enter
expect_count run-host-pty-keys 'got-abc' 0 20 \
	"no line 'got-abc': keys typed did not reach the host program"

# dosh's controlling terminal is the console: Ctrl-C reaches a local program
# (the next prompt may follow the echoed ^C on the same line)
T send-keys -t run 'sleep 30' Enter
sleep 1
prompts=$(pane | grep -cE '^(\^C)?dosh .*[$#] ?$')
T send-keys -t run C-c
if wait_count '(\^C)?dosh .*[$#] ?' "$prompts" 10; then
	ok run-ctrl-c
else
	fail run-ctrl-c "Ctrl-C did not end a local sleep 30 (no controlling terminal?)"
fi

T send-keys -t run 'exit' Enter
if ! wait_line 'make run exited with [0-9]+' 60; then
	fail run-exit-poweroff "make run still running 60 s after exit"
elif ! pane | grep -qx 'make run exited with 0'; then
	fail run-exit-poweroff "$(pane | grep '^make run exited')"
elif ! pane | grep -qE '^guest: dosh exited with [0-9]+; powering off'; then
	fail run-exit-poweroff "the guest did not say it powers off"
elif ! pane | grep -q '^run: QEMU exited (0); hostcalld stopped, no shadow left'; then
	fail run-exit-poweroff "boot.sh did not report QEMU gone and hostcalld stopped"
elif [ -n "$(ours)" ]; then
	fail run-exit-poweroff "still running: $(ours)"
else
	ok run-exit-poweroff
fi
[ $verbose = 0 ] || pane | grep -v '^$' | sed 's/^/    pane: /'

secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
status=PASS
[ $nfail = 0 ] || status=FAIL
echo "$tag: $nok ok, $nfail failed, $nskip skipped, $secs s wall: $status"
echo "$nok passed, $nfail failed, $nskip skipped"
[ $nfail = 0 ]
