// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rtnl.h"
#include "sysctl.h"
#include "text.h"

/* glibc's <net/if.h> stops short of it; musl's has it. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

/* ---- decoding ---- */

static void get_addr(struct ipaddr *a, uint8_t family, const struct nlattr *at, uint8_t plen)
{
	memset(a, 0, sizeof(*a));
	if (!at || (family != AF_INET && family != AF_INET6))
		return;
	a->family = family;
	if ((size_t)nla_len(at) < addr_bytes(a)) {
		a->family = 0;
		return;
	}
	memcpy(a->b, nla_data(at), addr_bytes(a));
	a->plen = plen;
}

/*
 * The values the link dump carries: IPv4's under IFLA_INET_CONF (indexed
 * from IPV4_DEVCONF_* - 1), IPv6's under IFLA_INET6_CONF (from DEVCONF_*).
 */
static void get_devconf(struct link *l, const struct nlattr *af_spec)
{
	const struct nlattr *fam[AF_INET6 + 1], *in[IFLA_INET6_CONF + 1];
	const struct nlattr *conf[AF_INET6 + 1] = { NULL };

	if (!af_spec)
		return;
	nla_parse(fam, AF_INET6, nla_data(af_spec), nla_len(af_spec));
	/* Each family's array found once, then read for every key of it. */
	for (int i = 0; i < 2; i++) {
		int f = i ? AF_INET6 : AF_INET;
		unsigned type = i ? IFLA_INET6_CONF : IFLA_INET_CONF;

		if (fam[f]) {
			nla_parse(in, type, nla_data(fam[f]), nla_len(fam[f]));
			conf[f] = in[type];
		}
	}
	for (int k = 0; k < SC_COUNT; k++) {
		const struct sysctl_desc *d = &sysctl_desc[k];
		const struct nlattr *c = conf[d->family];
		unsigned idx = d->family == AF_INET ? d->devconf - 1 : d->devconf;
		int32_t v;

		if (!c || (idx + 1) * 4 > (unsigned)nla_len(c))
			continue;
		memcpy(&v, (const char *)nla_data(c) + idx * 4, 4);
		l->conf[k] = v > 127 ? 127 : v < -1 ? -1 : (int8_t)v;
	}
}

int rtnl_decode_link(const struct nlmsghdr *h, struct link *l)
{
	const struct ifinfomsg *ifi = nlmsg_hdr_of(h, sizeof(*ifi));
	const struct nlattr *tb[IFLA_MAX + 1];

	if (h->nlmsg_type != RTM_NEWLINK || !ifi)
		return -1;
	memset(l, 0, sizeof(*l));
	for (int k = 0; k < SC_COUNT; k++)
		l->conf[k] = SC_UNSET;
	nlmsg_parse(tb, IFLA_MAX, h, sizeof(*ifi));
	if (!tb[IFLA_IFNAME])
		return -1;
	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	l->type = ifi->ifi_type;
	nla_str(tb[IFLA_IFNAME], l->name, sizeof(l->name));
	l->operstate = nla_u8(tb[IFLA_OPERSTATE]);
	l->mtu = nla_u32(tb[IFLA_MTU]);
	l->carrier =
		tb[IFLA_CARRIER] ? nla_u8(tb[IFLA_CARRIER]) : !!(ifi->ifi_flags & IFF_LOWER_UP);
	if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) <= (int)sizeof(l->hwaddr)) {
		l->hwlen = (uint8_t)nla_len(tb[IFLA_ADDRESS]);
		memcpy(l->hwaddr, nla_data(tb[IFLA_ADDRESS]), l->hwlen);
	}
	get_devconf(l, tb[IFLA_AF_SPEC]);
	return 0;
}

int rtnl_decode_addr(const struct nlmsghdr *h, struct laddr *a)
{
	const struct ifaddrmsg *ifa = nlmsg_hdr_of(h, sizeof(*ifa));
	const struct nlattr *tb[IFA_MAX + 1];

	if (h->nlmsg_type != RTM_NEWADDR || !ifa)
		return -1;
	memset(a, 0, sizeof(*a));
	nlmsg_parse(tb, IFA_MAX, h, sizeof(*ifa));
	/* IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on point-to-point links. */
	get_addr(&a->a, ifa->ifa_family, tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS],
		 ifa->ifa_prefixlen);
	if (!a->a.family || ifa->ifa_prefixlen > addr_bits(&a->a))
		return -1;
	a->ifindex = (int)ifa->ifa_index;
	a->flags = tb[IFA_FLAGS] ? nla_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	a->proto = nla_u8(tb[IFA_PROTO]);
	return 0;
}

