// SPDX-License-Identifier: GPL-2.0
#include <netinet/in.h>
#include <net/if.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <rdma/rdma_netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "rdmanl.h"
#include "sysfs.h"

#define NLDEV_TYPE(op) ((uint16_t)RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, (op)))

/* ---- decoding ---- */

static void decode_dev(const struct nlattr **tb, struct rdma_port *p)
{
	p->node_guid = nla_u64(tb[RDMA_NLDEV_ATTR_NODE_GUID]);
	nla_str(tb[RDMA_NLDEV_ATTR_DEV_PROTOCOL], p->protocol, sizeof(p->protocol));
}

/* Port numbers are u32 on the wire but 8-bit in the IB spec and in struct rdma_port. */
static int decode_port_attrs(const struct nlattr **tb, struct rdma_port *p)
{
	uint32_t port = nla_u32(tb[RDMA_NLDEV_ATTR_PORT_INDEX]);
	uint32_t ndev = nla_u32(tb[RDMA_NLDEV_ATTR_NDEV_INDEX]);

	if (!tb[RDMA_NLDEV_ATTR_PORT_INDEX] || port == 0 || port > UINT8_MAX || ndev > INT_MAX)
		return -1;
	p->port = (uint8_t)port;
	p->state = nla_u8(tb[RDMA_NLDEV_ATTR_PORT_STATE]);
	p->phys_state = nla_u8(tb[RDMA_NLDEV_ATTR_PORT_PHYS_STATE]);
	p->ndev_index = (int)ndev;
	nla_str(tb[RDMA_NLDEV_ATTR_NDEV_NAME], p->ndev, sizeof(p->ndev));
	return 0;
}

/*
 * A GET reply describes the device (port stays 0: its PORT_INDEX counts the
 * ports); a PORT_GET reply describes one port and names its device only.
 */
int rdmanl_decode_port(const struct nlmsghdr *h, struct rdma_port *p)
{
	const struct nlattr *tb[RDMA_NLDEV_ATTR_MAX];

	memset(p, 0, sizeof(*p));
	if (h->nlmsg_len < NLMSG_HDRLEN)
		return -1;
	if (h->nlmsg_type != NLDEV_TYPE(RDMA_NLDEV_CMD_GET) &&
	    h->nlmsg_type != NLDEV_TYPE(RDMA_NLDEV_CMD_PORT_GET))
		return -1;
	nlmsg_parse(tb, RDMA_NLDEV_ATTR_MAX - 1, h, 0);
	if (!tb[RDMA_NLDEV_ATTR_DEV_INDEX] || !tb[RDMA_NLDEV_ATTR_DEV_NAME])
		return -1;
	p->dev_index = nla_u32(tb[RDMA_NLDEV_ATTR_DEV_INDEX]);
	nla_str(tb[RDMA_NLDEV_ATTR_DEV_NAME], p->dev, sizeof(p->dev));
	if (!p->dev[0])
		return -1;
	if (h->nlmsg_type == NLDEV_TYPE(RDMA_NLDEV_CMD_GET)) {
		decode_dev(tb, p);
		return 0;
	}
	return decode_port_attrs(tb, p);
}

/* ---- dumps ---- */

struct ports {
	struct rdma_port *v;
	unsigned n, cap;
	unsigned start;		     /* where the current dump's entries begin */
	const struct rdma_port *dev; /* the device a PORT_GET dump is about */
};

static int add_entry(const struct nlmsghdr *h, void *arg)
{
	struct ports *ps = arg;
	struct rdma_port p;

	if (!h) {
		ps->n = ps->start;
		return 0;
	}
	if (rdmanl_decode_port(h, &p))
		return 0;
	if (ps->dev) {
		/* The port reply does not repeat what the device reply said. */
		if (!p.port || p.dev_index != ps->dev->dev_index)
			return 0;
		p.node_guid = ps->dev->node_guid;
		memcpy(p.protocol, ps->dev->protocol, sizeof(p.protocol));
	} else if (p.port) {
		return 0;
	}
	ps->v = xgrow(ps->v, ps->n, &ps->cap, sizeof(*ps->v));
	ps->v[ps->n++] = p;
	return 0;
}

