/* SPDX-License-Identifier: GPL-2.0 */
/* The counters model as the `stats --json` document (the contract in README.md). */
#ifndef NSMON_STATS_WRITE_H
#define NSMON_STATS_WRITE_H

#include <jansson.h>

#include "model/stats_model.h"

/* stats_model_json() - @m as the contract's document (the caller's reference; NULL: no memory). */
json_t *stats_model_json(const struct stats_model *m);

/**
 * stats_model_build() - stats_model_read() as a jansson document.
 * Return: 0 with *@doc set (the caller's reference), or -errno as above.
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
