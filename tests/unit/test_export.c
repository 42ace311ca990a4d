// SPDX-License-Identifier: GPL-2.0
/*
 * export.h: the rail map rendered as systemd-networkd files, NetworkManager
 * keyfiles and a sysctl.d file (exact text, on the seeds' three layouts and
 * a dual-stack NIC), and written into a directory.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export.h"
#include "unit.h"

#define MAP_A                                                                  \
	"rd.rail=ib0:10.0.1.14/24:10.0.1.1 rd.rail=ib1:10.0.2.14/24:10.0.2.1 " \
	"rd.rail=ib2:10.0.3.14/24:10.0.3.1 rd.rail=ib3:10.0.4.14/24:10.0.4.1"
#define MAP_B "rd.rail.profile=ipoib rd.rail=ib0:10.1.0.11/24 rd.rail=ib1:10.1.0.12/24"
#define MAP_C                                                           \
	"rd.rail.fabric=10.0.0.0/16 rd.rail=ib0:10.0.1.14/24:10.0.1.1 " \
	"rd.rail=ib1:10.0.1.16/24:10.0.1.1"
#define MAP_DUAL "rd.rail=ib0:10.0.1.14/24:10.0.1.1 rd.rail=ib0:[fd00:1::14]/64:[fd00:1::1]"

#define HEAD_ND(nic)                                                                 \
	"# Written by railup export from the rail map: NIC " nic ".\n"               \
	"# Install in /etc/systemd/network/. The sysctls networkd has no settings\n" \
	"# for are in 90-railup-sysctl.conf.\n"
#define HEAD_NM(nic)                                                                  \
	"# Written by railup export from the rail map: NIC " nic ".\n"                \
	"# Install in /etc/NetworkManager/system-connections/, mode 0600 and owned\n" \
	"# by root (or NetworkManager ignores it). The sysctls NetworkManager has\n"  \
	"# no settings for are in 90-railup-sysctl.conf.\n"
#define HEAD_SYSCTL                                                                 \
	"# Written by railup export from the rail map: the rails' sysctls, which\n" \
	"# networkd and NetworkManager have no settings for. Install in\n"          \
	"# /etc/sysctl.d/: systemd-sysctl sets an interface's values when it\n"     \
	"# appears (udev), conf/all at boot.\n"

static struct railmap m;
static struct export_files files;

static void setup(void)
{
	logcap_setup();
	memset(&files, 0, sizeof(files));
}

static void teardown(void)
{
	export_files_free(&files);
	railmap_free(&m);
	logcap_teardown();
}

static void render(const char *cmdline, enum export_kind k)
{
	map_ok(&m, cmdline, NULL);
	ck_assert_int_eq(export_render(&m, k, &files), 0);
}

static const struct export_file *file(const char *name)
{
	for (unsigned i = 0; i < files.n; i++)
		if (!strcmp(files.f[i].name, name))
			return &files.f[i];
	ck_abort_msg("no file %s", name);
	return NULL;
}

static void expect_text(const char *name, const char *want)
{
	const struct export_file *f = file(name);

	ck_assert_uint_eq(f->len, strlen(f->text));
	ck_assert_str_eq(f->text, want);
}

static void expect_names(const char *const *names, unsigned n)
{
	ck_assert_uint_eq(files.n, n);
	for (unsigned i = 0; i < n; i++)
		ck_assert_str_eq(files.f[i].name, names[i]);
}

/* ---- systemd-networkd ---- */

