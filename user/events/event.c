// SPDX-License-Identifier: GPL-2.0
/* The events' vocabulary: the names of the types and deltas, --type parsed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/event.h"

const char *const event_type_names[EVENT_TYPE_MAX + 1] = {
	[EVENT_NETNS] = "netns",	[EVENT_NS] = "ns",
	[EVENT_LINK] = "link",		[EVENT_ADDR] = "addr",
	[EVENT_NEIGH] = "neigh",	[EVENT_FDB] = "fdb",
	[EVENT_DROP] = "drop",		[EVENT_COUNTERS] = "counters",
	[EVENT_ATTACH] = "attach",	[EVENT_LOST] = "lost",
};

const char *const event_delta_names[EVENT_DELTA_MAX] = {
	"packets", "bytes", "arp_request", "arp_reply", "icmp_echo_request", "icmp_echo_reply",
};

/* Parse "netns,neigh" into a mask of (1 << EVENT_*). Return 0 or -EINVAL (@bad: the bad name). */
static int event_types_parse(const char *text, unsigned int *mask, char *bad, size_t bad_size)
{
	char *copy = strdup(text), *save = NULL, *tok;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	*mask = 0;
	for (tok = strtok_r(copy, ",", &save); tok && !err; tok = strtok_r(NULL, ",", &save)) {
		int i;

		for (i = 0; i < EVENT_TYPE_MAX; i++)
			if (!strcmp(tok, event_type_names[i]))
				break;
		if (i == EVENT_TYPE_MAX) {
			snprintf(bad, bad_size, "%s", tok);
			err = -EINVAL;
		}
		*mask |= 1U << i;
	}
	if (!err && !*mask) {
		snprintf(bad, bad_size, "%s", text);
		err = -EINVAL;
	}
	free(copy);
	return err;
}

const char *event_types_option(const char *text, void *dest)
{
	static __thread char reason[192];
	char bad[64];

	if (!event_types_parse(text, dest, bad, sizeof(bad)))
		return NULL;
	snprintf(reason, sizeof(reason), "\"%s\" is not a type: use netns, ns, link, addr, neigh, fdb, drop, counters, attach or lost",
		 bad);
	return reason;
}
