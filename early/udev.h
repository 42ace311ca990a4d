/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What udev says of a netdev: whether it may still rename it. udev renames
 * a new netdev (net.ifnames, dracut's ifname=, .link files) after the kernel
 * announces it, and the kernel refuses to rename one that is up: a rail
 * brought up first keeps the kernel's name, and the name the node was meant
 * to have is lost. udev serves only the initial network namespace.
 */
#ifndef RAILUP_UDEV_H
#define RAILUP_UDEV_H

#include <stdbool.h>
#include <stddef.h>

struct link;
struct observed;
struct railmap;

enum udev_state {
	UDEV_DONE,	 /* or no udev here: nothing to wait for */
	UDEV_NO_ENTRY,	 /* its database has no entry for the netdev yet */
	UDEV_QUEUE_BUSY, /* an entry, but events are queued: one may rename it */
};

/*
 * Whether udev runs (something listens at its control socket) and serves
 * this process's network namespace.
 */
bool udev_runs_here(void);
/*
 * Where udev stands with netdev ifindex. Before systemd 255 an entry says
 * only that one event was done with: a later one (coldplug, once ifname='s
 * rules are in place) may rename it, hence the queue.
 */
enum udev_state udev_netdev(int ifindex);
/* The udev_state of each rail's netdev that is down, where udev runs here. */
void udev_observe(struct observed *o, const struct railmap *m);
/* Whether apply leaves l down for udev: down, and udev_observe() found udev not done. */
bool udev_holds(const struct link *l);
/* s, of netdev name, for a message. */
void udev_describe(enum udev_state s, const char *name, int ifindex, char *why, size_t n);

#endif
