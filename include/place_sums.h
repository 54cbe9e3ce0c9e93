/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one rule that turns bridge flow counts into the sums of their places
 * (struct nsmon_place_counters): the BPF programs apply it as they count
 * (bridge.bpf.h), userspace to the flows of places the programs could not
 * sum (stats_places.c).
 */
#ifndef NSMON_PLACE_SUMS_H
#define NSMON_PLACE_SUMS_H

#include "nsmon.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Where one flow ends: a port, the bridge device (local delivery), or nowhere. */
enum nsmon_flow_end {
	NSMON_END_PORT,
	NSMON_END_LOCAL,
	NSMON_END_NOWHERE,	/* the per-frame FLOODED and DROPPED entry */
};

/**
 * nsmon_place_count() - add @n counts of @stat (enum nsmon_bridge_stat) in
 * the flow from -> to to the sums of its places: @from and @to (NULL: that
 * place is not summed here; @to is not used when @to_end is NOWHERE).
 * @from_local: the frame entered from the bridge device (the host sent it).
 * @n may be (__u64)-1: a count taken back.
 *
 * A flood counts once per frame at its source (to NOWHERE) and once per
 * copy at each place it reaches; known unicast counts at both ends, and a
 * port's unicast to the host is its `local`.
 */
static __always_inline void nsmon_place_count(struct nsmon_place_counters *from, int from_local,
					      struct nsmon_place_counters *to,
					      enum nsmon_flow_end to_end, __u32 stat, __u64 n)
{
	int to_local = to_end == NSMON_END_LOCAL;

	if (to_end == NSMON_END_NOWHERE) {
		if (!from)
			return;
		if (stat == NSMON_BR_DROPPED)
			from->dropped += n;
		else if (stat == NSMON_BR_FLOODED && from_local)
			from->flooded_tx += n;
		else if (stat == NSMON_BR_FLOODED)
			from->flooded_rx += n;
		return;
	}
	if (stat == NSMON_BR_FLOODED) {
		if (to && to_local)
			to->flooded_rx += n;
		else if (to)
			to->flooded_tx += n;
		return;
	}
	if (stat != NSMON_BR_FORWARDED)
		return;
	if (to && to_local)
		to->forwarded_rx += n;
	else if (to)
		to->forwarded_tx += n;
	if (!from)
		return;
	if (from_local)
		from->forwarded_tx += n;
	else if (to_local)
		from->local += n;
	else
		from->forwarded_rx += n;
}

#endif /* NSMON_PLACE_SUMS_H */
