// SPDX-License-Identifier: GPL-2.0
/*
 * cm_decode_event() on what RDMA_USER_CM_CMD_GET_EVENT wrote, of any length
 * (railup hands it its whole response buffer), and cm_event_name() on the
 * event it found.
 */
#include "fuzz.h"
#include "rdmacm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cm_event_info ev;
	uint8_t *copy = malloc(size ? size : 1);

	fz_quiet();
	memcpy(copy, data, size);
	if (!cm_decode_event(copy, size, &ev)) {
		const char *name = cm_event_name(ev.event);

		fz_assert(ev.event >= 0);
		fz_assert(name && strlen(name) < 64);
	}
	free(copy);
	return 0;
}
