// SPDX-License-Identifier: GPL-2.0
/*
 * host.h and the templates of rail.h: the node's host index (from a number,
 * the hostname's trailing number, an interface's IPv4 address, the BOOTIF
 * NIC) and what railmap_resolve_hosts() makes of base+/plen addresses:
 * fits, does not fit, IPv6, and the checks of plain addresses run again on
 * the results (duplicates, gateway, subnet and broadcast addresses).
 */
#include <string.h>

#include "host.h"
#include "unit.h"

static uint64_t from_name(const char *name)
{
	uint64_t v = 12345;

	ck_assert_msg(host_from_name(name, &v) == 0, "%s: no index", name);
	return v;
}

static void no_number(const char *name)
{
	uint64_t v = 12345;

	ck_assert_msg(host_from_name(name, &v) == -1, "%s: index %llu", name,
		      (unsigned long long)v);
	ck_assert_uint_eq(v, 12345);
}

START_TEST(test_from_name)
{
	ck_assert_uint_eq(from_name("node017"), 17);
	ck_assert_uint_eq(from_name("node0"), 0);
	ck_assert_uint_eq(from_name("gpu-a100-07"), 7);
	ck_assert_uint_eq(from_name("cn1234"), 1234);
	ck_assert_uint_eq(from_name("42"), 42);
	/* The first label is the host name; the domain's numbers do not count. */
	ck_assert_uint_eq(from_name("node017.cluster2.example"), 17);
	ck_assert_uint_eq(from_name("node999999999"), 999999999);
	no_number("login");
	no_number("");
	no_number("node17a");
	no_number("node.17");
	no_number("node-");
	/* More than 9 digits is a serial number, not an index. */
	no_number("node1234567890");
}
END_TEST

/* A map with templates, parsed and finalized, then resolved with index. */
static int resolve(struct railmap *m, const char *cmdline, uint64_t index)
{
	map_ok(m, cmdline, NULL);
	logcap_reset();
	return railmap_resolve_hosts(m, index);
}

static const char *addr_of(const struct railmap *m, const char *name, int family)
{
	static char buf[ADDR_STRLEN];

	for (unsigned i = 0; i < m->n; i++)
		if (!strcmp(m->rail[i].name, name) && m->rail[i].addr.family == family)
			return addr_fmt(&m->rail[i].addr, true, buf);
	ck_abort_msg("no rail %s of family %d", name, family);
	return NULL;
}

START_TEST(test_resolve_fits)
{
	struct railmap m;

	ck_assert_int_eq(resolve(&m,
				 "rd.rail.host=hostname rd.rail=ib0:10.0.1.100+/24:10.0.1.1 "
				 "rd.rail=ib1:10.0.2.100+/24 rd.rail=ib2:10.0.3.7/24 "
				 "rd.rail=ib1:[fd00:2::]+/64",
				 17),
			 0);
	ck_assert_uint_eq(logcap.errors, 0);
	ck_assert(railmap_has_templates(&m) == false);
	ck_assert_str_eq(addr_of(&m, "ib0", AF_INET), "10.0.1.117/24");
	ck_assert_str_eq(addr_of(&m, "ib1", AF_INET), "10.0.2.117/24");
	/* A plain address stays as written. */
	ck_assert_str_eq(addr_of(&m, "ib2", AF_INET), "10.0.3.7/24");
	/* IPv6: the index is added as a number, so 17 is ::11. */
	ck_assert_str_eq(addr_of(&m, "ib1", AF_INET6), "fd00:2::11/64");
	for (unsigned i = 0; i < m.n; i++)
		ck_assert(!m.rail[i].tmpl);
	railmap_free(&m);

	/* The last host of the /24, and the index crossing a byte. */
	ck_assert_int_eq(resolve(&m, "rd.rail.host=1 rd.rail=ib0:10.0.1.100+/24", 154), 0);
	ck_assert_str_eq(addr_of(&m, "ib0", AF_INET), "10.0.1.254/24");
	railmap_free(&m);
	ck_assert_int_eq(resolve(&m, "rd.rail.host=1 rd.rail=ib0:10.0.0.0+/16", 300), 0);
	ck_assert_str_eq(addr_of(&m, "ib0", AF_INET), "10.0.1.44/16");
	railmap_free(&m);
	/* A /64 holds any 32-bit index. */
	ck_assert_int_eq(resolve(&m, "rd.rail.host=1 rd.rail=ib0:[fd00:1::]+/64", 4294967295u), 0);
	ck_assert_str_eq(addr_of(&m, "ib0", AF_INET6), "fd00:1::ffff:ffff/64");
	railmap_free(&m);
}
END_TEST

