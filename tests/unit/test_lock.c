// SPDX-License-Identifier: GPL-2.0
/* lock.h: the run lock, made and taken in a temporary run directory. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

/*
 * Without create, no lock is made (bad input writes nothing); with it, the
 * lock is made held, and nothing else is left in the run directory.
 */
START_TEST(test_lock)
{
	char *run = unit_path("run"), *lock = unit_path("run/lock");
	int fd;

	ck_assert_int_eq(lock_take(run, false), LOCK_NONE);
	ck_assert(!unit_exists("run"));
	ck_assert_int_eq(lock_take(run, true), LOCK_HELD);
	ck_assert_uint_eq(unit_entries("run"), 1);
	ck_assert_uint_eq(unit_mode("run/lock"), 0600);
	fd = open(lock, O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ne(flock(fd, LOCK_EX | LOCK_NB), 0); /* another open file: it waits */
	ck_assert_int_eq(errno, EWOULDBLOCK);
	close(fd);
	free(lock);
	free(run);
}
END_TEST

/* A lock some run made: taken as it is, with or without create. */
START_TEST(test_lock_made)
{
	char *run = unit_path("run"), *lock = unit_path("run/lock");
	int fd;

	ck_assert_int_eq(mkdir(run, 0755), 0);
	unit_write("run/lock", "");
	ck_assert_int_eq(lock_take(run, false), LOCK_HELD);
	fd = open(lock, O_RDWR | O_CLOEXEC);
	ck_assert_int_ne(flock(fd, LOCK_EX | LOCK_NB), 0);
	close(fd);
	free(lock);
	free(run);
}
END_TEST

Suite *lock_suite(void)
{
	Suite *s = suite_create("lock");
	TCase *tc = tcase_create("file");

	tcase_add_checked_fixture(tc, unit_dir_setup, unit_dir_teardown);
	tcase_add_test(tc, test_lock);
	tcase_add_test(tc, test_lock_made);
	suite_add_tcase(s, tc);
	return s;
}
