// SPDX-License-Identifier: GPL-2.0
/* The rail-map grammar with the input as the kernel command line, no conf file. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct railmap m;

	fz_quiet();
	railmap_init(&m);
	fz_check_map(&m, config_from_text(&m, (const char *)data, size, NULL, 0));
	railmap_free(&m);
	return 0;
}
