#!/bin/bash
# Benchmark: applying N rails with railup against what operators do instead,
# in throwaway network namespaces, alternating the methods round by round.
#
#   tests/bench/apply.sh [-n "4 8 64"] [-r ROUNDS] [-m "railup batch shell"] [-o FILE]
#   (RAILUP=path/to/railup: another build, e.g. to compare two)
#
# Methods, each applying the same objects to N fresh veth rails, their peers
# up in a switch namespace of their own (link up, address, two routes in the
# rail's table, one rule, three sysctls per rail, conf/all rp_filter and
# accept_local):
#   railup   railup apply (the whole process)
#   batch    ip -batch of the same links, addresses, routes and rules, plus one
#            sysctl -p of the same values (two processes)
#   shell    the second seed's way: one ip or echo per object (bash running it)
# Each run is timed by tests/bench/timed.c, which starts the processes with
# posix_spawn: from before the first starts to the last one reaped, without
# a shell's fork in it. Between rounds everything is torn down again (not
# timed). Reports per N and method the median, the 10th-90th percentile
# spread (ms) and the ratio of medians against batch. Also: a second railup
# apply with nothing to do, railup status, and railup --version: the floor,
# starting and ending the process without doing anything. A benchmark, not a
# test: it asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
NS_LIST="4 8 64 256 1024"
ROUNDS=15
METHODS="railup batch shell"
OUT=
while getopts n:r:m:o: opt; do
	case $opt in
	n) NS_LIST=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	m) METHODS=$OPTARG ;;
	o) OUT=$OPTARG ;;
	*) exit 2 ;;
	esac
done
# shellcheck source=tests/bench/lib.sh
. tests/bench/lib.sh

# Rail i: ib<i>, 10.<i/250+1>.<i%250>.14/24 via .1, priority 1001+i, table 101+i
# stepping over the reserved 253-255 as railup's numbering does.
addr() { echo "10.$(($1 / 250 + 1)).$(($1 % 250)).$2"; }
table() { local t=$((101 + $1)); [ $t -lt 253 ] || t=$((t + 3)); echo $t; }

write_inputs() {
	local n=$1 i a
	: >"$work/map"
	: >"$work/batch"
	: >"$work/sysctl"
	: >"$work/shell"
	echo quiet >"$work/cmdline"
	for ((i = 0; i < n; i++)); do
		a=$(addr $i 14)
		echo "rd.rail=ib$i:$a/24:$(addr $i 1)" >>"$work/map"
		cat >>"$work/batch" <<-EOF
			link set dev ib$i up
			address add $a/24 dev ib$i
			route add $(addr $i 0)/24 dev ib$i src $a table $(table $i) proto 114 scope link
			route add default via $(addr $i 1) dev ib$i src $a table $(table $i) proto 114
			rule add from $a lookup $(table $i) priority $((1001 + i)) proto 114
		EOF
		printf 'net.ipv4.conf.ib%d.rp_filter=2\nnet.ipv4.conf.ib%d.arp_ignore=1\nnet.ipv4.conf.ib%d.arp_announce=2\n' $i $i $i >>"$work/sysctl"
		sed "s/^/ip /" <<-EOF >>"$work/shell"
			link set dev ib$i up
			address add $a/24 dev ib$i
			route add $(addr $i 0)/24 dev ib$i src $a table $(table $i) proto 114 scope link
			route add default via $(addr $i 1) dev ib$i src $a table $(table $i) proto 114
			rule add from $a lookup $(table $i) priority $((1001 + i)) proto 114
		EOF
		printf 'echo 2 > /proc/sys/net/ipv4/conf/ib%d/rp_filter\necho 1 > /proc/sys/net/ipv4/conf/ib%d/arp_ignore\necho 2 > /proc/sys/net/ipv4/conf/ib%d/arp_announce\n' $i $i $i >>"$work/shell"
	done
	printf 'net.ipv4.conf.all.rp_filter=2\nnet.ipv4.conf.all.accept_local=1\n' >>"$work/sysctl"
	printf 'echo 2 > /proc/sys/net/ipv4/conf/all/rp_filter\necho 1 > /proc/sys/net/ipv4/conf/all/accept_local\n' >>"$work/shell"
}

