// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/capability.h>
#include <linux/rtnetlink.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "clock.h"
#include "commands.h"
#include "config.h"
#include "host.h"
#include "ledger.h"
#include "lock.h"
#include "log.h"
#include "match.h"
#include "modules.h"
#include "plan.h"
#include "rdmanl.h"
#include "report.h"
#include "sysctl.h"
#include "text.h"
#include "udev.h"
#include "verify.h"
#include "wait.h"

/*
 * Changing the network takes CAP_NET_ADMIN. Without it, uid 0 could still
 * write /proc/sys/net and leave a node half done: refuse before anything.
 */
static int can_change(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };

	if (syscall(SYS_capget, &h, d) == 0 && !(d[0].effective & (1u << CAP_NET_ADMIN))) {
		log_err("changing the network needs CAP_NET_ADMIN, which this process lacks");
		return -1;
	}
	return 0;
}

/* The map, or an exit status: bad input, or railup switched off. */
static int load(const struct opts *o, struct railmap *m)
{
	railmap_init(m);
	switch (config_load(m, o->cmdline, o->conf, o->conf_given)) {
	case CONFIG_BAD:
		return EXIT_BAD;
	case CONFIG_DISABLED:
		log_notice("disabled by rd.rail=0");
		return EXIT_OK;
	default:
		return -1;
	}
}

static int observe(const struct opts *opt, struct nl *nl, const struct railmap *m,
		   struct observed *o)
{
	int err = nl_open(nl, NETLINK_ROUTE);

	if (err) {
		log_err("netlink: %s", strerror(-err));
		return -1;
	}
	memset(o, 0, sizeof(*o));
	if (ledger_read(opt->rundir, &o->owned, &o->nowned))
		log_warn("%s/owned: unreadable: treated as empty", opt->rundir);
	return rtnl_observe(nl, m, o) ? -1 : 0;
}

/* Reads the node anew, when what was read before may have changed. */
static int observe_again(const struct opts *opt, struct nl *nl, const struct railmap *m,
			 struct observed *o)
{
	observed_free(o);
	nl_close(nl);
	return observe(opt, nl, m, o);
}

/* The RDMA devices' ports, when the kernel has RDMA (empty otherwise). */
static void rdma_ports(struct rdma_port **v, unsigned *n)
{
	struct nl rdma = { .fd = -1 };

	*v = NULL;
	*n = 0;
	if (!nl_open(&rdma, NETLINK_RDMA))
		rdmanl_ports(&rdma, v, n);
	nl_close(&rdma);
}

/* Whether any rail is found through its RDMA device (guid=, ibdev=). */
static bool needs_rdma(const struct railmap *m)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->rail[i].match.kind == MATCH_GUID || m->rail[i].match.kind == MATCH_IBDEV)
			return true;
	return false;
}

/*
 * Rails found by identity get their netdev; one that matches several fails,
 * one that matches none (yet) is absent: apply does not wait for NICs.
 */
static void identify(struct railmap *m, const struct observed *o)
{
	struct rdma_port *ports = NULL;
	unsigned n = 0;

	if (needs_rdma(m))
		rdma_ports(&ports, &n);
	match_rails(m, o, ports, n, RAIL_ABSENT);
	free(ports);
}

/*
 * Templated addresses get the node's host index. An index that does not fit
 * is bad input; one that cannot be found (yet) fails the templated rails.
 */
static int resolve_hosts(struct railmap *m, const struct observed *o)
{
	char why[160];
	uint64_t index;

	if (!railmap_has_templates(m))
		return 0;
	if (host_index(&m->host, o, &index, why, sizeof(why))) {
		for (unsigned i = 0; i < m->n; i++)
			if (m->rail[i].tmpl)
				rail_fail(&m->rail[i], "host", "%s", why);
		return 0;
	}
	if (railmap_resolve_hosts(m, index))
		return EXIT_BAD;
	log_info("host index %llu", (unsigned long long)index);
	return 0;
}

