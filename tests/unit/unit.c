// SPDX-License-Identifier: GPL-2.0
/* The helpers unit.h declares. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "unit.h"

/* ---- log messages ---- */

struct logcap logcap;

static void capture(int level, const char *msg, void *arg)
{
	struct logcap *c = arg;

	if (c->n < LOGCAP_MAX) {
		c->level[c->n] = level;
		snprintf(c->msg[c->n], LOGCAP_LEN, "%s", msg);
	}
	c->n++;
	if (level <= LOG_ERR)
		c->errors++;
}

void logcap_reset(void)
{
	memset(&logcap, 0, sizeof(logcap));
}

void logcap_setup(void)
{
	logcap_reset();
	log_setup(KMSG_OFF, LOG_DEBUG);
	log_set_sink(capture, &logcap);
}

void logcap_teardown(void)
{
	log_set_sink(NULL, NULL);
	log_setup(KMSG_OFF, LOG_INFO);
}

/* The index of the first kept message containing needle, or -1. */
static int logcap_index(const char *needle)
{
	for (unsigned i = 0; i < logcap.n && i < LOGCAP_MAX; i++)
		if (strstr(logcap.msg[i], needle))
			return (int)i;
	return -1;
}

const char *logcap_find(const char *needle)
{
	int i = logcap_index(needle);

	return i < 0 ? NULL : logcap.msg[i];
}

int logcap_level(const char *needle)
{
	int i = logcap_index(needle);

	return i < 0 ? -1 : logcap.level[i];
}

bool has_control_bytes(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return true;
	return false;
}

/* ---- addresses ---- */

struct ipaddr ip(const char *s)
{
	const char *why = "";
	struct ipaddr a;

	ck_assert_msg(!addr_parse(&a, s, strlen(s), false, &why), "test input %s: %s", s, why);
	return a;
}

/* ---- rail maps ---- */

enum config_result map_parse(struct railmap *m, const char *cmdline, const char *conf)
{
	railmap_init(m);
	return config_from_text(m, cmdline, cmdline ? strlen(cmdline) : 0, conf,
				conf ? strlen(conf) : 0);
}

void map_ok(struct railmap *m, const char *cmdline, const char *conf)
{
	enum config_result res = map_parse(m, cmdline, conf);

	ck_assert_msg(res == CONFIG_OK, "map %s | %s: result %d, first message: %s",
		      cmdline ? cmdline : "-", conf ? conf : "-", res,
		      logcap.n ? logcap.msg[0] : "(none)");
}

const struct rail *rail_named(const struct railmap *m, const char *name)
{
	const struct rail *r = railmap_by_name(m, name);

	ck_assert_msg(r != NULL, "no rail %s", name);
	return r;
}

void text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	while (t->len + (size_t)n + 1 > t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->s = xrealloc(t->s, t->cap);
	}
	va_start(ap, fmt);
	vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

void text_free(struct text *t)
{
	free(t->s);
	memset(t, 0, sizeof(*t));
}

/* ---- observed states ---- */

struct link *obs_link(struct observed *o, int ifindex, const char *name, unsigned flags)
{
	struct link *l;

	o->link = xrealloc(o->link, (o->nlink + 1) * sizeof(*o->link));
	l = &o->link[o->nlink++];
	memset(l, 0, sizeof(*l));
	l->ifindex = ifindex;
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->flags = flags;
	l->mtu = 1500;
	l->carrier = !!(flags & LINK_LOWER_UP);
	l->operstate = flags & LINK_LOWER_UP ? 6 /* IF_OPER_UP */ : 2 /* IF_OPER_DOWN */;
	return l;
}

void obs_addr(struct observed *o, int ifindex, struct ipaddr a, uint8_t proto)
{
	struct laddr *la;

	o->addr = xrealloc(o->addr, (o->naddr + 1) * sizeof(*o->addr));
	la = &o->addr[o->naddr++];
	memset(la, 0, sizeof(*la));
	la->ifindex = ifindex;
	la->a = a;
	la->proto = proto;
}

struct route *obs_route(struct observed *o, uint32_t table, struct ipaddr dst, struct ipaddr gw,
			struct ipaddr src, int oif, uint8_t protocol, uint8_t scope)
{
	struct route *r;

	o->route = xrealloc(o->route, (o->nroute + 1) * sizeof(*o->route));
	r = &o->route[o->nroute++];
	memset(r, 0, sizeof(*r));
	r->table = table;
	r->dst = dst;
	r->gw = gw;
	r->src = src;
	r->oif = oif;
	r->protocol = protocol;
	r->scope = scope;
	r->type = RTN_UNICAST;
	return r;
}

