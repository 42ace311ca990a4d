#!/usr/bin/env bash
# tests/vm/smoke.sh - smoke test of the VM harness (tests/vm/lib.sh).
#
# Boots the Debian kernel under qemu (TCG) a few times and proves, from
# inside the guest:
#   boot 1 (4 NICs, isolated hubs): the 4 virtio NICs appear with the fixed
#     MACs and have carrier once up, transmit completes, nothing arrives
#     from outside; rdma_rxe, rdma_ucm and ib_ipoib load with modprobe from
#     the module subset; rdma_cm shows up in /sys/class/misc and
#     /dev/infiniband.
#   boot 2 (2 NICs, pairs wiring, VM_OMIT_MODULES=rdma_ucm): kernel command
#     line reaches the guest's environment, extra files are copied in, the
#     omitted module is really missing (its dependencies are not), eth0 and
#     eth1 share a hub, and the guest's exit status comes back (42).
#   boot 3: a timeout gives 124; boot 4: an /init that dies gives 125.
#
# Optional, not needed by the test: SMOKE_RXE_NEWLINK=/path/to/static-binary
# taking "DEV NDEV" that creates an rxe link through RDMA netlink; then
# boot 1 also checks that rxe0 on eth0 becomes ACTIVE.
#
# Prints "ok: ..." / "FAIL: ..." lines and a final "N passed, N failed".
# Exit status 0 only if everything passed. SMOKE_KEEP=1 keeps the work
# directory (it is always kept on failure).
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/vm/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/checks.sh
. "$here/../checks.sh"
keep=${SMOKE_KEEP:-0}

# check_boot NAME RC EXPECTED_RC LOG: turn the guest's VM-CHECK lines into
# ok/FAIL lines, then check the returned rc.
check_boot() {
	local name=$1 rc=$2 want=$3 log=$4
	vm_checks "$log" "$name: "
	if [ "$rc" = "$want" ]; then
		ok "$name: vm_run returned $rc ($VM_CHECKS guest checks, ${VM_RUN_SECONDS}s wall)"
	else
		bad "$name: vm_run returned $rc, expected $want (${VM_RUN_SECONDS}s wall)"
		echo "--- last lines of $log"
		vm_log_tail "$log" 40
		echo "---"
	fi
}

mkdir -p "$VM_CACHE/tmp" || exit 1
work=$(mktemp -d "$VM_CACHE/tmp/smoke.XXXXXX") || exit 1

t=$(now)
if vm_kernel; then
	ok "vm_kernel: $VM_KVER ready in $(since "$t")s"
else
	bad "vm_kernel failed"
	finish
fi

for f in virtio_pci virtio_net rdma_rxe rdma_ucm ib_ipoib mlx5_ib; do
	if grep -q "/$f\.ko" "$VM_MODDIR/modules.dep"; then
		ok "kernel package has module $f"
	else
		bad "kernel package lacks module $f"
	fi
done

# --- boot 1: NICs, carrier, RDMA modules ------------------------------------
cat >"$work/boot1.sh" <<'EOF'
N=${SMOKE_NICS:-4}
vm_check "modprobe virtio_pci" modprobe virtio_pci
vm_check "modprobe virtio_net" modprobe virtio_net
vm_check "$N virtio NICs appear" vm_wait 10 test -e "/sys/class/net/eth$((N - 1))"
want=
i=0
while [ $i -lt "$N" ]; do want="$want eth$i"; i=$((i + 1)); done
vm_check_eq "NIC names are${want}" "${want# }" "$(vm_nics | tr '\n' ' ' | sed 's/ $//')"
i=0
while [ $i -lt "$N" ]; do
	n=eth$i
	vm_check_eq "$n has MAC 52:54:00:00:00:0$((i + 1))" \
		"52:54:00:00:00:0$((i + 1))" "$(cat /sys/class/net/$n/address)"
	echo 0 >/proc/sys/net/ipv6/conf/$n/accept_dad
	vm_check "ip link set $n up" ip link set "$n" up
	vm_check "$n carrier=1" vm_wait 5 grep -qx 1 "/sys/class/net/$n/carrier"
	# carrier is 1 at once; operstate follows through linkwatch (~1 s)
	vm_check "$n operstate up" vm_wait 5 grep -qx up "/sys/class/net/$n/operstate"
	i=$((i + 1))
