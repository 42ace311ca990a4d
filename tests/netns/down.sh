#!/bin/bash
# railup down: every proto-114 rule and route gone, every sysctl back to its
# value from before apply, the addresses railup added removed (and the ones
# the image had kept); and apply works again afterwards.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

build_four_rails d
# The image: ib1 already has its address; some values are not the kernel's defaults.
ip -n "$NODE" addr add 10.0.2.14/24 dev ib1
set_sysctl "$NODE" all rp_filter 1
set_sysctl "$NODE" all arp_ignore 1
set_sysctl "$NODE" ib0 rp_filter 1
set_sysctl "$NODE" ib1 arp_ignore 2
set_sysctl "$NODE" ib2 arp_announce 1
set_sysctl "$NODE" ib3 accept_local 1
set_conf "$MAP_A"

dump "$NODE" >"$RU_TMP/before.json"
sysctls "$NODE" >"$RU_TMP/sysctl.before"

# no_railup_left WHEN: nothing of railup's protocol in any rule or table
no_railup_left() {
	expect_eq "$1: rules with proto 114" "" "$(railup_rules "$NODE")"
	expect_eq "$1: routes with proto 114 (every table)" "" "$(railup_routes "$NODE")"
	for t in 101 102 103 104; do
		expect_eq "$1: table $t" "" "$(routes_text "$NODE" $t)"
	done
}

for round in 1 2; do
	ru_ok "$NODE" apply
	expect_eq "round $round: railup's rules after apply" 4 "$(railup_rules "$NODE" | wc -l)"
	expect_eq "round $round: all.rp_filter after apply" 2 "$(sc "$NODE" all rp_filter)"
	ru_ok "$NODE" status

	ru_ok "$NODE" down
	no_railup_left "round $round, after down"
	expect_lines "round $round, after down: every sysctl (expected: before apply)" \
		"$(cat "$RU_TMP/sysctl.before")" "$(sysctls "$NODE")"
	expect_eq "round $round, after down: ib0's addresses (railup added it)" "" "$(addrs "$NODE" ib0)"
	expect_eq "round $round, after down: ib1's addresses (the image's)" 10.0.2.14/24 \
		"$(addrs "$NODE" ib1)"
	dump "$NODE" >"$RU_TMP/after.json"
	expect_same_file "round $round: the whole state after down (expected: before apply)" \
		"$RU_TMP/before.json" "$RU_TMP/after.json"
	expect_eq "round $round, after down: ledger entries" "" \
		"$(grep -v '^#' "$(rundir "$NODE")/owned" || true)"
	pass "round $round: down undoes apply"
done

# down twice: nothing more to do, and no harm.
ru_ok "$NODE" down
dump "$NODE" >"$RU_TMP/after.json"
expect_same_file "a second down (expected: before apply)" "$RU_TMP/before.json" "$RU_TMP/after.json"

# down reads no map: railup's objects are found by protocol and ledger, so it
# works with the map gone, or a different one.
ru_ok "$NODE" apply
set_conf "rd.rail=ib0:10.0.1.14/24:10.0.1.1"
ru_ok "$NODE" down
dump "$NODE" >"$RU_TMP/after.json"
expect_same_file "down with a different map (expected: before apply)" \
	"$RU_TMP/before.json" "$RU_TMP/after.json"
set_conf "$MAP_A"
ru_ok "$NODE" apply
set_conf ""
ru_ok "$NODE" down
dump "$NODE" >"$RU_TMP/after.json"
expect_same_file "down with an empty map (expected: before apply)" \
	"$RU_TMP/before.json" "$RU_TMP/after.json"

# railup's routes in a table of no rail of the map (a hand-made leftover with
# railup's protocol, as from an older map whose ledger is gone): down takes them too.
ip -n "$NODE" route add 10.55.0.0/16 dev ib0 table 177 proto 114
ip -n "$NODE" rule add from 10.55.0.1 lookup 177 pref 1777 proto 114
ru_ok "$NODE" down
no_railup_left "down of leftovers"
expect_eq "down of leftovers: table 177" "" "$(routes_text "$NODE" 177)"
pass "down works without the map, twice, and takes every proto-114 object"

# Applies after down work again.
set_conf "$MAP_A"
ru_ok "$NODE" apply
ru_ok "$NODE" status
expect_eq "apply after down: ip route get 10.0.99.99 from 10.0.4.14" \
	"dev ib3 table 104 via 10.0.4.1" "$(route_get "$NODE" 10.0.99.99 10.0.4.14)"
pass "apply after down"
