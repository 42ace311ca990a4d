/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-interface IPv4 settings railup manages (net.ipv4.conf.*): how the
 * kernel combines an interface's value with conf/all, what conf/all must be
 * for every rail's value to take effect, and reading and writing /proc/sys.
 * Observing reads per-interface values from the link dump (rtnl.h); every
 * change is written here.
 */
#ifndef RAILUP_SYSCTL_H
#define RAILUP_SYSCTL_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "rail.h"

/* How the kernel combines conf/all with an interface's own value. */
enum combine {
	COMBINE_MAX,	 /* the larger: rp_filter, arp_ignore, arp_announce */
	COMBINE_OR,	 /* either: arp_filter, accept_local */
	COMBINE_ALL_SET, /* all's when not 0, else the interface's: keep_addr_on_down */
	COMBINE_DEV,	 /* the interface's alone: accept_ra */
};

struct sysctl_desc {
	const char *name;
	uint8_t family;	  /* AF_INET: net.ipv4, AF_INET6: net.ipv6 */
	uint8_t combine;  /* enum combine */
	unsigned devconf; /* IPV4_DEVCONF_* (from 1), or DEVCONF_* (from 0) for IPv6 */
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

/*
 * net.ipv{4,6}.conf.<dev>.<key> as sysctl(8) and sysctl.d take it: with
 * slashes when dev has a dot (ib0.8001), else it would split there.
 */
#define SYSCTL_NAME_MAX (IFNAMSIZ + 40)
const char *sysctl_name(char buf[SYSCTL_NAME_MAX], const char *dev, enum sysctl_key k);

/* net.ipv{4,6}.conf.<dev>.<key> through /proc/sys; -1 (errno set) on failure. */
int sysctl_read(const char *dev, enum sysctl_key k);
int sysctl_write(const char *dev, enum sysctl_key k, int value);

/* The kernel's IPv4 reverse-path-filter drop counter (TcpExt IPReversePathFilter). */
long long sysctl_rpfilter_drops(void);

/*
 * The values railup owns, as a sysctl.d drop-in: udev runs systemd-sysctl
 * for every netdev added (the real root's coldplug replays that for every
 * rail the initramfs configured), and it would write a sysctl.d glob's value
 * (a hardened image's net.ipv4.conf.*.rp_filter = 1) over a rail's. An
 * explicit key beats a glob there, and this file sorts after the others.
 */
struct sysctl_value {
	const char *dev; /* "all" for conf/all */
	uint8_t key;	 /* enum sysctl_key */
	int8_t value;
};

#define SYSCTL_DROPIN "99-zzz-railup.conf"
/* /run/sysctl.d; <rundir>/sysctl.d with another run directory (main.c). */
extern const char *sysctl_dropin_dir;

struct text;
/* One "<sysctl_name()> = <value>" line a value. */
void sysctl_dropin_text(struct text *t, const struct sysctl_value *v, unsigned n);
/* Puts the drop-in in place (none: removes it); an equal file is left alone. -1 (errno). */
int sysctl_dropin_write(const struct sysctl_value *v, unsigned n);

#endif
