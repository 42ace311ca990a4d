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
[ ${#suites[@]} -gt 0 ] || suites=(netns corpus vm initramfs boot)
pass=0 fail=0 failed=()
mkdir -p build

# The tests must leave the machine's own network alone: its rules, routes,
# addresses and IPv4 sysctls, and systemd-sysctl's runtime drop-ins (railup
# writes one), are compared before and after every test.
root_state() {
	ip -j rule show
	ip -j route show table all
	ip -j addr show | jq -c '[.[] | {ifname, addr_info: [.addr_info[] | {local, prefixlen}]}]'
	grep -r . /proc/sys/net/ipv4/conf/ 2>/dev/null | sort
	grep -r . /run/sysctl.d/ 2>/dev/null | sort
}
root_before=$(root_state)
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
		if [ "$(root_state)" != "$root_before" ]; then
			echo "$t changed the root namespace's network:" >>"build/$(basename "$t").log"
			diff <(echo "$root_before") <(root_state) >>"build/$(basename "$t").log"
			[ $verdict = FAIL ] || { fail=$((fail + 1)) pass=$((pass - 1)) verdict=FAIL failed+=("$t"); }
			root_before=$(root_state)
		fi
		printf '%-4s %-40s %6.1fs\n' "$verdict" "$t" \
			"$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')"
		[ $verdict = PASS ] || tail -n 30 "build/$(basename "$t").log" | sed 's/^/    /'
	done
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ] || { printf 'failed: %s\n' "${failed[@]}"; exit 1; }
