// SPDX-License-Identifier: GPL-2.0
/*
 * rail.h: the map, railmap_finalize() (defaults, numbering, checks), the
 * profiles, and a rail's state. Maps are built by hand here, without the
 * grammar, so that finalize is tested on its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

static struct rail *add_rail(struct railmap *m, const char *name, const char *addr, const char *gw)
{
	struct rail *r = railmap_add(m);
	char token[128];

	snprintf(r->name, sizeof(r->name), "%s", name);
	r->addr = ip(addr);
	r->gw = gw ? ip(gw) : NOADDR;
	snprintf(token, sizeof(token), "rd.rail=%s:%s%s%s", name, addr, gw ? ":" : "",
		 gw ? gw : "");
	r->token = strdup(token);
	r->where = strdup("test");
	return r;
}

static void set_table(struct rail *r, uint32_t t)
{
	r->o.table = t;
	r->o.set |= 1u << OPT_TABLE;
}

/* finalize fails with one error line quoting the rail's token. */
static void expect_bad(struct railmap *m, const struct rail *r, const char *why)
{
	char want[200];

	ck_assert_int_eq(railmap_finalize(m), -1);
	ck_assert_uint_eq(logcap.errors, 1);
	snprintf(want, sizeof(want), "test: \"%s\": ", r->token);
	ck_assert_msg(strstr(logcap.msg[0], want), "[%s] lacks [%s]", logcap.msg[0], want);
	if (why)
		ck_assert_msg(strstr(logcap.msg[0], why), "[%s] lacks [%s]", logcap.msg[0], why);
}

START_TEST(test_init)
{
	struct railmap m;

	memset(&m, 0x55, sizeof(m));
	railmap_init(&m);
	ck_assert_uint_eq(m.n, 0);
	ck_assert_ptr_null(m.rail);
	ck_assert_int_eq(m.disabled, -1);
	ck_assert_uint_eq(m.timeout_ms, DEFAULT_TIMEOUT);
	ck_assert_str_eq(m.modules, DEFAULT_MODULES);
	ck_assert_uint_eq(m.profile, PROFILE_ROCE);
	ck_assert_uint_eq(m.mset, 0);
	ck_assert_uint_eq(m.def.set, 0);
	for (int k = 0; k < SC_COUNT; k++) {
		ck_assert_int_eq(m.all[k], SC_UNSET);
		ck_assert_int_eq(m.def.sysctl[k], SC_UNSET);
	}
	railmap_free(&m);
	railmap_free(&m); /* twice is fine */
	ck_assert_ptr_null(m.rail);
}
END_TEST

START_TEST(test_add)
{
	struct railmap m;

	railmap_init(&m);
	for (unsigned i = 0; i < 100; i++) {
		struct rail *r = railmap_add(&m);

		ck_assert_ptr_eq(r, &m.rail[i]);
		ck_assert_uint_eq(r->o.set, 0);
		ck_assert_uint_eq(r->gw.family, 0);
		for (int k = 0; k < SC_COUNT; k++)
			ck_assert_int_eq(r->o.sysctl[k], SC_UNSET);
		snprintf(r->name, sizeof(r->name), "r%u", i);
	}
	ck_assert_uint_eq(m.n, 100);
	ck_assert_uint_ge(m.cap, 100);
	ck_assert_str_eq(m.rail[57].name, "r57");
	railmap_free(&m);
	ck_assert_uint_eq(m.n, 0);
}
END_TEST

START_TEST(test_numbering)
{
	struct railmap m;

	railmap_init(&m);
	add_rail(&m, "ib0", "10.0.1.14/24", "10.0.1.1");
	set_table(add_rail(&m, "ib1", "10.0.2.14/24", "10.0.2.1"), 500);
	add_rail(&m, "ib2", "10.0.3.14/24", NULL);
	m.rail[2].o.priority = 7;
	m.rail[2].o.set |= 1u << OPT_PRIORITY;
	ck_assert_int_eq(railmap_finalize(&m), 0);
	ck_assert_uint_eq(m.rail[0].o.table, 101);
	ck_assert_uint_eq(m.rail[1].o.table, 500);
	ck_assert_uint_eq(m.rail[2].o.table, 103);
	ck_assert_uint_eq(m.rail[0].o.priority, 1001);
	ck_assert_uint_eq(m.rail[1].o.priority, 1002);
	ck_assert_uint_eq(m.rail[2].o.priority, 7);
	railmap_free(&m);

	/* rd.rail.table= and rd.rail.priority= are bases. */
	railmap_init(&m);
	m.def.table = 10;
	m.def.priority = 20000;
	m.def.set = 1u << OPT_TABLE | 1u << OPT_PRIORITY;
	add_rail(&m, "ib0", "10.0.1.14/24", NULL);
	add_rail(&m, "ib1", "10.0.2.14/24", NULL);
	ck_assert_int_eq(railmap_finalize(&m), 0);
	ck_assert_uint_eq(m.rail[1].o.table, 11);
	ck_assert_uint_eq(m.rail[1].o.priority, 20001);
	railmap_free(&m);
}
END_TEST

