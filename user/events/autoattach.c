// SPDX-License-Identifier: GPL-2.0
/* Attaching to ports that join a monitored bridge: see autoattach.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/if_link.h>

#include "events/autoattach.h"
#include "datapath/datapath.h"
#include "lab/ledger.h"
#include "undo/undo.h"
#include "lab/link.h"
#include "util/grow.h"
#include "util/log.h"
#include "lab/netns.h"
#include "nsmon.h"

/*
 * A port this process attached to, and what the ledger records for it (its
 * hooks, the counters of both ends), so that its deletion releases them.
 */
struct attached_port {
	char bridge[IF_NAMESIZE];
	char port[IF_NAMESIZE];
	int ifindex;
	__u64 host_cookie;
	__u64 peer_cookie;	/* 0: no peer counted */
	int peer_ifindex;
};

/*
 * A port waiting for its decision: at once, unless another nsmon holds its
 * bridge's lab (`nsmon up NS` creates its port, records it, then attaches,
 * all under the bridge's lock; two attachments would count every frame
 * twice): then again every RECHECK_US until the lock is free, when the port
 * has its hooks or is anyone's to attach. Nothing in the port's own netlink
 * messages tells `up`'s from one made by hand: both say "added", then
 * "enslaved", from nobody in particular.
 */
#define RECHECK_US	20000

struct waiting_port {
	char bridge[IF_NAMESIZE];
	char port[IF_NAMESIZE];
	int ifindex;
	__u64 due_us;
};

/*
 * The datapath programs, loaded for a bridge before its next port comes:
 * loading them takes 20-45 ms here, as long as everything else an attach
 * does, and a port enslaved by hand may be up and passing frames by then.
 */
struct loaded {
	char bridge[IF_NAMESIZE];
	struct datapath dp;
	bool ok;
};

struct autoattach {
	struct event_sink *sink;
	struct loaded *loaded;
	size_t nloaded, loaded_cap;
	struct waiting_port *waiting;
	size_t nwaiting;
	struct nl_sock *nl;
	int host_fd;
	struct attached_port *ports;
	size_t nports;
};

/*
 * The programs to attach to @bridge's ports with, loaded now or before and
 * still counting into the pinned maps (a `down` and `up` since make new ones).
 * Auto-attach uses clsact filters: a tcx link waits for an RCU grace period
 * per hook (20-30 ms here, two per port), a filter does not (1-4 ms for both).
 * Return: the datapath (its ledger @lg), or NULL after the error line.
 */
static struct datapath *datapath_for(struct autoattach *aa, const char *bridge, struct ledger *lg)
{
	struct loaded *l = NULL;

	for (size_t i = 0; i < aa->nloaded && !l; i++)
		if (!strcmp(aa->loaded[i].bridge, bridge))
			l = &aa->loaded[i];
	if (!l) {
		l = grow(aa->loaded, aa->nloaded, &aa->loaded_cap, sizeof(*l), 4);
		if (!l)
			return NULL;
		aa->loaded = l;
		l = &aa->loaded[aa->nloaded++];
		memset(l, 0, sizeof(*l));
		snprintf(l->bridge, sizeof(l->bridge), "%s", bridge);
	}
	if (l->ok && !datapath_maps_current(&l->dp)) {
		datapath_close(&l->dp);
		l->ok = false;
	}
	if (!l->ok) {
		l->ok = !datapath_open(&l->dp, bridge, aa->host_fd, TC_MODE_CLSACT, false, lg);
		/* Kept loaded between ports: it must not hold off the last lab's `down`. */
		if (l->ok)
			datapath_unlock_maps(&l->dp);
	}
	if (!l->ok)
		return NULL;
	l->dp.ledger = lg;
	return &l->dp;
}

