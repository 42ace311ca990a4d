// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger.h"
#include "log.h"
#include "rail.h"
#include "sysctl.h"

static int parse_line(const char *line, struct owned *e)
{
	char kind[8], ifname[IFNAMSIZ], arg[ADDR_STRLEN];
	const char *why;
	int orig = 0, n;

	memset(e, 0, sizeof(*e));
	n = sscanf(line, "%7s %15s %d %49s %d", kind, ifname, &e->ifindex, arg, &orig);
	if (n < 4 || e->ifindex < 0)
		return -1;
	strcpy(e->ifname, ifname);
	if (n == 4 && !strcmp(kind, "addr")) {
		e->kind = OWN_ADDR;
		return addr_parse(&e->a, arg, strlen(arg), true, &why);
	}
	if (n != 5 || strcmp(kind, "sysctl") || orig < 0 || orig > 127)
		return -1;
	e->kind = OWN_SYSCTL;
	e->orig = (int8_t)orig;
	for (int k = 0; k < SC_COUNT; k++)
		if (!strcmp(arg, sysctl_desc[k].name)) {
			e->key = (uint8_t)k;
			return 0;
		}
	return -1;
}

static int owned_cmp(const void *x, const void *y)
{
	const struct owned *a = x, *b = y;
	int c = a->kind != b->kind	   ? (a->kind < b->kind ? -1 : 1)
		: a->ifindex != b->ifindex ? (a->ifindex < b->ifindex ? -1 : 1)
					   : 0;

	if (c)
		return c;
	if (a->kind == OWN_SYSCTL)
		return a->key == b->key ? 0 : (a->key < b->key ? -1 : 1);
	return addr_cmp(&a->a, &b->a);
}

void ledger_sort(struct owned *v, unsigned n)
{
	xsort(v, n, sizeof(*v), owned_cmp);
}

int ledger_read(const char *dir, struct owned **v, unsigned *n)
{
	char path[4096], line[256];
	unsigned cap = 0;
	FILE *f;

	*v = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/owned", dir);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), f)) {
		*v = xgrow(*v, *n, &cap, sizeof(**v));
		if (!parse_line(line, &(*v)[*n]))
			(*n)++;
	}
	fclose(f);
	ledger_sort(*v, *n);
	return 0;
}

int ledger_write(const char *dir, const struct owned *v, unsigned n)
{
	char path[4096], tmp[4096], a[ADDR_STRLEN];
	FILE *f;
	int fd;

	if (mkdir(dir, 0755) && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), "%s/owned", dir);
	snprintf(tmp, sizeof(tmp), "%s/.owned.tmp", dir);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return -1;
	}
	fprintf(f, "# what railup changed and cannot mark as its own; read by railup down\n"
		   "# addr IFNAME IFINDEX ADDRESS / sysctl IFNAME IFINDEX KEY VALUE-BEFORE\n");
	for (unsigned i = 0; i < n; i++) {
		if (v[i].kind == OWN_ADDR)
			fprintf(f, "addr %s %d %s\n", v[i].ifname, v[i].ifindex,
				addr_fmt(&v[i].a, true, a));
		else
			fprintf(f, "sysctl %s %d %s %d\n", v[i].ifname, v[i].ifindex,
				sysctl_desc[v[i].key].name, v[i].orig);
	}
	if (fclose(f))
		return -1;
	return rename(tmp, path);
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
