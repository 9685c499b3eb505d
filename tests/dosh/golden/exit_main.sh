# exit in the main shell stops the script with that status.
echo before
exit 42
echo after
