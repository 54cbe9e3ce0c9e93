// SPDX-License-Identifier: GPL-2.0
/* nsmon: build the red/blue namespace lab and count its traffic with tc programs. */
#include <stdio.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/version.h"
#include "util/color.h"
#include "util/log.h"

int main(int argc, char **argv)
{
	const struct cli_command *cmd;
	struct cli_globals globals;
	bool help;
	int argi, ret;

	color_init(COLOR_AUTO);	/* NO_COLOR, for a usage error's line */
	ret = cli_parse_global(argc, argv, &globals, &argi, &help);
	if (ret != EXIT_OK)
		return ret;
	log_init(globals.verbose);
	color_init(globals.color);
	if (help) {
		cli_usage(stdout);
		return EXIT_OK;
	}
	if (globals.version)
		return version_print(stdout, false);
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
