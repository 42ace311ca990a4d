#!/bin/bash
# Benchmark: railup boot for N rails, the whole process, and how it grows.
#
#   tests/bench/boot.sh [-n "64 256 1024"] [-r ROUNDS]
#   (RAILUP=path/to/railup: another build, e.g. to compare two)
#
# Each round starts as a node's boot does: N veth rails, down and bare, in
# a namespace of their own, their peers up in a switch namespace (carrier
# once railup brings a rail up). railup boot (rd.rail.verify=0: no RDMA
# here) brings them up, waits for their link events and configures each
# batch of rails that turns ready together, writing the ledger and the
# sysctl.d drop-in per batch. Between rounds railup down, the links down and
# the run directory removed (not timed). Reports per N the median and the
# 10th-90th percentile spread (ms), the cost per rail, and the growth
# against the smallest N. A benchmark, not a test: it asserts nothing but
# that every round configured every rail.
set -euo pipefail
cd "$(dirname "$0")/../.."
NS_LIST="64 256 1024"
ROUNDS=7
while getopts n:r: opt; do
	case $opt in
	n) NS_LIST=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	*) exit 2 ;;
	esac
done
# shellcheck source=tests/bench/lib.sh
. tests/bench/lib.sh
echo quiet >"$work/cmdline"

# The map of n rails, each with a gateway, as a node's.
write_map() {
	local n=$1 i
	for ((i = 0; i < n; i++)); do
		echo "rd.rail=ib$i:10.$((i / 250 + 1)).$((i % 250)).14/24:10.$((i / 250 + 1)).$((i % 250)).1"
	done >"$work/map"
	echo "rd.rail.verify=0 rd.rail.modules= rd.rail.timeout=120" >>"$work/map"
}

run_rounds() {
	local n=$1
	ip netns exec "$ns" bash -s -- "$n" "$ROUNDS" "$RAILUP" "$work" <<-'EOF'
		n=$1 rounds=$2 railup=$3 work=$4
		R="$railup --cmdline $work/cmdline --conf $work/map --run-dir $work/run -q"
		for ((round = 0; round < rounds; round++)); do
			$R down >/dev/null 2>&1 || true
			for ((i = 0; i < n; i++)); do echo "link set ib$i down"; done | ip -batch -
			rm -rf "$work/run"
			t=$("$work/timed" $R boot | sed 's/^[a-z]* //')
			configured=$(grep -cE "_PHASE='(configured|verified)'" "$work/run/state" || true)
			if [ "$configured" != "$n" ]; then
				echo "FAILED: $configured of $n rails configured" >&2
				exit 1
			fi
			echo "$t"
		done
	EOF
}

echo "machine: $(nproc) cores, $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "binary: $(stat -c %s "$RAILUP") bytes; rounds: $ROUNDS per N; times in ms, whole processes"
printf '%6s %9s %17s %12s %9s\n' rails median "p10-p90" "us per rail" growth
base=
for n in $NS_LIST; do
	fresh_ns "$n"
	write_map "$n"
	read -r med lo hi <<<"$(run_rounds "$n" | stats)"
	[ -n "$med" ] || { echo "boot.sh: no rounds measured at $n rails" >&2; exit 1; }
	[ -n "$base" ] || base="$n $med"
	read -r bn bm <<<"$base"
	printf '%6s %9s %8s-%-8s %12.1f %8.1fx\n' "$n" "$med" "$lo" "$hi" \
		"$(awk -v m="$med" -v n="$n" 'BEGIN { print m * 1000 / n }')" \
		"$(awk -v m="$med" -v b="$bm" 'BEGIN { print m / b }')"
	[ "$n" = "$bn" ] || echo "        (linear: $(awk -v n="$n" -v b="$bn" 'BEGIN { printf "%.1f", n / b }')x)"
done
