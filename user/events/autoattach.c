// SPDX-License-Identifier: GPL-2.0
/* Attaching to ports that join a monitored bridge: see autoattach.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "events/autoattach.h"
#include "datapath/datapath.h"
#include "lab/ledger.h"
#include "undo/undo.h"
#include "lab/link.h"
#include "util/log.h"
#include "lab/netns.h"
#include "nsmon.h"

/*
 * A port this process attached to, and what the ledger records for it (its
 * pins, the counters of both ends), so that its deletion releases them.
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
 * A port waiting for its decision. `nsmon up` enslaves a veth as it creates
 * it and attaches right after: waiting a moment lets its ledger say so.
 */
#define SETTLE_US	200000

struct waiting_port {
	char bridge[IF_NAMESIZE];
	char port[IF_NAMESIZE];
	int ifindex;
	__u64 due_us;
};

struct autoattach {
	struct event_stream *es;
	struct waiting_port *waiting;
	size_t nwaiting;
	struct nl_sock *nl;
	int host_fd;
	struct attached_port *ports;
	size_t nports;
};

int autoattach_open(struct event_stream *es, struct autoattach **out)
{
	struct autoattach *aa = calloc(1, sizeof(*aa));

	if (!aa)
		return -ENOMEM;
	aa->es = es;
	aa->nl = nl_open();
	aa->host_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
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
	struct ns_names *names = event_stream_names(aa->es);
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
		event_stream_refresh_names(aa->es);
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
		return !*r->pin.netns && r->pin.ifindex == ifindex;
	case LEDGER_QDISC:
		return !*r->qdisc.netns && r->qdisc.ifindex == ifindex;
	case LEDGER_FILTER:
		return !*r->filter.netns && r->filter.ifindex == ifindex;
	default:
		return false;
	}
}

/* Does @port (@ifindex) have nsmon's programs: a tcx pin, or clsact filters? */
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
	struct ns_names *names = event_stream_names(aa->es);
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

static void emit_attach(struct event_stream *es, const char *action, const char *bridge,
			const char *port, int ifindex, const struct peer *peer)
{
	const char *ns = peer && peer->netns ? peer->netns->name : NULL;

	event_emit(es, EVENT_ATTACH, event_now_us(),
		   json_pack("{s:s, s:s, s:s, s:i, s:o, s:o}", "action", action, "bridge", bridge,
			     "port", port, "ifindex", ifindex,
			     "peer", peer && peer->info.ifindex ? json_string(peer->info.name) : json_null(),
			     "peer_netns", ns ? json_string(ns) : json_null()),
		   "%s %s port %s%s%s%s%s", bridge, action, port,
		   peer && peer->info.ifindex ? " and its peer " : "",
		   peer && peer->info.ifindex ? peer->info.name : "", ns ? " in " : "", ns ? ns : "");
}

void autoattach_port(struct event_stream *es, int ifindex, const char *ifname, const char *master)
{
	struct autoattach *aa = event_stream_autoattach(es);
	struct waiting_port *v, *w;

	if (!aa)
		return;
	v = realloc(aa->waiting, (aa->nwaiting + 1) * sizeof(*v));
	if (!v)
		return;
	aa->waiting = v;
	w = &v[aa->nwaiting++];
	snprintf(w->bridge, sizeof(w->bridge), "%s", master);
	snprintf(w->port, sizeof(w->port), "%s", ifname);
	w->ifindex = ifindex;
	w->due_us = event_now_us() + SETTLE_US;
}

