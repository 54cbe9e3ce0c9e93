/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the event sources (events_bpf.c, events_rtnl.c, netns_watch.c,
 * autoattach.c) share with the stream that runs them (events.c): one way
 * to emit an event, and the namespace names to put in it.
 */
#ifndef NSMON_EVENTS_INTERNAL_H
#define NSMON_EVENTS_INTERNAL_H

#include <limits.h>
#include <stdarg.h>
#include <jansson.h>
#include <linux/types.h>

#include "events/events.h"
#include "model/ns_names.h"

struct event_stream;

/**
 * event_emit() - hand one event to the consumer, unless its type is filtered
 * out. @fields: the type-specific JSON (reference stolen); "time", "time_us"
 * and "type" are added. @fmt: the human line after "[TIME] [TYPE] ".
 */
void event_emit(struct event_stream *es, enum event_type type, __u64 time_us, json_t *fields,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The namespace names the stream keeps up to date (inotify on /run/netns). */
struct ns_names *event_stream_names(struct event_stream *es);

/* Rescan /run/netns (names, inodes, cookies, nsids, assigning missing nsids). */
void event_stream_refresh_names(struct event_stream *es);

/* The auto-attacher, or NULL when the stream was opened without it. */
struct autoattach *event_stream_autoattach(struct event_stream *es);

/* "where" fields every interface-level event carries. */
json_t *event_where_json(struct ns_names *names, __u64 netns_inode, const char *ifname,
			 int ifindex);

/* "red", "host" or "net:[4026532247]" for human lines, in a buffer of NETNS_LABEL_SIZE. */
#define NETNS_LABEL_SIZE	(NAME_MAX + 16)
const char *event_netns_label(struct ns_names *names, __u64 inode, char *buf, size_t size);

#endif
