#!/bin/bash
# Fleet visibility: the node_exporter textfile (railup status/health/boot
# --metrics FILE, or rd.rail.metrics=FILE) and railup health.
#
#   - the file holds the documented series with the values the kernel's state
#     gives (a broken rail 0 in railup_rail_ok; each railup_rail_sysctl the
#     effective value computed here from /proc/sys; the rp_filter drops the
#     namespace's /proc/net/netstat counts, after drops made on purpose)
#   - it is valid text format: promtool check metrics (promtool comes from
#     Debian's prometheus package: unpacked from the .deb into build/tools,
#     not installed, see promtool_bin)
#   - it is replaced atomically: a new inode each time, no temporary file
#     left behind, and a reader that never sees it half-written
#   - railup health: one line, exit 0 or 1; an optional rail broken keeps 0
#   - the man page's Slurm HealthCheckProgram, with a fake scontrol on PATH
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

# ---- promtool ----

# promtool_bin: the path of a promtool. The prometheus package would bring a
# server, its service, a system user and eleven JavaScript packages; the
# test needs one static binary, so it takes it out of the package (about 19
# MB to download, a second or two) and keeps it in build/tools.
promtool_bin() {
	local cache=$RU_ROOT/build/tools/promtool deb
	if command -v promtool >/dev/null; then
		command -v promtool
		return 0
	fi
	if [ ! -x "$cache" ]; then
		mkdir -p "$RU_TMP/deb" "$(dirname "$cache")"
		(cd "$RU_TMP/deb" && { apt-get download prometheus >/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null 2>&1 && apt-get download prometheus >/dev/null 2>&1; }; }) ||
			fail "promtool: apt-get download prometheus failed"
		deb=$(ls "$RU_TMP"/deb/prometheus_*.deb)
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$RU_TMP/deb" ./usr/bin/promtool
		mv "$RU_TMP/deb/usr/bin/promtool" "$cache"
	fi
	echo "$cache"
}

# promtool_ok FILE: promtool check metrics finds nothing, not even a lint
promtool_ok() {
	local out rc=0
	out=$("$PROMTOOL" check metrics <"$1" 2>&1) || rc=$?
	[ "$rc" -eq 0 ] && [ -z "$out" ] && return 0
	printf 'FAIL: promtool check metrics %s: exit %d\n%s\n--- the file:\n' "$1" "$rc" "$out" >&2
	cat "$1" >&2
	exit 1
}

# ---- the node ----

# MAP_A's four rails, an IPv6 rail on ib0, an optional rail ib4 whose
# interface does not exist, and a non-rail NIC eth9 (192.168.50.2/24,
# strict rp_filter) that the router can make the node drop packets on.
build() {
	build_four_rails "$1"
	v6_on "$NODE" ib0
	v6_on "$GW" eth0
	ip -n "$GW" addr add fd00:1::1/64 dev eth0
	ns_link "$NODE" eth9 "$SW" br9
	host_if "$GW" eth9 "$SW" br9 192.168.50.1/24
	ip -n "$NODE" addr add 192.168.50.2/24 dev eth9
	set_sysctl "$NODE" eth9 rp_filter 1
	MAP="$MAP_A
rd.rail=ib0:[fd00:1::14]/64:[fd00:1::1]
rd.rail=ib4:10.0.5.14/24,required=0"
	set_conf "$MAP"
}

# make_drops: the router pings eth9's address from 10.0.99.99, to which the
# node has no route back: its reverse-path filter drops them. (The router
# knows eth9's MAC: the node would not answer ARP from that source either,
# and ARP drops are not counted.)
make_drops() {
	need_busybox
	ip -n "$GW" neigh replace 192.168.50.2 dev eth9 \
		lladdr "$(ip -n "$NODE" -j link show dev eth9 | jq -r '.[0].address')"
	in_ns "$GW" busybox ping -q -c 3 -i 0.2 -W 1 -I 10.0.99.99 192.168.50.2 >/dev/null 2>&1 || true
}

