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

/*
 * BUG: a CH_DEVCONF change setting several values is described as several
 * lines ("sysctl -w ...rp_filter=2\nsysctl -w ...arp_ignore=1"), and that text
 * goes into the rail's one-line error (rail_fail) and the log when it fails.
 */
START_TEST(test_describe_devconf_one_line)
{
	struct change c = { .op = CH_DEVCONF, .rail = 0 };
	char buf[300];

	strcpy(c.ifname, "ib0");
	c.dev.ifindex = 2;
	for (int k = 0; k < SC_COUNT; k++)
		c.dev.value[k] = SC_UNSET;
	c.dev.value[SC_RP_FILTER] = 2;
	c.dev.value[SC_ARP_IGNORE] = 1;
	change_describe(&c, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "net.ipv4.conf.ib0.rp_filter=2"));
	ck_assert_ptr_nonnull(strstr(buf, "arp_ignore=1"));
	ck_assert_msg(!has_control_bytes(buf), "not one line: [%s]", buf);
}
END_TEST

Suite *apply_suite(void)
{
	Suite *s = suite_create("apply");
	TCase *tc = tcase_create("describe");

	tcase_add_test(tc, test_describe);
	tcase_add_test(tc, test_describe_short);
	tcase_add_test(tc, test_describe_devconf_one_line);
	suite_add_tcase(s, tc);
	return s;
}
