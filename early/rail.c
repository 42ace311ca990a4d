// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rail.h"
#include "sysctl.h"
#include "text.h"

void railmap_init(struct railmap *m)
{
	memset(m, 0, sizeof(*m));
	m->disabled = -1;
	for (int k = 0; k < SC_COUNT; k++) {
		m->def.sysctl[k] = SC_UNSET;
		m->all[k] = SC_UNSET;
	}
	m->timeout_ms = DEFAULT_TIMEOUT;
	m->verify_timeout_ms = DEFAULT_VERIFY_TIMEOUT;
	strcpy(m->modules, DEFAULT_MODULES);
}

void railmap_free(struct railmap *m)
{
	for (unsigned i = 0; i < m->n; i++) {
		free(m->rail[i].token);
		free(m->rail[i].where);
	}
	free(m->rail);
	m->rail = NULL;
	m->n = m->cap = 0;
}

void railmap_reserve(struct railmap *m, unsigned n)
{
	if (n > m->cap) {
		m->rail = xrealloc(m->rail, n * sizeof(*m->rail));
		m->cap = n;
	}
}

struct rail *railmap_add(struct railmap *m)
{
	struct rail *r;

	if (m->n == m->cap)
		railmap_reserve(m, m->cap ? m->cap * 2 : 8);
	r = &m->rail[m->n++];
	memset(r, 0, sizeof(*r));
	for (int k = 0; k < SC_COUNT; k++)
		r->o.sysctl[k] = SC_UNSET;
	return r;
}

/*
 * RoCE follows the second seed (loose rp_filter everywhere, accept_local for
 * loopback tests); IPoIB the first (strict rp_filter, arp_filter, and
 * conf/all left alone).
 */
int profile_sysctl(enum profile p, enum sysctl_key k, int per_rail)
{
	/*
	 * IPv6 rails, either profile: keep the address when the link flaps (IPv4
	 * does, IPv6 does not by default), and take no routes or addresses from
	 * router advertisements.
	 */
	static const int8_t table[2][2][SC_COUNT] = {
		[PROFILE_ROCE] = {
			/* all */ { 2, SC_UNSET, SC_UNSET, SC_UNSET, 1, SC_UNSET, SC_UNSET },
			/* rail */ { 2, 1, 2, SC_UNSET, SC_UNSET, 1, 0 },
		},
		[PROFILE_IPOIB] = {
			{ SC_UNSET, SC_UNSET, SC_UNSET, SC_UNSET, SC_UNSET, SC_UNSET, SC_UNSET },
			{ 1, 2, 2, 1, SC_UNSET, 1, 0 },
		},
	};

	return table[p][!!per_rail][k];
}

const struct rail *railmap_by_name(const struct railmap *m, const char *name)
{
	for (unsigned i = 0; i < m->n; i++)
		if (!strcmp(m->rail[i].name, name))
			return &m->rail[i];
	return NULL;
}

