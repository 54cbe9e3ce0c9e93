/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a captured Ethernet frame is, read from its bytes, typed, for the
 * lines `nsmon capture` prints (user/output/frame_text.c): addresses,
 * protocol, ARP's question or answer, ICMP's echo id and sequence, TCP's
 * flags. It reads what tcpdump -n shows, no deeper.
 */
#ifndef NSMON_FRAME_INFO_H
#define NSMON_FRAME_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define FRAME_VLAN_MAX	2

enum frame_l3 {
	FRAME_L3_OTHER,		/* an EtherType not read (see ethertype) */
	FRAME_L3_ARP,
	FRAME_L3_IPV4,
	FRAME_L3_IPV6,
};

struct frame_info {
	__u8 eth_dst[6], eth_src[6];
	__u16 ethertype;		/* inside the tags */
	int nvlan;
	__u16 vlan_id[FRAME_VLAN_MAX];
	__u8 vlan_pcp[FRAME_VLAN_MAX];
	enum frame_l3 l3;
	bool truncated;			/* cut before the headers below were whole */

	/* ARP (Ethernet/IPv4 only): op 1 request, 2 reply. */
	__u16 arp_op;
	__u8 arp_sha[6];

	/* IPv4 / IPv6; ARP's sender and target protocol addresses. */
	int family;			/* AF_INET, AF_INET6, 0: none read */
	__u8 src[16], dst[16];
	__u8 proto;			/* IPPROTO_*: after IPv6's skipped extension headers */
	__u32 l3_payload;		/* bytes after the IP header (ARP: after Ethernet) */
	bool fragment;			/* an IPv4 fragment other than the first */

	/* L4, when present. */
	bool has_l4;
	__u16 sport, dport;		/* TCP, UDP */
	__u8 tcp_flags;
	__u32 tcp_seq, tcp_ack;
	__u16 tcp_win;
	__u32 l4_payload;		/* TCP/UDP: bytes after their header */
	__u8 icmp_type, icmp_code;
	__u16 icmp_id, icmp_seq;	/* echo request/reply */
};

/**
 * frame_info_read() - what the frame in @data (@caplen bytes captured of
 * @len) is. Never reads past @caplen; what it could not reach is left out
 * and @fi->truncated set.
 */
void frame_info_read(const __u8 *data, size_t caplen, size_t len, struct frame_info *fi);

#endif
