// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lock.h"
#include "log.h"
#include "text.h"

/*
 * Makes <dir>/lock already held: made and locked under a name of this
 * process's own, then linked into place, so that no other run can take it
 * first. -1 (errno set) when it cannot: EEXIST, another run made it.
 */
static int make_lock(const char *dir, const char *path)
{
	char tmp[4096], pid[TEXT_DEC_MAX];
	int fd, err;

	text_join(tmp, sizeof(tmp),
		  (const char *[]){ dir, "/.lock.", text_dec(pid, (unsigned)getpid()), NULL });
	fd = text_open_run(dir, tmp, O_RDWR | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	err = flock(fd, LOCK_EX | LOCK_NB) || link(tmp, path) ? errno : 0;
	unlink(tmp);
	if (err) {
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* The process /proc/locks says holds the flock on (dev, ino); 0 if none. */
static long lock_pid(dev_t dev, ino_t ino)
{
	char want[64], *text, *at, *end, *line;
	size_t len;
	long pid = 0;

	snprintf(want, sizeof(want), "%02x:%02x:%llu", major(dev), minor(dev),
		 (unsigned long long)ino);
	text = text_load("/proc/locks", RUNFILE_MAX, &len);
	if (!text)
		return 0;
	at = text;
	end = text + len;
	/* "1: FLOCK  ADVISORY  WRITE 1234 00:1a:5678 0 EOF"; a waiter's has "->". */
	while (!pid && (line = text_line(&at, end))) {
		char *f[6];
		long long p;

		if (text_fields(line, f, 6) == 6 && !strcmp(f[1], "FLOCK") && !strcmp(f[5], want) &&
		    text_int(f[4], 1, LONG_MAX, &p))
			pid = (long)p;
	}
	free(text);
	return pid;
}

/*
 * Who holds the lock, for the message of a run that waits for it: " (pid
 * 1234: "railup boot")", the words of its command line joined by blanks,
 * each path cut to its last part, quoted as any untrusted text is; as far
 * as /proc tells, empty when it does not.
 */
static void lock_holder(int fd, char *out, size_t n)
{
	char path[64], num[TEXT_DEC_MAX], *cmd;
	const char *p;
	struct stat st;
	size_t len, o = 0;
	long pid;

	out[0] = '\0';
	if (fstat(fd, &st) || !(pid = lock_pid(st.st_dev, st.st_ino)))
		return;
	p = text_dec(num, (unsigned long)pid);
	text_join(path, sizeof(path), (const char *[]){ "/proc/", p, "/cmdline", NULL });
	cmd = text_load(path, 4096, &len);
	/* In place: a word only ever moves towards the start. */
	for (size_t at = 0, wl; cmd && at < len; at += wl + 1) {
		const char *base = strrchr(cmd + at, '/');
		const char *word = base && base[1] ? base + 1 : cmd + at;
		size_t l;

		wl = strlen(cmd + at);
		l = wl - (size_t)(word - (cmd + at));
		if (o)
			cmd[o++] = ' ';
		memmove(cmd + o, word, l);
		o += l;
	}
	if (o)
		snprintf(out, n, " (pid %s: %s)", p, quote(cmd, o));
	else
		snprintf(out, n, " (pid %s)", p);
	free(cmd);
}

/* Takes the lock fd is open on, kept until the process ends. */
static void hold(int fd, const char *path)
{
	char who[400];

	if (fd >= 0 && !flock(fd, LOCK_EX | LOCK_NB))
		return;
	if (fd >= 0 && errno == EWOULDBLOCK) {
		lock_holder(fd, who, sizeof(who));
		log_notice("%s: another railup is changing this node%s: waiting for it", path, who);
		if (!flock(fd, LOCK_EX))
			return;
	}
	log_warn("%s: %s: not locked against another railup", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

enum lock_state lock_take(const char *dir, bool create)
{
	char path[4096];
	int fd;

	text_join(path, sizeof(path), (const char *[]){ dir, "/lock", NULL });
	fd = openat(AT_FDCWD, path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (!create)
			return LOCK_NONE;
		if (make_lock(dir, path) >= 0)
			return LOCK_HELD;
		/*
		 * Made by another run meanwhile; or not made so (a file system
		 * without links, a directory not writable): read anew to be safe.
		 */
		hold(text_open_run(dir, path, O_RDWR, 0600), path);
		return LOCK_LATE;
	}
	hold(fd, path);
	return LOCK_HELD;
}
