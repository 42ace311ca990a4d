// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "report.h"
#include "sysctl.h"
#include "text.h"

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

static void text_rail(FILE *f, const struct rail *r, const struct rail_check *c,
		      const struct boot_record *boot)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	fprintf(f, "%s %s: %s%s%s\n", r->name, addr_fmt(&r->addr, true, a), c->ok ? "ok" : "WRONG",
		c->ok ? "" : ": ", c->why);
	fprintf(f, "  address   %s", addr_fmt(&r->addr, true, a));
	if (c->link) {
		fprintf(f, " on %s (%s%s, MTU %u", c->link->name,
			c->link->flags & IFF_UP ? "up" : "down",
			c->link->carrier ? ", carrier" : ", no carrier", c->link->mtu);
		if (r->o.mtu && r->o.mtu != c->link->mtu)
			fprintf(f, ", want %u", r->o.mtu);
		fprintf(f, ")%s", c->addr ? "" : " missing");
		fprintf(f, "\n  netdev    %s, %s", c->link->name, c->id.layer);
		if (c->id.ibdev[0])
			fprintf(f, ", RDMA %s/%u", c->id.ibdev, c->id.port);
		if (c->id.pci[0])
			fprintf(f, ", PCI %s", c->id.pci);
		if (c->id.numa >= 0)
			fprintf(f, ", NUMA %d", c->id.numa);
	}
	fprintf(f, "\n  rule      priority %u: from %s lookup %u%s\n", r->o.priority,
		addr_fmt(&r->addr, false, a), r->o.table, c->rule ? "" : " missing");
	fprintf(f, "  table %-4u %u of %u routes\n", r->o.table, c->routes_have, c->routes_want);
	if (c->foreign)
		fprintf(f,
			"  owner     rule or routes made by another (proto %u), as railup would\n",
			c->foreign);
	if (c->decided && !c->decision_err)
		fprintf(f, "  decision  %s from %s: dev %s table %u%s\n",
			addr_fmt(&c->target, false, a), addr_fmt(&r->addr, false, b),
			c->decision_dev, c->decision.table, c->decision_ok ? "" : " (wrong)");
	if (boot)
		fprintf(f, "  recorded  %s%s%s%s%s\n", boot->phase, *boot->stage ? " at " : "",
			boot->stage, *boot->error ? ": " : "", boot->error);
	if (!c->link)
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

/* "mtu":{"want":N,"have":N}, null for what the map leaves alone or a netdev not there. */
static void json_mtu(FILE *f, const struct rail *r, const struct rail_check *c)
{
	fprintf(f, ",\"mtu\":{\"want\":");
	if (r->o.mtu)
		fprintf(f, "%u", r->o.mtu);
	else
		fprintf(f, "null");
	fprintf(f, ",\"have\":");
	if (c->link)
		fprintf(f, "%u}", c->link->mtu);
	else
		fprintf(f, "null}");
}

static void json_rail(FILE *f, const struct rail *r, const struct rail_check *c,
		      const struct boot_record *b)
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
	fprintf(f, ",\"link_layer\":");
	json_str(f, c->link ? c->id.layer : "");
	fprintf(f, ",\"rdma\":");
	if (c->id.ibdev[0]) {
		fprintf(f, "{\"device\":");
		json_str(f, c->id.ibdev);
		fprintf(f, ",\"port\":%u}", c->id.port);
	} else {
		fprintf(f, "null");
	}
	fprintf(f, ",\"pci\":");
	json_str(f, c->id.pci);
	fprintf(f, ",\"numa\":%d", c->id.numa);
	fprintf(f, ",\"link\":{\"present\":%s,\"up\":%s,\"carrier\":%s}",
		c->link ? "true" : "false", c->link && (c->link->flags & IFF_UP) ? "true" : "false",
		c->link && c->link->carrier ? "true" : "false");
	json_mtu(f, r, c);
	fprintf(f, ",\"address_present\":%s,\"rule\":%s", c->addr ? "true" : "false",
		c->rule ? "true" : "false");
	fprintf(f, ",\"routes\":{\"want\":%u,\"have\":%u}", c->routes_want, c->routes_have);
	fprintf(f, ",\"foreign_proto\":%u", c->foreign);
	if (c->decided) {
		fprintf(f, ",\"decision\":{\"to\":\"%s\"", addr_fmt(&c->target, false, a));
		fprintf(f, ",\"from\":\"%s\",\"dev\":", addr_fmt(&r->addr, false, a));
		json_str(f, c->decision_err ? "" : c->decision_dev);
		fprintf(f, ",\"table\":%u,\"ok\":%s}", c->decision.table,
			c->decision_ok ? "true" : "false");
	}
	fprintf(f, ",\"sysctl\":{");
	for (int k = 0, first = 1; k < SC_COUNT; k++) {
		if (sysctl_desc[k].family != r->addr.family)
			continue;
		fprintf(f, "%s\"%s\":{\"want\":", first ? "" : ",", sysctl_desc[k].name);
		first = 0;
		if (r->o.sysctl[k] == SC_UNSET)
			fprintf(f, "null");
		else
			fprintf(f, "%d", r->o.sysctl[k]);
		fprintf(f, ",\"dev\":%d,\"effective\":%d}", c->dev[k], c->eff[k]);
	}
	fprintf(f, "},\"boot\":");
	if (b) {
		fprintf(f, "{\"phase\":");
		json_str(f, b->phase);
		fprintf(f, ",\"stage\":");
		json_str(f, b->stage);
		fprintf(f, ",\"error\":");
		json_str(f, b->error);
		fputc('}', f);
	} else {
		fprintf(f, "null");
	}
	fprintf(f, ",\"ok\":%s,\"why\":", c->ok ? "true" : "false");
	json_str(f, c->why);
	fprintf(f, "}");
}

