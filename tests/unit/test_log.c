// SPDX-License-Identifier: GPL-2.0
/* log.h: quoting tokens for one-line messages, the one error format, the sink. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

START_TEST(test_quote_plain)
{
	ck_assert_str_eq(quotes("rd.rail=ib0:10.0.1.14/24"), "\"rd.rail=ib0:10.0.1.14/24\"");
	ck_assert_str_eq(quotes(""), "\"\"");
	ck_assert_str_eq(quote("abcdef", 3), "\"abc\"");
}
END_TEST

START_TEST(test_quote_escapes)
{
	ck_assert_str_eq(quote("a\nb\x01\x7f\xff", 6), "\"a\\x0ab\\x01\\x7f\\xff\"");
	ck_assert_str_eq(quotes("say \"hi\" \\o/"), "\"say \\\"hi\\\" \\\\o/\"");
	/* A NUL byte inside the n bytes is shown, not a terminator. */
	ck_assert_str_eq(quote("a\0b", 3), "\"a\\x00b\"");
}
END_TEST

/* A long token is cut in the middle; its two ends stay. */
START_TEST(test_quote_long)
{
	char s[1000];
	const char *q;

	memset(s, 'x', sizeof(s));
	memcpy(s, "BEGIN", 5);
	memcpy(s + sizeof(s) - 3, "END", 3);
	q = quote(s, sizeof(s));
	ck_assert_uint_lt(strlen(q), 200);
	ck_assert_ptr_nonnull(strstr(q, "..."));
	ck_assert(!strncmp(q, "\"BEGIN", 6));
	ck_assert_str_eq(q + strlen(q) - 4, "END\"");
	/* The worst case: every byte escaped, still bounded and one line. */
	memset(s, '\x01', sizeof(s));
	q = quote(s, sizeof(s));
	ck_assert_uint_lt(strlen(q), 300);
	ck_assert(!has_control_bytes(q));
}
END_TEST

/* Four results live at once. */
START_TEST(test_quote_ring)
{
	const char *a = quotes("a"), *b = quotes("b"), *c = quotes("c"), *d = quotes("d");

	ck_assert_str_eq(a, "\"a\"");
	ck_assert_str_eq(b, "\"b\"");
	ck_assert_str_eq(c, "\"c\"");
	ck_assert_str_eq(d, "\"d\"");
}
END_TEST

START_TEST(test_token_error)
{
	ck_assert_int_eq(token_error("railup.conf:3", "rd.rail=x", "bad %s", "thing"), -1);
	ck_assert_uint_eq(logcap.n, 1);
	ck_assert_uint_eq(logcap.errors, 1);
	ck_assert_int_eq(logcap.level[0], LOG_ERR);
	ck_assert_str_eq(logcap.msg[0], "railup.conf:3: \"rd.rail=x\": bad thing");
}
END_TEST

START_TEST(test_levels)
{
	log_setup(KMSG_OFF, LOG_WARNING);
	log_info("not shown");
	log_debug("not shown");
	log_warn("shown %d", 1);
	log_err("shown %d", 2);
	ck_assert_uint_eq(logcap.n, 2);
	ck_assert_str_eq(logcap.msg[0], "shown 1");
	ck_assert_int_eq(logcap.level[0], LOG_WARNING);
	ck_assert_uint_eq(logcap.errors, 1);
}
END_TEST

START_TEST(test_xgrow)
{
	unsigned cap = 0, n;
	int *v = NULL;

	for (n = 0; n < 100; n++) {
		v = xgrow(v, n, &cap, sizeof(*v));
		ck_assert_uint_gt(cap, n);
		v[n] = (int)n;
	}
	for (n = 0; n < 100; n++)
		ck_assert_int_eq(v[n], (int)n);
	free(v);
}
END_TEST

struct keyed {
	int key, seq;
	char pad[300]; /* wider than one of musl's qsort copies */
};

static int by_key(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	return x->key == y->key ? 0 : (x->key < y->key ? -1 : 1);
}

/* In order already: left as it is; one out of place at the end: still sorted, stably. */
START_TEST(test_xsort_ordered)
{
	struct keyed v[6] = { { 1, 0 }, { 1, 1 }, { 2, 2 }, { 3, 3 }, { 3, 4 }, { 2, 5 } };

	xsort(v, 5, sizeof(v[0]), by_key);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(v[i].seq, i);
	xsort(v, 6, sizeof(v[0]), by_key);
	ck_assert_int_eq(v[2].seq, 2);
	ck_assert_int_eq(v[3].seq, 5);
	ck_assert_int_eq(v[4].seq, 3);
	ck_assert_int_eq(v[5].seq, 4);
}
END_TEST

/* Against every size up to 70 and a larger one: ordered, stable, nothing lost. */
START_TEST(test_xsort)
{
	static const unsigned sizes[] = { 0, 1, 2, 3, 5, 8, 17, 33, 64, 70, 1000 };
	unsigned seed = 7;

	xsort(NULL, 0, sizeof(struct keyed), by_key);
	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		unsigned n = sizes[s];
		struct keyed *v = calloc(n ? n : 1, sizeof(*v));
		char *seen = calloc(n ? n : 1, 1);

		for (unsigned i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			v[i].key = (int)((seed >> 16) % 10) - 5;
			v[i].seq = (int)i;
			v[i].pad[299] = (char)i;
		}
		xsort(v, n, sizeof(*v), by_key);
		for (unsigned i = 0; i < n; i++) {
			ck_assert_int_eq(v[i].pad[299], (char)v[i].seq);
			ck_assert(!seen[v[i].seq]);
			seen[v[i].seq] = 1;
			if (i) {
				ck_assert_int_le(v[i - 1].key, v[i].key);
				if (v[i - 1].key == v[i].key)
					ck_assert_int_lt(v[i - 1].seq, v[i].seq);
			}
		}
		free(seen);
		free(v);
	}
}
END_TEST

Suite *log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("quote");

	tcase_add_test(tc, test_quote_plain);
	tcase_add_test(tc, test_quote_escapes);
	tcase_add_test(tc, test_quote_long);
	tcase_add_test(tc, test_quote_ring);
	suite_add_tcase(s, tc);

	tc = tcase_create("messages");
	tcase_add_checked_fixture(tc, logcap_setup, logcap_teardown);
	tcase_add_test(tc, test_token_error);
	tcase_add_test(tc, test_levels);
	tcase_add_test(tc, test_xgrow);
	tcase_add_test(tc, test_xsort);
	tcase_add_test(tc, test_xsort_ordered);
	suite_add_tcase(s, tc);
	return s;
}
