// SPDX-License-Identifier: GPL-2.0
/* Undoing what a ledger records, one handler per kind: see undo.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datapath/counters.h"
#include "datapath/datapath.h"
#include "lab/link.h"
#include "lab/netns.h"
#include "undo/undo.h"
#include "util/fault.h"
#include "util/log.h"

/* What the handlers share, opened on first need. */
struct undo_ctx {
	struct nl_sock *nl;		/* the root namespace's rtnetlink */
	struct counters_maps maps;
	int maps_err;			/* 1: not opened yet; -ENOENT: no maps pinned */
};

static void ctx_init(struct undo_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->maps_err = 1;
}

static void ctx_close(struct undo_ctx *c)
{
	if (!c->maps_err)
		counters_close(&c->maps);
	bridge_flows_forget_done();
	nl_close(c->nl);
}

static struct nl_sock *ctx_nl(struct undo_ctx *c, int *err)
{
	if (!c->nl) {
		c->nl = nl_open();
		if (!c->nl) {
			*err = -errno;
			pr_warn("cannot open rtnetlink: %s", strerror(errno));
		}
	}
	return c->nl;
}

/* A name out of a ledger, safe to print whatever bytes it holds. */
static const char *shown(const char *name, char *buf, size_t size)
{
	ledger_escape(name, strlen(name), buf, size);
	return buf;
}

/* ---- one handler per kind ---------------------------------------------------- */

/*
 * A namespace is ours if both its inode and its cookie are the ones
 * recorded: the kernel reuses inode numbers of freed namespaces, never
 * cookies. One whose making was cut short may have left only its claim,
 * the empty file under /run/netns.
 */
static int undo_netns(struct undo_ctx *c, const struct ledger_obj *o)
{
	const char *name = o->rec.netns.name;
	__u64 inode, cookie;
	char text[80];
	int fd, err;

	if (!o->done && !netns_del_claim(name))
		return 0;
	fd = netns_open(name);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0) {
		pr_warn("cannot open namespace \"%s\": %s", shown(name, text, sizeof(text)),
			strerror(-fd));
		return fd;
	}
	err = netns_inode(fd, &inode) ?: netns_cookie(fd, &cookie);
	close(fd);
	if (!err && (inode != o->rec.netns.inode || cookie != o->rec.netns.cookie)) {
		pr_warn("namespace \"%s\" is no longer the one nsmon created: left alone",
			shown(name, text, sizeof(text)));
		return 0;
	}
	if (!err)
		err = netns_del(name);
	if (err && err != -ENOENT) {
		pr_warn("cannot delete namespace \"%s\": %s", shown(name, text, sizeof(text)),
			strerror(-err));
		return err;
	}
	return 0;
}

/* A link is ours while it has the name and ifindex recorded. Deleting a veth deletes its peer. */
static int undo_link(struct undo_ctx *c, const struct ledger_obj *o)
{
	const char *name = o->rec.link.name;
	struct link_info info;
	struct nl_sock *nl;
	int err = 0;

	nl = ctx_nl(c, &err);
	if (!nl)
		return err;
	err = link_get(nl, name, &info);
	if (err == -ENODEV)
		return 0;
	if (!err && info.ifindex != o->rec.link.ifindex) {
		pr_warn("link \"%s\" is no longer the one nsmon created: left alone", name);
		return 0;
	}
	if (!err)
		err = link_del(nl, info.ifindex);
	if (err && err != -ENODEV) {
		pr_warn("cannot delete link \"%s\": %s", name, nl_strerror(nl, err));
		return err;
	}
	return 0;
}

static int undo_pin(struct undo_ctx *c, const struct ledger_obj *o)
{
	char text[LEDGER_PATH_MAX];
	int err = datapath_unpin(o->rec.pin.path);

	if (err == -EPERM)
		pr_warn("refusing to remove \"%s\", which the ledger names: not a pin under %s (a damaged ledger: nsmon down --force forgets it)",
			shown(o->rec.pin.path, text, sizeof(text)), NSMON_PIN_ROOT);
	else if (err)
		pr_warn("cannot remove pin %s: %s", shown(o->rec.pin.path, text, sizeof(text)),
			strerror(-err));
	return err;
}

/* Where a clsact hook lives, for messages: "veth-red-br" or "ifindex 2 in red". */
static const char *hook_place(const char *netns, int ifindex, char *buf, size_t size)
{
	char text[80];

	snprintf(buf, size, "ifindex %d%s%s", ifindex, *netns ? " in " : "",
		 *netns ? shown(netns, text, sizeof(text)) : "");
	return buf;
}

