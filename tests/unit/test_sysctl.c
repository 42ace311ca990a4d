// SPDX-License-Identifier: GPL-2.0
/*
 * sysctl.h: how the kernel combines conf/all with an interface's value, and
 * what conf/all must hold for every rail's own value to take effect.
 */
#include <errno.h>
#include <linux/ip.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "unit.h"

START_TEST(test_desc)
{
	ck_assert_str_eq(sysctl_desc[SC_RP_FILTER].name, "rp_filter");
	ck_assert_str_eq(sysctl_desc[SC_ARP_IGNORE].name, "arp_ignore");
	ck_assert_str_eq(sysctl_desc[SC_ARP_ANNOUNCE].name, "arp_announce");
	ck_assert_str_eq(sysctl_desc[SC_ARP_FILTER].name, "arp_filter");
	ck_assert_str_eq(sysctl_desc[SC_ACCEPT_LOCAL].name, "accept_local");
	ck_assert_uint_eq(sysctl_desc[SC_RP_FILTER].devconf, IPV4_DEVCONF_RP_FILTER);
	ck_assert_uint_eq(sysctl_desc[SC_ARP_IGNORE].devconf, IPV4_DEVCONF_ARP_IGNORE);
	ck_assert_uint_eq(sysctl_desc[SC_ARP_ANNOUNCE].devconf, IPV4_DEVCONF_ARP_ANNOUNCE);
	ck_assert_uint_eq(sysctl_desc[SC_ARP_FILTER].devconf, IPV4_DEVCONF_ARPFILTER);
	ck_assert_uint_eq(sysctl_desc[SC_ACCEPT_LOCAL].devconf, IPV4_DEVCONF_ACCEPT_LOCAL);
	ck_assert_int_eq(sysctl_desc[SC_RP_FILTER].maxval, 2);
	ck_assert_int_eq(sysctl_desc[SC_ARP_IGNORE].maxval, 8);
	ck_assert_int_eq(sysctl_desc[SC_ARP_ANNOUNCE].maxval, 2);
	ck_assert_int_eq(sysctl_desc[SC_ARP_FILTER].maxval, 1);
	ck_assert_int_eq(sysctl_desc[SC_ACCEPT_LOCAL].maxval, 1);
}
END_TEST

/* rp_filter, arp_ignore, arp_announce: the larger of all and the interface's. */
START_TEST(test_effective_max)
{
	static const enum sysctl_key keys[] = { SC_RP_FILTER, SC_ARP_IGNORE, SC_ARP_ANNOUNCE };

	for (unsigned i = 0; i < ARRAY_SIZE(keys); i++) {
		enum sysctl_key k = keys[i];

		ck_assert_int_eq(sysctl_desc[k].combine, COMBINE_MAX);
		ck_assert_int_eq(sysctl_effective(k, 0, 0), 0);
		ck_assert_int_eq(sysctl_effective(k, 2, 1), 2);
		ck_assert_int_eq(sysctl_effective(k, 1, 2), 2);
		ck_assert_int_eq(sysctl_effective(k, 0, 1), 1);
		ck_assert_int_eq(sysctl_effective(k, 1, 0), 1);
	}
	ck_assert_int_eq(sysctl_effective(SC_ARP_IGNORE, 8, 1), 8);
}
END_TEST

/* arp_filter, accept_local: on when either is. */
START_TEST(test_effective_or)
{
	static const enum sysctl_key keys[] = { SC_ARP_FILTER, SC_ACCEPT_LOCAL };

	for (unsigned i = 0; i < ARRAY_SIZE(keys); i++) {
		enum sysctl_key k = keys[i];

		ck_assert_int_eq(sysctl_desc[k].combine, COMBINE_OR);
		ck_assert_int_eq(sysctl_effective(k, 0, 0), 0);
		ck_assert_int_eq(sysctl_effective(k, 1, 0), 1);
		ck_assert_int_eq(sysctl_effective(k, 0, 1), 1);
		ck_assert_int_eq(sysctl_effective(k, 1, 1), 1);
	}
}
END_TEST

