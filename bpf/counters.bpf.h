/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counters maps and adding a classified frame to its per-CPU slot (BPF
 * only). Include after the kernel's types (vmlinux.h or the uapi headers) and
 * nsmon.h.
 */
#ifndef NSMON_COUNTERS_BPF_H
#define NSMON_COUNTERS_BPF_H

#include <bpf/bpf_helpers.h>

/*
 * Allocated as used: most interfaces count in fast slots, so this holds
 * XDP's keys and the overflow, and preallocating 8192 per-CPU values took
 * ~11 ms of every `up`.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, NSMON_MAX_KEYS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct nsmon_if_key);
	__type(value, struct nsmon_counters);
} counters SEC(".maps");

/* The fast slots (see nsmon.h): an array lookup each instead of a hash. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NSMON_SLOT_INDEX);
	__type(key, __u32);
	__type(value, struct nsmon_slot);
} counter_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NSMON_FAST_SLOTS * NSMON_DIR_MAX);
	__type(key, __u32);
	__type(value, struct nsmon_counters);
} counters_fast SEC(".maps");

/* Only userspace reads and writes it; here so that the object creates it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NSMON_FAST_SLOTS);
	__type(key, __u32);
	__type(value, struct nsmon_slot);
} slot_owners SEC(".maps");

/* What a new slot starts from; in .rodata rather than 160 bytes of stack. */
static const struct nsmon_counters counters_zero;

/*
 * The index of a power of two below 2^32: (bit * DE_BRUIJN) >> 27 is unique
 * for each, and this table maps it back. A global, not static: clang 14
 * gives a static array in .rodata a BTF offset the kernel rejects.
 */
#define DE_BRUIJN	0x077CB531U
const volatile __u8 bit_index[32] = {
	0, 1, 28, 2, 29, 14, 24, 3, 30, 22, 20, 15, 25, 17, 4, 8,
	31, 27, 13, 23, 21, 19, 16, 7, 26, 12, 18, 6, 11, 5, 10, 9,
};

/* No frame has more classes than this: L2, L3, L4, a refinement, VLAN, TRUNCATED. */
#define MAX_CLASSES_PER_FRAME	6

#define NO_FAST_SLOT	NSMON_FAST_SLOTS

/*
 * The fast slot userspace gave the interface of the tc key @key, or
 * NO_FAST_SLOT. An array lookup, which the verifier inlines, where the hash
 * costs a jhash and a bucket walk (~15 ns a frame).
 */
static __always_inline __u32 fast_slot_of(const struct nsmon_if_key *key)
{
	__u32 index = key->ifindex % NSMON_SLOT_INDEX;
	struct nsmon_slot *s = bpf_map_lookup_elem(&counter_slots, &index);

	if (!s || s->ifindex != key->ifindex || s->netns_cookie != key->netns_cookie ||
	    s->slot >= NSMON_FAST_SLOTS)
		return NO_FAST_SLOT;
	return s->slot;
}

/*
 * The counters of @key: in fast slot @fast (fast_slot_of(), NO_FAST_SLOT
 * for none), else its entry in the hash, created zeroed on first use.
 * BPF_NOEXIST because another CPU may create the same key between our
 * lookup and update: its -EEXIST is fine, the lookup after it finds that
 * slot. NULL only when the hash is full.
 */
static __always_inline struct nsmon_counters *counters_slot(const struct nsmon_if_key *key,
							    __u32 fast)
{
	struct nsmon_counters *slot;
	__u32 at = fast * NSMON_DIR_MAX + key->direction;

	if (fast < NSMON_FAST_SLOTS) {
		slot = bpf_map_lookup_elem(&counters_fast, &at);
		if (slot)
			return slot;
	}
	slot = bpf_map_lookup_elem(&counters, key);
	if (slot)
		return slot;
	bpf_map_update_elem(&counters, key, &counters_zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&counters, key);
}

/**
 * counters_add() - count an skb or XDP frame of @bytes bytes that stands for
 * @segs wire packets and has the classes @classes (see classify_frame())
 * in the counters of @key (@fast: see counters_slot()). Plain adds, no
 * atomics: the slot is this CPU's own,
 * and tc and XDP programs run with bottom halves disabled, so nothing else
 * on this CPU updates it halfway through.
 */
static __always_inline void counters_add(const struct nsmon_if_key *key, __u32 fast,
					 __u32 classes, __u64 segs, __u64 bytes)
{
	struct nsmon_counters *c = counters_slot(key, fast);

	if (!c)
		return;
	c->stat[NSMON_STAT_PACKETS] += segs;
	c->stat[NSMON_STAT_BYTES] += bytes;
	c->stat[NSMON_STAT_SKBS] += 1;
	/*
	 * Only the classes the frame has, lowest bit first: a handful of adds
	 * where one per class (20) cost ~10 ns a frame.
	 */
#pragma unroll
	for (int k = 0; k < MAX_CLASSES_PER_FRAME; k++) {
		__u32 low = classes & -classes;
		__u32 i;

		if (!low)
			break;
		classes ^= low;
		i = bit_index[(low * DE_BRUIJN) >> 27];
		if (i < NSMON_STAT_MAX)
			c->stat[i] += segs;
	}
}

#endif /* NSMON_COUNTERS_BPF_H */
