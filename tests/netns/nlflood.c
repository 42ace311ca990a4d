// SPDX-License-Identifier: GPL-2.0
/*
 * nlflood PORTID [COUNT]: fills the receive queue of the netlink socket with
 * port id PORTID (a process's, not the kernel's) with NLMSG_NOOP messages,
 * without waiting, until it refuses more; prints how many went and how many
 * were refused. tests/netns/fault-dump.sh uses it to overflow railup's socket.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	struct {
		struct nlmsghdr h;
		char pad[64];
	} m;
	long sent = 0, full = 0, count;
	int fd;

	if (argc < 2)
		return 2;
	to.nl_pid = (unsigned)strtoul(argv[1], NULL, 0);
	count = argc > 2 ? strtol(argv[2], NULL, 0) : 100000;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	memset(&m, 0, sizeof(m));
	m.h.nlmsg_len = sizeof(m);
	m.h.nlmsg_type = NLMSG_NOOP;
	m.h.nlmsg_seq = 0xdead0000u;
	for (long i = 0; i < count; i++) {
		if (sendto(fd, &m, sizeof(m), MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to)) <
		    0) {
			if (errno != EAGAIN && errno != ENOBUFS) {
				perror("sendto");
				return 1;
			}
			if (++full > 100)
				break;
			continue;
		}
		sent++;
	}
	printf("sent %ld, refused %ld\n", sent, full);
	return 0;
}
