/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-interface IPv4 settings railup manages (net.ipv4.conf.*): how the
 * kernel combines an interface's value with conf/all, what conf/all must be
 * for every rail's value to take effect, and reading and writing /proc/sys.
 * Per-interface values are written over rtnetlink (rtnl.h), batched.
 */
#ifndef RAILUP_SYSCTL_H
#define RAILUP_SYSCTL_H

#include <stdbool.h>

#include "rail.h"

struct sysctl_desc {
	const char *name;
	bool max;	 /* effective = max(all, dev); otherwise all OR dev */
	unsigned devconf; /* IPV4_DEVCONF_* */
	int maxval;
};
extern const struct sysctl_desc sysctl_desc[SC_COUNT];

/* What takes effect on an interface, as the kernel computes it. */
int sysctl_effective(enum sysctl_key k, int all, int dev);

/*
 * What conf/all must hold: the map's target (SC_UNSET: keep what is there),
 * lowered as far as needed for every rail's own value to take effect.
 * min_ask is the smallest value any rail asks for (SC_UNSET: none asks).
 */
int sysctl_all_target(enum sysctl_key k, int want, int observed, int min_ask);

/* net.ipv4.conf.<dev>.<key> through /proc/sys; -1 (errno set) on failure. */
int sysctl_read(const char *dev, enum sysctl_key k);
int sysctl_write(const char *dev, enum sysctl_key k, int value);

/* The kernel's IPv4 reverse-path-filter drop counter (TcpExt IPReversePathFilter). */
long long sysctl_rpfilter_drops(void);

#endif
