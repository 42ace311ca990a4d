// SPDX-License-Identifier: GPL-2.0
/*
 * netlink.h: building messages and batches, nesting, parsing attributes
 * (short, truncated and malformed ones included), and sending batches and
 * requests to a fake kernel: acknowledgements matched to their messages
 * across chunks, extended-ack messages, interrupted dumps started over.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* The attributes of a message, in order. */
static unsigned attrs_of(const struct nlmsghdr *h, size_t hdrlen, const struct nlattr **out,
			 unsigned max)
{
	const struct nlattr *a;
	int rem = (int)h->nlmsg_len - (int)(NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen));
	unsigned n = 0;

	nla_for_each (a, (const char *)h + NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen), rem) {
		if (n < max)
			out[n] = a;
		n++;
	}
	ck_assert_int_eq(rem, 0); /* nothing left over or cut */
	return n;
}

/* ---- building ---- */

START_TEST(test_msg)
{
	struct nlbuf b = { 0 };
	const struct nlattr *at[4];
	struct nlmsghdr *h;
	struct rtmsg *rtm;

	rtm = nlb_msg(&b, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof(*rtm));
	ck_assert_uint_eq(rtm->rtm_family, 0);
	ck_assert_uint_eq(rtm->rtm_table, 0);
	rtm->rtm_family = AF_INET;
	nlb_put_u32(&b, RTA_TABLE, 1000);
	nlb_put_u8(&b, RTA_PREF, 3);
	nlb_put_str(&b, 100, "ib0");
	nlb_put(&b, 101, NULL, 0);
	ck_assert_uint_eq(b.n, 1);
	h = nlb_get(&b, 0);
	ck_assert_ptr_eq(h, (void *)b.data);
	ck_assert_uint_eq(h->nlmsg_type, RTM_NEWROUTE);
	ck_assert_uint_eq(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
	ck_assert_uint_eq(h->nlmsg_len, b.len);
	ck_assert_uint_eq(h->nlmsg_len, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*rtm)) + 8 + 8 + 8 + 4);
	ck_assert_uint_eq(((struct rtmsg *)NLMSG_DATA(h))->rtm_family, AF_INET);

	ck_assert_uint_eq(attrs_of(h, sizeof(*rtm), at, 4), 4);
	ck_assert_uint_eq(at[0]->nla_type, RTA_TABLE);
	ck_assert_uint_eq(at[0]->nla_len, 8);
	ck_assert_uint_eq(nla_u32(at[0]), 1000);
	ck_assert_uint_eq(at[1]->nla_type, RTA_PREF);
	ck_assert_uint_eq(at[1]->nla_len, 5); /* the padding is not counted... */
	ck_assert_uint_eq((const char *)at[2] - (const char *)at[1], 8); /* ...but kept */
	ck_assert_uint_eq(nla_u8(at[1]), 3);
	ck_assert_uint_eq(at[2]->nla_len, 8);
	ck_assert_str_eq(nla_data(at[2]), "ib0");
	ck_assert_uint_eq(at[3]->nla_len, NLA_HDRLEN);
	nlb_free(&b);
	ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(test_batch)
{
	struct nlbuf b = { 0 };
	size_t off = 0;

	for (unsigned i = 0; i < 5; i++) {
		struct ifinfomsg *ifi =
			nlb_msg(&b, (uint16_t)(RTM_NEWLINK + 4 * (i % 2)), 0, sizeof(*ifi));

		ifi->ifi_index = (int)i + 10;
		for (unsigned j = 0; j < i; j++)
			nlb_put(&b, 200, "abc", 3);
	}
	ck_assert_uint_eq(b.n, 5);
	for (unsigned i = 0; i < 5; i++) {
		struct nlmsghdr *h = nlb_get(&b, i);
		const struct ifinfomsg *ifi = nlmsg_hdr_of(h, sizeof(*ifi));

		ck_assert_ptr_eq(h, (void *)(b.data + off));
		ck_assert_uint_eq(h->nlmsg_type, RTM_NEWLINK + 4 * (i % 2));
		ck_assert_uint_eq(h->nlmsg_len, NLMSG_HDRLEN + sizeof(*ifi) + 8 * i);
		ck_assert_ptr_nonnull(ifi);
		ck_assert_int_eq(ifi->ifi_index, (int)i + 10);
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	ck_assert_uint_eq(off, b.len);

	/* Reset: the next message starts the buffer again. */
	nlb_reset(&b);
	ck_assert_uint_eq(b.n, 0);
	nlb_msg(&b, RTM_GETLINK, NLM_F_DUMP, sizeof(struct ifinfomsg));
	ck_assert_uint_eq(b.n, 1);
	ck_assert_uint_eq(nlb_get(&b, 0)->nlmsg_type, RTM_GETLINK);
	ck_assert_uint_eq(b.len, NLMSG_HDRLEN + sizeof(struct ifinfomsg));
	nlb_free(&b);
}
END_TEST

/* The buffer moves as it grows; lengths stay right. */
START_TEST(test_growth)
{
	struct nlbuf b = { 0 };
	const struct nlattr *tb[301];
	struct nlmsghdr *h;
	char big[3000];

	memset(big, 'x', sizeof(big));
	nlb_msg(&b, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	for (unsigned i = 1; i <= 300; i++) {
		nlb_put(&b, (uint16_t)i, big, i * 10);
		ck_assert_uint_eq(nlb_get(&b, 0)->nlmsg_len, b.len);
	}
	nlb_msg(&b, RTM_DELLINK, 0, sizeof(struct ifinfomsg));
	nlb_put_u32(&b, 1, 0xdeadbeef);
	h = nlb_get(&b, 0);
	nlmsg_parse(tb, 300, h, sizeof(struct ifinfomsg));
	for (unsigned i = 1; i <= 300; i++) {
		ck_assert_ptr_nonnull(tb[i]);
		ck_assert_int_eq(nla_len(tb[i]), (int)i * 10);
	}
	h = nlb_get(&b, 1);
	ck_assert_uint_eq(h->nlmsg_type, RTM_DELLINK);
	nlmsg_parse(tb, 1, h, sizeof(struct ifinfomsg));
	ck_assert_uint_eq(nla_u32(tb[1]), 0xdeadbeef);
	nlb_free(&b);
}
END_TEST

START_TEST(test_nest)
{
	struct nlbuf b = { 0 };
	const struct nlattr *tb[IFLA_MAX + 1], *in[10], *at[4];
	struct nlmsghdr *h;
	size_t spec, inet, conf;

	nlb_msg(&b, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	nlb_put_u32(&b, IFLA_MTU, 2044);
	spec = nlb_nest(&b, IFLA_AF_SPEC);
	inet = nlb_nest(&b, AF_INET);
	conf = nlb_nest(&b, IFLA_INET_CONF);
	nlb_put_u32(&b, 1, 11);
	nlb_put_u32(&b, 2, 22);
	nlb_nest_end(&b, conf);
	nlb_nest_end(&b, inet);
	nlb_put_u8(&b, 9, 1); /* after a nest ends, a sibling */
	nlb_nest_end(&b, spec);
	nlb_put_u32(&b, IFLA_GROUP, 5);

	h = nlb_get(&b, 0);
	ck_assert_uint_eq(h->nlmsg_len, b.len);
	nlmsg_parse(tb, IFLA_MAX, h, sizeof(struct ifinfomsg));
	ck_assert_uint_eq(nla_u32(tb[IFLA_MTU]), 2044);
	ck_assert_uint_eq(nla_u32(tb[IFLA_GROUP]), 5);
	ck_assert_ptr_nonnull(tb[IFLA_AF_SPEC]);
	ck_assert_uint_eq(tb[IFLA_AF_SPEC]->nla_type, IFLA_AF_SPEC | NLA_F_NESTED);
	/* spec: header + inet (header + conf (header + 2 * 8)) + the u8 sibling (8). */
	ck_assert_uint_eq(tb[IFLA_AF_SPEC]->nla_len, 4 + (4 + (4 + 16)) + 8);

	nla_parse(in, 9, nla_data(tb[IFLA_AF_SPEC]), nla_len(tb[IFLA_AF_SPEC]));
	ck_assert_ptr_nonnull(in[AF_INET]);
	ck_assert_uint_eq(in[AF_INET]->nla_type, AF_INET | NLA_F_NESTED);
	ck_assert_uint_eq(in[AF_INET]->nla_len, 4 + 4 + 16);
	ck_assert_uint_eq(nla_u8(in[9]), 1);
	nla_parse(at, 3, nla_data(in[AF_INET]), nla_len(in[AF_INET]));
	ck_assert_ptr_nonnull(at[IFLA_INET_CONF]);
	ck_assert_uint_eq(at[IFLA_INET_CONF]->nla_len, 4 + 16);
	nla_parse(at, 3, nla_data(at[IFLA_INET_CONF]), nla_len(at[IFLA_INET_CONF]));
	ck_assert_uint_eq(nla_u32(at[1]), 11);
	ck_assert_uint_eq(nla_u32(at[2]), 22);
	ck_assert_ptr_null(at[3]);
	nlb_free(&b);
}
END_TEST

/* ---- parsing ---- */

/* Attributes laid out by hand: type, declared length, payload bytes. */
struct raw {
	char buf[256] __attribute__((aligned(4)));
	int len;
};

static void raw_put(struct raw *r, uint16_t type, uint16_t nla_len, const void *data, size_t n)
{
	struct nlattr a = { .nla_len = nla_len, .nla_type = type };

	memcpy(r->buf + r->len, &a, sizeof(a));
	if (n)
		memcpy(r->buf + r->len + NLA_HDRLEN, data, n);
	r->len += (int)NLA_ALIGN(NLA_HDRLEN + n);
}

START_TEST(test_parse_types)
{
	const struct nlattr *tb[3 + 1 + 4];
	uint32_t one = 1, two = 2, twice = 22, nested = 3, big = 77;
	struct raw r = { .len = 0 };

	raw_put(&r, 1, 8, &one, 4);
	raw_put(&r, 2, 8, &two, 4);
	raw_put(&r, 4, 8, &big, 4); /* above max: ignored */
	raw_put(&r, 6, 8, &big, 4);
	raw_put(&r, 2, 8, &twice, 4);
	raw_put(&r, 3 | NLA_F_NESTED, 8, &nested, 4);
	for (unsigned i = 4; i < ARRAY_SIZE(tb); i++)
		tb[i] = (const struct nlattr *)&tb; /* canaries past max */
	nla_parse(tb, 3, r.buf, r.len);
	ck_assert_ptr_null(tb[0]);
	ck_assert_uint_eq(nla_u32(tb[1]), 1);
	ck_assert_uint_eq(nla_u32(tb[2]), 22); /* the later duplicate wins */
	ck_assert_uint_eq(nla_u32(tb[3]), 3);  /* the nested flag masked */
	for (unsigned i = 4; i < ARRAY_SIZE(tb); i++)
		ck_assert_ptr_eq(tb[i], (const struct nlattr *)&tb);
}
END_TEST

START_TEST(test_parse_truncated)
{
	const struct nlattr *tb[4];
	uint32_t v = 5;
	struct raw r = { .len = 0 };

	/* The second attribute claims 12 bytes where 8 remain. */
	raw_put(&r, 1, 8, &v, 4);
	raw_put(&r, 2, 12, &v, 4);
	nla_parse(tb, 3, r.buf, r.len);
	ck_assert_ptr_nonnull(tb[1]);
	ck_assert_ptr_null(tb[2]);

	/* A length below the header's stops the walk: no endless loop. */
	r.len = 0;
	raw_put(&r, 1, 8, &v, 4);
	raw_put(&r, 2, 2, &v, 4);
	raw_put(&r, 3, 8, &v, 4);
	nla_parse(tb, 3, r.buf, r.len);
	ck_assert_ptr_nonnull(tb[1]);
	ck_assert_ptr_null(tb[2]);
	ck_assert_ptr_null(tb[3]);
	r.len = 0;
	raw_put(&r, 1, 0, &v, 4);
	raw_put(&r, 2, 8, &v, 4);
	nla_parse(tb, 3, r.buf, r.len);
	ck_assert_ptr_null(tb[1]);
	ck_assert_ptr_null(tb[2]);

	/* A buffer cut inside an attribute's header, or none at all. */
	r.len = 0;
	raw_put(&r, 1, 8, &v, 4);
	nla_parse(tb, 3, r.buf, 3);
	ck_assert_ptr_null(tb[1]);
	nla_parse(tb, 3, r.buf, 7);
	ck_assert_ptr_null(tb[1]);
	nla_parse(tb, 3, r.buf, 0);
	ck_assert_ptr_null(tb[1]);
	nla_parse(tb, 3, r.buf, -4);
	ck_assert_ptr_null(tb[1]);
}
END_TEST

START_TEST(test_nlmsg_parse)
{
	struct nlbuf b = { 0 };
	const struct nlattr *tb[RTA_MAX + 1];
	struct nlmsghdr *h;

	nlb_msg(&b, RTM_NEWROUTE, 0, sizeof(struct rtmsg));
	nlb_put_u32(&b, RTA_OIF, 4);
	h = nlb_get(&b, 0);
	nlmsg_parse(tb, RTA_MAX, h, sizeof(struct rtmsg));
	ck_assert_uint_eq(nla_u32(tb[RTA_OIF]), 4);
	ck_assert_ptr_null(tb[RTA_TABLE]);
	/* Shorter than its family header: nothing, and no reading past it. */
	h->nlmsg_len = NLMSG_HDRLEN + 4;
	nlmsg_parse(tb, RTA_MAX, h, sizeof(struct rtmsg));
	for (unsigned i = 0; i <= RTA_MAX; i++)
		ck_assert_ptr_null(tb[i]);
	ck_assert_ptr_null(nlmsg_hdr_of(h, sizeof(struct rtmsg)));
	ck_assert_ptr_nonnull(nlmsg_hdr_of(h, 4));
	/* The header alone: no attributes. */
	h->nlmsg_len = NLMSG_HDRLEN + sizeof(struct rtmsg);
	nlmsg_parse(tb, RTA_MAX, h, sizeof(struct rtmsg));
	ck_assert_ptr_null(tb[RTA_OIF]);
	nlb_free(&b);
}
END_TEST

START_TEST(test_short_values)
{
	const uint8_t two[2] = { 0x34, 0x12 };
	const uint8_t four[4] = { 0xaa, 0xbb, 0xcc, 0xdd };
	const struct nlattr *tb[4];
	struct raw r = { .len = 0 };
	uint32_t want32 = 0;
	uint64_t want64 = 0;

	raw_put(&r, 1, NLA_HDRLEN + 2, two, 2);
	raw_put(&r, 2, NLA_HDRLEN + 4, four, 4);
	raw_put(&r, 3, NLA_HDRLEN, NULL, 0);
	nla_parse(tb, 3, r.buf, r.len);
	/* The attribute's bytes, zero-extended: never a read past its end. */
	memcpy(&want32, two, 2);
	ck_assert_uint_eq(nla_u32(tb[1]), want32);
	memcpy(&want64, four, 4);
	ck_assert_uint_eq(nla_u64(tb[2]), want64);
	ck_assert_uint_eq(nla_u8(tb[2]), 0xaa);
	ck_assert_uint_eq(nla_u32(tb[3]), 0);
	ck_assert_uint_eq(nla_u32(NULL), 0);
	ck_assert_uint_eq(nla_u8(NULL), 0);
	ck_assert_uint_eq(nla_u64(NULL), 0);
}
END_TEST

START_TEST(test_strings)
{
	const struct nlattr *tb[6];
	struct raw r = { .len = 0 };
	char buf[16];

	raw_put(&r, 1, NLA_HDRLEN + 6, "hello", 6);
	raw_put(&r, 2, NLA_HDRLEN + 3, "abc", 3); /* not terminated */
	raw_put(&r, 3, NLA_HDRLEN + 5, "ab\0cd", 5);
	raw_put(&r, 4, NLA_HDRLEN, NULL, 0);
	raw_put(&r, 5, NLA_HDRLEN + 20, "0123456789abcdefghi", 20);
	nla_parse(tb, 5, r.buf, r.len);

	memset(buf, 'X', sizeof(buf));
	nla_str(tb[1], buf, sizeof(buf));
	ck_assert_str_eq(buf, "hello");
	memset(buf, 'X', sizeof(buf));
	nla_str(tb[1], buf, 3);
	ck_assert_str_eq(buf, "he");
	memset(buf, 'X', sizeof(buf));
	nla_str(tb[2], buf, sizeof(buf));
	ck_assert_str_eq(buf, "abc");
	memset(buf, 'X', sizeof(buf));
	nla_str(tb[3], buf, sizeof(buf));
	ck_assert_str_eq(buf, "ab");
	memset(buf, 'X', sizeof(buf));
	nla_str(tb[4], buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	memset(buf, 'X', sizeof(buf));
	nla_str(NULL, buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	memset(buf, 'X', sizeof(buf));
	nla_str(tb[5], buf, sizeof(buf));
	ck_assert_str_eq(buf, "0123456789abcde");
	memset(buf, 'X', sizeof(buf));
	nla_str(tb[5], buf, 1);
	ck_assert_int_eq(buf[0], '\0');
	ck_assert_int_eq(buf[1], 'X');
}
END_TEST

/* ---- batches, against a fake kernel ---- */

struct failure {
	unsigned i;
	int err;
	char msg[64];
};

struct batch_run {
	const unsigned *fail; /* message ids the fake kernel refuses */
	unsigned nfail;
	struct failure got[16];
	unsigned ngot;
};

static bool refused(const struct batch_run *s, uint32_t id)
{
	for (unsigned i = 0; i < s->nfail; i++)
		if (s->fail[i] == id)
			return true;
	return false;
}

/*
 * As the kernel answers: an error for each failed message (with an extended
 * message, capped or not), an acknowledgement for a message asking for one.
 */
static void batch_reply(unsigned step, const struct nlmsghdr *req, size_t len, struct nlbuf *r,
			void *arg)
{
	const struct batch_run *s = arg;
	int left = (int)len;

	(void)step;
	for (const struct nlmsghdr *h = req; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
		uint32_t id = *(const uint32_t *)NLMSG_DATA(h);
		char msg[64];

		snprintf(msg, sizeof(msg), "refused %u", id);
		if (refused(s, id))
			reply_err(r, h, id % 2 ? -EEXIST : -EINVAL, id % 3 ? msg : NULL, id % 2);
		else if (h->nlmsg_flags & NLM_F_ACK)
			reply_err(r, h, 0, NULL, true);
	}
}

static void record_failure(unsigned i, int err, const char *msg, void *arg)
{
	struct batch_run *s = arg;

	if (s->ngot < ARRAY_SIZE(s->got)) {
		s->got[s->ngot].i = i;
		s->got[s->ngot].err = err;
		snprintf(s->got[s->ngot].msg, sizeof(s->got[0].msg), "%s", msg);
	}
	s->ngot++;
}

static void batch_of(struct nlbuf *b, unsigned n, size_t extra)
{
	static char pad[20000];

	for (uint32_t i = 0; i < n; i++) {
		uint32_t *id = nlb_msg(b, RTM_NEWROUTE, NLM_F_CREATE, sizeof(*id));

		*id = i;
		if (extra)
			nlb_put(b, 1, pad, extra);
	}
}

/* What the fake kernel received: every message once, an ACK asked only at each chunk's end. */
static void check_requests(const struct fake *f, unsigned n)
{
	unsigned seen = 0;

	for (unsigned s = 0; s < f->done; s++) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)f->req[s];
		int left = (int)f->reqlen[s];

		for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			ck_assert_uint_eq(*(const uint32_t *)NLMSG_DATA(h), seen);
			ck_assert_uint_eq(h->nlmsg_seq, seen + 1);
			ck_assert(h->nlmsg_flags & NLM_F_REQUEST);
			ck_assert_msg(!!(h->nlmsg_flags & NLM_F_ACK) == (left == (int)h->nlmsg_len),
				      "message %u: ACK flag where it is not the chunk's last",
				      seen);
			seen++;
		}
		ck_assert_int_eq(left, 0);
	}
	ck_assert_uint_eq(seen, n);
}

START_TEST(test_batch_ok)
{
	struct batch_run s = { 0 };
	struct nlbuf b = { 0 };
	struct fake f;
	struct nl nl;

	batch_of(&b, 5, 0);
	fake_start(&f, &nl, 4, batch_reply, &s);
	ck_assert_int_eq(nl_batch(&nl, &b, record_failure, &s), 0);
	ck_assert_uint_eq(s.ngot, 0);
	ck_assert_uint_eq(f.done, 1);
	check_requests(&f, 5);
	fake_stop(&f, &nl);
	nlb_free(&b);
}
END_TEST

/* Failures map to their messages, across chunks, with the kernel's words. */
START_TEST(test_batch_failures)
{
	static const unsigned fail[] = { 0, 63, 64, 100, 127, 128, 149 };
	struct batch_run s = { .fail = fail, .nfail = ARRAY_SIZE(fail) };
	struct nlbuf b = { 0 };
	struct fake f;
	struct nl nl;

	batch_of(&b, 150, 0);
	fake_start(&f, &nl, FAKE_STEPS_MAX, batch_reply, &s);
	ck_assert_int_eq(nl_batch(&nl, &b, record_failure, &s), (int)ARRAY_SIZE(fail));
	ck_assert_uint_ge(f.done, 2); /* in chunks */
	check_requests(&f, 150);
	fake_stop(&f, &nl);
	ck_assert_uint_eq(s.ngot, ARRAY_SIZE(fail));
	for (unsigned k = 0; k < ARRAY_SIZE(fail); k++) {
		char want[64] = "";

		if (fail[k] % 3)
			snprintf(want, sizeof(want), "refused %u", fail[k]);
		ck_assert_uint_eq(s.got[k].i, fail[k]);
		ck_assert_int_eq(s.got[k].err, fail[k] % 2 ? -EEXIST : -EINVAL);
		ck_assert_str_eq(s.got[k].msg, want);
	}
	nlb_free(&b);
}
END_TEST

/* Large messages: chunked by bytes as well. */
START_TEST(test_batch_large)
{
	static const unsigned fail[] = { 5, 9 };
	struct batch_run s = { .fail = fail, .nfail = ARRAY_SIZE(fail) };
	struct nlbuf b = { 0 };
	struct fake f;
	struct nl nl;

	batch_of(&b, 12, 15000);
	fake_start(&f, &nl, FAKE_STEPS_MAX, batch_reply, &s);
	ck_assert_int_eq(nl_batch(&nl, &b, record_failure, &s), 2);
	ck_assert_uint_ge(f.done, 2);
	for (unsigned i = 0; i < f.done; i++)
		ck_assert_uint_le(f.reqlen[i], 64 * 1024);
	check_requests(&f, 12);
	fake_stop(&f, &nl);
	ck_assert_uint_eq(s.got[0].i, 5);
	ck_assert_str_eq(s.got[0].msg, "refused 5");
	ck_assert_uint_eq(s.got[1].i, 9);
	ck_assert_str_eq(s.got[1].msg, "");
	nlb_free(&b);
}
END_TEST

/* ---- requests and dumps ---- */

struct dump {
	unsigned msgs, resets, stop_at;
};

static int count_msg(const struct nlmsghdr *h, void *arg)
{
	struct dump *d = arg;

	if (!h) {
		d->resets++;
		d->msgs = 0;
		return 0;
	}
	d->msgs++;
	return d->stop_at && d->msgs == d->stop_at ? 7 : 0;
}

/* First pass interrupted; the second answers three links and one stray message. */
static void dump_reply(unsigned step, const struct nlmsghdr *req, size_t len, struct nlbuf *r,
		       void *arg)
{
	(void)len;
	(void)arg;
	if (step == 0) {
		reply_msg(r, RTM_NEWLINK, NLM_F_MULTI, req->nlmsg_seq, sizeof(struct ifinfomsg));
		reply_msg(r, RTM_NEWLINK, NLM_F_MULTI | NLM_F_DUMP_INTR, req->nlmsg_seq,
			  sizeof(struct ifinfomsg));
		reply_done(r, req->nlmsg_seq);
		return;
	}
	for (int i = 0; i < 3; i++)
		reply_msg(r, RTM_NEWLINK, NLM_F_MULTI, req->nlmsg_seq, sizeof(struct ifinfomsg));
	reply_msg(r, RTM_NEWLINK, NLM_F_MULTI, req->nlmsg_seq + 100, sizeof(struct ifinfomsg));
	reply_done(r, req->nlmsg_seq);
}

START_TEST(test_dump_restart)
{
	struct dump d = { 0 };
	struct nlbuf b = { 0 };
	char err[64] = "x";
	struct fake f;
	struct nl nl;

	nlb_msg(&b, RTM_GETLINK, NLM_F_DUMP, sizeof(struct ifinfomsg));
	fake_start(&f, &nl, 2, dump_reply, NULL);
	ck_assert_int_eq(nl_request(&nl, &b, count_msg, &d, err, sizeof(err)), 0);
	ck_assert_uint_eq(f.done, 2);
	ck_assert_uint_eq(d.resets, 1);
	ck_assert_uint_eq(d.msgs, 3);
	ck_assert_str_eq(err, "");
	/* A dump asks for no ACK; each pass has its own sequence number. */
	for (unsigned i = 0; i < 2; i++) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)f.req[i];

		ck_assert_uint_eq(h->nlmsg_type, RTM_GETLINK);
		ck_assert(h->nlmsg_flags & NLM_F_DUMP);
		ck_assert(!(h->nlmsg_flags & NLM_F_ACK));
	}
	ck_assert_uint_ne(((const struct nlmsghdr *)f.req[0])->nlmsg_seq,
			  ((const struct nlmsghdr *)f.req[1])->nlmsg_seq);
	fake_stop(&f, &nl);
	nlb_free(&b);
}
END_TEST

