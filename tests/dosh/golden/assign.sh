# Assignments: prefix assignments affect only the command, export, unset.
x=outer
x=inner true
echo "$x"
x=prefix sh -c 'echo "child sees $x"'
sh -c 'echo "child without export: [${x-unset}]"'
export x
sh -c 'echo "exported: $x"'
y=1 z=2
echo "$y $z"
unset y
echo "[${y-unset}]"
a=b c=$a
echo "$c"
export E1=e1 E2
E2=e2
sh -c 'echo "$E1 $E2"'
