/* SPDX-License-Identifier: GPL-2.0 */
/* Reading the pinned per-CPU counters map. */
#ifndef NSMON_COUNTERS_H
#define NSMON_COUNTERS_H

#include <stdbool.h>
#include <linux/types.h>
#include "nsmon.h"

#define NSMON_COUNTERS_PIN	NSMON_PIN_ROOT "/counters"

/* JSON key of each enum nsmon_stat, in enum order. */
extern const char *const nsmon_stat_names[NSMON_STAT_MAX];

/**
 * counters_open() - open the pinned counters map.
 * Return: the fd, -ENOENT if nothing is monitored, or -errno.
 */
int counters_open(void);

/**
 * counters_read() - the counters of one (namespace, interface, direction, hook),
 * summed over CPUs; zeros when that key was never counted.
 * Return: 0, -ENOENT when nothing was counted there yet, or -errno.
 */
int counters_read(int map_fd, __u64 netns_cookie, int ifindex, int dir, int hook,
		  struct nsmon_counters *sum);

/* Has anything been counted at @hook for this interface (in any direction)? */
bool counters_exist(int map_fd, __u64 netns_cookie, int ifindex, int hook);

/* Delete every key of one interface. Return 0 or -errno. */
int counters_forget(int map_fd, __u64 netns_cookie, int ifindex);

#endif
