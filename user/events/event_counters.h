/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counter deltas as events (`events --counters`): every interval, what each
 * monitored interface counted since the last one, on the events' clock.
 */
#ifndef NSMON_EVENT_COUNTERS_H
#define NSMON_EVENT_COUNTERS_H

#include "events/events_internal.h"

struct event_counters;

struct event_counters *event_counters_new(void);

/* Emit one "counters" event per interface that counted something since the last call. */
void event_counters_tick(struct event_counters *ec, struct event_stream *es);

void event_counters_free(struct event_counters *ec);

#endif
