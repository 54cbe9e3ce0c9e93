// SPDX-License-Identifier: GPL-2.0
/*
 * The path tracer behind `nsmon path` and `nsmon explain`, attached only
 * while they run (its own tcx links, next to the counting programs), so the
 * monitor's default cost does not grow.
 *
 * Every hop recognises a packet by its content (include/path_abi.h), hashed
 * into a 64-bit tag, and stamps the time it met it into the packet's slot of
 * a direct-mapped table; the last hop (the stack consuming the skb) adds the
 * leg's segments to per-CPU histograms that userspace reads when it stops.
 * Nothing per packet goes to userspace and nothing wakes it, so the tracer
 * costs the path a few map accesses per hop, not a context switch: it must
 * not change the latency it measures. Only `explain` (trace_every_hop) sends
 * a ring record per hop, for the one ping it explains.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>

#include "nsmon.h"
#include "path_abi.h"
#include "dev.bpf.h"
#include "filter.bpf.h"

/* Another CPU may write the slot: read and write its tag once, in program order. */
#define READ_ONCE(x)		(*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile typeof(x) *)&(x) = (v))

char LICENSE[] SEC("license") = "GPL";

/* --proto, --host, --port (empty: every IPv4 and ARP packet): include/filter_abi.h's rule. */
const volatile struct nsmon_filter filter = {};
const volatile bool trace_every_hop = false;
const volatile __u32 sample_every = 1;		/* --sample N: one packet in N */
const volatile __u64 count_limit = 0;		/* --count N: legs histogrammed per leg; 0: all */

/*
 * Direct-mapped by the tag's low bits, an array rather than a (LRU) hash:
 * the verifier inlines the lookup to an address computation, nothing is
 * allocated or locked per packet, and a packet that never arrives (dropped,
 * sent elsewhere, consumed where we do not look) stays only until a newer
 * packet needs its slot, which counts it `evicted`. So the table's memory is
 * bounded and every packet that met the first hop is accounted for.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NSMON_PATH_FLIGHTS);
	__type(key, __u32);
	__type(value, struct nsmon_path_flight);
} flights SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NSMON_LEG_MAX);
	__type(key, __u32);
	__type(value, struct nsmon_path_hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NSMON_LEG_MAX);
	__type(key, __u32);
	__type(value, struct nsmon_path_leg_stats);
} leg_stats SEC(".maps");

/*
 * Legs histogrammed so far, shared by all CPUs: a ticket taken atomically
 * per completed leg, so that --count N records exactly N, whichever CPUs
 * complete them, and userspace polls one word to know when to stop.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NSMON_LEG_MAX);
	__type(key, __u32);
	__type(value, __u64);
} tickets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} records SEC(".maps");

/* The first 8 bytes of ICMP, TCP or UDP: all that identifies the packet. */
struct l4_wire {
	__be16 a, b;		/* ICMP: type/code, checksum; TCP/UDP: ports */
	__be32 c;		/* ICMP: id, sequence; TCP: sequence */
};

/*
 * Does the IPv4 packet pass the filter? Its headers are read already (from
 * the frame at a tc hop, from the kernel's skb at the last): the keys come
 * from them, and the rule is the one every command shares. An empty filter
 * costs nothing: the verifier drops this code.
 */
static __always_inline bool ipv4_passes(const struct ipv4_wire *ip, const struct l4_wire *l4)
{
	const struct nsmon_filter *f = filter_of_rodata(&filter);
	struct nsmon_frame_keys k = {};

	if (nsmon_filter_is_empty(f))
		return true;
	filter_keys_ipv4(&k, ip->saddr, ip->daddr, ip->protocol);
	/* A non-first fragment has no ports, as the filter reads every frame. */
	if (filter_keys_l4(&k, ip->protocol) && !(ip->frag_off & bpf_htons(IP_OFFSET_MASK)))
		filter_keys_ports(&k, l4->a, l4->b);
	return nsmon_filter_match(f, &k);
}

static __always_inline bool arp_passes(__be32 spa, __be32 tpa)
{
	const struct nsmon_filter *f = filter_of_rodata(&filter);
	struct nsmon_frame_keys k = { .protos = NSMON_FILTER_ARP };

	if (nsmon_filter_is_empty(f))
		return true;
	filter_keys_arp(&k, spa, tpa);
	return nsmon_filter_match(f, &k);
}

