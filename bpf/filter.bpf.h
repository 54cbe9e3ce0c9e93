/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shared filter (--proto, --host, --port; include/filter_abi.h) in a tc
 * program (BPF only): read what the filter needs of the frame in an skb,
 * then apply the rule every reader shares, nsmon_filter_match().
 *
 * A program carries its filter in .rodata (`const volatile struct
 * nsmon_filter`, set before load): the verifier then knows which options
 * are empty and drops their code, and a program with no filter reads no byte
 * of the frame for it.
 *
 * The headers are read with bpf_skb_load_bytes(), not through the linear
 * part: it reads a frame whose headers a driver left in frags just the
 * same, and it never pulls (bpf_skb_pull_data may give the skb a new head,
 * and the counting programs on the same hooks follow a frame across the
 * bridge by its head: bpf/bridge.bpf.h). The frame is read as
 * bpf/parse.bpf.h reads it: through up to two 802.1Q/802.1ad tags, an
 * outer tag the kernel moved into the skb (skb->vlan_present) taking the
 * first turn, and IPv6's hop-by-hop, routing and destination options
 * headers. A frame too short for a header simply has none of what that
 * header would tell (no address, no port): it matches only options that
 * did not need it.
 *
 * Include it after the kernel's types (uapi or vmlinux.h) and nsmon.h.
 */
#ifndef NSMON_FILTER_BPF_H
#define NSMON_FILTER_BPF_H

#include "filter_abi.h"
#include "parse.bpf.h"

/* The protocol-address fields of an ARP packet for IPv4 over Ethernet, after op. */
struct arp_ipv4_wire {
	__u8 sha[6];
	__be32 spa;
	__u8 tha[6];
	__be32 tpa;
} __attribute__((packed));

/* TCP's and UDP's first four bytes. */
struct ports_wire {
	__be16 source;
	__be16 dest;
};

#define ARPHRD_ETHER_WIRE	1

/*
 * The keys from headers a program has read already, its own way (a tc
 * program from the skb, the path tracer from the packet, a tracepoint from
 * the kernel's skb): every reader fills them alike.
 */

/* An IPv4 header's addresses and protocols; its ports come with filter_keys_ports(). */
static __always_inline void filter_keys_ipv4(struct nsmon_frame_keys *k, __be32 saddr,
					     __be32 daddr, __u8 proto)
{
	k->protos |= NSMON_FILTER_IPV4;
	nsmon_filter_addr_from(&k->saddr, &saddr, 0);
	nsmon_filter_addr_from(&k->daddr, &daddr, 0);
	k->has_addrs = 1;
	if (proto == IPPROTO_ICMP)
		k->protos |= NSMON_FILTER_ICMP;
}

/* ARP's sender and target protocol addresses (IPv4 over Ethernet). */
static __always_inline void filter_keys_arp(struct nsmon_frame_keys *k, __be32 spa, __be32 tpa)
{
	nsmon_filter_addr_from(&k->saddr, &spa, 0);
	nsmon_filter_addr_from(&k->daddr, &tpa, 0);
	k->has_addrs = 1;
}

/* The L4 protocol @proto: true when it has ports (TCP, UDP). */
static __always_inline bool filter_keys_l4(struct nsmon_frame_keys *k, __u8 proto)
{
	if (proto == IPPROTO_TCP)
		k->protos |= NSMON_FILTER_TCP;
	else if (proto == IPPROTO_UDP)
		k->protos |= NSMON_FILTER_UDP;
	else
		return false;
	return true;
}

static __always_inline void filter_keys_ports(struct nsmon_frame_keys *k, __be16 sport,
					      __be16 dport)
{
	k->sport = bpf_ntohs(sport);
	k->dport = bpf_ntohs(dport);
	k->has_ports = 1;
}

static __always_inline void filter_read_ports(struct __sk_buff *skb, __u32 off, __u8 proto,
					      struct nsmon_frame_keys *k)
{
	struct ports_wire ports;

	if (!filter_keys_l4(k, proto) || bpf_skb_load_bytes(skb, off, &ports, sizeof(ports)))
		return;
	filter_keys_ports(k, ports.source, ports.dest);
}

static __always_inline void filter_read_arp(struct __sk_buff *skb, __u32 off,
					    struct nsmon_frame_keys *k)
{
	struct arp_wire arp;
	struct arp_ipv4_wire addrs;

