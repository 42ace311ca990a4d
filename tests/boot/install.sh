#!/usr/bin/env bash
# tests/boot/install.sh - make install into DESTDIR trees: the files, their
# modes, the units following SBINDIR and LIBDIR, /etc under DESTDIR whatever
# PREFIX says, the mkinitcpio and initramfs-tools files that exist, and a
# second install over the first.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/checks.sh
. tests/checks.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# tree DIR: its files and links, "MODE PATH", sorted
tree() { (cd "$1" && find . ! -type d -printf '%m %P\n' | LC_ALL=C sort); }

# The files every install has, for PREFIX=/usr.
expected() {
	cat <<-'EOF2'
		644 etc/iproute2/rt_protos.d/railup.conf
		755 usr/lib/dracut/modules.d/90railup/module-setup.sh
		644 usr/lib/dracut/modules.d/90railup/networkd.conf
		755 usr/lib/dracut/modules.d/90railup/railup-cmdline.sh
		755 usr/lib/dracut/modules.d/90railup/railup-dracut.sh
		644 usr/lib/dracut/modules.d/90railup/railup-halt.service
		644 usr/lib/dracut/modules.d/90railup/railup-initrd.service
		755 usr/lib/dracut/modules.d/90railup/railup-netroot.sh
		755 usr/lib/dracut/modules.d/90railup/railup-policy
		755 usr/lib/dracut/modules.d/90railup/railup-pre-mount.sh
		755 usr/lib/railup/railup-policy
		644 usr/lib/systemd/networkd.conf.d/railup.conf
		644 usr/lib/systemd/system/railup-early.service
		644 usr/lib/systemd/system/railup-halt.service
		644 usr/lib/systemd/system/railup-initrd.service
		644 usr/lib/systemd/system/railup.service
		644 usr/lib/systemd/system/railup-watch.service
		755 usr/sbin/railup
		644 usr/share/doc/railup/NetworkManager-railup.conf
		644 usr/share/doc/railup/boot-integration.md
		644 usr/share/doc/railup/boot-complete-railup.conf
		644 usr/share/doc/railup/railup.conf.example
		644 usr/share/man/man8/railup.8
	EOF2
	# the other initramfs generators' files, as far as they exist
	for f in mkinitcpio/install/railup mkinitcpio/hooks/railup; do
		[ -e "$f" ] && echo "644 usr/lib/initcpio/${f#mkinitcpio/}"
	done
	for f in initramfs-tools/hooks/railup initramfs-tools/scripts/*/railup; do
		[ -e "$f" ] && echo "755 usr/share/initramfs-tools/${f#initramfs-tools/}"
	done
}

if make -s install DESTDIR="$work/a" >"$work/log" 2>&1; then
	ok "make install DESTDIR=..."
else
	bad "make install DESTDIR=... failed"
	cat "$work/log"
fi
if diff <(expected | LC_ALL=C sort -k2) <(tree "$work/a" | LC_ALL=C sort -k2) >"$work/diff"; then
	ok "PREFIX=/usr: the tree holds exactly the expected files, modes as expected ($(tree "$work/a" | wc -l) files)"
else
	bad "PREFIX=/usr: the tree differs (< expected, > installed):"
	cat "$work/diff"
fi
cmp -s early/railup "$work/a/usr/sbin/railup" && ok "usr/sbin/railup is early/railup" ||
	bad "usr/sbin/railup differs from early/railup"
for u in conf/systemd/*.service; do
	cmp -s "$u" "$work/a/usr/lib/systemd/system/${u##*/}" || bad "${u##*/} changed on the way"
done && ok "PREFIX=/usr: the units are installed as written"
cmp -s conf/networkd/railup.conf "$work/a/usr/lib/dracut/modules.d/90railup/networkd.conf" &&
	cmp -s conf/networkd/railup.conf "$work/a/usr/lib/systemd/networkd.conf.d/railup.conf" &&
	ok "the networkd drop-in, in networkd.conf.d and beside the dracut module" ||
	bad "the networkd drop-in differs from conf/networkd/railup.conf"
if make -s install DESTDIR="$work/a" >"$work/log" 2>&1 && [ "$(tree "$work/a" | wc -l)" = "$(expected | wc -l)" ]; then
	ok "a second install over the first works and adds nothing"
else
	bad "a second install failed or changed the tree"
	cat "$work/log"
fi

# PREFIX=/usr/local: everything moves but /etc, and the units follow
if make -s install DESTDIR="$work/b" PREFIX=/usr/local >"$work/log" 2>&1; then
	ok "make install PREFIX=/usr/local"
else
	bad "make install PREFIX=/usr/local failed"
	cat "$work/log"
fi
want=$(expected | sed 's| usr/| usr/local/|' | LC_ALL=C sort -k2)
if diff <(echo "$want") <(tree "$work/b" | LC_ALL=C sort -k2) >"$work/diff"; then
	ok "PREFIX=/usr/local: the same files under usr/local, etc/ under DESTDIR"
else
	bad "PREFIX=/usr/local: the tree differs:"
	cat "$work/diff"
fi
u=$work/b/usr/local/lib/systemd/system
if grep -qx 'ExecStart=/usr/local/sbin/railup boot' "$u/railup.service" &&
	grep -qx 'ExecStart=/usr/local/sbin/railup apply' "$u/railup-early.service" &&
	grep -qx 'ExecStart=/usr/local/sbin/railup boot' "$u/railup-initrd.service" &&
	grep -qx 'ExecCondition=/usr/local/lib/railup/railup-policy should-halt' "$u/railup-halt.service" &&
	! grep -q '/usr/sbin\|/usr/lib/railup' "$u"/*.service; then
	ok "PREFIX=/usr/local: the units run /usr/local/sbin/railup and /usr/local/lib/railup/railup-policy"
else
	bad "PREFIX=/usr/local: the units' paths:"
	grep -H '^Exec' "$u"/*.service
fi
# in an initramfs the paths are fixed: the module's copy names /usr/sbin
grep -qx 'ExecStart=/usr/sbin/railup boot' \
	"$work/b/usr/local/lib/dracut/modules.d/90railup/railup-initrd.service" &&
	ok "PREFIX=/usr/local: the dracut module's unit still names /usr/sbin/railup (its path in the image)" ||
	bad "PREFIX=/usr/local: the dracut module's unit was rewritten"

# SBINDIR and MANDIR on their own
if make -s install DESTDIR="$work/c" SBINDIR=/sbin MANDIR=/usr/man >"$work/log" 2>&1 &&
	[ -x "$work/c/sbin/railup" ] && [ -f "$work/c/usr/man/man8/railup.8" ] &&
	grep -qx 'ExecStart=/sbin/railup boot' "$work/c/usr/lib/systemd/system/railup.service"; then
	ok "SBINDIR=/sbin MANDIR=/usr/man are followed, by the units too"
else
	bad "SBINDIR=/sbin MANDIR=/usr/man"
	cat "$work/log"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
