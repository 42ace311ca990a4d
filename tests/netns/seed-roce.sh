#!/bin/bash
# The second seed's checks on a 4-rail RoCE node (ib0..ib3 = 10.0.1-4.14/24,
# gateways 10.0.1-4.1), done with traffic and counters instead of RDMA:
#
#  * C.4 counters: the router pings each rail's address from a far address
#    (10.0.99.99); the echo replies must leave by THAT rail: its tx counter
#    grows by the count, no other rail sends a single packet.
#  * C.2 ARP flux: the router's neighbour table must resolve each node
#    address to that NIC's own MAC; only that NIC answers ARP for it.
#  * status: exit 0 and every rail ok; a rule deleted by hand makes status
#    exit 1 and name the rail.
#
# The rails share one L2 segment here (a flat proof-of-concept fabric): only
# there can ARP flux show, since every NIC hears every ARP request. The
# image configured the addresses and one default route (via ib0's gateway),
# the seed's starting point: before railup, every reply leaves by ib0, and
# all four NICs answer ARP for each address.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
need_busybox

ns_new NODE node
ns_new SW sw
ns_new GW router
for i in 0 1 2 3; do
	ns_link "$NODE" "ib$i" "$SW" br0
	ip -n "$NODE" addr add "10.0.$((i + 1)).14/24" dev "ib$i"
done
ip -n "$NODE" route add default via 10.0.1.1 dev ib0
host_if "$GW" eth0 "$SW" br0 10.0.1.1/24 10.0.2.1/24 10.0.3.1/24 10.0.4.1/24
ip -n "$GW" addr add 10.0.99.99/32 dev lo
declare -A MAC
for i in 0 1 2 3; do
	MAC[ib$i]=$(ip -n "$NODE" -j link show dev "ib$i" | jq -r '.[0].address')
done
COUNT=5

# traffic I: the router pings rail i's address COUNT times from 10.0.99.99,
# its neighbour table flushed first (so it ARPs). Sets DELTA[ibN]: packets
# each rail sent meanwhile.
declare -A DELTA
traffic() {
	local i=$1 n before=()
	ip -n "$GW" neigh flush all
	for n in 0 1 2 3; do before[n]=$(tx "$NODE" "ib$n"); done
	in_ns "$GW" busybox ping -q -A -c $COUNT -W 1 -I 10.0.99.99 "10.0.$((i + 1)).14" >/dev/null ||
		fail "the router's ping of 10.0.$((i + 1)).14 from 10.0.99.99 got no answer"
	for n in 0 1 2 3; do DELTA[ib$n]=$(($(tx "$NODE" "ib$n") - before[n])); done
	echo "    ping 10.0.$((i + 1)).14: tx ib0 +${DELTA[ib0]} ib1 +${DELTA[ib1]} ib2 +${DELTA[ib2]} ib3 +${DELTA[ib3]}"
}

# Before: rail 3's address (ib2). Its replies leave by ib0, every NIC answers ARP.
traffic 2
[ "${DELTA[ib0]}" -ge $COUNT ] ||
	fail "before railup: ib0 sent ${DELTA[ib0]} packets, expected the $COUNT replies meant for ib2 (the seed's failure)"
[ "${DELTA[ib2]}" -lt $COUNT ] ||
	fail "before railup: ib2 sent ${DELTA[ib2]} packets: the replies already leave by ib2, the failure is not reproduced"
for n in 1 3; do
	[ "${DELTA[ib$n]}" -ge 1 ] ||
		fail "before railup: ib$n sent nothing: no ARP flux (arp_ignore=0 should make it answer for 10.0.3.14)"
done
pass "before railup: replies for ib2 leave by ib0, and all NICs answer ARP (ARP flux)"

set_conf "$MAP_A"
ru_ok "$NODE" apply

for i in 0 1 2 3; do
	traffic $i
	for n in 0 1 2 3; do
		if [ $n -eq $i ]; then
			[ "${DELTA[ib$n]}" -ge $COUNT ] ||
				fail "ping of 10.0.$((i + 1)).14: ib$n (its rail) sent ${DELTA[ib$n]} packets, expected at least the $COUNT replies"
		else
			expect_eq "ping of 10.0.$((i + 1)).14: packets ib$n (another rail) sent" 0 "${DELTA[ib$n]}"
		fi
	done
	expect_eq "the router resolved 10.0.$((i + 1)).14 to ib$i's own MAC" "${MAC[ib$i]}" \
		"$(ip -n "$GW" -j neigh show "10.0.$((i + 1)).14" | jq -r '.[0].lladdr // "(none)"')"
	expect_eq "ip route get 10.0.99.99 from 10.0.$((i + 1)).14" \
		"dev ib$i table $((101 + i)) via 10.0.$((i + 1)).1" "$(route_get "$NODE" 10.0.99.99 10.0.$((i + 1)).14)"
done
pass "after railup: each rail's replies leave by it alone, each address resolves to its NIC's MAC"

ru_ok "$NODE" status
expect_contains "status's summary" "$RU_OUT" "4 rails: 4 ok, 0 wrong"
ru_ok "$NODE" status --json
expect_eq "status --json: the rails and their ok" "ib0 true,ib1 true,ib2 true,ib3 true" \
	"$(jq -r '[.rails[] | "\(.name) \(.ok)"] | join(",")' <<<"$RU_OUT")"
expect_eq "status --json: ok" true "$(jq -r .ok <<<"$RU_OUT")"
expect_eq "status --json: every rail's decision leaves by its own dev" "ib0 ib1 ib2 ib3" \
	"$(jq -r '[.rails[] | .decision.dev] | join(" ")' <<<"$RU_OUT")"
pass "status: every rail ok"

# Break ib1: its rule goes.
ip -n "$NODE" rule del pref 1002
ru "$NODE" status
expect_rc "status with ib1's rule deleted" 1
expect_eq "status: the rails reported WRONG" ib1 "$(wrong_rails <<<"$RU_OUT")"
ru "$NODE" status --json
expect_rc "status --json with ib1's rule deleted" 1
expect_eq "status --json: the rails and their ok" "ib0 true,ib1 false,ib2 true,ib3 true" \
	"$(jq -r '[.rails[] | "\(.name) \(.ok)"] | join(",")' <<<"$RU_OUT")"
expect_eq "status --json: ib1's rule" false "$(jq -r '.rails[1].rule' <<<"$RU_OUT")"
pass "status: a deleted rule makes ib1 wrong, and only ib1"

# apply repairs it.
ru_ok "$NODE" apply
ru_ok "$NODE" status
traffic 1
expect_eq "after the repair: packets ib0 sent while ib1's address was pinged" 0 "${DELTA[ib0]}"
pass "apply repairs the broken rail"