static int bad(const struct rail *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(const struct rail *r, const char *fmt, ...)
{
	char what[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return token_error(r->where, r->token, "%s", what);
}

/* Fills what the rail left unset: its own value, else rd.rail.<key>, else built in. */
static int fill_defaults(struct railmap *m, struct rail *r, unsigned i)
{
	struct rail_opts *o = &r->o, *d = &m->def;
	uint64_t n;

	if (!(o->set & (1u << OPT_TABLE))) {
		uint64_t base = (d->set & (1u << OPT_TABLE)) ? d->table : DEFAULT_TABLE;

		/* Numbering steps over default, main and local: hundreds of rails fit. */
		n = base + i;
		if (base < 253 && n >= 253)
			n += 3;
		if (n > UINT32_MAX)
			return bad(r, "table number %llu is out of range", (unsigned long long)n);
		o->table = (uint32_t)n;
	}
	if (!(o->set & (1u << OPT_PRIORITY))) {
		n = (uint64_t)((d->set & (1u << OPT_PRIORITY)) ? d->priority : DEFAULT_PRIORITY) +
		    i;
		if (n > UINT32_MAX)
			return bad(r, "priority %llu is out of range", (unsigned long long)n);
		o->priority = (uint32_t)n;
	}
	if (!(o->set & (1u << OPT_FABRIC)) && (d->set & (1u << OPT_FABRIC)) &&
	    d->fabric.family == r->addr.family && r->gw.family)
		o->fabric = d->fabric;
	if (!(o->set & (1u << OPT_REQUIRED)))
		o->required = (d->set & (1u << OPT_REQUIRED)) ? d->required : 1;
	if (!(o->set & (1u << OPT_VERIFY)))
		o->verify = (d->set & (1u << OPT_VERIFY)) ? d->verify : 1;
	if (!(o->set & (1u << OPT_RXE)))
		o->rxe = (d->set & (1u << OPT_RXE)) ? d->rxe : 0;
	if (!(o->set & (1u << OPT_MTU)))
		o->mtu = (d->set & (1u << OPT_MTU)) ? d->mtu : 0;
	/* The map's pmtu=1 is for the rails that have a gateway to ping. */
	if (!(o->set & (1u << OPT_PMTU)))
		o->pmtu = (d->set & (1u << OPT_PMTU)) && r->gw.family ? d->pmtu : 0;
	for (int k = 0; k < SC_COUNT; k++) {
		if (o->set & (1u << (OPT_SYSCTL + k)))
			continue;
		if (d->set & (1u << (OPT_SYSCTL + k)))
			o->sysctl[k] = d->sysctl[k];
		else
			o->sysctl[k] = (int8_t)profile_sysctl(m->profile, k, 1);
	}
	return 0;
}

static int check_addresses(const struct rail *r)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];
	const struct ipaddr *ad = &r->addr;
	struct ipaddr net = addr_network(ad);

	/* A template's base is often the subnet's own address: the result is checked instead. */
	if (r->tmpl)
		;
	else if (ad->plen < addr_bits(ad) - 1 && addr_host_bits_zero(ad))
		return bad(r, "%s is the subnet's own address, not a host", addr_fmt(ad, 1, a));
	else if (ad->family == AF_INET && ad->plen < 31 && addr_host_bits_ones(ad))
		return bad(r, "%s is the subnet's broadcast address", addr_fmt(ad, 1, a));
	if (addr_unusable(ad))
		return bad(r, "%s is %s: no rail's", addr_fmt(ad, 0, a), addr_unusable(ad));
	if (r->gw.family) {
		struct ipaddr gw = r->gw;

		gw.plen = ad->plen;
		if (r->gw.family != ad->family)
			return bad(r, "gateway %s is not of the address's family",
				   addr_fmt(&r->gw, 0, a));
		if (addr_unusable(&r->gw))
			return bad(r, "gateway %s is %s", addr_fmt(&r->gw, 0, a),
				   addr_unusable(&r->gw));
		if (ad->plen < addr_bits(ad) - 1 &&
		    (addr_host_bits_zero(&gw) ||
		     (ad->family == AF_INET && addr_host_bits_ones(&gw))))
			return bad(r, "gateway %s is the subnet's own or broadcast address",
				   addr_fmt(&r->gw, 0, a));
		if (!addr_in_prefix(&r->gw, ad))
			return bad(r, "gateway %s is outside %s", addr_fmt(&r->gw, 0, a),
				   addr_fmt(&net, 1, b));
		if (addr_same_ip(&r->gw, ad) && !r->tmpl)
			return bad(r, "gateway %s is the rail's own address", addr_fmt(ad, 0, a));
	}
	if (r->o.pmtu && r->o.pmtu_to.family) {
		const struct ipaddr *t = &r->o.pmtu_to;

		if (t->family != ad->family)
			return bad(r, "pmtu=%s is not of the address's family", addr_fmt(t, 0, a));
		if (addr_unusable(t))
			return bad(r, "pmtu=%s is %s", addr_fmt(t, 0, a), addr_unusable(t));
		if (addr_same_ip(t, ad) && !r->tmpl)
			return bad(r, "pmtu=%s is the rail's own address", addr_fmt(t, 0, a));
	} else if (r->o.pmtu && !r->gw.family) {
		return bad(r, "pmtu=1 pings the gateway, and the rail has none: name a host "
			      "(pmtu=<address>)");
	}
	if ((r->o.set & (1u << OPT_FABRIC)) && r->o.fabric.family) {
		if (r->o.fabric.family != ad->family)
			return bad(r, "fabric %s is not of the address's family",
				   addr_fmt(&r->o.fabric, 1, a));
		if (!r->gw.family)
			return bad(r, "fabric=%s needs a gateway", addr_fmt(&r->o.fabric, 1, a));
		if (addr_eq(&r->o.fabric, &net))
			return bad(r,
				   "fabric=%s is the rail's own subnet: its route is there already",
				   addr_fmt(&r->o.fabric, 1, a));
	}
	return 0;
}

