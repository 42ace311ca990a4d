// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the binary seeds of the fuzzers' corpus (tests/fuzz/corpus/): real
 * rtnetlink replies captured from the kernel of the namespace it runs in
 * (tests/fuzz/mkcorpus.sh builds one), messages made with railup's own
 * encoders, RDMA netlink replies and RDMA CM events as the kernel lays them
 * out, and the ledger and state files as railup writes them.
 *
 *   mkcorpus OUTDIR      (OUTDIR/<target>/<name> per seed)
 */
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/ip.h>
#include <net/if.h>
#include <linux/rtnetlink.h>
#include <rdma/rdma_netlink.h>
#include <rdma/rdma_user_cm.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "ledger.h"
#include "log.h"
#include "netlink.h"
#include "rdmacm.h"
#include "rdmanl.h"
#include "report.h"
#include "rtnl.h"

#define NLDEV_TYPE(op) ((uint16_t)RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, (op)))

static const char *out;
static unsigned written;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void put_file(const char *target, const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out, target);
	if (mkdir(path, 0755) && errno != EEXIST)
		die(path);
	snprintf(path, sizeof(path), "%s/%s/%s", out, target, name);
	f = fopen(path, "w");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f))
		die(path);
	written++;
}

/*
 * A message for its decoder's target, and for fuzz_nla with the selector
 * byte that gives nla's table the message's family header and a table of 63.
 */
static void put_msg(const char *target, const char *name, const struct nlmsghdr *h, size_t hdrlen)
{
	static const size_t hdrs[] = { 0, 4, 8, 12, 16, 20 };
	unsigned char *sel = malloc(h->nlmsg_len + 1);
	char nla_name[128];
	unsigned idx = 0;

	put_file(target, name, h, h->nlmsg_len);
	while (hdrs[idx] != hdrlen)
		idx++;
	sel[0] = (unsigned char)(31 << 3 | idx);
	memcpy(sel + 1, h, h->nlmsg_len);
	snprintf(nla_name, sizeof(nla_name), "%s-%s", target, name);
	put_file("nla", nla_name, sel, h->nlmsg_len + 1);
	free(sel);
}

/* ---- captured from the kernel ---- */

struct capture {
	const char *target, *prefix;
	size_t hdrlen;
	unsigned n, max;
	struct nlbuf all; /* the first few replies, back to back, as one recv() */
	unsigned in_all;
};

static int keep(const struct nlmsghdr *h, void *arg)
{
	struct capture *c = arg;
	char name[64];

	if (!h || c->n >= c->max)
		return 0;
	snprintf(name, sizeof(name), "%s-%02u", c->prefix, c->n++);
	put_msg(c->target, name, h, c->hdrlen);
	if (c->in_all < 4 && c->all.len + NLMSG_ALIGN(h->nlmsg_len) < 4096) {
		size_t at = c->all.len;

		c->all.data = xrealloc(c->all.data, at + NLMSG_ALIGN(h->nlmsg_len));
		memset(c->all.data + at, 0, NLMSG_ALIGN(h->nlmsg_len));
		memcpy(c->all.data + at, h, h->nlmsg_len);
		c->all.len = at + NLMSG_ALIGN(h->nlmsg_len);
		c->in_all++;
	}
	return 0;
}

static void dump(struct nl *nl, uint16_t type, uint8_t family, size_t hdrlen, const char *target,
		 unsigned max)
{
	struct capture c = { .target = target, .prefix = "kernel", .hdrlen = hdrlen, .max = max };
	struct nlbuf b = { 0 };
	unsigned char *hdr = nlb_msg(&b, type, NLM_F_DUMP, hdrlen);
	int ret;

	hdr[0] = family; /* every family header starts with its family */
	ret = nl_request(nl, &b, keep, &c, NULL, 0);
	if (ret)
		fprintf(stderr, "mkcorpus: dump %u: %s\n", type, strerror(-ret));
	if (c.all.len)
		put_file(target, "kernel-batch", c.all.data, c.all.len);
	free(c.all.data);
	nlb_free(&b);
}