# Runs the rounds inside the namespace, so no ip netns exec is timed; prints
# "method ms" per run.
run_rounds() {
	local n=$1
	ip netns exec "$ns" bash -s -- "$n" "$ROUNDS" "$METHODS" "$RAILUP" "$work" <<-'EOF'
		n=$1 rounds=$2 methods=$3 railup=$4 work=$5
		R="$railup --cmdline $work/cmdline --conf $work/map --run-dir $work/run -q"
		reset() {
			$R down >/dev/null 2>&1 || true
			ip -batch - <<<"$(sed -n 's/^link set dev \(ib[0-9]*\) up/address flush dev \1/p' "$work/batch")" 2>/dev/null || true
			ip route flush proto 114 table all 2>/dev/null || true
			while ip rule del proto 114 2>/dev/null; do :; done
			for i in $(seq 0 $((n - 1))); do
				echo 0 > /proc/sys/net/ipv4/conf/ib$i/rp_filter
				echo 0 > /proc/sys/net/ipv4/conf/ib$i/arp_ignore
				echo 0 > /proc/sys/net/ipv4/conf/ib$i/arp_announce
			done
			echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter
			echo 0 > /proc/sys/net/ipv4/conf/all/accept_local
			rm -rf "$work/run"
		}
		# "ms <elapsed>" of the processes given, or "maxrss <KiB>" with -m.
		timed() { "$work/timed" "$@" | sed 's/^[a-z]* //'; }
		case " $methods " in *" railup "*)
			reset
			# Peak RSS (KiB) of a first apply and of status, once per N.
			echo "rss-apply $(timed -m $R apply)"
			echo "rss-status $(timed -m $R status)"
		esac
		for ((round = 0; round < rounds; round++)); do
			# Rotate the order each round so no method always runs first.
			set -- $methods
			for ((k = 0; k < round % $#; k++)); do set -- "${@:2}" "$1"; done
			for m in "$@"; do
				reset
				case $m in
				railup) t=$(timed $R apply) ;;
				batch) t=$(timed ip -batch "$work/batch" \; sysctl -q -p "$work/sysctl") ;;
				shell) t=$(timed bash "$work/shell") ;;
				esac
				# A run that did not build the whole state must not be timed.
				rules=$(ip rule show | grep -c "proto 114")
				routes=$(ip route show table all proto 114 | wc -l)
				if [ "$rules" != "$n" ] || [ "$routes" != $((2 * n)) ]; then
					echo "FAILED $m: $rules rules, $routes routes for $n rails" >&2
					exit 1
				fi
				echo "$m $t"
				if [ "$m" = railup ]; then
					echo "railup-noop $(timed $R apply)"
					echo "railup-status $(timed $R status)"
					echo "railup-floor $(timed $railup --version)"
				fi
			done
		done
	EOF
}

# "steal total" jiffies of all CPUs so far: a VM's host taking its CPUs
# shows in the figures; the report says how much it took during the run.
cpu_steal() {
	awk '/^cpu / { print $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat
}

report() {
	echo "machine: $(nproc) cores, $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME")"
	echo "$steal0 $steal1" | awk '{ printf "steal: %.1f%% of the CPU time during the run\n", ($4 > $2 ? ($3 - $1) * 100 / ($4 - $2) : 0) }'
	echo "binary: $(stat -c %s "$RAILUP") bytes (static, stripped)"
	echo "rounds: $ROUNDS per N, methods alternating; times in ms, whole processes, started by posix_spawn"
	printf '%6s  %-14s %9s %17s %9s\n' rails method median "p10-p90" "vs batch"
	for n in $NS_LIST; do
		base=$(awk -v n="$n" '$1 == n && $2 == "batch" { print $3 }' "$work/results" | stats | cut -d' ' -f1)
		for m in $METHODS railup-noop railup-status railup-floor; do
			s=$(awk -v n="$n" -v m="$m" '$1 == n && $2 == m { print $3 }' "$work/results" | stats)
			[ -n "$s" ] || continue
			set -- $s
			ratio=-
			[ -n "$base" ] && ratio=$(awk -v a="$1" -v b="$base" 'BEGIN { printf "%.2fx", a / b }')
			printf '%6s  %-14s %9s %8s-%-8s %9s\n' "$n" "$m" "$1" "$2" "$3" "$ratio"
		done
	done
	echo "peak RSS, KiB (once per N):"
	printf '%6s  %-14s %9s\n' rails command KiB
	for n in $NS_LIST; do
		for m in apply status; do
			v=$(awk -v n="$n" -v m="rss-$m" '$1 == n && $2 == m { print $3 }' "$work/results")
			[ -z "$v" ] || printf '%6s  %-14s %9s\n' "$n" "railup $m" "$v"
		done
	done
}

: >"$work/results"
steal0=$(cpu_steal)
for n in $NS_LIST; do
	write_inputs "$n"
	fresh_ns "$n"
	run_rounds "$n" | sed "s/^/$n /" >>"$work/results"
	ip netns del "$ns"
	ip netns del "$sw"
done
steal1=$(cpu_steal)
if [ -n "$OUT" ]; then report | tee "$OUT"; else report; fi
