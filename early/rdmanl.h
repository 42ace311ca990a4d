/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RDMA netlink (NETLINK_RDMA, the nldev interface iproute2's rdma tool
 * speaks): the RDMA devices and their ports, which netdev each port serves,
 * and Soft-RoCE devices for machines without RDMA NICs.
 */
#ifndef RAILUP_RDMANL_H
#define RAILUP_RDMANL_H

#include <net/if.h>
#include <stdint.h>

#include "netlink.h"

#define IB_PORT_ACTIVE 4

struct rdma_port {
	uint32_t dev_index;
	char dev[64];	    /* mlx5_0, rxe0 */
	char protocol[16];  /* "ib", "roce", "iw", as the kernel names it */
	uint64_t node_guid; /* host order */
	uint8_t port;	    /* 1-based */
	uint8_t state;	    /* IB_PORT_* (4: ACTIVE) */
	uint8_t phys_state; /* 5: LinkUp */
	int ndev_index;	    /* the netdev of a RoCE/iWARP port; 0 for InfiniBand */
	char ndev[IFNAMSIZ];
};

/* Every port of every RDMA device. */
int rdmanl_ports(struct nl *nl, struct rdma_port **v, unsigned *n);

/*
 * The port serving netdev (ifindex, name): a RoCE port names its netdev; an
 * IPoIB netdev is matched to its port through sysfs (same parent device,
 * dev_port + 1). NULL when no RDMA port backs the netdev.
 */
const struct rdma_port *rdma_port_of_netdev(const struct rdma_port *v, unsigned n, int ifindex,
					    const char *ifname);

/* Creates Soft-RoCE device name on netdev ndev (rdma link add NAME type rxe netdev NDEV). */
int rdmanl_add_rxe(struct nl *nl, const char *name, const char *ndev, char *err, size_t errlen);

/*
 * What rdmanl_add_rxe(name, netdev ifindex) refusing with EEXIST (the netdev
 * has a device: rxe gives it one) or ENFILE (ib_core's answer to a name in
 * use) meant, by the ports as they are now: a device serves the netdev
 * already (whatever its name), the name is another netdev's device (*holder
 * set), or the name is a device whose netdev is gone, still being torn down
 * (a driver re-probe): worth trying again.
 */
enum rxe_exists { RXE_SERVED, RXE_NAME_TAKEN, RXE_NAME_LEAVING };
enum rxe_exists rdma_rxe_exists(const struct rdma_port *v, unsigned n, const char *name,
				int ifindex, const char *ifname, const struct rdma_port **holder);

/* Decoders, separated for the fuzzers: one RDMA_NLDEV_CMD_{GET,PORT_GET} reply. */
int rdmanl_decode_port(const struct nlmsghdr *h, struct rdma_port *p);

#endif
