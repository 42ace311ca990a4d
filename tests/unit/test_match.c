// SPDX-License-Identifier: GPL-2.0
/*
 * match.h: finding a rail's netdev by hardware identity, over links built by
 * hand: Ethernet MACs, 20-byte IPoIB addresses (only the GID part, bytes
 * 4..19, is stable; the 8-byte form is the port GUID, the last 8), GUIDs,
 * RDMA ports (RoCE ports name their netdev; IPoIB ports are found through
 * sysfs, here a tree fabricated in a temporary directory), PCI functions,
 * ambiguity, and two rails on one netdev.
 */
#include <errno.h>
#include <limits.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "match.h"
#include "sysfs.h"
#include "unit.h"

/* ---- a fabricated sysfs ---- */

static char *sys;

static void mkdirs(const char *fmt, const char *a, const char *b)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), fmt, sys, a, b);
	for (char *p = path + strlen(sys) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		ck_assert_msg(!mkdir(path, 0755) || errno == EEXIST, "mkdir %s", path);
		*p = '/';
	}
	ck_assert_msg(!mkdir(path, 0755) || errno == EEXIST, "mkdir %s", path);
}

static void put(const char *value, const char *fmt, const char *a, const char *b)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), fmt, sys, a, b);
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "%s", path);
	fputs(value, f);
	fclose(f);
}

static void link_to(const char *target, const char *fmt, const char *a, const char *b)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), fmt, sys, a, b);
	ck_assert_msg(!symlink(target, path), "symlink %s", path);
}

/* A PCI function under pci0000:00 (fn "0000:3b:00.0"), with its NUMA node. */
static void pci_fn(const char *fn, const char *numa)
{
	mkdirs("%s/devices/pci0000:00/%s%s", fn, "");
	put(numa, "%s/devices/pci0000:00/%s/numa_node%s", fn, "");
}

/* A netdev on PCI function fn, port dev_port, as the kernel lays it out. */
static void netdev(const char *name, const char *fn, const char *dev_port)
{
	char target[PATH_MAX];

	mkdirs("%s/class/net%s%s", "", "");
	mkdirs("%s/devices/pci0000:00/%s/net/%s", fn, name);
	put(dev_port, "%s/devices/pci0000:00/%s/net/%s/dev_port", fn, name);
	snprintf(target, sizeof(target), "../../../%s", fn);
	link_to(target, "%s/devices/pci0000:00/%s/net/%s/device", fn, name);
	snprintf(target, sizeof(target), "../../devices/pci0000:00/%s/net/%s", fn, name);
	link_to(target, "%s/class/net/%s%s", name, "");
}

/* An RDMA device on PCI function fn. */
static void ibdev(const char *name, const char *fn)
{
	char target[PATH_MAX];

	mkdirs("%s/class/infiniband%s%s", "", "");
	mkdirs("%s/devices/pci0000:00/%s/infiniband/%s", fn, name);
	snprintf(target, sizeof(target), "../../../%s", fn);
	link_to(target, "%s/devices/pci0000:00/%s/infiniband/%s/device", fn, name);
	snprintf(target, sizeof(target), "../../devices/pci0000:00/%s/infiniband/%s", fn, name);
	link_to(target, "%s/class/infiniband/%s%s", name, "");
}

/*
 * The node: a dual-port InfiniBand HCA mlx5_0 on 0000:3b:00.0 (ib0 port 1,
 * ib1 port 2, NUMA 0), a RoCE NIC mlx5_1 on 0000:86:00.0 (eth2, NUMA 1), a
 * virtio NIC whose device sits below its PCI function (eth3), and a veth
 * without any device (veth0).
 */
static void sys_setup(void)
{
	logcap_setup();
	sys = tmpdir_new();
	pci_fn("0000:3b:00.0", "0\n");
	pci_fn("0000:86:00.0", "1\n");
	netdev("ib0", "0000:3b:00.0", "0\n");
	netdev("ib1", "0000:3b:00.0", "1\n");
	netdev("eth2", "0000:86:00.0", "0\n");
	ibdev("mlx5_0", "0000:3b:00.0");
	ibdev("mlx5_1", "0000:86:00.0");
	/* virtio: .../0000:00:05.0/virtio3/net/eth3, device -> ../../../virtio3 */
	pci_fn("0000:00:05.0", "-1\n");
	mkdirs("%s/devices/pci0000:00/%s/%s/net/eth3", "0000:00:05.0", "virtio3");
	link_to("../../../virtio3", "%s/devices/pci0000:00/%s/%s/net/eth3/device", "0000:00:05.0",
		"virtio3");
	link_to("../../devices/pci0000:00/0000:00:05.0/virtio3/net/eth3", "%s/class/net/%s%s",
		"eth3", "");
	sysfs_root = sys;
}