struct rule *obs_rule(struct observed *o, uint8_t family, uint32_t priority, struct ipaddr src,
		      uint32_t table, uint8_t protocol)
{
	struct rule *u;

	o->rule = xrealloc(o->rule, (o->nrule + 1) * sizeof(*o->rule));
	u = &o->rule[o->nrule++];
	memset(u, 0, sizeof(*u));
	u->family = family;
	u->action = FR_ACT_TO_TBL;
	u->protocol = protocol;
	u->priority = priority;
	u->table = table;
	u->src = src;
	return u;
}

static struct owned *own(struct observed *o, uint8_t kind, const char *ifname)
{
	struct owned *e;

	o->owned = xrealloc(o->owned, (o->nowned + 1) * sizeof(*o->owned));
	e = &o->owned[o->nowned++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	snprintf(e->ifname, sizeof(e->ifname), "%s", ifname);
	return e;
}

void obs_own_addr(struct observed *o, const char *ifname, struct ipaddr a)
{
	own(o, OWN_ADDR, ifname)->a = a;
}

void obs_own_sysctl(struct observed *o, const char *ifname, enum sysctl_key k, int orig)
{
	struct owned *e = own(o, OWN_SYSCTL, ifname);

	e->key = (uint8_t)k;
	e->orig = (int8_t)orig;
}

void obs_own_mtu(struct observed *o, const char *ifname, int orig)
{
	own(o, OWN_MTU, ifname)->orig = orig;
}

void obs_all(struct observed *o, int rp_filter, int arp_ignore, int arp_announce, int arp_filter,
	     int accept_local)
{
	o->all[SC_RP_FILTER] = (int8_t)rp_filter;
	o->all[SC_ARP_IGNORE] = (int8_t)arp_ignore;
	o->all[SC_ARP_ANNOUNCE] = (int8_t)arp_announce;
	o->all[SC_ARP_FILTER] = (int8_t)arp_filter;
	o->all[SC_ACCEPT_LOCAL] = (int8_t)accept_local;
}

/* Ledger entries are keyed by ifindex: those of links named here get theirs, others one no link
 * has. */
static void own_ifindexes(struct observed *o)
{
	for (unsigned i = 0; i < o->nowned; i++) {
		struct owned *e = &o->owned[i];

		if (e->ifindex || !strcmp(e->ifname, "all"))
			continue;
		e->ifindex = 1000 + (int)i;
		for (unsigned j = 0; j < o->nlink; j++)
			if (!strcmp(o->link[j].name, e->ifname))
				e->ifindex = o->link[j].ifindex;
	}
}

void obs_done(struct observed *o)
{
	own_ifindexes(o);
	observed_index(o);
	ledger_sort(o->owned, o->nowned);
}

/* What every kernel has: the three default rules. */
static void kernel_rules(struct observed *o)
{
	obs_rule(o, AF_INET, 0, NOADDR, RT_TABLE_LOCAL, RTPROT_KERNEL);
	obs_rule(o, AF_INET, 32766, NOADDR, RT_TABLE_MAIN, RTPROT_KERNEL);
	obs_rule(o, AF_INET, 32767, NOADDR, RT_TABLE_DEFAULT, RTPROT_KERNEL);
}

int rail_ifindex(const struct railmap *m, unsigned i)
{
	for (unsigned j = 0; j < i; j++)
		if (!strcmp(m->rail[j].name, m->rail[i].name))
			return (int)j + 2;
	return (int)i + 2;
}

void obs_fresh(struct observed *o, const struct railmap *m)
{
	memset(o, 0, sizeof(*o));
	obs_all(o, 0, 0, 0, 0, 0);
	for (unsigned i = 0; i < m->n; i++)
		if (rail_ifindex(m, i) == (int)i + 2)
			obs_link(o, (int)i + 2, m->rail[i].name, 0);
	kernel_rules(o);
	obs_done(o);
}

static struct ipaddr host_of(const struct ipaddr *a)
{
	struct ipaddr h = *a;

