#!/bin/bash
# IPv6 rails end to end, in a dual-stack map: ib0 carries an IPv4 and an
# IPv6 rail (one table number and priority for both), ib1 IPv4 only, ib2
# IPv6 only. Oracles: ip -6 -j rule / route / route get, the IPv6 knobs in
# /proc/sys/net/ipv6/conf/<if>/, and pings that must leave by the rail.
# Then a link flap (the address stays, the kernel flushes the routes, a
# second apply puts them back), idempotence, and down.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
need_busybox

MAP='rd.rail=ib0:10.0.1.14/24:10.0.1.1
rd.rail=ib0:[fd00:1::14]/64:[fd00:1::1]
rd.rail=ib1:10.0.2.14/24:10.0.2.1
rd.rail=ib2:[fd00:3::14]/64:[fd00:3::1]'

# The node (ib0..ib2 bare), the switch, and the router GW: 10.0.1.1 and
# fd00:1::1 on eth0, 10.0.2.1 on eth1, fd00:3::1 on eth2, and the far
# addresses 10.0.99.99 and fd00:99::99 on its loopback.
build() {
	local i
	ns_new NODE "$1-node"
	ns_new SW "$1-sw"
	ns_new GW "$1-gw"
	in_ns "$NODE" sh -c 'echo 0 >/proc/sys/net/ipv6/conf/default/accept_dad'
	for i in 0 1 2; do
		ns_link "$NODE" "ib$i" "$SW" "br$i"
		ns_link "$GW" "eth$i" "$SW" "br$i"
	done
	v6_on "$NODE" ib0 ib1 ib2
	v6_on "$GW" lo eth0 eth2
	ip -n "$GW" addr add 10.0.1.1/24 dev eth0
	ip -n "$GW" addr add fd00:1::1/64 dev eth0
	ip -n "$GW" addr add 10.0.2.1/24 dev eth1
	ip -n "$GW" addr add fd00:3::1/64 dev eth2
	ip -n "$GW" addr add 10.0.99.99/32 dev lo
	ip -n "$GW" addr add fd00:99::99/128 dev lo
	set_conf "$MAP"
}

# rules6 NS: railup's IPv6 rules, "PRIO from SRC lookup TABLE"
rules6() {
	ip -n "$1" -6 -j rule show | jq -r "$JQ_DEFS"'.[] | select(proto == "114") |
		"\(.priority) from \(.src) lookup \(.table)"'
}

# no_table NS FAMILY TABLE: what is in the family's table; "" when the kernel
# has no such table (a table exists per family once a route is in it)
no_table() {
	local out
	out=$(ip -n "$1" "$2" -j route show table "$3" 2>&1) && jq -c '.[]' <<<"$out" && return 0
	case $out in *"FIB table does not exist"*) return 0 ;; esac
	echo "error: $out"
}

# routes6 NS TABLE: the table's IPv6 routes, sorted
routes6() {
	ip -n "$1" -6 -j route show table "$2" | jq -r "$JQ_DEFS"'.[] | [.dst,
		(.gateway // empty | "via \(.)"), "dev \(.dev)", (.prefsrc // empty | "src \(.)"),
		"proto \(proto)"] | join(" ")' | LC_ALL=C sort
}

# addrs6 NS DEV: the global IPv6 addresses on DEV
addrs6() {
	ip -n "$1" -6 -j addr show dev "$2" | jq -r '.[0].addr_info[]? |
		select(.scope == "global") | "\(.local)/\(.prefixlen)"'
}