static void sys_teardown(void)
{
	sysfs_root = "/sys";
	rm_tree(sys);
	free(sys);
	sys = NULL;
	logcap_teardown();
}

/* ---- links and ports ---- */

#define GUID0 0x0002c90300a1b2c3ull /* mlx5_0's node GUID, and port 1's */
#define GUID1 0x0002c90300a1b2c4ull /* mlx5_0 port 2's port GUID */
#define GUID2 0x0002c90300ffee01ull /* mlx5_1's node GUID */

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* An IPoIB address: flags and queue pair qpn, then the GID fe80::<guid>. */
static struct link *ipoib_link(struct observed *o, int ifindex, const char *name, uint32_t qpn,
			       uint64_t guid)
{
	struct link *l = obs_link(o, ifindex, name, UP);

	l->type = ARPHRD_INFINIBAND;
	l->hwlen = 20;
	l->hwaddr[0] = 0x80;
	l->hwaddr[1] = (uint8_t)(qpn >> 16);
	l->hwaddr[2] = (uint8_t)(qpn >> 8);
	l->hwaddr[3] = (uint8_t)qpn;
	l->hwaddr[4] = 0xfe;
	l->hwaddr[5] = 0x80;
	put_be64(l->hwaddr + 12, guid);
	return l;
}

static struct link *eth_link(struct observed *o, int ifindex, const char *name, uint8_t last)
{
	struct link *l = obs_link(o, ifindex, name, UP);
	const uint8_t mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, last };

	l->type = ARPHRD_ETHER;
	l->hwlen = 6;
	memcpy(l->hwaddr, mac, 6);
	return l;
}

/* The node's links: ib0 (2), ib1 (3), eth2 (4, MAC ...:02), eth3 (5, ...:03), veth0 (6, ...:06). */
static void node_links(struct observed *o)
{
	memset(o, 0, sizeof(*o));
	ipoib_link(o, 2, "ib0", 0x000048, GUID0);
	ipoib_link(o, 3, "ib1", 0x000049, GUID1);
	eth_link(o, 4, "eth2", 0x02);
	eth_link(o, 5, "eth3", 0x03);
	eth_link(o, 6, "veth0", 0x06);
	obs_done(o);
}

/* The RDMA ports the kernel would list: IB ports name no netdev, the RoCE port eth2's. */
static const struct rdma_port ports[] = {
	{ .dev_index = 1,
	  .dev = "mlx5_0",
	  .protocol = "ib",
	  .node_guid = GUID0,
	  .port = 1,
	  .state = IB_PORT_ACTIVE },
	{ .dev_index = 1,
	  .dev = "mlx5_0",
	  .protocol = "ib",
	  .node_guid = GUID0,
	  .port = 2,
	  .state = IB_PORT_ACTIVE },
	{ .dev_index = 2,
	  .dev = "mlx5_1",
	  .protocol = "roce",
	  .node_guid = GUID2,
	  .port = 1,
	  .state = IB_PORT_ACTIVE,
	  .ndev_index = 4,
	  .ndev = "eth2" },
};

/* match_rail() for the first rail of cmdline; returns its result, ifname and why. */
static int match(const char *cmdline, const struct observed *o, char ifname[IFNAMSIZ], char *why)
{
	struct railmap m;
	int ret;

	map_ok(&m, cmdline, NULL);
	ifname[0] = why[0] = '\0';
	ret = match_rail(&m.rail[0], o, ports, ARRAY_SIZE(ports), ifname, why, 160);
	railmap_free(&m);
	return ret;
}

