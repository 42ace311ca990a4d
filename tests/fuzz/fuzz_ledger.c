// SPDX-License-Identifier: GPL-2.0
/*
 * ledger_read(): <rundir>/owned as railup reads it back at the next apply or
 * at down. Whatever it keeps must be well formed and sorted for the lookups.
 */
#include "fuzz.h"
#include "ledger.h"
#include "sysctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct owned *v;
	unsigned n;

	fz_quiet();
	fz_assert(ledger_read(fz_write_file("owned", data, size), &v, &n) == 0);
	for (unsigned i = 0; i < n; i++) {
		fz_assert(v[i].kind == OWN_ADDR || v[i].kind == OWN_SYSCTL || v[i].kind == OWN_MTU);
		fz_assert(v[i].ifname[0] && fz_terminated(v[i].ifname, sizeof(v[i].ifname)));
		if (v[i].kind == OWN_SYSCTL)
			fz_assert(v[i].key < SC_COUNT && v[i].orig >= 0);
		else if (v[i].kind == OWN_MTU)
			fz_assert(v[i].ifindex > 0 && v[i].orig > 0);
		else
			fz_assert((v[i].a.family == AF_INET || v[i].a.family == AF_INET6) &&
				  v[i].a.plen <= addr_bits(&v[i].a));
		fz_assert(ledger_find(v, n, &v[i]) != NULL);
		fz_assert(ledger_first(v, n, v[i].kind, v[i].ifindex) != NULL);
	}
	free(v);
	return 0;
}