START_TEST(test_networkd_layout_a)
{
	static const char *const names[] = {
		"50-railup-ib0.network", "50-railup-ib1.network", "50-railup-ib2.network",
		"50-railup-ib3.network", "railup-networkd.conf",  "90-railup-sysctl.conf",
	};

	render(MAP_A, EXPORT_NETWORKD);
	expect_names(names, ARRAY_SIZE(names));
	expect_text("50-railup-ib1.network", HEAD_ND("ib1") "[Match]\n"
							    "Name=ib1\n"
							    "\n"
							    "[Address]\n"
							    "Address=10.0.2.14/24\n"
							    "\n"
							    "[Route]\n"
							    "Destination=10.0.2.0/24\n"
							    "PreferredSource=10.0.2.14\n"
							    "Scope=link\n"
							    "Table=102\n"
							    "Metric=0\n"
							    "\n"
							    "[Route]\n"
							    "Destination=0.0.0.0/0\n"
							    "Gateway=10.0.2.1\n"
							    "PreferredSource=10.0.2.14\n"
							    "Table=102\n"
							    "Metric=0\n"
							    "\n"
							    "[RoutingPolicyRule]\n"
							    "From=10.0.2.14\n"
							    "Table=102\n"
							    "Priority=1002\n");
	expect_text("railup-networkd.conf",
		    "# Written by railup export. Install in /etc/systemd/networkd.conf.d/:\n"
		    "# networkd then leaves alone the rules and routes it did not make (railup's\n"
		    "# from the initramfs, and others'), as railup leaves networkd's.\n"
		    "[Network]\n"
		    "ManageForeignRoutingPolicyRules=no\n"
		    "ManageForeignRoutes=no\n");
	/* RoCE: conf/all as railup sets it, each rail's own values. */
	expect_text("90-railup-sysctl.conf", HEAD_SYSCTL
		    "net.ipv4.conf.all.rp_filter = 2\n"
		    "# net.ipv4.conf.all.arp_ignore: left alone; the rails' values need it "
		    "at most 1\n"
		    "net.ipv4.conf.all.accept_local = 1\n"
		    "net.ipv4.conf.ib0.rp_filter = 2\n"
		    "net.ipv4.conf.ib0.arp_ignore = 1\n"
		    "net.ipv4.conf.ib0.arp_announce = 2\n"
		    "net.ipv4.conf.ib1.rp_filter = 2\n"
		    "net.ipv4.conf.ib1.arp_ignore = 1\n"
		    "net.ipv4.conf.ib1.arp_announce = 2\n"
		    "net.ipv4.conf.ib2.rp_filter = 2\n"
		    "net.ipv4.conf.ib2.arp_ignore = 1\n"
		    "net.ipv4.conf.ib2.arp_announce = 2\n"
		    "net.ipv4.conf.ib3.rp_filter = 2\n"
		    "net.ipv4.conf.ib3.arp_ignore = 1\n"
		    "net.ipv4.conf.ib3.arp_announce = 2\n");
	ck_assert_uint_eq(file("50-railup-ib0.network")->mode, 0644);
	ck_assert_uint_eq(file("90-railup-sysctl.conf")->mode, 0644);
	ck_assert_uint_eq(logcap.n, 0);
}
END_TEST

START_TEST(test_networkd_layout_b)
{
	static const char *const names[] = {
		"50-railup-ib0.network",
		"50-railup-ib1.network",
		"railup-networkd.conf",
		"90-railup-sysctl.conf",
	};

	render(MAP_B, EXPORT_NETWORKD);
	expect_names(names, ARRAY_SIZE(names));
	/* No gateway: the subnet's route alone. */
	expect_text("50-railup-ib1.network", HEAD_ND("ib1") "[Match]\n"
							    "Name=ib1\n"
							    "\n"
							    "[Address]\n"
							    "Address=10.1.0.12/24\n"
							    "\n"
							    "[Route]\n"
							    "Destination=10.1.0.0/24\n"
							    "PreferredSource=10.1.0.12\n"
							    "Scope=link\n"
							    "Table=102\n"
							    "Metric=0\n"
							    "\n"
							    "[RoutingPolicyRule]\n"
							    "From=10.1.0.12\n"
							    "Table=102\n"
							    "Priority=1002\n");
	/* IPoIB leaves conf/all alone, and says what it must not exceed. */
	expect_text("90-railup-sysctl.conf", HEAD_SYSCTL
		    "# net.ipv4.conf.all.rp_filter: left alone; the rails' values need it "
		    "at most 1\n"
		    "# net.ipv4.conf.all.arp_ignore: left alone; the rails' values need it "
		    "at most 2\n"
		    "net.ipv4.conf.ib0.rp_filter = 1\n"
		    "net.ipv4.conf.ib0.arp_ignore = 2\n"
		    "net.ipv4.conf.ib0.arp_announce = 2\n"
		    "net.ipv4.conf.ib0.arp_filter = 1\n"
		    "net.ipv4.conf.ib1.rp_filter = 1\n"
		    "net.ipv4.conf.ib1.arp_ignore = 2\n"
		    "net.ipv4.conf.ib1.arp_announce = 2\n"
		    "net.ipv4.conf.ib1.arp_filter = 1\n");
}
END_TEST

