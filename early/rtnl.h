/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtnetlink objects: the links, addresses, routes and rules railup reads and
 * writes, their encoding and decoding, observing the kernel's state in one
 * dump per kind, and asking the kernel for a routing decision.
 */
#ifndef RAILUP_RTNL_H
#define RAILUP_RTNL_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "ledger.h"
#include "netlink.h"
#include "rail.h"

struct link {
	int ifindex;
	char name[IFNAMSIZ];
	unsigned flags; /* IFF_* */
	uint8_t operstate;
	uint8_t carrier;
	uint16_t type; /* ARPHRD_* */
	uint32_t mtu;
	uint8_t hwaddr[32], hwlen;
	int8_t conf[SC_COUNT]; /* the interface's own values; SC_UNSET unknown */
	uint8_t udev;	       /* udev.h's enum udev_state (udev_observe); 0: done */
};

struct laddr {
	int ifindex;
	struct ipaddr a;
	uint8_t proto;
	uint32_t flags; /* IFA_F_* */
};

struct route {
	uint32_t table, metric;
	struct ipaddr dst; /* with the prefix length */
	struct ipaddr gw, src;
	int oif;
	uint8_t protocol, scope, type;
	bool other; /* multipath, encap, ...: never railup's shape */
};

struct rule {
	uint8_t family, action, protocol;
	bool other; /* selectors railup never sets: iif, oif, fwmark, dst, tos, ... */
	uint32_t priority, table;
	struct ipaddr src; /* family 0: from all */
};

/* What railup sees of the kernel: the planner's input. */
struct observed {
	struct link *link; /* by name */
	unsigned nlink;
	unsigned *by_index; /* positions in link, by ifindex */
	struct laddr *addr;
	unsigned naddr;
	struct route *route; /* railup's anywhere; the rest of the rails' tables, their families' */
	unsigned nroute;
	struct rule *rule;
	unsigned nrule;
	int8_t all[SC_COUNT]; /* conf/all (IPv6's with an IPv6 rail); SC_UNSET unread */
	struct owned *owned;  /* the ledger (ledger.h) */
	unsigned nowned;
	bool owned_unsaved; /* changed by apply_plan() since apply_save() wrote it */
};

/*
 * Reads the kernel's state into o, keeping o->owned (the ledger, or none),
 * which says what else counts: addresses railup added of a family no rail
 * speaks now.
 */
int rtnl_observe(struct nl *nl, const struct railmap *m, struct observed *o);
/* The links alone, read anew (after missed events). */
int rtnl_observe_links(struct nl *nl, struct observed *o);
void observed_free(struct observed *o);
/* A link event: the link replaces the one with its index, in name order. */
void observed_link_update(struct observed *o, const struct link *l);
void observed_link_remove(struct observed *o, int ifindex);
/* A value railup wrote, of interface ifindex (0: conf/all): the next plan starts from it. */
void observed_conf_set(struct observed *o, int ifindex, enum sysctl_key k, int value);
/* An MTU railup set: likewise. */
void observed_mtu_set(struct observed *o, int ifindex, uint32_t mtu);

/*
 * Sorts what was observed for the lookups below (links by name, addresses
 * by address, routes by table/destination/metric, rules by priority), so a
 * map of thousands of rails is planned in n log n.
 */
void observed_index(struct observed *o);
const struct link *observed_link(const struct observed *o, const char *name);
const struct link *observed_link_by_index(const struct observed *o, int ifindex);
/* The first address equal to a (address only), or NULL; the rest follow it. */
const struct laddr *observed_addr(const struct observed *o, const struct ipaddr *a);
/* The first route with r's key (family, table, destination, metric), or NULL. */
const struct route *observed_route(const struct observed *o, const struct route *r);
/* The first rule at priority, or NULL; the others at it follow. */
const struct rule *observed_rules_at(const struct observed *o, uint32_t priority);
int route_key_cmp(const struct route *a, const struct route *b);
/* Whether the two carry the same next hop, source and scope: the same route to the kernel. */
bool route_equiv(const struct route *a, const struct route *b);
/* route_equiv, and both made by the same protocol. */
bool route_same(const struct route *a, const struct route *b);
/* Whether the rule is exactly railup's "from SRC lookup TABLE priority P". */
bool rule_same(const struct rule *a, const struct rule *b);

/* Decoders, one per kind; -1 for a message that is not a well-formed one. */
int rtnl_decode_link(const struct nlmsghdr *h, struct link *l);
int rtnl_decode_addr(const struct nlmsghdr *h, struct laddr *a);
int rtnl_decode_route(const struct nlmsghdr *h, struct route *r);
int rtnl_decode_rule(const struct nlmsghdr *h, struct rule *r);

/* Encoders: one message each, appended to b. */
void rtnl_put_route(struct nlbuf *b, uint16_t type, uint16_t flags, const struct route *r);
void rtnl_put_rule(struct nlbuf *b, uint16_t type, uint16_t flags, const struct rule *r);
void rtnl_put_addr(struct nlbuf *b, uint16_t type, const struct laddr *a);
void rtnl_put_link_up(struct nlbuf *b, int ifindex);
void rtnl_put_link_mtu(struct nlbuf *b, int ifindex, uint32_t mtu);

/*
 * The kernel's routing decision for dst from src (ip route get DST from SRC
 * [oif DEV] [fibmatch]): out gets the route, its table and its oif. Returns
 * 0 or -errno with the kernel's message in err.
 */
int rtnl_route_get(struct nl *nl, const struct ipaddr *dst, const struct ipaddr *src, int oif,
		   bool fibmatch, struct route *out, char *err, size_t errlen);

#endif