/* Interrupted as many times as arg says, then whole. */
static void busy_reply(unsigned step, const struct nlmsghdr *req, size_t len, struct nlbuf *r,
		       void *arg)
{
	(void)len;
	reply_msg(r, RTM_NEWLINK, NLM_F_MULTI | (step < *(unsigned *)arg ? NLM_F_DUMP_INTR : 0),
		  req->nlmsg_seq, sizeof(struct ifinfomsg));
	reply_done(r, req->nlmsg_seq);
}

/*
 * Objects that keep changing while they are read: the dump is read again
 * past the quick tries, after pauses, until one read gets through.
 */
START_TEST(test_dump_patience)
{
	unsigned interrupted = 12;
	struct dump d = { 0 };
	struct nlbuf b = { 0 };
	struct fake f;
	struct nl nl;

	nlb_msg(&b, RTM_GETADDR, NLM_F_DUMP, sizeof(struct ifaddrmsg));
	fake_start(&f, &nl, interrupted + 1, busy_reply, &interrupted);
	ck_assert_int_eq(nl_request(&nl, &b, count_msg, &d, NULL, 0), 0);
	ck_assert_uint_eq(f.done, interrupted + 1);
	ck_assert_uint_eq(d.resets, interrupted);
	ck_assert_uint_eq(d.msgs, 1);
	fake_stop(&f, &nl);
	nlb_free(&b);
}
END_TEST

