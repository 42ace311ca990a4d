#!/bin/bash
# railup's sysctl.d drop-in against the real systemd-sysctl. udev runs
# systemd-sysctl for every netdev added (99-systemd.rules), and the real
# root's coldplug replays that for every rail the initramfs configured: a
# sysctl.d glob (a hardened image's net.ipv4.conf.*.rp_filter = 1) would be
# written over the rails' values. Here that run is systemd-sysctl with the
# prefixes of the installed udev rule, a hardened file and railup's drop-in
# (<run-dir>/sysctl.d here; /run/sysctl.d on a node), in the order
# systemd-sysctl sorts them. ib0 carries an IPv4 and an IPv6 rail, ib2 asks
# rp_filter=1, ib3's arp_ignore is 1 before railup, ib0.8001 has a dot in
# its name. Oracle: /proc/sys, read through sysctl(8) by the drop-in's names.
#   1. apply: the drop-in holds exactly the values railup changed (ledger),
#      as the kernel has them; ib3's arp_ignore, not railup's, is not in it.
#   2. udev's systemd-sysctl for each rail, and a whole run (as at boot),
#      with the hardened file: nothing changes, status is clean. Without the
#      drop-in the same run puts ib1's rp_filter to 1 (status fails), and
#      apply sets it back without rewriting the drop-in. procps' sysctl -p
#      takes the drop-in too (the dotted name).
#   3. a changed map: the drop-in follows (ib2's value, conf/all's; ib3's
#      lines go when its rail goes, its values back to before).
#   4. down: no drop-in, and the whole state is what it was.
#   5. boot writes it as well.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

SYSTEMD_SYSCTL=/lib/systemd/systemd-sysctl
UDEV_RULE=/lib/udev/rules.d/99-systemd.rules
[ -x "$SYSTEMD_SYSCTL" ] || fail "$SYSTEMD_SYSCTL is missing (make test-deps installs systemd)"
# The command udev runs for a netdev added, $name still in it.
UDEV_RUN=$(sed -n 's/^ACTION=="add", SUBSYSTEM=="net".*RUN+="\([^"]*systemd-sysctl[^"]*\)".*/\1/p' "$UDEV_RULE")
[ -n "$UDEV_RUN" ] || fail "no systemd-sysctl RUN for netdevs in $UDEV_RULE"

MAP='rd.rail=ib0:10.0.1.14/24:10.0.1.1
rd.rail=ib0:[fd00:1::14]/64
rd.rail=ib1:10.0.2.14/24:10.0.2.1
rd.rail=ib2:10.0.3.14/24:10.0.3.1,rp_filter=1
rd.rail=ib3:10.0.4.14/24:10.0.4.1
rd.rail=ib0.8001:10.0.5.14/24'
RAILS="ib0 ib1 ib2 ib3 ib0.8001"

build_four_rails sd
ns_link "$NODE" ib0.8001 "$SW" br5
v6_on "$NODE" ib0
set_sysctl "$NODE" ib3 arp_ignore 1
set_conf "$MAP"
dump "$NODE" >"$RU_TMP/before.json"
v6_before="$(v6 "$NODE" ib0 accept_ra) $(v6 "$NODE" ib0 keep_addr_on_down)"
DROPIN=$(rundir "$NODE")/sysctl.d/99-zzz-railup.conf
HARD=$RU_TMP/sysctl.d/50-hardened.conf
mkdir -p "$RU_TMP/sysctl.d"
cat >"$HARD" <<'EOF'
net.ipv4.conf.*.rp_filter = 1
net.ipv4.conf.*.arp_ignore = 0
net.ipv4.conf.*.arp_announce = 0
net.ipv4.conf.all.accept_local = 0
net.ipv6.conf.*.accept_ra = 1
net.ipv6.conf.*.keep_addr_on_down = 0
EOF

# dropin: the drop-in's settings, sorted
dropin() {
	grep -v '^#' "$DROPIN" | LC_ALL=C sort | paste -sd'|'
}

# kernel_says: each of the drop-in's names as sysctl(8) reads it in the node
kernel_says() {
	local name
	grep -v '^#' "$DROPIN" | cut -d' ' -f1 | while read -r name; do
		echo "$name = $(in_ns "$NODE" sysctl -n "$name" </dev/null)"
	done | LC_ALL=C sort | paste -sd'|'
}

# values: every rail's values and conf/all's, for comparing
values() {
	local d k
	for d in all $RAILS; do
		for k in $SYSCTL_KEYS; do
			echo "$d $k $(sc "$NODE" "$d" "$k")"
		done
	done
	echo "ib0 v6 $(v6 "$NODE" ib0 accept_ra) $(v6 "$NODE" ib0 keep_addr_on_down)"
}

