#!/usr/bin/env bash
# tests/vm/boot.sh - `railup boot`, the boot pipeline, proven in VMs:
# Debian's stock kernel (tests/vm/lib.sh: the linux-image package unpacked,
# not the host's) under qemu TCG, a busybox initramfs whose test body runs
# /sbin/railup boot with the rail map on the kernel command line (no
# /etc/railup.conf), Soft-RoCE (rxe=1) on virtio NICs.
#
# Every NIC is on its own qemu hub (VM_NIC_WIRING=isolated, forced below,
# no VM_QEMU_EXTRA): a NIC reaches nothing at all, neither the host nor
# another NIC.
#
# The rails have no gateway (except eth3 in "wrongnic"). Verification asks
# the kernel where traffic from the rail address to its gateway goes, and
# with a gateway also resolves it over RDMA CM, which needs an ARP answer;
# no host sits behind these hubs, so a gateway would time out. Without a
# gateway railup verifies everything else for real: the routing decision to
# an address of the rail's subnet (and the same with oif + fibmatch as
# RDMA CM checks it), the RDMA bind landing on the rail's own rxe device,
# and a full CM handshake with itself. In "wrongnic" eth3 has a gateway
# whose ARP entry the guest pins (permanent neighbour), so the RDMA CM
# resolve step is exercised too.
#
# The kernel's module helper is switched off in every guest
# (/proc/sys/kernel/modprobe empty), so whatever RDMA module is loaded was
# loaded by railup through libkmod, as in a minimal initramfs.
#
# One boot per scenario, run in parallel ($BOOT_JOBS at a time, default 2):
#   happy     4 rails eth0..eth3 10.0.N.14/24, rxe=1, eth1 with mtu=4200,
#             rd.rail.modules=virtio_pci,virtio_net,rdma_ucm: railup loads
#             the NIC drivers too and waits, event-driven, for the netdevs
#             to appear (the init loads nothing). Exit 0; the state file
#             says ok, each rail verified on rxe_ethN port 1; stderr and the
#             kernel log have each rail's lines and the summary at their
#             levels (info, notice); rules 1001..1004 and tables 101..104
#             hold exactly railup's; addresses and sysctls as the roce
#             profile says; eth1's MTU 4200 (RDMA CM verified over it), the
#             others' left at 1500; `railup status` and `status --json` say ok;
#             virtio_net, rdma_rxe, rdma_ucm, ib_core, crc32 are loaded.
#             Run again with stderr the journal ($JOURNAL_STREAM naming it):
#             nothing more in the kernel log; naming another stream: the
#             summary there again.
#   nolink    the same four rails (rd.rail.rxe=1 as the map's default) and
#             a fifth, eth7, that never appears, rd.rail.timeout=5: exit 1,
#             "eth7: wait: not ready after 5000 ms: interface eth7 did not
#             appear" at error level; the four others configured before the
#             deadline (>= 4 s before the verdict) and verified. The deadline
#             holds: the command takes at least 5 s (and < 15 s), and from
#             the first rail configured (inside the wait) to the verdict is
#             at most 5 s + 1.5 s for verification (kernel log timestamps).
#   wrongnic  rail addresses also on other NICs, put there by the guest
#             before railup runs; no rd.rail.modules: the default set
#             (mlx5_core, mlx5_ib, ib_ipoib, rdma_ucm) loads for real from
#             the image (the init loads the NIC drivers, to set addresses).
#             RDMA CM's BIND finds an IPv4 address's netdev by the kernel's
#             __ip_dev_find(): the address hash, newest first, so BIND lands
#             on the NIC that got the address last.
#             eth0: 10.0.1.14/24 on eth0, then on eth2 (a rail, so it gets
#             rxe_eth2): railup warns "eth0: address 10.0.1.14 is also on
#             eth2", configures eth0, and its verification fails: "RDMA
#             bind: 10.0.1.14 lands on rxe_eth2/1, expected rxe_eth0/1 (N
#             attempts; the address is also on eth2)" at error level.
#             Exit 1; status says eth0 is wrong.
#             eth1: 10.0.2.14/24 on eth3 only: railup warns, adds it to
#             eth1 (last, so BIND lands on rxe_eth1 and RDMA passes); the
#             boot still fails it as status does: "its address is also on
#             eth3" (one meaning of verified for boot and status).
#             eth3 has a gateway whose ARP entry the guest pins: verified
#             including the RDMA CM resolve. eth2, eth3 verified.
#   nomod     the image lacks rdma_ucm (VM_OMIT_MODULES): railup warns
#             "module rdma_ucm not found: rails that need it will fail",
#             still configures every rail, and each fails at verify with
#             "RDMA CM open: No such file or directory". Exit 1.
#   rxetaken  the init makes the Soft-RoCE device rxe_eth1 on eth0 (with
#             tests/vm/rdma-probe, in the image as /sbin/rdma-probe) before
#             railup boots rails eth0 and eth1, rxe=1: the kernel refuses
#             railup's rxe_eth0 on eth0 (it has a device: EEXIST) and
#             rxe_eth1 on eth1 (the name is eth0's: ENFILE, "Too many open
#             files in system", the words railup used to fail the rail
#             with). eth0 is served already: verified on rxe_eth1. eth1
#             fails at stage "rxe": "rdma link add rxe_eth1 type rxe netdev
#             eth1: the name is taken, by the device of eth0", and gets no
#             rule. Exit 1.
#   off       the four rails and rd.rail=0 after them: exit 0, only
#             "disabled by rd.rail=0" (stderr, kernel log at notice),
#             RAILUP_RESULT=disabled; addresses, links, rules, routes,
#             sysctls, RDMA devices and modules exactly as before.
#
# Exit status 0 only if every check passed. BOOT_KEEP=1 keeps the work
# directory (it is always kept on failure).
set -u

