#!/bin/bash
# One command line for the whole fleet: a rail address written base+/plen
# gets the node's host index, from rd.rail.host= (a number, the hostname's
# trailing number, an interface's IPv4 address, or the PXE boot NIC named by
# BOOTIF=). The same command line is served to several "nodes" (namespaces
# on one fabric, each railup run under its own UTS namespace and hostname):
# every node must get its own, correct addresses. An index that does not fit
# the prefix is bad input (exit 2, one line quoting the token, nothing
# changed); a node whose index cannot be found fails its templated rails.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/lib-fault.sh
. "$(dirname "$0")/lib-fault.sh"

# railup under a hostname of its own: RU_HOSTNAME, in a new UTS namespace.
HOSTED=$RU_TMP/railup-hosted
cat >"$HOSTED" <<EOF
#!/bin/sh
exec unshare -u sh -c 'hostname "\$RU_HOSTNAME" && exec "\$0" "\$@"' "$RAILUP" "\$@"
EOF
chmod +x "$HOSTED"

# ru_as HOSTNAME NS ARGS...: ru, with railup seeing HOSTNAME as the hostname
ru_as() {
	local host=$1
	shift
	RU_HOSTNAME=$host RAILUP=$HOSTED ru "$@"
}

ru_as_ok() {
	ru_as "$@"
	expect_rc "railup ${*:3} as $1" 0
}

# v6_on NS IF: IPv6 on IF (namespaces start with it off), without DAD
v6_on() {
	in_ns "$1" sh -ec "echo 0 >/proc/sys/net/ipv6/conf/$2/accept_dad
		echo 0 >/proc/sys/net/ipv6/conf/$2/disable_ipv6"
}

# fleet_node VAR NAME: a node namespace with ib0 on the fabric's br0, ib1
# (IPv6 on) on br1, ib2 on br2; its name in VAR
fleet_node() {
	ns_new "$1" "$2"
	ns_link "${!1}" ib0 "$SW" br0
	ns_link "${!1}" ib1 "$SW" br1
	ns_link "${!1}" ib2 "$SW" br2
	v6_on "${!1}" ib1
}

# rail_addrs NS: "IF ADDR/PLEN" of ib0..ib2, link-local addresses left out
rail_addrs() {
	ip -n "$1" -j addr show | jq -r '.[] | select(.ifname | startswith("ib")) |
		.ifname as $i | .addr_info[] | select(.scope == "global") |
		"\($i) \(.local)/\(.prefixlen)"' | LC_ALL=C sort
}

FLEET_MAP='quiet rd.rail.host=hostname rd.rail=ib0:10.0.1.100+/24:10.0.1.1 rd.rail=ib1:[fd00:2::]+/64 rd.rail=ib2:10.0.3.7/24'

