/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The static build's memory allocator. musl's (mallocng) gives a size
 * class's pages back to the kernel as soon as its last block is freed and
 * maps new ones when it is needed again: an array grown by doubling, or a
 * buffer freed and allocated again, costs a mmap(), a page fault and a
 * munmap() each time, and a first apply of 8 rails paid 14 of them (a
 * sixth of its time beyond starting the process). railup's processes are
 * short, or long with a steady working set, so memory is kept instead:
 * power-of-two classes up to 32 KiB with a free list each, carved from
 * 128 KiB mappings held until exit; larger blocks are mapped alone and
 * grown with mremap(). Not thread-safe: railup has one thread.
 *
 * Built with RAILUP_OWN_MALLOC (the musl build), these are malloc(),
 * calloc(), realloc() and free() for the whole program, libkmod and the
 * compression libraries included. Without it (the host builds: unit tests,
 * sanitizers, valgrind, fuzzers) the C library's stay, so those tools
 * still see every allocation, and the functions below are tested as they
 * are.
 */
#ifndef RAILUP_ALLOC_H
#define RAILUP_ALLOC_H

#include <stddef.h>

/* As malloc(), calloc(), realloc() and free(); NULL with errno ENOMEM on failure. */
void *alloc_get(size_t n);
void *alloc_zeroed(size_t n, size_t size);
void *alloc_resize(void *p, size_t n);
void alloc_put(void *p);
/* How many bytes the block can hold (at least what was asked). */
size_t alloc_size(const void *p);

#endif
