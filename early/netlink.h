/* SPDX-License-Identifier: GPL-2.0 */
/*
 * railup's own small netlink layer (Debian ships no static libmnl): building
 * messages, sending batches and matching their acknowledgements (with the
 * kernel's extended error messages), dumps, and attribute parsing. Used for
 * NETLINK_ROUTE and NETLINK_RDMA alike.
 */
#ifndef RAILUP_NETLINK_H
#define RAILUP_NETLINK_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nl {
	int fd;
	uint32_t seq;
	unsigned patience_ms; /* for a dump that keeps being interrupted; 0: 3000 */
};

/*
 * Messages being built: one request, or a batch of them. A request fits in
 * the buffer's own bytes; only a batch takes memory from the heap. Not to be
 * copied once used.
 */
struct nlbuf {
	char *data;
	size_t len, cap;
	size_t cur; /* offset of the message being built */
	unsigned n; /* messages in the buffer */
	char own[256] __attribute__((aligned(8)));
};

int nl_open(struct nl *nl, int protocol);
void nl_close(struct nl *nl);

void nlb_reset(struct nlbuf *b);
void nlb_free(struct nlbuf *b);
/*
 * Starts a message; returns its family header of hdrlen bytes, zeroed, to be
 * filled before the first attribute is put (the buffer may move).
 */
void *nlb_msg(struct nlbuf *b, uint16_t type, uint16_t flags, size_t hdrlen);
void nlb_put(struct nlbuf *b, uint16_t type, const void *data, size_t len);
void nlb_put_u8(struct nlbuf *b, uint16_t type, uint8_t v);
void nlb_put_u32(struct nlbuf *b, uint16_t type, uint32_t v);
void nlb_put_str(struct nlbuf *b, uint16_t type, const char *s);
size_t nlb_nest(struct nlbuf *b, uint16_t type);
void nlb_nest_end(struct nlbuf *b, size_t nest);
/* The i-th message of the buffer (i < b->n). */
struct nlmsghdr *nlb_get(const struct nlbuf *b, unsigned i);

/*
 * Sends every message of b, in chunks the socket buffers can hold, asking
 * only the last of each chunk for an acknowledgement: the kernel reports
 * every failure anyway. Calls fail(i, -errno, message) for each failed
 * message; message is the kernel's extended error text or "". When answers
 * were lost (the socket overflowed), every unanswered message of that chunk
 * gets -ENOBUFS: whether it took effect, only the kernel's state can tell.
 * Returns the number of calls to fail, or -errno when the socket failed.
 */
typedef void nl_fail_fn(unsigned i, int err, const char *msg, void *arg);
int nl_batch(struct nl *nl, struct nlbuf *b, nl_fail_fn *fail, void *arg);

/*
 * Sends the one request in b and hands each reply to fn until the dump or
 * the answer ends. A dump the kernel interrupts or that overflows the socket
 * is started over (at once a few times, then after pauses, for up to
 * nl->patience_ms; then -EBUSY): fn(NULL) tells the caller to drop what it
 * has. A non-zero return from fn stops and is returned. On a kernel error
 * returns -errno and copies its message to errmsg (when not NULL).
 */
typedef int nl_msg_fn(const struct nlmsghdr *h, void *arg);
int nl_request(struct nl *nl, struct nlbuf *b, nl_msg_fn *fn, void *arg, char *errmsg,
	       size_t errlen);

/* Attributes. */
#define nla_for_each(a, start, rem)                                                          \
	for ((a) = (const struct nlattr *)(start);                                           \
	     (rem) >= (int)sizeof(struct nlattr) && (a)->nla_len >= sizeof(struct nlattr) && \
	     (a)->nla_len <= (rem);                                                          \
	     (rem) -= NLA_ALIGN((a)->nla_len),                                               \
	    (a) = (const struct nlattr *)((const char *)(a) + NLA_ALIGN((a)->nla_len)))

/* Indexes attributes by type (nested flag masked); later duplicates win. */
void nla_parse(const struct nlattr **tb, unsigned max, const void *start, int len);
/* Attributes after a message's family header of hdrlen bytes. */
void nlmsg_parse(const struct nlattr **tb, unsigned max, const struct nlmsghdr *h, size_t hdrlen);

static inline const void *nla_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static inline int nla_len(const struct nlattr *a)
{
	return (int)a->nla_len - NLA_HDRLEN;
}

uint8_t nla_u8(const struct nlattr *a);
uint32_t nla_u32(const struct nlattr *a);
uint64_t nla_u64(const struct nlattr *a);
/* Copies a string attribute into buf, NUL-terminated; "" when absent. */
void nla_str(const struct nlattr *a, char *buf, size_t n);

/* The message's family header, or NULL when the message is too short. */
const void *nlmsg_hdr_of(const struct nlmsghdr *h, size_t hdrlen);

#endif
