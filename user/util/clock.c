// SPDX-License-Identifier: GPL-2.0
/* The two clocks nsmon reads: see clock.h. */
#include <time.h>

#include "util/clock.h"

static __u64 ns_of(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

__u64 clock_realtime_ns(void)
{
	return ns_of(CLOCK_REALTIME);
}

__u64 clock_realtime_us(void)
{
	return ns_of(CLOCK_REALTIME) / 1000;
}

__u64 clock_monotonic_us(void)
{
	return ns_of(CLOCK_MONOTONIC) / 1000;
}

__s64 clock_mono_to_real_ns(void)
{
	__u64 mono = ns_of(CLOCK_MONOTONIC);

	return (__s64)(ns_of(CLOCK_REALTIME) - mono);
}
