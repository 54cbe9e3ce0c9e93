// SPDX-License-Identifier: GPL-2.0
/* The labs a command is about: see lab_scope.h. */
#include <errno.h>
#include <string.h>

#include "lab/lab_scope.h"
#include "lab/ledger.h"
#include "util/log.h"

int lab_scope_check(const struct lab_scope *s)
{
	if (s->all && (s->nbridges || s->nnetns)) {
		pr_warn("--all takes no --bridge or -n: it is everything they would narrow");
		return -EINVAL;
	}
	return 0;
}

static bool listed(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

bool lab_scope_wants_bridge(const struct lab_scope *s, const char *name)
{
	struct ledger *lg;

	if (lab_scope_names_bridges(s))
		return listed(s->bridges, s->nbridges, name);
	if (ledger_open(name, &lg))
		return false;
	ledger_close(lg);
	return true;
}

int lab_scope_foreach_bridge(const struct lab_scope *s, int (*cb)(const char *bridge, void *data),
			     void *data)
{
	int err = 0;

	if (!lab_scope_names_bridges(s))
		return ledger_foreach_bridge(cb, data);
	for (size_t i = 0; !err && i < s->nbridges; i++) {
		/* "--bridge a --bridge a" is one lab, read once. */
		if (!listed(s->bridges, i, s->bridges[i]))
			err = cb(s->bridges[i], data);
	}
	return err;
}

bool lab_scope_wants_netns(const struct lab_scope *s, const char *name)
{
	return !lab_scope_names_netns(s) || (name && listed(s->netns, s->nnetns, name));
}

bool lab_scope_wants_port(const struct lab_scope *s, const struct lab_port *lp)
{
	return lab_scope_wants_netns(s, lp->netns ? lp->netns->name : NULL);
}