# The state railup must leave; checked after apply, and after the repair.
expect_installed() {
	local what=$1
	expect_lines "$what: IPv6 rules" "1001 from fd00:1::14 lookup 101
1003 from fd00:3::14 lookup 103" "$(rules6 "$NODE")"
	expect_lines "$what: IPv4 rules" "1001 from 10.0.1.14 lookup 101
1002 from 10.0.2.14 lookup 102" "$(railup_rules "$NODE")"
	expect_lines "$what: table 101, IPv6" "default via fd00:1::1 dev ib0 src fd00:1::14 proto 114
fd00:1::/64 dev ib0 src fd00:1::14 proto 114" "$(routes6 "$NODE" 101)"
	expect_lines "$what: table 101, IPv4" "10.0.1.0/24 dev ib0 src 10.0.1.14 proto 114 scope link
default via 10.0.1.1 dev ib0 src 10.0.1.14 proto 114" "$(routes_text "$NODE" 101)"
	expect_eq "$what: table 102, IPv6 (ib1 is IPv4 only)" "" "$(no_table "$NODE" -6 102)"
	expect_lines "$what: table 103, IPv6" "default via fd00:3::1 dev ib2 src fd00:3::14 proto 114
fd00:3::/64 dev ib2 src fd00:3::14 proto 114" "$(routes6 "$NODE" 103)"
	expect_eq "$what: table 103, IPv4 (ib2 is IPv6 only)" "" "$(no_table "$NODE" -4 103)"
	expect_eq "$what: ib0's IPv6 address" "fd00:1::14/64" "$(addrs6 "$NODE" ib0)"
	expect_eq "$what: ib0's IPv4 address" "10.0.1.14/24" "$(addrs "$NODE" ib0)"
	expect_eq "$what: ib1's IPv6 address" "" "$(addrs6 "$NODE" ib1)"
	expect_eq "$what: ib2's IPv6 address" "fd00:3::14/64" "$(addrs6 "$NODE" ib2)"
	expect_eq "$what: ib2's IPv4 address" "" "$(addrs "$NODE" ib2)"
	# The kernel's decisions, from each rail's address.
	expect_eq "$what: fd00:99::99 from fd00:1::14" "dev ib0 table 101 via fd00:1::1" \
		"$(route_get "$NODE" fd00:99::99 fd00:1::14)"
	expect_eq "$what: fd00:1::1 from fd00:1::14" "dev ib0 table 101 via -" \
		"$(route_get "$NODE" fd00:1::1 fd00:1::14)"
	expect_eq "$what: fd00:99::99 from fd00:3::14" "dev ib2 table 103 via fd00:3::1" \
		"$(route_get "$NODE" fd00:99::99 fd00:3::14)"
	expect_eq "$what: 10.0.99.99 from 10.0.1.14" "dev ib0 table 101 via 10.0.1.1" \
		"$(route_get "$NODE" 10.0.99.99 10.0.1.14)"
	expect_eq "$what: 10.0.99.99 from 10.0.2.14" "dev ib1 table 102 via 10.0.2.1" \
		"$(route_get "$NODE" 10.0.99.99 10.0.2.14)"
}

# echos6 NS DEV: ICMPv6 echo requests DEV has sent
echos6() {
	in_ns "$1" awk '$1 == "Icmp6OutEchos" { print $2 }' "/proc/net/dev_snmp6/$2"
}

dualstack() {
	local tx0 tx2
	build ds
	ru_ok "$NODE" apply
	expect_installed "after apply"

	# The IPv6 knobs on the IPv6 rails' NICs; the IPv4-only ib1 keeps the defaults.
	for i in ib0 ib2; do
		expect_eq "$i keep_addr_on_down" 1 "$(v6 "$NODE" "$i" keep_addr_on_down)"
		expect_eq "$i accept_ra" 0 "$(v6 "$NODE" "$i" accept_ra)"
	done
	expect_eq "ib1 keep_addr_on_down (no IPv6 rail)" 0 "$(v6 "$NODE" ib1 keep_addr_on_down)"
	expect_eq "ib1 accept_ra (no IPv6 rail)" 1 "$(v6 "$NODE" ib1 accept_ra)"
	# ARP settings are IPv4's: the IPv6-only ib2 gets none.
	expect_eq "ib2 arp_ignore (no IPv4 rail)" 0 "$(sc "$NODE" ib2 arp_ignore)"
	expect_eq "ib0 arp_ignore" 1 "$(sc "$NODE" ib0 arp_ignore)"

	# Traffic from each IPv6 rail leaves by it. Echo requests are counted per
	# device: a NIC's own IPv6 chatter (MLD reports, DAD) goes on for a while
	# after it comes up, so its packet count would move anyway.
	tx0=$(echos6 "$NODE" ib0) tx2=$(echos6 "$NODE" ib2)
	ping_ok "$NODE" fd00:99::99 fd00:1::14 || fail "ping fd00:99::99 from fd00:1::14"
	[ "$(echos6 "$NODE" ib0)" -gt "$tx0" ] || fail "the ping from fd00:1::14 did not leave by ib0"
	[ "$(echos6 "$NODE" ib2)" -eq "$tx2" ] || fail "the ping from fd00:1::14 left by ib2 too"
	ping_ok "$NODE" fd00:99::99 fd00:3::14 || fail "ping fd00:99::99 from fd00:3::14"
	[ "$(echos6 "$NODE" ib2)" -gt "$tx2" ] || fail "the ping from fd00:3::14 did not leave by ib2"

	ru_ok "$NODE" status --json
	expect_lines "status --json: every rail ok, the sysctls of its family" \
		"ib0 10.0.1.14/24 true rp_filter,arp_ignore,arp_announce,arp_filter,accept_local
ib0 fd00:1::14/64 true keep_addr_on_down,accept_ra
ib1 10.0.2.14/24 true rp_filter,arp_ignore,arp_announce,arp_filter,accept_local
ib2 fd00:3::14/64 true keep_addr_on_down,accept_ra" \
		"$(jq -r '.rails[] | "\(.name) \(.address) \(.ok) \(.sysctl | keys_unsorted | join(","))"' <<<"$RU_OUT")"
	expect_eq "status --json: IPv6 knobs in effect on ib0" "1 0" \
		"$(jq -r '.rails[1].sysctl | "\(.keep_addr_on_down.effective) \(.accept_ra.effective)"' <<<"$RU_OUT")"

	# Idempotence.
	dump "$NODE" >"$RU_TMP/ds.1.json"
	ru_ok "$NODE" apply
	dump "$NODE" >"$RU_TMP/ds.2.json"
	expect_same_file "state after apply 1 (expected) and 2 (seen)" "$RU_TMP/ds.1.json" "$RU_TMP/ds.2.json"
	ru_ok "$NODE" plan
	expect_eq "plan after two applies" "" "$RU_OUT"
	pass "a dual-stack map: rules, tables, decisions, knobs, traffic"
}

