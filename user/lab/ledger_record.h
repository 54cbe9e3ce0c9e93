/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One record of the ledger (ledger.h), typed: one struct per kind of object
 * nsmon makes, one writer that turns it into a line and one parser that
 * turns a line back, so the format has a single owner. A line is
 * "KIND FIELD...", fields separated by one space; a text field has every
 * byte outside '!'..'~', and '%', written as %XX, so a name with a space or
 * a control character survives, and an empty one is "-".
 *
 *   begin OP                                 a command starts changing the lab
 *   commit                                   ... and finished: what it recorded stands
 *   subnet A.B.C.D/LEN                       a note: the subnet `up` numbers the lab in
 *   netns ID NAME INODE COOKIE HOST          a named namespace, host address HOST of the subnet
 *   link ID NAME IFINDEX                     a root-namespace link (a veth: its peer goes with it)
 *   pin ID NETNS IFINDEX PATH                a pinned tcx/XDP link on IFINDEX (NETNS "-": ours)
 *   qdisc ID NETNS IFINDEX                   a clsact qdisc
 *   filter ID NETNS IFINDEX DIR HANDLE PRIO  a clsact filter, DIR ingress or egress
 *   keys ID NETNS COOKIE IFINDEX             an interface nsmon counts (its counters)
 *   done ID                                  object ID exists now
 *   cancel ID                                object ID was not made after all
 */
#ifndef NSMON_LEDGER_RECORD_H
#define NSMON_LEDGER_RECORD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>
#include <linux/types.h>

/*
 * The NETNS of a record about our own namespace: empty, which the file
 * spells "-" as it does every empty field. Not NETNS_HOST: a named namespace
 * may be called "host", none can be called "".
 */
#define LEDGER_NETNS_OURS	""

/* Is a record's NETNS our own namespace? */
static inline bool ledger_netns_ours(const char *netns)
{
	return !*netns;
}

/* The longest line the parser reads; a longer one is unreadable. */
#define LEDGER_LINE_MAX		2048
#define LEDGER_PATH_MAX		512
#define LEDGER_NETNS_MAX	(NAME_MAX + 1)

enum ledger_kind {
	LEDGER_BEGIN,
	LEDGER_COMMIT,
	LEDGER_SUBNET,
	LEDGER_NETNS,
	LEDGER_LINK,
	LEDGER_PIN,
	LEDGER_QDISC,
	LEDGER_FILTER,
	LEDGER_KEYS,
	LEDGER_DONE,
	LEDGER_CANCEL,
	LEDGER_NKINDS
};

/* The commands that change a lab, as a begin record names them. */
enum ledger_op {
	LEDGER_OP_UP,
	LEDGER_OP_ATTACH,
	LEDGER_OP_DETACH,
	LEDGER_OP_DOWN,
	LEDGER_OP_AUTOATTACH,
	LEDGER_NOPS
};

struct ledger_rec {
	enum ledger_kind kind;
	unsigned int id;	/* objects: their number in the ledger; done, cancel: the object's */
	union {
		enum ledger_op op;
		struct {
			__u32 network;	/* host byte order */
			int prefixlen;
		} subnet;
		struct {
			char name[LEDGER_NETNS_MAX];
			__u64 inode, cookie;	/* the identity: the kernel reuses inodes, never cookies */
			unsigned int host;	/* the host address it was given, 1-based */
		} netns;
		struct {
			char name[IF_NAMESIZE];
			int ifindex;
		} link;
		struct {
			char netns[LEDGER_NETNS_MAX];	/* "": the root namespace */
			int ifindex;
			char path[LEDGER_PATH_MAX];
		} pin;
		struct {
			char netns[LEDGER_NETNS_MAX];
			int ifindex;
		} qdisc;
		struct {
			char netns[LEDGER_NETNS_MAX];
			int ifindex;
			bool egress;
			__u32 handle, prio;
		} filter;
		struct {
			char netns[LEDGER_NETNS_MAX];
			__u64 cookie;
			int ifindex;
		} keys;
	};
};

/* Is @kind an object nsmon makes (netns ... keys), rather than a mark? */
bool ledger_kind_is_object(enum ledger_kind kind);

/* Is @kind a program attachment or its counters (what detach removes)? */
bool ledger_kind_is_attachment(enum ledger_kind kind);

/* "up", "attach", ... */
const char *ledger_op_name(enum ledger_op op);

/**
 * ledger_rec_format() - the line for @rec, without its newline, into @buf.
 * Return: its length, or -ENAMETOOLONG when it does not fit in @size (or in
 * LEDGER_LINE_MAX), -EINVAL for a kind or field the format cannot hold.
 */
int ledger_rec_format(const struct ledger_rec *rec, char *buf, size_t size);

/**
 * ledger_rec_parse() - read one line (@len bytes, no newline, any bytes) into @rec.
 * Return: 0, or -EINVAL when it is not exactly one record of a known kind
 * with every field in range.
 */
int ledger_rec_parse(const char *line, size_t len, struct ledger_rec *rec);

/**
 * ledger_escape() - @len bytes of @text for a message: printable ASCII as
 * it is, anything else as \xNN, cut at @size - 1 bytes ("..." marks a cut).
 * Never writes a control character, whatever @text holds.
 */
void ledger_escape(const char *text, size_t len, char *buf, size_t size);

#endif
