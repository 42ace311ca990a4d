#!/bin/bash
# Fault: a rule railup did not make sits at a rail's priority.
#   1. one that steers the rail's traffic elsewhere (from its subnet, to a table with
#      a default route), ahead of railup's: apply adds railup's rule beside it
#      and leaves it alone; status reports that rail alone WRONG (the routing
#      decision); once it is removed, status is 0 without another apply.
#   2. one that is exactly railup's rule but for its protocol (proto static):
#      railup leaves it alone; apply and status must agree on the rail (both
#      "configured"/ok, or both failed/WRONG); removing it and applying
#      repairs everything.
#   3. one that appears between railup's dumps and its batch (the gate),
#      exactly railup's rule in all but protocol: railup must not take it
#      for its own, nor remove it; outcome as 2.
# Every time: nothing railup owns escapes status; down leaves the foreign
# rule as it was.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/lib-fault.sh
. "$(dirname "$0")/lib-fault.sh"

steering() {
	build_four_rails r1
	ip -n "$NODE" route add default via 10.0.1.1 dev ib0 table 200 onlink
	ip -n "$NODE" rule add from 10.0.2.0/24 lookup 200 pref 1002
	set_conf "$MAP_A"
	ru_ok "$NODE" apply
	expect_lines "the rules at 1002 (the foreign one first, railup's after it)" \
		"1002 from 10.0.2.0/24 lookup 200
1002 from 10.0.2.14 lookup 102 proto 114" "$(rules_text "$NODE" | grep '^1002 ')"
	expect_wrong "$NODE" "a foreign rule steering ib1's traffic" ib1
	expect_contains "status: why" "$RU_OUT" "table 200"
	owned_reported "$NODE" "a foreign rule steering ib1's traffic"
	pass "a foreign rule ahead of railup's: left alone, and status blames that rail"

	ip -n "$NODE" rule del from 10.0.2.0/24 lookup 200 pref 1002
	expect_wrong "$NODE" "the foreign rule removed" ""
	ru_ok "$NODE" apply
	expect_wrong "$NODE" "the foreign rule removed, applied again" ""
	ip -n "$NODE" rule add from 10.0.2.0/24 lookup 200 pref 1002
	ru_ok "$NODE" down
	no_railup_left "$NODE" "after down"
	expect_eq "after down: the foreign rule" "1002 from 10.0.2.0/24 lookup 200" \
		"$(rules_text "$NODE" | grep '^1002 ')"
	pass "removed: status is 0; down leaves a foreign rule alone"
}

# agree WHEN RAIL: apply's verdict on RAIL ($RU_ERR, $RU_RC of the last apply)
# and status's agree
agree() {
	local when=$1 rail=$2 applied=configured
	case $RU_ERR in *"$rail: configured"*) ;; *) applied=failed ;; esac
	ru "$NODE" status
	printf '     (%s: apply says %s %s, status exits %d)\n' "$when" "$rail" "$applied" "$RU_RC"
	soft_check "$when: status on $rail agrees with apply ($rail $applied)" \
		"$([ $applied = configured ] && echo ok || echo WRONG)" \
		"$(case " $(wrong_rails <<<"$RU_OUT") " in *" $rail "*) echo WRONG ;; *) echo ok ;; esac)"
}

twin() {
	build_four_rails r2
	ip -n "$NODE" rule add from 10.0.2.14 lookup 102 pref 1002 proto static
	set_conf "$MAP_A"
	ru "$NODE" apply
	[ "$RU_RC" -le 1 ] || fail "apply exited $RU_RC"
	expect_eq "the rules at 1002 (the foreign twin alone)" \
		"1002 from 10.0.2.14 lookup 102 proto static" "$(rules_text "$NODE" | grep '^1002 ')"
	agree "a foreign twin of ib1's rule" ib1
	expect_eq "status: the other rails" "" "$(wrong_rails <<<"$RU_OUT" | sed 's/ib1//; s/ //g')"
	owned_reported "$NODE" "a foreign twin of ib1's rule"

	ip -n "$NODE" rule del pref 1002 from 10.0.2.14 lookup 102
	ru_ok "$NODE" apply
	expect_wrong "$NODE" "the twin removed, applied again" ""
	ip -n "$NODE" rule add from 10.0.2.14 lookup 102 pref 1002 proto static
	ru_ok "$NODE" down
	no_railup_left "$NODE" "after down"
	expect_eq "after down: the foreign twin" "1002 from 10.0.2.14 lookup 102 proto static" \
		"$(rules_text "$NODE" | grep '^1002 ')"
	soft_end
	pass "a foreign twin of a rail's rule: left alone; apply and status agree"
}

twin_mid_apply() {
	build_four_rails r3
	set_conf "$MAP_A"
	gate_setup
	ru_bg "$NODE" apply
	gate_dumped "$NODE"
	ip -n "$NODE" rule add from 10.0.4.14 lookup 104 pref 1004 proto static
	gate_planned "$NODE"
	gate_release "$NODE"
	ru_join
	gate_teardown
	[ "$RU_RC" -le 1 ] || fail "apply exited $RU_RC"
	expect_contains "the foreign twin, after the apply" "$(rules_text "$NODE" | grep '^1004 ')" \
		"1004 from 10.0.4.14 lookup 104 proto static"
	agree "a foreign twin of ib3's rule, added mid-apply" ib3
	owned_reported "$NODE" "a foreign twin added mid-apply"
	ru_ok "$NODE" down
	no_railup_left "$NODE" "after down"
	expect_eq "after down: the foreign twin" "1004 from 10.0.4.14 lookup 104 proto static" \
		"$(rules_text "$NODE" | grep '^1004 ')"
	soft_end
	pass "a foreign rule appearing mid-apply: not taken, not removed"
}

part "a foreign rule ahead of a rail's, steering its traffic" steering
part "a foreign twin of a rail's rule (another protocol)" twin
part "a foreign twin appearing between the dumps and the batch" twin_mid_apply
parts_end
