/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ledger: what nsmon created or attached for one bridge, one line per
 * object, in /run/nsmon/BRIDGE.lab. A line is written right after its object
 * exists, so `down` (and the rollback of a failed `up`) undoes exactly what
 * nsmon owns, in reverse order, even after a crash half-way.
 *
 *   netns NAME INODE COOKIE                a named namespace `up` made
 *   link NAME IFINDEX                      a root-namespace link `up` made
 *   pin PATH                               a pinned tcx/XDP link (unpin = detach)
 *   qdisc NETNS IFINDEX                    a clsact qdisc nsmon added (NETNS "-": root)
 *   filter NETNS IFINDEX DIR HANDLE PRIO   a clsact filter nsmon added
 *   keys COOKIE IFINDEX                    an interface nsmon counts (its counters go with the lab)
 *   subnet CIDR                            a note: the subnet `up` numbered the lab in
 */
#ifndef NSMON_LEDGER_H
#define NSMON_LEDGER_H

#include <stdbool.h>

#define NSMON_RUN_DIR	"/run/nsmon"

struct ledger;

/**
 * ledger_create() - start the ledger of @bridge; it must not exist.
 * Return: 0, -EEXIST if the bridge already has one, or -errno.
 */
int ledger_create(const char *bridge, struct ledger **out);

/**
 * ledger_open() - read the ledger of @bridge.
 * Return: 0, -ENOENT if nsmon holds nothing on that bridge, or -errno.
 */
int ledger_open(const char *bridge, struct ledger **out);

/* Record one object (printf-style line, see above). Return 0 or -errno. */
int ledger_add(struct ledger *lg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Does the ledger hold any attachment (pin, qdisc, filter)? */
bool ledger_has_attachments(const struct ledger *lg);

/* The ifindex of the root-namespace link @name the ledger records, or 0. */
int ledger_link_ifindex(const struct ledger *lg, const char *name);

/**
 * ledger_undo() - undo the objects in reverse order and forget them: all of
 * them, or with @attachments_only just the programs and their counters.
 * Objects that are already gone are fine; one that is no longer ours (a
 * namespace or link of that name with another identity) is left alone.
 * The file is rewritten with what remains, and removed when nothing does.
 * Return: 0, or the first error met (undo goes on past it).
 */
int ledger_undo(struct ledger *lg, bool attachments_only);

/* ledger_undo() of just the lines @match accepts (NULL: all). */
int ledger_undo_if(struct ledger *lg, bool (*match)(const char *line, void *data), void *data);

/* A point in the ledger, and undoing what was recorded after it (a failed `up` joining a lab). */
size_t ledger_mark(const struct ledger *lg);
int ledger_undo_since(struct ledger *lg, size_t mark);

/* How many lines of @kind ("netns", "link", ...) the ledger holds. */
size_t ledger_count(const struct ledger *lg, const char *kind);

/* The rest of the first line of @kind ("subnet" -> "192.168.15.0/24"), or NULL. */
const char *ledger_value(const struct ledger *lg, const char *kind);

/* Call @cb with the rest of each line of @kind, in order, until it returns non-zero (returned). */
int ledger_foreach(const struct ledger *lg, const char *kind,
		   int (*cb)(const char *rest, void *data), void *data);

void ledger_close(struct ledger *lg);

/**
 * ledger_foreach_bridge() - call @cb for every bridge with a ledger, in name order.
 */
int ledger_foreach_bridge(int (*cb)(const char *bridge, void *data), void *data);

#endif
