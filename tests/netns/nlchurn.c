// SPDX-License-Identifier: GPL-2.0
/*
 * nlchurn MS: adds and removes the address 172.21.0.1/32 on lo, one request
 * after the other without a pause, for MS milliseconds, then prints how many
 * changes it made. The kernel marks every address dump that such a change
 * meets interrupted (NLM_F_DUMP_INTR); ip -batch would pause between runs.
 * tests/netns/fault-dump.sh uses it.
 */
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct req {
	struct nlmsghdr h;
	struct ifaddrmsg a;
	struct nlattr local;
	unsigned char addr[4];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* One change, acknowledged; the kernel's error (0: done). */
static int change(int fd, unsigned short type, unsigned seq)
{
	struct req q = {
		.h = { .nlmsg_len = sizeof(q),
		       .nlmsg_type = type,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
				      (type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_REPLACE : 0),
		       .nlmsg_seq = seq },
		.a = { .ifa_family = AF_INET, .ifa_prefixlen = 32, .ifa_index = 1 },
		.local = { .nla_len = NLA_HDRLEN + 4, .nla_type = IFA_LOCAL },
		.addr = { 172, 21, 0, 1 },
	};
	char buf[1024] __attribute__((aligned(NLMSG_ALIGNTO)));
	ssize_t n;

	if (send(fd, &q, sizeof(q), 0) < 0)
		return -1;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) ||
	    ((struct nlmsghdr *)buf)->nlmsg_type != NLMSG_ERROR)
		return -1;
	return ((struct nlmsgerr *)NLMSG_DATA((struct nlmsghdr *)buf))->error;
}

int main(int argc, char **argv)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	long long end;
	unsigned changes = 0;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: nlchurn MS\n");
		return 2;
	}
	end = now_ms() + atoll(argv[1]);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0 || connect(fd, (struct sockaddr *)&kernel, sizeof(kernel))) {
		perror("netlink");
		return 1;
	}
	while (now_ms() < end) {
		if (change(fd, changes % 2 ? RTM_DELADDR : RTM_NEWADDR, changes + 1)) {
			fprintf(stderr, "nlchurn: the kernel refused change %u\n", changes + 1);
			return 1;
		}
		changes++;
	}
	printf("nlchurn: %u changes\n", changes);
	return 0;
}
