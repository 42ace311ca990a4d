#!/bin/bash
# Fault: dumps that are large, interrupted or overflow railup's socket.
#   1. large: 3000 foreign routes in a rail's table and 3000 in another, 1000
#      foreign rules: apply and status are right, the foreign objects are
#      untouched (apply, down), and so while routes in a rail's table change
#      during the apply.
#   2. interrupted (NLM_F_DUMP_INTR): strace stops railup after the first part
#      of its link dump, a link is added, railup goes on: the kernel marks the
#      rest of the dump interrupted; railup must read it again (a second
#      RTM_GETLINK) and apply must come out right.
#   3. overflowed (ENOBUFS) during a dump: strace stops railup right after it
#      binds its socket, nlflood fills the socket's queue (a root process in
#      the namespace may send to any port id), railup goes on: its dump
#      request finds the queue full, the kernel's answer is dropped and the
#      socket reports ENOBUFS; railup must drain it and dump again.
#   4. overflowed during the batch: the gate holds railup after its plan,
#      nlflood fills the queue, railup sends its batch: the kernel applies every
#      change but its acknowledgement is dropped (ENOBUFS). What the kernel did
#      must not be lost: apply and status agree, every address railup added
#      is in the ledger, down leaves nothing of railup's. ib1's rule is there
#      twice before (nlrule: a racing writer's copy); the batch removes one,
#      and with its answer lost apply must still see that done.
#   5. interrupted again and again: nlchurn adds and removes an address
#      without a pause for 1.5 s while railup reads 6000 addresses. apply
#      reads them again (past its eight quick tries, after pauses, when it
#      must) and gets through between two changes or once they stop; the
#      part fails if the kernel marked no dump interrupted. (Giving up after
#      3 s is unit-tested: here a read now and then gets through a gap
#      between two changes, so it cannot be forced.)
# What could not be forced: ENOBUFS on a dump by its own size (the kernel
# fills a dump only as the reader makes room) and NLM_F_DUMP_INTR on route or
# rule dumps (IPv4 FIB and rule dumps do not check consistency); 3 and 4 need
# a sender of our own.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/lib-fault.sh
. "$(dirname "$0")/lib-fault.sh"

NLFLOOD=$RU_TMP/nlflood
"${HOST_CC:-cc}" -O1 -o "$NLFLOOD" "$(dirname "$0")/nlflood.c" || fail "cannot build nlflood"
NLRULE=$RU_TMP/nlrule
"${HOST_CC:-cc}" -O1 -o "$NLRULE" "$(dirname "$0")/nlrule.c" || fail "cannot build nlrule"
NLCHURN=$RU_TMP/nlchurn
"${HOST_CC:-cc}" -O1 -o "$NLCHURN" "$(dirname "$0")/nlchurn.c" || fail "cannot build nlchurn"

# foreign_count NS: "ROUTES101 ROUTES300 RULES" not railup's
foreign_count() {
	echo "$(ip -n "$1" route show table 101 | grep -vc 'proto 114\|proto railup' || true)" \
		"$(ip -n "$1" route show table 300 | wc -l)" \
		"$(ip -n "$1" rule show | grep -c 'lookup 300' || true)"
}

large() {
	local i
	build_four_rails d1
	# ib0 keeps an address of the operator's: when railup's down removes the
	# last IPv4 address of an interface, the kernel drops every IPv4 route
	# through it, in every table (fib_disable_ip).
	ip -n "$NODE" addr add 192.168.77.1/24 dev ib0
	for ((i = 0; i < 3000; i++)); do
		echo "route add 172.16.$((i / 250)).$((i % 250 + 1))/32 dev ib0 table 101"
		echo "route add 172.18.$((i / 250)).$((i % 250 + 1))/32 dev ib0 table 300"
	done >"$RU_TMP/routes"
	for ((i = 0; i < 1000; i++)); do
		echo "rule add from 172.17.$((i / 250)).$((i % 250 + 1)) lookup 300 pref $((20000 + i))"
	done >>"$RU_TMP/routes"
	ip -n "$NODE" -b "$RU_TMP/routes"
	expect_eq "the foreign objects, before" "3000 3000 1000" "$(foreign_count "$NODE")"
	set_conf "$MAP_A"
	# Routes in table 101 change all the while.
	(
		for ((i = 0; i < 400; i++)); do
			echo "route add 172.19.$((i / 250)).$((i % 250 + 1))/32 dev ib0 table 101"
			echo "route del 172.19.$((i / 250)).$((i % 250 + 1))/32 dev ib0 table 101"
		done | ip -n "$NODE" -b -
	) &
	local churn=$!
	ru_ok "$NODE" apply
	wait "$churn"
	expect_eq "the foreign objects, after apply" "3000 3000 1000" "$(foreign_count "$NODE")"
	expect_lines "table 101: railup's routes" \
		"10.0.1.0/24 dev ib0 src 10.0.1.14 proto 114 scope link
default via 10.0.1.1 dev ib0 src 10.0.1.14 proto 114" "$(routes_text "$NODE" 101 | grep 'proto 114')"
	expect_wrong "$NODE" "after apply" ""
	owned_reported "$NODE" "after apply"
	ru_ok "$NODE" plan
	expect_eq "plan after apply" "" "$RU_OUT"
	ru_ok "$NODE" down
	expect_eq "the foreign objects, after down" "3000 3000 1000" "$(foreign_count "$NODE")"
	no_railup_left "$NODE" "after down"
	pass "large dumps, routes changing meanwhile: right, and the foreign objects untouched"
}

