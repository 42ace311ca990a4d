#!/bin/bash
# Rails found by hardware identity (mac=, pci=, guid=, ibdev=): the name
# before the first colon is then only the rail's label.
#
# mac= is tested on veths with MACs set here: labels rail0.. find their
# netdevs, swapped MACs move the rails (it is the MAC, not the name), a MAC
# that matches two netdevs fails that rail alone (one that matches nothing
# leaves it absent at apply), two rails on one
# netdev fail the later, and a netdev renamed after apply (what udev does
# between the initramfs and the real root) stays the rail's, as does one
# renamed while boot waits for it (followed by ifindex). At boot, a down
# netdev is left to udev until udev is done with it, and apply leaves it down
# (udev played by the test in a pid and mount namespace of railup's own), as
# does watch, which looks again by itself until udev is done; a
# control socket a killed udevd left behind is no udev to wait for.
# apply does not wait: a rail whose identity matches no netdev (yet) is
# absent there, not failed; status fails it.
# pci= reads sysfs: veths have no PCI device, so a sysfs tree is fabricated
# (--sysfs DIR) that hangs the namespace's veths off PCI functions, as the
# kernel lays out a multi-port NIC, a NUMA node each.
#
# Not here: the 20-byte IPoIB addresses of mac= (and its 8-byte GUID form)
# need an IPoIB netdev; guid= and ibdev= need RDMA netlink ports, which need
# RDMA modules this kernel does not have. The unit tests (test_match.c) cover
# those against hand-built links and ports; tests/vm could with Soft-RoCE
# (ibdev=rxe0, and pci= of a virtio NIC).
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/lib-fault.sh
. "$(dirname "$0")/lib-fault.sh"
UNIXSOCK=$RU_TMP/unixsock
"${HOST_CC:-cc}" -O1 -o "$UNIXSOCK" "$(dirname "$0")/unixsock.c" || fail "cannot build unixsock"

# set_mac NS IF MAC
set_mac() {
	ip -n "$1" link set "$2" address "$3"
}

# mac_node TAG: NODE with ethA, ethB, ethC (MACs ...:0a, 0b, 0c) on one bridge
mac_node() {
	ns_new NODE "$1-node"
	ns_new SW "$1-sw"
	for x in A B C; do
		ns_link "$NODE" "eth$x" "$SW" br0
	done
	set_mac "$NODE" ethA 02:00:00:00:00:0a
	set_mac "$NODE" ethB 02:00:00:00:00:0b
	set_mac "$NODE" ethC 02:00:00:00:00:0c
}

# status_line RAIL FIELD: what follows FIELD on RAIL's "  FIELD ..." line of
# the last status text, spaces squeezed
status_line() {
	awk -v rail="$1" -v field="$2" '
		/^[^ ]/ { cur = $1 }
		cur == rail && $1 == field { $1 = ""; print substr($0, 2); exit }' <<<"$RU_OUT"
}

# where_addrs NS: "IF ADDR/PLEN" for every IPv4 address but lo's, sorted
where_addrs() {
	ip -n "$1" -j -4 addr show | jq -r '.[] | select(.ifname != "lo") |
		.ifname as $i | .addr_info[] | "\($i) \(.local)/\(.prefixlen)"' | LC_ALL=C sort
}

MAP_MAC='rd.rail=rail0:10.0.1.14/24,mac=02:00:00:00:00:0b
rd.rail=rail1:10.0.2.14/24,mac=02:00:00:00:00:0a
rd.rail=rail2:10.0.3.14/24,mac=02:00:00:00:00:0c'

