# & and wait: $!, wait for one job and its status, wait for all.
sleep 0.2 &
p=$!
case $p in ''|*[!0-9]*) echo "bad \$!" ;; *) echo "\$! is a pid" ;; esac
wait $p
echo "waited: $?"
(exit 5) &
wait $!
echo "bg status: $?"
echo a > a.txt &
echo b > b.txt &
wait
cat a.txt b.txt
mkfifo go
{ read x < go; echo late; } &
echo early
echo go > go
wait