START_TEST(test_networkd_layout_c)
{
	render(MAP_C, EXPORT_NETWORKD);
	/* The shared gateway covers the fabric, not the default route. */
	expect_text("50-railup-ib1.network", HEAD_ND("ib1") "[Match]\n"
							    "Name=ib1\n"
							    "\n"
							    "[Address]\n"
							    "Address=10.0.1.16/24\n"
							    "\n"
							    "[Route]\n"
							    "Destination=10.0.1.0/24\n"
							    "PreferredSource=10.0.1.16\n"
							    "Scope=link\n"
							    "Table=102\n"
							    "Metric=0\n"
							    "\n"
							    "[Route]\n"
							    "Destination=10.0.0.0/16\n"
							    "Gateway=10.0.1.1\n"
							    "PreferredSource=10.0.1.16\n"
							    "Table=102\n"
							    "Metric=0\n"
							    "\n"
							    "[RoutingPolicyRule]\n"
							    "From=10.0.1.16\n"
							    "Table=102\n"
							    "Priority=1002\n");
}
END_TEST

START_TEST(test_networkd_dual_stack)
{
	static const char *const names[] = {
		"50-railup-ib0.network",
		"railup-networkd.conf",
		"90-railup-sysctl.conf",
	};

	render(MAP_DUAL, EXPORT_NETWORKD);
	expect_names(names, ARRAY_SIZE(names));
	/* One file for the NIC: both rails, one table number and priority. */
	expect_text("50-railup-ib0.network", HEAD_ND("ib0") "[Match]\n"
							    "Name=ib0\n"
							    "\n"
							    "[Network]\n"
							    "IPv6AcceptRA=no\n"
							    "\n"
							    "[Address]\n"
							    "Address=10.0.1.14/24\n"
							    "\n"
							    "[Route]\n"
							    "Destination=10.0.1.0/24\n"
							    "PreferredSource=10.0.1.14\n"
							    "Scope=link\n"
							    "Table=101\n"
							    "Metric=0\n"
							    "\n"
							    "[Route]\n"
							    "Destination=0.0.0.0/0\n"
							    "Gateway=10.0.1.1\n"
							    "PreferredSource=10.0.1.14\n"
							    "Table=101\n"
							    "Metric=0\n"
							    "\n"
							    "[RoutingPolicyRule]\n"
							    "From=10.0.1.14\n"
							    "Table=101\n"
							    "Priority=1001\n"
							    "\n"
							    "[Address]\n"
							    "Address=fd00:1::14/64\n"
							    "DuplicateAddressDetection=none\n"
							    "\n"
							    "[Route]\n"
							    "Destination=fd00:1::/64\n"
							    "PreferredSource=fd00:1::14\n"
							    "Table=101\n"
							    "Metric=1024\n"
							    "\n"
							    "[Route]\n"
							    "Destination=::/0\n"
							    "Gateway=fd00:1::1\n"
							    "PreferredSource=fd00:1::14\n"
							    "Table=101\n"
							    "Metric=1024\n"
							    "\n"
							    "[RoutingPolicyRule]\n"
							    "From=fd00:1::14\n"
							    "Table=101\n"
							    "Priority=1001\n");
	expect_text("90-railup-sysctl.conf", HEAD_SYSCTL
		    "net.ipv4.conf.all.rp_filter = 2\n"
		    "# net.ipv4.conf.all.arp_ignore: left alone; the rails' values need it "
		    "at most 1\n"
		    "net.ipv4.conf.all.accept_local = 1\n"
		    "net.ipv4.conf.ib0.rp_filter = 2\n"
		    "net.ipv4.conf.ib0.arp_ignore = 1\n"
		    "net.ipv4.conf.ib0.arp_announce = 2\n"
		    "net.ipv6.conf.ib0.keep_addr_on_down = 1\n"
		    "net.ipv6.conf.ib0.accept_ra = 0\n");
}
END_TEST

