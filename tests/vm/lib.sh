# shellcheck shell=bash
# tests/vm/lib.sh - harness for booting a Debian kernel under qemu (TCG)
# with a tiny busybox initramfs, for railup's VM tests.
#
# Source it from a bash test script:
#
#   . "$(dirname "$0")/lib.sh"
#   vm_kernel                                   # kernel + modules, cached
#   vm_test_initramfs "$tmp/initrd" body.sh \
#       build/railup:/sbin/railup conf/x.conf:/etc/railup.conf
#   vm_run "$tmp/initrd" "railup.debug=1" 4 120 "$tmp/console.log"
#   rc=$?
#   vm_log_lines "$tmp/console.log" "VM-CHECK"
#
# Functions (all return non-zero on error and print a reason to stderr):
#
#   vm_deps
#       Make sure the host tools exist (qemu-system-x86_64, busybox static,
#       cpio, depmod, apt-get download). Missing Debian packages are
#       installed with apt-get install --no-install-recommends when running
#       as root (apt-get update first only when the install fails).
#
#   vm_kernel
#       Download (apt-get download, never installed) the Debian kernel that
#       linux-image-amd64 currently depends on, unpack it with dpkg -x and
#       run depmod on it, all under $VM_CACHE. Idempotent: a ready tree is
#       reused (about 0.1 s). If the package index cannot be read, the
#       newest kernel already in the cache is used. Sets:
#         VM_KVER     kernel release, e.g. 6.1.0-NN-amd64
#         VM_KROOT    the unpacked package root (holds boot/ and lib/)
#         VM_VMLINUZ  $VM_KROOT/boot/vmlinuz-$VM_KVER
#         VM_MODDIR   $VM_KROOT/lib/modules/$VM_KVER (depmod'ed)
#       Set VM_KVER beforehand to pin a specific kernel package.
#
#   vm_initramfs OUT INIT [SRC:DEST ...]
#       Build a gzip'ed newc cpio at OUT: static busybox at /bin/busybox
#       plus all its applet links, INIT as /init, mount points
#       /dev /proc /sys /run /tmp, /dev/console and /dev/null nodes, and
#       /lib/modules/$VM_KVER holding the closure (modules.dep + softdeps)
#       of $VM_MODULES, re-depmod'ed so libkmod and modprobe work in the
#       guest. Each SRC:DEST copies host file or directory SRC to DEST in
#       the image (DEST absolute; a DEST ending in / means "into that
#       directory"; SRC itself must not contain ':'). Environment:
#         VM_MODULES        modules to include (default: $VM_DEFAULT_MODULES)
#         VM_EXTRA_MODULES  more modules to include (e.g. "mlx5_ib bonding")
#         VM_OMIT_MODULES   modules left out of the image even when they are
#                           in the closure (to test "module missing" paths)
#         VM_COMPRESS       compress the packed modules with these tools in
#                           turn (xz zstd gzip), as other distributions ship them
#         VM_DEPMOD         the depmod to index them with (Debian's reads no
#                           .ko.gz: scripts/deps.sh builds kmod's own)
#         VM_SKIP_MODULES   modules never pulled in through softdep aliases
#                           (default: the pclmul/intel crc variants that do
#                           not work under TCG)
#       Sets VM_INITRAMFS_MODULES to the list of module names packed.
#
#   vm_test_initramfs OUT BODY [SRC:DEST ...]
#       vm_initramfs with tests/vm/guest-init.sh as /init and BODY at /vm/test.sh.
#       guest-init.sh mounts the usual file systems, brings up lo, sources
#       /vm/guest.sh (assertion helpers), runs BODY, prints
#       "VM-RESULT rc=N" and powers off.
#
#   vm_run INITRAMFS CMDLINE NICS TIMEOUT LOG
#       Boot $VM_VMLINUZ with INITRAMFS under qemu -accel tcg, serial
#       console (kernel messages and the guest's output) to LOG, qemu's own
#       stderr to LOG.qemu. CMDLINE is appended to $VM_CMDLINE_BASE.
#       NICS virtio-net-pci NICs, NIC i (0-based, eth<i> in the guest) has
#       MAC 52:54:00:00:00:<i+1 in hex> and is wired by $VM_NIC_WIRING:
#         isolated (default)  each NIC alone on its own qemu hub
#         pairs               NIC 2k and 2k+1 share a hub (a cable between
#                             them); an odd last NIC is alone
#         shared              all NICs on one hub
#       Each hub also has one unconnected port that swallows every frame,
#       so transmit always completes (see vm_run). Hubs only join NICs of
#       this one VM: nothing reaches the host or any other network
#       (-nodefaults, so no default user-mode NIC either). qemu warns
#       "hub N is not connected to host network" in LOG.qemu: expected.
#       TIMEOUT (seconds) is a hard limit: qemu is killed when it expires.
#       Returns the guest's rc from the "VM-RESULT rc=N" marker, 124 on
#       timeout, 125 when qemu exited without a marker (guest crashed,
#       init died, kernel panic), 126 when qemu could not start.
#       Environment: VM_MEM (512M), VM_SMP (1), VM_QEMU_EXTRA (more qemu
#       arguments, word-split), VM_CMDLINE_BASE.
#       Sets VM_RUN_SECONDS to the wall time of the boot.
#
#   vm_result LOG        print the rc from the marker line (fails if none)
#   vm_log_lines LOG PREFIX
#                        print the lines of LOG that start with PREFIX (after
#                        stripping the console's CRs), PREFIX and one
#                        following space removed
#   vm_log_tail LOG [N]  print the last N (40) lines of LOG, without CRs
#
#   vm_checks LOG [PREFIX [NOTE_PREFIX]]
#       The guest's VM-CHECK lines of LOG (guest.sh's "ok: ..." and
#       "FAIL: ...") as the calling script's own ok and bad (it defines
#       them), each led by PREFIX, and its VM-NOTE lines as
#       "  note: NOTE_PREFIX..." (NOTE_PREFIX: PREFIX unless given).
#       Sets VM_CHECKS to the number of checks.
#
#   vm_relay LOG RC SECS MIN [LABEL]
#       vm_checks LOG "guest: " LABEL, then one verdict on the whole run, led
#       by LABEL: ok when RC is 0, at least MIN checks ran and the last one
#       the body prints ("LABELguest body ran to the end") is among them;
#       else bad, with the last lines of LOG, and returns 1.
#
# Everything cached lives under $VM_CACHE (default: <repo>/.cache/vm).

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_REPO=$(cd "$VM_DIR/../.." && pwd)
: "${VM_CACHE:=$VM_REPO/.cache/vm}"
: "${VM_MEM:=512M}"
: "${VM_SMP:=1}"
: "${VM_NIC_WIRING:=isolated}"
: "${VM_CMDLINE_BASE:=console=ttyS0 panic=-1 oops=panic quiet loglevel=4 rdinit=/init}"
VM_DEFAULT_MODULES="virtio_pci virtio_net rdma_rxe rdma_ucm ib_ipoib ib_umad crc32_generic crc32c_generic libcrc32c"
: "${VM_SKIP_MODULES:=crc32_pclmul crc32c_intel crct10dif_pclmul ghash_clmulni_intel}"

