// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "host.h"
#include "text.h"

int host_from_name(const char *name, uint64_t *index)
{
	size_t end = strlen(name), start = end;
	uint64_t v = 0;

	/* node017.cluster: the number ends the first label. */
	if (strchr(name, '.'))
		end = start = (size_t)(strchr(name, '.') - name);
	while (start > 0 && isdigit((unsigned char)name[start - 1]))
		start--;
	if (start == end || end - start > 9)
		return -1;
	for (size_t i = start; i < end; i++)
		v = v * 10 + (uint64_t)(name[i] - '0');
	*index = v;
	return 0;
}

/* The host part of the interface's first IPv4 address. */
static int from_link(const struct observed *o, const struct link *l, uint64_t *index, char *why,
		     size_t len)
{
	for (unsigned i = 0; i < o->naddr; i++) {
		const struct laddr *a = &o->addr[i];

		if (a->ifindex == l->ifindex && a->a.family == AF_INET && a->a.plen < 32)
			return addr_host_part(&a->a, index);
	}
	snprintf(why, len, "%s has no IPv4 address to take the host index from", l->name);
	return -1;
}

int host_index(const struct host_spec *h, const struct observed *o, uint64_t *index, char *why,
	       size_t len)
{
	struct utsname u;
	const struct link *l = NULL;

	switch (h->source) {
	case HOST_NUMBER:
		*index = h->number;
		return 0;
	case HOST_HOSTNAME:
		if (uname(&u) || host_from_name(u.nodename, index)) {
			snprintf(why, len, "hostname \"%.64s\" ends in no number", u.nodename);
			return -1;
		}
		return 0;
	case HOST_ADDR:
		l = observed_link(o, h->ifname);
		if (!l) {
			snprintf(why, len, "interface %s (rd.rail.host=addr:) not found",
				 h->ifname);
			return -1;
		}
		return from_link(o, l, index, why, len);
	case HOST_BOOTIF:
		for (unsigned i = 0; i < o->nlink && !l; i++)
			if (h->bootif_len && o->link[i].hwlen == h->bootif_len &&
			    !memcmp(o->link[i].hwaddr, h->bootif, h->bootif_len))
				l = &o->link[i];
		if (!l) {
			text_copy(why, len,
				  h->bootif_len ? "no interface has BOOTIF's address"
						: "no BOOTIF= on the command line");
			return -1;
		}
		return from_link(o, l, index, why, len);
	}
	snprintf(why, len, "templated addresses need rd.rail.host=");
	return -1;
}
