#!/usr/bin/env bash
# tests/initramfs/initramfs-tools-boot.sh - railup in an initramfs built by
# Debian's real mkinitramfs (initramfs-tools-core) for Debian's stock kernel
# (tests/vm/lib.sh vm_kernel, not the host's), booted under qemu TCG.
#
# The image: in a private mount namespace (tests/initramfs/lib.sh
# it_private_root) "make install" goes into throwaway overlays of /usr and
# /etc (railup, the hook, the boot script, where a node has them), the
# unpacked kernel's module tree is bind-mounted at /lib/modules/<version>
# and its config put in /boot (mkinitramfs reads both there), an
# /etc/railup.conf moves the tables and priorities (201.., 2001..), and
# mkinitramfs runs with a private confdir (-d: MODULES=list, the virtio and
# ext4 modules for the test VM). The host's /usr, /etc, /lib, /boot never
# change. Checked in the image: railup, the conf, the boot script in
# init-premount's ORDER, the RDMA modules (mlx5, IPoIB, RDMA CM, rxe, crc32).
#
# The root: an ext4 image (mke2fs -d) whose /sbin/init (busybox) prints
# /run/railup/state as the real root sees it, the rules and the routes,
# then "VM-RESULT rc=0" and powers off. root=/dev/vda, NICs on isolated
# hubs (tests/vm/lib.sh vm_run), rails found by MAC (the initramfs's udev
# may rename the NICs).
#   ok        two Soft-RoCE rails (rxe=1), rd.rail.policy=halt: the root
#             sees RAILUP_RESULT=ok, both rails verified, rules 2001/2002
#             to tables 201/202 (from the conf in the image); railup ran
#             inside "Running /scripts/init-premount", before "Mounting
#             root file system".
#   continue  a required rail whose NIC never appears (rd.rail.timeout=3):
#             the loud message, and the root is reached with
#             RAILUP_RESULT=failed, RAILUP_POLICY=continue.
#   halt      the same with rd.rail.policy=halt: panic (panic=-1 reboots at
#             once), the root is never mounted.
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/initramfs/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/vm/lib.sh
. "$IT_REPO/tests/vm/lib.sh"

it_need_root
t0=$(it_now)
it_workdir itools-boot
W=$IT_WORK

# --- host tools -------------------------------------------------------------------
missing=
command -v mkinitramfs >/dev/null 2>&1 || missing="$missing initramfs-tools-core"
command -v mke2fs >/dev/null 2>&1 || missing="$missing e2fsprogs"
if [ -n "$missing" ]; then
	echo "installing:$missing"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1
		  # shellcheck disable=SC2086
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1; }
fi
it_check "mkinitramfs is installed" which mkinitramfs >/dev/null
it_check "mke2fs is installed" which mke2fs >/dev/null
vm_kernel || { it_bad "vm_kernel failed"; it_finish; }
it_ok "Debian kernel $VM_KVER"
[ -x "$IT_REPO/early/railup" ] || make -s -C "$IT_REPO" early/railup >/dev/null ||
	{ it_bad "make early/railup failed"; it_finish; }

# --- the initramfs ----------------------------------------------------------------
conf=$W/confdir
mkdir -p "$conf"/{conf.d,hooks,scripts}
cat >"$conf/initramfs.conf" <<'EOF'
MODULES=list
BUSYBOX=y
KEYMAP=n
COMPRESS=gzip
DEVICE=
NFSROOT=auto
RUNSIZE=10%
FSTYPE=ext4
EOF
printf '%s\n' virtio_pci virtio_blk virtio_net ext4 >"$conf/modules"

cat >"$W/build.sh" <<'EOF_BUILD'
. "$IT_DIR/lib.sh"
it_install || exit 1
printf '%s\n' '# railup test map: the command line names the rails' \
	'rd.rail.table=201 rd.rail.priority=2001' >/etc/railup.conf
cp "$VM_KROOT/boot/config-$VM_KVER" /boot/ || exit 1
mkdir -p "/usr/lib/modules/$VM_KVER" || exit 1
mount --bind "$VM_MODDIR" "/usr/lib/modules/$VM_KVER" &&
	mount -o remount,ro,bind "/usr/lib/modules/$VM_KVER" || exit 1
mkdir -p "$IT_WORK/ns/tmp"
TMPDIR=$IT_WORK/ns/tmp mkinitramfs -d "$CONFDIR" -o "$IT_WORK/initrd.img" "$VM_KVER" &&
	echo "ok: mkinitramfs -d CONFDIR -o initrd.img $VM_KVER"
EOF_BUILD
t=$(it_now)
before=$(it_host_paths)
IT_DIR=$IT_DIR IT_REPO=$IT_REPO IT_CACHE=$IT_CACHE IT_WORK=$W VM_KVER=$VM_KVER VM_KROOT=$VM_KROOT \
	VM_MODDIR=$VM_MODDIR CONFDIR=$conf \
	it_private_root "$W/ns" bash "$W/build.sh" >"$W/build.out" 2>&1
