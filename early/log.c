// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define KMSG_PER_OPEN 8

static int kmsg_fd = -1;
static unsigned kmsg_written;
static bool use_kmsg;
static int max_level = LOG_INFO;
static log_sink_fn *sink;
static void *sink_arg;

void log_setup(bool kmsg, int level)
{
	use_kmsg = kmsg;
	max_level = level;
}

void log_set_sink(log_sink_fn *fn, void *arg)
{
	sink = fn;
	sink_arg = arg;
}

/*
 * The kernel rate-limits each open of /dev/kmsg to ten lines per five
 * seconds; a boot with many rails reopens it rather than lose lines.
 */
static void to_kmsg(int level, const char *msg)
{
	char line[1024];
	int n;

	if (kmsg_fd >= 0 && kmsg_written >= KMSG_PER_OPEN) {
		close(kmsg_fd);
		kmsg_fd = -1;
	}
	if (kmsg_fd < 0) {
		kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
		kmsg_written = 0;
		if (kmsg_fd < 0)
			return;
	}
	n = snprintf(line, sizeof(line), "<%d>railup: %s\n", level, msg);
	if (n > (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 1;
	if (write(kmsg_fd, line, (size_t)n) == n)
		kmsg_written++;
}

void log_msg(int level, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (sink) {
		sink(level, msg, sink_arg);
		return;
	}
	fprintf(stderr, "railup: %s%s\n", level == LOG_WARNING ? "warning: " : "", msg);
	if (use_kmsg)
		to_kmsg(level, msg);
}

int token_error(const char *where, const char *token, const char *fmt, ...)
{
	char what[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	log_err("%s: %s: %s", where, quotes(token), what);
	return -1;
}

#define QUOTE_MAX 72

const char *quote(const char *s, size_t n)
{
	static char ring[4][QUOTE_MAX * 4 + 8];
	static unsigned next;
	char *out = ring[next++ % 4], *o = out;

	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (n > QUOTE_MAX && i == QUOTE_MAX / 2) {
			o += sprintf(o, "...");
			i = n - QUOTE_MAX / 2;
			c = (unsigned char)s[i];
		}
		if (c == '"' || c == '\\')
			o += sprintf(o, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			o += sprintf(o, "\\x%02x", c);
		else
			*o++ = (char)c;
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

const char *quotes(const char *s)
{
	return quote(s, strlen(s));
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		log_err("out of memory");
		exit(1);
	}
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		log_err("out of memory");
		exit(1);
	}
	return p;
}

void *xgrow(void *v, unsigned n, unsigned *cap, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 16;
	return xrealloc(v, (size_t)*cap * size);
}

void xsort(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(v, n, size, cmp);
}
