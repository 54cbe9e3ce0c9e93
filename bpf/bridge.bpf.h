/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bridge forwarding (BPF only): which port a frame entered a bridge by, and
 * which ports (or the bridge device) it left by, as forwarded unicast or
 * flood copies; frames that left by nowhere are drops. Counted per pair of
 * places and in each place's sums (place_sums.h). Include it after the uapi
 * headers, nsmon.h, parse.bpf.h and counters.bpf.h.
 *
 * How a frame is followed without kprobes: the bridge forwards a frame
 * synchronously, on one CPU, from the rx_handler of the port it entered by
 * to the dev_queue_xmit() of every port it leaves by (a flood clones it once
 * per port) and to netif_receive_skb() on the bridge device for local
 * delivery; a frame the host sends goes from the bridge device's
 * dev_queue_xmit() through br_dev_xmit() to the ports the same way. All of
 * it runs with bottom halves off, so no other frame's forwarding starts on
 * that CPU in between. So tc ingress of a port (and tc egress of the bridge
 * device) writes "this frame came from here" into a per-CPU slot, and tc
 * egress of a port (and tc ingress of the bridge device) reads it, with no
 * field of the skb written (mark and cb belong to others). The one nesting:
 * the host may answer a frame delivered to it at once, inside that
 * delivery, and the answer takes the slot over; but the bridge floods
 * before it delivers locally, so the frame answered has left by all its
 * places already.
 *
 * The slot outlives the frame, and a port also sends frames of its own (an
 * IPv6 link-local address gives it neighbour discovery and MLD), so an
 * exit only counts when it is the same frame: the same skb->data (tc
 * shows every hook the frame from its Ethernet header, and clones share
 * it) and length, and for a frame from a port, skb_iif (which the receive
 * path set to the ingress port and clones copy) equal to that port.
 *
 * What a device is to its bridge (port or the bridge itself) is not read
 * from the device: userspace attaches the programs of that role
 * (datapath.bpf.c), so no kernel structure is read and loading needs no
 * kernel BTF. A port released from its bridge would count what it receives
 * as dropped by the bridge: `events` and `watch` take its programs off
 * (auto-attach); without them it keeps them until `nsmon detach` or `down`.
 */
#ifndef NSMON_BRIDGE_BPF_H
#define NSMON_BRIDGE_BPF_H

#include <bpf/bpf_helpers.h>
#include "place_sums.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, NSMON_MAX_BRIDGE_FLOWS);
	/* Allocated as used: 65536 preallocated per-CPU slots would be most of it unused. */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct nsmon_bridge_key);
	__type(value, struct nsmon_bridge_counters);
} bridge_flows SEC(".maps");

/* The pairs of places with one of the first fast slots (see nsmon.h): no hashing. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NSMON_MATRIX_CELLS);
	__type(key, __u32);
	__type(value, struct nsmon_bridge_counters);
} bridge_matrix SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nsmon_bridge_state);
} bridge_state SEC(".maps");

/* Each fast slot's place sums (nsmon.h): what `stats` reads instead of every pair. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NSMON_FAST_SLOTS);
	__type(key, __u32);
	__type(value, struct nsmon_place_counters);
} bridge_places SEC(".maps");

static __always_inline struct nsmon_place_counters *place_sums_of(__u32 fast_slot)
{
	if (fast_slot >= NSMON_FAST_SLOTS)
		return NULL;
	return bpf_map_lookup_elem(&bridge_places, &fast_slot);
}

/*
 * nsmon_place_count() on the sums of the places with fast slots @from_slot
 * and @to_slot (a place without one is summed by userspace, from its flows).
 */
static __always_inline void places_count(__u32 from_slot, bool from_local, __u32 to_slot,
					 enum nsmon_flow_end to_end, __u32 stat, __u64 n)
{
	struct nsmon_place_counters *to = NULL;

	if (to_end != NSMON_END_NOWHERE)
		to = place_sums_of(to_slot);
	nsmon_place_count(place_sums_of(from_slot), from_local, to, to_end, stat, n);
}

/* The matrix column of a place's fast slot (counters.bpf.h), or one past the last: none. */
static __always_inline __u32 matrix_column(__u32 fast_slot)
{
	return fast_slot < NSMON_MATRIX_SLOTS ? fast_slot : NSMON_MATRIX_COLUMNS;
}

enum bridge_role {
	BRIDGE_ROLE_PORT,
	BRIDGE_ROLE_DEVICE,	/* the bridge itself */
};

/*
 * The namespace of the bridge (and so of its ports) the programs are
 * attached around, set by userspace before loading: the namespace half of
 * every key these programs write.
 */
