// SPDX-License-Identifier: GPL-2.0
/* The rail-map grammar with the input as /etc/railup.conf and an empty command line. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct railmap m;

	fz_quiet();
	railmap_init(&m);
	fz_check_map(&m, config_from_text(&m, "", 0, (const char *)data, size));
	railmap_free(&m);
	return 0;
}