interrupted() {
	local i
	build_four_rails d2
	for i in $(seq 1 20); do echo "link add br-x$i type bridge"; done | ip -n "$NODE" -b -
	set_conf "$MAP_A"
	trace_stop "$NODE" recvfrom 1 apply
	local first
	first=$(grep -m 1 'recvfrom(' "$RU_TRACE")
	case $first in *RTM_NEWLINK*) ;; *) fail "the first recvfrom is not a part of the link dump" ;; esac
	case $first in *NLMSG_DONE*) fail "the link dump came in one part: nothing to interrupt" ;; esac
	ip -n "$NODE" link add br-new type bridge
	trace_cont
	expect_rc "apply, its link dump interrupted" 0
	grep -q NLM_F_DUMP_INTR "$RU_TRACE" || fail "the kernel did not mark the dump interrupted"
	expect_eq "RTM_GETLINK requests (the interrupted dump read again)" 2 \
		"$(grep 'sendto(' "$RU_TRACE" | grep -c RTM_GETLINK)"
	expect_wrong "$NODE" "after an interrupted dump" ""
	owned_reported "$NODE" "after an interrupted dump"
	ru_ok "$NODE" plan
	expect_eq "plan after apply" "" "$RU_OUT"
	pass "an interrupted dump (NLM_F_DUMP_INTR) is read again"
}

# flood NS PID: fills PID's request socket; prints its /proc/net/netlink row
flood() {
	local port ino
	read -r port ino < <(nl_socket_of "$2" "$1") || fail "railup's netlink socket not found"
	in_ns "$1" "$NLFLOOD" "$port"
	nl_row "$1" "$ino" | sed 's/^/     /'
}

overflow_dump() {
	build_four_rails d3
	set_conf "$MAP_A"
	trace_stop "$NODE" bind 1 apply
	flood "$NODE" "$RU_TRACEE"
	trace_cont
	expect_rc "apply, its socket overflowed" 0
	grep -q 'recvfrom(.*ENOBUFS' "$RU_TRACE" || fail "railup's recv never saw ENOBUFS"
	expect_eq "RTM_GETLINK requests (the lost dump read again)" 2 \
		"$(grep 'sendto(' "$RU_TRACE" | grep -c RTM_GETLINK)"
	expect_wrong "$NODE" "after an overflowed dump" ""
	owned_reported "$NODE" "after an overflowed dump"
	ru_ok "$NODE" plan
	expect_eq "plan after apply" "" "$RU_OUT"
	pass "a dump whose answer overflowed the socket (ENOBUFS) is read again"
}

# ib1_rules NS: how many of railup's rules "from 10.0.2.14 lookup 102 priority 1002" NS has
ib1_rules() {
	rules_text "$1" | grep -c '^1002 from 10.0.2.14 lookup 102 proto 114$' || true
}

