// SPDX-License-Identifier: GPL-2.0
/*
 * The tc datapath: count every frame a bridge's ports and the bridge itself
 * receive and send, by class, per (netns, ifindex, direction, hook), at tc
 * (tcx or clsact, both directions), and follow each frame through the
 * bridge (bridge.bpf.h): port to port, to the host, flooded or dropped.
 * Opt-in XDP counting is xdp.bpf.c.
 *
 * One program per role and direction, so that nothing is read from the
 * kernel's own structures: no CO-RE, no kfunc, and so loading needs no
 * kernel BTF (libbpf parsing it was ~55 ms of every `nsmon up`). The
 * programs only count: they return TC_ACT_UNSPEC so other tcx/clsact
 * programs still decide.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "nsmon.h"
#include "parse.bpf.h"
#include "counters.bpf.h"
#include "bridge.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * Tests set this to pull every skb and parse it again, the path a frame
 * with headers beyond the linear part takes, which BPF_PROG_TEST_RUN
 * cannot reach otherwise (its skbs are linear). .rodata is frozen at load,
 * so the verifier knows the value and drops the branch that is not taken.
 */
const volatile bool force_pull = false;

/*
 * The classes of the frame in the linear part of @skb. A global function:
 * the verifier checks it once, on its own, rather than once for every path
 * the counting around it can take, and both parses below share its code.
 */
__noinline __u32 classify_linear(struct __sk_buff *skb)
{
	struct pkt p = {
		.data = (void *)(long)skb->data,
		.data_end = (void *)(long)skb->data_end,
		.vlan_offloaded = skb->vlan_present,
	};

	p.len = p.data_end - p.data;
	return classify_frame(&p);
}

/* Enough for any header the parser reads, short of absurd IPv6 extension chains. */
#define PULL_MAX	256

/*
 * Headers normally sit in the linear part of an skb, so one parse decides
 * almost every frame. Only when it finds the frame short while the skb has
 * bytes beyond its linear part (drivers that leave headers in frags) are
 * the headers pulled into the linear part and the frame parsed again:
 * TRUNCATED must mean the frame is short, not that the linear part is.
 * Pulling moves no byte of the frame, only where the kernel keeps them; it
 * may give the skb a new head, which is why it happens before an entry
 * remembers the frame (bridge_enter()), and never to a frame recognized as
 * leaving the bridge (it reuses its entry's classes, unparsed).
 */
static __always_inline __u32 classify_skb(struct __sk_buff *skb)
{
	__u32 classes = classify_linear(skb);
	__u32 linear = skb->data_end - skb->data;

	if (force_pull || ((classes & NSMON_CLASS(TRUNCATED)) && linear < skb->len)) {
		bpf_skb_pull_data(skb, skb->len < PULL_MAX ? skb->len : PULL_MAX);
		classes = classify_linear(skb);
	}
	return classes;
}

/* 802.1Q/802.1ad: a tag is 4 bytes. */
#define VLAN_HLEN	4

/*
 * The length of @skb's frame as it is on the wire, as tcpdump shows it and
 * as the sending veth counted it: skb->len, plus the outer VLAN tag when
 * the kernel holds it in the skb's metadata rather than in the data (the
 * receive path always moves it there before tc ingress; a VLAN-offloading
 * device such as a veth keeps it there on transmit).
 */
static __always_inline __u32 wire_len(const struct __sk_buff *skb)
{
	return skb->len + (skb->vlan_present ? VLAN_HLEN : 0);
}

static __always_inline int tc_count(struct __sk_buff *skb, __u8 direction, enum bridge_role role)
{
	struct nsmon_bridge_state *exit = NULL;
	struct nsmon_if_key key = {
		.netns_cookie = bridge_netns_cookie,
		.ifindex = skb->ifindex,
		.direction = direction,
		.hook = NSMON_HOOK_TC,
	};
	bool entry = bridge_entry(role, direction);
	/* A GSO skb leaves as gso_segs wire packets; a plain one has 0 or 1. */
	__u32 segs = skb->gso_segs;
	__u32 classes, fast = fast_slot_of(&key);

	/*
	 * A frame leaving a bridge is the one that entered it on this CPU a
	 * moment ago (bridge.bpf.h), with the classes found there: it is parsed
	 * once, unless its tag moved between data and metadata on the way (a
	 * VLAN-filtering bridge tagging or untagging it).
	 */
	if (!entry)
		exit = bridge_exiting(skb, role == BRIDGE_ROLE_PORT);
	if (exit && exit->vlan_present == skb->vlan_present)
		classes = exit->classes;
	else
		classes = classify_skb(skb);

	counters_add(&key, fast, classes, segs ? segs : 1, wire_len(skb));
	if (entry)
		bridge_enter(skb, fast, classes, role == BRIDGE_ROLE_DEVICE);
	else if (exit)
		bridge_leave(exit, skb->ifindex, fast, role == BRIDGE_ROLE_DEVICE, classes);
	return TC_ACT_UNSPEC;
}

/* A frame entering the bridge by a port. */
SEC("tc")
int port_ingress(struct __sk_buff *skb)
{
	return tc_count(skb, NSMON_DIR_RX, BRIDGE_ROLE_PORT);
}

/* A frame leaving the bridge by a port (forwarded, flooded, or the host's). */
SEC("tc")
int port_egress(struct __sk_buff *skb)
{
	return tc_count(skb, NSMON_DIR_TX, BRIDGE_ROLE_PORT);
}

/* A frame the bridge delivers to the host. */
SEC("tc")
int bridge_ingress(struct __sk_buff *skb)
{
	return tc_count(skb, NSMON_DIR_RX, BRIDGE_ROLE_DEVICE);
}

/* A frame the host sends into the bridge. */
SEC("tc")
int bridge_egress(struct __sk_buff *skb)
{
	return tc_count(skb, NSMON_DIR_TX, BRIDGE_ROLE_DEVICE);
}
