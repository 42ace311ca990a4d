// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysctl.h"
#include "text.h"

const struct sysctl_desc sysctl_desc[SC_COUNT] = {
	[SC_RP_FILTER] = { "rp_filter", AF_INET, COMBINE_MAX, IPV4_DEVCONF_RP_FILTER, 2 },
	[SC_ARP_IGNORE] = { "arp_ignore", AF_INET, COMBINE_MAX, IPV4_DEVCONF_ARP_IGNORE, 8 },
	[SC_ARP_ANNOUNCE] = { "arp_announce", AF_INET, COMBINE_MAX, IPV4_DEVCONF_ARP_ANNOUNCE, 2 },
	[SC_ARP_FILTER] = { "arp_filter", AF_INET, COMBINE_OR, IPV4_DEVCONF_ARPFILTER, 1 },
	[SC_ACCEPT_LOCAL] = { "accept_local", AF_INET, COMBINE_OR, IPV4_DEVCONF_ACCEPT_LOCAL, 1 },
	[SC_KEEP_ADDR_ON_DOWN] = { "keep_addr_on_down", AF_INET6, COMBINE_ALL_SET,
				   DEVCONF_KEEP_ADDR_ON_DOWN, 1 },
	[SC_ACCEPT_RA] = { "accept_ra", AF_INET6, COMBINE_DEV, DEVCONF_ACCEPT_RA, 2 },
};

int sysctl_effective(enum sysctl_key k, int all, int dev)
{
	switch (sysctl_desc[k].combine) {
	case COMBINE_MAX:
		return all > dev ? all : dev;
	case COMBINE_OR:
		return all || dev;
	case COMBINE_ALL_SET:
		return all ? all : dev;
	}
	return dev;
}

int sysctl_all_target(enum sysctl_key k, int want, int observed, int min_ask)
{
	int t = want != SC_UNSET ? want : observed;

	if (t < 0 || min_ask == SC_UNSET)
		return t;
	switch (sysctl_desc[k].combine) {
	case COMBINE_MAX:
		return t > min_ask ? min_ask : t;
	case COMBINE_OR:
		return min_ask ? t : 0;
	}
	return t;
}

/*
 * The name into dst (SYSCTL_NAME_MAX bytes); its length. By hand: the
 * drop-in has a line a value, and musl's memcpy costs a call a piece.
 */
static size_t put_name(char *dst, const char *dev, enum sysctl_key k)
{
	const char *s = sysctl_desc[k].family == AF_INET6 ? "net.ipv6.conf." : "net.ipv4.conf.";
	char *p = dst, *last;
	bool dotted = false;

	while (*s)
		*p++ = *s++;
	for (s = dev; *s && s < dev + IFNAMSIZ - 1; s++) {
		dotted |= *s == '.';
		*p++ = *s;
	}
	last = p;
	*p++ = '.';
	for (s = sysctl_desc[k].name; *s;)
		*p++ = *s++;
	*p = '\0';
	if (dotted)
		dst[3] = dst[8] = dst[13] = *last = '/';
	return (size_t)(p - dst);
}

const char *sysctl_name(char buf[SYSCTL_NAME_MAX], const char *dev, enum sysctl_key k)
{
	put_name(buf, dev, k);
	return buf;
}

/*
 * Opens conf/<dev>/<key> below a directory descriptor kept for the process:
 * each open then walks two names instead of six, and openat() spares the
 * fcntl() musl's open() adds after O_CLOEXEC.
 */
static int open_conf(const char *dev, enum sysctl_key k, int flags)
{
	static int dirs[2] = { -1, -1 };
	bool v6 = sysctl_desc[k].family == AF_INET6;
	char p[IFNAMSIZ + 32];
	size_t len;

	if (strchr(dev, '/') || !strcmp(dev, ".") || !strcmp(dev, "..") ||
	    strlen(dev) >= IFNAMSIZ) {
		errno = EINVAL;
		return -1;
	}
	if (dirs[v6] < 0)
		dirs[v6] =
			openat(AT_FDCWD, v6 ? "/proc/sys/net/ipv6/conf" : "/proc/sys/net/ipv4/conf",
			       O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirs[v6] < 0)
		return -1;
	len = text_copy(p, sizeof(p), dev);
	p[len++] = '/';
	text_copy(p + len, sizeof(p) - len, sysctl_desc[k].name);
	return openat(dirs[v6], p, flags | O_NOFOLLOW | O_CLOEXEC);
}

