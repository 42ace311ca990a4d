# shellcheck shell=bash
# tests/initramfs/lib.sh - helpers for the initramfs integration tests
# (mkinitcpio and initramfs-tools hooks). Source it from a bash test.
#
#   it_ok MSG / it_bad MSG        count a check
#   it_check MSG CMD...           it_ok if CMD succeeds, else it_bad
#   it_has MSG FILE PATTERN       FILE has a line matching the ERE PATTERN
#   it_lacks MSG FILE PATTERN     ... has none
#   it_finish                     print the sums, delete $IT_WORK unless a
#                                 check failed (or IT_KEEP=1), exit 0/1
#   it_workdir NAME               IT_WORK=a fresh directory under
#                                 .cache/initramfs/tmp
#   it_private_root DIR CMD...    run CMD in a private mount namespace in
#                                 which /usr, /etc and /boot are overlays
#                                 whose upper layers live on a tmpfs at DIR:
#                                 CMD may "install" files anywhere below them;
#                                 everything vanishes with the namespace and
#                                 the host's /usr, /etc, /boot never change.
#   it_host_paths                 a line per path the tests install into
#                                 overlays (exists? mtime, size): compare
#                                 before and after to prove the host unchanged
#   it_install                    inside it_private_root: "make install" of
#                                 the tree into the overlays, as on a node
#                                 (-o early/railup: the binary "make" built;
#                                 never rebuilt from inside the namespace)
#   it_mini_root DIR              a busybox root for chroot runs of hooks:
#                                 /usr/bin/busybox and its applets (except
#                                 those that reboot or halt), /bin, /sbin and
#                                 /usr/sbin linking to /usr/bin, /lib to /usr/lib,
#                                 /run, /proc (plain dir: /proc/cmdline is a
#                                 file the test writes), /dev, /etc, /fake
#   it_fake_railup DIR            a fake railup at DIR (a busybox sh script)
#                                 driven by /fake/railup.env in the chroot:
#                                 FAKE_RC (exit status), FAKE_STATE (0: write
#                                 no state), FAKE_RESULT, FAKE_POLICY, and
#                                 FAKE_RAILS lines "name|phase|required|stage|error".
#                                 It appends "railup ARGS" to /fake/events.

IT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IT_REPO=$(cd "$IT_DIR/../.." && pwd)
IT_CACHE=$IT_REPO/.cache/initramfs
it_pass=0
it_fail=0
IT_WORK=${IT_WORK:-}

it_ok() { it_pass=$((it_pass + 1)); echo "ok: $*"; }
it_bad() { it_fail=$((it_fail + 1)); echo "FAIL: $*"; }
it_check() {
	local msg=$1
	shift
	if "$@"; then it_ok "$msg"; else it_bad "$msg"; fi
}
it_has() {
	if grep -Eq -- "$3" "$2" 2>/dev/null; then it_ok "$1"; else
		it_bad "$1 (no line matching /$3/ in ${2##*/})"
		sed 's/^/    | /' "$2" 2>/dev/null | tail -n 25
	fi
}
it_lacks() {
	if ! grep -Eq -- "$3" "$2" 2>/dev/null; then it_ok "$1"; else
		it_bad "$1 (a line matches /$3/ in ${2##*/})"
		grep -E -- "$3" "$2" | sed 's/^/    | /' | head -n 5
	fi
}
it_now() { date +%s.%N; }
it_since() { awk -v a="$1" -v b="$(it_now)" 'BEGIN { printf "%.1f", b - a }'; }

it_workdir() {
	mkdir -p "$IT_CACHE/tmp" || exit 1
	IT_WORK=$(mktemp -d "$IT_CACHE/tmp/$1.XXXXXX") || exit 1
}

it_finish() {
	echo "$it_pass passed, $it_fail failed"
	if [ -n "$IT_WORK" ]; then
		if [ "$it_fail" = 0 ] && [ "${IT_KEEP:-0}" != 1 ]; then
			rm -rf "$IT_WORK"
		else
			echo "work directory kept: $IT_WORK"
		fi
	fi
	[ "$it_fail" = 0 ]
	exit
}

it_need_root() {
	[ "$(id -u)" = 0 ] || { echo "FAIL: these tests need root (mount namespaces, chroot)"; exit 1; }
}

# it_private_root DIR CMD...
it_private_root() {
	local dir=$1
	shift
	mkdir -p "$dir" || return 1
	unshare -m --propagation private /bin/bash -c '
		set -e
		d=$1
		shift
		mount -t tmpfs -o mode=0755 it-private "$d"
		for m in usr etc boot; do
			mkdir -p "$d/$m.upper" "$d/$m.work"
			mount -t overlay "it-$m" \
				-o "lowerdir=/$m,upperdir=$d/$m.upper,workdir=$d/$m.work" "/$m"
		done
		set +e
		"$@"
	' it-private-root "$dir" "$@"
}