/* A dump interrupted every time: given up once the socket's patience is spent. */
START_TEST(test_dump_given_up)
{
	unsigned interrupted = FAKE_STEPS_MAX;
	struct dump d = { 0 };
	struct nlbuf b = { 0 };
	struct fake f;
	struct nl nl;

	nlb_msg(&b, RTM_GETADDR, NLM_F_DUMP, sizeof(struct ifaddrmsg));
	fake_start(&f, &nl, FAKE_STEPS_MAX, busy_reply, &interrupted);
	nl.patience_ms = 40;
	ck_assert_int_eq(nl_request(&nl, &b, count_msg, &d, NULL, 0), -EBUSY);
	/*
	 * The quick tries, then reads after pauses of 1, 2, 4, 8, 16 and 32 ms:
	 * 40 ms are spent by the sixth at the latest (sooner on a slow machine).
	 */
	ck_assert_uint_ge(f.done, 8 + 1);
	ck_assert_uint_le(f.done, 8 + 6);
	ck_assert_uint_eq(d.resets, f.done);
	fake_stop(&f, &nl);
	nlb_free(&b);
}
END_TEST

static void error_reply(unsigned step, const struct nlmsghdr *req, size_t len, struct nlbuf *r,
			void *arg)
{
	(void)step;
	(void)len;
	reply_err(r, req, -ENODEV, arg, false);
}

