#!/usr/bin/env bash
# tests/initramfs/mkinitcpio.sh - the mkinitcpio hooks (mkinitcpio/install/railup,
# mkinitcpio/hooks/railup) against a stand-in for mkinitcpio's hook API
# (lib-mkinitcpio.sh: mkinitcpio is not packaged for Debian).
#
# Build time, in a private mount namespace where /usr and /etc are throwaway
# overlays, so railup, /etc/railup.conf and the systemd unit sit where
# "make install" puts them (the host never changes); modules come from
# Debian's kernel (tests/vm/lib.sh vm_kernel):
#   busybox mode: /usr/sbin/railup (the static binary), the RDMA modules and
#     their dependencies, the rd.rail.modules= of /etc/railup.conf (optional),
#     /etc/railup.conf, /hooks/railup registered as a run_hook; no errors.
#   a kernel without the optional modules: no errors; without rdma_ucm: an
#     error; no railup binary: an error.
#   systemd mode (systemd before railup in HOOKS, and after it): the unit
#     railup-initrd.service and its symlink in the .wants directory its
#     [Install] section names, no runtime hook. The unit comes from
#     conf/systemd/ when it is in the tree, else a stand-in (said so).
# Run time, in a chroot holding busybox, a stand-in for mkinitcpio's
# init_functions and a fake railup: hooks/railup sourced by busybox ash as
# /init does, run_hook per policy scenario (lib.sh): halt reaches
# launch_interactive_shell before the root mount, continue goes on with a
# loud message. Plus "busybox ash -n" and "bash -n" syntax checks.
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/initramfs/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/vm/lib.sh
. "$IT_REPO/tests/vm/lib.sh"

it_need_root
t0=$(it_now)
it_workdir mkinitcpio
install_hook=$IT_REPO/mkinitcpio/install/railup
run_hook=$IT_REPO/mkinitcpio/hooks/railup
unit_name=railup-initrd.service

# --- syntax -------------------------------------------------------------------
it_check "busybox ash -n mkinitcpio/hooks/railup" busybox ash -n "$run_hook"
it_check "bash -n mkinitcpio/install/railup" bash -n "$install_hook"
it_check "the install hook references $unit_name" grep -q "$unit_name" "$install_hook"

# --- build time ---------------------------------------------------------------
[ -x "$IT_REPO/early/railup" ] || make -s -C "$IT_REPO" early/railup >/dev/null ||
	{ it_bad "make early/railup failed"; it_finish; }
vm_kernel || { it_bad "vm_kernel failed"; it_finish; }
it_ok "Debian kernel $VM_KVER for module data"

unit_src=$IT_REPO/conf/systemd/$unit_name
if [ -f "$unit_src" ]; then
	it_ok "conf/systemd/$unit_name is in the tree"
else
	it_bad "conf/systemd/$unit_name is not in the tree (the install hook names it)"
fi

# The build side runs in a private namespace where "make install" went into
# throwaway overlays; it prints "ok:"/"FAIL:" lines, counted here.
before=$(it_host_paths)
cat >"$IT_WORK/build.sh" <<'EOF_BUILD'
# (no set -u: mkinitcpio runs hooks without it)
. "$IT_DIR/lib.sh"
. "$IT_DIR/lib-mkinitcpio.sh"
it_install || exit 1
KERNELVERSION=$VM_KVER _optmoduleroot=$VM_KROOT
harness_standins "$STANDINS"
_d_hooks=/usr/lib/initcpio/hooks _d_install=$STANDINS:/usr/lib/initcpio/install
root=$IT_WORK/root
unitdir=/usr/lib/systemd/system
printf '%s\n' '# test map' 'rd.rail=ib0:10.0.1.14/24 # a rail' \
	'rd.rail.modules=mlx4_ib,railup_no_such_module "rd.rail.timeout=5"' \
	'#rd.rail.modules=bonding' >/etc/railup.conf

