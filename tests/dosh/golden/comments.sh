# Comments, colon, null commands and unusual but valid syntax.
echo a#b # a comment
echo '#' "#" \#
# a full-line comment
:
: ignored args $(echo x)
echo "colon status $?"
: > created
[ -f created ] && echo created
{ echo "semicolon in group"; } ; echo end
if true; then :; fi; echo "if with colon"