done
vm_check_eq "carrier of all NICs" "$(echo "$want" | sed 's/ eth[0-9]*/1 /g; s/ $//')" \
	"$(cat /sys/class/net/eth*/carrier | tr '\n' ' ' | sed 's/ $//')"
# traffic: an all-nodes ping out of eth0 (link-local only, the frames stay
# on this VM's qemu hub). Transmit must complete (hub sink port) and no
# other NIC may see it (isolated hubs).
vm_check "eth0 has a link-local address" \
	vm_wait 5 sh -c 'ip -6 addr show dev eth0 | grep "scope link" | grep -vq tentative'
ping -q -c 3 -i 0.2 -W 1 -I eth0 ff02::1 >/dev/null 2>&1
sleep 0.5
tx=$(cat /sys/class/net/eth0/statistics/tx_packets)
vm_check "eth0 transmit completes (tx_packets=$tx)" test "$tx" -ge 3
rx=0
for n in $(vm_nics); do
	rx=$((rx + $(cat /sys/class/net/$n/statistics/rx_packets)))
done
vm_check_eq "isolated hubs: no NIC received anything" 0 "$rx"

kdir=/lib/modules/$(uname -r)
vm_check "modules.dep.bin in the initramfs" test -s "$kdir/modules.dep.bin"
vm_check_fails "rdma_rxe not loaded before modprobe" grep -q '^rdma_rxe ' /proc/modules
vm_check "modprobe rdma_rxe" modprobe rdma_rxe
for m in rdma_rxe ib_core ib_uverbs udp_tunnel ip6_udp_tunnel; do
	vm_check "$m in /proc/modules" grep -q "^$m " /proc/modules
done
vm_check "modprobe rdma_ucm" modprobe rdma_ucm
for m in rdma_ucm rdma_cm iw_cm ib_cm configfs; do
	vm_check "$m in /proc/modules" grep -q "^$m " /proc/modules
done
vm_check "/sys/class/misc/rdma_cm exists" test -e /sys/class/misc/rdma_cm
vm_check "/dev/infiniband/rdma_cm is a char device" vm_wait 3 test -c /dev/infiniband/rdma_cm
vm_check "modprobe ib_ipoib" modprobe ib_ipoib
vm_check "modprobe crc32_generic" modprobe crc32_generic
vm_check_fails "modprobe of an unknown module fails" modprobe railup_no_such_module
vm_check_fails "pclmul crc variant not packed" test -e "$(find "$kdir" -name 'crc32_pclmul.ko*' | head -n1)"

if [ -x /sbin/rxe-newlink ]; then
	vm_check "rxe-newlink rxe0 eth0" /sbin/rxe-newlink rxe0 eth0
	vm_check "rxe0 port 1 ACTIVE" vm_wait 5 grep -q ACTIVE /sys/class/infiniband/rxe0/ports/1/state
	vm_note "rxe0 port 1 state: $(cat /sys/class/infiniband/rxe0/ports/1/state 2>&1)"
	vm_note "rxe0 gid 0: $(cat /sys/class/infiniband/rxe0/ports/1/gids/0 2>&1)"
	vm_check "/dev/infiniband/uverbs0 exists" vm_wait 3 test -c /dev/infiniband/uverbs0
fi
vm_note "modules: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
EOF

extra1=()
if [ -n "${SMOKE_RXE_NEWLINK:-}" ]; then
	extra1+=("$SMOKE_RXE_NEWLINK:/sbin/rxe-newlink")
fi
t=$(now)
if vm_test_initramfs "$work/boot1.cpio.gz" "$work/boot1.sh" "${extra1[@]}"; then
	ok "boot1: initramfs built in $(since "$t")s ($(du -k "$work/boot1.cpio.gz" | cut -f1) KiB; modules: $VM_INITRAMFS_MODULES)"
	vm_run "$work/boot1.cpio.gz" "SMOKE_NICS=4" 4 180 "$work/boot1.log"
	check_boot boot1 $? 0 "$work/boot1.log"
	vm_log_lines "$work/boot1.log" "VM-NOTE" | sed 's/^/  note: /'
else
	bad "boot1: vm_test_initramfs failed"
