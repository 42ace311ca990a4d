// SPDX-License-Identifier: GPL-2.0
/* addr.h: parsing, printing and prefix arithmetic. */
#include <arpa/inet.h>
#include <string.h>

#include "unit.h"

static int parse(struct ipaddr *a, const char *s, bool need_plen, const char **why)
{
	*why = "";
	return addr_parse(a, s, strlen(s), need_plen, why);
}

static const char *fmt(const struct ipaddr *a, bool with_plen)
{
	static char buf[ADDR_STRLEN];

	return addr_fmt(a, with_plen, buf);
}

START_TEST(test_parse_v4)
{
	struct ipaddr a;
	const char *why;

	ck_assert_int_eq(parse(&a, "10.0.1.14/24", true, &why), 0);
	ck_assert_uint_eq(a.family, AF_INET);
	ck_assert_uint_eq(a.plen, 24);
	ck_assert_uint_eq(a.v4.s_addr, htonl(0x0a00010e));
	ck_assert_str_eq(fmt(&a, true), "10.0.1.14/24");
	ck_assert_str_eq(fmt(&a, false), "10.0.1.14");

	/* Without a prefix length the address is a host. */
	ck_assert_int_eq(parse(&a, "10.0.1.1", false, &why), 0);
	ck_assert_uint_eq(a.plen, 32);
	ck_assert_int_eq(parse(&a, "0.0.0.0/0", true, &why), 0);
	ck_assert_uint_eq(a.plen, 0);
}
END_TEST

START_TEST(test_parse_v6)
{
	struct ipaddr a;
	const char *why;

	ck_assert_int_eq(parse(&a, "[fd00:1::14]/64", true, &why), 0);
	ck_assert_uint_eq(a.family, AF_INET6);
	ck_assert_uint_eq(a.plen, 64);
	ck_assert_uint_eq(a.b[0], 0xfd);
	ck_assert_uint_eq(a.b[15], 0x14);
	ck_assert_str_eq(fmt(&a, true), "fd00:1::14/64");

	ck_assert_int_eq(parse(&a, "[fd00:1::1]", false, &why), 0);
	ck_assert_uint_eq(a.plen, 128);
	ck_assert_int_eq(parse(&a, "fd00:1::1/128", true, &why), 0);
	ck_assert_uint_eq(a.family, AF_INET6);
}
END_TEST

/* Exactly n bytes: what follows is not read. */
START_TEST(test_parse_length)
{
	const char *s = "10.0.1.14/24:10.0.1.1";
	const char *why = "";
	struct ipaddr a;

	ck_assert_int_eq(addr_parse(&a, s, 12, true, &why), 0);
	ck_assert_str_eq(fmt(&a, true), "10.0.1.14/24");
	ck_assert_int_eq(addr_parse(&a, s, 9, false, &why), 0);
	ck_assert_str_eq(fmt(&a, true), "10.0.1.14/32");
	ck_assert_int_eq(addr_parse(&a, s, 0, false, &why), -1);
}
END_TEST

static const struct {
	const char *s;
	bool need_plen;
} bad_addrs[] = {
	{ "10.0.1.300/24", true },
	{ "10.0.1.14", true }, /* missing /prefix */
	{ "10.0.1.14/33", true },
	{ "10.0.1.14/", true },
	{ "10.0.1.14/024", true }, /* leading zero */
	{ "10.0.1.14/2x", true },
	{ "10.0.1.14/-1", true },
	{ "10.0.1.14/1000", true },
	{ "10.0.1", false },
	{ "", false },
	{ "/24", true },
	{ "[10.0.1.14]/24", true },
	{ "[fd00::1]/129", true },
	{ "[]", false },
	{ "[fd00::1", false },
	{ "fd00::1::2", false },
	{ "ib0", false },
	{ "10.0.1.14 /24", true },
};

START_TEST(test_parse_bad)
{
	struct ipaddr a;
	const char *why;

	ck_assert_msg(parse(&a, bad_addrs[_i].s, bad_addrs[_i].need_plen, &why) == -1,
		      "\"%s\" parsed", bad_addrs[_i].s);
	ck_assert_msg(why && *why, "\"%s\": no reason given", bad_addrs[_i].s);
}
END_TEST

