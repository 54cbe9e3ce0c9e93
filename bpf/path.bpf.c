// SPDX-License-Identifier: GPL-2.0
/*
 * The path tracer behind `nsmon path` and `nsmon explain`, attached only
 * while they run (its own tcx links, next to the counting programs), so the
 * monitor's default cost does not grow.
 *
 * Every hop recognises a packet by its content (include/path_abi.h) and
 * stamps the time it met it; the last hop (the stack consuming the skb)
 * sends the whole leg as one sample.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "nsmon.h"
#include "path_abi.h"
#include "dev.bpf.h"

#define ETH_P_IP	0x0800
#define ETH_P_ARP	0x0806

char LICENSE[] SEC("license") = "GPL";

const volatile __u8 proto_filter = NSMON_PATH_ANY;
const volatile bool trace_every_hop = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct nsmon_hook_key);
	__type(value, struct nsmon_hook_role);
} roles SEC(".maps");

/* Packets on their way: when they met each hop so far. */
struct in_flight {
	__u64 ts[NSMON_HOP_MAX];
	__u8 leg;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct nsmon_pkt_key);
	__type(value, struct in_flight);
} flights SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} records SEC(".maps");

struct eth_wire {
	__u8 dst[6];
	__u8 src[6];
	__be16 type;
};

struct arp_wire {
	__be16 hrd, pro;
	__u8 hln, pln;
	__be16 op;
	__u8 sha[6];
	__be32 spa;
	__u8 tha[6];
	__be32 tpa;
} __attribute__((packed));

struct ipv4_wire {
	__u8 ver_ihl, tos;
	__be16 tot_len, id, frag_off;
	__u8 ttl, protocol;
	__be16 check;
	__be32 saddr, daddr;
};

/* The first 8 bytes of ICMP, TCP or UDP: all that identifies the packet. */
struct l4_wire {
	__be16 a, b;		/* ICMP: type/code, checksum; TCP/UDP: ports */
	__be32 c;		/* ICMP: id, sequence; TCP: sequence */
};

static __always_inline bool wanted(__u8 proto, bool arp)
{
	switch (proto_filter) {
	case NSMON_PATH_ICMP: return !arp && proto == IPPROTO_ICMP;
	case NSMON_PATH_TCP: return !arp && proto == IPPROTO_TCP;
	case NSMON_PATH_UDP: return !arp && proto == IPPROTO_UDP;
	case NSMON_PATH_ARP: return arp;
	}
	return true;
}

/* The key of an IPv4 packet whose L3 and L4 headers the caller read. */
static __always_inline bool ipv4_key(const struct ipv4_wire *ip, const struct l4_wire *l4,
				     struct nsmon_pkt_key *key)
{
	if (!wanted(ip->protocol, false))
		return false;
	key->saddr = ip->saddr;
	key->daddr = ip->daddr;
	key->proto = ip->protocol;
	key->ip_id = bpf_ntohs(ip->id);
	if (ip->protocol == IPPROTO_ICMP) {
		__u8 type = bpf_ntohs(l4->a) >> 8;

		key->l4_a = bpf_ntohl(l4->c);
		key->kind = type == 8 ? NSMON_PKT_ECHO_REQUEST :
			    type == 0 ? NSMON_PKT_ECHO_REPLY : NSMON_PKT_OTHER;
	} else if (ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP) {
		key->l4_a = (__u32)bpf_ntohs(l4->a) << 16 | bpf_ntohs(l4->b);
		key->l4_b = ip->protocol == IPPROTO_TCP ? bpf_ntohl(l4->c) : 0;
		key->kind = ip->protocol == IPPROTO_TCP ? NSMON_PKT_TCP : NSMON_PKT_UDP;
	}
	return true;
}

static __always_inline bool arp_key(const struct arp_wire *arp, struct nsmon_pkt_key *key)
{
	if (!wanted(0, true))
		return false;
	key->saddr = arp->spa;
	key->daddr = arp->tpa;
	key->ip_id = bpf_ntohs(arp->op);
	key->kind = key->ip_id == 1 ? NSMON_PKT_ARP_REQUEST :
		    key->ip_id == 2 ? NSMON_PKT_ARP_REPLY : NSMON_PKT_OTHER;
	return true;
}

/* The key of the Ethernet frame in [data, end); false if it is not traced. */
static __always_inline bool frame_key(void *data, void *end, struct nsmon_pkt_key *key, __u8 *l2)
{
	struct eth_wire *eth = data;
	struct ipv4_wire *ip;
	struct arp_wire *arp;
	struct l4_wire *l4;

	if ((void *)(eth + 1) > end)
		return false;
	*l2 = !(eth->dst[0] & 1) ? 0 : (eth->dst[0] & eth->dst[1] & eth->dst[2] & eth->dst[3] &
				       eth->dst[4] & eth->dst[5]) == 0xff ? 1 : 2;
	if (eth->type == bpf_htons(ETH_P_ARP)) {
		arp = (void *)(eth + 1);
		if ((void *)(arp + 1) > end)
			return false;
		return arp_key(arp, key);
	}
	if (eth->type != bpf_htons(ETH_P_IP))
		return false;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->ver_ihl != 0x45)	/* options: not traced */
		return false;
	l4 = (void *)(ip + 1);
	if ((void *)(l4 + 1) > end)
		return false;
	return ipv4_key(ip, l4, key);
}