/* A flag per rail that has not stopped (failed, or absent): what is left to plan. */
static uint8_t *alive(const struct railmap *m)
{
	uint8_t *v = xcalloc(m->n, 1);

	for (unsigned i = 0; i < m->n; i++)
		v[i] = !rail_stopped(&m->rail[i]);
	return v;
}

/* Whether a rail's netdev is left down for udev, which may yet rename it. */
static bool held_for_udev(const struct railmap *m, const struct observed *o, const uint8_t *todo)
{
	for (unsigned i = 0; i < m->n; i++) {
		const struct link *l = todo[i] ? observed_link(o, rail_netdev(&m->rail[i])) : NULL;

		if (l && udev_holds(l))
			return true;
	}
	return false;
}

/*
 * Problems the planner found: a fatal one fails its rail (one about a netdev
 * not there yet leaves it absent, unless boot waited for it), the rest are
 * warnings.
 */
static void note_problems(struct railmap *m, const struct plan *p, bool waited)
{
	for (unsigned i = 0; i < p->npb; i++) {
		const struct problem *pb = &p->pb[i];

		if (pb->rail >= 0 && pb->later && !waited)
			rail_absent(&m->rail[pb->rail], "plan", "%s", pb->msg);
		else if (pb->rail >= 0 && pb->fatal)
			rail_fail(&m->rail[pb->rail], "plan", "%s", pb->msg);
		else if (pb->rail >= 0)
			log_warn("%s: %s", m->rail[pb->rail].name, pb->msg);
		else
			log_warn("%s", pb->msg);
	}
}

/* A required rail failed, or was left for later: not done either way. */
static bool required_failed(const struct railmap *m)
{
	for (unsigned i = 0; i < m->n; i++)
		if (rail_stopped(&m->rail[i]) && m->rail[i].o.required)
			return true;
	return false;
}

/*
 * The last boot's record of rail i: its name and address (a NIC may carry
 * two rails). Records are written in the map's order: look there first.
 */
static const struct boot_record *boot_of(const struct boot_record *b, unsigned n,
					 const struct rail *r, unsigned i)
{
	char a[ADDR_STRLEN];

	addr_fmt(&r->addr, true, a);
	if (i < n && !strcmp(b[i].name, r->name) && !strcmp(b[i].address, a))
		return &b[i];
	for (unsigned k = 0; k < n; k++)
		if (!strcmp(b[k].name, r->name) && !strcmp(b[k].address, a))
			return &b[k];
	return NULL;
}

/*
 * apply verifies no RDMA: a rail it left untouched keeps what the last boot
 * said of it (verified); the others are what apply made of them.
 */
static void keep_verified(const struct state_file *st, struct railmap *m, const struct plan *p)
{
	unsigned nb = 0;
	struct boot_record *b = report_state_records(st, &nb);
	uint8_t *changed = xcalloc(m->n, 1);

	for (unsigned i = 0; i < p->n; i++)
		if (p->ch[i].rail >= 0)
			changed[p->ch[i].rail] = 1;
	for (unsigned i = 0; i < m->n; i++) {
		const struct boot_record *r = boot_of(b, nb, &m->rail[i], i);

		if (m->rail[i].st.phase == RAIL_CONFIGURED && !changed[i] && r &&
		    !strcmp(r->phase, "verified"))
			m->rail[i].st.phase = RAIL_VERIFIED;
	}
	free(changed);
	free(b);
}

enum up_mode { UP_PLAN, UP_APPLY, UP_WATCH };

static void watch_metrics(const struct opts *opt, struct nl *nl, struct railmap *m,
			  struct observed *o, bool changed);

/* What a watch round puts back, the first few changes of it. */
static void say_changes(const struct plan *p)
{
	char what[200];

	for (unsigned i = 0; i < p->n && i < 8; i++) {
		change_describe(&p->ch[i], what, sizeof(what));
		log_notice("watch: %s", what);
	}
	if (p->n > 8)
		log_notice("watch: and %u more changes", p->n - 8);
}