START_TEST(test_request_error)
{
	struct dump d = { 0 };
	struct nlbuf b = { 0 };
	struct ifinfomsg *ifi;
	char err[64] = "x";
	struct fake f;
	struct nl nl;

	ifi = nlb_msg(&b, RTM_NEWLINK, 0, sizeof(*ifi));
	ifi->ifi_index = 99;
	nlb_put_u32(&b, IFLA_MTU, 1500);
	fake_start(&f, &nl, 1, error_reply, "Device not here");
	ck_assert_int_eq(nl_request(&nl, &b, count_msg, &d, err, sizeof(err)), -ENODEV);
	ck_assert_str_eq(err, "Device not here");
	ck_assert_uint_eq(d.msgs, 0);
	/* Not a dump: an ACK asked. */
	ck_assert(((const struct nlmsghdr *)f.req[0])->nlmsg_flags & NLM_F_ACK);
	fake_stop(&f, &nl);

	/* Without room for the message, or without a message: still the error. */
	fake_start(&f, &nl, 1, error_reply, NULL);
	ck_assert_int_eq(nl_request(&nl, &b, count_msg, &d, NULL, 0), -ENODEV);
	fake_stop(&f, &nl);
	nlb_free(&b);
}
END_TEST

START_TEST(test_request_stop)
{
	struct dump d = { .stop_at = 2 };
	struct nlbuf b = { 0 };
	struct fake f;
	struct nl nl;

	nlb_msg(&b, RTM_GETLINK, NLM_F_DUMP, sizeof(struct ifinfomsg));
	fake_start(&f, &nl, 2, dump_reply, NULL);
	/* The first pass's second message stops it: the callback's value comes back. */
	ck_assert_int_eq(nl_request(&nl, &b, count_msg, &d, NULL, 0), 7);
	ck_assert_uint_eq(d.resets, 0);
	fake_stop(&f, &nl);
	nlb_free(&b);
}
END_TEST

Suite *netlink_suite(void)
{
	Suite *s = suite_create("netlink");
	TCase *tc = tcase_create("build");

	tcase_add_test(tc, test_msg);
	tcase_add_test(tc, test_batch);
	tcase_add_test(tc, test_growth);
	tcase_add_test(tc, test_nest);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_types);
	tcase_add_test(tc, test_parse_truncated);
	tcase_add_test(tc, test_nlmsg_parse);
	tcase_add_test(tc, test_short_values);
	tcase_add_test(tc, test_strings);
	suite_add_tcase(s, tc);

	tc = tcase_create("exchange");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_batch_ok);
	tcase_add_test(tc, test_batch_failures);
	tcase_add_test(tc, test_batch_large);
	tcase_add_test(tc, test_dump_restart);
	tcase_add_test(tc, test_dump_patience);
	tcase_add_test(tc, test_dump_given_up);
	tcase_add_test(tc, test_request_error);
	tcase_add_test(tc, test_request_stop);
	suite_add_tcase(s, tc);
	return s;
}
