#!/bin/bash
# Regenerates the binary seeds of tests/fuzz/corpus/ (netlink replies, RDMA
# CM events, ledger and state files; the text seeds are written by hand):
# build/fuzz/mkcorpus runs in a throwaway network namespace set up here with
# links, addresses, routes and rules of the kinds railup meets, and captures
# the kernel's replies. Needs root; touches nothing outside the namespace.
#   tests/fuzz/mkcorpus.sh [OUTDIR]     (default tests/fuzz/corpus)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-tests/fuzz/corpus}
make -s build/fuzz/mkcorpus

ns=railup-mkcorpus-$$
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
ip netns add "$ns"
n() { ip -n "$ns" "$@"; }

n link set lo up
for i in 0 1 2; do
	n link add "ib$i" type veth peer name "pb$i"
	n link set "ib$i" up
	n link set "pb$i" up
done
ip netns exec "$ns" sh -c 'echo 2 >/proc/sys/net/ipv4/conf/ib0/rp_filter
	echo 1 >/proc/sys/net/ipv4/conf/ib0/arp_ignore
	echo 1 >/proc/sys/net/ipv4/conf/all/accept_local'
n addr add 10.0.1.14/24 dev ib0
n addr add 10.0.2.14/24 dev ib1
n addr add 10.0.9.1 peer 10.0.9.2/32 dev ib2
n -6 addr add fd00:1::14/64 dev ib0 nodad
n -6 addr add fd00:2::14/64 dev ib1 nodad

n route add 10.0.1.0/24 dev ib0 src 10.0.1.14 table 101 proto 114
n route add default via 10.0.1.1 dev ib0 table 101 proto 114 metric 10
n route add default via 10.0.2.1 dev ib1 table 70000 proto 114
n route add 10.9.0.0/16 nexthop via 10.0.1.1 dev ib0 nexthop via 10.0.2.1 dev ib1
n route add blackhole 10.8.0.0/16
n route add unreachable 10.7.0.0/16 table 101
n route add 10.6.0.0/16 via 10.0.1.1 tos 0x10
n -6 route add default via fd00:1::1 dev ib0 table 101 proto 114
n -6 route add fd00:9::/48 nexthop via fd00:1::1 dev ib0 nexthop via fd00:2::1 dev ib1

n rule add from 10.0.1.14 lookup 101 pref 1001 proto 114
n rule add from 10.0.2.14 lookup 70000 pref 1002 proto 114
n rule add fwmark 0x10/0xff lookup 200 pref 900
n rule add iif ib1 lookup 201 pref 901
n rule add oif ib0 lookup 202 pref 902
n rule add uidrange 1000-2000 lookup 203 pref 903
n rule add ipproto tcp dport 80 lookup 204 pref 904
n rule add lookup main suppress_prefixlength 0 pref 905
n rule add to 10.5.0.0/16 tos 0x10 goto 1001 pref 906
n -6 rule add from fd00:1::14 lookup 101 pref 1001 proto 114

mkdir -p "$out"
ip netns exec "$ns" build/fuzz/mkcorpus "$out"
