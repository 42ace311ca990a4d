// SPDX-License-Identifier: GPL-2.0
/* report.h: the state file, written for sh and read back by railup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "unit.h"

/* As down and boot write it: the file read for the compare by report_state_write(). */
static int state_write(const struct railmap *m, enum boot_result res, const char *by)
{
	return report_state_write(unit_dir, NULL, m, res, by);
}

static bool state_by(const char *by)
{
	struct state_file st;
	bool is;

	report_state_load(unit_dir, &st);
	is = report_state_by(&st, by);
	report_state_free(&st);
	return is;
}

/* Quotes survive the round trip; control bytes never reach the file. */
START_TEST(test_state_round_trip)
{
	struct railmap m;
	struct state_file st;
	struct boot_record *b;
	char path[4096], cmd[8300], out[512];
	unsigned n = 0;
	long long stamp;
	time_t before = time(NULL), after;
	FILE *f;

	map_ok(&m, "rd.rail=ib0:10.0.1.14/24:10.0.1.1 rd.rail=ib1:10.0.2.14/24:10.0.2.1", NULL);
	m.rail[0].st.phase = RAIL_VERIFIED;
	m.rail[1].st.phase = RAIL_FAILED;
	m.rail[1].st.stage = "route";
	text_copy(m.rail[1].st.error, sizeof(m.rail[1].st.error), "it's\x1b[31m red\n'x'");
	m.rail[1].st.port = 12;
	ck_assert_int_eq(state_write(&m, BOOT_DEGRADED, "apply"), 0);
	after = time(NULL);

	report_state_load(unit_dir, &st);
	b = report_state_records(&st, &n);
	report_state_free(&st);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(b[0].name, "ib0");
	ck_assert_str_eq(b[0].phase, "verified");
	ck_assert_str_eq(b[1].address, "10.0.2.14/24");
	ck_assert_str_eq(b[1].stage, "route");
	ck_assert_str_eq(b[1].error, "it's[31m red'x'");
	free(b);

	/* sh reads the same values. */
	snprintf(path, sizeof(path), "%s/state", unit_dir);
	snprintf(cmd, sizeof(cmd),
		 ". '%s' && printf '%%s|%%s|%%s|%%s' \"$RAIL1_ERROR\" \"$RAIL1_PORT\" "
		 "\"$RAIL0_PORT\" "
		 "\"$RAILUP_TIME\"",
		 path);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(out, sizeof(out), f));
	ck_assert_int_eq(pclose(f), 0);
	ck_assert_ptr_nonnull(strrchr(out, '|'));
	/* The time stamp is the wall clock's, in seconds (clock.h). */
	stamp = atoll(strrchr(out, '|') + 1);
	ck_assert_int_ge(stamp, before);
	ck_assert_int_le(stamp, after);
	*strrchr(out, '|') = '\0';
	ck_assert_str_eq(out, "it's[31m red'x'|12|");
	railmap_free(&m);
}
END_TEST

/* Who wrote the state last: watch does nothing after down. */
START_TEST(test_state_by)
{
	struct railmap m;

	ck_assert(!state_by("down"));
	railmap_init(&m);
	ck_assert_int_eq(state_write(&m, BOOT_DISABLED, "down"), 0);
	ck_assert(state_by("down"));
	ck_assert(!state_by("apply"));
	ck_assert(!state_by("dow"));
	ck_assert_int_eq(state_write(&m, BOOT_OK, "watch"), 0);
	ck_assert(state_by("watch"));
	ck_assert(!state_by("down"));
	railmap_free(&m);
}
END_TEST

/* text with its RAILUP_TIME line replaced by line, in place (line no longer than it). */
static char *text_replace_time(char *text, const char *line)
{
	char *at = strstr(text, "\nRAILUP_TIME=") + 1, *end = strchr(at, '\n') + 1;

	ck_assert_uint_le(strlen(line), (size_t)(end - at));
	memcpy(at, line, strlen(line));
	memmove(at + strlen(line), end, strlen(end) + 1);
	return text;
}

/* A state that says what the file says is not written again, time and all. */
START_TEST(test_state_unchanged)
{
	struct railmap m;
	struct stat st;
	char *path = unit_path("state"), *text;
	ino_t ino;

	map_ok(&m, "rd.rail=ib0:10.0.1.14/24:10.0.1.1", NULL);
	m.rail[0].st.phase = RAIL_CONFIGURED;
	ck_assert_int_eq(state_write(&m, BOOT_OK, "apply"), 0);
	/* An earlier run's time: the file is as railup writes it otherwise. */
	text = unit_read("state");
	ck_assert_ptr_nonnull(strstr(text, "\nRAILUP_TIME="));
	unit_write("state", text_replace_time(text, "RAILUP_TIME=1\n"));
	free(text);
	ck_assert_int_eq(stat(path, &st), 0);
	ino = st.st_ino;

	ck_assert_int_eq(state_write(&m, BOOT_OK, "apply"), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_ino, ino);
	text = unit_read("state");
	ck_assert_ptr_nonnull(strstr(text, "\nRAILUP_TIME=1\n"));
	free(text);

	/* Anything else new: written, with the time now. */
	ck_assert_int_eq(state_write(&m, BOOT_OK, "boot"), 0);
	text = unit_read("state");
	ck_assert_ptr_null(strstr(text, "\nRAILUP_TIME=1\n"));
	ck_assert_ptr_nonnull(strstr(text, "RAILUP_BY='boot'"));
	free(text);
	m.rail[0].st.phase = RAIL_VERIFIED;
	ck_assert_int_eq(state_write(&m, BOOT_OK, "boot"), 0);
	text = unit_read("state");
	ck_assert_ptr_nonnull(strstr(text, "RAIL0_PHASE='verified'"));
	free(text);
	free(path);
	railmap_free(&m);
}
END_TEST

