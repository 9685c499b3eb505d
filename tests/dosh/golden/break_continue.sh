# break and continue, including break N / continue N in nested loops.
for i in 1 2 3 4 5; do
	[ $i -eq 2 ] && continue
	[ $i -eq 4 ] && break
	echo "i=$i"
done
for i in a b; do
	for j in 1 2 3; do
		[ $j -eq 2 ] && continue 2
		echo "$i$j"
	done
done
for i in a b; do
	for j in 1 2 3; do
		[ $j -eq 2 ] && break 2
		echo "$i$j"
	done
done
n=0
while true; do n=$((n+1)); [ $n -ge 3 ] && break; done
echo "n=$n"