START_TEST(test_defaults)
{
	struct railmap m;
	struct rail *r;

	railmap_init(&m);
	m.def.required = 0;
	m.def.sysctl[SC_ARP_IGNORE] = 2;
	m.def.set = 1u << OPT_REQUIRED | 1u << (OPT_SYSCTL + SC_ARP_IGNORE);
	add_rail(&m, "ib0", "10.0.1.14/24", "10.0.1.1");
	r = add_rail(&m, "ib1", "10.0.2.14/24", "10.0.2.1");
	r->o.required = 1;
	r->o.rxe = 1;
	r->o.sysctl[SC_ARP_IGNORE] = 8;
	r->o.sysctl[SC_RP_FILTER] = SC_UNSET; /* given empty: unmanaged */
	r->o.set = 1u << OPT_REQUIRED | 1u << OPT_RXE | 1u << (OPT_SYSCTL + SC_ARP_IGNORE) |
		   1u << (OPT_SYSCTL + SC_RP_FILTER);
	ck_assert_int_eq(railmap_finalize(&m), 0);
	r = &m.rail[0];
	ck_assert_uint_eq(r->o.required, 0);
	ck_assert_uint_eq(r->o.verify, 1);
	ck_assert_uint_eq(r->o.rxe, 0);
	ck_assert_int_eq(r->o.sysctl[SC_RP_FILTER], 2);
	ck_assert_int_eq(r->o.sysctl[SC_ARP_IGNORE], 2);
	ck_assert_int_eq(r->o.sysctl[SC_ARP_ANNOUNCE], 2);
	ck_assert_int_eq(r->o.sysctl[SC_ARP_FILTER], SC_UNSET);
	r = &m.rail[1];
	ck_assert_uint_eq(r->o.required, 1);
	ck_assert_uint_eq(r->o.rxe, 1);
	ck_assert_int_eq(r->o.sysctl[SC_ARP_IGNORE], 8);
	ck_assert_int_eq(r->o.sysctl[SC_RP_FILTER], SC_UNSET);
	/* conf/all from the profile unless given. */
	ck_assert_int_eq(m.all[SC_RP_FILTER], 2);
	ck_assert_int_eq(m.all[SC_ACCEPT_LOCAL], 1);
	ck_assert_int_eq(m.all[SC_ARP_FILTER], SC_UNSET);
	railmap_free(&m);

	railmap_init(&m);
	m.mset = 1u << (MOPT_ALL + SC_RP_FILTER); /* given empty */
	ck_assert_int_eq(railmap_finalize(&m), 0);
	ck_assert_int_eq(m.all[SC_RP_FILTER], SC_UNSET);
	ck_assert_int_eq(m.all[SC_ACCEPT_LOCAL], 1);
	railmap_free(&m);
}
END_TEST

START_TEST(test_fabric_default)
{
	struct railmap m;

	railmap_init(&m);
	m.def.fabric = ip("10.0.0.0/16");
	m.def.set = 1u << OPT_FABRIC;
	add_rail(&m, "ib0", "10.0.1.14/24", "10.0.1.1");
	add_rail(&m, "ib1", "10.0.2.14/24", NULL);
	add_rail(&m, "ib2", "[fd00::14]/64", "fd00::1");
	ck_assert_int_eq(railmap_finalize(&m), 0);
	ck_assert(addr_eq(&m.rail[0].o.fabric, &m.def.fabric));
	ck_assert_uint_eq(m.rail[1].o.fabric.family, 0);
	ck_assert_uint_eq(m.rail[2].o.fabric.family, 0);
	railmap_free(&m);
}
END_TEST

