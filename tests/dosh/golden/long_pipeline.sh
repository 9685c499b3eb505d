# Long pipelines and pipelines with compound commands in the middle.
seq 1 50 | grep 5 | sort -rn | head -3 | tr '\n' , | sed 's/,$//'
echo
seq 10 | { while read n; do [ $((n % 3)) -eq 0 ] && echo $n; done; } | paste -sd+ | { read s; echo "sum $s = $(($s))"; }
seq 3 | (read a; read b; echo "$a-$b"; cat)
yes | head -5 | wc -l
