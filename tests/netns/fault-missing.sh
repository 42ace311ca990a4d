#!/bin/bash
# Fault: a rail's interface is missing.
#   1. missing from the start: apply leaves that rail alone absent (exit 1,
#      "not found" at warning level, so -q shows it; the summary counts it
#      absent, the state says so: apply does not wait for NICs, boot does),
#      configures the others, makes nothing of it; status fails it, saying
#      exactly that; required=0 makes the same apply exit 0; once the
#      interface exists, apply repairs it (status 0).
#   2. gone after a good apply, back later: status reports the rail while it
#      is gone and nothing railup owns escapes it; an apply meanwhile leaves
#      that rail alone absent; once back, apply repairs it, the ledger holds each
#      entry once, down leaves nothing and forgets everything (a later map
#      without the rail leaves the operator's own address on it alone).
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/lib-fault.sh
. "$(dirname "$0")/lib-fault.sh"

missing_from_the_start() {
	build_four_rails m1
	ip -n "$NODE" link del ib3
	set_conf "$MAP_A"
	ru "$NODE" -q apply
	expect_rc "apply -q without ib3" 1
	expect_eq "apply -q's one line" "railup: warning: ib3: plan: interface ib3 not found" "$RU_ERR"
	ru "$NODE" apply
	expect_rc "apply without ib3" 1
	expect_contains "apply's summary" "$RU_ERR" "4 rails: 0 verified, 3 configured, 0 failed, 1 absent"
	expect_eq "state: ib3's phase, the result" "absent failed" \
		"$(run_state "$NODE" RAIL3_PHASE) $(run_state "$NODE" RAILUP_RESULT)"
	expect_lines "the other rails: railup's rules" \
		"1001 from 10.0.1.14 lookup 101
1002 from 10.0.2.14 lookup 102
1003 from 10.0.3.14 lookup 103" "$(railup_rules "$NODE")"
	expect_eq "table 104: railup's routes" "" "$(railup_routes "$NODE" | grep '^table 104:' || true)"
	expect_eq "the ledger: nothing of ib3" "" "$(ledger "$NODE" | grep ' ib3 ' || true)"
	expect_wrong "$NODE" "without ib3" ib3
	expect_contains "status: why" "$RU_OUT" "ib3 not found"
	owned_reported "$NODE" "without ib3"
	pass "a missing interface: apply leaves its rail alone absent, status fails it, nothing of it is made"

	set_conf "$(printf '%s\n' "$MAP_A" | sed '/ib3/s/$/,required=0/')"
	ru "$NODE" apply
	expect_rc "apply without ib3, ib3 required=0" 0
	expect_contains "apply's message" "$RU_ERR" "ib3"
	expect_wrong "$NODE" "without ib3, required=0" ib3
	pass "required=0: the apply succeeds, status still reports the rail"

	ns_link "$NODE" ib3 "$SW" br4
	set_conf "$MAP_A"
	ru_ok "$NODE" apply
	configured4 "ib3 back"
	expect_wrong "$NODE" "ib3 back" ""
	ledger_no_dups "$NODE" "ib3 back"
	pass "once the interface is there, apply configures it"
}

gone_and_back() {
	build_four_rails m2
	set_conf "$MAP_A"
	ru_ok "$NODE" apply
	configured4 "after apply"

	ip -n "$NODE" link del ib3
	expect_wrong "$NODE" "ib3 deleted" ib3
	owned_reported "$NODE" "ib3 deleted"
	ru "$NODE" apply
	expect_rc "apply while ib3 is gone" 1
	expect_contains "apply's message" "$RU_ERR" "ib3: plan: interface ib3 not found"
	expect_eq "state: ib3's phase" absent "$(run_state "$NODE" RAIL3_PHASE)"
	expect_wrong "$NODE" "ib3 gone, after an apply" ib3
	owned_reported "$NODE" "ib3 gone, after an apply"
	pass "a rail whose interface went away: status reports it, apply leaves it alone absent"

	ns_link "$NODE" ib3 "$SW" br4
	ru_ok "$NODE" apply
	configured4 "ib3 back"
	expect_wrong "$NODE" "ib3 back" ""
	ledger_no_dups "$NODE" "ib3 back" || RU_SOFT+="ledger duplicates"$'\n'
	pass "once it is back, apply repairs it"

	ru_ok "$NODE" down
	soft_check "after down: the ledger (railup added ib3's address once, and removed it)" "" \
		"$(ledger "$NODE")"
	expect_eq "after down: railup's rules" "" "$(railup_rules "$NODE")"
	expect_eq "after down: ib3's addresses" "" "$(addrs "$NODE" ib3)"
	# The operator gives ib3 an address of its own, and ib3 is no rail any more.
	ip -n "$NODE" addr add 10.0.4.14/24 dev ib3
	set_conf 'rd.rail=ib0:10.0.1.14/24:10.0.1.1'
	ru_ok "$NODE" apply
	soft_check "the operator's address on ib3 (no rail), after a later apply" 10.0.4.14/24 \
		"$(addrs "$NODE" ib3)"
	soft_end
	pass "down forgets everything it undid"
}

part "missing from the start: that rail alone absent; repaired once there" missing_from_the_start
part "gone after apply, back later: reported, repaired, nothing left behind" gone_and_back
parts_end