/* ---- NetworkManager ---- */

START_TEST(test_nm_layout_a)
{
	static const char *const names[] = {
		"railup-ib0.nmconnection", "railup-ib1.nmconnection", "railup-ib2.nmconnection",
		"railup-ib3.nmconnection", "90-railup-sysctl.conf",
	};

	render(MAP_A, EXPORT_NM);
	expect_names(names, ARRAY_SIZE(names));
	expect_text("railup-ib0.nmconnection",
		    HEAD_NM("ib0") "[connection]\n"
				   "id=railup-ib0\n"
				   "uuid=cc569499-b689-8eda-8b24-0f661632f19d\n"
				   "type=ethernet\n"
				   "interface-name=ib0\n"
				   "\n"
				   "[ipv4]\n"
				   "method=manual\n"
				   "address1=10.0.1.14/24\n"
				   "route1=10.0.1.0/24,0.0.0.0,0\n"
				   "route1_options=scope=253,src=10.0.1.14,table=101\n"
				   "route2=0.0.0.0/0,10.0.1.1,0\n"
				   "route2_options=src=10.0.1.14,table=101\n"
				   "routing-rule1=priority 1001 from 10.0.1.14 table 101\n"
				   "\n"
				   "[ipv6]\n"
				   "method=ignore\n");
	/* NetworkManager reads no keyfile others may read. */
	ck_assert_uint_eq(file("railup-ib0.nmconnection")->mode, 0600);
	ck_assert_uint_eq(file("90-railup-sysctl.conf")->mode, 0644);
}
END_TEST

START_TEST(test_nm_layout_b)
{
	render(MAP_B, EXPORT_NM);
	/* rd.rail.profile=ipoib: the NICs are InfiniBand. */
	expect_text("railup-ib1.nmconnection",
		    HEAD_NM("ib1") "[connection]\n"
				   "id=railup-ib1\n"
				   "uuid=30a3b092-2bde-8d81-96a2-19c0282f1190\n"
				   "type=infiniband\n"
				   "interface-name=ib1\n"
				   "\n"
				   "[infiniband]\n"
				   "transport-mode=datagram\n"
				   "\n"
				   "[ipv4]\n"
				   "method=manual\n"
				   "address1=10.1.0.12/24\n"
				   "route1=10.1.0.0/24,0.0.0.0,0\n"
				   "route1_options=scope=253,src=10.1.0.12,table=102\n"
				   "routing-rule1=priority 1002 from 10.1.0.12 table 102\n"
				   "\n"
				   "[ipv6]\n"
				   "method=ignore\n");
}
END_TEST

START_TEST(test_nm_layout_c)
{
	render(MAP_C, EXPORT_NM);
	ck_assert_ptr_nonnull(strstr(file("railup-ib1.nmconnection")->text,
				     "\nroute2=10.0.0.0/16,10.0.1.1,0\n"
				     "route2_options=src=10.0.1.16,table=102\n"
				     "routing-rule1=priority 1002 from 10.0.1.16 table 102\n"));
}
END_TEST