static int up(const struct opts *opt, enum up_mode mode)
{
	bool dry = mode == UP_PLAN;
	struct railmap m;
	struct observed o = { 0 };
	struct plan p = { 0 };
	struct nl nl = { .fd = -1 };
	struct state_file st = { 0 };
	uint8_t *todo = NULL;
	int ret = load(opt, &m), global_failed = 0;
	enum lock_state lock;

	if (ret >= 0) {
		railmap_free(&m);
		return mode == UP_WATCH && ret == EXIT_OK ? EXIT_OFF : ret;
	}
	ret = EXIT_FAIL;
	if (!dry && can_change())
		goto out;
	lock = dry ? LOCK_HELD : lock_take(opt->rundir, false);
	if (observe(opt, &nl, &m, &o))
		goto out;
	if (resolve_hosts(&m, &o)) {
		ret = EXIT_BAD;
		goto out;
	}
	/* Another first run took the lock before this one made it: it may have changed the node. */
	if (lock == LOCK_NONE && lock_take(opt->rundir, true) == LOCK_LATE &&
	    observe_again(opt, &nl, &m, &o))
		goto out;
	identify(&m, &o);
	/* apply does not wait: a netdev udev may yet rename is boot's to wait for. */
	udev_observe(&o, &m);
	todo = alive(&m);
	plan_up(&m, &o, todo, true, &p);
	/*
	 * The state, read once: for the rails it keeps verified and for the
	 * compare before writing. An idle watch round needs neither.
	 */
	if (!dry && (mode != UP_WATCH || p.n))
		report_state_load(opt->rundir, &st);
	/*
	 * watch says nothing when there is nothing to do, and undoes no down;
	 * udev ending its work with a netdev is no event it would hear.
	 */
	if (mode == UP_WATCH && (!p.n || report_state_by(&st, "down"))) {
		ret = held_for_udev(&m, &o, todo) ? EXIT_UDEV : EXIT_IDLE;
		goto metrics;
	}
	if (mode == UP_WATCH)
		say_changes(&p);
	note_problems(&m, &p, false);
	if (dry) {
		plan_print(stdout, &p);
		for (unsigned i = 0; i < m.n; i++)
			report_stopped(&m.rail[i]);
	} else {
		/* What belongs to no rail (conf/all as the map asks) failing fails apply too. */
		global_failed = apply_plan(&nl, &m, &o, &p);
		apply_save(&m, &o, opt->rundir);
		for (unsigned i = 0; i < m.n; i++)
			if (!rail_stopped(&m.rail[i]))
				m.rail[i].st.phase = RAIL_CONFIGURED;
		keep_verified(&st, &m, &p);
		if (mode != UP_WATCH)
			report_outcome(&m);
		for (unsigned i = 0; mode == UP_WATCH && i < m.n; i++)
			report_stopped(&m.rail[i]);
		if (report_state_write(opt->rundir, &st, &m, report_result(&m, RAIL_CONFIGURED),
				       mode == UP_WATCH ? "watch" : "apply"))
			log_warn("%s/state: %s", opt->rundir, strerror(errno));
	}
	ret = required_failed(&m) || global_failed ? EXIT_FAIL : EXIT_OK;
metrics:
	/* watch keeps the metrics current: a rail's link lost shows there at once. */
	if (mode == UP_WATCH && (*m.metrics || opt->metrics))
		watch_metrics(opt, &nl, &m, &o, ret != EXIT_IDLE && ret != EXIT_UDEV);
out:
	report_state_free(&st);
	free(todo);
	plan_free(&p);
	observed_free(&o);
	nl_close(&nl);
	railmap_free(&m);
	return ret;
}

int cmd_apply(const struct opts *o)
{
	return up(o, UP_APPLY);
}

int cmd_plan(const struct opts *o)
{
	return up(o, UP_PLAN);
}

int cmd_apply_round(const struct opts *o)
{
	return up(o, UP_WATCH);
}

