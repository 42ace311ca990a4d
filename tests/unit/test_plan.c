// SPDX-License-Identifier: GPL-2.0
/*
 * plan.h, pure: a rail map and an observed state built by hand in, the
 * changes and problems out. Fresh links, converged states (idempotence),
 * changed maps, others' routes and rules, the ledger's restores, conf/all,
 * MTUs, `railup down`, the printed commands, and a map of 1024 rails.
 */
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* The seeds' layouts. */
#define SEED_A                                                                 \
	"rd.rail=ib0:10.0.1.14/24:10.0.1.1 rd.rail=ib1:10.0.2.14/24:10.0.2.1 " \
	"rd.rail=ib2:10.0.3.14/24:10.0.3.1 rd.rail=ib3:10.0.4.14/24:10.0.4.1"
#define SEED_B "rd.rail=ib0:10.0.0.11/24 rd.rail=ib1:10.0.0.12/24 rd.rail=ib2:10.0.0.13/24"
#define SEED_C                                                                 \
	"rd.rail.fabric=10.0.0.0/16 rd.rail=ib0:10.0.1.14/24:10.0.1.1 "        \
	"rd.rail=ib1:10.0.1.15/24:10.0.1.1 rd.rail=ib2:10.0.2.14/24:10.0.2.1 " \
	"rd.rail=ib3:10.0.2.15/24:10.0.2.1"

/* A route change by op, rail and destination prefix length. */
static const struct change *route_change(const struct plan *p, int op, int rail, unsigned plen)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->ch[i].op == op && (rail == ANY || p->ch[i].rail == rail) &&
		    p->ch[i].route.dst.plen == plen)
			return &p->ch[i];
	return NULL;
}

/* The change of net.ipv{4,6}.conf.<ifname>.<k>, or NULL. */
static const struct change *sc_change(const struct plan *p, const char *ifname, enum sysctl_key k)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->ch[i].op == CH_SYSCTL && p->ch[i].sysctl.key == k &&
		    !strcmp(p->ch[i].ifname, ifname))
			return &p->ch[i];
	return NULL;
}

static const struct change *all_change(const struct plan *p, enum sysctl_key k)
{
	return sc_change(p, "all", k);
}

/* Changes of interfaces' own values (not conf/all). */
static unsigned iface_sysctls(const struct plan *p)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->n; i++)
		n += p->ch[i].op == CH_SYSCTL && strcmp(p->ch[i].ifname, "all");
	return n;
}

static void expect_line(const struct plan *p, const char *line)
{
	if (!plan_has_line(p, line)) {
		char *text = plan_text(p);

		ck_abort_msg("no line [%s] in:\n%s", line, text);
	}
}

static void expect_nothing(const struct plan *p)
{
	if (p->n || p->npb) {
		char *text = plan_text(p);

		ck_abort_msg("%u changes, %u problems (first: %s):\n%s", p->n, p->npb,
			     p->npb ? p->pb[0].msg : "-", text);
	}
}

/* A test's map (and the one before it), what it observed and its plan: freed after it. */
static struct {
	struct railmap m, old;
	struct observed o;
	struct plan p;
} fx;

static void fx_setup(void)
{
	memset(&fx, 0, sizeof(fx));
	logcap_setup();
}

static void fx_teardown(void)
{
	plan_free(&fx.p);
	observed_free(&fx.o);
	railmap_free(&fx.m);
	railmap_free(&fx.old);
	logcap_teardown();
}

/* ---- a fresh map on bare links ---- */

START_TEST(test_fresh)
{
	map_ok(&fx.m, SEED_A, NULL);
	obs_fresh(&fx.o, &fx.m);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.npb, 0);
	assert_phase_order(&fx.p);
	ck_assert_uint_eq(plan_count(&fx.p, CH_LINK_UP, ANY), 4);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ADDR_ADD, ANY), 4);
	ck_assert_uint_eq(plan_count(&fx.p, CH_SYSCTL, ANY), 2 + 12);
	ck_assert_uint_eq(iface_sysctls(&fx.p), 12);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_ADD, ANY), 8);
	ck_assert_uint_eq(plan_count(&fx.p, CH_RULE_ADD, ANY), 4);
	ck_assert_uint_eq(fx.p.n, 34);

	for (int i = 0; i < 4; i++) {
		const struct rail *r = &fx.m.rail[i];
		const struct change *c;

		c = plan_nth(&fx.p, CH_LINK_UP, i, 0);
		ck_assert_int_eq(c->ifindex, i + 2);
		ck_assert_str_eq(c->ifname, r->name);

		c = plan_nth(&fx.p, CH_ADDR_ADD, i, 0);
		ck_assert_int_eq(c->addr.ifindex, i + 2);
		ck_assert(addr_eq(&c->addr.a, &r->addr));
		ck_assert_uint_eq(c->record, 1); /* railup's from now on */

		/* The RoCE profile's own values, each railup's from now on. */
		for (int k = 0; k < SC_COUNT; k++) {
			static const int want[SC_COUNT] = { 2,	      1,	2,	 SC_UNSET,
							    SC_UNSET, SC_UNSET, SC_UNSET };

			c = sc_change(&fx.p, r->name, k);
			if (want[k] == SC_UNSET) {
				ck_assert_ptr_null(c);
				continue;
			}
			ck_assert_ptr_nonnull(c);
			ck_assert_int_eq(c->rail, i);
			ck_assert_int_eq(c->sysctl.value, want[k]);
			ck_assert(c->record);
			ck_assert_int_eq(c->orig, 0);
		}

		/* The subnet's route: scope link, from the rail's address. */
		c = route_change(&fx.p, CH_ROUTE_ADD, i, 24);
		ck_assert_ptr_nonnull(c);
		ck_assert_uint_eq(c->route.table, 101 + (unsigned)i);
		ck_assert(addr_eq(&c->route.dst, &(struct ipaddr){ .family = AF_INET,
								   .plen = 24,
								   .b = { 10, 0, i + 1, 0 } }));
		ck_assert_uint_eq(c->route.gw.family, 0);
		ck_assert(addr_same_ip(&c->route.src, &r->addr));
		ck_assert_int_eq(c->route.oif, i + 2);
		ck_assert_uint_eq(c->route.scope, RT_SCOPE_LINK);
		ck_assert_uint_eq(c->route.protocol, RAILUP_PROTO);
		ck_assert_uint_eq(c->route.type, RTN_UNICAST);
		/* The default route, by the gateway. */
		c = route_change(&fx.p, CH_ROUTE_ADD, i, 0);
		ck_assert_ptr_nonnull(c);
		ck_assert_uint_eq(c->route.table, 101 + (unsigned)i);
		ck_assert_uint_eq(c->route.dst.family, AF_INET);
		ck_assert(addr_same_ip(&c->route.gw, &r->gw));
		ck_assert(addr_same_ip(&c->route.src, &r->addr));
		ck_assert_uint_eq(c->route.scope, RT_SCOPE_UNIVERSE);
		ck_assert_uint_eq(c->route.protocol, RAILUP_PROTO);

		c = plan_nth(&fx.p, CH_RULE_ADD, i, 0);
		ck_assert_uint_eq(c->rule.family, AF_INET);
		ck_assert_uint_eq(c->rule.action, FR_ACT_TO_TBL);
		ck_assert_uint_eq(c->rule.priority, 1001 + (unsigned)i);
		ck_assert_uint_eq(c->rule.table, 101 + (unsigned)i);
		ck_assert_uint_eq(c->rule.protocol, RAILUP_PROTO);
		ck_assert(addr_eq(&c->rule.src, &(struct ipaddr){ .family = AF_INET,
								  .plen = 32,
								  .b = { 10, 0, i + 1, 14 } }));
		ck_assert(!c->rule.other);
	}
	/* Rules go in highest priority first: the kernel's list walk for each stays short. */
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(plan_nth(&fx.p, CH_RULE_ADD, ANY, i)->rule.priority,
				  1004 - (unsigned)i);
	/* The RoCE profile's conf/all. */
	ck_assert_int_eq(all_change(&fx.p, SC_RP_FILTER)->sysctl.value, 2);
	ck_assert_int_eq(all_change(&fx.p, SC_RP_FILTER)->orig, 0);
	ck_assert_uint_eq(all_change(&fx.p, SC_RP_FILTER)->record, 1);
	ck_assert_int_eq(all_change(&fx.p, SC_RP_FILTER)->rail, -1);
	ck_assert_int_eq(all_change(&fx.p, SC_ACCEPT_LOCAL)->sysctl.value, 1);
}
END_TEST

