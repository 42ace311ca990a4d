#!/bin/bash
# tests/hardening-verdict.sh sanitize|valgrind DIR: fails when a run of make
# check-sanitize or check-valgrind produced a report. Looked at: DIR (the
# sanitizers' log_path files, valgrind's --log-file files, the unit tests'
# output *.out) and the namespace tests' logs build/*.log written since
# DIR/.stamp (a sanitizer writes to the tested program's stderr when it
# ignores log_path, as gcc's UBSan does). valgrind runs --quiet: a log of its
# that is not empty is a report. Each distinct report is shown once.
set -u
kind=$1 dir=$2
cd "$(dirname "$0")/.." || exit 2
shopt -s nullglob
files=()
for f in "$dir"/* build/*.log; do
	[ -f "$f" ] || continue
	case $f in build/*.log) [ "$f" -nt "$dir/.stamp" ] || continue ;; esac
	files+=("$f")
done
case $kind in
sanitize) pat='runtime error:|ERROR: (AddressSanitizer|LeakSanitizer)|SUMMARY: (Address|UndefinedBehavior|Leak)Sanitizer' ;;
valgrind) pat='^==[0-9]+== .*(Invalid|uninitialised|Conditional jump|definitely lost|indirectly lost|possibly lost|Syscall param|Mismatched|overlap)|ERROR SUMMARY: [1-9]' ;;
*) echo "usage: $0 sanitize|valgrind DIR" >&2 && exit 2 ;;
esac
hits=()
for f in "${files[@]}"; do
	grep -qE "$pat" "$f" && hits+=("$f")
	# valgrind --quiet writes nothing when all is well
	case $kind:$f in valgrind:"$dir"/vg*.log) [ -s "$f" ] && ! grep -qE "$pat" "$f" && hits+=("$f") ;; esac
done
if [ ${#hits[@]} -eq 0 ]; then
	echo "$kind: no report (${#files[@]} logs looked at)"
	exit 0
fi
echo "$kind: reports in ${#hits[@]} of ${#files[@]} logs; the distinct ones:"
for f in "${hits[@]}"; do
	grep -hE "$pat" "$f" | sed -E 's/^ *(stderr\| *)?//; s/^==[0-9]+== //; s/0x[0-9a-f]+/0x…/g'
done | sort | uniq -c | sort -rn | head -n 40
echo "in: ${hits[*]}" | fold -w 200
exit 1
