/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Frame classification shared by the tc and XDP programs (BPF only).
 *
 * nsmon.h states the contract; these are the choices it leaves to the parser.
 * A family's class is counted only when the frame holds the header that
 * decides it, otherwise TRUNCATED is counted (once) and the parser stops:
 *
 * - L2 needs the 14-byte Ethernet header; shorter frames count TRUNCATED only.
 * - L3 reads the EtherType through at most two 802.1Q/802.1ad tags (QinQ),
 *   counting an outer tag the kernel moved out of the data (skb->vlan_tci:
 *   always so at tc ingress, and at egress on devices with VLAN offload,
 *   veth included) as the first. XDP sees only tags left in the data (a NIC
 *   that strips them in hardware hides them from it). A tagged frame counts
 *   VLAN even when its tag is cut short (then TRUNCATED replaces the L3
 *   class); a third tag is not read: that frame is OTHER.
 * - ARP needs the 8 fixed bytes up to and including op; hardware and
 *   protocol types are not checked. Ops other than 1 and 2 count ARP only.
 * - IPv4 needs ihl * 4 bytes. An ihl below 5 is malformed, not short:
 *   L4_OTHER. Non-first fragments are L4_OTHER (they carry no L4 header).
 * - IPv6 needs its 40-byte header, then skips up to IPV6_EXT_MAX
 *   hop-by-hop, routing and destination-options headers, each of which must
 *   be whole. More of them than that, a fragment header (even a first
 *   fragment), AH, ESP and no-next-header (59) are L4_OTHER.
 * - The L4 class comes from the IP header, so TCP and UDP read no L4 byte
 *   and never count TRUNCATED. ICMP/ICMPv6 reads the type byte for the echo
 *   classes: without it the frame counts ICMP and TRUNCATED.
 *
 * Include it after the kernel's types (vmlinux.h or the uapi headers) and
 * nsmon.h.
 */
#ifndef NSMON_PARSE_BPF_H
#define NSMON_PARSE_BPF_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* A classification is a set of enum nsmon_stat classes, one bit each. */
#define NSMON_CLASS(stat)	(1U << NSMON_STAT_##stat)
_Static_assert(NSMON_STAT_MAX <= 32, "a classification must fit a __u32");

#define ETH_P_IP		0x0800
#define ETH_P_ARP		0x0806
#define ETH_P_8021Q		0x8100
#define ETH_P_IPV6		0x86DD
#define ETH_P_8021AD		0x88A8

#define ARPOP_REQUEST		1
#define ARPOP_REPLY		2

#define IP_OFFSET_MASK		0x1FFF
#define IPV4_ICMP_ECHO_REPLY	0
#define IPV4_ICMP_ECHO_REQUEST	8

#define IPV6_HOPOPTS		0
#define IPV6_ROUTING		43
#define IPV6_DSTOPTS		60
#define IPV6_ICMP		58
#define IPV6_ICMP_ECHO_REQUEST	128
#define IPV6_ICMP_ECHO_REPLY	129

#define VLAN_MAX_DEPTH		2
#define IPV6_EXT_MAX		3

/*
 * Wire formats, only as far as the parser reads them. Not vmlinux.h's types:
 * those carry CO-RE relocations, pointless for a layout the wire fixes, and
 * iphdr's ihl is a bitfield.
 */
struct eth_wire {
	__u8 dst[6];
	__u8 src[6];
	__be16 type;
};

struct vlan_wire {
	__be16 tci;
	__be16 type;
};

struct arp_wire {
	__be16 hrd;
	__be16 pro;
	__u8 hln;
	__u8 pln;
	__be16 op;
};

struct ipv4_wire {
	__u8 ver_ihl;
	__u8 tos;
	__be16 tot_len;
	__be16 id;
	__be16 frag_off;
	__u8 ttl;
	__u8 protocol;
	__be16 check;
	__be32 saddr;
	__be32 daddr;
};

