/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finding each rail's netdev: by its name, or by hardware identity (MAC or
 * IPoIB port GUID, PCI function and port, InfiniBand GUID, RDMA device and
 * port), which stays stable where names do not (udev renames, IPoIB queue
 * pair numbers). Also what status shows of a netdev's hardware.
 */
#ifndef RAILUP_MATCH_H
#define RAILUP_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "rail.h"
#include "rdmanl.h"
#include "rtnl.h"

/* The identity as the map writes it (mac=..., pci=.../port), for messages and comments. */
void match_describe(const struct rail_match *id, char *buf, size_t len);

/*
 * Sets r->st.ifname when exactly one netdev has the rail's identity: 1.
 * None (yet): 0; more than one: -1. why says which, quoting the option.
 */
int match_rail(const struct rail *r, const struct observed *o, const struct rdma_port *ports,
	       unsigned nports, char ifname[IFNAMSIZ], char *why, size_t len);

/*
 * Every rail found by identity: matched, or failed at stage "match". One that
 * matches nothing is put in phase unmatched: RAIL_PENDING (it may yet
 * appear), RAIL_ABSENT (apply: left for boot) or RAIL_FAILED. Two rails of
 * one family on the same netdev fail the later one.
 */
void match_rails(struct railmap *m, const struct observed *o, const struct rdma_port *ports,
		 unsigned nports, enum rail_phase unmatched);

/* What status shows of a netdev's hardware (the mapping NCCL_IB_HCA users need). */
struct ident {
	char pci[16];
	int numa;	/* -1: unknown */
	char ibdev[64]; /* the RDMA device behind it, "" when none */
	uint8_t port;
	const char *layer; /* "ethernet", "infiniband" or "other" */
};
void match_ident(const struct link *l, const struct rdma_port *ports, unsigned nports,
		 struct ident *id);

#endif
