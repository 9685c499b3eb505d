# Command substitution: $(...) and backquotes, nesting, newline stripping, status.
x=$(echo hi)
echo "[$x]"
y=`echo back`
echo "[$y]"
echo "[$(echo $(echo nested))]"
echo "[`echo \`echo bq-nested\``]"
z=$(printf 'a\nb\n\n\n')
echo "[$z]"
n=$(false)
echo "status of assignment: $?"
echo "$(echo "quoted inside") and $(echo 'single')"
echo $(seq 3)
echo "$(seq 3)"
w=$(cd /; pwd)
echo "$w"
echo "$(case x in x) echo case-in-cmdsub;; esac)"