/* ip route get DST [from SRC] [fibmatch]: the kernel's one-route answers. */
static void route_get(struct nl *nl, const char *dst, const char *src, bool fibmatch,
		      const char *name)
{
	struct capture c = {
		.target = "rtnl_route", .prefix = name, .hdrlen = sizeof(struct rtmsg), .max = 1
	};
	struct nlbuf b = { 0 };
	struct rtmsg *rtm = nlb_msg(&b, RTM_GETROUTE, 0, sizeof(*rtm));
	struct ipaddr d, s;
	const char *why;

	addr_parse(&d, dst, strlen(dst), false, &why);
	rtm->rtm_family = d.family;
	rtm->rtm_dst_len = (uint8_t)addr_bits(&d);
	rtm->rtm_flags = fibmatch ? RTM_F_FIB_MATCH : 0;
	nlb_put(&b, RTA_DST, d.b, addr_bytes(&d));
	if (src) {
		addr_parse(&s, src, strlen(src), false, &why);
		rtm->rtm_src_len = (uint8_t)addr_bits(&s);
		nlb_put(&b, RTA_SRC, s.b, addr_bytes(&s));
	}
	nl_request(nl, &b, keep, &c, NULL, 0);
	free(c.all.data);
	nlb_free(&b);
}

static void from_kernel(void)
{
	struct nl nl = { .fd = -1 };

	if (nl_open(&nl, NETLINK_ROUTE))
		die("netlink");
	dump(&nl, RTM_GETLINK, AF_UNSPEC, sizeof(struct ifinfomsg), "rtnl_link", 8);
	dump(&nl, RTM_GETADDR, AF_UNSPEC, sizeof(struct ifaddrmsg), "rtnl_addr", 12);
	dump(&nl, RTM_GETROUTE, AF_UNSPEC, sizeof(struct rtmsg), "rtnl_route", 40);
	dump(&nl, RTM_GETRULE, AF_UNSPEC, sizeof(struct fib_rule_hdr), "rtnl_rule", 24);
	route_get(&nl, "10.0.1.1", "10.0.1.14", false, "kernel-get");
	route_get(&nl, "10.0.1.1", NULL, true, "kernel-fibmatch");
	nl_close(&nl);
}

/* ---- made with railup's encoders ---- */

static void from_encoders(void)
{
	struct nlbuf b = { 0 };
	struct route r = { .table = 1000,
			   .metric = 5,
			   .protocol = RAILUP_PROTO,
			   .scope = RT_SCOPE_UNIVERSE,
			   .type = RTN_UNICAST,
			   .oif = 3 };
	struct rule ru = { .family = AF_INET,
			   .action = FR_ACT_TO_TBL,
			   .protocol = RAILUP_PROTO,
			   .priority = 1001,
			   .table = 101 };
	struct laddr la = { .ifindex = 3 };
	uint32_t devconf[IPV4_DEVCONF_MAX];
	struct ifinfomsg *ifi;
	size_t spec, inet;
	const char *why;

	addr_parse(&r.dst, "10.0.0.0/16", 11, true, &why);
	addr_parse(&r.gw, "10.0.1.1", 8, false, &why);
	addr_parse(&r.src, "10.0.1.14", 9, false, &why);
	rtnl_put_route(&b, RTM_NEWROUTE, NLM_F_CREATE, &r);
	put_msg("rtnl_route", "railup-gateway", nlb_get(&b, 0), sizeof(struct rtmsg));
	nlb_reset(&b);
	addr_parse(&r.dst, "[fd00:1::]/64", 13, true, &why);
	addr_parse(&r.gw, "[fe80::1]", 9, false, &why);
	r.src.family = 0;
	rtnl_put_route(&b, RTM_NEWROUTE, NLM_F_CREATE, &r);
	put_msg("rtnl_route", "railup-v6", nlb_get(&b, 0), sizeof(struct rtmsg));

	nlb_reset(&b);
	addr_parse(&ru.src, "10.0.1.14", 9, false, &why);
	rtnl_put_rule(&b, RTM_NEWRULE, NLM_F_CREATE, &ru);
	put_msg("rtnl_rule", "railup-rule", nlb_get(&b, 0), sizeof(struct fib_rule_hdr));
	nlb_reset(&b);
	ru.family = AF_INET6;
	addr_parse(&ru.src, "[fd00:1::14]", 12, false, &why);
	ru.table = 70000;
	rtnl_put_rule(&b, RTM_NEWRULE, NLM_F_CREATE, &ru);
	put_msg("rtnl_rule", "railup-rule-v6", nlb_get(&b, 0), sizeof(struct fib_rule_hdr));

	nlb_reset(&b);
	addr_parse(&la.a, "10.0.1.14/24", 12, true, &why);
	rtnl_put_addr(&b, RTM_NEWADDR, &la);
	put_msg("rtnl_addr", "railup-addr", nlb_get(&b, 0), sizeof(struct ifaddrmsg));
	nlb_reset(&b);
	addr_parse(&la.a, "[fd00:1::14]/64", 15, true, &why);
	rtnl_put_addr(&b, RTM_NEWADDR, &la);
	put_msg("rtnl_addr", "railup-addr-v6", nlb_get(&b, 0), sizeof(struct ifaddrmsg));

	/* A link message as the kernel answers it: name, address, IPv4 devconf array. */
	nlb_reset(&b);
	ifi = nlb_msg(&b, RTM_NEWLINK, NLM_F_MULTI, sizeof(*ifi));
	ifi->ifi_index = 3;
	ifi->ifi_flags = IFF_UP | IFF_RUNNING;
	nlb_put_str(&b, IFLA_IFNAME, "ib0");
	nlb_put(&b, IFLA_ADDRESS, "\x02\x00\x00\x00\x00\x01", 6);
	nlb_put_u8(&b, IFLA_OPERSTATE, 6);
	nlb_put_u8(&b, IFLA_CARRIER, 1);
	spec = nlb_nest(&b, IFLA_AF_SPEC);
	inet = nlb_nest(&b, AF_INET);
	for (unsigned k = 0; k < IPV4_DEVCONF_MAX; k++)
		devconf[k] = k % 3;
	nlb_put(&b, IFLA_INET_CONF, devconf, sizeof(devconf));
	nlb_nest_end(&b, inet);
	nlb_nest_end(&b, spec);
	put_msg("rtnl_link", "railup-devconf", nlb_get(&b, 0), sizeof(struct ifinfomsg));
	nlb_free(&b);
}

