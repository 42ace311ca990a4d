#!/usr/bin/env bash
# tests/boot/dracut-systemd.sh - railup's dracut module with systemd in the
# initramfs, and railup's units in a systemd real root, end to end. The
# initramfs: Debian's dracut with systemd, systemd-networkd (railup's
# networkd drop-in in it) and railup-initrd.service; the real root: the
# same tree made a normal systemd system (see lib.sh boot_root_systemd),
# with railup installed by `make install`, railup.service,
# railup-early.service and systemd-networkd enabled. Two virtio NICs named
# ib0 and ib1 by dracut's ifname=, Soft-RoCE rails (rxe=1). Boots:
#   systemd-ok    the rails on the kernel command line: railup-initrd.service
#                 verified them before switch_root (journal order); in the
#                 root railup-early and railup.service succeed, the state
#                 says ok, the rules carry "proto railup"; networkd runs and
#                 keeps them, and deletes them once railup's drop-in is gone;
#                 the root's sysctl.d has a hardened glob (rp_filter = 1,
#                 arp_ignore = 0 for every interface): after udev's add
#                 events for the rails (as the coldplug sends them) their
#                 values are still the map's (railup's sysctl.d drop-in);
#                 railup-watch.service (enabled) puts ib0's routes back
#                 after ib0 is taken down and up;
#                 the console shows railup's lines once (from the journal,
#                 none from the kernel log).
#   systemd-mac   the rails found by MAC (mac=), udev slowed down (each
#                 NIC's events held 3 s by a test rule, the first and the
#                 coldplug's that renames it): railup-initrd.service must
#                 leave the NICs to udev until it has renamed them ib0 and
#                 ib1 (the kernel refuses to rename a NIC that is up), and
#                 verify both before switch_root; in the root, ib0's NIC
#                 re-probed (virtio_net unbind and bind) is configured again
#                 by railup-watch.service, under udev's new name, once udev
#                 is done with it; the rest is systemd-ok's,
#                 on ib0 and ib1 and their rxe_ib0, rxe_ib1.
#   systemd-root  no rd.rail: the initramfs leaves the rails alone; the root's
#                 /etc/railup.conf makes railup-early.service apply (or
#                 leave the NICs, still down, to udev: its database is
#                 emptied at switch_root until the coldplug) and
#                 railup.service load Soft-RoCE, wait and verify.
#   systemd-continue  a third, required rail whose NIC never appears,
#                 rd.rail.timeout=3, policy continue: the console shows railup's
#                 error and the failed unit; the root is reached with
#                 RAILUP_RESULT=failed, railup.service failed (exit 1),
#                 railup-halt.service stopped by its policy check, the other
#                 rails verified.
#   systemd-halt  the same with rd.rail.policy=halt: railup-initrd.service
#                 fails, railup-halt.service isolates emergency.target, the
#                 console shows railup's error, railup-policy's verdict and
#                 the emergency shell; the root is never reached.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/boot/lib.sh
. "$here/lib.sh"

boot_setup
boot_initramfs systemd "$work/initrd.img" || finish
boot_root_systemd "$work/root.img" "$work/initrd.img" || finish
if lsinitrd "$work/initrd.img" 2>/dev/null | grep -q 'usr/lib/systemd/networkd.conf.d/railup.conf$'; then
	ok "initramfs: railup's networkd drop-in is in it"
else
	bad "initramfs: no networkd.conf.d/railup.conf in it"
fi

rails="rd.rail=ib0:10.0.1.14/24,rxe=1 rd.rail=ib1:10.0.2.14/24,rxe=1"
by_mac="rd.rail=ib0:10.0.1.14/24,mac=52:54:00:00:00:01,rxe=1 rd.rail=ib1:10.0.2.14/24,mac=52:54:00:00:00:02,rxe=1 railup_test_udevslow"
missing="rd.rail=ib2:10.0.3.14/24 rd.rail.timeout=3"
boot_queue=(
	"boot_vm systemd-ok $work/initrd.img $work/root.img '$rails'"
	"boot_vm systemd-mac $work/initrd.img $work/root.img '$by_mac'"
	"boot_vm systemd-root $work/initrd.img $work/root.img ''"
	"boot_vm systemd-continue $work/initrd.img $work/root.img '$rails $missing'"
	"boot_vm systemd-halt $work/initrd.img $work/root.img '$rails $missing rd.rail.policy=halt' 'Entering emergency mode'"
)
boot_parallel

boot_checks systemd-ok 20
boot_checks systemd-mac 21
boot_checks systemd-root 18
boot_checks systemd-continue 19
# railup's units give it the journal for stderr: its lines reach the console
# once, from the journal, and not a second time from the kernel log.
if boot_console systemd-ok '^\[ *[0-9.]+\] railup\[[0-9]+\]: railup: 2 rails: 2 verified' &&
	! boot_console systemd-ok '^\[ *[0-9.]+\] railup: '; then
	ok "systemd-ok: console: railup's lines once, from the journal"
else
	bad "systemd-ok: console: railup's lines not from the journal alone:"
	tr -d '\r' <"$work/systemd-ok.log" | grep -E 'railup(\[[0-9]+\])?: ' | head -n 20
fi
for re in 'railup: ib2: wait: not ready after 3000 ms' 'Failed to start .*railup-ini'; do
	if boot_console systemd-continue "$re"; then
		ok "systemd-continue: console: $re"
	else
		bad "systemd-continue: console lacks: $re"
	fi
done

read -r rc secs <"$work/systemd-halt.rc"
if [ "$rc" = watched ]; then
	ok "systemd-halt: emergency mode reached (${secs}s)"
else
	bad "systemd-halt: no emergency mode (rc=$rc)"
	boot_tail systemd-halt
fi
for re in 'railup: ib2: wait: not ready after 3000 ms' \
	'railup: rails failed, rd.rail.policy=halt: stopping the boot' \
	'Entering emergency mode'; do
	if boot_console systemd-halt "$re"; then
		ok "systemd-halt: console: $re"
	else
		bad "systemd-halt: console lacks: $re"
	fi
done
if boot_console systemd-halt 'VM-CHECK|Switching root'; then
	bad "systemd-halt: the root was reached"
else
	ok "systemd-halt: the root was never reached"
fi
finish
