/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Carrying a plan out: sysctl values through /proc/sys, everything else in
 * one netlink batch in the plan's order. A failed change fails its rail (with
 * the change and the kernel's words); what succeeded is recorded in the
 * ledger, on disk and in o. Returns the number of failed changes, or -1 when nothing could be
 * sent at all.
 */
#ifndef RAILUP_APPLY_H
#define RAILUP_APPLY_H

#include <stddef.h>

#include "netlink.h"
#include "plan.h"
#include "rail.h"

int apply_plan(struct nl *nl, struct railmap *m, struct observed *o, const struct plan *p,
	       const char *rundir);

/* One change as the command line plan_print() writes, without the newline. */
void change_describe(const struct change *c, char *buf, size_t n);

#endif