int rtnl_decode_route(const struct nlmsghdr *h, struct route *r)
{
	const struct rtmsg *rtm = nlmsg_hdr_of(h, sizeof(*rtm));
	const struct nlattr *tb[RTA_MAX + 1];

	if (h->nlmsg_type != RTM_NEWROUTE || !rtm ||
	    (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6))
		return -1;
	memset(r, 0, sizeof(*r));
	nlmsg_parse(tb, RTA_MAX, h, sizeof(*rtm));
	r->dst.family = rtm->rtm_family;
	if (rtm->rtm_dst_len > addr_bits(&r->dst))
		return -1;
	r->dst.plen = rtm->rtm_dst_len;
	if (tb[RTA_DST]) {
		get_addr(&r->dst, rtm->rtm_family, tb[RTA_DST], rtm->rtm_dst_len);
		if (!r->dst.family)
			return -1;
	}
	get_addr(&r->gw, rtm->rtm_family, tb[RTA_GATEWAY], 0);
	get_addr(&r->src, rtm->rtm_family, tb[RTA_PREFSRC], 0);
	r->gw.plen = (uint8_t)addr_bits(&r->dst);
	r->src.plen = r->gw.plen;
	r->table = tb[RTA_TABLE] ? nla_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	r->metric = nla_u32(tb[RTA_PRIORITY]);
	r->oif = (int)nla_u32(tb[RTA_OIF]);
	r->protocol = rtm->rtm_protocol;
	r->scope = rtm->rtm_scope;
	r->type = rtm->rtm_type;
	r->other = tb[RTA_MULTIPATH] || tb[RTA_ENCAP] || tb[RTA_VIA] || tb[RTA_NH_ID] ||
		   rtm->rtm_tos || rtm->rtm_src_len;
	return 0;
}

int rtnl_decode_rule(const struct nlmsghdr *h, struct rule *r)
{
	const struct fib_rule_hdr *frh = nlmsg_hdr_of(h, sizeof(*frh));
	const struct nlattr *tb[FRA_MAX + 1];

	if (h->nlmsg_type != RTM_NEWRULE || !frh ||
	    (frh->family != AF_INET && frh->family != AF_INET6))
		return -1;
	memset(r, 0, sizeof(*r));
	nlmsg_parse(tb, FRA_MAX, h, sizeof(*frh));
	r->family = frh->family;
	r->action = frh->action;
	r->priority = nla_u32(tb[FRA_PRIORITY]);
	r->table = tb[FRA_TABLE] ? nla_u32(tb[FRA_TABLE]) : frh->table;
	r->protocol = nla_u8(tb[FRA_PROTOCOL]);
	if (tb[FRA_SRC]) {
		get_addr(&r->src, frh->family, tb[FRA_SRC], frh->src_len);
		if (!r->src.family || frh->src_len > addr_bits(&r->src))
			return -1;
	}
	r->other =
		frh->dst_len || frh->tos || frh->flags || tb[FRA_IIFNAME] || tb[FRA_OIFNAME] ||
		tb[FRA_FWMARK] || tb[FRA_GOTO] || tb[FRA_L3MDEV] || tb[FRA_UID_RANGE] ||
		tb[FRA_IP_PROTO] || tb[FRA_SPORT_RANGE] || tb[FRA_DPORT_RANGE] || tb[FRA_TUN_ID] ||
		tb[FRA_FLOW] ||
		/* The kernel reports these as -1 when unset. */
		(tb[FRA_SUPPRESS_PREFIXLEN] && nla_u32(tb[FRA_SUPPRESS_PREFIXLEN]) != UINT32_MAX) ||
		(tb[FRA_SUPPRESS_IFGROUP] && nla_u32(tb[FRA_SUPPRESS_IFGROUP]) != UINT32_MAX);
	return 0;
}

