# shellcheck shell=bash
# tests/boot/lib.sh - real boots for railup's initramfs integration: images
# built by Debian's dracut (dracut-core, dracut-network) for Debian's stock
# kernel (tests/vm/lib.sh: the linux-image package unpacked, never the
# host's /lib/modules), from railup as `make install DESTDIR=...` installs
# it, booted under qemu (TCG) with a real root file system on a virtio disk.
#
# Source it from a bash test script:
#   . "$(dirname "$0")/lib.sh"
#   boot_setup                      # packages, kernel, make install, work dir
#   boot_initramfs plain "$work/initrd.img"
#   boot_root_busybox "$work/root.img"
#   boot_vm NAME INITRD ROOT "CMDLINE" [WATCH-ERE]
#
# Functions:
#   boot_deps         install what the tests need and is missing (apt-get
#                     install --no-install-recommends): dracut-core,
#                     dracut-network (ifname=, netroot), e2fsprogs (mke2fs -d),
#                     cpio, systemd (systemd-analyze; dracut's systemd
#                     modules copy the host's systemd into the image),
#                     nbd-client and isc-dhcp-client (dracut's nbd root and
#                     its DHCP), nbdkit (the network root's server).
#   boot_setup        boot_deps, vm_kernel, $work (deleted by boot_finish
#                     unless a check failed or BOOT_KEEP=1), $stage: make
#                     install DESTDIR=$stage.
#   boot_initramfs MODE OUT
#                     dracut --no-hostonly --kver $VM_KVER --kmoddir $VM_MODDIR
#                     with railup's module from $stage (a private dracut base
#                     directory whose modules.d holds the stock modules plus
#                     $stage's 90railup; railup found through DRACUT_PATH).
#                     MODE plain: no systemd (network-legacy); systemd:
#                     systemd, systemd-networkd in the image. Cached under
#                     .cache/boot by a hash of every input (kernel, dracut and
#                     systemd package versions, $stage, this file).
#   boot_root_busybox OUT
#                     an ext4 image (mke2fs -d, no mounting): static busybox,
#                     /sbin/init = guest-root-init.sh running guest-checks.sh,
#                     railup and rt_protos.d from $stage.
#   boot_root_systemd OUT INITRD
#                     an ext4 image of a systemd system: the systemd
#                     initramfs's own tree (systemd, udevd, networkd, ip, the
#                     libraries: dracut already gathered them from the host's
#                     packages) made a normal system (no initrd-release,
#                     default.target = multi-user.target), with $stage
#                     installed over it, railup.service, railup-early.service
#                     and systemd-networkd enabled, and railup-vmcheck.service
#                     running guest-checks.sh after railup.service.
#   boot_vm NAME INITRD ROOT CMDLINE [WATCH]
#                     boot with ROOT as a virtio disk (snapshot=on: the image
#                     is never written) and 3 NICs, each alone on its hub
#                     (tests/vm/lib.sh): ib0 and ib1 (ifname=), the rails,
#                     and a management NIC (52:54:00:00:00:03). ROOT
#                     nbd:IMAGE: the root on NBD instead, served over the
#                     management NIC (see _boot_nbd). Sets NAME's log to $work/NAME.log and
#                     writes "rc seconds" to $work/NAME.rc. With WATCH (an
#                     ERE), the VM is stopped once a console line matches it
#                     (an emergency shell waits for input forever); rc is then
#                     "watched".
#   boot_checks NAME  turn NAME's VM-CHECK lines into ok/bad lines.
#   ok/bad/note/finish  as tests/vm/boot.sh has them.

BOOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Each NIC alone on its own hub, nothing else: no path out of the VM.
VM_NIC_WIRING=isolated
VM_QEMU_EXTRA=
# shellcheck source=tests/vm/lib.sh
. "$BOOT_DIR/../vm/lib.sh"
# shellcheck source=tests/checks.sh
. "$BOOT_DIR/../checks.sh"
keep=${BOOT_KEEP:-0}
: "${BOOT_CACHE:=$VM_REPO/.cache/boot}"

note() { echo "note: $*"; }

