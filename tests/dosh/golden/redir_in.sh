# Input redirections: <, read from a file, loops over a file, <&.
printf 'l1\nl2 w2\nl3\n' > in.txt
cat < in.txt
read first < in.txt
echo "first=$first"
while read a b; do echo "a=$a b=$b"; done < in.txt
exec 3< in.txt
read x <&3
read y <&3
echo "$x,$y"
exec 3<&-
wc -l < in.txt
