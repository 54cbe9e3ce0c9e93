/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The path tracer (bpf/path.bpf.c) on a lab: which hook of which interface
 * is which hop between two namespaces, attached for as long as the tracer is
 * open (plain tcx links, not pinned: closing detaches them).
 */
#ifndef NSMON_PATH_H
#define NSMON_PATH_H

#include <stdbool.h>

#include "lab/nl.h"
#include "path_abi.h"

struct path_opts {
	const char *bridge;
	const char *from;		/* namespace names */
	const char *to;
	enum nsmon_path_proto proto;
	bool every_hop;			/* also one record per hop met (explain) */
};

struct path_tracer;

/* Discover the lab, give the hooks their roles, load and attach. Prints its own error line. */
int path_tracer_open(const struct path_opts *opts, struct path_tracer **out);

typedef void (*path_sample_cb)(const struct nsmon_path_sample *s, void *data);
typedef void (*path_hop_cb)(const struct nsmon_hop_event *h, void *data);

/* Wait up to @timeout_ms and hand over what arrived. Return: records read, or -errno. */
int path_tracer_poll(struct path_tracer *pt, int timeout_ms, path_sample_cb on_sample,
		     path_hop_cb on_hop, void *data);

/* "red veth-red" / "host veth-red-br" for a hop's interface. */
const char *path_tracer_where(const struct path_tracer *pt, __u64 netns_cookie, __u32 ifindex,
			      char *buf, size_t size);

/* The namespaces resolved from the options (defaults: the lab's first two). */
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
