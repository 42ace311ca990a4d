// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ledger.h"
#include "log.h"
#include "rail.h"
#include "sysctl.h"
#include "text.h"

/*
 * "addr IFNAME IFINDEX ADDRESS", "sysctl IFNAME IFINDEX KEY VALUE" or "mtu
 * IFNAME IFINDEX MTU"; line is cut up.
 */
static int parse_line(char *line, struct owned *e)
{
	char *f[6];
	const char *why;
	long long ifindex, orig;
	unsigned n = text_fields(line, f, 6);

	memset(e, 0, sizeof(*e));
	if (n < 4 || strlen(f[1]) >= IFNAMSIZ || !text_int(f[2], 0, INT_MAX, &ifindex))
		return -1;
	strcpy(e->ifname, f[1]);
	e->ifindex = (int)ifindex;
	if (n == 4 && !strcmp(f[0], "addr")) {
		e->kind = OWN_ADDR;
		return addr_parse(&e->a, f[3], strlen(f[3]), true, &why);
	}
	if (n == 4 && !strcmp(f[0], "mtu") && ifindex && text_int(f[3], 1, INT32_MAX, &orig)) {
		e->kind = OWN_MTU;
		e->orig = (int32_t)orig;
		return 0;
	}
	if (n != 5 || strcmp(f[0], "sysctl") || !text_int(f[4], 0, 127, &orig))
		return -1;
	e->kind = OWN_SYSCTL;
	e->orig = (int32_t)orig;
	for (int k = 0; k < SC_COUNT; k++)
		if (!strcmp(f[3], sysctl_desc[k].name)) {
			e->key = (uint8_t)k;
			return 0;
		}
	return -1;
}

int ledger_cmp(const struct owned *a, const struct owned *b)
{
	int c = a->kind != b->kind	   ? (a->kind < b->kind ? -1 : 1)
		: a->ifindex != b->ifindex ? (a->ifindex < b->ifindex ? -1 : 1)
					   : 0;

	if (c)
		return c;
	if (a->kind == OWN_SYSCTL)
		return a->key == b->key ? 0 : (a->key < b->key ? -1 : 1);
	/* One MTU per interface. */
	if (a->kind == OWN_MTU)
		return 0;
	return addr_cmp(&a->a, &b->a);
}

static int owned_cmp(const void *x, const void *y)
{
	return ledger_cmp(x, y);
}

void ledger_sort(struct owned *v, unsigned n)
{
	xsort(v, n, sizeof(*v), owned_cmp);
}

int ledger_read(const char *dir, struct owned **v, unsigned *n)
{
	char *text, *line, *at;
	unsigned cap = 0;
	size_t len;

	*v = NULL;
	*n = 0;
	text = text_load_run(dir, "owned", &len);
	if (!text)
		return errno == ENOENT ? 0 : -1;
	for (at = text; (line = text_line(&at, text + len));) {
		*v = xgrow(*v, *n, &cap, sizeof(**v));
		if (!parse_line(line, &(*v)[*n]))
			(*n)++;
	}
	free(text);
	ledger_sort(*v, *n);
	return 0;
}

int ledger_write(const char *dir, const struct owned *v, unsigned n)
{
	struct text t = { 0 };
	char a[ADDR_STRLEN];

	text_put(&t, "# what railup changed and cannot mark as its own; read by railup down\n"
		     "# addr IFNAME IFINDEX ADDRESS / sysctl IFNAME IFINDEX KEY VALUE-BEFORE /\n"
		     "# mtu IFNAME IFINDEX MTU-BEFORE\n");
	for (unsigned i = 0; i < n; i++) {
		text_put(&t, v[i].kind == OWN_ADDR  ? "addr "
			     : v[i].kind == OWN_MTU ? "mtu "
						    : "sysctl ");
		text_put(&t, v[i].ifname);
		text_putc(&t, ' ');
		text_puti(&t, v[i].ifindex);
		text_putc(&t, ' ');
		if (v[i].kind == OWN_ADDR) {
			text_put(&t, addr_fmt(&v[i].a, true, a));
		} else if (v[i].kind == OWN_MTU) {
			text_puti(&t, v[i].orig);
		} else {
			text_put(&t, sysctl_desc[v[i].key].name);
			text_putc(&t, ' ');
			text_puti(&t, v[i].orig);
		}
		text_putc(&t, '\n');
	}
	return text_commit(&t, dir, "owned");
}

const struct owned *ledger_find(const struct owned *v, unsigned n, const struct owned *like)
{
	return n ? bsearch(like, v, n, sizeof(*v), owned_cmp) : NULL;
}

const struct owned *ledger_first(const struct owned *v, unsigned n, uint8_t kind, int ifindex)
{
	unsigned lo = 0, hi = n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (v[mid].kind < kind || (v[mid].kind == kind && v[mid].ifindex < ifindex))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && v[lo].kind == kind && v[lo].ifindex == ifindex)
		return &v[lo];
	return NULL;
}
