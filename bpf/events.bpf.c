// SPDX-License-Identifier: GPL-2.0
/*
 * The event programs behind `nsmon events` and `nsmon watch`, loaded only
 * while one of them runs. Tracepoints only (this kernel has no kprobes and
 * no fentry): namespace syscalls, neighbour and bridge FDB changes, drops.
 *
 * Everything goes into one ring buffer, submitted with BPF_RB_NO_WAKEUP:
 * userspace drains it on a timer, so a busy datapath never pays for a
 * wake-up per event. A record the ring cannot take is counted as lost,
 * never waited for.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "nsmon.h"
#include "events_abi.h"
#include "dev.bpf.h"
#include "filter_kernel.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by userspace before load. */
const volatile __u32 ring_wakeup_flags = BPF_RB_NO_WAKEUP;
const volatile __u32 drops_per_sec = 100;	/* per CPU; 0: none, NSMON_DROPS_UNLIMITED: all */
const volatile __u32 self_tgid;		/* the monitor itself: its setns calls are not news */
const volatile bool scope_all;		/* the whole machine: the scope map is not read */
/*
 * --proto, --host, --port: the drops whose packet and the neighbour entries
 * whose address pass it (empty: all). Not the other sources: userspace asks
 * for none of them while a filter is given (events.h).
 */
const volatile struct nsmon_filter filter = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);	/* resized by userspace */
} events SEC(".maps");

/* What the stream is about (see struct nsmon_scope_key): kept by userspace. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NSMON_SCOPE_MAX);
	__type(key, struct nsmon_scope_key);
	__type(value, __u8);
} scope SEC(".maps");

/* Per source, in the scope: what was sent, lost (ring full) and held back by the rate limit. */
struct totals {
	__u64 submitted;
	__u64 lost;
	__u64 suppressed;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NSMON_SRC_MAX);
	__type(key, __u32);
	__type(value, struct totals);
} totals SEC(".maps");

/* Drops per (namespace, interface, reason), streamed or not. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct nsmon_drop_key);
	__type(value, __u64);
} drops SEC(".maps");

/* The namespaces of a task inside unshare/setns/clone, keyed by thread id. */
struct pending_ns {
	__u32 syscall;
	__u32 inum[NSMON_NS_TYPE_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct pending_ns);
} pending SEC(".maps");

/* The last state seen of each neighbour entry, to report old -> new. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u8);
} neigh_state SEC(".maps");

/* Which port each (bridge, MAC, VLAN) was last learned on, to tell learned from moved. */
struct fdb_key {
	__u64 bridge;		/* struct net_bridge * */
	__u8 mac[6];
	__u16 vid;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct fdb_key);
	__type(value, __u32);
} fdb_port SEC(".maps");

/* Drop events streamed in the current second, per CPU. */
struct rate_window {
	__u64 start_ns;		/* when the window's first drop was streamed */
	__u64 checked_jiffies;	/* when a held-back drop last read the clock */
	__u32 count;		/* drops streamed in it */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rate_window);
} drop_rate SEC(".maps");

/*
 * Is the namespace @cookie in the scope, or its interface @ifindex (0:
 * none)? The first thing each event does, so that the rest of the machine
 * costs a lookup or two and no ring space, rate or totals.
 */
static __always_inline bool in_scope(__u64 cookie, __u32 ifindex)
{
	struct nsmon_scope_key key = { .netns_cookie = cookie };

	if (scope_all)
		return true;
	if (bpf_map_lookup_elem(&scope, &key))
		return true;
	if (!ifindex)
		return false;
	key.ifindex = ifindex;
	return bpf_map_lookup_elem(&scope, &key) != NULL;
}

static __always_inline bool dev_in_scope(const struct net_device *dev)
{
	return in_scope(BPF_CORE_READ(dev, nd_net.net, net_cookie), BPF_CORE_READ(dev, ifindex));
}

static __always_inline struct totals *totals_of(__u32 source)
{
	return bpf_map_lookup_elem(&totals, &source);
}

/* A zeroed record of @source with time, task and nothing else, or NULL (counted lost). */
static __always_inline struct nsmon_ev *ev_reserve(__u32 source)
{
	struct totals *t = totals_of(source);
	struct nsmon_ev *ev;

	if (t)
		t->submitted++;
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		if (t)
			t->lost++;
		return NULL;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->ts_ns = bpf_ktime_get_ns();
	ev->source = source;
	ev->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));
	return ev;
}

static __always_inline void ev_submit(struct nsmon_ev *ev)
{
	bpf_ringbuf_submit(ev, ring_wakeup_flags);
}

