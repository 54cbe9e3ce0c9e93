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
#include "util/validate.h"

static int undo(int argc, char **argv, bool attachments_only)
{
	const char *bridge = DEFAULT_BRIDGE, *why;
	const struct cli_opt opts[] = { { "--bridge", &bridge, NULL }, { NULL } };
	struct ledger *lg;
	int first, ret, err;

	ret = cli_parse(argc, argv, opts, 0, &first);
	if (ret)
		return ret;
	why = ifname_check(bridge);
	if (why) {
		pr_warn("invalid bridge name \"%s\": %s", bridge, why);
		return EXIT_USAGE;
	}
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

int cmd_down(int argc, char **argv)
{
	return undo(argc, argv, false);
}

int cmd_detach(int argc, char **argv)
{
	return undo(argc, argv, true);
}
