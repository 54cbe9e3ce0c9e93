// SPDX-License-Identifier: GPL-2.0
/*
 * The event stream's hub: it owns the sources (tracepoints, rtnetlink, the
 * /run/netns watcher and reconciler, counters, auto-attach) and runs them on
 * one epoll loop; they hand it their events through the sink (sink.h),
 * which is all of the hub they know. Here each event is filtered (its type,
 * the scope), delivered to the consumer, and followed: a port that joins a
 * lab joins the scope and is auto-attached, a namespace that gets a name
 * has its links learned.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "events/autoattach.h"
#include "events/event_counters.h"
#include "events/event_rtnl.h"
#include "events/event_tracers.h"
#include "events/events.h"
#include "events/netns_watch.h"
#include "events/scope.h"
#include "events/sink.h"
#include "lab/lab.h"
#include "lab/netns.h"
#include "util/clock.h"
#include "util/log.h"

#define CONSUME_MS_DEFAULT	5

struct event_stream {
	struct event_opts opts;
	struct event_sink sink;
	struct ns_names names;
	struct nl_sock *nl;		/* gives new named namespaces an nsid; finds labs */
	struct event_scope *scope;	/* NULL: the whole machine */
	struct event_tracers *tracers;
	struct event_rtnl *rtnl;
	struct netns_watch *watch;
	struct autoattach *autoattach;
	struct counter_source *counters;
	int epoll_fd;
	__u64 next_consume_us, next_reconcile_us, next_counters_us;
	/* The consumer, while event_stream_poll() or _report_lost() runs. */
	event_cb cb;
	void *cb_data;
	int delivered;
};

static struct event_stream *of_sink(struct event_sink *sink)
{
	return (struct event_stream *)((char *)sink - offsetof(struct event_stream, sink));
}

/* ---- the scope, asked of each event ----------------------------------------- */

static bool host_link(const struct event_stream *es, const struct event_link *l)
{
	return l->netns_cookie && l->netns_cookie == es->names.host_cookie;
}

/* The namespace a port's veth peer is in, as far as the names know it now. */
static void peer_of(struct event_stream *es, const struct event_link *l, bool refresh,
		    struct scope_peer *peer)
{
	const struct ns_name *n;

	memset(peer, 0, sizeof(*peer));
	peer->ifindex = l->peer_ifindex;
	if (!l->peer_ifindex)
		return;
	if (l->peer_nsid < 0) {
		peer->cookie = es->names.host_cookie;
		return;
	}
	n = ns_names_by_nsid(&es->names, l->peer_nsid);
	if (!n && refresh) {
		es->sink.refresh_names(&es->sink);
		n = ns_names_by_nsid(&es->names, l->peer_nsid);
	}
	if (n) {
		peer->cookie = n->cookie;
		peer->netns = n->name;
	}
}

/* A link of ours that becomes a port (as it is made, or later): of which bridge? */
static bool becomes_port(const struct event_stream *es, const struct event_link *l)
{
	return host_link(es, l) && l->master &&
	       (l->action == EVENT_LINK_ENSLAVED || l->action == EVENT_LINK_ADDED);
}

static bool link_in_scope(struct event_stream *es, const struct event_link *l)
{
	struct scope_peer peer;

	if (scope_has(es->scope, l->netns_cookie, l->where.ifindex))
		return true;
	if (l->action == EVENT_LINK_MOVED && scope_has(es->scope, l->to_cookie, l->to.ifindex))
		return true;
	/* A lab's new port or bridge is news from its first event on (it joins after it). */
	if (becomes_port(es, l) && scope_wants_bridge(es->scope, l->master)) {
		peer_of(es, l, false, &peer);
		return scope_port_allowed(es->scope, peer.netns);
	}
	return host_link(es, l) && l->action == EVENT_LINK_ADDED && !strcmp(l->kind, "bridge") &&
	       scope_port_allowed(es->scope, NULL) && scope_wants_bridge(es->scope, l->where.ifname);
}

/*
 * Is @ev in the scope? The tracepoints' events are: the kernel asked the
 * scope map before it sent them. "lost" is about the stream itself.
 */