bool cmd_may_change(void)
{
	return !can_change();
}

int cmd_down(const struct opts *opt)
{
	struct railmap m;
	struct observed o = { 0 };
	struct plan p = { 0 };
	struct nl nl = { .fd = -1 };
	int ret = EXIT_FAIL, failed;

	/* Whatever the map says now: railup's objects are found by their marks and the ledger. */
	railmap_init(&m);
	if (can_change())
		goto out;
	lock_take(opt->rundir, true);
	if (!observe(opt, &nl, &m, &o)) {
		plan_down(&o, &p);
		failed = apply_plan(&nl, &m, &o, &p);
		apply_save(&m, &o, opt->rundir);
		if (failed == 0) {
			log_notice("down: %u change%s", p.n, p.n == 1 ? "" : "s");
			ret = EXIT_OK;
		}
		/* No rails: and watch keeps it so until an apply or a boot. */
		if (report_state_write(opt->rundir, NULL, &m, BOOT_DISABLED, "down"))
			log_warn("%s/state: %s", opt->rundir, strerror(errno));
	}
out:
	plan_free(&p);
	observed_free(&o);
	nl_close(&nl);
	railmap_free(&m);
	return ret;
}

/* Every rail checked as status sees it, with what the last boot said of it. */
struct survey {
	struct rail_check *c;
	struct plan global;		 /* what applying the map would change beyond its rails */
	const struct boot_record **boot; /* per rail, NULL: no record */
	struct boot_record *records;
	unsigned nrecords;
	long long rp_drops;
	bool all_ok, required_ok;
};

static void survey(const struct opts *opt, struct nl *nl, struct railmap *m,
		   const struct observed *o, struct survey *s)
{
	struct rdma_port *ports;
	struct state_file st;
	uint8_t *none;
	unsigned np;

	rdma_ports(&ports, &np);
	match_rails(m, o, ports, np, RAIL_FAILED);
	report_state_load(opt->rundir, &st);
	s->records = report_state_records(&st, &s->nrecords);
	report_state_free(&st);
	s->boot = xcalloc(m->n, sizeof(*s->boot));
	s->c = xcalloc(m->n, sizeof(*s->c));
	s->all_ok = s->required_ok = true;
	for (unsigned i = 0; i < m->n; i++) {
		struct rail_check *c = &s->c[i];

		verify_audit(m, o, i, c);
		if (c->link)
			match_ident(c->link, ports, np, &c->id);
		verify_decision(nl, o, &m->rail[i], c);
		s->boot[i] = boot_of(s->records, s->nrecords, &m->rail[i], i);
		if (s->boot[i] && !strcmp(s->boot[i]->phase, "failed") && c->ok) {
			c->ok = false;
			snprintf(c->why, sizeof(c->why), "at boot: %.15s: %.170s",
				 s->boot[i]->stage, s->boot[i]->error);
		}
		s->all_ok &= c->ok;
		s->required_ok &= c->ok || !m->rail[i].o.required;
	}
	s->rp_drops = sysctl_rpfilter_drops();
	free(ports);
	/* The map as a whole is in place when its own part (conf/all, no leftovers) plans empty. */
	none = xcalloc(m->n, 1);
	plan_up(m, o, none, true, &s->global);
	free(none);
	for (unsigned i = 0; i < s->global.n; i++)
		if (s->global.ch[i].op != CH_FORGET)
			s->all_ok = false;
}

static void survey_free(struct survey *s)
{
	plan_free(&s->global);
	free(s->c);
	free(s->boot);
	free(s->records);
}

/* The node_exporter textfile, when --metrics or rd.rail.metrics= names one. */
static void write_metrics(const struct opts *opt, const struct railmap *m, const struct survey *s)
{
	const char *path = opt->metrics ? opt->metrics : m->metrics;

	if (*path && report_metrics_write(path, m, s->c, s->boot, s->rp_drops))
		log_warn("%s: %s", path, strerror(errno));
}

