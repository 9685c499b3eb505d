# Output redirections: > >> 2> 2>&1 >&2 and numbered descriptors.
echo first > f
echo second >> f
cat f
ls /nonexistent-dir 2> err.txt
echo "ls status: $?"
wc -l < err.txt
ls /nonexistent-dir > both.txt 2>&1
grep -c nonexistent both.txt
echo to-stderr >&2
echo to-fd3 3>g >&3
cat g
exec 4>h
echo via-4 >&4
exec 4>&-
cat h
: > empty
wc -c < empty
echo x 1>one 2>two
cat one two