START_TEST(test_fresh_print)
{
	static const char *const lines[] = {
		"ip link set dev ib0 up",
		"ip address add 10.0.1.14/24 dev ib0",
		"sysctl -w net.ipv4.conf.all.rp_filter=2",
		"sysctl -w net.ipv4.conf.all.accept_local=1",
		"sysctl -w net.ipv4.conf.ib0.rp_filter=2",
		"sysctl -w net.ipv4.conf.ib0.arp_ignore=1",
		"sysctl -w net.ipv4.conf.ib0.arp_announce=2",
		"ip route add 10.0.1.0/24 dev ib0 src 10.0.1.14 table 101 proto 114 scope link",
		"ip route add default via 10.0.1.1 dev ib0 src 10.0.1.14 table 101 proto 114",
		"ip rule add from 10.0.1.14 lookup 101 priority 1001 proto 114",
		"ip route add default via 10.0.4.1 dev ib3 src 10.0.4.14 table 104 proto 114",
		"ip rule add from 10.0.4.14 lookup 104 priority 1004 proto 114",
	};
	unsigned nl = 0;
	char *text;

	map_ok(&fx.m, SEED_A, NULL);
	obs_fresh(&fx.o, &fx.m);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	for (unsigned i = 0; i < ARRAY_SIZE(lines); i++)
		expect_line(&fx.p, lines[i]);
	text = plan_text(&fx.p);
	ck_assert(!strncmp(text, "ip link set dev ib0 up\n", 23));
	for (char *c = text; *c; c++)
		nl += *c == '\n';
	ck_assert_uint_eq(nl, 4 + 4 + 2 + 4 * 3 + 8 + 4);
	free(text);
}
END_TEST

START_TEST(test_fresh_one_subnet)
{
	map_ok(&fx.m, SEED_B, NULL);
	obs_fresh(&fx.o, &fx.m);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.npb, 0);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_ADD, ANY), 3);
	ck_assert_uint_eq(plan_count(&fx.p, CH_RULE_ADD, ANY), 3);
	for (int i = 0; i < 3; i++) {
		const struct change *c = route_change(&fx.p, CH_ROUTE_ADD, i, 24);

		ck_assert_ptr_nonnull(c);
		ck_assert_uint_eq(c->route.table, 101 + (unsigned)i);
		ck_assert_uint_eq(c->route.scope, RT_SCOPE_LINK);
		ck_assert_ptr_null(route_change(&fx.p, CH_ROUTE_ADD, i, 0));
	}
	expect_line(
		&fx.p,
		"ip route add 10.0.0.0/24 dev ib2 src 10.0.0.13 table 103 proto 114 scope link");
	expect_line(&fx.p, "ip rule add from 10.0.0.12 lookup 102 priority 1002 proto 114");
}
END_TEST

START_TEST(test_fresh_fabric)
{
	const struct change *c;

	map_ok(&fx.m, SEED_C, NULL);
	obs_fresh(&fx.o, &fx.m);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.npb, 0);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_ADD, ANY), 8);
	for (int i = 0; i < 4; i++) {
		c = route_change(&fx.p, CH_ROUTE_ADD, i, 16);
		ck_assert_ptr_nonnull(c);
		ck_assert(addr_eq(&c->route.dst, &fx.m.def.fabric));
		ck_assert(addr_same_ip(&c->route.gw, &fx.m.rail[i].gw));
		ck_assert_ptr_null(route_change(&fx.p, CH_ROUTE_ADD, i, 0)); /* no default route */
	}
	expect_line(&fx.p, "ip route add 10.0.0.0/16 via 10.0.1.1 dev ib1 src 10.0.1.15 table 102 "
			   "proto 114");
	expect_line(
		&fx.p,
		"ip route add 10.0.2.0/24 dev ib3 src 10.0.2.15 table 104 proto 114 scope link");
}
END_TEST

START_TEST(test_fresh_ipv6)
{
	const struct change *c;

	map_ok(&fx.m, "rd.rail=ib0:[fd00:1::14]/64:[fd00:1::1]", NULL);
	obs_fresh(&fx.o, &fx.m);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.npb, 0);
	/* IPv6's own knobs, none of IPv4's */
	ck_assert_ptr_null(sc_change(&fx.p, "ib0", SC_RP_FILTER));
	ck_assert_int_eq(sc_change(&fx.p, "ib0", SC_KEEP_ADDR_ON_DOWN)->sysctl.value, 1);
	ck_assert_ptr_null(sc_change(&fx.p, "ib0", SC_ACCEPT_RA)); /* 0 already */
	expect_line(&fx.p, "sysctl -w net.ipv6.conf.ib0.keep_addr_on_down=1");
	ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_ADD, 0), 2);
	c = route_change(&fx.p, CH_ROUTE_ADD, 0, 0);
	ck_assert_uint_eq(c->route.dst.family, AF_INET6);
	ck_assert_uint_eq(c->route.metric, 1024);
	ck_assert_uint_eq(plan_nth(&fx.p, CH_RULE_ADD, 0, 0)->rule.family, AF_INET6);
	expect_line(&fx.p, "ip address add fd00:1::14/64 dev ib0 nodad");
	expect_line(&fx.p, "ip -6 route add default via fd00:1::1 dev ib0 src fd00:1::14 table 101 "
			   "proto 114");
	expect_line(&fx.p, "ip -6 rule add from fd00:1::14 lookup 101 priority 1001 proto 114");
}
END_TEST

/* One NIC, an IPv4 and an IPv6 rail: one link-up, each family's objects in the shared table. */
#define DUAL                                                                         \
	"rd.rail=ib0:10.0.1.14/24:10.0.1.1 rd.rail=ib0:[fd00:1::14]/64:[fd00:1::1] " \
	"rd.rail=ib1:10.0.2.14/24"

START_TEST(test_dual_stack)
{
	map_ok(&fx.m, DUAL, NULL);
	obs_fresh(&fx.o, &fx.m);
	ck_assert_uint_eq(fx.o.nlink, 2);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.npb, 0);
	assert_phase_order(&fx.p);
	ck_assert_uint_eq(plan_count(&fx.p, CH_LINK_UP, ANY), 2);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ADDR_ADD, ANY), 3);
	ck_assert_ptr_nonnull(sc_change(&fx.p, "ib0", SC_RP_FILTER));
	ck_assert_ptr_nonnull(sc_change(&fx.p, "ib1", SC_RP_FILTER));
	ck_assert_int_eq(sc_change(&fx.p, "ib0", SC_KEEP_ADDR_ON_DOWN)->rail, 1);
	ck_assert_ptr_null(sc_change(&fx.p, "ib1", SC_KEEP_ADDR_ON_DOWN));
	ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_ADD, ANY), 5);
	ck_assert_uint_eq(plan_count(&fx.p, CH_RULE_ADD, ANY), 3);
	ck_assert_uint_eq(route_change(&fx.p, CH_ROUTE_ADD, 1, 0)->route.table, 101);
	ck_assert_uint_eq(route_change(&fx.p, CH_ROUTE_ADD, 1, 0)->route.dst.family, AF_INET6);
	ck_assert_int_eq(plan_nth(&fx.p, CH_ADDR_ADD, 1, 0)->addr.ifindex, 2);
	expect_line(&fx.p, "ip -6 rule add from fd00:1::14 lookup 101 priority 1001 proto 114");
	expect_line(&fx.p, "ip rule add from 10.0.1.14 lookup 101 priority 1001 proto 114");
	plan_free(&fx.p);
	observed_free(&fx.o);

	obs_converge(&fx.o, &fx.m, true);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	expect_nothing(&fx.p);
}
END_TEST