START_TEST(test_nm_dual_stack)
{
	static const char *const names[] = { "railup-ib0.nmconnection", "90-railup-sysctl.conf" };

	render(MAP_DUAL, EXPORT_NM);
	expect_names(names, ARRAY_SIZE(names));
	expect_text("railup-ib0.nmconnection",
		    HEAD_NM("ib0") "[connection]\n"
				   "id=railup-ib0\n"
				   "uuid=cc569499-b689-8eda-8b24-0f661632f19d\n"
				   "type=ethernet\n"
				   "interface-name=ib0\n"
				   "\n"
				   "[ipv4]\n"
				   "method=manual\n"
				   "address1=10.0.1.14/24\n"
				   "route1=10.0.1.0/24,0.0.0.0,0\n"
				   "route1_options=scope=253,src=10.0.1.14,table=101\n"
				   "route2=0.0.0.0/0,10.0.1.1,0\n"
				   "route2_options=src=10.0.1.14,table=101\n"
				   "routing-rule1=priority 1001 from 10.0.1.14 table 101\n"
				   "\n"
				   "[ipv6]\n"
				   "method=manual\n"
				   "address1=fd00:1::14/64\n"
				   "route1=fd00:1::/64,::,1024\n"
				   "route1_options=src=fd00:1::14,table=101\n"
				   "route2=::/0,fd00:1::1,1024\n"
				   "route2_options=src=fd00:1::14,table=101\n"
				   "routing-rule1=priority 1001 from fd00:1::14 table 101\n");
	/* An IPv6 NIC alone: no IPv4 on it. */
	teardown();
	setup();
	render("rd.rail=ib7:[fd00:7::14]/64,table=300,priority=3000", EXPORT_NM);
	ck_assert_ptr_nonnull(strstr(file("railup-ib7.nmconnection")->text,
				     "\n[ipv4]\nmethod=disabled\n\n[ipv6]\nmethod=manual\n"
				     "address1=fd00:7::14/64\n"
				     "route1=fd00:7::/64,::,1024\n"
				     "route1_options=src=fd00:7::14,table=300\n"
				     "routing-rule1=priority 3000 from fd00:7::14 table 300\n"));
}
END_TEST

/* ---- identities ---- */

START_TEST(test_identity_mac)
{
	render("rd.rail=r0:10.0.1.14/24,mac=52:54:00:aa:bb:01", EXPORT_NETWORKD);
	ck_assert_ptr_nonnull(strstr(file("50-railup-r0.network")->text,
				     "[Match]\nMACAddress=52:54:00:aa:bb:01\n\n"));
	/* Its name is not known before boot: its sysctls are only suggested. */
	ck_assert_ptr_nonnull(
		strstr(file("90-railup-sysctl.conf")->text,
		       "# r0 is found by mac=52:54:00:aa:bb:01: its interface's name is "
		       "known at boot only. Its values:\n"
		       "#net.ipv4.conf.r0.rp_filter = 2\n"));
	ck_assert_uint_eq(logcap.n, 0);
	teardown();
	setup();
	render("rd.rail=r0:10.0.1.14/24,mac=52:54:00:aa:bb:01", EXPORT_NM);
	ck_assert_ptr_nonnull(
		strstr(file("railup-r0.nmconnection")->text,
		       "type=ethernet\n\n[ethernet]\nmac-address=52:54:00:AA:BB:01\n\n"
		       "[ipv4]\n"));
	ck_assert_ptr_null(strstr(file("railup-r0.nmconnection")->text, "interface-name"));
}
END_TEST

START_TEST(test_identity_ipoib_mac)
{
	/* networkd compares all 20 bytes, queue pair number included: by name. */
	render("rd.rail=r0:10.0.1.14/24,mac=00:11:22:33:44:55:66:77", EXPORT_NETWORKD);
	ck_assert_ptr_nonnull(
		strstr(file("50-railup-r0.network")->text,
		       "[Match]\n# railup finds this NIC by mac=00:11:22:33:44:55:66:77, "
		       "which networkd cannot match: by its name instead.\nName=r0\n"));
	ck_assert_ptr_nonnull(logcap_find("networkd cannot find a NIC by mac=00:11:22"));
	teardown();
	setup();
	/* NetworkManager compares the GUID part: it can, and the NIC is InfiniBand. */
	render("rd.rail=r0:10.0.1.14/24,mac=00:11:22:33:44:55:66:77", EXPORT_NM);
	ck_assert_ptr_nonnull(
		strstr(file("railup-r0.nmconnection")->text,
		       "type=infiniband\n\n[infiniband]\ntransport-mode=datagram\n"
		       "# NetworkManager compares the port GUID (the last 8 bytes).\n"
		       "mac-address=00:00:00:00:00:00:00:00:00:00:00:00:00:11:22:33:44:55:"
		       "66:77\n"));
	ck_assert_uint_eq(logcap.n, 0);
}
END_TEST

