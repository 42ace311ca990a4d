// SPDX-License-Identifier: GPL-2.0
/*
 * verify.h, the parts that need no kernel: what to ask the kernel about
 * (verify_target) and auditing a rail against an observed state.
 */
#include <string.h>

#include "unit.h"
#include "verify.h"

static bool target_of(const char *cmdline, struct ipaddr *t)
{
	struct railmap m;
	bool ok;

	map_ok(&m, cmdline, NULL);
	ok = verify_target(&m.rail[0], t);
	railmap_free(&m);
	return ok;
}

static const char *fmt(const struct ipaddr *a)
{
	static char buf[ADDR_STRLEN];

	return addr_fmt(a, true, buf);
}

START_TEST(test_target)
{
	struct ipaddr t;

	ck_assert(target_of("rd.rail=ib0:10.0.1.14/24:10.0.1.254", &t));
	ck_assert_str_eq(fmt(&t), "10.0.1.254/32");
	ck_assert(target_of("rd.rail=ib0:10.0.1.14/24", &t));
	ck_assert_str_eq(fmt(&t), "10.0.1.1/32");
	ck_assert(target_of("rd.rail=ib0:10.0.1.1/24", &t));
	ck_assert_str_eq(fmt(&t), "10.0.1.2/32");
	ck_assert(target_of("rd.rail=ib0:10.0.1.0/31", &t));
	ck_assert_str_eq(fmt(&t), "10.0.1.1/32");
	ck_assert(target_of("rd.rail=ib0:[fd00:1::14]/64", &t));
	ck_assert_str_eq(fmt(&t), "fd00:1::1/128");
	ck_assert(!target_of("rd.rail=ib0:10.0.1.14/32", &t));
}
END_TEST

/*
 * BUG: on a /31 (RFC 3021) the rail's neighbour is the other address, even
 * when that is the "network" one: 10.0.1.1/31 has 10.0.1.0 as neighbour,
 * but verify_target() looks only above the network address and gives up.
 */
START_TEST(test_target_point_to_point)
{
	struct ipaddr t;

	ck_assert(target_of("rd.rail=ib0:10.0.1.1/31", &t));
	ck_assert_str_eq(fmt(&t), "10.0.1.0/32");
}
END_TEST

START_TEST(test_audit)
{
	struct rail_check c;
	struct observed o;
	struct railmap m;

	map_ok(&m, "rd.rail=ib0:10.0.1.14/24:10.0.1.1 rd.rail=ib1:10.0.2.14/24", NULL);
	obs_converge(&o, &m, false);
	verify_audit(&m, &o, 0, &c);
	ck_assert_msg(c.ok, "%s", c.why);
	ck_assert(c.addr && c.rule && c.table && c.sysctl_ok);
	ck_assert_uint_eq(c.routes_want, 2);
	ck_assert_uint_eq(c.routes_have, 2);
	ck_assert_int_eq(c.link->ifindex, 2);
	ck_assert_int_eq(c.eff[SC_RP_FILTER], 2);
	ck_assert_int_eq(c.eff[SC_ARP_FILTER], 0);
	verify_audit(&m, &o, 1, &c);
	ck_assert_msg(c.ok, "%s", c.why);
	ck_assert_uint_eq(c.routes_want, 1);
	observed_free(&o);

	/* The rule gone. */
	obs_converge(&o, &m, false);
	o.nrule = 0;
	verify_audit(&m, &o, 0, &c);
	ck_assert(!c.ok);
	ck_assert(!c.rule);
	ck_assert_ptr_nonnull(strstr(c.why, "rule"));
	observed_free(&o);

	/* conf/all overriding the rail's value. */
	railmap_free(&m);
	map_ok(&m, "rd.rail=ib0:10.0.1.14/24,rp_filter=1", NULL);
	obs_converge(&o, &m, false);
	o.all[SC_RP_FILTER] = 2;
	verify_audit(&m, &o, 0, &c);
	ck_assert(!c.ok);
	ck_assert(!c.sysctl_ok);
	ck_assert_int_eq(c.eff[SC_RP_FILTER], 2);
	ck_assert_ptr_nonnull(strstr(c.why, "rp_filter"));
	observed_free(&o);

	/* No link at all. */
	obs_fresh(&o, &m);
	o.link[0].name[0] = 'x';
	obs_done(&o);
	verify_audit(&m, &o, 0, &c);
	ck_assert(!c.ok);
	ck_assert_ptr_null(c.link);
	observed_free(&o);

	/* Down. */
	obs_converge(&o, &m, false);
	o.link[0].flags = 0;
	verify_audit(&m, &o, 0, &c);
	ck_assert(!c.ok);
	ck_assert_ptr_nonnull(strstr(c.why, "down"));
	observed_free(&o);
	railmap_free(&m);
}
END_TEST

Suite *verify_suite(void)
{
	Suite *s = suite_create("verify");
	TCase *tc = tcase_create("audit");

	tcase_add_checked_fixture(tc, logcap_setup, logcap_teardown);
	tcase_add_test(tc, test_target);
	tcase_add_test(tc, test_target_point_to_point);
	tcase_add_test(tc, test_audit);
	suite_add_tcase(s, tc);
	return s;
}