# NICs on isolated hubs and nothing else: no path out of the VM.
VM_NIC_WIRING=isolated
VM_QEMU_EXTRA=
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/vm/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/checks.sh
. "$here/../checks.sh"
keep=${BOOT_KEEP:-0}

mkdir -p "$VM_CACHE/tmp" || exit 1
work=$(mktemp -d "$VM_CACHE/tmp/boot.XXXXXX") || exit 1

# --- railup, as make builds it ---------------------------------------------------
railup=$VM_REPO/early/railup
if make -s -C "$VM_REPO" >&2 && [ -x "$railup" ]; then
	ok "railup built ($(du -k "$railup" | cut -f1) KiB)"
else
	bad "make does not build early/railup"
	finish
fi

probe=$VM_REPO/build/rdma-probe
if vm_probe "$probe"; then
	ok "rdma-probe built static with musl"
else
	bad "rdma-probe does not build"
	finish
fi

# --- the guest ---------------------------------------------------------------------
cat >"$work/body.sh" <<'EOF'
# The scenario comes from the kernel command line (boot_scenario=..., in the
# environment of /init). Kernel messages stay off the console: they would
# split the VM-CHECK lines; the checks read them with dmesg.
echo 1 >/proc/sys/kernel/printk
# No helper for the kernel's request_module(): every module must come from railup.
echo >/proc/sys/kernel/modprobe
S=${boot_scenario:-?}