# A link flap. keep_addr_on_down keeps the IPv6 address (IPv4 keeps its own
# anyway); the kernel flushes the routes of a link that goes down, both
# families; status says so, and the next apply puts exactly those back.
flap() {
	build flap
	ru_ok "$NODE" apply
	ip -n "$NODE" link set ib0 down
	expect_eq "ib0's IPv6 address while down" "fd00:1::14/64" "$(addrs6 "$NODE" ib0)"
	ip -n "$NODE" link set ib0 up
	expect_eq "ib0's IPv6 address after down and up" "fd00:1::14/64" "$(addrs6 "$NODE" ib0)"
	expect_eq "ib0's IPv4 address after down and up" "10.0.1.14/24" "$(addrs "$NODE" ib0)"
	expect_eq "table 101 after the flap, IPv6 (flushed by the kernel)" "" "$(no_table "$NODE" -6 101)"
	ru "$NODE" status
	expect_rc "status after the flap" 1
	expect_eq "rails status finds wrong" "ib0 ib0" "$(wrong_rails <<<"$RU_OUT")"
	expect_contains "status after the flap" "$RU_OUT" \
		"ib0 fd00:1::14/64: WRONG: table 101 holds 0 of its 2 routes"
	ru_ok "$NODE" plan
	expect_lines "plan after the flap: the four routes" \
		"ip route add 10.0.1.0/24 dev ib0 src 10.0.1.14 table 101 proto 114 scope link
ip route add default via 10.0.1.1 dev ib0 src 10.0.1.14 table 101 proto 114
ip -6 route add fd00:1::/64 dev ib0 src fd00:1::14 table 101 proto 114
ip -6 route add default via fd00:1::1 dev ib0 src fd00:1::14 table 101 proto 114" "$RU_OUT"
	ru_ok "$NODE" apply
	expect_installed "after the flap and apply"
	ru_ok "$NODE" status
	ru_ok "$NODE" plan
	expect_eq "plan after the repair" "" "$RU_OUT"
	pass "a link flap: the address stays, apply repairs the routes"
}

# down removes both families and puts the IPv6 knobs back.
down() {
	build down
	ru_ok "$NODE" apply
	ru_ok "$NODE" down
	expect_eq "IPv6 rules after down" "" "$(rules6 "$NODE")"
	expect_eq "IPv4 rules after down" "" "$(railup_rules "$NODE")"
	expect_eq "railup's routes after down (both families)" "" \
		"$(railup_routes "$NODE"; ip -n "$NODE" -6 -j route show table all |
			jq -r "$JQ_DEFS"'.[] | select(proto == "114") | .dst')"
	for i in ib0 ib1 ib2; do
		expect_eq "$i's IPv6 addresses after down" "" "$(addrs6 "$NODE" "$i")"
		expect_eq "$i's IPv4 addresses after down" "" "$(addrs "$NODE" "$i")"
		expect_eq "$i keep_addr_on_down after down" 0 "$(v6 "$NODE" "$i" keep_addr_on_down)"
		expect_eq "$i accept_ra after down" 1 "$(v6 "$NODE" "$i" accept_ra)"
	done
	expect_eq "ledger after down" "" "$(grep -v '^#' "$(rundir "$NODE")/owned" || true)"
	ru_ok "$NODE" plan
	expect_contains "plan after down: everything again" "$RU_OUT" \
		"sysctl -w net.ipv6.conf.ib0.keep_addr_on_down=1"
	pass "down removes both families and restores the IPv6 knobs"
}

