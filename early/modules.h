/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading the kernel modules the rails need, with modprobe's semantics
 * (libkmod: aliases, dependencies, softdeps, modprobe.d options and
 * blacklists). Built-in modules and kernels without module support are
 * fine; a module that is missing is a warning, not a failure: rails that
 * need it fail later, with their own message.
 */
#ifndef RAILUP_MODULES_H
#define RAILUP_MODULES_H

#include "rail.h"

/* The map's modules (rd.rail.modules=) and what Soft-RoCE rails need; how many are missing. */
int modules_load(const struct railmap *m);

#endif
