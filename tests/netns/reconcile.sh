#!/bin/bash
# A changed map: apply map A, then map B. railup's stale rules and routes go,
# B's are there, a removed rail gets its sysctls back and loses the address
# railup gave it; applying A again gives A's state once more. Four parts, each
# on a node of its own (a failure in one does not hide the others):
#   1. a rail's table moved, a rail removed
#   2. a rail's address changed within its subnet (with the rest of 1)
#   3. the prefix length of an address railup added changed
#   4. a rail's address moved to another NIC
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

# image_values: the image's values on the rails, so that "restored" cannot
# pass by being zero
image_values() {
	local i
	for i in 0 1 2 3; do
		set_sysctl "$NODE" ib$i rp_filter 1
		set_sysctl "$NODE" ib$i arp_ignore 2
		set_sysctl "$NODE" ib$i arp_announce 1
	done
}

table_moved_rail_removed() {
	build_four_rails r1
	image_values
	sysctls "$NODE" | grep '^ib3 ' >"$RU_TMP/ib3.before"

	set_conf "$MAP_A"
	ru_ok "$NODE" apply
	dump "$NODE" >"$RU_TMP/A.json"
	cp "$(rundir "$NODE")/owned" "$RU_TMP/A.owned"
	expect_eq "after A: ib3's arp_ignore" 1 "$(sc "$NODE" ib3 arp_ignore)"
	expect_eq "after A: ib3's addresses" 10.0.4.14/24 "$(addrs "$NODE" ib3)"

	set_conf '# ib2: table 113; ib3: gone
rd.rail=ib0:10.0.1.14/24:10.0.1.1
rd.rail=ib1:10.0.2.14/24:10.0.2.1
rd.rail=ib2:10.0.3.14/24:10.0.3.1,table=113'
	ru_ok "$NODE" apply
	expect_lines "after B: railup's rules" \
		"1001 from 10.0.1.14 lookup 101
1002 from 10.0.2.14 lookup 102
1003 from 10.0.3.14 lookup 113" "$(railup_rules "$NODE")"
	expect_lines "after B: railup's routes, all tables" \
		"table 101: 10.0.1.0/24 - ib0
table 101: default 10.0.1.1 ib0
table 102: 10.0.2.0/24 - ib1
table 102: default 10.0.2.1 ib1
table 113: 10.0.3.0/24 - ib2
table 113: default 10.0.3.1 ib2" "$(railup_routes "$NODE")"
	expect_lines "after B: table 113 (moved from 103)" \
		"10.0.3.0/24 dev ib2 src 10.0.3.14 proto 114 scope link
default via 10.0.3.1 dev ib2 src 10.0.3.14 proto 114" "$(routes_text "$NODE" 113)"
	expect_eq "after B: table 103 (left by ib2)" "" "$(routes_text "$NODE" 103)"
	expect_eq "after B: table 104 (ib3's, gone)" "" "$(routes_text "$NODE" 104)"
	expect_eq "after B: ib3's addresses (railup added 10.0.4.14; ib3 is no rail now)" "" \
		"$(addrs "$NODE" ib3)"
	expect_lines "after B: ib3's sysctls, as before A" "$(cat "$RU_TMP/ib3.before")" \
		"$(sysctls "$NODE" | grep '^ib3 ')"
	for k in "arp_ignore 1" "arp_announce 2" "rp_filter 2"; do
		set -- $k
		expect_eq "after B: ib2.$1 (still a rail)" "$2" "$(sc "$NODE" ib2 "$1")"
	done
	expect_eq "after B: all.rp_filter" 2 "$(sc "$NODE" all rp_filter)"
	expect_eq "after B: ip route get 10.0.99.99 from 10.0.3.14" "dev ib2 table 113 via 10.0.3.1" \
		"$(route_get "$NODE" 10.0.99.99 10.0.3.14)"
	expect_eq "after B: ip route get 10.0.99.99 from 10.0.4.14 (no rail: main decides)" \
		"error: RTNETLINK answers: Network is unreachable" "$(route_get "$NODE" 10.0.99.99 10.0.4.14)"
	expect_not_contains "after B: the ledger keeps nothing of ib3" \
		"$(cat "$(rundir "$NODE")/owned")" " ib3 "
	ru_ok "$NODE" status
	ru_ok "$NODE" plan
	expect_eq "after B: plan" "" "$RU_OUT"
	pass "A -> B: a moved table and a removed rail leave nothing stale behind"

	set_conf "$MAP_A"
	ru_ok "$NODE" apply
	dump "$NODE" >"$RU_TMP/A2.json"
	expect_same_file "B -> A: the state (expected: A's first)" "$RU_TMP/A.json" "$RU_TMP/A2.json"
	expect_same_file "B -> A: the ledger (expected: A's first)" "$RU_TMP/A.owned" \
		"$(rundir "$NODE")/owned"
	pass "B -> A: A's state again"

	ru_ok "$NODE" down
	for i in 0 1 2 3; do
		expect_eq "after down: ib$i's rp_filter arp_ignore arp_announce" "1 2 1" \
			"$(sc "$NODE" ib$i rp_filter) $(sc "$NODE" ib$i arp_ignore) $(sc "$NODE" ib$i arp_announce)"
	done
	pass "down after A -> B -> A restores the image's values"
}