# A map that drops its IPv6 rails: with no IPv6 rail left, railup reads
# only its own IPv6 routes (a dump filtered by protocol), and still finds and
# removes every one of them; a foreign IPv6 route in a rail's table stays.
drop_v6() {
	build dropv6
	ru_ok "$NODE" apply
	ip -n "$NODE" -6 route add fd00:77::/64 dev ib0 table 101 proto static
	set_conf "rd.rail=ib0:10.0.1.14/24:10.0.1.1
rd.rail=ib1:10.0.2.14/24:10.0.2.1"
	ru_ok "$NODE" plan
	expect_lines "plan: the IPv6 rails' routes go" \
		"ip -6 route del default via fd00:1::1 dev ib0 src fd00:1::14 table 101 proto 114
ip -6 route del default via fd00:3::1 dev ib2 src fd00:3::14 table 103 proto 114
ip -6 route del fd00:1::/64 dev ib0 src fd00:1::14 table 101 proto 114
ip -6 route del fd00:3::/64 dev ib2 src fd00:3::14 table 103 proto 114" \
		"$(grep '^ip -6 route' <<<"$RU_OUT" | LC_ALL=C sort)"
	ru_ok "$NODE" apply
	expect_eq "IPv6 rules after the IPv6 rails went" "" "$(rules6 "$NODE")"
	expect_eq "railup's IPv6 routes after the IPv6 rails went" "" \
		"$(ip -n "$NODE" -6 -j route show table all |
			jq -r "$JQ_DEFS"'.[] | select(proto == "114") | .dst')"
	expect_eq "the foreign IPv6 route in table 101" "fd00:77::/64 dev ib0 proto static" \
		"$(routes6 "$NODE" 101)"
	expect_eq "ib0's IPv6 address" "" "$(addrs6 "$NODE" ib0)"
	expect_eq "ib2's IPv6 address" "" "$(addrs6 "$NODE" ib2)"
	expect_eq "ib0 keep_addr_on_down" 0 "$(v6 "$NODE" ib0 keep_addr_on_down)"
	expect_lines "IPv4 rules stay" "1001 from 10.0.1.14 lookup 101
1002 from 10.0.2.14 lookup 102" "$(railup_rules "$NODE")"
	ru_ok "$NODE" plan
	expect_eq "plan after" "" "$RU_OUT"
	pass "a map that drops its IPv6 rails: railup's IPv6 routes go, a foreign one stays"
}

# boot on a dual-stack NIC where one family fails verification: the IPv4
# rail of ib0 verifies (verify=0: the routing decision only), the IPv6 rail
# asks for RDMA, which this kernel does not have, and fails. Each rail keeps
# its own verdict afterwards, in status, health and the metrics.
boot_verdicts() {
	local f=$RU_TMP/boot.prom
	build boot
	set_conf "rd.rail=ib0:10.0.1.14/24:10.0.1.1,verify=0
rd.rail=ib0:[fd00:1::14]/64:[fd00:1::1],verify=1
rd.rail.modules=
rd.rail.verify_timeout=1"
	ru "$NODE" --no-kmsg boot
	expect_rc "boot" 1
	expect_contains "boot's stderr" "$RU_ERR" "ib0: verify: RDMA: no RDMA device serves ib0"
	expect_lines "the state file's phases" "10.0.1.14/24 verified
fd00:1::14/64 failed" "$(. "$(rundir "$NODE")/state" && echo "$RAIL0_ADDRESS $RAIL0_PHASE" &&
		echo "$RAIL1_ADDRESS $RAIL1_PHASE")"
	ru "$NODE" status --json --metrics "$f"
	expect_lines "status --json: each rail's boot verdict" "10.0.1.14/24 true verified
fd00:1::14/64 false failed" "$(jq -r '.rails[] | "\(.address) \(.ok) \(.boot.phase)"' <<<"$RU_OUT")"
	expect_rc "status after the boot" 1
	expect_eq "railup_rail_verified of the IPv6 rail" \
		'railup_rail_verified{rail="ib0",netdev="ib0",address="fd00:1::14/64",table="101"} 0' \
		"$(grep '^railup_rail_verified{.*fd00:1::14' "$f")"
	ru "$NODE" health
	expect_rc "health after the boot" 1
	expect_eq "health's line" \
		"railup: ib0: at boot: verify: RDMA: no RDMA device serves ib0 (1 of 2 rails ok)" "$RU_OUT"
	pass "boot: each family of a dual-stack NIC keeps its own verdict"
}

part "dual-stack map" dualstack
part "link flap" flap
part "down" down
part "a map that drops its IPv6 rails" drop_v6
part "boot verdicts on a dual-stack NIC" boot_verdicts
parts_end
