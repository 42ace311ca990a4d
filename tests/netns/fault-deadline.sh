#!/bin/bash
# Fault: boot's deadline (rd.rail.timeout=2) passes with some rails ready and
# others not (their switch ports down: no carrier). rd.rail.verify=0.
#   1. two required rails never ready: boot takes the deadline (2 s, not
#      much more), exits 1; the ready rails are configured and verified, the
#      others failed at stage "wait" with the reason; the state file says so
#      (RAILUP_RESULT=failed); nothing of the failed rails is made (no rule,
#      route or address) but their interface values, which boot writes before
#      it brings a link up (boot-order.sh): the ledger holds those alone;
#      status agrees; nothing railup owns escapes it. Their links fixed, a later apply repairs everything:
#      status 0.
#   2. the same with those two rails required=0: exit 0, RAILUP_RESULT=degraded.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/lib-fault.sh
. "$(dirname "$0")/lib-fault.sh"

deadline() {
	local required=$1 map i
	build_four_rails "d$required"
	carrier "$NODE" ib2 "$SW" down
	carrier "$NODE" ib3 "$SW" down
	map=$MAP_A
	[ "$required" = 1 ] || map=$(printf '%s\n' "$MAP_A" | sed '/ib[23]:/s/$/,required=0/')
	set_conf "$map
rd.rail.verify=0 rd.rail.modules= rd.rail.timeout=2"
	ru_timed "$NODE" boot --no-kmsg
	printf '     (boot took %d ms)\n' "$RU_MS"
	[ "$RU_MS" -ge 2000 ] && [ "$RU_MS" -lt 4000 ] || fail "boot took $RU_MS ms; the deadline is 2000"
	if [ "$required" = 1 ]; then
		expect_rc "boot, two required rails not ready" 1
		expect_eq "state: result" failed "$(run_state "$NODE" RAILUP_RESULT)"
	else
		expect_rc "boot, two rails required=0 not ready" 0
		expect_eq "state: result" degraded "$(run_state "$NODE" RAILUP_RESULT)"
	fi
	expect_eq "state: rails, verified, failed" "4 2 2" \
		"$(run_state "$NODE" RAILUP_RAILS) $(run_state "$NODE" RAILUP_VERIFIED) $(run_state "$NODE" RAILUP_FAILED)"
	for i in 0 1; do
		expect_eq "state: ib$i's phase" verified "$(run_state "$NODE" RAIL${i}_PHASE)"
	done
	for i in 2 3; do
		expect_eq "state: ib$i's phase, stage" "failed wait" \
			"$(run_state "$NODE" RAIL${i}_PHASE) $(run_state "$NODE" RAIL${i}_STAGE)"
		expect_contains "state: ib$i's error" "$(run_state "$NODE" RAIL${i}_ERROR)" \
			"not ready after 2000 ms: ib$i has no carrier"
		expect_contains "boot's message" "$RU_ERR" "ib$i: wait: not ready after 2000 ms"
		expect_eq "ib$i's address (nothing of a failed rail)" "" "$(addrs "$NODE" ib$i)"
	done
	expect_lines "railup's rules (the ready rails')" \
		"1001 from 10.0.1.14 lookup 101
1002 from 10.0.2.14 lookup 102" "$(railup_rules "$NODE")"
	expect_eq "railup's routes in tables 103, 104" "" \
		"$(railup_routes "$NODE" | grep -E '^table 10[34]:' || true)"
	expect_lines "the ledger: of ib2, ib3 their values alone" "sysctl ib2 arp_announce 0
sysctl ib2 arp_ignore 0
sysctl ib2 rp_filter 0
sysctl ib3 arp_announce 0
sysctl ib3 arp_ignore 0
sysctl ib3 rp_filter 0" "$(ledger "$NODE" | awk '$2 ~ /^ib[23]$/ { print $1, $2, $4, $5 }')"
	for i in 2 3; do
		expect_eq "ib$i's values (the map's, on a link boot brought up)" "2 1 2" \
			"$(sc "$NODE" ib$i rp_filter) $(sc "$NODE" ib$i arp_ignore) $(sc "$NODE" ib$i arp_announce)"
	done
	for i in 0 1; do
		n=$((i + 1))
		expect_eq "ip route get 10.0.99.99 from 10.0.$n.14" "dev ib$i table $((100 + n)) via 10.0.$n.1" \
			"$(route_get "$NODE" 10.0.99.99 10.0.$n.14)"
	done
	expect_wrong "$NODE" "after boot" "ib2 ib3"
	owned_reported "$NODE" "after boot"
	pass "the deadline: ready rails configured, the others failed at wait, the state says so"

	carrier "$NODE" ib2 "$SW" up
	carrier "$NODE" ib3 "$SW" up
	ru_ok "$NODE" apply
	ru "$NODE" status
	soft_check "status after the links came and apply ran (the boot's failures repaired)" 0 "$RU_RC"
	[ "$RU_RC" -eq 0 ] || printf '%s\n' "$RU_OUT" | grep WRONG | sed 's/^/     status| /'
	ru_ok "$NODE" down
	no_railup_left "$NODE" "after down"
	soft_end
	pass "the links fixed, apply repairs everything"
}

part "the deadline with two required rails not ready" deadline 1
part "the deadline with two rails required=0 not ready" deadline 0
parts_end
