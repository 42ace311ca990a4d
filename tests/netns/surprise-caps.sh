#!/bin/bash
# Least surprise: the privileges railup needs. As root with every capability
# dropped but CAP_NET_ADMIN (setpriv: bounding, inheritable and ambient sets),
# apply, status, plan, down and boot (rd.rail.verify=0; no modules to load
# here: CAP_SYS_MODULE is boot's only other need) succeed and leave the same
# state as with every capability. With no capability at all, status still
# works (it only reads), while apply and down fail cleanly: exit 1, a clear
# message, and nothing changed (root without CAP_NET_ADMIN may still write
# /proc/sys/net, so railup must not begin what it cannot finish).
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/lib-fault.sh
. "$(dirname "$0")/lib-fault.sh"
command -v setpriv >/dev/null || fail "setpriv is missing (util-linux; make test-deps)"

# caps "+net_admin" | "": RAILUP runs with only these capabilities
caps() {
	cat >"$RU_TMP/railup-caps" <<EOF2
#!/bin/sh
exec setpriv --inh-caps=-all$1 --ambient-caps=-all$1 --bounding-set=-all$1 "$RU_REAL" "\$@"
EOF2
	chmod +x "$RU_TMP/railup-caps"
	RAILUP=$RU_TMP/railup-caps
}

all_caps() {
	RAILUP=$RU_REAL
}

net_admin_only() {
	local ref
	build_four_rails c1
	expect_eq "the capabilities railup gets" "CapEff:	0000000000001000" \
		"$(in_ns "$NODE" setpriv --inh-caps=-all,+net_admin --ambient-caps=-all,+net_admin \
			--bounding-set=-all,+net_admin grep CapEff /proc/self/status)"
	set_conf "$MAP_A"
	caps ,+net_admin
	ru_ok "$NODE" apply
	ru_ok "$NODE" status
	ru_ok "$NODE" plan
	expect_eq "plan after apply" "" "$RU_OUT"
	all_caps
	dump "$NODE" >"$RU_TMP/net_admin.json"
	ru_ok "$NODE" down
	ru_ok "$NODE" apply
	dump "$NODE" >"$RU_TMP/all.json"
	expect_same_file "the state: CAP_NET_ADMIN only vs every capability" \
		"$RU_TMP/all.json" "$RU_TMP/net_admin.json"
	caps ,+net_admin
	ru_ok "$NODE" down
	no_railup_left "$NODE" "after down with CAP_NET_ADMIN only"
	set_conf "$MAP_A
rd.rail.verify=0 rd.rail.timeout=5 rd.rail.modules="
	ru_ok "$NODE" boot --no-kmsg
	ru_ok "$NODE" status
	ru_ok "$NODE" down
	all_caps
	pass "CAP_NET_ADMIN alone: apply, status, plan, down, boot"
}

no_caps() {
	local before
	build_four_rails c2
	before=$(dump "$NODE")
	set_conf "$MAP_A"
	caps ""
	ru "$NODE" apply
	all_caps
	expect_rc "apply without CAP_NET_ADMIN" 1
	expect_contains "apply's message" "$RU_ERR" "needs CAP_NET_ADMIN"
	printf '     (its message: %s)\n' "$(head -n 1 <<<"$RU_ERR")"
	soft_same "the state after a refused apply (nothing changed)" "$before" "$(dump "$NODE")"
	soft_same "the ledger after a refused apply" "" "$(ledger "$NODE")"
	ru_ok "$NODE" apply
	caps ""
	ru "$NODE" status
	expect_rc "status without any capability (it only reads)" 0
	before=$(dump "$NODE")
	ru "$NODE" down
	all_caps
	expect_rc "down without CAP_NET_ADMIN" 1
	soft_same "the state after a refused down (nothing changed)" "$before" "$(dump "$NODE")"
	ru_ok "$NODE" down
	no_railup_left "$NODE" "after down"
	soft_end
	pass "no capability: status works, apply and down refused cleanly"
}

part "CAP_NET_ADMIN only" net_admin_only
part "no capability" no_caps
parts_end