# run_railup ARGS...: RC, OUT (stdout file), ERR (stderr file), SECS (wall time).
OUT=/tmp/railup.out ERR=/tmp/railup.err
run_railup() {
	_t0=$(cut -d' ' -f1 /proc/uptime)
	railup "$@" >$OUT 2>$ERR
	RC=$?
	_t1=$(cut -d' ' -f1 /proc/uptime)
	SECS=$(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.2f", b - a }')
	vm_note "railup $* -> rc=$RC in ${SECS}s"
	sed 's/^/VM-NOTE   stderr: /' $ERR
	case $1 in status) sed 's/^/VM-NOTE   stdout: /' $OUT | cut -c1-200 ;; esac
}
# has FILE LINE: FILE holds LINE, exactly.
has() { grep -qxF -- "$2" "$1"; }
# has_re FILE ERE: a line of FILE matches ^ERE$.
has_re() { grep -qxE -- "$2" "$1"; }
# kmsg: railup's kernel log lines as "LEVEL message" (level = priority & 7:
# lines written to /dev/kmsg get facility user, so <14> is info).
kmsg() {
	dmesg -r | awk '{
		if (!match($0, /^<[0-9]+>/)) next
		lvl = substr($0, 2, RLENGTH - 2) % 8
		s = substr($0, RLENGTH + 1); sub(/^\[ *[0-9.]*\] /, "", s)
		if (index(s, "railup: ") == 1) print lvl " " substr(s, 9)
	}'
}
# kmsg_time MESSAGE: the kernel timestamp of railup's line MESSAGE.
kmsg_time() {
	dmesg | awk -v m="railup: $1" '{
		s = $0; sub(/^\[ */, "", s); t = s; sub(/\].*/, "", t); sub(/^[^]]*\] /, "", s)
		if (s == m) { print t; exit }
	}'
}
# check_kmsg DESC "LEVEL message"
check_kmsg() { vm_check "$1" grep -qxF -- "$2" /tmp/kmsg; }
loaded() { grep -q "^$1 " /proc/modules; }
# state: source the state file into this shell (after unsetting old values).
state() {
	unset RAILUP_RESULT RAILUP_RAILS RAILUP_VERIFIED RAILUP_FAILED
	if [ -r /run/railup/state ]; then
		. /run/railup/state
		vm_pass "$S: /run/railup/state is there and sources"
	else
		vm_fail "$S: no /run/railup/state"
	fi
}
# rail_state I NAME PHASE IBDEV PORT STAGE ERROR-ERE
rail_state() {
	eval "_n=\${RAIL$1_NAME-} _p=\${RAIL$1_PHASE-} _d=\${RAIL$1_IBDEV-} _o=\${RAIL$1_PORT-}"
	eval "_s=\${RAIL$1_STAGE-} _e=\${RAIL$1_ERROR-}"
	vm_check_eq "$S: state RAIL$1 name, phase, ibdev, port, stage" "$2 $3 $4 $5 $6" \
		"$_n $_p $_d $_o $_s"
	if printf '%s\n' "$_e" | grep -qxE -- "$7"; then
		vm_pass "$S: state RAIL$1_ERROR matches '$7'"
	else
		vm_fail "$S: state RAIL$1_ERROR (expected '$7', got '$_e')"
	fi
}
# rail_objects N IF ADDR: rule, table, address, sysctls of a configured rail.
rail_objects() {
	_t=$((100 + $1)) _p=$((1000 + $1))
	vm_check "$S: $2: rule $_p from $3 lookup $_t" \
		sh -c "ip rule | grep -qxE '$_p:[[:space:]]+from $3 lookup $_t ?'"
	vm_check_eq "$S: table $_t holds only the rail's subnet route" \
		"${3%.*}.0/24 dev $2 scope link  src $3 " "$(ip route show table $_t)"
	vm_check "$S: $2 has $3/24" sh -c "ip -4 addr show dev $2 | grep -q ' inet $3/24 '"
	vm_check_eq "$S: $2 rp_filter arp_ignore arp_announce (roce profile)" "2 1 2" \
		"$(cat /proc/sys/net/ipv4/conf/$2/rp_filter /proc/sys/net/ipv4/conf/$2/arp_ignore \
			/proc/sys/net/ipv4/conf/$2/arp_announce | tr '\n' ' ' | sed 's/ $//')"
}
# snapshot: what railup could have changed, as text.
snapshot() {
	ip addr
	ip link
	ip rule
	ip route show table all
	ip -6 route show table all
	for d in /proc/sys/net/ipv4/conf/*; do
		for k in rp_filter arp_ignore arp_announce arp_filter accept_local; do
			echo "${d##*/} $k $(cat $d/$k)"
		done
	done
	ls /sys/class/infiniband 2>/dev/null
	cut -d' ' -f1 /proc/modules | sort
}
# nics_by_init N: the init loads the NIC drivers itself and waits for N NICs.
nics_by_init() {
	vm_check "$S: init: modprobe virtio_pci virtio_net" \
		sh -c 'modprobe virtio_pci && modprobe virtio_net'
	vm_check "$S: init: $1 NICs" vm_wait 10 test -e /sys/class/net/eth$(($1 - 1))
}
no_rdma_yet() {
	vm_check_fails "$S: before railup: no RDMA module loaded" \
		grep -qE '^(ib_core|rdma_rxe|rdma_ucm|rdma_cm|mlx5_core|crc32_generic) ' /proc/modules
}

