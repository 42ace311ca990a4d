// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "alloc.h"

#define MIN_SHIFT 4  /* 16 bytes: malloc()'s alignment */
#define MAX_SHIFT 15 /* 32 KiB */
#define NCLASS	  (MAX_SHIFT - MIN_SHIFT + 1)
#define CHUNK	  ((size_t)128 << 10)
#define PAGE	  ((size_t)4096)
#define BIG	  ((size_t)-1)

/* Before every block; 16 bytes, so the block stays 16-byte aligned. */
struct head {
	size_t size; /* what the block holds */
	size_t cls;  /* its class, or BIG: mapped alone */
};

static void *free_list[NCLASS];
static char *cur, *end;

static struct head *head_of(const void *p)
{
	return (struct head *)p - 1;
}

static size_t class_of(size_t n)
{
	if (n <= (size_t)1 << MIN_SHIFT)
		return 0;
	return (size_t)(64 - __builtin_clzll((unsigned long long)n - 1)) - MIN_SHIFT;
}

static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		errno = ENOMEM;
		return NULL;
	}
	return p;
}

/* A new block of the class, from the current chunk (what is left of the last one is dropped). */
static void *carve(size_t cls)
{
	size_t size = (size_t)1 << (cls + MIN_SHIFT), need = sizeof(struct head) + size;
	struct head *h;

	if ((size_t)(end - cur) < need) {
		char *c = map(CHUNK);

		if (!c)
			return NULL;
		cur = c;
		end = c + CHUNK;
	}
	h = (struct head *)cur;
	cur += need;
	h->size = size;
	h->cls = cls;
	return h + 1;
}

/* The pages a block of n bytes mapped alone takes, its head included. */
static size_t big_len(size_t n)
{
	return (n + sizeof(struct head) + PAGE - 1) & ~(PAGE - 1);
}

static void *map_big(size_t n)
{
	size_t len = big_len(n);
	struct head *h = map(len);

	if (!h)
		return NULL;
	h->size = len - sizeof(struct head);
	h->cls = BIG;
	return h + 1;
}

void *alloc_get(size_t n)
{
	size_t cls;
	void *p;

	if (n > SIZE_MAX / 2) {
		errno = ENOMEM;
		return NULL;
	}
	if (n > (size_t)1 << MAX_SHIFT)
		return map_big(n);
	cls = class_of(n);
	p = free_list[cls];
	if (!p)
		return carve(cls);
	free_list[cls] = *(void **)p;
	return p;
}

void *alloc_zeroed(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	p = alloc_get(n * size);
	/* A block mapped alone is new, and so zero already: leave its pages untouched. */
	if (p && head_of(p)->cls != BIG)
		memset(p, 0, n * size);
	return p;
}

void alloc_put(void *p)
{
	struct head *h;

	if (!p)
		return;
	h = head_of(p);
	if (h->cls == BIG) {
		munmap(h, h->size + sizeof(*h));
		return;
	}
	*(void **)p = free_list[h->cls];
	free_list[h->cls] = p;
}

void *alloc_resize(void *p, size_t n)
{
	struct head *h;
	void *q;

	if (!p)
		return alloc_get(n);
	h = head_of(p);
	if (n <= h->size)
		return p;
	if (n > SIZE_MAX / 2) {
		errno = ENOMEM;
		return NULL;
	}
	if (h->cls == BIG) {
		size_t len = big_len(n);

		h = mremap(h, h->size + sizeof(*h), len, MREMAP_MAYMOVE);
		if (h == MAP_FAILED) {
			errno = ENOMEM;
			return NULL;
		}
		h->size = len - sizeof(*h);
		return h + 1;
	}
	q = alloc_get(n);
	if (q) {
		memcpy(q, p, h->size);
		alloc_put(p);
	}
	return q;
}

size_t alloc_size(const void *p)
{
	return head_of(p)->size;
}

#ifdef RAILUP_OWN_MALLOC
#include <malloc.h>

void *malloc(size_t n)
{
	return alloc_get(n);
}

void *calloc(size_t n, size_t size)
{
	return alloc_zeroed(n, size);
}

void *realloc(void *p, size_t n)
{
	return alloc_resize(p, n);
}

void free(void *p)
{
	alloc_put(p);
}

/* Blocks are 16-byte aligned; anything stricter is refused rather than faked. */
void *aligned_alloc(size_t align, size_t n)
{
	if (align > (size_t)1 << MIN_SHIFT) {
		errno = EINVAL;
		return NULL;
	}
	return alloc_get(n);
}

size_t malloc_usable_size(void *p)
{
	return p ? alloc_size(p) : 0;
}
#endif
