#!/bin/bash
# railup loads compressed modules: Fedora and RHEL ship .ko.xz, Arch .ko.zst,
# others .ko.gz. The image's module closure is compressed with all three in
# turn (VM_COMPRESS); railup boot, with the kernel's own module helper
# switched off, must load every RDMA module it needs through libkmod's
# decompressors and verify two Soft-RoCE rails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cd "$VM_REPO"
make -s early/railup
for tool in xz zstd gzip; do
	command -v "$tool" >/dev/null || DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends xz-utils zstd gzip >/dev/null
done
vm_deps
vm_kernel
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/body.sh" <<EOF2
VM_RAILUP_FLAGS="${VM_RAILUP_FLAGS:-}"
VM_RAILUP_ENV="${VM_RAILUP_ENV:-}"
EOF2
cat >>"$work/body.sh" <<'EOF'
# Only railup may load modules: no helper for the kernel to call.
echo >/proc/sys/kernel/modprobe
for alg in xz zst gz; do
	n=$(find /lib/modules -name "*.ko.$alg" | wc -l)
	vm_check "image: modules compressed as .ko.$alg ($n)" test "$n" -gt 0
done
vm_check_eq "image: no uncompressed module" 0 "$(find /lib/modules -name '*.ko' | wc -l)"
rc=0
${VM_RAILUP_ENV:-} railup ${VM_RAILUP_FLAGS:-} boot 2>/tmp/err || rc=$?
sed 's/^/railup| /' /tmp/err
[ -z "$VM_RAILUP_ENV" ] || dmesg | tail -20 | sed 's/^/railup| dmesg: /'
vm_check_eq "railup boot exits 0" 0 "$rc"
vm_check_fails "no module missing" grep -q "not found" /tmp/err
. /run/railup/state
vm_check_eq "both rails verified" "ok 2" "$RAILUP_RESULT $RAILUP_VERIFIED"
for m in virtio_net ib_core rdma_rxe rdma_ucm rdma_cm crc32_generic; do
	vm_check "$m loaded from its compressed file" grep -q "^$m " /proc/modules
done
# Every format was read for a module that is now in the kernel.
for alg in xz zst gz; do
	n=0
	for m in $(cut -d' ' -f1 /proc/modules); do
		find /lib/modules -name "$m.ko.$alg" | grep -q . && n=$((n + 1))
	done
	vm_check "modules loaded from .ko.$alg files: $n" test "$n" -gt 0
done
EOF

# Debian's depmod is built without zlib: it would leave the .ko.gz modules out.
VM_DEPMOD=$VM_REPO/.deps/musl/bin/depmod VM_COMPRESS="xz zstd gzip" vm_test_initramfs "$work/initrd" "$work/body.sh" \
	early/railup:/sbin/railup
rc=0
vm_run "$work/initrd" \
	"rd.rail=eth0:10.0.1.14/24,rxe=1 rd.rail=eth1:10.0.2.14/24,rxe=1 rd.rail.modules=virtio_pci,virtio_net,rdma_ucm" \
	2 120 "$work/console.log" || rc=$?
vm_log_lines "$work/console.log" "VM-CHECK"
grep -a "railup|" "$work/console.log" | tr -d '\r' || true
echo "VM run: rc=$rc, ${VM_RUN_SECONDS:-?} s"
[ "$rc" = 0 ]