struct ipv6_wire {
	__be32 ver_tc_flow;
	__be16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	__u8 saddr[16];
	__u8 daddr[16];
};

struct ipv6_ext_wire {
	__u8 nexthdr;
	__u8 hdrlen;		/* in 8-byte units, not counting the first 8 */
};

/*
 * Where the parser reads a frame: [data, data_end), the XDP frame or the
 * linear part of an skb, @len bytes.
 */
struct pkt {
	const void *data;
	const void *data_end;
	__u32 len;
	bool vlan_offloaded;	/* the outer tag is in skb metadata, not in the data */
};

/* The @size bytes at @off, or NULL when the frame is shorter. */
static __always_inline const void *pkt_peek(const struct pkt *p, __u32 off, __u32 size)
{
	const __u8 *at = (const __u8 *)p->data + off;

	/* One pointer, checked then returned, so the verifier ties the range to it. */
	if (at + size > (const __u8 *)p->data_end)
		return NULL;
	return at;
}

static __always_inline __u32 classify_l2(const __u8 *dst)
{
	if (!(dst[0] & 1))
		return NSMON_CLASS(UNICAST);
	if ((dst[0] & dst[1] & dst[2] & dst[3] & dst[4] & dst[5]) == 0xff)
		return NSMON_CLASS(BROADCAST);
	return NSMON_CLASS(MULTICAST);
}

static __always_inline bool is_vlan_tpid(__be16 type)
{
	return type == bpf_htons(ETH_P_8021Q) || type == bpf_htons(ETH_P_8021AD);
}

/*
 * Step *@off and *@type over the tags in the data, an offloaded outer tag
 * taking the first turn. Return false when a tag is cut short.
 */
static __always_inline bool skip_vlan_tags(const struct pkt *p, __u32 *off, __be16 *type)
{
	const struct vlan_wire *tag;

#pragma unroll
	for (int i = 0; i < VLAN_MAX_DEPTH; i++) {
		if (i == 0 && p->vlan_offloaded)
			continue;
		if (!is_vlan_tpid(*type))
			return true;
		tag = pkt_peek(p, *off, sizeof(*tag));
		if (!tag)
			return false;
		*type = tag->type;
		*off += sizeof(*tag);
	}
	return true;
}

static __always_inline __u32 classify_arp(const struct pkt *p, __u32 off)
{
	const struct arp_wire *arp = pkt_peek(p, off, sizeof(*arp));

	if (!arp)
		return NSMON_CLASS(TRUNCATED);
	if (arp->op == bpf_htons(ARPOP_REQUEST))
		return NSMON_CLASS(ARP_REQUEST);
	if (arp->op == bpf_htons(ARPOP_REPLY))
		return NSMON_CLASS(ARP_REPLY);
	return 0;
}

/* ICMP and ICMPv6 share the layout of the type byte, only the values differ. */
static __always_inline __u32 classify_icmp(const struct pkt *p, __u32 off, __u8 echo_request,
					   __u8 echo_reply)
{
	const __u8 *type = pkt_peek(p, off, 1);

	if (!type)
		return NSMON_CLASS(ICMP) | NSMON_CLASS(TRUNCATED);
	if (*type == echo_request)
		return NSMON_CLASS(ICMP) | NSMON_CLASS(ICMP_ECHO_REQUEST);
	if (*type == echo_reply)
		return NSMON_CLASS(ICMP) | NSMON_CLASS(ICMP_ECHO_REPLY);
	return NSMON_CLASS(ICMP);
}

/*
 * @off is where the L4 header starts, @proto the IP protocol of that header;
 * @icmp_proto, @echo_request and @echo_reply tell ICMP from ICMPv6.
 */
static __always_inline __u32 classify_l4(const struct pkt *p, __u32 off, __u8 proto,
					 __u8 icmp_proto, __u8 echo_request, __u8 echo_reply)
{
	if (proto == IPPROTO_TCP)
		return NSMON_CLASS(TCP);
	if (proto == IPPROTO_UDP)
		return NSMON_CLASS(UDP);
	if (proto == icmp_proto)
		return classify_icmp(p, off, echo_request, echo_reply);
	return NSMON_CLASS(L4_OTHER);
}