#define EXPECT_MATCH(o, opt, want)                                                               \
	do {                                                                                     \
		char n_[IFNAMSIZ], w_[160];                                                      \
		int r_ = match("rd.rail=r0:10.0.1.14/24," opt, (o), n_, w_);                     \
		ck_assert_msg(r_ == 1 && !strcmp(n_, (want)), "%s: result %d, %s, why: %s", opt, \
			      r_, n_, w_);                                                       \
	} while (0)

#define EXPECT_NONE(o, opt, msg)                                                         \
	do {                                                                             \
		char n_[IFNAMSIZ], w_[160];                                              \
		int r_ = match("rd.rail=r0:10.0.1.14/24," opt, (o), n_, w_);             \
		ck_assert_msg(r_ == 0, "%s: result %d (%s), why: %s", opt, r_, n_, w_);  \
		ck_assert_msg(strstr(w_, (msg)), "%s: [%s] lacks [%s]", opt, w_, (msg)); \
	} while (0)

#define EXPECT_BOTH(o, opt, msg)                                                         \
	do {                                                                             \
		char n_[IFNAMSIZ], w_[160];                                              \
		int r_ = match("rd.rail=r0:10.0.1.14/24," opt, (o), n_, w_);             \
		ck_assert_msg(r_ == -1, "%s: result %d (%s), why: %s", opt, r_, n_, w_); \
		ck_assert_msg(strstr(w_, (msg)), "%s: [%s] lacks [%s]", opt, w_, (msg)); \
	} while (0)

/* ---- MACs ---- */

START_TEST(test_mac_ethernet)
{
	struct observed o;

	node_links(&o);
	EXPECT_MATCH(&o, "mac=02:00:00:00:00:03", "eth3");
	EXPECT_MATCH(&o, "mac=02-00-00-00-00-06", "veth0");
	EXPECT_NONE(&o, "mac=02:00:00:00:00:99", "mac=02:00:00:00:00:99 matches no interface");
	observed_free(&o);

	/* Two netdevs with one MAC (a bond's slaves, a VF and its representor). */
	memset(&o, 0, sizeof(o));
	eth_link(&o, 2, "eth0", 0x07);
	eth_link(&o, 3, "eth1", 0x07);
	obs_done(&o);
	EXPECT_BOTH(&o, "mac=02:00:00:00:00:07",
		    "mac=02:00:00:00:00:07 matches both eth0 and eth1");
	observed_free(&o);
}
END_TEST

START_TEST(test_mac_ipoib)
{
	struct observed o;

	node_links(&o);
	/* All 20 bytes, with another queue pair number than the link's: the QPN is ignored. */
	EXPECT_MATCH(&o, "mac=80:00:01:00:fe:80:00:00:00:00:00:00:00:02:c9:03:00:a1:b2:c4", "ib1");
	EXPECT_MATCH(&o, "mac=00:ff:ff:ff:fe:80:00:00:00:00:00:00:00:02:c9:03:00:a1:b2:c3", "ib0");
	/* The 8-byte form is the port GUID, the last 8 bytes. */
	EXPECT_MATCH(&o, "mac=00:02:c9:03:00:a1:b2:c3", "ib0");
	EXPECT_MATCH(&o, "mac=0002c90300a1b2c4", "ib1");
	/* The GID's prefix (bytes 4..11) counts in the 20-byte form. */
	EXPECT_NONE(&o, "mac=80:00:00:48:fe:80:00:00:00:00:00:01:00:02:c9:03:00:a1:b2:c3",
		    "matches no interface");
	/* Lengths do not mix: 6 bytes never match an IPoIB address, 8 or 20 never Ethernet. */
	EXPECT_NONE(&o, "mac=03:00:a1:b2:c3:00", "matches no interface");
	EXPECT_NONE(&o, "mac=00:00:02:00:00:00:00:03", "matches no interface");
	observed_free(&o);

	/* The same port GUID on two netdevs (a child interface ib0.8001 shares it). */
	memset(&o, 0, sizeof(o));
	ipoib_link(&o, 2, "ib0", 0x48, GUID0);
	ipoib_link(&o, 3, "ib0.8001", 0x50, GUID0);
	obs_done(&o);
	EXPECT_BOTH(&o, "mac=0002c90300a1b2c3", "matches both ib0 and ib0.8001");
	observed_free(&o);
}
END_TEST

