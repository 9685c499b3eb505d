# exec with redirections only changes the shell's own descriptors.
exec 3>log
echo "to log" >&3
exec 3>>log
echo "appended" >&3
exec 3>&-
cat log
exec 5<log
read l <&5
echo "read: $l"
exec 5<&-
(exec >sub.out; echo "subshell stdout to file")
cat sub.out
exec 2>/dev/null
ls /nonexistent-z
echo "stderr silenced: $?"