it_host_paths() {
	local p
	for p in /usr/sbin/railup /etc/railup.conf /usr/lib/initcpio /usr/share/initramfs-tools/hooks/railup \
		/usr/share/initramfs-tools/scripts/init-premount/railup /usr/lib/systemd/system/railup-initrd.service \
		/usr/lib/railup /lib/modules /boot; do
		if [ -e "$p" ]; then stat -c '%n %Y %s' "$p"; else echo "$p absent"; fi
	done
	ls /boot 2>/dev/null
}

it_install() {
	make -s -C "$IT_REPO" -o early/railup install DESTDIR= PREFIX=/usr >"$IT_CACHE/tmp/install.$$.log" 2>&1 || {
		echo "FAIL: make install"
		sed 's/^/    | /' "$IT_CACHE/tmp/install.$$.log" | tail -n 20
		rm -f "$IT_CACHE/tmp/install.$$.log"
		return 1
	}
	rm -f "$IT_CACHE/tmp/install.$$.log"
	echo "ok: make install into the private overlays"
}

it_mini_root() {
	local r=$1 bb l
	bb=$(command -v busybox) || { echo "FAIL: busybox not found" >&2; return 1; }
	# usr-merged as mkinitcpio lays it out: /bin, /sbin, /usr/sbin -> /usr/bin
	mkdir -p "$r"/{usr/bin,usr/lib,run,proc,dev,etc,tmp,fake} || return 1
	ln -s usr/lib "$r/lib"
	ln -s usr/bin "$r/bin"
	ln -s usr/bin "$r/sbin"
	ln -s bin "$r/usr/sbin"
	cp "$bb" "$r/usr/bin/busybox" || return 1
	for l in $("$bb" --list); do
		case $l in reboot | halt | poweroff | init | linuxrc | busybox) continue ;; esac
		ln -s busybox "$r/usr/bin/$l"
	done
	: >"$r/proc/cmdline"
	: >"$r/fake/events"
}

it_fake_railup() {
	cat >"$1" <<'EOF'
#!/bin/sh
# fake railup for the hook tests: does what /fake/railup.env says
echo "railup $*" >>/fake/events
FAKE_RC=0 FAKE_STATE=1 FAKE_RESULT=ok FAKE_POLICY=continue FAKE_RAILS=
[ -r /fake/railup.env ] && . /fake/railup.env
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
if [ "$FAKE_STATE" = 1 ]; then
	mkdir -p /run/railup
	{
		echo "# railup boot result; sourceable by sh"
		echo "RAILUP_RESULT=$(q "$FAKE_RESULT")"
		echo "RAILUP_POLICY=$(q "$FAKE_POLICY")"
		echo "RAILUP_TIME=1"
		n=0 v=0 f=0
		while IFS='|' read -r name phase req stage err; do
			[ -n "$name" ] || continue
			[ "$phase" = verified ] && v=$((v + 1))
			[ "$phase" = failed ] && f=$((f + 1))
			echo "RAIL${n}_NAME=$(q "$name")"
			echo "RAIL${n}_PHASE=$(q "$phase")"
			echo "RAIL${n}_REQUIRED=$(q "$req")"
			echo "RAIL${n}_STAGE=$(q "$stage")"
			echo "RAIL${n}_ERROR=$(q "$err")"
			n=$((n + 1))
		done <<RAILS
$FAKE_RAILS
RAILS
		echo "RAILUP_RAILS=$n"
		echo "RAILUP_VERIFIED=$v"
		echo "RAILUP_FAILED=$f"
	} >/run/railup/state
fi
echo "railup: fake boot: $FAKE_RESULT" >&2
exit "$FAKE_RC"
EOF
	chmod 755 "$1"
}

# The policy scenarios both generators' runtime scripts must honour (the
# decisions of libexec/railup-policy should-halt, which the systemd units use).
# Fields: name|rc|write state|result|state policy|cmdline|conf|railup present|
#         expect: stop (1: shell/panic) | loud (1: the BOOT PROBLEM banner)
# FAKE_RAILS for every scenario: one verified rail, one failed required
# rail whose error text holds shell syntax that must never run.
IT_SCENARIOS='ok|0|1|ok|continue|||1|0|0
ok, policy halt|0|1|ok|halt|rd.rail.policy=halt||1|0|0
disabled|0|1|disabled|continue|rd.rail=0||1|0|0
degraded, policy halt|0|1|degraded|halt|||1|0|0
failed, policy continue|1|1|failed|continue|||1|0|1
failed, policy halt|1|1|failed|halt|rd.rail.policy=halt||1|1|1
failed: the state'"'"'s policy rules over the map|1|1|failed|continue|rd.rail.policy=halt||1|0|1
invalid map, rd.rail.policy=halt on the cmdline|2|1|invalid|continue|rd.rail=x rd.rail.policy=halt||1|1|1
invalid map, an invalid policy after halt: the last valid wins|2|1|invalid|continue|rd.rail.policy=halt rd.rail.policy=hlt||1|1|1
invalid map, no policy anywhere|2|1|invalid|continue|rd.rail=x||1|0|1
railup killed, no state, conf says halt (quoted)|137|0||||"rd.rail.policy=halt"|1|1|1
no state, conf says halt, cmdline says continue|137|0|||rd.rail.policy=continue|rd.rail.policy=halt # a comment|1|0|1
conf policy only in a comment|137|0||||# rd.rail.policy=halt|1|0|1
railup missing from the image, cmdline halt|0|0||| quiet rd.rail.policy="halt"||0|1|1
exit 1 but the state says ok: the state rules|1|1|ok|halt|||1|0|0'
IT_FAKE_RAILS='r0|verified|1||
r1|failed|1|wait|no interface with MAC 52:54:00:00:00:09 '"'"'$(touch /fake/INJECTED)'"'"' `touch /fake/INJECTED`
r2|failed|0|verify|RDMA CM: timed out'

