#!/bin/bash
# railup watch: the map kept in place after boot. MAP_A applied, then watch
# running in the node. Oracles: the rules and the kernel's routing decision
# per rail (configured4), ip -j, /proc/sys, and watch's log.
#   1. nothing to do: watch says nothing but that it started.
#   2. ib1 taken down and up (the kernel flushes its IPv4 routes, table 102's
#      too, and the rule then steers the rail into an empty table): watch
#      puts the routes back and says which.
#   3. someone deletes ib2's rule and ib3's default route: put back.
#   4. ib0 deleted and made anew (a NIC re-probed: a new ifindex, no
#      address, the kernel's sysctls): configured again, sysctls included.
#   5. changes that are not railup's (a route in main, an address on a
#      netdev that is no rail): watch says nothing.
#   6. down: everything removed, and after a link flap nothing is put
#      back; an apply, then a flap: watch keeps the map again.
#   7. someone keeps undoing a rail (ib3's address flushed every 0.2 s for
#      4 s): watch's rounds back off (a handful, not one per flush) and say
#      so; once it stops, the rail is put back.
#   8. SIGTERM: watch ends with exit 0.
#   9. with --metrics: the textfile follows the rails after every round,
#      one that changes nothing too: ib1's carrier lost (its switch port
#      down), railup_rail_carrier and _ok go to 0; back, to 1.
#  10. a map that is bad when watch starts: exit 2, the token quoted, nothing
#      changed; rd.rail=0: watch ends at once, exit 0.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/lib-fault.sh
. "$(dirname "$0")/lib-fault.sh"

# within SECS WHAT CMD...: CMD succeeds within SECS seconds
within() {
	local secs=$1 what=$2
	shift 2
	for _ in $(seq 1 $((secs * 20))); do
		"$@" && return 0
		sleep 0.05
	done
	fail "$what: not within $secs s"
}

# configured NS: MAP_A's four rails are in place (as configured4 checks them)
configured() {
	[ "$(railup_rules "$NODE" | wc -l)" = 4 ] || return 1
	for i in 1 2 3 4; do
		[ "$(route_get "$NODE" 10.0.99.99 "10.0.$i.14")" = "dev ib$((i - 1)) table $((100 + i)) via 10.0.$i.1" ] || return 1
	done
}

# said: watch's log lines so far (its stderr)
said() {
	cat "$RU_TMP/watch.log"
}

build_four_rails w
ns_link "$NODE" mgmt0 "$SW" mgmt
set_conf "$MAP_A"
ru_ok "$NODE" apply
configured4 "after apply"
# Its own log (ru's runs write theirs to RU_TMP/err); not through in_ns: the
# pid must be railup's, for the signal and for the cleanup
ip netns exec "$NODE" "$RAILUP" --cmdline "$RU_CMDLINE" --conf "$RU_CONF" --run-dir "$(rundir "$NODE")" \
	watch 2>"$RU_TMP/watch.log" &
WATCH=$!
held "$WATCH"
within 5 "watch's start line" grep -q 'watch: keeping the map in place' "$RU_TMP/watch.log"
sleep 0.3
expect_eq "watch with nothing to do says only that it started" \
	"railup: watch: keeping the map in place" "$(said)"
pass "watch starts, and with nothing to do says nothing"

lines=$(said | wc -l)
ip -n "$NODE" link set ib1 down
ip -n "$NODE" link set ib1 up
within 5 "ib1's routes put back" configured
configured4 "after ib1 went down and up"
expect_lines "what watch said" \
	"railup: watch: ip route add 10.0.2.0/24 dev ib1 src 10.0.2.14 table 102 proto 114 scope link
railup: watch: ip route add default via 10.0.2.1 dev ib1 src 10.0.2.14 table 102 proto 114" \
	"$(said | tail -n +$((lines + 1)))"
pass "a link taken down and up gets its routes back"

ip -n "$NODE" rule del priority 1003
ip -n "$NODE" route del default table 104
within 5 "ib2's rule and ib3's route put back" configured
configured4 "after the rule and the route were deleted"
pass "a deleted rule and route are put back"

ip -n "$NODE" link del ib0
relink "$NODE" "$SW" ib0
within 5 "ib0 made anew configured" configured
configured4 "after ib0 was made anew"
expect_eq "ib0's sysctls" "2 1 2" \
	"$(sc "$NODE" ib0 rp_filter) $(sc "$NODE" ib0 arp_ignore) $(sc "$NODE" ib0 arp_announce)"
expect_eq "ib0's address" "10.0.1.14/24" "$(addrs "$NODE" ib0)"
pass "a NIC made anew is configured again"

sleep 1.2
lines=$(said | wc -l)
ip -n "$NODE" route add 192.168.77.0/24 dev mgmt0
ip -n "$NODE" addr add 192.168.50.10/24 dev mgmt0
sleep 1.5
expect_eq "what watch said about changes not railup's" "" "$(said | tail -n +$((lines + 1)))"
pass "changes that are not railup's: watch says nothing"

