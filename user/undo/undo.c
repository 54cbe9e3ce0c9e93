// SPDX-License-Identifier: GPL-2.0
/* Undoing what a ledger records, one handler per kind: see undo.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "datapath/counters.h"
#include "datapath/datapath.h"
#include "lab/link.h"
#include "lab/netns.h"
#include "undo/undo.h"
#include "util/clock.h"
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

/* Return: what deleting the flows that undo_keys() collected met. */
static int ctx_close(struct undo_ctx *c)
{
	int err = bridge_flows_forget_done();

	if (err)
		pr_warn("cannot forget the lab's bridge flows: %s", strerror(-err));
	if (!c->maps_err)
		counters_close(&c->maps);
	nl_close(c->nl);
	return err;
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

/* A link is ours while it has the name and ifindex recorded. */
static const struct link_info *our_link(const struct link_list *l, const struct ledger_obj *o)
{
	const struct link_info *info = link_list_find(l, o->rec.link.ifindex);

	if (info && strcmp(info->name, o->rec.link.name)) {
		pr_warn("link \"%s\" is no longer the one nsmon created: left alone", o->rec.link.name);
		return NULL;
	}
	return info;
}

static int delete_link(struct nl_sock *nl, const struct ledger_obj *o)
{
	int err = link_del(nl, o->rec.link.ifindex);

	if (err && err != -ENODEV) {
		pr_warn("cannot delete link \"%s\": %s", o->rec.link.name, nl_strerror(nl, err));
		return err;
	}
	return 0;
}

/*
 * How long a namespace just unmounted may still show as alive (its mount is
 * freed after an RCU grace period), and how long the kernel may take to
 * tear down the dying ones.
 */
#define HELD_AFTER_MS	300
#define TEARDOWN_MS	10000

/*
 * The links, all at once. A veth whose peer lived in a namespace deleted
 * just before goes with that namespace: the kernel tears down the
 * namespaces it is handed together and unregisters all their devices in
 * one batch, a few grace periods for all of them, where deleting each veth
 * here costs grace periods of its own (5.6 s for 250). So those are waited
 * for, and deleted here only if their namespace stays alive (a process
 * still in it): its id, as the port reports its peer's, stays assigned.
 * The rest (the bridge, its ports by then gone) are deleted after them.
 */
static int undo_links(struct undo_ctx *c, const struct ledger_obj *objs, const size_t *idx,
		      size_t n, bool *undone, bool namespaces_deleted)
{
	struct link_list l = {};
	size_t waiting = 0;
	__u64 start_us = clock_monotonic_us();
	struct nl_sock *nl;
	int err = 0, ret;
	bool *wait;

	nl = ctx_nl(c, &err);
	if (!nl)
		return err;
	wait = calloc(n ?: 1, sizeof(*wait));
	err = wait ? link_list_read(nl, &l) : -ENOMEM;
	if (err) {
		pr_warn("cannot list the links: %s", strerror(-err));
		free(wait);
		link_list_free(&l);
		return err;
	}
	for (size_t k = 0; k < n; k++) {
		const struct link_info *info = our_link(&l, &objs[idx[k]]);

		if (!info) {
			undone[idx[k]] = true;	/* gone, or no longer ours */
			continue;
		}
		wait[k] = namespaces_deleted && !strcmp(info->kind, "veth");
		waiting += wait[k];
	}
	/* The bridge meanwhile: its grace periods overlap the namespaces' teardown. */
	for (size_t k = 0; k < n; k++) {
		if (undone[idx[k]] || wait[k])
			continue;
		ret = delete_link(nl, &objs[idx[k]]);
		if (!ret)
			undone[idx[k]] = true;
		err = err ?: ret;
	}
	while (waiting) {
		__u64 spent_ms = (clock_monotonic_us() - start_us) / 1000;
		bool late = spent_ms > HELD_AFTER_MS, over = spent_ms > TEARDOWN_MS;

		if (link_list_read(nl, &l))
			over = true;
		for (size_t k = 0; k < n; k++) {
			const struct link_info *info;

			if (!wait[k])
				continue;
			info = link_list_find(&l, objs[idx[k]].rec.link.ifindex);
			if (info && !over && (!late || info->peer_netnsid < 0))
				continue;	/* its namespace is being torn down */
			wait[k] = false;
			waiting--;
			ret = info ? delete_link(nl, &objs[idx[k]]) : 0;
			if (!ret)
				undone[idx[k]] = true;
			err = err ?: ret;
		}
		if (waiting)
			usleep(5000);
	}
	free(wait);
	link_list_free(&l);
	return err;
}

static int undo_pin(struct undo_ctx *c, const struct ledger_obj *o)
{
	char text[LEDGER_PATH_MAX];
	int err = datapath_unpin(o->rec.pin.path);

	if (err == -EPERM) {
		pr_warn("refusing to remove \"%s\", which the ledger names: not a pin under %s (a damaged ledger: nsmon down --force forgets it)",
			shown(o->rec.pin.path, text, sizeof(text)), NSMON_PIN_ROOT);
		return -EINVAL;	/* the ledger's fault, not a lack of privilege */
	}
	if (err)
		pr_warn("cannot remove pin %s: %s", shown(o->rec.pin.path, text, sizeof(text)),
			strerror(-err));
	return err;
}

/* Where a clsact hook lives, for messages: "veth-red-br" or "ifindex 2 in red". */
static const char *hook_place(const char *netns, int ifindex, char *buf, size_t size)
{
	bool ours = ledger_netns_ours(netns);
	char text[80];

	snprintf(buf, size, "ifindex %d%s%s", ifindex, ours ? "" : " in ",
		 ours ? "" : shown(netns, text, sizeof(text)));
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
		err = bridge_flows_forget(&c->maps, o->rec.keys.cookie, o->rec.keys.ifindex);
	if (err)
		pr_warn("cannot forget the counters of ifindex %d: %s", o->rec.keys.ifindex,
			strerror(-err));
	return err;
}

/*
 * The order: the programs first (nothing counts after), then the
 * namespaces, the links, and last the counters; each kind newest first (a
 * filter before its qdisc).
 */
static const struct handler {
	int phase;
	int (*undo)(struct undo_ctx *c, const struct ledger_obj *o);
} handlers[LEDGER_NKINDS] = {
	[LEDGER_PIN] = { 0, undo_pin },
	[LEDGER_FILTER] = { 0, undo_filter },
	[LEDGER_QDISC] = { 0, undo_qdisc },
	[LEDGER_NETNS] = { 1, undo_netns },
	[LEDGER_LINK] = { 2, NULL },	/* undo_links(), all at once */
	[LEDGER_KEYS] = { 3, undo_keys },
};

#define PHASE_LINKS	2
#define NPHASES		4

/*
 * A clsact qdisc or filter on a root-namespace link this same undo deletes
 * goes with the link: -1, or the link's index in @objs.
 */
static ssize_t rides_on(const struct ledger_obj *objs, const bool *selected, size_t n,
			const struct ledger_obj *o)
{
	const char *netns = o->rec.kind == LEDGER_QDISC ? o->rec.qdisc.netns :
			    o->rec.kind == LEDGER_FILTER ? o->rec.filter.netns : NULL;
	int ifindex = o->rec.kind == LEDGER_QDISC ? o->rec.qdisc.ifindex : o->rec.filter.ifindex;

	if (!netns || *netns)
		return -1;
	for (size_t k = 0; k < n; k++)
		if (selected[k] && objs[k].rec.kind == LEDGER_LINK &&
		    objs[k].rec.link.ifindex == ifindex)
			return (ssize_t)k;
	return -1;
}

/* undo_objects(), and with @maps_go the counters left to the maps' unpinning. */
static int undo_selected(struct ledger *lg, undo_match_t match, void *data, bool maps_go)
{
	const struct ledger_obj *objs;
	size_t n, nlinks = 0, *links;
	bool *undone, *selected, namespaces_deleted = false;
	ssize_t *rider;
	struct undo_ctx c;
	int err = 0, ret;

	objs = ledger_objects(lg, &n);
	undone = calloc(n ?: 1, sizeof(*undone));
	selected = calloc(n ?: 1, sizeof(*selected));
	rider = calloc(n ?: 1, sizeof(*rider));
	links = calloc(n ?: 1, sizeof(*links));
	if (!undone || !selected || !rider || !links) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		selected[i] = !match || match(&objs[i], data);
	for (size_t i = 0; i < n; i++)
		rider[i] = selected[i] ? rides_on(objs, selected, n, &objs[i]) : -1;
	ctx_init(&c);
	for (int phase = 0; phase < NPHASES; phase++) {
		if (phase == PHASE_LINKS) {
			for (size_t i = n; i-- > 0;)
				if (selected[i] && objs[i].rec.kind == LEDGER_LINK)
					links[nlinks++] = i;
			if (nlinks) {
				ret = undo_links(&c, objs, links, nlinks, undone, namespaces_deleted);
				err = err ?: ret;
				fault_point();
			}
			/* What rode on a link went with it, if it went. */
			for (size_t i = 0; i < n; i++)
				if (rider[i] >= 0)
					undone[i] = undone[rider[i]];
			continue;
		}
		for (size_t i = n; i-- > 0;) {
			const struct handler *h = &handlers[objs[i].rec.kind];

			if (!h->undo || h->phase != phase || !selected[i] || rider[i] >= 0)
				continue;
			/* All labs gone with this one: the maps go, counters and all. */
			if (objs[i].rec.kind == LEDGER_KEYS && maps_go && !err)
				ret = 0;
			else
				ret = h->undo(&c, &objs[i]);
			if (ret) {
				err = err ?: ret;	/* kept, so that a later down can try again */
				continue;
			}
			undone[i] = true;
			namespaces_deleted |= objs[i].rec.kind == LEDGER_NETNS;
			fault_point();	/* undone, the ledger not rewritten yet */
		}
	}
	ret = ctx_close(&c);
	err = err ?: ret;
	for (size_t i = n; i-- > 0;)
		if (undone[i])
			ledger_forget(lg, i);
out:
	free(undone);
	free(selected);
	free(rider);
	free(links);
	return err;
}

int undo_objects(struct ledger *lg, undo_match_t match, void *data)
{
	return undo_selected(lg, match, data, false);
}

int undo_lab(struct ledger *lg, bool maps_go)
{
	return undo_selected(lg, NULL, NULL, maps_go);
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
		return undo_lab(lg, false);
	case LEDGER_OP_DETACH:
		return undo_attachments(lg);
	default:
		return undo_objects(lg, is_pending, NULL);
	}
}
