// SPDX-License-Identifier: GPL-2.0
/*
 * pmtu_classify() on what the probe's raw socket reads: the first byte picks
 * the family (odd: IPv6), the rest is the packet, of any length. Requests
 * carry id 0x1234, as the seeds do.
 */
#include <netinet/in.h>

#include "fuzz.h"
#include "pmtu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t seq = 0;
	uint32_t mtu = 0;
	uint8_t *copy;
	enum pmtu_kind k;

	if (!size)
		return 0;
	fz_quiet();
	/* Exactly the packet's bytes: a read past them shows. */
	copy = malloc(size - 1 ? size - 1 : 1);
	memcpy(copy, data + 1, size - 1);
	k = pmtu_classify(data[0] & 1 ? AF_INET6 : AF_INET, copy, size - 1, 0x1234, &seq, &mtu);
	fz_assert(k == PMTU_OTHER || k == PMTU_REPLY || k == PMTU_TOO_BIG);
	fz_assert(k != PMTU_TOO_BIG || (data[0] & 1) || mtu <= 0xffff);
	free(copy);
	return 0;
}
