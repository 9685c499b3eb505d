# for loops over words, positional parameters, empty lists and variables.
for w in a b 'c d'; do echo "[$w]"; done
set -- x 'y z'
for a do echo "arg [$a]"; done
for a in "$@"; do echo "q [$a]"; done
for a in; do echo never; done
echo "empty: $?"
list="1 2 3"
for n in $list; do printf '%s.' "$n"; done
echo
for n in $list; do :; done
echo "last: $n"
