/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The labs a command is about, as the user chose them: one shape and one
 * set of answers for every command that observes (stats, watch, export,
 * web, events, capture, path, explain), so that --bridge, -n and --all mean
 * the same everywhere:
 *
 *   default       every lab nsmon monitors (each bridge with a ledger, its
 *                 ports, the namespaces behind them)
 *   --bridge NAME those labs only (repeatable)
 *   -n NS         only those namespaces of the labs, and the bridge ports
 *                 that peer into them (repeatable, like `ip -n`)
 *   --all         every monitored lab for the commands that read counters
 *                 or attach to a lab; the whole machine for the event stream
 *
 * Each command answers these questions of it; what "monitored" requires
 * (counters need a ledger, the event programs do not) is the command's.
 */
#ifndef NSMON_LAB_SCOPE_H
#define NSMON_LAB_SCOPE_H

#include <stdbool.h>
#include <stddef.h>

#include "lab/lab.h"

struct lab_scope {
	const char *const *bridges;	/* --bridge; none: every monitored lab */
	size_t nbridges;
	const char *const *netns;	/* -n; none: every namespace of the labs */
	size_t nnetns;
	bool all;			/* --all */
};

/**
 * lab_scope_check() - is @s one a user may ask for? --all takes no --bridge
 * or -n (it is everything they would narrow). Prints the one line that
 * says why not. Return: 0 or -EINVAL (a usage error).
 */
int lab_scope_check(const struct lab_scope *s);

/* Does @s name bridges (--bridge), rather than take every monitored one? */
static inline bool lab_scope_names_bridges(const struct lab_scope *s)
{
	return s && s->nbridges;
}

/* Does @s name namespaces (-n)? */
static inline bool lab_scope_names_netns(const struct lab_scope *s)
{
	return s && s->nnetns;
}

/**
 * lab_scope_wants_bridge() - is bridge @name one of @s's labs: named by
 * --bridge, or (none named) monitored by nsmon (it has a ledger)?
 */
bool lab_scope_wants_bridge(const struct lab_scope *s, const char *name);

/**
 * lab_scope_foreach_bridge() - call @cb on each bridge of @s: those named,
 * in the order given, or every monitored one (ledger order). Stops at the
 * first non-zero @cb return. Return: that, 0, or -errno listing them.
 */
int lab_scope_foreach_bridge(const struct lab_scope *s, int (*cb)(const char *bridge, void *data),
			     void *data);

/* Is the namespace named @name (NULL: none, or one without a name) in @s's -n? */
bool lab_scope_wants_netns(const struct lab_scope *s, const char *name);

/* Is port @lp of a lab of @s shown: its peer's namespace is one -n names (or no -n)? */
bool lab_scope_wants_port(const struct lab_scope *s, const struct lab_port *lp);

#endif
