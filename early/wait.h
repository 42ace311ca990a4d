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

/*
 * What boot does with the rails while they come: found(m, rails) with the
 * rails (flags, per rail) whose netdevs turned up, once per netdev, before
 * railup brings any of them up; ready(m, rails) with the rails that turned
 * ready together (each once); settled(m) after each round of those, before
 * waiting for more.
 */
struct wait_hooks {
	void (*found)(struct railmap *m, const uint8_t *rails, void *arg);
	void (*ready)(struct railmap *m, const uint8_t *rails, void *arg);
	void (*settled)(struct railmap *m, void *arg);
	void *arg;
};

/*
 * Keeps o's links current from the events, brings rail netdevs up (a PXE
 * node has nobody else to), creates Soft-RoCE devices for rxe=1 rails, and
 * calls the hooks until deadline (clock_ms(), m->timeout_ms after boot
 * began waiting). Returns the number of rails not ready by then.
 */
int wait_rails(struct nl *nl, struct railmap *m, struct observed *o, uint64_t deadline,
	       const struct wait_hooks *h);

/*
 * A socket hearing the kernel's events of the RTMGRP_* groups, opened before
 * the state is read so that nothing is missed; -1 (errno set) on failure.
 */
int wait_events_open(unsigned groups);
/* Waits until fd has events (all read and dropped) or deadline (ms); false at the deadline. */
bool wait_event(int fd, uint64_t deadline);

#endif
