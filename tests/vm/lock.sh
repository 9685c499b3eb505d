# SPDX-License-Identifier: GPL-2.0-only
# Sourced by tests/vm/run.sh and tests/vm/boot.sh: one QEMU at a time on a
# shared machine, and one writer of $B/vm.
#
#   vm_lock TAG    waits (at most 15 min) for fd 9's flock on $HC_VM_LOCK
#                  (default /tmp/hostcall-vm.lock); returns 1 on timeout.
# Long-lived children (hostcalld, cupsd) are started with 9>&- so that the
# lock ends with the script.

vm_lock() {
	local lock=${HC_VM_LOCK:-/tmp/hostcall-vm.lock}
	exec 9>>"$lock"
	flock -n 9 && return 0
	echo "$1: waiting for the other VM run that holds $lock"
	flock -w 900 9 && return 0
	echo "$1: $lock still held after 15 min" >&2
	return 1
}
