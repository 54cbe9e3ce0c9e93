/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The path tracer (bpf/path.bpf.c) on a lab: which hook of which interface
 * is which hop between two namespaces, attached for as long as the tracer is
 * open (plain tcx links, not pinned: closing detaches them); the latency
 * histograms the programs keep, and for `explain` the hops one by one.
 */
#ifndef NSMON_PATH_H
#define NSMON_PATH_H

#include <stdbool.h>

#include "filter_abi.h"
#include "lab/lab_scope.h"
#include "lab/nl.h"
#include "path_abi.h"

struct path_opts {
	/* The labs to look for the ends in: its --bridge names (monitored or not), else every monitored one. */
	struct lab_scope scope;
	/* Each end: a namespace of the lab, or an IPv4/IPv6 address of its veth (NULL: the lab's first two). */
	const char *from;
	const char *to;
	/* Which packets (--proto, --host, --port), matched at every hop; empty: every IPv4 and ARP one. */
	struct nsmon_filter filter;
	__u32 sample;			/* trace one packet in N (0 or 1: every one) */
	__u64 count;			/* histogram at most this many legs each way (0: all) */
	bool every_hop;			/* one ring record per hop met (explain) */
};

struct path_tracer;

/**
 * path_filter_check() - can @f match anything the tracer traces (IPv4 and
 * ARP)? --proto icmp6, or only IPv6 --host addresses, cannot: said in one
 * line. Return: 0 or -EINVAL (a usage error).
 */
int path_filter_check(const struct nsmon_filter *f);

/**
 * path_lab_check() - with neither end named, is the scope of @opts one lab?
 * "The lab's first two namespaces" of several labs would be a guess: said
 * in one line. Return: 0 or -EINVAL (a usage error).
 */
int path_lab_check(const struct path_opts *opts);

/*
 * Find the lab that holds both ends (by name or address: the first of the
 * scope's labs that does; with neither named, the caller has checked with
 * path_lab_check() that the scope is one lab), load and attach. Prints its
 * own error line. Return 0, -ENOENT (no lab, or no such end), or -errno.
 */
int path_tracer_open(const struct path_opts *opts, struct path_tracer **out);

/* The bridge of the lab the ends were found in. */
const char *path_tracer_lab(const struct path_tracer *pt);

/* Legs histogrammed so far, one word per leg read from the kernel (cheap: poll it). */
int path_tracer_recorded(const struct path_tracer *pt, __u64 recorded[NSMON_LEG_MAX]);

/* Stop tracing (take the programs off), keeping what they counted for path_tracer_read(). */
void path_tracer_detach(struct path_tracer *pt);

/* The histograms and the legs' fates, summed over CPUs. Return 0 or -errno. */
int path_tracer_read(const struct path_tracer *pt, struct nsmon_path_hist hist[NSMON_LEG_MAX],
		     struct nsmon_path_leg_stats stats[NSMON_LEG_MAX]);

typedef void (*path_hop_cb)(const struct nsmon_hop_event *h, void *data);

/* With every_hop: wait up to @timeout_ms and hand over the hops met. Return: records read, or -errno. */
int path_tracer_poll(struct path_tracer *pt, int timeout_ms, path_hop_cb on_hop, void *data);

/* Does the packet of hop record @h pass @f? The rule the programs apply, on its key. */
bool path_hop_matches(const struct nsmon_filter *f, const struct nsmon_hop_event *h);

/* "red veth-red" / "host veth-red-br" for a hop's interface. */
const char *path_tracer_where(const struct path_tracer *pt, __u64 netns_cookie, __u32 ifindex,
			      char *buf, size_t size);

/* The namespaces the ends resolved to. */
const char *path_tracer_from(const struct path_tracer *pt);
const char *path_tracer_to(const struct path_tracer *pt);

/* One end of the traced path, for callers that act on it (explain --ping). */
struct path_end_info {
	const char *netns;
	int netns_fd;
	const char *veth;	/* in the namespace */
	int veth_ifindex;
	const char *port;	/* its bridge port */
};

void path_tracer_ends(const struct path_tracer *pt, struct path_end_info *from,
		      struct path_end_info *to);

/* The bridge's ifindex and the rtnetlink socket of our namespace. */
int path_tracer_bridge(const struct path_tracer *pt, struct nl_sock **nl);

void path_tracer_close(struct path_tracer *pt);

#endif