/* resolve fails with one error line quoting the rail's token and saying why. */
static void expect_unfit(const char *cmdline, uint64_t index, const char *token, const char *why)
{
	struct railmap m;
	char want[200];

	ck_assert_int_eq(resolve(&m, cmdline, index), -1);
	ck_assert_uint_eq(logcap.errors, 1);
	snprintf(want, sizeof(want), "\"%s\"", token);
	ck_assert_msg(strstr(logcap.msg[0], want), "[%s] lacks [%s]", logcap.msg[0], want);
	ck_assert_msg(strstr(logcap.msg[0], why), "[%s] lacks [%s]", logcap.msg[0], why);
	ck_assert(!has_control_bytes(logcap.msg[0]));
	railmap_free(&m);
}

START_TEST(test_resolve_does_not_fit)
{
	expect_unfit("rd.rail.host=1 rd.rail=ib0:10.0.1.100+/24", 156, "rd.rail=ib0:10.0.1.100+/24",
		     "host index 156 does not fit 10.0.1.100+/24");
	expect_unfit("rd.rail.host=1 rd.rail=ib0:10.0.1.100+/24", 1000,
		     "rd.rail=ib0:10.0.1.100+/24", "does not fit");
	/* 155 lands on the broadcast address, 0 on a base that is the subnet's own. */
	expect_unfit("rd.rail.host=1 rd.rail=ib0:10.0.1.100+/24", 155, "rd.rail=ib0:10.0.1.100+/24",
		     "10.0.1.255/24 is the subnet's broadcast address");
	expect_unfit("rd.rail.host=1 rd.rail=ib0:10.0.1.0+/24", 0, "rd.rail=ib0:10.0.1.0+/24",
		     "subnet's own address");
	/* The second rail is the one that does not fit: it is the one quoted. */
	expect_unfit("rd.rail.host=1 rd.rail=ib0:10.0.1.0+/16 rd.rail=ib1:10.0.2.200+/24", 60,
		     "rd.rail=ib1:10.0.2.200+/24", "does not fit");
	expect_unfit("rd.rail.host=1 rd.rail=ib0:[fd00:1::ff00]+/120", 256,
		     "rd.rail=ib0:[fd00:1::ff00]+/120", "does not fit");
	/* The carry out of the last byte overflows the whole address. */
	expect_unfit("rd.rail.host=1 rd.rail=ib0:255.255.255.0+/24", 256,
		     "rd.rail=ib0:255.255.255.0+/24", "does not fit");
	/* The gateway checks run on the result. */
	expect_unfit("rd.rail.host=1 rd.rail=ib0:10.0.1.0+/24:10.0.1.1", 1,
		     "rd.rail=ib0:10.0.1.0+/24:10.0.1.1",
		     "gateway 10.0.1.1 is the rail's own address");
}
END_TEST

START_TEST(test_resolve_duplicates)
{
	/*
	 * Distinct as written, the same once resolved: caught after resolution,
	 * quoting the later rail and naming the earlier.
	 */
	expect_unfit("rd.rail.host=1 rd.rail=ib0:10.0.1.100+/24 rd.rail=ib1:10.0.1.117/24", 17,
		     "rd.rail=ib1:10.0.1.117/24",
		     "duplicate address: also in \"rd.rail=ib0:10.0.1.100+/24\"");
	expect_unfit("rd.rail.host=1 rd.rail=ib0:10.0.1.117/24 rd.rail=ib1:10.0.1.100+/24", 17,
		     "rd.rail=ib1:10.0.1.100+/24",
		     "duplicate address: also in \"rd.rail=ib0:10.0.1.117/24\"");
	expect_unfit("rd.rail.host=1 rd.rail=ib0:[fd00::]+/64 rd.rail=ib1:[fd00::11]/64", 17,
		     "rd.rail=ib1:[fd00::11]/64", "duplicate address");
}
END_TEST

START_TEST(test_template_needs_host)
{
	struct railmap m;

	ck_assert_int_eq(map_parse(&m, "rd.rail=ib0:10.0.1.100+/24", NULL), CONFIG_BAD);
	ck_assert_ptr_nonnull(logcap_find("needs rd.rail.host="));
	ck_assert_ptr_nonnull(logcap_find("\"rd.rail=ib0:10.0.1.100+/24\""));
	railmap_free(&m);
}
END_TEST