# netstat_drops NS: TcpExt IPReversePathFilter as the namespace counts it
netstat_drops() {
	in_ns "$1" awk '$1 == "TcpExt:" && !h { for (i = 2; i <= NF; i++) n[i] = $i; h = 1; next }
		$1 == "TcpExt:" { for (i = 2; i <= NF; i++) if (n[i] == "IPReversePathFilter") print $i }' \
		/proc/net/netstat
}

# value FILE SERIES RAIL [ADDRESS]: the value of SERIES for the rail
value() {
	awk -v s="$2" -v r="rail=\"$3\"" -v a="address=\"${4:-}" '
		index($0, s "{") == 1 && index($0, r) && index($0, a) { print $NF }' "$1"
}

# rail_values FILE SERIES: "rail address value" per rail, in the map's order
rail_values() {
	sed -n "s/^$2{rail=\"\([^\"]*\)\",netdev=\"[^\"]*\",address=\"\([^\"]*\)\",table=\"[0-9]*\"} /\1 \2 /p" "$1"
}

# effective NS DEV KEY: what the kernel makes of conf/all and conf/DEV
effective() {
	local ns=$1 dev=$2 key=$3 v=4 all own
	case $key in keep_addr_on_down | accept_ra) v=6 ;; esac
	all=$(in_ns "$ns" cat "/proc/sys/net/ipv$v/conf/all/$key")
	own=$(in_ns "$ns" cat "/proc/sys/net/ipv$v/conf/$dev/$key")
	case $key in
	rp_filter | arp_ignore | arp_announce) echo $((all > own ? all : own)) ;;
	arp_filter | accept_local) echo $((all || own)) ;;
	keep_addr_on_down) echo $((all ? all : own)) ;;
	accept_ra) echo "$own" ;;
	esac
}

# expect_sysctls FILE NS: every railup_rail_sysctl is the effective value in
# /proc/sys of its netdev; a rail has the keys of its family, and a rail
# without a netdev has none
expect_sysctls() {
	local file=$1 ns=$2 line dev key val n=0
	while read -r line; do
		dev=$(sed 's/.*netdev="\([^"]*\)".*/\1/' <<<"$line")
		key=$(sed 's/.*key="\([^"]*\)".*/\1/' <<<"$line")
		val=${line##* }
		[ -n "$dev" ] || fail "a sysctl series for a rail without netdev: $line"
		expect_eq "$line: the effective value in /proc/sys" "$(effective "$ns" "$dev" "$key")" "$val"
		case $line in
		*address=\"*:*\"*) case $key in keep_addr_on_down | accept_ra) ;; *) fail "an IPv4 key for an IPv6 rail: $line" ;; esac ;;
		*) case $key in keep_addr_on_down | accept_ra) fail "an IPv6 key for an IPv4 rail: $line" ;; esac ;;
		esac
		n=$((n + 1))
	done < <(grep '^railup_rail_sysctl{' "$file")
	# Four IPv4 rails with five keys, one IPv6 rail with two.
	expect_eq "railup_rail_sysctl series" 22 "$n"
}

SERIES="railup_rail_configured railup_rail_verified railup_rail_ok railup_rail_link_up
railup_rail_carrier railup_rail_mtu railup_rail_sysctl railup_rp_filter_drops_total"

# ---- the parts ----

