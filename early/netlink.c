// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "netlink.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* The kernel never fills a dump skb beyond 32 KiB; one more for the rest. */
#define RECV_BUF (64 * 1024)
/* A chunk's failures must fit the receive buffer: each is one skb. */
#define CHUNK_MSGS  64
#define CHUNK_BYTES (48 * 1024)
/*
 * A dump that comes back interrupted (its objects changed while the kernel
 * filled it) is read again at once this many times, then after pauses
 * doubling from 1 ms to 100 ms, for up to DUMP_PATIENCE_MS more (unless
 * the socket says otherwise).
 */
#define DUMP_QUICK_TRIES 8
#define DUMP_PATIENCE_MS 3000
/* After lost answers, how many more reads may find the rest of a chunk's. */
#define LOST_READS 256

static char rbuf[RECV_BUF] __attribute__((aligned(8)));

int nl_open(struct nl *nl, int protocol)
{
	int one = 1, size = 1 << 20;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	nl->seq = 0;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	if (nl->fd < 0)
		return -errno;
	/* Without CAP_NET_ADMIN the forced size fails; the default one still works. */
	if (setsockopt(nl->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(nl->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* Dump requests' filters honoured (kernel 4.20 on; before, ignored: no harm). */
	if (protocol == NETLINK_ROUTE)
		setsockopt(nl->fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(nl->fd);
		nl->fd = -1;
		return err;
	}
	return 0;
}

void nl_close(struct nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

void nlb_reset(struct nlbuf *b)
{
	b->len = b->cur = 0;
	b->n = 0;
}

void nlb_free(struct nlbuf *b)
{
	if (b->data != b->own)
		free(b->data);
	b->data = NULL;
	b->len = b->cap = b->cur = 0;
	b->n = 0;
}

static void *reserve(struct nlbuf *b, size_t n)
{
	void *p;

	if (!b->data) {
		b->data = b->own;
		b->cap = sizeof(b->own);
	}
	if (b->len + n > b->cap) {
		size_t cap = b->cap < 4096 ? 4096 : b->cap;

		while (cap < b->len + n)
			cap *= 2;
		if (b->data == b->own)
			b->data = memcpy(xrealloc(NULL, cap), b->own, b->len);
		else
			b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	p = b->data + b->len;
	memset(p, 0, n);
	b->len += n;
	return p;
}

static struct nlmsghdr *current(const struct nlbuf *b)
{
	return (struct nlmsghdr *)(b->data + b->cur);
}

void *nlb_msg(struct nlbuf *b, uint16_t type, uint16_t flags, size_t hdrlen)
{
	struct nlmsghdr *h;

	b->cur = b->len;
	h = reserve(b, NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen));
	h->nlmsg_len = (uint32_t)(NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen));
	h->nlmsg_type = type;
	h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	b->n++;
	return (char *)h + NLMSG_HDRLEN;
}

void nlb_put(struct nlbuf *b, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = reserve(b, NLA_ALIGN(NLA_HDRLEN + len));

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	current(b)->nlmsg_len = (uint32_t)(b->len - b->cur);
}

void nlb_put_u8(struct nlbuf *b, uint16_t type, uint8_t v)
{
	nlb_put(b, type, &v, sizeof(v));
}

void nlb_put_u32(struct nlbuf *b, uint16_t type, uint32_t v)
{
	nlb_put(b, type, &v, sizeof(v));
}

void nlb_put_str(struct nlbuf *b, uint16_t type, const char *s)
{
	nlb_put(b, type, s, strlen(s) + 1);
}

size_t nlb_nest(struct nlbuf *b, uint16_t type)
{
	size_t off = b->len;

	nlb_put(b, type | NLA_F_NESTED, NULL, 0);
	return off;
}

void nlb_nest_end(struct nlbuf *b, size_t nest)
{
	((struct nlattr *)(b->data + nest))->nla_len = (uint16_t)(b->len - nest);
}

struct nlmsghdr *nlb_get(const struct nlbuf *b, unsigned i)
{
	size_t off = 0;

	while (i--)
		off += NLMSG_ALIGN(((struct nlmsghdr *)(b->data + off))->nlmsg_len);
	return (struct nlmsghdr *)(b->data + off);
}

/* The extended error text after an NLMSG_ERROR's payload, if any. */
static void ext_msg(const struct nlmsghdr *h, char *buf, size_t n)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = NLMSG_HDRLEN + sizeof(*e);

	buf[0] = '\0';
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS) || h->nlmsg_len < off)
		return;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
	if (off >= h->nlmsg_len)
		return;
	nla_parse(tb, NLMSGERR_ATTR_MAX, (const char *)h + off, (int)(h->nlmsg_len - off));
	nla_str(tb[NLMSGERR_ATTR_MSG], buf, n);
}

