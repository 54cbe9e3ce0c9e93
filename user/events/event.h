/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an event is: the typed records every source produces and every
 * writer reads, the types and their names, and the options a stream is
 * opened with. The sources (through sink.h), the hub (events.h) and the
 * writers (event_write.h) all stand on this; it calls none of them.
 */
#ifndef NSMON_EVENT_H
#define NSMON_EVENT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "filter_abi.h"
#include "lab/lab_scope.h"

/* Event types, also the values of --type (comma-separated names below). */
enum event_type {
	EVENT_NETNS,		/* "netns": a named namespace appeared in / left /run/netns */
	EVENT_NS,		/* "ns": any namespace created (unshare, clone) or entered (setns), or gone */
	EVENT_LINK,		/* "link": added, deleted, moved, up/down, enslaved/released */
	EVENT_ADDR,		/* "addr": address added/removed */
	EVENT_NEIGH,		/* "neigh": neighbour (ARP/NDP) state change */
	EVENT_FDB,		/* "fdb": bridge FDB learned, moved, deleted, added */
	EVENT_DROP,		/* "drop": a packet the kernel dropped, with its reason */
	EVENT_COUNTERS,		/* "counters": per-interface deltas over one interval */
	EVENT_ATTACH,		/* "attach": programs attached to (or released from) a new port */
	EVENT_LOST,		/* "lost": events a source could not deliver; never filtered out */
	EVENT_TYPE_MAX,
};

#define EVENT_ALL_TYPES		((1U << EVENT_TYPE_MAX) - 1)

/*
 * The types a filter (--proto, --host, --port) judges: those about a packet
 * or an address. With a filter, the stream is these (and "lost") only.
 */
#define EVENT_FILTERED_TYPES	((1U << EVENT_DROP) | (1U << EVENT_NEIGH) | (1U << EVENT_ADDR))

/* Indexed by enum event_type, NULL-terminated. */
extern const char *const event_type_names[EVENT_TYPE_MAX + 1];

/*
 * --type as the declared command line parses it (cmd/filter_options.h):
 * @text's types into the mask (unsigned int) at @dest. Return: NULL, or why
 * @text is refused.
 */
const char *event_types_option(const char *text, void *dest);

/**
 * event_types_check() - can the filter @f judge the types @types asks for
 * (0: not said) and the counter deltas (@counters)? A filter is about
 * packets and addresses (EVENT_FILTERED_TYPES): asking for other types with
 * one is a contradiction, said in one line. Return: 0 or -EINVAL.
 */
int event_types_check(unsigned int types, bool counters, const struct nsmon_filter *f);

/* ---- the events, typed ----------------------------------------------------- */

/* Where an interface-level event happened. */
struct event_where {
	const char *netns;	/* its /run/netns name; NULL: none (our own namespace has none) */
	const char *label;	/* for human lines: the name, "host", "nsid:N"; NULL: "net:[INODE]" */
	__u64 netns_inode;
	const char *ifname;	/* NULL or "": none */
	int ifindex;		/* 0: none */
};

enum event_netns_action { EVENT_NETNS_ADDED, EVENT_NETNS_DELETED };

struct event_netns {
	enum event_netns_action action;
	const char *name;
	__u64 inode;		/* 0: unknown */
};

enum event_ns_action { EVENT_NS_CREATED, EVENT_NS_ENTERED, EVENT_NS_GONE };

struct event_ns {
	enum event_ns_action action;
	const char *ns_type;	/* "net", "mnt", "pid", ... */
	__u64 inode;
	/* Not for GONE, which only the reconciler sees (its time is approximate): */
	__u64 parent_inode;	/* the namespace of that type before the call */
	const char *syscall;	/* "unshare", "clone", "clone3", "setns" */
	__u32 pid;
	const char *comm;
	__u32 child_pid;	/* clone: the new task; 0: none */
	unsigned int within_ms;	/* GONE: noticed within this long */
};

enum event_link_action {
	EVENT_LINK_ADDED, EVENT_LINK_DELETED, EVENT_LINK_MOVED, EVENT_LINK_UP, EVENT_LINK_DOWN,
	EVENT_LINK_ENSLAVED, EVENT_LINK_RELEASED, EVENT_LINK_RENAMED,
};

struct event_link {
	struct event_where where;
	enum event_link_action action;
	const char *kind;	/* IFLA_INFO_KIND: "veth", "bridge", "" */
	bool up;
	const char *master;	/* the bridge it is a port of now; NULL: none */
	const char *from;	/* RENAMED: the old name; RELEASED: the bridge it left */
	/* MOVED: where it went; to.label NULL: a namespace with no name or id here. */
	struct event_where to;
	/* Not printed; what the stream follows the lab by: */
	__u64 netns_cookie;	/* of where.netns; 0: unknown */
	__u64 to_cookie;	/* MOVED: of to.netns */
	int master_ifindex;
	int peer_ifindex;	/* a veth's peer (IFLA_LINK), 0: none */
	int peer_nsid;		/* where the peer is (IFLA_LINK_NETNSID), -1: the same namespace */
};

struct event_addr {
	struct event_where where;
	bool added;		/* or removed */
	int family;		/* AF_INET, AF_INET6 */
	bool has_address;	/* false: printed as "?" */
	__u8 address[16];
	int prefixlen;
	__u64 netns_cookie;	/* not printed */
};

