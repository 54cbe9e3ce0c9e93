/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ABI of the path tracer (bpf/path.bpf.c), loaded only while `nsmon path`
 * or `nsmon explain` runs: the hops of the path, how a packet is recognised
 * at every hop, the latency histograms the programs keep, and the hop
 * records `explain` reads from the ring buffer.
 */
#ifndef NSMON_PATH_ABI_H
#define NSMON_PATH_ABI_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* The hops of one direction of veth -> bridge -> veth, in the order a packet meets them. */
enum nsmon_hop {
	NSMON_HOP_SENDER_TX,	/* tc egress of the sender's veth, in its namespace */
	NSMON_HOP_BRIDGE_IN,	/* tc ingress of the sender's bridge port */
	NSMON_HOP_BRIDGE_OUT,	/* tc egress of the receiver's bridge port */
	NSMON_HOP_RECEIVER_RX,	/* tc ingress of the receiver's veth, in its namespace */
	NSMON_HOP_CONSUMED,	/* skb:consume_skb: the stack is done with it */
	NSMON_HOP_MAX,
};

/* The segments of a leg: hop i -> hop i + 1, then the whole way, sender veth -> consumed. */
#define NSMON_SEG_TOTAL		(NSMON_HOP_MAX - 1)
#define NSMON_SEG_MAX		NSMON_HOP_MAX

/* Request: --from -> --to; reply: the way back. */
enum nsmon_leg {
	NSMON_LEG_REQUEST,
	NSMON_LEG_REPLY,
	NSMON_LEG_MAX,
};

/*
 * A packet as every hop sees it: skbs are re-allocated across the bridge
 * (floods clone them) and at XDP, so the content is the identity, not the
 * skb pointer. IPv4: addresses, protocol, IP id and the L4 identity (ICMP
 * id + sequence, TCP/UDP ports + TCP sequence); ARP: op and addresses.
 * The programs hash it into the 64-bit tag of the packet's in-flight slot.
 */
struct nsmon_pkt_key {
	__u32 saddr;
	__u32 daddr;
	__u32 l4_a;		/* ICMP: id << 16 | seq; TCP/UDP: sport << 16 | dport */
	__u32 l4_b;		/* TCP: sequence; others 0 */
	__u16 ip_id;		/* ARP: the op */
	__u8 proto;		/* IPPROTO_*, or 0 for ARP */
	__u8 kind;		/* enum nsmon_pkt_kind */
};

enum nsmon_pkt_kind {
	NSMON_PKT_OTHER,
	NSMON_PKT_ARP_REQUEST,
	NSMON_PKT_ARP_REPLY,
	NSMON_PKT_ECHO_REQUEST,
	NSMON_PKT_ECHO_REPLY,
	NSMON_PKT_TCP,
	NSMON_PKT_UDP,
};

/*
 * A packet on its way, in its slot of the map `flights` (an array of
 * NSMON_PATH_FLIGHTS, a power of two, indexed by the tag's low bits): its
 * tag (0: the slot is free), when it met the first hop, and how long after
 * that it met the next three (0: not yet). 32 bytes, so that the table
 * (256 KiB) stays in a core's L2 cache, where the first hop's write to a
 * random slot costs least: with 64-byte slots in 1 MiB that write was the
 * dearest step of the first hop. A packet that needs over 4.29 s (2^32 ns)
 * to reach the receiver's veth is not timed (a hop missing: discarded).
 */
#define NSMON_PATH_FLIGHTS	8192

struct nsmon_path_flight {
	__u64 tag;
	__u64 first_ns;
	__u32 after_ns[NSMON_HOP_CONSUMED - 1];	/* BRIDGE_IN, BRIDGE_OUT, RECEIVER_RX */
	__u32 leg;
};

/*
 * The latency buckets, one rule for the programs (which count into them)
 * and userspace (which reads their bounds): 64 ns wide from 0 to 8.192 us,
 * where the veth and bridge hops of one packet live, so that a p50 of 1.3 us
 * reads as 1.3 and not "between 1 and 2"; above that each power of two
 * (log2) is cut into 8 equal steps (12.5% of its start) up to 2^37 ns
 * (~137 s), where the last bucket also takes anything longer.
 */
