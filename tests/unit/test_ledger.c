// SPDX-License-Identifier: GPL-2.0
/* ledger.h: what railup owns, written and read back in a temporary run directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

/* Interfaces by ifindex, as the ledger keys them: all 0, ib0 2, ib1 3, ib0.8001 4. */
static int ifindex_of(const char *ifname)
{
	if (!strcmp(ifname, "all"))
		return 0;
	if (!strcmp(ifname, "ib0"))
		return 2;
	if (!strcmp(ifname, "ib1"))
		return 3;
	return strcmp(ifname, "ib0.8001") ? 9 : 4;
}

static struct owned own_sysctl(const char *ifname, enum sysctl_key k, int orig)
{
	struct owned e = { .kind = OWN_SYSCTL, .key = (uint8_t)k, .orig = (int8_t)orig };

	snprintf(e.ifname, sizeof(e.ifname), "%s", ifname);
	e.ifindex = ifindex_of(ifname);
	return e;
}

static struct owned own_addr(const char *ifname, const char *a)
{
	struct owned e = { .kind = OWN_ADDR, .a = ip(a) };

	snprintf(e.ifname, sizeof(e.ifname), "%s", ifname);
	e.ifindex = ifindex_of(ifname);
	return e;
}

START_TEST(test_roundtrip)
{
	const struct owned in[] = {
		own_sysctl("ib1", SC_RP_FILTER, 0),
		own_addr("ib0", "10.0.1.14/24"),
		own_sysctl("all", SC_RP_FILTER, 2),
		own_addr("ib0", "[fd00:1::14]/64"),
		own_sysctl("ib0", SC_ARP_IGNORE, 8),
		own_sysctl("ib0", SC_ACCEPT_LOCAL, 1),
		own_addr("ib0.8001", "[fd00:ffff:ffff:ffff:ffff:ffff:ffff:1]/128"),
	};
	struct owned *v = NULL;
	unsigned n = 0;
	char *text;

	ck_assert_int_eq(ledger_write(unit_dir, in, ARRAY_SIZE(in)), 0);
	text = unit_read("owned");
	ck_assert_int_eq(text[0], '#');
	ck_assert_ptr_nonnull(strstr(text, "\naddr ib0 2 10.0.1.14/24\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nsysctl ib0 2 arp_ignore 8\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nsysctl all 0 rp_filter 2\n"));
	free(text);

	ck_assert_int_eq(ledger_read(unit_dir, &v, &n), 0);
	ck_assert_uint_eq(n, ARRAY_SIZE(in));
	/* Sorted: addresses, then values; by ifindex; by address or key. */
	ck_assert_uint_eq(v[0].kind, OWN_ADDR);
	ck_assert_str_eq(v[0].ifname, "ib0");
	ck_assert(addr_eq(&v[0].a, &in[1].a));
	ck_assert(addr_eq(&v[1].a, &in[3].a));
	ck_assert_str_eq(v[2].ifname, "ib0.8001");
	ck_assert(addr_eq(&v[2].a, &in[6].a));
	ck_assert_uint_eq(v[3].kind, OWN_SYSCTL);
	ck_assert_str_eq(v[3].ifname, "all");
	ck_assert_uint_eq(v[3].key, SC_RP_FILTER);
	ck_assert_int_eq(v[3].orig, 2);
	ck_assert_str_eq(v[4].ifname, "ib0");
	ck_assert_uint_eq(v[4].key, SC_ARP_IGNORE);
	ck_assert_int_eq(v[4].orig, 8);
	ck_assert_uint_eq(v[5].key, SC_ACCEPT_LOCAL);
	ck_assert_int_eq(v[5].orig, 1);
	ck_assert_str_eq(v[6].ifname, "ib1");
	ck_assert_int_eq(v[6].orig, 0);
	free(v);
}
END_TEST

