# Parameter expansion: prefix and suffix removal % %% # ##.
p=/usr/local/lib/file.tar.gz
echo "${p%.*}"
echo "${p%%.*}"
echo "${p#*/}"
echo "${p##*/}"
echo "${p%nomatch}"
x=aaa
echo "${x#a} ${x##a*} [${x%%a*}]"
