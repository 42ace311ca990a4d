# shellcheck shell=sh
# /vm/checks.sh - checks in the real root after an initramfs built by
# dracut with railup's module (tests/boot). Sourced with tests/vm/guest.sh's
# helpers by the busybox root's /sbin/init, or run by railup-vmcheck.service
# in the systemd root (then it prints the marker and powers off itself).
# The scenario is boot_test= on the kernel command line:
#   plain-ok        no systemd in the initramfs: 2 rails verified before
#                   switch_root, state and rules seen in the root
#   plain-nbd       the root on NBD over a third NIC (DHCP), and
#                   systemd-continue's rails (the third never appears), the
#                   two addresses templated on the DHCP lease's host part:
#                   railup was done with them, at its deadline, before the
#                   root was mounted, and left the boot NIC alone
#   plain-invalid   a malformed rd.rail=, policy continue: the root is reached
#                   with RAILUP_RESULT=invalid and no rails
#   systemd-ok      systemd in the initramfs: railup-initrd.service did the
#                   work before switch_root; in the real root railup.service
#                   and railup-early.service re-apply and re-verify;
#                   systemd-networkd (with railup's drop-in) keeps the rules,
#                   and deletes them once the drop-in is gone; udev's add
#                   events for the rails leave their sysctls as railup set
#                   them, a hardened sysctl.d glob in the root (every
#                   systemd boot); railup-watch.service (enabled in the
#                   root) puts ib0's routes back after ib0 was taken down
#                   and up; systemd-mac: ib0's NIC re-probed, watch waits
#                   for udev's rename and configures the rail on it
#   systemd-mac     systemd-ok's checks with the rails found by MAC and
#                   udev slowed down: the NICs were renamed ib0 and ib1 after
#                   railup-initrd.service had started, and it verified both
#   systemd-root    no rd.rail at all: the initramfs does nothing, the real
#                   root's units do the work from /etc/railup.conf
#   systemd-continue  a third required rail that never appears, policy
#                   continue: the root is reached, RAILUP_RESULT=failed,
#                   railup.service failed, railup-halt.service checked the
#                   policy and did nothing, the two good rails work
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:/vm/bin
systemd=0
if [ -d /run/systemd/system ]; then
	systemd=1
	. /vm/guest.sh
fi
S=$(sed -n 's/.*boot_test=\([^ ]*\).*/\1/p' /proc/cmdline)
vm_pass "$S: the real root runs its checks (uptime $(cut -d' ' -f1 /proc/uptime) s)"

# state: the variables of /run/railup/state
unset RAILUP_RESULT RAILUP_POLICY RAILUP_RAILS RAILUP_VERIFIED RAILUP_FAILED
if [ -r /run/railup/state ] && . /run/railup/state; then
	vm_pass "$S: /run/railup/state is there and sources"
else
	vm_fail "$S: no /run/railup/state"
fi

# (ip is busybox's: its applets win over PATH; /usr/bin/ip is iproute2's in
# the systemd root)

# rail N IF ADDR: the rail's rule and table, verified in the state file
rail() {
	eval "_n=\${RAIL$1_NAME-} _p=\${RAIL$1_PHASE-} _d=\${RAIL$1_IBDEV-}"
	vm_check_eq "$S: state RAIL$1 name, phase, RDMA device" "$2 verified rxe_$2" "$_n $_p $_d"
	vm_check "$S: rule $((1001 + $1)) from $3 lookup $((101 + $1))" \
		sh -c "ip rule | grep -qE '^$((1001 + $1)):[[:space:]]+from $3 lookup $((101 + $1))( |\$)'"
	vm_check_eq "$S: table $((101 + $1))" "${3%.*}.0/24 dev $2 scope link src $3" \
		"$(ip route show table $((101 + $1)) | tr -s ' ' | sed 's/ $//')"
}

