// SPDX-License-Identifier: GPL-2.0
/*
 * Which events a filter (--proto, --host, --port) lets through: the one
 * rule of include/filter_abi.h, on what each type of event carries. The
 * kernel applies it to drops and neighbour entries before they reach the
 * ring (bpf/events.bpf.c, with the same nsmon_neigh_keys()); the stream
 * applies it here to the rest.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "events/event.h"
#include "events_abi.h"
#include "util/log.h"

bool event_filter_match(const struct nsmon_filter *f, const struct nsmon_event *ev)
{
	struct nsmon_frame_keys k;

	if (nsmon_filter_is_empty(f))
		return true;
	switch (ev->type) {
	case EVENT_LOST:	/* about the stream itself */
	case EVENT_DROP:	/* matched by its packet in the kernel: the event keeps no copy */
		return true;
	case EVENT_NEIGH:
		nsmon_neigh_keys(&k, ev->neigh.family == AF_INET6 ? NSMON_AF_INET6 : AF_INET,
				 ev->neigh.address);
		return nsmon_filter_match(f, &k);
	case EVENT_ADDR:
		if (!ev->addr.has_address)
			return false;
		memset(&k, 0, sizeof(k));
		k.protos = ev->addr.family == AF_INET6 ? NSMON_FILTER_IPV6 : NSMON_FILTER_IPV4;
		nsmon_filter_addr_from(&k.saddr, ev->addr.address, ev->addr.family == AF_INET6);
		k.daddr = k.saddr;
		k.has_addrs = 1;
		return nsmon_filter_match(f, &k);
	default:
		return false;
	}
}

int event_types_check(unsigned int types, bool counters, const struct nsmon_filter *f)
{
	unsigned int other = types & ~(EVENT_FILTERED_TYPES | 1U << EVENT_LOST);

	if (nsmon_filter_is_empty(f))
		return 0;
	if (counters)
		other |= 1U << EVENT_COUNTERS;
	for (int t = 0; t < EVENT_TYPE_MAX; t++) {
		if (!(other & (1U << t)))
			continue;
		pr_warn("%s events carry no packet or address: --proto, --host and --port keep drop, neigh and addr events only",
			event_type_names[t]);
		return -EINVAL;
	}
	return 0;
}
