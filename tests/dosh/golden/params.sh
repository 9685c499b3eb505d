# Parameter expansion: ${V} ${V:-x} ${V-x} ${V:=x} ${V:+x} ${V+x} ${#V}.
v=value
e=
unset u
echo "${v} ${v}suffix $v"
echo "[${v:-d}] [${e:-d}] [${u:-d}]"
echo "[${v-d}] [${e-d}] [${u-d}]"
echo "[${v:+alt}] [${e:+alt}] [${u:+alt}]"
echo "[${v+alt}] [${e+alt}] [${u+alt}]"
echo "[${u:=assigned}] now u=$u"
echo "[${e:=filled}] now e=$e"
echo "${#v} ${#e} ${#nothing}"
w="with space"
echo "${w:-x}" ${w:-x}
echo "${u2:-$v and more}"