void report_status(FILE *f, const struct railmap *m, const struct rail_check *c,
		   const struct boot_record *const *boot, const struct plan *global,
		   long long rp_drops, bool json)
{
	unsigned ok = 0, pending = 0;
	char what[200];

	for (unsigned i = 0; i < m->n; i++)
		ok += c[i].ok;
	for (unsigned i = 0; i < global->n; i++)
		pending += global->ch[i].op != CH_FORGET;
	if (json) {
		fprintf(f, "{\"rails\":[");
		for (unsigned i = 0; i < m->n; i++) {
			if (i)
				fputc(',', f);
			json_rail(f, &m->rail[i], &c[i], boot[i]);
		}
		fprintf(f, "],\"pending\":[");
		for (unsigned i = 0, first = 1; i < global->n; i++) {
			if (global->ch[i].op == CH_FORGET)
				continue;
			change_describe(&global->ch[i], what, sizeof(what));
			fprintf(f, "%s", first ? "" : ",");
			json_str(f, what);
			first = 0;
		}
		fprintf(f, "],\"rp_filter_drops\":%lld,\"ok\":%s}\n", rp_drops,
			ok == m->n && !pending ? "true" : "false");
		return;
	}
	for (unsigned i = 0; i < m->n; i++)
		text_rail(f, &m->rail[i], &c[i], boot[i]);
	for (unsigned i = 0; i < global->n; i++)
		if (global->ch[i].op != CH_FORGET) {
			change_describe(&global->ch[i], what, sizeof(what));
			fprintf(f, "map: WRONG: pending: %s\n", what);
		}
	if (rp_drops >= 0)
		fprintf(f, "rp_filter drops (IPReversePathFilter): %lld\n", rp_drops);
	fprintf(f, "%u rail%s: %u ok, %u wrong%s\n", m->n, m->n == 1 ? "" : "s", ok, m->n - ok,
		pending ? "; the map's own settings are not in place" : "");
}

bool report_stopped(const struct rail *r)
{
	if (r->st.phase == RAIL_FAILED)
		log_msg(r->o.required ? LOG_ERR : LOG_WARNING, "%s: %s: %s", r->name, r->st.stage,
			r->st.error);
	else if (r->st.phase == RAIL_ABSENT)
		/* A required one makes apply exit 1: -q must still say why. */
		log_msg(r->o.required ? LOG_WARNING : LOG_NOTICE, "%s: %s: %s", r->name,
			r->st.stage, r->st.error);
	return rail_stopped(r);
}

void report_outcome(const struct railmap *m)
{
	unsigned count[RAIL_FAILED + 1] = { 0 };
	char absent[32] = "";

	for (unsigned i = 0; i < m->n; i++) {
		const struct rail *r = &m->rail[i];

		count[r->st.phase]++;
		if (!report_stopped(r))
			log_info("%s: %s", r->name, rail_phase_name(r->st.phase));
	}
	if (count[RAIL_ABSENT])
		snprintf(absent, sizeof(absent), ", %u absent", count[RAIL_ABSENT]);
	log_msg(count[RAIL_FAILED] ? LOG_ERR : LOG_NOTICE,
		"%u rail%s: %u verified, %u configured, %u failed%s", m->n, m->n == 1 ? "" : "s",
		count[RAIL_VERIFIED], count[RAIL_CONFIGURED], count[RAIL_FAILED], absent);
}

enum boot_result report_result(const struct railmap *m, enum rail_phase enough)
{
	enum boot_result res = BOOT_OK;

