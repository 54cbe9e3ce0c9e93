/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Undoing what a ledger records: one handler per kind of object, above the
 * modules that make them (datapath, lab's links and namespaces, the
 * counters), so that those modules only make things and record them, and
 * the ledger only stores. An object is undone only while it is still the
 * one nsmon made (a namespace by its inode and cookie, a link by its name
 * and ifindex, a pin by its path under /sys/fs/bpf/nsmon): anything else
 * of the same name is left alone. Gone already is fine.
 *
 * These change the ledger in memory (undone objects are forgotten, ones
 * that could not be undone stay for a later try); the caller writes it
 * with ledger_rewrite().
 */
#ifndef NSMON_UNDO_H
#define NSMON_UNDO_H

#include <stdbool.h>

#include "lab/ledger.h"

typedef bool (*undo_match_t)(const struct ledger_obj *obj, void *data);

/**
 * undo_objects() - undo the objects of @lg that @match accepts (NULL: all):
 * programs first, then namespaces, links, counters, each kind newest first;
 * a clsact qdisc or filter on a link it deletes goes with the link.
 * Prints one line for each object it could not undo.
 * Return: 0, or the first error met (undo goes on past it).
 */
int undo_objects(struct ledger *lg, undo_match_t match, void *data);

/**
 * undo_lab() - undo_objects() of all of @lg; with @maps_go (the caller holds
 * the maps' lock exclusive, @lg is the last lab, and the maps will be
 * unpinned: datapath_release_pins()) the counters are not forgotten one by
 * one, unless something else failed to go (63,000 bridge flows of a
 * 250-namespace lab take most of a second to delete).
 */
int undo_lab(struct ledger *lg, bool maps_go);

/* undo_objects() of the attachments only (detach: the lab itself stays). */
int undo_attachments(struct ledger *lg);

/* undo_objects() of the objects recorded from index @first on (a failed command's own). */
int undo_since(struct ledger *lg, size_t first);

/**
 * undo_recover() - finish what a command killed half-way left in @lg: the
 * rest of a down or detach; or undo what an up, attach or auto-attach made
 * before it could commit. Says so in one line when there was any.
 * Return: 0 or the first error met.
 */
int undo_recover(struct ledger *lg);

/**
 * undo_compact() - forget the objects that are gone from the kernel (a
 * namespace deleted by `ip netns del`, and with it its veth, the port's
 * programs and counters), clearing what they left (a pin of a link attached
 * to nothing, their counters), so that the ledger holds what exists and
 * their host addresses are free again. Return: 0 or -errno.
 */
int undo_compact(struct ledger *lg);

/**
 * undo_open() - what a command that changes the lab of @bridge starts with:
 * ledger_open_write() (@flags as there), then undo_recover() and, with
 * @compact, undo_compact(), the ledger rewritten if they changed it.
 * Return: 0 or -errno (printed, but for -ENOENT and -EWOULDBLOCK).
 */
int undo_open(const char *bridge, unsigned int flags, bool compact, struct ledger **out);

/*
 * undo_say_lost() - the one line for a lost (empty) ledger of @bridge, whose
 * objects undo cannot name: what `down --force` does instead.
 */
void undo_say_lost(const struct ledger *lg, const char *bridge);

/**
 * undo_by_name() - `down --force`, for a ledger that is lost or damaged:
 * remove what nsmon would have made for @bridge, found by name: the bridge,
 * each port veth-NS-br whose peer veth-NS is in the namespace NS (and that
 * namespace), their counters, and every pin under /sys/fs/bpf/nsmon/BRIDGE.
 * Return: 0 or the first error met.
 */
int undo_by_name(const char *bridge);

#endif
