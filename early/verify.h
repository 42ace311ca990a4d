/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Verifying a rail: its objects as the kernel holds them (link, address,
 * rule, table, effective sysctls), and the kernel's own routing decision
 * for traffic from the rail's address.
 */
#ifndef RAILUP_VERIFY_H
#define RAILUP_VERIFY_H

#include <stdbool.h>

#include "match.h"
#include "netlink.h"
#include "rail.h"
#include "rtnl.h"

struct rail_check {
	const struct link *link;
	struct ident id; /* its hardware, filled by the caller (match_ident) */
	bool addr, rule, table;
	uint8_t foreign; /* the protocol of a rule or route another owner made as railup would */
	unsigned routes_want, routes_have;
	/* ip route get <target> from <rail address> */
	struct ipaddr target;
	bool decided, decision_ok;
	int decision_err;
	struct route decision;
	char decision_dev[IFNAMSIZ];
	int8_t dev[SC_COUNT], eff[SC_COUNT]; /* SC_UNSET: unknown or not asked */
	bool sysctl_ok;
	bool ok;
	unsigned wrongs;	  /* how many things are wrong */
	char elsewhere[IFNAMSIZ]; /* another interface that has the rail's address */
	char why[200];		  /* the first thing wrong */
};

/* From what was observed alone: no kernel request. */
void verify_audit(const struct railmap *m, const struct observed *o, unsigned i,
		  struct rail_check *c);

/*
 * Where the kernel sends traffic from the rail's address: to its gateway, or
 * to another address of its subnet. Must leave by the rail's netdev, from
 * the rail's table.
 */
void verify_decision(struct nl *nl, const struct observed *o, const struct rail *r,
		     struct rail_check *c);

/* An address of the rail's network to ask about: its gateway, else a neighbour. */
bool verify_target(const struct rail *r, struct ipaddr *t);

struct rdma_port;

/*
 * Verifies a configured rail, moving it to VERIFIED or failing it at stage
 * "verify": the routing decision as above, the same with oif = the rail and
 * RTM_F_FIB_MATCH (as RDMA CM checks a request on the server side), then,
 * unless the rail says verify=0, RDMA: its address binds to the RDMA device
 * and port behind its netdev (or named by ibdev=), resolves to its gateway
 * when it has one, and completes a CM handshake with itself, retried until
 * the map's verify_timeout. Then, with pmtu=, the fabric carries the
 * netdev's MTU (pmtu.h), within another verify_timeout.
 */
void verify_rail(struct nl *nl, const struct observed *o, const struct rdma_port *ports,
		 unsigned nports, const struct railmap *m, struct rail *r);

#endif
