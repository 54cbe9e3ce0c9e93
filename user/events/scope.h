/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scope of an event stream: the labs it is about (struct event_opts).
 * It is kept here as the bridges, their ports and what each port's veth
 * peer is (its namespace), and mirrored into the event programs' scope map
 * as netns-cookie (and ifindex) keys, so that the kernel drops what is
 * outside before it reaches the ring; the stream asks the same questions
 * here of the events that come from rtnetlink, inotify and auto-attach.
 * The stream tells it as ports join and leave, from the link events.
 */
#ifndef NSMON_EVENT_SCOPE_H
#define NSMON_EVENT_SCOPE_H

#include <stdbool.h>
#include <linux/types.h>

#include "events/event.h"
#include "lab/lab.h"

struct event_scope;

/* The scope @opts asks for, empty yet; @host_cookie: our namespace's. NULL: no memory. */
struct event_scope *scope_new(const struct event_opts *opts, __u64 host_cookie);

/* The whole machine (--all): every question below answers yes. */
bool scope_all(const struct event_scope *s);

/*
 * Is bridge @name one the scope follows: one of --bridge, or by default one
 * nsmon monitors (it has a ledger)?
 */
bool scope_wants_bridge(const struct event_scope *s, const char *name);

/* The names of the bridges to look for at the start (--bridge, or those with a ledger). */
int scope_foreach_wanted(const struct event_scope *s, int (*cb)(const char *bridge, void *data),
			 void *data);

/* Take in @lab (a bridge the scope follows, as lab_discover() found it). */
void scope_add_lab(struct event_scope *s, const struct lab *lab);

/* Bridge @name (a wanted one) exists as @ifindex now. */
void scope_bridge_seen(struct event_scope *s, const char *name, int ifindex);

/* The peer of a port: its namespace (cookie 0: none known) and ifindex there. */
struct scope_peer {
	__u64 cookie;		/* our own namespace's, for a veth whose ends are both here */
	const char *netns;	/* its /run/netns name, NULL: none */
	int ifindex;
};

/* Port @ifindex (@name) of bridge @bridge_ifindex joined, with its peer @peer. */
void scope_port_joined(struct event_scope *s, int bridge_ifindex, int ifindex, const char *name,
		       const struct scope_peer *peer);

/* Link @ifindex of our namespace left its bridge or went: a port, a bridge or neither. */
void scope_link_left(struct event_scope *s, int ifindex);

/* Link @ifindex of namespace @cookie moved to @to: a port's peer follows it there. */
void scope_link_moved(struct event_scope *s, __u64 cookie, int ifindex,
		      const struct scope_peer *to);

/* Would a port whose peer is in namespace @netns (NULL: none) be in the scope (-n)? */
bool scope_port_allowed(const struct event_scope *s, const char *netns);

/* Is interface @ifindex of namespace @cookie in the scope, or that whole namespace? */
bool scope_has(const struct event_scope *s, __u64 cookie, int ifindex);

/* Is the namespace named @name in the scope (behind a port, or named by -n)? */
bool scope_has_netns(const struct event_scope *s, const char *name);

/* Is @name a bridge (without -n) or a port in the scope, in our namespace? */
bool scope_has_host_link(const struct event_scope *s, const char *name);

/* Is bridge @name in the scope? */
bool scope_has_bridge(const struct event_scope *s, const char *name);

/*
 * Mirror the scope into the map @fd (struct nsmon_scope_key -> 1), now and
 * after every change. Return: 0 or -errno.
 */
int scope_bind_map(struct event_scope *s, int fd);

void scope_free(struct event_scope *s);

#endif
