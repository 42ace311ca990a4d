// SPDX-License-Identifier: GPL-2.0
/*
 * timed [-m] CMD ARGS... [';' CMD ARGS...]: runs the commands one after
 * the other, stopping at the first that fails, their stdout on /dev/null,
 * and prints on stdout "ms <elapsed>" (from before the first starts to the
 * last one reaped) or, with -m, "maxrss <KiB>" (the largest peak resident
 * set among them). Exits with the status of the last command run.
 *
 * Timing starts each command with posix_spawn, which does not copy the
 * timer's memory: a shell's fork (bash copies its page tables for every
 * command) cost 0.2-0.3 ms a process on the bench's machine, as much as
 * railup's own work at 8 rails. Peak RSS needs fork instead: a spawned
 * child's ru_maxrss counts all the timer's memory, borrowed until exec; a
 * forked one only the pages it copied (apply.sh builds the timer static
 * with musl, so they are few).
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static pid_t start(char **argv, int rss, posix_spawn_file_actions_t *fa)
{
	pid_t pid;

	if (!rss) {
		errno = posix_spawnp(&pid, argv[0], fa, NULL, argv, environ);
		return errno ? -1 : pid;
	}
	pid = fork();
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		if (null < 0 || dup2(null, 1) < 0)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

int main(int argc, char **argv)
{
	posix_spawn_file_actions_t fa;
	int rss = 0, status = 0, i;
	long maxrss = 0;
	double t0;

	if (argc > 1 && !strcmp(argv[1], "-m")) {
		rss = 1;
		argv++;
		argc--;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: timed [-m] CMD [ARGS...] [';' CMD ...]\n");
		return 2;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	t0 = now_ms();
	for (i = 1; i < argc;) {
		struct rusage ru;
		int end = i;
		pid_t pid;

		while (end < argc && strcmp(argv[end], ";"))
			end++;
		argv[end] = NULL; /* argv[argc] is NULL already */
		pid = start(argv + i, rss, &fa);
		if (pid < 0 || wait4(pid, &status, 0, &ru) < 0) {
			perror(argv[i]);
			return 1;
		}
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			break;
		i = end + 1;
	}
	if (rss)
		printf("maxrss %ld\n", maxrss);
	else
		printf("ms %.3f\n", now_ms() - t0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