/* finalize starts every rail afresh. */
START_TEST(test_state_reset)
{
	struct railmap m;

	railmap_init(&m);
	add_rail(&m, "ib0", "10.0.1.14/24", NULL)->st.phase = RAIL_FAILED;
	ck_assert_int_eq(railmap_finalize(&m), 0);
	ck_assert_int_eq(m.rail[0].st.phase, RAIL_PENDING);
	ck_assert_str_eq(m.rail[0].st.error, "");
	railmap_free(&m);
}
END_TEST

/* ---- checks ---- */

START_TEST(test_check_gateway)
{
	struct railmap m;

	railmap_init(&m);
	add_rail(&m, "ib0", "10.0.1.14/24", "10.0.1.1");
	expect_bad(&m, add_rail(&m, "ib1", "10.0.2.14/24", "10.0.3.1"), "outside 10.0.2.0/24");
	railmap_free(&m);
	logcap_reset();

	railmap_init(&m);
	expect_bad(&m, add_rail(&m, "ib0", "10.0.1.14/24", "10.0.1.14"), "own address");
	railmap_free(&m);
	logcap_reset();

	railmap_init(&m);
	expect_bad(&m, add_rail(&m, "ib0", "10.0.1.14/24", "fd00::1"), "family");
	railmap_free(&m);
}
END_TEST

START_TEST(test_check_host)
{
	static const char *const bad[] = { "10.0.1.0/24", "10.0.1.255/24", "10.0.0.0/8",
					   "[fd00:1::]/64", "10.255.255.255/8" };
	struct railmap m;

	railmap_init(&m);
	expect_bad(&m, add_rail(&m, "ib0", bad[_i], NULL), NULL);
	railmap_free(&m);
}
END_TEST

START_TEST(test_check_fabric)
{
	struct railmap m;
	struct rail *r;

	railmap_init(&m);
	r = add_rail(&m, "ib0", "10.0.1.14/24", NULL);
	r->o.fabric = ip("10.0.0.0/16");
	r->o.set |= 1u << OPT_FABRIC;
	expect_bad(&m, r, "needs a gateway");
	railmap_free(&m);
	logcap_reset();

	railmap_init(&m);
	r = add_rail(&m, "ib0", "10.0.1.14/24", "10.0.1.1");
	r->o.fabric = ip("[fd00::]/16");
	r->o.set |= 1u << OPT_FABRIC;
	expect_bad(&m, r, "family");
	railmap_free(&m);
}
END_TEST

START_TEST(test_check_tables)
{
	static const uint32_t reserved[] = { 0, 253, 254, 255 };
	struct railmap m;

	for (unsigned i = 0; i < ARRAY_SIZE(reserved); i++) {
		railmap_init(&m);
		logcap_reset();
		add_rail(&m, "ib0", "10.0.1.14/24", NULL);
		set_table(add_rail(&m, "ib1", "10.0.2.14/24", NULL), reserved[i]);
		expect_bad(&m, &m.rail[1], "reserved");
		railmap_free(&m);
	}

	/* Numbered past the largest table. */
	railmap_init(&m);
	logcap_reset();
	m.def.table = UINT32_MAX;
	m.def.set = 1u << OPT_TABLE;
	add_rail(&m, "ib0", "10.0.1.14/24", NULL);
	expect_bad(&m, add_rail(&m, "ib1", "10.0.2.14/24", NULL), "out of range");
	railmap_free(&m);

	/* Numbering steps over the reserved ones: 252, then 256. */
	railmap_init(&m);
	logcap_reset();
	m.def.table = 252;
	m.def.set = 1u << OPT_TABLE;
	add_rail(&m, "ib0", "10.0.1.14/24", NULL);
	add_rail(&m, "ib1", "10.0.2.14/24", NULL);
	ck_assert_int_eq(railmap_finalize(&m), 0);
	ck_assert_uint_eq(m.rail[0].o.table, 252);
	ck_assert_uint_eq(m.rail[1].o.table, 256);
	railmap_free(&m);

	/* A base that is itself reserved is refused. */
	railmap_init(&m);
	logcap_reset();
	m.def.table = 254;
	m.def.set = 1u << OPT_TABLE;
	expect_bad(&m, add_rail(&m, "ib0", "10.0.1.14/24", NULL), "254");
	railmap_free(&m);
}
END_TEST

START_TEST(test_check_priorities)
{
	static const uint32_t bad[] = { 0, 32766, 32767, 100000 };
	struct railmap m;

	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		struct rail *r;

		railmap_init(&m);
		logcap_reset();
		r = add_rail(&m, "ib0", "10.0.1.14/24", NULL);
		r->o.priority = bad[i];
		r->o.set |= 1u << OPT_PRIORITY;
		expect_bad(&m, r, "priority");
		railmap_free(&m);
	}
}
END_TEST

