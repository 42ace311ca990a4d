#!/bin/bash
# What railup did not make it leaves exactly as it was: foreign rules (one at
# a rail's own priority), foreign routes in main and inside a rail's table, a
# foreign address on a rail, a non-rail interface with its address, routes and
# sysctls. Checked after apply, a second apply, a changed map, and down.
# Then: a foreign route at the very destination railup wants in a rail's
# table fails that rail (exit 1, naming the table) and only that rail.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

foreign_kept() {
	build_four_rails f
	# The image configured the rails' addresses (so the kernel's own routes for
	# them are there before railup too), and a management interface.
	for i in 0 1 2 3; do
		ip -n "$NODE" addr add "10.0.$((i + 1)).14/24" dev "ib$i"
	done
	ns_link "$NODE" mgmt0 "$SW" mgmt
	ip -n "$NODE" addr add 192.168.50.10/24 dev mgmt0
	ip -n "$NODE" addr add 10.0.2.200/24 dev ib1 # an operator's extra address on a rail
	ip -n "$NODE" route add default via 192.168.50.1 dev mgmt0
	ip -n "$NODE" route add 172.16.0.0/12 via 192.168.50.1 dev mgmt0 proto static
	ip -n "$NODE" route add 10.7.0.0/16 via 192.168.50.1 dev mgmt0 table 101 # inside a rail's table
	ip -n "$NODE" route add blackhole 10.6.0.0/16 table 102
	ip -n "$NODE" route add 10.0.2.0/24 dev ib1 table 102 metric 50 # a rail's subnet, other metric
	ip -n "$NODE" route add default via 192.168.50.1 dev mgmt0 table 200
	ip -n "$NODE" rule add from 10.9.9.9 lookup 200 pref 500
	ip -n "$NODE" rule add from 10.9.9.8 lookup 200 pref 1002        # at ib1's priority
	ip -n "$NODE" rule add fwmark 0x10 lookup 200 pref 1001          # at ib0's, another selector
	ip -n "$NODE" rule add from 10.0.3.14 lookup 200 pref 1003 proto static # ib2's priority and source
	for kv in "rp_filter 1" "arp_ignore 2" "arp_announce 1" "arp_filter 1" "accept_local 0"; do
		set_sysctl "$NODE" mgmt0 $kv
	done
	set_sysctl "$NODE" default arp_filter 1

	RAIL_ADDRS='"10.0.1.14","10.0.2.14","10.0.3.14","10.0.4.14"'
	# foreign NODE: the objects railup did not make. Rules and routes without
	# railup's protocol; the kernel's routes for the rails' own addresses are
	# left out: those exist because the address exists, not as anyone's choice.
	# Addresses other than the map's; sysctls of every directory but all and the
	# rails' (which railup owns while they are rails).
	foreign() {
		jq -S -n \
			--argjson rules "$(ip -n "$1" -j rule show)" \
			--argjson routes "$(ip -n "$1" -j route show table all)" \
			--argjson addrs "$(ip -n "$1" -j -4 addr show)" \
			--arg sysctl "$(sysctls "$1" | grep -vE '^(all|ib[0-3]) ')" \
			"$JQ_DEFS"'{rules: [$rules[] | select(proto != "114")],
			  routes: [$routes[] | select(proto != "114") |
				select((.protocol == "kernel" and (.prefsrc // .dst | IN('"$RAIL_ADDRS"'))) |
					not)] | sort_by(tostring),
			  addrs: [$addrs[] | {ifname, a: [.addr_info[] | select(.local | IN('"$RAIL_ADDRS"') |
				not) | del(.valid_life_time, .preferred_life_time)]}],
			  sysctl: $sysctl}'
	}
	foreign "$NODE" >"$RU_TMP/foreign.before"
	grep -q '"10.7.0.0/16"' "$RU_TMP/foreign.before" || fail "the foreign dump misses table 101's route"

	# same_foreign WHEN
	same_foreign() {
		foreign "$NODE" >"$RU_TMP/foreign.now"
		expect_same_file "$1: the foreign objects (expected: as before railup)" \
			"$RU_TMP/foreign.before" "$RU_TMP/foreign.now"
	}

	set_conf "$MAP_A"
	ru_ok "$NODE" apply
	same_foreign "after apply"
	expect_contains "after apply: priority 1002 holds railup's rule too" \
		"$(rules_text "$NODE" | grep '^1002 ')" "1002 from 10.0.2.14 lookup 102 proto 114"
	expect_lines "after apply: table 101, railup's routes beside the foreign one" \
		"10.0.1.0/24 dev ib0 src 10.0.1.14 proto 114 scope link
10.7.0.0/16 via 192.168.50.1 dev mgmt0
default via 10.0.1.1 dev ib0 src 10.0.1.14 proto 114" "$(routes_text "$NODE" 101)"
	expect_eq "after apply: ip route get 10.7.1.1 from 10.0.1.14 (the foreign route in table 101)" \
		"dev mgmt0 table 101 via 192.168.50.1" "$(route_get "$NODE" 10.7.1.1 10.0.1.14)"
	# The foreign rule ahead of railup's at 1003 takes ib2's traffic to table 200:
	# status must see that, and blame ib2 alone.
	ru "$NODE" status --json
	expect_rc "status with a foreign rule ahead of ib2's" 1
	expect_eq "status --json: the rails that are wrong" "ib2" \
		"$(jq -r '[.rails[] | select(.ok | not) | .name] | join(" ")' <<<"$RU_OUT")"
	expect_contains "status --json: why ib2 is wrong" \
		"$(jq -r '.rails[] | select(.name == "ib2") | .why' <<<"$RU_OUT")" "table 200"
	pass "apply leaves the foreign objects alone"

	ru_ok "$NODE" apply
	same_foreign "after a second apply"
	pass "a second apply leaves them alone"

	# A changed map: ib0's table moves away from 101 (which keeps its foreign
	# route), ib1's priority moves, ib3 is dropped.
	set_conf 'rd.rail=ib0:10.0.1.14/24:10.0.1.1,table=111
rd.rail=ib1:10.0.2.14/24:10.0.2.1,priority=1102
rd.rail=ib2:10.0.3.14/24:10.0.3.1'
	ru_ok "$NODE" apply
	same_foreign "after a changed map"
	expect_eq "after a changed map: table 101 (railup left it)" \
		"10.7.0.0/16 via 192.168.50.1 dev mgmt0" "$(routes_text "$NODE" 101)"
	expect_lines "after a changed map: railup's rules" \
		"1001 from 10.0.1.14 lookup 111
1003 from 10.0.3.14 lookup 103
1102 from 10.0.2.14 lookup 102" "$(railup_rules "$NODE")"
	expect_eq "after a changed map: ib3's address (the image's; ib3 is no rail now)" \
		10.0.4.14/24 "$(addrs "$NODE" ib3)"
	pass "a changed map leaves them alone"

	ru_ok "$NODE" down
	same_foreign "after down"
	expect_eq "after down: railup's rules" "" "$(railup_rules "$NODE")"
	expect_eq "after down: railup's routes" "" "$(railup_routes "$NODE")"
	for i in 0 2 3; do
		expect_eq "after down: ib$i's address (the image's)" "10.0.$((i + 1)).14/24" \
			"$(addrs "$NODE" ib$i)"
	done
	expect_lines "after down: ib1's addresses (the image's and the operator's)" \
		"10.0.2.14/24
10.0.2.200/24" "$(addrs "$NODE" ib1)"
	pass "down leaves them alone"
}

foreign_in_the_way() {
	build_four_rails g
	ip -n "$NODE" route add 10.0.2.0/24 dev ib1 table 102 # the subnet route railup wants in 102
	sysctls "$NODE" | grep '^ib1 ' >"$RU_TMP/ib1.before"
	set_conf "$MAP_A"
	ru "$NODE" apply
	expect_rc "apply with a foreign route at railup's destination in table 102" 1
	expect_contains "apply's message names the table" "$RU_ERR" "table 102"
	expect_contains "apply's message names the rail" "$RU_ERR" "ib1"
	expect_eq "table 102 (the foreign route alone, untouched)" \
		"10.0.2.0/24 dev ib1 scope link" "$(routes_text "$NODE" 102)"
	expect_eq "ib1's rule" "" "$(railup_rules "$NODE" | grep '^1002 ' || true)"
	expect_eq "ib1: railup added no address (nothing of a failed rail)" "" "$(addrs "$NODE" ib1)"
	expect_lines "ib1: railup changed no value (nothing of a failed rail)" \
		"$(cat "$RU_TMP/ib1.before")" "$(sysctls "$NODE" | grep '^ib1 ')"
	for i in 0 2 3; do
		n=$((i + 1))
		expect_lines "the other rails are configured: table $((101 + i))" \
			"10.0.$n.0/24 dev ib$i src 10.0.$n.14 proto 114 scope link
default via 10.0.$n.1 dev ib$i src 10.0.$n.14 proto 114" "$(routes_text "$NODE" $((101 + i)))"
		expect_eq "the other rails are configured: ip route get 10.0.99.99 from 10.0.$n.14" \
			"dev ib$i table $((101 + i)) via 10.0.$n.1" "$(route_get "$NODE" 10.0.99.99 10.0.$n.14)"
		expect_eq "the other rails are configured: ib$i.arp_ignore" 1 "$(sc "$NODE" ib$i arp_ignore)"
	done
	ru "$NODE" status
	expect_rc "status with ib1 unconfigured" 1
	expect_eq "status: the rails reported WRONG" ib1 "$(wrong_rails <<<"$RU_OUT")"
	ru "$NODE" status --json
	expect_eq "status --json: the rails that are ok" "ib0 ib2 ib3" \
		"$(jq -r '[.rails[] | select(.ok) | .name] | join(" ")' <<<"$RU_OUT")"
	ru_ok "$NODE" down
	expect_eq "after down: table 102 keeps the foreign route" \
		"10.0.2.0/24 dev ib1 scope link" "$(routes_text "$NODE" 102)"
	pass "a foreign route at railup's destination fails its rail, and only it"
}


part "foreign objects are left alone: apply, re-apply, a changed map, down" foreign_kept
part "a foreign route at railup's destination fails its rail, and only it" foreign_in_the_way
parts_end
