#!/bin/bash
# The seeds' three layouts, applied by railup in a namespace and read back
# with ip -j: tables, rules, sysctls and the kernel's routing decisions.
#   (a) four rails in four /24s, a gateway each (the second seed's textbook)
#   (b) several NICs in ONE subnet, no gateway (the first seed, IPoIB)
#   (c) two NICs per /24 sharing a gateway, rd.rail.fabric=10.0.0.0/16
#       (the second seed's "fewer subnets, more NICs" twist)
# And: the same map given by --conf and by --cmdline gives the same state.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

layout_a() {
	# The rails start down: railup has to bring them up.
	build_four_rails a down
	NODE_A=$NODE
	set_conf "$MAP_A"
	ru_ok "$NODE_A" apply

	for i in 0 1 2 3; do
		n=$((i + 1)) t=$((101 + i))
		expect_lines "(a) table $t" \
			"10.0.$n.0/24 dev ib$i src 10.0.$n.14 proto 114 scope link
default via 10.0.$n.1 dev ib$i src 10.0.$n.14 proto 114" \
			"$(routes_text "$NODE_A" $t)"
		expect_eq "(a) ib$i is up" yes "$(link_up "$NODE_A" ib$i)"
		expect_eq "(a) ib$i's addresses" "10.0.$n.14/24" "$(addrs "$NODE_A" ib$i)"
		expect_eq "(a) ip route get 10.0.99.99 from 10.0.$n.14" \
			"dev ib$i table $t via 10.0.$n.1" "$(route_get "$NODE_A" 10.0.99.99 10.0.$n.14)"
		expect_eq "(a) ip route get 192.0.2.7 from 10.0.$n.14" \
			"dev ib$i table $t via 10.0.$n.1" "$(route_get "$NODE_A" 192.0.2.7 10.0.$n.14)"
		# A neighbour on the rail's own subnet: directly, by the rail's table.
		expect_eq "(a) ip route get 10.0.$n.77 from 10.0.$n.14" \
			"dev ib$i table $t via -" "$(route_get "$NODE_A" 10.0.$n.77 10.0.$n.14)"
		for k in "arp_ignore 1" "arp_announce 2" "rp_filter 2"; do
			set -- $k
			expect_eq "(a) net.ipv4.conf.ib$i.$1" "$2" "$(sc "$NODE_A" ib$i "$1")"
		done
	done
	expect_lines "(a) railup's rules" \
		"1001 from 10.0.1.14 lookup 101
1002 from 10.0.2.14 lookup 102
1003 from 10.0.3.14 lookup 103
1004 from 10.0.4.14 lookup 104" "$(railup_rules "$NODE_A")"
	# Every rule, in order: railup's sit between local (0) and main (32766).
	expect_lines "(a) ip rule" \
		"0 from all lookup local
1001 from 10.0.1.14 lookup 101 proto 114
1002 from 10.0.2.14 lookup 102 proto 114
1003 from 10.0.3.14 lookup 103 proto 114
1004 from 10.0.4.14 lookup 104 proto 114
32766 from all lookup main
32767 from all lookup default" "$(rules_text "$NODE_A")"
	expect_eq "(a) net.ipv4.conf.all.rp_filter" 2 "$(sc "$NODE_A" all rp_filter)"
	expect_eq "(a) net.ipv4.conf.all.accept_local" 1 "$(sc "$NODE_A" all accept_local)"
	# Without a rule (an address of no rail) the main table decides: no default there.
	expect_contains "(a) ip route get 10.0.99.99 (no source): main has no way" \
		"$(route_get "$NODE_A" 10.0.99.99)" "error:"
	ru_ok "$NODE_A" status
	pass "(a) four rails, four subnets, a gateway each"

	# The same map on the kernel command line, in an identical fresh node.
	build_four_rails a2 down
	NODE_A2=$NODE
	set_conf ""
	set_cmdline "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet $(tr '\n' ' ' <<<"$MAP_A")console=ttyS0"
	ru_ok "$NODE_A2" apply
	dump "$NODE_A" >"$RU_TMP/a.conf.json"
	dump "$NODE_A2" >"$RU_TMP/a.cmdline.json"
	expect_same_file "(a) by --conf vs by --cmdline: the node's state" \
		"$RU_TMP/a.conf.json" "$RU_TMP/a.cmdline.json"
	expect_same_file "(a) by --conf vs by --cmdline: the ledger" \
		"$(rundir "$NODE_A")/owned" "$(rundir "$NODE_A2")/owned"
	set_cmdline quiet
	pass "(a) the same map by --cmdline gives the same state as by --conf"
}

