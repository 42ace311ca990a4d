#!/bin/bash
# Fault: a rail's interface is deleted in the middle of an apply.
#
# An apply is: dumps (links, addresses, routes, rules), the conf/all reads,
# the plan, the sysctl writes (conf/all first), then one netlink batch in the
# plan's order (addresses, routes, rules), sent in chunks of at most 64
# messages, each chunk processed by the kernel message by message. "In the
# middle" is any point of that; four are forced here:
#   1. after the dumps, before the plan (the gate of lib-fault.sh)
#   2. after the plan, before anything is sent (the gate)
#   3. between two chunks of one batch (30 rails; strace stops railup right
#      after the batch's first sendto, the kernel having processed that chunk)
#   4. anywhere, by a race: the interface deleted at a random moment while
#      apply runs, several times
# The defined outcome, whichever side of the race the deletion lands: the
# victim rail alone is reported (status exits 1 naming it and only it; apply
# exits 1 when it failed it, and may exit 0 only when every change of that
# rail went through before the deletion); nothing railup owns escapes status;
# a rail apply failed is left with no rule of railup's steering its traffic
# (nothing half-applied); once the interface is back, apply repairs everything
# (status 0), the ledger holds each entry once, and down leaves nothing.
#   5. boot: a rail's netdev, down, is brought up by railup while boot waits
#      for its carrier, then deleted and made anew, down (a driver re-probe,
#      a firmware reset): railup brings the new one up too, and the rail is
#      configured and verified (exit 0).
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/lib-fault.sh
. "$(dirname "$0")/lib-fault.sh"

# outcome WHEN VICTIM PRIORITY: the defined outcome right after the apply that
# lost VICTIM (whose rule has PRIORITY), as apply reported it (RU_RC, RU_ERR);
# the status checks come after, so $RU_ERR is read first.
outcome() {
	local when=$1 victim=$2 prio=$3 err=$RU_ERR rc=$RU_RC failed=no
	case $err in *"$victim: apply:"* | *"$victim: plan:"*) failed=yes ;; esac
	if [ $failed = yes ]; then
		expect_eq "$when: apply's exit ($victim failed)" 1 "$rc"
	else
		expect_contains "$when: apply reports $victim configured (it did not fail it)" "$err" \
			"$victim: configured"
	fi
	printf '     (%s: apply %s %s)\n' "$when" "$([ $failed = yes ] && echo failed || echo configured)" "$victim"
	expect_wrong "$NODE" "$when" "$victim"
	expect_contains "$when: why" "$RU_OUT" "$victim not found"
	owned_reported "$NODE" "$when"
	if [ $failed = yes ]; then
		soft_check "$when: railup's rule at $victim's priority $prio (apply failed $victim: nothing half-applied)" \
			"" "$(railup_rules "$NODE" | grep "^$prio " || true)"
	fi
}

# repaired WHEN: the interfaces are back; apply repairs, down cleans up
repaired() {
	ru_ok "$NODE" apply
	expect_wrong "$NODE" "$1, repaired" ""
	ledger_no_dups "$NODE" "$1, repaired" || RU_SOFT+="$1: ledger entries twice"$'\n'
	ru_ok "$NODE" down
	expect_eq "$1, after down: railup's rules" "" "$(railup_rules "$NODE")"
	expect_eq "$1, after down: railup's routes" "" "$(railup_routes "$NODE")"
	soft_check "$1, after down: the ledger" "" "$(ledger "$NODE")"
}

at_gate() {
	local where=$1
	build_four_rails "v$where"
	set_conf "$MAP_A"
	gate_setup
	ru_bg "$NODE" apply
	gate_dumped "$NODE"
	[ "$where" = planned ] && gate_planned "$NODE"
	ip -n "$NODE" link del ib3
	[ "$where" = planned ] || gate_planned "$NODE"
	gate_release "$NODE"
	ru_join
	gate_teardown
	outcome "deleted after the $where step" ib3 1004
	expect_lines "the other rails: railup's rules" \
		"1001 from 10.0.1.14 lookup 101
1002 from 10.0.2.14 lookup 102
1003 from 10.0.3.14 lookup 103" "$(railup_rules "$NODE" | grep -v '^1004 ')"
	ns_link "$NODE" ib3 "$SW" br4
	repaired "deleted after the $where step"
	soft_end
	pass "deleted after the $where step: the defined outcome"
}