START_TEST(test_find)
{
	struct owned v[] = {
		own_sysctl("ib1", SC_RP_FILTER, 0), own_addr("ib0", "10.0.1.14/24"),
		own_sysctl("ib0", SC_RP_FILTER, 1), own_sysctl("ib0", SC_ARP_IGNORE, 8),
		own_addr("ib1", "10.0.2.14/24"),    own_sysctl("all", SC_ACCEPT_LOCAL, 0),
	};
	struct owned like;
	const struct owned *e;

	ledger_sort(v, ARRAY_SIZE(v));
	for (unsigned i = 1; i < ARRAY_SIZE(v); i++)
		ck_assert(v[i - 1].kind < v[i].kind ||
			  (v[i - 1].kind == v[i].kind && v[i - 1].ifindex <= v[i].ifindex));

	like = own_sysctl("ib0", SC_ARP_IGNORE, 99); /* the old value is no key */
	e = ledger_find(v, ARRAY_SIZE(v), &like);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->orig, 8);
	like = own_sysctl("ib0", SC_ACCEPT_LOCAL, 0);
	ck_assert_ptr_null(ledger_find(v, ARRAY_SIZE(v), &like));
	like = own_sysctl("all", SC_ACCEPT_LOCAL, 0);
	ck_assert_ptr_nonnull(ledger_find(v, ARRAY_SIZE(v), &like));
	like = own_sysctl("ib2", SC_RP_FILTER, 0);
	ck_assert_ptr_null(ledger_find(v, ARRAY_SIZE(v), &like));

	like = own_addr("ib1", "10.0.2.14/24");
	e = ledger_find(v, ARRAY_SIZE(v), &like);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->ifname, "ib1");
	like = own_addr("ib1", "10.0.2.14/16"); /* the prefix is part of what railup added */
	ck_assert_ptr_null(ledger_find(v, ARRAY_SIZE(v), &like));
	like = own_addr("ib0", "10.0.2.14/24");
	ck_assert_ptr_null(ledger_find(v, ARRAY_SIZE(v), &like));
	ck_assert_ptr_null(ledger_find(NULL, 0, &like));
}
END_TEST

