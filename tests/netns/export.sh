#!/bin/bash
# railup export, checked by the real tools: the files it writes for the
# seeds' three layouts, a dual-stack map (with MTUs) and a NIC found by its MAC are
# loaded by systemd-networkd (Debian's, 252) and by NetworkManager (Debian's
# 1.42, unpacked from its packages, never installed) running inside the
# test's namespaces, and the rules, tables and addresses they make must be
# what railup apply makes in an identical namespace (protocols aside:
# theirs are "static", railup's 114). The sysctl.d file is applied by
# systemd-sysctl, as at boot and as udev does when an interface appears,
# and the values must be railup apply's. Each keyfile also goes through
# nmcli --offline, NetworkManager's own parser, and must come back with no
# route option or rule lost (it drops what it cannot parse silently).
#
# Safety: each daemon runs in a node namespace and a private mount and UTS
# namespace of its own, with a tmpfs on /run (no host D-Bus, no host state;
# NetworkManager gets a private bus) and a read-only /sys (no udev), and
# stops when the test's temporary directory goes, whatever happens.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

NETWORKD=/lib/systemd/systemd-networkd
SYSTEMD_SYSCTL=/lib/systemd/systemd-sysctl
[ -x "$NETWORKD" ] || fail "$NETWORKD is missing (Debian's systemd package)"
[ -x "$SYSTEMD_SYSCTL" ] || fail "$SYSTEMD_SYSCTL is missing (Debian's systemd package)"
for tool in unshare apt-get dpkg-deb; do
	command -v "$tool" >/dev/null || fail "$tool is missing"
done

# ---- NetworkManager, unpacked ----

