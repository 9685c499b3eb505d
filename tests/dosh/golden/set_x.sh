# set -x traces commands to stderr as "+ cmd args" (PS4), after expansion.
v='a b'
set -x
echo hello world
x=1
echo "$v" "$x"
f() { echo "in f $1"; }
f arg
set +x
echo untraced
