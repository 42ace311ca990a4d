// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "commands.h"
#include "config.h"
#include "log.h"
#include "plan.h"
#include "report.h"
#include "sysctl.h"
#include "verify.h"

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
	if (rtnl_observe(nl, m, o))
		return -1;
	if (ledger_read(opt->rundir, &o->owned, &o->nowned))
		log_warn("%s/owned: unreadable: treated as empty", opt->rundir);
	return 0;
}

/* Problems the planner found: a fatal one fails its rail, the rest are warnings. */
static void note_problems(struct railmap *m, const struct plan *p)
{
	for (unsigned i = 0; i < p->npb; i++) {
		const struct problem *pb = &p->pb[i];

		if (pb->rail >= 0 && pb->fatal)
			rail_fail(&m->rail[pb->rail], "plan", "%s", pb->msg);
		else if (pb->rail >= 0)
			log_warn("%s: %s", m->rail[pb->rail].name, pb->msg);
		else
			log_warn("%s", pb->msg);
	}
}

static bool required_failed(const struct railmap *m)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->rail[i].st.phase == RAIL_FAILED && m->rail[i].o.required)
			return true;
	return false;
}

static int up(const struct opts *opt, bool dry)
{
	struct railmap m;
	struct observed o = { 0 };
	struct plan p = { 0 };
	struct nl nl = { .fd = -1 };
	int ret = load(opt, &m);

	if (ret >= 0) {
		railmap_free(&m);
		return ret;
	}
	ret = EXIT_FAIL;
	if (observe(opt, &nl, &m, &o))
		goto out;
	plan_up(&m, &o, NULL, true, &p);
	note_problems(&m, &p);
	if (dry) {
		plan_print(stdout, &p);
	} else if (apply_plan(&nl, &m, &o, &p, opt->rundir) < 0) {
		goto out;
	} else {
		for (unsigned i = 0; i < m.n; i++)
			if (m.rail[i].st.phase != RAIL_FAILED)
				m.rail[i].st.phase = RAIL_CONFIGURED;
		report_outcome(&m);
	}
	if (dry) {
		for (unsigned i = 0; i < m.n; i++)
			if (m.rail[i].st.phase == RAIL_FAILED)
				log_msg(m.rail[i].o.required ? LOG_ERR : LOG_WARNING, "%s: %s",
					m.rail[i].name, m.rail[i].st.error);
	}
	ret = required_failed(&m) ? EXIT_FAIL : EXIT_OK;
out:
	plan_free(&p);
	observed_free(&o);
	nl_close(&nl);
	railmap_free(&m);
	return ret;
}

int cmd_apply(const struct opts *o)
{
	return up(o, false);
}

int cmd_plan(const struct opts *o)
{
	return up(o, true);
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
	if (!observe(opt, &nl, &m, &o)) {
		plan_down(&o, &p);
		failed = apply_plan(&nl, &m, &o, &p, opt->rundir);
		if (failed == 0) {
			log_notice("down: %u change%s", p.n, p.n == 1 ? "" : "s");
			ret = EXIT_OK;
		}
	}
	plan_free(&p);
	observed_free(&o);
	nl_close(&nl);
	railmap_free(&m);
	return ret;
}

int cmd_status(const struct opts *opt)
{
	struct railmap m;
	struct observed o = { 0 };
	struct nl nl = { .fd = -1 };
	struct rail_check *c = NULL;
	int ret = load(opt, &m);

	if (ret >= 0) {
		railmap_free(&m);
		return ret;
	}
	ret = EXIT_FAIL;
	if (!observe(opt, &nl, &m, &o)) {
		bool all_ok = true;

		c = xcalloc(m.n, sizeof(*c));
		for (unsigned i = 0; i < m.n; i++) {
			verify_audit(&m, &o, i, &c[i]);
			verify_decision(&nl, &o, &m.rail[i], &c[i]);
			all_ok &= c[i].ok;
		}
		report_status(stdout, &m, c, sysctl_rpfilter_drops(), opt->json);
		ret = all_ok ? EXIT_OK : EXIT_FAIL;
	}
	free(c);
	observed_free(&o);
	nl_close(&nl);
	railmap_free(&m);
	return ret;
}