mods_of() { local p; for p in "${!_modpaths[@]}"; do p=${p##*/} p=${p%.ko*}; echo "${p//-/_}"; done | sort; }
run() { harness_build "$@" >"$IT_WORK/build.log" 2>&1; }

# 1. busybox mode
harness_buildroot "$root"
run base udev railup
it_check "busybox mode: no build errors" test "$_builderrors" = 0
it_check "/usr/sbin/railup is the static railup" cmp -s "$root/usr/sbin/railup" "$IT_REPO/early/railup"
it_check "railup is executable in the image" test -x "$root/usr/bin/railup"
it_check "/etc/railup.conf added" cmp -s "$root/etc/railup.conf" /etc/railup.conf
it_check "/hooks/railup added, mode 755" test "$(stat -c %a "$root/hooks/railup" 2>/dev/null)" = 755
it_check "/hooks/railup is mkinitcpio/hooks/railup" cmp -s "$root/hooks/railup" "$IT_REPO/mkinitcpio/hooks/railup"
it_check "railup registered as a run_hook (pre-mount)" test "${_runhooks[hooks]:-}" = " railup"
it_check "no late hook" test -z "${_runhooks[late]:-}"
mods=$(mods_of)
for m in mlx5_core mlx5_ib ib_ipoib rdma_ucm rdma_rxe crc32_generic crc32_pclmul \
	rdma_cm ib_core ib_uverbs ib_cm udp_tunnel ip6_udp_tunnel mlx4_ib mlx4_core; do
	it_check "module $m added" grep -qx "$m" <<<"$mods"
done
it_check "the conf's commented-out module is not added" bash -c '! grep -qx bonding <<<"$1"' _ "$mods"
it_check "no systemd unit in busybox mode" test ! -e "$root$unitdir/$UNIT_NAME"
it_check "help() says what the hook does" \
	bash -c '. /usr/lib/initcpio/install/railup; help | grep -q "rd.rail.policy=halt"'

# 2. a kernel without the optional modules
harness_buildroot "$root"
HARNESS_MISSING_MODULES="mlx5_core mlx5_ib ib_ipoib rdma_rxe crc32_generic crc32_pclmul mlx4_ib" run base railup
it_check "optional modules missing: no build errors" test "$_builderrors" = 0
it_check "optional modules missing: rdma_ucm still added" grep -qx rdma_ucm <<<"$(mods_of)"
harness_buildroot "$root"
HARNESS_MISSING_MODULES="rdma_ucm" run base railup
it_check "rdma_ucm missing: a build error" test "$_builderrors" -gt 0
it_check "rdma_ucm missing: mkinitcpio's message" grep -q "module not found: 'rdma_ucm'" "$IT_WORK/build.log"

# 3. systemd mode: systemd before railup in HOOKS, and after it.
# The .wants/.requires directories the unit's [Install] section names:
want_dirs=$(awk '/^\[/ { s = $0; next } s == "[Install]" && /^(WantedBy|RequiredBy)=/ {
	k = $0; sub(/=.*/, "", k); v = $0; sub(/^[^=]*=/, "", v)
	n = split(v, a, " "); for (i = 1; i <= n; i++) print a[i] (k == "WantedBy" ? ".wants" : ".requires") }' \
	"$unitdir/$UNIT_NAME")
it_check "the unit names where it is wanted ([Install])" test -n "$want_dirs"
# what the unit needs: its OnFailure=/Requires= units and what they run
needs=$(awk -F= '/^(OnFailure|Requires)=/ { n = split($2, a, " "); for (i = 1; i <= n; i++) print a[i] }' \
	"$unitdir/$UNIT_NAME")
for order in "base systemd railup" "base railup systemd"; do
	harness_buildroot "$root"
	# shellcheck disable=SC2086
	run $order
	it_check "[$order] no build errors" test "$_builderrors" = 0
	it_check "[$order] the unit is in the image" cmp -s "$root$unitdir/$UNIT_NAME" "$unitdir/$UNIT_NAME"
	for d in $want_dirs; do
		l=$root$unitdir/$d/$UNIT_NAME
		it_check "[$order] enabled: $d/$UNIT_NAME is a symlink" test -L "$l"
		it_check "[$order] $d/$UNIT_NAME points to the unit in the image" \
			test "$(readlink "$l")" = "$unitdir/$UNIT_NAME" -a -f "$root$unitdir/$UNIT_NAME"
	done
	for u in $needs; do
		it_check "[$order] $u (needed by the unit) is in the image" test -f "$root$unitdir/$u"
		for x in $(sed -n 's/^Exec[A-Za-z]*=[-@!:+]*\(\/[^ ]*\).*/\1/p' "$unitdir/$u"); do
			it_check "[$order] $x (run by $u) is in the image" test -x "$root$x"
		done
	done
	it_check "[$order] no runtime hook in systemd mode" test ! -e "$root/hooks/railup"
	it_check "[$order] no run_hook registered" test -z "${_runhooks[hooks]:-}"
	it_check "[$order] railup binary present" cmp -s "$root/usr/sbin/railup" "$IT_REPO/early/railup"
	it_check "[$order] conf present" test -f "$root/etc/railup.conf"
done

# 4. no railup binary on the node
rm -f /usr/sbin/railup
harness_buildroot "$root"
PATH=/usr/bin:/bin run base railup
it_check "no railup binary: a build error" test "$_builderrors" -gt 0
it_check "no railup binary: mkinitcpio's message" grep -q "file not found: '/usr/sbin/railup'" "$IT_WORK/build.log"
EOF_BUILD
IT_DIR=$IT_DIR IT_REPO=$IT_REPO IT_CACHE=$IT_CACHE IT_WORK=$IT_WORK VM_KVER=$VM_KVER VM_KROOT=$VM_KROOT \
	UNIT_NAME=$unit_name STANDINS=$IT_WORK/standins \
	it_private_root "$IT_WORK/ns" bash "$IT_WORK/build.sh" >"$IT_WORK/build.out" 2>&1
while IFS= read -r line; do
	case $line in
	"ok: "*) it_ok "build: ${line#ok: }" ;;
	"FAIL: "*) it_bad "build: ${line#FAIL: }" ;;
	*) echo "  $line" ;;
	esac
