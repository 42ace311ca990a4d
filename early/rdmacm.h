/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RDMA CM spoken directly to /dev/infiniband/rdma_cm (the kernel's rdma_ucm
 * ABI, version 4; no librdmacm or libibverbs): which RDMA device and port an
 * address binds to, address and route resolution, and a connection
 * handshake on a rail's own address (loopback).
 */
#ifndef RAILUP_RDMACM_H
#define RAILUP_RDMACM_H

#include <stdint.h>

#include "addr.h"

/* RDMA CM event numbers: not in the uapi headers. */
enum cm_event {
	CM_ADDR_RESOLVED = 0,
	CM_ADDR_ERROR = 1,
	CM_ROUTE_RESOLVED = 2,
	CM_ROUTE_ERROR = 3,
	CM_CONNECT_REQUEST = 4,
	CM_CONNECT_RESPONSE = 5,
	CM_CONNECT_ERROR = 6,
	CM_UNREACHABLE = 7,
	CM_REJECTED = 8,
	CM_ESTABLISHED = 9,
	CM_DISCONNECTED = 10,
	CM_DEVICE_REMOVAL = 11,
	CM_MULTICAST_JOIN = 12,
	CM_MULTICAST_ERROR = 13,
	CM_ADDR_CHANGE = 14,
	CM_TIMEWAIT_EXIT = 15,
};

/* Where an address landed. */
struct cm_where {
	uint64_t node_guid; /* host order */
	uint8_t port;
	uint16_t pkey;
	uint32_t ibdev_index; /* UINT32_MAX when the kernel does not say */
};

/*
 * What went wrong, for a one-line message such as
 * "RDMA CM: REJECTED, reason 28" or "RDMA CM bind: No such device".
 */
struct cm_error {
	const char *step; /* "open", "bind", "resolve address", "connect", ... */
	int err;	  /* -errno of a failed command, or 0 */
	int event;	  /* the unexpected event, or -1 */
	int status;	  /* its status (for REJECTED the reject reason) */
	char msg[160];	  /* the whole line */
};

struct cm {
	int fd;
};

/* cm_open, cm_bind_query, cm_resolve, cm_loopback: 0, or -1 with *e filled. */

int cm_open(struct cm *cm, struct cm_error *e);
void cm_close(struct cm *cm);

/* BIND the address, then QUERY where it landed. */
int cm_bind_query(struct cm *cm, const struct ipaddr *a, struct cm_where *w, struct cm_error *e);

/* RESOLVE_ADDR and RESOLVE_ROUTE from src to dst; w: where the route leaves. */
int cm_resolve(struct cm *cm, const struct ipaddr *src, const struct ipaddr *dst,
	       unsigned timeout_ms, struct cm_where *w, struct cm_error *e);

/*
 * A connection from the address to itself: LISTEN, CONNECT, CONNECT_REQUEST
 * (carrying a nonce that proves it is ours), ACCEPT, CONNECT_RESPONSE,
 * ESTABLISHED, within timeout_ms. One attempt; the caller retries.
 */
int cm_loopback(struct cm *cm, const struct ipaddr *a, unsigned timeout_ms, struct cm_error *e);

const char *cm_event_name(int event);

/* Decodes one event as GET_EVENT returns it (for the fuzzers); -1 when malformed. */
struct cm_event_info {
	int event;
	int status;
	uint32_t id;
	uint64_t uid;
};
int cm_decode_event(const void *buf, size_t len, struct cm_event_info *out);

#endif