	k->protos |= NSMON_FILTER_ARP;
	if (bpf_skb_load_bytes(skb, off, &arp, sizeof(arp)) ||
	    arp.pro != bpf_htons(ETH_P_IP) || arp.hln != 6 || arp.pln != 4 ||
	    bpf_skb_load_bytes(skb, off + sizeof(arp), &addrs, sizeof(addrs)))
		return;
	filter_keys_arp(k, addrs.spa, addrs.tpa);
}

static __always_inline void filter_read_ipv4(struct __sk_buff *skb, __u32 off,
					     struct nsmon_frame_keys *k)
{
	struct ipv4_wire ip;
	__u32 hlen;

	k->protos |= NSMON_FILTER_IPV4;
	if (bpf_skb_load_bytes(skb, off, &ip, sizeof(ip)))
		return;
	filter_keys_ipv4(k, ip.saddr, ip.daddr, ip.protocol);
	hlen = (ip.ver_ihl & 0x0f) * 4;
	/* A malformed ihl or a non-first fragment has no L4 header to read. */
	if (hlen < sizeof(ip) || (ip.frag_off & bpf_htons(IP_OFFSET_MASK))) {
		filter_keys_l4(k, ip.protocol);
		return;
	}
	filter_read_ports(skb, off + hlen, ip.protocol, k);
}

static __always_inline void filter_read_ipv6(struct __sk_buff *skb, __u32 off,
					     struct nsmon_frame_keys *k)
{
	struct ipv6_wire ip6;
	struct ipv6_ext_wire ext;
	__u8 nexthdr;

	k->protos |= NSMON_FILTER_IPV6;
	if (bpf_skb_load_bytes(skb, off, &ip6, sizeof(ip6)))
		return;
	__builtin_memcpy(k->saddr.w, ip6.saddr, 16);
	__builtin_memcpy(k->daddr.w, ip6.daddr, 16);
	k->has_addrs = 1;
	nexthdr = ip6.nexthdr;
	off += sizeof(ip6);
#pragma unroll
	for (int i = 0; i < IPV6_EXT_MAX; i++) {
		if (!is_ipv6_skipped_ext(nexthdr))
			break;
		if (bpf_skb_load_bytes(skb, off, &ext, sizeof(ext)))
			return;
		nexthdr = ext.nexthdr;
		off += (ext.hdrlen + 1) * 8;
	}
	if (nexthdr == IPV6_ICMP)
		k->protos |= NSMON_FILTER_ICMP6;
	else
		filter_read_ports(skb, off, nexthdr, k);
}

/**
 * filter_skb_keys() - what the filter needs of the Ethernet frame in @skb
 * (a tc program's context): protocols, addresses, ports.
 */
static __always_inline void filter_skb_keys(struct __sk_buff *skb, struct nsmon_frame_keys *k)
{
	struct eth_wire eth;
	struct vlan_wire tag;
	__u32 off = sizeof(eth);
	__be16 type;

	__builtin_memset(k, 0, sizeof(*k));
	if (bpf_skb_load_bytes(skb, 0, &eth, sizeof(eth)))
		return;
	type = eth.type;
#pragma unroll
	for (int i = 0; i < VLAN_MAX_DEPTH; i++) {
		if (i == 0 && skb->vlan_present)
			continue;
		if (!is_vlan_tpid(type))
			break;
		if (bpf_skb_load_bytes(skb, off, &tag, sizeof(tag)))
			return;
		type = tag.type;
		off += sizeof(tag);
	}
	if (type == bpf_htons(ETH_P_ARP))
		filter_read_arp(skb, off, k);
	else if (type == bpf_htons(ETH_P_IP))
		filter_read_ipv4(skb, off, k);
	else if (type == bpf_htons(ETH_P_IPV6))
		filter_read_ipv6(skb, off, k);
}

/*
 * The filter in a program's .rodata as a plain pointer. Casting the
 * volatile away alone would let clang read the initializer (all zero) in
 * place of the map; hidden behind an empty asm, the pointer is loaded from
 * the map, where the verifier knows the values (the map is frozen).
 */
#define filter_of_rodata(rodata) ({					\
	const struct nsmon_filter *__f = (const struct nsmon_filter *)(rodata); \
	asm volatile("" : "+r"(__f));					\
	__f;								\
})

/**
 * filter_skb() - does the frame in @skb pass @f (filter_of_rodata())? An
 * empty filter reads nothing.
 */
static __always_inline bool filter_skb(struct __sk_buff *skb, const struct nsmon_filter *f)
{
	struct nsmon_frame_keys k;

	if (nsmon_filter_is_empty(f))
		return true;
	filter_skb_keys(skb, &k);
	return nsmon_filter_match(f, &k);
}

#endif /* NSMON_FILTER_BPF_H */
