# "! cmd" (with a space) negates the status of a pipeline.
! false; echo $?
! true; echo $?
! false | true; echo $?
! true | false; echo $?
! true && echo no || echo "negated true is false"
if ! false; then echo "if ! false"; fi