# Labels find their netdevs by MAC; everything is installed on those.
by_mac() {
	mac_node mac
	set_conf "$MAP_MAC"
	ru_ok "$NODE" apply
	expect_lines "addresses by MAC" "ethA 10.0.2.14/24
ethB 10.0.1.14/24
ethC 10.0.3.14/24" "$(where_addrs "$NODE")"
	expect_lines "railup's rules" "1001 from 10.0.1.14 lookup 101
1002 from 10.0.2.14 lookup 102
1003 from 10.0.3.14 lookup 103" "$(railup_rules "$NODE")"
	expect_eq "table 101 (rail0)" "10.0.1.0/24 dev ethB src 10.0.1.14 proto 114 scope link" \
		"$(routes_text "$NODE" 101)"
	expect_eq "table 102 (rail1)" "10.0.2.0/24 dev ethA src 10.0.2.14 proto 114 scope link" \
		"$(routes_text "$NODE" 102)"
	expect_eq "decision from rail0" "dev ethB table 101 via -" \
		"$(route_get "$NODE" 10.0.1.1 10.0.1.14)"
	expect_eq "decision from rail1" "dev ethA table 102 via -" \
		"$(route_get "$NODE" 10.0.2.1 10.0.2.14)"
	expect_eq "ethB arp_ignore (rail0's netdev)" 1 "$(sc "$NODE" ethB arp_ignore)"
	# The ledger names the netdev, not the label.
	# entries are keyed by ifindex (the name is kept for reading)
	expect_contains "ledger" "$(cat "$(rundir "$NODE")/owned")" \
		"addr ethB $(ip -n "$NODE" -j link show ethB | jq .[0].ifindex) 10.0.1.14/24"

	ru_ok "$NODE" status
	expect_eq "status: rail0's netdev" "ethB, ethernet" "$(status_line rail0 netdev)"
	expect_eq "status: rail1's netdev" "ethA, ethernet" "$(status_line rail1 netdev)"
	expect_contains "status: rail0's address line" "$(status_line rail0 address)" "on ethB (up"
	ru_ok "$NODE" status --json
	expect_lines "status --json: label, netdev, link layer, no RDMA/PCI/NUMA on a veth" \
		'rail0 ethB ethernet null "" -1 true
rail1 ethA ethernet null "" -1 true
rail2 ethC ethernet null "" -1 true' \
		"$(jq -r '.rails[] | "\(.name) \(.ifname) \(.link_layer) \(.rdma) \(.pci | tojson) \(.numa) \(.ok)"' <<<"$RU_OUT")"
	ru_ok "$NODE" plan
	expect_eq "plan after apply" "" "$RU_OUT"
	pass "mac= finds each label's netdev"
}

# Swapping two MACs swaps the rails' netdevs: it is the MAC, not the name.
swapped() {
	mac_node swap
	set_conf "$MAP_MAC"
	ru_ok "$NODE" apply
	set_mac "$NODE" ethA 02:00:00:00:00:ff
	set_mac "$NODE" ethB 02:00:00:00:00:0a
	set_mac "$NODE" ethA 02:00:00:00:00:0b
	ru_ok "$NODE" apply
	expect_lines "addresses after the swap" "ethA 10.0.1.14/24
ethB 10.0.2.14/24
ethC 10.0.3.14/24" "$(where_addrs "$NODE")"
	expect_eq "table 101 (rail0) after the swap" \
		"10.0.1.0/24 dev ethA src 10.0.1.14 proto 114 scope link" "$(routes_text "$NODE" 101)"
	expect_eq "decision from rail0 after the swap" "dev ethA table 101 via -" \
		"$(route_get "$NODE" 10.0.1.1 10.0.1.14)"
	ru_ok "$NODE" status
	expect_eq "status: rail0's netdev after the swap" "ethA, ethernet" \
		"$(status_line rail0 netdev)"
	ru_ok "$NODE" plan
	expect_eq "plan after the swap's apply" "" "$RU_OUT"
	ru_ok "$NODE" down
	expect_eq "addresses after down" "" "$(where_addrs "$NODE")"
	pass "swapped MACs swap the rails"
}