# Installing network-manager would start it on the host (systemd enables it):
# the packages are downloaded and unpacked into .deps/nm instead, once.
NM_DIR=$RU_ROOT/.deps/nm
nm_fetch() {
	local pkgs="network-manager libnm0 libndp0" d missing
	command -v dbus-daemon >/dev/null || pkgs="$pkgs dbus-daemon"
	if [ "$(cat "$NM_DIR/stamp" 2>/dev/null)" != "$pkgs" ]; then
		rm -rf "$NM_DIR"
		mkdir -p "$NM_DIR/debs"
		# shellcheck disable=SC2086 # a list of package names
		(cd "$NM_DIR/debs" && { apt-get -q download $pkgs || {
			apt-get -q update && apt-get -q download $pkgs
		}; }) || fail "apt-get download $pkgs failed"
		for d in "$NM_DIR"/debs/*.deb; do
			dpkg-deb -x "$d" "$NM_DIR/root"
		done
		echo "$pkgs" >"$NM_DIR/stamp"
	fi
	NM_LIB=$(dirname "$(find "$NM_DIR/root" -name libnm.so.0 | head -n 1)")
	NM_BIN=$NM_DIR/root/usr/sbin/NetworkManager
	NMCLI=$NM_DIR/root/usr/bin/nmcli
	DBUS_DAEMON=$(command -v dbus-daemon || echo "$NM_DIR/root/usr/bin/dbus-daemon")
	missing=$(LD_LIBRARY_PATH=$NM_LIB ldd "$NM_BIN" "$NMCLI" | grep 'not found' || true)
	[ -z "$missing" ] || fail "NetworkManager's libraries are missing: $missing"
	echo "NetworkManager $(LD_LIBRARY_PATH=$NM_LIB "$NM_BIN" --version), systemd-networkd" \
		"$("$NETWORKD" --version 2>/dev/null | head -n 1 | awk '{ print $2 }')"
}
nm_fetch

nmcli_offline() {
	LD_LIBRARY_PATH=$NM_LIB "$NMCLI" --offline "$@"
}

# ---- the daemons, in a namespace ----

# Run inside "ip netns exec NS unshare -m -u": $1 the kind, $2 the exported
# directory, $3 a flag file; the daemon stops when the flag goes (or after
# two minutes), and when this script fails.
# shellcheck disable=SC2016 # expanded by the inner shell
DAEMON_SCRIPT='
set -eu
kind=$1 dir=$2 flag=$3
mount -t tmpfs -o mode=0755 tmpfs /run
umount -l /sys 2>/dev/null || true
mount -t sysfs -o ro sysfs /sys
unset NOTIFY_SOCKET DBUS_SYSTEM_BUS_ADDRESS
pids=""
trap '"'"'kill $pids 2>/dev/null || true; wait'"'"' EXIT
if [ "$kind" = networkd ]; then
	for d in /etc/systemd /usr/lib/systemd/network /lib/systemd/network \
		/usr/lib/systemd/networkd.conf.d /lib/systemd/networkd.conf.d; do
		[ ! -d "$d" ] || mount -t tmpfs tmpfs "$d"
	done
	mkdir -p /run/systemd/network /run/systemd/networkd.conf.d
	cp -p "$dir"/*.network /run/systemd/network/
	[ ! -e "$dir/railup-networkd.conf" ] ||
		cp -p "$dir/railup-networkd.conf" /run/systemd/networkd.conf.d/railup.conf
	SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=info "$NETWORKD" &
	pids=$!
else
	mount -t tmpfs tmpfs /var/lib
	mkdir -p /run/dbus /run/nm/conns /run/nm/conf.d /var/lib/NetworkManager
	cp -p "$dir"/*.nmconnection /run/nm/conns/
	printf "%s\n" "<busconfig><type>system</type>" \
		"<listen>unix:path=/run/dbus/system_bus_socket</listen><auth>EXTERNAL</auth>" \
		"<policy context=\"default\"><allow user=\"*\"/><allow own=\"*\"/>" \
		"<allow send_type=\"method_call\"/><allow send_type=\"signal\"/>" \
		"<allow send_type=\"method_return\"/><allow send_type=\"error\"/>" \
		"<allow receive_type=\"*\"/></policy></busconfig>" >/run/nm/bus.conf
	printf "%s\n" "[main]" "plugins=keyfile" "dns=none" "rc-manager=unmanaged" \
		"hostname-mode=none" "auth-polkit=false" "no-auto-default=*" \
		"[keyfile]" "path=/run/nm/conns" >/run/nm/NetworkManager.conf
	"$DBUS_DAEMON" --config-file=/run/nm/bus.conf --nofork --nopidfile 2>/dev/null &
	pids=$!
	for i in $(seq 50); do [ -S /run/dbus/system_bus_socket ] && break; sleep 0.1; done
	LD_LIBRARY_PATH=$NM_LIB "$NM_BIN" --no-daemon --debug --log-level=INFO \
		--config=/run/nm/NetworkManager.conf --config-dir=/run/nm/conf.d \
		--system-config-dir=/run/nm/conf.d --intern-config=/run/nm/intern.conf \
		--state-file=/run/nm/state --pid-file=/run/nm/pid &
	pids="$! $pids"
fi
end=$((SECONDS + 120))
while [ -e "$flag" ] && [ $SECONDS -lt $end ]; do
	sleep 0.2
done
'
export NETWORKD NM_BIN NM_LIB DBUS_DAEMON

# daemon_start KIND NS DIR: systemd-networkd (KIND networkd) or NetworkManager
# (nm) in NS with DIR's files; its log is $RU_TMP/<ns>.<kind>.log
daemon_start() {
	local kind=$1 ns=$2 dir=$3 flag
	flag=$RU_TMP/running.${ns#"$RU_PFX"}
	DAEMON_LOG=$RU_TMP/${ns#"$RU_PFX"}.$kind.log
	: >"$flag"
	ip netns exec "$ns" unshare --mount --uts --propagation private \
		bash -c "$DAEMON_SCRIPT" daemon "$kind" "$dir" "$flag" >"$DAEMON_LOG" 2>&1 &
	DAEMON_FLAG=$flag DAEMON_PID=$!
	trap daemon_stop EXIT
}

daemon_stop() {
	[ -n "${DAEMON_FLAG:-}" ] || return 0
	rm -f "$DAEMON_FLAG"
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_FLAG=""
}

# ---- the nodes and what is compared ----

# node VAR TAG IFS V6IFS: a node namespace with veth rails IFS (up, each on a
# bridge of a switch of its own, NODE_SW), IPv6 on for those in V6IFS
node() {
	local var=$1 tag=$2 i
	ns_new "$var" "$tag"
	ns_new NODE_SW "$tag-sw"
	for i in $3; do
		ns_link "${!var}" "$i" "$NODE_SW" "br-$i"
	done
	for i in $4; do
		in_ns "${!var}" sh -c "echo 0 >/proc/sys/net/ipv6/conf/$i/disable_ipv6"
	done
}

# state NS TABLES: the rails' rules (both families, protocol aside), their
# tables' routes, main's, and the global addresses, in a stable order
state() {
	local ns=$1 t f
	echo "rules:"
	for f in -4 -6; do
		ip -n "$ns" "$f" -j rule show | jq -r --arg t " $2 " '.[] |
			.table as $x | select(($t | index(" \($x) ")) != null) |
			"\(.priority) from \(.src)\(if .srclen then "/\(.srclen)" else "" end) lookup \(.table)"'
	done
	for t in $2; do
		echo "table $t:"
		for f in -4 -6; do
			ip -n "$ns" "$f" -j route show table all | jq -r --arg t "$t" '.[] |
				select((.table // "main") == $t) | [
				(.type // empty | select(. != "unicast")), .dst,
				(.gateway // empty | "via \(.)"), (.dev // empty | "dev \(.)"),
				(.prefsrc // empty | "src \(.)"), (.scope // empty | "scope \(.)"),
				(.metric // empty | "metric \(.)")] | join(" ")'
		done | LC_ALL=C sort
	done
	# main: the prefix routes of the addresses, no more (NetworkManager's
	# metrics differ, and networkd adds link-local prefixes railup leaves off)
	echo "main:"
	for f in -4 -6; do
		ip -n "$ns" "$f" -j route show table main | jq -r '.[] |
			select(.dst | startswith("fe80:") | not) | "\(.dst) \(.gateway // "-") \(.dev)"'
	done | LC_ALL=C sort
	echo "addresses:"
	ip -n "$ns" -j addr show | jq -r '.[] | .ifname as $i | .addr_info[] |
		select(.scope == "global") | "\($i) \(.local)/\(.prefixlen)"' | LC_ALL=C sort
	echo "mtu:"
	ip -n "$ns" -j link show | jq -r '.[] | select(.ifname != "lo") | "\(.ifname) \(.mtu)"' |
		LC_ALL=C sort
}

# knobs NS V4IFS V6IFS: the values railup manages, conf/all and the rails'
v4keys="rp_filter arp_ignore arp_announce arp_filter accept_local"
knobs() {
	local ns=$1 i k
	for i in all $2; do
		for k in $v4keys; do
			echo "net.ipv4.conf.$i.$k = $(in_ns "$ns" cat "/proc/sys/net/ipv4/conf/$i/$k")"
		done
	done
	for i in $3; do
		for k in keep_addr_on_down accept_ra; do
			echo "net.ipv6.conf.$i.$k = $(in_ns "$ns" cat "/proc/sys/net/ipv6/conf/$i/$k")"
		done
	done
}

# converge WHAT WANT NS TABLES: waits (30s at most) until NS's state is WANT's
converge() {
	local what=$1 want=$2 ns=$3 tables=$4 seen=$RU_TMP/seen end=$((SECONDS + 30))
	while :; do
		state "$ns" "$tables" >"$seen"
		cmp -s "$want" "$seen" && return 0
		[ $SECONDS -lt $end ] || break
		sleep 0.3
	done
	cat "$DAEMON_LOG" >&2
	expect_same_file "$what" "$want" "$seen"
}

# sysctl_boot NS FILE IFS: the sysctl.d file as the boot applies it:
# systemd-sysctl.service for all of it, then udev's rule (99-systemd.rules)
# for each interface as it appears
sysctl_boot() {
	local ns=$1 file=$2 i
	in_ns "$ns" "$SYSTEMD_SYSCTL" "$file"
	for i in $3; do
		in_ns "$ns" "$SYSTEMD_SYSCTL" --prefix="/net/ipv4/conf/$i" --prefix="/net/ipv4/neigh/$i" \
			--prefix="/net/ipv6/conf/$i" --prefix="/net/ipv6/neigh/$i" "$file"
	done
}

# layout KIND TAG MAP IFS V4IFS V6IFS TABLES: railup apply in one node, the
# exported files loaded by KIND in another; the two must agree
layout() {
	local kind=$1 tag=$2 map=$3 ifs=$4 v4=$5 v6=$6 tables=$7 dir
	dir=$RU_TMP/$tag-$kind
	node R "$tag-$kind-r" "$ifs" "$v6"
	node D "$tag-$kind" "$ifs" "$v6"
	[ -z "${MACS:-}" ] || set_macs "$R" "$D"
	set_conf "$map"
	ru_ok "$R" apply
	state "$R" "$tables" >"$RU_TMP/want"
	printf '%s\n' "railup apply gives:" >&2
	sed 's/^/    /' "$RU_TMP/want" >&2
	knobs "$R" "$v4" "$v6" >"$RU_TMP/want.knobs"
	ru_ok "$R" export "$kind" "$dir"
	if [ "$kind" = nm ] && [ -n "${VETH_IS_ETHERNET:-}" ]; then
		# The rails here are veths: an InfiniBand profile cannot activate on them.
		sed -i -e 's/^type=infiniband$/type=ethernet/' -e '/^\[infiniband\]$/,/^$/d' \
			"$dir"/*.nmconnection
	fi
	sysctl_boot "$D" "$dir/90-railup-sysctl.conf" "$v4 $v6"
	daemon_start "$kind" "$D" "$dir"
	converge "($tag) $kind: rules, tables and addresses as railup apply's" \
		"$RU_TMP/want" "$D" "$tables"
	knobs "$D" "$v4" "$v6" >"$RU_TMP/seen.knobs"
	expect_same_file "($tag) $kind: sysctls as railup apply's" \
		"$RU_TMP/want.knobs" "$RU_TMP/seen.knobs"
	daemon_log_clean "$tag" "$kind" "$ifs"
	daemon_stop
	pass "($tag) $kind: the exported files give railup apply's rules, tables, addresses, sysctls"
}

# daemon_log_clean TAG KIND IFS: the daemon took every line of every file and
# configured every rail without an error
daemon_log_clean() {
	local tag=$1 kind=$2 bad i end
	if [ "$kind" = networkd ]; then
		# A file's diagnostics name it with a line number; a link's errors, the link.
		bad=$(grep -E 'railup[^ ]*\.(network|conf):[0-9]+:|(Could not|Failed to)' "$DAEMON_LOG" |
			grep -vE 'Failed to (get driver|connect to bus)|Could not enumerate' || true)
	else
		# The state can be complete before NetworkManager says so (an
		# IPv6 address waits for DAD): its word is awaited, 30 s at most.
		end=$((SECONDS + 30))
		for i in $3; do
			until grep -q "device ($i): Activation: successful" "$DAEMON_LOG" ||
				[ $SECONDS -ge $end ]; do
				sleep 0.2
			done
		done
		bad=$(grep -E '<(warn|error)>.*(keyfile|railup|ib[0-9])' "$DAEMON_LOG" || true)
		for i in $3; do
			grep -q "device ($i): Activation: successful" "$DAEMON_LOG" ||
				bad="$bad${bad:+$'\n'}$i: no successful activation"
		done
	fi
	[ -z "$bad" ] || { cat "$DAEMON_LOG" >&2; fail "($tag) $kind complained: $bad"; }
}

MAP_A='rd.rail=ib0:10.0.1.14/24:10.0.1.1
rd.rail=ib1:10.0.2.14/24:10.0.2.1
rd.rail=ib2:10.0.3.14/24:10.0.3.1
rd.rail=ib3:10.0.4.14/24:10.0.4.1'
# The IPoIB seed; a partition child's name (with a dot) for sysctl.d's other separator.
MAP_B='rd.rail.profile=ipoib
rd.rail=ib0:10.1.0.11/24 rd.rail=ib1:10.1.0.12/24 rd.rail=ib2.8001:10.1.0.13/24'
MAP_C='rd.rail.fabric=10.0.0.0/16
rd.rail=ib0:10.0.1.14/24:10.0.1.1 rd.rail=ib1:10.0.1.16/24:10.0.1.1
rd.rail=ib2:10.0.2.14/24:10.0.2.1 rd.rail=ib3:10.0.2.16/24:10.0.2.1'
MAP_DUAL='rd.rail.mtu=9000
rd.rail=ib0:10.0.1.14/24:10.0.1.1
rd.rail=ib0:[fd00:1::14]/64:[fd00:1::1]
rd.rail=ib1:10.0.2.14/24:10.0.2.1,mtu=4200
rd.rail=ib2:[fd00:3::14]/64:[fd00:3::1]'
# A NIC found by its MAC, and two the targets cannot match (absent here, not required).
MAP_MAC='rd.rail=r0:10.0.5.14/24:10.0.5.1,mac=02:00:00:00:05:0e
rd.rail=r1:10.0.6.14/24,pci=0000:3b:00.0,required=0
rd.rail=r2:10.0.7.14/24,ibdev=mlx5_2/1,required=0'

set_macs() {
	local ns
	for ns; do
		ip -n "$ns" link set ib0 address 02:00:00:00:05:0e
	done
}

# The IPoIB layout's keyfiles name InfiniBand; the rails here are veths.
layout_ipoib() {
	VETH_IS_ETHERNET=1 layout "$@"
}

layout_mac() {
	MACS=1 layout "$@"
}

# A rule railup's files know nothing about: networkd removes foreign rules
# when it configures a link, unless the exported railup-networkd.conf says
# not to. (Without udev, networkd configures the links it finds at start
# before it reads the rules: the rail appears after it started, as at boot.)
dropin() {
	local dir=$RU_TMP/dropin with d seen
	set_conf "rd.rail=ib0:10.0.1.14/24:10.0.1.1"
	for with in "" 1; do
		node DN "dropin${with:+-with}" "" ""
		d=$dir${with:+-with}
		ru_ok "$DN" export networkd "$d"
		[ -n "$with" ] || rm "$d/railup-networkd.conf"
		ip -n "$DN" rule add from 192.0.2.1 lookup 300 priority 500
		daemon_start networkd "$DN" "$d"
		sleep 1
		ns_link "$DN" ib0 "$NODE_SW" br-ib0
		for _ in $(seq 100); do
			[ -z "$(ip -n "$DN" rule show priority 1001)" ] || break
			sleep 0.2
		done
		sleep 1
		seen=$(ip -n "$DN" rule show priority 500 | tr '\t' ' ')
		[ -n "$(ip -n "$DN" rule show priority 1001)" ] || seen="(networkd configured nothing)"
		daemon_stop
		if [ -n "$with" ]; then
			expect_eq "networkd with railup-networkd.conf keeps a foreign rule" \
				"500: from 192.0.2.1 lookup 300" "$seen"
		else
			expect_eq "networkd without railup-networkd.conf removes it (the control)" "" "$seen"
		fi
	done
	pass "railup-networkd.conf: networkd leaves foreign rules alone"
}

# keys FILE: a keyfile's settings that matter, as "[section]key=value", sorted
keys() {
	awk '/^\[/ { s = $0; next } /^[a-z]/ { print s $0 }' "$1" | sed 's/;$//' |
		grep -E '\](id|uuid|type|interface-name|mac-address|mtu|path|transport-mode|method|address[0-9]+|route[0-9]+(_options)?|routing-rule[0-9]+)=' |
		LC_ALL=C sort
}

# Each keyfile through NetworkManager's parser and writer (nmcli --offline):
# nothing the export wrote may be dropped or changed on the way.
roundtrip() {
	local dir=$RU_TMP/roundtrip/ n=0 map f
	ns_new RT roundtrip
	for map in "$MAP_A" "$MAP_B" "$MAP_C" "$MAP_DUAL" "$MAP_MAC" \
		'rd.rail.profile=ipoib rd.rail=i0:10.1.0.11/24,mac=00:00:0a:48:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0a:0b:0c
rd.rail=i1:10.1.0.12/24,mac=00:02:c9:03:00:0a:0b:0d rd.rail=i2:10.1.0.13/24,guid=0002c903000a0b0e
rd.rail=i3:[fd00:7::14]/64,table=300,priority=3000'; do
		n=$((n + 1))
		set_conf "$map"
		ru_ok "$RT" export nm "$dir/$n"
		for f in "$dir/$n"/*.nmconnection; do
			nmcli_offline connection modify connection.autoconnect yes <"$f" >"$f.nm" ||
				fail "nmcli --offline rejects $(basename "$f"): $(cat "$f")"
			keys "$f" >"$f.want"
			keys "$f.nm" >"$f.seen"
			expect_same_file "nmcli --offline: $(basename "$f") (map $n) as exported" \
				"$f.want" "$f.seen"
		done
	done
	pass "every keyfile survives NetworkManager's parser with its routes, rules and identity"
}

# The command's contract: usage, bad input, what it writes and leaves alone.
contract() {
	local d=$RU_TMP/contract sums
	ns_new CT contract
	set_conf "$MAP_A"
	ru "$CT" export
	expect_rc "export without a target" 2
	ru "$CT" export ifupdown "$d"
	expect_rc "export to an unknown target" 2
	expect_contains "the unknown target, quoted" "$RU_ERR" '"ifupdown"'
	set_conf 'rd.rail=ib0:10.0.1.14/33:10.0.1.1'
	ru "$CT" export networkd "$d"
	expect_rc "a bad map" 2
	expect_eq "a bad map: one line" 1 "$(wc -l <<<"$RU_ERR")"
	expect_contains "a bad map: the token, quoted" "$RU_ERR" '"rd.rail=ib0:10.0.1.14/33:10.0.1.1"'
	[ ! -e "$d" ] || fail "a bad map wrote $d"
	set_conf "$MAP_A"
	ru_ok "$CT" export networkd "$d"
	expect_lines "the files" "50-railup-ib0.network 644
50-railup-ib1.network 644
50-railup-ib2.network 644
50-railup-ib3.network 644
90-railup-sysctl.conf 644
railup-networkd.conf 644" "$(cd "$d" && stat -c '%n %a' -- * | LC_ALL=C sort)"
	sums=$(cd "$d" && sha256sum -- *)
	ru_ok "$CT" export networkd "$d"
	expect_lines "exporting again: the same files" "$sums" "$(cd "$d" && sha256sum -- *)"
	set_conf "$(sed '$d' <<<"$MAP_A")"
	ru_ok "$CT" export networkd "$d"
	[ ! -e "$d/50-railup-ib3.network" ] || fail "ib3's file outlived its rail"
	printf '[Match]\nName=ib3\n' >"$d/50-railup-ib3.network"
	set_conf "$MAP_A"
	sums=$(cd "$d" && sha256sum -- *)
	ru "$CT" export networkd "$d"
	expect_rc "a file of railup's name that is not railup's" 1
	expect_contains "the file that is not railup's, named" "$RU_ERR" "50-railup-ib3.network is not railup's"
	expect_lines "nothing changed" "$sums" "$(cd "$d" && sha256sum -- *)"
	ru_ok "$CT" export nm "$d-nm"
	expect_eq "a keyfile's mode and owner" "600 root" "$(stat -c '%a %U' "$d-nm/railup-ib0.nmconnection")"
	set_conf 'rd.rail=0'
	ru_ok "$CT" export nm "$d-off"
	[ ! -e "$d-off" ] || fail "rd.rail=0 exported something"
	set_conf 'rd.rail.host=7 rd.rail=ib0:10.0.1.100+/24:10.0.1.1'
	ru_ok "$CT" export networkd "$d-fleet"
	expect_contains "a templated address, the host index added" \
		"$(cat "$d-fleet/50-railup-ib0.network")" $'[Address]\nAddress=10.0.1.107/24\n'
	pass "usage and bad input: exit 2, nothing written; railup's files replaced, others' left alone"
}

part "export: usage, bad input, what it writes and leaves alone" contract
part "keyfiles through nmcli --offline" roundtrip
part "railup-networkd.conf keeps foreign rules" dropin
for kind in networkd nm; do
	part "(a) four rails, four subnets: $kind" \
		layout "$kind" a "$MAP_A" "ib0 ib1 ib2 ib3" "ib0 ib1 ib2 ib3" "" "101 102 103 104"
	part "(b) IPoIB, one subnet: $kind" \
		layout_ipoib "$kind" b "$MAP_B" "ib0 ib1 ib2.8001" "ib0 ib1 ib2.8001" "" "101 102 103"
	part "(c) two NICs per /24, shared gateway, fabric: $kind" \
		layout "$kind" c "$MAP_C" "ib0 ib1 ib2 ib3" "ib0 ib1 ib2 ib3" "" "101 102 103 104"
	part "dual stack: $kind" \
		layout "$kind" d "$MAP_DUAL" "ib0 ib1 ib2" "ib0 ib1" "ib0 ib2" "101 102 103"
	part "a NIC found by its MAC: $kind" \
		layout_mac "$kind" m "$MAP_MAC" "ib0" "" "" "101"
done
parts_end
