// SPDX-License-Identifier: GPL-2.0
/* Counter deltas as events: see event_counters.h. */
#include <stdlib.h>

#include "events/event_counters.h"
#include "model/stats_delta.h"

/* The stat behind each delta. */
static const enum nsmon_stat delta_stats[EVENT_DELTA_MAX] = {
	NSMON_STAT_PACKETS, NSMON_STAT_BYTES, NSMON_STAT_ARP_REQUEST, NSMON_STAT_ARP_REPLY,
	NSMON_STAT_ICMP_ECHO_REQUEST, NSMON_STAT_ICMP_ECHO_REPLY,
};

struct counter_source {
	struct event_sink *sink;
	struct stats_model *then;	/* the last tick's model; NULL: none yet */
};

struct counter_source *counter_source_new(struct event_sink *sink)
{
	struct counter_source *cs = calloc(1, sizeof(*cs));

	if (cs)
		cs->sink = sink;
	return cs;
}

/* One "counters" event for @e, if it counted anything since the last tick. */
static void emit_delta(struct counter_source *cs, const struct stats_iface *e,
		       const struct stats_delta *d, __u64 time_us)
{
	struct nsmon_event ev = { .type = EVENT_COUNTERS, .time_us = time_us };
	long long moved = 0;

	ev.counters.netns = e->where;
	ev.counters.ifname = e->name;
	for (int k = 0; k < EVENT_DELTA_MAX; k++) {
		ev.counters.rx[k] = d->tc[NSMON_DIR_RX][delta_stats[k]];
		ev.counters.tx[k] = d->tc[NSMON_DIR_TX][delta_stats[k]];
		moved |= ev.counters.rx[k] | ev.counters.tx[k];
	}
	if (moved)
		sink_emit(cs->sink, &ev);
}

void counter_source_tick(struct counter_source *cs)
{
	__u64 time_us = sink_now_us(cs->sink);
	struct stats_delta *d = NULL;
	struct stats_model *now;

	/* Nothing monitored (yet) is no deltas, not an error line every interval; no matrix. */
	if (stats_model_read_quiet(NULL, STATS_MODEL_MATRIX_NONE, &now))
		now = NULL;
	if (now)
		d = stats_model_delta(now, cs->then);
	/* The first sight of an interface is the baseline. */
	for (size_t i = 0; d && i < now->nifaces; i++)
		if (d[i].seen)
			emit_delta(cs, &now->ifaces[i], &d[i], time_us);
	free(d);
	stats_model_free(cs->then);
	cs->then = d ? now : NULL;
	if (!d)
		stats_model_free(now);
}

void counter_source_free(struct counter_source *cs)
{
	if (!cs)
		return;
	stats_model_free(cs->then);
	free(cs);
}