	if (m->disabled == 1)
		return BOOT_DISABLED;
	for (unsigned i = 0; i < m->n; i++) {
		enum rail_phase p = m->rail[i].st.phase;

		if (p == RAIL_FAILED || p < enough)
			res = m->rail[i].o.required ? BOOT_FAILED
			      : res == BOOT_OK	    ? BOOT_DEGRADED
						    : res;
	}
	return res;
}

const char *report_result_name(enum boot_result r)
{
	static const char *const names[] = { "ok", "degraded", "failed", "disabled", "invalid" };

	return names[r];
}

static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

/*
 * KEY='value' or KEY<i>_FIELD='value', in single quotes: safe to source from
 * sh. Written byte by byte into room made once: the pieces are a few bytes
 * each, and a copy call per piece cost several times their bytes (a state of
 * 8 rails is 72 such lines).
 */
static void shq(struct text *t, const char *key, unsigned i, const char *field, const char *v)
{
	char num[TEXT_DEC_MAX];
	const char *n = field ? text_dec(num, i) : "";
	char *p = text_room(t, strlen(key) + strlen(n) + (field ? strlen(field) + 1 : 0) +
				       4 * strlen(v) + 4);

	p = put_str(p, key);
	if (field) {
		p = put_str(p, n);
		*p++ = '_';
		p = put_str(p, field);
	}
	*p++ = '=';
	*p++ = '\'';
	/* A quote closes, escapes and reopens; control bytes are dropped. */
	for (; *v; v++)
		if (*v == '\'')
			p = put_str(p, "'\\''");
		else if ((unsigned char)*v >= 0x20)
			*p++ = *v;
	*p++ = '\'';
	*p++ = '\n';
	t->len = (size_t)(p - t->s);
}

static void sh_num(struct text *t, const char *key, unsigned long long v)
{
	text_put(t, key);
	text_putc(t, '=');
	text_putu(t, v);
	text_putc(t, '\n');
}

static void state_text(struct text *t, const struct railmap *m, enum boot_result res,
		       const char *by)
{
	unsigned verified = 0, failed = 0;

	for (unsigned i = 0; i < m->n; i++) {
		verified += m->rail[i].st.phase == RAIL_VERIFIED;
		failed += m->rail[i].st.phase == RAIL_FAILED;
	}
	text_put(t, "# railup boot result; sourceable by sh\n");
	shq(t, "RAILUP_RESULT", 0, NULL, report_result_name(res));
	shq(t, "RAILUP_POLICY", 0, NULL, m->policy == POLICY_HALT ? "halt" : "continue");
	shq(t, "RAILUP_BY", 0, NULL, by);
	sh_num(t, "RAILUP_TIME", clock_us(CLOCK_REALTIME) / 1000000);
	sh_num(t, "RAILUP_RAILS", m->n);
	sh_num(t, "RAILUP_VERIFIED", verified);
	sh_num(t, "RAILUP_FAILED", failed);
	for (unsigned i = 0; i < m->n; i++) {
		const struct rail *r = &m->rail[i];
		char a[ADDR_STRLEN], d[TEXT_DEC_MAX];

		shq(t, "RAIL", i, "NAME", r->name);
		shq(t, "RAIL", i, "IFNAME", rail_netdev(r));
		shq(t, "RAIL", i, "ADDRESS", addr_fmt(&r->addr, true, a));
		shq(t, "RAIL", i, "PHASE", rail_phase_name(r->st.phase));
		shq(t, "RAIL", i, "REQUIRED", r->o.required ? "1" : "0");
		shq(t, "RAIL", i, "IBDEV", r->st.ibdev);
		shq(t, "RAIL", i, "PORT", r->st.port ? text_dec(d, r->st.port) : "");
		shq(t, "RAIL", i, "STAGE", r->st.stage ? r->st.stage : "");
		shq(t, "RAIL", i, "ERROR", r->st.error);
	}
}

/* Where the RAILUP_TIME line starts, and ends past its newline; false without one. */
static bool time_line(const char *s, size_t len, size_t *at, size_t *end)
{
	const char *p = memmem(s, len, "\nRAILUP_TIME=", 13), *nl;

	if (!p)
		return false;
	*at = (size_t)(p + 1 - s);
	nl = memchr(s + *at, '\n', len - *at);
	*end = nl ? (size_t)(nl + 1 - s) : len;
	return true;
}

/* Whether two states say the same, but for their time. */
static bool same_state(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t a0, a1, b0, b1;

	return time_line(a, alen, &a0, &a1) && time_line(b, blen, &b0, &b1) && a0 == b0 &&
	       !memcmp(a, b, a0) && alen - a1 == blen - b1 && !memcmp(a + a1, b + b1, alen - a1);
}

