/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counters model, read from the ledgers, the labs they name and the
 * pinned counters maps: what every view of the counters reads. `nsmon stats`
 * prints it as a table or as the contract's document (README.md,
 * output/stats_write.c), `nsmon web` serves that document, `nsmon export`
 * writes it as Prometheus text (output/export_metrics.c); `nsmon watch`
 * turns two of them into rates and `nsmon events --counters` into events,
 * by their deltas (stats_delta.h).
 */
#ifndef NSMON_STATS_MODEL_H
#define NSMON_STATS_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "datapath/counters.h"
#include "lab/lab.h"
#include "lab/lab_scope.h"
#include "lab/netns.h"
#include "model/stats_places.h"

/*
 * How many places (ports and the bridge itself) a bridge may have for
 * stats_model_read() to read its forwarding matrix: a bigger one leaves it out.
 */
#define STATS_MODEL_MATRIX_NONE		0		/* no bridge's */
#define STATS_MODEL_MATRIX_PLACES	64		/* what `nsmon stats` shows, unless --matrix */
#define STATS_MODEL_MATRIX_ALL		SIZE_MAX	/* every bridge's, however big */

/* A monitored bridge: its lab, and what it did with each place's frames. */
struct stats_bridge {
	struct lab lab;
	struct places places;
	bool *shown;			/* the ports shown: all, or those -n NS names */
	bool matrix_shown;		/* false: "matrix": null */
	const struct stats_pair *pairs;	/* of places: lab.ports by index, then the bridge */
	size_t npairs;
	size_t first, n;		/* its interfaces in the model: the ports shown, then the
					 * bridge device, from ifaces[first] */
};

struct stats_netns {
	const struct lab_netns *ns;	/* as the first lab that reaches it found it */
	size_t first, n;		/* its interfaces in the model, from ifaces[first] */
};

/*
 * The kernel's own counters of an interface (IFLA_STATS64, what `ip -s
 * link` shows), read in the same call as nsmon's, and by direction what
 * the kernel counted that no nsmon hook saw: kernel packets - nsmon skbs,
 * 0 when nsmon is ahead (README, "Where it is counted").
 */
struct stats_kernel {
	__u64 packets[NSMON_DIR_MAX], bytes[NSMON_DIR_MAX], dropped[NSMON_DIR_MAX];
	__u64 unseen[NSMON_DIR_MAX];
};

/*
 * One interface and what it counted, as it saw it: a namespace's veth end is
 * counted at its bridge port (datapath_attach_peer()), so its rx is the
 * port's tx and the other way round.
 */
struct stats_iface {
	const char *where;		/* its namespace's name, NETNS_HOST for ours */
	const char *name;
	int ifindex;
	__u64 netns_cookie;		/* of @where */
	size_t bridge;			/* its lab: the model's bridges[bridge] */
	size_t place;			/* its place there: a port's index (a peer's: its port's),
					 * lab.nports for the bridge device */
	size_t counted_at;		/* the interface whose hooks count it: itself, or a peer's port */
	struct nsmon_counters tc[NSMON_DIR_MAX];
	bool has_xdp;			/* XDP counts it (rx) */
	struct nsmon_counters xdp_rx;
	bool has_kernel;		/* the kernel's counters were read */
	struct stats_kernel kernel;
};

/* The counters of every monitored bridge and of the namespaces its ports reach. */
struct stats_model {
	struct stats_bridge *bridges;	/* in ledger (name) order */
	size_t nbridges;
	struct stats_netns *netns;	/* in the order ports first reach them */
	size_t nnetns;
	/*
	 * Every interface, in the one order every view shows them: the
	 * namespaces' (each namespace's by bridge and port), then per bridge
	 * its ports shown and last its own device.
	 */
	struct stats_iface *ifaces;
	size_t nifaces;
	__u64 flows_uncounted;
};

/**
 * stats_model_read() - the counters of the labs of @scope (NULL: every
 * monitored bridge; --all is the same): its --bridge names, each of which
 * must be monitored, and with -n just those namespaces and the bridge ports
 * that peer into them. A bridge with more than @matrix_places places (ports
 * and the bridge itself: STATS_MODEL_MATRIX_*) leaves its matrix out: 250
 * ports make a matrix of ~62,000 pairs (IPv6 link-local floods reach every
 * pair), 10 MB of JSON, and reading them from bridge_flows would be most of
 * a `stats` (the places' sums need none of them). Prints its own error line.
 * Return: 0 with *@out set (stats_model_free() it), or -errno: -ENOENT when
 * nothing is monitored, a --bridge is not, or a -n names no namespace of the
 * labs; -ENODEV when every lab of the scope lost its bridge.
 */
int stats_model_read(const struct lab_scope *scope, size_t matrix_places,
		     struct stats_model **out);

/**
 * stats_model_read_quiet() - stats_model_read(), for
 * callers that read every interval and report a failure their own way: no
 * error line, its own or its modules'.
 * Return: as stats_model_read().
 */
int stats_model_read_quiet(const struct lab_scope *scope, size_t matrix_places,
			   struct stats_model **out);

void stats_model_free(struct stats_model *m);

/* The name of place @place of @lab in the matrix: a port's, or "local" for the bridge device. */
const char *stats_model_place_name(const struct lab *lab, size_t place);

#endif
