// SPDX-License-Identifier: GPL-2.0
/* What the counters did between two reads of the model: see stats_delta.h. */
#include <stdlib.h>
#include <string.h>

#include "model/stats_delta.h"

static bool same_iface(const struct stats_iface *a, const struct stats_iface *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->where, b->where);
}

/*
 * The interface of @then that is @e, looked for first at @hint (after the
 * one found last: both models list them in the same order, an interface
 * that came or went shifting the rest by one), then everywhere.
 */
static const struct stats_iface *find_iface(const struct stats_model *then, size_t *hint,
					    const struct stats_iface *e)
{
	if (*hint < then->nifaces && same_iface(&then->ifaces[*hint], e))
		return &then->ifaces[(*hint)++];
	for (size_t i = 0; i < then->nifaces; i++) {
		if (same_iface(&then->ifaces[i], e)) {
			*hint = i + 1;
			return &then->ifaces[i];
		}
	}
	return NULL;
}

struct stats_delta *stats_model_delta(const struct stats_model *now, const struct stats_model *then)
{
	struct stats_delta *d = calloc(now->nifaces ?: 1, sizeof(*d));
	size_t hint = 0;

	for (size_t i = 0; d && then && i < now->nifaces; i++) {
		const struct stats_iface *e = &now->ifaces[i], *before = find_iface(then, &hint, e);

		if (!before)
			continue;
		d[i].seen = true;
		for (int dir = 0; dir < NSMON_DIR_MAX; dir++)
			for (int s = 0; s < NSMON_STAT_MAX; s++)
				d[i].tc[dir][s] = (long long)(e->tc[dir].stat[s] -
							      before->tc[dir].stat[s]);
	}
	return d;
}

long stats_model_bridge(const struct stats_model *m, const char *name)
{
	for (size_t i = 0; i < m->nbridges; i++)
		if (!strcmp(m->bridges[i].lab.bridge.name, name))
			return (long)i;
	return -1;
}

/* The place of @br named @name (stats_model_place_name()'s), or -1. */
static long place_named(const struct stats_bridge *br, const char *name)
{
	for (size_t i = 0; i <= br->lab.nports; i++)
		if (!strcmp(stats_model_place_name(&br->lab, i), name))
			return (long)i;
	return -1;
}

unsigned long long stats_bridge_frames(const struct stats_bridge *br, size_t from, size_t to)
{
	const struct stats_pair *p = places_find_pair(br->pairs, br->npairs, (int)from, (int)to);

	return p ? p->forwarded + p->flooded : 0;
}

long long stats_model_pair_delta(const struct stats_model *now, size_t b, size_t from, size_t to,
				 const struct stats_model *then)
{
	const struct stats_bridge *br = &now->bridges[b], *before;
	unsigned long long frames = stats_bridge_frames(br, from, to), was = 0;
	long tb = stats_model_bridge(then, br->lab.bridge.name), tf, tt;

	if (tb >= 0) {
		before = &then->bridges[tb];
		tf = place_named(before, stats_model_place_name(&br->lab, from));
		tt = place_named(before, stats_model_place_name(&br->lab, to));
		if (tf >= 0 && tt >= 0)
			was = stats_bridge_frames(before, tf, tt);
	}
	return (long long)(frames - was);
}