static int undo_filter(struct undo_ctx *c, const struct ledger_obj *o)
{
	const typeof(o->rec.filter) *f = &o->rec.filter;
	int err = datapath_del_filter(f->netns, f->ifindex, f->egress, f->handle, f->prio);
	char where[128];

	if (err)
		pr_warn("cannot remove the tc filter of %s: %s",
			hook_place(f->netns, f->ifindex, where, sizeof(where)), strerror(-err));
	return err;
}

/* A qdisc whose making was cut short may be someone else's that was there: its record came first. */
static int undo_qdisc(struct undo_ctx *c, const struct ledger_obj *o)
{
	int err = datapath_del_qdisc(o->rec.qdisc.netns, o->rec.qdisc.ifindex);
	char where[128];

	if (err)
		pr_warn("cannot remove the clsact qdisc of %s: %s",
			hook_place(o->rec.qdisc.netns, o->rec.qdisc.ifindex, where, sizeof(where)),
			strerror(-err));
	return err;
}

static int undo_keys(struct undo_ctx *c, const struct ledger_obj *o)
{
	int err;

	if (c->maps_err == 1)
		c->maps_err = counters_open(&c->maps);
	if (c->maps_err == -ENOENT)
		return 0;	/* no maps pinned: no counters left to forget */
	err = c->maps_err;
	if (!err)
		err = counters_forget(&c->maps, o->rec.keys.cookie, o->rec.keys.ifindex);
	if (!err)
		err = bridge_flows_forget(o->rec.keys.cookie, o->rec.keys.ifindex);
	if (err)
		pr_warn("cannot forget the counters of ifindex %d: %s", o->rec.keys.ifindex,
			strerror(-err));
	return err;
}

/*
 * The order: the programs first (nothing counts after), then their
 * counters, then the namespaces and last the links, each kind newest first
 * (a filter before its qdisc).
 */
static const struct handler {
	int phase;
	int (*undo)(struct undo_ctx *c, const struct ledger_obj *o);
} handlers[LEDGER_NKINDS] = {
	[LEDGER_PIN] = { 0, undo_pin },
	[LEDGER_FILTER] = { 0, undo_filter },
	[LEDGER_QDISC] = { 0, undo_qdisc },
	[LEDGER_KEYS] = { 1, undo_keys },
	[LEDGER_NETNS] = { 2, undo_netns },
	[LEDGER_LINK] = { 3, undo_link },
};

#define NPHASES	4

int undo_objects(struct ledger *lg, undo_match_t match, void *data)
{
	const struct ledger_obj *objs;
	struct undo_ctx c;
	bool *undone;
	size_t n;
	int err = 0;

	objs = ledger_objects(lg, &n);
	undone = calloc(n ?: 1, sizeof(*undone));
	if (!undone)
		return -ENOMEM;
	ctx_init(&c);
	for (int phase = 0; phase < NPHASES; phase++) {
		for (size_t i = n; i-- > 0;) {
			const struct handler *h = &handlers[objs[i].rec.kind];
			int ret;

			if (!h->undo || h->phase != phase || (match && !match(&objs[i], data)))
				continue;
			ret = h->undo(&c, &objs[i]);
			if (ret) {
				err = err ?: ret;	/* kept, so that a later down can try again */
				continue;
			}
			undone[i] = true;
			fault_point();	/* undone, the ledger not rewritten yet */
		}
	}
	ctx_close(&c);
	for (size_t i = n; i-- > 0;)
		if (undone[i])
			ledger_forget(lg, i);
	free(undone);
	return err;
}

static bool is_attachment(const struct ledger_obj *o, void *data)
{
	return ledger_kind_is_attachment(o->rec.kind);
}

int undo_attachments(struct ledger *lg)
{
	return undo_objects(lg, is_attachment, NULL);
}

struct since {
	const struct ledger_obj *objs;
	size_t first;
};

static bool is_since(const struct ledger_obj *o, void *data)
{
	const struct since *s = data;

	return (size_t)(o - s->objs) >= s->first;
}

int undo_since(struct ledger *lg, size_t first)
{
	struct since s;
	size_t n;

	s.objs = ledger_objects(lg, &n);
	s.first = first;
	return undo_objects(lg, is_since, &s);
}

static bool is_pending(const struct ledger_obj *o, void *data)
{
	return o->pending;
}

int undo_recover(struct ledger *lg)
{
	enum ledger_op op;

	if (!ledger_pending(lg, &op))
		return 0;
	pr_info("%s: `nsmon %s` was interrupted there: %s", ledger_path(lg), ledger_op_name(op),
		op == LEDGER_OP_DOWN || op == LEDGER_OP_DETACH ? "finishing it" :
		"undoing what it made");
	switch (op) {
	case LEDGER_OP_DOWN:
		return undo_objects(lg, NULL, NULL);
	case LEDGER_OP_DETACH:
		return undo_attachments(lg);
	default:
		return undo_objects(lg, is_pending, NULL);
	}
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
