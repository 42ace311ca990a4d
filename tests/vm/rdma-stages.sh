#!/usr/bin/env bash
# tests/vm/rdma-stages.sh - the RDMA netlink (early/rdmanl.c) and RDMA CM
# (early/rdmacm.c) stages against a real kernel: Debian's kernel under qemu
# (TCG, tests/vm/lib.sh), Soft-RoCE (rdma_rxe) on virtio NICs.
#
# Builds tests/vm/rdma-probe.c static with musl against the early objects
# into build/rdma-probe, boots one VM with three NICs on isolated hubs
# (nothing reaches the outside) and checks, in the guest:
#   - RDMA CM open fails with the kernel's reason before rdma_ucm is loaded;
#   - rdmanl_add_rxe: rxe0 on eth0, rxe1 on eth1; a missing netdev fails
#     with the kernel's error;
#   - rdmanl_ports: both ports ACTIVE/LinkUp, RoCE, mapped to their netdevs,
#     GUIDs as sysfs has them; rdma_port_of_netdev eth0 -> rxe0 port 1, and
#     eth2 (no rxe) has none;
#   - cm_bind_query: each rail address (IPv4 and IPv6) lands on its own
#     device and port 1, also right after the device is created; an address
#     on eth2 and one on no netdev fail;
#   - cm_resolve: to the rail's own address, and to a neighbour of its
#     subnet (a permanent neighbour entry: the hubs have no other hosts);
#     an unanswered neighbour, an unroutable address and eth2's address fail;
#   - cm_loopback: several times in a row on each rail address (IPv4 and
#     IPv6), each attempt exactly five CM packets (REQ REP RTU DREQ DREP);
#     on eth2's address, on no netdev's and on a rail whose link is down it
#     fails, and works again once the link is back.
# Exit status 0 only if every check passed. RDMA_KEEP=1 keeps the work
# directory (it is always kept on failure).
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/vm/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/checks.sh
. "$here/../checks.sh"
keep=${RDMA_KEEP:-0}

# The guest's checks must all have run: a body cut short must not pass.
MIN_GUEST_CHECKS=70

mkdir -p "$VM_CACHE/tmp" "$VM_REPO/build" || exit 1
work=$(mktemp -d "$VM_CACHE/tmp/rdma.XXXXXX") || exit 1

# --- the probe ----------------------------------------------------------------
probe=$VM_REPO/build/rdma-probe
if vm_probe "$probe"; then
	ok "rdma-probe built static with musl ($(du -k "$probe" | cut -f1) KiB)"
else
	bad "rdma-probe does not build"
	finish
fi

# --- the guest ----------------------------------------------------------------
cat >"$work/body.sh" <<'EOF'
P=/sbin/rdma-probe
# run CMD...: OUT = its stdout and stderr, RC = its status; output shown indented.
run() {
	OUT=$("$@" 2>&1)
	RC=$?
	[ -n "$OUT" ] && printf '%s\n' "$OUT" | sed 's/^/    /'
	return 0
}
# expect_ok DESC CMD...: CMD must succeed.
expect_ok() {
	_d=$1
	shift
	run "$@"
	if [ "$RC" = 0 ]; then vm_pass "$_d"; else vm_fail "$_d (rc=$RC: $*)"; fi
}
# expect_err DESC MESSAGE CMD...: CMD must fail, its first line being MESSAGE.
expect_err() {
	_d=$1 _m=$2
	shift 2
	run "$@"
	if [ "$RC" = 0 ]; then
		vm_fail "$_d (unexpectedly succeeded: $*)"
	else
		vm_check_eq "$_d" "$_m" "$(printf '%s\n' "$OUT" | head -n1)"
	fi
}
# field WORD: the word after the first WORD in $OUT.
field() {
	printf '%s\n' "$OUT" | awk -v w="$1" '{ for (i = 1; i < NF; i++) if ($i == w) { print $(i + 1); exit } }'
}
sysguid() { cat "/sys/class/infiniband/$1/node_guid" 2>/dev/null; }

vm_check "modprobe virtio_pci virtio_net" sh -c 'modprobe virtio_pci && modprobe virtio_net'
vm_check "3 virtio NICs" vm_wait 10 test -e /sys/class/net/eth2
i=0
for n in eth0 eth1 eth2; do
	i=$((i + 1))
	echo 0 >/proc/sys/net/ipv6/conf/$n/accept_dad
	vm_check "$n: 10.0.$i.14/24, fd00:$i::14/64, up" sh -c "ip addr add 10.0.$i.14/24 dev $n &&
		ip -6 addr add fd00:$i::14/64 dev $n && ip link set $n up"
	vm_check "$n operstate up" vm_wait 5 grep -qx up /sys/class/net/$n/operstate
done

vm_check "modprobe crc32_generic crc32c_generic rdma_rxe" \
	sh -c 'modprobe crc32_generic && modprobe crc32c_generic && modprobe rdma_rxe'