/* The IPv6 rail leaves the map: its objects go, the IPv4 rail's in the same table stay. */
START_TEST(test_dual_stack_one_removed)
{
	map_ok(&fx.old, DUAL, NULL);
	obs_converge(&fx.o, &fx.old, true);
	map_ok(&fx.m, "rd.rail=ib0:10.0.1.14/24:10.0.1.1 rd.rail=ib1:10.0.2.14/24", NULL);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.npb, 0);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_DEL, -1), 2);
	ck_assert_uint_eq(plan_count(&fx.p, CH_RULE_DEL, -1), 1);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ADDR_DEL, -1), 1);
	/* and the IPv6 value railup set on ib0 goes back */
	ck_assert_uint_eq(plan_count(&fx.p, CH_SYSCTL, -1), 1);
	ck_assert_uint_eq(fx.p.n, 5);
	for (unsigned i = 0; i < fx.p.n; i++) {
		const struct change *c = &fx.p.ch[i];

		if (c->op == CH_SYSCTL) {
			ck_assert_uint_eq(c->sysctl.key, SC_KEEP_ADDR_ON_DOWN);
			ck_assert_int_eq(c->sysctl.value, 0);
			ck_assert_uint_eq(c->forget, 1);
		} else if (c->op == CH_ROUTE_DEL)
			ck_assert_uint_eq(c->route.dst.family, AF_INET6);
		else if (c->op == CH_RULE_DEL)
			ck_assert_uint_eq(c->rule.family, AF_INET6);
		else
			ck_assert_uint_eq(c->addr.a.family, AF_INET6);
	}
	expect_line(&fx.p, "ip address del fd00:1::14/64 dev ib0");
	expect_line(&fx.p, "sysctl -w net.ipv6.conf.ib0.keep_addr_on_down=0");
}
END_TEST

/* Links already up, the address already there (someone else's): left as they are. */
START_TEST(test_partly_there)
{
	map_ok(&fx.m, "rd.rail=ib0:10.0.1.14/24:10.0.1.1", NULL);
	obs_link(&fx.o, 2, "ib0", UP);
	obs_addr(&fx.o, 2, ip("10.0.1.14/24"), 0);
	obs_all(&fx.o, 2, 0, 0, 0, 1);
	obs_done(&fx.o);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.npb, 0);
	ck_assert_uint_eq(plan_count(&fx.p, CH_LINK_UP, ANY), 0);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ADDR_ADD, ANY), 0);
	ck_assert_uint_eq(plan_count(&fx.p, CH_SYSCTL, -1), 0); /* conf/all is right already */
	ck_assert_uint_eq(iface_sysctls(&fx.p), 3);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_ADD, ANY), 2);
	ck_assert_uint_eq(plan_count(&fx.p, CH_RULE_ADD, ANY), 1);
}
END_TEST

START_TEST(test_dotted_name)
{
	map_ok(&fx.m, "rd.rail=ib0.8001:10.0.1.14/24", NULL);
	obs_fresh(&fx.o, &fx.m);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	expect_line(&fx.p, "sysctl -w net/ipv4/conf/ib0.8001/rp_filter=2");
	expect_line(&fx.p, "ip link set dev ib0.8001 up");
}
END_TEST

/* ---- idempotence ---- */

static const char *const converged_maps[] = {
	SEED_A,
	SEED_B,
	SEED_C,
	"rd.rail.profile=ipoib " SEED_A,
	"rd.rail.all.rp_filter=1 rd.rail.rp_filter=1 rd.rail.arp_filter=0 " SEED_B,
	"rd.rail=ib0:10.0.1.14/24:10.0.1.1,rp_filter=1,table=300,priority=50 "
	"rd.rail=ib1:10.0.2.14/24,rp_filter=,arp_ignore=8 rd.rail=ib2:10.0.3.14/32",
};

START_TEST(test_idempotent)
{
	map_ok(&fx.m, converged_maps[_i], NULL);
	obs_converge(&fx.o, &fx.m, true);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	expect_nothing(&fx.p);
	plan_free(&fx.p);
	observed_free(&fx.o);

	/* The same values set by someone else: railup has nothing to record either. */
	obs_converge(&fx.o, &fx.m, false);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	expect_nothing(&fx.p);
}
END_TEST

/* The kernel reports every IPv6 route with scope universe (rt6_fill_node): still converged. */
START_TEST(test_idempotent_ipv6)
{
	map_ok(&fx.m, "rd.rail=ib0:[fd00:1::14]/64:[fd00:1::1] rd.rail=ib1:[fd00:2::14]/64", NULL);
	obs_converge(&fx.o, &fx.m, true);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	expect_nothing(&fx.p);
}
END_TEST

/* ---- a changed map ---- */

/* What is not railup's, in and around the rails' tables. */
static void add_foreign(struct observed *o)
{
	obs_route(o, 101, ip("192.168.0.0/16"), ip("10.0.1.1"), NOADDR, 2, RTPROT_STATIC, 0);
	obs_route(o, RT_TABLE_MAIN, ip("0.0.0.0/0"), ip("192.0.2.1"), NOADDR, 1, RTPROT_DHCP, 0);
	obs_rule(o, AF_INET, 500, NOADDR, 200, RTPROT_BOOT);
	obs_rule(o, AF_INET, 1010, ip("10.0.1.14"), 101, RTPROT_STATIC);
	obs_done(o);
}

static void expect_foreign_untouched(const struct plan *p)
{
	for (unsigned i = 0; i < p->n; i++) {
		const struct change *c = &p->ch[i];

		if (c->op == CH_ROUTE_DEL || c->op == CH_ROUTE_REPLACE) {
			ck_assert_uint_eq(c->route.protocol, RAILUP_PROTO);
			ck_assert_uint_ne(c->route.table, RT_TABLE_MAIN);
			ck_assert_uint_ne(c->route.dst.plen, 16);
		}
		if (c->op == CH_RULE_DEL) {
			ck_assert_uint_eq(c->rule.protocol, RAILUP_PROTO);
			ck_assert_uint_ne(c->rule.priority, 500);
			ck_assert_uint_ne(c->rule.priority, 1010);
		}
	}
}

START_TEST(test_address_changed)
{
	const struct change *c;

	map_ok(&fx.old, SEED_A, NULL);
	obs_converge(&fx.o, &fx.old, true);
	add_foreign(&fx.o);
	map_ok(&fx.m,
	       "rd.rail=ib0:10.0.1.20/24:10.0.1.1 rd.rail=ib1:10.0.2.14/24:10.0.2.1 "
	       "rd.rail=ib2:10.0.3.14/24:10.0.3.1 rd.rail=ib3:10.0.4.14/24:10.0.4.1",
	       NULL);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(plan_problems(&fx.p, ANY, true), 0);
	assert_phase_order(&fx.p);
	ck_assert_uint_eq(plan_count(&fx.p, ANY, 1) + plan_count(&fx.p, ANY, 2) +
				  plan_count(&fx.p, ANY, 3),
			  0);

	c = plan_nth(&fx.p, CH_ADDR_ADD, 0, 0);
	ck_assert_ptr_nonnull(c);
	ck_assert(addr_eq(&c->addr.a, &fx.m.rail[0].addr));
	/* The fx.old address was railup's: it goes. */
	ck_assert_uint_eq(plan_count(&fx.p, CH_ADDR_DEL, ANY), 1);
	c = plan_nth(&fx.p, CH_ADDR_DEL, ANY, 0);
	ck_assert(addr_eq(&c->addr.a, &fx.old.rail[0].addr));
	ck_assert_int_eq(c->addr.ifindex, 2);
	ck_assert_uint_eq(c->forget, 1);
	/* Same keys, new source: replaced, not deleted. */
	ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_REPLACE, 0), 2);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_DEL, ANY), 0);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_ADD, ANY), 0);
	ck_assert(addr_same_ip(&route_change(&fx.p, CH_ROUTE_REPLACE, 0, 24)->route.src,
			       &fx.m.rail[0].addr));
	/* The fx.old rule goes, the new one comes. */
	ck_assert_uint_eq(plan_count(&fx.p, CH_RULE_DEL, ANY), 1);
	c = plan_nth(&fx.p, CH_RULE_DEL, ANY, 0);
	ck_assert(addr_same_ip(&c->rule.src, &fx.old.rail[0].addr));
	ck_assert_uint_eq(c->rule.priority, 1001);
	ck_assert_uint_eq(plan_count(&fx.p, CH_RULE_ADD, 0), 1);
	ck_assert_uint_eq(iface_sysctls(&fx.p), 0);
	expect_foreign_untouched(&fx.p);
	expect_line(&fx.p, "ip route replace 10.0.1.0/24 dev ib0 src 10.0.1.20 table 101 proto 114 "
			   "scope link");
	expect_line(&fx.p, "ip rule del from 10.0.1.14 lookup 101 priority 1001 proto 114");
	expect_line(&fx.p, "ip rule add from 10.0.1.20 lookup 101 priority 1001 proto 114");
	expect_line(&fx.p, "ip address del 10.0.1.14/24 dev ib0");
}
END_TEST

