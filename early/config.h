/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the rail map. The kernel command line and /etc/railup.conf speak
 * one grammar, so a line can be pasted between them:
 *
 *   rd.rail=<name>:<address>/<prefixlen>[:<gateway>][,key=value...]
 *   rd.rail.<key>=<value>          (a default or setting for the whole map)
 *   rd.rail=0                      (railup does nothing)
 *
 * The conf file is read first, then the command line: the command line's
 * settings win key by key, and if it names any rail its rails replace the
 * file's. Unknown tokens on the command line belong to others; in the file
 * they are errors.
 */
#ifndef RAILUP_CONFIG_H
#define RAILUP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "rail.h"

enum config_result { CONFIG_BAD = -1, CONFIG_OK = 0, CONFIG_DISABLED = 1 };

/*
 * Reads both sources (a missing conf is fine unless conf_required), merges
 * and finalizes the map. With /proc/cmdline, what dracut adds to the command
 * line (/etc/cmdline, the .conf files of /etc/cmdline.d) comes
 * first. Every problem is one logged line quoting the token.
 */
enum config_result config_load(struct railmap *m, const char *cmdline_path, const char *conf_path,
			       bool conf_required);

/* The same from text already in memory; for tests and fuzzers. */
enum config_result config_from_text(struct railmap *m, const char *cmdline, size_t cmdline_len,
				    const char *conf, size_t conf_len);

#endif
