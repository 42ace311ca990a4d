// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "sysctl.h"
#include "text.h"
#include "tokens.h"

/* What a token is being parsed into, for errors and for the setters. */
struct pctx {
	struct railmap *m;
	struct rail *r; /* NULL for rd.rail.<key> */
	const struct tok *t;
};

static int fail(const struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(const struct pctx *c, const char *fmt, ...)
{
	char what[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return token_error(c->t->where, c->t->text, "%s", what);
}

enum ktype {
	K_U32,
	K_BOOL,
	K_SYSCTL,
	K_PREFIX,
	K_MTU,
	K_PMTU,
	K_MAC,
	K_PCI,
	K_GUID,
	K_IBDEV,
	K_TIMEOUT,
	K_MODULES,
	K_PROFILE,
	K_POLICY,
	K_HOST,
	K_PATH,
	K_ALL,
};

enum { IN_RAIL = 1, IN_MAP = 2 };

struct key {
	const char *name;
	uint8_t type;
	uint8_t scope;
	uint8_t id; /* enum rail_opt, enum map_opt or enum sysctl_key */
};

static const struct key keys[] = {
	{ "table", K_U32, IN_RAIL | IN_MAP, OPT_TABLE },
	{ "priority", K_U32, IN_RAIL | IN_MAP, OPT_PRIORITY },
	{ "fabric", K_PREFIX, IN_RAIL | IN_MAP, OPT_FABRIC },
	{ "required", K_BOOL, IN_RAIL | IN_MAP, OPT_REQUIRED },
	{ "verify", K_BOOL, IN_RAIL | IN_MAP, OPT_VERIFY },
	{ "rxe", K_BOOL, IN_RAIL | IN_MAP, OPT_RXE },
	{ "mtu", K_MTU, IN_RAIL | IN_MAP, OPT_MTU },
	{ "pmtu", K_PMTU, IN_RAIL | IN_MAP, OPT_PMTU },
	{ "rp_filter", K_SYSCTL, IN_RAIL | IN_MAP, SC_RP_FILTER },
	{ "arp_ignore", K_SYSCTL, IN_RAIL | IN_MAP, SC_ARP_IGNORE },
	{ "arp_announce", K_SYSCTL, IN_RAIL | IN_MAP, SC_ARP_ANNOUNCE },
	{ "arp_filter", K_SYSCTL, IN_RAIL | IN_MAP, SC_ARP_FILTER },
	{ "accept_local", K_SYSCTL, IN_RAIL | IN_MAP, SC_ACCEPT_LOCAL },
	{ "keep_addr_on_down", K_SYSCTL, IN_RAIL | IN_MAP, SC_KEEP_ADDR_ON_DOWN },
	{ "accept_ra", K_SYSCTL, IN_RAIL | IN_MAP, SC_ACCEPT_RA },
	{ "mac", K_MAC, IN_RAIL, MATCH_MAC },
	{ "pci", K_PCI, IN_RAIL, MATCH_PCI },
	{ "guid", K_GUID, IN_RAIL, MATCH_GUID },
	{ "ibdev", K_IBDEV, IN_RAIL, MATCH_IBDEV },
	{ "timeout", K_TIMEOUT, IN_MAP, MOPT_TIMEOUT },
	{ "verify_timeout", K_TIMEOUT, IN_MAP, MOPT_VERIFY_TIMEOUT },
	{ "modules", K_MODULES, IN_MAP, MOPT_MODULES },
	{ "profile", K_PROFILE, IN_MAP, MOPT_PROFILE },
	{ "policy", K_POLICY, IN_MAP, MOPT_POLICY },
	{ "host", K_HOST, IN_MAP, MOPT_HOST },
	{ "metrics", K_PATH, IN_MAP, MOPT_METRICS },
	{ "all.rp_filter", K_ALL, IN_MAP, SC_RP_FILTER },
	{ "all.arp_ignore", K_ALL, IN_MAP, SC_ARP_IGNORE },
	{ "all.arp_announce", K_ALL, IN_MAP, SC_ARP_ANNOUNCE },
	{ "all.arp_filter", K_ALL, IN_MAP, SC_ARP_FILTER },
	{ "all.accept_local", K_ALL, IN_MAP, SC_ACCEPT_LOCAL },
};

static const struct key *find_key(const char *name, size_t n, unsigned scope)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((keys[i].scope & scope) && strlen(keys[i].name) == n &&
		    !memcmp(keys[i].name, name, n))
			return &keys[i];
	return NULL;
}

/* Decimal, no sign, no leading zeros, no overflow. */
static bool parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		uint64_t d = (uint64_t)(s[i] - '0');

		if (s[i] < '0' || s[i] > '9' || d > max || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Hex bytes written as pairs, each pair optionally separated by ':' or '-'. */
static int parse_hex_bytes(const char *s, size_t n, uint8_t *out, size_t max)
{
	size_t len = 0, i = 0;

	while (i < n) {
		int hi, lo;

		if (len == max || i + 1 >= n)
			return -1;
		hi = hexval(s[i]);
		lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[len++] = (uint8_t)(hi << 4 | lo);
		i += 2;
		if (i < n && (s[i] == ':' || s[i] == '-')) {
			if (++i == n)
				return -1;
		}
	}
	return (int)len;
}

/* "name" or "name/port", the port 1..255. */
static int split_port(const char *s, size_t n, size_t *namelen, uint8_t *port)
{
	const char *slash = memchr(s, '/', n);
	uint64_t p = 0;

	*namelen = slash ? (size_t)(slash - s) : n;
	*port = 0;
	if (!slash)
		return 0;
	if (!parse_u64(slash + 1, n - *namelen - 1, 255, &p) || p == 0)
		return -1;
	*port = (uint8_t)p;
	return 0;
}

static bool valid_pci(const char *s, size_t n)
{
	/* [dddd:]bb:dd.f */
	static const char shape[] = "xxxx:xx:xx.x";
	size_t off = n == 7 ? 5 : 0;

	if (n != 7 && n != 12)
		return false;
	for (size_t i = 0; i < n; i++) {
		char want = shape[i + off];

		if (want == 'x' ? hexval(s[i]) < 0 : s[i] != want)
			return false;
	}
	return true;
}

static int set_identity(const struct pctx *c, const struct key *k, const char *v, size_t n)
{
	struct rail_match *mt = &c->r->match;
	size_t namelen;
	uint8_t b[20];
	int len;

	if (mt->kind != MATCH_NAME)
		return fail(c, "only one of mac=, pci=, guid=, ibdev= per rail");
	switch (k->type) {
	case K_MAC:
		len = parse_hex_bytes(v, n, b, sizeof(b));
		if (len != 6 && len != 8 && len != 20)
			return fail(c,
				    "mac=%s: not a 6-byte MAC, an 8-byte port GUID or a 20-byte "
				    "IPoIB address",
				    quote(v, n));
		memcpy(mt->mac, b, (size_t)len);
		mt->maclen = (uint8_t)len;
		break;
	case K_PCI:
		if (split_port(v, n, &namelen, &mt->port) || !valid_pci(v, namelen))
			return fail(c, "pci=%s: not a PCI function like 0000:3b:00.0[/port]",
				    quote(v, n));
		snprintf(mt->pci, sizeof(mt->pci), "%s%.*s", namelen == 7 ? "0000:" : "",
			 (int)namelen, v);
		for (char *p = mt->pci; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		break;
	case K_GUID:
		if (n > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
			v += 2;
			n -= 2;
		}
		/* IB tools write GUIDs as 0002:c903:00a1:b2c3: accept any grouping. */
		len = 0;
		mt->guid = 0;
		for (size_t i = 0; i < n; i++) {
			if (v[i] == ':' && i && i + 1 < n && v[i + 1] != ':')
				continue;
			if (hexval(v[i]) < 0 || ++len > 16) {
				len = -1;
				break;
			}
			mt->guid = mt->guid << 4 | (uint64_t)hexval(v[i]);
		}
		if (len != 16)
			return fail(c, "guid=%s: not a 64-bit GUID (16 hex digits)", quote(v, n));
		break;
	case K_IBDEV:
		if (split_port(v, n, &namelen, &mt->port) || namelen == 0 ||
		    namelen >= sizeof(mt->ibdev))
			return fail(c, "ibdev=%s: not an RDMA device[/port]", quote(v, n));
		for (size_t i = 0; i < namelen; i++)
			if (!isalnum((unsigned char)v[i]) && v[i] != '_' && v[i] != '-' &&
			    v[i] != '.')
				return fail(c, "ibdev=%s: not an RDMA device name", quote(v, n));
		memcpy(mt->ibdev, v, namelen);
		mt->ibdev[namelen] = '\0';
		break;
	}
	mt->kind = (enum match_kind)k->id;
	return 0;
}

static bool valid_ifname(const char *s, size_t n);

static int set_map(const struct pctx *c, const struct key *k, const char *v, size_t n)
{
	struct railmap *m = c->m;
	uint64_t x;

	switch (k->type) {
	case K_TIMEOUT: {
		size_t digits = n;
		uint64_t scale = 1000;

		if (n > 2 && !memcmp(v + n - 2, "ms", 2)) {
			digits = n - 2;
			scale = 1;
		} else if (n > 1 && v[n - 1] == 's') {
			digits = n - 1;
		}
		if (!parse_u64(v, digits, 86400000, &x) || x * scale > 86400000)
			return fail(c, "%s=%s: not a duration (seconds, or N ms) up to a day",
				    k->name, quote(v, n));
		*(k->id == MOPT_TIMEOUT ? &m->timeout_ms : &m->verify_timeout_ms) =
			(unsigned)(x * scale);
		break;
	}
	case K_MODULES:
		if (n >= sizeof(m->modules))
			return fail(c, "modules= is longer than %zu bytes", sizeof(m->modules) - 1);
		for (size_t i = 0; i < n; i++) {
			bool sep = v[i] == ',';

			if (!(isalnum((unsigned char)v[i]) || v[i] == '_' || v[i] == '-' || sep) ||
			    (sep && (i == 0 || i + 1 == n || v[i + 1] == ',')))
				return fail(
					c, "modules=%s: not a comma-separated list of module names",
					quote(v, n));
		}
		memcpy(m->modules, v, n);
		m->modules[n] = '\0';
		break;
	case K_PROFILE:
		if (n == 4 && !memcmp(v, "roce", 4))
			m->profile = PROFILE_ROCE;
		else if (n == 5 && !memcmp(v, "ipoib", 5))
			m->profile = PROFILE_IPOIB;
		else
			return fail(c, "profile=%s: not roce or ipoib", quote(v, n));
		break;
	case K_HOST: {
		struct host_spec *h = &m->host;

		if (n == 8 && !memcmp(v, "hostname", 8)) {
			h->source = HOST_HOSTNAME;
		} else if (n == 6 && !memcmp(v, "bootif", 6)) {
			h->source = HOST_BOOTIF;
		} else if (n > 5 && !memcmp(v, "addr:", 5) && valid_ifname(v + 5, n - 5)) {
			h->source = HOST_ADDR;
			memcpy(h->ifname, v + 5, n - 5);
			h->ifname[n - 5] = '\0';
		} else if (parse_u64(v, n, UINT32_MAX, &x)) {
			h->source = HOST_NUMBER;
			h->number = x;
		} else {
			return fail(c,
				    "host=%s: not a number, hostname, bootif or addr:<interface>",
				    quote(v, n));
		}
		break;
	}
	case K_PATH:
		if (n && (v[0] != '/' || n >= sizeof(m->metrics) || memchr(v, '\n', n)))
			return fail(c, "%s=%s: not an absolute path (up to %zu bytes)", k->name,
				    quote(v, n), sizeof(m->metrics) - 1);
		memcpy(m->metrics, v, n);
		m->metrics[n] = '\0';
		break;
	case K_POLICY:
		if (n == 8 && !memcmp(v, "continue", 8))
			m->policy = POLICY_CONTINUE;
		else if (n == 4 && !memcmp(v, "halt", 4))
			m->policy = POLICY_HALT;
		else
			return fail(c, "policy=%s: not continue or halt", quote(v, n));
		break;
	case K_ALL:
		if (n == 0) {
			m->all[k->id] = SC_UNSET;
		} else if (!parse_u64(v, n, (uint64_t)sysctl_desc[k->id].maxval, &x)) {
			return fail(c, "%s=%s: not a value from 0 to %d", k->name, quote(v, n),
				    sysctl_desc[k->id].maxval);
		} else {
			m->all[k->id] = (int8_t)x;
		}
		m->mset |= 1u << (MOPT_ALL + k->id);
		return 0;
	}
	m->mset |= 1u << k->id;
	return 0;
}

static int set_opt(const struct pctx *c, struct rail_opts *o, const struct key *k, const char *v,
		   size_t n)
{
	const char *why = "";
	uint64_t x;

	switch (k->type) {
	case K_U32:
		if (!parse_u64(v, n, UINT32_MAX, &x))
			return fail(c, "%s=%s: not a number from 0 to %u", k->name, quote(v, n),
				    UINT32_MAX);
		if (k->id == OPT_TABLE)
			o->table = (uint32_t)x;
		else
			o->priority = (uint32_t)x;
		break;
	case K_BOOL:
		if (n != 1 || (v[0] != '0' && v[0] != '1'))
			return fail(c, "%s=%s: not 0 or 1", k->name, quote(v, n));
		*(k->id == OPT_REQUIRED ? &o->required
		  : k->id == OPT_VERIFY ? &o->verify
					: &o->rxe) = (uint8_t)(v[0] - '0');
		break;
	case K_SYSCTL:
		if (n == 0) {
			o->sysctl[k->id] = SC_UNSET;
		} else if (!parse_u64(v, n, (uint64_t)sysctl_desc[k->id].maxval, &x)) {
			return fail(c, "%s=%s: not a value from 0 to %d", k->name, quote(v, n),
				    sysctl_desc[k->id].maxval);
		} else {
			o->sysctl[k->id] = (int8_t)x;
		}
		o->set |= 1u << (OPT_SYSCTL + k->id);
		return 0;
	case K_MTU:
		/* Empty: leave the interface's MTU alone (over a default). */
		if (n == 0)
			x = 0;
		else if (!parse_u64(v, n, MTU_MAX, &x) || x < MTU_MIN)
			return fail(c, "mtu=%s: not an MTU from %d to %d", quote(v, n), MTU_MIN,
				    MTU_MAX);
		o->mtu = (uint32_t)x;
		break;
	case K_PMTU:
		/* 1 pings the gateway; a rail may name another host to ping instead. */
		memset(&o->pmtu_to, 0, sizeof(o->pmtu_to));
		if (n == 1 && (v[0] == '0' || v[0] == '1'))
			o->pmtu = (uint8_t)(v[0] - '0');
		else if (!c->r)
			return fail(c, "pmtu=%s: not 0 or 1 (a host to ping goes on a rail)",
				    quote(v, n));
		else if (memchr(v, '/', n) || addr_parse(&o->pmtu_to, v, n, false, &why))
			return fail(c, "pmtu=%s: not 0, 1 or an address to ping", quote(v, n));
		else
			o->pmtu = 1;
		break;
	case K_PREFIX:
		if (addr_parse(&o->fabric, v, n, true, &why))
			return fail(c, "fabric=%s: %s", quote(v, n), why);
		if (!addr_host_bits_zero(&o->fabric))
			return fail(c, "fabric=%s: host bits set (a prefix like 10.0.0.0/16)",
				    quote(v, n));
		break;
	}
	o->set |= 1u << k->id;
	return 0;
}

/* One "key=value" (or bare "key", which means key=1). */
static int parse_setting(const struct pctx *c, const char *s, size_t n, unsigned scope)
{
	const char *eq = memchr(s, '=', n);
	size_t klen = eq ? (size_t)(eq - s) : n;
	const char *v = eq ? eq + 1 : "1";
	size_t vlen = eq ? n - klen - 1 : 1;
	const struct key *k = find_key(s, klen, scope);

	if (!k) {
		if (find_key(s, klen, IN_RAIL | IN_MAP))
			return fail(c, "%s is not a setting %s", quote(s, klen),
				    scope == IN_RAIL ? "of a rail (use rd.rail.<key>=)"
						     : "of the map (use ,key= on a rail)");
		return fail(c, "unknown setting %s", quote(s, klen));
	}
	if (!eq && k->type != K_BOOL)
		return fail(c, "%s needs a value", quote(s, klen));
	if (k->scope & IN_RAIL && c->r) {
		if (k->type >= K_MAC && k->type <= K_IBDEV)
			return set_identity(c, k, v, vlen);
		return set_opt(c, &c->r->o, k, v, vlen);
	}
	if (k->type >= K_TIMEOUT)
		return set_map(c, k, v, vlen);
	return set_opt(c, &c->m->def, k, v, vlen);
}

/*
 * A netdev name the kernel would take, and not one of the names sysctl's
 * tree keeps for itself (all, default) nor the loopback: never a rail. Glob
 * characters are refused too: networkd matches names as patterns.
 */
static bool valid_ifname(const char *s, size_t n)
{
	static const char *const reserved[] = { "all", "default", "lo" };

	if (n == 0 || n >= IFNAMSIZ || (n == 1 && s[0] == '.') || (n == 2 && !memcmp(s, "..", 2)))
		return false;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (strlen(reserved[i]) == n && !memcmp(s, reserved[i], n))
			return false;
	for (size_t i = 0; i < n; i++)
		if (strchr("/:=*?[]", s[i]) || isspace((unsigned char)s[i]) ||
		    (unsigned char)s[i] < 0x21 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* The end of an address field: the next ':' outside [brackets]. */
static const char *field_end(const char *s, const char *end)
{
	if (s < end && *s == '[') {
		const char *close = memchr(s, ']', (size_t)(end - s));

		if (close)
			s = close;
	}
	while (s < end && *s != ':')
		s++;
	return s;
}

/* ADDR/PLEN, or a template BASE+/PLEN: the node's host index is added later. */
static int parse_address(struct rail *r, const char *a, size_t n, const char **why)
{
	const char *slash = memchr(a, '/', n);
	char buf[ADDR_STRLEN + 2];

	if (!slash || slash == a || slash[-1] != '+' || n >= sizeof(buf))
		return addr_parse(&r->addr, a, n, true, why);
	memcpy(buf, a, (size_t)(slash - a) - 1);
	memcpy(buf + (slash - a) - 1, slash, n - (size_t)(slash - a));
	r->tmpl = true;
	return addr_parse(&r->addr, buf, n - 1, true, why);
}

/* <name>:<address>/<prefixlen>[:<gateway>][,key=value...] */
static int parse_rail(struct pctx *c, const char *v)
{
	const char *end = v + strlen(v), *comma = strchr(v, ','), *head_end = comma ? comma : end;
	const char *colon = memchr(v, ':', (size_t)(head_end - v)), *a, *a_end, *why = "";
	struct rail *r;

	if (c->m->n >= RAILS_MAX)
		return fail(c, "more than %d rails", RAILS_MAX);
	if (!colon)
		return fail(c, "expected <name>:<address>/<prefixlen>[:<gateway>]");
	if (!valid_ifname(v, (size_t)(colon - v)))
		return fail(c,
			    "%s is not a rail's interface name (1-15 characters, no '/', ':', "
			    "spaces or wildcards; not lo, all or default)",
			    quote(v, (size_t)(colon - v)));
	r = c->r = railmap_add(c->m);
	memcpy(r->name, v, (size_t)(colon - v));
	r->token = strdup(c->t->text);
	r->where = strdup(c->t->where);
	if (!r->token || !r->where)
		return fail(c, "out of memory");

	a = colon + 1;
	a_end = field_end(a, head_end);
	if (*a != '[' && a_end < head_end && memchr(a_end + 1, ':', (size_t)(head_end - a_end - 1)))
		return fail(c, "IPv6 addresses go in [brackets]");
	if (parse_address(r, a, (size_t)(a_end - a), &why))
		return fail(c, "address %s: %s", quote(a, (size_t)(a_end - a)), why);
	if (a_end < head_end) {
		const char *g = a_end + 1, *g_end = field_end(g, head_end);

		if (g == head_end)
			return fail(c, "empty gateway after ':'");
		if (g_end != head_end)
			return fail(c, "unexpected %s after the gateway",
				    quote(g_end, (size_t)(head_end - g_end)));
		if (memchr(g, '/', (size_t)(g_end - g)) ||
		    addr_parse(&r->gw, g, (size_t)(g_end - g), false, &why))
			return fail(c, "gateway %s: %s", quote(g, (size_t)(g_end - g)),
				    *why ? why : "a gateway takes no prefix length");
	}
	for (const char *o = comma; o && o < end;) {
		const char *next = strchr(o + 1, ',');
		const char *o_end = next ? next : end;

		if (o_end == o + 1)
			return fail(c, "empty option");
		if (parse_setting(c, o + 1, (size_t)(o_end - o - 1), IN_RAIL))
			return -1;
		o = next;
	}
	return 0;
}

static bool is_ours(const char *t)
{
	return !strncmp(t, "rd.rail", 7) && (!t[7] || t[7] == '=' || t[7] == '.');
}

/* What railup takes from the command line: its own tokens, and the PXE loader's BOOTIF=. */
static bool wanted(const char *t)
{
	return is_ours(t) || !strncmp(t, "BOOTIF=", 7);
}

/* rd.rail=0 and rd.rail=1 (or a bare rd.rail) switch railup off and on. */
static int switch_value(const char *t)
{
	if (!strcmp(t, "rd.rail") || !strcmp(t, "rd.rail=1"))
		return 0;
	if (!strcmp(t, "rd.rail=0"))
		return 1;
	return -1;
}

/* BOOTIF=01-52-54-00-12-34-56 (PXE loaders): the ARP type, then the boot NIC's address. */
static void parse_bootif(struct railmap *m, const char *v)
{
	uint8_t b[21];
	int len = parse_hex_bytes(v, strlen(v), b, sizeof(b));

	if (len < 2) {
		log_warn("BOOTIF=%s: not a hardware address; ignored", quotes(v));
		return;
	}
	memcpy(m->host.bootif, b + 1, (size_t)len - 1);
	m->host.bootif_len = (uint8_t)(len - 1);
}

static int parse_token(struct railmap *m, const struct tok *t)
{
	struct pctx c = { .m = m, .t = t };
	const char *s = t->text;

	if (!t->file && !strncmp(s, "BOOTIF=", 7)) {
		parse_bootif(m, s + 7);
		return 0;
	}
	if (!is_ours(s)) {
		if (t->file)
			return fail(&c, "not a railup setting (rd.rail=... or rd.rail.<key>=...)");
		return 0;
	}
	if (switch_value(s) >= 0) {
		m->disabled = switch_value(s);
		return 0;
	}
	if (s[7] == '=')
		return parse_rail(&c, s + 8);
	if (!s[8])
		return fail(&c, "expected rd.rail.<key>=<value>");
	return parse_setting(&c, s + 8, strlen(s + 8), IN_MAP);
}

static void copy_opt(struct rail_opts *to, const struct rail_opts *from, unsigned opt)
{
	switch (opt) {
	case OPT_TABLE:
		to->table = from->table;
		break;
	case OPT_PRIORITY:
		to->priority = from->priority;
		break;
	case OPT_FABRIC:
		to->fabric = from->fabric;
		break;
	case OPT_REQUIRED:
		to->required = from->required;
		break;
	case OPT_VERIFY:
		to->verify = from->verify;
		break;
	case OPT_RXE:
		to->rxe = from->rxe;
		break;
	case OPT_MTU:
		to->mtu = from->mtu;
		break;
	case OPT_PMTU:
		to->pmtu = from->pmtu;
		to->pmtu_to = from->pmtu_to;
		break;
	default:
		to->sysctl[opt - OPT_SYSCTL] = from->sysctl[opt - OPT_SYSCTL];
	}
	to->set |= 1u << opt;
}

/* The command line's settings win key by key; its rails replace the file's. */
static void merge(struct railmap *into, struct railmap *over)
{
	for (unsigned o = 0; o < OPT_COUNT; o++)
		if (over->def.set & (1u << o))
			copy_opt(&into->def, &over->def, o);
	if (over->mset & (1u << MOPT_TIMEOUT))
		into->timeout_ms = over->timeout_ms;
	if (over->mset & (1u << MOPT_VERIFY_TIMEOUT))
		into->verify_timeout_ms = over->verify_timeout_ms;
	if (over->mset & (1u << MOPT_MODULES))
		strcpy(into->modules, over->modules);
	if (over->mset & (1u << MOPT_PROFILE))
		into->profile = over->profile;
	if (over->mset & (1u << MOPT_POLICY))
		into->policy = over->policy;
	if (over->mset & (1u << MOPT_METRICS))
		strcpy(into->metrics, over->metrics);
	if (over->mset & (1u << MOPT_HOST)) {
		into->host.source = over->host.source;
		into->host.number = over->host.number;
		memcpy(into->host.ifname, over->host.ifname, sizeof(into->host.ifname));
	}
	if (over->host.bootif_len) {
		memcpy(into->host.bootif, over->host.bootif, sizeof(into->host.bootif));
		into->host.bootif_len = over->host.bootif_len;
	}
	for (int k = 0; k < SC_COUNT; k++)
		if (over->mset & (1u << (MOPT_ALL + k)))
			into->all[k] = over->all[k];
	into->mset |= over->mset;
	if (over->disabled >= 0)
		into->disabled = over->disabled;
	if (over->n) {
		struct railmap keep = *over;

		railmap_free(into);
		into->rail = keep.rail;
		into->n = keep.n;
		into->cap = keep.cap;
		over->rail = NULL;
		over->n = over->cap = 0;
	}
}

/* The last rd.rail=0 or rd.rail=1 among the tokens: 1 off, 0 on, -1 neither. */
static int switched(const struct toks *tl)
{
	int off = -1;

	for (unsigned i = 0; i < tl->n; i++)
		if (switch_value(tl->v[i].text) >= 0)
			off = switch_value(tl->v[i].text);
	return off;
}

/*
 * A broken map still says what the boot should do about it: the last valid
 * rd.rail.policy= (file first, then command line) is kept for the state file.
 */
static void rescue_policy(struct railmap *m, const struct toks *tl)
{
	for (unsigned i = 0; i < tl->n; i++) {
		if (!strcmp(tl->v[i].text, "rd.rail.policy=halt"))
			m->policy = POLICY_HALT;
		else if (!strcmp(tl->v[i].text, "rd.rail.policy=continue"))
			m->policy = POLICY_CONTINUE;
	}
}

/* The file's (or the command line's) rd.rail= tokens, a rail each, as far as a map may hold. */
static unsigned rail_tokens(const struct toks *tl, bool file)
{
	unsigned n = 0;

	for (unsigned i = 0; i < tl->n && n < RAILS_MAX; i++)
		n += tl->v[i].file == file && !strncmp(tl->v[i].text, "rd.rail=", 8);
	return n;
}

static enum config_result parse_all(struct railmap *m, const struct toks *tl)
{
	struct railmap cmd;
	int disabled = -1;
	enum config_result res = CONFIG_OK;

	/* Switched off, railup reads nothing more: a broken map must not stop that. */
	disabled = switched(tl);
	if (disabled == 1) {
		m->disabled = 1;
		return CONFIG_DISABLED;
	}
	railmap_init(&cmd);
	/*
	 * Grown by doubling from 8, a map of 64 rails (584 bytes each) was
	 * copied three times, into pages each new: 21 of the 75 page faults
	 * of an apply of 64 rails with nothing to do.
	 */
	railmap_reserve(m, rail_tokens(tl, true));
	railmap_reserve(&cmd, rail_tokens(tl, false));
	for (unsigned i = 0; i < tl->n && res == CONFIG_OK; i++)
		if (parse_token(tl->v[i].file ? m : &cmd, &tl->v[i]))
			res = CONFIG_BAD;
	if (res == CONFIG_BAD)
		rescue_policy(m, tl);
	if (res == CONFIG_OK) {
		merge(m, &cmd);
		if (railmap_finalize(m))
			res = CONFIG_BAD;
	}
	railmap_free(&cmd);
	return res;
}

/*
 * The file, then the command line. The command line's rd.rail=0 switches
 * railup off before the file is read: a broken file must not stop that.
 */
static enum config_result from_sources(struct railmap *m, const struct source *cmdline,
				       unsigned ncmdline, const char *conf, size_t flen,
				       const char *conf_where, int conf_err)
{
	struct toks cmd = { 0 }, tl = { 0 };
	enum config_result res = CONFIG_BAD;

	for (unsigned i = 0; i < ncmdline; i++)
		toks_cmdline(&cmd, cmdline[i].text, cmdline[i].len, cmdline[i].where, wanted);
	if (switched(&cmd) == 1) {
		m->disabled = 1;
		res = CONFIG_DISABLED;
	} else if (conf_err) {
		log_err("%s: %s", conf_where, strerror(conf_err));
	} else if (!conf || !toks_conf(&tl, conf, flen, conf_where)) {
		for (unsigned i = 0; i < cmd.n; i++)
			toks_add(&tl, cmd.v[i].text, strlen(cmd.v[i].text), cmd.v[i].where, false);
		res = parse_all(m, &tl);
	}
	toks_free(&cmd);
	toks_free(&tl);
	return res;
}

enum config_result config_from_text(struct railmap *m, const char *cmdline, size_t cmdline_len,
				    const char *conf, size_t conf_len)
{
	struct source cmd = { cmdline, cmdline_len, "cmdline" };

	return from_sources(m, &cmd, cmdline ? 1 : 0, conf, conf_len, "railup.conf", 0);
}

enum config_result config_load(struct railmap *m, const char *cmdline_path, const char *conf_path,
			       bool conf_required)
{
	struct source cmd[17];
	char *bufs[17], *conf;
	unsigned n = 0;
	size_t flen = 0;
	enum config_result res;
	int conf_err;

	if (!strcmp(cmdline_path, "/proc/cmdline"))
		n = dracut_cmdline(cmd, 16, bufs);
	bufs[n] = text_load(cmdline_path, CONFIG_FILE_MAX, &cmd[n].len);
	if (!bufs[n]) {
		log_err("%s: %s", cmdline_path, strerror(errno));
		res = CONFIG_BAD;
		goto out;
	}
	cmd[n].text = bufs[n];
	cmd[n++].where = cmdline_path;
	conf = text_load(conf_path, CONFIG_FILE_MAX, &flen);
	/* No /etc/railup.conf is fine: the command line may hold the whole map. */
	conf_err = !conf && (conf_required || errno != ENOENT) ? errno : 0;
	res = from_sources(m, cmd, n, conf, flen, conf_path, conf_err);
	free(conf);
out:
	for (unsigned i = 0; i < n; i++) {
		free(bufs[i]);
		if (strncmp(cmd[i].where, "/etc/cmdline.d/", 15) == 0)
			free((char *)cmd[i].where);
	}
	return res;
}