vm_log() { printf 'vm: %s\n' "$*" >&2; }

# _vm_compress KO: compresses a packed module as distributions do, taking
# the tools of $VM_COMPRESS (xz, zstd, gzip) in turn, so one image holds
# all of them. Nothing when VM_COMPRESS is empty (Debian 12 ships .ko).
_vm_compress() {
	local tools=(${VM_COMPRESS:-}) tool
	[ ${#tools[@]} -gt 0 ] || return 0
	tool=${tools[_vm_compress_turn % ${#tools[@]}]}
	_vm_compress_turn=$((_vm_compress_turn + 1))
	case $tool in
	xz) xz -q --check=crc32 "$1" ;;
	zstd) zstd -q --rm "$1" ;;
	gzip) gzip -9 "$1" ;;
	*) vm_die "VM_COMPRESS: unknown tool $tool" ;;
	esac
}
vm_die() { printf 'vm: error: %s\n' "$*" >&2; return 1; }

# --- host tools -------------------------------------------------------------

# _vm_need CMD PACKAGE: remember PACKAGE if CMD is missing.
_vm_missing_pkgs=
_vm_need() {
	command -v "$1" >/dev/null 2>&1 || _vm_missing_pkgs="$_vm_missing_pkgs $2"
}

_vm_busybox_static() {
	local bb
	bb=$(command -v busybox 2>/dev/null) || return 1
	# a static binary has no program interpreter
	if command -v readelf >/dev/null 2>&1; then
		if readelf -l "$bb" 2>/dev/null | grep -q 'interpreter'; then
			return 1
		fi
	else
		LC_ALL=C ldd "$bb" 2>&1 | grep -q 'not a dynamic'
	fi
}

vm_deps() {
	_vm_missing_pkgs=
	_vm_need qemu-system-x86_64 qemu-system-x86
	_vm_need cpio cpio
	_vm_need depmod kmod
	_vm_need gzip gzip
	_vm_need flock util-linux
	_vm_need apt-get apt
	_vm_need dpkg dpkg
	_vm_busybox_static || _vm_missing_pkgs="$_vm_missing_pkgs busybox-static"
	[ -z "$_vm_missing_pkgs" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		vm_die "missing packages:$_vm_missing_pkgs (not root, cannot install)"
		return 1
	fi
	vm_log "installing:$_vm_missing_pkgs"
	# shellcheck disable=SC2086
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends $_vm_missing_pkgs >&2; then
		apt-get update -q >&2 || true
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends $_vm_missing_pkgs >&2 ||
			{ vm_die "apt-get install failed"; return 1; }
	fi
	_vm_busybox_static || { vm_die "busybox is not static"; return 1; }
}

# --- kernel -----------------------------------------------------------------

# Print the package name linux-image-amd64 depends on (the real kernel).
# apt-cache takes ~0.6 s, so the answer is remembered until the package
# lists change (apt-get update renames files in /var/lib/apt/lists).
_vm_kernel_pkg() {
	local memo=$VM_CACHE/kernel-pkg lists=/var/lib/apt/lists pkg
	if [ -s "$memo" ] && [ -d "$lists" ] && [ "$memo" -nt "$lists" ]; then
		cat "$memo"
		return
	fi
	pkg=$(LC_ALL=C apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *|\{0,1\}Depends: \(linux-image-[0-9][^ ]*\).*/\1/p' |
		head -n1)
	[ -n "$pkg" ] || return 0
	printf '%s\n' "$pkg" >"$memo.$$" && mv "$memo.$$" "$memo"
	printf '%s\n' "$pkg"
}

# Newest kernel release already prepared in the cache, if any.
_vm_cached_kver() {
	local d best=
	for d in "$VM_CACHE"/kernel-*/.ready; do
		[ -e "$d" ] || continue
		d=${d%/.ready}
		best="$best ${d##*/kernel-}"
	done
	[ -n "$best" ] || return 1
	# shellcheck disable=SC2086
	printf '%s\n' $best | sort -V | tail -n1
}

vm_kernel() {
	local pkg kver kroot tmp deb
	mkdir -p "$VM_CACHE" || return 1
	if [ -n "${VM_KVER:-}" ] && [ -e "$VM_CACHE/kernel-$VM_KVER/.ready" ]; then
		kver=$VM_KVER
	else
		vm_deps || return 1
		if [ -n "${VM_KVER:-}" ]; then
			kver=$VM_KVER
		else
			pkg=$(_vm_kernel_pkg)
			if [ -z "$pkg" ]; then
				# no package lists yet: refresh once, else use the cache
				apt-get update -q >/dev/null 2>&1 || true
				pkg=$(_vm_kernel_pkg)
			fi
			if [ -n "$pkg" ]; then
				kver=${pkg#linux-image-}
			else
				kver=$(_vm_cached_kver) ||
					{ vm_die "cannot resolve linux-image-amd64 and no cached kernel"; return 1; }
				vm_log "package index unavailable, using cached kernel $kver"
			fi
		fi
	fi
	kroot=$VM_CACHE/kernel-$kver
	if [ ! -e "$kroot/.ready" ]; then
		(
			flock 9
			[ -e "$kroot/.ready" ] && exit 0
			set -e
			mkdir -p "$VM_CACHE/deb"
			vm_log "downloading linux-image-$kver"
			rm -f "$VM_CACHE/deb/linux-image-${kver}_"*.deb
			(cd "$VM_CACHE/deb" && apt-get download -q "linux-image-$kver" 2>&1 |
				grep -v 'unsandboxed as root' >&2) || true
			deb=$(ls "$VM_CACHE/deb/linux-image-${kver}_"*.deb 2>/dev/null | head -n1)
			[ -n "$deb" ] || { echo "vm: error: apt-get download linux-image-$kver failed" >&2; exit 1; }
			tmp=$(mktemp -d "$VM_CACHE/.kernel.XXXXXX")
			trap 'rm -rf "$tmp"' EXIT
			vm_log "unpacking $(basename "$deb")"
			dpkg -x "$deb" "$tmp"
			[ -f "$tmp/boot/vmlinuz-$kver" ] ||
				{ echo "vm: error: no boot/vmlinuz-$kver in $deb" >&2; exit 1; }
			[ -d "$tmp/lib/modules/$kver" ] ||
				{ echo "vm: error: no lib/modules/$kver in $deb" >&2; exit 1; }
			depmod -b "$tmp" "$kver"
			chmod 0644 "$tmp/boot/vmlinuz-$kver"
			rm -rf "$kroot"
			mv "$tmp" "$kroot"
			trap - EXIT
			touch "$kroot/.ready"
			rm -f "$deb"
		) 9>"$VM_CACHE/.lock" || return 1
	fi
	VM_KVER=$kver
	VM_KROOT=$kroot
	VM_VMLINUZ=$kroot/boot/vmlinuz-$kver
	VM_MODDIR=$kroot/lib/modules/$kver
	export VM_KVER VM_KROOT VM_VMLINUZ VM_MODDIR
}

# --- module closure ---------------------------------------------------------

# _vm_module_closure MODDIR SKIP NAMES...: print "name path" lines for the
# closure of NAMES over modules.dep, modules.softdep (and softdep targets
# resolved through modules.alias). Builtin modules are silently dropped.
# Unknown names are reported on stderr and make it fail.
_vm_module_closure() {
	local moddir=$1 skip=$2
	shift 2
	awk -v want="$*" -v skip="$skip" '
	function norm(s) { gsub(/-/, "_", s); return s }
	function base(p,   s) {
		s = p; sub(/.*\//, "", s); sub(/\.ko(\.[a-z0-9]+)?$/, "", s)
		return norm(s)
	}
	FILENAME ~ /modules\.dep$/ {
		sub(/:$/, "", $1); n = base($1); path[n] = $1
		deps[n] = ""
		for (i = 2; i <= NF; i++) deps[n] = deps[n] " " base($i)
		next
	}
	FILENAME ~ /modules\.builtin$/ { builtin[base($1)] = 1; next }
	FILENAME ~ /modules\.alias$/ {
		if ($1 == "alias") alias[$2] = alias[$2] " " norm($3)
		next
	}
	FILENAME ~ /modules\.softdep$/ {
		if ($1 != "softdep") next
		n = norm($2)
		for (i = 3; i <= NF; i++)
			if ($i != "pre:" && $i != "post:") soft[n] = soft[n] " " $i
		next
	}
	function add(n,   k, m, a, i) {
		if (n in seen) return
		seen[n] = 1
		if (n in builtin) return
		if (!(n in path)) { missing = missing " " n; return }
		order[++cnt] = n
		k = split(deps[n], a, " ")
		for (i = 1; i <= k; i++) add(a[i])
		k = split(soft[n], a, " ")
		for (i = 1; i <= k; i++) addsoft(a[i])
	}
	function addsoft(s,   k, a, i, m) {
		m = norm(s)
		if (m in path || m in builtin) { if (!(m in skipset)) add(m); return }
		if (!(s in alias)) return       # softdep on something not built
		k = split(alias[s], a, " ")
		for (i = 1; i <= k; i++) if (!(a[i] in skipset)) add(a[i])
	}
	END {
		k = split(skip, a, " ")
		for (i = 1; i <= k; i++) skipset[norm(a[i])] = 1
		k = split(want, a, " ")
		for (i = 1; i <= k; i++) add(norm(a[i]))
		for (i = 1; i <= cnt; i++) print order[i], path[order[i]]
		if (missing != "") {
			print "vm: error: unknown modules:" missing > "/dev/stderr"
			exit 1
		}
	}' "$moddir/modules.dep" "$moddir/modules.builtin" \
		"$moddir/modules.alias" "$moddir/modules.softdep"
}

# --- initramfs --------------------------------------------------------------

vm_initramfs() {
	if [ $# -lt 2 ]; then
		vm_die "usage: vm_initramfs OUT INIT [SRC:DEST ...]"
		return 1
	fi
	local out=$1 init=$2
	shift 2
	[ -n "${VM_KVER:-}" ] && [ -d "${VM_MODDIR:-}" ] || { vm_kernel || return 1; }
	[ -f "$init" ] || { vm_die "init script $init not found"; return 1; }
	local stage rc=0
	mkdir -p "$VM_CACHE/tmp" || return 1
	stage=$(mktemp -d "$VM_CACHE/tmp/initramfs.XXXXXX") || return 1
	_vm_build_initramfs "$stage" "$out" "$init" "$@" || rc=$?
	rm -rf "$stage"
	return $rc
}

_vm_build_initramfs() {
	local stage=$1 out=$2 init=$3
	shift 3
	local bb l d name path spec src dest omit m list
	bb=$(command -v busybox) || { vm_die "busybox not found"; return 1; }
	_vm_busybox_static || { vm_die "$bb is not statically linked"; return 1; }

	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,run,tmp,etc,root,var} \
		"$stage/lib/modules/$VM_KVER" || return 1
	chmod 1777 "$stage/tmp"
	cp "$bb" "$stage/bin/busybox" || return 1
	for l in $("$bb" --list-full); do
		[ -e "$stage/$l" ] && continue
		mkdir -p "$stage/$(dirname "$l")"
		ln -s /bin/busybox "$stage/$l"
	done
	# the kernel opens /dev/console for init before devtmpfs is mounted
	if [ "$(id -u)" = 0 ]; then
		mknod -m 600 "$stage/dev/console" c 5 1 &&
			mknod -m 666 "$stage/dev/null" c 1 3 || return 1
	fi
	cp "$init" "$stage/init" && chmod 0755 "$stage/init" || return 1
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$stage/etc/passwd"
	printf 'root:x:0:\n' >"$stage/etc/group"

	# modules: closure, minus omitted ones, then depmod the subset
	_vm_compress_turn=0
	# shellcheck disable=SC2086 # lists of names
	list=$(_vm_module_closure "$VM_MODDIR" "$VM_SKIP_MODULES" \
		${VM_MODULES:-$VM_DEFAULT_MODULES} ${VM_EXTRA_MODULES:-}) || return 1
	VM_INITRAMFS_MODULES=
	while read -r name path; do
		[ -n "$name" ] || continue
		omit=0
		for m in ${VM_OMIT_MODULES:-}; do
			[ "${m//-/_}" = "$name" ] && omit=1
		done
		[ $omit = 1 ] && continue
		mkdir -p "$stage/lib/modules/$VM_KVER/$(dirname "$path")"
		cp "$VM_MODDIR/$path" "$stage/lib/modules/$VM_KVER/$path" || return 1
		_vm_compress "$stage/lib/modules/$VM_KVER/$path" || return 1
		VM_INITRAMFS_MODULES="$VM_INITRAMFS_MODULES $name"
	done <<<"$list"
	VM_INITRAMFS_MODULES=${VM_INITRAMFS_MODULES# }
	for m in modules.builtin modules.builtin.modinfo modules.order; do
		[ -f "$VM_MODDIR/$m" ] && cp "$VM_MODDIR/$m" "$stage/lib/modules/$VM_KVER/"
	done
	"${VM_DEPMOD:-depmod}" -b "$stage" "$VM_KVER" ||
		{ vm_die "depmod on the module subset failed"; return 1; }

	# extra files
	for spec in "$@"; do
		case $spec in
		*:/*) ;;
		*) vm_die "extra file '$spec' is not SRC:/ABS/DEST"; return 1 ;;
		esac
		src=${spec%%:*}
		dest=${spec#*:}
		[ -e "$src" ] || { vm_die "extra file $src not found"; return 1; }
		case $dest in
		*/) mkdir -p "$stage$dest" && cp -a "$src" "$stage$dest" ;;
		*) mkdir -p "$stage$(dirname "$dest")" && rm -rf "$stage$dest" &&
			cp -a "$src" "$stage$dest" ;;
		esac || { vm_die "copying $src to $dest failed"; return 1; }
	done

	mkdir -p "$(dirname "$out")" || return 1
	(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
		cpio --null --create --format=newc --owner=0:0 --reproducible --quiet) |
		gzip -1 >"$out.tmp" || { rm -f "$out.tmp"; vm_die "cpio failed"; return 1; }
	mv "$out.tmp" "$out"
}

vm_test_initramfs() {
	if [ $# -lt 2 ]; then
		vm_die "usage: vm_test_initramfs OUT BODY [SRC:DEST ...]"
		return 1
	fi
	local out=$1 body=$2
	shift 2
	[ -f "$body" ] || { vm_die "test body $body not found"; return 1; }
	vm_initramfs "$out" "$VM_DIR/guest-init.sh" "$VM_DIR/guest.sh:/vm/guest.sh" \
		"$body:/vm/test.sh" "$@"
}

# vm_probe OUT: tests/vm/rdma-probe.c built static with musl against the
# early/ stages it drives (RDMA netlink, RDMA CM), for a guest to run.
vm_probe() {
	local e=$VM_REPO/early deps_cc deps_kinc
	if [ ! -f "$VM_REPO/.deps/musl/flags.mk" ]; then
		make -s -C "$VM_REPO" .deps/musl/flags.mk >&2 || return 1
	fi
	deps_cc=$(sed -n 's/^DEPS_CC = //p' "$VM_REPO/.deps/musl/flags.mk")
	deps_kinc=$(sed -n 's/^DEPS_KINC = //p' "$VM_REPO/.deps/musl/flags.mk")
	mkdir -p "$(dirname "$1")" &&
		"${deps_cc:-musl-gcc}" -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wshadow \
			-Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
			-Wno-missing-field-initializers -Werror -Os -static -isystem "$deps_kinc" -I"$e" \
			-o "$1" "$VM_DIR/rdma-probe.c" "$e/netlink.c" "$e/log.c" "$e/addr.c" \
			"$e/rdmanl.c" "$e/rdmacm.c" "$e/sysfs.c" "$e/text.c"
}

# --- running ----------------------------------------------------------------

vm_run() {
	if [ $# -ne 5 ]; then
		vm_die "usage: vm_run INITRAMFS CMDLINE NICS TIMEOUT LOG"
		return 126
	fi
	local initrd=$1 cmdline=$2 nics=$3 timeout=$4 log=$5
	local i hub hubs='' args=() start end qrc rc
	[ -n "${VM_VMLINUZ:-}" ] && [ -f "$VM_VMLINUZ" ] || { vm_kernel || return 126; }
	[ -f "$initrd" ] || { vm_die "initramfs $initrd not found"; return 126; }
	case $nics in '' | *[!0-9]*) vm_die "NICS must be a number"; return 126 ;; esac
	[ "$nics" -le 255 ] || { vm_die "at most 255 NICs"; return 126; }
	case $timeout in '' | *[!0-9]*) vm_die "TIMEOUT must be whole seconds"; return 126 ;; esac

	args=(-accel tcg -machine pc -cpu qemu64 -m "$VM_MEM" -smp "$VM_SMP"
		-nodefaults -no-user-config -display none -no-reboot
		-kernel "$VM_VMLINUZ" -initrd "$initrd"
		-append "$VM_CMDLINE_BASE${cmdline:+ $cmdline}"
		-chardev "file,id=con,path=$log" -serial chardev:con)
	for ((i = 0; i < nics; i++)); do
		case $VM_NIC_WIRING in
		isolated) hub=$i ;;
		pairs) hub=$((i / 2)) ;;
		shared) hub=0 ;;
		*) vm_die "VM_NIC_WIRING must be isolated, pairs or shared"; return 126 ;;
		esac
		# Every hub also gets one port with no peer: it accepts and
		# drops every frame. Without it a NIC alone on its hub never
		# gets its TX completions (qemu queues the frames because no
		# other port can receive) and the guest hits NETDEV WATCHDOG
		# "transmit queue 0 timed out" after ~100 frames.
		case " $hubs " in
		*" $hub "*) ;;
		*)
			hubs="$hubs $hub"
			args+=(-netdev "hubport,id=sink$hub,hubid=$hub")
			;;
		esac
		args+=(-netdev "hubport,id=n$i,hubid=$hub"
			-device "virtio-net-pci,netdev=n$i,mac=$(printf '52:54:00:00:00:%02x' $((i + 1)))")
	done
	# shellcheck disable=SC2206
	[ -n "${VM_QEMU_EXTRA:-}" ] && args+=($VM_QEMU_EXTRA)

	mkdir -p "$(dirname "$log")" || return 126
	: >"$log"
	start=$(date +%s.%N)
	timeout --kill-after=5 "$timeout" qemu-system-x86_64 "${args[@]}" \
		</dev/null >"$log.qemu" 2>&1
	qrc=$?
	end=$(date +%s.%N)
	# shellcheck disable=SC2034 # for the caller
	VM_RUN_SECONDS=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
	if rc=$(vm_result "$log"); then
		return "$rc"
	fi
	case $qrc in
	124 | 137) vm_log "timeout after ${timeout}s (see $log)"; return 124 ;;
	0) vm_log "no VM-RESULT marker in $log"; return 125 ;;
	*)
		vm_log "qemu failed (rc=$qrc):"
		sed 's/^/  /' "$log.qemu" >&2
		[ -s "$log" ] && return 125
		return 126
		;;
	esac
}

