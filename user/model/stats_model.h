/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counters model: what `nsmon stats --json` prints (the contract in
 * README.md), read from the ledgers, the labs they name and the pinned
 * counters maps. `nsmon stats` prints it, `nsmon watch` turns two of them
 * into rates, `nsmon events --counters` into deltas, `nsmon export` into
 * Prometheus metrics (export_metrics.c).
 */
#ifndef NSMON_STATS_MODEL_H
#define NSMON_STATS_MODEL_H

#include <stdbool.h>
#include <jansson.h>

#include "datapath/counters.h"
#include "lab/lab.h"
#include "lab/lab_scope.h"
#include "model/stats_places.h"

/* The label of the bridge side (ports and the bridge itself) in @where below. */
#define STATS_MODEL_HOST	"host"

/* `nsmon stats` shows the matrix of a bridge up to this many places, unless --matrix. */
#define STATS_MODEL_MATRIX_PLACES	64
/* As matrix_max_places: no matrix (a bridge with a port has two places, itself and the port). */
#define STATS_MODEL_NO_MATRIX		1

/* A monitored bridge: its lab, and what it did with each place's frames. */
struct stats_bridge {
	struct lab lab;
	struct places places;
	bool *shown;			/* the ports shown: all, or those the scope's -n names */
	bool matrix_shown;		/* false: "matrix": null */
	const struct stats_pair *pairs;	/* of places: lab.ports by index, then the bridge */
	size_t npairs;
};

/*
 * A namespace's interface: the peer of port @port of bridge @bridge,
 * counted at that port (see datapath_attach_peer()).
 */
struct stats_peer {
	size_t bridge, port;
	size_t next;			/* the namespace's next peer, + 1; 0: none */
};

struct stats_netns {
	const struct lab_netns *ns;	/* as the first lab that reaches it found it */
	size_t first, last;		/* its peers, + 1 */
};

/* The counters of every monitored bridge and of the namespaces its ports reach. */
struct stats_model {
	struct counters_snapshot *snap;
	struct stats_bridge *bridges;	/* in ledger (name) order */
	size_t nbridges;
	struct stats_netns *netns;	/* in the order ports first reach them */
	size_t nnetns;
	struct stats_peer *peers;
	size_t npeers;
	__u64 flows_uncounted;
};

/**
 * stats_model_read() - the counters of the labs of @scope (NULL: every
 * monitored bridge; --all is the same): its --bridge names, each of which
 * must be monitored, and with -n just those namespaces and the bridge ports
 * that peer into them. A bridge with more than @matrix_max_places places (ports
 * and the bridge itself; 0: no limit) leaves its matrix out: 250 ports make a
 * matrix of ~62,000 pairs (IPv6 link-local floods reach every pair), 10 MB of
 * JSON, and reading them from bridge_flows would be most of a `stats` (the
 * places' sums need none of them). Prints its own error line.
 * Return: 0 with *@out set (stats_model_free() it), or -errno: -ENOENT when
 * nothing is monitored, a --bridge is not, or a -n names no namespace of the labs.
 */
int stats_model_read(const struct lab_scope *scope, size_t matrix_max_places,
		     struct stats_model **out);

void stats_model_free(struct stats_model *m);

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
	const char *where;		/* its namespace's name, STATS_MODEL_HOST for ours */
	const char *name;
	struct nsmon_counters tc[NSMON_DIR_MAX];
	bool has_xdp;			/* XDP counts it (rx) */
	struct nsmon_counters xdp_rx;
	bool has_kernel;		/* the kernel's counters were read */
	struct stats_kernel kernel;
};

/**
 * stats_model_kernel() - @dev's kernel counters beside nsmon's @tc (as the
 * interface saw them: rx, tx) into *@k.
 * Return: false when the kernel's counters of @dev were not read.
 */
bool stats_model_kernel(const struct lab_iface *dev, const struct nsmon_counters tc[NSMON_DIR_MAX],
			struct stats_kernel *k);

/* The name of place @place of @lab in the matrix: a port's, or "local" for the bridge device. */
const char *stats_model_place_name(const struct lab *lab, size_t place);

/**
 * stats_model_ifaces() - every interface of @m in the document's order: the
 * namespaces' interfaces, then per bridge its ports (those -n kept) and last
 * the bridge device, with their counters.
 * Return: an array of *@count (free() it), or NULL: no memory.
 */
struct stats_iface *stats_model_ifaces(const struct stats_model *m, size_t *count);

/* stats_model_json() - @m as the contract's document (the caller's reference; NULL: no memory). */
json_t *stats_model_json(const struct stats_model *m);

/**
 * stats_model_build() - stats_model_read() as a jansson document.
 * Return: 0 with *@doc set (the caller's reference), or -errno as above.
 */
int stats_model_build(const struct lab_scope *scope, size_t matrix_max_places, json_t **doc);

/**
 * stats_model_build_quiet() - stats_model_build(), for callers that ask
 * every interval and report a failure their own way: no error line, its
 * own or its modules'.
 * Return: as stats_model_build().
 */
int stats_model_build_quiet(const struct lab_scope *scope, size_t matrix_max_places,
			    json_t **doc);

/* @where: the namespace's name, or STATS_MODEL_HOST; @iface: {"rx", "tx", ...}. */
typedef void (*stats_iface_cb)(const char *where, const char *name, const json_t *iface,
			       void *data);

/**
 * stats_model_foreach_iface() - call @cb on every interface of @doc in the
 * order people read them: the namespaces' interfaces, then for each bridge
 * its ports and last the bridge's own device ("local", named after the bridge).
 */
void stats_model_foreach_iface(const json_t *doc, stats_iface_cb cb, void *data);

#endif