/* ---- encoding ---- */

void rtnl_put_route(struct nlbuf *b, uint16_t type, uint16_t flags, const struct route *r)
{
	struct rtmsg *rtm = nlb_msg(b, type, flags, sizeof(*rtm));

	rtm->rtm_family = r->dst.family;
	rtm->rtm_dst_len = r->dst.plen;
	rtm->rtm_table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = r->protocol;
	rtm->rtm_scope = type == RTM_DELROUTE ? RT_SCOPE_NOWHERE : r->scope;
	rtm->rtm_type = r->type;
	nlb_put_u32(b, RTA_TABLE, r->table);
	if (r->dst.plen)
		nlb_put(b, RTA_DST, r->dst.b, addr_bytes(&r->dst));
	if (r->oif)
		nlb_put_u32(b, RTA_OIF, (uint32_t)r->oif);
	if (r->gw.family)
		nlb_put(b, RTA_GATEWAY, r->gw.b, addr_bytes(&r->gw));
	if (r->src.family)
		nlb_put(b, RTA_PREFSRC, r->src.b, addr_bytes(&r->src));
	nlb_put_u32(b, RTA_PRIORITY, r->metric);
}

void rtnl_put_rule(struct nlbuf *b, uint16_t type, uint16_t flags, const struct rule *r)
{
	struct fib_rule_hdr *frh = nlb_msg(b, type, flags, sizeof(*frh));

	frh->family = r->family;
	frh->action = r->action;
	frh->table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	frh->src_len = r->src.family ? r->src.plen : 0;
	nlb_put_u32(b, FRA_PRIORITY, r->priority);
	nlb_put_u32(b, FRA_TABLE, r->table);
	nlb_put_u8(b, FRA_PROTOCOL, r->protocol);
	if (r->src.family)
		nlb_put(b, FRA_SRC, r->src.b, addr_bytes(&r->src));
}

void rtnl_put_addr(struct nlbuf *b, uint16_t type, const struct laddr *a)
{
	struct ifaddrmsg *ifa =
		nlb_msg(b, type, type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0, sizeof(*ifa));

	ifa->ifa_family = a->a.family;
	ifa->ifa_prefixlen = a->a.plen;
	ifa->ifa_index = (uint32_t)a->ifindex;
	/* A rail's address is configured, not discovered: DAD would only delay it. */
	ifa->ifa_flags = a->a.family == AF_INET6 ? IFA_F_NODAD : 0;
	nlb_put(b, IFA_LOCAL, a->a.b, addr_bytes(&a->a));
	nlb_put(b, IFA_ADDRESS, a->a.b, addr_bytes(&a->a));
	/* Kernels before 6.3 ignore it; later ones show the address as railup's. */
	if (type == RTM_NEWADDR)
		nlb_put_u8(b, IFA_PROTO, RAILUP_PROTO);
}

void rtnl_put_link_up(struct nlbuf *b, int ifindex)
{
	struct ifinfomsg *ifi = nlb_msg(b, RTM_NEWLINK, 0, sizeof(*ifi));

	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
}

void rtnl_put_link_mtu(struct nlbuf *b, int ifindex, uint32_t mtu)
{
	struct ifinfomsg *ifi = nlb_msg(b, RTM_NEWLINK, 0, sizeof(*ifi));

	ifi->ifi_index = ifindex;
	nlb_put_u32(b, IFLA_MTU, mtu);
}

/* ---- observing ---- */

struct collect {
	const struct railmap *m;
	const uint32_t *tables; /* the rails' tables, sorted */
	struct observed *o;
	unsigned cap_link, cap_addr, cap_route, cap_rule;
	unsigned routes_kept; /* of the families dumped before: a restarted dump keeps them */
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x == y ? 0 : (x < y ? -1 : 1);
}

static int add_link(const struct nlmsghdr *h, void *arg)
{
	struct collect *c = arg;
	struct observed *o = c->o;

	if (!h) {
		o->nlink = 0;
		return 0;
	}
	o->link = xgrow(o->link, o->nlink, &c->cap_link, sizeof(*o->link));
	if (!rtnl_decode_link(h, &o->link[o->nlink]))
		o->nlink++;
	return 0;
}

