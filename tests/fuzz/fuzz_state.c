// SPDX-License-Identifier: GPL-2.0
/*
 * report_state_read(): <rundir>/state (shell variables) as railup status
 * reads back what the boot wrote; report_state_by(), as watch reads who
 * wrote it.
 */
#include "fuzz.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct boot_record *b;
	unsigned n;

	const char *dir;

	fz_quiet();
	dir = fz_write_file("state", data, size);
	b = report_state_read(dir, &n);
	/* Any answer will do; it must not read past the file's end. */
	(void)report_state_by(dir, "down");
	fz_assert(n <= RAILS_MAX);
	fz_assert(b || n == 0);
	for (unsigned i = 0; i < n; i++) {
		fz_assert(fz_terminated(b[i].name, sizeof(b[i].name)));
		fz_assert(fz_terminated(b[i].phase, sizeof(b[i].phase)));
		fz_assert(fz_terminated(b[i].stage, sizeof(b[i].stage)));
		fz_assert(fz_terminated(b[i].error, sizeof(b[i].error)));
	}
	free(b);
	return 0;
}
