#!/bin/bash
# The kernel command line as dracut extends it: what an initramfs carries in
# /etc/cmdline and /etc/cmdline.d/*.conf is read before /proc/cmdline. In a
# private mount namespace, /proc/cmdline is replaced by a file of the test's
# and /etc by an empty tmpfs: the host's own files are never read or touched.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

build_four_rails cmdd

# railup_with CMDLINE ETC-SETUP: railup apply reading /proc/cmdline (CMDLINE)
# and the /etc the shell snippet ETC-SETUP builds
railup_with() {
	printf '%s\n' "$1" >"$RU_TMP/proc-cmdline"
	RU_RC=0
	in_ns "$NODE" unshare -m sh -ec "
		mount --make-rprivate /
		mount --bind '$RU_TMP/proc-cmdline' /proc/cmdline
		mount -t tmpfs none /etc
		$2
		exec '$RAILUP' --run-dir '$(rundir "$NODE")' apply" \
		>"$RU_TMP/out" 2>"$RU_TMP/err" || RU_RC=$?
	RU_OUT=$(cat "$RU_TMP/out")
	RU_ERR=$(cat "$RU_TMP/err")
	printf '$ railup apply   # /proc/cmdline: %s; exit %d\n' "$1" "$RU_RC"
	[ -z "$RU_ERR" ] || printf '%s\n' "$RU_ERR" | sed 's/^/    stderr| /'
}

part "rails and settings from /etc/cmdline.d, a base from /etc/cmdline"
railup_with "quiet" '
	echo "rd.rail.table=200" >/etc/cmdline
	mkdir /etc/cmdline.d
	echo "rd.rail=ib0:10.0.1.14/24:10.0.1.1" >/etc/cmdline.d/10-rail0.conf
	echo "rd.rail=ib1:10.0.2.14/24:10.0.2.1 # a comment is a token here too" >/etc/cmdline.d/20-rail1.conf'
expect_rc "apply (the words after the rail are others' tokens, as on any command line)" 0
expect_eq "the rules, numbered from /etc/cmdline's base, in file order" \
	"1001 from 10.0.1.14 lookup 200
1002 from 10.0.2.14 lookup 201" "$(railup_rules "$NODE")"
ru_ok "$NODE" down

part "/proc/cmdline comes last: its settings win"
railup_with "rd.rail.table=300 quiet" '
	echo "rd.rail.table=200" >/etc/cmdline
	mkdir /etc/cmdline.d
	echo "rd.rail=ib0:10.0.1.14/24:10.0.1.1" >/etc/cmdline.d/10-rail0.conf'
expect_rc "apply" 0
expect_eq "rule" "1001 from 10.0.1.14 lookup 300" "$(railup_rules "$NODE")"
ru_ok "$NODE" down

part "an error in a cmdline.d file names that file"
railup_with "quiet" '
	mkdir /etc/cmdline.d
	echo "rd.rail=ib0:10.0.1.300/24" >/etc/cmdline.d/10-bad.conf'
expect_rc "apply" 2
expect_eq "the one error line" \
	'railup: /etc/cmdline.d/10-bad.conf: "rd.rail=ib0:10.0.1.300/24": address "10.0.1.300/24": not an IPv4 address' \
	"$RU_ERR"
expect_eq "nothing applied" "" "$(railup_rules "$NODE")"

part "--cmdline FILE reads that file alone"
set_cmdline "rd.rail=ib2:10.0.3.14/24:10.0.3.1"
in_ns "$NODE" unshare -m sh -ec "
	mount --make-rprivate /
	mount -t tmpfs none /etc
	mkdir /etc/cmdline.d
	echo 'rd.rail=ib0:10.0.1.14/24:10.0.1.1' >/etc/cmdline.d/10-rail0.conf
	exec '$RAILUP' --cmdline '$RU_CMDLINE' --run-dir '$(rundir "$NODE")' apply" ||
	true
expect_eq "only the file's rail" "1001 from 10.0.3.14 lookup 101" "$(railup_rules "$NODE")"
parts_end
