/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counter deltas as events (`events --counters`): every interval, what each
 * monitored interface counted since the last one, on the events' clock.
 */
#ifndef NSMON_EVENT_COUNTERS_H
#define NSMON_EVENT_COUNTERS_H

#include "events/sink.h"

struct counter_source;

struct counter_source *counter_source_new(struct event_sink *sink);

/* Emit one "counters" event per interface that counted something since the last call. */
void counter_source_tick(struct counter_source *cs);

void counter_source_free(struct counter_source *cs);

#endif
