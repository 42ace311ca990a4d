/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Planning, pure: the rail map and the observed state in, the list of
 * changes out (and the problems that keep a rail from being configured).
 * Nothing here talks to the kernel; apply.h carries a plan out.
 */
#ifndef RAILUP_PLAN_H
#define RAILUP_PLAN_H

#include <stdbool.h>
#include <stdio.h>

#include "rail.h"
#include "rtnl.h"

/* In the order apply carries them out. */
enum change_op {
	CH_MTU, /* before the link comes up with the old one */
	CH_LINK_UP,
	CH_ADDR_DEL, /* before the add: deleting a primary takes its secondaries along */
	CH_ADDR_ADD,
	CH_SYSCTL, /* net.ipv{4,6}.conf.<ifname>.<key>, through /proc/sys */
	CH_RULE_DEL,
	CH_ROUTE_ADD,
	CH_ROUTE_REPLACE,
	CH_RULE_ADD,
	CH_ROUTE_DEL,
	CH_FORGET, /* a ledger entry whose object is gone: no kernel change */
	CH_COUNT
};

struct change {
	uint8_t op;
	int rail; /* index in the map; -1 when it belongs to no rail */
	char ifname[IFNAMSIZ];
	int ifindex; /* CH_MTU, CH_LINK_UP, CH_SYSCTL (0: conf/all) */
	union {
		uint32_t mtu;
		struct route route;
		struct rule rule;
		struct laddr addr;
		struct {
			uint8_t key;
			int8_t value;
		} sysctl;	    /* net.ipv{4,6}.conf.<ifname>.<key> */
		struct owned entry; /* CH_FORGET */
	};
	/* The ledger on success: record the object (with orig, a value's before), or forget it. */
	bool record, forget;
	int32_t orig;
};

struct problem {
	int rail;   /* -1: the map as a whole */
	bool fatal; /* the rail is left unconfigured */
	bool later; /* and that is no error: its netdev is not ready for it yet */
	char msg[240];
};

struct plan {
	struct change *ch;
	unsigned n, cap;
	struct problem *pb;
	unsigned npb, pbcap;
};

/*
 * What applying the map changes, in apply's order (enum change_op; the rules
 * to add highest priority first). rails flags the rails to plan (NULL: all);
 * globals adds conf/all and what belongs to no rail of the map (stale
 * routes, rules, addresses and values railup made before).
 */
void plan_up(const struct railmap *m, const struct observed *o, const uint8_t *rails, bool globals,
	     struct plan *p);
/* Drops every change but those of the ops in ops, a bit (1u << op) each. */
void plan_keep(struct plan *p, unsigned ops);
/* A rail's interface values: what boot writes before it brings the link up. */
#define PLAN_VALUES ((1u << CH_MTU) | (1u << CH_SYSCTL))
/* Everything railup owns, undone. */
void plan_down(const struct observed *o, struct plan *p);
/*
 * A rail's own objects: its rule, and its table's routes (the subnet's with
 * the rail's address as source, and the way to its gateway).
 */
struct rule plan_rail_rule(const struct rail *r);
unsigned plan_rail_routes(const struct rail *r, int ifindex, struct route out[2]);

/* The smallest value of key k any IPv4 rail asks for (SC_UNSET: none asks): conf/all's ceiling. */
int plan_min_ask(const struct railmap *m, enum sysctl_key k);

/* As ip(8) and sysctl(8) command lines an operator could paste. */
void plan_print(FILE *f, const struct plan *p);
/* One change as plan_print() writes it, on one line. */
void change_describe(const struct change *c, char *buf, size_t n);
void plan_free(struct plan *p);

#endif
