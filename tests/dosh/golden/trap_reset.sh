# trap - EXIT removes a trap; a trap at the end of the script runs once.
trap 'echo first' EXIT
trap - EXIT
trap 'echo second' EXIT
echo body
