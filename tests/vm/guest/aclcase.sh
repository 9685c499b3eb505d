#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# aclcase.sh DIR 'AS1000' - POSIX ACLs with setfacl and getfacl in DIR (an
# empty directory of root's): the access ACL and its mask, chmod against
# the mask, a directory's default ACL and what new files, directories and
# FIFOs inherit from it (the umask ignored) or do not (the umask applied),
# removing both, and what uid 1000 may do by its own entries (a read refused
# although "other" may, a search allowed although the mode refuses it).
# AS1000 runs a command string as uid 1000 (su ... -c in the guest, setpriv
# ... sh -c on the host). Run by root on the host natively and in the guest
# on hostfs (66-passthrough.sh); run.sh compares the two outputs line by line.
d=$1
as1000=$2
cd "$d" || exit 1

# run CMD...: the command, its output with DIR and program names made
# neutral, and its status; as1000 CMD: the same as uid 1000
run() {
	printf '== %s\n' "$*"
	out=$("$@" 2>&1)
	report $?
}
as1000() {
	printf '== as 1000: %s\n' "$1" | sed "s|$d|DIR|g"
	out=$($as1000 "$1" 2>&1)
	report $?
}
report() {
	[ -z "$out" ] || printf '%s\n' "$out" | sed -e "s|$d|DIR|g" -e 's/^[a-z]*: //'
	echo "rc=$1"
}
# show FILE...: mode, owners and the ACLs of each
show() {
	for f; do
		echo "-- $f $(stat -c '%A %u %g' "$f")"
		getfacl -n -p "$f" 2>&1 | grep -v '^# file:'
	done
}

umask 022
run touch f
run mkdir dd
run setfacl -m u:1000:rw-,g:1001:r-- f
show f
run chmod 640 f
show f
run setfacl -m m::r-- f
show f
run setfacl -d -m u:1000:rwx,g::r-x,o::--- dd
show dd
run touch dd/new
run mkdir dd/sub
run mkfifo dd/fifo
show dd/new dd/sub dd/fifo
umask 077
run touch dd/new2 plain
show dd/new2 plain
umask 022
run setfacl -b f
show f
run setfacl -k dd
run touch dd/after
show dd dd/after

# uid 1000 by its own entries: refused a read "other" has, granted a search
# the mode refuses
echo data >g
chmod 644 g
run setfacl -m u:1000:--- g
as1000 "/usr/bin/cat $d/g"
run mkdir sd
chmod 700 sd
echo inside >sd/in
chmod 644 sd/in
as1000 "/usr/bin/cat $d/sd/in"
run setfacl -m u:1000:--x sd
as1000 "/usr/bin/cat $d/sd/in"
run setfacl -x u:1000 sd
as1000 "/usr/bin/cat $d/sd/in"
# only the owner (or root) sets an ACL
as1000 "setfacl -m u:1001:r $d/f"
show sd
