# . (dot) runs a file in the current shell: variables, functions, return.
cat > lib.sh <<'EOF2'
LIBVAR=from_lib
libf() { echo "libf $1"; }
return 3
echo "not reached"
EOF2
. ./lib.sh
echo "dot status $?"
echo "$LIBVAR"
libf hi
echo 'echo "sourced with cwd $(basename "$PWD")"' > pwd.sh
. ./pwd.sh >/dev/null
echo ok