START_TEST(test_identity_pci)
{
	render("rd.rail=r0:10.0.1.14/24,pci=0000:3b:00.0", EXPORT_NETWORKD);
	ck_assert_ptr_nonnull(
		strstr(file("50-railup-r0.network")->text, "[Match]\nPath=pci-0000:3b:00.0\n"));
	teardown();
	setup();
	render("rd.rail=r0:10.0.1.14/24,pci=0000:3b:00.0", EXPORT_NM);
	ck_assert_ptr_nonnull(
		strstr(file("railup-r0.nmconnection")->text, "\n[match]\npath=pci-0000:3b:00.0\n"));
	teardown();
	setup();
	/* A port: neither tells the ports of one function apart. */
	render("rd.rail=r0:10.0.1.14/24,pci=0000:3b:00.0/2", EXPORT_NM);
	ck_assert_ptr_nonnull(strstr(file("railup-r0.nmconnection")->text,
				     "# railup finds this NIC by pci=0000:3b:00.0/2, which "
				     "NetworkManager cannot match: by its name instead.\n"
				     "interface-name=r0\n"));
	ck_assert_ptr_null(strstr(file("railup-r0.nmconnection")->text, "[match]"));
	ck_assert_ptr_nonnull(
		logcap_find("NetworkManager cannot find a NIC by pci=0000:3b:00.0/2"));
}
END_TEST

START_TEST(test_identity_rdma)
{
	render("rd.rail=r0:10.0.1.14/24,ibdev=mlx5_3/1 "
	       "rd.rail=r1:10.0.2.14/24,guid=0x0002c903000a0b0c",
	       EXPORT_NETWORKD);
	ck_assert_ptr_nonnull(strstr(file("50-railup-r0.network")->text,
				     "# railup finds this NIC by ibdev=mlx5_3/1, which networkd "
				     "cannot match: by its name instead.\nName=r0\n"));
	ck_assert_ptr_nonnull(
		strstr(file("50-railup-r1.network")->text,
		       "# railup finds this NIC by guid=0002c903000a0b0c, which networkd "
		       "cannot match: by its name instead.\nName=r1\n"));
	ck_assert_uint_eq(logcap.n, 2);
	ck_assert_int_eq(logcap.errors, 0);
}
END_TEST

START_TEST(test_identity_conflict)
{
	/* The same identity on both rails of a NIC: one file, matched by it. */
	render("rd.rail=ib0:10.0.1.14/24,mac=52:54:00:aa:bb:01 "
	       "rd.rail=ib0:[fd00:1::14]/64,mac=52:54:00:aa:bb:01",
	       EXPORT_NETWORKD);
	ck_assert_uint_eq(files.n, 3);
	ck_assert_ptr_nonnull(strstr(file("50-railup-ib0.network")->text,
				     "[Match]\nMACAddress=52:54:00:aa:bb:01\n"));
	ck_assert_ptr_nonnull(
		strstr(file("50-railup-ib0.network")->text, "Address=fd00:1::14/64\n"));
	teardown();
	setup();
	map_ok(&m, "rd.rail=ib0:10.0.1.14/24,mac=52:54:00:aa:bb:01 rd.rail=ib0:[fd00:1::14]/64",
	       NULL);
	ck_assert_int_eq(export_render(&m, EXPORT_NM, &files), -1);
	ck_assert_uint_eq(logcap.errors, 1);
	ck_assert_ptr_nonnull(
		logcap_find("\"rd.rail=ib0:[fd00:1::14]/64\": a NIC's rails need one identity: "
			    "\"rd.rail=ib0:10.0.1.14/24,mac=52:54:00:aa:bb:01\" names another"));
}
END_TEST