/* Load the programs for a monitored bridge now, quietly: a failure says why when it matters. */
static int preload(const char *bridge, void *data)
{
	struct autoattach *aa = data;
	bool was_quiet = log_quiet(true);
	struct datapath *dp = datapath_for(aa, bridge, NULL);

	log_quiet(was_quiet);
	if (dp)
		dp->ledger = NULL;
	return 0;
}

int autoattach_open(struct event_sink *sink, struct autoattach **out)
{
	struct autoattach *aa = calloc(1, sizeof(*aa));

	if (!aa)
		return -ENOMEM;
	aa->sink = sink;
	aa->nl = nl_open();
	aa->host_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (!aa->nl || aa->host_fd < 0) {
		int err = -errno;

		pr_warn("cannot open rtnetlink or our namespace for auto-attach: %s", strerror(-err));
		autoattach_close(aa);
		return err;
	}
	ledger_foreach_bridge(preload, aa);
	*out = aa;
	return 0;
}

/* The peer of veth @port: its name, ifindex and named namespace, if it has one. */
struct peer {
	const struct ns_name *netns;	/* NULL: our namespace or an unnamed one */
	struct link_info info;
	int netns_fd;
};

static int find_peer(struct autoattach *aa, int ifindex, struct peer *peer)
{
	struct ns_names *names = aa->sink->names;
	struct link_info port;
	struct nl_sock *inner;
	int err;

	memset(peer, 0, sizeof(*peer));
	peer->netns_fd = -1;
	err = link_get_index(aa->nl, ifindex, &port);
	if (err || strcmp(port.kind, "veth") || !port.peer_ifindex)
		return err ?: -ENOENT;
	if (port.peer_netnsid < 0)
		return link_get_index(aa->nl, port.peer_ifindex, &peer->info);
	peer->netns = ns_names_by_nsid(names, port.peer_netnsid);
	if (!peer->netns) {
		aa->sink->refresh_names(aa->sink);
		peer->netns = ns_names_by_nsid(names, port.peer_netnsid);
	}
	if (!peer->netns)
		return -ENOENT;
	peer->netns_fd = netns_open(peer->netns->name);
	if (peer->netns_fd < 0)
		return peer->netns_fd;
	inner = nl_open_in(peer->netns_fd);
	err = inner ? link_get_index(inner, port.peer_ifindex, &peer->info) : -errno;
	nl_close(inner);
	return err;
}

/* Is @o a program of ours on @ifindex of the root namespace: a pin, a clsact qdisc or filter? */
static bool is_hook_of(const struct ledger_obj *o, int ifindex)
{
	const struct ledger_rec *r = &o->rec;

	switch (r->kind) {
	case LEDGER_PIN:
		return ledger_netns_ours(r->pin.netns) && r->pin.ifindex == ifindex;
	case LEDGER_QDISC:
		return ledger_netns_ours(r->qdisc.netns) && r->qdisc.ifindex == ifindex;
	case LEDGER_FILTER:
		return ledger_netns_ours(r->filter.netns) && r->filter.ifindex == ifindex;
	default:
		return false;
	}
}

/* Does port @ifindex have nsmon's programs: a tcx pin, or clsact filters? */
static bool has_hooks(const struct ledger *lg, int ifindex)
{
	const struct ledger_obj *objs;
	size_t n;

	objs = ledger_objects(lg, &n);
	for (size_t i = 0; i < n; i++)
		if (objs[i].rec.kind != LEDGER_QDISC && is_hook_of(&objs[i], ifindex))
			return true;
	return false;
}

/* Is @ifindex still a port of @bridge? A port may leave again before its decision. */
static bool still_port_of(struct autoattach *aa, int ifindex, const char *bridge)
{
	struct link_info port, br;

	return !link_get_index(aa->nl, ifindex, &port) && !link_get(aa->nl, bridge, &br) &&
	       port.master == br.ifindex;
}

/* This process's record of @port (@ifindex), or NULL. */
static struct attached_port *find_port(struct autoattach *aa, int ifindex, const char *port)
{
	for (size_t i = 0; i < aa->nports; i++)
		if (aa->ports[i].ifindex == ifindex && !strcmp(aa->ports[i].port, port))
			return &aa->ports[i];
	return NULL;
}