START_TEST(test_check_conflict)
{
	struct railmap m;
	struct rail *r;

	railmap_init(&m);
	m.all[SC_RP_FILTER] = 2;
	m.mset = 1u << (MOPT_ALL + SC_RP_FILTER);
	r = add_rail(&m, "ib0", "10.0.1.14/24", NULL);
	r->o.sysctl[SC_RP_FILTER] = 1;
	r->o.set |= 1u << (OPT_SYSCTL + SC_RP_FILTER);
	expect_bad(&m, r, "rp_filter=1 would not take effect");
	railmap_free(&m);
	logcap_reset();

	/* The same from the profile is no conflict: the planner lowers conf/all. */
	railmap_init(&m);
	r = add_rail(&m, "ib0", "10.0.1.14/24", NULL);
	r->o.sysctl[SC_RP_FILTER] = 1;
	r->o.set |= 1u << (OPT_SYSCTL + SC_RP_FILTER);
	ck_assert_int_eq(railmap_finalize(&m), 0);
	ck_assert_int_eq(m.all[SC_RP_FILTER], 2);
	railmap_free(&m);
}
END_TEST

START_TEST(test_check_duplicates)
{
	struct railmap m;

	railmap_init(&m);
	add_rail(&m, "ib0", "10.0.1.14/24", NULL);
	add_rail(&m, "ib1", "10.0.2.14/24", NULL);
	expect_bad(&m, add_rail(&m, "ib0", "10.0.3.14/24", NULL), "\"rd.rail=ib0:10.0.1.14/24\"");
	railmap_free(&m);
	logcap_reset();

	railmap_init(&m);
	add_rail(&m, "ib0", "10.0.1.14/24", NULL);
	add_rail(&m, "ib1", "10.0.2.14/24", NULL);
	expect_bad(&m, add_rail(&m, "ib2", "10.0.1.14/25", NULL), "\"rd.rail=ib0:10.0.1.14/24\"");
	railmap_free(&m);
	logcap_reset();

	railmap_init(&m);
	set_table(add_rail(&m, "ib0", "10.0.1.14/24", NULL), 103);
	add_rail(&m, "ib1", "10.0.2.14/24", NULL);
	expect_bad(&m, add_rail(&m, "ib2", "10.0.3.14/24", NULL), "table");
	railmap_free(&m);
	logcap_reset();

	/* Different families never clash; the same address in v4 and v6 bytes neither. */
	railmap_init(&m);
	add_rail(&m, "ib0", "10.0.1.14/24", NULL);
	add_rail(&m, "ib1", "[::a00:10e]/64", NULL);
	ck_assert_int_eq(railmap_finalize(&m), 0);
	railmap_free(&m);
}
END_TEST

/* A fleet map: duplicates are found however far apart. */
START_TEST(test_duplicates_at_scale)
{
	char name[IFNAMSIZ], addr[32];
	struct railmap m;

	railmap_init(&m);
	m.def.table = 1000;
	m.def.set = 1u << OPT_TABLE;
	for (unsigned i = 0; i < RAILS_MAX; i++) {
		snprintf(name, sizeof(name), "r%u", i);
		snprintf(addr, sizeof(addr), "10.%u.%u.14/24", i / 256, i % 256);
		add_rail(&m, name, addr, NULL);
	}
	ck_assert_int_eq(railmap_finalize(&m), 0);
	ck_assert_uint_eq(logcap.errors, 0);
	railmap_free(&m);

	railmap_init(&m);
	m.def.table = 1000;
	m.def.set = 1u << OPT_TABLE;
	for (unsigned i = 0; i < RAILS_MAX - 1; i++) {
		snprintf(name, sizeof(name), "r%u", i);
		snprintf(addr, sizeof(addr), "10.%u.%u.14/24", i / 256, i % 256);
		add_rail(&m, name, addr, NULL);
	}
	expect_bad(&m, add_rail(&m, "last", "10.0.0.14/24", NULL), "\"rd.rail=r0:10.0.0.14/24\"");
	railmap_free(&m);
}
END_TEST

/* ---- profiles, lookups, state ---- */