address_changed() {
	build_four_rails r2
	image_values
	set_conf "$MAP_A"
	ru_ok "$NODE" apply
	dump "$NODE" >"$RU_TMP/A.json"
	set_conf '# ib0: a new address; ib2: table 113; ib3: gone
rd.rail=ib0:10.0.1.15/24:10.0.1.1
rd.rail=ib1:10.0.2.14/24:10.0.2.1
rd.rail=ib2:10.0.3.14/24:10.0.3.1,table=113'
	ru_ok "$NODE" apply
	expect_eq "after B: ib0's addresses (railup added 10.0.1.14; the map now says .15)" \
		"10.0.1.15/24" "$(addrs "$NODE" ib0)"
	expect_lines "after B: table 101 (the new source)" \
		"10.0.1.0/24 dev ib0 src 10.0.1.15 proto 114 scope link
default via 10.0.1.1 dev ib0 src 10.0.1.15 proto 114" "$(routes_text "$NODE" 101)"
	expect_lines "after B: railup's rules" \
		"1001 from 10.0.1.15 lookup 101
1002 from 10.0.2.14 lookup 102
1003 from 10.0.3.14 lookup 113" "$(railup_rules "$NODE")"
	expect_eq "after B: ip route get 10.0.99.99 from 10.0.1.15" "dev ib0 table 101 via 10.0.1.1" \
		"$(route_get "$NODE" 10.0.99.99 10.0.1.15)"
	owned=$(cat "$(rundir "$NODE")/owned")
	expect_not_contains "after B: the ledger keeps no old ib0 address" "$owned" "10.0.1.14"
	# ledger entries: addr IFNAME IFINDEX ADDRESS
	expect_contains "after B: the ledger has ib0's new address" "$owned" \
		"addr ib0 $(ip -n "$NODE" -j link show ib0 | jq .[0].ifindex) 10.0.1.15/24"
	ru_ok "$NODE" status
	set_conf "$MAP_A"
	ru_ok "$NODE" apply
	dump "$NODE" >"$RU_TMP/A2.json"
	expect_same_file "B -> A with the address back: the state (expected: A's first)" \
		"$RU_TMP/A.json" "$RU_TMP/A2.json"
	pass "A -> B -> A: a rail's address changed and back"
}

# 3 and 4: railup may either carry the change out (it added the address: the
# ledger says so) or refuse and leave the rail alone, as its message says.
# Not both: a rail reported "left alone" must not lose its address.
prefix_changed() {
	build_four_rails r3
	set_conf "rd.rail=ib0:10.0.1.14/24:10.0.1.1"
	ru_ok "$NODE" apply
	set_conf "rd.rail=ib0:10.0.1.14/25:10.0.1.1"
	ru "$NODE" apply
	if [ "$RU_RC" -eq 0 ]; then
		expect_eq "after /24 -> /25 (applied): ib0's addresses" 10.0.1.14/25 "$(addrs "$NODE" ib0)"
		expect_lines "after /24 -> /25 (applied): table 101" \
			"10.0.1.0/25 dev ib0 src 10.0.1.14 proto 114 scope link
default via 10.0.1.1 dev ib0 src 10.0.1.14 proto 114" "$(routes_text "$NODE" 101)"
		ru_ok "$NODE" status
	else
		expect_rc "after /24 -> /25: apply" 1
		expect_contains "after /24 -> /25 (refused): the message" "$RU_ERR" "left alone"
		expect_eq "after /24 -> /25 (refused, left alone): ib0's addresses" 10.0.1.14/24 \
			"$(addrs "$NODE" ib0)"
		expect_lines "after /24 -> /25 (refused, left alone): table 101" \
			"10.0.1.0/24 dev ib0 src 10.0.1.14 proto 114 scope link
default via 10.0.1.1 dev ib0 src 10.0.1.14 proto 114" "$(routes_text "$NODE" 101)"
	fi
	pass "a changed prefix length is applied, or refused and left alone"
}

address_moved() {
	build_four_rails r4
	set_conf "rd.rail=ib0:10.0.1.14/24:10.0.1.1"
	ru_ok "$NODE" apply
	set_conf "rd.rail=ib1:10.0.1.14/24:10.0.1.1"
	ru "$NODE" apply
	if [ "$RU_RC" -eq 0 ]; then
		expect_eq "after ib0 -> ib1 (applied): ib1's addresses" 10.0.1.14/24 "$(addrs "$NODE" ib1)"
		expect_eq "after ib0 -> ib1 (applied): ib0's addresses" "" "$(addrs "$NODE" ib0)"
		expect_eq "after ib0 -> ib1 (applied): ip route get 10.0.99.99 from 10.0.1.14" \
			"dev ib1 table 101 via 10.0.1.1" "$(route_get "$NODE" 10.0.99.99 10.0.1.14)"
		ru_ok "$NODE" status
	else
		expect_rc "after ib0 -> ib1: apply" 1
		expect_eq "after ib0 -> ib1 (refused): the address is still on ib0" 10.0.1.14/24 \
			"$(addrs "$NODE" ib0)"
	fi
	pass "an address moved to another NIC is moved, or refused and left alone"
}

part "1. a table moved, a rail removed" table_moved_rail_removed
part "2. a rail's address changed in its subnet" address_changed
part "3. the prefix length of railup's address changed" prefix_changed
part "4. a rail's address moved to another NIC" address_moved
parts_end