/*
 * apply reads the state once: its rails, its writer and the compare all
 * from one load, which reading the rails must leave as the file says.
 */
START_TEST(test_state_read_once)
{
	struct railmap m;
	struct state_file st;
	struct boot_record *b;
	struct stat sb;
	char *path = unit_path("state"), *text;
	unsigned n;
	ino_t ino;

	map_ok(&m, "rd.rail=ib0:10.0.1.14/24:10.0.1.1 rd.rail=ib1:10.0.2.14/24", NULL);
	m.rail[0].st.phase = RAIL_VERIFIED;
	m.rail[1].st.phase = RAIL_CONFIGURED;
	ck_assert_int_eq(state_write(&m, BOOT_OK, "apply"), 0);
	text = unit_read("state");
	unit_write("state", text_replace_time(text, "RAILUP_TIME=1\n"));
	free(text);
	ck_assert_int_eq(stat(path, &sb), 0);
	ino = sb.st_ino;

	report_state_load(unit_dir, &st);
	b = report_state_records(&st, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(b[0].phase, "verified");
	ck_assert_str_eq(b[1].name, "ib1");
	ck_assert_str_eq(b[1].phase, "configured");
	ck_assert(report_state_by(&st, "apply"));
	ck_assert_int_eq(report_state_write(unit_dir, &st, &m, BOOT_OK, "apply"), 0);
	report_state_free(&st);
	free(b);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_ino, ino);

	/* No file: no rails, no writer, and written. */
	ck_assert_int_eq(unlink(path), 0);
	report_state_load(unit_dir, &st);
	ck_assert_ptr_null(report_state_records(&st, &n));
	ck_assert_uint_eq(n, 0);
	ck_assert(!report_state_by(&st, "apply"));
	ck_assert_int_eq(report_state_write(unit_dir, &st, &m, BOOT_OK, "apply"), 0);
	report_state_free(&st);
	ck_assert_int_eq(stat(path, &sb), 0);
	free(path);
	railmap_free(&m);
}
END_TEST

/*
 * A rail left for later (apply, before udev is done with its netdev) is
 * told at notice level, or warning when required (apply then exits 1, and
 * -q must say why), and counted apart: no failure. A failure wins over it.
 */
START_TEST(test_outcome_absent)
{
	struct railmap m;

	map_ok(&m,
	       "rd.rail=ib0:10.0.1.14/24 rd.rail=ib1:10.0.2.14/24 "
	       "rd.rail=ib2:10.0.3.14/24,required=0",
	       NULL);
	m.rail[0].st.phase = RAIL_CONFIGURED;
	rail_absent(&m.rail[1], "plan", "udev has not finished with %s", "ib1");
	rail_absent(&m.rail[2], "plan", "udev has not finished with %s", "ib2");
	report_outcome(&m);
	ck_assert_int_eq(logcap_level("ib0: configured"), LOG_INFO);
	ck_assert_int_eq(logcap_level("ib1: plan: udev has not finished with ib1"), LOG_WARNING);
	ck_assert_int_eq(logcap_level("ib2: plan: udev has not finished with ib2"), LOG_NOTICE);
	ck_assert_int_eq(logcap_level("3 rails: 0 verified, 1 configured, 0 failed, 2 absent"),
			 LOG_NOTICE);
	ck_assert_uint_eq(logcap.errors, 0);
	ck_assert_int_eq(report_result(&m, RAIL_CONFIGURED), BOOT_FAILED);

	logcap_reset();
	rail_fail(&m.rail[1], "route", "no");
	rail_absent(&m.rail[1], "plan", "later");
	ck_assert_int_eq(m.rail[1].st.phase, RAIL_FAILED);
	report_outcome(&m);
	ck_assert_int_eq(logcap_level("ib1: route: no"), LOG_ERR);
	ck_assert_int_eq(logcap_level("3 rails: 0 verified, 1 configured, 1 failed, 1 absent"),
			 LOG_ERR);
	railmap_free(&m);
}
END_TEST

Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("report");

	tcase_add_checked_fixture(tc, unit_dir_setup, unit_dir_teardown);
	tcase_add_test(tc, test_state_round_trip);
	tcase_add_test(tc, test_state_by);
	tcase_add_test(tc, test_state_unchanged);
	tcase_add_test(tc, test_state_read_once);
	suite_add_tcase(s, tc);
	tc = tcase_create("outcome");
	tcase_add_checked_fixture(tc, logcap_setup, logcap_teardown);
	tcase_add_test(tc, test_outcome_absent);
	suite_add_tcase(s, tc);
	return s;
}
