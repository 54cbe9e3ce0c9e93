/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF <-> userspace ABI of the event programs (bpf/events.bpf.c): what
 * they put in the ring buffer, and the per-source totals they keep.
 * Userspace turns each record into a struct nsmon_event (user/events/events.h).
 */
#ifndef NSMON_EVENTS_ABI_H
#define NSMON_EVENTS_ABI_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#include "filter_abi.h"

/* Where a record came from; also the index of the totals arrays. */
enum nsmon_ev_source {
	NSMON_SRC_NS,		/* unshare / clone / clone3 / setns */
	NSMON_SRC_NEIGH,	/* neigh:* */
	NSMON_SRC_FDB,		/* bridge:* */
	NSMON_SRC_DROP,		/* skb:kfree_skb */
	NSMON_SRC_MAX,
};

/* The namespace types, in the order of the nsmon_ns_inums array. */
enum nsmon_ns_type {
	NSMON_NS_NET,
	NSMON_NS_MNT,
	NSMON_NS_PID,
	NSMON_NS_UTS,
	NSMON_NS_IPC,
	NSMON_NS_USER,
	NSMON_NS_CGROUP,
	NSMON_NS_TIME,
	NSMON_NS_TYPE_MAX,
};

enum nsmon_ns_syscall {
	NSMON_SYS_UNSHARE,
	NSMON_SYS_CLONE,
	NSMON_SYS_CLONE3,
	NSMON_SYS_SETNS,
};

enum nsmon_fdb_action {
	NSMON_FDB_LEARNED,	/* br_fdb_update, a new entry */
	NSMON_FDB_MOVED,	/* br_fdb_update, the address showed up on another port */
	NSMON_FDB_DELETED,	/* fdb_delete: aged out, flushed, port gone */
	NSMON_FDB_ADDED,	/* br_fdb_add: `bridge fdb add` */
};

/* Where an event happened: the network namespace and the interface. */
struct nsmon_ev_where {
	__u64 netns_cookie;
	__u32 netns_inum;
	__u32 ifindex;		/* 0: none */
	char ifname[16];
};

struct nsmon_ev_ns {
	__u32 syscall;		/* enum nsmon_ns_syscall */
	__u32 types;		/* bit (1 << enum nsmon_ns_type) per namespace made or entered */
	__u32 inum[NSMON_NS_TYPE_MAX];		/* the namespaces after the call (the child's for clone) */
	__u32 old_inum[NSMON_NS_TYPE_MAX];	/* before it (the parent's for clone) */
	__u32 child_pid;	/* clone/clone3: the new task; 0 otherwise */
};

struct nsmon_ev_neigh {
	__u8 family;		/* AF_INET, AF_INET6 */
	__u8 old_state;		/* NUD_* bits; 0: new entry */
	__u8 new_state;
	__u8 created;		/* 1: neigh_create */
	__u8 addr[16];
	__u8 lladdr[6];
	__u8 pad[2];
};

struct nsmon_ev_fdb {
	__u32 action;		/* enum nsmon_fdb_action */
	__u32 bridge_ifindex;
	char bridge[16];
	__u32 old_port_ifindex;	/* MOVED: where it was */
	__u16 vid;
	__u8 mac[6];
};

struct nsmon_ev_drop {
	__u32 reason;		/* enum skb_drop_reason, named at runtime from the kernel's BTF */
	__u16 protocol;		/* skb->protocol, host order */
	__u16 pad;
	__u64 location;		/* the kernel address that dropped it */
};

struct nsmon_ev {
	__u64 ts_ns;		/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 source;		/* enum nsmon_ev_source */
	__u32 pid;		/* the task that caused it (tgid) */
	char comm[16];
	struct nsmon_ev_where where;
	union {
		struct nsmon_ev_ns ns;
		struct nsmon_ev_neigh neigh;
		struct nsmon_ev_fdb fdb;
		struct nsmon_ev_drop drop;
	};
};

#define NSMON_AF_INET6		10

/*
 * A neighbour entry as the filter (--proto, --host, --port) sees it, one
 * rule for the programs and userspace: its address at either end; ARP for
 * an IPv4 entry, ICMPv6 over IPv6 (NDP) for an IPv6 one, the frames that
 * resolve it; no ports.
 */
static inline void nsmon_neigh_keys(struct nsmon_frame_keys *k, __u8 family, const __u8 *addr)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->protos = family == NSMON_AF_INET6 ? NSMON_FILTER_IPV6 | NSMON_FILTER_ICMP6 :
					      NSMON_FILTER_ARP;
	nsmon_filter_addr_from(&k->saddr, addr, family == NSMON_AF_INET6);
	k->daddr = k->saddr;
	k->has_addrs = 1;
}

/*
 * The scope map: what the stream is about. A key with ifindex 0 takes in a
 * whole namespace (a lab's namespace), one with an ifindex one interface of
 * it (a bridge and its ports, in a namespace that holds other things too).
 * Userspace fills it and keeps it current as ports come and go; an event
 * of nothing in it never reaches the ring.
 */
struct nsmon_scope_key {
	__u64 netns_cookie;
	__u32 ifindex;
	__u32 pad;
};

#define NSMON_SCOPE_MAX		16384

/* drops_per_sec: stream every drop (0 streams none; both count every drop in the scope). */
#define NSMON_DROPS_UNLIMITED	0xffffffffU

/* The drop counters map: per (namespace, interface, reason). */
struct nsmon_drop_key {
	__u64 netns_cookie;
	__u32 ifindex;
	__u32 reason;
};

#endif
