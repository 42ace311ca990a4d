#!/bin/bash
# Two railups at once. A run that changes the node (apply, down, boot) reads
# the ledger, changes the kernel and writes the ledger anew; it holds
# <rundir>/lock (flock) meanwhile, and another waits for it.
#   1. the lock held (flock(1), as a railup holds it): apply waits, says so
#      (naming flock, its command line quoted: a control character escaped) and
#      changes nothing; plan and status do not wait; once the lock goes,
#      apply configures the rails.
#   2. boot waiting for ib1's carrier, apply of a map with a third rail (ib2)
#      started meanwhile: apply waits for boot to end, and says that it
#      waits for it (boot's pid and command line, too long, so cut in the
#      middle). (Before the lock, apply configured ib1 under boot, and boot,
#      planning from the state it had read, then failed ib1: "ip route add
#      ...: File exists"; its ledger write would drop apply's entries.) Boot verifies both its rails, apply
#      then adds ib2, the ledger holds every rail's entries, down undoes all.
#   3. two first applies of a boot (no lock made yet): the first, stopped
#      (strace) once it has read the node and made the run directory for its
#      lock, is let go after the second made the lock and configured the
#      rails; it reads the node anew and finds nothing to do. (Before, it
#      took the lock the second had made and planned from what it had read:
#      "ip route add ...: File exists", its rails failed.)
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/lib-fault.sh
. "$(dirname "$0")/lib-fault.sh"

# apply_bg NS: railup apply in the background (its own output files); APPLY_PID.
# The files go first: the background child truncates them only when it gets
# to it, and apply_waiting must not find an earlier run's line.
apply_bg() {
	rm -f "$RU_TMP/apply.out" "$RU_TMP/apply.err"
	ip netns exec "$1" "$RAILUP" --cmdline "$RU_CMDLINE" --conf "$RU_CONF" \
		--run-dir "$(rundir "$1")" apply >"$RU_TMP/apply.out" 2>"$RU_TMP/apply.err" &
	APPLY_PID=$!
	held "$APPLY_PID"
}

# apply_waiting: waits up to 20 s (railup may run under valgrind) for apply_bg's
# railup to say it waits for the lock; then it must still be running.
# APPLY_WAITS: that line.
apply_waiting() {
	APPLY_WAITS=
	for _ in $(seq 200); do
		APPLY_WAITS=$(grep -s 'another railup is changing this node.*: waiting for it' \
			"$RU_TMP/apply.err") && break
		kill -0 "$APPLY_PID" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$APPLY_WAITS" ] || fail "apply never said it waits for the lock (its log: $(cat "$RU_TMP/apply.err"))"
	sleep 0.2
	kill -0 "$APPLY_PID" 2>/dev/null || fail "apply ended while another railup held the lock"
}

# apply_join: waits for apply_bg's railup; its exit status in APPLY_RC
apply_join() {
	APPLY_RC=0
	wait "$APPLY_PID" || APPLY_RC=$?
	released "$APPLY_PID"
	sed 's/^/    apply stderr| /' "$RU_TMP/apply.err"
}

held_lock() {
	local run HOLDER
	build_four_rails l1
	set_conf "$MAP_A"
	run=$(rundir "$NODE")
	mkdir -p "$run"
	# flock(1) holds it (-o: not its command, whose last word holds a newline,
	# which apply's one line must not pass on)
	flock -o -x "$run/lock" sh -c 'exec sleep 60' $'x\ny' &
	HOLDER=$!
	held "$HOLDER"
	for _ in $(seq 100); do
		flock -n "$run/lock" true || break
		sleep 0.05
	done
	apply_bg "$NODE"
	apply_waiting
	expect_contains "apply's waiting line names the holder" "$APPLY_WAITS" \
		"changing this node (pid $HOLDER: \"flock -o -x lock sh -c exec sleep 60 x\\x0ay\"): waiting for it"
	expect_eq "railup's rules while apply waits" "" "$(railup_rules "$NODE")"
	expect_eq "ib0's addresses while apply waits" "" "$(addrs "$NODE" ib0)"
	ru "$NODE" plan
	expect_rc "plan while the lock is held" 0
	expect_contains "plan while the lock is held" "$RU_OUT" "ip rule add from 10.0.1.14"
	ru "$NODE" status
	expect_rc "status while the lock is held (nothing configured yet)" 1
	# its command ended, flock(1) ends too, and the lock goes with it
	pkill -P "$HOLDER"
	wait "$HOLDER" || true
	released "$HOLDER"
	apply_join
	expect_eq "apply's exit status once the lock went" 0 "$APPLY_RC"
	expect_wrong "$NODE" "after apply" ""
	pass "apply waits for the lock, plan and status do not"
}