/* ---- GUIDs, RDMA devices, PCI functions ---- */

START_TEST(test_guid)
{
	struct observed o;

	node_links(&o);
	EXPECT_MATCH(&o, "guid=0002:c903:00a1:b2c4", "ib1");
	/* A RoCE port has its device's node GUID. */
	EXPECT_MATCH(&o, "guid=0002c90300ffee01", "eth2");
	EXPECT_NONE(&o, "guid=0002c90300000000", "guid=0002c90300000000 matches no interface");
	observed_free(&o);
}
END_TEST

/*
 * guid= is the InfiniBand port GUID. On a dual-port HCA port 1's GUID is
 * also the device's node GUID: port 2's netdev must not match it through
 * its port's node GUID (it did, and guid=<port 1> matched both ib0 and ib1).
 */
START_TEST(test_guid_dual_port)
{
	struct observed o;

	node_links(&o);
	EXPECT_MATCH(&o, "guid=0002c90300a1b2c3", "ib0");
	observed_free(&o);
}
END_TEST

START_TEST(test_ibdev)
{
	struct observed o;

	node_links(&o);
	/* IPoIB: the port found through sysfs (same PCI function, dev_port + 1). */
	EXPECT_MATCH(&o, "ibdev=mlx5_0/1", "ib0");
	EXPECT_MATCH(&o, "ibdev=mlx5_0/2", "ib1");
	EXPECT_BOTH(&o, "ibdev=mlx5_0", "ibdev=mlx5_0 matches both ib0 and ib1");
	/* RoCE: the port names its netdev. */
	EXPECT_MATCH(&o, "ibdev=mlx5_1", "eth2");
	EXPECT_MATCH(&o, "ibdev=mlx5_1/1", "eth2");
	EXPECT_NONE(&o, "ibdev=mlx5_1/2", "ibdev=mlx5_1/2 matches no interface");
	EXPECT_NONE(&o, "ibdev=mlx5_7", "ibdev=mlx5_7 matches no interface");
	observed_free(&o);
}
END_TEST

START_TEST(test_pci)
{
	struct observed o;

	node_links(&o);
	EXPECT_MATCH(&o, "pci=0000:86:00.0", "eth2");
	EXPECT_MATCH(&o, "pci=86:00.0", "eth2");
	/* The port of a dual-port function: dev_port + 1. */
	EXPECT_MATCH(&o, "pci=0000:3b:00.0/1", "ib0");
	EXPECT_MATCH(&o, "pci=0000:3B:00.0/2", "ib1");
	EXPECT_BOTH(&o, "pci=0000:3b:00.0", "pci=0000:3b:00.0 matches both ib0 and ib1");
	EXPECT_NONE(&o, "pci=0000:3b:00.0/3", "pci=0000:3b:00.0/3 matches no interface");
	/* virtio: the netdev's device sits below its PCI function. */
	EXPECT_MATCH(&o, "pci=0000:00:05.0", "eth3");
	EXPECT_NONE(&o, "pci=0000:00:06.0", "matches no interface");
	observed_free(&o);
}
END_TEST

/* Without sysfs (another root, nothing in it) nothing is found by pci= or an IPoIB ibdev=. */
START_TEST(test_no_sysfs)
{
	struct observed o;

	sysfs_root = "/nonexistent";
	node_links(&o);
	EXPECT_NONE(&o, "pci=0000:86:00.0", "matches no interface");
	EXPECT_NONE(&o, "ibdev=mlx5_0/1", "matches no interface");
	/* RoCE needs no sysfs: the port names its netdev. */
	EXPECT_MATCH(&o, "ibdev=mlx5_1", "eth2");
	observed_free(&o);
}
END_TEST

/* ---- the whole map ---- */

