# shellcheck shell=bash
# Shared helpers of the namespace tests; sourced, never run (tests/run.sh
# skips lib*.sh). Every test runs railup on the real kernel, as root, inside
# network namespaces it makes here:
#
#   NODE    the compute node: veth "rails" ib0..ibN-1, railup runs here
#   SW      the switch: a bridge per rail subnet (or per shared subnet);
#           every rail's peer end is a port of one of them
#   peers   hosts on those bridges: the rails' gateways, far addresses, pingers
#
# Nothing touches the root namespace: every address, route, rule and sysctl
# lives in a namespace named ru<pid>-..., and every namespace is deleted on
# exit, whether the test passed, failed or was interrupted. railup never
# reads /proc/cmdline, /etc/railup.conf or /run/railup here: it gets a per-test
# temporary directory for --cmdline, --conf and --run-dir.
#
# Oracles are iproute2's JSON (ip -j ...) read with jq, and /proc/sys read
# inside the namespace. Assertions print what was expected and what was seen.

set -euo pipefail

RU_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RAILUP=${RAILUP:-$RU_ROOT/early/railup}
RU_TEST=$(basename "$0" .sh)
RU_PFX="ru$$-"
RU_NS=()
RU_PORTS=0
RU_TMP=""

ru_cleanup() {
	local rc=$? ns
	set +e
	trap - EXIT INT TERM HUP
	for ns in "${RU_NS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	# Also any of ours the list missed (interrupted between add and record).
	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
		case $ns in "$RU_PFX"*) ip netns del "$ns" 2>/dev/null ;; esac
	done
	[ -z "$RU_TMP" ] || rm -rf "$RU_TMP"
	if [ "$rc" -eq 0 ]; then
		echo "PASS: $RU_TEST"
	else
		echo "FAIL: $RU_TEST (exit $rc)" >&2
	fi
	exit "$rc"
}
trap ru_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---- assertions ----

fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

pass() {
	printf 'ok   %s\n' "$*"
}

# expect_eq WHAT EXPECTED SEEN
expect_eq() {
	[ "$2" == "$3" ] && return 0
	printf 'FAIL: %s\n  expected: %s\n  seen:     %s\n' "$1" "$2" "$3" >&2
	exit 1
}

# expect_lines WHAT EXPECTED SEEN: multi-line values, shown as blocks and a diff
expect_lines() {
	[ "$2" == "$3" ] && return 0
	{
		printf 'FAIL: %s\n--- expected:\n%s\n--- seen:\n%s\n--- diff (expected -> seen):\n' \
			"$1" "$2" "$3"
		diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$3") | tail -n +3
	} >&2
	exit 1
}

# expect_contains WHAT TEXT STRING (a fixed string)
expect_contains() {
	case $2 in *"$3"*) return 0 ;; esac
	printf 'FAIL: %s\n  expected to contain: %s\n  seen: %s\n' "$1" "$3" "$2" >&2
	exit 1
}

expect_not_contains() {
	case $2 in *"$3"*)
		printf 'FAIL: %s\n  expected not to contain: %s\n  seen: %s\n' "$1" "$3" "$2" >&2
		exit 1
		;;
	esac
}

# expect_same_file WHAT FILE_EXPECTED FILE_SEEN (dumps): a unified diff on failure
expect_same_file() {
	cmp -s "$2" "$3" && return 0
	{
		printf 'FAIL: %s\n--- diff (expected -> seen):\n' "$1"
		diff -u "$2" "$3" | tail -n +3
	} >&2
	exit 1
}

# part NAME FUNCTION [ARGS...]: one independent part of a test (its own namespaces),
# run in a subshell: when it fails, the failure is shown and the test goes on
# with its next part, so one railup bug does not hide another; parts_end then
# fails the test. (Namespaces made in a part are found by the ru<pid>- prefix,
# which a subshell shares, and deleted on exit like the others.)
RU_FAILED=()
part() {
	local rc
	printf -- '--- %s\n' "$1"
	set +e
	(
		set -e
		"${@:2}"
	)
	rc=$?
	set -e
	[ "$rc" -eq 0 ] || RU_FAILED+=("$1")
}