void report_state_load(const char *rundir, struct state_file *f)
{
	f->len = 0;
	f->text = text_load_run(rundir, "state", &f->len);
}

void report_state_free(struct state_file *f)
{
	free(f->text);
	f->text = NULL;
}

/*
 * An apply with nothing to change would write the state it read back, but
 * for its time: a create, a write and a rename over the old file, which
 * tmpfs then evicts (the rename alone was 6% of perf's samples of such an
 * apply of 8 rails).
 */
int report_state_write(const char *rundir, const struct state_file *old, const struct railmap *m,
		       enum boot_result res, const char *by)
{
	struct state_file found = { 0 };
	struct text t = { 0 };
	int ret = 0;

	if (!old) {
		report_state_load(rundir, &found);
		old = &found;
	}
	state_text(&t, m, res, by);
	if (!old->text || !same_state(old->text, old->len, t.s, t.len))
		ret = text_commit(&t, rundir, "state");
	else
		free(t.s);
	report_state_free(&found);
	return ret;
}

void report_notify(const char *status)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char msg[512];
	size_t plen;
	int fd, n;

	if (!path || (path[0] != '/' && path[0] != '@'))
		return;
	plen = strlen(path);
	if (plen >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, plen);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0'; /* an abstract socket */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	n = snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", status);
	if (sendto(fd, msg, (size_t)n, MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen)) < 0)
		log_debug("sd_notify: %s", strerror(errno));
	close(fd);
}

/* NAME='value' with sh's '\'' for a quote; copies value into out. */
static void unquote(const char *v, char *out, size_t n)
{
	size_t o = 0;

	if (*v++ != '\'')
		v--;
	while (*v && *v != '\n' && o + 1 < n) {
		if (v[0] == '\'' && v[1] == '\\' && v[2] == '\'' && v[3] == '\'') {
			out[o++] = '\'';
			v += 4;
		} else if (*v == '\'') {
			break;
		} else {
			out[o++] = *v++;
		}
	}
	out[o] = '\0';
}

/* RAIL<i>_<FIELD>=: which record, which field, and where the value starts. */
static bool state_key(const char *line, unsigned *i, char field[16], const char **val)
{
	const char *p = line + 4;
	size_t n = 0;

	if (line[0] != 'R' || line[1] != 'A' || line[2] != 'I' || line[3] != 'L' || *p < '0' ||
	    *p > '9')
		return false;
	for (*i = 0; *p >= '0' && *p <= '9'; p++)
		if ((*i = *i * 10 + (unsigned)(*p - '0')) >= RAILS_MAX)
			return false;
	if (*p++ != '_')
		return false;
	for (; p[n] >= 'A' && p[n] <= 'Z'; n++) {
		if (n == 15)
			return false;
		field[n] = p[n];
	}
	if (!n || p[n] != '=')
		return false;
	field[n] = '\0';
	*val = p + n + 1;
	return true;
}

/* The file's lines, read in place: the compare of report_state_write() needs it as it was. */
static const char *next_line(const struct state_file *f, const char **at)
{
	const char *line = *at, *end = f->text + f->len, *nl;

	if (line >= end)
		return NULL;
	nl = memchr(line, '\n', (size_t)(end - line));
	*at = nl ? nl + 1 : end;
	return line;
}

struct boot_record *report_state_records(const struct state_file *f, unsigned *n)
{
	const char *line, *at = f->text, *val;
	struct boot_record *v = NULL;
	unsigned cap = 0, i;
	char field[16];

	*n = 0;
	while (f->text && (line = next_line(f, &at))) {
		struct boot_record *b;

		if (!state_key(line, &i, field, &val))
			continue;
		while (*n <= i) {
			v = xgrow(v, *n, &cap, sizeof(*v));
			memset(&v[(*n)++], 0, sizeof(*v));
		}
		b = &v[i];
		if (!strcmp(field, "NAME"))
			unquote(val, b->name, sizeof(b->name));
		else if (!strcmp(field, "ADDRESS"))
			unquote(val, b->address, sizeof(b->address));
		else if (!strcmp(field, "PHASE"))
			unquote(val, b->phase, sizeof(b->phase));
		else if (!strcmp(field, "STAGE"))
			unquote(val, b->stage, sizeof(b->stage));
		else if (!strcmp(field, "ERROR"))
			unquote(val, b->error, sizeof(b->error));
	}
	return v;
}