fi

# --- boot 2: harness features -----------------------------------------------
printf 'rail0 = eth0\n' >"$work/railup.conf"
mkdir -p "$work/tree/sub"
echo hello >"$work/tree/sub/file"
cat >"$work/boot2.sh" <<'EOF'
vm_check_eq "kernel command line reaches the environment" "token-42" "${SMOKE_TOKEN:-}"
vm_check "extra file /etc/railup.conf" grep -qx 'rail0 = eth0' /etc/railup.conf
vm_check "extra directory copied into /opt/" grep -qx hello /opt/tree/sub/file
vm_check "modprobe virtio_pci virtio_net" sh -c 'modprobe virtio_pci && modprobe virtio_net'
vm_check "2 NICs appear" vm_wait 10 test -e /sys/class/net/eth1
vm_check_fails "eth2 does not exist" test -e /sys/class/net/eth2
for n in eth0 eth1; do
	echo 0 >/proc/sys/net/ipv6/conf/$n/accept_dad
	ip link set $n up
done
vm_check "eth0 has a link-local address" \
	vm_wait 5 sh -c 'ip -6 addr show dev eth0 | grep "scope link" | grep -vq tentative'
vm_check "eth1 has a link-local address" \
	vm_wait 5 sh -c 'ip -6 addr show dev eth1 | grep "scope link" | grep -vq tentative'
ping -q -c 3 -i 0.2 -W 1 -I eth0 ff02::1 >/dev/null 2>&1
sleep 0.5
rx=$(cat /sys/class/net/eth1/statistics/rx_packets)
vm_check "pairs wiring: eth1 received eth0's frames (rx_packets=$rx)" test "$rx" -ge 3
kdir=/lib/modules/$(uname -r)
vm_check_fails "VM_OMIT_MODULES: rdma_ucm.ko absent" test -e "$(find "$kdir" -name 'rdma_ucm.ko*' | head -n1)"
vm_check_fails "modprobe rdma_ucm fails" modprobe rdma_ucm
vm_check "its dependency rdma_cm still loads" modprobe rdma_cm
vm_check_fails "no rdma_cm misc device without rdma_ucm" test -e /sys/class/misc/rdma_cm
exit 42
EOF
t=$(now)
if VM_OMIT_MODULES=rdma_ucm vm_test_initramfs "$work/boot2.cpio.gz" "$work/boot2.sh" \
	"$work/railup.conf:/etc/railup.conf" "$work/tree:/opt/"; then
	ok "boot2: initramfs built in $(since "$t")s"
	VM_NIC_WIRING=pairs vm_run "$work/boot2.cpio.gz" "SMOKE_TOKEN=token-42" 2 180 "$work/boot2.log"
	check_boot boot2 $? 42 "$work/boot2.log"
else
	bad "boot2: vm_test_initramfs failed"
fi

# --- boot 3: hard timeout ---------------------------------------------------
if [ -f "$work/boot1.cpio.gz" ]; then
	t=$(now)
	vm_run "$work/boot1.cpio.gz" "" 1 2 "$work/boot3.log" 2>/dev/null
	rc=$?
	el=$(since "$t")
	if [ "$rc" = 124 ] && awk -v e="$el" 'BEGIN { exit !(e < 10) }'; then
		ok "boot3: timeout of 2s gives 124 after ${el}s"
	else
		bad "boot3: timeout gave rc=$rc after ${el}s, expected 124"
	fi
fi

# --- boot 4: init dies, no marker -------------------------------------------
printf '#!/bin/sh\necho dying\nexit 3\n' >"$work/die-init.sh"
if vm_initramfs "$work/boot4.cpio.gz" "$work/die-init.sh"; then
	vm_run "$work/boot4.cpio.gz" "" 0 120 "$work/boot4.log" 2>/dev/null
	rc=$?
	if [ "$rc" = 125 ] && tr -d '\r' <"$work/boot4.log" | grep -q '^dying$'; then
		ok "boot4: init exiting without marker gives 125 (${VM_RUN_SECONDS}s wall)"
	else
		bad "boot4: init exiting gave rc=$rc, expected 125"
		vm_log_tail "$work/boot4.log" 20
	fi
else
	bad "boot4: vm_initramfs failed"
fi

finish
