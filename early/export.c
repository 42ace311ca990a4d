// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"
#include "export.h"
#include "host.h"
#include "log.h"
#include "match.h"
#include "plan.h"
#include "sysctl.h"

#define SYSCTL_FILE   "90-railup-sysctl.conf"
#define NETWORKD_CONF "railup-networkd.conf"

/* A NIC: its IPv4 and its IPv6 rail (one may be absent), found as the first of them says. */
struct nic {
	const struct rail *v4, *v6, *first;
};

static const char *const target_name[] = { "networkd", "NetworkManager" };

int export_kind_parse(const char *s, enum export_kind *k)
{
	if (!strcmp(s, "networkd"))
		*k = EXPORT_NETWORKD;
	else if (!strcmp(s, "nm"))
		*k = EXPORT_NM;
	else
		return -1;
	return 0;
}

static char *mac_text(const uint8_t *b, unsigned n, bool upper, char buf[64])
{
	for (unsigned i = 0; i < n; i++)
		sprintf(buf + 3 * i, upper ? "%02X:" : "%02x:", b[i]);
	buf[n ? 3 * n - 1 : 0] = '\0';
	return buf;
}

/* The identity as the map writes it, for comments and messages. */
static const char *ident_text(const struct rail_match *id, char buf[80])
{
	match_describe(id, buf, 80);
	return buf;
}

/* An identity the target cannot match: the file matches the label, and says so. */
static void by_label(FILE *f, const struct rail *r, enum export_kind k)
{
	char id[80];

	ident_text(&r->match, id);
	fprintf(f, "# railup finds this NIC by %s, which %s cannot match: by its name instead.\n",
		id, target_name[k]);
	log_warn("export: %s: %s cannot find a NIC by %s: its file matches the name %s", r->name,
		 target_name[k], id, r->name);
}

static bool same_identity(const struct rail_match *a, const struct rail_match *b)
{
	if (a->kind != b->kind || a->port != b->port)
		return false;
	switch (a->kind) {
	case MATCH_MAC:
		return a->maclen == b->maclen && !memcmp(a->mac, b->mac, a->maclen);
	case MATCH_PCI:
		return !strcmp(a->pci, b->pci);
	case MATCH_GUID:
		return a->guid == b->guid;
	case MATCH_IBDEV:
		return !strcmp(a->ibdev, b->ibdev);
	default:
		return true;
	}
}

/* The map's NICs in order of first appearance; -1 when a NIC's rails disagree on its identity. */
static int collect(const struct railmap *m, struct nic **out, unsigned *n)
{
	struct nic *v = xcalloc(m->n, sizeof(*v));

	*n = 0;
	for (unsigned i = 0; i < m->n; i++) {
		const struct rail *r = &m->rail[i];
		struct nic *c = NULL;

		for (unsigned j = 0; j < *n && !c; j++)
			if (!strcmp(v[j].first->name, r->name))
				c = &v[j];
		if (!c) {
			c = &v[(*n)++];
			c->first = r;
		} else if (!same_identity(&c->first->match, &r->match)) {
			token_error(r->where, r->token,
				    "a NIC's rails need one identity: %s names another",
				    quotes(c->first->token));
			free(v);
			return -1;
		}
		if (r->addr.family == AF_INET)
			c->v4 = r;
		else
			c->v6 = r;
	}
	*out = v;
	return 0;
}

/* ---- systemd-networkd ---- */

static void nd_match(FILE *f, const struct rail *r)
{
	const struct rail_match *id = &r->match;
	char mac[64];

	fputs("[Match]\n", f);
	if (id->kind == MATCH_MAC && id->maclen == 6) {
		fprintf(f, "MACAddress=%s\n", mac_text(id->mac, 6, false, mac));
	} else if (id->kind == MATCH_PCI && !id->port) {
		fprintf(f, "Path=pci-%s\n", id->pci);
	} else {
		if (id->kind != MATCH_NAME)
			by_label(f, r, EXPORT_NETWORKD);
		fprintf(f, "Name=%s\n", r->name);
	}
}

