# Expansion corner cases: nested quotes in ${v:-...}, cmdsub in arithmetic, heredoc in $(...), empty "$@" words, arithmetic errors.
unset u
echo "${u:-"a b"}" ${u:-"c  d"} "${u:-'x'}" ${u:-'y  z'}
echo $(( $(echo 3) + 1 ))
x=$(cat <<EOF2
inside heredoc in cmdsub
EOF2
)
echo "$x"
echo "$(echo "nested "quotes" here")"
v='a*b'; case 'a*b' in $v) echo m1;; esac; case 'axb' in "$v") echo m2;; *) echo m3;; esac
echo ${#}
set -- "" ""; echo $#; for a in "$@"; do echo "[$a]"; done
s='a\tb'; printf '%s\n' "$s"
echo 'it'"'"'s'
p="x y"; set -- $p"z"; echo $#
echo "${u-}" | wc -c
f() { return 300; }; f; echo $?
i=0; while :; do i=$((i+1)); if [ $i -gt 2 ]; then break; fi; done; echo $i
echo `echo "a \`echo b\` c"`
for i in 1 2 3; do case $i in 2) continue;; esac; echo $i; done
{ echo a; false; } && echo y || echo n
a=1; a=$((a << 3)); echo $a
echo $((10 % 3 * 2)) $((2 ** 3)) 2>/dev/null