boot_then_apply() {
	build_four_rails l2
	carrier "$NODE" ib1 "$SW" down
	set_conf 'rd.rail=ib0:10.0.1.14/24:10.0.1.1
rd.rail=ib1:10.0.2.14/24:10.0.2.1
rd.rail.verify=0 rd.rail.modules= rd.rail.timeout=20'
	ru_bg "$NODE" boot --no-kmsg
	for _ in $(seq 100); do
		case "$(railup_rules "$NODE")" in *10.0.1.14*) break ;; esac
		sleep 0.05
	done
	expect_eq "boot configured ib0" "1001 from 10.0.1.14 lookup 101" "$(railup_rules "$NODE")"
	set_conf 'rd.rail=ib0:10.0.1.14/24:10.0.1.1
rd.rail=ib1:10.0.2.14/24:10.0.2.1
rd.rail=ib2:10.0.3.14/24:10.0.3.1'
	apply_bg "$NODE"
	apply_waiting
	expect_contains "apply's waiting line names the boot holding the lock" "$APPLY_WAITS" \
		"changing this node (pid $RU_BG: \""
	# (under valgrind the holder's command line is valgrind's, its options first)
	[ -n "${RU_TOOL_LOGS:-}" ] || expect_contains "apply's waiting line names the boot holding the lock" \
		"$APPLY_WAITS" "(pid $RU_BG: \"railup --cmdline cmdline --conf rail...--run-dir run-l2-node boot --no-kmsg\"): waiting for it"
	expect_eq "ib2's addresses while apply waits for boot" "" "$(addrs "$NODE" ib2)"
	carrier "$NODE" ib1 "$SW" up
	ru_join
	expect_rc "boot" 0
	apply_join
	expect_eq "apply's exit status after boot" 0 "$APPLY_RC"
	expect_eq "the ledger's addresses" "ib0 10.0.1.14/24
ib1 10.0.2.14/24
ib2 10.0.3.14/24" "$(ledger "$NODE" | awk '$1 == "addr" { print $2, $4 }')"
	expect_eq "the ledger's rails with values" "ib0 ib1 ib2" \
		"$(ledger "$NODE" | awk '$1 == "sysctl" && $2 != "all" { print $2 }' | uniq | tr '\n' ' ' | sed 's/ $//')"
	ru_ok "$NODE" down
	no_railup_left "$NODE" "after down"
	expect_eq "ib2's values after down" "0 0 0" \
		"$(sc "$NODE" ib2 rp_filter) $(sc "$NODE" ib2 arp_ignore) $(sc "$NODE" ib2 arp_announce)"
	pass "apply during boot waits for it; the ledger keeps both runs' entries"
}

two_first_applies() {
	local run
	build_four_rails l3
	set_conf "$MAP_A"
	run=$(rundir "$NODE")
	# A first run makes the run directory only for its lock, after its reading.
	trace_stop "$NODE" mkdir 1 apply
	expect_eq "the run directory's files while the first apply is stopped" "" \
		"$(ls -A "$run")"
	apply_bg "$NODE"
	apply_join
	expect_eq "the second apply's exit status" 0 "$APPLY_RC"
	configured4 "after the second apply"
	trace_cont
	expect_rc "the first apply, let go after the second" 0
	expect_eq "the first apply's outcome" "railup: 4 rails: 0 verified, 4 configured, 0 failed" \
		"$(tail -n 1 <<<"$RU_ERR")"
	expect_eq "the first apply's complaints" "" "$(grep -i -e exists -e error <<<"$RU_ERR")"
	configured4 "after both"
	expect_wrong "$NODE" "after both" ""
	expect_eq "the ledger's addresses" "ib0 10.0.1.14/24
ib1 10.0.2.14/24
ib2 10.0.3.14/24
ib3 10.0.4.14/24" "$(ledger "$NODE" | awk '$1 == "addr" { print $2, $4 }')"
	ledger_no_dups "$NODE" "after both" || exit 1
	# (sysctl.d: the drop-in goes there when the run directory is not /run/railup)
	expect_eq "the run directory's files after both" "lock owned state sysctl.d" \
		"$(ls "$run" | tr '\n' ' ' | sed 's/ $//')"
	ru_ok "$NODE" down
	no_railup_left "$NODE" "after down"
	pass "two first applies: the one that finds the lock made reads the node anew"
}

part "the lock held" held_lock
part "boot, then apply" boot_then_apply
part "two first applies" two_first_applies
parts_end
