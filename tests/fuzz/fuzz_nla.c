// SPDX-License-Identifier: GPL-2.0
/*
 * The generic layer on arbitrary bytes: nlmsg_hdr_of() and nlmsg_parse()
 * with family headers of every size railup uses, nla_parse() on the
 * attributes and on each attribute's payload as a nest, and the accessors
 * (nla_u8/u32/u64/str) on every attribute found. The first input byte
 * picks the header size and the table size.
 */
#include "fuzz.h"
#include "netlink.h"

#define TB_MAX 64

static size_t hdrlen;
static unsigned max;

static void use(const struct nlattr *const *tb)
{
	char s[16];

	for (unsigned t = 0; t <= max; t++) {
		if (!tb[t])
			continue;
		fz_assert(tb[t]->nla_len >= NLA_HDRLEN);
		fz_assert((tb[t]->nla_type & NLA_TYPE_MASK) == t);
		(void)nla_u8(tb[t]);
		(void)nla_u32(tb[t]);
		(void)nla_u64(tb[t]);
		nla_str(tb[t], s, sizeof(s));
		fz_assert(fz_terminated(s, sizeof(s)));
	}
}

static void one(const struct nlmsghdr *h, void *arg)
{
	const struct nlattr *tb[TB_MAX + 1], *nest[TB_MAX + 1];

	(void)arg;
	(void)nlmsg_hdr_of(h, hdrlen);
	nlmsg_parse(tb, max, h, hdrlen);
	use(tb);
	for (unsigned t = 0; t <= max; t++) {
		if (!tb[t])
			continue;
		nla_parse(nest, max, nla_data(tb[t]), nla_len(tb[t]));
		use(nest);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t hdrs[] = {
		0, 4, 8, 12, 16, 20
	}; /* nldev, rtgen, ifaddrmsg, rtmsg... */
	const struct nlattr *tb[TB_MAX + 1];
	uint8_t *copy;

	if (!size)
		return 0;
	fz_quiet();
	hdrlen = hdrs[(data[0] & 7) % (sizeof(hdrs) / sizeof(hdrs[0]))];
	max = (unsigned)(data[0] >> 3) * 2 + 1;
	data++;
	size--;
	fz_each_msg(data, size, one, NULL);
	/* nla_parse() on the bytes themselves, as a bare attribute stream. */
	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	nla_parse(tb, max, copy, (int)size);
	use(tb);
	free(copy);
	return 0;
}
