#!/bin/bash
# Applying twice is applying once: the same state, the same ledger, and after
# the second apply nothing left to plan. Run for each of the seeds' layouts
# (a: a gateway per rail; b: one subnet; c: the fabric route), and with a
# node whose state railup partly finds already there.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

# check NAME NODE: apply, apply again, compare; then the plan must be empty
check() {
	local name=$1 node=$2 owned
	owned=$(rundir "$node")/owned
	ru_ok "$node" apply
	dump "$node" >"$RU_TMP/$name.1.json"
	cp "$owned" "$RU_TMP/$name.1.owned"
	ru_ok "$node" apply
	dump "$node" >"$RU_TMP/$name.2.json"
	expect_same_file "$name: the state after apply 1 (expected) and apply 2 (seen)" \
		"$RU_TMP/$name.1.json" "$RU_TMP/$name.2.json"
	expect_same_file "$name: the ledger after apply 1 (expected) and apply 2 (seen)" \
		"$RU_TMP/$name.1.owned" "$owned"
	ru_ok "$node" plan
	expect_eq "$name: railup plan after two applies prints" "" "$RU_OUT"
	ru_ok "$node" status
	# A third apply: still nothing moves.
	ru_ok "$node" apply
	dump "$node" >"$RU_TMP/$name.3.json"
	expect_same_file "$name: the state after apply 3" "$RU_TMP/$name.1.json" "$RU_TMP/$name.3.json"
	pass "$name: applies are idempotent"
}

# (a)
idem_a() {
	build_four_rails a
	set_conf "$MAP_A"
	check "four rails" "$NODE"
}

# (b)
idem_b() {
	ns_new NODE_B b-node
	ns_new SW_B b-sw
	for i in 0 1 2; do
		ns_link "$NODE_B" "ib$i" "$SW_B" br0
	done
	set_conf 'rd.rail=ib0:10.1.0.11/24
rd.rail=ib1:10.1.0.12/24
rd.rail=ib2:10.1.0.13/24'
	check "one subnet" "$NODE_B"
}

# (c), with the map's own settings: tables from 200, priorities from 500,
# the IPoIB profile.
idem_c() {
	ns_new NODE_C c-node
	ns_new SW_C c-sw
	for i in 0 1 2 3; do
		ns_link "$NODE_C" "ib$i" "$SW_C" "br$((i / 2 + 1))"
	done
	set_conf 'rd.rail.fabric=10.0.0.0/16
rd.rail.table=200
rd.rail.priority=500
rd.rail.profile=ipoib
rd.rail=ib0:10.0.1.14/24:10.0.1.1
rd.rail=ib1:10.0.1.16/24:10.0.1.1
rd.rail=ib2:10.0.2.14/24:10.0.2.1
rd.rail=ib3:10.0.2.16/24:10.0.2.1'
	check "fabric, tables 200+" "$NODE_C"
	expect_lines "tables 200+: railup's rules" \
		"500 from 10.0.1.14 lookup 200
501 from 10.0.1.16 lookup 201
502 from 10.0.2.14 lookup 202
503 from 10.0.2.16 lookup 203" "$(railup_rules "$NODE_C")"
}

# A node where part is there already: the image set the addresses and some of
# the values; railup does the rest once, and then nothing.
idem_pre() {
	build_four_rails pre
	for i in 0 1 2 3; do
		ip -n "$NODE" addr add "10.0.$((i + 1)).14/24" dev "ib$i"
	done
	set_sysctl "$NODE" ib1 arp_ignore 1
	set_sysctl "$NODE" all rp_filter 2
	set_conf "$MAP_A"
	check "addresses already there" "$NODE"
	expect_eq "ledger of the node whose image set the addresses: addresses railup added" "" \
		"$(grep '^addr' "$(rundir "$NODE")/owned" || true)"
}

part "(a) four rails, a gateway each" idem_a
part "(b) one subnet" idem_b
part "(c) fabric route, tables from 200, IPoIB profile" idem_c
part "addresses and some values already there" idem_pre
parts_end