# kmsg_time ERE: the time of the first kernel log line matching ERE
kmsg_time() {
	dmesg | awk -v re="$1" '$0 ~ re { s = $0; sub(/^\[ */, "", s); sub(/\].*/, "", s); print s; exit }'
}
# journal_time ERE: the same from the journal (seconds since boot)
journal_time() {
	journalctl -b -q -o short-monotonic --no-pager | awk -v re="$1" '$0 ~ re {
		s = $0; sub(/^\[ */, "", s); sub(/\].*/, "", s); print s; exit }'
}
# before A B DESC: time A < time B, both known
before() {
	if [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; then
		vm_pass "$3 ($1 s < $2 s)"
	else
		vm_fail "$3 (times '$1' and '$2')"
	fi
}

case $S in
plain-ok | systemd-ok | systemd-mac | systemd-root)
	vm_check_eq "$S: RAILUP_RESULT, RAILS, VERIFIED, FAILED" "ok 2 2 0" \
		"${RAILUP_RESULT-} ${RAILUP_RAILS-} ${RAILUP_VERIFIED-} ${RAILUP_FAILED-}"
	rail 0 ib0 10.0.1.14
	rail 1 ib1 10.0.2.14
	vm_check "$S: railup status says every rail is ok" railup status
	;;
systemd-continue | plain-nbd)
	vm_check_eq "$S: RAILUP_RESULT, POLICY, RAILS, VERIFIED, FAILED" "failed continue 3 2 1" \
		"${RAILUP_RESULT-} ${RAILUP_POLICY-} ${RAILUP_RAILS-} ${RAILUP_VERIFIED-} ${RAILUP_FAILED-}"
	# plain-nbd's rails are templated: host index 15, from mgmt's DHCP lease
	h=14
	[ "$S" = systemd-continue ] || h=115
	rail 0 ib0 10.0.1.$h
	rail 1 ib1 10.0.2.$h
	vm_check_eq "$S: state RAIL2 phase, stage" "failed wait" "${RAIL2_PHASE-} ${RAIL2_STAGE-}"
	vm_check_fails "$S: railup status says a rail is wrong" railup status
	;;
plain-invalid)
	vm_check_eq "$S: RAILUP_RESULT, POLICY, RAILS" "invalid continue 0" \
		"${RAILUP_RESULT-} ${RAILUP_POLICY-} ${RAILUP_RAILS-}"
	vm_check_fails "$S: no rule for a rail" sh -c "ip rule | grep -q 'lookup 10[12]'"
	;;
esac

case $S in
systemd-ok | systemd-mac)
	# the initramfs's journal goes on in the root's (/run/log/journal)
	before "$(journal_time 'railup: 2 rails: 2 verified')" \
		"$(journal_time 'Switching root')" \
		"$S: railup-initrd.service verified both rails before switch_root"
	if ! vm_check "$S: railup-initrd.service logged it" sh -c \
		"journalctl -b -q --no-pager -u railup-initrd.service | grep -q '2 rails: 2 verified'"; then
		journalctl -b -q --no-pager -u railup-initrd.service | sed 's/^/VM-NOTE /'
	fi
	;;
esac

case $S in
plain-ok)
	before "$(kmsg_time 'railup: 2 rails: 2 verified')" "$(kmsg_time 'dracut: Mounting')" \
		"$S: railup verified both rails before dracut mounted the root"
	;;
plain-nbd)
	vm_check_eq "$S: the root is the network block device" /dev/nbd0 \
		"$(awk '$2 == "/" { d = $1 } END { print d }' /proc/mounts)"
	# the missing rail keeps railup busy until its deadline. dracut's
	# /sbin/netroot sources the netroot hooks before it runs the root's
	# handler (nbdroot here, nfsroot for NFS): railup's holds the handler,
	# so the root is not even connected before railup is done
	before "$(kmsg_time 'railup: 3 rails: 2 verified')" "$(kmsg_time 'nbd0: detected capacity change')" \
		"$S: railup's netroot hook held the root's handler (nbd connected after railup was done)"
	before "$(kmsg_time 'railup: 3 rails: 2 verified')" "$(kmsg_time 'EXT4-fs [(]nbd0[)]: mounted')" \
		"$S: railup was done with the rails before the network root was mounted"
	# the boot NIC is dracut's, not a rail: railup left it as DHCP made it
	vm_check "$S: mgmt keeps its DHCP address" sh -c "ip -4 addr show mgmt | grep -q 'inet 10.9.0.15/24'"
	vm_check_eq "$S: mgmt's arp_ignore and rp_filter untouched" "0 0" \
		"$(cat /proc/sys/net/ipv4/conf/mgmt/arp_ignore /proc/sys/net/ipv4/conf/mgmt/rp_filter | tr '\n' ' ' | sed 's/ $//')"
	vm_check_fails "$S: no rule for mgmt's address" sh -c "ip rule | grep -q 'from 10.9.0.15'"
	;;