static bool in_scope(struct event_stream *es, const struct nsmon_event *ev)
{
	const struct event_attach *a = &ev->attach;

	if (!es->scope)
		return true;
	switch (ev->type) {
	case EVENT_NETNS:
		return scope_has_netns(es->scope, ev->netns.name);
	case EVENT_LINK:
		return link_in_scope(es, &ev->link);
	case EVENT_ADDR:
		return scope_has(es->scope, ev->addr.netns_cookie, ev->addr.where.ifindex);
	case EVENT_COUNTERS:
		return strcmp(ev->counters.netns, NETNS_HOST) ?
		       scope_has_netns(es->scope, ev->counters.netns) :
		       scope_has_host_link(es->scope, ev->counters.ifname);
	case EVENT_ATTACH:
		return scope_has_bridge(es->scope, a->bridge) &&
		       (scope_port_allowed(es->scope, a->peer_netns) ||
			scope_has_host_link(es->scope, a->port));
	default:
		return true;
	}
}

static bool wanted(const struct event_stream *es, const struct nsmon_event *ev)
{
	const struct event_opts *o = &es->opts;

	if (ev->type == EVENT_LOST)
		return true;
	return (!o->types || (o->types & (1U << ev->type))) && event_filter_match(&o->filter, ev);
}

/* ---- following the lab ------------------------------------------------------- */

static void port_joined(struct event_stream *es, const struct event_link *l)
{
	struct scope_peer peer;

	if (es->scope && scope_wants_bridge(es->scope, l->master)) {
		peer_of(es, l, true, &peer);
		if (!scope_has_bridge(es->scope, l->master))
			scope_bridge_seen(es->scope, l->master, l->master_ifindex);
		scope_port_joined(es->scope, l->master_ifindex, l->where.ifindex, l->where.ifname,
				  &peer);
	}
	if (es->autoattach)
		autoattach_port(es->autoattach, l->where.ifindex, l->where.ifname, l->master);
}

/* What a link event changes in the lab: ports join and leave, bridges come and go. */
static void follow_link(struct event_stream *es, const struct event_link *l)
{
	struct scope_peer to = { .cookie = l->to_cookie, .netns = l->to.netns,
				 .ifindex = l->to.ifindex };
	bool host = host_link(es, l);

	switch (l->action) {
	case EVENT_LINK_ADDED:
		if (host && es->scope && !strcmp(l->kind, "bridge") &&
		    scope_wants_bridge(es->scope, l->where.ifname))
			scope_bridge_seen(es->scope, l->where.ifname, l->where.ifindex);
		if (becomes_port(es, l))
			port_joined(es, l);
		break;
	case EVENT_LINK_ENSLAVED:
		if (host)
			port_joined(es, l);
		break;
	/* Auto-attach says "detached" or "released" while the port is still in the scope. */
	case EVENT_LINK_RELEASED:
		if (host && es->autoattach)
			autoattach_released(es->autoattach, l->where.ifindex, l->where.ifname, l->from);
		if (host && es->scope)
			scope_link_left(es->scope, l->where.ifindex);
		break;
	case EVENT_LINK_DELETED:
		if (host && es->autoattach)
			autoattach_gone(es->autoattach, l->where.ifindex, l->where.ifname);
		if (host && es->scope)
			scope_link_left(es->scope, l->where.ifindex);
		break;
	case EVENT_LINK_MOVED:
		if (es->scope)
			scope_link_moved(es->scope, l->netns_cookie, l->where.ifindex, &to);
		break;
	default:
		break;
	}
}

/* The sink's emit: filter, deliver, then follow what the event changed. */
static void hub_emit(struct event_sink *sink, struct nsmon_event *ev)
{
	struct event_stream *es = of_sink(sink);

	if (es->cb && wanted(es, ev) && in_scope(es, ev)) {
		es->cb(ev, es->cb_data);
		es->delivered++;
		/* The reconciler follows what it was shown created, to say when it is gone. */
		if (ev->type == EVENT_NS && ev->ns.action == EVENT_NS_CREATED && es->watch)
			netns_watch_track(es->watch, ev->ns.ns_type, ev->ns.inode);
	}
	if (ev->type == EVENT_LINK)
		follow_link(es, &ev->link);
	else if (ev->type == EVENT_NETNS && ev->netns.action == EVENT_NETNS_ADDED && es->rtnl)
		event_rtnl_learn(es->rtnl, ev->netns.name);
}

static __u64 hub_now_us(struct event_sink *sink)
{
	return clock_realtime_us();
}

