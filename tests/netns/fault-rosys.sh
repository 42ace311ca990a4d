#!/bin/bash
# Fault: /proc/sys is not writable. railup runs in a mount namespace of its
# own where /proc/sys (or only net.ipv4.conf.all) is a read-only bind mount;
# the test itself still sees the real values.
#   1. apply, /proc/sys read-only: exit 1, every rail failed with the sysctl
#      and "Read-only file system"; status reports every rail WRONG; nothing
#      railup owns escapes status; no sysctl in the ledger (none was changed);
#      no rule of railup's steers a rail apply failed (nothing half-applied);
#      writable again, apply repairs everything and down leaves nothing.
#   2. down, /proc/sys read-only: exit 1; what netlink can undo is undone, the
#      values it could not put back stay in the ledger (nothing lost); a later
#      down puts them back and empties the ledger.
#   3. apply, only conf/all read-only (the map's all.rp_filter=2 and
#      all.accept_local=1 cannot be set): apply exits 1 naming them, and status
#      does not call the node ok while conf/all is not what the map asks.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/lib-fault.sh
. "$(dirname "$0")/lib-fault.sh"

# readonly_sys [PATH]: RAILUP runs with PATH (default /proc/sys) read-only
readonly_sys() {
	local p=${1:-/proc/sys}
	cat >"$RU_TMP/railup-ro" <<EOF
#!/bin/sh
# railup with $p read-only (tests/netns/fault-rosys.sh)
[ -n "\$RU_RO_INNER" ] || RU_RO_INNER=1 exec unshare -m --propagation private "\$0" "\$@"
mount --bind $p $p && mount -o remount,bind,ro $p || exit 97
exec "$RU_REAL" "\$@"
EOF
	chmod +x "$RU_TMP/railup-ro"
	RAILUP=$RU_TMP/railup-ro
}

writable_sys() {
	RAILUP=$RU_REAL
}

# image: values of the image on the rails, so that "put back" cannot pass by being 0
image() {
	local i
	for i in 0 1 2 3; do
		set_sysctl "$NODE" ib$i arp_ignore 2
		set_sysctl "$NODE" ib$i arp_announce 1
	done
	set_sysctl "$NODE" all arp_announce 1
}

apply_readonly() {
	local i before
	build_four_rails s1
	image
	before=$(sysctls "$NODE")
	set_conf "$MAP_A"
	readonly_sys
	ru "$NODE" apply
	writable_sys
	expect_rc "apply, /proc/sys read-only" 1
	for i in 0 1 2 3; do
		expect_contains "apply's message on ib$i" "$RU_ERR" "ib$i: apply: sysctl -w net.ipv4.conf.ib$i."
	done
	expect_contains "apply's message" "$RU_ERR" "Read-only file system"
	expect_lines "the sysctls (unchanged)" "$before" "$(sysctls "$NODE")"
	expect_eq "the ledger: no sysctl (none was changed)" "" "$(ledger "$NODE" | grep '^sysctl' || true)"
	expect_wrong "$NODE" "/proc/sys was read-only" "ib0 ib1 ib2 ib3"
	owned_reported "$NODE" "/proc/sys was read-only"
	soft_check "railup's rules (apply failed every rail: nothing half-applied)" "" \
		"$(railup_rules "$NODE")"

	ru_ok "$NODE" apply
	expect_wrong "$NODE" "writable again, applied" ""
	ledger_no_dups "$NODE" "writable again, applied" || RU_SOFT+="ledger entries twice"$'\n'
	ru_ok "$NODE" down
	expect_eq "after down: railup's rules" "" "$(railup_rules "$NODE")"
	expect_eq "after down: railup's routes" "" "$(railup_routes "$NODE")"
	soft_check "after down: the ledger" "" "$(ledger "$NODE")"
	expect_lines "after down: the sysctls (the image's)" "$before" "$(sysctls "$NODE")"
	soft_end
	pass "apply with /proc/sys read-only: failed, reported, repaired"
}

down_readonly() {
	local before
	build_four_rails s2
	image
	before=$(sysctls "$NODE")
	set_conf "$MAP_A"
	ru_ok "$NODE" apply
	readonly_sys
	ru "$NODE" down
	writable_sys
	expect_rc "down, /proc/sys read-only" 1
	expect_contains "down's message" "$RU_ERR" "Read-only file system"
	expect_eq "railup's rules" "" "$(railup_rules "$NODE")"
	expect_eq "railup's routes" "" "$(railup_routes "$NODE")"
	expect_eq "the addresses railup added" "" "$(ledger "$NODE" | grep '^addr' || true)"
	expect_eq "the sysctls down could not put back stay in the ledger" 14 \
		"$(ledger "$NODE" | grep -c '^sysctl')"
	ru "$NODE" status
	expect_rc "status after the half-done down" 1
	ru_ok "$NODE" down
	no_railup_left "$NODE" "after a second down"
	expect_lines "after a second down: the sysctls (the image's)" "$before" "$(sysctls "$NODE")"
	pass "down with /proc/sys read-only: what it could not undo is not forgotten"
}

all_readonly() {
	build_four_rails s3
	set_conf "$MAP_A"
	readonly_sys /proc/sys/net/ipv4/conf/all
	ru "$NODE" apply
	writable_sys
	expect_eq "all.rp_filter, all.accept_local (unchanged)" "0 0" \
		"$(sc "$NODE" all rp_filter) $(sc "$NODE" all accept_local)"
	expect_contains "apply's message" "$RU_ERR" "net.ipv4.conf.all.accept_local"
	soft_check "apply's exit (it could not set conf/all as the map asks)" 1 "$RU_RC"
	ru "$NODE" status
	soft_check "status's exit (conf/all is not what the map asks)" 1 "$RU_RC"
	owned_reported "$NODE" "conf/all was read-only"
	ru_ok "$NODE" apply
	expect_eq "writable again: all.rp_filter, all.accept_local" "2 1" \
		"$(sc "$NODE" all rp_filter) $(sc "$NODE" all accept_local)"
	expect_wrong "$NODE" "writable again, applied" ""
	ru_ok "$NODE" down
	no_railup_left "$NODE" "after down"
	soft_end
	pass "conf/all read-only: apply and status say so"
}

part "apply with /proc/sys read-only" apply_readonly
part "down with /proc/sys read-only" down_readonly
part "apply with only conf/all read-only" all_readonly
parts_end
