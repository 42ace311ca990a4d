// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "text.h"
#include "tokens.h"

void toks_add(struct toks *tl, const char *text, size_t n, const char *where, bool file)
{
	struct tok *t;

	if (tl->n == tl->cap) {
		tl->cap = tl->cap ? tl->cap * 2 : 16;
		tl->v = xrealloc(tl->v, tl->cap * sizeof(*tl->v));
	}
	t = &tl->v[tl->n++];
	t->text = xrealloc(NULL, n + 1);
	memcpy(t->text, text, n);
	t->text[n] = '\0';
	t->where = xrealloc(NULL, strlen(where) + 1);
	strcpy(t->where, where);
	t->file = file;
}

void toks_free(struct toks *tl)
{
	for (unsigned i = 0; i < tl->n; i++) {
		free(tl->v[i].text);
		free(tl->v[i].where);
	}
	free(tl->v);
}

int cmdline_split(char *text, int (*fn)(char *token, void *arg), void *arg)
{
	char *p = text;

	for (;;) {
		bool quoted = false, in_quote = false, drop_last = false;
		char *start, *eq;
		size_t i;
		int ret;

		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			return 0;
		if (*p == '"') {
			p++;
			quoted = in_quote = true;
		}
		start = p;
		for (i = 0; p[i] && (in_quote || !isspace((unsigned char)p[i])); i++)
			if (p[i] == '"')
				in_quote = !in_quote;
		p += i;
		if (*p)
			*p++ = '\0';
		/* As the kernel does: a quote opening the value goes, with one closing quote. */
		eq = strchr(start, '=');
		if (i && start[i - 1] == '"' && ((eq && eq[1] == '"') || quoted))
			drop_last = true;
		if (drop_last)
			start[--i] = '\0';
		if (eq && eq[1] == '"')
			memmove(eq + 1, eq + 2, strlen(eq + 2) + 1);
		if (!*start)
			continue;
		ret = fn(start, arg);
		if (ret)
			return ret;
	}
}

struct split_ctx {
	struct toks *tl;
	const char *where;
	bool (*keep)(const char *token);
};

static int collect_one(char *token, void *arg)
{
	struct split_ctx *s = arg;

	if (s->keep(token))
		toks_add(s->tl, token, strlen(token), s->where, false);
	return 0;
}

void toks_cmdline(struct toks *tl, const char *text, size_t len, const char *where,
		  bool (*keep)(const char *token))
{
	char *copy = xrealloc(NULL, len + 1);
	struct split_ctx s = { tl, where, keep };

	/* /proc/cmdline holds no NUL; a file standing in for it must not hide tokens behind one. */
	for (size_t i = 0; i < len; i++)
		copy[i] = text[i] ? text[i] : ' ';
	copy[len] = '\0';
	cmdline_split(copy, collect_one, &s);
	free(copy);
}

struct line_ctx {
	struct toks *tl;
	char where[300];
};

static int collect_line_token(char *token, void *arg)
{
	struct line_ctx *l = arg;

	toks_add(l->tl, token, strlen(token), l->where, true);
	return 0;
}

int toks_conf(struct toks *tl, const char *text, size_t len, const char *path)
{
	char *line = xrealloc(NULL, CONFIG_LINE_MAX + 1);
	struct line_ctx l = { .tl = tl };
	unsigned lineno = 0;
	char num[TEXT_DEC_MAX];
	int ret = 0;

	for (size_t pos = 0; pos < len && !ret;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - text) - pos : len - pos;
		char *hash;

		lineno++;
		text_join(l.where, sizeof(l.where),
			  (const char *[]){ path, ":", text_dec(num, lineno), NULL });
		if (n > CONFIG_LINE_MAX || memchr(text + pos, '\0', n)) {
			log_err("%s: %s: %s", l.where, quote(text + pos, n > 64 ? 64 : n),
				n > CONFIG_LINE_MAX ? "line longer than 4096 bytes"
						    : "NUL byte in the line");
			ret = -1;
			break;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		for (hash = line; (hash = strchr(hash, '#'));) {
			if (hash == line || isspace((unsigned char)hash[-1])) {
				*hash = '\0';
				break;
			}
			hash++;
		}
		cmdline_split(line, collect_line_token, &l);
	}
	free(line);
	return ret;
}

/* Read with /proc/cmdline, before it, as dracut's own getarg reads them. */
unsigned dracut_cmdline(struct source *v, unsigned max, char **bufs)
{
	static const char pattern[] = "/etc/cmdline.d/*.conf";
	unsigned n = 0;
	glob_t g;

	bufs[n] = text_load("/etc/cmdline", CONFIG_FILE_MAX, &v[n].len);
	if (bufs[n])
		v[n].text = bufs[n], v[n].where = "/etc/cmdline", n++;
	if (glob(pattern, 0, NULL, &g))
		return n;
	for (size_t i = 0; i < g.gl_pathc && n < max; i++) {
		bufs[n] = text_load(g.gl_pathv[i], CONFIG_FILE_MAX, &v[n].len);
		if (!bufs[n])
			continue;
		v[n].text = bufs[n];
		v[n].where = xrealloc(NULL, strlen(g.gl_pathv[i]) + 1);
		strcpy((char *)v[n].where, g.gl_pathv[i]);
		n++;
	}
	globfree(&g);
	return n;
}
