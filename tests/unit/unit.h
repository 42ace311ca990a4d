/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the unit tests share: the suites main.c runs, capturing log messages,
 * building rail maps from text and observed states by hand, reading plans,
 * temporary directories, and a stand-in for the kernel's end of a netlink
 * socket (a socket pair and a thread; no netlink socket, no privileges).
 *
 * Every helper works the same whether Check forks per test or not
 * (CK_FORK=no): state is set up by the checked fixtures below, not assumed.
 */
#ifndef RAILUP_UNIT_H
#define RAILUP_UNIT_H

#include <check.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "config.h"
#include "ledger.h"
#include "lock.h"
#include "log.h"
#include "netlink.h"
#include "plan.h"
#include "rail.h"
#include "rtnl.h"
#include "sysctl.h"
#include "text.h"
#include "tokens.h"
#include "udev.h"

/* The suites, one per stage. */
Suite *addr_suite(void);
Suite *alloc_suite(void);
Suite *log_suite(void);
Suite *config_suite(void);
Suite *rail_suite(void);
Suite *sysctl_suite(void);
Suite *netlink_suite(void);
Suite *rtnl_suite(void);
Suite *plan_suite(void);
Suite *ledger_suite(void);
Suite *lock_suite(void);
Suite *apply_suite(void);
Suite *verify_suite(void);
Suite *host_suite(void);
Suite *match_suite(void);
Suite *export_suite(void);
Suite *text_suite(void);
Suite *report_suite(void);
Suite *rdmanl_suite(void);
Suite *pmtu_suite(void);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* IFF_LOWER_UP: musl's <net/if.h> has it, glibc's (the host's, for these tests) not. */
#define LINK_LOWER_UP 0x10000

/* ---- log messages ---- */

#define LOGCAP_MAX 16
#define LOGCAP_LEN 1024

struct logcap {
	unsigned n;	 /* messages logged (more than LOGCAP_MAX are counted, not kept) */
	unsigned errors; /* those at LOG_ERR or worse */
	int level[LOGCAP_MAX];
	char msg[LOGCAP_MAX][LOGCAP_LEN];
};
extern struct logcap logcap;

/* A checked fixture: every message of the test goes to logcap. */
void logcap_setup(void);
void logcap_teardown(void);
void logcap_reset(void);
/* The first kept message containing needle, or NULL. */
const char *logcap_find(const char *needle);
/* The level of that message, or -1. */
int logcap_level(const char *needle);
/* Whether a message holds a raw control byte (a line break, an escape...). */
bool has_control_bytes(const char *s);

/* ---- addresses ---- */

/* "10.0.1.14/24", "10.0.1.1" (a host), "[fd00::1]/64", "fd00::1"; fails the test when bad. */
struct ipaddr ip(const char *s);
#define NOADDR ((struct ipaddr){ 0 })

/* ---- rail maps ---- */

/* railmap_init() and config_from_text() on NUL-terminated texts (NULL: none). */
enum config_result map_parse(struct railmap *m, const char *cmdline, const char *conf);
/* The same, failing the test unless CONFIG_OK. */
void map_ok(struct railmap *m, const char *cmdline, const char *conf);
/* A rail by name, failing the test when absent. */
const struct rail *rail_named(const struct railmap *m, const char *name);

/* A growing string (text.h's), for generated command lines and conf files. */
void text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void text_free(struct text *t);

/* ---- observed states, by hand ---- */

/* A link with every IPv4 value 0, MTU 1500; the pointer lives until the next obs_link(). */
struct link *obs_link(struct observed *o, int ifindex, const char *name, unsigned flags);
void obs_addr(struct observed *o, int ifindex, struct ipaddr a, uint8_t proto);
/* A unicast route; metric 0. */
struct route *obs_route(struct observed *o, uint32_t table, struct ipaddr dst, struct ipaddr gw,
			struct ipaddr src, int oif, uint8_t protocol, uint8_t scope);
/* "from SRC lookup TABLE priority P" (src family 0: from all). */
struct rule *obs_rule(struct observed *o, uint8_t family, uint32_t priority, struct ipaddr src,
		      uint32_t table, uint8_t protocol);
void obs_own_addr(struct observed *o, const char *ifname, struct ipaddr a);
void obs_own_sysctl(struct observed *o, const char *ifname, enum sysctl_key k, int orig);
void obs_own_mtu(struct observed *o, const char *ifname, int orig);
/* conf/all as the kernel holds it. */
void obs_all(struct observed *o, int rp_filter, int arp_ignore, int arp_announce, int arp_filter,
	     int accept_local);
/* Indexes what was built (observed_index, ledger_sort), as rtnl_observe() does. */
void obs_done(struct observed *o);

#define UP (IFF_UP | IFF_RUNNING | LINK_LOWER_UP)

/* The ifindex of rail i's link: 2 + the index of the first rail on that link. */
int rail_ifindex(const struct railmap *m, unsigned i);
/* The map's links, down, bare; conf/all and every value 0. */
void obs_fresh(struct observed *o, const struct railmap *m);
/*
 * Every rail of m as railup leaves it, the way the kernel reports it (IPv6
 * routes with scope universe), on links that were fresh: with ledger, the
 * ledger holds the addresses and the values railup changed from 0.
 */
void obs_converge(struct observed *o, const struct railmap *m, bool ledger);

/* ---- plans ---- */

#define ANY (-100) /* any op, any rail */

/* plan_print() into a string the caller frees. */
char *plan_text(const struct plan *p);
bool plan_has_line(const struct plan *p, const char *line);
unsigned plan_count(const struct plan *p, int op, int rail);
/* The nth change with op (and rail), or NULL. */
const struct change *plan_nth(const struct plan *p, int op, int rail, unsigned nth);
unsigned plan_problems(const struct plan *p, int rail, bool fatal);
const struct problem *plan_problem(const struct plan *p, int rail);
/* Fails the test unless the changes follow enum change_op. */
void assert_phase_order(const struct plan *p);

/* ---- temporary directories ---- */

/* A fresh directory under $TMPDIR (or /tmp); rm_tree() removes it and all in it. */
char *tmpdir_new(void);
void rm_tree(const char *dir);

/* A fresh directory per test, as a checked fixture: unit_dir while the test runs. */
extern char *unit_dir;
void unit_dir_setup(void);
void unit_dir_teardown(void);
/* unit_dir/name; free it. */
char *unit_path(const char *name);
/* unit_dir/name holds text. */
void unit_write(const char *name, const char *text);
/* The whole of unit_dir/name, NUL-terminated (64 KiB or more fails the test); free it. */
char *unit_read(const char *name);
/* Whether unit_dir/name exists, and its permission bits (the test fails if it does not). */
bool unit_exists(const char *name);
unsigned unit_mode(const char *name);
/* The entries of unit_dir/sub ("" for unit_dir itself), hidden ones too, . and .. not. */
unsigned unit_entries(const char *sub);

/* ---- a stand-in for the kernel ---- */

#define FAKE_STEPS_MAX 64

/* Fills reply with the answer to request number step (reply may stay empty). */
typedef void fake_reply_fn(unsigned step, const struct nlmsghdr *req, size_t len,
			   struct nlbuf *reply, void *arg);

struct fake {
	int fd; /* the kernel's end */
	pthread_t thread;
	unsigned steps;		/* requests to answer */
	volatile unsigned done; /* requests received */
	fake_reply_fn *reply;
	void *arg;
	char *req[FAKE_STEPS_MAX]; /* copies of the requests, as sent */
	size_t reqlen[FAKE_STEPS_MAX];
};

/*
 * Connects nl to a fake kernel answering up to steps requests. Sockets time
 * out after a few seconds so that a broken exchange fails instead of hanging.
 */
void fake_start(struct fake *f, struct nl *nl, unsigned steps, fake_reply_fn *fn, void *arg);
/* Closes nl, waits for the fake, frees its copies. */
void fake_stop(struct fake *f, struct nl *nl);
/* Starts a reply message: exact flags (no NLM_F_REQUEST), seq; returns its family header. */
void *reply_msg(struct nlbuf *r, uint16_t type, uint16_t flags, uint32_t seq, size_t hdrlen);
/*
 * An NLMSG_ERROR for req, as the kernel's netlink_ack() builds it: with the
 * request's payload unless capped, and the extended-ack message (msg not NULL).
 */
void reply_err(struct nlbuf *r, const struct nlmsghdr *req, int err, const char *msg, bool capped);
void reply_done(struct nlbuf *r, uint32_t seq);

#endif
