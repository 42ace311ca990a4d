// SPDX-License-Identifier: GPL-2.0
/*
 * unixsock PATH listen|stale: a seqpacket socket at PATH (a file there is
 * replaced), as udevd makes /run/udev/control.
 *   listen  a process listens on it: prints its pid (stdout closed
 *           then) and returns once it listens. Kill it to end it.
 *   stale   bound and left: the file stays, nothing listens, as after a
 *           udevd that was killed.
 * tests/netns/fleet-identity.sh plays udev with it.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd, listen_too;
	pid_t pid;

	if (argc != 3 || strlen(argv[1]) >= sizeof(a.sun_path) ||
	    (strcmp(argv[2], "listen") && strcmp(argv[2], "stale"))) {
		fprintf(stderr, "usage: unixsock PATH listen|stale\n");
		return 2;
	}
	listen_too = !strcmp(argv[2], "listen");
	strcpy(a.sun_path, argv[1]);
	unlink(a.sun_path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || (listen_too && listen(fd, 8))) {
		perror(argv[1]);
		return 1;
	}
	if (!listen_too)
		return 0;
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid) {
		printf("%d\n", (int)pid);
		return 0;
	}
	/* The caller's $(...) ends when stdout closes. */
	if (!freopen("/dev/null", "w", stdout))
		return 1;
	for (;;)
		pause();
}
