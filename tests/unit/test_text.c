// SPDX-License-Identifier: GPL-2.0
/* text.h: run-directory files built in memory and put in place at once. */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

START_TEST(test_numbers)
{
	struct text t = { 0 };

	text_putu(&t, 0);
	text_putc(&t, ' ');
	text_putu(&t, ULLONG_MAX);
	text_putc(&t, ' ');
	text_puti(&t, -1);
	text_putc(&t, ' ');
	text_puti(&t, LLONG_MIN);
	text_putc(&t, ' ');
	text_put(&t, "x");
	text_putc(&t, '\0');
	ck_assert_str_eq(t.s, "0 18446744073709551615 -1 -9223372036854775808 x");
	free(t.s);
}
END_TEST

/* Cut to fit and always terminated; the length is the source's. */
START_TEST(test_copy)
{
	char b[4] = "xyz";

	ck_assert_uint_eq(text_copy(b, sizeof(b), "ab"), 2);
	ck_assert_str_eq(b, "ab");
	ck_assert_uint_eq(text_copy(b, sizeof(b), "abcdef"), 6);
	ck_assert_str_eq(b, "abc");
	ck_assert_uint_eq(text_copy(b, 1, "abc"), 3);
	ck_assert_str_eq(b, "");
	b[0] = 'q';
	ck_assert_uint_eq(text_copy(b, 0, "abc"), 3);
	ck_assert_int_eq(b[0], 'q');
}
END_TEST

/* Parts joined, cut to fit as one text_copy() of the whole would be; the length is the whole's. */
START_TEST(test_join)
{
	char b[8] = "xyz";

	ck_assert_uint_eq(text_join(b, sizeof(b), (const char *[]){ "/run", "/", "x", NULL }), 6);
	ck_assert_str_eq(b, "/run/x");
	ck_assert_uint_eq(
		text_join(b, sizeof(b), (const char *[]){ "/run", "/.", "state", ".tmp", NULL }),
		15);
	ck_assert_str_eq(b, "/run/.s");
	ck_assert_uint_eq(text_join(b, sizeof(b), (const char *[]){ NULL }), 0);
	ck_assert_str_eq(b, "");
	b[0] = 'q';
	ck_assert_uint_eq(text_join(b, 0, (const char *[]){ "abc", "d", NULL }), 4);
	ck_assert_int_eq(b[0], 'q');
}
END_TEST

/* Appends of any length across the buffer's growth, bytes as given (NULs too). */
START_TEST(test_putn)
{
	struct text t = { 0 };
	char big[5000];

	memset(big, 'a', sizeof(big));
	text_putn(&t, "x\0y", 3);
	text_putn(&t, big, sizeof(big));
	text_put(&t, "");
	text_put(&t, "end");
	ck_assert_uint_eq(t.len, 3 + sizeof(big) + 3);
	ck_assert_int_eq(memcmp(t.s, "x\0y", 3), 0);
	ck_assert_int_eq(t.s[3 + 4999], 'a');
	ck_assert_int_eq(memcmp(t.s + 3 + sizeof(big), "end", 3), 0);
	ck_assert_uint_ge(t.cap, t.len);
	free(t.s);
}
END_TEST

/* Room made is at least what was asked, after what is there, which stays. */
START_TEST(test_room)
{
	struct text t = { 0 };
	char *p;

	text_put(&t, "head");
	p = text_room(&t, 10000);
	ck_assert_ptr_eq(p, t.s + 4);
	ck_assert_uint_ge(t.cap - t.len, 10000);
	ck_assert_uint_eq(t.len, 4);
	memset(p, 'b', 10000);
	t.len += 10000;
	ck_assert_ptr_eq(text_room(&t, 0), t.s + t.len);
	ck_assert_int_eq(memcmp(t.s, "headbb", 6), 0);
	ck_assert_int_eq(t.s[t.len - 1], 'b');
	free(t.s);
}
END_TEST

START_TEST(test_udec)
{
	char b[24], d[TEXT_DEC_MAX];

	b[23] = '\0';
	ck_assert_str_eq(text_udec(b + 23, 0), "0");
	ck_assert_str_eq(text_udec(b + 23, 1001), "1001");
	ck_assert_str_eq(text_udec(b + 23, ULLONG_MAX), "18446744073709551615");
	ck_assert_ptr_eq(text_udec(b + 23, ULLONG_MAX), b + 3);
	/* text_dec: the same, ended by its own NUL, in the smallest buffer that holds any. */
	memset(d, 'x', sizeof(d));
	ck_assert_str_eq(text_dec(d, ULLONG_MAX), "18446744073709551615");
	ck_assert_ptr_eq(text_dec(d, ULLONG_MAX), d);
	ck_assert_str_eq(text_dec(d, 7), "7");
}
END_TEST

/* Whole, NUL-terminated, across reads; too large or missing: NULL and why. */
START_TEST(test_load)
{
	char *path = unit_path("f"), *big = malloc(10000), *got;
	size_t len = 1;

	memset(big, 'a', 9999);
	big[9999] = '\0';
	unit_write("f", big);
	got = text_load(path, 10000, &len);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(len, 9999);
	ck_assert_str_eq(got, big);
	/* Room for what the file says it holds, not the 16 KiB of doubling from 4. */
	ck_assert_uint_lt(malloc_usable_size(got), 16384);
	free(got);
	/* /proc says 0 bytes: read whole all the same, past the first 4 KiB. */
	got = text_load("/proc/self/smaps", 1 << 24, &len);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_gt(len, 4096);
	ck_assert_uint_eq(strlen(got), len);
	ck_assert_ptr_nonnull(strstr(got, "[stack]"));
	free(got);
	errno = 0;
	ck_assert_ptr_null(text_load(path, 9998, &len));
	ck_assert_int_eq(errno, EFBIG);
	unit_write("f", "");
	got = text_load(path, 10, &len);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(got, "");
	free(got);
	free(path);
	path = unit_path("missing");
	errno = 0;
	ck_assert_ptr_null(text_load(path, 10, &len));
	ck_assert_int_eq(errno, ENOENT);
	free(path);
	free(big);
}
END_TEST

