/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The ABI of the capture programs (bpf/capture.bpf.c), loaded only while
 * `nsmon capture` runs: one ring buffer record per frame a hooked interface
 * received or sent, and the per-interface loss.
 */
#ifndef NSMON_CAPTURE_ABI_H
#define NSMON_CAPTURE_ABI_H

#ifndef __bpf__
#include <linux/types.h>
#endif

/* tcpdump's default snapshot length, and the most a record can hold. */
#define NSMON_CAP_SNAPLEN_DEFAULT	262144
/*
 * Records are reserved in size classes (the ring wants a constant size),
 * the largest holding a veth's largest GSO frame (gso_max_size 65536): a
 * bigger frame (BIG TCP) is cut there, its length kept.
 */
#define NSMON_CAP_DATA_MAX		65536

/* The default ring: ~30 ms of 64-byte frames at a million frames a second. */
#define NSMON_CAP_RING_KB_DEFAULT	8192

enum nsmon_cap_flags {
	NSMON_CAP_VLAN = 1 << 0,	/* vlan_proto/vlan_tci hold an outer tag the kernel
					   moved out of the frame into the skb */
};

struct nsmon_cap_rec {
	__u64 ts_ns;		/* bpf_ktime_get_ns() when the hook saw it */
	__u32 ifindex;		/* in the bridge's namespace: a port or the bridge */
	__u32 len;		/* the frame's length (skb->len), without an offloaded tag */
	__u32 caplen;		/* bytes of it in data[]: min(len, snaplen, NSMON_CAP_DATA_MAX) */
	__u16 vlan_tci;		/* host byte order */
	__be16 vlan_proto;	/* network byte order, as on the wire */
	__u8 direction;		/* enum nsmon_direction of the hooked interface */
	__u8 flags;		/* enum nsmon_cap_flags */
	__u8 pad[6];
	__u8 data[];		/* the frame from its Ethernet header */
};

#endif
