/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The node's host index, so that one kernel command line serves a whole
 * fleet: a templated rail address (10.0.1.100+/24) becomes base + index.
 * rd.rail.host= says where the index comes from: a number, the trailing
 * number of the hostname (node017 -> 17), the host part of an interface's
 * IPv4 address (addr:eth0), or that of the PXE boot NIC named by BOOTIF=.
 */
#ifndef RAILUP_HOST_H
#define RAILUP_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "rail.h"
#include "rtnl.h"

/* 0, or -1 with why set when the source gives no index (yet). */
int host_index(const struct host_spec *h, const struct observed *o, uint64_t *index, char *why,
	       size_t len);

/* The trailing decimal number of a hostname; -1 when it has none. */
int host_from_name(const char *name, uint64_t *index);

#endif