# status --metrics FILE: the documented series, the values the state gives.
series() {
	local f=$RU_TMP/series.prom s drops
	build series
	ru "$NODE" apply
	expect_rc "apply (the optional ib4 is missing)" 0
	# Break things after apply: ib2 loses its rule, ib3 goes down, ib1's own
	# rp_filter goes to 0 (all's 2 still makes it 2 in effect).
	ip -n "$NODE" rule del priority 1003
	ip -n "$NODE" link set ib3 down
	set_sysctl "$NODE" ib1 rp_filter 0
	# An MTU the map does not ask for: reported as it is, nothing wrong.
	ip -n "$NODE" link set ib1 mtu 4200
	make_drops
	ru "$NODE" status --metrics "$f"
	expect_rc "status" 1
	for s in $SERIES; do
		expect_contains "the file: $s's TYPE" "$(cat "$f")" "# TYPE $s "
		expect_contains "the file: $s's HELP" "$(cat "$f")" "# HELP $s "
	done
	expect_lines "railup_rail_ok" "ib0 10.0.1.14/24 1
ib1 10.0.2.14/24 1
ib2 10.0.3.14/24 0
ib3 10.0.4.14/24 0
ib0 fd00:1::14/64 1
ib4 10.0.5.14/24 0" "$(rail_values "$f" railup_rail_ok)"
	expect_lines "railup_rail_configured" "ib0 10.0.1.14/24 1
ib1 10.0.2.14/24 1
ib2 10.0.3.14/24 0
ib3 10.0.4.14/24 0
ib0 fd00:1::14/64 1
ib4 10.0.5.14/24 0" "$(rail_values "$f" railup_rail_configured)"
	expect_lines "railup_rail_verified (no boot record: the routing decision)" "ib0 10.0.1.14/24 1
ib1 10.0.2.14/24 1
ib2 10.0.3.14/24 0
ib3 10.0.4.14/24 0
ib0 fd00:1::14/64 1
ib4 10.0.5.14/24 0" "$(rail_values "$f" railup_rail_verified)"
	expect_lines "railup_rail_link_up" "ib0 10.0.1.14/24 1
ib1 10.0.2.14/24 1
ib2 10.0.3.14/24 1
ib3 10.0.4.14/24 0
ib0 fd00:1::14/64 1
ib4 10.0.5.14/24 0" "$(rail_values "$f" railup_rail_link_up)"
	expect_lines "railup_rail_carrier" "ib0 10.0.1.14/24 1
ib1 10.0.2.14/24 1
ib2 10.0.3.14/24 1
ib3 10.0.4.14/24 0
ib0 fd00:1::14/64 1
ib4 10.0.5.14/24 0" "$(rail_values "$f" railup_rail_carrier)"
	expect_lines "railup_rail_mtu (0: no netdev)" "ib0 10.0.1.14/24 1500
ib1 10.0.2.14/24 4200
ib2 10.0.3.14/24 1500
ib3 10.0.4.14/24 1500
ib0 fd00:1::14/64 1500
ib4 10.0.5.14/24 0" "$(rail_values "$f" railup_rail_mtu)"
	expect_eq "ib1's rp_filter series (2 in effect, 0 on ib1 itself)" \
		'railup_rail_sysctl{rail="ib1",netdev="ib1",address="10.0.2.14/24",table="102",key="rp_filter"} 2' \
		"$(grep '^railup_rail_sysctl{rail="ib1".*key="rp_filter"}' "$f")"
	expect_sysctls "$f" "$NODE"
	drops=$(netstat_drops "$NODE")
	[ "$drops" -ge 1 ] || fail "the router's pings made no rp_filter drops ($drops): the test is broken"
	expect_eq "railup_rp_filter_drops_total" "railup_rp_filter_drops_total $drops" \
		"$(grep '^railup_rp_filter_drops_total ' "$f")"
	promtool_ok "$f"
	pass "the documented series, with the state's values; promtool finds nothing"
}