static __always_inline void emit_hop(const struct nsmon_pkt_key *key, __u64 ts, __u64 cookie,
				     __u32 ifindex, const struct nsmon_hook_role *role, __u8 l2)
{
	struct nsmon_path_rec *rec = bpf_ringbuf_reserve(&records, sizeof(*rec), 0);

	if (!rec)
		return;
	__builtin_memset(rec, 0, sizeof(*rec));
	rec->type = NSMON_REC_HOP;
	rec->hop.key = *key;
	rec->hop.ts = ts;
	rec->hop.netns_cookie = cookie;
	rec->hop.ifindex = ifindex;
	rec->hop.leg = role->leg;
	rec->hop.hop = role->hop;
	rec->hop.l2 = l2;
	bpf_ringbuf_submit(rec, 0);
}

/* Stamp @key at the hop of @role; the first hop starts a flight. */
static __always_inline void stamp(const struct nsmon_pkt_key *key,
				  const struct nsmon_hook_role *role, __u64 now)
{
	struct in_flight *f, fresh = { .leg = role->leg };

	if (role->hop == NSMON_HOP_SENDER_TX) {
		fresh.ts[NSMON_HOP_SENDER_TX] = now;
		bpf_map_update_elem(&flights, key, &fresh, BPF_ANY);
		return;
	}
	f = bpf_map_lookup_elem(&flights, key);
	if (f && f->leg == role->leg && role->hop < NSMON_HOP_MAX && !f->ts[role->hop])
		f->ts[role->hop] = now;
}

static __always_inline int on_tc(struct __sk_buff *skb, __u32 direction)
{
	struct sk_buff *kskb = bpf_cast_to_kern_ctx(skb);
	struct nsmon_hook_key hk = {
		.netns_cookie = dev_netns_cookie(kskb->dev),
		.ifindex = skb->ifindex,
		.direction = direction,
	};
	struct nsmon_hook_role *role = bpf_map_lookup_elem(&roles, &hk);
	struct nsmon_pkt_key key = {};
	__u64 now;
	__u8 l2 = 0;

	if (!role)
		return TC_ACT_UNSPEC;
	if (!frame_key((void *)(long)skb->data, (void *)(long)skb->data_end, &key, &l2))
		return TC_ACT_UNSPEC;
	now = bpf_ktime_get_ns();
	stamp(&key, role, now);
	if (trace_every_hop)
		emit_hop(&key, now, hk.netns_cookie, hk.ifindex, role, l2);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int path_ingress(struct __sk_buff *skb)
{
	return on_tc(skb, NSMON_DIR_RX);
}

SEC("tc")
int path_egress(struct __sk_buff *skb)
{
	return on_tc(skb, NSMON_DIR_TX);
}

/*
 * The stack is done with a packet that reached its receiver: the leg is
 * complete. consume_skb fires for every skb on the machine, so the cheap
 * checks (a flight for this content at all) come before the ring.
 */
SEC("tp_btf/consume_skb")
int BPF_PROG(path_consumed, struct sk_buff *skb, void *location)
{
	struct nsmon_pkt_key key = {};
	struct nsmon_hook_role role = { .hop = NSMON_HOP_CONSUMED };
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	__be16 protocol = BPF_CORE_READ(skb, protocol);
	struct nsmon_path_rec *rec;
	struct in_flight *f;
	struct ipv4_wire ip;
	struct arp_wire arp;
	struct l4_wire l4;
	__u64 now;

	if (protocol == bpf_htons(ETH_P_IP)) {
		if (bpf_probe_read_kernel(&ip, sizeof(ip), head + nh) || ip.ver_ihl != 0x45 ||
		    bpf_probe_read_kernel(&l4, sizeof(l4), head + nh + sizeof(ip)) ||
		    !ipv4_key(&ip, &l4, &key))
			return 0;
	} else if (protocol == bpf_htons(ETH_P_ARP)) {
		if (bpf_probe_read_kernel(&arp, sizeof(arp), head + nh) || !arp_key(&arp, &key))
			return 0;
	} else {
		return 0;
	}
	f = bpf_map_lookup_elem(&flights, &key);
	if (!f || !f->ts[NSMON_HOP_RECEIVER_RX])
		return 0;
	now = bpf_ktime_get_ns();
	role.leg = f->leg;
	if (trace_every_hop) {
		struct net_device *dev = BPF_CORE_READ(skb, dev);

		emit_hop(&key, now, dev ? BPF_CORE_READ(dev, nd_net.net, net_cookie) : 0,
			 dev ? BPF_CORE_READ(dev, ifindex) : 0, &role, 0);
	}
	rec = bpf_ringbuf_reserve(&records, sizeof(*rec), 0);
	if (rec) {
		__builtin_memset(rec, 0, sizeof(*rec));
		rec->type = NSMON_REC_SAMPLE;
		rec->sample.key = key;
		__builtin_memcpy(rec->sample.ts, f->ts, sizeof(f->ts));
		rec->sample.ts[NSMON_HOP_CONSUMED] = now;
		rec->sample.leg = f->leg;
		bpf_ringbuf_submit(rec, 0);
	}
	bpf_map_delete_elem(&flights, &key);
	return 0;
}
