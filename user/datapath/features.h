/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What this kernel offers nsmon, each probed for real: a tiny program
 * loaded, a link made on a throwaway interface in a private network
 * namespace of our own (nameless, gone with its last fd), a map created, a
 * socket option set. `nsmon features` reports them; the commands ask the
 * same functions when they choose their path (tcx or clsact, --xdp).
 */
#ifndef NSMON_FEATURES_H
#define NSMON_FEATURES_H

#include <stdbool.h>

#include "datapath/datapath.h"

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
 * features_tc_mode() - what --tc-mode @requested means on this kernel: auto
 * is tcx where feature_probe(FEATURE_TCX) says yes, else clsact; tcx and
 * clsact are taken as given (attaching says why if the kernel refuses).
 */
enum tc_mode features_tc_mode(enum tc_mode requested);

#endif
