/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The BPF <-> userspace ABI of nsmon: map keys, map values, limits.
 * Fixed-width types only; included by the BPF programs (after vmlinux.h or
 * the uapi headers) and by userspace.
 */
#ifndef NSMON_H
#define NSMON_H

#ifndef __bpf__
#include <linux/types.h>
#endif

/* Where the counters are pinned so they keep counting between CLI runs. */
#define NSMON_PIN_ROOT		"/sys/fs/bpf/nsmon"

/*
 * What the maps pinned there mean, beyond their shape: bumped when a map
 * keeps its size but changes its meaning (2: bridge_state names a frame by
 * skb->data, no longer skb->head; 3: the counters moved to the order of
 * enum nsmon_stat; 4: the programs keep each place's sums in
 * bridge_places, which older ones would leave short; 5: BYTES counts a
 * frame's VLAN tag held in skb metadata, as on the wire), so that the programs
 * of one build never share maps with another's. Pinned beside the maps as
 * "abi".
 */
#define NSMON_ABI_VERSION	5

/* Default size of the counters map: (netns, ifindex, direction, hook) keys. */
#define NSMON_MAX_KEYS		8192

enum nsmon_direction {
	NSMON_DIR_RX = 0,	/* the interface received it */
	NSMON_DIR_TX = 1,	/* the interface sent it */
	NSMON_DIR_MAX,
};

enum nsmon_hook {
	NSMON_HOOK_TC = 0,	/* tcx / clsact, both directions */
	NSMON_HOOK_XDP = 1,	/* native XDP, rx only, opt-in */
	NSMON_HOOK_MAX,
};

/*
 * One counter slot per class. Every frame adds to PACKETS and BYTES and to
 * exactly one class of each family:
 *   L2:  BROADCAST, MULTICAST, UNICAST        (by destination MAC)
 *   L3:  ARP, IPV4, IPV6, OTHER               (by EtherType, through 802.1Q/802.1ad)
 *   L4:  TCP, UDP, ICMP, L4_OTHER             (IPv4/IPv6 only; ICMP includes ICMPv6)
 * ARP_REQUEST/ARP_REPLY refine ARP, ICMP_ECHO_* refine ICMP (v4 and v6).
 * A frame too short for the header a family needs counts TRUNCATED instead
 * of a class of that family (and of the families after it).
 * A GSO super-packet counts gso_segs PACKETS (the wire packets it becomes)
 * and 1 in SKBS, which is what `ip -s link` counts on a veth.
 *
 * The order is storage, not presentation (documents follow
 * nsmon_stat_order[]): what almost every frame adds to comes first, so that
 * a unicast IPv4 or IPv6 UDP or TCP frame adds to the first 64 bytes of its
 * slot rather than to all 160 of them. The kernel aligns per-CPU values to 8
 * bytes only, so that is one cache line or two, against three or four
 * before; BENCHMARKS.md found no change it could measure.
 */
enum nsmon_stat {
	NSMON_STAT_PACKETS = 0,
	NSMON_STAT_BYTES,
	NSMON_STAT_SKBS,
	NSMON_STAT_UNICAST,
	NSMON_STAT_IPV4,
	NSMON_STAT_IPV6,
	NSMON_STAT_UDP,
	NSMON_STAT_TCP,
	/* the second line: ARP, ICMP, broadcast and multicast */
	NSMON_STAT_BROADCAST,
	NSMON_STAT_MULTICAST,
	NSMON_STAT_ARP,
	NSMON_STAT_ARP_REQUEST,
	NSMON_STAT_ARP_REPLY,
	NSMON_STAT_ICMP,
	NSMON_STAT_ICMP_ECHO_REQUEST,
	NSMON_STAT_ICMP_ECHO_REPLY,
	NSMON_STAT_OTHER,
	NSMON_STAT_L4_OTHER,
	NSMON_STAT_VLAN,
	NSMON_STAT_TRUNCATED,
	NSMON_STAT_MAX,
};

struct nsmon_if_key {
	__u64 netns_cookie;	/* the netns cookie: ifindexes repeat across namespaces */
	__u32 ifindex;
	__u8 direction;		/* enum nsmon_direction */
	__u8 hook;		/* enum nsmon_hook */
	__u16 pad;
};

/* Value of the per-CPU counters map; userspace sums the CPUs. */
struct nsmon_counters {
	__u64 stat[NSMON_STAT_MAX];
};

/*
 * Fast slots: the tc counters of a hooked interface (a bridge port, a
 * bridge) live in a per-CPU array, found without hashing, when userspace
 * gave it a slot at attach: entry (ifindex % NSMON_SLOT_INDEX) of the array
 * `counter_slots` names its owner and slot, and `counters_fast` holds the
 * counters at slot * NSMON_DIR_MAX + direction. Every other key (XDP, an
 * interface whose index entry another owns, more than NSMON_FAST_SLOTS
 * interfaces) counts in the `counters` hash as before. `slot_owners` (a
 * hash, slot -> owner) is how concurrent nsmon runs claim a slot: an insert
 * with BPF_NOEXIST succeeds once.
 */
