# Field splitting with IFS: default, custom, empty, and quoted expansions.
v='  a  b   c  '
set -- $v
echo "$#: $*"
IFS=:
p='x:y::z'
set -- $p
echo "$#"
for f in $p; do echo "[$f]"; done
echo "$*"
IFS=''
set -- $v
echo "$#"
IFS=' '
set -- $v
echo "$#"
unset IFS
set -- $v
echo "$# after unset"
IFS=,
read a b c <<EOF2
1,2,3,4
EOF2
echo "$a|$b|$c"