START_TEST(test_match_rails)
{
	struct railmap m;
	struct observed o;

	node_links(&o);
	map_ok(&m,
	       "rd.rail=rail0:10.0.1.14/24,ibdev=mlx5_0/1 "
	       "rd.rail=rail1:10.0.2.14/24,mac=0002c90300a1b2c4 "
	       "rd.rail=rail2:10.0.3.14/24,pci=0000:86:00.0 "
	       "rd.rail=rail2:[fd00:3::14]/64,pci=0000:86:00.0 "
	       "rd.rail=rail3:10.0.4.14/24,guid=0002c90300a1b2c4 "
	       "rd.rail=eth3:10.0.5.14/24 "
	       "rd.rail=rail5:10.0.6.14/24,mac=02:00:00:00:00:03 "
	       "rd.rail=rail6:10.0.7.14/24,mac=02:00:00:00:00:99",
	       NULL);
	match_rails(&m, &o, ports, ARRAY_SIZE(ports), RAIL_PENDING);
	ck_assert_str_eq(m.rail[0].st.ifname, "ib0");
	ck_assert_str_eq(m.rail[1].st.ifname, "ib1");
	ck_assert_str_eq(m.rail[2].st.ifname, "eth2");
	/* A NIC carries one rail of each family. */
	ck_assert_str_eq(m.rail[3].st.ifname, "eth2");
	ck_assert_int_ne(m.rail[2].st.phase, RAIL_FAILED);
	ck_assert_int_ne(m.rail[3].st.phase, RAIL_FAILED);
	/* Two IPv4 rails on ib1 (by MAC and by GUID): the later fails, naming the first. */
	ck_assert_int_ne(m.rail[1].st.phase, RAIL_FAILED);
	ck_assert_int_eq(m.rail[4].st.phase, RAIL_FAILED);
	ck_assert_str_eq(m.rail[4].st.stage, "match");
	ck_assert_msg(strstr(m.rail[4].st.error, "ib1 is rail rail1's already"), "%s",
		      m.rail[4].st.error);
	/* By name and by identity on eth3: the rail by identity comes later and fails. */
	ck_assert_int_ne(m.rail[5].st.phase, RAIL_FAILED);
	ck_assert_int_eq(m.rail[6].st.phase, RAIL_FAILED);
	ck_assert_msg(strstr(m.rail[6].st.error, "eth3 is rail eth3's already"), "%s",
		      m.rail[6].st.error);
	/* Not there yet, and not final: it may still appear. */
	ck_assert_int_ne(m.rail[7].st.phase, RAIL_FAILED);

	/* apply's: absent, and left so by a later call (a failure would still win). */
	match_rails(&m, &o, ports, ARRAY_SIZE(ports), RAIL_ABSENT);
	ck_assert_int_eq(m.rail[7].st.phase, RAIL_ABSENT);
	ck_assert_str_eq(m.rail[7].st.stage, "match");
	ck_assert_msg(strstr(m.rail[7].st.error, "mac=02:00:00:00:00:99 matches no interface"),
		      "%s", m.rail[7].st.error);
	match_rails(&m, &o, ports, ARRAY_SIZE(ports), RAIL_FAILED);
	ck_assert_int_eq(m.rail[7].st.phase, RAIL_ABSENT);
	/* status's: failed. */
	m.rail[7].st.phase = RAIL_PENDING;
	match_rails(&m, &o, ports, ARRAY_SIZE(ports), RAIL_FAILED);
	ck_assert_int_eq(m.rail[7].st.phase, RAIL_FAILED);
	ck_assert_str_eq(m.rail[7].st.stage, "match");
	ck_assert_msg(strstr(m.rail[7].st.error, "mac=02:00:00:00:00:99 matches no interface"),
		      "%s", m.rail[7].st.error);
	railmap_free(&m);
	observed_free(&o);
}
END_TEST

/*
 * Three rails on one netdev: the third is told whose netdev it is, the first
 * rail's (it was told the second's, a rail that failed and has no netdev).
 */
START_TEST(test_match_rails_three)
{
	struct railmap m;
	struct observed o;

	node_links(&o);
	map_ok(&m,
	       "rd.rail=a:10.0.1.14/24,mac=02:00:00:00:00:06 "
	       "rd.rail=b:10.0.2.14/24,mac=02:00:00:00:00:06 "
	       "rd.rail=c:10.0.3.14/24,mac=02:00:00:00:00:06",
	       NULL);
	match_rails(&m, &o, ports, ARRAY_SIZE(ports), RAIL_FAILED);
	ck_assert_int_ne(m.rail[0].st.phase, RAIL_FAILED);
	ck_assert_int_eq(m.rail[1].st.phase, RAIL_FAILED);
	ck_assert_int_eq(m.rail[2].st.phase, RAIL_FAILED);
	ck_assert_msg(strstr(m.rail[1].st.error, "veth0 is rail a's already"), "%s",
		      m.rail[1].st.error);
	ck_assert_msg(strstr(m.rail[2].st.error, "veth0 is rail a's already"), "%s",
		      m.rail[2].st.error);
	railmap_free(&m);
	observed_free(&o);
}
END_TEST

