/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live event stream behind `nsmon events` and `nsmon watch`: namespace
 * lifecycle (inotify on /run/netns, syscall tracepoints for every namespace
 * type), links/addresses/nsids (rtnetlink, all namespaces), neighbour and
 * bridge FDB changes and drops (tracepoints), counter deltas, auto-attach.
 * Every source ends up as one typed struct nsmon_event on one clock; it
 * becomes text or JSON only when it is written (event_write.h).
 */
#ifndef NSMON_EVENTS_H
#define NSMON_EVENTS_H

#include <stdbool.h>
#include <linux/types.h>

#include "events/event.h"
#include "events/event_tracers.h"

struct event_stream;

/**
 * event_stream_open() - start every source @opts asks for. Prints its own
 * error line. Return: 0 or -errno.
 */
int event_stream_open(const struct event_opts *opts, struct event_stream **out);

/**
 * event_stream_poll() - wait up to @timeout_ms for events and call @cb on
 * each, in the order they were read; @timeout_ms 0 drains what is waiting.
 * Return: the number of events, or -errno (-EINTR when a signal came).
 */
int event_stream_poll(struct event_stream *es, int timeout_ms, event_cb cb, void *data);

/*
 * event_stream_stop() - stop the tracepoint sources, so that one last
 * event_stream_poll(es, 0, ...) drains the ring and the totals add up.
 */
void event_stream_stop(struct event_stream *es);

/* Hand @cb a "lost" event for each source that lost records since the last one. */
void event_stream_report_lost(struct event_stream *es, event_cb cb, void *data);


/* The totals of the BPF sources, summed over them. */
void event_stream_totals(struct event_stream *es, struct event_totals *totals);

/**
 * event_stream_drops() - the drops counted so far, per interface (all
 * reasons), read in one pass over the drop map: looking each interface up
 * there instead walked the whole map once per interface.
 * Return: 0 with *@out set (event_drops_free() it; NULL: no tracepoint
 * sources, no drops), or -errno.
 */
int event_stream_drops(struct event_stream *es, struct event_drops **out);

void event_stream_close(struct event_stream *es);

#endif
