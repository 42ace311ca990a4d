#!/bin/bash
# railup's rules in the kernel's list of them, on a node of eight rails:
#   1. order: a first apply adds the rules highest priority first (the order
#      ip monitor sees them in). The kernel places a new rule by walking its
#      list from the lowest priority: in this order no walk passes the rules
#      added before it, where the map's order made 1024 rails quadratic.
#   2. a copy: apply adds rules without NLM_F_EXCL (with it, the kernel walks
#      every rule for each one added, looking for a duplicate). A copy of a
#      rail's rule that a racing writer put in (nlrule: what a second railup
#      would send) is planned away and removed by the next apply; the other
#      copy and every other rule stay as they were.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

NLRULE=$RU_TMP/nlrule
"${HOST_CC:-cc}" -O1 -o "$NLRULE" "$(dirname "$0")/nlrule.c" || fail "cannot build nlrule"

ns_new NODE node
ns_new SW sw
map=
for i in 0 1 2 3 4 5 6 7; do
	ns_link "$NODE" "ib$i" "$SW" "br$i"
	map+="rd.rail=ib$i:10.0.$((i + 1)).14/24:10.0.$((i + 1)).1"$'\n'
done
set_conf "$map"

# railup_prios FILE: the priorities of railup's rules ip monitor saw added, in order
railup_prios() {
	grep -E '^[0-9]+:.*proto (114|railup)' "$1" | cut -d: -f1 | tr '\n' ' '
}

order() {
	local mon try
	# ip -n, not ip netns exec through in_ns: $! must be ip itself to be killed.
	ip -n "$NODE" monitor rule >"$RU_TMP/monitor" 2>&1 &
	mon=$!
	# (part runs this in a subshell: its exit, by fail or not, ends the monitor)
	trap "kill $mon 2>/dev/null || true" EXIT
	# The monitor listens once it has seen a probe rule come.
	for try in $(seq 100); do
		ip -n "$NODE" rule add from 192.0.2.1 lookup 99 priority 5
		ip -n "$NODE" rule del priority 5
		grep -q 192.0.2.1 "$RU_TMP/monitor" && break
		sleep 0.05
	done
	grep -q 192.0.2.1 "$RU_TMP/monitor" || fail "ip monitor rule saw no probe rule"
	ru_ok "$NODE" apply
	for try in $(seq 100); do
		[ "$(railup_prios "$RU_TMP/monitor" | wc -w)" -lt 8 ] || break
		sleep 0.05
	done
	expect_eq "railup's rules as the kernel added them, by priority" \
		"1008 1007 1006 1005 1004 1003 1002 1001 " "$(railup_prios "$RU_TMP/monitor")"
	pass "rules added highest priority first"
}

copy() {
	ru_ok "$NODE" apply
	rules_text "$NODE" >"$RU_TMP/rules.before"
	in_ns "$NODE" "$NLRULE" 10.0.4.14 104 1004 114 || fail "the kernel refused a copy of ib3's rule"
	expect_eq "copies of ib3's rule after nlrule" 2 \
		"$(rules_text "$NODE" | grep -c '^1004 from 10.0.4.14 lookup 104 proto 114$')"
	ru_ok "$NODE" plan
	expect_eq "railup plan with a copy of ib3's rule" \
		"ip rule del from 10.0.4.14 lookup 104 priority 1004 proto 114" "$RU_OUT"
	ru_ok "$NODE" apply
	rules_text "$NODE" >"$RU_TMP/rules.after"
	expect_same_file "the rules before the copy (expected) and after apply (seen)" \
		"$RU_TMP/rules.before" "$RU_TMP/rules.after"
	ru_ok "$NODE" plan
	expect_eq "railup plan after the copy went" "" "$RU_OUT"
	ru_ok "$NODE" status
	pass "a copy of a rail's rule is removed, the rule kept"
}

part "order" order
part "copy" copy
parts_end
