# Simple commands: words, builtins, external programs, exit status of the last one.
echo hello world
echo   several    spaces   collapse
printf '%s\n' one two
true
echo "true: $?"
false
echo "false: $?"
/bin/echo external echo
echo
echo after empty line
