// SPDX-License-Identifier: GPL-2.0
/* Bridge flows summed by place: see stats_places.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "stats_places.h"

static __u32 slot_of(const struct places *p, __u32 ifindex)
{
	return (ifindex * 2654435761u) & p->mask;	/* Knuth's multiplicative hash */
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
	p->ifindex = calloc(size, sizeof(*p->ifindex));
	p->place = calloc(size, sizeof(*p->place));
	if (!p->sum || !p->ifindex || !p->place)
		return -ENOMEM;
	for (size_t i = 0; i < p->nplaces; i++) {
		__u32 ifindex = i < lab->nports ? lab->ports[i].port.ifindex : lab->bridge.ifindex;
		__u32 s = slot_of(p, ifindex);

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

int places_add(struct places *p, const struct bridge_flow *f)
{
	__u64 fwd = f->stat[NSMON_BR_FORWARDED], flood = f->stat[NSMON_BR_FLOODED];
	int local = (int)p->nplaces - 1, from = place_of(p, f->from), to;
	struct stats_place *src, *dst;

	if (from < 0)
		return 0;
	src = &p->sum[from];
	if (f->to == NSMON_BR_NOWHERE) {
		/* The place the frame entered by: flooded once each, and its drops. */
		if (from == local)
			src->flooded_tx += flood;
		else
			src->flooded_rx += flood;
		src->dropped += f->stat[NSMON_BR_DROPPED];
		return 0;
	}
	to = place_of(p, f->to);
	if (to < 0)
		return 0;
	dst = &p->sum[to];
	/* A copy leaving by a port is its tx; delivered to the host, the device's rx. */
	if (to == local) {
		dst->forwarded_rx += fwd;
		dst->flooded_rx += flood;
	} else {
		dst->forwarded_tx += fwd;
		dst->flooded_tx += flood;
	}
	/* Known unicast is counted on the side it entered by, too. */
	if (from == local)
		src->forwarded_tx += fwd;
	else if (to == local)
		src->local += fwd;
	else
		src->forwarded_rx += fwd;
	return p->keep_pairs ? keep_pair(p, from, to, f) : 0;
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