static __always_inline __u32 classify_ipv4(const struct pkt *p, __u32 off)
{
	const struct ipv4_wire *ip = pkt_peek(p, off, sizeof(*ip));
	__u32 hlen;
	__u8 proto;

	if (!ip)
		return NSMON_CLASS(TRUNCATED);
	hlen = (ip->ver_ihl & 0x0f) * 4;
	proto = ip->protocol;
	if (hlen < sizeof(*ip))
		return NSMON_CLASS(L4_OTHER);
	if (off + hlen > p->len)
		return NSMON_CLASS(TRUNCATED);
	if (ip->frag_off & bpf_htons(IP_OFFSET_MASK))
		return NSMON_CLASS(L4_OTHER);
	return classify_l4(p, off + hlen, proto, IPPROTO_ICMP, IPV4_ICMP_ECHO_REQUEST,
			   IPV4_ICMP_ECHO_REPLY);
}

static __always_inline bool is_ipv6_skipped_ext(__u8 nexthdr)
{
	return nexthdr == IPV6_HOPOPTS || nexthdr == IPV6_ROUTING || nexthdr == IPV6_DSTOPTS;
}

static __always_inline __u32 classify_ipv6(const struct pkt *p, __u32 off)
{
	const struct ipv6_wire *ip6 = pkt_peek(p, off, sizeof(*ip6));
	const struct ipv6_ext_wire *ext;
	__u8 nexthdr;

	if (!ip6)
		return NSMON_CLASS(TRUNCATED);
	nexthdr = ip6->nexthdr;
	off += sizeof(*ip6);

#pragma unroll
	for (int i = 0; i < IPV6_EXT_MAX; i++) {
		if (!is_ipv6_skipped_ext(nexthdr))
			break;
		ext = pkt_peek(p, off, sizeof(*ext));
		if (!ext)
			return NSMON_CLASS(TRUNCATED);
		nexthdr = ext->nexthdr;
		off += (ext->hdrlen + 1) * 8;
		if (off > p->len)
			return NSMON_CLASS(TRUNCATED);
	}
	if (is_ipv6_skipped_ext(nexthdr))
		return NSMON_CLASS(L4_OTHER);
	return classify_l4(p, off, nexthdr, IPV6_ICMP, IPV6_ICMP_ECHO_REQUEST,
			   IPV6_ICMP_ECHO_REPLY);
}

/**
 * classify_frame() - the classes of the Ethernet frame @p reads, one of each
 * family that the frame is long enough to decide, plus VLAN and TRUNCATED
 * as they apply. PACKETS, BYTES and SKBS are not part of it.
 */
static __always_inline __u32 classify_frame(const struct pkt *p)
{
	const struct eth_wire *eth = pkt_peek(p, 0, sizeof(*eth));
	__u32 classes, off = sizeof(*eth);
	__be16 type;

	if (!eth)
		return NSMON_CLASS(TRUNCATED);
	classes = classify_l2(eth->dst);
	type = eth->type;
	if (p->vlan_offloaded || is_vlan_tpid(type)) {
		classes |= NSMON_CLASS(VLAN);
		if (!skip_vlan_tags(p, &off, &type))
			return classes | NSMON_CLASS(TRUNCATED);
	}

	if (type == bpf_htons(ETH_P_ARP))
		return classes | NSMON_CLASS(ARP) | classify_arp(p, off);
	if (type == bpf_htons(ETH_P_IP))
		return classes | NSMON_CLASS(IPV4) | classify_ipv4(p, off);
	if (type == bpf_htons(ETH_P_IPV6))
		return classes | NSMON_CLASS(IPV6) | classify_ipv6(p, off);
	return classes | NSMON_CLASS(OTHER);
}

#endif /* NSMON_PARSE_BPF_H */
