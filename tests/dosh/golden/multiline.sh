# Commands spread over lines: continuation, pipes and && at line end.
echo one \
	two \
	three
echo piped |
	tr a-z A-Z
true &&
	echo "and at line end"
false ||
	echo "or at line end"
x="multi
line"
echo "$x"