/* The metrics after a watch round, of the kernel's state as the round left it. */
static void watch_metrics(const struct opts *opt, struct nl *nl, struct railmap *m,
			  struct observed *o, bool changed)
{
	struct survey s = { 0 };

	if (changed && observe_again(opt, nl, m, o))
		return;
	survey(opt, nl, m, o, &s);
	write_metrics(opt, m, &s);
	survey_free(&s);
}

/* The map and the kernel's state, ready for a survey; or an exit status. */
static int prepare(const struct opts *opt, struct nl *nl, struct railmap *m, struct observed *o)
{
	int ret = load(opt, m);

	if (ret >= 0)
		return ret;
	if (observe(opt, nl, m, o))
		return EXIT_FAIL;
	return resolve_hosts(m, o) ? EXIT_BAD : -1;
}

int cmd_status(const struct opts *opt)
{
	struct railmap m;
	struct observed o = { 0 };
	struct nl nl = { .fd = -1 };
	struct survey s = { 0 };
	int ret = prepare(opt, &nl, &m, &o);

	if (ret < 0) {
		survey(opt, &nl, &m, &o, &s);
		report_status(stdout, &m, s.c, (const struct boot_record *const *)s.boot, &s.global,
			      s.rp_drops, opt->json);
		write_metrics(opt, &m, &s);
		ret = s.all_ok ? EXIT_OK : EXIT_FAIL;
		survey_free(&s);
	}
	observed_free(&o);
	nl_close(&nl);
	railmap_free(&m);
	return ret;
}

/* Passes messages on to the usual path, keeping the first error. */
struct first_error {
	char msg[300];
};

static void keep_first_error(int level, const char *msg, void *arg)
{
	struct first_error *fe = arg;

	if (level <= LOG_ERR && !fe->msg[0])
		text_copy(fe->msg, sizeof(fe->msg), msg);
	log_set_sink(NULL, NULL);
	log_msg(level, "%s", msg);
	log_set_sink(keep_first_error, fe);
}

/*
 * One line and an exit status for monitors (a Slurm HealthCheckProgram, say):
 * 0 when every required rail is right, 1 when one is not.
 */
int cmd_health(const struct opts *opt)
{
	struct railmap m;
	struct observed o = { 0 };
	struct nl nl = { .fd = -1 };
	struct survey s = { 0 };
	struct first_error fe = { 0 };
	unsigned ok = 0, first;
	int ret;

	/* A monitor reads stdout: a broken map must say so there too. */
	log_set_sink(keep_first_error, &fe);
	ret = prepare(opt, &nl, &m, &o);
	log_set_sink(NULL, NULL);
	first = m.n;
	if (ret == EXIT_BAD)
		printf("railup: invalid rail map: %s\n", fe.msg);
	if (ret < 0) {
		survey(opt, &nl, &m, &o, &s);
		for (unsigned i = 0; i < m.n; i++) {
			ok += s.c[i].ok;
			if (!s.c[i].ok && first == m.n && m.rail[i].o.required)
				first = i;
		}
		if (first < m.n) {
			printf("railup: %s: %s (%u of %u rails ok)\n", m.rail[first].name,
			       s.c[first].why, ok, m.n);
		} else if (!s.required_ok) {
			char what[200];

			change_describe(&s.global.ch[0], what, sizeof(what));
			printf("railup: the map is not in place: %s pending (%u of %u rails ok)\n",
			       what, ok, m.n);
		} else
			printf("railup: ok: %u of %u rails ok\n", ok, m.n);
		write_metrics(opt, &m, &s);
		ret = s.required_ok ? EXIT_OK : EXIT_FAIL;
		survey_free(&s);
	} else if (ret == EXIT_OK) {
		printf("railup: disabled\n");
	}
	observed_free(&o);
	nl_close(&nl);
	railmap_free(&m);
	return ret;
}

struct boot {
	struct nl nl;
	struct observed o;
	const struct opts *opt;
	bool unsaved; /* applied since the last apply_save() */
};