START_TEST(test_host_sources)
{
	struct railmap m;

	map_ok(&m, "rd.rail.host=17 rd.rail=ib0:10.0.1.100+/24", NULL);
	ck_assert_uint_eq(m.host.source, HOST_NUMBER);
	ck_assert_uint_eq(m.host.number, 17);
	railmap_free(&m);
	map_ok(&m, "rd.rail.host=hostname rd.rail=ib0:10.0.1.100+/24", NULL);
	ck_assert_uint_eq(m.host.source, HOST_HOSTNAME);
	railmap_free(&m);
	map_ok(&m, "rd.rail.host=addr:eth0 rd.rail=ib0:10.0.1.100+/24", NULL);
	ck_assert_uint_eq(m.host.source, HOST_ADDR);
	ck_assert_str_eq(m.host.ifname, "eth0");
	railmap_free(&m);
	map_ok(&m, "BOOTIF=01-52-54-00-12-34-5A rd.rail.host=bootif rd.rail=ib0:10.0.1.100+/24",
	       NULL);
	ck_assert_uint_eq(m.host.source, HOST_BOOTIF);
	ck_assert_uint_eq(m.host.bootif_len, 6);
	ck_assert_mem_eq(m.host.bootif, "\x52\x54\x00\x12\x34\x5a", 6);
	railmap_free(&m);
	ck_assert_int_eq(map_parse(&m, "rd.rail.host=node rd.rail=ib0:10.0.1.100+/24", NULL),
			 CONFIG_BAD);
	ck_assert_ptr_nonnull(logcap_find("\"rd.rail.host=node\""));
	railmap_free(&m);
}
END_TEST

/* host_index() against an observed state built by hand. */
static int index_of(const struct host_spec *h, const struct observed *o, uint64_t *v, char *why)
{
	*v = 12345;
	why[0] = '\0';
	return host_index(h, o, v, why, 160);
}

START_TEST(test_index_from_links)
{
	struct host_spec h = { .source = HOST_ADDR, .ifname = "eth0" };
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x5a };
	struct observed o = { 0 };
	struct link *l;
	char why[160];
	uint64_t v;

	obs_link(&o, 2, "eth0", UP);
	obs_addr(&o, 2, ip("192.168.7.23/24"), 0);
	l = obs_link(&o, 3, "eth1", UP);
	memcpy(l->hwaddr, mac, 6);
	l->hwlen = 6;
	obs_addr(&o, 3, ip("[fd00::9]/64"), 0);
	obs_addr(&o, 3, ip("172.16.3.40/16"), 0);
	obs_link(&o, 4, "eth2", UP);
	obs_done(&o);

	ck_assert_int_eq(index_of(&h, &o, &v, why), 0);
	ck_assert_uint_eq(v, 23);
	/* The host part within the prefix: 3 * 256 + 40, the IPv6 address skipped. */
	strcpy(h.ifname, "eth1");
	ck_assert_int_eq(index_of(&h, &o, &v, why), 0);
	ck_assert_uint_eq(v, 808);
	strcpy(h.ifname, "eth2");
	ck_assert_int_eq(index_of(&h, &o, &v, why), -1);
	ck_assert_msg(strstr(why, "eth2 has no IPv4 address"), "%s", why);
	strcpy(h.ifname, "eth9");
	ck_assert_int_eq(index_of(&h, &o, &v, why), -1);
	ck_assert_msg(strstr(why, "eth9") && strstr(why, "not found"), "%s", why);

	h.source = HOST_BOOTIF;
	memcpy(h.bootif, mac, 6);
	h.bootif_len = 6;
	ck_assert_int_eq(index_of(&h, &o, &v, why), 0);
	ck_assert_uint_eq(v, 808);
	h.bootif[5] ^= 1;
	ck_assert_int_eq(index_of(&h, &o, &v, why), -1);
	ck_assert_msg(strstr(why, "BOOTIF"), "%s", why);
	h.bootif_len = 0;
	ck_assert_int_eq(index_of(&h, &o, &v, why), -1);
	ck_assert_msg(strstr(why, "no BOOTIF="), "%s", why);

	h.source = HOST_NUMBER;
	h.number = 4000000000u;
	ck_assert_int_eq(index_of(&h, &o, &v, why), 0);
	ck_assert_uint_eq(v, 4000000000u);
	h.source = HOST_NONE;
	ck_assert_int_eq(index_of(&h, &o, &v, why), -1);
	ck_assert_msg(strstr(why, "rd.rail.host="), "%s", why);
	observed_free(&o);
}
END_TEST

Suite *host_suite(void)
{
	Suite *s = suite_create("host");
	TCase *tc = tcase_create("index");

	tcase_add_checked_fixture(tc, logcap_setup, logcap_teardown);
	tcase_add_test(tc, test_from_name);
	tcase_add_test(tc, test_host_sources);
	tcase_add_test(tc, test_index_from_links);
	suite_add_tcase(s, tc);

	tc = tcase_create("templates");
	tcase_add_checked_fixture(tc, logcap_setup, logcap_teardown);
	tcase_add_test(tc, test_resolve_fits);
	tcase_add_test(tc, test_resolve_does_not_fit);
	tcase_add_test(tc, test_resolve_duplicates);
	tcase_add_test(tc, test_template_needs_host);
	suite_add_tcase(s, tc);
	return s;
}