int sysctl_read(const char *dev, enum sysctl_key k)
{
	char buf[32];
	long long v;
	ssize_t n;
	int fd = open_conf(dev, k, O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (!text_int(buf, 0, INT_MAX, &v)) {
		errno = EINVAL;
		return -1;
	}
	return (int)v;
}

int sysctl_write(const char *dev, enum sysctl_key k, int value)
{
	char buf[16], *p = buf + sizeof(buf);
	unsigned v = value < 0 ? -(unsigned)value : (unsigned)value;
	int fd = open_conf(dev, k, O_WRONLY), n, saved;
	ssize_t w;

	if (fd < 0)
		return -1;
	*--p = '\n';
	p = text_udec(p, v);
	if (value < 0)
		*--p = '-';
	n = (int)(buf + sizeof(buf) - p);
	w = write(fd, p, (size_t)n);
	saved = errno;
	close(fd);
	errno = saved;
	return w == n ? 0 : -1;
}

/* /proc/net/netstat holds a header line and a value line per group. */
long long sysctl_rpfilter_drops(void)
{
	char head[4096], vals[4096];
	long long v = -1;
	FILE *f = fopen("/proc/net/netstat", "re");

	if (!f)
		return -1;
	while (v < 0 && fgets(head, sizeof(head), f) && fgets(vals, sizeof(vals), f)) {
		char *hs, *vs, *x, *h = strtok_r(head, " \n", &hs);

		if (!h || strcmp(h, "TcpExt:") || !strtok_r(vals, " \n", &vs))
			continue;
		while ((h = strtok_r(NULL, " \n", &hs)) && (x = strtok_r(NULL, " \n", &vs)))
			if (!strcmp(h, "IPReversePathFilter")) {
				if (!text_int(x, 0, LLONG_MAX, &v))
					v = -1;
				break;
			}
	}
	fclose(f);
	return v;
}

const char *sysctl_dropin_dir = "/run/sysctl.d";

void sysctl_dropin_text(struct text *t, const struct sysctl_value *v, unsigned n)
{
	text_put(t, "# railup: the values its rails need, so that systemd-sysctl (which udev\n"
		    "# runs for every interface added) keeps them. Removed by `railup down`.\n");
	for (unsigned i = 0; i < n; i++) {
		char *p = text_room(t, SYSCTL_NAME_MAX + 8), num[4], *d;
		int8_t x = v[i].value;

		p += put_name(p, v[i].dev, v[i].key);
		*p++ = ' ';
		*p++ = '=';
		*p++ = ' ';
		if (x < 0)
			*p++ = '-';
		for (d = text_udec(num + sizeof(num), x < 0 ? -x : x); d < num + sizeof(num);)
			*p++ = *d++;
		*p++ = '\n';
		t->len = (size_t)(p - t->s);
	}
}

int sysctl_dropin_write(const struct sysctl_value *v, unsigned n)
{
	struct text t = { 0 };
	char path[4096], *old;
	size_t len;
	bool same;

	text_join(path, sizeof(path),
		  (const char *[]){ sysctl_dropin_dir, "/", SYSCTL_DROPIN, NULL });
	if (!n)
		return unlink(path) && errno != ENOENT ? -1 : 0;
	sysctl_dropin_text(&t, v, n);
	old = text_load(path, RUNFILE_MAX, &len);
	same = old && len == t.len && !memcmp(old, t.s, len);
	free(old);
	if (!same)
		return text_commit(&t, sysctl_dropin_dir, SYSCTL_DROPIN);
	free(t.s);
	return 0;
}
