# SPDX-License-Identifier: GPL-2.0-only
# cups.sh - sourceable helpers that run a private CUPS daemon (own config
# directory, own Unix socket, own backend) for tests, never touching the
# system's cupsd, /etc/cups or /run/cups.
#
#   . tests/dosh/cups.sh
#   cups_start || exit 1         # sets CUPS_DIR, CUPS_SOCK; queue testq is the default
#   CUPS_SERVER=$CUPS_SOCK lpr -P testq FILE
#   cups_wait_output 1 30        # waits for $CUPS_DIR/out/job-1.ps
#   cups_stop
#
# Jobs go through a raw queue to the backend "hctest", which writes each
# job's data to $CUPS_DIR/out/job-N.ps (N is the CUPS job id). Runs as root:
# cupsd itself insists on starting as root and drops to User lp.

CUPS_DIR=
CUPS_SOCK=
CUPS_PID=

# cups__write_config DIR - cupsd.conf and cups-files.conf with every path under DIR.
cups__write_config() {
	cat > "$1/cupsd.conf" <<CONF
# Private test cupsd: a Unix socket only, no network, no browsing.
Listen $1/cups.sock
LogLevel debug
MaxLogSize 0
Browsing No
WebInterface No
DefaultAuthType Basic
IdleExitTimeout 0
JobRetryLimit 0
ErrorPolicy abort-job
PreserveJobHistory Yes
PreserveJobFiles No
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
CONF
	cat > "$1/cups-files.conf" <<CONF
ServerRoot $1
RequestRoot $1/spool
TempDir $1/spool/tmp
CacheDir $1/cache
StateDir $1/state
ServerBin $1/bin
ServerKeychain $1/ssl
DataDir /usr/share/cups
DocumentRoot /usr/share/cups/doc-root
AccessLog $1/log/access_log
ErrorLog $1/log/error_log
PageLog $1/log/page_log
Printcap $1/printcap
User lp
Group lp
SystemGroup root
FileDevice Yes
CONF
}

# cups__write_backend DIR - ServerBin: /usr/lib/cups's subdirectories by symlink,
# and a backend directory of our own holding only hctest.
cups__write_backend() {
	mkdir -p "$1/bin/backend" || return 1
	for d in /usr/lib/cups/*/; do
		d=${d%/}
		[ "${d##*/}" = backend ] || ln -s "$d" "$1/bin/${d##*/}" || return 1
	done
	# Runs as lp (mode 0755, see backend(7)); argv: job-id user title copies
	# options [file]. Without a file argument the job data is on stdin.
	cat > "$1/bin/backend/hctest" <<BACKEND
#!/bin/sh
# hctest - CUPS test backend: copies each job's data to $1/out/job-ID.ps.
if [ \$# -eq 0 ]; then
	echo 'direct hctest "Unknown" "hostcall test backend"'
	exit 0
fi
out=$1/out/job-\$1.ps
if [ \$# -ge 6 ]; then
	cat -- "\$6" > "\$out.tmp" || exit 1
else
	cat > "\$out.tmp" || exit 1
fi
mv -f "\$out.tmp" "\$out" || exit 1
echo "INFO: wrote \$out" >&2
exit 0
BACKEND
	chmod 0755 "$1/bin/backend/hctest" "$1/bin/backend" "$1/bin"
}

# cups_start - start a private cupsd with queue testq (the default destination).
# Sets CUPS_DIR, CUPS_SOCK and CUPS_PID. Returns non-zero, with the reason on
# stderr, when anything fails (and cleans up after itself).
cups_start() {
	if [ "$(id -u)" != 0 ]; then
		echo "cups_start: must run as root (cupsd starts as root, then runs as lp)" >&2
		return 1
	fi
	CUPS_DIR=$(mktemp -d /tmp/hc-cups.XXXXXX) || return 1
	CUPS_SOCK=$CUPS_DIR/cups.sock
	# lp (cupsd's User) must reach the spool; any user must reach the socket.
	chgrp lp "$CUPS_DIR" && chmod 0755 "$CUPS_DIR" || { cups_stop; return 1; }
	mkdir -p "$CUPS_DIR/spool/tmp" "$CUPS_DIR/cache" "$CUPS_DIR/state" \
		"$CUPS_DIR/ssl" "$CUPS_DIR/log" "$CUPS_DIR/out" "$CUPS_DIR/ppd" || { cups_stop; return 1; }
	chown lp:lp "$CUPS_DIR/out"
	cups__write_config "$CUPS_DIR" && cups__write_backend "$CUPS_DIR" || { cups_stop; return 1; }

	cupsd -f -c "$CUPS_DIR/cupsd.conf" -s "$CUPS_DIR/cups-files.conf" \
		> "$CUPS_DIR/log/cupsd.out" 2>&1 &
	CUPS_PID=$!
	i=0
	until [ -S "$CUPS_SOCK" ] && CUPS_SERVER=$CUPS_SOCK lpstat -r >/dev/null 2>&1; do
		if ! kill -0 "$CUPS_PID" 2>/dev/null; then
			echo "cups_start: cupsd exited early; its output and error log:" >&2
			cat "$CUPS_DIR/log/cupsd.out" "$CUPS_DIR/log/error_log" >&2 2>/dev/null
			CUPS_PID=; cups_stop; return 1
		fi
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			echo "cups_start: no scheduler on $CUPS_SOCK after 10 s" >&2
			cups_stop; return 1
		fi
		sleep 0.1
	done
	# A queue without -m has no PPD: a raw queue (no filters), as -m raw was.
	if ! CUPS_SERVER=$CUPS_SOCK lpadmin -p testq -E -v hctest:/ 2>"$CUPS_DIR/log/lpadmin.err" ||
	   ! CUPS_SERVER=$CUPS_SOCK lpadmin -d testq 2>>"$CUPS_DIR/log/lpadmin.err"; then
		echo "cups_start: lpadmin failed:" >&2
		cat "$CUPS_DIR/log/lpadmin.err" >&2
		cups_stop; return 1
	fi
	return 0
}

# cups_wait_output JOBID SECONDS - wait until the backend has written job JOBID
# and the scheduler lists it as completed. Returns non-zero on timeout.
cups_wait_output() {
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		if [ -f "$CUPS_DIR/out/job-$1.ps" ] &&
		   CUPS_SERVER=$CUPS_SOCK lpstat -W completed -o testq 2>/dev/null | grep -q "^testq-$1 "; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# cups_last_job - the highest job id the scheduler knows (0 if none).
cups_last_job() {
	CUPS_SERVER=$CUPS_SOCK lpstat -W all -o testq 2>/dev/null |
		sed -n 's/^testq-\([0-9]*\) .*/\1/p' | sort -n | tail -1 | grep . || echo 0
}

# cups_stop - stop the private cupsd and remove its directory.
cups_stop() {
	if [ -n "$CUPS_PID" ]; then
		kill -TERM "$CUPS_PID" 2>/dev/null
		i=0
		while kill -0 "$CUPS_PID" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -KILL "$CUPS_PID" 2>/dev/null
		wait "$CUPS_PID" 2>/dev/null
		CUPS_PID=
	fi
	case $CUPS_DIR in
	/tmp/hc-cups.*) rm -rf "$CUPS_DIR" ;;
	esac
	CUPS_DIR=
	CUPS_SOCK=
}