case $S in
happy)
	vm_check_eq "$S: before railup: no NIC, no module (the init loads nothing)" "lo " \
		"$(ls /sys/class/net | tr '\n' ' ')$(cat /proc/modules)"
	run_railup boot
	vm_check_eq "$S: railup boot exits 0" 0 "$RC"
	vm_check_eq "$S: nothing on stdout" "" "$(cat $OUT)"
	kmsg >/tmp/kmsg
	for i in 0 1 2 3; do
		vm_check "$S: stderr: eth$i: configured (table $((101 + i)), priority $((1001 + i)))" \
			has $ERR "railup: eth$i: configured (table $((101 + i)), priority $((1001 + i)))"
		vm_check "$S: stderr: eth$i: verified" has $ERR "railup: eth$i: verified"
		check_kmsg "$S: kmsg at info: eth$i: configured" \
			"6 eth$i: configured (table $((101 + i)), priority $((1001 + i)))"
		check_kmsg "$S: kmsg at info: eth$i: verified" "6 eth$i: verified"
	done
	vm_check "$S: stderr: summary" has $ERR "railup: 4 rails: 4 verified, 0 configured, 0 failed"
	check_kmsg "$S: kmsg at notice: summary" "5 4 rails: 4 verified, 0 configured, 0 failed"
	vm_check_eq "$S: stderr has exactly those 9 lines (no warning)" 9 "$(grep -c . $ERR)"
	vm_check_eq "$S: kmsg has exactly those 9 lines" 9 "$(grep -c . /tmp/kmsg)"
	state
	vm_check_eq "$S: state RAILUP_RESULT RAILS VERIFIED FAILED" "ok 4 4 0" \
		"${RAILUP_RESULT-} ${RAILUP_RAILS-} ${RAILUP_VERIFIED-} ${RAILUP_FAILED-}"
	for i in 0 1 2 3; do
		rail_state $i eth$i verified rxe_eth$i 1 "" ""
		rail_objects $((i + 1)) eth$i 10.0.$((i + 1)).14
		vm_check "$S: rxe_eth$i port 1 ACTIVE, on eth$i" sh -c \
			"grep -q ACTIVE /sys/class/infiniband/rxe_eth$i/ports/1/state &&
			 grep -qx eth$i /sys/class/infiniband/rxe_eth$i/ports/1/gid_attrs/ndevs/0"
		vm_check "$S: eth$i up with carrier (railup brought it up)" sh -c \
			"ip link show eth$i | grep -qE '[<,]UP[,>]' && grep -qx 1 /sys/class/net/eth$i/carrier"
	done
	vm_check_eq "$S: MTUs of eth0..eth3: eth1's the map's (4200), the others' left alone" \
		"1500 4200 1500 1500" "$(for i in 0 1 2 3; do cat /sys/class/net/eth$i/mtu; done | tr '\n' ' ' | sed 's/ $//')"
	vm_check "$S: the ledger holds eth1's MTU from before" \
		sh -c "grep -qE '^mtu eth1 [0-9]+ 1500$' /run/railup/owned"
	vm_check_eq "$S: exactly railup's 4 rules besides the 3 defaults" 7 "$(ip rule | grep -c .)"
	vm_check_eq "$S: conf/all rp_filter 2, accept_local 1 (roce profile)" "2 1" \
		"$(cat /proc/sys/net/ipv4/conf/all/rp_filter) $(cat /proc/sys/net/ipv4/conf/all/accept_local)"
	for m in virtio_pci virtio_net ib_core rdma_rxe rdma_cm rdma_ucm crc32_generic; do
		vm_check "$S: $m loaded (by railup)" loaded $m
	done
	vm_check "$S: /dev/infiniband/rdma_cm" test -c /dev/infiniband/rdma_cm
	run_railup status
	vm_check_eq "$S: railup status exits 0" 0 "$RC"
	vm_check "$S: railup status: 4 rails: 4 ok, 0 wrong" has $OUT "4 rails: 4 ok, 0 wrong"
	vm_check_eq "$S: railup status: each rail booted verified" 4 "$(grep -c '^  recorded  verified$' $OUT)"
	run_railup status --json
	vm_check_eq "$S: railup status --json exits 0" 0 "$RC"
	vm_check "$S: status --json: ok true, no drops" grep -q '"rp_filter_drops":0,"ok":true}$' $OUT
	vm_check_eq "$S: status --json: 4 rails ok, booted verified" 4 \
		"$(grep -o '"boot":{"phase":"verified","stage":"","error":""},"ok":true' $OUT | grep -c .)"
	# Again with stderr the journal, as railup's units have it: the
	# journal keeps the lines, the kernel log gets none (each would show
	# twice on the console) unless --kmsg says; then with $JOURNAL_STREAM
	# naming another stream.
	summary="4 rails: 4 verified, 0 configured, 0 failed"
	: >$ERR
	export JOURNAL_STREAM
	JOURNAL_STREAM=$(stat -c %d:%i $ERR)
	run_railup boot
	vm_check_eq "$S: boot, stderr the journal: exit, summary on stderr" "0 1" \
		"$RC $(grep -cxF "railup: $summary" $ERR)"
	vm_check_eq "$S: boot, stderr the journal: the kernel log has the summary once still" 1 \
		"$(kmsg | grep -cxF "5 $summary")"
	run_railup --kmsg boot
	vm_check_eq "$S: boot --kmsg, stderr the journal: the kernel log has it again" "0 2" \
		"$RC $(kmsg | grep -cxF "5 $summary")"
	JOURNAL_STREAM=1:1
	run_railup boot
	vm_check_eq "$S: boot, \$JOURNAL_STREAM another stream: the kernel log has it again" "0 3" \
		"$RC $(kmsg | grep -cxF "5 $summary")"
	unset JOURNAL_STREAM
	;;