START_TEST(test_dotted_name)
{
	/* A partition child's name has a dot: sysctl.d then separates by slashes. */
	render("rd.rail.profile=ipoib rd.rail=ib0.8001:10.1.0.11/24", EXPORT_NETWORKD);
	ck_assert_ptr_nonnull(strstr(file("90-railup-sysctl.conf")->text,
				     "\nnet/ipv4/conf/ib0.8001/rp_filter = 1\n"));
	ck_assert_ptr_nonnull(strstr(file("50-railup-ib0.8001.network")->text, "Name=ib0.8001\n"));
}
END_TEST

START_TEST(test_explicit_numbers)
{
	render("rd.rail=ib0:10.0.1.14/24:10.0.1.1,table=7,priority=77,arp_ignore=2 "
	       "rd.rail.all.arp_ignore=1",
	       EXPORT_NM);
	ck_assert_ptr_nonnull(strstr(file("railup-ib0.nmconnection")->text,
				     "routing-rule1=priority 77 from 10.0.1.14 table 7\n"));
	/* all.arp_ignore=1 with a rail asking 2: the rail's value takes effect. */
	ck_assert_ptr_nonnull(
		strstr(file("90-railup-sysctl.conf")->text, "net.ipv4.conf.all.arp_ignore = 1\n"));
	ck_assert_ptr_nonnull(
		strstr(file("90-railup-sysctl.conf")->text, "net.ipv4.conf.ib0.arp_ignore = 2\n"));
}
END_TEST

START_TEST(test_kind_parse)
{
	enum export_kind k;

	ck_assert_int_eq(export_kind_parse("networkd", &k), 0);
	ck_assert_int_eq(k, EXPORT_NETWORKD);
	ck_assert_int_eq(export_kind_parse("nm", &k), 0);
	ck_assert_int_eq(k, EXPORT_NM);
	ck_assert_int_eq(export_kind_parse("NetworkManager", &k), -1);
	ck_assert_int_eq(export_kind_parse("", &k), -1);
}
END_TEST

/* ---- writing ---- */

static void dir_setup(void)
{
	setup();
	unit_dir_setup();
}

static void dir_teardown(void)
{
	unit_dir_teardown();
	teardown();
}

START_TEST(test_write)
{
	char *text;

	render(MAP_A, EXPORT_NM);
	ck_assert_int_eq(export_write(unit_dir, EXPORT_NM, &files), 0);
	ck_assert_uint_eq(unit_entries(""), 5);
	ck_assert_uint_eq(unit_mode("railup-ib0.nmconnection"), 0600);
	ck_assert_uint_eq(unit_mode("90-railup-sysctl.conf"), 0644);
	text = unit_read("railup-ib2.nmconnection");
	ck_assert_str_eq(text, file("railup-ib2.nmconnection")->text);
	free(text);
	/* Again: the same files, nothing left over. */
	ck_assert_int_eq(export_write(unit_dir, EXPORT_NM, &files), 0);
	ck_assert_uint_eq(unit_entries(""), 5);
}
END_TEST

START_TEST(test_write_makes_dir)
{
	char *sub = unit_path("etc/systemd/network");

	/* Every missing level, as mkdir -p. */
	render(MAP_B, EXPORT_NETWORKD);
	ck_assert_int_eq(export_write(sub, EXPORT_NETWORKD, &files), 0);
	free(sub);
	ck_assert_uint_eq(unit_entries("etc/systemd/network"), 4);
	ck_assert_uint_eq(unit_mode("etc/systemd/network/50-railup-ib0.network"), 0644);
}
END_TEST

