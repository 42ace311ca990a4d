// SPDX-License-Identifier: GPL-2.0
/*
 * railup watch: the map kept in place after boot. A rail's link taken down
 * and up again loses its routes (the kernel flushes a down link's IPv4
 * routes, in every table): its rule then steers the rail's traffic into an
 * empty table, out by the main table's NIC, the very fault railup exists
 * for. A NIC reset or re-probed (a new netdev) loses everything. watch hears
 * the kernel's link, address, route and rule events and, once they settle,
 * runs a round: apply, in a child that holds the run lock for that round
 * alone, silent when there is nothing to do and after down; with metrics
 * asked for, every round writes them (a rail's carrier lost shows at once).
 */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "commands.h"
#include "log.h"
#include "report.h"
#include "wait.h"

#define SETTLE_MS     100    /* quiet for this long: events come in bursts */
#define SETTLE_MAX_MS 2000   /* but no longer under steady churn */
#define PAUSE_MIN_MS  1000   /* after a round that changed something */
#define PAUSE_MAX_MS  60000  /* rounds that keep changing things: someone undoes them */
#define IDLE_WAKE_MS  600000 /* poll's timeout is an int: wake now and then */
#define UDEV_MIN_MS   250    /* a rail left down for udev: look again, */
#define UDEV_MAX_MS   5000   /* less often the longer udev takes */

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* A round ends with its process: its lock, its memory, whatever a failure left. */
static int round_in_child(const struct opts *opt)
{
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		log_err("watch: fork: %s", strerror(errno));
		return EXIT_FAIL;
	}
	if (!pid)
		_exit(cmd_apply_round(opt));
	/* A stop asked meanwhile waits for the round: no rail is left half done. */
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return EXIT_FAIL;
	return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_FAIL;
}

/* Events read and dropped until SETTLE_MS pass without one, or until until. */
static void settle(int fd, uint64_t until)
{
	uint64_t t;

	do
		t = clock_ms() + SETTLE_MS;
	while (!stopping && wait_event(fd, t < until ? t : until));
}

/* Events read and dropped until until. */
static void drain(int fd, uint64_t until)
{
	while (!stopping && clock_ms() < until)
		wait_event(fd, until);
}

/* The next of min, 2 min, 4 min, ... max after v (0: none yet). */
static unsigned doubled(unsigned v, unsigned min, unsigned max)
{
	return !v ? min : v > max / 2 ? max : v * 2;
}

struct pacing {
	unsigned pause;	    /* after rounds that changed something, one after the other */
	unsigned wait_udev; /* while a rail is left down for udev */
	uint64_t next;	    /* a round then, events or not (0: only on events) */
};

/*
 * When the next round may come after one that ended with ret: after a change,
 * not before a pause (its own changes' events come meanwhile), doubling while
 * rounds keep finding the map undone, and then even without events.
 */
static void pace(struct pacing *pc, int ret)
{
	pc->wait_udev = ret == EXIT_UDEV ? doubled(pc->wait_udev, UDEV_MIN_MS, UDEV_MAX_MS) : 0;
	/* A map made bad meanwhile, or railup switched off, changed nothing either. */
	if (ret == EXIT_IDLE || ret == EXIT_UDEV || ret == EXIT_BAD || ret == EXIT_OFF) {
		pc->pause = 0;
		pc->next = pc->wait_udev ? clock_ms() + pc->wait_udev : 0;
		return;
	}
	pc->pause = doubled(pc->pause, PAUSE_MIN_MS, PAUSE_MAX_MS);
	if (pc->pause > PAUSE_MIN_MS)
		log_warn("watch: the rails changed again right after the last round: "
			 "the next one in %u s at the earliest",
			 pc->pause / 1000);
	pc->next = clock_ms() + pc->pause;
}

int cmd_watch(const struct opts *opt)
{
	const unsigned groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
				RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE |
				1u << (RTNLGRP_IPV4_RULE - 1) | 1u << (RTNLGRP_IPV6_RULE - 1);
	/* SA_RESTART for a round's child (its handler too): poll() ends all the same. */
	struct sigaction sa = { .sa_handler = on_stop, .sa_flags = SA_RESTART };
	struct pacing pc = { 0 };
	int fd, ret;

	if (!cmd_may_change())
		return EXIT_FAIL;
	/* Opened before the first round: nothing that happens after it is missed. */
	fd = wait_events_open(groups);
	if (fd < 0) {
		log_err("watch: netlink events: %s", strerror(errno));
		return EXIT_FAIL;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	ret = round_in_child(opt);
	if (ret == EXIT_BAD || ret == EXIT_OFF) {
		close(fd);
		return ret == EXIT_BAD ? EXIT_BAD : EXIT_OK;
	}
	pace(&pc, ret);
	log_notice("watch: keeping the map in place");
	report_notify("watching the rails");
	while (!stopping) {
		bool heard = wait_event(fd, pc.next ? pc.next : clock_ms() + IDLE_WAKE_MS);

		if (stopping || (!heard && (!pc.next || clock_ms() < pc.next)))
			continue;
		if (heard)
			settle(fd, clock_ms() + SETTLE_MAX_MS);
		drain(fd, pc.next);
		if (!stopping)
			pace(&pc, round_in_child(opt));
	}
	close(fd);
	log_notice("watch: stopped");
	return EXIT_OK;
}
