// SPDX-License-Identifier: GPL-2.0
/* nsmon: build the red/blue namespace lab and count its traffic with tc programs. */
#include <stdio.h>
#include <string.h>

#include "cmd/cli.h"
#include "util/log.h"

int main(int argc, char **argv)
{
	const struct cli_command *cmd;
	bool verbose = false;
	int argi = 1;

	while (argi < argc && argv[argi][0] == '-') {
		if (!strcmp(argv[argi], "-v") || !strcmp(argv[argi], "--verbose")) {
			verbose = true;
		} else if (!strcmp(argv[argi], "-h") || !strcmp(argv[argi], "--help")) {
			cli_usage(stdout);
			return EXIT_OK;
		} else {
			pr_warn("unknown option \"%s\" (try nsmon --help)", argv[argi]);
			return EXIT_USAGE;
		}
		argi++;
	}
	log_init(verbose);
	if (argi >= argc) {
		cli_usage(stderr);
		return EXIT_USAGE;
	}
	cmd = cli_find_command(argv[argi]);
	if (!cmd) {
		pr_warn("unknown command \"%s\" (try nsmon --help)", argv[argi]);
		return EXIT_USAGE;
	}
	return cli_run(cmd, argc - argi, argv + argi);
}