boot_deps() {
	local missing='' p
	command -v dracut >/dev/null || missing="$missing dracut-core"
	[ -d /usr/lib/dracut/modules.d/40network ] || missing="$missing dracut-network"
	command -v mke2fs >/dev/null || missing="$missing e2fsprogs"
	command -v cpio >/dev/null || missing="$missing cpio"
	command -v systemd-analyze >/dev/null && [ -x /lib/systemd/systemd ] ||
		missing="$missing systemd"
	command -v make >/dev/null || missing="$missing make"
	# the network root: dracut's nbd module, its DHCP, the server
	command -v nbd-client >/dev/null || missing="$missing nbd-client"
	command -v dhclient >/dev/null || missing="$missing isc-dhcp-client"
	command -v nbdkit >/dev/null || missing="$missing nbdkit"
	[ -z "$missing" ] && return 0
	[ "$(id -u)" = 0 ] || { echo "missing packages:$missing (not root)" >&2; return 1; }
	echo "installing:$missing" >&2
	# shellcheck disable=SC2086
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		$missing >&2; then
		apt-get update -q >&2 || true
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			$missing >&2 || return 1
	fi
	for p in dracut mke2fs cpio systemd-analyze nbd-client dhclient nbdkit; do
		command -v $p >/dev/null || { echo "still no $p" >&2; return 1; }
	done
}

boot_setup() {
	local t
	t=$(now)
	if boot_deps && vm_kernel; then
		ok "packages and kernel $VM_KVER ready ($(since "$t")s)"
	else
		bad "boot_deps / vm_kernel failed"
		work=
		finish
	fi
	mkdir -p "$VM_CACHE/tmp" "$BOOT_CACHE" || exit 1
	work=$(mktemp -d "$VM_CACHE/tmp/boot-$(basename "$0" .sh).XXXXXX") || exit 1
	stage=$work/stage
	if make -s -C "$VM_REPO" install DESTDIR="$stage" >"$work/install.log" 2>&1 &&
		[ -x "$stage/usr/sbin/railup" ]; then
		ok "make install DESTDIR=\$stage"
	else
		bad "make install DESTDIR=\$stage failed:"
		cat "$work/install.log"
		finish
	fi
}

# A hash of everything an image is built from.
_boot_key() {
	{
		echo "$VM_KVER $*"
		dpkg-query -W dracut-core dracut-network systemd udev busybox-static e2fsprogs \
			nbd-client isc-dhcp-client \
			2>/dev/null
		(cd "$stage" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
		(cd "$stage" && find . -type l -printf '%p -> %l\n' | LC_ALL=C sort)
		cat "$BOOT_DIR/lib.sh"
		case $1 in root*) cat "$BOOT_DIR"/guest-*.sh "$VM_REPO/tests/vm/guest.sh" ;; esac
	} | sha256sum | cut -c1-16
}

# _boot_cached NAME KEY OUT: copy a cached NAME-KEY to OUT if there.
_boot_cached() {
	[ -s "$BOOT_CACHE/$1-$2" ] && cp "$BOOT_CACHE/$1-$2" "$3"
}
# _boot_store NAME KEY FILE: keep FILE as the only cached NAME.
_boot_store() {
	rm -f "$BOOT_CACHE/$1"-*
	cp "$3" "$BOOT_CACHE/$1-$2.tmp" && mv "$BOOT_CACHE/$1-$2.tmp" "$BOOT_CACHE/$1-$2"
}

_boot_dracutbase() {
	local base=$1 f
	mkdir -p "$base/modules.d" "$base/conf.d" || return 1
	for f in /usr/lib/dracut/*; do
		[ "${f##*/}" = modules.d ] || ln -sfn "$f" "$base/"
	done
	for f in /usr/lib/dracut/modules.d/*; do
		[ "${f##*/}" = 90railup ] || ln -sfn "$f" "$base/modules.d/"
	done
	ln -sfn "$stage/usr/lib/dracut/modules.d/90railup" "$base/modules.d/90railup"
}