START_TEST(test_table_changed)
{
	map_ok(&fx.old, SEED_A, NULL);
	obs_converge(&fx.o, &fx.old, true);
	add_foreign(&fx.o);
	map_ok(&fx.m,
	       "rd.rail=ib0:10.0.1.14/24:10.0.1.1,table=201 rd.rail=ib1:10.0.2.14/24:10.0.2.1 "
	       "rd.rail=ib2:10.0.3.14/24:10.0.3.1 rd.rail=ib3:10.0.4.14/24:10.0.4.1",
	       NULL);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.npb, 0);
	assert_phase_order(&fx.p);
	/* The fx.old table's railup routes and rule go; the foreign route stays. */
	ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_DEL, ANY), 2);
	for (unsigned i = 0; i < 2; i++)
		ck_assert_uint_eq(plan_nth(&fx.p, CH_ROUTE_DEL, ANY, i)->route.table, 101);
	ck_assert_uint_eq(plan_count(&fx.p, CH_RULE_DEL, ANY), 1);
	ck_assert_uint_eq(plan_nth(&fx.p, CH_RULE_DEL, ANY, 0)->rule.table, 101);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_ADD, 0), 2);
	ck_assert_uint_eq(route_change(&fx.p, CH_ROUTE_ADD, 0, 0)->route.table, 201);
	ck_assert_uint_eq(plan_nth(&fx.p, CH_RULE_ADD, 0, 0)->rule.table, 201);
	ck_assert_uint_eq(plan_nth(&fx.p, CH_RULE_ADD, 0, 0)->rule.priority, 1001);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ADDR_ADD, ANY) + plan_count(&fx.p, CH_ADDR_DEL, ANY),
			  0);
	ck_assert_uint_eq(plan_count(&fx.p, ANY, 1) + plan_count(&fx.p, ANY, 2) +
				  plan_count(&fx.p, ANY, 3),
			  0);
	expect_foreign_untouched(&fx.p);
	expect_line(
		&fx.p,
		"ip route del 10.0.1.0/24 dev ib0 src 10.0.1.14 table 101 proto 114 scope link");
	expect_line(&fx.p,
		    "ip route add default via 10.0.1.1 dev ib0 src 10.0.1.14 table 201 proto 114");
	plan_free(&fx.p);

	/* Without globals, what belongs to no rail of the map stays. */
	plan_up(&fx.m, &fx.o, NULL, false, &fx.p);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_DEL, ANY), 0);
	ck_assert_uint_eq(plan_count(&fx.p, CH_RULE_DEL, ANY), 0);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_ADD, 0), 2);
}
END_TEST

/* A gateway changed: the same route keys, replaced. */
START_TEST(test_gateway_changed)
{
	map_ok(&fx.old, SEED_A, NULL);
	obs_converge(&fx.o, &fx.old, true);
	map_ok(&fx.m,
	       "rd.rail=ib0:10.0.1.14/24:10.0.1.254 rd.rail=ib1:10.0.2.14/24:10.0.2.1 "
	       "rd.rail=ib2:10.0.3.14/24:10.0.3.1 rd.rail=ib3:10.0.4.14/24:10.0.4.1",
	       NULL);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.n, 1);
	ck_assert_uint_eq(fx.p.ch[0].op, CH_ROUTE_REPLACE);
	expect_line(&fx.p,
		    "ip route replace default via 10.0.1.254 dev ib0 src 10.0.1.14 table 101 "
		    "proto 114");
}
END_TEST

/* ---- others' objects ---- */

START_TEST(test_foreign_route_at_key)
{
	const struct problem *pb;

	map_ok(&fx.m, SEED_A, NULL);
	obs_fresh(&fx.o, &fx.m);
	obs_route(&fx.o, 101, ip("10.0.1.0/24"), NOADDR, NOADDR, 2, RTPROT_STATIC, RT_SCOPE_LINK);
	obs_done(&fx.o);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.npb, 1);
	pb = plan_problem(&fx.p, 0);
	ck_assert_ptr_nonnull(pb);
	ck_assert(pb->fatal);
	ck_assert_ptr_nonnull(strstr(pb->msg, "table 101"));
	/* Nothing of that rail, all of the others. */
	ck_assert_uint_eq(plan_count(&fx.p, ANY, 0), 0);
	for (int i = 1; i < 4; i++) {
		ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_ADD, i), 2);
		ck_assert_uint_eq(plan_count(&fx.p, CH_RULE_ADD, i), 1);
	}
	ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_DEL, ANY), 0);
}
END_TEST

/* Another key in the rail's table is none of railup's business. */
START_TEST(test_foreign_route_elsewhere)
{
	map_ok(&fx.m, SEED_A, NULL);
	obs_converge(&fx.o, &fx.m, true);
	add_foreign(&fx.o);
	obs_route(&fx.o, 102, ip("10.0.2.0/24"), NOADDR, NOADDR, 3, RTPROT_STATIC, RT_SCOPE_LINK)
		->metric = 100;
	obs_done(&fx.o);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	/* Nor is a foreign rule from a rail's address at another priority. */
	expect_nothing(&fx.p);
}
END_TEST

START_TEST(test_foreign_identical_rule)
{
	const struct problem *pb;

	map_ok(&fx.m, SEED_A, NULL);
	obs_fresh(&fx.o, &fx.m);
	obs_rule(&fx.o, AF_INET, 1001, ip("10.0.1.14"), 101, RTPROT_BOOT);
	obs_done(&fx.o);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.npb, 1);
	pb = plan_problem(&fx.p, 0);
	ck_assert(!pb->fatal);
	ck_assert_ptr_nonnull(strstr(pb->msg, "1001"));
	ck_assert_uint_eq(plan_count(&fx.p, CH_RULE_ADD, 0), 0); /* not duplicated */
	ck_assert_uint_eq(plan_count(&fx.p, CH_RULE_DEL, ANY), 0);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_ADD, 0), 2);
	ck_assert_uint_eq(plan_count(&fx.p, CH_RULE_ADD, ANY), 3);
}
END_TEST

/* A copy of railup's own rule (a concurrent apply raced it in): one goes, one stays. */
START_TEST(test_own_rule_twice)
{
	const struct change *c;

	map_ok(&fx.m, SEED_A, NULL);
	obs_converge(&fx.o, &fx.m, true);
	obs_rule(&fx.o, AF_INET, 1002, ip("10.0.2.14"), 102, RAILUP_PROTO);
	obs_done(&fx.o);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.npb, 0);
	ck_assert_uint_eq(fx.p.n, 1);
	c = plan_nth(&fx.p, CH_RULE_DEL, 1, 0);
	ck_assert_uint_eq(c->rule.priority, 1002);
	ck_assert_uint_eq(c->rule.table, 102);
	ck_assert_uint_eq(c->rule.protocol, RAILUP_PROTO);
	ck_assert(addr_same_ip(&c->rule.src, &fx.m.rail[1].addr));
}
END_TEST