static int add_addr(const struct nlmsghdr *h, void *arg)
{
	struct collect *c = arg;
	struct observed *o = c->o;

	if (!h) {
		o->naddr = 0;
		return 0;
	}
	o->addr = xgrow(o->addr, o->naddr, &c->cap_addr, sizeof(*o->addr));
	if (!rtnl_decode_addr(h, &o->addr[o->naddr]))
		o->naddr++;
	return 0;
}

/* railup's routes wherever they are, and everything in the rails' tables. */
static bool route_wanted(const struct collect *c, uint8_t protocol, uint32_t table)
{
	return protocol == RAILUP_PROTO ||
	       (c->m->n && bsearch(&table, c->tables, c->m->n, sizeof(uint32_t), cmp_u32));
}

static int add_route(const struct nlmsghdr *h, void *arg)
{
	struct collect *c = arg;
	struct observed *o = c->o;
	const struct rtmsg *rtm;
	struct route *r;

	if (!h) {
		o->nroute = c->routes_kept;
		return 0;
	}
	/*
	 * Most of a dump (the local and main tables) is neither: the header
	 * says so without decoding, unless the table is too large for it.
	 */
	rtm = nlmsg_hdr_of(h, sizeof(*rtm));
	if (rtm && rtm->rtm_table != RT_TABLE_COMPAT &&
	    !route_wanted(c, rtm->rtm_protocol, rtm->rtm_table))
		return 0;
	o->route = xgrow(o->route, o->nroute, &c->cap_route, sizeof(*o->route));
	r = &o->route[o->nroute];
	if (!rtnl_decode_route(h, r) && route_wanted(c, r->protocol, r->table))
		o->nroute++;
	return 0;
}

static int add_rule(const struct nlmsghdr *h, void *arg)
{
	struct collect *c = arg;
	struct observed *o = c->o;

	if (!h) {
		o->nrule = 0;
		return 0;
	}
	o->rule = xgrow(o->rule, o->nrule, &c->cap_rule, sizeof(*o->rule));
	if (!rtnl_decode_rule(h, &o->rule[o->nrule]))
		o->nrule++;
	return 0;
}

static const char *kind_of(uint16_t type)
{
	return type == RTM_GETLINK    ? "links"
	       : type == RTM_GETADDR  ? "addresses"
	       : type == RTM_GETROUTE ? "routes"
				      : "rules";
}

/*
 * A dump of one kind, with the header the kernel's strict checking of dump
 * requests wants (nl_open() asks for it). protocol filters a route dump.
 */
static int dump(struct nl *nl, uint16_t type, uint8_t family, uint8_t protocol, nl_msg_fn *fn,
		struct collect *c)
{
	struct nlbuf b = { 0 };
	char err[256];
	int ret;

	if (type == RTM_GETLINK) {
		struct ifinfomsg *ifi = nlb_msg(&b, type, NLM_F_DUMP, sizeof(*ifi));

		ifi->ifi_family = family;
		nlb_put_u32(&b, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	} else if (type == RTM_GETADDR) {
		struct ifaddrmsg *ifa = nlb_msg(&b, type, NLM_F_DUMP, sizeof(*ifa));

		ifa->ifa_family = family;
	} else if (type == RTM_GETROUTE) {
		struct rtmsg *rtm = nlb_msg(&b, type, NLM_F_DUMP, sizeof(*rtm));

		rtm->rtm_family = family;
		rtm->rtm_protocol = protocol;
	} else {
		struct fib_rule_hdr *frh = nlb_msg(&b, type, NLM_F_DUMP, sizeof(*frh));

		frh->family = family;
	}
	ret = nl_request(nl, &b, fn, c, err, sizeof(err));
	nlb_free(&b);
	if (ret == -EBUSY)
		log_err("reading the %s: they kept changing while read, for seconds",
			kind_of(type));
	else if (ret < 0)
		log_err("reading the %s: %s%s%s", kind_of(type), strerror(-ret), *err ? ": " : "",
			err);
	return ret;
}

static bool rails_speak(const struct railmap *m, uint8_t family)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->rail[i].addr.family == family)
			return true;
	return false;
}

