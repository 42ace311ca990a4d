# shellcheck shell=bash
# Helpers of the fault-injection and least-surprise tests (fault-*.sh,
# surprise-*.sh), on top of lib.sh; sourced after it, never run (tests/run.sh
# skips lib*.sh).
#
#   owned_reported NS WHEN   nothing railup owns escapes `railup status`
#   ledger_no_dups NS WHEN   every ledger entry once
#   no_railup_left NS WHEN   no proto-114 rule or route, an empty ledger
#   soft_check / soft_end    a check that is reported at once but fails the
#                            part only at soft_end (the repair steps still run)
#   peer_port / carrier      a rail's switch port (its carrier)
#   up_within NS IF          waiting for railup to bring a link up
#   configured4 WHEN         MAP_A's four rails in place (rules, decisions)
#   ru_bg / ru_join          railup in the background (for the two below)
#   gate_*                   railup held at a precise point of an apply
#   trace_stop / trace_cont  railup stopped (SIGSTOP) right after its Nth call
#                            of a syscall, by strace
#
# The gate: railup reads net.ipv4.conf.all.{rp_filter,accept_local} after its
# dumps, and an apply that changes them writes them first of all its changes,
# before any netlink message is sent. gate_setup makes RAILUP a wrapper that
# runs railup in a private mount namespace where both files are FIFOs; a FIFO
# opened by railup blocks until the test opens the other end, so the test
# knows exactly where railup is, and what railup writes is copied to the real
# sysctl (the test's own mount namespace still sees /proc/sys as it is):
#
#   gate_dumped     returns when railup has finished its dumps (reading all.rp_filter)
#   gate_planned    returns when railup has planned and written all.rp_filter, and
#                   holds it opening all.accept_local: nothing sent yet
#   gate_release    lets it go on (its sysctl writes, then the netlink batch);
#                   the FIFOs are gone from then on

command -v strace >/dev/null || fail "strace is missing (make test-deps)"

RU_REAL=$RAILUP

# Processes a test left held (a railup stopped by strace, or blocked at the
# gate) when it failed: let go and killed on exit, before lib.sh's cleanup.
RU_HELD=$RU_TMP/held
mkdir -p "$RU_HELD"
held() {
	: >"$RU_HELD/$1"
}
released() {
	rm -f "$RU_HELD/$1"
}
ru_fault_exit() {
	local rc=$? f
	set +e
	for f in "$RU_HELD"/*; do
		[ -e "$f" ] || continue
		kill -CONT "${f##*/}" 2>/dev/null
		kill -KILL "${f##*/}" 2>/dev/null
	done
	(exit "$rc")
	ru_cleanup
}
trap ru_fault_exit EXIT

# Under a sanitizer build (make check-sanitize), a traced railup runs without
# leak detection: LeakSanitizer cannot work under ptrace.
untraced_leaks() {
	[ -z "${ASAN_OPTIONS:-}" ] || export ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0"
}

