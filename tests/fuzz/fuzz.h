/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the libFuzzer targets (tests/fuzz/fuzz_*.c) share: railup's logging
 * silenced and counted, an assertion that survives NDEBUG, walking a receive
 * buffer the way railup's netlink layer walks what recv() returned, and a
 * private directory for the file parsers.
 */
#ifndef RAILUP_FUZZ_H
#define RAILUP_FUZZ_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "rail.h"
#include "tokens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A broken promise of railup's: abort, so that libFuzzer keeps the input. */
#define fz_assert(cond)                                                                      \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                      \
			abort();                                                             \
		}                                                                            \
	} while (0)

/* The messages railup logged during one input. */
struct fz_log {
	unsigned n, errors;
	char first_error[1024];
};

static struct fz_log fz_log;

static inline void fz_sink(int level, const char *msg, void *arg)
{
	(void)arg;
	fz_log.n++;
	if (level <= LOG_ERR && !fz_log.errors++)
		snprintf(fz_log.first_error, sizeof(fz_log.first_error), "%s", msg);
}

/* Silences railup: every message goes to fz_log instead of stderr. */
static inline void fz_quiet(void)
{
	memset(&fz_log, 0, sizeof(fz_log));
	log_setup(false, LOG_DEBUG);
	log_set_sink(fz_sink, NULL);
}

/* Whether s is NUL-terminated within n bytes. */
static inline bool fz_terminated(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

/*
 * Calls fn on each message of a receive buffer of size bytes, as
 * netlink.c does with what recv() returned (NLMSG_OK, NLMSG_NEXT). The
 * bytes are copied to a buffer of exactly their size, so that AddressSanitizer
 * sees any read past them.
 */
static inline void fz_each_msg(const uint8_t *data, size_t size,
			       void (*fn)(const struct nlmsghdr *h, void *arg), void *arg)
{
	uint8_t *buf;
	const struct nlmsghdr *h;
	int left;

	if (size > 1 << 20)
		return;
	buf = malloc(size ? size : 1);
	if (!buf)
		return;
	memcpy(buf, data, size);
	left = (int)size;
	for (h = (const struct nlmsghdr *)buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left))
		fn(h, arg);
	free(buf);
}

/* A private directory for the file parsers, made once, removed at exit. */
static char fz_dir[512];
static char fz_file[600];

static inline void fz_dir_remove(void)
{
	unlink(fz_file);
	rmdir(fz_dir);
}

/* Writes the input to DIR/name (DIR made on first use); returns DIR. */
static inline const char *fz_write_file(const char *name, const uint8_t *data, size_t size)
{
	FILE *f;

	if (!fz_dir[0]) {
		snprintf(fz_dir, sizeof(fz_dir), "%s/railup-fuzz.XXXXXX",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(fz_dir)) {
			perror("mkdtemp");
			abort();
		}
		snprintf(fz_file, sizeof(fz_file), "%s/%s", fz_dir, name);
		atexit(fz_dir_remove);
	}
	f = fopen(fz_file, "w");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f)) {
		perror(fz_file);
		abort();
	}
	return fz_dir;
}

/*
 * Checks what config_from_text() promises: a bad map is one error line
 * quoting the token; a good one is complete (finalized) and within bounds.
 * Templated addresses are then resolved with the map's own host number.
 */
static inline void fz_check_map(struct railmap *m, enum config_result res)
{
	fz_assert(res == CONFIG_OK || res == CONFIG_BAD || res == CONFIG_DISABLED);
	if (res != CONFIG_OK) {
		fz_assert(res == CONFIG_DISABLED ? fz_log.errors == 0 && m->disabled == 1
						 : fz_log.errors == 1);
		fz_assert(res == CONFIG_DISABLED || strchr(fz_log.first_error, '"'));
		return;
	}
	fz_assert(fz_log.errors == 0);
	fz_assert(m->disabled != 1);
	fz_assert(m->n <= RAILS_MAX);
	for (unsigned i = 0; i < m->n; i++) {
		const struct rail *r = &m->rail[i];

		fz_assert(r->name[0] && fz_terminated(r->name, sizeof(r->name)));
		fz_assert(r->addr.family == AF_INET || r->addr.family == AF_INET6);
		fz_assert(r->addr.plen <= addr_bits(&r->addr));
		fz_assert(!r->gw.family || r->gw.family == r->addr.family);
		fz_assert(r->o.table != 0 && (r->o.table < 253 || r->o.table > 255));
		fz_assert(r->o.priority >= 1 && r->o.priority <= 32765);
		fz_assert(r->token && r->where);
	}
	if (railmap_has_templates(m)) {
		unsigned before = fz_log.errors;
		uint64_t index = m->host.source == HOST_NUMBER ? m->host.number : 7;

		if (railmap_resolve_hosts(m, index))
			fz_assert(fz_log.errors == before + 1 && strchr(fz_log.first_error, '"'));
		else
			fz_assert(fz_log.errors == before);
	}
}

#endif
