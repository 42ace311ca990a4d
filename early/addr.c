// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"

static bool parse_plen(const char *s, size_t n, unsigned max, uint8_t *plen)
{
	unsigned v = 0;

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return false;
	*plen = (uint8_t)v;
	return true;
}

int addr_parse(struct ipaddr *a, const char *s, size_t n, bool need_plen, const char **why)
{
	char text[INET6_ADDRSTRLEN];
	const char *slash = memchr(s, '/', n);
	size_t alen = slash ? (size_t)(slash - s) : n;
	const char *p = s;

	memset(a, 0, sizeof(*a));
	if (alen >= 2 && p[0] == '[' && p[alen - 1] == ']') {
		p++;
		alen -= 2;
		a->family = AF_INET6;
	} else {
		a->family = memchr(p, ':', alen) ? AF_INET6 : AF_INET;
	}
	if (alen == 0 || alen >= sizeof(text)) {
		*why = "not an address";
		return -1;
	}
	memcpy(text, p, alen);
	text[alen] = '\0';
	if (inet_pton(a->family, text, a->b) != 1) {
		*why = a->family == AF_INET6 ? "not an IPv6 address" : "not an IPv4 address";
		return -1;
	}
	a->plen = (uint8_t)addr_bits(a);
	if (!slash) {
		if (need_plen) {
			*why = "missing /prefix length";
			return -1;
		}
		return 0;
	}
	if (!parse_plen(slash + 1, n - (size_t)(slash - s) - 1, addr_bits(a), &a->plen)) {
		*why = "bad prefix length";
		return -1;
	}
	return 0;
}

/* v (at most 255) in decimal at p; returns the end. */
static char *decimal(char *p, unsigned v)
{
	if (v >= 100)
		*p++ = (char)('0' + v / 100);
	if (v >= 10)
		*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

size_t addr_sockaddr(const struct ipaddr *a, uint16_t port, void *ss)
{
	if (a->family == AF_INET) {
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

		sin.sin_addr = a->v4;
		memcpy(ss, &sin, sizeof(sin));
		return sizeof(sin);
	}
	if (a->family == AF_INET6) {
		struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

		sin6.sin6_addr = a->v6;
		memcpy(ss, &sin6, sizeof(sin6));
		return sizeof(sin6);
	}
	return 0;
}

/*
 * IPv4 by hand: musl's inet_ntop() goes through snprintf(), a dozen small
 * copies per address, and status formats thousands of them.
 */
char *addr_fmt(const struct ipaddr *a, bool with_plen, char buf[ADDR_STRLEN])
{
	char *p = buf;

	if (!a->family) {
		strcpy(buf, "-");
		return buf;
	}
	if (a->family == AF_INET) {
		for (int i = 0; i < 4; i++) {
			if (i)
				*p++ = '.';
			p = decimal(p, a->b[i]);
		}
	} else {
		inet_ntop(a->family, a->b, buf, INET6_ADDRSTRLEN);
		p += strlen(buf);
	}
	if (with_plen) {
		*p++ = '/';
		p = decimal(p, a->plen);
	}
	*p = '\0';
	return buf;
}

bool addr_same_ip(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->family == b->family && !memcmp(a->b, b->b, addr_bytes(a));
}

bool addr_eq(const struct ipaddr *a, const struct ipaddr *b)
{
	return addr_same_ip(a, b) && a->plen == b->plen;
}

int addr_cmp(const struct ipaddr *a, const struct ipaddr *b)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	c = memcmp(a->b, b->b, addr_bytes(a));
	if (c)
		return c;
	return a->plen == b->plen ? 0 : (a->plen < b->plen ? -1 : 1);
}

/* Byte i of the prefix mask. */
static uint8_t mask_byte(const struct ipaddr *a, unsigned i)
{
	unsigned bits = a->plen > i * 8 ? a->plen - i * 8 : 0;

	return bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
}

struct ipaddr addr_network(const struct ipaddr *a)
{
	struct ipaddr n = *a;

	for (unsigned i = 0; i < addr_bytes(a); i++)
		n.b[i] &= mask_byte(a, i);
	return n;
}

bool addr_host_bits_zero(const struct ipaddr *a)
{
	for (unsigned i = 0; i < addr_bytes(a); i++)
		if (a->b[i] & (uint8_t)~mask_byte(a, i))
			return false;
	return true;
}

bool addr_host_bits_ones(const struct ipaddr *a)
{
	for (unsigned i = 0; i < addr_bytes(a); i++)
		if ((a->b[i] | mask_byte(a, i)) != 0xff)
			return false;
	return true;
}

bool addr_in_prefix(const struct ipaddr *ip, const struct ipaddr *p)
{
	if (ip->family != p->family)
		return false;
	for (unsigned i = 0; i < addr_bytes(p); i++)
		if ((ip->b[i] ^ p->b[i]) & mask_byte(p, i))
			return false;
	return true;
}

int addr_add_host(struct ipaddr *a, uint64_t n)
{
	struct ipaddr r = *a;
	unsigned carry = 0;

	for (int i = (int)addr_bytes(a) - 1; i >= 0; i--) {
		unsigned sum = r.b[i] + (unsigned)(n & 0xff) + carry;

		r.b[i] = (uint8_t)sum;
		carry = sum >> 8;
		n >>= 8;
	}
	if (n || carry || !addr_in_prefix(&r, a))
		return -1;
	*a = r;
	return 0;
}

int addr_host_part(const struct ipaddr *a, uint64_t *n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < addr_bytes(a); i++) {
		uint8_t host = a->b[i] & (uint8_t)~mask_byte(a, i);

		if (v >> 56)
			return -1;
		v = (v << 8) | host;
	}
	*n = v;
	return 0;
}

const char *addr_unusable(const struct ipaddr *a)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	const uint8_t *b = a->b;

	if (a->family == AF_INET) {
		if (b[0] == 127)
			return "a loopback address";
		if (b[0] == 0)
			return "in 0.0.0.0/8 (\"this network\")";
		if (b[0] >= 224 && b[0] <= 239)
			return "a multicast address";
		if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255)
			return "the limited broadcast address";
		return NULL;
	}
	if (b[0] == 0xff)
		return "a multicast address";
	if (!memcmp(b, mapped, 12))
		return "an IPv4-mapped address";
	for (int i = 0; i < 15; i++)
		if (b[i])
			return NULL;
	return b[15] == 1 ? "the loopback address" : b[15] == 0 ? "the unspecified address" : NULL;
}
