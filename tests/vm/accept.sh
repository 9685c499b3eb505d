# SPDX-License-Identifier: GPL-2.0-only
# Host side of the acceptance run (tests/vm/run.sh --mode accept, sourced
# by run.sh from the top of the tree): /etc/printcap and a private CUPS
# daemon before the boot, then the guest's outputs (tests/vm/guest/
# 60-accept.sh) compared with the host's files and the job CUPS received.
#
#   accept_setup TOKEN          printcap, cupsd; sets accept_env for hostcalld
#   accept_check LOG RESULTS    appends "HCTEST ok|fail NAME" lines to RESULTS
#   accept_cleanup              stops cupsd, removes what accept_setup made

. tests/dosh/cups.sh

accept_made=()		# files and directories to remove, in this order
accept_env=()		# VAR=VALUE for hostcalld, passed on to its host commands (--pass-env)
accept_cups_err=
accept_jobs_before=0

# accept_setup TOKEN: /etc/printcap is used as it is if it exists; if it is
# absent it is written for this run (TOKEN in it), and if it is a dangling
# symlink (CUPS's /run/cups/printcap while the system's cupsd is not
# running) its target is, so that the system's cupsd is never involved.
accept_setup() {
	local content tgt
	content=$(printf '# /etc/printcap written by tests/vm for one run (%s), removed afterwards\ntestq|hostcall VM test queue:rm=localhost:rp=testq:' "$1")
	if [ -e /etc/printcap ]; then
		echo "$tag: /etc/printcap: the host's own ($(stat -L -c %s /etc/printcap) bytes)"
	else
		tgt=/etc/printcap
		if [ -L /etc/printcap ]; then
			tgt=$(readlink /etc/printcap)
			case $tgt in /*) ;; *) tgt=/etc/$tgt ;; esac
			if [ ! -d "$(dirname "$tgt")" ]; then
				mkdir -p "$(dirname "$tgt")" || return 1
				accept_made=("$(dirname "$tgt")")
			fi
		fi
		printf '%s\n' "$content" >"$tgt" && chmod 0644 "$tgt" || return 1
		accept_made=("$tgt" "${accept_made[@]+"${accept_made[@]}"}")
		echo "$tag: /etc/printcap: none on this host$([ $tgt = /etc/printcap ] || echo " (a link to $tgt)"); wrote $tgt for this run"
	fi
	# the private cupsd must not hold run.sh's lock (fd 9)
	if cups_start 9>&- 2>"$work/cups.err"; then
		accept_env=(CUPS_SERVER="$CUPS_SOCK")
		accept_jobs_before=$(cups_last_job)
		echo "$tag: private cupsd on $CUPS_SOCK, queue testq"
	else
		accept_cups_err="the private cupsd did not start: $(tr '\n' ' ' <"$work/cups.err")"
		echo "$tag: $accept_cups_err" >&2
	fi
}

accept_cleanup() {
	local f
	cups_stop || true	# (not under set -e: it kills what may be gone)
	for f in "${accept_made[@]+"${accept_made[@]}"}"; do
		if [ -d "$f" ]; then rmdir "$f"; else rm -f "$f"; fi
	done
	accept_made=()
}

# accept_output NAME LOG FILE: the bytes the guest printed for NAME into
# FILE, checked against the size and sha256 it gave. Returns 1 if the
# guest printed no output for NAME, 2 if the console did not carry it intact.
accept_output() {
	local info want got
	info=$(tr -d '\r' <"$2" | sed -n "s/^HCTEST info $1: \\([0-9]* bytes, sha256 [0-9a-f]*\\), newline at end: \\(yes\\|no\\)\$/\\1 \\2/p" | tail -n 1)
	[ -n "$info" ] || return 1
	tr -d '\r' <"$2" | awk -v b="HCTEST-OUT $1 begin" -v e="HCTEST-OUT $1 end" \
		'$0 == e { exit } on { print } $0 == b { on = 1 }' >"$3.tmp"
	case $info in
	*" no") head -c -1 "$3.tmp" >"$3" ;;
	*) mv "$3.tmp" "$3" ;;
	esac
	rm -f "$3.tmp"
	want=${info% *}
	got="$(wc -c <"$3") bytes, sha256 $(sha256sum <"$3" | cut -d' ' -f1)"
	[ "$got" = "$want" ] || { echo "console copy has $got, the guest said $want"; return 2; }
}

# accept_compare NAME GOT WANT: ok, or fail with the first lines of the diff.
accept_compare() {
	if cmp -s "$2" "$3"; then
		echo "HCTEST ok $1"
	else
		echo "HCTEST fail $1: differs from the host's: $(diff "$3" "$2" | head -n 6 | tr '\n' '|')"
	fi
}

# accept_check LOG RESULTS
accept_check() {
	local log=$1 d=$work/accept n why job out line
	mkdir -p "$d"
	{
	# 1. the shim, with GNU cat and with a musl-linked cat
	for n in shim musl; do
		if why=$(accept_output accept-$n-printcap "$log" "$d/$n.out"); then
			accept_compare accept-$n-printcap "$d/$n.out" /etc/printcap
		else
			echo "HCTEST fail accept-$n-printcap: ${why:-the guest printed no output}"
		fi
	done

	# 2. hostfs: the printcap's bytes, then ls -l's lines. The guest has
	# no passwd or group entries: its ls -l shows the numeric ids that
	# the host's ls -ln does. hostfs shows an absolute symlink target as
	# one relative to the mount's root (symlinks=mount): "/x" is "../x".
	if why=$(accept_output accept-hostfs "$log" "$d/hostfs.out"); then
		n=$(stat -L -c %s /etc/printcap)
		head -c "$n" "$d/hostfs.out" >"$d/hostfs.printcap"
		tail -c +$((n + 1)) "$d/hostfs.out" >"$d/hostfs.ls"
		(cd / && LC_ALL=C TZ=UTC ls -ln /etc) >"$d/host.ls-all"
		head "$d/host.ls-all" | sed 's| -> /| -> ../|' >"$d/host.ls"
		accept_compare accept-hostfs-printcap "$d/hostfs.printcap" /etc/printcap
		accept_compare accept-hostfs-ls "$d/hostfs.ls" "$d/host.ls"
	else
		echo "HCTEST fail accept-hostfs-printcap: ${why:-the guest printed no output}"
		echo "HCTEST fail accept-hostfs-ls: ${why:-the guest printed no output}"
	fi

	# 3. the job: PostScript from a2ps, with test.c's marker, queued by
	# lpr on the host as the shadows' user
	job=$((accept_jobs_before + 1))
	out=$CUPS_DIR/out/job-$job.ps
	[ ! -f "$out" ] || cp "$out" "$d/job.ps"	# cupsd's dir goes at the end
	if [ -n "$accept_cups_err" ]; then
		echo "HCTEST fail accept-dosh-lpr: $accept_cups_err"
	elif ! cups_wait_output "$job" 30; then
		echo "HCTEST fail accept-dosh-lpr: no completed job $job within 30 s; lpstat: $(CUPS_SERVER=$CUPS_SOCK lpstat -W all -o testq 2>&1 | tr '\n' '|')"
	elif [ "$(head -c 4 "$out")" != '%!PS' ]; then
		echo "HCTEST fail accept-dosh-lpr: job $job is not PostScript: $(head -c 40 "$out" | od -c | head -n 2 | tr '\n' ' ')"
	elif ! grep -q 'hostcall_vm_marker_4711 = 4711;' "$out"; then
		echo "HCTEST fail accept-dosh-lpr: job $job ($(wc -c <"$out") bytes) lacks test.c's line 'hostcall_vm_marker_4711 = 4711;'"
	else
		line=$(CUPS_SERVER=$CUPS_SOCK lpstat -W completed -o testq | grep "^testq-$job ")
		case $line in
		*" ${accept_user:-$(id -un)} "*) echo "HCTEST ok accept-dosh-lpr" ;;
		*) echo "HCTEST fail accept-dosh-lpr: job $job is not ${accept_user:-$(id -un)}'s: $line" ;;
		esac
	fi
	} >>"$2"
}

# accept_stamp: each line of stdin with the time it came (seconds, to the us)
accept_stamp() {
	local line
	while IFS= read -r line; do
		printf '%s %s\n' "$EPOCHREALTIME" "$line"
	done
}

# accept_inflight_window LOG N: for the Nth `spawn "sleep" = PID` of LOG
# (accept_stamp's), the op lines that came between a second after it and a
# second before its `wait = PID` (what the guest's 63-inflight.sh made while
# the host's sleep ran): "COUNT SECONDS | EXAMPLES"; "none" if there is no
# such spawn or wait
accept_inflight_window() {
	awk -v n="$2" '
	/: spawn "sleep" = [0-9]+$/ && !pid && ++k == n { t0 = $1; pid = $NF; next }
	pid && $0 ~ (": wait = " pid "$") { t1 = $1; exit }
	pid && / hostcalld: subject [0-9]+: [a-z_]+( |$)/ && !/: shadow pid / &&
	    !/: forked for the guest/ { t[++m] = $1; l[m] = $0 }
	END {
		if (!t1) { print "none"; exit }
		for (i = 1; i <= m; i++)
			if (t[i] > t0 + 1 && t[i] < t1 - 1) { c++; if (c <= 3) ex = ex " | " l[i] }
		printf "%d %.1f s%s\n", c, t1 - t0, ex
	}' "$1"
}

# accept_inflight_check LOG: the counts of 63-inflight.sh's two `!sleep`s
accept_inflight_check() {
	local w
	w=$(accept_inflight_window "$1" 1)
	case $w in
	none) echo "HCTEST fail inflight-sleep-count: no spawn of sleep and its wait in hostcalld's log" ;;
	"0 "*) echo "HCTEST ok inflight-sleep-count"
	       echo "HCTEST info inflight-sleep-count: no hostcall in the ${w#* } of !sleep 10 but its spawn, stream reads and wait" ;;
	*) echo "HCTEST fail inflight-sleep-count: ${w%% *} hostcalls while !sleep ran (${w#* })" ;;
	esac
	w=$(accept_inflight_window "$1" 2)
	case $w in
	none) echo "HCTEST fail inflight-polling-count: no second spawn of sleep and its wait in hostcalld's log" ;;
	"0 "*) echo "HCTEST fail inflight-polling-count: HOSTCALL_NO_INFLIGHT=1 made no hostcall while !sleep ran: the count cannot see polling" ;;
	*) echo "HCTEST ok inflight-polling-count"
	   w=${w%% |*}
	   echo "HCTEST info inflight-polling-count: HOSTCALL_NO_INFLIGHT=1 polls: ${w%% *} hostcalls in ${w#* }" ;;
	esac
}