nolink)
	run_railup boot
	msg="eth7: wait: not ready after 5000 ms: interface eth7 did not appear"
	vm_check_eq "$S: railup boot exits 1" 1 "$RC"
	vm_check "$S: stderr: $msg" has $ERR "railup: $msg"
	kmsg >/tmp/kmsg
	check_kmsg "$S: kmsg at error: $msg" "3 $msg"
	vm_check "$S: stderr: summary" has $ERR "railup: 5 rails: 4 verified, 0 configured, 1 failed"
	check_kmsg "$S: kmsg at error: summary" "3 5 rails: 4 verified, 0 configured, 1 failed"
	for i in 0 1 2 3; do
		check_kmsg "$S: kmsg at info: eth$i: verified" "6 eth$i: verified"
	done
	state
	vm_check_eq "$S: state RAILUP_RESULT RAILS VERIFIED FAILED" "failed 5 4 1" \
		"${RAILUP_RESULT-} ${RAILUP_RAILS-} ${RAILUP_VERIFIED-} ${RAILUP_FAILED-}"
	for i in 0 1 2 3; do
		rail_state $i eth$i verified rxe_eth$i 1 "" ""
	done
	rail_state 4 eth7 failed "" "" wait "not ready after 5000 ms: interface eth7 did not appear"
	# The deadline holds. The wait starts after the modules are loaded (their
	# time varies a lot under TCG), and the four rails are configured inside
	# it as soon as they are ready: from the first "configured" line to the
	# verdict is at most the timeout plus the verification of four rails
	# (tens of ms; 1.5 s allowed). The command as a whole takes at least
	# the timeout, and not absurdly more (a default 60 s timeout, or a
	# timeout per rail, would show).
	vm_check "$S: railup boot took at least the 5 s timeout and < 15 s (${SECS}s)" \
		awk -v s="$SECS" 'BEGIN { exit !(s >= 5.0 && s < 15) }'
	t_conf0=$(kmsg_time "eth0: configured (table 101, priority 1001)")
	t_conf3=$(kmsg_time "eth3: configured (table 104, priority 1004)")
	t_end=$(kmsg_time "5 rails: 4 verified, 0 configured, 1 failed")
	vm_note "kernel log times: eth0 configured $t_conf0, eth3 configured $t_conf3, verdict $t_end"
	vm_check "$S: from eth0 configured to the verdict: at most 5 s + 1.5 s" \
		awk -v a="$t_conf0" -v b="$t_end" 'BEGIN { exit !(a != "" && b != "" && b - a <= 6.5) }'
	vm_check "$S: eth3 configured >= 4 s before the verdict (when ready, not at the deadline)" \
		awk -v a="$t_conf3" -v b="$t_end" 'BEGIN { exit !(a != "" && b != "" && b - a >= 4.0) }'
	vm_check_eq "$S: no rule for eth7 (table 105)" "" "$(ip rule | grep 'lookup 105')"
	run_railup status
	vm_check_eq "$S: railup status exits 1" 1 "$RC"
	vm_check "$S: railup status: eth7: WRONG: interface eth7 not found" \
		has_re $OUT "eth7( [^ ]+)?: WRONG: interface eth7 not found"
	vm_check "$S: railup status: 5 rails: 4 ok, 1 wrong" has $OUT "5 rails: 4 ok, 1 wrong"
	;;