START_TEST(test_profiles)
{
	/* The last two, IPv6's keep_addr_on_down and accept_ra, are the same in both. */
	static const int roce_rail[SC_COUNT] = { 2, 1, 2, SC_UNSET, SC_UNSET, 1, 0 };
	static const int roce_all[SC_COUNT] = { 2, SC_UNSET, SC_UNSET, SC_UNSET,
						1, SC_UNSET, SC_UNSET };
	static const int ipoib_rail[SC_COUNT] = { 1, 2, 2, 1, SC_UNSET, 1, 0 };

	for (int k = 0; k < SC_COUNT; k++) {
		ck_assert_int_eq(profile_sysctl(PROFILE_ROCE, k, 1), roce_rail[k]);
		ck_assert_int_eq(profile_sysctl(PROFILE_ROCE, k, 0), roce_all[k]);
		ck_assert_int_eq(profile_sysctl(PROFILE_IPOIB, k, 1), ipoib_rail[k]);
		ck_assert_int_eq(profile_sysctl(PROFILE_IPOIB, k, 0), SC_UNSET);
		/* Every value a profile asks for is one the kernel takes. */
		ck_assert_int_le(profile_sysctl(PROFILE_ROCE, k, 1), sysctl_desc[k].maxval);
		ck_assert_int_le(profile_sysctl(PROFILE_IPOIB, k, 1), sysctl_desc[k].maxval);
	}
}
END_TEST

START_TEST(test_by_name)
{
	struct railmap m;

	railmap_init(&m);
	add_rail(&m, "ib0", "10.0.1.14/24", NULL);
	add_rail(&m, "ib1", "10.0.2.14/24", NULL);
	ck_assert_ptr_eq(railmap_by_name(&m, "ib1"), &m.rail[1]);
	ck_assert_ptr_null(railmap_by_name(&m, "ib"));
	ck_assert_ptr_null(railmap_by_name(&m, "ib10"));
	railmap_free(&m);
}
END_TEST

START_TEST(test_fail)
{
	struct railmap m;
	struct rail *r;

	railmap_init(&m);
	r = add_rail(&m, "ib0", "10.0.1.14/24", NULL);
	rail_fail(r, "apply", "table %u: %s", 101u, "File exists");
	ck_assert_int_eq(r->st.phase, RAIL_FAILED);
	ck_assert_str_eq(r->st.stage, "apply");
	ck_assert_str_eq(r->st.error, "table 101: File exists");
	/* The first failure sticks. */
	rail_fail(r, "verify", "later");
	ck_assert_str_eq(r->st.stage, "apply");
	ck_assert_str_eq(r->st.error, "table 101: File exists");
	railmap_free(&m);
}
END_TEST

START_TEST(test_phase_names)
{
	ck_assert_str_eq(rail_phase_name(RAIL_PENDING), "pending");
	ck_assert_str_eq(rail_phase_name(RAIL_ABSENT), "absent");
	ck_assert_str_eq(rail_phase_name(RAIL_READY), "ready");
	ck_assert_str_eq(rail_phase_name(RAIL_CONFIGURED), "configured");
	ck_assert_str_eq(rail_phase_name(RAIL_VERIFIED), "verified");
	ck_assert_str_eq(rail_phase_name(RAIL_FAILED), "failed");
}
END_TEST

Suite *rail_suite(void)
{
	Suite *s = suite_create("rail");
	TCase *tc = tcase_create("finalize");

	tcase_add_checked_fixture(tc, logcap_setup, logcap_teardown);
	tcase_add_test(tc, test_init);
	tcase_add_test(tc, test_add);
	tcase_add_test(tc, test_numbering);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_fabric_default);
	tcase_add_test(tc, test_state_reset);
	suite_add_tcase(s, tc);

	tc = tcase_create("checks");
	tcase_add_checked_fixture(tc, logcap_setup, logcap_teardown);
	tcase_add_test(tc, test_check_gateway);
	tcase_add_loop_test(tc, test_check_host, 0, 5);
	tcase_add_test(tc, test_check_fabric);
	tcase_add_test(tc, test_check_tables);
	tcase_add_test(tc, test_check_priorities);
	tcase_add_test(tc, test_check_conflict);
	tcase_add_test(tc, test_check_duplicates);
	tcase_add_test(tc, test_duplicates_at_scale);
	suite_add_tcase(s, tc);

	tc = tcase_create("state");
	tcase_add_test(tc, test_profiles);
	tcase_add_test(tc, test_by_name);
	tcase_add_test(tc, test_fail);
	tcase_add_test(tc, test_phase_names);
	suite_add_tcase(s, tc);
	return s;
}
