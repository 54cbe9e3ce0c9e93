// SPDX-License-Identifier: GPL-2.0
/*
 * The capture programs behind `nsmon capture`, attached only while it runs
 * (its own tcx links, not pinned, next to the counting programs), so that
 * the counters' datapath costs what it did when nobody captures.
 *
 * One program per direction on the bridge and on each of its ports: a frame
 * that passes the filter (bpf/filter.bpf.h, set in .rodata) is copied,
 * from its Ethernet header and up to the snapshot length, into the ring
 * buffer. A namespace's end of a veth pair has no program of its own: what
 * it sends is what its peer port receives, what it receives what the port
 * sends, byte for byte, so userspace writes each port record twice, once
 * for the port and once, mirrored, for the namespace end
 * (user/datapath/capture.c says why that is the choice). A frame crossing
 * the bridge so runs two capture programs for its four copies, not four.
 *
 * Records are submitted without a wake-up (BPF_RB_NO_WAKEUP) and userspace
 * drains the ring on a timer, as the event stream does: a wake-up per frame
 * would cost more than the copy. When the ring is full the copy is lost and
 * counted per interface, and the frame goes on: a capture never slows the
 * traffic it watches by making it wait.
 *
 * uapi headers only, like datapath.bpf.c: loading needs no kernel BTF.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "nsmon.h"
#include "capture_abi.h"
#include "filter.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile struct nsmon_filter filter = {};
const volatile __u32 snaplen = NSMON_CAP_SNAPLEN_DEFAULT;
/* Tests set 0 to have every record wake the reader. */
const volatile __u64 ring_wakeup_flags = BPF_RB_NO_WAKEUP;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, NSMON_CAP_RING_KB_DEFAULT * 1024);
} frames SEC(".maps");

/* Copies lost because the ring was full, per hooked interface (ifindex). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

static __always_inline void count_lost(__u32 ifindex)
{
	__u64 *n = bpf_map_lookup_elem(&lost, &ifindex), one = 1;

	/* Userspace enters every hooked interface before attaching; this is a fallback. */
	if (n)
		(*n)++;
	else
		bpf_map_update_elem(&lost, &ifindex, &one, BPF_NOEXIST);
}

/*
 * bpf_ringbuf_reserve() takes only a size the verifier knows, so a record
 * is reserved in the smallest class that holds the copy: one branch per
 * class, each with its constant. A 60-byte frame takes 64 bytes of data,
 * a 1514-byte one 1536, so the ring holds what it can of small frames.
 */
#define CAPTURE_IN_CLASS(size)							\
	if (caplen <= (size)) {							\
		rec = bpf_ringbuf_reserve(&frames, sizeof(*rec) + (size), 0);	\
		if (!rec)							\
			goto lost;						\
		if (bpf_skb_load_bytes(skb, 0, rec->data, caplen)) {		\
			bpf_ringbuf_discard(rec, 0);				\
			return TC_ACT_UNSPEC;					\
		}								\
		goto submit;							\
	}

static __always_inline int capture(struct __sk_buff *skb, __u8 direction)
{
	struct nsmon_cap_rec *rec;
	/* 64-bit, so that clang checks and passes one register, not a zero-extended copy. */
	__u64 len = skb->len, caplen, now;

	if (!filter_skb(skb, filter_of_rodata(&filter)))
		return TC_ACT_UNSPEC;
	now = bpf_ktime_get_ns();
	caplen = len < snaplen ? len : snaplen;
	if (caplen > NSMON_CAP_DATA_MAX)
		caplen = NSMON_CAP_DATA_MAX;
	if (caplen == 0)
		return TC_ACT_UNSPEC;

	CAPTURE_IN_CLASS(64)
	CAPTURE_IN_CLASS(128)
	CAPTURE_IN_CLASS(256)
	CAPTURE_IN_CLASS(512)
	CAPTURE_IN_CLASS(1024)
	CAPTURE_IN_CLASS(1536)
	CAPTURE_IN_CLASS(2048)
	CAPTURE_IN_CLASS(4096)
	CAPTURE_IN_CLASS(8192)
	CAPTURE_IN_CLASS(16384)
	CAPTURE_IN_CLASS(32768)
	CAPTURE_IN_CLASS(NSMON_CAP_DATA_MAX)
	return TC_ACT_UNSPEC;

submit:
	rec->ts_ns = now;
	rec->ifindex = skb->ifindex;
	rec->len = len;
	rec->caplen = caplen;
	rec->direction = direction;
	rec->flags = skb->vlan_present ? NSMON_CAP_VLAN : 0;
	rec->vlan_tci = skb->vlan_tci;
	rec->vlan_proto = skb->vlan_proto;
	__builtin_memset(rec->pad, 0, sizeof(rec->pad));
	bpf_ringbuf_submit(rec, ring_wakeup_flags);
	return TC_ACT_UNSPEC;

lost:
	count_lost(skb->ifindex);
	return TC_ACT_UNSPEC;
}

/* A frame the hooked interface received: a port's from its namespace end, the bridge's for the host. */
SEC("tc")
int capture_ingress(struct __sk_buff *skb)
{
	return capture(skb, NSMON_DIR_RX);
}

/* A frame the hooked interface sent. */
SEC("tc")
int capture_egress(struct __sk_buff *skb)
{
	return capture(skb, NSMON_DIR_TX);
}
