// SPDX-License-Identifier: GPL-2.0
/* Counter deltas as events: see event_counters.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/event_counters.h"
#include "model/stats_model.h"
#include "util/log.h"

/* The stat behind each delta. */
static const enum nsmon_stat delta_stats[EVENT_DELTA_MAX] = {
	NSMON_STAT_PACKETS, NSMON_STAT_BYTES, NSMON_STAT_ARP_REQUEST, NSMON_STAT_ARP_REPLY,
	NSMON_STAT_ICMP_ECHO_REQUEST, NSMON_STAT_ICMP_ECHO_REPLY,
};

/* What an interface had counted at the last tick. */
struct seen {
	char where[NAME_MAX + 1];
	char name[IF_NAMESIZE];
	__u64 v[NSMON_DIR_MAX][EVENT_DELTA_MAX];
};

struct counter_source {
	struct event_sink *sink;
	struct seen *prev;
	size_t nprev;
};

struct counter_source *counter_source_new(struct event_sink *sink)
{
	struct counter_source *cs = calloc(1, sizeof(*cs));

	if (cs)
		cs->sink = sink;
	return cs;
}

/* The interface's entry of the last tick: most often at the same place in the same order. */
static const struct seen *find_prev(const struct counter_source *cs, size_t hint,
				    const struct seen *now)
{
	if (hint < cs->nprev && !strcmp(cs->prev[hint].name, now->name) &&
	    !strcmp(cs->prev[hint].where, now->where))
		return &cs->prev[hint];
	for (size_t i = 0; i < cs->nprev; i++)
		if (!strcmp(cs->prev[i].name, now->name) && !strcmp(cs->prev[i].where, now->where))
			return &cs->prev[i];
	return NULL;
}

static void emit_delta(struct counter_source *cs, const struct seen *before,
		       const struct seen *now, __u64 time_us)
{
	struct nsmon_event ev = { .type = EVENT_COUNTERS, .time_us = time_us };
	long long moved = 0;

	ev.counters.netns = now->where;
	ev.counters.ifname = now->name;
	for (int k = 0; k < EVENT_DELTA_MAX; k++) {
		ev.counters.rx[k] = now->v[NSMON_DIR_RX][k] - before->v[NSMON_DIR_RX][k];
		ev.counters.tx[k] = now->v[NSMON_DIR_TX][k] - before->v[NSMON_DIR_TX][k];
		moved |= ev.counters.rx[k] | ev.counters.tx[k];
	}
	if (moved)
		sink_emit(cs->sink, &ev);
}

void counter_source_tick(struct counter_source *cs)
{
	__u64 time_us = sink_now_us(cs->sink);
	struct stats_model *m = NULL;
	struct stats_iface *ifs = NULL;
	struct seen *now = NULL;
	size_t n = 0;
	bool was_quiet;
	int err;

	/* Nothing monitored (yet) is no deltas, not an error line every interval; no matrix. */
	was_quiet = log_quiet(true);
	err = stats_model_read(NULL, STATS_MODEL_NO_MATRIX, &m);
	log_quiet(was_quiet);
	if (!err)
		ifs = stats_model_ifaces(m, &n);
	if (ifs)
		now = calloc(n ? n : 1, sizeof(*now));
	for (size_t i = 0; now && i < n; i++) {
		const struct seen *before;

		snprintf(now[i].where, sizeof(now[i].where), "%s", ifs[i].where);
		snprintf(now[i].name, sizeof(now[i].name), "%s", ifs[i].name);
		for (int d = 0; d < NSMON_DIR_MAX; d++)
			for (int k = 0; k < EVENT_DELTA_MAX; k++)
				now[i].v[d][k] = ifs[i].tc[d].stat[delta_stats[k]];
		before = find_prev(cs, i, &now[i]);
		if (before)	/* the first sight is the baseline */
			emit_delta(cs, before, &now[i], time_us);
	}
	free(ifs);
	stats_model_free(m);
	free(cs->prev);
	cs->prev = now;
	cs->nprev = now ? n : 0;
}

void counter_source_free(struct counter_source *cs)
{
	if (!cs)
		return;
	free(cs->prev);
	free(cs);
}
