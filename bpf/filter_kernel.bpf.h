/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shared filter (--proto, --host, --port; include/filter_abi.h) on a
 * kernel struct sk_buff, for tracing programs (the drop tracepoint): what
 * the filter needs of the packet, read from its network header on, then
 * the rule every reader shares. Include it after vmlinux.h and nsmon.h.
 *
 * A tracepoint sees the skb where the kernel is done with it, not a frame
 * on a wire: skb->protocol says what the network header is (an offloaded
 * VLAN tag is not in the way; one left in the data is, and such a packet
 * has no protocol the filter knows), and the network header is where the
 * stack set it. A packet dropped before that was set (or whose headers
 * cannot be read) has no addresses or ports: it matches only options that
 * do not need them. The headers are copied with bpf_probe_read_kernel():
 * this runs only for a drop in the scope, with a filter given.
 */
#ifndef NSMON_FILTER_KERNEL_BPF_H
#define NSMON_FILTER_KERNEL_BPF_H

#include "filter.bpf.h"

/* skb->network_header when the stack never set it (skb_network_header_was_set()). */
#define NSMON_SKB_HEADER_UNSET	((__u16)~0U)

static __always_inline void filter_kskb_ipv4(const unsigned char *l3, struct nsmon_frame_keys *k)
{
	struct ipv4_wire ip;
	struct ports_wire ports;
	__u32 hlen;

	k->protos |= NSMON_FILTER_IPV4;
	if (bpf_probe_read_kernel(&ip, sizeof(ip), l3))
		return;
	filter_keys_ipv4(k, ip.saddr, ip.daddr, ip.protocol);
	hlen = (ip.ver_ihl & 0x0f) * 4;
	if (!filter_keys_l4(k, ip.protocol) || hlen < sizeof(ip) ||
	    (ip.frag_off & bpf_htons(IP_OFFSET_MASK)) ||
	    bpf_probe_read_kernel(&ports, sizeof(ports), l3 + hlen))
		return;
	filter_keys_ports(k, ports.source, ports.dest);
}

static __always_inline void filter_kskb_ipv6(const unsigned char *l3, struct nsmon_frame_keys *k)
{
	struct ipv6_wire ip6;
	struct ipv6_ext_wire ext;
	struct ports_wire ports;
	__u32 off = sizeof(ip6);
	__u8 nexthdr;

	k->protos |= NSMON_FILTER_IPV6;
	if (bpf_probe_read_kernel(&ip6, sizeof(ip6), l3))
		return;
	nsmon_filter_addr_from(&k->saddr, ip6.saddr, 1);
	nsmon_filter_addr_from(&k->daddr, ip6.daddr, 1);
	k->has_addrs = 1;
	nexthdr = ip6.nexthdr;
#pragma unroll
	for (int i = 0; i < IPV6_EXT_MAX; i++) {
		if (!is_ipv6_skipped_ext(nexthdr))
			break;
		if (bpf_probe_read_kernel(&ext, sizeof(ext), l3 + off))
			return;
		nexthdr = ext.nexthdr;
		off += (ext.hdrlen + 1) * 8;
	}
	if (nexthdr == IPV6_ICMP) {
		k->protos |= NSMON_FILTER_ICMP6;
		return;
	}
	if (filter_keys_l4(k, nexthdr) && !bpf_probe_read_kernel(&ports, sizeof(ports), l3 + off))
		filter_keys_ports(k, ports.source, ports.dest);
}

static __always_inline void filter_kskb_arp(const unsigned char *l3, struct nsmon_frame_keys *k)
{
	struct arp_wire arp;
	struct arp_ipv4_wire addrs;

	k->protos |= NSMON_FILTER_ARP;
	if (bpf_probe_read_kernel(&arp, sizeof(arp), l3) || arp.pro != bpf_htons(ETH_P_IP) ||
	    arp.hln != 6 || arp.pln != 4 ||
	    bpf_probe_read_kernel(&addrs, sizeof(addrs), l3 + sizeof(arp)))
		return;
	filter_keys_arp(k, addrs.spa, addrs.tpa);
}

/**
 * filter_kskb() - does the packet of the kernel's @skb pass @f
 * (filter_of_rodata())? An empty filter reads nothing.
 */
static __always_inline bool filter_kskb(const struct sk_buff *skb, const struct nsmon_filter *f)
{
	struct nsmon_frame_keys k;
	const unsigned char *l3;
	__be16 protocol;
	__u16 nh;

	if (nsmon_filter_is_empty(f))
		return true;
	__builtin_memset(&k, 0, sizeof(k));
	nh = BPF_CORE_READ(skb, network_header);
	protocol = BPF_CORE_READ(skb, protocol);
	l3 = BPF_CORE_READ(skb, head) + nh;
	if (nh == NSMON_SKB_HEADER_UNSET)
		;	/* nothing to read */
	else if (protocol == bpf_htons(ETH_P_IP))
		filter_kskb_ipv4(l3, &k);
	else if (protocol == bpf_htons(ETH_P_IPV6))
		filter_kskb_ipv6(l3, &k);
	else if (protocol == bpf_htons(ETH_P_ARP))
		filter_kskb_arp(l3, &k);
	return nsmon_filter_match(f, &k);
}

#endif /* NSMON_FILTER_KERNEL_BPF_H */