/*
 * A rail that matched nothing has no netdev: its label, though a netdev's
 * name, does not take that netdev from the rail that matched it.
 */
START_TEST(test_match_rails_label)
{
	enum rail_phase unmatched[] = { RAIL_ABSENT, RAIL_FAILED };
	struct railmap m;
	struct observed o;

	node_links(&o);
	for (unsigned k = 0; k < ARRAY_SIZE(unmatched); k++) {
		map_ok(&m,
		       "rd.rail=eth2:10.0.1.14/24,mac=02:00:00:00:00:99 "
		       "rd.rail=x:10.0.2.14/24,mac=02:00:00:00:00:02",
		       NULL);
		match_rails(&m, &o, ports, ARRAY_SIZE(ports), unmatched[k]);
		ck_assert_int_eq(m.rail[0].st.phase, unmatched[k]);
		ck_assert_msg(strstr(m.rail[0].st.error, "matches no interface"), "%s",
			      m.rail[0].st.error);
		ck_assert_int_eq(m.rail[1].st.phase, RAIL_PENDING);
		ck_assert_str_eq(m.rail[1].st.ifname, "eth2");
		railmap_free(&m);
	}
	observed_free(&o);
}
END_TEST

/* ---- what status shows ---- */

START_TEST(test_ident)
{
	struct observed o;
	struct ident id;

	node_links(&o);
	match_ident(observed_link(&o, "ib1"), ports, ARRAY_SIZE(ports), &id);
	ck_assert_str_eq(id.pci, "0000:3b:00.0");
	ck_assert_int_eq(id.numa, 0);
	ck_assert_str_eq(id.ibdev, "mlx5_0");
	ck_assert_uint_eq(id.port, 2);
	ck_assert_str_eq(id.layer, "infiniband");

	match_ident(observed_link(&o, "eth2"), ports, ARRAY_SIZE(ports), &id);
	ck_assert_str_eq(id.pci, "0000:86:00.0");
	ck_assert_int_eq(id.numa, 1);
	ck_assert_str_eq(id.ibdev, "mlx5_1");
	ck_assert_uint_eq(id.port, 1);
	ck_assert_str_eq(id.layer, "ethernet");

	match_ident(observed_link(&o, "eth3"), ports, ARRAY_SIZE(ports), &id);
	ck_assert_str_eq(id.pci, "0000:00:05.0");
	ck_assert_int_eq(id.numa, -1);
	ck_assert_str_eq(id.ibdev, "");

	match_ident(observed_link(&o, "veth0"), ports, ARRAY_SIZE(ports), &id);
	ck_assert_str_eq(id.pci, "");
	ck_assert_int_eq(id.numa, -1);
	ck_assert_str_eq(id.ibdev, "");
	ck_assert_str_eq(id.layer, "ethernet");
	observed_free(&o);
}
END_TEST

Suite *match_suite(void)
{
	Suite *s = suite_create("match");
	TCase *tc = tcase_create("identity");

	tcase_add_checked_fixture(tc, sys_setup, sys_teardown);
	tcase_add_test(tc, test_mac_ethernet);
	tcase_add_test(tc, test_mac_ipoib);
	tcase_add_test(tc, test_guid);
	tcase_add_test(tc, test_guid_dual_port);
	tcase_add_test(tc, test_ibdev);
	tcase_add_test(tc, test_pci);
	tcase_add_test(tc, test_no_sysfs);
	suite_add_tcase(s, tc);

	tc = tcase_create("map");
	tcase_add_checked_fixture(tc, sys_setup, sys_teardown);
	tcase_add_test(tc, test_match_rails);
	tcase_add_test(tc, test_match_rails_three);
	tcase_add_test(tc, test_match_rails_label);
	tcase_add_test(tc, test_ident);
	suite_add_tcase(s, tc);
	return s;
}
