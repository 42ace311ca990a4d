#!/bin/bash
# pmtu=: boot pings each rail's gateway (or the host pmtu= names) at the
# rail's MTU with don't-fragment set, and fails the rail when the fabric
# does not carry it. Every rail and its switch port run at 9000 but one:
#   ib0  10.0.1.14 and fd00:1::14, ports at 9000: verified
#   ib1  10.0.2.14 and fd00:2::14, the switch's port facing ib1 left at
#        1500: the bridge drops the large pings without a word (an RDMA
#        CM handshake and small pings pass there): both rails fail
#   ib2  10.0.3.14, pmtu=10.0.99.1, a host behind the router GW on a 1500
#        link: GW answers the large ping with "fragmentation needed"
#   ib3  10.0.4.14, its gateway GW2 answers no ping at all
# Oracles: railup's state file and stderr; the mismatch itself shown with
# busybox ping (large lost, small answered) so the test knows its fabric.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
need_busybox

MAP='rd.rail=ib0:10.0.1.14/24:10.0.1.1
rd.rail=ib0:[fd00:1::14]/64:[fd00:1::1]
rd.rail=ib1:10.0.2.14/24:10.0.2.1
rd.rail=ib1:[fd00:2::14]/64:[fd00:2::1]
rd.rail=ib2:10.0.3.14/24:10.0.3.1,pmtu=10.0.99.1
rd.rail=ib3:10.0.4.14/24:10.0.4.1
rd.rail.mtu=9000 rd.rail.verify=0 rd.rail.modules= rd.rail.timeout=10
rd.rail.verify_timeout=2'

# mtu NS IF MTU
mtu() {
	ip -n "$1" link set dev "$2" mtu "$3"
}

# link NS IF BR: ns_link's veth, both ends at 9000; PORT: its switch port
link() {
	ns_link "$1" "$2" "$SW" "$3"
	PORT=p$RU_PORTS
	mtu "$1" "$2" 9000
	mtu "$SW" "$PORT" 9000
}

build() {
	ns_new NODE "$1-n"
	ns_new SW "$1-s"
	ns_new GW "$1-g"
	ns_new GW2 "$1-h"
	ns_new FAR "$1-f"
	in_ns "$NODE" sh -c 'echo 0 >/proc/sys/net/ipv6/conf/default/accept_dad'
	link "$NODE" ib0 br0
	link "$GW" eth0 br0
	link "$NODE" ib1 br1
	IB1_PORT=$PORT
	link "$GW" eth1 br1
	link "$NODE" ib2 br2
	link "$GW" eth2 br2
	link "$NODE" ib3 br3
	link "$GW2" eth0 br3
	# The misconfigured switch port: ib1's, at the default 1500.
	mtu "$SW" "$IB1_PORT" 1500
	v6_on "$NODE" ib0 ib1
	v6_on "$GW" eth0 eth1
	ip -n "$GW" addr add 10.0.1.1/24 dev eth0
	ip -n "$GW" addr add fd00:1::1/64 dev eth0
	ip -n "$GW" addr add 10.0.2.1/24 dev eth1
	ip -n "$GW" addr add fd00:2::1/64 dev eth1
	ip -n "$GW" addr add 10.0.3.1/24 dev eth2
	ip -n "$GW2" addr add 10.0.4.1/24 dev eth0
	in_ns "$GW2" sh -c 'echo 1 >/proc/sys/net/ipv4/icmp_echo_ignore_all'
	# FAR sits behind GW on a link of 1500.
	ip -n "$GW" link add eth9 type veth peer name eth0 netns "$FAR"
	ip -n "$GW" addr add 10.0.99.254/24 dev eth9
	ip -n "$GW" link set eth9 up
	ip -n "$FAR" addr add 10.0.99.1/24 dev eth0
	ip -n "$FAR" link set eth0 up
	ip -n "$FAR" route add default via 10.0.99.254
	in_ns "$GW" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
}

# rail_of KEY ADDRESS: the state's value of KEY for the rail with ADDRESS
# (the state file read by sh, as a boot script would)
rail_of() {
	# shellcheck disable=SC2016 # for sh to expand
	sh -c '. "$1"; i=0
		while [ "$i" -lt "$RAILUP_RAILS" ]; do
			eval "a=\$RAIL${i}_ADDRESS v=\$RAIL${i}_$2"
			[ "$a" != "$3" ] || { echo "$v"; exit 0; }
			i=$((i + 1))
		done
		echo "no rail $3"' sh "$(rundir "$NODE")/state" "$1" "$2"
}

