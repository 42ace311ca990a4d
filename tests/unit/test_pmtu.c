// SPDX-License-Identifier: GPL-2.0
/*
 * pmtu.h: the echo requests the probe sends and what it makes of the
 * packets its raw socket reads (replies, routers' "too big" quoting one of
 * its requests, and everything else); the probe itself runs in
 * tests/netns/pmtu.sh.
 */
#include <netinet/in.h>
#include <string.h>

#include "pmtu.h"
#include "unit.h"

#define ID  0x1234
#define SEQ 0xbeef

/* The Internet checksum over n bytes: 0xffff when the packet's own checksum is right. */
static unsigned sum16(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i < n; i += 2)
		s += (uint32_t)(p[i] << 8 | (i + 1 < n ? p[i + 1] : 0));
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* An IPv4 header of ihl words, protocol ICMP, then the ICMP message. */
static size_t ip4(uint8_t *p, unsigned ihl, const uint8_t *icmp, size_t n)
{
	memset(p, 0, ihl * 4);
	p[0] = (uint8_t)(0x40 | ihl);
	p[9] = IPPROTO_ICMP;
	memcpy(p + ihl * 4, icmp, n);
	return ihl * 4 + n;
}

static void icmp(uint8_t *p, uint8_t type, uint8_t code, uint16_t id, uint16_t seq)
{
	memset(p, 0, 8);
	p[0] = type;
	p[1] = code;
	p[4] = (uint8_t)(id >> 8);
	p[5] = (uint8_t)id;
	p[6] = (uint8_t)(seq >> 8);
	p[7] = (uint8_t)seq;
}

START_TEST(test_echo)
{
	uint8_t b[1501];

	/* Even and odd lengths: the checksum covers a last byte alone as its high half. */
	for (size_t len = 8; len <= sizeof(b); len += 493) {
		pmtu_echo(AF_INET, ID, SEQ, b, len);
		ck_assert_uint_eq(b[0], 8);
		ck_assert_uint_eq(b[1], 0);
		ck_assert_uint_eq(b[4] << 8 | b[5], ID);
		ck_assert_uint_eq(b[6] << 8 | b[7], SEQ);
		ck_assert_uint_eq(sum16(b, len), 0xffff);
	}
	pmtu_echo(AF_INET6, ID, 7, b, 64);
	ck_assert_uint_eq(b[0], 128);
	ck_assert_uint_eq(b[2] << 8 | b[3], 0); /* the kernel's to fill */
	ck_assert_uint_eq(b[6] << 8 | b[7], 7);
}
END_TEST

START_TEST(test_classify4)
{
	uint8_t m[16], q[128], p[256];
	uint16_t seq = 0;
	uint32_t mtu = 0;
	size_t n, qn;

	icmp(m, 0, 0, ID, SEQ);
	n = ip4(p, 5, m, 8);
	ck_assert_int_eq(pmtu_classify(AF_INET, p, n, ID, &seq, &mtu), PMTU_REPLY);
	ck_assert_uint_eq(seq, SEQ);
	/* Options in the header move the ICMP message. */
	n = ip4(p, 7, m, 8);
	ck_assert_int_eq(pmtu_classify(AF_INET, p, n, ID, &seq, &mtu), PMTU_REPLY);
	ck_assert_int_eq(pmtu_classify(AF_INET, p, n - 1, ID, &seq, &mtu), PMTU_OTHER);
	ck_assert_int_eq(pmtu_classify(AF_INET, p, n, ID + 1, &seq, &mtu), PMTU_OTHER);
	/* A request (ours looped back, or another's) is no answer. */
	icmp(m, 8, 0, ID, SEQ);
	n = ip4(p, 5, m, 8);
	ck_assert_int_eq(pmtu_classify(AF_INET, p, n, ID, &seq, &mtu), PMTU_OTHER);
	/* Not ICMP, not IPv4. */
	icmp(m, 0, 0, ID, SEQ);
	n = ip4(p, 5, m, 8);
	p[9] = IPPROTO_UDP;
	ck_assert_int_eq(pmtu_classify(AF_INET, p, n, ID, &seq, &mtu), PMTU_OTHER);
	n = ip4(p, 5, m, 8);
	p[0] = 0x65;
	ck_assert_int_eq(pmtu_classify(AF_INET, p, n, ID, &seq, &mtu), PMTU_OTHER);

	/* Fragmentation needed, next-hop MTU 1500, quoting request 9 of ours. */
	icmp(m, 8, 0, ID, 9);
	qn = ip4(q, 5, m, 8);
	icmp(m, 3, 4, 0, 1500);
	memcpy(m + 8, q, 8);
	n = ip4(p, 5, m, 8);
	memcpy(p + 28, q, qn);
	n += qn;
	seq = 0;
	ck_assert_int_eq(pmtu_classify(AF_INET, p, n, ID, &seq, &mtu), PMTU_TOO_BIG);
	ck_assert_uint_eq(seq, 9);
	ck_assert_uint_eq(mtu, 1500);
	/* Cut short of the quoted ICMP header, someone else's, or another code. */
	ck_assert_int_eq(pmtu_classify(AF_INET, p, n - 1, ID, &seq, &mtu), PMTU_OTHER);
	ck_assert_int_eq(pmtu_classify(AF_INET, p, n, ID + 1, &seq, &mtu), PMTU_OTHER);
	p[21] = 1;
	ck_assert_int_eq(pmtu_classify(AF_INET, p, n, ID, &seq, &mtu), PMTU_OTHER);
	p[21] = 4;
	p[28 + 20] = 0; /* the quoted packet an echo reply */
	ck_assert_int_eq(pmtu_classify(AF_INET, p, n, ID, &seq, &mtu), PMTU_OTHER);
	p[28 + 20] = 8;
	p[28] = 0x4f; /* its header longer than what was quoted */
	ck_assert_int_eq(pmtu_classify(AF_INET, p, n, ID, &seq, &mtu), PMTU_OTHER);
}
END_TEST