# A MAC that matches nothing: apply leaves that rail alone absent (its NIC
# may not be there yet), status fails it; both quote the option.
no_match() {
	mac_node none
	set_conf "$MAP_MAC
rd.rail=rail3:10.0.4.14/24,mac=02:00:00:00:00:99"
	ru "$NODE" apply
	expect_rc "apply with a rail whose MAC matches nothing" 1
	expect_contains "apply's stderr" "$RU_ERR" \
		"rail3: match: mac=02:00:00:00:00:99 matches no interface"
	expect_contains "apply's summary" "$RU_ERR" "4 rails: 0 verified, 3 configured, 0 failed, 1 absent"
	expect_eq "state: rail3's phase, result" "absent failed" \
		"$(run_state "$NODE" RAIL3_PHASE) $(run_state "$NODE" RAILUP_RESULT)"
	expect_lines "the other rails are configured" "ethA 10.0.2.14/24
ethB 10.0.1.14/24
ethC 10.0.3.14/24" "$(where_addrs "$NODE")"
	expect_lines "railup's rules: none for rail3" "1001 from 10.0.1.14 lookup 101
1002 from 10.0.2.14 lookup 102
1003 from 10.0.3.14 lookup 103" "$(railup_rules "$NODE")"
	ru "$NODE" status --json
	expect_rc "status" 1
	expect_eq "status --json: rail3" \
		'false "" "match: mac=02:00:00:00:00:99 matches no interface"' \
		"$(jq -r '.rails[] | select(.name == "rail3") | "\(.ok) \(.ifname | tojson) \(.why | tojson)"' <<<"$RU_OUT")"
	expect_eq "status --json: the others" "true true true" \
		"$(jq -r '[.rails[] | select(.name != "rail3") | .ok] | join(" ")' <<<"$RU_OUT")"
	ru "$NODE" health
	expect_rc "health" 1
	expect_eq "health's line" \
		"railup: rail3: match: mac=02:00:00:00:00:99 matches no interface (3 of 4 rails ok)" \
		"$RU_OUT"
	# The same rail optional: apply succeeds.
	set_conf "$MAP_MAC
rd.rail=rail3:10.0.4.14/24,mac=02:00:00:00:00:99,required=0"
	ru_ok "$NODE" apply
	expect_contains "apply's stderr (optional rail)" "$RU_ERR" "matches no interface"
	expect_eq "state: rail3's phase, result (optional rail)" "absent degraded" \
		"$(run_state "$NODE" RAIL3_PHASE) $(run_state "$NODE" RAILUP_RESULT)"
	pass "a MAC that matches nothing: absent at apply, failed at status, that rail alone"
}

# One MAC on two netdevs: ambiguous, the rail fails and nothing is installed for it.
two_netdevs() {
	mac_node both
	set_mac "$NODE" ethC 02:00:00:00:00:0a
	set_conf "$MAP_MAC"
	ru "$NODE" apply
	expect_rc "apply with a MAC on two netdevs" 1
	expect_contains "apply's stderr" "$RU_ERR" \
		"rail1: match: mac=02:00:00:00:00:0a matches both ethA and ethC"
	# ethC's MAC changed: rail2's matches nothing now. rail0 is not affected.
	expect_contains "apply's stderr" "$RU_ERR" "rail2: match: mac=02:00:00:00:00:0c matches no interface"
	expect_not_contains "apply's stderr" "$RU_ERR" "rail0: match"
	expect_lines "only rail0 is configured" "ethB 10.0.1.14/24" "$(where_addrs "$NODE")"
	expect_eq "railup's rules" "1001 from 10.0.1.14 lookup 101" "$(railup_rules "$NODE")"
	pass "a MAC on two netdevs fails the rail"
}

# Two rails that resolve to one netdev: the later in the map fails.
one_netdev() {
	mac_node shared
	set_conf 'rd.rail=rail0:10.0.1.14/24,mac=02:00:00:00:00:0a
rd.rail=ethA:10.0.2.14/24
rd.rail=rail2:10.0.3.14/24,mac=02:00:00:00:00:0c'
	ru "$NODE" apply
	expect_rc "apply with two rails on ethA" 1
	expect_contains "apply's stderr" "$RU_ERR" "ethA: match: ethA is rail rail0's already"
	expect_lines "addresses" "ethA 10.0.1.14/24
ethC 10.0.3.14/24" "$(where_addrs "$NODE")"
	# The other way round: the rail by name comes first and keeps ethA.
	down_and_map 'rd.rail=ethA:10.0.2.14/24
rd.rail=rail0:10.0.1.14/24,mac=02:00:00:00:00:0a'
	ru "$NODE" apply
	expect_rc "apply with two rails on ethA, the named one first" 1
	expect_contains "apply's stderr" "$RU_ERR" "rail0: match: ethA is rail ethA's already"
	expect_lines "addresses" "ethA 10.0.2.14/24" "$(where_addrs "$NODE")"
	pass "two rails on one netdev: the later fails"
}

# down_and_map MAP: railup down, then the next map
down_and_map() {
	ru_ok "$NODE" down
	set_conf "$1"
}

