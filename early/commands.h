/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The subcommands, each the stages it needs in order. Exit statuses: 0 all
 * well, 1 a rail (or the kernel) failed, 2 bad input or usage.
 */
#ifndef RAILUP_COMMANDS_H
#define RAILUP_COMMANDS_H

#include <stdbool.h>

struct opts {
	const char *cmdline; /* /proc/cmdline */
	const char *conf;    /* /etc/railup.conf */
	const char *rundir;  /* /run/railup */
	bool conf_given;     /* a missing --conf is an error */
	bool json;
	const char *metrics; /* --metrics FILE */
	char **args;	     /* the command's own arguments */
	int nargs;
};

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_BAD = 2,
	EXIT_IDLE = 3, /* watch's rounds only: nothing to do */
	EXIT_UDEV = 4, /* nothing to do yet: a rail's netdev waits for udev */
	EXIT_OFF = 5,  /* railup switched off (rd.rail=0) */
};

int cmd_apply(const struct opts *o);
int cmd_plan(const struct opts *o);
int cmd_status(const struct opts *o);
int cmd_health(const struct opts *o);
int cmd_down(const struct opts *o);
int cmd_boot(const struct opts *o);
/* railup export networkd|nm DIR: the map as persistent configuration (export.c). */
int cmd_export(const struct opts *o);
/* railup watch: the map kept in place after boot (watch.c). */
int cmd_watch(const struct opts *o);
/*
 * One of watch's rounds: apply, except that with nothing to change, or
 * after down, it says and writes nothing (EXIT_IDLE, or EXIT_UDEV when a
 * rail's netdev is left down for udev: watch then looks again by itself).
 */
int cmd_apply_round(const struct opts *o);
/* Whether this process may change the network (CAP_NET_ADMIN); says why not. */
bool cmd_may_change(void);

#endif
