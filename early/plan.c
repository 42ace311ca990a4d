// SPDX-License-Identifier: GPL-2.0
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "plan.h"
#include "sysctl.h"
#include "text.h"
#include "udev.h"

/* The map's lookups the planner needs, built once per plan. */
struct ctx {
	const struct railmap *m;
	const struct observed *o;
	struct plan *p;
	unsigned *by_table;	 /* rail indexes sorted by table */
	unsigned *by_ifname;	 /* rail indexes sorted by interface name */
	struct rule *want_rules; /* every rail's rule, sorted */
};

static const struct ctx *sort_ctx;

static struct problem *problem(struct plan *p, int rail, bool fatal, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static struct problem *problem(struct plan *p, int rail, bool fatal, const char *fmt, ...)
{
	struct problem *pb;
	va_list ap;

	p->pb = xgrow(p->pb, p->npb, &p->pbcap, sizeof(*p->pb));
	pb = &p->pb[p->npb++];
	pb->rail = rail;
	pb->fatal = fatal;
	pb->later = false;
	va_start(ap, fmt);
	vsnprintf(pb->msg, sizeof(pb->msg), fmt, ap);
	va_end(ap);
	return pb;
}

static struct change *add(struct plan *p, enum change_op op, int rail, const char *ifname)
{
	struct change *c;

	p->ch = xgrow(p->ch, p->n, &p->cap, sizeof(*p->ch));
	c = &p->ch[p->n++];
	memset(c, 0, sizeof(*c));
	c->op = (uint8_t)op;
	c->rail = rail;
	text_copy(c->ifname, sizeof(c->ifname), ifname ? ifname : "");
	return c;
}

/* A route of railup's to delete, with its device (by name, as ip(8) takes it). */
static void del_route(struct plan *p, const struct observed *o, int rail, const struct route *e)
{
	const struct link *l = e->oif ? observed_link_by_index(o, e->oif) : NULL;

	add(p, CH_ROUTE_DEL, rail, l ? l->name : "")->route = *e;
}

/*
 * Room for n changes at once: a rail planned brings about eight (link,
 * address, two routes, rule, three values), and growing the list by
 * doubling would copy it again and again. Only the rails planned count: a
 * boot plans each rail alone as it comes up.
 */
static void reserve(struct plan *p, unsigned n)
{
	if (p->cap < n) {
		p->ch = xrealloc(p->ch, (size_t)n * sizeof(*p->ch));
		p->cap = n;
	}
}

/*
 * A NIC carries at most one rail per address family, and the families have
 * separate tables: rails are found by (table, family) and (ifname, family).
 */
static int table_key(const struct rail *r, uint32_t table, uint8_t family)
{
	if (r->o.table != table)
		return r->o.table < table ? -1 : 1;
	return r->addr.family == family ? 0 : (r->addr.family < family ? -1 : 1);
}

static int ifname_key(const struct rail *r, const char *name, uint8_t family)
{
	int c = strcmp(rail_netdev(r), name);

	if (c)
		return c;
	return r->addr.family == family ? 0 : (r->addr.family < family ? -1 : 1);
}

static int table_cmp(const void *a, const void *b)
{
	const struct rail *y = &sort_ctx->m->rail[*(const unsigned *)b];

	return table_key(&sort_ctx->m->rail[*(const unsigned *)a], y->o.table, y->addr.family);
}

static int ifname_cmp(const void *a, const void *b)
{
	const struct rail *y = &sort_ctx->m->rail[*(const unsigned *)b];

	return ifname_key(&sort_ctx->m->rail[*(const unsigned *)a], rail_netdev(y), y->addr.family);
}

static int rule_cmp(const void *x, const void *y)
{
	const struct rule *a = x, *b = y;

	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	if (a->table != b->table)
		return a->table < b->table ? -1 : 1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return addr_cmp(&a->src, &b->src);
}

struct rule plan_rail_rule(const struct rail *r)
{
	struct rule u = {
		.family = r->addr.family,
		.action = FR_ACT_TO_TBL,
		.protocol = RAILUP_PROTO,
		.priority = r->o.priority,
		.table = r->o.table,
		.src = r->addr,
	};

	u.src.plen = (uint8_t)addr_bits(&r->addr);
	return u;
}

/* The rail that owns table t for the family, or -1. */
static int rail_of_table(const struct ctx *c, uint32_t t, uint8_t family)
{
	unsigned lo = 0, hi = c->m->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		int cmp = table_key(&c->m->rail[c->by_table[mid]], t, family);

		if (!cmp)
			return (int)c->by_table[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The rail of the family on interface name, or -1. */
static int rail_of_ifname(const struct ctx *c, const char *name, uint8_t family)
{
	unsigned lo = 0, hi = c->m->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		int cmp = ifname_key(&c->m->rail[c->by_ifname[mid]], name, family);

		if (!cmp)
			return (int)c->by_ifname[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* A rail of either family on interface name, or -1: the interface's own settings are its. */
static int rail_of_nic(const struct ctx *c, const char *name)
{
	int ri = rail_of_ifname(c, name, AF_INET);

	return ri >= 0 ? ri : rail_of_ifname(c, name, AF_INET6);
}

static void ctx_init(struct ctx *c, const struct railmap *m, const struct observed *o,
		     struct plan *p)
{
	c->m = m;
	c->o = o;
	c->p = p;
	c->by_table = xcalloc(m->n, sizeof(unsigned));
	c->by_ifname = xcalloc(m->n, sizeof(unsigned));
	c->want_rules = xcalloc(m->n, sizeof(struct rule));
	for (unsigned i = 0; i < m->n; i++) {
		c->by_table[i] = c->by_ifname[i] = i;
		c->want_rules[i] = plan_rail_rule(&m->rail[i]);
	}
	sort_ctx = c;
	xsort(c->by_table, m->n, sizeof(unsigned), table_cmp);
	xsort(c->by_ifname, m->n, sizeof(unsigned), ifname_cmp);
	xsort(c->want_rules, m->n, sizeof(struct rule), rule_cmp);
	sort_ctx = NULL;
}

static void ctx_free(struct ctx *c)
{
	free(c->by_table);
	free(c->by_ifname);
	free(c->want_rules);
}

unsigned plan_rail_routes(const struct rail *r, int ifindex, struct route out[2])
{
	unsigned n = 0;
	struct route base = {
		.table = r->o.table,
		.metric = r->addr.family == AF_INET6 ? 1024 : 0,
		.oif = ifindex,
		.src = r->addr,
		.protocol = RAILUP_PROTO,
		.type = RTN_UNICAST,
	};

	base.src.plen = (uint8_t)addr_bits(&r->addr);
	if (r->addr.plen < addr_bits(&r->addr)) {
		out[n] = base;
		out[n].dst = addr_network(&r->addr);
		/* IPv6 routes have no scope: the kernel keeps them all as universe. */
		out[n++].scope = r->addr.family == AF_INET ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
	}
	if (r->gw.family) {
		out[n] = base;
		out[n].gw = r->gw;
		out[n].scope = RT_SCOPE_UNIVERSE;
		if (r->o.fabric.family) {
			out[n].dst = r->o.fabric;
		} else {
			memset(&out[n].dst, 0, sizeof(out[n].dst));
			out[n].dst.family = r->addr.family;
		}
		n++;
	}
	return n;
}

static const char *proto_name(uint8_t p)
{
	static char buf[8];

	switch (p) {
	case RTPROT_KERNEL:
		return "kernel";
	case RTPROT_BOOT:
		return "boot";
	case RTPROT_STATIC:
		return "static";
	case RTPROT_DHCP:
		return "dhcp";
	}
	snprintf(buf, sizeof(buf), "%u", p);
	return buf;
}

/*
 * Whether an address railup added earlier on the rail's interface goes in
 * this plan: the kernel then flushes every route using it as source.
 */
static bool readdressed(const struct ctx *c, const struct rail *r, const struct link *l)
{
	const struct owned *e = ledger_first(c->o->owned, c->o->nowned, OWN_ADDR, l->ifindex);

	for (;
	     e && e < c->o->owned + c->o->nowned && e->kind == OWN_ADDR && e->ifindex == l->ifindex;
	     e++)
		if (e->a.family == r->addr.family && !addr_eq(&e->a, &r->addr))
			return true;
	return false;
}

/* Adds or replaces the rail's routes; false when a foreign route is in the way. */
static bool plan_routes(struct ctx *c, int ri, const struct link *l)
{
	bool flushed = readdressed(c, &c->m->rail[ri], l);
	const struct rail *r = &c->m->rail[ri];
	struct route want[2];
	unsigned n = plan_rail_routes(r, l->ifindex, want);
	char a[ADDR_STRLEN];

	for (unsigned i = 0; i < n; i++) {
		const struct route *e = observed_route(c->o, &want[i]);
		const struct route *end = c->o->route + c->o->nroute;
		bool same = false, owned = false;

		for (; e && e < end && !route_key_cmp(e, &want[i]); e++) {
			/* Another owner's route, just as railup would make it (networkd after
			 * railup export, say): the rail has it; railup leaves it be. */
			if (e->protocol != RAILUP_PROTO && route_equiv(e, &want[i])) {
				problem(c->p, ri, false,
					"table %u: %s is there already as railup would make it "
					"(proto %s): left as it is",
					r->o.table, addr_fmt(&e->dst, true, a),
					proto_name(e->protocol));
				same = true;
			} else if (e->protocol != RAILUP_PROTO) {
				problem(c->p, ri, true,
					"table %u already holds %s (proto %s), not railup's: left "
					"alone",
					r->o.table, addr_fmt(&e->dst, true, a),
					proto_name(e->protocol));
				return false;
			} else {
				owned = true;
				same |= route_same(e, &want[i]);
			}
		}
		if (!same || flushed) {
			struct change *ch =
				add(c->p, owned || flushed ? CH_ROUTE_REPLACE : CH_ROUTE_ADD, ri,
				    l->name);

			ch->route = want[i];
		}
	}
	return true;
}

static bool is_wanted_rule(const struct ctx *c, const struct rule *u)
{
	return bsearch(u, c->want_rules, c->m->n, sizeof(*u), rule_cmp) != NULL;
}

static void plan_rule(struct ctx *c, int ri)
{
	const struct rail *r = &c->m->rail[ri];
	struct rule want = plan_rail_rule(r);
	const struct rule *e = observed_rules_at(c->o, want.priority);
	const struct rule *end = c->o->rule + c->o->nrule;
	bool have = false, have_own = false;

	for (; e && e < end && e->priority == want.priority; e++) {
		if (rule_same(e, &want) && e->protocol == RAILUP_PROTO) {
			/* A copy (apply adds without the kernel's duplicate check): one goes. */
			if (have_own)
				add(c->p, CH_RULE_DEL, ri, "")->rule = *e;
			have = have_own = true;
		} else if (rule_same(e, &want)) {
			problem(c->p, ri, false,
				"rule priority %u already does this (proto %s), not railup's: "
				"left alone",
				want.priority, proto_name(e->protocol));
			have = true;
		} else if (e->protocol != RAILUP_PROTO && e->family == want.family) {
			problem(c->p, ri, false,
				"priority %u also holds a rule railup did not make", want.priority);
		}
	}
	if (!have)
		add(c->p, CH_RULE_ADD, ri, rail_netdev(r))->rule = want;
}

static bool in_scope(const uint8_t *rails, int ri, bool globals)
{
	return ri < 0 ? globals : !rails || rails[ri];
}

/* Whether a railup route is one its table's rail still wants. */
static bool is_wanted_route(const struct ctx *c, int ri, const struct route *e)
{
	struct route want[2];
	unsigned n = plan_rail_routes(&c->m->rail[ri], 0, want);

	for (unsigned j = 0; j < n; j++)
		if (!route_key_cmp(e, &want[j]))
			return true;
	return false;
}

/*
 * railup's rules and routes that no rail wants, each removed with the rail
 * whose table it is in, or with the map as a whole when no rail's.
 */
static void plan_stale(struct ctx *c, const uint8_t *rails, bool globals)
{
	for (unsigned i = 0; i < c->o->nrule; i++) {
		const struct rule *e = &c->o->rule[i];
		int ri = rail_of_table(c, e->table, e->family);

		if (e->protocol == RAILUP_PROTO && !is_wanted_rule(c, e) &&
		    in_scope(rails, ri, globals))
			add(c->p, CH_RULE_DEL, ri, "")->rule = *e;
	}
	for (unsigned i = 0; i < c->o->nroute; i++) {
		const struct route *e = &c->o->route[i];
		int ri = rail_of_table(c, e->table, e->dst.family);

		if (e->protocol == RAILUP_PROTO && (ri < 0 || !is_wanted_route(c, ri, e)) &&
		    in_scope(rails, ri, globals))
			del_route(c->p, c->o, ri, e);
	}
}

/* Whether railup added this address (then a changed prefix length is its to change). */
static bool ledger_addr(const struct ctx *c, int ifindex, const struct ipaddr *a)
{
	struct owned like = { .kind = OWN_ADDR, .ifindex = ifindex, .a = *a };

	return ledger_find(c->o->owned, c->o->nowned, &like) != NULL;
}

/*
 * The rail's address on its interface. The same address on another
 * interface is not railup's to remove: a warning, and verification shows
 * where RDMA traffic for it really lands.
 */
static bool plan_address(struct ctx *c, int ri, const struct link *l)
{
	const struct rail *r = &c->m->rail[ri];
	const struct laddr *a = observed_addr(c->o, &r->addr);
	const struct laddr *end = c->o->addr + c->o->naddr;
	char s[ADDR_STRLEN];
	bool have = false;

	for (; a && a < end && addr_same_ip(&a->a, &r->addr); a++) {
		const struct link *other = observed_link_by_index(c->o, a->ifindex);

		if (a->ifindex != l->ifindex) {
			problem(c->p, ri, false, "address %s is also on %s",
				addr_fmt(&r->addr, false, s),
				other ? other->name : "another interface");
		} else if (a->a.plen != r->addr.plen && !ledger_addr(c, l->ifindex, &a->a)) {
			problem(c->p, ri, true, "%s has %s, the map says /%u: left alone", l->name,
				addr_fmt(&a->a, true, s), r->addr.plen);
			return false;
		} else if (a->a.plen == r->addr.plen) {
			have = true;
		}
	}
	if (!(l->flags & IFF_UP))
		add(c->p, CH_LINK_UP, ri, l->name)->ifindex = l->ifindex;
	if (!have) {
		struct change *ch = add(c->p, CH_ADDR_ADD, ri, l->name);

		ch->addr.ifindex = l->ifindex;
		ch->addr.a = r->addr;
		ch->record = true;
	}
	return true;
}

/* What the ledger knows of a value of interface ifindex (0: conf/all). */
static const struct owned *ledger_sysctl(const struct ctx *c, int ifindex, int k)
{
	struct owned like = { .kind = OWN_SYSCTL, .ifindex = ifindex, .key = (uint8_t)k };

	return ledger_find(c->o->owned, c->o->nowned, &like);
}

/*
 * The rail's own values; values railup set before and the map no longer asks
 * for go back to what they were.
 */
/*
 * A value written through /proc/sys. (Over netlink, every interface whose
 * IPv4 values change would make the kernel walk the whole IPv6 routing table:
 * quadratic in the number of rails.)
 */
static struct change *add_sysctl(struct plan *p, int rail, const char *ifname, int ifindex, int k,
				 int value)
{
	struct change *c = add(p, CH_SYSCTL, rail, ifname);

	c->ifindex = ifindex;
	c->sysctl.key = (uint8_t)k;
	c->sysctl.value = (int8_t)value;
	return c;
}

static struct change *add_mtu(struct plan *p, int rail, const struct link *l, uint32_t mtu)
{
	struct change *c = add(p, CH_MTU, rail, l->name);

	c->ifindex = l->ifindex;
	c->mtu = mtu;
	return c;
}

/*
 * Undoes what a ledger entry records: puts a value back, deletes an address;
 * the entry goes once done. l is the interface now (NULL: gone, nothing to do).
 */
static void undo(struct plan *p, const struct owned *e, const struct link *l)
{
	struct change *ch;

	if (e->kind == OWN_SYSCTL && !e->ifindex) {
		add_sysctl(p, -1, "all", 0, e->key, e->orig)->forget = true;
	} else if (!l) {
		add(p, CH_FORGET, -1, e->ifname)->entry = *e;
	} else if (e->kind == OWN_MTU) {
		add_mtu(p, -1, l, (uint32_t)e->orig)->forget = true;
	} else if (e->kind == OWN_SYSCTL) {
		add_sysctl(p, -1, l->name, l->ifindex, e->key, e->orig)->forget = true;
	} else {
		ch = add(p, CH_ADDR_DEL, -1, l->name);
		ch->addr.ifindex = l->ifindex;
		ch->addr.a = e->a;
		ch->forget = true;
	}
}

/*
 * A value railup manages on an interface (a sysctl, the MTU): what the map
 * asks (unset: leave it; or, railup having set it before, put back what the
 * ledger holds from before railup) against what the kernel has now. The
 * value to set, or unset: nothing to change (one already back at its old
 * value only drops its ledger entry, planned here). *forget: the entry goes
 * once the value is set.
 */
static int plan_value(struct ctx *c, int ri, const struct link *l, const struct owned *rec, int ask,
		      int unset, int now, bool *forget)
{
	*forget = ask == unset && rec;
	if (*forget)
		ask = rec->orig;
	if (ask == unset || (ask == now && !*forget))
		return unset;
	if (ask == now) {
		add(c->p, CH_FORGET, ri, l->name)->entry = *rec;
		return unset;
	}
	return ask;
}

/* The ledger's part of a value's change: recorded with the old one unless railup has it. */
static void own_value(struct change *ch, const struct owned *rec, bool forget, int now)
{
	ch->forget = forget;
	ch->record = !rec;
	ch->orig = now;
}

/* The rail's own values (its family's). */
static void plan_devconf(struct ctx *c, int ri, const struct link *l)
{
	const struct rail *r = &c->m->rail[ri];

	for (int k = 0; k < SC_COUNT; k++) {
		const struct owned *rec;
		bool forget;
		int want;

		if (sysctl_desc[k].family != r->addr.family)
			continue;
		rec = ledger_sysctl(c, l->ifindex, k);
		want = plan_value(c, ri, l, rec, r->o.sysctl[k], SC_UNSET, l->conf[k], &forget);
		if (want != SC_UNSET)
			own_value(add_sysctl(c->p, ri, l->name, l->ifindex, k, want), rec, forget,
				  l->conf[k]);
	}
}

/*
 * The interface's MTU. Its IPv4 and IPv6 rail ask for the same one (the map
 * is checked for it) and both plan it: one change is kept.
 */
static void plan_mtu(struct ctx *c, int ri, const struct link *l)
{
	struct owned like = { .kind = OWN_MTU, .ifindex = l->ifindex };
	const struct owned *rec = ledger_find(c->o->owned, c->o->nowned, &like);
	bool forget;
	int want;

	/* An MTU the kernel did not report could not be put back: left alone. */
	if (!l->mtu)
		return;
	want = plan_value(c, ri, l, rec, (int)c->m->rail[ri].o.mtu, 0, (int)l->mtu, &forget);
	if (want)
		own_value(add_mtu(c->p, ri, l, (uint32_t)want), rec, forget, (int)l->mtu);
}

/* Rail i alone, or nothing of it when something is in the way. */
static void plan_rail(struct ctx *c, int ri)
{
	const struct rail *r = &c->m->rail[ri];
	const struct link *l = observed_link(c->o, rail_netdev(r));
	unsigned mark = c->p->n;

	if (!l) {
		problem(c->p, ri, true, "interface %s not found", rail_netdev(r))->later = true;
		return;
	}
	if (udev_holds(l)) {
		char why[120];

		/* Brought up now, it would keep a name udev is about to change. */
		udev_describe(l->udev, l->name, l->ifindex, why, sizeof(why));
		problem(c->p, ri, true, "%s: left down (railup boot waits for udev)", why)->later =
			true;
		return;
	}
	if (!plan_address(c, ri, l))
		return;
	plan_devconf(c, ri, l);
	plan_mtu(c, ri, l);
	if (!plan_routes(c, ri, l)) {
		c->p->n = mark;
		return;
	}
	plan_rule(c, ri);
}

int plan_min_ask(const struct railmap *m, enum sysctl_key k)
{
	int min_ask = SC_UNSET;

	for (unsigned i = 0; i < m->n; i++) {
		int ask = m->rail[i].o.sysctl[k];

		if (m->rail[i].addr.family == AF_INET && ask != SC_UNSET &&
		    (min_ask == SC_UNSET || ask < min_ask))
			min_ask = ask;
	}
	return min_ask;
}

/* conf/all: the map's value, lowered until every rail's own value takes effect. */
static void plan_all(struct ctx *c)
{
	for (int k = 0; k < SC_COUNT; k++) {
		const struct owned *rec = ledger_sysctl(c, 0, k);
		int min_ask = SC_UNSET, base, target, now = c->o->all[k];
		struct change *ch;
		bool release;

		/* conf/all of IPv6 keeps its own counsel: railup manages IPv4's. */
		if (sysctl_desc[k].family != AF_INET)
			continue;
		min_ask = plan_min_ask(c->m, k);
		base = c->m->all[k] != SC_UNSET ? c->m->all[k] : rec ? rec->orig : now;
		target = sysctl_all_target(k, base, now, min_ask);
		/* Back to what railup found, and not the map's to manage: the entry goes. */
		release = rec && c->m->all[k] == SC_UNSET && target == rec->orig;
		if (target < 0 || (target == now && !release))
			continue;
		if (target == now) {
			add(c->p, CH_FORGET, -1, "all")->entry = *rec;
			continue;
		}
		ch = add_sysctl(c->p, -1, "all", 0, k, target);
		ch->orig = (int8_t)now;
		ch->record = !rec;
		ch->forget = release;
	}
}

/* Ledger entries of interfaces and addresses no rail uses any more. */
static void plan_stale_ledger(struct ctx *c)
{
	for (unsigned i = 0; i < c->o->nowned; i++) {
		const struct owned *e = &c->o->owned[i];
		const struct link *l = observed_link_by_index(c->o, e->ifindex);
		uint8_t family = e->kind == OWN_ADDR ? e->a.family : sysctl_desc[e->key].family;
		int ri = !l		      ? -1
			 : e->kind == OWN_MTU ? rail_of_nic(c, l->name)
					      : rail_of_ifname(c, l->name, family);

		/* conf/all is plan_all's. */
		if (!e->ifindex)
			continue;
		if (ri >= 0 && (e->kind != OWN_ADDR || addr_eq(&c->m->rail[ri].addr, &e->a)))
			continue;
		undo(c->p, e, l);
	}
}

/* Stable, by phase: apply carries changes out in the order of enum change_op. */
static void sort_phases(struct plan *p)
{
	unsigned count[CH_COUNT + 1] = { 0 };
	struct change *out = xcalloc(p->n, sizeof(*out));

	for (unsigned i = 0; i < p->n; i++)
		count[p->ch[i].op + 1]++;
	for (unsigned k = 1; k <= CH_COUNT; k++)
		count[k] += count[k - 1];
	for (unsigned i = 0; i < p->n; i++)
		out[count[p->ch[i].op]++] = p->ch[i];
	free(p->ch);
	p->ch = out;
	p->cap = p->n;
}

static int by_ifindex(const void *a, const void *b)
{
	int x = ((const struct change *)a)->ifindex, y = ((const struct change *)b)->ifindex;

	return x == y ? 0 : (x < y ? -1 : 1);
}

/* The changes of one op, adjacent once sort_phases has run. */
static struct change *run_of(struct plan *p, enum change_op op, unsigned *n)
{
	unsigned i = 0;

	while (i < p->n && p->ch[i].op < op)
		i++;
	for (*n = 0; i + *n < p->n && p->ch[i + *n].op == op; (*n)++)
		;
	return p->ch + i;
}

/* The IPv4 and the IPv6 rail of one NIC both find it down (or its MTU off): one change will do. */
static void dedupe_link(struct plan *p, enum change_op op)
{
	unsigned n, keep = 0;
	struct change *run = run_of(p, op, &n);

	xsort(run, n, sizeof(*run), by_ifindex);
	for (unsigned i = 0; i < n; i++)
		if (!keep || run[keep - 1].ifindex != run[i].ifindex)
			run[keep++] = run[i];
	/*
	 * Nothing to drop: musl's memmove would still copy the plan's tail onto
	 * itself, backwards a byte at a time (6% of perf's samples of a first
	 * apply of 1024 rails).
	 */
	if (keep == n)
		return;
	memmove(run + keep, run + n, (size_t)(p->ch + p->n - (run + n)) * sizeof(*run));
	p->n -= n - keep;
}

static int by_priority_down(const void *a, const void *b)
{
	uint32_t x = ((const struct change *)a)->rule.priority;
	uint32_t y = ((const struct change *)b)->rule.priority;

	return x == y ? 0 : (x > y ? -1 : 1);
}

/*
 * The kernel puts a new rule in place by walking its list from the lowest
 * priority: added highest first, each walk stops at the rule added before
 * it instead of passing them all (quadratic over a map's rails).
 */
static void order_rule_adds(struct plan *p)
{
	unsigned n;
	struct change *run = run_of(p, CH_RULE_ADD, &n);

	xsort(run, n, sizeof(*run), by_priority_down);
}

void plan_up(const struct railmap *m, const struct observed *o, const uint8_t *rails, bool globals,
	     struct plan *p)
{
	struct ctx c;
	unsigned planned = 0;

	for (unsigned i = 0; i < m->n; i++)
		planned += !rails || rails[i];
	ctx_init(&c, m, o, p);
	reserve(p, p->n + 8 * planned + 16);
	if (globals) {
		plan_all(&c);
		plan_stale_ledger(&c);
	}
	plan_stale(&c, rails, globals);
	for (unsigned i = 0; i < m->n; i++)
		if (!rails || rails[i])
			plan_rail(&c, (int)i);
	ctx_free(&c);
	sort_phases(p);
	dedupe_link(p, CH_MTU);
	dedupe_link(p, CH_LINK_UP);
	order_rule_adds(p);
}

void plan_down(const struct observed *o, struct plan *p)
{
	for (unsigned i = 0; i < o->nrule; i++)
		if (o->rule[i].protocol == RAILUP_PROTO)
			add(p, CH_RULE_DEL, -1, "")->rule = o->rule[i];
	for (unsigned i = 0; i < o->nroute; i++)
		if (o->route[i].protocol == RAILUP_PROTO)
			del_route(p, o, -1, &o->route[i]);
	for (unsigned i = 0; i < o->nowned; i++)
		undo(p, &o->owned[i], observed_link_by_index(o, o->owned[i].ifindex));
	sort_phases(p);
}

static void print_sysctl(FILE *f, const char *dev, int k, int v)
{
	char name[SYSCTL_NAME_MAX];

	fprintf(f, "sysctl -w %s=%d\n", sysctl_name(name, dev, k), v);
}

static void print_route(FILE *f, const char *verb, const struct change *c)
{
	const struct route *r = &c->route;
	char a[ADDR_STRLEN];

	fprintf(f, "ip%s route %s %s", r->dst.family == AF_INET6 ? " -6" : "", verb,
		r->dst.plen ? addr_fmt(&r->dst, true, a) : "default");
	if (r->gw.family)
		fprintf(f, " via %s", addr_fmt(&r->gw, false, a));
	if (c->ifname[0])
		fprintf(f, " dev %s", c->ifname);
	if (r->src.family)
		fprintf(f, " src %s", addr_fmt(&r->src, false, a));
	fprintf(f, " table %u proto %u", r->table, r->protocol);
	if (r->scope == RT_SCOPE_LINK)
		fprintf(f, " scope link");
	if (r->metric && !(r->dst.family == AF_INET6 && r->metric == 1024))
		fprintf(f, " metric %u", r->metric);
	fputc('\n', f);
}

static void print_rule(FILE *f, const char *verb, const struct rule *u)
{
	char a[ADDR_STRLEN];

	fprintf(f, "ip%s rule %s from %s lookup %u priority %u proto %u\n",
		u->family == AF_INET6 ? " -6" : "", verb,
		u->src.family ? addr_fmt(&u->src, u->src.plen != addr_bits(&u->src), a) : "all",
		u->table, u->priority, u->protocol);
}

static void print_addr(FILE *f, const char *verb, const struct change *c)
{
	char a[ADDR_STRLEN];

	fprintf(f, "ip address %s %s dev %s%s\n", verb, addr_fmt(&c->addr.a, true, a), c->ifname,
		c->addr.a.family == AF_INET6 && *verb == 'a' ? " nodad" : "");
}

void plan_print(FILE *f, const struct plan *p)
{
	for (unsigned i = 0; i < p->n; i++) {
		const struct change *c = &p->ch[i];

		switch (c->op) {
		case CH_MTU:
			fprintf(f, "ip link set dev %s mtu %u\n", c->ifname, c->mtu);
			break;
		case CH_LINK_UP:
			fprintf(f, "ip link set dev %s up\n", c->ifname);
			break;
		case CH_ADDR_ADD:
			print_addr(f, "add", c);
			break;
		case CH_ADDR_DEL:
			print_addr(f, "del", c);
			break;
		case CH_SYSCTL:
			print_sysctl(f, c->ifname, c->sysctl.key, c->sysctl.value);
			break;
		case CH_RULE_DEL:
			print_rule(f, "del", &c->rule);
			break;
		case CH_RULE_ADD:
			print_rule(f, "add", &c->rule);
			break;
		case CH_ROUTE_ADD:
			print_route(f, "add", c);
			break;
		case CH_ROUTE_REPLACE:
			print_route(f, "replace", c);
			break;
		case CH_ROUTE_DEL:
			print_route(f, "del", c);
			break;
		}
	}
}

void change_describe(const struct change *c, char *buf, size_t n)
{
	struct plan one = { .ch = (struct change *)c, .n = 1 };
	FILE *f = fmemopen(buf, n, "w");
	size_t len;

	buf[0] = '\0';
	if (!f)
		return;
	plan_print(f, &one);
	fclose(f);
	buf[n - 1] = '\0';
	len = strlen(buf);
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	/* Several sysctl lines (one per value of an interface) make one message. */
	for (char *nl = buf; (nl = strchr(nl, '\n'));)
		*nl = ';';
}

void plan_keep(struct plan *p, unsigned ops)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->n; i++)
		if (ops & (1u << p->ch[i].op))
			p->ch[n++] = p->ch[i];
	p->n = n;
}

void plan_free(struct plan *p)
{
	free(p->ch);
	free(p->pb);
	memset(p, 0, sizeof(*p));
}
