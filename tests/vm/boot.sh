#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make run: boot the test guest interactively on this terminal (serial
# console on stdio), served by a hostcalld --ivshmem started here, with the
# host's tree mounted on /host and dosh as the shell. Exiting dosh powers
# the guest off; then hostcalld is stopped.
#
# usage: tests/vm/boot.sh [--kvm] [--no-build] [--mem M] [--smp N]
# env: RUN_USER  the host user whose rights the guest's hostcalls get
#                (hostcalld --user; default nobody when run as root; other
#                users can only be themselves)
#      KVER (default: tests/vm/kver.sh), B (default: build)
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
B=${B:-build}
accel=tcg build=1 mem=512M smp=1
while [ $# -gt 0 ]; do
	case $1 in
	--kvm) accel=kvm; shift ;;
	--no-build) build=0; shift ;;
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	*) sed -n '/^# usage/,/^#      KVER/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
KVER=${KVER:-$(tests/vm/kver.sh)}
export KVER B
tag=run
kernel=/boot/vmlinuz-$KVER
initrd=$B/vm/initramfs-$KVER.cpio.gz
work=$B/vm/shell
sock=$work/hostcall.sock

die() { echo "$tag: $*" >&2; exit 1; }
[ -r "$kernel" ] || die "cannot read $kernel (install linux-image-$KVER; Debian makes it root-only)"
[ -x "$B/hostcalld" ] || die "no $B/hostcalld (make all)"
[ -f "$B/kmod/$KVER/hostcall.ko" ] || [ -f "$B/hostcall.ko" ] ||
	die "no $B/kmod/$KVER/hostcall.ko (make kmod KVER=$KVER)"
user_args=()
if [ "$(id -u)" = 0 ]; then
	user=${RUN_USER:-nobody}
	user_args=(--user "$user")
else
	user=$(id -un)
	[ -z "${RUN_USER:-}" ] || [ "$RUN_USER" = "$user" ] ||
		die "RUN_USER=$RUN_USER needs root (hostcalld --user); as $user the guest acts as $user"
fi

. tests/vm/lock.sh
vm_lock "$tag" || exit 1
mkdir -p "$work"
[ $build = 0 ] || tests/vm/build-initramfs.sh -o "$initrd"

hc_pid=
tty_state=$(stty -g 2>/dev/null) || tty_state=
stop_hostcalld() {
	[ -n "$hc_pid" ] || return 0
	kill -TERM "$hc_pid" 2>/dev/null || true
	wait "$hc_pid" 2>/dev/null || true
	hc_pid=
}
cleanup() {
	stop_hostcalld
	[ -z "$tty_state" ] || stty "$tty_state" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

rm -f "$sock"
"$B/hostcalld" --ivshmem "$sock" "${user_args[@]}" >"$work/hostcalld.log" 2>&1 9>&- &
hc_pid=$!
for _ in $(seq 50); do
	[ -S "$sock" ] && break
	kill -0 "$hc_pid" 2>/dev/null || die "hostcalld exited: $(tail -n 3 "$work/hostcalld.log")"
	sleep 0.1
done
[ -S "$sock" ] || die "hostcalld --ivshmem $sock not listening after 5 s"

# The guest's serial line cannot learn this terminal's size or type.
size=() term=()
if read -r rows cols < <(stty size 2>/dev/null) && [ "${rows:-0}" -gt 0 ]; then
	size=("hcshell.rows=$rows" "hcshell.cols=$cols")
fi
[ -n "${TERM:-}" ] && term=("TERM=$TERM")
accel_args=(-accel tcg)
[ $accel = kvm ] && accel_args=(-accel kvm -cpu host)

echo "$tag: guest kernel $KVER ($accel); hostcalld --ivshmem $sock --user $user (log: $work/hostcalld.log)"
echo "$tag: dosh is the shell: 'exit' powers the guest off (QEMU's own escape: Ctrl-A x)"
rc=0
qemu-system-x86_64 "${accel_args[@]}" -M pc -m "$mem" -smp "$smp" \
	-nodefaults -no-user-config -nographic -serial mon:stdio -no-reboot \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 quiet hctest.mode=shell ${size[*]} ${term[*]}" \
	-chardev "socket,path=$sock,id=hc" -device ivshmem-doorbell,chardev=hc,vectors=1 ||
	rc=$?
[ -z "$tty_state" ] || stty "$tty_state" 2>/dev/null || true
stop_hostcalld
left=$(pgrep -f -- "--ivshmem $sock" | tr '\n' ' ' || true)
[ -z "$left" ] || die "QEMU exited ($rc), but hostcalld processes are left: $left"
echo "$tag: QEMU exited ($rc); hostcalld stopped, no shadow left"
exit $rc