# --- log helpers ------------------------------------------------------------

vm_result() {
	local rc
	rc=$(tr -d '\r' <"$1" 2>/dev/null | sed -n 's/^VM-RESULT rc=\([0-9][0-9]*\)$/\1/p' | tail -n1)
	[ -n "$rc" ] || return 1
	printf '%s\n' "$rc"
}

vm_log_lines() {
	tr -d '\r' <"$1" | awk -v p="$2" 'index($0, p) == 1 {
		s = substr($0, length(p) + 1); sub(/^ /, "", s); print s }'
}

vm_log_tail() {
	tr -d '\r' <"$1" | tail -n "${2:-40}"
}

vm_checks() {
	local log=$1 prefix=${2:-} note=${3-${2:-}} line
	VM_CHECKS=0
	while IFS= read -r line; do
		VM_CHECKS=$((VM_CHECKS + 1))
		case $line in
		"ok: "*) ok "$prefix${line#ok: }" ;;
		*) bad "$prefix${line#FAIL: }" ;;
		esac
	done < <(vm_log_lines "$log" "VM-CHECK")
	vm_log_lines "$log" "VM-NOTE" | while IFS= read -r line; do
		printf '  note: %s%s\n' "$note" "$line"
	done
}

vm_relay() {
	local log=$1 rc=$2 secs=$3 min=$4 label=${5:-}
	vm_checks "$log" "guest: " "$label"
	if [ "$rc" = 0 ] && [ "$VM_CHECKS" -ge "$min" ] &&
		vm_log_lines "$log" "VM-CHECK" | grep -qxF "ok: ${label}guest body ran to the end"; then
		ok "${label}VM run: rc=0, $VM_CHECKS guest checks, ${secs}s wall"
	else
		bad "${label}VM run: rc=$rc, $VM_CHECKS guest checks (at least $min and the end of the body expected), ${secs}s wall"
		echo "--- last lines of $log"
		vm_log_tail "$log" 60
		echo "---"
		return 1
	fi
}