static ssize_t recv_some(struct nl *nl, bool dontwait)
{
	ssize_t n;

	do
		n = recv(nl->fd, rbuf, sizeof(rbuf), MSG_TRUNC | (dontwait ? MSG_DONTWAIT : 0));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n > sizeof(rbuf))
		return -EMSGSIZE;
	return n;
}

/* left is an int the loop consumes. */
#define for_each_msg(h, left) \
	for ((h) = (const struct nlmsghdr *)rbuf; NLMSG_OK(h, left); (h) = NLMSG_NEXT(h, left))

static int send_chunk(struct nl *nl, struct nlbuf *b, size_t off, size_t bytes, unsigned first,
		      unsigned count, nl_fail_fn *fail, void *arg)
{
	bool answered[CHUNK_MSGS] = { false };
	uint32_t first_seq = nl->seq + 1, last_seq = 0;
	int failures = 0;
	size_t pos = off;
	ssize_t n;

	for (unsigned i = 0; i < count; i++) {
		struct nlmsghdr *h = (struct nlmsghdr *)(b->data + pos);

		h->nlmsg_seq = last_seq = ++nl->seq;
		h->nlmsg_flags = (uint16_t)(h->nlmsg_flags & ~NLM_F_ACK);
		if (i == count - 1)
			h->nlmsg_flags |= NLM_F_ACK;
		pos += NLMSG_ALIGN(h->nlmsg_len);
	}
	do
		n = send(nl->fd, b->data + off, bytes, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (unsigned lost = 0;;) {
		const struct nlmsghdr *h;
		int left;

		n = recv_some(nl, lost);
		if (n == -ENOBUFS || (lost && ++lost > LOST_READS)) {
			/*
			 * The kernel ran the whole chunk already: read what is left of
			 * its answers, but not forever if others keep the socket full.
			 */
			if (lost > LOST_READS)
				break;
			lost = lost ? lost : 1;
			continue;
		}
		if (n == -EAGAIN && lost)
			break;
		if (n < 0)
			return (int)n;
		left = (int)n;
		for_each_msg(h, left)
		{
			const struct nlmsgerr *e = NLMSG_DATA(h);
			char msg[256];

			if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq < first_seq ||
			    h->nlmsg_seq > last_seq || h->nlmsg_len < NLMSG_HDRLEN + sizeof(int))
				continue;
			if (e->error) {
				ext_msg(h, msg, sizeof(msg));
				answered[h->nlmsg_seq - first_seq] = true;
				fail(first + (h->nlmsg_seq - first_seq), e->error, msg, arg);
				failures++;
			}
			if (h->nlmsg_seq == last_seq && !lost)
				return failures;
		}
	}
	/* Answers were dropped: which of the others failed, only the kernel can tell. */
	for (unsigned i = 0; i < count; i++)
		if (!answered[i]) {
			fail(first + i, -ENOBUFS, "", arg);
			failures++;
		}
	return failures;
}

int nl_batch(struct nl *nl, struct nlbuf *b, nl_fail_fn *fail, void *arg)
{
	size_t off = 0;
	unsigned i = 0;
	int failures = 0;

	while (i < b->n) {
		size_t bytes = 0;
		unsigned count = 0;
		int ret;

		while (i + count < b->n && count < CHUNK_MSGS) {
			const struct nlmsghdr *h = (struct nlmsghdr *)(b->data + off + bytes);

			if (count && bytes + h->nlmsg_len > CHUNK_BYTES)
				break;
			bytes += NLMSG_ALIGN(h->nlmsg_len);
			count++;
		}
		ret = send_chunk(nl, b, off, bytes, i, count, fail, arg);
		if (ret < 0)
			return ret;
		failures += ret;
		off += bytes;
		i += count;
	}
	return failures;
}

