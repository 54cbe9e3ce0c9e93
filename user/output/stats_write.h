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

#endif