START_TEST(test_classify6)
{
	uint8_t p[128];
	uint16_t seq = 0;
	uint32_t mtu = 0;

	/* ICMPv6 comes without its IP header. */
	icmp(p, 129, 0, ID, SEQ);
	ck_assert_int_eq(pmtu_classify(AF_INET6, p, 8, ID, &seq, &mtu), PMTU_REPLY);
	ck_assert_uint_eq(seq, SEQ);
	ck_assert_int_eq(pmtu_classify(AF_INET6, p, 7, ID, &seq, &mtu), PMTU_OTHER);
	ck_assert_int_eq(pmtu_classify(AF_INET6, p, 8, ID - 1, &seq, &mtu), PMTU_OTHER);
	icmp(p, 128, 0, ID, SEQ);
	ck_assert_int_eq(pmtu_classify(AF_INET6, p, 8, ID, &seq, &mtu), PMTU_OTHER);

	/* Packet too big, MTU 70000 (32 bits), quoting request 3 of ours. */
	memset(p, 0, sizeof(p));
	p[0] = 2;
	p[5] = 0x01;
	p[6] = 0x11;
	p[7] = 0x70;
	p[8] = 0x60;
	p[8 + 6] = IPPROTO_ICMPV6;
	icmp(p + 48, 128, 0, ID, 3);
	ck_assert_int_eq(pmtu_classify(AF_INET6, p, 56, ID, &seq, &mtu), PMTU_TOO_BIG);
	ck_assert_uint_eq(seq, 3);
	ck_assert_uint_eq(mtu, 70000);
	ck_assert_int_eq(pmtu_classify(AF_INET6, p, 55, ID, &seq, &mtu), PMTU_OTHER);
	ck_assert_int_eq(pmtu_classify(AF_INET6, p, 56, ID + 1, &seq, &mtu), PMTU_OTHER);
	p[8 + 6] = IPPROTO_UDP;
	ck_assert_int_eq(pmtu_classify(AF_INET6, p, 56, ID, &seq, &mtu), PMTU_OTHER);
	p[8 + 6] = IPPROTO_ICMPV6;
	p[8] = 0x40;
	ck_assert_int_eq(pmtu_classify(AF_INET6, p, 56, ID, &seq, &mtu), PMTU_OTHER);
}
END_TEST

Suite *pmtu_suite(void)
{
	Suite *s = suite_create("pmtu");
	TCase *tc = tcase_create("packets");

	tcase_add_test(tc, test_echo);
	tcase_add_test(tc, test_classify4);
	tcase_add_test(tc, test_classify6);
	suite_add_tcase(s, tc);
	return s;
}
