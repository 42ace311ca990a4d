// SPDX-License-Identifier: GPL-2.0
/*
 * rdma-probe: drives the RDMA netlink and RDMA CM stages inside a test VM,
 * one command per run, so tests/vm/rdma-stages.sh can check each result.
 *
 *   rdma-probe add-rxe NAME NDEV
 *   rdma-probe ports
 *   rdma-probe port-of IFNAME
 *   rdma-probe open
 *   rdma-probe bind ADDR [WAIT_MS]         retries ENODEV up to WAIT_MS
 *   rdma-probe resolve SRC DST [TIMEOUT_MS]
 *   rdma-probe loopback ADDR [COUNT [TIMEOUT_MS]]
 *
 * Results go to stdout, failures to stderr as the stages word them; the
 * exit status is 0 only on success.
 */
#include <netinet/in.h>
#include <net/if.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "netlink.h"
#include "rdmacm.h"
#include "rdmanl.h"

static const char *port_state(uint8_t s)
{
	static const char *const names[] = { "NOP",   "DOWN",	"INIT",
					     "ARMED", "ACTIVE", "ACTIVE_DEFER" };

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static const char *guid_str(uint64_t g)
{
	static char buf[20];

	snprintf(buf, sizeof(buf), "%04x:%04x:%04x:%04x", (unsigned)(g >> 48) & 0xffff,
		 (unsigned)(g >> 32) & 0xffff, (unsigned)(g >> 16) & 0xffff, (unsigned)g & 0xffff);
	return buf;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static int parse_addr(const char *s, struct ipaddr *a)
{
	const char *why;

	if (addr_parse(a, s, strlen(s), false, &why)) {
		fprintf(stderr, "%s: %s\n", s, why);
		return -1;
	}
	return 0;
}

static int open_rdma_nl(struct nl *nl)
{
	int ret = nl_open(nl, NETLINK_RDMA);

	if (ret)
		fprintf(stderr, "netlink: %s\n", strerror(-ret));
	return ret;
}

static int load_ports(struct rdma_port **v, unsigned *n)
{
	struct nl nl;
	int ret;

	if (open_rdma_nl(&nl))
		return -1;
	ret = rdmanl_ports(&nl, v, n);
	nl_close(&nl);
	if (ret)
		fprintf(stderr, "RDMA netlink: %s\n", strerror(-ret));
	return ret;
}

static int cmd_add_rxe(const char *name, const char *ndev)
{
	char err[300];
	struct nl nl;
	int ret;

	if (open_rdma_nl(&nl))
		return 1;
	ret = rdmanl_add_rxe(&nl, name, ndev, err, sizeof(err));
	nl_close(&nl);
	if (ret) {
		fprintf(stderr, "rdma link add %s type rxe netdev %s: %s\n", name, ndev, err);
		return 1;
	}
	printf("%s on %s\n", name, ndev);
	return 0;
}

static int cmd_ports(void)
{
	struct rdma_port *v;
	unsigned n;

	if (load_ports(&v, &n))
		return 1;
	for (unsigned i = 0; i < n; i++)
		printf("%s %u %s phys=%u ndev=%s ifindex=%d guid=%s proto=%s index=%u\n", v[i].dev,
		       v[i].port, port_state(v[i].state), v[i].phys_state,
		       v[i].ndev[0] ? v[i].ndev : "-", v[i].ndev_index, guid_str(v[i].node_guid),
		       v[i].protocol, v[i].dev_index);
	free(v);
	return 0;
}

static int cmd_port_of(const char *ifname)
{
	const struct rdma_port *p;
	struct rdma_port *v;
	unsigned n;
	int ret = 1;

	if (load_ports(&v, &n))
		return 1;
	p = rdma_port_of_netdev(v, n, (int)if_nametoindex(ifname), ifname);
	if (p) {
		printf("%s %u\n", p->dev, p->port);
		ret = 0;
	} else {
		fprintf(stderr, "%s: no RDMA port\n", ifname);
	}
	free(v);
	return ret;
}

/* The device the CM landed on, by index, cross-checked by GUID. */
static const char *device_of(const struct cm_where *w)
{
	static char name[64];
	struct rdma_port *v;
	unsigned n;

	snprintf(name, sizeof(name), "?");
	if (load_ports(&v, &n))
		return name;
	for (unsigned i = 0; i < n; i++)
		if (v[i].dev_index == w->ibdev_index && v[i].node_guid == w->node_guid)
			snprintf(name, sizeof(name), "%s", v[i].dev);
	free(v);
	return name;
}

static void print_where(const char *what, const struct cm_where *w)
{
	printf("%s: %s port %u guid %s pkey 0x%04x ibdev %u\n", what, device_of(w), w->port,
	       guid_str(w->node_guid), w->pkey, w->ibdev_index);
}

static int with_cm(int (*fn)(struct cm *, int, char **), int argc, char **argv)
{
	struct cm_error e;
	struct cm cm;
	int ret;

	if (cm_open(&cm, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	ret = fn(&cm, argc, argv);
	cm_close(&cm);
	return ret;
}

static int cmd_open(struct cm *cm, int argc, char **argv)
{
	(void)cm;
	(void)argc;
	(void)argv;
	printf("opened\n");
	return 0;
}

/* The GID of a new address reaches the device's table asynchronously: ENODEV until then. */
static int cmd_bind(struct cm *cm, int argc, char **argv)
{
	long wait_ms = argc > 3 ? atol(argv[3]) : 0;
	struct timespec t0;
	struct cm_where w;
	struct cm_error e;
	struct ipaddr a;
	int tries = 0;

	if (parse_addr(argv[2], &a))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (cm_bind_query(cm, &a, &w, &e)) {
		tries++;
		if (e.err != -ENODEV || ms_since(&t0) >= wait_ms) {
			fprintf(stderr, "%s\n", e.msg);
			return 1;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
	}
	if (tries)
		fprintf(stderr, "bind %s: ENODEV for %ld ms (%d tries) before it bound\n", argv[2],
			ms_since(&t0), tries);
	print_where(argv[2], &w);
	return 0;
}

static int cmd_resolve(struct cm *cm, int argc, char **argv)
{
	unsigned timeout = argc > 4 ? (unsigned)atoi(argv[4]) : 2000;
	struct ipaddr src, dst;
	struct timespec t0;
	struct cm_where w;
	struct cm_error e;
	char what[120];

	if (parse_addr(argv[2], &src) || parse_addr(argv[3], &dst))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (cm_resolve(cm, &src, &dst, timeout, &w, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		fprintf(stderr, "(after %ld ms)\n", ms_since(&t0));
		return 1;
	}
	snprintf(what, sizeof(what), "%s -> %s", argv[2], argv[3]);
	print_where(what, &w);
	return 0;
}

static int cmd_loopback(struct cm *cm, int argc, char **argv)
{
	int count = argc > 3 ? atoi(argv[3]) : 1;
	unsigned timeout = argc > 4 ? (unsigned)atoi(argv[4]) : 5000;
	struct cm_error e;
	struct ipaddr a;

	if (parse_addr(argv[2], &a))
		return 1;
	for (int i = 1; i <= count; i++) {
		struct timespec t0;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (cm_loopback(cm, &a, timeout, &e)) {
			fprintf(stderr, "%s\n", e.msg);
			fprintf(stderr, "(attempt %d of %d, after %ld ms)\n", i, count,
				ms_since(&t0));
			return 1;
		}
		printf("loopback %s: attempt %d ESTABLISHED in %ld ms\n", argv[2], i,
		       ms_since(&t0));
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: rdma-probe add-rxe NAME NDEV | ports | port-of IFNAME | open |\n"
			"       bind ADDR [WAIT_MS] | resolve SRC DST [TIMEOUT_MS] |\n"
			"       loopback ADDR [COUNT [TIMEOUT_MS]]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "add-rxe") && argc == 4)
		return cmd_add_rxe(argv[2], argv[3]);
	if (!strcmp(cmd, "ports") && argc == 2)
		return cmd_ports();
	if (!strcmp(cmd, "port-of") && argc == 3)
		return cmd_port_of(argv[2]);
	if (!strcmp(cmd, "open") && argc == 2)
		return with_cm(cmd_open, argc, argv);
	if (!strcmp(cmd, "bind") && (argc == 3 || argc == 4))
		return with_cm(cmd_bind, argc, argv);
	if (!strcmp(cmd, "resolve") && (argc == 4 || argc == 5))
		return with_cm(cmd_resolve, argc, argv);
	if (!strcmp(cmd, "loopback") && argc >= 3 && argc <= 5)
		return with_cm(cmd_loopback, argc, argv);
	return usage();
}
