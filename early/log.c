// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "text.h"

#define KMSG_PER_OPEN 8

static int kmsg_fd = -1;
static unsigned kmsg_written;
static bool use_kmsg;
static int echo_below; /* kernel log lines under this level reach stderr's console */
static int max_level = LOG_INFO;
static log_sink_fn *sink;
static void *sink_arg;

/*
 * When stderr is the console (an initramfs without systemd), the kernel
 * puts every kernel log line under its console log level there too (every
 * line, with ignore_loglevel): such a line written to both showed twice.
 * The level under which the kernel echoes, or 0 when stderr is something else.
 */
static int console_echo_level(void)
{
	struct stat err, con;
	char *s;
	size_t n;
	bool every;
	int v = 0;

	if (fstat(STDERR_FILENO, &err) || !S_ISCHR(err.st_mode) || stat("/dev/console", &con) ||
	    err.st_rdev != con.st_rdev)
		return 0;
	s = text_load("/sys/module/printk/parameters/ignore_loglevel", 64, &n);
	every = s && s[0] == 'Y';
	free(s);
	if (every)
		return LOG_DEBUG + 1;
	s = text_load("/proc/sys/kernel/printk", 64, &n);
	for (const char *c = s; c && *c >= '0' && *c <= '9' && v < 100; c++)
		v = v * 10 + (*c - '0');
	free(s);
	return v;
}

static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char *end;

	if (!e || fstat(STDERR_FILENO, &st))
		return false;
	dev = strtoull(e, &end, 10);
	if (end == e || *end != ':')
		return false;
	e = end + 1;
	ino = strtoull(e, &end, 10);
	return end != e && !*end && dev == (unsigned long long)st.st_dev &&
	       ino == (unsigned long long)st.st_ino;
}

void log_setup(enum log_kmsg kmsg, int level)
{
	use_kmsg = kmsg == KMSG_ON || (kmsg == KMSG_UNLESS_JOURNAL && !stderr_is_journal());
	max_level = level;
	echo_below = use_kmsg ? console_echo_level() : 0;
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
static bool to_kmsg(int level, const char *msg)
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
			return false;
	}
	n = snprintf(line, sizeof(line), "<%d>railup: %s\n", level, msg);
	if (n > (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 1;
	if (write(kmsg_fd, line, (size_t)n) != n)
		return false;
	kmsg_written++;
	return true;
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
	/* A line the kernel puts on stderr's console already is not written there again. */
	if (use_kmsg && to_kmsg(level, msg) && level < echo_below)
		return;
	fprintf(stderr, "railup: %s%s\n", level == LOG_WARNING ? "warning: " : "", msg);
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

/* One pass of a bottom-up merge sort: runs of w from a merged into runs of 2w in out. */
static void merge_pass(char *const *a, char **out, size_t n, size_t w,
		       int (*cmp)(const void *, const void *))
{
	for (size_t lo = 0; lo < n; lo += 2 * w) {
		size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
		size_t i = lo, j = mid, k = lo;

		while (i < mid && j < hi)
			out[k++] = cmp(a[j], a[i]) < 0 ? a[j++] : a[i++];
		while (i < mid)
			out[k++] = a[i++];
		while (j < hi)
			out[k++] = a[j++];
	}
}

/*
 * musl's qsort moves elements with a memcpy() each, over and over: sorting
 * railup's records for 1024 rails took 170,000 of them. Here pointers are
 * sorted (merge sort, so stable) and each element is moved once.
 */
void xsort(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char **p, **q, *sorted;
	size_t i;

	/* Dumps often come in order already (rules by priority): one pass says so. */
	for (i = 1; i < n && cmp((char *)v + (i - 1) * size, (char *)v + i * size) <= 0; i++)
		;
	if (i >= n)
		return;
	p = xcalloc(2 * n, sizeof(*p));
	q = p + n;
	for (i = 0; i < n; i++)
		p[i] = (char *)v + i * size;
	for (size_t w = 1; w < n; w *= 2) {
		char **t = p;

		merge_pass(p, q, n, w, cmp);
		p = q;
		q = t;
	}
	sorted = xrealloc(NULL, n * size);
	for (i = 0; i < n; i++)
		memcpy(sorted + i * size, p[i], size);
	memcpy(v, sorted, n * size);
	free(sorted);
	free(p < q ? p : q);
}
