# if / elif / else, nesting, and the status of an if with no branch taken.
x=2
if [ $x -eq 1 ]; then echo one; elif [ $x -eq 2 ]; then echo two; else echo other; fi
if false; then echo no; fi
echo "no branch: $?"
if true
then
	if false; then echo inner-no
	else echo inner-else
	fi
fi
if false; then :; else (exit 4); fi
echo "else status: $?"
if ! [ -e /nonexistent ]; then echo negated; fi
