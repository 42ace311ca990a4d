// SPDX-License-Identifier: GPL-2.0
/* rtnl_decode_link() on every message of a receive buffer (RTM_NEWLINK replies and events). */
#include "fuzz.h"
#include "rtnl.h"

static void one(const struct nlmsghdr *h, void *arg)
{
	struct link l;

	(void)arg;
	if (rtnl_decode_link(h, &l))
		return;
	fz_assert(fz_terminated(l.name, sizeof(l.name)));
	fz_assert(l.hwlen <= sizeof(l.hwaddr));
	for (int k = 0; k < SC_COUNT; k++)
		fz_assert(l.conf[k] >= SC_UNSET);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_quiet();
	fz_each_msg(data, size, one, NULL);
	return 0;
}
