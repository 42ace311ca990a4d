/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether the fabric carries a rail's MTU (pmtu=): pings from the rail's
 * address out of its netdev, first small, then as large as the netdev's
 * MTU with don't-fragment set. A switch port left at a smaller MTU drops
 * the large ones without a word, while RDMA CM's handshake and small pings
 * pass: RDMA then stalls on its first full-sized packets.
 */
#ifndef RAILUP_PMTU_H
#define RAILUP_PMTU_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

enum pmtu_kind {
	PMTU_OTHER,   /* nothing of this probe's */
	PMTU_REPLY,   /* the echo reply to one of its requests */
	PMTU_TOO_BIG, /* a router's "fragmentation needed" / "packet too big" quoting one */
};

/*
 * An echo request of len bytes from the ICMP header on (at least 8), with
 * id and seq; IPv4's checksum filled in (the kernel fills ICMPv6's).
 */
void pmtu_echo(int family, uint16_t id, uint16_t seq, uint8_t *buf, size_t len);

/*
 * What a packet read from the probe's raw socket is (IPv4's start with the
 * IP header, ICMPv6's with the ICMPv6 header): for a reply or a "too big",
 * the request's seq, and for a "too big" the MTU the router names.
 */
enum pmtu_kind pmtu_classify(int family, const uint8_t *p, size_t n, uint16_t id, uint16_t *seq,
			     uint32_t *mtu);

/*
 * Pings dst from src out of ifname until deadline_ms (clock_ms()): small
 * ones until one is answered, then up to five of mtu bytes. 0 when one of
 * those is answered; -1 and why otherwise.
 */
int pmtu_probe(const struct ipaddr *src, const char *ifname, uint32_t mtu, const struct ipaddr *dst,
	       uint64_t deadline_ms, char *why, size_t n);

#endif