static void nd_rail(FILE *f, const struct rail *r)
{
	struct route rt[2];
	struct rule u = plan_rail_rule(r);
	unsigned n = plan_rail_routes(r, 0, rt);
	char a[ADDR_STRLEN];

	fprintf(f, "\n[Address]\nAddress=%s\n", addr_fmt(&r->addr, true, a));
	if (r->addr.family == AF_INET6)
		fputs("DuplicateAddressDetection=none\n", f);
	for (unsigned i = 0; i < n; i++) {
		fprintf(f, "\n[Route]\nDestination=%s\n", addr_fmt(&rt[i].dst, true, a));
		if (rt[i].gw.family)
			fprintf(f, "Gateway=%s\n", addr_fmt(&rt[i].gw, false, a));
		fprintf(f, "PreferredSource=%s\n", addr_fmt(&rt[i].src, false, a));
		if (rt[i].dst.family == AF_INET && rt[i].scope == RT_SCOPE_LINK)
			fputs("Scope=link\n", f);
		fprintf(f, "Table=%u\nMetric=%u\n", rt[i].table, rt[i].metric);
	}
	fprintf(f, "\n[RoutingPolicyRule]\nFrom=%s\nTable=%u\nPriority=%u\n",
		addr_fmt(&u.src, false, a), u.table, u.priority);
}

static void render_networkd(FILE *f, const struct nic *c)
{
	fprintf(f,
		EXPORT_MARK
		" from the rail map: NIC %s.\n"
		"# Install in /etc/systemd/network/. The sysctls networkd has no settings\n"
		"# for are in " SYSCTL_FILE ".\n",
		c->first->name);
	nd_match(f, c->first);
	if (c->first->o.mtu)
		fprintf(f, "\n[Link]\nMTUBytes=%u\n", c->first->o.mtu);
	if (c->v6 && c->v6->o.sysctl[SC_ACCEPT_RA] != SC_UNSET)
		fprintf(f, "\n[Network]\nIPv6AcceptRA=%s\n",
			c->v6->o.sysctl[SC_ACCEPT_RA] ? "yes" : "no");
	if (c->v4)
		nd_rail(f, c->v4);
	if (c->v6)
		nd_rail(f, c->v6);
}

/* ---- NetworkManager keyfiles ---- */

/* A stable UUID per NIC (version 8, from hashes of its name): exporting again keeps it. */
static void nm_uuid(const char *name, char buf[40])
{
	uint64_t h[2] = { 0xcbf29ce484222325ull, 0x84222325cbf29ce4ull };

	for (int i = 0; i < 2; i++) {
		/* FNV-1a, then a finalizer's mixing so that ib0 and ib1 differ in every digit. */
		for (const char *p = name; *p; p++)
			h[i] = (h[i] ^ (uint8_t)*p) * 0x100000001b3ull;
		h[i] = (h[i] ^ (h[i] >> 33)) * 0xff51afd7ed558ccdull;
		h[i] = (h[i] ^ (h[i] >> 33)) * 0xc4ceb9fe1a85ec53ull;
		h[i] ^= h[i] >> 33;
	}
	h[0] = (h[0] & ~0xf000ull) | 0x8000;
	h[1] = (h[1] & ~(0xc0ull << 56)) | (0x80ull << 56);
	snprintf(buf, 40, "%08llx-%04llx-%04llx-%04llx-%012llx", (unsigned long long)(h[0] >> 32),
		 (unsigned long long)(h[0] >> 16 & 0xffff), (unsigned long long)(h[0] & 0xffff),
		 (unsigned long long)(h[1] >> 48), (unsigned long long)(h[1] & 0xffffffffffffull));
}

/*
 * The link layer, which the map does not say: a 6-byte mac= is Ethernet, an
 * IPoIB mac= (8 or 20 bytes) InfiniBand; otherwise the profile decides
 * (roce: Ethernet, ipoib: InfiniBand).
 */
