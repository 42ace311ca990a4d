// SPDX-License-Identifier: GPL-2.0
/* rdmanl.h: what the ports say of a Soft-RoCE device the kernel would not make. */
#include <stdio.h>
#include <string.h>

#include "rdmanl.h"
#include "unit.h"

/* Netdev names no host has: the IPoIB lookup's sysfs reads find nothing. */
static struct rdma_port port(const char *dev, int ndev_index, const char *ndev)
{
	struct rdma_port p;

	memset(&p, 0, sizeof(p));
	snprintf(p.dev, sizeof(p.dev), "%s", dev);
	snprintf(p.protocol, sizeof(p.protocol), "roce");
	snprintf(p.ndev, sizeof(p.ndev), "%s", ndev);
	p.port = 1;
	p.state = IB_PORT_ACTIVE;
	p.ndev_index = ndev_index;
	return p;
}

START_TEST(test_rxe_exists)
{
	/* rxe_ut-b on ut-a (someone's), rxe_ut-c whose netdev is gone. */
	const struct rdma_port v[] = {
		port("rxe_ut-b", 2, "ut-a"),
		port("rxe_ut-c", 0, ""),
	};
	const struct rdma_port *holder = v;

	/* ut-a has a device already, under another name: done. */
	ck_assert_int_eq(rdma_rxe_exists(v, 2, "rxe_ut-a", 2, "ut-a", &holder), RXE_SERVED);
	ck_assert_ptr_null(holder);
	/* The name is ut-a's device: ut-b cannot have it. */
	ck_assert_int_eq(rdma_rxe_exists(v, 2, "rxe_ut-b", 3, "ut-b", &holder), RXE_NAME_TAKEN);
	ck_assert_ptr_eq(holder, &v[0]);
	/* A device of the name on the way out (its netdev gone): try again. */
	ck_assert_int_eq(rdma_rxe_exists(v, 2, "rxe_ut-c", 4, "ut-c", &holder), RXE_NAME_LEAVING);
	ck_assert_ptr_null(holder);
	/* Gone between the two requests: try again too. */
	ck_assert_int_eq(rdma_rxe_exists(v, 2, "rxe_ut-d", 5, "ut-d", &holder), RXE_NAME_LEAVING);
	ck_assert_int_eq(rdma_rxe_exists(NULL, 0, "rxe_ut-d", 5, "ut-d", &holder),
			 RXE_NAME_LEAVING);
}
END_TEST

Suite *rdmanl_suite(void)
{
	Suite *s = suite_create("rdmanl");
	TCase *tc = tcase_create("soft-roce");

	tcase_add_test(tc, test_rxe_exists);
	suite_add_tcase(s, tc);
	return s;
}