/* An interface's MTU from before: one entry per interface, after the values. */
START_TEST(test_mtu)
{
	struct owned in[] = { own_sysctl("ib1", SC_RP_FILTER, 0), own_addr("ib1", "10.0.2.14/24"),
			      own_sysctl("ib1", SC_RP_FILTER, 0), own_addr("ib0", "10.0.1.14/24") };
	struct owned *v = NULL, like = { .kind = OWN_MTU, .ifindex = 3 };
	unsigned n = 0;
	char *text;

	in[0].kind = OWN_MTU;
	in[0].orig = 65520;
	in[2] = in[0];
	snprintf(in[2].ifname, sizeof(in[2].ifname), "ib0");
	in[2].ifindex = 2;
	in[2].orig = 1500;
	ck_assert_int_eq(ledger_write(unit_dir, in, ARRAY_SIZE(in)), 0);
	text = unit_read("owned");
	ck_assert_ptr_nonnull(strstr(text, "\nmtu ib1 3 65520\n"));
	free(text);
	ck_assert_int_eq(ledger_read(unit_dir, &v, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(v[2].kind, OWN_MTU);
	ck_assert_int_eq(v[2].ifindex, 2);
	ck_assert_int_eq(v[2].orig, 1500);
	ck_assert_int_eq(ledger_find(v, n, &like)->orig, 65520);
	free(v);

	unit_write("owned", "mtu ib0 2 9000\n"
			    "mtu ib0 2\n"
			    "mtu ib0 2 0\n"
			    "mtu ib0 2 -1\n"
			    "mtu ib0 2 2147483648\n"
			    "mtu ib0 2 rp_filter 1\n"
			    "mtu all 0 1500\n");
	ck_assert_int_eq(ledger_read(unit_dir, &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(v[0].orig, 9000);
	free(v);
}
END_TEST

START_TEST(test_missing)
{
	struct owned *v = (struct owned *)&v;
	unsigned n = 99;

	ck_assert_int_eq(ledger_read(unit_dir, &v, &n), 0);
	ck_assert_uint_eq(n, 0);
	free(v);
}
END_TEST

/* Lines railup cannot read are dropped; the rest stays. */
START_TEST(test_bad_lines)
{
	struct owned *v = NULL;
	unsigned n = 0;

	unit_write("owned", "# what railup changed\n"
			    "addr ib0 2 10.0.1.14/24\n"
			    "addr ib0 2 10.0.1.300/24\n"
			    "addr ib0 2 10.0.1.15\n"
			    "addr ib0 10.0.1.16/24\n"
			    "addr ib0 -2 10.0.1.17/24\n"
			    "sysctl ib0 2 rp_filter 1\n"
			    "sysctl ib0 2 rp_filter\n"
			    "sysctl ib0 2 bogus 1\n"
			    "sysctl ib0 2 arp_ignore -1\n"
			    "sysctl ib0 2 arp_ignore 200\n"
			    "sysctl ib0123456789abcdef 7 arp_filter 1\n"
			    "route ib0 2 10.0.1.0/24 1\n"
			    "\n"
			    "addr\n"
			    "\x01\x02\xff garbage\n"
			    "sysctl ib1 3 accept_local 1");
	ck_assert_int_eq(ledger_read(unit_dir, &v, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(v[0].kind, OWN_ADDR);
	ck_assert_str_eq(v[1].ifname, "ib0");
	ck_assert_uint_eq(v[1].key, SC_RP_FILTER);
	ck_assert_int_eq(v[1].orig, 1);
	ck_assert_str_eq(v[2].ifname, "ib1"); /* the last line, without its newline */
	free(v);
}
END_TEST

START_TEST(test_replace)
{
	const struct owned three[] = { own_addr("ib0", "10.0.1.14/24"),
				       own_sysctl("ib0", SC_RP_FILTER, 0),
				       own_sysctl("ib1", SC_RP_FILTER, 0) };
	struct owned *v = NULL;
	unsigned n = 0;
	char *tmp;

	ck_assert_int_eq(ledger_write(unit_dir, three, 3), 0);
	ck_assert_int_eq(ledger_write(unit_dir, three + 2, 1), 0);
	ck_assert_int_eq(ledger_read(unit_dir, &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].ifname, "ib1");
	free(v);
	tmp = unit_path(".owned.tmp");
	ck_assert_int_ne(access(tmp, F_OK), 0); /* renamed into place, nothing left over */
	free(tmp);

	ck_assert_int_eq(ledger_write(unit_dir, NULL, 0), 0);
	ck_assert_int_eq(ledger_read(unit_dir, &v, &n), 0);
	ck_assert_uint_eq(n, 0);
	free(v);
}
END_TEST

/* The run directory is made when missing; a path that cannot be one fails. */
START_TEST(test_dir)
{
	const struct owned one[] = { own_addr("ib0", "10.0.1.14/24") };
	struct owned *v = NULL;
	unsigned n = 0;
	char *sub = unit_path("run"), *bad;
	struct stat st;

	ck_assert_int_eq(ledger_write(sub, one, 1), 0);
	ck_assert_int_eq(stat(sub, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(ledger_read(sub, &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	free(v);
	free(sub);

	unit_write("plain", "not a directory\n");
	bad = unit_path("plain/run");
	ck_assert_int_eq(ledger_write(bad, one, 1), -1);
	free(bad);
}
END_TEST

Suite *ledger_suite(void)
{
	Suite *s = suite_create("ledger");
	TCase *tc = tcase_create("file");

	tcase_add_checked_fixture(tc, unit_dir_setup, unit_dir_teardown);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_mtu);
	tcase_add_test(tc, test_missing);
	tcase_add_test(tc, test_bad_lines);
	tcase_add_test(tc, test_replace);
	tcase_add_test(tc, test_dir);
	suite_add_tcase(s, tc);
	return s;
}
