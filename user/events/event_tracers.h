/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tracepoint sources of the event stream (bpf/events.bpf.c): namespace
 * syscalls, neighbours, bridge FDB, drops. The programs look each event's
 * namespace (and interface) up in a scope map first, so that what is
 * outside the stream's scope never reaches the ring; records come out of one
 * ring buffer, drained on the stream's timer, and become typed events.
 */
#ifndef NSMON_EVENT_TRACERS_H
#define NSMON_EVENT_TRACERS_H

#include "events/sink.h"

struct event_tracers;

/* Load and attach. Prints its own error line. Return: 0 or -errno. */
int event_tracers_open(struct event_sink *sink, const struct event_opts *opts,
		       struct event_tracers **out);

/* The scope map (struct nsmon_scope_key -> 1) the caller keeps current (unread with opts->all). */
int event_tracers_scope_fd(const struct event_tracers *et);

/* Turn every record waiting in the ring into an event. Return: how many, or -errno. */
int event_tracers_consume(struct event_tracers *et);

/* Detach the programs: nothing new comes after this, so the totals can settle. */
void event_tracers_stop(struct event_tracers *et);

/* Add the sources' totals to @t. */
void event_tracers_totals(struct event_tracers *et, struct event_totals *t);

/* Emit a "lost" event for each source that lost records since the last call. */
void event_tracers_report_lost(struct event_tracers *et);

/* The drops the kernel reported per interface since the stream began, read at one moment. */
struct event_drops;

/* The drops counted so far per interface, all reasons: see event_stream_drops(). */
int event_tracers_drops(struct event_tracers *et, struct event_drops **out);

/* The drops of interface @ifindex of namespace @netns_cookie in @d (NULL: none). */
__u64 event_drops_of(const struct event_drops *d, __u64 netns_cookie, int ifindex);

void event_drops_free(struct event_drops *d);

void event_tracers_close(struct event_tracers *et);

#endif
