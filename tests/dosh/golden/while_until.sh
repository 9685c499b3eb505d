# while and until loops with a counter.
i=0
while [ $i -lt 3 ]; do
	echo "while $i"
	i=$((i + 1))
done
until [ $i -eq 0 ]; do
	echo "until $i"
	i=$((i - 1))
done
while false; do echo never; done
echo "status after loop: $?"
