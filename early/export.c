// SPDX-License-Identifier: GPL-2.0
#include "commands.h"
#include "log.h"

/* Placeholder until the export stage lands: says so and fails. */
int cmd_export(const struct opts *o)
{
	(void)o;
	log_err("export: not built yet");
	return EXIT_FAIL;
}
