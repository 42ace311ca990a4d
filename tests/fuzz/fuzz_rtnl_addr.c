// SPDX-License-Identifier: GPL-2.0
/* rtnl_decode_addr() on every message of a receive buffer (RTM_NEWADDR replies and events). */
#include "fuzz.h"
#include "rtnl.h"

static void one(const struct nlmsghdr *h, void *arg)
{
	struct laddr a;

	(void)arg;
	if (rtnl_decode_addr(h, &a))
		return;
	fz_assert(a.a.family == AF_INET || a.a.family == AF_INET6);
	fz_assert(a.a.plen <= addr_bits(&a.a));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_quiet();
	fz_each_msg(data, size, one, NULL);
	return 0;
}
