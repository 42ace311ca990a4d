#!/bin/bash
# Replays the fuzzers' inputs without fuzzing: every crash found so far
# (tests/fuzz/regress/<target>/, kept after its fix as a regression test)
# and every seed (tests/fuzz/corpus/<target>/), each input through its
# target built with AddressSanitizer and UBSan (make fuzz-build: clang).
# Fails, naming the input and the sanitizer's summary, on any report.
set -euo pipefail
cd "$(dirname "$0")/../.."

mkdir -p build
make -s fuzz-build >build/fuzz-build.log 2>&1 || {
	cat build/fuzz-build.log >&2
	echo "FAIL: make fuzz-build" >&2
	exit 1
}

pass=0 fail=0 failed=()
log=$(mktemp "${TMPDIR:-/tmp}/railup-fuzz-regress.XXXXXX")
trap 'rm -f "$log"' EXIT

run() {
	ASAN_OPTIONS=detect_leaks=1 "build/fuzz/fuzz_$1" -timeout=10 -rss_limit_mb=2048 "${@:2}" \
		>"$log" 2>&1
}

# replay TARGET FILE...: all in one process; when that fails, one by one to
# name each input that fails
replay() {
	local t=$1 f
	shift
	if run "$t" "$@"; then
		pass=$((pass + $#))
		return
	fi
	for f; do
		if run "$t" "$f"; then
			pass=$((pass + 1))
			continue
		fi
		fail=$((fail + 1)) failed+=("$t $f")
		printf 'FAIL: %s on %s\n' "$t" "$f"
		grep -E -m 8 'ERROR|SUMMARY|assertion|runtime error' "$log" | sed 's/^/    /'
	done
}

for src in tests/fuzz/fuzz_*.c; do
	t=${src#tests/fuzz/fuzz_}
	t=${t%.c}
	inputs=()
	for f in tests/fuzz/regress/"$t"/* tests/fuzz/corpus/"$t"/*; do
		[ -f "$f" ] && inputs+=("$f")
	done
	[ ${#inputs[@]} -eq 0 ] || replay "$t" "${inputs[@]}"
	printf '%-16s %4d inputs\n' "$t" ${#inputs[@]}
done
echo "fuzz-regress: $pass passed, $fail failed"
[ "$fail" -eq 0 ] || { printf 'failed: %s\n' "${failed[@]}"; exit 1; }