#define NSMON_PATH_LINEAR_SHIFT	6				/* 64 ns steps */
#define NSMON_PATH_LINEAR_NS	8192ULL				/* = 2^13 */
#define NSMON_PATH_LINEAR	(NSMON_PATH_LINEAR_NS >> NSMON_PATH_LINEAR_SHIFT)	/* 128 */
#define NSMON_PATH_LOG_FIRST	13
#define NSMON_PATH_LOG_LAST	36				/* [2^36, 2^37) */
#define NSMON_PATH_SUB_SHIFT	3				/* 8 steps per power of two */
#define NSMON_PATH_BUCKETS	(NSMON_PATH_LINEAR + ((NSMON_PATH_LOG_LAST - NSMON_PATH_LOG_FIRST + 1) \
				 << NSMON_PATH_SUB_SHIFT))	/* 320 */

/* floor(log2(@v)) for @v > 0, without a count-leading-zeros the BPF ISA lacks. */
static __always_inline __u32 nsmon_log2(__u64 v)
{
	__u32 r, shift;

	r = (v > 0xffffffffULL) << 5;
	v >>= r;
	shift = (v > 0xffff) << 4;
	v >>= shift;
	r |= shift;
	shift = (v > 0xff) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xf) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	return r | (__u32)(v >> 1);
}

/* The bucket of a duration of @ns nanoseconds: 0 .. NSMON_PATH_BUCKETS - 1. */
static __always_inline __u32 nsmon_path_bucket(__u64 ns)
{
	__u32 k;

	if (ns < NSMON_PATH_LINEAR_NS)
		return (__u32)(ns >> NSMON_PATH_LINEAR_SHIFT);
	if (ns >> (NSMON_PATH_LOG_LAST + 1))
		return NSMON_PATH_BUCKETS - 1;
	k = nsmon_log2(ns);
	return NSMON_PATH_LINEAR + ((k - NSMON_PATH_LOG_FIRST) << NSMON_PATH_SUB_SHIFT) +
	       (__u32)((ns >> (k - NSMON_PATH_SUB_SHIFT)) & ((1 << NSMON_PATH_SUB_SHIFT) - 1));
}

/* The smallest duration in bucket @b (its largest is the next bucket's first - 1). */
static __always_inline __u64 nsmon_path_bucket_first(__u32 b)
{
	__u32 octave, step;

	if (b < NSMON_PATH_LINEAR)
		return (__u64)b << NSMON_PATH_LINEAR_SHIFT;
	if (b >= NSMON_PATH_BUCKETS)
		return 1ULL << (NSMON_PATH_LOG_LAST + 1);
	octave = NSMON_PATH_LOG_FIRST + ((b - NSMON_PATH_LINEAR) >> NSMON_PATH_SUB_SHIFT);
	step = (b - NSMON_PATH_LINEAR) & ((1 << NSMON_PATH_SUB_SHIFT) - 1);
	return (1ULL << octave) + ((__u64)step << (octave - NSMON_PATH_SUB_SHIFT));
}

/*
 * The context of path_bucket_check, the one program nsmon never loads
 * (tests/bpf/test_path.c does): the bucket the verified, JITed rule gives
 * @ns, to compare with the same rule compiled for userspace.
 */
struct nsmon_bucket_check {
	__u64 ns;
	__u32 bucket;
	__u32 pad;
};

/* One leg's histograms, per CPU: the map `hists`, keyed by enum nsmon_leg. */
struct nsmon_path_hist {
	__u64 count[NSMON_SEG_MAX][NSMON_PATH_BUCKETS];
	__u64 sum_ns[NSMON_SEG_MAX];
};

/*
 * What happened to the packets of one leg, per CPU: the map `leg_stats`.
 * Every packet stamped at the first hop ends in exactly one of completed,
 * evicted, discarded, or is still in flight when the tracer stops.
 */
struct nsmon_path_leg_stats {
	__u64 started;		/* met the first hop (and was sampled) */
	__u64 completed;	/* consumed at the receiver after every hop: histogrammed, up to the limit */
	__u64 evicted;		/* its slot taken by a newer packet first (lost, or went elsewhere) */
	__u64 discarded;	/* consumed with a hop missing or the times out of order (a slot raced over) */
};

/* With trace_every_hop set (explain), one ring record per hop met, as it happens. */
struct nsmon_hop_event {
	struct nsmon_pkt_key key;
	__u64 ts;
	__u64 netns_cookie;
	__u32 ifindex;
	__u8 leg;
	__u8 hop;
	__u8 l2;		/* 0 unicast, 1 broadcast, 2 multicast destination */
	__u8 pad;
};

#endif