static int check_numbers(const struct railmap *m, const struct rail *r)
{
	uint32_t t = r->o.table;

	if (t == 0 || (t >= 253 && t <= 255))
		return bad(r, "table %u is reserved (0 unspec, 253 default, 254 main, 255 local)",
			   t);
	if (r->o.priority == 0 || r->o.priority >= 32766)
		return bad(r, "priority %u must lie between 1 and 32765 (before main's rule)",
			   r->o.priority);
	if (r->addr.family == AF_INET6 && r->o.mtu && r->o.mtu < MTU_IPV6)
		return bad(r, "mtu=%u is below IPv6's minimum of %d", r->o.mtu, MTU_IPV6);
	for (int k = 0; k < SC_COUNT; k++) {
		int ask = r->o.sysctl[k], all = m->all[k];
		const char *name = sysctl_desc[k].name;

		if (ask == SC_UNSET || all == SC_UNSET || !(m->mset & (1u << (MOPT_ALL + k))))
			continue;
		if (sysctl_effective(k, all, ask) != ask)
			return bad(r, "%s=%d would not take effect: rd.rail.all.%s=%d overrides it",
				   name, ask, name, all);
	}
	return 0;
}

static const struct railmap *sort_map;

static int by_name_only(const void *a, const void *b)
{
	return strcmp(sort_map->rail[*(const unsigned *)a].name,
		      sort_map->rail[*(const unsigned *)b].name);
}

static int by_family(const void *a, const void *b)
{
	uint8_t x = sort_map->rail[*(const unsigned *)a].addr.family;
	uint8_t y = sort_map->rail[*(const unsigned *)b].addr.family;

	return x == y ? 0 : (x < y ? -1 : 1);
}

/* A NIC can carry one IPv4 and one IPv6 rail: the families have separate tables and rules. */
static int by_name(const void *a, const void *b)
{
	return by_name_only(a, b) ? by_name_only(a, b) : by_family(a, b);
}

static int by_addr(const void *a, const void *b)
{
	struct ipaddr x = sort_map->rail[*(const unsigned *)a].addr;
	struct ipaddr y = sort_map->rail[*(const unsigned *)b].addr;

	x.plen = y.plen = 0;
	return addr_cmp(&x, &y);
}

static int by_table(const void *a, const void *b)
{
	uint32_t x = sort_map->rail[*(const unsigned *)a].o.table;
	uint32_t y = sort_map->rail[*(const unsigned *)b].o.table;

	return x == y ? by_family(a, b) : (x < y ? -1 : 1);
}

static int by_name_then_index(const void *a, const void *b)
{
	int c = by_name_only(a, b);

	return c ? c : (*(const unsigned *)a < *(const unsigned *)b ? -1 : 1);
}

/*
 * Rail i's place among the map's NICs, in order of first appearance: the
 * IPv4 and the IPv6 rail of one NIC share its table number and priority.
 */
static unsigned *nic_ordinals(const struct railmap *m)
{
	unsigned *ix = xcalloc(m->n, sizeof(*ix)), *first = xcalloc(m->n, sizeof(*first));
	unsigned *before = xcalloc(m->n + 1, sizeof(*before));

	for (unsigned i = 0; i < m->n; i++)
		ix[i] = i;
	sort_map = m;
	xsort(ix, m->n, sizeof(*ix), by_name_then_index);
	for (unsigned i = 0; i < m->n; i++)
		first[ix[i]] = i && !by_name_only(&ix[i - 1], &ix[i]) ? first[ix[i - 1]] : ix[i];
	sort_map = NULL;
	/* before[k]: how many NICs first appear before rail k. */
	for (unsigned k = 0; k < m->n; k++)
		before[k + 1] = before[k] + (first[k] == k);
	for (unsigned i = 0; i < m->n; i++)
		ix[i] = before[first[i]];
	free(first);
	free(before);
	return ix;
}

/* The rails at x and y of the map, the one earlier in it first. */
static void in_map_order(struct railmap *m, unsigned x, unsigned y, struct rail **a,
			 struct rail **b)
{
	*a = &m->rail[x < y ? x : y];
	*b = &m->rail[x < y ? y : x];
}

/*
 * The MTU is the interface's: its IPv4 and IPv6 rail must ask for the same
 * one. by_nic holds the rails sorted by interface, so the two are adjacent.
 */
