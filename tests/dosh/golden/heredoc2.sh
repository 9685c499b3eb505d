# Here-documents: two on one line, inside functions and loops, empty ones.
cat <<A; cat <<B
from A
A
from B
B
f() {
	cat <<EOF2
in function: $1
EOF2
}
f arg
for i in 1 2; do
	cat <<EOF2
loop $i
EOF2
done
cat <<EOF2
EOF2
echo "empty heredoc ok"