static void remember(struct autoattach *aa, const char *bridge, const char *port, int ifindex,
		     const struct peer *peer)
{
	struct ns_names *names = aa->sink->names;
	struct attached_port *v, *p = find_port(aa, ifindex, port);

	if (!p) {	/* attached again after a release: the same record */
		v = realloc(aa->ports, (aa->nports + 1) * sizeof(*v));
		if (!v)
			return;
		aa->ports = v;
		p = &v[aa->nports++];
	}
	memset(p, 0, sizeof(*p));
	snprintf(p->bridge, sizeof(p->bridge), "%s", bridge);
	snprintf(p->port, sizeof(p->port), "%s", port);
	p->ifindex = ifindex;
	p->host_cookie = names->host_cookie;
	if (peer->netns && peer->info.ifindex) {
		p->peer_cookie = peer->netns->cookie;
		p->peer_ifindex = peer->info.ifindex;
	}
}

static void emit_attach(struct autoattach *aa, enum event_attach_action action,
			const char *bridge, const char *port, int ifindex, const struct peer *peer,
			const struct event_baseline *before)
{
	struct nsmon_event ev = { .type = EVENT_ATTACH, .time_us = sink_now_us(aa->sink) };

	ev.attach.action = action;
	ev.attach.bridge = bridge;
	ev.attach.port = port;
	ev.attach.ifindex = ifindex;
	if (peer && peer->info.ifindex) {
		ev.attach.peer = peer->info.name;
		ev.attach.peer_netns = peer->netns ? peer->netns->name : NULL;
	}
	if (before) {
		ev.attach.has_baseline = true;
		ev.attach.before = *before;
	}
	sink_emit(aa->sink, &ev);
}

void autoattach_port(struct autoattach *aa, int ifindex, const char *ifname, const char *master)
{
	struct waiting_port *v, *w;

	v = realloc(aa->waiting, (aa->nwaiting + 1) * sizeof(*v));
	if (!v)
		return;
	aa->waiting = v;
	w = &v[aa->nwaiting++];
	snprintf(w->bridge, sizeof(w->bridge), "%s", master);
	snprintf(w->port, sizeof(w->port), "%s", ifname);
	w->ifindex = ifindex;
	w->due_us = sink_now_us(aa->sink);
}

/*
 * What the kernel counted on the port up to now: the frames that crossed it
 * before the programs did (the port counts both ends of its veth pair).
 * Read right after attaching, so nothing slips between: a frame at that
 * very moment may be in both.
 */
static bool baseline(struct autoattach *aa, int ifindex, struct event_baseline *before)
{
	struct rtnl_link_stats64 st;

	if (link_get_stats(aa->nl, ifindex, &st))
		return false;
	before->rx_packets = st.rx_packets;
	before->rx_bytes = st.rx_bytes;
	before->tx_packets = st.tx_packets;
	before->tx_bytes = st.tx_bytes;
	return true;
}

/* Look at @w again a moment later. */
static void recheck(struct autoattach *aa, const struct waiting_port *w)
{
	struct waiting_port *v = realloc(aa->waiting, (aa->nwaiting + 1) * sizeof(*v));

	if (!v)
		return;
	aa->waiting = v;
	v[aa->nwaiting] = *w;
	v[aa->nwaiting++].due_us = sink_now_us(aa->sink) + RECHECK_US;
}

/*
 * Attach to port @w and its @peer. A port that goes while this runs (a
 * script that enslaves and deletes at once) is no failure: its messages
 * are held back until it is known which it was.
 */
static int attach(struct autoattach *aa, const struct waiting_port *w, const struct peer *peer,
		  struct ledger *lg)
{
	struct datapath *dp;
	char *held = NULL;
	size_t len = 0;
	FILE *msgs = open_memstream(&held, &len);
	size_t mark;
	int err;

