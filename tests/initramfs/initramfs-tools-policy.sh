#!/usr/bin/env bash
# tests/initramfs/initramfs-tools-policy.sh - the initramfs-tools boot script
# (initramfs-tools/scripts/init-premount/railup) and hook, without a VM:
#   - syntax: sh -n (dash), busybox ash -n, klibc's sh -n; the hook under sh -n;
#   - "prereqs": the boot script asks for udev, the hook for nothing;
#   - the policy scenarios of lib.sh in a chroot holding busybox, a fake
#     railup on PATH and a stand-in /scripts/functions whose panic records
#     the call: the script runs as a child of the "init" as initramfs-tools'
#     ORDER file runs it, under busybox sh and again under klibc's sh (an
#     image built with BUSYBOX=n has only that): halt reaches panic before
#     the root mount, continue goes on with a loud message; and
#     libexec/railup-policy should-halt (what the systemd units use) decides
#     the same on the same state and map.
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/initramfs/lib.sh
. "$here/lib.sh"

it_need_root
t0=$(it_now)
it_workdir itools-policy
script=$IT_REPO/initramfs-tools/scripts/init-premount/railup
hook=$IT_REPO/initramfs-tools/hooks/railup

# klibc's sh comes with initramfs-tools (klibc-utils)
if ! command -v mkinitramfs >/dev/null 2>&1; then
	echo "installing initramfs-tools-core (mkinitramfs, klibc-utils)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		initramfs-tools-core >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends initramfs-tools-core >/dev/null 2>&1; }
fi
klibc_sh=/usr/lib/klibc/bin/sh

# --- syntax, prereqs ------------------------------------------------------------
it_check "boot script: sh -n" sh -n "$script"
it_check "boot script: busybox ash -n" busybox ash -n "$script"
if [ -x "$klibc_sh" ]; then
	it_check "boot script: klibc sh -n" "$klibc_sh" -n "$script"
else
	it_bad "klibc's sh ($klibc_sh) missing: install initramfs-tools-core"
fi
it_check "hook: sh -n" sh -n "$hook"
it_check "boot script is executable" test -x "$script"
it_check "hook is executable" test -x "$hook"
it_check "boot script prereqs: udev" test "$("$script" prereqs)" = udev
it_check "hook prereqs: none" test -z "$("$hook" prereqs)"

# --- policy scenarios -------------------------------------------------------------
SC_TEMPLATE=$IT_WORK/template SC_ROOT=$IT_WORK/sc
it_mini_root "$SC_TEMPLATE" || { it_bad "mini root"; it_finish; }
mkdir -p "$SC_TEMPLATE/scripts/init-premount"
install -m755 "$script" "$SC_TEMPLATE/scripts/init-premount/railup"
it_fake_railup "$SC_TEMPLATE/usr/bin/railup"
if [ -x "$klibc_sh" ]; then
	mkdir -p "$SC_TEMPLATE/usr/lib/klibc/bin"
	cp "$klibc_sh" "$SC_TEMPLATE/usr/lib/klibc/bin/sh"
	interp=$(readelf -l "$klibc_sh" 2>/dev/null | sed -n 's/.*interpreter: \(.*\)]/\1/p')
	[ -n "$interp" ] && cp "$(readlink -f "$interp")" "$SC_TEMPLATE/usr/lib/${interp##*/}"
fi
cat >"$SC_TEMPLATE/scripts/functions" <<'EOF'
# stand-in for initramfs-tools' /scripts/functions: what the script may call
_log_msg() { [ "${quiet?}" = y ] && return; printf "$@"; }
log_success_msg() { _log_msg "Success: %s\n" "$*"; }
log_failure_msg() { _log_msg "Failure: %s\n" "$*"; }
log_warning_msg() { _log_msg "Warning: %s\n" "$*"; }
log_begin_msg() { _log_msg "Begin: %s ... " "$*"; }
log_end_msg() { _log_msg "done.\n"; }
panic() {
	echo "$@"
	echo "panic $*" >>/fake/events
	echo "[stand-in initramfs shell]"
}
EOF
# the part of initramfs-tools' /init around init-premount
cat >"$SC_TEMPLATE/init" <<'EOF'
export PATH=/sbin:/usr/sbin:/bin:/usr/bin
export quiet=y panic=
. /scripts/functions
${RUN_SH:-} /scripts/init-premount/railup
echo "mount-root" >>/fake/events
EOF
# the systemd units decide with libexec/railup-policy: same verdicts
SC_POLICY_TOOL=$IT_REPO/libexec/railup-policy
if [ ! -f "$SC_POLICY_TOOL" ]; then
	echo "note: libexec/railup-policy is not in the tree; its verdicts are not compared"
	SC_POLICY_TOOL=
fi
for shell in busybox klibc; do
	[ $shell = klibc ] && [ ! -x "$klibc_sh" ] && continue
	case $shell in
	busybox) run_sh= ;;
	klibc) run_sh=/usr/lib/klibc/bin/sh ;;
	esac
	sc_run() {
		env -i HOME=/ TERM=dumb RUN_SH="$run_sh" "$(command -v chroot)" "$SC_ROOT" \
			/bin/busybox sh /init >"$SC_ROOT/fake/out" 2>&1
		echo "init-rc=$?" >>"$SC_ROOT/fake/events"
	}
	echo "--- boot script under $shell sh"
	it_scenarios sc_run
	it_has "[$shell] the last scenario's init ran to its end" "$SC_ROOT/fake/events" '^init-rc=0$'
done
it_has "panic got the reason" "$SC_ROOT.events" \
	'^failed, policy halt: panic railup: required rails failed \(rd\.rail\.policy=halt\)$'

echo "total $(it_since "$t0")s"
it_finish
