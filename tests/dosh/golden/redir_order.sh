# Redirection order: 2>&1 >file vs >file 2>&1.
ls /nonexistent-x 2>&1 > /dev/null | sed 's/^/piped: /'
ls /nonexistent-y > /dev/null 2>&1 | sed 's/^/never: /'
echo done
{ echo out; echo err >&2; } 2>&1 | sort
