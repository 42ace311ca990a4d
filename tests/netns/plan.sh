#!/bin/bash
# railup plan changes nothing and prints the commands; those commands,
# pasted into a fresh identical node, give the state railup apply gives.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

plan_four_rails() {
	set_conf "$MAP_A"

	# Node P: plan only. The rails start down, so the plan also has links to bring up.
	build_four_rails p down
	NODE_P=$NODE
	dump "$NODE_P" >"$RU_TMP/before.json"
	ru_ok "$NODE_P" plan
	PLAN=$RU_OUT
	dump "$NODE_P" >"$RU_TMP/after.json"
	expect_same_file "railup plan changed the node's state" "$RU_TMP/before.json" "$RU_TMP/after.json"
	[ ! -e "$(rundir "$NODE_P")/owned" ] || fail "railup plan wrote a ledger: $(cat "$(rundir "$NODE_P")/owned")"
	printf 'the plan:\n%s\n' "$PLAN" | sed 's/^/    /'
	pass "plan changes nothing"

	# What it prints: ip and sysctl commands, the ones this map needs.
	for want in \
		"ip link set dev ib0 up" \
		"ip address add 10.0.1.14/24 dev ib0" \
		"sysctl -w net.ipv4.conf.all.rp_filter=2" \
		"sysctl -w net.ipv4.conf.all.accept_local=1" \
		"sysctl -w net.ipv4.conf.ib2.arp_ignore=1" \
		"sysctl -w net.ipv4.conf.ib2.arp_announce=2" \
		"sysctl -w net.ipv4.conf.ib2.rp_filter=2" \
		"ip rule add from 10.0.4.14 lookup 104 priority 1004 proto 114"; do
		grep -qxF -- "$want" <<<"$PLAN" || fail "the plan lacks the line: $want"
	done
	for i in 0 1 2 3; do
		expect_contains "the plan routes table $((101 + i))" "$PLAN" "table $((101 + i))"
	done
	bad=$(grep -vE '^(ip|sysctl) ' <<<"$PLAN" || true)
	[ -z "$bad" ] || fail "the plan printed lines that are not ip/sysctl commands: $bad"
	pass "plan prints the commands"

	# Node Q: the plan pasted, as an operator would (sh -e: every line must work).
	build_four_rails q down
	NODE_Q=$NODE
	in_ns "$NODE_Q" sh -ec "$PLAN" || fail "the plan's commands failed when run in a fresh node"

	# Node R: railup apply.
	build_four_rails r down
	NODE_R=$NODE
	ru_ok "$NODE_R" apply
	dump "$NODE_Q" >"$RU_TMP/pasted.json"
	dump "$NODE_R" >"$RU_TMP/applied.json"
	expect_same_file "the pasted plan (expected) vs railup apply (seen)" \
		"$RU_TMP/pasted.json" "$RU_TMP/applied.json"
	# And railup itself judges the pasted state right: nothing left to do, all rails ok.
	ru_ok "$NODE_Q" status
	ru_ok "$NODE_Q" plan
	expect_eq "plan in the node the pasted commands set up" "" "$RU_OUT"
	pass "the pasted plan gives what apply gives"

	# After apply, the plan of the same map is empty, and a changed map's plan is
	# exactly what apply then does: paste it into Q (set up by the pasted plan,
	# so its ledger is empty: compare rules and routes only).
	set_conf "${MAP_A/ib3:10.0.4.14\/24:10.0.4.1/ib3:10.0.4.14/24:10.0.4.1,table=150,priority=1500}"
	ru_ok "$NODE_R" plan
	PLAN2=$RU_OUT
	expect_contains "the changed map's plan" "$PLAN2" "ip rule del from 10.0.4.14 lookup 104 priority 1004 proto 114"
	expect_contains "the changed map's plan" "$PLAN2" "ip rule add from 10.0.4.14 lookup 150 priority 1500 proto 114"
	in_ns "$NODE_Q" sh -ec "$PLAN2" || fail "the changed map's plan failed when pasted"
	ru_ok "$NODE_R" apply
	expect_lines "rules: pasted plan (expected) vs apply (seen)" "$(rules_text "$NODE_Q")" "$(rules_text "$NODE_R")"
	for t in 101 102 103 104 150; do
		expect_lines "table $t: pasted plan (expected) vs apply (seen)" \
			"$(routes_text "$NODE_Q" $t)" "$(routes_text "$NODE_R" $t)"
	done
	expect_eq "table 104 after the move" "" "$(routes_text "$NODE_R" 104)"
	pass "a changed map's plan, pasted, does what apply does"
}


# IPoIB partitions are child interfaces with dotted names (ib0.8001): the
# plan must write their sysctls in a form sysctl(8) reads (slashes), and
# pasted, still give what apply gives.
plan_pkey_names() {
	ns_new NODE_Q2 pk-q-node
	ns_new NODE_R2 pk-r-node
	ns_new SW pk-sw
	ns_link "$NODE_Q2" ib0.8001 "$SW" q-br1
	ns_link "$NODE_Q2" ib1.8001 "$SW" q-br2
	ns_link "$NODE_R2" ib0.8001 "$SW" r-br1
	ns_link "$NODE_R2" ib1.8001 "$SW" r-br2
	set_conf 'rd.rail=ib0.8001:10.0.1.14/24:10.0.1.1
rd.rail=ib1.8001:10.0.2.14/24:10.0.2.1'
	ru_ok "$NODE_R2" plan
	expect_contains "the plan for ib0.8001" "$RU_OUT" "sysctl -w net/ipv4/conf/ib0.8001/arp_ignore=1"
	in_ns "$NODE_Q2" sh -ec "$RU_OUT" || fail "the plan's commands for ib0.8001/ib1.8001 failed when pasted"
	ru_ok "$NODE_R2" apply
	dump "$NODE_Q2" >"$RU_TMP/pk-pasted.json"
	dump "$NODE_R2" >"$RU_TMP/pk-applied.json"
	expect_same_file "dotted names: the pasted plan (expected) vs railup apply (seen)" \
		"$RU_TMP/pk-pasted.json" "$RU_TMP/pk-applied.json"
	expect_eq "dotted names: ib1.8001's arp_ignore" 1 "$(sc "$NODE_R2" ib1.8001 arp_ignore)"
	pass "dotted (partition) names: the pasted plan gives what apply gives"
}

part "four rails: plan changes nothing; pasted, it equals apply" plan_four_rails
part "partition child interfaces (ib0.8001)" plan_pkey_names
parts_end