static int check_mtu(struct railmap *m, const unsigned *by_nic)
{
	for (unsigned i = 1; i < m->n; i++) {
		char x[TEXT_DEC_MAX], y[TEXT_DEC_MAX];
		struct rail *a, *b;

		in_map_order(m, by_nic[i - 1], by_nic[i], &a, &b);
		if (strcmp(a->name, b->name) || a->o.mtu == b->o.mtu)
			continue;
		return bad(b, "one interface, one MTU: mtu=%s here, mtu=%s in %s",
			   b->o.mtu ? text_dec(x, b->o.mtu) : "(unset)",
			   a->o.mtu ? text_dec(y, a->o.mtu) : "(unset)", quotes(a->token));
	}
	return 0;
}

/*
 * Duplicates found by sorting: a fleet map can hold thousands of rails.
 * Then the MTUs, from the order by interface the first key leaves.
 */
static int check_unique(struct railmap *m)
{
	static const struct {
		int (*cmp)(const void *, const void *);
		const char *what;
	} keys[] = { { by_name, "interface" }, { by_addr, "address" }, { by_table, "table" } };
	unsigned *by_nic = xcalloc(2 * (size_t)m->n, sizeof(*by_nic));
	int ret = 0;

	sort_map = m;
	for (unsigned k = 0; k < sizeof(keys) / sizeof(keys[0]) && !ret; k++) {
		unsigned *ix = k ? by_nic + m->n : by_nic;

		for (unsigned i = 0; i < m->n; i++)
			ix[i] = i;
		xsort(ix, m->n, sizeof(*ix), keys[k].cmp);
		for (unsigned i = 1; i < m->n && !ret; i++) {
			struct rail *a, *b;

			if (keys[k].cmp(&ix[i - 1], &ix[i]))
				continue;
			in_map_order(m, ix[i - 1], ix[i], &a, &b);
			ret = bad(b, "duplicate %s: also in %s", keys[k].what, quotes(a->token));
		}
	}
	sort_map = NULL;
	if (!ret)
		ret = check_mtu(m, by_nic);
	free(by_nic);
	return ret;
}

int railmap_finalize(struct railmap *m)
{
	unsigned *nic = nic_ordinals(m);
	int ret = 0;

	for (int k = 0; k < SC_COUNT; k++)
		if (!(m->mset & (1u << (MOPT_ALL + k))))
			m->all[k] = (int8_t)profile_sysctl(m->profile, k, 0);
	for (unsigned i = 0; i < m->n && !ret; i++) {
		struct rail *r = &m->rail[i];

		ret = fill_defaults(m, r, nic[i]) || check_addresses(r) || check_numbers(m, r) ? -1
											       : 0;
		memset(&r->st, 0, sizeof(r->st));
	}
	free(nic);
	for (unsigned i = 0; i < m->n && !ret; i++)
		if (m->rail[i].tmpl && m->host.source == HOST_NONE)
			ret = bad(&m->rail[i], "a templated address (+/) needs rd.rail.host=");
	return ret ? ret : check_unique(m);
}

bool railmap_has_templates(const struct railmap *m)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->rail[i].tmpl)
			return true;
	return false;
}

int railmap_resolve_hosts(struct railmap *m, uint64_t index)
{
	char a[ADDR_STRLEN];

	for (unsigned i = 0; i < m->n; i++) {
		struct rail *r = &m->rail[i];

		if (!r->tmpl)
			continue;
		if (addr_add_host(&r->addr, index))
			return bad(r, "host index %llu does not fit %s+/%u",
				   (unsigned long long)index, addr_fmt(&r->addr, false, a),
				   r->addr.plen);
		r->tmpl = false;
		if (check_addresses(r))
			return -1;
	}
	return check_unique(m);
}

static void rail_stop(struct rail *r, enum rail_phase phase, const char *stage, const char *fmt,
		      va_list ap)
{
	if (r->st.phase == RAIL_FAILED)
		return;
	r->st.phase = phase;
	r->st.stage = stage;
	vsnprintf(r->st.error, sizeof(r->st.error), fmt, ap);
}

void rail_fail(struct rail *r, const char *stage, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rail_stop(r, RAIL_FAILED, stage, fmt, ap);
	va_end(ap);
}

void rail_absent(struct rail *r, const char *stage, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rail_stop(r, RAIL_ABSENT, stage, fmt, ap);
	va_end(ap);
}

bool rail_stopped(const struct rail *r)
{
	return r->st.phase == RAIL_FAILED || r->st.phase == RAIL_ABSENT;
}

const char *rail_netdev(const struct rail *r)
{
	return r->st.ifname[0] ? r->st.ifname : r->name;
}

const char *rail_phase_name(enum rail_phase p)
{
	static const char *const names[] = { "pending",	   "absent",   "ready",
					     "configured", "verified", "failed" };

	return names[p];
}
