#!/bin/bash
# Fault: a route railup did not make is in a rail's table.
#   1. at railup's very destination (the rail's default route, proto static):
#      apply fails that rail alone (exit 1, naming the table) and makes
#      nothing of it; the foreign route is untouched; status reports that
#      rail alone; once it is removed, apply repairs everything.
#   2. the same route appearing between railup's plan and its batch (the
#      gate): railup's add must not replace it (NLM_F_EXCL); apply fails that
#      rail, and leaves no rule of railup's steering into a table it could not
#      fill (nothing half-applied); then as 1.
#   3. a more specific one that takes the rail's gateway elsewhere: apply has
#      nothing to object to (another destination), status must see the wrong
#      routing decision and blame that rail alone; removed, status is 0.
# Every time: nothing railup owns escapes status; down leaves only the
# foreign routes.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/lib-fault.sh
. "$(dirname "$0")/lib-fault.sh"

FOREIGN_DEFAULT="default via 10.0.3.1 dev ib2 proto static onlink"

# table103 NS: table 103's routes, or nothing when it does not exist
table103() {
	ip -n "$1" -j route show table 103 2>/dev/null | jq -r "$JQ_DEFS"'.[] |
		"\(.dst) \(.gateway // "-") \(.dev) proto \(proto)"' | LC_ALL=C sort
}

at_destination() {
	build_four_rails t1
	ip -n "$NODE" route add $FOREIGN_DEFAULT table 103
	set_conf "$MAP_A"
	ru "$NODE" apply
	expect_rc "apply with a foreign default route in table 103" 1
	expect_contains "apply's message names the table" "$RU_ERR" "table 103"
	expect_contains "apply's message names the rail" "$RU_ERR" "ib2"
	expect_eq "table 103 (the foreign route alone)" "default 10.0.3.1 ib2 proto static" \
		"$(table103 "$NODE")"
	expect_eq "ib2's rule" "" "$(railup_rules "$NODE" | grep '^1003 ' || true)"
	expect_eq "ib2's address (nothing of a failed rail)" "" "$(addrs "$NODE" ib2)"
	expect_eq "the ledger: nothing of ib2" "" "$(ledger "$NODE" | grep ' ib2 ' || true)"
	expect_wrong "$NODE" "a foreign route at ib2's destination" ib2
	owned_reported "$NODE" "a foreign route at ib2's destination"
	pass "a foreign route at railup's destination fails that rail alone, untouched"

	ip -n "$NODE" route del default table 103
	ru_ok "$NODE" apply
	expect_wrong "$NODE" "the foreign route removed, applied again" ""
	ru_ok "$NODE" down
	no_railup_left "$NODE" "after down"
	pass "removed: apply repairs, down leaves nothing"
}

mid_apply() {
	build_four_rails t2
	set_conf "$MAP_A"
	gate_setup
	ru_bg "$NODE" apply
	gate_dumped "$NODE"
	gate_planned "$NODE"
	ip -n "$NODE" route add $FOREIGN_DEFAULT table 103
	gate_release "$NODE"
	ru_join
	gate_teardown
	expect_eq "apply's exit (its add of table 103's default failed)" 1 "$RU_RC"
	expect_contains "apply's message names the rail" "$RU_ERR" "ib2: apply:"
	expect_contains "table 103 keeps the foreign route" "$(table103 "$NODE")" \
		"default 10.0.3.1 ib2 proto static"
	expect_wrong "$NODE" "a foreign route appeared mid-apply" ib2
	owned_reported "$NODE" "a foreign route appeared mid-apply"
	soft_check "railup's rule at ib2's priority 1003 (apply failed ib2: nothing half-applied)" "" \
		"$(railup_rules "$NODE" | grep '^1003 ' || true)"

	ip -n "$NODE" route del default table 103
	ru_ok "$NODE" apply
	expect_wrong "$NODE" "the foreign route removed, applied again" ""
	ru_ok "$NODE" down
	no_railup_left "$NODE" "after down"
	soft_end
	pass "a foreign route appearing mid-apply: not replaced, the rail failed"
}

steals_gateway() {
	build_four_rails t3
	# ib0 keeps an address of the operator's: when railup's down removes the
	# last IPv4 address of an interface, the kernel drops every IPv4 route
	# through it, in every table, the foreign /32 too (fib_disable_ip).
	ip -n "$NODE" addr add 192.168.77.1/24 dev ib0
	set_conf "$MAP_A"
	ru_ok "$NODE" apply
	ip -n "$NODE" route add 10.0.2.1/32 dev ib0 table 102
	ru_ok "$NODE" apply
	expect_wrong "$NODE" "a foreign /32 takes ib1's gateway to ib0" ib1
	expect_contains "status: why" "$RU_OUT" "leaves by ib0"
	owned_reported "$NODE" "a foreign /32 in table 102"
	ip -n "$NODE" route del 10.0.2.1/32 dev ib0 table 102
	expect_wrong "$NODE" "the /32 removed" ""
	ip -n "$NODE" route add 10.0.2.1/32 dev ib0 table 102
	ru_ok "$NODE" down
	expect_eq "after down: table 102 (the foreign /32 alone)" "10.0.2.1 dev ib0 scope link" \
		"$(routes_text "$NODE" 102)"
	pass "a foreign route that steals a rail's gateway: status blames that rail"
}

part "a foreign route at a rail's destination" at_destination
part "a foreign route appearing between the plan and the batch" mid_apply
part "a foreign, more specific route taking a rail's gateway elsewhere" steals_gateway
parts_end
