/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reporting: `railup status` as text or JSON, the per-rail outcome lines
 * and summary of apply and boot.
 */
#ifndef RAILUP_REPORT_H
#define RAILUP_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "rail.h"
#include "verify.h"

void report_status(FILE *f, const struct railmap *m, const struct rail_check *c,
		   long long rp_drops, bool json);

/* One line per rail (its phase, or its stage and error) and a summary. */
void report_outcome(const struct railmap *m);

/* A JSON string, quoted and escaped. */
void json_str(FILE *f, const char *s);

#endif