START_TEST(test_foreign_rule_same_priority)
{
	map_ok(&fx.m, SEED_A, NULL);
	obs_fresh(&fx.o, &fx.m);
	obs_rule(&fx.o, AF_INET, 1002, ip("10.9.9.9"), 300, RTPROT_UNSPEC);
	obs_done(&fx.o);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(plan_problems(&fx.p, 1, false), 1);
	ck_assert_uint_eq(plan_problems(&fx.p, ANY, true), 0);
	ck_assert_uint_eq(plan_count(&fx.p, CH_RULE_ADD, 1), 1);
	ck_assert_uint_eq(plan_count(&fx.p, CH_RULE_DEL, ANY), 0);
}
END_TEST

/* A rail whose netdev is not there is planned nothing, for later (apply does not wait). */
START_TEST(test_missing_interface)
{
	const struct problem *pb;

	map_ok(&fx.m, SEED_A, NULL);
	obs_all(&fx.o, 2, 0, 0, 0, 1);
	obs_link(&fx.o, 2, "ib0", 0);
	obs_link(&fx.o, 3, "ib1", 0);
	obs_link(&fx.o, 5, "ib3", 0);
	obs_done(&fx.o);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.npb, 1);
	pb = plan_problem(&fx.p, 2);
	ck_assert_ptr_nonnull(pb);
	ck_assert(pb->fatal && pb->later);
	ck_assert_str_eq(pb->msg, "interface ib2 not found");
	ck_assert_uint_eq(plan_count(&fx.p, ANY, 2), 0);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ADDR_ADD, ANY), 3);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_ADD, 3), 2);
}
END_TEST

static struct link *link_named(struct observed *o, const char *name)
{
	for (unsigned i = 0; i < o->nlink; i++)
		if (!strcmp(o->link[i].name, name))
			return &o->link[i];
	ck_abort_msg("no link %s", name);
	return NULL;
}

/*
 * A down netdev udev may still rename is left alone (brought up, it would
 * keep the kernel's name); an up one cannot be renamed any more: planned.
 */
START_TEST(test_udev_unsettled)
{
	const struct problem *pb;
	struct link *l;

	map_ok(&fx.m, SEED_A, NULL);
	obs_fresh(&fx.o, &fx.m);
	link_named(&fx.o, "ib1")->udev = UDEV_NO_ENTRY;
	link_named(&fx.o, "ib3")->udev = UDEV_QUEUE_BUSY;
	l = link_named(&fx.o, "ib2");
	l->udev = UDEV_QUEUE_BUSY;
	l->flags |= IFF_UP;
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.npb, 2);
	pb = plan_problem(&fx.p, 1);
	ck_assert_ptr_nonnull(pb);
	ck_assert(pb->fatal && pb->later);
	ck_assert_str_eq(pb->msg, "udev has not finished with ib1 (ifindex 3): left down "
				  "(railup boot waits for udev)");
	pb = plan_problem(&fx.p, 3);
	ck_assert_ptr_nonnull(pb);
	ck_assert(pb->fatal && pb->later);
	ck_assert_ptr_nonnull(strstr(pb->msg, "udev's queue is not empty: ib3 (ifindex 5)"));
	ck_assert_uint_eq(plan_count(&fx.p, ANY, 1), 0);
	ck_assert_uint_eq(plan_count(&fx.p, ANY, 3), 0);
	ck_assert_uint_eq(plan_count(&fx.p, CH_LINK_UP, 2), 0);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ADDR_ADD, 2), 1);
	ck_assert_uint_eq(plan_count(&fx.p, CH_LINK_UP, 0), 1);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_ADD, 0), 2);
}
END_TEST

/*
 * The rail's address on another interface: not railup's to remove. plan.c
 * makes it a warning (verification then shows where the traffic lands);
 * the rail is configured on its own interface all the same.
 */
START_TEST(test_address_elsewhere)
{
	const struct problem *pb;

	map_ok(&fx.m, SEED_A, NULL);
	obs_fresh(&fx.o, &fx.m);
	obs_addr(&fx.o, 3, ip("10.0.1.14/24"), 0); /* rail 0's address, on ib1 */
	obs_done(&fx.o);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.npb, 1);
	pb = plan_problem(&fx.p, 0);
	ck_assert_ptr_nonnull(pb);
	ck_assert(!pb->fatal);
	ck_assert_ptr_nonnull(strstr(pb->msg, "ib1"));
	ck_assert_int_eq(plan_nth(&fx.p, CH_ADDR_ADD, 0, 0)->addr.ifindex, 2);
	ck_assert_uint_eq(plan_count(&fx.p, CH_RULE_ADD, 0), 1);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ADDR_ADD, 1), 1);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ADDR_DEL, ANY), 0);
}
END_TEST

/* The address with another prefix, not railup's: left alone, the rail fails. */
START_TEST(test_address_other_prefix)
{
	map_ok(&fx.m, SEED_A, NULL);
	obs_fresh(&fx.o, &fx.m);
	obs_addr(&fx.o, 2, ip("10.0.1.14/16"), 0);
	obs_done(&fx.o);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(plan_problems(&fx.p, 0, true), 1);
	ck_assert_uint_eq(plan_count(&fx.p, ANY, 0), 0);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ADDR_DEL, ANY), 0);
}
END_TEST

/*
 * BUG: when the map changes only the prefix length of a rail's address and
 * the old address is railup's (in the ledger), the plan both fails the rail
 * ("ib0 has 10.0.1.14/24, the map says /16: left alone") and deletes that
 * address (the stale ledger entry). Expected: the old address replaced by
 * the new one, like any other changed address, and no fatal problem.
 */
START_TEST(test_own_address_prefix_changed)
{
	map_ok(&fx.old, "rd.rail=ib0:10.0.1.14/24:10.0.1.1", NULL);
	obs_converge(&fx.o, &fx.old, true);
	map_ok(&fx.m, "rd.rail=ib0:10.0.1.14/16:10.0.1.1", NULL);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_msg(plan_problems(&fx.p, 0, true) == 0, "fatal: %s",
		      fx.p.npb ? fx.p.pb[0].msg : "");
	ck_assert_uint_eq(plan_count(&fx.p, CH_ADDR_ADD, 0), 1);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ADDR_DEL, ANY), 1);
}
END_TEST

/* ---- conf/all ---- */

START_TEST(test_all_roce)
{
	map_ok(&fx.m, SEED_A, NULL);
	obs_fresh(&fx.o, &fx.m);
	fx.o.all[SC_RP_FILTER] = 2;
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(plan_count(&fx.p, CH_SYSCTL, -1), 1);
	ck_assert_int_eq(all_change(&fx.p, SC_ACCEPT_LOCAL)->sysctl.value, 1);
	plan_free(&fx.p);

	/* Unreadable conf/all with nothing to aim at: left alone. */
	railmap_free(&fx.m);
	map_ok(&fx.m, "rd.rail.all.rp_filter= rd.rail.all.accept_local= " SEED_A, NULL);
	fx.o.all[SC_RP_FILTER] = SC_UNSET;
	fx.o.all[SC_ACCEPT_LOCAL] = SC_UNSET;
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(plan_count(&fx.p, CH_SYSCTL, -1), 0);
}
END_TEST

