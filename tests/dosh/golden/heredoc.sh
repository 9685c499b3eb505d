# Here-documents: unquoted (expanded), quoted (literal), <<- (tabs stripped).
name=World
cat <<EOF2
Hello $name
sum $((1 + 2)) cmd $(echo sub)
escaped \$name and backslash \\
EOF2
cat <<'EOF2'
Literal $name $(echo no) \$
EOF2
cat <<"EOF2"
Also literal $name
EOF2
cat <<-EOF2
		tab-indented $name
	EOF2
cat <<EOF2 | tr a-z A-Z
piped $name
EOF2