	if (msgs)
		log_capture(msgs);
	ledger_objects(lg, &mark);
	dp = datapath_for(aa, w->bridge, lg);
	/* No `down` of the last lab unpins the maps between the check and the attach. */
	err = dp ? datapath_lock_maps(dp) : -EINVAL;
	if (!err && !datapath_maps_current(dp))
		err = -ESTALE;	/* unpinned since it was loaded: the next port loads anew */
	if (!err)
		err = ledger_begin(lg, LEDGER_OP_AUTOATTACH);
	if (!err)
		err = datapath_attach_port(dp, aa->host_fd, w->port, w->ifindex);
	if (!err && peer->info.ifindex)
		err = datapath_attach_peer(dp, peer->netns ? peer->netns->name : NULL,
					   peer->netns ? peer->netns_fd : aa->host_fd,
					   peer->info.name, peer->info.ifindex, false);
	if (!err)
		err = ledger_commit(lg);
	if (dp) {
		datapath_unlock_maps(dp);
		dp->ledger = NULL;
	}
	if (err) {	/* what this attach made, taken off again */
		undo_since(lg, mark);
		ledger_rewrite(lg);
	}
	if (msgs) {
		log_capture(NULL);
		fclose(msgs);
		if (err && held && still_port_of(aa, w->ifindex, w->bridge))
			fputs(held, stderr);
		free(held);
	}
	return err;
}

static void decide(struct autoattach *aa, const struct waiting_port *w)
{
	struct event_baseline before;
	struct ledger *lg;
	struct peer peer;
	int err;

	/* `nsmon up NS` holds the lab: decide once it is done. */
	err = undo_open(w->bridge, LEDGER_EXISTING | LEDGER_NOWAIT, true, &lg);
	if (err == -EWOULDBLOCK) {
		recheck(aa, w);
		return;
	}
	if (err)
		return;		/* not a bridge nsmon monitors */
	if (!still_port_of(aa, w->ifindex, w->bridge)) {
		ledger_close(lg);
		return;		/* released already: autoattach_released() said so */
	}
	/* `nsmon up NS` and `nsmon attach` hook their ports as they make or find them. */
	if (has_hooks(lg, w->ifindex)) {
		ledger_close(lg);
		emit_attach(aa, EVENT_ATTACH_COUNTED, w->bridge, w->port, w->ifindex, NULL, NULL);
		return;
	}
	find_peer(aa, w->ifindex, &peer);
	err = attach(aa, w, &peer, lg);
	if (err) {
		if (still_port_of(aa, w->ifindex, w->bridge))
			pr_warn("cannot attach to new port %s of %s: %s", w->port, w->bridge,
				strerror(-err));
	} else {
		remember(aa, w->bridge, w->port, w->ifindex, &peer);
		emit_attach(aa, EVENT_ATTACH_ATTACHED, w->bridge, w->port, w->ifindex, &peer,
			    baseline(aa, w->ifindex, &before) ? &before : NULL);
	}
	if (peer.netns_fd >= 0)
		close(peer.netns_fd);
	ledger_close(lg);
}

void autoattach_tick(struct autoattach *aa)
{
	__u64 now = sink_now_us(aa->sink);

	for (size_t i = 0; i < aa->nwaiting;) {
		struct waiting_port w = aa->waiting[i];

		if (w.due_us > now) {
			i++;
			continue;
		}
		aa->waiting[i] = aa->waiting[--aa->nwaiting];
		decide(aa, &w);
	}
}

/* What the ledger records for a port this process attached to: its hooks and both ends' counters. */
static bool is_port_record(const struct ledger_obj *o, void *data)
{
	const struct attached_port *p = data;
	const struct ledger_rec *r = &o->rec;

	if (r->kind == LEDGER_KEYS)
		return (r->keys.cookie == p->host_cookie && r->keys.ifindex == p->ifindex) ||
		       (p->peer_cookie && r->keys.cookie == p->peer_cookie &&
			r->keys.ifindex == p->peer_ifindex);
	return is_hook_of(o, p->ifindex);
}