expect_err "cm_open before rdma_ucm is loaded" \
	"RDMA CM open: No such file or directory" $P open
vm_check "modprobe rdma_ucm" modprobe rdma_ucm
vm_check "/dev/infiniband/rdma_cm appears" vm_wait 5 test -c /dev/infiniband/rdma_cm
expect_ok "cm_open" $P open

# --- RDMA netlink ---
run $P ports
vm_check_eq "rdmanl_ports before any device: none" "0 " "$RC $OUT"
expect_ok "rdmanl_add_rxe rxe0 eth0" $P add-rxe rxe0 eth0
expect_ok "rdmanl_add_rxe rxe1 eth1" $P add-rxe rxe1 eth1
# The GID of the address reaches rxe1's table asynchronously: ENODEV until then.
run $P bind 10.0.2.14 10000
vm_check_eq "cm_bind_query right after rdmanl_add_rxe lands on rxe1" "0 rxe1" "$RC $(field 10.0.2.14:)"
printf '%s\n' "$OUT" | grep ENODEV | sed 's/^/VM-NOTE /'
expect_err "rdmanl_add_rxe on a missing netdev: the kernel's error" \
	"rdma link add rxe9 type rxe netdev nosuch0: No such device" $P add-rxe rxe9 nosuch0
expect_err "rdmanl_add_rxe on a netdev that has one already" \
	"rdma link add rxe2 type rxe netdev eth0: File exists" $P add-rxe rxe2 eth0
