// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "match.h"
#include "rdmanl.h"
#include "text.h"
#include "udev.h"
#include "wait.h"

/* How a rail stands while railup waits. */
struct pending {
	bool done;
	/*
	 * The netdev (ifindex, 0: none) railup asked the kernel to bring up, to
	 * give a Soft-RoCE device, and handed to the found hook: once each. A
	 * netdev made anew (a driver re-probe) is another; one someone took down
	 * again is theirs.
	 */
	int up_for, rxe_for, found_for;
	int at;		    /* the netdev located in this pass (ifindex), 0: none */
	uint64_t recheck;   /* when to look at its RDMA port again (ms), 0: not due */
	uint64_t rxe_retry; /* when to ask for its Soft-RoCE device again (ms) */
	unsigned backoff;   /* ms */
	uint64_t udev_poll; /* when to look at udev again (ms), 0: not due */
	int ifindex;	    /* an identity rail's netdev, followed through renames */
	char why[120];	    /* what it still lacks */
};

struct waiter {
	struct nl *nl;
	struct nl rdma;
	struct railmap *m;
	struct observed *o;
	struct pending *p;
	int events;
	bool udev;	      /* udev names this namespace's new netdevs */
	bool queue_ignored;   /* said so once */
	uint64_t queue_until; /* how long udev's busy queue holds a netdev (ms) */
};

/* No event says udev is done with a netdev: it is looked at this often. */
#define UDEV_POLL_MS 10
/* Nor that a Soft-RoCE device is gone, whose name a rail's device needs. */
#define RXE_RETRY_MS 50

int wait_events_open(unsigned groups)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	int size = 1 << 20;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void up_failed(unsigned i, int err, const char *msg, void *arg)
{
	struct rail *r = arg;

	(void)i;
	log_warn("%s: ip link set up: %s%s%s", r->name, strerror(-err), *msg ? ": " : "", msg);
}

static void bring_up(struct waiter *w, struct rail *r, const struct link *l)
{
	struct nlbuf b = { 0 };

	rtnl_put_link_up(&b, l->ifindex);
	nl_batch(w->nl, &b, up_failed, r);
	nlb_free(&b);
}

/* The kernel refused (EEXIST, ENFILE): done, the name another netdev's, or try again. */
static void rxe_exists(struct waiter *w, struct rail *r, struct pending *p, const char *name,
		       const struct link *l, uint64_t now)
{
	struct rdma_port *v = NULL;
	const struct rdma_port *holder;
	unsigned n = 0;

	/* Unreadable: taken as done, as before asking; verification tells. */
	if (rdmanl_ports(&w->rdma, &v, &n))
		return;
	switch (rdma_rxe_exists(v, n, name, l->ifindex, l->name, &holder)) {
	case RXE_SERVED:
		break;
	case RXE_NAME_TAKEN:
		rail_fail(r, "rxe",
			  "rdma link add %s type rxe netdev %s: the name is taken, by the device "
			  "of %s",
			  name, l->name, *holder->ndev ? holder->ndev : "another netdev");
		break;
	case RXE_NAME_LEAVING:
		p->rxe_for = 0;
		p->rxe_retry = now + RXE_RETRY_MS;
		snprintf(p->why, sizeof(p->why), "RDMA device %s is still being removed", name);
		log_debug("%s: %s", r->name, p->why);
		break;
	}
	free(v);
}

static void make_rxe(struct waiter *w, struct rail *r, struct pending *p, const struct link *l,
		     uint64_t now)
{
	char name[64], err[200];
	int ret;

	snprintf(name, sizeof(name), "rxe_%s", l->name);
	if (w->rdma.fd < 0 && nl_open(&w->rdma, NETLINK_RDMA)) {
		rail_fail(r, "rxe", "RDMA netlink unavailable (is ib_core loaded?)");
		return;
	}
	ret = rdmanl_add_rxe(&w->rdma, name, l->name, err, sizeof(err));
	if (ret == -EEXIST || ret == -ENFILE)
		rxe_exists(w, r, p, name, l, now);
	else if (ret)
		rail_fail(r, "rxe", "rdma link add %s type rxe netdev %s: %s", name, l->name, err);
}