wrongnic)
	no_rdma_yet
	nics_by_init 4
	# RDMA CM's BIND finds the netdev of an IPv4 address with the kernel's
	# __ip_dev_find(): the address hash, newest first. So BIND lands on the
	# NIC that got the address LAST (not on the one whose local route came
	# first). eth0's address goes on eth0, then on eth2: BIND lands on
	# rxe_eth2, and railup, finding the address already on eth0, adds none.
	vm_check "$S: init: 10.0.1.14/24 (eth0's rail address) on eth0, then on eth2" \
		sh -c 'ip addr add 10.0.1.14/24 dev eth0 && ip addr add 10.0.1.14/24 dev eth2'
	# eth1's address only on eth3 (railup adds it to eth1, after: BIND then
	# lands on eth1; what the boot and status make of it must agree).
	vm_check "$S: init: 10.0.2.14/24 (eth1's rail address) on eth3 only" \
		ip addr add 10.0.2.14/24 dev eth3
	# eth3's gateway answers nobody's ARP on an isolated hub: pin it
	vm_check "$S: init: eth3 up, permanent neighbour 10.0.4.1" \
		sh -c 'ip link set eth3 up && arp -i eth3 -s 10.0.4.1 52:54:00:00:04:99'
	run_railup boot
	msg="eth0: verify: RDMA bind: 10.0.1.14 lands on rxe_eth2/1, expected rxe_eth0/1 \([0-9]+ attempts?; the address is also on eth2\)"
	vm_check_eq "$S: railup boot exits 1" 1 "$RC"
	for w in "eth0: address 10.0.1.14 is also on eth2" "eth1: address 10.0.2.14 is also on eth3"; do
		vm_check "$S: stderr: warning: $w" has $ERR "railup: warning: $w"
	done
	vm_check "$S: stderr: eth0: configured anyway" \
		has $ERR "railup: eth0: configured (table 101, priority 1001)"
	vm_check "$S: stderr: $msg" has_re $ERR "railup: $msg"
	kmsg >/tmp/kmsg
	check_kmsg "$S: kmsg at warning: eth0: address 10.0.1.14 is also on eth2" \
		"4 eth0: address 10.0.1.14 is also on eth2"
	vm_check "$S: kmsg at error: $msg" grep -qxE "3 $msg" /tmp/kmsg
	vm_check "$S: stderr: eth1 fails as status would: address also on eth3" \
		has $ERR "railup: eth1: verify: its address is also on eth3"
	vm_check "$S: stderr: summary" has $ERR "railup: 4 rails: 2 verified, 0 configured, 2 failed"
	vm_check_fails "$S: no module missing (the default set is in the image)" \
		grep 'not found' $ERR
	state
	vm_check_eq "$S: state RAILUP_RESULT RAILS VERIFIED FAILED" "failed 4 2 2" \
		"${RAILUP_RESULT-} ${RAILUP_RAILS-} ${RAILUP_VERIFIED-} ${RAILUP_FAILED-}"
	rail_state 0 eth0 failed rxe_eth0 1 verify \
		"RDMA bind: 10.0.1.14 lands on rxe_eth2/1, expected rxe_eth0/1 \([0-9]+ attempts?; the address is also on eth2\)"
	rail_state 1 eth1 failed rxe_eth1 1 verify "its address is also on eth3"
	for i in 2 3; do
		rail_state $i eth$i verified rxe_eth$i 1 "" ""
	done
	rail_objects 1 eth0 10.0.1.14
	rail_objects 2 eth1 10.0.2.14
	vm_check "$S: 10.0.1.14 still on eth2, 10.0.2.14 on eth3 (not railup's to remove)" \
		sh -c "ip -4 addr show dev eth2 | grep -q ' inet 10.0.1.14/24 ' &&
			ip -4 addr show dev eth3 | grep -q ' inet 10.0.2.14/24 '"
	vm_check_eq "$S: table 104: subnet and default route via the gateway" \
		"default via 10.0.4.1 dev eth3  src 10.0.4.14 |10.0.4.0/24 dev eth3 scope link  src 10.0.4.14 |" \
		"$(ip route show table 104 | tr '\n' '|')"
	for m in mlx5_core mlx5_ib ib_ipoib rdma_ucm rdma_rxe crc32_generic; do
		vm_check "$S: $m loaded (railup's default module set + rxe)" loaded $m
	done
	run_railup status
	vm_check_eq "$S: railup status exits 1" 1 "$RC"
	vm_check "$S: railup status: eth0: WRONG: its address is also on eth2" \
		has_re $OUT "eth0( [^ ]+)?: WRONG: its address is also on eth2"
	# eth1: the boot and status must tell the same story: verified <=> ok
	st=$(sed -nE 's/^eth1( [^ ]+)?: (ok|WRONG).*/\2/p' $OUT)
	vm_check_eq "$S: eth1 (address also on eth3): the boot's verdict ($RAIL1_PHASE) and status ($st) agree" \
		"$RAIL1_PHASE/$([ "$RAIL1_PHASE" = verified ] && echo ok || echo WRONG)" "$RAIL1_PHASE/$st"
	vm_check "$S: railup status: eth2 ok" has_re $OUT "eth2( [^ ]+)?: ok"
	vm_check "$S: railup status: eth3 ok" has_re $OUT "eth3( [^ ]+)?: ok"
	;;
