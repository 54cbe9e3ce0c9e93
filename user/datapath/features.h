/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What this kernel offers nsmon, each probed for real: a tiny program
 * loaded, a link made on a throwaway interface in a private network
 * namespace of our own (nameless, gone with its last fd), a map created, a
 * socket option set. `nsmon features` reports them; the datapath attaches
 * through the same functions (feature_tcx_link(), feature_xdp_link()), so
 * its first tcx or XDP attachment is the probe: the kernel's answer there
 * chooses tcx or clsact, at no cost of its own (a tcx link made and
 * removed waits for two RCU grace periods, ~20 ms of a 30 ms `nsmon up`).
 */
#ifndef NSMON_FEATURES_H
#define NSMON_FEATURES_H

#include <stdbool.h>
#include <linux/types.h>

enum feature {
	FEATURE_BTF,			/* /sys/kernel/btf/vmlinux: CO-RE */
	FEATURE_TCX,			/* tcx links (Linux 6.6) */
	FEATURE_CLSACT,			/* clsact qdisc and direct-action tc filters */
	FEATURE_XDP_NATIVE_VETH,	/* XDP in the veth driver */
	FEATURE_XDP_GENERIC_VETH,	/* XDP in the generic (skb) path */
	FEATURE_RINGBUF,		/* BPF ring buffers */
	FEATURE_TP_BTF,			/* BTF-typed raw tracepoints */
	FEATURE_TC_NETNS_COOKIE,	/* bpf_get_netns_cookie() in a tc program */
	FEATURE_KPROBES,
	FEATURE_FENTRY,			/* fentry/fexit trampolines */
	FEATURE_NETNS_COOKIE,		/* SO_NETNS_COOKIE: a namespace's cookie from userspace */
	FEATURE_NETLINK_ALL_NSID,	/* NETLINK_LISTEN_ALL_NSID: rtnetlink of every namespace */
	FEATURE_MAX
};

/* Each feature's name, as `nsmon features` and its JSON keys say it. */
extern const char *const feature_names[FEATURE_MAX];

/**
 * feature_probe() - does the kernel offer @f? Probed the first time it is
 * asked, then remembered for the life of the process. Leaves nothing
 * behind: what a probe makes is closed, or in a namespace that goes with it.
 * @why: if not NULL, set to what failed when the answer is no ("" otherwise).
 */
bool feature_probe(enum feature f, const char **why);

/**
 * feature_tcx_link() - attach @prog_fd to @ifindex (in the calling thread's
 * namespace) by a tcx link of @attach_type, the way the datapath does and
 * the tcx probe does on a throwaway loopback. The kernel's answer is what
 * feature_probe(FEATURE_TCX) says from then on.
 * Return: the link's fd, -EOPNOTSUPP where the kernel has no tcx, or -errno.
 */
int feature_tcx_link(int prog_fd, int ifindex, int attach_type);

/**
 * feature_xdp_link() - the same for an XDP link in @mode (XDP_FLAGS_DRV_MODE:
 * FEATURE_XDP_NATIVE_VETH; XDP_FLAGS_SKB_MODE: FEATURE_XDP_GENERIC_VETH) on
 * a veth. Return: the link's fd, -EOPNOTSUPP where the driver or the kernel
 * refuses that mode, or -errno.
 */
int feature_xdp_link(int prog_fd, int ifindex, __u32 mode);

#endif
