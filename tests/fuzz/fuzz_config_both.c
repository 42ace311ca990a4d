// SPDX-License-Identifier: GPL-2.0
/*
 * The rail-map grammar from both sources: the input up to its first NUL byte
 * is the kernel command line, the rest is /etc/railup.conf (no NUL: the
 * first half is the command line). Exercises the merge: settings key by
 * key, rails replaced, rd.rail=0 on the command line before the file.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t clen = nul ? (size_t)(nul - data) : size / 2;
	size_t skip = nul ? 1 : 0;
	char *cmd = malloc(clen ? clen : 1);
	char *conf = malloc(size - clen - skip ? size - clen - skip : 1);
	struct railmap m;

	/* Separate allocations of exact size: a read past either end is caught. */
	memcpy(cmd, data, clen);
	memcpy(conf, data + clen + skip, size - clen - skip);
	fz_quiet();
	railmap_init(&m);
	fz_check_map(&m, config_from_text(&m, cmd, clen, conf, size - clen - skip));
	railmap_free(&m);
	free(cmd);
	free(conf);
	return 0;
}