ru_ok "$NODE" down
within 5 "no rule of railup's after down" test -z "$(railup_rules "$NODE")"
ip -n "$NODE" link set ib2 down
ip -n "$NODE" link set ib2 up
sleep 1.5
expect_eq "railup's rules after down and a link flap" "" "$(railup_rules "$NODE")"
expect_eq "ib2's addresses after down and a link flap" "" "$(addrs "$NODE" ib2)"
ru_ok "$NODE" apply
configured4 "after apply"
sleep 1.2
ip -n "$NODE" link set ib2 down
ip -n "$NODE" link set ib2 up
within 5 "ib2's routes put back after apply" configured
pass "watch leaves a down alone, and keeps the map again after an apply"

sleep 1.2
lines=$(said | wc -l)
for i in $(seq 20); do
	ip -n "$NODE" addr flush dev ib3
	sleep 0.2
done
rounds=$(said | tail -n +$((lines + 1)) | grep -c 'watch: ip address add 10.0.4.14/24 dev ib3' || true)
if [ "$rounds" -lt 2 ] || [ "$rounds" -gt 5 ]; then
	fail "watch's rounds while ib3's address was flushed 20 times in 4 s: $rounds (expected 2 to 5)"
fi
expect_contains "watch says it backs off" "$(said)" "watch: the rails changed again right after the last round"
within 15 "ib3 put back once the flushing stopped" configured
configured4 "after the flushing stopped"
printf '     (%s rounds for 20 flushes)\n' "$rounds"
pass "someone undoing a rail again and again: watch backs off"

kill -TERM "$WATCH"
rc=0
wait "$WATCH" || rc=$?
released "$WATCH"
expect_eq "watch's exit status after SIGTERM" 0 "$rc"
expect_eq "its last line" "railup: watch: stopped" "$(said | tail -n 1)"
pass "SIGTERM ends watch"

# metric FILE NAME RAIL: a rail's series in the textfile
metric() {
	sed -n "s/^$2{rail=\"$3\",.*} \([0-9]*\)$/\1/p" "$1"
}

# metric_is FILE NAME RAIL VALUE: the series has that value now
metric_is() {
	[ "$(metric "$1" "$2" "$3")" = "$4" ]
}
M=$RU_TMP/railup.prom
# A log of its own: the background child truncates a reused one only when it
# gets to it, and the first watch's start line could pass for this one's.
ip netns exec "$NODE" "$RAILUP" --cmdline "$RU_CMDLINE" --conf "$RU_CONF" --run-dir "$(rundir "$NODE")" \
	--metrics "$M" watch 2>"$RU_TMP/watch-metrics.log" &
WATCH=$!
held "$WATCH"
within 5 "watch's start line" grep -q 'watch: keeping the map in place' "$RU_TMP/watch-metrics.log"
expect_eq "ib1's carrier and ok after the first round" "1 1" \
	"$(metric "$M" railup_rail_carrier ib1) $(metric "$M" railup_rail_ok ib1)"
carrier "$NODE" ib1 "$SW" down
within 5 "ib1's carrier lost in the metrics" metric_is "$M" railup_rail_carrier ib1 0
expect_eq "ib1's ok without carrier" 0 "$(metric "$M" railup_rail_ok ib1)"
expect_eq "ib0's ok meanwhile" 1 "$(metric "$M" railup_rail_ok ib0)"
carrier "$NODE" ib1 "$SW" up
within 5 "ib1's carrier back in the metrics" metric_is "$M" railup_rail_carrier ib1 1
expect_eq "ib1's ok with carrier" 1 "$(metric "$M" railup_rail_ok ib1)"
kill -TERM "$WATCH"
wait "$WATCH" || fail "watch with --metrics: exit $?"
released "$WATCH"
pass "with --metrics, watch keeps the textfile current"

dump "$NODE" >"$RU_TMP/before.json"
set_conf 'rd.rail=ib0:10.0.1.14/33'
ru "$NODE" watch
expect_rc "watch with a bad map" 2
expect_eq "its error" 'railup: '"$RU_CONF"':1: "rd.rail=ib0:10.0.1.14/33": address "10.0.1.14/33": bad prefix length' "$RU_ERR"
dump "$NODE" >"$RU_TMP/after.json"
expect_same_file "the state after watch refused a bad map" "$RU_TMP/before.json" "$RU_TMP/after.json"
set_conf "$MAP_A"
set_cmdline "rd.rail=0"
ru "$NODE" watch
expect_rc "watch with rd.rail=0" 0
expect_contains "what it says" "$RU_ERR" "disabled by rd.rail=0"
pass "watch refuses a bad map (exit 2) and ends when railup is switched off"