layout_b() {
	ns_new NODE_B b-node
	ns_new SW_B b-sw
	for i in 0 1 2; do
		ns_link "$NODE_B" "ib$i" "$SW_B" br0
	done
	peer_new PEER_B b-peer "$SW_B" br0 10.1.0.100/24
	set_conf 'rd.rail=ib0:10.1.0.11/24
rd.rail=ib1:10.1.0.12/24
rd.rail=ib2:10.1.0.13/24'
	ru_ok "$NODE_B" apply
	for i in 0 1 2; do
		a=10.1.0.1$((i + 1)) t=$((101 + i))
		# The subnet's route with the rail's source, and nothing else: no gateway, no default.
		expect_lines "(b) table $t" "10.1.0.0/24 dev ib$i src $a proto 114 scope link" \
			"$(routes_text "$NODE_B" $t)"
		expect_eq "(b) ip route get 10.1.0.100 from $a" "dev ib$i table $t via -" \
			"$(route_get "$NODE_B" 10.1.0.100 $a)"
		expect_eq "(b) ib$i's addresses" "$a/24" "$(addrs "$NODE_B" ib$i)"
	done
	# The failure the rules cure: main alone sends the whole subnet by one NIC.
	expect_eq "(b) main alone (no source) picks one NIC for the whole subnet" \
		"dev ib0 table main via -" "$(route_get "$NODE_B" 10.1.0.100)"
	expect_lines "(b) railup's rules" \
		"1001 from 10.1.0.11 lookup 101
1002 from 10.1.0.12 lookup 102
1003 from 10.1.0.13 lookup 103" "$(railup_rules "$NODE_B")"
	ru_ok "$NODE_B" status
	pass "(b) three NICs in one subnet, no gateway"
}

layout_c() {
	ns_new NODE_C c-node
	ns_new SW_C c-sw
	ns_new GW_C c-gw
	ns_link "$NODE_C" ib0 "$SW_C" br1
	ns_link "$NODE_C" ib1 "$SW_C" br1
	ns_link "$NODE_C" ib2 "$SW_C" br2
	ns_link "$NODE_C" ib3 "$SW_C" br2
	host_if "$GW_C" eth0 "$SW_C" br1 10.0.1.1/24
	host_if "$GW_C" eth1 "$SW_C" br2 10.0.2.1/24
	set_conf '# the second seed: two NICs per /24, the gateway shared
rd.rail.fabric=10.0.0.0/16
rd.rail=ib0:10.0.1.14/24:10.0.1.1
rd.rail=ib1:10.0.1.16/24:10.0.1.1
rd.rail=ib2:10.0.2.14/24:10.0.2.1
rd.rail=ib3:10.0.2.16/24:10.0.2.1'
	ru_ok "$NODE_C" apply
	i=0
	for spec in 10.0.1.14:10.0.1.1 10.0.1.16:10.0.1.1 10.0.2.14:10.0.2.1 10.0.2.16:10.0.2.1; do
		a=${spec%:*} g=${spec#*:} t=$((101 + i)) net=${spec%.*:*}.0/24
		expect_lines "(c) table $t: the fabric via the shared gateway, no default" \
			"10.0.0.0/16 via $g dev ib$i src $a proto 114
$net dev ib$i src $a proto 114 scope link" "$(routes_text "$NODE_C" $t)"
		expect_eq "(c) ip route get 10.0.99.99 from $a" "dev ib$i table $t via $g" \
			"$(route_get "$NODE_C" 10.0.99.99 $a)"
		# Outside the fabric the rail's table has no answer: main decides (no route there).
		expect_contains "(c) ip route get 192.0.2.7 from $a leaves the rail's table alone" \
			"$(route_get "$NODE_C" 192.0.2.7 $a)" "error:"
		i=$((i + 1))
	done
	expect_lines "(c) railup's rules (the seed's)" \
		"1001 from 10.0.1.14 lookup 101
1002 from 10.0.1.16 lookup 102
1003 from 10.0.2.14 lookup 103
1004 from 10.0.2.16 lookup 104" "$(railup_rules "$NODE_C")"
	ru_ok "$NODE_C" status
	pass "(c) two NICs per /24, shared gateway, fabric 10.0.0.0/16"
}

part "(a) four rails, four subnets, a gateway each; by --conf and by --cmdline" layout_a
part "(b) several NICs in one subnet, no gateway" layout_b
part "(c) two NICs per /24 sharing a gateway, rd.rail.fabric" layout_c
parts_end