static void decide(struct autoattach *aa, int ifindex, const char *ifname, const char *master)
{
	struct event_stream *es = aa->es;
	struct datapath dp = {};
	struct ledger *lg;
	struct peer peer;
	size_t mark;
	int err;

	/* `nsmon up NS` holds the lab: decide once it is done. */
	err = undo_open(master, LEDGER_EXISTING | LEDGER_NOWAIT, true, &lg);
	if (err == -EWOULDBLOCK) {
		autoattach_port(es, ifindex, ifname, master);
		return;
	}
	if (err)
		return;		/* not a bridge nsmon monitors */
	if (!still_port_of(aa, ifindex, master)) {
		ledger_close(lg);
		return;		/* released already: autoattach_released() said so */
	}
	/* `nsmon up NS` and `nsmon attach` hook their ports as they make or find them. */
	if (has_hooks(lg, ifindex)) {
		ledger_close(lg);
		emit_attach(es, "counted", master, ifname, ifindex, NULL);
		return;
	}
	find_peer(aa, ifindex, &peer);
	ledger_objects(lg, &mark);
	err = datapath_open(&dp, master, aa->host_fd, TC_MODE_AUTO, false, lg);
	if (!err)
		err = ledger_begin(lg, LEDGER_OP_AUTOATTACH);
	if (!err)
		err = datapath_attach_port(&dp, aa->host_fd, ifname, ifindex);
	if (!err && peer.info.ifindex)
		err = datapath_attach_peer(&dp, peer.netns ? peer.netns->name : NULL,
					   peer.netns ? peer.netns_fd : aa->host_fd,
					   peer.info.name, peer.info.ifindex, false);
	if (!err)
		err = ledger_commit(lg);
	datapath_close(&dp);
	if (err) {
		pr_warn("cannot attach to new port %s of %s: %s", ifname, master, strerror(-err));
		undo_since(lg, mark);
		ledger_rewrite(lg);
	} else {
		remember(aa, master, ifname, ifindex, &peer);
		emit_attach(es, "attached", master, ifname, ifindex, &peer);
	}
	if (peer.netns_fd >= 0)
		close(peer.netns_fd);
	ledger_close(lg);
}

void autoattach_tick(struct event_stream *es)
{
	struct autoattach *aa = event_stream_autoattach(es);
	__u64 now = event_now_us();

	for (size_t i = 0; aa && i < aa->nwaiting;) {
		struct waiting_port w = aa->waiting[i];

		if (w.due_us > now) {
			i++;
			continue;
		}
		aa->waiting[i] = aa->waiting[--aa->nwaiting];
		decide(aa, w.ifindex, w.port, w.bridge);
	}
}

/* What the ledger records for a port this process attached to: its pins and both ends' counters. */
static bool is_port_record(const struct ledger_obj *o, void *data)
{
	const struct attached_port *p = data;
	const struct ledger_rec *r = &o->rec;

	if (r->kind == LEDGER_KEYS)
		return (r->keys.cookie == p->host_cookie && r->keys.ifindex == p->ifindex) ||
		       (p->peer_cookie && r->keys.cookie == p->peer_cookie &&
			r->keys.ifindex == p->peer_ifindex);
	return r->kind == LEDGER_PIN && is_hook_of(o, p->ifindex);
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

void autoattach_released(struct event_stream *es, int ifindex, const char *ifname,
			 const char *master)
{
	struct autoattach *aa = event_stream_autoattach(es);
	struct port_hooks h = { .ifindex = ifindex };
	struct ledger *lg;
	int err;

	if (!aa)
		return;
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
	if (err)
		pr_warn("cannot take the programs off %s, released from %s: %s", ifname, master,
			strerror(-err));
	else if (h.matched)	/* its counters (and this process's record of it) stay */
		emit_attach(es, "detached", master, ifname, ifindex, NULL);
}

void autoattach_gone(struct event_stream *es, int ifindex, const char *ifname)
{
	struct autoattach *aa = event_stream_autoattach(es);
	struct ledger *lg;

	for (size_t i = 0; aa && i < aa->nports; i++) {
		struct attached_port *p = &aa->ports[i];

		if (p->ifindex != ifindex || strcmp(p->port, ifname))
			continue;
		/* The devices are gone, so are their programs: pins and counters are left. */
		if (ledger_open_write(p->bridge, LEDGER_EXISTING, &lg) == 0) {
			undo_objects(lg, is_port_record, p);
			ledger_rewrite(lg);
			ledger_close(lg);
		}
		emit_attach(es, "released", p->bridge, ifname, ifindex, NULL);
		*p = aa->ports[--aa->nports];
		return;
	}
}

void autoattach_close(struct autoattach *aa)
{
	if (!aa)
		return;
	nl_close(aa->nl);
	if (aa->host_fd >= 0)
		close(aa->host_fd);
	free(aa->ports);
	free(aa->waiting);
	free(aa);
}