# tool_path PATH: whether PATH is a file of the tool railup runs under, not
# railup's: RU_TOOL_LOGS lists their prefixes, colon-separated (make
# check-sanitize and check-valgrind set it: the sanitizers' logs, valgrind's
# logs and its /tmp/valgrind_proc_* stand-ins for /proc/self files)
tool_path() {
	local p IFS=:
	for p in ${RU_TOOL_LOGS:-}; do
		[ -n "$p" ] || continue
		case $1 in "$p"*) return 0 ;; esac
		case "$p/" in "$1"/*) return 0 ;; esac # a parent a tool makes as mkdir -p would
	done
	return 1
}

# ---- invariants ----

# owned_reported NS WHEN: every proto-114 rule and route belongs to a rail of
# the map (its priority and table, its table), and every ledger entry names a
# rail's interface or conf/all: what railup owns, `railup status` reports.
# Leaves status --json's output in RU_STATUS_JSON and its exit in RU_STATUS_RC.
owned_reported() {
	local ns=$1 when=$2 bad
	ru "$ns" status --json
	RU_STATUS_JSON=$RU_OUT RU_STATUS_RC=$RU_RC
	[ "$RU_RC" -le 1 ] || fail "$when: status --json exited $RU_RC"
	printf '%s\n' "$RU_OUT" >"$RU_TMP/status.json"
	jq -e . "$RU_TMP/status.json" >/dev/null || fail "$when: status --json is not JSON: $RU_OUT"
	bad=$(ip -n "$ns" -j rule show | jq -r --slurpfile s "$RU_TMP/status.json" "$JQ_DEFS"'.[] |
		select(proto == "114") | . as $r |
		select([$s[0].rails[] | select(.priority == $r.priority and
			(.table | tostring) == ($r.table | tostring))] | length == 0) |
		"rule \(.priority) from \(.src) lookup \(.table)"')
	bad+=$(ip -n "$ns" -j route show table all | jq -r --slurpfile s "$RU_TMP/status.json" "$JQ_DEFS"'.[] |
		select(proto == "114") | . as $r |
		select([$s[0].rails[] | select((.table | tostring) == ($r.table // "main" | tostring))] |
			length == 0) |
		"route table \(.table // "main"): \(.dst) \(.gateway // "") \(.dev // "")"')
	bad+=$(ledger "$ns" | jq -R -r --slurpfile s "$RU_TMP/status.json" 'split(" ") | . as $e |
		select($e[1] != "all") |
		select([$s[0].rails[] | select(.name == $e[1] or .ifname == $e[1])] | length == 0) |
		"ledger: \(join(" "))"')
	[ -z "$bad" ] || fail "$when: railup owns what status does not report:
$bad"
}

# ledger_no_dups NS WHEN: no entry of the ledger twice
ledger_no_dups() {
	local f dups
	f=$(rundir "$1")/owned
	[ -f "$f" ] || return 0
	dups=$(grep -v '^#' "$f" | sort | uniq -d)
	[ -z "$dups" ] || {
		printf 'FAIL: %s: the ledger holds entries twice:\n%s\n' "$2" "$dups" >&2
		return 1
	}
}

# ledger NS: the ledger's entries, sorted (comments dropped)
ledger() {
	local f
	f=$(rundir "$1")/owned
	[ -f "$f" ] || return 0
	grep -v '^#' "$f" | LC_ALL=C sort
}

# no_railup_left NS WHEN: nothing of railup's protocol anywhere, an empty ledger
no_railup_left() {
	expect_eq "$2: railup's rules" "" "$(railup_rules "$1")"
	expect_eq "$2: railup's routes" "" "$(railup_routes "$1")"
	expect_eq "$2: the ledger" "" "$(ledger "$1")"
}

# expect_wrong NS WHEN "RAILS": status exits as it should and reports exactly
# these rails (space separated, map order) WRONG
expect_wrong() {
	ru "$1" status
	expect_rc "$2: status" "$([ -n "$3" ] && echo 1 || echo 0)"
	expect_eq "$2: the rails status reports WRONG" "$3" "$(wrong_rails <<<"$RU_OUT")"
}

# ---- soft checks: seen at once, failing the part at soft_end ----

RU_SOFT=""
soft_check() {
	[ "$2" == "$3" ] && return 0
	printf 'FAIL (reported at the end): %s\n  expected: %s\n  seen:     %s\n' "$1" "$2" "$3" >&2
	RU_SOFT+="$1"$'\n'
}

# soft_same WHAT EXPECTED SEEN: soft_check for long values, shown as a diff
soft_same() {
	[ "$2" == "$3" ] && return 0
	{
		printf 'FAIL (reported at the end): %s\n--- diff (expected -> seen):\n' "$1"
		{ diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$3") || true; } | tail -n +3
	} >&2
	RU_SOFT+="$1"$'\n'
}

soft_end() {
	[ -z "$RU_SOFT" ] && return 0
	printf 'FAIL: %s\n' "$RU_SOFT" >&2
	exit 1
}

# ---- links ----

# peer_port NS IF SW: the name, in SW, of the other end of veth IF
peer_port() {
	local idx
	idx=$(ip -n "$1" -j link show dev "$2" | jq '.[0].link_index')
	ip -n "$3" -j link show | jq -r --argjson i "$idx" '.[] | select(.ifindex == $i) | .ifname'
}

# carrier NS IF SW up|down: IF's carrier, by its switch port's state
carrier() {
	ip -n "$3" link set "$(peer_port "$1" "$2" "$3")" "$4"
}

# up_within NS IF: waits up to 5 s for IF to be up (railup brings it up)
up_within() {
	local t
	for t in $(seq 1 100); do
		[ "$(link_up "$1" "$2")" != yes ] || return 0
		sleep 0.05
	done
	fail "$2 was not brought up within 5 s"
}

# build_rails TAG N: NODE with rails ib0..ib<N-1> (veths up, no addresses), each
# peer a port of SW; MAP_N maps rail i to 10.<1+i/200>.<i%200>.14/24 with the
# gateway .1 (no host answers there: apply and status do not need one)
build_rails() {
	local tag=$1 n=$2 i
	ns_new NODE "$tag-node"
	ns_new SW "$tag-sw"
	MAP_N=""
	for ((i = 0; i < n; i++)); do
		echo "link add ib$i type veth peer name q$i netns $SW"
		echo "link set ib$i up"
		MAP_N+="rd.rail=ib$i:$(rail_net "$i").14/24:$(rail_net "$i").1"$'\n'
	done >"$RU_TMP/links"
	ip -n "$NODE" -b "$RU_TMP/links"
	for ((i = 0; i < n; i++)); do echo "link set q$i up"; done | ip -n "$SW" -b -
}

# rail_net I: the first three octets of rail I's subnet in MAP_N
rail_net() {
	echo "10.$((1 + $1 / 200)).$(($1 % 200))"
}

# relink NODE SW IF: a deleted rail interface IF made anew (as build_rails does)
relink() {
	ip -n "$1" link add "$3" type veth peer name "q${3#ib}" netns "$2"
	ip -n "$1" link set "$3" up
	ip -n "$2" link set "q${3#ib}" up
}

# configured4 WHEN: the four rails of MAP_A as apply leaves them
configured4() {
	local i n
	expect_lines "$1: railup's rules" \
		"1001 from 10.0.1.14 lookup 101
1002 from 10.0.2.14 lookup 102
1003 from 10.0.3.14 lookup 103
1004 from 10.0.4.14 lookup 104" "$(railup_rules "$NODE")"
	for i in 0 1 2 3; do
		n=$((i + 1))
		expect_eq "$1: ip route get 10.0.99.99 from 10.0.$n.14" \
			"dev ib$i table $((100 + n)) via 10.0.$n.1" "$(route_get "$NODE" 10.0.99.99 10.0.$n.14)"
	done
}

# ---- railup in the background ----

# ru_bg NS ARGS...: starts railup ARGS in NS in the background (RU_BG: its pid)
ru_bg() {
	local ns=$1
	shift
	RU_BG_CMD="$*" RU_BG_NS=${ns#"$RU_PFX"}
	ip netns exec "$ns" "$RAILUP" --cmdline "$RU_CMDLINE" --conf "$RU_CONF" \
		--run-dir "$(rundir "$ns")" "$@" >"$RU_TMP/out" 2>"$RU_TMP/err" &
	RU_BG=$!
	held "$RU_BG"
}

# ru_join: waits for ru_bg's railup; sets RU_RC, RU_OUT, RU_ERR as ru does
ru_join() {
	RU_RC=0
	wait "$RU_BG" || RU_RC=$?
	released "$RU_BG"
	[ -z "${RU_TRACEE:-}" ] || released "$RU_TRACEE"
	RU_OUT=$(cat "$RU_TMP/out")
	RU_ERR=$(cat "$RU_TMP/err")
	printf '$ railup %s   # in %s, in the background: exit %d\n' "$RU_BG_CMD" "$RU_BG_NS" "$RU_RC"
	[ -z "$RU_ERR" ] || printf '%s\n' "$RU_ERR" | sed 's/^/    stderr| /'
}

# ---- the gate ----

gate_setup() {
	local d=$RU_TMP/gate
	mkdir -p "$d"
	rm -f "$d/rp_filter" "$d/accept_local"
	mkfifo "$d/rp_filter" "$d/accept_local"
	cat >"$d/railup" <<EOF
#!/bin/sh
# railup with FIFOs over conf/all's rp_filter and accept_local (tests/netns/lib-fault.sh)
[ -n "\$RU_GATE_INNER" ] || RU_GATE_INNER=1 exec unshare -m --propagation private "\$0" "\$@"
for k in rp_filter accept_local; do
	mount --bind "$d/\$k" /proc/sys/net/ipv4/conf/all/\$k || exit 97
done
exec "$RU_REAL" "\$@"
EOF
	chmod +x "$d/railup"
	RAILUP=$d/railup
}

gate_teardown() {
	RAILUP=$RU_REAL
}

# gate_serve NS KEY: answers railup's read of all.KEY with the real value
gate_serve() {
	timeout 20 sh -c "echo $(sc "$1" all "$2") >'$RU_TMP/gate/$2'" ||
		fail "gate: railup never read net.ipv4.conf.all.$2"
}

# gate_take NS KEY: railup's write of all.KEY, copied to the real sysctl
gate_take() {
	local v
	v=$(timeout 20 cat "$RU_TMP/gate/$2") || fail "gate: railup never wrote net.ipv4.conf.all.$2"
	[ -n "$v" ] || fail "gate: railup wrote nothing to net.ipv4.conf.all.$2"
	set_sysctl "$1" all "$2" "$v"
	printf '     (gate: railup wrote all.%s=%s)\n' "$2" "$v"
}

gate_dumped() {
	gate_serve "$1" rp_filter
}

gate_planned() {
	gate_serve "$1" accept_local
	gate_take "$1" rp_filter
}

# The FIFOs are unmounted first, in railup's own mount and network namespaces
# (what /proc/sys/net is depends on the latter): whatever railup reads or
# writes under conf/all after the gate is the real thing.
gate_release() {
	nsenter -t "$RU_BG" -m -n umount -l /proc/sys/net/ipv4/conf/all/rp_filter \
		/proc/sys/net/ipv4/conf/all/accept_local || fail "gate: cannot unmount the FIFOs"
	gate_take "$1" accept_local
}

# ---- strace: railup stopped right after a syscall ----

# trace_stop NS SYSCALL N ARGS...: railup ARGS in NS under strace, stopped by
# SIGSTOP right after its Nth SYSCALL (the signal is injected on entry and
# taken on the way out); returns once it is stopped. RU_TRACE: strace's log,
# RU_TRACEE: the stopped process.
RU_TRACES=0
trace_stop() {
	local ns=$1 sc=$2 n=$3 t
	shift 3
	RU_TRACES=$((RU_TRACES + 1))
	# (parts are subshells that count from the same number: BASHPID tells them apart)
	RU_TRACE=$RU_TMP/strace.$BASHPID.$RU_TRACES
	rm -f "$RU_TRACE"
	RU_BG_CMD="$* (strace: SIGSTOP after $sc #$n)" RU_BG_NS=${ns#"$RU_PFX"}
	untraced_leaks
	ip netns exec "$ns" strace -f -qq -o "$RU_TRACE" -s 256 -e trace="$sc,sendto,recvfrom,bind" \
		-e inject="$sc:signal=SIGSTOP:when=$n" \
		"$RAILUP" --cmdline "$RU_CMDLINE" --conf "$RU_CONF" --run-dir "$(rundir "$ns")" \
		"$@" >"$RU_TMP/out" 2>"$RU_TMP/err" &
	RU_BG=$!
	held "$RU_BG"
	for t in $(seq 1 1000); do
		RU_TRACEE=$(awk '/--- stopped by SIGSTOP ---/ { print $1; exit }' "$RU_TRACE" 2>/dev/null || true)
		[ -z "$RU_TRACEE" ] || { held "$RU_TRACEE"; return 0; }
		kill -0 "$RU_BG" 2>/dev/null || break
		sleep 0.01
	done
	kill "$RU_BG" 2>/dev/null
	fail "strace: railup was never stopped after $sc #$n (log: $(tail -n 3 "$RU_TRACE" 2>/dev/null))"
}

trace_cont() {
	kill -CONT "$RU_TRACEE"
	ru_join
}

# nl_socket_of PID NS: "PORTID INODE" of PID's netlink socket that listens to no
# group (its request socket), from the namespace's /proc/net/netlink
nl_socket_of() {
	local pid=$1 ns=$2 f ino
	for f in /proc/"$pid"/fd/*; do
		ino=$(readlink "$f" 2>/dev/null) || continue
		case $ino in socket:*) ;; *) continue ;; esac
		ino=${ino#socket:[}
		ino=${ino%]}
		in_ns "$ns" cat /proc/net/netlink |
			awk -v i="$ino" '$2 == 0 && $4 == "00000000" && $10 == i { print $3, $10; f = 1 }
				END { exit !f }' && return 0
	done
	return 1
}

# nl_drops NS INODE: the Drops column of that socket
nl_row() {
	in_ns "$1" cat /proc/net/netlink | awk -v i="$2" 'NR == 1 || $10 == i'
}

# ru_strace NS LOG SYSCALLS ARGS...: railup ARGS in NS under strace -f (the
# whole process tree), its syscalls of the set SYSCALLS appended to LOG (each
# netlink message decoded in full); sets RU_RC, RU_OUT, RU_ERR as ru does.
ru_strace() {
	local ns=$1 log=$2 set=$3
	shift 3
	RU_RC=0
	untraced_leaks
	in_ns "$ns" strace -f -qq ${RU_STRACE_OPTS:-} -o "$log.part" -e trace="$set" -e verbose=all -s 65536 \
		"$RAILUP" --cmdline "$RU_CMDLINE" --conf "$RU_CONF" --run-dir "$(rundir "$ns")" \
		"$@" >"$RU_TMP/out" 2>"$RU_TMP/err" || RU_RC=$?
	cat "$log.part" >>"$log"
	rm -f "$log.part"
	RU_OUT=$(cat "$RU_TMP/out")
	RU_ERR=$(cat "$RU_TMP/err")
	printf '$ railup %s   # in %s, under strace: exit %d\n' "$*" "${ns#"$RU_PFX"}" "$RU_RC"
	[ -z "$RU_ERR" ] || printf '%s\n' "$RU_ERR" | sed 's/^/    stderr| /'
}

# launcher_exec PATH: whether PATH is a program that only starts railup
# (RAILUP may be a wrapper: the test's own gate, valgrind's)
launcher_exec() {
	case $1 in
	"$RAILUP" | "$RU_REAL" | */valgrind | */valgrind.bin | */valgrind/*-linux | */setpriv | */unshare | /bin/sh | /usr/bin/sh | /bin/dash) return 0 ;;
	esac
	return 1
}