START_TEST(test_write_removes_stale)
{
	unit_write("railup-ib9.nmconnection", EXPORT_MARK " from the rail map: NIC ib9.\n");
	/* Not railup's: the same pattern without the mark, and another kind's file. */
	unit_write("railup-mine.nmconnection", "[connection]\nid=mine\n");
	unit_write("50-railup-ib8.network", EXPORT_MARK " from the rail map: NIC ib8.\n");
	render(MAP_B, EXPORT_NM);
	ck_assert_int_eq(export_write(unit_dir, EXPORT_NM, &files), 0);
	ck_assert(!unit_exists("railup-ib9.nmconnection"));
	ck_assert(unit_exists("railup-mine.nmconnection"));
	ck_assert(unit_exists("50-railup-ib8.network"));
	ck_assert(unit_exists("railup-ib0.nmconnection"));
	ck_assert_uint_eq(unit_entries(""), 5);
	ck_assert_ptr_nonnull(logcap_find("railup-ib9.nmconnection removed"));
}
END_TEST

START_TEST(test_write_refuses_others)
{
	char *text;

	/* A file of one of the names, not railup's: nothing at all is written. */
	unit_write("50-railup-ib1.network", "[Match]\nName=ib1\n");
	render(MAP_A, EXPORT_NETWORKD);
	ck_assert_int_eq(export_write(unit_dir, EXPORT_NETWORKD, &files), -1);
	ck_assert_uint_eq(unit_entries(""), 1);
	text = unit_read("50-railup-ib1.network");
	ck_assert_str_eq(text, "[Match]\nName=ib1\n");
	free(text);
	ck_assert_ptr_nonnull(logcap_find("50-railup-ib1.network is not railup's"));
	ck_assert_uint_eq(logcap.errors, 1);
}
END_TEST

START_TEST(test_write_refuses_symlink)
{
	char *p = unit_path("90-railup-sysctl.conf"), *target = unit_path("elsewhere");

	/* A link, even to a file of railup's: O_NOFOLLOW, left alone. */
	unit_write("elsewhere", EXPORT_MARK "\n");
	ck_assert_int_eq(symlink(target, p), 0);
	render(MAP_B, EXPORT_NETWORKD);
	ck_assert_int_eq(export_write(unit_dir, EXPORT_NETWORKD, &files), -1);
	ck_assert_uint_eq(unit_entries(""), 2);
	free(p);
	free(target);
}
END_TEST

START_TEST(test_write_unwritable)
{
	char *sub = unit_path("file/network");

	/* A file where a directory should be: one line, nothing written. */
	unit_write("file", "x");
	render(MAP_B, EXPORT_NETWORKD);
	ck_assert_int_eq(export_write(sub, EXPORT_NETWORKD, &files), -1);
	ck_assert_uint_eq(unit_entries(""), 1);
	ck_assert_uint_eq(logcap.errors, 1);
	free(sub);
}
END_TEST

Suite *export_suite(void)
{
	Suite *s = suite_create("export");
	TCase *tc = tcase_create("render");
	TCase *tw = tcase_create("write");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_networkd_layout_a);
	tcase_add_test(tc, test_networkd_layout_b);
	tcase_add_test(tc, test_networkd_layout_c);
	tcase_add_test(tc, test_networkd_dual_stack);
	tcase_add_test(tc, test_nm_layout_a);
	tcase_add_test(tc, test_nm_layout_b);
	tcase_add_test(tc, test_nm_layout_c);
	tcase_add_test(tc, test_nm_dual_stack);
	tcase_add_test(tc, test_identity_mac);
	tcase_add_test(tc, test_identity_ipoib_mac);
	tcase_add_test(tc, test_identity_pci);
	tcase_add_test(tc, test_identity_rdma);
	tcase_add_test(tc, test_identity_conflict);
	tcase_add_test(tc, test_dotted_name);
	tcase_add_test(tc, test_explicit_numbers);
	tcase_add_test(tc, test_kind_parse);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tw, dir_setup, dir_teardown);
	tcase_add_test(tw, test_write);
	tcase_add_test(tw, test_write_makes_dir);
	tcase_add_test(tw, test_write_removes_stale);
	tcase_add_test(tw, test_write_refuses_others);
	tcase_add_test(tw, test_write_refuses_symlink);
	tcase_add_test(tw, test_write_unwritable);
	suite_add_tcase(s, tw);
	return s;
}
