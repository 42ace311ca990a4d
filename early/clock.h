/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The clock, in microseconds: CLOCK_MONOTONIC for deadlines, CLOCK_REALTIME
 * for the state's time stamp. By system call, not through the vDSO: the
 * vDSO's first read faults its data pages in (a walk of the memory-type
 * tables on a VM, about 8 us here), more than the few reads a run makes
 * cost as system calls.
 */
#ifndef RAILUP_CLOCK_H
#define RAILUP_CLOCK_H

#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t clock_us(clockid_t clock)
{
	struct timespec ts = { 0 };

	syscall(SYS_clock_gettime, clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* The monotonic clock in milliseconds: what deadlines are kept in. */
static inline uint64_t clock_ms(void)
{
	return clock_us(CLOCK_MONOTONIC) / 1000;
}

#endif
