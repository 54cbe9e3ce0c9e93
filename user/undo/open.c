// SPDX-License-Identifier: GPL-2.0
/*
 * A command's start on a lab (undo_open()): the ledger opened for writing, a
 * killed command's leftovers finished or undone, what is gone forgotten;
 * and what a command says of a ledger it cannot build on (undo_say_lost()).
 * Above undo.c and compact.c, which it runs in that order: see undo.h.
 */
#include "undo/undo.h"
#include "util/log.h"

void undo_say_lost(const struct ledger *lg, const char *bridge)
{
	pr_warn("%s is empty: nsmon cannot tell what it made on bridge \"%s\"; nsmon down --force --bridge %s removes what it finds by name",
		ledger_path(lg), bridge, bridge);
}

int undo_open(const char *bridge, unsigned int flags, bool compact, struct ledger **out)
{
	struct ledger *lg;
	bool pending;
	size_t before, after;
	int err;

	err = ledger_open_write(bridge, flags, &lg);
	if (err)
		return err;
	ledger_objects(lg, &before);
	pending = ledger_pending(lg, NULL);
	/* What fails to be undone here stays recorded: down tries again. */
	undo_recover(lg);
	if (compact && !ledger_lost(lg) && !ledger_damage(lg, NULL, NULL, 0))
		undo_compact(lg);
	ledger_objects(lg, &after);
	if (pending || after != before) {
		err = ledger_rewrite(lg);
		if (err) {
			ledger_close(lg);
			return err;
		}
	}
	*out = lg;
	return 0;
}
