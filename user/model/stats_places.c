// SPDX-License-Identifier: GPL-2.0
/* Bridge flows summed by place: see stats_places.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/grow.h"
#include "model/stats_places.h"
#include "place_sums.h"

static __u32 slot_of(const struct places *p, __u32 ifindex)
{
	return (ifindex * 2654435761u) & p->mask;	/* Knuth's multiplicative hash */
}

/* Place @i of @lab: its ports in order, then the bridge device. */
static __u32 place_ifindex(const struct lab *lab, size_t i)
{
	return i < lab->nports ? lab->ports[i].port.ifindex : lab->bridge.ifindex;
}

int places_init(struct places *p, const struct lab *lab, bool keep_pairs)
{
	__u32 size = 16;

	memset(p, 0, sizeof(*p));
	p->nplaces = lab->nports + 1;
	p->keep_pairs = keep_pairs;
	while (size < 2 * p->nplaces)
		size *= 2;
	p->mask = size - 1;
	p->sum = calloc(p->nplaces, sizeof(*p->sum));
	p->kernel_summed = calloc(p->nplaces, sizeof(*p->kernel_summed));
	p->ifindex = calloc(size, sizeof(*p->ifindex));
	p->place = calloc(size, sizeof(*p->place));
	if (!p->sum || !p->kernel_summed || !p->ifindex || !p->place)
		return -ENOMEM;
	for (size_t i = 0; i < p->nplaces; i++) {
		__u32 ifindex = place_ifindex(lab, i), s = slot_of(p, ifindex);

		while (p->ifindex[s] && p->ifindex[s] != ifindex)
			s = (s + 1) & p->mask;
		p->ifindex[s] = ifindex;
		p->place[s] = (int)i;
	}
	return 0;
}

void places_free(struct places *p)
{
	free(p->sum);
	free(p->kernel_summed);
	free(p->ifindex);
	free(p->place);
	free(p->pairs);
	memset(p, 0, sizeof(*p));
}

/* The place of @ifindex, or -1 for none of them. */
static int place_of(const struct places *p, __u32 ifindex)
{
	__u32 s = slot_of(p, ifindex);

	if (!ifindex)
		return -1;
	for (; p->ifindex[s]; s = (s + 1) & p->mask)
		if (p->ifindex[s] == ifindex)
			return p->place[s];
	return -1;
}

static int keep_pair(struct places *p, int from, int to, const struct bridge_flow *f)
{
	struct stats_pair *pairs;

	pairs = grow(p->pairs, p->npairs, &p->cap, sizeof(*pairs), 256);
	if (!pairs)
		return -ENOMEM;
	p->pairs = pairs;
	p->pairs[p->npairs++] = (struct stats_pair){ from, to, f->stat[NSMON_BR_FORWARDED],
						     f->stat[NSMON_BR_FLOODED] };
	return 0;
}

bool places_take_sums(struct places *p, const struct lab *lab, const struct counters_snapshot *snap,
		      __u64 cookie)
{
	bool all = true;

	for (size_t i = 0; i < p->nplaces; i++) {
		p->kernel_summed[i] = !counters_place_sums(snap, cookie, (int)place_ifindex(lab, i),
							   &p->sum[i]);
		all = all && p->kernel_summed[i];
	}
	return all;
}

/* The sums of place @i, unless the programs keep them. */
static struct nsmon_place_counters *sum_to_add(struct places *p, int i)
{
	return p->kernel_summed[i] ? NULL : &p->sum[i];
}

/*
 * The other end of a flow may be a port since removed: its frames still
 * count at this end, as the programs count them.
 */
int places_add(struct places *p, const struct bridge_flow *f)
{
	int local = (int)p->nplaces - 1, from = place_of(p, f->from), to = -1;
	enum nsmon_flow_end to_end = NSMON_END_NOWHERE;

	if (f->to != NSMON_BR_NOWHERE) {
		to = place_of(p, f->to);
		to_end = to == local ? NSMON_END_LOCAL : NSMON_END_PORT;
	}
	if (from < 0 && to < 0)
		return 0;	/* another bridge's, or a port's since removed */
	for (__u32 stat = 0; stat < NSMON_BR_STAT_MAX; stat++)
		nsmon_place_count(from < 0 ? NULL : sum_to_add(p, from), from == local,
				  to < 0 ? NULL : sum_to_add(p, to), to_end, stat, f->stat[stat]);
	return p->keep_pairs && from >= 0 && to >= 0 ? keep_pair(p, from, to, f) : 0;
}

void places_add_pending_drop(struct places *p, const struct bridge_flow *f)
{
	int from = place_of(p, f->from);

	if (from >= 0)
		p->sum[from].dropped += f->stat[NSMON_BR_DROPPED];
}

static int by_places(const void *a, const void *b)
{
	const struct stats_pair *x = a, *y = b;

	return x->from != y->from ? x->from - y->from : x->to - y->to;
}

size_t places_matrix(struct places *p, const bool *shown, const struct stats_pair **pairs)
{
	int nports = (int)p->nplaces - 1;
	size_t out = 0;

	/* One per pair: the matrix and the hash may both have counted one. */
	qsort(p->pairs, p->npairs, sizeof(*p->pairs), by_places);
	for (size_t i = 0; i < p->npairs; i++) {
		if (out && !by_places(&p->pairs[out - 1], &p->pairs[i])) {
			p->pairs[out - 1].forwarded += p->pairs[i].forwarded;
			p->pairs[out - 1].flooded += p->pairs[i].flooded;
		} else {
			p->pairs[out++] = p->pairs[i];
		}
	}
	p->npairs = out;
	/* Then only those that carried frames, and with -n NS those that involve its port. */
	out = 0;
	for (size_t i = 0; i < p->npairs; i++) {
		const struct stats_pair *pair = &p->pairs[i];

		if (!(pair->forwarded + pair->flooded))
			continue;
		if (shown && !((pair->from < nports && shown[pair->from]) ||
			       (pair->to < nports && shown[pair->to])))
			continue;
		p->pairs[out++] = *pair;
	}
	p->npairs = out;
	*pairs = p->pairs;
	return out;
}

const struct stats_pair *places_find_pair(const struct stats_pair *pairs, size_t n, int from, int to)
{
	const struct stats_pair want = { .from = from, .to = to };

	return n ? bsearch(&want, pairs, n, sizeof(*pairs), by_places) : NULL;
}