while IFS= read -r line; do
	case $line in
	"ok: "*) it_ok "build: ${line#ok: }" ;;
	"FAIL: "*) it_bad "build: ${line#FAIL: }" ;;
	*) echo "  $line" ;;
	esac
done <"$W/build.out"
[ -s "$W/initrd.img" ] || { it_bad "no initramfs built"; it_finish; }
it_ok "initramfs built in $(it_since "$t")s ($(du -k "$W/initrd.img" | cut -f1) KiB)"
it_lacks "the hook printed no warning" "$W/build.out" '^W: railup'
it_check "the host's /usr, /etc, /lib/modules, /boot are as they were" test "$before" = "$(it_host_paths)"

lsinitramfs "$W/initrd.img" >"$W/list" 2>&1
mkdir -p "$W/unpacked"
unmkinitramfs "$W/initrd.img" "$W/unpacked" >/dev/null 2>&1
u=$W/unpacked
[ -d "$u/main" ] && u=$u/main
it_has "image: usr/sbin/railup" "$W/list" '^usr/sbin/railup$'
it_check "image: railup is the static binary of the tree" cmp -s "$u/usr/sbin/railup" "$IT_REPO/early/railup"
it_has "image: etc/railup.conf" "$W/list" '^etc/railup.conf$'
it_check "image: the conf is the node's" grep -q '^rd.rail.table=201' "$u/etc/railup.conf"
it_check "image: scripts/init-premount/railup is the tree's" \
	cmp -s "$u/scripts/init-premount/railup" "$IT_REPO/initramfs-tools/scripts/init-premount/railup"
it_has "image: init-premount's ORDER runs railup" "$u/scripts/init-premount/ORDER" \
	'^/scripts/init-premount/railup "\$@"$'
for m in mlx5_core mlx5_ib ib_ipoib rdma_ucm rdma_cm ib_core ib_uverbs rdma_rxe crc32_generic \
	crc32-pclmul virtio_net virtio_blk ext4; do
	it_has "image: module $m" "$W/list" "/$m\\.ko"
done
it_has "image: udev (the NIC drivers, before init-premount)" "$W/list" 'systemd-udevd$'
it_has "image: busybox" "$W/list" '^usr/bin/busybox$'

# --- the root file system ------------------------------------------------------------
r=$W/rootfs
mkdir -p "$r"/{bin,sbin,dev,proc,sys,run,tmp,root,etc}
cp "$(command -v busybox)" "$r/bin/busybox"
for l in $(busybox --list); do
	[ "$l" = busybox ] || ln -s busybox "$r/bin/$l"
done
cat >"$r/sbin/init" <<'EOF'
#!/bin/busybox sh
# the real root's init: what it sees of railup's boot, then power off
export PATH=/bin
echo "ROOT-REACHED"
if [ -r /run/railup/state ]; then
	sed 's/^/ROOT-STATE /' /run/railup/state
else
	echo "ROOT-STATE none"
fi
ip -4 rule show | sed 's/^/ROOT-RULE /'
for t in 201 202; do
	ip -4 route show table $t | sed "s/^/ROOT-ROUTE $t /"
done
echo 1 >/proc/sys/kernel/printk
printf '\nVM-RESULT rc=0\n'
sync
poweroff -f
EOF
chmod 755 "$r/sbin/init"
it_check "root image (mke2fs -d)" \
	sh -c 'mke2fs -q -t ext4 -L railroot -d "$1" -F "$2" 24M >/dev/null 2>&1' _ "$r" "$W/root.img"

# --- the boots ---------------------------------------------------------------------
VM_NIC_WIRING=isolated
VM_CMDLINE_BASE="console=ttyS0 panic=-1 oops=panic loglevel=4 root=/dev/vda rootfstype=ext4 ro fsck.mode=skip"
VM_QEMU_EXTRA="-drive file=$W/root.img,format=raw,if=virtio,snapshot=on"
mac() { printf '52:54:00:00:00:%02x' "$1"; }

# boot NAME NICS CMDLINE: vm_run in the background, the console in
# $W/NAME.log; boot_wait NAME: wait for it; rc_NAME is vm_run's status and
# $W/NAME.txt the console without CRs. The test runs at most two at once.
boot() {
	local name=$1 nics=$2 cmdline=$3
	(
		vm_run "$W/initrd.img" "$cmdline" "$nics" 180 "$W/$name.log"
		echo "$? $VM_RUN_SECONDS" >"$W/$name.rc"
	) &
	eval "boot_pid_$name=\$!"
}
boot_wait() {
	local pid rc secs
	eval "pid=\$boot_pid_$1"
	wait "$pid"
	read -r rc secs <"$W/$1.rc" || rc=126 secs=?
	eval "rc_$1=\$rc"
	tr -d '\r' <"$W/$1.log" >"$W/$1.txt"
	echo "  boot $1: ${secs}s, vm_run rc=$rc"
}
# in_order FILE A B C: fixed strings A, B, C appear in FILE in this order
in_order() {
	awk -v a="$2" -v b="$3" -v c="$4" '
		BEGIN { RS = "^$" }
		{ i = index($0, a); j = index($0, b); k = index($0, c)
		  exit !(i && j && k && i < j && j < k) }' "$1"
}

