#!/bin/bash
# Runs the test suites (default: all that make check runs) and sums up.
#   tests/run.sh [netns] [corpus] [vm] ...
# Each suite is a folder; its tests are the executable *.sh files, except
# lib*.sh and guest*.sh (libraries, and what runs inside VMs). A test passes by exiting 0; its output goes to
# build/<name>.log and is shown when it fails.
# TESTS=pattern runs only the tests whose path matches the pattern.
set -u
cd "$(dirname "$0")/.."
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(netns corpus vm)
pass=0 fail=0 failed=()
mkdir -p build
for suite in "${suites[@]}"; do
	for t in tests/"$suite"/*.sh; do
		[ -x "$t" ] || continue
		case "$(basename "$t")" in lib*|guest*) continue ;; esac
		case "$t" in *"${TESTS:-}"*) ;; *) continue ;; esac
		start=$(date +%s.%N)
		if "$t" >"build/$(basename "$t").log" 2>&1; then
			pass=$((pass + 1)) verdict=PASS
		else
			fail=$((fail + 1)) verdict=FAIL failed+=("$t")
		fi
		printf '%-4s %-40s %6.1fs\n' "$verdict" "$t" \
			"$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')"
		[ $verdict = PASS ] || tail -n 30 "build/$(basename "$t").log" | sed 's/^/    /'
	done
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ] || { printf 'failed: %s\n' "${failed[@]}"; exit 1; }