static int dump(struct nl *nl, struct nlbuf *b, uint8_t cmd, const struct rdma_port *dev,
		struct ports *ps)
{
	nlb_reset(b);
	nlb_msg(b, NLDEV_TYPE(cmd), NLM_F_DUMP, 0);
	if (dev)
		nlb_put_u32(b, RDMA_NLDEV_ATTR_DEV_INDEX, dev->dev_index);
	ps->start = ps->n;
	ps->dev = dev;
	return nl_request(nl, b, add_entry, ps, NULL, 0);
}

/*
 * The kernel refuses a PORT_GET dump that names no device (EINVAL): one dump
 * of the devices, then one of each device's ports.
 */
int rdmanl_ports(struct nl *nl, struct rdma_port **v, unsigned *n)
{
	struct ports devs = { 0 }, ports = { 0 };
	struct nlbuf b = { 0 };
	int ret;

	ret = dump(nl, &b, RDMA_NLDEV_CMD_GET, NULL, &devs);
	for (unsigned i = 0; !ret && i < devs.n; i++) {
		ret = dump(nl, &b, RDMA_NLDEV_CMD_PORT_GET, &devs.v[i], &ports);
		/* A device unregistered since the first dump: it has no ports now. */
		if (ret == -EINVAL || ret == -ENODEV) {
			ports.n = ports.start;
			ret = 0;
		}
	}
	nlb_free(&b);
	free(devs.v);
	if (ret) {
		free(ports.v);
		ports.v = NULL;
		ports.n = 0;
	}
	*v = ports.v;
	*n = ports.n;
	return ret;
}

/* ---- netdev to port ---- */

static const struct rdma_port *ipoib_port(const struct rdma_port *v, unsigned n, const char *ifname)
{
	char netdev_parent[PATH_MAX], hca_parent[PATH_MAX];
	int port;

	if (!n || !ifname || !sysfs_parent("net", ifname, netdev_parent))
		return NULL;
	/* dev_port: which port of a multi-port device the netdev sits on, from 0. */
	port = sysfs_int("net", ifname, "dev_port", 0) + 1;
	for (unsigned i = 0; i < n; i++) {
		if (v[i].ndev_index || v[i].port != port)
			continue;
		if (sysfs_parent("infiniband", v[i].dev, hca_parent) &&
		    !strcmp(netdev_parent, hca_parent))
			return &v[i];
	}
	return NULL;
}

const struct rdma_port *rdma_port_of_netdev(const struct rdma_port *v, unsigned n, int ifindex,
					    const char *ifname)
{
	for (unsigned i = 0; i < n && ifindex > 0; i++)
		if (v[i].ndev_index == ifindex)
			return &v[i];
	/* IPoIB ports name no netdev: the kernel keeps that link in sysfs only. */
	return ipoib_port(v, n, ifname);
}

/* ---- Soft-RoCE ---- */

enum rxe_exists rdma_rxe_exists(const struct rdma_port *v, unsigned n, const char *name,
				int ifindex, const char *ifname, const struct rdma_port **holder)
{
	*holder = NULL;
	if (rdma_port_of_netdev(v, n, ifindex, ifname))
		return RXE_SERVED;
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(v[i].dev, name) && v[i].ndev_index > 0) {
			*holder = &v[i];
			return RXE_NAME_TAKEN;
		}
	/* Its netdev gone, or the device itself between the two requests. */
	return RXE_NAME_LEAVING;
}

static int ignore_reply(const struct nlmsghdr *h, void *arg)
{
	(void)h;
	(void)arg;
	return 0;
}

int rdmanl_add_rxe(struct nl *nl, const char *name, const char *ndev, char *err, size_t errlen)
{
	struct nlbuf b = { 0 };
	char kmsg[256];
	int ret;

	nlb_msg(&b, NLDEV_TYPE(RDMA_NLDEV_CMD_NEWLINK), 0, 0);
	nlb_put_str(&b, RDMA_NLDEV_ATTR_DEV_NAME, name);
	nlb_put_str(&b, RDMA_NLDEV_ATTR_LINK_TYPE, "rxe");
	nlb_put_str(&b, RDMA_NLDEV_ATTR_NDEV_NAME, ndev);
	ret = nl_request(nl, &b, ignore_reply, NULL, kmsg, sizeof(kmsg));
	nlb_free(&b);
	if (ret && err && errlen)
		snprintf(err, errlen, "%s%s%s", strerror(-ret), *kmsg ? ": " : "", kmsg);
	else if (err && errlen)
		err[0] = '\0';
	return ret;
}
