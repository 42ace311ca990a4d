// SPDX-License-Identifier: GPL-2.0
/*
 * nlrule SRC TABLE PRIORITY PROTO: adds the IPv4 rule "from SRC lookup TABLE
 * priority PRIORITY proto PROTO" without NLM_F_EXCL, as a second railup
 * racing the first would (ip rule add always asks for NLM_F_EXCL, so the
 * kernel refuses it a copy). Prints the kernel's answer; exits 0 when the
 * rule went in. tests/netns/rules.sh uses it.
 */
#include <arpa/inet.h>
#include <linux/fib_rules.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct req {
	struct nlmsghdr h;
	struct fib_rule_hdr r;
	char attrs[64];
};

static void put(struct req *q, unsigned short type, const void *v, unsigned short len)
{
	struct nlattr *a = (struct nlattr *)((char *)q + NLMSG_ALIGN(q->h.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, v, len);
	q->h.nlmsg_len = NLMSG_ALIGN(q->h.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

int main(int argc, char **argv)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct req q = { 0 };
	char buf[4096] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct in_addr src;
	unsigned table, prio;
	unsigned char proto;
	struct nlmsgerr *e;
	ssize_t n;
	int fd;

	if (argc != 5 || inet_pton(AF_INET, argv[1], &src) != 1) {
		fprintf(stderr, "usage: nlrule SRC TABLE PRIORITY PROTO\n");
		return 2;
	}
	table = (unsigned)strtoul(argv[2], NULL, 0);
	prio = (unsigned)strtoul(argv[3], NULL, 0);
	proto = (unsigned char)strtoul(argv[4], NULL, 0);
	q.h.nlmsg_len = NLMSG_LENGTH(sizeof(q.r));
	q.h.nlmsg_type = RTM_NEWRULE;
	q.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE;
	q.r.family = AF_INET;
	q.r.src_len = 32;
	q.r.action = FR_ACT_TO_TBL;
	put(&q, FRA_SRC, &src, sizeof(src));
	put(&q, FRA_TABLE, &table, sizeof(table));
	put(&q, FRA_PRIORITY, &prio, sizeof(prio));
	put(&q, FRA_PROTOCOL, &proto, sizeof(proto));

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0 ||
	    sendto(fd, &q, q.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		perror("netlink");
		return 1;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	e = NLMSG_DATA((struct nlmsghdr *)buf);
	if (n < (ssize_t)NLMSG_LENGTH(sizeof(*e)) ||
	    ((struct nlmsghdr *)buf)->nlmsg_type != NLMSG_ERROR) {
		fprintf(stderr, "nlrule: no answer from the kernel\n");
		return 1;
	}
	printf("nlrule: %s\n", e->error ? strerror(-e->error) : "added");
	return e->error ? 1 : 0;
}
