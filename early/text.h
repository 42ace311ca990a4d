/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The files railup keeps in its run directory (the ledger, the boot state):
 * built in memory, then put in place at once, so a reader sees the old file
 * or the new one, never half. Built by hand rather than through stdio: a
 * printf() copies each of its pieces separately, and musl's small copies
 * cost more than their bytes (the ledger and state of 1024 rails took tens
 * of thousands of them).
 */
#ifndef RAILUP_TEXT_H
#define RAILUP_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>

/* Far more than the ledger or state of RAILS_MAX rails: a larger file there is not railup's. */
#define RUNFILE_MAX (16 << 20)

struct text {
	char *s;
	size_t len, cap;
};

/*
 * src into dst, a buffer of n bytes, cut to fit and always terminated:
 * snprintf(dst, n, "%s", src) without the formatter, which costs a
 * thousand instructions a name. Returns src's length.
 */
size_t text_copy(char *dst, size_t n, const char *src);

/* The NULL-ended parts one after the other, as text_copy() would the whole. */
size_t text_join(char *dst, size_t n, const char *const *parts);

/* v in decimal, written to end just before end; returns where it starts (at most 20 before). */
char *text_udec(char *end, unsigned long long v);

/* Room for any unsigned long long in decimal and its NUL. */
#define TEXT_DEC_MAX 21

/* v in decimal in buf, NUL-terminated; returns where it starts. */
const char *text_dec(char buf[TEXT_DEC_MAX], unsigned long long v);

/* Makes room for at least one more character. */
void text_grow(struct text *t);

/* Inline: the run-directory files are written a character at a time. */
static inline void text_putc(struct text *t, char c)
{
	if (t->len == t->cap)
		text_grow(t);
	t->s[t->len++] = c;
}

void text_putn(struct text *t, const char *s, size_t n);

/* Room for n more bytes: where they go (the caller then moves len past what it wrote). */
char *text_room(struct text *t, size_t n);

/* Inline, so a literal's length is known when compiling. */
static inline void text_put(struct text *t, const char *s)
{
	text_putn(t, s, strlen(s));
}
void text_putu(struct text *t, unsigned long long v);
void text_puti(struct text *t, long long v);

/*
 * A whole file of at most max bytes, NUL-terminated (the NUL not counted in
 * len); NULL with errno set when it cannot be read (ENOENT: not there,
 * EFBIG: larger than max).
 */
char *text_load(const char *path, size_t max, size_t *len);

/* A run-directory file (dir/name, as text_commit() writes it), through text_load(). */
char *text_load_run(const char *dir, const char *name, size_t *len);

/*
 * The next line of a text_load()ed text: *at moves past it and its newline,
 * which becomes the line's NUL. NULL at end.
 */
char *text_line(char **at, char *end);

/* The line's fields, split at blanks (each cut off with a NUL); at most max. */
unsigned text_fields(char *line, char **f, unsigned max);

/*
 * A whole decimal integer in [min, max], as the kernel writes one in /proc
 * and /sys (a trailing newline allowed). False for anything else.
 */
bool text_int(const char *s, long long min, long long max, long long *v);

/* Opens (creates) path, a file in dir, creating dir when missing; -1 (errno) on failure. */
int text_open_run(const char *dir, const char *path, int flags, mode_t mode);

/*
 * Replaces dir/name (mode 0644) with the text, through dir/.name.tmp and
 * rename(), creating dir when missing; frees the text. -1 (errno) on failure.
 */
int text_commit(struct text *t, const char *dir, const char *name);

#endif