/* Drops the changes of the rails that failed: they get nothing. */
static void drop_failed(const struct railmap *m, struct plan *p)
{
	unsigned keep = 0;

	for (unsigned i = 0; i < p->n; i++)
		if (p->ch[i].rail < 0 || m->rail[p->ch[i].rail].st.phase != RAIL_FAILED)
			p->ch[keep++] = p->ch[i];
	p->n = keep;
}

/* Rails are ready: configure them now, not at the deadline. */
static void configure_ready(struct railmap *m, const uint8_t *rails, void *arg)
{
	struct boot *b = arg;
	struct plan p = { 0 };

	plan_up(m, &b->o, rails, false, &p);
	/* Gone again since it was ready: boot waited for it, so it failed. */
	note_problems(m, &p, true);
	drop_failed(m, &p);
	apply_plan(&b->nl, m, &b->o, &p);
	b->unsaved = true;
	for (unsigned i = 0; i < m->n; i++) {
		struct rail *r = &m->rail[i];

		if (!rails[i] || r->st.phase == RAIL_FAILED)
			continue;
		r->st.phase = RAIL_CONFIGURED;
		log_info("%s: configured (table %u, priority %u)", r->name, r->o.table,
			 r->o.priority);
	}
	plan_free(&p);
}

/*
 * Rails whose netdevs turned up, before boot brings their links up: their
 * interface values (MTU, sysctls) now, as apply sets them before anything
 * else, so that no rail's link answers ARP for another rail's address, or
 * takes a router advertisement, with the kernel's defaults, and each comes
 * up with its MTU. The rest waits for readiness, and the problems for
 * configure_one to note.
 */
static void values_first(struct railmap *m, const uint8_t *rails, void *arg)
{
	struct boot *b = arg;
	struct plan p = { 0 };

	plan_up(m, &b->o, rails, false, &p);
	plan_keep(&p, PLAN_VALUES);
	apply_plan(&b->nl, m, &b->o, &p);
	b->unsaved = true;
	plan_free(&p);
}

/* The rails handed on together are configured: the run directory says so now. */
static void save_batch(struct railmap *m, void *arg)
{
	struct boot *b = arg;

	if (b->unsaved)
		apply_save(m, &b->o, b->opt->rundir);
	b->unsaved = false;
}

static void verify_all(struct boot *b, struct railmap *m)
{
	struct rdma_port *ports;
	unsigned nports;

	rdma_ports(&ports, &nports);
	/* Verify what the kernel holds now, as status would see it. */
	observed_free(&b->o);
	if (observe(b->opt, &b->nl, m, &b->o)) {
		free(ports);
		return;
	}
	for (unsigned i = 0; i < m->n; i++)
		if (m->rail[i].st.phase == RAIL_CONFIGURED)
			verify_rail(&b->nl, &b->o, ports, nports, m, &m->rail[i]);
	free(ports);
}

static int signal_result(const struct opts *opt, struct railmap *m, enum boot_result res)
{
	char status[200];
	unsigned verified = 0;

	for (unsigned i = 0; i < m->n; i++)
		verified += m->rail[i].st.phase == RAIL_VERIFIED;
	if (m->n)
		report_outcome(m);
	if (report_state_write(opt->rundir, NULL, m, res, "boot"))
		log_warn("%s/state: %s", opt->rundir, strerror(errno));
	snprintf(status, sizeof(status), "%s: %u of %u rails verified", report_result_name(res),
		 verified, m->n);
	report_notify(status);
	return res == BOOT_FAILED ? EXIT_FAIL : res == BOOT_INVALID ? EXIT_BAD : EXIT_OK;
}

/*
 * In a PXE boot the address a templated map takes its host index from
 * (rd.rail.host=addr:IF, bootif) comes from DHCP, which may not have
 * answered yet when railup starts: the kernel's state is read again on
 * each link or address event until the index can be had or timeout_ms
 * has passed. Every rail waits meanwhile (their plans need the index), so
 * boot gives this half of its deadline at most: the rails not templated
 * keep the rest. -1 when the state could not be read.
 */
