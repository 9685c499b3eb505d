# case with alternatives, wildcards, bracket classes, quoted patterns and no match.
for w in apple banana cherry x1 '*' zzz ''; do
	case $w in
	apple|banana) echo "$w: fruit A/B" ;;
	c*) echo "$w: starts with c" ;;
	x[0-9]) echo "$w: x digit" ;;
	'*') echo "$w: literal star" ;;
	'') echo "empty" ;;
	*) echo "$w: default" ;;
	esac
done
case abc in a?c) echo qmark ;; esac
case nomatch in foo) echo no ;; esac
echo "no match status: $?"
v=b*
case bar in $v) echo "pattern from variable" ;; esac
case 'b*' in "$v") echo "quoted variable is literal" ;; esac
