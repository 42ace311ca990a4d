/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IP addresses and prefixes, as the rail map and the kernel both speak them.
 */
#ifndef RAILUP_ADDR_H
#define RAILUP_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ipaddr {
	uint8_t family; /* AF_INET, AF_INET6; 0: absent */
	uint8_t plen;	/* prefix length; the full width for a host */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t b[16];
	};
};

/* Longest text addr_fmt() writes: an IPv6 address, "/128" and the NUL. */
#define ADDR_STRLEN (INET6_ADDRSTRLEN + 4)

static inline unsigned addr_bits(const struct ipaddr *a)
{
	return a->family == AF_INET6 ? 128 : 32;
}

static inline unsigned addr_bytes(const struct ipaddr *a)
{
	return a->family == AF_INET6 ? 16 : 4;
}

/*
 * Parses "ADDR", "ADDR/PLEN", "[V6]" or "[V6]/PLEN" of exactly n bytes.
 * With need_plen a missing /PLEN is an error; without it the address is a
 * host (full-width prefix). Returns 0, or -1 with *why set to a reason.
 */
int addr_parse(struct ipaddr *a, const char *s, size_t n, bool need_plen, const char **why);

/*
 * Why no NIC should carry the address (loopback, multicast, unspecified,
 * "this network", the limited broadcast, IPv4-mapped), or NULL.
 */
const char *addr_unusable(const struct ipaddr *a);

/*
 * The address as the kernel's sockets take it, a sockaddr_in or
 * sockaddr_in6 with port, written at ss (room for a sockaddr_in6); its
 * length, 0 for an address of no family.
 */
size_t addr_sockaddr(const struct ipaddr *a, uint16_t port, void *ss);

/* Writes the address, and "/plen" when with_plen; returns buf. */
char *addr_fmt(const struct ipaddr *a, bool with_plen, char buf[ADDR_STRLEN]);

bool addr_eq(const struct ipaddr *a, const struct ipaddr *b);	   /* address and plen */
bool addr_same_ip(const struct ipaddr *a, const struct ipaddr *b); /* address only */
int addr_cmp(const struct ipaddr *a, const struct ipaddr *b);

/* The prefix's network: host bits cleared. */
struct ipaddr addr_network(const struct ipaddr *a);
bool addr_host_bits_zero(const struct ipaddr *a);
bool addr_host_bits_ones(const struct ipaddr *a);
/* Whether ip lies inside prefix p (p's plen counts). */
bool addr_in_prefix(const struct ipaddr *ip, const struct ipaddr *p);
/* Adds n to a; -1 when the sum leaves a's prefix (a is then unchanged). */
int addr_add_host(struct ipaddr *a, uint64_t n);
/* The host part of a inside its prefix, when it fits 64 bits; -1 otherwise. */
int addr_host_part(const struct ipaddr *a, uint64_t *n);

#endif
