// SPDX-License-Identifier: GPL-2.0
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "sysctl.h"
#include "sysfs.h"
#include "text.h"

#ifndef RAILUP_VERSION
#define RAILUP_VERSION "0.1"
#endif

static const char usage[] =
	"Usage: railup [options] <command>\n"
	"\n"
	"Makes a multi-rail RDMA node's routing correct: per rail a routing table,\n"
	"a rule from its address, and ARP/rp_filter settings.\n"
	"\n"
	"Commands:\n"
	"  apply    install what the rail map asks for; remove what railup no longer wants\n"
	"  plan     print what apply would change, as ip/sysctl commands; change nothing\n"
	"  status   check every rail (rule, table, routing decision, sysctls); exit 1 on a fault\n"
	"  health   one line and exit 0 when every required rail is right, 1 when not\n"
	"           (for monitors: a Slurm HealthCheckProgram, say)\n"
	"  down     remove everything railup installed, restore what it changed\n"
	"  export networkd|nm DIR\n"
	"           write the map as systemd-networkd or NetworkManager files into DIR\n"
	"  boot     the boot pipeline: load modules, wait for each rail and configure it\n"
	"           as soon as it is ready, verify every rail (routing, RDMA CM), then\n"
	"           report to the kernel log, /run/railup/state and systemd\n"
	"  watch    stay running and apply again whenever a rail's link, address, route\n"
	"           or rule changes (a link taken down and up, a NIC re-probed)\n"
	"\n"
	"Options:\n"
	"  --cmdline FILE   read rd.rail= settings from FILE instead of /proc/cmdline\n"
	"  --conf FILE      read the rail map from FILE instead of /etc/railup.conf\n"
	"  --run-dir DIR    keep railup's records in DIR instead of /run/railup\n"
	"                   (its sysctl.d drop-in in DIR/sysctl.d)\n"
	"  --json           status as JSON\n"
	"  --metrics FILE   status, health, boot and watch also write node_exporter's\n"
	"                   textfile\n"
	"  --sysfs DIR      read sysfs from DIR instead of /sys (tests)\n"
	"  --kmsg           also log to the kernel log (boot does by default)\n"
	"  --no-kmsg        do not log to the kernel log\n"
	"  -q, --quiet      warnings and errors only\n"
	"  -v, --verbose    more detail\n"
	"  -h, --help       this text\n"
	"  -V, --version    the version\n"
	"\n"
	"Rail map (kernel command line or conf file, same grammar):\n"
	"  rd.rail=<name>:<address>/<prefixlen>[:<gateway>][,key=value...]\n"
	"  rd.rail.<key>=<value>   rd.rail=0\n"
	"See railup(8).\n";

static const struct {
	const char *name;
	int (*fn)(const struct opts *);
	enum log_kmsg kmsg; /* unless --kmsg or --no-kmsg says */
} commands[] = {
	/* clang-format off */
	{ "apply", cmd_apply, KMSG_OFF },
	{ "plan", cmd_plan, KMSG_OFF },
	{ "status", cmd_status, KMSG_OFF },
	{ "health", cmd_health, KMSG_OFF },
	{ "down", cmd_down, KMSG_OFF },
	{ "boot", cmd_boot, KMSG_UNLESS_JOURNAL },
	{ "watch", cmd_watch, KMSG_UNLESS_JOURNAL },
	{ "export", cmd_export, KMSG_OFF },
	/* clang-format on */
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cmdline", required_argument, NULL, 'c' },
		{ "conf", required_argument, NULL, 'f' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "sysfs", required_argument, NULL, 's' },
		{ "metrics", required_argument, NULL, 'm' },
		{ "kmsg", no_argument, NULL, 'k' },
		{ "no-kmsg", no_argument, NULL, 'K' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct opts o = {
		.cmdline = "/proc/cmdline",
		.conf = "/etc/railup.conf",
		.rundir = "/run/railup",
	};
	static char dropin_dir[4096];
	int level = LOG_INFO, c, kmsg = -1; /* an enum log_kmsg when given */

	opterr = 0;
	while ((c = getopt_long(argc, argv, "qvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o.cmdline = optarg;
			break;
		case 'f':
			o.conf = optarg;
			o.conf_given = true;
			break;
		case 'r':
			o.rundir = optarg;
			/* railup's file outside its run directory moves with it. */
			text_join(dropin_dir, sizeof(dropin_dir),
				  (const char *[]){ optarg, "/sysctl.d", NULL });
			sysctl_dropin_dir = dropin_dir;
			break;
		case 'j':
			o.json = true;
			break;
		case 's':
			sysfs_root = optarg;
			break;
		case 'm':
			o.metrics = optarg;
			break;
		case 'k':
			kmsg = KMSG_ON;
			break;
		case 'K':
			kmsg = KMSG_OFF;
			break;
		case 'q':
			level = LOG_WARNING;
			break;
		case 'v':
			level = LOG_DEBUG;
			break;
		case 'h':
			fputs(usage, stdout);
			return EXIT_OK;
		case 'V':
			puts("railup " RAILUP_VERSION);
			return EXIT_OK;
		default:
			fprintf(stderr,
				"railup: %s: unknown option or missing argument (see --help)\n",
				argv[optind - 1]);
			return EXIT_BAD;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "railup: which command? (see --help)\n");
		return EXIT_BAD;
	}
	o.args = argv + optind + 1;
	o.nargs = argc - optind - 1;
	if (o.nargs && strcmp(argv[optind], "export")) {
		fprintf(stderr, "railup: %s: %s takes no arguments (see --help)\n",
			quotes(argv[optind + 1]), argv[optind]);
		return EXIT_BAD;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[optind], commands[i].name)) {
			log_setup(kmsg < 0 ? commands[i].kmsg : (enum log_kmsg)kmsg, level);
			return commands[i].fn(&o);
		}
	fprintf(stderr, "railup: \"%s\": no such command (see --help)\n", argv[optind]);
	return EXIT_BAD;
}