overflow_batch() {
	local added
	build_four_rails d4
	set_conf "$MAP_A"
	in_ns "$NODE" "$NLRULE" 10.0.2.14 102 1002 114 >/dev/null
	in_ns "$NODE" "$NLRULE" 10.0.2.14 102 1002 114 >/dev/null
	expect_eq "ib1's rule before apply (railup's and a copy)" 2 "$(ib1_rules "$NODE")"
	gate_setup
	ru_bg "$NODE" apply
	gate_dumped "$NODE"
	gate_planned "$NODE"
	flood "$NODE" "$RU_BG" # (ip netns exec, the gate's wrapper and railup: one process)
	gate_release "$NODE"
	ru_join
	gate_teardown
	printf '     (apply exited %d)\n' "$RU_RC"
	added=$(for i in 0 1 2 3; do
		addrs "$NODE" ib$i | sed "s/^/addr ib$i $(ip -n "$NODE" -j link show ib$i | jq .[0].ifindex) /"
	done)
	expect_eq "the rails' addresses (the kernel applied the batch)" 4 "$(grep -c . <<<"$added")"
	expect_eq "ib1's rule after apply (the copy removed)" 1 "$(ib1_rules "$NODE")"
	expect_not_contains "apply's errors (the copy's removal took effect)" "$RU_ERR" \
		"rule del from 10.0.2.14"
	soft_check "the ledger's addresses (railup added them)" "$added" \
		"$(ledger "$NODE" | grep '^addr' || true)"
	local applied=ok
	[ "$RU_RC" -eq 0 ] || applied=failed
	ru "$NODE" status
	soft_check "apply ($applied) and status agree" "$applied" \
		"$([ "$RU_RC" -eq 0 ] && echo ok || echo failed)"
	owned_reported "$NODE" "after an overflowed batch"
	ru_ok "$NODE" apply
	expect_wrong "$NODE" "applied again" ""
	ru_ok "$NODE" down
	no_railup_left "$NODE" "after down"
	soft_check "after down: the rails' addresses (all railup's)" "" \
		"$(for i in 0 1 2 3; do addrs "$NODE" ib$i; done)"
	soft_end
	pass "a batch whose acknowledgement overflowed the socket: nothing lost"
}

# allowed_cpus: the CPUs this process may run on, one per line (taskset -cp
# says "0-3" or "2,5-7")
allowed_cpus() {
	local r
	for r in $(taskset -cp $$ | sed 's/.*: //; s/,/ /g'); do
		seq "${r%-*}" "${r#*-}"
	done
}

# churn_start MS: nlchurn in NODE on CPU $CHURN_CPU for MS ms, once its first change is made
churn_start() {
	in_ns "$NODE" taskset -c "$CHURN_CPU" "$NLCHURN" "$1" >"$RU_TMP/churn" &
	RU_CHURN=$!
	local i
	for ((i = 0; i < 100; i++)); do
		ip -n "$NODE" -o addr show dev lo | grep -q 172.21.0.1 && return 0
		sleep 0.01
	done
	fail "nlchurn made no change"
}

churning() {
	local i cpus
	mapfile -t cpus < <(allowed_cpus)
	[ ${#cpus[@]} -ge 2 ] || { pass "skipped: one CPU, no churn beside railup"; return 0; }
	CHURN_CPU=${cpus[0]}
	build_four_rails d5
	# 6000 addresses: a dozen parts, each a chance for a change to break in.
	# Not on lo, where nlchurn's change would walk all of them each time.
	ip -n "$NODE" link add bulk0 type veth peer name bulk1
	for ((i = 0; i < 6000; i++)); do
		echo "addr add 172.20.$((i / 250)).$((i % 250 + 1))/32 dev bulk0"
	done | ip -n "$NODE" -b -
	set_conf "$MAP_A"
	# railup on another CPU, traced: what the kernel marked interrupted.
	untraced_leaks
	printf '#!/bin/sh\nexec taskset -c %s strace -f -qq -o %s -e trace=sendto,recvfrom %s "$@"\n' \
		"${cpus[1]}" "$RU_TMP/churn.trace" "$RAILUP" >"$RU_TMP/railup-churned"
	chmod +x "$RU_TMP/railup-churned"
	churn_start 1500
	RAILUP=$RU_TMP/railup-churned ru "$NODE" -v apply
	wait "$RU_CHURN" || fail "nlchurn failed"
	sed 's/^/     /' "$RU_TMP/churn"
	printf '     %s address dumps asked for, %s parts marked interrupted\n' \
		"$(grep 'sendto(' "$RU_TMP/churn.trace" | grep -c RTM_GETADDR)" \
		"$(grep -c 'recvfrom(.*NLM_F_DUMP_INTR' "$RU_TMP/churn.trace" || true)"
	grep -q 'recvfrom(.*NLM_F_DUMP_INTR' "$RU_TMP/churn.trace" ||
		fail "the kernel marked no dump interrupted: nothing was tested"
	expect_rc "apply, the addresses changing for 1.5 s" 0
	expect_wrong "$NODE" "after apply" ""
	owned_reported "$NODE" "after apply"
	ru_ok "$NODE" plan
	expect_eq "plan after apply" "" "$RU_OUT"
	pass "addresses changing without a pause for 1.5 s: read again until a read gets through"
}

part "large dumps (thousands of routes and rules), routes changing meanwhile" large
part "a link dump interrupted (NLM_F_DUMP_INTR)" interrupted
part "a dump overflowing railup's socket (ENOBUFS)" overflow_dump
part "a batch's acknowledgement overflowing railup's socket (ENOBUFS)" overflow_batch
part "addresses changing without a pause for 1.5 s" churning
parts_end
