# read from here-documents: splitting into variables, -r, IFS= read, loops.
read a b <<EOF2
1 2 3
EOF2
echo "a=$a b=$b"
read -r raw <<'EOF2'
back\slash
EOF2
printf '%s\n' "$raw"
read cooked <<'EOF2'
back\slash
EOF2
printf '%s\n' "$cooked"
IFS= read -r keep <<'EOF2'
   lead and trail   
EOF2
echo "[$keep]"
while read n; do echo "n=$n"; done <<EOF2
x
y
EOF2
read last <<EOF2
EOF2
echo "empty read: $?"
