// SPDX-License-Identifier: GPL-2.0
/* nsmon: build the red/blue namespace lab and count its traffic with tc programs. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "util/log.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "up",     cmd_up,     "[--bridge NAME] [--subnet CIDR] [--xdp] [--tc-mode auto|tcx|clsact] [NS ...]" },
	{ "down",   cmd_down,   "[--bridge NAME] [--force]" },
	{ "attach", cmd_attach, "[--bridge NAME] [--xdp] [--tc-mode auto|tcx|clsact]" },
	{ "detach", cmd_detach, "[--bridge NAME]" },
	{ "stats",  cmd_stats,  "[--json] [-n NS] [--bridge NAME] [--matrix]" },
	{ "export", cmd_export, "[--listen ADDR:PORT] [--bridge NAME]" },
	{ "events", cmd_events, "[--json] [--counters] [--type T,...] [--count N] [--timeout S] [--bridge NAME]" },
	{ "watch",  cmd_watch,  "[--interval S] [--bridge NAME]" },
	{ "ls",     cmd_ls,     "[--json] [-t TYPE]" },
	{ "explain", cmd_explain, "[--from NS] [--to NS|ADDR] [--ping] [--timeout S] [--json]" },
	{ "path",   cmd_path,   "[--from NS] [--to NS] [--proto icmp|tcp|udp|arp|any] [--count N] [--timeout S] [--json]" },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: nsmon [-v] COMMAND [ARGS]\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "       nsmon %-7s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "Exit codes: 0 ok, 1 failure, 2 usage, 3 not permitted, 4 conflict, 5 unsupported kernel\n");
}

int main(int argc, char **argv)
{
	int argi = 1;
	bool verbose = false;

	while (argi < argc && argv[argi][0] == '-') {
		if (!strcmp(argv[argi], "-v") || !strcmp(argv[argi], "--verbose")) {
			verbose = true;
		} else if (!strcmp(argv[argi], "-h") || !strcmp(argv[argi], "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else {
			pr_warn("unknown option \"%s\" (try nsmon --help)", argv[argi]);
			return EXIT_USAGE;
		}
		argi++;
	}
	log_init(verbose);
	if (argi >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[argi], commands[i].name))
			return commands[i].run(argc - argi, argv + argi);
	pr_warn("unknown command \"%s\" (try nsmon --help)", argv[argi]);
	return EXIT_USAGE;
}