# A rail that failed before it had a netdev (its MAC matches nothing): 0 in
# ok and configured, and no sysctl series (it has no netdev to read them from).
unmatched() {
	local f=$RU_TMP/unmatched.prom
	build unmatched
	set_conf "$MAP
rd.rail=rail9:10.0.9.14/24,mac=02:00:00:00:00:99"
	ru "$NODE" apply
	ru "$NODE" status --metrics "$f"
	expect_rc "status" 1
	expect_eq "railup_rail_ok of rail9" 0 "$(value "$f" railup_rail_ok rail9)"
	expect_eq "railup_rail_configured of rail9" 0 "$(value "$f" railup_rail_configured rail9)"
	expect_eq "railup_rail_sysctl series of rail9" "" "$(grep '^railup_rail_sysctl{rail="rail9"' "$f" || true)"
	promtool_ok "$f"
	pass "an unmatched rail: zeros, and no sysctl series"
}

# rd.rail.metrics= names the file status, health and boot write; the file
# is replaced atomically.
configured_path() {
	local dir=$RU_TMP/textfile f ino i reader bad
	build path
	mkdir "$dir"
	f=$dir/railup.prom
	set_conf "$MAP
rd.rail.metrics=$f"
	ru "$NODE" apply
	[ ! -e "$f" ] || fail "apply wrote $f (only status, health and boot do)"
	ru "$NODE" status
	expect_rc "status (ib4 is missing)" 1
	[ -f "$f" ] || fail "status did not write rd.rail.metrics=$f"
	expect_eq "the file's mode (node_exporter need not be root)" 644 "$(stat -c %a "$f")"
	promtool_ok "$f"
	rm "$f"
	ru "$NODE" health
	expect_rc "health" 0
	[ -f "$f" ] || fail "health did not write rd.rail.metrics=$f"
	ru "$NODE" status
	ino=$(stat -c %i "$f")
	ru "$NODE" status
	[ "$(stat -c %i "$f")" != "$ino" ] ||
		fail "status rewrote $f in place (inode $ino kept): a reader can see it half-written"
	expect_eq "files in the textfile directory" "railup.prom" "$(ls -A "$dir")"

	# A reader that checks every version it sees while status rewrites the file.
	: >"$RU_TMP/bad"
	(
		set +e
		while [ ! -e "$RU_TMP/stop" ]; do
			c=$(cat "$f" 2>/dev/null) || { echo "missing" >>"$RU_TMP/bad"; continue; }
			case $c in *$'\n'"railup_rp_filter_drops_total "[0-9]*) ;; *)
				printf 'half: %d bytes\n' "${#c}" >>"$RU_TMP/bad" ;;
			esac
		done
	) &
	reader=$!
	for i in $(seq 30); do
		ru "$NODE" status >/dev/null
	done
	touch "$RU_TMP/stop"
	wait "$reader"
	bad=$(sort "$RU_TMP/bad" | uniq -c)
	expect_eq "versions the reader saw missing or half-written" "" "$bad"
	expect_eq "files in the textfile directory after 30 rewrites" "railup.prom" "$(ls -A "$dir")"

	# boot writes it too (no modules, no RDMA verification, a short wait for the missing ib4).
	rm "$f"
	set_conf "$MAP
rd.rail.metrics=$f
rd.rail.modules=
rd.rail.verify=0
rd.rail.timeout=1"
	ru "$NODE" --no-kmsg boot
	expect_rc "boot" 0
	[ -f "$f" ] || fail "boot did not write rd.rail.metrics=$f"
	expect_lines "railup_rail_verified after boot" "ib0 10.0.1.14/24 1
ib1 10.0.2.14/24 1
ib2 10.0.3.14/24 1
ib3 10.0.4.14/24 1
ib0 fd00:1::14/64 1
ib4 10.0.5.14/24 0" "$(rail_values "$f" railup_rail_verified)"
	promtool_ok "$f"
	pass "rd.rail.metrics=: written by status, health and boot, atomically"
}