/* IPoIB: rails ask rp_filter=1; conf/all at 2 would override them: lowered to 1. */
START_TEST(test_all_lowered)
{
	const struct change *c;

	map_ok(&fx.m, "rd.rail.profile=ipoib " SEED_A, NULL);
	obs_fresh(&fx.o, &fx.m);
	fx.o.all[SC_RP_FILTER] = 2;
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(plan_count(&fx.p, CH_SYSCTL, -1), 1);
	c = all_change(&fx.p, SC_RP_FILTER);
	ck_assert_int_eq(c->sysctl.value, 1);
	ck_assert_int_eq(c->sysctl.value,
			 sysctl_all_target(SC_RP_FILTER, SC_UNSET, 2, fx.m.rail[0].o.sysctl[0]));
	ck_assert_int_eq(c->orig, 2);
	ck_assert(c->record);
	expect_line(&fx.p, "sysctl -w net.ipv4.conf.all.rp_filter=1");
	expect_line(&fx.p, "sysctl -w net.ipv4.conf.ib2.arp_filter=1");
	plan_free(&fx.p);

	/* Already low enough: nothing for conf/all. */
	fx.o.all[SC_RP_FILTER] = 0;
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(plan_count(&fx.p, CH_SYSCTL, -1), 0);
}
END_TEST

/* railup lowered conf/all before; no rail asks any more: back to what it was. */
START_TEST(test_all_released)
{
	const struct change *c;

	map_ok(&fx.m, "rd.rail.profile=ipoib", NULL);
	obs_all(&fx.o, 1, 0, 0, 0, 0);
	obs_own_sysctl(&fx.o, "all", SC_RP_FILTER, 2);
	obs_done(&fx.o);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.n, 1);
	c = all_change(&fx.p, SC_RP_FILTER);
	ck_assert_int_eq(c->sysctl.value, 2);
	ck_assert_uint_eq(c->forget, 1);
	ck_assert_uint_eq(c->record, 0);
	plan_free(&fx.p);

	/* Already back: only the ledger entry goes. */
	fx.o.all[SC_RP_FILTER] = 2;
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.n, 1);
	ck_assert_uint_eq(fx.p.ch[0].op, CH_FORGET);
	ck_assert_str_eq(fx.p.ch[0].entry.ifname, "all");
}
END_TEST

/* ---- the ledger ---- */

/* A rail gone from the map: its values restored, its address and objects removed. */
START_TEST(test_rail_removed)
{
	map_ok(&fx.old, SEED_A, NULL);
	obs_converge(&fx.o, &fx.old, true);
	map_ok(&fx.m,
	       "rd.rail=ib0:10.0.1.14/24:10.0.1.1 rd.rail=ib1:10.0.2.14/24:10.0.2.1 "
	       "rd.rail=ib2:10.0.3.14/24:10.0.3.1",
	       NULL);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.npb, 0);
	assert_phase_order(&fx.p);
	ck_assert_uint_eq(plan_count(&fx.p, ANY, -1), fx.p.n); /* none of the map's rails */
	ck_assert_uint_eq(plan_count(&fx.p, CH_ADDR_DEL, ANY), 1);
	ck_assert_str_eq(plan_nth(&fx.p, CH_ADDR_DEL, ANY, 0)->ifname, "ib3");
	ck_assert_uint_eq(iface_sysctls(&fx.p), 3);
	for (unsigned i = 0; i < 3; i++) {
		const struct change *c = plan_nth(&fx.p, CH_SYSCTL, ANY, i);

		ck_assert_str_eq(c->ifname, "ib3");
		ck_assert_int_eq(c->sysctl.value, 0);
		ck_assert(c->forget);
	}
	ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_DEL, ANY), 2);
	ck_assert_uint_eq(plan_nth(&fx.p, CH_ROUTE_DEL, ANY, 1)->route.table, 104);
	ck_assert_uint_eq(plan_count(&fx.p, CH_RULE_DEL, ANY), 1);
	ck_assert_uint_eq(fx.p.n, 7);
	expect_line(&fx.p, "sysctl -w net.ipv4.conf.ib3.rp_filter=0");
	expect_line(&fx.p, "sysctl -w net.ipv4.conf.ib3.arp_announce=0");
	expect_line(&fx.p, "ip address del 10.0.4.14/24 dev ib3");
	expect_line(&fx.p, "ip rule del from 10.0.4.14 lookup 104 priority 1004 proto 114");
}
END_TEST

/* A value the map no longer manages goes back to what it was before railup. */
START_TEST(test_value_released)
{
	const struct change *c;

	map_ok(&fx.old, "rd.rail=ib0:10.0.1.14/24:10.0.1.1", NULL);
	obs_converge(&fx.o, &fx.old, true);
	map_ok(&fx.m, "rd.rail=ib0:10.0.1.14/24:10.0.1.1,rp_filter=,arp_ignore=2", NULL);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.n, 2);
	c = sc_change(&fx.p, "ib0", SC_RP_FILTER);
	ck_assert_int_eq(c->sysctl.value, 0);
	ck_assert(c->forget);
	c = sc_change(&fx.p, "ib0", SC_ARP_IGNORE);
	ck_assert_int_eq(c->sysctl.value, 2);
	ck_assert(!c->forget);
	ck_assert(!c->record); /* its value before railup is known already */
	ck_assert_ptr_null(sc_change(&fx.p, "ib0", SC_ARP_ANNOUNCE));
}
END_TEST

/* Ledger entries of interfaces that are gone: forgotten, nothing to undo. */
START_TEST(test_ledger_gone)
{
	map_ok(&fx.m, SEED_A, NULL);
	obs_converge(&fx.o, &fx.m, true);
	obs_own_addr(&fx.o, "ib7", ip("10.0.7.14/24"));
	obs_own_sysctl(&fx.o, "ib7", SC_ARP_IGNORE, 0);
	obs_done(&fx.o);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.n, 2);
	ck_assert_uint_eq(plan_count(&fx.p, CH_FORGET, -1), 2);
	ck_assert_str_eq(fx.p.ch[0].entry.ifname, "ib7");
	ck_assert_str_eq(fx.p.ch[1].entry.ifname, "ib7");
	ck_assert_uint_ne(fx.p.ch[0].entry.kind, fx.p.ch[1].entry.kind);
	plan_free(&fx.p);

	/* Without globals the ledger is not looked at. */
	plan_up(&fx.m, &fx.o, NULL, false, &fx.p);
	ck_assert_uint_eq(fx.p.n, 0);
}
END_TEST

/* ---- MTU ---- */

/* A NIC's MTU, asked by its IPv4 and IPv6 rail alike: one change, first, recorded with the old. */
START_TEST(test_mtu)
{
	const struct change *c;

	map_ok(&fx.m, "rd.rail.mtu=9000 " DUAL, NULL);
	obs_fresh(&fx.o, &fx.m);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.npb, 0);
	assert_phase_order(&fx.p);
	ck_assert_uint_eq(plan_count(&fx.p, CH_MTU, ANY), 2);
	ck_assert_uint_eq(fx.p.ch[0].op, CH_MTU);
	c = plan_nth(&fx.p, CH_MTU, ANY, 0);
	ck_assert_str_eq(c->ifname, "ib0");
	ck_assert_int_eq(c->ifindex, 2);
	ck_assert_uint_eq(c->mtu, 9000);
	ck_assert(c->record);
	ck_assert(!c->forget);
	ck_assert_int_eq(c->orig, 1500);
	expect_line(&fx.p, "ip link set dev ib0 mtu 9000");
	expect_line(&fx.p, "ip link set dev ib1 mtu 9000");
	plan_free(&fx.p);
	observed_free(&fx.o);

	obs_converge(&fx.o, &fx.m, true);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	expect_nothing(&fx.p);
	plan_free(&fx.p);

	/* Someone changed it since: set again, the value before railup kept. */
	fx.o.link[0].mtu = 1400;
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.n, 1);
	ck_assert_uint_eq(fx.p.ch[0].mtu, 9000);
	ck_assert(!fx.p.ch[0].record);
	plan_free(&fx.p);

	/* Not reported by the kernel: nothing to put back later, left alone. */
	fx.o.link[0].mtu = 0;
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	expect_nothing(&fx.p);
}
END_TEST

