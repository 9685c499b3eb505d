#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# hostcalld is killed (SIGKILL, by run.sh when the console shows
# "kill-hostcalld"): busy callers, calls on open files and new opens fail
# with EIO within timeout_ms, nothing hangs. Runs last but the unload.
# expect-hostcalld: hc-dead-eio hc-dead-nohang host-no-shadow-left
. /hctest/lib.sh

[ "$HCTEST_MODE" = hostcalld ] || exit 0
echo 2000 >/sys/module/hostcall/parameters/timeout_ms
/hctest/bin/hc_vmtest hc-dead 2000
