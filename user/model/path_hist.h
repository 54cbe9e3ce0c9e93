/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the path tracer's latency histograms (include/path_abi.h's
 * buckets): how many samples, and their percentiles.
 */
#ifndef NSMON_PATH_HIST_H
#define NSMON_PATH_HIST_H

#include <linux/types.h>

#include "path_abi.h"

/* The samples in @count (NSMON_PATH_BUCKETS buckets). */
__u64 path_hist_total(const __u64 *count);

/**
 * path_hist_percentile() - the @p-th percentile (0 < @p <= 100) of the
 * samples in @count, in ns: the nearest-rank sample's bucket, and within it
 * the place that sample takes if its bucket's samples are spread evenly
 * (one sample alone sits in the middle). So it is in the same bucket as the
 * exact value, less than a bucket's width from it (64 ns below 8.192 us,
 * 12.5% above), and p50 <= p90 <= p99 always. 0 when there are no samples.
 */
__u64 path_hist_percentile(const __u64 *count, int p);

/* The largest duration bucket @b holds. */
__u64 path_hist_bucket_last(__u32 b);

#endif