static __always_inline void where_dev(struct nsmon_ev_where *w, const struct net_device *dev)
{
	struct net *net = BPF_CORE_READ(dev, nd_net.net);

	w->netns_cookie = BPF_CORE_READ(net, net_cookie);
	w->netns_inum = BPF_CORE_READ(net, ns.inum);
	w->ifindex = BPF_CORE_READ(dev, ifindex);
	bpf_probe_read_kernel_str(w->ifname, sizeof(w->ifname), dev->name);
}

static __always_inline void where_net(struct nsmon_ev_where *w, const struct net *net)
{
	w->netns_cookie = BPF_CORE_READ(net, net_cookie);
	w->netns_inum = BPF_CORE_READ(net, ns.inum);
}

/* ---- namespaces ---------------------------------------------------------- */

#define CLONE_NEWTIME	0x00000080
#define CLONE_NEWNS	0x00020000
#define CLONE_NEWCGROUP	0x02000000
#define CLONE_NEWUTS	0x04000000
#define CLONE_NEWIPC	0x08000000
#define CLONE_NEWUSER	0x10000000
#define CLONE_NEWPID	0x20000000
#define CLONE_NEWNET	0x40000000
#define CLONE_NEW_ANY	(CLONE_NEWTIME | CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | \
			 CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

/*
 * The namespaces @task lives in, and for pid and time the ones its children
 * get: what unshare() changes for those two.
 */
static __always_inline void task_inums(struct task_struct *task, __u32 *inum)
{
	struct nsproxy *nsp = BPF_CORE_READ(task, nsproxy);

	inum[NSMON_NS_NET] = BPF_CORE_READ(nsp, net_ns, ns.inum);
	inum[NSMON_NS_MNT] = BPF_CORE_READ(nsp, mnt_ns, ns.inum);
	inum[NSMON_NS_PID] = BPF_CORE_READ(nsp, pid_ns_for_children, ns.inum);
	inum[NSMON_NS_UTS] = BPF_CORE_READ(nsp, uts_ns, ns.inum);
	inum[NSMON_NS_IPC] = BPF_CORE_READ(nsp, ipc_ns, ns.inum);
	inum[NSMON_NS_USER] = BPF_CORE_READ(task, cred, user_ns, ns.inum);
	inum[NSMON_NS_CGROUP] = BPF_CORE_READ(nsp, cgroup_ns, ns.inum);
	inum[NSMON_NS_TIME] = BPF_CORE_READ(nsp, time_ns_for_children, ns.inum);
}

static __always_inline void ns_enter(__u32 syscall)
{
	struct pending_ns p = { .syscall = syscall };
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;

	if (pid_tgid >> 32 == self_tgid)
		return;
	task_inums(bpf_get_current_task_btf(), p.inum);
	bpf_map_update_elem(&pending, &tid, &p, BPF_ANY);
}

/* Report the namespaces that differ between @before and @task's, if any. */
static __always_inline void ns_report(const struct pending_ns *before, struct task_struct *task,
				      __u32 child_pid)
{
	__u32 now[NSMON_NS_TYPE_MAX], types = 0;
	struct nsmon_ev *ev;

	task_inums(task, now);
#pragma unroll
	for (int i = 0; i < NSMON_NS_TYPE_MAX; i++)
		if (now[i] != before->inum[i])
			types |= 1U << i;
	/* In the scope: what happens inside a namespace of it (the network namespace after the call). */
	if (!types || !in_scope(BPF_CORE_READ(task, nsproxy, net_ns, net_cookie), 0))
		return;
	ev = ev_reserve(NSMON_SRC_NS);
	if (!ev)
		return;
	where_net(&ev->where, BPF_CORE_READ(task, nsproxy, net_ns));
	ev->ns.syscall = before->syscall;
	ev->ns.types = types;
	ev->ns.child_pid = child_pid;
	__builtin_memcpy(ev->ns.inum, now, sizeof(now));
	__builtin_memcpy(ev->ns.old_inum, before->inum, sizeof(now));
	ev_submit(ev);
}

/* unshare and setns change the caller: compare it before and after a successful call. */
static __always_inline void ns_exit_self(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pending_ns *p = bpf_map_lookup_elem(&pending, &tid);

	if (!p)
		return;
	if (ret == 0)
		ns_report(p, bpf_get_current_task_btf(), 0);
	bpf_map_delete_elem(&pending, &tid);
}

