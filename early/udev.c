// SPDX-License-Identifier: GPL-2.0
#include <linux/net.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rtnl.h"
#include "text.h"
#include "udev.h"

#define UDEV_CONTROL "/run/udev/control"

/* Skips n space-separated fields. */
static const char *fields(const char *s, int n)
{
	while (n--) {
		s += strcspn(s, " ");
		s += strspn(s, " ");
	}
	return s;
}

/*
 * Whether a socket listens at udev's control path (udevd's, or systemd's
 * that starts it): the file alone may be left by a udevd that was killed,
 * and nothing would ever rename a netdev then. Sockets are per network
 * namespace; ours is init's here. When the list cannot be read, udev is
 * taken to run (waiting for it is the safe side).
 */
static bool control_listens(void)
{
	static const char tail[] = " " UDEV_CONTROL;
	const size_t tn = sizeof(tail) - 1;
	size_t len, n;
	char *s = text_load("/proc/net/unix", RUNFILE_MAX, &len), *at = s, *line;
	bool yes = !s;

	/* "Num: RefCount Protocol Flags Type St Inode Path", Flags in hex. */
	while (!yes && (line = text_line(&at, s + len)))
		yes = (n = strlen(line)) > tn && !strcmp(line + n - tn, tail) &&
		      (strtoul(fields(line, 3), NULL, 16) & __SO_ACCEPTCON);
	free(s);
	return yes;
}

bool udev_runs_here(void)
{
	struct stat self, init;

	if (access(UDEV_CONTROL, F_OK))
		return false;
	return !stat("/proc/self/ns/net", &self) && !stat("/proc/1/ns/net", &init) &&
	       self.st_dev == init.st_dev && self.st_ino == init.st_ino && control_listens();
}

enum udev_state udev_netdev(int ifindex)
{
	char path[48];

	snprintf(path, sizeof(path), "/run/udev/data/n%d", ifindex);
	if (access(path, F_OK))
		return UDEV_NO_ENTRY;
	return access("/run/udev/queue", F_OK) ? UDEV_DONE : UDEV_QUEUE_BUSY;
}

void udev_observe(struct observed *o, const struct railmap *m)
{
	int runs = -1;

	for (unsigned i = 0; i < m->n; i++) {
		const struct rail *r = &m->rail[i];
		const struct link *l;

		if (rail_stopped(r))
			continue;
		l = observed_link(o, rail_netdev(r));
		if (!l || (l->flags & IFF_UP))
			continue;
		if (runs < 0)
			runs = udev_runs_here();
		if (runs)
			o->link[l - o->link].udev = (uint8_t)udev_netdev(l->ifindex);
	}
}

bool udev_holds(const struct link *l)
{
	return l->udev != UDEV_DONE && !(l->flags & IFF_UP);
}

void udev_describe(enum udev_state s, const char *name, int ifindex, char *why, size_t n)
{
	if (s == UDEV_NO_ENTRY)
		snprintf(why, n, "udev has not finished with %s (ifindex %d)", name, ifindex);
	else if (s == UDEV_QUEUE_BUSY)
		snprintf(why, n, "udev's queue is not empty: %s (ifindex %d) may yet be renamed",
			 name, ifindex);
	else
		snprintf(why, n, "udev is done with %s (ifindex %d)", name, ifindex);
}
