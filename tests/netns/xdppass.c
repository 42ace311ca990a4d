// SPDX-License-Identifier: GPL-2.0
/*
 * xdppass IFNAME: attaches an XDP program that passes every packet to the
 * veth IFNAME (driver mode), in the caller's network namespace. The kernel
 * then caps the MTU of IFNAME's peer at what one page holds (about 3500):
 * a real netdev that refuses a large MTU, for mtu.sh. The program stays
 * attached after this exits, until the veth goes.
 */
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static int prog_load(void)
{
	/* r0 = XDP_PASS; exit */
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_XDP;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = 2;
	attr.license = (unsigned long)"GPL";
	return (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
}

static void put_attr(struct nlmsghdr *h, unsigned short type, const void *data, unsigned short len)
{
	struct rtattr *a = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

int main(int argc, char **argv)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg ifi;
		char attrs[64];
	} req;
	char ans[1024];
	struct rtattr *xdp;
	unsigned flags = XDP_FLAGS_DRV_MODE;
	int fd, prog, ifindex;
	ssize_t n;

	if (argc != 2 || !(ifindex = (int)if_nametoindex(argv[1]))) {
		fprintf(stderr, "usage: xdppass IFNAME (an interface of this namespace)\n");
		return 2;
	}
	prog = prog_load();
	if (prog < 0) {
		perror("xdppass: BPF_PROG_LOAD");
		return 1;
	}
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.h.nlmsg_type = RTM_SETLINK;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = ifindex;
	xdp = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.h.nlmsg_len));
	xdp->rta_type = NLA_F_NESTED | IFLA_XDP;
	req.h.nlmsg_len = NLMSG_ALIGN(req.h.nlmsg_len) + RTA_LENGTH(0);
	put_attr(&req.h, IFLA_XDP_FD, &prog, sizeof(prog));
	put_attr(&req.h, IFLA_XDP_FLAGS, &flags, sizeof(flags));
	xdp->rta_len = (unsigned short)((char *)&req + req.h.nlmsg_len - (char *)xdp);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0 || send(fd, &req, req.h.nlmsg_len, 0) < 0 ||
	    (n = recv(fd, ans, sizeof(ans), 0)) < 0) {
		perror("xdppass: netlink");
		return 1;
	}
	if ((size_t)n >= NLMSG_LENGTH(sizeof(int)) &&
	    ((struct nlmsghdr *)ans)->nlmsg_type == NLMSG_ERROR) {
		int err = ((struct nlmsgerr *)NLMSG_DATA(ans))->error;

		if (err) {
			fprintf(stderr, "xdppass: attaching to %s: %s\n", argv[1], strerror(-err));
			return 1;
		}
	}
	return 0;
}