struct event_neigh {
	struct event_where where;
	int family;		/* AF_INET, AF_INET6 */
	__u8 address[16];
	__u8 lladdr[6];
	__u8 old_state;		/* NUD_* bits; 0: NONE */
	__u8 new_state;
	bool created;		/* neigh_create: a new entry, no states */
};

enum event_fdb_action { EVENT_FDB_LEARNED, EVENT_FDB_MOVED, EVENT_FDB_DELETED, EVENT_FDB_ADDED };

struct event_fdb {
	struct event_where where;	/* the port */
	enum event_fdb_action action;
	const char *bridge;	/* "" when the tracepoint did not say */
	int bridge_ifindex;
	__u8 mac[6];
	__u16 vlan;
	int old_port_ifindex;	/* MOVED: where it was */
};

struct event_drop {
	struct event_where where;
	__u32 reason;
	const char *reason_name;
	__u16 protocol;		/* host order */
	__u64 location;
	__u32 pid;
	const char *comm;
};

/* The counters `events --counters` reports deltas of, in this order. */
enum event_delta {
	EVENT_DELTA_PACKETS, EVENT_DELTA_BYTES, EVENT_DELTA_ARP_REQUEST, EVENT_DELTA_ARP_REPLY,
	EVENT_DELTA_ECHO_REQUEST, EVENT_DELTA_ECHO_REPLY, EVENT_DELTA_MAX,
};

extern const char *const event_delta_names[EVENT_DELTA_MAX];

struct event_counters {
	const char *netns;	/* the namespace's name, or "host" for bridges and their ports */
	const char *ifname;
	long long rx[EVENT_DELTA_MAX];
	long long tx[EVENT_DELTA_MAX];
};

enum event_attach_action {
	EVENT_ATTACH_ATTACHED, EVENT_ATTACH_COUNTED, EVENT_ATTACH_DETACHED, EVENT_ATTACH_RELEASED,
};

/* What the kernel counted on a port before nsmon's programs were on it. */
struct event_baseline {
	__u64 rx_packets, rx_bytes, tx_packets, tx_bytes;
};

struct event_attach {
	enum event_attach_action action;
	const char *bridge;
	const char *port;
	int ifindex;
	const char *peer;	/* NULL: not said */
	const char *peer_netns;	/* NULL: none, or not said */
	bool has_baseline;	/* ATTACHED: @before is the port's own counters at that moment */
	struct event_baseline before;
};

struct event_lost {
	const char *source;	/* "ns", "neigh", "fdb", "drop" */
	__u64 lost;		/* since the last one */
	__u64 lost_total;
};

/* One event. Valid only during the callback that hands it over: its strings are borrowed. */
struct nsmon_event {
	enum event_type type;
	__u64 time_us;		/* CLOCK_REALTIME, microseconds */
	union {
		struct event_netns netns;
		struct event_ns ns;
		struct event_link link;
		struct event_addr addr;
		struct event_neigh neigh;
		struct event_fdb fdb;
		struct event_drop drop;
		struct event_counters counters;
		struct event_attach attach;
		struct event_lost lost;
	};
};

/* ---- the stream ------------------------------------------------------------- */

typedef void (*event_cb)(const struct nsmon_event *ev, void *data);

/* --drop-rate unlimited: every drop streamed. */
#define EVENT_DROPS_UNLIMITED	UINT_MAX

struct event_opts {
	unsigned int types;		/* mask of (1 << EVENT_*); 0 means all ("lost" always) */
	unsigned int counters_ms;	/* EVENT_COUNTERS interval, 0: no counter events */
	bool auto_attach;		/* attach to new ports of monitored bridges */
	/* Drop events streamed per second per CPU: 0 none, EVENT_DROPS_UNLIMITED all.
	 * Every drop in the scope is counted either way. */
	unsigned int drops_per_sec;
	unsigned int ring_kb;		/* ring buffer size, 0: default */
	unsigned int consume_ms;	/* how often the ring is drained, 0: default (5 ms) */
	/*
	 * The scope: what the stream is about. By default the labs nsmon
	 * monitors (every bridge with a ledger, its ports, the namespaces
	 * behind them), followed as ports come and go. --bridge narrows it to
	 * those bridges (monitored or not), -n to those namespaces of the labs
	 * (and the ports that peer into them), from when they join. --all: the
	 * whole machine, every namespace's lifecycle included.
	 */
	struct lab_scope scope;
	/*
	 * Only the events about packets and addresses that pass it (empty:
	 * all): drops by their packet and neighbour entries by their address
	 * in the kernel, addresses here. With a filter, the types are
	 * narrowed to EVENT_FILTERED_TYPES.
	 */
	struct nsmon_filter filter;
};

/**
 * event_filter_match() - does @ev pass @f, as the stream decides it? A
 * neighbour entry is its address, ARP's for IPv4 and IPv6's ICMPv6 (NDP);
 * an address event its address (IPv4 or IPv6); a drop was matched by its
 * packet in the kernel; "lost" always passes; no other type carries what a
 * filter looks at, and none passes a filter that is not empty.
 */
bool event_filter_match(const struct nsmon_filter *f, const struct nsmon_event *ev);

/* Per-source totals, for the summary at the end and the overload test. */
struct event_totals {
	__u64 submitted;	/* the BPF programs tried to send (delivered + lost) */
	__u64 delivered;	/* read from the ring */
	__u64 lost;		/* the ring was full */
	__u64 suppressed;	/* drop events over the rate limit (still counted in the drop map) */
};

#endif