/*
 * The routes, a dump per family. For a family no rail speaks only railup's
 * own routes count (left by an earlier map, to be removed): that dump asks
 * for railup's protocol alone, and the kernel fills nothing else. One dump
 * of every family made it fill, and railup decode, every link's IPv6
 * link-local, local and multicast routes (three and more a link: over
 * half the routes of a namespace with 64 veth rails). A kernel that
 * ignores the filter sends everything, and route_wanted() still keeps only
 * what counts.
 */
static int dump_routes(struct nl *nl, const struct railmap *m, struct collect *c)
{
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	int ret = 0;

	for (unsigned i = 0; i < sizeof(families) && !ret; i++) {
		c->routes_kept = c->o->nroute;
		ret = dump(nl, RTM_GETROUTE, families[i],
			   rails_speak(m, families[i]) ? 0 : RAILUP_PROTO, add_route, c);
	}
	return ret;
}

/*
 * Whether the family's addresses count: a rail's, one the ledger holds (to
 * remove), or IPv4's when the host index comes from a NIC's address.
 */
static bool addrs_count(const struct railmap *m, const struct owned *owned, unsigned nowned,
			uint8_t family)
{
	if (rails_speak(m, family))
		return true;
	if (family == AF_INET && (m->host.source == HOST_ADDR || m->host.source == HOST_BOOTIF))
		return true;
	for (unsigned i = 0; i < nowned; i++)
		if (owned[i].kind == OWN_ADDR && owned[i].a.family == family)
			return true;
	return false;
}

/*
 * The addresses, of the families that count alone: each rail of an IPv4
 * node carries an IPv6 link-local address, which a dump of every family
 * had the kernel fill and railup decode for nothing, and a change to any of
 * them broke a read of them all.
 */
static int dump_addrs(struct nl *nl, const struct railmap *m, struct collect *c,
		      const struct owned *owned, unsigned nowned)
{
	bool v4 = addrs_count(m, owned, nowned, AF_INET);
	bool v6 = addrs_count(m, owned, nowned, AF_INET6);

	if (!v4 && !v6)
		return 0;
	return dump(nl, RTM_GETADDR,
		    v4 && v6 ? AF_UNSPEC
		    : v4     ? AF_INET
			     : AF_INET6,
		    0, add_addr, c);
}

int rtnl_observe(struct nl *nl, const struct railmap *m, struct observed *o)
{
	uint32_t *tables = xcalloc(m->n, sizeof(*tables));
	struct collect c = { .m = m, .tables = tables, .o = o };
	struct owned *owned = o->owned;
	unsigned nowned = o->nowned;
	bool v6;
	int ret;

	memset(o, 0, sizeof(*o));
	o->owned = owned;
	o->nowned = nowned;
	for (unsigned i = 0; i < m->n; i++)
		tables[i] = m->rail[i].o.table;
	xsort(tables, m->n, sizeof(*tables), cmp_u32);
	ret = dump(nl, RTM_GETLINK, AF_UNSPEC, 0, add_link, &c);
	if (!ret)
		ret = dump_addrs(nl, m, &c, owned, nowned);
	if (!ret)
		ret = dump_routes(nl, m, &c);
	/* AF_UNSPEC: one dump for every family's rules. */
	if (!ret)
		ret = dump(nl, RTM_GETRULE, AF_UNSPEC, 0, add_rule, &c);
	free(tables);
	/* IPv6's conf/all is not railup's: only an IPv6 rail's effective values read it. */
	v6 = rails_speak(m, AF_INET6);
	for (int k = 0; k < SC_COUNT; k++) {
		int v = sysctl_desc[k].family == AF_INET6 && !v6 ? -1 : sysctl_read("all", k);

		o->all[k] = v < 0 ? SC_UNSET : (int8_t)(v > 127 ? 127 : v);
	}
	observed_index(o);
	return ret;
}

static void observed_index_links(struct observed *o);

int rtnl_observe_links(struct nl *nl, struct observed *o)
{
	struct collect c = { .o = o };
	int ret;

	free(o->link);
	o->link = NULL;
	o->nlink = 0;
	ret = dump(nl, RTM_GETLINK, AF_UNSPEC, 0, add_link, &c);
	observed_index_links(o);
	return ret;
}