boot_initramfs() {
	local mode=$1 out=$2 key mods omit t
	key=$(_boot_key "initramfs $mode")
	if _boot_cached "initramfs-$mode" "$key" "$out"; then
		ok "initramfs ($mode): cached"
		return 0
	fi
	case $mode in
	plain) mods="base bash network network-legacy rootfs-block nbd railup" ;;
	systemd) mods="base bash systemd systemd-initrd dracut-systemd network systemd-networkd rootfs-block railup" ;;
	*) bad "boot_initramfs: mode $mode?"; return 1 ;;
	esac
	# dracut's network module brings every wired NIC driver; the VM has
	# virtio only (mlx5_core stays: railup's default module set). Also
	# left out: the pclmul/intel crc variants, which do not work under TCG.
	omit=$(awk -F: '$1 ~ /drivers\/net\/(ethernet|phy|usb|wan|team)\// {
		n = $1; sub(/.*\//, "", n); sub(/\.ko.*/, "", n); gsub(/-/, "_", n)
		if (n != "mlx5_core" && n != "mlxfw") print n }' "$VM_MODDIR/modules.dep" | tr '\n' ' ')
	_boot_dracutbase "$work/dracut" || return 1
	# A slow udev, when the kernel command line says railup_test_udevslow: a
	# new NIC's event (and so its rename) held for 3 s, as on a busy node.
	printf '%s\n' 'ACTION=="add", SUBSYSTEM=="net", IMPORT{cmdline}="railup_test_udevslow"' \
		'ACTION=="add", SUBSYSTEM=="net", ENV{railup_test_udevslow}=="?*", PROGRAM="/bin/sleep 3"' \
		>"$work/05-railup-test-udevslow.rules"
	t=$(now)
	if DRACUT_PATH="$stage/usr/sbin /usr/sbin /usr/bin /sbin /bin" dracutbasedir="$work/dracut" \
		dracut --no-hostonly --conf /dev/null --confdir "$work/dracut/conf.d" \
		--kver "$VM_KVER" --kmoddir "$VM_MODDIR" -m "$mods" \
		--omit-drivers "$omit crc32_pclmul crc32c_intel" \
		--add-drivers "virtio_pci virtio_net virtio_blk ext4" \
		--include "$work/05-railup-test-udevslow.rules" /etc/udev/rules.d/05-railup-test-udevslow.rules \
		--no-early-microcode --compress "gzip -1" --tmpdir "$work" \
		-f "$out" >"$work/dracut-$mode.log" 2>&1; then
		ok "initramfs ($mode): dracut $(dracut --version 2>/dev/null | cut -d' ' -f2), $(du -m "$out" | cut -f1) MiB in $(since "$t")s"
		_boot_store "initramfs-$mode" "$key" "$out"
	else
		bad "initramfs ($mode): dracut failed:"
		grep -v '^dracut: \*\*\*' "$work/dracut-$mode.log" | tail -n 30
		return 1
	fi
}

_boot_busybox_tree() {
	local dir=$1 l
	mkdir -p "$dir/vm/bin" || return 1
	cp "$(command -v busybox)" "$dir/vm/busybox" || return 1
	for l in $("$dir/vm/busybox" --list); do
		ln -sf ../busybox "$dir/vm/bin/$l"
	done
	cp "$VM_REPO/tests/vm/guest.sh" "$dir/vm/guest.sh" &&
		cp "$BOOT_DIR/guest-checks.sh" "$dir/vm/checks.sh"
}

boot_root_busybox() {
	local out=$1 key dir l
	key=$(_boot_key "root busybox")
	if _boot_cached root-busybox "$key" "$out"; then
		ok "root (busybox): cached"
		return 0
	fi
	dir=$work/root-busybox
	rm -rf "$dir"
	mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,run,tmp,etc,root,mnt} || return 1
	_boot_busybox_tree "$dir" || return 1
	for l in $(busybox --list-full); do
		[ -e "$dir/$l" ] || ln -s /vm/busybox "$dir/$l"
	done
	rm -f "$dir/sbin/init"
	cp "$BOOT_DIR/guest-root-init.sh" "$dir/sbin/init" && chmod 0755 "$dir/sbin/init" || return 1
	cp -a "$stage/usr/sbin/railup" "$dir/usr/sbin/" && cp -a "$stage/etc/iproute2" "$dir/etc/" ||
		return 1
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$dir/etc/passwd"
	if mke2fs -q -F -t ext4 -L root -d "$dir" "$out.tmp" 64M >"$work/mke2fs.log" 2>&1; then
		mv "$out.tmp" "$out"
		ok "root (busybox): $(du -m "$out" | cut -f1) MiB ext4"
		_boot_store root-busybox "$key" "$out"
		rm -rf "$dir"
	else
		bad "root (busybox): mke2fs failed"
		cat "$work/mke2fs.log"
		return 1
	fi
}