const volatile __u64 bridge_netns_cookie;

static const struct nsmon_bridge_counters bridge_flow_zero;

/*
 * The counters of the flow @key, whose places have the fast slots
 * @from_slot and @to_col (matrix_column(), NSMON_MATRIX_SLOTS for NOWHERE):
 * their matrix cell, else their bridge_flows entry, created on first use
 * with @create. NULL when there is none (or the hash is full).
 */
/* The matrix cell of the places with fast slots @from_slot and @to_col, or NULL: none. */
static __always_inline struct nsmon_bridge_counters *bridge_matrix_cell(__u32 from_slot,
									__u32 to_col)
{
	__u32 cell = from_slot * NSMON_MATRIX_COLUMNS + to_col;

	if (from_slot >= NSMON_MATRIX_SLOTS || to_col >= NSMON_MATRIX_COLUMNS)
		return NULL;
	return bpf_map_lookup_elem(&bridge_matrix, &cell);
}

static __always_inline struct nsmon_bridge_counters *
bridge_flow(const struct nsmon_bridge_key *key, __u32 from_slot, __u32 to_col, bool create)
{
	struct nsmon_bridge_counters *c = bridge_matrix_cell(from_slot, to_col);

	if (c)
		return c;
	c = bpf_map_lookup_elem(&bridge_flows, key);
	if (c || !create)
		return c;
	bpf_map_update_elem(&bridge_flows, key, &bridge_flow_zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&bridge_flows, key);
}

static __always_inline struct nsmon_bridge_state *bridge_slot(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&bridge_state, &zero);
}

/*
 * Add one to @stat of the flow @key (see bridge_flow()); when the hash is
 * full, to the uncounted, so that a reader knows the matrix is short. A
 * global function: the verifier checks it once rather than at each of its
 * callers, and the program holds one copy of it (@stat is 64-bit so that
 * clang bounds and indexes the same register). Return 0.
 */
__noinline int bridge_flow_add(const struct nsmon_bridge_key *key, __u32 from_slot, __u32 to_col,
			       __u64 stat)
{
	struct nsmon_bridge_counters *c;
	struct nsmon_bridge_state *st;

	if (!key)
		return 0;
	c = bridge_flow(key, from_slot, to_col, true);
	if (c && stat < NSMON_BR_STAT_MAX) {
		c->stat[stat] += 1;
		return 0;
	}
	st = bridge_slot();
	if (st)
		st->uncounted += 1;
	return 0;
}

/*
 * bridge_flow_add() for a frame forwarded between two places with matrix
 * cells, the common case, inline: the call into the global function and
 * back was ~15% of what the programs cost a forwarded frame.
 */
static __always_inline void bridge_flow_add_forwarded(const struct nsmon_bridge_key *key,
						       __u32 from_slot, __u32 to_col)
{
	struct nsmon_bridge_counters *c = bridge_matrix_cell(from_slot, to_col);

	if (c)
		c->stat[NSMON_BR_FORWARDED] += 1;
	else
		bridge_flow_add(key, from_slot, to_col, NSMON_BR_FORWARDED);
}

/* The flow from @from to @to on this program's bridge. */
static __always_inline struct nsmon_bridge_key flow_key(__u32 from, __u32 to)
{
	return (struct nsmon_bridge_key){ .netns_cookie = bridge_netns_cookie, .from = from, .to = to };
}

/*
 * A unicast frame that leaves by a second place was flooded (its
 * destination is unknown to the bridge): its first copy, counted forwarded,
 * becomes a flood copy. Same CPU as the add, so the per-CPU value never
 * goes below zero.
 */
static __always_inline void bridge_flow_reflood(const struct nsmon_bridge_state *st)
{
	struct nsmon_bridge_key key = flow_key(st->from, st->first_to);
	enum nsmon_flow_end to_end = st->first_to_local ? NSMON_END_LOCAL : NSMON_END_PORT;
	struct nsmon_bridge_counters *c;

	/* The sums, whether or not the pair found room in the maps. */
	places_count(st->from_slot, st->from_local, st->first_to_slot, to_end, NSMON_BR_FORWARDED,
		     (__u64)-1);
	places_count(st->from_slot, st->from_local, st->first_to_slot, to_end, NSMON_BR_FLOODED, 1);
	c = bridge_flow(&key, st->from_slot, matrix_column(st->first_to_slot), false);
	if (!c || !c->stat[NSMON_BR_FORWARDED])
		return;
	c->stat[NSMON_BR_FORWARDED] -= 1;
	c->stat[NSMON_BR_FLOODED] += 1;
}

