# set -e in subshells and command substitutions.
set -e
(false; echo "never") || echo "subshell failed with $?"
x=$(echo ok; false) || echo "cmdsub failed: $x"
echo "still running"
(exit 5)
echo "not reached"