parts_end() {
	[ ${#RU_FAILED[@]} -eq 0 ] && return 0
	printf 'FAIL: %d part(s) failed:\n' ${#RU_FAILED[@]} >&2
	printf '  %s\n' "${RU_FAILED[@]}" >&2
	exit 1
}

# ---- namespaces and links ----

in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# ns_new VAR NAME: a fresh namespace ru<pid>-NAME, its name in $VAR, lo up.
# A new namespace inherits net.ipv4.conf.{all,default} from the host's (with
# net.core.devconf_inherit_init_net=0, the default), and hosts differ: systemd
# sets rp_filter=2 and promote_secondaries=1. Every namespace starts from the
# kernel's own defaults instead, so results do not depend on the host; the
# tests set an image's values where they want them.
# IPv6 is off in it: link-local addresses and their DAD states would change
# between two dumps on their own and make "nothing changed" checks flaky.
ns_new() {
	local var=$1 ns="$RU_PFX$2"
	RU_NS+=("$ns")
	ip netns add "$ns"
	printf -v "$var" %s "$ns"
	ip -n "$ns" link set lo up
	in_ns "$ns" sh -ec 'for f in all default; do
		for k in rp_filter arp_ignore arp_announce arp_filter accept_local promote_secondaries; do
			echo 0 >/proc/sys/net/ipv4/conf/$f/$k
		done
		[ ! -w /proc/sys/net/ipv6/conf/$f/disable_ipv6 ] ||
			echo 1 >/proc/sys/net/ipv6/conf/$f/disable_ipv6
	done'
}

# sw_bridge SW BR: bridge BR in switch namespace SW, up (made on first use)
sw_bridge() {
	ip -n "$1" link show "$2" >/dev/null 2>&1 && return 0
	ip -n "$1" link add "$2" type bridge
	ip -n "$1" link set "$2" up
}

# ns_link NS IF SW BR [up|down|unplugged]: veth IF in NS, its peer a port of
# bridge BR in SW. IF is left down when asked (railup then has to bring it
# up); unplugged, its switch port is left down too (no carrier until the
# test gives it: lib-fault.sh's carrier).
ns_link() {
	local ns=$1 ifn=$2 sw=$3 br=$4 state=${5:-up} port port_state=up
	sw_bridge "$sw" "$br"
	RU_PORTS=$((RU_PORTS + 1))
	port="p$RU_PORTS"
	[ "$state" != unplugged ] || port_state=down
	ip -n "$ns" link add "$ifn" type veth peer name "$port" netns "$sw"
	ip -n "$sw" link set "$port" master "$br" "$port_state"
	[ "$state" = down ] || [ "$state" = unplugged ] || ip -n "$ns" link set "$ifn" up
}

# host_if NS IF SW BR ADDR/PLEN...: an interface of a peer host on bridge BR
host_if() {
	local ns=$1 ifn=$2 sw=$3 br=$4 a
	shift 4
	ns_link "$ns" "$ifn" "$sw" "$br"
	for a; do
		ip -n "$ns" addr add "$a" dev "$ifn"
	done
}

# peer_new VAR NAME SW BR ADDR/PLEN...: a peer host namespace with eth0 on BR
peer_new() {
	local var=$1 name=$2 sw=$3 br=$4
	shift 4
	ns_new "$var" "$name"
	host_if "${!var}" eth0 "$sw" "$br" "$@"
}

# set_sysctl NS DEV KEY VALUE (net.ipv4.conf.DEV.KEY)
set_sysctl() {
	in_ns "$1" sh -c "echo $4 >/proc/sys/net/ipv4/conf/$2/$3"
}

# sc NS DEV KEY: net.ipv4.conf.DEV.KEY as the namespace sees it
sc() {
	in_ns "$1" cat "/proc/sys/net/ipv4/conf/$2/$3"
}

# v6 NS IF KEY: net.ipv6.conf.IF.KEY
v6() {
	in_ns "$1" cat "/proc/sys/net/ipv6/conf/$2/$3"
}

# v6_on NS IF...: IPv6 on (namespaces start with it off), without DAD, so
# that addresses are usable at once and dumps do not change on their own
v6_on() {
	local ns=$1 i
	shift
	for i; do
		in_ns "$ns" sh -ec "echo 0 >/proc/sys/net/ipv6/conf/$i/accept_dad
			echo 0 >/proc/sys/net/ipv6/conf/$i/disable_ipv6"
	done
}

# ---- the layouts of the seeds ----

# The second seed's textbook layout (a): four rails, four /24s, a gateway each.
# shellcheck disable=SC2034 # used by the tests
MAP_A='rd.rail=ib0:10.0.1.14/24:10.0.1.1
rd.rail=ib1:10.0.2.14/24:10.0.2.1
rd.rail=ib2:10.0.3.14/24:10.0.3.1
rd.rail=ib3:10.0.4.14/24:10.0.4.1'

# build_four_rails TAG [down]: the topology for MAP_A. Sets NODE, SW, GW:
# NODE has ib0..ib3 without addresses (railup adds them), ib<i> on bridge
# br<i+1> of SW; GW is the rails' router, 10.0.<n>.1/24 on its eth<n-1> in
# each rail subnet, with the far address 10.0.99.99 on its loopback.
build_four_rails() {
	local tag=$1 state=${2:-up} i
	ns_new NODE "$tag-node"
	ns_new SW "$tag-sw"
	ns_new GW "$tag-gw"
	for i in 0 1 2 3; do
		ns_link "$NODE" "ib$i" "$SW" "br$((i + 1))" "$state"
		host_if "$GW" "eth$i" "$SW" "br$((i + 1))" "10.0.$((i + 1)).1/24"
	done
	ip -n "$GW" addr add 10.0.99.99/32 dev lo
}

# ---- running railup ----

RU_TMP=$(mktemp -d "${TMPDIR:-/tmp}/railup-netns.XXXXXX")
# One binary for the whole test, even if early/railup is rebuilt meanwhile.
[ -x "$RAILUP" ] || fail "$RAILUP is missing: run make first"
cp "$RAILUP" "$RU_TMP/railup"
RAILUP=$RU_TMP/railup
RU_CONF=$RU_TMP/railup.conf
RU_CMDLINE=$RU_TMP/cmdline
echo quiet >"$RU_CMDLINE"
: >"$RU_CONF"

# set_conf TEXT / set_cmdline TEXT: the map railup reads next
set_conf() {
	printf '%s\n' "$1" >"$RU_CONF"
}

set_cmdline() {
	printf '%s\n' "$1" >"$RU_CMDLINE"
}

# rundir NS: the namespace's own run dir (its ledger is <rundir>/owned)
rundir() {
	echo "$RU_TMP/run-${1#"$RU_PFX"}"
}

# run_state NS KEY: a value of railup's state file in NS's run directory
run_state() {
	sed -n "s/^$2='\{0,1\}\([^']*\)'\{0,1\}$/\1/p" "$(rundir "$1")/state"
}

# ru NS ARGS...: railup ARGS in NS; sets RU_RC, RU_OUT, RU_ERR and never
# fails by itself. The log shows the command, its status and its stderr.
ru() {
	local ns=$1
	shift
	RU_RC=0
	in_ns "$ns" "$RAILUP" --cmdline "$RU_CMDLINE" --conf "$RU_CONF" --run-dir "$(rundir "$ns")" \
		"$@" >"$RU_TMP/out" 2>"$RU_TMP/err" || RU_RC=$?
	RU_OUT=$(cat "$RU_TMP/out")
	RU_ERR=$(cat "$RU_TMP/err")
	printf '$ railup %s   # in %s: exit %d\n' "$*" "${ns#"$RU_PFX"}" "$RU_RC"
	[ -z "$RU_ERR" ] || printf '%s\n' "$RU_ERR" | sed 's/^/    stderr| /'
}

# expect_rc WHAT STATUS: the last ru's exit status, with its output on failure
expect_rc() {
	[ "$RU_RC" -eq "$2" ] && return 0
	printf 'FAIL: %s\n  expected exit %s, seen exit %s\n--- stdout:\n%s\n--- stderr:\n%s\n' \
		"$1" "$2" "$RU_RC" "$RU_OUT" "$RU_ERR" >&2
	exit 1
}

# ru_ok NS ARGS...: railup must exit 0
ru_ok() {
	ru "$@"
	expect_rc "railup ${*:2} in ${1#"$RU_PFX"}" 0
}

# ru_timed NS ARGS...: ru, and how long it took in RU_MS
ru_timed() {
	local t0
	t0=$(date +%s%N)
	ru "$@"
	# shellcheck disable=SC2034 # the caller's
	RU_MS=$((($(date +%s%N) - t0) / 1000000))
}

# ---- reading the state ----

# jq definitions: "proto" is a route's or rule's protocol as a number-string;
# with /etc/iproute2/rt_protos.d/railup.conf installed, ip names 114 "railup".
JQ_DEFS='def proto: (.protocol // "") | if . == "railup" then "114" else . end;'

# rules_text NS: the IPv4 rules as "PRIO from SRC lookup TABLE [proto P]", in order
rules_text() {
	ip -n "$1" -j rule show | jq -r "$JQ_DEFS"'.[] |
		"\(.priority) from \(.src)\(if .srclen then "/\(.srclen)" else "" end)" +
		(if .fwmark then " fwmark \(.fwmark)" else "" end) +
		" lookup \(.table)" + (if .protocol then " proto \(proto)" else "" end)'
}

# railup_rules NS: only the rules carrying railup's protocol (114)
railup_rules() {
	ip -n "$1" -j rule show | jq -r "$JQ_DEFS"'.[] | select(proto == "114") |
		"\(.priority) from \(.src) lookup \(.table)"'
}

# routes_text NS TABLE: the table's routes, one per line in ip's words, sorted
routes_text() {
	ip -n "$1" -j route show table "$2" | jq -r "$JQ_DEFS"'.[] | [
		(.type // empty | select(. != "unicast")), .dst,
		(.gateway // empty | "via \(.)"), (.dev // empty | "dev \(.)"),
		(.prefsrc // empty | "src \(.)"), (if .protocol then "proto \(proto)" else empty end),
		(.scope // empty | "scope \(.)"), (.metric // empty | "metric \(.)")
	] | join(" ")' | LC_ALL=C sort
}

# railup_routes NS: every proto-114 route of every table, "table T: ..."
railup_routes() {
	ip -n "$1" -j route show table all | jq -r "$JQ_DEFS"'.[] | select(proto == "114") |
		"table \(.table // "main"): \(.dst) \(.gateway // "-") \(.dev // "-")"' | LC_ALL=C sort
}

# route_get NS DST [SRC]: the kernel's decision as "dev D table T via G"
route_get() {
	local out
	if ! out=$(ip -n "$1" -j route get "$2" ${3:+from "$3"} 2>&1); then
		echo "error: $out"
		return 0
	fi
	jq -r '.[0] | "dev \(.dev) table \(.table // "main") via \(.gateway // "-")"' <<<"$out"
}

# addrs NS DEV: the IPv4 addresses on DEV, "a.b.c.d/len" per line
addrs() {
	ip -n "$1" -j -4 addr show dev "$2" | jq -r '.[0].addr_info[]? | "\(.local)/\(.prefixlen)"'
}

# wrong_rails: the rails railup status (text, on stdin) reports WRONG, by
# name, space separated. A rail's line starts with its name ("ib1: WRONG: ..."
# or "ib1 10.0.2.14/24: WRONG: ..."); its details are indented.
wrong_rails() {
	awk '/^[^ ].*: WRONG/ && !/^map: / { sub(/:$/, "", $1); printf "%s%s", sep, $1; sep = " " }'
}

# link_up NS DEV: "yes" when DEV is administratively up
link_up() {
	ip -n "$1" -j link show dev "$2" | jq -r 'if (.[0].flags | index("UP")) then "yes" else "no" end'
}

# tx NS DEV: packets DEV has sent
tx() {
	ip -n "$1" -j -s link show dev "$2" | jq '.[0].stats64.tx.packets'
}

SYSCTL_KEYS="rp_filter arp_ignore arp_announce arp_filter accept_local"

# sysctls NS: "DEV KEY VALUE" for every net.ipv4.conf.* directory and key railup knows
sysctls() {
	in_ns "$1" sh -c 'cd /proc/sys/net/ipv4/conf && for d in *; do
		for k in '"$SYSCTL_KEYS"'; do echo "$d $k $(cat $d/$k)"; done
	done'
}

# dump NS: everything railup could touch, as pretty JSON for diffing: rules
# (in the kernel's order, which is their order of use), every table's routes
# (sorted), the addresses (without lifetimes, MACs or ifindexes, so two
# namespaces built alike compare equal), link up/down and MTU, and the sysctls.
dump() {
	local ns=$1
	jq -S -n \
		--argjson rules4 "$(ip -n "$ns" -4 -j rule show)" \
		--argjson rules6 "$(ip -n "$ns" -6 -j rule show)" \
		--argjson routes4 "$(ip -n "$ns" -4 -j route show table all)" \
		--argjson routes6 "$(ip -n "$ns" -6 -j route show table all)" \
		--argjson addrs "$(ip -n "$ns" -j addr show)" \
		--argjson sysctl "$(sysctls "$ns" | jq -R -s 'split("\n") | map(select(. != "") |
			split(" ")) | reduce .[] as $x ({}; .[$x[0]][$x[1]] = ($x[2] | tonumber))')" \
		'{rules4: $rules4, rules6: $rules6,
		  routes4: ($routes4 | sort_by(tostring)), routes6: ($routes6 | sort_by(tostring)),
		  addrs: [$addrs[] | {ifname, up: ((.flags | index("UP")) != null), mtu,
			addr_info: [.addr_info[] | del(.valid_life_time, .preferred_life_time)]}],
		  sysctl: $sysctl}'
}

# ---- preconditions ----

[ "$(id -u)" -eq 0 ] || fail "the namespace tests need root (they create network namespaces)"
for tool in ip jq; do
	command -v "$tool" >/dev/null || fail "$tool is missing (make test-deps)"
done

# need_busybox: the tests that send traffic ping and arping with busybox
need_busybox() {
	command -v busybox >/dev/null || fail "busybox is missing (make test-deps installs busybox-static)"
}

# ping_ok NS DST [SRC]: one echo, answered within a second
ping_ok() {
	in_ns "$1" busybox ping -q -c 1 -W 1 ${3:+-I "$3"} "$2" >/dev/null 2>&1
}
