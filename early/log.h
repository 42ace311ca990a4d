/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one logging path: every message goes to stderr and, when enabled, to
 * the kernel log (/dev/kmsg) with its syslog level, so dmesg shows it during
 * boot; a line the kernel puts on the console, when stderr is the console,
 * is not written there a second time.
 */
#ifndef RAILUP_LOG_H
#define RAILUP_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

enum log_kmsg {
	KMSG_OFF,
	KMSG_ON,
	/*
	 * Unless stderr is the journal ($JOURNAL_STREAM names it): the journal
	 * keeps the messages and a unit's console gets them from it, so a copy
	 * in the kernel log would show every line twice there.
	 */
	KMSG_UNLESS_JOURNAL,
};

void log_setup(enum log_kmsg kmsg, int max_level);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

/*
 * s[0..n) in double quotes, fit for a one-line message: non-printing bytes
 * as \xHH, a long token cut in the middle. The result lives until the
 * fourth call after this one.
 */
const char *quote(const char *s, size_t n);
const char *quotes(const char *s);

/*
 * The one error for bad input: "WHERE: "TOKEN": WHAT", logged; returns -1.
 * WHERE names the source (a file and line, or the command line).
 */
int token_error(const char *where, const char *token, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Tests take the messages instead of stderr. */
typedef void log_sink_fn(int level, const char *msg, void *arg);
void log_set_sink(log_sink_fn *fn, void *arg);

/* Gives up: out of memory is the one failure railup does not report per rail. */
void *xrealloc(void *p, size_t n);
void *xcalloc(size_t n, size_t size);
/* Sorts like qsort(), stably; an empty array may be NULL. */
void xsort(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* Room for one more element in an array of *cap; returns the array. */
void *xgrow(void *v, unsigned n, unsigned *cap, size_t size);

#endif
