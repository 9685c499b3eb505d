# And-or lists and sequences: && || ; and their statuses.
true && echo a1
false && echo a2
false || echo o1
true || echo o2
true && echo x || echo y
false && echo x || echo y
false || false || echo third
true; echo "semi $?"
false && true
echo "false&&true: $?"
false || true
echo "false||true: $?"
echo one; echo two; echo three
