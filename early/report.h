/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reporting: `railup status` as text or JSON, the per-rail outcome lines
 * and summary of apply and boot.
 */
#ifndef RAILUP_REPORT_H
#define RAILUP_REPORT_H

#include <stdbool.h>
#include <net/if.h>
#include <stdio.h>

#include "plan.h"
#include "rail.h"
#include "verify.h"

/* What the state file says of one rail. */
struct boot_record {
	char name[IFNAMSIZ];
	char address[ADDR_STRLEN]; /* with the name, it tells a NIC's two rails apart */
	char phase[16];
	char stage[16];
	char error[200];
};

/* boot: what the last boot said of each rail (NULL entries: nothing). */
/* global: what applying the map would still change beyond its rails (conf/all, leftovers). */
void report_status(FILE *f, const struct railmap *m, const struct rail_check *c,
		   const struct boot_record *const *boot, const struct plan *global,
		   long long rp_drops, bool json);

/* One line per rail (its phase, or its stage and error) and a summary. */
void report_outcome(const struct railmap *m);
/* The line of a rail that failed or was left for later (true), or nothing. */
bool report_stopped(const struct rail *r);

/* The boot's verdict. */
enum boot_result { BOOT_OK, BOOT_DEGRADED, BOOT_FAILED, BOOT_DISABLED, BOOT_INVALID };
/* ok when every required rail reached the phase at least (boot: verified; apply: configured). */
enum boot_result report_result(const struct railmap *m, enum rail_phase enough);
const char *report_result_name(enum boot_result r);

/*
 * <rundir>/state: the boot's outcome as shell variables (RAILUP_RESULT,
 * RAIL<i>_NAME, _PHASE, ...), for hooks, health checks and railup status.
 * Written atomically; /run survives switch_root. A run reads it once, as it
 * found it (text NULL: there is none).
 */
struct state_file {
	char *text;
	size_t len;
};
void report_state_load(const char *rundir, struct state_file *f);
void report_state_free(struct state_file *f);
/* The file's rails, or NULL (n = 0) when there are none. */
struct boot_record *report_state_records(const struct state_file *f, unsigned *n);
/* Whether the file was written by `by` (RAILUP_BY: boot, apply, watch, down). */
bool report_state_by(const struct state_file *f, const char *by);
/*
 * A state that says what old (the file as the run read it; NULL: read here)
 * says already is not written again: RAILUP_TIME is when it changed.
 */
int report_state_write(const char *rundir, const struct state_file *old, const struct railmap *m,
		       enum boot_result res, const char *by);

/*
 * The node_exporter textfile: per rail whether it is configured, verified
 * and ok, its link state and effective sysctls; the rp_filter drop counter.
 * Replaced atomically (node_exporter must never read half a file).
 */
int report_metrics_write(const char *path, const struct railmap *m, const struct rail_check *c,
			 const struct boot_record *const *boot, long long rp_drops);

/* sd_notify(READY=1, STATUS=...) when $NOTIFY_SOCKET is set; no libsystemd. */
void report_notify(const char *status);

/* A JSON string, quoted and escaped. */
void json_str(FILE *f, const char *s);

#endif