# The same command line on four nodes: each its own addresses, rules, routes.
by_hostname() {
	local host node idx hex all=""
	ns_new SW fab
	set_cmdline "$FLEET_MAP"
	for host in node001 node017 node154 node042.cluster7; do
		idx=${host#node}
		idx=$((10#${idx%%.*}))
		printf -v hex %x "$idx"
		fleet_node node "${host%%.*}"
		ru_as_ok "$host" "$node" apply
		expect_lines "$host: addresses" "ib0 10.0.1.$((100 + idx))/24
ib1 fd00:2::$hex/64
ib2 10.0.3.7/24" "$(rail_addrs "$node")"
		expect_eq "$host: ib0's rule" "1001 from 10.0.1.$((100 + idx)) lookup 101" \
			"$(railup_rules "$node" | grep ' lookup 101$')"
		expect_eq "$host: IPv6 rule" "1002 from fd00:2::$hex lookup 102" \
			"$(ip -n "$node" -6 -j rule show | jq -r "$JQ_DEFS"'.[] | select(proto == "114") |
				"\(.priority) from \(.src) lookup \(.table)"')"
		expect_lines "$host: table 101" "10.0.1.0/24 dev ib0 src 10.0.1.$((100 + idx)) proto 114 scope link
default via 10.0.1.1 dev ib0 src 10.0.1.$((100 + idx)) proto 114" "$(routes_text "$node" 101)"
		expect_eq "$host: decision from ib0" "dev ib0 table 101 via 10.0.1.1" \
			"$(route_get "$node" 10.0.99.99 "10.0.1.$((100 + idx))")"
		# status resolves the same addresses under the same hostname.
		ru_as_ok "$host" "$node" status
		ru_as_ok "$host" "$node" plan
		expect_eq "$host: plan after apply" "" "$RU_OUT"
		all+="$(rail_addrs "$node")"$'\n'
	done
	# Across the fleet: no address twice, but the untemplated ib2's.
	expect_eq "addresses given twice in the fleet (ib2's excepted)" "" \
		"$(grep -v ' 10.0.3.7/24$' <<<"$all" | awk 'NF { print $2 }' | sort | uniq -d)"
	pass "one command line, four nodes, four sets of addresses"
}

# rd.rail.host=17: a number, whatever the hostname.
by_number() {
	ns_new SW num
	fleet_node NODE num-node
	set_cmdline "${FLEET_MAP/rd.rail.host=hostname/rd.rail.host=17}"
	ru_as_ok login "$NODE" apply
	expect_lines "addresses" "ib0 10.0.1.117/24
ib1 fd00:2::11/64
ib2 10.0.3.7/24" "$(rail_addrs "$NODE")"
	pass "rd.rail.host=17"
}

# mgmt_if NS IF ADDR/PLEN [MAC]: a management NIC on the mgmt bridge
mgmt_if() {
	ns_link "$1" "$2" "$SW" mgmt
	[ -z "${4:-}" ] || ip -n "$1" link set "$2" address "$4"
	ip -n "$1" addr add "$3" dev "$2"
}

# rd.rail.host=addr:eth0: the host part of the management address.
by_addr() {
	local n node
	ns_new SW addr
	set_cmdline "${FLEET_MAP/rd.rail.host=hostname/rd.rail.host=addr:eth0}"
	for n in 5 23; do
		fleet_node node "a$n"
		mgmt_if "$node" eth0 "192.168.7.$n/24"
		ru_as_ok login "$node" apply
		expect_lines "192.168.7.$n: addresses" "ib0 10.0.1.$((100 + n))/24
ib1 fd00:2::$(printf %x "$n")/64
ib2 10.0.3.7/24" "$(rail_addrs "$node")"
	done
	# An eth0 without an IPv4 address: the templated rails fail, ib2 does not.
	fleet_node node a-none
	ns_link "$node" eth0 "$SW" mgmt
	ru_as login "$node" apply
	expect_rc "apply with an eth0 without address" 1
	expect_contains "stderr" "$RU_ERR" "ib0: host: eth0 has no IPv4 address to take the host index from"
	expect_contains "stderr" "$RU_ERR" "ib1: host: eth0 has no IPv4 address"
	expect_eq "addresses" "ib2 10.0.3.7/24" "$(rail_addrs "$node")"
	pass "rd.rail.host=addr:eth0"
}

# At boot the address the index comes from may be DHCP's, not there yet when
# railup starts: boot waits for it (link and address events), for half of
# rd.rail.timeout at most; then the templated rails fail and the others go on.
boot_dhcp() {
	local node
	ns_new SW dhcp
	fleet_node node dhcp-node
	ns_link "$node" eth0 "$SW" mgmt
	set_cmdline "${FLEET_MAP/rd.rail.host=hostname/rd.rail.host=addr:eth0} rd.rail.verify=0 rd.rail.timeout=20"
	ru_bg "$node" -v --no-kmsg boot
	sleep 1
	expect_eq "railup boot still waiting after 1 s" yes "$(kill -0 "$RU_BG" && echo yes)"
	ip -n "$node" addr add 192.168.7.42/24 dev eth0
	ru_join
	expect_rc "railup boot, eth0's address given after 1 s" 0
	expect_contains "stderr" "$RU_ERR" "waiting for the host index: eth0 has no IPv4 address"
	expect_contains "stderr" "$RU_ERR" "host index 42"
	expect_lines "addresses" "ib0 10.0.1.142/24
ib1 fd00:2::2a/64
ib2 10.0.3.7/24" "$(rail_addrs "$node")"

	fleet_node node dhcp-never
	ns_link "$node" eth0 "$SW" mgmt
	set_cmdline "${FLEET_MAP/rd.rail.host=hostname/rd.rail.host=addr:eth0} rd.rail.verify=0 rd.rail.timeout=4"
	ru_timed "$node" -v --no-kmsg boot
	expect_rc "railup boot, eth0 never given an address" 1
	expect_eq "it gave up after half the timeout, 2 to 3.5 s" yes \
		"$(awk -v t="$RU_MS" 'BEGIN { print (t >= 2000 && t < 3500) ? "yes" : "no: " t " ms" }')"
	expect_contains "stderr" "$RU_ERR" "ib0: host: eth0 has no IPv4 address to take the host index from"
	expect_contains "stderr" "$RU_ERR" "ib1: host: eth0 has no IPv4 address"
	expect_lines "addresses" "ib2 10.0.3.7/24" "$(rail_addrs "$node")"

	# rd.rail.host=bootif without BOOTIF=: nothing can come, no waiting.
	ru_ok "$node" down
	set_cmdline "${FLEET_MAP/rd.rail.host=hostname/rd.rail.host=bootif} rd.rail.verify=0 rd.rail.timeout=4"
	ru_timed "$node" -v --no-kmsg boot
	expect_rc "railup boot, bootif without BOOTIF=" 1
	expect_eq "it did not wait (under 1.5 s)" yes \
		"$(awk -v t="$RU_MS" 'BEGIN { print t < 1500 ? "yes" : "no: " t " ms" }')"
	expect_contains "stderr" "$RU_ERR" "ib0: host: no BOOTIF= on the command line"
	pass "boot waits for the address the host index comes from"
}

# rd.rail.host=bootif: the address of the NIC the boot loader names by MAC.
by_bootif() {
	ns_new SW boot
	fleet_node NODE boot-node
	mgmt_if "$NODE" eth0 192.168.7.23/24 02:00:00:ab:07:17
	mgmt_if "$NODE" eth1 192.168.8.40/24 02:00:00:00:08:28
	set_cmdline "BOOTIF=01-02-00-00-00-08-28 ${FLEET_MAP/rd.rail.host=hostname/rd.rail.host=bootif}"
	ru_as_ok login "$NODE" apply
	expect_lines "addresses (BOOTIF is eth1, 192.168.8.40)" "ib0 10.0.1.140/24
ib1 fd00:2::28/64
ib2 10.0.3.7/24" "$(rail_addrs "$NODE")"
	ru_as_ok login "$NODE" status
	# Another boot NIC, in capitals as some loaders write it: eth0's index.
	set_cmdline "BOOTIF=01-02-00-00-AB-07-17 ${FLEET_MAP/rd.rail.host=hostname/rd.rail.host=bootif}"
	ru_as_ok login "$NODE" apply
	expect_lines "addresses (BOOTIF is eth0, 192.168.7.23)" "ib0 10.0.1.123/24
ib1 fd00:2::17/64
ib2 10.0.3.7/24" "$(rail_addrs "$NODE")"
	# No BOOTIF= at all: the templated rails fail.
	set_cmdline "${FLEET_MAP/rd.rail.host=hostname/rd.rail.host=bootif}"
	ru_as login "$NODE" plan
	expect_rc "plan without BOOTIF=" 1
	expect_contains "stderr" "$RU_ERR" "ib0: host: no BOOTIF= on the command line"
	pass "rd.rail.host=bootif"
}

# node156: 100 + 156 leaves the /24. Bad input: exit 2, one line, nothing changed.
unfit() {
	local cmd
	ns_new SW unfit
	fleet_node NODE node156
	set_cmdline "$FLEET_MAP"
	dump "$NODE" >"$RU_TMP/unfit.before"
	for cmd in apply plan status health; do
		# -q: errors only (the index itself is logged as information).
		ru_as node156 "$NODE" -q "$cmd"
		expect_rc "$cmd on node156" 2
		expect_eq "$cmd on node156: stderr lines" 1 "$(grep -c . <<<"$RU_ERR")"
		expect_contains "$cmd on node156: stderr" "$RU_ERR" \
			'"rd.rail=ib0:10.0.1.100+/24:10.0.1.1": host index 156 does not fit 10.0.1.100+/24'
	done
	dump "$NODE" >"$RU_TMP/unfit.after"
	expect_same_file "node156: the state before (expected) and after (seen)" \
		"$RU_TMP/unfit.before" "$RU_TMP/unfit.after"
	expect_eq "node156: ledger" "" "$(cat "$(rundir "$NODE")/owned" 2>/dev/null || true)"
	# node155 lands on the broadcast address: bad input too.
	ru_as node155 "$NODE" apply
	expect_rc "apply on node155" 2
	expect_contains "node155: stderr" "$RU_ERR" "10.0.1.255/24 is the subnet's broadcast address"
	pass "an index that does not fit: exit 2, nothing changed"
}

# A hostname without a number: the templated rails fail, the others are configured.
no_number() {
	ns_new SW nonum
	fleet_node NODE login
	set_cmdline "$FLEET_MAP"
	ru_as login "$NODE" apply
	expect_rc "apply on login" 1
	expect_contains "stderr" "$RU_ERR" 'ib0: host: hostname "login" ends in no number'
	expect_contains "stderr" "$RU_ERR" 'ib1: host: hostname "login" ends in no number'
	expect_eq "addresses" "ib2 10.0.3.7/24" "$(rail_addrs "$NODE")"
	expect_eq "railup's rules" "1003 from 10.0.3.7 lookup 103" "$(railup_rules "$NODE")"
	ru_as login "$NODE" status --json
	expect_rc "status on login" 1
	expect_lines "status --json" 'ib0 false host: hostname "login" ends in no number
ib1 false host: hostname "login" ends in no number
ib2 true ' "$(jq -r '.rails[] | "\(.name) \(.ok) \(.why)"' <<<"$RU_OUT")"
	ru_as login "$NODE" health
	expect_rc "health on login" 1
	expect_eq "health" 'railup: ib0: host: hostname "login" ends in no number (1 of 3 rails ok)' \
		"$RU_OUT"
	pass "a hostname without a number fails the templated rails"
}

# fake_pci DIR IF0 IF1: a sysfs tree hanging IF0 and IF1 off ports 1 and 2
# of PCI function 0000:3b:00.0, as the kernel lays it out
fake_pci() {
	local dir=$1 port=0 dev fn=0000:3b:00.0
	mkdir -p "$dir/class/net"
	for dev in "$2" "$3"; do
		mkdir -p "$dir/devices/pci0000:00/$fn/net/$dev"
		ln -s "../../../$fn" "$dir/devices/pci0000:00/$fn/net/$dev/device"
		echo "$port" >"$dir/devices/pci0000:00/$fn/net/$dev/dev_port"
		ln -s "../../devices/pci0000:00/$fn/net/$dev" "$dir/class/net/$dev"
		port=$((port + 1))
	done
}

# Templates and identities together, the fleet's whole point: one command
# line, nodes whose netdevs are named differently (udev's names, or the
# initramfs's ib0), the same hardware layout. Each node's rails are found by
# PCI function and port, and get the node's own addresses.
with_identity() {
	local node
	ns_new SW ident
	set_cmdline 'quiet rd.rail.host=hostname rd.rail=rail0:10.0.1.100+/24,pci=0000:3b:00.0/1 rd.rail=rail1:10.0.2.100+/24,pci=0000:3b:00.0/2'
	ns_new node node007
	ns_link "$node" ibp59s0f1 "$SW" br1
	ns_link "$node" ibp59s0f0 "$SW" br0
	fake_pci "$RU_TMP/sys7" ibp59s0f0 ibp59s0f1
	ru_as_ok node007 "$node" --sysfs "$RU_TMP/sys7" apply
	expect_lines "node007: addresses" "ibp59s0f0 10.0.1.107/24
ibp59s0f1 10.0.2.107/24" "$(ip -n "$node" -j -4 addr show | jq -r '.[] | select(.ifname != "lo") |
		.ifname as $i | .addr_info[] | "\($i) \(.local)/\(.prefixlen)"' | LC_ALL=C sort)"
	ns_new node node008
	ns_link "$node" ib0 "$SW" br0
	ns_link "$node" ib1 "$SW" br1
	fake_pci "$RU_TMP/sys8" ib0 ib1
	ru_as_ok node008 "$node" --sysfs "$RU_TMP/sys8" apply
	expect_lines "node008: addresses" "ib0 10.0.1.108/24
ib1 10.0.2.108/24" "$(rail_addrs "$node")"
	expect_eq "node008: decision from rail1" "dev ib1 table 102 via -" \
		"$(route_get "$node" 10.0.2.1 10.0.2.108)"
	pass "one command line with identities and templates on differently named nodes"
}

part "rd.rail.host=hostname on four nodes" by_hostname
part "templates and identities together" with_identity
part "rd.rail.host=17" by_number
part "rd.rail.host=addr:eth0" by_addr
part "rd.rail.host=bootif" by_bootif
part "boot waits for DHCP's address" boot_dhcp
part "an index that does not fit" unfit
part "a hostname without a number" no_number
parts_end
