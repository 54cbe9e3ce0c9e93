/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counters model: the JSON document `nsmon stats --json` prints (the
 * contract in README.md), built from the ledgers, the labs they name and the
 * pinned counters map. `nsmon stats` prints it, `nsmon watch` turns two of
 * them into rates.
 */
#ifndef NSMON_STATS_MODEL_H
#define NSMON_STATS_MODEL_H

#include <jansson.h>

/* The label of the bridge side (ports and the bridge itself) in @where below. */
#define STATS_MODEL_HOST	"host"

/* `nsmon stats` shows the matrix of a bridge up to this many places, unless --matrix. */
#define STATS_MODEL_MATRIX_PLACES	64

/**
 * stats_model_build() - the counters of every monitored bridge, or of @bridge
 * only. @only_netns (NULL: all) keeps just that namespace and the bridge ports
 * that peer into it. A bridge with more than @matrix_max_places places (ports
 * and the bridge itself; 0: no limit) gets "matrix": null: 250 ports make a
 * matrix of ~62,000 pairs (IPv6 link-local floods reach every pair), 10 MB of
 * JSON that took most of the time of a `stats`. Prints its own error line.
 * Return: 0 with *@doc set (the caller's reference), or -errno: -ENOENT when
 * nothing is monitored, @bridge is not, or @only_netns is not.
 */
int stats_model_build(const char *bridge, const char *only_netns, size_t matrix_max_places,
		      json_t **doc);

/**
 * stats_model_build_quiet() - stats_model_build() of every namespace, for
 * callers that ask every interval and report a failure their own way: no
 * error line, its own or its modules'.
 * Return: as stats_model_build().
 */
int stats_model_build_quiet(const char *bridge, size_t matrix_max_places, json_t **doc);

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
