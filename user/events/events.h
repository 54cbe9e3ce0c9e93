/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live event stream behind `nsmon events` and `nsmon watch`: namespace
 * lifecycle (inotify on /run/netns, syscall tracepoints for every namespace
 * type), links/addresses/nsids (rtnetlink, all namespaces), neighbour and
 * bridge FDB changes and drops (tracepoints), counter deltas, auto-attach.
 * Every source ends up as one struct nsmon_event on one clock.
 */
#ifndef NSMON_EVENTS_H
#define NSMON_EVENTS_H

#include <stdbool.h>
#include <jansson.h>
#include <linux/types.h>

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
	EVENT_LOST,		/* "lost": events a source could not deliver */
	EVENT_TYPE_MAX,
};

#define EVENT_ALL_TYPES		((1U << EVENT_TYPE_MAX) - 1)

/* Indexed by enum event_type, NULL-terminated. */
extern const char *const event_type_names[EVENT_TYPE_MAX + 1];

/* The current time on the events' clock (CLOCK_REALTIME, µs). */
__u64 event_now_us(void);

/* What to add to CLOCK_MONOTONIC (bpf_ktime_get_ns) to get CLOCK_REALTIME, in ns, now. */
__s64 event_clock_offset_ns(void);

/* Parse "netns,neigh" into a mask of (1 << EVENT_*). Return 0 or -EINVAL (@bad: the bad name). */
int event_types_parse(const char *text, unsigned int *mask, char *bad, size_t bad_size);

/* One event, ready to print. Valid only during the callback. */
struct nsmon_event {
	enum event_type type;
	__u64 time_us;		/* CLOCK_REALTIME, microseconds */
	const char *line;	/* human line: "[2026-11-25T15:04:05.123456] [NEIGH] ..." */
	json_t *json;		/* the NDJSON object: {"time": "...", "time_us": N, "type": "neigh", ...} */
};

typedef void (*event_cb)(const struct nsmon_event *ev, void *data);

struct event_opts {
	unsigned int types;		/* mask of (1 << EVENT_*); 0 means all */
	unsigned int counters_ms;	/* EVENT_COUNTERS interval, 0: no counter events */
	bool auto_attach;		/* attach to new ports of monitored bridges */
	unsigned int drops_per_sec;	/* drop events streamed per second per CPU; 0: no limit */
	unsigned int ring_kb;		/* ring buffer size, 0: default */
	unsigned int consume_ms;	/* how often the ring is drained, 0: default (5 ms) */
};

struct event_stream;

/**
 * event_stream_open() - start every source @opts asks for. Prints its own
 * error line. Return: 0 or -errno.
 */
int event_stream_open(const struct event_opts *opts, struct event_stream **out);

/**
 * event_stream_poll() - wait up to @timeout_ms for events and call @cb on
 * each, in the order they were read; @timeout_ms 0 drains what is waiting.
 * Return: the number of events, or -errno (-EINTR when a signal came).
 */
int event_stream_poll(struct event_stream *es, int timeout_ms, event_cb cb, void *data);

/*
 * event_stream_stop() - stop the tracepoint sources, so that one last
 * event_stream_poll(es, 0, ...) drains the ring and the totals add up.
 */
void event_stream_stop(struct event_stream *es);

/* Hand @cb a "lost" event for each source that lost records since the last one. */
void event_stream_report_lost(struct event_stream *es, event_cb cb, void *data);

/* Per-source totals, for the summary at the end and the overload test. */
struct event_totals {
	__u64 submitted;	/* the BPF programs tried to send (delivered + lost) */
	__u64 delivered;	/* read from the ring */
	__u64 lost;		/* the ring was full */
	__u64 suppressed;	/* drop events over the rate limit (still counted in the drop map) */
};

/* The totals of the BPF sources, summed over them. */
void event_stream_totals(struct event_stream *es, struct event_totals *totals);

/* Drops the kernel reported on interface @ifindex of namespace @netns_cookie since the stream began. */
__u64 event_stream_drops(struct event_stream *es, __u64 netns_cookie, int ifindex);

void event_stream_close(struct event_stream *es);

#endif