done <"$IT_WORK/build.out"
it_check "the build side ran all its checks" test "$(grep -c '^ok: \|^FAIL: ' "$IT_WORK/build.out")" -ge 50
it_check "the host's /usr and /etc are as they were" test "$before" = "$(it_host_paths)"

# --- run time -----------------------------------------------------------------
# A chroot with busybox, the hook at /hooks/railup, a fake railup on PATH
# and a stand-in for mkinitcpio's init_functions: msg/err as mkinitcpio
# prints them, launch_interactive_shell and run_hookfunctions recording
# what happens. /init's part: source the functions, run the hook as
# run_hookfunctions does, then "mount the root".
SC_TEMPLATE=$IT_WORK/template SC_ROOT=$IT_WORK/sc
it_mini_root "$SC_TEMPLATE" || { it_bad "mini root"; it_finish; }
mkdir -p "$SC_TEMPLATE/hooks"
install -m755 "$run_hook" "$SC_TEMPLATE/hooks/railup"
it_fake_railup "$SC_TEMPLATE/usr/bin/railup"
cat >"$SC_TEMPLATE/init_functions" <<'EOF'
# stand-in for mkinitcpio's init_functions (the helpers hooks may call)
msg() { [ "${quiet:-}" != y ] && echo "$@"; }
err() { echo "ERROR: $*"; }
launch_interactive_shell() { echo shell >>/fake/events; echo "[stand-in emergency shell]"; }
run_hookfunctions() {
	local hook fn="$1" desc="$2"
	shift 2
	for hook in "$@"; do
		[ -x "/hooks/$hook" ] || continue
		unset "$fn"
		. "/hooks/$hook"
		type "$fn" >/dev/null || continue
		msg ":: running $desc [$hook]"
		"$fn"
	done
}
EOF
cat >"$SC_TEMPLATE/init" <<'EOF'
export PATH='/usr/local/sbin:/usr/local/bin:/usr/bin'
. /init_functions
EMERGENCYHOOKS=
run_hookfunctions 'run_hook' 'hook' railup
echo "mount-root" >>/fake/events
echo ":: mounting root"
EOF
sc_run() {
	env -i HOME=/ TERM=dumb "$(command -v chroot)" "$SC_ROOT" /bin/busybox ash /init >"$SC_ROOT/fake/out" 2>&1
	echo "init-rc=$?" >>"$SC_ROOT/fake/events"
}
it_scenarios sc_run
it_has "the last scenario's /init ran to its end" "$SC_ROOT/fake/events" '^init-rc=0$'

echo "total $(it_since "$t0")s"
it_finish
