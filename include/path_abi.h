/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ABI of the path tracer (bpf/path.bpf.c), loaded only while `nsmon path`
 * or `nsmon explain` runs: which hook plays which role on the path, how a
 * packet is recognised at every hop, and what comes out of the ring buffer.
 */
#ifndef NSMON_PATH_ABI_H
#define NSMON_PATH_ABI_H

#ifndef __bpf__
#include <linux/types.h>
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

/* Request: --from -> --to; reply: the way back. */
enum nsmon_leg {
	NSMON_LEG_REQUEST,
	NSMON_LEG_REPLY,
	NSMON_LEG_MAX,
};

/* Which role a (namespace, interface, direction) plays; the roles map's key. */
struct nsmon_hook_key {
	__u64 netns_cookie;
	__u32 ifindex;
	__u32 direction;	/* enum nsmon_direction */
};

struct nsmon_hook_role {
	__u8 leg;		/* enum nsmon_leg */
	__u8 hop;		/* enum nsmon_hop */
	__u8 pad[2];
};

/* What the path filter (--proto) lets through. */
enum nsmon_path_proto {
	NSMON_PATH_ANY,
	NSMON_PATH_ICMP,
	NSMON_PATH_TCP,
	NSMON_PATH_UDP,
	NSMON_PATH_ARP,
};

/*
 * A packet as every hop sees it: skbs are re-allocated across the bridge
 * (floods clone them) and at XDP, so the content is the identity, not the
 * skb pointer. IPv4: addresses, protocol, IP id and the L4 identity (ICMP
 * id + sequence, TCP/UDP ports + TCP sequence); ARP: op and addresses.
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

/* A packet that reached the end of its leg: when it met each hop (0: missed). */
struct nsmon_path_sample {
	struct nsmon_pkt_key key;
	__u64 ts[NSMON_HOP_MAX];	/* bpf_ktime_get_ns() */
	__u8 leg;
	__u8 pad[7];
};

/* With trace_every_hop set (explain), one record per hop met, as it happens. */
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

/* The ring carries both; the first word says which. */
enum nsmon_path_record {
	NSMON_REC_SAMPLE = 1,
	NSMON_REC_HOP = 2,
};

struct nsmon_path_rec {
	__u32 type;		/* enum nsmon_path_record */
	__u32 pad;
	union {
		struct nsmon_path_sample sample;
		struct nsmon_hop_event hop;
	};
};

#endif
