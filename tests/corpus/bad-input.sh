#!/bin/bash
# The bad-input corpus: every file of tests/corpus/bad/ is one malformed or
# hostile rail map. railup apply runs on each inside one network namespace
# made here, with four veth rails ib0..ib3 (down, without addresses), so
# that whatever part of a map is valid would otherwise be applied. For each
# case railup must:
#   - exit 2,
#   - print exactly one line on stderr, and nothing on stdout,
#   - quote the offending token in that line: "TOKEN", as railup quotes
#     (\xHH for non-printing bytes, \" and \\, a long token cut in the
#     middle with ...),
#   - change nothing: rules, routes of every table, addresses and links (ip's
#     full JSON) and every net.ipv4/ipv6.conf sysctl are the same before and
#     after, and no ledger (or run directory) is written.
#
# A case file is a header, a line "---", and the map's bytes, verbatim:
#   source: cmdline | conf      where the bytes go (--cmdline or --conf FILE)
#   token: TEXT                 what must appear as "TEXT" (may repeat)
#   cmdline: TEXT               a conf case's command line (default: a plain one)
#   conf: TEXT                  a cmdline case's conf file, one line (default: empty)
#   why: TEXT                   what is wrong, for people
#
#   tests/corpus/bad-input.sh [CASE...]     (default: every case)
#   COMMANDS="apply plan status"            the railup commands to run per case
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RAILUP=${RAILUP:-$ROOT/early/railup}
COMMANDS=${COMMANDS:-apply}
DEFAULT_CMDLINE='BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=/dev/sda1 ro quiet'
NS="ru$$-corpus"
TMP=""

cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	ip netns del "$NS" 2>/dev/null
	[ -z "$TMP" ] || rm -rf "$TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