/* RDMA netlink replies, as the kernel's nldev answers them. */
static void rdma_dev(const char *name, uint32_t index, const char *proto, uint64_t guid)
{
	struct nlbuf b = { 0 };
	char file[64];

	nlb_msg(&b, NLDEV_TYPE(RDMA_NLDEV_CMD_GET), NLM_F_MULTI, 0);
	nlb_put_u32(&b, RDMA_NLDEV_ATTR_DEV_INDEX, index);
	nlb_put_str(&b, RDMA_NLDEV_ATTR_DEV_NAME, name);
	nlb_put_u32(&b, RDMA_NLDEV_ATTR_PORT_INDEX, 1);
	nlb_put(&b, RDMA_NLDEV_ATTR_NODE_GUID, &guid, sizeof(guid));
	nlb_put_str(&b, RDMA_NLDEV_ATTR_DEV_PROTOCOL, proto);
	nlb_put_str(&b, RDMA_NLDEV_ATTR_FW_VERSION, "16.35.2000");
	snprintf(file, sizeof(file), "dev-%s", name);
	put_msg("rdmanl_port", file, nlb_get(&b, 0), 0);
	nlb_free(&b);
}

static void rdma_port(const char *name, uint32_t index, uint32_t port, uint8_t state, uint32_t ndev,
		      const char *ndev_name)
{
	struct nlbuf b = { 0 };
	char file[64];

	nlb_msg(&b, NLDEV_TYPE(RDMA_NLDEV_CMD_PORT_GET), NLM_F_MULTI, 0);
	nlb_put_u32(&b, RDMA_NLDEV_ATTR_DEV_INDEX, index);
	nlb_put_str(&b, RDMA_NLDEV_ATTR_DEV_NAME, name);
	nlb_put_u32(&b, RDMA_NLDEV_ATTR_PORT_INDEX, port);
	nlb_put_u8(&b, RDMA_NLDEV_ATTR_PORT_STATE, state);
	nlb_put_u8(&b, RDMA_NLDEV_ATTR_PORT_PHYS_STATE, state == IB_PORT_ACTIVE ? 5 : 3);
	if (ndev) {
		nlb_put_u32(&b, RDMA_NLDEV_ATTR_NDEV_INDEX, ndev);
		nlb_put_str(&b, RDMA_NLDEV_ATTR_NDEV_NAME, ndev_name);
	}
	snprintf(file, sizeof(file), "port-%s-%u", name, port);
	put_msg("rdmanl_port", file, nlb_get(&b, 0), 0);
	nlb_free(&b);
}

