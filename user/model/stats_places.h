/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a bridge did with the frames of each of its places (its ports, in lab
 * order, then the bridge device: "local"): the sums the programs keep for
 * places with a fast slot, the bridge flows summed as they are read for the
 * others; what every `stats` shows, and the port-to-port matrix it shows for
 * small bridges.
 */
#ifndef NSMON_STATS_PLACES_H
#define NSMON_STATS_PLACES_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "datapath/counters.h"
#include "lab/lab.h"

/* One pair of the matrix, by place (nplaces - 1 is the bridge device). */
struct stats_pair {
	int from, to;
	__u64 forwarded, flooded;
};

struct places {
	struct nsmon_place_counters *sum;	/* nplaces of them */
	bool *kernel_summed;		/* the programs keep sum[i]: places_add() leaves it alone */
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
 * places_take_sums() - the sums the programs kept for the places of @lab
 * (as places_init() had it) that have a fast slot in @snap (@cookie: the
 * bridge's namespace); places_add() leaves those alone.
 * Return: true when every place had its sums: its flows are only needed for
 * the matrix.
 */
bool places_take_sums(struct places *p, const struct lab *lab, const struct counters_snapshot *snap,
		      __u64 cookie);

/**
 * places_add() - count one flow (flows may come in any order, a pair more
 * than once) into the sums of its places that places_take_sums() did not
 * fill, and into the matrix. An end that is not one of the places (a port
 * no longer the bridge's) is left out of the matrix, but the other end
 * counts the flow, as the programs do; a flow with neither end here
 * (another bridge's) is left out.
 * Return: 0 or -ENOMEM.
 */
int places_add(struct places *p, const struct bridge_flow *f);

/**
 * places_add_pending_drop() - a drop no sum counts yet (see
 * bridge_drops_pending_foreach()), into its place's sums, whoever keeps them.
 */
void places_add_pending_drop(struct places *p, const struct bridge_flow *f);

/**
 * places_matrix() - the pairs of places that carried frames, one per pair, in
 * place order, into *@pairs (owned by @p); @shown[i] (NULL: all) keeps the
 * pairs that involve port i.
 * Return: how many.
 */
size_t places_matrix(struct places *p, const bool *shown, const struct stats_pair **pairs);

/**
 * places_find_pair() - the pair (@from, @to) among @pairs, @n of them in place
 * order as places_matrix() leaves them.
 * Return: it, or NULL when that pair carried no frames.
 */
const struct stats_pair *places_find_pair(const struct stats_pair *pairs, size_t n, int from, int to);

void places_free(struct places *p);

#endif
