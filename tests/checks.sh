# shellcheck shell=bash
# tests/checks.sh - a test script's verdicts, for the scripts that print their
# own "ok: ..." / "FAIL: ..." lines (tests/vm, tests/boot). Source it:
#
#   ok MSG / bad MSG   print "ok: MSG" / "FAIL: MSG" and count it
#   now                the time, in seconds with nanoseconds
#   since T            seconds since T, to one decimal
#   finish             "N passed, N failed (Ts since sourcing)"; removes
#                      $work when every check passed and $keep is not 1
#                      (it is kept on failure); exits 0 only if none failed
pass=0
fail=0
keep=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
checks_start=$(now)

finish() {
	echo "$pass passed, $fail failed ($(since "$checks_start")s)"
	if [ "$fail" = 0 ] && [ "$keep" != 1 ] && [ -n "${work:-}" ]; then
		rm -rf "$work"
	elif [ -n "${work:-}" ]; then
		echo "logs kept in $work"
	fi
	[ "$fail" = 0 ]
	exit
}
