// SPDX-License-Identifier: GPL-2.0
/* Reading a captured frame's headers: see frame_info.h. */
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "model/frame_info.h"

#define ETH_P_IP	0x0800
#define ETH_P_ARP	0x0806
#define ETH_P_8021Q	0x8100
#define ETH_P_IPV6	0x86DD
#define ETH_P_8021AD	0x88A8
#define IPV6_EXT_MAX	3

/* The bytes of a frame, and how far a reader may go. */
struct cursor {
	const __u8 *data;
	size_t caplen;
};

static const __u8 *at(const struct cursor *c, size_t off, size_t n)
{
	return off + n <= c->caplen ? c->data + off : NULL;
}

static __u16 be16(const __u8 *p)
{
	return p[0] << 8 | p[1];
}

static __u32 be32(const __u8 *p)
{
	return (__u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void read_l4(const struct cursor *c, size_t off, size_t end, struct frame_info *fi)
{
	const __u8 *p;

	if (fi->proto == IPPROTO_TCP) {
		p = at(c, off, 20);
		if (!p)
			goto cut;
		fi->sport = be16(p);
		fi->dport = be16(p + 2);
		fi->tcp_seq = be32(p + 4);
		fi->tcp_ack = be32(p + 8);
		fi->tcp_flags = p[13];
		fi->tcp_win = be16(p + 14);
		fi->l4_payload = end > off + (p[12] >> 4) * 4 ? end - off - (p[12] >> 4) * 4 : 0;
	} else if (fi->proto == IPPROTO_UDP) {
		p = at(c, off, 8);
		if (!p)
			goto cut;
		fi->sport = be16(p);
		fi->dport = be16(p + 2);
		fi->l4_payload = be16(p + 4) >= 8 ? be16(p + 4) - 8 : 0;
	} else if (fi->proto == IPPROTO_ICMP || fi->proto == IPPROTO_ICMPV6) {
		p = at(c, off, 8);
		if (!p)
			goto cut;
		fi->icmp_type = p[0];
		fi->icmp_code = p[1];
		fi->icmp_id = be16(p + 4);
		fi->icmp_seq = be16(p + 6);
	} else {
		return;
	}
	fi->has_l4 = true;
	return;
cut:
	fi->truncated = true;
}

static void read_arp(const struct cursor *c, size_t off, size_t len, struct frame_info *fi)
{
	const __u8 *p = at(c, off, 28);

	fi->l3_payload = len > off ? len - off : 0;
	if (!p) {
		fi->truncated = true;
		return;
	}
	fi->arp_op = be16(p + 6);
	/* Only Ethernet/IPv4 has addresses where we read them. */
	if (be16(p + 2) != ETH_P_IP || p[4] != 6 || p[5] != 4)
		return;
	memcpy(fi->arp_sha, p + 8, 6);
	fi->family = AF_INET;
	memcpy(fi->src, p + 14, 4);
	memcpy(fi->dst, p + 24, 4);
}

static void read_ipv4(const struct cursor *c, size_t off, struct frame_info *fi)
{
	const __u8 *p = at(c, off, 20);
	size_t hlen, total;

	if (!p) {
		fi->truncated = true;
		return;
	}
	fi->family = AF_INET;
	memcpy(fi->src, p + 12, 4);
	memcpy(fi->dst, p + 16, 4);
	fi->proto = p[9];
	hlen = (p[0] & 0x0f) * 4;
	total = be16(p + 2);
	fi->l3_payload = total > hlen ? total - hlen : 0;
	fi->fragment = be16(p + 6) & 0x1fff;
	if (hlen >= 20 && !fi->fragment)
		read_l4(c, off + hlen, off + total, fi);
}

static void read_ipv6(const struct cursor *c, size_t off, struct frame_info *fi)
{
	const __u8 *p = at(c, off, 40);
	size_t end;
	__u8 next;

	if (!p) {
		fi->truncated = true;
		return;
	}
	fi->family = AF_INET6;
	memcpy(fi->src, p + 8, 16);
	memcpy(fi->dst, p + 24, 16);
	next = p[6];
	end = off + 40 + be16(p + 4);
	off += 40;
	/* Hop-by-hop, routing and destination options, as the BPF filter skips them. */
	for (int i = 0; i < IPV6_EXT_MAX && (next == 0 || next == 43 || next == 60); i++) {
		p = at(c, off, 2);
		if (!p) {
			fi->truncated = true;
			return;
		}
		next = p[0];
		off += (p[1] + 1) * 8;
	}
	fi->proto = next;
	fi->l3_payload = end > off ? end - off : 0;
	read_l4(c, off, end, fi);
}

void frame_info_read(const __u8 *data, size_t caplen, size_t len, struct frame_info *fi)
{
	struct cursor c = { .data = data, .caplen = caplen };
	const __u8 *p = at(&c, 0, 14);
	size_t off = 14;
	__u16 type;

	memset(fi, 0, sizeof(*fi));
	if (!p) {
		fi->truncated = true;
		return;
	}
	memcpy(fi->eth_dst, p, 6);
	memcpy(fi->eth_src, p + 6, 6);
	type = be16(p + 12);
	while ((type == ETH_P_8021Q || type == ETH_P_8021AD) && fi->nvlan < FRAME_VLAN_MAX) {
		p = at(&c, off, 4);
		if (!p) {
			fi->truncated = true;
			return;
		}
		fi->vlan_id[fi->nvlan] = be16(p) & 0x0fff;
		fi->vlan_pcp[fi->nvlan++] = p[0] >> 5;
		type = be16(p + 2);
		off += 4;
	}
	fi->ethertype = type;
	if (type == ETH_P_ARP) {
		fi->l3 = FRAME_L3_ARP;
		read_arp(&c, off, len, fi);
	} else if (type == ETH_P_IP) {
		fi->l3 = FRAME_L3_IPV4;
		read_ipv4(&c, off, fi);
	} else if (type == ETH_P_IPV6) {
		fi->l3 = FRAME_L3_IPV6;
		read_ipv6(&c, off, fi);
	} else {
		fi->l3_payload = len > off ? len - off : 0;
	}
}