boot_root_systemd() {
	local out=$1 initrd=$2 key dir u
	key=$(_boot_key "root systemd $(sha256sum <"$initrd")")
	if _boot_cached root-systemd "$key" "$out"; then
		ok "root (systemd): cached"
		return 0
	fi
	dir=$work/root-systemd
	rm -rf "$dir"
	mkdir -p "$dir" || return 1
	(cd "$dir" && zcat "$initrd" | cpio -idm --quiet) || { bad "root (systemd): unpacking failed"; return 1; }
	# a normal system, not an initrd
	rm -f "$dir/etc/initrd-release" "$dir/usr/lib/initrd-release" "$dir/init"
	ln -sfn ../usr/lib/os-release "$dir/etc/os-release"
	printf 'ID=debian\nNAME="railup test root"\n' >"$dir/usr/lib/os-release"
	ln -sfn /usr/lib/systemd/system/multi-user.target "$dir/etc/systemd/system/default.target"
	rm -f "$dir/usr/lib/systemd/system/default.target"
	ln -sfn /usr/lib/systemd/systemd "$dir/sbin/init" 2>/dev/null ||
		ln -sfn /usr/lib/systemd/systemd "$dir/usr/sbin/init"
	: >"$dir/etc/machine-id"
	# the map for the boots without rd.rail (systemd-root)
	echo 'rd.rail=ib0:10.0.1.14/24,rxe=1 rd.rail=ib1:10.0.2.14/24,rxe=1' >"$dir/etc/railup.conf"
	# a hardened image's sysctl.d: systemd-sysctl writes these globs to
	# every interface, at boot and for each one udev adds (the coldplug's too)
	mkdir -p "$dir/etc/sysctl.d"
	printf 'net.ipv4.conf.*.rp_filter = 1\nnet.ipv4.conf.*.arp_ignore = 0\n' \
		>"$dir/etc/sysctl.d/50-hardened.conf"
	# railup as the package installs it, over the tree
	cp -a "$stage/." "$dir/" || return 1
	_boot_busybox_tree "$dir" || return 1
	cat >"$dir/usr/lib/systemd/system/railup-vmcheck.service" <<-'EOF'
		[Unit]
		Description=railup test: checks in the real root, then power off
		After=railup.service railup-early.service railup-watch.service network-online.target systemd-networkd.service
		Wants=network-online.target

		[Service]
		Type=oneshot
		ExecStart=/vm/busybox sh /vm/checks.sh
		StandardOutput=tty
		StandardError=tty
		TTYPath=/dev/console

		[Install]
		WantedBy=multi-user.target
	EOF
	for u in railup.service railup-early.service railup-watch.service systemd-networkd.service \
		railup-vmcheck.service; do
		systemctl --root="$dir" -q enable "$u" || { bad "root (systemd): enable $u failed"; return 1; }
	done
	# enabled along with networkd: wait-online would wait 2 minutes for
	# links no .network file asks for; the generator already ran in the
	# initramfs
	systemctl --root="$dir" -q mask systemd-networkd-wait-online.service \
		systemd-network-generator.service || return 1
	# networkd configures the management NIC (the third, no address): that
	# is when it deletes the rules and routes it did not make
	mkdir -p "$dir/etc/systemd/network"
	printf '[Match]\nMACAddress=52:54:00:00:00:03\n\n[Network]\nLinkLocalAddressing=no\n' \
		>"$dir/etc/systemd/network/10-mgmt.network"
	if mke2fs -q -F -t ext4 -L root -d "$dir" "$out.tmp" 256M >"$work/mke2fs.log" 2>&1; then
		mv "$out.tmp" "$out"
		ok "root (systemd): $(du -m "$out" | cut -f1) MiB ext4 from the systemd initramfs's tree"
		_boot_store root-systemd "$key" "$out"
		rm -rf "$dir"
	else
		bad "root (systemd): mke2fs failed"
		cat "$work/mke2fs.log"
		return 1
	fi
}

# The kernel command line every boot gets after its root's: the rails' names.
BOOT_CMDLINE_BASE="ifname=ib0:52:54:00:00:00:01 ifname=ib1:52:54:00:00:00:02"

