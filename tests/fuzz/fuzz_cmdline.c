// SPDX-License-Identifier: GPL-2.0
/*
 * cmdline_split(): /proc/cmdline's tokenizer, on any bytes (NUL-terminated
 * as railup terminates what it read). Every token must be non-empty, lie
 * inside the text, and hold white space only where a quote allowed it.
 */
#include <ctype.h>

#include "fuzz.h"

struct split {
	const char *text;
	size_t len;
	bool quotes; /* the input has a double quote (the split drops some) */
	unsigned n;
};

static int token(char *t, void *arg)
{
	struct split *s = arg;
	size_t n = strlen(t);

	fz_assert(n > 0);
	fz_assert(t >= s->text && t + n <= s->text + s->len);
	for (size_t i = 0; i < n; i++)
		fz_assert(!isspace((unsigned char)t[i]) || s->quotes);
	s->n++;
	return 0;
}

static int stop_at_second(char *t, void *arg)
{
	unsigned *n = arg;

	(void)t;
	return ++*n == 2 ? 42 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct split s = { text, size, memchr(data, '"', size) != NULL, 0 };
	unsigned n = 0;
	int ret;

	fz_quiet();
	memcpy(text, data, size);
	text[size] = '\0';
	fz_assert(cmdline_split(text, token, &s) == 0);
	/* A callback's non-zero return stops the split and is returned. */
	memcpy(text, data, size);
	text[size] = '\0';
	ret = cmdline_split(text, stop_at_second, &n);
	fz_assert(s.n >= 2 ? ret == 42 && n == 2 : ret == 0 && n == s.n);
	free(text);
	return 0;
}