# railup health: one line; 1 when a required rail is wrong, 0 when only an optional one is.
health() {
	build health
	ru "$NODE" apply
	ru "$NODE" health
	expect_rc "health with ib4 (optional) missing" 0
	expect_eq "health's line" "railup: ok: 5 of 6 rails ok" "$RU_OUT"
	ip -n "$NODE" rule del priority 1003
	ru "$NODE" health
	expect_rc "health with ib2's rule gone" 1
	expect_eq "health's line" \
		"railup: ib2: no rule from the rail's address to table 103 at priority 1003 (4 of 6 rails ok)" \
		"$RU_OUT"
	expect_eq "health's stderr" "" "$RU_ERR"
	ru_ok "$NODE" apply
	set_conf "$MAP_A"
	ru "$NODE" health
	expect_rc "health, all well" 0
	expect_eq "health's line" "railup: ok: 4 of 4 rails ok" "$RU_OUT"
	pass "health: one line, the exit status of the required rails"
}

# The man page's HealthCheckProgram, run as Slurm would, with scontrol faked.
slurm() {
	local bin=$RU_TMP/slurm-bin hc=$RU_TMP/healthcheck.sh
	build slurm
	ru "$NODE" apply
	mkdir -p "$bin"
	# The script as the man page shows it (roff's \\ is one backslash).
	sed -n '/HealthCheckProgram/,/^\.fi/p' "$RU_ROOT/early/railup.8" |
		sed -n '/^\.nf/,/^\.fi/{/^\.nf/d;/^\.fi/d;p}' | sed 's/\\\\/\\/g' >"$hc"
	expect_eq "the man page's script starts with" "#!/bin/sh" "$(head -1 "$hc")"
	cat >"$bin/scontrol" <<EOF
#!/bin/sh
for a; do printf '%s\n' "\$a"; done >"$RU_TMP/scontrol.args"
EOF
	cat >"$bin/railup" <<EOF
#!/bin/sh
exec ip netns exec "$NODE" "$RAILUP" --cmdline "$RU_CMDLINE" --conf "$RU_CONF" --run-dir "$(rundir "$NODE")" "\$@"
EOF
	chmod +x "$bin/scontrol" "$bin/railup" "$hc"
	run_hc() {
		PATH=$bin:$PATH unshare -u sh -c 'hostname node017.cluster && exec "$0"' "$hc"
	}
	run_hc || fail "the health check failed on a healthy node"
	[ ! -e "$RU_TMP/scontrol.args" ] || fail "scontrol ran on a healthy node: $(cat "$RU_TMP/scontrol.args")"
	ip -n "$NODE" rule del priority 1002
	run_hc || true
	[ -e "$RU_TMP/scontrol.args" ] || fail "scontrol did not run on a node with a broken rail"
	expect_lines "scontrol's arguments" "update
nodename=node017
state=drain
reason=railup: ib1: no rule from the rail's address to table 102 at priority 1002 (4 of 6 rails ok)" \
		"$(cat "$RU_TMP/scontrol.args")"
	pass "the man page's Slurm health check drains the node with railup's line"
}

# A map that does not hold on this node (the fleet's template does not fit
# node156's index): health is still one line on standard output, so that
# the health check's reason is not empty (scontrol refuses to drain without
# one), and exit 2.
slurm_bad_map() {
	local bin=$RU_TMP/slurm-bin hc=$RU_TMP/healthcheck.sh
	ns_new NODE badmap-node
	set_conf "rd.rail.host=156
rd.rail=ib0:10.0.1.100+/24"
	ru "$NODE" health
	expect_rc "health with a template that does not fit" 2
	expect_eq "health's standard output: lines" 1 "$(grep -c . <<<"$RU_OUT" || true)"
	expect_contains "health's line" "$RU_OUT" "host index 156 does not fit 10.0.1.100+/24"
	pass "health on a bad map: one line, exit 2"
}

PROMTOOL=$(promtool_bin)
part "status --metrics: series and values" series
part "a rail without netdev" unmatched
part "rd.rail.metrics=, atomic replacement, boot" configured_path
part "railup health" health
part "the Slurm HealthCheckProgram of the man page" slurm
part "health on a map that does not hold here" slurm_bad_map
parts_end