systemd-mac)
	# railup ran while udev still held the NICs: it waited for their renames
	before "$(journal_time 'Start.*railup-initrd.service')" "$(kmsg_time 'ib1: renamed from')" \
		"$S: railup-initrd.service started before udev renamed the second NIC"
	;;
systemd-ok)
	vm_check_eq "$S: rules carry protocol railup (rt_protos.d)" \
		"1001: from 10.0.1.14 lookup 101 proto railup" \
		"$(/usr/bin/ip rule show pref 1001 | tr -s ' \t' '  ' | sed 's/ $//')"
	;;
systemd-root)
	vm_check_fails "$S: railup did not run in the initramfs (no rd.rail, no conf)" sh -c \
		"journalctl -b -q --no-pager -u railup-initrd.service | grep -q 'rails:'"
	# The initramfs's udev database is emptied at switch_root
	# (initrd-udevadm-cleanup-db): until the root's coldplug has seen a
	# NIC again udev may yet rename it, and apply leaves it down.
	vm_check "$S: railup-early.service applied the map or left the NICs to udev" sh -c \
		"journalctl -b -q --no-pager -u railup-early.service |
			grep -Eq 'ib0: (configured|plan: udev has not finished with ib0|plan: udev.s queue is not empty: ib0)'"
	vm_check "$S: railup.service loaded Soft-RoCE and verified" sh -c \
		"journalctl -b -q --no-pager -u railup.service | grep -q '2 rails: 2 verified'"
	;;
esac

if [ $systemd = 1 ] && [ "$S" = systemd-continue ]; then
	vm_check_eq "$S: railup-early.service active, result success" "active success" \
		"$(systemctl show -P ActiveState railup-early.service) $(systemctl show -P Result railup-early.service)"
	vm_check_eq "$S: railup.service failed with exit status 1" "failed exit-code 1" \
		"$(systemctl show -P ActiveState railup.service) $(systemctl show -P Result railup.service) $(systemctl show -P ExecMainStatus railup.service)"
	vm_check_eq "$S: railup-halt.service ran and its policy check stopped it" "inactive exec-condition" \
		"$(systemctl show -P ActiveState railup-halt.service) $(systemctl show -P Result railup-halt.service)"
	vm_check "$S: railup-initrd.service failed in the initramfs too" sh -c \
		"journalctl -b -q --no-pager -o cat | grep -q 'railup-initrd.service: Main process exited, code=exited, status=1'"
elif [ $systemd = 1 ]; then
	for u in railup-early.service railup.service; do
		vm_check_eq "$S: $u active, result success" "active success" \
			"$(systemctl show -P ActiveState "$u") $(systemctl show -P Result "$u")"
	done
	vm_check_eq "$S: railup-halt.service never ran" "inactive" \
		"$(systemctl show -P ActiveState railup-halt.service)"
