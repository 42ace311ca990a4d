#!/bin/bash
# tests/hardening-verdict.sh sanitize|valgrind DIR: fails when DIR holds a
# report: a sanitizer's log (ASan and UBSan write one only when they report),
# or a valgrind log that is not empty (valgrind runs --quiet: it writes only
# errors and leaks). Used by make check-sanitize and make check-valgrind.
set -u
kind=$1 dir=$2
shopt -s nullglob
case $kind in
sanitize) logs=("$dir"/asan* "$dir"/ubsan*) ;;
valgrind) logs=() && for f in "$dir"/vg*.log; do [ -s "$f" ] && logs+=("$f"); done ;;
*) echo "usage: $0 sanitize|valgrind DIR" >&2 && exit 2 ;;
esac
n=$(find "$dir" -type f | wc -l)
if [ ${#logs[@]} -eq 0 ]; then
	echo "$kind: no report ($n log files looked at in $dir)"
	exit 0
fi
echo "$kind: ${#logs[@]} report(s) in $dir:"
for f in "${logs[@]}"; do
	echo "==== $f"
	head -n 60 "$f"
done
exit 1
