# $0-independent argument handling: set, shift, and quoting of "$@" into functions.
set -- 'one two' three
count() { echo "$#"; }
count "$@"
count $@
count "$*"
count ""
count
show() { printf '<%s>' "$@"; echo; }
show "$@" four
show "${1}x" "${2:-y}"