/* RDMA CM events as GET_EVENT writes them. */
static void cm_event(const char *name, uint32_t event, int32_t status, size_t len)
{
	struct rdma_ucm_event_resp r;

	memset(&r, 0, sizeof(r));
	r.uid = 0x1234567800000002ull;
	r.id = 7;
	r.event = event;
	r.status = status;
	if (event == CM_CONNECT_REQUEST) {
		r.param.conn.private_data_len = 16;
		memcpy(r.param.conn.private_data, "railup-nonce-123", 16);
		r.param.conn.responder_resources = 1;
		r.param.conn.initiator_depth = 1;
	}
	put_file("cm_event", name, &r, len);
}

/* The ledger and the state file, written by railup itself. */
static void from_writers(void)
{
	char dir[] = "/tmp/railup-mkcorpus.XXXXXX", path[4096], buf[65536], line[1024];
	struct owned v[4] = { 0 };
	struct railmap m;
	const char *why;
	size_t n;
	FILE *f;

	if (!mkdtemp(dir))
		die("mkdtemp");
	v[0].kind = OWN_ADDR;
	strcpy(v[0].ifname, "ib0");
	addr_parse(&v[0].a, "10.0.1.14/24", 12, true, &why);
	v[1].kind = OWN_ADDR;
	strcpy(v[1].ifname, "ib1");
	addr_parse(&v[1].a, "[fd00:1::14]/64", 15, true, &why);
	v[2].kind = OWN_SYSCTL;
	v[2].key = SC_RP_FILTER;
	strcpy(v[2].ifname, "ib0");
	v[3].kind = OWN_SYSCTL;
	v[3].key = SC_ACCEPT_LOCAL;
	v[3].orig = 1;
	strcpy(v[3].ifname, "all");
	if (ledger_write(dir, v, 4))
		die("ledger_write");
	snprintf(path, sizeof(path), "%s/owned", dir);
	f = fopen(path, "r");
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	put_file("ledger", "written", buf, n);
	unlink(path);

	railmap_init(&m);
	if (config_from_text(&m, "rd.rail=ib0:10.0.1.14/24:10.0.1.1 rd.rail=ib1:10.0.2.14/24", 58,
			     NULL, 0) != CONFIG_OK)
		die("config");
	m.rail[0].st.phase = RAIL_VERIFIED;
	strcpy(m.rail[0].st.ibdev, "mlx5_0");
	m.rail[0].st.port = 1;
	rail_fail(&m.rail[1], "verify", "RDMA CM connect: REJECTED, reason 28 (it's 'quoted')");
	if (report_state_write(dir, &m, BOOT_DEGRADED))
		die("report_state_write");
	railmap_free(&m);
	snprintf(path, sizeof(path), "%s/state", dir);
	f = fopen(path, "r");
	n = 0;
	/* The time changes from run to run: a seed that does not. */
	while (fgets(line, sizeof(line), f) && n + sizeof(line) < sizeof(buf))
		n += (size_t)sprintf(buf + n, "%s",
				     strncmp(line, "RAILUP_TIME=", 12) ? line : "RAILUP_TIME=0\n");
	fclose(f);
	put_file("state", "written", buf, n);
	unlink(path);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkcorpus OUTDIR\n");
		return 2;
	}
	out = argv[1];
	from_kernel();
	from_encoders();
	rdma_dev("mlx5_0", 0, "roce", 0x0c42a10300b1c2d3ull);
	rdma_dev("ibp59s0", 3, "ib", 0x506b4b0300a1b2c3ull);
	rdma_port("mlx5_0", 0, 1, IB_PORT_ACTIVE, 3, "ib0");
	rdma_port("ibp59s0", 3, 1, 2, 0, NULL);
	rdma_port("rxe0", 5, 1, IB_PORT_ACTIVE, 4, "eth1");
	cm_event("addr-resolved", CM_ADDR_RESOLVED, 0, sizeof(struct rdma_ucm_event_resp));
	cm_event("route-error", CM_ROUTE_ERROR, -110, sizeof(struct rdma_ucm_event_resp));
	cm_event("connect-request", CM_CONNECT_REQUEST, 0, sizeof(struct rdma_ucm_event_resp));
	cm_event("rejected", CM_REJECTED, 28, sizeof(struct rdma_ucm_event_resp));
	cm_event("established", CM_ESTABLISHED, 0, offsetof(struct rdma_ucm_event_resp, param));
	cm_event("unknown", 99, 0, sizeof(struct rdma_ucm_event_resp));
	from_writers();
	printf("mkcorpus: %u seeds in %s\n", written, out);
	return 0;
}
