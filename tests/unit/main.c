// SPDX-License-Identifier: GPL-2.0
/*
 * The unit test runner: every suite, one srunner. Check's environment
 * applies (CK_FORK=no, CK_RUN_SUITE=plan, CK_RUN_CASE=..., CK_VERBOSITY=verbose).
 * Exits 1 when any test fails.
 */
#include <stdlib.h>

#include "unit.h"

int main(void)
{
	Suite *(*const suites[])(void) = {
		addr_suite,    log_suite,    config_suite, rail_suite,	 sysctl_suite,
		netlink_suite, rtnl_suite,   plan_suite,   ledger_suite, apply_suite,
		verify_suite,  host_suite,   match_suite,  export_suite, text_suite,
		alloc_suite,   report_suite, rdmanl_suite, lock_suite,	 pmtu_suite,
	};
	SRunner *sr = srunner_create(NULL);
	int failed;

	for (size_t i = 0; i < ARRAY_SIZE(suites); i++)
		srunner_add_suite(sr, suites[i]());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