/* The map no longer asks: the MTU goes back, and its entry with it. */
START_TEST(test_mtu_released)
{
	const struct change *c;

	map_ok(&fx.old,
	       "rd.rail=ib0:10.0.1.14/24:10.0.1.1,mtu=9000 rd.rail=ib1:10.0.2.14/24,mtu=4200",
	       NULL);
	obs_converge(&fx.o, &fx.old, true);
	map_ok(&fx.m, "rd.rail=ib0:10.0.1.14/24:10.0.1.1,mtu=4092", NULL);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(plan_count(&fx.p, CH_MTU, ANY), 2);
	c = plan_nth(&fx.p, CH_MTU, 0, 0);
	ck_assert_uint_eq(c->mtu, 4092);
	ck_assert(!c->record && !c->forget);
	/* ib1 is no rail any more: undone with the rest of it */
	c = plan_nth(&fx.p, CH_MTU, -1, 0);
	ck_assert_str_eq(c->ifname, "ib1");
	ck_assert_uint_eq(c->mtu, 1500);
	ck_assert(c->forget);
	plan_free(&fx.p);
	railmap_free(&fx.m);

	/* Back where railup found it by someone else's hand: only the entry goes. */
	fx.o.link[0].mtu = 1500;
	map_ok(&fx.m, "rd.rail=ib0:10.0.1.14/24:10.0.1.1 rd.rail=ib1:10.0.2.14/24,mtu=", NULL);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(plan_count(&fx.p, CH_MTU, ANY), 1);
	ck_assert_str_eq(plan_nth(&fx.p, CH_MTU, ANY, 0)->ifname, "ib1");
	ck_assert_uint_eq(plan_count(&fx.p, CH_FORGET, 0), 1);
	ck_assert_uint_eq(plan_nth(&fx.p, CH_FORGET, 0, 0)->entry.kind, OWN_MTU);
	plan_free(&fx.p);

	/* down puts both back */
	plan_down(&fx.o, &fx.p);
	ck_assert_uint_eq(plan_count(&fx.p, CH_MTU, -1), 2);
	expect_line(&fx.p, "ip link set dev ib0 mtu 1500");
	expect_line(&fx.p, "ip link set dev ib1 mtu 1500");
}
END_TEST

/* Boot sets the MTU with the values, before it brings the link up. */
START_TEST(test_mtu_first)
{
	map_ok(&fx.m, "rd.rail=ib0:10.0.1.14/24:10.0.1.1,mtu=9000", NULL);
	obs_fresh(&fx.o, &fx.m);
	plan_up(&fx.m, &fx.o, NULL, false, &fx.p);
	plan_keep(&fx.p, PLAN_VALUES);
	ck_assert_uint_eq(plan_count(&fx.p, CH_MTU, 0), 1);
	ck_assert_uint_eq(plan_count(&fx.p, CH_LINK_UP, ANY), 0);
	ck_assert_uint_eq(fx.p.n, 1 + iface_sysctls(&fx.p));
}
END_TEST

/* ---- planning some rails ---- */

START_TEST(test_some_rails)
{
	const uint8_t rails[4] = { 0, 0, 1, 0 };

	map_ok(&fx.m, SEED_A, NULL);
	obs_fresh(&fx.o, &fx.m);
	obs_route(&fx.o, 900, ip("10.9.0.0/16"), NOADDR, NOADDR, 2, RAILUP_PROTO, 0);
	obs_rule(&fx.o, AF_INET, 1900, ip("10.9.0.1"), 900, RAILUP_PROTO);
	obs_done(&fx.o);
	plan_up(&fx.m, &fx.o, rails, false, &fx.p);
	ck_assert_uint_eq(plan_count(&fx.p, ANY, 2), fx.p.n);
	ck_assert_uint_eq(fx.p.n, 8); /* up, address, three values, two routes, rule */
	plan_free(&fx.p);

	/* With globals: conf/all and railup's leftovers in no rail's table too. */
	plan_up(&fx.m, &fx.o, rails, true, &fx.p);
	ck_assert_uint_eq(plan_count(&fx.p, CH_SYSCTL, -1), 2);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_DEL, -1), 1);
	ck_assert_uint_eq(plan_count(&fx.p, CH_RULE_DEL, -1), 1);
	ck_assert_uint_eq(plan_count(&fx.p, ANY, 2), 8);
	ck_assert_uint_eq(fx.p.n, 12);
}
END_TEST

/*
 * Boot writes a rail's values before it brings the link up (plan_keep), and
 * plans the rail again once it is ready: only the rest is left then.
 */
START_TEST(test_values_first)
{
	const uint8_t rails[4] = { 0, 0, 1, 0 };
	const struct change *c;

	map_ok(&fx.m, SEED_A, NULL);
	obs_fresh(&fx.o, &fx.m);
	plan_up(&fx.m, &fx.o, rails, false, &fx.p);
	plan_keep(&fx.p, PLAN_VALUES);
	ck_assert_uint_eq(fx.p.n, 3);
	ck_assert_uint_eq(plan_count(&fx.p, CH_SYSCTL, 2), 3);
	for (unsigned i = 0; i < fx.p.n; i++) {
		c = &fx.p.ch[i];
		ck_assert(c->record);
		ck_assert_int_eq(c->orig, 0);
		/* What apply does once a value is written. */
		observed_conf_set(&fx.o, c->ifindex, c->sysctl.key, c->sysctl.value);
		obs_own_sysctl(&fx.o, c->ifname, c->sysctl.key, c->orig);
	}
	obs_done(&fx.o);
	plan_free(&fx.p);

	plan_up(&fx.m, &fx.o, rails, false, &fx.p);
	ck_assert_uint_eq(plan_count(&fx.p, CH_SYSCTL, ANY), 0);
	ck_assert_uint_eq(plan_count(&fx.p, CH_FORGET, ANY), 0);
	ck_assert_uint_eq(fx.p.n, 5); /* up, address, two routes, rule */
	plan_keep(&fx.p, 1u << CH_LINK_UP);
	ck_assert_uint_eq(fx.p.n, 1);
	ck_assert_int_eq(fx.p.ch[0].rail, 2);
}
END_TEST

/* ---- down ---- */

START_TEST(test_down)
{
	map_ok(&fx.m, SEED_A, NULL);
	obs_converge(&fx.o, &fx.m, true);
	add_foreign(&fx.o);
	obs_own_addr(&fx.o, "ib9", ip("10.0.9.14/24"));
	obs_done(&fx.o);
	plan_down(&fx.o, &fx.p);
	ck_assert_uint_eq(fx.p.npb, 0);
	assert_phase_order(&fx.p);
	ck_assert_uint_eq(plan_count(&fx.p, CH_RULE_DEL, -1), 4);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_DEL, -1), 8);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ADDR_DEL, -1), 4);
	ck_assert_uint_eq(iface_sysctls(&fx.p), 12);
	ck_assert_uint_eq(plan_count(&fx.p, CH_SYSCTL, -1), 14);
	ck_assert_uint_eq(plan_count(&fx.p, CH_FORGET, -1), 1);
	ck_assert_uint_eq(fx.p.n, 31);
	ck_assert_int_eq(all_change(&fx.p, SC_RP_FILTER)->sysctl.value, 0);
	ck_assert_uint_eq(all_change(&fx.p, SC_RP_FILTER)->forget, 1);
	expect_foreign_untouched(&fx.p);
	expect_line(&fx.p, "ip rule del from 10.0.1.14 lookup 101 priority 1001 proto 114");
	expect_line(
		&fx.p,
		"ip route del 10.0.1.0/24 dev ib0 src 10.0.1.14 table 101 proto 114 scope link");
	expect_line(&fx.p,
		    "ip route del default via 10.0.3.1 dev ib2 src 10.0.3.14 table 103 proto 114");
	expect_line(&fx.p, "ip address del 10.0.1.14/24 dev ib0");
	expect_line(&fx.p, "sysctl -w net.ipv4.conf.ib2.arp_ignore=0");
	expect_line(&fx.p, "sysctl -w net.ipv4.conf.all.rp_filter=0");
	expect_line(&fx.p, "sysctl -w net.ipv4.conf.all.accept_local=0");
	plan_free(&fx.p);
	observed_free(&fx.o);

	/* Nothing of railup's: nothing to do. */
	obs_fresh(&fx.o, &fx.m);
	add_foreign(&fx.o);
	plan_down(&fx.o, &fx.p);
	ck_assert_uint_eq(fx.p.n, 0);
}
END_TEST

