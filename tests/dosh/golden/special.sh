# Special parameters: $? $$ $# $@ $* $1.. and shift.
set -- a 'b c' d
echo "$# $1 $2 $3"
for x in "$@"; do echo "@[$x]"; done
for x in "$*"; do echo "*[$x]"; done
for x in $*; do echo "u[$x]"; done
shift
echo "$# $1"
shift 2
echo "$# [${1-none}]"
set -- 1 2 3 4 5 6 7 8 9 10 11
echo "${10} ${11} $#"
case $$ in ''|*[!0-9]*) echo "pid not a number" ;; *) echo "pid is a number" ;; esac
(exit 42); echo "$?"
echo "$?"
