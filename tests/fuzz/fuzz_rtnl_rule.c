// SPDX-License-Identifier: GPL-2.0
/* rtnl_decode_rule() on every message of a receive buffer (rule dumps). */
#include "fuzz.h"
#include "rtnl.h"

static void one(const struct nlmsghdr *h, void *arg)
{
	struct rule r;

	(void)arg;
	if (rtnl_decode_rule(h, &r))
		return;
	fz_assert(r.family == AF_INET || r.family == AF_INET6);
	fz_assert(!r.src.family || (r.src.family == r.family && r.src.plen <= addr_bits(&r.src)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_quiet();
	fz_each_msg(data, size, one, NULL);
	return 0;
}