static bool nm_infiniband(const struct railmap *m, const struct rail_match *id)
{
	if (id->kind == MATCH_MAC)
		return id->maclen != 6;
	return m->profile == PROFILE_IPOIB;
}

static void nm_connection(FILE *f, const struct railmap *m, const struct rail *r)
{
	const struct rail_match *id = &r->match;
	bool ib = nm_infiniband(m, id);
	uint8_t hw[20] = { 0 };
	char buf[64];

	nm_uuid(r->name, buf);
	fprintf(f, "[connection]\nid=railup-%s\nuuid=%s\ntype=%s\n", r->name, buf,
		ib ? "infiniband" : "ethernet");
	if (id->kind == MATCH_NAME || (id->kind == MATCH_PCI && id->port) ||
	    id->kind == MATCH_GUID || id->kind == MATCH_IBDEV) {
		if (id->kind != MATCH_NAME)
			by_label(f, r, EXPORT_NM);
		fprintf(f, "interface-name=%s\n", r->name);
	}
	if (ib) {
		fputs("\n[infiniband]\ntransport-mode=datagram\n", f);
		if (r->o.mtu)
			fprintf(f, "mtu=%u\n", r->o.mtu);
		if (id->kind == MATCH_MAC) {
			memcpy(hw + 20 - id->maclen, id->mac, id->maclen);
			fprintf(f,
				"# NetworkManager compares the port GUID (the last 8 bytes).\n"
				"mac-address=%s\n",
				mac_text(hw, 20, true, buf));
		}
	} else if (id->kind == MATCH_MAC || r->o.mtu) {
		fputs("\n[ethernet]\n", f);
		if (r->o.mtu)
			fprintf(f, "mtu=%u\n", r->o.mtu);
		if (id->kind == MATCH_MAC)
			fprintf(f, "mac-address=%s\n", mac_text(id->mac, 6, true, buf));
	}
	if (id->kind == MATCH_PCI && !id->port)
		fprintf(f, "\n[match]\npath=pci-%s\n", id->pci);
}

static void nm_rail(FILE *f, const struct rail *r)
{
	struct route rt[2];
	struct rule u = plan_rail_rule(r);
	unsigned n = plan_rail_routes(r, 0, rt);
	char a[ADDR_STRLEN], g[ADDR_STRLEN];

	fprintf(f, "\n[ipv%c]\nmethod=manual\naddress1=%s\n", r->addr.family == AF_INET ? '4' : '6',
		addr_fmt(&r->addr, true, a));
	for (unsigned i = 0; i < n; i++) {
		fprintf(f, "route%u=%s,%s,%u\nroute%u_options=", i + 1,
			addr_fmt(&rt[i].dst, true, a),
			rt[i].gw.family		      ? addr_fmt(&rt[i].gw, false, g)
			: rt[i].dst.family == AF_INET ? "0.0.0.0"
						      : "::",
			rt[i].metric, i + 1);
		if (rt[i].dst.family == AF_INET && rt[i].scope == RT_SCOPE_LINK)
			fprintf(f, "scope=%u,", RT_SCOPE_LINK);
		fprintf(f, "src=%s,table=%u\n", addr_fmt(&rt[i].src, false, a), rt[i].table);
	}
	fprintf(f, "routing-rule1=priority %u from %s table %u\n", u.priority,
		addr_fmt(&u.src, false, a), u.table);
}

static void render_nm(FILE *f, const struct railmap *m, const struct nic *c)
{
	fprintf(f,
		EXPORT_MARK
		" from the rail map: NIC %s.\n"
		"# Install in /etc/NetworkManager/system-connections/, mode 0600 and owned\n"
		"# by root (or NetworkManager ignores it). The sysctls NetworkManager has\n"
		"# no settings for are in " SYSCTL_FILE ".\n",
		c->first->name);
	nm_connection(f, m, c->first);
	if (c->v4)
		nm_rail(f, c->v4);
	else
		fputs("\n[ipv4]\nmethod=disabled\n", f);
	if (c->v6)
		nm_rail(f, c->v6);
	else
		fputs("\n[ipv6]\nmethod=ignore\n", f);
}

