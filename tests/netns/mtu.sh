#!/bin/bash
# mtu=: a rail's interface MTU (RoCE takes its path MTU from it). The map
# asks 9000 for every rail (rd.rail.mtu=), 4200 for ib2, nothing for ib1;
# ib0 carries an IPv4 and an IPv6 rail; ib3's MTU was 4000 before railup.
# Oracle: ip -j link, and the ledger.
#   1. plan shows one change per interface (ib0's two rails make one);
#      apply sets them, leaves ib1 alone, records each MTU from before
#      once; plan then has nothing to do; status shows them.
#   2. someone changes ib2's: status says so (exit 1), apply sets it again
#      and keeps the MTU from before railup.
#   3. the map stops asking for ib3's (mtu=): it goes back to 4000 and its
#      ledger entry goes.
#   4. down puts every MTU back: the whole state is what it was.
#   5. boot, the links down at its start: each comes up with its MTU
#      already set (ip monitor: no event shows a rail up with the old one).
#   6. a netdev that refuses the MTU (an XDP program on its veth peer caps
#      it near 3500; xdppass.c): its two rails (IPv4 and IPv6, one change)
#      fail with the kernel's words and get no rule, no MTU entry in the
#      ledger; the other NIC's rail is configured; a smaller MTU is then
#      taken.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

MAP='rd.rail.mtu=9000
rd.rail=ib0:10.0.1.14/24:10.0.1.1
rd.rail=ib0:[fd00:1::14]/64
rd.rail=ib1:10.0.2.14/24:10.0.2.1,mtu=
rd.rail=ib2:10.0.3.14/24:10.0.3.1,mtu=4200
rd.rail=ib3:10.0.4.14/24:10.0.4.1'

# mtus NS: "IF MTU" of the rails, sorted
mtus() {
	ip -n "$1" -j link show | jq -r '.[] | select(.ifname | startswith("ib")) |
		"\(.ifname) \(.mtu)"' | LC_ALL=C sort | tr '\n' ' '
}

# ledger_mtus NS: the ledger's mtu lines, "IF BEFORE"
ledger_mtus() {
	awk '$1 == "mtu" { print $2, $4 }' "$(rundir "$1")/owned" | LC_ALL=C sort | tr '\n' ' '
}

build_four_rails m
v6_on "$NODE" ib0
ip -n "$NODE" link set ib3 mtu 4000
set_conf "$MAP"
dump "$NODE" >"$RU_TMP/before.json"

ru_ok "$NODE" plan
expect_eq "plan: ib0's MTU, once for its two rails" 1 "$(grep -c '^ip link set dev ib0 mtu 9000$' <<<"$RU_OUT")"
expect_eq "plan: every MTU change" "ib0 9000|ib2 4200|ib3 9000" \
	"$(sed -n 's/^ip link set dev \(ib[0-9]\) mtu \([0-9]*\)$/\1 \2/p' <<<"$RU_OUT" | paste -sd'|')"
ru_ok "$NODE" apply
expect_eq "MTUs after apply" "ib0 9000 ib1 1500 ib2 4200 ib3 9000 " "$(mtus "$NODE")"
expect_eq "the ledger: each MTU from before, once" "ib0 1500 ib2 1500 ib3 4000 " \
	"$(ledger_mtus "$NODE")"
ru_ok "$NODE" plan
expect_eq "plan after apply" "" "$RU_OUT"
ru_ok "$NODE" status
expect_contains "status shows ib2's MTU" "$RU_OUT" "on ib2 (up, carrier, MTU 4200)"
pass "apply sets the MTUs the map asks for, and only those"

ip -n "$NODE" link set ib2 mtu 1500
ru "$NODE" status
expect_rc "status with ib2's MTU changed" 1
expect_contains "status says what is wrong" "$RU_OUT" "ib2 has MTU 1500, the map asks 4200"
expect_contains "status shows both" "$RU_OUT" "on ib2 (up, carrier, MTU 1500, want 4200)"
ru "$NODE" status --json
expect_eq "status --json: the MTUs asked for and had" \
	'ib0 {"want":9000,"have":9000} ib0 {"want":9000,"have":9000} ib1 {"want":null,"have":1500} ib2 {"want":4200,"have":1500} ib3 {"want":9000,"have":9000}' \
	"$(jq -c -r '.rails[] | "\(.name) \(.mtu | tojson)"' <<<"$RU_OUT" | paste -sd' ')"
ru_ok "$NODE" apply
expect_eq "MTUs after the second apply" "ib0 9000 ib1 1500 ib2 4200 ib3 9000 " "$(mtus "$NODE")"
expect_eq "the ledger keeps the MTU from before railup" "ib0 1500 ib2 1500 ib3 4000 " \
	"$(ledger_mtus "$NODE")"
pass "a changed MTU is reported and set again"

set_conf "${MAP/ib3:10.0.4.14\/24:10.0.4.1/ib3:10.0.4.14/24:10.0.4.1,mtu=}"
ru_ok "$NODE" apply
expect_eq "MTUs after the map let ib3's go" "ib0 9000 ib1 1500 ib2 4200 ib3 4000 " "$(mtus "$NODE")"
expect_eq "ib3's ledger entry is gone" "ib0 1500 ib2 1500 " "$(ledger_mtus "$NODE")"
set_conf "$MAP"
ru_ok "$NODE" apply
expect_eq "MTUs with the map back" "ib0 9000 ib1 1500 ib2 4200 ib3 9000 " "$(mtus "$NODE")"
pass "a released MTU goes back to what it was before railup"

