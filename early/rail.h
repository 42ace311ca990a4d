/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rail model: one struct rail per NIC and the map that holds them. The
 * parser fills it, railmap_finalize() completes and checks it, and every
 * later stage (planning, waiting, verifying, reporting) reads it and records
 * its outcome in the rail's state.
 */
#ifndef RAILUP_RAIL_H
#define RAILUP_RAIL_H

#include <net/if.h>
#include <stdint.h>

#include "addr.h"

/* rtm_protocol and FRA_PROTOCOL of everything railup installs. */
#define RAILUP_PROTO 114
#define RAILS_MAX    4096

/* Per-interface settings railup manages (net.ipv4.conf.*, net.ipv6.conf.*). */
enum sysctl_key {
	SC_RP_FILTER,
	SC_ARP_IGNORE,
	SC_ARP_ANNOUNCE,
	SC_ARP_FILTER,
	SC_ACCEPT_LOCAL,
	SC_KEEP_ADDR_ON_DOWN, /* IPv6 */
	SC_ACCEPT_RA,	      /* IPv6 */
	SC_COUNT
};
#define SC_UNSET (-1) /* not managed: railup leaves the value alone */

/* Options a rail takes as ",key=value"; the same keys as rd.rail.<key> set defaults. */
enum rail_opt {
	OPT_TABLE,
	OPT_PRIORITY,
	OPT_FABRIC,
	OPT_REQUIRED,
	OPT_VERIFY,
	OPT_RXE,
	OPT_MTU,
	OPT_PMTU,
	OPT_SYSCTL, /* OPT_SYSCTL + enum sysctl_key */
	OPT_COUNT = OPT_SYSCTL + SC_COUNT
};

struct rail_opts {
	uint32_t set; /* bit per enum rail_opt given explicitly */
	uint32_t table, priority;
	struct ipaddr fabric;
	uint8_t required, verify, rxe;
	uint32_t mtu; /* 0: left alone */
	/* Boot pings pmtu_to (family 0: the gateway) at the netdev's MTU (pmtu.h). */
	uint8_t pmtu;
	struct ipaddr pmtu_to;
	int8_t sysctl[SC_COUNT];
};

/* What mtu= takes; an IPv6 rail's interface needs IPV6_MIN_MTU at least. */
#define MTU_MIN	 68
#define MTU_MAX	 65535
#define MTU_IPV6 1280

/* How a rail finds its netdev. By name unless an identity is given. */
enum match_kind { MATCH_NAME, MATCH_MAC, MATCH_PCI, MATCH_GUID, MATCH_IBDEV };

struct rail_match {
	enum match_kind kind;
	uint8_t mac[20], maclen;
	char pci[16];	/* 0000:3b:00.0 */
	uint64_t guid;	/* host order */
	char ibdev[64]; /* RDMA device name */
	uint8_t port;	/* 0: any */
};

/* Where a rail stands; it only moves forward, or to FAILED. */
enum rail_phase {
	RAIL_PENDING,
	RAIL_ABSENT,	 /* its netdev is not (yet) there to configure: left for boot */
	RAIL_READY,	 /* present, up, carrier (and RDMA port ACTIVE) */
	RAIL_CONFIGURED, /* tables, rule and sysctls in place */
	RAIL_VERIFIED,
	RAIL_FAILED,
};

struct rail_state {
	enum rail_phase phase;
	int ifindex;
	char ifname[IFNAMSIZ];
	char ibdev[64];
	uint8_t port;
	const char *stage; /* where it failed */
	char error[200];   /* why, one line */
};

struct rail {
	char name[IFNAMSIZ]; /* the label; also the netdev name when matched by name */
	struct ipaddr addr;  /* with the subnet's prefix length */
	bool tmpl;	     /* addr is a base: the node's host index is added (base+/plen) */
	struct ipaddr gw;    /* family 0: none */
	struct rail_opts o;  /* complete after railmap_finalize() */
	struct rail_match match;
	char *token; /* as written, for messages */
	char *where; /* its source: "/proc/cmdline", "FILE:LINE" */
	struct rail_state st;
};