/* Lines cut in place; an empty one counts, a last one needs no newline. */
START_TEST(test_line)
{
	char t[] = "a b\n\nlast", *at = t;

	ck_assert_str_eq(text_line(&at, t + 9), "a b");
	ck_assert_str_eq(text_line(&at, t + 9), "");
	ck_assert_str_eq(text_line(&at, t + 9), "last");
	ck_assert_ptr_null(text_line(&at, t + 9));
}
END_TEST

/* Fields at blanks and tabs, each cut off; no more than asked for. */
START_TEST(test_fields)
{
	char t[] = "  1: FLOCK\tADVISORY  WRITE 12 ", u[] = "a b c", e[] = " \t ";
	char *f[6];

	ck_assert_uint_eq(text_fields(t, f, 6), 5);
	ck_assert_str_eq(f[0], "1:");
	ck_assert_str_eq(f[1], "FLOCK");
	ck_assert_str_eq(f[2], "ADVISORY");
	ck_assert_str_eq(f[4], "12");
	ck_assert_uint_eq(text_fields(u, f, 2), 2);
	ck_assert_str_eq(f[1], "b");
	ck_assert_uint_eq(text_fields(e, f, 6), 0);
}
END_TEST

/* Whole integers only, in range; the kernel's trailing newline is fine. */
START_TEST(test_int)
{
	static const char *const bad[] = { "",
					   "\n",
					   "-",
					   "+1",
					   " 1",
					   "1 ",
					   "1\n\n",
					   "0x10",
					   "1.0",
					   "12a",
					   "99999999999999999999",
					   "9223372036854775808",
					   "-9223372036854775809",
					   "--1",
					   "-1",
					   "256" };
	long long v;

	ck_assert(text_int("0", 0, 255, &v) && v == 0);
	ck_assert(text_int("255\n", 0, 255, &v) && v == 255);
	ck_assert(text_int("-7", -10, 10, &v) && v == -7);
	ck_assert(text_int("9223372036854775807", 0, LLONG_MAX, &v) && v == LLONG_MAX);
	ck_assert(text_int("-9223372036854775808", LLONG_MIN, 0, &v) && v == LLONG_MIN);
	ck_assert(text_int("-0", 0, 0, &v) && v == 0);
	ck_assert(text_int("007", 0, 10, &v) && v == 7);
	ck_assert(!text_int("9223372036854775808", 0, LLONG_MAX, &v));
	ck_assert(!text_int("-9223372036854775809", LLONG_MIN, 0, &v));
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!text_int(bad[i], 0, 255, &v), "%s accepted", bad[i]);
}
END_TEST

/* Larger than the first allocation, in a directory that does not exist yet. */
START_TEST(test_commit)
{
	struct text t = { 0 };
	char *run = unit_path("run"), *got;

	for (unsigned i = 0; i < 3000; i++) {
		text_putu(&t, i);
		text_putc(&t, '\n');
	}
	ck_assert_int_eq(text_commit(&t, run, "state"), 0);
	ck_assert_ptr_null(t.s);
	ck_assert_uint_eq(unit_mode("run/state"), 0644);
	got = unit_read("run/state");
	ck_assert_uint_eq(strlen(got), 13890);
	ck_assert(!strncmp(got, "0\n1\n2\n", 6));
	free(got);
	ck_assert_uint_eq(unit_entries("run"), 1);

	/* Replaced whole. */
	text_put(&t, "new\n");
	ck_assert_int_eq(text_commit(&t, run, "state"), 0);
	got = unit_read("run/state");
	ck_assert_str_eq(got, "new\n");
	free(got);
	ck_assert_uint_eq(unit_entries("run"), 1);
	free(run);
}
END_TEST

/* A run directory that cannot be made: -1 and errno, no file anywhere. */
START_TEST(test_commit_fails)
{
	struct text t = { 0 };
	char *below = unit_path("plain/run");

	unit_write("plain", "");
	text_put(&t, "x\n");
	errno = 0;
	ck_assert_int_eq(text_commit(&t, below, "state"), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	ck_assert_ptr_null(t.s);
	ck_assert_uint_eq(unit_entries(""), 1);
	free(below);
}
END_TEST

Suite *text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("text");

	tcase_add_checked_fixture(tc, unit_dir_setup, unit_dir_teardown);
	tcase_add_test(tc, test_numbers);
	tcase_add_test(tc, test_copy);
	tcase_add_test(tc, test_join);
	tcase_add_test(tc, test_room);
	tcase_add_test(tc, test_putn);
	tcase_add_test(tc, test_udec);
	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_line);
	tcase_add_test(tc, test_fields);
	tcase_add_test(tc, test_int);
	tcase_add_test(tc, test_commit);
	tcase_add_test(tc, test_commit_fails);
	suite_add_tcase(s, tc);
	return s;
}
