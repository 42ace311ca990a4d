#!/bin/bash
# Fault: a rail's link flaps while railup boot waits for it (rd.rail.verify=0:
# no RDMA here; the routing checks still run).
#   1. its switch port goes up and down every 30 ms for a while, then stays
#      up: boot configures the rail exactly once, when it is first ready, and
#      the outcome is sane whichever way the flapping falls: exit 0 with every
#      rail verified, or exit 1 with that rail alone failed at "verify" for
#      want of carrier; the state file says the same; status agrees; nothing
#      railup owns escapes it; a later apply (the link steady) leaves status 0.
#   2. link events overflow railup's event socket while it waits: strace
#      stops boot at its first poll, 1500 link events are queued (an alias
#      changing: more than the socket holds), the rail's port comes up, boot
#      goes on: it sees ENOBUFS, reads the links anew and configures the rail
#      once (exit 0, every rail verified).
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/lib-fault.sh
. "$(dirname "$0")/lib-fault.sh"

MAP_BOOT="$MAP_A
rd.rail.verify=0 rd.rail.modules= rd.rail.timeout=10"

flapping() {
	local port i err
	build_four_rails f1
	port=$(peer_port "$NODE" ib3 "$SW")
	ip -n "$SW" link set "$port" down
	set_conf "$MAP_BOOT"
	ru_bg "$NODE" boot --no-kmsg
	sleep 0.1
	for i in $(seq 1 12); do
		ip -n "$SW" link set "$port" up
		sleep 0.03
		ip -n "$SW" link set "$port" down
		sleep 0.03
	done
	ip -n "$SW" link set "$port" up
	ru_join
	err=$RU_ERR
	expect_eq "ib3 configured (times)" 1 "$(grep -c 'ib3: configured' <<<"$err" || true)"
	if [ "$RU_RC" -eq 0 ]; then
		printf '     (boot: every rail verified)\n'
		expect_eq "state: result" ok "$(run_state "$NODE" RAILUP_RESULT)"
		expect_eq "state: verified" 4 "$(run_state "$NODE" RAILUP_VERIFIED)"
		expect_wrong "$NODE" "after boot" ""
	else
		printf '     (boot: ib3 caught without carrier at verification)\n'
		expect_eq "boot's exit" 1 "$RU_RC"
		expect_contains "boot's message" "$err" "ib3: verify: ib3 has no carrier"
		expect_eq "state: result" failed "$(run_state "$NODE" RAILUP_RESULT)"
		expect_eq "state: ib3's phase, stage" "failed verify" \
			"$(run_state "$NODE" RAIL3_PHASE) $(run_state "$NODE" RAIL3_STAGE)"
		expect_eq "state: verified" 3 "$(run_state "$NODE" RAILUP_VERIFIED)"
		expect_wrong "$NODE" "after boot" ib3
	fi
	owned_reported "$NODE" "after boot"
	ru_ok "$NODE" apply
	ru "$NODE" status
	soft_check "status after a later apply, the link steady" 0 "$RU_RC"
	soft_end
	pass "a flapping rail is configured once; the outcome is sane"
}

overflow() {
	local port ino
	build_four_rails f2
	port=$(peer_port "$NODE" ib3 "$SW")
	ip -n "$SW" link set "$port" down
	set_conf "$MAP_BOOT"
	trace_stop "$NODE" poll 1 boot --no-kmsg
	# Carrier changes reach the node through linkwatch, which coalesces them:
	# the link events that fill the socket are of a link's alias changing.
	for i in $(seq 1 1500); do
		echo "link set dev lo alias flap$i"
	done >"$RU_TMP/flaps"
	ip -n "$NODE" -b "$RU_TMP/flaps"
	ip -n "$SW" link set "$port" up
	in_ns "$NODE" cat /proc/net/netlink | awk 'NR == 1 || ($2 == 0 && $4 == "00000001")' |
		sed 's/^/     /'
	trace_cont
	expect_rc "boot, its link events overflowed" 0
	grep -q 'recvfrom(.*ENOBUFS' "$RU_TRACE" || fail "railup never saw its event socket overflow"
	[ "$(grep 'sendto(' "$RU_TRACE" | grep -c RTM_GETLINK)" -ge 2 ] ||
		fail "railup did not read the links anew after the overflow"
	expect_eq "ib3 configured (times)" 1 "$(grep -c 'ib3: configured' <<<"$RU_ERR" || true)"
	expect_eq "state: result" ok "$(run_state "$NODE" RAILUP_RESULT)"
	expect_wrong "$NODE" "after boot" ""
	owned_reported "$NODE" "after boot"
	pass "link events overflowing the socket: the links are read anew"
}

part "a rail whose peer flaps while boot waits" flapping
part "link events overflow the event socket while boot waits (ENOBUFS)" overflow
parts_end
