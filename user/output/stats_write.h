/* SPDX-License-Identifier: GPL-2.0 */
/* The counters model as the `stats --json` document (the contract in README.md). */
#ifndef NSMON_STATS_WRITE_H
#define NSMON_STATS_WRITE_H

#include <jansson.h>

#include "model/stats_model.h"

/**
 * stats_write_json() - @m as the contract's document, member by member in
 * the contract's order. Prints its own error line.
 * Return: the document (the caller's reference), or NULL: no memory.
 */
json_t *stats_write_json(const struct stats_model *m);

#endif
