/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ledger: what nsmon made or attached for one bridge, in
 * /run/nsmon/BRIDGE.lab (mode 0600, the directory 0700), as a write-ahead
 * journal of typed records (ledger_record.h). An object's record is appended
 * and synced BEFORE the object is made (its intent), and a "done" record
 * follows once it exists, so a process killed at any instruction leaves a
 * ledger that names everything that may exist. A command that changes the
 * lab writes "begin OP" first and "commit" when it succeeded; the next
 * command finds an uncommitted one and finishes or undoes it (user/undo/).
 *
 * This module only stores: it reads and writes records and holds the lock.
 * Undoing what the records name is the undo layer's (user/undo/undo.h),
 * which sits above the modules that make things.
 *
 * Every command that changes a lab holds the bridge's exclusive flock (on
 * /run/nsmon/BRIDGE.lock) from before it reads the ledger until it is done;
 * readers hold it shared while they read.
 */
#ifndef NSMON_LEDGER_H
#define NSMON_LEDGER_H

#include <stdbool.h>
#include <stddef.h>

#include "lab/ledger_record.h"

#define NSMON_RUN_DIR	"/run/nsmon"

struct ledger;

/* An object the ledger records, and how far its making got. */
struct ledger_obj {
	struct ledger_rec rec;
	bool done;		/* a "done" record followed its intent */
	bool pending;		/* recorded by a command that never committed */
};

/**
 * ledger_open() - read the ledger of @bridge, holding its lock shared
 * while reading. Damaged records are left out (ledger_damage()).
 * Return: 0, -ENOENT if nsmon holds nothing on that bridge, or -errno.
 */
int ledger_open(const char *bridge, struct ledger **out);

enum ledger_open_flags {
	LEDGER_EXISTING = 1 << 0,	/* -ENOENT (lock released) when there is no ledger yet */
	LEDGER_NOWAIT = 1 << 1,		/* -EWOULDBLOCK rather than wait for another command */
};

/**
 * ledger_open_write() - take the exclusive lock of @bridge (waiting for any
 * other command on it, unless LEDGER_NOWAIT), then read its ledger, which
 * need not exist yet (ledger_exists()). Held until ledger_close(). Prints
 * its own error line but for -ENOENT and -EWOULDBLOCK.
 * Return: 0 or -errno.
 */
int ledger_open_write(const char *bridge, unsigned int flags, struct ledger **out);

/* Does the ledger file exist (it may still hold nothing: ledger_lost())? */
bool ledger_exists(const struct ledger *lg);

/*
 * A ledger that exists but holds no record at all (emptied by hand, or a
 * full disk): nsmon cannot tell what it made, which is not "nothing".
 */
bool ledger_lost(const struct ledger *lg);

/* Its path, for messages. */
const char *ledger_path(const struct ledger *lg);

/**
 * ledger_damage() - how many lines could not be read (0: none), the number
 * of the first one, and that line escaped for a message (ledger_escape()).
 */
size_t ledger_damage(const struct ledger *lg, size_t *first_line, char *excerpt, size_t size);

/* The objects, in the order they were recorded. */
const struct ledger_obj *ledger_objects(const struct ledger *lg, size_t *n);

/**
 * ledger_pending() - did a command begin and never commit (killed)? Its
 * objects are the ones marked pending. Return: true and @op set, or false.
 */
bool ledger_pending(const struct ledger *lg, enum ledger_op *op);

/* The subnet note `up` recorded: true and both set, or false. */
bool ledger_subnet(const struct ledger *lg, __u32 *network, int *prefixlen);

/* The ifindex of the root-namespace link @name the ledger records, or 0. */
int ledger_link_ifindex(const struct ledger *lg, const char *name);

/* Does the ledger hold any attachment (pin, qdisc, filter, keys)? */
bool ledger_has_attachments(const struct ledger *lg);

/*
 * Writing (ledger_open_write() only). Each append is one write() of whole
 * lines, synced before it returns; the first failure prints one line
 * naming the ledger, and every later write fails the same way.
 */

/* Start a command's changes: "begin OP" (creating the file, 0600, if need be). */
int ledger_begin(struct ledger *lg, enum ledger_op op);

/* The command succeeded: "commit". */
int ledger_commit(struct ledger *lg);

/* Record the subnet `up` numbers the lab in. */
int ledger_note_subnet(struct ledger *lg, __u32 network, int prefixlen);

/**
 * ledger_intend() - record that the object @rec is about to be made: gives
 * it its id (@rec->id), appends and syncs it. Make the object only after
 * this returned 0. Return: 0 or -errno.
 */
int ledger_intend(struct ledger *lg, struct ledger_rec *rec);

/* Object @id exists now (ledger_intend() gave the id). */
int ledger_done(struct ledger *lg, unsigned int id);

/* Object @id was not made after all (its making failed): forget it. */
int ledger_cancel(struct ledger *lg, unsigned int id);

/* Forget object @i of ledger_objects() (undone); ledger_rewrite() makes it so on disk. */
void ledger_forget(struct ledger *lg, size_t i);

/* Keep the lines that could not be read (ledger_damage()) out of ledger_rewrite(). */
void ledger_forget_damage(struct ledger *lg);

/**
 * ledger_rewrite() - write what the ledger still holds (its objects, the
 * subnet, the lines it could not read, as they were) to a new file that
 * replaces the old one at once; remove it when no object or damage is left.
 * A command that never committed counts as finished after this. Prints its
 * own error line. Return: 0 or -errno.
 */
int ledger_rewrite(struct ledger *lg);

/* Release the lock (the lock file goes too, once the ledger is gone) and free @lg. */
void ledger_close(struct ledger *lg);

/**
 * ledger_foreach_bridge() - call @cb for every bridge with a ledger, in name order.
 */
int ledger_foreach_bridge(int (*cb)(const char *bridge, void *data), void *data);

/**
 * ledger_lock_file() - flock /run/nsmon/@name (made, 0600, if need be),
 * shared or @exclusive, waiting for it: a lock of what all labs share. The
 * holder of an exclusive one may unlink the file; a waiter then locks the
 * new one. Return: 0 and the locked fd in @fd, or -errno.
 */
int ledger_lock_file(const char *name, bool exclusive, int *fd);

/**
 * ledger_parse() - the ledger held in @buf (@len bytes, a file's whole
 * content), for ledger_open() and the tests: any bytes are safe.
 * Return: 0 or -ENOMEM.
 */
int ledger_parse(const char *buf, size_t len, struct ledger **out);

#endif
