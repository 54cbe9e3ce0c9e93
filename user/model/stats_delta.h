/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the counters did between two reads of the model: per interface, and
 * per pair of a bridge's places. `watch` turns them into rates, `events
 * --counters` into events. Two reads name the same interface by namespace
 * and name, the same place by its name (a port's, or "local"): an ifindex
 * may be reused, and a place's index moves when a port comes or goes.
 */
#ifndef NSMON_STATS_DELTA_H
#define NSMON_STATS_DELTA_H

#include <stdbool.h>

#include "model/stats_model.h"

struct stats_delta {
	bool seen;		/* the earlier model had it: else this is its first sight, no delta */
	/* Now - then, as the interface saw them; below 0 where its counters were made anew. */
	long long tc[NSMON_DIR_MAX][NSMON_STAT_MAX];
};

/**
 * stats_model_delta() - what each interface of @now counted since @then
 * (NULL: nothing read before).
 * Return: an array of @now->nifaces deltas, in its order (free() it), or NULL: no memory.
 */
struct stats_delta *stats_model_delta(const struct stats_model *now, const struct stats_model *then);

/**
 * stats_model_bridge() - the bridge of @m named @name.
 * Return: its index in @m->bridges, or -1 when @m has none of that name.
 */
long stats_model_bridge(const struct stats_model *m, const char *name);

/**
 * stats_bridge_frames() - the frames place @from sent to place @to of @br
 * (places as in its matrix: ports by index, then the bridge device),
 * forwarded and flooded: 0 when the pair carried none or the matrix was
 * not read.
 */
unsigned long long stats_bridge_frames(const struct stats_bridge *br, size_t from, size_t to);

/**
 * stats_model_pair_delta() - the frames place @from sent to place @to of
 * bridge @b of @now since @then, the same bridge and places found by name
 * (none there: 0 frames then).
 * Return: now - then; below 0 where the bridge's counters were made anew.
 */
long long stats_model_pair_delta(const struct stats_model *now, size_t b, size_t from, size_t to,
				 const struct stats_model *then);

#endif
