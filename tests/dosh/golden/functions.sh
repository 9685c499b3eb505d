# Functions: arguments, $#, return status, positional parameters restored, recursion.
f() {
	echo "f got $# args: $1 / $2"
	return 3
}
set -- outer1 outer2
f a 'b c'
echo "status $?"
echo "after: $1 $2 $#"
g() { echo "in g"; }
g
fact() {
	if [ "$1" -le 1 ]; then echo 1; return; fi
	echo $(( $1 * $(fact $(( $1 - 1 ))) ))
}
fact 6
setglobal() { G=set_in_function; }
setglobal
echo "$G"
last() { false; return; }
last
echo "return without arg: $?"