/* IPv6: keep_addr_on_down is conf/all's when that is not 0; accept_ra the interface's alone. */
START_TEST(test_effective_ipv6)
{
	ck_assert_int_eq(sysctl_desc[SC_KEEP_ADDR_ON_DOWN].family, AF_INET6);
	ck_assert_int_eq(sysctl_desc[SC_ACCEPT_RA].family, AF_INET6);
	ck_assert_int_eq(sysctl_effective(SC_KEEP_ADDR_ON_DOWN, 0, 1), 1);
	ck_assert_int_eq(sysctl_effective(SC_KEEP_ADDR_ON_DOWN, 0, 0), 0);
	ck_assert_int_eq(sysctl_effective(SC_KEEP_ADDR_ON_DOWN, 1, 0), 1);
	ck_assert_int_eq(sysctl_effective(SC_KEEP_ADDR_ON_DOWN, -1, 1), -1);
	ck_assert_int_eq(sysctl_effective(SC_ACCEPT_RA, 1, 0), 0);
	ck_assert_int_eq(sysctl_effective(SC_ACCEPT_RA, 0, 2), 2);
}
END_TEST

START_TEST(test_all_target)
{
	/* The map's target, lowered to the smallest ask. */
	ck_assert_int_eq(sysctl_all_target(SC_RP_FILTER, 2, 0, 1), 1);
	ck_assert_int_eq(sysctl_all_target(SC_RP_FILTER, 2, 0, 2), 2);
	ck_assert_int_eq(sysctl_all_target(SC_RP_FILTER, 0, 2, 1), 0);
	/* No target: what is there, lowered as needed. */
	ck_assert_int_eq(sysctl_all_target(SC_RP_FILTER, SC_UNSET, 2, 1), 1);
	ck_assert_int_eq(sysctl_all_target(SC_RP_FILTER, SC_UNSET, 2, 2), 2);
	ck_assert_int_eq(sysctl_all_target(SC_ARP_IGNORE, SC_UNSET, 0, 1), 0);
	/* No rail asks: the target as it is. */
	ck_assert_int_eq(sysctl_all_target(SC_RP_FILTER, 2, 0, SC_UNSET), 2);
	ck_assert_int_eq(sysctl_all_target(SC_RP_FILTER, SC_UNSET, 1, SC_UNSET), 1);
	/* Nothing known, nothing wanted. */
	ck_assert_int_lt(sysctl_all_target(SC_RP_FILTER, SC_UNSET, SC_UNSET, 1), 0);
	/* OR keys: a rail asking 0 needs all at 0; asking 1 needs nothing. */
	ck_assert_int_eq(sysctl_all_target(SC_ACCEPT_LOCAL, 1, 0, 0), 0);
	ck_assert_int_eq(sysctl_all_target(SC_ACCEPT_LOCAL, 1, 0, 1), 1);
	ck_assert_int_eq(sysctl_all_target(SC_ARP_FILTER, SC_UNSET, 1, 0), 0);
	ck_assert_int_eq(sysctl_all_target(SC_ARP_FILTER, SC_UNSET, 0, 1), 0);
	ck_assert_int_eq(sysctl_all_target(SC_ARP_FILTER, 0, 1, SC_UNSET), 0);
}
END_TEST

/*
 * For every key and value: with conf/all at the target, every rail asking
 * anything from min_ask up gets exactly its value, and the target never
 * exceeds what the map wants.
 */
START_TEST(test_all_target_exhaustive)
{
	for (int k = 0; k < SC_COUNT; k++) {
		int max = sysctl_desc[k].maxval;

		/* conf/all is managed for IPv4's keys only. */
		if (sysctl_desc[k].family != AF_INET)
			continue;
		for (int want = SC_UNSET; want <= max; want++)
			for (int now = 0; now <= max; now++)
				for (int min = 0; min <= max; min++) {
					int t = sysctl_all_target(k, want, now, min);

					ck_assert_int_ge(t, 0);
					ck_assert_int_le(t, want == SC_UNSET ? now : want);
					for (int ask = min; ask <= max; ask++)
						ck_assert_msg(sysctl_effective(k, t, ask) == ask,
							      "%s: want %d now %d min %d: all %d, "
							      "ask %d",
							      sysctl_desc[k].name, want, now, min,
							      t, ask);
				}
	}
}
END_TEST

/* /proc/sys paths are built from interface names: no way out of conf/. */
START_TEST(test_path_names)
{
	static const char *const bad[] = { "..", ".", "../../kernel", "a/b" };

	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		ck_assert_int_eq(sysctl_read(bad[i], SC_RP_FILTER), -1);
		ck_assert_int_eq(errno, EINVAL);
		errno = 0;
		ck_assert_int_eq(sysctl_write(bad[i], SC_RP_FILTER, 0), -1);
		ck_assert_int_eq(errno, EINVAL);
	}
	ck_assert_int_eq(sysctl_read("railup-no-such-if", SC_RP_FILTER), -1);
}
END_TEST

