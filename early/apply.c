// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "log.h"
#include "sysctl.h"
#include "text.h"

struct run {
	struct railmap *m;
	const struct observed *before;
	const struct plan *p;
	unsigned *msg_change; /* batch message -> change */
	uint8_t *failed;      /* per change */
	uint8_t *unknown;     /* per change: its answer was lost */
	int failures, global_failures;
};

static void fail_change(struct run *run, unsigned ci, int err, const char *kmsg)
{
	const struct change *c = &run->p->ch[ci];
	char what[200];

	run->failed[ci] = 1;
	run->failures++;
	run->global_failures += c->rail < 0;
	change_describe(c, what, sizeof(what));
	if (c->rail < 0) {
		log_err("%s: %s%s%s", what, strerror(-err), *kmsg ? ": " : "", kmsg);
		return;
	}
	for (unsigned i = 0; i < run->m->n; i++) {
		struct rail *r = &run->m->rail[i];

		/* An MTU is the NIC's: its IPv4 and IPv6 rail (one change for both) fail alike. */
		if ((int)i == c->rail ||
		    (c->op == CH_MTU && !strcmp(rail_netdev(r), c->ifname) && !rail_stopped(r)))
			rail_fail(r, "apply", "%s: %s%s%s", what, strerror(-err), *kmsg ? ": " : "",
				  kmsg);
	}
}

static void batch_failed(unsigned i, int err, const char *msg, void *arg)
{
	struct run *run = arg;
	const struct change *c = &run->p->ch[run->msg_change[i]];

	/*
	 * Someone (or an earlier, interrupted run, or the kernel itself: deleting
	 * an address flushes the routes using it) got there first.
	 */
	if (err == -EEXIST && (c->op == CH_ADDR_ADD || c->op == CH_LINK_UP))
		return;
	if ((err == -ESRCH || err == -ENOENT || err == -EADDRNOTAVAIL) &&
	    (c->op == CH_ROUTE_DEL || c->op == CH_RULE_DEL || c->op == CH_ADDR_DEL))
		return;
	if (err == -ENOBUFS) {
		run->unknown[run->msg_change[i]] = 1;
		return;
	}
	fail_change(run, run->msg_change[i], err, msg);
}

static bool encode(struct nlbuf *b, const struct change *c)
{
	switch (c->op) {
	case CH_MTU:
		rtnl_put_link_mtu(b, c->ifindex, c->mtu);
		return true;
	case CH_LINK_UP:
		rtnl_put_link_up(b, c->ifindex);
		return true;
	case CH_ADDR_ADD:
		rtnl_put_addr(b, RTM_NEWADDR, &c->addr);
		return true;
	case CH_ADDR_DEL:
		rtnl_put_addr(b, RTM_DELADDR, &c->addr);
		return true;
	case CH_RULE_ADD:
		/*
		 * No NLM_F_EXCL: the plan adds only rules its dump did not show,
		 * and the kernel's check walks every rule for each one added. A
		 * copy a concurrent writer raced in goes at the next plan.
		 */
		rtnl_put_rule(b, RTM_NEWRULE, NLM_F_CREATE, &c->rule);
		return true;
	case CH_RULE_DEL:
		rtnl_put_rule(b, RTM_DELRULE, 0, &c->rule);
		return true;
	case CH_ROUTE_ADD:
		rtnl_put_route(b, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &c->route);
		return true;
	case CH_ROUTE_REPLACE:
		rtnl_put_route(b, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, &c->route);
		return true;
	case CH_ROUTE_DEL:
		rtnl_put_route(b, RTM_DELROUTE, 0, &c->route);
		return true;
	}
	return false;
}

/* How many of railup's rules are the rule u (a racing writer can leave copies). */
static unsigned rule_copies(const struct observed *o, const struct rule *u)
{
	const struct rule *e = observed_rules_at(o, u->priority);
	unsigned n = 0;

	for (; e && e < o->rule + o->nrule && e->priority == u->priority; e++)
		n += rule_same(e, u) && e->protocol == RAILUP_PROTO;
	return n;
}

