/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pinned counters maps: the per-CPU counters (hash and fast slots), the
 * bridge's forwarding (flows, matrix, places' sums, per-CPU state), read
 * and kept through one set of fds (struct counters_maps).
 */
#ifndef NSMON_COUNTERS_H
#define NSMON_COUNTERS_H

#include <stdbool.h>
#include <linux/types.h>
#include "nsmon.h"

/* datapath.c pins every map at NSMON_PIN_ROOT/ its name: these follow the BPF side. */
#define NSMON_COUNTERS_PIN	NSMON_PIN_ROOT "/counters"
/* The fast slots beside it (see nsmon.h). */
#define NSMON_COUNTER_SLOTS_PIN	NSMON_PIN_ROOT "/counter_slots"
#define NSMON_COUNTERS_FAST_PIN	NSMON_PIN_ROOT "/counters_fast"
#define NSMON_SLOT_OWNERS_PIN	NSMON_PIN_ROOT "/slot_owners"
/* Bridge forwarding: shared by every lab as the counters are, and by every
 * loaded copy of the programs, since one frame may enter by a port attached
 * by one nsmon run and leave by a port attached by another. */
#define NSMON_BRIDGE_FLOWS_PIN	NSMON_PIN_ROOT "/bridge_flows"
#define NSMON_BRIDGE_STATE_PIN	NSMON_PIN_ROOT "/bridge_state"
#define NSMON_BRIDGE_MATRIX_PIN	NSMON_PIN_ROOT "/bridge_matrix"
#define NSMON_BRIDGE_PLACES_PIN	NSMON_PIN_ROOT "/bridge_places"

/* JSON key of each enum nsmon_stat, in enum order. */
extern const char *const nsmon_stat_names[NSMON_STAT_MAX];
/* The stats in the order documents list them (README.md), not the maps'. */
extern const enum nsmon_stat nsmon_stat_order[NSMON_STAT_MAX];

/*
 * The counters maps, as fds: the hash, the fast slots' three maps, the
 * bridge matrix, the places' sums, the bridge flows and the bridges'
 * per-CPU state. -1: not pinned (a datapath from before that map).
 */
struct counters_maps {
	int hash, slots, fast, owners, matrix, places, flows, state;
};

/**
 * counters_open() - open the pinned counters maps (counters_close() them):
 * every function here reads and changes the maps through these fds.
 * Return: 0, -ENOENT if nothing is monitored, or -errno.
 */
int counters_open(struct counters_maps *m);
void counters_close(struct counters_maps *m);

/* Every counter at one moment, summed over CPUs. */
struct counters_snapshot;

/**
 * counters_snapshot() - read all of the counters maps with batch lookups:
 * three syscalls or so however many interfaces (1000 interfaces read one
 * key at a time took ~8000). Free it with counters_snapshot_free().
 * Return: 0 or -errno.
 */
int counters_snapshot(const struct counters_maps *m, struct counters_snapshot **out);
void counters_snapshot_free(struct counters_snapshot *s);

/**
 * counters_read() - the counters of one (namespace, interface, direction,
 * hook) in @s, its fast slot's and its hash entry's; zeros when that key was
 * never counted.
 * Return: 0, or -ENOENT when the key has neither.
 */
int counters_read(const struct counters_snapshot *s, __u64 netns_cookie, int ifindex, int dir,
		  int hook, struct nsmon_counters *sum);

/**
 * counters_place_sums() - the bridge place sums (nsmon.h) of interface
 * @ifindex in @netns_cookie, kept in the fast slot it has, into *@sum.
 * Return: 0, or -ENOENT when it has no fast slot: its flows give its sums.
 */
int counters_place_sums(const struct counters_snapshot *s, __u64 netns_cookie, int ifindex,
			struct nsmon_place_counters *sum);

/* Has anything been counted at @hook for this interface (in any direction)? */
bool counters_exist(const struct counters_snapshot *s, __u64 netns_cookie, int ifindex, int hook);

/**
 * counters_give_slot() - give the interface a fast slot for its tc counters
 * (and its row and column of the bridge matrix, and its place sums), zeroed,
 * if one is free, its index entry is, and the hashes have not counted it
 * yet (else the hashes count it: not an error). Call it before the
 * interface is hooked.
 * Return: 0 or -errno.
 */
int counters_give_slot(const struct counters_maps *m, __u64 netns_cookie, int ifindex);

/* Delete every key of one interface and free its fast slot. Return 0 or -errno. */
int counters_forget(const struct counters_maps *m, __u64 netns_cookie, int ifindex);

/* One (from, to) of the bridge flows, summed over CPUs (see nsmon.h). */
struct bridge_flow {
	__u32 from;
	__u32 to;		/* NSMON_BR_NOWHERE: the per-frame FLOODED and DROPPED */
	__u64 stat[NSMON_BR_STAT_MAX];
};

typedef int (*bridge_flow_cb)(const struct bridge_flow *flow, void *data);

/**
 * bridge_flows_foreach() - call @cb on every bridge flow counted in the
 * namespace @cookie, summed over CPUs. In no particular order, and a pair
 * may come more than once (the matrix and the hash may both have counted
 * it): @cb adds them up. Nothing is kept: a full map is 65,536 flows, 2 MB
 * that cost more to fault in than to read.
 * Return: 0 (nothing when the maps are not pinned: an older datapath), the
 * first non-zero return of @cb, or -errno.
 */
int bridge_flows_foreach(const struct counters_maps *m, __u64 cookie, bridge_flow_cb cb,
			 void *data);

/**
 * bridge_drops_pending_foreach() - call @cb on the drops in the namespace
 * @cookie that no flow or place sum counts yet, one flow (from -> NOWHERE,
 * DROPPED 1) each: a frame that left by nowhere is counted when the next one
 * enters on its CPU, so the last one of each CPU is still in the per-CPU
 * state (a frame in flight at that very moment would read as dropped too).
 * Return: as bridge_flows_foreach().
 */
int bridge_drops_pending_foreach(const struct counters_maps *m, __u64 cookie, bridge_flow_cb cb,
				 void *data);

/**
 * bridge_flows_uncounted() - how many counts of bridge flows were lost, on
 * any bridge, because bridge_flows was full (65,536 pairs: about 256 ports
 * all flooding each other), so that a reader can say its matrix is short.
 * Return: 0 (*@count 0 when nothing is pinned) or -errno.
 */
int bridge_flows_uncounted(const struct counters_maps *m, __u64 *count);

/*
 * The bridge flows from or to @ifindex in @cookie, to delete at
 * bridge_flows_forget_done(), before @m is closed. Return 0 or -errno.
 */
int bridge_flows_forget(const struct counters_maps *m, __u64 cookie, int ifindex);

/*
 * The end of a series of bridge_flows_forget() calls, which only collect:
 * the flows are deleted here, in batches; the next call reads the map afresh.
 * Return: 0 or -errno.
 */
int bridge_flows_forget_done(void);

#endif
