/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The two clocks nsmon reads: CLOCK_REALTIME for what users read as a time
 * of day (events' and captures' stamps), CLOCK_MONOTONIC for intervals and
 * deadlines, which must not jump when the wall clock is set.
 */
#ifndef NSMON_CLOCK_H
#define NSMON_CLOCK_H

#include <linux/types.h>

__u64 clock_realtime_ns(void);
__u64 clock_realtime_us(void);
__u64 clock_monotonic_us(void);

/*
 * CLOCK_REALTIME - CLOCK_MONOTONIC now, in ns: added to a BPF program's
 * bpf_ktime_get_ns() (monotonic), it gives the time of day of a record.
 */
__s64 clock_mono_to_real_ns(void);

#endif
