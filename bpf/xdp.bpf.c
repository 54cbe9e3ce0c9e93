// SPDX-License-Identifier: GPL-2.0
/*
 * Opt-in native XDP counting (`--xdp`): what a namespace-side veth receives,
 * before the stack builds an skb, in the same counters map as tc under
 * NSMON_HOOK_XDP. An object of its own: XDP has no netns cookie helper, so
 * it reads the device's namespace through the kernel's context, which needs
 * kernel BTF, and only `--xdp` should pay for loading that.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "nsmon.h"
#include "parse.bpf.h"
#include "counters.bpf.h"
#include "dev.bpf.h"

char LICENSE[] SEC("license") = "GPL";

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