/* Settings only the map as a whole takes (rd.rail.<key>). */
enum map_opt {
	MOPT_TIMEOUT,
	MOPT_VERIFY_TIMEOUT,
	MOPT_MODULES,
	MOPT_PROFILE,
	MOPT_POLICY,
	MOPT_HOST,
	MOPT_METRICS,
	MOPT_ALL,
	MOPT_COUNT = MOPT_ALL + SC_COUNT
};

enum profile { PROFILE_ROCE, PROFILE_IPOIB };

/* What the boot does when a required rail fails; railup reports, the hooks act. */
enum policy { POLICY_CONTINUE, POLICY_HALT };

/* Where the node's host index for templated addresses comes from (rd.rail.host=). */
enum host_source { HOST_NONE, HOST_NUMBER, HOST_HOSTNAME, HOST_ADDR, HOST_BOOTIF };

struct host_spec {
	uint8_t source;
	uint64_t number;       /* HOST_NUMBER */
	char ifname[IFNAMSIZ]; /* HOST_ADDR */
	uint8_t bootif[20];    /* BOOTIF= from the command line, as PXE loaders pass it */
	uint8_t bootif_len;
};

#define MODULES_MAX 512

struct railmap {
	struct rail *rail;
	unsigned n, cap;
	int disabled;		    /* rd.rail=0 (1), rd.rail=1 (0), neither (-1) */
	struct rail_opts def;	    /* rd.rail.<opt>: defaults; table and priority are bases */
	uint32_t mset;		    /* bit per enum map_opt given explicitly */
	unsigned timeout_ms;	    /* waiting for the rails, in all */
	unsigned verify_timeout_ms; /* verifying one rail, retries included */
	char modules[MODULES_MAX];  /* comma-separated */
	uint8_t profile;
	uint8_t policy;
	struct host_spec host;
	char metrics[256];    /* node_exporter textfile boot and status write; "" none */
	int8_t all[SC_COUNT]; /* targets for net.ipv4.conf.all */
};

#define DEFAULT_TABLE	       101
#define DEFAULT_PRIORITY       1001
#define DEFAULT_TIMEOUT	       60000
#define DEFAULT_VERIFY_TIMEOUT 10000
#define DEFAULT_MODULES	       "mlx5_core,mlx5_ib,ib_ipoib,rdma_ucm"

void railmap_init(struct railmap *m);
void railmap_free(struct railmap *m);
/* Room for n rails in all: a map that knows its size grows no copies on the way. */
void railmap_reserve(struct railmap *m, unsigned n);
struct rail *railmap_add(struct railmap *m);

/* The profile's value for a rail (per_rail) or for conf/all. */
int profile_sysctl(enum profile p, enum sysctl_key k, int per_rail);

/*
 * Fills every rail's unset options from the map's defaults and the profile,
 * numbers tables and priorities, and checks the whole map (reserved and
 * duplicate tables, duplicate names and addresses, gateways outside the
 * subnet, settings that contradict each other). On the first problem logs
 * one line quoting the token and returns -1.
 */
int railmap_finalize(struct railmap *m);

const struct rail *railmap_by_name(const struct railmap *m, const char *name);

/*
 * Puts the node's host index into every templated address and checks the
 * results as railmap_finalize() checks plain ones. -1 (logged, quoting the
 * token) when an index does not fit its prefix or makes a bad address.
 */
int railmap_resolve_hosts(struct railmap *m, uint64_t index);
bool railmap_has_templates(const struct railmap *m);

/* Records a rail's failure at a stage (the first one sticks). */
void rail_fail(struct rail *r, const char *stage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Records why a rail is left for later (RAIL_ABSENT); a failure still wins. */
void rail_absent(struct rail *r, const char *stage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Failed, or left for later: nothing more is done with it in this run. */
bool rail_stopped(const struct rail *r);
const char *rail_phase_name(enum rail_phase p);
/* The rail's netdev: the one found by identity, or the one its label names. */
const char *rail_netdev(const struct rail *r);

#endif