/* ---- the sysctls, for both ---- */

static void sysctl_line(FILE *f, const char *comment, const char *dev, enum sysctl_key k, int v)
{
	char name[SYSCTL_NAME_MAX];

	fprintf(f, "%s%s = %d\n", comment, sysctl_name(name, dev, k), v);
}

/* conf/all as railup sets it: the map's value, lowered until every rail's own takes effect. */
static void sysctl_all(FILE *f, const struct railmap *m, enum sysctl_key k)
{
	int min_ask = plan_min_ask(m, k), max = sysctl_desc[k].maxval, ceil;

	if (m->all[k] != SC_UNSET) {
		sysctl_line(f, "", "all", k, sysctl_all_target(k, m->all[k], m->all[k], min_ask));
		return;
	}
	ceil = sysctl_all_target(k, SC_UNSET, max, min_ask);
	if (ceil >= 0 && ceil < max)
		fprintf(f,
			"# net.ipv4.conf.all.%s: left alone; the rails' values need it at most "
			"%d\n",
			sysctl_desc[k].name, ceil);
}

static void render_sysctl(FILE *f, const struct railmap *m)
{
	char id[80];

	fputs(EXPORT_MARK " from the rail map: the rails' sysctls, which\n"
			  "# networkd and NetworkManager have no settings for. Install in\n"
			  "# /etc/sysctl.d/: systemd-sysctl sets an interface's values when it\n"
			  "# appears (udev), conf/all at boot.\n",
	      f);
	for (int k = 0; k < SC_COUNT; k++)
		if (sysctl_desc[k].family == AF_INET)
			sysctl_all(f, m, k);
	for (unsigned i = 0; i < m->n; i++) {
		const struct rail *r = &m->rail[i];
		bool by_id = r->match.kind != MATCH_NAME, said = false;

		for (int k = 0; k < SC_COUNT; k++) {
			if (sysctl_desc[k].family != r->addr.family || r->o.sysctl[k] == SC_UNSET)
				continue;
			if (by_id && !said)
				fprintf(f,
					"# %s is found by %s: its interface's name is known at "
					"boot only. Its values:\n",
					r->name, ident_text(&r->match, id));
			said = true;
			sysctl_line(f, by_id ? "#" : "", r->name, k, r->o.sysctl[k]);
		}
	}
}

static void render_networkd_conf(FILE *f)
{
	fputs(EXPORT_MARK
	      ". Install in /etc/systemd/networkd.conf.d/:\n"
	      "# networkd then leaves alone the rules and routes it did not make (railup's\n"
	      "# from the initramfs, and others'), as railup leaves networkd's.\n"
	      "[Network]\n"
	      "ManageForeignRoutingPolicyRules=no\n"
	      "ManageForeignRoutes=no\n",
	      f);
}

/* ---- rendering ---- */

struct out {
	FILE *f;
	char *text;
	size_t len;
};

static FILE *out_open(struct out *o)
{
	o->f = open_memstream(&o->text, &o->len);
	if (!o->f) {
		log_err("out of memory");
		exit(EXIT_FAIL);
	}
	return o->f;
}