# _boot_nbd IMAGE: a network root instead of the disk. The management NIC
# (52:54:00:00:00:03, named mgmt) goes through qemu's user-mode network,
# restricted (nothing reaches the host or beyond) but for one forward:
# 10.9.0.100:10809 is nbdkit serving IMAGE on its standard input and output,
# writes kept in memory (cow). Sets VM_QEMU_EXTRA and boot_root_args.
_boot_nbd() {
	local serve=$work/nbd-serve
	# (qemu hands the command the connection as its stderr too: kept apart)
	printf '#!/bin/sh\nexec nbdkit --single --filter=cow file %s 2>>%s\n' "$1" \
		"$work/nbdkit.log" >"$serve"
	chmod +x "$serve"
	VM_QEMU_EXTRA="-device virtio-net-pci,netdev=mgmt,mac=52:54:00:00:00:03 -netdev"
	VM_QEMU_EXTRA+=" user,id=mgmt,restrict=on,ipv6=off,net=10.9.0.0/24,guestfwd=tcp:10.9.0.100:10809-cmd:$serve"
	boot_root_args="root=nbd:10.9.0.100:10809 rw ifname=mgmt:52:54:00:00:00:03 ip=mgmt:dhcp"
}

# boot_vm NAME INITRD ROOT CMDLINE [WATCH]: ROOT is an image for the virtio
# disk, or nbd:IMAGE for a network root (_boot_nbd).
boot_vm() {
	local name=$1 initrd=$2 root=$3 cmdline=$4 watch=${5:-} log=$work/$1.log bg kid rc
	local boot_root_args="root=/dev/vda rw" nics=3
	VM_QEMU_EXTRA="-drive file=$root,format=raw,if=virtio,snapshot=on"
	case $root in nbd:*) _boot_nbd "${root#nbd:}"; nics=2 ;; esac
	cmdline="boot_test=$name $boot_root_args $BOOT_CMDLINE_BASE $cmdline"
	if [ -z "$watch" ]; then
		vm_run "$initrd" "$cmdline" $nics 240 "$log"
		echo "$? $VM_RUN_SECONDS" >"$work/$name.rc"
		return
	fi
	# Stop the VM once WATCH shows on the console: an emergency shell
	# waits for input forever.
	local t0
	t0=$(now)
	vm_run "$initrd" "$cmdline" $nics 240 "$log" &
	bg=$!
	while kill -0 "$bg" 2>/dev/null; do
		if [ -e "$log" ] && tr -d '\r' <"$log" | grep -qE -- "$watch"; then
			sleep 1 # the rest of the line, and whatever follows at once
			kid=$(pgrep -P "$bg" -x timeout)
			[ -n "$kid" ] && kill "$kid"
			break
		fi
		sleep 0.5
	done
	wait "$bg" 2>/dev/null
	rc=$?
	if tr -d '\r' <"$log" | grep -qE -- "$watch"; then
		rc=watched
	fi
	echo "$rc $(since "$t0")" >"$work/$name.rc"
}

# boot_checks NAME MIN: NAME's VM-CHECK lines as ok/bad, and whether at
# least MIN ran and the guest got to its end (rc 0).
boot_checks() {
	local name=$1 min=$2 rc secs
	read -r rc secs <"$work/$name.rc" 2>/dev/null || rc=126 secs='?'
	vm_checks "$work/$name.log" "$name: guest: " "$name: "
	if [ "$rc" = 0 ] && [ "$VM_CHECKS" -ge "$min" ]; then
		ok "$name: boot: rc=0, $VM_CHECKS checks in the real root, ${secs}s wall"
	else
		bad "$name: boot: rc=$rc, $VM_CHECKS checks in the real root (at least $min expected), ${secs}s wall"
		boot_tail "$name"
	fi
}

boot_tail() {
	echo "--- last lines of $work/$1.log"
	vm_log_tail "$work/$1.log" 60
	echo "---"
}

# boot_console NAME ERE: the console of NAME has a line matching ERE.
boot_console() {
	tr -d '\r' <"$work/$1.log" | grep -qE -- "$2"
}

# boot_parallel: run the queued "boot_vm ..." command lines in $boot_queue,
# $BOOT_JOBS (2) at a time.
boot_queue=()
boot_parallel() {
	local c
	for c in "${boot_queue[@]}"; do
		while [ "$(jobs -rp | wc -l)" -ge "${BOOT_JOBS:-2}" ]; do
			wait -n
		done
		eval "$c" &
	done
	wait
	boot_queue=()
}
