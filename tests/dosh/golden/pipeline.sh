# Pipelines: data flow, length, and the status of the last command.
printf 'b\na\nc\n' | sort
printf 'b\na\nc\n' | sort -r | head -2
echo abc | cat | cat | cat | wc -c
false | true
echo "false|true: $?"
true | false
echo "true|false: $?"
seq 1 10 | grep 1 | tr '\n' ' '
echo
printf 'x\ny\n' | while read l; do echo "line $l"; done
