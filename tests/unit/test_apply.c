// SPDX-License-Identifier: GPL-2.0
/*
 * apply.h: change_describe(), the one part of applying that needs no kernel
 * (apply_plan() itself writes /proc/sys and is tested in namespaces).
 */
#include <linux/rtnetlink.h>
#include <string.h>

#include "apply.h"
#include "unit.h"

static struct change route_add(void)
{
	struct change c = { .op = CH_ROUTE_ADD, .rail = 0 };

	strcpy(c.ifname, "ib0");
	c.route.table = 101;
	c.route.dst = ip("10.0.1.0/24");
	c.route.src = ip("10.0.1.14");
	c.route.oif = 2;
	c.route.protocol = RAILUP_PROTO;
	c.route.scope = RT_SCOPE_LINK;
	c.route.type = RTN_UNICAST;
	return c;
}

START_TEST(test_describe)
{
	struct change c = route_add();
	char buf[200];

	change_describe(&c, buf, sizeof(buf));
	ck_assert_str_eq(
		buf,
		"ip route add 10.0.1.0/24 dev ib0 src 10.0.1.14 table 101 proto 114 scope link");
	c.op = CH_ROUTE_REPLACE;
	change_describe(&c, buf, sizeof(buf));
	ck_assert(!strncmp(buf, "ip route replace ", 17));

	memset(&c, 0, sizeof(c));
	c.op = CH_LINK_UP;
	strcpy(c.ifname, "ib3");
	change_describe(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "ip link set dev ib3 up");

	/* A change with no command: an empty description. */
	memset(&c, 0, sizeof(c));
	c.op = CH_FORGET;
	strcpy(buf, "x");
	change_describe(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
}
END_TEST

/* A short buffer: cut, always terminated. */
START_TEST(test_describe_short)
{
	struct change c = route_add();
	char buf[16];

	memset(buf, 'X', sizeof(buf));
	change_describe(&c, buf, sizeof(buf));
	ck_assert_uint_lt(strlen(buf), sizeof(buf));
	ck_assert(!strncmp(buf, "ip route add", 12));
}
END_TEST

/* A value's change is one pasteable line, IPv4's and IPv6's alike. */
START_TEST(test_describe_sysctl)
{
	struct change c = { .op = CH_SYSCTL, .rail = 0 };
	char buf[300];

	strcpy(c.ifname, "ib0");
	c.sysctl.key = SC_RP_FILTER;
	c.sysctl.value = 2;
	change_describe(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "sysctl -w net.ipv4.conf.ib0.rp_filter=2");
	c.sysctl.key = SC_KEEP_ADDR_ON_DOWN;
	c.sysctl.value = 1;
	strcpy(c.ifname, "ib0.8001");
	change_describe(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "sysctl -w net/ipv6/conf/ib0.8001/keep_addr_on_down=1");
}
END_TEST

Suite *apply_suite(void)
{
	Suite *s = suite_create("apply");
	TCase *tc = tcase_create("describe");

	tcase_add_test(tc, test_describe);
	tcase_add_test(tc, test_describe_short);
	tcase_add_test(tc, test_describe_sysctl);
	suite_add_tcase(s, tc);
	return s;
}
