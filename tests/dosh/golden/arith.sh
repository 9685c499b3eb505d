# Arithmetic expansion: operators, precedence, variables, assignment, bases.
echo $((1 + 2 * 3)) $(( (1 + 2) * 3 )) $((7 / 2)) $((7 % 3)) $((-5 + 2))
a=6 b=4
echo $((a * b)) $(($a - $b)) $((a > b)) $((a == b)) $((a != b))
echo $((a << 2)) $((a >> 1)) $((a & b)) $((a | b)) $((a ^ b)) $((~a))
echo $((a && 0)) $((a || 0)) $((!a)) $((a > b ? 10 : 20))
echo $((0x10)) $((010)) $((  3  ))
c=1
echo $((c += 5)) $c $((c -= 2)) $((c *= 3)) $c
i=0; while [ $i -lt 5 ]; do i=$((i+1)); done; echo $i
echo $(( (2 + 3) * (4 - 1) / 5 ))
