#!/bin/bash
# Least surprise: what railup opens. apply (a first one and a changed map),
# status, plan, down and boot run under strace -f. Every open for writing
# (O_WRONLY, O_RDWR, O_CREAT or O_TRUNC) is under /proc/sys/net/ipv{4,6}/conf/
# (conf/all, conf/default never, and the rails' interfaces only) or in the
# run dir (the sysctl.d drop-in too: --run-dir moves it there), and carries O_NOFOLLOW and O_CLOEXEC; every open under /proc/sys,
# /proc/net, /sys and the run dir carries O_CLOEXEC; nothing is created,
# renamed or removed outside the run dir.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/lib-fault.sh
. "$(dirname "$0")/lib-fault.sh"

build_four_rails o
ns_link "$NODE" mgmt0 "$SW" mgmt
ip -n "$NODE" addr add 192.168.50.10/24 dev mgmt0
carrier "$NODE" ib3 "$SW" down
LOG=$RU_TMP/files.strace
SET=open,openat,openat2,creat,mkdir,mkdirat,rename,renameat,renameat2,unlink,unlinkat,link,linkat,symlink,symlinkat,truncate,chmod,fchmodat,chown,fchownat
RUN=$(rundir "$NODE")
# -y: the directory an openat() is relative to, by its path
RU_STRACE_OPTS=-y
set_conf "$MAP_A"
ru_strace "$NODE" "$LOG" "$SET" apply
expect_rc "apply" 0
set_conf 'rd.rail=ib0:10.0.1.14/24:10.0.1.1,table=111
rd.rail=ib1:10.0.2.14/24:10.0.2.1,arp_ignore=2'
ru_strace "$NODE" "$LOG" "$SET" apply
ru_strace "$NODE" "$LOG" "$SET" status
ru_strace "$NODE" "$LOG" "$SET" plan
ru_strace "$NODE" "$LOG" "$SET" down
expect_rc "down" 0
set_conf "$MAP_A
rd.rail.verify=0 rd.rail.timeout=500ms rd.rail.modules="
ru_strace "$NODE" "$LOG" "$SET" boot --no-kmsg
ru_strace "$NODE" "$LOG" "$SET" status
ru_strace "$NODE" "$LOG" "$SET" down

# opens: "FLAGS PATH", a path relative to a directory descriptor joined to
# that directory's (the files of the tool railup runs under, make
# check-sanitize and check-valgrind, are the tool's: tool_path)
# (with -y strace shows AT_FDCWD with the working directory: AT_FDCWD</x>)
opens=$(sed -nE 's/^[0-9]+ +(open|openat|openat2)\((AT_FDCWD(<[^>]*>)?, |[0-9]+<([^>]*)>, )?"([^"]*)", ([A-Z_|]+).*/\6 \4 \5/p' "$LOG" |
	while read -r flags dir path; do
		[ -n "$path" ] || { path=$dir; dir=; }
		case $path in /*) ;; *) path=${dir:+$dir/}$path ;; esac
		tool_path "$path" || echo "$flags $path"
	done)
[ -n "$opens" ] || fail "strace saw no open"
writes=$(awk '$1 ~ /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC/' <<<"$opens")
expect_contains "write opens (there are some)" "$writes" "/proc/sys/net/ipv4/conf/all/rp_filter"
expect_contains "write opens: the sysctl.d drop-in" "$writes" "$RUN/sysctl.d/.99-zzz-railup.conf.tmp"
expect_eq "write opens without O_NOFOLLOW or O_CLOEXEC" "" \
	"$(awk '$1 !~ /O_NOFOLLOW/ || $1 !~ /O_CLOEXEC/' <<<"$writes")"
expect_eq "write opens elsewhere than the rails' and conf/all's sysctls and the run dir" "" \
	"$(awk -v run="$RUN/" '{ p = $2 }
		p ~ /^\/proc\/sys\/net\/ipv[46]\/conf\/(all|ib[0-3])\/[a-z_]+$/ { next }
		index(p, run) == 1 { next }
		{ print }' <<<"$writes")"
expect_eq "opens under /proc/sys, /proc/net, /sys or the run dir without O_CLOEXEC" "" \
	"$(awk -v run="$RUN/" '($2 ~ /^\/(proc\/sys|proc\/net|sys)\// || index($2, run) == 1) &&
		$1 !~ /O_CLOEXEC/' <<<"$opens")"
expect_eq "files made, renamed or removed outside the run dir" "" \
	"$(grep -E '^[0-9]+ +(creat|mkdir|mkdirat|rename|renameat|renameat2|unlink|unlinkat|link|linkat|symlink|symlinkat|truncate|chmod|fchmodat|chown|fchownat)\(' "$LOG" |
		grep -v "\"$RUN" | while read -r line; do
			p=${line#*\"}
			tool_path "${p%%\"*}" || echo "$line"
		done || true)"
printf '     (%d opens, %d for writing)\n' "$(grep -c . <<<"$opens")" "$(grep -c . <<<"$writes")"
pass "writes only the rails' and conf/all's sysctls and its run dir, with O_NOFOLLOW|O_CLOEXEC"
