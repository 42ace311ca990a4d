// SPDX-License-Identifier: GPL-2.0
/* rtnl_decode_route() on every message of a receive buffer (route dumps, ip route get). */
#include "fuzz.h"
#include "rtnl.h"

static void one(const struct nlmsghdr *h, void *arg)
{
	struct route r;

	(void)arg;
	if (rtnl_decode_route(h, &r))
		return;
	fz_assert(r.dst.family == AF_INET || r.dst.family == AF_INET6);
	fz_assert(r.dst.plen <= addr_bits(&r.dst));
	fz_assert(!r.gw.family || r.gw.family == r.dst.family);
	fz_assert(!r.src.family || r.src.family == r.dst.family);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_quiet();
	fz_each_msg(data, size, one, NULL);
	return 0;
}
