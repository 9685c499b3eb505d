# cd and pwd: relative, .., cd -, failure status, PWD.
mkdir -p a/b
start=$(pwd)
cd a/b
echo "${PWD#$start}"
cd ..
echo "${PWD#$start}"
cd - >/dev/null
echo "${PWD#$start}"
cd "$start"
cd nonexistent 2>/dev/null || echo "cd failed"
[ "$(pwd)" = "$start" ] && echo "back at start"
