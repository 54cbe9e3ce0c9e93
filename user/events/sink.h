/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an event source knows of the stream that runs it: where its events
 * go, the clock they are stamped on, the namespace names to put in them.
 * The hub (events.c) owns the loop and the sources and implements this; a
 * source includes this header and its own, never the hub's, and calls
 * nothing of the hub but these.
 */
#ifndef NSMON_EVENT_SINK_H
#define NSMON_EVENT_SINK_H

#include <linux/types.h>

#include "events/event.h"
#include "model/ns_names.h"

struct event_sink {
	/* Hand @ev on: the hub filters it (type, scope), follows the lab by it, delivers it. */
	void (*emit)(struct event_sink *sink, struct nsmon_event *ev);
	/* The events' clock (CLOCK_REALTIME, µs). */
	__u64 (*now_us)(struct event_sink *sink);
	/* Rescan /run/netns: names, inodes, cookies, nsids (assigned where missing). */
	void (*refresh_names)(struct event_sink *sink);
	/* The named namespaces, kept current by the hub. */
	struct ns_names *names;
};

static inline void sink_emit(struct event_sink *sink, struct nsmon_event *ev)
{
	sink->emit(sink, ev);
}

static inline __u64 sink_now_us(struct event_sink *sink)
{
	return sink->now_us(sink);
}

/*
 * Fill @w for namespace @inode and interface @ifname (@ifindex): its name
 * from the sink's names, and "host" for ours in human lines.
 */
void sink_where(const struct event_sink *sink, struct event_where *w, __u64 inode,
		const char *ifname, int ifindex);

#endif