void observed_free(struct observed *o)
{
	free(o->link);
	free(o->addr);
	free(o->route);
	free(o->rule);
	free(o->owned);
	free(o->by_index);
	memset(o, 0, sizeof(*o));
}

/* ---- lookups ---- */

static int link_cmp(const void *a, const void *b)
{
	return strcmp(((const struct link *)a)->name, ((const struct link *)b)->name);
}

static int laddr_cmp(const void *a, const void *b)
{
	struct ipaddr x = ((const struct laddr *)a)->a, y = ((const struct laddr *)b)->a;

	x.plen = y.plen = 0;
	return addr_cmp(&x, &y);
}

int route_key_cmp(const struct route *a, const struct route *b)
{
	int c;

	if (a->table != b->table)
		return a->table < b->table ? -1 : 1;
	c = addr_cmp(&a->dst, &b->dst);
	if (c)
		return c;
	return a->metric == b->metric ? 0 : (a->metric < b->metric ? -1 : 1);
}

static int route_qcmp(const void *a, const void *b)
{
	return route_key_cmp(a, b);
}

static int rule_qcmp(const void *a, const void *b)
{
	uint32_t x = ((const struct rule *)a)->priority, y = ((const struct rule *)b)->priority;

	return x == y ? 0 : (x < y ? -1 : 1);
}

static const struct observed *sort_obs;

static int index_cmp(const void *a, const void *b)
{
	int x = sort_obs->link[*(const unsigned *)a].ifindex;
	int y = sort_obs->link[*(const unsigned *)b].ifindex;

	return x == y ? 0 : (x < y ? -1 : 1);
}

static void index_by_ifindex(struct observed *o)
{
	o->by_index = xrealloc(o->by_index, (o->nlink ? o->nlink : 1) * sizeof(*o->by_index));
	for (unsigned i = 0; i < o->nlink; i++)
		o->by_index[i] = i;
	sort_obs = o;
	xsort(o->by_index, o->nlink, sizeof(*o->by_index), index_cmp);
	sort_obs = NULL;
}

static void observed_index_links(struct observed *o)
{
	xsort(o->link, o->nlink, sizeof(*o->link), link_cmp);
	index_by_ifindex(o);
}

void observed_link_remove(struct observed *o, int ifindex)
{
	for (unsigned i = 0; i < o->nlink; i++)
		if (o->link[i].ifindex == ifindex) {
			memmove(&o->link[i], &o->link[i + 1],
				(o->nlink - i - 1) * sizeof(*o->link));
			o->nlink--;
			index_by_ifindex(o);
			return;
		}
}

void observed_link_update(struct observed *o, const struct link *l)
{
	const struct link *was = observed_link_by_index(o, l->ifindex);
	unsigned i, cap = o->nlink;

	/* Most events change a known link's state, not its name: its place stays. */
	if (was && !strcmp(was->name, l->name)) {
		o->link[was - o->link] = *l;
		return;
	}
	observed_link_remove(o, l->ifindex);
	o->link = xgrow(o->link, o->nlink, &cap, sizeof(*o->link));
	for (i = o->nlink; i > 0 && strcmp(o->link[i - 1].name, l->name) > 0; i--)
		o->link[i] = o->link[i - 1];
	o->link[i] = *l;
	o->nlink++;
	index_by_ifindex(o);
}

void observed_conf_set(struct observed *o, int ifindex, enum sysctl_key k, int value)
{
	const struct link *l = ifindex ? observed_link_by_index(o, ifindex) : NULL;

	if (!ifindex)
		o->all[k] = (int8_t)value;
	else if (l)
		o->link[l - o->link].conf[k] = (int8_t)value;
}

void observed_mtu_set(struct observed *o, int ifindex, uint32_t mtu)
{
	const struct link *l = observed_link_by_index(o, ifindex);

	if (l)
		o->link[l - o->link].mtu = mtu;
}

void observed_index(struct observed *o)
{
	observed_index_links(o);
	xsort(o->addr, o->naddr, sizeof(*o->addr), laddr_cmp);
	xsort(o->route, o->nroute, sizeof(*o->route), route_qcmp);
	/* Rules keep the kernel's order within a priority: it is their order of use. */
	for (unsigned i = 1; i < o->nrule; i++) {
		struct rule r = o->rule[i];
		unsigned j = i;

		if (o->rule[j - 1].priority <= r.priority)
			continue;
		while (j > 0 && o->rule[j - 1].priority > r.priority) {
			o->rule[j] = o->rule[j - 1];
			j--;
		}
		o->rule[j] = r;
	}
}

