# Each part of a multi-command pipeline runs in a subshell: variables set there vanish.
v=before
echo x | read v
echo "[$v]"
echo y | { read w; echo "inside [$w]"; }
echo "[${w-unset}]"
seq 5 | while read n; do echo $((n * n)); done
i=0
seq 3 | while read n; do i=$n; done
echo "i=$i"
