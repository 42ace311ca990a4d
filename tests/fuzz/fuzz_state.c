// SPDX-License-Identifier: GPL-2.0
/*
 * report_state_records(): <rundir>/state (shell variables) as railup status
 * and apply read back what the last run wrote; report_state_by(), as watch
 * reads who wrote it. Both read the text in place: apply compares it with
 * the state it would write next, so it must come out as the file says.
 */
#include <string.h>

#include "fuzz.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state_file st;
	struct boot_record *b;
	unsigned n;

	fz_quiet();
	report_state_load(fz_write_file("state", data, size), &st);
	fz_assert(st.text && st.len == size);
	b = report_state_records(&st, &n);
	/* Any answer will do; it must not read past the file's end. */
	(void)report_state_by(&st, "down");
	fz_assert(!memcmp(st.text, data, size) && st.text[size] == '\0');
	fz_assert(n <= RAILS_MAX);
	fz_assert(b || n == 0);
	for (unsigned i = 0; i < n; i++) {
		fz_assert(fz_terminated(b[i].name, sizeof(b[i].name)));
		fz_assert(fz_terminated(b[i].phase, sizeof(b[i].phase)));
		fz_assert(fz_terminated(b[i].stage, sizeof(b[i].stage)));
		fz_assert(fz_terminated(b[i].error, sizeof(b[i].error)));
	}
	free(b);
	report_state_free(&st);
	return 0;
}
