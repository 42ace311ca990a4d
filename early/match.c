// SPDX-License-Identifier: GPL-2.0
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "match.h"
#include "sysfs.h"
#include "text.h"

/* The 20-byte IPoIB address: 4 bytes of flags and queue pair, then the 16-byte port GID. */
#define IPOIB_ALEN 20

static uint64_t be64_at(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static bool mac_matches(const struct rail_match *m, const struct link *l)
{
	if (m->maclen == 6)
		return l->hwlen == 6 && !memcmp(l->hwaddr, m->mac, 6);
	if (l->hwlen != IPOIB_ALEN)
		return false;
	/* The queue pair number changes from boot to boot: only the GID part is stable. */
	if (m->maclen == 8)
		return !memcmp(l->hwaddr + 12, m->mac, 8);
	return !memcmp(l->hwaddr + 4, m->mac + 4, 16);
}

static bool matches(const struct rail_match *m, const struct link *l, const struct rdma_port *ports,
		    unsigned nports)
{
	const struct rdma_port *p;
	char pci[16];

	switch (m->kind) {
	case MATCH_NAME:
		return false;
	case MATCH_MAC:
		return mac_matches(m, l);
	case MATCH_PCI:
		return sysfs_pci("net", l->name, pci) && !strcmp(pci, m->pci) &&
		       (!m->port || sysfs_int("net", l->name, "dev_port", 0) + 1 == m->port);
	case MATCH_GUID:
		/*
		 * An IPoIB netdev carries its port's GUID, which tells the ports of a
		 * dual-port HCA apart; other netdevs have only their device's node GUID.
		 */
		if (l->hwlen == IPOIB_ALEN)
			return be64_at(l->hwaddr + 12) == m->guid;
		p = rdma_port_of_netdev(ports, nports, l->ifindex, l->name);
		return p && p->node_guid == m->guid;
	case MATCH_IBDEV:
		p = rdma_port_of_netdev(ports, nports, l->ifindex, l->name);
		return p && !strcmp(p->dev, m->ibdev) && (!m->port || p->port == m->port);
	}
	return false;
}

void match_describe(const struct rail_match *m, char *buf, size_t len)
{
	size_t o = 0;

	switch (m->kind) {
	case MATCH_MAC:
		o = (size_t)snprintf(buf, len, "mac=");
		for (unsigned i = 0; i < m->maclen && o + 4 < len; i++)
			o += (size_t)snprintf(buf + o, len - o, "%s%02x", i ? ":" : "", m->mac[i]);
		break;
	case MATCH_PCI:
		if (m->port)
			snprintf(buf, len, "pci=%s/%u", m->pci, m->port);
		else
			snprintf(buf, len, "pci=%s", m->pci);
		break;
	case MATCH_GUID:
		snprintf(buf, len, "guid=%016llx", (unsigned long long)m->guid);
		break;
	case MATCH_IBDEV:
		if (m->port)
			snprintf(buf, len, "ibdev=%.60s/%u", m->ibdev, m->port);
		else
			snprintf(buf, len, "ibdev=%.60s", m->ibdev);
		break;
	default:
		snprintf(buf, len, "its name");
	}
}

int match_rail(const struct rail *r, const struct observed *o, const struct rdma_port *ports,
	       unsigned nports, char ifname[IFNAMSIZ], char *why, size_t len)
{
	const struct link *found = NULL;
	char what[80];

	match_describe(&r->match, what, sizeof(what));
	for (unsigned i = 0; i < o->nlink; i++) {
		const struct link *l = &o->link[i];

		if (!matches(&r->match, l, ports, nports))
			continue;
		if (found) {
			snprintf(why, len, "%s matches both %s and %s", what, found->name, l->name);
			return -1;
		}
		found = l;
	}
	if (!found) {
		snprintf(why, len, "%s matches no interface", what);
		return 0;
	}
	text_copy(ifname, IFNAMSIZ, found->name);
	return 1;
}

static const struct railmap *sort_map;

static int by_netdev(const void *a, const void *b)
{
	const struct rail *x = &sort_map->rail[*(const unsigned *)a];
	const struct rail *y = &sort_map->rail[*(const unsigned *)b];
	int c = strcmp(rail_netdev(x), rail_netdev(y));

	if (!c)
		c = x->addr.family - y->addr.family;
	return c ? c : (*(const unsigned *)a < *(const unsigned *)b ? -1 : 1);
}

/*
 * Identities and names together may point two rails of a family at one
 * netdev. A rail already stopped has none (its label is no netdev's name).
 */
static void fail_shared(struct railmap *m)
{
	unsigned *ix = xcalloc(m->n, sizeof(*ix)), n = 0;

	for (unsigned i = 0; i < m->n; i++)
		if (!rail_stopped(&m->rail[i]))
			ix[n++] = i;
	sort_map = m;
	xsort(ix, n, sizeof(*ix), by_netdev);
	sort_map = NULL;
	/* Sorted by netdev, family and map order: the first of each run keeps the netdev. */
	for (unsigned i = 1, owner = 0; i < n; i++) {
		struct rail *q = &m->rail[ix[owner]], *r = &m->rail[ix[i]];

		if (q->addr.family != r->addr.family || strcmp(rail_netdev(q), rail_netdev(r)))
			owner = i;
		else
			rail_fail(r, "match", "%s is rail %s's already", rail_netdev(r), q->name);
	}
	free(ix);
}

void match_rails(struct railmap *m, const struct observed *o, const struct rdma_port *ports,
		 unsigned nports, enum rail_phase unmatched)
{
	char why[160];

	for (unsigned i = 0; i < m->n; i++) {
		struct rail *r = &m->rail[i];
		int ret;

		if (r->match.kind == MATCH_NAME || rail_stopped(r))
			continue;
		ret = match_rail(r, o, ports, nports, r->st.ifname, why, sizeof(why));
		if (ret < 0 || (ret == 0 && unmatched == RAIL_FAILED))
			rail_fail(r, "match", "%s", why);
		else if (ret == 0 && unmatched == RAIL_ABSENT)
			rail_absent(r, "match", "%s", why);
	}
	fail_shared(m);
}

void match_ident(const struct link *l, const struct rdma_port *ports, unsigned nports,
		 struct ident *id)
{
	const struct rdma_port *p = rdma_port_of_netdev(ports, nports, l->ifindex, l->name);

	memset(id, 0, sizeof(*id));
	if (!sysfs_pci("net", l->name, id->pci))
		id->pci[0] = '\0';
	id->numa = sysfs_int("net", l->name, "device/numa_node", -1);
	if (p) {
		text_copy(id->ibdev, sizeof(id->ibdev), p->dev);
		id->port = p->port;
	}
	id->layer = l->type == ARPHRD_ETHER	   ? "ethernet"
		    : l->type == ARPHRD_INFINIBAND ? "infiniband"
						   : "other";
}