static void out_add(struct export_files *s, struct out *o, unsigned mode, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void out_add(struct export_files *s, struct out *o, unsigned mode, const char *fmt, ...)
{
	struct export_file *e;
	va_list ap;

	if (fclose(o->f)) {
		log_err("out of memory");
		exit(EXIT_FAIL);
	}
	s->f = xgrow(s->f, s->n, &s->cap, sizeof(*s->f));
	e = &s->f[s->n++];
	va_start(ap, fmt);
	vsnprintf(e->name, sizeof(e->name), fmt, ap);
	va_end(ap);
	e->mode = mode;
	e->text = o->text;
	e->len = o->len;
}

int export_render(const struct railmap *m, enum export_kind k, struct export_files *s)
{
	struct nic *nics = NULL;
	struct out o;
	unsigned n;

	memset(s, 0, sizeof(*s));
	if (collect(m, &nics, &n))
		return -1;
	for (unsigned i = 0; i < n; i++) {
		if (k == EXPORT_NETWORKD) {
			render_networkd(out_open(&o), &nics[i]);
			out_add(s, &o, 0644, "50-railup-%s.network", nics[i].first->name);
		} else {
			render_nm(out_open(&o), m, &nics[i]);
			out_add(s, &o, 0600, "railup-%s.nmconnection", nics[i].first->name);
		}
	}
	if (k == EXPORT_NETWORKD) {
		render_networkd_conf(out_open(&o));
		out_add(s, &o, 0644, NETWORKD_CONF);
	}
	render_sysctl(out_open(&o), m);
	out_add(s, &o, 0644, SYSCTL_FILE);
	free(nics);
	return 0;
}

void export_files_free(struct export_files *s)
{
	for (unsigned i = 0; i < s->n; i++)
		free(s->f[i].text);
	free(s->f);
	memset(s, 0, sizeof(*s));
}

/* ---- writing ---- */

/* A per-NIC name of the kind: railup's to replace or remove when it carries the mark. */
static bool per_nic_name(const char *name, enum export_kind k)
{
	const char *pre = k == EXPORT_NETWORKD ? "50-railup-" : "railup-";
	const char *suf = k == EXPORT_NETWORKD ? ".network" : ".nmconnection";
	size_t n = strlen(name), p = strlen(pre), q = strlen(suf);

	return n > p + q && !strncmp(name, pre, p) && !strcmp(name + n - q, suf);
}

/* 1: railup's (a regular file starting with the mark), 0: absent, -1: another's. */
static int owner(int dfd, const char *name)
{
	char buf[sizeof(EXPORT_MARK) - 1];
	struct stat st;
	ssize_t n = -1;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode))
		n = read(fd, buf, sizeof(buf));
	close(fd);
	return n == (ssize_t)sizeof(buf) && !memcmp(buf, EXPORT_MARK, sizeof(buf)) ? 1 : -1;
}

/* The file's text under a fresh temporary name in the directory, synced. */
static int write_temp(int dfd, const struct export_file *e, char tmp[64])
{
	static unsigned seq;
	size_t done = 0;
	int fd, err;

	do {
		snprintf(tmp, 64, ".railup-export.%ld.%u", (long)getpid(), seq++);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	} while (fd < 0 && errno == EEXIST);
	if (fd < 0)
		return -1;
	while (done < e->len) {
		ssize_t w = write(fd, e->text + done, e->len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;
		done += (size_t)w;
	}
	if (done == e->len && !fchmod(fd, e->mode) && !fsync(fd) && !close(fd))
		return 0;
	err = errno;
	close(fd);
	unlinkat(dfd, tmp, 0);
	errno = err;
	return -1;
}

static bool in_set(const struct export_files *s, const char *name)
{
	for (unsigned i = 0; i < s->n; i++)
		if (!strcmp(s->f[i].name, name))
			return true;
	return false;
}

/* railup's files of the kind whose NIC the map no longer has. */
static void remove_stale(int dfd, const char *dir, enum export_kind k, const struct export_files *s)
{
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		log_warn("export: %s: cannot list it for stale files: %s", dir, strerror(errno));
		return;
	}
	while ((de = readdir(d)))
		if (per_nic_name(de->d_name, k) && !in_set(s, de->d_name) &&
		    owner(dfd, de->d_name) == 1) {
			if (unlinkat(dfd, de->d_name, 0))
				log_warn("export: %s/%s: %s", dir, de->d_name, strerror(errno));
			else
				log_info("export: %s/%s removed: the map has no such NIC", dir,
					 de->d_name);
		}
	closedir(d);
}

/* The directory and those above it, as mkdir -p makes them. */
static int make_dirs(const char *dir)
{
	char *p = strdup(dir), *slash = p;
	int ret = 0;

	if (!p)
		return -1;
	while (!ret && slash) {
		slash = strchr(slash + 1, '/');
		if (slash)
			*slash = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			ret = -1;
		if (slash)
			*slash = '/';
	}
	free(p);
	return ret;
}

