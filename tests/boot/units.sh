#!/usr/bin/env bash
# tests/boot/units.sh - the systemd units as make install installs them:
# systemd-analyze verify (in the DESTDIR tree as root, so every ExecStart
# binary must be there, and man:railup(8) must resolve), the opt-in boot
# assessment drop-in, and railup-policy's verdicts for rd.rail.policy.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/checks.sh
. tests/checks.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! command -v systemd-analyze >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends systemd >&2 ||
		{ bad "no systemd-analyze and systemd does not install"; exit 1; }
fi

d=$work/root
make -s install DESTDIR="$d" >"$work/log" 2>&1 || { bad "make install failed"; cat "$work/log"; exit 1; }
# railup-halt.service runs systemctl: the root needs one
mkdir -p "$d/usr/bin" && cp "$(command -v systemctl)" "$d/usr/bin/"
units=(railup.service railup-early.service railup-initrd.service railup-halt.service railup-watch.service)
if (cd "$d/usr/lib/systemd/system" && MANPATH=$d/usr/share/man \
	systemd-analyze verify --root="$d" "${units[@]}") >"$work/verify" 2>&1; then
	ok "systemd-analyze verify --root=DESTDIR: ${units[*]}"
else
	bad "systemd-analyze verify:"
	cat "$work/verify"
fi
# the check is real: a unit whose binary is missing fails it
rm "$d/usr/sbin/railup"
if (cd "$d/usr/lib/systemd/system" && MANPATH=$d/usr/share/man \
	systemd-analyze verify --root="$d" railup.service) >"$work/verify" 2>&1; then
	bad "systemd-analyze verify passes without /usr/sbin/railup"
else
	ok "systemd-analyze verify fails when /usr/sbin/railup is missing"
fi
make -s install DESTDIR="$d" >/dev/null 2>&1

# boot assessment, opt-in: the drop-in makes boot-complete.target require
# railup.service (the host's boot-complete.target, railup's units from DESTDIR)
mkdir -p "$d/etc/systemd/system/boot-complete.target.d"
cp "$d/usr/share/doc/railup/boot-complete-railup.conf" \
	"$d/etc/systemd/system/boot-complete.target.d/railup.conf"
upath=$d/etc/systemd/system:$d/usr/lib/systemd/system:
if SYSTEMD_UNIT_PATH=$upath systemd-analyze verify --man=no boot-complete.target >"$work/verify" 2>&1; then
	ok "boot-complete.target with railup's drop-in verifies"
else
	bad "boot-complete.target with railup's drop-in:"
	cat "$work/verify"
fi
mv "$d/usr/lib/systemd/system/railup.service" "$work/"
if SYSTEMD_UNIT_PATH=$upath systemd-analyze verify --man=no boot-complete.target >"$work/verify" 2>&1; then
	bad "boot-complete.target verifies without railup.service: the drop-in is not read"
elif grep -q 'railup.service not found' "$work/verify"; then
	ok "the drop-in is read: without railup.service boot-complete.target cannot start"
else
	bad "boot-complete.target without railup.service: $(cat "$work/verify")"
fi
mv "$work/railup.service" "$d/usr/lib/systemd/system/"

# railup-policy should-halt: STATE CMDLINE CONF -> 0 (halt) or 1 (go on)
policy() {
	local want=$1 desc=$2 state=$3 cmdline=$4 conf=$5 rc
	mkdir -p "$work/p/run"
	rm -f "$work/p/run/state"
	[ "$state" = - ] || printf '%b' "$state" >"$work/p/run/state"
	printf '%s\n' "$cmdline" >"$work/p/cmdline"
	printf '%b' "$conf" >"$work/p/conf"
	libexec/railup-policy --run-dir "$work/p/run" --cmdline "$work/p/cmdline" \
		--conf "$work/p/conf" should-halt 2>"$work/p/err"
	rc=$?
	if [ "$rc" = "$want" ]; then
		ok "railup-policy: $desc: $([ "$want" = 0 ] && echo halt || echo go on)"
	else
		bad "railup-policy: $desc: rc=$rc, expected $want ($(cat "$work/p/err"))"
	fi
}
policy 1 "ok, halt" "RAILUP_RESULT='ok'\nRAILUP_POLICY='halt'\n" "" ""
policy 1 "degraded, halt" "RAILUP_RESULT='degraded'\nRAILUP_POLICY='halt'\n" "" ""
policy 1 "disabled, halt on the command line" "RAILUP_RESULT='disabled'\n" "rd.rail.policy=halt" ""
policy 1 "failed, continue" "RAILUP_RESULT='failed'\nRAILUP_POLICY='continue'\n" "" ""
policy 0 "failed, halt" "RAILUP_RESULT='failed'\nRAILUP_POLICY='halt'\n" "" ""
policy 1 "failed, continue in the state though the command line says halt" \
	"RAILUP_RESULT='failed'\nRAILUP_POLICY='continue'\n" "rd.rail.policy=halt" ""
policy 0 "invalid map, halt on the command line" \
	"RAILUP_RESULT='invalid'\nRAILUP_POLICY='continue'\n" "quiet rd.rail=ib0:x rd.rail.policy=halt" ""
policy 0 "invalid map, halt in the conf file" "RAILUP_RESULT='invalid'\n" "" \
	"# map\nrd.rail.policy=halt # comment\n"
policy 1 "invalid map, conf halt, command line continue (the command line wins)" \
	"RAILUP_RESULT='invalid'\n" 'rd.rail.policy="continue"' "rd.rail.policy=halt\n"
policy 0 "invalid map, a bad policy value after halt (the last valid one counts)" "RAILUP_RESULT='invalid'\n" \
	"rd.rail.policy=halt rd.rail.policy=stop" ""
policy 1 "invalid map, no policy" "RAILUP_RESULT='invalid'\n" "rd.rail=ib0:x" ""
policy 0 "no state at all (railup killed), halt" - "rd.rail.policy=halt" ""
policy 1 "no state at all, continue" - "" ""
if grep -q 'stopping the boot' "$work/p/err" 2>/dev/null; then
	bad "railup-policy talks when the boot goes on"
fi
libexec/railup-policy --run-dir "$work/p/run" check 2>/dev/null
[ $? = 2 ] && ok "railup-policy: a wrong command is a usage error (2)" || bad "railup-policy: usage"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