static void hub_refresh_names(struct event_sink *sink)
{
	struct event_stream *es = of_sink(sink);

	ns_names_refresh(&es->names, es->nl);
}

/* ---- the stream ------------------------------------------------------------- */

static bool wants_any(const struct event_opts *opts, unsigned int types)
{
	return !opts->types || (opts->types & types);
}

#define TRACER_TYPES	((1U << EVENT_NS) | (1U << EVENT_NEIGH) | (1U << EVENT_FDB) | \
			 (1U << EVENT_DROP))
#define RTNL_TYPES	((1U << EVENT_LINK) | (1U << EVENT_ADDR) | (1U << EVENT_ATTACH))

struct find_labs {
	struct event_stream *es;
	bool named;		/* --bridge: one that is not there is an error */
};

/* Take bridge @bridge's lab into the scope, as it is now. */
static int add_lab(const char *bridge, void *data)
{
	struct find_labs *f = data;
	bool was_quiet = log_quiet(!f->named);
	struct lab lab;
	int err;

	err = lab_discover(f->es->nl, bridge, &lab);
	log_quiet(was_quiet);
	if (err)	/* a monitored bridge that is gone: it may come back */
		return f->named ? err : 0;
	scope_add_lab(f->es->scope, &lab);
	lab_free(&lab);
	return 0;
}

static int open_scope(struct event_stream *es)
{
	struct find_labs f = { .es = es, .named = lab_scope_names_bridges(&es->opts.scope) };

	es->scope = scope_new(&es->opts, es->names.host_cookie);
	if (!es->scope)
		return -ENOMEM;
	return scope_foreach_wanted(es->scope, add_lab, &f);
}

