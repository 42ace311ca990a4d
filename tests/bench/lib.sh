# shellcheck shell=bash
# What the benchmarks share; sourced by apply.sh and boot.sh after their
# options are read (RAILUP may name another build).
#
# The work directory is on a tmpfs, as railup's run directory /run is; the
# node namespace $ns holds the rails, the switch namespace $sw their peers;
# both and the work directory go on exit. $work/timed is tests/bench/timed.c,
# built static and small: a forked child's peak RSS counts the timer's pages
# it copied until exec (a dynamic glibc timer added 300-500 KiB to railup's).

RAILUP=${RAILUP:-$PWD/early/railup}
[ -x "$RAILUP" ] || { echo "build early/railup first (make)" >&2; exit 1; }
work=$(mktemp -d -p "$([ -d /dev/shm ] && echo /dev/shm || echo /tmp)")
ns=rubench$$
sw=rubenchsw$$
bench_cleanup() {
	ip netns del "$ns" 2>/dev/null || true
	ip netns del "$sw" 2>/dev/null || true
	rm -rf "$work"
}
trap bench_cleanup EXIT
${MUSL_CC:-musl-gcc} -static -Os -o "$work/timed" tests/bench/timed.c

# fresh_ns N: a node namespace with N bare veth rails ib0.., down, whose
# peers are up (carrier once a rail is up) in a switch namespace of their
# own: the node sees its rails and lo, as a node does, not the switch's ports.
fresh_ns() {
	local n=$1 i
	ip netns del "$ns" 2>/dev/null || true
	ip netns del "$sw" 2>/dev/null || true
	ip netns add "$ns"
	ip netns add "$sw"
	for ((i = 0; i < n; i++)); do
		echo "link add ib$i type veth peer name sw$i netns $sw"
	done | ip -n "$ns" -batch -
	for ((i = 0; i < n; i++)); do
		echo "link set sw$i up"
	done | ip -n "$sw" -batch -
}

# median, p10, p90 of the numbers on stdin (nothing for none)
stats() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (!NR)
			exit
		hi = int(NR * 0.9 + 0.5)
		if (hi > NR)
			hi = NR
		printf "%.2f %.2f %.2f", v[int((NR + 1) / 2)], v[int(NR * 0.1) + 1], v[hi]
	}'
}