int export_write(const char *dir, enum export_kind k, const struct export_files *s)
{
	char(*tmp)[64] = xcalloc(s->n, sizeof(*tmp));
	unsigned written = 0, renamed = 0;
	int dfd, ret = -1;

	if (make_dirs(dir)) {
		log_err("export: %s: %s", dir, strerror(errno));
		free(tmp);
		return -1;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		log_err("export: %s: %s", dir, strerror(errno));
		free(tmp);
		return -1;
	}
	for (unsigned i = 0; i < s->n; i++)
		if (owner(dfd, s->f[i].name) < 0) {
			log_err("export: %s/%s is not railup's (it does not start with \"%s\"): "
				"left alone, nothing written",
				dir, s->f[i].name, EXPORT_MARK);
			goto out;
		}
	/* All of them written before any replaces its file: a full disk changes nothing. */
	for (; written < s->n; written++)
		if (write_temp(dfd, &s->f[written], tmp[written])) {
			log_err("export: %s/%s: %s", dir, s->f[written].name, strerror(errno));
			goto out;
		}
	for (; renamed < s->n; renamed++)
		if (renameat(dfd, tmp[renamed], dfd, s->f[renamed].name)) {
			log_err("export: %s/%s: %s", dir, s->f[renamed].name, strerror(errno));
			goto out;
		}
	remove_stale(dfd, dir, k, s);
	fsync(dfd);
	if (k == EXPORT_NM && geteuid())
		log_warn("export: not root: NetworkManager ignores keyfiles root does not own");
	log_info("export: %u files in %s", s->n, dir);
	ret = 0;
out:
	for (unsigned i = renamed; i < written; i++)
		unlinkat(dfd, tmp[i], 0);
	close(dfd);
	free(tmp);
	return ret;
}

/* ---- the command ---- */

/* Templated addresses get the host index: from the map, the hostname, or this node's NICs. */
static int resolve_hosts(struct railmap *m)
{
	struct observed o = { 0 };
	struct nl nl = { .fd = -1 };
	char why[160];
	uint64_t index;
	int ret = 0;

	if (!railmap_has_templates(m))
		return 0;
	if ((m->host.source == HOST_ADDR || m->host.source == HOST_BOOTIF) &&
	    !nl_open(&nl, NETLINK_ROUTE))
		rtnl_observe(&nl, m, &o);
	if (host_index(&m->host, &o, &index, why, sizeof(why))) {
		log_err("export: no host index for the templated addresses: %s", why);
		ret = EXIT_FAIL;
	} else if (railmap_resolve_hosts(m, index)) {
		ret = EXIT_BAD;
	}
	observed_free(&o);
	nl_close(&nl);
	return ret;
}

int cmd_export(const struct opts *o)
{
	struct export_files s = { 0 };
	enum export_kind k;
	struct railmap m;
	int ret;

	if (o->nargs != 2) {
		log_err("export: usage: railup export networkd|nm DIR");
		return EXIT_BAD;
	}
	if (export_kind_parse(o->args[0], &k)) {
		log_err("export: %s: not networkd or nm", quotes(o->args[0]));
		return EXIT_BAD;
	}
	railmap_init(&m);
	switch (config_load(&m, o->cmdline, o->conf, o->conf_given)) {
	case CONFIG_BAD:
		ret = EXIT_BAD;
		break;
	case CONFIG_DISABLED:
		log_notice("disabled by rd.rail=0: nothing exported");
		ret = EXIT_OK;
		break;
	default:
		ret = resolve_hosts(&m);
		if (!ret && export_render(&m, k, &s))
			ret = EXIT_BAD;
		else if (!ret)
			ret = export_write(o->args[1], k, &s) ? EXIT_FAIL : EXIT_OK;
	}
	export_files_free(&s);
	railmap_free(&m);
	return ret;
}
