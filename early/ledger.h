/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What railup owns that cannot carry its protocol number: the addresses it
 * added, and the sysctl values and MTUs it changed with their values from
 * before.
 * Kept as lines in <rundir>/owned, so that a changed map or `railup down`
 * can undo exactly those and nothing else. Entries are keyed by ifindex,
 * which udev's renames do not change (the file lives in /run: one boot).
 */
#ifndef RAILUP_LEDGER_H
#define RAILUP_LEDGER_H

#include <net/if.h>
#include <stdint.h>

#include "addr.h"

enum owned_kind { OWN_ADDR, OWN_SYSCTL, OWN_MTU };

struct owned {
	uint8_t kind;
	uint8_t key;	       /* enum sysctl_key, for OWN_SYSCTL */
	int32_t orig;	       /* the value before railup: OWN_SYSCTL's, OWN_MTU's */
	int ifindex;	       /* 0 for conf/all */
	char ifname[IFNAMSIZ]; /* its name when last seen; "all" for conf/all */
	struct ipaddr a;       /* for OWN_ADDR */
};

/* A missing file is an empty ledger; unreadable lines are dropped. */
int ledger_read(const char *dir, struct owned **v, unsigned *n);
/* Replaces the file atomically. */
int ledger_write(const char *dir, const struct owned *v, unsigned n);
/* Orders entries for ledger_find(); ledger_read() returns them sorted. */
void ledger_sort(struct owned *v, unsigned n);
/* That order: <0, 0 (the same entry) or >0. */
int ledger_cmp(const struct owned *a, const struct owned *b);
/* The first entry of (kind, ifindex) in a sorted ledger (the rest follow), or NULL. */
const struct owned *ledger_first(const struct owned *v, unsigned n, uint8_t kind, int ifindex);
/* The entry for (kind, ifindex, key or address) in a sorted ledger, or NULL. */
const struct owned *ledger_find(const struct owned *v, unsigned n, const struct owned *like);

#endif