bool report_state_by(const struct state_file *f, const char *by)
{
	const char *line, *at = f->text;
	char val[16];

	while (f->text && (line = next_line(f, &at)))
		if (!strncmp(line, "RAILUP_BY=", 10)) {
			unquote(line + 10, val, sizeof(val));
			return !strcmp(val, by);
		}
	return false;
}

/* A label value: backslash, quote and newline escaped, as the text format wants. */
static void prom_str(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fprintf(f, "\\n");
		else
			fputc(*s, f);
	}
}

static void prom_labels(FILE *f, const struct rail *r, const struct rail_check *c)
{
	char a[ADDR_STRLEN];

	fprintf(f, "{rail=\"");
	prom_str(f, r->name);
	fprintf(f, "\",netdev=\"");
	prom_str(f, c->link ? c->link->name : "");
	fprintf(f, "\",address=\"%s\",table=\"%u\"", addr_fmt(&r->addr, true, a), r->o.table);
}

static void prom_head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP railup_%s %s\n# TYPE railup_%s %s\n", name, help, name, type);
}

/* One gauge per rail; which value each rail has is for the caller's function to say. */
static void prom_rails(FILE *f, const struct railmap *m, const struct rail_check *c,
		       const struct boot_record *const *boot, const char *name, const char *help,
		       int (*value)(const struct rail_check *, const struct boot_record *))
{
	prom_head(f, name, "gauge", help);
	for (unsigned i = 0; i < m->n; i++) {
		fprintf(f, "railup_%s", name);
		prom_labels(f, &m->rail[i], &c[i]);
		fprintf(f, "} %d\n", value(&c[i], boot[i]));
	}
}

static int v_configured(const struct rail_check *c, const struct boot_record *b)
{
	(void)b;
	return c->link && c->addr && c->rule && c->table;
}

/*
 * Verified: the routing decision now, and nothing the last boot found wrong
 * (a rail the boot failed is not ok; one apply configured later has no RDMA
 * verdict to spoil it).
 */
static int v_verified(const struct rail_check *c, const struct boot_record *b)
{
	return c->ok && c->decided && c->decision_ok && (!b || strcmp(b->phase, "failed"));
}

static int v_ok(const struct rail_check *c, const struct boot_record *b)
{
	(void)b;
	return c->ok;
}

static int v_up(const struct rail_check *c, const struct boot_record *b)
{
	(void)b;
	return c->link && (c->link->flags & IFF_UP);
}

static int v_carrier(const struct rail_check *c, const struct boot_record *b)
{
	(void)b;
	return c->link && c->link->carrier;
}

static int v_mtu(const struct rail_check *c, const struct boot_record *b)
{
	(void)b;
	return c->link ? (int)c->link->mtu : 0;
}

static void prom_write(FILE *f, const struct railmap *m, const struct rail_check *c,
		       const struct boot_record *const *boot, long long rp_drops)
{
	prom_rails(f, m, c, boot, "rail_configured",
		   "The rail's address, rule and table routes are in place.", v_configured);
	prom_rails(
		f, m, c, boot, "rail_verified",
		"The kernel routes from the rail by the rail; the last boot's RDMA checks passed.",
		v_verified);
	prom_rails(f, m, c, boot, "rail_ok", "railup status finds nothing wrong with the rail.",
		   v_ok);
	prom_rails(f, m, c, boot, "rail_link_up", "The rail's netdev is up.", v_up);
	prom_rails(f, m, c, boot, "rail_carrier", "The rail's netdev has carrier.", v_carrier);
	prom_rails(f, m, c, boot, "rail_mtu", "The rail's netdev's MTU (0: no netdev).", v_mtu);
	prom_head(f, "rail_sysctl", "gauge",
		  "Effective value of a per-interface setting railup manages.");
	for (unsigned i = 0; i < m->n; i++)
		for (int k = 0; k < SC_COUNT; k++) {
			if (c[i].eff[k] == SC_UNSET)
				continue;
			fprintf(f, "railup_rail_sysctl");
			prom_labels(f, &m->rail[i], &c[i]);
			fprintf(f, ",key=\"%s\"} %d\n", sysctl_desc[k].name, c[i].eff[k]);
		}
	if (rp_drops >= 0) {
		prom_head(f, "rp_filter_drops_total", "counter",
			  "Packets the reverse-path filter dropped (TcpExt IPReversePathFilter).");
		fprintf(f, "railup_rp_filter_drops_total %lld\n", rp_drops);
	}
}

int report_metrics_write(const char *path, const struct railmap *m, const struct rail_check *c,
			 const struct boot_record *const *boot, long long rp_drops)
{
	char tmp[4096];
	FILE *f;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	prom_write(f, m, c, boot, rp_drops);
	if (fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}
