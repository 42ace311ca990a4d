#!/bin/bash
# dracut module "railup": per-rail routing, rules and ARP settings for
# multi-rail RDMA nodes, configured and verified before the root (local or
# network) is mounted. See railup(8).
#
# Without systemd in the image: a cmdline hook queues `railup boot` as a
# settled initqueue job (in the background) and an initqueue "finished"
# hook holds the main loop until railup is done or its deadline passed; a
# netroot hook waits for it before a network root is mounted; a pre-mount
# hook applies rd.rail.policy (halt: die). With systemd: railup-initrd.service
# (before sysroot.mount, dracut-pre-mount, remote-fs-pre.target), and
# railup-halt.service for the policy; the netroot hook waits for the unit.
#
# railup itself is found on PATH (make install puts it in /usr/sbin). The
# units, the networkd drop-in and railup-policy sit next to this file (make
# install copies them from the source tree).

# called by dracut
check() {
    require_binaries railup || return 1
    # A node with a rail map gets the module by default; otherwise only
    # when asked (add_dracutmodules+=" railup ", --add railup).
    [[ -e $dracutsysrootdir/etc/railup.conf ]] && return 0
    return 255
}

# called by dracut
depends() {
    return 0
}

# The modules `railup boot` loads: what the map names (rd.rail.modules=
# in /etc/railup.conf), the default set, and what Soft-RoCE needs. All of
# them whatever hostonly says: images are often built on hosts without
# RDMA hardware.
installkernel() {
    local _mods
    _mods=$(sed 's/#.*//' "$dracutsysrootdir/etc/railup.conf" 2> /dev/null \
        | tr -s ' \t' '\n\n' | sed -n 's/^rd\.rail\.modules=//p' | tr ',' ' ')
    # shellcheck disable=SC2086
    hostonly='' instmods mlx5_core mlx5_ib ib_ipoib ib_umad rdma_ucm rdma_rxe \
        crc32_generic crc32c_generic libcrc32c $_mods
}

# called by dracut
install() {
    local _railup
    _railup=$(command -v railup) || return 1
    inst_binary "$_railup" /usr/sbin/railup
    inst_script "$moddir/railup-policy" /usr/lib/railup/railup-policy
    inst_script "$moddir/railup-dracut.sh" /sbin/railup-dracut
    [[ -e $dracutsysrootdir/etc/railup.conf ]] && inst_simple /etc/railup.conf
    inst_multiple -o /etc/iproute2/rt_protos.d/railup.conf
    inst_multiple sed tr awk cat sleep mkdir mv kill
    inst_hook netroot 10 "$moddir/railup-netroot.sh"
    if dracut_module_included "systemd"; then
        inst_simple "$moddir/railup-initrd.service" "$systemdsystemunitdir/railup-initrd.service"
        inst_simple "$moddir/railup-halt.service" "$systemdsystemunitdir/railup-halt.service"
        $SYSTEMCTL -q --root "$initdir" enable railup-initrd.service
        # networkd in the image must not delete railup's rules and routes
        inst_simple "$moddir/networkd.conf" "$systemdutildir/networkd.conf.d/railup.conf"
    else
        inst_hook cmdline 90 "$moddir/railup-cmdline.sh"
        inst_hook pre-mount 10 "$moddir/railup-pre-mount.sh"
        dracut_need_initqueue
    fi
}
