/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What sysfs says of netdevs and RDMA devices: the device they hang off, its
 * PCI function and NUMA node, a netdev's port. The root is /sys, or a
 * fabricated tree for tests of hardware this machine does not have.
 */
#ifndef RAILUP_SYSFS_H
#define RAILUP_SYSFS_H

#include <limits.h>
#include <stdbool.h>

extern const char *sysfs_root;

/* The device class/name hangs off (realpath of its "device" link). */
bool sysfs_parent(const char *class, const char *name, char out[PATH_MAX]);
/* The PCI function (dddd:bb:dd.f) at or above that device. */
bool sysfs_pci(const char *class, const char *name, char pci[16]);
/* An integer attribute of class/name (e.g. "dev_port", "device/numa_node"), or dflt. */
int sysfs_int(const char *class, const char *name, const char *attr, int dflt);

#endif
