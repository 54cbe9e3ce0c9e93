// SPDX-License-Identifier: GPL-2.0
/* The path tracer's histograms: see path_hist.h. */
#include "model/path_hist.h"

__u64 path_hist_total(const __u64 *count)
{
	__u64 n = 0;

	for (__u32 b = 0; b < NSMON_PATH_BUCKETS; b++)
		n += count[b];
	return n;
}

__u64 path_hist_bucket_last(__u32 b)
{
	return nsmon_path_bucket_first(b + 1) - 1;
}

__u64 path_hist_percentile(const __u64 *count, int p)
{
	__u64 total = path_hist_total(count), rank, before = 0;

	if (!total || p <= 0)
		return 0;
	rank = (total * (__u64)p + 99) / 100;	/* nearest rank, 1-based */
	if (!rank)
		rank = 1;
	for (__u32 b = 0; b < NSMON_PATH_BUCKETS; b++) {
		__u64 first = nsmon_path_bucket_first(b), width;

		if (before + count[b] < rank) {
			before += count[b];
			continue;
		}
		/* The (rank - before)-th of count[b] samples spread evenly over the bucket. */
		width = path_hist_bucket_last(b) + 1 - first;
		return first + (__u64)((double)width * (double)(2 * (rank - before) - 1) /
				       (2.0 * (double)count[b]));
	}
	return 0;
}
