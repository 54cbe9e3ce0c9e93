/* SPDX-License-Identifier: GPL-2.0 */
/* Adding a classified frame to its per-CPU counter slot (BPF only). */
#ifndef NSMON_COUNTERS_BPF_H
#define NSMON_COUNTERS_BPF_H

#include <bpf/bpf_helpers.h>

/* What a new slot starts from; in .rodata rather than 160 bytes of stack. */
static const struct nsmon_counters counters_zero;

/*
 * The slot of @key, created zeroed on first use. BPF_NOEXIST because another
 * CPU may create the same key between our lookup and update: its -EEXIST is
 * fine, the lookup after it finds that slot. NULL only when the map is full.
 */
static __always_inline struct nsmon_counters *counters_slot(void *map,
							    const struct nsmon_if_key *key)
{
	struct nsmon_counters *slot = bpf_map_lookup_elem(map, key);

	if (slot)
		return slot;
	bpf_map_update_elem(map, key, &counters_zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

/**
 * counters_add() - count an skb or XDP frame of @bytes bytes that stands for
 * @segs wire packets and has the classes @classes (see classify_frame())
 * in the slot of @key in the per-CPU hash @map. Plain adds, no atomics: the
 * slot is this CPU's own, and tc and XDP programs run with bottom halves
 * disabled, so nothing else on this CPU updates it halfway through.
 */
static __always_inline void counters_add(void *map, const struct nsmon_if_key *key,
					 __u32 classes, __u64 segs, __u64 bytes)
{
	struct nsmon_counters *c = counters_slot(map, key);

	if (!c)
		return;
	c->stat[NSMON_STAT_PACKETS] += segs;
	c->stat[NSMON_STAT_BYTES] += bytes;
	c->stat[NSMON_STAT_SKBS] += 1;
	/*
	 * Multiply rather than branch: one straight line of adds gives the
	 * verifier one path to check instead of one per class bit (2^20).
	 */
#pragma unroll
	for (int i = 0; i < NSMON_STAT_MAX; i++)
		c->stat[i] += segs * ((classes >> i) & 1);
}

#endif /* NSMON_COUNTERS_BPF_H */