	h.plen = (uint8_t)addr_bits(a);
	return h;
}

void obs_converge(struct observed *o, const struct railmap *m, bool ledger)
{
	memset(o, 0, sizeof(*o));
	obs_all(o, 0, 0, 0, 0, 0);
	for (int k = 0; k < SC_COUNT; k++) {
		o->all[k] = (int8_t)sysctl_all_target(k, m->all[k], 0, plan_min_ask(m, k));
		if (ledger && o->all[k] != 0)
			obs_own_sysctl(o, "all", k, 0);
	}
	for (unsigned i = 0; i < m->n; i++)
		if (rail_ifindex(m, i) == (int)i + 2)
			obs_link(o, (int)i + 2, m->rail[i].name, UP);
	for (unsigned i = 0; i < m->n; i++) {
		const struct rail *r = &m->rail[i];
		bool v4 = r->addr.family == AF_INET;
		struct ipaddr host = host_of(&r->addr);
		int ifindex = rail_ifindex(m, i);
		struct link *l = NULL;
		struct route *rt;

		for (unsigned j = 0; j < o->nlink && !l; j++)
			if (o->link[j].ifindex == ifindex)
				l = &o->link[j];
		for (int k = 0; k < SC_COUNT; k++)
			if (r->o.sysctl[k] != SC_UNSET && sysctl_desc[k].family == r->addr.family) {
				l->conf[k] = r->o.sysctl[k];
				if (ledger && r->o.sysctl[k] != 0)
					obs_own_sysctl(o, r->name, k, 0);
			}
		/* The IPv6 rail of a NIC asks for the IPv4 one's MTU: recorded once. */
		if (r->o.mtu && l->mtu != r->o.mtu) {
			if (ledger)
				obs_own_mtu(o, r->name, (int)l->mtu);
			l->mtu = r->o.mtu;
		}
		obs_addr(o, ifindex, r->addr, RAILUP_PROTO);
		if (ledger)
			obs_own_addr(o, r->name, r->addr);
		/* The kernel's own route for the address, in main. */
		obs_route(o, RT_TABLE_MAIN, addr_network(&r->addr), NOADDR, host, ifindex,
			  RTPROT_KERNEL, v4 ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE);
		if (r->addr.plen < addr_bits(&r->addr)) {
			rt = obs_route(o, r->o.table, addr_network(&r->addr), NOADDR, host, ifindex,
				       RAILUP_PROTO, v4 ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE);
			rt->metric = v4 ? 0 : 1024;
		}
		if (r->gw.family) {
			struct ipaddr dst = r->o.fabric;

			if (!dst.family) {
				memset(&dst, 0, sizeof(dst));
				dst.family = r->addr.family;
			}
			rt = obs_route(o, r->o.table, dst, host_of(&r->gw), host, ifindex,
				       RAILUP_PROTO, RT_SCOPE_UNIVERSE);
			rt->metric = v4 ? 0 : 1024;
		}
		obs_rule(o, r->addr.family, r->o.priority, host, r->o.table, RAILUP_PROTO);
	}
	kernel_rules(o);
	obs_done(o);
}

/* ---- plans ---- */

char *plan_text(const struct plan *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	plan_print(f, p);
	fclose(f);
	return buf;
}

bool plan_has_line(const struct plan *p, const char *line)
{
	char *text = plan_text(p), *save = NULL;
	bool found = false;

	for (char *l = strtok_r(text, "\n", &save); l && !found; l = strtok_r(NULL, "\n", &save))
		found = !strcmp(l, line);
	free(text);
	return found;
}

static bool matches(const struct change *c, int op, int rail)
{
	return (op == ANY || c->op == op) && (rail == ANY || c->rail == rail);
}

unsigned plan_count(const struct plan *p, int op, int rail)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->n; i++)
		n += matches(&p->ch[i], op, rail);
	return n;
}

const struct change *plan_nth(const struct plan *p, int op, int rail, unsigned nth)
{
	for (unsigned i = 0; i < p->n; i++)
		if (matches(&p->ch[i], op, rail) && !nth--)
			return &p->ch[i];
	return NULL;
}

unsigned plan_problems(const struct plan *p, int rail, bool fatal)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->npb; i++)
		n += (rail == ANY || p->pb[i].rail == rail) && p->pb[i].fatal == fatal;
	return n;
}

const struct problem *plan_problem(const struct plan *p, int rail)
{
	for (unsigned i = 0; i < p->npb; i++)
		if (rail == ANY || p->pb[i].rail == rail)
			return &p->pb[i];
	return NULL;
}

void assert_phase_order(const struct plan *p)
{
	for (unsigned i = 1; i < p->n; i++)
		ck_assert_msg(p->ch[i - 1].op <= p->ch[i].op,
			      "change %u (op %u) comes after change %u (op %u)", i, p->ch[i].op,
			      i - 1, p->ch[i - 1].op);
}

/* ---- temporary directories ---- */

