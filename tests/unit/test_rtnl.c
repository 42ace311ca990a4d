// SPDX-License-Identifier: GPL-2.0
/*
 * rtnl.h: encoding and decoding routes, rules, addresses and links (round
 * trips through the encoders, changing nlmsg_type to the dump's where
 * needed), the decoders refusing malformed messages, the lookups over an
 * observed state, and the requests (route get, observe) against a fake kernel.
 */
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

static struct route route_of(uint32_t table, const char *dst, const char *gw, const char *src,
			     int oif, uint8_t scope)
{
	struct route r = {
		.table = table,
		.dst = ip(dst),
		.gw = gw ? ip(gw) : NOADDR,
		.src = src ? ip(src) : NOADDR,
		.oif = oif,
		.protocol = RAILUP_PROTO,
		.scope = scope,
		.type = RTN_UNICAST,
	};

	return r;
}

static struct rule rule_of(uint8_t family, uint32_t priority, const char *src, uint32_t table)
{
	struct rule u = {
		.family = family,
		.action = FR_ACT_TO_TBL,
		.protocol = RAILUP_PROTO,
		.priority = priority,
		.table = table,
		.src = src ? ip(src) : NOADDR,
	};

	return u;
}

/* The last message of b, as a dump would bring it. */
static struct nlmsghdr *as_dumped(struct nlbuf *b, uint16_t type, uint32_t seq)
{
	struct nlmsghdr *h = nlb_get(b, b->n - 1);

	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_MULTI;
	h->nlmsg_seq = seq;
	return h;
}

/* ---- routes ---- */

static void route_roundtrip(const struct route *in, uint16_t type, struct route *out)
{
	struct nlbuf b = { 0 };

	rtnl_put_route(&b, type, NLM_F_CREATE | NLM_F_EXCL, in);
	ck_assert_uint_eq(b.n, 1);
	ck_assert_int_eq(rtnl_decode_route(as_dumped(&b, RTM_NEWROUTE, 0), out), 0);
	nlb_free(&b);
}