/* The RDMA port behind the netdev: ACTIVE, or still coming (recheck later). */
static bool port_active(struct waiter *w, struct pending *p, const struct link *l)
{
	struct rdma_port *v = NULL;
	const struct rdma_port *port;
	unsigned n = 0;
	bool active = true;

	if (w->rdma.fd < 0 && nl_open(&w->rdma, NETLINK_RDMA))
		return true;
	if (rdmanl_ports(&w->rdma, &v, &n))
		return true;
	port = rdma_port_of_netdev(v, n, l->ifindex, l->name);
	if (port && port->state != IB_PORT_ACTIVE) {
		active = false;
		snprintf(p->why, sizeof(p->why), "RDMA port %s/%u is in state %u, not ACTIVE",
			 port->dev, port->port, port->state);
	}
	free(v);
	return active;
}

/*
 * Whether udev may still rename l, which is down (udev.h). An event stuck
 * elsewhere must not hold every rail until the deadline: the queue counts
 * only until queue_until.
 */
static bool udev_pending(struct waiter *w, const struct link *l, uint64_t now, char *why, size_t n)
{
	enum udev_state s;

	if (!w->udev || (l->flags & IFF_UP))
		return false;
	s = udev_netdev(l->ifindex);
	if (s == UDEV_QUEUE_BUSY && now >= w->queue_until) {
		if (!w->queue_ignored)
			log_warn("udev's queue is still not empty: no longer waiting for it");
		w->queue_ignored = true;
		return false;
	}
	if (s != UDEV_DONE)
		udev_describe(s, l->name, l->ifindex, why, n);
	return s != UDEV_DONE;
}

/* A rail found by identity, once its netdev shows up. */
static bool identified(struct waiter *w, struct rail *r, struct pending *p)
{
	struct rdma_port *v = NULL;
	unsigned n = 0;
	int ret;

	if (r->match.kind == MATCH_NAME || r->st.ifname[0])
		return true;
	if (w->rdma.fd >= 0 || !nl_open(&w->rdma, NETLINK_RDMA))
		rdmanl_ports(&w->rdma, &v, &n);
	ret = match_rail(r, w->o, v, n, r->st.ifname, p->why, sizeof(p->why));
	free(v);
	if (ret < 0)
		rail_fail(r, "match", "%s", p->why);
	return ret > 0;
}

/* The rail's netdev; an identity rail's is followed by ifindex, through renames. */
static const struct link *rail_link(struct waiter *w, struct rail *r, struct pending *p)
{
	const struct link *l;

	if (r->match.kind == MATCH_NAME)
		return observed_link(w->o, r->name);
	l = p->ifindex ? observed_link_by_index(w->o, p->ifindex) : NULL;
	if (!l) {
		l = observed_link(w->o, r->st.ifname);
		p->ifindex = l ? l->ifindex : 0;
	} else if (strcmp(l->name, r->st.ifname)) {
		log_info("%s: %s is now %s", r->name, r->st.ifname, l->name);
		text_copy(r->st.ifname, sizeof(r->st.ifname), l->name);
	}
	return l;
}

/* Rail i's netdev, once found and done with by udev; NULL (why said) until then. */
static const struct link *locate(struct waiter *w, unsigned i, uint64_t now)
{
	struct rail *r = &w->m->rail[i];
	struct pending *p = &w->p[i];
	const struct link *l;

	if (!identified(w, r, p))
		return NULL;
	l = rail_link(w, r, p);
	if (!l) {
		snprintf(p->why, sizeof(p->why), "interface %s did not appear", rail_netdev(r));
		return NULL;
	}
	if (udev_pending(w, l, now, p->why, sizeof(p->why))) {
		/* Its name may change: find it again once udev is done. */
		if (r->match.kind != MATCH_NAME) {
			r->st.ifname[0] = '\0';
			p->ifindex = 0;
		}
		if (!p->udev_poll)
			log_debug("%s: %s", r->name, p->why);
		p->udev_poll = now + UDEV_POLL_MS;
		return NULL;
	}
	p->udev_poll = 0;
	return l;
}

