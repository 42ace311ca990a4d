/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rail map's sources as tokens, each with where it came from for the
 * error that may quote it: the kernel command line, split as the kernel
 * splits it, with what dracut adds to it; railup.conf, line by line, with
 * its comments. What the tokens mean is config.h's.
 */
#ifndef RAILUP_TOKENS_H
#define RAILUP_TOKENS_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_LINE_MAX 4096
#define CONFIG_FILE_MAX (4 << 20)

/* A token and where it came from. */
struct tok {
	char *text;
	char *where;
	bool file;
};

struct toks {
	struct tok *v;
	unsigned n, cap;
};

void toks_add(struct toks *tl, const char *text, size_t n, const char *where, bool file);
void toks_free(struct toks *tl);

/*
 * Splits text as the kernel splits its command line: on white space outside
 * double quotes, dropping the quotes the kernel drops. Calls fn per token.
 */
int cmdline_split(char *text, int (*fn)(char *token, void *arg), void *arg);

/* A command line's tokens that keep() wants; a NUL counts as white space. */
void toks_cmdline(struct toks *tl, const char *text, size_t len, const char *where,
		  bool (*keep)(const char *token));
/*
 * Every token of a conf file ("PATH:LINE" as where), '#' to the end of a
 * line a comment. A line longer than CONFIG_LINE_MAX or holding a NUL is
 * bad input: one logged line, -1.
 */
int toks_conf(struct toks *tl, const char *text, size_t len, const char *path);

/* A command line's text and where it came from. */
struct source {
	const char *text;
	size_t len;
	const char *where;
};
/*
 * What dracut adds to the kernel command line in an initramfs it built:
 * /etc/cmdline, then /etc/cmdline.d/NAME.conf, at most max of them; bufs[i]
 * holds what to free (and the where of a cmdline.d file is allocated too).
 */
unsigned dracut_cmdline(struct source *v, unsigned max, char **bufs);

#endif