/* As sysctl(8) and sysctl.d take them: a dotted interface name only with slashes. */
START_TEST(test_name)
{
	char b[SYSCTL_NAME_MAX];

	ck_assert_str_eq(sysctl_name(b, "ib0", SC_RP_FILTER), "net.ipv4.conf.ib0.rp_filter");
	ck_assert_str_eq(sysctl_name(b, "all", SC_ACCEPT_LOCAL), "net.ipv4.conf.all.accept_local");
	ck_assert_str_eq(sysctl_name(b, "ib0", SC_ACCEPT_RA), "net.ipv6.conf.ib0.accept_ra");
	ck_assert_str_eq(sysctl_name(b, "ib0.8001", SC_ARP_IGNORE),
			 "net/ipv4/conf/ib0.8001/arp_ignore");
	ck_assert_str_eq(sysctl_name(b, "eth1.100", SC_KEEP_ADDR_ON_DOWN),
			 "net/ipv6/conf/eth1.100/keep_addr_on_down");
	ck_assert_str_eq(sysctl_name(b, "ib15x1234567890", SC_ARP_ANNOUNCE),
			 "net.ipv4.conf.ib15x1234567890.arp_announce");
}
END_TEST

static const struct sysctl_value dropin_values[] = {
	{ "all", SC_RP_FILTER, 2 },
	{ "ib0", SC_ARP_IGNORE, 1 },
	{ "ib0.8001", SC_RP_FILTER, 1 },
	{ "ib1", SC_ACCEPT_RA, 0 },
};

#define DROPIN_HEAD                                                                 \
	"# railup: the values its rails need, so that systemd-sysctl (which udev\n" \
	"# runs for every interface added) keeps them. Removed by `railup down`.\n"

static ino_t dropin_inode(void)
{
	struct stat st;
	char *p = unit_path("sysctl.d/" SYSCTL_DROPIN);

	ck_assert_msg(!stat(p, &st), "%s: %s", p, strerror(errno));
	free(p);
	return st.st_ino;
}

/* The drop-in: one line a value, its directory made; an equal file left alone; none removes it. */
START_TEST(test_dropin)
{
	char *dir = unit_path("sysctl.d"), *text;
	const char *saved = sysctl_dropin_dir;
	ino_t ino;

	sysctl_dropin_dir = dir;
	ck_assert_int_eq(sysctl_dropin_write(dropin_values, ARRAY_SIZE(dropin_values)), 0);
	text = unit_read("sysctl.d/" SYSCTL_DROPIN);
	ck_assert_str_eq(text, DROPIN_HEAD "net.ipv4.conf.all.rp_filter = 2\n"
					   "net.ipv4.conf.ib0.arp_ignore = 1\n"
					   "net/ipv4/conf/ib0.8001/rp_filter = 1\n"
					   "net.ipv6.conf.ib1.accept_ra = 0\n");
	free(text);
	ck_assert_uint_eq(unit_mode("sysctl.d/" SYSCTL_DROPIN), 0644);
	ino = dropin_inode();
	ck_assert_int_eq(sysctl_dropin_write(dropin_values, ARRAY_SIZE(dropin_values)), 0);
	ck_assert_uint_eq(dropin_inode(), ino);

	ck_assert_int_eq(sysctl_dropin_write(dropin_values + 1, 1), 0);
	text = unit_read("sysctl.d/" SYSCTL_DROPIN);
	ck_assert_str_eq(text, DROPIN_HEAD "net.ipv4.conf.ib0.arp_ignore = 1\n");
	free(text);
	/* Nothing else left there (the file is put in place by rename). */
	ck_assert_uint_eq(unit_entries("sysctl.d"), 1);

	ck_assert_int_eq(sysctl_dropin_write(NULL, 0), 0);
	ck_assert(!unit_exists("sysctl.d/" SYSCTL_DROPIN));
	ck_assert_int_eq(sysctl_dropin_write(NULL, 0), 0);
	sysctl_dropin_dir = saved;
	free(dir);
}
END_TEST

Suite *sysctl_suite(void)
{
	Suite *s = suite_create("sysctl");
	TCase *tc = tcase_create("values");

	tcase_add_test(tc, test_desc);
	tcase_add_test(tc, test_effective_max);
	tcase_add_test(tc, test_effective_or);
	tcase_add_test(tc, test_effective_ipv6);
	tcase_add_test(tc, test_all_target);
	tcase_add_test(tc, test_all_target_exhaustive);
	tcase_add_test(tc, test_path_names);
	tcase_add_test(tc, test_name);
	suite_add_tcase(s, tc);
	tc = tcase_create("dropin");
	tcase_add_checked_fixture(tc, unit_dir_setup, unit_dir_teardown);
	tcase_add_test(tc, test_dropin);
	suite_add_tcase(s, tc);
	return s;
}