vm_check_fails "no rxe9 device left behind" test -e /sys/class/infiniband/rxe9
vm_check "rxe0 port 1 ACTIVE (sysfs)" vm_wait 10 grep -q ACTIVE /sys/class/infiniband/rxe0/ports/1/state
vm_check "rxe1 port 1 ACTIVE (sysfs)" vm_wait 10 grep -q ACTIVE /sys/class/infiniband/rxe1/ports/1/state
expect_ok "rdmanl_ports" $P ports
ports=$OUT
for d in rxe0:eth0 rxe1:eth1; do
	dev=${d%:*} nd=${d#*:}
	want="$dev 1 ACTIVE phys=5 ndev=$nd ifindex=$(cat /sys/class/net/$nd/ifindex) guid=$(sysguid $dev) proto=roce"
	got=$(printf '%s\n' "$ports" | grep "^$dev " | sed 's/ index=[0-9]*$//')
	vm_check_eq "rdmanl_ports: $dev port 1" "$want" "$got"
done
vm_check_eq "rdmanl_ports: exactly two ports" 2 "$(printf '%s\n' "$ports" | grep -c .)"
vm_check_eq "rdmanl_ports: the two GUIDs differ" 2 \
	"$(printf '%s\n' "$ports" | sed -n 's/.* guid=\([^ ]*\).*/\1/p' | sort -u | grep -c .)"
run $P port-of eth0
vm_check_eq "rdma_port_of_netdev eth0" "0 rxe0 1" "$RC $OUT"
run $P port-of eth1
vm_check_eq "rdma_port_of_netdev eth1" "0 rxe1 1" "$RC $OUT"
expect_err "rdma_port_of_netdev eth2 (no rxe)" "eth2: no RDMA port" $P port-of eth2
expect_err "rdma_port_of_netdev lo" "lo: no RDMA port" $P port-of lo

# --- RDMA CM: where an address lands ---
# bind_check ADDR DEV: BIND (retrying ENODEV while the GID table fills) + QUERY.
bind_check() {
	run $P bind "$1" 10000
	vm_check_eq "cm_bind_query $1 lands on $2 port 1" "0 $2 1 $(sysguid $2)" \
		"$RC $(field "$1:") $(field port) $(field guid)"
	# RoCE has no P_Key in its hardware address: the kernel reports 0.
	vm_check_eq "cm_bind_query $1: pkey 0x0000 (RoCE)" 0x0000 "$(field pkey)"
	vm_check_eq "cm_bind_query $1: ibdev_index is $2's" \
		"$(printf '%s\n' "$ports" | sed -n "s/^$2 .* index=\([0-9]*\)$/\1/p")" "$(field ibdev)"
	printf '%s\n' "$OUT" | grep ENODEV | sed 's/^/VM-NOTE /'
}
bind_check 10.0.1.14 rxe0
bind_check 10.0.2.14 rxe1
bind_check fd00:1::14 rxe0
bind_check fd00:2::14 rxe1
expect_err "cm_bind_query on eth2's address (no RDMA device)" \
	"RDMA CM bind: No such device" $P bind 10.0.3.14
expect_err "cm_bind_query on eth2's IPv6 address (no RDMA device)" \
	"RDMA CM bind: No such device" $P bind fd00:3::14
expect_err "cm_bind_query on an address of no netdev" \
	"RDMA CM bind: Address not available" $P bind 10.0.1.99

# --- RDMA CM: resolution ---
resolve_check() {
	run $P resolve "$1" "$2" 3000
	vm_check_eq "cm_resolve $1 -> $2 leaves by $3 port 1" "0 $3 1 $(sysguid $3)" \
		"$RC $(field "$2:") $(field port) $(field guid)"
}
resolve_check 10.0.1.14 10.0.1.14 rxe0
resolve_check 10.0.2.14 10.0.2.14 rxe1
resolve_check fd00:1::14 fd00:1::14 rxe0
resolve_check fd00:2::14 fd00:2::14 rxe1
# The hubs hold no other host: a permanent neighbour stands in for a peer
# (busybox ip cannot add neighbours; its arp can, for IPv4).
vm_check "permanent neighbour 10.0.1.20 on eth0" arp -i eth0 -s 10.0.1.20 52:54:00:00:00:99
resolve_check 10.0.1.14 10.0.1.20 rxe0
expect_err "cm_resolve to a neighbour that never answers ARP" \
	"RDMA CM resolve address: ADDR_ERROR, status -110 (Operation timed out)" \
	$P resolve 10.0.1.14 10.0.1.99 1500
# Bound to a netdev, the kernel's route lookup assumes an unroutable
# destination is on link: the same ARP timeout, not ENETUNREACH.
expect_err "cm_resolve to an address with no route" \
	"RDMA CM resolve address: ADDR_ERROR, status -110 (Operation timed out)" \
	$P resolve 10.0.1.14 192.0.2.1 1500
expect_err "cm_resolve from eth2's address (no RDMA device)" \
	"RDMA CM resolve address: No such device" $P resolve 10.0.3.14 10.0.3.14 1500

# --- RDMA CM: loopback handshakes, repeated ---
loop_check() {
	run $P loopback "$1" "$2" 5000
	vm_check_eq "cm_loopback $1: $2 attempts in a row ESTABLISHED" "0 $2" \
		"$RC $(printf '%s\n' "$OUT" | grep -c 'ESTABLISHED in')"
}
# rxe counts the CM's MADs: a clean attempt is REQ, REP, RTU, DREQ, DREP and
# nothing more (a retransmission or a missing DREP shows here).
hw=/sys/class/infiniband/rxe0/ports/1/hw_counters
sent0=$(cat $hw/sent_pkts)
loop_check 10.0.1.14 5
vm_check_eq "rxe0 sent 5 CM packets per attempt (5 attempts)" 25 "$(($(cat $hw/sent_pkts) - sent0))"
loop_check 10.0.2.14 5
loop_check fd00:1::14 3
loop_check fd00:2::14 3
loop_check 10.0.1.14 2
expect_err "cm_loopback on eth2's address (no RDMA device)" \
	"RDMA CM bind: No such device" $P loopback 10.0.3.14 1 3000
expect_err "cm_loopback on an address of no netdev" \
	"RDMA CM bind: Address not available" $P loopback 10.0.1.99 1 3000
run $P loopback 10.0.1.14 1 5000
vm_check_eq "cm_loopback still works after the failures" 0 "$RC"

# --- a rail whose link goes down, and comes back ---
ip link set eth1 down
vm_check "rxe1 port 1 DOWN with eth1 down (sysfs)" vm_wait 5 grep -q DOWN /sys/class/infiniband/rxe1/ports/1/state
run $P ports
vm_check_eq "rdmanl_ports: rxe1 port 1 DOWN, phys 3 (Disabled)" "rxe1 1 DOWN phys=3" \
	"$(printf '%s\n' "$OUT" | grep '^rxe1 ' | cut -d' ' -f1-4)"
expect_err "cm_loopback on a rail whose link is down" \
	"RDMA CM resolve address: Network unreachable" $P loopback 10.0.2.14 1 3000
ip link set eth1 up
vm_check "rxe1 port 1 ACTIVE again (sysfs)" vm_wait 10 grep -q ACTIVE /sys/class/infiniband/rxe1/ports/1/state
run $P loopback 10.0.2.14 2 5000
vm_check_eq "cm_loopback on the rail back up: 2 attempts ESTABLISHED" "0 2" \
	"$RC $(printf '%s\n' "$OUT" | grep -c 'ESTABLISHED in')"
vm_pass "guest body ran to the end"
dmesg | grep -i -e 'rxe' -e 'rdma' -e 'ib_cm' | tail -n 20 | sed 's/^/VM-NOTE dmesg: /'
EOF

t=$(now)
if ! vm_test_initramfs "$work/initrd.cpio.gz" "$work/body.sh" "$probe:/sbin/rdma-probe"; then
	bad "initramfs build failed"
	finish
fi
ok "initramfs built in $(since "$t")s (kernel $VM_KVER)"
vm_run "$work/initrd.cpio.gz" "" 3 420 "$work/console.log"
rc=$?
vm_relay "$work/console.log" "$rc" "$VM_RUN_SECONDS" "$MIN_GUEST_CHECKS"
finish
