/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a bridge did with the frames of each of its places (its ports, in lab
 * order, then the bridge device: "local"), summed from the bridge flows as
 * they are read: what every `stats` shows, and the port-to-port matrix it
 * shows for small bridges.
 */
#ifndef NSMON_STATS_PLACES_H
#define NSMON_STATS_PLACES_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "counters.h"
#include "lab.h"

/*
 * rx and tx from the place's own point of view, as everywhere: a port
 * receives what enters the bridge by it, the bridge device receives what the
 * bridge delivers to the host.
 */
struct stats_place {
	__u64 forwarded_rx, forwarded_tx, flooded_rx, flooded_tx;
	__u64 local;		/* a port's known unicast delivered to the host */
	__u64 dropped;
};

/* One pair of the matrix, by place (nplaces - 1 is the bridge device). */
struct stats_pair {
	int from, to;
	__u64 forwarded, flooded;
};

struct places {
	struct stats_place *sum;	/* nplaces of them */
	size_t nplaces;
	/* Places by ifindex, hashed: each of up to 65,536 flows names two. */
	__u32 *ifindex;			/* 0: an empty entry (no interface has index 0) */
	int *place;
	__u32 mask;
	bool keep_pairs;		/* for the matrix */
	struct stats_pair *pairs;
	size_t npairs, cap;
};

/**
 * places_init() - the places of @lab, from its ports (and bridge) as they are
 * now, nothing counted yet; @keep_pairs keeps the pairs for places_matrix().
 * Return: 0 or -ENOMEM (places_free() it either way).
 */
int places_init(struct places *p, const struct lab *lab, bool keep_pairs);

/**
 * places_add() - count one flow (flows may come in any order, a pair more
 * than once). A flow from or to an interface that is not one of the places
 * (a port no longer the bridge's, another bridge's) is left out.
 * Return: 0 or -ENOMEM.
 */
int places_add(struct places *p, const struct bridge_flow *f);

/**
 * places_matrix() - the pairs of places that carried frames, one per pair, in
 * place order, into *@pairs (owned by @p); @shown[i] (NULL: all) keeps the
 * pairs that involve port i.
 * Return: how many.
 */
size_t places_matrix(struct places *p, const bool *shown, const struct stats_pair **pairs);

void places_free(struct places *p);

#endif
