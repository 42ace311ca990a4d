#!/vm/busybox sh
# /sbin/init of the busybox real root (tests/boot/lib.sh boot_root_busybox):
# dracut has switched root to it. Runs /vm/checks.sh with the helpers of
# /vm/guest.sh, prints "VM-RESULT rc=N" and powers off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:/vm/bin HOME=/root
# dracut moved /dev, /proc, /sys and /run here; mount them if it did not
[ -e /proc/self ] || mount -t proc proc /proc
[ -d /sys/class ] || mount -t sysfs sysfs /sys
[ -e /dev/null ] || mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
# kernel messages would split the check lines
echo 1 >/proc/sys/kernel/printk
(
	. /vm/guest.sh
	. /vm/checks.sh
)
rc=$?
[ "$rc" = 0 ] && [ -s /run/vm-failures ] && rc=1
echo "VM-RESULT rc=$rc"
poweroff -f
