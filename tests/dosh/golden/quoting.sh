# Quoting: single, double, backslash, mixtures, and what each one protects.
v='a  b'
echo $v
echo "$v"
echo '$v'
echo "single ' inside double"
echo 'double " inside single'
printf '%s\n' \$v \" \' \\
printf '%s\n' "esc: \$ \" \\ \` \a"
printf '%s\n' 'back\slash in single'
echo "con"'cat'enated
echo a\ b
echo "$v"x"$v"
printf '%s|' "" '' a"" ; echo
echo line1 \
line2
echo ~ | grep -c /
echo "~"