START_TEST(test_reasons)
{
	struct ipaddr a;
	const char *why;

	parse(&a, "10.0.1.14", true, &why);
	ck_assert_str_eq(why, "missing /prefix length");
	parse(&a, "10.0.1.14/33", true, &why);
	ck_assert_str_eq(why, "bad prefix length");
	parse(&a, "10.0.1.300/24", true, &why);
	ck_assert_str_eq(why, "not an IPv4 address");
	parse(&a, "[fd00::g]/64", true, &why);
	ck_assert_str_eq(why, "not an IPv6 address");
}
END_TEST

START_TEST(test_fmt_absent)
{
	struct ipaddr a = NOADDR;

	ck_assert_str_eq(fmt(&a, true), "-");
}
END_TEST

/* What is parsed formats back the same, at every width of every byte. */
START_TEST(test_fmt_roundtrip)
{
	static const char *const v[] = { "0.0.0.0/0",	     "1.2.3.4/8",
					 "10.99.100.255/16", "255.255.255.255/32",
					 "100.64.0.7/10",    "::/0",
					 "fd00::1/128",	     "2001:db8:0:1::ffff/64" };
	struct ipaddr a;
	const char *why;

	for (unsigned i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ck_assert_int_eq(addr_parse(&a, v[i], strlen(v[i]), true, &why), 0);
		ck_assert_str_eq(fmt(&a, true), v[i]);
	}
}
END_TEST

START_TEST(test_compare)
{
	struct ipaddr a = ip("10.0.1.14/24"), b = ip("10.0.1.14/16"), c = ip("10.0.1.15/24");
	struct ipaddr v6 = ip("[::a00:10e]/24");

	ck_assert(addr_same_ip(&a, &b));
	ck_assert(!addr_eq(&a, &b));
	ck_assert(addr_eq(&a, &a));
	ck_assert(!addr_same_ip(&a, &c));
	ck_assert_int_lt(addr_cmp(&a, &c), 0);
	ck_assert_int_gt(addr_cmp(&c, &a), 0);
	ck_assert_int_gt(addr_cmp(&a, &b), 0); /* same address: the longer prefix last */
	ck_assert_int_eq(addr_cmp(&a, &a), 0);
	/* Families never compare equal, whatever their bytes. */
	ck_assert(!addr_same_ip(&a, &v6));
	ck_assert_int_ne(addr_cmp(&a, &v6), 0);
	ck_assert_int_eq(addr_cmp(&a, &v6), -addr_cmp(&v6, &a));
}
END_TEST

START_TEST(test_prefix)
{
	struct ipaddr a = ip("10.0.1.14/24"), n = addr_network(&a);

	ck_assert_str_eq(fmt(&n, true), "10.0.1.0/24");
	ck_assert(addr_host_bits_zero(&n));
	ck_assert(!addr_host_bits_zero(&a));
	ck_assert(!addr_host_bits_ones(&a));
	a = ip("10.0.1.255/24");
	ck_assert(addr_host_bits_ones(&a));
	a = ip("10.0.1.14/20");
	n = addr_network(&a);
	ck_assert_str_eq(fmt(&n, true), "10.0.0.0/20");
	a = ip("[fd00:1::14]/64");
	n = addr_network(&a);
	ck_assert_str_eq(fmt(&n, true), "fd00:1::/64");
	a = ip("[fd00:1:2:f::14]/60");
	n = addr_network(&a);
	ck_assert_str_eq(fmt(&n, true), "fd00:1:2::/60");
	a = ip("0.0.0.0/0");
	ck_assert(addr_host_bits_zero(&a));
}
END_TEST

START_TEST(test_in_prefix)
{
	struct ipaddr p = ip("10.0.1.14/24"), in = ip("10.0.1.1"), out = ip("10.0.2.1");
	struct ipaddr fabric = ip("10.0.0.0/16"), v6 = ip("fd00::1"), all = ip("0.0.0.0/0");

	ck_assert(addr_in_prefix(&in, &p));
	ck_assert(!addr_in_prefix(&out, &p));
	ck_assert(addr_in_prefix(&out, &fabric));
	ck_assert(addr_in_prefix(&out, &all));
	ck_assert(!addr_in_prefix(&v6, &all));
	p = ip("10.0.1.0/31");
	in = ip("10.0.1.1");
	ck_assert(addr_in_prefix(&in, &p));
	in = ip("10.0.1.2");
	ck_assert(!addr_in_prefix(&in, &p));
}
END_TEST

