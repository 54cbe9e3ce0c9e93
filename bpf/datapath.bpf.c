// SPDX-License-Identifier: GPL-2.0
/*
 * The datapath: count every frame an interface receives and sends, by class,
 * per (netns, ifindex, direction, hook), at tc (tcx or clsact, both
 * directions) and optionally at XDP (receive only). On a bridge's ports and
 * on the bridge itself, tc also follows each frame through the bridge
 * (bridge.bpf.h): port to port, to the host, flooded or dropped. The
 * programs only count:
 * tc returns TC_ACT_UNSPEC so other tcx/clsact programs still decide, XDP
 * returns XDP_PASS.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "nsmon.h"
#include "parse.bpf.h"
#include "counters.bpf.h"
#include "dev.bpf.h"
#include "bridge.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * Tests set this to send every skb through the bpf_skb_load_bytes parser,
 * which BPF_PROG_TEST_RUN cannot reach otherwise (its skbs are linear).
 * .rodata is frozen at load, so the verifier knows the value and drops the
 * branch that is not taken: unset, it costs one load.
 */
const volatile bool force_load_bytes = false;

/*
 * Headers normally sit in the linear part of an skb, so the direct parse
 * decides almost every frame. Only when it finds the frame short while the
 * skb has paged bytes beyond its linear part (drivers that leave headers in
 * frags) do we parse again through bpf_skb_load_bytes, which reads frags:
 * TRUNCATED must mean the frame is short, not that the linear part is.
 * bpf_skb_pull_data would do it too, but it may reallocate the skb head,
 * and the programs must leave traffic as it is.
 *
 * A global function, so the verifier checks it once, on its own, rather
 * than once for every path the counting around it can take (that product
 * made each tc program take ~80 ms to load). It costs one BPF call.
 */
__noinline __u32 classify_skb(struct __sk_buff *skb)
{
	struct pkt p = {
		.data = (void *)(long)skb->data,
		.data_end = (void *)(long)skb->data_end,
		.vlan_offloaded = skb->vlan_present,
	};
	__u32 classes;

	p.len = p.data_end - p.data;
	if (!force_load_bytes) {
		classes = classify_frame(&p);
		if (!(classes & NSMON_CLASS(TRUNCATED)) || p.len >= skb->len)
			return classes;
	}
	p.skb = skb;
	p.len = skb->len;
	return classify_frame(&p);
}

static __always_inline int tc_count(struct __sk_buff *skb, __u8 direction)
{
	struct sk_buff *kskb = bpf_cast_to_kern_ctx(skb);
	struct net_device *dev = kskb->dev;
	enum bridge_role role = bridge_role(dev);
	struct nsmon_bridge_state *exit = NULL;
	struct nsmon_if_key key = {
		.netns_cookie = dev_netns_cookie(dev),
		.ifindex = skb->ifindex,
		.direction = direction,
		.hook = NSMON_HOOK_TC,
	};
	/* A GSO skb leaves as gso_segs wire packets; a plain one has 0 or 1. */
	__u32 segs = skb->gso_segs;
	__u32 classes, fast = fast_slot_of(&key);

	/*
	 * A frame leaving a bridge is the one that entered it on this CPU a
	 * moment ago (bridge.bpf.h), with the classes found there: it is parsed
	 * once, unless its tag moved between data and metadata on the way (a
	 * VLAN-filtering bridge tagging or untagging it).
	 */
	if (role != BRIDGE_ROLE_NONE && !bridge_entry(role, direction))
		exit = bridge_exiting(skb, kskb, key.netns_cookie, role == BRIDGE_ROLE_PORT);
	if (exit && exit->vlan_present == skb->vlan_present)
		classes = exit->classes;
	else
		classes = classify_skb(skb);

	counters_add(&key, fast, classes, segs ? segs : 1, skb->len);
	if (role != BRIDGE_ROLE_NONE && bridge_entry(role, direction))
		bridge_enter(skb, kskb, key.netns_cookie, fast, classes, role == BRIDGE_ROLE_DEVICE);
	else if (exit)
		bridge_leave(exit, key.netns_cookie, skb->ifindex, fast, classes);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int tc_ingress(struct __sk_buff *skb)
{
	return tc_count(skb, NSMON_DIR_RX);
}

SEC("tc")
int tc_egress(struct __sk_buff *skb)
{
	return tc_count(skb, NSMON_DIR_TX);
}

SEC("xdp")
int xdp_rx(struct xdp_md *ctx)
{
	struct pkt p = {
		.data = (void *)(long)ctx->data,
		.data_end = (void *)(long)ctx->data_end,
	};
	struct xdp_buff *xdp = bpf_cast_to_kern_ctx(ctx);
	struct nsmon_if_key key = {
		.netns_cookie = dev_netns_cookie(xdp->rxq->dev),
		.ifindex = ctx->ingress_ifindex,
		.direction = NSMON_DIR_RX,
		.hook = NSMON_HOOK_XDP,
	};

	p.len = p.data_end - p.data;
	counters_add(&key, NO_FAST_SLOT, classify_frame(&p), 1, p.len);
	return XDP_PASS;
}
