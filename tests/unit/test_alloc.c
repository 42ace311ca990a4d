// SPDX-License-Identifier: GPL-2.0
/* alloc.h: the static build's allocator, tested as its own functions. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "unit.h"

static bool aligned(const void *p)
{
	return ((uintptr_t)p & 15) == 0;
}

/* How many of the n bytes at p are not c (one assertion, not one per byte: Check's are slow). */
static size_t bytes_not(const void *p, size_t n, unsigned char c)
{
	size_t wrong = 0;

	for (size_t k = 0; k < n; k++)
		wrong += ((const unsigned char *)p)[k] != c;
	return wrong;
}

/* Every size gets a 16-byte aligned block of its own, large enough, apart from the others. */
START_TEST(test_sizes)
{
	static const size_t sizes[] = { 0,    1,     15,    16,	   17,	  100,	  4095,
					4096, 32767, 32768, 32769, 65536, 1 << 20 };
	void *p[ARRAY_SIZE(sizes)];

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = alloc_get(sizes[i]);
		ck_assert_ptr_nonnull(p[i]);
		ck_assert(aligned(p[i]));
		ck_assert_uint_ge(alloc_size(p[i]), sizes[i] ? sizes[i] : 1);
		memset(p[i], (int)i + 1, sizes[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		ck_assert_uint_eq(bytes_not(p[i], sizes[i], (unsigned char)(i + 1)), 0);
		alloc_put(p[i]);
	}
}
END_TEST

/* A freed block serves the next request of its class; another class gets another block. */
START_TEST(test_reuse)
{
	void *a = alloc_get(100), *b;

	alloc_put(a);
	b = alloc_get(120);
	ck_assert_ptr_eq(b, a);
	alloc_put(b);
	b = alloc_get(300);
	ck_assert_ptr_ne(b, a);
	alloc_put(b);
	alloc_put(NULL);
}
END_TEST

/* Growing keeps the contents, through the classes and past them; shrinking keeps the block. */
START_TEST(test_resize)
{
	unsigned char *p = alloc_resize(NULL, 10);
	size_t wrong = 0;

	ck_assert_ptr_nonnull(p);
	for (size_t n = 10; n < (4 << 20); n *= 3) {
		unsigned char *q;

		for (size_t k = 0; k < n; k++)
			p[k] = (unsigned char)(k * 7);
		q = alloc_resize(p, n * 3);
		ck_assert_ptr_nonnull(q);
		ck_assert(aligned(q));
		for (size_t k = 0; k < n; k++)
			wrong += q[k] != (unsigned char)(k * 7);
		ck_assert_uint_eq(wrong, 0);
		p = q;
	}
	ck_assert_ptr_eq(alloc_resize(p, 5), p);
	alloc_put(p);
}
END_TEST

/* Zeroed even where a freed block is reused; a product that overflows is refused. */
START_TEST(test_zeroed)
{
	unsigned char *p = alloc_get(200), *z;

	memset(p, 0xff, 200);
	alloc_put(p);
	z = alloc_zeroed(25, 8);
	ck_assert_ptr_eq(z, p);
	ck_assert_uint_eq(bytes_not(z, 200, 0), 0);
	alloc_put(z);
	z = alloc_zeroed(1 << 10, 1 << 10);
	ck_assert_ptr_nonnull(z);
	ck_assert_int_eq(z[0] | z[(1 << 20) - 1], 0);
	alloc_put(z);
	errno = 0;
	ck_assert_ptr_null(alloc_zeroed(SIZE_MAX / 2, 3));
	ck_assert_int_eq(errno, ENOMEM);
	errno = 0;
	ck_assert_ptr_null(alloc_get(SIZE_MAX - 8));
	ck_assert_int_eq(errno, ENOMEM);
	p = alloc_get(16);
	errno = 0;
	ck_assert_ptr_null(alloc_resize(p, SIZE_MAX));
	ck_assert_int_eq(errno, ENOMEM);
	alloc_put(p);
}
END_TEST

/* Many blocks of one class span several of the mappings they are carved from. */
START_TEST(test_many)
{
	enum { N = 3000 };
	unsigned **v = malloc(N * sizeof(*v));

	for (unsigned i = 0; i < N; i++) {
		v[i] = alloc_get(100);
		ck_assert_ptr_nonnull(v[i]);
		*v[i] = i;
	}
	for (unsigned i = 0; i < N; i++) {
		ck_assert_uint_eq(*v[i], i);
		alloc_put(v[i]);
	}
	free(v);
}
END_TEST

Suite *alloc_suite(void)
{
	Suite *s = suite_create("alloc");
	TCase *tc = tcase_create("alloc");

	tcase_add_test(tc, test_sizes);
	tcase_add_test(tc, test_reuse);
	tcase_add_test(tc, test_resize);
	tcase_add_test(tc, test_zeroed);
	tcase_add_test(tc, test_many);
	suite_add_tcase(s, tc);
	return s;
}
