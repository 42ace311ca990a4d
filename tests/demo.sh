#!/bin/bash
# make demo: railup on four veth "rails" in a throwaway network namespace.
#
# Builds a node namespace with ib0..ib3 (veth pairs whose other ends sit on a
# bridge per rail in a "switch" namespace that also holds the rails'
# gateways), gives railup the sample rail map below, runs `railup apply` in
# the node and shows the result: the rules, each rail's table, the kernel's
# routing decision per rail, and `railup status`. Nothing outside the two
# namespaces changes; both are deleted on exit, whatever happens.
# Needs root, iproute2 and a built early/railup.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RAILUP=${RAILUP:-$ROOT/early/railup}

# The sample map: the textbook multi-rail layout. Four NICs, each in its own
# /24 with its own gateway. In production this goes in /etc/railup.conf or on
# the kernel command line (the same words, space separated).
MAP='rd.rail=ib0:10.0.1.14/24:10.0.1.1
rd.rail=ib1:10.0.2.14/24:10.0.2.1
rd.rail=ib2:10.0.3.14/24:10.0.3.1
rd.rail=ib3:10.0.4.14/24:10.0.4.1'

NODE="railup-demo-$$-node"
SW="railup-demo-$$-switch"
TMP=""

cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM HUP
	ip netns del "$NODE" 2>/dev/null
	ip netns del "$SW" 2>/dev/null
	[ -z "$TMP" ] || rm -rf "$TMP"
	if [ $rc -eq 0 ]; then
		echo "Done; the demo's namespaces are gone."
	else
		echo "demo: failed (exit $rc); the demo's namespaces are gone." >&2
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

die() {
	echo "demo: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "needs root, to create network namespaces (try: sudo make demo)"
command -v ip >/dev/null || die "needs iproute2 (ip)"
[ -x "$RAILUP" ] || die "$RAILUP is missing: run make first"

bold=""
plain=""
if [ -t 1 ]; then
	bold=$(printf '\033[1m')
	plain=$(printf '\033[0m')
fi

title() {
	printf '\n%s== %s ==%s\n' "$bold" "$*" "$plain"
}

# show CMD...: print a command as typed in the node, then run it there
show() {
	printf '%s$ %s%s\n' "$bold" "$*" "$plain"
	ip netns exec "$NODE" "$@"
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/railup-demo.XXXXXX")
printf '%s\n' "$MAP" >"$TMP/railup.conf"
echo quiet >"$TMP/cmdline" # stands in for /proc/cmdline: no rd.rail= there
# show_railup ARGS...: railup ARGS in the node, its messages in line with its output
show_railup() {
	printf '%s$ railup %s%s\n' "$bold" "$*" "$plain"
	ip netns exec "$NODE" "$RAILUP" --conf "$TMP/railup.conf" --cmdline "$TMP/cmdline" \
		--run-dir "$TMP/run" "$@" 2>&1
}

# ---- the throwaway node ----
ip netns add "$NODE"
ip netns add "$SW"
for ns in "$NODE" "$SW"; do
	ip -n "$ns" link set lo up
	# A new namespace inherits conf/all and conf/default from the host: start
	# from the kernel's defaults, as a freshly booted node would. No IPv6
	# here: its link-local addresses would only clutter the output.
	ip netns exec "$ns" sh -ec 'for f in all default; do
		for k in rp_filter arp_ignore arp_announce arp_filter accept_local; do
			echo 0 >/proc/sys/net/ipv4/conf/$f/$k
		done
		[ ! -w /proc/sys/net/ipv6/conf/$f/disable_ipv6 ] ||
			echo 1 >/proc/sys/net/ipv6/conf/$f/disable_ipv6
	done'
done
for i in 0 1 2 3; do
	n=$((i + 1))
	ip -n "$SW" link add "rail$n" type bridge
	ip -n "$SW" link set "rail$n" up
	ip -n "$SW" addr add "10.0.$n.1/24" dev "rail$n" # the rail's gateway
	ip -n "$NODE" link add "ib$i" type veth peer name "port$n" netns "$SW"
	ip -n "$SW" link set "port$n" master "rail$n" up
done

cat <<EOF
${bold}railup demo${plain}: a compute node with four RDMA rails, in throwaway network namespaces.

  node    $NODE: NICs ib0..ib3 (veth), down, no addresses
  switch  $SW: one bridge per rail, each with the rail's gateway 10.0.N.1

Without railup, Linux routes by destination only: every reply from any of
the four addresses leaves by whichever NIC has the best route (usually ib0).
railup gives each rail its own routing table and a "from <address>" rule,
and sets the ARP and rp_filter sysctls, so each NIC carries its own traffic.
EOF

title "The rail map (/etc/railup.conf, or rd.rail= words on the kernel command line)"
echo "$MAP"

title "railup plan: what apply will do, as commands (changes nothing)"
show_railup plan

title "railup apply"
show_railup apply

title "The rules: traffic from each rail's address looks up that rail's table"
show ip rule show

title "Each rail's table: its subnet, and a default route via its own gateway"
for i in 0 1 2 3; do
	show ip route show table $((101 + i))
done

title "The kernel's decision: the same far destination, from each rail's address"
for i in 0 1 2 3; do
	show ip route get 10.0.99.99 from 10.0.$((i + 1)).14
done

title "The sysctls railup set (per rail and conf/all)"
for i in 0 1 2 3; do
	printf 'ib%d: ' $i
	for k in arp_ignore arp_announce rp_filter; do
		printf '%s=%s ' $k "$(ip netns exec "$NODE" cat /proc/sys/net/ipv4/conf/ib$i/$k)"
	done
	echo
done
printf 'all: rp_filter=%s accept_local=%s\n' \
	"$(ip netns exec "$NODE" cat /proc/sys/net/ipv4/conf/all/rp_filter)" \
	"$(ip netns exec "$NODE" cat /proc/sys/net/ipv4/conf/all/accept_local)"

title "railup status: every rail checked against the map (exit 0 when all are right)"
show_railup status

title "railup down: everything railup made goes, every value it changed comes back"
show_railup down
show ip rule show
echo
