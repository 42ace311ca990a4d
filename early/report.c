// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "report.h"
#include "sysctl.h"

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void text_rail(FILE *f, const struct rail *r, const struct rail_check *c)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	fprintf(f, "%s: %s%s%s\n", r->name, c->ok ? "ok" : "WRONG", c->ok ? "" : ": ", c->why);
	fprintf(f, "  address   %s", addr_fmt(&r->addr, true, a));
	if (c->link)
		fprintf(f, " on %s (%s%s)%s", c->link->name,
			c->link->flags & IFF_UP ? "up" : "down",
			c->link->carrier ? ", carrier" : ", no carrier", c->addr ? "" : " missing");
	fprintf(f, "\n  rule      priority %u: from %s lookup %u%s\n", r->o.priority,
		addr_fmt(&r->addr, false, a), r->o.table, c->rule ? "" : " missing");
	fprintf(f, "  table %-4u %u of %u routes\n", r->o.table, c->routes_have, c->routes_want);
	if (c->decided && !c->decision_err)
		fprintf(f, "  decision  %s from %s: dev %s table %u%s\n",
			addr_fmt(&c->target, false, a), addr_fmt(&r->addr, false, b),
			c->decision_dev, c->decision.table, c->decision_ok ? "" : " (wrong)");
	if (r->addr.family != AF_INET || !c->link)
		return;
	fprintf(f, "  sysctl   ");
	for (int k = 0; k < SC_COUNT; k++) {
		if (c->eff[k] == SC_UNSET)
			continue;
		fprintf(f, " %s %d", sysctl_desc[k].name, c->eff[k]);
		if (r->o.sysctl[k] != SC_UNSET && r->o.sysctl[k] != c->eff[k])
			fprintf(f, " (want %d)", r->o.sysctl[k]);
	}
	fprintf(f, "\n");
}

static void json_rail(FILE *f, const struct rail *r, const struct rail_check *c)
{
	char a[ADDR_STRLEN];

	fprintf(f, "{\"name\":");
	json_str(f, r->name);
	fprintf(f, ",\"ifname\":");
	json_str(f, c->link ? c->link->name : "");
	fprintf(f, ",\"ifindex\":%d,\"address\":\"%s\"", c->link ? c->link->ifindex : 0,
		addr_fmt(&r->addr, true, a));
	fprintf(f, ",\"gateway\":%s%s%s", r->gw.family ? "\"" : "",
		r->gw.family ? addr_fmt(&r->gw, false, a) : "null", r->gw.family ? "\"" : "");
	fprintf(f, ",\"table\":%u,\"priority\":%u", r->o.table, r->o.priority);
	fprintf(f, ",\"link\":{\"present\":%s,\"up\":%s,\"carrier\":%s}",
		c->link ? "true" : "false", c->link && (c->link->flags & IFF_UP) ? "true" : "false",
		c->link && c->link->carrier ? "true" : "false");
	fprintf(f, ",\"address_present\":%s,\"rule\":%s", c->addr ? "true" : "false",
		c->rule ? "true" : "false");
	fprintf(f, ",\"routes\":{\"want\":%u,\"have\":%u}", c->routes_want, c->routes_have);
	if (c->decided) {
		fprintf(f, ",\"decision\":{\"to\":\"%s\"", addr_fmt(&c->target, false, a));
		fprintf(f, ",\"from\":\"%s\",\"dev\":", addr_fmt(&r->addr, false, a));
		json_str(f, c->decision_err ? "" : c->decision_dev);
		fprintf(f, ",\"table\":%u,\"ok\":%s}", c->decision.table,
			c->decision_ok ? "true" : "false");
	}
	fprintf(f, ",\"sysctl\":{");
	for (int k = 0, first = 1; k < SC_COUNT && r->addr.family == AF_INET; k++) {
		fprintf(f, "%s\"%s\":{\"want\":", first ? "" : ",", sysctl_desc[k].name);
		first = 0;
		if (r->o.sysctl[k] == SC_UNSET)
			fprintf(f, "null");
		else
			fprintf(f, "%d", r->o.sysctl[k]);
		fprintf(f, ",\"dev\":%d,\"effective\":%d}", c->dev[k], c->eff[k]);
	}
	fprintf(f, "},\"ok\":%s,\"why\":", c->ok ? "true" : "false");
	json_str(f, c->why);
	fprintf(f, "}");
}

void report_status(FILE *f, const struct railmap *m, const struct rail_check *c,
		   long long rp_drops, bool json)
{
	unsigned ok = 0;

	for (unsigned i = 0; i < m->n; i++)
		ok += c[i].ok;
	if (json) {
		fprintf(f, "{\"rails\":[");
		for (unsigned i = 0; i < m->n; i++) {
			if (i)
				fputc(',', f);
			json_rail(f, &m->rail[i], &c[i]);
		}
		fprintf(f, "],\"rp_filter_drops\":%lld,\"ok\":%s}\n", rp_drops,
			ok == m->n ? "true" : "false");
		return;
	}
	for (unsigned i = 0; i < m->n; i++)
		text_rail(f, &m->rail[i], &c[i]);
	if (rp_drops >= 0)
		fprintf(f, "rp_filter drops (IPReversePathFilter): %lld\n", rp_drops);
	fprintf(f, "%u rail%s: %u ok, %u wrong\n", m->n, m->n == 1 ? "" : "s", ok, m->n - ok);
}

void report_outcome(const struct railmap *m)
{
	unsigned count[RAIL_FAILED + 1] = { 0 };

	for (unsigned i = 0; i < m->n; i++) {
		const struct rail *r = &m->rail[i];

		count[r->st.phase]++;
		if (r->st.phase == RAIL_FAILED)
			log_msg(r->o.required ? LOG_ERR : LOG_WARNING, "%s: %s: %s", r->name,
				r->st.stage, r->st.error);
		else
			log_info("%s: %s", r->name, rail_phase_name(r->st.phase));
	}
	log_msg(count[RAIL_FAILED] ? LOG_ERR : LOG_NOTICE,
		"%u rail%s: %u verified, %u configured, %u failed", m->n, m->n == 1 ? "" : "s",
		count[RAIL_VERIFIED], count[RAIL_CONFIGURED], count[RAIL_FAILED]);
}