SEC("tracepoint/syscalls/sys_enter_unshare")
int unshare_enter(struct trace_event_raw_sys_enter *ctx)
{
	if (ctx->args[0] & CLONE_NEW_ANY)
		ns_enter(NSMON_SYS_UNSHARE);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_unshare")
int unshare_exit(struct trace_event_raw_sys_exit *ctx)
{
	ns_exit_self(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_setns")
int setns_enter(struct trace_event_raw_sys_enter *ctx)
{
	ns_enter(NSMON_SYS_SETNS);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_setns")
int setns_exit(struct trace_event_raw_sys_exit *ctx)
{
	ns_exit_self(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_clone")
int clone_enter(struct trace_event_raw_sys_enter *ctx)
{
	if (ctx->args[0] & CLONE_NEW_ANY)
		ns_enter(NSMON_SYS_CLONE);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_clone3")
int clone3_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 flags = 0;

	/* struct clone_args starts with its flags. */
	bpf_probe_read_user(&flags, sizeof(flags), (void *)ctx->args[0]);
	if (flags & CLONE_NEW_ANY)
		ns_enter(NSMON_SYS_CLONE3);
	return 0;
}

/* The child exists (with its namespaces) here, in the parent's clone call. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(clone_child, struct task_struct *parent, struct task_struct *child)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pending_ns *p = bpf_map_lookup_elem(&pending, &tid);

	if (p && p->syscall != NSMON_SYS_UNSHARE && p->syscall != NSMON_SYS_SETNS)
		ns_report(p, child, child->tgid);
	return 0;
}

static __always_inline void clone_exit(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&pending, &tid);
}

SEC("tracepoint/syscalls/sys_exit_clone")
int clone_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	clone_exit();
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_clone3")
int clone3_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	clone_exit();
	return 0;
}

/* ---- neighbours ------------------------------------------------------------ */

/* The tracepoints hand over a neighbour entry, or an error pointer when creating one failed. */
static __always_inline bool neigh_valid(const struct neighbour *n)
{
	return n && (unsigned long)n < (unsigned long)-4095;
}

/* Is there a filter to pass? Without one, nothing of an entry is read for it. */
static __always_inline bool filter_set(void)
{
	return !nsmon_filter_is_empty(filter_of_rodata(&filter));
}

/*
 * Does the entry of @family whose address is at @pkey pass the filter (one
 * is set: filter_set())? Its address and family never change: one that
 * does not pass never will.
 */
static __always_inline bool neigh_passes(__u8 family, const void *pkey)
{
	const struct nsmon_filter *f = filter_of_rodata(&filter);
	struct nsmon_frame_keys k;
	__u8 addr[16] = {};

	bpf_probe_read_kernel(addr, family == 2 ? 4 : 16, pkey);
	nsmon_neigh_keys(&k, family, addr);
	return nsmon_filter_match(f, &k);
}

static __always_inline void neigh_report(struct neighbour *n)
{
	__u64 key = (__u64)n;
	__u8 *last, state, old;
	struct nsmon_ev *ev;

	/* Out of the scope, not even its state is kept: one that joins starts from NONE. */
	if (!dev_in_scope(BPF_CORE_READ(n, dev)) ||
	    (filter_set() && !neigh_passes(BPF_CORE_READ(n, tbl, family),
					   (void *)n + bpf_core_field_offset(struct neighbour,
									     primary_key))))
		return;
	last = bpf_map_lookup_elem(&neigh_state, &key);
	state = BPF_CORE_READ(n, nud_state);
	old = last ? *last : 0;
	if (last && old == state)
		return;
	bpf_map_update_elem(&neigh_state, &key, &state, BPF_ANY);
	ev = ev_reserve(NSMON_SRC_NEIGH);
	if (!ev)
		return;
	where_dev(&ev->where, BPF_CORE_READ(n, dev));
	ev->neigh.family = BPF_CORE_READ(n, tbl, family);
	ev->neigh.old_state = old;
	ev->neigh.new_state = state;
	/* primary_key is a flexible array: its address, not a load. */
	bpf_probe_read_kernel(ev->neigh.addr, ev->neigh.family == 2 ? 4 : 16,
			      (void *)n + bpf_core_field_offset(struct neighbour, primary_key));
	bpf_probe_read_kernel(ev->neigh.lladdr, sizeof(ev->neigh.lladdr),
			      (void *)n + bpf_core_field_offset(struct neighbour, ha));
	ev_submit(ev);
}

/*
 * The tracepoint fires right after the entry is allocated, before its key
 * and device are filled in: those come from the arguments.
 */
SEC("tp_btf/neigh_create")
int BPF_PROG(neigh_create, struct neigh_table *tbl, struct net_device *dev, const void *pkey,
	     struct neighbour *n, bool exempt_from_gc)
{
	__u64 key = (__u64)n;
	__u8 none = 0;
	struct nsmon_ev *ev;

	if (!neigh_valid(n) || !dev_in_scope(dev) ||
	    (filter_set() && !neigh_passes(BPF_CORE_READ(tbl, family), pkey)))
		return 0;
	bpf_map_update_elem(&neigh_state, &key, &none, BPF_ANY);
	ev = ev_reserve(NSMON_SRC_NEIGH);
	if (!ev)
		return 0;
	where_dev(&ev->where, dev);
	ev->neigh.family = BPF_CORE_READ(tbl, family);
	ev->neigh.created = 1;
	bpf_probe_read_kernel(ev->neigh.addr, ev->neigh.family == 2 ? 4 : 16, pkey);
	ev_submit(ev);
	return 0;
}

/*
 * Before an update: report a change we have not seen yet. Resolving runs the
 * ARP exchange to completion inside __neigh_event_send on a veth (softirqs
 * run as it re-enables them), so the INCOMPLETE state of a first ping is
 * only ever visible here, as the state the reply finds.
 */
SEC("tp_btf/neigh_update")
int BPF_PROG(neigh_update, struct neighbour *n, const u8 *lladdr, u8 new, u32 flags, u32 pid)
{
	if (neigh_valid(n))
		neigh_report(n);
	return 0;
}

/* After each place that changes a state: an update, a resolution start, a timer. */
SEC("tp_btf/neigh_update_done")
int BPF_PROG(neigh_update_done, struct neighbour *n, int err)
{
	if (neigh_valid(n))
		neigh_report(n);
	return 0;
}

SEC("tp_btf/neigh_event_send_done")
int BPF_PROG(neigh_event_send_done, struct neighbour *n, int err)
{
	if (neigh_valid(n))
		neigh_report(n);
	return 0;
}

SEC("tp_btf/neigh_timer_handler")
int BPF_PROG(neigh_timer_handler, struct neighbour *n, int state)
{
	if (neigh_valid(n))
		neigh_report(n);
	return 0;
}

SEC("tp_btf/neigh_cleanup_and_release")
int BPF_PROG(neigh_release, struct neighbour *n, int rc)
{
	__u64 key = (__u64)n;

	bpf_map_delete_elem(&neigh_state, &key);
	return 0;
}

/* ---- bridge FDB ------------------------------------------------------------ */

/* A bridge's FDB is in the scope with the port it names, or with the bridge itself. */
static __always_inline bool fdb_in_scope(struct net_device *br_dev, struct net_device *port_dev)
{
	return (port_dev && dev_in_scope(port_dev)) || (br_dev && dev_in_scope(br_dev));
}

/* The record of an FDB change in the scope, or NULL. */
static __always_inline struct nsmon_ev *fdb_event(__u32 action, struct net_device *br_dev,
						  struct net_device *port_dev,
						  const unsigned char *mac, __u16 vid)
{
	struct nsmon_ev *ev;

	if (!fdb_in_scope(br_dev, port_dev))
		return NULL;
	ev = ev_reserve(NSMON_SRC_FDB);
	if (!ev)
		return NULL;
	if (port_dev)
		where_dev(&ev->where, port_dev);
	else if (br_dev)
		where_net(&ev->where, BPF_CORE_READ(br_dev, nd_net.net));
	if (br_dev) {
		ev->fdb.bridge_ifindex = BPF_CORE_READ(br_dev, ifindex);
		bpf_probe_read_kernel_str(ev->fdb.bridge, sizeof(ev->fdb.bridge), br_dev->name);
	}
	ev->fdb.action = action;
	ev->fdb.vid = vid;
	bpf_probe_read_kernel(ev->fdb.mac, sizeof(ev->fdb.mac), mac);
	return ev;
}

SEC("tp_btf/br_fdb_update")
int BPF_PROG(fdb_update, struct net_bridge *br, struct net_bridge_port *source,
	     const unsigned char *addr, u16 vid, unsigned long flags)
{
	struct fdb_key key = { .bridge = (__u64)br, .vid = vid };
	struct net_device *port = source ? source->dev : NULL;
	__u32 port_ifindex = port ? port->ifindex : 0;
	__u32 *last;
	struct nsmon_ev *ev;

	bpf_probe_read_kernel(key.mac, sizeof(key.mac), addr);
	last = bpf_map_lookup_elem(&fdb_port, &key);
	ev = fdb_event(last && *last != port_ifindex ? NSMON_FDB_MOVED : NSMON_FDB_LEARNED,
		       br->dev, port, addr, vid);
	if (ev) {
		ev->fdb.old_port_ifindex = last ? *last : 0;
		ev_submit(ev);
	}
	bpf_map_update_elem(&fdb_port, &key, &port_ifindex, BPF_ANY);
	return 0;
}

SEC("tp_btf/fdb_delete")
int BPF_PROG(fdb_delete, struct net_bridge *br, struct net_bridge_fdb_entry *f)
{
	struct fdb_key key = { .bridge = (__u64)br, .vid = f->key.vlan_id };
	struct net_bridge_port *dst = f->dst;
	struct nsmon_ev *ev;

	bpf_probe_read_kernel(key.mac, sizeof(key.mac), f->key.addr.addr);
	bpf_map_delete_elem(&fdb_port, &key);
	ev = fdb_event(NSMON_FDB_DELETED, br->dev, dst ? dst->dev : NULL, key.mac, key.vid);
	if (ev)
		ev_submit(ev);
	return 0;
}

SEC("tp_btf/br_fdb_add")
int BPF_PROG(fdb_add, struct ndmsg *ndm, struct net_device *dev, const unsigned char *addr,
	     u16 vid, u16 nlh_flags)
{
	struct nsmon_ev *ev = fdb_event(NSMON_FDB_ADDED, NULL, dev, addr, vid);

	if (ev)
		ev_submit(ev);
	return 0;
}

/* ---- drops ------------------------------------------------------------------ */

/*
 * Whether this CPU may stream one more drop event: at most drops_per_sec
 * in a window that starts with its first one. Reading the clock costs more
 * than the rest of the drop's accounting in a VM (and the coarse clock is
 * not allowed here), so it is read when a window starts and, once one is
 * full, at most once a tick (jiffies, a plain load): a flood reads it a few
 * hundred times a second, not once a drop, and a window ends on time.
 */
static __always_inline bool drop_rate_allows(void)
{
	__u32 zero = 0;
	struct rate_window *w = bpf_map_lookup_elem(&drop_rate, &zero);
	__u64 now, tick;

	if (drops_per_sec == NSMON_DROPS_UNLIMITED)
		return true;
	if (!drops_per_sec || !w)
		return false;
	if (w->count < drops_per_sec) {
		if (!w->count)
			w->start_ns = bpf_ktime_get_ns();
		w->count++;
		return true;
	}
	tick = bpf_jiffies64();
	if (tick == w->checked_jiffies)
		return false;
	w->checked_jiffies = tick;
	now = bpf_ktime_get_ns();
	if (now - w->start_ns < 1000000000ULL)
		return false;
	w->start_ns = now;
	w->count = 1;
	return true;
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(kfree_skb, struct sk_buff *skb, void *location, enum skb_drop_reason reason,
	     struct sock *rx_sk)
{
	struct net_device *dev = skb->dev;
	struct sock *sk = skb->sk ? skb->sk : rx_sk;
	struct nsmon_drop_key key = { .reason = reason };
	struct totals *t;
	struct nsmon_ev *ev;
	__u64 one = 1, *count;

	/*
	 * Every drop in the scope is counted, so its key is read with direct
	 * loads (see dev_netns_cookie()); the event, with the device's name,
	 * is only built for the drops the rate lets through. A drop storm
	 * elsewhere on the machine costs this much and no more.
	 */
	if (dev) {
		key.netns_cookie = dev_netns_cookie(dev);
		key.ifindex = dev->ifindex;
	} else if (sk) {
		key.netns_cookie = sk->__sk_common.skc_net.net->net_cookie;
	}
	if (!in_scope(key.netns_cookie, key.ifindex))
		return 0;
	count = bpf_map_lookup_elem(&drops, &key);
	if (count)
		*count += 1;
	else
		bpf_map_update_elem(&drops, &key, &one, BPF_NOEXIST);

	/* Counted whatever the filter says (counters are never filtered); streamed if it passes. */
	if (!filter_kskb(skb, filter_of_rodata(&filter)))
		return 0;
	if (!drop_rate_allows()) {
		t = totals_of(NSMON_SRC_DROP);
		if (t)
			t->suppressed++;
		return 0;
	}
	ev = ev_reserve(NSMON_SRC_DROP);
	if (!ev)
		return 0;
	if (dev)
		where_dev(&ev->where, dev);
	else if (sk)
		where_net(&ev->where, BPF_CORE_READ(sk, __sk_common.skc_net.net));
	ev->drop.reason = reason;
	ev->drop.protocol = bpf_ntohs(skb->protocol);
	ev->drop.location = (__u64)location;
	ev_submit(ev);
	return 0;
}
