# Builtins: getopts, command -v, ${v?}, set -u, umask, kill -0, readonly, type, exec.
while getopts ab:c o -a -b val -c rest; do echo "opt $o ${OPTARG-}"; done
set -- -x -y arg
OPTIND=1
while getopts xy o; do echo "o=$o"; done
shift $((OPTIND - 1)); echo "rest $*"
command -v echo; command -v ls; command -v nosuch || echo none
(unset q; echo "${q?q is unset}") 2>&1 | sed 's/^[^:]*: [0-9]*: //'
(set -u; echo "$undefined_v"; echo no) 2>/dev/null; echo "set -u status $?"
umask 022; umask
kill -0 $$ && echo alive
x=5; readonly x; echo "$x"
echo "$-" | tr -d i
type cd | head -1
exec echo replaced
echo never