between_chunks() {
	local k n=30 v rest
	build_rails vc $n
	set_conf "$MAP_N"
	# The batch is the first sendto after those of a plan (the same dumps).
	untraced_leaks
	in_ns "$NODE" strace -f -qq -o "$RU_TMP/plan.strace" -e trace=sendto "$RAILUP" \
		--cmdline "$RU_CMDLINE" --conf "$RU_CONF" --run-dir "$(rundir "$NODE")" plan >/dev/null
	k=$(($(grep -c 'sendto(' "$RU_TMP/plan.strace") + 1))
	trace_stop "$NODE" sendto $k apply
	case $(grep "sendto(" "$RU_TRACE" | tail -n 1) in
	*RTM_NEWADDR*) ;;
	*) fail "strace stopped railup after a sendto that is not the batch's first chunk" ;;
	esac
	ip -n "$NODE" link del ib1
	ip -n "$NODE" link del ib$((n - 1))
	trace_cont
	rest=$(sed -n '/--- stopped by SIGSTOP ---/,$p' "$RU_TRACE" | grep -c 'sendto(' || true)
	[ "$rest" -ge 1 ] || fail "the batch had one chunk only: nothing was in its middle"
	printf '     (the batch went on in %d more chunk(s) after the deletions)\n' "$rest"
	# Both victims: apply's verdict on each, then status names both.
	local err=$RU_ERR rc=$RU_RC failed=""
	for v in ib1 ib$((n - 1)); do
		case $err in
		*"$v: apply:"*) failed+=" $v" ;;
		*"$v: configured"*) ;;
		*) fail "apply said nothing of $v" ;;
		esac
	done
	printf '     (apply failed:%s)\n' "${failed:- none}"
	[ -z "$failed" ] || expect_eq "apply's exit (it failed:$failed)" 1 "$rc"
	expect_wrong "$NODE" "two interfaces deleted between two chunks" "ib1 ib$((n - 1))"
	owned_reported "$NODE" "two interfaces deleted between two chunks"
	for v in $failed; do
		soft_check "railup's rule at $v's priority (apply failed $v: nothing half-applied)" "" \
			"$(railup_rules "$NODE" | grep "^$((1001 + ${v#ib})) " || true)"
	done
	relink "$NODE" "$SW" ib1
	relink "$NODE" "$SW" ib$((n - 1))
	repaired "deleted between two chunks"
	soft_end
	pass "deleted between two chunks of a batch: the defined outcome"
}

reprobed() {
	build_four_rails vb
	ip -n "$NODE" link set ib3 down
	carrier "$NODE" ib3 "$SW" down
	set_conf "$MAP_A
rd.rail.verify=0 rd.rail.modules= rd.rail.timeout=10"
	ru_bg "$NODE" boot --no-kmsg
	up_within "$NODE" ib3
	ip -n "$NODE" link del ib3
	# Made anew, down, its switch port up: only railup bringing it up makes it ready.
	ns_link "$NODE" ib3 "$SW" br4 down
	up_within "$NODE" ib3
	ru_join
	expect_rc "railup boot, ib3 made anew while it waited" 0
	expect_contains "railup's summary" "$RU_ERR" "4 rails: 4 verified"
	configured4 "ib3 made anew"
	pass "a netdev made anew while boot waits is brought up again"
}

race() {
	local n=120 round v delay w t sides=""
	build_rails vr $n
	set_conf "$MAP_N"
	# One ip, started beforehand, deletes at once what it reads from a FIFO.
	mkfifo "$RU_TMP/deleter"
	ip -force -n "$NODE" -b "$RU_TMP/deleter" &
	exec {w}>"$RU_TMP/deleter"
	for round in 1 2 3 4; do
		v=$((RANDOM % n))
		delay=$(printf '0.%03d' $((RANDOM % 20)))
		ru_bg "$NODE" apply
		sleep "$delay"
		echo "link del ib$v" >&"$w"
		for t in $(seq 1 200); do
			ip -n "$NODE" link show "ib$v" >/dev/null 2>&1 || break
			sleep 0.01
		done
		ru_join
		printf '     (round %d: ib%d deleted %ss into the apply)\n' "$round" "$v" "$delay"
		case $RU_ERR in
		*"ib$v: configured"*) sides+=" after" ;;
		*"ib$v: plan:"*) sides+=" before" ;;
		*) sides+=" during" ;;
		esac
		outcome "round $round" "ib$v" $((1001 + v))
		relink "$NODE" "$SW" "ib$v"
		repaired "round $round"
	done
	exec {w}>&-
	printf '     (where the deletions landed:%s)\n' "$sides"
	soft_end
	pass "deleted at random moments of an apply: the defined outcome every time"
}

part "deleted after the dumps, before the plan" at_gate dumped
part "deleted after the plan, before anything is sent" at_gate planned
part "deleted between two chunks of one netlink batch" between_chunks
part "deleted at a random moment, four times" race
part "boot: deleted and made anew while boot waits for it" reprobed
parts_end