static int watch_fd(struct event_stream *es, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(es->epoll_fd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

int event_stream_open(const struct event_opts *opts, struct event_stream **out)
{
	struct event_stream *es = calloc(1, sizeof(*es));
	int err;

	if (!es)
		return -ENOMEM;
	es->opts = *opts;
	opts = &es->opts;
	if (!es->opts.consume_ms)
		es->opts.consume_ms = CONSUME_MS_DEFAULT;
	/*
	 * A filter judges packets and addresses: the sources of nothing else
	 * need not run. (Never 0, which would be every type: "lost" stays.)
	 */
	if (!nsmon_filter_is_empty(&opts->filter))
		es->opts.types = ((opts->types ?: EVENT_ALL_TYPES) & EVENT_FILTERED_TYPES) |
				 1U << EVENT_LOST;
	es->sink = (struct event_sink){
		.emit = hub_emit, .now_us = hub_now_us, .refresh_names = hub_refresh_names,
		.names = &es->names,
	};
	es->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (es->epoll_fd < 0) {
		err = -errno;
		goto err;
	}
	/* Every named namespace gets an nsid here, so rtnetlink reports its links. */
	es->nl = nl_open();
	if (!es->nl) {
		err = -errno;
		pr_warn("cannot open rtnetlink: %s", strerror(-err));
		goto err;
	}
	ns_names_refresh(&es->names, es->nl);
	if (!opts->scope.all) {
		err = open_scope(es);
		if (err)
			goto err;
	}
	err = netns_watch_open(&es->sink, &es->watch) ?: watch_fd(es, netns_watch_fd(es->watch));
	if (err)
		goto err;
	if (wants_any(opts, TRACER_TYPES)) {
		err = event_tracers_open(&es->sink, opts, &es->tracers);
		if (!err && es->scope)
			err = scope_bind_map(es->scope, event_tracers_scope_fd(es->tracers));
		if (err)
			goto err;
	}
	/* The scope follows the lab by its links, whatever the types asked for. */
	if (wants_any(opts, RTNL_TYPES) || opts->auto_attach || es->scope) {
		if (opts->auto_attach) {
			err = autoattach_open(&es->sink, &es->autoattach);
			if (err)
				goto err;
		}
		err = event_rtnl_open(&es->sink, &es->rtnl) ?: watch_fd(es, event_rtnl_fd(es->rtnl));
		if (err)
			goto err;
	}
	if (opts->counters_ms) {
		es->counters = counter_source_new(&es->sink);
		if (!es->counters) {
			err = -ENOMEM;
			goto err;
		}
	}
	*out = es;
	return 0;
err:
	event_stream_close(es);
	return err;
}

/* The sources that run on timers: the ring, counters, auto-attach, the reconciler. */
/*
 * A drain that found FLOOD_RECORDS or more comes back after FLOOD_CONSUME_US
 * rather than the default 5 ms: the default ring (256 KiB) holds ~1,700
 * records, 4 ms of a 400 k/s flood of drops. A longer --consume-ms is kept
 * to as asked.
 */
#define FLOOD_RECORDS		256
#define FLOOD_CONSUME_US	1000

static void run_timers(struct event_stream *es, __u64 now, bool drain)
{
	if (now >= es->next_consume_us || drain) {
		int n = es->tracers ? event_tracers_consume(es->tracers) : 0;
		bool flood = n >= FLOOD_RECORDS && es->opts.consume_ms <= CONSUME_MS_DEFAULT;

		es->next_consume_us = now + (flood ? FLOOD_CONSUME_US : es->opts.consume_ms * 1000ULL);
	}
	if (es->counters && now >= es->next_counters_us) {
		counter_source_tick(es->counters);
		es->next_counters_us = now + es->opts.counters_ms * 1000ULL;
	}
	if (es->rtnl)
		event_rtnl_tick(es->rtnl);
	if (es->autoattach)
		autoattach_tick(es->autoattach);
	if (now >= es->next_reconcile_us) {
		if (es->tracers)
			event_tracers_report_lost(es->tracers);
		netns_watch_reconcile(es->watch);
		es->next_reconcile_us = now + NETNS_RECONCILE_MS * 1000ULL;
	}
}

int event_stream_poll(struct event_stream *es, int timeout_ms, event_cb cb, void *data)
{
	__u64 deadline = clock_realtime_us() + (__u64)timeout_ms * 1000;
	struct epoll_event ready[4];

	es->cb = cb;
	es->cb_data = data;
	es->delivered = 0;
	for (;;) {
		__u64 now = clock_realtime_us();
		int wait_ms, n;

		run_timers(es, now, timeout_ms == 0);
		if (es->delivered || now >= deadline)
			break;
		wait_ms = (int)((es->next_consume_us - now + 999) / 1000);
		if (deadline - now < es->next_consume_us - now)
			wait_ms = (int)((deadline - now + 999) / 1000);
		n = epoll_wait(es->epoll_fd, ready, 4, wait_ms);
		if (n < 0) {
			es->cb = NULL;
			return -errno;
		}
		/* What the tracepoints saw first goes out first, as far as we can tell. */
		if (n && es->tracers)
			event_tracers_consume(es->tracers);
		for (int i = 0; i < n; i++) {
			if (ready[i].data.fd == netns_watch_fd(es->watch))
				netns_watch_read(es->watch);
			else if (es->rtnl && ready[i].data.fd == event_rtnl_fd(es->rtnl))
				event_rtnl_read(es->rtnl);
		}
		/* A port enslaved by hand is attached now, not at the next tick. */
		if (n && es->autoattach)
			autoattach_tick(es->autoattach);
	}
	es->cb = NULL;
	return es->delivered;
}

void event_stream_report_lost(struct event_stream *es, event_cb cb, void *data)
{
	if (!es->tracers)
		return;
	es->cb = cb;
	es->cb_data = data;
	event_tracers_report_lost(es->tracers);
	es->cb = NULL;
}

void event_stream_stop(struct event_stream *es)
{
	if (es->tracers)
		event_tracers_stop(es->tracers);
}

void event_stream_totals(struct event_stream *es, struct event_totals *totals)
{
	memset(totals, 0, sizeof(*totals));
	if (es->tracers)
		event_tracers_totals(es->tracers, totals);
}

int event_stream_drops(struct event_stream *es, struct event_drops **out)
{
	*out = NULL;
	return es->tracers ? event_tracers_drops(es->tracers, out) : 0;
}

void event_stream_close(struct event_stream *es)
{
	if (!es)
		return;
	event_tracers_close(es->tracers);
	event_rtnl_close(es->rtnl);
	autoattach_close(es->autoattach);
	counter_source_free(es->counters);
	netns_watch_close(es->watch);
	scope_free(es->scope);
	if (es->epoll_fd >= 0)
		close(es->epoll_fd);
	nl_close(es->nl);
	ns_names_free(&es->names);
	free(es);
}