# A netdev renamed after apply (udev names it anew in the real root) is the
# same rail: status finds it, and down still removes the address and puts
# back the values railup changed on it.
renamed() {
	mac_node rename
	set_conf "$MAP_MAC"
	ru_ok "$NODE" apply
	ip -n "$NODE" link set ethB down
	ip -n "$NODE" link set ethB name enp59s0
	ip -n "$NODE" link set enp59s0 up
	# The kernel flushed table 101's route with the link: apply puts it back.
	ru_ok "$NODE" apply
	ru_ok "$NODE" status
	expect_eq "status: rail0's netdev after the rename" "enp59s0, ethernet" \
		"$(status_line rail0 netdev)"
	ru_ok "$NODE" down
	expect_eq "addresses after down" "" "$(where_addrs "$NODE")"
	expect_eq "enp59s0 arp_ignore after down (0 before apply)" 0 "$(sc "$NODE" enp59s0 arp_ignore)"
	expect_eq "enp59s0 rp_filter after down (0 before apply)" 0 "$(sc "$NODE" enp59s0 rp_filter)"
	pass "a renamed netdev stays the rail's, down included"
}

# ---- udev ----

# down_node TAG MORE: mac_node TAG with ethB down, and the map rail0 (found
# by ethB's MAC) and MORE (rails, options)
down_node() {
	mac_node "$1"
	ip -n "$NODE" link set ethB down
	set_conf "rd.rail=rail0:10.0.1.14/24,mac=02:00:00:00:00:0b
$2"
}
RAIL1_C='rd.rail=rail1:10.0.3.14/24,mac=02:00:00:00:00:0c'

# udev_undone: railup's work on NODE undone, ethB down again as the node booted
udev_undone() {
	ru_ok "$NODE" down
	ip -n "$NODE" link set ethB down
}

# udev_unheld WHAT ADDRS CMD PID_NS [BEFORE]: railup CMD, run by udev_railup,
# exits 0 without a word of udev, leaving ADDRS (where_addrs)
udev_unheld() {
	expect_eq "railup $3, $1" "rc 0" "$(udev_railup "$3" "$NODE" "$4" : "${5:-:}")"
	expect_not_contains "railup's log" "$(cat "$RU_TMP/udev-err")" "udev"
	expect_lines "addresses" "$2" "$(where_addrs "$NODE")"
}

# udev_railup CMD NS PID_NS SCRIPT [BEFORE]: railup CMD (-v) in NS as udev would
# see it: in a mount namespace of its own with a tmpfs on /run that holds
# udev's control socket (listening, or stale when UDEV_CONTROL=stale: as a
# killed udevd leaves it), /run/udev/data, and, when PID_NS is "pid", in
# a pid namespace of its own too, so that pid 1 shares its network namespace
# (the initramfs's view; without it, pid 1 is the host's init in another
# namespace, which udev does not serve). BEFORE runs before railup starts,
# SCRIPT beside it, both playing udev, with until_addr DEV (waits for an
# IPv4 address on DEV), is_up DEV and ifindex DEV at hand. Output: theirs,
# then "rc N", railup's exit status; railup's stderr is left in
# $RU_TMP/udev-err.
udev_railup() {
	local cmd=$1 ns=$2 pidns=() script=$4 before=${5:-:}
	[ "$3" != pid ] || pidns=(--pid --fork --mount-proc)
	# shellcheck disable=SC2016 # expanded by the inner bash
	in_ns "$ns" unshare --mount --propagation private "${pidns[@]}" bash -ec '
		until_addr() { for _ in $(seq 100); do
			[ -z "$(ip -4 -o addr show dev "$1")" ] || return 0; sleep 0.1; done; return 1; }
		is_up() { ip -j link show "$1" | jq "any(.[0].flags[]; . == \"UP\")"; }
		ifindex() { ip -j link show "$1" | jq .[0].ifindex; }
		mount -t tmpfs run /run
		mkdir -p /run/udev/data
		udevd=
		if [ "$9" = stale ]; then "${10}" /run/udev/control stale
		else udevd=$("${10}" /run/udev/control listen); fi
		# Gone with this shell, however it ends (outside a pid namespace too).
		trap "[ -z \"$udevd\" ] || kill $udevd" EXIT
		eval "$7"
		"$1" -v --no-kmsg --cmdline "$2" --conf "$3" --run-dir "$4" "$8" 2>"$5" &
		ru=$!
		eval "$6"
		rc=0
		wait "$ru" || rc=$?
		echo "rc $rc"
	' udev-boot "$RAILUP" "$RU_CMDLINE" "$RU_CONF" "$(rundir "$ns")" "$RU_TMP/udev-err" \
		"$script" "$before" "$cmd" "${UDEV_CONTROL:-listen}" "$UNIXSOCK"
}

