#!/bin/bash
# Malformed maps: railup apply, plan and status exit 2 with exactly one error
# line on stderr that quotes the offending token, and change nothing at all
# in the namespace (not even the links it would bring up, nor a ledger).
# A short list; the large corpus is tests/corpus/.
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

# The rails start down: a half-applied map would show as much as a link up.
build_four_rails bad down
dump "$NODE" >"$RU_TMP/before.json"

# part_case WHERE WHAT MAP TOKEN...: case_ as a part of its own
part_case() {
	part "$2 ($1)" case_ "$@"
}

# case_ WHERE WHAT MAP TOKEN...: WHERE is conf or cmdline; every TOKEN must
# appear in double quotes on the error line.
case_() {
	local where=$1 n="$2 ($1)" map=$3 cmd tok
	shift 3
	if [ "$where" = conf ]; then
		set_conf "$map"
		set_cmdline quiet
	else
		set_conf ""
		set_cmdline "BOOT_IMAGE=/vmlinuz ro quiet $map console=ttyS0"
	fi
	for cmd in apply plan status; do
		ru "$NODE" $cmd
		expect_rc "$n: railup $cmd" 2
		expect_eq "$n: railup $cmd's stdout" "" "$RU_OUT"
		expect_eq "$n: railup $cmd's stderr lines" 1 "$(printf '%s\n' "$RU_ERR" | wc -l)"
		for tok; do
			expect_contains "$n: railup $cmd's error quotes the token" \
				"$RU_ERR" "\"$tok\""
		done
	done
	dump "$NODE" >"$RU_TMP/after.json"
	expect_same_file "$n: the namespace (expected: untouched)" \
		"$RU_TMP/before.json" "$RU_TMP/after.json"
	[ ! -e "$(rundir "$NODE")" ] || fail "$n: railup made its run dir"
	pass "$n"
}

part_case conf "a bad address (one rail of five: the good four are not applied either)" "$MAP_A
rd.rail=ib9:10.0.1.300/24:10.0.1.1" "rd.rail=ib9:10.0.1.300/24:10.0.1.1" "10.0.1.300/24"
part_case conf "an unknown key" "rd.rail=ib0:10.0.1.14/24:10.0.1.1,colour=blue" \
	"rd.rail=ib0:10.0.1.14/24:10.0.1.1,colour=blue" "colour"
part_case conf "a duplicate table" "rd.rail=ib0:10.0.1.14/24:10.0.1.1,table=150
rd.rail=ib1:10.0.2.14/24:10.0.2.1,table=150" "rd.rail=ib1:10.0.2.14/24:10.0.2.1,table=150"
part_case conf "a duplicate table by the defaults (ib0 gets 101, ib1 asks for it)" "rd.rail=ib0:10.0.1.14/24:10.0.1.1
rd.rail=ib1:10.0.2.14/24:10.0.2.1,table=101" "rd.rail=ib1:10.0.2.14/24:10.0.2.1,table=101"
part_case cmdline "a reserved table (254, main)" "rd.rail=ib0:10.0.1.14/24:10.0.1.1,table=254" "rd.rail=ib0:10.0.1.14/24:10.0.1.1,table=254"
part_case cmdline "a gateway outside the subnet" "rd.rail=ib0:10.0.1.14/24 rd.rail=ib1:10.0.2.14/24:10.0.9.1" \
	"rd.rail=ib1:10.0.2.14/24:10.0.9.1"
# (On the command line a foreign word is someone else's; in the file it is an error.)
part_case conf "a word that is no railup setting" "$MAP_A
rp_filter=2" "rp_filter=2"
part_case conf "a map setting that is not a number" "rd.rail.table=abc
$MAP_A" "rd.rail.table=abc" "abc"
parts_end