/* Whether rail i, at netdev l, is ready now; does what it takes to get it there. */
static bool advance(struct waiter *w, unsigned i, const struct link *l, uint64_t now)
{
	struct rail *r = &w->m->rail[i];
	struct pending *p = &w->p[i];

	if (r->o.rxe && p->rxe_for != l->ifindex) {
		/* A device of its name on the way out: not ready without its own. */
		if (now < p->rxe_retry)
			return false;
		p->rxe_retry = 0;
		p->rxe_for = l->ifindex;
		make_rxe(w, r, p, l, now);
		if (p->rxe_for != l->ifindex)
			return false;
	}
	if (!(l->flags & IFF_UP)) {
		snprintf(p->why, sizeof(p->why), "%s is down", l->name);
		if (p->up_for != l->ifindex) {
			p->up_for = l->ifindex;
			bring_up(w, r, l);
		}
		return false;
	}
	if (!l->carrier) {
		snprintf(p->why, sizeof(p->why), "%s has no carrier", l->name);
		return false;
	}
	if (p->recheck && now < p->recheck)
		return false;
	/*
	 * The kernel sends no event when an RDMA port turns ACTIVE (outside a
	 * verbs context), so a port that lags its carrier is looked at again.
	 */
	if (!port_active(w, p, l)) {
		p->backoff = p->backoff ? (p->backoff < 1000 ? p->backoff * 2 : 1000) : 20;
		p->recheck = now + p->backoff;
		return false;
	}
	return true;
}

/*
 * Locates every waiting rail's netdev, and hands the ones found anew to the
 * found hook in one go (boot writes their values in one ledger update),
 * before any of them is brought up.
 */
static void locate_all(struct waiter *w, const struct wait_hooks *h, uint8_t *fresh, uint64_t now)
{
	bool any = false;

	for (unsigned i = 0; i < w->m->n; i++) {
		struct pending *p = &w->p[i];
		const struct link *l;

		fresh[i] = 0;
		if (p->done)
			continue;
		l = locate(w, i, now);
		p->at = l ? l->ifindex : 0;
		if (l && p->found_for != l->ifindex) {
			p->found_for = l->ifindex;
			fresh[i] = 1;
			any = true;
		}
	}
	if (any && h->found)
		h->found(w->m, fresh, h->arg);
}

/* Applies one link event to the observed links. */
static void on_event(void *arg, const struct nlmsghdr *h)
{
	struct waiter *w = arg;
	struct link l;

	if (h->nlmsg_type == RTM_DELLINK) {
		const struct ifinfomsg *ifi = nlmsg_hdr_of(h, sizeof(*ifi));

		if (ifi)
			observed_link_remove(w->o, ifi->ifi_index);
	} else if (!rtnl_decode_link(h, &l)) {
		observed_link_update(w->o, &l);
	}
}

/*
 * Reads everything fd holds, each message to fn (NULL: dropped). 1 when
 * the socket overflowed: events were lost, and the state must be read anew.
 */
static int recv_events(int fd, void (*fn)(void *arg, const struct nlmsghdr *h), void *arg)
{
	static char buf[64 * 1024] __attribute__((aligned(8)));
	int lost = 0;

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		int left = (int)n;

		if (n < 0 && errno == ENOBUFS) {
			lost = 1;
			continue;
		}
		if (n <= 0)
			return lost;
		for (const struct nlmsghdr *h = (void *)buf; fn && NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left))
			fn(arg, h);
	}
}

