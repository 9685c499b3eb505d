# eval: assignments, re-evaluation of quotes and variables, indirect names.
eval 'x=5'
echo "$x"
cmd='echo one; echo two'
eval "$cmd"
name=x
eval "echo \$$name"
eval "y_$name=indirect"
echo "$y_x"
eval 'f() { echo "defined by eval $1"; }'
f z
eval false
echo "eval status $?"
eval
echo "empty eval $?"
