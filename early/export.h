/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rail map as the persistent configuration of a node whose network
 * systemd-networkd or NetworkManager owns: per NIC a .network file or a
 * keyfile with its rails' addresses, routes and rules (as plan_rail_routes()
 * and plan_rail_rule() define them), and, since neither has settings for
 * ARP and most of rp_filter, the sysctls as a sysctl.d file. Rendering is
 * pure; writing puts the files into one directory for the operator (or a
 * config tool) to install:
 *
 *   networkd  50-railup-<rail>.network   /etc/systemd/network/
 *             railup-networkd.conf       /etc/systemd/networkd.conf.d/
 *   nm        railup-<rail>.nmconnection /etc/NetworkManager/system-connections/
 *   both      90-railup-sysctl.conf      /etc/sysctl.d/
 *
 * Files of those names that start with EXPORT_MARK are railup's: written
 * again, or removed when their rail is gone. Any other file is left alone.
 */
#ifndef RAILUP_EXPORT_H
#define RAILUP_EXPORT_H

#include <stddef.h>

#include "rail.h"

enum export_kind { EXPORT_NETWORKD, EXPORT_NM };

#define EXPORT_MARK "# Written by railup export"

struct export_file {
	char name[64];
	unsigned mode;
	char *text;
	size_t len;
};

struct export_files {
	struct export_file *f;
	unsigned n, cap;
};

/* "networkd" or "nm"; -1 for anything else. */
int export_kind_parse(const char *s, enum export_kind *k);

/*
 * Every file of a finalized map whose addresses are resolved. What the
 * target cannot express (an identity it cannot match) is said in the file
 * and logged as a warning. -1 (logged, quoting the tokens) when two rails of
 * one NIC name different identities.
 */
int export_render(const struct railmap *m, enum export_kind k, struct export_files *out);
void export_files_free(struct export_files *s);

/*
 * Writes the files into dir (made when missing), each atomically, and
 * removes railup's files of the kind that the map no longer renders. A file
 * of the same name that is not railup's fails the whole write before
 * anything changes. 0, or -1 logged.
 */
int export_write(const char *dir, enum export_kind k, const struct export_files *s);

#endif