/* The programs of a port (@data: its ifindex and a count of them). */
struct port_hooks {
	int ifindex;
	int matched;
};

static bool is_hook_record(const struct ledger_obj *o, void *data)
{
	struct port_hooks *h = data;
	bool hook = is_hook_of(o, h->ifindex);

	h->matched += hook;
	return hook;
}

/* Is bridge @name gone (deleted, or its name taken by something else)? */
static bool bridge_gone(struct autoattach *aa, const char *name)
{
	struct link_info br;
	int err = link_get(aa->nl, name, &br);

	return err == -ENODEV || (!err && strcmp(br.kind, "bridge"));
}

void autoattach_released(struct autoattach *aa, int ifindex, const char *ifname,
			 const char *master)
{
	struct port_hooks h = { .ifindex = ifindex };
	struct ledger *lg;
	int err;

	/* Enslaved and released within the settling time: nothing to decide. */
	for (size_t i = 0; i < aa->nwaiting;) {
		if (aa->waiting[i].ifindex == ifindex && !strcmp(aa->waiting[i].bridge, master))
			aa->waiting[i] = aa->waiting[--aa->nwaiting];
		else
			i++;
	}
	if (ledger_open_write(master, LEDGER_EXISTING, &lg))
		return;		/* not a bridge nsmon monitors */
	err = undo_objects(lg, is_hook_record, &h);
	if (h.matched)
		err = ledger_rewrite(lg) ?: err;
	ledger_close(lg);
	/*
	 * A bridge that is deleted releases its ports first: what is left of
	 * its lab is `nsmon down`'s to undo, and nothing here went wrong.
	 */
	if (err && bridge_gone(aa, master))
		pr_debug("ports of %s, gone: %s left to nsmon down (%s)", master, ifname,
			 strerror(-err));
	else if (err)
		pr_warn("cannot take the programs off %s, released from %s: %s", ifname, master,
			strerror(-err));
	else if (h.matched)	/* its counters (and this process's record of it) stay */
		emit_attach(aa, EVENT_ATTACH_DETACHED, master, ifname, ifindex, NULL, NULL);
}

void autoattach_gone(struct autoattach *aa, int ifindex, const char *ifname)
{
	struct ledger *lg;

	/* Deleted before its decision: there is nothing to decide. */
	for (size_t i = 0; i < aa->nwaiting;) {
		if (aa->waiting[i].ifindex == ifindex && !strcmp(aa->waiting[i].port, ifname))
			aa->waiting[i] = aa->waiting[--aa->nwaiting];
		else
			i++;
	}
	for (size_t i = 0; i < aa->nports; i++) {
		struct attached_port *p = &aa->ports[i];

		if (p->ifindex != ifindex || strcmp(p->port, ifname))
			continue;
		/* The devices are gone, so are their programs: pins, filters and counters are left. */
		if (ledger_open_write(p->bridge, LEDGER_EXISTING, &lg) == 0) {
			undo_objects(lg, is_port_record, p);
			ledger_rewrite(lg);
			ledger_close(lg);
		}
		emit_attach(aa, EVENT_ATTACH_RELEASED, p->bridge, ifname, ifindex, NULL, NULL);
		*p = aa->ports[--aa->nports];
		return;
	}
}

void autoattach_close(struct autoattach *aa)
{
	if (!aa)
		return;
	for (size_t i = 0; i < aa->nloaded; i++)
		if (aa->loaded[i].ok)
			datapath_close(&aa->loaded[i].dp);
	free(aa->loaded);
	nl_close(aa->nl);
	if (aa->host_fd >= 0)
		close(aa->host_fd);
	free(aa->ports);
	free(aa->waiting);
	free(aa);
}