/* ---- a rail's own objects ---- */

START_TEST(test_rail_objects)
{
	struct route rt[2];
	struct rule u;

	map_ok(&fx.m,
	       "rd.rail=ib0:10.0.1.14/32 rd.rail=ib1:10.0.2.0/31:10.0.2.1 "
	       "rd.rail=ib2:[fd00::14]/64:[fd00::1],fabric=[fd00::]/16,table=7,priority=77",
	       NULL);
	ck_assert_uint_eq(plan_rail_routes(&fx.m.rail[0], 9, rt), 0);
	ck_assert_uint_eq(plan_rail_routes(&fx.m.rail[1], 9, rt), 2);
	ck_assert_uint_eq(rt[0].dst.plen, 31);
	ck_assert_int_eq(rt[1].oif, 9);
	ck_assert_uint_eq(plan_rail_routes(&fx.m.rail[2], 9, rt), 2);
	ck_assert_uint_eq(rt[0].metric, 1024);
	ck_assert_uint_eq(rt[1].metric, 1024);
	ck_assert_uint_eq(rt[1].dst.plen, 16);
	ck_assert_uint_eq(rt[1].table, 7);
	ck_assert_uint_eq(rt[1].src.plen, 128);
	u = plan_rail_rule(&fx.m.rail[2]);
	ck_assert_uint_eq(u.family, AF_INET6);
	ck_assert_uint_eq(u.priority, 77);
	ck_assert_uint_eq(u.table, 7);
	ck_assert_uint_eq(u.src.plen, 128);
	ck_assert_uint_eq(u.protocol, RAILUP_PROTO);
}
END_TEST

/* ---- a fleet: 1024 rails ---- */

static unsigned table_of(int rail)
{
	unsigned t = DEFAULT_TABLE + (unsigned)rail;

	return t >= 253 ? t + 3 : t;
}

START_TEST(test_1024_rails)
{
	enum { N = 1024 };
	struct text cmd = { 0 };
	uint8_t *seen = calloc(N, 1);

	/* Default numbering from 101, stepping over the reserved 253-255 at the 153rd rail. */
	for (unsigned i = 0; i < N; i++)
		text_add(&cmd, "rd.rail=r%u:10.%u.%u.14/24:10.%u.%u.1 ", i, i / 256, i % 256,
			 i / 256, i % 256);
	map_ok(&fx.m, cmd.s, NULL);
	text_free(&cmd);
	ck_assert_uint_eq(fx.m.n, N);
	obs_fresh(&fx.o, &fx.m);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	ck_assert_uint_eq(fx.p.npb, 0);
	assert_phase_order(&fx.p);
	ck_assert_uint_eq(plan_count(&fx.p, CH_LINK_UP, ANY), N);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ADDR_ADD, ANY), N);
	ck_assert_uint_eq(iface_sysctls(&fx.p), 3 * N);
	ck_assert_uint_eq(plan_count(&fx.p, CH_ROUTE_ADD, ANY), 2 * N);
	ck_assert_uint_eq(plan_count(&fx.p, CH_RULE_ADD, ANY), N);
	ck_assert_uint_eq(plan_count(&fx.p, CH_SYSCTL, ANY), 3 * N + 2);
	ck_assert_uint_eq(fx.p.n, 8 * N + 2);
	for (unsigned i = 0; i < fx.p.n; i++) {
		const struct change *c = &fx.p.ch[i];
		const struct rail *r = c->rail >= 0 ? &fx.m.rail[c->rail] : NULL;

		if (c->op == CH_ROUTE_ADD) {
			ck_assert_uint_eq(c->route.table, table_of(c->rail));
			ck_assert_int_eq(c->route.oif, c->rail + 2);
			ck_assert(addr_same_ip(&c->route.src, &r->addr));
		} else if (c->op == CH_RULE_ADD) {
			ck_assert_uint_eq(c->rule.table, table_of(c->rail));
			ck_assert_uint_eq(c->rule.priority, DEFAULT_PRIORITY + (unsigned)c->rail);
			ck_assert(addr_same_ip(&c->rule.src, &r->addr));
			ck_assert_uint_eq(seen[c->rail]++, 0);
			/* Highest priority first: no rule added walks past those before it. */
			ck_assert(c[-1].op != CH_RULE_ADD ||
				  c[-1].rule.priority > c->rule.priority);
		} else if (c->op == CH_ADDR_ADD) {
			ck_assert(addr_eq(&c->addr.a, &r->addr));
			ck_assert_str_eq(c->ifname, r->name);
		}
	}
	for (unsigned i = 0; i < N; i++)
		ck_assert_uint_eq(seen[i], 1);
	plan_free(&fx.p);
	observed_free(&fx.o);

	obs_converge(&fx.o, &fx.m, true);
	plan_up(&fx.m, &fx.o, NULL, true, &fx.p);
	expect_nothing(&fx.p);
	plan_free(&fx.p);
	observed_free(&fx.o);
	railmap_free(&fx.m);
	free(seen);
}
END_TEST

Suite *plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("fresh");

	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, test_fresh);
	tcase_add_test(tc, test_fresh_print);
	tcase_add_test(tc, test_fresh_one_subnet);
	tcase_add_test(tc, test_fresh_fabric);
	tcase_add_test(tc, test_fresh_ipv6);
	tcase_add_test(tc, test_dual_stack);
	tcase_add_test(tc, test_dual_stack_one_removed);
	tcase_add_test(tc, test_partly_there);
	tcase_add_test(tc, test_dotted_name);
	tcase_add_test(tc, test_rail_objects);
	suite_add_tcase(s, tc);

	tc = tcase_create("converged");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_loop_test(tc, test_idempotent, 0, ARRAY_SIZE(converged_maps));
	tcase_add_test(tc, test_idempotent_ipv6);
	suite_add_tcase(s, tc);

	tc = tcase_create("changes");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, test_address_changed);
	tcase_add_test(tc, test_table_changed);
	tcase_add_test(tc, test_gateway_changed);
	tcase_add_test(tc, test_foreign_route_at_key);
	tcase_add_test(tc, test_foreign_route_elsewhere);
	tcase_add_test(tc, test_foreign_identical_rule);
	tcase_add_test(tc, test_own_rule_twice);
	tcase_add_test(tc, test_foreign_rule_same_priority);
	tcase_add_test(tc, test_missing_interface);
	tcase_add_test(tc, test_udev_unsettled);
	tcase_add_test(tc, test_address_elsewhere);
	tcase_add_test(tc, test_address_other_prefix);
	tcase_add_test(tc, test_own_address_prefix_changed);
	tcase_add_test(tc, test_some_rails);
	tcase_add_test(tc, test_values_first);
	suite_add_tcase(s, tc);

	tc = tcase_create("sysctls and ledger");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, test_all_roce);
	tcase_add_test(tc, test_all_lowered);
	tcase_add_test(tc, test_all_released);
	tcase_add_test(tc, test_rail_removed);
	tcase_add_test(tc, test_value_released);
	tcase_add_test(tc, test_ledger_gone);
	tcase_add_test(tc, test_down);
	tcase_add_test(tc, test_mtu);
	tcase_add_test(tc, test_mtu_released);
	tcase_add_test(tc, test_mtu_first);
	suite_add_tcase(s, tc);

	tc = tcase_create("fleet");
	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, 60); /* a guard against hangs, not a measurement */
	tcase_add_test(tc, test_1024_rails);
	suite_add_tcase(s, tc);
	return s;
}
