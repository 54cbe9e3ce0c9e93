// SPDX-License-Identifier: GPL-2.0
/*
 * nsmon down / nsmon detach: undo what the ledger of a bridge records. down
 * removes everything (programs, links, namespaces); detach only the programs
 * and their counters, so a hand-built lab stays as it was.
 */
#include <errno.h>
#include <string.h>

#include "cmd/cli.h"
#include "datapath/datapath.h"
#include "lab/ledger.h"
#include "util/log.h"

struct down_args {
	const char *bridge;
};

static const struct cli_option down_options[] = {
	CLI_OPTION("bridge", 0, CLI_IFNAME, struct down_args, bridge, .metavar = "NAME",
		   .def = DEFAULT_BRIDGE, .complete = CLI_COMPLETE_BRIDGE,
		   .help = "the lab's bridge"),
	CLI_END
};

static int undo(const struct down_args *a, bool attachments_only)
{
	const char *bridge = a->bridge;
	struct ledger *lg;
	int err;

	err = datapath_preflight();
	if (err)
		return cli_exit_code(err);

	err = ledger_open(bridge, &lg);
	if (err == -ENOENT) {
		pr_info("nsmon holds nothing on bridge \"%s\": nothing to do", bridge);
		datapath_release_pins(bridge, true);
		return EXIT_OK;
	}
	if (err) {
		pr_warn("cannot read the ledger of bridge \"%s\": %s", bridge, strerror(-err));
		return cli_exit_code(err);
	}
	/* Objects already gone (a half-built lab, `ip netns del` by hand) are fine. */
	err = ledger_undo(lg, attachments_only);
	ledger_close(lg);
	datapath_release_pins(bridge, true);
	return cli_exit_code(err);
}

static int run_down(const void *args, int noperands, char **operands)
{
	return undo(args, false);
}

static int run_detach(const void *args, int noperands, char **operands)
{
	return undo(args, true);
}

const struct cli_command cmd_down = {
	.name = "down",
	.summary = "remove everything up or attach made for a bridge",
	.description = "Undo what the ledger of the bridge records, in reverse order: programs,\n"
		       "links, namespaces. Succeeds on a half-built lab and when there is nothing to do.",
	.options = down_options,
	.args_size = sizeof(struct down_args),
	.examples = "nsmon down\tthe seed lab\n"
		    "nsmon down --bridge br1\tanother lab",
	.run = run_down,
};

const struct cli_command cmd_detach = {
	.name = "detach",
	.summary = "take off only the programs attach added, leave the lab",
	.description = "Remove only what attach added to a hand-built lab (a clsact qdisc that was\n"
		       "there before stays), so the lab is as it was.",
	.options = down_options,
	.args_size = sizeof(struct down_args),
	.examples = "nsmon detach\tstop monitoring the lab of v-net-0",
	.run = run_detach,
};