/* One pass of a request; 1 means "start over". */
static int request_once(struct nl *nl, struct nlbuf *b, nl_msg_fn *fn, void *arg, char *errmsg,
			size_t errlen)
{
	struct nlmsghdr *req = (struct nlmsghdr *)b->data;
	bool interrupted = false;
	uint32_t seq = ++nl->seq;
	ssize_t n;

	req->nlmsg_seq = seq;
	if (!(req->nlmsg_flags & NLM_F_DUMP))
		req->nlmsg_flags |= NLM_F_ACK;
	do
		n = send(nl->fd, req, req->nlmsg_len, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (;;) {
		const struct nlmsghdr *h;
		int left;

		n = recv_some(nl, false);
		if (n == -ENOBUFS)
			return 1;
		if (n < 0)
			return (int)n;
		left = (int)n;
		for_each_msg(h, left)
		{
			int ret;

			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				interrupted = true;
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
				int err = h->nlmsg_len >= NLMSG_HDRLEN + sizeof(int)
						  ? *(const int *)NLMSG_DATA(h)
						  : 0;

				if (err && errmsg)
					ext_msg(h, errmsg, errlen);
				if (err)
					return err;
				return interrupted ? 1 : 0;
			}
			ret = fn(h, arg);
			if (ret)
				return ret;
		}
	}
}

/*
 * Whether to read an interrupted dump again, after the pause due. Quick
 * tries get past a change or two. Objects changing without a pause (another
 * program at work) break every quick read of some thousands of them: eight
 * in a row took 10 ms here. With pauses, a read gets through between two
 * changes, or once they stop.
 */
static bool try_again(const struct nl *nl, unsigned tries, uint64_t *give_up_ms)
{
	unsigned patience_ms = nl->patience_ms ? nl->patience_ms : DUMP_PATIENCE_MS, pause_ms;

	if (tries < DUMP_QUICK_TRIES)
		return true;
	if (!*give_up_ms) {
		*give_up_ms = clock_ms() + patience_ms;
		log_debug("netlink: a dump keeps changing while it is read; reading it again "
			  "for up to %u ms",
			  patience_ms);
	}
	if (clock_ms() >= *give_up_ms)
		return false;
	tries -= DUMP_QUICK_TRIES;
	pause_ms = tries < 7 ? 1u << tries : 100;
	nanosleep(&(struct timespec){ .tv_nsec = pause_ms * 1000000L }, NULL);
	return true;
}

int nl_request(struct nl *nl, struct nlbuf *b, nl_msg_fn *fn, void *arg, char *errmsg,
	       size_t errlen)
{
	uint64_t give_up_ms = 0;
	int ret;

	if (errmsg && errlen)
		errmsg[0] = '\0';
	for (unsigned tries = 0;; tries++) {
		ret = request_once(nl, b, fn, arg, errmsg, errlen);
		if (ret != 1)
			return ret;
		/* Drain what is left of the broken dump before asking again. */
		while (recv(nl->fd, rbuf, sizeof(rbuf), MSG_DONTWAIT) > 0)
			;
		fn(NULL, arg);
		if (!try_again(nl, tries + 1, &give_up_ms))
			return -EBUSY;
	}
}

void nla_parse(const struct nlattr **tb, unsigned max, const void *start, int len)
{
	const struct nlattr *a;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	nla_for_each (a, start, len) {
		unsigned type = a->nla_type & NLA_TYPE_MASK;

		if (type <= max)
			tb[type] = a;
	}
}

void nlmsg_parse(const struct nlattr **tb, unsigned max, const struct nlmsghdr *h, size_t hdrlen)
{
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);

	if (h->nlmsg_len < off) {
		memset(tb, 0, (max + 1) * sizeof(*tb));
		return;
	}
	nla_parse(tb, max, (const char *)h + off, (int)(h->nlmsg_len - off));
}

const void *nlmsg_hdr_of(const struct nlmsghdr *h, size_t hdrlen)
{
	return h->nlmsg_len >= NLMSG_HDRLEN + hdrlen ? NLMSG_DATA(h) : NULL;
}

/* Short attributes read as zero-extended rather than past their end. */
static void get(const struct nlattr *a, void *out, size_t n)
{
	memset(out, 0, n);
	if (a)
		memcpy(out, nla_data(a), (size_t)nla_len(a) < n ? (size_t)nla_len(a) : n);
}

uint8_t nla_u8(const struct nlattr *a)
{
	uint8_t v;

	get(a, &v, sizeof(v));
	return v;
}

uint32_t nla_u32(const struct nlattr *a)
{
	uint32_t v;

	get(a, &v, sizeof(v));
	return v;
}

uint64_t nla_u64(const struct nlattr *a)
{
	uint64_t v;

	get(a, &v, sizeof(v));
	return v;
}

void nla_str(const struct nlattr *a, char *buf, size_t n)
{
	size_t len = a ? (size_t)nla_len(a) : 0;

	if (len >= n)
		len = n - 1;
	if (len)
		memcpy(buf, nla_data(a), len);
	buf[len] = '\0';
	buf[strnlen(buf, len)] = '\0';
}
