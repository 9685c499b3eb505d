# Exit statuses 0, 1, 2, 126, 127 (messages discarded here).
true; echo $?
false; echo $?
(exit 2); echo $?
printf 'echo hi\n' > noexec
chmod 644 noexec
./noexec 2>/dev/null; echo $?
no_such_command_xyz 2>/dev/null; echo $?
/no/such/path 2>/dev/null; echo $?
(eval 'if true' ) 2>/dev/null; echo $?
sh -c 'exit 300'; echo $?
