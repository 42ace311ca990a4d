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

#include <stdbool.h>
#include <stdint.h>

#include "netlink.h"
#include "rail.h"
#include "rtnl.h"

typedef void wait_ready_fn(struct railmap *m, unsigned i, void *arg);

/*
 * Keeps o's links current from the events, brings rail netdevs up (a PXE
 * node has nobody else to), creates Soft-RoCE devices for rxe=1 rails, and
 * calls ready(m, i) once per rail that becomes ready before deadline
 * (clock_ms(), m->timeout_ms after boot began waiting). Returns the number
 * of rails that did not.
 */
int wait_rails(struct nl *nl, struct railmap *m, struct observed *o, uint64_t deadline,
	       wait_ready_fn *ready, void *arg);

/*
 * A socket hearing the kernel's events of the RTMGRP_* groups, opened before
 * the state is read so that nothing is missed; -1 (errno set) on failure.
 */
int wait_events_open(unsigned groups);
/* Waits until fd has events (all read and dropped) or deadline (ms); false at the deadline. */
bool wait_event(int fd, uint64_t deadline);

#endif
