#!/bin/bash
# Benchmark: from a rail's carrier coming up to its rail being configured.
#
#   tests/bench/reaction.sh [-r ROUNDS]
#
# railup boot waits for a rail whose veth peer is down; the peer is brought
# up, in a fresh namespace each round. railup -v reports, per batch of rails
# turning ready together (here the one), the time
# from receiving the kernel's link event to the kernel acknowledging the
# rail's batch (CLOCK_MONOTONIC). The kernel's delivery of the event to
# railup is not in it: `ip -ts monitor` cannot time that (it stamps messages
# when it reads them), and the tracer is not open here. A benchmark: it
# reports figures and asserts nothing but that it measured.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=20
while getopts r: opt; do
	case $opt in
	r) ROUNDS=$OPTARG ;;
	*) exit 2 ;;
	esac
done
RAILUP=${RAILUP:-$PWD/early/railup}
# railup's run directory is /run, a tmpfs: so is the bench's (/dev/shm), as in apply.sh.
work=$(mktemp -d -p "$([ -d /dev/shm ] && echo /dev/shm || echo /tmp)")
ns=rureact$$
cleanup() {
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

echo quiet >"$work/cmdline"
echo "rd.rail=ib0:10.0.1.14/24:10.0.1.1 rd.rail.verify=0 rd.rail.timeout=10" >"$work/map"

: >"$work/results"
for ((i = 0; i < ROUNDS; i++)); do
	ip netns del "$ns" 2>/dev/null || true
	ip netns add "$ns"
	ip -n "$ns" link add ib0 type veth peer name sw0
	rm -rf "$work/run"
	ip netns exec "$ns" "$RAILUP" -v --no-kmsg --cmdline "$work/cmdline" --conf "$work/map" \
		--run-dir "$work/run" boot 2>"$work/log" &
	boot=$!
	# railup is waiting once it has set ib0 up (no carrier yet).
	for ((t = 0; t < 200; t++)); do
		ip -n "$ns" link show ib0 | grep -q "state LOWERLAYERDOWN" && break
		sleep 0.01
	done
	ip -n "$ns" link set sw0 up
	wait "$boot" || true
	sed -n 's/.* 1 rail configured \([0-9]*\) us after the link event.*/\1/p' "$work/log" |
		awk '{ printf "%.3f\n", $1 / 1000 }' >>"$work/results"
done
sort -n "$work/results" | awk '{ v[NR] = $1 } END {
	if (!NR) { print "no measurement"; exit 1 }
	hi = int(NR * 0.9 + 0.5); if (hi > NR) hi = NR
	printf "link event -> rail configured: median %.3f ms, p10-p90 %.3f-%.3f ms (%d runs)\n",
		v[int((NR + 1) / 2)], v[int(NR * 0.1) + 1], v[hi], NR
}'