/* Whether the kernel's state now shows the change done. */
static bool took_effect(const struct change *c, const struct observed *before,
			const struct observed *now)
{
	const struct link *l = observed_link_by_index(now, c->ifindex);
	const struct laddr *a;
	const struct route *r;
	bool there = false;

	switch (c->op) {
	case CH_MTU:
		return l && l->mtu == c->mtu;
	case CH_LINK_UP:
		return l && (l->flags & IFF_UP);
	case CH_ADDR_ADD:
	case CH_ADDR_DEL:
		for (a = observed_addr(now, &c->addr.a);
		     a && a < now->addr + now->naddr && addr_same_ip(&a->a, &c->addr.a); a++)
			there |= a->ifindex == c->addr.ifindex && a->a.plen == c->addr.a.plen;
		return there == (c->op == CH_ADDR_ADD);
	case CH_ROUTE_ADD:
	case CH_ROUTE_REPLACE:
	case CH_ROUTE_DEL:
		for (r = observed_route(now, &c->route);
		     r && r < now->route + now->nroute && !route_key_cmp(r, &c->route); r++)
			there |= c->op == CH_ROUTE_DEL ? r->protocol == RAILUP_PROTO
						       : route_same(r, &c->route);
		return there == (c->op != CH_ROUTE_DEL);
	case CH_RULE_ADD:
		return rule_copies(now, &c->rule) > 0;
	case CH_RULE_DEL:
		/* Removing a copy leaves the rule: done when there are fewer. */
		return rule_copies(now, &c->rule) < rule_copies(before, &c->rule);
	}
	return false;
}

/*
 * Answers lost to a full socket: the kernel's state says which of those
 * changes took effect; the others failed.
 */
static void settle_unknown(struct nl *nl, struct run *run)
{
	/* The ledger as observing read it: the same addresses count. */
	struct observed now = { .owned = run->before->owned, .nowned = run->before->nowned };
	bool any = false;

	for (unsigned i = 0; i < run->p->n; i++)
		any |= run->unknown[i];
	if (!any)
		return;
	if (rtnl_observe(nl, run->m, &now))
		memset(&now, 0, sizeof(now));
	for (unsigned i = 0; i < run->p->n; i++)
		if (run->unknown[i] && !took_effect(&run->p->ch[i], run->before, &now))
			fail_change(run, i, -ENOBUFS,
				    "its answer was lost and it is not in effect");
	now.owned = NULL; /* the caller's */
	observed_free(&now);
}

/* The ledger entry a change records or forgets; false when it concerns none. */
static bool entry_of(const struct change *c, struct owned *e)
{
	memset(e, 0, sizeof(*e));
	if (c->op == CH_FORGET) {
		*e = c->entry;
		return true;
	}
	text_copy(e->ifname, sizeof(e->ifname), c->ifname);
	if (c->op == CH_ADDR_ADD || c->op == CH_ADDR_DEL) {
		e->kind = OWN_ADDR;
		e->ifindex = c->addr.ifindex;
		e->a = c->addr.a;
		return true;
	}
	e->ifindex = c->ifindex;
	e->orig = c->orig;
	if (c->op == CH_MTU) {
		e->kind = OWN_MTU;
		return true;
	}
	e->kind = OWN_SYSCTL;
	e->key = c->sysctl.key;
	return c->op == CH_SYSCTL;
}

/* old without the entries flagged gone, and add (sorted), merged in ledger order. */
static unsigned merge(const struct owned *old, unsigned n, const uint8_t *gone,
		      const struct owned *add, unsigned nadd, struct owned *out)
{
	unsigned i = 0, j = 0, k = 0;

	while (i < n || j < nadd) {
		if (i < n && gone && gone[i])
			i++;
		else if (j == nadd || (i < n && ledger_cmp(&old[i], &add[j]) <= 0))
			out[k++] = old[i++];
		else
			out[k++] = add[j++];
	}
	return k;
}

/*
 * The ledger in o, changed as the plan's successful changes say: entries
 * recorded merged in, entries forgotten dropped. A merge, not a sort of the
 * whole: boot calls this once per round of rails turning ready.
 */
static void update_ledger(const struct run *run, struct observed *o)
{
	struct owned *add = NULL, *v, e;
	uint8_t *gone = NULL;
	unsigned nadd = 0, cap = 0, ngone = 0;

	for (unsigned i = 0; i < run->p->n; i++) {
		const struct change *c = &run->p->ch[i];
		const struct owned *f;

		if (run->failed[i] || !entry_of(c, &e))
			continue;
		if (c->forget || c->op == CH_FORGET) {
			f = ledger_find(o->owned, o->nowned, &e);
			if (f) {
				if (!gone)
					gone = xcalloc(o->nowned, 1);
				ngone += !gone[f - o->owned];
				gone[f - o->owned] = 1;
			}
		} else if (c->record) {
			add = xgrow(add, nadd, &cap, sizeof(*add));
			add[nadd++] = e;
		}
	}
	if (nadd || ngone) {
		ledger_sort(add, nadd);
		v = xcalloc(o->nowned + nadd, sizeof(*v));
		o->nowned = merge(o->owned, o->nowned, gone, add, nadd, v);
		free(o->owned);
		o->owned = v;
		o->owned_unsaved = true;
	}
	free(gone);
	free(add);
}