fabric_as_described() {
	build fab
	set_conf "${MAP%rd.rail.verify_timeout=2}"
	ru_ok "$NODE" apply
	# Small pings pass everywhere, large ones only on ib0.
	ping_ok "$NODE" 10.0.1.1 10.0.1.14 || fail "ib0: small ping"
	ping_ok "$NODE" 10.0.2.1 10.0.2.14 || fail "ib1: small ping"
	in_ns "$NODE" busybox ping -q -c 1 -W 1 -s 8972 -I 10.0.1.14 10.0.1.1 >/dev/null ||
		fail "ib0: a 9000-byte ping is lost: the fabric is not as described"
	! in_ns "$NODE" busybox ping -q -c 1 -W 1 -s 8972 -I 10.0.2.14 10.0.2.1 >/dev/null ||
		fail "ib1: a 9000-byte ping passed its 1500 port"
	pass "small pings everywhere, 9000 bytes through ib0's ports only"
}

# Without pmtu= the boot verifies the rail whose switch port drops its
# large packets: the silent fault pmtu= exists for.
without_pmtu() {
	build off
	set_conf "${MAP/,pmtu=10.0.99.1/}"
	ru "$NODE" boot
	expect_rc "boot without pmtu" 0
	expect_eq "ib1 without pmtu" verified "$(rail_of PHASE 10.0.2.14/24)"
	pass "without pmtu= ib1 is verified, its large packets lost"
}

with_pmtu() {
	local err
	build on
	set_conf "$MAP
rd.rail.pmtu=1"
	ru "$NODE" boot
	expect_rc "boot with pmtu" 1
	expect_eq "ib0 IPv4" verified "$(rail_of PHASE 10.0.1.14/24)"
	expect_eq "ib0 IPv6" verified "$(rail_of PHASE fd00:1::14/64)"
	expect_eq "ib1 IPv4" failed "$(rail_of PHASE 10.0.2.14/24)"
	expect_contains "ib1 IPv4's error" "$(rail_of ERROR 10.0.2.14/24)" \
		"path MTU: 10.0.2.1 answered small pings but none of 5 of 9000 bytes (DF): a link on the way carries less than ib1's MTU 9000"
	expect_eq "ib1 IPv6" failed "$(rail_of PHASE fd00:2::14/64)"
	expect_contains "ib1 IPv6's error" "$(rail_of ERROR fd00:2::14/64)" \
		"path MTU: fd00:2::1 answered small pings but none of 5 of 9000 bytes (DF)"
	expect_eq "ib2" failed "$(rail_of PHASE 10.0.3.14/24)"
	expect_contains "ib2's error" "$(rail_of ERROR 10.0.3.14/24)" \
		"path MTU: 10.0.3.1 says 1500 bytes is the most it carries on to 10.0.99.1; ib2's MTU 9000"
	expect_eq "ib3" failed "$(rail_of PHASE 10.0.4.14/24)"
	# ib3 pinged for its verify_timeout (2 s), every 200 ms, and gave up.
	err=$(rail_of ERROR 10.0.4.14/24)
	[[ $err =~ "path MTU: 10.0.4.1 answered none of "(9|10|11)" pings in 2"[0-9]{3}" ms" ]] ||
		fail "ib3's error: $err"
	expect_contains "stderr names ib1" "$RU_ERR" "ib1: verify: path MTU: 10.0.2.1"
	pass "ib0 verified; ib1 (both families), ib2 and ib3 failed, each saying why"
	# The fabric fixed, the next boot verifies ib1.
	mtu "$SW" "$IB1_PORT" 9000
	ru "$NODE" boot
	expect_eq "ib1 IPv4 after the fix" verified "$(rail_of PHASE 10.0.2.14/24)"
	expect_eq "ib1 IPv6 after the fix" verified "$(rail_of PHASE fd00:2::14/64)"
	pass "the switch port set to 9000: ib1 verified"
}

# pmtu=1 on a rail without a gateway has nothing to ping: bad input.
bad_input() {
	build bad
	set_conf 'rd.rail=ib0:10.0.1.14/24,pmtu=1'
	ru "$NODE" apply
	expect_rc "pmtu=1 without a gateway" 2
	expect_contains "its error" "$RU_ERR" '"rd.rail=ib0:10.0.1.14/24,pmtu=1": pmtu=1 pings the gateway'
	set_conf 'rd.rail=ib0:10.0.1.14/24,pmtu=10.0.1.256'
	ru "$NODE" apply
	expect_rc "pmtu=10.0.1.256" 2
	expect_contains "its error" "$RU_ERR" 'pmtu="10.0.1.256": not 0, 1 or an address to ping'
	expect_eq "nothing changed" "" "$(ip -n "$NODE" -j addr show dev ib0 | jq -r '.[].addr_info[] | select(.family == "inet") | .local')"
	pass "bad pmtu= values: exit 2, nothing changed"
}

part "the test's fabric" fabric_as_described
part "boot without pmtu=" without_pmtu
part "boot with pmtu=" with_pmtu
part "bad input" bad_input
parts_end