# udev_add IF FILE...: what udev runs for IF added, reading FILE... alone
udev_add() {
	local ifn=$1
	shift
	# shellcheck disable=SC2086 # the rule's words
	in_ns "$NODE" ${UDEV_RUN//\$name/$ifn} "$@"
}

ru_ok "$NODE" apply
expect_eq "the drop-in" "$(LC_ALL=C sort <<'EOF' | paste -sd'|'
net.ipv4.conf.all.rp_filter = 1
net.ipv4.conf.all.accept_local = 1
net.ipv4.conf.ib0.rp_filter = 2
net.ipv4.conf.ib0.arp_ignore = 1
net.ipv4.conf.ib0.arp_announce = 2
net.ipv6.conf.ib0.keep_addr_on_down = 1
net.ipv6.conf.ib0.accept_ra = 0
net.ipv4.conf.ib1.rp_filter = 2
net.ipv4.conf.ib1.arp_ignore = 1
net.ipv4.conf.ib1.arp_announce = 2
net.ipv4.conf.ib2.rp_filter = 1
net.ipv4.conf.ib2.arp_ignore = 1
net.ipv4.conf.ib2.arp_announce = 2
net.ipv4.conf.ib3.rp_filter = 2
net.ipv4.conf.ib3.arp_ignore = 1
net.ipv4.conf.ib3.arp_announce = 2
net/ipv4/conf/ib0.8001/rp_filter = 2
net/ipv4/conf/ib0.8001/arp_ignore = 1
net/ipv4/conf/ib0.8001/arp_announce = 2
EOF
)" "$(dropin)"
expect_eq "each line is what the kernel has" "$(dropin)" "$(kernel_says)"
expect_eq "ib3's arp_ignore is not in the ledger (it was 1 before railup)" "" \
	"$(awk '$1 == "sysctl" && $2 == "ib3" && $4 == "arp_ignore"' "$(rundir "$NODE")/owned")"
pass "the drop-in holds the values the map asks of the rails, conf/all's railup set"

before=$(values)
for i in $RAILS; do
	udev_add "$i" "$HARD" "$DROPIN"
done
expect_eq "every value after udev's runs for each rail" "$before" "$(values)"
others=$(sysctls "$NODE" | grep -E '^(lo|default) ')
in_ns "$NODE" "$SYSTEMD_SYSCTL" "$HARD" "$DROPIN"
expect_eq "every value after a whole run (as at boot)" "$before" "$(values)"
# That run gave lo and default the glob's values: not railup's, put back.
while read -r d k v; do
	set_sysctl "$NODE" "$d" "$k" "$v"
done <<<"$others"
ru_ok "$NODE" status
pass "a hardened glob does not undo a rail's values"

ino=$(stat -c %i "$DROPIN")
udev_add ib1 "$HARD"
expect_eq "without the drop-in: ib1's rp_filter is the glob's" 1 "$(sc "$NODE" ib1 rp_filter)"
ru "$NODE" status
expect_rc "status after the glob won" 1
ru_ok "$NODE" apply
expect_eq "apply puts it back" 2 "$(sc "$NODE" ib1 rp_filter)"
expect_eq "the drop-in, unchanged, is left alone" "$ino" "$(stat -c %i "$DROPIN")"
set_sysctl "$NODE" ib0.8001 rp_filter 0
in_ns "$NODE" sysctl -q -p "$DROPIN"
expect_eq "procps' sysctl -p reads it (ib0.8001)" 2 "$(sc "$NODE" ib0.8001 rp_filter)"
expect_eq "and sets nothing else" "$before" "$(values)"
pass "the control: the glob alone wins; sysctl(8) takes the file too"

set_conf "${MAP//,rp_filter=1/}"
ru_ok "$NODE" apply
expect_contains "ib2's value" "$(dropin)" "net.ipv4.conf.ib2.rp_filter = 2"
expect_contains "conf/all's" "$(dropin)" "net.ipv4.conf.all.rp_filter = 2"
set_conf "$(grep -v ib3 <<<"${MAP//,rp_filter=1/}")"
ru_ok "$NODE" apply
expect_not_contains "ib3's lines are gone" "$(dropin)" "ib3"
expect_eq "ib3's values are back" "0 1 0" \
	"$(sc "$NODE" ib3 rp_filter) $(sc "$NODE" ib3 arp_ignore) $(sc "$NODE" ib3 arp_announce)"
expect_eq "each line is what the kernel has" "$(dropin)" "$(kernel_says)"
pass "a changed map changes the drop-in"

ru_ok "$NODE" down
[ ! -e "$DROPIN" ] || fail "the drop-in is still there after down"
expect_eq "IPv6 values after down" "$v6_before" "$(v6 "$NODE" ib0 accept_ra) $(v6 "$NODE" ib0 keep_addr_on_down)"
expect_eq "nothing else in its directory" "" "$(ls -A "$(dirname "$DROPIN")")"
dump "$NODE" >"$RU_TMP/after.json"
expect_same_file "the whole state after down (expected: before apply)" \
	"$RU_TMP/before.json" "$RU_TMP/after.json"
pass "down removes the drop-in"

set_conf "$MAP
rd.rail.verify=0 rd.rail.modules= rd.rail.timeout=20"
ru_ok "$NODE" boot --no-kmsg
expect_contains "boot's drop-in: ib2's value" "$(dropin)" "net.ipv4.conf.ib2.rp_filter = 1"
expect_eq "each line is what the kernel has" "$(dropin)" "$(kernel_says)"
ru_ok "$NODE" down
[ ! -e "$DROPIN" ] || fail "the drop-in is still there after down"
pass "boot writes the drop-in"
