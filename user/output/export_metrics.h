/* SPDX-License-Identifier: GPL-2.0 */
/* The counters model in the Prometheus text exposition format (`nsmon export`). */
#ifndef NSMON_EXPORT_METRICS_H
#define NSMON_EXPORT_METRICS_H

#include <stdio.h>
#include "model/stats_model.h"

/**
 * export_metrics_write() - write @m (read without its matrix, and without
 * -n: every port) to @out as
 * Prometheus text format 0.0.4: every interface's tc (and XDP) counters,
 * every bridge place's forwarding, the bridges' lost counts. README.md
 * lists the metrics.
 * Return: 0, -ENOMEM, or -EIO when @out failed (full, for a fixed buffer).
 */
int export_metrics_write(const struct stats_model *m, FILE *out);

#endif