/* The key of an IPv4 packet whose L3 and L4 headers the caller read. */
static __always_inline bool ipv4_key(const struct ipv4_wire *ip, const struct l4_wire *l4,
				     struct nsmon_pkt_key *key)
{
	if (!ipv4_passes(ip, l4))
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

/* The key of an ARP packet: its fixed header @arp, then IPv4 over Ethernet's @addrs. */
static __always_inline bool arp_key(const struct arp_wire *arp, const struct arp_ipv4_wire *addrs,
				    struct nsmon_pkt_key *key)
{
	__be32 spa = addrs->spa, tpa = addrs->tpa;

	if (!arp_passes(spa, tpa))
		return false;
	key->saddr = spa;
	key->daddr = tpa;
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
	struct arp_ipv4_wire *addrs;
	struct l4_wire *l4;

	if ((void *)(eth + 1) > end)
		return false;
	*l2 = !(eth->dst[0] & 1) ? 0 : (eth->dst[0] & eth->dst[1] & eth->dst[2] & eth->dst[3] &
				       eth->dst[4] & eth->dst[5]) == 0xff ? 1 : 2;
	if (eth->type == bpf_htons(ETH_P_ARP)) {
		arp = (void *)(eth + 1);
		addrs = (void *)(arp + 1);
		if ((void *)(addrs + 1) > end)
			return false;
		return arp_key(arp, addrs, key);
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

/*
 * The packet's tag: a multiply-xorshift mix (splitmix64's finaliser) of the
 * key's words, a few ns of ALU work on fields already in registers. Never 0,
 * which marks a free slot.
 */
static __always_inline __u64 key_tag(const struct nsmon_pkt_key *k)
{
	__u64 h = ((__u64)k->saddr << 32 | k->daddr) ^
		  ((__u64)k->l4_a << 32 | k->l4_b) * 0x9e3779b97f4a7c15ULL ^
		  ((__u64)k->ip_id << 16 | (__u64)k->proto << 8 | k->kind) * 0xc2b2ae3d27d4eb4fULL;

	h = (h ^ (h >> 31)) * 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 29;
	return h ? h : 1;
}

/*
 * --sample N: whether every hop traces this packet. Decided from its
 * content, so every hop decides alike. An ICMP echo and its reply are
 * picked by their sequence number (seq % N == 0): both legs of the same
 * pings, and the ones `ping` itself numbers, so a user can tell which were
 * traced. Anything else by the tag's high bits (the low ones pick the slot).
 */
static __always_inline bool sampled(const struct nsmon_pkt_key *k, __u64 tag)
{
	__u32 n = sample_every;

	if (n <= 1)
		return true;
	if (k->kind == NSMON_PKT_ECHO_REQUEST || k->kind == NSMON_PKT_ECHO_REPLY)
		return (k->l4_a & 0xffff) % n == 0;
	return (__u32)(tag >> 32) % n == 0;
}

static __always_inline struct nsmon_path_flight *slot_of(__u64 tag)
{
	__u32 i = (__u32)tag & (NSMON_PATH_FLIGHTS - 1);

	return bpf_map_lookup_elem(&flights, &i);
}

static __always_inline struct nsmon_path_leg_stats *stats_of(__u32 leg)
{
	return bpf_map_lookup_elem(&leg_stats, &leg);
}

static __always_inline void emit_hop(const struct nsmon_pkt_key *key, __u64 ts, __u64 cookie,
				     __u32 ifindex, __u32 leg, __u32 hop, __u8 l2)
{
	struct nsmon_hop_event *rec = bpf_ringbuf_reserve(&records, sizeof(*rec), 0);

	if (!rec)
		return;
	__builtin_memset(rec, 0, sizeof(*rec));
	rec->key = *key;
	rec->ts = ts;
	rec->netns_cookie = cookie;
	rec->ifindex = ifindex;
	rec->leg = leg;
	rec->hop = hop;
	rec->l2 = l2;
	bpf_ringbuf_submit(rec, 0);
}

/*
 * The first hop: the packet takes its slot. The slot's tag is cleared
 * (atomically, so that a completion on another CPU and this eviction
 * cannot both claim the old packet) before the times are written, and set
 * last: a reader that sees the tag sees this packet's times.
 */
static __always_inline __u64 start_flight(struct nsmon_path_flight *f, __u64 tag, __u32 leg)
{
	struct nsmon_path_leg_stats *st;
	__u64 old = __sync_lock_test_and_set(&f->tag, 0), now;

	if (old) {
		st = stats_of(f->leg);
		if (st)
			st->evicted++;
	}
	st = stats_of(leg);
	if (st)
		st->started++;
	f->leg = leg;
	f->after_ns[0] = 0;
	f->after_ns[1] = 0;
	f->after_ns[2] = 0;
	/* As late as this hop allows: what came before is the sender's stack, not the path. */
	now = bpf_ktime_get_ns();
	f->first_ns = now;
	asm volatile("" ::: "memory");
	WRITE_ONCE(f->tag, tag);
	return now;
}

/*
 * Timestamps are bpf_ktime_get_ns() (CLOCK_MONOTONIC), one clock for every
 * CPU and namespace, read when the program runs. Not skb->tstamp: a veth
 * hop's skb carries the time the stack took it in (netif_rx), in
 * CLOCK_REALTIME and only while some socket asked for timestamps (ping
 * does, most programs do not); on egress it is an EDT departure time, in
 * another clock, or 0; and crossing namespaces clears it
 * (skb_scrub_packet). Its hops could not be compared with each other.
 */
static __always_inline int on_tc(struct __sk_buff *skb, const __u32 leg, const __u32 hop)
{
	struct nsmon_pkt_key key = {};
	struct nsmon_path_flight *f;
	__u64 tag, now = 0;
	__u8 l2 = 0;

	if (!frame_key((void *)(long)skb->data, (void *)(long)skb->data_end, &key, &l2))
		return TC_ACT_UNSPEC;
	tag = key_tag(&key);
	if (!sampled(&key, tag))
		goto every_hop;
	f = slot_of(tag);
	if (!f)
		goto every_hop;
	if (hop == NSMON_HOP_SENDER_TX) {
		now = start_flight(f, tag, leg);
	} else if (READ_ONCE(f->tag) == tag && f->leg == leg && hop < NSMON_HOP_CONSUMED &&
		   !f->after_ns[hop - 1]) {
		/* The first time it meets this hop (a flood's copies meet it once each). */
		__u64 after;

		now = bpf_ktime_get_ns();
		after = now - f->first_ns;
		if (after < 0xffffffffULL)
			f->after_ns[hop - 1] = after ?: 1;
	}
every_hop:
	if (trace_every_hop) {
		struct sk_buff *kskb = bpf_cast_to_kern_ctx(skb);

		emit_hop(&key, now ?: bpf_ktime_get_ns(), dev_netns_cookie(kskb->dev),
			 skb->ifindex, leg, hop, l2);
	}
	return TC_ACT_UNSPEC;
}

/*
 * One program per (interface, direction) of the path, each knowing its hop
 * at compile time: no lookup of its role per packet. Userspace attaches
 * them (path.c: the same table).
 */
#define PATH_HOOK(name, leg, hop)				\
	SEC("tc")						\
	int name(struct __sk_buff *skb)				\
	{							\
		return on_tc(skb, leg, hop);			\
	}

PATH_HOOK(path_req_sender_tx, NSMON_LEG_REQUEST, NSMON_HOP_SENDER_TX)
PATH_HOOK(path_req_bridge_in, NSMON_LEG_REQUEST, NSMON_HOP_BRIDGE_IN)
PATH_HOOK(path_req_bridge_out, NSMON_LEG_REQUEST, NSMON_HOP_BRIDGE_OUT)
PATH_HOOK(path_req_receiver_rx, NSMON_LEG_REQUEST, NSMON_HOP_RECEIVER_RX)
PATH_HOOK(path_rep_sender_tx, NSMON_LEG_REPLY, NSMON_HOP_SENDER_TX)
PATH_HOOK(path_rep_bridge_in, NSMON_LEG_REPLY, NSMON_HOP_BRIDGE_IN)
PATH_HOOK(path_rep_bridge_out, NSMON_LEG_REPLY, NSMON_HOP_BRIDGE_OUT)
PATH_HOOK(path_rep_receiver_rx, NSMON_LEG_REPLY, NSMON_HOP_RECEIVER_RX)

static __always_inline void hist_add(struct nsmon_path_hist *h, __u32 seg, __u64 ns)
{
	__u32 b = nsmon_path_bucket(ns);

	/* Always true; said so the verifier sees the bound on the register that indexes. */
	barrier_var(b);
	if (b >= NSMON_PATH_BUCKETS || seg >= NSMON_SEG_MAX)
		return;
	h->count[seg][b]++;
	h->sum_ns[seg] += ns;
}

/*
 * The leg is complete: its four segments and the whole way into the leg's
 * histograms, the first count_limit of them. The times are read before the
 * slot is claimed (its tag swapped to 0), and the claim fails if a newer
 * packet started taking the slot meanwhile: then they may be half its.
 */
static __always_inline bool complete(struct nsmon_path_flight *f, __u64 tag, __u64 now, __u32 *leg_out)
{
	__u64 ts[NSMON_HOP_CONSUMED + 1];
	struct nsmon_path_leg_stats *st;
	struct nsmon_path_hist *h;
	__u64 *ticket;
	__u32 leg = f->leg;
	bool in_order = true;

	ts[NSMON_HOP_SENDER_TX] = f->first_ns;
	for (int i = 1; i < NSMON_HOP_CONSUMED; i++)
		ts[i] = f->after_ns[i - 1] ? ts[0] + f->after_ns[i - 1] : 0;
	ts[NSMON_HOP_CONSUMED] = now;
	/* Consumed before the receiver's veth: a copy freed on the way, not the end. */
	if (!ts[NSMON_HOP_RECEIVER_RX] || leg >= NSMON_LEG_MAX)
		return false;
	if (__sync_val_compare_and_swap(&f->tag, tag, 0) != tag)
		return false;
	*leg_out = leg;
	st = stats_of(leg);
	if (!st)
		return false;
	for (int i = 0; i < NSMON_HOP_CONSUMED; i++)
		if (!ts[i] || ts[i] > ts[i + 1])
			in_order = false;
	if (!in_order) {
		st->discarded++;
		return false;
	}
	st->completed++;
	ticket = bpf_map_lookup_elem(&tickets, &leg);
	if (!ticket || (__sync_fetch_and_add(ticket, 1) >= count_limit && count_limit))
		return true;
	h = bpf_map_lookup_elem(&hists, &leg);
	if (!h)
		return true;
	for (__u32 i = 0; i < NSMON_HOP_CONSUMED; i++)
		hist_add(h, i, ts[i + 1] - ts[i]);
	hist_add(h, NSMON_SEG_TOTAL, now - ts[NSMON_HOP_SENDER_TX]);
	return true;
}

/*
 * The stack is done with a packet that reached its receiver: the leg is
 * complete. consume_skb fires for every skb on the machine, so the time is
 * taken first (the end of the leg, as early as this hook allows) and then
 * the cheap checks: IPv4 or ARP, the filter, a slot with this tag.
 */
SEC("tp_btf/consume_skb")
int BPF_PROG(path_consumed, struct sk_buff *skb, void *location)
{
	__u64 now = bpf_ktime_get_ns(), tag;
	struct nsmon_pkt_key key = {};
	/*
	 * Plain loads through the trusted pointer, as dev.bpf.h explains, the
	 * headers too: the verifier makes each an exception-handled load (a
	 * fault reads 0, which no check below lets through), a few ns where a
	 * bpf_probe_read_kernel() of them cost ~40 (a third of what this
	 * program cost a packet, measured with perf in the 64-byte flood).
	 */
	unsigned char *l3 = skb->head + skb->network_header;
	__be16 protocol = skb->protocol;
	const struct ipv4_wire *ip = (const void *)l3;
	struct nsmon_path_flight *f;
	__u32 leg = 0;

	if (protocol == bpf_htons(ETH_P_IP)) {
		if (ip->ver_ihl != 0x45 || !ipv4_key(ip, (const void *)(ip + 1), &key))
			return 0;
	} else if (protocol == bpf_htons(ETH_P_ARP)) {
		if (!arp_key((const void *)l3, (const void *)(l3 + sizeof(struct arp_wire)), &key))
			return 0;
	} else {
		return 0;
	}
	tag = key_tag(&key);
	if (!sampled(&key, tag))
		return 0;
	f = slot_of(tag);
	if (!f || READ_ONCE(f->tag) != tag || !complete(f, tag, now, &leg))
		return 0;
	if (trace_every_hop) {
		struct net_device *dev = skb->dev;

		emit_hop(&key, now, dev ? dev_netns_cookie(dev) : 0, dev ? dev->ifindex : 0, leg,
			 NSMON_HOP_CONSUMED, 0);
	}
	return 0;
}

/* For tests/bpf/test_path.c: "?", so nsmon never loads it. See path_abi.h. */
SEC("?syscall")
int path_bucket_check(struct nsmon_bucket_check *c)
{
	c->bucket = nsmon_path_bucket(c->ns);
	return 0;
}
