// SPDX-License-Identifier: GPL-2.0
/*
 * rdmanl_decode_port() on every message of a receive buffer: RDMA netlink
 * RDMA_NLDEV_CMD_GET (devices) and RDMA_NLDEV_CMD_PORT_GET (ports) replies.
 */
#include "fuzz.h"
#include "rdmanl.h"

static void one(const struct nlmsghdr *h, void *arg)
{
	struct rdma_port p;

	(void)arg;
	if (rdmanl_decode_port(h, &p))
		return;
	fz_assert(p.dev[0] && fz_terminated(p.dev, sizeof(p.dev)));
	fz_assert(fz_terminated(p.protocol, sizeof(p.protocol)));
	fz_assert(fz_terminated(p.ndev, sizeof(p.ndev)));
	fz_assert(p.ndev_index >= 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_quiet();
	fz_each_msg(data, size, one, NULL);
	return 0;
}
