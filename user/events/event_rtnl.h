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

#include "events/sink.h"

struct event_rtnl;

/* Prints its own error line. Return: 0 or -errno. */
int event_rtnl_open(struct event_sink *sink, struct event_rtnl **out);

/* The socket to poll for readability. */
int event_rtnl_fd(const struct event_rtnl *er);

/* Read what is waiting and emit its events. Return 0 or -errno. */
int event_rtnl_read(struct event_rtnl *er);

/*
 * A link moved out of a namespace other than ours is announced there with
 * the id that namespace gives its destination, which means nothing here:
 * its "moved" event waits for the link to show up at its destination. Emit
 * those that waited in vain (the destination has no id here) for long enough.
 */
void event_rtnl_tick(struct event_rtnl *er);

/* Learn the links of a namespace that just got a name (no events for them). */
void event_rtnl_learn(struct event_rtnl *er, const char *netns);

void event_rtnl_close(struct event_rtnl *er);

#endif
