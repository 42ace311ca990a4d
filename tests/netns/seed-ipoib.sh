#!/bin/bash
# The first seed, "ping to the second NIC fails": two IPoIB NICs in ONE
# subnet on one node, a peer in that subnet. The image configured both
# addresses and the seed's strict ARP/rp_filter template (rp_filter=1,
# arp_filter=1, arp_ignore=2, arp_announce=2 on the NICs, rp_filter=1 on all),
# but no per-NIC tables or rules. Then:
#
#   peer -> 10.1.0.11 (ib0)  works
#   peer -> 10.1.0.12 (ib1)  "Destination Host Unreachable"
#
# Why: without rules the node routes by destination only, and main holds
# 10.1.0.0/24 twice (dev ib0 and dev ib1); the first, ib0's, wins for every
# packet to the subnet, whatever its source. So for the peer's ARP request
# "who has 10.1.0.12", arriving on ib1, arp_filter=1 asks "would my route to
# the peer leave by ib1?" -- it would leave by ib0, so ib1 stays silent: no
# ARP reply, the peer reports the host unreachable. And were the peer to
# know ib1's MAC anyway, strict rp_filter=1 drops the echo request on ib1 for
# the same reason (the reverse path leaves by ib0), and a reply could only
# have left by ib0.
#
# railup with the IPoIB profile (the seed's own values, conf/all left alone)
# adds per-NIC tables and "from <ip>" rules: the route back from 10.1.0.12
# leaves by ib1, so ARP is answered, rp_filter passes, and the ping works.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
need_busybox

ns_new NODE node
ns_new SW sw
ns_link "$NODE" ib0 "$SW" br0
ns_link "$NODE" ib1 "$SW" br0
peer_new PEER peer "$SW" br0 10.1.0.100/24
ip -n "$NODE" addr add 10.1.0.11/24 dev ib0
ip -n "$NODE" addr add 10.1.0.12/24 dev ib1
set_sysctl "$NODE" all rp_filter 1
for nic in ib0 ib1; do
	set_sysctl "$NODE" $nic rp_filter 1
	set_sysctl "$NODE" $nic arp_filter 1
	set_sysctl "$NODE" $nic arp_ignore 2
	set_sysctl "$NODE" $nic arp_announce 2
done
MAC0=$(ip -n "$NODE" -j link show dev ib0 | jq -r '.[0].address')
MAC1=$(ip -n "$NODE" -j link show dev ib1 | jq -r '.[0].address')

# rpf_drops: the node's IPReversePathFilter counter
rpf_drops() {
	in_ns "$NODE" awk '$1 == "TcpExt:" { if (!seen) { seen = split($0, h); next }
		for (i = 2; i <= NF; i++) if (h[i] == "IPReversePathFilter") print $i; exit }' \
		/proc/net/netstat
}

# peer_neigh ADDR: the MAC the peer resolved ADDR to ("" when none)
peer_neigh() {
	ip -n "$PEER" -j neigh show "$1" | jq -r '.[0].lladdr // ""'
}

# before NAME: the seed's failure, as it stands with the node's current state
before() {
	ip -n "$PEER" neigh flush all
	ping_ok "$PEER" 10.1.0.11 || fail "$1: the peer's ping to the first NIC (10.1.0.11) fails"
	expect_eq "$1: the peer resolved 10.1.0.11 to ib0's MAC" "$MAC0" "$(peer_neigh 10.1.0.11)"
	! ping_ok "$PEER" 10.1.0.12 ||
		fail "$1: the peer's ping to the second NIC (10.1.0.12) works: the seed's failure is not reproduced"
	expect_eq "$1: the peer's ARP for 10.1.0.12 got no answer" "" "$(peer_neigh 10.1.0.12)"
	# Past ARP (the peer told ib1's MAC by hand): strict rp_filter drops the request.
	drops=$(rpf_drops)
	ip -n "$PEER" neigh replace 10.1.0.12 lladdr "$MAC1" dev eth0 nud permanent
	! ping_ok "$PEER" 10.1.0.12 || fail "$1: with ib1's MAC known, the ping to 10.1.0.12 works"
	[ "$(rpf_drops)" -gt "$drops" ] ||
		fail "$1: the node's IPReversePathFilter did not grow ($drops, now $(rpf_drops))"
	ip -n "$PEER" neigh del 10.1.0.12 dev eth0
	pass "$1: the ping to the second NIC fails (no ARP answer; rp_filter drops it)"
}

# after NAME: both NICs answer, each with its own MAC, nothing dropped
after() {
	ip -n "$PEER" neigh flush all
	drops=$(rpf_drops)
	ping_ok "$PEER" 10.1.0.11 || fail "$1: the peer's ping to 10.1.0.11 (ib0) fails"
	ping_ok "$PEER" 10.1.0.12 || fail "$1: the peer's ping to 10.1.0.12 (ib1) fails"
	expect_eq "$1: the peer resolved 10.1.0.11 to ib0's MAC" "$MAC0" "$(peer_neigh 10.1.0.11)"
	expect_eq "$1: the peer resolved 10.1.0.12 to ib1's MAC" "$MAC1" "$(peer_neigh 10.1.0.12)"
	expect_eq "$1: the node's IPReversePathFilter drops during the pings" "$drops" "$(rpf_drops)"
	expect_eq "$1: ip route get 10.1.0.100 from 10.1.0.12" "dev ib1 table 102 via -" \
		"$(route_get "$NODE" 10.1.0.100 10.1.0.12)"
	ru_ok "$NODE" status
	pass "$1: the ping to the second NIC works"
}

before "before railup"

set_conf 'rd.rail.profile=ipoib
rd.rail=ib0:10.1.0.11/24
rd.rail=ib1:10.1.0.12/24'
ru_ok "$NODE" apply
after "after railup apply (IPoIB profile)"
for k in "rp_filter 1" "arp_filter 1" "arp_ignore 2" "arp_announce 2"; do
	set -- $k
	expect_eq "IPoIB profile: ib1.$1" "$2" "$(sc "$NODE" ib1 "$1")"
done
expect_eq "IPoIB profile: all.rp_filter is left as the image had it" 1 "$(sc "$NODE" all rp_filter)"

ru_ok "$NODE" down
before "after railup down"

# The default (RoCE) profile cures it as well: loose rp_filter, arp_ignore=1.
set_conf 'rd.rail=ib0:10.1.0.11/24
rd.rail=ib1:10.1.0.12/24'
ru_ok "$NODE" apply
after "after railup apply (default profile)"
