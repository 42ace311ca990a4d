// SPDX-License-Identifier: GPL-2.0
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "plan.h"
#include "pmtu.h"
#include "rdmacm.h"
#include "rdmanl.h"
#include "sysctl.h"
#include "text.h"
#include "verify.h"

static void wrong(struct rail_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void wrong(struct rail_check *c, const char *fmt, ...)
{
	va_list ap;

	c->wrongs++;
	if (!c->ok)
		return;
	c->ok = false;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

/* The rail's rule, railup's or another owner's just like it. */
static bool has_rule(const struct observed *o, const struct rail *r, struct rail_check *c)
{
	struct rule want = plan_rail_rule(r);
	const struct rule *e = observed_rules_at(o, want.priority);

	for (; e && e < o->rule + o->nrule && e->priority == want.priority; e++)
		if (rule_same(e, &want)) {
			if (e->protocol != RAILUP_PROTO)
				c->foreign = e->protocol;
			return true;
		}
	return false;
}

static void count_routes(const struct observed *o, const struct rail *r, int ifindex,
			 struct rail_check *c)
{
	struct route want[2];

	c->routes_want = plan_rail_routes(r, ifindex, want);
	c->routes_have = 0;
	for (unsigned i = 0; i < c->routes_want; i++) {
		const struct route *e = observed_route(o, &want[i]);

		for (; e && e < o->route + o->nroute && !route_key_cmp(e, &want[i]); e++)
			if (route_equiv(e, &want[i])) {
				if (e->protocol != RAILUP_PROTO)
					c->foreign = e->protocol;
				c->routes_have++;
				break;
			}
	}
}

void verify_audit(const struct railmap *m, const struct observed *o, unsigned i,
		  struct rail_check *c)
{
	const struct rail *r = &m->rail[i];
	const char *ifname = rail_netdev(r);
	const struct laddr *a = observed_addr(o, &r->addr);

	memset(c, 0, sizeof(*c));
	c->ok = true;
	c->id.numa = -1;
	for (int k = 0; k < SC_COUNT; k++)
		c->dev[k] = c->eff[k] = SC_UNSET;
	if (r->st.phase == RAIL_FAILED) {
		wrong(c, "%s: %s", r->st.stage, r->st.error);
		return;
	}
	c->link = observed_link(o, ifname);
	if (!c->link) {
		wrong(c, "interface %s not found", ifname);
		return;
	}
	if (!(c->link->flags & IFF_UP))
		wrong(c, "%s is down", ifname);
	else if (!c->link->carrier)
		wrong(c, "%s has no carrier", ifname);
	for (; a && a < o->addr + o->naddr && addr_same_ip(&a->a, &r->addr); a++) {
		const struct link *other = observed_link_by_index(o, a->ifindex);

		if (a->ifindex == c->link->ifindex) {
			c->addr |= a->a.plen == r->addr.plen;
		} else {
			text_copy(c->elsewhere, sizeof(c->elsewhere),
				  other ? other->name : "(unknown)");
			wrong(c, "its address is also on %s", c->elsewhere);
		}
	}
	if (!c->addr)
		wrong(c, "%s lacks its address", ifname);
	c->rule = has_rule(o, r, c);
	if (!c->rule)
		wrong(c, "no rule from the rail's address to table %u at priority %u", r->o.table,
		      r->o.priority);
	count_routes(o, r, c->link->ifindex, c);
	c->table = c->routes_have >= c->routes_want;
	if (!c->table)
		wrong(c, "table %u holds %u of its %u routes", r->o.table, c->routes_have,
		      c->routes_want);
	c->sysctl_ok = true;
	for (int k = 0; k < SC_COUNT; k++) {
		if (sysctl_desc[k].family != r->addr.family)
			continue;
		c->dev[k] = c->link->conf[k];
		if (o->all[k] == SC_UNSET || c->dev[k] == SC_UNSET)
			continue;
		c->eff[k] = (int8_t)sysctl_effective(k, o->all[k], c->dev[k]);
		if (r->o.sysctl[k] != SC_UNSET && c->eff[k] != r->o.sysctl[k]) {
			c->sysctl_ok = false;
			wrong(c, "%s is %d in effect (all %d, %s %d), the map asks %d",
			      sysctl_desc[k].name, c->eff[k], o->all[k], ifname, c->dev[k],
			      r->o.sysctl[k]);
		}
	}
	if (r->o.mtu && c->link->mtu != r->o.mtu)
		wrong(c, "%s has MTU %u, the map asks %u", ifname, c->link->mtu, r->o.mtu);
}

bool verify_target(const struct rail *r, struct ipaddr *t)
{
	unsigned bits = addr_bits(&r->addr);

	if (r->gw.family) {
		*t = r->gw;
		t->plen = (uint8_t)bits;
		return true;
	}
	if (r->addr.plen >= bits)
		return false;
	/* A point-to-point pair (/31, /127): the other address of the two. */
	if (r->addr.plen == bits - 1) {
		*t = r->addr;
		t->b[addr_bytes(t) - 1] ^= 1;
		t->plen = (uint8_t)bits;
		return true;
	}
	/* The first host of the subnet, or the second when that one is ours. */
	*t = addr_network(&r->addr);
	if (addr_add_host(t, 1) || (addr_same_ip(t, &r->addr) && addr_add_host(t, 1)))
		return false;
	t->plen = (uint8_t)bits;
	return true;
}

void verify_decision(struct nl *nl, const struct observed *o, const struct rail *r,
		     struct rail_check *c)
{
	const struct link *out;
	char err[200], a[ADDR_STRLEN], b[ADDR_STRLEN];
	struct ipaddr src = r->addr;

	if (!c->link || !verify_target(r, &c->target))
		return;
	src.plen = (uint8_t)addr_bits(&src);
	c->decided = true;
	c->decision_err =
		rtnl_route_get(nl, &c->target, &src, 0, false, &c->decision, err, sizeof(err));
	if (c->decision_err) {
		wrong(c, "ip route get %s from %s: %s%s%s", addr_fmt(&c->target, false, a),
		      addr_fmt(&src, false, b), strerror(-c->decision_err), *err ? ": " : "", err);
		return;
	}
	out = observed_link_by_index(o, c->decision.oif);
	text_copy(c->decision_dev, sizeof(c->decision_dev), out ? out->name : "?");
	c->decision_ok = c->decision.oif == c->link->ifindex && c->decision.table == r->o.table;
	if (!c->decision_ok)
		wrong(c,
		      "ip route get %s from %s leaves by %s from table %u, not by %s from "
		      "table %u",
		      addr_fmt(&c->target, false, a), addr_fmt(&src, false, b), c->decision_dev,
		      c->decision.table, c->link->name, r->o.table);
}

/* The port a rail's RDMA traffic should use. */
static const struct rdma_port *expected_port(const struct rdma_port *v, unsigned n,
					     const struct rail *r, const struct link *l)
{
	if (r->match.kind == MATCH_IBDEV) {
		for (unsigned i = 0; i < n; i++)
			if (!strcmp(v[i].dev, r->match.ibdev) &&
			    (!r->match.port || v[i].port == r->match.port))
				return &v[i];
		return NULL;
	}
	return rdma_port_of_netdev(v, n, l->ifindex, l->name);
}

/* "rxe0/1", or the GUID when no known device has it. */
static const char *port_name(const struct rdma_port *v, unsigned n, const struct cm_where *w,
			     char buf[96])
{
	for (unsigned i = 0; i < n; i++)
		if (v[i].node_guid == w->node_guid && v[i].port == w->port) {
			snprintf(buf, 96, "%s/%u", v[i].dev, v[i].port);
			return buf;
		}
	snprintf(buf, 96, "guid %016llx port %u", (unsigned long long)w->node_guid, w->port);
	return buf;
}

/* One attempt at the RDMA checks; 0, or -1 with the reason in why. */
static int rdma_attempt(struct cm *cm, const struct rdma_port *v, unsigned n,
			const struct rdma_port *want, const struct rail *r, char *why, size_t len)
{
	struct cm_error e = { 0 };
	struct cm_where w;
	char a[ADDR_STRLEN], b[96], c[96];
	struct cm_where exp = { .node_guid = want->node_guid, .port = want->port };

	if (cm_bind_query(cm, &r->addr, &w, &e)) {
		text_copy(why, len, e.msg);
		return -1;
	}
	if (w.node_guid != want->node_guid || w.port != want->port) {
		snprintf(why, len, "RDMA bind: %s lands on %s, expected %s",
			 addr_fmt(&r->addr, false, a), port_name(v, n, &w, b),
			 port_name(v, n, &exp, c));
		return -1;
	}
	if (r->gw.family) {
		if (cm_resolve(cm, &r->addr, &r->gw, 2000, &w, &e)) {
			text_copy(why, len, e.msg);
			return -1;
		}
		if (w.node_guid != want->node_guid || w.port != want->port) {
			snprintf(why, len, "RDMA route to %s leaves by %s, expected %s",
				 addr_fmt(&r->gw, false, a), port_name(v, n, &w, b),
				 port_name(v, n, &exp, c));
			return -1;
		}
	}
	if (cm_loopback(cm, &r->addr, 2000, &e)) {
		text_copy(why, len, e.msg);
		return -1;
	}
	return 0;
}

static void verify_rdma(const struct rdma_port *v, unsigned n, const struct railmap *m,
			struct rail *r, const struct link *l, const struct rail_check *c)
{
	const struct rdma_port *want = expected_port(v, n, r, l);
	uint64_t deadline = clock_ms() + m->verify_timeout_ms;
	struct cm_error e = { 0 };
	struct cm cm = { .fd = -1 };
	char why[200] = "";
	unsigned tries = 0;

	if (!want) {
		rail_fail(r, "verify", "RDMA: no RDMA device serves %s%s%s", l->name,
			  r->match.kind == MATCH_IBDEV ? " as ibdev=" : "",
			  r->match.kind == MATCH_IBDEV ? r->match.ibdev : "");
		return;
	}
	text_copy(r->st.ibdev, sizeof(r->st.ibdev), want->dev);
	r->st.port = want->port;
	if (cm_open(&cm, &e)) {
		rail_fail(r, "verify", "%s", e.msg);
		return;
	}
	/* Right after boot the GID table fills asynchronously: early binds may fail. */
	do {
		tries++;
		if (!rdma_attempt(&cm, v, n, want, r, why, sizeof(why))) {
			r->st.phase = RAIL_VERIFIED;
			break;
		}
		log_debug("%s: attempt %u: %s", r->name, tries, why);
		nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
	} while (clock_ms() < deadline);
	cm_close(&cm);
	if (r->st.phase != RAIL_VERIFIED)
		rail_fail(r, "verify", "%s (%u attempt%s%s%s)", why, tries, tries == 1 ? "" : "s",
			  *c->elsewhere ? "; the address is also on " : "", c->elsewhere);
}

void verify_rail(struct nl *nl, const struct observed *o, const struct rdma_port *ports,
		 unsigned nports, const struct railmap *m, struct rail *r)
{
	struct rail_check c;
	char err[200], a[ADDR_STRLEN];
	struct ipaddr src = r->addr;
	struct route fib;
	int ret;

	/*
	 * What status checks, the boot checks: one meaning of "verified". An
	 * address also elsewhere still gets the RDMA checks, which tell where
	 * its traffic really lands.
	 */
	verify_audit(m, o, (unsigned)(r - m->rail), &c);
	if (!c.ok && !(c.wrongs == 1 && *c.elsewhere)) {
		rail_fail(r, "verify", "%s", c.why);
		return;
	}
	c.ok = true;
	verify_decision(nl, o, r, &c);
	if (!c.ok) {
		rail_fail(r, "verify", "%s", c.why);
		return;
	}
	if (c.decided) {
		src.plen = (uint8_t)addr_bits(&src);
		ret = rtnl_route_get(nl, &c.target, &src, c.link->ifindex, true, &fib, err,
				     sizeof(err));
		if (ret || fib.oif != c.link->ifindex) {
			rail_fail(r, "verify", "route to %s through %s as RDMA CM checks it: %s",
				  addr_fmt(&c.target, false, a), c.link->name,
				  ret ? strerror(-ret) : "another interface matches");
			return;
		}
	}
	if (r->o.verify)
		verify_rdma(ports, nports, m, r, c.link, &c);
	if (r->st.phase == RAIL_FAILED)
		return;
	if (r->o.pmtu && pmtu_probe(&r->addr, c.link->name, c.link->mtu,
				    r->o.pmtu_to.family ? &r->o.pmtu_to : &r->gw,
				    clock_ms() + m->verify_timeout_ms, err, sizeof(err))) {
		rail_fail(r, "verify", "%s", err);
		return;
	}
	if (*c.elsewhere)
		rail_fail(r, "verify", "its address is also on %s", c.elsewhere);
	else
		r->st.phase = RAIL_VERIFIED;
}
