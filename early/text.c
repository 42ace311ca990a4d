// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "text.h"

void text_putc(struct text *t, char c)
{
	if (t->len == t->cap)
		t->s = xrealloc(t->s, t->cap = t->cap ? 2 * t->cap : 4096);
	t->s[t->len++] = c;
}

void text_put(struct text *t, const char *s)
{
	while (*s)
		text_putc(t, *s++);
}

void text_putu(struct text *t, unsigned long long v)
{
	char d[24], *p = d + sizeof(d) - 1;

	*p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	text_put(t, p);
}

void text_puti(struct text *t, long long v)
{
	if (v < 0)
		text_putc(t, '-');
	text_putu(t, v < 0 ? -(unsigned long long)v : (unsigned long long)v);
}

bool text_int(const char *s, long long min, long long max, long long *v)
{
	char *end;

	if (!((*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9')))
		return false;
	errno = 0;
	*v = strtoll(s, &end, 10);
	if (*end == '\n')
		end++;
	return !errno && !*end && *v >= min && *v <= max;
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

int text_commit(struct text *t, const char *dir, const char *name)
{
	char path[4096], tmp[4096];
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	if (mkdir(dir, 0755) && errno != EEXIST)
		err = errno;
	fd = err ? -1 : open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (!err && fd < 0)
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