die() {
	echo "bad-input: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "needs root (it creates a network namespace)"
command -v ip >/dev/null || die "ip is missing (make test-deps)"
[ -x "$RAILUP" ] || die "$RAILUP is missing: run make first"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/railup-corpus.XXXXXX")
# One binary for the whole run, even if early/railup is rebuilt meanwhile.
cp "$RAILUP" "$TMP/railup"

ip netns add "$NS" || die "cannot create namespace $NS"
ip -n "$NS" link set lo up
# No IPv6 link-local addresses: their DAD states change between two dumps on
# their own. IPv6 itself stays on, so an IPv6 rail could be applied.
# shellcheck disable=SC2016 # expanded by the inner sh
ip netns exec "$NS" sh -c 'for f in all default; do
	echo 1 >/proc/sys/net/ipv6/conf/$f/addr_gen_mode
	echo 0 >/proc/sys/net/ipv6/conf/$f/accept_dad
done' || die "cannot set the namespace's IPv6 defaults"
for i in 0 1 2 3; do
	ip -n "$NS" link add "ib$i" type veth peer name "pb$i"
	ip -n "$NS" link set "pb$i" up
done

# Everything railup could change in the namespace.
state() {
	local f
	for f in 4 6; do
		ip -n "$NS" -"$f" -j -p rule show
		ip -n "$NS" -"$f" -j -p route show table all
	done
	ip -n "$NS" -j -p -d addr show
	ip -n "$NS" -j -p -d link show
	ip netns exec "$NS" grep -r . /proc/sys/net/ipv4/conf/ /proc/sys/net/ipv6/conf/ 2>/dev/null |
		LC_ALL=C sort
}
state >"$TMP/before"

cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=("$ROOT"/tests/corpus/bad/*)
pass=0 fail=0 failed=()

# check CASE: runs railup on one case; prints why it failed, returns 1 then
check() {
	local c=$1 name sep source="" hdr cmd rc out err lines tok ok=0
	local -a tokens=()
	local cmdline=$DEFAULT_CMDLINE conf=""
	name=$(basename "$c")
	sep=$(grep -a -n -m 1 -x -- '---' "$c" | cut -d: -f1)
	[ -n "$sep" ] || { echo "$name: no '---' line ending the header"; return 1; }
	while IFS= read -r hdr; do
		case $hdr in
		source:\ *) source=${hdr#source: } ;;
		token:\ *) tokens+=("${hdr#token: }") ;;
		cmdline:\ *) cmdline=${hdr#cmdline: } ;;
		conf:\ *) conf=${hdr#conf: } ;;
		why:\ * | '#'*) ;;
		*) echo "$name: unknown header line: $hdr"; return 1 ;;
		esac
	done < <(head -n "$((sep - 1))" "$c")
	case $source in
	cmdline)
		tail -n +"$((sep + 1))" "$c" >"$TMP/cmdline"
		printf '%s' "$conf" >"$TMP/conf"
		;;
	conf)
		tail -n +"$((sep + 1))" "$c" >"$TMP/conf"
		printf '%s\n' "$cmdline" >"$TMP/cmdline"
		;;
	*) echo "$name: source: must be cmdline or conf"; return 1 ;;
	esac
	[ ${#tokens[@]} -gt 0 ] || { echo "$name: no token: line"; return 1; }
	for cmd in $COMMANDS; do
		rm -rf "$TMP/run"
		rc=0
		ip netns exec "$NS" "$TMP/railup" --cmdline "$TMP/cmdline" --conf "$TMP/conf" \
			--run-dir "$TMP/run" "$cmd" >"$TMP/out" 2>"$TMP/err" || rc=$?
		out=$(cat "$TMP/out")
		err=$(cat "$TMP/err")
		lines=$(wc -l <"$TMP/err")
		if [ "$rc" -ne 2 ]; then
			echo "$name: railup $cmd: exit $rc, expected 2"
			ok=1
		fi
		if [ "$lines" -ne 1 ] || [ "$(tail -c 1 "$TMP/err" | od -An -c | tr -d ' ')" != '\n' ]; then
			echo "$name: railup $cmd: $lines line(s) on stderr, expected exactly 1"
			ok=1
		fi
		if [ -n "$out" ]; then
			echo "$name: railup $cmd: printed on stdout, expected nothing"
			ok=1
		fi
		for tok in "${tokens[@]}"; do
			[[ $err == *"\"$tok\""* ]] && continue
			echo "$name: railup $cmd: the error does not quote \"$tok\""
			ok=1
		done
		if [ -e "$TMP/run/owned" ] || [ -e "$TMP/run" ]; then
			echo "$name: railup $cmd: wrote its run directory or ledger"
			ok=1
		fi
		state >"$TMP/after"
		if ! cmp -s "$TMP/before" "$TMP/after"; then
			echo "$name: railup $cmd: changed the namespace:"
			diff "$TMP/before" "$TMP/after" | head -n 20 | sed 's/^/      /'
			# Start the next case from the clean state again.
			reset_ns
			ok=1
		fi
		if [ $ok -ne 0 ]; then
			[ -z "$out" ] || printf '%s\n' "$out" | head -n 5 | sed 's/^/    stdout| /'
			[ -z "$err" ] || printf '%s\n' "$err" | head -n 5 | cut -c 1-300 | sed 's/^/    stderr| /'
			return 1
		fi
	done
	return 0
}

# After a case that changed something: undo it, the namespace's links kept.
reset_ns() {
	local i
	ip -n "$NS" rule flush 2>/dev/null
	ip -n "$NS" -6 rule flush 2>/dev/null
	ip -n "$NS" rule add pref 32766 lookup main 2>/dev/null
	ip -n "$NS" rule add pref 32767 lookup default 2>/dev/null
	ip -n "$NS" -6 rule add pref 32766 lookup main 2>/dev/null
	for i in 0 1 2 3; do
		ip -n "$NS" addr flush dev "ib$i"
		ip -n "$NS" link set "ib$i" down
	done
	ip -n "$NS" route flush table all proto 114 2>/dev/null
	# shellcheck disable=SC2016 # expanded by the inner sh
	ip netns exec "$NS" sh -c 'cd /proc/sys/net/ipv4/conf && for d in *; do
		for k in rp_filter arp_ignore arp_announce arp_filter accept_local; do
			echo 0 >$d/$k; done; done' 2>/dev/null
	state >"$TMP/before"
}

for c in "${cases[@]}"; do
	if check "$c"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)) failed+=("$(basename "$c")")
	fi
done
echo "bad-input: $pass passed, $fail failed (${#cases[@]} cases, railup ${COMMANDS// /, })"
[ $fail -eq 0 ] || { printf 'failed: %s\n' "${failed[@]}"; exit 1; }
