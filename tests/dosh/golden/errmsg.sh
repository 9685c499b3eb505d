# Error messages for "not found" and "Permission denied", with the script's line number.
printf 'echo hi\n' > noexec
chmod 644 noexec
./noexec
echo "126: $?"
no_such_command_xyz
echo "127: $?"
cd /nonexistent-dir
echo "cd: $?"
