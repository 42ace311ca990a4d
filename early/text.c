// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "text.h"

size_t text_copy(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);

	if (n) {
		size_t k = len < n ? len : n - 1;

		memcpy(dst, src, k);
		dst[k] = '\0';
	}
	return len;
}

size_t text_join(char *dst, size_t n, const char *const *parts)
{
	size_t len = 0;

	if (n)
		*dst = '\0';
	for (; *parts; parts++)
		len += text_copy(dst + (len < n ? len : n), len < n ? n - len : 0, *parts);
	return len;
}

void text_grow(struct text *t)
{
	t->s = xrealloc(t->s, t->cap = t->cap ? 2 * t->cap : 4096);
}

char *text_room(struct text *t, size_t n)
{
	while (t->cap - t->len < n)
		text_grow(t);
	return t->s + t->len;
}

void text_putn(struct text *t, const char *s, size_t n)
{
	memcpy(text_room(t, n), s, n);
	t->len += n;
}

char *text_udec(char *end, unsigned long long v)
{
	do
		*--end = (char)('0' + v % 10);
	while (v /= 10);
	return end;
}

const char *text_dec(char buf[TEXT_DEC_MAX], unsigned long long v)
{
	buf[TEXT_DEC_MAX - 1] = '\0';
	return text_udec(buf + TEXT_DEC_MAX - 1, v);
}

void text_putu(struct text *t, unsigned long long v)
{
	char d[TEXT_DEC_MAX];

	text_put(t, text_dec(d, v));
}

void text_puti(struct text *t, long long v)
{
	if (v < 0)
		text_putc(t, '-');
	text_putu(t, v < 0 ? -(unsigned long long)v : (unsigned long long)v);
}

bool text_int(const char *s, long long min, long long max, long long *v)
{
	bool neg = *s == '-';
	/* A negative number's magnitude may be one more than a positive one's. */
	unsigned long long u = 0, lim = (unsigned long long)LLONG_MAX + neg;
	const char *p = s + neg;

	/* By hand: musl's strtoll runs its stdio scanner, hundreds of instructions a number. */
	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (u > (lim - d) / 10)
			return false;
		u = u * 10 + d;
	}
	if (*p == '\n')
		p++;
	if (*p)
		return false;
	*v = neg ? (long long)(0 - u) : (long long)u;
	return *v >= min && *v <= max;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w <= 0) {
			if (!w)
				errno = EIO;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * The room a file that filled cap bytes needs: what it says it holds, its
 * NUL, and a byte for the read that finds its end.
 */
static size_t grown(int fd, size_t cap, size_t max)
{
	struct stat st;
	size_t want = cap * 2;

	/* /proc and /sys say 0: doubled. */
	if (!fstat(fd, &st) && st.st_size > 0 && (size_t)st.st_size < max &&
	    (size_t)st.st_size + 2 > want)
		want = (size_t)st.st_size + 2;
	return want;
}

/* openat(): musl's open() follows O_CLOEXEC with an fcntl() it does not need here. */
char *text_load(const char *path, size_t max, size_t *len)
{
	int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	size_t cap = 4096, n = 0;
	char *buf;
	ssize_t r;

	if (fd < 0)
		return NULL;
	buf = xrealloc(NULL, cap);
	while ((r = read(fd, buf + n, cap - n - 1)) > 0) {
		n += (size_t)r;
		if (n > max) {
			errno = EFBIG;
			r = -1;
			break;
		}
		/* Doubled blindly, a 64-rail state was copied twice, into pages each new. */
		if (n == cap - 1)
			buf = xrealloc(buf, cap = grown(fd, cap, max));
	}
	close(fd);
	if (r < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

char *text_load_run(const char *dir, const char *name, size_t *len)
{
	char path[4096];

	text_join(path, sizeof(path), (const char *[]){ dir, "/", name, NULL });
	return text_load(path, RUNFILE_MAX, len);
}

char *text_line(char **at, char *end)
{
	char *line = *at, *nl;

	if (line >= end)
		return NULL;
	nl = memchr(line, '\n', (size_t)(end - line));
	nl = nl ? nl : end;
	*nl = '\0';
	*at = nl + 1;
	return line;
}

int text_open_run(const char *dir, const char *path, int flags, mode_t mode)
{
	int fd;

	flags |= O_CREAT | O_NOFOLLOW | O_CLOEXEC;
	fd = openat(AT_FDCWD, path, flags, mode);
	/* The directory is made once, by the first file opened in it. */
	if (fd < 0 && errno == ENOENT && (!mkdir(dir, 0755) || errno == EEXIST))
		fd = openat(AT_FDCWD, path, flags, mode);
	return fd;
}

int text_commit(struct text *t, const char *dir, const char *name)
{
	char path[4096], tmp[4096];
	int fd, err = 0;

	text_join(path, sizeof(path), (const char *[]){ dir, "/", name, NULL });
	text_join(tmp, sizeof(tmp), (const char *[]){ dir, "/.", name, ".tmp", NULL });
	fd = text_open_run(dir, tmp, O_WRONLY | O_TRUNC, 0644);
	if (fd < 0)
		err = errno;
	if (!err && write_all(fd, t->s, t->len))
		err = errno;
	if (fd >= 0 && close(fd) && !err)
		err = errno;
	if (!err && rename(tmp, path))
		err = errno;
	if (err && fd >= 0)
		unlink(tmp);
	free(t->s);
	t->s = NULL;
	t->len = t->cap = 0;
	errno = err;
	return err ? -1 : 0;
}

unsigned text_fields(char *line, char **f, unsigned max)
{
	unsigned n = 0;

	for (char *p = line; *p && n < max;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		f[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}
