# set -e: not triggered by && lists, if conditions, ! or ||, but by a plain failure.
set -e
false && echo no
echo "after false &&"
if false; then echo no; fi
echo "after if false"
false || echo "or branch"
! true
echo "after ! true"
while false; do :; done
echo "after while false"
f() { false; echo "f continues? no"; }
f || echo "function failure caught by ||"
echo "before plain false"
false
echo "not reached"
