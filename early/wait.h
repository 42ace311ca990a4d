/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Waiting for the rails, driven by the kernel's link events (RTNLGRP_LINK):
 * a rail is ready when its netdev is present, done with by udev (where udev
 * runs for this network namespace: it may yet rename it), up and has
 * carrier, and the RDMA port behind it (if any) is ACTIVE. Each rail is handed on the moment
 * it is ready; at the deadline the others fail at stage "wait".
 */
#ifndef RAILUP_WAIT_H
#define RAILUP_WAIT_H

#include "netlink.h"
#include "rail.h"
#include "rtnl.h"

typedef void wait_ready_fn(struct railmap *m, unsigned i, void *arg);

/*
 * Keeps o's links current from the events, brings rail netdevs up (a PXE
 * node has nobody else to), creates Soft-RoCE devices for rxe=1 rails, and
 * calls ready(m, i) once per rail that becomes ready before timeout_ms.
 * Returns the number of rails that did not.
 */
int wait_rails(struct nl *nl, struct railmap *m, struct observed *o, unsigned timeout_ms,
	       wait_ready_fn *ready, void *arg);

#endif
