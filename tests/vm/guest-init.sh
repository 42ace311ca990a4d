#!/bin/sh
# /init for railup VM tests (busybox sh, PID 1).
#
# Mounts proc, sys, devtmpfs (+devpts), /run; brings up lo; runs the test
# body /vm/test.sh in a subshell with the helpers of /vm/guest.sh loaded;
# prints "VM-RESULT rc=N" on the console and powers the VM off.
# rc is the body's exit status, or 1 if it exited 0 but a vm_check failed.
# Kernel command line words with '=' and no '.' arrive in the environment,
# the rest are in /proc/cmdline.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root

mount -t proc -o nosuid,nodev,noexec proc /proc
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mount -t devtmpfs -o mode=0755,nosuid devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620 devpts /dev/pts
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
[ -d /sys/kernel/config ] && mount -t configfs configfs /sys/kernel/config 2>/dev/null
# in case the image has no /dev/console node (built without root)
exec </dev/console >/dev/console 2>&1

ip link set lo up
hostname vm
echo "VM-BOOT kernel=$(uname -r) uptime=$(cut -d' ' -f1 /proc/uptime)"

rc=127
if [ -f /vm/test.sh ]; then
	(
		[ -f /vm/guest.sh ] && . /vm/guest.sh
		. /vm/test.sh
	)
	rc=$?
	if [ "$rc" = 0 ] && [ -s /run/vm-failures ]; then
		rc=1
	fi
else
	echo "VM-ERROR no /vm/test.sh in the initramfs"
fi

# keep kernel messages from splitting the marker line
echo 1 >/proc/sys/kernel/printk
sync
printf '\nVM-RESULT rc=%s\n' "$rc"
poweroff -f
sleep 10
