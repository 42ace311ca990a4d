#!/usr/bin/env bash
# tests/boot/dracut.sh - railup's dracut module without systemd, end to end:
# an initramfs built by Debian's dracut (network-legacy, railup from
# `make install DESTDIR=`) for Debian's stock kernel, a busybox real root
# on a virtio disk (ext4 made by mke2fs -d), two virtio NICs named ib0 and
# ib1 by dracut's own ifname=, Soft-RoCE rails (rxe=1). Boots, 2 at a time:
#   plain-ok       the rails are configured and verified before dracut mounts
#                  the root (kernel log order); the root sees the state
#                  (RAILUP_RESULT=ok, both rails verified on rxe_ibN), the
#                  rules and tables, and `railup status` agrees.
#   plain-nbd      the root on a network block device: root=nbd: and
#                  ip=mgmt:dhcp over a third NIC (qemu's restricted user-mode
#                  network, nbdkit serving the root image through a forward);
#                  the two rails, their addresses templated on the host
#                  part of mgmt's lease (rd.rail.host=addr:mgmt: 10.9.0.15
#                  gives 10.0.1.115), and a third whose NIC never appears
#                  (rd.rail.timeout=8): the root is connected (nbd-client,
#                  run by dracut's /sbin/netroot after the netroot hooks, as
#                  an NFS root's nfsroot is) and mounted only once railup is
#                  done (both rails verified, the third failed at its
#                  deadline: railup's netroot hook holds the handler, its
#                  pre-mount hook the mount), and railup left the
#                  boot NIC as DHCP made it. With ignore_loglevel the kernel
#                  echoes every level to the console: railup's lines show
#                  there once.
#   plain-invalid  a malformed rd.rail=, rd.rail.policy left at continue: the
#                  console has railup's one line quoting the token and
#                  dracut's warning; the root is reached with
#                  RAILUP_RESULT=invalid and no rails.
#   plain-halt     the same token with rd.rail.policy=halt: railup's line,
#                  then dracut's "FATAL: railup: rails invalid and
#                  rd.rail.policy=halt" and its emergency shell; the root is
#                  never reached (the VM is stopped once the shell's prompt
#                  shows).
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/boot/lib.sh
. "$here/lib.sh"

boot_setup
boot_initramfs plain "$work/initrd.img" || finish
boot_root_busybox "$work/root.img" || finish

rails="rd.rail=ib0:10.0.1.14/24,rxe=1 rd.rail=ib1:10.0.2.14/24,rxe=1"
bogus="rd.rail=ib0:10.0.1.300/24,rxe=1"
# one command line for a fleet: the host index from the boot NIC's DHCP lease
by_dhcp="rd.rail=ib0:10.0.1.100+/24,rxe=1 rd.rail=ib1:10.0.2.100+/24,rxe=1 rd.rail.host=addr:mgmt"
boot_queue=(
	"boot_vm plain-ok $work/initrd.img $work/root.img '$rails'"
	"boot_vm plain-nbd $work/initrd.img nbd:$work/root.img '$by_dhcp rd.rail=ib2:10.0.3.14/24 rd.rail.timeout=8 ignore_loglevel'"
	"boot_vm plain-invalid $work/initrd.img $work/root.img '$bogus'"
	"boot_vm plain-halt $work/initrd.img $work/root.img '$bogus rd.rail.policy=halt' '^dracut:/# '"
)
boot_parallel
# Once in many runs, two VMs at a time on two CPUs, the guest's nbd-client
# read a garbled greeting through qemu's forward to nbdkit ("Negotiation:
# Error: INIT_PASSWD bad"; nbdkit logged nothing), or the kernel's nbd lost
# the connection right after nbd-client handed it over ("block nbd0: Receive
# control failed (result -32)", "Dead connection"), and the root was never
# mounted. That is the test's network root failing, not railup (its lines
# came before, as expected): the boot runs again, alone, once, and the log
# says so.
if grep -qE 'Negotiation: Error|block nbd0: (Receive control failed|Dead connection)' \
	"$work/plain-nbd.log" 2>/dev/null; then
	note "plain-nbd: the guest's NBD connection to nbdkit failed: booting it again, alone"
	boot_vm plain-nbd "$work/initrd.img" "nbd:$work/root.img" \
		"$by_dhcp rd.rail=ib2:10.0.3.14/24 rd.rail.timeout=8 ignore_loglevel"
fi

boot_checks plain-ok 12
boot_checks plain-nbd 18
if [ -s "$work/nbdkit.log" ]; then
	note "nbdkit said:"
	cat "$work/nbdkit.log"
fi
# railup's stderr is the console and the kernel echoes its lines there too
# (ignore_loglevel: all of them): each must show once, not twice.
for line in 'ib2: wait: not ready after 8000 ms: ' 'host index 15$'; do
	n=$(tr -d '\r' <"$work/plain-nbd.log" | grep -cE "^(\[ *[0-9.]+\] )?railup: $line")
	if [ "$n" = 1 ]; then
		ok "plain-nbd: console: railup's line \"$line\" once"
	else
		bad "plain-nbd: console: railup's line \"$line\" $n times"
	fi
done

boot_checks plain-invalid 5
err="railup: /proc/cmdline: \"$bogus\": address \"10.0.1.300/24\": not an IPv4 address"
# as the kernel echoes it (a timestamp first) or as railup writes it
err_re="^(\[ *[0-9.]+\] )?$err\$"
if boot_console plain-invalid "$err_re"; then
	ok "plain-invalid: console: $err"
else
	bad "plain-invalid: console lacks: $err"
fi
if boot_console plain-invalid 'dracut Warning: railup: rails invalid: the boot goes on \(rd.rail.policy=continue\)'; then
	ok "plain-invalid: console: dracut's warning that the boot goes on"
else
	bad "plain-invalid: console lacks dracut's warning that the boot goes on"
fi

read -r rc secs <"$work/plain-halt.rc"
if [ "$rc" = watched ]; then
	ok "plain-halt: the emergency shell's prompt showed (${secs}s)"
else
	bad "plain-halt: no emergency shell prompt (rc=$rc)"
	boot_tail plain-halt
fi
for re in "$err_re" 'FATAL: railup: rails invalid and rd.rail.policy=halt' \
	'Dropping to debug shell'; do
	if boot_console plain-halt "$re"; then
		ok "plain-halt: console: $re"
	else
		bad "plain-halt: console lacks: $re"
	fi
done
if boot_console plain-halt 'VM-CHECK|Switching root'; then
	bad "plain-halt: the root was reached"
else
	ok "plain-halt: the root was never reached"
fi
finish