START_TEST(test_add_host)
{
	struct ipaddr a = ip("10.0.1.0/24");

	ck_assert_int_eq(addr_add_host(&a, 1), 0);
	ck_assert_str_eq(fmt(&a, true), "10.0.1.1/24");
	ck_assert_int_eq(addr_add_host(&a, 254), 0);
	ck_assert_str_eq(fmt(&a, true), "10.0.1.255/24");
	/* Leaving the prefix fails and leaves a alone. */
	ck_assert_int_eq(addr_add_host(&a, 1), -1);
	ck_assert_str_eq(fmt(&a, true), "10.0.1.255/24");
	a = ip("10.0.0.250/16");
	ck_assert_int_eq(addr_add_host(&a, 10), 0); /* carries into the next byte */
	ck_assert_str_eq(fmt(&a, false), "10.0.1.4");
	a = ip("255.255.255.255/0");
	ck_assert_int_eq(addr_add_host(&a, 1), -1);
	a = ip("[fd00::ffff]/64");
	ck_assert_int_eq(addr_add_host(&a, 1), 0);
	ck_assert_str_eq(fmt(&a, false), "fd00::1:0");
}
END_TEST

START_TEST(test_host_part)
{
	struct ipaddr a = ip("10.0.1.14/24");
	uint64_t n = 0;

	ck_assert_int_eq(addr_host_part(&a, &n), 0);
	ck_assert_uint_eq(n, 14);
	a = ip("10.0.1.14/16");
	ck_assert_int_eq(addr_host_part(&a, &n), 0);
	ck_assert_uint_eq(n, 0x010e);
	a = ip("[fd00::1:2]/64");
	ck_assert_int_eq(addr_host_part(&a, &n), 0);
	ck_assert_uint_eq(n, 0x10002);
	a = ip("[fd00::1]/8");
	ck_assert_int_eq(addr_host_part(&a, &n), 0); /* 120 host bits, but a small value */
	ck_assert_uint_eq(n, 1);
	a = ip("[fd00:1::1]/8");
	ck_assert_int_eq(addr_host_part(&a, &n), -1);
}
END_TEST

/* As sockets take them: family, port and address in network order; none for no family. */
START_TEST(test_sockaddr)
{
	struct sockaddr_in6 ss;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;
	struct ipaddr a = ip("10.0.1.14/24"), none = { 0 };

	memset(&ss, 0xaa, sizeof(ss));
	ck_assert_uint_eq(addr_sockaddr(&a, 4791, &ss), sizeof(struct sockaddr_in));
	ck_assert_uint_eq(s4->sin_family, AF_INET);
	ck_assert_uint_eq(ntohs(s4->sin_port), 4791);
	ck_assert_uint_eq(ntohl(s4->sin_addr.s_addr), 0x0a00010e);
	ck_assert_uint_eq(s4->sin_zero[0] | s4->sin_zero[7], 0);
	a = ip("[fd00:1::14]/64");
	memset(&ss, 0xaa, sizeof(ss));
	ck_assert_uint_eq(addr_sockaddr(&a, 0, &ss), sizeof(struct sockaddr_in6));
	ck_assert_uint_eq(ss.sin6_family, AF_INET6);
	ck_assert_uint_eq(ss.sin6_port, 0);
	ck_assert_uint_eq(ss.sin6_scope_id, 0);
	ck_assert_int_eq(memcmp(&ss.sin6_addr, &a.v6, 16), 0);
	ck_assert_uint_eq(addr_sockaddr(&none, 1, &ss), 0);
}
END_TEST

Suite *addr_suite(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_parse_v4);
	tcase_add_test(tc, test_parse_v6);
	tcase_add_test(tc, test_parse_length);
	tcase_add_loop_test(tc, test_parse_bad, 0, ARRAY_SIZE(bad_addrs));
	tcase_add_test(tc, test_reasons);
	tcase_add_test(tc, test_fmt_absent);
	tcase_add_test(tc, test_fmt_roundtrip);
	tcase_add_test(tc, test_sockaddr);
	suite_add_tcase(s, tc);

	tc = tcase_create("prefix");
	tcase_add_test(tc, test_compare);
	tcase_add_test(tc, test_prefix);
	tcase_add_test(tc, test_in_prefix);
	tcase_add_test(tc, test_add_host);
	tcase_add_test(tc, test_host_part);
	suite_add_tcase(s, tc);
	return s;
}
