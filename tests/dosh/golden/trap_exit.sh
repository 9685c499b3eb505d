# trap EXIT runs at exit and keeps the exit status.
trap 'echo "exit trap, status $?"' EXIT
echo main
f() { echo "in f"; }
f
exit 3