#define NSMON_FAST_SLOTS	512
#define NSMON_SLOT_INDEX	4096

struct nsmon_slot {
	__u64 netns_cookie;	/* 0: the entry is free */
	__u32 ifindex;
	__u32 slot;		/* < NSMON_FAST_SLOTS */
};

/*
 * Bridge forwarding, counted where a frame enters a bridge (tc ingress of a
 * port, tc egress of the bridge device: a frame the host sends) and where
 * it leaves it (tc egress of a port, tc ingress of the bridge device: a
 * frame delivered to the host). Per-CPU hash `bridge_flows`, keyed by
 * (netns cookie of the bridge, from, to); `from` and `to` are ifindexes in
 * that namespace: a port, or the bridge device itself ("local").
 */
#define NSMON_MAX_BRIDGE_FLOWS	65536	/* 250 ports flooding each other: 250 * 251 */

/* `to` of the entry that counts per frame, whatever its copies: FLOODED and DROPPED. */
#define NSMON_BR_NOWHERE	0

enum nsmon_bridge_stat {
	NSMON_BR_FORWARDED = 0,	/* from -> to: unicast to a known destination (one copy) */
	NSMON_BR_FLOODED,	/* from -> to: a copy of a flood (broadcast, multicast, unknown
				 * unicast); from -> NOWHERE: frames flooded, once each */
	NSMON_BR_DROPPED,	/* from -> NOWHERE only: frames that went out nowhere */
	NSMON_BR_STAT_MAX,
};

struct nsmon_bridge_key {
	__u64 netns_cookie;	/* the bridge's namespace */
	__u32 from;		/* where the frame entered the bridge */
	__u32 to;		/* where it left it, or NSMON_BR_NOWHERE */
};

struct nsmon_bridge_counters {
	__u64 stat[NSMON_BR_STAT_MAX];
};

/*
 * The forwarding between places that have one of the first
 * NSMON_MATRIX_SLOTS fast slots (see above), counted without hashing: cell
 * from_slot * NSMON_MATRIX_COLUMNS + to_slot of the per-CPU array
 * `bridge_matrix`, column NSMON_MATRIX_SLOTS standing for NSMON_BR_NOWHERE.
 * Any other pair counts in bridge_flows. Userspace zeroes a slot's row and
 * column before it gives the slot away.
 */
#define NSMON_MATRIX_SLOTS	64
#define NSMON_MATRIX_COLUMNS	(NSMON_MATRIX_SLOTS + 1)
#define NSMON_MATRIX_CELLS	(NSMON_MATRIX_SLOTS * NSMON_MATRIX_COLUMNS)

/*
 * The frame a bridge is handling on this CPU: one slot of the per-CPU array
 * `bridge_state`. A bridge forwards a frame synchronously, on one CPU, from
 * where it enters to every place it leaves, so the slot set at entry names
 * the source at each exit. Userspace reads it for the one frame per CPU
 * whose fate is not counted yet (a drop is counted when the next frame
 * enters on that CPU).
 */
struct nsmon_bridge_state {
	__u64 netns_cookie;
	__u64 frame;		/* skb->data at entry: the frame and its flood clones share it */
	__u32 len;		/* skb->len at entry: with frame, tells a reused buffer apart */
	__u32 from;		/* 0: no frame yet */
	__u32 first_to;		/* where a unicast frame left first */
	__u16 fanout;		/* how many places it left by so far */
	__u8 from_local;	/* it entered from the bridge device (the host sent it) */
	__u8 flooded;		/* counted in from -> NOWHERE FLOODED */
	__u32 classes;		/* its classes at entry, which its exits reuse */
	__u32 vlan_present;	/* its tag in skb metadata at entry (a VLAN-filtering bridge may change it) */
	__u32 from_slot;	/* the fast slot of `from`, NSMON_FAST_SLOTS for none */
	__u32 first_to_slot;	/* the fast slot of `first_to` */
	__u32 first_to_local;	/* `first_to` is the bridge device (delivered to the host) */
	__u32 pad;
	__u64 uncounted;	/* counts of any bridge lost since bridge_flows was full */
};

/*
 * What a bridge did with each place's frames, summed in the kernel as the
 * flows are counted: per-CPU array `bridge_places`, indexed by the place's
 * fast slot (places without one are summed from the flows by userspace),
 * zeroed before the slot is given. So a `stats` reads one entry per place
 * instead of every pair: 500 ports flooding each other make ~250,000 pairs,
 * more than bridge_flows holds. rx and tx from the place's own point of
 * view: a port receives what enters the bridge by it, the bridge device
 * receives what the bridge delivers to the host. place_sums.h says what
 * each flow count adds where.
 */
struct nsmon_place_counters {
	__u64 forwarded_rx, forwarded_tx;
	__u64 flooded_rx, flooded_tx;
	__u64 local;		/* a port's known unicast delivered to the host */
	__u64 dropped;		/* frames that entered by it and left by nowhere */
};

#endif /* NSMON_H */
