// SPDX-License-Identifier: GPL-2.0
/*
 * The path tracer's percentiles (model/path_hist.c) against a reference:
 * durations spread over the buckets (a few hundred ns to a few ms, as the
 * hops of a veth path take), histogrammed with include/path_abi.h's rule;
 * each percentile must lie in the bucket of the exact nearest-rank value of
 * the same durations sorted (so within one bucket's width of it), and
 * p50 <= p90 <= p99. A histogram of one sample reads as its bucket's middle.
 */
#include <stdlib.h>
#include <string.h>

#include "model/path_hist.h"
#include "test.h"

#define N	5000

static int by_value(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static __u64 nearest_rank(const __u64 *sorted, size_t n, int p)
{
	size_t rank = (n * p + 99) / 100;

	return sorted[rank ? rank - 1 : 0];
}

static void check_against_reference(const char *name, __u64 *ns, size_t n)
{
	static __u64 count[NSMON_PATH_BUCKETS];
	const int ps[] = { 1, 50, 90, 99, 100 };
	__u64 last = 0;

	memset(count, 0, sizeof(count));
	for (size_t i = 0; i < n; i++)
		count[nsmon_path_bucket(ns[i])]++;
	qsort(ns, n, sizeof(*ns), by_value);
	TEST_BEGIN();
	ASSERT_EQ(name, path_hist_total(count), n);
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		__u64 want = nearest_rank(ns, n, ps[i]), got = path_hist_percentile(count, ps[i]);
		__u32 b = nsmon_path_bucket(want);

		if (nsmon_path_bucket(got) != b)
			TEST_FAIL(name, "p%d: %llu ns, the samples' own %llu ns (bucket %llu .. %llu)",
				  ps[i], (unsigned long long)got, (unsigned long long)want,
				  (unsigned long long)nsmon_path_bucket_first(b),
				  (unsigned long long)path_hist_bucket_last(b));
		if (got < last)
			TEST_FAIL(name, "p%d %llu below the percentile before it, %llu", ps[i],
				  (unsigned long long)got, (unsigned long long)last);
		last = got;
	}
	TEST_END(name);
}

int main(void)
{
	static __u64 ns[N];
	__u64 count[NSMON_PATH_BUCKETS] = {};

	srandom(42);
	/* Log-uniform from 256 ns to ~4 ms. */
	for (size_t i = 0; i < N; i++)
		ns[i] = 256ULL << (random() % 14) | (__u64)(random() % 256);
	check_against_reference("path percentiles: spread from 256 ns to 4 ms, against the samples sorted", ns, N);
	/* A few microseconds, where the 64 ns steps are. */
	for (size_t i = 0; i < N; i++)
		ns[i] = 1500 + (__u64)(random() % 3000);
	check_against_reference("path percentiles: 1.5 to 4.5 us, against the samples sorted", ns, N);
	/* A handful, as `path -c 5` has. */
	for (size_t i = 0; i < 5; i++)
		ns[i] = 2000 + i * 700;
	check_against_reference("path percentiles: five samples, against the samples sorted", ns, 5);

	TEST_BEGIN();
	count[nsmon_path_bucket(3000)] = 1;
	ASSERT_EQ("path percentiles: one sample reads as its bucket's middle",
		  path_hist_percentile(count, 50), 2944 + 32);
	ASSERT_EQ("path percentiles: one sample reads as its bucket's middle",
		  path_hist_percentile(count, 99), 2944 + 32);
	memset(count, 0, sizeof(count));
	ASSERT_EQ("path percentiles: one sample reads as its bucket's middle",
		  path_hist_percentile(count, 50), 0);
	TEST_END("path percentiles: one sample reads as its bucket's middle");
	return tests_failed ? 1 : 0;
}
