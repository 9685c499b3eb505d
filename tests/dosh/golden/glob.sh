# Pathname expansion in the current directory: *, ?, [..], no match, quoting, dotfiles.
touch a.txt b.txt c.log .hidden
mkdir dir
touch dir/in1 dir/in2
echo *.txt
echo ?.log
echo [ab].txt
echo [!a].txt
echo *.none
echo "*.txt"
echo '*'.txt
echo \*.txt
echo *
echo dir/*
for f in *.txt; do echo "file: $f"; done
set -- *.nomatch
echo "$# $1"
v='*.log'
echo $v "$v"