START_TEST(test_route_subnet)
{
	struct route in = route_of(101, "10.0.1.0/24", NULL, "10.0.1.14", 3, RT_SCOPE_LINK), out;
	const struct nlattr *tb[RTA_MAX + 1];
	struct nlbuf b = { 0 };
	const struct rtmsg *rtm;
	struct nlmsghdr *h;

	rtnl_put_route(&b, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &in);
	h = nlb_get(&b, 0);
	ck_assert_uint_eq(h->nlmsg_type, RTM_NEWROUTE);
	ck_assert_uint_eq(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
	rtm = NLMSG_DATA(h);
	ck_assert_uint_eq(rtm->rtm_family, AF_INET);
	ck_assert_uint_eq(rtm->rtm_dst_len, 24);
	ck_assert_uint_eq(rtm->rtm_table, 101);
	ck_assert_uint_eq(rtm->rtm_protocol, RAILUP_PROTO);
	ck_assert_uint_eq(rtm->rtm_scope, RT_SCOPE_LINK);
	ck_assert_uint_eq(rtm->rtm_type, RTN_UNICAST);
	nlmsg_parse(tb, RTA_MAX, h, sizeof(*rtm));
	ck_assert_uint_eq(nla_u32(tb[RTA_TABLE]), 101);
	ck_assert_uint_eq(nla_u32(tb[RTA_OIF]), 3);
	ck_assert_ptr_null(tb[RTA_GATEWAY]);
	ck_assert_int_eq(nla_len(tb[RTA_DST]), 4);
	ck_assert_int_eq(nla_len(tb[RTA_PREFSRC]), 4);
	nlb_free(&b);

	route_roundtrip(&in, RTM_NEWROUTE, &out);
	ck_assert(route_same(&in, &out));
	ck_assert_int_eq(route_key_cmp(&in, &out), 0);
	ck_assert_uint_eq(out.table, 101);
	ck_assert(addr_eq(&out.dst, &in.dst));
	ck_assert(addr_same_ip(&out.src, &in.src));
	ck_assert_uint_eq(out.gw.family, 0);
	ck_assert_int_eq(out.oif, 3);
	ck_assert_uint_eq(out.metric, 0);
	ck_assert_uint_eq(out.protocol, RAILUP_PROTO);
	ck_assert_uint_eq(out.scope, RT_SCOPE_LINK);
	ck_assert(!out.other);
}
END_TEST

START_TEST(test_route_default)
{
	struct route in = route_of(4000, "0.0.0.0/0", "10.0.1.1", "10.0.1.14", 3, 0), out;
	const struct nlattr *tb[RTA_MAX + 1];
	struct nlbuf b = { 0 };

	rtnl_put_route(&b, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, &in);
	nlmsg_parse(tb, RTA_MAX, nlb_get(&b, 0), sizeof(struct rtmsg));
	ck_assert_ptr_null(tb[RTA_DST]); /* default: no destination */
	/* A table above 255 travels in RTA_TABLE only. */
	ck_assert_uint_eq(((struct rtmsg *)NLMSG_DATA(nlb_get(&b, 0)))->rtm_table, RT_TABLE_UNSPEC);
	ck_assert_uint_eq(nla_u32(tb[RTA_TABLE]), 4000);
	nlb_free(&b);

	route_roundtrip(&in, RTM_NEWROUTE, &out);
	ck_assert(route_same(&in, &out));
	ck_assert_uint_eq(out.table, 4000);
	ck_assert_uint_eq(out.dst.family, AF_INET);
	ck_assert_uint_eq(out.dst.plen, 0);
	ck_assert(addr_same_ip(&out.gw, &in.gw));
}
END_TEST

START_TEST(test_route_v6)
{
	struct route in = route_of(101, "[fd00:1::]/64", NULL, "fd00:1::14", 3, 0), out;

	in.metric = 1024;
	route_roundtrip(&in, RTM_NEWROUTE, &out);
	ck_assert(route_same(&in, &out));
	ck_assert_uint_eq(out.dst.family, AF_INET6);
	ck_assert_uint_eq(out.dst.plen, 64);
	ck_assert_uint_eq(out.metric, 1024);

	in = route_of(101, "[::]/0", "fd00:1::1", "fd00:1::14", 3, 0);
	in.metric = 1024;
	route_roundtrip(&in, RTM_NEWROUTE, &out);
	ck_assert(route_same(&in, &out));
}
END_TEST

START_TEST(test_route_delete)
{
	struct route in = route_of(101, "10.0.1.0/24", NULL, "10.0.1.14", 3, RT_SCOPE_LINK), out;
	struct nlbuf b = { 0 };

	rtnl_put_route(&b, RTM_DELROUTE, 0, &in);
	ck_assert_uint_eq(nlb_get(&b, 0)->nlmsg_flags, NLM_F_REQUEST);
	/* As it stands, a delete is no route to decode. */
	ck_assert_int_eq(rtnl_decode_route(nlb_get(&b, 0), &out), -1);
	ck_assert_int_eq(rtnl_decode_route(as_dumped(&b, RTM_NEWROUTE, 0), &out), 0);
	ck_assert_uint_eq(out.scope, RT_SCOPE_NOWHERE); /* matches any scope */
	ck_assert_int_eq(route_key_cmp(&in, &out), 0);
	nlb_free(&b);
}
END_TEST

START_TEST(test_route_malformed)
{
	struct route in = route_of(101, "10.0.1.0/24", NULL, "10.0.1.14", 3, RT_SCOPE_LINK), out;
	struct nlbuf b = { 0 };
	struct nlmsghdr *h;
	struct rtmsg *rtm;

	rtnl_put_route(&b, RTM_NEWROUTE, 0, &in);
	h = nlb_get(&b, 0);
	rtm = NLMSG_DATA(h);

	h->nlmsg_type = RTM_NEWLINK;
	ck_assert_int_eq(rtnl_decode_route(h, &out), -1);
	h->nlmsg_type = RTM_NEWROUTE;

	h->nlmsg_len = NLMSG_HDRLEN + sizeof(*rtm) - 1; /* cut in the header */
	ck_assert_int_eq(rtnl_decode_route(h, &out), -1);
	h->nlmsg_len = (uint32_t)b.len;

	rtm->rtm_family = AF_PACKET;
	ck_assert_int_eq(rtnl_decode_route(h, &out), -1);
	rtm->rtm_family = AF_INET;

	rtm->rtm_dst_len = 33;
	ck_assert_int_eq(rtnl_decode_route(h, &out), -1);
	rtm->rtm_dst_len = 24;

	ck_assert_int_eq(rtnl_decode_route(h, &out), 0);
	nlb_free(&b);

	/* A destination shorter than an address. */
	nlb_msg(&b, RTM_NEWROUTE, 0, sizeof(*rtm));
	rtm = NLMSG_DATA(nlb_get(&b, 0));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 24;
	nlb_put(&b, RTA_DST, "\x0a\x00", 2);
	ck_assert_int_eq(rtnl_decode_route(nlb_get(&b, 0), &out), -1);
	nlb_free(&b);

	/* An IPv6 route whose destination holds 4 bytes. */
	nlb_msg(&b, RTM_NEWROUTE, 0, sizeof(*rtm));
	rtm = NLMSG_DATA(nlb_get(&b, 0));
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 64;
	nlb_put(&b, RTA_DST, "\xfd\x00\x00\x00", 4);
	ck_assert_int_eq(rtnl_decode_route(nlb_get(&b, 0), &out), -1);
	nlb_free(&b);
}
END_TEST

/* Multipath, encapsulation, a source prefix, a TOS: never railup's shape. */
START_TEST(test_route_other)
{
	struct route in = route_of(101, "10.0.1.0/24", NULL, "10.0.1.14", 3, RT_SCOPE_LINK), out;
	struct nlbuf b = { 0 };

	rtnl_put_route(&b, RTM_NEWROUTE, 0, &in);
	nlb_put(&b, RTA_MULTIPATH, "\0\0\0\0\0\0\0\0", 8);
	ck_assert_int_eq(rtnl_decode_route(nlb_get(&b, 0), &out), 0);
	ck_assert(out.other);
	ck_assert(!route_same(&in, &out));
	nlb_free(&b);

	rtnl_put_route(&b, RTM_NEWROUTE, 0, &in);
	((struct rtmsg *)NLMSG_DATA(nlb_get(&b, 0)))->rtm_tos = 4;
	ck_assert_int_eq(rtnl_decode_route(nlb_get(&b, 0), &out), 0);
	ck_assert(out.other);
	nlb_free(&b);
}
END_TEST

START_TEST(test_route_same)
{
	struct route a = route_of(101, "0.0.0.0/0", "10.0.1.1", "10.0.1.14", 3, 0), b;

	b = a;
	ck_assert(route_same(&a, &b));
	b.gw = ip("10.0.1.2");
	ck_assert(!route_same(&a, &b));
	b = a;
	b.src = ip("10.0.1.15");
	ck_assert(!route_same(&a, &b));
	b = a;
	b.oif = 4;
	ck_assert(!route_same(&a, &b));
	b = a;
	b.protocol = RTPROT_STATIC;
	ck_assert(!route_same(&a, &b));
	b = a;
	b.scope = RT_SCOPE_LINK;
	ck_assert(!route_same(&a, &b));
	b = a;
	b.metric = 5;
	ck_assert(!route_same(&a, &b));
	ck_assert_int_lt(route_key_cmp(&a, &b), 0);
	b = a;
	b.table = 100;
	ck_assert_int_gt(route_key_cmp(&a, &b), 0);
	b = a;
	b.gw.plen = 7; /* a gateway's prefix length means nothing */
	ck_assert(route_same(&a, &b));
}
END_TEST

/* ---- rules ---- */

static void rule_roundtrip(const struct rule *in, struct rule *out)
{
	struct nlbuf b = { 0 };

	rtnl_put_rule(&b, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, in);
	ck_assert_int_eq(rtnl_decode_rule(nlb_get(&b, 0), out), 0);
	nlb_free(&b);
}

START_TEST(test_rule)
{
	struct rule in = rule_of(AF_INET, 1001, "10.0.1.14", 101), out;
	const struct nlattr *tb[FRA_MAX + 1];
	const struct fib_rule_hdr *frh;
	struct nlbuf b = { 0 };

	rtnl_put_rule(&b, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, &in);
	frh = NLMSG_DATA(nlb_get(&b, 0));
	ck_assert_uint_eq(frh->family, AF_INET);
	ck_assert_uint_eq(frh->action, FR_ACT_TO_TBL);
	ck_assert_uint_eq(frh->src_len, 32);
	ck_assert_uint_eq(frh->table, 101);
	nlmsg_parse(tb, FRA_MAX, nlb_get(&b, 0), sizeof(*frh));
	ck_assert_uint_eq(nla_u32(tb[FRA_PRIORITY]), 1001);
	ck_assert_uint_eq(nla_u32(tb[FRA_TABLE]), 101);
	ck_assert_uint_eq(nla_u8(tb[FRA_PROTOCOL]), RAILUP_PROTO);
	ck_assert_ptr_null(tb[FRA_DST]);
	nlb_free(&b);

	rule_roundtrip(&in, &out);
	ck_assert(rule_same(&in, &out));
	ck_assert_uint_eq(out.protocol, RAILUP_PROTO);
	ck_assert_uint_eq(out.priority, 1001);
	ck_assert_uint_eq(out.table, 101);
	ck_assert_uint_eq(out.src.plen, 32);
	ck_assert(!out.other);

	in = rule_of(AF_INET6, 1002, "fd00:1::14", 70000);
	rule_roundtrip(&in, &out);
	ck_assert(rule_same(&in, &out));
	ck_assert_uint_eq(out.table, 70000);
	ck_assert_uint_eq(out.src.plen, 128);

	/* from all */
	in = rule_of(AF_INET, 5, NULL, 5000);
	rule_roundtrip(&in, &out);
	ck_assert(rule_same(&in, &out));
	ck_assert_uint_eq(out.src.family, 0);
}
END_TEST

START_TEST(test_rule_malformed)
{
	struct rule in = rule_of(AF_INET, 1001, "10.0.1.14", 101), out;
	struct fib_rule_hdr *frh;
	struct nlbuf b = { 0 };
	struct nlmsghdr *h;

	rtnl_put_rule(&b, RTM_NEWRULE, 0, &in);
	h = nlb_get(&b, 0);
	frh = NLMSG_DATA(h);
	h->nlmsg_type = RTM_DELRULE;
	ck_assert_int_eq(rtnl_decode_rule(h, &out), -1);
	h->nlmsg_type = RTM_NEWRULE;
	h->nlmsg_len = NLMSG_HDRLEN + 4;
	ck_assert_int_eq(rtnl_decode_rule(h, &out), -1);
	h->nlmsg_len = (uint32_t)b.len;
	frh->family = AF_UNSPEC;
	ck_assert_int_eq(rtnl_decode_rule(h, &out), -1);
	frh->family = AF_INET;
	frh->src_len = 33;
	ck_assert_int_eq(rtnl_decode_rule(h, &out), -1);
	frh->src_len = 32;
	ck_assert_int_eq(rtnl_decode_rule(h, &out), 0);
	nlb_free(&b);

	/* An IPv6 rule whose source holds 4 bytes. */
	in.family = AF_INET6;
	rtnl_put_rule(&b, RTM_NEWRULE, 0, &in);
	ck_assert_int_eq(rtnl_decode_rule(nlb_get(&b, 0), &out), -1);
	nlb_free(&b);
}
END_TEST

/* Selectors railup never sets make a rule not railup's shape. */
START_TEST(test_rule_other)
{
	struct rule in = rule_of(AF_INET, 1001, "10.0.1.14", 101), out;
	struct nlbuf b = { 0 };

	rtnl_put_rule(&b, RTM_NEWRULE, 0, &in);
	nlb_put_str(&b, FRA_IIFNAME, "ib0");
	ck_assert_int_eq(rtnl_decode_rule(nlb_get(&b, 0), &out), 0);
	ck_assert(out.other);
	ck_assert(!rule_same(&in, &out));
	nlb_free(&b);

	/* The kernel reports these as -1 when unset. */
	rtnl_put_rule(&b, RTM_NEWRULE, 0, &in);
	nlb_put_u32(&b, FRA_SUPPRESS_PREFIXLEN, UINT32_MAX);
	nlb_put_u32(&b, FRA_SUPPRESS_IFGROUP, UINT32_MAX);
	ck_assert_int_eq(rtnl_decode_rule(nlb_get(&b, 0), &out), 0);
	ck_assert(!out.other);
	nlb_free(&b);

	rtnl_put_rule(&b, RTM_NEWRULE, 0, &in);
	nlb_put_u32(&b, FRA_SUPPRESS_PREFIXLEN, 0);
	ck_assert_int_eq(rtnl_decode_rule(nlb_get(&b, 0), &out), 0);
	ck_assert(out.other);
	nlb_free(&b);

	rtnl_put_rule(&b, RTM_NEWRULE, 0, &in);
	nlb_put_u32(&b, FRA_FWMARK, 1);
	ck_assert_int_eq(rtnl_decode_rule(nlb_get(&b, 0), &out), 0);
	ck_assert(out.other);
	nlb_free(&b);
}
END_TEST

START_TEST(test_rule_same)
{
	struct rule a = rule_of(AF_INET, 1001, "10.0.1.14", 101), b = a;

	/* The protocol is the caller's to compare: a foreign identical rule is the same rule. */
	b.protocol = RTPROT_BOOT;
	ck_assert(rule_same(&a, &b));
	b = a;
	b.table = 102;
	ck_assert(!rule_same(&a, &b));
	b = a;
	b.priority = 1002;
	ck_assert(!rule_same(&a, &b));
	b = a;
	b.src = ip("10.0.1.14/24");
	ck_assert(!rule_same(&a, &b));
	b = a;
	b.action = FR_ACT_UNREACHABLE;
	ck_assert(!rule_same(&a, &b));
	b = a;
	b.src = NOADDR;
	ck_assert(!rule_same(&a, &b));
}
END_TEST

/* ---- addresses ---- */

START_TEST(test_addr)
{
	struct laddr in = { .ifindex = 5, .a = ip("10.0.1.14/24") }, out;
	struct nlbuf b = { 0 };
	const struct ifaddrmsg *ifa;

	rtnl_put_addr(&b, RTM_NEWADDR, &in);
	ck_assert_uint_eq(nlb_get(&b, 0)->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
	ifa = NLMSG_DATA(nlb_get(&b, 0));
	ck_assert_uint_eq(ifa->ifa_prefixlen, 24);
	ck_assert_uint_eq(ifa->ifa_index, 5);
	ck_assert_int_eq(rtnl_decode_addr(nlb_get(&b, 0), &out), 0);
	ck_assert_int_eq(out.ifindex, 5);
	ck_assert(addr_eq(&out.a, &in.a));
	ck_assert_uint_eq(out.proto, RAILUP_PROTO);
	ck_assert_uint_eq(out.flags, 0);
	nlb_free(&b);

	/* Deleting: no protocol, no flags asked. */
	rtnl_put_addr(&b, RTM_DELADDR, &in);
	ck_assert_uint_eq(nlb_get(&b, 0)->nlmsg_flags, NLM_F_REQUEST);
	ck_assert_int_eq(rtnl_decode_addr(nlb_get(&b, 0), &out), -1);
	ck_assert_int_eq(rtnl_decode_addr(as_dumped(&b, RTM_NEWADDR, 0), &out), 0);
	ck_assert_uint_eq(out.proto, 0);
	ck_assert(addr_eq(&out.a, &in.a));
	nlb_free(&b);

	/* IPv6: no duplicate address detection. */
	in.a = ip("[fd00:1::14]/64");
	rtnl_put_addr(&b, RTM_NEWADDR, &in);
	ck_assert_int_eq(rtnl_decode_addr(nlb_get(&b, 0), &out), 0);
	ck_assert(addr_eq(&out.a, &in.a));
	ck_assert(out.flags & IFA_F_NODAD);
	nlb_free(&b);
}
END_TEST

START_TEST(test_addr_decode)
{
	struct ifaddrmsg *ifa;
	struct nlbuf b = { 0 };
	struct laddr out;

	/* Point-to-point: IFA_LOCAL is the address, IFA_ADDRESS the peer. */
	ifa = nlb_msg(&b, RTM_NEWADDR, 0, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = 32;
	ifa->ifa_index = 2;
	ifa->ifa_flags = IFA_F_PERMANENT;
	nlb_put(&b, IFA_ADDRESS, "\x0a\x00\x00\x02", 4);
	nlb_put(&b, IFA_LOCAL, "\x0a\x00\x00\x01", 4);
	ck_assert_int_eq(rtnl_decode_addr(nlb_get(&b, 0), &out), 0);
	ck_assert(addr_eq(&out.a,
			  &(struct ipaddr){ .family = AF_INET, .plen = 32, .b = { 10, 0, 0, 1 } }));
	ck_assert_uint_eq(out.flags, IFA_F_PERMANENT);
	/* IFA_FLAGS, when there, holds all the flags. */
	nlb_put_u32(&b, IFA_FLAGS, IFA_F_PERMANENT | IFA_F_NOPREFIXROUTE);
	ck_assert_int_eq(rtnl_decode_addr(nlb_get(&b, 0), &out), 0);
	ck_assert_uint_eq(out.flags, IFA_F_PERMANENT | IFA_F_NOPREFIXROUTE);

	ifa = NLMSG_DATA(nlb_get(&b, 0));
	ifa->ifa_prefixlen = 33;
	ck_assert_int_eq(rtnl_decode_addr(nlb_get(&b, 0), &out), -1);
	ifa->ifa_prefixlen = 32;
	nlb_get(&b, 0)->nlmsg_len = NLMSG_HDRLEN + 2;
	ck_assert_int_eq(rtnl_decode_addr(nlb_get(&b, 0), &out), -1);
	nlb_free(&b);

	/* No address at all; an address too short for its family. */
	ifa = nlb_msg(&b, RTM_NEWADDR, 0, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ck_assert_int_eq(rtnl_decode_addr(nlb_get(&b, 0), &out), -1);
	nlb_put(&b, IFA_LOCAL, "\x0a\x00", 2);
	ck_assert_int_eq(rtnl_decode_addr(nlb_get(&b, 0), &out), -1);
	nlb_free(&b);
}
END_TEST

/* ---- links ---- */

START_TEST(test_link_up)
{
	struct nlbuf b = { 0 };
	const struct ifinfomsg *ifi;

	rtnl_put_link_up(&b, 42);
	ck_assert_uint_eq(nlb_get(&b, 0)->nlmsg_type, RTM_NEWLINK);
	ck_assert_uint_eq(nlb_get(&b, 0)->nlmsg_len, NLMSG_HDRLEN + sizeof(*ifi));
	ifi = NLMSG_DATA(nlb_get(&b, 0));
	ck_assert_int_eq(ifi->ifi_index, 42);
	ck_assert_uint_eq(ifi->ifi_flags, IFF_UP);
	ck_assert_uint_eq(ifi->ifi_change, IFF_UP);
	nlb_free(&b);
}
END_TEST

/* An MTU alone: no flag changes (ifi_change 0), IFLA_MTU. */
START_TEST(test_link_mtu)
{
	struct nlbuf b = { 0 };
	const struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifi;

	rtnl_put_link_mtu(&b, 42, 9000);
	ck_assert_uint_eq(nlb_get(&b, 0)->nlmsg_type, RTM_NEWLINK);
	ifi = NLMSG_DATA(nlb_get(&b, 0));
	ck_assert_int_eq(ifi->ifi_index, 42);
	ck_assert_uint_eq(ifi->ifi_change, 0);
	nlmsg_parse(tb, IFLA_MAX, nlb_get(&b, 0), sizeof(*ifi));
	ck_assert_ptr_nonnull(tb[IFLA_MTU]);
	ck_assert_uint_eq(nla_u32(tb[IFLA_MTU]), 9000);
	nlb_free(&b);
}
END_TEST

/* A link as dumped: IFLA_INET_CONF is then an array of u32 by devconf index - 1. */
static void put_dumped_link(struct nlbuf *b, const char *name, unsigned flags, int carrier,
			    unsigned nconf, const uint32_t *conf, size_t hwlen)
{
	struct ifinfomsg *ifi = nlb_msg(b, RTM_NEWLINK, 0, sizeof(*ifi));
	uint8_t hw[64];
	size_t spec, inet;

	ifi->ifi_index = 9;
	ifi->ifi_flags = flags;
	ifi->ifi_type = 32; /* ARPHRD_INFINIBAND */
	for (size_t i = 0; i < sizeof(hw); i++)
		hw[i] = (uint8_t)i;
	if (name)
		nlb_put_str(b, IFLA_IFNAME, name);
	nlb_put_u8(b, IFLA_OPERSTATE, 6);
	nlb_put_u32(b, IFLA_MTU, 2044);
	if (carrier >= 0)
		nlb_put_u8(b, IFLA_CARRIER, (uint8_t)carrier);
	nlb_put(b, IFLA_ADDRESS, hw, hwlen);
	spec = nlb_nest(b, IFLA_AF_SPEC);
	inet = nlb_nest(b, AF_INET6);
	nlb_put_u32(b, 1, 1234);
	nlb_nest_end(b, inet);
	if (conf) {
		inet = nlb_nest(b, AF_INET);
		nlb_put(b, IFLA_INET_CONF, conf, nconf * 4);
		nlb_nest_end(b, inet);
	}
	nlb_nest_end(b, spec);
}

START_TEST(test_link_decode)
{
	uint32_t conf[IPV4_DEVCONF_MAX] = { 0 };
	struct nlbuf b = { 0 };
	struct link l;

	conf[IPV4_DEVCONF_RP_FILTER - 1] = 2;
	conf[IPV4_DEVCONF_ARP_IGNORE - 1] = 1;
	conf[IPV4_DEVCONF_ACCEPT_LOCAL - 1] = 1;
	conf[IPV4_DEVCONF_ARP_ANNOUNCE - 1] = 1000; /* clamped */
	put_dumped_link(&b, "ib0", IFF_UP, 1, IPV4_DEVCONF_MAX, conf, 20);
	ck_assert_int_eq(rtnl_decode_link(nlb_get(&b, 0), &l), 0);
	ck_assert_str_eq(l.name, "ib0");
	ck_assert_int_eq(l.ifindex, 9);
	ck_assert_uint_eq(l.flags, IFF_UP);
	ck_assert_uint_eq(l.type, 32);
	ck_assert_uint_eq(l.operstate, 6);
	ck_assert_uint_eq(l.carrier, 1);
	ck_assert_uint_eq(l.mtu, 2044);
	ck_assert_uint_eq(l.hwlen, 20);
	ck_assert_uint_eq(l.hwaddr[19], 19);
	ck_assert_int_eq(l.conf[SC_RP_FILTER], 2);
	ck_assert_int_eq(l.conf[SC_ARP_IGNORE], 1);
	ck_assert_int_eq(l.conf[SC_ARP_ANNOUNCE], 127);
	ck_assert_int_eq(l.conf[SC_ARP_FILTER], 0);
	ck_assert_int_eq(l.conf[SC_ACCEPT_LOCAL], 1);
	nlb_free(&b);

	/* No IPv4 values, no carrier attribute, an address too long to keep. */
	put_dumped_link(&b, "ib1", IFF_UP | LINK_LOWER_UP, -1, 0, NULL, 40);
	ck_assert_int_eq(rtnl_decode_link(nlb_get(&b, 0), &l), 0);
	ck_assert_uint_eq(l.carrier, 1);
	ck_assert_uint_eq(l.hwlen, 0);
	for (int k = 0; k < SC_COUNT; k++)
		ck_assert_int_eq(l.conf[k], SC_UNSET);
	nlb_free(&b);

	/* An array too short for some values: those are unknown. */
	put_dumped_link(&b, "ib2", 0, 0, IPV4_DEVCONF_RP_FILTER, conf, 6);
	ck_assert_int_eq(rtnl_decode_link(nlb_get(&b, 0), &l), 0);
	ck_assert_uint_eq(l.carrier, 0);
	ck_assert_int_eq(l.conf[SC_RP_FILTER], 2);
	ck_assert_int_eq(l.conf[SC_ARP_IGNORE], SC_UNSET);
	ck_assert_int_eq(l.conf[SC_ACCEPT_LOCAL], SC_UNSET);
	nlb_free(&b);

	/* No name; not a link; cut short. */
	put_dumped_link(&b, NULL, 0, 0, 0, NULL, 6);
	ck_assert_int_eq(rtnl_decode_link(nlb_get(&b, 0), &l), -1);
	nlb_free(&b);
	put_dumped_link(&b, "ib3", 0, 0, 0, NULL, 6);
	nlb_get(&b, 0)->nlmsg_type = RTM_DELADDR;
	ck_assert_int_eq(rtnl_decode_link(nlb_get(&b, 0), &l), -1);
	nlb_get(&b, 0)->nlmsg_type = RTM_NEWLINK;
	nlb_get(&b, 0)->nlmsg_len = NLMSG_HDRLEN + 8;
	ck_assert_int_eq(rtnl_decode_link(nlb_get(&b, 0), &l), -1);
	nlb_free(&b);
}
END_TEST

/* ---- lookups ---- */

START_TEST(test_lookups)
{
	struct observed o = { 0 };
	const struct laddr *a;
	const struct rule *u;
	struct route key;

	obs_link(&o, 5, "ib1", 0);
	obs_link(&o, 3, "eth0", 0);
	obs_link(&o, 4, "ib0", 0);
	obs_addr(&o, 4, ip("10.0.2.14/24"), 0);
	obs_addr(&o, 5, ip("10.0.1.14/16"), 0);
	obs_addr(&o, 3, ip("10.0.1.14/24"), 0);
	obs_addr(&o, 3, ip("[fd00::1]/64"), 0);
	obs_route(&o, 102, ip("10.0.2.0/24"), NOADDR, ip("10.0.2.14"), 4, RAILUP_PROTO, 253);
	obs_route(&o, 101, ip("0.0.0.0/0"), ip("10.0.1.1"), NOADDR, 5, RAILUP_PROTO, 0);
	obs_route(&o, 101, ip("10.0.1.0/24"), NOADDR, NOADDR, 5, RTPROT_STATIC, 253)->metric = 10;
	obs_route(&o, 101, ip("10.0.1.0/24"), NOADDR, NOADDR, 5, RAILUP_PROTO, 253);
	obs_rule(&o, AF_INET, 1002, ip("10.0.2.14"), 102, RAILUP_PROTO);
	obs_rule(&o, AF_INET, 1001, ip("10.0.1.14"), 101, RAILUP_PROTO);
	obs_rule(&o, AF_INET, 1002, ip("10.0.9.9"), 109, 0);
	obs_rule(&o, AF_INET, 0, NOADDR, 255, 0);
	obs_rule(&o, AF_INET, 1001, ip("10.0.9.8"), 108, 0);
	observed_index(&o);

	ck_assert_int_eq(observed_link(&o, "ib0")->ifindex, 4);
	ck_assert_int_eq(observed_link(&o, "eth0")->ifindex, 3);
	ck_assert_ptr_null(observed_link(&o, "ib"));
	ck_assert_ptr_null(observed_link(&o, "ib0-that-is-far-too-long"));
	ck_assert_str_eq(observed_link_by_index(&o, 5)->name, "ib1");
	ck_assert_ptr_null(observed_link_by_index(&o, 6));

	/* The first address with that IP, whatever its prefix; the others follow. */
	a = observed_addr(&o,
			  &(struct ipaddr){ .family = AF_INET, .plen = 32, .b = { 10, 0, 1, 14 } });
	ck_assert_ptr_nonnull(a);
	ck_assert(addr_same_ip(&a[0].a, &a[1].a));
	ck_assert_int_ne(a[0].ifindex, a[1].ifindex);
	ck_assert_ptr_null(observed_addr(
		&o, &(struct ipaddr){ .family = AF_INET, .plen = 24, .b = { 10, 0, 1, 15 } }));

	key = route_of(101, "10.0.1.0/24", NULL, NULL, 0, 0);
	ck_assert_uint_eq(observed_route(&o, &key)->protocol, RAILUP_PROTO);
	key.metric = 10;
	ck_assert_uint_eq(observed_route(&o, &key)->protocol, RTPROT_STATIC);
	key.table = 103;
	ck_assert_ptr_null(observed_route(&o, &key));
	for (unsigned i = 1; i < o.nroute; i++)
		ck_assert_int_le(route_key_cmp(&o.route[i - 1], &o.route[i]), 0);

	/* Rules by priority, in the kernel's order within one. */
	ck_assert_uint_eq(o.rule[0].priority, 0);
	u = observed_rules_at(&o, 1001);
	ck_assert_uint_eq(u[0].table, 101);
	ck_assert_uint_eq(u[1].table, 108);
	u = observed_rules_at(&o, 1002);
	ck_assert_uint_eq(u[0].table, 102);
	ck_assert_uint_eq(u[1].table, 109);
	ck_assert_ptr_null(observed_rules_at(&o, 1003));
	observed_free(&o);
	ck_assert_ptr_null(o.link);
	ck_assert_uint_eq(o.nrule, 0);
}
END_TEST

/* Link events: a link replaces the one with its index and stays in name order. */
START_TEST(test_link_events)
{
	struct observed o = { 0 };
	struct link l;

	memset(&l, 0, sizeof(l));
	l.ifindex = 7;
	strcpy(l.name, "ib7");
	observed_link_update(&o, &l); /* into an empty state */
	ck_assert_uint_eq(o.nlink, 1);
	obs_link(&o, 2, "ib0", 0);
	obs_link(&o, 3, "ib1", 0);
	obs_link(&o, 4, "ib2", 0);
	observed_index(&o);

	/* Renamed (udev): found by its new name only. */
	l.ifindex = 3;
	strcpy(l.name, "ib9");
	l.flags = IFF_UP;
	observed_link_update(&o, &l);
	ck_assert_uint_eq(o.nlink, 4);
	ck_assert_ptr_null(observed_link(&o, "ib1"));
	ck_assert_uint_eq(observed_link(&o, "ib9")->flags, IFF_UP);
	/* A new one. */
	l.ifindex = 8;
	strcpy(l.name, "eth0");
	observed_link_update(&o, &l);
	ck_assert_uint_eq(o.nlink, 5);
	for (unsigned i = 1; i < o.nlink; i++)
		ck_assert_int_lt(strcmp(o.link[i - 1].name, o.link[i].name), 0);
	ck_assert_int_eq(observed_link(&o, "eth0")->ifindex, 8);
	ck_assert_int_eq(observed_link(&o, "ib7")->ifindex, 7);
	/* Its state changed, its name not: in place, found both ways. */
	l.ifindex = 4;
	strcpy(l.name, "ib2");
	l.flags = IFF_UP;
	l.carrier = 1;
	observed_link_update(&o, &l);
	ck_assert_uint_eq(o.nlink, 5);
	ck_assert_uint_eq(observed_link(&o, "ib2")->carrier, 1);
	ck_assert_uint_eq(observed_link_by_index(&o, 4)->flags, IFF_UP);
	ck_assert_str_eq(observed_link_by_index(&o, 8)->name, "eth0");
	ck_assert_str_eq(observed_link_by_index(&o, 3)->name, "ib9");

	observed_link_remove(&o, 2);
	observed_link_remove(&o, 99); /* not there: nothing */
	ck_assert_uint_eq(o.nlink, 4);
	ck_assert_ptr_null(observed_link(&o, "ib0"));
	ck_assert_int_eq(observed_link(&o, "ib2")->ifindex, 4);
	observed_free(&o);
}
END_TEST

/* A value railup wrote: the link's, by index, or conf/all's (index 0). */
START_TEST(test_conf_set)
{
	struct observed o = { 0 };

	obs_link(&o, 2, "ib0", 0)->conf[SC_ARP_IGNORE] = 0;
	obs_link(&o, 3, "ib1", 0)->conf[SC_ARP_IGNORE] = 0;
	o.all[SC_ARP_IGNORE] = 0;
	observed_index(&o);
	observed_conf_set(&o, 3, SC_ARP_IGNORE, 2);
	ck_assert_int_eq(observed_link(&o, "ib1")->conf[SC_ARP_IGNORE], 2);
	ck_assert_int_eq(observed_link(&o, "ib0")->conf[SC_ARP_IGNORE], 0);
	ck_assert_int_eq(o.all[SC_ARP_IGNORE], 0);
	observed_conf_set(&o, 0, SC_ARP_IGNORE, 1);
	ck_assert_int_eq(o.all[SC_ARP_IGNORE], 1);
	observed_conf_set(&o, 99, SC_ARP_IGNORE, 2); /* gone meanwhile: nothing */
	ck_assert_int_eq(observed_link(&o, "ib0")->conf[SC_ARP_IGNORE], 0);
	ck_assert_int_eq(o.all[SC_ARP_IGNORE], 1);
	observed_free(&o);
}
END_TEST

/* ---- requests, against a fake kernel ---- */

static void route_get_reply(unsigned step, const struct nlmsghdr *req, size_t len, struct nlbuf *r,
			    void *arg)
{
	const char *how = arg;
	struct route found = route_of(101, "10.0.1.1/32", NULL, "10.0.1.14", 4, 0);

	(void)step;
	(void)len;
	if (!strcmp(how, "error")) {
		reply_err(r, req, -ENETUNREACH, "Network is unreachable here", true);
		return;
	}
	if (!strcmp(how, "route")) {
		rtnl_put_route(r, RTM_NEWROUTE, 0, &found);
		as_dumped(r, RTM_NEWROUTE, req->nlmsg_seq)->nlmsg_flags = 0;
	}
	reply_err(r, req, 0, NULL, true);
}

START_TEST(test_route_get)
{
	struct ipaddr dst = ip("10.0.1.1"), src = ip("10.0.1.14");
	const struct nlattr *tb[RTA_MAX + 1];
	const struct nlmsghdr *req;
	const struct rtmsg *rtm;
	struct route out;
	char err[64];
	struct fake f;
	struct nl nl;

	fake_start(&f, &nl, 1, route_get_reply, "route");
	ck_assert_int_eq(rtnl_route_get(&nl, &dst, &src, 4, true, &out, err, sizeof(err)), 0);
	ck_assert_uint_eq(out.table, 101);
	ck_assert_int_eq(out.oif, 4);
	req = (const struct nlmsghdr *)f.req[0];
	ck_assert_uint_eq(req->nlmsg_type, RTM_GETROUTE);
	rtm = NLMSG_DATA(req);
	ck_assert_uint_eq(rtm->rtm_family, AF_INET);
	ck_assert_uint_eq(rtm->rtm_dst_len, 32);
	ck_assert_uint_eq(rtm->rtm_src_len, 32);
	ck_assert_uint_eq(rtm->rtm_flags, RTM_F_LOOKUP_TABLE | RTM_F_FIB_MATCH);
	nlmsg_parse(tb, RTA_MAX, req, sizeof(*rtm));
	ck_assert_mem_eq(nla_data(tb[RTA_DST]), dst.b, 4);
	ck_assert_mem_eq(nla_data(tb[RTA_SRC]), src.b, 4);
	ck_assert_uint_eq(nla_u32(tb[RTA_OIF]), 4);
	fake_stop(&f, &nl);

	fake_start(&f, &nl, 1, route_get_reply, "error");
	ck_assert_int_eq(rtnl_route_get(&nl, &dst, NULL, 0, false, &out, err, sizeof(err)),
			 -ENETUNREACH);
	ck_assert_str_eq(err, "Network is unreachable here");
	rtm = NLMSG_DATA((const struct nlmsghdr *)f.req[0]);
	ck_assert_uint_eq(rtm->rtm_src_len, 0);
	ck_assert_uint_eq(rtm->rtm_flags, RTM_F_LOOKUP_TABLE);
	fake_stop(&f, &nl);

	/* Acknowledged, but no route came. */
	fake_start(&f, &nl, 1, route_get_reply, "nothing");
	ck_assert_int_eq(rtnl_route_get(&nl, &dst, &src, 0, false, &out, err, sizeof(err)),
			 -ENOMSG);
	fake_stop(&f, &nl);
}
END_TEST

/* One dump per kind (links, addresses, routes, rules), routes one per family. */
static void observe_reply(unsigned step, const struct nlmsghdr *req, size_t len, struct nlbuf *r,
			  void *arg)
{
	uint32_t seq = req->nlmsg_seq;
	struct ifinfomsg *ifi;
	struct route rt;
	struct rule u;
	struct laddr a = { .ifindex = 4, .a = ip("10.0.1.14/24") };

	(void)len;
	(void)arg;
	switch (step) {
	case 0:
		ifi = reply_msg(r, RTM_NEWLINK, NLM_F_MULTI, seq, sizeof(*ifi));
		ifi->ifi_index = 4;
		nlb_put_str(r, IFLA_IFNAME, "ib1");
		ifi = reply_msg(r, RTM_NEWLINK, NLM_F_MULTI, seq, sizeof(*ifi));
		ifi->ifi_index = 3;
		nlb_put_str(r, IFLA_IFNAME, "ib0");
		reply_msg(r, RTM_NEWLINK, NLM_F_MULTI, seq, sizeof(*ifi)); /* no name: dropped */
		break;
	case 1:
		rtnl_put_addr(r, RTM_NEWADDR, &a);
		as_dumped(r, RTM_NEWADDR, seq);
		a.a.plen = 40;
		rtnl_put_addr(r, RTM_NEWADDR, &a);
		as_dumped(r, RTM_NEWADDR, seq);
		break;
	case 2:
		/* railup's anywhere, others' only in the rails' tables */
		rt = route_of(500, "10.9.0.0/16", NULL, NULL, 4, 0);
		rtnl_put_route(r, RTM_NEWROUTE, 0, &rt);
		as_dumped(r, RTM_NEWROUTE, seq);
		rt = route_of(102, "10.8.0.0/16", NULL, NULL, 4, 0);
		rt.protocol = RTPROT_STATIC;
		rtnl_put_route(r, RTM_NEWROUTE, 0, &rt);
		as_dumped(r, RTM_NEWROUTE, seq);
		rt.table = RT_TABLE_MAIN;
		rtnl_put_route(r, RTM_NEWROUTE, 0, &rt);
		as_dumped(r, RTM_NEWROUTE, seq);
		rt.table = 103;
		rtnl_put_route(r, RTM_NEWROUTE, 0, &rt);
		as_dumped(r, RTM_NEWROUTE, seq);
		break;
	case 3:
		/*
		 * No rail is IPv6: railup's routes alone were asked for. A kernel
		 * that ignores the filter sends the rest too: dropped all the same.
		 */
		rt = route_of(500, "fd00:9::/64", NULL, NULL, 4, 0);
		rtnl_put_route(r, RTM_NEWROUTE, 0, &rt);
		as_dumped(r, RTM_NEWROUTE, seq);
		rt = route_of(RT_TABLE_LOCAL, "fe80::/64", NULL, NULL, 4, 0);
		rt.protocol = RTPROT_KERNEL;
		rtnl_put_route(r, RTM_NEWROUTE, 0, &rt);
		as_dumped(r, RTM_NEWROUTE, seq);
		break;
	case 4:
		u = rule_of(AF_INET, 1001, "10.0.1.14", 101);
		rtnl_put_rule(r, RTM_NEWRULE, 0, &u);
		as_dumped(r, RTM_NEWRULE, seq);
		u = rule_of(AF_INET, 0, NULL, RT_TABLE_LOCAL);
		u.protocol = RTPROT_KERNEL;
		rtnl_put_rule(r, RTM_NEWRULE, 0, &u);
		as_dumped(r, RTM_NEWRULE, seq);
		break;
	}
	reply_done(r, seq);
}

START_TEST(test_observe)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	const struct rtmsg *rtm;
	struct observed o = { 0 };
	struct railmap m;
	struct fake f;
	struct nl nl;

	map_ok(&m, "rd.rail=ib0:10.0.1.14/24 rd.rail=ib1:10.0.2.14/24", NULL);
	fake_start(&f, &nl, 5, observe_reply, NULL);
	ck_assert_int_eq(rtnl_observe(&nl, &m, &o), 0);
	ck_assert_uint_eq(f.done, 5);
	ck_assert_uint_eq(((const struct nlmsghdr *)f.req[0])->nlmsg_type, RTM_GETLINK);
	nlmsg_parse(tb, IFLA_MAX, (const struct nlmsghdr *)f.req[0], sizeof(struct ifinfomsg));
	ck_assert_ptr_nonnull(tb[IFLA_EXT_MASK]);
	ck_assert_uint_eq(((const struct nlmsghdr *)f.req[1])->nlmsg_type, RTM_GETADDR);
	/* Strict checking refuses a header of another kind's size. */
	ck_assert_uint_eq(((const struct nlmsghdr *)f.req[1])->nlmsg_len,
			  NLMSG_LENGTH(sizeof(struct ifaddrmsg)));
	/* The rails' family alone: no IPv6 link-local addresses to fill and decode. */
	ck_assert_uint_eq(((const struct ifaddrmsg *)NLMSG_DATA((const struct nlmsghdr *)f.req[1]))
				  ->ifa_family,
			  AF_INET);
	/* IPv4, which the rails speak: every route; IPv6: railup's alone. */
	ck_assert_uint_eq(((const struct nlmsghdr *)f.req[2])->nlmsg_type, RTM_GETROUTE);
	rtm = NLMSG_DATA((const struct nlmsghdr *)f.req[2]);
	ck_assert_uint_eq(rtm->rtm_family, AF_INET);
	ck_assert_uint_eq(rtm->rtm_protocol, 0);
	ck_assert_uint_eq(((const struct nlmsghdr *)f.req[3])->nlmsg_type, RTM_GETROUTE);
	rtm = NLMSG_DATA((const struct nlmsghdr *)f.req[3]);
	ck_assert_uint_eq(rtm->rtm_family, AF_INET6);
	ck_assert_uint_eq(rtm->rtm_protocol, RAILUP_PROTO);
	ck_assert_uint_eq(((const struct nlmsghdr *)f.req[4])->nlmsg_type, RTM_GETRULE);
	ck_assert_uint_eq(((const struct nlmsghdr *)f.req[4])->nlmsg_len,
			  NLMSG_LENGTH(sizeof(struct fib_rule_hdr)));
	fake_stop(&f, &nl);

	ck_assert_uint_eq(o.nlink, 2);
	ck_assert_str_eq(o.link[0].name, "ib0"); /* indexed */
	ck_assert_int_eq(observed_link(&o, "ib1")->ifindex, 4);
	ck_assert_uint_eq(o.naddr, 1);
	ck_assert_uint_eq(o.nroute, 3);
	ck_assert_uint_eq(o.route[0].table, 102);
	ck_assert_uint_eq(o.route[0].protocol, RTPROT_STATIC);
	ck_assert_uint_eq(o.route[1].table, 500);
	ck_assert_uint_eq(o.route[1].dst.family, AF_INET);
	ck_assert_uint_eq(o.route[2].table, 500);
	ck_assert_uint_eq(o.route[2].dst.family, AF_INET6);
	ck_assert_uint_eq(o.nrule, 2);
	ck_assert_uint_eq(o.rule[0].priority, 0);
	/* conf/all: IPv4's read from /proc/sys; IPv6's left unread without an IPv6 rail. */
	ck_assert_int_ne(o.all[SC_RP_FILTER], SC_UNSET);
	ck_assert_int_eq(o.all[SC_KEEP_ADDR_ON_DOWN], SC_UNSET);
	ck_assert_int_eq(o.all[SC_ACCEPT_RA], SC_UNSET);
	observed_free(&o);
	railmap_free(&m);
}
END_TEST

static void empty_reply(unsigned step, const struct nlmsghdr *req, size_t len, struct nlbuf *r,
			void *arg)
{
	(void)step;
	(void)len;
	(void)arg;
	reply_done(r, req->nlmsg_seq);
}

/*
 * The family rtnl_observe() dumps addresses of, for the map (NULL: none)
 * and a ledger holding one address (NULL: none); -1 when it dumps none.
 */
static int addr_dump_family(const char *cmdline, const char *owned)
{
	struct owned e = { .kind = OWN_ADDR, .ifindex = 3 };
	struct observed o = { 0 };
	struct railmap m;
	struct fake f;
	struct nl nl;
	int family = -1;

	if (cmdline)
		map_ok(&m, cmdline, NULL);
	else
		railmap_init(&m); /* down's */
	if (owned) {
		e.a = ip(owned);
		o.owned = xcalloc(1, sizeof(e));
		o.owned[0] = e;
		o.nowned = 1;
	}
	fake_start(&f, &nl, 5, empty_reply, NULL);
	ck_assert_int_eq(rtnl_observe(&nl, &m, &o), 0);
	for (unsigned i = 0; i < f.done; i++) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)f.req[i];

		if (h->nlmsg_type == RTM_GETADDR)
			family = ((const struct ifaddrmsg *)NLMSG_DATA(h))->ifa_family;
	}
	/* Links, routes of each family and rules are dumped whatever the map. */
	ck_assert_uint_eq(f.done, family < 0 ? 4 : 5);
	fake_stop(&f, &nl);
	/* The ledger is kept, for the caller to free with the rest. */
	ck_assert_uint_eq(o.nowned, owned ? 1 : 0);
	observed_free(&o);
	railmap_free(&m);
	return family;
}

START_TEST(test_observe_addr_families)
{
	ck_assert_int_eq(addr_dump_family("rd.rail=ib0:10.0.1.14/24", NULL), AF_INET);
	ck_assert_int_eq(addr_dump_family("rd.rail=ib0:[fd00::14]/64", NULL), AF_INET6);
	ck_assert_int_eq(
		addr_dump_family("rd.rail=ib0:10.0.1.14/24 rd.rail=ib0:[fd00::14]/64", NULL),
		AF_UNSPEC);
	/* An address railup added under an earlier map is still its to remove. */
	ck_assert_int_eq(addr_dump_family("rd.rail=ib0:10.0.1.14/24", "fd00::14/64"), AF_UNSPEC);
	ck_assert_int_eq(addr_dump_family("rd.rail=ib0:[fd00::14]/64", "10.0.1.14/24"), AF_UNSPEC);
	/* The host index from a NIC's IPv4 address. */
	ck_assert_int_eq(
		addr_dump_family("rd.rail.host=addr:eth0 rd.rail=ib0:[fd00::100]+/64", NULL),
		AF_UNSPEC);
	/* Nothing to look for: no dump. */
	ck_assert_int_eq(addr_dump_family(NULL, NULL), -1);
	ck_assert_int_eq(addr_dump_family(NULL, "10.0.1.14/24"), AF_INET);
}
END_TEST

Suite *rtnl_suite(void)
{
	Suite *s = suite_create("rtnl");
	TCase *tc = tcase_create("routes");

	tcase_add_test(tc, test_route_subnet);
	tcase_add_test(tc, test_route_default);
	tcase_add_test(tc, test_route_v6);
	tcase_add_test(tc, test_route_delete);
	tcase_add_test(tc, test_route_malformed);
	tcase_add_test(tc, test_route_other);
	tcase_add_test(tc, test_route_same);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_add_test(tc, test_rule);
	tcase_add_test(tc, test_rule_malformed);
	tcase_add_test(tc, test_rule_other);
	tcase_add_test(tc, test_rule_same);
	suite_add_tcase(s, tc);

	tc = tcase_create("addresses and links");
	tcase_add_test(tc, test_addr);
	tcase_add_test(tc, test_addr_decode);
	tcase_add_test(tc, test_link_up);
	tcase_add_test(tc, test_link_mtu);
	tcase_add_test(tc, test_link_decode);
	tcase_add_test(tc, test_lookups);
	tcase_add_test(tc, test_link_events);
	tcase_add_test(tc, test_conf_set);
	suite_add_tcase(s, tc);

	tc = tcase_create("requests");
	tcase_add_checked_fixture(tc, logcap_setup, logcap_teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_route_get);
	tcase_add_test(tc, test_observe);
	tcase_add_test(tc, test_observe_addr_families);
	suite_add_tcase(s, tc);
	return s;
}