# it_scenarios RUN: for each scenario, set up $SC_ROOT (a fresh mini root
# from the template $SC_TEMPLATE), write /fake/railup.env, /proc/cmdline and
# /etc/railup.conf, remove railup when absent, call "RUN" (which must leave
# the console output in $SC_ROOT/fake/out and the events in
# $SC_ROOT/fake/events) and check the outcome. All events, each line
# prefixed with "scenario: ", go to $SC_ROOT.events. With $SC_POLICY_TOOL
# (libexec/railup-policy), also checks that its should-halt agrees.
it_scenarios() {
	local run=$1 name rc st result pol cmd conf present stop loud out ev
	while IFS='|' read -r name rc st result pol cmd conf present stop loud; do
		[ -n "$name" ] || continue
		rm -rf "$SC_ROOT"
		cp -a "$SC_TEMPLATE" "$SC_ROOT" || return 1
		{
			echo "FAKE_RC=$rc FAKE_STATE=$st FAKE_RESULT=$result FAKE_POLICY=$pol"
			printf "FAKE_RAILS='%s'\n" "$(printf '%s' "$IT_FAKE_RAILS" | sed "s/'/'\\\\''/g")"
		} >"$SC_ROOT/fake/railup.env"
		printf '%s\n' "$cmd" >"$SC_ROOT/proc/cmdline"
		[ -n "$conf" ] && printf 'rd.rail=ib0:10.0.1.14/24\n%s\n' "$conf" >"$SC_ROOT/etc/railup.conf"
		[ "$present" = 1 ] || rm -f "$SC_ROOT"/usr/bin/railup "$SC_ROOT"/usr/sbin/railup
		"$run"
		out=$SC_ROOT/fake/out ev=$SC_ROOT/fake/events
		sed "s/^/$name: /" "$ev" >>"$SC_ROOT.events"
		it_has "[$name] the boot goes on to the root mount" "$ev" '^mount-root$'
		if [ "$present" = 1 ]; then
			it_has "[$name] railup boot ran" "$ev" '^railup boot$'
		fi
		if [ -n "${SC_POLICY_TOOL:-}" ]; then
			# the systemd units' decision on the same state and map
			cp "$SC_POLICY_TOOL" "$SC_ROOT/fake/railup-policy"
			env -i PATH=/usr/bin "$(command -v chroot)" "$SC_ROOT" /bin/sh /fake/railup-policy \
				should-halt >/dev/null 2>&1
			it_check "[$name] railup-policy should-halt agrees (stop=$stop)" test "$?" = $((1 - stop))
		fi
		if [ "$stop" = 1 ]; then
			it_check "[$name] the boot stops (shell) before the root mount" \
				awk '/^(shell|panic)/ { s = NR } /^mount-root$/ { m = NR } END { exit !(s && s < m) }' "$ev"
			it_has "[$name] says the policy is halt" "$out" '^railup: rd\.rail\.policy=halt'
		else
			it_lacks "[$name] no shell" "$ev" '^(shell|panic)'
		fi
		if [ "$loud" = 1 ]; then
			it_has "[$name] loud message" "$out" '^railup: BOOT PROBLEM: '
			[ "$stop" = 1 ] ||
				it_has "[$name] says the boot goes on" "$out" '^railup: rd\.rail\.policy=continue: the boot goes on WITHOUT'
			if [ "$st" = 1 ] && [ "$result" = failed ]; then
				it_has "[$name] names the failed rail with its error" "$out" \
					'^railup: +r1: wait: no interface with MAC 52:54:00:00:00:09 '
				it_has "[$name] marks a failed optional rail" "$out" '^railup: +r2 \(not required\): verify: '
				it_lacks "[$name] the state's error text never ran" "$ev" INJECTED
				it_check "[$name] no injected file" test ! -e "$SC_ROOT/fake/INJECTED"
			fi
			if [ "$present" = 0 ]; then
				it_has "[$name] says railup is missing" "$out" 'railup binary is not in the initramfs'
			fi
		else
			it_lacks "[$name] no loud message" "$out" 'BOOT PROBLEM'
		fi
		if [ "$result" = degraded ]; then
			it_has "[$name] warns about the optional rail" "$out" '^railup: +r2 \(not required\): verify: '
		fi
	done <<<"$IT_SCENARIOS"
}
