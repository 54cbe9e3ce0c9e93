// SPDX-License-Identifier: GPL-2.0
/*
 * nsmon down / nsmon detach: undo what the ledger of a bridge records. down
 * removes everything (programs, links, namespaces); detach only the programs
 * and their counters, so a hand-built lab stays as it was. down --force
 * also removes, by name, what a lost or damaged ledger can no longer tell.
 */
#include <errno.h>
#include <string.h>

#include "cmd/cli.h"
#include "datapath/datapath.h"
#include "lab/ledger.h"
#include "undo/undo.h"
#include "util/log.h"

/* Every object still recorded (ones that could not be undone): --force forgets them. */
static void forget_all(struct ledger *lg)
{
	size_t n;

	ledger_objects(lg, &n);
	while (n--)
		ledger_forget(lg, n);
	ledger_forget_damage(lg);
}

/* --force forgets a pin the ledger names outside nsmon's directory without a word. */
static bool not_refused(const struct ledger_obj *o, void *data)
{
	return o->rec.kind != LEDGER_PIN || datapath_pin_path_ours(o->rec.pin.path);
}

/*
 * Say, in one line, that the ledger holds records nsmon could not read,
 * escaped (a damaged file may hold any bytes), and what to do.
 * Return: how many there are.
 */
static size_t report_damage(struct ledger *lg, const char *bridge, bool force)
{
	char excerpt[64];
	size_t line, n = ledger_damage(lg, &line, excerpt, sizeof(excerpt));

	if (!n)
		return 0;
	if (force)
		pr_info("%s: %zu unreadable record%s forgotten (line %zu: \"%s\")", ledger_path(lg), n,
			n == 1 ? "" : "s", line, excerpt);
	else
		pr_warn("%s: %zu unreadable record%s (line %zu: \"%s\"), kept: what %s may remain; nsmon down --force --bridge %s removes what it finds by name",
			ledger_path(lg), n, n == 1 ? "" : "s", line, excerpt,
			n == 1 ? "it named" : "they named", bridge);
	return n;
}

struct down_args {
	const char *bridge;
	bool force;
};

static const struct cli_option down_options[] = {
	CLI_OPTION("bridge", 0, CLI_IFNAME, struct down_args, bridge, .metavar = "NAME",
		   .def = DEFAULT_BRIDGE, .complete = CLI_COMPLETE_BRIDGE,
		   .help = "the lab's bridge"),
	CLI_OPTION("force", 0, CLI_FLAG, struct down_args, force,
		   .help = "a lost or damaged ledger: also remove what up would have made, by name"),
	CLI_END
};

static const struct cli_option detach_options[] = {
	CLI_OPTION("bridge", 0, CLI_IFNAME, struct down_args, bridge, .metavar = "NAME",
		   .def = DEFAULT_BRIDGE, .complete = CLI_COMPLETE_BRIDGE,
		   .help = "the lab's bridge"),
	CLI_END
};

static int undo(const struct down_args *a, bool attachments_only)
{
	const char *bridge = a->bridge;
	bool force = a->force;
	struct ledger *lg;
	int err, werr, maps_lock = -1;
	bool damaged;

	err = datapath_preflight();
	if (err)
		return cli_exit_code(err);

	/* --force takes the lock even with no ledger: what it removes by name is the lab's. */
	err = ledger_open_write(bridge, force ? 0 : LEDGER_EXISTING, &lg);
	if (!err && !ledger_exists(lg)) {
		err = undo_by_name(bridge);
		ledger_close(lg);
		datapath_release_pins(bridge, true, -1);
		return cli_exit_code(err);
	}
	if (err == -ENOENT) {
		pr_info("nsmon holds nothing on bridge \"%s\": nothing to do", bridge);
		datapath_release_pins(bridge, true, -1);
		return EXIT_OK;
	}
	if (err)
		return cli_exit_code(err);
	if (ledger_lost(lg) && !force) {
		undo_say_lost(lg, bridge);
		ledger_close(lg);
		return EXIT_FAIL;
	}
	damaged = report_damage(lg, bridge, force) > 0;

	/*
	 * Marked first, so that a down killed half-way is finished by the next
	 * command. A ledger that cannot be written says so once, here, and the
	 * lab still comes down.
	 */
	ledger_begin(lg, attachments_only ? LEDGER_OP_DETACH : LEDGER_OP_DOWN);
	/* Objects already gone (a half-built lab, `ip netns del` by hand) are fine. */
	if (attachments_only)
		err = undo_attachments(lg);
	else if (force)
		err = undo_objects(lg, not_refused, NULL);
	else	/* the last lab: its counters go with the maps */
		err = undo_lab(lg, datapath_last_lab(bridge, &maps_lock));
	if (force) {
		err = undo_by_name(bridge) ?: err;
		forget_all(lg);
	}
	werr = ledger_rewrite(lg);
	ledger_close(lg);
	datapath_release_pins(bridge, true, maps_lock);
	if (werr)
		return EXIT_FAIL;
	if (!err && damaged && !force)
		return EXIT_FAIL;
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
	.description = "Undo what the ledger of the bridge records: programs, counters, namespaces,\n"
		       "links. Succeeds on a half-built lab and when there is nothing to do. With\n"
		       "--force, a lost or damaged ledger: also remove, found by name, the bridge, its\n"
		       "ports veth-NS-br whose peer is veth-NS in namespace NS, those namespaces, and\n"
		       "the bridge's pins.",
	.options = down_options,
	.args_size = sizeof(struct down_args),
	.examples = "nsmon down\tthe seed lab\n"
		    "nsmon down --bridge br1\tanother lab\n"
		    "nsmon down --force\tthe seed lab, whatever its ledger says",
	.run = run_down,
};

const struct cli_command cmd_detach = {
	.name = "detach",
	.summary = "take off only the programs attach added, leave the lab",
	.description = "Remove only what attach added to a hand-built lab (a clsact qdisc that was\n"
		       "there before stays), so the lab is as it was.",
	.options = detach_options,
	.args_size = sizeof(struct down_args),
	.examples = "nsmon detach\tstop monitoring the lab of v-net-0",
	.run = run_detach,
};
