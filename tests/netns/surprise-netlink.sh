#!/bin/bash
# Least surprise, at the netlink level: every message railup sends, decoded
# by strace, on a node full of objects that are not railup's (foreign rules,
# one at a rail's priority and one its twin but for the protocol, foreign
# routes in main, in a rail's table and in others, a management interface
# with its address, an operator's address on a rail), through apply, a second
# apply, a changed map (a table moved, a rail dropped), down, boot and down:
#   - no message but dumps, route get, and RTM_{NEW,DEL}{ADDR,ROUTE,RULE} and
#     RTM_NEWLINK (link up);
#   - every RTM_NEWROUTE, RTM_DELROUTE, RTM_NEWRULE, RTM_DELRULE carries
#     protocol 114;
#   - every message that names an interface names a rail (never mgmt0, lo);
#   - RTM_NEWADDR and RTM_DELADDR only for the rails' own addresses;
#   - RTM_NEWLINK only brings a rail up (IFF_UP in ifi_change and ifi_flags).
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/netns/lib-fault.sh
. "$(dirname "$0")/lib-fault.sh"

build_four_rails n
ns_link "$NODE" mgmt0 "$SW" mgmt
ip -n "$NODE" addr add 192.168.50.10/24 dev mgmt0
ip -n "$NODE" addr add 10.0.2.200/24 dev ib1
ip -n "$NODE" link set ib2 down
ip -n "$NODE" route add default via 192.168.50.1 dev mgmt0
ip -n "$NODE" route add 10.7.0.0/16 via 192.168.50.1 dev mgmt0 table 101
ip -n "$NODE" route add blackhole 10.6.0.0/16 table 102
ip -n "$NODE" route add default via 192.168.50.1 dev mgmt0 table 200
ip -n "$NODE" rule add from 10.9.9.8 lookup 200 pref 1002
ip -n "$NODE" rule add from 10.0.4.14 lookup 104 pref 1004 proto static
ip -n "$NODE" rule add fwmark 0x10 lookup 200 pref 1001
LOG=$RU_TMP/netlink.strace
SET=sendto,sendmsg
set_conf "$MAP_A"
ru_strace "$NODE" "$LOG" "$SET" apply
expect_rc "apply" 0
ru_strace "$NODE" "$LOG" "$SET" apply
set_conf 'rd.rail=ib0:10.0.1.14/24:10.0.1.1,table=111
rd.rail=ib1:10.0.2.14/24:10.0.2.1
rd.rail=ib3:10.0.4.14/24:10.0.4.1'
ru_strace "$NODE" "$LOG" "$SET" apply
ru_strace "$NODE" "$LOG" "$SET" status
ru_strace "$NODE" "$LOG" "$SET" down
expect_rc "down" 0
set_conf "$MAP_A
rd.rail.verify=0 rd.rail.timeout=2 rd.rail.modules="
ru_strace "$NODE" "$LOG" "$SET" boot --no-kmsg
ru_strace "$NODE" "$LOG" "$SET" down

# One line per message: "TYPE<TAB>decoded message"
msgs=$(perl -ne 'next unless /^\d+ +(sendto|sendmsg)\(/;
	my @m = split /(?=\{nlmsg_len=\d+, nlmsg_type=)/;
	shift @m;
	for (@m) { my ($t) = /nlmsg_type=(\w+)/; s/\n//g; print "$t\t$_\n"; }' "$LOG")
[ -n "$msgs" ] || fail "strace decoded no netlink message"
printf '     (%s)\n' "$(cut -f1 <<<"$msgs" | sort | uniq -c | awk '{ printf "%s%s %s", s, $1, $2; s = ", " }')"
changes=$(grep -vE '^RTM_GET' <<<"$msgs" || true)
expect_eq "message types other than dumps, route get, addresses, routes, rules and link up" "" \
	"$(cut -f1 <<<"$changes" | grep -vE '^RTM_(NEW|DEL)(ADDR|ROUTE|RULE)$|^RTM_NEWLINK$' | sort -u || true)"
expect_eq "routes without protocol 114" "" \
	"$(grep -E '^RTM_(NEW|DEL)ROUTE' <<<"$changes" | grep -vE 'rtm_protocol=(0x72|114)\b' || true)"
expect_eq "rules without protocol 114" "" \
	"$(grep -E '^RTM_(NEW|DEL)RULE' <<<"$changes" | grep -vE 'nla_type=FRA_PROTOCOL\}, (0x72|114)\b' || true)"
expect_eq "interfaces named other than the rails" "" \
	"$(grep -oE 'if_nametoindex\("[^"]*"\)' <<<"$changes" | grep -vE '"ib[0-3]"' | sort -u || true)"
expect_eq "addresses added or removed other than the rails'" "" \
	"$(grep -E '^RTM_(NEW|DEL)ADDR' <<<"$changes" | grep -oE 'inet_addr\("[^"]*"\)' |
		grep -vE '"10\.0\.[1-4]\.14"' | sort -u || true)"
expect_eq "RTM_NEWLINK other than a link up" "" \
	"$(grep -E '^RTM_NEWLINK' <<<"$changes" | grep -vE 'ifi_flags=IFF_UP, ifi_change=0x1\b|ifi_flags=IFF_UP, ifi_change=IFF_UP' || true)"
grep -E "^RTM_NEWLINK" <<<"$changes" | cut -f2 | cut -c1-220 | sed "s/^/     /"
pass "every change railup sent was its own: protocol 114, the rails' interfaces and addresses"