/* The ledger on disk, as o holds it; a renamed interface's entries show its name now. */
static void save_ledger(struct observed *o, const char *rundir)
{
	for (unsigned i = 0; i < o->nowned; i++) {
		struct owned *e = &o->owned[i];
		const struct link *l = e->ifindex ? observed_link_by_index(o, e->ifindex) : NULL;

		if (l && strcmp(l->name, e->ifname)) {
			text_copy(e->ifname, sizeof(e->ifname), l->name);
			o->owned_unsaved = true;
		}
	}
	if (!o->owned_unsaved)
		return;
	o->owned_unsaved = false;
	if (ledger_write(rundir, o->owned, o->nowned))
		log_warn("%s/owned: %s: railup down will not know what it changed", rundir,
			 strerror(errno));
}

/*
 * The drop-in: every value the map asks of a rail being configured, and the
 * conf/all values railup changed (elsewhere conf/all is only kept low enough).
 */
static void update_dropin(const struct railmap *m, const struct observed *o)
{
	struct sysctl_value *v = xcalloc((size_t)m->n * SC_COUNT + SC_COUNT, sizeof(*v));
	unsigned n = 0;

	for (const struct owned *e = ledger_first(o->owned, o->nowned, OWN_SYSCTL, 0);
	     e && e < o->owned + o->nowned && e->kind == OWN_SYSCTL && !e->ifindex; e++)
		if (o->all[e->key] != SC_UNSET)
			v[n++] = (struct sysctl_value){ "all", e->key, o->all[e->key] };
	for (unsigned i = 0; i < m->n; i++) {
		const struct rail *r = &m->rail[i];
		const struct link *l = observed_link(o, rail_netdev(r));

		if (!l || rail_stopped(r))
			continue;
		for (int k = 0; k < SC_COUNT; k++)
			if (sysctl_desc[k].family == r->addr.family && r->o.sysctl[k] != SC_UNSET)
				v[n++] = (struct sysctl_value){ l->name, (uint8_t)k,
								r->o.sysctl[k] };
	}
	if (sysctl_dropin_write(v, n))
		log_warn("%s/%s: %s: systemd-sysctl may undo railup's values", sysctl_dropin_dir,
			 SYSCTL_DROPIN, strerror(errno));
	free(v);
}

/*
 * One netlink batch: the rules railup adds (rules), or every other change.
 * Answers lost to a full socket are settled against the kernel's state.
 */
static void send_step(struct nl *nl, struct run *run, bool rules)
{
	struct nlbuf b = { 0 };
	int ret;

	for (unsigned i = 0; i < run->p->n; i++) {
		const struct change *c = &run->p->ch[i];

		if ((c->op == CH_RULE_ADD) != rules || run->failed[i])
			continue;
		/* A rail's rule commits it: a failed rail gets none, nothing steers into it. */
		if (rules && c->rail >= 0 && run->m->rail[c->rail].st.phase == RAIL_FAILED)
			continue;
		if (encode(&b, c))
			run->msg_change[b.n - 1] = i;
	}
	ret = b.n ? nl_batch(nl, &b, batch_failed, run) : 0;
	settle_unknown(nl, run);
	if (ret < 0) {
		log_err("netlink: %s", strerror(-ret));
		for (unsigned i = 0; i < b.n; i++)
			if (!run->failed[run->msg_change[i]])
				fail_change(run, run->msg_change[i], ret, "");
	}
	memset(run->unknown, 0, run->p->n);
	nlb_free(&b);
}

int apply_plan(struct nl *nl, struct railmap *m, struct observed *o, const struct plan *p)
{
	struct run run = {
		.m = m,
		.before = o,
		.p = p,
		.msg_change = xcalloc(p->n, sizeof(unsigned)),
		.failed = xcalloc(p->n, 1),
		.unknown = xcalloc(p->n, 1),
	};

	for (unsigned i = 0; i < p->n; i++) {
		const struct change *c = &p->ch[i];

		if (c->op != CH_SYSCTL)
			continue;
		if (sysctl_write(c->ifname, c->sysctl.key, c->sysctl.value))
			fail_change(&run, i, -errno, "");
		else
			observed_conf_set(o, c->ifindex, c->sysctl.key, c->sysctl.value);
	}
	send_step(nl, &run, false);
	/* The next plan (boot applies round by round) starts from the MTUs set. */
	for (unsigned i = 0; i < p->n; i++)
		if (p->ch[i].op == CH_MTU && !run.failed[i])
			observed_mtu_set(o, p->ch[i].ifindex, p->ch[i].mtu);
	send_step(nl, &run, true);
	update_ledger(&run, o);
	free(run.msg_change);
	free(run.failed);
	free(run.unknown);
	return run.global_failures;
}

void apply_save(const struct railmap *m, struct observed *o, const char *rundir)
{
	save_ledger(o, rundir);
	update_dropin(m, o);
}