/*
 * A frame enters the bridge from @from (a port, or the bridge device when
 * @local: the host sends it). The frame before it on this CPU is finished
 * by now: if it left by nowhere, it was dropped (or, for a link-local
 * 01:80:c2:00:00:0X frame, passed to the port's own stack).
 */
static __always_inline void bridge_enter(const struct __sk_buff *skb, __u32 fast_slot,
					 __u32 classes, bool local)
{
	struct nsmon_bridge_state *st = bridge_slot();

	if (!st)
		return;
	if (st->from && !st->fanout) {
		/*
		 * That frame may be from long ago, its port's slot released and
		 * given to another since: look the slot up again. It may also
		 * have crossed another bridge, in another namespace.
		 */
		struct nsmon_if_key prev = { .netns_cookie = st->netns_cookie, .ifindex = st->from,
					     .hook = NSMON_HOOK_TC };
		struct nsmon_bridge_key dropped = { .netns_cookie = st->netns_cookie, .from = st->from,
						    .to = NSMON_BR_NOWHERE };

		__u32 prev_slot = fast_slot_of(&prev);

		bridge_flow_add(&dropped, prev_slot, NSMON_MATRIX_SLOTS, NSMON_BR_DROPPED);
		places_count(prev_slot, st->from_local, 0, NSMON_END_NOWHERE, NSMON_BR_DROPPED, 1);
	}
	st->netns_cookie = bridge_netns_cookie;
	st->frame = skb->data;
	st->len = skb->len;
	st->from = skb->ifindex;
	st->from_slot = fast_slot;
	st->classes = classes;
	st->vlan_present = skb->vlan_present;
	st->first_to = 0;
	st->fanout = 0;
	st->from_local = local;
	st->flooded = 0;
}

/*
 * The state of the frame this bridge is handling, if @skb, leaving it by
 * a port (@port_exit) or by the bridge device, is a copy of it; NULL for a
 * frame of the device's own. By a port, skb_iif still names the port a
 * frame came from (on the bridge device the receive path set it to the
 * bridge).
 */
static __always_inline struct nsmon_bridge_state *
bridge_exiting(const struct __sk_buff *skb, bool port_exit)
{
	struct nsmon_bridge_state *st = bridge_slot();

	if (!st || !st->from || st->frame != skb->data || st->len != skb->len ||
	    st->netns_cookie != bridge_netns_cookie)
		return NULL;
	if (port_exit && !st->from_local && skb->ingress_ifindex != st->from)
		return NULL;
	return st;
}

/*
 * The frame of @st leaves the bridge by @to (a port, or the bridge device
 * when @to_local: local delivery), whose fast slot is @to_slot. Broadcast
 * and multicast are flood copies; unicast is forwarded until the same frame
 * leaves by a second place. Counted per pair and in the places' sums.
 */
static __always_inline void bridge_leave(struct nsmon_bridge_state *st, __u32 to, __u32 to_slot,
					 bool to_local, __u32 classes)
{
	__u32 from = st->from, from_slot = st->from_slot;
	enum nsmon_flow_end to_end = to_local ? NSMON_END_LOCAL : NSMON_END_PORT;
	struct nsmon_bridge_key key = flow_key(from, to);

	st->fanout += 1;
	if (!(classes & (NSMON_CLASS(BROADCAST) | NSMON_CLASS(MULTICAST))) && st->fanout == 1) {
		st->first_to = to;
		st->first_to_slot = to_slot;
		st->first_to_local = to_local;
		bridge_flow_add_forwarded(&key, from_slot, matrix_column(to_slot));
		places_count(from_slot, st->from_local, to_slot, to_end, NSMON_BR_FORWARDED, 1);
		return;
	}
	bridge_flow_add(&key, from_slot, matrix_column(to_slot), NSMON_BR_FLOODED);
	places_count(from_slot, st->from_local, to_slot, to_end, NSMON_BR_FLOODED, 1);
	if (st->flooded)
		return;
	st->flooded = 1;
	key.to = NSMON_BR_NOWHERE;
	bridge_flow_add(&key, from_slot, NSMON_MATRIX_SLOTS, NSMON_BR_FLOODED);
	places_count(from_slot, st->from_local, 0, NSMON_END_NOWHERE, NSMON_BR_FLOODED, 1);
	if (st->first_to)
		bridge_flow_reflood(st);
}

/* Does a frame passing a device of @role in @direction enter a bridge (or leave it)? */
static __always_inline bool bridge_entry(enum bridge_role role, __u8 direction)
{
	return (role == BRIDGE_ROLE_PORT) == (direction == NSMON_DIR_RX);
}

#endif /* NSMON_BRIDGE_BPF_H */
