# exit inside subshells, brace groups in pipelines and command substitutions.
(echo a; exit 0; echo b)
echo "after: $?"
(exit 7)
echo "status $?"
x=$(echo x; exit 3)
echo "cmdsub [$x] $?"
echo in | { read v; exit 9; }
echo "pipeline status $?"
(trap 'echo sub-exit-trap' EXIT; exit 2)
echo "trap subshell $?"