char *tmpdir_new(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	ck_assert_int_gt(asprintf(&dir, "%s/railup-unit.XXXXXX", base && *base ? base : "/tmp"), 0);
	ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp %s: %s", dir, strerror(errno));
	return dir;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void rm_tree(const char *dir)
{
	if (dir)
		nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

char *unit_dir;

void unit_dir_setup(void)
{
	unit_dir = tmpdir_new();
}

void unit_dir_teardown(void)
{
	rm_tree(unit_dir);
	free(unit_dir);
	unit_dir = NULL;
}

char *unit_path(const char *name)
{
	char *p;

	ck_assert_int_gt(asprintf(&p, "%s%s%s", unit_dir, *name ? "/" : "", name), 0);
	return p;
}

void unit_write(const char *name, const char *text)
{
	char *p = unit_path(name);
	FILE *f = fopen(p, "w");

	ck_assert_msg(f != NULL, "%s: %s", p, strerror(errno));
	fputs(text, f);
	fclose(f);
	free(p);
}

char *unit_read(const char *name)
{
	enum { MAX = 64 * 1024 };
	char *p = unit_path(name), *buf = calloc(1, MAX);
	FILE *f = fopen(p, "r");

	ck_assert_msg(f != NULL, "%s: %s", p, strerror(errno));
	ck_assert_uint_lt(fread(buf, 1, MAX - 1, f), MAX - 1);
	fclose(f);
	free(p);
	return buf;
}

bool unit_exists(const char *name)
{
	char *p = unit_path(name);
	struct stat st;
	bool ok = lstat(p, &st) == 0;

	free(p);
	return ok;
}

unsigned unit_mode(const char *name)
{
	char *p = unit_path(name);
	struct stat st;

	ck_assert_msg(lstat(p, &st) == 0, "%s: %s", p, strerror(errno));
	free(p);
	return st.st_mode & 07777;
}

unsigned unit_entries(const char *sub)
{
	char *p = unit_path(sub);
	DIR *d = opendir(p);
	struct dirent *de;
	unsigned n = 0;

	ck_assert_msg(d != NULL, "%s: %s", p, strerror(errno));
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	free(p);
	return n;
}

/* ---- a stand-in for the kernel ---- */

static void *fake_main(void *arg)
{
	const size_t size = 1 << 20;
	char *buf = malloc(size); /* malloc'ed memory is aligned for a nlmsghdr */
	struct fake *f = arg;

	while (buf && f->done < f->steps) {
		ssize_t n = recv(f->fd, buf, size, MSG_TRUNC);
		struct nlbuf r = { 0 };
		unsigned step = f->done;

		if (n <= 0 || (size_t)n > size)
			break;
		f->req[step] = malloc((size_t)n);
		if (f->req[step])
			memcpy(f->req[step], buf, (size_t)n);
		f->reqlen[step] = (size_t)n;
		f->done = step + 1;
		f->reply(step, (const struct nlmsghdr *)buf, (size_t)n, &r, f->arg);
		if (r.len && send(f->fd, r.data, r.len, 0) < 0) {
			nlb_free(&r);
			break;
		}
		nlb_free(&r);
	}
	free(buf);
	return NULL;
}

static void time_out(int fd)
{
	struct timeval tv = { .tv_sec = 5 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

void fake_start(struct fake *f, struct nl *nl, unsigned steps, fake_reply_fn *fn, void *arg)
{
	int sv[2];

	ck_assert_uint_le(steps, FAKE_STEPS_MAX);
	memset(f, 0, sizeof(*f));
	/* Seqpacket keeps message boundaries like netlink, and reports a closed peer. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	time_out(sv[0]);
	time_out(sv[1]);
	*nl = (struct nl){ .fd = sv[0] };
	f->fd = sv[1];
	f->steps = steps;
	f->reply = fn;
	f->arg = arg;
	ck_assert_int_eq(pthread_create(&f->thread, NULL, fake_main, f), 0);
}

void fake_stop(struct fake *f, struct nl *nl)
{
	nl_close(nl);
	pthread_join(f->thread, NULL);
	close(f->fd);
	for (unsigned i = 0; i < FAKE_STEPS_MAX; i++)
		free(f->req[i]);
	f->fd = -1;
}

void *reply_msg(struct nlbuf *r, uint16_t type, uint16_t flags, uint32_t seq, size_t hdrlen)
{
	void *hdr = nlb_msg(r, type, 0, hdrlen);
	struct nlmsghdr *h = nlb_get(r, r->n - 1);

	h->nlmsg_flags = flags;
	h->nlmsg_seq = seq;
	return hdr;
}

void reply_err(struct nlbuf *r, const struct nlmsghdr *req, int err, const char *msg, bool capped)
{
	size_t payload = capped ? 0 : req->nlmsg_len - NLMSG_HDRLEN;
	uint16_t flags = (uint16_t)((msg ? NLM_F_ACK_TLVS : 0) | (capped ? NLM_F_CAPPED : 0));
	struct nlmsgerr *e =
		reply_msg(r, NLMSG_ERROR, flags, req->nlmsg_seq, sizeof(*e) + NLMSG_ALIGN(payload));

	e->error = err;
	e->msg = *req;
	if (payload)
		memcpy(e + 1, NLMSG_DATA(req), payload);
	if (msg)
		nlb_put_str(r, NLMSGERR_ATTR_MSG, msg);
}

void reply_done(struct nlbuf *r, uint32_t seq)
{
	int *err = reply_msg(r, NLMSG_DONE, NLM_F_MULTI, seq, sizeof(int));

	*err = 0;
}