static int observe_host(struct boot *b, const struct railmap *m, unsigned timeout_ms)
{
	uint64_t start = clock_ms(), index;
	char why[160];
	int fd = -1, ret = 0;

	/* Nothing to wait for without a BOOTIF= naming the NIC. */
	if (!railmap_has_templates(m) ||
	    (m->host.source != HOST_ADDR && (m->host.source != HOST_BOOTIF || !m->host.bootif_len)))
		return 0;
	while (host_index(&m->host, &b->o, &index, why, sizeof(why))) {
		if (fd < 0) {
			fd = wait_events_open(RTMGRP_LINK | RTMGRP_IPV4_IFADDR);
			if (fd < 0) {
				log_warn("address events: %s: not waiting for the host index",
					 strerror(errno));
				break;
			}
			log_info("waiting for the host index: %s", why);
		} else if (!wait_event(fd, start + timeout_ms)) {
			break;
		}
		/* Read anew: what changed since the socket was opened is not missed. */
		if (observe_again(b->opt, &b->nl, m, &b->o)) {
			ret = -1;
			break;
		}
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

/*
 * The boot pipeline: modules, what belongs to no rail, then each rail as
 * soon as it is ready, then verification, then the verdict for the rest of
 * the boot (exit status, kernel log, state file, sd_notify).
 */
int cmd_boot(const struct opts *opt)
{
	struct boot b = { .nl = { .fd = -1 }, .opt = opt };
	const struct wait_hooks hooks = {
		.found = values_first, .ready = configure_ready, .settled = save_batch, .arg = &b
	};
	struct railmap m;
	struct plan p = { 0 };
	uint8_t *none;
	uint64_t since;
	int ret = load(opt, &m);

	if (ret >= 0) {
		/* A map that did not parse has no rails to report, only its verdict. */
		railmap_free(&m);
		ret = signal_result(opt, &m, ret == EXIT_BAD ? BOOT_INVALID : BOOT_DISABLED);
		railmap_free(&m);
		return ret;
	}
	if (can_change()) {
		for (unsigned i = 0; i < m.n; i++)
			rail_fail(&m.rail[i], "start", "no CAP_NET_ADMIN");
		goto verdict;
	}
	modules_load(&m);
	/* An invalid map's verdict is written to the run directory anyway. */
	lock_take(opt->rundir, true);
	since = clock_ms();
	if (observe(opt, &b.nl, &m, &b.o) || observe_host(&b, &m, m.timeout_ms / 2)) {
		for (unsigned i = 0; i < m.n; i++)
			rail_fail(&m.rail[i], "observe", "cannot read the kernel's state");
	} else if (resolve_hosts(&m, &b.o)) {
		railmap_free(&m);
		ret = signal_result(opt, &m, BOOT_INVALID);
		goto out;
	} else {
		none = xcalloc(m.n, 1);
		plan_up(&m, &b.o, none, true, &p);
		note_problems(&m, &p, true);
		apply_plan(&b.nl, &m, &b.o, &p);
		apply_save(&m, &b.o, opt->rundir);
		free(none);
		/* One deadline for the whole wait, the host index's included. */
		wait_rails(&b.nl, &m, &b.o, since + m.timeout_ms, &hooks);
		verify_all(&b, &m);
	}
verdict:
	ret = signal_result(opt, &m, report_result(&m, RAIL_VERIFIED));
	if (*m.metrics || opt->metrics) {
		struct survey sv = { 0 };

		observed_free(&b.o);
		if (!observe(opt, &b.nl, &m, &b.o)) {
			survey(opt, &b.nl, &m, &b.o, &sv);
			write_metrics(opt, &m, &sv);
			survey_free(&sv);
		}
	}
out:
	plan_free(&p);
	observed_free(&b.o);
	nl_close(&b.nl);
	railmap_free(&m);
	return ret;
}
