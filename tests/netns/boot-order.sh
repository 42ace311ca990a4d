#!/bin/bash
# boot writes a rail's interface values before it brings the rail's link up,
# as apply does: a link that is up never answers ARP for another rail's
# address, nor takes a router advertisement, with the kernel's defaults.
# The rails' links start down (the kernel's defaults: every value 0,
# accept_ra 1), ib3's and ib4's switch ports down (no carrier: boot brings
# them up and waits). Oracle: /proc/sys, read once the link is seen up
# (without carrier: boot has not configured the rail yet).
#   1. four IPv4 rails and an IPv6 one (ib4): once boot has brought ib3 up,
#      ib3 already holds rp_filter 2, arp_ignore 1, arp_announce 2, and ib4
#      accept_ra 0, keep_addr_on_down 1, the ledger their values from before;
#      then ib3 is deleted and made anew (down, a driver's re-probe): once boot
#      has brought the new one up, it holds the values too. With carrier,
#      boot verifies all five rails; the ledger holds every entry once,
#      nothing railup owns escapes status; down puts every value back.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/lib-fault.sh
. "$(dirname "$0")/lib-fault.sh"

MAP_BOOT="$MAP_A
rd.rail=ib4:[fd00:5::14]/64:[fd00:5::1]
rd.rail.verify=0 rd.rail.modules= rd.rail.timeout=10"

# values4 / values6: what railup manages of ib3 (IPv4) and ib4 (IPv6)
values4() {
	echo "rp_filter $(sc "$NODE" "$1" rp_filter) arp_ignore $(sc "$NODE" "$1" arp_ignore)" \
		"arp_announce $(sc "$NODE" "$1" arp_announce)"
}
values6() {
	echo "accept_ra $(v6 "$NODE" "$1" accept_ra) keep_addr_on_down $(v6 "$NODE" "$1" keep_addr_on_down)"
}

values_before_up() {
	local before4 before6
	build_four_rails bo down
	carrier "$NODE" ib3 "$SW" down
	ns_link "$NODE" ib4 "$SW" br5 unplugged
	v6_on "$NODE" ib4
	before4=$(values4 ib3) before6=$(values6 ib4)
	expect_eq "ib3 before boot (the kernel's defaults)" \
		"rp_filter 0 arp_ignore 0 arp_announce 0" "$before4"
	expect_eq "ib4 before boot (the kernel's defaults)" "accept_ra 1 keep_addr_on_down 0" "$before6"
	set_conf "$MAP_BOOT"
	ru_bg "$NODE" boot --no-kmsg
	up_within "$NODE" ib3
	soft_check "ib3's values once up" "rp_filter 2 arp_ignore 1 arp_announce 2" "$(values4 ib3)"
	up_within "$NODE" ib4
	soft_check "ib4's values once up" "accept_ra 0 keep_addr_on_down 1" "$(values6 ib4)"
	soft_same "the ledger: ib3's and ib4's values from before" "ib3 arp_announce 0
ib3 arp_ignore 0
ib3 rp_filter 0
ib4 accept_ra 1
ib4 keep_addr_on_down 0" "$(ledger "$NODE" |
		awk '$1 == "sysctl" && ($2 == "ib3" || $2 == "ib4") { print $2, $4, $5 }' | LC_ALL=C sort)"

	# A re-probe: ib3 made anew, down, while boot still waits.
	ip -n "$NODE" link del ib3
	ns_link "$NODE" ib3 "$SW" br4 unplugged
	up_within "$NODE" ib3
	soft_check "the new ib3's values once up" "rp_filter 2 arp_ignore 1 arp_announce 2" \
		"$(values4 ib3)"
	carrier "$NODE" ib3 "$SW" up
	carrier "$NODE" ib4 "$SW" up
	ru_join
	expect_rc "boot, ib3 and ib4 given carrier" 0
	expect_contains "boot's summary" "$RU_ERR" "5 rails: 5 verified"
	configured4 "after boot"
	ledger_no_dups "$NODE" "after boot"
	owned_reported "$NODE" "after boot"
	expect_eq "status after boot" 0 "$RU_STATUS_RC"
	ru_ok "$NODE" down
	expect_eq "ib3's values after down" "$before4" "$(values4 ib3)"
	expect_eq "ib4's values after down" "$before6" "$(values6 ib4)"
	soft_end
	pass "boot: a rail's values are in place before its link is up, a re-made link's too"
}

values_before_up