# ok: two Soft-RoCE rails, halt policy (not triggered);
# continue: a required rail that never appears; halt: the same, halting
tb=$(it_now)
boot ok 2 "rd.rail=r0:10.0.1.14/24,mac=$(mac 1),rxe=1 rd.rail=r1:10.0.2.14/24,mac=$(mac 2),rxe=1 rd.rail.policy=halt"
boot continue 1 "rd.rail=r0:10.0.9.14/24,mac=$(mac 9) rd.rail.timeout=3"
boot_wait ok
boot halt 1 "rd.rail=r0:10.0.9.14/24,mac=$(mac 9) rd.rail.timeout=3 rd.rail.policy=halt"
boot_wait continue
boot_wait halt
echo "  three boots in $(it_since "$tb")s"

t=$W/ok.txt
it_check "ok: the root was reached (vm_run rc=0)" test "$rc_ok" = 0
it_has "ok: root sees RAILUP_RESULT=ok" "$t" "^ROOT-STATE RAILUP_RESULT='ok'$"
it_has "ok: root sees RAILUP_POLICY=halt" "$t" "^ROOT-STATE RAILUP_POLICY='halt'$"
it_has "ok: 2 rails verified" "$t" '^ROOT-STATE RAILUP_VERIFIED=2$'
it_has "ok: r0 verified" "$t" "^ROOT-STATE RAIL0_PHASE='verified'$"
it_has "ok: r1 verified" "$t" "^ROOT-STATE RAIL1_PHASE='verified'$"
it_has "ok: r0 is on an rxe device" "$t" "^ROOT-STATE RAIL0_IBDEV='rxe"
it_has "ok: rule 2001 from r0's address to table 201 (conf in the image)" "$t" \
	'^ROOT-RULE 2001:[[:space:]]+from 10\.0\.1\.14 lookup 201'
it_has "ok: rule 2002 from r1's address to table 202" "$t" \
	'^ROOT-RULE 2002:[[:space:]]+from 10\.0\.2\.14 lookup 202'
it_has "ok: table 201 holds r0's subnet" "$t" '^ROOT-ROUTE 201 10\.0\.1\.0/24 dev .* src 10\.0\.1\.14'
it_has "ok: table 202 holds r1's subnet" "$t" '^ROOT-ROUTE 202 10\.0\.2\.0/24 dev .* src 10\.0\.2\.14'
it_check "ok: railup ran inside init-premount, before the root was mounted" \
	in_order "$t" "Running /scripts/init-premount" "2 rails: 2 verified" "Mounting root file system"
it_lacks "ok: no loud message" "$t" 'BOOT PROBLEM'

t=$W/continue.txt
it_check "continue: the root was reached (vm_run rc=0)" test "$rc_continue" = 0
it_has "continue: root sees RAILUP_RESULT=failed" "$t" "^ROOT-STATE RAILUP_RESULT='failed'$"
it_has "continue: root sees RAILUP_POLICY=continue" "$t" "^ROOT-STATE RAILUP_POLICY='continue'$"
it_has "continue: r0 failed" "$t" "^ROOT-STATE RAIL0_PHASE='failed'$"
it_has "continue: the loud message" "$t" '^railup: BOOT PROBLEM: required rails failed'
it_has "continue: names the rail" "$t" '^railup: +r0: wait: '
it_has "continue: says the boot goes on" "$t" '^railup: rd\.rail\.policy=continue: the boot goes on WITHOUT'
it_check "continue: the message comes before the root mount" \
	in_order "$t" "Running /scripts/init-premount" "BOOT PROBLEM" "ROOT-REACHED"

t=$W/halt.txt
it_check "halt: no VM-RESULT: the root never ran (vm_run rc=125)" test "$rc_halt" = 125
it_lacks "halt: the root was not reached" "$t" '^ROOT-REACHED'
it_lacks "halt: the root file system was not mounted" "$t" 'Mounting root file system'
it_has "halt: the loud message" "$t" '^railup: BOOT PROBLEM: required rails failed'
it_has "halt: says the boot stops" "$t" '^railup: rd\.rail\.policy=halt: the boot stops here'
it_has "halt: initramfs-tools' panic took over (panic=-1)" "$t" \
	'Rebooting automatically due to panic= boot argument'
it_check "halt: panic came from the railup script" \
	in_order "$t" "railup: rd.rail.policy=halt" "railup: required rails failed (rd.rail.policy=halt)" \
	"Rebooting automatically"

echo "total $(it_since "$t0")s"
it_finish
