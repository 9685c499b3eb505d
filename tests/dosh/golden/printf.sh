# printf: conversions, widths, escapes, reuse of the format for extra arguments.
printf '%s\n' a b c
printf '%d %i\n' 42 -7
printf '[%5s][%-5s]\n' ab cd
printf '%x %X %o\n' 255 255 8
printf '%c%c\n' hello world
printf '%%literal\n'
printf 'tab\there\n'
printf '%s=%s\n' k1 v1 k2 v2
printf '%05d|%.2s\n' 42 abcdef
printf 'no newline'
echo
printf '%b\n' 'esc\tb'
