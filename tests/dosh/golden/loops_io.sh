# Redirections on loops and compound commands.
for i in 1 2 3; do echo "n$i"; done > loop.out
cat loop.out
while read l; do echo "got $l"; done < loop.out
if true; then echo "if out"; fi > if.out
cat if.out
{ echo g1; echo g2; } >> loop.out
wc -l < loop.out
case x in x) echo "case out" ;; esac | tr a-z A-Z
for i in 1 2; do echo $i; done | sort -r
