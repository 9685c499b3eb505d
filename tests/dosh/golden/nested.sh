# Nested control structures and functions together.
classify() {
	for n in "$@"; do
		case $n in
		*[!0-9]*) echo "$n: not a number"; continue ;;
		esac
		if [ $((n % 2)) -eq 0 ]; then
			k=$n
			while [ $k -gt 0 ]; do k=$((k / 2)); printf '.'; done
			echo " $n even"
		else
			echo "$n odd"
		fi
	done
}
classify 1 8 x3 5 12
classify | wc -l