/* The first element equal to key in a sorted array, or NULL. */
static const void *lower_bound(const void *key, const void *base, unsigned n, size_t size,
			       int (*cmp)(const void *, const void *))
{
	unsigned lo = 0, hi = n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (cmp((const char *)base + mid * size, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && !cmp((const char *)base + lo * size, key))
		return (const char *)base + lo * size;
	return NULL;
}

const struct link *observed_link(const struct observed *o, const char *name)
{
	struct link key;

	text_copy(key.name, sizeof(key.name), name);
	return lower_bound(&key, o->link, o->nlink, sizeof(key), link_cmp);
}

const struct link *observed_link_by_index(const struct observed *o, int ifindex)
{
	unsigned lo = 0, hi = o->nlink;

	while (lo < hi && o->by_index) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct link *l = &o->link[o->by_index[mid]];

		if (l->ifindex == ifindex)
			return l;
		if (l->ifindex < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct laddr *observed_addr(const struct observed *o, const struct ipaddr *a)
{
	struct laddr key = { .a = *a };

	return lower_bound(&key, o->addr, o->naddr, sizeof(key), laddr_cmp);
}

const struct route *observed_route(const struct observed *o, const struct route *r)
{
	return lower_bound(r, o->route, o->nroute, sizeof(*r), route_qcmp);
}

const struct rule *observed_rules_at(const struct observed *o, uint32_t priority)
{
	struct rule key = { .priority = priority };

	return lower_bound(&key, o->rule, o->nrule, sizeof(key), rule_qcmp);
}

bool route_equiv(const struct route *a, const struct route *b)
{
	return !route_key_cmp(a, b) && a->oif == b->oif && addr_same_ip(&a->gw, &b->gw) &&
	       addr_same_ip(&a->src, &b->src) && a->scope == b->scope && a->type == b->type &&
	       !a->other && !b->other;
}

bool route_same(const struct route *a, const struct route *b)
{
	return route_equiv(a, b) && a->protocol == b->protocol;
}

bool rule_same(const struct rule *a, const struct rule *b)
{
	return a->family == b->family && a->priority == b->priority && a->table == b->table &&
	       a->action == b->action && addr_eq(&a->src, &b->src) && !a->other && !b->other;
}

/* ---- routing decisions ---- */

struct got {
	struct route *out;
	bool found;
};

static int got_route(const struct nlmsghdr *h, void *arg)
{
	struct got *g = arg;

	if (h && !g->found && !rtnl_decode_route(h, g->out))
		g->found = true;
	return 0;
}

int rtnl_route_get(struct nl *nl, const struct ipaddr *dst, const struct ipaddr *src, int oif,
		   bool fibmatch, struct route *out, char *err, size_t errlen)
{
	struct got g = { .out = out };
	struct nlbuf b = { 0 };
	struct rtmsg *rtm = nlb_msg(&b, RTM_GETROUTE, 0, sizeof(*rtm));
	int ret;

	rtm->rtm_family = dst->family;
	rtm->rtm_dst_len = (uint8_t)addr_bits(dst);
	rtm->rtm_src_len = src ? (uint8_t)addr_bits(src) : 0;
	/* IPv6 answers with the table anyway, and its strict checking refuses the flag. */
	rtm->rtm_flags = (dst->family == AF_INET ? RTM_F_LOOKUP_TABLE : 0) |
			 (fibmatch ? RTM_F_FIB_MATCH : 0);
	nlb_put(&b, RTA_DST, dst->b, addr_bytes(dst));
	if (src)
		nlb_put(&b, RTA_SRC, src->b, addr_bytes(src));
	if (oif)
		nlb_put_u32(&b, RTA_OIF, (uint32_t)oif);
	memset(out, 0, sizeof(*out));
	ret = nl_request(nl, &b, got_route, &g, err, errlen);
	nlb_free(&b);
	if (!ret && !g.found)
		ret = -ENOMSG;
	return ret;
}
