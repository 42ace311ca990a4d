/* SPDX-License-Identifier: GPL-2.0 */
/* The run lock: one railup at a time changes the node (apply, down, boot). */
#ifndef RAILUP_LOCK_H
#define RAILUP_LOCK_H

#include <stdbool.h>

enum lock_state {
	LOCK_NONE, /* no run made the lock yet (asked without create) */
	LOCK_HELD,
	LOCK_LATE, /* held, but made by another run since this one found none */
};

/*
 * Holds <dir>/lock (flock) until the process ends, waiting for another
 * railup that holds it: a run that changes the node reads the ledger,
 * changes the kernel and writes the ledger anew, and two at once would each
 * act on what they read. Without create, only a lock some run made already
 * (bad input must write nothing, so a first run of a boot makes the lock
 * once its map is known good, having read the node without it). With
 * create, LOCK_LATE says another run made the lock after this one looked
 * for it: what this one read before may have changed since. Without the
 * lock (the directory cannot be written), a warning, and the run goes on.
 */
enum lock_state lock_take(const char *dir, bool create);

#endif
