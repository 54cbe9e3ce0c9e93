/* SPDX-License-Identifier: GPL-2.0 */
/* What the tc programs (datapath, path tracer) share about a device (BPF only). */
#ifndef NSMON_DEV_BPF_H
#define NSMON_DEV_BPF_H

/* pkt_cls.h's value; vmlinux.h carries no macros. */
#define TC_ACT_UNSPEC		(-1)

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

/*
 * The key is the namespace the interface lives in: its ifindex means
 * something only there. Every hook reads it from the device, through the
 * kernel's own context (bpf_cast_to_kern_ctx), for two reasons:
 * - tc's bpf_get_netns_cookie(skb) is the namespace of skb->sk, else
 *   init_net: on a veth, frames a socket sent from the peer namespace keep
 *   that socket and would be counted under the peer's cookie, and ARP,
 *   forwarded and other socketless frames under init_net's.
 * - XDP has no netns cookie helper at all.
 * Plain CO-RE loads, not BPF_CORE_READ: the verifier lets a trusted kernel
 * pointer be followed with exception-handled loads, where BPF_CORE_READ's
 * bpf_probe_read_kernel calls cost ~90 ns for the chain (measured with
 * BPF_PROG_TEST_RUN, against ~2 ns). A NULL pointer on the way reads as 0.
 */
static __always_inline __u64 dev_netns_cookie(const struct net_device *dev)
{
	return dev->nd_net.net->net_cookie;
}

#endif /* NSMON_DEV_BPF_H */