# udev_renamed OUT LOG: udev played as udev_rename and udev_queue do (ethC
# configured while ethB was still down, ethB renamed enp59s0, railup exit 0),
# railup's log has LOG, and rail0 ended up on enp59s0, rail1 on ethC.
udev_renamed() {
	cat "$RU_TMP/udev-err"
	expect_lines "udev played beside railup boot" "ethC configured
ethB false
renamed
rc 0" "$1"
	expect_contains "railup's log" "$(cat "$RU_TMP/udev-err")" "$2"
	expect_lines "addresses" "enp59s0 10.0.1.14/24
ethC 10.0.3.14/24" "$(where_addrs "$NODE")"
	ru_ok "$NODE" status
	expect_eq "status: rail0's netdev" "enp59s0, ethernet" "$(status_line rail0 netdev)"
}

# At boot udev renames a new netdev after the kernel announces it, and the
# kernel refuses to rename one that is up: railup leaves a down netdev alone
# until udev's database has its entry, then finds it again by MAC under its
# new name. One that is up already (no rename can happen) is not waited for.
udev_rename() {
	down_node udev "$RAIL1_C
rd.rail.verify=0 rd.rail.timeout=20"
	local out
	# Once rail1 (ethC, up) is configured railup has looked at rail0 too.
	# shellcheck disable=SC2016 # run by udev_railup's bash
	out=$(udev_railup boot "$NODE" pid '
		until_addr ethC && echo "ethC configured"
		echo "ethB $(is_up ethB)"
		ip link set ethB name enp59s0 && echo renamed
		echo I:1 >/run/udev/data/n"$(ifindex enp59s0)"
	')
	udev_renamed "$out" "rail0: udev has not finished with ethB"
	expect_eq "decision from rail0" "dev enp59s0 table 101 via -" \
		"$(route_get "$NODE" 10.0.1.1 10.0.1.14)"
	pass "railup boot waits for udev's rename of a down netdev"
}

# Before systemd 255 udev writes a netdev's entry after its first event even
# when a later one (the coldplug, once ifname='s rules are in place) renames
# it: a down netdev is held while udev's queue is not empty, and a rail found
# by identity is followed through the rename. An event stuck elsewhere holds
# it only until half the rail timeout.
udev_queue() {
	down_node udevq "$RAIL1_C
rd.rail.verify=0 rd.rail.timeout=20"
	# shellcheck disable=SC2016 # run by udev_railup's bash
	local entries='echo I:1 >/run/udev/data/n"$(ifindex ethB)"; : >/run/udev/queue' out
	# shellcheck disable=SC2016 # run by udev_railup's bash
	out=$(udev_railup boot "$NODE" pid '
		until_addr ethC && echo "ethC configured"
		sleep 0.3
		echo "ethB $(is_up ethB)"
		ip link set ethB name enp59s0 && echo renamed
		rm /run/udev/queue
	' "$entries")
	udev_renamed "$out" "rail0: udev's queue is not empty: ethB (ifindex"

	ru_ok "$NODE" down
	ip -n "$NODE" link set enp59s0 down
	set_conf 'rd.rail=rail0:10.0.1.14/24,mac=02:00:00:00:00:0b
rd.rail.verify=0 rd.rail.timeout=2'
	# shellcheck disable=SC2016 # run by udev_railup's bash
	entries='echo I:1 >/run/udev/data/n"$(ifindex enp59s0)"; : >/run/udev/queue'
	# shellcheck disable=SC2016 # run by udev_railup's bash
	out=$(udev_railup boot "$NODE" pid 'until_addr enp59s0; echo "queue $(ls /run/udev/queue)"' "$entries")
	expect_lines "railup boot, udev's queue never empty" "queue /run/udev/queue
rc 0" "$out"
	expect_contains "railup's log" "$(cat "$RU_TMP/udev-err")" \
		"udev's queue is still not empty: no longer waiting for it"
	expect_lines "addresses" "enp59s0 10.0.1.14/24" "$(where_addrs "$NODE")"
	pass "udev's queue holds a down netdev, for half the timeout at most; a rail follows its rename"
}

# While railup boot waits, a rail found by identity is followed by ifindex:
# its netdev, brought up by railup and still without carrier, is taken down,
# renamed and brought up again (as a rename outside udev's namespace goes),
# and the rail is configured under the new name.
follow_rename() {
	down_node follow 'rd.rail.verify=0 rd.rail.timeout=5'
	carrier "$NODE" ethB "$SW" down
	ru_bg "$NODE" boot --no-kmsg
	up_within "$NODE" ethB
	ip -n "$NODE" link set ethB down
	ip -n "$NODE" link set ethB name enp59s0
	ip -n "$NODE" link set enp59s0 up
	carrier "$NODE" enp59s0 "$SW" up
	ru_join
	expect_rc "railup boot" 0
	expect_contains "railup's log" "$RU_ERR" "rail0: ethB is now enp59s0"
	expect_lines "addresses" "enp59s0 10.0.1.14/24" "$(where_addrs "$NODE")"
	pass "a rail is followed through its netdev's rename while it waits"
}

# apply does not wait (railup-early.service may run while udev's coldplug
# does): a down netdev udev may yet rename is left down for railup boot,
# and the rest of the map is applied; once udev is done, apply configures it.
udev_apply() {
	down_node udevap "$RAIL1_C
rd.rail.verify=0"
	# shellcheck disable=SC2016 # run by udev_railup's bash
	local entry='echo I:1 >/run/udev/data/n"$(ifindex ethB)"' out
	expect_eq "railup apply, no entry for ethB" "rc 1" "$(udev_railup apply "$NODE" pid :)"
	expect_contains "railup's log" "$(cat "$RU_TMP/udev-err")" \
		"rail0: plan: udev has not finished with ethB (ifindex"
	# Left for boot, which is no failure.
	expect_contains "railup's summary" "$(cat "$RU_TMP/udev-err")" \
		"2 rails: 0 verified, 1 configured, 0 failed, 1 absent"
	expect_lines "state: rail0 absent, rail1 configured" "RAIL0_PHASE='absent'
RAIL1_PHASE='configured'" "$(grep '_PHASE=' "$(rundir "$NODE")/state")"
	expect_lines "addresses" "ethC 10.0.3.14/24" "$(where_addrs "$NODE")"
	expect_eq "ethB left down" no "$(link_up "$NODE" ethB)"

	out=$(udev_railup apply "$NODE" pid : "$entry; : >/run/udev/queue")
	expect_eq "railup apply, an entry, udev's queue not empty" "rc 1" "$out"
	expect_contains "railup's log" "$(cat "$RU_TMP/udev-err")" \
		"rail0: plan: udev's queue is not empty: ethB (ifindex"
	expect_lines "addresses" "ethC 10.0.3.14/24" "$(where_addrs "$NODE")"

	udev_unheld "udev done" "ethB 10.0.1.14/24
ethC 10.0.3.14/24" apply pid "$entry"
	pass "apply leaves a down netdev udev may rename to boot"
}

# railup watch, a NIC re-probed after boot: its new netdev is left down
# while udev has no entry for it, and configured once udev writes one, which
# is no event watch could hear: watch looks again by itself.
udev_watch() {
	down_node udevw ''
	local out
	# shellcheck disable=SC2016 # run by udev_railup's bash
	out=$(udev_railup watch "$NODE" pid '
		for _ in $(seq 100); do grep -q "keeping the map" "$5" && break; sleep 0.1; done
		sleep 0.5
		echo "ethB $(is_up ethB)"
		echo I:1 >/run/udev/data/n"$(ifindex ethB)"
		until_addr ethB && echo "ethB configured"
		kill "$ru"
	')
	cat "$RU_TMP/udev-err"
	expect_lines "udev played beside railup watch" "ethB false
ethB configured
rc 0" "$out"
	expect_contains "railup's log" "$(cat "$RU_TMP/udev-err")" "watch: ip address add 10.0.1.14/24 dev ethB"
	expect_lines "addresses" "ethB 10.0.1.14/24" "$(where_addrs "$NODE")"
	pass "watch leaves a re-probed netdev to udev, and configures it once udev is done"
}

# A udevd killed without cleaning up leaves /run/udev/control behind, and
# nothing listens there: no rename will come, so neither boot nor apply
# waits for one (before, boot failed the rail at the deadline). With a
# listener, the same down netdev without an entry is left absent by apply.
udev_stale() {
	down_node udevst 'rd.rail.verify=0 rd.rail.timeout=2'
	UDEV_CONTROL=stale udev_unheld "udev's control socket stale" "ethB 10.0.1.14/24" boot pid
	udev_undone
	UDEV_CONTROL=stale udev_unheld "udev's control socket stale" "ethB 10.0.1.14/24" apply pid
	udev_undone
	expect_eq "railup apply, udev listening" "rc 1" "$(udev_railup apply "$NODE" pid :)"
	expect_contains "railup's log" "$(cat "$RU_TMP/udev-err")" \
		"rail0: plan: udev has not finished with ethB (ifindex"
	pass "a stale udev control socket: no udev to wait for"
}

# udev serves only the initial network namespace: railup in another one
# (pid 1 elsewhere) does not wait for entries that will never come; and an
# entry that never comes fails the rail at the deadline, saying why.
udev_elsewhere() {
	down_node udevns 'rd.rail.verify=0 rd.rail.timeout=2'
	udev_unheld "pid 1 in another namespace" "ethB 10.0.1.14/24" boot host
	udev_undone
	expect_eq "railup boot, udev never done with ethB" "rc 1" \
		"$(udev_railup boot "$NODE" pid :)"
	expect_contains "railup's error" "$(cat "$RU_TMP/udev-err")" \
		"rail0: wait: not ready after 2000 ms: udev has not finished with ethB (ifindex"
	expect_eq "ethB left down" no "$(link_up "$NODE" ethB)"
	expect_eq "addresses" "" "$(where_addrs "$NODE")"
	pass "no wait outside udev's namespace; a netdev udev never finishes fails its rail"
}

# ---- sysfs ----

# fake_sysfs DIR NS: hangs NS's ethA and ethB off ports 1 and 2 of PCI
# function 0000:3b:00.0 (NUMA 0, with RDMA device mlx5_0), and ethC off
# 0000:86:00.1 (NUMA 1), the way the kernel lays out /sys.
fake_sysfs() {
	local dir=$1 fn dev port
	mkdir -p "$dir/class/net" "$dir/class/infiniband"
	for spec in ethA:0000:3b:00.0:0 ethB:0000:3b:00.0:1 ethC:0000:86:00.1:0; do
		dev=${spec%%:*} fn=${spec#*:} port=${fn##*:} fn=${fn%:*}
		mkdir -p "$dir/devices/pci0000:00/$fn/net/$dev"
		ln -s "../../../$fn" "$dir/devices/pci0000:00/$fn/net/$dev/device"
		echo "$port" >"$dir/devices/pci0000:00/$fn/net/$dev/dev_port"
		ln -s "../../devices/pci0000:00/$fn/net/$dev" "$dir/class/net/$dev"
	done
	echo 0 >"$dir/devices/pci0000:00/0000:3b:00.0/numa_node"
	echo 1 >"$dir/devices/pci0000:00/0000:86:00.1/numa_node"
	mkdir -p "$dir/devices/pci0000:00/0000:3b:00.0/infiniband/mlx5_0"
	ln -s ../../../0000:3b:00.0 "$dir/devices/pci0000:00/0000:3b:00.0/infiniband/mlx5_0/device"
	ln -s ../../devices/pci0000:00/0000:3b:00.0/infiniband/mlx5_0 "$dir/class/infiniband/mlx5_0"
}

by_pci() {
	local sys=$RU_TMP/sys-pci
	mac_node pci
	fake_sysfs "$sys"
	set_conf 'rd.rail=rail0:10.0.1.14/24,pci=0000:3b:00.0/2
rd.rail=rail1:10.0.2.14/24,pci=86:00.1
rd.rail=rail2:10.0.3.14/24,pci=0000:3b:00.0/1'
	ru_ok "$NODE" --sysfs "$sys" apply
	expect_lines "addresses by PCI function and port" "ethA 10.0.3.14/24
ethB 10.0.1.14/24
ethC 10.0.2.14/24" "$(where_addrs "$NODE")"
	expect_eq "decision from rail0" "dev ethB table 101 via -" \
		"$(route_get "$NODE" 10.0.1.1 10.0.1.14)"
	ru_ok "$NODE" --sysfs "$sys" status
	expect_eq "status: rail0's hardware" "ethB, ethernet, PCI 0000:3b:00.0, NUMA 0" \
		"$(status_line rail0 netdev)"
	expect_eq "status: rail1's hardware" "ethC, ethernet, PCI 0000:86:00.1, NUMA 1" \
		"$(status_line rail1 netdev)"
	ru_ok "$NODE" --sysfs "$sys" status --json
	expect_lines "status --json: netdev, PCI, NUMA" "rail0 ethB 0000:3b:00.0 0 ethernet
rail1 ethC 0000:86:00.1 1 ethernet
rail2 ethA 0000:3b:00.0 0 ethernet" \
		"$(jq -r '.rails[] | "\(.name) \(.ifname) \(.pci) \(.numa) \(.link_layer)"' <<<"$RU_OUT")"
	ru_ok "$NODE" --sysfs "$sys" plan
	expect_eq "plan after apply" "" "$RU_OUT"

	# Without the port, the dual-port function is ambiguous.
	set_conf 'rd.rail=rail0:10.0.1.14/24,pci=0000:3b:00.0'
	ru "$NODE" --sysfs "$sys" plan
	expect_rc "plan with pci= of a dual-port function" 1
	expect_contains "plan's stderr" "$RU_ERR" "pci=0000:3b:00.0 matches both ethA and ethB"
	# The namespace's own /sys: veths hang off no PCI function.
	set_conf 'rd.rail=rail1:10.0.2.14/24,pci=0000:86:00.1'
	ru "$NODE" plan
	expect_rc "plan with pci= against the real sysfs" 1
	expect_contains "plan's stderr" "$RU_ERR" "pci=0000:86:00.1 matches no interface"
	pass "pci= finds the fabricated functions' netdevs; status shows PCI and NUMA"
}

# guid= and ibdev= need RDMA netlink ports: without RDMA modules (this kernel
# has none), a fabricated class/infiniband is not enough, and the rails fail
# cleanly, quoting their option.
no_rdma() {
	local sys=$RU_TMP/sys-rdma
	mac_node rdma
	fake_sysfs "$sys"
	set_conf 'rd.rail=rail0:10.0.1.14/24,ibdev=mlx5_0/1
rd.rail=rail1:10.0.2.14/24,guid=0002:c903:00a1:b2c3
rd.rail=rail2:10.0.3.14/24,mac=02:00:00:00:00:0c'
	ru "$NODE" --sysfs "$sys" apply
	expect_rc "apply with ibdev= and guid= and no RDMA" 1
	expect_contains "stderr: ibdev=" "$RU_ERR" "rail0: match: ibdev=mlx5_0/1 matches no interface"
	expect_contains "stderr: guid=" "$RU_ERR" \
		"rail1: match: guid=0002c90300a1b2c3 matches no interface"
	expect_lines "only rail2 is configured" "ethC 10.0.3.14/24" "$(where_addrs "$NODE")"
	pass "ibdev= and guid= without RDMA fail their rails alone"
}

part "mac= finds each label's netdev" by_mac
part "swapped MACs" swapped
part "a MAC that matches nothing" no_match
part "a MAC on two netdevs" two_netdevs
part "two rails on one netdev" one_netdev
part "a netdev renamed after apply" renamed
part "udev renames a netdev at boot" udev_rename
part "udev's queue not empty" udev_queue
part "udev elsewhere, or never done" udev_elsewhere
part "apply while udev is not done" udev_apply
part "watch while udev is not done" udev_watch
part "a stale udev control socket" udev_stale
part "a rename while boot waits" follow_rename
part "pci= against a fabricated sysfs" by_pci
part "guid= and ibdev= without RDMA" no_rdma
parts_end
