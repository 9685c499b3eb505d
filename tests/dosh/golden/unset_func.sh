# unset of variables and functions, and readonly.
f() { echo "f exists"; }
f
unset -f f
f 2>/dev/null || echo "f gone: 127? $?"
v=1
unset v
echo "[${v-unset}]"
readonly r=fixed
(r=changed) 2>/dev/null || echo "readonly refused"
echo "$r"