bool wait_event(int fd, uint64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t now = clock_ms();

	if (fd < 0 || now >= deadline || poll(&pfd, 1, (int)(deadline - now)) <= 0)
		return false;
	recv_events(fd, NULL, NULL);
	return true;
}

static uint64_t next_wake(const struct waiter *w, uint64_t deadline)
{
	uint64_t t = deadline;

	for (unsigned i = 0; i < w->m->n; i++) {
		const struct pending *p = &w->p[i];

		if (p->done)
			continue;
		if (p->recheck && p->recheck < t)
			t = p->recheck;
		if (p->udev_poll && p->udev_poll < t)
			t = p->udev_poll;
		if (p->rxe_retry && p->rxe_retry < t)
			t = p->rxe_retry;
	}
	return t;
}

int wait_rails(struct nl *nl, struct railmap *m, struct observed *o, uint64_t deadline,
	       const struct wait_hooks *h)
{
	struct waiter w = { .nl = nl, .rdma = { .fd = -1 }, .m = m, .o = o };
	uint64_t start = clock_ms(), heard = clock_us(CLOCK_MONOTONIC);
	uint8_t *fresh = xcalloc(m->n, 1), *ready_now = xcalloc(m->n, 1);
	unsigned left = 0, nready;
	bool refresh = true;

	w.p = xcalloc(m->n, sizeof(*w.p));
	w.udev = udev_runs_here();
	w.queue_until = start + (deadline > start ? deadline - start : 0) / 2;
	w.events = wait_events_open(RTMGRP_LINK);
	if (w.events < 0)
		log_warn("link events: %s: waiting only until the deadline", strerror(errno));
	for (unsigned i = 0; i < m->n; i++)
		w.p[i].done = m->rail[i].st.phase == RAIL_FAILED;
	for (;;) {
		uint64_t now = clock_ms(), wake;
		struct pollfd pfd = { .fd = w.events, .events = POLLIN };

		if (refresh && rtnl_observe_links(nl, o))
			break;
		refresh = false;
		left = nready = 0;
		locate_all(&w, h, fresh, now);
		for (unsigned i = 0; i < m->n; i++) {
			struct pending *p = &w.p[i];
			const struct link *l;
			bool ready;

			ready_now[i] = 0;
			if (p->done)
				continue;
			l = p->at ? observed_link_by_index(o, p->at) : NULL;
			ready = m->rail[i].st.phase != RAIL_FAILED && l && advance(&w, i, l, now);
			if (m->rail[i].st.phase == RAIL_FAILED) {
				p->done = true;
			} else if (ready) {
				p->done = true;
				m->rail[i].st.phase = RAIL_READY;
				log_debug("%s: ready after %llu ms", m->rail[i].name,
					  (unsigned long long)(clock_ms() - start));
				ready_now[i] = 1;
				nready++;
			} else {
				left++;
			}
		}
		/* Together: one plan, one netlink batch, one ledger update for them all. */
		if (nready) {
			h->ready(m, ready_now, h->arg);
			/* Reaction: from hearing the link event to the rails configured. */
			log_debug("%u rail%s configured %llu us after the link event", nready,
				  nready == 1 ? "" : "s",
				  (unsigned long long)(clock_us(CLOCK_MONOTONIC) - heard));
		}
		if (h->settled)
			h->settled(m, h->arg);
		if (!left || now >= deadline)
			break;
		wake = next_wake(&w, deadline);
		if (poll(&pfd, w.events >= 0, (int)(wake > now ? wake - now : 0)) > 0) {
			heard = clock_us(CLOCK_MONOTONIC);
			refresh = recv_events(w.events, on_event, &w) == 1;
		}
	}
	for (unsigned i = 0; i < m->n; i++)
		if (!w.p[i].done)
			rail_fail(&m->rail[i], "wait", "not ready after %u ms: %s", m->timeout_ms,
				  w.p[i].why);
	if (w.events >= 0)
		close(w.events);
	nl_close(&w.rdma);
	free(w.p);
	free(fresh);
	free(ready_now);
	return (int)left;
}
