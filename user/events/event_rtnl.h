/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rtnetlink source of the event stream: links added, deleted, moved
 * between namespaces, up/down, enslaved/released, renamed; addresses added
 * and removed. One socket in our namespace with NETLINK_LISTEN_ALL_NSID
 * hears every namespace that has an nsid here (ns_names gives each named
 * namespace one).
 */
#ifndef NSMON_EVENT_RTNL_H
#define NSMON_EVENT_RTNL_H

#include "events/events_internal.h"

struct event_rtnl;

/* What the stream wants to hear about root-namespace links, beyond events. */
struct rtnl_hooks {
	/* @ifname became a port of bridge @master */
	void (*port_added)(struct event_stream *es, int ifindex, const char *ifname,
			   const char *master);
	/* @ifname stopped being a port of bridge @master (it still exists) */
	void (*port_released)(struct event_stream *es, int ifindex, const char *ifname,
			      const char *master);
	/* @ifname was deleted */
	void (*link_deleted)(struct event_stream *es, int ifindex, const char *ifname);
};

int event_rtnl_open(struct event_stream *es, const struct rtnl_hooks *hooks,
		    struct event_rtnl **out);

/* The socket to poll for readability. */
int event_rtnl_fd(const struct event_rtnl *er);

/* Read what is waiting and emit its events. Return 0 or -errno. */
int event_rtnl_read(struct event_rtnl *er);

/* Learn the links of a namespace that just got a name (no events for them). */
void event_rtnl_learn(struct event_rtnl *er, const char *netns);

void event_rtnl_close(struct event_rtnl *er);

#endif
