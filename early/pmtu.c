// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "log.h" /* xcalloc */
#include "pmtu.h"

#define ICMP4_ECHO	  8
#define ICMP4_ECHO_REPLY  0
#define ICMP4_UNREACH	  3
#define ICMP4_FRAG_NEEDED 4
#define ICMP6_ECHO	  128
#define ICMP6_ECHO_REPLY  129
#define ICMP6_TOO_BIG	  2
#define PMTU_ECHO_LEN	  64  /* the small ping, from the ICMP header on */
#define PMTU_LARGE_TRIES  5   /* large pings lost in a row that settle it */
#define PMTU_INTERVAL_MS  200 /* between pings: a fabric answers in microseconds */
#define IP6_HDR_LEN	  40

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

void pmtu_echo(int family, uint16_t id, uint16_t seq, uint8_t *buf, size_t len)
{
	uint32_t sum = 0;

	memset(buf, 0, len);
	for (size_t i = 8; i < len; i++)
		buf[i] = (uint8_t)i;
	buf[0] = family == AF_INET6 ? ICMP6_ECHO : ICMP4_ECHO;
	buf[4] = (uint8_t)(id >> 8);
	buf[5] = (uint8_t)id;
	buf[6] = (uint8_t)(seq >> 8);
	buf[7] = (uint8_t)seq;
	if (family == AF_INET6)
		return;
	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)(buf[i] << 8 | (i + 1 < len ? buf[i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	buf[2] = (uint8_t)(~sum >> 8);
	buf[3] = (uint8_t)~sum;
}

/* An echo request of ours, quoted from its ICMP header on. */
static bool ours(const uint8_t *q, size_t n, uint8_t type, uint16_t id, uint16_t *seq)
{
	if (n < 8 || q[0] != type || get16(q + 4) != id)
		return false;
	*seq = get16(q + 6);
	return true;
}

static enum pmtu_kind classify4(const uint8_t *p, size_t n, uint16_t id, uint16_t *seq,
				uint32_t *mtu)
{
	size_t hl, inner;

	if (n < 20 || p[0] >> 4 != 4 || p[9] != IPPROTO_ICMP)
		return PMTU_OTHER;
	hl = (size_t)(p[0] & 0xf) * 4;
	if (hl < 20 || n < hl + 8)
		return PMTU_OTHER;
	p += hl;
	n -= hl;
	if (p[0] == ICMP4_ECHO_REPLY && p[1] == 0)
		return ours(p, n, ICMP4_ECHO_REPLY, id, seq) ? PMTU_REPLY : PMTU_OTHER;
	if (p[0] != ICMP4_UNREACH || p[1] != ICMP4_FRAG_NEEDED || n < 8 + 20)
		return PMTU_OTHER;
	/* The quoted packet: its IP header, then the first 8 bytes of its ICMP. */
	inner = (size_t)(p[8] & 0xf) * 4;
	if (p[8] >> 4 != 4 || inner < 20 || p[8 + 9] != IPPROTO_ICMP ||
	    !ours(p + 8 + inner, n < 8 + inner ? 0 : n - 8 - inner, ICMP4_ECHO, id, seq))
		return PMTU_OTHER;
	*mtu = get16(p + 6);
	return PMTU_TOO_BIG;
}

static enum pmtu_kind classify6(const uint8_t *p, size_t n, uint16_t id, uint16_t *seq,
				uint32_t *mtu)
{
	if (n < 8)
		return PMTU_OTHER;
	if (p[0] == ICMP6_ECHO_REPLY && p[1] == 0)
		return ours(p, n, ICMP6_ECHO_REPLY, id, seq) ? PMTU_REPLY : PMTU_OTHER;
	/* The quoted packet: its IPv6 header (next header ICMPv6), then the echo request. */
	if (p[0] != ICMP6_TOO_BIG || p[1] != 0 || n < 8 + IP6_HDR_LEN || p[8] >> 4 != 6 ||
	    p[8 + 6] != IPPROTO_ICMPV6 ||
	    !ours(p + 8 + IP6_HDR_LEN, n - 8 - IP6_HDR_LEN, ICMP6_ECHO, id, seq))
		return PMTU_OTHER;
	*mtu = (uint32_t)get16(p + 4) << 16 | get16(p + 6);
	return PMTU_TOO_BIG;
}

enum pmtu_kind pmtu_classify(int family, const uint8_t *p, size_t n, uint16_t id, uint16_t *seq,
			     uint32_t *mtu)
{
	return family == AF_INET6 ? classify6(p, n, id, seq, mtu) : classify4(p, n, id, seq, mtu);
}

union peer {
	struct sockaddr sa;
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
};

struct probe {
	int fd, family;
	const char *ifname;
	const struct ipaddr *dst;
	union peer to;
	socklen_t tolen;
	uint16_t id, seq, first_large;
	uint8_t *buf;
	size_t small, large; /* ICMP lengths */
	unsigned sent_small, sent_large;
	int send_err;
};

/*
 * A raw ICMP socket bound to the rail: its address, its netdev, and
 * don't-fragment whatever the path MTU cache says (PMTUDISC_PROBE).
 */
static int probe_open(struct probe *pr, const struct ipaddr *src, char *why, size_t n)
{
	union peer self;
	socklen_t len;
	int probe = IP_PMTUDISC_PROBE, one = 1, bad;

	pr->fd = socket(pr->family, SOCK_RAW | SOCK_CLOEXEC,
			pr->family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	if (pr->fd < 0) {
		snprintf(why, n, "path MTU: raw ICMP socket: %s", strerror(errno));
		return -1;
	}
	len = (socklen_t)addr_sockaddr(src, 0, &self);
	if (pr->family == AF_INET6)
		bad = setsockopt(pr->fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &probe, sizeof(probe)) ||
		      setsockopt(pr->fd, IPPROTO_IPV6, IPV6_DONTFRAG, &one, sizeof(one));
	else
		bad = setsockopt(pr->fd, IPPROTO_IP, IP_MTU_DISCOVER, &probe, sizeof(probe));
	if (bad ||
	    setsockopt(pr->fd, SOL_SOCKET, SO_BINDTODEVICE, pr->ifname, strlen(pr->ifname) + 1) ||
	    bind(pr->fd, &self.sa, len)) {
		snprintf(why, n, "path MTU: raw ICMP socket on %s: %s", pr->ifname,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static void probe_send(struct probe *pr, bool large)
{
	size_t len = large ? pr->large : pr->small;

	if (large && !pr->sent_large)
		pr->first_large = pr->seq;
	pmtu_echo(pr->family, pr->id, pr->seq++, pr->buf, len);
	*(large ? &pr->sent_large : &pr->sent_small) += 1;
	if (sendto(pr->fd, pr->buf, len, 0, &pr->to.sa, pr->tolen) < 0)
		pr->send_err = errno;
}

/* Whether seq is one of the large pings sent so far (seq wraps). */
static bool is_large(const struct probe *pr, uint16_t seq)
{
	return pr->sent_large && (uint16_t)(seq - pr->first_large) < pr->sent_large;
}

/* The address a packet came from, as the probe's own. */
static void from_addr(const union peer *from, struct ipaddr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)from->sa.sa_family;
	if (a->family == AF_INET6)
		memcpy(a->b, &from->v6.sin6_addr, 16);
	else
		memcpy(a->b, &from->v4.sin_addr, 4);
	a->plen = (uint8_t)addr_bits(a);
}

static const char *mtu_of(const char *ifname, uint32_t mtu, char *buf, size_t n)
{
	snprintf(buf, n, "%s's MTU %u", ifname, mtu);
	return buf;
}

/* One packet read: 1 a large ping answered, -1 a router's "too big" (why filled), else 0. */
static int probe_read(struct probe *pr, bool *small_answered, uint32_t mtu, char *why, size_t n)
{
	union peer from;
	socklen_t flen = sizeof(from);
	struct ipaddr fa;
	char a[ADDR_STRLEN], b[ADDR_STRLEN], c[IFNAMSIZ + 32], d[40];
	uint32_t said = 0;
	uint16_t seq;
	ssize_t got;

	memset(&from, 0, sizeof(from));
	got = recvfrom(pr->fd, pr->buf, pr->large + IP6_HDR_LEN + 64, MSG_DONTWAIT, &from.sa,
		       &flen);
	if (got <= 0)
		return 0;
	from_addr(&from, &fa);
	switch (pmtu_classify(pr->family, pr->buf, (size_t)got, pr->id, &seq, &said)) {
	case PMTU_REPLY:
		if (!addr_same_ip(&fa, pr->dst))
			return 0;
		if (is_large(pr, seq))
			return 1;
		*small_answered = true;
		return 0;
	case PMTU_TOO_BIG:
		if (!is_large(pr, seq))
			return 0;
		/* Routers from before RFC 1191 leave the MTU they carry out (0). */
		if (said)
			snprintf(d, sizeof(d), "%u bytes is the most", said);
		else
			snprintf(d, sizeof(d), "%u bytes are more than", mtu);
		snprintf(why, n, "path MTU: %s says %s it carries on to %s; %s",
			 addr_fmt(&fa, false, a), d, addr_fmt(pr->dst, false, b),
			 mtu_of(pr->ifname, mtu, c, sizeof(c)));
		return -1;
	case PMTU_OTHER:
		break;
	}
	return 0;
}

static void lost(const struct probe *pr, bool small_answered, uint32_t mtu, uint64_t took,
		 char *why, size_t n)
{
	char a[ADDR_STRLEN], c[IFNAMSIZ + 32];
	const char *err = pr->send_err ? strerror(pr->send_err) : "";

	addr_fmt(pr->dst, false, a);
	if (!small_answered)
		snprintf(why, n, "path MTU: %s answered none of %u pings in %llu ms%s%s", a,
			 pr->sent_small, (unsigned long long)took, *err ? "; sending: " : "", err);
	else
		snprintf(why, n,
			 "path MTU: %s answered small pings but none of %u of %u bytes (DF): "
			 "a link on the way carries less than %s",
			 a, pr->sent_large, mtu, mtu_of(pr->ifname, mtu, c, sizeof(c)));
}

int pmtu_probe(const struct ipaddr *src, const char *ifname, uint32_t mtu, const struct ipaddr *dst,
	       uint64_t deadline_ms, char *why, size_t n)
{
	static uint16_t seq;
	size_t hdr = dst->family == AF_INET6 ? IP6_HDR_LEN : 20;
	struct probe pr = {
		.fd = -1,
		.family = dst->family,
		.ifname = ifname,
		.dst = dst,
		.id = (uint16_t)getpid(),
		.seq = seq,
		.large = mtu > hdr + 8 ? mtu - hdr : 8,
	};
	uint64_t start = clock_ms(), now = start, next = start;
	bool small_answered = false;
	int ret = -1;

	pr.small = pr.large < PMTU_ECHO_LEN ? pr.large : PMTU_ECHO_LEN;
	pr.buf = xcalloc(1, pr.large + IP6_HDR_LEN + 64);
	pr.tolen = (socklen_t)addr_sockaddr(dst, 0, &pr.to);
	if (probe_open(&pr, src, why, n))
		goto out;
	for (; now < deadline_ms; now = clock_ms()) {
		struct pollfd p = { .fd = pr.fd, .events = POLLIN };
		uint64_t until = next < deadline_ms ? next : deadline_ms;
		bool was_small = !small_answered;
		int r;

		if (now >= next) {
			if (small_answered && pr.sent_large == PMTU_LARGE_TRIES)
				break;
			probe_send(&pr, small_answered);
			next = now + PMTU_INTERVAL_MS;
			continue;
		}
		if (poll(&p, 1, (int)(until - now)) <= 0)
			continue;
		r = probe_read(&pr, &small_answered, mtu, why, n);
		if (r) {
			ret = r > 0 ? 0 : -1;
			goto out;
		}
		/* The first answer: the large ones go at once. */
		if (was_small && small_answered)
			next = now;
	}
	lost(&pr, small_answered, mtu, clock_ms() - start, why, n);
out:
	seq = pr.seq;
	if (pr.fd >= 0)
		close(pr.fd);
	free(pr.buf);
	return ret;
}