nomod)
	vm_check_fails "$S: rdma_ucm is not in the image" sh -c \
		"find /lib/modules -name 'rdma_ucm.ko*' | grep -q ."
	run_railup boot
	vm_check_eq "$S: railup boot exits 1" 1 "$RC"
	w="module rdma_ucm not found: rails that need it will fail"
	vm_check "$S: stderr: warning: $w" has $ERR "railup: warning: $w"
	vm_note "the warning appears $(grep -cxF "railup: warning: $w" $ERR) time(s) on stderr"
	kmsg >/tmp/kmsg
	check_kmsg "$S: kmsg at warning: $w" "4 $w"
	for i in 0 1 2 3; do
		vm_check "$S: stderr: eth$i configured" \
			has $ERR "railup: eth$i: configured (table $((101 + i)), priority $((1001 + i)))"
		vm_check "$S: stderr: eth$i: verify: RDMA CM open: No such file or directory" \
			has $ERR "railup: eth$i: verify: RDMA CM open: No such file or directory"
		check_kmsg "$S: kmsg at error: eth$i: verify: RDMA CM open" \
			"3 eth$i: verify: RDMA CM open: No such file or directory"
	done
	vm_check "$S: stderr: summary" has $ERR "railup: 4 rails: 0 verified, 0 configured, 4 failed"
	check_kmsg "$S: kmsg at error: summary" "3 4 rails: 0 verified, 0 configured, 4 failed"
	state
	vm_check_eq "$S: state RAILUP_RESULT RAILS VERIFIED FAILED" "failed 4 0 4" \
		"${RAILUP_RESULT-} ${RAILUP_RAILS-} ${RAILUP_VERIFIED-} ${RAILUP_FAILED-}"
	for i in 0 1 2 3; do
		rail_state $i eth$i failed rxe_eth$i 1 verify "RDMA CM open: No such file or directory"
		rail_objects $((i + 1)) eth$i 10.0.$((i + 1)).14
	done
	vm_check "$S: rdma_rxe loaded all the same" loaded rdma_rxe
	vm_check_fails "$S: rdma_ucm not loaded" loaded rdma_ucm
	;;
rxetaken)
	nics_by_init 2
	vm_check "$S: init: modprobe rdma_rxe" \
		sh -c 'modprobe crc32_generic && modprobe crc32c_generic && modprobe rdma_rxe'
	vm_check "$S: init: rxe_eth1 on eth0" /sbin/rdma-probe add-rxe rxe_eth1 eth0
	run_railup boot
	msg="eth1: rxe: rdma link add rxe_eth1 type rxe netdev eth1: the name is taken, by the device of eth0"
	vm_check_eq "$S: railup boot exits 1" 1 "$RC"
	vm_check "$S: stderr: $msg" has $ERR "railup: $msg"
	kmsg >/tmp/kmsg
	check_kmsg "$S: kmsg at error: $msg" "3 $msg"
	vm_check "$S: stderr: summary" has $ERR "railup: 2 rails: 1 verified, 0 configured, 1 failed"
	state
	vm_check_eq "$S: state RAILUP_RESULT RAILS VERIFIED FAILED" "failed 2 1 1" \
		"${RAILUP_RESULT-} ${RAILUP_RAILS-} ${RAILUP_VERIFIED-} ${RAILUP_FAILED-}"
	rail_state 0 eth0 verified rxe_eth1 1 "" ""
	rail_state 1 eth1 failed "" "" rxe \
		"rdma link add rxe_eth1 type rxe netdev eth1: the name is taken, by the device of eth0"
	rail_objects 1 eth0 10.0.1.14
	vm_check_eq "$S: no rule for eth1 (table 102)" "" "$(ip rule | grep 'lookup 102')"
	vm_check_eq "$S: the RDMA devices: rxe_eth1 alone" "rxe_eth1" "$(ls /sys/class/infiniband)"
	;;
