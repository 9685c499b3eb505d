# Subshells and brace groups: isolation of variables and cwd, grouping of output.
x=outer
(x=inner; echo "in subshell: $x")
echo "after subshell: $x"
{ x=brace; echo "in brace: $x"; }
echo "after brace: $x"
mkdir sub
(cd sub && pwd >/dev/null && echo "cd in subshell")
[ -d sub ] && echo "still here"
( exit 3 )
echo "subshell exit: $?"
{ echo one; echo two; } | wc -l
(echo a; echo b) > out.txt
cat out.txt
{ false; }
echo "brace status: $?"
