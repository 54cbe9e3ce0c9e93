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
#include "util/validate.h"

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
 */
static void report_damage(struct ledger *lg, const char *bridge, bool force)
{
	char excerpt[64];
	size_t line, n = ledger_damage(lg, &line, excerpt, sizeof(excerpt));

	if (!n)
		return;
	if (force)
		pr_info("%s: %zu unreadable record%s forgotten (line %zu: \"%s\")", ledger_path(lg), n,
			n == 1 ? "" : "s", line, excerpt);
	else
		pr_warn("%s: %zu unreadable record%s (line %zu: \"%s\"), kept: what %s may remain; nsmon down --force --bridge %s removes what it finds by name",
			ledger_path(lg), n, n == 1 ? "" : "s", line, excerpt,
			n == 1 ? "it named" : "they named", bridge);
}

static int undo(int argc, char **argv, bool attachments_only)
{
	const char *bridge = DEFAULT_BRIDGE, *why;
	bool force = false;
	const struct cli_opt down_opts[] = {
		{ "--bridge", &bridge, NULL },
		{ "--force", NULL, &force },
		{ NULL },
	};
	const struct cli_opt detach_opts[] = { { "--bridge", &bridge, NULL }, { NULL } };
	struct ledger *lg;
	bool damaged;
	int first, ret, err, werr;

	ret = cli_parse(argc, argv, attachments_only ? detach_opts : down_opts, 0, &first);
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

	/* --force takes the lock even with no ledger: what it removes by name is the lab's. */
	err = ledger_open_write(bridge, force ? 0 : LEDGER_EXISTING, &lg);
	if (!err && !ledger_exists(lg)) {
		err = undo_by_name(bridge);
		ledger_close(lg);
		datapath_release_pins(bridge, true);
		return cli_exit_code(err);
	}
	if (err == -ENOENT) {
		pr_info("nsmon holds nothing on bridge \"%s\": nothing to do", bridge);
		datapath_release_pins(bridge, true);
		return EXIT_OK;
	}
	if (err)
		return cli_exit_code(err);
	if (ledger_lost(lg) && !force) {
		pr_warn("%s is empty: nsmon cannot tell what it made on bridge \"%s\"; nsmon down --force --bridge %s removes what it finds by name",
			ledger_path(lg), bridge, bridge);
		ledger_close(lg);
		return EXIT_FAIL;
	}
	damaged = ledger_damage(lg, NULL, NULL, 0) > 0;
	report_damage(lg, bridge, force);

	/*
	 * Marked first, so that a down killed half-way is finished by the next
	 * command. A ledger that cannot be written says so once, here, and the
	 * lab still comes down.
	 */
	ledger_begin(lg, attachments_only ? LEDGER_OP_DETACH : LEDGER_OP_DOWN);
	/* Objects already gone (a half-built lab, `ip netns del` by hand) are fine. */
	if (attachments_only)
		err = undo_attachments(lg);
	else
		err = undo_objects(lg, force ? not_refused : NULL, NULL);
	if (force) {
		err = undo_by_name(bridge) ?: err;
		forget_all(lg);
	}
	werr = ledger_rewrite(lg);
	ledger_close(lg);
	datapath_release_pins(bridge, true);
	if (werr)
		return EXIT_FAIL;
	if (!err && damaged && !force)
		return EXIT_FAIL;
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
