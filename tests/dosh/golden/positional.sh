# Positional parameters: set --, empty "$@", appending, functions and restore.
set --
echo "$#"
for a in "$@"; do echo "never"; done
echo "[$*] [$@]"
set -- "$@" new
set -- "$@" 'with space'
echo "$# [$2]"
f() { set -- changed; echo "in f: $1"; }
f
echo "after f: $1 $#"
set -- a b c d
shift 3
echo "$*"
