// SPDX-License-Identifier: GPL-2.0
/*
 * nsmon help [COMMAND] [--json]: the command list, one command's help, or
 * every command's options as one JSON document, which the man page, the
 * shell completion and the documentation test are made from.
 */
#include "cmd/cli.h"
#include "util/log.h"

struct help_args {
	bool json;
};

static const struct cli_option help_options[] = {
	CLI_OPTION("json", 'j', CLI_FLAG, struct help_args, json,
		   .help = "every command and option as one JSON document"),
	CLI_END
};

static int run_help(const void *args, int noperands, char **operands)
{
	const struct help_args *a = args;
	const struct cli_command *cmd;

	if (a->json) {
		json_t *doc = cli_describe();

		cli_print_doc(doc, true, NULL);
		json_decref(doc);
		return EXIT_OK;
	}
	if (!noperands) {
		cli_usage(stdout);
		return EXIT_OK;
	}
	cmd = cli_find_command(operands[0]);
	if (!cmd) {
		pr_warn("help: unknown command \"%s\" (try nsmon --help)", operands[0]);
		return EXIT_USAGE;
	}
	cli_command_help(cmd, stdout);
	return EXIT_OK;
}

const struct cli_command cmd_help = {
	.name = "help",
	.summary = "this list, one command's help, or every option as JSON",
	.operands = "[COMMAND]",
	.max_operands = 1,
	.options = help_options,
	.args_size = sizeof(struct help_args),
	.examples = "nsmon help stats\tthe same as nsmon stats --help\n"
		    "nsmon help --json | jq '.commands[].name'\tthe commands, for tools",
	.unprivileged = true,
	.run = run_help,
};
