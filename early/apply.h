/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Carrying a plan out: sysctl values through /proc/sys, then one netlink
 * batch of everything but the rails' rules, then one of the rules of the
 * rails that have not failed: a rail's rule is what steers traffic into its
 * table, so a rail that failed half way gets none. A failed change fails its
 * rail (with the change and the kernel's words); what succeeded is recorded
 * in o's ledger. Returns how many changes that belong to no rail (conf/all,
 * leftovers) failed.
 */
#ifndef RAILUP_APPLY_H
#define RAILUP_APPLY_H

#include <stddef.h>

#include "netlink.h"
#include "plan.h"
#include "rail.h"

int apply_plan(struct nl *nl, struct railmap *m, struct observed *o, const struct plan *p);

/*
 * Writes what apply_plan() changed to rundir: the ledger, and the sysctl.d
 * drop-in of the values the map asks of its configured rails. After each
 * apply; boot, which applies round by round, once per batch of rails handed
 * on together (a write per rail made a boot of n rails write n^2 lines).
 */
void apply_save(const struct railmap *m, struct observed *o, const char *rundir);

#endif