fi
if [ $systemd = 1 ]; then
	# The root's /etc/sysctl.d/50-hardened.conf: systemd-sysctl applied its
	# globs (conf/default shows it); udev's add events for the rails, as the
	# coldplug sends them, run systemd-sysctl again: railup's drop-in keeps
	# the rails' values.
	vm_check_eq "$S: the hardened glob took effect (conf/default's rp_filter, arp_ignore)" "1 0" \
		"$(cat /proc/sys/net/ipv4/conf/default/rp_filter /proc/sys/net/ipv4/conf/default/arp_ignore | tr '\n' ' ' | sed 's/ $//')"
	vm_check "$S: railup's drop-in states ib0's rp_filter" \
		grep -qx 'net.ipv4.conf.ib0.rp_filter = 2' /run/sysctl.d/99-zzz-railup.conf
	udevadm trigger --action=add --settle /sys/class/net/ib0 /sys/class/net/ib1
	vm_check_eq "$S: after udev's add events: the rails' rp_filter, arp_ignore" "2 1 2 1" \
		"$(cat /proc/sys/net/ipv4/conf/ib0/rp_filter /proc/sys/net/ipv4/conf/ib0/arp_ignore \
			/proc/sys/net/ipv4/conf/ib1/rp_filter /proc/sys/net/ipv4/conf/ib1/arp_ignore | tr '\n' ' ' | sed 's/ $//')"
	if [ "$S" != systemd-continue ]; then
		vm_check "$S: railup status still says every rail is ok" railup status
	fi
	# railup-watch.service (enabled in this root): ib0 taken down and up
	# loses table 101's routes (the kernel flushes them); watch puts them back
	vm_check "$S: railup-watch.service is active" systemctl -q is-active railup-watch.service
	ip link set ib0 down
	ip link set ib0 up
	vm_wait 10 sh -c "ip route show table 101 | grep -q '^10.0.1.0/24 dev ib0 .*src 10.0.1.14'"
	vm_check "$S: after a flap of ib0, table 101 has its route again" sh -c \
		"ip route show table 101 | grep -q '^10.0.1.0/24 dev ib0 .*src 10.0.1.14'"
	vm_check "$S: railup-watch.service says what it put back" sh -c \
		"journalctl -b -q --no-pager -o cat -u railup-watch.service | grep -q 'watch: ip route add 10.0.1.0/24 dev ib0'"
	if [ "$S" = systemd-mac ]; then
		# ib0's NIC re-probed (unbound from virtio_net and bound again): a
		# new netdev, which udev (each event held 3 s here) renames; watch
		# leaves it down until udev is done with it, hearing no event when
		# that happens, then configures the rail (mac=) under udev's name
		_dev=$(basename "$(readlink /sys/class/net/ib0/device)")
		echo "$_dev" >/sys/bus/virtio/drivers/virtio_net/unbind
		echo "$_dev" >/sys/bus/virtio/drivers/virtio_net/bind
		vm_wait 30 sh -c "ip -4 addr | grep -q 'inet 10.0.1.14/24'"
		_new=
		for _n in /sys/class/net/*; do
			[ "$(cat "$_n/address")" = 52:54:00:00:00:01 ] && _new=${_n##*/}
		done
		vm_check "$S: ib0's NIC re-probed ($_new): its rail's address again" sh -c \
			"ip -4 addr show dev '$_new' | grep -q 'inet 10.0.1.14/24'"
		vm_check "$S: ib0's NIC re-probed: rule 1001 again" sh -c \
			"ip rule | grep -qE '^1001:[[:space:]]+from 10.0.1.14 lookup 101'"
		vm_check_eq "$S: ib0's NIC re-probed: the names watch configured it under" "$_new" \
			"$(journalctl -b -q --no-pager -o cat -u railup-watch.service |
				sed -n 's/.*watch: ip address add 10.0.1.14\/24 dev //p' | sort -u | tr '\n' ' ' | sed 's/ $//')"
	fi
	# networkd's deletions below are for networkd alone: watch would put them back
	systemctl stop railup-watch.service
	vm_check "$S: systemd-networkd runs" systemctl -q is-active systemd-networkd.service
	vm_check "$S: networkd configured the management NIC" sh -c \
		"journalctl -b -q --no-pager -u systemd-networkd.service | grep -q 'Configuring with /etc/systemd/network/10-mgmt.network'"
	vm_check "$S: networkd kept railup's rules" sh -c "ip rule | grep -q 'lookup 101'"
	# the other way round: without the drop-in networkd deletes them
	systemctl stop systemd-networkd.service systemd-networkd.socket
	mv /usr/lib/systemd/networkd.conf.d/railup.conf /run/railup-networkd.conf
	systemctl start systemd-networkd.service
	vm_wait 10 sh -c "! ip rule | grep -q 'lookup 101'"
	vm_check_fails "$S: without railup.conf in networkd.conf.d, networkd deletes them" \
		sh -c "ip rule | grep -q 'lookup 10[12]'"
	mv /run/railup-networkd.conf /usr/lib/systemd/networkd.conf.d/railup.conf
	vm_pass "$S: guest checks ran to the end"
	_rc=0
	[ -s /run/vm-failures ] && _rc=1
	echo "VM-RESULT rc=$_rc"
	systemctl --no-block poweroff
else
	vm_pass "$S: guest checks ran to the end"
fi