off)
	no_rdma_yet
	nics_by_init 4
	snapshot >/tmp/before
	run_railup boot
	vm_check_eq "$S: railup boot exits 0" 0 "$RC"
	vm_check_eq "$S: stderr: only 'disabled by rd.rail=0'" "railup: disabled by rd.rail=0" "$(cat $ERR)"
	kmsg >/tmp/kmsg
	vm_check_eq "$S: kmsg: only 'disabled by rd.rail=0' at notice" "5 disabled by rd.rail=0" \
		"$(cat /tmp/kmsg)"
	state
	vm_check_eq "$S: state RAILUP_RESULT RAILS" "disabled 0" "${RAILUP_RESULT-} ${RAILUP_RAILS-}"
	vm_check_fails "$S: no /run/railup/owned" test -e /run/railup/owned
	snapshot >/tmp/after
	if cmp -s /tmp/before /tmp/after; then
		vm_pass "$S: addresses, links, rules, routes, sysctls, RDMA devices, modules unchanged"
	else
		vm_fail "$S: something changed"
		diff /tmp/before /tmp/after | sed 's/^/VM-NOTE   /'
	fi
	vm_check "$S: the snapshot saw the 4 NICs" grep -q '^5: eth3:' /tmp/before
	;;
*)
	vm_fail "unknown scenario '$S'"
	;;
esac
vm_pass "$S: guest body ran to the end"
EOF

# --- images --------------------------------------------------------------------------
# A: the default closure plus mlx5_ib (so railup's default module set loads
# for real); B: without rdma_ucm.
t=$(now)
VM_EXTRA_MODULES="mlx5_ib" vm_test_initramfs "$work/a.cpio.gz" "$work/body.sh" \
	"$railup:/sbin/railup" "$probe:/sbin/rdma-probe" &
pa=$!
VM_OMIT_MODULES="rdma_ucm" vm_test_initramfs "$work/b.cpio.gz" "$work/body.sh" \
	"$railup:/sbin/railup" &
pb=$!
if wait $pa && wait $pb; then
	ok "initramfs images built in $(since "$t")s"
else
	bad "initramfs build failed"
	finish
fi
vm_kernel || { bad "no kernel"; finish; }

# --- boots -----------------------------------------------------------------------------
R4="rd.rail=eth0:10.0.1.14/24,rxe=1 rd.rail=eth1:10.0.2.14/24,rxe=1"
R4="$R4 rd.rail=eth2:10.0.3.14/24,rxe=1 rd.rail=eth3:10.0.4.14/24,rxe=1"
MODS="rd.rail.modules=virtio_pci,virtio_net,rdma_ucm"
# name image nics min-checks cmdline
scenarios=(
	"happy a 4 77 ${R4/eth1:10.0.2.14\/24,rxe=1/eth1:10.0.2.14/24,rxe=1,mtu=4200} $MODS"
	"nolink a 4 29 rd.rail=eth0:10.0.1.14/24 rd.rail=eth1:10.0.2.14/24 rd.rail=eth2:10.0.3.14/24 rd.rail=eth3:10.0.4.14/24 rd.rail=eth7:10.0.8.14/24 rd.rail.rxe=1 rd.rail.timeout=5 $MODS"
	"wrongnic a 4 45 rd.rail=eth0:10.0.1.14/24,rxe=1 rd.rail=eth1:10.0.2.14/24,rxe=1 rd.rail=eth2:10.0.3.14/24,rxe=1 rd.rail=eth3:10.0.4.14/24:10.0.4.1,rxe=1 rd.rail.verify_timeout=3"
	"nomod b 4 47 $R4 $MODS"
	"rxetaken a 2 20 rd.rail=eth0:10.0.1.14/24,rxe=1 rd.rail=eth1:10.0.2.14/24,rxe=1 $MODS"
	"off a 4 12 $R4 rd.rail=0"
)

boot_one() {
	local name=$1 image=$2 nics=$3 cmdline=$4 rc
	vm_run "$work/$image.cpio.gz" "boot_scenario=$name $cmdline" "$nics" 150 \
		"$work/$name.log"
	rc=$?
	echo "$rc $VM_RUN_SECONDS" >"$work/$name.rc"
}

jobs_max=${BOOT_JOBS:-2}
for s in "${scenarios[@]}"; do
	read -r name image nics _ cmdline <<<"$s"
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
		wait -n
	done
	boot_one "$name" "$image" "$nics" "$cmdline" &
done
wait

for s in "${scenarios[@]}"; do
	read -r name _ _ min cmdline <<<"$s"
	log=$work/$name.log
	read -r rc secs <"$work/$name.rc" 2>/dev/null || rc=126 secs='?'
	vm_relay "$log" "$rc" "$secs" "$min" "$name: " ||
		echo "--- kernel command line: $cmdline"
done

finish