ru_ok "$NODE" down
expect_eq "MTUs after down" "ib0 1500 ib1 1500 ib2 1500 ib3 4000 " "$(mtus "$NODE")"
dump "$NODE" >"$RU_TMP/after.json"
expect_same_file "the whole state after down (expected: before apply)" \
	"$RU_TMP/before.json" "$RU_TMP/after.json"
pass "down restores every MTU"

for i in 0 1 2 3; do
	ip -n "$NODE" link set "ib$i" down
done
set_conf "$MAP
rd.rail.verify=0 rd.rail.modules= rd.rail.timeout=20"
ip -n "$NODE" monitor link >"$RU_TMP/monitor" 2>&1 &
MONITOR=$!
sleep 0.2
ru_ok "$NODE" boot --no-kmsg
kill "$MONITOR"
wait "$MONITOR" 2>/dev/null || true
expect_eq "MTUs after boot" "ib0 9000 ib1 1500 ib2 4200 ib3 9000 " "$(mtus "$NODE")"
expect_eq "boot's ledger" "ib0 1500 ib2 1500 ib3 4000 " "$(ledger_mtus "$NODE")"
# Each event line: "N: ibI@ifJ: <FLAGS> mtu M ...": a rail up with an MTU
# other than the map's would show here.
ups=$(grep -E '^[0-9]+: ib[023]@[^:]*: <([A-Z_]+,)*UP[,>]' "$RU_TMP/monitor" |
	sed -E 's/^[0-9]+: (ib[0-9])@[^ ]* .* mtu ([0-9]+) .*/\1 \2/' | LC_ALL=C sort -u | tr '\n' ' ')
expect_eq "the rails' MTUs in every event that shows them up" "ib0 9000 ib2 4200 ib3 9000 " "$ups"
ru_ok "$NODE" down
pass "boot brings each rail up with its MTU"

"${HOST_CC:-cc}" -O1 -o "$RU_TMP/xdppass" "$(dirname "$0")/xdppass.c" || fail "cannot build xdppass"
peer_index=$(ip -n "$NODE" -j link show ib1 | jq '.[0].link_index')
peer=$(ip -n "$SW" -j link show | jq -r ".[] | select(.ifindex == $peer_index) | .ifname")
in_ns "$SW" "$RU_TMP/xdppass" "$peer" || fail "cannot attach XDP to $peer, ib1's switch port"
max=$(ip -n "$NODE" -d -j link show ib1 | jq '.[0].max_mtu')
[ "$max" -lt 9000 ] || fail "ib1's largest MTU is $max with XDP on its peer: the test is broken"
v6_on "$NODE" ib1
set_conf "rd.rail=ib0:10.0.1.14/24:10.0.1.1,mtu=9000
rd.rail=ib1:10.0.2.14/24:10.0.2.1,mtu=9000
rd.rail=ib1:[fd00:2::14]/64,mtu=9000"
ru "$NODE" apply
expect_rc "apply with ib1 refusing 9000" 1
expect_eq "both of ib1's rails fail with the kernel's words" 2 \
	"$(grep -cxF "railup: ib1: apply: ip link set dev ib1 mtu 9000: Invalid argument: mtu greater than device maximum" <<<"$RU_ERR")"
expect_contains "the summary" "$RU_ERR" "3 rails: 0 verified, 1 configured, 2 failed"
expect_eq "railup's IPv6 rules: none (ib1's IPv6 rail failed)" "" \
	"$(ip -n "$NODE" -6 rule show | grep -E 'proto (114|railup)' || true)"
expect_eq "MTUs: ib0's set, ib1's as it was" "ib0 9000 ib1 1500 ib2 1500 ib3 4000 " "$(mtus "$NODE")"
expect_eq "the ledger: ib0's MTU only" "ib0 1500 " "$(ledger_mtus "$NODE")"
expect_eq "railup's rules: ib0's only (ib1 failed: no traffic steered to it)" \
	"1001 from 10.0.1.14 lookup 101" "$(railup_rules "$NODE")"
ru "$NODE" status
expect_rc "status with ib1 failed" 1
set_conf "rd.rail=ib0:10.0.1.14/24:10.0.1.1,mtu=9000
rd.rail=ib1:10.0.2.14/24:10.0.2.1,mtu=3500
rd.rail=ib1:[fd00:2::14]/64,mtu=3500"
ru_ok "$NODE" apply
expect_eq "railup's IPv6 rule, ib1's" 1 "$(ip -n "$NODE" -6 rule show | grep -cE 'proto (114|railup)')"
expect_eq "MTUs with ib1 asking what it can take" "ib0 9000 ib1 3500 ib2 1500 ib3 4000 " "$(mtus "$NODE")"
expect_eq "railup's rules: both" "1001 from 10.0.1.14 lookup 101
1002 from 10.0.2.14 lookup 102" "$(railup_rules "$NODE")"
ru_ok "$NODE" down
expect_eq "MTUs after down" "ib0 1500 ib1 1500 ib2 1500 ib3 4000 " "$(mtus "$NODE")"
pass "a netdev that refuses the MTU fails its own rails alone"
